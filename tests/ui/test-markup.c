/* test-markup.c — text from people and servers is shown as it is, never
 * read as Pango markup (issue 16, finding 6)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "postier-core.h"
#include "postier-preferences.h"
#include "postier-test.h"
#include "postier-ui-test.h"

typedef struct {
  GtkWidget  *root;
  const char *text;
} LabelWait;

static gboolean
label_shown (gpointer data)
{
  LabelWait *wait = data;

  return postier_ui_test_find_label (wait->root, wait->text) != NULL;
}

/* A toast carrying an account name and a server's reply: both have
 * characters markup gives meaning to. */
static void
test_toast_is_literal (void)
{
  PostierApplication *app;  /* postier_ui_test_finish() lets it go */
  const char *text = "A&B <x>: 550 5.1.1 <bob@example.org> refused, <b>not bold</b>";
  PostierWindow *window;
  LabelWait wait;

  if (!postier_ui_test_have_display ())
    return;
  postier_ui_test_reset_files ();
  app = postier_ui_test_application ();
  window = postier_ui_test_window (app);

  postier_window_show_message (window, text);
  wait = (LabelWait) { GTK_WIDGET (window), text };
  g_assert_true (postier_ui_test_wait_for (label_shown, &wait, 5000));
  postier_ui_test_finish (app);
}

/* An account named with markup characters, in the accounts list. */
static void
test_account_row_is_literal (void)
{
  PostierApplication *app;  /* postier_ui_test_finish() lets it go */
  g_autoptr(PostierAccount) account = postier_account_new ("A&B <x>");
  g_autoptr(GError) error = NULL;
  PostierWindow *window;
  GtkWindow *preferences;
  LabelWait wait;

  if (!postier_ui_test_have_display ())
    return;
  postier_ui_test_reset_files ();
  app = postier_ui_test_application ();
  window = postier_ui_test_window (app);
  postier_account_set_identity (account, "Ada <ada@example.org>");
  postier_account_set_host (account, "smtp.example.org");
  postier_account_set_security (account, POSTIER_SECURITY_TLS);
  postier_account_set_auth (account, POSTIER_AUTH_NONE);
  g_assert_true (postier_account_store_add (postier_application_get_account_store (app), account,
                                            FALSE, &error));
  g_assert_no_error (error);

  preferences = GTK_WINDOW (postier_preferences_new (GTK_WINDOW (window),
                                                     postier_application_get_account_store (app)));
  gtk_window_present (preferences);
  wait = (LabelWait) { GTK_WIDGET (preferences), "A&B <x>" };
  g_assert_true (postier_ui_test_wait_for (label_shown, &wait, 5000));
  postier_ui_test_finish (app);
}

int
main (int    argc,
      char **argv)
{
  if (!postier_ui_test_init (&argc, &argv))
    return 0;

  g_test_add_func ("/markup/toast", test_toast_is_literal);
  g_test_add_func ("/markup/account-row", test_account_row_is_literal);
  return postier_ui_test_run ();
}
