/* postier-autoconfig.h — what to propose when a person sets up an account
 *
 * The submission server of a mail domain, from its DNS SRV records
 * (RFC 6186 `_submission._tcp`, RFC 8314 `_submissions._tcp`), and the
 * usual pairing of port and security. Nothing here is trusted blindly: DNS
 * answers are not authenticated, so the result says whether the server lies
 * inside the person's own domain and the set-up page shows it before use.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "postier-account.h"

G_BEGIN_DECLS

/* The domain part of an address or of "Name <address>", lower-cased;
 * NULL when there is none. */
char     *postier_autoconfig_domain_of_address (const char       *address);

/* The identity "Display Name <address>" as the account keeps it, quoted
 * as RFC 5322 wants when the name has special characters; just the
 * address when DISPLAY_NAME is empty. */
char     *postier_autoconfig_format_identity   (const char       *display_name,
                                                const char       *address);

/* 465 → tls, 587 → starttls; FALSE for any other port. */
gboolean  postier_autoconfig_security_for_port (guint             port,
                                                PostierSecurity  *security);

/* TRUE when HOST is DOMAIN or a name below it ("smtp.example.org" in
 * "example.org"), compared without case and without a trailing dot. */
gboolean  postier_autoconfig_host_in_domain    (const char       *host,
                                                const char       *domain);

/* RFC 6186 §6: DNS answers are not authenticated, so an SRV target may
 * be filled in by itself only when it lies in the mail domain (DOMAIN or a
 * name below it) and is a plain host name; any other target is shown as a
 * suggestion the person must accept before it is tested or saved with a
 * password. */
gboolean  postier_autoconfig_may_fill_host     (const char       *host,
                                                const char       *domain);

/* Picks the server to propose from the SRV answers of both services
 * (GSrvTarget lists, either may be NULL, each already in GResolver's order
 * of preference). The lowest priority wins across both services; on a tie
 * implicit TLS (submissions) wins, as RFC 8314 prefers. Targets "." and
 * port 0 mean "not offered" and are skipped. FALSE when nothing usable. */
gboolean  postier_autoconfig_choose            (GList            *submissions,
                                                GList            *submission,
                                                char            **host,
                                                guint            *port,
                                                PostierSecurity  *security);

/* Looks up both SRV names of DOMAIN in parallel with RESOLVER (NULL: the
 * default one). Fails with POSTIER_ACCOUNT_ERROR_NOT_FOUND when the domain
 * publishes no usable submission server, G_IO_ERROR_CANCELLED on cancel. */
void      postier_autoconfig_lookup_async      (GResolver            *resolver,
                                                const char           *domain,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
gboolean  postier_autoconfig_lookup_finish     (GAsyncResult         *result,
                                                char                **host,
                                                guint                *port,
                                                PostierSecurity      *security,
                                                GError              **error);

G_END_DECLS
