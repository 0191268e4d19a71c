/* postier-window.c — the main window: the composer and the outbox, Sent
 * and Sandbox views in a view stack, and the dialogs opened over it. The
 * application hands it the engine (stores, submitter) when it makes it;
 * the window never reaches back into the application.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-window"

#include "config.h"

#include <glib/gi18n.h>

#include "postier-account-setup.h"
#include "postier-build-env.h"
#include "postier-gui-format.h"
#include "postier-composer.h"
#include "postier-outbox-view.h"
#include "postier-preferences.h"
#include "postier-sandbox-store.h"
#include "postier-sandbox-view.h"
#include "postier-sent-view.h"
#include "postier-online-accounts.h"
#include "postier-sign-in-dialog.h"
#include "postier-window.h"

/* Each page is a bin that stays in the stack for good: a view taking over
 * a placeholder only changes the bin's child. Moving pages in and out of
 * the stack instead would reparent every page, which loses the actions of
 * widgets inside them (GTK 4.8), and AdwViewStack 1.2 can only append. */
typedef struct
{
  char             *name;
  GtkWidget        *widget;
  AdwBin           *bin;
  AdwViewStackPage *stack_page;
} Page;

struct _PostierWindow
{
  AdwApplicationWindow  parent_instance;

  AdwToastOverlay      *toast_overlay;
  AdwViewStack         *view_stack;
  AdwViewSwitcherTitle *switcher_title;

  /* The engine, shared with the application and its other windows. */
  PostierAccountStore  *accounts;
  PostierOutbox        *outbox;
  PostierAddressBook   *address_book;
  PostierSubmitter     *submitter;

  PostierComposer      *composer;
  GSettings            *settings;
  GPtrArray            *pages;      /* Page, in the order they are shown */
  gboolean              drawn;      /* its first frame has been painted */
};

enum { FIRST_FRAME, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (PostierWindow, postier_window, ADW_TYPE_APPLICATION_WINDOW)

static void
page_free (Page *page)
{
  g_free (page->name);
  g_free (page);
}

static void add_engine_pages (PostierWindow *self);

static void
on_first_frame_painted (GdkFrameClock *clock,
                        PostierWindow *self)
{
  g_signal_handlers_disconnect_by_func (clock, on_first_frame_painted, self);
  self->drawn = TRUE;
  g_signal_emit (self, signals[FIRST_FRAME], 0);
}

static void
on_mapped (PostierWindow *self)
{
  if (!self->drawn)
    g_signal_connect_object (gtk_widget_get_frame_clock (GTK_WIDGET (self)), "after-paint",
                             G_CALLBACK (on_first_frame_painted), self, 0);
}

/* POSTIER_BENCH_FIRST_FRAME: tests/bench/bench-startup.c times the start of
 * the app to its first drawn frame. The app prints the moment on the
 * monotonic clock (the same for every process) and quits. */
static void
quit_after_first_frame (PostierWindow *self)
{
  g_print ("first-frame %" G_GINT64_FORMAT "\n", g_get_monotonic_time ());
  g_application_quit (G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self))));
}

static void on_account_back (PostierWindow *self,
                             const char    *name,
                             guint          retried);

