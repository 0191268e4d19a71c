/* postier-core.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-core"

#include "config.h"

#include <errno.h>
#include <sys/prctl.h>

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
