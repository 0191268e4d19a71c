/* postier-oauth-token.c — the refresh token in the keyring, the access
 * token in memory, and refreshing one from the other (see postier-oauth.h)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-oauth"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "postier-error.h"
#include "postier-oauth-http.h"
#include "postier-oauth-private.h"
#include "postier-password.h"
#include "postier-secret-store.h"

/* A token with less life left than this (or a quarter of its lifetime,
 * when that is less) is refreshed before use, so that it cannot expire
 * between AUTH and the server's check. */
#define REFRESH_MARGIN_SECONDS 60

typedef struct {
  char   *access_token;
  gint64  expires_at;   /* g_get_real_time(), µs */
  gint64  margin;       /* µs */
} CachedToken;

/* Access tokens by "account\nissuer"; the lock also makes refreshes one
 * at a time, so two threads never spend the same (rotating) refresh token. */
static GMutex cache_lock;
static GHashTable *cache;

static void
cached_token_free (CachedToken *token)
{
  postier_password_free (token->access_token);
  g_free (token);
}

static char *
cache_key (PostierAccount *account,
           const char     *issuer)
{
  return g_strdup_printf ("%s\n%s", postier_account_get_name (account), issuer);
}

/* Call with cache_lock held. */
static void
cache_put (const char *key,
           const char *access_token,
           gint64      expires_in)
{
  CachedToken *token = g_new0 (CachedToken, 1);

  if (expires_in <= 0)
    expires_in = 3600;  /* RFC 6749 §5.1: RECOMMENDED, not required */
  token->access_token = g_strdup (access_token);
  token->expires_at = g_get_real_time () + expires_in * G_USEC_PER_SEC;
  token->margin = MIN (REFRESH_MARGIN_SECONDS, expires_in / 4) * G_USEC_PER_SEC;
  if (cache == NULL)
    cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) cached_token_free);
  g_hash_table_replace (cache, g_strdup (key), token);
}

static void
cache_drop (const char *key)
{
  g_mutex_lock (&cache_lock);
  if (cache != NULL)
    g_hash_table_remove (cache, key);
  g_mutex_unlock (&cache_lock);
}

static char *
keyring_label (PostierAccount       *account,
               PostierOAuthProvider *provider)
{
  return g_strdup_printf (_("Postier sign-in for %s (%s)"), postier_account_get_name (account),
                          provider->title);
}

/* The refresh token to the keyring, the access token to the cache; with
 * cache_lock held when LOCKED. */
static gboolean
keep_tokens (PostierAccount        *account,
             PostierOAuthProvider  *provider,
             JsonObject            *answer,
             gboolean               locked,
             GCancellable          *cancellable,
             GError               **error)
{
  const char *access = json_object_get_string_member_with_default (answer, "access_token", NULL);
  const char *refresh = json_object_get_string_member_with_default (answer, "refresh_token", NULL);
  gint64 expires_in = json_object_get_int_member_with_default (answer, "expires_in", 0);
  g_autofree char *label = keyring_label (account, provider);
  g_autofree char *key = cache_key (account, provider->id);

  if (access == NULL)
    {
      g_set_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_AUTH,
                   _("%s answered without an access token"), provider->title);
      return FALSE;
    }
  if (refresh != NULL &&
      !postier_secret_store_token_sync (account, provider->id, label, refresh, cancellable, error))
    return FALSE;
  if (!locked)
    g_mutex_lock (&cache_lock);
  cache_put (key, access, expires_in);
  if (!locked)
    g_mutex_unlock (&cache_lock);
  return TRUE;
}

gboolean
_postier_oauth_keep_tokens (PostierAccount        *account,
                            PostierOAuthProvider  *provider,
                            JsonObject            *answer,
                            GCancellable          *cancellable,
                            GError               **error)
{
  return keep_tokens (account, provider, answer, FALSE, cancellable, error);
}

void
_postier_oauth_set_token_error (GError               **error,
                                PostierOAuthProvider  *provider,
                                guint                  status,
                                JsonObject            *answer)
{
  const char *code = json_object_get_string_member_with_default (answer, "error", NULL);
  const char *description = json_object_get_string_member_with_default (answer, "error_description", "");

  if (code == NULL)
    g_set_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_NETWORK,
                 _("%s answered %u without saying why"), provider->title, status);
  else
    g_set_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_AUTH,
                 _("%s refused the sign-in: %s %s"), provider->title, code, description);
}

static void
set_sign_in_again (GError        **error,
                   PostierAccount *account,
                   const char     *title,
                   gboolean        again)
{
  if (again)
    g_set_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_AUTH,
                 _("Sign in to %s again: the sign-in of the account “%s” has expired or was "
                   "revoked (postierctl account login %s)"),
                 title, postier_account_get_name (account), postier_account_get_name (account));
  else
    g_set_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_AUTH,
                 _("Sign in to %s first: the account “%s” has not signed in yet "
                   "(postierctl account login %s)"),
                 title, postier_account_get_name (account), postier_account_get_name (account));
}

/* One refresh_token grant, with cache_lock held. *GRANT_GONE says the
 * server answered invalid_grant (the refresh token is no good). */
