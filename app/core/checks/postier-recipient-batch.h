/* postier-recipient-batch.h — every recipient domain of one message,
 * checked at once, within a time budget
 *
 * For the command line: `postierctl send` warns about a recipient domain
 * that cannot take mail, but must never wait on a DNS that does not
 * answer. Each distinct domain is asked in its own thread as soon as the
 * message is queued; whatever has not answered by the deadline is left
 * unsaid (and its thread abandoned: the process is about to exit).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _PostierRecipientBatch PostierRecipientBatch;

/* Starts checking the domain of each of ADDRESSES (bare addresses, as in
 * an envelope; single-label domains and literals are not checked).
 * KNOWN_DOMAINS (may be NULL) are for the suggestions. Never blocks. */
PostierRecipientBatch *postier_recipient_batch_start  (const char * const    *addresses,
                                                       const char * const    *known_domains);

/* Waits until every check has finished or DEADLINE (g_get_monotonic_time()
 * clock) has passed, whichever comes first, and returns the warnings of the
 * checks that finished (translated sentences, one per domain, in the order
 * the domains first appear), possibly none. Frees BATCH. */
GStrv                  postier_recipient_batch_finish (PostierRecipientBatch *batch,
                                                       gint64                 deadline);

G_END_DECLS
