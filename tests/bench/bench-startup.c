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
 * Issue 12: the same run also starts Geary and Balsa, which cannot be
 * instrumented, and times all three the same way: from just before the
 * spawn to the X MapNotify of their first top-level window, seen by an
 * Xlib client listening on the root window (SubstructureNotify). Xvfb
 * has no window manager, so a top-level is a direct child of the root
 * and its MapNotify arrives as an event, with no polling delay and no
 * extra processes competing for the 2 cores (polling xwininfo would).
 * Each program gets its own hermetic D-Bus (no service directories, so
 * nothing is activated behind its back) with an unlocked gnome-keyring
 * (Geary will not start without a Secret Service), its own
 * XDG_RUNTIME_DIR, and a fresh profile.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>
#include <X11/Xlib.h>

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

static double
median (GArray *times)
{
  g_array_sort (times, compare_doubles);
  return times->len % 2 ? g_array_index (times, double, times->len / 2)
                        : (g_array_index (times, double, times->len / 2 - 1) +
                           g_array_index (times, double, times->len / 2)) / 2;
}

/* A private session: a dbus-daemon with no service directories (nothing
 * is activated behind the program's back) and an unlocked
 * gnome-keyring-daemon on it, each in a runtime folder of its own (with
 * the rig's XDG_RUNTIME_DIR, --unlock would reach the rig's keyring). */
typedef struct
{
  char        *dir;
  char        *address;
  GSubprocess *bus;
  GSubprocess *keyring;
} Session;

static const char bus_config[] =
  "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
  " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
  "<busconfig>\n"
  "  <type>session</type>\n"
  "  <keep_umask/>\n"
  "  <listen>unix:dir=%s</listen>\n"
  "  <policy context=\"default\">\n"
  "    <allow send_destination=\"*\" eavesdrop=\"true\"/>\n"
  "    <allow eavesdrop=\"true\"/>\n"
  "    <allow own=\"*\"/>\n"
  "  </policy>\n"
  "</busconfig>\n";

static gboolean
session_wait_for_secrets (Session *session)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) bus =
    g_dbus_connection_new_for_address_sync (session->address,
                                            G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                            G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                            NULL, NULL, &error);

  if (bus == NULL)
    {
      g_printerr ("private bus: %s\n", error->message);
      return FALSE;
    }
  for (guint i = 0; i < 200; i++)
    {
      g_autoptr(GVariant) reply =
        g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                     "org.freedesktop.DBus", "NameHasOwner",
                                     g_variant_new ("(s)", "org.freedesktop.secrets"),
                                     G_VARIANT_TYPE ("(b)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
      gboolean owned = FALSE;

      if (reply != NULL)
        g_variant_get (reply, "(b)", &owned);
      if (owned)
        return TRUE;
      g_usleep (50 * 1000);
    }
  g_printerr ("private bus: gnome-keyring did not appear\n");
  return FALSE;
}

static gboolean
session_start (Session *session)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *config = NULL;
  g_autofree char *config_path = NULL;
  g_autofree char *keyring_data = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  GOutputStream *in;

  session->dir = bench_make_folder ();
  config = g_strdup_printf (bus_config, session->dir);
  config_path = g_build_filename (session->dir, "bus.conf", NULL);
  if (!g_file_set_contents (config_path, config, -1, &error))
    g_error ("%s", error->message);
  session->bus = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                                   "dbus-daemon", "--nofork", "--print-address=1",
                                   "--config-file", config_path, NULL);
  if (session->bus == NULL)
    {
      g_printerr ("dbus-daemon: %s\n", error->message);
      return FALSE;
    }
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (session->bus));
  session->address = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
  if (session->address == NULL)
    {
      g_printerr ("dbus-daemon gave no address\n");
      return FALSE;
    }

  keyring_data = g_build_filename (session->dir, "keyring", NULL);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                        G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_setenv (launcher, "DBUS_SESSION_BUS_ADDRESS", session->address, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_RUNTIME_DIR", session->dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", keyring_data, TRUE);
  g_subprocess_launcher_unsetenv (launcher, "GNOME_KEYRING_CONTROL");
  session->keyring = g_subprocess_launcher_spawn (launcher, &error, "gnome-keyring-daemon",
                                                  "--foreground", "--unlock",
                                                  "--components=secrets", NULL);
  if (session->keyring == NULL)
    {
      g_printerr ("gnome-keyring-daemon: %s\n", error->message);
      return FALSE;
    }
  in = g_subprocess_get_stdin_pipe (session->keyring);
  g_output_stream_write_all (in, "postier-rig", strlen ("postier-rig"), NULL, NULL, NULL);
  g_output_stream_close (in, NULL, NULL);
  return session_wait_for_secrets (session);
}

