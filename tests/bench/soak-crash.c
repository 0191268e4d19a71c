/* soak-crash.c — SIGKILL the flusher at random moments over thousands of
 * messages of mixed sizes, and count what arrived
 *
 *   soak-crash [--messages 2000] [--kills 1000] [--min-size 2048]
 *              [--max-size 20971520] [--seed S] [--app PATH] [--plain]
 *
 * Queues MESSAGES messages whose sizes are spread evenly on a log scale
 * between MIN and MAX bytes, then starts `postierctl queue flush` against the
 * rig's Postfix (STARTTLS + AUTH PLAIN on the submission port, or --plain:
 * the plain port), kills it with SIGKILL after a random delay and starts it
 * again (with --app PATH, the desktop app under the rig's Xvfb, whose
 * submitter flushes at start), KILLS times or until the outbox is empty; a
 * last `postierctl queue flush` runs to
 * the end. The delay is uniform between 0 and twice a mean that follows
 * the progress, so that the kills spread over the whole outbox.
 *
 * After each kill, once Postfix has delivered all it took, the messages that
 * already arrived but are still in the outbox are counted: each will arrive
 * once more, so they are the duplicates that kill caused. Prints the
 * messages lost (must be 0), the duplicates and how many were flagged
 * possible-duplicate in their Sent copy (must be all), and the duplicates
 * per kill (mean, worst, histogram, and for kills where a large message
 * was among them). Exits 1 if a message was lost or a duplicate unflagged;
 * never on slowness.
 *
 * To keep the disk use bounded, delivered messages are read (headers only)
 * and removed from the rig's Maildir and from Postier's Sent folder as the
 * soak goes: run it in a rig of its own (tests/rig/with-rig).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "postier-core.h"
#include "postier-outbox-private.h"
#include "postier-paths.h"
#include "bench-common.h"

/* A message this big or more is "large" in the figures. */
#define LARGE_BYTES (1024 * 1024)
#define MAX_HISTOGRAM 16

typedef struct {
  guint64  size;
  guint    arrived;       /* copies in the Maildir */
  guint    counted;       /* copies already counted as a kill's duplicates */
  gboolean flagged;       /* a Sent copy says possible-duplicate */
  guint    sent_copies;
} Message;

static Message *messages;
static guint n_messages;
static char *tag;
static char *data_dir;
static const char *postierctl;
/* --app PATH: kill the desktop app (under the rig's Xvfb) instead. */
static const char *app;

static guint
token_index (const char *subject_line)
{
  /* "soak TAG-N" */
  const char *dash = strrchr (subject_line, '-');

  return dash != NULL ? (guint) g_ascii_strtoull (dash + 1, NULL, 10) : G_MAXUINT;
}

static char *
read_head (const char *path)
{
  char *head = g_malloc (16385);
  FILE *file = fopen (path, "rb");
  size_t n = 0;

  if (file != NULL)
    {
      n = fread (head, 1, 16384, file);
      fclose (file);
    }
  head[n] = '\0';
  return head;
}

/* Counts and removes what arrived in DIR (new/ of a Maildir). SENT: the
 * folder holds Postier's Sent copies. */
static guint
harvest (const char *dir_path,
         gboolean    sent)
{
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  g_autofree char *prefix = g_strdup_printf ("\nSubject: soak %s-", tag);
  const char *name;
  guint n = 0;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir_path, name, NULL);
      g_autofree char *head = read_head (path);
      char *subject = strstr (head, prefix);
      char *end = strstr (head, "\n\n");
      g_autofree char *line = NULL;
      guint i;

      if (subject == NULL)
        continue;
      line = g_strndup (subject + 1, strcspn (subject + 1, "\n"));
      i = token_index (line);
      if (i >= n_messages)
        continue;
      if (sent)
        {
          if (end != NULL)
            *end = '\0';
          messages[i].sent_copies++;
          if (strstr (head, "possible-duplicate") != NULL)
            messages[i].flagged = TRUE;
        }
      else
        messages[i].arrived++;
      g_unlink (path);
      n++;
    }
  return n;
}

