/* postier-outbox-relay-holds.h — the relay limiter's answer for each due
 * entry of a listing, found in the listing's own thread (issue 12)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Notes on each entry of ENTRIES (PostierOutboxEntry) that is queued or
 * deferred and due at NOW (Unix seconds) the sentence of its account's
 * hold, if the relay limiter holds that account (one question per
 * account). Reads accounts.ini and the limiter's files, and may wait on
 * their lock: never on a thread that draws. A held entry is replaced in
 * ENTRIES by a fresh snapshot (the others may be shared with a view), so
 * ENTRIES must own its entries (g_object_unref as its free function). */
void _postier_outbox_note_relay_holds (GPtrArray *entries,
                                       gint64     now);

G_END_DECLS
