/* postier-sendmail-reader.h — a message on standard input, read the way
 * sendmail reads it
 *
 * Streams the input to an output file descriptor the way Postfix's
 * sendmail and cleanup take it: LF and CRLF end lines (a CR alone does
 * not), a line holding a single "." ends the input unless
 * POSTIER_SENDMAIL_IGNORE_DOTS, the header block ends at the blank line
 * or at the first line that is not a header field (the blank line is then
 * added), a missing Date, Message-ID or From is added, Bcc fields are
 * dropped, and every other header is kept byte for byte unless a line is
 * over 998 octets (then folded). A header with a CR alone, a control
 * character or bytes that are not UTF-8 is refused. A body SMTP cannot
 * carry as it is gets encoded again afterwards. Only the header block is
 * held in memory (at most POSTIER_SENDMAIL_MAX_HEADER octets); the body
 * streams through.
 *
 * postier_mime_enqueue_sendmail() (postier-sendmail.h) is the whole path
 * into the outbox; this lower level is what the fuzz target exercises.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* How sendmail was asked to read its input. */
typedef enum {
  POSTIER_SENDMAIL_NONE         = 0,
  POSTIER_SENDMAIL_READ_HEADERS = 1 << 0,  /* -t: recipients from To/Cc/Bcc, Bcc stripped */
  POSTIER_SENDMAIL_IGNORE_DOTS  = 1 << 1,  /* -i / -oi: a lone "." does not end input */
} PostierSendmailFlags;

#define POSTIER_SENDMAIL_MAX_HEADER (1024 * 1024)
/* The largest message taken on standard input when the relay's SIZE is
 * not known yet (the same as postierctl's cap for bodies and
 * attachments read from streams). */
#define POSTIER_SENDMAIL_DEFAULT_MAX_SIZE ((guint64) 50 * 1000 * 1000)

#define POSTIER_TYPE_SENDMAIL_READER (postier_sendmail_reader_get_type ())
G_DECLARE_FINAL_TYPE (PostierSendmailReader, postier_sendmail_reader, POSTIER, SENDMAIL_READER, GObject)

PostierSendmailReader *postier_sendmail_reader_new             (PostierSendmailFlags    flags);

/* "Name <address>" written as From when the message has none (the
 * account's identity); its domain also names the Message-ID when the
 * message has no From of its own. NULL: no From is added. */
void                   postier_sendmail_reader_set_default_from (PostierSendmailReader *self,
                                                                 const char            *identity);

/* The most octets the written message may have (0: no cap); over it,
 * run() stops reading and fails with POSTIER_MESSAGE_ERROR_TOO_LARGE. */
void                   postier_sendmail_reader_set_max_size    (PostierSendmailReader *self,
                                                                guint64                max_size);
/* Where a body encoded again is written before it replaces the output
 * (default: g_get_tmp_dir ()); best on the output's file system. */
void                   postier_sendmail_reader_set_scratch_dir (PostierSendmailReader *self,
                                                                const char            *dir);

/* Reads IN_FD to its end (or to a lone dot) and writes the message to
 * OUT_FD (open for reading too), which stays open. Fails with
 * POSTIER_MESSAGE_ERROR_MALFORMED (a NUL byte, a header line with a
 * control character or invalid UTF-8 or too long to fold, a header block
 * over the limit), _HEADER_INJECTION (a CR alone in a header), _TOO_LARGE,
 * _BAD_ADDRESS (with -t, an address in To, Cc or Bcc that does not parse),
 * G_IO_ERROR for reading or writing, or G_IO_ERROR_CANCELLED. */
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
/* What GMime reads in the Subject and Message-ID fields written: the
 * decoded Subject and the id without angle brackets; NULL when absent. */
const char            *postier_sendmail_reader_get_subject     (PostierSendmailReader *self);
const char            *postier_sendmail_reader_get_message_id  (PostierSendmailReader *self);
/* Whether Date, Message-ID or From were added. */
gboolean               postier_sendmail_reader_get_added_date  (PostierSendmailReader *self);
gboolean               postier_sendmail_reader_get_added_message_id (PostierSendmailReader *self);

G_END_DECLS
