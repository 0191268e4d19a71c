/* test-relay-limiter.c — relay limits: the presets, the command line's
 * form, accounts.ini, and the limiter's sliding windows on a clock the
 * test sets (no sleeping): when mail is held, why, and until when
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "postier-core.h"
#include "postier-test.h"

/* Any fixed moment. */
#define T0 ((gint64) 1765000000)
#define DAY (24 * 3600)

typedef struct {
  gint64 now;
} Clock;

static gint64
fake_now (gpointer user_data)
{
  return ((Clock *) user_data)->now;
}

static PostierAccount *
account_with (const char *limits_text)
{
  PostierAccount *account = postier_account_new ("Work");
  PostierAccountLimits limits = { 0 };

  postier_account_set_identity (account, "Ada <ada@example.org>");
  postier_account_set_host (account, "smtp.example.org");
  g_assert_true (postier_account_limits_parse (limits_text, &limits, NULL));
  postier_account_set_limits (account, &limits);
  return account;
}

static PostierRelayLimiter *
limiter_at (Clock *clock)
{
  g_autofree char *dir = g_build_filename (g_get_user_state_dir (), "limiter", NULL);
  PostierRelayLimiter *limiter = postier_relay_limiter_new (dir);

  postier_relay_limiter_set_clock (limiter, fake_now, clock);
  return limiter;
}

/* ------------------------------------------------------------------------
 * Limits and presets
 */

static void
test_presets (void)
{
  PostierAccountLimits limits;
  PostierLimitPreset preset;

  /* Exchange Online's published sending limits. */
  g_assert_true (postier_limit_preset_from_string ("microsoft-365", &preset));
  postier_limit_preset_get_limits (preset, &limits);
  g_assert_cmpuint (limits.messages_per_minute, ==, 30);
  g_assert_cmpuint (limits.recipients_per_message, ==, 500);
  g_assert_cmpuint (limits.recipients_per_day, ==, 10000);
  g_assert_cmpuint (limits.messages_per_hour, ==, 0);

  postier_limit_preset_get_limits (POSTIER_LIMIT_PRESET_GMAIL, &limits);
  g_assert_cmpuint (limits.messages_per_day, ==, 500);
  g_assert_cmpuint (limits.recipients_per_message, ==, 100);
  postier_limit_preset_get_limits (POSTIER_LIMIT_PRESET_GOOGLE_WORKSPACE, &limits);
  g_assert_cmpuint (limits.messages_per_day, ==, 2000);
  g_assert_cmpuint (limits.recipients_per_day, ==, 10000);

  /* Each preset is recognised again, and "none" is all zero. */
  for (guint i = 0; i < POSTIER_N_LIMIT_PRESETS; i++)
    {
      postier_limit_preset_get_limits (i, &limits);
      g_assert_cmpint (postier_account_limits_match_preset (&limits), ==, i);
      g_assert_true (postier_limit_preset_from_string (postier_limit_preset_to_string (i), &preset));
      g_assert_cmpint (preset, ==, i);
    }
  postier_limit_preset_get_limits (POSTIER_LIMIT_PRESET_NONE, &limits);
  g_assert_true (postier_account_limits_is_none (&limits));
  limits.messages_per_hour = 7;
  g_assert_cmpint (postier_account_limits_match_preset (&limits), ==, POSTIER_LIMIT_PRESET_CUSTOM);
  g_assert_cmpstr (postier_limit_preset_get_label (POSTIER_LIMIT_PRESET_CUSTOM), ==, "Custom");
}

