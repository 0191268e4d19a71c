/* test-undo-later.c — issue 13 as the person sees it: Send, then Undo
 * before the grace period ends (the composer back exactly as it was, the
 * message never sent); Undo too late; Send Later… (the entry scheduled, its
 * row saying when) and Send Now (it reaches the rig's Postfix).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "postier-composer.h"
#include "postier-core.h"
#include "postier-gui-format.h"
#include "postier-outbox-view.h"
#include "postier-send-later-dialog.h"
#include "postier-test.h"
#include "postier-ui-test.h"

/* The keyring is shared by test programs that run in parallel. */
#define RIG_ACCOUNT "Rig-later"

typedef struct {
  PostierApplication *app;
  PostierWindow      *window;
  PostierComposer    *composer;
} Fixture;

static gboolean
fixture_open (Fixture *f,
              guint    send_delay)
{
  g_autoptr(PostierAccountStore) store = NULL;

  if (!postier_ui_test_have_display () || postier_test_rig ("MAILDIR") == NULL)
    return FALSE;
  postier_ui_test_reset_files ();
  store = postier_test_add_rig_account (RIG_ACCOUNT, 0, NULL);
  if (store == NULL)
    return FALSE;
  f->app = postier_ui_test_application ();
  {
    g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);

    g_settings_set_uint (settings, "send-delay", send_delay);
  }
  f->window = postier_ui_test_window (f->app);
  f->composer = postier_window_get_composer (f->window);
  return TRUE;
}

static void
fixture_close (Fixture *f)
{
  g_clear_pointer (&f->app, postier_ui_test_finish);
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

/* The message's text, with TAG for finding it in the rig's Maildir. */
static char *
body_text (const char *tag)
{
  return g_strdup_printf ("Hello Bob,\nthe plan is attached.\n— Ann\n\nRef. %s", tag);
}

static void
write_message (Fixture    *f,
               const char *subject,
               const char *tag,
               GFile      *attachment)
{
  g_autofree char *body = body_text (tag);

  set_text (f, "to_entry", "Bob <bob@example.org>");
  set_text (f, "cc_entry", "Carol <carol@example.org>");
  set_text (f, "bcc_entry", "dave@example.org");
  set_text (f, "subject_entry", subject);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (field (f, "body_view"))),
                            body, -1);
  if (attachment != NULL)
    postier_composer_attach_file (f->composer, attachment);
  postier_ui_test_spin (200);
}

static PostierOutbox *
outbox (Fixture *f)
{
  return postier_application_get_outbox (f->app);
}

static PostierOutboxEntry *
only_entry (Fixture *f)
{
  g_autoptr(GPtrArray) entries = postier_outbox_list (outbox (f), NULL);

  if (entries == NULL || entries->len != 1)
    return NULL;
  return g_object_ref (g_ptr_array_index (entries, 0));
}

static gboolean
have_entry (gpointer data)
{
  g_autoptr(PostierOutboxEntry) entry = only_entry (data);

  return entry != NULL;
}

static gboolean
outbox_empty (gpointer data)
{
  Fixture *f = data;
  g_autoptr(GPtrArray) entries = postier_outbox_list (outbox (f), NULL);

  return entries != NULL && entries->len == 0;
}

/* The first mapped button below ROOT with LABEL (as written, underline
 * included). */
static GtkWidget *
find_button (GtkWidget  *root,
             const char *label)
{
  if (GTK_IS_BUTTON (root) && gtk_widget_get_mapped (root) &&
      g_strcmp0 (gtk_button_get_label (GTK_BUTTON (root)), label) == 0)
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button (child, label);

      if (found != NULL)
        return found;
    }
  return NULL;
}

typedef struct {
  GtkWidget  *root;
  const char *label;
} ButtonWait;

/* Clicks a toast's button once the toast has finished appearing, as a
 * person does. libadwaita 1.2 (Debian 12) frees a toast's bookkeeping when
 * its hide animation ends while its show animation (500 ms when it
 * replaces another toast) may still run, and crashes on its next frame
 * (upstream 1674ebc9, "Prevent show_done from firing after hide_done",
 * libadwaita 1.3): a click within 200 ms of the toast appearing did that
 * here, twice in CI. */
