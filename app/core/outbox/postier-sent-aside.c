/* postier-sent-aside.c — sent entries set aside until their Sent copies are on disk
 *
 * Why: "a Sent copy is on disk before its entry goes" held the relay back
 * while each batch of copies was fdatasynced (issue 12: this VM's ext4 has
 * no journal, so each sync is a disk write beside Postfix's own, on the
 * same disk). Now the settle thread renames each sent entry to
 * <outbox>/.sent-COPY at once (a kill then sees it settled, never sends it
 * again) and this file's thread commits the copies every few dozen
 * entries: their sync (one for the batch when it can), new/'s sync, then
 * the folders removed and the outbox folder synced. Until then the entry's
 * message is still there: recovery writes the copy again from it, under
 * the same name, and only then removes the folder. A message the relay
 * took thus always ends with a copy on disk, never two (a power cut that
 * loses the rename itself brings the entry back, marked: sent again,
 * flagged, as before). Once committed, a message is kept as a spare file
 * for a later copy to be written over, instead of being deleted: on ext4
 * without a journal a new inode scans past every one freed in the last
 * minute.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-submitter"

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "postier-error.h"
#include "postier-outbox-entry-private.h"
#include "postier-outbox-private.h"
#include "postier-paths.h"
#include "postier-sent-aside.h"
#include "postier-sent-store-private.h"
#include "postier-threads.h"

struct _PostierSentAside
{
  PostierOutbox    *outbox;
  PostierSentStore *sent;

  GMutex     mutex;
  GCond      cond;
  GPtrArray *copies;      /* names of the copies not committed */
  GPtrArray *folders;     /* their entries' .sent- folders */
  guint64    bytes;       /* message bytes of those */
  guint      committing;  /* entries in the commit under way */
  guint64    committing_bytes;
  gboolean   finishing;
  gboolean   failed;      /* a commit failed: its folders stay for recovery */
  guint      commits;
  GThread   *thread;
  GPtrArray *spares;      /* files in the Sent store's tmp/ to write copies over */
};

/* Spares kept at most (a commit's worth and some), and the largest file
 * kept as one: a spare holds its blocks until it is written over. */
#define SPARES_MAX       (2 * POSTIER_SENT_ASIDE_COMMIT_EVERY)
#define SPARE_MAX_BYTES  (1024 * 1024)

/* The message of FOLDER, an entry whose copy is committed, moved to the
 * Sent store's tmp/ for a later copy to be written over (instead of a new
 * inode: see open_spare() in postier-sent-store.c). Left in place, it goes
 * with its folder. */
static void
keep_spare (PostierSentAside *self,
            const char       *folder)
{
  /* One counter for the process: two accounts' groups flush side by side,
   * and a rename onto another group's spare would replace it. */
  static int last_serial;
  g_autofree char *message = g_build_filename (folder, POSTIER_OUTBOX_MESSAGE_FILE, NULL);
  g_autofree char *spare = NULL;
  GStatBuf st;
  gboolean room;
  guint serial;

  g_mutex_lock (&self->mutex);
  room = self->spares->len < SPARES_MAX;
  g_mutex_unlock (&self->mutex);
  serial = room ? (guint) g_atomic_int_add (&last_serial, 1) + 1 : 0;
  if (serial == 0 || g_lstat (message, &st) != 0 || !S_ISREG (st.st_mode) || st.st_nlink != 1 ||
      st.st_size > SPARE_MAX_BYTES)
    return;
  spare = _postier_sent_store_spare_path (self->sent, serial);
  if (g_rename (message, spare) != 0)
    return;
  g_mutex_lock (&self->mutex);
  g_ptr_array_add (self->spares, g_steal_pointer (&spare));
  g_mutex_unlock (&self->mutex);
}

/* Copies on disk, then their entries gone for good. On a failure the
 * folders stay: the next flush's recovery writes those copies again. */
static gboolean
commit (PostierSentAside *self,
        GPtrArray        *copies,
        GPtrArray        *folders,
        guint64           bytes)
{
  g_autoptr(GError) error = NULL;

  if (!_postier_sent_store_sync_copies (self->sent, copies, bytes, &error))
    {
      g_warning ("%s", error->message);
      return FALSE;
    }
  for (guint i = 0; i < folders->len; i++)
    {
      keep_spare (self, g_ptr_array_index (folders, i));
      _postier_outbox_remove_folder (g_ptr_array_index (folders, i));
    }
  /* The renames aside and these removals: a power cut after this brings
   * none of these entries back. */
  if (!postier_fsync_dir (postier_outbox_get_dir (self->outbox), &error))
    g_debug ("%s", error->message);
  return TRUE;
}

