/* postier-sent-view.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-sent-view"

#include "config.h"

#include <glib/gi18n.h>

#include "postier-account.h"
#include "postier-gui-format.h"
#include "postier-paths.h"
#include "postier-sent-message.h"
#include "postier-sent-view.h"

#define RELOAD_DELAY_MS 200

struct _PostierSentView
{
  AdwBin            parent_instance;

  PostierSentStore *store;
  GListStore       *messages;
  GPtrArray        *monitors;
  GCancellable     *cancellable;
  guint             reload_source;
  guint             reload_serial;

  /* Template widgets (the stack, the bin's own child, is not bound: AdwBin
   * disposes of it) */
  GtkStack         *stack;
  GtkLabel         *summary_label;
  GtkListBox       *list_box;
};

G_DEFINE_FINAL_TYPE (PostierSentView, postier_sent_view, ADW_TYPE_BIN)

static GtkWidget *
create_row (gpointer item,
            G_GNUC_UNUSED gpointer user_data)
{
  PostierSentMessage *message = item;
  const char *subject = postier_sent_message_get_subject (message);
  const char *recipients = postier_sent_message_get_recipients (message);
  const char *account = postier_sent_message_get_account_name (message);
  g_autofree char *when = postier_format_moment (postier_sent_message_get_sent_time (message),
                                                 g_get_real_time () / G_USEC_PER_SEC);
  g_autoptr(GString) subtitle = g_string_new (NULL);
  g_autofree char *escaped = NULL;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *time_label;

  escaped = g_markup_escape_text (*subject != '\0' ? subject : _("(No subject)"), -1);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), escaped);
  g_clear_pointer (&escaped, g_free);

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
  escaped = g_markup_escape_text (subtitle->str, -1);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), escaped);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);

  /* The time also stands at the end of the row, where eyes look for it. */
  time_label = gtk_label_new (when);
  gtk_widget_add_css_class (time_label, "dim-label");
  gtk_widget_add_css_class (time_label, "numeric");
  gtk_widget_set_valign (time_label, GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), time_label);

  return row;
}

typedef struct {
  PostierSentView *self;
  guint            serial;
} Reload;

static void
list_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Reload *reload = user_data;
  g_autoptr(PostierSentView) self = reload->self;
  guint serial = reload->serial;
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GError) error = NULL;
  guint n;

  g_free (reload);
  messages = postier_sent_store_list_finish (POSTIER_SENT_STORE (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  /* A newer reload is on its way; this answer may be stale. */
  if (serial != self->reload_serial)
    return;
  if (messages == NULL)
    {
      g_warning ("Cannot list the sent messages: %s", error->message);
      return;
    }

  n = g_list_model_get_n_items (G_LIST_MODEL (self->messages));
  g_list_store_splice (self->messages, 0, n, messages->pdata, messages->len);

  gtk_stack_set_visible_child_name (self->stack, messages->len > 0 ? "list" : "empty");
  if (messages->len >= POSTIER_SENT_VIEW_LIMIT)
    {
      g_autofree char *text = g_strdup_printf (_("The %u most recent messages"), messages->len);
      gtk_label_set_text (self->summary_label, text);
    }
  else
    {
      g_autofree char *text = g_strdup_printf (ngettext ("%u message sent", "%u messages sent",
                                                         messages->len), messages->len);
      gtk_label_set_text (self->summary_label, text);
    }
}

void
postier_sent_view_reload (PostierSentView *self)
{
  Reload *reload;

  g_return_if_fail (POSTIER_IS_SENT_VIEW (self));

  g_clear_handle_id (&self->reload_source, g_source_remove);
  reload = g_new0 (Reload, 1);
  reload->self = g_object_ref (self);
  reload->serial = ++self->reload_serial;
  postier_sent_store_list_async (self->store, POSTIER_SENT_VIEW_LIMIT, self->cancellable,
                                 list_done, reload);
}

static gboolean
reload_cb (gpointer user_data)
{
  PostierSentView *self = user_data;

  self->reload_source = 0;
  postier_sent_view_reload (self);
  return G_SOURCE_REMOVE;
}

static void
on_folder_changed (G_GNUC_UNUSED GFileMonitor     *monitor,
                   G_GNUC_UNUSED GFile            *file,
                   G_GNUC_UNUSED GFile            *other,
                   G_GNUC_UNUSED GFileMonitorEvent event,
                   PostierSentView                *self)
{
  if (self->reload_source == 0)
    self->reload_source = g_timeout_add (RELOAD_DELAY_MS, reload_cb, self);
}

static void
postier_sent_view_dispose (GObject *object)
{
  PostierSentView *self = POSTIER_SENT_VIEW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->reload_source, g_source_remove);
  if (self->monitors != NULL)
    {
      for (guint i = 0; i < self->monitors->len; i++)
        {
          g_signal_handlers_disconnect_by_data (self->monitors->pdata[i], self);
          g_file_monitor_cancel (self->monitors->pdata[i]);
        }
      g_ptr_array_set_size (self->monitors, 0);
    }

  gtk_widget_dispose_template (GTK_WIDGET (self), POSTIER_TYPE_SENT_VIEW);

  G_OBJECT_CLASS (postier_sent_view_parent_class)->dispose (object);
}

