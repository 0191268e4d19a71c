/* postier-lazy-rows.c — a GtkListView's rows, made only when in sight and
 * a few per frame (see the header for why)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-gui"

#include "config.h"

#include <adwaita.h>

#include "postier-lazy-rows.h"

/* Rows made per frame stop after this much time (at least one is made):
 * what is left of a 16.7 ms frame is for layout and drawing. */
#define FRAME_BUDGET_US 2000
/* A placeholder's height until a real row has been measured. */
#define DEFAULT_ROW_HEIGHT 64
/* Rows kept for reuse once their item scrolled away: about the rows of a
 * tall window and the page made around it. */
#define POOL_MAX 64
/* Rows this many pages out of sight go back to the pool (GTK 4.8 keeps 200
 * items bound, so it would hand them back only after 200 new rows). */
#define FAR_PAGES 2

struct _PostierLazyRows
{
  GObject                    parent_instance;

  GtkListView               *list_view;      /* not referenced; NULL once stopped */
  GtkAdjustment             *vadjustment;
  PostierLazyRowsCreateFunc  create;
  PostierLazyRowsPlacedFunc  placed;
  PostierLazyRowsRebindFunc  rebind;
  gpointer                   user_data;
  GPtrArray                 *pool;           /* rows out of the list, to rebind */
  guint                      tick_id;
  int                        row_height;
  gboolean                   row_height_known;
};

G_DEFINE_FINAL_TYPE (PostierLazyRows, postier_lazy_rows, G_TYPE_OBJECT)

static void
postier_lazy_rows_dispose (GObject *object)
{
  postier_lazy_rows_stop (POSTIER_LAZY_ROWS (object));
  g_clear_pointer (&POSTIER_LAZY_ROWS (object)->pool, g_ptr_array_unref);

  G_OBJECT_CLASS (postier_lazy_rows_parent_class)->dispose (object);
}

static void
postier_lazy_rows_class_init (PostierLazyRowsClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = postier_lazy_rows_dispose;
}

static void
postier_lazy_rows_init (PostierLazyRows *self)
{
  self->row_height = DEFAULT_ROW_HEIGHT;
  self->pool = g_ptr_array_new_with_free_func (g_object_unref);
}

static gboolean
is_placeholder (GtkWidget *widget)
{
  return widget != NULL && g_object_get_data (G_OBJECT (widget), "postier-list-item") != NULL;
}

static GtkWidget *
placeholder_new (GtkListItem *item,
                 int          height)
{
  GtkWidget *placeholder = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);

  gtk_widget_set_size_request (placeholder, -1, height);
  gtk_widget_add_css_class (placeholder, "postier-row-placeholder");
  g_object_set_data (G_OBJECT (placeholder), "postier-list-item", item);
  return placeholder;
}

/* Hands rows far out of sight back to the pool, a placeholder of their
 * height in their place, so that rows coming into sight are rebound, not
 * made. Not a row with the focus or expanded: the person left it so. */
static void
recycle_far_rows (PostierLazyRows *self,
                  int              far)
{
  GtkWidget *list = GTK_WIDGET (self->list_view);
  int height = gtk_widget_get_height (list);

  for (GtkWidget *child = gtk_widget_get_first_child (list);
       child != NULL && self->pool->len < POOL_MAX;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *row = gtk_widget_get_first_child (child);
      GtkListItem *item;
      graphene_rect_t bounds;

      if (row == NULL || is_placeholder (row) || gtk_widget_get_focus_child (row) != NULL ||
          gtk_widget_has_focus (row) ||
          (ADW_IS_EXPANDER_ROW (row) && adw_expander_row_get_expanded (ADW_EXPANDER_ROW (row))) ||
          !gtk_widget_compute_bounds (row, list, &bounds))
        continue;
      if (bounds.origin.y + bounds.size.height >= -far && bounds.origin.y <= height + far)
        continue;
      item = g_object_get_data (G_OBJECT (row), "postier-lazy-rows-item");
      if (item == NULL)
        continue;
      g_ptr_array_add (self->pool, g_object_ref (row));
      gtk_list_item_set_child (item, placeholder_new (item, gtk_widget_get_height (row)));
    }
}