PostierWindow *
postier_window_new (GtkApplication      *application,
                    PostierAccountStore *accounts,
                    PostierOutbox       *outbox,
                    PostierAddressBook  *address_book,
                    PostierSubmitter    *submitter)
{
  PostierWindow *self;

  g_return_val_if_fail (GTK_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (POSTIER_IS_ACCOUNT_STORE (accounts), NULL);
  g_return_val_if_fail (POSTIER_IS_OUTBOX (outbox), NULL);
  g_return_val_if_fail (POSTIER_IS_ADDRESS_BOOK (address_book), NULL);
  g_return_val_if_fail (submitter == NULL || POSTIER_IS_SUBMITTER (submitter), NULL);

  self = g_object_new (POSTIER_TYPE_WINDOW, "application", application, NULL);
  self->accounts = g_object_ref (accounts);
  self->outbox = g_object_ref (outbox);
  self->address_book = g_object_ref (address_book);
  g_set_object (&self->submitter, submitter);
  add_engine_pages (self);
  /* Mail that waited for an Online Accounts account goes by itself when
   * GOA has the account back (core: PostierGoaAccounts::account-back). */
  if (submitter != NULL)
    {
      postier_submitter_follow_online_accounts (submitter, postier_online_accounts_get ());
      g_signal_connect_object (submitter, "account-back", G_CALLBACK (on_account_back), self,
                               G_CONNECT_SWAPPED);
    }
  if (postier_build_getenv ("POSTIER_BENCH_FIRST_FRAME") != NULL)
    g_signal_connect (self, "first-frame", G_CALLBACK (quit_after_first_frame), NULL);
  return self;
}

static Page *
find_page (PostierWindow *self,
           const char    *name)
{
  for (guint i = 0; i < self->pages->len; i++)
    {
      Page *page = g_ptr_array_index (self->pages, i);

      if (g_str_equal (page->name, name))
        return page;
    }
  return NULL;
}

void
postier_window_add_page (PostierWindow *self,
                         const char    *name,
                         const char    *title,
                         const char    *icon_name,
                         GtkWidget     *widget)
{
  Page *page;

  g_return_if_fail (POSTIER_IS_WINDOW (self));
  g_return_if_fail (name != NULL && title != NULL);
  g_return_if_fail (GTK_IS_WIDGET (widget));

  page = find_page (self, name);
  if (page == NULL)
    {
      page = g_new0 (Page, 1);
      page->name = g_strdup (name);
      page->bin = ADW_BIN (adw_bin_new ());
      page->stack_page = adw_view_stack_add_named (self->view_stack, GTK_WIDGET (page->bin), name);
      g_ptr_array_add (self->pages, page);
    }
  adw_view_stack_page_set_title (page->stack_page, title);
  adw_view_stack_page_set_icon_name (page->stack_page, icon_name);
  page->widget = widget;
  adw_bin_set_child (page->bin, widget);
}

GtkWidget *
postier_window_get_page (PostierWindow *self,
                         const char    *name)
{
  Page *page;

  g_return_val_if_fail (POSTIER_IS_WINDOW (self), NULL);
  page = find_page (self, name);
  return page != NULL ? page->widget : NULL;
}

void
postier_window_show_page (PostierWindow *self,
                          const char    *name)
{
  g_return_if_fail (POSTIER_IS_WINDOW (self));
  if (find_page (self, name) != NULL)
    adw_view_stack_set_visible_child_name (self->view_stack, name);
}

void
postier_window_add_toast (PostierWindow *self,
                          AdwToast      *toast)
{
  g_return_if_fail (POSTIER_IS_WINDOW (self));
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

void
postier_window_show_message (PostierWindow *self,
                             const char    *message)
{
  g_return_if_fail (POSTIER_IS_WINDOW (self));
  adw_toast_overlay_add_toast (self->toast_overlay, postier_toast_new_literal (message));
}

/* The person fixed the account in Settings, away from Postier: say that
 * the mail that waited for it goes now (core made it due). */
static void
on_account_back (PostierWindow *self,
                 const char    *name,
                 guint          retried)
{
  PostierAccount *account = postier_online_accounts_lookup_account (name);
  const char *who = account != NULL ? postier_account_get_address (account) : name;
  g_autofree char *text = NULL;

  /* Core says so after every look at GOA, also when nothing waited. */
  if (retried == 0)
    return;
  /* Translators: %s is an address, %u how many messages. */
  text = g_strdup_printf (ngettext ("%s is back in Online Accounts: %u waiting message is on its way",
                                    "%s is back in Online Accounts: %u waiting messages are on their way",
                                    retried),
                          who, retried);
  postier_window_show_message (self, text);
}

PostierComposer *
postier_window_get_composer (PostierWindow *self)
{
  g_return_val_if_fail (POSTIER_IS_WINDOW (self), NULL);
  return self->composer;
}

void
postier_window_open_file (PostierWindow *self,
                          GFile         *file)
{
  g_return_if_fail (POSTIER_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  postier_window_show_page (self, "compose");
  if (g_file_has_uri_scheme (file, "mailto"))
    {
      g_autofree char *uri = g_file_get_uri (file);

      postier_composer_open_mailto (self->composer, uri);
    }
  else
    postier_composer_open_message_file (self->composer, file);
  postier_composer_focus (self->composer);
}

void
postier_window_open_draft (PostierWindow *self,
                           PostierDraft  *draft,
                           const char    *draft_path)
{
  g_return_if_fail (POSTIER_IS_WINDOW (self));
  g_return_if_fail (POSTIER_IS_DRAFT (draft));

  postier_window_show_page (self, "compose");
  postier_composer_open_draft_file (self->composer, draft, draft_path);
  postier_composer_focus (self->composer);
}

/* A new password lives in the keyring only, where the submitter does not
 * look: it is told, so messages that waited for a fixed account go now. */
static void
on_account_saved (PostierWindow *self,
                  const char    *name)
{
  const char *names[] = { name, NULL };

  if (self->submitter != NULL)
    postier_submitter_accounts_changed_in_background (self->submitter, names);
}

void
postier_window_show_preferences (PostierWindow *self)
{
  PostierPreferences *preferences;

  g_return_if_fail (POSTIER_IS_WINDOW (self));

  preferences = postier_preferences_new (GTK_WINDOW (self), self->accounts);
  g_signal_connect_object (preferences, "account-saved", G_CALLBACK (on_account_saved), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (preferences));
}

/* "Sign In Again" on a message refused at AUTH: the browser for an
 * OAuth account (then the account's waiting mail goes), the account's
 * settings for a password. */
static void
on_signed_in_again (PostierWindow *self,
                    gboolean       signed_in,
                    PostierSignInDialog *dialog)
{
  const char *name = g_object_get_data (G_OBJECT (dialog), "postier-account-name");

  if (signed_in)
    on_account_saved (self, name);
}

static void
sign_in_again_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  PostierWindow *self = POSTIER_WINDOW (widget);
  g_autoptr(PostierOutboxEntry) entry = NULL;
  PostierAccount *account = NULL;
  PostierSignInDialog *dialog;
  PostierPreferences *preferences;

  (void) action_name;
  entry = postier_outbox_lookup (self->outbox, g_variant_get_string (parameter, NULL), NULL);
  if (entry == NULL)
    return;
  /* An Online Accounts account signs in again where it lives. */
  if (postier_goa_is_account_name (postier_outbox_entry_get_account_name (entry)))
    {
      if (postier_online_accounts_can_open_settings ())
        postier_online_accounts_open_settings ();
      else
        postier_window_show_message (self, _("Sign in again in your desktop’s Online Accounts settings, "
                                             "then retry the message."));
      return;
    }
  account = postier_account_store_lookup (self->accounts, postier_outbox_entry_get_account_name (entry));
  if (account == NULL)
    return;
  if (postier_account_get_oauth_provider (account) == NULL)
    {
      preferences = postier_preferences_new (GTK_WINDOW (self), self->accounts);
      g_signal_connect_object (preferences, "account-saved", G_CALLBACK (on_account_saved), self,
                               G_CONNECT_SWAPPED);
      gtk_window_present (GTK_WINDOW (preferences));
      postier_preferences_edit_account (preferences, postier_account_get_name (account));
      return;
    }
  dialog = postier_sign_in_dialog_new (GTK_WINDOW (self), account);
  g_object_set_data_full (G_OBJECT (dialog), "postier-account-name",
                          g_strdup (postier_account_get_name (account)), g_free);
  g_signal_connect_object (dialog, "finished", G_CALLBACK (on_signed_in_again), self, G_CONNECT_SWAPPED);
  postier_sign_in_dialog_start (dialog);
}

static void
on_account_added (PostierWindow *self,
                  const char    *name)
{
  g_autofree char *text = g_strdup_printf (_("“%s” is ready: new messages go through it"), name);

  postier_window_show_message (self, text);
}

void
postier_window_show_account_setup (PostierWindow *self,
                                   gboolean       first_run)
{
  PostierAccountSetup *setup;

  g_return_if_fail (POSTIER_IS_WINDOW (self));

  setup = postier_account_setup_new (self->accounts);
  postier_account_setup_set_first_run (setup, first_run);
  gtk_window_set_transient_for (GTK_WINDOW (setup), GTK_WINDOW (self));
  g_signal_connect_object (setup, "account-added", G_CALLBACK (on_account_added), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (setup));
}

/* On first run the set-up dialog opens over the window just after the
 * window's first frame: building it before would keep the window from
 * showing for a good part of the start-up time. */
static gboolean
show_first_run_setup (gpointer data)
{
  PostierWindow *self = data;

  if (gtk_widget_get_visible (GTK_WIDGET (self)))
    postier_window_show_account_setup (self, TRUE);
  return G_SOURCE_REMOVE;
}

static void
on_first_frame_for_setup (PostierWindow *self)
{
  g_signal_handlers_disconnect_by_func (self, on_first_frame_for_setup, NULL);
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, show_first_run_setup, g_object_ref (self),
                   g_object_unref);
}

void
postier_window_maybe_first_run (PostierWindow *self)
{
  g_return_if_fail (POSTIER_IS_WINDOW (self));

  if (postier_account_store_count_relays (self->accounts) != 0 ||
      g_settings_get_boolean (self->settings, "account-setup-dismissed"))
    return;
  if (self->drawn)
    on_first_frame_for_setup (self);
  else
    g_signal_connect (self, "first-frame", G_CALLBACK (on_first_frame_for_setup), NULL);
}

static GtkWidget *
placeholder_new (const char *icon_name,
                 const char *title)
{
  return g_object_new (ADW_TYPE_STATUS_PAGE,
                       "icon-name", icon_name,
                       "title", title,
                       "description", _("This view is not ready yet."),
                       NULL);
}

static void
new_message_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  PostierWindow *self = POSTIER_WINDOW (widget);

  (void) action_name;
  (void) parameter;
  postier_window_show_page (self, "compose");
  postier_composer_focus (self->composer);
}

