/* postier-preferences.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-preferences"

#include "config.h"

#include <glib/gi18n.h>

#include "postier-account-editor.h"
#include "postier-gui-format.h"
#include "postier-account-save.h"
#include "postier-online-accounts.h"
#include "postier-online-accounts-group.h"
#include "postier-connection-test.h"
#include "postier-preferences.h"

struct _PostierPreferences
{
  AdwPreferencesWindow  parent_instance;

  PostierAccountStore  *store;
  GCancellable         *cancellable;
  guint                 rebuild_source;
  gboolean              updating;

  /* Template widgets */
  GtkListBox           *accounts_list;
  GtkSwitch            *sandbox_visible_switch;
  GtkSwitch            *complete_addresses_switch;
  GtkSwitch            *show_cc_bcc_switch;
  GtkSpinButton        *send_delay_spin;

  GSettings            *settings;
};

G_DEFINE_FINAL_TYPE (PostierPreferences, postier_preferences, ADW_TYPE_PREFERENCES_WINDOW)

enum {
  ACCOUNT_SAVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
show_toast (PostierPreferences *self,
            const char         *text)
{
  AdwToast *toast = postier_toast_new_literal (text);

  adw_toast_set_timeout (toast, 4);
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), toast);
}

/* --- The editor subpage ----------------------------------------------------- */

static void
on_editor_saved (PostierPreferences *self,
                 const char         *name)
{
  g_autofree char *text = g_strdup_printf (_("Account “%s” saved"), name);

  adw_preferences_window_close_subpage (ADW_PREFERENCES_WINDOW (self));
  show_toast (self, text);
  g_signal_emit (self, signals[ACCOUNT_SAVED], 0, name);
}

/* Signed in again from the editor: mail that waited for it may go. */
static void
on_editor_signed_in (PostierPreferences *self,
                     const char         *name)
{
  show_toast (self, _("Signed in"));
  g_signal_emit (self, signals[ACCOUNT_SAVED], 0, name);
}

static void
on_subpage_cancel (PostierPreferences *self)
{
  adw_preferences_window_close_subpage (ADW_PREFERENCES_WINDOW (self));
}

void
postier_preferences_edit_account (PostierPreferences *self,
                                  const char         *account_name)
{
  PostierAccount *account = NULL;
  PostierAccountEditor *editor;
  g_autofree char *title = NULL;
  GtkWidget *page, *header, *window_title, *cancel, *save, *scrolled, *clamp;

  g_return_if_fail (POSTIER_IS_PREFERENCES (self));

  if (account_name != NULL)
    {
      account = postier_account_store_lookup (self->store, account_name);
      if (account == NULL || postier_account_get_kind (account) != POSTIER_ACCOUNT_KIND_RELAY)
        return;
      title = g_strdup_printf (_("Edit “%s”"), account_name);
    }
  else
    {
      title = g_strdup (_("Add Account"));
    }

  editor = postier_account_editor_new (self->store, account);
  g_signal_connect_object (editor, "saved", G_CALLBACK (on_editor_saved), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (editor, "signed-in", G_CALLBACK (on_editor_signed_in), self,
                           G_CONNECT_SWAPPED);

  header = adw_header_bar_new ();
  adw_header_bar_set_show_end_title_buttons (ADW_HEADER_BAR (header), FALSE);
  adw_header_bar_set_show_start_title_buttons (ADW_HEADER_BAR (header), FALSE);
  window_title = adw_window_title_new (title, NULL);
  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header), window_title);

  cancel = gtk_button_new_with_mnemonic (_("_Cancel"));
  g_signal_connect_object (cancel, "clicked", G_CALLBACK (on_subpage_cancel), self,
                           G_CONNECT_SWAPPED);
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), cancel);

  save = gtk_button_new_with_mnemonic (account != NULL ? _("_Save") : _("_Add"));
  gtk_widget_add_css_class (save, "suggested-action");
  g_object_bind_property (editor, "can-save", save, "sensitive", G_BINDING_SYNC_CREATE);
  g_signal_connect_object (save, "clicked", G_CALLBACK (postier_account_editor_save), editor,
                           G_CONNECT_SWAPPED);
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), save);

  clamp = adw_clamp_new ();
  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 600);
  gtk_widget_set_margin_top (clamp, 24);
  gtk_widget_set_margin_bottom (clamp, 24);
  gtk_widget_set_margin_start (clamp, 12);
  gtk_widget_set_margin_end (clamp, 12);
  adw_clamp_set_child (ADW_CLAMP (clamp), GTK_WIDGET (editor));
  scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_widget_set_vexpand (scrolled, TRUE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), clamp);

  page = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_box_append (GTK_BOX (page), header);
  gtk_box_append (GTK_BOX (page), scrolled);
  g_object_set_data (G_OBJECT (page), "postier-account-editor", editor);

  adw_preferences_window_present_subpage (ADW_PREFERENCES_WINDOW (self), page);
  gtk_widget_grab_focus (GTK_WIDGET (editor));
}

