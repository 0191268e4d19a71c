/* postier-recipient-cache.h — recipient-domain verdicts shared between
 * processes
 *
 * A script that runs `postierctl send` a thousand times to the same
 * domains must ask the DNS once, not a thousand times: each process reads
 * the verdicts the others learnt from $XDG_CACHE_HOME/postier/
 * recipient-domains, kept for the DNS answer's TTL (wall-clock expiry, as
 * the processes do not share a monotonic clock).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* DOMAIN's verdict as the stable word stored in the file ("ok",
 * "no-domain", "no-mail-server", "null-mx"), or NULL when unknown or
 * expired. */
char *postier_recipient_cache_lookup (const char  *domain);
/* Adds or replaces DOMAIN's verdict for TTL seconds; best effort (a cache
 * that cannot be written only means asking again). */
void  postier_recipient_cache_store  (const char  *domain,
                                      const char  *status_word,
                                      guint        ttl);

G_END_DECLS