static void
show_page_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  (void) action_name;
  postier_window_show_page (POSTIER_WINDOW (widget), g_variant_get_string (parameter, NULL));
}

static void
add_account_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  (void) action_name;
  (void) parameter;
  postier_window_show_account_setup (POSTIER_WINDOW (widget), FALSE);
}

static gboolean
postier_window_close_request (GtkWindow *window)
{
  PostierWindow *self = POSTIER_WINDOW (window);
  int width, height;

  gtk_window_get_default_size (window, &width, &height);
  g_settings_set_int (self->settings, "window-width", width);
  g_settings_set_int (self->settings, "window-height", height);
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
  postier_composer_save_now (self->composer);

  return GTK_WINDOW_CLASS (postier_window_parent_class)->close_request (window);
}

static void
on_show_toast (PostierComposer *composer,
               AdwToast        *toast,
               PostierWindow   *self)
{
  (void) composer;
  adw_toast_overlay_add_toast (self->toast_overlay, g_object_ref (toast));
}

static void
on_edit_draft (PostierWindow *self,
               PostierDraft  *draft,
               const char    *draft_path)
{
  AdwToast *toast = postier_toast_new_literal (_("Taken out of the outbox: change it, then send it again"));

  /* At once, over an older toast such as "Message queued". */
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  /* Already saved with the autosaved drafts; the composer goes on saving
   * it there, and removes it once it is sent again. */
  postier_window_open_draft (self, draft, draft_path);
  postier_window_add_toast (self, toast);
}

