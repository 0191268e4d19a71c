/* postier-account-save.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-account"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "postier-account-save.h"
#include "postier-error.h"
#include "postier-secret-store.h"

typedef struct {
  PostierAccount         *account;   /* what to save, a private copy */
  PostierAccount         *previous;  /* the stored one when replacing */
  PostierAccountSaveMode  mode;
  char                   *password;
  gboolean                make_default;
  gboolean                stored_new_password;
} SaveData;

static void
save_data_free (SaveData *data)
{
  g_clear_object (&data->account);
  g_clear_object (&data->previous);
  if (data->password != NULL)
    {
      explicit_bzero (data->password, strlen (data->password));
      g_free (data->password);
    }
  g_free (data);
}

static gboolean
uses_keyring (PostierAccount *account)
{
  return account != NULL &&
         postier_account_needs_password (account) &&
         postier_account_get_password_command (account) == NULL &&
         postier_account_get_kind (account) == POSTIER_ACCOUNT_KIND_RELAY;
}

static gboolean
same_keyring_item (PostierAccount *a,
                   PostierAccount *b)
{
  return g_strcmp0 (postier_account_get_name (a), postier_account_get_name (b)) == 0 &&
         g_strcmp0 (postier_account_get_host (a), postier_account_get_host (b)) == 0 &&
         g_strcmp0 (postier_account_get_login (a), postier_account_get_login (b)) == 0;
}

