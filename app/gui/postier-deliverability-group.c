/* postier-deliverability-group.c — the Sandbox's "Will it arrive?" list
 *
 * One row per sender-domain finding (core's sentences, with an icon for
 * its level) and one expandable row for SpamAssassin's score with the
 * rules that fired. Both come from core's async checks; nothing here looks
 * at DNS or runs a program.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-deliverability"

#include "config.h"

#include <glib/gi18n.h>

#include "postier-account.h"
#include "postier-deliverability-group.h"
#include "postier-sender-check.h"
#include "postier-spam-check.h"

struct _PostierDeliverabilityGroup
{
  AdwPreferencesGroup  parent_instance;

  GtkButton           *learn_more_button;

  GPtrArray           *rows;         /* every row added, to remove them */
  AdwExpanderRow      *spam_row;
  GCancellable        *cancellable;  /* the checks of the message shown */
  guint                pending;
};

G_DEFINE_FINAL_TYPE (PostierDeliverabilityGroup, postier_deliverability_group, ADW_TYPE_PREFERENCES_GROUP)

static const char *
level_icon (PostierDomainLevel level)
{
  switch (level)
    {
    case POSTIER_DOMAIN_FINE:           return "emblem-ok-symbolic";
    case POSTIER_DOMAIN_WORTH_KNOWING:  return "dialog-information-symbolic";
    case POSTIER_DOMAIN_LIKELY_REFUSED: return "dialog-warning-symbolic";
    default:                            return "network-offline-symbolic";
    }
}

static const char *
level_css (PostierDomainLevel level)
{
  switch (level)
    {
    case POSTIER_DOMAIN_FINE:           return "success";
    case POSTIER_DOMAIN_LIKELY_REFUSED: return "error";
    case POSTIER_DOMAIN_WORTH_KNOWING:  return "warning";
    default:                            return "dim-label";
    }
}

static GtkWidget *
add_row (PostierDeliverabilityGroup *self,
         const char                 *title,
         const char                 *subtitle,
         PostierDomainLevel          level)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *icon = gtk_image_new_from_icon_name (level_icon (level));

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  gtk_widget_add_css_class (icon, level_css (level));
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  postier_domain_level_to_label (level), -1);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self), row);
  g_ptr_array_add (self->rows, row);
  return row;
}

static void
clear_rows (PostierDeliverabilityGroup *self)
{
  for (guint i = 0; i < self->rows->len; i++)
    adw_preferences_group_remove (ADW_PREFERENCES_GROUP (self), g_ptr_array_index (self->rows, i));
  g_ptr_array_set_size (self->rows, 0);
  self->spam_row = NULL;
}

static void
on_sender_checked (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(PostierDeliverabilityGroup) self = user_data;
  g_autoptr(PostierSenderReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GtkWidget) spam_row = NULL;

  (void) source;
  report = postier_sender_check_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      g_task_get_cancellable (G_TASK (result)) != self->cancellable)
    return;
  self->pending--;
  if (report == NULL)
    {
      add_row (self, _("Sender domain"), error->message, POSTIER_DOMAIN_NOT_CHECKED);
      return;
    }
  /* The domain's rows go above the spam score, which was added first. */
  if (self->spam_row != NULL)
    {
      spam_row = g_object_ref (GTK_WIDGET (self->spam_row));
      adw_preferences_group_remove (ADW_PREFERENCES_GROUP (self), spam_row);
      g_ptr_array_remove (self->rows, spam_row);
    }
  for (guint i = 0; i < report->findings->len; i++)
    {
      const PostierDomainFinding *finding = g_ptr_array_index (report->findings, i);
      g_autofree char *key = g_ascii_strup (finding->key, -1);
      g_autofree char *title = g_strdup_printf ("%s — %s", key, postier_domain_level_to_label (finding->level));

      add_row (self, title, finding->summary, finding->level);
    }
  if (spam_row != NULL)
    {
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (self), spam_row);
      g_ptr_array_add (self->rows, spam_row);
    }
}

static void
on_spam_checked (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(PostierDeliverabilityGroup) self = user_data;
  g_autoptr(PostierSpamReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *summary = NULL;

  (void) source;
  report = postier_spam_check_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      g_task_get_cancellable (G_TASK (result)) != self->cancellable || self->spam_row == NULL)
    return;
  self->pending--;
  summary = report != NULL ? postier_spam_report_summary (report) : g_strdup (error->message);
  adw_expander_row_set_subtitle (self->spam_row, summary);
  for (guint i = 0; report != NULL && i < report->rules->len; i++)
    {
      const PostierSpamRule *rule = g_ptr_array_index (report->rules, i);
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *points = g_strdup_printf ("%+.1f", rule->points);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), rule->name);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), rule->description);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_label_new (points));
      adw_expander_row_add_row (self->spam_row, row);
    }
  adw_expander_row_set_enable_expansion (self->spam_row, report != NULL && report->rules->len > 0);
  adw_expander_row_set_expanded (self->spam_row, FALSE);
}

/* The relay that would send mail From FROM: the account owning that
 * address, else the default real account, else any real account. */
