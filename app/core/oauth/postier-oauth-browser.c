/* postier-oauth-browser.c — Authorization Code with PKCE and a loopback
 * redirect (RFC 6749 §4.1, RFC 7636, RFC 8252), for a desktop: the
 * person's own browser signs in, and comes back to a listener on
 * 127.0.0.1 that exists only while Postier waits.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-oauth"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>
#include <openssl/rand.h>
#include <string.h>

#include "postier-error.h"
#include "postier-oauth-http.h"
#include "postier-oauth-private.h"
#include "postier-password.h"

/* 32 random bytes, base64url without padding: 43 characters, the
 * shortest verifier RFC 7636 §4.1 allows, with 256 bits of entropy. */
static char *
random_base64url (GError **error)
{
  guchar bytes[32];
  char *text;

  if (RAND_bytes (bytes, sizeof bytes) != 1)
    {
      g_set_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_FAILED,
                   _("No random numbers for the sign-in"));
      return NULL;
    }
  text = g_base64_encode (bytes, sizeof bytes);
  g_strdelimit (text, "+", '-');
  g_strdelimit (text, "/", '_');
  *strchr (text, '=') = '\0';
  return text;
}

/* S256: base64url (SHA-256 (verifier)). */
static char *
code_challenge (const char *verifier)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  guchar digest[32];
  gsize len = sizeof digest;
  char *text;

  g_checksum_update (sum, (const guchar *) verifier, (gssize) strlen (verifier));
  g_checksum_get_digest (sum, digest, &len);
  text = g_base64_encode (digest, len);
  g_strdelimit (text, "+", '-');
  g_strdelimit (text, "/", '_');
  *strchr (text, '=') = '\0';
  return text;
}

typedef struct {
  GMainContext *context;
  const char   *state;
  const char   *title;
  char         *code;
  GError       *error;
  gboolean      returned;   /* the browser came back */
  gboolean      answered;   /* and got its page */
} Wait;

static void
page_sent (SoupServerMessage *message,
           gpointer           user_data)
{
  Wait *wait = user_data;

  (void) message;
  wait->answered = TRUE;
  g_main_context_wakeup (wait->context);
}

static void
answer_page (SoupServerMessage *message,
             guint              status,
             const char        *text)
{
  g_autofree char *escaped = g_markup_escape_text (text, -1);
  g_autofree char *html = g_strdup_printf ("<!DOCTYPE html><html><head><meta charset=\"utf-8\">"
                                           "<title>Postier</title></head><body><p>%s</p></body></html>",
                                           escaped);

  soup_server_message_set_status (message, status, NULL);
  soup_server_message_set_response (message, "text/html; charset=utf-8", SOUP_MEMORY_COPY,
                                    html, strlen (html));
}

/* The browser's return: ?code=…&state=… or ?error=…&state=…. Anything
 * without our state (a favicon, another page) is not the answer. */
static void
handle_return (SoupServer        *server,
               SoupServerMessage *message,
               const char        *path,
               GHashTable        *query,
               gpointer           user_data)
{
  Wait *wait = user_data;
  const char *state = query != NULL ? g_hash_table_lookup (query, "state") : NULL;
  const char *code = query != NULL ? g_hash_table_lookup (query, "code") : NULL;
  const char *refused = query != NULL ? g_hash_table_lookup (query, "error") : NULL;

  (void) server;
  (void) path;
  if (wait->returned || state == NULL || g_strcmp0 (state, wait->state) != 0)
    {
      answer_page (message, 400, _("This is not the sign-in Postier is waiting for."));
      return;
    }
  wait->returned = TRUE;
  if (code != NULL)
    {
      wait->code = g_strdup (code);
      answer_page (message, 200, _("You are signed in. You can close this page and go back to Postier."));
    }
  else
    {
      g_set_error (&wait->error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_AUTH,
                   _("The sign-in at %s was not completed (%s)"), wait->title,
                   refused != NULL ? refused : "?");
      answer_page (message, 200, _("The sign-in was not completed. You can close this page."));
    }
  g_signal_connect (message, "finished", G_CALLBACK (page_sent), wait);
}

static gboolean
wake_on_cancel (GCancellable *cancellable,
                gpointer      user_data)
{
  (void) cancellable;
  g_main_context_wakeup (user_data);
  return G_SOURCE_REMOVE;
}

static char *
authorization_url (PostierOAuthProvider *provider,
                   const char           *redirect_uri,
                   const char           *state,
                   const char           *challenge)
{
  /* Google gives a refresh token only when asked for offline access. */
  gboolean google = g_str_equal (provider->id, "google");
  g_autofree char *query = soup_form_encode ("response_type", "code",
                                             "client_id", provider->client_id,
                                             "redirect_uri", redirect_uri,
                                             "scope", provider->scope,
                                             "state", state,
                                             "code_challenge", challenge,
                                             "code_challenge_method", "S256",
                                             google ? "access_type" : NULL, "offline",
                                             NULL);

  return g_strconcat (provider->authorization_endpoint,
                      strchr (provider->authorization_endpoint, '?') != NULL ? "&" : "?", query, NULL);
}

