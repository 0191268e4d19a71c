/* postier-outbox.c
 *
 * Layout: <dir>/<id>/{message.eml,entry.ini,transcript.log}. An entry is
 * built in a hidden folder <dir>/.<id> and renamed into place once its files
 * are on disk, so a reader never sees half an entry. Staging files are
 * <dir>/.staging-* (postier-outbox-staging.c is the one way in); <dir>/.lock
 * is the flusher's lock.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-outbox"

#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "postier-error.h"
#include "postier-outbox-private.h"
#include "postier-paths.h"
#include "postier-threads.h"

#define LOCK_FILE      ".lock"
#define STAGING_PREFIX ".staging-"

struct _PostierOutbox
{
  GObject  parent_instance;

  char    *dir;

  GMutex   lock_mutex;
  int      lock_fd;       /* -1 unless this object holds the flush lock */
};

G_DEFINE_FINAL_TYPE (PostierOutbox, postier_outbox, G_TYPE_OBJECT)

static void
postier_outbox_finalize (GObject *object)
{
  PostierOutbox *self = POSTIER_OUTBOX (object);

  if (self->lock_fd >= 0)
    close (self->lock_fd);
  g_mutex_clear (&self->lock_mutex);
  g_free (self->dir);

  G_OBJECT_CLASS (postier_outbox_parent_class)->finalize (object);
}

static void
postier_outbox_class_init (PostierOutboxClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = postier_outbox_finalize;
  _postier_outbox_watch_class_init (G_OBJECT_CLASS (klass));
}

static void
postier_outbox_init (PostierOutbox *self)
{
  g_mutex_init (&self->lock_mutex);
  self->lock_fd = -1;
}

PostierOutbox *
postier_outbox_new (const char *dir)
{
  PostierOutbox *self = g_object_new (POSTIER_TYPE_OUTBOX, NULL);

  self->dir = dir != NULL ? g_strdup (dir) : postier_data_dir ("outbox");
  return self;
}

const char *
postier_outbox_get_dir (PostierOutbox *self)
{
  g_return_val_if_fail (POSTIER_IS_OUTBOX (self), NULL);
  return self->dir;
}

/* Shared with the staging and the schedule; the short names inside this file. */
#define storage_error _postier_outbox_storage_error
#define remove_entry_folder _postier_outbox_remove_folder
#define flusher_is_running _postier_outbox_flusher_is_running

gboolean
_postier_outbox_storage_error (GError     **error,
                               int          saved_errno,
                               const char  *format,
                               const char  *path)
{
  g_autofree char *what = g_strdup_printf (format, path);

  g_set_error (error, POSTIER_OUTBOX_ERROR, POSTIER_OUTBOX_ERROR_STORAGE,
               "%s: %s", what, g_strerror (saved_errno));
  return FALSE;
}

static gboolean
ensure_dir (PostierOutbox  *self,
            GError        **error)
{
  g_autoptr(GError) local_error = NULL;

  if (!postier_ensure_private_dir (self->dir, &local_error))
    {
      g_set_error_literal (error, POSTIER_OUTBOX_ERROR, POSTIER_OUTBOX_ERROR_STORAGE,
                           local_error->message);
      return FALSE;
    }
  return TRUE;
}

int
_postier_outbox_create_staging (PostierOutbox  *self,
                                char          **path_out,
                                GError        **error)
{
  g_autofree char *path = NULL;
  int fd;

  g_return_val_if_fail (POSTIER_IS_OUTBOX (self), -1);

  if (!ensure_dir (self, error))
    return -1;
  path = g_build_filename (self->dir, STAGING_PREFIX "XXXXXX", NULL);
  fd = g_mkstemp_full (path, O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      storage_error (error, errno, _("Cannot create a file in the outbox “%s”"), self->dir);
      return -1;
    }
  *path_out = g_steal_pointer (&path);
  return fd;
}

/* Sortable by creation time (microseconds, UTC), unique by the random tail. */
static char *
make_id (gint64 now_us)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (now_us / G_USEC_PER_SEC);
  g_autofree char *stamp = g_date_time_format (time, "%Y%m%dT%H%M%SZ");

  return g_strdup_printf ("%s-%06d-%08x", stamp, (int) (now_us % G_USEC_PER_SEC),
                          g_random_int ());
}

