/* test-relay-rate.c — 300 messages through a real rate-limiting Postfix
 * (the rig's "limited" listener: 100 messages and 300 recipients per 10 s
 * from one client, 5 recipients per message): Postfix's own 450 4.7.1 and
 * 452 4.5.3 drive the back-off and the split transactions; every
 * recipient of every message gets it exactly once, and none is failed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "postier-core.h"
#include "postier-test.h"

#define N_MESSAGES 300
#define WIDE_EVERY 10   /* every 10th message has WIDE recipients: over smtpd_recipient_limit */
#define WIDE       8

static guint
recipients_of (guint i)
{
  return i % WIDE_EVERY == 0 ? WIDE : 1;
}

static void
enqueue (PostierOutbox *outbox,
         const char    *run,
         guint          i)
{
  g_autoptr(PostierEnvelope) envelope = postier_envelope_new ("alice@localhost");
  g_autofree char *text = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;

  for (guint r = 0; r < recipients_of (i); r++)
    {
      g_autofree char *address = g_strdup_printf ("rate%u@example.org", r + 1);
      postier_envelope_add_recipient (envelope, address);
    }
  text = g_strdup_printf ("From: Alice <alice@localhost>\r\nTo: rate1@example.org\r\n"
                          "Subject: [%s-%04u]\r\nMessage-ID: <%s-%04u@postier.test>\r\n"
                          "Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n\r\n%s\r\n",
                          run, i, run, i, run);
  bytes = g_bytes_new (text, strlen (text));
  id = postier_outbox_enqueue_bytes (outbox, "rate-limited", envelope, bytes, NULL, &error);
  g_assert_no_error (error);
}

/* The value of the first header NAME in TEXT, up to the line's end. */
static char *
header (const char *text,
        const char *name)
{
  g_autofree char *key = g_strdup_printf ("\n%s: ", name);
  const char *start = strstr (text, key);
  const char *end;

  if (start == NULL)
    return NULL;
  start += strlen (key);
  end = strpbrk (start, "\r\n");
  return g_strndup (start, end != NULL ? (gsize) (end - start) : strlen (start));
}

static void
test_postfix_rate_limit (void)
{
  const char *port = postier_test_rig ("LIMITED_PORT");
  g_autoptr(PostierAccountStore) store = NULL;
  g_autoptr(PostierOutbox) outbox = NULL;
  g_autoptr(PostierSubmitter) submitter = NULL;
  g_autoptr(GPtrArray) files = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *run = g_strdup_printf ("rate%08x", g_random_int ());
  guint total = 0, rounds = 0;

  if (port == NULL ||
      (store = postier_test_add_rig_account ("rate-limited", (guint) g_ascii_strtoull (port, NULL, 10),
                                             NULL)) == NULL)
    {
      g_test_skip ("the rig's limited listener is not running");
      return;
    }
  outbox = postier_outbox_new (NULL);
  submitter = postier_submitter_new (outbox, store);
  for (guint i = 0; i < N_MESSAGES; i++)
    {
      enqueue (outbox, run, i);
      total += recipients_of (i);
    }

  /* As the app's timers would: flush, and when mail is left, come back
   * when the account's hold ends (or the deferred entry's time comes). */
  for (;;)
    {
      g_autoptr(GPtrArray) left = NULL;
      g_autoptr(GPtrArray) accounts = postier_account_store_list (store);
      g_autoptr(GError) error = NULL;
      gint64 now, wake;

      if (!postier_submitter_flush_sync (submitter, NULL, NULL, &error))
        g_test_message ("flush: %s", error->message);
      rounds++;
      left = postier_outbox_list (outbox, NULL);
      g_assert_nonnull (left);
      for (guint i = 0; i < left->len; i++)
        {
          PostierOutboxState state = postier_outbox_entry_get_state (g_ptr_array_index (left, i));

          g_assert_cmpint (state, !=, POSTIER_OUTBOX_STATE_FAILED);
          g_assert_cmpint (state, !=, POSTIER_OUTBOX_STATE_NEEDS_ATTENTION);
        }
      if (left->len == 0)
        break;
      g_assert_cmpuint (rounds, <, 40);
      now = g_get_real_time () / G_USEC_PER_SEC;
      wake = postier_relay_limiter_next_release (postier_relay_limiter_get_default (), accounts);
      for (guint i = 0; i < left->len; i++)
        {
          PostierOutboxEntry *entry = g_ptr_array_index (left, i);

          if (postier_outbox_entry_get_state (entry) == POSTIER_OUTBOX_STATE_DEFERRED &&
              (wake == 0 || postier_outbox_entry_get_next_attempt (entry) < wake))
            wake = postier_outbox_entry_get_next_attempt (entry);
        }
      g_test_message ("round %u: %u left, next at +%" G_GINT64_FORMAT " s", rounds, left->len, wake - now);
      if (wake > now)
        g_usleep ((gulong) MIN (wake - now, 30) * G_USEC_PER_SEC);
    }
  /* Postfix's limits were really met: more than one flush was needed. */
  g_assert_cmpuint (rounds, >, 1);

  /* Each recipient of each message exactly once (one Maildir file per
   * recipient, with its Delivered-To). */
  files = postier_test_maildir_files (run, total);
  for (guint i = 0; i < files->len; i++)
    {
      g_autofree char *contents = NULL;
      g_autofree char *subject = NULL;
      g_autofree char *to = NULL;

      g_assert_true (g_file_get_contents (g_ptr_array_index (files, i), &contents, NULL, NULL));
      subject = header (contents, "Subject");
      to = header (contents, "Delivered-To");
      g_assert_nonnull (subject);
      g_assert_nonnull (to);
      g_assert_true (g_hash_table_add (seen, g_strconcat (subject, " ", to, NULL)));
    }
  g_assert_cmpuint (g_hash_table_size (seen), ==, total);

  /* The account has no limits of its own, so the flush told the limiter
   * what the relay took in batches: every recipient is still counted,
   * once, for a daily limit the person might set now. */
  {
    PostierAccount *account = postier_account_store_lookup (store, "rate-limited");
    PostierAccountLimits limits = { 0 };
    PostierRelayHold hold;

    g_assert_nonnull (account);
    limits.recipients_per_day = total;
    postier_account_set_limits (account, &limits);
    g_assert_false (postier_relay_limiter_check (postier_relay_limiter_get_default (), account, 1, &hold));
    g_assert_cmpint (hold.reason, ==, POSTIER_HOLD_RECIPIENTS_PER_DAY);
    limits.recipients_per_day = total + 1;
    postier_account_set_limits (account, &limits);
    g_assert_true (postier_relay_limiter_check (postier_relay_limiter_get_default (), account, 1, &hold));
  }
}

int
main (int   argc,
      char *argv[])
{
  postier_test_init (&argc, &argv);

  g_test_add_func ("/relay-limits/postfix-rate-limit", test_postfix_rate_limit);

  return g_test_run ();
}
