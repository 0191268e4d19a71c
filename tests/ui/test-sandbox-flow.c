/* test-sandbox-flow.c — the first thing a person does with Postier
 *
 * First run, nothing configured: write a message with an attachment,
 * press Send, and find it in the Sandbox inbox — through the real path
 * (composer → MIME → outbox → submitter → SMTP client with STARTTLS and
 * AUTH → the Sandbox's receiver), byte for byte what was queued, with
 * every check of the list passing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "postier-application-private.h"
#include "postier-composer.h"
#include "postier-deliverability-group.h"
#include "postier-sandbox-view.h"
#include "postier-core.h"
#include "postier-sandbox-store.h"
#include "postier-test.h"
#include "postier-ui-test.h"

typedef struct {
  PostierWindow *window;
  const char    *needle;
} Search;

static gboolean
text_visible (gpointer data)
{
  Search *search = data;
  g_autofree char *text = postier_ui_test_visible_text (GTK_WIDGET (search->window));

  return strstr (text, search->needle) != NULL;
}

static gboolean
shown (PostierWindow *window,
       const char    *needle,
       guint          timeout_ms)
{
  Search search = { window, needle };

  return postier_ui_test_wait_for (text_visible, &search, timeout_ms);
}

static GPtrArray *
captured (void)
{
  g_autoptr(PostierSandboxStore) store = postier_sandbox_store_new (NULL);
  g_autoptr(GError) error = NULL;
  GPtrArray *list = postier_sandbox_store_list (store, &error);

  g_assert_no_error (error);
  return list;
}

static gboolean
one_captured (G_GNUC_UNUSED gpointer data)
{
  g_autoptr(GPtrArray) list = captured ();

  return list->len == 1;
}

static gboolean
outbox_empty (gpointer data)
{
  g_autoptr(GPtrArray) entries = postier_outbox_list (postier_application_get_outbox (data), NULL);

  return entries != NULL && entries->len == 0;
}

static void
set_field (PostierComposer *composer,
           const char      *id,
           const char      *text)
{
  GtkWidget *widget = postier_ui_test_find_by_id (GTK_WIDGET (composer), id);

  g_assert_nonnull (widget);
  gtk_editable_set_text (GTK_EDITABLE (widget), text);
}

static void
on_message_loaded (G_GNUC_UNUSED PostierSandboxView *view,
                   G_GNUC_UNUSED const char         *id,
                   gpointer                          data)
{
  *(gboolean *) data = TRUE;
}

static gboolean
flag_set (gpointer data)
{
  return *(gboolean *) data;
}

static gboolean
group_done (gpointer group)
{
  return postier_deliverability_group_is_done (POSTIER_DELIVERABILITY_GROUP (group));
}

static char *
text_of (GtkWidget *view,
         const char *id)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (postier_ui_test_find_by_id (view, id)));
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static void
test_first_message_lands_in_the_sandbox (void)
{
  g_autofree char *attachment_path = NULL;
  g_autoptr(GFile) attachment = NULL;
  g_autoptr(GPtrArray) list = NULL;
  PostierApplication *app;
  PostierWindow *window;
  PostierComposer *composer;
  GtkWidget *body;
  GtkWidget *view, *group;
  g_autofree char *body_text = NULL, *source_text = NULL, *structure = NULL;
  PostierUiTestLagProbe probe;
  gboolean loaded = FALSE;
  gint64 started, loaded_after;
  gulong handler;
  int fd;

  if (!postier_ui_test_have_display ())
    return;
  postier_ui_test_reset_files ();

  fd = g_file_open_tmp ("engine-notes-XXXXXX.txt", &attachment_path, NULL);
  g_assert_cmpint (fd, >=, 0);
  close (fd);
  g_assert_true (g_file_set_contents (attachment_path,
                                      "Note G: computing Bernoulli numbers.\n", -1, NULL));
  attachment = g_file_new_for_path (attachment_path);

  app = postier_ui_test_application ();
  window = postier_ui_test_window (app);
  composer = postier_window_get_composer (window);

  /* Nothing configured: the composer says where mail goes. */
  g_assert_true (shown (window, "Sending through the Sandbox: messages stay on this computer", 3000));

  set_field (composer, "to_entry", "Charles Babbage <charles@example.org>");
  set_field (composer, "subject_entry", "Notes on the Analytical Engine");
  body = postier_ui_test_find_by_id (GTK_WIDGET (composer), "body_view");
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (body)),
                            "Dear Charles,\n\nMy notes on the engine are attached.\n\nAda\n", -1);
  postier_composer_attach_file (composer, attachment);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (composer), "composer.send", NULL));
  g_assert_null (postier_composer_get_error (composer));

  /* The submitter takes it to the Sandbox's receiver by itself. */
  g_assert_true (postier_ui_test_wait_for (one_captured, NULL, 30000));
  /* …and settles it: it leaves the outbox for Sent. */
  g_assert_true (postier_ui_test_wait_for (outbox_empty, app, 10000));
  list = captured ();

  /* The person opens the Sandbox inbox and sees it, with nothing wrong;
   * the main loop's worst lateness while it loads is reported. */
  view = postier_window_get_page (window, "sandbox");
  handler = g_signal_connect (view, "message-loaded", G_CALLBACK (on_message_loaded), &loaded);
  postier_ui_test_lag_probe_start (&probe, 1);
  started = g_get_monotonic_time ();
  postier_window_show_page (window, "sandbox");
  g_assert_true (postier_ui_test_wait_for (flag_set, &loaded, 30000));
  loaded_after = g_get_monotonic_time () - started;
  group = postier_ui_test_find_by_id (view, "deliverability_group");
  g_assert_true (postier_ui_test_wait_for (group_done, group, 120000));
  postier_ui_test_lag_probe_stop (&probe);
  g_signal_handler_disconnect (view, handler);
  g_test_message ("Sandbox: message shown after %" G_GINT64_FORMAT " ms, checks done after %" G_GINT64_FORMAT
                  " ms; longest main-loop stall %" G_GINT64_FORMAT " ms",
                  loaded_after / 1000, (g_get_monotonic_time () - started) / 1000, probe.worst / 1000);
  g_assert_true (shown (window, "Notes on the Analytical Engine", 5000));
  g_assert_true (shown (window, "All 9 checks passed", 5000));
  /* Headers, body and attachment, as loaded off the main thread. */
  g_assert_true (g_str_has_prefix (gtk_label_get_text (GTK_LABEL (postier_ui_test_find_by_id (view, "meta_label"))),
                                   "From "));
  body_text = text_of (view, "text_view");
  g_assert_nonnull (strstr (body_text, "My notes on the engine are attached."));
  source_text = text_of (view, "source_view");
  g_assert_nonnull (strstr (source_text, "Subject: Notes on the Analytical Engine"));
  structure = postier_ui_test_visible_text (postier_ui_test_find_by_id (view, "structure_list"));
  g_assert_nonnull (strstr (structure, "engine-notes-"));
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 760);
  /* For the README's picture, the "queued" toast is let go first. */
  postier_ui_test_spin (g_getenv ("POSTIER_SCREENSHOT_DIR") != NULL ? 6000 : 300);
  postier_ui_test_screenshot_window (GTK_WINDOW (window), "sandbox-sent");

  postier_ui_test_finish (app);
  g_unlink (attachment_path);
}

int
main (int   argc,
      char *argv[])
{
  postier_ui_test_init (&argc, &argv);
  g_test_add_func ("/ui/sandbox/first-message-lands-in-the-sandbox",
                   test_first_message_lands_in_the_sandbox);
  return postier_ui_test_run ();
}
