/* test-delivery-rules.c — the whole retry schedule, the give-up age and
 * what each kind of relay answer does to a message, without a relay or a
 * clock (the rules take "now" and the jitter's random number as inputs)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "postier-core.h"
#include "postier-delivery-rules.h"
#include "postier-test.h"

/* Any fixed moment: the rules only ever look at differences. */
#define T0 ((gint64) 1741000000)
#define DAY (24 * 3600)

/* ------------------------------------------------------------------------
 * The schedule
 */

static void
test_every_delay_step (void)
{
  /* 1, 2, 4, 8, 16, 32 minutes after the 1st … 6th failed attempt. */
  static const guint minutes[] = { 1, 2, 4, 8, 16, 32 };

  g_assert_cmpuint (postier_delivery_retry_delay (0), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (minutes); i++)
    g_assert_cmpuint (postier_delivery_retry_delay (i + 1), ==, minutes[i] * 60);
}

static void
test_delay_cap (void)
{
  /* From the 7th failed attempt on, hourly, however many there were. */
  g_assert_cmpuint (postier_delivery_retry_delay (7), ==, 3600);
  g_assert_cmpuint (postier_delivery_retry_delay (8), ==, 3600);
  g_assert_cmpuint (postier_delivery_retry_delay (125), ==, 3600);
  g_assert_cmpuint (postier_delivery_retry_delay (G_MAXUINT), ==, 3600);
  g_assert_cmpuint (POSTIER_DELIVERY_MAX_DELAY_SECONDS, ==, 3600);
}

static void
test_jitter_bounds (void)
{
  /* The next attempt is the delay plus 0 … a tenth of it, never less and
   * never more, whatever the random number. */
  static const guint32 randoms[] = { 0, 1, 5, 6, 7, 359, 360, 361, G_MAXUINT32 };

  for (guint attempts = 1; attempts <= 8; attempts++)
    {
      guint delay = postier_delivery_retry_delay (attempts);

      for (guint i = 0; i < G_N_ELEMENTS (randoms); i++)
        {
          gint64 next = postier_delivery_next_attempt (attempts, T0, randoms[i]);

          g_assert_cmpint (next, >=, T0 + delay);
          g_assert_cmpint (next, <=, T0 + delay + delay / 10);
        }
    }
  g_assert_cmpint (postier_delivery_next_attempt (1, T0, 0), ==, T0 + 60);
  g_assert_cmpint (postier_delivery_next_attempt (1, T0, 6), ==, T0 + 66);
  g_assert_cmpint (postier_delivery_next_attempt (7, T0, 360), ==, T0 + 3960);
}

static void
test_give_up_age (void)
{
  g_assert_cmpint (POSTIER_DELIVERY_GIVE_UP_SECONDS, ==, 5 * DAY);
  g_assert_false (postier_delivery_gives_up (T0, T0));
  g_assert_false (postier_delivery_gives_up (T0, T0 + 5 * DAY - 1));
  g_assert_true (postier_delivery_gives_up (T0, T0 + 5 * DAY));
  g_assert_true (postier_delivery_gives_up (T0, T0 + 30 * DAY));
  /* An entry whose start is unknown (an old entry.ini) is never given up. */
  g_assert_false (postier_delivery_gives_up (0, T0 + 30 * DAY));
}

static PostierDeliveryAttempt
one_recipient_attempt (const GError *error,
                       guint         attempts,
                       gint64        now)
{
  return (PostierDeliveryAttempt) {
    .error = error,
    .n_recipients = 1,
    .pending = 1,
    .attempts = attempts,
    .since = T0,
    .now = now,
  };
}

/* A relay that is down for good, tried each time the schedule says: the
 * message waits 1, 2, … 32 minutes, then hourly, and fails as "expired" at
 * the first attempt 5 days after it was queued — the 126th, 5 days and 3
 * minutes later (6 doublings, 3780 s, then 119 hours). */
