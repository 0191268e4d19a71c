/* test-composer.c — writing and sending a message in a real window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "postier-address-entry.h"
#include "postier-application-private.h"
#include "postier-composer.h"
#include "postier-core.h"
#include "postier-message-check.h"
#include "postier-test.h"
#include "postier-ui-test.h"

/* The keyring is shared by the test programs that run in parallel; this
 * file stores a wrong password on purpose, so its account has a name no
 * other test uses. */
#define RIG_ACCOUNT "Rig-composer"

typedef struct {
  PostierApplication *app;
  PostierWindow      *window;
  PostierComposer    *composer;
} Fixture;

static void
fixture_open (Fixture *f)
{
  f->app = postier_ui_test_application ();
  f->window = postier_ui_test_window (f->app);
  f->composer = postier_window_get_composer (f->window);
  g_assert_nonnull (f->composer);
}

static void
fixture_close (Fixture *f)
{
  g_clear_pointer (&f->app, postier_ui_test_finish);
  f->window = NULL;
  f->composer = NULL;
}

/* For the README, when POSTIER_SCREENSHOT_DIR is set. */
static void
shoot (Fixture    *f,
       const char *name)
{
  if (g_getenv ("POSTIER_SCREENSHOT_DIR") == NULL)
    return;
  gtk_window_set_default_size (GTK_WINDOW (f->window), 900, 720);
  postier_ui_test_screenshot_window (GTK_WINDOW (f->window), name);
}

static GtkWidget *
field (Fixture    *f,
       const char *id)
{
  GtkWidget *widget = postier_ui_test_find_by_id (GTK_WIDGET (f->composer), id);

  g_assert_nonnull (widget);
  return widget;
}

static void
set_text (Fixture    *f,
          const char *id,
          const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (field (f, id)), text);
}

static const char *
get_text (Fixture    *f,
          const char *id)
{
  return gtk_editable_get_text (GTK_EDITABLE (field (f, id)));
}

static void
set_body (Fixture    *f,
          const char *text)
{
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (field (f, "body_view"))), text, -1);
}

typedef struct {
  Fixture    *fixture;
  const char *needle;
} Search;

static gboolean
text_visible (gpointer data)
{
  Search *search = data;
  g_autofree char *text = postier_ui_test_visible_text (GTK_WIDGET (search->fixture->window));

  return strstr (text, search->needle) != NULL;
}

/* Revealers show their child a few frames later: wait (bounded). */
static gboolean
label_shown (Fixture    *f,
             const char *needle)
{
  Search search = { f, needle };

  return postier_ui_test_wait_for (text_visible, &search, 3000);
}

static gboolean
composer_emptied (gpointer data)
{
  Fixture *f = data;

  return postier_composer_is_empty (f->composer);
}

static GPtrArray *
outbox_entries (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *entries = postier_outbox_list (postier_application_get_outbox (f->app), &error);

  g_assert_no_error (error);
  return entries;
}

static gboolean
outbox_has_one (gpointer data)
{
  Fixture *f = data;
  g_autoptr(GPtrArray) entries = outbox_entries (f);

  return entries->len == 1;
}

/* What `postier ARGUMENT` does once the primary instance has it. */
static void
open_argument (Fixture    *f,
               const char *argument)
{
  g_autoptr(GFile) file = g_file_new_for_commandline_arg (argument);
  GFile *files[] = { file };

  g_application_open (G_APPLICATION (f->app), files, 1, "");
  postier_ui_test_spin (50);
}

static void
press_send (Fixture *f)
{
  /* As a click on the button would. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->composer), "composer.send", NULL));
}

/* --- first run ----------------------------------------------------------- */

static void
test_first_run_uses_the_sandbox (void)
{
  Fixture f = { 0 };
  AdwComboRow *from;

  if (!postier_ui_test_have_display ())
    return;
  postier_ui_test_reset_files ();
  fixture_open (&f);

  from = ADW_COMBO_ROW (field (&f, "from_row"));
  g_assert_cmpuint (adw_combo_row_get_selected (from), ==, 0);
  g_assert_true (label_shown (&f, "Sandbox, stays on this computer"));
  g_assert_true (label_shown (&f, "Sending through the Sandbox: messages stay on this computer"));
  shoot (&f, "composer-first-run");
  fixture_close (&f);
}

/* --- validation ---------------------------------------------------------- */

static void
test_invalid_address_blocks_send (void)
{
  Fixture f = { 0 };
  g_autoptr(GPtrArray) entries = NULL;
  PostierAddressEntry *cc;

  if (!postier_ui_test_have_display ())
    return;
  postier_ui_test_reset_files ();
  fixture_open (&f);

  set_text (&f, "to_entry", "ann@example.org");
  set_text (&f, "cc_entry", "bob@example.net, carol@");
  set_text (&f, "subject_entry", "Minutes");
  set_body (&f, "See you tomorrow.");
  press_send (&f);
  postier_ui_test_spin (100);

  /* The message names the bad address and its field, and nothing was queued. */
  g_assert_nonnull (postier_composer_get_error (f.composer));
  g_assert_nonnull (strstr (postier_composer_get_error (f.composer), "carol@"));
  g_assert_true (label_shown (&f, postier_composer_get_error (f.composer)));
  cc = POSTIER_ADDRESS_ENTRY (field (&f, "cc_entry"));
  g_assert_nonnull (postier_address_entry_get_error (cc));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (cc), "error"));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (cc)));
  entries = outbox_entries (&f);
  g_assert_cmpuint (entries->len, ==, 0);
  /* Nothing the person wrote is lost. */
  g_assert_cmpstr (get_text (&f, "subject_entry"), ==, "Minutes");
  shoot (&f, "composer-invalid-address");

  /* Fixed, the same message goes. */
  set_text (&f, "cc_entry", "bob@example.net, carol@example.com");
  press_send (&f);
  g_assert_null (postier_composer_get_error (f.composer));
  g_assert_true (postier_ui_test_wait_for (outbox_has_one, &f, 10000));
  fixture_close (&f);
}

