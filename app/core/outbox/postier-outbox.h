/* postier-outbox.h — the durable outbox: one folder per message to submit
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "postier-envelope.h"
#include "postier-outbox-entry.h"

G_BEGIN_DECLS

#define POSTIER_TYPE_OUTBOX (postier_outbox_get_type ())
G_DECLARE_FINAL_TYPE (PostierOutbox, postier_outbox, POSTIER, OUTBOX, GObject)

/* DIR NULL means $XDG_DATA_HOME/postier/outbox. The folder is created (0700)
 * on first use. An outbox object holds no entry in memory: every call reads
 * or writes the folder, so several objects and processes may share it. All
 * functions are safe to call from any thread. */
PostierOutbox *postier_outbox_new              (const char       *dir);
const char    *postier_outbox_get_dir          (PostierOutbox    *self);

/* --- Enqueueing ---------------------------------------------------------
 *
 * A message enters the outbox one way: through a PostierOutboxStaging
 * (postier-outbox-staging.h: begin, write, commit or abort), which the
 * MIME builder and the sendmail reader both use.
 */

/* A message already in memory (CRLF line ends), through a staging; its
 * Subject and Message-ID are read from its header block, since no builder
 * is there to tell them (tests and tools). Returns the new id; nothing is
 * queued on failure. The envelope must have at least one recipient.
 * Defined in postier-outbox-staging.c. */
char          *postier_outbox_enqueue_bytes    (PostierOutbox    *self,
                                                const char       *account_name,
                                                PostierEnvelope  *envelope,
                                                GBytes           *crlf_message,
                                                GCancellable     *cancellable,
                                                GError          **error);

/* --- Reading and managing entries -------------------------------------- */

/* Every entry, oldest first (PostierOutboxEntry). A damaged entry is left
 * out (see postier_outbox_list_with_damaged() for showing it); it is never
 * deleted behind the person's back. */
GPtrArray          *postier_outbox_list           (PostierOutbox    *self,
                                                   GError          **error);
/* The same, and in DAMAGED (when not NULL) one GError per damaged entry
 * (POSTIER_OUTBOX_ERROR_CORRUPT, its message naming the entry), for the
 * views to show instead of logging: a planted symbolic link, an entry.ini
 * that does not parse. Damaged entries are left alone. */
GPtrArray          *postier_outbox_list_with_damaged (PostierOutbox *self,
                                                   GPtrArray      **damaged,
                                                   GError         **error);
/* list_with_damaged() in a thread, for a view that must not wait on the
 * disk; DAMAGED as there. Due entries held by their account's relay limit
 * carry the limiter's sentence (postier_outbox_entry_get_relay_hold()). */
void                postier_outbox_list_async     (PostierOutbox       *self,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
GPtrArray          *postier_outbox_list_finish    (PostierOutbox    *self,
                                                   GAsyncResult     *result,
                                                   GPtrArray       **damaged,
                                                   GError          **error);
/* Starts watching the folder (creating it) and, after each list_async(),
 * the entries' folders: ::changed is emitted on the thread-default main
 * context of the caller when an entry comes, goes or changes on disk,
 * from this process or another. Idempotent.
 *
 * Signals:
 *   ::changed ()    something in the outbox changed (after watch()).
 */
gboolean            postier_outbox_watch          (PostierOutbox    *self,
                                                   GError          **error);
PostierOutboxEntry *postier_outbox_lookup         (PostierOutbox    *self,
                                                   const char       *id,
                                                   GError          **error);
/* Deletes the entry and its files. Fails with POSTIER_OUTBOX_ERROR_BUSY if
 * a flusher is sending it right now. */
gboolean            postier_outbox_remove         (PostierOutbox    *self,
                                                   const char       *id,
                                                   GError          **error);
/* Makes a deferred, failed or needs-attention entry due now: recipients
 * that were refused are tried again, those that accepted never are. */
gboolean            postier_outbox_retry          (PostierOutbox    *self,
                                                   const char       *id,
                                                   GError          **error);
/* Makes every deferred entry due now (the network came back). Returns how
 * many changed. */
guint               postier_outbox_make_deferred_due (PostierOutbox *self,
                                                   GError          **error);
/* Makes due again every entry of ACCOUNT_NAME that needs attention (its
 * settings or password changed). Returns how many. Both read every entry:
 * blocking, see the _async forms for a main thread. */
guint               postier_outbox_retry_needing_attention (PostierOutbox *self,
                                                            const char    *account_name);
/* The two above in a worker thread, which logs what went wrong (the
 * second for several accounts at once, in one reading of the outbox);
 * postier_outbox_made_due_finish() says how many entries were made due. */
void                postier_outbox_make_deferred_due_async       (PostierOutbox       *self,
                                                                  GAsyncReadyCallback  callback,
                                                                  gpointer             user_data);
void                postier_outbox_retry_needing_attention_async (PostierOutbox       *self,
                                                                  const char * const  *account_names,
                                                                  GAsyncReadyCallback  callback,
                                                                  gpointer             user_data);
guint               postier_outbox_made_due_finish               (PostierOutbox       *self,
                                                                  GAsyncResult        *result);
/* When something will be due by itself: the earliest next-attempt of a
 * deferred entry or not-before of a held one (postier_schedule_next_wakeup()
 * at NOW); 0 if there is none. */
gint64              postier_outbox_get_next_wakeup (PostierOutbox   *self);
gint64              postier_outbox_get_next_wakeup_at (PostierOutbox *self,
                                                   gint64           now);

/* --- Undo send and send later (postier-outbox-schedule.c) --------------- */

/* Holds a queued or deferred entry until NOT_BEFORE (Unix seconds, UTC),
 * for SCHEDULE's reason; NOT_BEFORE 0 (or SCHEDULE NONE) clears the hold
 * and makes it due now ("Send Now"). POSTIER_OUTBOX_ERROR_BUSY when a
 * flusher is sending it; failed entries wait for a retry instead. */
gboolean            postier_outbox_schedule       (PostierOutbox         *self,
                                                   const char            *id,
                                                   gint64                 not_before,
                                                   PostierOutboxSchedule  schedule,
                                                   GError               **error);
/* postier_outbox_schedule (self, id, 0, NONE): due now. */
gboolean            postier_outbox_send_now       (PostierOutbox    *self,
                                                   const char       *id,
                                                   GError          **error);
/* Removes an entry that no flusher has taken, atomically against one
 * taking it: the folder is renamed away first (a flusher that comes later
 * finds nothing to mark), then a "sending" mark made before the rename
 * puts it back. POSTIER_OUTBOX_ERROR_BUSY ("already being sent") when a
 * flusher has it or its not-before has come while a flusher runs; the
 * entry then goes out as usual. For undo send and Edit. */
gboolean            postier_outbox_withdraw       (PostierOutbox    *self,
                                                   const char       *id,
                                                   GError          **error);

/* --- The flush lock ----------------------------------------------------
 *
 * One flusher at a time per outbox folder, across processes (flock on
 * <dir>/.lock; the kernel drops it when a flusher dies). PostierSubmitter
 * takes it for the length of a flush; other code rarely needs these.
 */
gboolean            postier_outbox_lock           (PostierOutbox    *self,
                                                   GError          **error);
void                postier_outbox_unlock         (PostierOutbox    *self);

G_END_DECLS