static void
make_row (PostierLazyRows *self,
          GtkWidget       *placeholder)
{
  GtkListItem *item = g_object_get_data (G_OBJECT (placeholder), "postier-list-item");
  gpointer object = gtk_list_item_get_item (item);
  GtkWidget *row = NULL;

  if (object == NULL)
    return;
  /* A row that scrolled away shows this item: far cheaper than a new one. */
  while (row == NULL && self->pool != NULL && self->pool->len > 0)
    {
      g_autoptr(GtkWidget) reused = g_ptr_array_steal_index_fast (self->pool, self->pool->len - 1);

      if (self->rebind (reused, object, self->user_data))
        row = g_steal_pointer (&reused);
    }
  if (row == NULL)
    row = g_object_ref_sink (self->create (object, self->user_data));
  /* Rows do not know their list item: recycle_far_rows() needs it. */
  g_object_set_data (G_OBJECT (row), "postier-lazy-rows-item", item);
  gtk_list_item_set_child (item, row);
  g_object_unref (row);
  if (!self->row_height_known)
    {
      int natural = 0;

      /* Once: placeholders then take the room a row takes, so rows do
       * not jump as they are made. */
      gtk_widget_measure (row, GTK_ORIENTATION_VERTICAL, -1, NULL, &natural, NULL, NULL);
      if (natural > 0)
        self->row_height = natural;
      self->row_height_known = TRUE;
    }
  else if (gtk_widget_get_width (GTK_WIDGET (self->list_view)) > 0)
    {
      GtkWidget *item_widget = gtk_widget_get_parent (row);
      int ignored;

      /* Measures its text now, as the list view will (its list item at
       * the list's width), so the shaping is counted in this frame's
       * budget: the layout then finds the sizes cached. Without it a
       * frame could make ten rows within 2 ms and spend 20 ms shaping
       * their labels afterwards. */
      if (item_widget != NULL)
        gtk_widget_measure (item_widget, GTK_ORIENTATION_VERTICAL,
                            gtk_widget_get_width (GTK_WIDGET (self->list_view)), &ignored,
                            NULL, NULL, NULL);
    }
  if (self->placed != NULL)
    self->placed (row, self->user_data);
}

/* Makes rows for the placeholders within MARGIN pixels of the visible
 * area until DEADLINE. Returns FALSE when some are left for next frame. */
static gboolean
make_rows_in_view (PostierLazyRows *self,
                   int              margin,
                   gint64           deadline,
                   guint           *made)
{
  GtkWidget *list = GTK_WIDGET (self->list_view);
  int height = gtk_widget_get_height (list);
  gboolean done = TRUE;

  for (GtkWidget *child = gtk_widget_get_first_child (list);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *placeholder = gtk_widget_get_first_child (child);
      graphene_rect_t bounds;

      if (!is_placeholder (placeholder))
        continue;
      /* Not laid out yet: its place is known next frame. */
      if (gtk_widget_get_height (placeholder) == 0 ||
          !gtk_widget_compute_bounds (placeholder, list, &bounds))
        {
          done = FALSE;
          continue;
        }
      if (bounds.origin.y + bounds.size.height < -margin || bounds.origin.y > height + margin)
        continue;
      if (*made > 0 && g_get_monotonic_time () >= deadline)
        return FALSE;
      make_row (self, placeholder);
      (*made)++;
    }
  return done;
}

static gboolean
tick_cb (G_GNUC_UNUSED GtkWidget     *widget,
         G_GNUC_UNUSED GdkFrameClock *clock,
         gpointer                     user_data)
{
  PostierLazyRows *self = user_data;
  gint64 deadline = g_get_monotonic_time () + FRAME_BUDGET_US;
  int page = gtk_widget_get_height (GTK_WIDGET (self->list_view));
  guint made = 0;

  if (self->rebind != NULL)
    recycle_far_rows (self, FAR_PAGES * page);
  /* The visible rows first, then a page above and below, so a scroll
   * finds its rows made. */
  if (make_rows_in_view (self, 0, deadline, &made) &&
      make_rows_in_view (self, page, deadline, &made))
    {
      self->tick_id = 0;
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
ensure_tick (PostierLazyRows *self)
{
  if (self->list_view != NULL && self->tick_id == 0)
    self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self->list_view), tick_cb, self, NULL);
}

