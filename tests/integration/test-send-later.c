/* test-send-later.c — `postierctl send --at` and `--delay` through the
 * rig's Postfix: the message waits in the outbox, the background flusher
 * (`queue watch`) sends it at its time, once (issue 13)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "postier-core.h"
#include "postier-test.h"

static char *
unique_tag (const char *what)
{
  return g_strdup_printf ("send-later-%s-%d-%" G_GINT64_FORMAT, what, getpid (), g_get_real_time ());
}

/* The held message is in the outbox, scheduled, and not in the Maildir. */
static void
assert_held (const char *tag,
             const char *schedule)
{
  g_autofree char *out = NULL;

  g_assert_cmpint (postier_test_run_ctl (NULL, &out, NULL, "queue", "list", "--json", NULL), ==, 0);
  g_assert_nonnull (strstr (out, tag));
  g_assert_nonnull (strstr (out, schedule));
  g_assert_cmpuint (postier_test_maildir_count (tag), ==, 0);
}

/* `queue watch` stays while something will go by itself, sends it at its
 * time, and leaves; the message arrived once, not before its time (the
 * Maildir file was written by Postfix after it). */
static void
watch_and_check (const char *tag,
                 gint64      not_before)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GPtrArray) files = NULL;
  GStatBuf st;

  g_assert_cmpint (postier_test_run_watch (NULL, &out, &err), ==, 0);
  files = postier_test_maildir_files (tag, 1);
  g_assert_cmpint (g_stat (g_ptr_array_index (files, 0), &st), ==, 0);
  g_assert_cmpint ((gint64) st.st_mtime, >=, not_before);

  g_clear_pointer (&out, g_free);
  g_assert_cmpint (postier_test_run_ctl (NULL, &out, NULL, "queue", "list", "--json", NULL), ==, 0);
  g_assert_null (strstr (out, tag));
}

static void
test_send_at (void)
{
  g_autoptr(PostierOutbox) outbox = postier_test_rig_outbox ();
  g_autofree char *tag = unique_tag ("at");
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *at = NULL;
  g_autoptr(GDateTime) when = NULL;

  if (outbox == NULL)
    return;
  /* A few seconds ahead, ISO 8601 with its zone. */
  when = g_date_time_new_from_unix_utc (g_get_real_time () / G_USEC_PER_SEC + 4);
  at = g_date_time_format (when, "%Y-%m-%dT%H:%M:%SZ");
  g_assert_cmpint (postier_test_run_ctl ("Later.\n", &out, &err, "send", "--to", "later@example.org",
                                         "--subject", tag, "--at", at, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Queued as"));
  assert_held (tag, "\"later\"");
  watch_and_check (tag, g_date_time_to_unix (when));
}

static void
test_send_delay (void)
{
  g_autoptr(PostierOutbox) outbox = postier_test_rig_outbox ();
  g_autofree char *tag = unique_tag ("delay");
  g_autofree char *out = NULL;
  gint64 before = g_get_real_time () / G_USEC_PER_SEC;

  if (outbox == NULL)
    return;
  g_assert_cmpint (postier_test_run_ctl ("Grace.\n", &out, NULL, "send", "--to", "grace@example.org",
                                         "--subject", tag, "--delay", "3", NULL), ==, 0);
  assert_held (tag, "\"grace\"");
  watch_and_check (tag, before + 3);
}

/* A time in the past or one that does not parse: 65, nothing queued. */
static void
test_refused_times (void)
{
  g_autoptr(PostierOutbox) outbox = postier_test_rig_outbox ();
  const char *times[] = { "2001-01-01 09:00", "next tuesday", "2026-02-30 09:00" };
  g_autofree char *list = NULL;

  if (outbox == NULL)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (times); i++)
    {
      g_autofree char *err = NULL;

      g_assert_cmpint (postier_test_run_ctl ("x\n", NULL, &err, "send", "--to", "never@example.org",
                                             "--subject", "never", "--at", times[i], NULL), ==, 65);
      g_assert_nonnull (strstr (err, times[i]));
    }
  g_assert_cmpint (postier_test_run_ctl (NULL, &list, NULL, "queue", "list", "--json", NULL), ==, 0);
  g_assert_null (strstr (list, "never@example.org"));
}

int
main (int   argc,
      char *argv[])
{
  postier_test_init (&argc, &argv);

  g_test_add_func ("/send-later/at", test_send_at);
  g_test_add_func ("/send-later/delay", test_send_delay);
  g_test_add_func ("/send-later/refused-times", test_refused_times);
  return g_test_run ();
}
