/* postier-sent-store-private.h — the submitter's batched side of Sent
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "postier-sent-store.h"

G_BEGIN_DECLS

/* Like postier_sent_store_add(), but the copy's rename into new/ is only
 * durable after _postier_sent_store_sync(): a flush settling many messages
 * pays for one folder sync per batch rather than one per message. */
char     *_postier_sent_store_add_unsynced (PostierSentStore  *self,
                                            const char        *message_path,
                                            const char        *account_name,
                                            gint64             when,
                                            gboolean           possible_duplicate,
                                            GError           **error);
gboolean  _postier_sent_store_sync         (PostierSentStore  *self,
                                            GError           **error);

G_END_DECLS
