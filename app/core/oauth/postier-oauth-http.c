/* postier-oauth-http.c — the HTTP side of OAuth 2.0 (see the header)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-oauth"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>

#include "postier-account.h"
#include "postier-error.h"
#include "postier-oauth-http.h"

/* Bodies bigger than this are not OAuth answers. */
#define MAX_BODY (256 * 1024)

gboolean
postier_oauth_http_url_is_allowed (const char  *url,
                                   GError     **error)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  const char *scheme = uri != NULL ? g_uri_get_scheme (uri) : NULL;
  const char *host = uri != NULL ? g_uri_get_host (uri) : NULL;

  if (uri != NULL && host != NULL && *host != '\0' && g_ascii_strcasecmp (scheme, "https") == 0)
    return TRUE;
  if (uri != NULL && host != NULL && g_ascii_strcasecmp (scheme, "http") == 0 &&
      postier_host_is_loopback (host))
    return TRUE;
  g_set_error (error, POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_INVALID,
               _("“%s” is not a usable sign-in address: it must start with https:// "
                 "(plain http only on this machine, 127.0.0.1 or localhost)"), url);
  return FALSE;
}

static SoupSession *
new_session (void)
{
  return soup_session_new_with_options ("timeout", POSTIER_OAUTH_HTTP_TIMEOUT,
                                        "idle-timeout", POSTIER_OAUTH_HTTP_TIMEOUT,
                                        "user-agent", "Postier/" PACKAGE_VERSION,
                                        NULL);
}

/* Sends MESSAGE and parses its body as a JSON object. */
static JsonObject *
send_for_json (SoupMessage   *message,
               guint         *status,
               GCancellable  *cancellable,
               GError       **error)
{
  g_autoptr(SoupSession) session = new_session ();
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *url = g_uri_to_string (soup_message_get_uri (message));
  JsonNode *root;

  soup_message_add_flags (message, SOUP_MESSAGE_NO_REDIRECT);
  soup_message_headers_replace (soup_message_get_request_headers (message), "Accept", "application/json");
  body = soup_session_send_and_read (session, message, cancellable, &local_error);
  if (body == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_NETWORK,
                     _("Cannot reach %s: %s"), url, local_error->message);
      return NULL;
    }
  if (status != NULL)
    *status = soup_message_get_status (message);
  if (g_bytes_get_size (body) == 0 || g_bytes_get_size (body) > MAX_BODY ||
      !json_parser_load_from_data (parser, g_bytes_get_data (body, NULL),
                                   (gssize) g_bytes_get_size (body), NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_NETWORK,
                   _("%s answered %u %s without the expected JSON"), url,
                   soup_message_get_status (message), soup_message_get_reason_phrase (message));
      return NULL;
    }
  return json_object_ref (json_node_get_object (root));
}

JsonObject *
postier_oauth_http_get_json (const char    *url,
                             GCancellable  *cancellable,
                             GError       **error)
{
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(JsonObject) object = NULL;
  guint status = 0;

  if (!postier_oauth_http_url_is_allowed (url, error))
    return NULL;
  message = soup_message_new ("GET", url);
  if (message == NULL)
    {
      g_set_error (error, POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_INVALID,
                   _("“%s” is not a valid address"), url);
      return NULL;
    }
  object = send_for_json (message, &status, cancellable, error);
  if (object == NULL)
    return NULL;
  if (status != 200)
    {
      g_set_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_NETWORK,
                   _("%s answered %u %s"), url, status, soup_message_get_reason_phrase (message));
      return NULL;
    }
  return g_steal_pointer (&object);
}

JsonObject *
postier_oauth_http_post_form (const char    *url,
                              guint         *status,
                              GCancellable  *cancellable,
                              GError       **error,
                              const char    *first_name,
                              ...)
{
  g_autoptr(GHashTable) form = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(SoupMessage) message = NULL;
  va_list args;
  char *encoded;

  if (!postier_oauth_http_url_is_allowed (url, error))
    return NULL;
  va_start (args, first_name);
  for (const char *name = first_name; name != NULL; name = va_arg (args, const char *))
    {
      const char *value = va_arg (args, const char *);

      if (value != NULL)
        g_hash_table_insert (form, (char *) name, (char *) value);
    }
  va_end (args);

  /* The form carries codes and tokens: soup_form_encode_hash's string goes
   * to the message, which frees it. */
  encoded = soup_form_encode_hash (form);
  message = soup_message_new_from_encoded_form ("POST", url, encoded);
  if (message == NULL)
    {
      g_set_error (error, POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_INVALID,
                   _("“%s” is not a valid address"), url);
      return NULL;
    }
  return send_for_json (message, status, cancellable, error);
}
