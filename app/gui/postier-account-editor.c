/* postier-account-editor.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-account-editor"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "postier-accessible.h"
#include "postier-account-editor-private.h"
#include "postier-account-save.h"
#include "postier-autoconfig.h"
#include "postier-connection-test.h"
#include "postier-error.h"
#include "postier-deliverability-group.h"
#include "postier-limits-group.h"
#include "postier-password.h"
#include "postier-server-finder.h"

/* The security combo lists PostierSecurity in this order. */
#define SECURITY_ITEMS 3

/* Wait for the person to stop typing before asking DNS. */
#define LOOKUP_DELAY_MS 800

/* The struct lives in postier-account-editor-private.h (shared with
 * postier-account-editor-auth.c). */

G_DEFINE_FINAL_TYPE (PostierAccountEditor, postier_account_editor, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_CAN_SAVE,
  PROP_ADDING,
  N_PROPS
};

enum {
  SAVED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* Shared with postier-account-editor-auth.c, under their private names. */
#define field_text _postier_account_editor_field_text
#define show_problem _postier_account_editor_show_problem

char *
field_text (gpointer editable)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (editable))));
}

static void
set_field_text (PostierAccountEditor *self,
                gpointer              editable,
                const char           *text)
{
  self->updating = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (editable), text != NULL ? text : "");
  self->updating = FALSE;
}

static PostierSecurity
selected_security (PostierAccountEditor *self)
{
  guint selected = adw_combo_row_get_selected (self->security_row);

  return selected < SECURITY_ITEMS ? (PostierSecurity) selected : POSTIER_SECURITY_TLS;
}

static void
set_security_and_port (PostierAccountEditor *self,
                       PostierSecurity       security,
                       guint                 port)
{
  self->updating = TRUE;
  adw_combo_row_set_selected (self->security_row, security);
  self->security = security;
  gtk_spin_button_set_value (self->port_spin, port);
  self->updating = FALSE;
}

gboolean
postier_account_editor_get_can_save (PostierAccountEditor *self)
{
  g_autofree char *name = NULL;
  g_autofree char *address = NULL;
  g_autofree char *host = NULL;

  g_return_val_if_fail (POSTIER_IS_ACCOUNT_EDITOR (self), FALSE);

  name = field_text (self->name_row);
  address = field_text (self->address_row);
  host = field_text (self->host_row);
  return self->busy == 0 && *name != '\0' && *address != '\0' && *host != '\0';
}

static void
update_sensitivity (PostierAccountEditor *self)
{
  g_autofree char *host = field_text (self->host_row);

  gtk_widget_set_sensitive (GTK_WIDGET (self->test_button), self->busy == 0 && *host != '\0');
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_SAVE]);
}

static void
set_busy (PostierAccountEditor *self,
          gboolean              busy)
{
  if (busy)
    self->busy++;
  else if (self->busy > 0)
    self->busy--;
  update_sensitivity (self);
}

/* --- Problems ------------------------------------------------------------- */

static void
clear_problems (PostierAccountEditor *self)
{
  GtkWidget *rows[] = {
    GTK_WIDGET (self->name_row), GTK_WIDGET (self->address_row), GTK_WIDGET (self->host_row),
    GTK_WIDGET (self->port_row), GTK_WIDGET (self->security_row), GTK_WIDGET (self->user_row),
    GTK_WIDGET (self->password_row), GTK_WIDGET (self->display_name_row),
  };

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    gtk_widget_remove_css_class (rows[i], "error");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
}

/* Shows MESSAGE above the form, marks ROW and takes the focus there, so a
 * keyboard or screen reader user lands on what needs fixing. */
void
show_problem (PostierAccountEditor *self,
              GtkWidget            *row,
              const char           *message)
{
  gtk_label_set_text (self->error_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->error_label),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, message, -1);
  if (row != NULL)
    {
      gtk_widget_add_css_class (row, "error");
      gtk_widget_grab_focus (row);
    }
}

