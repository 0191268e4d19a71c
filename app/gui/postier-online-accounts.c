/* postier-online-accounts.c — the app's view of GNOME Online Accounts.
 * One PostierGoaAccounts for the process (H4's core type follows GOA's
 * object manager), and the PostierAccounts of its list kept until the next
 * change, so the composer can hold them as it holds the store's.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-online-accounts"

#include "config.h"

#include "postier-online-accounts.h"

static PostierGoaAccounts *goa_accounts;
static GHashTable *by_name;   /* "goa:ID" → PostierAccount, as of the last ::changed */

static void
refresh (void)
{
  g_autoptr(GPtrArray) list = postier_goa_accounts_dup_list (goa_accounts);

  g_hash_table_remove_all (by_name);
  for (guint i = 0; i < list->len; i++)
    {
      PostierGoaMailAccount *entry = g_ptr_array_index (list, i);

      g_hash_table_replace (by_name, g_strdup (postier_account_get_name (entry->account)),
                            g_object_ref (entry->account));
    }
}

PostierGoaAccounts *
postier_online_accounts_get (void)
{
  if (goa_accounts == NULL)
    {
      by_name = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
      goa_accounts = postier_goa_accounts_new ();
      /* Connected first: every other listener sees the table up to date. */
      g_signal_connect (goa_accounts, "changed", G_CALLBACK (refresh), NULL);
    }
  return goa_accounts;
}

GPtrArray *
postier_online_accounts_list (void)
{
  return postier_goa_accounts_dup_list (postier_online_accounts_get ());
}

PostierAccount *
postier_online_accounts_lookup_account (const char *name)
{
  postier_online_accounts_get ();
  return name != NULL ? g_hash_table_lookup (by_name, name) : NULL;
}

gboolean
postier_online_accounts_can_open_settings (void)
{
  static gsize answer;   /* 1 + whether it is there: asked once, rows ask often */

  if (g_once_init_enter (&answer))
    {
      g_autofree char *path = g_find_program_in_path ("gnome-control-center");

      g_once_init_leave (&answer, path != NULL ? 2 : 1);
    }
  return answer == 2;
}

void
postier_online_accounts_open_settings (void)
{
  const char *argv[] = { "gnome-control-center", "online-accounts", NULL };
  g_autoptr(GError) error = NULL;

  if (!g_spawn_async (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, &error))
    g_warning ("Cannot open Settings → Online Accounts: %s", error->message);
}
