/* bench-frames.c — the window never stalls (issue 12)
 *
 * An in-process harness, as the UI tests are: the real application and its
 * window (the GUI code that ships, linked in) on the rig's Xvfb, with the
 * rig's keyring and Postfix. It records, while the app works:
 *
 *   - the longest gap between two frames: a tick callback keeps the
 *     window's GdkFrameClock running (a frame every refresh interval, as
 *     an animation does) and stamps each frame with the monotonic clock; a
 *     "stall" is the longest gap minus one refresh interval, so 0 means no
 *     frame was ever late;
 *   - the main loop's worst latency: a 1 ms timeout measures how late it
 *     runs (anything that holds the main thread, a frame's own work
 *     included, shows here);
 *   - the most CPU time the main thread used between two frames: on a
 *     shared, loaded machine the gaps also count the time other processes
 *     had the CPU; this is what the gap would be on an idle one.
 *
 * The three scenes of the issue:
 *   a) a 100 MB attachment is added in the composer and sent (to Postfix's
 *      smtp-sink on loopback: the rig's Postfix and the Sandbox both refuse
 *      messages over 50 MiB);
 *   b) 1 000 queued messages flush to the rig's Postfix (STARTTLS + AUTH)
 *      while the Outbox page is shown;
 *   c) the outbox view lists 10 000 entries: the time from creating the
 *      view to the first frame that shows rows, then a scroll through the
 *      whole list (a steady scroll, as the wheel's kinetic scrolling does,
 *      and a drag of the scrollbar from top to bottom).
 *
 * Prints `RATIO <name> <value> target <op> <target> <met|not met>` lines
 * for `make bench` and the raw figures. Never fails on a slow machine.
 * POSTIER_BENCH_N sets the number of entries of (c) (default 10000).
 *
 * POSTIER_BENCH_STALL_TRACE=FILE finds where stalls come from: a watchdog
 * thread signals the main thread every 5 ms while the main loop has not
 * run for 20 ms, and the main thread writes its backtrace to FILE
 * (addresses of this program as "(+0x…)": `addr2line -f -C -e
 * bench-frames 0x…`).
 *
 * The rig's Xvfb has no window manager; the bench names one on the root
 * window, as every desktop has (see pretend_window_manager());
 * POSTIER_BENCH_NO_WM=1 measures without it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <execinfo.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <X11/Xatom.h>
#include <gdk/x11/gdkx.h>

#include "postier-core.h"
#include "postier-outbox-head.h"
#include "postier-outbox-view.h"
#include "postier-paths.h"
#include "postier-test.h"
#include "postier-ui-test.h"

#include "bench-common.h"
#include "bench-gui.h"

#define SINK_ACCOUNT "Sink"
#define RIG_ACCOUNT "Rig"
#define ATTACHMENT_SIZE (100 * 1000 * 1000)

/* --- Where stalls come from (POSTIER_BENCH_STALL_TRACE) ------------------------ */

static int       trace_fd = -1;
static pthread_t main_thread;
static _Atomic gint64 heartbeat;  /* monotonic µs the meter's timeout last ran; 0: off */

static void
on_trace_signal (G_GNUC_UNUSED int signo)
{
  void *frames[48];
  int n = backtrace (frames, G_N_ELEMENTS (frames));
  static const char end[] = "--\n";

  backtrace_symbols_fd (frames, n, trace_fd);
  if (write (trace_fd, end, sizeof end - 1) < 0)
    return;
}

static gpointer
watchdog_thread (G_GNUC_UNUSED gpointer data)
{
  for (;;)
    {
      gint64 beat = atomic_load (&heartbeat);

      g_usleep (5000);
      if (beat != 0 && g_get_monotonic_time () - beat > 20000)
        pthread_kill (main_thread, SIGUSR2);
    }
  return NULL;
}

static void
beat (gint64 now)
{
  atomic_store (&heartbeat, now);
}

static void
stall_trace_start (void)
{
  const char *path = g_getenv ("POSTIER_BENCH_STALL_TRACE");
  void *frames[4];

  if (path == NULL)
    return;
  trace_fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (trace_fd < 0)
    g_error ("bench-frames: cannot write %s", path);
  backtrace (frames, G_N_ELEMENTS (frames));   /* loads libgcc before any signal */
  main_thread = pthread_self ();
  signal (SIGUSR2, on_trace_signal);
  g_thread_unref (g_thread_new ("stall-watchdog", watchdog_thread, NULL));
}

