/* postier-outbox-goa.h — mail waiting for a GNOME Online Accounts account
 * that comes back (issue 14)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "postier-goa-accounts.h"
#include "postier-outbox.h"

G_BEGIN_DECLS

/* Whether ENTRY waits as needs-attention for its "goa:ID" account to come
 * back: the account was gone or had mail turned off (failure
 * "configuration"), or GOA refused its credentials ("auth"). Entries
 * refused for any other reason (a recipient, the message, a certificate)
 * are not. */
gboolean postier_outbox_entry_awaits_online_account (PostierOutboxEntry *entry);

/* Makes due again the entries of ACCOUNT_NAME ("goa:ID"), listed by GOA
 * now, that waited for what that fixes: "configuration" (gone, mail
 * turned off) always; "auth" when GOA no longer says the account needs
 * attention (ATTENTION_NEEDED FALSE). Returns how many. Reads every entry:
 * blocking, see the _async form for a main thread. */
guint    postier_outbox_retry_online_account        (PostierOutbox      *outbox,
                                                     const char         *account_name,
                                                     gboolean            attention_needed);
/* The same in a worker thread. */
void     postier_outbox_retry_online_account_async  (PostierOutbox      *outbox,
                                                     const char         *account_name,
                                                     gboolean            attention_needed,
                                                     GCancellable       *cancellable,
                                                     GAsyncReadyCallback callback,
                                                     gpointer            user_data);
guint    postier_outbox_retry_online_account_finish (PostierOutbox      *outbox,
                                                     GAsyncResult       *result,
                                                     GError            **error);

G_END_DECLS
