/* test-views-actions.c — what a person does in the views: edit or delete a
 * queued message, see what was sent, and manage accounts in Preferences
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "postier-account-editor.h"
#include "postier-account-save.h"
#include "postier-draft.h"
#include "postier-outbox-view.h"
#include "postier-preferences.h"
#include "postier-sent-view.h"
#include "postier-test.h"
#include "postier-ui-test.h"

static char *
keyring_lookup (const char *account,
                const char *host,
                const char *user)
{
  const char *argv[] = {
    "secret-tool", "lookup",
    "xdg:schema", "org.postier.Postier.Password",
    "account", account, "host", host, "user", user, NULL,
  };
  char *out = NULL;

  postier_test_run_program (NULL, NULL, &out, NULL, argv);
  return out;
}

static GtkWidget *
show_page (PostierWindow *window,
           const char    *name)
{
  postier_window_show_page (window, name);
  postier_ui_test_spin (100);
  return postier_window_get_page (window, name);
}

/* The message dialog the last action opened. */
static AdwMessageDialog *
find_message_dialog (void)
{
  AdwMessageDialog *found = NULL;

  for (GList *l = gtk_window_list_toplevels (); l != NULL; l = g_list_delete_link (l, l))
    if (ADW_IS_MESSAGE_DIALOG (l->data) && gtk_widget_get_visible (l->data))
      found = l->data;
  return found;
}

static char *
enqueue (PostierOutbox *outbox,
         const char    *subject)
{
  g_autoptr(PostierEnvelope) envelope = postier_envelope_new ("ada@example.org");
  g_autofree char *text = g_strdup_printf ("From: Ada <ada@example.org>\r\n"
                                           "To: Bob <bob@example.org>\r\n"
                                           "Subject: %s\r\n"
                                           "Message-ID: <%08x@example.org>\r\n"
                                           "MIME-Version: 1.0\r\n"
                                           "Content-Type: text/plain; charset=utf-8\r\n"
                                           "\r\n"
                                           "Body of %s.\r\n", subject, g_random_int (), subject);
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));
  g_autoptr(GError) error = NULL;
  char *id;

  postier_envelope_add_recipient (envelope, "bob@example.org");
  id = postier_outbox_enqueue_bytes (outbox, "Nowhere", envelope, bytes, NULL, &error);
  g_assert_no_error (error);
  return id;
}

static gboolean
model_has_items (gpointer data)
{
  return g_list_model_get_n_items (data) > 0;
}

static gboolean
model_has_two_items (gpointer data)
{
  return g_list_model_get_n_items (data) >= 2;
}

static gboolean
model_is_empty (gpointer data)
{
  return g_list_model_get_n_items (data) == 0;
}

/* --- Outbox: edit and delete ------------------------------------------------- */

/* Where ::edit-draft's draft and its path go. */
typedef struct {
  PostierDraft **draft;
  char         **path;
} EditedDraft;

static void
on_edit_draft (EditedDraft  *out,
               PostierDraft *draft,
               const char   *draft_path)
{
  g_set_object (out->draft, draft);
  g_free (*out->path);
  *out->path = g_strdup (draft_path);
}

