/* postier-sandbox-view.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-sandbox-view"

#include "config.h"

#include <glib/gi18n.h>

#include "postier-gui-format.h"
#include "postier-message-check.h"
#include "postier-sandbox-checks.h"
#include "postier-deliverability-group.h"
#include "postier-mime-tree.h"
#include "postier-sandbox-message-row.h"
#include "postier-sandbox-view.h"
#include "postier-threads.h"
#include "postier-view-reloader.h"

/* The source page shows this much; a larger message says what it left out. */
#define SOURCE_SHOWN_LIMIT (1024 * 1024)

struct _PostierSandboxView
{
  AdwBin               parent_instance;

  PostierSandboxStore *store;
  PostierAccountStore *accounts;
  GListStore          *messages;
  PostierViewReloader *reloader;
  GCancellable        *detail_cancellable;  /* the message being loaded */
  char                *selected_id;
  gboolean             selecting;           /* our own selection changes */
  gboolean             disposed;            /* rows go, selections change: ignore */

  /* Template widgets (the leaflet, the bin's own child, is not bound:
   * AdwBin disposes of it) */
  AdwLeaflet          *leaflet;
  GtkWidget           *sidebar;
  GtkLabel            *count_label;
  GtkStack            *list_stack;
  GtkListBox          *message_list;
  GtkStack            *detail_stack;
  GtkButton           *back_button;
  GtkLabel            *subject_label;
  GtkLabel            *meta_label;
  GtkImage            *check_summary_icon;
  GtkLabel            *check_summary_label;
  GtkStack            *pages;
  GtkListBox          *checks_list;
  PostierDeliverabilityGroup *deliverability_group;
  GtkTextView         *text_view;
  GtkListBox          *structure_list;
  GtkTextView         *source_view;
  GtkListBox          *envelope_list;
};

G_DEFINE_FINAL_TYPE (PostierSandboxView, postier_sandbox_view, ADW_TYPE_BIN)

enum {
  MESSAGE_LOADED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* --- Small helpers ------------------------------------------------------ */

static void
clear_list_box (GtkListBox *list_box)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list_box))) != NULL)
    gtk_list_box_remove (list_box, child);
}

static GtkWidget *
property_row (const char *title,
              const char *value)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *escaped_title = g_markup_escape_text (title, -1);
  g_autofree char *escaped_value = g_markup_escape_text (value, -1);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), escaped_title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), escaped_value);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  /* Addresses and headers are there to be copied. */
  adw_preferences_row_set_title_selectable (ADW_PREFERENCES_ROW (row), FALSE);
  gtk_widget_add_css_class (row, "property");
  return row;
}

static char *
format_time (GDateTime *time)
{
  if (time == NULL)
    return g_strdup (_("unknown"));
  return postier_format_moment (g_date_time_to_unix (time), g_get_real_time () / G_USEC_PER_SEC);
}

/* --- The list ------------------------------------------------------------ */

static GtkWidget *
create_message_row (gpointer item,
                    G_GNUC_UNUSED gpointer user_data)
{
  PostierSandboxMessage *message = item;
  g_autofree char *when = format_time (postier_sandbox_message_get_received (message));

  return GTK_WIDGET (postier_sandbox_message_row_new (message, when));
}

static GtkListBoxRow *
find_row (PostierSandboxView *self,
          const char         *id)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->message_list));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (POSTIER_IS_SANDBOX_MESSAGE_ROW (child) &&
        g_strcmp0 (postier_sandbox_message_row_get_id (POSTIER_SANDBOX_MESSAGE_ROW (child)), id) == 0)
      return GTK_LIST_BOX_ROW (child);
  return NULL;
}

static PostierSandboxMessage *
lookup_listed (PostierSandboxView *self,
               const char         *id)
{
  GListModel *model = G_LIST_MODEL (self->messages);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(PostierSandboxMessage) message = g_list_model_get_item (model, i);
      if (g_strcmp0 (postier_sandbox_message_get_id (message), id) == 0)
        return g_steal_pointer (&message);
    }
  return NULL;
}

/* --- The detail pane ------------------------------------------------------ */

