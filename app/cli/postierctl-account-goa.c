/* postierctl-account-goa.c — GNOME Online Accounts' mail accounts in
 * postierctl-full: send/sendmail --account with one of them, and their
 * entries in `account list --json` (issue 14). Never in the light
 * postierctl, which does not load libgoa (postierctl-light.c hands such a
 * command over to postierctl-full).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postierctl"

#include "config.h"

#include <glib/gi18n.h>

#include "postier-goa.h"
#include "postierctl-private.h"

/* GOA's account for NAME: its "goa:ID" name, its GOA id or its address
 * (case-insensitive), as `account list` shows them. */
static PostierGoaMailAccount *
find (GPtrArray  *accounts,
      const char *name)
{
  for (guint i = 0; i < accounts->len; i++)
    {
      PostierGoaMailAccount *entry = g_ptr_array_index (accounts, i);
      const char *address = postier_account_get_address (entry->account);

      if (g_strcmp0 (postier_account_get_name (entry->account), name) == 0 ||
          g_strcmp0 (entry->id, name) == 0 ||
          (address != NULL && g_ascii_strcasecmp (address, name) == 0))
        return entry;
    }
  return NULL;
}

PostierAccount *
postierctl_online_account (const char  *name,
                           G_GNUC_UNUSED int    argc,
                           G_GNUC_UNUSED char **argv,
                           GError     **error)
{
  g_autoptr(GPtrArray) accounts = postier_goa_list_mail_accounts (NULL);
  PostierGoaMailAccount *entry = find (accounts, name);

  if (entry == NULL)
    {
      g_set_error (error, POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_NOT_FOUND,
                   _("There is no account named “%s”"), name);
      return NULL;
    }
  /* Queued under "goa:ID": the flush asks GOA for it and its credentials. */
  return g_object_ref (entry->account);
}

/* GOA's accounts for `account list --json`, after Postier's own: the same
 * members, with "source": "goa", GOA's id and provider, whether GOA wants
 * a new sign-in; credentials are GOA's ("password_source": "goa"). */
void
postierctl_account_goa_to_json (JsonArray *array)
{
  g_autoptr(GPtrArray) accounts = postier_goa_list_mail_accounts (NULL);

  for (guint i = 0; i < accounts->len; i++)
    {
      PostierGoaMailAccount *entry = g_ptr_array_index (accounts, i);
      JsonNode *node = postierctl_account_to_json (entry->account, FALSE);
      JsonObject *object = json_node_get_object (node);

      json_object_set_string_member (object, "source", "goa");
      json_object_set_string_member (object, "goa_id", entry->id);
      json_object_set_string_member (object, "provider", entry->provider_name);
      json_object_set_string_member (object, "password_source", entry->oauth2 ? "goa-oauth2" : "goa");
      json_object_set_boolean_member (object, "attention_needed", entry->attention_needed);
      json_array_add_element (array, node);
    }
}
