/* postier-mime-private.h — shared by the message builders in core
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "postier-gmime.h"

G_BEGIN_DECLS

/* "Postier/<version>" for the User-Agent header. */
const char         *postier_mime_user_agent         (void);
/* A new Message-ID (without angle brackets) on the domain of ADDRESS, in
 * A-labels; "localhost" when ADDRESS has no domain. */
char               *postier_mime_new_message_id     (const char *address);
/* CRLF line ends, RFC 2231 parameters. */
GMimeFormatOptions *postier_mime_new_format_options (void);

G_END_DECLS