/* --- A desktop's window manager, as far as GDK asks ---------------------------- */

/* The rig's Xvfb runs no window manager. GTK 4.8's X11 backend then looks
 * for one (_NET_SUPPORTING_WM_CHECK on the root window) at every layout of
 * the window, a round trip to the X server each time, and notes the time
 * of its last look only when it finds one; on a loaded machine those round
 * trips were a third of the main thread's stalled time. Every desktop has
 * a window manager: this names one (supporting nothing else), so the bench
 * measures the app, not the missing manager. */
static void
pretend_window_manager (GtkWidget *widget)
{
  GdkDisplay *display = gtk_widget_get_display (widget);
  Display *x;
  Window root, check;
  Atom wm_check, supported;

  if (!GDK_IS_X11_DISPLAY (display))
    return;
  x = gdk_x11_display_get_xdisplay (display);
  root = DefaultRootWindow (x);
  check = XCreateSimpleWindow (x, root, -10, -10, 1, 1, 0, 0, 0);
  wm_check = XInternAtom (x, "_NET_SUPPORTING_WM_CHECK", False);
  supported = XInternAtom (x, "_NET_SUPPORTED", False);
  XChangeProperty (x, check, wm_check, XA_WINDOW, 32, PropModeReplace, (unsigned char *) &check, 1);
  XChangeProperty (x, root, supported, XA_ATOM, 32, PropModeReplace, (unsigned char *) &wm_check, 1);
  XChangeProperty (x, root, wm_check, XA_WINDOW, 32, PropModeReplace, (unsigned char *) &check, 1);
  XSync (x, False);
}

/* --- The meter ---------------------------------------------------------------- */

typedef struct {
  GtkWidget *widget;
  guint      tick_id;
  guint      timeout_id;
  gint64     started;
  gint64     last_frame;
  gint64     last_timeout;
  gint64     max_gap;        /* µs between two frames */
  gint64     max_late;       /* µs the 1 ms timeout ran late */
  gint64     refresh;        /* µs, the frame clock's refresh interval */
  gint64     last_cpu;       /* µs of CPU the main thread had used at the last frame */
  gint64     max_cpu;        /* µs of main-thread CPU between two frames */
  guint      cpu_over_budget; /* frames whose main-thread CPU passed 16 ms */
  GArray    *cpu;            /* gint64 µs of main-thread CPU, frame by frame */
  guint      frames;
  guint      gaps_over_budget;
  gulong     layout_id;
  guint      layouts;        /* frames that lay the window out (GTK 4.8 then asks X) */
} Meter;

static void
meter_layout (G_GNUC_UNUSED GdkFrameClock *clock, gpointer meter)
{
  ((Meter *) meter)->layouts++;
}

static gint64
thread_cpu_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

static gboolean
meter_tick (GtkWidget     *widget,
            GdkFrameClock *clock,
            gpointer       user_data)
{
  Meter *meter = user_data;
  gint64 now = g_get_monotonic_time ();
  gint64 cpu = thread_cpu_us ();
  gint64 refresh = 0;

  (void) widget;
  gdk_frame_clock_get_refresh_info (clock, 0, &refresh, NULL);
  if (refresh > 0)
    meter->refresh = refresh;
  if (meter->last_frame != 0)
    {
      gint64 gap = now - meter->last_frame;

      meter->max_gap = MAX (meter->max_gap, gap);
      if (gap - meter->refresh > 16000)
        meter->gaps_over_budget++;
      gint64 used = cpu - meter->last_cpu;

      meter->max_cpu = MAX (meter->max_cpu, used);
      if (used > 16000)
        meter->cpu_over_budget++;
      g_array_append_val (meter->cpu, used);
    }
  meter->last_frame = now;
  meter->last_cpu = cpu;
  meter->frames++;
  return G_SOURCE_CONTINUE;
}

static gboolean
meter_timeout (gpointer user_data)
{
  Meter *meter = user_data;
  gint64 now = g_get_monotonic_time ();

  if (meter->last_timeout != 0)
    meter->max_late = MAX (meter->max_late, now - meter->last_timeout - 1000);
  meter->last_timeout = now;
  if (trace_fd >= 0)
    beat (now);
  return G_SOURCE_CONTINUE;
}

