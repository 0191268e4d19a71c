/* postier-sendmail-reader.h — a message on standard input, read the way
 * sendmail reads it
 *
 * Streams the input to an output file descriptor: bare LF (and a lone CR)
 * become CRLF, a line holding a single "." ends the input unless
 * POSTIER_SENDMAIL_IGNORE_DOTS, a missing Date, Message-ID or From is
 * added, Bcc fields are dropped, and every other header is kept byte for
 * byte. Only the header block is held in memory (at most
 * POSTIER_SENDMAIL_MAX_HEADER octets); the body streams through.
 *
 * postier_mime_enqueue_sendmail() (postier-mime.h) is the whole path into
 * the outbox; this lower level is what the fuzz target exercises.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "postier-mime.h"

G_BEGIN_DECLS

#define POSTIER_SENDMAIL_MAX_HEADER (1024 * 1024)

#define POSTIER_TYPE_SENDMAIL_READER (postier_sendmail_reader_get_type ())
G_DECLARE_FINAL_TYPE (PostierSendmailReader, postier_sendmail_reader, POSTIER, SENDMAIL_READER, GObject)

PostierSendmailReader *postier_sendmail_reader_new             (PostierSendmailFlags    flags);

/* "Name <address>" written as From when the message has none (the
 * account's identity); its domain also names the Message-ID when the
 * message has no From of its own. NULL: no From is added. */
void                   postier_sendmail_reader_set_default_from (PostierSendmailReader *self,
                                                                 const char            *identity);

/* Reads IN_FD to its end (or to a lone dot) and writes the message to
 * OUT_FD, which stays open. Fails with POSTIER_MESSAGE_ERROR_MALFORMED (a
 * NUL byte, no blank line after the headers, a line that is not a header
 * field, a header block over the limit), _BAD_ADDRESS (with -t, an address
 * in To, Cc or Bcc that does not parse), G_IO_ERROR for reading or
 * writing, or G_IO_ERROR_CANCELLED. */
gboolean               postier_sendmail_reader_run             (PostierSendmailReader *self,
                                                                int                    in_fd,
                                                                int                    out_fd,
                                                                GCancellable          *cancellable,
                                                                GError               **error);

/* After a successful run. */
/* With READ_HEADERS: every address of To, Cc and Bcc, in order
 * (NULL-terminated, owned by the reader); empty otherwise. */
const char * const    *postier_sendmail_reader_get_recipients  (PostierSendmailReader *self);
/* Octets written. */
guint64                postier_sendmail_reader_get_size        (PostierSendmailReader *self);
/* The written message has a non-ASCII octet somewhere / in its headers. */
gboolean               postier_sendmail_reader_get_8bit        (PostierSendmailReader *self);
gboolean               postier_sendmail_reader_get_utf8_headers (PostierSendmailReader *self);
/* Whether Date, Message-ID or From were added. */
gboolean               postier_sendmail_reader_get_added_date  (PostierSendmailReader *self);
gboolean               postier_sendmail_reader_get_added_message_id (PostierSendmailReader *self);

G_END_DECLS
