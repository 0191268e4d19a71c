/* postier-outbox-watch.c — PostierOutbox::changed and the listing off the
 * caller's thread.
 *
 * Why apart from postier-outbox.c: the outbox holds nothing in memory but
 * this watch (folder monitors), which only the app's views ask for; the
 * files on disk stay postier-outbox.c's business.
 *
 * The outbox folder is watched for entries that come and go; each entry's
 * folder is watched too, because postierctl and the flusher rewrite
 * entry.ini inside it, which the outbox folder's own watch does not see.
 * The entry watches follow the listings: each list_async() hands the ids it
 * found to the watch's main context.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-outbox"

#include "config.h"

#include "postier-outbox-private.h"
#include "postier-outbox-relay-holds.h"
#include "postier-paths.h"

/* An outbox large enough to need more watches than this is seen through
 * its folder's own watch (entries coming and going) and the submitter's
 * signals only. */
#define MAX_ENTRY_MONITORS 256
/* Made on the main thread (a monitor delivers to the context it is made
 * in), each an inotify watch and a few objects: this many per main-loop
 * dispatch, so 256 at once do not hold a frame. */
#define MAX_NEW_MONITORS_PER_SYNC 16

typedef struct {
  PostierOutbox *outbox;          /* not referenced: the watch is its data */
  GMainContext  *context;         /* where ::changed is emitted */
  GFileMonitor  *dir_monitor;
  GHashTable    *entry_monitors;  /* id → GFileMonitor on its folder */
} Watch;

static guint changed_signal;

static void monitor_free (gpointer data);

static void
watch_free (gpointer data)
{
  Watch *watch = data;

  g_clear_pointer (&watch->dir_monitor, monitor_free);
  g_clear_pointer (&watch->entry_monitors, g_hash_table_unref);
  g_main_context_unref (watch->context);
  g_free (watch);
}

static Watch *
get_watch (PostierOutbox *self)
{
  return g_object_get_data (G_OBJECT (self), "postier-outbox-watch");
}

void
_postier_outbox_watch_class_init (GObjectClass *klass)
{
  /**
   * PostierOutbox::changed:
   *
   * An entry came, went or changed on disk (after watch()).
   */
  changed_signal = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass),
                                 G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                 G_TYPE_NONE, 0);
}

/* Any event: entry.ini is rewritten in place by some writers. */
static void
on_folder_changed (G_GNUC_UNUSED GFileMonitor     *monitor,
                   G_GNUC_UNUSED GFile            *file,
                   G_GNUC_UNUSED GFile            *other,
                   G_GNUC_UNUSED GFileMonitorEvent event,
                   gpointer                        user_data)
{
  g_signal_emit (user_data, changed_signal, 0);
}

static void
monitor_free (gpointer data)
{
  GFileMonitor *monitor = data;

  g_signal_handlers_disconnect_matched (monitor, G_SIGNAL_MATCH_FUNC, 0, 0, NULL,
                                        on_folder_changed, NULL);
  g_file_monitor_cancel (monitor);
  g_object_unref (monitor);
}

static GFileMonitor *
monitor_folder (PostierOutbox  *self,
                const char     *path,
                GError        **error)
{
  g_autoptr(GFile) folder = g_file_new_for_path (path);
  GFileMonitor *monitor;

  monitor = g_file_monitor_directory (folder, G_FILE_MONITOR_WATCH_MOVES, NULL, error);
  if (monitor == NULL)
    return NULL;
  g_signal_connect (monitor, "changed", G_CALLBACK (on_folder_changed), self);
  return monitor;
}

gboolean
postier_outbox_watch (PostierOutbox  *self,
                      GError        **error)
{
  g_autoptr(GFileMonitor) dir_monitor = NULL;
  const char *dir;
  Watch *watch;

  g_return_val_if_fail (POSTIER_IS_OUTBOX (self), FALSE);

  if (get_watch (self) != NULL)
    return TRUE;
  dir = postier_outbox_get_dir (self);
  /* The folder may not exist before the first message: make it, so the
   * watch sees that message arrive. */
  if (!postier_ensure_private_dir (dir, error))
    return FALSE;
  dir_monitor = monitor_folder (self, dir, error);
  if (dir_monitor == NULL)
    return FALSE;

  watch = g_new0 (Watch, 1);
  watch->outbox = self;
  watch->context = g_main_context_ref_thread_default ();
  watch->dir_monitor = g_steal_pointer (&dir_monitor);
  watch->entry_monitors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, monitor_free);
  g_object_set_data_full (G_OBJECT (self), "postier-outbox-watch", watch, watch_free);
  return TRUE;
}

typedef struct {
  PostierOutbox *outbox;
  GPtrArray     *entries;   /* PostierOutboxEntry, as listed */
  guint          next;      /* the first of ENTRIES not looked at yet */
} Sync;