static void
meter_start (Meter     *meter,
             GtkWidget *widget)
{
  memset (meter, 0, sizeof *meter);
  meter->widget = g_object_ref (widget);
  meter->cpu = g_array_new (FALSE, FALSE, sizeof (gint64));
  meter->refresh = 16667;
  meter->started = g_get_monotonic_time ();
  meter->tick_id = gtk_widget_add_tick_callback (widget, meter_tick, meter, NULL);
  meter->timeout_id = g_timeout_add (1, meter_timeout, meter);
  meter->layout_id = g_signal_connect (gtk_widget_get_frame_clock (widget), "layout",
                                       G_CALLBACK (meter_layout), meter);
}

static void
meter_stop (Meter *meter)
{
  if (trace_fd >= 0)
    beat (0);
  gtk_widget_remove_tick_callback (meter->widget, meter->tick_id);
  g_clear_handle_id (&meter->timeout_id, g_source_remove);
  g_clear_signal_handler (&meter->layout_id, gtk_widget_get_frame_clock (meter->widget));
  g_clear_object (&meter->widget);
}

static double
meter_stall_ms (Meter *meter)
{
  return MAX (0, meter->max_gap - meter->refresh) / 1000.0;
}

static int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

/* The machine is shared: each figure says how busy it was. */
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

static void
print_ratio (const char *name,
             double      value,
             const char *op,
             double      target)
{
  gboolean met = g_str_equal (op, "<=") ? value <= target : value < target;

  printf ("RATIO %s %.1f target %s %.0f %s\n", name, value, op, target, met ? "met" : "not met");
}

static void
meter_report (Meter      *meter,
              const char *scene,
              const char *ratio_prefix)
{
  double seconds = (g_get_monotonic_time () - meter->started) / 1e6;
  g_autofree char *stall = g_strconcat (ratio_prefix, "-frame-stall-ms", NULL);
  g_autofree char *late = g_strconcat (ratio_prefix, "-main-loop-latency-ms", NULL);
  gint64 cpu_total = 0;

  printf ("  %s: %.2f s, %u frames (%.0f per second, refresh %.1f ms)\n", scene, seconds,
          meter->frames, meter->frames / seconds, meter->refresh / 1000.0);
  printf ("    longest gap between frames %.1f ms (a stall of %.1f ms past one refresh), "
          "%u gaps over 16 ms past it\n",
          meter->max_gap / 1000.0, meter_stall_ms (meter), meter->gaps_over_budget);
  printf ("    worst main-loop latency (1 ms timeout) %.1f ms\n", meter->max_late / 1000.0);
  printf ("    frames with a layout of the window: %u of %u\n", meter->layouts, meter->frames);
  g_array_sort (meter->cpu, compare_gint64);
  for (guint i = 0; i < meter->cpu->len; i++)
    cpu_total += g_array_index (meter->cpu, gint64, i);
  printf ("    main-thread CPU between two frames: mean %.1f ms, most %.1f ms, 95th percentile "
          "%.1f ms, %u of %u frames over 16 ms (load %s)\n",
          meter->cpu->len > 0 ? cpu_total / 1000.0 / meter->cpu->len : 0.0,
          meter->max_cpu / 1000.0,
          meter->cpu->len > 0
            ? g_array_index (meter->cpu, gint64, meter->cpu->len * 95 / 100) / 1000.0 : 0.0,
          meter->cpu_over_budget, meter->cpu->len, load_average ());
  g_clear_pointer (&meter->cpu, g_array_unref);
  print_ratio (stall, meter_stall_ms (meter), "<=", 16);
  print_ratio (late, meter->max_late / 1000.0, "<=", 16);
  fflush (stdout);
}

/* --- Set-up ------------------------------------------------------------------- */

static void
wait_until (gboolean (*check) (gpointer data),
            gpointer   data,
            guint      timeout_ms,
            const char *what)
{
  if (!postier_ui_test_wait_for (check, data, timeout_ms))
    g_error ("bench-frames: %s did not happen within %u s", what, timeout_ms / 1000);
}