/* Removes a folder with the few plain files an entry holds. The folder is
 * opened without following a link, and its files are removed through that
 * descriptor: a link planted in place of the folder is removed itself (it
 * is in our outbox), never what it points to. */
gboolean
_postier_outbox_remove_folder (const char *path)
{
  struct dirent *child;
  DIR *dir;
  int fd;

  fd = open (path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    {
      if (errno == ENOENT)
        return TRUE;
      if (errno == ELOOP || errno == ENOTDIR)
        return g_unlink (path) == 0;
      return FALSE;
    }
  dir = fdopendir (fd);
  if (dir == NULL)
    {
      close (fd);
      return FALSE;
    }
  while ((child = readdir (dir)) != NULL)
    {
      if (g_str_equal (child->d_name, ".") || g_str_equal (child->d_name, ".."))
        continue;
      /* unlinkat() removes a link itself; a folder inside stays (Postier
       * makes none), and then so does the entry's. */
      unlinkat (fd, child->d_name, 0);
    }
  closedir (dir);
  return g_rmdir (path) == 0;
}

/* A new hidden folder <dir>/.<id> for an entry being added. */
static char *
make_hidden_folder (PostierOutbox  *self,
                    char          **id_out,
                    gint64         *now_us_out,
                    GError        **error)
{
  g_autofree char *id = NULL;
  g_autofree char *hidden = NULL;

  for (guint tries = 0; ; tries++)
    {
      *now_us_out = g_get_real_time ();
      g_free (id);
      id = make_id (*now_us_out);
      g_free (hidden);
      hidden = g_strdup_printf ("%s/.%s", self->dir, id);
      if (g_mkdir (hidden, 0700) == 0)
        break;
      if (errno != EEXIST || tries > 10)
        {
          storage_error (error, errno, _("Cannot create a folder in the outbox “%s”"), self->dir);
          return NULL;
        }
    }
  *id_out = g_steal_pointer (&id);
  return g_steal_pointer (&hidden);
}

char *
_postier_outbox_add_entry (PostierOutbox    *self,
                           const char       *staging_path,
                           const char       *account_name,
                           PostierEnvelope  *envelope,
                           guint64           size,
                           const char       *subject,
                           const char       *message_id,
                           gint64            not_before,
                           PostierOutboxSchedule schedule,
                           const char       *draft_path,
                           GError          **error)
{
  g_autoptr(PostierOutboxEntry) entry = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *hidden = NULL;
  g_autofree char *final = NULL;
  g_autofree char *message_path = NULL;
  gint64 now_us;

  hidden = make_hidden_folder (self, &id, &now_us, error);
  if (hidden == NULL)
    goto fail_staging;

  message_path = g_build_filename (hidden, POSTIER_OUTBOX_MESSAGE_FILE, NULL);
  if (g_rename (staging_path, message_path) != 0)
    {
      storage_error (error, errno, _("Cannot move the message into the outbox “%s”"), self->dir);
      g_rmdir (hidden);
      goto fail_staging;
    }

  /* The draft is a convenience for undo and Edit, not the message: one
   * that cannot move in is left out (take-back then reads message.eml). */
  if (draft_path != NULL && g_file_test (draft_path, G_FILE_TEST_EXISTS))
    {
      g_autofree char *draft_in = g_build_filename (hidden, POSTIER_OUTBOX_DRAFT_FILE, NULL);

      if (g_rename (draft_path, draft_in) != 0)
        {
          g_debug ("could not keep the draft of %s: %s", id, g_strerror (errno));
          g_unlink (draft_path);
        }
    }

  final = g_build_filename (self->dir, id, NULL);
  entry = _postier_outbox_entry_new (id, hidden, account_name, envelope, now_us / G_USEC_PER_SEC);
  _postier_outbox_entry_set_size (entry, size);
  _postier_outbox_entry_set_subject (entry, subject);
  _postier_outbox_entry_set_message_id (entry, message_id);
  _postier_outbox_entry_set_not_before (entry, not_before, schedule);

  /* entry.ini's durable write also fsyncs the hidden folder, which makes
   * the message's rename into it durable too. */
  if (!_postier_outbox_entry_save (entry, error))
    goto fail_hidden;
  if (g_rename (hidden, final) != 0)
    {
      storage_error (error, errno, _("Cannot add the message to the outbox “%s”"), self->dir);
      goto fail_hidden;
    }
  if (!postier_fsync_dir (self->dir, &local_error))
    {
      /* The entry is in place and will be sent; only its durability
       * against a power cut is in doubt. Say so rather than pretend. */
      g_warning ("%s", local_error->message);
    }

  g_debug ("queued %s for %s (%u recipients)", id, account_name,
           postier_envelope_get_n_recipients (envelope));
  return g_steal_pointer (&id);

fail_hidden:
  remove_entry_folder (hidden);
  return NULL;

fail_staging:
  g_unlink (staging_path);
  if (draft_path != NULL)
    g_unlink (draft_path);
  return NULL;
}

static gboolean
check_id (const char  *id,
          GError     **error)
{
  if (id == NULL || *id == '\0' || *id == '.' || strchr (id, '/') != NULL || strlen (id) > 200)
    return _postier_outbox_entry_not_found (error, id != NULL ? id : "");
  return TRUE;
}

static int
compare_entries (gconstpointer a,
                 gconstpointer b)
{
  PostierOutboxEntry *entry_a = *(PostierOutboxEntry **) a;
  PostierOutboxEntry *entry_b = *(PostierOutboxEntry **) b;

  return strcmp (postier_outbox_entry_get_id (entry_a), postier_outbox_entry_get_id (entry_b));
}

GPtrArray *
postier_outbox_list (PostierOutbox  *self,
                     GError        **error)
{
  return postier_outbox_list_with_damaged (self, NULL, error);
}

static PostierOutboxEntry *
load_entry (const char             *id,
            const char             *path,
            G_GNUC_UNUSED gpointer  data,
            GError                **error)
{
  return _postier_outbox_entry_load (id, path, error);
}

GPtrArray *
postier_outbox_list_with_damaged (PostierOutbox  *self,
                                  GPtrArray     **damaged,
                                  GError        **error)
{
  return _postier_outbox_list_loading (self, load_entry, NULL, damaged, error);
}

/* Above this many entries a listing loads them on a few threads: loading
 * (each folder opened, its entry.ini read and parsed) is most of a
 * listing, and a flush of 10 000 entries waited ~200 ms on it before its
 * first message (issue 12). */
#define LOAD_SHARED_MIN  512
#define LOAD_THREADS_MAX 4
#define LOAD_CHUNK       64

typedef struct {
  const char             *dir;
  GPtrArray              *names;
  PostierOutboxLoadFunc   load;
  gpointer                load_data;
  PostierOutboxEntry    **entries;  /* per name: the entry loaded, or NULL and */
  GError                **errors;   /* per name: why */
  gint                    next;     /* the first name of the next chunk (atomic) */
} Loading;

static gpointer
load_chunks (gpointer data)
{
  Loading *loading = data;
  guint first;

  while ((first = (guint) g_atomic_int_add (&loading->next, LOAD_CHUNK)) < loading->names->len)
    for (guint i = first; i < MIN (first + LOAD_CHUNK, loading->names->len); i++)
      {
        const char *name = g_ptr_array_index (loading->names, i);
        g_autofree char *path = g_build_filename (loading->dir, name, NULL);

        loading->entries[i] = loading->load (name, path, loading->load_data, &loading->errors[i]);
      }
  return NULL;
}

/* A helper takes only the CPU nobody else wants: two loaders at full
 * priority on two cores held the window's main thread back up to 8 ms at
 * a time (sched:sched_switch, bench-frames' flush of 1 000). The thread
 * that asked keeps its own priority: the views' listings ask from a niced
 * thread already (postier_task_run_in_niced_thread(), whose helpers
 * inherit it), while a flush or `postierctl queue list` asks at full
 * priority and gets its first chunks at once. */
static gpointer
help_load_chunks (gpointer data)
{
  postier_thread_lower_priority (POSTIER_BACKGROUND_NICE);
  return load_chunks (data);
}

/* The entries' names, or NULL with ERROR (an empty list when there is no
 * folder yet). */
static GPtrArray *
read_entry_names (PostierOutbox  *self,
                  GError        **error)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *name;

  dir = g_dir_open (self->dir, 0, &local_error);
  if (dir == NULL)
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return g_steal_pointer (&names);  /* nothing queued, nothing damaged */
      g_set_error_literal (error, POSTIER_OUTBOX_ERROR, POSTIER_OUTBOX_ERROR_STORAGE,
                           local_error->message);
      return NULL;
    }
  for (;;)
    {
      /* g_dir_read_name() ends a listing on a read error as at the end of
       * the folder; errno tells them apart. A flush that listed half the
       * outbox would report nothing left while skipping the rest. */
      errno = 0;
      name = g_dir_read_name (dir);
      if (name == NULL)
        {
          if (errno == 0)
            return g_steal_pointer (&names);
          storage_error (error, errno, _("Cannot read “%s”"), self->dir);
          return NULL;
        }
      if (name[0] != '.')
        g_ptr_array_add (names, g_strdup (name));
    }
}

