/* bench-composer-from.c — what a change of From costs the composer with a
 * large outbox (the warning about accounts refused at AUTH)
 *
 * The composer warns when the From account has mail waiting because the
 * relay refused its sign-in. This measures, in the real app and window on
 * the rig's Xvfb (as bench-frames does), with POSTIER_BENCH_N entries
 * (default 10 000) queued offline for one account and a few refused at
 * AUTH for another:
 *
 *   - the time from choosing the refused account as From to the warning
 *     shown (the composer finding that account's refused entries);
 *   - how long the change itself held the main thread, and the CPU the
 *     process used (the main thread and the rest apart) in the 1.5 s
 *     after it; a change to the Sandbox (no outbox to look at) is the
 *     baseline: the 1 ms lateness timer and the window's own work;
 *   - the main loop's worst lateness after each kind of change (a 1 ms
 *     timer);
 *
 * first with the composer listing the outbox itself at each change, as it
 * did before (what a composer without a view still does), then as the app
 * runs (the composer reads the outbox view's listing).
 *
 * Prints the raw figures and the load average; never fails on a slow
 * machine.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "postier-composer.h"
#include "postier-core.h"
#include "postier-outbox-view.h"
#include "postier-test.h"
#include "postier-ui-test.h"

#include "bench-common.h"
#include "bench-gui.h"

#define RIG_ACCOUNT "Rig"
#define REFUSED_ACCOUNT "Refused"
#define N_REFUSED 5
#define ENQUEUE_THREADS 4
#define CHANGES 6          /* of each kind */
#define SETTLE_MS 1500     /* after each change, for its work to end */

static const char *
load_average (void)
{
  static char text[64];
  g_autofree char *contents = NULL;

  if (!g_file_get_contents ("/proc/loadavg", &contents, NULL, NULL))
    return "unknown";
  g_strlcpy (text, contents, sizeof text);
  text[strcspn (text, " ")] = '\0';
  return text;
}

static gint64
process_cpu_us (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return (gint64) (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * G_USEC_PER_SEC +
         usage.ru_utime.tv_usec + usage.ru_stime.tv_usec;
}

static gint64
thread_cpu_us (void)
{
  struct timespec t;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &t);
  return (gint64) t.tv_sec * G_USEC_PER_SEC + t.tv_nsec / 1000;
}

typedef struct {
  PostierOutbox *outbox;
  guint          n;
  guint          first;
} Enqueuer;

static gpointer
enqueue_thread (gpointer data)
{
  Enqueuer *job = data;

  for (guint i = job->first; i < job->n; i += ENQUEUE_THREADS)
    {
      g_autofree char *subject = g_strdup_printf ("Waiting %05u of %u", i + 1, job->n);
      g_autofree char *message_id = g_strdup_printf ("<from-%d-%u@localhost>", (int) getpid (), i);
      g_autofree char *id = postier_test_enqueue (job->outbox, RIG_ACCOUNT, "bob@localhost",
                                                  subject, message_id);
      (void) id;
    }
  return NULL;
}

/* As the flusher leaves an entry the relay refused at AUTH (535). */
static void
queue_refused (PostierOutbox *outbox,
               guint          i)
{
  g_autofree char *subject = g_strdup_printf ("Refused %u", i);
  g_autofree char *message_id = g_strdup_printf ("<refused-%d-%u@localhost>", (int) getpid (), i);
  g_autofree char *id = postier_test_enqueue (outbox, REFUSED_ACCOUNT, "bob@localhost", subject,
                                              message_id);
  g_autofree char *ini = g_build_filename (postier_outbox_get_dir (outbox), id, "entry.ini", NULL);
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autoptr(GError) error = NULL;

  if (!g_key_file_load_from_file (file, ini, G_KEY_FILE_KEEP_COMMENTS, &error))
    g_error ("bench-composer-from: %s", error->message);
  g_key_file_set_string (file, "Entry", "State", "needs-attention");
  g_key_file_set_string (file, "Entry", "Failure", "auth");
  g_key_file_set_string (file, "Entry", "LastError", "535 5.7.8 Error: authentication failed");
  if (!g_key_file_save_to_file (file, ini, &error))
    g_error ("bench-composer-from: %s", error->message);
}

