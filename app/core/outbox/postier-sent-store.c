/* postier-sent-store.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-sent"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "postier-error.h"
#include "postier-gmime.h"
#include "postier-paths.h"
#include "postier-sent-message.h"
#include "postier-sent-store.h"
#include "postier-threads.h"

struct _PostierSentStore
{
  GObject       parent_instance;

  char         *dir;
  int           folders_ready;  /* tmp/, new/ and cur/ exist (atomic) */
  GFileMonitor *monitors[2];    /* new/ and cur/ once watched */
};

G_DEFINE_FINAL_TYPE (PostierSentStore, postier_sent_store, G_TYPE_OBJECT)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The Maildir folders that hold copies, in the order they are watched. */
static const char * const copy_folders[] = { "new", "cur" };

static void
postier_sent_store_dispose (GObject *object)
{
  PostierSentStore *self = POSTIER_SENT_STORE (object);

  for (guint i = 0; i < G_N_ELEMENTS (self->monitors); i++)
    {
      if (self->monitors[i] != NULL)
        {
          g_signal_handlers_disconnect_by_data (self->monitors[i], self);
          g_file_monitor_cancel (self->monitors[i]);
        }
      g_clear_object (&self->monitors[i]);
    }

  G_OBJECT_CLASS (postier_sent_store_parent_class)->dispose (object);
}

static void
postier_sent_store_finalize (GObject *object)
{
  PostierSentStore *self = POSTIER_SENT_STORE (object);

  g_free (self->dir);

  G_OBJECT_CLASS (postier_sent_store_parent_class)->finalize (object);
}

static void
postier_sent_store_class_init (PostierSentStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = postier_sent_store_dispose;
  object_class->finalize = postier_sent_store_finalize;

  /**
   * PostierSentStore::changed:
   *
   * A copy arrived in the Sent Maildir or left it (after watch()).
   */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass),
                                   G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                   G_TYPE_NONE, 0);
}

static void
postier_sent_store_init (G_GNUC_UNUSED PostierSentStore *self)
{
}

PostierSentStore *
postier_sent_store_new (const char *dir)
{
  PostierSentStore *self = g_object_new (POSTIER_TYPE_SENT_STORE, NULL);

  self->dir = dir != NULL ? g_strdup (dir) : postier_data_dir ("sent");
  return self;
}

const char *
postier_sent_store_get_dir (PostierSentStore *self)
{
  g_return_val_if_fail (POSTIER_IS_SENT_STORE (self), NULL);
  return self->dir;
}

static gboolean
set_storage_error (GError     **error,
                   int          saved_errno,
                   const char  *path)
{
  g_set_error (error, POSTIER_OUTBOX_ERROR, POSTIER_OUTBOX_ERROR_STORAGE,
               _("Cannot store the sent copy in “%s”: %s"), path, g_strerror (saved_errno));
  return FALSE;
}

/* A Maildir unique name: time, microseconds, process and a random part. */
static char *
unique_name (void)
{
  gint64 now = g_get_real_time ();
  g_autofree char *host = g_strdup (g_get_host_name ());

  g_strdelimit (host, "/:", '_');
  return g_strdup_printf ("%" G_GINT64_FORMAT ".M%06dP%dR%08x.%s",
                          now / G_USEC_PER_SEC, (int) (now % G_USEC_PER_SEC),
                          (int) getpid (), g_random_int (), host);
}

static char *
sent_header (const char *account_name,
             gint64      when,
             gboolean    possible_duplicate)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (when);
  g_autofree char *date = g_mime_utils_header_format_date (time);
  g_autoptr(GString) quoted = g_string_new (NULL);

  for (const char *p = account_name; *p; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_c (quoted, '\\');
      g_string_append_c (quoted, *p);
    }
  return g_strdup_printf (POSTIER_SENT_HEADER ": %s; account=\"%s\"%s\n", date, quoted->str,
                          possible_duplicate ? "; possible-duplicate" : "");
}

/* tmp/, new/ and cur/, checked once per store, not once per message of a
 * long flush. */
