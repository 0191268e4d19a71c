/* postier-views.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-views"

#include "config.h"

#include <glib/gi18n.h>

#include "postier-account-setup.h"
#include "postier-gui-format.h"
#include "postier-draft.h"
#include "postier-outbox-view.h"
#include "postier-preferences.h"
#include "postier-sandbox-store.h"
#include "postier-sandbox-view.h"
#include "postier-sent-view.h"
#include "postier-submitter.h"
#include "postier-views.h"

static void
on_edit_draft (PostierWindow *window,
               PostierDraft  *draft,
               const char    *draft_path)
{
  AdwToast *toast = postier_toast_new_literal (_("Taken out of the outbox: change it, then send it again"));

  /* At once, over an older toast such as "Message queued". */
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  /* Already saved with the autosaved drafts; the composer goes on saving
   * it there, and removes it once it is sent again. */
  postier_window_open_draft (window, draft, draft_path);
  postier_window_add_toast (window, toast);
}

void
postier_views_install (PostierWindow *window)
{
  PostierApplication *app = postier_window_get_application (window);
  g_autoptr(PostierSentStore) sent_store = postier_sent_store_new (NULL);
  g_autoptr(PostierSandboxStore) sandbox_store = postier_sandbox_store_new (NULL);
  PostierOutboxView *outbox_view;

  g_return_if_fail (POSTIER_IS_APPLICATION (app));

  outbox_view = postier_outbox_view_new (postier_application_get_outbox (app));
  postier_outbox_view_set_submitter (outbox_view, postier_application_get_submitter (app));
  g_signal_connect_object (outbox_view, "edit-draft", G_CALLBACK (on_edit_draft), window,
                           G_CONNECT_SWAPPED);
  postier_window_add_page (window, "outbox", _("Outbox"), "mail-send-receive-symbolic",
                           GTK_WIDGET (outbox_view));
  postier_window_add_page (window, "sent", _("Sent"), "mail-send-symbolic",
                           GTK_WIDGET (postier_sent_view_new (sent_store)));
  postier_window_add_page (window, "sandbox", _("Sandbox"), "folder-symbolic",
                           GTK_WIDGET (postier_sandbox_view_new (
                             sandbox_store, postier_application_get_account_store (app))));
}

/* --- The set-up window ------------------------------------------------------ */

static void
on_account_added (GtkWindow  *dialog,
                  const char *name)
{
  GtkWindow *parent = gtk_window_get_transient_for (dialog);
  g_autofree char *text = g_strdup_printf (_("“%s” is ready: new messages go through it"), name);

  if (POSTIER_IS_WINDOW (parent))
    postier_window_show_message (POSTIER_WINDOW (parent), text);
  gtk_window_destroy (dialog);
}

static void
on_setup_dismissed (GtkWindow *dialog)
{
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);

  g_settings_set_boolean (settings, "account-setup-dismissed", TRUE);
  gtk_window_destroy (dialog);
}

void
postier_views_show_account_setup (PostierWindow *window,
                                  gboolean       first_run)
{
  PostierApplication *app = postier_window_get_application (window);
  PostierAccountSetup *setup;
  GtkWidget *dialog, *box, *header;

  g_return_if_fail (POSTIER_IS_APPLICATION (app));

  setup = postier_account_setup_new (postier_application_get_account_store (app));
  postier_account_setup_set_dismissible (setup, first_run);

  dialog = adw_window_new ();
  gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_WINDOW (window));
  gtk_window_set_modal (GTK_WINDOW (dialog), TRUE);
  gtk_window_set_destroy_with_parent (GTK_WINDOW (dialog), TRUE);
  /* No taller than the main window opens, so it sits over it. */
  gtk_window_set_default_size (GTK_WINDOW (dialog), 640, 600);
  gtk_window_set_title (GTK_WINDOW (dialog), first_run ? _("Welcome to Postier") : _("Add Account"));

  header = adw_header_bar_new ();
  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header),
                                   adw_window_title_new (first_run ? _("Welcome to Postier")
                                                                   : _("Add Account"), NULL));
  gtk_widget_add_css_class (header, "flat");
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_box_append (GTK_BOX (box), header);
  gtk_widget_set_vexpand (GTK_WIDGET (setup), TRUE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (setup));
  adw_window_set_content (ADW_WINDOW (dialog), box);
  /* Escape closes it, as its close button does. */
  {
    GtkEventController *shortcuts = gtk_shortcut_controller_new ();

    gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                          gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_Escape, 0),
                                                            gtk_named_action_new ("window.close")));
    gtk_widget_add_controller (dialog, shortcuts);
  }

  g_signal_connect_object (setup, "account-added", G_CALLBACK (on_account_added), dialog,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (setup, "dismissed", G_CALLBACK (on_setup_dismissed), dialog,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* On first run the set-up dialog opens over the window just after the
 * window's first frame: building it before would keep the window from
 * showing for a good part of the start-up time. */
static gboolean
show_first_run_setup (gpointer data)
{
  PostierWindow *window = data;

  if (gtk_widget_get_visible (GTK_WIDGET (window)))
    postier_views_show_account_setup (window, TRUE);
  return G_SOURCE_REMOVE;
}

static void
on_first_frame_for_setup (PostierWindow *window)
{
  g_signal_handlers_disconnect_by_func (window, on_first_frame_for_setup, NULL);
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, show_first_run_setup, g_object_ref (window),
                   g_object_unref);
}

void
postier_views_maybe_first_run (PostierWindow *window)
{
  PostierApplication *app = postier_window_get_application (window);
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);

  g_return_if_fail (POSTIER_IS_APPLICATION (app));

  if (postier_account_store_count_relays (postier_application_get_account_store (app)) != 0 ||
      g_settings_get_boolean (settings, "account-setup-dismissed"))
    return;
  if (postier_window_has_drawn (window))
    on_first_frame_for_setup (window);
  else
    g_signal_connect (window, "first-frame", G_CALLBACK (on_first_frame_for_setup), NULL);
}

/* A new password lives in the keyring only, where the submitter does not
 * look: it is told, so messages that waited for a fixed account go now. */
static void
on_account_saved (PostierApplication *app,
                  const char         *name)
{
  PostierSubmitter *submitter = postier_application_get_submitter (app);

  if (submitter != NULL)
    postier_submitter_account_changed (submitter, name);
}

void
postier_views_show_preferences (PostierWindow *window)
{
  PostierApplication *app = postier_window_get_application (window);
  PostierPreferences *preferences;

  g_return_if_fail (POSTIER_IS_APPLICATION (app));

  preferences = postier_preferences_new (GTK_WINDOW (window),
                                         postier_application_get_account_store (app));
  g_signal_connect_object (preferences, "account-saved", G_CALLBACK (on_account_saved), app,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (preferences));
}