static void
click_toast_button (GtkWidget  *root,
                    const char *label)
{
  postier_ui_test_spin (600);
  postier_ui_test_click (find_button (root, label));
}

static gboolean
button_shown (gpointer data)
{
  ButtonWait *wait = data;

  return find_button (wait->root, wait->label) != NULL;
}

typedef struct {
  GtkWidget  *root;
  const char *needle;
} TextWait;

static gboolean
text_shown (gpointer data)
{
  TextWait *wait = data;
  g_autofree char *text = postier_ui_test_visible_text (wait->root);

  return strstr (text, wait->needle) != NULL;
}

static gboolean
rig_has (const char *tag)
{
  g_autofree char *new_dir = g_build_filename (postier_test_rig ("MAILDIR"), "new", NULL);
  g_autoptr(GDir) dir = g_dir_open (new_dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (new_dir, name, NULL);
      g_autofree char *contents = NULL;

      if (postier_test_maildir_is_recent (path) && g_file_get_contents (path, &contents, NULL, NULL) &&
          strstr (contents, tag) != NULL)
        return TRUE;
    }
  return FALSE;
}

static GFile *
make_attachment (char **sha)
{
  g_autofree char *path = g_build_filename (g_get_user_cache_dir (), "plan d’été.pdf", NULL);
  g_autofree char *contents = g_malloc (20000);

  for (guint i = 0; i < 20000; i++)
    contents[i] = (char) ((i * 7919u) >> 3);
  g_assert_true (g_file_set_contents (path, contents, 20000, NULL));
  *sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, 20000);
  return g_file_new_for_path (path);
}

/* --- Undo ---------------------------------------------------------------- */

static void
test_undo_restores_the_composer (void)
{
  Fixture f = { 0 };
  g_autofree char *tag = g_strdup_printf ("undo-%d-%" G_GINT64_FORMAT, getpid (), g_get_real_time ());
  g_autofree char *sha = NULL;
  g_autoptr(GFile) attachment = make_attachment (&sha);
  g_autofree char *attachment_path = g_file_get_path (attachment);
  g_autoptr(PostierOutboxEntry) entry = NULL;
  g_autoptr(PostierDraft) draft = NULL;
  g_autofree char *from = NULL;
  ButtonWait undo = { NULL, "_Undo" };

  /* Long enough for a slow (sanitized) run to click before it ends. */
  if (!fixture_open (&f, 60))
    return;
  undo.root = GTK_WIDGET (f.window);
  write_message (&f, "Plans for the summer", tag, attachment);
  from = g_strdup (gtk_string_object_get_string (
                     GTK_STRING_OBJECT (adw_combo_row_get_selected_item (ADW_COMBO_ROW (field (&f, "from_row"))))));
  postier_ui_test_click (postier_ui_test_find_by_id (GTK_WIDGET (f.composer), "send_button"));

  /* Queued, held by its not-before time, and the composer free. */
  g_assert_true (postier_ui_test_wait_for (have_entry, &f, 10000));
  entry = only_entry (&f);
  g_assert_cmpint (postier_outbox_entry_get_schedule (entry), ==, POSTIER_OUTBOX_SCHEDULE_GRACE);
  g_assert_true (postier_outbox_entry_is_held (entry, g_get_real_time () / G_USEC_PER_SEC));
  g_assert_true (postier_composer_is_empty (f.composer));

  g_assert_true (postier_ui_test_wait_for (button_shown, &undo, 10000));
  {
    TextWait toast = { GTK_WIDGET (f.window), "Sending in " };

    g_assert_true (postier_ui_test_wait_for (text_shown, &toast, 5000));
  }
  postier_ui_test_spin (g_getenv ("POSTIER_SCREENSHOT_DIR") != NULL ? 600 : 0);
  postier_ui_test_screenshot_window (GTK_WINDOW (f.window), "undo-toast");
  click_toast_button (GTK_WIDGET (f.window), "_Undo");

  /* Out of the outbox, and every field back as it was written. */
  g_assert_true (postier_ui_test_wait_for (outbox_empty, &f, 10000));
  postier_ui_test_spin (100);
  g_assert_cmpstr (get_text (&f, "to_entry"), ==, "Bob <bob@example.org>");
  g_assert_cmpstr (get_text (&f, "cc_entry"), ==, "Carol <carol@example.org>");
  g_assert_cmpstr (get_text (&f, "bcc_entry"), ==, "dave@example.org");
  g_assert_cmpstr (get_text (&f, "subject_entry"), ==, "Plans for the summer");
  g_assert_cmpstr (gtk_string_object_get_string (
                     GTK_STRING_OBJECT (adw_combo_row_get_selected_item (ADW_COMBO_ROW (field (&f, "from_row"))))),
                   ==, from);
  draft = postier_composer_dup_draft (f.composer);
  {
    g_autofree char *body = body_text (tag);

    g_assert_cmpstr (postier_draft_get_body (draft), ==, body);
  }
  g_assert_cmpuint (postier_draft_get_n_attachments (draft), ==, 1);
  /* The file the person attached, not a copy. */
  g_assert_cmpstr (postier_draft_get_attachment (draft, 0), ==, attachment_path);
  {
    TextWait shown = { GTK_WIDGET (f.composer), "plan d’été.pdf" };

    g_assert_true (postier_ui_test_wait_for (text_shown, &shown, 5000));
  }
  {
    TextWait toast = { GTK_WIDGET (f.window), "Not sent: the message is back in the composer" };

    g_assert_true (postier_ui_test_wait_for (text_shown, &toast, 5000));
  }

  /* Never sent: a flush now finds nothing, and the rig never saw it. */
  (void) postier_submitter_flush_sync (postier_application_get_submitter (f.app), NULL, NULL, NULL);
  g_assert_false (rig_has (tag));
  fixture_close (&f);
}

