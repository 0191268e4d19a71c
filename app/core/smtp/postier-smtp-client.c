/* postier-smtp-client.c — one SMTP submission session
 *
 * One function per protocol step, as msmtp does: greeting, EHLO, STARTTLS,
 * AUTH, envelope, data, end of data, QUIT. Capabilities are parsed once per
 * EHLO into flags. With PIPELINING, MAIL FROM, every RCPT TO and DATA leave
 * in one write and the message data with its final dot in as few large
 * writes as the buffer allows: two round trips per message.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-smtp-client"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <gmime/gmime.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "postier-error.h"
#include "postier-sasl.h"
#include "postier-smtp-client.h"
#include "postier-smtp-reply.h"
#include "postier-smtp-stream.h"
#include "postier-smtp-transcript.h"

/* Bytes read from the message file at a time. */
#define DATA_CHUNK (64 * 1024)
/* Flush the write buffer once it holds this much message data. */
#define DATA_FLUSH (96 * 1024)
/* Seconds to wait for the reply to the final dot: RFC 5321 §4.5.3.2.6. */
#define END_OF_DATA_TIMEOUT (10 * 60)
/* Seconds to wait for the reply to QUIT: the work is done, only the
 * courtesy is left. */
#define QUIT_TIMEOUT 5

struct _PostierSmtpClient {
  GObject                  parent_instance;

  PostierAccount          *account;
  char                    *host;
  guint                    port;
  char                    *password;
  guint                    timeout;
  PostierSmtpProgressFunc  progress_func;
  gpointer                 progress_data;

