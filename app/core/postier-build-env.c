/* postier-build-env.c — environment variables honoured only in the build tree
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-core"

#include "config.h"

#include <stdlib.h>

#include "postier-build-env.h"

/* The installed program and the one in the build tree are the same binary
 * (meson install copies it), so no compile-time switch can tell them apart:
 * where the running executable lies can. Both paths are resolved, so a
 * symlinked build directory still counts as the build tree. */
static gboolean
compute_uninstalled (void)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *root = realpath (POSTIER_BUILD_ROOT, NULL);
  size_t len;

  if (exe == NULL || root == NULL)
    return FALSE;
  len = strlen (root);
  return strncmp (exe, root, len) == 0 && exe[len] == G_DIR_SEPARATOR;
}

gboolean
postier_running_uninstalled (void)
{
  static gsize answer = 0;

  if (g_once_init_enter (&answer))
    g_once_init_leave (&answer, compute_uninstalled () ? 2 : 1);
  return answer == 2;
}

const char *
postier_build_getenv (const char *name)
{
  g_return_val_if_fail (name != NULL, NULL);
  return postier_running_uninstalled () ? g_getenv (name) : NULL;
}
