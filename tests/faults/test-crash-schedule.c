/* test-crash-schedule.c — the background flusher killed while a message
 * waits for its time (undo send's grace period, send later): the message
 * is neither lost nor doubled; the next flusher sends it exactly once, at
 * once when its time passed while none ran (issue 13). Counted by a unique
 * tag in the shared rig Maildir.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "postier-core.h"
#include "postier-test.h"

static GSubprocess *
spawn_watch (void)
{
  g_autoptr(GSubprocessLauncher) launcher = postier_test_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                                                      G_SUBPROCESS_FLAGS_STDERR_SILENCE);

  return postier_test_launcher_spawn_ctl (launcher, "queue", "watch", NULL);
}

/* Starts a flusher, lets it arm its timer for the held message, and
 * kills it without a chance to clean up. */
static void
kill_watch_while_held (void)
{
  g_autoptr(GSubprocess) watch = spawn_watch ();

  g_usleep (G_USEC_PER_SEC);
  g_subprocess_send_signal (watch, SIGKILL);
  g_subprocess_wait (watch, NULL, NULL);
  g_assert_true (g_subprocess_get_if_signaled (watch));
}

static gboolean
listed (const char *tag)
{
  g_autofree char *out = NULL;

  g_assert_cmpint (postier_test_run_ctl (NULL, &out, NULL, "queue", "list", "--json", NULL), ==, 0);
  return strstr (out, tag) != NULL;
}

static char *
unique_tag (const char *what)
{
  return g_strdup_printf ("crash-schedule-%s-%d-%" G_GINT64_FORMAT, what, getpid (), g_get_real_time ());
}

/* Killed during the grace period: still queued and held; the next
 * flusher sends it when the period ends, once. */
static void
test_kill_in_grace (void)
{
  g_autoptr(PostierOutbox) outbox = postier_test_rig_outbox ();
  g_autofree char *tag = unique_tag ("grace");

  if (outbox == NULL)
    return;
  g_assert_cmpint (postier_test_run_ctl ("Grace.\n", NULL, NULL, "send", "--to", "grace@example.org",
                                         "--subject", tag, "--delay", "8", NULL), ==, 0);
  kill_watch_while_held ();
  g_assert_true (listed (tag));

  g_assert_cmpint (postier_test_run_watch (NULL, NULL, NULL), ==, 0);
  g_assert_false (listed (tag));
  /* Exactly one copy arrived (asserted inside). */
  g_ptr_array_unref (postier_test_maildir_files (tag, 1));
}

/* Killed while waiting for a scheduled time that then passes with no
 * flusher running (the machine off): the next start sends it at once,
 * once. */
static void
test_kill_before_schedule (void)
{
  g_autoptr(PostierOutbox) outbox = postier_test_rig_outbox ();
  g_autofree char *tag = unique_tag ("later");
  g_autofree char *at = NULL;
  g_autoptr(GDateTime) when = NULL;

  if (outbox == NULL)
    return;
  when = g_date_time_new_from_unix_utc (g_get_real_time () / G_USEC_PER_SEC + 4);
  at = g_date_time_format (when, "%Y-%m-%dT%H:%M:%SZ");
  g_assert_cmpint (postier_test_run_ctl ("Later.\n", NULL, NULL, "send", "--to", "later@example.org",
                                         "--subject", tag, "--at", at, NULL), ==, 0);
  kill_watch_while_held ();

  /* Its time passes while nothing runs. */
  while (g_get_real_time () / G_USEC_PER_SEC <= g_date_time_to_unix (when))
    g_usleep (G_USEC_PER_SEC / 4);
  g_assert_true (listed (tag));
  g_assert_cmpuint (postier_test_maildir_count (tag), ==, 0);

  g_assert_cmpint (postier_test_run_watch (NULL, NULL, NULL), ==, 0);
  g_assert_false (listed (tag));
  /* Exactly one copy arrived (asserted inside). */
  g_ptr_array_unref (postier_test_maildir_files (tag, 1));
}

int
main (int   argc,
      char *argv[])
{
  postier_test_init (&argc, &argv);

  g_test_add_func ("/crash-schedule/kill-in-grace", test_kill_in_grace);
  g_test_add_func ("/crash-schedule/kill-before-schedule", test_kill_before_schedule);
  return g_test_run ();
}