static void
test_no_recipient_blocks_send (void)
{
  Fixture f = { 0 };

  if (!postier_ui_test_have_display ())
    return;
  postier_ui_test_reset_files ();
  fixture_open (&f);

  set_text (&f, "subject_entry", "To nobody");
  press_send (&f);
  g_assert_nonnull (postier_composer_get_error (f.composer));
  g_assert_nonnull (strstr (postier_composer_get_error (f.composer), "no recipients"));
  fixture_close (&f);
}

/* --- mailto: ------------------------------------------------------------- */

static char *
entry_message (PostierOutboxEntry *entry)
{
  g_autofree char *path = postier_outbox_entry_get_message_path (entry);

  return postier_test_read_file (path, NULL);
}

static void
test_mailto_injection_refused (void)
{
  Fixture f = { 0 };

  if (!postier_ui_test_have_display ())
    return;
  postier_ui_test_reset_files ();
  fixture_open (&f);

  /* A line break hidden in the subject would add a Bcc header: refused,
   * visibly, and nothing is filled in. The link comes the way a desktop
   * hands it over: `postier URI`, through GApplication's open. */
  open_argument (&f, "mailto:ann@example.org?attach=/etc/passwd"
                     "&subject=Hello%0D%0ABcc:%20eve@evil.example");
  g_assert_nonnull (postier_composer_get_error (f.composer));
  g_assert_nonnull (strstr (postier_composer_get_error (f.composer), "line break"));
  g_assert_true (label_shown (&f, postier_composer_get_error (f.composer)));
  g_assert_cmpstr (get_text (&f, "to_entry"), ==, "");
  g_assert_true (postier_composer_is_empty (f.composer));
  shoot (&f, "composer-mailto-refused");
  fixture_close (&f);
}

static void
test_mailto_attach_ignored_and_no_extra_header (void)
{
  Fixture f = { 0 };
  g_autoptr(PostierDraft) draft = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autofree char *message = NULL;
  g_autofree char *headers = NULL;
  PostierOutboxEntry *entry;
  char *end_of_headers;

  if (!postier_ui_test_have_display ())
    return;
  postier_ui_test_reset_files ();
  fixture_open (&f);

  /* In the body a line break is just text: the link opens, attach= is
   * dropped, and "Bcc:" stays a line of the body. */
  open_argument (&f, "mailto:ann@example.org?attach=/etc/passwd"
                     "&subject=Lunch&body=Noon%3F%0D%0ABcc:%20eve@evil.example");
  g_assert_null (postier_composer_get_error (f.composer));
  g_assert_cmpstr (get_text (&f, "to_entry"), ==, "ann@example.org");
  g_assert_cmpstr (get_text (&f, "subject_entry"), ==, "Lunch");
  g_assert_cmpstr (get_text (&f, "bcc_entry"), ==, "");
  draft = postier_composer_dup_draft (f.composer);
  g_assert_cmpuint (postier_draft_get_n_attachments (draft), ==, 0);

  press_send (&f);
  g_assert_true (postier_ui_test_wait_for (outbox_has_one, &f, 10000));
  entries = outbox_entries (&f);
  entry = g_ptr_array_index (entries, 0);
  g_assert_cmpuint (postier_outbox_entry_get_n_recipients (entry), ==, 1);
  g_assert_cmpstr (postier_outbox_entry_get_recipient (entry, 0), ==, "ann@example.org");

  message = entry_message (entry);
  end_of_headers = strstr (message, "\r\n\r\n");
  g_assert_nonnull (end_of_headers);
  headers = g_strndup (message, end_of_headers - message);
  g_assert_null (strstr (headers, "\nBcc:"));
  g_assert_null (strstr (headers, "eve@"));
  g_assert_null (strstr (message, "root:x:0:0"));        /* /etc/passwd */
  g_assert_null (strstr (headers, "multipart/mixed"));   /* no attachment at all */
  fixture_close (&f);
}

/* --- drafts -------------------------------------------------------------- */

static gboolean
draft_on_disk (gpointer data)
{
  g_autofree char *dir = postier_data_dir ("drafts");
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;

  (void) data;
  while (handle != NULL && (name = g_dir_read_name (handle)) != NULL)
    if (g_str_has_suffix (name, ".draft"))
      return TRUE;
  return FALSE;
}

