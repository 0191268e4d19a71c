/* postier-online-accounts-group.c — GOA's mail accounts as rows: who sends
 * (the identity), through what (provider, server), and whether Online
 * Accounts wants the person. Settings are GOA's: nothing here edits them;
 * the header's button opens Settings → Online Accounts.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-online-accounts"

#include "config.h"

#include <glib/gi18n.h>

#include "postier-online-accounts.h"
#include "postier-online-accounts-group.h"

struct _PostierOnlineAccountsGroup
{
  AdwPreferencesGroup parent_instance;

  GPtrArray          *rows;
  gboolean            offer_use;
};

G_DEFINE_FINAL_TYPE (PostierOnlineAccountsGroup, postier_online_accounts_group, ADW_TYPE_PREFERENCES_GROUP)

enum {
  PROP_0,
  PROP_OFFER_USE,
  N_PROPS
};

enum {
  ACCOUNT_CHOSEN,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
on_use_clicked (GtkButton                  *button,
                PostierOnlineAccountsGroup *self)
{
  g_signal_emit (self, signals[ACCOUNT_CHOSEN], 0, g_object_get_data (G_OBJECT (button), "postier-account-name"));
}

static GtkWidget *
account_row (PostierOnlineAccountsGroup *self,
             PostierGoaMailAccount      *entry)
{
  PostierAccount *account = entry->account;
  const char *name = postier_account_get_name (account);
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *title = g_markup_escape_text (postier_account_get_identity (account), -1);
  g_autofree char *server = g_strdup_printf ("%s:%u", postier_account_get_host (account),
                                             postier_account_get_port (account));
  g_autofree char *subtitle = NULL;
  g_autofree char *escaped = NULL;

  if (entry->attention_needed)
    /* Translators: the provider ("Google", "IMAP and SMTP"), then the server. */
    subtitle = g_strdup_printf (_("%s · %s · Online Accounts asks you to sign in again"),
                                entry->provider_name, server);
  else
    subtitle = g_strdup_printf ("%s · %s", entry->provider_name, server);
  escaped = g_markup_escape_text (subtitle, -1);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), escaped);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  gtk_widget_set_name (row, name);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row),
                             gtk_image_new_from_icon_name (entry->attention_needed ? "dialog-warning-symbolic"
                                                                                   : "goa-panel-symbolic"));
  if (!self->offer_use)
    {
      /* As Postier's own accounts are tested (Preferences' action): GOA's
       * credentials, asked for as a send would. */
      GtkWidget *test = gtk_button_new_with_mnemonic (_("_Test"));
      /* Translators: what a screen reader says for the button; %s is an address. */
      g_autofree char *test_label = g_strdup_printf (_("Test “%s”"), postier_account_get_address (account));

      gtk_widget_set_valign (test, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (test, "flat");
      gtk_widget_set_tooltip_text (test, test_label);
      gtk_accessible_update_property (GTK_ACCESSIBLE (test), GTK_ACCESSIBLE_PROPERTY_LABEL, test_label, -1);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (test), "preferences.test-account");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (test), "s", name);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), test);
    }
  else
    {
      GtkWidget *use = gtk_button_new_with_mnemonic (_("_Use"));

      gtk_widget_set_valign (use, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (use, "suggested-action");
      g_object_set_data_full (G_OBJECT (use), "postier-account-name", g_strdup (name), g_free);
      g_signal_connect_object (use, "clicked", G_CALLBACK (on_use_clicked), self, 0);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), use);
    }
  return row;
}

static void
rebuild (PostierOnlineAccountsGroup *self)
{
  g_autoptr(GPtrArray) list = postier_online_accounts_list ();

  for (guint i = 0; i < self->rows->len; i++)
    adw_preferences_group_remove (ADW_PREFERENCES_GROUP (self), g_ptr_array_index (self->rows, i));
  g_ptr_array_set_size (self->rows, 0);
  for (guint i = 0; i < list->len; i++)
    {
      GtkWidget *row = account_row (self, g_ptr_array_index (list, i));

      g_ptr_array_add (self->rows, row);
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (self), row);
    }
  /* Without GOA, or without mail accounts in it: nothing said. */
  gtk_widget_set_visible (GTK_WIDGET (self), list->len > 0);
}

static void
on_settings_clicked (PostierOnlineAccountsGroup *self)
{
  (void) self;
  postier_online_accounts_open_settings ();
}

static void
postier_online_accounts_group_constructed (GObject *object)
{
  PostierOnlineAccountsGroup *self = POSTIER_ONLINE_ACCOUNTS_GROUP (object);
  GtkWidget *button = gtk_button_new_with_mnemonic (_("Open _Settings"));

  G_OBJECT_CLASS (postier_online_accounts_group_parent_class)->constructed (object);

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (self), _("From Online Accounts"));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self),
                                         _("The mail accounts you added in Settings → Online Accounts. "
                                           "Postier asks Online Accounts for the password or sign-in "
                                           "each time it sends, and keeps no copy: change them there."));
  gtk_widget_set_name (button, "online_accounts_settings_button");
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_tooltip_text (button, _("Open Settings → Online Accounts"));
  /* Only where GNOME's Settings is there to open. */
  gtk_widget_set_visible (button, postier_online_accounts_can_open_settings ());
  g_signal_connect_object (button, "clicked", G_CALLBACK (on_settings_clicked), self, G_CONNECT_SWAPPED);
  adw_preferences_group_set_header_suffix (ADW_PREFERENCES_GROUP (self), button);

  g_signal_connect_object (postier_online_accounts_get (), "changed", G_CALLBACK (rebuild), self,
                           G_CONNECT_SWAPPED);
  rebuild (self);
}

static void
postier_online_accounts_group_finalize (GObject *object)
{
  PostierOnlineAccountsGroup *self = POSTIER_ONLINE_ACCOUNTS_GROUP (object);

  g_ptr_array_unref (self->rows);

  G_OBJECT_CLASS (postier_online_accounts_group_parent_class)->finalize (object);
}

static void
postier_online_accounts_group_set_property (GObject      *object,
                                            guint         prop_id,
                                            const GValue *value,
                                            GParamSpec   *pspec)
{
  PostierOnlineAccountsGroup *self = POSTIER_ONLINE_ACCOUNTS_GROUP (object);

  switch (prop_id)
    {
    case PROP_OFFER_USE:
      self->offer_use = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
postier_online_accounts_group_get_property (GObject    *object,
                                            guint       prop_id,
                                            GValue     *value,
                                            GParamSpec *pspec)
{
  PostierOnlineAccountsGroup *self = POSTIER_ONLINE_ACCOUNTS_GROUP (object);

  switch (prop_id)
    {
    case PROP_OFFER_USE:
      g_value_set_boolean (value, self->offer_use);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
postier_online_accounts_group_class_init (PostierOnlineAccountsGroupClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = postier_online_accounts_group_constructed;
  object_class->finalize = postier_online_accounts_group_finalize;
  object_class->set_property = postier_online_accounts_group_set_property;
  object_class->get_property = postier_online_accounts_group_get_property;

  properties[PROP_OFFER_USE] =
    g_param_spec_boolean ("offer-use", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[ACCOUNT_CHOSEN] = g_signal_new ("account-chosen", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
postier_online_accounts_group_init (PostierOnlineAccountsGroup *self)
{
  self->rows = g_ptr_array_new ();
}

GtkWidget *
postier_online_accounts_group_new (void)
{
  return g_object_new (POSTIER_TYPE_ONLINE_ACCOUNTS_GROUP, NULL);
}
