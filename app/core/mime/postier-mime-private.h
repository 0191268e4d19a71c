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

typedef struct {
  gboolean changed;    /* some part was encoded again */
  guint64  size;       /* the new size, when changed */
  gboolean eight_bit;  /* the new message still has 8-bit octets */
  gboolean unfit;      /* a line over 998 octets or a CR alone is left
                        * where no part could be encoded again */
} PostierMimeReencoded;

/* The message in FD (LENGTH octets, CRLF), its parts that SMTP cannot
 * carry as declared — a line over 998 octets, a CR alone, 8-bit content
 * in 7bit or with no charset — encoded again in place (text:
 * quoted-printable with a charset, utf-8 when it validates, else
 * iso-8859-1 (the octets unchanged); other types: base64). Writes through an unnamed file in
 * SCRATCH_DIR. Untouched when nothing needs it. Parts already
 * quoted-printable or base64 with lines too long are encoded again the
 * same way. */
gboolean            postier_mime_reencode_fd        (int                    fd,
                                                     guint64                length,
                                                     const char            *scratch_dir,
                                                     PostierMimeReencoded  *result,
                                                     GCancellable          *cancellable,
                                                     GError               **error);

G_END_DECLS
