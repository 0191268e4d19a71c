/* test-rig.c — the fixtures the suite relies on really run
 *
 * `make test` starts a private Postfix, a keyring and a display; these tests
 * query each one, so a run where a fixture silently failed to start cannot
 * pass. They use independent clients (Python's smtplib, xdotool).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <json-glib/json-glib.h>

#include "postier-core.h"
#include "postier-test.h"

static JsonObject *
probe (const char * const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *script = g_build_filename (g_getenv ("POSTIER_SOURCE_ROOT"), "tests", "rig",
                                              "smtp-probe.py", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  int status;

  g_ptr_array_add (argv, (gpointer) "/usr/bin/python3");
  g_ptr_array_add (argv, script);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  status = postier_test_run_program (NULL, NULL, &out, &err, (const char **) argv->pdata);
  if (status != 0)
    g_test_message ("probe failed: %s", err);
  g_assert_cmpint (status, ==, 0);
  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static gboolean
array_has (JsonArray  *array,
           const char *value)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    if (g_ascii_strcasecmp (json_array_get_string_element (array, i), value) == 0)
      return TRUE;
  return FALSE;
}

/* Waits (bounded) for a message with MESSAGE_ID to land in the rig Maildir
 * and returns its contents. */
static char *
wait_for_delivery (const char *maildir,
                   const char *message_id)
{
  g_autofree char *new_dir = g_build_filename (maildir, "new", NULL);

  for (guint attempt = 0; attempt < 100; attempt++)
    {
      g_autoptr(GDir) dir = g_dir_open (new_dir, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *path = g_build_filename (new_dir, name, NULL);
          g_autofree char *contents = NULL;

          if (g_file_get_contents (path, &contents, NULL, NULL) && strstr (contents, message_id) != NULL)
            return g_steal_pointer (&contents);
        }
      g_usleep (100 * 1000);
    }
  return NULL;
}

static void
test_submission_requires_starttls_and_auth (void)
{
  const char *port = postier_test_rig ("SUBMISSION_PORT");
  const char *ca = postier_test_rig ("CA");
  const char *user = postier_test_rig ("USER");
  const char *password = postier_test_rig ("PASSWORD");
  const char *maildir = postier_test_rig ("MAILDIR");
  g_autofree char *message_id = g_strdup_printf ("<rig-%08x@example.org>", g_random_int ());
  g_autoptr(JsonObject) report = NULL;
  g_autofree char *delivered = NULL;
  JsonArray *before;
  JsonArray *after;

  if (port == NULL || ca == NULL || user == NULL || password == NULL || maildir == NULL)
    return;

  {
    const char *args[] = {
      "--port", port, "--mode", "starttls", "--ca", ca, "--user", user, "--password", password,
      "--rcpt", "someone@example.net", "--rcpt", "refuse@example.com", "--message-id", message_id, NULL,
    };
    report = probe (args);
  }

  before = json_object_get_array_member (report, "before_tls");
  after = json_object_get_array_member (report, "after_tls");
  /* Credentials are never invited over plain text. */
  g_assert_true (array_has (before, "starttls"));
  g_assert_false (array_has (before, "auth"));
  g_assert_true (array_has (after, "auth"));
  g_assert_true (array_has (after, "size"));
  g_assert_true (array_has (after, "pipelining"));
  g_assert_true (json_object_get_boolean_member (report, "accepted"));
  /* The rig refuses local parts starting with "refuse", for partial-failure tests. */
  g_assert_true (json_object_has_member (json_object_get_object_member (report, "refused"),
                                         "refuse@example.com"));

  delivered = wait_for_delivery (maildir, message_id);
  g_assert_nonnull (delivered);
  g_assert_nonnull (strstr (delivered, "Delivered-To: someone@example.net"));
  g_assert_null (strstr (delivered, "Delivered-To: refuse@example.com"));
}

static void
test_implicit_tls_port (void)
{
  const char *port = postier_test_rig ("SMTPS_PORT");
  const char *ca = postier_test_rig ("CA");
  const char *user = postier_test_rig ("USER");
  const char *password = postier_test_rig ("PASSWORD");
  g_autoptr(JsonObject) report = NULL;

  if (port == NULL || ca == NULL || user == NULL || password == NULL)
    return;

  {
    const char *args[] = {
      "--port", port, "--mode", "tls", "--ca", ca, "--user", user, "--password", password, NULL,
    };
    report = probe (args);
  }
  g_assert_true (array_has (json_object_get_array_member (report, "after_tls"), "auth"));
}

static void
test_display (void)
{
  const char *display = postier_test_rig ("DISPLAY");
  g_autofree char *out = NULL;
  const char *argv[] = { "xdotool", "getdisplaygeometry", NULL };

  if (display == NULL)
    return;
  g_assert_cmpint (postier_test_run_program (NULL, NULL, &out, NULL, argv), ==, 0);
  g_assert_cmpstr (g_strstrip (out), ==, "1280 900");
}

int
main (int   argc,
      char *argv[])
{
  postier_test_init (&argc, &argv);

  g_test_add_func ("/rig/postfix/submission", test_submission_requires_starttls_and_auth);
  g_test_add_func ("/rig/postfix/implicit-tls", test_implicit_tls_port);
  g_test_add_func ("/rig/display", test_display);

  return g_test_run ();
}
