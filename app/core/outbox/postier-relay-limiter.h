/* postier-relay-limiter.h — keeping each account under its relay's limits
 *
 * Counts what each account sent in sliding windows (a minute, an hour,
 * 24 hours) and what the relay itself said (a rate-limit 4xx, a spent
 * daily quota), and answers the submitter's question before each message:
 * may this account send one of N recipients now, and if not, why and
 * when. Mail beyond a limit is never refused: it waits in the outbox
 * ("held"), oldest first, and other accounts go on.
 *
 * Persisted in $XDG_STATE_HOME/postier/relay-usage/ (one append-only file
 * per account), so the app, `postierctl` and the next start see the same
 * counts. The clock is injectable for the unit tests.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "postier-account.h"
#include "postier-clock.h"

G_BEGIN_DECLS

typedef enum {
  POSTIER_HOLD_NONE,
  POSTIER_HOLD_MESSAGES_PER_MINUTE,  /* our own limits, from the account */
  POSTIER_HOLD_MESSAGES_PER_HOUR,
  POSTIER_HOLD_MESSAGES_PER_DAY,
  POSTIER_HOLD_RECIPIENTS_PER_DAY,
  POSTIER_HOLD_RELAY_RATE,           /* the relay answered a rate-limit 4xx: backing off */
  POSTIER_HOLD_RELAY_DAILY_QUOTA,    /* the relay said the day's quota is spent */
} PostierHoldReason;

typedef struct {
  PostierHoldReason reason;
  guint             limit;   /* the limit reached (our own reasons), else 0 */
  gint64            until;   /* Unix seconds (UTC): when the next message may go */
} PostierRelayHold;

/* The sentence for people, translated, time in local time:
 * "held by the relay’s limit of 30 messages a minute — next at 10:42";
 * a day shown when UNTIL is not today ("— next at Tue 09:00"). NOW is
 * for "today" (0: the real clock). NULL for POSTIER_HOLD_NONE. */
char       *postier_relay_hold_describe          (const PostierRelayHold *hold,
                                                  gint64                  now);
const char *postier_hold_reason_to_string        (PostierHoldReason       reason);

#define POSTIER_TYPE_RELAY_LIMITER (postier_relay_limiter_get_type ())
G_DECLARE_FINAL_TYPE (PostierRelayLimiter, postier_relay_limiter, POSTIER, RELAY_LIMITER, GObject)

/* STATE_DIR NULL: $XDG_STATE_HOME/postier/relay-usage. */
PostierRelayLimiter *postier_relay_limiter_new        (const char          *state_dir);
/* The process's limiter on the default folder (thread-safe). */
PostierRelayLimiter *postier_relay_limiter_get_default (void);
void                 postier_relay_limiter_set_clock  (PostierRelayLimiter *self,
                                                       PostierClockFunc     clock,
                                                       gpointer             user_data);
gint64               postier_relay_limiter_now        (PostierRelayLimiter *self);

/* Whether ACCOUNT may start a transaction of N_RECIPIENTS now (N_RECIPIENTS
 * is cut to the account's recipients-per-message first). FALSE fills HOLD
 * (may be NULL). The Sandbox is never held. Thread-safe. */
gboolean             postier_relay_limiter_check      (PostierRelayLimiter *self,
                                                       PostierAccount      *account,
                                                       guint                n_recipients,
                                                       PostierRelayHold    *hold);
/* The relay took one transaction for N_RECIPIENTS recipients at NOW. */
void                 postier_relay_limiter_record     (PostierRelayLimiter *self,
                                                       const char          *account_name,
                                                       guint                n_recipients);
/* The relay answered a rate-limit 4xx (RELAY_RATE: back off, doubling
 * while it keeps saying so) or a spent daily quota (RELAY_DAILY_QUOTA:
 * until the next day). Returns when the account may send again. */
gint64               postier_relay_limiter_relay_said (PostierRelayLimiter *self,
                                                       const char          *account_name,
                                                       PostierHoldReason    reason);
/* Forget the relay's hold (a person's explicit retry or Send Now). */
void                 postier_relay_limiter_release    (PostierRelayLimiter *self,
                                                       const char          *account_name);
/* The earliest time a held account may send again, over ACCOUNTS
 * (PostierAccount), 0 when none is held: the submitter's timer. */
gint64               postier_relay_limiter_next_release (PostierRelayLimiter *self,
                                                         GPtrArray           *accounts);

G_END_DECLS
