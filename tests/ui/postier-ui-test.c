/* postier-ui-test.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-ui-test"

#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "postier-core.h"
#include <gdk/x11/gdkx.h>
#include "postier-test.h"
#include "postier-ui-test.h"

static gboolean have_display;

static char *home_dir;
static GPtrArray *notifications;

static const char notifications_xml[] =
  "<node>"
  "  <interface name='org.gtk.Notifications'>"
  "    <method name='AddNotification'>"
  "      <arg type='s' direction='in'/><arg type='s' direction='in'/><arg type='a{sv}' direction='in'/>"
  "    </method>"
  "    <method name='RemoveNotification'>"
  "      <arg type='s' direction='in'/><arg type='s' direction='in'/>"
  "    </method>"
  "  </interface>"
  "</node>";

/* Whoever owns org.gtk.Notifications on the rig's bus gets every UI test's
 * notifications, so the owner writes each one, with its sender, to one log
 * in the rig's folder, and each program reads back those its own
 * connection sent: two tests that count notifications at the same time no
 * longer take them from each other. Without the rig, the owner keeps them. */
static char *
shared_log_path (void)
{
  const char *rig = g_getenv ("POSTIER_TEST_RIG_DIR");

  return rig != NULL && *rig != '\0' ? g_build_filename (rig, "notifications.log", NULL) : NULL;
}

static void
log_notification (const char *sender,
                  const char *title,
                  const char *body)
{
  g_autofree char *path = shared_log_path ();
  g_autofree char *escaped_title = g_strescape (title, NULL);
  g_autofree char *escaped_body = g_strescape (body, NULL);
  g_autofree char *record = g_strdup_printf ("%s\t%s\t%s\n", sender, escaped_title, escaped_body);
  int fd;

  if (path == NULL)
    {
      g_ptr_array_add (notifications, g_strdup_printf ("%s\n%s", title, body));
      return;
    }
  /* One write in append mode: records from one owner never interleave. */
  fd = open (path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (write (fd, record, strlen (record)), ==, (gssize) strlen (record));
  close (fd);
}

/* Appends this program's notifications logged since the last read: the
 * strings handed out before stay valid. */
static void
read_own_notifications (void)
{
  g_autofree char *path = shared_log_path ();
  g_autofree char *contents = NULL;
  g_autoptr(GDBusConnection) bus = NULL;
  g_auto(GStrv) lines = NULL;
  const char *own;
  guint seen = 0;

  if (path == NULL || !g_file_get_contents (path, &contents, NULL, NULL))
    return;
  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  if (bus == NULL)
    return;
  own = g_dbus_connection_get_unique_name (bus);
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[i], "\t", 3);

      if (g_strv_length (fields) != 3 || g_strcmp0 (fields[0], own) != 0)
        continue;
      if (++seen > notifications->len)
        {
          g_autofree char *title = g_strcompress (fields[1]);
          g_autofree char *body = g_strcompress (fields[2]);

          g_ptr_array_add (notifications, g_strdup_printf ("%s\n%s", title, body));
        }
    }
}

static void
on_notification_call (GDBusConnection       *connection,
                      const char            *sender,
                      const char            *object_path,
                      const char            *interface_name,
                      const char            *method_name,
                      GVariant              *parameters,
                      GDBusMethodInvocation *invocation,
                      gpointer               user_data)
{
  (void) connection;
  (void) object_path;
  (void) interface_name;
  (void) user_data;
  if (g_str_equal (method_name, "AddNotification"))
    {
      g_autoptr(GVariant) notification = g_variant_get_child_value (parameters, 2);
      const char *title = "";
      const char *body = "";

      g_variant_lookup (notification, "title", "&s", &title);
      g_variant_lookup (notification, "body", "&s", &body);
      log_notification (sender, title, body);
    }
  g_dbus_method_invocation_return_value (invocation, NULL);
}