static void
test_whole_schedule_until_give_up (void)
{
  g_autoptr(GError) error = g_error_new_literal (POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_NETWORK,
                                                 "Could not connect to smtp.example.org");
  gint64 now = T0;
  guint attempts;

  for (attempts = 1;; attempts++)
    {
      PostierDeliveryAttempt attempt = one_recipient_attempt (error, attempts, now);
      PostierDeliveryVerdict verdict;

      attempt.random = g_test_rand_int ();
      postier_delivery_judge (&attempt, &verdict);
      if (verdict.state != POSTIER_OUTBOX_STATE_DEFERRED)
        {
          g_assert_cmpint (verdict.state, ==, POSTIER_OUTBOX_STATE_FAILED);
          g_assert_cmpint (verdict.failure, ==, POSTIER_OUTBOX_FAILURE_EXPIRED);
          g_assert_nonnull (strstr (verdict.last_error, "Could not connect to smtp.example.org"));
          postier_delivery_verdict_clear (&verdict);
          break;
        }
      g_assert_cmpint (now - T0, <, 5 * DAY);
      g_assert_cmpint (verdict.failure, ==, POSTIER_OUTBOX_FAILURE_NONE);
      g_assert_cmpstr (verdict.last_error, ==, "Could not connect to smtp.example.org");
      g_assert_cmpint (verdict.next_attempt - now, >=, postier_delivery_retry_delay (attempts));
      g_assert_cmpint (verdict.next_attempt - now, <=,
                       postier_delivery_retry_delay (attempts) * 11 / 10);
      postier_delivery_verdict_clear (&verdict);
      /* The next flush comes exactly when due (no jitter), to count. */
      now += postier_delivery_retry_delay (attempts);
    }
  g_assert_cmpuint (attempts, ==, 126);
  g_assert_cmpint (now - T0, ==, 5 * DAY + 180);
}

/* ------------------------------------------------------------------------
 * Each kind of answer
 */

typedef struct {
  const char          *name;
  GQuark             (*domain) (void);
  gint                 code;
  const char          *message;
  PostierDeliveryKind  kind;
  PostierOutboxState   state;    /* for one recipient still pending */
  PostierOutboxFailure failure;
} ErrorCase;