  PostierSmtpStream       *stream;
  PostierSmtpEhlo         *ehlo;
  gboolean                 need_rset;

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

G_DEFINE_FINAL_TYPE (PostierSmtpClient, postier_smtp_client, G_TYPE_OBJECT)

static void
wipe_password (PostierSmtpClient *self)
{
  if (self->password != NULL)
    {
      explicit_bzero (self->password, strlen (self->password));
      g_clear_pointer (&self->password, g_free);
    }
}

static void
drop_connection (PostierSmtpClient *self)
{
  g_clear_pointer (&self->stream, postier_smtp_stream_free);
  self->need_rset = FALSE;
}

static void
postier_smtp_client_finalize (GObject *object)
{
  PostierSmtpClient *self = POSTIER_SMTP_CLIENT (object);

  drop_connection (self);
  wipe_password (self);
  g_clear_object (&self->account);
  g_free (self->host);
  g_clear_pointer (&self->ehlo, postier_smtp_ehlo_free);
  g_free (self->auth_mechanism);
  g_free (self->tls_summary);
  g_free (self->certificate_summary);
  g_free (self->certificate_sha256);
  postier_smtp_transcript_free (self->transcript);
  g_clear_object (&self->crlf_filter);
  g_clear_object (&self->dot_filter);
  g_free (self->data_chunk);

  G_OBJECT_CLASS (postier_smtp_client_parent_class)->finalize (object);
}

static void
postier_smtp_client_class_init (PostierSmtpClientClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = postier_smtp_client_finalize;
}

static void
postier_smtp_client_init (PostierSmtpClient *self)
{
  self->timeout = 60;
  self->transcript = postier_smtp_transcript_new ();
}

PostierSmtpClient *
postier_smtp_client_new (PostierAccount *account)
{
  PostierSmtpClient *self;

  g_return_val_if_fail (POSTIER_IS_ACCOUNT (account), NULL);

  self = g_object_new (POSTIER_TYPE_SMTP_CLIENT, NULL);
  self->account = postier_account_copy (account);
  self->host = g_strdup (postier_account_get_host (account));
  self->port = postier_account_get_port (account);
  return self;
}

void
postier_smtp_client_set_endpoint (PostierSmtpClient *self,
                                  const char        *host,
                                  guint              port)
{
  g_return_if_fail (POSTIER_IS_SMTP_CLIENT (self));
  g_return_if_fail (host != NULL);
  g_return_if_fail (port > 0 && port < 65536);

  g_free (self->host);
  self->host = g_strdup (host);
  self->port = port;
}

void
postier_smtp_client_set_password (PostierSmtpClient *self,
                                  const char        *password)
{
  g_return_if_fail (POSTIER_IS_SMTP_CLIENT (self));

  wipe_password (self);
  self->password = g_strdup (password);
}

void
postier_smtp_client_set_timeout (PostierSmtpClient *self,
                                 guint              seconds)
{
  g_return_if_fail (POSTIER_IS_SMTP_CLIENT (self));
  g_return_if_fail (seconds > 0);

  self->timeout = seconds;
  if (self->stream != NULL)
    postier_smtp_stream_set_timeout (self->stream, seconds);
}

void
postier_smtp_client_set_progress_func (PostierSmtpClient       *self,
                                       PostierSmtpProgressFunc  func,
                                       gpointer                 user_data)
{
  g_return_if_fail (POSTIER_IS_SMTP_CLIENT (self));

  self->progress_func = func;
  self->progress_data = user_data;
}

/* ---------------------------------------------------------------------- */
/* Commands and replies */

static void
queue_command (PostierSmtpClient *self,
               const char        *command)
{
  postier_smtp_transcript_client (self->transcript, command);
  postier_smtp_stream_queue (self->stream, command, strlen (command));
  postier_smtp_stream_queue (self->stream, "\r\n", 2);
}

static PostierSmtpReply *
read_reply (PostierSmtpClient  *self,
            GError            **error)
{
  PostierSmtpReply *reply = postier_smtp_stream_read_reply (self->stream, error);

  if (reply != NULL)
    postier_smtp_transcript_server (self->transcript, reply);
  return reply;
}

static PostierSmtpReply *
command (PostierSmtpClient  *self,
         const char         *text,
         GError            **error)
{
  queue_command (self, text);
  if (!postier_smtp_stream_flush (self->stream, error))
    return NULL;
  return read_reply (self, error);
}

/* A negative reply as a GError: 4xx temporary, 5xx permanent, anything
 * else (a 354 where none belongs, say) a protocol error. MESSAGE has one
 * %s for the server's words. */
static void
set_reply_error (GError                **error,
                 const PostierSmtpReply *reply,
                 const char             *message)
{
  g_autofree char *said = postier_smtp_reply_to_string (reply);
  gint code = reply->code / 100 == 4 ? POSTIER_SMTP_ERROR_TEMPORARY :
              reply->code / 100 == 5 ? POSTIER_SMTP_ERROR_PERMANENT :
              POSTIER_SMTP_ERROR_PROTOCOL;

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
  g_set_error (error, POSTIER_SMTP_ERROR, code, message, said);
#pragma GCC diagnostic pop
}

static gboolean
expect (PostierSmtpReply  *reply,
        guint              code_class,
        const char        *message,
        GError           **error)
{
  if (reply->code / 100 == code_class)
    return TRUE;
  set_reply_error (error, reply, message);
  return FALSE;
}

/* ---------------------------------------------------------------------- */
/* Opening */

static void
keep_tls_details (PostierSmtpClient *self)
{
  PostierTls *tls = postier_smtp_stream_get_tls (self->stream);

  if (tls == NULL)
    return;
  g_free (self->tls_summary);
  self->tls_summary = g_strdup (postier_tls_get_summary (tls));
  g_free (self->certificate_summary);
  self->certificate_summary = g_strdup (postier_tls_get_certificate_summary (tls));
  g_free (self->certificate_sha256);
  self->certificate_sha256 = g_strdup (postier_tls_get_sha256 (tls));
}

static gboolean
start_tls (PostierSmtpClient  *self,
           GError            **error)
{
  gboolean ok = postier_smtp_stream_start_tls (self->stream, self->host,
                                               postier_account_get_ca_file (self->account),
                                               postier_account_get_pinned_sha256 (self->account),
                                               error);
  keep_tls_details (self);
  if (ok)
    postier_smtp_transcript_note (self->transcript, "TLS: %s", self->tls_summary);
  return ok;
}

static gboolean
ehlo (PostierSmtpClient  *self,
      GError            **error)
{
  g_autoptr(PostierSmtpReply) reply = NULL;
  g_autofree char *local = postier_smtp_stream_get_local_literal (self->stream);
  g_autofree char *line = g_strdup_printf ("EHLO %s", local);

  reply = command (self, line, error);
  if (reply == NULL || !expect (reply, 2, _("The server refused EHLO: %s"), error))
    return FALSE;
  /* What was said before TLS no longer counts (RFC 3207 §4.2). */
  g_clear_pointer (&self->ehlo, postier_smtp_ehlo_free);
  self->ehlo = postier_smtp_ehlo_parse (reply);
  return TRUE;
}

static gboolean
starttls (PostierSmtpClient  *self,
          GError            **error)
{
  g_autoptr(PostierSmtpReply) reply = NULL;
  gsize discarded;

  if (!(self->ehlo->flags & POSTIER_SMTP_CAP_STARTTLS))
    {
      g_set_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_TLS,
                   _("The server %s does not offer STARTTLS, so the connection cannot be "
                     "secured; nothing was sent over it"), self->host);
      return FALSE;
    }

  reply = command (self, "STARTTLS", error);
  if (reply == NULL)
    return FALSE;
  if (reply->code != 220)
    {
      set_reply_error (error, reply, _("The server refused to start TLS: %s"));
      if (reply->code / 100 == 5)
        (*error)->code = POSTIER_SMTP_ERROR_TLS;
      return FALSE;
    }

  /* Anything after the 220 was sent in the clear before the handshake: a
   * man in the middle injecting replies (CVE-2011-0411 and kin). */
  discarded = postier_smtp_stream_discard_input (self->stream);
  if (discarded > 0)
    postier_smtp_transcript_note (self->transcript,
                                  "discarded %" G_GSIZE_FORMAT " bytes sent in the clear after STARTTLS",
                                  discarded);

  return start_tls (self, error) && ehlo (self, error);
}

