/* postier-sent-store-private.h — the submitter's batched side of Sent
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "postier-sent-store.h"

G_BEGIN_DECLS

/* Like postier_sent_store_add(), but neither the copy's bytes nor its
 * rename into new/ are flushed to disk: _postier_sent_store_sync_copies()
 * does that for a batch of them (a group commit), _postier_sent_store_sync()
 * for the folder. A flush settling many messages pays for one commit per
 * batch rather than one per message. */
char     *_postier_sent_store_add_unsynced (PostierSentStore  *self,
                                            const char        *message_path,
                                            const char        *account_name,
                                            gint64             when,
                                            gboolean           possible_duplicate,
                                            GError           **error);
/* Flushes the copies NAMES (as returned by _postier_sent_store_add_unsynced)
 * to disk, then the new/ folder. */
gboolean  _postier_sent_store_sync_copies  (PostierSentStore  *self,
                                            GPtrArray         *names,
                                            GError           **error);
gboolean  _postier_sent_store_sync         (PostierSentStore  *self,
                                            GError           **error);
/* Writes the copy NAME again from MESSAGE_PATH, durably, over whatever
 * is left of it (new/NAME, or cur/NAME[:flags] once read): for a sent
 * entry whose copy a power cut may have emptied (postier-sent-aside.c).
 * Never a second copy of the same message. */
gboolean  _postier_sent_store_restore      (PostierSentStore  *self,
                                            const char        *name,
                                            const char        *message_path,
                                            const char        *account_name,
                                            gint64             when,
                                            gboolean           possible_duplicate,
                                            GError           **error);

G_END_DECLS
