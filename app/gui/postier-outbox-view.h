/* postier-outbox-view.h — every message waiting to go out, and what
 * happened to it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "postier-account-store.h"
#include "postier-outbox.h"
#include "postier-submitter.h"

G_BEGIN_DECLS

#define POSTIER_TYPE_OUTBOX_VIEW (postier_outbox_view_get_type ())
G_DECLARE_FINAL_TYPE (PostierOutboxView, postier_outbox_view, POSTIER, OUTBOX_VIEW, AdwBin)

/* Watches OUTBOX's folder (other processes such as postierctl change it
 * too) and shows every entry with its state and actions. */
PostierOutboxView *postier_outbox_view_new           (PostierOutbox     *outbox);
/* The app's submitter: its signals update states and progress at once,
 * its online state drives the offline banner, and "Retry now" kicks it. */
void               postier_outbox_view_set_submitter (PostierOutboxView *self,
                                                      PostierSubmitter  *submitter);
/* Re-reads the folder now (the view also does so by itself). */
void               postier_outbox_view_reload        (PostierOutboxView *self);
/* The entries shown (PostierOutboxEntry), oldest first. */
GListModel        *postier_outbox_view_get_model     (PostierOutboxView *self);
/* The row made for the entry with ID (any row when ID is NULL), or NULL
 * when the list view has made none: it makes rows only for the entries
 * in sight. */
GtkWidget         *postier_outbox_view_find_row      (PostierOutboxView *self,
                                                      const char        *id);
/* How many messages wait to go out (queued, sending or deferred). */
guint              postier_outbox_view_get_n_pending (PostierOutboxView *self);

/* Signals:
 *   ::edit-draft (GObject *draft, const char *draft_path)   "Edit" turned
 *       an entry back into a PostierDraft, saved first at DRAFT_PATH
 *       ($XDG_DATA_HOME/postier/drafts/outbox-<id>.draft, by
 *       postier_draft_store_take_back()) with its attachments beside it;
 *       then the entry left the outbox. The window opens it in the composer.
 */

G_END_DECLS
