/* postier-smtp-stream.h — the byte pipe under an SMTP session
 *
 * A connected socket (plain, or TLS once postier_smtp_stream_start_tls()
 * succeeded), a write buffer that turns a group of commands into one
 * write, and a read buffer the reply parser works on. Every wait is a
 * poll() on the socket and on the GCancellable's fd with the timeout, so a
 * stalled server never holds a thread longer than the timeout and a cancel
 * is honoured at once. Used from one thread at a time.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "postier-smtp-reply.h"
#include "postier-tls.h"

G_BEGIN_DECLS

typedef struct _PostierSmtpStream PostierSmtpStream;

/* Resolves HOST and tries every address in turn (IPv6 and IPv4), each with
 * TIMEOUT_SECONDS. Fails with POSTIER_SMTP_ERROR_NETWORK or
 * G_IO_ERROR_CANCELLED. With LOOPBACK_ONLY (security "none") the name is resolved once
 * and refused with POSTIER_SMTP_ERROR_TLS, before any connection, unless
 * every address it resolves to is on this machine (postier_inet_address_is_loopback). */
PostierSmtpStream *postier_smtp_stream_connect_full   (const char         *host,
                                                       guint               port,
                                                       guint               timeout_seconds,
                                                       gboolean            loopback_only,
                                                       GCancellable       *cancellable,
                                                       GError            **error);
void               postier_smtp_stream_free           (PostierSmtpStream  *self);

/* The cancellable every following wait honours, until replaced (NULL for
 * none). Holding it across calls keeps its fd open once per operation. */
void               postier_smtp_stream_set_cancellable (PostierSmtpStream *self,
                                                        GCancellable      *cancellable);
void               postier_smtp_stream_set_timeout    (PostierSmtpStream  *self,
                                                       guint               seconds);

/* Address literal of our end, for EHLO: "[127.0.0.1]", "[IPv6:::1]". */
char              *postier_smtp_stream_get_local_literal (PostierSmtpStream *self);

/* Handshake, then certificate and name check (see PostierTls). Any bytes
 * still unread from the plain connection must have been discarded first. */
gboolean           postier_smtp_stream_start_tls      (PostierSmtpStream  *self,
                                                       const char         *host,
                                                       const char         *ca_file,
                                                       const char         *pinned_sha256,
                                                       GError            **error);
/* NULL until TLS was attempted; kept after a failed check for its summary. */
PostierTls        *postier_smtp_stream_get_tls        (PostierSmtpStream  *self);
gboolean           postier_smtp_stream_is_secure      (PostierSmtpStream  *self);

/* Appends to the write buffer; nothing is sent until flush. */
void               postier_smtp_stream_queue          (PostierSmtpStream  *self,
                                                       const char         *data,
                                                       gsize               length);
/* The same for a password, a token or a line carrying one: the write
 * buffer is wiped once flushed (or when the stream is freed), so the
 * secret does not linger in it until later commands overwrite it. */
void               postier_smtp_stream_queue_secret   (PostierSmtpStream  *self,
                                                       const char         *data,
                                                       gsize               length);
gsize              postier_smtp_stream_get_queued     (PostierSmtpStream  *self);
gboolean           postier_smtp_stream_flush          (PostierSmtpStream  *self,
                                                       GError            **error);

/* Waits for one complete reply. */
PostierSmtpReply  *postier_smtp_stream_read_reply     (PostierSmtpStream  *self,
                                                       GError            **error);
/* Throws away what was received and not yet parsed; returns how much. */
gsize              postier_smtp_stream_discard_input  (PostierSmtpStream  *self);

/* Best effort, never waits: TLS close_notify, then the socket is closed. */
void               postier_smtp_stream_shutdown       (PostierSmtpStream  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PostierSmtpStream, postier_smtp_stream_free)

G_END_DECLS