/* --- Building the account from the fields ---------------------------------- */

static PostierAccount *
build_account (PostierAccountEditor  *self,
               char                 **password_out,
               gboolean               for_saving)
{
  g_autoptr(PostierAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = field_text (self->name_row);
  g_autofree char *display_name = field_text (self->display_name_row);
  g_autofree char *address = field_text (self->address_row);
  g_autofree char *host = field_text (self->host_row);
  g_autofree char *user = field_text (self->user_row);
  g_autofree char *identity = NULL;
  const char *password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));

  clear_problems (self);

  if (self->original != NULL)
    account = postier_account_copy (self->original);
  else if (for_saving)
    {
      if (!postier_account_name_is_valid (name, &error))
        {
          show_problem (self, GTK_WIDGET (self->name_row), error->message);
          return NULL;
        }
      account = postier_account_new (name);
    }
  else
    {
      /* A test needs no valid name: it is never stored. */
      account = postier_account_new (*name != '\0' ? name : "test");
    }

  identity = postier_autoconfig_format_identity (display_name, address);
  if (!postier_parse_identity (identity, NULL, NULL, &error))
    {
      show_problem (self, GTK_WIDGET (self->address_row), error->message);
      return NULL;
    }
  postier_account_set_identity (account, identity);
  postier_account_set_host (account, host);
  postier_account_set_security (account, selected_security (self));
  postier_account_set_port (account, (guint) gtk_spin_button_get_value_as_int (self->port_spin));
  postier_account_set_user (account, *user != '\0' ? user : NULL);
  postier_limits_group_apply (self->limits_group, account);
  if (!_postier_account_editor_auth_apply (self, account))
    return NULL;

  if (_postier_account_editor_get_auth (self) != POSTIER_EDITOR_AUTH_PASSWORD)
    ;   /* a token from the provider, or no sign-in: no password */
  else if (*password != '\0')
    {
      /* A password means signing in, whatever was set before. */
      if (postier_account_get_auth (account) == POSTIER_AUTH_NONE)
        postier_account_set_auth (account, POSTIER_AUTH_AUTO);
      *password_out = g_strdup (password);
    }
  else if (self->original == NULL)
    {
      if (*user != '\0')
        {
          show_problem (self, GTK_WIDGET (self->password_row),
                        _("Enter the password for this user name, or leave both empty if the "
                          "server needs no sign-in."));
          return NULL;
        }
      /* Some company relays accept mail from their network without one. */
      postier_account_set_auth (account, POSTIER_AUTH_NONE);
    }

  if (!postier_account_validate (account, &error))
    {
      GtkWidget *row = GTK_WIDGET (self->host_row);

      if (selected_security (self) == POSTIER_SECURITY_NONE)
        row = GTK_WIDGET (self->security_row);
      show_problem (self, row, error->message);
      return NULL;
    }

  return g_steal_pointer (&account);
}

/* --- Saving ----------------------------------------------------------------- */

static void
save_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(PostierAccountEditor) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = field_text (self->name_row);

  set_busy (self, FALSE);
  if (!postier_account_save_finish (POSTIER_ACCOUNT_STORE (source), result, &error))
    {
      GtkWidget *row = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      if (g_error_matches (error, POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_EXISTS))
        row = GTK_WIDGET (self->name_row);
      else if (error->domain == POSTIER_SECRET_ERROR)
        row = GTK_WIDGET (self->password_row);
      show_problem (self, row, error->message);
      return;
    }

  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  if (self->original != NULL)
    {
      g_free (name);
      name = g_strdup (postier_account_get_name (self->original));
    }
  g_signal_emit (self, signals[SAVED], 0, name);
}

