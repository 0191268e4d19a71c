/* postier-sendmail.h — the sendmail face's path into the outbox
 *
 * Why a header of its own: it joins the reader (postier-sendmail-reader.h)
 * to an account and an outbox, which the reader itself does not know.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "postier-account.h"
#include "postier-outbox.h"
#include "postier-sendmail-reader.h"

G_BEGIN_DECLS

/* Streams the message on FD into the outbox the way Postfix's sendmail
 * takes it (postier-sendmail-reader.h): LF or CRLF end lines, a missing
 * From, Date or Message-ID is added, other headers are kept byte for byte
 * unless a line is over 998 octets, and a body SMTP cannot carry as it is
 * gets encoded again. SENDER (-f) overrides the account's address as MAIL
 * FROM; RECIPIENTS (NULL-terminated) are added to the envelope. At most
 * postier_sendmail_size_cap () octets. Fails with
 * POSTIER_MESSAGE_ERROR_MALFORMED (a NUL byte; a header with a control
 * character, invalid UTF-8 or a line too long to fold), _HEADER_INJECTION
 * (a CR alone in a header), _TOO_LARGE, _NO_RECIPIENTS, _BAD_ADDRESS;
 * nothing is queued then. Returns the outbox id. */
char         *postier_mime_enqueue_sendmail   (int                    fd,
                                               PostierSendmailFlags   flags,
                                               const char            *sender,
                                               const char * const    *recipients,
                                               PostierAccount        *account,
                                               PostierOutbox         *outbox,
                                               GCancellable          *cancellable,
                                               GError               **error);

/* The cap postier_mime_enqueue_sendmail () applies: the SIZE the
 * account's relay announced (remembered in relay-limits.ini), else
 * POSTIER_SENDMAIL_DEFAULT_MAX_SIZE. */
guint64       postier_sendmail_size_cap       (PostierAccount        *account);

G_END_DECLS