static const ErrorCase error_cases[] = {
  { "4xx",                   postier_smtp_error_quark, POSTIER_SMTP_ERROR_TEMPORARY,
    "451 4.3.0 Try again later", POSTIER_DELIVERY_TEMPORARY,
    POSTIER_OUTBOX_STATE_DEFERRED, POSTIER_OUTBOX_FAILURE_NONE },
  { "421 closing",           postier_smtp_error_quark, POSTIER_SMTP_ERROR_TEMPORARY,
    "421 4.3.2 Service shutting down", POSTIER_DELIVERY_TEMPORARY,
    POSTIER_OUTBOX_STATE_DEFERRED, POSTIER_OUTBOX_FAILURE_NONE },
  { "network",               postier_smtp_error_quark, POSTIER_SMTP_ERROR_NETWORK,
    "Connection timed out", POSTIER_DELIVERY_TEMPORARY,
    POSTIER_OUTBOX_STATE_DEFERRED, POSTIER_OUTBOX_FAILURE_NONE },
  { "protocol",              postier_smtp_error_quark, POSTIER_SMTP_ERROR_PROTOCOL,
    "Unexpected reply", POSTIER_DELIVERY_TEMPORARY,
    POSTIER_OUTBOX_STATE_DEFERRED, POSTIER_OUTBOX_FAILURE_NONE },
  { "5xx at MAIL or DATA",   postier_smtp_error_quark, POSTIER_SMTP_ERROR_PERMANENT,
    "554 5.7.1 Message rejected", POSTIER_DELIVERY_PERMANENT,
    POSTIER_OUTBOX_STATE_FAILED, POSTIER_OUTBOX_FAILURE_MESSAGE },
  { "over SIZE",             postier_smtp_error_quark, POSTIER_SMTP_ERROR_TOO_BIG,
    "The message is larger than the server accepts", POSTIER_DELIVERY_PERMANENT,
    POSTIER_OUTBOX_STATE_FAILED, POSTIER_OUTBOX_FAILURE_MESSAGE },
  { "535 login refused",     postier_smtp_error_quark, POSTIER_SMTP_ERROR_AUTH,
    "535 5.7.8 Authentication credentials invalid", POSTIER_DELIVERY_ATTENTION,
    POSTIER_OUTBOX_STATE_NEEDS_ATTENTION, POSTIER_OUTBOX_FAILURE_AUTH },
  { "certificate",           postier_smtp_error_quark, POSTIER_SMTP_ERROR_TLS_CERTIFICATE,
    "The certificate is not trusted", POSTIER_DELIVERY_ATTENTION,
    POSTIER_OUTBOX_STATE_NEEDS_ATTENTION, POSTIER_OUTBOX_FAILURE_CERTIFICATE },
  { "TLS or no STARTTLS",    postier_smtp_error_quark, POSTIER_SMTP_ERROR_TLS,
    "The server does not offer STARTTLS", POSTIER_DELIVERY_ATTENTION,
    POSTIER_OUTBOX_STATE_NEEDS_ATTENTION, POSTIER_OUTBOX_FAILURE_CERTIFICATE },
  { "keyring away",          postier_secret_error_quark, POSTIER_SECRET_ERROR_NO_SERVICE,
    "No keyring", POSTIER_DELIVERY_TEMPORARY,
    POSTIER_OUTBOX_STATE_DEFERRED, POSTIER_OUTBOX_FAILURE_NONE },
  { "keyring locked",        postier_secret_error_quark, POSTIER_SECRET_ERROR_LOCKED,
    "The keyring is locked", POSTIER_DELIVERY_TEMPORARY,
    POSTIER_OUTBOX_STATE_DEFERRED, POSTIER_OUTBOX_FAILURE_NONE },
  { "no password",           postier_secret_error_quark, POSTIER_SECRET_ERROR_NOT_FOUND,
    "No password stored", POSTIER_DELIVERY_ATTENTION,
    POSTIER_OUTBOX_STATE_NEEDS_ATTENTION, POSTIER_OUTBOX_FAILURE_CONFIGURATION },
  { "password command",      postier_secret_error_quark, POSTIER_SECRET_ERROR_COMMAND,
    "The password command failed", POSTIER_DELIVERY_ATTENTION,
    POSTIER_OUTBOX_STATE_NEEDS_ATTENTION, POSTIER_OUTBOX_FAILURE_CONFIGURATION },
  { "account gone",          postier_account_error_quark, POSTIER_ACCOUNT_ERROR_NOT_FOUND,
    "The account no longer exists", POSTIER_DELIVERY_ATTENTION,
    POSTIER_OUTBOX_STATE_NEEDS_ATTENTION, POSTIER_OUTBOX_FAILURE_CONFIGURATION },
  { "bad message",           postier_message_error_quark, POSTIER_MESSAGE_ERROR_MALFORMED,
    "The message cannot be read", POSTIER_DELIVERY_PERMANENT,
    POSTIER_OUTBOX_STATE_FAILED, POSTIER_OUTBOX_FAILURE_MESSAGE },
  { "message file gone",     g_file_error_quark, G_FILE_ERROR_NOENT,
    "message.eml: No such file", POSTIER_DELIVERY_PERMANENT,
    POSTIER_OUTBOX_STATE_FAILED, POSTIER_OUTBOX_FAILURE_MESSAGE },
  { "anything else",         g_io_error_quark, G_IO_ERROR_BROKEN_PIPE,
    "Broken pipe", POSTIER_DELIVERY_TEMPORARY,
    POSTIER_OUTBOX_STATE_DEFERRED, POSTIER_OUTBOX_FAILURE_NONE },
};