static void
test_parse (void)
{
  PostierAccountLimits limits = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *described = NULL;

  g_assert_true (postier_account_limits_parse ("messages-per-minute=30, recipients-per-day=100",
                                               &limits, NULL));
  g_assert_cmpuint (limits.messages_per_minute, ==, 30);
  g_assert_cmpuint (limits.recipients_per_day, ==, 100);
  /* Keys not given keep their value; a preset replaces them all. */
  g_assert_true (postier_account_limits_parse ("messages-per-hour=100", &limits, NULL));
  g_assert_cmpuint (limits.messages_per_minute, ==, 30);
  g_assert_cmpuint (limits.messages_per_hour, ==, 100);
  g_assert_true (postier_account_limits_parse ("gmail,messages-per-minute=20", &limits, NULL));
  g_assert_cmpuint (limits.messages_per_day, ==, 500);
  g_assert_cmpuint (limits.messages_per_hour, ==, 0);
  g_assert_cmpuint (limits.messages_per_minute, ==, 20);

  text = postier_account_limits_to_string (&limits);
  g_assert_cmpstr (text, ==, "messages-per-minute=20,messages-per-day=500,recipients-per-message=100");
  described = postier_account_limits_describe (&limits);
  g_assert_cmpstr (described, ==, "20 messages a minute, 500 messages a day, 100 recipients per message");

  g_assert_false (postier_account_limits_parse ("messages-per-week=3", &limits, &error));
  g_assert_error (error, POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "messages-per-week"));
  g_clear_error (&error);
  g_assert_false (postier_account_limits_parse ("messages-per-minute=lots", &limits, &error));
  g_assert_error (error, POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (postier_account_limits_parse ("gmial", &limits, &error));
  g_clear_error (&error);
  /* A refused text leaves the limits as they were. */
  g_assert_cmpuint (limits.messages_per_minute, ==, 20);
}

static void
test_accounts_ini (void)
{
  g_autoptr(PostierAccountStore) store = postier_account_store_new (NULL);
  g_autoptr(PostierAccountStore) again = postier_account_store_new (NULL);
  g_autoptr(PostierAccount) account = account_with ("microsoft-365");
  g_autoptr(PostierAccount) copy = postier_account_copy (account);
  g_autofree char *text = NULL;
  PostierAccountLimits limits;
  PostierAccount *loaded;

  postier_account_get_limits (copy, &limits);
  g_assert_cmpuint (limits.messages_per_minute, ==, 30);

  g_assert_true (postier_account_store_add (store, account, FALSE, NULL));
  g_assert_true (g_file_get_contents (postier_account_store_get_path (store), &text, NULL, NULL));
  g_assert_nonnull (strstr (text, "limit-messages-per-minute=30\n"));
  g_assert_null (strstr (text, "limit-messages-per-hour"));

  g_assert_true (postier_account_store_load (again, NULL));
  loaded = postier_account_store_lookup (again, "Work");
  g_assert_nonnull (loaded);
  postier_account_get_limits (loaded, &limits);
  g_assert_cmpint (postier_account_limits_match_preset (&limits), ==, POSTIER_LIMIT_PRESET_MICROSOFT_365);
}

/* ------------------------------------------------------------------------
 * The limiter
 */

static void
test_per_minute (void)
{
  Clock clock = { T0 };
  g_autoptr(PostierRelayLimiter) limiter = limiter_at (&clock);
  g_autoptr(PostierAccount) account = account_with ("messages-per-minute=30");
  PostierRelayHold hold;

  for (guint i = 0; i < 30; i++)
    {
      g_assert_true (postier_relay_limiter_check (limiter, account, 1, &hold));
      g_assert_cmpint (hold.reason, ==, POSTIER_HOLD_NONE);
      postier_relay_limiter_record (limiter, "Work", 1);
      clock.now += 1;  /* one a second: T0 … T0+29 */
    }
  /* The 31st waits until the first leaves the minute. */
  g_assert_false (postier_relay_limiter_check (limiter, account, 1, &hold));
  g_assert_cmpint (hold.reason, ==, POSTIER_HOLD_MESSAGES_PER_MINUTE);
  g_assert_cmpuint (hold.limit, ==, 30);
  g_assert_cmpint (hold.until, ==, T0 + 60);
  clock.now = T0 + 59;
  g_assert_false (postier_relay_limiter_check (limiter, account, 1, NULL));
  clock.now = T0 + 60;
  g_assert_true (postier_relay_limiter_check (limiter, account, 1, NULL));
  /* Another account is not held by this one's sending. */
  {
    g_autoptr(PostierAccount) other = postier_account_new ("Home");
    PostierAccountLimits limits = { .messages_per_minute = 30 };

    postier_account_set_limits (other, &limits);
    clock.now = T0 + 30;
    g_assert_true (postier_relay_limiter_check (limiter, other, 1, NULL));
  }
}