static void
test_draft_autosaved_and_restored (void)
{
  Fixture f = { 0 };
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  g_autofree char *attachment = g_build_filename (g_get_user_cache_dir (), "agenda.txt", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (attachment);
  g_autoptr(PostierDraft) restored = NULL;

  if (!postier_ui_test_have_display ())
    return;
  postier_ui_test_reset_files ();
  g_settings_set_uint (settings, "autosave-delay", 1);
  g_assert_true (g_file_set_contents (attachment, "1. coffee\n", -1, NULL));
  fixture_open (&f);

  set_text (&f, "to_entry", "Ann Lee <ann@example.org>");
  set_text (&f, "subject_entry", "Agenda");
  set_body (&f, "Draft text, not sent yet.\nSecond line é.");
  postier_composer_attach_file (f.composer, file);
  /* Saved by itself a moment after the last change, with no window closing. */
  g_assert_true (postier_ui_test_wait_for (draft_on_disk, NULL, 5000));

  /* As after a crash: the app goes away without any goodbye… */
  fixture_close (&f);
  /* …and the next start finds the message where it was. */
  fixture_open (&f);
  g_assert_cmpstr (get_text (&f, "to_entry"), ==, "Ann Lee <ann@example.org>");
  g_assert_cmpstr (get_text (&f, "subject_entry"), ==, "Agenda");
  restored = postier_composer_dup_draft (f.composer);
  g_assert_cmpstr (postier_draft_get_body (restored), ==, "Draft text, not sent yet.\nSecond line é.");
  g_assert_cmpuint (postier_draft_get_n_attachments (restored), ==, 1);
  g_assert_cmpstr (postier_draft_get_attachment (restored, 0), ==, attachment);
  g_assert_true (label_shown (&f, "Draft restored"));
  fixture_close (&f);
  g_settings_reset (settings, "autosave-delay");
}

/* --- completion ---------------------------------------------------------- */

static void
test_completion_from_addresses_used_before (void)
{
  Fixture f = { 0 };
  g_autoptr(PostierAddressBook) book = postier_address_book_new (NULL);
  PostierAddressEntry *to;
  g_auto(GStrv) shown = NULL;

  if (!postier_ui_test_have_display ())
    return;
  postier_ui_test_reset_files ();
  postier_address_book_add_text (book, "Ann Lee <ann@example.org>, Bob Marsh <bob@example.net>");
  g_assert_true (postier_address_book_save (book, NULL));
  fixture_open (&f);

  to = POSTIER_ADDRESS_ENTRY (field (&f, "to_entry"));
  gtk_widget_grab_focus (GTK_WIDGET (to));
  postier_ui_test_spin (50);
  gtk_editable_set_text (GTK_EDITABLE (to), "carol@example.com, le");
  postier_ui_test_spin (100);
  shown = postier_address_entry_dup_completions (to);
  g_assert_cmpuint (g_strv_length (shown), ==, 1);
  g_assert_cmpstr (shown[0], ==, "Ann Lee <ann@example.org>");
  shoot (&f, "composer-completion");

  postier_address_entry_choose_completion (to, 0);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (to)), ==,
                   "carol@example.com, Ann Lee <ann@example.org>, ");
  g_assert_null (postier_address_entry_get_error (to));

  /* Turned off in Preferences, nothing is offered any more. */
  {
    g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
    g_auto(GStrv) none = NULL;

    g_settings_set_boolean (settings, "complete-addresses", FALSE);
    gtk_editable_set_text (GTK_EDITABLE (to), "carol@example.com, le");
    postier_ui_test_spin (100);
    none = postier_address_entry_dup_completions (to);
    g_assert_cmpuint (g_strv_length (none), ==, 0);
    g_settings_reset (settings, "complete-addresses");
  }
  fixture_close (&f);
}

/* --- sending for real ---------------------------------------------------- */

static void
add_rig_account (void)
{
  g_autoptr(PostierAccountStore) store = postier_account_store_new (NULL);
  g_autoptr(PostierAccount) account = postier_account_new (RIG_ACCOUNT);
  g_autoptr(GError) error = NULL;

  postier_account_set_identity (account, "Alice Liddell <alice@localhost>");
  postier_account_set_host (account, "localhost");
  postier_account_set_port (account, (guint) g_ascii_strtoull (postier_test_rig ("SUBMISSION_PORT"), NULL, 10));
  postier_account_set_security (account, POSTIER_SECURITY_STARTTLS);
  postier_account_set_auth (account, POSTIER_AUTH_PLAIN);
  postier_account_set_user (account, postier_test_rig ("USER"));
  postier_account_set_ca_file (account, postier_test_rig ("CA"));
  g_assert_true (postier_account_store_load (store, &error));
  g_assert_true (postier_account_store_add (store, account, TRUE, &error));
  g_assert_no_error (error);
  g_assert_true (postier_secret_store_password_sync (account, postier_test_rig ("PASSWORD"), NULL, &error));
  g_assert_no_error (error);
}

typedef struct {
  const char *maildir;
  const char *needle;
  char       *found;
} Delivery;

