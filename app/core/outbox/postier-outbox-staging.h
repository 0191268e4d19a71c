/* postier-outbox-staging.h — the one way a message enters the outbox
 *
 * Why: the MIME builder and the sendmail reader used to write a staging
 * file by path and hand it to the outbox, which then parsed the headers
 * again to learn what the producer already knew. A staging is the whole
 * enqueue, owned by the outbox:
 *
 *   staging = postier_outbox_staging_begin (outbox, &error);
 *   … write the message, CRLF line ends, through _get_fd () or _write ()
 *   postier_outbox_staging_set_subject (staging, subject);
 *   postier_outbox_staging_set_message_id (staging, message_id);
 *   id = postier_outbox_staging_commit (staging, account, envelope, …);
 *
 * commit() is atomic and durable (the file fsynced, renamed into a hidden
 * entry folder, entry.ini written, the folder renamed into place, the
 * folders fsynced); a staging dropped without commit is aborted, its file
 * removed. Not for sharing between threads.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "postier-envelope.h"
#include "postier-outbox.h"

G_BEGIN_DECLS

#define POSTIER_TYPE_OUTBOX_STAGING (postier_outbox_staging_get_type ())
G_DECLARE_FINAL_TYPE (PostierOutboxStaging, postier_outbox_staging, POSTIER, OUTBOX_STAGING, GObject)

/* A new staging file in OUTBOX's folder (so the final rename never crosses
 * file systems), invisible to postier_outbox_list(). */
PostierOutboxStaging *postier_outbox_staging_begin          (PostierOutbox         *outbox,
                                                             GError               **error);
/* The staging file, open for reading and writing; owned by the staging
 * (a writer that closes its own descriptor dup()s it). */
int                   postier_outbox_staging_get_fd         (PostierOutboxStaging  *self);
/* The outbox folder: scratch space on the staging file's file system. */
const char           *postier_outbox_staging_get_dir        (PostierOutboxStaging  *self);
gboolean              postier_outbox_staging_write          (PostierOutboxStaging  *self,
                                                             const void            *data,
                                                             gsize                  length,
                                                             GError               **error);
/* The decoded Subject and the Message-ID (without angle brackets) the
 * producer wrote, for listing without reading the message; NULL is "". */
void                  postier_outbox_staging_set_subject    (PostierOutboxStaging  *self,
                                                             const char            *subject);
void                  postier_outbox_staging_set_message_id (PostierOutboxStaging  *self,
                                                             const char            *message_id);
/* Not before WHEN (Unix seconds, UTC; 0: at once) may it go, and why
 * (postier-schedule.h). Undo send's grace period and send later. */
void                  postier_outbox_staging_set_not_before (PostierOutboxStaging  *self,
                                                             gint64                 when,
                                                             PostierOutboxSchedule  schedule);
/* Where the producer may write the draft the message was built from
 * (postier_draft_save()): commit moves it into the entry as draft.ini,
 * abort removes it. The outbox never reads it; take-back does. No fsync:
 * a draft.ini lost in a crash only means take-back reads message.eml. */
char                 *postier_outbox_staging_dup_draft_path (PostierOutboxStaging  *self);
/* Puts the message into the outbox for ACCOUNT_NAME (state "queued", due
 * now) and returns its id; from then on it survives a crash. ENVELOPE
 * must have at least one recipient (else POSTIER_MESSAGE_ERROR_NO_RECIPIENTS).
 * On failure nothing is left in the outbox. Either way the staging is
 * spent. */
char                 *postier_outbox_staging_commit         (PostierOutboxStaging  *self,
                                                             const char            *account_name,
                                                             PostierEnvelope       *envelope,
                                                             GCancellable          *cancellable,
                                                             GError               **error);
/* Removes the staging file; nothing is queued. Also done on finalize. */
void                  postier_outbox_staging_abort          (PostierOutboxStaging  *self);

G_END_DECLS