static void
session_stop (Session *session)
{
  if (session->keyring != NULL)
    {
      g_subprocess_force_exit (session->keyring);
      g_subprocess_wait (session->keyring, NULL, NULL);
    }
  if (session->bus != NULL)
    {
      g_subprocess_force_exit (session->bus);
      g_subprocess_wait (session->bus, NULL, NULL);
    }
  g_clear_object (&session->keyring);
  g_clear_object (&session->bus);
  g_clear_pointer (&session->address, g_free);
  if (session->dir != NULL)
    postier_remove_tree (session->dir);
  g_clear_pointer (&session->dir, g_free);
}

/* Its own process group, so that helpers it starts (Geary's WebKit
 * processes) go with it. */
static void
own_process_group (gpointer data)
{
  (void) data;
  setpgid (0, 0);
}

static int
ignore_x_error (Display     *display,
                XErrorEvent *event)
{
  (void) display;
  (void) event;
  return 0;
}

/* The monotonic time of the next MapNotify of a top-level window (a
 * child of the root that is not override-redirect, so no menu or
 * tooltip), or -1 at DEADLINE. */
static gint64
wait_for_map (Display *display,
              gint64   deadline,
              Window  *window)
{
  Window root = DefaultRootWindow (display);

  for (;;)
    {
      struct pollfd fd = { ConnectionNumber (display), POLLIN, 0 };
      gint64 left;

      while (XPending (display) > 0)
        {
          XEvent event;

          XNextEvent (display, &event);
          if (event.type == MapNotify && event.xmap.event == root &&
              !event.xmap.override_redirect)
            {
              *window = event.xmap.window;
              return g_get_monotonic_time ();
            }
        }
      left = deadline - g_get_monotonic_time ();
      if (left <= 0)
        return -1;
      poll (&fd, 1, (int) MIN (left / 1000 + 1, 1000));
    }
}

/* One start of ARGV0 with HOME as its profile: milliseconds to its first
 * mapped top-level window (MAP_MS) and, for Postier, to the first frame
 * it reports (returned). Others are killed once mapped. */
