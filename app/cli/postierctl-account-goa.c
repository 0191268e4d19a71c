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

#include "postier-account-resolver.h"
#include "postier-goa.h"
#include "postierctl-private.h"

/* Queued under "goa:ID": the flush asks GOA for it and its credentials.
 * By its "goa:ID" name, GOA id or address, as `account list` shows them
 * (the caller looked in accounts.ini already). */
PostierAccount *
postierctl_online_account (const char  *name,
                           G_GNUC_UNUSED int    argc,
                           G_GNUC_UNUSED char **argv,
                           GError     **error)
{
  if (name == NULL)
    return postier_account_resolve_default (NULL, NULL, error);
  return postier_account_resolve (NULL, name, NULL, error);
}

/* GOA's accounts for `account list --json`, after Postier's own: the same
 * members, with "source": "goa", GOA's id and provider, whether GOA wants
 * a new sign-in; credentials are GOA's ("password_source": "goa"). */
void
postierctl_account_goa_to_json (JsonArray      *array,
                                GPtrArray      *accounts,
                                PostierAccount *default_account)
{
  for (guint i = 0; i < accounts->len; i++)
    {
      PostierGoaMailAccount *entry = g_ptr_array_index (accounts, i);
      JsonNode *node = postierctl_account_to_json (entry->account, entry->account == default_account);
      JsonObject *object = json_node_get_object (node);

      json_object_set_string_member (object, "source", "goa");
      json_object_set_string_member (object, "goa_id", entry->id);
      json_object_set_string_member (object, "provider", entry->provider_name);
      json_object_set_string_member (object, "password_source", entry->oauth2 ? "goa-oauth2" : "goa");
      json_object_set_boolean_member (object, "attention_needed", entry->attention_needed);
      json_array_add_element (array, node);
    }
}