static void
setup_item (G_GNUC_UNUSED GtkSignalListItemFactory *factory,
            GtkListItem                            *item,
            G_GNUC_UNUSED gpointer                  user_data)
{
  /* The row inside does the activating and the focusing. */
  gtk_list_item_set_activatable (item, FALSE);
  gtk_list_item_set_selectable (item, FALSE);
}

static void
bind_item (G_GNUC_UNUSED GtkSignalListItemFactory *factory,
           GtkListItem                            *item,
           PostierLazyRows                        *self)
{
  gtk_list_item_set_child (item, placeholder_new (item, self->row_height));
  ensure_tick (self);
}

static void
unbind_item (G_GNUC_UNUSED GtkSignalListItemFactory *factory,
             GtkListItem                            *item,
             PostierLazyRows                        *self)
{
  GtkWidget *child = gtk_list_item_get_child (item);

  /* A real row goes to the pool, for the next item that comes into sight. */
  if (child != NULL && !is_placeholder (child) && self->rebind != NULL &&
      self->list_view != NULL && self->pool->len < POOL_MAX)
    g_ptr_array_add (self->pool, g_object_ref (child));
  gtk_list_item_set_child (item, NULL);
}

/* A scroll or a taller window shows placeholders that were bound before. */
static void
set_vadjustment (PostierLazyRows *self,
                 GtkAdjustment   *adjustment)
{
  if (self->vadjustment != NULL)
    g_signal_handlers_disconnect_by_data (self->vadjustment, self);
  g_set_object (&self->vadjustment, adjustment);
  if (adjustment != NULL)
    {
      g_signal_connect_swapped (adjustment, "value-changed", G_CALLBACK (ensure_tick), self);
      g_signal_connect_swapped (adjustment, "changed", G_CALLBACK (ensure_tick), self);
    }
}

static void
on_vadjustment_changed (PostierLazyRows *self)
{
  if (self->list_view != NULL)
    set_vadjustment (self, gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->list_view)));
}

PostierLazyRows *
postier_lazy_rows_new (GtkListView               *list_view,
                       GListModel                *model,
                       PostierLazyRowsCreateFunc  create,
                       PostierLazyRowsPlacedFunc  placed,
                       gpointer                   user_data)
{
  PostierLazyRows *self;
  g_autoptr(GtkListItemFactory) factory = NULL;
  g_autoptr(GtkNoSelection) selection = NULL;

  g_return_val_if_fail (GTK_IS_LIST_VIEW (list_view), NULL);
  g_return_val_if_fail (G_IS_LIST_MODEL (model), NULL);
  g_return_val_if_fail (create != NULL, NULL);

  self = g_object_new (POSTIER_TYPE_LAZY_ROWS, NULL);
  self->list_view = list_view;
  self->create = create;
  self->placed = placed;
  self->user_data = user_data;

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_item), NULL);
  g_signal_connect_object (factory, "bind", G_CALLBACK (bind_item), self, 0);
  g_signal_connect_object (factory, "unbind", G_CALLBACK (unbind_item), self, 0);
  selection = gtk_no_selection_new (g_object_ref (model));
  gtk_list_view_set_factory (list_view, factory);
  gtk_list_view_set_model (list_view, GTK_SELECTION_MODEL (selection));

  g_signal_connect_object (list_view, "notify::vadjustment", G_CALLBACK (on_vadjustment_changed),
                           self, G_CONNECT_SWAPPED);
  on_vadjustment_changed (self);
  return self;
}

void
postier_lazy_rows_stop (PostierLazyRows *self)
{
  g_return_if_fail (POSTIER_IS_LAZY_ROWS (self));

  if (self->list_view != NULL && self->tick_id != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self->list_view), self->tick_id);
  self->tick_id = 0;
  set_vadjustment (self, NULL);
  if (self->list_view != NULL)
    g_signal_handlers_disconnect_by_data (self->list_view, self);
  self->list_view = NULL;
  if (self->pool != NULL)
    g_ptr_array_set_size (self->pool, 0);
}

void
postier_lazy_rows_set_rebind (PostierLazyRows           *self,
                              PostierLazyRowsRebindFunc  rebind)
{
  g_return_if_fail (POSTIER_IS_LAZY_ROWS (self));

  self->rebind = rebind;
}
