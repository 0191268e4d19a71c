/* postier-smtp-transcript.h — the dialogue of a session, safe to keep
 *
 * "C: " lines for what Postier sent, "S: " lines for the server's replies,
 * "-- " lines for events (TLS, discarded bytes). Credentials never reach
 * it: the argument of AUTH, every SASL response and every 334 challenge
 * become "[redacted]", whatever the mechanism. Message data is one summary
 * line. The text is bounded (POSTIER_SMTP_TRANSCRIPT_MAX) so a session of
 * ten thousand messages nobody collects cannot eat memory.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "postier-smtp-reply.h"

G_BEGIN_DECLS

#define POSTIER_SMTP_TRANSCRIPT_MAX (1024 * 1024)
#define POSTIER_SMTP_REDACTED "[redacted]"

typedef struct _PostierSmtpTranscript PostierSmtpTranscript;

PostierSmtpTranscript *postier_smtp_transcript_new      (void);
void                   postier_smtp_transcript_free     (PostierSmtpTranscript *self);

/* A command as sent, without its CRLF. "AUTH MECH anything" keeps only the
 * mechanism. */
void                   postier_smtp_transcript_client   (PostierSmtpTranscript *self,
                                                         const char            *command);
/* A SASL response line: logged as [redacted]. */
void                   postier_smtp_transcript_client_secret (PostierSmtpTranscript *self);
/* A reply, one "S: " line per reply line; a 334 challenge is redacted. */
void                   postier_smtp_transcript_server   (PostierSmtpTranscript *self,
                                                         const PostierSmtpReply *reply);
void                   postier_smtp_transcript_note     (PostierSmtpTranscript *self,
                                                         const char            *format,
                                                         ...) G_GNUC_PRINTF (2, 3);

/* Everything since the last call. Transfer full; never NULL. */
char                  *postier_smtp_transcript_take     (PostierSmtpTranscript *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PostierSmtpTranscript, postier_smtp_transcript_free)

G_END_DECLS
