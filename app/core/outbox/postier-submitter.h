/* postier-submitter.h — empties the outbox into the relays
 *
 * Takes due entries, groups them by account, sends each group over one
 * SMTP session on a worker thread, and settles every entry by the delivery
 * rules (DESIGN.md). Signals are emitted on the main context of the thread
 * that created the submitter. One flusher at a time per outbox folder,
 * across processes (the outbox's lock).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "postier-account-store.h"
#include "postier-goa-accounts.h"
#include "postier-outbox.h"
#include "postier-send-pipeline.h"

G_BEGIN_DECLS

#define POSTIER_TYPE_SUBMITTER (postier_submitter_get_type ())
G_DECLARE_FINAL_TYPE (PostierSubmitter, postier_submitter, POSTIER, SUBMITTER, GObject)

PostierSubmitter *postier_submitter_new                 (PostierOutbox        *outbox,
                                                         PostierAccountStore  *accounts);

/* NULL means g_network_monitor_get_default(); tests hand in their own. */
void              postier_submitter_set_network_monitor (PostierSubmitter     *self,
                                                         GNetworkMonitor      *monitor);
gboolean          postier_submitter_get_online          (PostierSubmitter     *self);
/* While offline, relays on this machine (loopback) are still tried, since
 * the system's monitor knows nothing of them; tests that simulate being
 * offline with such a relay turn that off. The Sandbox always works. */
void              postier_submitter_set_loopback_works_offline (PostierSubmitter *self,
                                                         gboolean              works);

/* One flush: every due entry (POSTIER_FLUSH_DUE), now. Blocking;
 * for postierctl and tests.
 * TRUE when no due entry is left unsent (deferred or failed ones count as
 * unsent); FALSE with POSTIER_OUTBOX_ERROR_BUSY when another process is
 * flushing. Statistics are optional. */
gboolean          postier_submitter_flush_sync          (PostierSubmitter     *self,
                                                         PostierFlushStats    *stats,
                                                         GCancellable         *cancellable,
                                                         GError              **error);

/* FLAGS: see PostierFlushFlags in postier-send-pipeline.h. */
gboolean          postier_submitter_flush_full_sync     (PostierSubmitter     *self,
                                                         PostierFlushFlags     flags,
                                                         PostierFlushStats    *stats,
                                                         GCancellable         *cancellable,
                                                         GError              **error);
void              postier_submitter_flush_async         (PostierSubmitter     *self,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
gboolean          postier_submitter_flush_finish        (PostierSubmitter     *self,
                                                         GAsyncResult         *result,
                                                         PostierFlushStats    *stats,
                                                         GError              **error);

/* The app's mode: flush now, then again whenever a new entry appears in
 * the outbox folder (the submitter's own folder monitor: the one way it
 * learns of new mail, from any process), the next deferred attempt or
 * not-before time comes (a wall-clock timer: right after a resume from
 * suspend or a clock change too), or the network comes back; never while
 * offline. */
void              postier_submitter_start               (PostierSubmitter     *self);
void              postier_submitter_stop                (PostierSubmitter     *self);
/* An entry was retried, sent now or rescheduled (it stays in its folder,
 * so the folder monitor does not see it): flush soon, and re-arm the
 * wake-up. New entries need no kick. */
void              postier_submitter_kick                (PostierSubmitter     *self);
/* An account's settings or password changed: its entries that need
 * attention are tried again. Account store changes do this by themselves;
 * a password changed in the keyring only does it through this call.
 * Returns how many entries were made due, for the person to be told. */
guint             postier_submitter_account_changed     (PostierSubmitter     *self,
                                                         const char           *account_name);
/* The same for the accounts ACCOUNT_NAMES (NULL-terminated), the outbox
 * read once in a worker thread (for a window): no count, and the flush
 * comes when the entries are due. */
void              postier_submitter_accounts_changed_in_background (PostierSubmitter   *self,
                                                                    const char * const *account_names);
/* Flushing, or making entries due in a worker thread (the network back,
 * an account changed, GOA): a flush is on its way. */
gboolean          postier_submitter_is_busy             (PostierSubmitter     *self);
/* Follows GNOME Online Accounts (issue 14): when GOA says one of its
 * accounts can send again (PostierGoaAccounts::account-back), the entries
 * of that "goa:ID" account that waited as needs-attention for that reason
 * are made due (in a worker thread) and a flush is asked for (when
 * started), as when the network comes back: listed fixes "gone" and "mail
 * turned off", not needing attention fixes refused credentials; entries
 * refused for any other reason stay (postier-outbox-goa.h). The app and
 * `postierctl queue watch` hand in their follower; NULL stops. */
void              postier_submitter_follow_online_accounts (PostierSubmitter   *self,
                                                         PostierGoaAccounts   *goa);

/* Signals (main context):
 *   ::entry-changed (const char *id, PostierOutboxState state)
 *       an entry was marked sending, or settled (SENT once it left).
 *   ::progress (const char *id, guint64 bytes_sent, guint64 bytes_total)
 *   ::flush-finished (guint sent, guint unsent)
 *   ::online-changed (gboolean online)
 *   ::account-back (const char *account_name, guint retried)
 *       a GOA account came back and RETRIED of its entries were made due
 *       (0: none waited for it). is_busy() is TRUE until then.
 */

G_END_DECLS
