/* postier-attention.c — the words and the action for an account that
 * stopped sending. The outbox row said "check the account settings, then
 * retry" for every refusal, beside a button that signs in to Google or
 * opens Settings: the words now match the button.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-attention"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "postier-application.h"
#include "postier-attention.h"
#include "postier-goa.h"
#include "postier-oauth-provider.h"
#include "postier-online-accounts.h"

static PostierAccountStore *
store_or_application (PostierAccountStore *store)
{
  GApplication *application = g_application_get_default ();

  if (store != NULL)
    return store;
  /* Rows are made by list views, far from the window that has the store. */
  if (POSTIER_IS_APPLICATION (application))
    return postier_application_get_account_store (POSTIER_APPLICATION (application));
  return NULL;
}

PostierAccount *
postier_attention_lookup_account (const char          *name,
                                  PostierAccountStore *store)
{
  store = store_or_application (store);
  if (name == NULL)
    return NULL;
  if (postier_goa_is_account_name (name))
    return postier_online_accounts_lookup_account (name);
  return store != NULL ? postier_account_store_lookup (store, name) : NULL;
}

PostierAttention
postier_attention_for_entry (PostierOutboxEntry  *entry,
                             PostierAccountStore *store)
{
  const char *name = postier_outbox_entry_get_account_name (entry);
  PostierOutboxFailure failure = postier_outbox_entry_get_failure (entry);
  PostierAccount *account;

  if (postier_outbox_entry_get_state (entry) != POSTIER_OUTBOX_STATE_NEEDS_ATTENTION)
    return POSTIER_ATTENTION_NONE;
  if (postier_goa_is_account_name (name))
    {
      gboolean listed = postier_online_accounts_lookup_account (name) != NULL;
      gboolean known = postier_goa_accounts_is_ready (postier_online_accounts_get ());

      /* Core says "gone" as a configuration failure; a refusal of an
       * account GOA no longer lists is "gone" too, by now. */
      if (failure == POSTIER_OUTBOX_FAILURE_CONFIGURATION)
        return POSTIER_ATTENTION_GOA_GONE;
      if (failure != POSTIER_OUTBOX_FAILURE_AUTH)
        return POSTIER_ATTENTION_NONE;
      return known && !listed ? POSTIER_ATTENTION_GOA_GONE : POSTIER_ATTENTION_GOA;
    }
  if (failure != POSTIER_OUTBOX_FAILURE_AUTH)
    return POSTIER_ATTENTION_NONE;
  account = postier_attention_lookup_account (name, store);
  if (account != NULL && postier_account_get_oauth_provider (account) != NULL)
    return POSTIER_ATTENTION_OAUTH;
  return POSTIER_ATTENTION_ACCOUNT;
}

char *
postier_attention_status_text (PostierAttention kind,
                               PostierAccount  *account)
{
  switch (kind)
    {
    case POSTIER_ATTENTION_OAUTH:
      {
        g_autofree char *title = account != NULL ? postier_oauth_provider_title_for_account (account) : NULL;

        if (title == NULL)
          return g_strdup (_("Needs attention — sign in again"));
        /* Translators: %s is the provider, "Google", "Microsoft" or a server's name. */
        return g_strdup_printf (_("Needs attention — sign in to %s again"), title);
      }
    case POSTIER_ATTENTION_GOA:
      return g_strdup (_("Needs attention — sign in again in Settings → Online Accounts"));
    case POSTIER_ATTENTION_GOA_GONE:
      /* The line under it (core's) says what to do. */
      return g_strdup (_("Needs attention — the Online Accounts account is gone or has mail turned off"));
    case POSTIER_ATTENTION_ACCOUNT:
    case POSTIER_ATTENTION_NONE:
    default:
      return g_strdup (_("Needs attention — check the account settings, then retry"));
    }
}

const char *
postier_attention_button_label (PostierAttention kind)
{
  switch (kind)
    {
    case POSTIER_ATTENTION_ACCOUNT:
    case POSTIER_ATTENTION_OAUTH:
      return _("Sign _In Again");
    case POSTIER_ATTENTION_GOA:
    case POSTIER_ATTENTION_GOA_GONE:
      /* Only where GNOME's Settings is there to open; the words say where. */
      return postier_online_accounts_can_open_settings () ? _("Open _Settings") : NULL;
    case POSTIER_ATTENTION_NONE:
    default:
      return NULL;
    }
}

char *
postier_attention_account_title (PostierOutboxEntry *entry)
{
  const char *name = postier_outbox_entry_get_account_name (entry);
  const char *sender = postier_outbox_entry_get_sender (entry);
  PostierAccount *account;

  if (!postier_goa_is_account_name (name))
    return g_strdup (name);
  /* GOA's id means nothing to a person; once GOA no longer lists the
   * account, the message's own sender is the address it stood for. */
  account = postier_online_accounts_lookup_account (name);
  if (account != NULL && postier_account_get_address (account) != NULL)
    return g_strdup (postier_account_get_address (account));
  if (sender != NULL && *sender != '\0')
    return g_strdup (sender);
  return g_strdup (name);
}

char *
postier_attention_dup_error (PostierOutboxEntry *entry)
{
  const char *name = postier_outbox_entry_get_account_name (entry);
  const char *error = postier_outbox_entry_get_last_error (entry);
  g_autoptr(GString) text = NULL;
  g_autofree char *title = NULL;

  if (error == NULL || !postier_goa_is_account_name (name) || strstr (error, name) == NULL)
    return g_strdup (error);
  /* Core names a vanished GOA account by the only name it has left. */
  title = postier_attention_account_title (entry);
  text = g_string_new (error);
  g_string_replace (text, name, title, 0);
  return g_string_free (g_steal_pointer (&text), FALSE);
}