static void
postier_sent_view_finalize (GObject *object)
{
  PostierSentView *self = POSTIER_SENT_VIEW (object);

  g_clear_object (&self->store);
  g_clear_object (&self->messages);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->monitors, g_ptr_array_unref);

  G_OBJECT_CLASS (postier_sent_view_parent_class)->finalize (object);
}

static void
postier_sent_view_class_init (PostierSentViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = postier_sent_view_dispose;
  object_class->finalize = postier_sent_view_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/postier/Postier/ui/postier-sent-view.ui");
  gtk_widget_class_bind_template_child (widget_class, PostierSentView, summary_label);
  gtk_widget_class_bind_template_child (widget_class, PostierSentView, list_box);
}

static void
postier_sent_view_init (PostierSentView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->stack = GTK_STACK (adw_bin_get_child (ADW_BIN (self)));

  self->cancellable = g_cancellable_new ();
  self->messages = g_list_store_new (POSTIER_TYPE_SENT_MESSAGE);
  self->monitors = g_ptr_array_new_with_free_func (g_object_unref);
  gtk_list_box_bind_model (self->list_box, G_LIST_MODEL (self->messages), create_row, self, NULL);
}

PostierSentView *
postier_sent_view_new (PostierSentStore *store)
{
  const char *subdirs[] = { "new", "cur" };
  PostierSentView *self;

  g_return_val_if_fail (POSTIER_IS_SENT_STORE (store), NULL);

  self = g_object_new (POSTIER_TYPE_SENT_VIEW, NULL);
  self->store = g_object_ref (store);

  /* The Maildir's folders exist before the first copy, so the watch sees it. */
  for (guint i = 0; i < G_N_ELEMENTS (subdirs); i++)
    {
      g_autofree char *path = g_build_filename (postier_sent_store_get_dir (store), subdirs[i], NULL);
      g_autoptr(GFile) folder = g_file_new_for_path (path);
      g_autoptr(GError) error = NULL;
      GFileMonitor *monitor;

      if (!postier_ensure_private_dir (path, &error))
        {
          g_warning ("%s", error->message);
          continue;
        }
      monitor = g_file_monitor_directory (folder, G_FILE_MONITOR_WATCH_MOVES, NULL, &error);
      if (monitor == NULL)
        {
          g_warning ("Cannot watch %s: %s", path, error->message);
          continue;
        }
      g_signal_connect_object (monitor, "changed", G_CALLBACK (on_folder_changed), self, 0);
      g_ptr_array_add (self->monitors, monitor);
    }

  postier_sent_view_reload (self);
  return self;
}

GListModel *
postier_sent_view_get_model (PostierSentView *self)
{
  g_return_val_if_fail (POSTIER_IS_SENT_VIEW (self), NULL);
  return G_LIST_MODEL (self->messages);
}