static void
test_each_error (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (error_cases); i++)
    {
      const ErrorCase *c = &error_cases[i];
      g_autoptr(GError) error = g_error_new_literal (c->domain (), c->code, c->message);
      PostierDeliveryAttempt attempt = one_recipient_attempt (error, 1, T0 + 10);
      PostierDeliveryVerdict verdict;

      g_test_message ("%s", c->name);
      g_assert_cmpint (postier_delivery_classify_error (error), ==, c->kind);
      postier_delivery_judge (&attempt, &verdict);
      g_assert_cmpint (verdict.state, ==, c->state);
      g_assert_cmpint (verdict.failure, ==, c->failure);
      /* The person reads the relay's (or our) own words. */
      g_assert_cmpstr (verdict.last_error, ==, c->message);
      if (c->state == POSTIER_OUTBOX_STATE_DEFERRED)
        g_assert_cmpint (verdict.next_attempt, ==, T0 + 10 + 60);
      else
        g_assert_cmpint (verdict.next_attempt, ==, 0);
      postier_delivery_verdict_clear (&verdict);
    }
}

static void
test_accepted_is_sent (void)
{
  PostierDeliveryAttempt attempt = { .n_recipients = 3, .attempts = 1, .since = T0, .now = T0 };
  PostierDeliveryVerdict verdict;

  postier_delivery_judge (&attempt, &verdict);
  g_assert_cmpint (verdict.state, ==, POSTIER_OUTBOX_STATE_SENT);
  g_assert_cmpint (verdict.failure, ==, POSTIER_OUTBOX_FAILURE_NONE);
  g_assert_null (verdict.last_error);
  postier_delivery_verdict_clear (&verdict);
}

/* Every recipient asked said 5xx: the recipients failed, not the message. */
static void
test_all_recipients_refused (void)
{
  g_autoptr(GError) error = g_error_new_literal (POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_PERMANENT,
                                                 "No recipient was accepted");
  PostierDeliveryAttempt attempt = {
    .error = error, .n_recipients = 2, .refused = 2,
    .refused_reply = "550 5.1.1 No such user", .attempts = 1, .since = T0, .now = T0,
  };
  PostierDeliveryVerdict verdict;

  postier_delivery_judge (&attempt, &verdict);
  g_assert_cmpint (verdict.state, ==, POSTIER_OUTBOX_STATE_FAILED);
  g_assert_cmpint (verdict.failure, ==, POSTIER_OUTBOX_FAILURE_RECIPIENTS);
  postier_delivery_verdict_clear (&verdict);
}

/* Some took it, one 4xx, one 5xx: waits for the deferred one (the accepted
 * one is never sent again), in the words of its reply. */
static void
test_partial_deferred (void)
{
  PostierDeliveryAttempt attempt = {
    .n_recipients = 3, .deferred = 1, .refused = 1,
    .deferred_reply = "450 4.2.1 Mailbox busy", .refused_reply = "550 5.1.1 No such user",
    .attempts = 2, .since = T0, .now = T0 + 60,
  };
  PostierDeliveryVerdict verdict;

  postier_delivery_judge (&attempt, &verdict);
  g_assert_cmpint (verdict.state, ==, POSTIER_OUTBOX_STATE_DEFERRED);
  g_assert_cmpstr (verdict.last_error, ==, "450 4.2.1 Mailbox busy");
  g_assert_cmpint (verdict.next_attempt, ==, T0 + 60 + 120);
  postier_delivery_verdict_clear (&verdict);

  /* … and gives up on it like on any temporary failure. */
  attempt.now = T0 + 5 * DAY;
  postier_delivery_judge (&attempt, &verdict);
  g_assert_cmpint (verdict.state, ==, POSTIER_OUTBOX_STATE_FAILED);
  g_assert_cmpint (verdict.failure, ==, POSTIER_OUTBOX_FAILURE_EXPIRED);
  g_assert_nonnull (strstr (verdict.last_error, "450 4.2.1 Mailbox busy"));
  postier_delivery_verdict_clear (&verdict);
}

/* DATA failed after RCPT was taken: those recipients are pending again,
 * with no reply of their own to show. */
static void
test_partial_pending (void)
{
  PostierDeliveryAttempt attempt = {
    .n_recipients = 2, .pending = 1, .attempts = 1, .since = T0, .now = T0,
  };
  PostierDeliveryVerdict verdict;

  postier_delivery_judge (&attempt, &verdict);
  g_assert_cmpint (verdict.state, ==, POSTIER_OUTBOX_STATE_DEFERRED);
  g_assert_nonnull (verdict.last_error);
  g_assert_cmpint (verdict.next_attempt, ==, T0 + 60);
  postier_delivery_verdict_clear (&verdict);
}

