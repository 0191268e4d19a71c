/* postier-sent-view.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-sent-view"

#include "config.h"

#include <glib/gi18n.h>

#include "postier-lazy-rows.h"
#include "postier-sent-message.h"
#include "postier-sent-row.h"
#include "postier-sent-view.h"
#include "postier-view-reloader.h"

struct _PostierSentView
{
  AdwBin            parent_instance;

  PostierSentStore    *store;
  GListStore          *messages;
  PostierViewReloader *reloader;
  PostierLazyRows     *rows;

  /* Template widgets (the stack, the bin's own child, is not bound: AdwBin
   * disposes of it) */
  GtkStack         *stack;
  GtkLabel         *summary_label;
  GtkListView      *list_view;
};

G_DEFINE_FINAL_TYPE (PostierSentView, postier_sent_view, ADW_TYPE_BIN)

/* Made only for a message in sight (PostierLazyRows). */
static GtkWidget *
create_row (gpointer item,
            G_GNUC_UNUSED gpointer user_data)
{
  return postier_sent_row_new (item);
}

static gboolean
same_message (GListModel         *model,
              guint               position,
              PostierSentMessage *message)
{
  g_autoptr(PostierSentMessage) old = g_list_model_get_item (model, position);

  return g_strcmp0 (postier_sent_message_get_path (old),
                    postier_sent_message_get_path (message)) == 0;
}

/* The newest come first: when NEXT is the model with messages added on
 * top (and the oldest gone past the limit), only those change, so the
 * list keeps its place while a flush fills Sent; anything else is
 * replaced whole. */
static void
apply_messages (PostierSentView *self,
                GPtrArray       *next)
{
  GListModel *model = G_LIST_MODEL (self->messages);
  guint n = g_list_model_get_n_items (model);
  guint added = 0;
  guint kept;

  if (n > 0)
    while (added < next->len && !same_message (model, 0, next->pdata[added]))
      added++;
  kept = MIN (n, next->len - added);
  for (guint i = 0; i < kept; i++)
    if (!same_message (model, i, next->pdata[added + i]))
      {
        kept = 0;
        break;
      }
  if (n == 0 || kept == 0 || added == next->len)
    {
      g_list_store_splice (self->messages, 0, n, next->len > 0 ? next->pdata : NULL, next->len);
      return;
    }
  if (n > kept)
    g_list_store_splice (self->messages, kept, n - kept, NULL, 0);
  if (added > 0)
    g_list_store_splice (self->messages, 0, 0, next->pdata, added);
}

static void
list_sent (GObject             *store,
           GCancellable        *cancellable,
           GAsyncReadyCallback  callback,
           gpointer             user_data)
{
  postier_sent_store_list_async (POSTIER_SENT_STORE (store), POSTIER_SENT_VIEW_LIMIT, cancellable,
                                 callback, user_data);
}

static void
list_done (gpointer      view,
           GObject      *source,
           GAsyncResult *result)
{
  PostierSentView *self = view;
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GError) error = NULL;

  messages = postier_sent_store_list_finish (POSTIER_SENT_STORE (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (messages == NULL)
    {
      g_warning ("Cannot list the sent messages: %s", error->message);
      return;
    }

  apply_messages (self, messages);

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
  g_return_if_fail (POSTIER_IS_SENT_VIEW (self));

  /* Gone with dispose: a late caller finds nothing to reload. */
  if (self->reloader != NULL)
    postier_view_reloader_reload (self->reloader);
}

static void
postier_sent_view_dispose (GObject *object)
{
  PostierSentView *self = POSTIER_SENT_VIEW (object);

  if (self->reloader != NULL)
    postier_view_reloader_stop (self->reloader);
  g_clear_object (&self->reloader);
  if (self->rows != NULL)
    postier_lazy_rows_stop (self->rows);
  g_clear_object (&self->rows);

  gtk_widget_dispose_template (GTK_WIDGET (self), POSTIER_TYPE_SENT_VIEW);

  G_OBJECT_CLASS (postier_sent_view_parent_class)->dispose (object);
}

static void
postier_sent_view_finalize (GObject *object)
{
  PostierSentView *self = POSTIER_SENT_VIEW (object);

  g_clear_object (&self->store);
  g_clear_object (&self->messages);

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
  gtk_widget_class_bind_template_child (widget_class, PostierSentView, list_view);
}

static void
postier_sent_view_init (PostierSentView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->stack = GTK_STACK (adw_bin_get_child (ADW_BIN (self)));

  self->messages = g_list_store_new (POSTIER_TYPE_SENT_MESSAGE);
  self->rows = postier_lazy_rows_new (self->list_view, G_LIST_MODEL (self->messages), create_row,
                                      NULL, self);
}

PostierSentView *
postier_sent_view_new (PostierSentStore *store)
{
  PostierSentView *self;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (POSTIER_IS_SENT_STORE (store), NULL);

  self = g_object_new (POSTIER_TYPE_SENT_VIEW, NULL);
  self->store = g_object_ref (store);
  if (!postier_sent_store_watch (store, &error))
    g_warning ("Cannot watch the sent messages: %s", error->message);
  self->reloader = postier_view_reloader_new (self, G_OBJECT (store), list_sent, list_done);
  postier_view_reloader_wait_while_hidden (self->reloader, GTK_WIDGET (self));
  postier_sent_view_reload (self);
  return self;
}

GListModel *
postier_sent_view_get_model (PostierSentView *self)
{
  g_return_val_if_fail (POSTIER_IS_SENT_VIEW (self), NULL);
  return G_LIST_MODEL (self->messages);
}
