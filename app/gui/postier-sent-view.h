/* postier-sent-view.h — the last messages the relays accepted
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "postier-sent-store.h"

G_BEGIN_DECLS

#define POSTIER_TYPE_SENT_VIEW (postier_sent_view_get_type ())
G_DECLARE_FINAL_TYPE (PostierSentView, postier_sent_view, POSTIER, SENT_VIEW, AdwBin)

/* How many of the newest sent copies are listed. */
#define POSTIER_SENT_VIEW_LIMIT 200

/* Watches the Sent Maildir and lists the newest copies, newest first. */
PostierSentView *postier_sent_view_new       (PostierSentStore *store);
void             postier_sent_view_reload    (PostierSentView  *self);
/* The messages shown (PostierSentMessage). */
GListModel      *postier_sent_view_get_model (PostierSentView  *self);

G_END_DECLS