/* Whether the copies set aside make a commit's worth (under the mutex):
 * the commit thread waits for it, and _put() wakes it only then. */
static gboolean
batch_is_full (PostierSentAside *self)
{
  return self->copies->len >= POSTIER_SENT_ASIDE_COMMIT_EVERY ||
         self->bytes >= POSTIER_SENT_ASIDE_COMMIT_BYTES;
}

static gpointer
commit_thread (gpointer data)
{
  PostierSentAside *self = data;

  /* As the settle thread: committing has slack, the dialogue has none. */
  postier_thread_lower_priority (POSTIER_BACKGROUND_NICE);
  g_mutex_lock (&self->mutex);
  for (;;)
    {
      g_autoptr(GPtrArray) copies = NULL;
      g_autoptr(GPtrArray) folders = NULL;
      guint64 bytes;
      gboolean ok;

      while (!self->finishing && !batch_is_full (self))
        g_cond_wait (&self->cond, &self->mutex);
      if (self->copies->len == 0)
        break;  /* finishing, nothing left */

      copies = g_steal_pointer (&self->copies);
      folders = g_steal_pointer (&self->folders);
      self->copies = g_ptr_array_new_with_free_func (g_free);
      self->folders = g_ptr_array_new_with_free_func (g_free);
      self->committing = copies->len;
      bytes = self->committing_bytes = self->bytes;
      self->bytes = 0;
      g_mutex_unlock (&self->mutex);

      ok = commit (self, copies, folders, bytes);

      g_mutex_lock (&self->mutex);
      if (!ok)
        self->failed = TRUE;
      self->commits++;
      self->committing = 0;
      self->committing_bytes = 0;
      g_cond_broadcast (&self->cond);
    }
  g_mutex_unlock (&self->mutex);
  return NULL;
}

PostierSentAside *
_postier_sent_aside_new (PostierOutbox    *outbox,
                         PostierSentStore *sent)
{
  PostierSentAside *self = g_new0 (PostierSentAside, 1);

  self->outbox = g_object_ref (outbox);
  self->sent = g_object_ref (sent);
  g_mutex_init (&self->mutex);
  g_cond_init (&self->cond);
  self->copies = g_ptr_array_new_with_free_func (g_free);
  self->folders = g_ptr_array_new_with_free_func (g_free);
  self->spares = g_ptr_array_new_with_free_func (g_free);
  self->thread = g_thread_new ("postier-commit", commit_thread, self);
  return self;
}

gboolean
_postier_sent_aside_put (PostierSentAside   *self,
                         PostierOutboxEntry *entry,
                         const char         *copy,
                         GError            **error)
{
  const char *path = postier_outbox_entry_get_path (entry);
  char *aside = g_strdup_printf ("%s/" POSTIER_SENT_ASIDE_PREFIX "%s",
                                 postier_outbox_get_dir (self->outbox), copy);

  if (g_rename (path, aside) != 0)
    {
      int saved_errno = errno;

      g_free (aside);
      return _postier_outbox_storage_error (error, saved_errno, _("Cannot remove “%s”"), path);
    }
  g_mutex_lock (&self->mutex);
  g_ptr_array_add (self->copies, g_strdup (copy));
  g_ptr_array_add (self->folders, aside);
  self->bytes += postier_outbox_entry_get_size (entry);
  /* Only a full batch is worth waking the commit thread for. */
  if (batch_is_full (self))
    g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);
  return TRUE;
}

/* A spare file for the next Sent copy to be written over (see
 * _postier_sent_store_add_unsynced()), or NULL. */
static char *
take_spare (PostierSentAside *self)
{
  char *spare = NULL;

  g_mutex_lock (&self->mutex);
  if (self->spares->len > 0)
    spare = g_ptr_array_steal_index_fast (self->spares, self->spares->len - 1);
  g_mutex_unlock (&self->mutex);
  return spare;
}