void
postier_account_editor_save (PostierAccountEditor *self)
{
  g_autoptr(PostierAccount) account = NULL;
  /* Wiped on every way out: build_account() may fill it and still refuse. */
  g_autoptr(PostierPassword) password = NULL;

  g_return_if_fail (POSTIER_IS_ACCOUNT_EDITOR (self));

  if (!postier_account_editor_get_can_save (self))
    return;

  account = build_account (self, &password, TRUE);
  if (account == NULL)
    return;
  _postier_account_editor_sign_in_and_save (self, account, password);
  if (password != NULL)
    explicit_bzero (password, strlen (password));
}

void
_postier_account_editor_start_save (PostierAccountEditor *self,
                                    PostierAccount       *account,
                                    const char           *password)
{
  set_busy (self, TRUE);
  postier_account_save_async (self->store, account,
                              self->original != NULL ? POSTIER_ACCOUNT_SAVE_REPLACE
                                                     : POSTIER_ACCOUNT_SAVE_ADD,
                              password, FALSE, self->cancellable, save_done,
                              g_object_ref (self));
}

/* --- Testing ---------------------------------------------------------------- */

static void
show_test_result (PostierAccountEditor *self,
                  gboolean              success,
                  const char           *text)
{
  gtk_image_set_from_icon_name (self->test_result_icon,
                                success ? "emblem-ok-symbolic" : "dialog-warning-symbolic");
  gtk_widget_remove_css_class (GTK_WIDGET (self->test_result_icon), success ? "error" : "success");
  gtk_widget_add_css_class (GTK_WIDGET (self->test_result_icon), success ? "success" : "error");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->test_result_icon),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  success ? _("Connection works") : _("Connection failed"), -1);
  /* A text view, not a label: a dozen wrapped lines of certificate details
   * in a label trip GTK 4.8's height-for-width check. */
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->test_result_view), text, -1);
  gtk_widget_set_visible (GTK_WIDGET (self->test_result_box), TRUE);
}

static void
test_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(PostierAccountEditor) self = user_data;
  PostierConnectionTest *test = POSTIER_CONNECTION_TEST (source);
  g_autoptr(GError) error = NULL;
  g_autofree char *report = NULL;
  gboolean success;

  success = postier_connection_test_run_finish (test, result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  gtk_spinner_stop (self->test_spinner);
  gtk_widget_set_visible (GTK_WIDGET (self->test_spinner), FALSE);
  set_busy (self, FALSE);

  report = postier_connection_test_describe (test, error);
  show_test_result (self, success, report);
  /* The relay works: now, will receivers take mail from this domain? */
  gtk_widget_set_visible (GTK_WIDGET (self->domain_group), success);
  if (success)
    postier_deliverability_group_show_domain (self->domain_group, self->tested_identity, self->tested_host);
  if (self->test == test)
    g_clear_object (&self->test);
}

void
postier_account_editor_test (PostierAccountEditor *self)
{
  g_autoptr(PostierAccount) account = NULL;
  /* Wiped on every way out: build_account() may fill it and still refuse. */
  g_autoptr(PostierPassword) password = NULL;

  g_return_if_fail (POSTIER_IS_ACCOUNT_EDITOR (self));

  if (self->busy > 0)
    return;
  account = build_account (self, &password, FALSE);
  if (account == NULL)
    return;

  g_clear_object (&self->test);
  self->test = postier_connection_test_new (account);
  g_free (self->tested_identity);
  self->tested_identity = g_strdup (postier_account_get_identity (account));
  g_free (self->tested_host);
  self->tested_host = g_strdup (postier_account_get_host (account));
  /* Without a new password, an edited account uses the keyring's. */
  if (password != NULL)
    {
      postier_connection_test_set_password (self->test, password);
      explicit_bzero (password, strlen (password));
    }

  gtk_widget_set_visible (GTK_WIDGET (self->test_result_box), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->test_spinner), TRUE);
  gtk_spinner_start (self->test_spinner);
  set_busy (self, TRUE);
  postier_connection_test_run_async (self->test, self->cancellable, test_done,
                                     g_object_ref (self));
}

