/* postier-server-finder.h — the submission server for an address
 *
 * In order: Postier's provider presets (no network), the domain's Mozilla
 * autoconfig file over HTTPS, its SRV records (RFC 6186), and a preset
 * recognised by its MX host (Google Workspace, Microsoft 365). The network
 * ones run side by side. Only a preset for the domain itself, or a server
 * inside the mail domain, comes back with MAY_FILL set; anything else is a
 * suggestion the person must accept.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "postier-server-suggestion.h"

G_BEGIN_DECLS

/* RESOLVER NULL: the default one. TIMEOUT_MS 0: the autoconfig default.
 * Fails with POSTIER_ACCOUNT_ERROR_NOT_FOUND (its message names a telling
 * autoconfig failure, such as a certificate refused), _INVALID when ADDRESS
 * has no domain, G_IO_ERROR_CANCELLED. */
void                     postier_server_find_async  (GResolver            *resolver,
                                                     const char           *address,
                                                     guint                 timeout_ms,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
PostierServerSuggestion *postier_server_find_finish (GAsyncResult         *result,
                                                     GError              **error);

/* The same, waiting on a private main context: for postierctl. */
PostierServerSuggestion *postier_server_find_sync   (const char           *address,
                                                     GCancellable         *cancellable,
                                                     GError              **error);

G_END_DECLS
