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
 * refused for any other reason (a recipient, the message) are not. */
gboolean postier_outbox_entry_awaits_online_account (PostierOutboxEntry *entry);

/* Makes due again the entries of ACCOUNT_NAME ("goa:ID") that waited for
 * what WHY fixes: listed again (LISTED, APPEARED) fixes "gone" and "mail
 * turned off"; SIGNED_IN fixes refused credentials. Returns how many. */
guint    postier_outbox_retry_online_account        (PostierOutbox      *outbox,
                                                     const char         *account_name,
                                                     PostierGoaBack      why);

G_END_DECLS
