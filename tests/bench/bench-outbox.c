/* bench-outbox.c — queue many messages, then flush them to the relay
 *
 * Issue 5's figures, all against the rig's Postfix in the same run:
 *   - `postierctl send --queue-only`, one process per message: time per
 *     enqueue (target under 5 ms);
 *   - `postierctl queue flush` of the whole outbox over STARTTLS + AUTH
 *     PLAIN: messages per second and the flusher's peak memory;
 *   - the same server's ceiling for one session, `smtp-source -d -s 1`
 *     (target: flush at least 0.9x of it);
 *   - msmtp, one process per message (target: flush at least 60x of it).
 * POSTIER_BENCH_N sets the number of messages flushed (default 10000,
 * the size). Of those, POSTIER_BENCH_ENQUEUE_N (default 100) are
 * queued by `postierctl send --queue-only`, one process each, which
 * times the enqueue; the rest by the same engine call in this process
 * (postier_mime_enqueue_draft, what that command runs), so that a run at
 * the full size does not spend an hour starting processes on a busy VM.
 *
 * Fairness: smtp-source speaks neither TLS nor AUTH, so it goes to the
 * rig's plain listener of the same Postfix (same smtpd, queue and Maildir)
 * while the flush pays for STARTTLS and AUTH PLAIN: the reference is the
 * stricter side. Its messages are about the same size (`-l 2000` and its
 * few headers, against 2 160 bytes here). It runs right before and right after the
 * flush, on an empty Postfix queue each time, and the ratio takes their
 * mean, as the server's pace drifts with its Maildir and the machine's load.
 *
 * Rounds: one flush of 10 000 on this VM measured anywhere from 0.79x to
 * 0.98x of the same server's ceiling, in runs minutes apart with the same
 * code. So the queue is filled and flushed three times (POSTIER_BENCH_ROUNDS),
 * each in a fresh home and after a pause (ROUND_PAUSE_SECONDS), each
 * flush between its own two smtp-source runs, every round is printed,
 * and the ratio is the median of the rounds' ratios: not the best, which
 * would keep the luckiest flush.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "bench-common.h"
#include "postier-core.h"
#include "postier-paths.h"
#include "postier-mime.h"

/* Between rounds: ext4 without a journal (this VM's) does not reuse an
 * inode freed in the last 60 s, and each new one scans past them; a round
 * right after another ran in the wake of its 30 000 freed files. Three
 * rounds in a row flushed at 597, 550 and 522 msg/s; with this pause at
 * 558, 554 and 562 (the server's own pace differed between those two
 * runs; see also bench-enqueue). Each round is then a flush as a person
 * makes one, not one in the minute after another. */
#define ROUND_PAUSE_SECONDS 70

/* Issue 12's targets, side by side in one run. */
#define TARGET_VS_SMTP_SOURCE 0.9
#define TARGET_VS_MSMTP       60.0

static const char *postierctl;

/* One line for `make bench`'s summary (build-aux/bench-summary.py). */
static void
print_ratio (const char *name,
             double      value,
             double      target)
{
  gboolean met = value >= target;

  /* Three decimals: 0.898 printed as "0.90 ... not met" read as a mistake. */
  printf ("RATIO %s %.3f target >= %.2f %s\n", name, value, target, met ? "met" : "not met");
}

