/* postier-smtp-client.c — one SMTP submission session
 *
 * The session itself: connect, implicit TLS or STARTTLS with its checks,
 * greeting, EHLO (capabilities parsed once into flags), QUIT, and what the
 * session learnt. The login is postier-smtp-auth.c's job and each message
 * postier-smtp-transaction.c's; the three share
 * postier-smtp-client-private.h. One function per protocol step, as msmtp
 * does.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-smtp-client"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "postier-error.h"
#include "postier-password.h"
#include "postier-smtp-client-private.h"

/* Seconds to wait for the reply to QUIT: the work is done, only the
 * courtesy is left. */
#define QUIT_TIMEOUT 5
/* Seconds for connect and for each read or write, unless set_timeout(). */
#define DEFAULT_TIMEOUT 60

G_DEFINE_FINAL_TYPE (PostierSmtpClient, postier_smtp_client, G_TYPE_OBJECT)

void
_postier_smtp_client_drop_connection (PostierSmtpClient *self)
{
  g_clear_pointer (&self->stream, postier_smtp_stream_free);
  self->state = POSTIER_SMTP_SESSION_CLOSED;
}

static void
postier_smtp_client_finalize (GObject *object)
{
  PostierSmtpClient *self = POSTIER_SMTP_CLIENT (object);

  _postier_smtp_client_drop_connection (self);
  g_clear_pointer (&self->password, postier_password_free);
  if (self->token_destroy != NULL)
    self->token_destroy (self->token_data);
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
  self->timeout = DEFAULT_TIMEOUT;
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

  g_clear_pointer (&self->password, postier_password_free);
  self->password = g_strdup (password);
}

void
postier_smtp_client_set_token_func (PostierSmtpClient    *self,
                                    PostierSmtpTokenFunc  func,
                                    gpointer              user_data,
                                    GDestroyNotify        destroy)
{
  g_return_if_fail (POSTIER_IS_SMTP_CLIENT (self));

  if (self->token_destroy != NULL)
    self->token_destroy (self->token_data);
  self->token_func = func;
  self->token_data = user_data;
  self->token_destroy = destroy;
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

void
_postier_smtp_client_queue_command (PostierSmtpClient *self,
                                    const char        *command)
{
  postier_smtp_transcript_client (self->transcript, command);
  postier_smtp_stream_queue (self->stream, command, strlen (command));
  postier_smtp_stream_queue (self->stream, "\r\n", 2);
}

PostierSmtpReply *
_postier_smtp_client_read_reply (PostierSmtpClient  *self,
                                 GError            **error)
{
  PostierSmtpReply *reply = postier_smtp_stream_read_reply (self->stream, error);

  if (reply != NULL)
    postier_smtp_transcript_server (self->transcript, reply);
  return reply;
}

PostierSmtpReply *
_postier_smtp_client_command (PostierSmtpClient  *self,
                              const char         *text,
                              GError            **error)
{
  _postier_smtp_client_queue_command (self, text);
  if (!postier_smtp_stream_flush (self->stream, error))
    return NULL;
  return _postier_smtp_client_read_reply (self, error);
}

void
_postier_smtp_client_set_reply_error (GError                **error,
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

gboolean
_postier_smtp_client_expect (PostierSmtpReply  *reply,
                             guint              code_class,
                             const char        *message,
                             GError           **error)
{
  if (reply->code / 100 == code_class)
    return TRUE;
  _postier_smtp_client_set_reply_error (error, reply, message);
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

  reply = _postier_smtp_client_command (self, line, error);
  if (reply == NULL || !_postier_smtp_client_expect (reply, 2, _("The server refused EHLO: %s"), error))
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

  reply = _postier_smtp_client_command (self, "STARTTLS", error);
  if (reply == NULL)
    return FALSE;
  if (reply->code != 220)
    {
      _postier_smtp_client_set_reply_error (error, reply, _("The server refused to start TLS: %s"));
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

/* Polite goodbye when the session ends on a refusal: the connection is
 * still sound, the server should not log a lost client. */
static void
quit_quietly (PostierSmtpClient *self)
{
  if (self->stream == NULL)
    return;
  _postier_smtp_client_queue_command (self, "QUIT");
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
      (greeting = _postier_smtp_client_read_reply (self, &local_error)) != NULL &&
      _postier_smtp_client_expect (greeting, 2, _("The server refused the connection: %s"), &local_error) &&
      ehlo (self, &local_error) &&
      (security != POSTIER_SECURITY_STARTTLS || starttls (self, &local_error)) &&
      _postier_smtp_client_authenticate (self, &local_error))
    {
      postier_smtp_stream_set_cancellable (self->stream, NULL);
      self->state = POSTIER_SMTP_SESSION_IN_STEP;
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
  _postier_smtp_client_drop_connection (self);
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
  _postier_smtp_client_queue_command (self, "QUIT");
  if (postier_smtp_stream_flush (self->stream, NULL))
    reply = _postier_smtp_client_read_reply (self, NULL);
  _postier_smtp_client_drop_connection (self);
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
