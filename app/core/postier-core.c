/* postier-core.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-core"

#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "postier-gmime.h"

#include "postier-init.h"
#include "postier-paths.h"

void
postier_core_init (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      g_mime_init ();
      g_once_init_leave (&initialized, 1);
    }
}

/* The /proc walk, for kernels before 5.11 (no CLOSE_RANGE_CLOEXEC). */
static void
cloexec_by_proc (void)
{
  DIR *dir = opendir ("/proc/self/fd");
  struct dirent *entry;

  if (dir == NULL)
    {
      g_debug ("cannot list /proc/self/fd: %s", g_strerror (errno));
      return;
    }
  while ((entry = readdir (dir)) != NULL)
    {
      char *end = NULL;
      long fd = strtol (entry->d_name, &end, 10);
      int flags;

      if (end == entry->d_name || *end != '\0' || fd <= 2 || fd == dirfd (dir))
        continue;
      flags = fcntl ((int) fd, F_GETFD);
      if (flags >= 0 && !(flags & FD_CLOEXEC))
        (void) fcntl ((int) fd, F_SETFD, flags | FD_CLOEXEC);
    }
  closedir (dir);
}

void
postier_core_cloexec_inherited_fds (void)
{
  /* Marked, never closed: a launcher may hand a descriptor over on
   * purpose (a file named /dev/fd/N), and this process still reads it;
   * only the programs it starts no longer get it. */
  if (close_range (3, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
    return;
  cloexec_by_proc ();
}

#if defined(__SANITIZE_ADDRESS__)
# define POSTIER_SANITIZED 1
#elif defined(__has_feature)
# if __has_feature(address_sanitizer)
#  define POSTIER_SANITIZED 1
# endif
#endif

void
postier_core_protect_process (void)
{
  /* Passwords pass through memory at unforeseeable moments (keyring
   * lookups, --password-stdin, a password command, SASL buffers), in
   * GLib's and OpenSSL's copies as well as ours, so the honest choice is
   * the whole process, from the start: no core dump, and no ptrace or
   * /proc/PID/mem by other processes of the same user. Sanitizer builds
   * keep dumps: LeakSanitizer ptraces its own process at exit. */
#ifndef POSTIER_SANITIZED
  if (prctl (PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
    g_debug ("cannot make the process non-dumpable: %s", g_strerror (errno));
#endif
  postier_tighten_private_dirs ();
}