static void
test_outbox_edit_and_delete (void)
{
  g_autoptr(PostierApplication) app = NULL;
  g_autoptr(PostierDraft) draft = NULL;
  g_autoptr(PostierDraft) saved = NULL;
  g_autoptr(PostierOutboxEntry) gone = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *edited_id = NULL;
  g_autofree char *deleted_id = NULL;
  g_autofree char *draft_path = NULL;
  EditedDraft edited = { &draft, &draft_path };
  PostierOutbox *outbox;
  PostierWindow *window;
  PostierOutboxView *view;
  AdwMessageDialog *dialog;

  if (!postier_ui_test_have_display ())
    return;
  postier_ui_test_reset_files ();
  app = postier_ui_test_application ();
  window = postier_ui_test_window (app);
  outbox = postier_application_get_outbox (app);
  view = POSTIER_OUTBOX_VIEW (show_page (window, "outbox"));
  g_signal_connect_swapped (view, "edit-draft", G_CALLBACK (on_edit_draft), &edited);

  edited_id = enqueue (outbox, "Second thoughts");
  g_assert_true (postier_ui_test_wait_for (model_has_items, postier_outbox_view_get_model (view),
                                           5000));

  /* Edit: the message comes back as a draft, kept on disk first, and only
   * then leaves the outbox. */
  gtk_widget_activate_action (GTK_WIDGET (view), "outbox.edit", "s", edited_id);
  g_assert_nonnull (draft);
  g_assert_cmpstr (postier_draft_get_subject (draft), ==, "Second thoughts");
  g_assert_cmpstr (postier_draft_get_account_name (draft), ==, "Nowhere");
  g_assert_nonnull (strstr (postier_draft_get_to (draft), "bob@example.org"));
  g_assert_nonnull (draft_path);
  saved = postier_draft_load (draft_path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (postier_draft_get_subject (saved), ==, "Second thoughts");
  gone = postier_outbox_lookup (outbox, edited_id, NULL);
  g_assert_null (gone);
  g_assert_true (postier_ui_test_wait_for (model_is_empty, postier_outbox_view_get_model (view),
                                           5000));

  /* Delete asks first; cancelling keeps the message. */
  deleted_id = enqueue (outbox, "Never mind");
  g_assert_true (postier_ui_test_wait_for (model_has_items, postier_outbox_view_get_model (view),
                                           5000));
  gtk_widget_activate_action (GTK_WIDGET (view), "outbox.delete", "s", deleted_id);
  dialog = find_message_dialog ();
  g_assert_nonnull (dialog);
  adw_message_dialog_response (dialog, "cancel");
  g_clear_object (&gone);
  gone = postier_outbox_lookup (outbox, deleted_id, &error);
  g_assert_no_error (error);
  g_assert_nonnull (gone);

  gtk_widget_activate_action (GTK_WIDGET (view), "outbox.delete", "s", deleted_id);
  dialog = find_message_dialog ();
  g_assert_nonnull (dialog);
  adw_message_dialog_response (dialog, "delete");
  g_clear_object (&gone);
  gone = postier_outbox_lookup (outbox, deleted_id, NULL);
  g_assert_null (gone);
  g_assert_true (postier_ui_test_wait_for (model_is_empty, postier_outbox_view_get_model (view),
                                           5000));

  gtk_window_destroy (GTK_WINDOW (window));
}

/* --- Sent ---------------------------------------------------------------------- */

static void
test_sent_lists_copies (void)
{
  g_autoptr(PostierApplication) app = NULL;
  g_autoptr(PostierSentStore) store = postier_sent_store_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (g_get_user_cache_dir (), "sent-test.eml", NULL);
  g_autofree char *name = NULL;
  g_autofree char *text = NULL;
  PostierWindow *window;
  PostierSentView *view;

  if (!postier_ui_test_have_display ())
    return;
  postier_ui_test_reset_files ();
  app = postier_ui_test_application ();
  window = postier_ui_test_window (app);
  view = POSTIER_SENT_VIEW (show_page (window, "sent"));
  g_assert_nonnull (postier_ui_test_find_label (GTK_WIDGET (view), "No Sent Messages Yet"));

  g_mkdir_with_parents (g_get_user_cache_dir (), 0700);
  g_file_set_contents (path,
                       "From: Ada <ada@example.org>\r\nTo: Bob <bob@example.org>\r\n"
                       "Subject: Quarterly report\r\n\r\nAttached.\r\n", -1, &error);
  g_assert_no_error (error);
  name = postier_sent_store_add (store, path, "Work", g_get_real_time () / G_USEC_PER_SEC, FALSE,
                                 NULL, &error);
  g_assert_no_error (error);

  /* The view watches the Maildir: the copy appears with when and how. */
  g_assert_true (postier_ui_test_wait_for (model_has_items, postier_sent_view_get_model (view),
                                           5000));
  g_assert_true (postier_ui_test_wait_for_text (GTK_WIDGET (view), "Quarterly report", 10000));
  text = postier_ui_test_visible_text (GTK_WIDGET (view));
  g_test_message ("%s", text);
  g_assert_nonnull (strstr (text, "Quarterly report"));
  g_assert_nonnull (strstr (text, "To Bob <bob@example.org>"));
  g_assert_nonnull (strstr (text, " through Work"));
  g_assert_nonnull (strstr (text, "1 message sent"));

  /* What the Sandbox captured never left this computer: its row never
   * says "Sent". */
  g_clear_pointer (&name, g_free);
  name = postier_sent_store_add (store, path, POSTIER_ACCOUNT_SANDBOX_NAME,
                                 g_get_real_time () / G_USEC_PER_SEC, FALSE, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (postier_ui_test_wait_for (model_has_two_items, postier_sent_view_get_model (view), 5000));
  g_assert_true (postier_ui_test_wait_for_text (GTK_WIDGET (view), "Captured by the Sandbox (not sent) ", 10000));
  g_clear_pointer (&text, g_free);
  text = postier_ui_test_visible_text (GTK_WIDGET (view));
  g_test_message ("%s", text);
  g_assert_nonnull (strstr (text, "Captured by the Sandbox (not sent) "));
  g_assert_null (strstr (text, "through Sandbox"));

  gtk_window_destroy (GTK_WINDOW (window));
}

/* --- Preferences ---------------------------------------------------------------- */

typedef struct {
  gboolean done;
  GError  *error;
} Saved;

static void
save_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Saved *saved = user_data;

  postier_account_save_finish (POSTIER_ACCOUNT_STORE (source), result, &saved->error);
  saved->done = TRUE;
}

static gboolean
saved_done (gpointer data)
{
  return ((Saved *) data)->done;
}

static void
add_account (PostierAccountStore *store,
             const char          *name,
             const char          *host,
             const char          *password)
{
  g_autoptr(PostierAccount) account = postier_account_new (name);
  Saved saved = { 0 };

  postier_account_set_identity (account, "Ada <ada@example.org>");
  postier_account_set_host (account, host);
  postier_account_save_async (store, account, POSTIER_ACCOUNT_SAVE_ADD, password, FALSE, NULL,
                              save_done, &saved);
  g_assert_true (postier_ui_test_wait_for (saved_done, &saved, 10000));
  g_assert_no_error (saved.error);
}

static GtkWidget *
account_row (GtkWidget  *preferences,
             const char *name)
{
  GtkWidget *list = postier_ui_test_find_by_id (preferences, "accounts_list");

  for (GtkWidget *row = gtk_widget_get_first_child (list); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    if (g_strcmp0 (g_object_get_data (G_OBJECT (row), "postier-account-name"), name) == 0)
      return row;
  return NULL;
}

typedef struct {
  PostierAccountStore *store;
  const char          *name;
  const char          *host;
} AccountWait;

static gboolean
account_gone (gpointer data)
{
  AccountWait *wait = data;

  return postier_account_store_lookup (wait->store, wait->name) == NULL;
}

static gboolean
account_on_host (gpointer data)
{
  AccountWait *wait = data;
  PostierAccount *account = postier_account_store_lookup (wait->store, wait->name);

  return account != NULL && g_strcmp0 (postier_account_get_host (account), wait->host) == 0;
}

typedef struct {
  GtkWidget  *preferences;
  const char *name;
} RowWait;

/* The list is rebuilt when the store says so, from an idle. */
static gboolean
row_gone (gpointer data)
{
  RowWait *wait = data;

  return account_row (wait->preferences, wait->name) == NULL;
}

static gboolean
offers_action (GtkWidget  *root,
               const char *action_name)
{
  if (GTK_IS_ACTIONABLE (root) &&
      g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (root)), action_name) == 0)
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (offers_action (child, action_name))
      return TRUE;
  return FALSE;
}