/* --- Finding the server ------------------------------------------------------ */

static void
show_lookup_note (PostierAccountEditor *self,
                  const char           *text)
{
  gtk_label_set_text (self->lookup_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->lookup_label), text != NULL);
}

static void
clear_suggestion (PostierAccountEditor *self)
{
  g_clear_pointer (&self->suggested_host, g_free);
  gtk_widget_set_visible (GTK_WIDGET (self->suggestion_button), FALSE);
}

/* The person accepts the server found outside their domain: from now on it
 * is theirs, as if typed. */
static void
on_suggestion_clicked (PostierAccountEditor *self)
{
  g_autofree char *host = g_steal_pointer (&self->suggested_host);

  if (host == NULL)
    return;
  clear_suggestion (self);
  set_field_text (self, self->host_row, host);
  self->host_edited = TRUE;
  set_security_and_port (self, self->suggested_security, self->suggested_port);
  update_sensitivity (self);
}

typedef struct {
  PostierAccountEditor *self;
  char                 *domain;
  gboolean              asked;   /* the person pressed the button */
} LookupData;

static void
lookup_data_free (LookupData *data)
{
  g_object_unref (data->self);
  g_free (data->domain);
  g_free (data);
}

static void
lookup_done (G_GNUC_UNUSED GObject *source,
             GAsyncResult          *result,
             gpointer               user_data)
{
  LookupData *data = user_data;
  PostierAccountEditor *self = data->self;
  g_autoptr(GError) error = NULL;
  g_autofree char *host = NULL;
  g_autofree char *note = NULL;
  g_autoptr(PostierServerSuggestion) found = postier_server_find_finish (result, &error);
  PostierSecurity security;
  guint port;
  if (found == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          gtk_spinner_stop (self->lookup_spinner);
          gtk_widget_set_visible (GTK_WIDGET (self->lookup_spinner), FALSE);
          if (data->asked)
            {
              note = g_strdup_printf ("%s %s", error->message,
                                      _("Ask your provider for the name of its SMTP server."));
              show_lookup_note (self, note);
            }
        }
      lookup_data_free (data);
      return;
    }

  gtk_spinner_stop (self->lookup_spinner);
  gtk_widget_set_visible (GTK_WIDGET (self->lookup_spinner), FALSE);
  clear_suggestion (self);
  host = g_strdup (found->host);
  port = found->port;
  security = found->security;

  /* DNS answers are not signed (RFC 6186 §6): a server in the mail domain
   * may be filled in, one outside it only by the person's own choice, or a
   * spoofed answer plus a certificate for the spoofer's own name would get
   * the password on Test or Save. */
  if (!found->may_fill)
    {
      g_autofree char *label = g_strdup_printf (_("Use %s"), host);

      /* A host filled in from an earlier answer is not the person's. */
      if (!self->host_edited)
        {
          set_field_text (self, self->host_row, "");
          update_sensitivity (self);
        }
      self->suggested_host = g_steal_pointer (&host);
      self->suggested_port = port;
      self->suggested_security = security;
      note = g_strdup_printf (_("%s publishes %s as its mail server. It is outside your domain, "
                                "and this answer cannot be verified: use it only if your provider "
                                "told you so."), data->domain, self->suggested_host);
      show_lookup_note (self, note);
      gtk_button_set_label (self->suggestion_button, label);
      gtk_widget_set_visible (GTK_WIDGET (self->suggestion_button), TRUE);
      lookup_data_free (data);
      return;
    }

  /* What the person typed wins over what DNS says, unless they asked. */
  if (data->asked || !self->host_edited)
    {
      set_field_text (self, self->host_row, host);
      self->host_edited = FALSE;
      set_security_and_port (self, security, port);
      /* A login other than the address (autoconfig's %EMAILLOCALPART%). */
      if (found->user != NULL && strchr (found->user, '@') == NULL)
        set_field_text (self, self->user_row, found->user);
      _postier_account_editor_auth_suggest (self, found);
      update_sensitivity (self);
    }

  if (found->source == POSTIER_SERVER_SOURCE_PRESET)
    note = g_strdup_printf (_("Found %s (%s) in Postier’s list of providers."), host, found->provider_name);
  else
    note = g_strdup_printf (_("Found %s in the mail settings %s publishes."), host, data->domain);
  show_lookup_note (self, note);
  lookup_data_free (data);
}