static gboolean
delivered (gpointer data)
{
  Delivery *d = data;
  g_autofree char *new_dir = g_build_filename (d->maildir, "new", NULL);
  g_autoptr(GDir) dir = g_dir_open (new_dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (new_dir, name, NULL);
      g_autofree char *contents = NULL;

      if (postier_test_maildir_is_recent (path) && g_file_get_contents (path, &contents, NULL, NULL) &&
          strstr (contents, d->needle) != NULL)
        {
          d->found = g_steal_pointer (&path);
          return TRUE;
        }
    }
  return FALSE;
}

/* Python's email package reads the delivered message back: an independent
 * parser, not ours. Prints subject, to, body and each attachment's name and
 * SHA-256. */
static const char parse_back[] =
  "import email, email.policy, hashlib, sys\n"
  "m = email.message_from_binary_file(open(sys.argv[1], 'rb'), policy=email.policy.default)\n"
  "print('subject:', m['subject'])\n"
  "print('to:', m['to'])\n"
  "print('bcc:', m['bcc'])\n"
  "print('body:', m.get_body(('plain',)).get_content().rstrip('\\n'))\n"
  "for part in m.iter_attachments():\n"
  "    print('attachment:', part.get_filename(), hashlib.sha256(part.get_content()).hexdigest())\n";

static void
test_send_reaches_the_relay (void)
{
  Fixture f = { 0 };
  Delivery d = { 0 };
  g_autofree char *tag = g_strdup_printf ("ui-%d-%" G_GINT64_FORMAT, getpid (), g_get_real_time ());
  g_autofree char *subject = g_strdup_printf ("Quarterly report %s", tag);
  g_autofree char *attachment = g_build_filename (g_get_user_cache_dir (), "rapport été.bin", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (attachment);
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  g_autofree char *sha = NULL;
  g_autofree char *size_text = g_format_size (70000);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *expected = NULL;
  const char *argv[] = { "/usr/bin/python3", "-c", parse_back, NULL, NULL };

  if (!postier_ui_test_have_display ())
    return;
  d.maildir = postier_test_rig ("MAILDIR");
  if (d.maildir == NULL || postier_test_rig ("SUBMISSION_PORT") == NULL ||
      postier_test_rig ("KEYRING") == NULL || postier_test_rig ("PASSWORD") == NULL)
    return;

  postier_ui_test_reset_files ();
  add_rig_account ();
  /* Binary content with every byte value, so any damage on the way shows. */
  for (guint i = 0; i < 70000; i++)
    {
      guint8 byte = (guint8) ((i * 7919u) >> 3);
      g_byte_array_append (bytes, &byte, 1);
    }
  g_assert_true (g_file_set_contents (attachment, (const char *) bytes->data, bytes->len, NULL));
  sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, bytes->data, bytes->len);

  fixture_open (&f);
  g_assert_true (label_shown (&f, "Alice Liddell <alice@localhost> — " RIG_ACCOUNT));
  g_assert_false (label_shown (&f, "Sending through the Sandbox"));
  set_text (&f, "to_entry", "Bob <bob@example.org>");
  set_text (&f, "bcc_entry", "secret@example.org");
  set_text (&f, "subject_entry", "Quarterly report");
  set_body (&f, "Hello Bob,\nthe report is attached.\n— Alice");
  postier_composer_attach_file (f.composer, file);
  postier_ui_test_spin (200);
  g_assert_true (label_shown (&f, "rapport été.bin"));
  g_assert_true (label_shown (&f, size_text));
  /* A Bcc is never hidden from the person who typed it. */
  g_assert_true (gtk_widget_get_visible (field (&f, "bcc_entry")));
  shoot (&f, "composer-filled");
  /* This run's own mark, to find the message in the shared Maildir. */
  set_text (&f, "subject_entry", subject);

  /* Keyboard activation of the button: it emits "clicked" a moment later. */
  gtk_widget_activate (postier_ui_test_find_by_id (GTK_WIDGET (f.composer), "send_button"));
  g_assert_true (postier_ui_test_wait_for (composer_emptied, &f, 5000));
  /* The composer is free again at once, before anything went out. */
  g_assert_true (postier_composer_is_empty (f.composer));
  g_assert_null (postier_composer_get_error (f.composer));

  d.needle = tag;
  g_assert_true (postier_ui_test_wait_for (delivered, &d, 30000));
  g_assert_true (label_shown (&f, "Message queued"));

  argv[3] = d.found;
  g_assert_cmpint (postier_test_run_program (NULL, NULL, &out, &err, argv), ==, 0);
  expected = g_strdup_printf ("subject: %s\n"
                              "to: Bob <bob@example.org>\n"
                              "bcc: None\n"
                              "body: Hello Bob,\nthe report is attached.\n— Alice\n"
                              "attachment: rapport été.bin %s\n",
                              subject, sha);
  g_assert_cmpstr (out, ==, expected);
  /* The Bcc recipient got it too, without appearing in the headers. */
  d.needle = "Delivered-To: secret@example.org";
  g_clear_pointer (&d.found, g_free);
  g_assert_true (postier_ui_test_wait_for (delivered, &d, 10000));
  g_free (d.found);
  fixture_close (&f);
}