GPtrArray *
_postier_outbox_list_loading (PostierOutbox          *self,
                              PostierOutboxLoadFunc   load,
                              gpointer                load_data,
                              GPtrArray             **damaged,
                              GError                **error)
{
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
  g_autoptr(GPtrArray) names = NULL;
  g_autoptr(GPtrArray) helpers = g_ptr_array_new ();
  Loading loading = { 0 };
  guint threads;

  g_return_val_if_fail (POSTIER_IS_OUTBOX (self), NULL);

  names = read_entry_names (self, error);
  if (names == NULL)
    return NULL;

  loading = (Loading) { self->dir, names, load, load_data,
                        g_new0 (PostierOutboxEntry *, names->len + 1),
                        g_new0 (GError *, names->len + 1), 0 };
  threads = names->len < LOAD_SHARED_MIN ? 1 : CLAMP (g_get_num_processors (), 1, LOAD_THREADS_MAX);
  for (guint t = 1; t < threads; t++)
    {
      GThread *helper = g_thread_try_new ("postier-load", help_load_chunks, &loading, NULL);

      if (helper != NULL)
        g_ptr_array_add (helpers, helper);
    }
  load_chunks (&loading);
  for (guint t = 0; t < helpers->len; t++)
    g_thread_join (g_ptr_array_index (helpers, t));

  for (guint i = 0; i < names->len; i++)
    {
      g_autoptr(GError) problem = loading.errors[i];

      if (loading.entries[i] != NULL)
        g_ptr_array_add (entries, loading.entries[i]);
      else if (problem == NULL || g_error_matches (problem, POSTIER_OUTBOX_ERROR, POSTIER_OUTBOX_ERROR_NOT_FOUND))
        continue;
      else if (damaged != NULL)
        g_ptr_array_add (problems, g_steal_pointer (&problem));
      else
        /* The views and queue list show them (with_damaged); every other
         * listing (each flush, each wake-up) would repeat it. */
        g_debug ("%s", problem->message);
    }
  g_free (loading.entries);
  g_free (loading.errors);

  g_ptr_array_sort (entries, compare_entries);
  if (damaged != NULL)
    *damaged = g_steal_pointer (&problems);
  return g_steal_pointer (&entries);
}