static PostierAccount *
relay_account (PostierAccountStore *accounts,
               const char          *from)
{
  g_autoptr(GPtrArray) list = postier_account_store_list (accounts);
  g_autofree char *from_address = NULL;
  PostierAccount *fallback = postier_account_store_get_default (accounts);

  postier_parse_identity (from, NULL, &from_address, NULL);
  if (fallback != NULL && postier_account_get_kind (fallback) == POSTIER_ACCOUNT_KIND_SANDBOX)
    fallback = NULL;
  for (guint i = 0; i < list->len; i++)
    {
      PostierAccount *account = g_ptr_array_index (list, i);
      g_autofree char *address = NULL;

      if (postier_account_get_kind (account) == POSTIER_ACCOUNT_KIND_SANDBOX)
        continue;
      if (fallback == NULL)
        fallback = account;
      if (from_address != NULL &&
          postier_parse_identity (postier_account_get_identity (account), NULL, &address, NULL) &&
          g_ascii_strcasecmp (address, from_address) == 0)
        return account;
    }
  return fallback;
}

void
postier_deliverability_group_show (PostierDeliverabilityGroup *self,
                                   GBytes                     *message,
                                   const char                 *from,
                                   PostierAccountStore        *accounts)
{
  PostierAccount *account;

  g_return_if_fail (POSTIER_IS_DELIVERABILITY_GROUP (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  clear_rows (self);
  self->pending = 0;

  account = accounts != NULL ? relay_account (accounts, from) : NULL;
  if (account == NULL)
    add_row (self, _("Sender domain"),
             _("Add an account to check whether its relay may send for this sender’s domain."),
             POSTIER_DOMAIN_NOT_CHECKED);
  else
    {
      self->pending++;
      postier_sender_check_async (from, postier_account_get_host (account), self->cancellable,
                                  on_sender_checked, g_object_ref (self));
    }

  self->spam_row = ADW_EXPANDER_ROW (adw_expander_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->spam_row), _("Spam Score"));
  adw_expander_row_set_subtitle (self->spam_row, _("SpamAssassin is reading the message…"));
  adw_expander_row_set_enable_expansion (self->spam_row, FALSE);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self), GTK_WIDGET (self->spam_row));
  g_ptr_array_add (self->rows, self->spam_row);
  self->pending++;
  postier_spam_check_async (message, self->cancellable, on_spam_checked, g_object_ref (self));
}

void
postier_deliverability_group_show_domain (PostierDeliverabilityGroup *self,
                                          const char                 *identity,
                                          const char                 *relay_host)
{
  g_return_if_fail (POSTIER_IS_DELIVERABILITY_GROUP (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  clear_rows (self);
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (self), _("Will Receivers Accept This Account’s Mail?"));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self),
                                         _("What the domain’s records say about mail sent through this server"));
  self->pending = 1;
  postier_sender_check_async (identity, relay_host, self->cancellable, on_sender_checked, g_object_ref (self));
}

gboolean
postier_deliverability_group_is_done (PostierDeliverabilityGroup *self)
{
  g_return_val_if_fail (POSTIER_IS_DELIVERABILITY_GROUP (self), FALSE);
  return self->pending == 0;
}

char *
postier_deliverability_group_dup_text (PostierDeliverabilityGroup *self)
{
  g_autoptr(GString) text = g_string_new (NULL);

  g_return_val_if_fail (POSTIER_IS_DELIVERABILITY_GROUP (self), NULL);
  for (guint i = 0; i < self->rows->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (self->rows, i);
      const char *subtitle = ADW_IS_EXPANDER_ROW (row)
                             ? adw_expander_row_get_subtitle (ADW_EXPANDER_ROW (row))
                             : adw_action_row_get_subtitle (ADW_ACTION_ROW (row));

      g_string_append_printf (text, "%s: %s\n", adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)),
                              subtitle != NULL ? subtitle : "");
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
on_learn_more (PostierDeliverabilityGroup *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  AdwMessageDialog *dialog = ADW_MESSAGE_DIALOG (
    adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                            _("SPF, DKIM and DMARC"), postier_sender_check_learn_more ()));

  adw_message_dialog_add_response (dialog, "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
postier_deliverability_group_dispose (GObject *object)
{
  PostierDeliverabilityGroup *self = POSTIER_DELIVERABILITY_GROUP (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  self->spam_row = NULL;
  gtk_widget_dispose_template (GTK_WIDGET (self), POSTIER_TYPE_DELIVERABILITY_GROUP);
  G_OBJECT_CLASS (postier_deliverability_group_parent_class)->dispose (object);
}

static void
postier_deliverability_group_class_init (PostierDeliverabilityGroupClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = postier_deliverability_group_dispose;
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/postier/Postier/ui/postier-deliverability-group.ui");
  gtk_widget_class_bind_template_child (widget_class, PostierDeliverabilityGroup, learn_more_button);
}

static void
postier_deliverability_group_init (PostierDeliverabilityGroup *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->rows = g_ptr_array_new ();
  g_signal_connect_swapped (self->learn_more_button, "clicked", G_CALLBACK (on_learn_more), self);
}