/* --- size limit ---------------------------------------------------------- */

static void
test_size_warning (void)
{
  Fixture f = { 0 };
  g_autoptr(PostierAccountStore) store = postier_account_store_new (NULL);
  g_autoptr(PostierAccount) account = postier_account_new ("Small");
  g_autofree char *big = g_build_filename (g_get_user_cache_dir (), "big.bin", NULL);
  g_autofree char *contents = g_malloc0 (300 * 1000);
  g_autoptr(GFile) file = g_file_new_for_path (big);
  g_autofree char *limit_text = g_format_size (200 * 1000);
  GtkWidget *warning;

  if (!postier_ui_test_have_display ())
    return;
  postier_ui_test_reset_files ();
  postier_account_set_identity (account, "Ann <ann@example.org>");
  postier_account_set_host (account, "smtp.example.org");
  postier_account_set_auth (account, POSTIER_AUTH_NONE);
  g_assert_true (postier_account_store_load (store, NULL));
  g_assert_true (postier_account_store_add (store, account, TRUE, NULL));
  /* As the submitter remembers it after meeting the relay. */
  postier_relay_size_limit_remember ("Small", 200 * 1000);
  g_assert_true (g_file_set_contents (big, contents, 300 * 1000, NULL));

  fixture_open (&f);
  warning = field (&f, "size_warning_label");
  g_assert_false (gtk_widget_get_visible (warning));
  postier_composer_attach_file (f.composer, file);
  postier_ui_test_spin (300);
  g_assert_true (gtk_widget_get_visible (warning));
  /* GLib writes sizes with a no-break space. */
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (warning)), limit_text));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (warning)), "Small"));
  fixture_close (&f);
}

/* --- attaching: the chooser and drag and drop ----------------------------- */

static GtkWindow *
file_chooser_shown (void)
{
  GtkWindow *found = NULL;

  for (GList *l = gtk_window_list_toplevels (); l != NULL; l = g_list_delete_link (l, l))
    if (GTK_IS_FILE_CHOOSER_DIALOG (l->data) && gtk_widget_get_visible (l->data))
      found = l->data;
  return found;
}

static gboolean
chooser_open (gpointer data)
{
  (void) data;
  return file_chooser_shown () != NULL;
}

typedef struct
{
  GtkFileChooser *chooser;
  GFile          *file;
} ChooserWait;

static gboolean
chooser_holds (gpointer data)
{
  ChooserWait *wait = data;
  g_autoptr(GFile) selected = gtk_file_chooser_get_file (wait->chooser);

  return selected != NULL && g_file_equal (selected, wait->file);
}

static void
test_attach_by_chooser_and_drop (void)
{
  Fixture f = { 0 };
  g_autofree char *chosen = g_build_filename (g_get_user_cache_dir (), "chosen.txt", NULL);
  g_autofree char *dropped = g_build_filename (g_get_user_cache_dir (), "dropped photo.jpg", NULL);
  g_autofree char *folder = g_build_filename (g_get_user_cache_dir (), "a folder", NULL);
  g_autoptr(GFile) chosen_file = g_file_new_for_path (chosen);
  g_autoptr(GFile) dropped_file = g_file_new_for_path (dropped);
  g_autoptr(GFile) folder_file = g_file_new_for_path (folder);
  g_autofree char *chosen_size = g_format_size (1200);
  g_autofree char *dropped_size = g_format_size (250000);
  g_autoptr(PostierDraft) draft = NULL;
  GtkDropTarget *drop = NULL;
  GtkWindow *chooser;
  GdkFileList *files;
  GValue value = G_VALUE_INIT;
  gboolean accepted = FALSE;
  GSList *list = NULL;

  if (!postier_ui_test_have_display ())
    return;
  postier_ui_test_reset_files ();
  {
    g_autofree char *a = g_malloc0 (1200);
    g_autofree char *b = g_malloc0 (250000);

    g_assert_true (g_file_set_contents (chosen, a, 1200, NULL));
    g_assert_true (g_file_set_contents (dropped, b, 250000, NULL));
  }
  g_mkdir_with_parents (folder, 0700);
  fixture_open (&f);

  /* Attach…: the file chooser, a file picked, Attach. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.composer), "composer.attach", NULL));
  g_assert_true (postier_ui_test_wait_for (chooser_open, NULL, 5000));
  chooser = file_chooser_shown ();
  g_assert_true (gtk_file_chooser_set_file (GTK_FILE_CHOOSER (chooser), chosen_file, NULL));
  /* The chooser selects it once it has read the folder, a moment later. */
  {
    ChooserWait wait = { GTK_FILE_CHOOSER (chooser), chosen_file };

    g_assert_true (postier_ui_test_wait_for (chooser_holds, &wait, 10000));
  }
  gtk_dialog_response (GTK_DIALOG (chooser), GTK_RESPONSE_ACCEPT);
  postier_ui_test_spin (300);
  g_assert_true (label_shown (&f, "chosen.txt"));
  g_assert_true (label_shown (&f, chosen_size));

  /* Files dropped on the composer: the drop target the desktop talks to,
   * handed a file list as GTK hands it over. A folder is refused, saying so. */
  {
    g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (f.composer));

    for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
      {
        g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

        if (GTK_IS_DROP_TARGET (controller))
          drop = GTK_DROP_TARGET (controller);
      }
  }
  g_assert_nonnull (drop);
  list = g_slist_append (list, dropped_file);
  list = g_slist_append (list, folder_file);
  files = gdk_file_list_new_from_list (list);
  g_slist_free (list);
  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_value_take_boxed (&value, files);
  g_signal_emit_by_name (drop, "drop", &value, 10.0, 10.0, &accepted);
  g_value_unset (&value);
  g_assert_true (accepted);
  postier_ui_test_spin (300);
  g_assert_true (label_shown (&f, "dropped photo.jpg"));
  g_assert_true (label_shown (&f, dropped_size));
  g_assert_nonnull (strstr (postier_composer_get_error (f.composer), "“a folder” is a folder"));

  draft = postier_composer_dup_draft (f.composer);
  g_assert_cmpuint (postier_draft_get_n_attachments (draft), ==, 2);
  g_assert_cmpstr (postier_draft_get_attachment (draft, 0), ==, chosen);
  g_assert_cmpstr (postier_draft_get_attachment (draft, 1), ==, dropped);
  fixture_close (&f);
}