PostierOutboxEntry *
postier_outbox_lookup (PostierOutbox  *self,
                       const char     *id,
                       GError        **error)
{
  g_autofree char *path = NULL;

  g_return_val_if_fail (POSTIER_IS_OUTBOX (self), NULL);

  if (!check_id (id, error))
    return NULL;
  path = g_build_filename (self->dir, id, NULL);
  return _postier_outbox_entry_load (id, path, error);
}

static gboolean
busy (GError     **error,
      const char  *id)
{
  g_set_error (error, POSTIER_OUTBOX_ERROR, POSTIER_OUTBOX_ERROR_BUSY,
               _("The message “%s” is being sent right now"), id);
  return FALSE;
}

/* An entry in "sending" is really in flight only while some flusher holds
 * the lock; otherwise it was left by a flusher that died. */
gboolean
_postier_outbox_flusher_is_running (PostierOutbox *self)
{
  g_autofree char *lock_path = g_build_filename (self->dir, LOCK_FILE, NULL);
  gboolean running;
  int fd;

  g_mutex_lock (&self->lock_mutex);
  running = self->lock_fd >= 0;
  g_mutex_unlock (&self->lock_mutex);
  if (running)
    return TRUE;

  fd = open (lock_path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return FALSE;
  running = flock (fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  close (fd);
  return running;
}

/* Renames the folder away first, so that a reader never sees an entry with
 * some of its files gone. */
static gboolean
delete_entry (PostierOutbox  *self,
              const char     *id,
              GError        **error)
{
  g_autofree char *path = g_build_filename (self->dir, id, NULL);
  g_autofree char *trash = g_strdup_printf ("%s/.trash-%s", self->dir, id);

  if (g_rename (path, trash) != 0)
    {
      if (errno == ENOENT)
        return _postier_outbox_entry_not_found (error, id);
      return storage_error (error, errno, _("Cannot remove “%s”"), path);
    }
  if (!postier_fsync_dir (self->dir, NULL))
    g_debug ("could not fsync %s", self->dir);
  remove_entry_folder (trash);
  return TRUE;
}

gboolean
postier_outbox_remove (PostierOutbox  *self,
                       const char     *id,
                       GError        **error)
{
  g_autoptr(PostierOutboxEntry) entry = NULL;

  g_return_val_if_fail (POSTIER_IS_OUTBOX (self), FALSE);

  entry = postier_outbox_lookup (self, id, error);
  if (entry == NULL)
    return FALSE;
  if (postier_outbox_entry_get_state (entry) == POSTIER_OUTBOX_STATE_SENDING &&
      flusher_is_running (self))
    return busy (error, id);
  return delete_entry (self, id, error);
}

gboolean
postier_outbox_retry (PostierOutbox  *self,
                      const char     *id,
                      GError        **error)
{
  g_autoptr(PostierOutboxEntry) entry = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  g_return_val_if_fail (POSTIER_IS_OUTBOX (self), FALSE);

  entry = postier_outbox_lookup (self, id, error);
  if (entry == NULL)
    return FALSE;

  switch (postier_outbox_entry_get_state (entry))
    {
    case POSTIER_OUTBOX_STATE_SENDING:
      if (flusher_is_running (self))
        return busy (error, id);
      break;
    case POSTIER_OUTBOX_STATE_QUEUED:
      return TRUE;
    default:
      break;
    }

  for (guint i = 0; i < postier_outbox_entry_get_n_recipients (entry); i++)
    if (postier_outbox_entry_get_recipient_state (entry, i) != POSTIER_RECIPIENT_STATE_ACCEPTED)
      _postier_outbox_entry_set_recipient_state_at (entry, i, POSTIER_RECIPIENT_STATE_PENDING, NULL);
  _postier_outbox_entry_set_state (entry, POSTIER_OUTBOX_STATE_QUEUED);
  _postier_outbox_entry_set_next_attempt (entry, now);
  /* A retry asked for by the person starts a new series of attempts. */
  _postier_outbox_entry_set_attempts (entry, 0);
  _postier_outbox_entry_set_since (entry, now);
  return _postier_outbox_entry_save (entry, error);
}

guint
postier_outbox_make_deferred_due (PostierOutbox  *self,
                                  GError        **error)
{
  g_autoptr(GPtrArray) entries = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  guint changed = 0;

  g_return_val_if_fail (POSTIER_IS_OUTBOX (self), 0);

  entries = postier_outbox_list (self, error);
  if (entries == NULL)
    return 0;
  for (guint i = 0; i < entries->len; i++)
    {
      PostierOutboxEntry *entry = g_ptr_array_index (entries, i);

      if (postier_outbox_entry_get_state (entry) != POSTIER_OUTBOX_STATE_DEFERRED ||
          postier_outbox_entry_get_next_attempt (entry) <= now)
        continue;
      _postier_outbox_entry_set_next_attempt (entry, now);
      if (!_postier_outbox_entry_save (entry, error))
        return changed;
      changed++;
    }
  return changed;
}

gint64
postier_outbox_get_next_wakeup (PostierOutbox *self)
{
  return postier_outbox_get_next_wakeup_at (self, g_get_real_time () / G_USEC_PER_SEC);
}

gboolean
postier_outbox_lock (PostierOutbox  *self,
                     GError        **error)
{
  g_autofree char *lock_path = NULL;
  int fd;

  g_return_val_if_fail (POSTIER_IS_OUTBOX (self), FALSE);

  if (!ensure_dir (self, error))
    return FALSE;
  lock_path = g_build_filename (self->dir, LOCK_FILE, NULL);

  g_mutex_lock (&self->lock_mutex);
  if (self->lock_fd >= 0)
    {
      g_mutex_unlock (&self->lock_mutex);
      g_set_error_literal (error, POSTIER_OUTBOX_ERROR, POSTIER_OUTBOX_ERROR_BUSY,
                           _("The outbox is already being sent"));
      return FALSE;
    }
  fd = open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved_errno = errno;
      g_mutex_unlock (&self->lock_mutex);
      return storage_error (error, saved_errno, _("Cannot open “%s”"), lock_path);
    }
  if (flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      int saved_errno = errno;
      close (fd);
      g_mutex_unlock (&self->lock_mutex);
      if (saved_errno == EWOULDBLOCK)
        {
          g_set_error_literal (error, POSTIER_OUTBOX_ERROR, POSTIER_OUTBOX_ERROR_BUSY,
                               _("Another Postier is sending the outbox right now"));
          return FALSE;
        }
      return storage_error (error, saved_errno, _("Cannot lock “%s”"), lock_path);
    }
  self->lock_fd = fd;
  g_mutex_unlock (&self->lock_mutex);
  return TRUE;
}

void
postier_outbox_unlock (PostierOutbox *self)
{
  g_return_if_fail (POSTIER_IS_OUTBOX (self));

  g_mutex_lock (&self->lock_mutex);
  if (self->lock_fd >= 0)
    {
      close (self->lock_fd);
      self->lock_fd = -1;
    }
  g_mutex_unlock (&self->lock_mutex);
}

/* Hidden leftovers older than this are from an enqueue or a removal that
 * was interrupted; younger ones may belong to one still running. */
#define LEFTOVER_AGE_SECONDS 3600

gboolean
_postier_outbox_recover (PostierOutbox  *self,
                         GError        **error)
{
  g_autoptr(GPtrArray) entries = NULL;

  return _postier_outbox_recover_listing (self, &entries, error);
}

gboolean
_postier_outbox_recover_listing (PostierOutbox  *self,
                                 GPtrArray     **listing,
                                 GError        **error)
{
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GDir) dir = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  const char *name;
  g_autoptr(GHashTable) journal = NULL;

  *listing = NULL;
  entries = postier_outbox_list (self, error);
  if (entries == NULL)
    return FALSE;
  /* Marked by the link (a kill) or only in the journal (a power cut may
   * lose a link, which is not synced on its own). */
  journal = _postier_outbox_marks_read (self);
  for (guint i = 0; i < entries->len; i++)
    {
      PostierOutboxEntry *entry = g_ptr_array_index (entries, i);

      if (postier_outbox_entry_get_state (entry) != POSTIER_OUTBOX_STATE_SENDING &&
          (journal == NULL || !g_hash_table_contains (journal, postier_outbox_entry_get_id (entry))))
        continue;
      /* The flusher may have died after the relay took the data and
       * before it heard so: sending again is the only way not to lose the
       * message, and the person is told it may arrive twice. */
      g_debug ("%s was being sent when its flusher stopped; sending it again",
                 postier_outbox_entry_get_id (entry));
      _postier_outbox_entry_set_possible_duplicate (entry, TRUE);
      _postier_outbox_entry_set_state (entry, POSTIER_OUTBOX_STATE_QUEUED);
      _postier_outbox_entry_set_next_attempt (entry, now);
      if (!_postier_outbox_entry_save (entry, error))
        return FALSE;
    }
  /* Every entry it named is recovered (saved durably) or gone. */
  if (journal != NULL)
    _postier_outbox_marks_clear (self);

  dir = g_dir_open (self->dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      GStatBuf st;

      /* .sent-: a sent entry whose Sent copy the flush writes again first
       * (postier-sent-aside.c); its message is the only copy. */
      if (name[0] != '.' || g_str_equal (name, LOCK_FILE) || g_str_has_prefix (name, ".sent-"))
        continue;
      path = g_build_filename (self->dir, name, NULL);
      if (g_lstat (path, &st) != 0)
        continue;
      if (!g_str_has_prefix (name, ".trash-") && now - (gint64) st.st_mtime < LEFTOVER_AGE_SECONDS)
        continue;
      if (S_ISDIR (st.st_mode))
        remove_entry_folder (path);
      else
        g_unlink (path);
    }
  *listing = g_steal_pointer (&entries);
  return TRUE;
}