static gboolean
refresh_with (PostierAccount        *account,
              PostierOAuthProvider  *provider,
              const char            *refresh_token,
              gboolean              *grant_gone,
              GCancellable          *cancellable,
              GError               **error)
{
  g_autoptr(JsonObject) answer = NULL;
  guint status = 0;

  *grant_gone = FALSE;
  answer = postier_oauth_http_post_form (provider->token_endpoint, &status, cancellable, error,
                                         "grant_type", "refresh_token",
                                         "refresh_token", refresh_token,
                                         "client_id", provider->client_id,
                                         "client_secret", provider->client_secret,
                                         NULL);
  if (answer == NULL)
    return FALSE;
  if (status == 200)
    return keep_tokens (account, provider, answer, TRUE, cancellable, error);
  if (g_strcmp0 (json_object_get_string_member_with_default (answer, "error", NULL), "invalid_grant") == 0)
    {
      *grant_gone = TRUE;
      set_sign_in_again (error, account, provider->title, TRUE);
      return FALSE;
    }
  if (status >= 500)
    {
      g_set_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_NETWORK,
                   _("%s could not refresh the sign-in now (HTTP %u)"), provider->title, status);
      return FALSE;
    }
  _postier_oauth_set_token_error (error, provider, status, answer);
  return FALSE;
}

/* Call with cache_lock held: a fresh access token into the cache. */
static gboolean
refresh_locked (PostierAccount        *account,
                PostierOAuthProvider  *provider,
                GCancellable          *cancellable,
                GError               **error)
{
  g_autoptr(PostierPassword) refresh = NULL;
  g_autoptr(PostierPassword) again = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean grant_gone;

  refresh = postier_secret_lookup_token_sync (account, provider->id, cancellable, error);
  if (refresh == NULL)
    {
      if (error == NULL || *error == NULL)
        set_sign_in_again (error, account, provider->title, FALSE);
      return FALSE;
    }
  if (refresh_with (account, provider, refresh, &grant_gone, cancellable, &local_error))
    return TRUE;
  if (!grant_gone)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  /* Refresh tokens rotate: another Postier process (the app, the CLI, the
   * background flusher) may have just spent ours and stored its successor. */
  again = postier_secret_lookup_token_sync (account, provider->id, cancellable, NULL);
  if (again != NULL && !g_str_equal (again, refresh))
    {
      g_clear_error (&local_error);
      if (refresh_with (account, provider, again, &grant_gone, cancellable, &local_error))
        return TRUE;
    }
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

char *
postier_oauth_get_access_token (PostierAccount  *account,
                                gboolean         force_refresh,
                                GCancellable    *cancellable,
                                GError         **error)
{
  g_autoptr(PostierOAuthProvider) provider = NULL;
  g_autofree char *key = NULL;
  CachedToken *cached;
  char *token = NULL;

  g_return_val_if_fail (POSTIER_IS_ACCOUNT (account), NULL);

  provider = postier_oauth_provider_for_account (account, cancellable, error);
  if (provider == NULL)
    return NULL;
  key = cache_key (account, provider->id);

  g_mutex_lock (&cache_lock);
  cached = cache != NULL ? g_hash_table_lookup (cache, key) : NULL;
  if (force_refresh && cached != NULL)
    {
      g_hash_table_remove (cache, key);
      cached = NULL;
    }
  if (cached == NULL || g_get_real_time () >= cached->expires_at - cached->margin)
    {
      if (!refresh_locked (account, provider, cancellable, error))
        {
          g_mutex_unlock (&cache_lock);
          return NULL;
        }
      cached = g_hash_table_lookup (cache, key);
    }
  token = g_strdup (cached->access_token);
  g_mutex_unlock (&cache_lock);
  return token;
}

gboolean
postier_oauth_is_signed_in (PostierAccount  *account,
                            GCancellable    *cancellable,
                            GError         **error)
{
  g_autoptr(PostierOAuthProvider) provider = NULL;
  g_autoptr(PostierPassword) refresh = NULL;

  g_return_val_if_fail (POSTIER_IS_ACCOUNT (account), FALSE);

  provider = postier_oauth_provider_lookup_preset (postier_account_get_oauth_provider (account));
  refresh = postier_secret_lookup_token_sync (account,
                                              provider != NULL ? provider->id
                                                               : postier_account_get_oauth_provider (account),
                                              cancellable, error);
  return refresh != NULL;
}

gboolean
postier_oauth_forget (PostierAccount  *account,
                      GCancellable    *cancellable,
                      GError         **error)
{
  g_autoptr(PostierOAuthProvider) provider = NULL;
  g_autofree char *key = NULL;
  const char *id;

  g_return_val_if_fail (POSTIER_IS_ACCOUNT (account), FALSE);

  provider = postier_oauth_provider_lookup_preset (postier_account_get_oauth_provider (account));
  id = provider != NULL ? provider->id : postier_account_get_oauth_provider (account);
  if (id == NULL)
    return TRUE;
  key = cache_key (account, id);
  cache_drop (key);
  return postier_secret_clear_token_sync (account, id, cancellable, error);
}

gboolean
postier_oauth_error_needs_sign_in (const GError *error)
{
  return g_error_matches (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_AUTH);
}
