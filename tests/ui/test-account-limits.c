/* test-account-limits.c — the account editor's sending limits (issue 13):
 * a preset saved as its limits, Custom starting from them; a message held
 * by its account's limit says why in the outbox
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "postier-account-editor.h"
#include "postier-core.h"
#include "postier-outbox-view.h"
#include "postier-test.h"
#include "postier-ui-test.h"

/* The keyring is shared by test programs that run in parallel. */
#define RIG_ACCOUNT "Rig-limits"
#define RIG_HELD    "Rig-held"

/* --- Sending limits in the account editor -------------------------------- */

static void
on_saved (PostierAccountEditor *editor,
          const char           *name,
          gboolean             *saved)
{
  (void) editor;
  (void) name;
  *saved = TRUE;
}

static gboolean
is_true (gpointer data)
{
  return *(gboolean *) data;
}

/* Opens the editor on the account as saved, in a window of its own. */
static PostierAccountEditor *
open_editor (GtkWindow **window)
{
  g_autoptr(PostierAccountStore) store = postier_account_store_new (NULL);
  PostierAccountEditor *editor;
  GtkWidget *scrolled = gtk_scrolled_window_new ();

  g_assert_true (postier_account_store_load (store, NULL));
  editor = postier_account_editor_new (store, postier_account_store_lookup (store, RIG_ACCOUNT));
  *window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (*window, 640, 720);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), GTK_WIDGET (editor));
  gtk_window_set_child (*window, scrolled);
  gtk_window_present (*window);
  postier_ui_test_spin (200);
  return editor;
}

static void
save_editor (PostierAccountEditor *editor)
{
  gboolean saved = FALSE;

  g_signal_connect (editor, "saved", G_CALLBACK (on_saved), &saved);
  postier_account_editor_save (editor);
  g_assert_true (postier_ui_test_wait_for (is_true, &saved, 10000));
}

static void
saved_limits (PostierAccountLimits *limits)
{
  g_autoptr(PostierAccountStore) store = postier_account_store_new (NULL);

  g_assert_true (postier_account_store_load (store, NULL));
  postier_account_get_limits (postier_account_store_lookup (store, RIG_ACCOUNT), limits);
}

static void
test_limits_in_the_account_editor (void)
{
  g_autoptr(PostierAccountStore) store = NULL;
  PostierAccountLimits microsoft = { 0 }, saved = { 0 };
  PostierAccountEditor *editor;
  GtkWindow *window;
  GtkWidget *group;
  AdwComboRow *preset;

  if (!postier_ui_test_have_display ())
    return;
  /* The application's class registers the UI resources. */
  g_type_class_unref (g_type_class_ref (POSTIER_TYPE_APPLICATION));
  postier_ui_test_reset_files ();
  store = postier_test_add_rig_account (RIG_ACCOUNT, 0, NULL);
  if (store == NULL)
    return;

  /* A preset: its limits said under the choice, the numbers hidden. */
  editor = open_editor (&window);
  group = postier_ui_test_find_by_id (GTK_WIDGET (editor), "limits_group");
  preset = ADW_COMBO_ROW (postier_ui_test_find_by_id (group, "preset_row"));
  g_assert_cmpuint (adw_combo_row_get_selected (preset), ==, POSTIER_LIMIT_PRESET_NONE);
  adw_combo_row_set_selected (preset, POSTIER_LIMIT_PRESET_MICROSOFT_365);
  postier_limit_preset_get_limits (POSTIER_LIMIT_PRESET_MICROSOFT_365, &microsoft);
  g_assert_cmpuint (microsoft.messages_per_minute, ==, 30);
  g_assert_true (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (preset)), "30") != NULL);
  g_assert_false (gtk_widget_get_visible (postier_ui_test_find_by_id (group, "per_minute_row")));
  save_editor (editor);
  saved_limits (&saved);
  g_assert_true (postier_account_limits_equal (&saved, &microsoft));
  gtk_window_destroy (window);

  /* Opened again: the preset; Custom starts from its numbers. */
  editor = open_editor (&window);
  group = postier_ui_test_find_by_id (GTK_WIDGET (editor), "limits_group");
  preset = ADW_COMBO_ROW (postier_ui_test_find_by_id (group, "preset_row"));
  g_assert_cmpuint (adw_combo_row_get_selected (preset), ==, POSTIER_LIMIT_PRESET_MICROSOFT_365);
  adw_combo_row_set_selected (preset, POSTIER_LIMIT_PRESET_CUSTOM);
  g_assert_true (gtk_widget_get_visible (postier_ui_test_find_by_id (group, "per_minute_row")));
  g_assert_cmpint (gtk_spin_button_get_value_as_int (
                     GTK_SPIN_BUTTON (postier_ui_test_find_by_id (group, "per_minute_spin"))), ==, 30);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (postier_ui_test_find_by_id (group, "per_minute_spin")), 5);
  postier_ui_test_spin (g_getenv ("POSTIER_SCREENSHOT_DIR") != NULL ? 600 : 100);
  if (g_getenv ("POSTIER_SCREENSHOT_DIR") != NULL)
    {
      /* The limits, at the end of the editor, in sight. */
      GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (
        GTK_SCROLLED_WINDOW (gtk_window_get_child (window)));

      gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
      postier_ui_test_spin (300);
    }
  postier_ui_test_screenshot_window (window, "account-limits");
  save_editor (editor);
  saved_limits (&saved);
  g_assert_cmpuint (saved.messages_per_minute, ==, 5);
  g_assert_cmpuint (saved.recipients_per_day, ==, microsoft.recipients_per_day);
  g_assert_cmpuint (saved.recipients_per_message, ==, microsoft.recipients_per_message);
  gtk_window_destroy (window);
}

