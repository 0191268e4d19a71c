/* postier-delivery-rules.c — the retry schedule, the give-up age and the
 * judgement of an attempt, as pure functions (see the header for why)
 *
 * Moved here from the outbox entry, the outbox and the submitter, where
 * they were spread; the rules themselves are unchanged.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-outbox"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "postier-delivery-rules.h"
#include "postier-error.h"

/* 60 << 5 is 32 minutes; the next step is the cap. */
#define LAST_DOUBLING 6

guint
postier_delivery_retry_delay (guint attempts)
{
  if (attempts == 0)
    return 0;
  if (attempts > LAST_DOUBLING)
    return POSTIER_DELIVERY_MAX_DELAY_SECONDS;
  return POSTIER_DELIVERY_FIRST_DELAY_SECONDS << (attempts - 1);
}

gint64
postier_delivery_next_attempt (guint   attempts,
                               gint64  now,
                               guint32 random)
{
  guint delay = postier_delivery_retry_delay (attempts);

  return now + delay + random % (delay / POSTIER_DELIVERY_JITTER_DIVISOR + 1);
}

gboolean
postier_delivery_gives_up (gint64 since,
                           gint64 now)
{
  return since != 0 && now - since >= POSTIER_DELIVERY_GIVE_UP_SECONDS;
}

PostierDeliveryKind
postier_delivery_classify_error (const GError *error)
{
  g_return_val_if_fail (error != NULL, POSTIER_DELIVERY_TEMPORARY);

  if (error->domain == POSTIER_SMTP_ERROR)
    {
      switch (error->code)
        {
        case POSTIER_SMTP_ERROR_PERMANENT:
          /* A spent daily quota looks permanent and is not. */
          if (postier_delivery_relay_signal (error->message) == POSTIER_RELAY_SIGNAL_DAILY_QUOTA)
            return POSTIER_DELIVERY_TEMPORARY;
          return POSTIER_DELIVERY_PERMANENT;
        case POSTIER_SMTP_ERROR_TOO_BIG:
          return POSTIER_DELIVERY_PERMANENT;
        case POSTIER_SMTP_ERROR_AUTH:
        case POSTIER_SMTP_ERROR_TLS_CERTIFICATE:
        case POSTIER_SMTP_ERROR_TLS:
          return POSTIER_DELIVERY_ATTENTION;
        default:
          return POSTIER_DELIVERY_TEMPORARY;
        }
    }
  if (error->domain == POSTIER_SECRET_ERROR)
    return (error->code == POSTIER_SECRET_ERROR_NO_SERVICE ||
            error->code == POSTIER_SECRET_ERROR_LOCKED) ? POSTIER_DELIVERY_TEMPORARY
                                                        : POSTIER_DELIVERY_ATTENTION;
  if (error->domain == POSTIER_ACCOUNT_ERROR)
    return POSTIER_DELIVERY_ATTENTION;
  if (error->domain == POSTIER_MESSAGE_ERROR || error->domain == G_FILE_ERROR)
    return POSTIER_DELIVERY_PERMANENT;
  return POSTIER_DELIVERY_TEMPORARY;
}

/* The first "NNN" (2xx–5xx) standing alone in TEXT, and the enhanced code
 * right after it when there is one of the same class. */
