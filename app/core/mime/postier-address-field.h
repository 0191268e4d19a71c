/* postier-address-field.h — the one check of an address field, for the
 * composer's rows, the draft and the MIME builder alike
 *
 * Why a header of its own: postier-address.h speaks GMime types and stays
 * inside core; this is the part the GUI calls. A problem is tied to its
 * field by PostierAddressField, never by reading the error's words.
 * (Implemented in postier-address.c.)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  POSTIER_ADDRESS_FIELD_NONE,      /* not an address field (Subject, body…) */
  POSTIER_ADDRESS_FIELD_FROM,
  POSTIER_ADDRESS_FIELD_TO,
  POSTIER_ADDRESS_FIELD_CC,
  POSTIER_ADDRESS_FIELD_BCC,
  POSTIER_ADDRESS_FIELD_REPLY_TO,
} PostierAddressField;

/* The header name, as in the message and its errors ("Reply-To"); never
 * translated. NULL for _NONE. */
const char          *postier_address_field_get_name  (PostierAddressField  field);
/* The field whose header name is NAME (case-insensitive), _NONE if none. */
PostierAddressField  postier_address_field_from_name (const char          *name);

/* Checks TEXT as typed in FIELD: every address parses and has a domain, no
 * line break. Blank or NULL text is valid, except that a From that is not
 * NULL must hold exactly one address (_BAD_ADDRESS). Fails
 * with POSTIER_MESSAGE_ERROR_BAD_ADDRESS naming the first bad address, or
 * _HEADER_INJECTION for a CR or LF. */
gboolean             postier_address_field_validate  (PostierAddressField  field,
                                                      const char          *text,
                                                      GError             **error);

G_END_DECLS