static void
test_undo_too_late (void)
{
  Fixture f = { 0 };
  g_autofree char *tag = g_strdup_printf ("late-%d-%" G_GINT64_FORMAT, getpid (), g_get_real_time ());
  g_autoptr(PostierOutboxEntry) entry = NULL;
  g_autoptr(GPtrArray) files = NULL;
  ButtonWait undo = { NULL, "_Undo" };

  if (!fixture_open (&f, 60))
    return;
  undo.root = GTK_WIDGET (f.window);
  write_message (&f, "Minutes of the meeting", tag, NULL);
  postier_ui_test_click (postier_ui_test_find_by_id (GTK_WIDGET (f.composer), "send_button"));
  g_assert_true (postier_ui_test_wait_for (have_entry, &f, 10000));
  g_assert_true (postier_ui_test_wait_for (button_shown, &undo, 10000));

  /* It goes before the person makes up their mind. */
  entry = only_entry (&f);
  g_assert_true (postier_outbox_send_now (outbox (&f), postier_outbox_entry_get_id (entry), NULL));
  postier_submitter_kick (postier_application_get_submitter (f.app));
  g_assert_true (postier_ui_test_wait_for (outbox_empty, &f, 30000));
  /* One copy per recipient (To, Cc, Bcc) in the rig's Maildir. */
  files = postier_test_maildir_files (tag, 3);

  click_toast_button (GTK_WIDGET (f.window), "_Undo");
  {
    TextWait toast = { GTK_WIDGET (f.window), "Too late to undo: the message was sent" };

    g_assert_true (postier_ui_test_wait_for (text_shown, &toast, 5000));
  }
  g_assert_true (postier_composer_is_empty (f.composer));
  fixture_close (&f);
}

/* --- Send Later, the scheduled row, Send Now ---------------------------- */

static PostierSendLaterDialog *
find_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (POSTIER_IS_SEND_LATER_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return POSTIER_SEND_LATER_DIALOG (window);
    }
  return NULL;
}

static gboolean
dialog_shown (gpointer data)
{
  PostierSendLaterDialog *dialog = find_dialog ();

  (void) data;
  return dialog != NULL && gtk_widget_get_mapped (GTK_WIDGET (dialog));
}

static gboolean
delivered (gpointer data)
{
  return rig_has (data);
}

