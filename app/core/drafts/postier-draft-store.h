/* postier-draft-store.h — the drafts folder: autosave, crash recovery, and
 * a queued message taken back into the composer
 *
 * Drafts are core's, not the composer widget's: the composer, the outbox
 * view and the tests all go through this one owner of the folder, its
 * `.draft` files and their `.files` attachment folders. Saves and deletions
 * run in order on one worker thread, so a save can never land after the
 * deletion of the same draft.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "postier-draft.h"
#include "postier-outbox.h"

G_BEGIN_DECLS

#define POSTIER_TYPE_DRAFT_STORE (postier_draft_store_get_type ())
G_DECLARE_FINAL_TYPE (PostierDraftStore, postier_draft_store, POSTIER, DRAFT_STORE, GObject)

/* DIR NULL means $XDG_DATA_HOME/postier/drafts; it is created (0700) at the
 * first save. */
PostierDraftStore *postier_draft_store_new            (const char           *dir);
const char        *postier_draft_store_get_dir        (PostierDraftStore    *self);

/* A new, unused draft path in the folder (nothing is written). */
char              *postier_draft_store_new_path       (PostierDraftStore    *self);
/* The folder beside DRAFT_PATH that holds the attachments taken out of an
 * imported message; it goes when the draft goes. */
char              *postier_draft_store_dup_files_dir  (const char           *draft_path);

/* Autosave: writes DRAFT (not to be changed afterwards: the composer hands
 * over a fresh copy) to DRAFT_PATH on the store's worker, creating the
 * folder, with postier_draft_save() (old or new file whole). A job
 * cancelled before it starts is not run (G_IO_ERROR_CANCELLED). */
void               postier_draft_store_save_async     (PostierDraftStore    *self,
                                                       PostierDraft         *draft,
                                                       const char           *draft_path,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
gboolean           postier_draft_store_save_finish    (PostierDraftStore    *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);
/* Removes DRAFT_PATH and its `.files` folder (a missing file is no error),
 * after every save queued before it. */
void               postier_draft_store_delete_async   (PostierDraftStore    *self,
                                                       const char           *draft_path,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
gboolean           postier_draft_store_delete_finish  (PostierDraftStore    *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);
/* Blocks until every save and deletion queued so far is done: the composer
 * calls it when it goes, so the last change reaches the disk before the
 * app quits. */
void               postier_draft_store_flush          (PostierDraftStore    *self);

/* Crash recovery: the newest `.draft` in the folder (by modification time),
 * what a crash or a restart interrupted, loaded. NULL with no error when
 * there is none; NULL with an error when it does not load (DRAFT_PATH is
 * still set, to name it). DRAFT_PATH: transfer full. */
PostierDraft      *postier_draft_store_recover        (PostierDraftStore    *self,
                                                       char                **draft_path,
                                                       GError              **error);

/* A message file (.eml) as a new draft in a new draft path, its attachments
 * written to that path's `.files` folder (removed again on failure).
 * Nothing else is written: the caller saves the draft. */
PostierDraft      *postier_draft_store_import_message (PostierDraftStore    *self,
                                                       const char           *message_path,
                                                       char                **draft_path,
                                                       GError              **error);

/* "Edit" on a queued message, and undo send: the entry ID of OUTBOX
 * becomes a draft, saved as `outbox-ID.draft` with its attachments in
 * `outbox-ID.draft.files`, and only then leaves the outbox (with
 * postier_outbox_withdraw(), atomic against a flusher) — whatever happens
 * next, the message is never lost. The composer's draft kept beside the
 * entry (draft.ini) restores it exactly (Bcc, body as typed, account);
 * attachments are the bytes queued, taken out of the message. Fails with
 * POSTIER_OUTBOX_ERROR_NOT_FOUND when ID cannot be looked up, with
 * POSTIER_OUTBOX_ERROR_BUSY when a flusher is already sending it (the
 * saved draft is removed again: the message goes out, once). Synchronous.
 * DRAFT_PATH: transfer full. */
PostierDraft      *postier_draft_store_take_back      (PostierDraftStore    *self,
                                                       PostierOutbox        *outbox,
                                                       const char           *id,
                                                       char                **draft_path,
                                                       GError              **error);

G_END_DECLS