static gboolean
authenticate (PostierSmtpClient  *self,
              GError            **error)
{
  PostierAuthMethod method = postier_account_get_auth (self->account);
  g_autoptr(PostierSasl) sasl = NULL;
  g_autoptr(GBytes) cb_data = NULL;
  g_autofree char *mechanism = NULL;
  g_autofree char *initial = NULL;
  g_autofree char *line = NULL;
  const char *cb_type = NULL;
  PostierTls *tls;

  if (method == POSTIER_AUTH_NONE)
    return TRUE;

  if (!postier_smtp_stream_is_secure (self->stream))
    {
      g_set_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_AUTH,
                   _("Refusing to send the password for “%s” over an unencrypted connection; "
                     "use tls or starttls security"), postier_account_get_login (self->account));
      return FALSE;
    }
  if (self->password == NULL || *self->password == '\0')
    {
      g_set_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_AUTH,
                   _("No password is known for “%s”"), postier_account_get_login (self->account));
      return FALSE;
    }
  if (!(self->ehlo->flags & POSTIER_SMTP_CAP_AUTH))
    {
      g_set_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_AUTH,
                   _("The server %s does not offer authentication (AUTH) to this client"), self->host);
      return FALSE;
    }

  tls = postier_smtp_stream_get_tls (self->stream);
  cb_type = postier_tls_get_channel_binding (tls, &cb_data);
  mechanism = postier_sasl_choose_mechanism (method, (const char * const *) self->ehlo->auth_mechanisms,
                                             cb_type != NULL, error);
  if (mechanism == NULL)
    return FALSE;
  sasl = postier_sasl_new (mechanism, postier_account_get_login (self->account), self->password,
                           self->host, self->port, cb_type, cb_data, error);
  if (sasl == NULL)
    return FALSE;

  if (postier_sasl_has_initial_response (sasl))
    {
      gboolean complete;

      initial = postier_sasl_step (sasl, NULL, &complete, error);
      if (initial == NULL)
        return FALSE;
      /* RFC 4954 §4: an empty initial response is sent as "=". */
      line = g_strdup_printf ("AUTH %s %s", mechanism, *initial != '\0' ? initial : "=");
      explicit_bzero (initial, strlen (initial));
    }
  else
    line = g_strdup_printf ("AUTH %s", mechanism);
  queue_command (self, line);
  explicit_bzero (line, strlen (line));

  for (guint round = 0; ; round++)
    {
      g_autoptr(PostierSmtpReply) reply = NULL;
      g_autofree char *response = NULL;
      g_autoptr(GError) step_error = NULL;
      gboolean complete = FALSE;

      if (!postier_smtp_stream_flush (self->stream, error))
        return FALSE;
      reply = read_reply (self, error);
      if (reply == NULL)
        return FALSE;

      if (reply->code / 100 == 2)
        break;
      if (reply->code != 334 || round > 16)
        {
          g_autofree char *said = postier_smtp_reply_to_string (reply);

          if (reply->code / 100 == 4)
            g_set_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_TEMPORARY,
                         _("The server could not check the login for “%s” now: %s"),
                         postier_account_get_login (self->account), said);
          else if (reply->code / 100 == 5)
            g_set_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_AUTH,
                         _("The server refused the login for “%s” (%s): %s"),
                         postier_account_get_login (self->account), mechanism, said);
          else
            g_set_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_PROTOCOL,
                         _("Unexpected reply to AUTH: %s"), said);
          return FALSE;
        }

      response = postier_sasl_step (sasl, reply->lines[0], &complete, &step_error);
      if (response == NULL)
        {
          g_autoptr(PostierSmtpReply) cancelled = NULL;

          /* "*" ends the exchange cleanly (RFC 4954 §4). */
          queue_command (self, "*");
          if (postier_smtp_stream_flush (self->stream, NULL))
            cancelled = read_reply (self, NULL);
          g_propagate_error (error, g_steal_pointer (&step_error));
          return FALSE;
        }
      postier_smtp_transcript_client_secret (self->transcript);
      postier_smtp_stream_queue (self->stream, response, strlen (response));
      postier_smtp_stream_queue (self->stream, "\r\n", 2);
      explicit_bzero (response, strlen (response));
    }

  g_free (self->auth_mechanism);
  self->auth_mechanism = g_steal_pointer (&mechanism);
  return TRUE;
}

/* Polite goodbye when the session ends on a refusal: the connection is
 * still sound, the server should not log a lost client. */
static void
quit_quietly (PostierSmtpClient *self)
{
  if (self->stream == NULL)
    return;
  queue_command (self, "QUIT");
  postier_smtp_stream_flush (self->stream, NULL);
}

