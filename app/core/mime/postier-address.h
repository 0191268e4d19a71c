/* postier-address.h — email addresses as people type them, checked
 *
 * Parsing is GMime's (InternetAddressList); on top of it we refuse what
 * GMime tolerates but a relay would not take: a mailbox without a domain,
 * a domain that is not a host name, a line break. Internal to core: it
 * speaks GMime types.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "postier-address-field.h"
#include "postier-gmime.h"

G_BEGIN_DECLS

/* Parses TEXT ("Ann <a@x>, b@y"); FIELD ("To", "Cc", …) only names the
 * field in the error. Empty or blank TEXT gives an empty list. Fails with
 * POSTIER_MESSAGE_ERROR_BAD_ADDRESS naming the first address that does not
 * parse, or _HEADER_INJECTION for a CR or LF. */
InternetAddressList *postier_address_list_parse      (const char           *text,
                                                      const char           *field,
                                                      GError              **error);

/* The same for one of a message's address fields, with that field's own
 * rules (see postier_address_field_validate(): From holds exactly one
 * address). The composer's rows, the draft and the builder all come here. */
InternetAddressList *postier_address_field_parse     (PostierAddressField   field,
                                                      const char           *text,
                                                      GError              **error);

/* Appends every mailbox of LIST (members of groups included) to MAILBOXES
 * (InternetAddressMailbox, borrowed from LIST). */
void                 postier_address_list_collect    (InternetAddressList  *list,
                                                      GPtrArray            *mailboxes);

/* Checks one bare address ("a@x"): a non-empty local part, and a domain
 * that is a host name (IDN allowed) or an address literal. */
gboolean             postier_address_is_valid        (const char           *address);

/* TRUE when ADDRESS needs SMTPUTF8 as it is (non-ASCII anywhere). */
gboolean             postier_address_is_international (const char          *address);

/* The form a server without SMTPUTF8 can take: the domain as A-labels
 * ("x@bücher.de" → "x@xn--bcher-kva.de"). NULL when the local part is not
 * ASCII (no such form exists) or the domain cannot be converted. */
char                *postier_address_to_ascii        (const char           *address);

/* The domain of ADDRESS in A-labels, for a Message-ID; NULL if none. */
char                *postier_address_dup_ascii_domain (const char          *address);

/* TRUE if TEXT holds a CR or LF. */
gboolean             postier_text_has_line_break     (const char           *text);

G_END_DECLS
