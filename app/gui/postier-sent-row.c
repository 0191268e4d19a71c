/* postier-sent-row.c — one row of the Sent view, from a template, so the
 * view only lists and the row only shows.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-sent-view"

#include "config.h"

#include <glib/gi18n.h>

#include "postier-account.h"
#include "postier-gui-format.h"
#include "postier-sent-row.h"

struct _PostierSentRow
{
  AdwActionRow  parent_instance;

  GtkLabel     *time_label;
};

G_DEFINE_FINAL_TYPE (PostierSentRow, postier_sent_row, ADW_TYPE_ACTION_ROW)

static void
postier_sent_row_class_init (PostierSentRowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/postier/Postier/ui/postier-sent-row.ui");
  gtk_widget_class_bind_template_child (widget_class, PostierSentRow, time_label);
}

static void
postier_sent_row_init (PostierSentRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/* Who it went to, then when and through which account it left. */
static char *
subtitle_text (PostierSentMessage *message,
               const char         *when)
{
  const char *recipients = postier_sent_message_get_recipients (message);
  const char *account = postier_sent_message_get_account_name (message);
  g_autoptr(GString) subtitle = g_string_new (NULL);

  /* Translators: the recipients of a sent message. */
  g_string_append_printf (subtitle, _("To %s"), *recipients != '\0' ? recipients : _("undisclosed recipients"));
  g_string_append_c (subtitle, '\n');
  if (g_str_equal (account, POSTIER_ACCOUNT_SANDBOX_NAME))
    /* What the Sandbox took never left this computer: never "Sent".
     * Translators: "captured by the Sandbox (not sent) 14:05". */
    g_string_append_printf (subtitle, _("Captured by the Sandbox (not sent) %s"), when);
  else if (*account != '\0')
    /* Translators: "Sent 14:05 through Work". */
    g_string_append_printf (subtitle, _("Sent %s through %s"), when, account);
  else
    g_string_append_printf (subtitle, _("Sent %s"), when);
  if (postier_sent_message_get_possible_duplicate (message))
    {
      g_string_append_c (subtitle, '\n');
      g_string_append (subtitle, _("Some recipients may have received it twice."));
    }
  return g_string_free (g_steal_pointer (&subtitle), FALSE);
}

GtkWidget *
postier_sent_row_new (PostierSentMessage *message)
{
  PostierSentRow *self;
  g_autofree char *when = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *escaped = NULL;

  g_return_val_if_fail (POSTIER_IS_SENT_MESSAGE (message), NULL);

  self = g_object_new (POSTIER_TYPE_SENT_ROW, NULL);
  when = postier_format_moment (postier_sent_message_get_sent_time (message),
                                g_get_real_time () / G_USEC_PER_SEC);
  escaped = g_markup_escape_text (postier_display_subject (postier_sent_message_get_subject (message)),
                                  -1);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), escaped);
  g_clear_pointer (&escaped, g_free);

  subtitle = subtitle_text (message, when);
  escaped = g_markup_escape_text (subtitle, -1);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self), escaped);
  gtk_label_set_text (self->time_label, when);
  return GTK_WIDGET (self);
}
