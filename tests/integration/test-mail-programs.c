/* test-mail-programs.c — real mail programs through `postierctl sendmail`:
 * mutt and git send-email, driven non-interactively, deliver to the rig's
 * Postfix (checked in its Maildir, parsed back), and fail (non-zero exit)
 * when the relay refuses the recipient (tests/faults/smtp-fault-server.py)
 *
 * Every program runs with this test's own HOME and XDG folders.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "postier-core.h"
#include "postier-test.h"

#define MUTT "/usr/bin/mutt"
#define GIT "/usr/bin/git"

static gboolean
have_program (const char *path,
              const char *also)
{
  if (g_file_test (path, G_FILE_TEST_IS_EXECUTABLE) &&
      (also == NULL || g_file_test (also, G_FILE_TEST_EXISTS)))
    return TRUE;
  if (g_getenv ("POSTIER_TEST_REQUIRE_RIG") != NULL)
    g_test_fail_printf ("%s is missing (build-aux/debian-packages.txt lists it)", also ? also : path);
  else
    g_test_skip_printf ("%s is missing", also ? also : path);
  return FALSE;
}

static void
add_account (const char *name,
             const char *port)
{
  postier_test_ctl_add_account (name, port, postier_test_rig ("CA"), postier_test_rig ("PASSWORD"));
}

static gboolean
add_postfix_account (void)
{
  if (postier_test_rig ("SUBMISSION_PORT") == NULL || postier_test_rig ("CA") == NULL ||
      postier_test_rig ("USER") == NULL || postier_test_rig ("PASSWORD") == NULL ||
      postier_test_rig ("MAILDIR") == NULL || postier_test_rig ("KEYRING") == NULL)
    return FALSE;
  add_account ("Rig", postier_test_rig ("SUBMISSION_PORT"));
  return TRUE;
}

/* A relay that refuses every recipient: the only account. */
static GSubprocess *
add_refusing_account (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *script = g_build_filename (g_getenv ("POSTIER_SOURCE_ROOT"), "tests", "faults",
                                              "smtp-fault-server.py", NULL);
  g_autofree char *log = g_build_filename (g_get_user_cache_dir (), "fault.log", NULL);
  g_autofree char *line = NULL;
  GSubprocess *server;

  if (postier_test_rig ("CA") == NULL || postier_test_rig ("USER") == NULL ||
      postier_test_rig ("PASSWORD") == NULL || postier_test_rig ("KEYRING") == NULL)
    return NULL;
  g_assert_cmpint (g_mkdir_with_parents (g_get_user_cache_dir (), 0700), ==, 0);
  server = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, "/usr/bin/python3", script, "--plan",
                             "{\"rcpt1\": \"550 5.1.1 <bob@localhost>: Recipient address rejected\"}",
                             "--log", log, NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (line, "PORT "));
  add_account ("Refusing", line + 5);
  return server;
}

static void
stop_server (GSubprocess *server)
{
  g_subprocess_force_exit (server);
  g_subprocess_wait (server, NULL, NULL);
  g_object_unref (server);
}

static guint
outbox_length (void)
{
  g_autoptr(PostierOutbox) outbox = postier_outbox_new (NULL);
  g_autoptr(GPtrArray) entries = postier_outbox_list (outbox, NULL);

  return entries != NULL ? entries->len : 0;
}

/* ---------------------------------------------------------------------- */
/* mutt */

static char *
write_muttrc (void)
{
  g_autofree char *mail = g_build_filename (g_get_home_dir (), "Mail", NULL);
  g_autofree char *rc = g_build_filename (g_get_home_dir (), "muttrc", NULL);
  g_autofree char *text = NULL;

  g_assert_cmpint (g_mkdir_with_parents (mail, 0700), ==, 0);
  text = g_strdup_printf ("set sendmail=\"%s sendmail\"\n"
                          "set from=\"Alice Ärzte <alice@localhost>\"\n"
                          "set use_from=yes\n"
                          "set envelope_from=yes\n"
                          "set hostname=localhost\n"
                          "set charset=utf-8\n"
                          "set send_charset=utf-8\n"
                          "set folder=%s\n"
                          "set spoolfile=%s\n"
                          "set mbox_type=Maildir\n"
                          "set record=\"\"\n"
                          "set postponed=%s/postponed\n",
                          g_getenv ("POSTIERCTL"), mail, mail, mail);
  g_assert_true (g_file_set_contents (rc, text, -1, NULL));
  return g_steal_pointer (&rc);
}

