/* bench-common.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench-common.h"

const char *
bench_rig (const char *name)
{
  g_autofree char *variable = g_strdup_printf ("POSTIER_TEST_%s", name);
  const char *value = g_getenv (variable);

  if (value == NULL || *value == '\0')
    {
      g_printerr ("%s is not set; run under tests/rig/with-rig (make bench does)\n", variable);
      exit (77);
    }
  return value;
}

guint
bench_n (guint fallback)
{
  const char *text = g_getenv ("POSTIER_BENCH_N");
  return text != NULL ? (guint) g_ascii_strtoull (text, NULL, 10) : fallback;
}

double
bench_seconds_since (gint64 start)
{
  return (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC;
}

char *
bench_make_folder (void)
{
  g_autoptr(GError) error = NULL;
  char *folder = g_dir_make_tmp ("postier-bench-XXXXXX", &error);

  if (folder == NULL)
    g_error ("%s", error->message);
  return folder;
}

/* The child's VmHWM: its peak resident memory since exec. (wait4's
 * ru_maxrss would also count what the forked copy of this process held
 * before exec.) */
static glong
read_peak_rss_kb (pid_t pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", (int) pid);
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents (path, &status, NULL, NULL))
    return -1;
  line = strstr (status, "VmHWM:");
  return line != NULL ? strtol (line + 6, NULL, 10) : -1;
}

double
bench_run (const char * const *argv,
           const char         *stdin_path,
           gboolean            quiet,
           glong              *peak_rss_kb)
{
  gint64 start = g_get_monotonic_time ();
  glong peak = 0;
  int status = 0;
  pid_t pid;

  fflush (stdout);
  pid = fork ();
  if (pid < 0)
    g_error ("fork: %s", g_strerror (errno));
  if (pid == 0)
    {
      int input = open (stdin_path != NULL ? stdin_path : "/dev/null", O_RDONLY);

      if (input < 0 || dup2 (input, STDIN_FILENO) < 0)
        _exit (126);
      if (quiet)
        {
          int null = open ("/dev/null", O_WRONLY);
          dup2 (null, STDOUT_FILENO);
          dup2 (null, STDERR_FILENO);
        }
      execvp (argv[0], (char * const *) argv);
      _exit (127);
    }
  for (;;)
    {
      pid_t done;

      /* Sampled while it runs: the figure is gone once it has exited. */
      if (peak_rss_kb != NULL)
        peak = MAX (peak, read_peak_rss_kb (pid));
      done = waitpid (pid, &status, peak_rss_kb != NULL ? WNOHANG : 0);
      if (done == pid)
        break;
      if (done < 0 && errno != EINTR)
        g_error ("waitpid: %s", g_strerror (errno));
      /* Every 20 ms, not 2: each look at /proc woke this process on one of
       * the two cores the measured one runs on (it preempted the flusher's
       * SMTP thread 40 times in a flush of 2 000, sched:sched_switch), a
       * cost smtp-source, watched by nobody, did not pay. The high-water
       * mark stays, so only a peak in the last 20 ms could be missed. */
      if (done == 0)
        g_usleep (20000);
    }
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    g_printerr ("%s exited with status %d\n", argv[0], WIFEXITED (status) ? WEXITSTATUS (status) : -1);
  if (peak_rss_kb != NULL)
    *peak_rss_kb = peak;
  return bench_seconds_since (start);
}

void
bench_wait_for_empty_queue (void)
{
  g_autofree char *queue = g_build_filename (bench_rig ("POSTFIX_DIR"), "queue", NULL);
  const char *folders[] = { "maildrop", "incoming", "active", NULL };

  for (guint attempt = 0; attempt < 1200; attempt++)
    {
      gboolean empty = TRUE;

      for (guint f = 0; folders[f] != NULL && empty; f++)
        {
          g_autofree char *path = g_build_filename (queue, folders[f], NULL);
          g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
          const char *name;

          while (dir != NULL && (name = g_dir_read_name (dir)) != NULL && empty)
            {
              g_autofree char *sub = g_build_filename (path, name, NULL);
              g_autoptr(GDir) inner = g_file_test (sub, G_FILE_TEST_IS_DIR) ? g_dir_open (sub, 0, NULL) : NULL;

              if (inner == NULL || g_dir_read_name (inner) != NULL)
                empty = FALSE;
            }
        }
      if (empty)
        return;
      g_usleep (100 * 1000);
    }
}