/* The others took it, one refused for good: failed for that recipient,
 * with the count and the relay's words. */
static void
test_partial_refused (void)
{
  PostierDeliveryAttempt attempt = {
    .n_recipients = 2, .refused = 1, .refused_reply = "550 5.1.1 No such user",
    .attempts = 1, .since = T0, .now = T0,
  };
  PostierDeliveryVerdict verdict;

  postier_delivery_judge (&attempt, &verdict);
  g_assert_cmpint (verdict.state, ==, POSTIER_OUTBOX_STATE_FAILED);
  g_assert_cmpint (verdict.failure, ==, POSTIER_OUTBOX_FAILURE_RECIPIENTS);
  g_assert_nonnull (strstr (verdict.last_error, "550 5.1.1 No such user"));
  g_assert_nonnull (strstr (verdict.last_error, "1"));
  g_assert_nonnull (strstr (verdict.last_error, "2"));
  postier_delivery_verdict_clear (&verdict);
}

static void
test_recipient_answers (void)
{
  PostierRecipientState state = POSTIER_RECIPIENT_STATE_DEFERRED;

  /* Never asked (the session ended first): left as it was. */
  g_assert_false (postier_delivery_recipient_state (0, FALSE, &state));
  g_assert_cmpint (state, ==, POSTIER_RECIPIENT_STATE_DEFERRED);

  g_assert_true (postier_delivery_recipient_state (250, TRUE, &state));
  g_assert_cmpint (state, ==, POSTIER_RECIPIENT_STATE_ACCEPTED);
  /* RCPT taken, then DATA refused: nobody has the message. */
  g_assert_true (postier_delivery_recipient_state (250, FALSE, &state));
  g_assert_cmpint (state, ==, POSTIER_RECIPIENT_STATE_PENDING);
  g_assert_true (postier_delivery_recipient_state (450, FALSE, &state));
  g_assert_cmpint (state, ==, POSTIER_RECIPIENT_STATE_DEFERRED);
  g_assert_true (postier_delivery_recipient_state (421, FALSE, &state));
  g_assert_cmpint (state, ==, POSTIER_RECIPIENT_STATE_DEFERRED);
  g_assert_true (postier_delivery_recipient_state (550, FALSE, &state));
  g_assert_cmpint (state, ==, POSTIER_RECIPIENT_STATE_REFUSED);
  g_assert_true (postier_delivery_recipient_state (553, FALSE, &state));
  g_assert_cmpint (state, ==, POSTIER_RECIPIENT_STATE_REFUSED);
}

/* ------------------------------------------------------------------------
 * What the relay says about its limits (issue 13)
 */

