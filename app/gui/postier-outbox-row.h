/* postier-outbox-row.h — one message of the outbox view
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "postier-outbox-entry.h"

G_BEGIN_DECLS

#define POSTIER_TYPE_OUTBOX_ROW (postier_outbox_row_get_type ())
G_DECLARE_FINAL_TYPE (PostierOutboxRow, postier_outbox_row, POSTIER, OUTBOX_ROW, AdwExpanderRow)

/* Shows ENTRY as it is now (see set_entry() for a changed entry). ONLINE and
 * PERMILLE (how much is sent, 0–1000, or -1 when unknown) shape the status
 * line; the buttons' actions are the view's outbox.{retry,edit,delete,
 * transcript}, with the entry's id as target. The row's widget name is the
 * id, and so is its "postier-entry-id" data, which the UI tests read. */
GtkWidget  *postier_outbox_row_new          (PostierOutboxEntry *entry,
                                             gboolean            online,
                                             int                 permille);
/* Shows ENTRY instead, collapsed: a row is recycled for another entry
 * (or a new snapshot of its own) rather than made again, which costs a
 * template and its widgets. The details under the expander are made on
 * the first expand. */
void        postier_outbox_row_set_entry    (PostierOutboxRow   *self,
                                             PostierOutboxEntry *entry,
                                             gboolean            online,
                                             int                 permille);
const char *postier_outbox_row_get_id       (PostierOutboxRow   *self);
/* Whether two snapshots of one entry would show the same row. */
gboolean    postier_outbox_row_entries_look_alike (PostierOutboxEntry *a,
                                                   PostierOutboxEntry *b);
/* While sending: moves the bar and the status line to PERMILLE. Returns
 * FALSE when the row has no bar (it was not sending when made). */
gboolean    postier_outbox_row_set_progress (PostierOutboxRow   *self,
                                             guint               permille);

G_END_DECLS
