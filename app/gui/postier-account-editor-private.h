/* postier-account-editor-private.h — the account editor's insides, shared
 * by its files: postier-account-editor.c (fields, save, test, look-up) and
 * postier-account-editor-auth.c (how the account signs in: password,
 * OAuth 2.0 with a provider, or none)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "postier-account-editor.h"
#include "postier-deliverability-group.h"
#include "postier-limits-group.h"
#include "postier-connection-test.h"
#include "postier-server-suggestion.h"

G_BEGIN_DECLS

struct _PostierAccountEditor
{
  AdwBin                 parent_instance;

  PostierAccountStore   *store;
  PostierAccount        *original;     /* NULL when adding */
  GResolver             *resolver;
  GCancellable          *cancellable;  /* save, test and look-up */
  GCancellable          *lookup_cancellable;
  PostierConnectionTest *test;
  guint                  lookup_timeout;
  PostierSecurity        security;     /* what the combo showed last */
  guint                  busy;         /* saves and tests running */
  gboolean               updating;     /* our own changes to the fields */
  gboolean               name_edited;
  gboolean               host_edited;
  /* An SRV target outside the mail domain, waiting for the person. */
  char                  *suggested_host;
  guint                  suggested_port;
  PostierSecurity        suggested_security;

  /* Template widgets */
  GtkLabel              *error_label;
  AdwEntryRow           *display_name_row;
  AdwEntryRow           *address_row;
  AdwEntryRow           *name_row;
  GtkButton             *lookup_button;
  GtkSpinner            *lookup_spinner;
  GtkLabel              *lookup_label;
  GtkButton             *suggestion_button;
  AdwEntryRow           *host_row;
  AdwComboRow           *security_row;
  AdwActionRow          *port_row;
  GtkSpinButton         *port_spin;
  AdwEntryRow           *user_row;
  AdwPasswordEntryRow   *password_row;
  GtkButton             *test_button;
  GtkSpinner            *test_spinner;
  GtkBox                *test_result_box;
  GtkImage              *test_result_icon;
  GtkTextView           *test_result_view;
  PostierLimitsGroup    *limits_group;
  PostierDeliverabilityGroup *domain_group;
  /* How it signs in (postier-account-editor-auth.c). */
  AdwComboRow           *auth_row;
  AdwEntryRow           *issuer_row;
  AdwEntryRow           *client_id_row;
  AdwActionRow          *oauth_row;
  gboolean               auth_edited;   /* the person chose, not a preset */
  char                  *tested_identity, *tested_host;  /* of the last Test Connection */
};

/* The sign-in choices, in the order of the auth row's list. */
typedef enum {
  POSTIER_EDITOR_AUTH_PASSWORD,
  POSTIER_EDITOR_AUTH_GOOGLE,
  POSTIER_EDITOR_AUTH_MICROSOFT,
  POSTIER_EDITOR_AUTH_OTHER_OAUTH,   /* an issuer URL */
  POSTIER_EDITOR_AUTH_NONE,
} PostierEditorAuth;

/* postier-account-editor.c */
char            *_postier_account_editor_field_text       (gpointer editable);
void             _postier_account_editor_show_problem     (PostierAccountEditor *self,
                                                           GtkWidget            *row,
                                                           const char           *message);
/* Saves ACCOUNT (and PASSWORD when not NULL) as the editor's Save does. */
void             _postier_account_editor_start_save       (PostierAccountEditor *self,
                                                           PostierAccount       *account,
                                                           const char           *password);

/* postier-account-editor-auth.c */
PostierEditorAuth _postier_account_editor_get_auth        (PostierAccountEditor *self);
/* Shows the rows the choice needs. */
void             _postier_account_editor_auth_update      (PostierAccountEditor *self);
void             _postier_account_editor_auth_fill        (PostierAccountEditor *self,
                                                           PostierAccount       *account);
/* The preset or autoconfig said how to sign in: chosen, unless the person
 * chose already. */
void             _postier_account_editor_auth_suggest     (PostierAccountEditor *self,
                                                           const PostierServerSuggestion *found);
/* Sets ACCOUNT's auth and OAuth settings from the rows. FALSE (a problem
 * shown) when they do not make sense. */
gboolean         _postier_account_editor_auth_apply       (PostierAccountEditor *self,
                                                           PostierAccount       *account);
/* Saving ACCOUNT needs a sign-in first (a new OAuth account, or another
 * provider): runs it in the sign-in window, then saves; or saves at once. */
void             _postier_account_editor_sign_in_and_save (PostierAccountEditor *self,
                                                           PostierAccount       *account,
                                                           const char           *password);
void             _postier_account_editor_auth_class_init  (GtkWidgetClass       *widget_class);

G_END_DECLS
