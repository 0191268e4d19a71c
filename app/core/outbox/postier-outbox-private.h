/* postier-outbox-private.h — what the outbox, its staging and the submitter
 * share (the entry's own private side is postier-outbox-entry-private.h)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "postier-outbox.h"
#include "postier-outbox-entry-private.h"

G_BEGIN_DECLS

/* postier_outbox_list_with_damaged() with another way to load each entry
 * (the views' listing keeps the unchanged ones, postier-outbox-watch.c).
 * LOAD is called from several threads at once for a large outbox. */
typedef PostierOutboxEntry *(*PostierOutboxLoadFunc) (const char  *id,
                                                      const char  *path,
                                                      gpointer     data,
                                                      GError     **error);
GPtrArray          *_postier_outbox_list_loading             (PostierOutbox          *self,
                                                              PostierOutboxLoadFunc   load,
                                                              gpointer                load_data,
                                                              GPtrArray             **damaged,
                                                              GError                **error);

/* The same, handing out again the snapshot of each entry whose files did
 * not change since an earlier such listing (postier-outbox-watch.c): for
 * readers only, never to be changed or saved. */
GPtrArray          *_postier_outbox_list_kept                (PostierOutbox          *self,
                                                              GPtrArray             **damaged,
                                                              GError                **error);

/* The staging's side (postier-outbox-staging.c). */

/* Sets POSTIER_OUTBOX_ERROR_STORAGE: FORMAT (one %s, PATH), then
 * SAVED_ERRNO's text. Returns FALSE. */
gboolean            _postier_outbox_storage_error            (GError             **error,
                                                              int                  saved_errno,
                                                              const char          *format,
                                                              const char          *path);

/* Creates <dir>/.staging-XXXXXX (0600, invisible to list()) and returns
 * it open for reading and writing, its path in PATH; -1 on failure. */
int                 _postier_outbox_create_staging           (PostierOutbox       *self,
                                                              char               **path,
                                                              GError             **error);
/* Moves STAGING_PATH (already flushed to disk) to <id>/message.eml, writes
 * <id>/entry.ini (state "queued", due now, with SIZE, SUBJECT and
 * MESSAGE_ID as the producer knew them, held until NOT_BEFORE; DRAFT_PATH,
 * when not NULL and there, moved in as draft.ini) and fsyncs the folders, so the
 * message survives a crash from the moment this returns. Returns the new
 * id. On failure the staging file is removed and nothing is left. */
char               *_postier_outbox_add_entry                (PostierOutbox       *self,
                                                              const char          *staging_path,
                                                              const char          *account_name,
                                                              PostierEnvelope     *envelope,
                                                              guint64              size,
                                                              const char          *subject,
                                                              const char          *message_id,
                                                              gint64               not_before,
                                                              PostierOutboxSchedule schedule,
                                                              const char          *draft_path,
                                                              GError             **error);

/* The flusher's side; every one of these writes entry.ini durably. */

/* Run by the holder of the flush lock before a flush: an entry left in
 * "sending" by a flusher that died is made due again and marked possible
 * duplicate; leftovers of interrupted enqueues are removed. */
gboolean            _postier_outbox_recover                  (PostierOutbox       *self,
                                                              GError             **error);
/* The same, giving the listing it made (postier_outbox_list()'s, with the
 * recovered entries as saved) in *ENTRIES: a flush's first look at the
 * outbox, which would otherwise load every entry twice (issue 12). */
gboolean            _postier_outbox_recover_listing          (PostierOutbox       *self,
                                                              GPtrArray          **entries,
                                                              GError             **error);
/* The flusher's journal of marks (postier-outbox-marks.c): the entries
 * about to go, appended and synced as one write, so that a sync of each
 * entry's folder is not needed for its "sending" link to survive a power
 * cut; recovery takes the entries marked either way. */
#define POSTIER_OUTBOX_MARKS_FILE ".marks"
gboolean            _postier_outbox_marks_add                (PostierOutbox       *self,
                                                              PostierOutboxEntry **entries,
                                                              guint                n,
                                                              GError             **error);
/* Marks ENTRIES "sending" (their links, then one journal write), for a
 * flusher's group. */
gboolean            _postier_outbox_marks_mark_sending       (PostierOutbox       *self,
                                                              PostierOutboxEntry **entries,
                                                              guint                n,
                                                              GError             **error);
/* ID was settled without being sent (not synced). */
void                _postier_outbox_marks_drop               (PostierOutbox       *self,
                                                              const char          *id);
/* The ids marked and not dropped (a set), or NULL when there is no journal. */
GHashTable         *_postier_outbox_marks_read               (PostierOutbox       *self);
void                _postier_outbox_marks_clear              (PostierOutbox       *self);

/* Records that a flusher is about to hand the entry to the relay. */
gboolean            _postier_outbox_mark_sending             (PostierOutbox       *self,
                                                              PostierOutboxEntry  *entry,
                                                              GError             **error);
/* The same for many concluded entries, with one folder sync for all the
 * removals when SYNC_REMOVALS (else the caller syncs the outbox folder).
 * Sent entries are renamed aside (out of the outbox at once) and their
 * folders removed, or, when ASIDE is not NULL, added to it for the caller
 * to remove with _postier_outbox_remove_folder() (a leftover is removed at
 * the next recovery). Stops reporting after the first error but settles
 * the rest. */
gboolean            _postier_outbox_settle_batch             (PostierOutbox       *self,
                                                              GPtrArray           *entries,
                                                              gboolean             sync_removals,
                                                              GPtrArray           *aside,
                                                              GError             **error);
/* Appends one attempt's dialogue (already redacted) to transcript.log. */
void                _postier_outbox_append_transcript        (PostierOutbox       *self,
                                                              PostierOutboxEntry  *entry,
                                                              const char          *heading,
                                                              const char          *transcript);

/* The schedule's side (postier-outbox-schedule.c). */

/* Removes an entry's folder and its plain files, never following a link. */
gboolean            _postier_outbox_remove_folder            (const char          *path);
/* Makes due again the entries of the accounts ACCOUNT_NAMES that TAKES
 * says yes to (postier_outbox_retry() each; a failure is logged), in one
 * reading of the outbox. Returns how many. */
guint               _postier_outbox_retry_account_entries    (PostierOutbox       *self,
                                                              const char * const  *account_names,
                                                              gboolean           (*takes) (PostierOutboxEntry *entry,
                                                                                           gpointer            data),
                                                              gpointer             data);
/* THREAD_FUNC in a worker thread, in a task of SELF's with TASK_DATA: the
 * outbox's _async forms that read every entry. Those return a count,
 * which _postier_outbox_count_finish() gives. */
void                _postier_outbox_run_in_thread            (PostierOutbox       *self,
                                                              gpointer             source_tag,
                                                              gpointer             task_data,
                                                              GDestroyNotify       task_data_free,
                                                              GTaskThreadFunc      thread_func,
                                                              GCancellable        *cancellable,
                                                              GAsyncReadyCallback  callback,
                                                              gpointer             user_data);
guint               _postier_outbox_count_finish             (PostierOutbox       *self,
                                                              GAsyncResult        *result,
                                                              GError             **error);
/* Whether some flusher (this object or another process) holds the lock. */
gboolean            _postier_outbox_flusher_is_running       (PostierOutbox       *self);

/* The watch's side (postier-outbox-watch.c): installs ::changed. */
void                _postier_outbox_watch_class_init         (GObjectClass        *klass);

G_END_DECLS
