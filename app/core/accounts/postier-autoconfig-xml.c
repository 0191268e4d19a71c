/* postier-autoconfig-xml.c — reading Mozilla's config-v1.1.xml
 *
 * The format: https://wiki.mozilla.org/Thunderbird:Autoconfiguration:ConfigFileFormat
 * Everything but clientConfig/emailProvider/{displayName,outgoingServer}
 * is skipped. GMarkup is strict (no DTD, no entities beyond XML's five),
 * which a config file never needs.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-autoconfig"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "postier-autoconfig-http.h"
#include "postier-error.h"

#define MAX_DEPTH 32

typedef struct {
  const char *address;
  GPtrArray  *found;           /* PostierServerSuggestion */
  GString    *text;            /* the current leaf's text */
  char       *provider_name;
  guint       depth;
  guint       outgoing_depth;  /* depth of an open outgoingServer type="smtp", else 0 */
  /* The open outgoingServer's fields. */
  char       *hostname;
  char       *port;
  char       *socket_type;
  char       *username;
  GPtrArray  *auths;
} Parser;

static gboolean
host_is_plain (const char *host)
{
  gsize length = strlen (host);

  if (length == 0 || length > 253 || host[0] == '-' || host[0] == '.')
    return FALSE;
  for (const char *p = host; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '.')
      return FALSE;
  return TRUE;
}

/* The first authentication Postier does, in the file's order. */
static gboolean
pick_auth (GPtrArray         *auths,
           PostierAuthMethod *auth)
{
  for (guint i = 0; i < auths->len; i++)
    {
      const char *name = g_ptr_array_index (auths, i);

      if (g_str_equal (name, "password-cleartext") || g_str_equal (name, "plain") ||
          g_str_equal (name, "password-encrypted") || g_str_equal (name, "secure"))
        *auth = POSTIER_AUTH_AUTO;
      else if (g_str_equal (name, "OAuth2"))
        *auth = POSTIER_AUTH_XOAUTH2;
      else if (g_str_equal (name, "none") || g_str_equal (name, "client-IP-address"))
        *auth = POSTIER_AUTH_NONE;
      else
        continue;
      return TRUE;
    }
  /* No element at all: the format's default is password-cleartext. */
  if (auths->len == 0)
    {
      *auth = POSTIER_AUTH_AUTO;
      return TRUE;
    }
  return FALSE;
}

static char *
fill_placeholders (const char *text,
                   const char *address)
{
  GString *filled = g_string_new (text);
  const char *at = strrchr (address, '@');
  g_autofree char *local = at != NULL ? g_strndup (address, at - address) : g_strdup (address);

  g_string_replace (filled, "%EMAILADDRESS%", address, 0);
  g_string_replace (filled, "%EMAILLOCALPART%", local, 0);
  g_string_replace (filled, "%EMAILDOMAIN%", at != NULL ? at + 1 : "", 0);
  return g_string_free (filled, FALSE);
}

static void
reset_outgoing (Parser *parser)
{
  parser->outgoing_depth = 0;
  g_clear_pointer (&parser->hostname, g_free);
  g_clear_pointer (&parser->port, g_free);
  g_clear_pointer (&parser->socket_type, g_free);
  g_clear_pointer (&parser->username, g_free);
  g_ptr_array_set_size (parser->auths, 0);
}

/* The open outgoingServer is complete: keep it if Postier can use it. */
static void
finish_outgoing (Parser *parser)
{
  g_autoptr(PostierServerSuggestion) suggestion = postier_server_suggestion_new ();
  guint64 port = 0;

  if (parser->hostname == NULL || !host_is_plain (parser->hostname) || parser->socket_type == NULL)
    return;
  if (g_str_equal (parser->socket_type, "SSL"))
    suggestion->security = POSTIER_SECURITY_TLS;
  else if (g_str_equal (parser->socket_type, "STARTTLS"))
    suggestion->security = POSTIER_SECURITY_STARTTLS;
  else
    return;  /* "plain": never for a password */
  if (parser->port != NULL)
    {
      if (!g_ascii_string_to_unsigned (parser->port, 10, 1, 65535, &port, NULL))
        return;
    }
  else
    port = postier_security_default_port (suggestion->security);
  if (!pick_auth (parser->auths, &suggestion->auth))
    return;

  suggestion->host = g_ascii_strdown (parser->hostname, -1);
  suggestion->port = (guint) port;
  if (parser->username != NULL && *parser->username != '\0')
    suggestion->user = fill_placeholders (parser->username, parser->address);
  suggestion->provider_name = g_strdup (parser->provider_name);
  g_ptr_array_add (parser->found, g_steal_pointer (&suggestion));
}

