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
#include <unistd.h>

#include <libsecret/secret.h>

#include "postier-accessible.h"
#include "postier-account-setup.h"
#include "postier-composer.h"
#include "postier-core.h"
#include "postier-online-accounts.h"
#include "postier-outbox-view.h"
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

static const SecretSchema goa_schema = {
  "org.gnome.OnlineAccounts", SECRET_SCHEMA_DONT_MATCH_NAME,
  { { "goa-identity", SECRET_SCHEMA_ATTRIBUTE_STRING }, { NULL, 0 } },
  0, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
};
#define GOA_IDENTITY "imap_smtp:gen0:account_1700000000_0"

/* GOA's own keyring item for the account, as GOA writes it (test-goa). */
static void
set_goa_password (const char *password)
{
  g_autoptr(GError) error = NULL;

  if (password == NULL)
    {
      secret_password_clear_sync (&goa_schema, NULL, &error, "goa-identity", GOA_IDENTITY, NULL);
      g_assert_no_error (error);
      return;
    }
  {
    g_autofree char *text = g_strdup_printf ("{'imap-password': <'%s'>, 'smtp-password': <'%s'>}",
                                             password, password);

    secret_password_store_sync (&goa_schema, SECRET_COLLECTION_DEFAULT, "GOA imap_smtp credentials", text,
                                NULL, &error, "goa-identity", GOA_IDENTITY, NULL);
    g_assert_no_error (error);
  }
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
  /* GOA has no password for it: GOA asks the person to sign in again. */
  set_goa_password (NULL);
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

  /* The composer starts with it: Postier has no account of its own; and it
   * passes on GOA's request to sign in again. The window comes once the
   * notice is up, so that the window's first sizing (the composer measured
   * at its minimum height) always takes the notice in: GTK fails the test
   * with a critical if the notice is taller at some width than its minimum. */
  {
    g_autoptr(PostierOutbox) outbox = postier_outbox_new (NULL);
    g_autoptr(PostierAddressBook) book = postier_address_book_new (NULL);

    composer = postier_composer_new (store, outbox, book, NULL);
  }
  g_assert_true (postier_ui_test_wait_for (postier_ui_test_revealed,
                                           postier_ui_test_find_by_id (GTK_WIDGET (composer), "attention_revealer"),
                                           20000));
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
  g_assert_true (postier_ui_test_wait_for_text (GTK_WIDGET (composer),
                                                "Online Accounts asks you to sign in to this account again", 5000));
  /* Its button opens Settings, where there is one. */
  g_assert_true (gtk_widget_get_visible (postier_ui_test_find_by_id (GTK_WIDGET (composer), "attention_button")) ==
                 postier_online_accounts_can_open_settings ());
  gtk_window_destroy (GTK_WINDOW (window));
  postier_test_goa_stop_daemon (daemon);
}

/* --- When the account needs the person (issue 14, this session) ------------ */

#define GONE "goa:account_1700000000_9"   /* an account GOA never had, or removed */

typedef struct {
  PostierOutbox *outbox;
  const char    *id;
} EntryWait;

static gboolean
needs_attention (gpointer data)
{
  EntryWait *wait = data;
  g_autoptr(PostierOutboxEntry) entry = postier_outbox_lookup (wait->outbox, wait->id, NULL);

  return entry != NULL && postier_outbox_entry_get_state (entry) == POSTIER_OUTBOX_STATE_NEEDS_ATTENTION;
}

/* The row's one button: shown with LABEL, or hidden when LABEL is NULL. */
static void
assert_row_button (PostierOutboxView *view,
                   const char        *id,
                   const char        *label)
{
  GtkWidget *button = postier_ui_test_find_by_id (postier_outbox_view_find_row (view, id), "sign_in_button");

  g_assert_nonnull (button);
  if (label == NULL)
    g_assert_false (gtk_widget_get_visible (button));
  else
    {
      g_assert_true (gtk_widget_get_visible (button));
      g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (button)), ==, label);
    }
}

/* The Test dialog's heading, once it is HEADING. */
static gboolean
test_dialog_says (gpointer data)
{
  GListModel *toplevels = gtk_window_get_toplevels ();   /* GTK's own */

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window) &&
          g_strcmp0 (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (window)), data) == 0)
        return TRUE;
    }
  return FALSE;
}

