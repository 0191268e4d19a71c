/* postier-sandbox-tls.h — the Sandbox receiver's certificate and TLS context
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <openssl/ssl.h>

G_BEGIN_DECLS

#define POSTIER_SANDBOX_CERT_FILE "cert.pem"
#define POSTIER_SANDBOX_KEY_FILE  "key.pem"

/* Loads the certificate and key in DIR, making them first (an EC P-256 key
 * and a self-signed certificate for localhost and 127.0.0.1, both files
 * 0600, DIR 0700) when missing, unreadable, mismatched or near expiry.
 * Safe against another process doing the same at once. Returns a server
 * SSL_CTX (TLS 1.2 at least) and the certificate's SHA-256 fingerprint as
 * "AB:CD:…". */
SSL_CTX *postier_sandbox_tls_context_new (const char  *dir,
                                          char       **sha256,
                                          GError     **error);

G_END_DECLS