static void
test_hour_day_and_recipients (void)
{
  Clock clock = { T0 };
  g_autoptr(PostierRelayLimiter) limiter = limiter_at (&clock);
  g_autoptr(PostierAccount) account =
    account_with ("messages-per-hour=3,recipients-per-day=10,recipients-per-message=4");
  PostierRelayHold hold;

  postier_relay_limiter_record (limiter, "Work", 4);
  clock.now += 600;
  postier_relay_limiter_record (limiter, "Work", 4);
  clock.now += 600;
  /* 8 of 10 recipients used today: 2 more may go, not 3. */
  g_assert_true (postier_relay_limiter_check (limiter, account, 2, NULL));
  g_assert_false (postier_relay_limiter_check (limiter, account, 3, &hold));
  g_assert_cmpint (hold.reason, ==, POSTIER_HOLD_RECIPIENTS_PER_DAY);
  g_assert_cmpint (hold.until, ==, T0 + DAY);
  /* A transaction is cut to the per-message limit first: 40 asks for 4. */
  postier_relay_limiter_record (limiter, "Work", 1);
  clock.now += 60;
  g_assert_false (postier_relay_limiter_check (limiter, account, 1, &hold));
  /* Three messages within the hour, and 9 recipients: the hour's limit
   * ends first (T0+3600), the day's later; the later one is the answer. */
  g_assert_cmpint (hold.reason, ==, POSTIER_HOLD_MESSAGES_PER_HOUR);
  g_assert_cmpint (hold.until, ==, T0 + 3600);
  g_assert_false (postier_relay_limiter_check (limiter, account, 40, &hold));
  g_assert_cmpint (hold.reason, ==, POSTIER_HOLD_RECIPIENTS_PER_DAY);
  g_assert_cmpint (hold.until, ==, T0 + DAY);
  clock.now = T0 + DAY;
  g_assert_true (postier_relay_limiter_check (limiter, account, 40, NULL));
}

static void
test_relay_backoff (void)
{
  Clock clock = { T0 };
  g_autoptr(PostierRelayLimiter) limiter = limiter_at (&clock);
  g_autoptr(PostierAccount) account = account_with ("none");
  PostierRelayHold hold;
  gint64 until;

  g_assert_true (postier_relay_limiter_check (limiter, account, 1, NULL));
  /* The relay said "too much mail": 10 s, then 20, 40 while it insists. */
  until = postier_relay_limiter_relay_said (limiter, "Work", POSTIER_HOLD_RELAY_RATE);
  g_assert_cmpint (until, ==, T0 + 10);
  g_assert_false (postier_relay_limiter_check (limiter, account, 1, &hold));
  g_assert_cmpint (hold.reason, ==, POSTIER_HOLD_RELAY_RATE);
  g_assert_cmpint (hold.until, ==, T0 + 10);
  clock.now = T0 + 10;
  g_assert_true (postier_relay_limiter_check (limiter, account, 1, NULL));
  until = postier_relay_limiter_relay_said (limiter, "Work", POSTIER_HOLD_RELAY_RATE);
  g_assert_cmpint (until, ==, clock.now + 20);
  clock.now = until;
  until = postier_relay_limiter_relay_said (limiter, "Work", POSTIER_HOLD_RELAY_RATE);
  g_assert_cmpint (until, ==, clock.now + 40);
  /* A message taken ends the series: the next "slow down" is 10 s again. */
  clock.now = until;
  postier_relay_limiter_record (limiter, "Work", 1);
  until = postier_relay_limiter_relay_said (limiter, "Work", POSTIER_HOLD_RELAY_RATE);
  g_assert_cmpint (until, ==, clock.now + 10);
  /* A person's Send Now releases the relay's hold. */
  postier_relay_limiter_release (limiter, "Work");
  g_assert_true (postier_relay_limiter_check (limiter, account, 1, NULL));
}