static void
on_start (G_GNUC_UNUSED GMarkupParseContext *context,
          const char                        *element,
          const char                       **names,
          const char                       **values,
          gpointer                           user_data,
          GError                           **error)
{
  Parser *parser = user_data;

  if (++parser->depth > MAX_DEPTH)
    {
      g_set_error_literal (error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT, "too deep");
      return;
    }
  g_string_truncate (parser->text, 0);

  if (parser->outgoing_depth == 0 && g_str_equal (element, "outgoingServer"))
    {
      for (guint i = 0; names[i] != NULL; i++)
        if (g_str_equal (names[i], "type") && g_str_equal (values[i], "smtp"))
          {
            reset_outgoing (parser);
            parser->outgoing_depth = parser->depth;
          }
    }
}

static void
take_text (char  **field,
           Parser *parser)
{
  g_free (*field);
  *field = g_strstrip (g_strdup (parser->text->str));
}

static void
on_end (G_GNUC_UNUSED GMarkupParseContext *context,
        const char                        *element,
        gpointer                           user_data,
        G_GNUC_UNUSED GError             **error)
{
  Parser *parser = user_data;

  if (parser->outgoing_depth != 0 && parser->depth == parser->outgoing_depth + 1)
    {
      if (g_str_equal (element, "hostname"))
        take_text (&parser->hostname, parser);
      else if (g_str_equal (element, "port"))
        take_text (&parser->port, parser);
      else if (g_str_equal (element, "socketType"))
        take_text (&parser->socket_type, parser);
      else if (g_str_equal (element, "username"))
        take_text (&parser->username, parser);
      else if (g_str_equal (element, "authentication"))
        g_ptr_array_add (parser->auths, g_strstrip (g_strdup (parser->text->str)));
    }
  else if (parser->outgoing_depth != 0 && parser->depth == parser->outgoing_depth)
    {
      finish_outgoing (parser);
      reset_outgoing (parser);
    }
  else if (parser->depth == 3 && g_str_equal (element, "displayName") && parser->provider_name == NULL)
    take_text (&parser->provider_name, parser);

  g_string_truncate (parser->text, 0);
  parser->depth--;
}

static void
on_text (G_GNUC_UNUSED GMarkupParseContext *context,
         const char                        *text,
         gsize                              length,
         gpointer                           user_data,
         G_GNUC_UNUSED GError             **error)
{
  Parser *parser = user_data;

  /* Leaves are short; a long text is not a host name or a port. */
  if (parser->text->len + length <= 1024)
    g_string_append_len (parser->text, text, length);
}

GPtrArray *
postier_autoconfig_parse_xml (const char  *xml,
                              gssize       length,
                              const char  *address,
                              GError     **error)
{
  static const GMarkupParser callbacks = { on_start, on_end, on_text, NULL, NULL };
  g_autoptr(GMarkupParseContext) context = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func ((GDestroyNotify) postier_server_suggestion_free);
  Parser parser = { 0 };
  gboolean parsed;

  g_return_val_if_fail (xml != NULL, NULL);
  g_return_val_if_fail (address != NULL, NULL);

  if (length < 0)
    length = (gssize) strlen (xml);
  parser.address = address;
  parser.found = found;
  parser.text = g_string_new (NULL);
  parser.auths = g_ptr_array_new_with_free_func (g_free);

  context = g_markup_parse_context_new (&callbacks, G_MARKUP_PREFIX_ERROR_POSITION, &parser, NULL);
  parsed = g_markup_parse_context_parse (context, xml, length, &local_error) &&
           g_markup_parse_context_end_parse (context, &local_error);

  reset_outgoing (&parser);
  g_ptr_array_unref (parser.auths);
  g_string_free (parser.text, TRUE);
  g_free (parser.provider_name);

  if (!parsed)
    {
      g_set_error (error, POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_INVALID,
                   _("The mail settings file is not valid: %s"), local_error->message);
      return NULL;
    }
  if (found->len == 0)
    {
      g_set_error_literal (error, POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_INVALID,
                           _("The mail settings file names no outgoing server Postier can use"));
      return NULL;
    }
  return g_steal_pointer (&found);
}
