/* test-process-hardening.c — what postierctl does for secrets at start
 * (issue 16, finding 8): folders made looser beforehand end 0700, and the
 * process cannot be dumped or read by other processes while it may hold
 * a password.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "postier-core.h"
#include "postier-spam-check.h"
#include "postier-test.h"

#if defined(__SANITIZE_ADDRESS__)
# define SANITIZED 1
#elif defined(__has_feature)
# if __has_feature(address_sanitizer)
#  define SANITIZED 1
# endif
#endif

static guint
mode_of (const char *path)
{
  GStatBuf info;

  g_assert_cmpint (g_lstat (path, &info), ==, 0);
  return info.st_mode & 07777;
}

static void
test_folders_tightened (void)
{
  g_autofree char *config = postier_config_dir ();
  g_autofree char *data = postier_data_dir (NULL);
  g_autofree char *outbox = postier_data_dir ("outbox");
  g_autofree char *sent_new = postier_data_dir ("sent/new");
  g_autofree char *drafts = postier_data_dir ("drafts");
  g_autofree char *sandbox = postier_data_dir ("sandbox");
  g_autofree char *cache = g_build_filename (g_get_user_cache_dir (), "postier", NULL);
  g_autofree char *elsewhere = g_build_filename (g_get_user_data_dir (), "not-postier", NULL);
  g_autofree char *sandbox_tls = postier_data_dir ("sandbox-tls");
  const char *loose[] = { config, data, outbox, sent_new, drafts, sandbox, cache };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (loose); i++)
    {
      g_assert_cmpint (g_mkdir_with_parents (loose[i], 0755), ==, 0);
      g_assert_cmpint (g_chmod (loose[i], 0755), ==, 0);
    }
  /* A link in Postier's place is not followed: what it points to is not
   * Postier's to change. */
  g_assert_cmpint (g_mkdir_with_parents (elsewhere, 0755), ==, 0);
  g_assert_cmpint (g_chmod (elsewhere, 0755), ==, 0);
  g_assert_cmpint (symlink (elsewhere, sandbox_tls), ==, 0);

  g_assert_cmpint (postier_test_run_ctl (NULL, &out, &err, "queue", "list", NULL), ==, 0);

  for (guint i = 0; i < G_N_ELEMENTS (loose); i++)
    {
      g_test_message ("%s", loose[i]);
      g_assert_cmpuint (mode_of (loose[i]), ==, 0700);
    }
  g_assert_cmpuint (mode_of (elsewhere), ==, 0755);
}

/* Whether a process may be dumped shows in /proc: the files of a
 * non-dumpable process belong to root. So postierctl runs as an ordinary
 * user (nobody, when the test runs as root), waiting for a password on its
 * standard input, and the test looks at who owns its /proc/PID/status. */
