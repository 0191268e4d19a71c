/* test-command-line.c — `postier mailto:…` and friends, as a desktop runs
 * them: the real program, one primary instance, later invocations handed
 * to it over D-Bus
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "postier-core.h"
#include "postier-test.h"
#include "postier-ui-test.h"

/* The descriptor the first start inherits, as from a shell's pipe. */
#define INHERITED_FD 57

/* EXTRA_FD (or -1) is handed to the app as INHERITED_FD, without
 * close-on-exec, as a launcher leaves its own. */
static GSubprocess *
spawn_postier (const char *argument,
               int         extra_fd,
               GError    **error)
{
  const char *binary = g_getenv ("POSTIER_BINARY");
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE);

  g_assert_nonnull (binary);
  if (extra_fd >= 0)
    g_subprocess_launcher_take_fd (launcher, extra_fd, INHERITED_FD);
  return g_subprocess_launcher_spawn (launcher, error, binary, argument, NULL);
}

/* The app keeps what it inherited open but marks it close-on-exec at
 * start, so SpamAssassin (started with INHERIT_FDS) never gets it: the
 * flags in /proc/PID/fdinfo carry O_CLOEXEC for that. */
static void
assert_inherited_fd_marked (GSubprocess *app)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/fdinfo/%d", g_subprocess_get_identifier (app),
                                           INHERITED_FD);
  g_autofree char *info = NULL;
  const char *flags;

  g_assert_true (g_file_get_contents (path, &info, NULL, NULL));
  flags = strstr (info, "flags:");
  g_assert_nonnull (flags);
  g_test_message ("%s: %.*s", path, (int) strcspn (flags, "\n"), flags);
  g_assert_true (g_ascii_strtoull (flags + strlen ("flags:"), NULL, 8) & O_CLOEXEC);
}

/* TRUE when a draft file holds NEEDLE. */
static gboolean
draft_holds (gpointer needle)
{
  g_autofree char *drafts = postier_data_dir ("drafts");

  return postier_test_tree_contains (drafts, needle);
}

static void
on_exited (GObject      *child,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (child), result, NULL);
  *(gboolean *) user_data = TRUE;
}

static gboolean
is_true (gpointer flag)
{
  return *(gboolean *) flag;
}

static void
wait_exit (GSubprocess *child,
           guint        timeout_ms)
{
  gboolean exited = FALSE;

  g_subprocess_wait_async (child, NULL, on_exited, &exited);
  g_assert_true (postier_ui_test_wait_for (is_true, &exited, timeout_ms));
  g_assert_true (g_subprocess_get_if_exited (child));
  g_assert_cmpint (g_subprocess_get_exit_status (child), ==, 0);
}

static void
test_mailto_from_the_command_line (void)
{
  g_autoptr(GSubprocess) primary = NULL;
  g_autoptr(GSubprocess) second = NULL;
  g_autoptr(GSubprocess) injected = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *quit[] = { "gapplication", "action", APPLICATION_ID, "quit", NULL };
  int pipe_fds[2];

  if (!postier_ui_test_have_display ())
    return;
  postier_ui_test_reset_files ();

  /* The first `postier mailto:…` starts the app, which keeps the link as a
   * draft at once. */
  g_assert_cmpint (pipe (pipe_fds), ==, 0);
  primary = spawn_postier ("mailto:ann@example.org?subject=First%20link&attach=/etc/passwd",
                           pipe_fds[1], &error);
  g_assert_no_error (error);
  g_assert_true (postier_ui_test_wait_for (draft_holds, (gpointer) "First link", 20000));
  g_assert_false (draft_holds ((gpointer) "passwd"));
  assert_inherited_fd_marked (primary);
  close (pipe_fds[0]);

  /* A second one is handed to the running app and returns. */
  second = spawn_postier ("mailto:bob@example.org?subject=Second%20link", -1, &error);
  g_assert_no_error (error);
  wait_exit (second, 20000);
  g_assert_true (postier_ui_test_wait_for (draft_holds, (gpointer) "Second link", 20000));
  /* The first message was kept as a draft, not replaced. */
  g_assert_true (draft_holds ((gpointer) "First link"));

  /* A link hiding a header is refused: nothing of it is kept. */
  injected = spawn_postier ("mailto:eve@example.org?subject=Hi%0D%0ABcc:%20spy@evil.example", -1, &error);
  g_assert_no_error (error);
  wait_exit (injected, 20000);
  postier_ui_test_spin (1000);
  g_assert_false (draft_holds ((gpointer) "spy@evil.example"));

  /* Ctrl+Q's action, from outside: with nothing waiting in the outbox the
   * app quits. */
  g_assert_cmpint (postier_test_run_program (NULL, NULL, &out, &err, quit), ==, 0);
  wait_exit (primary, 20000);
}

int
main (int   argc,
      char *argv[])
{
  postier_ui_test_init (&argc, &argv);

  g_test_add_func ("/ui/command-line/mailto", test_mailto_from_the_command_line);
  return postier_ui_test_run ();
}