char *
_postier_sent_aside_write_copy (PostierSentAside   *self,
                                PostierOutboxEntry *entry,
                                gint64              now)
{
  g_autofree char *message_path = postier_outbox_entry_get_message_path (entry);
  g_autofree char *spare = take_spare (self);
  g_autofree char *copy = NULL;
  g_autoptr(GError) error = NULL;

  copy = _postier_sent_store_add_unsynced (self->sent, message_path,
                                           postier_outbox_entry_get_account_name (entry), now,
                                           postier_outbox_entry_get_possible_duplicate (entry),
                                           spare, &error);
  if (copy == NULL)
    g_warning ("%s: sent, but no copy kept: %s", postier_outbox_entry_get_id (entry),
               error->message);
  return g_steal_pointer (&copy);
}

void
_postier_sent_aside_wait_room (PostierSentAside *self)
{
  g_mutex_lock (&self->mutex);
  for (;;)
    {
      guint n = self->copies->len + self->committing;
      guint64 bytes = self->bytes + self->committing_bytes;

      if (n <= POSTIER_SENT_ASIDE_MAX && (n <= 1 || bytes <= POSTIER_SENT_ASIDE_MAX_BYTES))
        break;
      g_cond_wait (&self->cond, &self->mutex);
    }
  g_mutex_unlock (&self->mutex);
}

gboolean
_postier_sent_aside_finish (PostierSentAside *self,
                            guint            *commits)
{
  gboolean ok;

  g_mutex_lock (&self->mutex);
  self->finishing = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);
  g_thread_join (self->thread);

  ok = !self->failed;
  if (commits != NULL)
    *commits = self->commits;
  for (guint i = 0; i < self->spares->len; i++)
    g_unlink (g_ptr_array_index (self->spares, i));
  g_ptr_array_unref (self->spares);
  g_ptr_array_unref (self->copies);
  g_ptr_array_unref (self->folders);
  g_mutex_clear (&self->mutex);
  g_cond_clear (&self->cond);
  g_object_unref (self->outbox);
  g_object_unref (self->sent);
  g_free (self);
  return ok;
}

/* The copy's time: its Maildir name starts with it (seconds), taken when
 * the copy was made; now if the name says nothing. */
static gint64
copy_time (const char *copy)
{
  char *end = NULL;
  guint64 when = g_ascii_strtoull (copy, &end, 10);

  if (end == copy || *end != '.')
    return g_get_real_time () / G_USEC_PER_SEC;
  return (gint64) when;
}

/* One folder set aside: TRUE when it is dealt with (and removed). */
static gboolean
recover_one (PostierSentStore *sent,
             const char       *path,
             const char       *copy)
{
  g_autofree char *message = g_build_filename (path, POSTIER_OUTBOX_MESSAGE_FILE, NULL);
  g_autoptr(PostierOutboxEntry) entry = NULL;
  g_autoptr(GError) error = NULL;

  /* The removal only starts once the copy is committed: a folder that
   * lost a file already has its copy on disk. */
  if (g_file_test (message, G_FILE_TEST_IS_REGULAR))
    entry = _postier_outbox_entry_load (copy, path, NULL);
  if (entry != NULL &&
      !_postier_sent_store_restore (sent, copy, message, postier_outbox_entry_get_account_name (entry),
                                    copy_time (copy),
                                    postier_outbox_entry_get_possible_duplicate (entry), &error))
    {
      /* Kept for the next flush: its message is the only copy. */
      g_warning ("%s", error->message);
      return FALSE;
    }
  if (entry != NULL)
    g_debug ("sent entry set aside when its flusher stopped: its copy %s written again", copy);
  return _postier_outbox_remove_folder (path);
}

void
_postier_sent_aside_recover (PostierOutbox    *outbox,
                             PostierSentStore *sent)
{
  const char *dir_path = postier_outbox_get_dir (outbox);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  gboolean removed = FALSE;
  const char *name;

  _postier_sent_store_remove_spares (sent);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      const char *copy = name + strlen (POSTIER_SENT_ASIDE_PREFIX);

      if (!g_str_has_prefix (name, POSTIER_SENT_ASIDE_PREFIX) || *copy == '\0' || *copy == '.')
        continue;
      path = g_build_filename (dir_path, name, NULL);
      if (g_file_test (path, G_FILE_TEST_IS_SYMLINK))
        {
          g_unlink (path);  /* planted: ours are folders */
          continue;
        }
      removed |= recover_one (sent, path, copy);
    }
  if (removed && !postier_fsync_dir (dir_path, NULL))
    g_debug ("could not fsync %s", dir_path);
}