static void
test_daily_quota (void)
{
  Clock clock = { T0 };
  g_autoptr(PostierRelayLimiter) limiter = limiter_at (&clock);
  g_autoptr(PostierAccount) account = account_with ("none");
  PostierRelayHold hold;
  gint64 until;

  /* Nothing of ours in the last day: a whole day. */
  until = postier_relay_limiter_relay_said (limiter, "Work", POSTIER_HOLD_RELAY_DAILY_QUOTA);
  g_assert_cmpint (until, ==, T0 + DAY);
  g_assert_false (postier_relay_limiter_check (limiter, account, 1, &hold));
  g_assert_cmpint (hold.reason, ==, POSTIER_HOLD_RELAY_DAILY_QUOTA);
  postier_relay_limiter_release (limiter, "Work");

  /* Our oldest message of the day was 20 hours ago: in 4 hours. */
  postier_relay_limiter_record (limiter, "Work", 1);
  clock.now = T0 + 20 * 3600;
  until = postier_relay_limiter_relay_said (limiter, "Work", POSTIER_HOLD_RELAY_DAILY_QUOTA);
  g_assert_cmpint (until, ==, T0 + DAY);
  /* …but never sooner than an hour. */
  clock.now = T0 + DAY - 60;
  until = postier_relay_limiter_relay_said (limiter, "Work", POSTIER_HOLD_RELAY_DAILY_QUOTA);
  g_assert_cmpint (until, ==, clock.now + 3600);
}

static void
test_shared_between_processes (void)
{
  Clock clock = { T0 };
  g_autoptr(PostierRelayLimiter) app = limiter_at (&clock);
  g_autoptr(PostierRelayLimiter) cli = limiter_at (&clock);
  g_autoptr(PostierAccount) account = account_with ("messages-per-minute=2");
  PostierRelayHold hold;

  /* Two limiters on the same folder stand for the app and postierctl
   * (or a restart): each sees what the other counted. */
  g_assert_true (postier_relay_limiter_check (cli, account, 1, NULL));
  postier_relay_limiter_record (app, "Work", 1);
  postier_relay_limiter_record (cli, "Work", 1);
  g_assert_false (postier_relay_limiter_check (app, account, 1, &hold));
  g_assert_false (postier_relay_limiter_check (cli, account, 1, NULL));
  /* The relay's hold ends first (T0+10), the minute later: the later wins. */
  postier_relay_limiter_relay_said (cli, "Work", POSTIER_HOLD_RELAY_RATE);
  clock.now = T0 + 5;
  g_assert_false (postier_relay_limiter_check (app, account, 1, &hold));
  g_assert_cmpint (hold.reason, ==, POSTIER_HOLD_MESSAGES_PER_MINUTE);
  g_assert_cmpint (hold.until, ==, T0 + 60);
  clock.now = T0 + 60;
  g_assert_true (postier_relay_limiter_check (app, account, 1, NULL));
}

static void
test_compaction (void)
{
  Clock clock = { T0 };
  g_autoptr(PostierRelayLimiter) app = limiter_at (&clock);
  g_autoptr(PostierRelayLimiter) cli = limiter_at (&clock);
  g_autoptr(PostierAccount) account = account_with ("messages-per-hour=2");
  g_autofree char *path = g_build_filename (g_get_user_state_dir (), "limiter", "account-Work.log", NULL);
  PostierRelayHold hold;
  GStatBuf st;

  /* A day's worth of records, then a day later: the old lines go when the
   * file is rewritten, and both limiters still count right. */
  for (guint i = 0; i < 3000; i++)
    postier_relay_limiter_record (app, "Work", 1);
  g_assert_false (postier_relay_limiter_check (cli, account, 1, NULL));
  clock.now = T0 + DAY + 1;
  postier_relay_limiter_record (app, "Work", 1);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_size, <, 100);
  g_assert_true (postier_relay_limiter_check (cli, account, 1, NULL));
  postier_relay_limiter_record (cli, "Work", 1);
  g_assert_false (postier_relay_limiter_check (app, account, 1, &hold));
  g_assert_cmpint (hold.until, ==, T0 + DAY + 1 + 3600);
}

