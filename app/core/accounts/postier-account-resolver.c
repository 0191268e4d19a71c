/* postier-account-resolver.c — one answer for every account name (see the
 * header)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-accounts"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "postier-account-resolver.h"
#include "postier-error.h"
#include "postier-goa-send.h"
#include "postier-goa.h"

static gboolean
goa_matches (PostierGoaMailAccount *entry,
             const char            *name)
{
  const char *address = postier_account_get_address (entry->account);

  return g_strcmp0 (postier_account_get_name (entry->account), name) == 0 ||
         g_strcmp0 (entry->id, name) == 0 ||
         (address != NULL && g_ascii_strcasecmp (address, name) == 0);
}

PostierAccount *
postier_account_resolve (PostierAccountStore  *store,
                         const char           *name,
                         GCancellable         *cancellable,
                         GError              **error)
{
  g_autoptr(GPtrArray) goa = NULL;
  PostierAccount *account;

  g_return_val_if_fail (store == NULL || POSTIER_IS_ACCOUNT_STORE (store), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  account = store != NULL ? postier_account_store_lookup (store, name) : NULL;
  if (account != NULL)
    return g_object_ref (account);
  goa = postier_goa_list_mail_accounts (cancellable);
  for (guint i = 0; i < goa->len; i++)
    if (goa_matches (g_ptr_array_index (goa, i), name))
      return g_object_ref (((PostierGoaMailAccount *) g_ptr_array_index (goa, i))->account);
  g_set_error (error, POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_NOT_FOUND,
               _("There is no account named “%s”"), name);
  return NULL;
}

PostierAccount *
postier_account_pick_default (PostierAccountStore *store,
                              GPtrArray           *goa_list)
{
  PostierGoaMailAccount *oldest = NULL;
  g_autofree char *oldest_key = NULL;

  g_return_val_if_fail (store == NULL || POSTIER_IS_ACCOUNT_STORE (store), NULL);

  if (store != NULL && postier_account_store_count_relays (store) > 0)
    return postier_account_store_get_default (store);
  /* GOA's ids are "account_SECONDS_N": in natural order, the one added
   * first (GOA's own listing order is a hash table's). */
  for (guint i = 0; goa_list != NULL && i < goa_list->len; i++)
    {
      PostierGoaMailAccount *entry = g_ptr_array_index (goa_list, i);
      g_autofree char *key = g_utf8_collate_key_for_filename (entry->id, -1);

      if (oldest == NULL || strcmp (key, oldest_key) < 0)
        {
          oldest = entry;
          g_free (oldest_key);
          oldest_key = g_steal_pointer (&key);
        }
    }
  return oldest != NULL ? oldest->account : NULL;
}

PostierAccount *
postier_account_resolve_default (PostierAccountStore  *store,
                                 GCancellable         *cancellable,
                                 GError              **error)
{
  g_autoptr(GPtrArray) goa = NULL;
  PostierAccount *account;

  if (store != NULL && postier_account_store_count_relays (store) > 0)
    return g_object_ref (postier_account_pick_default (store, NULL));
  goa = postier_goa_list_mail_accounts (cancellable);
  account = postier_account_pick_default (store, goa);
  if (account == NULL)
    {
      g_set_error (error, POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_NOT_FOUND,
                   _("There is no account to send with; add one with “postierctl account add”"));
      return NULL;
    }
  return g_object_ref (account);
}

PostierAccount *
postier_account_resolve_for_send (GHashTable   *own,
                                  const char   *name,
                                  GCancellable *cancellable)
{
  PostierAccount *account = own != NULL ? g_hash_table_lookup (own, name) : NULL;

  if (account != NULL)
    return g_object_ref (account);
  /* NULL for any name that is not GOA's. */
  return postier_goa_account_for_send (name, cancellable);
}