typedef struct {
  PostierSandboxMessage *message;
  PostierSandboxChecks  *inputs;   /* what the check list compares with */
  GBytes                *bytes;
  char                  *text;
  PostierMimeNode       *tree;
  GPtrArray             *checks;
} Detail;

static void
detail_free (Detail *detail)
{
  g_clear_object (&detail->message);
  g_clear_pointer (&detail->inputs, postier_sandbox_checks_free);
  g_clear_pointer (&detail->bytes, g_bytes_unref);
  g_free (detail->text);
  g_clear_pointer (&detail->tree, postier_mime_node_unref);
  g_clear_pointer (&detail->checks, g_ptr_array_unref);
  g_free (detail);
}

static void
detail_thread (GTask        *task,
               G_GNUC_UNUSED gpointer source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Detail *detail = task_data;
  GError *error = NULL;
  gpointer parsed;

  detail->bytes = postier_sandbox_message_load_bytes (detail->message, &error);
  if (detail->bytes == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    return;

  parsed = postier_sandbox_message_parse (detail->message, NULL);
  if (parsed != NULL)
    {
      detail->text = postier_mime_dup_text_body (parsed);
      detail->tree = postier_mime_tree_new (parsed);
      g_object_unref (parsed);
    }

  detail->checks = postier_sandbox_checks_run (detail->inputs, detail->message, detail->bytes);

  if (!g_cancellable_is_cancelled (cancellable))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error_if_cancelled (task);
}

static const char *
check_icon_name (PostierCheckStatus status)
{
  switch (status)
    {
    case POSTIER_CHECK_PASS:
      return "emblem-ok-symbolic";
    case POSTIER_CHECK_WARN:
      return "dialog-warning-symbolic";
    case POSTIER_CHECK_FAIL:
    default:
      return "dialog-error-symbolic";
    }
}

static const char *
check_css_class (PostierCheckStatus status)
{
  switch (status)
    {
    case POSTIER_CHECK_PASS:
      return "success";
    case POSTIER_CHECK_WARN:
      return "warning";
    case POSTIER_CHECK_FAIL:
    default:
      return "error";
    }
}

static const char *
check_status_label (PostierCheckStatus status)
{
  switch (status)
    {
    case POSTIER_CHECK_PASS:
      return _("Passed");
    case POSTIER_CHECK_WARN:
      return _("Warning");
    case POSTIER_CHECK_FAIL:
    default:
      return _("Problem");
    }
}

static void
show_checks (PostierSandboxView *self,
             GPtrArray          *checks)
{
  guint failed = 0, warned = 0;
  PostierCheckStatus worst;
  g_autofree char *summary = NULL;

  clear_list_box (self->checks_list);
  for (guint i = 0; i < checks->len; i++)
    {
      PostierCheckItem *item = checks->pdata[i];
      GtkWidget *row = property_row (item->title, item->explanation);
      GtkWidget *icon = gtk_image_new_from_icon_name (check_icon_name (item->status));
      g_autofree char *accessible = g_strdup_printf ("%s: %s", check_status_label (item->status),
                                                     item->title);

      gtk_widget_remove_css_class (row, "property");
      gtk_widget_add_css_class (icon, check_css_class (item->status));
      gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      check_status_label (item->status), -1);
      gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      accessible, -1);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
      g_object_set_data_full (G_OBJECT (row), "postier-check-key",
                              g_strdup (postier_check_kind_to_key (item->kind)), g_free);
      g_object_set_data (G_OBJECT (row), "postier-check-status", GINT_TO_POINTER (item->status));
      gtk_list_box_append (self->checks_list, row);

      if (item->status == POSTIER_CHECK_FAIL)
        failed++;
      else if (item->status == POSTIER_CHECK_WARN)
        warned++;
    }

  worst = postier_message_check_worst (checks);
  if (failed == 0 && warned == 0)
    summary = g_strdup_printf (ngettext ("The check passed", "All %u checks passed", checks->len),
                               checks->len);
  else if (failed > 0 && warned > 0)
    {
      g_autofree char *problems = g_strdup_printf (ngettext ("%u problem", "%u problems", failed),
                                                   failed);
      g_autofree char *warnings = g_strdup_printf (ngettext ("%u warning", "%u warnings", warned),
                                                   warned);
      /* Translators: "2 problems and 1 warning". */
      summary = g_strdup_printf (_("%s and %s"), problems, warnings);
    }
  else if (failed > 0)
    summary = g_strdup_printf (ngettext ("%u problem", "%u problems", failed), failed);
  else
    summary = g_strdup_printf (ngettext ("%u warning", "%u warnings", warned), warned);

  gtk_image_set_from_icon_name (self->check_summary_icon, check_icon_name (worst));
  gtk_widget_remove_css_class (GTK_WIDGET (self->check_summary_icon), "success");
  gtk_widget_remove_css_class (GTK_WIDGET (self->check_summary_icon), "warning");
  gtk_widget_remove_css_class (GTK_WIDGET (self->check_summary_icon), "error");
  gtk_widget_add_css_class (GTK_WIDGET (self->check_summary_icon), check_css_class (worst));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->check_summary_icon),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, check_status_label (worst), -1);
  gtk_label_set_text (self->check_summary_label, summary);
}

