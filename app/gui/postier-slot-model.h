/* postier-slot-model.h — a list model of slots that show another model's
 * items by position
 *
 * GTK 4.8's GtkListView destroys the widget of every item removed from its
 * model and makes one for every item added, and unbinds and binds again
 * every item after the change to tell it its new position: a flush that
 * drops 200 sent entries from the top of a 1 000-entry outbox once a second
 * cost 10–40 ms of the main thread each time (issue 12). A slot model gives
 * the list view the same objects in the same places whatever the source
 * does: slot i shows the source's item i. Only a change of length reaches
 * the list view (at the end); what each slot shows is read with
 * postier_slot_model_get_shown(), and the rows follow through
 * PostierLazyRows' shown function.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define POSTIER_TYPE_SLOT_MODEL (postier_slot_model_get_type ())
G_DECLARE_FINAL_TYPE (PostierSlotModel, postier_slot_model, POSTIER, SLOT_MODEL, GObject)

/* Follows SOURCE (referenced) from now on. */
PostierSlotModel *postier_slot_model_new        (GListModel *source);
/* The source's item that SLOT (an item of a PostierSlotModel) shows now,
 * not referenced; NULL for anything else. */
gpointer          postier_slot_model_get_shown  (gpointer    slot);

G_END_DECLS
