/* test-oauth-sign-in.c — OAuth 2.0 in the app (issue 14): the sign-in
 * method chosen from a provider preset in set-up; the wait for the browser,
 * with Cancel, that ends by itself when the browser comes back; a message
 * refused because the grant was revoked shows "Sign In Again", and after
 * signing in it arrives exactly once.
 *
 * Real parts: the rig's authorization server (oidc-provider), Dovecot
 * checking the tokens for the rig's Postfix, and a stand-in for the
 * person's browser (tests/rig/oauth/browser.py: logs in, consents) that
 * GIO opens as the default handler for http, as the desktop would.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "postier-accessible.h"
#include "postier-account-editor.h"
#include "postier-account-setup.h"
#include "postier-composer.h"
#include "postier-core.h"
#include "postier-oauth-http.h"
#include "postier-outbox-view.h"
#include "postier-sign-in-dialog.h"
#include "postier-test.h"
#include "postier-ui-test.h"

/* The keyring is shared by test programs that run in parallel. */
#define RIG_ADDED   "Rig-oauth-added"
#define RIG_AGAIN   "Rig-oauth-again"

/* The sign-in choices, in the auth row's order (postier-account-editor-private.h). */
enum { AUTH_PASSWORD, AUTH_GOOGLE, AUTH_MICROSOFT, AUTH_OTHER_OAUTH, AUTH_NONE };

typedef struct {
  const char *issuer, *port, *ca, *user, *password, *browser, *secret, *scope;
  char       *stall;   /* while this file exists, the browser does nothing */
} Rig;

static gboolean
get_rig (Rig *rig)
{
  rig->issuer = postier_test_rig ("OAUTH_ISSUER");
  rig->port = postier_test_rig ("OAUTH_PORT");
  rig->ca = postier_test_rig ("CA");
  rig->user = postier_test_rig ("OAUTH_USER");
  rig->password = postier_test_rig ("OAUTH_PASSWORD");
  rig->browser = postier_test_rig ("OAUTH_BROWSER");
  rig->secret = postier_test_rig ("OAUTH_ADMIN_SECRET");
  rig->scope = postier_test_rig ("OAUTH_SCOPE");
  if (rig->issuer == NULL || rig->port == NULL || rig->ca == NULL || rig->user == NULL ||
      rig->password == NULL || rig->browser == NULL || rig->secret == NULL || rig->scope == NULL)
    {
      g_test_skip ("no OAuth rig");
      return FALSE;
    }

  return postier_test_oauth_server_ready (rig->issuer);
}

/* The person's browser, as GIO finds it: the default handler for http in
 * the test's own XDG folders. A shell wrapper, so the test can make it
 * stall (the person has not signed in yet) without GIO's cache of
 * mimeapps.list getting in the way. What it prints goes to stderr: it
 * inherits the app's stdout, which is this test's TAP stream. */