static void
test_preferences_manage_accounts (void)
{
  g_autoptr(PostierApplication) app = NULL;
  g_autofree char *suffix = g_strdup_printf ("%08x", g_random_int ());
  g_autofree char *work = g_strdup_printf ("Work%s", suffix);
  g_autofree char *home = g_strdup_printf ("Home%s", suffix);
  g_autofree char *new_host = g_strdup_printf ("submission-%s.example.org", suffix);
  g_autofree char *found = NULL;
  PostierAccountStore *store;
  PostierPreferences *preferences;
  PostierWindow *window;
  GtkWidget *radio, *sandbox_switch;
  AdwMessageDialog *dialog;
  AccountWait wait;
  RowWait row_wait = { NULL, NULL };

  if (!postier_ui_test_have_display () || postier_test_rig ("KEYRING") == NULL)
    return;
  postier_ui_test_reset_files ();
  app = postier_ui_test_application ();
  window = postier_ui_test_window (app);
  store = postier_application_get_account_store (app);
  add_account (store, work, "smtp.example.org", "work password");
  add_account (store, home, "mail.example.net", "home password");

  preferences = postier_preferences_new (GTK_WINDOW (window), store);
  gtk_window_present (GTK_WINDOW (preferences));
  postier_ui_test_spin (300);

  /* Every account is listed, the Sandbox too; the first relay added is the
   * default. */
  g_assert_nonnull (account_row (GTK_WIDGET (preferences), work));
  g_assert_nonnull (account_row (GTK_WIDGET (preferences), home));
  g_assert_nonnull (account_row (GTK_WIDGET (preferences), POSTIER_ACCOUNT_SANDBOX_NAME));
  radio = g_object_get_data (G_OBJECT (account_row (GTK_WIDGET (preferences), work)),
                             "postier-default-radio");
  g_assert_true (gtk_check_button_get_active (GTK_CHECK_BUTTON (radio)));
  postier_ui_test_screenshot ("preferences");

  /* Set another default. */
  radio = g_object_get_data (G_OBJECT (account_row (GTK_WIDGET (preferences), home)),
                             "postier-default-radio");
  gtk_check_button_set_active (GTK_CHECK_BUTTON (radio), TRUE);
  g_assert_cmpstr (postier_account_get_name (postier_account_store_get_default (store)), ==, home);

  /* The Sandbox can be hidden, never removed. */
  sandbox_switch = postier_ui_test_find_by_id (GTK_WIDGET (preferences), "sandbox_visible_switch");
  gtk_switch_set_active (GTK_SWITCH (sandbox_switch), FALSE);
  g_assert_true (postier_account_get_hidden (postier_account_store_get_sandbox (store)));
  g_assert_false (offers_action (account_row (GTK_WIDGET (preferences),
                                              POSTIER_ACCOUNT_SANDBOX_NAME),
                                 "preferences.remove-account"));
  g_assert_true (offers_action (account_row (GTK_WIDGET (preferences), work),
                                "preferences.remove-account"));

  /* The composer's own choices are there too, and stored. */
  {
    g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
    GtkWidget *complete = postier_ui_test_find_by_id (GTK_WIDGET (preferences),
                                                      "complete_addresses_switch");
    GtkWidget *cc_bcc = postier_ui_test_find_by_id (GTK_WIDGET (preferences), "show_cc_bcc_switch");

    g_assert_true (gtk_switch_get_active (GTK_SWITCH (complete)));
    gtk_switch_set_active (GTK_SWITCH (complete), FALSE);
    g_assert_false (g_settings_get_boolean (settings, "complete-addresses"));
    gtk_switch_set_active (GTK_SWITCH (cc_bcc), TRUE);
    g_assert_true (g_settings_get_boolean (settings, "show-cc-bcc"));
    g_settings_reset (settings, "complete-addresses");
    g_settings_reset (settings, "show-cc-bcc");
  }

  /* Edit: a new server keeps the password, moved in the keyring. */
  postier_preferences_edit_account (preferences, work);
  postier_ui_test_spin (300);
  {
    GtkWidget *host_row = postier_ui_test_find_by_id (GTK_WIDGET (preferences), "host_row");
    GtkWidget *editor = gtk_widget_get_ancestor (host_row, POSTIER_TYPE_ACCOUNT_EDITOR);

    g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (host_row)), ==, "smtp.example.org");
    gtk_editable_set_text (GTK_EDITABLE (host_row), new_host);
    postier_account_editor_save (POSTIER_ACCOUNT_EDITOR (editor));
  }
  wait = (AccountWait) { store, work, new_host };
  g_assert_true (postier_ui_test_wait_for (account_on_host, &wait, 10000));
  found = keyring_lookup (work, new_host, "ada@example.org");
  g_assert_cmpstr (found, ==, "work password");
  g_clear_pointer (&found, g_free);
  found = keyring_lookup (work, "smtp.example.org", "ada@example.org");
  g_assert_cmpstr (found, ==, "");
  g_clear_pointer (&found, g_free);

  /* Remove asks, then takes the keyring item along. */
  row_wait = (RowWait) { GTK_WIDGET (preferences), work };
  gtk_widget_activate_action (GTK_WIDGET (preferences), "preferences.remove-account", "s", work);
  dialog = find_message_dialog ();
  g_assert_nonnull (dialog);
  adw_message_dialog_response (dialog, "remove");
  g_assert_true (postier_ui_test_wait_for (account_gone, &wait, 10000));
  g_assert_true (postier_ui_test_wait_for (row_gone, &row_wait, 10000));
  found = keyring_lookup (work, new_host, "ada@example.org");
  g_assert_cmpstr (found, ==, "");

  gtk_window_destroy (GTK_WINDOW (preferences));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* --- Test from Preferences ---------------------------------------------------------- */