static int
run_mutt (const char  *subject,
          const char  *attachment,
          const char  *body,
          char       **err)
{
  g_autofree char *rc = write_muttrc ();
  const char *argv[] = { MUTT, "-n", "-F", rc, "-s", subject, "-a", attachment, "--", "bob@localhost", NULL };
  const char *env[] = { "TERM=dumb", "MAIL=", NULL };
  g_autofree char *out = NULL;
  int status;

  status = postier_test_run_program (env, body, &out, err, argv);
  g_test_message ("mutt: %d %s%s", status, out, *err);
  return status;
}

static void
test_mutt_delivers (void)
{
  g_autofree char *tag = g_strdup_printf ("mutt-%d-%" G_GINT64_FORMAT, getpid (), g_get_real_time ());
  g_autofree char *subject = g_strdup_printf ("Compte rendu %s", tag);
  g_autofree char *attachment = g_build_filename (g_get_home_dir (), "notes été.txt", NULL);
  g_autofree char *sha = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonObject) parsed = NULL;
  JsonObject *first;

  if (!have_program (MUTT, NULL) || !add_postfix_account ())
    return;
  g_assert_cmpint (g_mkdir_with_parents (g_get_home_dir (), 0700), ==, 0);
  g_assert_true (g_file_set_contents (attachment, "Les notes de la réunion.\n", -1, NULL));
  sha = postier_test_file_sha256 (attachment);

  g_assert_cmpint (run_mutt (subject, attachment, "Bonjour Bob,\nvoici les notes.\n", &err), ==, 0);
  g_assert_cmpuint (outbox_length (), ==, 0);

  parsed = postier_test_maildir_message (tag, 1);
  g_assert_cmpstr (postier_test_parsed_header (parsed, "Subject"), ==, subject);
  g_assert_cmpstr (postier_test_parsed_header (parsed, "From"), ==, "Alice Ärzte <alice@localhost>");
  g_assert_cmpstr (postier_test_parsed_header (parsed, "Return-Path"), ==, "<alice@localhost>");
  g_assert_nonnull (strstr (json_object_get_string_member (parsed, "body"), "voici les notes."));
  first = json_array_get_object_element (json_object_get_array_member (parsed, "attachments"), 0);
  g_assert_cmpstr (json_object_get_string_member (first, "filename"), ==, "notes été.txt");
  g_assert_cmpstr (json_object_get_string_member (first, "sha256"), ==, sha);
}

static void
test_mutt_fails_when_refused (void)
{
  g_autofree char *attachment = g_build_filename (g_get_home_dir (), "a.txt", NULL);
  g_autofree char *err = NULL;
  GSubprocess *server;
  int status;

  if (!have_program (MUTT, NULL) || (server = add_refusing_account ()) == NULL)
    return;
  g_assert_cmpint (g_mkdir_with_parents (g_get_home_dir (), 0700), ==, 0);
  g_assert_true (g_file_set_contents (attachment, "x\n", -1, NULL));

  status = run_mutt ("refused", attachment, "Hello.\n", &err);
  stop_server (server);
  /* mutt says the sending program failed, shows why, and exits non-zero. */
  g_assert_cmpint (status, !=, 0);
  g_assert_nonnull (strstr (err, "bob@localhost: 550 5.1.1"));
  g_assert_cmpuint (outbox_length (), ==, 1);
}

/* ---------------------------------------------------------------------- */
/* git send-email */

static int
git (const char  *repo,
     char       **err,
     const char  *first,
     ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  const char *env[] = { "GIT_CONFIG_NOSYSTEM=1", "GIT_AUTHOR_DATE=2026-01-02T03:04:05Z",
                        "GIT_COMMITTER_DATE=2026-01-02T03:04:05Z", "TERM=dumb", NULL };
  g_autofree char *out = NULL;
  g_autofree char *local_err = NULL;
  va_list args;
  int status;

  g_ptr_array_add (argv, (gpointer) GIT);
  g_ptr_array_add (argv, (gpointer) "-C");
  g_ptr_array_add (argv, (gpointer) repo);
  va_start (args, first);
  postier_test_append_args (argv, first, args);
  va_end (args);

  status = postier_test_run_program (env, NULL, &out, &local_err, (const char **) argv->pdata);
  g_test_message ("git %s: %d %s%s", first, status, out, local_err);
  if (err != NULL)
    *err = g_steal_pointer (&local_err);
  return status;
}

