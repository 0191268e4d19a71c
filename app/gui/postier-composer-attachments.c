/* postier-composer-attachments.c — the composer's attachments: chooser,
 * drag and drop, names and sizes, and the warning against the relay's SIZE
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-composer"

#include "config.h"

#include <glib/gi18n.h>

#include "postier-composer-private.h"
#include "postier-relay-limits.h"
#include "postier-sandbox.h"

void
_postier_composer_attachment_free (Attachment *attachment)
{
  g_cancellable_cancel (attachment->cancellable);
  g_clear_object (&attachment->cancellable);
  g_clear_object (&attachment->file);
  g_free (attachment->path);
  g_free (attachment->name);
  g_free (attachment);
}

static guint64
attachments_total (PostierComposer *self)
{
  guint64 total = 0;

  for (guint i = 0; i < self->attachments->len; i++)
    {
      Attachment *attachment = g_ptr_array_index (self->attachments, i);

      if (attachment->size > 0)
        total += (guint64) attachment->size;
    }
  return total;
}

/* The relay's SIZE as last seen by the submitter or a connection test;
 * the Sandbox's own is always known. 0 when unknown. */
static guint64
size_limit_of (PostierAccount *account)
{
  if (postier_account_get_kind (account) == POSTIER_ACCOUNT_KIND_SANDBOX)
    {
      PostierSandboxLimits limits;

      postier_sandbox_get_limits (postier_sandbox_get_default (), &limits);
      return limits.max_message_size;
    }
  return postier_relay_size_limit_lookup (postier_account_get_name (account));
}

void
_postier_composer_update_size_warning (PostierComposer *self)
{
  PostierAccount *account = _postier_composer_get_account (self);
  guint64 total = attachments_total (self);
  guint64 limit = account != NULL ? size_limit_of (account) : 0;
  guint64 estimate;
  g_autofree char *estimate_text = NULL;
  g_autofree char *limit_text = NULL;
  g_autofree char *message = NULL;

  /* Attachments travel in base64: four bytes for every three, plus line
   * ends and headers. */
  estimate = total / 3 * 4 + total / 57 * 2 + 8192;
  if (limit == 0 || total == 0 || estimate <= limit)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->size_warning_label), FALSE);
      return;
    }

  estimate_text = g_format_size (estimate);
  limit_text = g_format_size (limit);
  message = g_strdup_printf (_("With its attachments this message is about %s, more than the %s "
                               "the server of “%s” accepts. It will probably be refused."),
                             estimate_text, limit_text, postier_account_get_name (account));
  gtk_label_set_text (self->size_warning_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->size_warning_label), TRUE);
}

static void
update_attachment_row (Attachment *attachment)
{
  g_autofree char *size = NULL;

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (attachment->row), attachment->name);
  if (attachment->size >= 0)
    size = g_format_size ((guint64) attachment->size);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (attachment->row), size != NULL ? size : "");
}

static void
remove_attachment (PostierComposer *self,
                   Attachment      *attachment)
{
  gtk_list_box_remove (self->attachment_list, attachment->row);
  g_ptr_array_remove (self->attachments, attachment);
  gtk_widget_set_visible (GTK_WIDGET (self->attachment_list), self->attachments->len > 0);
  _postier_composer_update_size_warning (self);
  _postier_composer_mark_changed (self);
}

static void
on_remove_attachment_clicked (GtkButton  *button,
                              Attachment *attachment)
{
  (void) button;
  remove_attachment (attachment->composer, attachment);
}