static void
test_clock_jumps (void)
{
  Clock clock = { T0 };
  g_autoptr(PostierRelayLimiter) limiter = limiter_at (&clock);
  g_autoptr(PostierAccount) account = account_with ("messages-per-minute=1");
  PostierRelayHold hold;

  postier_relay_limiter_record (limiter, "Work", 1);
  /* The clock is set back an hour: the message "from the future" counts
   * as sent now, so mail waits a minute, not an hour and a minute. */
  clock.now = T0 - 3600;
  g_assert_false (postier_relay_limiter_check (limiter, account, 1, &hold));
  g_assert_cmpint (hold.until, ==, clock.now + 60);
  /* Forward a day: nothing counts any more. */
  clock.now = T0 + DAY;
  g_assert_true (postier_relay_limiter_check (limiter, account, 1, NULL));
}

static void
test_sandbox_never_held (void)
{
  Clock clock = { T0 };
  g_autoptr(PostierRelayLimiter) limiter = limiter_at (&clock);
  g_autoptr(PostierAccountStore) store = postier_account_store_new (NULL);
  PostierAccount *sandbox = postier_account_store_get_sandbox (store);

  postier_relay_limiter_relay_said (limiter, POSTIER_ACCOUNT_SANDBOX_NAME, POSTIER_HOLD_RELAY_RATE);
  g_assert_true (postier_relay_limiter_check (limiter, sandbox, 1, NULL));
}

static void
test_describe (void)
{
  PostierRelayHold hold = { POSTIER_HOLD_MESSAGES_PER_MINUTE, 30, T0 + 120 };
  g_autoptr(GDateTime) then = g_date_time_new_from_unix_local (T0 + 120);
  g_autoptr(GDateTime) later = g_date_time_new_from_unix_local (T0 + 3 * DAY);
  g_autofree char *hhmm = g_date_time_format (then, "%H:%M");
  g_autofree char *day = g_date_time_format (later, "%a %H:%M");
  g_autofree char *expected = g_strdup_printf ("held by the relay’s limit of 30 messages a minute — next at %s", hhmm);
  g_autofree char *text = postier_relay_hold_describe (&hold, T0);
  g_autofree char *quota = NULL;

  g_assert_cmpstr (text, ==, expected);
  hold = (PostierRelayHold) { POSTIER_HOLD_RELAY_DAILY_QUOTA, 0, T0 + 3 * DAY };
  quota = postier_relay_hold_describe (&hold, T0);
  g_assert_nonnull (strstr (quota, "daily sending limit"));
  g_assert_true (g_str_has_suffix (quota, day));
  hold.reason = POSTIER_HOLD_NONE;
  g_assert_null (postier_relay_hold_describe (&hold, T0));
}

int
main (int   argc,
      char *argv[])
{
  postier_test_init (&argc, &argv);

  g_test_add_func ("/relay-limits/presets", test_presets);
  g_test_add_func ("/relay-limits/parse", test_parse);
  g_test_add_func ("/relay-limits/accounts-ini", test_accounts_ini);
  g_test_add_func ("/relay-limiter/per-minute", test_per_minute);
  g_test_add_func ("/relay-limiter/hour-day-recipients", test_hour_day_and_recipients);
  g_test_add_func ("/relay-limiter/relay-backoff", test_relay_backoff);
  g_test_add_func ("/relay-limiter/daily-quota", test_daily_quota);
  g_test_add_func ("/relay-limiter/shared", test_shared_between_processes);
  g_test_add_func ("/relay-limiter/compaction", test_compaction);
  g_test_add_func ("/relay-limiter/clock-jumps", test_clock_jumps);
  g_test_add_func ("/relay-limiter/sandbox", test_sandbox_never_held);
  g_test_add_func ("/relay-limiter/describe", test_describe);

  return g_test_run ();
}