static void
show_structure (PostierSandboxView *self,
                PostierMimeNode    *tree)
{
  g_autoptr(GPtrArray) nodes = NULL;

  clear_list_box (self->structure_list);
  if (tree == NULL)
    {
      gtk_list_box_append (self->structure_list,
                           property_row (_("Not a MIME message"),
                                         _("The message could not be parsed.")));
      return;
    }

  nodes = postier_mime_tree_flatten (tree);
  for (guint i = 0; i < nodes->len; i++)
    {
      PostierMimeNode *node = nodes->pdata[i];
      g_autoptr(GString) details = g_string_new (NULL);
      g_autofree char *title = NULL;
      GtkWidget *row;
      GtkWidget *indent;

      if (node->charset != NULL)
        g_string_append (details, node->charset);
      if (node->encoding != NULL)
        g_string_append_printf (details, "%s%s", details->len > 0 ? " · " : "", node->encoding);
      if (node->children == NULL || node->children->len == 0)
        {
          g_autofree char *encoded = g_format_size (node->encoded_size);
          g_autofree char *decoded = g_format_size (node->decoded_size);

          if (details->len > 0)
            g_string_append (details, " · ");
          if (node->encoded_size != node->decoded_size)
            /* Translators: "12.3 kB, 9.0 kB decoded". */
            g_string_append_printf (details, _("%s, %s decoded"), encoded, decoded);
          else
            g_string_append (details, encoded);
        }
      if (node->disposition != NULL)
        g_string_append_printf (details, "%s%s", details->len > 0 ? " · " : "", node->disposition);

      if (node->filename != NULL)
        title = g_strdup_printf ("%s — %s", node->content_type, node->filename);
      else
        title = g_strdup (node->content_type);

      row = property_row (title, details->str);
      gtk_widget_remove_css_class (row, "property");
      /* The tree shows as indentation. */
      indent = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
      gtk_widget_set_size_request (indent, (int) node->depth * 24, -1);
      gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LEVEL,
                                      (int) node->depth + 1, -1);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), indent);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row),
                                 gtk_image_new_from_icon_name (node->children != NULL &&
                                                               node->children->len > 0
                                                               ? "folder-symbolic"
                                                               : node->filename != NULL
                                                               ? "mail-attachment-symbolic"
                                                               : "text-x-generic-symbolic"));
      gtk_list_box_append (self->structure_list, row);
    }
}

