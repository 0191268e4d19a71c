/* postier-send-transactions.c — one message as one or more transactions,
 * within the relay's limits (see the header)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-submitter"

#include "config.h"

#include "postier-delivery-rules.h"
#include "postier-send-transactions.h"

/* The same message to some of ENVELOPE's recipients. */
static PostierEnvelope *
subset (PostierEnvelope *envelope,
        GPtrArray       *addresses)
{
  PostierEnvelope *part = postier_envelope_new (postier_envelope_get_sender (envelope));

  for (guint i = 0; i < addresses->len; i++)
    postier_envelope_add_recipient (part, g_ptr_array_index (addresses, i));
  postier_envelope_set_size (part, postier_envelope_get_size (envelope));
  postier_envelope_set_needs_smtputf8 (part, postier_envelope_get_needs_smtputf8 (envelope));
  postier_envelope_set_8bit (part, postier_envelope_get_8bit (envelope));
  postier_envelope_set_utf8_headers (part, postier_envelope_get_utf8_headers (envelope));
  return part;
}

static GArray *
new_results (PostierEnvelope *envelope)
{
  GArray *array = g_array_new (FALSE, TRUE, sizeof (PostierSmtpRecipientResult));

  g_array_set_clear_func (array, (GDestroyNotify) postier_smtp_recipient_result_clear);
  for (guint i = 0; i < postier_envelope_get_n_recipients (envelope); i++)
    {
      PostierSmtpRecipientResult result = {
        g_strdup (postier_envelope_get_recipient (envelope, i)), FALSE, 0, NULL
      };
      g_array_append_val (array, result);
    }
  return array;
}

static PostierSmtpRecipientResult *
find_result (GArray     *results,
             const char *address)
{
  for (guint i = 0; i < results->len; i++)
    {
      PostierSmtpRecipientResult *result = &g_array_index (results, PostierSmtpRecipientResult, i);

      if (g_strcmp0 (result->address, address) == 0)
        return result;
    }
  return NULL;
}

/* One transaction's answers into the message's: the latest answer wins.
 * A spent daily quota refused with a 5xx is recorded as the 4xx it
 * really is, so that the recipient stays deferred, not refused (its
 * reply keeps the relay's own words). Returns how many it took, and the
 * strongest signal among the refusals. */
static guint
merge (GArray             *into,
       GArray             *part,
       PostierRelaySignal *signal)
{
  guint accepted = 0;

  for (guint i = 0; part != NULL && i < part->len; i++)
    {
      PostierSmtpRecipientResult *from = &g_array_index (part, PostierSmtpRecipientResult, i);
      PostierSmtpRecipientResult *to = find_result (into, from->address);
      PostierRelaySignal said;

      if (to == NULL || from->code == 0)
        continue;
      to->code = from->code;
      to->accepted = from->accepted;
      g_free (to->reply);
      to->reply = g_strdup (from->reply);
      if (to->accepted)
        {
          accepted++;
          continue;
        }
      said = postier_delivery_relay_signal (to->reply);
      if (said == POSTIER_RELAY_SIGNAL_DAILY_QUOTA && to->code / 100 == 5)
        to->code = 450;
      if (said > *signal)
        *signal = said;
    }
  return accepted;
}

/* Whom the next transaction asks: those a 452 4.5.3 turned away and those
 * not asked yet, in the envelope's order. */
static GPtrArray *
still_to_ask (GArray *results)
{
  GPtrArray *left = g_ptr_array_new ();

  for (guint i = 0; i < results->len; i++)
    {
      PostierSmtpRecipientResult *result = &g_array_index (results, PostierSmtpRecipientResult, i);

      if (result->accepted)
        continue;
      if (result->code == 0 ||
          postier_delivery_relay_signal (result->reply) == POSTIER_RELAY_SIGNAL_TOO_MANY_RECIPIENTS)
        g_ptr_array_add (left, result->address);
    }
  return left;
}

/* The relay said to slow down or that the day's quota is spent: the
 * account waits, told to the limiter (which every process reads). */
static void
relay_hold (PostierRelayLimiter *limiter,
            PostierAccount      *account,
            PostierRelaySignal   signal,
            PostierRelayHold    *hold)
{
  PostierHoldReason reason = signal == POSTIER_RELAY_SIGNAL_DAILY_QUOTA
                             ? POSTIER_HOLD_RELAY_DAILY_QUOTA : POSTIER_HOLD_RELAY_RATE;

  hold->reason = reason;
  hold->limit = 0;
  hold->until = postier_relay_limiter_relay_said (limiter, postier_account_get_name (account), reason);
}

gboolean
_postier_send_transactions (PostierSmtpClient    *client,
                            PostierAccount       *account,
                            PostierRelayLimiter  *limiter,
                            PostierEnvelope      *envelope,
                            const char           *message_path,
                            gboolean             *attempted,
                            GArray              **results,
                            PostierRelayHold     *hold,
                            guint                *unrecorded,
                            GCancellable         *cancellable,
                            GError              **error)
{
  g_autoptr(GArray) all = new_results (envelope);
  PostierAccountLimits limits;
  gboolean ok = TRUE;

  *attempted = FALSE;
  *hold = (PostierRelayHold) { POSTIER_HOLD_NONE, 0, 0 };
  postier_account_get_limits (account, &limits);
  if (!postier_account_limits_is_none (&limits))
    unrecorded = NULL;

  for (;;)
    {
      g_autoptr(GPtrArray) left = still_to_ask (all);
      g_autoptr(PostierEnvelope) part = NULL;
      g_autoptr(GArray) answers = NULL;
      g_autoptr(GError) local_error = NULL;
      PostierRelaySignal signal = POSTIER_RELAY_SIGNAL_NONE;
      guint accepted;

      if (left->len == 0)
        break;
      if (limits.recipients_per_message > 0 && left->len > limits.recipients_per_message)
        g_ptr_array_set_size (left, limits.recipients_per_message);
      if (!postier_relay_limiter_check (limiter, account, left->len, hold))
        break;  /* the rest stay pending: the entry waits for the hold */

      part = subset (envelope, left);
      ok = postier_smtp_client_send (client, part, message_path, &answers, cancellable, &local_error);
      *attempted = TRUE;
      accepted = merge (all, answers, &signal);
      if (accepted > 0 && unrecorded != NULL)
        *unrecorded += accepted;
      else if (accepted > 0)
        postier_relay_limiter_record (limiter, postier_account_get_name (account), accepted);
      if (!ok)
        {
          PostierRelaySignal said = postier_delivery_relay_signal (local_error->message);

          if (said > signal)
            signal = said;
          if (signal == POSTIER_RELAY_SIGNAL_RATE_LIMIT || signal == POSTIER_RELAY_SIGNAL_DAILY_QUOTA)
            relay_hold (limiter, account, signal, hold);
          g_propagate_error (error, g_steal_pointer (&local_error));
          break;
        }
      if (signal == POSTIER_RELAY_SIGNAL_RATE_LIMIT || signal == POSTIER_RELAY_SIGNAL_DAILY_QUOTA)
        {
          /* Some were taken, others refused for the rate: they wait with
           * the account, deferred. */
          relay_hold (limiter, account, signal, hold);
          break;
        }
      if (!postier_smtp_client_is_open (client))
        break;
    }

  if (*attempted && results != NULL)
    *results = g_steal_pointer (&all);
  return ok;
}