static void
start_lookup (PostierAccountEditor *self,
              gboolean              asked)
{
  g_autofree char *address = field_text (self->address_row);
  g_autofree char *domain = postier_autoconfig_domain_of_address (address);
  LookupData *data;

  g_clear_handle_id (&self->lookup_timeout, g_source_remove);
  g_cancellable_cancel (self->lookup_cancellable);
  g_clear_object (&self->lookup_cancellable);

  if (domain == NULL)
    {
      if (asked)
        show_problem (self, GTK_WIDGET (self->address_row),
                      _("Enter your email address first: its domain says where to look."));
      return;
    }

  self->lookup_cancellable = g_cancellable_new ();
  data = g_new0 (LookupData, 1);
  data->self = g_object_ref (self);
  data->domain = g_steal_pointer (&domain);
  data->asked = asked;

  gtk_widget_set_visible (GTK_WIDGET (self->lookup_spinner), TRUE);
  gtk_spinner_start (self->lookup_spinner);
  postier_server_find_async (self->resolver, address, 0, self->lookup_cancellable, lookup_done, data);
}

void
postier_account_editor_find_server (PostierAccountEditor *self)
{
  g_return_if_fail (POSTIER_IS_ACCOUNT_EDITOR (self));
  clear_problems (self);
  start_lookup (self, TRUE);
}

static gboolean
lookup_timeout_cb (gpointer user_data)
{
  PostierAccountEditor *self = user_data;

  self->lookup_timeout = 0;
  start_lookup (self, FALSE);
  return G_SOURCE_REMOVE;
}

void
postier_account_editor_set_resolver (PostierAccountEditor *self,
                                     GResolver            *resolver)
{
  g_return_if_fail (POSTIER_IS_ACCOUNT_EDITOR (self));
  g_set_object (&self->resolver, resolver);
}

/* --- Signal handlers ------------------------------------------------------- */

static void
on_field_changed (PostierAccountEditor *self)
{
  update_sensitivity (self);
}

static void
on_name_changed (PostierAccountEditor *self)
{
  if (!self->updating)
    self->name_edited = TRUE;
  update_sensitivity (self);
}

static void
on_host_changed (PostierAccountEditor *self)
{
  if (!self->updating)
    self->host_edited = TRUE;
  update_sensitivity (self);
}

static void
on_address_changed (PostierAccountEditor *self)
{
  g_autofree char *address = field_text (self->address_row);
  g_autofree char *domain = postier_autoconfig_domain_of_address (address);
  g_autofree char *host = field_text (self->host_row);

  /* A new account is named after its domain until named otherwise. */
  if (self->original == NULL && !self->name_edited)
    set_field_text (self, self->name_row, domain);

  g_clear_handle_id (&self->lookup_timeout, g_source_remove);
  if (domain != NULL && strchr (domain, '.') != NULL && (*host == '\0' || !self->host_edited) &&
      self->original == NULL)
    self->lookup_timeout = g_timeout_add (LOOKUP_DELAY_MS, lookup_timeout_cb, self);

  update_sensitivity (self);
}

