/* bench-enqueue.c — one `postierctl send --queue-only` against starting
 * msmtp (issue 12: at most 1.5x `msmtp --version`)
 *
 * Both are run one after the other, in alternating order, many times in
 * the same run, each a fresh process started the same way (fork + exec,
 * output to /dev/null); the medians are compared, so a neighbour's burst
 * of work weighs on both sides alike. Also printed, for the breakdown in
 * docs/design-notes.md: the light postierctl's and postierctl-full's bare
 * start (--version), which shows what loading OpenSSL, GNU SASL, libsecret
 * and json-glib would add to each enqueue.
 *
 *   POSTIER_BENCH_N=pairs   number of runs of each (default 300)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "bench-common.h"
#include "postier-core.h"

#define TARGET_RATIO 1.5

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
median_ms (GArray *seconds)
{
  g_array_sort (seconds, compare_doubles);
  return g_array_index (seconds, double, seconds->len / 2) * 1000;
}

int
main (void)
{
  guint n = bench_n (300);
  const char *postierctl = g_getenv ("POSTIERCTL");
  g_autofree char *full = NULL;
  g_autofree char *msmtp = g_find_program_in_path ("msmtp");
  g_autofree char *folder = bench_make_folder ();
  g_autofree char *body = g_build_filename (folder, "body.txt", NULL);
  g_autofree char *sub = NULL;
  g_autoptr(GArray) send_s = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) msmtp_s = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) light_s = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) full_s = g_array_new (FALSE, FALSE, sizeof (double));
  double send_ms, msmtp_ms, ratio;

  if (postierctl == NULL || msmtp == NULL)
    {
      g_printerr ("bench-enqueue: %s\n", postierctl == NULL ? "POSTIERCTL is not set; run through meson (make bench)"
                                                             : "msmtp is not installed");
      return 77;
    }
  {
    g_autofree char *dir = g_path_get_dirname (postierctl);
    full = g_build_filename (dir, "postierctl-full", NULL);
  }
  /* A home of its own; the children inherit it. */
  sub = g_build_filename (folder, "config", NULL);
  g_setenv ("XDG_CONFIG_HOME", sub, TRUE);
  g_free (sub);
  sub = g_build_filename (folder, "data", NULL);
  g_setenv ("XDG_DATA_HOME", sub, TRUE);
  g_free (sub);
  sub = g_build_filename (folder, "cache", NULL);
  g_setenv ("XDG_CACHE_HOME", sub, TRUE);
  g_free (sub);
  sub = g_build_filename (folder, "state", NULL);
  g_setenv ("XDG_STATE_HOME", sub, TRUE);
  g_file_set_contents (body, "A short message, queued from the command line.\n", -1, NULL);

  {
    const char *argv[] = { postierctl, "account", "add", "Bench", "--from", "Bench <bench@localhost>",
                           "--host", "localhost", "--security", "none", "--auth", "none", "--default", NULL };
    bench_run (argv, NULL, TRUE, NULL);
  }

  {
    const char *send_argv[] = { postierctl, "send", "--queue-only", "--to", "someone@example.org",
                                "--subject", "Enqueue benchmark", "--body-file", body, NULL };
    const char *msmtp_argv[] = { msmtp, "--version", NULL };
    const char *light_argv[] = { postierctl, "--version", NULL };
    const char *full_argv[] = { full, "--version", NULL };

    /* Warm the page cache and the loader's files for all four. */
    for (guint i = 0; i < 10; i++)
      {
        bench_run (send_argv, NULL, TRUE, NULL);
        bench_run (msmtp_argv, NULL, TRUE, NULL);
        bench_run (light_argv, NULL, TRUE, NULL);
        bench_run (full_argv, NULL, TRUE, NULL);
      }
    for (guint i = 0; i < n; i++)
      {
        double s, m;

        if (i % 2 == 0)
          {
            s = bench_run (send_argv, NULL, TRUE, NULL);
            m = bench_run (msmtp_argv, NULL, TRUE, NULL);
          }
        else
          {
            m = bench_run (msmtp_argv, NULL, TRUE, NULL);
            s = bench_run (send_argv, NULL, TRUE, NULL);
          }
        g_array_append_val (send_s, s);
        g_array_append_val (msmtp_s, m);
        if (i % 4 == 0)
          {
            double l = bench_run (light_argv, NULL, TRUE, NULL);
            double f = bench_run (full_argv, NULL, TRUE, NULL);

            g_array_append_val (light_s, l);
            g_array_append_val (full_s, f);
          }
      }
  }

  send_ms = median_ms (send_s);
  msmtp_ms = median_ms (msmtp_s);
  ratio = send_ms / msmtp_ms;
  printf ("Command-line enqueue, medians of %u runs each, alternating (fork + exec, output to /dev/null)\n", n);
  printf ("  postierctl send --queue-only (a one-line body):  %6.2f ms\n", send_ms);
  printf ("  msmtp --version:                                 %6.2f ms\n", msmtp_ms);
  printf ("  postierctl --version (the light binary):         %6.2f ms\n", median_ms (light_s));
  printf ("  postierctl-full --version (every library):       %6.2f ms\n", median_ms (full_s));
  printf ("  ratio enqueue / msmtp start: %.2fx  (target <= %.1fx)\n", ratio, TARGET_RATIO);
  printf ("RATIO enqueue-vs-msmtp-start %.2f target <= %.2f %s\n", ratio, TARGET_RATIO,
          ratio <= TARGET_RATIO ? "met" : "not met");

  postier_remove_tree (folder);
  return 0;
}
