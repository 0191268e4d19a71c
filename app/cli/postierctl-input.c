/* postierctl-input.c — bodies and attachments read from files, pipes,
 * FIFOs and devices, with a size cap and a read timeout
 *
 * A regular file has a size; a pipe, a FIFO or a device may never end
 * (/dev/zero, `yes |`) or never start (a FIFO nobody writes). Both get the
 * same cap (the relay's SIZE when known, else POSTIERCTL_INPUT_DEFAULT_CAP)
 * and a stream that gives nothing for the timeout is an error, not a hang.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postierctl"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <poll.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "postier-paths.h"
#include "postier-relay-limits.h"
#include "postierctl-private.h"

#define CHUNK (64 * 1024)

guint64
postierctl_input_cap (const char *account_name)
{
  guint64 relay = account_name != NULL ? postier_relay_size_limit_lookup (account_name) : 0;

  return relay > 0 ? relay : POSTIERCTL_INPUT_DEFAULT_CAP;
}

static void
set_too_big (GError     **error,
             const char  *what,
             guint64      cap)
{
  g_autofree char *shown = g_format_size (cap);

  g_set_error (error, POSTIER_MESSAGE_ERROR, POSTIER_MESSAGE_ERROR_TOO_LARGE,
               _("%s is larger than %s, the most Postier will send through this account"),
               what, shown);
}

static void
set_read_error (GError     **error,
                const char  *what,
                int          saved_errno)
{
  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
               _("Cannot read %s: %s"), what, g_strerror (saved_errno));
}

/* Waits until FD has data or its end (TRUE), or TIMEOUT seconds pass with
 * neither (FALSE, errno ETIMEDOUT). */
static gboolean
wait_readable (int   fd,
               guint timeout)
{
  struct pollfd pfd = { .fd = fd, .events = POLLIN };
  int n;

  do
    n = poll (&pfd, 1, timeout > 0 ? (int) MIN (timeout, G_MAXINT / 1000) * 1000 : -1);
  while (n < 0 && errno == EINTR);
  if (n == 0)
    errno = ETIMEDOUT;
  return n > 0;
}

gboolean
postierctl_input_copy (int            fd,
                       const char    *what,
                       guint64        cap,
                       guint          timeout,
                       PostierctlSink sink,
                       gpointer       user_data,
                       GError       **error)
{
  g_autofree char *buffer = g_malloc (CHUNK);
  struct stat st;
  gboolean stream;
  guint64 total = 0;

  if (fstat (fd, &st) != 0)
    {
      set_read_error (error, what, errno);
      return FALSE;
    }
  /* A regular file says its size: refuse a big one before reading it. */
  stream = !S_ISREG (st.st_mode);
  if (!stream && cap > 0 && (guint64) st.st_size > cap)
    {
      set_too_big (error, what, cap);
      return FALSE;
    }

  for (;;)
    {
      ssize_t n;

      if (stream && !wait_readable (fd, timeout))
        {
          if (errno == ETIMEDOUT)
            g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_AGAIN,
                         g_dngettext (GETTEXT_PACKAGE,
                                      "Cannot read %s: nothing came for %u second",
                                      "Cannot read %s: nothing came for %u seconds", timeout),
                         what, timeout);
          else
            set_read_error (error, what, errno);
          return FALSE;
        }
      n = read (fd, buffer, CHUNK);
      if (n < 0 && (errno == EINTR || errno == EAGAIN))
        continue;
      if (n < 0)
        {
          set_read_error (error, what, errno);
          return FALSE;
        }
      if (n == 0)
        return TRUE;
      total += (guint64) n;
      if (cap > 0 && total > cap)
        {
          set_too_big (error, what, cap);
          return FALSE;
        }
      if (!sink (buffer, (gsize) n, user_data, error))
        return FALSE;
    }
}

static gboolean
append_text (const char  *data,
             gsize        length,
             gpointer     user_data,
             GError     **error)
{
  GString *text = user_data;

  /* Checked chunk by chunk, so /dev/zero fails on its first read. */
  if (memchr (data, '\0', length) != NULL)
    {
      g_set_error (error, POSTIER_MESSAGE_ERROR, POSTIER_MESSAGE_ERROR_MALFORMED,
                   _("The message text is not UTF-8 text (it holds a NUL byte or an invalid sequence)"));
      return FALSE;
    }
  g_string_append_len (text, data, (gssize) length);
  return TRUE;
}