static void
sync_free (gpointer data)
{
  Sync *sync = data;

  g_object_unref (sync->outbox);
  g_ptr_array_unref (sync->entries);
  g_free (sync);
}

/* On the watch's context: forgets the folders of entries gone, then
 * watches those of ENTRIES, MAX_NEW_MONITORS_PER_SYNC at a time (one
 * dispatch each) until all are watched or MAX_ENTRY_MONITORS are. */
static gboolean
sync_entry_monitors (gpointer data)
{
  Sync *sync = data;
  Watch *watch = get_watch (sync->outbox);
  guint made = 0;

  if (sync->next == 0)
    {
      g_autoptr(GHashTable) keep = g_hash_table_new (g_str_hash, g_str_equal);
      GHashTableIter iter;
      gpointer key;

      for (guint i = 0; i < sync->entries->len; i++)
        g_hash_table_add (keep, (gpointer) postier_outbox_entry_get_id (sync->entries->pdata[i]));
      g_hash_table_iter_init (&iter, watch->entry_monitors);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        if (!g_hash_table_contains (keep, key))
          g_hash_table_iter_remove (&iter);
    }

  /* Monitors deliver to the thread-default context they are made in. */
  g_main_context_push_thread_default (watch->context);
  for (; sync->next < sync->entries->len && made < MAX_NEW_MONITORS_PER_SYNC; sync->next++)
    {
      PostierOutboxEntry *entry = sync->entries->pdata[sync->next];
      const char *id = postier_outbox_entry_get_id (entry);
      GFileMonitor *monitor;

      if (g_hash_table_size (watch->entry_monitors) >= MAX_ENTRY_MONITORS)
        {
          sync->next = sync->entries->len;
          break;
        }
      if (g_hash_table_contains (watch->entry_monitors, id))
        continue;
      monitor = monitor_folder (sync->outbox, postier_outbox_entry_get_path (entry), NULL);
      made++;
      if (monitor != NULL)
        g_hash_table_insert (watch->entry_monitors, g_strdup (id), monitor);
    }
  g_main_context_pop_thread_default (watch->context);
  return sync->next < sync->entries->len ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

typedef struct {
  GPtrArray *entries;
  GPtrArray *damaged;   /* GError, one per damaged entry */
} Listing;

static void
listing_free (Listing *listing)
{
  g_clear_pointer (&listing->entries, g_ptr_array_unref);
  g_clear_pointer (&listing->damaged, g_ptr_array_unref);
  g_free (listing);
}

static void
list_thread (GTask        *task,
             gpointer      source_object,
             G_GNUC_UNUSED gpointer task_data,
             G_GNUC_UNUSED GCancellable *cancellable)
{
  PostierOutbox *self = source_object;
  GError *error = NULL;
  Listing *listing = g_new0 (Listing, 1);
  Watch *watch;

  listing->entries = postier_outbox_list_with_damaged (self, &listing->damaged, &error);
  if (listing->entries == NULL)
    {
      listing_free (listing);
      g_task_return_error (task, error);
      return;
    }
  /* Here, not in the rows: the limiter reads files and may wait on a lock. */
  _postier_outbox_note_relay_holds (listing->entries, g_get_real_time () / G_USEC_PER_SEC);
  watch = get_watch (self);
  if (watch != NULL)
    {
      Sync *sync = g_new0 (Sync, 1);
      g_autoptr(GSource) source = g_idle_source_new ();

      sync->outbox = g_object_ref (self);
      sync->entries = g_ptr_array_ref (listing->entries);
      /* Always a source, never g_main_context_invoke(): that would run it
       * here, in this thread, whenever the context happens to be free. */
      g_source_set_priority (source, G_PRIORITY_DEFAULT);
      g_source_set_callback (source, sync_entry_monitors, sync, sync_free);
      g_source_attach (source, watch->context);
    }
  g_task_return_pointer (task, listing, (GDestroyNotify) listing_free);
}

void
postier_outbox_list_async (PostierOutbox       *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (POSTIER_IS_OUTBOX (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, postier_outbox_list_async);
  g_task_run_in_thread (task, list_thread);
}

GPtrArray *
postier_outbox_list_finish (PostierOutbox  *self,
                            GAsyncResult   *result,
                            GPtrArray     **damaged,
                            GError        **error)
{
  Listing *listing;
  GPtrArray *entries;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  listing = g_task_propagate_pointer (G_TASK (result), error);
  if (listing == NULL)
    return NULL;
  entries = g_steal_pointer (&listing->entries);
  if (damaged != NULL)
    *damaged = g_steal_pointer (&listing->damaged);
  listing_free (listing);
  return entries;
}