/* Postfix's smtp-sink on loopback: takes any size, keeps nothing. */
static GSubprocess *
start_sink (guint *port)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *address = NULL;
  GSubprocess *sink;

  *port = postier_test_free_port ();
  address = g_strdup_printf ("127.0.0.1:%u", *port);
  sink = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                           &error, "/usr/sbin/smtp-sink", "-u", "nobody", address, "100", NULL);
  if (sink == NULL)
    g_error ("bench-frames: cannot start smtp-sink: %s", error->message);
  for (guint tries = 0; tries < 100; tries++)
    {
      g_autoptr(GSocketClient) client = g_socket_client_new ();
      g_autoptr(GSocketConnection) connection =
        g_socket_client_connect_to_host (client, address, 0, NULL, NULL);
      if (connection != NULL)
        return sink;
      g_usleep (50 * 1000);
    }
  g_error ("bench-frames: smtp-sink does not listen on %s", address);
}

static void
add_accounts (guint sink_port)
{
  g_autoptr(PostierAccountStore) store = postier_test_add_rig_account (RIG_ACCOUNT, 0, NULL);
  g_autoptr(PostierAccount) sink = postier_account_new (SINK_ACCOUNT);
  g_autoptr(GError) error = NULL;

  if (store == NULL)
    exit (77);
  postier_account_set_identity (sink, "Ann <ann@example.org>");
  postier_account_set_host (sink, "127.0.0.1");
  postier_account_set_port (sink, sink_port);
  postier_account_set_security (sink, POSTIER_SECURITY_NONE);
  postier_account_set_auth (sink, POSTIER_AUTH_NONE);
  if (!postier_account_store_add (store, sink, TRUE, &error))
    g_error ("bench-frames: %s", error->message);
}

/* Random bytes: base64 of zeros would compress in no cache and prove
 * nothing about real files. */
static char *
make_attachment (void)
{
  g_autofree char *path = g_build_filename (g_get_user_cache_dir (), "holiday-film.bin", NULL);
  g_autoptr(GRand) rand = g_rand_new_with_seed (12);
  FILE *file = fopen (path, "wb");
  guint32 block[16384];

  g_assert_nonnull (file);
  for (gsize written = 0; written < ATTACHMENT_SIZE; written += sizeof block)
    {
      for (guint i = 0; i < G_N_ELEMENTS (block); i++)
        block[i] = g_rand_int (rand);
      fwrite (block, 1, MIN (sizeof block, ATTACHMENT_SIZE - written), file);
    }
  fclose (file);
  return g_steal_pointer (&path);
}

static guint
outbox_count (PostierOutbox *outbox)
{
  g_autoptr(GPtrArray) entries = postier_outbox_list (outbox, NULL);

  return entries != NULL ? entries->len : G_MAXUINT;
}

typedef struct {
  PostierApplication *app;
  PostierWindow      *window;
  PostierOutbox      *outbox;
  PostierSubmitter   *submitter;
  GNetworkMonitor    *monitor;
  guint               sent;      /* by the submitter, from ::flush-finished */
  guint               expected;  /* what the scene waits to see sent */
} Bench;

static void
on_flush_finished (G_GNUC_UNUSED PostierSubmitter *submitter,
                   guint                          sent,
                   G_GNUC_UNUSED guint            unsent,
                   Bench                         *bench)
{
  bench->sent += sent;
}

/* Everything the scene queued has gone out, and the outbox is empty: the
 * composer queues off the main thread, so an empty outbox alone proves
 * nothing. */
static gboolean
all_sent (gpointer data)
{
  Bench *bench = data;

  return bench->sent >= bench->expected && !postier_submitter_is_busy (bench->submitter) &&
         outbox_count (bench->outbox) == 0;
}

/* --- a) A 100 MB attachment ---------------------------------------------------- */

static void
set_field (PostierComposer *composer,
           const char      *id,
           const char      *text)
{
  gtk_editable_set_text (GTK_EDITABLE (postier_ui_test_find_by_id (GTK_WIDGET (composer), id)),
                         text);
}

