/* postier-outbox-holds.h — why a due message still waits: its account's
 * relay limit (issue 13), as the outbox rows say it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "postier-outbox-entry.h"

G_BEGIN_DECLS

/* The relay limiter's sentence for ENTRY ("held by the relay’s limit of 30
 * messages a minute — next at 10:42") when its account may not send it
 * now, else NULL. Only for entries that are due; the answer per account
 * is kept a few seconds, since rows are made as the list scrolls. Main
 * thread only. */
char *postier_outbox_hold_text (PostierOutboxEntry *entry);

G_END_DECLS