static void
on_attachment_info (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  Attachment *attachment = user_data;
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  PostierComposer *self;

  info = g_file_query_info_finish (G_FILE (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = attachment->composer;
  if (info == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("“%s” cannot be attached: %s"),
                                                  attachment->name, error->message);
      _postier_composer_show_error (self, message);
      remove_attachment (self, attachment);
      return;
    }
  if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
    {
      g_autofree char *message = g_strdup_printf (_("“%s” is a folder; only files can be attached"),
                                                  attachment->name);
      _postier_composer_show_error (self, message);
      remove_attachment (self, attachment);
      return;
    }

  g_free (attachment->name);
  attachment->name = g_strdup (g_file_info_get_display_name (info));
  attachment->size = g_file_info_get_size (info);
  update_attachment_row (attachment);
  _postier_composer_update_size_warning (self);
}

void
postier_composer_attach_file (PostierComposer *self,
                              GFile           *file)
{
  Attachment *attachment;
  GtkWidget *remove_button;
  GtkWidget *icon;
  g_autofree char *remove_label = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (POSTIER_IS_COMPOSER (self));
  g_return_if_fail (G_IS_FILE (file));

  path = g_file_get_path (file);
  if (path == NULL)
    {
      g_autofree char *uri = g_file_get_uri (file);
      g_autofree char *message = g_strdup_printf (_("“%s” cannot be attached: only files on this "
                                                    "computer can be"), uri);
      _postier_composer_show_error (self, message);
      return;
    }
  for (guint i = 0; i < self->attachments->len; i++)
    if (g_str_equal (((Attachment *) g_ptr_array_index (self->attachments, i))->path, path))
      return;

  attachment = g_new0 (Attachment, 1);
  attachment->composer = self;
  attachment->file = g_object_ref (file);
  attachment->path = g_steal_pointer (&path);
  attachment->name = g_file_get_basename (file);
  attachment->size = -1;
  attachment->cancellable = g_cancellable_new ();

  attachment->row = adw_action_row_new ();
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (attachment->row), FALSE);
  icon = gtk_image_new_from_icon_name ("mail-attachment-symbolic");
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Attachment"), -1);
  adw_action_row_add_prefix (ADW_ACTION_ROW (attachment->row), icon);

  remove_button = gtk_button_new_from_icon_name ("list-remove-symbolic");
  gtk_widget_set_valign (remove_button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (remove_button, "flat");
  gtk_widget_set_tooltip_text (remove_button, _("Remove Attachment"));
  remove_label = g_strdup_printf (_("Remove “%s”"), attachment->name);
  gtk_accessible_update_property (GTK_ACCESSIBLE (remove_button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  remove_label, -1);
  g_signal_connect (remove_button, "clicked", G_CALLBACK (on_remove_attachment_clicked), attachment);
  adw_action_row_add_suffix (ADW_ACTION_ROW (attachment->row), remove_button);

  update_attachment_row (attachment);
  gtk_list_box_append (self->attachment_list, attachment->row);
  gtk_widget_set_visible (GTK_WIDGET (self->attachment_list), TRUE);
  g_ptr_array_add (self->attachments, attachment);

  g_file_query_info_async (file,
                           G_FILE_ATTRIBUTE_STANDARD_DISPLAY_NAME ","
                           G_FILE_ATTRIBUTE_STANDARD_SIZE ","
                           G_FILE_ATTRIBUTE_STANDARD_TYPE,
                           G_FILE_QUERY_INFO_NONE, G_PRIORITY_DEFAULT,
                           attachment->cancellable, on_attachment_info, attachment);
  _postier_composer_mark_changed (self);
}

void
_postier_composer_clear_attachments (PostierComposer *self)
{
  while (self->attachments->len > 0)
    {
      Attachment *attachment = g_ptr_array_index (self->attachments, 0);

      gtk_list_box_remove (self->attachment_list, attachment->row);
      g_ptr_array_remove_index (self->attachments, 0);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->attachment_list), FALSE);
}

static void
on_file_chooser_response (GtkNativeDialog *dialog,
                          int              response,
                          PostierComposer *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GListModel) files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (dialog));

      for (guint i = 0; i < g_list_model_get_n_items (files); i++)
        {
          g_autoptr(GFile) file = g_list_model_get_item (files, i);

          postier_composer_attach_file (self, file);
        }
    }
  gtk_native_dialog_destroy (dialog);
  g_clear_object (&self->file_chooser);
}

void
_postier_composer_attach_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  PostierComposer *self = POSTIER_COMPOSER (widget);
  GtkFileChooserNative *chooser;
  GtkRoot *root = gtk_widget_get_root (widget);

  (void) action_name;
  (void) parameter;
  if (self->file_chooser != NULL)
    {
      gtk_native_dialog_show (self->file_chooser);
      return;
    }

  /* GtkFileDialog is GTK 4.10; Debian 12 has 4.8. */
  chooser = gtk_file_chooser_native_new (_("Attach Files"),
                                         GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                         GTK_FILE_CHOOSER_ACTION_OPEN,
                                         _("_Attach"), _("_Cancel"));
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (chooser), TRUE);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  self->file_chooser = GTK_NATIVE_DIALOG (chooser);
  g_signal_connect (chooser, "response", G_CALLBACK (on_file_chooser_response), self);
  gtk_native_dialog_show (self->file_chooser);
}

static gboolean
on_drop (GtkDropTarget   *target,
         const GValue    *value,
         double           x,
         double           y,
         PostierComposer *self)
{
  (void) target;
  (void) x;
  (void) y;
  if (G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    {
      for (GSList *l = gdk_file_list_get_files (g_value_get_boxed (value)); l != NULL; l = l->next)
        postier_composer_attach_file (self, l->data);
      return TRUE;
    }
  if (G_VALUE_HOLDS (value, G_TYPE_FILE))
    {
      postier_composer_attach_file (self, g_value_get_object (value));
      return TRUE;
    }
  return FALSE;
}

static GdkDragAction
on_drop_enter (GtkDropTarget   *target,
               double           x,
               double           y,
               PostierComposer *self)
{
  (void) target;
  (void) x;
  (void) y;
  gtk_widget_add_css_class (GTK_WIDGET (self), "composer-drop-active");
  return GDK_ACTION_COPY;
}

static void
on_drop_leave (GtkDropTarget   *target,
               PostierComposer *self)
{
  (void) target;
  gtk_widget_remove_css_class (GTK_WIDGET (self), "composer-drop-active");
}

void
_postier_composer_setup_drop (PostierComposer *self)
{
  GtkDropTarget *drop;
  GType drop_types[] = { GDK_TYPE_FILE_LIST, G_TYPE_FILE };

  /* Files dropped anywhere on the composer are attached; capture phase so
   * the text view does not paste their names instead. */
  drop = gtk_drop_target_new (G_TYPE_INVALID, GDK_ACTION_COPY);
  gtk_drop_target_set_gtypes (drop, drop_types, G_N_ELEMENTS (drop_types));
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (drop), GTK_PHASE_CAPTURE);
  g_signal_connect (drop, "drop", G_CALLBACK (on_drop), self);
  g_signal_connect (drop, "enter", G_CALLBACK (on_drop_enter), self);
  g_signal_connect (drop, "leave", G_CALLBACK (on_drop_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));
}
