/* test-window.c — the main window: its pages, actions and translation
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>

#include "postier-core.h"
#include "postier-outbox-view.h"
#include "postier-preferences.h"
#include "postier-test.h"
#include "postier-ui-test.h"

static void
test_window_pages_in_order (void)
{
  g_autoptr(PostierApplication) app = NULL;
  PostierWindow *window;
  AdwViewStack *stack;
  const char *expected[] = { "compose", "outbox", "sent", "sandbox" };
  GtkWidget *replacement;
  GtkWidget *child;
  guint i = 0;

  if (!postier_ui_test_have_display ())
    return;
  app = postier_ui_test_application ();
  window = postier_ui_test_window (app);
  stack = ADW_VIEW_STACK (postier_ui_test_find_by_id (GTK_WIDGET (window), "view_stack"));
  g_assert_nonnull (stack);

  /* A view taking over its placeholder keeps its place in the switcher. */
  replacement = gtk_label_new ("outbox view");
  postier_window_add_page (window, "outbox", "Outbox", "mail-send-receive-symbolic", replacement);
  g_assert_true (postier_window_get_page (window, "outbox") == replacement);

  for (child = gtk_widget_get_first_child (GTK_WIDGET (stack)); child != NULL;
       child = gtk_widget_get_next_sibling (child), i++)
    {
      AdwViewStackPage *page = adw_view_stack_get_page (stack, child);

      g_assert_cmpuint (i, <, G_N_ELEMENTS (expected));
      g_assert_cmpstr (adw_view_stack_page_get_name (page), ==, expected[i]);
    }
  g_assert_cmpuint (i, ==, G_N_ELEMENTS (expected));
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (stack), ==, "compose");

  /* Alt+2 and friends go through this action. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", "sent");
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (stack), ==, "sent");
  gtk_widget_activate_action (GTK_WIDGET (window), "win.new-message", NULL);
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (stack), ==, "compose");

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_window_accelerators (void)
{
  g_autoptr(PostierApplication) app = NULL;
  struct { const char *action; const char *accel; } expected[] = {
    { "app.quit", "<Control>q" },
    { "win.new-message", "<Control>n" },
    { "app.preferences", "<Control>comma" },
    { "win.show-page::outbox", "<Alt>2" },
  };

  if (!postier_ui_test_have_display ())
    return;
  app = postier_ui_test_application ();
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_auto(GStrv) accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app),
                                                                    expected[i].action);
      g_assert_nonnull (accels);
      g_assert_cmpstr (accels[0], ==, expected[i].accel);
    }
  /* The shortcuts window comes from resources, at the path GtkApplication
   * looks in. */
  g_assert_true (g_resources_get_info ("/io/github/postier/Postier/gtk/help-overlay.ui",
                                       G_RESOURCE_LOOKUP_FLAGS_NONE, NULL, NULL, NULL));
}

/* The app icon shows in the About dialog and for the window even when the
 * app runs from the build tree, with nothing installed. */
