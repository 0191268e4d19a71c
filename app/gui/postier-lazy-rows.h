/* postier-lazy-rows.h — a GtkListView's rows, made only when in sight and
 * a few per frame
 *
 * GTK 4.8's GtkListView keeps up to 200 list items around its anchor
 * (later versions size that to the view), and binds all of them when the
 * model fills or the view jumps: with rows that cost milliseconds each
 * (an AdwExpanderRow from a template), 200 of them hold the main loop for
 * a second. So bind gives each item a cheap placeholder of a row's height,
 * and a tick callback swaps placeholders in or near the visible area for
 * the real row, within a few milliseconds per frame, visible ones first.
 * Rows out of sight are never made. With a rebind function, rows whose
 * items leave the list are kept and shown again for new items instead of
 * being made anew.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Makes the row for ITEM (a new floating widget). */
typedef GtkWidget *(*PostierLazyRowsCreateFunc) (gpointer  item,
                                                 gpointer  user_data);
/* ROW, just made, is in the list (e.g. to give it the focus back). */
typedef void       (*PostierLazyRowsPlacedFunc) (GtkWidget *row,
                                                 gpointer  user_data);
/* Makes ROW (made by the create function for another item, out of the
 * list now) show ITEM. FALSE: it cannot, a new row is made. */
typedef gboolean   (*PostierLazyRowsRebindFunc) (GtkWidget *row,
                                                 gpointer   item,
                                                 gpointer   user_data);

/* What the row of ITEM shows when ITEM is a slot (PostierSlotModel): the
 * create and rebind functions are given that, not ITEM. */
typedef gpointer   (*PostierLazyRowsShownFunc)  (gpointer   item);

#define POSTIER_TYPE_LAZY_ROWS (postier_lazy_rows_get_type ())
G_DECLARE_FINAL_TYPE (PostierLazyRows, postier_lazy_rows, POSTIER, LAZY_ROWS, GObject)

/* Sets LIST_VIEW's factory and model (MODEL, with no selection). LIST_VIEW
 * and USER_DATA are not referenced: call stop() before they go. PLACED may
 * be NULL. */
PostierLazyRows *postier_lazy_rows_new  (GtkListView               *list_view,
                                         GListModel                *model,
                                         PostierLazyRowsCreateFunc  create,
                                         PostierLazyRowsPlacedFunc  placed,
                                         gpointer                   user_data);
/* No row is made after this. Idempotent. */
void             postier_lazy_rows_stop (PostierLazyRows           *self);
/* Rows are recycled through REBIND from now on. */
void             postier_lazy_rows_set_rebind (PostierLazyRows           *self,
                                               PostierLazyRowsRebindFunc  rebind);

/* Items are slots: a row shows SHOWN (item); refresh() after a change of
 * what slots show rebinds the rows in sight, a few per frame. */
void             postier_lazy_rows_set_shown  (PostierLazyRows           *self,
                                               PostierLazyRowsShownFunc   shown);
void             postier_lazy_rows_refresh    (PostierLazyRows           *self);
/* FALSE while ROW still shows what its slot showed before a refresh. */
gboolean         postier_lazy_rows_is_current (PostierLazyRows           *self,
                                               GtkWidget                 *row);

/* The position of the first item in sight (its row current, or a
 * placeholder), or -1; notes how tall an item is, for scroll_by_items()
 * after the model changed. */
int              postier_lazy_rows_first_in_sight  (PostierLazyRows *self);
/* Scrolls by N items (negative: up), as tall as first_in_sight() found. */
void             postier_lazy_rows_scroll_by_items (PostierLazyRows *self,
                                                    int              n);

G_END_DECLS
