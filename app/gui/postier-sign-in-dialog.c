/* postier-sign-in-dialog.c — the wait while the person signs in in their
 * browser. The core does the sign-in on a worker thread (it opens the
 * default browser and listens on 127.0.0.1 for it to come back); this
 * window only says what is happening, lets the person cancel, and closes
 * by itself when the browser returns.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-sign-in"

#include "config.h"

#include <glib/gi18n.h>

#include "postier-oauth.h"
#include "postier-oauth-provider.h"
#include "postier-sign-in-dialog.h"

struct _PostierSignInDialog
{
  AdwWindow        parent_instance;

  PostierAccount  *account;
  GCancellable    *cancellable;
  gboolean         finished;

  /* Template widgets */
  AdwStatusPage   *status_page;
  GtkSpinner      *spinner;
  GtkButton       *cancel_button;
  GtkButton       *retry_button;
};

G_DEFINE_FINAL_TYPE (PostierSignInDialog, postier_sign_in_dialog, ADW_TYPE_WINDOW)

enum {
  FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Emits ::finished once, then goes. */
static void
finish (PostierSignInDialog *self,
        gboolean             signed_in)
{
  if (self->finished)
    return;
  self->finished = TRUE;
  g_cancellable_cancel (self->cancellable);
  g_signal_emit (self, signals[FINISHED], 0, signed_in);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
show_waiting (PostierSignInDialog *self)
{
  g_autofree char *provider = postier_oauth_provider_title_for_account (self->account);
  /* Translators: %s is the provider, "Google", "Microsoft" or a host name. */
  g_autofree char *title = g_strdup_printf (_("Sign In to %s"), provider);

  gtk_window_set_title (GTK_WINDOW (self), title);
  adw_status_page_set_icon_name (self->status_page, "web-browser-symbolic");
  adw_status_page_set_title (self->status_page, title);
  adw_status_page_set_description (self->status_page,
                                   _("Postier opened your web browser. Sign in there and allow "
                                     "Postier to send mail: this window closes by itself when you "
                                     "are done. No password is kept by Postier."));
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), TRUE);
  gtk_spinner_start (self->spinner);
  gtk_button_set_label (self->cancel_button, _("_Cancel"));
  gtk_widget_set_visible (GTK_WIDGET (self->retry_button), FALSE);
}

static void
show_problem (PostierSignInDialog *self,
              const char          *message)
{
  adw_status_page_set_icon_name (self->status_page, "dialog-warning-symbolic");
  adw_status_page_set_title (self->status_page, _("Could Not Sign In"));
  adw_status_page_set_description (self->status_page, message);
  gtk_spinner_stop (self->spinner);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), FALSE);
  gtk_button_set_label (self->cancel_button, _("_Close"));
  gtk_widget_set_visible (GTK_WIDGET (self->retry_button), TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->retry_button));
}

static void
sign_in_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(PostierSignInDialog) self = user_data;
  g_autoptr(GError) error = NULL;

  (void) source;
  if (postier_oauth_sign_in_browser_finish (result, &error))
    {
      finish (self, TRUE);
      return;
    }
  /* Cancelled: by the person, who is gone already. */
  if (self->finished || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  show_problem (self, error->message);
}

void
postier_sign_in_dialog_start (PostierSignInDialog *self)
{
  g_return_if_fail (POSTIER_IS_SIGN_IN_DIALOG (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  show_waiting (self);
  gtk_window_present (GTK_WINDOW (self));
  postier_oauth_sign_in_browser_async (self->account, self->cancellable, sign_in_done,
                                       g_object_ref (self));
}

static void
on_cancel_clicked (PostierSignInDialog *self)
{
  finish (self, FALSE);
}

static void
on_retry_clicked (PostierSignInDialog *self)
{
  postier_sign_in_dialog_start (self);
}

/* The window's own close button and Escape cancel, as Cancel does. */
static gboolean
postier_sign_in_dialog_close_request (GtkWindow *window)
{
  PostierSignInDialog *self = POSTIER_SIGN_IN_DIALOG (window);

  if (!self->finished)
    {
      self->finished = TRUE;
      g_cancellable_cancel (self->cancellable);
      g_signal_emit (self, signals[FINISHED], 0, FALSE);
    }
  return GTK_WINDOW_CLASS (postier_sign_in_dialog_parent_class)->close_request (window);
}

static void
postier_sign_in_dialog_dispose (GObject *object)
{
  PostierSignInDialog *self = POSTIER_SIGN_IN_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (object), POSTIER_TYPE_SIGN_IN_DIALOG);

  G_OBJECT_CLASS (postier_sign_in_dialog_parent_class)->dispose (object);
}

static void
postier_sign_in_dialog_finalize (GObject *object)
{
  PostierSignInDialog *self = POSTIER_SIGN_IN_DIALOG (object);

  g_clear_object (&self->account);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (postier_sign_in_dialog_parent_class)->finalize (object);
}

static void
postier_sign_in_dialog_class_init (PostierSignInDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = postier_sign_in_dialog_dispose;
  object_class->finalize = postier_sign_in_dialog_finalize;
  window_class->close_request = postier_sign_in_dialog_close_request;

  signals[FINISHED] = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BOOLEAN);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/postier/Postier/ui/postier-sign-in-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, PostierSignInDialog, status_page);
  gtk_widget_class_bind_template_child (widget_class, PostierSignInDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, PostierSignInDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, PostierSignInDialog, retry_button);
  gtk_widget_class_bind_template_callback (widget_class, on_cancel_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_retry_clicked);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
postier_sign_in_dialog_init (PostierSignInDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

PostierSignInDialog *
postier_sign_in_dialog_new (GtkWindow      *parent,
                            PostierAccount *account)
{
  PostierSignInDialog *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (POSTIER_IS_ACCOUNT (account), NULL);

  self = g_object_new (POSTIER_TYPE_SIGN_IN_DIALOG, NULL);
  self->account = postier_account_copy (account);
  if (parent != NULL)
    gtk_window_set_transient_for (GTK_WINDOW (self), parent);
  return self;
}