/* --- Testing ----------------------------------------------------------------- */

typedef struct {
  AdwMessageDialog *dialog;
  GtkLabel         *report;
  GCancellable     *cancellable;
  char             *name;
} TestData;

static void
test_data_free (TestData *data)
{
  g_clear_object (&data->dialog);
  g_clear_object (&data->cancellable);
  g_free (data->name);
  g_free (data);
}

static void
test_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  TestData *data = user_data;
  PostierConnectionTest *test = POSTIER_CONNECTION_TEST (source);
  g_autoptr(GError) error = NULL;
  g_autofree char *report = NULL;
  g_autofree char *heading = NULL;
  gboolean ok;

  ok = postier_connection_test_run_finish (test, result, &error);
  /* Closed before the answer: nobody is looking any more. */
  if (!g_cancellable_is_cancelled (data->cancellable))
    {
      report = postier_connection_test_describe (test, error);
      heading = ok ? g_strdup_printf (_("“%s” Works"), data->name)
                   : g_strdup_printf (_("“%s” Cannot Send"), data->name);
      adw_message_dialog_set_heading (data->dialog, heading);
      adw_message_dialog_set_body (data->dialog, "");
      gtk_label_set_text (data->report, report);
      gtk_widget_set_visible (GTK_WIDGET (data->report), TRUE);
    }
  test_data_free (data);
}

static void
test_account (PostierPreferences *self,
              const char         *name)
{
  PostierAccount *account = postier_goa_is_account_name (name)
                            ? postier_online_accounts_lookup_account (name)
                            : postier_account_store_lookup (self->store, name);
  g_autoptr(PostierConnectionTest) test = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  GtkWidget *dialog;
  GtkWidget *report;
  TestData *data;

  if (account == NULL)
    return;
  /* Online Accounts' are known by their address, not "goa:ID". */
  if (postier_goa_is_account_name (name))
    name = postier_account_get_address (account);

  heading = g_strdup_printf (_("Testing “%s”"), name);
  body = postier_account_get_kind (account) == POSTIER_ACCOUNT_KIND_SANDBOX
         ? g_strdup (_("Starting the Sandbox…"))
         : g_strdup_printf (_("Connecting to %s…"), postier_account_get_host (account));
  dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, body);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "close");

  report = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (report), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (report), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_selectable (GTK_LABEL (report), TRUE);
  gtk_label_set_xalign (GTK_LABEL (report), 0);
  gtk_widget_set_visible (report, FALSE);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), report);

  /* Closing the dialog stops the test. */
  g_signal_connect_object (dialog, "response", G_CALLBACK (g_cancellable_cancel), cancellable,
                           G_CONNECT_SWAPPED);

  data = g_new0 (TestData, 1);
  data->dialog = g_object_ref (ADW_MESSAGE_DIALOG (dialog));
  data->report = GTK_LABEL (report);
  data->name = g_strdup (name);
  data->cancellable = g_object_ref (cancellable);

  test = postier_connection_test_new (account);
  postier_connection_test_run_async (test, cancellable, test_done, data);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* --- Removing ---------------------------------------------------------------- */

