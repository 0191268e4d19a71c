/* postier-smtp-client.h — one SMTP submission session with a smart host
 *
 * A blocking client meant for a worker thread (PostierSubmitter runs it on
 * one; postierctl calls it directly). Every call that waits honours the
 * GCancellable promptly, including a read stalled on a silent server, and
 * the connect/read/write timeout.
 *
 * A session: postier_smtp_client_open() (connect → implicit TLS or EHLO +
 * STARTTLS → certificate and host name check → EHLO → AUTH), then any
 * number of postier_smtp_client_send() (RSET between them is the client's
 * business), then postier_smtp_client_close() (QUIT).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "postier-account.h"
#include "postier-envelope.h"
#include "postier-smtp-reply.h"

G_BEGIN_DECLS

/* What one recipient's RCPT TO got. ACCEPTED is TRUE only when the server
 * took the message for this recipient: 2xx to its RCPT TO and to the end
 * of data. When send() fails, every ACCEPTED is FALSE (CODE and REPLY still
 * say what RCPT TO got), so a retry goes to everyone who has not got it. */
typedef struct {
  char     *address;
  gboolean  accepted;
  guint     code;       /* 250, 450, 550, …; 0 if never asked */
  char     *reply;      /* "550 5.1.1 <x@y>: Recipient address rejected…" */
} PostierSmtpRecipientResult;

#define POSTIER_TYPE_SMTP_CLIENT (postier_smtp_client_get_type ())
G_DECLARE_FINAL_TYPE (PostierSmtpClient, postier_smtp_client, POSTIER, SMTP_CLIENT, GObject)

/* Called from the client's thread while the message data is written. */
typedef void (*PostierSmtpProgressFunc) (guint64  bytes_sent,
                                         guint64  bytes_total,
                                         gpointer user_data);

/* The account is copied: later changes to it do not affect this session. */
PostierSmtpClient *postier_smtp_client_new               (PostierAccount     *account);

/* Overrides the account's host and port (the Sandbox's receiver listens on
 * a port chosen at run time). */
void               postier_smtp_client_set_endpoint      (PostierSmtpClient  *self,
                                                          const char         *host,
                                                          guint               port);
/* The password, or the OAuth 2 token for xoauth2. Not needed when the
 * account's auth is "none". Kept in memory only, wiped on finalize. */
void               postier_smtp_client_set_password      (PostierSmtpClient  *self,
                                                          const char         *password);
/* For OAuth 2 accounts: called on the client's thread when the server
 * refuses the access token as invalid or expired (the 334 JSON of XOAUTH2
 * or OAUTHBEARER says "401" or "invalid_token"). It returns a fresh token
 * (the old one is forgotten), and AUTH is tried once more on the same
 * connection; NULL with ERROR ends the login with that error instead. */
typedef char *(*PostierSmtpTokenFunc) (gpointer   user_data,
                                       GError   **error);
void               postier_smtp_client_set_token_func    (PostierSmtpClient  *self,
                                                          PostierSmtpTokenFunc func,
                                                          gpointer            user_data,
                                                          GDestroyNotify      destroy);
/* Seconds for connect and for each read or write (default 60). */
void               postier_smtp_client_set_timeout       (PostierSmtpClient  *self,
                                                          guint               seconds);
void               postier_smtp_client_set_progress_func (PostierSmtpClient  *self,
                                                          PostierSmtpProgressFunc func,
                                                          gpointer            user_data);

/* Connects, secures, authenticates. On failure the error is in
 * POSTIER_SMTP_ERROR (or G_IO_ERROR_CANCELLED) and the session is closed:
 *   - _NETWORK: resolve, connect, timeout, connection lost;
 *   - _TLS_CERTIFICATE: untrusted issuer, wrong name, expired, pin
 *     mismatch (the message names the reason and the fingerprint; the
 *     certificate getters below are filled);
 *   - _TLS: handshake failed, or STARTTLS not offered (never a downgrade);
 *   - _AUTH: credentials refused (5xx to AUTH), no usable mechanism, no
 *     password, or a login that would go over an unencrypted connection;
 *   - _TEMPORARY / _PERMANENT: 4xx / 5xx to the greeting, EHLO, STARTTLS
 *     (4xx) or AUTH (4xx);
 *   - _PROTOCOL: a reply that is not SMTP (garbage, overlong lines). */