/* Opens PATH without blocking: opening a FIFO for reading would wait for
 * a writer, and that wait would have no timeout. */
static int
open_input (const char  *path,
            GError     **error)
{
  int fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NONBLOCK, 0);

  if (fd < 0)
    {
      int saved_errno = errno;
      g_autofree char *what = g_strdup_printf ("“%s”", path);

      set_read_error (error, what, saved_errno);
      return -1;
    }
  return fd;
}

char *
postierctl_input_read_text (const char  *path,
                            guint64      cap,
                            guint        timeout,
                            GError     **error)
{
  g_autoptr(GString) text = g_string_new (NULL);
  gboolean from_stdin = path == NULL || g_str_equal (path, "-");
  int fd = from_stdin ? STDIN_FILENO : open_input (path, error);
  g_autofree char *what = NULL;
  gboolean ok;

  if (fd < 0)
    return NULL;
  what = from_stdin ? g_strdup (_("standard input")) : g_strdup_printf ("“%s”", path);
  ok = postierctl_input_copy (fd, what, cap, timeout, append_text, text, error);
  if (!from_stdin)
    close (fd);
  if (!ok)
    return NULL;
  if (!g_utf8_validate_len (text->str, text->len, NULL))
    {
      g_set_error (error, POSTIER_MESSAGE_ERROR, POSTIER_MESSAGE_ERROR_MALFORMED,
                   _("The message text is not UTF-8 text (it holds a NUL byte or an invalid sequence)"));
      return NULL;
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static gboolean
write_all (const char  *data,
           gsize        length,
           gpointer     user_data,
           GError     **error)
{
  int fd = GPOINTER_TO_INT (user_data);

  while (length > 0)
    {
      ssize_t n = write (fd, data, length);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved_errno = errno;
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       _("Cannot keep a copy of an attachment: %s"), g_strerror (saved_errno));
          return FALSE;
        }
      data += n;
      length -= (gsize) n;
    }
  return TRUE;
}

char *
postierctl_input_stage_attachment (const char  *path,
                                   const char  *staging_dir,
                                   guint64      cap,
                                   guint        timeout,
                                   GError     **error)
{
  g_autofree char *what = g_strdup_printf ("“%s”", path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *folder = NULL;
  g_autofree char *copy = NULL;
  struct stat st;
  int in, out;
  gboolean ok;

  in = open_input (path, error);
  if (in < 0)
    return NULL;
  if (fstat (in, &st) != 0)
    {
      set_read_error (error, what, errno);
      close (in);
      return NULL;
    }
  if (S_ISREG (st.st_mode))
    {
      /* The MIME builder reads it itself; only its size is ours to check. */
      close (in);
      if (cap > 0 && (guint64) st.st_size > cap)
        {
          set_too_big (error, what, cap);
          return NULL;
        }
      return g_strdup (path);
    }
  if (S_ISDIR (st.st_mode))
    {
      close (in);
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_ISDIR,
                   _("Cannot read %s: %s"), what, g_strerror (EISDIR));
      return NULL;
    }

  /* A stream is read once, into a private folder, under its own name so
   * the attachment keeps it. */
  folder = g_build_filename (staging_dir, "XXXXXX", NULL);
  if (g_mkdtemp_full (folder, 0700) == NULL)
    {
      int saved_errno = errno;
      close (in);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Cannot keep a copy of an attachment: %s"), g_strerror (saved_errno));
      return NULL;
    }
  copy = g_build_filename (folder, base, NULL);
  out = g_open (copy, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (out < 0)
    {
      int saved_errno = errno;
      close (in);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Cannot keep a copy of an attachment: %s"), g_strerror (saved_errno));
      return NULL;
    }
  ok = postierctl_input_copy (in, what, cap, timeout, write_all, GINT_TO_POINTER (out), error);
  close (in);
  if (close (out) != 0 && ok)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Cannot keep a copy of an attachment: %s"), g_strerror (saved_errno));
      ok = FALSE;
    }
  return ok ? g_steal_pointer (&copy) : NULL;
}