static void
remove_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(PostierPreferences) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!postier_account_remove_finish (POSTIER_ACCOUNT_STORE (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    show_toast (self, error->message);
}

static void
remove_response (AdwMessageDialog   *dialog,
                 const char         *response,
                 PostierPreferences *self)
{
  const char *name = g_object_get_data (G_OBJECT (dialog), "postier-account-name");

  if (g_strcmp0 (response, "remove") != 0)
    return;
  postier_account_remove_async (self->store, name, self->cancellable, remove_done,
                                g_object_ref (self));
}

static void
confirm_remove (PostierPreferences *self,
                const char         *name)
{
  g_autofree char *heading = g_strdup_printf (_("Remove “%s”?"), name);
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (GTK_WINDOW (self), heading,
                                   _("Its password is removed from the keyring too. Messages "
                                     "waiting in the outbox for this account stay there until you "
                                     "delete them or add the account again."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "remove", _("_Remove"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "remove",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "postier-account-name", g_strdup (name), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (remove_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* --- Actions ----------------------------------------------------------------- */

static void
add_account_action (GtkWidget  *widget,
                    G_GNUC_UNUSED const char *action_name,
                    G_GNUC_UNUSED GVariant   *parameter)
{
  postier_preferences_edit_account (POSTIER_PREFERENCES (widget), NULL);
}

static void
edit_account_action (GtkWidget  *widget,
                     G_GNUC_UNUSED const char *action_name,
                     GVariant   *parameter)
{
  postier_preferences_edit_account (POSTIER_PREFERENCES (widget),
                                    g_variant_get_string (parameter, NULL));
}

static void
test_account_action (GtkWidget  *widget,
                     G_GNUC_UNUSED const char *action_name,
                     GVariant   *parameter)
{
  test_account (POSTIER_PREFERENCES (widget), g_variant_get_string (parameter, NULL));
}

static void
remove_account_action (GtkWidget  *widget,
                       G_GNUC_UNUSED const char *action_name,
                       GVariant   *parameter)
{
  confirm_remove (POSTIER_PREFERENCES (widget), g_variant_get_string (parameter, NULL));
}

static void
on_default_toggled (PostierPreferences *self,
                    GtkCheckButton     *radio)
{
  g_autoptr(GError) error = NULL;

  if (self->updating || !gtk_check_button_get_active (radio))
    return;
  if (!postier_account_store_set_default (self->store,
                                          g_object_get_data (G_OBJECT (radio),
                                                             "postier-account-name"),
                                          &error))
    show_toast (self, error->message);
}

/* --- The list ---------------------------------------------------------------- */

static GtkWidget *
row_button (const char *icon_name,
            const char *tooltip,
            const char *action_name,
            const char *account_name)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon_name);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip,
                                  -1);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action_name);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", account_name);
  return button;
}

static GtkWidget *
account_row (PostierPreferences *self,
             PostierAccount     *account,
             gboolean            is_default,
             GtkCheckButton     *group)
{
  const char *name = postier_account_get_name (account);
  gboolean sandbox = postier_account_get_kind (account) == POSTIER_ACCOUNT_KIND_SANDBOX;
  g_autofree char *escaped_name = g_markup_escape_text (name, -1);
  g_autofree char *subtitle = NULL;
  g_autofree char *escaped_subtitle = NULL;
  g_autofree char *default_label = g_strdup_printf (_("Use “%s” for new messages"), name);
  g_autofree char *test_label = g_strdup_printf (_("Test “%s”"), name);
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *radio = gtk_check_button_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), escaped_name);
  if (sandbox)
    subtitle = g_strdup (_("Captures mail on this computer; nothing leaves it"));
  else
    subtitle = g_strdup_printf ("%s\n%s:%u · %s", postier_account_get_identity (account),
                                postier_account_get_host (account),
                                postier_account_get_port (account),
                                postier_account_get_security (account) == POSTIER_SECURITY_TLS
                                ? "TLS"
                                : postier_account_get_security (account) == POSTIER_SECURITY_STARTTLS
                                ? "STARTTLS" : _("no encryption"));
  escaped_subtitle = g_markup_escape_text (subtitle, -1);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), escaped_subtitle);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);

  /* The default account is a choice among all: radio buttons. */
  if (group != NULL)
    gtk_check_button_set_group (GTK_CHECK_BUTTON (radio), group);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (radio), is_default);
  gtk_widget_set_valign (radio, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (radio, default_label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (radio), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  default_label, -1);
  g_object_set_data_full (G_OBJECT (radio), "postier-account-name", g_strdup (name), g_free);
  g_signal_connect_object (radio, "toggled", G_CALLBACK (on_default_toggled), self,
                           G_CONNECT_SWAPPED);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), radio);

  {
    /* "Test" is clearer as a word than any icon. */
    GtkWidget *test = gtk_button_new_with_mnemonic (_("_Test"));

    gtk_widget_set_valign (test, GTK_ALIGN_CENTER);
    gtk_widget_add_css_class (test, "flat");
    gtk_widget_set_tooltip_text (test, test_label);
    gtk_accessible_update_property (GTK_ACCESSIBLE (test), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                    test_label, -1);
    gtk_actionable_set_action_name (GTK_ACTIONABLE (test), "preferences.test-account");
    gtk_actionable_set_action_target (GTK_ACTIONABLE (test), "s", name);
    adw_action_row_add_suffix (ADW_ACTION_ROW (row), test);
  }
  if (!sandbox)
    {
      g_autofree char *edit_label = g_strdup_printf (_("Edit “%s”"), name);
      g_autofree char *remove_label = g_strdup_printf (_("Remove “%s”"), name);

      adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                 row_button ("document-edit-symbolic", edit_label,
                                             "preferences.edit-account", name));
      adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                 row_button ("user-trash-symbolic", remove_label,
                                             "preferences.remove-account", name));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (row), "preferences.edit-account");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (row), "s", name);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
    }
  g_object_set_data_full (G_OBJECT (row), "postier-account-name", g_strdup (name), g_free);
  g_object_set_data (G_OBJECT (row), "postier-default-radio", radio);
  return row;
}

