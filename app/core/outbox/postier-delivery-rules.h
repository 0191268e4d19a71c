/* postier-delivery-rules.h — what becomes of a message after an attempt
 *
 * Why a module of its own: DESIGN.md's delivery rules in one place — the
 * retry schedule, the give-up age, and the judgement of an attempt into
 * sent, deferred, failed or needs attention — as pure functions of their
 * inputs (the time and the jitter's random number included), so that unit
 * tests walk the whole schedule without a relay or a clock. No I/O here;
 * the outbox entry applies the verdict to itself. Lowest in the outbox
 * folder: it includes nothing of Postier's.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The states an entry goes through, and why one stops: the delivery
 * rules' words (postier-outbox-entry.h includes them). */
typedef enum {
  POSTIER_OUTBOX_STATE_QUEUED,           /* waiting for its first attempt */
  POSTIER_OUTBOX_STATE_SENDING,          /* a flusher is talking to the relay about it */
  POSTIER_OUTBOX_STATE_DEFERRED,         /* temporary failure; tried again at next-attempt */
  POSTIER_OUTBOX_STATE_FAILED,           /* permanent failure; waits for the person */
  POSTIER_OUTBOX_STATE_NEEDS_ATTENTION,  /* authentication or certificate: fix settings, then retry */
  POSTIER_OUTBOX_STATE_SENT,             /* every recipient accepted; leaves the outbox */
} PostierOutboxState;

typedef enum {
  POSTIER_RECIPIENT_STATE_PENDING,   /* not accepted yet: the next attempt includes it */
  POSTIER_RECIPIENT_STATE_ACCEPTED,  /* the relay took the message for it: never sent again */
  POSTIER_RECIPIENT_STATE_DEFERRED,  /* 4xx: tried again with the entry */
  POSTIER_RECIPIENT_STATE_REFUSED,   /* 5xx: reported; tried again only on an explicit retry */
} PostierRecipientState;

/* Why an entry is failed or needs attention, kept in entry.ini so that
 * postierctl can tell the caller exactly (its exit status). */
typedef enum {
  POSTIER_OUTBOX_FAILURE_NONE,           /* not failed, or only deferred */
  POSTIER_OUTBOX_FAILURE_MESSAGE,        /* the relay refused the message itself (5xx, SIZE, SMTPUTF8) */
  POSTIER_OUTBOX_FAILURE_RECIPIENTS,     /* recipients refused for good (all, or some) */
  POSTIER_OUTBOX_FAILURE_AUTH,           /* login refused, or no usable mechanism */
  POSTIER_OUTBOX_FAILURE_CERTIFICATE,    /* certificate not trusted, TLS or STARTTLS missing */
  POSTIER_OUTBOX_FAILURE_CONFIGURATION,  /* the account: missing, invalid, no password */
  POSTIER_OUTBOX_FAILURE_EXPIRED,        /* temporary failures for too long */
} PostierOutboxFailure;

/* Temporary failures wait 1, 2, 4, 8, 16, 32 minutes, then an hour. */
#define POSTIER_DELIVERY_FIRST_DELAY_SECONDS 60
#define POSTIER_DELIVERY_MAX_DELAY_SECONDS   3600
/* The delay gets up to this fraction more (1/10), at random. */
#define POSTIER_DELIVERY_JITTER_DIVISOR      10
/* After this long since the series of attempts began (enqueue or a
 * person's retry), a temporary failure becomes final. */
#define POSTIER_DELIVERY_GIVE_UP_SECONDS     (5 * 24 * 3600)

/* The wait after the ATTEMPTSth failed attempt, without jitter (0 for 0). */
guint                postier_delivery_retry_delay      (guint          attempts);
/* When to try again after the ATTEMPTSth failed attempt at NOW: the delay
 * plus up to a tenth more, picked by RANDOM (any 32-bit number), so that
 * entries deferred together do not all come back in the same second. */
