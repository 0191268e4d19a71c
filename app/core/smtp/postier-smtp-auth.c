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
#include <json-glib/json-glib.h>
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

/* Whether CHALLENGE, a 334 to XOAUTH2 or OAUTHBEARER, is the server's
 * report that the token is invalid or expired (RFC 7628 §3.2.2's
 * "invalid_token"; Google's and Dovecot's XOAUTH2 say "401"): a fresh
 * token may then succeed where another status (scope, request) would not. */
static gboolean
is_token_refused (const char *mechanism,
                  const char *challenge)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autofree guchar *json = NULL;
  JsonNode *root;
  const char *status;
  gsize len = 0;

  if (!g_str_equal (mechanism, "XOAUTH2") && !g_str_equal (mechanism, "OAUTHBEARER"))
    return FALSE;
  json = g_base64_decode (challenge, &len);
  parser = json_parser_new ();
  if (len == 0 || !json_parser_load_from_data (parser, (const char *) json, (gssize) len, NULL))
    return FALSE;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return FALSE;
  status = json_object_get_string_member_with_default (json_node_get_object (root), "status", "");
  return g_str_equal (status, "401") || g_str_equal (status, "invalid_token");
}

/* One AUTH exchange with the current password or token. *TOKEN_REFUSED
 * says whether a refusal was the server's "invalid token" report. */
static gboolean
run_exchange (PostierSmtpClient  *self,
              PostierAuthMethod   method,
              char              **mechanism_out,
              gboolean           *token_refused,
              GError            **error)
{
  g_autoptr(PostierSasl) sasl = NULL;
  g_autofree char *mechanism = NULL;

  *token_refused = FALSE;
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
      if (is_token_refused (mechanism, reply->lines[0]))
        *token_refused = TRUE;
      if (!answer_challenge (self, sasl, reply, error))
        return FALSE;
    }

  *mechanism_out = g_steal_pointer (&mechanism);
  return TRUE;
}

gboolean
_postier_smtp_client_authenticate (PostierSmtpClient  *self,
                                   GError            **error)
{
  PostierAuthMethod method = postier_account_get_auth (self->account);
  g_autoptr(GError) local_error = NULL;
  g_autofree char *mechanism = NULL;
  g_autofree char *token = NULL;
  gboolean token_refused;

  if (method == POSTIER_AUTH_NONE)
    return TRUE;
  if (!check_can_authenticate (self, error))
    return FALSE;
  if (!run_exchange (self, method, &mechanism, &token_refused, &local_error))
    {
      /* An expired or revoked access token: one fresh token, one more
       * try on the same connection (RFC 4954 allows AUTH after a 535). */
      if (!token_refused || self->token_func == NULL ||
          !g_error_matches (local_error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_AUTH))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      postier_smtp_transcript_note (self->transcript, "the access token was refused; refreshing it");
      token = self->token_func (self->token_data, error);
      if (token == NULL)
        return FALSE;
      g_clear_pointer (&self->password, postier_password_free);
      self->password = g_steal_pointer (&token);
      postier_smtp_transcript_note (self->transcript, "access token refreshed; AUTH again");
      if (!run_exchange (self, method, &mechanism, &token_refused, error))
        return FALSE;
    }

  g_free (self->auth_mechanism);
  self->auth_mechanism = g_steal_pointer (&mechanism);
  return TRUE;
}