gboolean
postier_smtp_client_open (PostierSmtpClient  *self,
                          GCancellable       *cancellable,
                          GError            **error)
{
  PostierSecurity security;
  g_autoptr(PostierSmtpReply) greeting = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (POSTIER_IS_SMTP_CLIENT (self), FALSE);
  g_return_val_if_fail (self->stream == NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  security = postier_account_get_security (self->account);
  g_clear_pointer (&self->ehlo, postier_smtp_ehlo_free);
  g_clear_pointer (&self->auth_mechanism, g_free);
  g_clear_pointer (&self->tls_summary, g_free);
  g_clear_pointer (&self->certificate_summary, g_free);
  g_clear_pointer (&self->certificate_sha256, g_free);

  if (security == POSTIER_SECURITY_NONE && !postier_host_is_loopback (self->host))
    {
      g_set_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_TLS,
                   _("Security “none” is only allowed for a server on this machine, not for “%s”"),
                   self->host);
      return FALSE;
    }

  postier_smtp_transcript_note (self->transcript, "connecting to %s port %u (%s)", self->host, self->port,
                                postier_security_to_string (security));
  self->stream = postier_smtp_stream_connect_full (self->host, self->port, self->timeout,
                                                   security == POSTIER_SECURITY_NONE,
                                                   cancellable, error);
  if (self->stream == NULL)
    return FALSE;
  postier_smtp_stream_set_cancellable (self->stream, cancellable);

  if ((security != POSTIER_SECURITY_TLS || start_tls (self, &local_error)) &&
      (greeting = read_reply (self, &local_error)) != NULL &&
      expect (greeting, 2, _("The server refused the connection: %s"), &local_error) &&
      ehlo (self, &local_error) &&
      (security != POSTIER_SECURITY_STARTTLS || starttls (self, &local_error)) &&
      authenticate (self, &local_error))
    {
      postier_smtp_stream_set_cancellable (self->stream, NULL);
      return TRUE;
    }

  if (local_error->domain == POSTIER_SMTP_ERROR &&
      local_error->code != POSTIER_SMTP_ERROR_NETWORK &&
      local_error->code != POSTIER_SMTP_ERROR_PROTOCOL &&
      local_error->code != POSTIER_SMTP_ERROR_TLS_CERTIFICATE &&
      !(local_error->code == POSTIER_SMTP_ERROR_TLS && postier_smtp_stream_get_tls (self->stream) != NULL))
    quit_quietly (self);
  postier_smtp_transcript_note (self->transcript, "error: %s", local_error->message);
  g_propagate_error (error, g_steal_pointer (&local_error));
  drop_connection (self);
  return FALSE;
}

/* ---------------------------------------------------------------------- */
/* Sending */

static void
recipient_result_clear (gpointer data)
{
  postier_smtp_recipient_result_clear (data);
}

void
postier_smtp_recipient_result_clear (PostierSmtpRecipientResult *result)
{
  if (result == NULL)
    return;
  g_clear_pointer (&result->address, g_free);
  g_clear_pointer (&result->reply, g_free);
}

/* A path that could smuggle a second command (CR, LF) or end the angle
 * brackets early must never reach the wire. */
static gboolean
path_is_safe (const char *address)
{
  for (const char *p = address; *p; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f || *p == '<' || *p == '>')
      return FALSE;
  return TRUE;
}

static gboolean
path_is_ascii (const char *address)
{
  for (const char *p = address; *p; p++)
    if ((guchar) *p >= 0x80)
      return FALSE;
  return TRUE;
}

static void
record_reply (PostierSmtpRecipientResult *result,
              const PostierSmtpReply     *reply)
{
  g_free (result->reply);
  result->reply = postier_smtp_reply_to_string (reply);
  result->code = reply->code;
  result->accepted = reply->code / 100 == 2;
}

/* Ends the DATA phase with no data: a server that said 354 although the
 * transaction cannot go on is given an empty message to refuse. */
static gboolean
abandon_data (PostierSmtpClient *self)
{
  g_autoptr(PostierSmtpReply) reply = NULL;

  postier_smtp_stream_queue (self->stream, ".\r\n", 3);
  postier_smtp_transcript_client (self->transcript, ".");
  if (postier_smtp_stream_flush (self->stream, NULL))
    reply = read_reply (self, NULL);
  return reply != NULL;
}

/* TRUE when CHUNK needs neither filter: every LF follows a CR and no line
 * starts with a dot. PREVIOUS is the byte before the chunk ('\n' at the
 * start of the message). Most chunks of a stored message are like this,
 * and a memchr() per line is several times cheaper than running both
 * filters over every byte. */
static gboolean
chunk_is_clean (const char *chunk,
                gsize       length,
                char        previous)
{
  const char *p = chunk;
  const char *end = chunk + length;

  if (length > 0 && previous == '\n' && chunk[0] == '.')
    return FALSE;
  while ((p = memchr (p, '\n', (size_t) (end - p))) != NULL)
    {
      if ((p == chunk ? previous : p[-1]) != '\r')
        return FALSE;
      p++;
      if (p < end && *p == '.')
        return FALSE;
    }
  return TRUE;
}

/* Streams the FILE_SIZE bytes of FD. The outbox never changes a message
 * file once queued, so the read that would only say "end of file" is
 * skipped. */