static void
scene_attachment (Bench      *bench,
                  const char *attachment)
{
  PostierComposer *composer = postier_window_get_composer (bench->window);
  g_autoptr(GFile) file = g_file_new_for_path (attachment);
  GtkWidget *body = postier_ui_test_find_by_id (GTK_WIDGET (composer), "body_view");
  Meter meter;
  gint64 start;

  postier_window_show_page (bench->window, "compose");
  postier_ui_test_spin (300);
  set_field (composer, "to_entry", "Bob <bob@example.org>");
  set_field (composer, "subject_entry", "The holiday film");
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (body)),
                            "Hello Bob,\nthe film of the holidays.\n— Ann", -1);
  postier_ui_test_spin (300);

  bench->sent = 0;
  bench->expected = 1;
  meter_start (&meter, GTK_WIDGET (bench->window));
  start = g_get_monotonic_time ();
  postier_composer_attach_file (composer, file);
  /* The person looks at the attachment row a moment, then presses Send. */
  postier_ui_test_spin (1000);
  if (!gtk_widget_activate_action (GTK_WIDGET (composer), "composer.send", NULL))
    g_error ("bench-frames: composer.send is not there");
  if (postier_composer_get_error (composer) != NULL)
    g_error ("bench-frames: the composer says: %s", postier_composer_get_error (composer));
  wait_until (all_sent, bench, 600000, "sending the 100 MB message");
  meter_stop (&meter);
  printf ("  (attached, sent and settled in %.2f s)\n", bench_seconds_since (start));
  meter_report (&meter, "a) 100 MB attachment added and sent", "window-send-100MB");
}

/* --- b) 1 000 queued messages flush -------------------------------------------- */

#define ENQUEUE_THREADS 8

typedef struct {
  PostierOutbox *outbox;
  const char    *what;
  guint          n;
  guint          first;    /* this thread queues FIRST, FIRST + ENQUEUE_THREADS… */
} Enqueuer;

/* Each enqueue waits for its fsyncs: several at once keep the disk busy. */
static gpointer
enqueue_thread (gpointer data)
{
  Enqueuer *job = data;

  for (guint i = job->first; i < job->n; i += ENQUEUE_THREADS)
    {
      g_autofree char *subject = g_strdup_printf ("%s %05u of %u", job->what, i + 1, job->n);
      g_autofree char *message_id = g_strdup_printf ("<frames-%d-%s-%u@localhost>",
                                                     (int) getpid (), job->what, i);
      g_autofree char *id = postier_test_enqueue (job->outbox, RIG_ACCOUNT, "bob@localhost",
                                                  subject, message_id);
      (void) id;
    }
  return NULL;
}

static void
enqueue_many (Bench      *bench,
              guint       n,
              const char *what)
{
  gint64 start = g_get_monotonic_time ();
  Enqueuer jobs[ENQUEUE_THREADS];
  GThread *threads[ENQUEUE_THREADS];

  for (guint t = 0; t < ENQUEUE_THREADS; t++)
    {
      jobs[t] = (Enqueuer) { bench->outbox, what, n, t };
      threads[t] = g_thread_new ("enqueue", enqueue_thread, &jobs[t]);
    }
  for (guint t = 0; t < ENQUEUE_THREADS; t++)
    g_thread_join (threads[t]);
  printf ("  (queued %u messages in %.1f s, before measuring)\n", n, bench_seconds_since (start));
}

static void
scene_flush (Bench *bench,
             guint  n)
{
  PostierOutboxView *view = POSTIER_OUTBOX_VIEW (postier_window_get_page (bench->window, "outbox"));
  GListModel *model = postier_outbox_view_get_model (view);
  Meter meter;
  gint64 start;

  postier_test_network_monitor_set_available (bench->monitor, FALSE);
  postier_ui_test_spin (300);
  enqueue_many (bench, n, "flush");
  postier_window_show_page (bench->window, "outbox");
  bench_wait_for_n_items (model, n, 60000, "the outbox view showing the queued messages");
  postier_ui_test_spin (500);
  /* What the window does with nothing happening, beside the flush's. */
  meter_start (&meter, GTK_WIDGET (bench->window));
  postier_ui_test_spin (1000);
  meter_stop (&meter);
  printf ("  (before the flush, one quiet second: %u frames, %u with a layout of the window)\n",
          meter.frames, meter.layouts);
  g_clear_pointer (&meter.cpu, g_array_unref);

  bench->sent = 0;
  bench->expected = n;
  meter_start (&meter, GTK_WIDGET (bench->window));
  start = g_get_monotonic_time ();
  postier_test_network_monitor_set_available (bench->monitor, TRUE);
  /* The Outbox midway, to look at (it holds the main thread: no figures). */
  if (g_getenv ("POSTIER_SCREENSHOT_DIR") != NULL)
    {
      bench_wait_for_fewer_items (model, n * 2 / 3, 600000, "a third of the flush");
      postier_ui_test_screenshot_window (GTK_WINDOW (bench->window), "bench-flush-midway");
    }
  wait_until (all_sent, bench, 600000, "the flush");
  bench_wait_for_n_items (model, 0, 10000, "the outbox view emptying");
  meter_stop (&meter);
  printf ("  (%u messages flushed to Postfix in %.2f s)\n", n, bench_seconds_since (start));
  {
    g_autofree char *scene = g_strdup_printf ("b) %u queued messages flush, Outbox shown", n);
    meter_report (&meter, scene, "window-flush-1000");
  }
}

