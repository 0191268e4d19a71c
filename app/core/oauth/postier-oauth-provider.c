/* postier-oauth-provider.c — presets and discovery (see the header)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-oauth"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "postier-error.h"
#include "postier-oauth-http.h"
#include "postier-oauth-provider.h"

typedef struct {
  const char *id;
  const char *title;
  const char *issuer;
  const char *authorization_endpoint;
  const char *token_endpoint;
  const char *device_endpoint;
  const char *revocation_endpoint;
  const char *scope;
  const char *client_id;      /* from the build, "" when none */
  const char *client_secret;
  const char *build_option;   /* to name in the "no client ID" message */
} Preset;

/* Endpoints as the providers document them; scopes are what SMTP AUTH
 * needs (Google: full mail access is the only scope that allows SMTP;
 * Microsoft: SMTP.Send, and offline_access for a refresh token). */
static const Preset presets[] = {
  { "google", "Google", "https://accounts.google.com",
    "https://accounts.google.com/o/oauth2/v2/auth",
    "https://oauth2.googleapis.com/token",
    "https://oauth2.googleapis.com/device/code",
    "https://oauth2.googleapis.com/revoke",
    "https://mail.google.com/",
    POSTIER_OAUTH_GOOGLE_CLIENT_ID, POSTIER_OAUTH_GOOGLE_CLIENT_SECRET,
    "oauth_google_client_id" },
  { "microsoft", "Microsoft", "https://login.microsoftonline.com/common/v2.0",
    "https://login.microsoftonline.com/common/oauth2/v2.0/authorize",
    "https://login.microsoftonline.com/common/oauth2/v2.0/token",
    "https://login.microsoftonline.com/common/oauth2/v2.0/devicecode",
    NULL,
    "https://outlook.office.com/SMTP.Send offline_access",
    POSTIER_OAUTH_MICROSOFT_CLIENT_ID, "",
    "oauth_microsoft_client_id" },
};

/* Discovered providers, by issuer, for the life of the process. */
static GMutex discovered_lock;
static GHashTable *discovered;

void
postier_oauth_provider_free (PostierOAuthProvider *self)
{
  if (self == NULL)
    return;
  g_free (self->id);
  g_free (self->title);
  g_free (self->issuer);
  g_free (self->authorization_endpoint);
  g_free (self->token_endpoint);
  g_free (self->device_endpoint);
  g_free (self->revocation_endpoint);
  g_free (self->scope);
  g_free (self->client_id);
  g_free (self->client_secret);
  g_free (self);
}

static PostierOAuthProvider *
provider_copy (const PostierOAuthProvider *p)
{
  PostierOAuthProvider *copy = g_new0 (PostierOAuthProvider, 1);

  copy->id = g_strdup (p->id);
  copy->title = g_strdup (p->title);
  copy->issuer = g_strdup (p->issuer);
  copy->authorization_endpoint = g_strdup (p->authorization_endpoint);
  copy->token_endpoint = g_strdup (p->token_endpoint);
  copy->device_endpoint = g_strdup (p->device_endpoint);
  copy->revocation_endpoint = g_strdup (p->revocation_endpoint);
  copy->scope = g_strdup (p->scope);
  copy->client_id = g_strdup (p->client_id);
  copy->client_secret = g_strdup (p->client_secret);
  return copy;
}

static const Preset *
find_preset (const char *id)
{
  for (gsize i = 0; id != NULL && i < G_N_ELEMENTS (presets); i++)
    if (g_ascii_strcasecmp (presets[i].id, id) == 0)
      return &presets[i];
  return NULL;
}

