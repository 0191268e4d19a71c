/* postier-autoconfig-http.h — Mozilla autoconfig (config-v1.1.xml) over HTTPS
 *
 * Thunderbird's and Geary's way of finding a domain's servers:
 * https://autoconfig.DOMAIN/mail/config-v1.1.xml?emailaddress=ADDRESS, then
 * https://DOMAIN/.well-known/autoconfig/mail/config-v1.1.xml. HTTPS only,
 * the certificate checked against the system trust store, a redirect only
 * to another https: URL, a time limit over the whole search and a size
 * limit on the file. Only the outgoingServer type="smtp" entries are read.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "postier-server-suggestion.h"

G_BEGIN_DECLS

#define POSTIER_AUTOCONFIG_HTTP_TIMEOUT_MS 10000
#define POSTIER_AUTOCONFIG_HTTP_MAX_BYTES  (256 * 1024)

/* The outgoing SMTP servers of a config-v1.1.xml document, in its order of
 * preference, with %EMAILADDRESS%, %EMAILLOCALPART% and %EMAILDOMAIN%
 * filled from ADDRESS. Entries with a socket type other than SSL or
 * STARTTLS, an authentication Postier cannot do, or a host name that is not
 * a plain one are left out. SOURCE and MAY_FILL are left for the caller.
 * Fails (POSTIER_ACCOUNT_ERROR_INVALID) on bad XML or when nothing usable
 * is left. Transfer full: an array of PostierServerSuggestion. */
GPtrArray *postier_autoconfig_parse_xml    (const char           *xml,
                                            gssize                length,
                                            const char           *address,
                                            GError              **error);

/* The URLs tried for ADDRESS, in order. */
GStrv      postier_autoconfig_urls         (const char           *address);

/* Fetches and parses, trying each URL in turn. TIMEOUT_MS 0 means
 * POSTIER_AUTOCONFIG_HTTP_TIMEOUT_MS, for the whole search. The error is
 * the most telling one met: G_TLS_ERROR_BAD_CERTIFICATE for a certificate
 * not trusted or for another name, POSTIER_ACCOUNT_ERROR_INVALID for a
 * redirect away from https:, a file too big or bad XML, G_IO_ERROR_TIMED_OUT
 * for the time limit, POSTIER_ACCOUNT_ERROR_NOT_FOUND when no server had a
 * file, G_IO_ERROR_CANCELLED when cancelled. The suggestions' SOURCE is
 * AUTOCONFIG, FOUND_AT the URL, MAY_FILL whether the host is in the domain. */
void       postier_autoconfig_fetch_async  (const char           *address,
                                            guint                 timeout_ms,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
GPtrArray *postier_autoconfig_fetch_finish (GAsyncResult         *result,
                                            GError              **error);

G_END_DECLS
