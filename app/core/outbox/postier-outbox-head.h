/* postier-outbox-head.h — the first entries of a large outbox, read first
 *
 * A view of 10 000 entries need not wait for 10 000 entry.ini files to
 * show its first rows: this lists the folder's names (cheap), and reads
 * only the first N entries in postier_outbox_list()'s order (by id, which
 * is the order they were queued in). The full listing follows and
 * replaces it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "postier-outbox.h"

G_BEGIN_DECLS

/* In a worker thread. Entries that cannot be read are left out (the full
 * listing reports them). */
void       postier_outbox_list_head_async  (PostierOutbox        *self,
                                            guint                 n,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
/* The entries (PostierOutboxEntry), at most N, oldest first. */
GPtrArray *postier_outbox_list_head_finish (PostierOutbox        *self,
                                            GAsyncResult         *result,
                                            GError              **error);

G_END_DECLS