static gboolean
clear_ignoring_missing (PostierAccount  *account,
                        GCancellable    *cancellable,
                        GError         **error)
{
  g_autoptr(GError) local_error = NULL;

  if (postier_secret_clear_password_sync (account, cancellable, &local_error) ||
      g_error_matches (local_error, POSTIER_SECRET_ERROR, POSTIER_SECRET_ERROR_NOT_FOUND))
    return TRUE;
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

static void
save_keyring_thread (GTask        *task,
                     G_GNUC_UNUSED gpointer source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  SaveData *data = task_data;
  gboolean moved = data->previous != NULL && uses_keyring (data->previous) &&
                   !same_keyring_item (data->previous, data->account);
  GError *error = NULL;

  if (uses_keyring (data->account))
    {
      g_autofree char *password = g_strdup (data->password);

      /* Keep the old password under the new server or login. */
      if (password == NULL && moved)
        {
          g_autoptr(GError) lookup_error = NULL;

          password = postier_secret_lookup_password_sync (data->previous, cancellable,
                                                          &lookup_error);
          if (password == NULL &&
              !g_error_matches (lookup_error, POSTIER_SECRET_ERROR, POSTIER_SECRET_ERROR_NOT_FOUND))
            {
              g_task_return_error (task, g_steal_pointer (&lookup_error));
              return;
            }
        }

      if (password != NULL)
        {
          gboolean stored = postier_secret_store_password_sync (data->account, password,
                                                                cancellable, &error);

          explicit_bzero (password, strlen (password));
          if (!stored)
            {
              g_task_return_error (task, error);
              return;
            }
          data->stored_new_password = TRUE;
        }
    }

  /* The item under the old attributes is now stale (or the account no
   * longer uses the keyring at all). */
  if (data->previous != NULL && uses_keyring (data->previous) &&
      (moved || !uses_keyring (data->account)))
    {
      if (!clear_ignoring_missing (data->previous, cancellable, &error))
        {
          g_task_return_error (task, error);
          return;
        }
    }

  g_task_return_boolean (task, TRUE);
}

static void
rollback_thread (GTask        *task,
                 G_GNUC_UNUSED gpointer source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  g_autoptr(GError) error = NULL;

  if (!clear_ignoring_missing (task_data, cancellable, &error))
    g_warning ("Could not remove the password of an account that was not added: %s",
               error->message);
  g_task_return_boolean (task, TRUE);
}

/* An account that could not be added must not leave its password behind. */
static void
rollback_new_password (PostierAccount *account)
{
  g_autoptr(GTask) task = g_task_new (NULL, NULL, NULL, NULL);

  g_task_set_task_data (task, g_object_ref (account), g_object_unref);
  g_task_run_in_thread (task, rollback_thread);
}

static void
save_keyring_done (G_GNUC_UNUSED GObject *source,
                   GAsyncResult          *result,
                   gpointer               user_data)
{
  g_autoptr(GTask) task = user_data;
  PostierAccountStore *store = g_task_get_source_object (task);
  SaveData *data = g_task_get_task_data (task);
  const char *name = postier_account_get_name (data->account);
  GError *error = NULL;
  gboolean saved;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, error);
      return;
    }

  if (data->mode == POSTIER_ACCOUNT_SAVE_ADD)
    saved = postier_account_store_add (store, data->account, data->make_default, &error);
  else
    saved = postier_account_store_replace (store, data->account, &error) &&
            (!data->make_default || postier_account_store_set_default (store, name, &error));

  if (!saved)
    {
      if (data->mode == POSTIER_ACCOUNT_SAVE_ADD && data->stored_new_password)
        rollback_new_password (data->account);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

void
postier_account_save_async (PostierAccountStore    *store,
                            PostierAccount         *account,
                            PostierAccountSaveMode  mode,
                            const char             *password,
                            gboolean                make_default,
                            GCancellable           *cancellable,
                            GAsyncReadyCallback     callback,
                            gpointer                user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) keyring_task = NULL;
  g_autoptr(GError) error = NULL;
  PostierAccount *existing;
  SaveData *data;

  g_return_if_fail (POSTIER_IS_ACCOUNT_STORE (store));
  g_return_if_fail (POSTIER_IS_ACCOUNT (account));

  task = g_task_new (store, cancellable, callback, user_data);
  g_task_set_source_tag (task, postier_account_save_async);

  /* Refuse what the store would refuse before touching the keyring. */
  if (!postier_account_validate (account, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  existing = postier_account_store_lookup (store, postier_account_get_name (account));
  if (mode == POSTIER_ACCOUNT_SAVE_ADD && existing != NULL)
    {
      g_task_return_new_error (task, POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_EXISTS,
                               _("An account named “%s” already exists"),
                               postier_account_get_name (account));
      return;
    }
  if (mode == POSTIER_ACCOUNT_SAVE_REPLACE && existing == NULL)
    {
      g_task_return_new_error (task, POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_NOT_FOUND,
                               _("There is no account named “%s”"),
                               postier_account_get_name (account));
      return;
    }

  data = g_new0 (SaveData, 1);
  data->account = postier_account_copy (account);
  data->previous = existing != NULL ? postier_account_copy (existing) : NULL;
  data->mode = mode;
  data->password = g_strdup (password);
  data->make_default = make_default;
  g_task_set_task_data (task, data, (GDestroyNotify) save_data_free);

  keyring_task = g_task_new (store, cancellable, save_keyring_done, g_object_ref (task));
  g_task_set_task_data (keyring_task, data, NULL);
  g_task_run_in_thread (keyring_task, save_keyring_thread);
}

gboolean
postier_account_save_finish (PostierAccountStore  *store,
                             GAsyncResult         *result,
                             GError              **error)
{
  g_return_val_if_fail (g_task_is_valid (result, store), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* --- Removing -------------------------------------------------------------- */

static void
remove_keyring_thread (GTask        *task,
                       G_GNUC_UNUSED gpointer source_object,
                       gpointer      task_data,
                       GCancellable *cancellable)
{
  GError *error = NULL;

  if (!clear_ignoring_missing (task_data, cancellable, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
postier_account_remove_async (PostierAccountStore *store,
                              const char          *name,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(PostierAccount) removed = NULL;
  PostierAccount *existing;
  GError *error = NULL;

  g_return_if_fail (POSTIER_IS_ACCOUNT_STORE (store));
  g_return_if_fail (name != NULL);

  task = g_task_new (store, cancellable, callback, user_data);
  g_task_set_source_tag (task, postier_account_remove_async);

  existing = postier_account_store_lookup (store, name);
  if (existing != NULL)
    removed = postier_account_copy (existing);
  if (!postier_account_store_remove (store, name, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  /* Removing an item that is not there is fine: a password command
   * account never had one, and the user may have tidied the keyring. */
  g_task_set_task_data (task, g_steal_pointer (&removed), g_object_unref);
  g_task_run_in_thread (task, remove_keyring_thread);
}

gboolean
postier_account_remove_finish (PostierAccountStore  *store,
                               GAsyncResult         *result,
                               GError              **error)
{
  g_return_val_if_fail (g_task_is_valid (result, store), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
