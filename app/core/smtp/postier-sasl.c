/* postier-sasl.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-sasl"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <gsasl.h>
#include <string.h>

#include "postier-error.h"
#include "postier-password.h"
#include "postier-sasl.h"

typedef enum {
  OAUTH_NONE,
  OAUTH_XOAUTH2,
  OAUTH_OAUTHBEARER,
} OAuthKind;

struct _PostierSasl {
  char          *mechanism;
  char          *user;
  char          *secret;
  char          *host;
  guint          port;
  char          *cb_type;
  char          *cb_base64;

  Gsasl         *context;
  Gsasl_session *session;

  OAuthKind      oauth;
  guint          steps;
  gboolean       complete;
};

/* Strongest first. CRAM-MD5 ranks above PLAIN: inside TLS both are safe
 * on the wire, but CRAM-MD5 never hands the password to the server. */
static const char * const auto_order[] = {
  "SCRAM-SHA-256-PLUS",
  "SCRAM-SHA-1-PLUS",
  "SCRAM-SHA-256",
  "SCRAM-SHA-1",
  "CRAM-MD5",
  "PLAIN",
  "LOGIN",
};

static gboolean
offered_has (const char * const *offered,
             const char         *mechanism)
{
  for (guint i = 0; offered != NULL && offered[i] != NULL; i++)
    if (g_ascii_strcasecmp (offered[i], mechanism) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
client_supports (const char *mechanism)
{
  static gsize initialized = 0;
  static char *supported = NULL;

  if (g_str_equal (mechanism, "XOAUTH2") || g_str_equal (mechanism, "OAUTHBEARER"))
    return TRUE;

  if (g_once_init_enter (&initialized))
    {
      Gsasl *context = NULL;
      char *list = NULL;

      if (gsasl_init (&context) == GSASL_OK && gsasl_client_mechlist (context, &list) == GSASL_OK)
        {
          supported = g_strconcat (" ", list, " ", NULL);
          gsasl_free (list);
        }
      if (context != NULL)
        gsasl_done (context);
      g_once_init_leave (&initialized, 1);
    }

  if (supported != NULL)
    {
      g_autofree char *needle = g_strconcat (" ", mechanism, " ", NULL);
      return strstr (supported, needle) != NULL;
    }
  return FALSE;
}

static char *
offered_text (const char * const *offered)
{
  if (offered == NULL || offered[0] == NULL)
    return g_strdup (_("none"));
  return g_strjoinv (" ", (char **) offered);
}

char *
postier_sasl_choose_mechanism (PostierAuthMethod   method,
                               const char * const *offered,
                               gboolean            have_channel_binding,
                               GError            **error)
{
  const char *wanted[3] = { NULL, NULL, NULL };
  g_autofree char *available = offered_text (offered);

  switch (method)
    {
    case POSTIER_AUTH_AUTO:
      for (guint i = 0; i < G_N_ELEMENTS (auto_order); i++)
        {
          if (g_str_has_suffix (auto_order[i], "-PLUS") && !have_channel_binding)
            continue;
          if (offered_has (offered, auto_order[i]) && client_supports (auto_order[i]))
            return g_strdup (auto_order[i]);
        }
      g_set_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_AUTH,
                   _("The server offers no authentication mechanism Postier can use (it offers: %s)"),
                   available);
      return NULL;
    case POSTIER_AUTH_PLAIN:
      wanted[0] = "PLAIN";
      break;
    case POSTIER_AUTH_LOGIN:
      wanted[0] = "LOGIN";
      break;
    case POSTIER_AUTH_CRAM_MD5:
      wanted[0] = "CRAM-MD5";
      break;
    case POSTIER_AUTH_SCRAM_SHA_1:
      wanted[0] = have_channel_binding ? "SCRAM-SHA-1-PLUS" : "SCRAM-SHA-1";
      wanted[1] = "SCRAM-SHA-1";
      break;
    case POSTIER_AUTH_SCRAM_SHA_256:
      wanted[0] = have_channel_binding ? "SCRAM-SHA-256-PLUS" : "SCRAM-SHA-256";
      wanted[1] = "SCRAM-SHA-256";
      break;
    case POSTIER_AUTH_XOAUTH2:
      wanted[0] = "OAUTHBEARER";
      wanted[1] = "XOAUTH2";
      break;
    case POSTIER_AUTH_NONE:
    default:
      g_return_val_if_reached (NULL);
    }

  for (guint i = 0; wanted[i] != NULL; i++)
    if (offered_has (offered, wanted[i]) && client_supports (wanted[i]))
      return g_strdup (wanted[i]);

  g_set_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_AUTH,
               _("The account uses %s authentication, which the server does not offer (it offers: %s)"),
               wanted[method == POSTIER_AUTH_XOAUTH2 ? 1 : 0], available);
  return NULL;
}