/* --- c) 10 000 entries in the outbox view -------------------------------------- */

typedef struct {
  PostierOutboxView *view;
  gint64             first_rows;   /* monotonic µs of the frame that showed rows */
  gint64             first_rows_cpu; /* main-thread CPU µs then */
  gint64             first_items;  /* … of the first frame with entries in the model */
} FirstRows;

static void
on_after_paint (GdkFrameClock *clock,
                gpointer       user_data)
{
  FirstRows *first = user_data;
  GtkWidget *row = postier_outbox_view_find_row (first->view, NULL);

  (void) clock;
  if (first->first_items == 0 &&
      g_list_model_get_n_items (postier_outbox_view_get_model (first->view)) > 0)
    first->first_items = g_get_monotonic_time ();
  if (first->first_rows == 0 && row != NULL && gtk_widget_get_mapped (row))
    {
      first->first_rows = g_get_monotonic_time ();
      first->first_rows_cpu = thread_cpu_us ();
    }
}

static gboolean
first_rows_shown (gpointer data)
{
  return ((FirstRows *) data)->first_rows != 0;
}

typedef struct {
  GtkAdjustment *adjustment;
  gint64         start;
  double         speed;       /* pixels per second, or 0: top to bottom in DURATION */
  double         duration;    /* seconds */
  gboolean       done;
} Scroll;

static gboolean
scroll_tick (GtkWidget     *widget,
             GdkFrameClock *clock,
             gpointer       user_data)
{
  Scroll *scroll = user_data;
  double elapsed = (g_get_monotonic_time () - scroll->start) / 1e6;
  double lower = gtk_adjustment_get_lower (scroll->adjustment);
  double end = gtk_adjustment_get_upper (scroll->adjustment) -
               gtk_adjustment_get_page_size (scroll->adjustment);
  double value;

  (void) widget;
  (void) clock;
  if (scroll->speed > 0)
    value = lower + elapsed * scroll->speed;
  else
    value = lower + (end - lower) * MIN (1.0, elapsed / scroll->duration);
  gtk_adjustment_set_value (scroll->adjustment, MIN (value, end));
  if (elapsed >= scroll->duration || value >= end)
    {
      scroll->done = TRUE;
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
scroll_done (gpointer data)
{
  return ((Scroll *) data)->done;
}

static void
scroll_through (GtkWidget     *window,
                GtkAdjustment *adjustment,
                double         speed,
                double         duration,
                const char    *scene,
                const char    *ratio_prefix)
{
  Scroll scroll = { adjustment, 0, speed, duration, FALSE };
  Meter meter;

  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_lower (adjustment));
  postier_ui_test_spin (500);
  printf ("    (list %.0f px long, %.0f px in view)\n", gtk_adjustment_get_upper (adjustment),
          gtk_adjustment_get_page_size (adjustment));
  meter_start (&meter, window);
  scroll.start = g_get_monotonic_time ();
  gtk_widget_add_tick_callback (window, scroll_tick, &scroll, NULL);
  wait_until (scroll_done, &scroll, 120000, "the scroll");
  meter_stop (&meter);
  printf ("    (scrolled to %.0f of %.0f px)\n", gtk_adjustment_get_value (adjustment),
          gtk_adjustment_get_upper (adjustment));
  meter_report (&meter, scene, ratio_prefix);
}

static void
list_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  gint64 *listed = user_data;
  g_autoptr(GPtrArray) entries = postier_outbox_list_finish (POSTIER_OUTBOX (source), result,
                                                             NULL, NULL);

  (void) entries;
  *listed = g_get_monotonic_time ();
}

