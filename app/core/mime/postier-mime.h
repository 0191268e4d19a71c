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

/* Build, write to a staging file and enqueue: the whole path of a draft
 * into the outbox. Returns the outbox id. Nothing is queued on failure. */
char         *postier_mime_enqueue_draft      (PostierDraft     *draft,
                                               PostierAccount   *account,
                                               PostierOutbox    *outbox,
                                               GCancellable     *cancellable,
                                               GError          **error);

/* The sendmail face: reads a message from FD (stdin), the way sendmail
 * does. */
typedef enum {
  POSTIER_SENDMAIL_NONE         = 0,
  POSTIER_SENDMAIL_READ_HEADERS = 1 << 0,  /* -t: recipients from To/Cc/Bcc, Bcc stripped */
  POSTIER_SENDMAIL_IGNORE_DOTS  = 1 << 1,  /* -i / -oi: a lone "." does not end input */
} PostierSendmailFlags;

/* Streams the message on FD into the outbox the way Postfix's sendmail
 * takes it (postier-sendmail-reader.h): LF or CRLF end lines, a missing
 * From, Date or Message-ID is added, other headers are kept byte for byte
 * unless a line is over 998 octets, and a body SMTP cannot carry as it is
 * gets encoded again. SENDER (-f) overrides the account's address as MAIL
 * FROM; RECIPIENTS (NULL-terminated) are added to the envelope. At most
 * postier_sendmail_size_cap () octets. Fails with
 * POSTIER_MESSAGE_ERROR_MALFORMED (a NUL byte; a header with a control
 * character, invalid UTF-8 or a line too long to fold), _HEADER_INJECTION
 * (a CR alone in a header), _TOO_LARGE, _NO_RECIPIENTS, _BAD_ADDRESS;
 * nothing is queued then. Returns the outbox id. */
char         *postier_mime_enqueue_sendmail   (int                    fd,
                                               PostierSendmailFlags   flags,
                                               const char            *sender,
                                               const char * const    *recipients,
                                               PostierAccount        *account,
                                               PostierOutbox         *outbox,
                                               GCancellable          *cancellable,
                                               GError               **error);

G_END_DECLS
