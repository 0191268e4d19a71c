/* fuzz-common.h — what Postier's libFuzzer targets share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>

/* A critical is a finding (GLib's checks on what reached an API: a
 * g_return_if_fail tripped by input); warnings and debug output are
 * dropped so that logging does not slow the fuzzer down. */
static void
fuzz_log_handler (const char     *domain,
                  GLogLevelFlags  level,
                  const char     *message,
                  gpointer        user_data)
{
  (void) domain;
  (void) user_data;
  if (level & (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR))
    {
      g_printerr ("%s\n", message);
      abort ();
    }
}

static inline void
fuzz_quiet_logs (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      g_log_set_default_handler (fuzz_log_handler, NULL);
      g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR);
      g_once_init_leave (&done, 1);
    }
}

/* A folder for the target's files, on tmpfs when there is one: the code
 * under test syncs what it writes, and a disk sync per input would slow
 * the fuzzer down a hundredfold. */
static inline char *
fuzz_work_dir (const char *name)
{
  g_autofree char *template = g_strdup_printf ("%s-XXXXXX", name);
  char *dir;

  if (g_file_test ("/dev/shm", G_FILE_TEST_IS_DIR))
    {
      char *path = g_build_filename ("/dev/shm", template, NULL);
      if (g_mkdtemp_full (path, 0700) != NULL)
        return path;
      g_free (path);
    }
  dir = g_dir_make_tmp (template, NULL);
  return dir;
}

/* Writes DATA to PATH without a sync. */
static inline void
fuzz_write_file (const char   *path,
                 const guint8 *data,
                 gsize         size)
{
  FILE *file = fopen (path, "wb");

  g_assert (file != NULL);
  g_assert (size == 0 || fwrite (data, 1, size, file) == size);
  g_assert (fclose (file) == 0);
}
