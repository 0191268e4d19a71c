/* postier-lazy-rows.c — a GtkListView's rows, made only when in sight and
 * a few per frame (see the header for why)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-gui"

#include "config.h"

#include "postier-lazy-rows.h"

/* Rows made per frame stop after this much time (at least one is made):
 * what is left of a 16.7 ms frame is for layout and drawing. */
#define FRAME_BUDGET_US 2000
/* A placeholder's height until a real row has been measured. */
#define DEFAULT_ROW_HEIGHT 64
/* Rows kept for reuse once their item scrolled away: about the rows of a
 * tall window and the page made around it. */
#define POOL_MAX 64

struct _PostierLazyRows
{
  GObject                    parent_instance;

  GtkListView               *list_view;      /* not referenced; NULL once stopped */
  GtkAdjustment             *vadjustment;
  PostierLazyRowsCreateFunc  create;
  PostierLazyRowsPlacedFunc  placed;
  PostierLazyRowsRebindFunc  rebind;
  PostierLazyRowsShownFunc   shown;
  gpointer                   user_data;
  GPtrArray                 *pool;           /* rows out of the list, to rebind */
  guint                      tick_id;
  int                        row_height;
  double                     pitch;          /* the list's length over its items */
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

/* What the row of list item ITEM shows: the item itself, or what a slot
 * shows (postier_lazy_rows_set_shown()). */
static gpointer
shown_by (PostierLazyRows *self,
          GtkListItem     *item)
{
  gpointer object = gtk_list_item_get_item (item);

  return object != NULL && self->shown != NULL ? self->shown (object) : object;
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

/* ROW shows OBJECT (held, so that a new item at a freed one's address is
 * not taken for it). */
static void
shows_item (GtkWidget *row,
            gpointer   object)
{
  g_object_set_data_full (G_OBJECT (row), "postier-lazy-rows-shown", g_object_ref (object),
                          g_object_unref);
}

/* A pooled row may still be the child of the list item that let it go
 * (unbind_item() lends it): takes it out. FALSE if it cannot be. */
static gboolean
take_out_of_list (GtkWidget *row)
{
  GtkListItem *item;

  if (gtk_widget_get_parent (row) == NULL)
    return TRUE;
  item = g_object_get_data (G_OBJECT (row), "postier-lazy-rows-item");
  if (item != NULL && gtk_list_item_get_child (item) == row)
    gtk_list_item_set_child (item, NULL);
  return gtk_widget_get_parent (row) == NULL;
}

/* Measures ROW's text now, as the list view will (its list item at the
 * list's width), so the shaping is counted in this frame's budget: the
 * layout then finds the sizes cached. Without it a frame could make ten
 * rows within 2 ms and spend 20 ms shaping their labels afterwards. */
static void
measure_now (PostierLazyRows *self,
             GtkWidget       *row)
{
  GtkWidget *item_widget = gtk_widget_get_parent (row);
  int width = gtk_widget_get_width (GTK_WIDGET (self->list_view));
  int ignored;

  if (item_widget != NULL && width > 0)
    gtk_widget_measure (item_widget, GTK_ORIENTATION_VERTICAL, width, &ignored, NULL, NULL, NULL);
}

static void
make_row (PostierLazyRows *self,
          GtkWidget       *placeholder)
{
  GtkListItem *item = g_object_get_data (G_OBJECT (placeholder), "postier-list-item");
  gpointer object = shown_by (self, item);
  GtkWidget *row = NULL;

  if (object == NULL)
    return;
  /* A row that scrolled away shows this item: far cheaper than a new one. */
  while (row == NULL && self->pool != NULL && self->pool->len > 0)
    {
      g_autoptr(GtkWidget) reused = g_ptr_array_steal_index_fast (self->pool, self->pool->len - 1);

      if (take_out_of_list (reused) && self->rebind (reused, object, self->user_data))
        row = g_steal_pointer (&reused);
    }
  if (row == NULL)
    row = g_object_ref_sink (self->create (object, self->user_data));
  shows_item (row, object);
  /* Rows do not know their list item: is_stale() and refresh_row() need it. */
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
  else
    measure_now (self, row);
  if (self->placed != NULL)
    self->placed (row, self->user_data);
}

/* ROW, the child of ITEM, no longer shows what ITEM shows: a placeholder
 * of its height (or the known row height) takes its place, to be filled
 * within a frame's budget. ROW goes to the pool when REUSABLE, rows can be
 * rebound and the pool has room; otherwise it is let go. */
static void
replace_with_placeholder (PostierLazyRows *self,
                          GtkListItem     *item,
                          GtkWidget       *row,
                          gboolean         reusable)
{
  int height = gtk_widget_get_height (row) > 0 ? gtk_widget_get_height (row) : self->row_height;

  if (reusable && self->rebind != NULL && self->list_view != NULL && self->pool->len < POOL_MAX)
    g_ptr_array_add (self->pool, g_object_ref (row));
  gtk_list_item_set_child (item, placeholder_new (item, height));
}

/* ROW shows something its slot no longer shows (see
 * postier_lazy_rows_set_shown()): rebinds it where it is. */
static void
refresh_row (PostierLazyRows *self,
             GtkWidget       *row)
{
  GtkListItem *item = g_object_get_data (G_OBJECT (row), "postier-lazy-rows-item");
  gpointer object = shown_by (self, item);

  if (object == NULL)
    return;
  if (self->rebind != NULL && self->rebind (row, object, self->user_data))
    {
      shows_item (row, object);
      measure_now (self, row);
      if (self->placed != NULL)
        self->placed (row, self->user_data);
      return;
    }
  /* Refused (as make_row() drops a pooled row the rebind function
   * refuses): not kept for reuse. */
  replace_with_placeholder (self, item, row, FALSE);
}

static gboolean
is_stale (PostierLazyRows *self,
          GtkWidget       *row)
{
  GtkListItem *item;

  if (row == NULL || is_placeholder (row))
    return FALSE;
  item = g_object_get_data (G_OBJECT (row), "postier-lazy-rows-item");
  return item != NULL &&
         g_object_get_data (G_OBJECT (row), "postier-lazy-rows-shown") != shown_by (self, item);
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
      gboolean stale = is_stale (self, placeholder);

      if (!is_placeholder (placeholder) && !stale)
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
      if (stale)
        refresh_row (self, placeholder);
      else
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

/* GTK 4.8 unbinds and binds again every item after a change in the
 * model, only to tell them their new positions: a flush's listing that
 * drops the sent entries from the top turned every row below into a
 * placeholder, made again over the next frames (issue 12). So a list
 * item's row or placeholder stays through unbind, and bind keeps it when
 * the item is the same. */
static void
bind_item (G_GNUC_UNUSED GtkSignalListItemFactory *factory,
           GtkListItem                            *item,
           PostierLazyRows                        *self)
{
  GtkWidget *child = gtk_list_item_get_child (item);
  gpointer object = shown_by (self, item);

  if (child != NULL && is_placeholder (child))
    {
      ensure_tick (self);
      return;
    }
  if (child != NULL)
    {
      /* Lent to the pool by unbind_item(): it is this item's again. */
      g_ptr_array_remove_fast (self->pool, child);
      if (g_object_get_data (G_OBJECT (child), "postier-lazy-rows-shown") == object)
        return;
      /* Another item (GTK moved the list item as the list scrolled): the
       * row goes to the pool and a placeholder takes its place. Kept in
       * place, stale, rows were not handed back and new ones were made
       * from the template as placeholders came into sight (scene c,
       * main-thread CPU a frame 4.3 -> 13.1 ms). */
      replace_with_placeholder (self, item, child, TRUE);
    }
  else
    gtk_list_item_set_child (item, placeholder_new (item, self->row_height));
  ensure_tick (self);
}

static void
unbind_item (G_GNUC_UNUSED GtkSignalListItemFactory *factory,
             GtkListItem                            *item,
             PostierLazyRows                        *self)
{
  GtkWidget *child = gtk_list_item_get_child (item);

  /* The child stays: GTK may bind the same item again at once (see
   * bind_item()). A real row is lent to the pool meanwhile, for when the
   * list item is torn down (which takes its child away) or shows another
   * item. */
  if (child != NULL && !is_placeholder (child) && self->rebind != NULL &&
      self->list_view != NULL && self->pool->len < POOL_MAX)
    g_ptr_array_add (self->pool, g_object_ref (child));
  if (self->list_view == NULL)
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
postier_lazy_rows_set_shown (PostierLazyRows          *self,
                             PostierLazyRowsShownFunc  shown)
{
  g_return_if_fail (POSTIER_IS_LAZY_ROWS (self));

  self->shown = shown;
}

void
postier_lazy_rows_refresh (PostierLazyRows *self)
{
  g_return_if_fail (POSTIER_IS_LAZY_ROWS (self));

  if (self->list_view == NULL || self->shown == NULL)
    return;
  /* Hidden, the list has no frames: its stale rows would stay, and be
   * found by what they showed. Placeholders cost nothing until shown. */
  if (!gtk_widget_get_mapped (GTK_WIDGET (self->list_view)))
    for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->list_view));
         child != NULL;
         child = gtk_widget_get_next_sibling (child))
      {
        GtkWidget *row = gtk_widget_get_first_child (child);

        if (is_stale (self, row))
          replace_with_placeholder (self,
                                    g_object_get_data (G_OBJECT (row), "postier-lazy-rows-item"),
                                    row, TRUE);
      }
  ensure_tick (self);
}

int
postier_lazy_rows_first_in_sight (PostierLazyRows *self)
{
  GtkWidget *list;

  g_return_val_if_fail (POSTIER_IS_LAZY_ROWS (self), -1);

  if (self->list_view == NULL)
    return -1;
  list = GTK_WIDGET (self->list_view);
  {
    GtkAdjustment *adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->list_view));
    GListModel *model = G_LIST_MODEL (gtk_list_view_get_model (self->list_view));
    guint n = model != NULL ? g_list_model_get_n_items (model) : 0;