static gboolean
stream_message (PostierSmtpClient  *self,
                int                 fd,
                guint64             file_size,
                GCancellable       *cancellable,
                GError            **error)
{
  guint64 done = 0;
  char previous = '\n';
  char *out;
  size_t out_length, out_prespace;

  if (self->crlf_filter == NULL)
    {
      /* The outbox stores CRLF already; a stray bare LF still becomes CRLF
       * and the message ends with a line end, as the final dot needs. */
      self->crlf_filter = g_mime_filter_unix2dos_new (TRUE);
      self->dot_filter = g_mime_filter_smtp_data_new ();
      self->data_chunk = g_malloc (DATA_CHUNK);
    }
  g_mime_filter_reset (self->crlf_filter);
  g_mime_filter_reset (self->dot_filter);

  for (;;)
    {
      ssize_t got = done < file_size ? read (fd, self->data_chunk, DATA_CHUNK) : 0;
      char *crlf;
      size_t crlf_length, crlf_prespace;

      if (got < 0 && errno == EINTR)
        continue;
      if (got < 0)
        {
          int saved = errno;
          /* The server holds a partial message: the connection must go. */
          g_set_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_FAILED,
                       _("Cannot read the message: %s"), g_strerror (saved));
          return FALSE;
        }
      if (got == 0)
        break;
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;

      if (chunk_is_clean (self->data_chunk, (gsize) got, previous))
        {
          /* Already wire format: keep the filters' state as if they had
           * seen it, for the chunks that do need them. */
          postier_smtp_stream_queue (self->stream, self->data_chunk, (gsize) got);
          GMIME_FILTER_UNIX2DOS (self->crlf_filter)->pc = self->data_chunk[got - 1];
          GMIME_FILTER_SMTP_DATA (self->dot_filter)->bol = self->data_chunk[got - 1] == '\n';
        }
      else
        {
          g_mime_filter_filter (self->crlf_filter, self->data_chunk, (size_t) got, 0,
                                &crlf, &crlf_length, &crlf_prespace);
          g_mime_filter_filter (self->dot_filter, crlf, crlf_length, crlf_prespace,
                                &out, &out_length, &out_prespace);
          postier_smtp_stream_queue (self->stream, out, out_length);
        }
      previous = self->data_chunk[got - 1];
      done += (guint64) got;

      if (postier_smtp_stream_get_queued (self->stream) >= DATA_FLUSH)
        {
          if (!postier_smtp_stream_flush (self->stream, error))
            return FALSE;
          if (self->progress_func != NULL)
            self->progress_func (done, MAX (file_size, done), self->progress_data);
        }
    }

  {
    char *crlf;
    size_t crlf_length, crlf_prespace;
    char empty[1] = { 0 };

    g_mime_filter_complete (self->crlf_filter, empty, 0, 0, &crlf, &crlf_length, &crlf_prespace);
    g_mime_filter_complete (self->dot_filter, crlf, crlf_length, crlf_prespace,
                            &out, &out_length, &out_prespace);
    postier_smtp_stream_queue (self->stream, out, out_length);
  }

  postier_smtp_stream_queue (self->stream, ".\r\n", 3);
  postier_smtp_transcript_note (self->transcript, "message data: %" G_GUINT64_FORMAT " octets", done);
  postier_smtp_transcript_client (self->transcript, ".");
  if (!postier_smtp_stream_flush (self->stream, error))
    return FALSE;
  if (self->progress_func != NULL)
    self->progress_func (done, MAX (file_size, done), self->progress_data);
  return TRUE;
}

/* Whether anything in the envelope or the headers is not ASCII. */
static gboolean
is_international (PostierEnvelope *envelope)
{
  const char * const *recipients = postier_envelope_get_recipients (envelope);

  if (postier_envelope_get_needs_smtputf8 (envelope) || postier_envelope_get_utf8_headers (envelope) ||
      !path_is_ascii (postier_envelope_get_sender (envelope)))
    return TRUE;
  for (guint i = 0; recipients != NULL && recipients[i] != NULL; i++)
    if (!path_is_ascii (recipients[i]))
      return TRUE;
  return FALSE;
}

/* RFC 6531 is needed only for a non-ASCII local part or raw UTF-8 in the
 * headers. An internationalised domain alone goes as A-labels (RFC 5890),
 * which every server understands, and so does every relay after it: a
 * message sent with SMTPUTF8 bounces at the first hop that lacks it. */
static gboolean
needs_smtputf8 (PostierEnvelope *envelope)
{
  return is_international (envelope) && !postier_envelope_can_send_ascii (envelope);
}

/* The form of an address that goes on the wire: as it is with SMTPUTF8,
 * else its ASCII form (the same bytes for an ASCII address). */
static const char *
wire_address (const char *address,
              const char *ascii,
              gboolean    smtputf8)
{
  return smtputf8 || ascii == NULL ? address : ascii;
}

static char *
mail_command (PostierSmtpClient *self,
              PostierEnvelope   *envelope,
              guint64            size,
              gboolean           smtputf8)
{
  PostierSmtpCapabilities caps = self->ehlo->flags;
  GString *line = g_string_new ("MAIL FROM:<");

  g_string_append (line, wire_address (postier_envelope_get_sender (envelope),
                                       postier_envelope_get_ascii_sender (envelope), smtputf8));
  g_string_append_c (line, '>');
  if ((caps & POSTIER_SMTP_CAP_SIZE) && size > 0)
    g_string_append_printf (line, " SIZE=%" G_GUINT64_FORMAT, size);
  if ((caps & POSTIER_SMTP_CAP_8BITMIME) && postier_envelope_get_8bit (envelope))
    g_string_append (line, " BODY=8BITMIME");
  if (smtputf8)
    g_string_append (line, " SMTPUTF8");
  if ((caps & POSTIER_SMTP_CAP_DSN) && postier_account_get_request_dsn (self->account))
    g_string_append (line, " RET=HDRS");
  return g_string_free (line, FALSE);
}

static char *
rcpt_command (PostierSmtpClient *self,
              const char        *recipient)
{
  GString *line = g_string_new ("RCPT TO:<");

  g_string_append (line, recipient);
  g_string_append_c (line, '>');
  if ((self->ehlo->flags & POSTIER_SMTP_CAP_DSN) && postier_account_get_request_dsn (self->account))
    g_string_append (line, " NOTIFY=SUCCESS,FAILURE,DELAY");
  return g_string_free (line, FALSE);
}

