/* postier-account-setup.c — the account set-up dialog: a template class
 * that owns its whole life (title, Escape, closing after an answer, the
 * remembered "Sandbox for now"), so whoever opens it only listens.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-account-setup"

#include "config.h"

#include <glib/gi18n.h>

#include "postier-account-setup.h"
#include "postier-online-accounts.h"
#include "postier-online-accounts-group.h"

struct _PostierAccountSetup
{
  AdwWindow             parent_instance;

  PostierAccountStore  *store;
  PostierAccountEditor *editor;

  /* Template widgets */
  AdwWindowTitle       *window_title;
  AdwBin               *editor_bin;
  AdwBin               *online_accounts_bin;
  GtkButton            *dismiss_button;
  GtkButton            *add_button;
};

G_DEFINE_FINAL_TYPE (PostierAccountSetup, postier_account_setup, ADW_TYPE_WINDOW)

enum {
  ACCOUNT_ADDED,
  DISMISSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void on_editor_saved (PostierAccountSetup *self,
                             const char          *name);

static void
create_editor (PostierAccountSetup *self)
{
  self->editor = postier_account_editor_new (self->store, NULL);
  g_signal_connect_object (self->editor, "saved", G_CALLBACK (on_editor_saved), self,
                           G_CONNECT_SWAPPED);
  g_object_bind_property (self->editor, "can-save", self->add_button, "sensitive",
                          G_BINDING_SYNC_CREATE);
  adw_bin_set_child (self->editor_bin, GTK_WIDGET (self->editor));
}

static void
on_editor_saved (PostierAccountSetup *self,
                 const char          *name)
{
  g_signal_emit (self, signals[ACCOUNT_ADDED], 0, name);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
on_add_clicked (PostierAccountSetup *self)
{
  postier_account_editor_save (self->editor);
}

static void
on_dismiss_clicked (PostierAccountSetup *self)
{
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);

  /* Remembered: the set-up does not open by itself again. */
  g_settings_set_boolean (settings, "account-setup-dismissed", TRUE);
  g_signal_emit (self, signals[DISMISSED], 0);
  gtk_window_destroy (GTK_WINDOW (self));
}

/* An account of GNOME Online Accounts: nothing to save, it is GOA's.
 * Remembered as for the Sandbox, so set-up does not open by itself again;
 * the composer starts with it while Postier has no account of its own. */
static void
on_online_account_chosen (PostierAccountSetup *self,
                          const char          *name)
{
  PostierAccount *account = postier_online_accounts_lookup_account (name);
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);

  g_settings_set_boolean (settings, "account-setup-dismissed", TRUE);
  g_signal_emit (self, signals[ACCOUNT_ADDED], 0,
                 account != NULL ? postier_account_get_address (account) : name);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
postier_account_setup_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), POSTIER_TYPE_ACCOUNT_SETUP);

  G_OBJECT_CLASS (postier_account_setup_parent_class)->dispose (object);
}

static void
postier_account_setup_finalize (GObject *object)
{
  PostierAccountSetup *self = POSTIER_ACCOUNT_SETUP (object);

  g_clear_object (&self->store);

  G_OBJECT_CLASS (postier_account_setup_parent_class)->finalize (object);
}

static void
postier_account_setup_class_init (PostierAccountSetupClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = postier_account_setup_dispose;
  object_class->finalize = postier_account_setup_finalize;

  signals[ACCOUNT_ADDED] = g_signal_new ("account-added", G_TYPE_FROM_CLASS (klass),
                                         G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                         G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[DISMISSED] = g_signal_new ("dismissed", G_TYPE_FROM_CLASS (klass),
                                     G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                     G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/postier/Postier/ui/postier-account-setup.ui");
  gtk_widget_class_bind_template_child (widget_class, PostierAccountSetup, window_title);
  gtk_widget_class_bind_template_child (widget_class, PostierAccountSetup, editor_bin);
  gtk_widget_class_bind_template_child (widget_class, PostierAccountSetup, online_accounts_bin);
  gtk_widget_class_bind_template_child (widget_class, PostierAccountSetup, dismiss_button);
  gtk_widget_class_bind_template_child (widget_class, PostierAccountSetup, add_button);
  gtk_widget_class_bind_template_callback (widget_class, on_add_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_dismiss_clicked);
  g_type_ensure (POSTIER_TYPE_ONLINE_ACCOUNTS_GROUP);
  gtk_widget_class_bind_template_callback (widget_class, on_online_account_chosen);

  /* Escape closes it, as its close button does. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
postier_account_setup_init (PostierAccountSetup *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

PostierAccountSetup *
postier_account_setup_new (PostierAccountStore *store)
{
  PostierAccountSetup *self;

  g_return_val_if_fail (POSTIER_IS_ACCOUNT_STORE (store), NULL);

  self = g_object_new (POSTIER_TYPE_ACCOUNT_SETUP, NULL);
  self->store = g_object_ref (store);
  create_editor (self);
  return self;
}

PostierAccountEditor *
postier_account_setup_get_editor (PostierAccountSetup *self)
{
  g_return_val_if_fail (POSTIER_IS_ACCOUNT_SETUP (self), NULL);
  return self->editor;
}

void
postier_account_setup_set_first_run (PostierAccountSetup *self,
                                      gboolean             first_run)
{
  const char *title = first_run ? _("Welcome to Postier") : _("Add Account");

  g_return_if_fail (POSTIER_IS_ACCOUNT_SETUP (self));
  gtk_window_set_title (GTK_WINDOW (self), title);
  adw_window_title_set_title (self->window_title, title);
  gtk_widget_set_visible (GTK_WIDGET (self->dismiss_button), first_run);
  gtk_widget_set_visible (GTK_WIDGET (self->online_accounts_bin), first_run);
}