static void
head_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  gint64 *listed = user_data;
  g_autoptr(GPtrArray) entries = postier_outbox_list_head_finish (POSTIER_OUTBOX (source), result,
                                                                  NULL);

  (void) entries;
  *listed = g_get_monotonic_time ();
}

static gboolean
listed (gpointer data)
{
  return *(gint64 *) data != 0;
}

/* This process's resident memory now and its peak, in MB: what the
 * outbox view's rows and list items hold shows as the difference between
 * two points of one run (the app's own window and the listing are the
 * same in every run). */
static void
print_memory (const char *when)
{
  g_autofree char *status = NULL;
  const char *rss, *hwm;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL) ||
      (rss = strstr (status, "\nVmRSS:")) == NULL || (hwm = strstr (status, "\nVmHWM:")) == NULL)
    return;
  printf ("    memory %s: resident %.1f MB, peak %.1f MB\n", when,
          g_ascii_strtod (rss + 7, NULL) / 1024.0, g_ascii_strtod (hwm + 7, NULL) / 1024.0);
}

static void
scene_many_entries (Bench *bench,
                    guint  n)
{
  PostierOutboxView *app_view =
    POSTIER_OUTBOX_VIEW (postier_window_get_page (bench->window, "outbox"));
  FirstRows first = { NULL, 0, 0, 0 };
  GtkWidget *window, *scrolled;
  GdkFrameClock *clock;
  gint64 start, start_cpu, listing = 0;
  gulong handler;
  double first_ms;

  postier_test_network_monitor_set_available (bench->monitor, FALSE);
  postier_ui_test_spin (300);
  enqueue_many (bench, n, "many");
  bench_wait_for_n_items (postier_outbox_view_get_model (app_view), n, 120000,
                          "the window's outbox view showing every entry");

  /* What the disk costs, off the main thread: the listing alone. */
  start = g_get_monotonic_time ();
  postier_outbox_list_async (bench->outbox, NULL, list_done, &listing);
  wait_until (listed, &listing, 60000, "the listing");
  printf ("  c) %u entries: postier_outbox_list_async alone %.0f ms (a worker thread)\n", n,
          (listing - start) / 1000.0);
  start = g_get_monotonic_time ();
  listing = 0;
  postier_outbox_list_head_async (bench->outbox, 50, NULL, head_done, &listing);
  wait_until (listed, &listing, 60000, "the first 50 entries");
  printf ("    the first 50 alone (postier_outbox_list_head_async) %.0f ms\n",
          (listing - start) / 1000.0);

  print_memory ("before the new view");
  /* A new outbox view in a window of its own, as when the app starts
   * with this outbox: from creating it to the first frame with rows. */
  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 800, 700);
  gtk_window_set_title (GTK_WINDOW (window), "Outbox");
  gtk_widget_realize (window);
  clock = gtk_widget_get_frame_clock (window);
  start = g_get_monotonic_time ();
  start_cpu = thread_cpu_us ();
  first.view = postier_outbox_view_new (bench->outbox);
  postier_outbox_view_set_submitter (first.view, bench->submitter);
  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), &first);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (first.view));
  gtk_window_present (GTK_WINDOW (window));
  wait_until (first_rows_shown, &first, 60000, "the first rows");
  g_signal_handler_disconnect (clock, handler);
  first_ms = (first.first_rows - start) / 1000.0;
  printf ("    (%u entries in the view's model then)\n",
          g_list_model_get_n_items (postier_outbox_view_get_model (first.view)));
  printf ("    first rows on screen %.0f ms after the view was made (entries listed by the "
          "frame at %.0f ms; load %s)\n", first_ms, (first.first_items - start) / 1000.0,
          load_average ());
  printf ("    main-thread CPU until then %.0f ms\n", (first.first_rows_cpu - start_cpu) / 1000.0);
  print_ratio ("window-outbox-10000-first-rows-ms", first_ms, "<", 200);
  /* The full listing follows the first rows: scroll through all of it. */
  start = g_get_monotonic_time ();
  bench_wait_for_n_items (postier_outbox_view_get_model (first.view), n, 120000, "the full listing");
  printf ("    every entry in the view %.0f ms after the first rows\n",
          (g_get_monotonic_time () - first.first_rows) / 1000.0);
  postier_ui_test_spin (1000);
  postier_ui_test_screenshot_window (GTK_WINDOW (window), "outbox-10000");
  print_memory ("with the view listing every entry");

  scrolled = postier_ui_test_find_by_id (GTK_WIDGET (first.view), "list_scroller");
  g_assert_nonnull (scrolled);
  /* About the pace of kinetic scrolling after a flick of the wheel. */
  scroll_through (window, gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled)),
                  3000, 5, "c) steady scroll at 3 000 px/s through the 10 000 entries",
                  "window-outbox-10000-scroll");
  print_memory ("after the steady scroll");
  /* The scrollbar dragged from the top to the bottom in two seconds:
   * every frame lands on rows never made before. */
  scroll_through (window, gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled)),
                  0, 2, "c) scrollbar dragged top to bottom in 2 s",
                  "window-outbox-10000-drag");
  print_memory ("after the drag");
  gtk_window_destroy (GTK_WINDOW (window));
  postier_ui_test_spin (100);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *attachment = NULL;
  g_autoptr(GSubprocess) sink = NULL;
  g_autoptr(GNetworkMonitor) monitor = NULL;
  Bench bench = { 0 };
  guint sink_port = 0;
  guint n = bench_n (10000);
  const char *scenes = g_getenv ("POSTIER_BENCH_SCENES");
  gboolean display;

  /* The rig's debug messages would cost the main thread what a person's
   * run never pays. */
  g_unsetenv ("G_MESSAGES_DEBUG");
  display = postier_ui_test_init (&argc, &argv);
  g_log_set_debug_enabled (FALSE);

  bench_rig ("MAILDIR");
  if (!display)
    {
      printf ("bench-frames: no display (run under tests/rig/with-rig)\n");
      return 77;
    }
  setvbuf (stdout, NULL, _IOLBF, 0);
  stall_trace_start ();
  printf ("bench-frames: the window while the app works (in-process, Xvfb, %s renderer, %s)\n",
          g_getenv ("GSK_RENDERER") != NULL ? g_getenv ("GSK_RENDERER") : "default",
          g_getenv ("POSTIER_BENCH_NO_WM") == NULL ? "a window manager named on the root window"
                                                   : "no window manager");

  postier_ui_test_reset_files ();
  sink = start_sink (&sink_port);
  add_accounts (sink_port);
  /* 100 MB of random bytes only for the scene that sends them. */
  if (scenes == NULL || strchr (scenes, 'a') != NULL)
    attachment = make_attachment ();

  bench.app = postier_ui_test_application ();
  bench.window = postier_ui_test_window (bench.app);
  if (g_getenv ("POSTIER_BENCH_NO_WM") == NULL)
    pretend_window_manager (GTK_WIDGET (bench.window));
  gtk_window_set_default_size (GTK_WINDOW (bench.window), 900, 700);
  bench.outbox = postier_application_get_outbox (bench.app);
  bench.submitter = postier_application_get_submitter (bench.app);
  g_signal_connect (bench.submitter, "flush-finished", G_CALLBACK (on_flush_finished), &bench);
  monitor = postier_test_network_monitor_new (TRUE);
  bench.monitor = monitor;
  postier_submitter_set_network_monitor (bench.submitter, monitor);
  postier_submitter_set_loopback_works_offline (bench.submitter, FALSE);
  postier_ui_test_spin (500);

  /* POSTIER_BENCH_SCENES, e.g. "bc", runs some of them. */
  if (scenes == NULL || strchr (scenes, 'a') != NULL)
    scene_attachment (&bench, attachment);
  if (scenes == NULL || strchr (scenes, 'b') != NULL)
    scene_flush (&bench, 1000);
  if (scenes == NULL || strchr (scenes, 'c') != NULL)
    scene_many_entries (&bench, n);

  postier_ui_test_finish (bench.app);
  g_subprocess_force_exit (sink);
  if (attachment != NULL)
    g_unlink (attachment);
  return postier_ui_test_run ();
}
