/* postier-header-value.h — judging one raw header value
 *
 * Apart from the check list (postier-message-check.c) because it is a job
 * of its own, RFC 2047 decoding, that the check list, and through
 * postier_message_check_header_value() the sendmail reader, both need.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* RFC 2047 2: an encoded word is at most 75 characters. */
#define POSTIER_HEADER_MAX_ENCODED_WORD 75

typedef enum {
  POSTIER_HEADER_OK,
  POSTIER_HEADER_RAW_8BIT,
  POSTIER_HEADER_BAD_UTF8,
  POSTIER_HEADER_CONTROL,
  POSTIER_HEADER_BAD_ENCODED_WORD,
  POSTIER_HEADER_LONG_ENCODED_WORD,   /* only a warning: most readers cope */
} PostierHeaderProblem;

/* The first problem of RAW (a header value as it is on the wire, folding
 * included): a control character or bare CR, 8-bit bytes without SMTPUTF8
 * or that are not UTF-8, an RFC 2047 word whose charset, encoding or
 * payload is bad, or else a word over POSTIER_HEADER_MAX_ENCODED_WORD. */
PostierHeaderProblem postier_header_value_judge (const char *raw,
                                                 gboolean    smtputf8);

G_END_DECLS
