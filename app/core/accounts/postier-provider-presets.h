/* postier-provider-presets.h — the submission servers of big mail providers
 *
 * Built into Postier, so they need no network answer to be believed: an
 * address at gmail.com gets smtp.gmail.com with OAuth 2.0 at once. A
 * domain hosted by Google Workspace or Microsoft 365 is recognised by its
 * MX host, an unauthenticated DNS answer: that preset is only a suggestion.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "postier-server-suggestion.h"

G_BEGIN_DECLS

/* The preset for the mail DOMAIN (lower case), with the login filled from
 * ADDRESS; NULL when Postier knows no such provider. MAY_FILL is TRUE. */
PostierServerSuggestion *postier_provider_preset_for_domain (const char *domain,
                                                             const char *address);

/* The preset of the provider whose mail exchanger is MX_HOST
 * ("aspmx.l.google.com", "example-org.mail.protection.outlook.com");
 * NULL when none. MAY_FILL is FALSE: DNS answers are not authenticated. */
PostierServerSuggestion *postier_provider_preset_for_mx     (const char *mx_host,
                                                             const char *address);

G_END_DECLS