static void
harvest_all (void)
{
  const char *maildir = bench_rig ("MAILDIR");
  g_autofree char *new_dir = g_build_filename (maildir, "new", NULL);
  g_autofree char *sent_dir = g_build_filename (data_dir, "postier", "sent", "new", NULL);

  bench_wait_for_empty_queue ();
  harvest (new_dir, FALSE);
  harvest (sent_dir, TRUE);
}

/* Writes message I through a stream of its own on FD (a staging's). */
static void
write_message (int         fd,
               guint       i,
               guint64     size)
{
  FILE *file = fdopen (dup (fd), "wb");
  guint64 written;
  guint line = 0;

  g_assert_nonnull (file);
  setvbuf (file, NULL, _IOFBF, 1 << 20);
  written = (guint64) fprintf (file, "From: Alice <alice@localhost>\r\nTo: soak@example.org\r\n"
                                     "Subject: soak %s-%u\r\nMessage-ID: <%u.%s@soak.postier.test>\r\n"
                                     "Date: Sat, 05 Dec 2026 10:00:00 +0000\r\n\r\n",
                               tag, i, i, tag);
  while (written < size)
    {
      /* 78 bytes a line, numbered so no two lines are alike. */
      int n = fprintf (file, "%08u %067u\r\n", line++, i);
      written += (guint64) n;
    }
  g_assert_cmpint (fclose (file), ==, 0);
}

static void
enqueue_all (PostierOutbox *outbox,
             guint64        min_size,
             guint64        max_size,
             GRand         *rand)
{
  gint64 start = g_get_monotonic_time ();
  guint64 total = 0;

  for (guint i = 0; i < n_messages; i++)
    {
      g_autoptr(PostierEnvelope) envelope = postier_envelope_new ("alice@localhost");
      g_autoptr(GError) error = NULL;
      g_autoptr(PostierOutboxStaging) staging = postier_outbox_staging_begin (outbox, &error);
      g_autofree char *id = NULL;
      g_autofree char *subject = g_strdup_printf ("soak %s-%u", tag, i);
      g_autofree char *message_id = g_strdup_printf ("%u.%s@soak.postier.test", i, tag);
      double exponent = g_rand_double_range (rand, log ((double) min_size), log ((double) max_size));

      g_assert_no_error (error);
      messages[i].size = (guint64) exp (exponent);
      write_message (postier_outbox_staging_get_fd (staging), i, messages[i].size);
      /* What the message says, as a builder would tell the outbox. */
      postier_outbox_staging_set_subject (staging, subject);
      postier_outbox_staging_set_message_id (staging, message_id);
      postier_envelope_add_recipient (envelope, "soak@example.org");
      id = postier_outbox_staging_commit (staging, "Rig", envelope, NULL, &error);
      g_assert_no_error (error);
      total += messages[i].size;
    }
  g_print ("queued %u messages, %.1f MB (%.0f KB to %.1f MB, log-uniform) in %.1f s\n",
           n_messages, total / 1e6, min_size / 1e3, max_size / 1e6, bench_seconds_since (start));
}

static pid_t
spawn_flusher (gboolean may_be_app)
{
  pid_t pid = fork ();

  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      int null = open ("/dev/null", O_WRONLY);

      dup2 (null, STDOUT_FILENO);
      dup2 (null, STDERR_FILENO);
      if (app != NULL && may_be_app)
        execl (app, app, NULL);
      else
        execl (postierctl, postierctl, "queue", "flush", NULL);
      _exit (127);
    }
  return pid;
}

/* Waits up to DELAY_US for the flusher; kills it if it still runs. Returns
 * TRUE if it was killed. */
static gboolean
kill_after (pid_t  pid,
            gint64 delay_us)
{
  gint64 deadline = g_get_monotonic_time () + delay_us;
  int status;

  while (g_get_monotonic_time () < deadline)
    {
      if (waitpid (pid, &status, WNOHANG) == pid)
        return FALSE;
      g_usleep (2000);
    }
  kill (pid, SIGKILL);
  waitpid (pid, &status, 0);
  return WIFSIGNALED (status);
}

