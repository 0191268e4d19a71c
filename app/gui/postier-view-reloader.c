/* postier-view-reloader.c — one way for every view to reload: debounced on
 * the store's ::changed, newest listing wins, silent after dispose.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-gui"

#include "config.h"

#include "postier-view-reloader.h"

struct _PostierViewReloader
{
  GObject                      parent_instance;

  gpointer                     view;         /* not referenced; NULL once stopped */
  GObject                     *store;
  PostierViewReloaderListFunc  list;
  PostierViewReloaderDoneFunc  done;
  GCancellable                *cancellable;  /* of the listing on its way */
  guint                        serial;       /* of the newest listing */
  guint                        source;       /* the scheduled reload */
  gboolean                     again;        /* a change came during the listing */
  gint64                       last_start;   /* monotonic µs the last listing began */
  GtkWidget                   *hidden_wait;  /* waits while unmapped; not referenced */
  gboolean                     stale;        /* a change came while it was hidden */
};

G_DEFINE_FINAL_TYPE (PostierViewReloader, postier_view_reloader, G_TYPE_OBJECT)

static void
postier_view_reloader_dispose (GObject *object)
{
  PostierViewReloader *self = POSTIER_VIEW_RELOADER (object);

  postier_view_reloader_stop (self);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (postier_view_reloader_parent_class)->dispose (object);
}

static void
postier_view_reloader_class_init (PostierViewReloaderClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = postier_view_reloader_dispose;
}

static void
postier_view_reloader_init (G_GNUC_UNUSED PostierViewReloader *self)
{
}

static void
on_store_changed (PostierViewReloader *self)
{
  postier_view_reloader_schedule (self);
}

PostierViewReloader *
postier_view_reloader_new (gpointer                     view,
                           GObject                     *store,
                           PostierViewReloaderListFunc  list,
                           PostierViewReloaderDoneFunc  done)
{
  PostierViewReloader *self;

  g_return_val_if_fail (view != NULL, NULL);
  g_return_val_if_fail (G_IS_OBJECT (store), NULL);
  g_return_val_if_fail (list != NULL && done != NULL, NULL);

  self = g_object_new (POSTIER_TYPE_VIEW_RELOADER, NULL);
  self->view = view;
  self->store = g_object_ref (store);
  self->list = list;
  self->done = done;
  g_signal_connect_object (store, "changed", G_CALLBACK (on_store_changed), self,
                           G_CONNECT_SWAPPED);
  return self;
}

typedef struct {
  PostierViewReloader *self;
  guint                serial;
} Listing;

static void
list_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Listing *listing = user_data;
  g_autoptr(PostierViewReloader) self = listing->self;
  guint serial = listing->serial;

  g_free (listing);
  /* Stopped, or a newer listing is on its way: this answer may be stale.
   * The GTask frees what it holds without a _finish(). */
  if (self->view == NULL || serial != self->serial)
    return;
  g_clear_object (&self->cancellable);
  self->done (self->view, source, result);
  if (self->again && self->view != NULL)
    {
      self->again = FALSE;
      postier_view_reloader_schedule (self);
    }
}

void
postier_view_reloader_reload (PostierViewReloader *self)
{
  Listing *listing;

  g_return_if_fail (POSTIER_IS_VIEW_RELOADER (self));

  if (self->view == NULL)
    return;
  g_clear_handle_id (&self->source, g_source_remove);
  self->again = FALSE;
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->last_start = g_get_monotonic_time ();

  listing = g_new0 (Listing, 1);
  listing->self = g_object_ref (self);
  listing->serial = ++self->serial;
  self->list (self->store, self->cancellable, list_done, listing);
}

static gboolean
reload_cb (gpointer user_data)
{
  PostierViewReloader *self = user_data;

  self->source = 0;
  /* Out of sight (a page not shown): nothing to show it in. During a
   * flush the hidden Sent page listed and applied its 200 newest every
   * second, on the main thread and the shared cores; it lists once when
   * shown. */
  if (self->hidden_wait != NULL && !gtk_widget_get_mapped (self->hidden_wait))
    {
      self->stale = TRUE;
      return G_SOURCE_REMOVE;
    }
  /* A listing is on its way: a cancelled one still runs to its end in its
   * thread, so starting another would only add a thread reading the same
   * folder (a flush changes it all the time). One more follows it. */
  if (self->cancellable != NULL)
    {
      self->again = TRUE;
      return G_SOURCE_REMOVE;
    }
  postier_view_reloader_reload (self);
  return G_SOURCE_REMOVE;
}

void
postier_view_reloader_schedule (PostierViewReloader *self)
{
  g_return_if_fail (POSTIER_IS_VIEW_RELOADER (self));

  if (self->view != NULL && self->source == 0)
    {
      /* While changes keep coming (a flush), a listing a second at most:
       * each one applied costs the main thread rows unbound and made. */
      gint64 since = (g_get_monotonic_time () - self->last_start) / 1000;
      guint delay = POSTIER_VIEW_RELOAD_DELAY_MS;

      if (self->last_start != 0 && since < POSTIER_VIEW_RELOAD_MIN_GAP_MS)
        delay = MAX (delay, (guint) (POSTIER_VIEW_RELOAD_MIN_GAP_MS - since));
      self->source = g_timeout_add (delay, reload_cb, self);
    }
}

void
postier_view_reloader_stop (PostierViewReloader *self)
{
  g_return_if_fail (POSTIER_IS_VIEW_RELOADER (self));

  self->view = NULL;
  self->hidden_wait = NULL;
  g_clear_handle_id (&self->source, g_source_remove);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
}

static void
on_mapped (PostierViewReloader *self)
{
  if (!self->stale || self->view == NULL)
    return;
  self->stale = FALSE;
  if (self->cancellable != NULL)
    self->again = TRUE;
  else
    postier_view_reloader_reload (self);
}

void
postier_view_reloader_wait_while_hidden (PostierViewReloader *self,
                                         GtkWidget           *widget)
{
  g_return_if_fail (POSTIER_IS_VIEW_RELOADER (self));
  g_return_if_fail (GTK_IS_WIDGET (widget));

  self->hidden_wait = widget;
  g_signal_connect_object (widget, "map", G_CALLBACK (on_mapped), self, G_CONNECT_SWAPPED);
}
