/* test-syscall-faults.c — every disk call of an enqueue, a flush and a
 * draft save fails in turn (libfiu)
 *
 * Each run starts `postierctl send --queue-only`, `postierctl sendmail
 * --queue-only` or `postierctl queue flush` (3 messages) with libfiu's POSIX
 * preload and tests/faults/fiu-disk-preload.c, which makes the Nth disk
 * call of the process fail (ENOSPC for writes and creations, EIO for the
 * rest), for N = 1, 2, … until a run makes fewer calls than N. Then:
 *
 * - the command said what happened: exit 0 and "Queued as ID" with a whole
 *   entry in the outbox, or a non-zero exit from the table (66, 73, 74 for
 *   an enqueue; 69, 74, 75 for a flush) with a line on stderr and, for an
 *   enqueue, nothing in the outbox;
 * - nothing half-written is left: no entry without entry.ini or
 *   message.eml, and once a flush without faults ran (the next start), no
 *   staging file, hidden entry, trash or temporary file;
 * - flushes without faults then deliver every queued message to the rig's
 *   Postfix: exactly once, or more with the Sent copy saying
 *   "possible-duplicate"; a message that was not queued never arrives.
 *
 * The draft path (the composer's autosave, written by core) is swept the
 * same way through tests/faults/fiu-draft-save: the file holds the old or the
 * new draft whole, the new one whenever the save said it succeeded.
 *
 * With --random RUNS [--probability P] [--seed S] the program is the
 * benchmark tests/bench/fiu-random-sweep: every disk call fails with
 * probability P (several faults per run, in the command's own clean-up too),
 * each run's faults are reproducible from its seed, and it prints figures
 * rather than failing on the first problem.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "postier-core.h"
#include "postier-outbox-private.h"
#include "postier-paths.h"
#include "postier-test.h"

typedef enum {
  SCENARIO_SEND,
  SCENARIO_SENDMAIL,
  SCENARIO_FLUSH,
  SCENARIO_DRAFT,
} Scenario;

static const char * const scenario_names[] = { "send --queue-only", "sendmail --queue-only",
                                               "queue flush (3 messages)", "draft save" };

/* How the faults are chosen for one run. */
typedef struct {
  guint   fail_at;       /* the Nth disk call fails; 0: none this way */
  double  probability;   /* each disk call fails with this probability */
  guint64 seed;
} Faults;

typedef struct {
  guint       runs;
  guint       runs_with_faults;
  guint       faults;
  guint       calls;          /* disk calls made by the runs without a fault */
  guint       queued;
  guint       not_queued;
  guint       messages;       /* that had to arrive */
  guint       delivered_once;
  guint       duplicates;
  guint       flagged;
  guint       false_alarms;   /* flagged, arrived once */
  guint       lost;
  guint       problems;
  GHashTable *exits;          /* "exit N" → count */
  GHashTable *points;         /* failure point → count */
  GHashTable *sites;          /* "point module+offset" → count */
  GHashTable *examples;       /* "exit N" → what the command said, first seen */
  GString    *problem_text;
} Tally;

static char *base_dir;
static char *tag;
static guint next_run;
/* token → copies in the rig Maildir; files already read */
static GHashTable *arrived;
static GHashTable *seen_files;
/* Arrivals still to check (Pending) and the runs' folders, kept for them. */
static GPtrArray *pending;
static GPtrArray *pending_dirs;
static gboolean keep_going;   /* the benchmark reports problems instead of failing */

static void
tally_init (Tally *t)
{
  memset (t, 0, sizeof *t);
  t->exits = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  t->points = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  t->sites = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  t->examples = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  t->problem_text = g_string_new (NULL);
}

static void
tally_clear (Tally *t)
{
  g_hash_table_unref (t->exits);
  g_hash_table_unref (t->points);
  g_hash_table_unref (t->sites);
  g_hash_table_unref (t->examples);
  g_string_free (t->problem_text, TRUE);
}

static void
count_in (GHashTable *table,
          const char *key)
{
  gpointer old = g_hash_table_lookup (table, key);

  g_hash_table_replace (table, g_strdup (key), GUINT_TO_POINTER (GPOINTER_TO_UINT (old) + 1));
}

static void
problem (Tally      *t,
         const char *format,
         ...) G_GNUC_PRINTF (2, 3);

