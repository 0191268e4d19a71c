/* postier-sandbox-client.c — an SMTP client for the Sandbox account
 *
 * Kept apart from the receiver so that programs that only read the sandbox
 * (and the receiver's own tests) need not link the SMTP client.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-sandbox"

#include "config.h"

#include "postier-password.h"
#include "postier-sandbox.h"

PostierSmtpClient *
postier_sandbox_create_client (PostierSandbox  *self,
                               PostierAccount  *account,
                               GError         **error)
{
  g_autoptr(PostierAccount) copy = NULL;
  g_autoptr(PostierSmtpClient) client = NULL;
  /* Wiped on every way out, the early ones too. */
  g_autoptr(PostierPassword) password = NULL;
  g_autofree char *sha256 = NULL;
  guint port;

  g_return_val_if_fail (POSTIER_IS_SANDBOX (self), NULL);
  g_return_val_if_fail (POSTIER_IS_ACCOUNT (account), NULL);

  /* The password first: a keyring that makes us wait must not eat into
   * the receiver's linger time. */
  password = postier_sandbox_dup_password (self, account, error);
  if (password == NULL)
    return NULL;
  sha256 = postier_sandbox_dup_certificate_sha256 (self, error);
  if (sha256 == NULL)
    return NULL;
  port = postier_sandbox_start (self, error);
  if (port == 0)
    return NULL;

  copy = postier_account_copy (account);
  postier_account_set_host (copy, "127.0.0.1");
  postier_account_set_port (copy, port);
  postier_account_set_security (copy, POSTIER_SECURITY_STARTTLS);
  postier_account_set_auth (copy, POSTIER_AUTH_PLAIN);
  postier_account_set_pinned_sha256 (copy, sha256);

  client = postier_smtp_client_new (copy);
  postier_smtp_client_set_endpoint (client, "127.0.0.1", port);
  postier_smtp_client_set_password (client, password);
  return g_steal_pointer (&client);
}