int
main (int   argc,
      char *argv[])
{
  guint kills_wanted = 1000;
  guint64 min_size = 2048, max_size = 20 * 1024 * 1024;
  guint64 seed = (guint64) g_get_real_time ();
  gboolean plain = FALSE;
  g_autoptr(GRand) rand = NULL;
  g_autoptr(PostierOutbox) outbox = NULL;
  g_autofree char *folder = NULL;
  g_autofree char *outbox_path = NULL;
  guint histogram[MAX_HISTOGRAM + 1] = { 0 };
  guint kills = 0, runs_finished = 0, worst = 0, worst_large = 0;
  guint dup_total = 0, large_kills = 0, large_kill_dups = 0;
  guint sending_kills = 0, sending_kill_dups = 0;
  guint lost = 0, duplicated = 0, extra_copies = 0, flagged = 0, false_alarms = 0, no_copy = 0;
  double mean_delay = 0.5;        /* seconds, adjusted as the soak goes */
  guint64 total_bytes = 0;
  gint64 start;

  n_messages = 2000;
  for (int i = 1; i + 1 < argc; i += 2)
    {
      if (g_str_equal (argv[i], "--messages"))
        n_messages = (guint) g_ascii_strtoull (argv[i + 1], NULL, 10);
      else if (g_str_equal (argv[i], "--kills"))
        kills_wanted = (guint) g_ascii_strtoull (argv[i + 1], NULL, 10);
      else if (g_str_equal (argv[i], "--min-size"))
        min_size = g_ascii_strtoull (argv[i + 1], NULL, 10);
      else if (g_str_equal (argv[i], "--max-size"))
        max_size = g_ascii_strtoull (argv[i + 1], NULL, 10);
      else if (g_str_equal (argv[i], "--seed"))
        seed = g_ascii_strtoull (argv[i + 1], NULL, 10);
      else if (g_str_equal (argv[i], "--app"))
        app = argv[i + 1];
      else
        {
          fprintf (stderr, "usage: soak-crash [--messages N] [--kills N] [--min-size B] "
                           "[--max-size B] [--seed S] [--app PATH-TO-POSTIER] [--plain]\n");
          return 64;
        }
    }
  for (int i = 1; i < argc; i++)
    if (g_str_equal (argv[i], "--plain"))
      plain = TRUE;
  if (app != NULL)
    {
      if (bench_rig ("DISPLAY") == NULL)
        return 77;
      /* What the UI tests found to matter under Xvfb (TESTING.md). */
      g_setenv ("DISPLAY", bench_rig ("DISPLAY"), TRUE);
      g_setenv ("GDK_BACKEND", "x11", TRUE);
      g_setenv ("GTK_A11Y", "none", TRUE);
      g_setenv ("GSK_RENDERER", "cairo", TRUE);
      g_setenv ("ADW_DISABLE_PORTAL", "1", TRUE);
      g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
    }

  postierctl = g_getenv ("POSTIERCTL");
  if (postierctl == NULL || bench_rig ("MAILDIR") == NULL)
    return 77;

  /* Our own folders, for this process and the flushers it starts. */
  folder = bench_make_folder ();
  data_dir = g_build_filename (folder, "data", NULL);
  {
    g_autofree char *config = g_build_filename (folder, "config", NULL);
    g_autofree char *cache = g_build_filename (folder, "cache", NULL);
    g_autofree char *state = g_build_filename (folder, "state", NULL);

    g_setenv ("HOME", folder, TRUE);
    g_setenv ("XDG_CONFIG_HOME", config, TRUE);
    g_setenv ("XDG_DATA_HOME", data_dir, TRUE);
    g_setenv ("XDG_CACHE_HOME", cache, TRUE);
    g_setenv ("XDG_STATE_HOME", state, TRUE);
  }
  postier_core_init ();
  rand = g_rand_new_with_seed ((guint32) seed);
  tag = g_strdup_printf ("%d.%" G_GUINT64_FORMAT, getpid (), seed);
  messages = g_new0 (Message, n_messages);

  {
    g_autofree char *port = g_strdup (bench_rig (plain ? "PLAIN_PORT" : "SUBMISSION_PORT"));
    g_autofree char *password_file = g_build_filename (folder, "password", NULL);
    const char *add_plain[] = { postierctl, "account", "add", "Rig", "--from", "Alice <alice@localhost>",
                                "--host", "127.0.0.1", "--port", port, "--security", "none",
                                "--auth", "none", "--default", NULL };
    const char *add_tls[] = { postierctl, "account", "add", "Rig", "--from", "Alice <alice@localhost>",
                              "--host", "localhost", "--port", port, "--security", "starttls",
                              "--auth", "plain", "--user", bench_rig ("USER"), "--password-stdin",
                              "--ca-file", bench_rig ("CA"), "--default", NULL };

    g_assert_true (g_file_set_contents (password_file, bench_rig ("PASSWORD"), -1, NULL));
    bench_run (plain ? add_plain : add_tls, plain ? NULL : password_file, TRUE, NULL);
  }

  outbox_path = g_build_filename (data_dir, "postier", "outbox", NULL);
  outbox = postier_outbox_new (outbox_path);
  g_print ("soak-crash: %u messages, up to %u kills of %s, seed %" G_GUINT64_FORMAT ", %s\n",
           n_messages, kills_wanted, app != NULL ? "the app" : "postierctl queue flush", seed,
           plain ? "plain port" : "STARTTLS + AUTH PLAIN");
  enqueue_all (outbox, min_size, max_size, rand);
  harvest_all ();
  {
    /* As the outbox counts them (a message overshoots its drawn size by
     * up to a line), so that the progress below never goes negative. */
    g_autoptr(GPtrArray) all = postier_outbox_list (outbox, NULL);

    for (guint i = 0; all != NULL && i < all->len; i++)
      total_bytes += postier_outbox_entry_get_size (g_ptr_array_index (all, i));
  }

  start = g_get_monotonic_time ();
  while (kills < kills_wanted)
    {
      g_autoptr(GPtrArray) left = postier_outbox_list (outbox, NULL);
      guint64 left_bytes = 0, arrived_bytes_before = 0, arrived_bytes_after = 0;
      double delay;
      gint64 run_start;
      guint dups = 0;
      gboolean large = FALSE;
      pid_t pid;

      if (left == NULL || left->len == 0)
        break;
      for (guint i = 0; i < left->len; i++)
        left_bytes += postier_outbox_entry_get_size (g_ptr_array_index (left, i));
      for (guint i = 0; i < n_messages; i++)
        arrived_bytes_before += messages[i].arrived > 0 ? messages[i].size : 0;

      /* Up to twice the mean delay, which follows the progress: kills
       * ahead of the bytes delivered lengthen it, behind shorten it, so the
       * last kill comes as the outbox empties. */
      if (((double) total_bytes - (double) left_bytes) / (double) total_bytes <
          (double) kills / kills_wanted)
        mean_delay *= 1.05;
      else
        mean_delay = MAX (0.05, mean_delay * 0.95);
      delay = g_rand_double_range (rand, 0, 2 * mean_delay);

      run_start = g_get_monotonic_time ();
      pid = spawn_flusher (TRUE);
      if (!kill_after (pid, (gint64) (delay * G_USEC_PER_SEC)))
        {
          runs_finished++;
          harvest_all ();
          continue;
        }
      kills++;
      harvest_all ();

      /* Arrived, yet still in the outbox: it will arrive again. */
      g_clear_pointer (&left, g_ptr_array_unref);
      left = postier_outbox_list (outbox, NULL);
      for (guint i = 0; left != NULL && i < left->len; i++)
        {
          PostierOutboxEntry *entry = g_ptr_array_index (left, i);
          const char *subject = postier_outbox_entry_get_subject (entry);
          guint m = subject != NULL ? token_index (subject) : G_MAXUINT;

          if (m >= n_messages || messages[m].arrived <= messages[m].counted)
            continue;
          dups += messages[m].arrived - messages[m].counted;
          messages[m].counted = messages[m].arrived;
          if (messages[m].size >= LARGE_BYTES)
            large = TRUE;
        }
      histogram[MIN (dups, MAX_HISTOGRAM)]++;
      worst = MAX (worst, dups);
      dup_total += dups;
      if (large)
        {
          large_kills++;
          large_kill_dups += dups;
          worst_large = MAX (worst_large, dups);
        }

      for (guint i = 0; i < n_messages; i++)
        arrived_bytes_after += messages[i].arrived > 0 ? messages[i].size : 0;
      if (arrived_bytes_after > arrived_bytes_before)
        {
          sending_kills++;
          sending_kill_dups += dups;
        }
      (void) run_start;
      if (kills % 100 == 0)
        g_print ("  %u kills, %u messages left, %u duplicates so far, %.0f s\n", kills,
                 left != NULL ? left->len : 0, dup_total, bench_seconds_since (start));
    }

  /* The last flushers run to the end; what a killed session left deferred
   * is made due, as the network coming back would. */
  for (guint pass = 0; pass < 10; pass++)
    {
      g_autoptr(GPtrArray) left = NULL;
      pid_t pid = spawn_flusher (FALSE);  /* the app would never end */
      int status;

      waitpid (pid, &status, 0);
      postier_outbox_make_deferred_due (outbox, NULL);
      left = postier_outbox_list (outbox, NULL);
      if (left != NULL && left->len == 0)
        break;
    }
  harvest_all ();

  for (guint i = 0; i < n_messages; i++)
    {
      if (messages[i].arrived == 0)
        {
          lost++;
          g_print ("LOST: message %u (%" G_GUINT64_FORMAT " bytes)\n", i, messages[i].size);
        }
      if (messages[i].sent_copies == 0)
        no_copy++;
      if (messages[i].arrived > 1)
        {
          duplicated++;
          extra_copies += messages[i].arrived - 1;
          if (messages[i].flagged)
            flagged++;
          else
            g_print ("UNFLAGGED: message %u arrived %u times\n", i, messages[i].arrived);
        }
      else if (messages[i].flagged)
        false_alarms++;
    }

  g_print ("\nsoak-crash results (%.0f s of kills and flushes)\n", bench_seconds_since (start));
  g_print ("  kills %u (flushers that finished before their kill: %u)\n", kills, runs_finished);
  g_print ("  messages %u, lost %u (must be 0)\n", n_messages, lost);
  g_print ("  duplicated messages %u, extra copies %u, flagged possible-duplicate %u (must be all)\n",
           duplicated, extra_copies, flagged);
  g_print ("  flagged but arrived once (false alarms) %u; sent without a Sent copy %u\n",
           false_alarms, no_copy);
  g_print ("  duplicates per kill: mean %.2f, worst %u; counted at the kills %u\n",
           kills ? (double) dup_total / kills : 0.0, worst, dup_total);
  g_print ("  kills of a flusher that had delivered something (past its start-up): %u, "
           "mean %.2f duplicates\n", sending_kills,
           sending_kills ? (double) sending_kill_dups / sending_kills : 0.0);
  g_print ("  kills with a large message (>= 1 MiB) among their duplicates: %u, mean %.2f, worst %u\n",
           large_kills, large_kills ? (double) large_kill_dups / large_kills : 0.0, worst_large);
  g_print ("  histogram (duplicates: kills):");
  for (guint i = 0; i <= MAX_HISTOGRAM; i++)
    if (histogram[i] > 0)
      g_print (" %u%s: %u", i, i == MAX_HISTOGRAM ? "+" : "", histogram[i]);
  g_print ("\n");

  postier_remove_tree (folder);
  return lost > 0 || flagged < duplicated ? 1 : 0;
}