    /* Rows, their margins and the spacing: what GTK reckons an item takes. */
    self->pitch = adjustment != NULL && n > 0 ? gtk_adjustment_get_upper (adjustment) / n : 0;
  }
  /* The list view's children are in the order of their items. */
  for (GtkWidget *child = gtk_widget_get_first_child (list);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *row = gtk_widget_get_first_child (child);
      GtkListItem *item;
      graphene_rect_t bounds;

      /* GTK 4.8 leaves the list items out of sight where they were last
       * shown, unmapped. */
      if (row == NULL || !gtk_widget_get_mapped (row) || is_stale (self, row) ||
          gtk_widget_get_height (row) == 0 ||
          !gtk_widget_compute_bounds (row, list, &bounds) ||
          bounds.origin.y + bounds.size.height <= 0 || bounds.origin.y >= gtk_widget_get_height (list))
        continue;
      item = g_object_get_data (G_OBJECT (row), is_placeholder (row) ? "postier-list-item"
                                                                     : "postier-lazy-rows-item");
      if (item != NULL && gtk_list_item_get_item (item) != NULL)
        return (int) gtk_list_item_get_position (item);
    }
  return -1;
}

void
postier_lazy_rows_scroll_by_items (PostierLazyRows *self,
                                   int              n)
{
  GtkAdjustment *adjustment;

  g_return_if_fail (POSTIER_IS_LAZY_ROWS (self));

  if (self->list_view == NULL || n == 0)
    return;
  adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->list_view));
  if (adjustment != NULL && self->pitch > 0)
    gtk_adjustment_set_value (adjustment,
                              MAX (0.0, gtk_adjustment_get_value (adjustment) + n * self->pitch));
}

gboolean
postier_lazy_rows_is_current (PostierLazyRows *self,
                              GtkWidget       *row)
{
  g_return_val_if_fail (POSTIER_IS_LAZY_ROWS (self), FALSE);

  return !is_stale (self, row);
}

void
postier_lazy_rows_set_rebind (PostierLazyRows           *self,
                              PostierLazyRowsRebindFunc  rebind)
{
  g_return_if_fail (POSTIER_IS_LAZY_ROWS (self));

  self->rebind = rebind;
}