/* Set when the bus has answered the request for the name, either way. It
 * lives as long as the program: "name lost" can come at any time later (a
 * test that takes the name, the bus going away), long after the function
 * that asked has returned. A flag on that function's stack was written
 * after its return, corrupting whatever the stack held then (the crashes in
 * test-undo-later, test-outbox-flow and test-command-line). */
static gboolean name_answered;

static void
on_name_answered (GDBusConnection *connection,
                  const char      *name,
                  gpointer         user_data)
{
  (void) connection;
  (void) name;
  (void) user_data;
  name_answered = TRUE;
}

/* GLib sends GNotifications to org.gtk.Notifications when that name has an
 * owner; the rig has no desktop, so this program owns it. */
static void
own_notification_service (void)
{
  static const GDBusInterfaceVTable vtable = { on_notification_call, NULL, NULL, { 0 } };
  g_autoptr(GDBusNodeInfo) info = g_dbus_node_info_new_for_xml (notifications_xml, NULL);
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);

  notifications = g_ptr_array_new_with_free_func (g_free);
  if (bus == NULL)
    return;
  g_dbus_connection_register_object (bus, "/org/gtk/Notifications", info->interfaces[0],
                                     &vtable, NULL, NULL, NULL);
  /* Every UI test on the rig's bus asks for the name; the first gets it and
   * the others wait in line, so a test that looks at notifications takes
   * the name first (postier_ui_test_n_notifications). */
  g_bus_own_name_on_connection (bus, "org.gtk.Notifications", G_BUS_NAME_OWNER_FLAGS_ALLOW_REPLACEMENT,
                                on_name_answered, on_name_answered, NULL, NULL);
  while (!name_answered)
    g_main_context_iteration (NULL, TRUE);
}

/* The name's owner now, or NULL. */
static char *
notifications_owner (GDBusConnection *bus)
{
  g_autoptr(GVariant) reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                                           "org.freedesktop.DBus", "GetNameOwner",
                                                           g_variant_new ("(s)", "org.gtk.Notifications"),
                                                           G_VARIANT_TYPE ("(s)"), G_DBUS_CALL_FLAGS_NONE,
                                                           -1, NULL, NULL);
  char *owner = NULL;

  if (reply != NULL)
    g_variant_get (reply, "(s)", &owner);
  return owner;
}

/* The owner logs everyone's notifications (shared_log_path), but an owner
 * that exits as a notification is sent would lose it: a program that
 * counts its notifications owns the name itself (every test allows that). */
static void
take_notification_service (void)
{
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autofree char *owner = NULL;

  if (bus == NULL)
    return;
  owner = notifications_owner (bus);
  if (g_strcmp0 (owner, g_dbus_connection_get_unique_name (bus)) == 0)
    return;
  {
    g_autoptr(GVariant) reply =
      g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                   "org.freedesktop.DBus", "RequestName",
                                   g_variant_new ("(su)", "org.gtk.Notifications",
                                                  G_BUS_NAME_OWNER_FLAGS_ALLOW_REPLACEMENT |
                                                  G_BUS_NAME_OWNER_FLAGS_REPLACE),
                                   G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);

    g_assert_nonnull (reply);
  }
}

/* The count also makes this program the name's owner: tests read it before
 * they act. */
guint
postier_ui_test_n_notifications (void)
{
  take_notification_service ();
  if (notifications == NULL)
    return 0;
  read_own_notifications ();
  return notifications->len;
}

const char *
postier_ui_test_notification (guint index)
{
  g_return_val_if_fail (notifications != NULL && index < notifications->len, NULL);
  return g_ptr_array_index (notifications, index);
}

/* G_TEST_OPTION_ISOLATE_DIRS would also hide the system data folders
 * (XDG_DATA_DIRS), and with them the icon theme and the MIME database GTK
 * needs. So the program gets private user folders of its own instead, set
 * before anything reads them; tests reset Postier's files between them. */