static void
on_security_changed (PostierAccountEditor *self)
{
  PostierSecurity security = selected_security (self);
  guint port = (guint) gtk_spin_button_get_value_as_int (self->port_spin);

  if (self->updating)
    return;

  /* Follow the security with the usual port, unless a custom port was set. */
  if (port == postier_security_default_port (self->security) || port == 0)
    {
      self->updating = TRUE;
      gtk_spin_button_set_value (self->port_spin, postier_security_default_port (security));
      self->updating = FALSE;
    }
  self->security = security;
}

static void
on_port_changed (PostierAccountEditor *self)
{
  guint port = (guint) gtk_spin_button_get_value_as_int (self->port_spin);
  PostierSecurity security;

  if (self->updating)
    return;
  if (postier_autoconfig_security_for_port (port, &security) &&
      selected_security (self) != POSTIER_SECURITY_NONE)
    {
      self->updating = TRUE;
      adw_combo_row_set_selected (self->security_row, security);
      self->security = security;
      self->updating = FALSE;
    }
}

/* Enter in the last field saves, as a form's default button would. */
static void
on_password_activated (PostierAccountEditor *self)
{
  postier_account_editor_save (self);
}

static void
on_lookup_clicked (PostierAccountEditor *self)
{
  postier_account_editor_find_server (self);
}

static void
on_test_clicked (PostierAccountEditor *self)
{
  postier_account_editor_test (self);
}

/* --- Object ----------------------------------------------------------------- */

static void
fill_from_account (PostierAccountEditor *self,
                   PostierAccount       *account)
{
  const char *user = postier_account_get_user (account);

  set_field_text (self, self->name_row, postier_account_get_name (account));
  set_field_text (self, self->display_name_row, postier_account_get_display_name (account));
  set_field_text (self, self->address_row, postier_account_get_address (account));
  set_field_text (self, self->host_row, postier_account_get_host (account));
  set_field_text (self, self->user_row, user);
  set_security_and_port (self, postier_account_get_security (account),
                         postier_account_get_port (account));
  postier_limits_group_show (self->limits_group, account);
  _postier_account_editor_auth_fill (self, account);
  self->name_edited = TRUE;
  self->host_edited = TRUE;

  /* The name is the key of the account and of its keyring item. */
  gtk_editable_set_editable (GTK_EDITABLE (self->name_row), FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->name_row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->password_row),
                                 _("Pass_word (leave empty to keep it)"));
}

static void
postier_account_editor_dispose (GObject *object)
{
  PostierAccountEditor *self = POSTIER_ACCOUNT_EDITOR (object);

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->lookup_cancellable);
  g_clear_handle_id (&self->lookup_timeout, g_source_remove);

  gtk_widget_dispose_template (GTK_WIDGET (self), POSTIER_TYPE_ACCOUNT_EDITOR);

  G_OBJECT_CLASS (postier_account_editor_parent_class)->dispose (object);
}

static void
postier_account_editor_finalize (GObject *object)
{
  PostierAccountEditor *self = POSTIER_ACCOUNT_EDITOR (object);

  g_clear_object (&self->store);
  g_clear_object (&self->original);
  g_clear_object (&self->resolver);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->lookup_cancellable);
  g_clear_object (&self->test);
  g_free (self->suggested_host);

  g_free (self->tested_identity);
  g_free (self->tested_host);
  G_OBJECT_CLASS (postier_account_editor_parent_class)->finalize (object);
}