/* ---------------------------------------------------------------------- */

static int
property_callback (Gsasl          *context,
                   Gsasl_session  *session,
                   Gsasl_property  property)
{
  PostierSasl *self = gsasl_callback_hook_get (context);
  const char *value = NULL;

  switch (property)
    {
    case GSASL_AUTHID:
      value = self->user;
      break;
    case GSASL_PASSWORD:
      value = self->secret;
      break;
    case GSASL_SERVICE:
      value = "smtp";
      break;
    case GSASL_HOSTNAME:
      value = self->host;
      break;
    case GSASL_CB_TLS_UNIQUE:
      if (g_strcmp0 (self->cb_type, "tls-unique") == 0)
        value = self->cb_base64;
      break;
    case GSASL_CB_TLS_EXPORTER:
      if (g_strcmp0 (self->cb_type, "tls-exporter") == 0)
        value = self->cb_base64;
      break;
    default:
      break;
    }
  if (value == NULL)
    return GSASL_NO_CALLBACK;
  return gsasl_property_set (session, property, value);
}

PostierSasl *
postier_sasl_new (const char  *mechanism,
                  const char  *user,
                  const char  *secret,
                  const char  *host,
                  guint        port,
                  const char  *cb_type,
                  GBytes      *cb_data,
                  GError     **error)
{
  g_autoptr(PostierSasl) self = NULL;
  int rc;

  g_return_val_if_fail (mechanism != NULL, NULL);
  g_return_val_if_fail (user != NULL, NULL);
  g_return_val_if_fail (secret != NULL, NULL);

  self = g_new0 (PostierSasl, 1);
  self->mechanism = g_ascii_strup (mechanism, -1);
  self->user = g_strdup (user);
  self->secret = g_strdup (secret);
  self->host = g_strdup (host != NULL ? host : "localhost");
  self->port = port;
  /* Channel binding goes to the -PLUS mechanisms only. Offered to plain
   * SCRAM it would mean the "y" flag (RFC 5802 §6), which libgsasl 2.2's
   * client refuses to produce (GSASL_AUTHENTICATION_ERROR at the first
   * step), so plain SCRAM says "n" instead. */
  if (cb_type != NULL && cb_data != NULL && g_str_has_suffix (self->mechanism, "-PLUS"))
    {
      gsize length;
      const guchar *data = g_bytes_get_data (cb_data, &length);

      self->cb_type = g_strdup (cb_type);
      self->cb_base64 = g_base64_encode (data, length);
    }

  if (g_str_equal (self->mechanism, "XOAUTH2"))
    {
      self->oauth = OAUTH_XOAUTH2;
      return g_steal_pointer (&self);
    }
  if (g_str_equal (self->mechanism, "OAUTHBEARER"))
    {
      self->oauth = OAUTH_OAUTHBEARER;
      return g_steal_pointer (&self);
    }

  rc = gsasl_init (&self->context);
  if (rc != GSASL_OK)
    {
      g_set_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_AUTH,
                   _("Cannot start authentication: %s"), gsasl_strerror (rc));
      return NULL;
    }
  gsasl_callback_set (self->context, property_callback);
  gsasl_callback_hook_set (self->context, self);

  rc = gsasl_client_start (self->context, self->mechanism, &self->session);
  if (rc != GSASL_OK)
    {
      g_set_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_AUTH,
                   _("Cannot start %s authentication: %s"), self->mechanism, gsasl_strerror (rc));
      return NULL;
    }
  return g_steal_pointer (&self);
}

void
postier_sasl_free (PostierSasl *self)
{
  if (self == NULL)
    return;
  if (self->session != NULL)
    gsasl_finish (self->session);
  if (self->context != NULL)
    gsasl_done (self->context);
  g_free (self->mechanism);
  g_clear_pointer (&self->user, postier_password_free);
  g_clear_pointer (&self->secret, postier_password_free);
  g_free (self->host);
  g_free (self->cb_type);
  g_free (self->cb_base64);
  g_free (self);
}