/* Checks done before a byte is sent: nothing here may leave the session in
 * the middle of a transaction. */
static gboolean
check_message (PostierSmtpClient  *self,
               PostierEnvelope    *envelope,
               guint64             size,
               GError            **error)
{
  const char * const *recipients = postier_envelope_get_recipients (envelope);

  if (recipients == NULL || recipients[0] == NULL)
    {
      g_set_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_PERMANENT,
                   _("The message has no recipients"));
      return FALSE;
    }
  if (!path_is_safe (postier_envelope_get_sender (envelope)))
    {
      g_set_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_PERMANENT,
                   _("The sender address “%s” cannot be used in SMTP"),
                   postier_envelope_get_sender (envelope));
      return FALSE;
    }
  for (guint i = 0; recipients[i] != NULL; i++)
    {
      if (!path_is_safe (recipients[i]))
        {
          g_autofree char *shown = g_strescape (recipients[i], NULL);
          g_set_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_PERMANENT,
                       _("The recipient address “%s” cannot be used in SMTP"), shown);
          return FALSE;
        }
    }

  if (needs_smtputf8 (envelope) && !(self->ehlo->flags & POSTIER_SMTP_CAP_SMTPUTF8))
    {
      const char *address = postier_envelope_get_ascii_sender (envelope) == NULL ?
                            postier_envelope_get_sender (envelope) : NULL;

      for (guint i = 0; address == NULL && recipients[i] != NULL; i++)
        if (postier_envelope_get_ascii_recipient (envelope, i) == NULL)
          address = recipients[i];
      if (address != NULL)
        g_set_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_PERMANENT,
                     _("The address “%s” needs internationalised mail (SMTPUTF8), which the server %s "
                       "does not support"), address, self->host);
      else
        g_set_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_PERMANENT,
                     _("The message’s headers need internationalised mail (SMTPUTF8), which the server %s "
                       "does not support"), self->host);
      return FALSE;
    }

  if (self->ehlo->size_limit > 0 && size > self->ehlo->size_limit)
    {
      g_autofree char *ours = g_format_size (size);
      g_autofree char *theirs = g_format_size (self->ehlo->size_limit);
      g_autofree char *ours_exact = g_strdup_printf ("%" G_GUINT64_FORMAT, size);
      g_autofree char *theirs_exact = g_strdup_printf ("%" G_GUINT64_FORMAT, self->ehlo->size_limit);

      g_set_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_TOO_BIG,
                   _("The message is %s (%s bytes), more than the %s (%s bytes) the server %s accepts"),
                   ours, ours_exact, theirs, theirs_exact, self->host);
      return FALSE;
    }
  return TRUE;
}

