/* test-online-accounts.c — GNOME Online Accounts in the app (issue 14):
 * GOA's mail account listed "From Online Accounts" in Preferences,
 * read-only, with the button to Settings → Online Accounts where GNOME's
 * Settings is installed; offered in first-run set-up; the composer's From
 * starts with it while Postier has no account of its own.
 *
 * The real goa-daemon on the rig's private session bus, reading an
 * "IMAP and SMTP" account from accounts.conf in this test's own config
 * folder (as tests/integration/test-goa.c does).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <string.h>

#include "postier-accessible.h"
#include "postier-account-setup.h"
#include "postier-composer.h"
#include "postier-core.h"
#include "postier-online-accounts.h"
#include "postier-preferences.h"
#include "postier-test.h"
#include "postier-test-goa.h"
#include "postier-ui-test.h"

#define ACCOUNT  "goa:account_1700000000_0"

static gboolean
listed (gpointer data)
{
  (void) data;
  return postier_online_accounts_lookup_account (ACCOUNT) != NULL;
}

static gboolean
is_set (gpointer data)
{
  return *(char **) data != NULL;
}

static GtkWidget *
find_by_name (GtkWidget  *root,
              const char *name)
{
  if (g_strcmp0 (gtk_widget_get_name (root), name) == 0)
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_by_name (child, name);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
on_account_added (PostierAccountSetup *setup,
                  const char          *name,
                  char               **added)
{
  (void) setup;
  *added = g_strdup (name);
}

static void
test_online_accounts_in_the_app (void)
{
  const char *port = postier_test_rig ("SUBMISSION_PORT");
  g_autoptr(PostierAccountStore) store = postier_account_store_new (NULL);
  g_autoptr(GSettings) settings = NULL;
  g_autofree char *added = NULL;
  g_autofree char *text = NULL;
  g_autofree char *where = NULL;
  PostierPreferences *preferences;
  PostierAccountSetup *setup;
  PostierComposer *composer;
  GtkWidget *group, *row, *button, *window;
  GSubprocess *daemon;

  if (!postier_ui_test_have_display () || port == NULL)
    return;
  if (!g_file_test ("/usr/libexec/goa-daemon", G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_fail_printf ("gnome-online-accounts is not installed (build-aux/debian-packages.txt)");
      return;
    }
  g_type_class_unref (g_type_class_ref (POSTIER_TYPE_APPLICATION));
  postier_ui_test_reset_files ();
  postier_test_goa_write_account ("127.0.0.1", port);
  daemon = postier_test_goa_start_daemon ();
  g_assert_true (postier_account_store_load (store, NULL));
  g_assert_true (postier_ui_test_wait_for (listed, NULL, 20000));

  /* Preferences: listed after Postier's own, read-only, where it sends. */
  preferences = postier_preferences_new (NULL, store);
  gtk_window_set_default_size (GTK_WINDOW (preferences), 640, 640);
  gtk_window_present (GTK_WINDOW (preferences));
  postier_ui_test_spin (300);
  group = postier_ui_test_find_by_id (GTK_WIDGET (preferences), "online_accounts_group");
  g_assert_true (gtk_widget_get_visible (group));
  row = find_by_name (group, ACCOUNT);
  g_assert_nonnull (row);
  g_assert_false (gtk_list_box_row_get_activatable (GTK_LIST_BOX_ROW (row)));
  text = postier_ui_test_visible_text (group);
  where = g_strdup_printf ("IMAP and SMTP · 127.0.0.1:%s", port);
  g_assert_nonnull (strstr (text, "From Online Accounts"));
  g_assert_nonnull (strstr (text, "ada@rig.test"));
  g_assert_nonnull (strstr (text, where));
  button = find_by_name (group, "online_accounts_settings_button");
  g_assert_nonnull (button);
  {
    g_autofree char *settings_path = g_find_program_in_path ("gnome-control-center");

    g_assert_cmpint (gtk_widget_get_visible (button), ==, settings_path != NULL);
  }
  postier_ui_test_check_accessible_names (group);
  postier_ui_test_spin (g_getenv ("POSTIER_SCREENSHOT_DIR") != NULL ? 600 : 0);
  postier_ui_test_screenshot_window (GTK_WINDOW (preferences), "preferences-online-accounts");
  gtk_window_destroy (GTK_WINDOW (preferences));

  /* First run: offered, one click, and set-up does not come back. */
  setup = postier_account_setup_new (store);
  postier_account_setup_set_first_run (setup, TRUE);
  g_signal_connect (setup, "account-added", G_CALLBACK (on_account_added), &added);
  gtk_window_present (GTK_WINDOW (setup));
  postier_ui_test_spin (300);
  group = postier_ui_test_find_by_id (GTK_WIDGET (setup), "online_accounts_group");
  g_assert_true (gtk_widget_get_visible (group));
  postier_ui_test_spin (g_getenv ("POSTIER_SCREENSHOT_DIR") != NULL ? 600 : 0);
  postier_ui_test_screenshot_window (GTK_WINDOW (setup), "setup-online-accounts");
  row = find_by_name (group, ACCOUNT);
  g_assert_nonnull (row);
  g_assert_nonnull (postier_ui_test_find_label (row, "Use"));
  postier_ui_test_click (gtk_widget_get_ancestor (postier_ui_test_find_label (row, "Use"), GTK_TYPE_BUTTON));
  g_assert_true (postier_ui_test_wait_for (is_set, &added, 5000));
  g_assert_cmpstr (added, ==, "ada@rig.test");
  settings = g_settings_new (APPLICATION_ID);
  g_assert_true (g_settings_get_boolean (settings, "account-setup-dismissed"));

  /* "Add Account" later is for Postier's own accounts only. */
  setup = postier_account_setup_new (store);
  gtk_window_present (GTK_WINDOW (setup));
  postier_ui_test_spin (200);
  g_assert_false (gtk_widget_get_visible (postier_ui_test_find_by_id (GTK_WIDGET (setup), "online_accounts_bin")));
  gtk_window_destroy (GTK_WINDOW (setup));

  /* The composer starts with it: Postier has no account of its own. */
  {
    g_autoptr(PostierOutbox) outbox = postier_outbox_new (NULL);
    g_autoptr(PostierAddressBook) book = postier_address_book_new (NULL);

    composer = postier_composer_new (store, outbox, book, NULL);
  }
  window = gtk_window_new ();
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (composer));
  gtk_window_present (GTK_WINDOW (window));
  postier_ui_test_spin (300);
  {
    AdwComboRow *from = ADW_COMBO_ROW (postier_ui_test_find_by_id (GTK_WIDGET (composer), "from_row"));
    GtkStringObject *item = adw_combo_row_get_selected_item (from);

    g_assert_nonnull (item);
    g_assert_nonnull (strstr (gtk_string_object_get_string (item), "ada@rig.test"));
    g_assert_nonnull (strstr (gtk_string_object_get_string (item), "Online Accounts"));
  }
  gtk_window_destroy (GTK_WINDOW (window));
  postier_test_goa_stop_daemon (daemon);
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("GTK_A11Y", "test", TRUE);
  postier_ui_test_init (&argc, &argv);
  postier_accessible_install ();

  g_test_add_func ("/ui/online-accounts/in-the-app", test_online_accounts_in_the_app);
  return postier_ui_test_run ();
}