static void
problem (Tally      *t,
         const char *format,
         ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  t->problems++;
  if (t->problems <= 40)
    g_string_append_printf (t->problem_text, "  %s\n", text);
  if (!keep_going)
    g_test_fail_printf ("%s", text);
}

/* --- the rig's Postfix -------------------------------------------------- */

static guint
count_files (const char *dir)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  while (handle != NULL && (name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        n += count_files (path);
      else
        n++;
    }
  return n;
}

/* Every message Postfix took is in the Maildir once its queue is empty. */
static void
wait_postfix_idle (void)
{
  const char *queues[] = { "maildrop", "incoming", "active", "deferred", "hold" };
  const char *postfix = g_getenv ("POSTIER_TEST_POSTFIX_DIR");

  for (guint wait = 0; wait < 12000; wait++)
    {
      guint n = 0;

      for (guint i = 0; i < G_N_ELEMENTS (queues); i++)
        {
          g_autofree char *dir = g_build_filename (postfix, "queue", queues[i], NULL);
          n += count_files (dir);
        }
      if (n == 0)
        return;
      g_usleep (10 * 1000);
    }
  g_test_fail_printf ("the rig's Postfix did not empty its queue in 120 s");
}

/* "Subject: fiu TOKEN" of every new file in the Maildir. */
static void
scan_maildir (void)
{
  const char *maildir = g_getenv ("POSTIER_TEST_MAILDIR");
  const char *subdirs[] = { "new", "cur" };

  for (guint s = 0; s < G_N_ELEMENTS (subdirs); s++)
    {
      g_autofree char *dir_path = g_build_filename (maildir, subdirs[s], NULL);
      g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *path = NULL;
          char head[8193];
          const char *subject;
          FILE *file;
          size_t n;

          if (g_hash_table_contains (seen_files, name))
            continue;
          g_hash_table_add (seen_files, g_strdup (name));
          path = g_build_filename (dir_path, name, NULL);
          file = fopen (path, "rb");
          if (file == NULL)
            continue;
          n = fread (head, 1, sizeof head - 1, file);
          fclose (file);
          head[n] = '\0';
          subject = strstr (head, "\nSubject: fiu ");
          if (subject != NULL)
            {
              g_autofree char *token = g_strndup (subject + 14, strcspn (subject + 14, "\r\n"));
              count_in (arrived, token);
            }
        }
    }
}

static guint
copies_arrived (const char *token)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (arrived, token));
}

/* Whether a Sent copy of the message says it may be a duplicate. */
static gboolean
sent_copy_flagged (const char *data_dir,
                   const char *token)
{
  g_autofree char *dir_path = g_build_filename (data_dir, "postier", "sent", "new", NULL);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  g_autofree char *needle = g_strdup_printf ("\nSubject: fiu %s\n", token);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir_path, name, NULL);
      g_autofree char *contents = NULL;
      char *end;

      if (!g_file_get_contents (path, &contents, NULL, NULL))
        continue;
      end = strstr (contents, "\n\n");
      if (end != NULL)
        end[1] = '\0';
      if (strstr (contents, needle) != NULL && strstr (contents, "possible-duplicate") != NULL)
        return TRUE;
    }
  return FALSE;
}

/* --- one command under faults ------------------------------------------ */

typedef struct {
  int      status;
  char    *out;
  char    *err;
  guint    faults;
  guint    calls;
} Run;

static void
run_clear (Run *run)
{
  g_free (run->out);
  g_free (run->err);
}

static void
read_fault_log (const char *log_path,
                Run        *run,
                Tally      *t)
{
  g_autofree char *log = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (log_path, &log, NULL, NULL))
    return;
  lines = g_strsplit (log, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) words = g_strsplit (lines[i], " ", -1);

      if (g_str_has_prefix (lines[i], "calls "))
        run->calls = (guint) g_ascii_strtoull (lines[i] + 6, NULL, 10);
      if (!g_str_has_prefix (lines[i], "fail ") || g_strv_length (words) < 3)
        continue;
      run->faults++;
      count_in (t->points, words[1]);
      /* The first frame in our own code says where. */
      for (guint w = 3; words[w] != NULL; w++)
        if (strstr (words[w], "/postierctl+") != NULL || strstr (words[w], "/fiu-draft-save+") != NULL)
          {
            g_autofree char *site = g_strdup_printf ("%s %s", words[1], words[w]);
            count_in (t->sites, site);
            break;
          }
    }
  g_unlink (log_path);
}