static void
show_envelope (PostierSandboxView    *self,
               PostierSandboxMessage *message)
{
  const char *sender = postier_sandbox_message_get_sender (message);
  const char * const *recipients = postier_sandbox_message_get_recipients (message);
  const char *value;
  g_autofree char *received = format_time (postier_sandbox_message_get_received (message));
  g_autofree char *size = g_format_size_full (postier_sandbox_message_get_size (message),
                                              G_FORMAT_SIZE_LONG_FORMAT);

  clear_list_box (self->envelope_list);
  if (sender == NULL)
    {
      gtk_list_box_append (self->envelope_list,
                           property_row (_("Envelope"), _("The receiver kept no envelope for this "
                                                          "message.")));
      return;
    }

  gtk_list_box_append (self->envelope_list,
                       property_row (_("Mail from"), *sender != '\0' ? sender : _("(null sender)")));
  for (guint i = 0; recipients != NULL && recipients[i] != NULL; i++)
    gtk_list_box_append (self->envelope_list, property_row (_("Recipient"), recipients[i]));
  if ((value = postier_sandbox_message_get_mail_parameters (message)) != NULL && *value != '\0')
    gtk_list_box_append (self->envelope_list, property_row (_("Parameters"), value));
  if ((value = postier_sandbox_message_get_helo (message)) != NULL)
    gtk_list_box_append (self->envelope_list, property_row (_("Client name (EHLO)"), value));
  if ((value = postier_sandbox_message_get_login (message)) != NULL)
    gtk_list_box_append (self->envelope_list, property_row (_("Signed in as"), value));
  gtk_list_box_append (self->envelope_list,
                       property_row (_("Encryption"),
                                     (value = postier_sandbox_message_get_tls (message)) != NULL
                                     ? value : _("None")));
  gtk_list_box_append (self->envelope_list, property_row (_("Received"), received));
  gtk_list_box_append (self->envelope_list, property_row (_("Size"), size));
}

static void
show_source (PostierSandboxView *self,
             GBytes             *bytes)
{
  gsize length = 0;
  const char *data = g_bytes_get_data (bytes, &length);
  gsize shown = MIN (length, SOURCE_SHOWN_LIMIT);
  g_autofree char *text = g_utf8_make_valid (data, (gssize) shown);
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->source_view);

  if (shown < length)
    {
      g_autofree char *more = g_format_size (length - shown);
      g_autofree char *note = g_strdup_printf (_("\n… %s more not shown"), more);
      g_autofree char *joined = g_strconcat (text, note, NULL);
      gtk_text_buffer_set_text (buffer, joined, -1);
    }
  else
    {
      gtk_text_buffer_set_text (buffer, text, -1);
    }
}

static void
detail_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(PostierSandboxView) self = user_data;
  Detail *detail = g_task_get_task_data (G_TASK (result));
  PostierSandboxMessage *message = detail->message;
  g_autoptr(GError) error = NULL;
  g_autofree char *date = NULL;
  g_autofree char *meta = NULL;
  const char *from;
  const char *subject;

  (void) source;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      gtk_label_set_text (self->subject_label, _("This message cannot be read"));
      gtk_label_set_text (self->meta_label, error->message);
      gtk_stack_set_visible_child_name (self->detail_stack, "message");
      return;
    }

  subject = postier_sandbox_message_get_subject (message);
  from = postier_sandbox_message_get_from (message);
  date = format_time (postier_sandbox_message_get_date (message) != NULL
                      ? postier_sandbox_message_get_date (message)
                      : postier_sandbox_message_get_received (message));
  /* Translators: "From Ada <ada@example.org> · 14:05". */
  meta = g_strdup_printf (_("From %s · %s"), *from != '\0' ? from : _("(no From header)"), date);
  gtk_label_set_text (self->subject_label, postier_display_subject (subject));
  gtk_label_set_text (self->meta_label, meta);

  show_checks (self, detail->checks);
  postier_deliverability_group_show (self->deliverability_group, detail->bytes, from, self->accounts);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->text_view),
                            detail->text != NULL ? detail->text
                                                 : _("This message has no text part."), -1);
  show_structure (self, detail->tree);
  show_source (self, detail->bytes);
  show_envelope (self, message);

  gtk_stack_set_visible_child_name (self->detail_stack, "message");
  g_signal_emit (self, signals[MESSAGE_LOADED], 0, postier_sandbox_message_get_id (message));
}

static void
load_detail (PostierSandboxView    *self,
             PostierSandboxMessage *message)
{
  g_autoptr(GTask) task = NULL;
  Detail *detail;

  g_cancellable_cancel (self->detail_cancellable);
  g_clear_object (&self->detail_cancellable);
  self->detail_cancellable = g_cancellable_new ();

  detail = g_new0 (Detail, 1);
  detail->message = g_object_ref (message);
  /* Read here, on the thread that owns the accounts; the same inputs as
   * `postierctl sandbox show`. */
  detail->inputs = postier_sandbox_checks_new (self->accounts);

  /* The view is the callback's, not the task's: the worker may drop the
   * task's last reference, and a widget must not be finalized there
   * (see queue_draft() in postier-composer-send.c). */
  task = g_task_new (NULL, self->detail_cancellable, detail_done, g_object_ref (self));
  g_task_set_task_data (task, detail, (GDestroyNotify) detail_free);
  g_task_run_in_thread (task, detail_thread);
}

