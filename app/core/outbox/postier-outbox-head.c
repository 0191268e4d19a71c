/* postier-outbox-head.c — the first entries of a large outbox, read first
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-outbox"

#include "config.h"

#include <string.h>

#include "postier-error.h"
#include "postier-outbox-entry-private.h"
#include "postier-outbox-head.h"
#include "postier-threads.h"

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static void
head_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  const char *dir_path = postier_outbox_get_dir (source_object);
  guint n = GPOINTER_TO_UINT (task_data);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, &error);
  const char *name;

  if (dir == NULL)
    {
      if (g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_task_return_pointer (task, g_steal_pointer (&entries), (GDestroyNotify) g_ptr_array_unref);
      else
        g_task_return_new_error (task, POSTIER_OUTBOX_ERROR, POSTIER_OUTBOX_ERROR_STORAGE,
                                 "%s", error->message);
      return;
    }
  /* The ids, as postier_outbox_list() sorts its entries. */
  while ((name = g_dir_read_name (dir)) != NULL)
    if (name[0] != '.')
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);

  for (guint i = 0; i < names->len && entries->len < n; i++)
    {
      g_autofree char *path = g_build_filename (dir_path, names->pdata[i], NULL);
      g_autoptr(GError) local_error = NULL;
      PostierOutboxEntry *entry;

      if (g_cancellable_set_error_if_cancelled (cancellable, &local_error))
        {
          g_task_return_error (task, g_steal_pointer (&local_error));
          return;
        }
      entry = _postier_outbox_entry_load (names->pdata[i], path, &local_error);
      if (entry != NULL)
        g_ptr_array_add (entries, entry);
    }
  g_task_return_pointer (task, g_steal_pointer (&entries), (GDestroyNotify) g_ptr_array_unref);
}

void
postier_outbox_list_head_async (PostierOutbox       *self,
                                guint                n,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (POSTIER_IS_OUTBOX (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, postier_outbox_list_head_async);
  g_task_set_task_data (task, GUINT_TO_POINTER (n), NULL);
  /* Not the pool: its thread would drop the last reference of a task, and
   * with it perhaps the outbox, off the main context. */
  postier_task_run_in_own_thread (task, head_thread, 0);
}

GPtrArray *
postier_outbox_list_head_finish (PostierOutbox  *self,
                                 GAsyncResult   *result,
                                 GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