static void
test_window_icon (void)
{
  g_autoptr(PostierApplication) app = NULL;
  PostierWindow *window;
  GtkIconTheme *theme;
  GtkWindow *about = NULL;

  if (!postier_ui_test_have_display ())
    return;
  app = postier_ui_test_application ();
  window = postier_ui_test_window (app);
  theme = gtk_icon_theme_get_for_display (gtk_widget_get_display (GTK_WIDGET (window)));
  g_assert_true (gtk_icon_theme_has_icon (theme, APPLICATION_ID));
  g_assert_true (gtk_icon_theme_has_icon (theme, APPLICATION_ID "-symbolic"));

  g_action_group_activate_action (G_ACTION_GROUP (app), "about", NULL);
  postier_ui_test_spin (200);
  for (GList *l = gtk_window_list_toplevels (); l != NULL; l = g_list_delete_link (l, l))
    if (ADW_IS_ABOUT_WINDOW (l->data))
      about = l->data;
  g_assert_nonnull (about);
  g_assert_cmpstr (adw_about_window_get_application_icon (ADW_ABOUT_WINDOW (about)), ==,
                   APPLICATION_ID);
  gtk_window_destroy (about);
  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
window_hidden (gpointer data)
{
  return !gtk_widget_get_visible (GTK_WIDGET (data));
}

static GtkWindow *
last_toplevel (GType type)
{
  GtkWindow *found = NULL;

  for (GList *l = gtk_window_list_toplevels (); l != NULL; l = g_list_delete_link (l, l))
    if (G_TYPE_CHECK_INSTANCE_TYPE (l->data, type) && gtk_widget_get_visible (l->data))
      found = l->data;
  return found;
}

static gboolean
outbox_row_shown (gpointer data)
{
  return ADW_IS_EXPANDER_ROW (postier_outbox_view_find_row (data, NULL));
}

/* What a screen reader says for every control a person reaches: each
 * page, an expanded outbox message, a confirmation, Preferences and its
 * account editor, the account set-up. */
static void
test_window_accessible_names (void)
{
  g_autoptr(PostierApplication) app = NULL;
  g_autoptr(PostierAccount) down = postier_account_new ("Down");
  g_autoptr(PostierEnvelope) envelope = postier_envelope_new ("ann@example.org");
  g_autoptr(GBytes) message = g_bytes_new_static ("Subject: Budget\r\n\r\nx\r\n", 22);
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  const char *pages[] = { "compose", "outbox", "sent", "sandbox" };
  PostierWindow *window;
  GtkWidget *outbox = NULL, *row;
  GtkWindow *dialog;

  if (!postier_ui_test_have_display ())
    return;
  postier_ui_test_reset_files ();
  app = postier_ui_test_application ();
  window = postier_ui_test_window (app);

  /* A message waiting for a relay that is down. */
  postier_account_set_identity (down, "Ann <ann@example.org>");
  postier_account_set_host (down, "127.0.0.1");
  postier_account_set_port (down, postier_test_dead_port ());
  postier_account_set_security (down, POSTIER_SECURITY_NONE);
  postier_account_set_auth (down, POSTIER_AUTH_NONE);
  g_assert_true (postier_account_store_add (postier_application_get_account_store (app), down,
                                            TRUE, &error));
  g_assert_no_error (error);
  postier_envelope_add_recipient (envelope, "bob@example.org");
  id = postier_outbox_enqueue_bytes (postier_application_get_outbox (app), "Down", envelope,
                                     message, NULL, &error);
  g_assert_no_error (error);

  /* With Cc and Bcc shown, every field of the composer is there. */
  gtk_widget_activate_action (GTK_WIDGET (postier_window_get_composer (window)),
                              "composer.show-cc-bcc", NULL);
  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      postier_window_show_page (window, pages[i]);
      postier_ui_test_spin (200);
      if (g_str_equal (pages[i], "outbox"))
        {
          outbox = postier_window_get_page (window, "outbox");
          g_assert_true (postier_ui_test_wait_for (outbox_row_shown, outbox, 5000));
          row = postier_outbox_view_find_row (POSTIER_OUTBOX_VIEW (outbox), NULL);
          adw_expander_row_set_expanded (ADW_EXPANDER_ROW (row), TRUE);
          postier_ui_test_spin (300);
        }
      postier_ui_test_check_accessible_names (GTK_WIDGET (window));
    }

  /* A confirmation's buttons. */
  gtk_widget_activate_action (outbox, "outbox.delete", "s", id);
  postier_ui_test_spin (200);
  dialog = last_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  g_assert_nonnull (dialog);
  postier_ui_test_check_accessible_names (GTK_WIDGET (dialog));
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "cancel");

  /* Preferences, and the editor of an account. */
  postier_window_show_preferences (window);
  postier_ui_test_spin (300);
  dialog = last_toplevel (POSTIER_TYPE_PREFERENCES);
  g_assert_nonnull (dialog);
  postier_ui_test_check_accessible_names (GTK_WIDGET (dialog));
  postier_preferences_edit_account (POSTIER_PREFERENCES (dialog), "Down");
  postier_ui_test_spin (500);
  postier_ui_test_check_accessible_names (GTK_WIDGET (dialog));
  gtk_window_destroy (dialog);

  /* The set-up of an account. */
  postier_window_show_account_setup (window, TRUE);
  postier_ui_test_spin (300);
  dialog = last_toplevel (ADW_TYPE_WINDOW);
  g_assert_nonnull (dialog);
  postier_ui_test_check_accessible_names (GTK_WIDGET (dialog));
  /* A real Escape key closes it, as in every GNOME dialog. */
  {
    g_autoptr(GtkWindow) kept = g_object_ref (dialog);

    postier_ui_test_press_keys (dialog, "Escape");
    g_assert_true (postier_ui_test_wait_for (window_hidden, kept, 5000));
  }

  postier_submitter_stop (postier_application_get_submitter (app));
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_window_size_remembered (void)
{
  g_autoptr(PostierApplication) app = NULL;
  g_autoptr(GSettings) settings = NULL;
  PostierWindow *window;
  int width, height;

  if (!postier_ui_test_have_display ())
    return;
  app = postier_ui_test_application ();
  window = postier_ui_test_window (app);
  settings = g_settings_new (APPLICATION_ID);

  gtk_window_set_default_size (GTK_WINDOW (window), 700, 500);
  gtk_window_close (GTK_WINDOW (window));
  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 700);
  g_assert_cmpint (g_settings_get_int (settings, "window-height"), ==, 500);

  window = postier_ui_test_window (app);
  gtk_window_get_default_size (GTK_WINDOW (window), &width, &height);
  g_assert_cmpint (width, ==, 700);
  g_assert_cmpint (height, ==, 500);
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_window_french (void)
{
  if (!postier_ui_test_have_display ())
    return;
  if (g_test_subprocess ())
    {
      g_autoptr(PostierApplication) app = NULL;
      PostierWindow *window;

      /* A fresh process, so gettext reads LANGUAGE from the start. */
      g_setenv ("LANGUAGE", "fr", TRUE);
      postier_application_init_i18n ();
      app = postier_ui_test_application ();
      window = postier_ui_test_window (app);
      g_assert_nonnull (postier_ui_test_find_label (GTK_WIDGET (window), "Rédiger"));
      g_assert_nonnull (postier_ui_test_find_label (GTK_WIDGET (window), "Envoyés"));
      g_assert_null (postier_ui_test_find_label (GTK_WIDGET (window), "Compose"));
      gtk_window_destroy (GTK_WINDOW (window));
      return;
    }
  g_test_trap_subprocess (NULL, 30 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

int
main (int   argc,
      char *argv[])
{
  /* Accessible properties are kept (in memory, no bus), so the names can
   * be checked; the other UI programs run with none. */
  g_setenv ("GTK_A11Y", "test", TRUE);
  postier_ui_test_init (&argc, &argv);

  g_test_add_func ("/ui/window/pages-in-order", test_window_pages_in_order);
  g_test_add_func ("/ui/window/accelerators", test_window_accelerators);
  g_test_add_func ("/ui/window/icon", test_window_icon);
  g_test_add_func ("/ui/window/accessible-names", test_window_accessible_names);
  g_test_add_func ("/ui/window/size-remembered", test_window_size_remembered);
  g_test_add_func ("/ui/window/french", test_window_french);
  return postier_ui_test_run ();
}
