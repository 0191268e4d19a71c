/* postier-mime-attachment.h — a file attachment that writes its own base64
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gmime/gmime.h>

G_BEGIN_DECLS

#define POSTIER_TYPE_ATTACHMENT_PART (postier_attachment_part_get_type ())
G_DECLARE_FINAL_TYPE (PostierAttachmentPart, postier_attachment_part, POSTIER, ATTACHMENT_PART, GMimePart)

/* A GMimePart of TYPE/SUBTYPE whose content is FILE (a stream over the
 * attachment's descriptor), base64 encoded when written. Its output is
 * octet for octet GMime's own (76 columns, the format's line ends); it
 * only gets there faster, in large reads and writes (issue 12). */
GMimePart *postier_attachment_part_new (const char  *type,
                                        const char  *subtype,
                                        GMimeStream *file);

/* Base64 of IN (LEN a multiple of 57, or the last piece) as GMime writes
 * it: lines of 76 columns, each ended by NEWLINE (NEWLINE_LEN octets); a
 * last short line is padded and ended too. OUT must hold
 * postier_base64_lines_size (LEN, NEWLINE_LEN). Returns the octets written. */
gsize postier_base64_lines        (const guchar *in,
                                   gsize         len,
                                   const char   *newline,
                                   gsize         newline_len,
                                   char         *out);
gsize postier_base64_lines_size   (gsize         len,
                                   gsize         newline_len);

G_END_DECLS