/* --- keyboard and accessibility ------------------------------------------ */

static void
check_buttons_have_names (GtkWidget *widget)
{
  if (GTK_IS_BUTTON (widget) && gtk_widget_get_visible (widget))
    {
      GtkWidget *child = gtk_button_get_child (GTK_BUTTON (widget));
      gboolean has_text = gtk_button_get_label (GTK_BUTTON (widget)) != NULL ||
                          ADW_IS_BUTTON_CONTENT (child) || GTK_IS_LABEL (child) ||
                          gtk_widget_get_tooltip_text (widget) != NULL;

      if (!has_text)
        g_test_message ("button without a name: %s", G_OBJECT_TYPE_NAME (widget));
      g_assert_true (has_text);
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    check_buttons_have_names (child);
}

static void
test_keyboard_send_and_named_buttons (void)
{
  Fixture f = { 0 };
  GtkWidget *body;

  if (!postier_ui_test_have_display ())
    return;
  postier_ui_test_reset_files ();
  fixture_open (&f);
  check_buttons_have_names (GTK_WIDGET (f.composer));

  /* Ctrl+Return in the text sends; it does not add a line. */
  set_text (&f, "to_entry", "bad@");
  body = field (&f, "body_view");
  gtk_widget_grab_focus (body);
  postier_ui_test_spin (50);
  g_assert_true (gtk_widget_has_focus (body));
  /* GTK 4 has no way to fake a key press in-process: a real one comes
   * from the X server. */
  postier_ui_test_press_keys (GTK_WINDOW (f.window), "ctrl+Return");
  postier_ui_test_spin (300);
  g_assert_nonnull (postier_composer_get_error (f.composer));
  /* The focus went to the field to fix. */
  g_assert_true (gtk_widget_is_focus (gtk_root_get_focus (GTK_ROOT (f.window))) &&
                 gtk_widget_is_ancestor (gtk_root_get_focus (GTK_ROOT (f.window)), field (&f, "to_entry")));
  fixture_close (&f);
}

/* The widget holding the keyboard focus, as the field or button a person
 * sees: its id in the composer's template, or its type. */
static const char *
focus_name (Fixture *f)
{
  const char *ids[] = { "from_row", "to_entry", "cc_entry", "bcc_entry", "subject_entry",
                        "body_view", "attach_button", "cc_bcc_button", "discard_button",
                        "send_later_button", "send_button" };
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (f->window));

  for (guint i = 0; focus != NULL && i < G_N_ELEMENTS (ids); i++)
    {
      GtkWidget *widget = postier_ui_test_find_by_id (GTK_WIDGET (f->composer), ids[i]);

      if (widget != NULL && (focus == widget || gtk_widget_is_ancestor (focus, widget)))
        return ids[i];
    }
  return focus != NULL ? G_OBJECT_TYPE_NAME (focus) : "(nothing)";
}

typedef struct {
  Fixture    *f;
  const char *name;
} FocusWait;

static gboolean
focus_is (gpointer data)
{
  FocusWait *wait = data;

  return g_strcmp0 (focus_name (wait->f), wait->name) == 0;
}

/* A key press reaches the window when the X server delivers it: wait for
 * the focus to move rather than for a fixed time, then say where it is. */
static const char *
focus_after_key (Fixture    *f,
                 const char *expected)
{
  FocusWait wait = { f, expected };

  (void) postier_ui_test_wait_for (focus_is, &wait, 5000);
  return focus_name (f);
}