typedef struct {
  const char *heading;
} HeadingWait;

static gboolean
dialog_heading_is (gpointer data)
{
  HeadingWait *wait = data;
  AdwMessageDialog *dialog = find_message_dialog ();

  return dialog != NULL && g_strcmp0 (adw_message_dialog_get_heading (dialog), wait->heading) == 0;
}

static void
test_preferences_test_account (void)
{
  g_autoptr(PostierApplication) app = NULL;
  g_autoptr(PostierAccountStore) store = NULL;
  g_autofree char *heading = g_strdup_printf ("“%s” Works", "Rig-prefs-test");
  g_autofree char *report = NULL;
  HeadingWait wait = { heading };
  PostierPreferences *preferences;
  PostierWindow *window;
  AdwMessageDialog *dialog;

  if (!postier_ui_test_have_display ())
    return;
  postier_ui_test_reset_files ();
  store = postier_test_add_rig_account ("Rig-prefs-test", 0, NULL);
  if (store == NULL)
    return;
  app = postier_ui_test_application ();
  window = postier_ui_test_window (app);
  preferences = postier_preferences_new (GTK_WINDOW (window), postier_application_get_account_store (app));
  gtk_window_present (GTK_WINDOW (preferences));
  postier_ui_test_spin (300);

  /* The row's Test button: the real server, signed in, in plain words. */
  g_assert_true (offers_action (account_row (GTK_WIDGET (preferences), "Rig-prefs-test"),
                                "preferences.test-account"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (preferences), "preferences.test-account",
                                             "s", "Rig-prefs-test"));
  g_assert_true (postier_ui_test_wait_for (dialog_heading_is, &wait, 30000));
  dialog = find_message_dialog ();
  report = postier_ui_test_visible_text (GTK_WIDGET (dialog));
  g_test_message ("%s", report);
  g_assert_nonnull (strstr (report, "Postier can send mail through localhost."));
  g_assert_nonnull (strstr (report, "Signed in with PLAIN."));
  g_assert_null (strstr (report, postier_test_rig ("PASSWORD")));
  postier_ui_test_screenshot ("preferences-test-works");
  adw_message_dialog_response (dialog, "close");

  gtk_window_destroy (GTK_WINDOW (preferences));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* --- Test connection from the form ---------------------------------------------- */

static gboolean
result_shown (gpointer data)
{
  return gtk_widget_get_visible (data);
}

static void
test_editor_test_connection (void)
{
  g_autoptr(PostierApplication) app = NULL;
  const char *port = postier_test_rig ("SUBMISSION_PORT");
  const char *user = postier_test_rig ("USER");
  const char *password = postier_test_rig ("PASSWORD");
  PostierAccountEditor *editor;
  GtkWidget *window, *result_box;
  g_autofree char *report_text = NULL;
  const char *report;

  if (!postier_ui_test_have_display () || port == NULL || user == NULL || password == NULL)
    return;
  postier_ui_test_reset_files ();
  app = postier_ui_test_application ();

  editor = postier_account_editor_new (postier_application_get_account_store (app), NULL);
  window = adw_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 700, 900);
  adw_window_set_content (ADW_WINDOW (window), GTK_WIDGET (editor));
  gtk_window_present (GTK_WINDOW (window));

  /* The rig's Postfix, whose certificate comes from a private CA the form
   * knows nothing of: the test says so in plain words, and shows the
   * certificate so the person can compare it; no password is sent. */
  gtk_editable_set_text (GTK_EDITABLE (postier_ui_test_find_by_id (GTK_WIDGET (editor), "address_row")),
                         "alice@localhost");
  gtk_editable_set_text (GTK_EDITABLE (postier_ui_test_find_by_id (GTK_WIDGET (editor), "host_row")),
                         "localhost");
  adw_combo_row_set_selected (ADW_COMBO_ROW (postier_ui_test_find_by_id (GTK_WIDGET (editor),
                                                                         "security_row")),
                              POSTIER_SECURITY_STARTTLS);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (postier_ui_test_find_by_id (GTK_WIDGET (editor),
                                                                          "port_spin")),
                             g_ascii_strtod (port, NULL));
  gtk_editable_set_text (GTK_EDITABLE (postier_ui_test_find_by_id (GTK_WIDGET (editor), "user_row")),
                         user);
  gtk_editable_set_text (GTK_EDITABLE (postier_ui_test_find_by_id (GTK_WIDGET (editor),
                                                                   "password_row")), password);
  postier_account_editor_test (editor);

  result_box = postier_ui_test_find_by_id (GTK_WIDGET (editor), "test_result_box");
  g_assert_true (postier_ui_test_wait_for (result_shown, result_box, 30000));
  {
    GtkTextBuffer *buffer = gtk_text_view_get_buffer (
      GTK_TEXT_VIEW (postier_ui_test_find_by_id (GTK_WIDGET (editor), "test_result_view")));
    GtkTextIter start, end;

    gtk_text_buffer_get_bounds (buffer, &start, &end);
    report = report_text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  }
  g_test_message ("%s", report);
  g_assert_true (g_str_has_prefix (report, "The server’s certificate is not trusted"));
  g_assert_nonnull (strstr (report, "Subject: CN=localhost"));
  g_assert_nonnull (strstr (report, "SHA-256: "));
  g_assert_null (strstr (report, password));
  postier_ui_test_screenshot ("account-test-result");

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  postier_ui_test_init (&argc, &argv);

  g_test_add_func ("/ui/outbox/edit-and-delete", test_outbox_edit_and_delete);
  g_test_add_func ("/ui/sent/lists-copies", test_sent_lists_copies);
  g_test_add_func ("/ui/preferences/manage-accounts", test_preferences_manage_accounts);
  g_test_add_func ("/ui/editor/test-connection", test_editor_test_connection);
  g_test_add_func ("/ui/preferences/test-account", test_preferences_test_account);
  return postier_ui_test_run ();
}