static void
rebuild (PostierPreferences *self)
{
  g_autoptr(GPtrArray) accounts = postier_account_store_list (self->store);
  PostierAccount *default_account = postier_account_store_get_default (self->store);
  PostierAccount *sandbox = postier_account_store_get_sandbox (self->store);
  GtkCheckButton *group = NULL;
  GtkWidget *child;

  self->updating = TRUE;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->accounts_list))) != NULL)
    gtk_list_box_remove (self->accounts_list, child);

  for (guint i = 0; i < accounts->len; i++)
    {
      PostierAccount *account = accounts->pdata[i];
      GtkWidget *row = account_row (self, account, account == default_account, group);

      if (group == NULL)
        group = g_object_get_data (G_OBJECT (row), "postier-default-radio");
      gtk_list_box_append (self->accounts_list, row);
    }

  gtk_switch_set_active (self->sandbox_visible_switch,
                         sandbox == NULL || !postier_account_get_hidden (sandbox));
  self->updating = FALSE;
}

static gboolean
rebuild_cb (gpointer user_data)
{
  PostierPreferences *self = user_data;

  self->rebuild_source = 0;
  rebuild (self);
  return G_SOURCE_REMOVE;
}

/* The store changes from inside our own handlers (a radio toggling): the
 * list is rebuilt afterwards, never under the widget being clicked. */
static void
on_store_changed (PostierPreferences *self)
{
  if (self->rebuild_source == 0)
    self->rebuild_source = g_idle_add (rebuild_cb, self);
}