static gboolean
ensure_folders (PostierSentStore  *self,
                const char        *tmp_dir,
                const char        *new_dir,
                const char        *cur_dir,
                GError           **error)
{
  g_autoptr(GError) local_error = NULL;

  if (!g_atomic_int_get (&self->folders_ready) &&
      (!postier_ensure_private_dir (tmp_dir, &local_error) ||
       !postier_ensure_private_dir (new_dir, &local_error) ||
       !postier_ensure_private_dir (cur_dir, &local_error)))
    {
      g_set_error_literal (error, POSTIER_OUTBOX_ERROR, POSTIER_OUTBOX_ERROR_STORAGE,
                           local_error->message);
      return FALSE;
    }
  return TRUE;
}

/* A new file TMP_PATH in tmp/; -1 with errno set. */
static int
create_tmp_file (const char *tmp_path,
                 const char *tmp_dir,
                 const char *new_dir,
                 const char *cur_dir)
{
  int out_fd = open (tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

  if (out_fd < 0 && errno == ENOENT &&
      postier_ensure_private_dir (tmp_dir, NULL) && postier_ensure_private_dir (new_dir, NULL) &&
      postier_ensure_private_dir (cur_dir, NULL))
    /* The folders went away behind our back since they were made. */
    out_fd = open (tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  return out_fd;
}

/* HEADER, then SOURCE with LF line ends (a Maildir on a Unix system holds
 * those), flushed to disk when SYNC_DATA; 0, or the errno of the failure
 * (taken before the streams are dropped). OUT_FD stays open. */
static int
write_copy (GMimeStream *source,
            int          out_fd,
            const char  *header,
            gboolean     sync_data)
{
  g_autoptr(GMimeStream) target = g_mime_stream_fs_new (out_fd);
  g_autoptr(GMimeStream) filtered = NULL;
  g_autoptr(GMimeFilter) dos2unix = NULL;

  /* We close and fsync ourselves, to see the errors. */
  g_mime_stream_fs_set_owner (GMIME_STREAM_FS (target), FALSE);
  filtered = g_mime_stream_filter_new (target);
  dos2unix = g_mime_filter_dos2unix_new (FALSE);
  g_mime_stream_filter_add (GMIME_STREAM_FILTER (filtered), dos2unix);

  if (g_mime_stream_write_string (target, header) < 0 ||
      g_mime_stream_write_to_stream (source, filtered) < 0 ||
      g_mime_stream_flush (filtered) < 0 ||
      (sync_data && fsync (out_fd) != 0))
    return errno;
  return 0;
}

/* SPARE, a file of ours in tmp/ whose message is committed elsewhere,
 * opened for the copy to be written over it where it is (it is renamed
 * into new/ as a new file would be): a new file costs an inode, and on
 * ext4 without a journal each new inode scans past every inode freed in
 * the last minute, and a flush frees two per message (issue 12). -1 when
 * it is gone or not ours alone (then removed); a new file is made. */
static int
open_spare (const char *spare)
{
  struct stat st;
  int fd = open (spare, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);

  if (fd >= 0 && fstat (fd, &st) == 0 && S_ISREG (st.st_mode) && st.st_nlink == 1)
    return fd;
  if (fd >= 0)
    close (fd);
  g_unlink (spare);
  return -1;
}

static char *
add_copy (PostierSentStore  *self,
          const char        *message_path,
          const char        *account_name,
          gint64             when,
          gboolean           possible_duplicate,
          gboolean           sync_folder,
          const char        *spare,
          GCancellable      *cancellable,
          GError           **error)
{
  g_autofree char *tmp_dir = NULL;
  g_autofree char *new_dir = NULL;
  g_autofree char *cur_dir = NULL;
  g_autofree char *name = NULL;
  g_autofree char *tmp_path = NULL;
  g_autofree char *new_path = NULL;
  g_autofree char *header = NULL;
  g_autoptr(GMimeStream) source = NULL;
  g_autoptr(GError) local_error = NULL;
  int in_fd, out_fd;
  int saved_errno;

  g_return_val_if_fail (POSTIER_IS_SENT_STORE (self), NULL);
  g_return_val_if_fail (message_path != NULL, NULL);
  g_return_val_if_fail (account_name != NULL, NULL);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  tmp_dir = g_build_filename (self->dir, "tmp", NULL);
  new_dir = g_build_filename (self->dir, "new", NULL);
  cur_dir = g_build_filename (self->dir, "cur", NULL);
  if (!ensure_folders (self, tmp_dir, new_dir, cur_dir, error))
    return NULL;

  in_fd = postier_open_regular (message_path, O_RDONLY, 0, NULL);
  if (in_fd < 0)
    {
      set_storage_error (error, errno, message_path);
      return NULL;
    }
  source = g_mime_stream_fs_new (in_fd);

  g_atomic_int_set (&self->folders_ready, TRUE);
  name = unique_name ();
  tmp_path = g_build_filename (tmp_dir, name, NULL);
  new_path = g_build_filename (new_dir, name, NULL);
  out_fd = spare != NULL ? open_spare (spare) : -1;
  if (out_fd >= 0)
    {
      g_free (tmp_path);
      tmp_path = g_strdup (spare);
    }
  else
    out_fd = create_tmp_file (tmp_path, tmp_dir, new_dir, cur_dir);
  if (out_fd < 0)
    {
      set_storage_error (error, errno, tmp_dir);
      return NULL;
    }

  header = sent_header (account_name, when, possible_duplicate);
  saved_errno = write_copy (source, out_fd, header, sync_folder);
  /* A spare was longer than this copy: its end goes. */
  if (saved_errno == 0 && spare != NULL &&
      ftruncate (out_fd, lseek (out_fd, 0, SEEK_CUR)) != 0)
    saved_errno = errno;
  if (saved_errno != 0)
    {
      close (out_fd);
      g_unlink (tmp_path);
      set_storage_error (error, saved_errno, tmp_dir);
      return NULL;
    }
  if (close (out_fd) != 0 || g_rename (tmp_path, new_path) != 0)
    {
      saved_errno = errno;
      g_unlink (tmp_path);
      set_storage_error (error, saved_errno, new_dir);
      return NULL;
    }
  if (sync_folder && !postier_fsync_dir (new_dir, &local_error))
    g_warning ("%s", local_error->message);

  return g_steal_pointer (&name);
}

/* --- Listing ------------------------------------------------------------- */

typedef struct {
  char   *path;
  gint64  mtime;
} Candidate;

static void
candidate_clear (Candidate *candidate)
{
  g_free (candidate->path);
}

static int
compare_candidates_newest_first (gconstpointer a,
                                 gconstpointer b)
{
  const Candidate *ca = a, *cb = b;

  if (ca->mtime != cb->mtime)
    return ca->mtime < cb->mtime ? 1 : -1;
  return -g_strcmp0 (ca->path, cb->path);
}

static int
compare_messages_newest_first (gconstpointer a,
                               gconstpointer b)
{
  PostierSentMessage *ma = *(PostierSentMessage **) a;
  PostierSentMessage *mb = *(PostierSentMessage **) b;
  gint64 ta = postier_sent_message_get_sent_time (ma);
  gint64 tb = postier_sent_message_get_sent_time (mb);

  if (ta != tb)
    return ta < tb ? 1 : -1;
  return -g_strcmp0 (postier_sent_message_get_path (ma), postier_sent_message_get_path (mb));
}

static gboolean
collect_candidates (const char    *dir,
                    GArray        *candidates,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GDir) listing = g_dir_open (dir, 0, &local_error);
  const char *name;

  if (listing == NULL)
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;
      g_set_error (error, POSTIER_OUTBOX_ERROR, POSTIER_OUTBOX_ERROR_STORAGE,
                   _("Cannot list the sent messages in “%s”: %s"), dir, local_error->message);
      return FALSE;
    }

  while ((name = g_dir_read_name (listing)) != NULL)
    {
      Candidate candidate;
      GStatBuf info;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (name[0] == '.')
        continue;
      candidate.path = g_build_filename (dir, name, NULL);
      if (g_stat (candidate.path, &info) != 0 || !S_ISREG (info.st_mode))
        {
          g_free (candidate.path);
          continue;
        }
      candidate.mtime = info.st_mtime;
      g_array_append_val (candidates, candidate);
    }
  return TRUE;
}