static void
close_test_dialogs (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();   /* GTK's own */

  for (guint i = g_list_model_get_n_items (toplevels); i > 0; i--)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i - 1);

      if (ADW_IS_MESSAGE_DIALOG (window))
        adw_message_dialog_response (ADW_MESSAGE_DIALOG (window), "close");
    }
  postier_ui_test_spin (100);
}

static guint
count_entries (PostierOutbox *outbox,
               const char    *account)
{
  g_autoptr(GPtrArray) entries = postier_outbox_list (outbox, NULL);
  guint n = 0;

  for (guint i = 0; entries != NULL && i < entries->len; i++)
    if (g_strcmp0 (postier_outbox_entry_get_account_name (g_ptr_array_index (entries, i)), account) == 0)
      n++;
  return n;
}

static gboolean
unlisted (gpointer data)
{
  return !listed (data);
}

static gboolean
entry_gone (gpointer data)
{
  EntryWait *wait = data;
  g_autoptr(PostierOutboxEntry) entry = postier_outbox_lookup (wait->outbox, wait->id, NULL);

  return entry == NULL;
}

typedef struct {
  PostierOutboxView *view;
  const char        *id;
} RowGone;

static gboolean
row_gone (gpointer data)
{
  RowGone *wait = data;

  return postier_outbox_view_find_row (wait->view, wait->id) == NULL;
}

static gboolean
from_is_goa (gpointer composer)
{
  AdwComboRow *from = ADW_COMBO_ROW (postier_ui_test_find_by_id (composer, "from_row"));
  GtkStringObject *item = adw_combo_row_get_selected_item (from);

  return item != NULL && strstr (gtk_string_object_get_string (item), "ada@rig.test") != NULL;
}

static gboolean
two_queued (gpointer outbox)
{
  return count_entries (outbox, ACCOUNT) == 2;
}

/* The expanded row shows its history line. */
static gboolean
shows_history (gpointer row)
{
  g_autofree char *text = postier_ui_test_visible_text (row);

  return strstr (text, "through ") != NULL;
}

