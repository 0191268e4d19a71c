/* test-terminal-escaping.c — what postierctl prints cannot drive the terminal
 *
 * A subject, an address or a server's reply is text someone else chose. On
 * a terminal, ESC[2J clears the screen, BEL rings, U+009B is a CSI on some
 * terminals and U+202E reverses what follows on the line. These tests put
 * such text through the real paths — a message captured by the Sandbox,
 * a reply from tests/faults/smtp-fault-server.py kept in the outbox — and
 * check that every listing shows it as visible escapes, while --json keeps
 * the exact text for programs.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "postier-core.h"
#include "postier-test.h"

/* ESC[2J, BEL, U+202E (right-to-left override), U+0085 (a C1 control). */
#define HOSTILE "Hi \033[2J\a \xe2\x80\xae" "evil \xc2\x85 end"
#define HOSTILE_SHOWN "Hi \\x1b[2J\\x07 \\u202e" "evil \\u0085 end"

/* No byte of TEXT acts on a terminal: no C0 control but newline and tab,
 * no DEL, no C1 control, no bidirectional override, embedding, isolate or
 * mark. */
static void
assert_terminal_safe (const char *what,
                      const char *text)
{
  const guchar *p = (const guchar *) text;
  gsize length = strlen (text);

  g_assert_true (g_utf8_validate (text, (gssize) length, NULL));
  for (gsize i = 0; i < length; i++)
    {
      gunichar c;

      if (p[i] < 0x80)
        {
          if ((p[i] < 0x20 && p[i] != '\n' && p[i] != '\t') || p[i] == 0x7f)
            g_error ("%s: raw control byte 0x%02x at %" G_GSIZE_FORMAT ": %s", what, p[i], i, text);
          continue;
        }
      c = g_utf8_get_char (text + i);
      if ((c >= 0x80 && c <= 0x9f) || c == 0x200e || c == 0x200f || c == 0x061c ||
          (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069))
        g_error ("%s: raw U+%04X at %" G_GSIZE_FORMAT ": %s", what, c, i, text);
      i += (gsize) (g_utf8_next_char (text + i) - (text + i)) - 1;
    }
}

static char *
run_ok (const char *what,
        const char *first,
        ...) G_GNUC_NULL_TERMINATED;

/* Runs postierctl, expects status 0, and returns standard output after
 * checking both outputs are safe. */
static char *
run_ok (const char *what,
        const char *first,
        ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  char *out = NULL;
  g_autofree char *err = NULL;
  va_list ap;
  int status;

  va_start (ap, first);
  postier_test_append_args (args, first, ap);
  va_end (ap);

  status = postier_test_run_ctlv (NULL, NULL, 0, &out, &err, (const char * const *) args->pdata);
  g_test_message ("%s → %d\n%s%s", what, status, out, err);
  g_assert_cmpint (status, ==, 0);
  assert_terminal_safe (what, out);
  assert_terminal_safe (what, err);
  return out;
}

/* The first member NAME of the JSON array printed by `… --json`. */
static char *
first_json_string (const char *json,
                   const char *name)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonArray *array;

  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  array = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (array), >=, 1);
  return g_strdup (json_object_get_string_member (json_array_get_object_element (array, 0), name));
}

static void
test_sandbox_and_queue_listings (void)
{
  const char *args[] = { "send", "--account", "Sandbox", "--to", "bob@example.org",
                         "--subject", HOSTILE, "--body-file", "-", NULL };
  const char *queue_args[] = { "send", "--account", "Sandbox", "--queue-only", "--to", "bob@example.org",
                               "--subject", HOSTILE, "--body-file", "-", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *list = NULL;
  g_autofree char *json = NULL;
  g_autofree char *id = NULL;
  g_autofree char *subject = NULL;
  g_autofree char *show = NULL;

  g_assert_cmpint (postier_test_run_ctlv (NULL, "Hello.\n", 7, &out, &err, args), ==, 0);
  g_assert_nonnull (strstr (out, "captured by the Sandbox"));

  list = run_ok ("sandbox list", "sandbox", "list", NULL);
  g_assert_nonnull (strstr (list, HOSTILE_SHOWN));

  /* JSON is for programs: the exact subject, escaped the JSON way. */
  json = run_ok ("sandbox list --json", "sandbox", "list", "--json", NULL);
  subject = first_json_string (json, "subject");
  g_assert_cmpstr (subject, ==, HOSTILE);
  id = first_json_string (json, "id");

  show = run_ok ("sandbox show", "sandbox", "show", id, NULL);
  g_assert_nonnull (strstr (show, "Subject:     " HOSTILE_SHOWN));

  /* The same subject waiting in the outbox. */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&list, g_free);
  g_clear_pointer (&json, g_free);
  g_clear_pointer (&id, g_free);
  g_clear_pointer (&subject, g_free);
  g_clear_pointer (&show, g_free);
  g_assert_cmpint (postier_test_run_ctlv (NULL, "Hello.\n", 7, &out, NULL, queue_args), ==, 0);
  list = run_ok ("queue list", "queue", "list", NULL);
  g_assert_nonnull (strstr (list, HOSTILE_SHOWN));
  json = run_ok ("queue list --json", "queue", "list", "--json", NULL);
  subject = first_json_string (json, "subject");
  g_assert_cmpstr (subject, ==, HOSTILE);
  id = first_json_string (json, "id");
  show = run_ok ("queue show", "queue", "show", id, NULL);
  g_assert_nonnull (strstr (show, HOSTILE_SHOWN));
}

