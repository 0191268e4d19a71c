/* postier-sandbox-message-row.c — a row of the Sandbox view's list, from
 * its template, so the view only binds its model to rows.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-sandbox-view"

#include "config.h"

#include <glib/gi18n.h>

#include "postier-gui-format.h"
#include "postier-sandbox-message-row.h"

struct _PostierSandboxMessageRow
{
  GtkListBoxRow  parent_instance;

  char          *id;

  /* Template widgets */
  GtkLabel      *from_label;
  GtkLabel      *time_label;
  GtkLabel      *subject_label;
};

G_DEFINE_FINAL_TYPE (PostierSandboxMessageRow, postier_sandbox_message_row, GTK_TYPE_LIST_BOX_ROW)

static void
postier_sandbox_message_row_finalize (GObject *object)
{
  PostierSandboxMessageRow *self = POSTIER_SANDBOX_MESSAGE_ROW (object);

  g_free (self->id);

  G_OBJECT_CLASS (postier_sandbox_message_row_parent_class)->finalize (object);
}

static void
postier_sandbox_message_row_class_init (PostierSandboxMessageRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = postier_sandbox_message_row_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/postier/Postier/ui/postier-sandbox-message-row.ui");
  gtk_widget_class_bind_template_child (widget_class, PostierSandboxMessageRow, from_label);
  gtk_widget_class_bind_template_child (widget_class, PostierSandboxMessageRow, time_label);
  gtk_widget_class_bind_template_child (widget_class, PostierSandboxMessageRow, subject_label);
}

static void
postier_sandbox_message_row_init (PostierSandboxMessageRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

PostierSandboxMessageRow *
postier_sandbox_message_row_new (PostierSandboxMessage *message,
                                 const char            *when)
{
  PostierSandboxMessageRow *self;
  const char *subject;
  const char *from;
  g_autofree char *accessible = NULL;

  g_return_val_if_fail (POSTIER_IS_SANDBOX_MESSAGE (message), NULL);
  g_return_val_if_fail (when != NULL, NULL);

  self = g_object_new (POSTIER_TYPE_SANDBOX_MESSAGE_ROW, NULL);
  self->id = g_strdup (postier_sandbox_message_get_id (message));
  subject = postier_display_subject (postier_sandbox_message_get_subject (message));
  from = postier_sandbox_message_get_from (message);
  if (*from == '\0')
    from = postier_sandbox_message_get_sender (message);

  gtk_label_set_text (self->from_label, from);
  gtk_label_set_text (self->time_label, when);
  gtk_label_set_text (self->subject_label, subject);

  /* Translators: how a screen reader announces a captured message:
   * subject, sender, time. */
  accessible = g_strdup_printf (_("%s, from %s, %s"), subject, from, when);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, accessible, -1);
  return self;
}

const char *
postier_sandbox_message_row_get_id (PostierSandboxMessageRow *self)
{
  g_return_val_if_fail (POSTIER_IS_SANDBOX_MESSAGE_ROW (self), NULL);
  return self->id;
}
