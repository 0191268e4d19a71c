/* test-about-shortcuts.c — the About window, the keyboard shortcuts window
 * (Ctrl+?) and the Help action (F1)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "postier-composer.h"
#include "postier-test.h"
#include "postier-ui-test.h"

static GtkWindow *
find_toplevel (GType type)
{
  GtkWindow *found = NULL;

  for (GList *l = gtk_window_list_toplevels (); l != NULL; l = g_list_delete_link (l, l))
    if (G_TYPE_CHECK_INSTANCE_TYPE (l->data, type) && gtk_widget_get_visible (l->data))
      found = l->data;
  return found;
}

static gboolean
toplevel_shown (gpointer data)
{
  return find_toplevel (GPOINTER_TO_SIZE (data)) != NULL;
}

/* What a person reads in About: the version, the licence, who made it,
 * where the project lives and where to report a problem. */
static void
test_about_window (void)
{
  g_autoptr(PostierApplication) app = NULL;
  PostierWindow *window;
  AdwAboutWindow *about;

  if (!postier_ui_test_have_display ())
    return;
  app = postier_ui_test_application ();
  window = postier_ui_test_window (app);

  g_action_group_activate_action (G_ACTION_GROUP (app), "about", NULL);
  g_assert_true (postier_ui_test_wait_for (toplevel_shown, GSIZE_TO_POINTER (ADW_TYPE_ABOUT_WINDOW), 5000));
  about = ADW_ABOUT_WINDOW (find_toplevel (ADW_TYPE_ABOUT_WINDOW));
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (about)) == GTK_WINDOW (window));
  g_assert_cmpstr (adw_about_window_get_application_name (about), ==, "Postier");
  g_assert_cmpstr (adw_about_window_get_version (about), ==, PACKAGE_VERSION);
  g_assert_cmpint (adw_about_window_get_license_type (about), ==, GTK_LICENSE_GPL_3_0);
  g_assert_cmpstr (adw_about_window_get_website (about), ==, "https://github.com/postier/postier");
  g_assert_cmpstr (adw_about_window_get_issue_url (about), ==, "https://github.com/postier/postier/issues");
  g_assert_nonnull (adw_about_window_get_developers (about));
  g_assert_nonnull (adw_about_window_get_developers (about)[0]);
  g_assert_cmpstr (adw_about_window_get_application_icon (about), ==, APPLICATION_ID);
  postier_ui_test_screenshot_window (GTK_WINDOW (about), "about");

  gtk_window_destroy (GTK_WINDOW (about));
  postier_ui_test_finish (g_steal_pointer (&app));
}

/* "<Primary>Return" and "<Control>Return" are one key: compare names
 * gtk_accelerator_name() gives. */
static void
add_accel (GHashTable *set,
           const char *accel)
{
  guint key;
  GdkModifierType mods;

  g_assert_true (gtk_accelerator_parse (accel, &key, &mods));
  g_hash_table_add (set, gtk_accelerator_name (key, mods));
}

static void
add_trigger (GHashTable        *set,
             GtkShortcutTrigger *trigger)
{
  /* An alternative (Ctrl+Enter | Ctrl+keypad Enter) is one shortcut for a
   * person: the window shows its first key. */
  if (GTK_IS_ALTERNATIVE_TRIGGER (trigger))
    add_trigger (set, gtk_alternative_trigger_get_first (GTK_ALTERNATIVE_TRIGGER (trigger)));
  else if (GTK_IS_KEYVAL_TRIGGER (trigger))
    g_hash_table_add (set, gtk_accelerator_name (gtk_keyval_trigger_get_keyval (GTK_KEYVAL_TRIGGER (trigger)),
                                                 gtk_keyval_trigger_get_modifiers (GTK_KEYVAL_TRIGGER (trigger))));
}

