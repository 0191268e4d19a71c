/* test-mime-sink.c — what the message sink writes is what it was given,
 * past the page cache for a large message, and its failures are told
 *
 * A message of a buffer or more (an attachment) is written with O_DIRECT
 * by a thread of its own (postier-direct-writer.c). These tests check the
 * octets around the buffer's edges, with pieces small and large; that the
 * descriptor comes back without O_DIRECT (a dup shares it); that the file's
 * pages did not go through the page cache where the file system takes
 * direct writes; and that a write failing in the thread, or a
 * cancellation, reaches the caller as an error.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "postier-direct-writer.h"
#include "postier-gmime.h"
#include "postier-mime-sink.h"

#define BUF POSTIER_DIRECT_WRITER_BUFFER_SIZE

static GBytes *
random_octets (gsize size)
{
  guint8 *data = g_malloc (MAX (size, 1));
  g_autoptr(GRand) rand = g_rand_new_with_seed ((guint32) size);

  for (gsize i = 0; i < size; i++)
    data[i] = (guint8) g_rand_int (rand);
  return g_bytes_new_take (data, size);
}

/* Writes DATA through a sink on a dup of a new file's descriptor, in
 * pieces of PIECE octets; returns the kept descriptor. */
static int
write_through_sink (const char   *path,
                    GBytes       *data,
                    gsize         piece,
                    GCancellable *cancel_after_first,
                    GError      **error)
{
  int fd = g_open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  g_autoptr(GMimeStream) sink = NULL;
  gsize size;
  const char *octets = g_bytes_get_data (data, &size);
  gsize done = 0;

  g_assert_cmpint (fd, >=, 0);
  sink = postier_mime_sink_new (dup (fd), cancel_after_first);
  while (done < size)
    {
      gsize len = MIN (piece, size - done);

      if (g_mime_stream_write (sink, octets + done, len) < 0)
        break;
      done += len;
      if (cancel_after_first != NULL && done >= 2 * BUF)
        g_cancellable_cancel (cancel_after_first);
    }
  if (!postier_mime_sink_finish (POSTIER_MIME_SINK (sink), error))
    return fd;
  g_assert_cmpuint (postier_mime_sink_get_written (POSTIER_MIME_SINK (sink)), ==, size);
  return fd;
}

/* A folder of its own for one message file. */
typedef struct {
  char *dir;
  char *path;
} Scratch;

static void
scratch_init (Scratch *scratch)
{
  scratch->dir = g_dir_make_tmp ("postier-sink-XXXXXX", NULL);
  g_assert_nonnull (scratch->dir);
  scratch->path = g_build_filename (scratch->dir, "message.eml", NULL);
}

/* FD, the kept descriptor, must come back without O_DIRECT (whoever
 * holds it next reads and syncs it plainly); then all goes. */
static void
scratch_clear (Scratch *scratch,
               int      fd)
{
  if (fd >= 0)
    {
      g_assert_cmpint (fcntl (fd, F_GETFL) & O_DIRECT, ==, 0);
      close (fd);
    }
  g_unlink (scratch->path);
  g_rmdir (scratch->dir);
  g_clear_pointer (&scratch->path, g_free);
  g_clear_pointer (&scratch->dir, g_free);
}

static gboolean
takes_direct_writes (const char *dir)
{
  struct statfs fs;

  return statfs (dir, &fs) == 0 &&
         (fs.f_type == 0xEF53 || fs.f_type == 0x58465342 || fs.f_type == 0x9123683E);
}

/* Pages of PATH in the page cache. */
static gsize
cached_pages (const char *path,
              gsize       size)
{
  int fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  long page = sysconf (_SC_PAGESIZE);
  gsize pages = (size + (gsize) page - 1) / (gsize) page;
  g_autofree unsigned char *resident = g_malloc0 (pages);
  void *map;
  gsize count = 0;

  g_assert_cmpint (fd, >=, 0);
  map = mmap (NULL, size, PROT_READ, MAP_SHARED, fd, 0);
  g_assert_true (map != MAP_FAILED);
  g_assert_cmpint (mincore (map, size, resident), ==, 0);
  for (gsize i = 0; i < pages; i++)
    count += resident[i] & 1;
  munmap (map, size);
  close (fd);
  return count;
}

