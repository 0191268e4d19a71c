/* test-schedule.c — send later and undo send's grace period (issue 13):
 * times people type (DST included), when a held entry becomes due with an
 * injected clock (jumps forward and back), and what the person may still
 * do with a held entry (withdraw, send now) while a flusher runs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "postier-core.h"
#include "postier-draft-store.h"
#include "postier-schedule.h"
#include "postier-wall-timer.h"
#include "postier-test.h"

#define MESSAGE "From: Ada <ada@example.org>\r\nTo: bob@example.org\r\n" \
                "Subject: Plans\r\nMessage-ID: <plans@example.org>\r\n\r\nSee you.\r\n"

/* 2026-03-28 12:00:00 UTC, the day before Paris moves to summer time. */
#define SATURDAY 1774699200

static gint64
utc (const char *iso)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_iso8601 (iso, NULL);

  g_assert_nonnull (time);
  return g_date_time_to_unix (time);
}

static void
test_parse_time (void)
{
  g_autoptr(GTimeZone) paris = g_time_zone_new_identifier ("Europe/Paris");
  g_autoptr(GError) error = NULL;
  gint64 when = 0;

  g_assert_nonnull (paris);
  /* Local time in winter: UTC+1. */
  g_assert_true (postier_schedule_parse_time ("2026-12-24 09:00", paris, SATURDAY, &when, &error));
  g_assert_no_error (error);
  g_assert_cmpint (when, ==, utc ("2026-12-24T08:00:00Z"));
  g_assert_true (postier_schedule_parse_time (" 2026-12-24T09:00:30 ", paris, SATURDAY, &when, &error));
  g_assert_cmpint (when, ==, utc ("2026-12-24T08:00:30Z"));
  /* A zone given wins over the local one. */
  g_assert_true (postier_schedule_parse_time ("2026-12-24T09:00:00+05:00", paris, SATURDAY, &when, &error));
  g_assert_cmpint (when, ==, utc ("2026-12-24T04:00:00Z"));
  g_assert_true (postier_schedule_parse_time ("2026-12-24 09:00Z", paris, SATURDAY, &when, &error));
  g_assert_cmpint (when, ==, utc ("2026-12-24T09:00:00Z"));

  /* Refused: in the past, or not a time at all; WHEN untouched. */
  when = 42;
  g_assert_false (postier_schedule_parse_time ("2026-03-28 12:00", paris, SATURDAY, &when, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "past"));
  g_clear_error (&error);
  g_assert_false (postier_schedule_parse_time ("tomorrow-ish", paris, SATURDAY, &when, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (postier_schedule_parse_time ("2026-13-45 09:00", paris, SATURDAY, &when, &error));
  g_clear_error (&error);
  g_assert_cmpint (when, ==, 42);
}

/* Across the spring change the offset of the chosen day counts, and the
 * hour the clocks skip does not exist. */
static void
test_parse_dst (void)
{
  g_autoptr(GTimeZone) paris = g_time_zone_new_identifier ("Europe/Paris");
  g_autoptr(GError) error = NULL;
  g_autofree char *shown = NULL;
  gint64 when = 0;

  /* Monday 09:00 in summer time is 07:00 UTC, though today is winter. */
  g_assert_true (postier_schedule_parse_time ("2026-03-30 09:00", paris, SATURDAY, &when, &error));
  g_assert_no_error (error);
  g_assert_cmpint (when, ==, utc ("2026-03-30T07:00:00Z"));
  shown = postier_schedule_format_local (when, paris);
  g_assert_cmpstr (shown, ==, "2026-03-30 09:00 CEST");

  /* 02:30 on 29 March does not exist in Paris. */
  g_assert_false (postier_schedule_parse_time ("2026-03-29 02:30", paris, SATURDAY, &when, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_true (postier_schedule_parse_time ("2026-03-29 03:30", paris, SATURDAY, &when, &error));
  g_assert_cmpint (when, ==, utc ("2026-03-29T01:30:00Z"));
}

/* The moment is stored in UTC: another zone shows it otherwise, never
 * moves it. */
static void
test_zone_change (void)
{
  g_autoptr(GTimeZone) paris = g_time_zone_new_identifier ("Europe/Paris");
  g_autoptr(GTimeZone) montreal = g_time_zone_new_identifier ("America/Toronto");
  gint64 when = utc ("2026-12-24T08:00:00Z");
  g_autofree char *in_paris = postier_schedule_format_local (when, paris);
  g_autofree char *in_montreal = postier_schedule_format_local (when, montreal);

  g_assert_cmpstr (in_paris, ==, "2026-12-24 09:00 CET");
  g_assert_cmpstr (in_montreal, ==, "2026-12-24 03:00 EST");
}

static PostierOutbox *
new_outbox (const char *name)
{
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), name, NULL);

  return postier_outbox_new (dir);
}

static char *
enqueue_held (PostierOutbox         *outbox,
              gint64                 not_before,
              PostierOutboxSchedule  schedule)
{
  g_autoptr(PostierOutboxStaging) staging = NULL;
  g_autoptr(PostierEnvelope) envelope = postier_envelope_new ("ada@example.org");
  g_autoptr(GError) error = NULL;
  char *id;

  postier_envelope_add_recipient (envelope, "bob@example.org");
  staging = postier_outbox_staging_begin (outbox, &error);
  g_assert_no_error (error);
  g_assert_true (postier_outbox_staging_write (staging, MESSAGE, strlen (MESSAGE), &error));
  postier_outbox_staging_set_not_before (staging, not_before, schedule);
  id = postier_outbox_staging_commit (staging, "Rig", envelope, NULL, &error);
  g_assert_no_error (error);
  return id;
}

/* The scheduler with an injected clock: held until its time, due from
 * then; a clock set back holds it again (the moment does not move); one
 * missed while nothing ran is due at once. */
static void
test_next_wakeup (void)
{
  g_autoptr(PostierOutbox) outbox = new_outbox ("outbox-wakeup");
  g_autoptr(PostierOutboxEntry) entry = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autofree char *later = NULL;
  g_autofree char *grace = NULL;
  g_autofree char *plain = NULL;
  gint64 now = SATURDAY;

  later = enqueue_held (outbox, now + 3600, POSTIER_OUTBOX_SCHEDULE_LATER);
  grace = enqueue_held (outbox, now + 10, POSTIER_OUTBOX_SCHEDULE_GRACE);
  plain = enqueue_held (outbox, 0, POSTIER_OUTBOX_SCHEDULE_NONE);

  /* The plain queued one is flushed on arrival, not woken for. */
  g_assert_cmpint (postier_outbox_get_next_wakeup_at (outbox, now), ==, now + 10);

  entry = postier_outbox_lookup (outbox, later, NULL);
  g_assert_cmpint (postier_outbox_entry_get_not_before (entry), ==, now + 3600);
  g_assert_cmpint (postier_outbox_entry_get_schedule (entry), ==, POSTIER_OUTBOX_SCHEDULE_LATER);
  g_assert_true (postier_outbox_entry_is_scheduled (entry));
  g_assert_true (postier_outbox_entry_is_held (entry, now));
  g_assert_false (postier_outbox_entry_is_due (entry, now));
  g_assert_false (postier_outbox_entry_is_due (entry, now + 3599));
  g_assert_true (postier_outbox_entry_is_due (entry, now + 3600));
  /* The clock jumps a day forward (a machine off overnight): due now. */
  g_assert_true (postier_outbox_entry_is_due (entry, now + 86400));
  /* ... and back an hour: held again until the same moment. */
  g_assert_false (postier_outbox_entry_is_due (entry, now - 3600));
  g_clear_object (&entry);

  entries = postier_outbox_list (outbox, NULL);
  g_assert_cmpint (postier_schedule_next_wakeup (entries, now + 11), ==, now + 10);

  /* Send now: no hold left, due at once, nothing to wake for but grace. */
  g_assert_true (postier_outbox_send_now (outbox, later, NULL));
  entry = postier_outbox_lookup (outbox, later, NULL);
  g_assert_cmpint (postier_outbox_entry_get_not_before (entry), ==, 0);
  g_assert_cmpint (postier_outbox_entry_get_schedule (entry), ==, POSTIER_OUTBOX_SCHEDULE_NONE);
  g_assert_true (postier_outbox_entry_is_due (entry, now));
  g_clear_object (&entry);

  /* Rescheduled: the new time is the wake-up. */
  g_assert_true (postier_outbox_schedule (outbox, grace, now + 5, POSTIER_OUTBOX_SCHEDULE_LATER, NULL));
  g_assert_cmpint (postier_outbox_get_next_wakeup_at (outbox, now), ==, now + 5);
}

/* Undo: a held entry is withdrawn at once; while another flusher runs it
 * is still withdrawn if held, never once the flusher may have it. */
static void
test_withdraw (void)
{
  g_autoptr(PostierOutbox) outbox = new_outbox ("outbox-withdraw");
  g_autoptr(PostierOutbox) flusher = new_outbox ("outbox-withdraw");
  g_autoptr(PostierOutboxEntry) entry = NULL;
  g_autoptr(GError) error = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autofree char *held = enqueue_held (outbox, now + 600, POSTIER_OUTBOX_SCHEDULE_GRACE);
  g_autofree char *due = enqueue_held (outbox, 0, POSTIER_OUTBOX_SCHEDULE_NONE);
  g_autofree char *mark = NULL;
  g_autofree char *another = enqueue_held (outbox, now + 600, POSTIER_OUTBOX_SCHEDULE_GRACE);

  /* Another process's flusher holds the lock. */
  g_assert_true (postier_outbox_lock (flusher, NULL));

  g_assert_true (postier_outbox_withdraw (outbox, held, &error));
  g_assert_no_error (error);
  g_assert_null (postier_outbox_lookup (outbox, held, NULL));

  /* Due: the running flusher may be taking it; it stays and goes out. */
  g_assert_false (postier_outbox_withdraw (outbox, due, &error));
  g_assert_error (error, POSTIER_OUTBOX_ERROR, POSTIER_OUTBOX_ERROR_BUSY);
  g_clear_error (&error);
  entry = postier_outbox_lookup (outbox, due, &error);
  g_assert_no_error (error);
  g_clear_object (&entry);

  /* Marked "sending" by the flusher (the hard link it makes): busy too. */
  entry = postier_outbox_lookup (outbox, another, NULL);
  mark = g_build_filename (postier_outbox_entry_get_path (entry), "sending", NULL);
  {
    g_autofree char *ini = g_build_filename (postier_outbox_entry_get_path (entry), "entry.ini", NULL);
    g_assert_cmpint (link (ini, mark), ==, 0);
  }
  g_assert_false (postier_outbox_withdraw (outbox, another, &error));
  g_assert_error (error, POSTIER_OUTBOX_ERROR, POSTIER_OUTBOX_ERROR_BUSY);
  g_clear_error (&error);
  g_assert_true (g_file_test (mark, G_FILE_TEST_EXISTS));

  /* No flusher: the due one may be withdrawn. */
  postier_outbox_unlock (flusher);
  g_assert_true (postier_outbox_withdraw (outbox, due, &error));
  g_assert_no_error (error);
  g_assert_false (postier_outbox_withdraw (outbox, due, &error));
  g_assert_error (error, POSTIER_OUTBOX_ERROR, POSTIER_OUTBOX_ERROR_NOT_FOUND);
}

/* Undo restores the composer exactly: Bcc (never in the message), the
 * body as typed, the account; attachments are the bytes queued. */
static void
test_take_back_kept_draft (void)
{
  g_autoptr(PostierOutbox) outbox = new_outbox ("outbox-undo");
  g_autofree char *drafts_dir = g_build_filename (g_get_user_data_dir (), "drafts-undo", NULL);
  g_autoptr(PostierDraftStore) store = postier_draft_store_new (drafts_dir);
  g_autoptr(PostierAccount) account = postier_account_new ("Work");
  g_autoptr(PostierDraft) draft = postier_draft_new ();
  g_autoptr(PostierDraft) back = NULL;
  g_autoptr(PostierOutboxEntry) entry = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *attachment = g_build_filename (g_get_user_data_dir (), "notes.txt", NULL);
  g_autofree char *draft_path = NULL;
  g_autofree char *id = NULL;
  g_autofree char *kept = NULL;
  g_autofree char *bytes = NULL;
  PostierEnqueueOptions options = { 0 };

  postier_account_set_identity (account, "Ada Lovelace <ada@example.org>");
  postier_account_set_host (account, "smtp.example.org");
  postier_draft_set_to (draft, "Bob <bob@example.org>");
  postier_draft_set_bcc (draft, "eve@example.org");
  postier_draft_set_subject (draft, "Plans");
  postier_draft_set_body (draft, "Line one\n\n  indented, trailing space \n");
  g_assert_cmpint (g_mkdir_with_parents (g_get_user_data_dir (), 0700), ==, 0);
  g_assert_true (g_file_set_contents (attachment, "queued bytes\n", -1, NULL));
  postier_draft_add_attachment (draft, attachment);

  options.not_before = g_get_real_time () / G_USEC_PER_SEC + 600;
  options.schedule = POSTIER_OUTBOX_SCHEDULE_GRACE;
  options.keep_draft = TRUE;
  id = postier_mime_enqueue_draft_full (draft, account, outbox, &options, NULL, &error);
  g_assert_no_error (error);
  entry = postier_outbox_lookup (outbox, id, NULL);
  kept = postier_outbox_entry_get_draft_path (entry);
  g_assert_nonnull (kept);
  g_assert_cmpint (postier_outbox_entry_get_schedule (entry), ==, POSTIER_OUTBOX_SCHEDULE_GRACE);

  /* The file changes after Send: the message holds what was sent. */
  g_assert_true (g_file_set_contents (attachment, "changed since\n", -1, NULL));

  back = postier_draft_store_take_back (store, outbox, id, &draft_path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (postier_draft_get_bcc (back), ==, "eve@example.org");
  g_assert_cmpstr (postier_draft_get_body (back), ==, "Line one\n\n  indented, trailing space \n");
  g_assert_cmpstr (postier_draft_get_subject (back), ==, "Plans");
  g_assert_cmpstr (postier_draft_get_account_name (back), ==, "Work");
  g_assert_cmpuint (postier_draft_get_n_attachments (back), ==, 1);
  g_assert_true (g_str_has_suffix (postier_draft_get_attachment (back, 0), "notes.txt"));
  g_assert_true (g_file_get_contents (postier_draft_get_attachment (back, 0), &bytes, NULL, NULL));
  g_assert_cmpstr (bytes, ==, "queued bytes\n");
  g_assert_null (postier_outbox_lookup (outbox, id, NULL));
}

static void
on_wake (gpointer user_data)
{
  gboolean *fired = user_data;

  *fired = TRUE;
}

/* A time already passed (the laptop slept through it) fires at once. */
static void
test_wall_timer_passed (void)
{
  g_autoptr(PostierWallTimer) timer = NULL;
  gboolean fired = FALSE;

  timer = postier_wall_timer_new (on_wake, &fired);
  postier_wall_timer_arm (timer, g_get_real_time () / G_USEC_PER_SEC - 3600);
  while (!fired)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (fired);
}

int
main (int   argc,
      char *argv[])
{
  postier_test_init (&argc, &argv);

  g_test_add_func ("/schedule/parse-time", test_parse_time);
  g_test_add_func ("/schedule/parse-dst", test_parse_dst);
  g_test_add_func ("/schedule/zone-change", test_zone_change);
  g_test_add_func ("/schedule/next-wakeup", test_next_wakeup);
  g_test_add_func ("/schedule/withdraw", test_withdraw);
  g_test_add_func ("/schedule/take-back-kept-draft", test_take_back_kept_draft);
  g_test_add_func ("/schedule/wall-timer-passed", test_wall_timer_passed);
  return g_test_run ();
}
