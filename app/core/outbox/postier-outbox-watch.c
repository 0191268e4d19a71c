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
#include "postier-threads.h"

#include <string.h>
#include <sys/stat.h>

/* An outbox large enough to need more watches than this is seen through
 * its folder's own watch (entries coming and going) and the submitter's
 * signals only. */
#define MAX_ENTRY_MONITORS 256
/* Made and cancelled on the main thread (a monitor delivers to the
 * context it is made in), each an inotify watch and a few objects: this
 * many per main-loop dispatch, so 256 at once do not hold a frame. During
 * a flush a listing can find every watched entry gone: cancelling 256 in
 * one dispatch took 1.7–3.4 ms of a frame (bench-frames, scene b). */
#define MAX_MONITOR_CHANGES_PER_SYNC 16

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
  GPtrArray     *gone;      /* ids watched but not listed; NULL until known */
  guint          next;      /* the first of ENTRIES not looked at yet */
} Sync;

static void
sync_free (gpointer data)
{
  Sync *sync = data;

  g_object_unref (sync->outbox);
  g_ptr_array_unref (sync->entries);
  g_clear_pointer (&sync->gone, g_ptr_array_unref);
  g_free (sync);
}

/* On the watch's context: forgets the folders of entries gone, then
 * watches those of ENTRIES, MAX_MONITOR_CHANGES_PER_SYNC changes at a time
 * (one dispatch each) until all are watched or MAX_ENTRY_MONITORS are. */
static gboolean
sync_entry_monitors (gpointer data)
{
  Sync *sync = data;
  Watch *watch = get_watch (sync->outbox);
  guint changes = 0;

  if (sync->gone == NULL)
    {
      g_autoptr(GHashTable) keep = g_hash_table_new (g_str_hash, g_str_equal);
      GHashTableIter iter;
      gpointer key;

      sync->gone = g_ptr_array_new_with_free_func (g_free);
      for (guint i = 0; i < sync->entries->len; i++)
        g_hash_table_add (keep, (gpointer) postier_outbox_entry_get_id (sync->entries->pdata[i]));
      g_hash_table_iter_init (&iter, watch->entry_monitors);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        if (!g_hash_table_contains (keep, key))
          g_ptr_array_add (sync->gone, g_strdup (key));
    }
  /* All the gone first: the room they leave is what the new ones take. */
  while (sync->gone->len > 0 && changes < MAX_MONITOR_CHANGES_PER_SYNC)
    {
      g_autofree char *id = g_ptr_array_steal_index_fast (sync->gone, sync->gone->len - 1);

      g_hash_table_remove (watch->entry_monitors, id);
      changes++;
    }
  if (sync->gone->len > 0)
    return G_SOURCE_CONTINUE;

  /* Monitors deliver to the thread-default context they are made in. */
  g_main_context_push_thread_default (watch->context);
  for (; sync->next < sync->entries->len && changes < MAX_MONITOR_CHANGES_PER_SYNC; sync->next++)
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
      changes++;
      if (monitor != NULL)
        g_hash_table_insert (watch->entry_monitors, g_strdup (id), monitor);
    }
  g_main_context_pop_thread_default (watch->context);
  return sync->next < sync->entries->len ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

/* --- The entries kept between listings ---------------------------------------- */

/* A view lists the whole outbox again at each change (once a second at
 * most during a flush): reading and parsing every entry.ini each time cost
 * 10 000 entries seconds of a shared core, and the main thread compared
 * and freed 10 000 new snapshots for the few that changed (issue 12: the
 * scroll's one long frame). The views' listing keeps the snapshot of each
 * entry whose files have not changed since and hands out that same object,
 * so an unchanged entry costs two stat()s, and the view sees it unchanged
 * by its pointer. Only the async listing does this: the flusher and
 * postierctl always read the files. */

/* What says an entry's files are the ones read: its folder (a "sending"
 * link or message.eml coming or going changes it) and entry.ini (a
 * rewrite, in place or by rename, or a new link to it). */
typedef struct {
  dev_t           dev;
  ino_t           dir_ino;
  ino_t           ini_ino;
  off_t           ini_size;
  struct timespec dir_mtime, dir_ctime, ini_mtime, ini_ctime;
} Stamps;

typedef struct {
  Stamps              stamps;
  PostierOutboxEntry *entry;
} Kept;

/* A file changed within this long before it was looked at might change
 * again with the same time stamp (file times are as coarse as a clock
 * tick, a second on some file systems): such an entry is read again next
 * time instead of kept. */
#define SETTLED_US G_USEC_PER_SEC

static GMutex kept_lock;   /* the "postier-outbox-kept" table of every outbox, and each listing's new one */

static void
kept_free (gpointer data)
{
  Kept *kept = data;

  g_object_unref (kept->entry);
  g_free (kept);
}