static gboolean
transaction (PostierSmtpClient  *self,
             PostierEnvelope    *envelope,
             int                 fd,
             guint64             size,
             guint64             file_size,
             GArray             *results,
             GCancellable       *cancellable,
             GError            **error,
             gboolean           *broken)
{
  gboolean smtputf8 = needs_smtputf8 (envelope);
  gboolean pipelining = (self->ehlo->flags & POSTIER_SMTP_CAP_PIPELINING) != 0;
  g_autoptr(PostierSmtpReply) mail_reply = NULL;
  g_autoptr(PostierSmtpReply) data_reply = NULL;
  g_autoptr(PostierSmtpReply) end_reply = NULL;
  g_autoptr(GError) refusal = NULL;
  g_autofree char *mail = mail_command (self, envelope, size, smtputf8);
  gboolean rset = self->need_rset;
  guint accepted = 0, temporary = 0;

  *broken = TRUE;   /* until the dialogue is known to be in step */

  /* One write for RSET (when the last transaction failed), MAIL, every
   * RCPT and DATA when the server pipelines; else one at a time. */
  if (rset)
    {
      queue_command (self, "RSET");
      if (!pipelining)
        {
          g_autoptr(PostierSmtpReply) reply = NULL;

          if (!postier_smtp_stream_flush (self->stream, error) || !(reply = read_reply (self, error)))
            return FALSE;
          if (!expect (reply, 2, _("The server refused RSET: %s"), error))
            return FALSE;
        }
    }
  queue_command (self, mail);
  if (!pipelining)
    {
      if (!postier_smtp_stream_flush (self->stream, error) || !(mail_reply = read_reply (self, error)))
        return FALSE;
      self->need_rset = FALSE;
      if (mail_reply->code / 100 != 2)
        {
          *broken = FALSE;
          self->need_rset = TRUE;
          set_reply_error (error, mail_reply, _("The server refused the sender: %s"));
          return FALSE;
        }
    }

  for (guint i = 0; i < results->len; i++)
    {
      PostierSmtpRecipientResult *result = &g_array_index (results, PostierSmtpRecipientResult, i);
      g_autofree char *rcpt = rcpt_command (self, wire_address (result->address,
                                                                postier_envelope_get_ascii_recipient (envelope, i),
                                                                smtputf8));

      queue_command (self, rcpt);
      if (!pipelining)
        {
          g_autoptr(PostierSmtpReply) reply = NULL;

          if (!postier_smtp_stream_flush (self->stream, error) || !(reply = read_reply (self, error)))
            return FALSE;
          record_reply (result, reply);
        }
    }

  if (pipelining)
    {
      queue_command (self, "DATA");
      if (!postier_smtp_stream_flush (self->stream, error))
        return FALSE;
      if (rset)
        {
          g_autoptr(PostierSmtpReply) reply = read_reply (self, error);
          if (reply == NULL)
            return FALSE;
          self->need_rset = FALSE;
        }
      if (!(mail_reply = read_reply (self, error)))
        return FALSE;
      for (guint i = 0; i < results->len; i++)
        {
          g_autoptr(PostierSmtpReply) reply = read_reply (self, error);

          if (reply == NULL)
            return FALSE;
          record_reply (&g_array_index (results, PostierSmtpRecipientResult, i), reply);
        }
      if (!(data_reply = read_reply (self, error)))
        return FALSE;
    }
  self->need_rset = FALSE;

  if (mail_reply->code / 100 != 2)
    {
      /* Recipients answered a transaction that never began: their 503s say
       * nothing about them, so they count as never asked. */
      for (guint i = 0; i < results->len; i++)
        {
          PostierSmtpRecipientResult *result = &g_array_index (results, PostierSmtpRecipientResult, i);
          result->code = 0;
          result->accepted = FALSE;
          g_clear_pointer (&result->reply, g_free);
        }
      set_reply_error (&refusal, mail_reply, _("The server refused the sender: %s"));
    }
  else
    {
      const PostierSmtpRecipientResult *first_refused = NULL;

      for (guint i = 0; i < results->len; i++)
        {
          const PostierSmtpRecipientResult *result = &g_array_index (results, PostierSmtpRecipientResult, i);

          if (result->accepted)
            accepted++;
          else
            {
              if (first_refused == NULL)
                first_refused = result;
              if (result->code / 100 != 5)
                temporary++;
            }
        }
      if (accepted == 0)
        {
          /* Every refusal permanent: give up; any temporary one: retry. */
          g_set_error (&refusal, POSTIER_SMTP_ERROR,
                       temporary > 0 ? POSTIER_SMTP_ERROR_TEMPORARY : POSTIER_SMTP_ERROR_PERMANENT,
                       _("The server refused every recipient: %s"), first_refused->reply);
        }
    }

  if (refusal == NULL && !pipelining)
    {
      data_reply = command (self, "DATA", error);
      if (data_reply == NULL)
        return FALSE;
    }

  if (refusal != NULL)
    {
      *broken = data_reply != NULL && data_reply->code == 354 && !abandon_data (self);
      self->need_rset = TRUE;
      g_propagate_error (error, g_steal_pointer (&refusal));
      return FALSE;
    }

  if (data_reply->code != 354)
    {
      self->need_rset = TRUE;
      *broken = FALSE;
      if (data_reply->code / 100 == 2)
        {
          /* A 2xx to DATA would make the server read our commands as the
           * message: the two sides no longer agree. */
          *broken = TRUE;
          g_set_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_PROTOCOL,
                       _("Unexpected reply to DATA: %s"), data_reply->lines[0]);
          return FALSE;
        }
      set_reply_error (error, data_reply, _("The server refused the message data: %s"));
      return FALSE;
    }

  if (!stream_message (self, fd, file_size, cancellable, error))
    return FALSE;

  /* The server may scan the message before it answers; giving up early
   * would retry a message it went on to accept, and deliver it twice. */
  postier_smtp_stream_set_timeout (self->stream, MAX (self->timeout, END_OF_DATA_TIMEOUT));
  end_reply = read_reply (self, error);
  postier_smtp_stream_set_timeout (self->stream, self->timeout);
  if (end_reply == NULL)
    return FALSE;
  *broken = FALSE;
  if (end_reply->code / 100 != 2)
    {
      self->need_rset = TRUE;
      set_reply_error (error, end_reply, _("The server did not accept the message: %s"));
      return FALSE;
    }
  return TRUE;
}