static void
update_actions (PostierSandboxView *self)
{
  gboolean any = g_list_model_get_n_items (G_LIST_MODEL (self->messages)) > 0;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sandbox.delete", self->selected_id != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sandbox.clear", any);
}

static void
show_nothing (PostierSandboxView *self)
{
  g_cancellable_cancel (self->detail_cancellable);
  g_clear_pointer (&self->selected_id, g_free);
  gtk_stack_set_visible_child_name (self->detail_stack, "none");
  update_actions (self);
}

static void
on_row_selected (PostierSandboxView *self,
                 GtkListBoxRow      *row)
{
  const char *id;
  g_autoptr(PostierSandboxMessage) message = NULL;

  if (self->disposed)
    return;
  if (row == NULL)
    {
      if (!self->selecting)
        show_nothing (self);
      return;
    }

  id = postier_sandbox_message_row_get_id (POSTIER_SANDBOX_MESSAGE_ROW (row));
  if (g_strcmp0 (id, self->selected_id) == 0 && self->selecting)
    return;
  message = lookup_listed (self, id);
  if (message == NULL)
    return;

  g_free (self->selected_id);
  self->selected_id = g_strdup (id);
  update_actions (self);
  load_detail (self, message);
}

static void
on_row_activated (PostierSandboxView *self,
                  G_GNUC_UNUSED GtkListBoxRow *row)
{
  /* On a narrow window the list and the message take turns. */
  if (adw_leaflet_get_folded (self->leaflet))
    adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
}

static void
on_back_clicked (PostierSandboxView *self)
{
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
  gtk_widget_grab_focus (GTK_WIDGET (self->message_list));
}

static void
on_folded_changed (PostierSandboxView *self)
{
  if (self->disposed)
    return;
  gtk_widget_set_visible (GTK_WIDGET (self->back_button), adw_leaflet_get_folded (self->leaflet));
}

/* --- Reloading ------------------------------------------------------------- */

static void
update_count (PostierSandboxView *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->messages));
  g_autofree char *text = NULL;

  if (n == 0)
    text = g_strdup (_("Sandbox"));
  else
    text = g_strdup_printf (ngettext ("%u captured message", "%u captured messages", n), n);
  gtk_label_set_text (self->count_label, text);
  gtk_stack_set_visible_child_name (self->list_stack, n > 0 ? "list" : "empty");
}

static void
list_thread (GTask        *task,
             gpointer      source_object,
             G_GNUC_UNUSED gpointer task_data,
             G_GNUC_UNUSED GCancellable *cancellable)
{
  GError *error = NULL;
  GPtrArray *messages = postier_sandbox_store_list (source_object, &error);

  if (messages == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, messages, (GDestroyNotify) g_ptr_array_unref);
}

/* The reloader's way of listing: the store's list in a thread. */
static void
list_captured (GObject             *store,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (store, cancellable, callback, user_data);

  /* Listed again as each message is captured, so all along a flush. */
  postier_task_run_in_niced_thread (task, list_thread);
}