PostierOAuthProvider *
postier_oauth_provider_lookup_preset (const char *id)
{
  const Preset *preset = find_preset (id);
  PostierOAuthProvider *p;

  if (preset == NULL)
    return NULL;
  p = g_new0 (PostierOAuthProvider, 1);
  p->id = g_strdup (preset->id);
  p->title = g_strdup (preset->title);
  p->issuer = g_strdup (preset->issuer);
  p->authorization_endpoint = g_strdup (preset->authorization_endpoint);
  p->token_endpoint = g_strdup (preset->token_endpoint);
  p->device_endpoint = g_strdup (preset->device_endpoint);
  p->revocation_endpoint = g_strdup (preset->revocation_endpoint);
  p->scope = g_strdup (preset->scope);
  p->client_id = *preset->client_id != '\0' ? g_strdup (preset->client_id) : NULL;
  p->client_secret = *preset->client_secret != '\0' ? g_strdup (preset->client_secret) : NULL;
  return p;
}

gboolean
postier_oauth_provider_id_is_valid (const char  *text,
                                    GError     **error)
{
  if (text == NULL || *text == '\0')
    {
      g_set_error (error, POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_INVALID,
                   _("No sign-in provider given: use google, microsoft or the provider’s https:// address"));
      return FALSE;
    }
  if (find_preset (text) != NULL)
    return TRUE;
  if (g_str_has_prefix (text, "https://") || g_str_has_prefix (text, "http://"))
    return postier_oauth_http_url_is_allowed (text, error);
  g_set_error (error, POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_INVALID,
               _("Unknown sign-in provider “%s”: use google, microsoft or the provider’s https:// address"),
               text);
  return FALSE;
}

/* A string member of METADATA that must be an allowed URL when present. */
static gboolean
endpoint (JsonObject  *metadata,
          const char  *name,
          gboolean     required,
          char       **out,
          GError     **error)
{
  const char *value = json_object_get_string_member_with_default (metadata, name, NULL);

  if (value == NULL)
    {
      if (required)
        g_set_error (error, POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_INVALID,
                     _("The sign-in provider’s description has no %s"), name);
      return !required;
    }
  if (!postier_oauth_http_url_is_allowed (value, error))
    return FALSE;
  *out = g_strdup (value);
  return TRUE;
}

static PostierOAuthProvider *
provider_from_metadata (const char  *issuer,
                        JsonObject  *metadata,
                        GError     **error)
{
  g_autoptr(PostierOAuthProvider) p = g_new0 (PostierOAuthProvider, 1);
  g_autoptr(GUri) uri = g_uri_parse (issuer, G_URI_FLAGS_NONE, NULL);
  const char *said = json_object_get_string_member_with_default (metadata, "issuer", "");

  /* RFC 8414 §3.3: a document for another issuer is not this provider's. */
  if (g_strcmp0 (said, issuer) != 0)
    {
      g_set_error (error, POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_INVALID,
                   _("The sign-in provider at %s describes another issuer (“%s”)"), issuer, said);
      return NULL;
    }
  p->id = g_strdup (issuer);
  p->issuer = g_strdup (issuer);
  p->title = g_strdup (uri != NULL && g_uri_get_host (uri) != NULL ? g_uri_get_host (uri) : issuer);
  if (!endpoint (metadata, "authorization_endpoint", TRUE, &p->authorization_endpoint, error) ||
      !endpoint (metadata, "token_endpoint", TRUE, &p->token_endpoint, error) ||
      !endpoint (metadata, "device_authorization_endpoint", FALSE, &p->device_endpoint, error) ||
      !endpoint (metadata, "revocation_endpoint", FALSE, &p->revocation_endpoint, error))
    return NULL;
  /* Without a scope of the account's own, ask for a refresh token. */
  p->scope = g_strdup ("openid offline_access");
  return g_steal_pointer (&p);
}