static void
isolate_user_dirs (void)
{
  const char *names[] = { "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME" };
  const char *subdirs[] = { ".config", ".local/share", ".cache", ".local/state" };
  g_autoptr(GError) error = NULL;

  home_dir = g_dir_make_tmp ("postier-ui-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("HOME", home_dir, TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (home_dir, subdirs[i], NULL);

      g_mkdir_with_parents (path, 0700);
      g_setenv (names[i], path, TRUE);
    }
}

void
postier_ui_test_reset_files (void)
{
  g_autofree char *config = g_build_filename (g_get_user_config_dir (), "postier", NULL);
  g_autofree char *data = g_build_filename (g_get_user_data_dir (), "postier", NULL);

  postier_remove_tree (config);
  postier_remove_tree (data);
}

int
postier_ui_test_run (void)
{
  int status = g_test_run ();

  /* A forked child (g_test_trap_subprocess) leaves the folder to its parent. */
  if (!g_test_subprocess () && home_dir != NULL)
    postier_remove_tree (home_dir);
  return status;
}

gboolean
postier_ui_test_init (int    *argc,
                      char ***argv)
{
  /* Messages are compared in English unless a test asks for French. */
  g_setenv ("LANGUAGE", "C", TRUE);
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  if (g_getenv ("POSTIER_UI_TEST_HOME") != NULL)
    home_dir = NULL;  /* a subprocess: the parent's folders are inherited */
  else
    {
      isolate_user_dirs ();
      g_setenv ("POSTIER_UI_TEST_HOME", home_dir, TRUE);
    }
  g_test_init (argc, argv, NULL);
  postier_test_report_crashes ();
  postier_core_init ();
  postier_application_init_i18n ();

  /* A missing display is reported by each test (skip or fail), not here:
   * g_test_init has not seen a test yet. */
  if (g_getenv ("DISPLAY") == NULL || *g_getenv ("DISPLAY") == '\0')
    return FALSE;
  gtk_disable_setlocale ();
  have_display = gtk_init_check ();
  if (have_display)
    {
      adw_init ();
      own_notification_service ();
    }
  return have_display;
}

gboolean
postier_ui_test_have_display (void)
{
  if (!have_display)
    {
      postier_test_rig ("DISPLAY");
      if (!g_test_failed ())
        g_test_skip ("no display");
      return FALSE;
    }
  return TRUE;
}

PostierApplication *
postier_ui_test_application (void)
{
  static guint serial;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = g_strdup_printf ("%s.Test%d_%u", APPLICATION_ID, (int) getpid (), serial++);
  PostierApplication *app = postier_application_new ();

  /* An id of its own: an earlier test's application may still be
   * exported on the bus. */
  g_application_set_application_id (G_APPLICATION (app), id);
  g_application_set_flags (G_APPLICATION (app),
                           G_APPLICATION_NON_UNIQUE | G_APPLICATION_HANDLES_OPEN);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  /* The first-run account set-up would open over every test's window;
   * tests of the set-up turn it back on. */
  {
    g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
    g_settings_set_boolean (settings, "account-setup-dismissed", TRUE);
    /* Sent messages go at once, as before undo send (issue 13); the tests
     * of Undo set the grace period they need after this. */
    g_settings_set_uint (settings, "send-delay", 0);
  }
  return app;
}

static gboolean
window_drawn (gpointer data)
{
  return gtk_widget_get_mapped (data);
}

PostierWindow *
postier_ui_test_window (PostierApplication *app)
{
  PostierWindow *window;

  g_application_activate (G_APPLICATION (app));
  window = POSTIER_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  g_assert_nonnull (window);
  g_assert_true (postier_ui_test_wait_for (window_drawn, window, 5000));
  postier_ui_test_spin (50);
  return window;
}

static gboolean
submitter_idle (gpointer data)
{
  PostierSubmitter *submitter = postier_application_get_submitter (data);

  return submitter == NULL || !postier_submitter_is_busy (submitter);
}

