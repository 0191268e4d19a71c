/* postier-account-editor-auth.c — how an account signs in, in the account
 * editor: a password, OAuth 2.0 with a provider (Google, Microsoft, any
 * issuer URL: the person signs in in their browser), or none. A preset or
 * autoconfig file chooses for the person until they choose themselves.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-account-editor"

#include "config.h"

#include <glib/gi18n.h>

#include "postier-account-editor-private.h"
#include "postier-oauth-provider.h"
#include "postier-sign-in-dialog.h"

static guint signed_in_signal;

PostierEditorAuth
_postier_account_editor_get_auth (PostierAccountEditor *self)
{
  guint selected = adw_combo_row_get_selected (self->auth_row);

  return selected <= POSTIER_EDITOR_AUTH_NONE ? (PostierEditorAuth) selected
                                               : POSTIER_EDITOR_AUTH_PASSWORD;
}

static gboolean
is_oauth (PostierEditorAuth auth)
{
  return auth == POSTIER_EDITOR_AUTH_GOOGLE || auth == POSTIER_EDITOR_AUTH_MICROSOFT ||
         auth == POSTIER_EDITOR_AUTH_OTHER_OAUTH;
}

static void
select_auth (PostierAccountEditor *self,
             PostierEditorAuth     auth)
{
  gboolean updating = self->updating;

  self->updating = TRUE;
  adw_combo_row_set_selected (self->auth_row, auth);
  self->updating = updating;
  _postier_account_editor_auth_update (self);
}

/* The saved account already signs in with a provider: offer to do it again. */
static gboolean
original_uses_oauth (PostierAccountEditor *self)
{
  return self->original != NULL && postier_account_get_oauth_provider (self->original) != NULL;
}

void
_postier_account_editor_auth_update (PostierAccountEditor *self)
{
  PostierEditorAuth auth = _postier_account_editor_get_auth (self);

  gtk_widget_set_visible (GTK_WIDGET (self->password_row), auth == POSTIER_EDITOR_AUTH_PASSWORD);
  gtk_widget_set_visible (GTK_WIDGET (self->user_row), auth != POSTIER_EDITOR_AUTH_NONE);
  gtk_widget_set_visible (GTK_WIDGET (self->issuer_row), auth == POSTIER_EDITOR_AUTH_OTHER_OAUTH);
  gtk_widget_set_visible (GTK_WIDGET (self->client_id_row), is_oauth (auth));
  gtk_widget_set_visible (GTK_WIDGET (self->oauth_row), is_oauth (auth) && original_uses_oauth (self));
  if (original_uses_oauth (self))
    {
      g_autofree char *provider = postier_oauth_provider_title_for_account (self->original);
      /* Translators: %s is "Google", "Microsoft" or a host name. */
      g_autofree char *title = g_strdup_printf (_("Signed in with %s"), provider);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->oauth_row), title);
      adw_action_row_set_subtitle (self->oauth_row,
                                   _("Postier keeps no password, only a token in your keyring. Sign "
                                     "in again when the provider asks for it, or for another "
                                     "account."));
    }
}

static void
on_auth_changed (PostierAccountEditor *self)
{
  if (!self->updating)
    self->auth_edited = TRUE;
  _postier_account_editor_auth_update (self);
}

void
_postier_account_editor_auth_fill (PostierAccountEditor *self,
                                   PostierAccount       *account)
{
  const char *provider = postier_account_get_oauth_provider (account);
  const char *client_id = postier_account_get_oauth_client_id (account);
  gboolean updating = self->updating;

  self->updating = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->client_id_row), client_id != NULL ? client_id : "");
  if (provider == NULL)
    select_auth (self, postier_account_get_auth (account) == POSTIER_AUTH_NONE
                         ? POSTIER_EDITOR_AUTH_NONE : POSTIER_EDITOR_AUTH_PASSWORD);
  else if (g_ascii_strcasecmp (provider, "google") == 0)
    select_auth (self, POSTIER_EDITOR_AUTH_GOOGLE);
  else if (g_ascii_strcasecmp (provider, "microsoft") == 0)
    select_auth (self, POSTIER_EDITOR_AUTH_MICROSOFT);
  else
    {
      gtk_editable_set_text (GTK_EDITABLE (self->issuer_row), provider);
      select_auth (self, POSTIER_EDITOR_AUTH_OTHER_OAUTH);
    }
  self->updating = updating;
  self->auth_edited = TRUE;
}

void
_postier_account_editor_auth_suggest (PostierAccountEditor          *self,
                                      const PostierServerSuggestion *found)
{
  if (self->auth_edited)
    return;
  if (g_strcmp0 (found->oauth_provider, "google") == 0)
    select_auth (self, POSTIER_EDITOR_AUTH_GOOGLE);
  else if (g_strcmp0 (found->oauth_provider, "microsoft") == 0)
    select_auth (self, POSTIER_EDITOR_AUTH_MICROSOFT);
  else if (found->auth == POSTIER_AUTH_NONE)
    select_auth (self, POSTIER_EDITOR_AUTH_NONE);
  else
    select_auth (self, POSTIER_EDITOR_AUTH_PASSWORD);
}

