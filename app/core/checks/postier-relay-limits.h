/* postier-relay-limits.h — what each relay announced, remembered
 *
 * The SMTP path writes it (the submitter and `postierctl account test`
 * see SIZE at EHLO); the check list, the composer and the sendmail reader
 * read it later, maybe in another process. A module of its own so the
 * writers need not include the check list, and the next relay limits
 * (rates, recipients) have a room.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The SIZE limit a relay announced, per account name. Kept in
 * $XDG_CACHE_HOME/postier/relay-limits.ini. 0 unknown. Thread-safe. */
void    postier_relay_size_limit_remember (const char  *account_name,
                                           guint64      size_limit);
guint64 postier_relay_size_limit_lookup   (const char  *account_name);

G_END_DECLS