gboolean           postier_smtp_client_open              (PostierSmtpClient  *self,
                                                          GCancellable       *cancellable,
                                                          GError            **error);

/* Sends the message in MESSAGE_PATH (exact bytes to submit, CRLF line
 * ends; dot-stuffing is done here, streaming, never loading it whole) to
 * every recipient of ENVELOPE.
 *
 * RESULTS receives one PostierSmtpRecipientResult per envelope recipient,
 * in order, even on failure (those never asked have code 0), so the caller
 * knows who accepted. Returns TRUE when the server answered 2xx to the end
 * of data for the accepted recipients (some may still have been refused:
 * see RESULTS). Returns FALSE with:
 *   - POSTIER_SMTP_ERROR_PERMANENT when MAIL FROM, DATA or the end of data
 *     got a 5xx, or every recipient was refused with a 5xx;
 *   - POSTIER_SMTP_ERROR_TEMPORARY for the same with a 4xx (or a mix of 4xx
 *     and 5xx refusals with nobody accepted);
 *   - POSTIER_SMTP_ERROR_TOO_BIG when the message is over the server's SIZE
 *     (nothing is sent; the message names both sizes);
 *   - POSTIER_SMTP_ERROR_NETWORK / _PROTOCOL when the dialogue broke;
 *   - POSTIER_SMTP_ERROR_FAILED when MESSAGE_PATH cannot be read.
 * After a 4xx/5xx (or _TOO_BIG) the session stays usable for the next
 * message; after a network or protocol error, a cancel, or a read error in
 * the middle of the data it is closed. */
gboolean           postier_smtp_client_send              (PostierSmtpClient  *self,
                                                          PostierEnvelope    *envelope,
                                                          const char         *message_path,
                                                          GArray            **results,
                                                          GCancellable       *cancellable,
                                                          GError            **error);

/* Sends QUIT (best effort) and closes the connection. Safe to call twice. */
void               postier_smtp_client_close             (PostierSmtpClient  *self,
                                                          GCancellable       *cancellable);
gboolean           postier_smtp_client_is_open           (PostierSmtpClient  *self);

/* After open(). */
PostierSmtpCapabilities postier_smtp_client_get_capabilities (PostierSmtpClient *self);
/* The EHLO keyword lines ("PIPELINING", "SIZE 52428800", …). */
const char * const *postier_smtp_client_get_capability_lines (PostierSmtpClient *self);
/* The server's SIZE limit in octets, 0 when it announced none. */
guint64            postier_smtp_client_get_size_limit    (PostierSmtpClient  *self);
/* The SASL mechanism used ("SCRAM-SHA-256"), NULL when none was. */
const char        *postier_smtp_client_get_auth_mechanism (PostierSmtpClient *self);
/* TLS version and cipher ("TLSv1.3, TLS_AES_256_GCM_SHA384"), NULL if plain. */
const char        *postier_smtp_client_get_tls_summary   (PostierSmtpClient  *self);
/* A few lines on the server certificate: subject, issuer, validity, SHA-256
 * fingerprint. NULL if plain. Also filled when the check failed, so the
 * person can compare the fingerprint. */
const char        *postier_smtp_client_get_certificate_summary (PostierSmtpClient *self);
/* "AB:CD:…" SHA-256 of the server certificate (DER), NULL if plain. */
const char        *postier_smtp_client_get_certificate_sha256  (PostierSmtpClient *self);

/* The dialogue since the last call: "C: …" and "S: …" lines, AUTH payloads
 * and passwords replaced by "[redacted]", message data summarised as one
 * line. Transfer full. */
char              *postier_smtp_client_take_transcript   (PostierSmtpClient  *self);

void               postier_smtp_recipient_result_clear   (PostierSmtpRecipientResult *result);

G_END_DECLS
