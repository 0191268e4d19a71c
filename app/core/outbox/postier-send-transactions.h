/* postier-send-transactions.h — one message as one or more transactions
 *
 * Why a file of its own: the send pipeline hands one entry to the relay;
 * the relay's limits decide how: at most recipients-per-message RCPTs per
 * transaction, a new transaction at once for those a 452 4.5.3 turned
 * away, and none at all while the limiter holds the account. Each
 * recipient is asked once per attempt and never again once accepted.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "postier-account.h"
#include "postier-envelope.h"
#include "postier-relay-limiter.h"
#include "postier-smtp-client.h"

G_BEGIN_DECLS

/* Sends ENVELOPE's recipients (those still pending) on CLIENT in as many
 * transactions as the limits make, asking LIMITER before each and telling
 * it what the relay took.
 *
 * *ATTEMPTED is FALSE when the account was held before the first
 * transaction: nothing was sent, HOLD says why, the entry stays as it was.
 * Otherwise RESULTS holds one result per recipient of ENVELOPE, the last
 * answer each got (code 0: not asked, it stays pending), and the return
 * value and ERROR are those of the last transaction, as from
 * postier_smtp_client_send(). HOLD is set (reason not NONE) when the
 * account must wait now — our limits, or the relay's rate-limit or
 * daily-quota reply — and the group must stop.
 *
 * UNRECORDED, when not NULL, takes the recipients the relay accepted
 * instead of LIMITER when the account has no limits of its own: nothing
 * is checked against the count then, so the caller records it off the
 * relay's path (a flush records every message). */
gboolean _postier_send_transactions (PostierSmtpClient    *client,
                                     PostierAccount       *account,
                                     PostierRelayLimiter  *limiter,
                                     PostierEnvelope      *envelope,
                                     const char           *message_path,
                                     gboolean             *attempted,
                                     GArray              **results,
                                     PostierRelayHold     *hold,
                                     guint                *unrecorded,
                                     GCancellable         *cancellable,
                                     GError              **error);

G_END_DECLS
