/* test-relay-limits.c — a relay's limits, as its own replies state them
 * (the scripted fault server), through the real outbox and submitter:
 * 452 4.5.3 mid-RCPT sends the rest in a new transaction, each recipient
 * once; recipients-per-message splits a message; Gmail's 550 5.4.5 is
 * deferred to the next day, not failed, and holds the account; a
 * rate-limit 450 4.7.1 backs off the whole account, the rest untouched.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "postier-core.h"
#include "postier-test.h"

typedef struct {
  PostierTestFaultServer *server;
  PostierAccountStore    *store;
  PostierOutbox          *outbox;
  PostierSubmitter       *submitter;
} Relay;

static void
relay_free (Relay *relay)
{
  g_clear_object (&relay->submitter);
  g_clear_object (&relay->outbox);
  g_clear_object (&relay->store);
  g_clear_pointer (&relay->server, postier_test_fault_server_stop);
  g_free (relay);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Relay, relay_free)

/* The fault server with PLAN, an account on it with LIMITS, an outbox. */
static Relay *
relay_new (const char *plan,
           const char *limits_text)
{
  g_autoptr(PostierAccount) account = postier_account_new ("limited");
  PostierAccountLimits limits = { 0 };
  g_autoptr(GError) error = NULL;
  Relay *relay;

  if (postier_test_rig ("CA") == NULL)
    return NULL;
  relay = g_new0 (Relay, 1);
  relay->server = postier_test_fault_server_start (plan);
  postier_account_set_identity (account, "Alice <alice@localhost>");
  postier_account_set_host (account, "localhost");  /* the test certificate's name */
  postier_account_set_port (account, relay->server->port);
  postier_account_set_security (account, POSTIER_SECURITY_STARTTLS);
  postier_account_set_auth (account, POSTIER_AUTH_PLAIN);
  postier_account_set_user (account, "alice");
  postier_account_set_password_command (account, "echo secret");
  postier_account_set_ca_file (account, postier_test_rig ("CA"));
  g_assert_true (postier_account_limits_parse (limits_text, &limits, NULL));
  postier_account_set_limits (account, &limits);

  relay->store = postier_account_store_new (NULL);
  g_assert_true (postier_account_store_add (relay->store, account, TRUE, &error));
  g_assert_no_error (error);
  relay->outbox = postier_outbox_new (NULL);
  relay->submitter = postier_submitter_new (relay->outbox, relay->store);
  return relay;
}

static char *
enqueue (Relay *relay,
         guint  n_recipients,
         guint  number)
{
  g_autoptr(PostierEnvelope) envelope = postier_envelope_new ("alice@localhost");
  g_autofree char *text = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  char *id;

  for (guint i = 0; i < n_recipients; i++)
    {
      g_autofree char *address = g_strdup_printf ("r%u@example.org", i + 1);
      postier_envelope_add_recipient (envelope, address);
    }
  text = g_strdup_printf ("From: Alice <alice@localhost>\r\nTo: r1@example.org\r\n"
                          "Subject: limits %u\r\nMessage-ID: <limits-%u@postier.test>\r\n"
                          "Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n\r\nHello.\r\n", number, number);
  bytes = g_bytes_new (text, strlen (text));
  id = postier_outbox_enqueue_bytes (relay->outbox, "limited", envelope, bytes, NULL, &error);
  g_assert_no_error (error);
  return id;
}

static void
flush (Relay *relay)
{
  g_autoptr(GError) error = NULL;

  /* "N due messages were not sent" is what a held or deferred one gives. */
  if (!postier_submitter_flush_sync (relay->submitter, NULL, NULL, &error))
    g_test_message ("flush: %s", error->message);
}

/* How many lines of the server's log start with PREFIX. */
static guint
count_lines (const char *log,
             const char *prefix)
{
  g_auto(GStrv) lines = g_strsplit (log, "\n", -1);
  guint n = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    n += g_str_has_prefix (lines[i], prefix);
  return n;
}

/* 452 4.5.3 to the 3rd and 4th RCPT: those two go in a second transaction
 * at once, on the same connection, and the message leaves the outbox. */