gboolean
postier_sasl_has_initial_response (PostierSasl *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  /* LOGIN and CRAM-MD5 wait for the server's first challenge. */
  return !g_str_equal (self->mechanism, "LOGIN") && !g_str_equal (self->mechanism, "CRAM-MD5");
}

/* RFC 7628 §3.1: the gs2 header's saslname escapes ',' and '='. */
static void
append_saslname (GString    *out,
                 const char *name)
{
  for (const char *p = name; *p; p++)
    {
      if (*p == ',')
        g_string_append (out, "=2C");
      else if (*p == '=')
        g_string_append (out, "=3D");
      else
        g_string_append_c (out, *p);
    }
}

static char *
oauth_step (PostierSasl *self,
            const char  *challenge,
            gboolean    *complete)
{
  g_autoptr(GString) message = NULL;
  char *encoded;

  *complete = TRUE;
  if (self->steps++ > 0 || challenge != NULL)
    {
      /* A challenge after the token is the server's error report (JSON);
       * the reply that ends the exchange is empty for XOAUTH2 and a lone
       * ^A for OAUTHBEARER, and the server then says 535. */
      return g_strdup (self->oauth == OAUTH_OAUTHBEARER ? "AQ==" : "");
    }

  /* The token is appended by itself, into room sized for the longest form
   * (every user byte escaped): a GString that grows, or a printf's scratch
   * buffer, would leave a copy of it behind, unwiped. */
  message = g_string_sized_new (3 * strlen (self->user) + strlen (self->host) + strlen (self->secret) + 64);
  if (self->oauth == OAUTH_XOAUTH2)
    {
      g_string_append (message, "user=");
      g_string_append (message, self->user);
      g_string_append (message, "\001auth=Bearer ");
    }
  else
    {
      g_string_append (message, "n,a=");
      append_saslname (message, self->user);
      g_string_append_printf (message, ",\001host=%s\001port=%u\001auth=Bearer ", self->host, self->port);
    }
  g_string_append (message, self->secret);
  g_string_append (message, "\001\001");
  encoded = g_base64_encode ((const guchar *) message->str, message->len);
  explicit_bzero (message->str, message->len);
  return encoded;
}

static gboolean
valid_base64 (const char *text)
{
  gsize length = strlen (text);

  if (length % 4 != 0)
    return FALSE;
  for (gsize i = 0; i < length; i++)
    {
      char c = text[i];
      if (!(g_ascii_isalnum (c) || c == '+' || c == '/' || (c == '=' && i >= length - 2)))
        return FALSE;
    }
  return TRUE;
}

char *
postier_sasl_step (PostierSasl  *self,
                   const char   *challenge,
                   gboolean     *complete,
                   GError      **error)
{
  char *output = NULL;
  char *result;
  int rc;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (complete != NULL, NULL);

  if (self->oauth != OAUTH_NONE)
    return oauth_step (self, challenge, complete);

  if (self->complete)
    {
      /* RFC 4954: extra challenges after our side is done get an empty
       * response; the server decides with 235 or 535. */
      *complete = TRUE;
      return g_strdup ("");
    }

  if (challenge != NULL && !valid_base64 (challenge))
    {
      g_set_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_AUTH,
                   _("The server sent a malformed %s challenge"), self->mechanism);
      return NULL;
    }

  rc = gsasl_step64 (self->session, challenge, &output);
  if (rc != GSASL_OK && rc != GSASL_NEEDS_MORE)
    {
      if (output != NULL)
        {
          postier_password_wipe (output);
          gsasl_free (output);
        }
      if (rc == GSASL_AUTHENTICATION_ERROR)
        g_set_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_AUTH,
                     _("The server failed to prove it knows the password (%s); "
                       "it may not be the server it claims to be"), self->mechanism);
      else
        g_set_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_AUTH,
                     _("%s authentication failed: %s"), self->mechanism, gsasl_strerror (rc));
      return NULL;
    }
  self->steps++;
  self->complete = rc == GSASL_OK;
  *complete = self->complete;

  result = g_strdup (output != NULL ? output : "");
  if (output != NULL)
    {
      postier_password_wipe (output);
      gsasl_free (output);
    }
  return result;
}
