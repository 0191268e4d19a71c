/* postier-mime.h — drafts and piped messages to bytes we may queue
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "postier-account.h"
#include "postier-draft.h"
#include "postier-envelope.h"
#include "postier-outbox.h"

G_BEGIN_DECLS

/* Builds the message a draft describes, as sent from ACCOUNT (its identity
 * when the draft has no From; its address domain for the Message-ID), and
 * its envelope (every To, Cc and Bcc, de-duplicated; Bcc never in the
 * headers). Attachments are not read here: their parts stream from disk
 * when written. Bad input fails with POSTIER_MESSAGE_ERROR naming the
 * problem. RETURNS a GMimeMessage (transfer full) as a gpointer so this
 * header does not need GMime's. */
gpointer      postier_mime_build_message      (PostierDraft     *draft,
                                               PostierAccount   *account,
                                               PostierEnvelope **envelope,
                                               GError          **error);

/* Writes MESSAGE (a GMimeMessage) to PATH with CRLF line ends, streaming
 * attachments from disk. Sets the envelope's size, 8BITMIME and SMTPUTF8
 * needs from what was written. */
gboolean      postier_mime_write_message      (gpointer          message,
                                               PostierEnvelope  *envelope,
                                               const char       *path,
                                               GCancellable     *cancellable,
                                               GError          **error);

/* Build, write into an outbox staging (postier-outbox-staging.h) and
 * commit: the whole path of a draft into the outbox. Returns the outbox
 * id. Nothing is queued on failure. (The sendmail face's path is
 * postier-sendmail.h.) */
char         *postier_mime_enqueue_draft      (PostierDraft     *draft,
                                               PostierAccount   *account,
                                               PostierOutbox    *outbox,
                                               GCancellable     *cancellable,
                                               GError          **error);

/* How enqueue_draft_full() queues (issue 13): all zero is enqueue_draft(). */
typedef struct {
  gint64                not_before;  /* Unix seconds, UTC; 0: at once */
  PostierOutboxSchedule schedule;    /* GRACE (undo send) or LATER (send later) */
  gboolean              keep_draft;  /* keep DRAFT beside the entry (draft.ini) for
                                      * undo and Edit to restore it exactly */
} PostierEnqueueOptions;

/* enqueue_draft() with OPTIONS (NULL: none). */
char         *postier_mime_enqueue_draft_full (PostierDraft                *draft,
                                               PostierAccount              *account,
                                               PostierOutbox               *outbox,
                                               const PostierEnqueueOptions *options,
                                               GCancellable                *cancellable,
                                               GError                     **error);

G_END_DECLS