static gboolean
read_stamps (const char *path,
             Stamps     *stamps)
{
  g_autofree char *ini = g_build_filename (path, POSTIER_OUTBOX_ENTRY_FILE, NULL);
  struct stat dir_info, ini_info;

  memset (stamps, 0, sizeof *stamps);
  if (lstat (path, &dir_info) != 0 || !S_ISDIR (dir_info.st_mode) ||
      lstat (ini, &ini_info) != 0 || !S_ISREG (ini_info.st_mode))
    return FALSE;
  stamps->dev = dir_info.st_dev;
  stamps->dir_ino = dir_info.st_ino;
  stamps->ini_ino = ini_info.st_ino;
  stamps->ini_size = ini_info.st_size;
  stamps->dir_mtime = dir_info.st_mtim;
  stamps->dir_ctime = dir_info.st_ctim;
  stamps->ini_mtime = ini_info.st_mtim;
  stamps->ini_ctime = ini_info.st_ctim;
  return TRUE;
}

static gboolean
same_time (const struct timespec *a,
           const struct timespec *b)
{
  return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

static gboolean
same_stamps (const Stamps *a,
             const Stamps *b)
{
  return a->dev == b->dev && a->dir_ino == b->dir_ino && a->ini_ino == b->ini_ino &&
         a->ini_size == b->ini_size && same_time (&a->dir_mtime, &b->dir_mtime) &&
         same_time (&a->dir_ctime, &b->dir_ctime) && same_time (&a->ini_mtime, &b->ini_mtime) &&
         same_time (&a->ini_ctime, &b->ini_ctime);
}

static gint64
time_us (const struct timespec *t)
{
  return (gint64) t->tv_sec * G_USEC_PER_SEC + t->tv_nsec / 1000;
}

/* Every time stamp is older than BEFORE (µs, real time) by SETTLED_US. */
static gboolean
settled (const Stamps *stamps,
         gint64        before)
{
  gint64 newest = MAX (MAX (time_us (&stamps->dir_mtime), time_us (&stamps->dir_ctime)),
                       MAX (time_us (&stamps->ini_mtime), time_us (&stamps->ini_ctime)));

  return newest < before - SETTLED_US;
}

typedef struct {
  PostierOutbox *outbox;
  GHashTable    *kept;     /* id → Kept: what this listing found, for the next */
  gint64         started;  /* real µs, before any stat() */
} KeepingListing;

static PostierOutboxEntry *
load_kept (const char  *id,
           const char  *path,
           gpointer     data,
           GError     **error)
{
  KeepingListing *listing = data;
  PostierOutboxEntry *entry = NULL;
  Stamps stamps;
  gboolean stamped = read_stamps (path, &stamps);

  if (stamped)
    {
      GHashTable *table;
      Kept *kept;

      g_mutex_lock (&kept_lock);
      table = g_object_get_data (G_OBJECT (listing->outbox), "postier-outbox-kept");
      kept = table != NULL ? g_hash_table_lookup (table, id) : NULL;
      if (kept != NULL && same_stamps (&kept->stamps, &stamps))
        entry = g_object_ref (kept->entry);
      g_mutex_unlock (&kept_lock);
    }
  if (entry == NULL)
    {
      entry = _postier_outbox_entry_load (id, path, error);
      if (entry == NULL || !stamped || !settled (&stamps, listing->started))
        return entry;
    }
  {
    Kept *kept = g_new0 (Kept, 1);

    kept->stamps = stamps;
    kept->entry = g_object_ref (entry);
    /* Listings load on several threads (_postier_outbox_list_loading). */
    g_mutex_lock (&kept_lock);
    g_hash_table_replace (listing->kept, g_strdup (id), kept);
    g_mutex_unlock (&kept_lock);
  }
  return entry;
}

/* postier_outbox_list_with_damaged(), keeping unchanged entries; what it
 * found replaces what was kept (entries gone are forgotten). */
GPtrArray *
_postier_outbox_list_kept (PostierOutbox  *self,
              GPtrArray     **damaged,
              GError        **error)
{
  KeepingListing listing = { self, NULL, g_get_real_time () };
  GPtrArray *entries;

  listing.kept = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, kept_free);
  entries = _postier_outbox_list_loading (self, load_kept, &listing, damaged, error);
  if (entries == NULL)
    {
      g_hash_table_unref (listing.kept);
      return NULL;
    }
  g_mutex_lock (&kept_lock);
  g_object_set_data_full (G_OBJECT (self), "postier-outbox-kept", listing.kept,
                          (GDestroyNotify) g_hash_table_unref);
  g_mutex_unlock (&kept_lock);
  return entries;
}

/* --- The listing off the caller's thread ---------------------------------------- */

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

  listing->entries = _postier_outbox_list_kept (self, &listing->damaged, &error);
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
  /* The views list again at each change, so nearly all along a flush. */
  postier_task_run_in_niced_thread (task, list_thread);
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