gboolean
_postier_outbox_mark_sending (PostierOutbox       *self,
                              PostierOutboxEntry  *entry,
                              GError             **error)
{
  g_return_val_if_fail (POSTIER_IS_OUTBOX (self), FALSE);
  _postier_outbox_entry_set_state (entry, POSTIER_OUTBOX_STATE_SENDING);
  return _postier_outbox_entry_save (entry, error);
}

gboolean
_postier_outbox_settle_batch (PostierOutbox  *self,
                              GPtrArray      *entries,
                              gboolean        sync_removals,
                              GPtrArray      *aside,
                              GError        **error)
{
  g_autoptr(GPtrArray) trash = g_ptr_array_new_with_free_func (g_free);
  gboolean ok = TRUE;

  /* Entries that stay are saved one by one (each durably); sent ones are
   * moved aside, and one folder sync (unless the caller does it later)
   * makes all their removals durable. */
  for (guint i = 0; i < entries->len; i++)
    {
      PostierOutboxEntry *entry = g_ptr_array_index (entries, i);
      const char *id = postier_outbox_entry_get_id (entry);
      g_autoptr(GError) local_error = NULL;

      if (postier_outbox_entry_get_state (entry) == POSTIER_OUTBOX_STATE_SENT)
        {
          g_autofree char *path = g_build_filename (self->dir, id, NULL);
          char *aside = g_strdup_printf ("%s/.trash-%s", self->dir, id);

          if (g_rename (path, aside) == 0)
            g_ptr_array_add (trash, aside);
          else
            {
              if (ok)
                storage_error (error, errno, _("Cannot remove “%s”"), path);
              ok = FALSE;
              g_free (aside);
            }
        }
      else if (!_postier_outbox_entry_save (entry, ok ? error : &local_error))
        ok = FALSE;
    }

  if (sync_removals && trash->len > 0 && !postier_fsync_dir (self->dir, NULL))
    g_debug ("could not fsync %s", self->dir);
  for (guint i = 0; i < trash->len; i++)
    if (aside != NULL)
      g_ptr_array_add (aside, g_strdup (g_ptr_array_index (trash, i)));
    else
      remove_entry_folder (g_ptr_array_index (trash, i));
  return ok;
}

void
_postier_outbox_append_transcript (PostierOutbox      *self,
                                   PostierOutboxEntry *entry,
                                   const char         *heading,
                                   const char         *transcript)
{
  g_autofree char *path = postier_outbox_entry_get_transcript_path (entry);
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GError) local_error = NULL;
  int fd;

  g_return_if_fail (POSTIER_IS_OUTBOX (self));
  g_string_append_printf (text, "--- %s ---\n", heading);
  if (transcript != NULL)
    g_string_append (text, transcript);
  if (text->len > 0 && text->str[text->len - 1] != '\n')
    g_string_append_c (text, '\n');

  /* A diagnostic, not the message: not worth an fsync per attempt. */
  /* Never appended through a link planted in the entry's folder. */
  fd = postier_open_regular (path, O_WRONLY | O_APPEND | O_CREAT, 0600, &local_error);
  if (fd < 0)
    {
      g_debug ("%s", local_error->message);
      return;
    }
  if (!postier_write_all_fd (fd, text->str, text->len))
    g_debug ("could not append to %s: %s", path, g_strerror (errno));
  close (fd);
}