/* The engine is known only after construction, so the pages that need it
 * take over their placeholders here. The composer needs no word back on
 * what it queues: the submitter watches the outbox folder. */
static void
add_engine_pages (PostierWindow *self)
{
  g_autoptr(PostierSentStore) sent_store = postier_sent_store_new (NULL);
  g_autoptr(PostierSandboxStore) sandbox_store = postier_sandbox_store_new (NULL);
  PostierOutboxView *outbox_view;

  self->composer = postier_composer_new (self->accounts, self->outbox, self->address_book, NULL);
  postier_composer_set_submitter (self->composer, self->submitter);
  g_signal_connect_object (self->composer, "show-toast", G_CALLBACK (on_show_toast), self, 0);
  postier_window_add_page (self, "compose", _("Compose"), "mail-message-new-symbolic",
                           GTK_WIDGET (self->composer));
  adw_view_stack_set_visible_child_name (self->view_stack, "compose");

  outbox_view = postier_outbox_view_new (self->outbox);
  postier_outbox_view_set_submitter (outbox_view, self->submitter);
  /* The composer's warning reads the view's listing, not the outbox again. */
  postier_composer_follow_outbox (self->composer, postier_outbox_view_get_model (outbox_view));
  g_signal_connect_object (outbox_view, "edit-draft", G_CALLBACK (on_edit_draft), self,
                           G_CONNECT_SWAPPED);
  postier_window_add_page (self, "outbox", _("Outbox"), "mail-send-receive-symbolic",
                           GTK_WIDGET (outbox_view));
  postier_window_add_page (self, "sent", _("Sent"), "mail-send-symbolic",
                           GTK_WIDGET (postier_sent_view_new (sent_store)));
  postier_window_add_page (self, "sandbox", _("Sandbox"), "folder-symbolic",
                           GTK_WIDGET (postier_sandbox_view_new (sandbox_store, self->accounts)));
}