/* Called by the reloader with the newest listing only, while we live. */
static void
list_done (gpointer      view,
           GObject      *store,
           GAsyncResult *result)
{
  PostierSandboxView *self = view;
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GError) error = NULL;
  GListModel *model = G_LIST_MODEL (self->messages);
  GtkListBoxRow *row;
  gboolean unchanged;

  (void) store;
  messages = g_task_propagate_pointer (G_TASK (result), &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (messages == NULL)
    {
      g_warning ("Cannot list the Sandbox: %s", error->message);
      return;
    }

  /* Captured messages never change, only come and go: same ids, same list. */
  unchanged = g_list_model_get_n_items (model) == messages->len;
  for (guint i = 0; unchanged && i < messages->len; i++)
    {
      g_autoptr(PostierSandboxMessage) shown = g_list_model_get_item (model, i);
      unchanged = g_str_equal (postier_sandbox_message_get_id (shown),
                               postier_sandbox_message_get_id (messages->pdata[i]));
    }
  if (unchanged)
    return;

  self->selecting = TRUE;
  g_list_store_splice (self->messages, 0, g_list_model_get_n_items (model),
                       messages->pdata, messages->len);
  row = self->selected_id != NULL ? find_row (self, self->selected_id) : NULL;
  if (row != NULL)
    gtk_list_box_select_row (self->message_list, row);
  self->selecting = FALSE;

  if (row == NULL && self->selected_id != NULL)
    show_nothing (self);
  /* With nothing chosen yet, the newest capture is what the person wants. */
  if (self->selected_id == NULL && messages->len > 0)
    gtk_list_box_select_row (self->message_list, gtk_list_box_get_row_at_index (self->message_list, 0));
  update_count (self);
  update_actions (self);
}

void
postier_sandbox_view_reload (PostierSandboxView *self)
{
  g_return_if_fail (POSTIER_IS_SANDBOX_VIEW (self));

  /* Gone with dispose: a late caller finds nothing to reload. */
  if (self->reloader != NULL)
    postier_view_reloader_reload (self->reloader);
}

/* --- Actions ---------------------------------------------------------------- */

static void
delete_action (GtkWidget  *widget,
               G_GNUC_UNUSED const char *action_name,
               G_GNUC_UNUSED GVariant   *parameter)
{
  PostierSandboxView *self = POSTIER_SANDBOX_VIEW (widget);
  g_autoptr(GError) error = NULL;

  if (self->selected_id == NULL)
    return;
  if (!postier_sandbox_store_delete (self->store, self->selected_id, &error))
    g_warning ("Cannot delete the captured message: %s", error->message);
  show_nothing (self);
  postier_sandbox_view_reload (self);
}

static void
clear_response (AdwMessageDialog   *dialog,
                const char         *response,
                PostierSandboxView *self)
{
  g_autoptr(GError) error = NULL;

  (void) dialog;
  if (g_strcmp0 (response, "clear") != 0)
    return;
  postier_sandbox_store_clear (self->store, &error);
  if (error != NULL)
    g_warning ("Cannot clear the Sandbox: %s", error->message);
  show_nothing (self);
  postier_sandbox_view_reload (self);
}