static void
test_too_many_recipients (void)
{
  g_autoptr(Relay) relay = relay_new ("{\"pipelining\": false, "
                                      "\"rcpt3\": \"452 4.5.3 Error: too many recipients\", "
                                      "\"rcpt4\": \"452 4.5.3 Error: too many recipients\"}", "none");
  g_autofree char *id = NULL;
  g_autofree char *log = NULL;
  g_autoptr(PostierOutboxEntry) entry = NULL;

  if (relay == NULL)
    {
      g_test_skip ("the rig's CA is not available");
      return;
    }
  id = enqueue (relay, 4, 1);
  flush (relay);
  entry = postier_outbox_lookup (relay->outbox, id, NULL);
  g_assert_null (entry);  /* sent: every recipient accepted */

  log = postier_test_fault_server_log (relay->server);
  g_assert_cmpuint (count_lines (log, "MAIL FROM"), ==, 2);
  g_assert_cmpuint (count_lines (log, "[data"), ==, 2);
  /* r1, r2 once; r3, r4 turned away once, then taken: never after that. */
  g_assert_cmpuint (count_lines (log, "RCPT TO:<r1@"), ==, 1);
  g_assert_cmpuint (count_lines (log, "RCPT TO:<r2@"), ==, 1);
  g_assert_cmpuint (count_lines (log, "RCPT TO:<r3@"), ==, 2);
  g_assert_cmpuint (count_lines (log, "RCPT TO:<r4@"), ==, 2);
}

/* recipients-per-message=2 and 5 recipients: three transactions of the
 * same message, each recipient asked exactly once. */
static void
test_recipients_per_message (void)
{
  g_autoptr(Relay) relay = relay_new ("{}", "recipients-per-message=2");
  g_autofree char *id = NULL;
  g_autofree char *log = NULL;
  g_autoptr(PostierOutboxEntry) entry = NULL;

  if (relay == NULL)
    {
      g_test_skip ("the rig's CA is not available");
      return;
    }
  id = enqueue (relay, 5, 2);
  flush (relay);
  entry = postier_outbox_lookup (relay->outbox, id, NULL);
  g_assert_null (entry);

  log = postier_test_fault_server_log (relay->server);
  g_assert_cmpuint (count_lines (log, "MAIL FROM"), ==, 3);
  g_assert_cmpuint (count_lines (log, "[data"), ==, 3);
  g_assert_cmpuint (count_lines (log, "RCPT TO"), ==, 5);
  for (guint i = 1; i <= 5; i++)
    {
      g_autofree char *rcpt = g_strdup_printf ("RCPT TO:<r%u@", i);
      g_assert_cmpuint (count_lines (log, rcpt), ==, 1);
    }
}

/* Gmail's spent daily quota at MAIL FROM: deferred (never failed) until
 * the next day with the server's words; the account is held, so the
 * second message is not even tried, and says why. */