GPtrArray *
postier_sent_store_list (PostierSentStore  *self,
                         guint              limit,
                         GCancellable      *cancellable,
                         GError           **error)
{
  g_autoptr(GArray) candidates = g_array_new (FALSE, FALSE, sizeof (Candidate));
  g_autoptr(GPtrArray) messages = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *new_dir = NULL;
  g_autofree char *cur_dir = NULL;

  g_return_val_if_fail (POSTIER_IS_SENT_STORE (self), NULL);

  g_array_set_clear_func (candidates, (GDestroyNotify) candidate_clear);
  new_dir = g_build_filename (self->dir, "new", NULL);
  cur_dir = g_build_filename (self->dir, "cur", NULL);
  if (!collect_candidates (new_dir, candidates, cancellable, error) ||
      !collect_candidates (cur_dir, candidates, cancellable, error))
    return NULL;

  /* The file times put the newest first cheaply, so only LIMIT headers
   * are read; the relay's acceptance time then orders them exactly. */
  g_array_sort (candidates, compare_candidates_newest_first);
  for (guint i = 0; i < candidates->len && (limit == 0 || messages->len < limit); i++)
    {
      Candidate *candidate = &g_array_index (candidates, Candidate, i);
      g_autoptr(GError) local_error = NULL;
      PostierSentMessage *message;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      message = postier_sent_message_new_from_file (candidate->path, &local_error);
      if (message == NULL)
        {
          g_message ("Skipping a sent copy: %s", local_error->message);
          continue;
        }
      g_ptr_array_add (messages, message);
    }
  g_ptr_array_sort (messages, compare_messages_newest_first);

  return g_steal_pointer (&messages);
}