static void
on_sandbox_visible_changed (PostierPreferences *self)
{
  PostierAccount *sandbox = postier_account_store_get_sandbox (self->store);
  g_autoptr(PostierAccount) changed = NULL;
  g_autoptr(GError) error = NULL;
  gboolean hidden = !gtk_switch_get_active (self->sandbox_visible_switch);

  if (self->updating || sandbox == NULL || postier_account_get_hidden (sandbox) == hidden)
    return;
  changed = postier_account_copy (sandbox);
  postier_account_set_hidden (changed, hidden);
  if (!postier_account_store_replace (self->store, changed, &error))
    show_toast (self, error->message);
}

/* --- Object ------------------------------------------------------------------ */

static void
postier_preferences_dispose (GObject *object)
{
  PostierPreferences *self = POSTIER_PREFERENCES (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->rebuild_source, g_source_remove);
  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);

  gtk_widget_dispose_template (GTK_WIDGET (self), POSTIER_TYPE_PREFERENCES);

  G_OBJECT_CLASS (postier_preferences_parent_class)->dispose (object);
}

static void
postier_preferences_finalize (GObject *object)
{
  PostierPreferences *self = POSTIER_PREFERENCES (object);

  g_clear_object (&self->store);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (postier_preferences_parent_class)->finalize (object);
}

static void
postier_preferences_class_init (PostierPreferencesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = postier_preferences_dispose;
  object_class->finalize = postier_preferences_finalize;

  /**
   * PostierPreferences::account-saved:
   * @name: the account's name
   *
   * An account was added or edited, its password perhaps changed (which
   * the account store does not see).
   */
  signals[ACCOUNT_SAVED] = g_signal_new ("account-saved", G_TYPE_FROM_CLASS (klass),
                                         G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                         G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/postier/Postier/ui/postier-preferences.ui");
  g_type_ensure (POSTIER_TYPE_ONLINE_ACCOUNTS_GROUP);
  gtk_widget_class_bind_template_child (widget_class, PostierPreferences, accounts_list);
  gtk_widget_class_bind_template_child (widget_class, PostierPreferences, sandbox_visible_switch);
  gtk_widget_class_bind_template_child (widget_class, PostierPreferences, complete_addresses_switch);
  gtk_widget_class_bind_template_child (widget_class, PostierPreferences, show_cc_bcc_switch);
  gtk_widget_class_bind_template_child (widget_class, PostierPreferences, send_delay_spin);
  gtk_widget_class_bind_template_callback (widget_class, on_sandbox_visible_changed);

  gtk_widget_class_install_action (widget_class, "preferences.add-account", NULL,
                                   add_account_action);
  gtk_widget_class_install_action (widget_class, "preferences.edit-account", "s",
                                   edit_account_action);
  gtk_widget_class_install_action (widget_class, "preferences.test-account", "s",
                                   test_account_action);
  gtk_widget_class_install_action (widget_class, "preferences.remove-account", "s",
                                   remove_account_action);
}

static void
postier_preferences_init (PostierPreferences *self)
{
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));

  /* The composer follows these settings as they change. */
  self->settings = g_settings_new (APPLICATION_ID);
  g_settings_bind (self->settings, "complete-addresses", self->complete_addresses_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "show-cc-bcc", self->show_cc_bcc_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  /* The next Send reads it: a message already waiting keeps its time. */
  g_settings_bind (self->settings, "send-delay", gtk_spin_button_get_adjustment (self->send_delay_spin),
                   "value", G_SETTINGS_BIND_DEFAULT);
}

PostierPreferences *
postier_preferences_new (GtkWindow           *parent,
                         PostierAccountStore *store)
{
  PostierPreferences *self;

  g_return_val_if_fail (POSTIER_IS_ACCOUNT_STORE (store), NULL);

  self = g_object_new (POSTIER_TYPE_PREFERENCES,
                       "transient-for", parent,
                       NULL);
  self->store = g_object_ref (store);
  g_signal_connect_object (store, "changed", G_CALLBACK (on_store_changed), self,
                           G_CONNECT_SWAPPED);
  rebuild (self);
  return self;
}
