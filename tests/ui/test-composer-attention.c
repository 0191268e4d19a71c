/* test-composer-attention.c — the composer's warning follows the outbox
 * as the window lists it, not only the app's own sends
 *
 * Another process's flush (`postierctl queue flush`, a cron job) can leave
 * the chosen account's mail refused at AUTH: the warning shows without a
 * change of From, and goes when that mail leaves the outbox, here too by
 * another process (`postierctl queue remove`). The app's submitter is kept
 * offline, so nothing of this comes through its signals.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "postier-composer.h"
#include "postier-core.h"
#include "postier-test.h"
#include "postier-ui-test.h"

#define ACCOUNT "Held"

/* As a flusher in another process leaves an entry the relay refused with
 * 535: needs attention, Failure=auth. */
static void
mark_refused (PostierOutbox *outbox,
              const char    *id)
{
  g_autofree char *ini = g_build_filename (postier_outbox_get_dir (outbox), id, "entry.ini", NULL);
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (g_key_file_load_from_file (file, ini, G_KEY_FILE_KEEP_COMMENTS, &error));
  g_key_file_set_string (file, "Entry", "State", "needs-attention");
  g_key_file_set_string (file, "Entry", "Failure", "auth");
  g_key_file_set_string (file, "Entry", "LastError", "535 5.7.8 Error: authentication failed");
  g_assert_true (g_key_file_save_to_file (file, ini, &error));
  g_assert_no_error (error);
}

static void
test_follows_the_outbox (void)
{
  g_autoptr(PostierAccountStore) store = NULL;
  g_autoptr(GNetworkMonitor) monitor = postier_test_network_monitor_new (FALSE);
  g_autofree char *id = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  PostierApplication *app;
  PostierWindow *window;
  PostierSubmitter *submitter;
  GtkWidget *composer, *revealer;

  if (!postier_ui_test_have_display ())
    return;
  postier_ui_test_reset_files ();
  store = postier_test_add_rig_account (ACCOUNT, 0, NULL);
  if (store == NULL)
    return;
  app = postier_ui_test_application ();
  window = postier_ui_test_window (app);
  submitter = postier_application_get_submitter (app);
  /* Offline, and the rig's relay on loopback counts as out there: the app
   * sends nothing, so it learns of the refusal from the outbox alone. */
  postier_submitter_set_loopback_works_offline (submitter, FALSE);
  postier_submitter_set_network_monitor (submitter, monitor);
  composer = postier_window_get_page (window, "compose");
  revealer = postier_ui_test_find_by_id (composer, "attention_revealer");
  g_assert_nonnull (revealer);
  postier_ui_test_spin (300);
  g_assert_false (gtk_revealer_get_reveal_child (GTK_REVEALER (revealer)));

  /* From stays the account (the only one of its own, the default). */
  id = postier_test_enqueue (postier_application_get_outbox (app), ACCOUNT, "bob@localhost",
                             "Refused elsewhere", "<refused-elsewhere@localhost>");
  mark_refused (postier_application_get_outbox (app), id);
  g_assert_true (postier_ui_test_wait_for (postier_ui_test_revealed, revealer, 10000));
  g_assert_true (postier_ui_test_wait_for_text (revealer, "The server refused this account’s password", 5000));

  /* Removed by another process: nothing of this account waits any more. */
  g_assert_cmpint (postier_test_run_ctl (NULL, &out, &err, "queue", "remove", id, NULL), ==, 0);
  g_assert_true (postier_ui_test_wait_for (postier_ui_test_not_revealed, revealer, 10000));

  postier_ui_test_finish (app);
}

int
main (int   argc,
      char *argv[])
{
  postier_ui_test_init (&argc, &argv);

  g_test_add_func ("/ui/composer-attention/follows-the-outbox", test_follows_the_outbox);
  return postier_ui_test_run ();
}
