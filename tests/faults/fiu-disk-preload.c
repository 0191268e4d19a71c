/* fiu-disk-preload.c — libfiu's POSIX preload, narrowed to the disk, and
 * a "fail the Nth call" counter
 *
 * Preloaded BEFORE /usr/lib/fiu/fiu_run_preload.so and fiu_posix_preload.so
 * (tests/faults/postier-fiu.c sets LD_PRELOAD as fiu-run -x does, plus this
 * library first). It does three things libfiu 1.1 does not:
 *
 * - read/write/fsync/close… on anything but a regular file or a folder go
 *   straight to the C library: sockets are the SMTP fault tests' business,
 *   and GLib's wake-up eventfd, failed, only loses a wake-up (a hang that no
 *   real disk can cause);
 * - calls libfiu 1.1 does not wrap but the outbox uses are failure points
 *   too, under the same names' tree: posix/io/dir/{link,linkat,mkdir,
 *   mkdirat,rmdir,renameat,unlinkat}, posix/io/sync/syncfs,
 *   posix/io/oc/openat, readdir64 (as posix/io/dir/readdir),
 *   posix/io/lock/flock, posix/io/attr/{chmod,fchmod};
 * - with POSTIER_FIU_FAIL_AT=N, the Nth disk call of the process (any
 *   thread, counted in order) fails, once; with POSTIER_FIU_PROBABILITY=P
 *   (and POSTIER_FIU_SEED=S), each call fails with probability P, drawn
 *   from the seed and the call's number so that a run can be replayed.
 *   POSTIER_FIU_LOG names a file that receives "fail NAME ERRNO FRAMES…"
 *   for each failure and, at exit, "calls TOTAL". The frames are
 *   "module+offset" for addr2line.
 *
 * libfiu's own enable_random (FIU_ENABLE, read by fiu_run_preload.so) draws
 * the same way but cannot say which calls it failed, nor replay a run: the
 * sweeps use its external-callback mechanism (fiu_enable_external) instead.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
/* Plain names: the project's _FILE_OFFSET_BITS=64 would rename every
 * wrapper below to its *64 twin; the twins are defined separately. */
#undef _FILE_OFFSET_BITS
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#define FIU_ENABLE 1
#include <fiu.h>
#include <fiu-control.h>

static void *
libc_symbol (const char *name)
{
  static void *libc;

  if (libc == NULL)
    libc = dlopen ("libc.so.6", RTLD_LAZY | RTLD_NOLOAD);
  return dlsym (libc, name);
}