static void
test_keyboard_order (void)
{
  Fixture f = { 0 };
  const char *expected[] = { "subject_entry", "body_view", "attach_button", "cc_bcc_button",
                             "discard_button", "send_later_button", "send_button" };

  if (!postier_ui_test_have_display ())
    return;
  postier_ui_test_reset_files ();
  fixture_open (&f);

  /* The app opens ready to type the first recipient. */
  g_assert_cmpstr (focus_name (&f), ==, "to_entry");

  /* Tab goes through the message in reading order, out of the text too. */
  set_text (&f, "to_entry", "ann@example.org");
  set_body (&f, "Hello");
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      postier_ui_test_press_keys (GTK_WINDOW (f.window), "Tab");
      g_test_message ("Tab → %s", focus_after_key (&f, expected[i]));
      g_assert_cmpstr (focus_name (&f), ==, expected[i]);
    }
  fixture_close (&f);
}

static gboolean
subject_is_alpha_beta (gpointer data)
{
  Fixture *f = data;

  return g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (field (f, "subject_entry"))), "alpha beta") == 0;
}

/* Typing right after Tab: every key a person presses lands in the field. */
static void
test_typing_after_tab (void)
{
  Fixture f = { 0 };
  const char *keys[] = { "a", "l", "p", "h", "a", "space", "b", "e", "t", "a" };

  if (!postier_ui_test_have_display ())
    return;
  postier_ui_test_reset_files ();
  fixture_open (&f);
  g_assert_cmpstr (focus_name (&f), ==, "to_entry");
  postier_ui_test_press_keys (GTK_WINDOW (f.window), "Tab");
  g_assert_cmpstr (focus_after_key (&f, "subject_entry"), ==, "subject_entry");
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      postier_ui_test_press_keys (GTK_WINDOW (f.window), keys[i]);
      /* A pause while typing, long enough for the draft to be saved. */
      if (i == 4)
        postier_ui_test_spin (4000);
    }
  /* The X server delivers the last keys when it can: on a loaded machine
   * later than any fixed pause. A key lost never arrives. */
  (void) postier_ui_test_wait_for (subject_is_alpha_beta, &f, 10000);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (field (&f, "subject_entry"))), ==, "alpha beta");
  fixture_close (&f);
}

/* --- message files ------------------------------------------------------ */

static void
test_message_file_opens_as_draft (void)
{
  Fixture f = { 0 };
  g_autofree char *path = g_build_filename (g_get_user_cache_dir (), "saved.eml", NULL);
  g_autoptr(PostierDraft) draft = NULL;
  const char *message =
    "From: Someone <someone@example.net>\r\n"
    "To: Ann <ann@example.org>\r\n"
    "Cc: bob@example.net\r\n"
    "Subject: =?UTF-8?Q?R=C3=A9union?=\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"b\"\r\n"
    "\r\n"
    "--b\r\n"
    "Content-Type: text/plain; charset=UTF-8\r\n"
    "\r\n"
    "Ordre du jour.\r\n"
    "--b\r\n"
    "Content-Type: application/octet-stream\r\n"
    "Content-Disposition: attachment; filename=\"notes.bin\"\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    "AAECAwQ=\r\n"
    "--b--\r\n";

  if (!postier_ui_test_have_display ())
    return;
  postier_ui_test_reset_files ();
  g_assert_true (g_file_set_contents (path, message, -1, NULL));
  fixture_open (&f);

  open_argument (&f, path);
  g_assert_null (postier_composer_get_error (f.composer));
  g_assert_cmpstr (get_text (&f, "to_entry"), ==, "Ann <ann@example.org>");
  g_assert_cmpstr (get_text (&f, "cc_entry"), ==, "bob@example.net");
  g_assert_true (gtk_widget_get_visible (field (&f, "cc_entry")));
  g_assert_cmpstr (get_text (&f, "subject_entry"), ==, "Réunion");
  draft = postier_composer_dup_draft (f.composer);
  g_assert_cmpstr (postier_draft_get_body (draft), ==, "Ordre du jour.");
  g_assert_cmpuint (postier_draft_get_n_attachments (draft), ==, 1);
  g_assert_true (g_str_has_suffix (postier_draft_get_attachment (draft, 0), "notes.bin"));
  /* Kept with the drafts, not in the folder the file came from. */
  g_assert_false (g_str_has_prefix (postier_draft_get_attachment (draft, 0), g_get_user_cache_dir ()));
  fixture_close (&f);
}

/* --- notifications and staying alive ------------------------------------- */

typedef struct {
  guint before;
} NotificationWait;

static gboolean
notified (gpointer data)
{
  NotificationWait *w = data;

  return postier_ui_test_n_notifications () > w->before;
}

static void
test_needs_attention_notifies (void)
{
  Fixture f = { 0 };
  NotificationWait wait = { postier_ui_test_n_notifications () };
  g_autoptr(PostierAccountStore) store = postier_account_store_new (NULL);
  PostierAccount *account;
  const char *notification;

  if (!postier_ui_test_have_display ())
    return;
  if (postier_test_rig ("SUBMISSION_PORT") == NULL || postier_test_rig ("KEYRING") == NULL)
    return;
  postier_ui_test_reset_files ();
  add_rig_account ();
  /* The relay will refuse this password: the message needs attention. */
  g_assert_true (postier_account_store_load (store, NULL));
  account = postier_account_store_lookup (store, RIG_ACCOUNT);
  g_assert_true (postier_secret_store_password_sync (account, "not the password", NULL, NULL));
  fixture_open (&f);

  set_text (&f, "to_entry", "bob@example.org");
  set_text (&f, "subject_entry", "Wrong password");
  press_send (&f);
  g_assert_true (postier_ui_test_wait_for (notified, &wait, 30000));
  notification = postier_ui_test_notification (wait.before);
  g_test_message ("notification: %s", notification);
  g_assert_true (g_str_has_prefix (notification, "A message needs your attention\n"));
  g_assert_nonnull (strstr (notification, "Wrong password"));
  g_assert_nonnull (strstr (notification, RIG_ACCOUNT));
  fixture_close (&f);
}