void
postier_ui_test_finish (PostierApplication *app)
{
  g_autoptr(GList) windows = NULL;

  /* A flush still running would write into the next test's folders. */
  g_assert_true (postier_ui_test_wait_for (submitter_idle, app, 60000));

  /* The way out of g_application_run (shutdown, leaving the bus) is only
   * reachable through it: run, told to quit at once. */
  g_idle_add_once ((GSourceOnceFunc) g_application_quit, app);
  g_application_run (G_APPLICATION (app), 0, NULL);
  windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (app)));
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_destroy (l->data);
  postier_ui_test_spin (50);
  g_object_unref (app);
}

static gboolean
deadline_passed (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

gboolean
postier_ui_test_wait_for (gboolean (*check) (gpointer data),
                          gpointer   data,
                          guint      timeout_ms)
{
  gboolean timed_out = FALSE;
  guint timeout_id = g_timeout_add (timeout_ms, deadline_passed, &timed_out);
  gboolean ok;

  while (!(ok = check (data)) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (timeout_id);
  return ok;
}

static gboolean
lag_tick (gpointer data)
{
  PostierUiTestLagProbe *probe = data;
  gint64 now = g_get_monotonic_time ();

  if (probe->last != 0)
    probe->worst = MAX (probe->worst, now - probe->last - probe->interval_ms * (gint64) 1000);
  probe->last = now;
  probe->ticks++;
  return G_SOURCE_CONTINUE;
}

gboolean
postier_ui_test_revealed (gpointer revealer)
{
  return gtk_revealer_get_reveal_child (GTK_REVEALER (revealer));
}

gboolean
postier_ui_test_not_revealed (gpointer revealer)
{
  return !gtk_revealer_get_reveal_child (GTK_REVEALER (revealer));
}

void
postier_ui_test_lag_probe_start (PostierUiTestLagProbe *probe,
                                 guint                  interval_ms)
{
  *probe = (PostierUiTestLagProbe) { .interval_ms = interval_ms };
  probe->source_id = g_timeout_add (interval_ms, lag_tick, probe);
}

void
postier_ui_test_lag_probe_stop (PostierUiTestLagProbe *probe)
{
  g_clear_handle_id (&probe->source_id, g_source_remove);
}

static gboolean
never (gpointer data)
{
  (void) data;
  return FALSE;
}

void
postier_ui_test_spin (guint ms)
{
  postier_ui_test_wait_for (never, NULL, ms);
}

void
postier_ui_test_click (GtkWidget *button)
{
  g_assert_nonnull (button);
  g_assert_true (GTK_IS_BUTTON (button));
  g_assert_true (gtk_widget_get_mapped (button));
  g_assert_true (gtk_widget_is_sensitive (button));
  /* What a pointer click ends in. gtk_widget_activate() would emit
   * "clicked" only after a 250 ms timeout, which a slow (sanitized) run
   * can miss, or lose when the row holding the button is rebuilt. */
  g_signal_emit_by_name (button, "clicked");
}

GtkWidget *
postier_ui_test_find_by_id (GtkWidget  *root,
                            const char *id)
{
  const char *own_id;

  if (GTK_IS_BUILDABLE (root))
    {
      own_id = gtk_buildable_get_buildable_id (GTK_BUILDABLE (root));
      if (own_id != NULL && g_str_equal (own_id, id))
        return root;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = postier_ui_test_find_by_id (child, id);

      if (found != NULL)
        return found;
    }
  return NULL;
}

GtkWidget *
postier_ui_test_find_label (GtkWidget  *root,
                            const char *text)
{
  if (!gtk_widget_get_visible (root))
    return NULL;
  if (GTK_IS_LABEL (root) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (root)), text) == 0)
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = postier_ui_test_find_label (child, text);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
collect_text (GtkWidget *root,
              GString   *text)
{
  if (!gtk_widget_get_child_visible (root) || !gtk_widget_get_visible (root))
    return;
  if (GTK_IS_LABEL (root))
    g_string_append_printf (text, "%s\n", gtk_label_get_text (GTK_LABEL (root)));
  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_text (child, text);
}

char *
postier_ui_test_visible_text (GtkWidget *root)
{
  GString *text = g_string_new (NULL);

  collect_text (root, text);
  return g_string_free (text, FALSE);
}

typedef struct {
  GtkWidget  *root;
  const char *needle;
} TextWait;

static gboolean
text_is_shown (gpointer data)
{
  TextWait *wait = data;
  g_autofree char *text = postier_ui_test_visible_text (wait->root);

  return strstr (text, wait->needle) != NULL;
}

/* The list views make their rows a few a frame (PostierLazyRows), so what
 * a model holds is on screen a little later, later still on a slow run. */
gboolean
postier_ui_test_wait_for_text (GtkWidget  *root,
                               const char *needle,
                               guint       timeout_ms)
{
  TextWait wait = { root, needle };

  return postier_ui_test_wait_for (text_is_shown, &wait, timeout_ms);
}

typedef struct {
  PostierOutboxView *view;
  const char        *id;
  const char        *needle;
} RowWait;

static gboolean
row_shows (gpointer data)
{
  RowWait *wait = data;
  GtkWidget *row = postier_outbox_view_find_row (wait->view, wait->id);
  g_autofree char *text = row != NULL ? postier_ui_test_visible_text (row) : NULL;

  return text != NULL && strstr (text, wait->needle) != NULL;
}

/* The view reloads after the submitter's word, which may come after the
 * test's, and makes its rows a few a frame. */
gboolean
postier_ui_test_wait_for_row (PostierOutboxView *view,
                              const char        *id,
                              const char        *needle,
                              guint              timeout_ms)
{
  RowWait wait = { view, id, needle };

  return postier_ui_test_wait_for (row_shows, &wait, timeout_ms);
}

static GtkLabel *
mnemonic_label (GtkWidget *button)
{
  GtkWidget *child = gtk_button_get_child (GTK_BUTTON (button));

  if (GTK_IS_LABEL (child) && gtk_label_get_use_underline (GTK_LABEL (child)))
    return GTK_LABEL (child);
  return NULL;
}

static void
check_names_below (GtkWidget *widget,
                   guint     *checked)
{
  /* A spin button's own +/- are parts of one control, named as a whole. */
  if (!gtk_widget_get_mapped (widget) || GTK_IS_SPIN_BUTTON (gtk_widget_get_parent (widget)))
    return;

  if (GTK_IS_BUTTON (widget))
    {
      GtkWidget *child = gtk_button_get_child (GTK_BUTTON (widget));
      GtkLabel *label = mnemonic_label (widget);

      if (label != NULL)
        {
          g_autofree char *problem = NULL;

          if (gtk_test_accessible_has_relation (GTK_ACCESSIBLE (widget),
                                                GTK_ACCESSIBLE_RELATION_LABELLED_BY))
            g_test_fail_printf ("“%s” is named twice (label and labelled-by)",
                                gtk_label_get_text (label));
          problem = gtk_test_accessible_check_property (GTK_ACCESSIBLE (widget),
                                                        GTK_ACCESSIBLE_PROPERTY_LABEL,
                                                        gtk_label_get_text (label));
          if (problem != NULL)
            g_test_fail_printf ("button “%s”: %s", gtk_label_get_label (label), problem);
        }
      else if (GTK_IS_IMAGE (child) &&
               !gtk_test_accessible_has_property (GTK_ACCESSIBLE (widget),
                                                  GTK_ACCESSIBLE_PROPERTY_LABEL))
        g_test_fail_printf ("an icon button (%s, tooltip “%s”) has no name",
                            gtk_image_get_icon_name (GTK_IMAGE (child)),
                            gtk_widget_get_tooltip_text (widget));
      (*checked)++;
    }
  else if (ADW_IS_ENTRY_ROW (widget))
    {
      /* The title names the field; a label besides would be said too. */
      if (gtk_test_accessible_has_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL))
        g_test_fail_printf ("the entry row “%s” is named twice",
                            adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)));
      (*checked)++;
    }
  else if ((GTK_IS_TEXT_VIEW (widget) && gtk_text_view_get_editable (GTK_TEXT_VIEW (widget))) ||
           GTK_IS_SWITCH (widget) || GTK_IS_CHECK_BUTTON (widget))
    {
      gboolean named = gtk_test_accessible_has_property (GTK_ACCESSIBLE (widget),
                                                         GTK_ACCESSIBLE_PROPERTY_LABEL) ||
                       gtk_test_accessible_has_relation (GTK_ACCESSIBLE (widget),
                                                         GTK_ACCESSIBLE_RELATION_LABELLED_BY) ||
                       (GTK_IS_CHECK_BUTTON (widget) &&
                        gtk_check_button_get_label (GTK_CHECK_BUTTON (widget)) != NULL);

      if (!named)
        g_test_fail_printf ("a %s has no name", G_OBJECT_TYPE_NAME (widget));
      (*checked)++;
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    check_names_below (child, checked);
}