/* A relay whose refusal holds terminal controls: the refusal is shown on
 * standard error, in the queue listing, in each recipient's reply and in
 * the transcript, always escaped. */
static void
test_server_reply_is_escaped (void)
{
  const char *plan = "{\"rcpt1\": \"550 5.1.1 \\u001b[2J\\u0007gone \\u202eevil \\u0085<rcpt1@example.org>\"}";
  /* What becomes of ESC and BEL in a reply is the SMTP reader's business
   * (it may already replace them); the C1 control and the override pass
   * through it and must be escaped here. */
  const char *reply_shown = "gone \\u202eevil \\u0085<rcpt1@example.org>";
  g_autofree char *script = g_build_filename (g_getenv ("POSTIER_SOURCE_ROOT"), "tests", "faults",
                                              "smtp-fault-server.py", NULL);
  g_autofree char *folder = NULL;
  g_autofree char *log = NULL;
  g_autofree char *line = NULL;
  g_autofree char *port = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *list = NULL;
  g_autofree char *json = NULL;
  g_autofree char *id = NULL;
  g_autofree char *last_error = NULL;
  g_autofree char *show = NULL;
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GDataInputStream) server_out = NULL;
  g_autoptr(GError) error = NULL;
  const char *ca = postier_test_rig ("CA");
  int status;

  if (ca == NULL || postier_test_rig ("CERT") == NULL)
    return;

  folder = g_dir_make_tmp ("postier-escaping-XXXXXX", &error);
  g_assert_no_error (error);
  log = g_build_filename (folder, "received.log", NULL);
  server = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, "/usr/bin/python3", script,
                             "--plan", plan, "--log", log, NULL);
  g_assert_no_error (error);
  server_out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server));
  line = g_data_input_stream_read_line (server_out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (line != NULL && g_str_has_prefix (line, "PORT "));
  port = g_strdup (line + 5);

  {
    const char *add[] = { "account", "add", "Faulty", "--from", "alice@example.org", "--host", "localhost",
                          "--port", port, "--security", "starttls", "--auth", "plain", "--user", "alice",
                          "--password-command", "echo secret", "--ca-file", ca, NULL };
    const char *send[] = { "send", "--account", "Faulty", "--to", "rcpt1@example.org", "--subject", "s",
                           "--body-file", "-", NULL };

    g_assert_cmpint (postier_test_run_ctlv (NULL, NULL, 0, NULL, NULL, add), ==, 0);
    status = postier_test_run_ctlv (NULL, "Hello.\n", 7, &out, &err, send);
  }
  g_subprocess_force_exit (server);
  g_subprocess_wait (server, NULL, NULL);
  g_test_message ("send → %d\n%s%s", status, out, err);

  /* The one recipient was refused for good (the exit-code table's 67). */
  g_assert_cmpint (status, ==, 67);
  assert_terminal_safe ("send", out);
  assert_terminal_safe ("send", err);
  g_assert_nonnull (strstr (err, reply_shown));

  list = run_ok ("queue list", "queue", "list", NULL);
  g_assert_nonnull (strstr (list, reply_shown));
  json = run_ok ("queue list --json", "queue", "list", "--json", NULL);
  last_error = first_json_string (json, "last_error");
  g_assert_nonnull (strstr (last_error, "gone \xe2\x80\xae" "evil \xc2\x85<rcpt1@example.org>"));
  id = first_json_string (json, "id");

  show = run_ok ("queue show", "queue", "show", id, NULL);
  g_assert_nonnull (strstr (show, reply_shown));
  /* The transcript keeps its lines. */
  g_assert_nonnull (strstr (show, "\nTranscript:\n"));
  g_assert_nonnull (strstr (strstr (show, "\nTranscript:\n"), reply_shown));

  g_unlink (log);
  g_rmdir (folder);
}

int
main (int   argc,
      char *argv[])
{
  postier_test_init (&argc, &argv);

  g_test_add_func ("/escaping/sandbox-and-queue", test_sandbox_and_queue_listings);
  g_test_add_func ("/escaping/server-reply", test_server_reply_is_escaped);

  return g_test_run ();
}