static void
install_browser (Rig *rig)
{
  g_autofree char *apps = g_build_filename (g_get_user_data_dir (), "applications", NULL);
  g_autofree char *desktop = g_build_filename (apps, "rig-browser.desktop", NULL);
  g_autofree char *script = g_build_filename (g_get_user_data_dir (), "rig-browser.sh", NULL);
  g_autofree char *mimeapps = g_build_filename (g_get_user_config_dir (), "mimeapps.list", NULL);
  g_autofree char *entry = NULL;
  g_autofree char *body = NULL;
  g_autoptr(GError) error = NULL;

  rig->stall = g_build_filename (g_get_user_data_dir (), "rig-browser-stalls", NULL);
  body = g_strdup_printf ("#!/bin/sh\n[ -e '%s' ] && exit 0\nexec /usr/bin/python3 '%s' \"$1\" '%s' '%s' >&2\n",
                          rig->stall, rig->browser, rig->user, rig->password);
  entry = g_strdup_printf ("[Desktop Entry]\nType=Application\nName=Rig browser\nExec=%s %%u\n"
                           "MimeType=x-scheme-handler/http;x-scheme-handler/https;\n", script);
  g_assert_cmpint (g_mkdir_with_parents (apps, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (g_get_user_config_dir (), 0700), ==, 0);
  g_assert_true (g_file_set_contents (script, body, -1, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (script, 0700), ==, 0);
  g_assert_true (g_file_set_contents (desktop, entry, -1, &error));
  g_assert_true (g_file_set_contents (mimeapps, "[Default Applications]\n"
                                      "x-scheme-handler/http=rig-browser.desktop\n", -1, &error));
  g_assert_no_error (error);
}

static void
stall_browser (Rig      *rig,
               gboolean  stall)
{
  if (stall)
    g_assert_true (g_file_set_contents (rig->stall, "", 0, NULL));
  else
    g_unlink (rig->stall);
}

/* POST to one of the rig's test-only routes. */
static void
rig_post (const Rig  *rig,
          const char *path)
{
  g_autofree char *url = g_strconcat (rig->issuer, path, NULL);
  g_autofree char *code = g_strdup_printf (
    "import sys, urllib.request\n"
    "r = urllib.request.Request(sys.argv[1], data=b'', method='POST', headers={'X-Rig-Secret': sys.argv[2]})\n"
    "urllib.request.urlopen(r, timeout=30).read()\n");
  const char *argv[] = { "/usr/bin/python3", "-c", code, url, rig->secret, NULL };

  g_assert_cmpint (postier_test_run_program (NULL, NULL, NULL, NULL, argv), ==, 0);
}

static void
clean_up (Rig *rig)
{
  stall_browser (rig, FALSE);
  g_clear_pointer (&rig->stall, g_free);
}

/* --- Waiting ------------------------------------------------------------------- */

static gboolean
is_true (gpointer data)
{
  return *(gboolean *) data;
}

static PostierSignInDialog *
find_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();   /* GTK's own */

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (POSTIER_IS_SIGN_IN_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return POSTIER_SIGN_IN_DIALOG (window);
    }
  return NULL;
}

static gboolean
dialog_shown (gpointer data)
{
  (void) data;
  return find_dialog () != NULL;
}

static gboolean
dialog_gone (gpointer data)
{
  (void) data;
  return find_dialog () == NULL;
}

static void
on_finished (PostierSignInDialog *dialog,
             gboolean             signed_in,
             int                 *result)
{
  (void) dialog;
  *result = signed_in ? 1 : 0;
}

/* --- The sign-in method in set-up ------------------------------------------ */

static guint
selected_auth (PostierAccountEditor *editor)
{
  return adw_combo_row_get_selected (ADW_COMBO_ROW (postier_ui_test_find_by_id (GTK_WIDGET (editor),
                                                                                "auth_row")));
}

static gboolean
google_chosen (gpointer data)
{
  return selected_auth (data) == AUTH_GOOGLE;
}

static gboolean
row_visible (PostierAccountEditor *editor,
             const char           *id)
{
  return gtk_widget_get_visible (postier_ui_test_find_by_id (GTK_WIDGET (editor), id));
}

static void
set_text (PostierAccountEditor *editor,
          const char           *id,
          const char           *text)
{
  gtk_editable_set_text (GTK_EDITABLE (postier_ui_test_find_by_id (GTK_WIDGET (editor), id)), text);
}

static void
test_method_from_preset (void)
{
  g_autoptr(PostierAccountStore) store = postier_account_store_new (NULL);
  PostierAccountSetup *setup;
  PostierAccountEditor *editor;

  if (!postier_ui_test_have_display ())
    return;
  g_type_class_unref (g_type_class_ref (POSTIER_TYPE_APPLICATION));
  postier_ui_test_reset_files ();
  g_assert_true (postier_account_store_load (store, NULL));

  setup = postier_account_setup_new (store);
  postier_account_setup_set_first_run (setup, TRUE);
  editor = postier_account_setup_get_editor (setup);
  gtk_window_present (GTK_WINDOW (setup));
  postier_ui_test_spin (200);

  /* A password unless a provider says otherwise. */
  g_assert_cmpuint (selected_auth (editor), ==, AUTH_PASSWORD);
  g_assert_true (row_visible (editor, "password_row"));
  g_assert_false (row_visible (editor, "issuer_row"));
  g_assert_false (row_visible (editor, "client_id_row"));

  /* Gmail: Postier's own preset picks Google's sign-in, no password. */
  set_text (editor, "address_row", "ada@gmail.com");
  postier_account_editor_find_server (editor);
  g_assert_true (postier_ui_test_wait_for (google_chosen, editor, 10000));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (postier_ui_test_find_by_id (GTK_WIDGET (editor),
                                                                                    "host_row"))),
                   ==, "smtp.gmail.com");
  g_assert_false (row_visible (editor, "password_row"));
  g_assert_true (row_visible (editor, "client_id_row"));
  g_assert_false (row_visible (editor, "issuer_row"));
  postier_ui_test_check_accessible_names (GTK_WIDGET (setup));

  /* The person's own choice is theirs: another look-up does not undo it. */
  adw_combo_row_set_selected (ADW_COMBO_ROW (postier_ui_test_find_by_id (GTK_WIDGET (editor), "auth_row")),
                              AUTH_NONE);
  g_assert_false (row_visible (editor, "password_row"));
  g_assert_false (row_visible (editor, "user_row"));
  postier_account_editor_find_server (editor);
  postier_ui_test_spin (500);
  g_assert_cmpuint (selected_auth (editor), ==, AUTH_NONE);
  adw_combo_row_set_selected (ADW_COMBO_ROW (postier_ui_test_find_by_id (GTK_WIDGET (editor), "auth_row")),
                              AUTH_OTHER_OAUTH);
  g_assert_true (row_visible (editor, "issuer_row"));
  g_assert_true (row_visible (editor, "user_row"));
  gtk_window_destroy (GTK_WINDOW (setup));
}