void
postier_ui_test_check_accessible_names (GtkWidget *root)
{
  guint checked = 0;

  check_names_below (root, &checked);
  g_test_message ("%u controls checked in %s", checked, G_OBJECT_TYPE_NAME (root));
  g_assert_cmpuint (checked, >, 0);
}

void
postier_ui_test_press_keys (GtkWindow  *window,
                            const char *keys)
{
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (window));
  g_autofree char *xid = NULL;
  g_autofree char *err = NULL;
  const char *argv[] = { "xdotool", "windowfocus", "--sync", NULL, "key", "--clearmodifiers", keys, NULL };

  g_assert_true (GDK_IS_X11_SURFACE (surface));
  xid = g_strdup_printf ("%lu", (unsigned long) gdk_x11_surface_get_xid (surface));
  argv[3] = xid;
  if (postier_test_run_program (NULL, NULL, NULL, &err, argv) != 0)
    g_test_fail_printf ("xdotool failed: %s", err);
}

void
postier_ui_test_screenshot_window (GtkWindow  *window,
                                   const char *name)
{
  const char *dir = g_getenv ("POSTIER_SCREENSHOT_DIR");
  g_autofree char *path = NULL;
  g_autofree char *geometry = NULL;
  g_autofree char *err = NULL;
  const char *argv[] = { "import", "-window", "root", "-crop", NULL, "+repage", NULL, NULL };

  if (dir == NULL)
    return;
  postier_ui_test_spin (500);
  /* Xvfb has no window manager: the window sits at the top left. */
  geometry = g_strdup_printf ("%dx%d+0+0",
                              gdk_surface_get_width (gtk_native_get_surface (GTK_NATIVE (window))),
                              gdk_surface_get_height (gtk_native_get_surface (GTK_NATIVE (window))));
  path = g_strdup_printf ("%s/%s.png", dir, name);
  argv[4] = geometry;
  argv[6] = path;
  if (postier_test_run_program (NULL, NULL, NULL, &err, argv) != 0)
    g_test_message ("screenshot %s failed: %s", path, err);
}

void
postier_ui_test_screenshot (const char *name)
{
  const char *dir = g_getenv ("POSTIER_SCREENSHOT_DIR");
  g_autofree char *path = NULL;
  g_autofree char *err = NULL;
  const char *argv[] = { "import", "-window", "root", NULL, NULL };

  if (dir == NULL)
    return;
  postier_ui_test_spin (300);
  path = g_strdup_printf ("%s/%s.png", dir, name);
  argv[3] = path;
  if (postier_test_run_program (NULL, NULL, NULL, &err, argv) != 0)
    g_test_message ("screenshot %s failed: %s", path, err);
}