gboolean
_postier_account_editor_auth_apply (PostierAccountEditor *self,
                                    PostierAccount       *account)
{
  PostierEditorAuth auth = _postier_account_editor_get_auth (self);
  g_autofree char *issuer = _postier_account_editor_field_text (self->issuer_row);
  g_autofree char *client_id = _postier_account_editor_field_text (self->client_id_row);
  g_autoptr(GError) error = NULL;
  const char *provider = NULL;

  switch (auth)
    {
    case POSTIER_EDITOR_AUTH_NONE:
      postier_account_set_auth (account, POSTIER_AUTH_NONE);
      postier_account_set_oauth_provider (account, NULL);
      return TRUE;
    case POSTIER_EDITOR_AUTH_GOOGLE:
      provider = "google";
      break;
    case POSTIER_EDITOR_AUTH_MICROSOFT:
      provider = "microsoft";
      break;
    case POSTIER_EDITOR_AUTH_OTHER_OAUTH:
      if (!postier_oauth_provider_id_is_valid (issuer, &error))
        {
          _postier_account_editor_show_problem (self, GTK_WIDGET (self->issuer_row), error->message);
          return FALSE;
        }
      provider = issuer;
      break;
    case POSTIER_EDITOR_AUTH_PASSWORD:
    default:
      /* The build_account() rules for the password itself still apply. */
      postier_account_set_oauth_provider (account, NULL);
      if (postier_account_get_auth (account) == POSTIER_AUTH_XOAUTH2)
        postier_account_set_auth (account, POSTIER_AUTH_AUTO);
      return TRUE;
    }

  postier_account_set_oauth_provider (account, provider);
  postier_account_set_oauth_client_id (account, *client_id != '\0' ? client_id : NULL);
  postier_account_set_auth (account, POSTIER_AUTH_XOAUTH2);
  return TRUE;
}

/* --- Signing in -------------------------------------------------------------- */

typedef struct {
  PostierAccountEditor *self;
  PostierAccount       *account;
  gboolean              then_save;
} SignIn;

static void
sign_in_free (gpointer data,
              GClosure *closure)
{
  SignIn *sign_in = data;

  (void) closure;
  g_object_unref (sign_in->self);
  g_object_unref (sign_in->account);
  g_free (sign_in);
}

static void
on_sign_in_finished (PostierSignInDialog *dialog,
                     gboolean             signed_in,
                     SignIn              *sign_in)
{
  PostierAccountEditor *self = sign_in->self;
  g_autofree char *provider = postier_oauth_provider_title_for_account (sign_in->account);

  (void) dialog;
  if (!signed_in)
    {
      g_autofree char *message = g_strdup_printf (_("Not signed in: sign in to %s to send mail "
                                                     "with this account."), provider);

      _postier_account_editor_show_problem (self, GTK_WIDGET (self->auth_row), message);
      return;
    }
  if (sign_in->then_save)
    _postier_account_editor_start_save (self, sign_in->account, NULL);
  else
    g_signal_emit (self, signed_in_signal, 0, postier_account_get_name (sign_in->account));
}

static void
run_sign_in (PostierAccountEditor *self,
             PostierAccount       *account,
             gboolean              then_save)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  PostierSignInDialog *dialog = postier_sign_in_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root)
                                                                                 : NULL, account);
  SignIn *sign_in = g_new0 (SignIn, 1);

  sign_in->self = g_object_ref (self);
  sign_in->account = g_object_ref (account);
  sign_in->then_save = then_save;
  g_signal_connect_data (dialog, "finished", G_CALLBACK (on_sign_in_finished), sign_in,
                         sign_in_free, 0);
  postier_sign_in_dialog_start (dialog);
}

void
_postier_account_editor_sign_in_and_save (PostierAccountEditor *self,
                                          PostierAccount       *account,
                                          const char           *password)
{
  const char *provider = postier_account_get_oauth_provider (account);
  gboolean same_sign_in = self->original != NULL &&
    g_strcmp0 (provider, postier_account_get_oauth_provider (self->original)) == 0 &&
    g_strcmp0 (postier_account_get_oauth_client_id (account),
               postier_account_get_oauth_client_id (self->original)) == 0;

  /* A name already taken: the save says so, before any browser opens. */
  if (provider == NULL || same_sign_in ||
      (self->original == NULL &&
       postier_account_store_lookup (self->store, postier_account_get_name (account)) != NULL))
    {
      _postier_account_editor_start_save (self, account, password);
      return;
    }
  run_sign_in (self, account, TRUE);
}

static void
on_sign_in_clicked (PostierAccountEditor *self)
{
  if (original_uses_oauth (self))
    run_sign_in (self, self->original, FALSE);
}

void
_postier_account_editor_auth_class_init (GtkWidgetClass *widget_class)
{
  /**
   * PostierAccountEditor::signed-in:
   * @name: the account's name
   *
   * The person signed in again ("Sign In Again…"): mail that waited for
   * the account may go.
   */
  signed_in_signal = g_signal_new ("signed-in", G_TYPE_FROM_CLASS (widget_class), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  gtk_widget_class_bind_template_child (widget_class, PostierAccountEditor, auth_row);
  gtk_widget_class_bind_template_child (widget_class, PostierAccountEditor, issuer_row);
  gtk_widget_class_bind_template_child (widget_class, PostierAccountEditor, client_id_row);
  gtk_widget_class_bind_template_child (widget_class, PostierAccountEditor, oauth_row);
  gtk_widget_class_bind_template_callback (widget_class, on_auth_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_sign_in_clicked);
}