/* --- Signing in while adding an account ------------------------------------- */

static void
on_account_added (PostierAccountSetup *setup,
                  const char          *name,
                  gboolean            *added)
{
  (void) setup;
  (void) name;
  *added = TRUE;
}

static void
fill_rig_account (PostierAccountEditor *editor,
                  const Rig            *rig,
                  const char           *name)
{
  set_text (editor, "display_name_row", "Alice");
  set_text (editor, "address_row", "alice@localhost");
  set_text (editor, "name_row", name);
  set_text (editor, "host_row", "localhost");
  adw_combo_row_set_selected (ADW_COMBO_ROW (postier_ui_test_find_by_id (GTK_WIDGET (editor), "security_row")),
                              POSTIER_SECURITY_STARTTLS);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (postier_ui_test_find_by_id (GTK_WIDGET (editor), "port_spin")),
                             g_ascii_strtod (rig->port, NULL));
  adw_combo_row_set_selected (ADW_COMBO_ROW (postier_ui_test_find_by_id (GTK_WIDGET (editor), "auth_row")),
                              AUTH_OTHER_OAUTH);
  set_text (editor, "issuer_row", rig->issuer);
  set_text (editor, "client_id_row", "postier-app");
}

static void
test_sign_in_while_adding (void)
{
  g_autoptr(PostierAccountStore) store = postier_account_store_new (NULL);
  g_autoptr(PostierAccountStore) saved = postier_account_store_new (NULL);
  g_autoptr(GError) error = NULL;
  PostierAccountSetup *setup;
  PostierAccountEditor *editor;
  PostierSignInDialog *dialog;
  PostierAccount *account;
  gboolean added = FALSE;
  int result = -1;
  Rig rig = { 0 };

  if (!postier_ui_test_have_display () || !get_rig (&rig))
    return;
  g_type_class_unref (g_type_class_ref (POSTIER_TYPE_APPLICATION));
  postier_ui_test_reset_files ();
  install_browser (&rig);
  g_assert_true (postier_account_store_load (store, NULL));

  setup = postier_account_setup_new (store);
  g_signal_connect (setup, "account-added", G_CALLBACK (on_account_added), &added);
  editor = postier_account_setup_get_editor (setup);
  gtk_window_present (GTK_WINDOW (setup));
  postier_ui_test_spin (200);
  fill_rig_account (editor, &rig, RIG_ADDED);

  /* The browser is open, the person has not signed in yet: the app waits,
   * and Cancel ends it with nothing saved. */
  stall_browser (&rig, TRUE);
  postier_ui_test_click (postier_ui_test_find_by_id (GTK_WIDGET (setup), "add_button"));
  g_assert_true (postier_ui_test_wait_for (dialog_shown, NULL, 10000));
  dialog = find_dialog ();
  g_signal_connect (dialog, "finished", G_CALLBACK (on_finished), &result);
  {
    g_autofree char *text = postier_ui_test_visible_text (GTK_WIDGET (dialog));

    g_assert_nonnull (strstr (text, "Sign In to 127.0.0.1"));
    g_assert_nonnull (strstr (text, "closes by itself"));
  }
  postier_ui_test_check_accessible_names (GTK_WIDGET (dialog));
  postier_ui_test_spin (g_getenv ("POSTIER_SCREENSHOT_DIR") != NULL ? 600 : 0);
  postier_ui_test_screenshot_window (GTK_WINDOW (dialog), "oauth-sign-in-wait");
  postier_ui_test_click (postier_ui_test_find_by_id (GTK_WIDGET (dialog), "cancel_button"));
  g_assert_true (postier_ui_test_wait_for (dialog_gone, NULL, 5000));
  g_assert_cmpint (result, ==, 0);
  g_assert_false (added);
  g_assert_true (gtk_widget_get_visible (postier_ui_test_find_by_id (GTK_WIDGET (editor), "error_label")));
  g_assert_true (postier_account_store_load (saved, NULL));
  g_assert_null (postier_account_store_lookup (saved, RIG_ADDED));

  /* Again, and the person signs in: the window closes by itself, the
   * account is saved, its refresh token in the keyring. */
  stall_browser (&rig, FALSE);
  postier_ui_test_click (postier_ui_test_find_by_id (GTK_WIDGET (setup), "add_button"));
  g_assert_true (postier_ui_test_wait_for (is_true, &added, 60000));
  g_assert_true (dialog_gone (NULL));
  g_assert_true (postier_account_store_load (saved, NULL));
  account = postier_account_store_lookup (saved, RIG_ADDED);
  g_assert_nonnull (account);
  g_assert_cmpstr (postier_account_get_oauth_provider (account), ==, rig.issuer);
  g_assert_cmpstr (postier_account_get_oauth_client_id (account), ==, "postier-app");
  g_assert_cmpint (postier_account_get_auth (account), ==, POSTIER_AUTH_XOAUTH2);
  g_assert_true (postier_oauth_is_signed_in (account, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (postier_oauth_forget (account, NULL, &error));
  g_assert_no_error (error);
  clean_up (&rig);
}

/* --- "Sign In Again" on a message the provider refused ---------------------- */

static void
on_signed_in (PostierAccountEditor *editor,
              const char           *name,
              gboolean             *signed_in)
{
  (void) editor;
  g_assert_cmpstr (name, ==, RIG_AGAIN);
  *signed_in = TRUE;
}

static PostierAccountStore *
add_signed_in_account (Rig *rig)
{
  g_autoptr(PostierAccountStore) store = postier_account_store_new (NULL);
  g_autoptr(PostierAccount) account = postier_account_new (RIG_AGAIN);
  g_autoptr(GError) error = NULL;

  g_assert_true (postier_account_store_load (store, NULL));
  postier_account_set_identity (account, "Alice <alice@localhost>");
  postier_account_set_host (account, "localhost");
  postier_account_set_port (account, (guint) g_ascii_strtoull (rig->port, NULL, 10));
  postier_account_set_security (account, POSTIER_SECURITY_STARTTLS);
  postier_account_set_ca_file (account, rig->ca);
  postier_account_set_oauth_provider (account, rig->issuer);
  postier_account_set_oauth_client_id (account, "postier-app");
  postier_account_set_oauth_scope (account, rig->scope);
  postier_account_set_auth (account, POSTIER_AUTH_XOAUTH2);
  g_assert_true (postier_account_store_add (store, account, TRUE, &error));
  g_assert_no_error (error);
  /* Signed in once, through the same browser, before the app starts. */
  g_assert_true (postier_oauth_sign_in_browser (account, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&store);
}

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
} RowWait;

static GtkWidget *
sign_in_button (RowWait *wait)
{
  GtkWidget *row = postier_outbox_view_find_row (wait->view, wait->id);
  GtkWidget *button = row != NULL ? postier_ui_test_find_by_id (row, "sign_in_button") : NULL;

  return button != NULL && gtk_widget_get_visible (button) ? button : NULL;
}

static gboolean
row_offers_sign_in (gpointer data)
{
  return sign_in_button (data) != NULL;
}

static void
test_sign_in_again (void)
{
  g_autoptr(PostierAccountStore) store = NULL;
  g_autofree char *tag = g_strdup_printf ("again-%d-%" G_GINT64_FORMAT, getpid (), g_get_real_time ());
  g_autofree char *subject = g_strdup_printf ("Signed in again %s", tag);
  g_autofree char *message_id = g_strdup_printf ("<%s@example.org>", tag);
  g_autofree char *id = NULL;
  g_autoptr(GPtrArray) files = NULL;
  g_autoptr(GError) error = NULL;
  PostierApplication *app;
  PostierWindow *window;
  PostierOutbox *outbox;
  PostierOutboxView *view;
  GtkWidget *composer, *attention;
  EntryWait entry_wait;
  RowWait row_wait;
  Rig rig = { 0 };

  if (!postier_ui_test_have_display () || !get_rig (&rig))
    return;
  postier_ui_test_reset_files ();
  install_browser (&rig);
  store = add_signed_in_account (&rig);

  /* The provider revokes the sign-in (the person changed their password,
   * or removed Postier's access): the message waits for them. */
  /* Its access tokens too; only the app's client, so test-oauth (the
   * CLI's client) runs beside this test untouched. */
  rig_post (&rig, "/rig/revoke-grants?client_id=postier-app");
  app = postier_ui_test_application ();
  window = postier_ui_test_window (app);
  outbox = postier_application_get_outbox (app);
  id = postier_test_enqueue (outbox, RIG_AGAIN, "carol@example.org", subject, message_id);
  entry_wait = (EntryWait) { outbox, id };
  g_assert_true (postier_ui_test_wait_for (needs_attention, &entry_wait, 60000));

  postier_window_show_page (window, "outbox");
  view = POSTIER_OUTBOX_VIEW (postier_window_get_page (window, "outbox"));
  row_wait = (RowWait) { view, id };
  g_assert_true (postier_ui_test_wait_for (row_offers_sign_in, &row_wait, 10000));
  {
    g_autofree char *text = postier_ui_test_visible_text (postier_outbox_view_find_row (view, id));

    g_assert_nonnull (strstr (text, "Sign in to 127.0.0.1 again"));
    /* The row's own words match its button. */
    g_assert_nonnull (strstr (text, "Needs attention — sign in to 127.0.0.1 again"));
    g_assert_null (strstr (text, "check the account settings"));
  }
  postier_ui_test_spin (g_getenv ("POSTIER_SCREENSHOT_DIR") != NULL ? 600 : 0);
  postier_ui_test_screenshot_window (GTK_WINDOW (window), "outbox-sign-in-again");

  /* The composer, with that account as From, warns before Send. */
  composer = postier_window_get_page (window, "compose");
  attention = postier_ui_test_find_by_id (composer, "attention_revealer");
  g_assert_true (postier_ui_test_wait_for (postier_ui_test_revealed, attention, 10000));
  g_assert_true (postier_ui_test_wait_for_text (attention, "127.0.0.1 refused this account’s sign-in", 5000));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (postier_ui_test_find_by_id (attention, "attention_button"))),
                   ==, "Sign _In Again");

  /* One click: the browser, the sign-in, and the message goes, once. */
  postier_ui_test_click (sign_in_button (&row_wait));
  g_assert_true (postier_ui_test_wait_for (entry_gone, &entry_wait, 60000));
  g_assert_true (dialog_gone (NULL));
  g_assert_true (postier_ui_test_wait_for (postier_ui_test_not_revealed, attention, 10000));   /* signed in: nothing to warn of */
  files = postier_test_maildir_files (message_id, 1);
  g_assert_cmpuint (files->len, ==, 1);
  postier_ui_test_finish (app);

  /* A flush later sends nothing twice. */
  g_assert_cmpuint (postier_test_maildir_count (message_id), ==, 1);

  /* The account's editor says how it signs in and offers to do it again. */
  {
    PostierAccountEditor *editor = postier_account_editor_new (store, postier_account_store_lookup (store, RIG_AGAIN));
    GtkWidget *editor_window = gtk_window_new ();
    gboolean signed_in = FALSE;

    g_signal_connect (editor, "signed-in", G_CALLBACK (on_signed_in), &signed_in);
    gtk_window_set_child (GTK_WINDOW (editor_window), GTK_WIDGET (editor));
    gtk_window_present (GTK_WINDOW (editor_window));
    postier_ui_test_spin (200);
    g_assert_cmpuint (selected_auth (editor), ==, AUTH_OTHER_OAUTH);
    g_assert_false (row_visible (editor, "password_row"));
    g_assert_true (row_visible (editor, "oauth_row"));
    {
      g_autofree char *text = postier_ui_test_visible_text (GTK_WIDGET (editor));

      g_assert_nonnull (strstr (text, "Signed in with 127.0.0.1"));
    }
    postier_ui_test_click (postier_ui_test_find_by_id (GTK_WIDGET (editor), "sign_in_button"));
    g_assert_true (postier_ui_test_wait_for (is_true, &signed_in, 60000));
    g_assert_true (dialog_gone (NULL));
    gtk_window_destroy (GTK_WINDOW (editor_window));
  }
  g_assert_true (postier_oauth_forget (postier_account_store_lookup (store, RIG_AGAIN), NULL, &error));
  g_assert_no_error (error);
  clean_up (&rig);
}

int
main (int   argc,
      char *argv[])
{
  /* The accessible names are checked: GTK's test accessibility backend. */
  g_setenv ("GTK_A11Y", "test", TRUE);
  postier_ui_test_init (&argc, &argv);
  /* As the app does at start-up: buttons named after their labels. */
  postier_accessible_install ();

  g_test_add_func ("/ui/oauth/method-from-preset", test_method_from_preset);
  g_test_add_func ("/ui/oauth/sign-in-while-adding", test_sign_in_while_adding);
  g_test_add_func ("/ui/oauth/sign-in-again", test_sign_in_again);
  return postier_ui_test_run ();
}