static void
run_faulty (const char * const *argv,
            const char         *data_dir,
            const Faults       *faults,
            const char         *stdin_text,
            Tally              *t,
            Run                *run)
{
  g_autofree char *preload = g_strdup_printf ("LD_PRELOAD=%s /usr/lib/fiu/fiu_run_preload.so "
                                              "/usr/lib/fiu/fiu_posix_preload.so",
                                              g_getenv ("POSTIER_FIU_PRELOAD"));
  g_autofree char *log_path = g_build_filename (base_dir, "fiu.log", NULL);
  g_autofree char *log_env = g_strdup_printf ("POSTIER_FIU_LOG=%s", log_path);
  g_autofree char *data_env = g_strdup_printf ("XDG_DATA_HOME=%s", data_dir);
  g_autofree char *at_env = g_strdup_printf ("POSTIER_FIU_FAIL_AT=%u", faults->fail_at);
  g_autofree char *p_env = g_strdup_printf ("POSTIER_FIU_PROBABILITY=%g", faults->probability);
  g_autofree char *seed_env = g_strdup_printf ("POSTIER_FIU_SEED=%" G_GUINT64_FORMAT, faults->seed);
  /* As fiu-run -x sets them; no control FIFO. */
  const char *env[] = { preload, "FIU_CTRL_FIFO=", log_env, data_env, at_env, p_env, seed_env,
                        "G_DEBUG=", NULL };

  g_unlink (log_path);
  run->status = postier_test_run_program (env, stdin_text, &run->out, &run->err, (const char **) argv);
  read_fault_log (log_path, run, t);
  t->runs++;
  if (run->faults > 0)
    t->runs_with_faults++;
  else
    t->calls = MAX (t->calls, run->calls);
  t->faults += run->faults;
  {
    g_autofree char *command = g_path_get_basename (argv[0]);
    g_autofree char *exit_key = g_strdup_printf ("%s %s: exit %d", command,
                                                 g_str_has_prefix (argv[1], "/") ? "" : argv[1],
                                                 run->status);
    count_in (t->exits, exit_key);
    if (run->faults > 0 && !g_hash_table_contains (t->examples, exit_key))
      g_hash_table_insert (t->examples, g_strdup (exit_key),
                           g_strdup_printf ("%s%s", run->err, run->out));
  }
}

static int
run_clean (const char * const *args,
           const char         *data_dir,
           char              **err)
{
  g_autofree char *data_env = g_strdup_printf ("XDG_DATA_HOME=%s", data_dir);
  const char *env[] = { data_env, NULL };

  return postier_test_run_ctlv (env, NULL, 0, NULL, err, args);
}

/* --- what is on disk ----------------------------------------------------- */

static char *
outbox_dir (const char *data_dir)
{
  return g_build_filename (data_dir, "postier", "outbox", NULL);
}

/* Entry folders; a folder without both files is reported. Temporary and
 * hidden files are counted when LEFTOVERS is not NULL. */
static guint
inspect_outbox (const char  *data_dir,
                Tally       *t,
                const char  *when,
                guint       *leftovers)
{
  g_autofree char *dir_path = outbox_dir (data_dir);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *name;
  guint entries = 0;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir_path, name, NULL);
      g_autoptr(GDir) entry_dir = NULL;
      const char *file;

      if (name[0] == '.')
        {
          if (!g_str_equal (name, ".lock") && leftovers != NULL)
            {
              (*leftovers)++;
              problem (t, "%s: %s left in the outbox", when, name);
            }
          continue;
        }
      entries++;
      entry_dir = g_dir_open (path, 0, NULL);
      {
        g_autofree char *ini = g_build_filename (path, POSTIER_OUTBOX_ENTRY_FILE, NULL);
        g_autofree char *eml = g_build_filename (path, POSTIER_OUTBOX_MESSAGE_FILE, NULL);

        if (!g_file_test (ini, G_FILE_TEST_IS_REGULAR) || !g_file_test (eml, G_FILE_TEST_IS_REGULAR))
          problem (t, "%s: the entry %s lacks %s", when, name,
                   g_file_test (ini, G_FILE_TEST_IS_REGULAR) ? "message.eml" : "entry.ini");
      }
      while (leftovers != NULL && entry_dir != NULL && (file = g_dir_read_name (entry_dir)) != NULL)
        if (strstr (file, ".tmp-") != NULL)
          {
            (*leftovers)++;
            problem (t, "%s: %s/%s left behind", when, name, file);
          }
    }
  return entries;
}