static gboolean
find_reply_code (const char *text,
                 guint      *code,
                 guint       status[3])
{
  for (const char *p = text; *p; p++)
    {
      const char *q;

      if (!(p[0] >= '2' && p[0] <= '5') || !g_ascii_isdigit (p[1]) || !g_ascii_isdigit (p[2]) ||
          (p > text && g_ascii_isalnum (p[-1])) ||
          (p[3] != ' ' && p[3] != '-' && p[3] != '\0'))
        continue;
      *code = (guint) ((p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0'));
      status[0] = status[1] = status[2] = 0;
      q = p[3] != '\0' ? p + 4 : p + 3;
      if (q[0] == p[0] && q[1] == '.')
        {
          char *end;
          guint64 subject = g_ascii_strtoull (q + 2, &end, 10);

          if (end != q + 2 && *end == '.' && g_ascii_isdigit (end[1]))
            {
              status[0] = (guint) (q[0] - '0');
              status[1] = (guint) MIN (subject, 999);
              status[2] = (guint) MIN (g_ascii_strtoull (end + 1, NULL, 10), 999);
            }
        }
      return TRUE;
    }
  return FALSE;
}

static gboolean
says (const char *text,
      const char *words)
{
  g_autofree char *folded = g_ascii_strdown (text, -1);

  return strstr (folded, words) != NULL;
}

PostierRelaySignal
postier_delivery_relay_signal (const char *said)
{
  guint code = 0, status[3];

  if (said == NULL || !find_reply_code (said, &code, status))
    return POSTIER_RELAY_SIGNAL_NONE;
  if (code / 100 == 4 &&
      ((status[0] == 4 && status[1] == 5 && status[2] == 3) ||
       (code == 452 && status[0] == 0 && says (said, "recipients"))))
    return POSTIER_RELAY_SIGNAL_TOO_MANY_RECIPIENTS;
  if ((code == 421 || code == 450 || code == 451 || code == 452) &&
      ((status[0] == 4 && status[1] == 7 && (status[2] == 0 || status[2] == 1)) ||
       (status[0] == 4 && status[1] == 3 && status[2] == 2) ||
       says (said, "rate limit") || says (said, "too much mail")))
    return POSTIER_RELAY_SIGNAL_RATE_LIMIT;
  if (code / 100 == 5 &&
      ((status[0] == 5 && status[1] == 4 && status[2] == 5) ||
       says (said, "submissionquotaexceeded") ||
       says (said, "sending limit exceeded") || says (said, "sending quota exceeded")))
    return POSTIER_RELAY_SIGNAL_DAILY_QUOTA;
  return POSTIER_RELAY_SIGNAL_NONE;
}

gboolean
postier_delivery_recipient_state (guint                  code,
                                  gboolean               accepted,
                                  PostierRecipientState *state)
{
  g_return_val_if_fail (state != NULL, FALSE);

  if (code == 0)
    return FALSE;  /* never asked: stays pending */
  if (accepted)
    *state = POSTIER_RECIPIENT_STATE_ACCEPTED;
  else if (code / 100 == 2)
    *state = POSTIER_RECIPIENT_STATE_PENDING;  /* RCPT taken, then DATA failed: nobody has it */
  else if (code >= 400 && code < 500)
    *state = POSTIER_RECIPIENT_STATE_DEFERRED;
  else
    *state = POSTIER_RECIPIENT_STATE_REFUSED;
  return TRUE;
}

/* Which kind of failure the error is, once it is not temporary: what
 * postierctl turns into an exit status. */
static PostierOutboxFailure
failure_kind (const PostierDeliveryAttempt *attempt)
{
  const GError *error = attempt->error;

  if (error->domain == POSTIER_SMTP_ERROR)
    {
      switch (error->code)
        {
        case POSTIER_SMTP_ERROR_AUTH:
          return POSTIER_OUTBOX_FAILURE_AUTH;
        case POSTIER_SMTP_ERROR_TLS_CERTIFICATE:
        case POSTIER_SMTP_ERROR_TLS:
          return POSTIER_OUTBOX_FAILURE_CERTIFICATE;
        case POSTIER_SMTP_ERROR_PERMANENT:
          /* Every recipient asked was refused (nobody is left to ask): the
           * recipients, not the message. A refusal at MAIL FROM or DATA
           * leaves recipients pending. */
          if (attempt->refused > 0 && attempt->pending == 0 && attempt->deferred == 0)
            return POSTIER_OUTBOX_FAILURE_RECIPIENTS;
          return POSTIER_OUTBOX_FAILURE_MESSAGE;
        default:
          return POSTIER_OUTBOX_FAILURE_MESSAGE;
        }
    }
  if (error->domain == POSTIER_ACCOUNT_ERROR || error->domain == POSTIER_SECRET_ERROR)
    return POSTIER_OUTBOX_FAILURE_CONFIGURATION;
  return POSTIER_OUTBOX_FAILURE_MESSAGE;
}

/* A temporary failure: deferred, or failed for good once too old. */
static void
defer (const PostierDeliveryAttempt *attempt,
       const char                   *reason,
       PostierDeliveryVerdict       *verdict)
{
  if (postier_delivery_gives_up (attempt->since, attempt->now))
    {
      verdict->state = POSTIER_OUTBOX_STATE_FAILED;
      verdict->failure = POSTIER_OUTBOX_FAILURE_EXPIRED;
      verdict->last_error = g_strdup_printf (_("Gave up after 5 days of temporary failures: %s"),
                                             reason);
      return;
    }
  verdict->state = POSTIER_OUTBOX_STATE_DEFERRED;
  verdict->next_attempt = postier_delivery_next_attempt (attempt->attempts, attempt->now,
                                                         attempt->random);
  verdict->last_error = g_strdup (reason);
}

/* The relay took the data: judged by the recipients. */
static void
judge_recipients (const PostierDeliveryAttempt *attempt,
                  PostierDeliveryVerdict       *verdict)
{
  if (attempt->deferred + attempt->pending > 0)
    defer (attempt, attempt->deferred_reply != NULL ? attempt->deferred_reply
                                                    : _("Some recipients were not accepted yet"),
           verdict);
  else if (attempt->refused > 0)
    {
      verdict->state = POSTIER_OUTBOX_STATE_FAILED;
      verdict->failure = POSTIER_OUTBOX_FAILURE_RECIPIENTS;
      verdict->last_error = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                          "The server refused %u of %u recipients: %s",
                                                          "The server refused %u of %u recipients: %s",
                                                          attempt->n_recipients),
                                             attempt->refused, attempt->n_recipients,
                                             attempt->refused_reply != NULL ? attempt->refused_reply : "");
    }
  else
    verdict->state = POSTIER_OUTBOX_STATE_SENT;
}

void
postier_delivery_judge (const PostierDeliveryAttempt *attempt,
                        PostierDeliveryVerdict       *verdict)
{
  g_return_if_fail (attempt != NULL);
  g_return_if_fail (verdict != NULL);

  *verdict = (PostierDeliveryVerdict) { .failure = POSTIER_OUTBOX_FAILURE_NONE };
  if (attempt->error == NULL)
    {
      judge_recipients (attempt, verdict);
      return;
    }
  switch (postier_delivery_classify_error (attempt->error))
    {
    case POSTIER_DELIVERY_TEMPORARY:
      defer (attempt, attempt->error->message, verdict);
      break;
    case POSTIER_DELIVERY_PERMANENT:
      verdict->state = POSTIER_OUTBOX_STATE_FAILED;
      verdict->failure = failure_kind (attempt);
      verdict->last_error = g_strdup (attempt->error->message);
      break;
    case POSTIER_DELIVERY_ATTENTION:
    default:
      verdict->state = POSTIER_OUTBOX_STATE_NEEDS_ATTENTION;
      verdict->failure = failure_kind (attempt);
      verdict->last_error = g_strdup (attempt->error->message);
      break;
    }
}

void
postier_delivery_verdict_clear (PostierDeliveryVerdict *verdict)
{
  g_clear_pointer (&verdict->last_error, g_free);
}
