/* postier-tls.h — the TLS policy of a submission session (OpenSSL)
 *
 * A PostierTls holds one client-side SSL object configured the way Postier
 * requires: TLS 1.2 at least, SNI, the system trust store or the account's
 * own CA file, the host name (or IP address) checked by OpenSSL itself
 * (X509_VERIFY_PARAM_set1_host / _set1_ip_asc), and an optional pinned
 * SHA-256 fingerprint of the server certificate that replaces the chain
 * check, never TLS itself.
 *
 * The handshake is driven by the caller (PostierSmtpStream), which owns the
 * socket and the waiting; afterwards postier_tls_check_peer() says whether
 * the certificate is acceptable and why not, with the fingerprint, so the
 * person can decide what to do.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <openssl/ssl.h>

G_BEGIN_DECLS

typedef struct _PostierTls PostierTls;

/* HOST is what the person typed (name or address literal), checked against
 * the certificate. CA_FILE replaces the system store when not NULL.
 * PINNED_SHA256 is 64 hex digits (any case, colons allowed) or NULL.
 * FD is the connected socket the SSL object will use; it is not closed. */
PostierTls  *postier_tls_new                  (const char   *host,
                                               const char   *ca_file,
                                               const char   *pinned_sha256,
                                               int           fd,
                                               GError      **error);
void         postier_tls_free                 (PostierTls   *self);
SSL         *postier_tls_get_ssl              (PostierTls   *self);

/* After a successful handshake: TRUE if the certificate is acceptable,
 * else POSTIER_SMTP_ERROR_TLS_CERTIFICATE naming the reason (untrusted
 * issuer, wrong name, expired, not yet valid, fingerprint mismatch) and
 * showing the fingerprint. Fills the summaries below either way. */
gboolean     postier_tls_check_peer           (PostierTls   *self,
                                               GError      **error);

/* Turns a failed SSL_connect into a GError in POSTIER_SMTP_ERROR_TLS (or
 * _TLS_CERTIFICATE when the verification itself failed), with OpenSSL's
 * reason. SSL_ERROR is what SSL_get_error() returned. */
void         postier_tls_set_handshake_error  (PostierTls   *self,
                                               int           ssl_error,
                                               GError      **error);

/* "TLSv1.3, TLS_AES_256_GCM_SHA384". */
const char  *postier_tls_get_summary          (PostierTls   *self);
/* Subject, issuer, validity and SHA-256 fingerprint, one per line. */
const char  *postier_tls_get_certificate_summary (PostierTls *self);
/* "AB:CD:…", 32 bytes. */
const char  *postier_tls_get_sha256           (PostierTls   *self);

/* Channel binding for SCRAM-*-PLUS: "tls-exporter" (TLS 1.3, RFC 9266) or
 * "tls-unique" (TLS 1.2, RFC 5929). Returns NULL when none is available;
 * *DATA is transfer full. */
const char  *postier_tls_get_channel_binding  (PostierTls   *self,
                                               GBytes      **data);

/* Lower-case hex without separators, from any accepted spelling; NULL if
 * FINGERPRINT is not 32 bytes of hex. For tests and settings. */
char        *postier_tls_normalize_fingerprint (const char  *fingerprint);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PostierTls, postier_tls_free)

G_END_DECLS
