/* postier-smtp-reply.h — SMTP replies and the incremental parser that reads them
 *
 * The parser is fed whatever bytes arrived from the server, in pieces of any
 * size, and hands back one complete reply at a time (RFC 5321 §4.2, with the
 * enhanced status codes of RFC 3463 when present). It never trusts the
 * server: a line that is not a reply, a multiline reply whose codes change,
 * a line longer than POSTIER_SMTP_REPLY_MAX_LINE or a reply with more than
 * POSTIER_SMTP_REPLY_MAX_LINES lines is a POSTIER_SMTP_ERROR_PROTOCOL, and
 * memory stays bounded whatever it sends.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Capabilities from an EHLO reply, as flags; the raw lines are kept too.
 * Declared here, with the EHLO parser that fills them, so the reply layer
 * needs nothing from the client above it. */
typedef enum {
  POSTIER_SMTP_CAP_NONE                = 0,
  POSTIER_SMTP_CAP_STARTTLS            = 1 << 0,
  POSTIER_SMTP_CAP_SIZE                = 1 << 1,
  POSTIER_SMTP_CAP_PIPELINING          = 1 << 2,
  POSTIER_SMTP_CAP_8BITMIME            = 1 << 3,
  POSTIER_SMTP_CAP_SMTPUTF8            = 1 << 4,
  POSTIER_SMTP_CAP_ENHANCEDSTATUSCODES = 1 << 5,
  POSTIER_SMTP_CAP_DSN                 = 1 << 6,
  POSTIER_SMTP_CAP_AUTH                = 1 << 7,
  POSTIER_SMTP_CAP_CHUNKING            = 1 << 8,
} PostierSmtpCapabilities;

/* RFC 5321 allows 512 octets per reply line; real servers stay well under
 * 1000. Anything longer is a broken or hostile server. */
#define POSTIER_SMTP_REPLY_MAX_LINE  2048
#define POSTIER_SMTP_REPLY_MAX_LINES 256

typedef struct {
  guint    code;         /* 220, 250, 354, 535, … */
  /* RFC 3463 "class.subject.detail" when the first line carries one whose
   * class matches the code's first digit; all 0 otherwise. */
  guint    status_class;
  guint    status_subject;
  guint    status_detail;
  /* The text after "NNN-" / "NNN " of each line, without the status code;
   * valid UTF-8 (invalid bytes replaced). NULL-terminated. */
  char   **lines;
} PostierSmtpReply;

PostierSmtpReply *postier_smtp_reply_new        (guint                   code,
                                                 const char             *text);
void              postier_smtp_reply_free       (PostierSmtpReply       *reply);
/* Every line joined by a space, prefixed by the code and the enhanced status
 * when present: "550 5.1.1 User unknown". For messages shown to people. */
char             *postier_smtp_reply_to_string  (const PostierSmtpReply *reply);
/* 2xx or 3xx. */
gboolean          postier_smtp_reply_is_positive (const PostierSmtpReply *reply);
/* "5.1.1" or NULL. Transfer full. */
char             *postier_smtp_reply_get_enhanced_status (const PostierSmtpReply *reply);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PostierSmtpReply, postier_smtp_reply_free)

typedef struct _PostierSmtpReplyParser PostierSmtpReplyParser;

PostierSmtpReplyParser *postier_smtp_reply_parser_new   (void);
void                    postier_smtp_reply_parser_free  (PostierSmtpReplyParser *self);
/* Forgets a partial reply (after STARTTLS, or after an error). */
void                    postier_smtp_reply_parser_reset (PostierSmtpReplyParser *self);

/* Consumes bytes from DATA until one reply is complete, an error is found or
 * DATA is used up. Returns how many bytes were consumed; the rest belongs to
 * the next reply (or, after STARTTLS, must be thrown away). When a reply is
 * complete it is stored in *REPLY (transfer full). On a malformed reply
 * ERROR is set and the parser must be reset before further use. */
gsize                   postier_smtp_reply_parser_feed  (PostierSmtpReplyParser *self,
                                                         const char             *data,
                                                         gsize                   length,
                                                         PostierSmtpReply      **reply,
                                                         GError                **error);
/* TRUE while part of a reply has been read. */
gboolean                postier_smtp_reply_parser_in_reply (PostierSmtpReplyParser *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PostierSmtpReplyParser, postier_smtp_reply_parser_free)

/* What an EHLO reply says about the server. */
typedef struct {
  PostierSmtpCapabilities   flags;
  guint64                   size_limit;   /* 0 when SIZE had no number */
  char                    **auth_mechanisms; /* upper case, NULL-terminated, never NULL */
  char                    **lines;        /* the keyword lines, first line (greeting) excluded */
} PostierSmtpEhlo;

/* Parses the capability lines of a 250 reply to EHLO, once. Unknown
 * keywords are kept in LINES only. Also honours the old "AUTH=" form. */
PostierSmtpEhlo *postier_smtp_ehlo_parse (const PostierSmtpReply *reply);
void             postier_smtp_ehlo_free  (PostierSmtpEhlo        *ehlo);
gboolean         postier_smtp_ehlo_has_auth_mechanism (const PostierSmtpEhlo *ehlo,
                                                       const char            *mechanism);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PostierSmtpEhlo, postier_smtp_ehlo_free)

G_END_DECLS