static gboolean
tried_and_deferred (gpointer data)
{
  Fixture *f = data;
  g_autoptr(GPtrArray) entries = outbox_entries (f);

  return entries->len == 1 &&
         postier_outbox_entry_get_state (g_ptr_array_index (entries, 0)) == POSTIER_OUTBOX_STATE_DEFERRED &&
         !postier_submitter_is_busy (postier_application_get_submitter (f->app));
}

static void
test_pending_mail_keeps_the_app_alive (void)
{
  Fixture f = { 0 };
  g_autoptr(PostierAccountStore) store = postier_account_store_new (NULL);
  g_autoptr(PostierAccount) account = postier_account_new ("Unreachable");
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  guint before;

  if (!postier_ui_test_have_display ())
    return;
  postier_ui_test_reset_files ();
  /* A relay on a port where nothing listens: the message is deferred and
   * stays pending. */
  g_assert_true (g_socket_bind (socket, address, FALSE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  postier_account_set_identity (account, "Ann <ann@example.org>");
  postier_account_set_host (account, "127.0.0.1");
  postier_account_set_port (account, g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  postier_account_set_security (account, POSTIER_SECURITY_NONE);
  postier_account_set_auth (account, POSTIER_AUTH_NONE);
  g_assert_true (postier_account_store_load (store, NULL));
  g_assert_true (postier_account_store_add (store, account, TRUE, NULL));
  fixture_open (&f);

  set_text (&f, "to_entry", "bob@example.org");
  set_text (&f, "subject_entry", "Later");
  press_send (&f);
  g_assert_true (postier_ui_test_wait_for (outbox_has_one, &f, 10000));
  g_assert_true (postier_ui_test_wait_for (tried_and_deferred, &f, 30000));

  /* The window closes; the mail still waiting holds the app, which says so. */
  before = postier_ui_test_n_notifications ();
  gtk_window_close (GTK_WINDOW (f.window));
  postier_ui_test_spin (200);
  g_assert_null (gtk_application_get_active_window (GTK_APPLICATION (f.app)));
  g_assert_true (_postier_application_is_holding (f.app));
  g_assert_cmpuint (postier_ui_test_n_notifications (), ==, before + 1);
  g_assert_true (g_str_has_prefix (postier_ui_test_notification (before), "Postier is still sending\n"));

  /* Once nothing waits any more, it lets go (and would quit). */
  entries = outbox_entries (&f);
  g_assert_true (postier_outbox_remove (postier_application_get_outbox (f.app),
                                        postier_outbox_entry_get_id (g_ptr_array_index (entries, 0)),
                                        NULL));
  _postier_application_update_hold (f.app);
  g_assert_false (_postier_application_is_holding (f.app));
  fixture_close (&f);
}

int
main (int   argc,
      char *argv[])
{
  postier_ui_test_init (&argc, &argv);

  g_test_add_func ("/ui/composer/first-run-uses-the-sandbox", test_first_run_uses_the_sandbox);
  g_test_add_func ("/ui/composer/invalid-address-blocks-send", test_invalid_address_blocks_send);
  g_test_add_func ("/ui/composer/no-recipient-blocks-send", test_no_recipient_blocks_send);
  g_test_add_func ("/ui/composer/mailto-injection-refused", test_mailto_injection_refused);
  g_test_add_func ("/ui/composer/mailto-attach-ignored", test_mailto_attach_ignored_and_no_extra_header);
  g_test_add_func ("/ui/composer/draft-autosaved-and-restored", test_draft_autosaved_and_restored);
  g_test_add_func ("/ui/composer/completion", test_completion_from_addresses_used_before);
  g_test_add_func ("/ui/composer/size-warning", test_size_warning);
  g_test_add_func ("/ui/composer/attach-by-chooser-and-drop", test_attach_by_chooser_and_drop);
  g_test_add_func ("/ui/composer/keyboard-send-and-named-buttons", test_keyboard_send_and_named_buttons);
  g_test_add_func ("/ui/composer/keyboard-order", test_keyboard_order);
  g_test_add_func ("/ui/composer/typing-after-tab", test_typing_after_tab);
  g_test_add_func ("/ui/composer/message-file-opens-as-draft", test_message_file_opens_as_draft);
  g_test_add_func ("/ui/composer/pending-mail-keeps-the-app-alive", test_pending_mail_keeps_the_app_alive);
  g_test_add_func ("/ui/composer/send-reaches-the-relay", test_send_reaches_the_relay);
  g_test_add_func ("/ui/composer/needs-attention-notifies", test_needs_attention_notifies);
  return postier_ui_test_run ();
}