gboolean
postier_smtp_client_send (PostierSmtpClient  *self,
                          PostierEnvelope    *envelope,
                          const char         *message_path,
                          GArray            **results,
                          GCancellable       *cancellable,
                          GError            **error)
{
  g_autoptr(GArray) array = NULL;
  g_autoptr(GError) local_error = NULL;
  const char * const *recipients;
  struct stat info;
  guint64 size;
  gboolean broken = FALSE;
  gboolean ok;
  int fd;

  g_return_val_if_fail (POSTIER_IS_SMTP_CLIENT (self), FALSE);
  g_return_val_if_fail (POSTIER_IS_ENVELOPE (envelope), FALSE);
  g_return_val_if_fail (message_path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  array = g_array_new (FALSE, TRUE, sizeof (PostierSmtpRecipientResult));
  g_array_set_clear_func (array, recipient_result_clear);
  recipients = postier_envelope_get_recipients (envelope);
  for (guint i = 0; recipients != NULL && recipients[i] != NULL; i++)
    {
      PostierSmtpRecipientResult result = { g_strdup (recipients[i]), FALSE, 0, NULL };
      g_array_append_val (array, result);
    }
  if (results != NULL)
    *results = g_array_ref (array);

  if (self->stream == NULL)
    {
      g_set_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_NETWORK,
                   _("The connection to the server is closed"));
      return FALSE;
    }
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  /* Never a link or a special file: the outbox makes neither, so one
   * there was planted to send some other file. */
  fd = g_open (message_path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0);
  if (fd >= 0 && fstat (fd, &info) == 0 && !S_ISREG (info.st_mode))
    {
      close (fd);
      fd = -1;
      errno = EINVAL;
    }
  if (fd < 0 || fstat (fd, &info) != 0)
    {
      int saved = errno;
      g_set_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_FAILED,
                   _("Cannot read the message “%s”: %s"), message_path, g_strerror (saved));
      if (fd >= 0)
        close (fd);
      return FALSE;
    }
  if (info.st_size > DATA_CHUNK)
    posix_fadvise (fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  /* The envelope's size is what the builder measured; the file is the
   * truth when it does not say. Dot-stuffing adds a little either way. */
  size = postier_envelope_get_size (envelope);
  if (size == 0)
    size = (guint64) info.st_size;

  if (!check_message (self, envelope, size, &local_error))
    {
      close (fd);
      postier_smtp_transcript_note (self->transcript, "not sent: %s", local_error->message);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  postier_smtp_stream_set_cancellable (self->stream, cancellable);
  ok = transaction (self, envelope, fd, size, (guint64) info.st_size, array, cancellable, &local_error, &broken);
  close (fd);

  if (ok)
    {
      postier_smtp_stream_set_cancellable (self->stream, NULL);
      return TRUE;
    }

  /* Nobody has the message unless the end of data was accepted: a retry
   * must go to every recipient whose RCPT TO had been accepted too. */
  for (guint i = 0; i < array->len; i++)
    g_array_index (array, PostierSmtpRecipientResult, i).accepted = FALSE;

  /* A refusal leaves the session usable; anything that may have left the
   * two sides out of step (network, protocol, cancel mid-data) ends it. */
  if (broken || local_error->domain != POSTIER_SMTP_ERROR ||
      local_error->code == POSTIER_SMTP_ERROR_NETWORK ||
      local_error->code == POSTIER_SMTP_ERROR_PROTOCOL ||
      local_error->code == POSTIER_SMTP_ERROR_FAILED)
    drop_connection (self);
  else
    postier_smtp_stream_set_cancellable (self->stream, NULL);
  postier_smtp_transcript_note (self->transcript, "error: %s", local_error->message);
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

void
postier_smtp_client_close (PostierSmtpClient *self,
                           GCancellable      *cancellable)
{
  g_autoptr(PostierSmtpReply) reply = NULL;

  g_return_if_fail (POSTIER_IS_SMTP_CLIENT (self));

  if (self->stream == NULL)
    return;
  postier_smtp_stream_set_cancellable (self->stream, cancellable);
  postier_smtp_stream_set_timeout (self->stream, MIN (self->timeout, QUIT_TIMEOUT));
  queue_command (self, "QUIT");
  if (postier_smtp_stream_flush (self->stream, NULL))
    reply = read_reply (self, NULL);
  drop_connection (self);
}

gboolean
postier_smtp_client_is_open (PostierSmtpClient *self)
{
  g_return_val_if_fail (POSTIER_IS_SMTP_CLIENT (self), FALSE);
  return self->stream != NULL;
}

/* ---------------------------------------------------------------------- */
/* What the session learnt */

PostierSmtpCapabilities
postier_smtp_client_get_capabilities (PostierSmtpClient *self)
{
  g_return_val_if_fail (POSTIER_IS_SMTP_CLIENT (self), POSTIER_SMTP_CAP_NONE);
  return self->ehlo != NULL ? self->ehlo->flags : POSTIER_SMTP_CAP_NONE;
}

const char * const *
postier_smtp_client_get_capability_lines (PostierSmtpClient *self)
{
  static const char * const none[] = { NULL };

  g_return_val_if_fail (POSTIER_IS_SMTP_CLIENT (self), NULL);
  return self->ehlo != NULL ? (const char * const *) self->ehlo->lines : none;
}

guint64
postier_smtp_client_get_size_limit (PostierSmtpClient *self)
{
  g_return_val_if_fail (POSTIER_IS_SMTP_CLIENT (self), 0);
  return self->ehlo != NULL ? self->ehlo->size_limit : 0;
}

const char *
postier_smtp_client_get_auth_mechanism (PostierSmtpClient *self)
{
  g_return_val_if_fail (POSTIER_IS_SMTP_CLIENT (self), NULL);
  return self->auth_mechanism;
}

const char *
postier_smtp_client_get_tls_summary (PostierSmtpClient *self)
{
  g_return_val_if_fail (POSTIER_IS_SMTP_CLIENT (self), NULL);
  return self->tls_summary;
}

const char *
postier_smtp_client_get_certificate_summary (PostierSmtpClient *self)
{
  g_return_val_if_fail (POSTIER_IS_SMTP_CLIENT (self), NULL);
  return self->certificate_summary;
}

const char *
postier_smtp_client_get_certificate_sha256 (PostierSmtpClient *self)
{
  g_return_val_if_fail (POSTIER_IS_SMTP_CLIENT (self), NULL);
  return self->certificate_sha256;
}

char *
postier_smtp_client_take_transcript (PostierSmtpClient *self)
{
  g_return_val_if_fail (POSTIER_IS_SMTP_CLIENT (self), NULL);
  return postier_smtp_transcript_take (self->transcript);
}