/* A repository with one commit, and its patch. */
static char *
make_patch (const char *tag)
{
  g_autofree char *repo = g_build_filename (g_get_home_dir (), "repo", NULL);
  g_autofree char *file = g_build_filename (repo, "README", NULL);
  g_autofree char *message = g_strdup_printf ("Explain the project %s", tag);
  g_autofree char *patches = g_build_filename (g_get_home_dir (), "patches", NULL);
  g_autofree char *patch = NULL;
  g_autoptr(GDir) dir = NULL;

  g_assert_cmpint (g_mkdir_with_parents (repo, 0700), ==, 0);
  g_assert_cmpint (git (repo, NULL, "init", "-q", NULL), ==, 0);
  g_assert_cmpint (git (repo, NULL, "config", "user.name", "Alice Ärzte", NULL), ==, 0);
  g_assert_cmpint (git (repo, NULL, "config", "user.email", "alice@localhost", NULL), ==, 0);
  g_assert_true (g_file_set_contents (file, "Postier\n=======\n\nSends mail.\n", -1, NULL));
  g_assert_cmpint (git (repo, NULL, "add", "README", NULL), ==, 0);
  g_assert_cmpint (git (repo, NULL, "commit", "-q", "-m", message, NULL), ==, 0);
  g_assert_cmpint (git (repo, NULL, "format-patch", "-q", "-1", "-o", patches, NULL), ==, 0);

  dir = g_dir_open (patches, 0, NULL);
  g_assert_nonnull (dir);
  patch = g_build_filename (patches, g_dir_read_name (dir), NULL);
  return g_steal_pointer (&patch);
}

static int
send_email (const char  *patch,
            char       **err)
{
  g_autofree char *repo = g_build_filename (g_get_home_dir (), "repo", NULL);
  g_autofree char *command = g_strdup_printf ("--sendmail-cmd=%s sendmail", g_getenv ("POSTIERCTL"));

  return git (repo, err, "send-email", command, "--confirm=never", "--suppress-cc=all",
              "--no-chain-reply-to", "--to=bob@example.org", "--from=Alice Ärzte <alice@localhost>",
              patch, NULL);
}

static void
test_git_send_email_delivers (void)
{
  g_autofree char *tag = g_strdup_printf ("git-%d-%" G_GINT64_FORMAT, getpid (), g_get_real_time ());
  g_autofree char *patch = NULL;
  g_autofree char *err = NULL;
  g_autofree char *subject = NULL;
  g_autoptr(JsonObject) parsed = NULL;

  if (!have_program (GIT, "/usr/lib/git-core/git-send-email") || !add_postfix_account ())
    return;
  patch = make_patch (tag);
  g_assert_cmpint (send_email (patch, &err), ==, 0);
  g_assert_cmpuint (outbox_length (), ==, 0);

  parsed = postier_test_maildir_message (tag, 1);
  subject = g_strdup_printf ("[PATCH] Explain the project %s", tag);
  g_assert_cmpstr (postier_test_parsed_header (parsed, "Subject"), ==, subject);
  g_assert_cmpstr (postier_test_parsed_header (parsed, "From"), ==, "Alice Ärzte <alice@localhost>");
  g_assert_nonnull (strstr (json_object_get_string_member (parsed, "body"), "+Sends mail.\n"));
}

static void
test_git_send_email_fails_when_refused (void)
{
  g_autofree char *patch = NULL;
  g_autofree char *err = NULL;
  GSubprocess *server;
  int status;

  if (!have_program (GIT, "/usr/lib/git-core/git-send-email") || (server = add_refusing_account ()) == NULL)
    return;
  patch = make_patch ("refused");
  status = send_email (patch, &err);
  stop_server (server);
  /* No "Result: OK": git stops with postierctl's status and words. */
  g_assert_cmpint (status, !=, 0);
  g_assert_nonnull (strstr (err, "bob@example.org: 550 5.1.1"));
  g_assert_cmpuint (outbox_length (), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  postier_test_init (&argc, &argv);

  g_test_add_func ("/mail-programs/mutt-delivers", test_mutt_delivers);
  g_test_add_func ("/mail-programs/mutt-fails-when-refused", test_mutt_fails_when_refused);
  g_test_add_func ("/mail-programs/git-send-email-delivers", test_git_send_email_delivers);
  g_test_add_func ("/mail-programs/git-send-email-fails-when-refused", test_git_send_email_fails_when_refused);

  return g_test_run ();
}
