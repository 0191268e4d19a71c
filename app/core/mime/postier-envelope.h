/* postier-envelope.h — the SMTP envelope of one message
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define POSTIER_TYPE_ENVELOPE (postier_envelope_get_type ())
G_DECLARE_FINAL_TYPE (PostierEnvelope, postier_envelope, POSTIER, ENVELOPE, GObject)

PostierEnvelope *postier_envelope_new                 (const char      *sender);

/* MAIL FROM; "" is the null reverse path. */
const char      *postier_envelope_get_sender          (PostierEnvelope *self);
void             postier_envelope_set_sender          (PostierEnvelope *self,
                                                       const char      *sender);

/* Adds a RCPT TO unless the same mailbox is already there (local parts are
 * compared exactly, domains without case, as RFC 5321 says). Returns TRUE
 * if it was added. */
gboolean         postier_envelope_add_recipient       (PostierEnvelope *self,
                                                       const char      *address);
guint            postier_envelope_get_n_recipients    (PostierEnvelope *self);
const char      *postier_envelope_get_recipient       (PostierEnvelope *self,
                                                       guint            index);
/* NULL-terminated, owned by the envelope. */
const char * const *postier_envelope_get_recipients   (PostierEnvelope *self);

/* Set when an address or header needs SMTPUTF8 (RFC 6531). */
gboolean         postier_envelope_get_needs_smtputf8  (PostierEnvelope *self);
void             postier_envelope_set_needs_smtputf8  (PostierEnvelope *self,
                                                       gboolean         needs);
/* The forms of the addresses a server without SMTPUTF8 can take: IDN
 * domains as A-labels ("x@bücher.de" → "x@xn--bcher-kva.de"), ASCII
 * addresses as they are; NULL when the local part is not ASCII. Computed
 * from the addresses, so they need no storage of their own. */
const char      *postier_envelope_get_ascii_sender    (PostierEnvelope *self);
const char      *postier_envelope_get_ascii_recipient (PostierEnvelope *self,
                                                       guint            index);
/* Set when the message's own header block holds raw UTF-8 (an address
 * with a UTF-8 local part, or a piped message written that way). */
gboolean         postier_envelope_get_utf8_headers    (PostierEnvelope *self);
void             postier_envelope_set_utf8_headers    (PostierEnvelope *self,
                                                       gboolean         utf8_headers);
/* Whether the message may go to a server without SMTPUTF8, using the
 * ASCII forms above: every address has one and the headers are ASCII. */
gboolean         postier_envelope_can_send_ascii      (PostierEnvelope *self);

/* Set when the message has 8-bit content (BODY=8BITMIME). */
gboolean         postier_envelope_get_8bit            (PostierEnvelope *self);
void             postier_envelope_set_8bit            (PostierEnvelope *self,
                                                       gboolean         eight_bit);
/* Message size in octets as it will be sent (for SIZE=), 0 if unknown. */
guint64          postier_envelope_get_size            (PostierEnvelope *self);
void             postier_envelope_set_size            (PostierEnvelope *self,
                                                       guint64          size);

G_END_DECLS