static void
test_send_later_then_send_now (void)
{
  Fixture f = { 0 };
  g_autofree char *tag = g_strdup_printf ("later-%d-%" G_GINT64_FORMAT, getpid (), g_get_real_time ());
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) later = NULL;
  g_autoptr(PostierOutboxEntry) entry = NULL;
  g_autoptr(JsonObject) parsed = NULL;
  g_autofree char *when = NULL;
  g_autofree char *expected = NULL;
  PostierSendLaterDialog *dialog;
  PostierOutboxView *view;
  GtkWidget *row;
  GtkWidget *button;
  gint64 chosen;

  if (!fixture_open (&f, 0))
    return;
  write_message (&f, "Quarterly report", tag, NULL);
  gtk_widget_activate_action (GTK_WIDGET (f.composer), "composer.send-later", NULL);
  g_assert_true (postier_ui_test_wait_for (dialog_shown, NULL, 10000));
  dialog = find_dialog ();

  /* The presets say which day they mean. */
  {
    g_autoptr(GDateTime) tomorrow = postier_send_later_preset_time (POSTIER_SEND_LATER_TOMORROW_MORNING, now);

    g_assert_cmpint (g_date_time_get_hour (tomorrow), ==, 8);
    g_assert_cmpint (g_date_time_get_minute (tomorrow), ==, 0);
  }

  /* Two days on, 09:30, picked on the calendar. */
  {
    g_autoptr(GDateTime) day = g_date_time_add_days (now, 2);

    later = g_date_time_new_local (g_date_time_get_year (day), g_date_time_get_month (day),
                                   g_date_time_get_day_of_month (day), 9, 30, 0);
  }
  postier_send_later_dialog_select (dialog, POSTIER_SEND_LATER_CHOSEN, later);
  chosen = g_date_time_to_unix (later);
  g_assert_cmpint (postier_send_later_dialog_get_time (dialog), ==, chosen);
  postier_ui_test_spin (g_getenv ("POSTIER_SCREENSHOT_DIR") != NULL ? 600 : 100);
  postier_ui_test_screenshot_window (GTK_WINDOW (dialog), "send-later");
  postier_ui_test_click (postier_ui_test_find_by_id (GTK_WIDGET (dialog), "schedule_button"));

  g_assert_true (postier_ui_test_wait_for (have_entry, &f, 10000));
  entry = only_entry (&f);
  g_assert_cmpint (postier_outbox_entry_get_schedule (entry), ==, POSTIER_OUTBOX_SCHEDULE_LATER);
  g_assert_cmpint (postier_outbox_entry_get_not_before (entry), ==, chosen);
  g_assert_true (postier_composer_is_empty (f.composer));

  /* The outbox row says when, in local time, and offers Send Now. */
  postier_window_show_page (f.window, "outbox");
  view = POSTIER_OUTBOX_VIEW (postier_window_get_page (f.window, "outbox"));
  when = postier_format_future_moment (chosen, g_get_real_time () / G_USEC_PER_SEC);
  expected = g_strdup_printf ("Will be sent %s", when);
  g_assert_true (postier_ui_test_wait_for_row (view, postier_outbox_entry_get_id (entry), expected, 10000));
  row = postier_outbox_view_find_row (view, postier_outbox_entry_get_id (entry));
  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (row), TRUE);
  {
    ButtonWait wait = { row, "Send _Now" };

    g_assert_true (postier_ui_test_wait_for (button_shown, &wait, 5000));
  }
  g_assert_nonnull (find_button (row, "_Edit"));
  g_assert_nonnull (find_button (row, "_Cancel Sending"));
  postier_ui_test_spin (g_getenv ("POSTIER_SCREENSHOT_DIR") != NULL ? 600 : 0);
  postier_ui_test_screenshot_window (GTK_WINDOW (f.window), "outbox-scheduled");
  button = find_button (row, "Send _Now");
  postier_ui_test_click (button);

  /* Sent now, once, to every recipient. */
  g_assert_true (postier_ui_test_wait_for (delivered, tag, 30000));
  /* Once to each of the three recipients. */
  parsed = postier_test_maildir_message (tag, 3);
  g_assert_cmpstr (postier_test_parsed_header (parsed, "Subject"), ==, "Quarterly report");
  g_assert_true (postier_ui_test_wait_for (outbox_empty, &f, 30000));
  fixture_close (&f);
}

int
main (int   argc,
      char *argv[])
{
  postier_ui_test_init (&argc, &argv);

  g_test_add_func ("/ui/undo/restores-the-composer", test_undo_restores_the_composer);
  g_test_add_func ("/ui/undo/too-late", test_undo_too_late);
  g_test_add_func ("/ui/send-later/scheduled-then-send-now", test_send_later_then_send_now);
  return postier_ui_test_run ();
}