/* The next definition: libfiu's wrapper for what it wraps, else libc's. */
#define NEXT(name) \
  static __typeof__ (name) *real_##name; \
  if (real_##name == NULL) \
    real_##name = (__typeof__ (name) *) dlsym (RTLD_NEXT, #name)
#define LIBC(name) \
  static __typeof__ (name) *libc_##name; \
  if (libc_##name == NULL) \
    libc_##name = (__typeof__ (name) *) libc_symbol (#name)

static int
on_disk (int fd)
{
  struct stat st;

  /* fstat is not a failure point. */
  return fd >= 0 && fstat (fd, &st) == 0 && (S_ISREG (st.st_mode) || S_ISDIR (st.st_mode));
}

static int
injected_errno (int fallback)
{
  void *info = fiu_failinfo ();

  return info != NULL ? (int) (intptr_t) info : fallback;
}

#define FAIL_POINT(point, fallback_errno, failed_value) \
  do { \
    if (fiu_fail (point)) \
      { \
        errno = injected_errno (fallback_errno); \
        return failed_value; \
      } \
  } while (0)

/* --- fd calls: disk only ------------------------------------------------- */

ssize_t
read (int fd, void *buf, size_t count)
{
  NEXT (read);
  LIBC (read);
  return on_disk (fd) ? real_read (fd, buf, count) : libc_read (fd, buf, count);
}

ssize_t
write (int fd, const void *buf, size_t count)
{
  NEXT (write);
  LIBC (write);
  return on_disk (fd) ? real_write (fd, buf, count) : libc_write (fd, buf, count);
}

ssize_t
pread (int fd, void *buf, size_t count, off_t offset)
{
  NEXT (pread);
  LIBC (pread);
  return on_disk (fd) ? real_pread (fd, buf, count, offset) : libc_pread (fd, buf, count, offset);
}

ssize_t
pwrite (int fd, const void *buf, size_t count, off_t offset)
{
  NEXT (pwrite);
  LIBC (pwrite);
  return on_disk (fd) ? real_pwrite (fd, buf, count, offset) : libc_pwrite (fd, buf, count, offset);
}

ssize_t
readv (int fd, const struct iovec *iov, int n)
{
  NEXT (readv);
  LIBC (readv);
  return on_disk (fd) ? real_readv (fd, iov, n) : libc_readv (fd, iov, n);
}

ssize_t
writev (int fd, const struct iovec *iov, int n)
{
  NEXT (writev);
  LIBC (writev);
  return on_disk (fd) ? real_writev (fd, iov, n) : libc_writev (fd, iov, n);
}

int
close (int fd)
{
  NEXT (close);
  LIBC (close);
  return on_disk (fd) ? real_close (fd) : libc_close (fd);
}

int
fsync (int fd)
{
  NEXT (fsync);
  LIBC (fsync);
  return on_disk (fd) ? real_fsync (fd) : libc_fsync (fd);
}

int
fdatasync (int fd)
{
  NEXT (fdatasync);
  LIBC (fdatasync);
  return on_disk (fd) ? real_fdatasync (fd) : libc_fdatasync (fd);
}

int
ftruncate (int fd, off_t length)
{
  NEXT (ftruncate);
  LIBC (ftruncate);
  return on_disk (fd) ? real_ftruncate (fd, length) : libc_ftruncate (fd, length);
}

ssize_t
pread64 (int fd, void *buf, size_t count, off64_t offset)
{
  NEXT (pread64);
  LIBC (pread64);
  return on_disk (fd) ? real_pread64 (fd, buf, count, offset) : libc_pread64 (fd, buf, count, offset);
}

ssize_t
pwrite64 (int fd, const void *buf, size_t count, off64_t offset)
{
  NEXT (pwrite64);
  LIBC (pwrite64);
  return on_disk (fd) ? real_pwrite64 (fd, buf, count, offset) : libc_pwrite64 (fd, buf, count, offset);
}

int
ftruncate64 (int fd, off64_t length)
{
  NEXT (ftruncate64);
  LIBC (ftruncate64);
  return on_disk (fd) ? real_ftruncate64 (fd, length) : libc_ftruncate64 (fd, length);
}

/* --- what libfiu 1.1 does not wrap --------------------------------------- */

int
link (const char *from, const char *to)
{
  NEXT (link);
  FAIL_POINT ("posix/io/dir/link", ENOSPC, -1);
  return real_link (from, to);
}

int
linkat (int from_dir, const char *from, int to_dir, const char *to, int flags)
{
  NEXT (linkat);
  FAIL_POINT ("posix/io/dir/linkat", ENOSPC, -1);
  return real_linkat (from_dir, from, to_dir, to, flags);
}

int
mkdir (const char *path, mode_t mode)
{
  NEXT (mkdir);
  FAIL_POINT ("posix/io/dir/mkdir", ENOSPC, -1);
  return real_mkdir (path, mode);
}

int
mkdirat (int dir, const char *path, mode_t mode)
{
  NEXT (mkdirat);
  FAIL_POINT ("posix/io/dir/mkdirat", ENOSPC, -1);
  return real_mkdirat (dir, path, mode);
}

int
rmdir (const char *path)
{
  NEXT (rmdir);
  FAIL_POINT ("posix/io/dir/rmdir", EIO, -1);
  return real_rmdir (path);
}

int
renameat (int from_dir, const char *from, int to_dir, const char *to)
{
  NEXT (renameat);
  FAIL_POINT ("posix/io/dir/renameat", EIO, -1);
  return real_renameat (from_dir, from, to_dir, to);
}

/* The Sent copies' one sync for a batch (postier_sync_files()). */
int
syncfs (int fd)
{
  NEXT (syncfs);
  FAIL_POINT ("posix/io/sync/syncfs", EIO, -1);
  return real_syncfs (fd);
}

int
unlinkat (int dir, const char *path, int flags)
{
  NEXT (unlinkat);
  FAIL_POINT ("posix/io/dir/unlinkat", EIO, -1);
  return real_unlinkat (dir, path, flags);
}

int
openat (int dir, const char *path, int flags, ...)
{
  mode_t mode = 0;

  NEXT (openat);
  if (flags & (O_CREAT | O_TMPFILE))
    {
      va_list args;
      va_start (args, flags);
      mode = (mode_t) va_arg (args, int);
      va_end (args);
    }
  FAIL_POINT ("posix/io/oc/openat", (flags & O_CREAT) ? ENOSPC : EIO, -1);
  return real_openat (dir, path, flags, mode);
}

int
openat64 (int dir, const char *path, int flags, ...)
{
  mode_t mode = 0;

  NEXT (openat64);
  if (flags & (O_CREAT | O_TMPFILE))
    {
      va_list args;
      va_start (args, flags);
      mode = (mode_t) va_arg (args, int);
      va_end (args);
    }
  FAIL_POINT ("posix/io/oc/openat", (flags & O_CREAT) ? ENOSPC : EIO, -1);
  return real_openat64 (dir, path, flags, mode);
}

/* GLib (g_dir_read_name) and our own code built with 64-bit offsets call
 * readdir64, which libfiu 1.1 does not wrap: an error there ends a listing
 * early, exactly like the end of the folder. */
struct dirent64 *
readdir64 (DIR *dir)
{
  NEXT (readdir64);
  FAIL_POINT ("posix/io/dir/readdir", EIO, NULL);
  return real_readdir64 (dir);
}

int
flock (int fd, int operation)
{
  NEXT (flock);
  if (!(operation & LOCK_UN))
    FAIL_POINT ("posix/io/lock/flock", ENOLCK, -1);
  return real_flock (fd, operation);
}

int
chmod (const char *path, mode_t mode)
{
  NEXT (chmod);
  FAIL_POINT ("posix/io/attr/chmod", EIO, -1);
  return real_chmod (path, mode);
}

int
fchmod (int fd, mode_t mode)
{
  NEXT (fchmod);
  FAIL_POINT ("posix/io/attr/fchmod", EIO, -1);
  return real_fchmod (fd, mode);
}

/* --- fail the Nth call --------------------------------------------------- */

static const struct {
  const char *name;
  int         error;
} points[] = {
  { "posix/io/oc/open", ENOSPC },
  { "posix/io/oc/openat", ENOSPC },
  { "posix/io/oc/close", EIO },
  { "posix/io/rw/read", EIO },
  { "posix/io/rw/pread", EIO },
  { "posix/io/rw/readv", EIO },
  { "posix/io/rw/write", ENOSPC },
  { "posix/io/rw/pwrite", ENOSPC },
  { "posix/io/rw/writev", ENOSPC },
  { "posix/io/rw/ftruncate", EIO },
  { "posix/io/sync/fsync", EIO },
  { "posix/io/sync/fdatasync", EIO },
  { "posix/io/sync/syncfs", EIO },
  { "posix/io/dir/opendir", EIO },
  { "posix/io/dir/readdir", EIO },
  { "posix/io/dir/closedir", EIO },
  { "posix/io/dir/unlink", EIO },
  { "posix/io/dir/rename", EIO },
  { "posix/io/dir/link", ENOSPC },
  { "posix/io/dir/linkat", ENOSPC },
  { "posix/io/dir/mkdir", ENOSPC },
  { "posix/io/dir/mkdirat", ENOSPC },
  { "posix/io/dir/rmdir", EIO },
  { "posix/io/dir/renameat", EIO },
  { "posix/io/dir/unlinkat", EIO },
  { "posix/io/lock/flock", ENOLCK },
  { "posix/io/attr/chmod", EIO },
  { "posix/io/attr/fchmod", EIO },
};

static unsigned long fail_at;
static double probability;
static unsigned long long seed;
static atomic_ulong calls;

/* splitmix64: the Nth draw of a seed, whatever the threads' order. */
static double
draw (unsigned long n)
{
  unsigned long long z = seed + 0x9e3779b97f4a7c15ULL * (n + 1);

  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  return (double) (z >> 11) / (double) (1ULL << 53);
}
static char *log_path;

static void
log_line (const char *line)
{
  LIBC (open);
  LIBC (write);
  LIBC (close);
  int fd;

  if (log_path == NULL)
    return;
  fd = libc_open (log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    return;
  libc_write (fd, line, strlen (line));
  libc_close (fd);
}

static int
count_call (const char    *name,
            int           *failnum,
            void         **failinfo,
            unsigned int  *flags)
{
  unsigned long n = atomic_fetch_add (&calls, 1) + 1;
  char line[2048];
  void *frames[24];
  int n_frames, length;

  (void) failnum;
  (void) flags;
  if (n != fail_at && !(probability > 0 && draw (n) < probability))
    return 0;

  for (size_t i = 0; i < sizeof points / sizeof points[0]; i++)
    if (strcmp (points[i].name, name) == 0)
      *failinfo = (void *) (intptr_t) points[i].error;

  length = snprintf (line, sizeof line, "fail %s %d", name, (int) (intptr_t) *failinfo);
  n_frames = backtrace (frames, 24);
  for (int i = 0; i < n_frames && length < (int) sizeof line - 128; i++)
    {
      Dl_info info;

      if (dladdr (frames[i], &info) == 0 || info.dli_fname == NULL)
        continue;
      /* Our own frames and libfiu's say nothing. */
      if (strstr (info.dli_fname, "fiu") != NULL)
        continue;
      length += snprintf (line + length, sizeof line - (size_t) length, " %s+0x%lx",
                          info.dli_fname,
                          (unsigned long) ((char *) frames[i] - (char *) info.dli_fbase));
    }
  snprintf (line + length, sizeof line - (size_t) length, "\n");
  log_line (line);
  return 1;
}

__attribute__ ((constructor)) static void
setup (void)
{
  const char *at = getenv ("POSTIER_FIU_FAIL_AT");
  const char *p = getenv ("POSTIER_FIU_PROBABILITY");
  const char *s = getenv ("POSTIER_FIU_SEED");

  log_path = getenv ("POSTIER_FIU_LOG");
  if (at == NULL)
    return;
  fail_at = strtoul (at, NULL, 10);
  probability = p != NULL ? strtod (p, NULL) : 0;
  seed = s != NULL ? strtoull (s, NULL, 10) : 0;
  fiu_init (0);
  for (size_t i = 0; i < sizeof points / sizeof points[0]; i++)
    fiu_enable_external (points[i].name, 1, (void *) (intptr_t) points[i].error, 0, count_call);
}

__attribute__ ((destructor)) static void
report (void)
{
  char line[64];

  if (getenv ("POSTIER_FIU_FAIL_AT") == NULL)
    return;
  snprintf (line, sizeof line, "calls %lu\n", (unsigned long) atomic_load (&calls));
  log_line (line);
}