static double
start_once (Display    *display,
            Session    *session,
            const char *program,
            const char *home,
            const char *renderer,
            gboolean    is_postier,
            double     *map_ms,
            char      **title)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                      G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *config = g_build_filename (home, "config", NULL);
  g_autofree char *data = g_build_filename (home, "data", NULL);
  g_autofree char *cache = g_build_filename (home, "cache", NULL);
  g_autofree char *state = g_build_filename (home, "state", NULL);
  const char *line;
  gint64 start;
  gint64 mapped;
  Window window = None;

  g_subprocess_launcher_setenv (launcher, "HOME", home, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", config, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", data, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CACHE_HOME", cache, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_STATE_HOME", state, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_RUNTIME_DIR", session->dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "DBUS_SESSION_BUS_ADDRESS", session->address, TRUE);
  g_subprocess_launcher_unsetenv (launcher, "GNOME_KEYRING_CONTROL");
  g_subprocess_launcher_set_child_setup (launcher, own_process_group, NULL, NULL);
  if (is_postier)
    g_subprocess_launcher_setenv (launcher, "POSTIER_BENCH_FIRST_FRAME", "1", TRUE);
  if (renderer != NULL)
    g_subprocess_launcher_setenv (launcher, "GSK_RENDERER", renderer, TRUE);
  else
    g_subprocess_launcher_unsetenv (launcher, "GSK_RENDERER");

  XSync (display, True); /* forget the previous run's events */
  *map_ms = -1;
  start = g_get_monotonic_time ();
  child = g_subprocess_launcher_spawn (launcher, &error, program, NULL);
  if (child == NULL)
    {
      g_printerr ("cannot start %s: %s\n", program, error->message);
      return -1;
    }
  mapped = wait_for_map (display, start + 60 * G_USEC_PER_SEC, &window);
  if (mapped >= 0)
    *map_ms = (mapped - start) / 1000.0;
  if (mapped >= 0 && title != NULL)
    {
      char *name = NULL;

      /* Which window it was, to see that it is not an error dialog. */
      if (XFetchName (display, window, &name) && name != NULL)
        {
          *title = g_strdup (name);
          XFree (name);
        }
    }
  else if (mapped < 0)
    g_printerr ("%s mapped no window in 60 s\n", program);
  if (!is_postier || mapped < 0)
    {
      const char *pid = g_subprocess_get_identifier (child); /* NULL once it has exited */

      if (pid != NULL)
        kill (-(pid_t) g_ascii_strtoll (pid, NULL, 10), SIGKILL);
      g_subprocess_wait (child, NULL, NULL);
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

/* N starts of PROGRAM (after one that fills the disk cache, shown apart
 * for Postier), each on its own private session. Postier keeps its
 * one-account profile; Geary and Balsa get a fresh profile each start,
 * as they are killed half-way through their first-run set-up. Returns
 * the median milliseconds to the first mapped window, or -1. */
static double
measure (const char *program,
         const char *postier_home,
         const char *renderer,
         const char *label,
         guint       n)
{
  g_autoptr(GArray) frames = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) maps = g_array_new (FALSE, FALSE, sizeof (double));
  Session session = { NULL, NULL, NULL, NULL };
  Display *display = NULL;
  gboolean is_postier = postier_home != NULL;
  double first = -1;
  double result = -1;

  /* Xvfb once refused a connection right after a burst of starts: retry. */
  for (guint i = 0; i < 50 && display == NULL; i++)
    {
      display = XOpenDisplay (NULL);
      if (display == NULL)
        g_usleep (100 * 1000);
    }
  if (display == NULL)
    {
      g_print ("%-28s cannot open the display %s\n", label, g_getenv ("DISPLAY"));
      return -1;
    }
  XSelectInput (display, DefaultRootWindow (display), SubstructureNotifyMask);
  if (!session_start (&session))
    {
      g_print ("%-28s no private session (dbus-daemon, gnome-keyring-daemon)\n", label);
      goto out;
    }
  for (guint i = 0; i <= n; i++)
    {
      g_autofree char *home = is_postier ? g_strdup (postier_home) : bench_make_folder ();
      g_autofree char *title = NULL;
      double map_ms;
      double ms = start_once (display, &session, program, home, renderer, is_postier, &map_ms,
                              i == 0 ? &title : NULL);

      if (!is_postier)
        postier_remove_tree (home);
      if (i == 0)
        {
          first = is_postier ? ms : map_ms;
          if (!is_postier)
            g_print ("%-28s first window \"%s\" (first start %.1f ms)\n", label,
                     title != NULL ? title : "?", first);
          continue;
        }
      if (ms >= 0)
        g_array_append_val (frames, ms);
      if (map_ms >= 0)
        g_array_append_val (maps, map_ms);
    }
  if (maps->len == 0)
    {
      g_print ("%-28s no run mapped a window\n", label);
      goto out;
    }
  result = median (maps);
  if (is_postier && frames->len > 0)
    {
      double frame = median (frames);

      g_print ("%-28s median %6.1f ms  min %6.1f  max %6.1f  (first start %.1f ms, %u runs; target < 300 ms)\n",
               label, frame, g_array_index (frames, double, 0),
               g_array_index (frames, double, frames->len - 1), first, frames->len);
    }
  else if (is_postier)
    g_print ("%-28s no run drew a frame\n", label);

out:
  session_stop (&session);
  XCloseDisplay (display);
  return result;
}

static void
print_cell (double ms,
            gboolean installed)
{
  if (!installed)
    g_print ("  %-40s", "not installed (make bench installs it)");
  else if (ms < 0)
    g_print ("  %-10s", "failed");
  else
    g_print ("  %7.1f ms", ms);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *home = NULL;
  g_autofree char *accounts = NULL;
  g_autofree char *geary = g_find_program_in_path ("geary");
  g_autofree char *balsa = g_find_program_in_path ("balsa");
  g_autoptr(PostierAccountStore) store = NULL;
  g_autoptr(PostierAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  const char *renderers[] = { NULL, "cairo" };
  const char *labels[] = { "default renderer (GL)", "cairo renderer" };
  double postier_ms[2];
  double geary_ms = -1;
  double balsa_ms = -1;
  guint n = bench_n (20);

  if (argc != 2)
    {
      g_printerr ("usage: %s PATH-TO-POSTIER\n", argv[0]);
      return 64;
    }
  bench_rig ("DISPLAY");
  postier_core_init ();
  XSetErrorHandler (ignore_x_error);

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
  for (guint r = 0; r < G_N_ELEMENTS (renderers); r++)
    postier_ms[r] = measure (argv[1], home, renderers[r], labels[r], n);
  /* GTK 3 programs: GSK_RENDERER means nothing to them, one measure
   * serves both rows. */
  if (geary != NULL)
    geary_ms = measure (geary, NULL, NULL, "geary", n);
  if (balsa != NULL)
    balsa_ms = measure (balsa, NULL, NULL, "balsa", n);

  g_print ("\nExec to the first mapped top-level window, median of %u starts, private bus + keyring each\n", n);
  g_print ("%-24s  %10s  %10s  %10s  target: Postier first\n", "", "Postier", "Geary", "Balsa");
  for (guint r = 0; r < G_N_ELEMENTS (renderers); r++)
    {
      gboolean met = postier_ms[r] >= 0 &&
                     (geary == NULL || (geary_ms >= 0 && postier_ms[r] < geary_ms)) &&
                     (balsa == NULL || (balsa_ms >= 0 && postier_ms[r] < balsa_ms));

      g_print ("%-24s", labels[r]);
      print_cell (postier_ms[r], TRUE);
      print_cell (geary_ms, geary != NULL);
      print_cell (balsa_ms, balsa != NULL);
      g_print ("  %s\n", geary == NULL || balsa == NULL ? "not measured" : met ? "met" : "not met");
    }
  /* For `make bench`'s summary (build-aux/bench-summary.py): Postier's
   * time over the faster of the two, so "first" is a ratio under 1. */
  for (guint r = 0; r < G_N_ELEMENTS (renderers); r++)
    {
      double other = geary_ms < 0 ? balsa_ms : balsa_ms < 0 ? geary_ms : MIN (geary_ms, balsa_ms);
      double ratio = postier_ms[r] >= 0 && other > 0 ? postier_ms[r] / other : -1;

      if (ratio < 0)
        g_print ("RATIO startup-%s-vs-geary-balsa unmeasured target < 1.00 not met\n",
                 renderers[r] != NULL ? renderers[r] : "default");
      else
        g_print ("RATIO startup-%s-vs-geary-balsa %.2f target < 1.00 %s\n",
                 renderers[r] != NULL ? renderers[r] : "default", ratio, ratio < 1.0 ? "met" : "not met");
    }

  postier_remove_tree (home);
  return 0;
}