static void
test_daily_quota (void)
{
  g_autoptr(Relay) relay = relay_new ("{\"mail\": \"550 5.4.5 Daily user sending limit exceeded. "
                                      "For more information on Gmail sending limits go to "
                                      "https://support.google.com/a/answer/166852\"}", "gmail");
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *log = NULL;
  g_autoptr(PostierOutboxEntry) a = NULL;
  g_autoptr(PostierOutboxEntry) b = NULL;
  PostierRelayHold hold;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  if (relay == NULL)
    {
      g_test_skip ("the rig's CA is not available");
      return;
    }
  first = enqueue (relay, 1, 3);
  second = enqueue (relay, 1, 4);
  flush (relay);

  a = postier_outbox_lookup (relay->outbox, first, NULL);
  g_assert_nonnull (a);
  g_assert_cmpint (postier_outbox_entry_get_state (a), ==, POSTIER_OUTBOX_STATE_DEFERRED);
  g_assert_cmpint (postier_outbox_entry_get_failure (a), ==, POSTIER_OUTBOX_FAILURE_NONE);
  g_assert_nonnull (strstr (postier_outbox_entry_get_last_error (a), "550 5.4.5 Daily user sending limit exceeded"));
  /* Nothing of ours in the last day: a whole day. */
  g_assert_cmpint (postier_outbox_entry_get_next_attempt (a), >=, now + 24 * 3600 - 5);
  g_assert_cmpint (postier_outbox_entry_get_next_attempt (a), <=, now + 24 * 3600 + 60);

  b = postier_outbox_lookup (relay->outbox, second, NULL);
  g_assert_nonnull (b);
  g_assert_cmpint (postier_outbox_entry_get_state (b), ==, POSTIER_OUTBOX_STATE_QUEUED);
  g_assert_cmpuint (postier_outbox_entry_get_attempts (b), ==, 0);
  g_assert_false (postier_relay_limiter_check (postier_relay_limiter_get_default (),
                                               postier_account_store_lookup (relay->store, "limited"),
                                               1, &hold));
  g_assert_cmpint (hold.reason, ==, POSTIER_HOLD_RELAY_DAILY_QUOTA);

  /* What a person sees: the deferred one with the relay's words, the
   * queued one with why and until when it waits (here and for scripts). */
  {
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    g_autoptr(JsonParser) parser = json_parser_new ();
    JsonArray *array;
    gboolean found = FALSE;

    g_assert_cmpint (postier_test_run_ctl (NULL, &out, &err, "queue", "list", NULL), ==, 0);
    g_assert_nonnull (strstr (out, "550 5.4.5 Daily user sending limit exceeded"));
    g_assert_nonnull (strstr (out, "held: the relay’s daily sending limit is reached — next at "));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (postier_test_run_ctl (NULL, &out, &err, "queue", "list", "--json", NULL), ==, 0);
    g_assert_true (json_parser_load_from_data (parser, out, -1, NULL));
    array = json_node_get_array (json_parser_get_root (parser));
    for (guint i = 0; i < json_array_get_length (array); i++)
      {
        JsonObject *object = json_array_get_object_element (array, i);

        if (g_strcmp0 (json_object_get_string_member (object, "id"), second) == 0)
          {
            g_assert_cmpstr (json_object_get_string_member (object, "held_by"), ==, "relay-daily-quota");
            g_assert_nonnull (json_object_get_string_member (object, "held_until"));
            found = TRUE;
          }
      }
    g_assert_true (found);
  }

  log = postier_test_fault_server_log (relay->server);
  g_assert_cmpuint (count_lines (log, "MAIL FROM"), ==, 1);
  /* (A pipelined DATA that the server still answered 354 gets an empty
   * message to refuse, never the message.) */
  g_assert_cmpuint (count_lines (log, "[data"), ==, count_lines (log, "[data 0]"));
}

/* The relay says "too much mail" at the second message: that one waits
 * for the back-off, the third is not tried (the whole account backs off),
 * and the first went out. */
static void
test_rate_limit_backs_off_account (void)
{
  g_autoptr(Relay) relay = relay_new ("{\"mail2\": \"450 4.7.1 Error: too much mail from 127.0.0.1\"}",
                                      "none");
  char *ids[3] = { NULL, NULL, NULL };
  g_autofree char *log = NULL;
  g_autoptr(PostierOutboxEntry) second = NULL;
  g_autoptr(PostierOutboxEntry) third = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  if (relay == NULL)
    {
      g_test_skip ("the rig's CA is not available");
      return;
    }
  for (guint i = 0; i < 3; i++)
    ids[i] = enqueue (relay, 1, 10 + i);
  flush (relay);

  g_assert_null (postier_outbox_lookup (relay->outbox, ids[0], NULL));
  second = postier_outbox_lookup (relay->outbox, ids[1], NULL);
  g_assert_cmpint (postier_outbox_entry_get_state (second), ==, POSTIER_OUTBOX_STATE_DEFERRED);
  g_assert_nonnull (strstr (postier_outbox_entry_get_last_error (second), "450 4.7.1 Error: too much mail"));
  /* Back when the account may send again (10 s), not in a minute. */
  g_assert_cmpint (postier_outbox_entry_get_next_attempt (second), <=, now + 12);
  third = postier_outbox_lookup (relay->outbox, ids[2], NULL);
  g_assert_cmpint (postier_outbox_entry_get_state (third), ==, POSTIER_OUTBOX_STATE_QUEUED);
  g_assert_cmpuint (postier_outbox_entry_get_attempts (third), ==, 0);

  log = postier_test_fault_server_log (relay->server);
  g_assert_cmpuint (count_lines (log, "MAIL FROM"), ==, 2);
  for (guint i = 0; i < 3; i++)
    g_free (ids[i]);
}

int
main (int   argc,
      char *argv[])
{
  postier_test_init (&argc, &argv);

  g_test_add_func ("/relay-limits/452-too-many-recipients", test_too_many_recipients);
  g_test_add_func ("/relay-limits/recipients-per-message", test_recipients_per_message);
  g_test_add_func ("/relay-limits/550-5.4.5-daily-quota", test_daily_quota);
  g_test_add_func ("/relay-limits/rate-limit-backs-off-account", test_rate_limit_backs_off_account);

  return g_test_run ();
}