static void
postier_window_dispose (GObject *object)
{
  PostierWindow *self = POSTIER_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), POSTIER_TYPE_WINDOW);
  g_clear_pointer (&self->pages, g_ptr_array_unref);
  g_clear_object (&self->settings);
  g_clear_object (&self->submitter);
  g_clear_object (&self->address_book);
  g_clear_object (&self->outbox);
  g_clear_object (&self->accounts);

  G_OBJECT_CLASS (postier_window_parent_class)->dispose (object);
}

static void
postier_window_class_init (PostierWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = postier_window_dispose;
  window_class->close_request = postier_window_close_request;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/postier/Postier/ui/postier-window.ui");
  gtk_widget_class_bind_template_child (widget_class, PostierWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, PostierWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, PostierWindow, switcher_title);

  /* Once, when the window's first frame has been painted. */
  signals[FIRST_FRAME] = g_signal_new ("first-frame", G_TYPE_FROM_CLASS (klass),
                                       G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                       G_TYPE_NONE, 0);

  gtk_widget_class_install_action (widget_class, "win.new-message", NULL, new_message_action);
  gtk_widget_class_install_action (widget_class, "win.show-page", "s", show_page_action);
  gtk_widget_class_install_action (widget_class, "win.add-account", NULL, add_account_action);
  gtk_widget_class_install_action (widget_class, "win.sign-in-again", "s", sign_in_again_action);
}

static void
postier_window_init (PostierWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect (self, "map", G_CALLBACK (on_mapped), NULL);

  self->pages = g_ptr_array_new_with_free_func ((GDestroyNotify) page_free);
  self->settings = g_settings_new (APPLICATION_ID);
  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  /* The order of the switcher. The views replace their placeholders with
   * postier_window_add_page(). */
  postier_window_add_page (self, "compose", _("Compose"), "mail-message-new-symbolic",
                           placeholder_new ("mail-message-new-symbolic", _("Compose")));  postier_window_add_page (self, "outbox", _("Outbox"), "mail-send-receive-symbolic",
                           placeholder_new ("mail-send-receive-symbolic", _("Outbox")));
  postier_window_add_page (self, "sent", _("Sent"), "mail-send-symbolic",
                           placeholder_new ("mail-send-symbolic", _("Sent")));
  postier_window_add_page (self, "sandbox", _("Sandbox"), "folder-symbolic",
                           placeholder_new ("folder-symbolic", _("Sandbox")));
  adw_view_stack_set_visible_child_name (self->view_stack, "compose");
}