static void
test_octets_around_buffers (void)
{
  Scratch scratch;
  const gsize sizes[] = { 0, 1, 4095, 4096, BUF - 1, BUF, BUF + 1, 2 * BUF, 3 * BUF + 12345 };
  /* Small pieces (headers, GMime's filters) and an attachment's large
   * encoded blocks, which a plain sink writes without copying. */
  const gsize pieces[] = { 777, BUF / 2 + 3, 3 * BUF };

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    for (guint j = 0; j < G_N_ELEMENTS (pieces); j++)
      {
        g_autoptr(GBytes) data = random_octets (sizes[i]);
        g_autoptr(GError) error = NULL;
        g_autofree char *contents = NULL;
        gsize length = 0;
        int fd;

        scratch_init (&scratch);
        fd = write_through_sink (scratch.path, data, pieces[j], NULL, &error);
        g_assert_no_error (error);
        g_assert_cmpint (fsync (fd), ==, 0);
        g_assert_true (g_file_get_contents (scratch.path, &contents, &length, NULL));
        g_assert_cmpmem (contents, length, g_bytes_get_data (data, NULL), sizes[i]);
        scratch_clear (&scratch, fd);
      }
}

static void
test_large_message_skips_page_cache (void)
{
  Scratch scratch;
  const gsize size = 16 * BUF + 100;
  g_autoptr(GBytes) data = random_octets (size);
  g_autoptr(GError) error = NULL;
  long page = sysconf (_SC_PAGESIZE);
  int fd;

  scratch_init (&scratch);
  if (!takes_direct_writes (scratch.dir))
    {
      g_test_skip ("the temporary folder's file system is not one that takes O_DIRECT writes");
      scratch_clear (&scratch, -1);
      return;
    }
  fd = write_through_sink (scratch.path, data, 777, NULL, &error);
  g_assert_no_error (error);
  /* At most the last, partial buffer went through the cache. */
  g_assert_cmpuint (cached_pages (scratch.path, size), <=, BUF / (gsize) page + 1);
  scratch_clear (&scratch, fd);
}

static void
test_failed_write_is_told (void)
{
  Scratch scratch;
  g_autoptr(GBytes) data = random_octets (8 * BUF);
  g_autoptr(GError) error = NULL;
  struct rlimit saved, limit;
  int fd;

  /* A file size limit fails a write in the writer's thread midway, as a
   * full disk would: EFBIG, with SIGXFSZ ignored. */
  g_assert_cmpint (getrlimit (RLIMIT_FSIZE, &saved), ==, 0);
  limit = saved;
  limit.rlim_cur = 5 * BUF / 2;
  signal (SIGXFSZ, SIG_IGN);
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &limit), ==, 0);
  scratch_init (&scratch);
  fd = write_through_sink (scratch.path, data, 777, NULL, &error);
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &saved), ==, 0);
  signal (SIGXFSZ, SIG_DFL);

  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, g_strerror (EFBIG)));
  scratch_clear (&scratch, fd);
}

static void
test_cancelled_midway (void)
{
  Scratch scratch;
  g_autoptr(GBytes) data = random_octets (8 * BUF);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  int fd;

  scratch_init (&scratch);
  fd = write_through_sink (scratch.path, data, 777, cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  scratch_clear (&scratch, fd);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_mime_init ();
  g_test_add_func ("/mime/sink/octets-around-buffers", test_octets_around_buffers);
  g_test_add_func ("/mime/sink/large-message-skips-page-cache", test_large_message_skips_page_cache);
  g_test_add_func ("/mime/sink/failed-write-is-told", test_failed_write_is_told);
  g_test_add_func ("/mime/sink/cancelled-midway", test_cancelled_midway);
  return g_test_run ();
}
