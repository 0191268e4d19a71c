/* postier-smtp-client-private.h — what the pieces of PostierSmtpClient share
 *
 * The client is one object in four files, one job each:
 * postier-smtp-client.c (the session: connect, TLS, EHLO, STARTTLS, QUIT,
 * and what the session learnt), postier-smtp-auth.c (the SASL AUTH
 * exchange), postier-smtp-transaction.c (one message: envelope, recipient
 * judgement, DATA, end of data) and postier-smtp-data.c (the message data
 * itself). Nothing outside app/core/smtp includes this header.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gmime/gmime.h>

#include "postier-smtp-client.h"
#include "postier-smtp-reply.h"
#include "postier-smtp-stream.h"
#include "postier-smtp-transcript.h"

G_BEGIN_DECLS

/* Bytes read from a message file at a time. */
#define POSTIER_SMTP_DATA_CHUNK (64 * 1024)

/* Where the dialogue stands, as far as the client knows. Kept as state
 * rather than guessed from the last error, because it decides whether the
 * connection may carry another message: only a session in step with the
 * server may, and a broken one is closed. */
typedef enum {
  POSTIER_SMTP_SESSION_CLOSED,     /* no connection, or open() not done yet */
  POSTIER_SMTP_SESSION_IN_STEP,    /* every reply read, no transaction open */
  POSTIER_SMTP_SESSION_NEEDS_RSET, /* in step, but a refused transaction may
                                    * still be open on the server: RSET first */
  POSTIER_SMTP_SESSION_BROKEN,     /* a reply may be missing or unread, or the
                                    * server holds part of a message: the two
                                    * sides may disagree, never reuse it */
} PostierSmtpSessionState;

struct _PostierSmtpClient {
  GObject                  parent_instance;

  PostierAccount          *account;
  char                    *host;
  guint                    port;
  char                    *password;
  PostierSmtpTokenFunc     token_func;
  gpointer                 token_data;
  GDestroyNotify           token_destroy;
  guint                    timeout;
  PostierSmtpProgressFunc  progress_func;
  gpointer                 progress_data;

  PostierSmtpStream       *stream;
  PostierSmtpEhlo         *ehlo;
  PostierSmtpSessionState  state;

  char                    *auth_mechanism;
  char                    *tls_summary;
  char                    *certificate_summary;
  char                    *certificate_sha256;

  PostierSmtpTranscript   *transcript;

  /* Kept across messages: they are reset, not rebuilt, for each one. */
  GMimeFilter             *crlf_filter;
  GMimeFilter             *dot_filter;
  char                    *data_chunk;
};

/* postier-smtp-client.c: commands and replies, logged in the transcript. */
void              _postier_smtp_client_queue_command   (PostierSmtpClient       *self,
                                                        const char              *command);
PostierSmtpReply *_postier_smtp_client_read_reply      (PostierSmtpClient       *self,
                                                        GError                 **error);
/* Queues TEXT, flushes and reads its reply. */
PostierSmtpReply *_postier_smtp_client_command         (PostierSmtpClient       *self,
                                                        const char              *text,
                                                        GError                 **error);
/* A negative reply as a GError: 4xx temporary, 5xx permanent, anything
 * else (a 354 where none belongs, say) a protocol error. MESSAGE has one
 * %s for the server's words. */
void              _postier_smtp_client_set_reply_error (GError                 **error,
                                                        const PostierSmtpReply  *reply,
                                                        const char              *message);
/* TRUE when REPLY is in CODE_CLASS (2 for 2xx); else sets ERROR as above. */
gboolean          _postier_smtp_client_expect          (PostierSmtpReply        *reply,
                                                        guint                    code_class,
                                                        const char              *message,
                                                        GError                 **error);
/* Closes the connection without a word; the state becomes CLOSED. */
void              _postier_smtp_client_drop_connection (PostierSmtpClient       *self);

/* postier-smtp-data.c: streams the FILE_SIZE bytes of the message in FD,
 * dot-stuffed, and the final dot; after DATA got its 354. */
gboolean          _postier_smtp_client_stream_message  (PostierSmtpClient       *self,
                                                        int                      fd,
                                                        guint64                  file_size,
                                                        GCancellable            *cancellable,
                                                        GError                 **error);

/* postier-smtp-data.c: queues "BDAT n LAST" and the FILE_SIZE bytes of
 * the message in FD (at most POSTIER_SMTP_DATA_CHUNK) in wire form, to
 * leave with the envelope. */
gboolean          _postier_smtp_client_queue_last_chunk (PostierSmtpClient      *self,
                                                         int                     fd,
                                                         guint64                 file_size,
                                                         GError                **error);

/* postier-smtp-auth.c: AUTH with the account's method after the last EHLO;
 * TRUE at once when the account needs no login. */
gboolean          _postier_smtp_client_authenticate    (PostierSmtpClient       *self,
                                                        GError                 **error);

G_END_DECLS