static void
test_relay_signals (void)
{
  static const struct {
    const char         *said;
    PostierRelaySignal  signal;
  } cases[] = {
    /* Postfix's smtpd_recipient_limit, mid-RCPT. */
    { "452 4.5.3 Error: too many recipients", POSTIER_RELAY_SIGNAL_TOO_MANY_RECIPIENTS },
    { "452 Too many recipients", POSTIER_RELAY_SIGNAL_TOO_MANY_RECIPIENTS },
    /* Postfix's anvil limits (client message / recipient rate). */
    { "450 4.7.1 Error: too much mail from 127.0.0.1", POSTIER_RELAY_SIGNAL_RATE_LIMIT },
    { "450 4.7.1 Error: too many recipients from 127.0.0.1", POSTIER_RELAY_SIGNAL_RATE_LIMIT },
    { "421 4.7.0 mx.example Error: too many connections from 127.0.0.1", POSTIER_RELAY_SIGNAL_RATE_LIMIT },
    { "451 4.3.2 Too much mail, slow down", POSTIER_RELAY_SIGNAL_RATE_LIMIT },
    { "The server refused the sender: 450 4.7.1 Error: too much mail from ::1",
      POSTIER_RELAY_SIGNAL_RATE_LIMIT },
    /* Gmail's spent daily quota, and Exchange Online's. */
    { "550 5.4.5 Daily user sending limit exceeded. For more information on Gmail sending limits go to",
      POSTIER_RELAY_SIGNAL_DAILY_QUOTA },
    { "The server did not accept the message: 554 5.2.0 STOREDRV.Submission.Exception:"
      "SubmissionQuotaExceededException; Failed to process message due to a permanent exception",
      POSTIER_RELAY_SIGNAL_DAILY_QUOTA },
    /* Nothing to do with limits. */
    { "450 4.2.0 <bob@example.org>: Recipient address rejected: Greylisted", POSTIER_RELAY_SIGNAL_NONE },
    { "550 5.1.1 <nobody@example.org>: Recipient address rejected: User unknown", POSTIER_RELAY_SIGNAL_NONE },
    { "554 5.7.1 Relay access denied", POSTIER_RELAY_SIGNAL_NONE },
    { "Connection refused", POSTIER_RELAY_SIGNAL_NONE },
    { "", POSTIER_RELAY_SIGNAL_NONE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("%s", cases[i].said);
      g_assert_cmpint (postier_delivery_relay_signal (cases[i].said), ==, cases[i].signal);
    }
  g_assert_cmpint (postier_delivery_relay_signal (NULL), ==, POSTIER_RELAY_SIGNAL_NONE);
}

/* Gmail's 550 5.4.5 is deferred with the server's words, never failed. */
static void
test_daily_quota_deferred (void)
{
  g_autoptr(GError) error = g_error_new_literal (POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_PERMANENT,
                                                 "The server refused the sender: 550 5.4.5 Daily user sending limit exceeded.");
  PostierDeliveryAttempt attempt = { .error = error, .n_recipients = 1, .pending = 1,
                                     .attempts = 1, .since = T0, .now = T0 };
  PostierDeliveryVerdict verdict;

  g_assert_cmpint (postier_delivery_classify_error (error), ==, POSTIER_DELIVERY_TEMPORARY);
  postier_delivery_judge (&attempt, &verdict);
  g_assert_cmpint (verdict.state, ==, POSTIER_OUTBOX_STATE_DEFERRED);
  g_assert_cmpint (verdict.failure, ==, POSTIER_OUTBOX_FAILURE_NONE);
  g_assert_nonnull (strstr (verdict.last_error, "550 5.4.5 Daily user sending limit exceeded"));
  postier_delivery_verdict_clear (&verdict);
}

int
main (int   argc,
      char *argv[])
{
  postier_test_init (&argc, &argv);

  g_test_add_func ("/delivery-rules/schedule/every-step", test_every_delay_step);
  g_test_add_func ("/delivery-rules/schedule/cap", test_delay_cap);
  g_test_add_func ("/delivery-rules/schedule/jitter", test_jitter_bounds);
  g_test_add_func ("/delivery-rules/schedule/give-up-age", test_give_up_age);
  g_test_add_func ("/delivery-rules/schedule/until-give-up", test_whole_schedule_until_give_up);
  g_test_add_func ("/delivery-rules/outcome/each-error", test_each_error);
  g_test_add_func ("/delivery-rules/outcome/sent", test_accepted_is_sent);
  g_test_add_func ("/delivery-rules/outcome/all-recipients-refused", test_all_recipients_refused);
  g_test_add_func ("/delivery-rules/outcome/partial-deferred", test_partial_deferred);
  g_test_add_func ("/delivery-rules/outcome/partial-pending", test_partial_pending);
  g_test_add_func ("/delivery-rules/outcome/partial-refused", test_partial_refused);
  g_test_add_func ("/delivery-rules/recipient-answers", test_recipient_answers);
  g_test_add_func ("/delivery-rules/relay-signals", test_relay_signals);
  g_test_add_func ("/delivery-rules/outcome/daily-quota-deferred", test_daily_quota_deferred);

  return g_test_run ();
}
