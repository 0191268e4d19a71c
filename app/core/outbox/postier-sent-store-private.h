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
 * batch rather than one per message. SPARE, if not NULL, is a file of the
 * caller's in tmp/ (see _postier_sent_store_spare_path()) that the copy is
 * written over instead of a new one; it is used up either way. */
char     *_postier_sent_store_add_unsynced (PostierSentStore  *self,
                                            const char        *message_path,
                                            const char        *account_name,
                                            gint64             when,
                                            gboolean           possible_duplicate,
                                            const char        *spare,
                                            GError           **error);
/* Where a flush keeps a spare file in tmp/: a name no copy has (copies'
 * names start with a digit), unique to this process and SERIAL. */
char     *_postier_sent_store_spare_path    (PostierSentStore  *self,
                                            guint              serial);
/* Removes the spares (tmp/spare-*) a killed flush left: at recovery, under
 * the flush lock. */
void      _postier_sent_store_remove_spares (PostierSentStore  *self);
/* Flushes the copies NAMES (as returned by _postier_sent_store_add_unsynced,
 * about BYTES in all) to disk, then the new/ folder. */
gboolean  _postier_sent_store_sync_copies  (PostierSentStore  *self,
                                            GPtrArray         *names,
                                            guint64            bytes,
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