static void
list_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GError *error = NULL;
  GPtrArray *messages;

  messages = postier_sent_store_list (source_object, GPOINTER_TO_UINT (task_data), cancellable,
                                      &error);
  if (messages == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, messages, (GDestroyNotify) g_ptr_array_unref);
}

void
postier_sent_store_list_async (PostierSentStore    *self,
                               guint                limit,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (POSTIER_IS_SENT_STORE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, postier_sent_store_list_async);
  g_task_set_task_data (task, GUINT_TO_POINTER (limit), NULL);
  /* The Sent view lists again as each copy arrives, so all along a flush. */
  postier_task_run_in_niced_thread (task, list_thread);
}

GPtrArray *
postier_sent_store_list_finish (PostierSentStore  *self,
                                GAsyncResult      *result,
                                GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

char *
postier_sent_store_add (PostierSentStore  *self,
                        const char        *message_path,
                        const char        *account_name,
                        gint64             when,
                        gboolean           possible_duplicate,
                        GCancellable      *cancellable,
                        GError           **error)
{
  return add_copy (self, message_path, account_name, when, possible_duplicate, TRUE, NULL,
                   cancellable, error);
}

char *
_postier_sent_store_add_unsynced (PostierSentStore  *self,
                                  const char        *message_path,
                                  const char        *account_name,
                                  gint64             when,
                                  gboolean           possible_duplicate,
                                  const char        *spare,
                                  GError           **error)
{
  char *name = add_copy (self, message_path, account_name, when, possible_duplicate, FALSE, spare,
                         NULL, error);

  /* Failed before the spare was written over (or after, when it is gone
   * already): not left in tmp/ until the next recovery. */
  if (name == NULL && spare != NULL)
    g_unlink (spare);
  return name;
}

static char *copy_location (PostierSentStore *self,
                            const char       *name);

/* Starts the write-back of every copy, then makes the lot durable:
 * postier_sync_files() flushes the disk's cache once for the batch when
 * it can, not once per copy. */
gboolean
_postier_sent_store_sync_copies (PostierSentStore  *self,
                                 GPtrArray         *names,
                                 guint64            bytes,
                                 GError           **error)
{
  g_autofree char *new_dir = NULL;
  g_autofree int *fds = NULL;
  int saved_errno = 0;

  g_return_val_if_fail (POSTIER_IS_SENT_STORE (self), FALSE);
  new_dir = g_build_filename (self->dir, "new", NULL);
  fds = g_new (int, MAX (names->len, 1));
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (new_dir, g_ptr_array_index (names, i), NULL);

      fds[i] = open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
      if (fds[i] < 0 && errno == ENOENT)
        {
          /* Read meanwhile (in cur/ now), or deleted: nothing to keep. */
          g_autofree char *moved = copy_location (self, g_ptr_array_index (names, i));

          fds[i] = open (moved, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
          if (fds[i] < 0 && errno == ENOENT)
            continue;
        }
      if (fds[i] < 0 && saved_errno == 0)
        saved_errno = errno;
#ifdef SYNC_FILE_RANGE_WRITE
      if (fds[i] >= 0)
        sync_file_range (fds[i], 0, 0, SYNC_FILE_RANGE_WRITE);
#endif
    }
  if (saved_errno == 0)
    saved_errno = postier_sync_files (fds, names->len, bytes);
  for (guint i = 0; i < names->len; i++)
    if (fds[i] >= 0)
      close (fds[i]);
  if (saved_errno != 0)
    {
      set_storage_error (error, saved_errno, new_dir);
      return FALSE;
    }
  return postier_fsync_dir (new_dir, error);
}

gboolean
_postier_sent_store_sync (PostierSentStore  *self,
                          GError           **error)
{
  g_autofree char *new_dir = NULL;

  g_return_val_if_fail (POSTIER_IS_SENT_STORE (self), FALSE);
  new_dir = g_build_filename (self->dir, "new", NULL);
  return postier_fsync_dir (new_dir, error);
}

#define SPARE_PREFIX "spare-"

char *
_postier_sent_store_spare_path (PostierSentStore *self,
                                guint             serial)
{
  g_autofree char *name = NULL;

  g_return_val_if_fail (POSTIER_IS_SENT_STORE (self), NULL);
  name = g_strdup_printf (SPARE_PREFIX "%d-%u", (int) getpid (), serial);
  return g_build_filename (self->dir, "tmp", name, NULL);
}

void
_postier_sent_store_remove_spares (PostierSentStore *self)
{
  g_autofree char *tmp_dir = NULL;
  g_autoptr(GDir) listing = NULL;
  const char *name;

  g_return_if_fail (POSTIER_IS_SENT_STORE (self));
  tmp_dir = g_build_filename (self->dir, "tmp", NULL);
  listing = g_dir_open (tmp_dir, 0, NULL);
  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
    if (g_str_has_prefix (name, SPARE_PREFIX))
      {
        g_autofree char *path = g_build_filename (tmp_dir, name, NULL);

        g_unlink (path);
      }
}

/* Where the copy NAME is now: cur/NAME or cur/NAME:flags once a reader
 * has seen it, else new/NAME (also when it is nowhere: a power cut lost
 * its rename). */
static char *
copy_location (PostierSentStore *self,
               const char       *name)
{
  g_autofree char *new_path = g_build_filename (self->dir, "new", name, NULL);
  g_autofree char *cur_dir = g_build_filename (self->dir, "cur", NULL);
  g_autoptr(GDir) listing = NULL;
  gsize length = strlen (name);
  const char *entry;

  if (g_file_test (new_path, G_FILE_TEST_EXISTS))
    return g_steal_pointer (&new_path);
  listing = g_dir_open (cur_dir, 0, NULL);
  while (listing != NULL && (entry = g_dir_read_name (listing)) != NULL)
    if (strncmp (entry, name, length) == 0 && (entry[length] == '\0' || entry[length] == ':'))
      return g_build_filename (cur_dir, entry, NULL);
  return g_steal_pointer (&new_path);
}

gboolean
_postier_sent_store_restore (PostierSentStore  *self,
                             const char        *name,
                             const char        *message_path,
                             const char        *account_name,
                             gint64             when,
                             gboolean           possible_duplicate,
                             GError           **error)
{
  g_autofree char *tmp_dir = NULL;
  g_autofree char *new_dir = NULL;
  g_autofree char *cur_dir = NULL;
  g_autofree char *tmp_path = NULL;
  g_autofree char *target = NULL;
  g_autofree char *target_dir = NULL;
  g_autofree char *header = NULL;
  g_autoptr(GMimeStream) source = NULL;
  int in_fd, out_fd;
  int saved_errno;

  g_return_val_if_fail (POSTIER_IS_SENT_STORE (self), FALSE);
  g_return_val_if_fail (name != NULL && *name != '\0' && *name != '.' && strchr (name, '/') == NULL,
                        FALSE);

  tmp_dir = g_build_filename (self->dir, "tmp", NULL);
  new_dir = g_build_filename (self->dir, "new", NULL);
  cur_dir = g_build_filename (self->dir, "cur", NULL);
  if (!ensure_folders (self, tmp_dir, new_dir, cur_dir, error))
    return FALSE;
  in_fd = postier_open_regular (message_path, O_RDONLY, 0, NULL);
  if (in_fd < 0)
    return set_storage_error (error, errno, message_path);
  source = g_mime_stream_fs_new (in_fd);

  tmp_path = g_build_filename (tmp_dir, name, NULL);
  g_unlink (tmp_path);  /* the first try's, if the crash left it there */
  out_fd = create_tmp_file (tmp_path, tmp_dir, new_dir, cur_dir);
  if (out_fd < 0)
    return set_storage_error (error, errno, tmp_dir);
  header = sent_header (account_name, when, possible_duplicate);
  saved_errno = write_copy (source, out_fd, header, TRUE);
  target = copy_location (self, name);
  target_dir = g_path_get_dirname (target);
  if (saved_errno == 0 && (close (out_fd) != 0 || g_rename (tmp_path, target) != 0))
    saved_errno = errno;
  else if (saved_errno != 0)
    close (out_fd);
  if (saved_errno != 0)
    {
      g_unlink (tmp_path);
      return set_storage_error (error, saved_errno, target_dir);
    }
  return postier_fsync_dir (target_dir, error);
}

static void
on_folder_changed (G_GNUC_UNUSED GFileMonitor *monitor,
                   G_GNUC_UNUSED GFile        *file,
                   G_GNUC_UNUSED GFile        *other,
                   GFileMonitorEvent           event,
                   gpointer                    user_data)
{
  PostierSentStore *self = user_data;

  switch (event)
    {
    case G_FILE_MONITOR_EVENT_CREATED:
    case G_FILE_MONITOR_EVENT_DELETED:
    case G_FILE_MONITOR_EVENT_MOVED_IN:
    case G_FILE_MONITOR_EVENT_MOVED_OUT:
    case G_FILE_MONITOR_EVENT_RENAMED:
      g_signal_emit (self, signals[CHANGED], 0);
      break;
    default:
      break;
    }
}

gboolean
postier_sent_store_watch (PostierSentStore  *self,
                          GError           **error)
{
  g_return_val_if_fail (POSTIER_IS_SENT_STORE (self), FALSE);

  if (self->monitors[0] != NULL)
    return TRUE;

  for (guint i = 0; i < G_N_ELEMENTS (copy_folders); i++)
    {
      g_autofree char *path = g_build_filename (self->dir, copy_folders[i], NULL);
      g_autoptr(GFile) folder = g_file_new_for_path (path);
      GFileMonitor *monitor = NULL;

      /* The folders must exist for a monitor to see the first copy come. */
      if (postier_ensure_private_dir (path, error))
        monitor = g_file_monitor_directory (folder, G_FILE_MONITOR_WATCH_MOVES, NULL, error);
      if (monitor == NULL)
        {
          for (guint j = 0; j < i; j++)
            {
              g_signal_handlers_disconnect_by_data (self->monitors[j], self);
              g_file_monitor_cancel (self->monitors[j]);
              g_clear_object (&self->monitors[j]);
            }
          return FALSE;
        }
      g_signal_connect (monitor, "changed", G_CALLBACK (on_folder_changed), self);
      self->monitors[i] = monitor;
    }
  return TRUE;
}