static void
ctl (const char *stdin_path,
     ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  va_list args;

  g_ptr_array_add (argv, (gpointer) postierctl);
  va_start (args, stdin_path);
  for (const char *arg = va_arg (args, const char *); arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  bench_run ((const char * const *) argv->pdata, stdin_path, TRUE, NULL);
}

/* The engine's own cost of an enqueue, without a process start: build
 * the MIME message, write it with CRLF, fsync, rename into the outbox
 * DIR; messages FIRST to FIRST + N. */
static double
enqueue_in_process (const char *dir,
                    const char *body,
                    guint       first,
                    guint       n)
{
  g_autoptr(PostierOutbox) outbox = postier_outbox_new (dir);
  g_autoptr(PostierAccount) account = postier_account_new ("Rig");
  gint64 start;

  postier_account_set_identity (account, "Bench <alice@localhost>");
  postier_account_set_host (account, "localhost");
  start = g_get_monotonic_time ();
  for (guint i = first; i < first + n; i++)
    {
      g_autoptr(PostierDraft) draft = postier_draft_new ();
      g_autofree char *subject = g_strdup_printf ("Outbox benchmark %u", i);
      g_autofree char *id = NULL;
      g_autoptr(GError) error = NULL;

      postier_draft_set_account_name (draft, "Rig");
      postier_draft_set_to (draft, "bench@example.org");
      postier_draft_set_subject (draft, subject);
      postier_draft_set_body (draft, body);
      id = postier_mime_enqueue_draft (draft, account, outbox, NULL, &error);
      if (id == NULL)
        g_error ("%s", error->message);
    }
  return n > 0 ? bench_seconds_since (start) / n : 0;
}

static guint
count_entries (const char *outbox)
{
  g_autoptr(GDir) dir = g_dir_open (outbox, 0, NULL);
  const char *name;
  guint n = 0;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (name[0] != '.')
      n++;
  return n;
}

static double
cpu_seconds (const struct timeval *after,
             const struct timeval *before)
{
  return (double) (after->tv_sec - before->tv_sec) + (after->tv_usec - before->tv_usec) / 1e6;
}

typedef struct {
  double rate;           /* the flush, msg/s */
  double source;         /* smtp-source, the mean of the runs before and after */
  double ratio;
} FlushRound;

/* One flush of the N queued in OUTBOX between two smtp-source runs. */
static FlushRound
flush_round (const char *outbox,
             guint       n,
             guint       plain_port,
             guint       round)
{
  const char *argv[] = { postierctl, "queue", "flush", NULL };
  struct rusage children_before, children_after;
  BenchDisk disk[4];
  g_autofree char *flush_disk = NULL;
  g_autofree char *source_disk = NULL;
  double seconds, before, after, user, system;
  FlushRound result;
  glong rss = 0;
  guint left;

  /* The enqueue leaves thousands of files for the kernel to write back,
   * which slowed the run before by 20-40 % (13 runs of 14). */
  sync ();
  disk[0] = bench_disk_read (outbox);
  before = bench_smtp_source (plain_port, MIN (n, 2000));
  bench_wait_for_empty_queue ();
  disk[1] = bench_disk_read (outbox);
  getrusage (RUSAGE_CHILDREN, &children_before);
  seconds = bench_run (argv, NULL, FALSE, &rss);
  getrusage (RUSAGE_CHILDREN, &children_after);
  left = count_entries (outbox);
  bench_wait_for_empty_queue ();
  disk[2] = bench_disk_read (outbox);
  after = bench_smtp_source (plain_port, MIN (n, 2000));
  bench_wait_for_empty_queue ();
  disk[3] = bench_disk_read (outbox);

  result.rate = n / seconds;
  result.source = (before + after) / 2;
  result.ratio = result.rate / result.source;
  /* The flusher's own CPU, which the load of the machine moves far less
   * than the rate: what it takes from the two cores Postfix shares. */
  user = cpu_seconds (&children_after.ru_utime, &children_before.ru_utime) * 1000 / n;
  system = cpu_seconds (&children_after.ru_stime, &children_before.ru_stime) * 1000 / n;
  printf ("  round %u: flush %.1f msg/s (%.1f s, peak RSS %.1f MB (VmHWM), %u left), its CPU %.3f ms per message "
          "(user %.3f, system %.3f); smtp-source %.1f msg/s (before %.1f, after %.1f): %.3fx\n",
          round, result.rate, seconds, rss / 1024.0, left, user + system, user, system,
          result.source, before, after, result.ratio);
  /* What each asked of the disk, the relay's own deliveries included:
   * Postfix's fsyncs wait behind the flusher's syncs and discards. */
  {
    /* The two smtp-source runs as one: their starts added, their ends. */
    BenchDisk source_starts = bench_disk_add (&disk[0], &disk[2]);
    BenchDisk source_ends = bench_disk_add (&disk[1], &disk[3]);

    source_disk = bench_disk_per_message (&source_starts, &source_ends, 2 * MIN (n, 2000));
    flush_disk = bench_disk_per_message (&disk[1], &disk[2], n);
  }
  printf ("    the disk, with the relay's deliveries: smtp-source %s; flush %s\n", source_disk, flush_disk);
  fflush (stdout);
  if (left != 0)
    g_error ("%u entries left in the outbox after round %u's flush", left, round);
  return result;
}

static int
compare_ratios (gconstpointer a,
                gconstpointer b)
{
  double x = ((const FlushRound *) a)->ratio, y = ((const FlushRound *) b)->ratio;

  return x < y ? -1 : x > y;
}

/* About 2 KB of text, like the other benchmarks' messages. */
static char *
body_text (void)
{
  GString *text = g_string_new (NULL);

  while (text->len < 1800)
    g_string_append (text, "The outbox benchmark sends this line many times over.\n");
  return g_string_free (text, FALSE);
}

int
main (void)
{
  guint n = bench_n (10000);
  const char *sample_text = g_getenv ("POSTIER_BENCH_ENQUEUE_N");
  guint sample = MIN (n, sample_text != NULL ? (guint) g_ascii_strtoull (sample_text, NULL, 10) : 100);
  guint msmtp_n = 30;
  g_autofree char *folder = bench_make_folder ();
  g_autofree char *config = g_build_filename (folder, "config", NULL);
  g_autofree char *data = g_build_filename (folder, "data", NULL);
  g_autofree char *state = g_build_filename (folder, "state", NULL);
  g_autofree char *outbox = NULL;
  g_autofree char *body_path = g_build_filename (folder, "body.txt", NULL);
  g_autofree char *password_path = g_build_filename (folder, "password", NULL);
  g_autofree char *body = body_text ();
  g_autoptr(GPtrArray) msmtp_messages = g_ptr_array_new_with_free_func (g_free);
  const char *port = bench_rig ("SUBMISSION_PORT");
  guint plain_port = (guint) g_ascii_strtoull (bench_rig ("PLAIN_PORT"), NULL, 10);
  const char *rounds_text = g_getenv ("POSTIER_BENCH_ROUNDS");
  guint rounds = rounds_text != NULL ? MAX (1, (guint) g_ascii_strtoull (rounds_text, NULL, 10)) : 3;
  g_autoptr(GArray) results = g_array_new (FALSE, FALSE, sizeof (FlushRound));
  double enqueue_seconds, flush_rate, source_rate, msmtp_rate, ratio;
  gint64 start;

  postierctl = g_getenv ("POSTIERCTL");
  if (postierctl == NULL)
    {
      g_printerr ("POSTIERCTL is not set; run through meson (make bench)\n");
      return 77;
    }

  /* A home of its own: the children inherit these. */
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  g_setenv ("XDG_DATA_HOME", data, TRUE);
  /* The relay limiter's records too: the rig's own would hold every
   * earlier run's 10 000 sends of the day. */
  g_setenv ("XDG_STATE_HOME", state, TRUE);
  outbox = g_build_filename (data, "postier", "outbox", NULL);
  g_file_set_contents (body_path, body, -1, NULL);
  g_file_set_contents (password_path, bench_rig ("PASSWORD"), -1, NULL);

  ctl (password_path, "account", "add", "Rig", "--from", "Bench <alice@localhost>",
       "--host", "localhost", "--port", port, "--security", "starttls", "--auth", "plain",
       "--user", bench_rig ("USER"), "--ca-file", bench_rig ("CA"), "--password-stdin",
       "--default", NULL);

  printf ("Outbox: %u messages of about 2 KB, STARTTLS + AUTH PLAIN to the rig's Postfix\n", n);

  postier_core_init ();
  {
    g_autofree char *scratch = g_build_filename (folder, "inprocess-outbox", NULL);

    printf ("  enqueue in the engine (postier_mime_enqueue_draft, %u):     %6.2f ms per message\n",
            MIN (n, 1000), enqueue_in_process (scratch, body, 0, MIN (n, 1000)) * 1000);
  }
  {
    const char *argv[] = { postierctl, "--version", NULL };
    double seconds = 0;

    for (guint i = 0; i < 20; i++)
      seconds += bench_run (argv, NULL, TRUE, NULL);
    printf ("  postierctl --version, the cost of starting the process:    %6.2f ms\n", seconds * 1000 / 20);
  }

  start = g_get_monotonic_time ();
  for (guint i = 0; i < sample; i++)
    {
      g_autofree char *subject = g_strdup_printf ("Outbox benchmark %u", i);
      ctl (body_path, "send", "--queue-only", "--account", "Rig", "--to", "bench@example.org",
           "--subject", subject, "--body-file", "-", NULL);
    }
  enqueue_seconds = bench_seconds_since (start);
  if (sample > 0)
    printf ("  enqueue, postierctl send --queue-only (one process each, %u): %6.2f ms per message  (target < 5 ms)\n",
            sample, enqueue_seconds * 1000 / sample);
  if (n > sample)
    printf ("  the other %u queued in this process:                       %6.2f ms per message\n",
            n - sample, enqueue_in_process (outbox, body, sample, n - sample) * 1000);
  if (count_entries (outbox) != n)
    printf ("  WARNING: %u entries in the outbox, expected %u\n", count_entries (outbox), n);

  /* A fresh rig's Postfix starts at a third to two thirds of its steady
   * pace and reaches it only after 6 000-8 000 messages (1 000-message
   * runs in a row: 216 209 273 319 397 435 442 610 627 629 684 651 711
   * msg/s): measured cold, the run before the flush was low, and the flush
   * rode the same climb. So the server is warmed up first. */
  sync ();
  bench_warm_up_server (plain_port);
  for (guint round = 1; round <= rounds; round++)
    {
      FlushRound result;

      /* Each round a home of its own, as the first: an empty Sent folder
       * and outbox folder (a folder never shrinks), nothing removed
       * between rounds (a new inode scans past those freed in the last
       * minute, see bench-enqueue). */
      if (round > 1)
        {
          printf ("  (a pause of %u s: the file system forgets the last round's freed files)\n",
                  ROUND_PAUSE_SECONDS);
          fflush (stdout);
          g_usleep ((gulong) ROUND_PAUSE_SECONDS * G_USEC_PER_SEC);
          g_autofree char *round_data = g_strdup_printf ("%s-%u", data, round);

          g_setenv ("XDG_DATA_HOME", round_data, TRUE);
          g_free (outbox);
          outbox = g_build_filename (round_data, "postier", "outbox", NULL);
          printf ("  queued %u again, in this process, in a fresh home:      %6.2f ms per message\n",
                  n, enqueue_in_process (outbox, body, 0, n) * 1000);
        }
      result = flush_round (outbox, n, plain_port, round);
      g_array_append_val (results, result);
    }
  /* The median round (of an even count, the lower middle one). */
  g_array_sort (results, compare_ratios);
  ratio = g_array_index (results, FlushRound, (results->len - 1) / 2).ratio;
  flush_rate = g_array_index (results, FlushRound, (results->len - 1) / 2).rate;
  source_rate = g_array_index (results, FlushRound, (results->len - 1) / 2).source;
  printf ("  flush, postierctl queue flush (one session), the median round: %8.1f msg/s\n", flush_rate);
  printf ("  smtp-source -d -s 1 (plain, one session), that round:         %8.1f msg/s\n", source_rate);

  for (guint i = 0; i < msmtp_n; i++)
    {
      g_autofree char *path = g_strdup_printf ("%s/msmtp-%u.eml", folder, i);
      g_autofree char *text = g_strdup_printf ("From: alice@localhost\r\nTo: bob@example.org\r\n"
                                               "Subject: msmtp %u\r\n\r\n%s", i, body);
      g_file_set_contents (path, text, -1, NULL);
      g_ptr_array_add (msmtp_messages, g_steal_pointer (&path));
    }
  bench_wait_for_empty_queue ();
  msmtp_rate = bench_msmtp (msmtp_messages);
  printf ("  msmtp, one process per message, %u messages:  %8.1f msg/s\n", msmtp_n, msmtp_rate);

  printf ("  flush %.1f msg/s, smtp-source %.1f msg/s, msmtp %.1f msg/s\n",
          flush_rate, source_rate, msmtp_rate);
  printf ("  ratio flush / smtp-source, the median of %u rounds: %.3fx  (target >= %.1fx: %s)\n", results->len,
          ratio, TARGET_VS_SMTP_SOURCE, ratio >= TARGET_VS_SMTP_SOURCE ? "met" : "not met");
  printf ("  ratio flush / msmtp:       %.1fx  (target >= %.0fx: %s)\n", flush_rate / msmtp_rate,
          TARGET_VS_MSMTP, flush_rate / msmtp_rate >= TARGET_VS_MSMTP ? "met" : "not met");
  print_ratio ("flush-vs-smtp-source", ratio, TARGET_VS_SMTP_SOURCE);
  print_ratio ("flush-vs-msmtp", flush_rate / msmtp_rate, TARGET_VS_MSMTP);

  postier_remove_tree (folder);
  return 0;
}
