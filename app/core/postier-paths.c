/* postier-paths.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-paths"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "postier-paths.h"

char *
postier_config_dir (void)
{
  return g_build_filename (g_get_user_config_dir (), "postier", NULL);
}

char *
postier_data_dir (const char *subdir)
{
  return g_build_filename (g_get_user_data_dir (), "postier", subdir, NULL);
}

gboolean
postier_ensure_private_dir (const char  *path,
                            GError     **error)
{
  if (g_mkdir_with_parents (path, 0700) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _("Cannot create the folder “%s”: %s"), path, g_strerror (saved_errno));
      return FALSE;
    }
  return TRUE;
}

gboolean
postier_little_else_dirty (const char *meminfo,
                           guint64     own_bytes)
{
  static const char *const counted[] = { "Dirty:", "Writeback:" };
  guint64 pending = 0;
  guint found = 0;

  for (const char *line = meminfo; line != NULL && *line != '\0';)
    {
      const char *end = strchr (line, '\n');

      for (guint i = 0; i < G_N_ELEMENTS (counted); i++)
        if (g_str_has_prefix (line, counted[i]))
          {
            const char *number = line + strlen (counted[i]);
            char *unit = NULL;
            guint64 kib = g_ascii_strtoull (number, &unit, 10);

            while (unit != number && *unit == ' ')
              unit++;
            if (unit == number || !g_str_has_prefix (unit, "kB"))
              return FALSE;
            pending += kib * 1024;
            found++;
          }
      line = end != NULL ? end + 1 : NULL;
    }
  return found == G_N_ELEMENTS (counted) &&
         pending <= own_bytes + POSTIER_SYNC_OTHER_MAX_BYTES;
}

int
postier_sync_files (const int *fds,
                    guint      n_fds,
                    guint64    own_bytes)
{
  g_autofree char *meminfo = NULL;
  int first = -1;
  guint open_fds = 0;
  int saved_errno = 0;

  for (guint i = 0; i < n_fds; i++)
    if (fds[i] >= 0 && open_fds++ == 0)
      first = fds[i];
  /* One file: its own fdatasync is the one flush anyway. */
  if (open_fds > 1 &&
      g_file_get_contents ("/proc/meminfo", &meminfo, NULL, NULL) &&
      postier_little_else_dirty (meminfo, own_bytes))
    return syncfs (first) == 0 ? 0 : errno;
  for (guint i = 0; i < n_fds; i++)
    if (fds[i] >= 0 && fdatasync (fds[i]) != 0 && saved_errno == 0)
      saved_errno = errno;
  return saved_errno;
}

gboolean
postier_fsync_dir (const char  *path,
                   GError     **error)
{
  int fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (fd < 0 || fsync (fd) != 0)
    {
      int saved_errno = errno;
      if (fd >= 0)
        close (fd);
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _("Cannot flush the folder “%s” to disk: %s"), path, g_strerror (saved_errno));
      return FALSE;
    }
  close (fd);
  return TRUE;
}

void
postier_remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        postier_remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static void
tighten_dir (const char *path)
{
  struct stat info;

  if (lstat (path, &info) == 0 && S_ISDIR (info.st_mode) && info.st_uid == getuid () &&
      (info.st_mode & 077) != 0 && chmod (path, 0700) != 0)
    g_warning (_("Cannot make the folder “%s” private: %s"), path, g_strerror (errno));
}

void
postier_tighten_private_dirs (void)
{
  static const char * const data_subdirs[] = {
    "", "outbox", "sent", "sent/tmp", "sent/new", "sent/cur", "drafts", "sandbox",
    "sandbox/tmp", "sandbox/new", "sandbox/cur", "sandbox/envelope", "sandbox-tls",
  };
  g_autofree char *config = postier_config_dir ();
  g_autofree char *cache = g_build_filename (g_get_user_cache_dir (), "postier", NULL);

  tighten_dir (config);
  tighten_dir (cache);
  for (guint i = 0; i < G_N_ELEMENTS (data_subdirs); i++)
    {
      g_autofree char *path = postier_data_dir (data_subdirs[i]);

      tighten_dir (path);
    }
}

int
postier_open_regular (const char  *path,
                      int          flags,
                      mode_t       mode,
                      GError     **error)
{
  struct stat info;
  int fd;

  /* O_NONBLOCK so that a planted FIFO cannot hang us in open(); it means
   * nothing for a plain file and is cleared once we know it is one. */
  fd = open (path, flags | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, mode);
  if (fd < 0)
    {
      int saved_errno = errno;

      if (saved_errno == ELOOP)
        g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                     _("“%s” is a symbolic link, not a file; it was left alone"), path);
      else
        g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                     _("Cannot open “%s”: %s"), path, g_strerror (saved_errno));
      errno = saved_errno;
      return -1;
    }
  if (fstat (fd, &info) != 0)
    {
      int saved_errno = errno;

      close (fd);
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _("Cannot open “%s”: %s"), path, g_strerror (saved_errno));
      errno = saved_errno;
      return -1;
    }
  if (!S_ISREG (info.st_mode))
    {
      close (fd);
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   _("“%s” is not a plain file; it was left alone"), path);
      errno = EINVAL;
      return -1;
    }
  if (!(flags & O_NONBLOCK))
    fcntl (fd, F_SETFL, fcntl (fd, F_GETFL) & ~O_NONBLOCK);
  return fd;
}

gboolean
postier_write_all_fd (int         fd,
                      const void *data,
                      gsize       length)
{
  const char *p = data;

  while (length > 0)
    {
      gssize n = write (fd, p, length);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return FALSE;
      if (n == 0)
        {
          errno = EIO;
          return FALSE;
        }
      p += n;
      length -= (gsize) n;
    }
  return TRUE;
}

gboolean
postier_write_file_durably (const char  *path,
                            const char  *contents,
                            gsize        length,
                            GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *tmp = g_strdup_printf ("%s.tmp-XXXXXX", path);
  int fd;

  fd = g_mkstemp_full (tmp, O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _("Cannot write in “%s”: %s"), dir, g_strerror (saved_errno));
      return FALSE;
    }

  if (!postier_write_all_fd (fd, contents, length))
    goto fail;
  if (fsync (fd) != 0)
    goto fail;
  if (close (fd) != 0)
    {
      fd = -1;
      goto fail;
    }
  fd = -1;
  if (g_rename (tmp, path) != 0)
    goto fail;

  return postier_fsync_dir (dir, error);

fail:
  {
    int saved_errno = errno;
    if (fd >= 0)
      close (fd);
    g_unlink (tmp);
    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                 _("Cannot write “%s”: %s"), path, g_strerror (saved_errno));
    return FALSE;
  }
}
