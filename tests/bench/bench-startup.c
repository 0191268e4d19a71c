/* bench-startup.c — from starting `postier` to the first frame of its
 * window, under the rig's Xvfb
 *
 * Each run starts the real program (a new process, the way a person
 * launches it) with POSTIER_BENCH_FIRST_FRAME set; the window prints the
 * monotonic time of its first painted frame and the app quits. The time
 * is taken from just before the process is spawned. Median of 20 runs
 * (POSTIER_BENCH_N), with the default renderer and with cairo. Target:
 * under 300 ms. Never fails on a slow machine.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdlib.h>

#include "bench-common.h"
#include "postier-core.h"
#include "postier-paths.h"

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

/* One start: milliseconds to the first frame, or a negative number. */
static double
start_once (const char *program,
            const char *home,
            const char *renderer)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                      G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *config = g_build_filename (home, "config", NULL);
  g_autofree char *data = g_build_filename (home, "data", NULL);
  g_autofree char *cache = g_build_filename (home, "cache", NULL);
  const char *line;
  gint64 start;

  g_subprocess_launcher_setenv (launcher, "HOME", home, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", config, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", data, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CACHE_HOME", cache, TRUE);
  g_subprocess_launcher_setenv (launcher, "POSTIER_BENCH_FIRST_FRAME", "1", TRUE);
  if (renderer != NULL)
    g_subprocess_launcher_setenv (launcher, "GSK_RENDERER", renderer, TRUE);
  else
    g_subprocess_launcher_unsetenv (launcher, "GSK_RENDERER");

  start = g_get_monotonic_time ();
  child = g_subprocess_launcher_spawn (launcher, &error, program, NULL);
  if (child == NULL)
    {
      g_printerr ("cannot start %s: %s\n", program, error->message);
      return -1;
    }
  if (!g_subprocess_communicate_utf8 (child, NULL, NULL, &out, NULL, &error))
    {
      g_printerr ("%s: %s\n", program, error->message);
      return -1;
    }
  line = out != NULL ? strstr (out, "first-frame ") : NULL;
  if (line == NULL)
    {
      g_printerr ("%s drew no frame (exit %d)\n", program, g_subprocess_get_exit_status (child));
      return -1;
    }
  return (g_ascii_strtoll (line + strlen ("first-frame "), NULL, 10) - start) / 1000.0;
}

static void
measure (const char *program,
         const char *home,
         const char *renderer,
         const char *label,
         guint       n)
{
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
  double first;

  /* The very first start also fills the disk cache: shown apart. */
  first = start_once (program, home, renderer);
  for (guint i = 0; i < n; i++)
    {
      double ms = start_once (program, home, renderer);

      if (ms >= 0)
        g_array_append_val (times, ms);
    }
  if (times->len == 0)
    {
      g_print ("%-28s no run drew a frame\n", label);
      return;
    }
  g_array_sort (times, compare_doubles);
  g_print ("%-28s median %6.1f ms  min %6.1f  max %6.1f  (first start %.1f ms, %u runs; target < 300 ms)\n",
           label,
           times->len % 2 ? g_array_index (times, double, times->len / 2)
                          : (g_array_index (times, double, times->len / 2 - 1) +
                             g_array_index (times, double, times->len / 2)) / 2,
           g_array_index (times, double, 0), g_array_index (times, double, times->len - 1),
           first, times->len);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *home = NULL;
  g_autofree char *accounts = NULL;
  g_autoptr(PostierAccountStore) store = NULL;
  g_autoptr(PostierAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  guint n = bench_n (20);

  if (argc != 2)
    {
      g_printerr ("usage: %s PATH-TO-POSTIER\n", argv[0]);
      return 64;
    }
  bench_rig ("DISPLAY");
  postier_core_init ();

  /* A person's usual start: one account configured, so no first-run
   * set-up window; nothing in the outbox. */
  home = bench_make_folder ();
  accounts = g_build_filename (home, "config", "postier", "accounts.ini", NULL);
  store = postier_account_store_new (accounts);
  account = postier_account_new ("Work");
  postier_account_set_identity (account, "Ada Lovelace <ada@example.org>");
  postier_account_set_host (account, "smtp.example.org");
  postier_account_set_auth (account, POSTIER_AUTH_NONE);
  if (!postier_account_store_load (store, &error) ||
      !postier_account_store_add (store, account, TRUE, &error))
    g_error ("%s", error->message);

  g_print ("Start of `postier` to the first frame of its window (Xvfb %s)\n", g_getenv ("DISPLAY"));
  measure (argv[1], home, NULL, "default renderer (GL)", n);
  measure (argv[1], home, "cairo", "cairo renderer", n);

  postier_remove_tree (home);
  return 0;
}