/* Flushes without faults until nothing is due: the next start. Deferred
 * entries are made due as the network returning would. */
static void
flush_clean (const char *data_dir,
             Tally      *t,
             const char *what)
{
  g_autofree char *dir = outbox_dir (data_dir);
  g_autoptr(PostierOutbox) outbox = postier_outbox_new (dir);
  const char *args[] = { "queue", "flush", NULL };

  for (guint pass = 0; pass < 4; pass++)
    {
      g_autoptr(GPtrArray) left = NULL;
      g_autofree char *err = NULL;

      run_clean (args, data_dir, &err);
      left = postier_outbox_list (outbox, NULL);
      if (left == NULL || left->len == 0)
        break;
      for (guint i = 0; i < left->len; i++)
        {
          PostierOutboxEntry *entry = g_ptr_array_index (left, i);
          PostierOutboxState state = postier_outbox_entry_get_state (entry);

          if (pass == 3 || (state != POSTIER_OUTBOX_STATE_DEFERRED && state != POSTIER_OUTBOX_STATE_QUEUED))
            problem (t, "%s: after a flush without faults, %s is %s: %s", what,
                     postier_outbox_entry_get_id (entry), postier_outbox_state_to_string (state),
                     postier_outbox_entry_get_last_error (entry));
          if (state != POSTIER_OUTBOX_STATE_DEFERRED)
            postier_outbox_retry (outbox, postier_outbox_entry_get_id (entry), NULL);
        }
      postier_outbox_make_deferred_due (outbox, NULL);
    }
}

static void
check_arrivals (const char *data_dir,
                const char *token,
                gboolean    queued,
                Tally      *t,
                const char *what)
{
  guint copies = copies_arrived (token);

  if (!queued)
    {
      if (copies > 0)
        problem (t, "%s: told it was not queued, yet it arrived %u times", what, copies);
      return;
    }
  t->messages++;
  if (copies == 0)
    {
      t->lost++;
      problem (t, "%s: LOST: %s never arrived", what, token);
    }
  else if (copies == 1)
    {
      t->delivered_once++;
      if (sent_copy_flagged (data_dir, token))
        t->false_alarms++;
    }
  else
    {
      t->duplicates++;
      if (sent_copy_flagged (data_dir, token))
        t->flagged++;
      else
        problem (t, "%s: %s arrived %u times, its Sent copy not flagged possible-duplicate",
                 what, token, copies);
    }
}

/* Arrivals are checked when the sweep is over, not after each run: Postfix
 * delivers while the next runs go, where each run used to wait for the
 * queue of the rig's Postfix (shared with the tests running beside) to
 * empty. The tokens are unique to each run, so the checks are the same. */
typedef struct {
  char     *data_dir;
  char     *token;
  gboolean  queued;
  char     *what;
} Pending;

static void
pending_free (gpointer data)
{
  Pending *p = data;

  g_free (p->data_dir);
  g_free (p->token);
  g_free (p->what);
  g_free (p);
}

static void
expect_arrival (const char *data_dir,
                const char *token,
                gboolean    queued,
                const char *what)
{
  Pending *p = g_new0 (Pending, 1);

  p->data_dir = g_strdup (data_dir);
  p->token = g_strdup (token);
  p->queued = queued;
  p->what = g_strdup (what);
  g_ptr_array_add (pending, p);
}

static void
check_pending_arrivals (Tally *t)
{
  gint64 start = g_get_monotonic_time ();

  wait_postfix_idle ();
  g_test_message ("Postfix's queue empty %.1f s after the last run",
                  (g_get_monotonic_time () - start) / 1e6);
  scan_maildir ();
  for (guint i = 0; i < pending->len; i++)
    {
      Pending *p = g_ptr_array_index (pending, i);

      check_arrivals (p->data_dir, p->token, p->queued, t, p->what);
    }
  g_ptr_array_set_size (pending, 0);
  for (guint i = 0; i < pending_dirs->len; i++)
    postier_remove_tree (g_ptr_array_index (pending_dirs, i));
  g_ptr_array_set_size (pending_dirs, 0);
}

static gboolean
status_in (int        status,
           const int *allowed)
{
  for (guint i = 0; allowed[i] >= 0; i++)
    if (status == allowed[i])
      return TRUE;
  return FALSE;
}