static void
postier_account_editor_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  PostierAccountEditor *self = POSTIER_ACCOUNT_EDITOR (object);

  switch (prop_id)
    {
    case PROP_CAN_SAVE:
      g_value_set_boolean (value, postier_account_editor_get_can_save (self));
      break;
    case PROP_ADDING:
      g_value_set_boolean (value, self->original == NULL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
postier_account_editor_class_init (PostierAccountEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = postier_account_editor_dispose;
  object_class->finalize = postier_account_editor_finalize;
  object_class->get_property = postier_account_editor_get_property;

  properties[PROP_CAN_SAVE] =
    g_param_spec_boolean ("can-save", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_ADDING] =
    g_param_spec_boolean ("adding", NULL, NULL, TRUE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * PostierAccountEditor::saved:
   * @name: the account's name
   *
   * The account and its password are stored.
   */
  signals[SAVED] = g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                 0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/postier/Postier/ui/postier-account-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, PostierAccountEditor, error_label);
  gtk_widget_class_bind_template_child (widget_class, PostierAccountEditor, display_name_row);
  gtk_widget_class_bind_template_child (widget_class, PostierAccountEditor, address_row);
  gtk_widget_class_bind_template_child (widget_class, PostierAccountEditor, name_row);
  gtk_widget_class_bind_template_child (widget_class, PostierAccountEditor, lookup_button);
  gtk_widget_class_bind_template_child (widget_class, PostierAccountEditor, lookup_spinner);
  gtk_widget_class_bind_template_child (widget_class, PostierAccountEditor, lookup_label);
  gtk_widget_class_bind_template_child (widget_class, PostierAccountEditor, suggestion_button);
  gtk_widget_class_bind_template_callback (widget_class, on_suggestion_clicked);
  gtk_widget_class_bind_template_child (widget_class, PostierAccountEditor, host_row);
  gtk_widget_class_bind_template_child (widget_class, PostierAccountEditor, security_row);
  gtk_widget_class_bind_template_child (widget_class, PostierAccountEditor, port_row);
  gtk_widget_class_bind_template_child (widget_class, PostierAccountEditor, port_spin);
  gtk_widget_class_bind_template_child (widget_class, PostierAccountEditor, user_row);
  gtk_widget_class_bind_template_child (widget_class, PostierAccountEditor, password_row);
  gtk_widget_class_bind_template_child (widget_class, PostierAccountEditor, test_button);
  gtk_widget_class_bind_template_child (widget_class, PostierAccountEditor, test_spinner);
  gtk_widget_class_bind_template_child (widget_class, PostierAccountEditor, test_result_box);
  gtk_widget_class_bind_template_child (widget_class, PostierAccountEditor, test_result_icon);
  gtk_widget_class_bind_template_child (widget_class, PostierAccountEditor, test_result_view);
  g_type_ensure (POSTIER_TYPE_LIMITS_GROUP);
  g_type_ensure (POSTIER_TYPE_DELIVERABILITY_GROUP);
  gtk_widget_class_bind_template_child (widget_class, PostierAccountEditor, limits_group);
  gtk_widget_class_bind_template_child (widget_class, PostierAccountEditor, domain_group);
  gtk_widget_class_bind_template_callback (widget_class, on_field_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_name_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_host_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_address_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_security_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_port_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_password_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_lookup_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_test_clicked);
  _postier_account_editor_auth_class_init (widget_class);
}

static void
postier_account_editor_init (PostierAccountEditor *self)
{
  self->cancellable = g_cancellable_new ();
  self->security = POSTIER_SECURITY_TLS;

  gtk_widget_init_template (GTK_WIDGET (self));
  postier_accessible_name_peek_button (GTK_WIDGET (self->password_row));
}

PostierAccountEditor *
postier_account_editor_new (PostierAccountStore *store,
                            PostierAccount      *account)
{
  PostierAccountEditor *self;

  g_return_val_if_fail (POSTIER_IS_ACCOUNT_STORE (store), NULL);
  g_return_val_if_fail (account == NULL || POSTIER_IS_ACCOUNT (account), NULL);

  self = g_object_new (POSTIER_TYPE_ACCOUNT_EDITOR, NULL);
  self->store = g_object_ref (store);
  if (account != NULL)
    {
      self->original = postier_account_copy (account);
      fill_from_account (self, account);
    }
  else
    {
      set_security_and_port (self, POSTIER_SECURITY_TLS,
                             postier_security_default_port (POSTIER_SECURITY_TLS));
    }
  _postier_account_editor_auth_update (self);
  update_sensitivity (self);
  return self;
}