/* Listens, opens the browser, and waits on CONTEXT (the thread's default
 * now) until the browser is back and answered. Returns the code. */
static char *
wait_for_code (PostierOAuthProvider  *provider,
               const char            *verifier,
               char                 **redirect_uri,
               PostierOAuthOpenFunc   open,
               gpointer               user_data,
               GMainContext          *context,
               GCancellable          *cancellable,
               GError               **error)
{
  g_autoptr(SoupServer) server = soup_server_new ("server-header", "Postier", NULL);
  g_autofree char *state = random_base64url (error);
  g_autofree char *challenge = code_challenge (verifier);
  g_autofree char *url = NULL;
  g_autoptr(GSList) uris = NULL;
  GSource *cancel_source = NULL;
  Wait wait = { context, state, provider->title, NULL, NULL, FALSE, FALSE };

  if (state == NULL)
    return NULL;
  soup_server_add_handler (server, "/", handle_return, &wait, NULL);
  if (!soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, error))
    return NULL;
  uris = soup_server_get_uris (server);
  *redirect_uri = g_strdup_printf ("http://127.0.0.1:%d/", g_uri_get_port (uris->data));
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify) g_uri_unref);
  url = authorization_url (provider, *redirect_uri, state, challenge);

  if (open != NULL ? !open (url, user_data, error)
                   : !g_app_info_launch_default_for_uri (url, NULL, error))
    return NULL;

  if (cancellable != NULL)
    {
      cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (cancel_source, G_SOURCE_FUNC (wake_on_cancel), context, NULL);
      g_source_attach (cancel_source, context);
    }
  while (!(wait.returned && wait.answered) && !g_cancellable_is_cancelled (cancellable))
    g_main_context_iteration (context, TRUE);
  if (cancel_source != NULL)
    {
      g_source_destroy (cancel_source);
      g_source_unref (cancel_source);
    }
  soup_server_disconnect (server);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    {
      g_clear_error (&wait.error);
      g_free (wait.code);
      return NULL;
    }
  if (wait.error != NULL)
    {
      g_propagate_error (error, wait.error);
      return NULL;
    }
  return wait.code;
}

gboolean
postier_oauth_sign_in_browser (PostierAccount        *account,
                               PostierOAuthOpenFunc   open,
                               gpointer               user_data,
                               GCancellable          *cancellable,
                               GError               **error)
{
  g_autoptr(PostierOAuthProvider) provider = NULL;
  g_autoptr(GMainContext) context = NULL;
  g_autoptr(PostierPassword) verifier = NULL;
  g_autoptr(PostierPassword) code = NULL;
  g_autoptr(JsonObject) answer = NULL;
  g_autofree char *redirect_uri = NULL;
  guint status = 0;

  g_return_val_if_fail (POSTIER_IS_ACCOUNT (account), FALSE);

  provider = postier_oauth_provider_for_account (account, cancellable, error);
  if (provider == NULL)
    return FALSE;
  verifier = random_base64url (error);
  if (verifier == NULL)
    return FALSE;

  context = g_main_context_new ();
  g_main_context_push_thread_default (context);
  code = wait_for_code (provider, verifier, &redirect_uri, open, user_data, context, cancellable, error);
  g_main_context_pop_thread_default (context);
  if (code == NULL)
    return FALSE;

  answer = postier_oauth_http_post_form (provider->token_endpoint, &status, cancellable, error,
                                         "grant_type", "authorization_code",
                                         "code", code,
                                         "redirect_uri", redirect_uri,
                                         "client_id", provider->client_id,
                                         "client_secret", provider->client_secret,
                                         "code_verifier", verifier,
                                         NULL);
  if (answer == NULL)
    return FALSE;
  if (status != 200)
    {
      _postier_oauth_set_token_error (error, provider, status, answer);
      return FALSE;
    }
  return _postier_oauth_keep_tokens (account, provider, answer, cancellable, error);
}

static void
sign_in_thread (GTask        *task,
                gpointer      source,
                gpointer      task_data,
                GCancellable *cancellable)
{
  GError *error = NULL;

  (void) source;
  if (postier_oauth_sign_in_browser (task_data, NULL, NULL, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
postier_oauth_sign_in_browser_async (PostierAccount      *account,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, postier_oauth_sign_in_browser_async);
  g_task_set_task_data (task, postier_account_copy (account), g_object_unref);
  g_task_run_in_thread (task, sign_in_thread);
}

gboolean
postier_oauth_sign_in_browser_finish (GAsyncResult  *result,
                                      GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}