static guint
from_position (AdwComboRow *from,
               const char  *needle)
{
  GListModel *model = adw_combo_row_get_model (from);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(GtkStringObject) item = g_list_model_get_item (model, i);

      if (strstr (gtk_string_object_get_string (item), needle) != NULL)
        return i;
    }
  g_error ("bench-composer-from: no From choice with “%s”", needle);
}

static void
listed (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  GPtrArray *entries = postier_outbox_list_finish (POSTIER_OUTBOX (source), result, NULL, NULL);

  g_clear_pointer (&entries, g_ptr_array_unref);
  *(gint64 *) user_data = g_get_monotonic_time ();
}

static gboolean
is_set (gpointer data)
{
  return *(gint64 *) data != 0;
}

/* Changes From CHANGES times to each of TARGETS (the refused account, the
 * other relay account: the same work, no warning; the Sandbox: no outbox
 * to look at, the rest of the window's work on a change of From). */
static void
measure (AdwComboRow *from,
         GtkWidget   *revealer,
         const guint  targets[3],
         const char  *title)
{
  g_autoptr(GArray) to_warning = g_array_new (FALSE, FALSE, sizeof (double));
  gint64 start, cpu_sum[3] = { 0 }, main_sum[3] = { 0 }, held_sum[3] = { 0 };
  gint64 held_cpu_sum[3] = { 0 }, late[3] = { 0 };
  PostierUiTestLagProbe probe;

  printf ("  %s:\n", title);
  adw_combo_row_set_selected (from, targets[2]);
  postier_ui_test_spin (SETTLE_MS);
  postier_ui_test_lag_probe_start (&probe, 1);
  for (guint round = 0; round < CHANGES; round++)
    {
      for (guint k = 0; k < 3; k++)
        {
          gint64 cpu = process_cpu_us (), main_cpu = thread_cpu_us ();

          probe.worst = 0;
          start = g_get_monotonic_time ();
          adw_combo_row_set_selected (from, targets[k]);
          /* What the change itself held the main thread for (wall time
           * and the thread's CPU). */
          held_sum[k] += g_get_monotonic_time () - start;
          held_cpu_sum[k] += thread_cpu_us () - main_cpu;
          if (k == 0)
            {
              double ms;

              if (!postier_ui_test_wait_for (postier_ui_test_revealed, revealer, 60000))
                g_error ("bench-composer-from: no warning for the refused account");
              ms = (g_get_monotonic_time () - start) / 1000.0;
              g_array_append_val (to_warning, ms);
            }
          postier_ui_test_spin (SETTLE_MS - MIN ((g_get_monotonic_time () - start) / 1000, SETTLE_MS));
          cpu_sum[k] += process_cpu_us () - cpu;
          main_sum[k] += thread_cpu_us () - main_cpu;
          late[k] = MAX (late[k], probe.worst);
        }
    }
  postier_ui_test_lag_probe_stop (&probe);

  {
    double sum = 0, worst = 0;
    const char *kinds[] = { "the refused account", "the other relay account", "the Sandbox" };

    for (guint i = 0; i < to_warning->len; i++)
      {
        double ms = g_array_index (to_warning, double, i);

        sum += ms;
        worst = MAX (worst, ms);
      }
    printf ("    From → the refused account, warning shown after: mean %.1f ms, worst %.1f ms (%u changes)\n",
            sum / to_warning->len, worst, to_warning->len);
    for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
      printf ("    From → %s: the change held the main thread %.2f ms (its CPU %.2f ms); CPU in the %u ms "
              "after it %.1f ms, of which the main thread %.1f ms; main loop's worst lateness %.1f ms\n",
              kinds[k], held_sum[k] / 1000.0 / CHANGES, held_cpu_sum[k] / 1000.0 / CHANGES, SETTLE_MS,
              cpu_sum[k] / 1000.0 / CHANGES, main_sum[k] / 1000.0 / CHANGES, late[k] / 1000.0);
  }
  printf ("    (load %s)\n", load_average ());
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(PostierAccountStore) store = NULL;
  g_autoptr(GNetworkMonitor) monitor = NULL;
  PostierApplication *app;
  PostierWindow *window;
  PostierOutbox *outbox;
  PostierSubmitter *submitter;
  GtkWidget *composer, *revealer;
  AdwComboRow *from;
  GListModel *model;
  Enqueuer jobs[ENQUEUE_THREADS];
  GThread *threads[ENQUEUE_THREADS];
  guint n = bench_n (10000);
  guint targets[3];
  gint64 start, listing = 0;
  gboolean display;

  g_unsetenv ("G_MESSAGES_DEBUG");
  display = postier_ui_test_init (&argc, &argv);
  g_log_set_debug_enabled (FALSE);
  bench_rig ("MAILDIR");
  if (!display)
    {
      printf ("bench-composer-from: no display (run under tests/rig/with-rig)\n");
      return 77;
    }
  setvbuf (stdout, NULL, _IOLBF, 0);
  postier_ui_test_reset_files ();
  store = postier_test_add_rig_account (REFUSED_ACCOUNT, 0, NULL);
  g_clear_object (&store);
  store = postier_test_add_rig_account (RIG_ACCOUNT, 0, NULL);
  if (store == NULL)
    return 77;

  app = postier_ui_test_application ();
  window = postier_ui_test_window (app);
  outbox = postier_application_get_outbox (app);
  submitter = postier_application_get_submitter (app);
  /* Offline: nothing is sent, the outbox stays as queued. */
  monitor = postier_test_network_monitor_new (FALSE);
  postier_submitter_set_network_monitor (submitter, monitor);
  postier_submitter_set_loopback_works_offline (submitter, FALSE);
  postier_ui_test_spin (300);

  start = g_get_monotonic_time ();
  for (guint t = 0; t < ENQUEUE_THREADS; t++)
    {
      jobs[t] = (Enqueuer) { outbox, n, t };
      threads[t] = g_thread_new ("enqueue", enqueue_thread, &jobs[t]);
    }
  for (guint t = 0; t < ENQUEUE_THREADS; t++)
    g_thread_join (threads[t]);
  for (guint i = 0; i < N_REFUSED; i++)
    queue_refused (outbox, i);
  printf ("bench-composer-from: %u entries queued for %s and %u refused at AUTH for %s in %.1f s\n",
          n, RIG_ACCOUNT, N_REFUSED, REFUSED_ACCOUNT, bench_seconds_since (start));
  model = postier_outbox_view_get_model (POSTIER_OUTBOX_VIEW (postier_window_get_page (window, "outbox")));
  bench_wait_for_n_items (model, n + N_REFUSED, 180000, "the outbox view listing every entry");
  /* Everything listed is settled (the views keep entries a second old). */
  postier_ui_test_spin (2000);

  start = g_get_monotonic_time ();
  postier_outbox_list_async (outbox, NULL, listed, &listing);
  postier_ui_test_wait_for (is_set, &listing, 60000);
  printf ("  postier_outbox_list_async of the whole outbox alone: %.1f ms\n", (listing - start) / 1000.0);

  postier_window_show_page (window, "compose");
  composer = postier_window_get_page (window, "compose");
  from = ADW_COMBO_ROW (postier_ui_test_find_by_id (composer, "from_row"));
  revealer = postier_ui_test_find_by_id (composer, "attention_revealer");
  targets[0] = from_position (from, "— " REFUSED_ACCOUNT);
  targets[1] = from_position (from, "— " RIG_ACCOUNT);
  targets[2] = from_position (from, "Sandbox");

  /* The same composer without the view's listing lists the outbox itself
   * at each change, as it did before: the figures to compare with. */
  postier_composer_follow_outbox (POSTIER_COMPOSER (composer), NULL);
  measure (from, revealer, targets, "the composer lists the outbox itself (no view given)");
  postier_composer_follow_outbox (POSTIER_COMPOSER (composer), model);
  measure (from, revealer, targets, "the composer reads the outbox view's listing (the app)");

  postier_ui_test_finish (app);
  return postier_ui_test_run ();
}
