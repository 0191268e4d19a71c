/* postier-sandbox-checks.c — the Sandbox's check list, with its inputs
 *
 * Before, the CLI and the Sandbox view each built the check context their
 * own way (the CLI put the default account first, the view the Sandbox's),
 * so a message could pass in one and warn in the other. The rules are in
 * postier-sandbox-checks.h.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-check"

#include "config.h"

#include "postier-relay-limits.h"
#include "postier-sandbox-checks.h"

struct _PostierSandboxChecks
{
  GStrv    identities;          /* the Sandbox's first; none NULL inside */
  guint64  size_limit;          /* 0 unknown */
  char    *size_limit_account;  /* NULL when the default is no relay */
};

PostierSandboxChecks *
postier_sandbox_checks_new (PostierAccountStore *accounts)
{
  PostierSandboxChecks *checks;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GPtrArray) all = NULL;
  PostierAccount *sandbox;
  PostierAccount *relay;

  g_return_val_if_fail (POSTIER_IS_ACCOUNT_STORE (accounts), NULL);

  all = postier_account_store_list (accounts);
  sandbox = postier_account_store_get_sandbox (accounts);
  relay = postier_account_store_get_default (accounts);

  /* The Sandbox received it, so its identity is "the account". */
  if (sandbox != NULL && postier_account_get_identity (sandbox) != NULL)
    g_strv_builder_add (builder, postier_account_get_identity (sandbox));
  for (guint i = 0; i < all->len; i++)
    if (all->pdata[i] != sandbox && postier_account_get_identity (all->pdata[i]) != NULL)
      g_strv_builder_add (builder, postier_account_get_identity (all->pdata[i]));

  checks = g_new0 (PostierSandboxChecks, 1);
  checks->identities = g_strv_builder_end (builder);
  /* What the real relay will accept is what matters before sending. */
  if (relay != NULL && postier_account_get_kind (relay) == POSTIER_ACCOUNT_KIND_RELAY)
    {
      checks->size_limit_account = g_strdup (postier_account_get_name (relay));
      checks->size_limit = postier_relay_size_limit_lookup (checks->size_limit_account);
    }
  return checks;
}

void
postier_sandbox_checks_free (PostierSandboxChecks *checks)
{
  if (checks == NULL)
    return;
  g_strfreev (checks->identities);
  g_free (checks->size_limit_account);
  g_free (checks);
}

GPtrArray *
postier_sandbox_checks_run (const PostierSandboxChecks *checks,
                            PostierSandboxMessage      *message,
                            GBytes                     *bytes)
{
  PostierCheckContext context = { 0 };

  g_return_val_if_fail (checks != NULL, NULL);
  g_return_val_if_fail (POSTIER_IS_SANDBOX_MESSAGE (message), NULL);
  g_return_val_if_fail (bytes != NULL, NULL);

  context.identities = (const char * const *) checks->identities;
  context.size_limit = checks->size_limit;
  context.size_limit_account = checks->size_limit_account;
  context.smtputf8 = postier_sandbox_message_get_smtputf8 (message);
  return postier_message_check_run (bytes, &context);
}