PostierOAuthProvider *
postier_oauth_provider_discover (const char    *issuer,
                                 GCancellable  *cancellable,
                                 GError       **error)
{
  /* RFC 8414 first, then OpenID Connect Discovery 1.0. */
  static const char * const wells[] = {
    "/.well-known/oauth-authorization-server", "/.well-known/openid-configuration",
  };
  g_autoptr(GError) first_error = NULL;
  g_autofree char *base = NULL;

  if (!postier_oauth_http_url_is_allowed (issuer, error))
    return NULL;
  g_mutex_lock (&discovered_lock);
  if (discovered != NULL && g_hash_table_contains (discovered, issuer))
    {
      PostierOAuthProvider *copy = provider_copy (g_hash_table_lookup (discovered, issuer));

      g_mutex_unlock (&discovered_lock);
      return copy;
    }
  g_mutex_unlock (&discovered_lock);

  base = g_str_has_suffix (issuer, "/") ? g_strndup (issuer, strlen (issuer) - 1) : g_strdup (issuer);
  for (gsize i = 0; i < G_N_ELEMENTS (wells); i++)
    {
      g_autofree char *url = g_strconcat (base, wells[i], NULL);
      g_autoptr(GError) local_error = NULL;
      g_autoptr(JsonObject) metadata = postier_oauth_http_get_json (url, cancellable, &local_error);
      PostierOAuthProvider *p;

      if (metadata == NULL)
        {
          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return NULL;
            }
          if (first_error == NULL)
            first_error = g_steal_pointer (&local_error);
          continue;
        }
      p = provider_from_metadata (issuer, metadata, error);
      if (p != NULL)
        {
          g_mutex_lock (&discovered_lock);
          if (discovered == NULL)
            discovered = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                (GDestroyNotify) postier_oauth_provider_free);
          g_hash_table_replace (discovered, g_strdup (issuer), provider_copy (p));
          g_mutex_unlock (&discovered_lock);
        }
      return p;
    }
  g_propagate_error (error, g_steal_pointer (&first_error));
  return NULL;
}

PostierOAuthProvider *
postier_oauth_provider_for_account (PostierAccount  *account,
                                    GCancellable    *cancellable,
                                    GError         **error)
{
  const char *id = postier_account_get_oauth_provider (account);
  const char *client_id = postier_account_get_oauth_client_id (account);
  const char *scope = postier_account_get_oauth_scope (account);
  const Preset *preset = find_preset (id);
  g_autoptr(PostierOAuthProvider) p = NULL;

  if (!postier_oauth_provider_id_is_valid (id, error))
    return NULL;
  p = preset != NULL ? postier_oauth_provider_lookup_preset (id)
                     : postier_oauth_provider_discover (id, cancellable, error);
  if (p == NULL)
    return NULL;
  if (client_id != NULL)
    {
      g_free (p->client_id);
      p->client_id = g_strdup (client_id);
    }
  if (scope != NULL)
    {
      g_free (p->scope);
      p->scope = g_strdup (scope);
    }
  if (p->client_id == NULL)
    {
      if (preset != NULL)
        g_set_error (error, POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_INVALID,
                     _("This Postier was built without an OAuth client ID for %s, so it cannot "
                       "sign in there by itself. Give the account one (postierctl account set %s "
                       "--oauth-client-id ID), or ask your distribution to build with -D%s=ID."),
                     p->title, postier_account_get_name (account), preset->build_option);
      else
        g_set_error (error, POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_INVALID,
                     _("Signing in at %s needs the client ID that provider gave Postier: "
                       "postierctl account set %s --oauth-client-id ID"),
                     p->title, postier_account_get_name (account));
      return NULL;
    }
  return g_steal_pointer (&p);
}

char *
postier_oauth_provider_title_for_account (PostierAccount *account)
{
  const char *id = postier_account_get_oauth_provider (account);
  const Preset *preset = find_preset (id);
  g_autoptr(GUri) uri = NULL;

  if (preset != NULL)
    return g_strdup (preset->title);
  uri = id != NULL ? g_uri_parse (id, G_URI_FLAGS_NONE, NULL) : NULL;
  if (uri != NULL && g_uri_get_host (uri) != NULL)
    return g_strdup (g_uri_get_host (uri));
  return g_strdup (id != NULL ? id : "");
}
