/* postier-sandbox-message.h — one message the Sandbox captured
 *
 * A snapshot of what the list shows: the summary headers, the envelope the
 * receiver saw and the size. Immutable once made; safe to pass between
 * threads. The bytes stay on disk: load them with
 * postier_sandbox_message_load_bytes() or postier_sandbox_message_parse().
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define POSTIER_TYPE_SANDBOX_MESSAGE (postier_sandbox_message_get_type ())
G_DECLARE_FINAL_TYPE (PostierSandboxMessage, postier_sandbox_message, POSTIER, SANDBOX_MESSAGE, GObject)

/* The Maildir unique name (without any ":2," flags): stable, and what
 * `postierctl sandbox show ID` takes. */
const char         *postier_sandbox_message_get_id          (PostierSandboxMessage *self);
/* The file inside new/ or cur/. */
const char         *postier_sandbox_message_get_path        (PostierSandboxMessage *self);
/* When the receiver stored it. */
GDateTime          *postier_sandbox_message_get_received    (PostierSandboxMessage *self);
/* The Date header, NULL when missing or unparsable. */
GDateTime          *postier_sandbox_message_get_date        (PostierSandboxMessage *self);
/* The From and Subject headers, decoded to UTF-8 ("" when missing). */
const char         *postier_sandbox_message_get_from        (PostierSandboxMessage *self);
const char         *postier_sandbox_message_get_subject     (PostierSandboxMessage *self);
const char         *postier_sandbox_message_get_message_id  (PostierSandboxMessage *self);
/* Octets as received (CRLF line ends, dot-stuffing undone). */
guint64             postier_sandbox_message_get_size        (PostierSandboxMessage *self);

/* The envelope: MAIL FROM ("" for the null sender) and every accepted
 * RCPT TO, in order. NULL sender when the envelope file is missing. */
const char         *postier_sandbox_message_get_sender      (PostierSandboxMessage *self);
const char * const *postier_sandbox_message_get_recipients  (PostierSandboxMessage *self);
/* What else the receiver saw: the EHLO name, the AUTH login, the TLS
 * version and cipher, the MAIL FROM parameters ("SIZE=123 BODY=8BITMIME").
 * NULL when unknown. */
const char         *postier_sandbox_message_get_helo        (PostierSandboxMessage *self);
const char         *postier_sandbox_message_get_login       (PostierSandboxMessage *self);
const char         *postier_sandbox_message_get_tls         (PostierSandboxMessage *self);
const char         *postier_sandbox_message_get_mail_parameters (PostierSandboxMessage *self);
/* MAIL FROM carried SMTPUTF8. */
gboolean            postier_sandbox_message_get_smtputf8    (PostierSandboxMessage *self);

/* The exact bytes, read from disk (may block). */
GBytes             *postier_sandbox_message_load_bytes      (PostierSandboxMessage *self,
                                                             GError               **error);
/* Parsed with GMime: a GMimeMessage (transfer full) as a gpointer so this
 * header does not need GMime's. */
gpointer            postier_sandbox_message_parse           (PostierSandboxMessage *self,
                                                             GError               **error);

G_END_DECLS