static void
test_not_dumpable (void)
{
#ifdef SANITIZED
  g_test_skip ("sanitizer builds keep processes dumpable (LeakSanitizer ptraces itself)");
#else
  const char *ctl = g_getenv ("POSTIERCTL");
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *home = NULL;
  g_autofree char *status_path = NULL;
  GStatBuf info;
  uid_t expected_uid = getuid ();
  gboolean waiting = FALSE;

  g_assert_nonnull (ctl);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                        G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  /* Folders the other user can use. */
  home = g_dir_make_tmp ("postier-dumpable-XXXXXX", &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (home, 0777), ==, 0);
  g_subprocess_launcher_setenv (launcher, "HOME", home, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", home, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", home, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CACHE_HOME", home, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_STATE_HOME", home, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_RUNTIME_DIR", home, TRUE);
  if (expected_uid == 0)
    {
      expected_uid = 65534;
      process = g_subprocess_launcher_spawn (launcher, &error, "setpriv", "--reuid=65534", "--regid=65534",
                                             "--clear-groups", ctl, "account", "add", "Dump",
                                             "--from", "alice@example.org", "--host", "smtp.example.org",
                                             "--password-stdin", NULL);
    }
  else
    process = g_subprocess_launcher_spawn (launcher, &error, ctl, "account", "add", "Dump",
                                           "--from", "alice@example.org", "--host", "smtp.example.org",
                                           "--password-stdin", NULL);
  g_assert_no_error (error);
  status_path = g_strdup_printf ("/proc/%s/status", g_subprocess_get_identifier (process));

  /* Wait until it sleeps, reading its standard input (it makes itself
   * non-dumpable before anything else, so once it waits for the password,
   * that is done). */
  while (!waiting)
    {
      g_autofree char *status = NULL;

      g_assert_true (g_file_get_contents (status_path, &status, NULL, NULL));
      /* Ended early (a zombie): it would never wait. */
      g_assert_null (strstr (status, "\nState:\tZ"));
      waiting = strstr (status, "\nState:\tS") != NULL && g_file_test (status_path, G_FILE_TEST_EXISTS);
      if (waiting)
        {
          g_autofree char *uid_line = g_strdup_printf ("\nUid:\t%u\t%u", (guint) expected_uid, (guint) expected_uid);

          /* setpriv itself has become postierctl by then, and account
           * commands go on in postierctl-full (the same process, exec'd). */
          waiting = strstr (status, uid_line) != NULL &&
                    (g_str_has_prefix (status, "Name:\tpostierctl\n") ||
                     g_str_has_prefix (status, "Name:\tpostierctl-full\n"));
        }
      if (!waiting)
        g_usleep (10 * 1000);
    }
  g_assert_cmpint (g_stat (status_path, &info), ==, 0);
  g_test_message ("%s belongs to uid %u; postierctl runs as uid %u", status_path, (guint) info.st_uid,
                  (guint) expected_uid);
  g_assert_cmpuint (info.st_uid, ==, 0);

  g_output_stream_close (g_subprocess_get_stdin_pipe (process), NULL, NULL);
  g_subprocess_wait (process, NULL, NULL);
  postier_remove_tree (home);
#endif
}

/* A descriptor left open by whatever started the app, without
 * close-on-exec, as a shell's pipe is: SpamAssassin, started with
 * G_SUBPROCESS_FLAGS_INHERIT_FDS, gets it until the app marks it at start
 * (main() calls postier_core_cloexec_inherited_fds() first); the app
 * itself keeps it open. A stand-in spamassassin earlier in PATH lists the
 * descriptors it was given. */
#define INHERITED_FD 57

static void
on_spam_checked (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  PostierSpamReport *report;

  (void) source;
  /* The stand-in prints no report: an error, which does not matter here. */
  report = postier_spam_check_finish (result, NULL);
  postier_spam_report_free (report);
  g_main_loop_quit (user_data);
}

/* The descriptors the stand-in spamassassin was started with. */
static char **
spam_checker_fds (const char *list_path)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  const char *text = "Subject: hi\r\n\r\nhi\r\n";
  g_autoptr(GBytes) message = g_bytes_new_static (text, strlen (text));
  g_autofree char *listed = NULL;

  g_unlink (list_path);
  postier_spam_check_async (message, NULL, on_spam_checked, loop);
  g_main_loop_run (loop);
  g_assert_true (g_file_get_contents (list_path, &listed, NULL, NULL));
  return g_strsplit (g_strstrip (listed), "\n", -1);
}

static void
test_inherited_fds_not_passed_on (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *bin = g_dir_make_tmp ("postier-fake-spam-XXXXXX", &error);
  g_autofree char *script = NULL;
  g_autofree char *list_path = NULL;
  g_autofree char *path = NULL;
  g_auto(GStrv) before = NULL;
  g_auto(GStrv) after = NULL;
  g_autofree char *fd_name = g_strdup_printf ("%d", INHERITED_FD);
  int fd = open ("/dev/null", O_RDONLY);   /* no O_CLOEXEC, as inherited */

  g_assert_no_error (error);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (dup2 (fd, INHERITED_FD), ==, INHERITED_FD);
  close (fd);
  list_path = g_build_filename (bin, "fds", NULL);
  script = g_build_filename (bin, "spamassassin", NULL);
  {
    g_autofree char *text = g_strdup_printf ("#!/bin/sh\ncat >/dev/null\nls /proc/self/fd > '%s'\n", list_path);

    g_assert_true (g_file_set_contents (script, text, -1, &error));
    g_assert_no_error (error);
    g_assert_cmpint (g_chmod (script, 0755), ==, 0);
  }
  path = g_strdup_printf ("%s:%s", bin, g_getenv ("PATH"));
  g_setenv ("PATH", path, TRUE);

  /* Unmarked, it is passed on: what the app must prevent. */
  before = spam_checker_fds (list_path);
  g_assert_true (g_strv_contains ((const char * const *) before, fd_name));

  postier_core_cloexec_inherited_fds ();
  after = spam_checker_fds (list_path);
  g_assert_false (g_strv_contains ((const char * const *) after, fd_name));
  /* Marked, not closed. */
  g_assert_cmpint (fcntl (INHERITED_FD, F_GETFD), ==, FD_CLOEXEC);

  close (INHERITED_FD);
  postier_remove_tree (bin);
}

int
main (int    argc,
      char **argv)
{
  postier_test_init (&argc, &argv);

  g_test_add_func ("/hardening/folders-tightened", test_folders_tightened);
  g_test_add_func ("/hardening/not-dumpable", test_not_dumpable);
  g_test_add_func ("/hardening/inherited-fds-not-passed-on", test_inherited_fds_not_passed_on);
  return g_test_run ();
}
