/* postier-outbox-marks.c — the flusher's journal of entries marked "sending"
 *
 * Why: an entry must be durably marked before its data goes out (a crash
 * then brings it back flagged possible duplicate). The mark is the hard
 * link "sending" in the entry's folder, which the views, take-back and a
 * kill see at once; making it durable took a sync of each entry's folder.
 * On a file system without a journal (this project's VM: ext4 mounted
 * "without journal") each of those syncs is its own disk write, so the
 * "one commit for several marks" of issue 12 was one write per message,
 * beside the relay's own fsync. Instead the flusher appends the ids of a
 * batch to one file, <outbox>/.marks, and syncs that file once; the links
 * are left to the page cache (a kill loses nothing of it). Recovery takes
 * the entries that have a link OR are marked in the journal.
 *
 * Lines: "m ID" (marked, synced before the data goes) and "u ID" (settled
 * without being sent: no longer marked; not synced, as a lost "u" only
 * makes a false alarm after a power cut). The flusher holds the flush lock
 * while it writes; the journal goes when a group is settled and synced, and
 * at recovery.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-outbox"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "postier-error.h"
#include "postier-outbox-entry-private.h"
#include "postier-outbox-private.h"
#include "postier-paths.h"

static char *
marks_path (PostierOutbox *self)
{
  return g_build_filename (postier_outbox_get_dir (self), POSTIER_OUTBOX_MARKS_FILE, NULL);
}

/* Appends TEXT; synced (the file, and the folder when the file is new)
 * when SYNC. */
static gboolean
append (PostierOutbox  *self,
        const char     *text,
        gboolean        sync,
        GError        **error)
{
  g_autofree char *path = marks_path (self);
  struct stat st;
  gboolean fresh;
  int fd;

  fd = open (path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    return _postier_outbox_storage_error (error, errno, _("Cannot mark “%s” as being sent"), path);
  fresh = fstat (fd, &st) == 0 && st.st_size == 0;
  if (!postier_write_all_fd (fd, text, strlen (text)) || (sync && fdatasync (fd) != 0))
    {
      int saved_errno = errno;

      close (fd);
      return _postier_outbox_storage_error (error, saved_errno,
                                            _("Cannot mark “%s” as being sent"), path);
    }
  if (close (fd) != 0 && sync)
    return _postier_outbox_storage_error (error, errno, _("Cannot mark “%s” as being sent"), path);
  /* A new file's name is in the folder, which a power cut may lose. */
  if (sync && fresh)
    {
      g_autoptr(GError) local_error = NULL;

      if (!postier_fsync_dir (postier_outbox_get_dir (self), &local_error))
        {
          g_set_error_literal (error, POSTIER_OUTBOX_ERROR, POSTIER_OUTBOX_ERROR_STORAGE,
                               local_error->message);
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
_postier_outbox_marks_add (PostierOutbox       *self,
                           PostierOutboxEntry **entries,
                           guint                n,
                           GError             **error)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    g_string_append_printf (text, "m %s\n", postier_outbox_entry_get_id (entries[i]));
  return append (self, text->str, TRUE, error);
}

/* Marks ENTRIES[0, N) "sending" as _postier_outbox_mark_sending() does (a
 * hard link "sending" to entry.ini, entry.ini keeping the state to return
 * to), all links first, then their ids appended to the outbox's journal of
 * marks and that one file synced: one disk write for the batch, where a
 * sync of each entry's folder was one per entry on a file system without
 * a journal (see above). The entries' state changes only once
 * all are on disk; a link left by a failure is removed when the entry is
 * saved. */
gboolean
_postier_outbox_marks_mark_sending (PostierOutbox       *self,
                                    PostierOutboxEntry **entries,
                                    guint                n,
                                    GError             **error)
{
  for (guint i = 0; i < n; i++)
    {
      const char *path = postier_outbox_entry_get_path (entries[i]);
      g_autofree char *ini = g_build_filename (path, POSTIER_OUTBOX_ENTRY_FILE, NULL);
      g_autofree char *mark = g_build_filename (path, POSTIER_OUTBOX_SENDING_MARK, NULL);

      if (link (ini, mark) != 0 && errno != EEXIST)
        {
          int saved_errno = errno;

          g_set_error (error, POSTIER_OUTBOX_ERROR, POSTIER_OUTBOX_ERROR_STORAGE,
                       _("Cannot mark “%s” as being sent: %s"), path, g_strerror (saved_errno));
          return FALSE;
        }
    }
  if (!_postier_outbox_marks_add (self, entries, n, error))
    return FALSE;
  for (guint i = 0; i < n; i++)
    _postier_outbox_entry_set_state (entries[i], POSTIER_OUTBOX_STATE_SENDING);
  return TRUE;
}

void
_postier_outbox_marks_drop (PostierOutbox *self,
                            const char    *id)
{
  g_autofree char *line = g_strdup_printf ("u %s\n", id);
  g_autoptr(GError) error = NULL;

  if (!append (self, line, FALSE, &error))
    g_debug ("%s", error->message);
}

GHashTable *
_postier_outbox_marks_read (PostierOutbox *self)
{
  g_autofree char *path = marks_path (self);
  g_autoptr(GString) text = g_string_new (NULL);
  GHashTable *marked;
  char buffer[8192];
  gssize n;
  int fd;

  fd = postier_open_regular (path, O_RDONLY, 0, NULL);
  if (fd < 0)
    return NULL;
  while ((n = read (fd, buffer, sizeof buffer)) != 0)
    {
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        break;  /* what was read still counts; the links are there too */
      g_string_append_len (text, buffer, n);
    }
  close (fd);

  marked = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  /* Whole lines only: a kill may cut the last one. */
  for (char *line = text->str, *end; (end = strchr (line, '\n')) != NULL; line = end + 1)
    {
      *end = '\0';
      if (line[0] == 'm' && line[1] == ' ' && line[2] != '\0')
        g_hash_table_add (marked, g_strdup (line + 2));
      else if (line[0] == 'u' && line[1] == ' ')
        g_hash_table_remove (marked, line + 2);
    }
  return marked;
}

void
_postier_outbox_marks_clear (PostierOutbox *self)
{
  g_autofree char *path = marks_path (self);

  if (g_unlink (path) != 0 && errno != ENOENT)
    g_debug ("Cannot remove %s: %s", path, g_strerror (errno));
}