double
bench_smtp_source (guint port,
                   guint n)
{
  g_autofree char *count = g_strdup_printf ("%u", n);
  g_autofree char *where = g_strdup_printf ("127.0.0.1:%u", port);
  const char *argv[] = { "smtp-source", "-d", "-s", "1", "-m", count, "-l", "2000",
                         "-f", "alice@localhost", "-t", "bob@example.org", where, NULL };

  return n / bench_run (argv, NULL, FALSE, NULL);
}

/* Three levelled runs were not enough: a cold server can pause on a
 * plateau (397 367 375 msg/s) and then climb again to 750. */
#define WARM_UP_MIN_RUNS 8

double
bench_warm_up_server (guint port)
{
  double paces[16];
  guint runs = 0;

  printf ("  warming the server up (smtp-source, 1 000 messages a run):");
  while (runs < G_N_ELEMENTS (paces))
    {
      double low, high;

      bench_wait_for_empty_queue ();
      paces[runs] = bench_smtp_source (port, 1000);
      printf (" %.0f", paces[runs]);
      fflush (stdout);
      runs++;
      if (runs < WARM_UP_MIN_RUNS)
        continue;
      low = MIN (paces[runs - 1], MIN (paces[runs - 2], paces[runs - 3]));
      high = MAX (paces[runs - 1], MAX (paces[runs - 2], paces[runs - 3]));
      if (high <= 1.1 * low)
        break;
    }
  printf (" msg/s\n");
  bench_wait_for_empty_queue ();
  return paces[runs - 1];
}

double
bench_msmtp (GPtrArray *messages)
{
  g_autofree char *password_eval = g_strdup_printf ("echo %s", bench_rig ("PASSWORD"));
  const char *port = bench_rig ("SUBMISSION_PORT");
  gint64 start = g_get_monotonic_time ();

  for (guint i = 0; i < messages->len; i++)
    {
      const char *argv[] = { "msmtp", "-C", "/dev/null", "--host=localhost", "--port", port,
                             "--tls=on", "--tls-starttls=on", "--tls-trust-file", bench_rig ("CA"),
                             "--auth=plain", "--user", bench_rig ("USER"), "--passwordeval", password_eval,
                             "--from=alice@localhost", "bob@example.org", NULL };
      bench_run (argv, g_ptr_array_index (messages, i), FALSE, NULL);
    }
  return messages->len / bench_seconds_since (start);
}

BenchDisk
bench_disk_read (const char *path)
{
  BenchDisk disk = { FALSE, 0, 0, 0 };
  g_autofree char *device = NULL;
  g_autofree char *stat_path = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) fields = NULL;
  struct stat st;

  if (stat (path, &st) != 0)
    return disk;
  device = g_strdup_printf ("/sys/dev/block/%u:%u", major (st.st_dev), minor (st.st_dev));
  /* The whole disk's: the relay's spool may be on another partition of
   * it, and the disk's queue is what they share. */
  {
    g_autofree char *partition = g_build_filename (device, "partition", NULL);

    stat_path = g_file_test (partition, G_FILE_TEST_EXISTS)
                ? g_build_filename (device, "..", "stat", NULL)
                : g_build_filename (device, "stat", NULL);
  }
  if (!g_file_get_contents (stat_path, &text, NULL, NULL))
    return disk;
  fields = g_strsplit_set (g_strstrip (text), " \t", -1);
  {
    /* Empty strings between repeated spaces are skipped. */
    guint64 value[17];
    guint n = 0;

    for (guint i = 0; fields[i] != NULL && n < G_N_ELEMENTS (value); i++)
      if (*fields[i] != '\0')
        value[n++] = g_ascii_strtoull (fields[i], NULL, 10);
    /* Linux 5.5 and later: reads (4), writes (4), 3 more, discards (4),
     * flushes (2). */
    if (n < 17)
      return disk;
    disk.writes = value[4];
    disk.discards = value[11];
    disk.flushes = value[15];
    disk.ok = TRUE;
  }
  return disk;
}

BenchDisk
bench_disk_add (const BenchDisk *a,
                const BenchDisk *b)
{
  BenchDisk sum = { a->ok && b->ok, a->writes + b->writes, a->discards + b->discards,
                    a->flushes + b->flushes };

  return sum;
}

char *
bench_disk_per_message (const BenchDisk *before,
                        const BenchDisk *after,
                        guint            n)
{
  if (!before->ok || !after->ok || n == 0)
    return g_strdup ("disk not counted");
  return g_strdup_printf ("%.1f writes, %.1f discards, %.1f cache flushes a message",
                          (double) (after->writes - before->writes) / n,
                          (double) (after->discards - before->discards) / n,
                          (double) (after->flushes - before->flushes) / n);
}