gint64               postier_delivery_next_attempt     (guint          attempts,
                                                        gint64         now,
                                                        guint32        random);
/* Whether a temporary failure at NOW is final for a series of attempts
 * that began at SINCE (0: unknown, never final). */
gboolean             postier_delivery_gives_up         (gint64         since,
                                                        gint64         now);

/* Which failures are worth another try, which wait for the person, and
 * which must not be retried blindly (a refused password retried every
 * minute can lock the account). */
typedef enum {
  POSTIER_DELIVERY_TEMPORARY,   /* deferred: network, timeout, 4xx, keyring away */
  POSTIER_DELIVERY_PERMANENT,   /* failed: 5xx, too big, a bad message */
  POSTIER_DELIVERY_ATTENTION,   /* needs attention: login, certificate, TLS, account */
} PostierDeliveryKind;

PostierDeliveryKind  postier_delivery_classify_error   (const GError  *error);

/* What a relay's reply says about its limits, from its code, its RFC 3463
 * enhanced code and, for the big providers, its words. SAID is the reply
 * as postier_smtp_reply_to_string() writes it ("452 4.5.3 Error: too many
 * recipients"), alone or inside a longer message (the first reply code in
 * it counts).
 *
 * TOO_MANY_RECIPIENTS: 452 4.5.3 — this transaction has enough recipients;
 *   the rest go in a new one, at once.
 * RATE_LIMIT: 421/450/451/452 with 4.7.0, 4.7.1 or 4.3.2 (Postfix's "too
 *   much mail", Exchange's throttling) — the account's whole group backs
 *   off, not message by message.
 * DAILY_QUOTA: 5xx 5.4.5 (Gmail's "Daily user sending limit exceeded"),
 *   Exchange's "SubmissionQuotaExceededException" (554 5.2.0), or a 5xx
 *   saying "sending limit/quota exceeded" — permanent-looking, but clears
 *   within a day: deferred, never failed. */
typedef enum {
  POSTIER_RELAY_SIGNAL_NONE,
  POSTIER_RELAY_SIGNAL_TOO_MANY_RECIPIENTS,
  POSTIER_RELAY_SIGNAL_RATE_LIMIT,
  POSTIER_RELAY_SIGNAL_DAILY_QUOTA,
} PostierRelaySignal;

PostierRelaySignal   postier_delivery_relay_signal     (const char    *said);

/* A recipient's state from the relay's answer to its RCPT (CODE, and
 * whether the message was then taken for it); FALSE when it was never
 * asked (CODE 0): it stays as it was. */
gboolean             postier_delivery_recipient_state  (guint                  code,
                                                        gboolean               accepted,
                                                        PostierRecipientState *state);

/* The facts of one attempt, after the recipients' states were recorded. */
typedef struct {
  const GError *error;           /* NULL: the relay took the data */
  guint         n_recipients;
  guint         pending;         /* recipients in each state now */
  guint         deferred;
  guint         refused;
  const char   *deferred_reply;  /* the first deferred recipient's reply, or NULL */
  const char   *refused_reply;   /* the first refused one's */
  guint         attempts;        /* this one included */
  gint64        since;           /* when the series of attempts began; 0: unknown */
  gint64        now;
  guint32       random;          /* for the jitter */
} PostierDeliveryAttempt;

typedef struct {
  PostierOutboxState   state;         /* SENT, DEFERRED, FAILED or NEEDS_ATTENTION */
  PostierOutboxFailure failure;       /* NONE unless FAILED or NEEDS_ATTENTION */
  gint64               next_attempt;  /* when DEFERRED; else 0 */
  char                *last_error;    /* for the person; NULL when SENT */
} PostierDeliveryVerdict;

void                 postier_delivery_judge            (const PostierDeliveryAttempt *attempt,
                                                        PostierDeliveryVerdict       *verdict);
void                 postier_delivery_verdict_clear    (PostierDeliveryVerdict       *verdict);

G_END_DECLS