/* --- scenarios ----------------------------------------------------------- */

static char *
new_data_dir (void)
{
  return g_strdup_printf ("%s/run-%u", base_dir, next_run++);
}

static void
scenario_enqueue (Scenario      scenario,
                  const Faults *faults,
                  Tally        *t,
                  Run          *run)
{
  static const int allowed[] = { 0, 66, 73, 74, -1 };
  g_autofree char *data_dir = new_data_dir ();
  g_autofree char *token = g_strdup_printf ("%s-%u", tag, next_run);
  g_autofree char *what = g_strdup_printf ("%s, %s (fault at call %u, p %g seed %" G_GUINT64_FORMAT ")",
                                           scenario_names[scenario], token, faults->fail_at,
                                           faults->probability, faults->seed);
  g_autofree char *body_path = g_build_filename (base_dir, "body.txt", NULL);
  g_autofree char *subject = g_strdup_printf ("fiu %s", token);
  g_autofree char *stdin_text = NULL;
  const char *ctl = g_getenv ("POSTIERCTL");
  guint leftovers = 0, entries;
  gboolean queued;

  if (scenario == SCENARIO_SEND)
    {
      const char *argv[] = { ctl, "send", "--queue-only", "--to", "bob@example.org",
                             "--subject", subject, "--body-file", body_path, NULL };
      run_faulty (argv, data_dir, faults, NULL, t, run);
    }
  else
    {
      const char *argv[] = { ctl, "sendmail", "--queue-only", "bob@example.org", NULL };
      stdin_text = g_strdup_printf ("From: Alice <alice@localhost>\nTo: bob@example.org\n"
                                    "Subject: %s\n\nA message read by the sendmail face.\n", subject);
      run_faulty (argv, data_dir, faults, stdin_text, t, run);
    }

  queued = run->status == 0;
  if (!status_in (run->status, allowed))
    problem (t, "%s: exit %d is not in the table (stderr: %s)", what, run->status, run->err);
  if (!queued && strstr (run->err, "postierctl: ") == NULL)
    problem (t, "%s: exit %d without a word on stderr", what, run->status);
  /* The sendmail face says nothing on success. */
  if (queued && scenario == SCENARIO_SEND && strstr (run->out, "Queued as ") == NULL)
    problem (t, "%s: exit 0 without \"Queued as\"", what);

  /* Directly after the command: its own clean-up has run. */
  entries = inspect_outbox (data_dir, t, what, faults->probability > 0 ? NULL : &leftovers);
  if (queued && entries != 1)
    problem (t, "%s: queued, and %u entries in the outbox", what, entries);
  if (!queued && entries != 0)
    problem (t, "%s: told it was not queued (exit %d), yet %u entries in the outbox", what,
             run->status, entries);
  if (queued)
    t->queued++;
  else
    t->not_queued++;

  flush_clean (data_dir, t, what);
  if (faults->probability > 0)
    inspect_outbox (data_dir, t, what, NULL);
  expect_arrival (data_dir, token, queued, what);
  g_ptr_array_add (pending_dirs, g_strdup (data_dir));
}