/* --- A message held by its account's limit says so ------------------------- */

typedef struct {
  PostierOutbox *outbox;
  guint          n;
} CountWait;

static gboolean
outbox_holds (gpointer data)
{
  CountWait *wait = data;
  g_autoptr(GPtrArray) entries = postier_outbox_list (wait->outbox, NULL);

  return entries != NULL && entries->len == wait->n;
}

static void
test_held_row_says_why (void)
{
  g_autoptr(PostierAccountStore) store = NULL;
  g_autoptr(PostierAccount) account = NULL;
  g_autofree char *tag = g_strdup_printf ("held-%d-%" G_GINT64_FORMAT, getpid (), g_get_real_time ());
  g_autofree char *first_id = NULL;
  g_autofree char *second_id = NULL;
  g_autofree char *subject = NULL;
  g_autofree char *message_id = NULL;
  PostierAccountLimits limits = { 0 };
  PostierApplication *app;
  PostierWindow *window;
  PostierOutbox *outbox;
  PostierOutboxView *view;
  CountWait one_left;

  if (!postier_ui_test_have_display ())
    return;
  postier_ui_test_reset_files ();
  store = postier_test_add_rig_account (RIG_HELD, 0, NULL);
  if (store == NULL)
    return;
  /* One message a minute: the second waits for the first's minute. */
  account = postier_account_copy (postier_account_store_lookup (store, RIG_HELD));
  limits.messages_per_minute = 1;
  postier_account_set_limits (account, &limits);
  g_assert_true (postier_account_store_replace (store, account, NULL));

  app = postier_ui_test_application ();
  window = postier_ui_test_window (app);
  outbox = postier_application_get_outbox (app);
  subject = g_strdup_printf ("First %s", tag);
  message_id = g_strdup_printf ("<first-%s@example.org>", tag);
  first_id = postier_test_enqueue (outbox, RIG_HELD, "bob@example.org", subject, message_id);
  g_free (subject);
  g_free (message_id);
  subject = g_strdup_printf ("Second %s", tag);
  message_id = g_strdup_printf ("<second-%s@example.org>", tag);
  second_id = postier_test_enqueue (outbox, RIG_HELD, "bob@example.org", subject, message_id);
  one_left = (CountWait) { outbox, 1 };
  g_assert_true (postier_ui_test_wait_for (outbox_holds, &one_left, 30000));
  g_assert_null (postier_outbox_lookup (outbox, first_id, NULL));

  /* The person opens the outbox: the second says why it waits. */
  postier_window_show_page (window, "outbox");
  view = POSTIER_OUTBOX_VIEW (postier_window_get_page (window, "outbox"));
  g_assert_true (postier_ui_test_wait_for_row (view, second_id,
                                               "Waiting, held by the relay’s limit of 1 message a minute", 10000));
  postier_ui_test_spin (g_getenv ("POSTIER_SCREENSHOT_DIR") != NULL ? 600 : 0);
  postier_ui_test_screenshot_window (GTK_WINDOW (window), "outbox-held");
  postier_ui_test_finish (app);
}

int
main (int   argc,
      char *argv[])
{
  postier_ui_test_init (&argc, &argv);

  g_test_add_func ("/ui/account-editor/sending-limits", test_limits_in_the_account_editor);
  g_test_add_func ("/ui/outbox/held-by-the-limit", test_held_row_says_why);
  return postier_ui_test_run ();
}
