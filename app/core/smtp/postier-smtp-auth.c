/* postier-smtp-auth.c — the SMTP AUTH exchange (RFC 4954) of a session
 *
 * Its own file because it is one job with its own rules: never a password
 * over a plain connection, a mechanism chosen from what the server offers
 * (with TLS channel binding when it can), every secret wiped from memory
 * as soon as it is on the wire and redacted from the transcript. The SASL
 * mechanisms themselves are GNU SASL's, through postier-sasl.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-smtp-client"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "postier-error.h"
#include "postier-password.h"
#include "postier-sasl.h"
#include "postier-smtp-client-private.h"

/* Challenges answered before giving up: more than any mechanism we speak
 * needs, so only a server that never ends the exchange reaches it. */
#define AUTH_ROUNDS_MAX 16

/* Queues LINE, which carries a secret, so the stream wipes it once sent. */
static void
queue_secret_line (PostierSmtpClient *self,
                   const char        *line)
{
  postier_smtp_stream_queue_secret (self->stream, line, strlen (line));
  postier_smtp_stream_queue_secret (self->stream, "\r\n", 2);
}

/* What must hold before a login is attempted at all. */
static gboolean
check_can_authenticate (PostierSmtpClient  *self,
                        GError            **error)
{
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
  return TRUE;
}

/* Picks the mechanism from the server's list (binding to the TLS channel
 * when the mechanism and the connection allow) and starts the SASL side. */
static PostierSasl *
start_sasl (PostierSmtpClient  *self,
            PostierAuthMethod   method,
            char              **mechanism,
            GError            **error)
{
  PostierTls *tls = postier_smtp_stream_get_tls (self->stream);
  g_autoptr(GBytes) cb_data = NULL;
  const char *cb_type = postier_tls_get_channel_binding (tls, &cb_data);

  *mechanism = postier_sasl_choose_mechanism (method, (const char * const *) self->ehlo->auth_mechanisms,
                                              cb_type != NULL, error);
  if (*mechanism == NULL)
    return NULL;
  return postier_sasl_new (*mechanism, postier_account_get_login (self->account), self->password,
                           self->host, self->port, cb_type, cb_data, error);
}

/* Queues "AUTH MECHANISM", with the initial response when the mechanism
 * sends one first. */
static gboolean
queue_auth_command (PostierSmtpClient  *self,
                    PostierSasl        *sasl,
                    const char         *mechanism,
                    GError            **error)
{
  g_autofree char *initial = NULL;
  g_autofree char *line = NULL;

  if (postier_sasl_has_initial_response (sasl))
    {
      gboolean complete;

      initial = postier_sasl_step (sasl, NULL, &complete, error);
      if (initial == NULL)
        return FALSE;
      /* RFC 4954 §4: an empty initial response is sent as "=". */
      line = g_strdup_printf ("AUTH %s %s", mechanism, *initial != '\0' ? initial : "=");
      postier_password_wipe (initial);
    }
  else
    line = g_strdup_printf ("AUTH %s", mechanism);
  postier_smtp_transcript_client (self->transcript, line);
  queue_secret_line (self, line);
  postier_password_wipe (line);
  return TRUE;
}

/* A reply that ends the exchange without a login: 4xx try later, 5xx the
 * credentials were refused, anything else is not SMTP AUTH. */
static void
set_refused_error (PostierSmtpClient       *self,
                   const PostierSmtpReply  *reply,
                   const char              *mechanism,
                   GError                 **error)
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
}

/* Queues the answer to one 334 challenge. When the SASL side cannot
 * answer, ends the exchange with "*" and fails. */
static gboolean
answer_challenge (PostierSmtpClient       *self,
                  PostierSasl             *sasl,
                  const PostierSmtpReply  *challenge,
                  GError                 **error)
{
  g_autofree char *response = NULL;
  g_autoptr(GError) step_error = NULL;
  gboolean complete = FALSE;

  response = postier_sasl_step (sasl, challenge->lines[0], &complete, &step_error);
  if (response == NULL)
    {
      g_autoptr(PostierSmtpReply) cancelled = NULL;

      /* "*" ends the exchange cleanly (RFC 4954 §4). */
      _postier_smtp_client_queue_command (self, "*");
      if (postier_smtp_stream_flush (self->stream, NULL))
        cancelled = _postier_smtp_client_read_reply (self, NULL);
      g_propagate_error (error, g_steal_pointer (&step_error));
      return FALSE;
    }
  postier_smtp_transcript_client_secret (self->transcript);
  queue_secret_line (self, response);
  postier_password_wipe (response);
  return TRUE;
}

gboolean
_postier_smtp_client_authenticate (PostierSmtpClient  *self,
                                   GError            **error)
{
  PostierAuthMethod method = postier_account_get_auth (self->account);
  g_autoptr(PostierSasl) sasl = NULL;
  g_autofree char *mechanism = NULL;

  if (method == POSTIER_AUTH_NONE)
    return TRUE;
  if (!check_can_authenticate (self, error))
    return FALSE;
  sasl = start_sasl (self, method, &mechanism, error);
  if (sasl == NULL || !queue_auth_command (self, sasl, mechanism, error))
    return FALSE;

  for (guint round = 0; ; round++)
    {
      g_autoptr(PostierSmtpReply) reply = NULL;

      if (!postier_smtp_stream_flush (self->stream, error))
        return FALSE;
      reply = _postier_smtp_client_read_reply (self, error);
      if (reply == NULL)
        return FALSE;

      if (reply->code / 100 == 2)
        break;
      if (reply->code != 334 || round > AUTH_ROUNDS_MAX)
        {
          set_refused_error (self, reply, mechanism, error);
          return FALSE;
        }
      if (!answer_challenge (self, sasl, reply, error))
        return FALSE;
    }

  g_free (self->auth_mechanism);
  self->auth_mechanism = g_steal_pointer (&mechanism);
  return TRUE;
}
