/* postierctl-account-list.c — postierctl account list [--json]: Postier's
 * own accounts, then GNOME Online Accounts' (postierctl-full only), the
 * default one marked: what send uses without --account
 * (postier_account_pick_default).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postierctl"

#include "config.h"

#include <glib/gi18n.h>

#include "postier-account-resolver.h"
#include "postier-goa.h"
#include "postierctl-private.h"

int
postierctl_account_list (int    argc,
                         char **argv)
{
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print a stable JSON array for scripts"), NULL },
    G_OPTION_ENTRY_NULL,
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("— list accounts"));
  g_autoptr(PostierAccountStore) store = NULL;
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(GPtrArray) goa = NULL;
  g_autoptr(GError) error = NULL;
  PostierAccount *default_account;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!postierctl_parse_options (context, &argc, &argv))
    return EX_USAGE;
  if (argc != 1)
    return postierctl_usage_error (_("account list takes no arguments"));

  store = postierctl_load_accounts (&error);
  if (store == NULL)
    return postierctl_fail (error);
  accounts = postier_account_store_list (store);
  goa = postier_goa_list_mail_accounts (NULL);
  /* What send uses without --account: Postier's own default, else GOA's
   * oldest account; none (not the Sandbox) when there is neither. */
  default_account = postier_account_pick_default (store, goa);

  if (json)
    {
      g_autoptr(JsonNode) root = json_node_new (JSON_NODE_ARRAY);
      g_autoptr(JsonArray) array = json_array_new ();

      for (guint i = 0; i < accounts->len; i++)
        {
          PostierAccount *account = g_ptr_array_index (accounts, i);
          json_array_add_element (array, postierctl_account_to_json (account, account == default_account));
        }
      postierctl_account_goa_to_json (array, goa, default_account);
      json_node_set_array (root, array);
      postierctl_print_json (root);
      return EX_OK;
    }

  for (guint i = 0; i < accounts->len; i++)
    {
      PostierAccount *account = g_ptr_array_index (accounts, i);
      g_autofree char *where = NULL;
      g_autofree char *name = postierctl_printable (postier_account_get_name (account));
      g_autofree char *identity = postierctl_printable (postier_account_get_identity (account));

      if (postier_account_get_kind (account) == POSTIER_ACCOUNT_KIND_SANDBOX)
        where = g_strdup (_("captured locally, never sent"));
      else
        {
          g_autofree char *host = postierctl_printable (postier_account_get_host (account));

          where = g_strdup_printf ("%s:%u %s", host, postier_account_get_port (account),
                                   postier_security_to_string (postier_account_get_security (account)));
        }
      g_print ("%c %-16s %-40s %s\n", account == default_account ? '*' : ' ', name, identity, where);
    }
  postierctl_account_print_goa (goa, default_account);
  return EX_OK;
}
