/* postier-sent-store.h — the Maildir of sent copies
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

/* A copy's format (POSTIER_SENT_HEADER) and what the listing returns. */
#include "postier-sent-message.h"

G_BEGIN_DECLS

#define POSTIER_TYPE_SENT_STORE (postier_sent_store_get_type ())
G_DECLARE_FINAL_TYPE (PostierSentStore, postier_sent_store, POSTIER, SENT_STORE, GObject)

/* DIR NULL means $XDG_DATA_HOME/postier/sent; {tmp,new,cur} are created
 * (0700) on first use. */
PostierSentStore *postier_sent_store_new     (const char        *dir);
const char       *postier_sent_store_get_dir (PostierSentStore  *self);

/* Stores a copy of the message at MESSAGE_PATH in new/, LF line ends, with
 * "X-Postier-Sent: <RFC 5322 date>; account="<name>"[; possible-duplicate]"
 * on top, durably (written in tmp/, fsynced, renamed). Returns the file
 * name inside new/. Safe from any thread. */
char             *postier_sent_store_add     (PostierSentStore  *self,
                                              const char        *message_path,
                                              const char        *account_name,
                                              gint64             when,
                                              gboolean           possible_duplicate,
                                              GCancellable      *cancellable,
                                              GError           **error);

/* The newest LIMIT copies in new/ and cur/ (0: every one), newest first,
 * as PostierSentMessage. A missing folder is an empty list; a copy that
 * cannot be read is skipped and logged. Safe from any thread. */
GPtrArray        *postier_sent_store_list        (PostierSentStore     *self,
                                                  guint                 limit,
                                                  GCancellable         *cancellable,
                                                  GError              **error);
void              postier_sent_store_list_async  (PostierSentStore     *self,
                                                  guint                 limit,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
GPtrArray        *postier_sent_store_list_finish (PostierSentStore     *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);

/* Starts watching new/ and cur/ (creating them): ::changed is emitted on
 * the thread-default main context of the caller when copies arrive or go,
 * from this process or another. Idempotent. */
gboolean          postier_sent_store_watch       (PostierSentStore     *self,
                                                  GError              **error);

/* Signals:
 *   ::changed ()    a copy arrived in new/ or cur/, or left (after watch()).
 */

G_END_DECLS