static void
scenario_flush (const Faults *faults,
                Tally        *t,
                Run          *run)
{
  /* 73: accounts.ini could not be read (the account store's storage error). */
  static const int allowed[] = { 0, 69, 73, 74, 75, -1 };
  g_autofree char *data_dir = new_data_dir ();
  g_autofree char *dir = outbox_dir (data_dir);
  g_autoptr(PostierOutbox) outbox = postier_outbox_new (dir);
  g_autofree char *what = g_strdup_printf ("%s, run %u (fault at call %u, p %g seed %" G_GUINT64_FORMAT ")",
                                           scenario_names[SCENARIO_FLUSH], next_run - 1,
                                           faults->fail_at, faults->probability, faults->seed);
  const char *argv[] = { g_getenv ("POSTIERCTL"), "queue", "flush", NULL };
  char *tokens[3];
  guint leftovers = 0;

  for (guint k = 0; k < 3; k++)
    {
      g_autoptr(PostierEnvelope) envelope = postier_envelope_new ("alice@localhost");
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) bytes = NULL;
      g_autofree char *id = NULL;
      char *text;

      tokens[k] = g_strdup_printf ("%s-%u-%u", tag, next_run - 1, k);
      text = g_strdup_printf ("From: Alice <alice@localhost>\r\nTo: bob@example.org\r\n"
                              "Subject: fiu %s\r\nMessage-ID: <%s@fiu.postier.test>\r\n"
                              "Date: Sat, 05 Dec 2026 10:00:00 +0000\r\n\r\nMessage %u.\r\n",
                              tokens[k], tokens[k], k);
      postier_envelope_add_recipient (envelope, "bob@example.org");
      bytes = g_bytes_new_take (text, strlen (text));
      id = postier_outbox_enqueue_bytes (outbox, "Rig", envelope, bytes, NULL, &error);
      g_assert_no_error (error);
    }

  run_faulty (argv, data_dir, faults, NULL, t, run);
  if (!status_in (run->status, allowed))
    problem (t, "%s: exit %d is not in the table (stderr: %s)", what, run->status, run->err);
  /* A flush reports on stdout what it sent and what is left, and why. */
  if (run->status != 0 && strstr (run->err, "postierctl: ") == NULL && *g_strstrip (run->out) == '\0')
    problem (t, "%s: exit %d without a word", what, run->status);
  inspect_outbox (data_dir, t, what, NULL);

  flush_clean (data_dir, t, what);
  inspect_outbox (data_dir, t, what, faults->probability > 0 ? NULL : &leftovers);
  for (guint k = 0; k < 3; k++)
    {
      expect_arrival (data_dir, tokens[k], TRUE, what);
      g_free (tokens[k]);
    }
  t->queued += 3;
  g_ptr_array_add (pending_dirs, g_strdup (data_dir));
}