static void
clear_action (GtkWidget  *widget,
              G_GNUC_UNUSED const char *action_name,
              G_GNUC_UNUSED GVariant   *parameter)
{
  PostierSandboxView *self = POSTIER_SANDBOX_VIEW (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->messages));
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   _("Delete All Captured Messages?"), NULL);
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  ngettext ("The %u message the Sandbox captured will be deleted. "
                                            "Nothing was sent anywhere else.",
                                            "The %u messages the Sandbox captured will be deleted. "
                                            "Nothing was sent anywhere else.", n), n);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "clear", _("_Delete All"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "clear",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (clear_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* --- Object ----------------------------------------------------------------- */

static void
postier_sandbox_view_dispose (GObject *object)
{
  PostierSandboxView *self = POSTIER_SANDBOX_VIEW (object);

  self->disposed = TRUE;
  g_cancellable_cancel (self->detail_cancellable);
  if (self->reloader != NULL)
    postier_view_reloader_stop (self->reloader);
  g_clear_object (&self->reloader);

  gtk_widget_dispose_template (GTK_WIDGET (self), POSTIER_TYPE_SANDBOX_VIEW);

  G_OBJECT_CLASS (postier_sandbox_view_parent_class)->dispose (object);
}

static void
postier_sandbox_view_finalize (GObject *object)
{
  PostierSandboxView *self = POSTIER_SANDBOX_VIEW (object);

  g_clear_object (&self->store);
  g_clear_object (&self->accounts);
  g_clear_object (&self->messages);
  g_clear_object (&self->detail_cancellable);
  g_free (self->selected_id);

  G_OBJECT_CLASS (postier_sandbox_view_parent_class)->finalize (object);
}

static void
postier_sandbox_view_class_init (PostierSandboxViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = postier_sandbox_view_dispose;
  object_class->finalize = postier_sandbox_view_finalize;
  /* Named in the template. */
  g_type_ensure (POSTIER_TYPE_DELIVERABILITY_GROUP);

  signals[MESSAGE_LOADED] = g_signal_new ("message-loaded", G_TYPE_FROM_CLASS (klass),
                                          G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                          G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/postier/Postier/ui/postier-sandbox-view.ui");
  gtk_widget_class_bind_template_child (widget_class, PostierSandboxView, sidebar);
  gtk_widget_class_bind_template_child (widget_class, PostierSandboxView, count_label);
  gtk_widget_class_bind_template_child (widget_class, PostierSandboxView, list_stack);
  gtk_widget_class_bind_template_child (widget_class, PostierSandboxView, message_list);
  gtk_widget_class_bind_template_child (widget_class, PostierSandboxView, detail_stack);
  gtk_widget_class_bind_template_child (widget_class, PostierSandboxView, back_button);
  gtk_widget_class_bind_template_child (widget_class, PostierSandboxView, subject_label);
  gtk_widget_class_bind_template_child (widget_class, PostierSandboxView, meta_label);
  gtk_widget_class_bind_template_child (widget_class, PostierSandboxView, check_summary_icon);
  gtk_widget_class_bind_template_child (widget_class, PostierSandboxView, check_summary_label);
  gtk_widget_class_bind_template_child (widget_class, PostierSandboxView, pages);
  gtk_widget_class_bind_template_child (widget_class, PostierSandboxView, checks_list);
  gtk_widget_class_bind_template_child (widget_class, PostierSandboxView, deliverability_group);
  gtk_widget_class_bind_template_child (widget_class, PostierSandboxView, text_view);
  gtk_widget_class_bind_template_child (widget_class, PostierSandboxView, structure_list);
  gtk_widget_class_bind_template_child (widget_class, PostierSandboxView, source_view);
  gtk_widget_class_bind_template_child (widget_class, PostierSandboxView, envelope_list);
  gtk_widget_class_bind_template_callback (widget_class, on_row_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_row_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_back_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_folded_changed);

  gtk_widget_class_install_action (widget_class, "sandbox.delete", NULL, delete_action);
  gtk_widget_class_install_action (widget_class, "sandbox.clear", NULL, clear_action);
}

static void
postier_sandbox_view_init (PostierSandboxView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->leaflet = ADW_LEAFLET (adw_bin_get_child (ADW_BIN (self)));

  self->messages = g_list_store_new (POSTIER_TYPE_SANDBOX_MESSAGE);
  gtk_list_box_bind_model (self->message_list, G_LIST_MODEL (self->messages), create_message_row,
                           self, NULL);
  update_count (self);
  update_actions (self);
}

PostierSandboxView *
postier_sandbox_view_new (PostierSandboxStore *store,
                          PostierAccountStore *accounts)
{
  PostierSandboxView *self;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (POSTIER_IS_SANDBOX_STORE (store), NULL);
  g_return_val_if_fail (POSTIER_IS_ACCOUNT_STORE (accounts), NULL);

  self = g_object_new (POSTIER_TYPE_SANDBOX_VIEW, NULL);
  self->store = g_object_ref (store);
  self->accounts = g_object_ref (accounts);

  if (!postier_sandbox_store_watch (store, &error))
    g_warning ("Cannot watch the Sandbox: %s", error->message);
  self->reloader = postier_view_reloader_new (self, G_OBJECT (store), list_captured, list_done);
  postier_sandbox_view_reload (self);
  return self;
}

GListModel *
postier_sandbox_view_get_model (PostierSandboxView *self)
{
  g_return_val_if_fail (POSTIER_IS_SANDBOX_VIEW (self), NULL);
  return G_LIST_MODEL (self->messages);
}

void
postier_sandbox_view_show_page (PostierSandboxView *self,
                                const char         *name)
{
  g_return_if_fail (POSTIER_IS_SANDBOX_VIEW (self));
  gtk_stack_set_visible_child_name (self->pages, name);
}