static void
collect_window_shortcuts (GtkApplication *app,
                          GtkWidget      *widget,
                          GHashTable     *set)
{
  if (GTK_IS_SHORTCUTS_SHORTCUT (widget))
    {
      g_autofree char *accelerator = NULL;
      g_autofree char *action = NULL;

      g_object_get (widget, "accelerator", &accelerator, "action-name", &action, NULL);
      if (action != NULL)
        {
          g_auto(GStrv) accels = gtk_application_get_accels_for_action (app, action);

          g_assert_nonnull (accels[0]);
          for (guint i = 0; accels[i] != NULL; i++)
            add_accel (set, accels[i]);
        }
      else
        {
          g_auto(GStrv) keys = g_strsplit (accelerator, " ", -1);

          for (guint i = 0; keys[i] != NULL; i++)
            if (*keys[i] != '\0')
              add_accel (set, keys[i]);
        }
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_window_shortcuts (app, child, set);
}

static char *
set_to_string (GHashTable *set)
{
  g_autofree const char **keys = (const char **) g_hash_table_get_keys_as_array (set, NULL);
  GString *out = g_string_new (NULL);

  for (guint i = 0; keys[i] != NULL; i++)
    g_string_append_printf (out, "%s%s", i > 0 ? " " : "", keys[i]);
  return g_string_free (out, FALSE);
}

/* The shortcuts window lists every key the app answers to, and only those:
 * the accelerators set on the application, the composer's own shortcuts,
 * and Escape, which closes the app's dialogs. */
static void
test_shortcuts_window_lists_every_accelerator (void)
{
  g_autoptr(PostierApplication) app = NULL;
  g_autoptr(GHashTable) registered = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) listed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_auto(GStrv) actions = NULL;
  g_autoptr(GListModel) controllers = NULL;
  GtkShortcutsWindow *shortcuts;
  PostierWindow *window;
  GHashTableIter iter;
  const char *accel;

  if (!postier_ui_test_have_display ())
    return;
  app = postier_ui_test_application ();
  window = postier_ui_test_window (app);

  actions = gtk_application_list_action_descriptions (GTK_APPLICATION (app));
  for (guint i = 0; actions[i] != NULL; i++)
    {
      g_auto(GStrv) accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app), actions[i]);

      for (guint j = 0; accels[j] != NULL; j++)
        add_accel (registered, accels[j]);
    }
  /* F1 opens the help, Ctrl+? this window (GtkApplication adds that one). */
  g_assert_true (g_hash_table_contains (registered, "F1"));
  g_assert_true (g_hash_table_contains (registered, "<Control>question"));

  controllers = gtk_widget_observe_controllers (GTK_WIDGET (postier_window_get_composer (window)));
  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;
      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);

          add_trigger (registered, gtk_shortcut_get_trigger (shortcut));
        }
    }
  g_assert_true (g_hash_table_contains (registered, "<Control>Return"));
  add_accel (registered, "Escape");

  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-help-overlay", NULL);
  g_assert_true (postier_ui_test_wait_for (toplevel_shown, GSIZE_TO_POINTER (GTK_TYPE_SHORTCUTS_WINDOW), 5000));
  shortcuts = GTK_SHORTCUTS_WINDOW (find_toplevel (GTK_TYPE_SHORTCUTS_WINDOW));
  g_assert_true (gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window)) == shortcuts);
  collect_window_shortcuts (GTK_APPLICATION (app), GTK_WIDGET (shortcuts), listed);

  g_hash_table_iter_init (&iter, registered);
  while (g_hash_table_iter_next (&iter, (gpointer *) &accel, NULL))
    if (!g_hash_table_contains (listed, accel))
      {
        g_autofree char *shown = set_to_string (listed);
        g_test_fail_printf ("%s is not in the shortcuts window (it lists %s)", accel, shown);
      }
  g_hash_table_iter_init (&iter, listed);
  while (g_hash_table_iter_next (&iter, (gpointer *) &accel, NULL))
    if (!g_hash_table_contains (registered, accel))
      {
        g_autofree char *known = set_to_string (registered);
        g_test_fail_printf ("the shortcuts window lists %s, which does nothing (known: %s)", accel, known);
      }
  postier_ui_test_screenshot_window (GTK_WINDOW (shortcuts), "shortcuts");

  gtk_window_close (GTK_WINDOW (shortcuts));
  postier_ui_test_finish (g_steal_pointer (&app));
}

/* The menu offers Help, and F1 reaches the same action, which opens the
 * installed Yelp pages. */
static void
test_help_action (void)
{
  g_autoptr(PostierApplication) app = NULL;
  g_auto(GStrv) accels = NULL;

  if (!postier_ui_test_have_display ())
    return;
  app = postier_ui_test_application ();
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (app), "help"));
  accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app), "app.help");
  g_assert_cmpstr (accels[0], ==, "F1");
  postier_ui_test_finish (g_steal_pointer (&app));
}

int
main (int   argc,
      char *argv[])
{
  postier_ui_test_init (&argc, &argv);
  g_test_add_func ("/about/window", test_about_window);
  g_test_add_func ("/shortcuts/every-accelerator-listed", test_shortcuts_window_lists_every_accelerator);
  g_test_add_func ("/help/action", test_help_action);
  return postier_ui_test_run ();
}