static void
scenario_draft (const Faults *faults,
                Tally        *t,
                Run          *run)
{
  g_autofree char *data_dir = new_data_dir ();
  g_autofree char *folder = g_build_filename (data_dir, "postier", "drafts", NULL);
  g_autofree char *path = g_build_filename (folder, "draft-1.ini", NULL);
  g_autofree char *what = g_strdup_printf ("%s (fault at call %u, p %g seed %" G_GUINT64_FORMAT ")",
                                           scenario_names[SCENARIO_DRAFT], faults->fail_at,
                                           faults->probability, faults->seed);
  const char *argv[] = { g_getenv ("POSTIER_FIU_DRAFT_SAVE"), path, "the second version", NULL };
  g_autoptr(PostierDraft) first = postier_draft_new ();
  g_autoptr(PostierDraft) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = NULL;
  const char *name;
  const char *body;

  postier_draft_set_body (first, "the first version");
  g_assert_true (postier_draft_save (first, path, NULL));

  run_faulty (argv, data_dir, faults, NULL, t, run);
  if (run->status != 0 && strstr (run->err, "fiu-draft-save: ") == NULL)
    problem (t, "%s: exit %d without a word on stderr", what, run->status);

  loaded = postier_draft_load (path, &error);
  if (loaded == NULL)
    problem (t, "%s: the draft no longer loads: %s", what, error->message);
  else
    {
      body = postier_draft_get_body (loaded);
      if (run->status == 0 && g_strcmp0 (body, "the second version") != 0)
        problem (t, "%s: said saved, but the file holds “%s”", what, body);
      else if (g_strcmp0 (body, "the second version") != 0 && g_strcmp0 (body, "the first version") != 0)
        problem (t, "%s: the draft holds “%s”", what, body);
      if (run->status == 0)
        t->queued++;
      else
        t->not_queued++;
    }
  dir = g_dir_open (folder, 0, NULL);
  while (faults->probability == 0 && dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (!g_str_equal (name, "draft-1.ini"))
      problem (t, "%s: %s left beside the draft", what, name);
  postier_remove_tree (data_dir);
}

static void
run_scenario (Scenario      scenario,
              const Faults *faults,
              Tally        *t,
              Run          *run)
{
  switch (scenario)
    {
    case SCENARIO_SEND:
    case SCENARIO_SENDMAIL:
      scenario_enqueue (scenario, faults, t, run);
      break;
    case SCENARIO_FLUSH:
      scenario_flush (faults, t, run);
      break;
    case SCENARIO_DRAFT:
      scenario_draft (faults, t, run);
      break;
    default:
      g_assert_not_reached ();
    }
}

/* --- figures ------------------------------------------------------------- */

static int
compare_keys (gconstpointer a,
              gconstpointer b)
{
  return g_strcmp0 (*(const char **) a, *(const char **) b);
}

static void
print_table (const char *title,
             GHashTable *table,
             gboolean    resolve)
{
  g_autofree gpointer *keys = NULL;
  guint n;

  keys = g_hash_table_get_keys_as_array (table, &n);
  qsort (keys, n, sizeof (gpointer), compare_keys);
  g_print ("# %s:\n", title);
  for (guint i = 0; i < n; i++)
    {
      const char *key = keys[i];
      g_autofree char *where = NULL;

      if (resolve)
        {
          /* "point /path/postierctl+0x1234" → the function and line. */
          g_auto(GStrv) words = g_strsplit (key, " ", 2);
          g_auto(GStrv) parts = words[1] != NULL ? g_strsplit (words[1], "+", 2) : NULL;

          if (parts != NULL && parts[1] != NULL)
            {
              const char *argv[] = { "addr2line", "-f", "-s", "-e", parts[0], parts[1], NULL };
              g_autofree char *out = NULL;

              if (postier_test_run_program (NULL, NULL, &out, NULL, argv) == 0)
                {
                  g_strdelimit (out, "\n", ' ');
                  where = g_strdup_printf ("%s in %s", words[0], g_strstrip (out));
                }
            }
        }
      g_print ("#   %-70s %u\n", where != NULL ? where : key,
               GPOINTER_TO_UINT (g_hash_table_lookup (table, key)));
    }
}

static void
print_tally (const char *title,
             Tally      *t)
{
  g_print ("# === %s ===\n", title);
  g_print ("# runs %u, with a fault %u, faults injected %u, disk calls in a run without fault %u\n",
           t->runs, t->runs_with_faults, t->faults, t->calls);
  g_print ("# queued (or saved) %u, refused with an error %u\n", t->queued, t->not_queued);
  g_print ("# messages that had to arrive %u: once %u, more than once %u (flagged %u), lost %u; "
           "flagged but arrived once %u\n", t->messages, t->delivered_once, t->duplicates,
           t->flagged, t->lost, t->false_alarms);
  print_table ("exit statuses", t->exits, FALSE);
  {
    GHashTableIter iter;
    gpointer key, value;

    g_hash_table_iter_init (&iter, t->examples);
    while (g_hash_table_iter_next (&iter, &key, &value))
      {
        g_autofree char *said = g_strdup (value);
        g_strdelimit (said, "\n", ' ');
        g_print ("#   e.g. %s: %s\n", (const char *) key, said);
      }
  }
  print_table ("failure points", t->points, FALSE);
  if (g_test_verbose () || keep_going)
    print_table ("call sites", t->sites, TRUE);
  g_print ("# problems %u\n%s", t->problems, t->problem_text->str);
}

/* --- the sweeps ---------------------------------------------------------- */

static gboolean
rig_ready (void)
{
  const char *port = postier_test_rig ("PLAIN_PORT");
  const char *args[] = { "account", "add", "Rig", "--from", "Alice <alice@localhost>",
                         "--host", "127.0.0.1", "--port", port, "--security", "none",
                         "--auth", "none", "--default", NULL };
  g_autofree char *err = NULL;
  g_autofree char *body_path = NULL;

  if (port == NULL || postier_test_rig ("MAILDIR") == NULL || postier_test_rig ("POSTFIX_DIR") == NULL)
    return FALSE;
  if (g_getenv ("POSTIER_FIU_PRELOAD") == NULL || !g_file_test ("/usr/lib/fiu/fiu_posix_preload.so", G_FILE_TEST_EXISTS))
    {
      g_test_skip ("libfiu's POSIX preload is not installed (fiu-utils, libfiu-dev)");
      return FALSE;
    }
  /* Each test has its own isolated folders: the account and the runs'
   * data live there. */
  g_free (base_dir);
  base_dir = g_build_filename (g_get_user_data_dir (), "fiu-sweep", NULL);
  g_assert_cmpint (g_mkdir_with_parents (base_dir, 0700), ==, 0);
  body_path = g_build_filename (base_dir, "body.txt", NULL);
  g_assert_true (g_file_set_contents (body_path, "Hello from the fault sweep.\n", -1, NULL));
  /* The plain port of the rig: no TLS and no keyring, whose calls would
   * only lengthen the sweep. */
  g_assert_cmpint (postier_test_run_ctlv (NULL, NULL, 0, NULL, &err, args), ==, 0);
  if (tag == NULL)
    {
      tag = g_strdup_printf ("%d.%" G_GINT64_FORMAT, getpid (), g_get_real_time ());
      arrived = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      seen_files = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      pending = g_ptr_array_new_with_free_func (pending_free);
      pending_dirs = g_ptr_array_new_with_free_func (g_free);
    }
  scan_maildir ();
  return TRUE;
}

static void
sweep_every_call (gconstpointer data)
{
  Scenario scenario = GPOINTER_TO_UINT (data);
  Tally t;

  if (!rig_ready ())
    return;
  tally_init (&t);
  for (guint n = 1; ; n++)
    {
      Faults faults = { .fail_at = n };
      Run run = { 0 };

      run_scenario (scenario, &faults, &t, &run);
      run_clear (&run);
      /* A run that made fewer calls than N ran without a fault: done. */
      if (run.faults == 0 || n > 2000)
        break;
    }
  check_pending_arrivals (&t);
  print_tally (scenario_names[scenario], &t);
  g_assert_cmpuint (t.runs_with_faults, >=, 5);
  g_assert_cmpuint (t.lost, ==, 0);
  g_assert_cmpuint (t.flagged, ==, t.duplicates);
  tally_clear (&t);
}

/* The benchmark: RUNS runs of the four scenarios in turn, every disk call
 * failing with probability P. */
static guint random_runs;
static double random_probability = 0.02;
static guint64 random_seed;

static void
random_sweep (void)
{
  guint runs = random_runs;
  double probability = random_probability;
  guint64 seed = random_seed;
  Tally t;
  gint64 start = g_get_monotonic_time ();

  keep_going = TRUE;
  if (!rig_ready ())
    return;
  tally_init (&t);
  for (guint r = 0; r < runs; r++)
    {
      Faults faults = { .probability = probability, .seed = seed + r };
      Run run = { 0 };

      run_scenario ((Scenario) (r % 4), &faults, &t, &run);
      run_clear (&run);
      if ((r + 1) % 100 == 0)
        {
          /* Problems reported as they come, a hundred runs at a time. */
          check_pending_arrivals (&t);
          g_print ("# %u runs, %u faults, %u problems, %.0f s\n", r + 1, t.faults, t.problems,
                   (g_get_monotonic_time () - start) / 1e6);
        }
    }
  check_pending_arrivals (&t);
  g_print ("# random sweep: %u runs, probability %g per disk call, seeds %" G_GUINT64_FORMAT
           "…%" G_GUINT64_FORMAT ", %.0f s\n", runs, probability, seed, seed + runs - 1,
           (g_get_monotonic_time () - start) / 1e6);
  print_tally ("random sweep", &t);
  tally_clear (&t);
}

int
main (int   argc,
      char *argv[])
{
  for (int i = 1; i + 1 < argc; i++)
    {
      if (g_str_equal (argv[i], "--random"))
        random_runs = (guint) g_ascii_strtoull (argv[i + 1], NULL, 10);
      else if (g_str_equal (argv[i], "--probability"))
        random_probability = g_ascii_strtod (argv[i + 1], NULL);
      else if (g_str_equal (argv[i], "--seed"))
        random_seed = g_ascii_strtoull (argv[i + 1], NULL, 10);
      else
        continue;
      /* GTest must not see them. */
      argv[i] = argv[i + 1] = (char *) "";
      i++;
    }

  postier_test_init (&argc, &argv);
  if (random_runs > 0)
    {
      if (random_seed == 0)
        random_seed = (guint64) g_get_real_time ();
      /* A test case, for its isolated folders. */
      g_test_add_func ("/faults/syscalls/random", random_sweep);
      return g_test_run ();
    }

  g_test_add_data_func ("/faults/syscalls/send-queue-only", GUINT_TO_POINTER (SCENARIO_SEND), sweep_every_call);
  g_test_add_data_func ("/faults/syscalls/sendmail-queue-only", GUINT_TO_POINTER (SCENARIO_SENDMAIL), sweep_every_call);
  g_test_add_data_func ("/faults/syscalls/flush-3-messages", GUINT_TO_POINTER (SCENARIO_FLUSH), sweep_every_call);
  g_test_add_data_func ("/faults/syscalls/draft-save", GUINT_TO_POINTER (SCENARIO_DRAFT), sweep_every_call);
  return g_test_run ();
}
