/* postier-account-client.c — the one way from an account to an SMTP client
 * (see the header for why)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-account"

#include "config.h"

#include "postier-account-client.h"
#include "postier-goa-send.h"
#include "postier-oauth.h"
#include "postier-password.h"
#include "postier-sandbox.h"
#include "postier-secret-store.h"

/* The SMTP client's way to a fresh access token when the server refused
 * the one it had (see postier_smtp_client_set_token_func). */
static char *
refresh_token_for_client (gpointer   user_data,
                          GError   **error)
{
  return postier_oauth_get_access_token (user_data, TRUE, NULL, error);
}

/* An OAuth account's client: the access token is its password. */
static gboolean
sign_in_client (PostierSmtpClient  *client,
                PostierAccount     *account,
                GCancellable       *cancellable,
                GError            **error)
{
  g_autoptr(PostierPassword) token = postier_oauth_get_access_token (account, FALSE, cancellable, error);

  if (token == NULL)
    return FALSE;
  postier_smtp_client_set_password (client, token);
  postier_smtp_client_set_token_func (client, refresh_token_for_client,
                                      postier_account_copy (account), g_object_unref);
  return TRUE;
}

PostierSmtpClient *
postier_account_new_smtp_client (PostierAccount  *account,
                                 const char      *password,
                                 guint            timeout_seconds,
                                 GCancellable    *cancellable,
                                 GError         **error)
{
  g_autoptr(PostierSmtpClient) client = NULL;

  g_return_val_if_fail (POSTIER_IS_ACCOUNT (account), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (postier_account_get_kind (account) == POSTIER_ACCOUNT_KIND_SANDBOX)
    client = postier_sandbox_create_client (postier_sandbox_get_default (), account, error);
  else
    {
      client = postier_smtp_client_new (account);
      if (password != NULL)
        postier_smtp_client_set_password (client, password);
      else if (postier_goa_is_account_name (postier_account_get_name (account)))
        {
          /* Credentials from GNOME Online Accounts, asked now, kept nowhere. */
          if (!postier_goa_sign_in_client (client, account, cancellable, error))
            return NULL;
        }
      else if (postier_account_get_oauth_provider (account) != NULL &&
               postier_account_get_auth (account) != POSTIER_AUTH_NONE)
        {
          if (!sign_in_client (client, account, cancellable, error))
            return NULL;
        }
      else if (postier_account_needs_password (account))
        {
          g_autoptr(PostierPassword) fetched = postier_account_fetch_password (account, cancellable,
                                                                               error);
          if (fetched == NULL)
            return NULL;
          postier_smtp_client_set_password (client, fetched);
        }
    }
  if (client != NULL && timeout_seconds > 0)
    postier_smtp_client_set_timeout (client, timeout_seconds);
  return g_steal_pointer (&client);
}