static void
test_online_accounts_attention (void)
{
  const char *port = postier_test_rig ("SUBMISSION_PORT");
  gboolean settings_app = postier_online_accounts_can_open_settings ();
  g_autoptr(PostierAccountStore) store = postier_account_store_new (NULL);
  g_autoptr(GSettings) settings = NULL;
  g_autofree char *refused_id = NULL;
  g_autofree char *gone_id = NULL;
  PostierApplication *app;
  PostierWindow *window;
  PostierOutbox *outbox;
  PostierOutboxView *view;
  PostierComposer *composer;
  PostierPreferences *preferences;
  GtkWidget *revealer, *row;
  GSubprocess *daemon;
  EntryWait entry_wait;

  if (!postier_ui_test_have_display () || port == NULL)
    return;
  if (!g_file_test ("/usr/libexec/goa-daemon", G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_fail_printf ("gnome-online-accounts is not installed (build-aux/debian-packages.txt)");
      return;
    }
  postier_ui_test_reset_files ();
  settings = g_settings_new (APPLICATION_ID);
  g_settings_set_boolean (settings, "account-setup-dismissed", TRUE);
  /* GOA has no password for it: it refuses to hand one out, as when the
   * person must sign in again. */
  set_goa_password (NULL);
  postier_test_goa_write_account ("127.0.0.1", port);
  daemon = postier_test_goa_start_daemon ();
  g_assert_true (postier_account_store_load (store, NULL));
  g_assert_true (postier_ui_test_wait_for (listed, NULL, 20000));

  app = postier_ui_test_application ();
  window = postier_ui_test_window (app);
  outbox = postier_application_get_outbox (app);
  refused_id = postier_test_enqueue (outbox, ACCOUNT, "carol@example.org", "Refused by Online Accounts",
                                     "<goa-refused@example.org>");
  gone_id = postier_test_enqueue (outbox, GONE, "carol@example.org", "Online Accounts account gone",
                                  "<goa-gone@example.org>");
  entry_wait = (EntryWait) { outbox, refused_id };
  g_assert_true (postier_ui_test_wait_for (needs_attention, &entry_wait, 60000));
  entry_wait = (EntryWait) { outbox, gone_id };
  g_assert_true (postier_ui_test_wait_for (needs_attention, &entry_wait, 60000));

  /* 1. The outbox rows say what to do, and the button does it. */
  postier_window_show_page (window, "outbox");
  view = POSTIER_OUTBOX_VIEW (postier_window_get_page (window, "outbox"));
  g_assert_true (postier_ui_test_wait_for_row (view, refused_id,
                                               "Needs attention — sign in again in Settings → Online Accounts",
                                               10000));
  assert_row_button (view, refused_id, settings_app ? "Open _Settings" : NULL);
  g_assert_true (postier_ui_test_wait_for_row (view, gone_id,
                                               "Needs attention — the Online Accounts account is gone or has mail "
                                               "turned off", 10000));
  assert_row_button (view, gone_id, settings_app ? "Open _Settings" : NULL);
  {
    g_autofree char *text = postier_ui_test_visible_text (postier_outbox_view_find_row (view, refused_id));

    g_assert_null (strstr (text, "check the account settings"));
  }
  /* The vanished account is named by the address its message was sent
   * from, in core's line and in the history, never by GOA's id. */
  {
    GtkWidget *gone_row = postier_outbox_view_find_row (view, gone_id);
    g_autofree char *text = postier_ui_test_visible_text (gone_row);
    g_autofree char *expanded = NULL;

    g_assert_nonnull (strstr (text, "The Online Accounts account “alice@localhost” is gone"));
    g_assert_null (strstr (text, "account_1700000000_9"));
    adw_expander_row_set_expanded (ADW_EXPANDER_ROW (gone_row), TRUE);
    /* The details show once the row's reveal animation has run: slower
     * under ASan than any fixed pause. */
    g_assert_true (postier_ui_test_wait_for (shows_history, gone_row, 10000));
    expanded = postier_ui_test_visible_text (gone_row);
    g_assert_nonnull (strstr (expanded, "through alice@localhost"));
    g_assert_null (strstr (expanded, "account_1700000000_9"));
    adw_expander_row_set_expanded (ADW_EXPANDER_ROW (gone_row), FALSE);
  }
  postier_ui_test_check_accessible_names (GTK_WIDGET (view));
  postier_ui_test_spin (g_getenv ("POSTIER_SCREENSHOT_DIR") != NULL ? 600 : 0);
  postier_ui_test_screenshot_window (GTK_WINDOW (window), "outbox-online-accounts-attention");

  /* 2. The composer warns before Send, and Send still queues. */
  postier_window_show_page (window, "compose");
  composer = POSTIER_COMPOSER (postier_window_get_page (window, "compose"));
  revealer = postier_ui_test_find_by_id (GTK_WIDGET (composer), "attention_revealer");
  /* Postier has no account of its own: From is GOA's, not the Sandbox
   * that stood in before GOA's first answer (the window came first). */
  g_assert_true (postier_ui_test_wait_for (from_is_goa, composer, 10000));
  g_assert_true (postier_ui_test_wait_for (postier_ui_test_revealed, revealer, 10000));
  g_assert_true (postier_ui_test_wait_for_text (revealer, "Online Accounts refused to sign in this account", 5000));
  g_assert_true (gtk_widget_get_visible (postier_ui_test_find_by_id (revealer, "attention_button")) ==
                 settings_app);
  gtk_editable_set_text (GTK_EDITABLE (postier_ui_test_find_by_id (GTK_WIDGET (composer), "to_entry")),
                         "carol@example.org");
  gtk_editable_set_text (GTK_EDITABLE (postier_ui_test_find_by_id (GTK_WIDGET (composer), "subject_entry")),
                         "Written while the account needs attention");
  postier_ui_test_spin (g_getenv ("POSTIER_SCREENSHOT_DIR") != NULL ? 600 : 0);
  postier_ui_test_screenshot_window (GTK_WINDOW (window), "composer-online-accounts-attention");
  g_assert_cmpuint (count_entries (outbox, ACCOUNT), ==, 1);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (composer), "composer.send", NULL));
  g_assert_true (postier_ui_test_wait_for (two_queued, outbox, 10000));

  /* 3. Test Connection in Preferences, with GOA's credentials: refused
   * without a password, working with it. */
  preferences = postier_preferences_new (GTK_WINDOW (window), store);
  gtk_window_present (GTK_WINDOW (preferences));
  postier_ui_test_spin (300);
  row = find_by_name (postier_ui_test_find_by_id (GTK_WIDGET (preferences), "online_accounts_group"), ACCOUNT);
  g_assert_nonnull (row);
  g_assert_nonnull (postier_ui_test_find_label (row, "Test"));
  postier_ui_test_check_accessible_names (row);
  postier_ui_test_click (gtk_widget_get_ancestor (postier_ui_test_find_label (row, "Test"), GTK_TYPE_BUTTON));
  g_assert_true (postier_ui_test_wait_for (test_dialog_says, (gpointer) "“ada@rig.test” Cannot Send", 60000));
  close_test_dialogs ();
  set_goa_password (postier_test_rig ("PASSWORD"));
  postier_ui_test_click (gtk_widget_get_ancestor (postier_ui_test_find_label (row, "Test"), GTK_TYPE_BUTTON));
  g_assert_true (postier_ui_test_wait_for (test_dialog_says, (gpointer) "“ada@rig.test” Works", 60000));
  close_test_dialogs ();
  gtk_window_destroy (GTK_WINDOW (preferences));

  /* 4. Mail turned off in Settings: the message waits, saying so; turned
   * on again: it goes by itself (core follows GOA for the app's
   * submitter), and its row goes with it. */
  {
    g_autofree char *tag = g_strdup_printf ("%d-%" G_GINT64_FORMAT, (int) getpid (), g_get_real_time ());
    g_autofree char *message_id = g_strdup_printf ("<goa-back-%s@example.org>", tag);
    g_autofree char *back_id = NULL;
    g_autoptr(GPtrArray) files = NULL;
    RowGone row_gone_wait;

    /* Rows follow GOA's list alone, the outbox unchanged: the refused
     * message's account is now gone from it. */
    postier_window_show_page (window, "outbox");
    g_assert_true (postier_ui_test_wait_for_row (view, refused_id, "sign in again in Settings", 10000));
    postier_test_goa_set_mail_disabled (TRUE);
    g_assert_true (postier_ui_test_wait_for (unlisted, NULL, 20000));
    g_assert_true (postier_ui_test_wait_for_row (view, refused_id, "gone or has mail turned off", 10000));
    back_id = postier_test_enqueue (outbox, ACCOUNT, "carol@example.org", "Online Accounts mail back on",
                                    message_id);
    entry_wait = (EntryWait) { outbox, back_id };
    g_assert_true (postier_ui_test_wait_for (needs_attention, &entry_wait, 60000));
    postier_window_show_page (window, "outbox");
    g_assert_true (postier_ui_test_wait_for_row (view, back_id, "gone or has mail turned off", 10000));
    postier_test_goa_set_mail_disabled (FALSE);
    g_assert_true (postier_ui_test_wait_for_text (GTK_WIDGET (window),
                                                  "ada@rig.test is back in Online Accounts: 1 waiting message is on "
                                                  "its way", 60000));
    g_assert_true (postier_ui_test_wait_for (entry_gone, &entry_wait, 60000));
    row_gone_wait = (RowGone) { view, back_id };
    g_assert_true (postier_ui_test_wait_for (row_gone, &row_gone_wait, 10000));
    files = postier_test_maildir_files (message_id, 1);
    g_assert_cmpuint (files->len, ==, 1);
    /* …and back: GOA still refuses the first message's sign-in. */
    g_assert_true (postier_ui_test_wait_for_row (view, refused_id,
                                                 "Needs attention — sign in again in Settings → Online Accounts",
                                                 10000));
  }

  postier_ui_test_finish (app);
  set_goa_password (NULL);
  postier_test_goa_stop_daemon (daemon);
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("GTK_A11Y", "test", TRUE);
  /* GOA accounts carry no CA file: the rig's CA, as OpenSSL's default. */
  if (postier_test_rig ("CA") != NULL)
    g_setenv ("SSL_CERT_FILE", postier_test_rig ("CA"), TRUE);
  postier_ui_test_init (&argc, &argv);
  postier_accessible_install ();

  g_test_add_func ("/ui/online-accounts/in-the-app", test_online_accounts_in_the_app);
  g_test_add_func ("/ui/online-accounts/attention", test_online_accounts_attention);
  return postier_ui_test_run ();
}
