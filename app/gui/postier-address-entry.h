/* postier-address-entry.h — a To/Cc/Bcc row: addresses checked as they are
 * typed, completed from addresses used before
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "postier-address-book.h"
#include "postier-address-field.h"

G_BEGIN_DECLS

#define POSTIER_TYPE_ADDRESS_ENTRY (postier_address_entry_get_type ())
G_DECLARE_FINAL_TYPE (PostierAddressEntry, postier_address_entry, POSTIER, ADDRESS_ENTRY, AdwEntryRow)

/* The field this row edits: what its check applies and what a draft's
 * error (postier_draft_validate_full()) is matched against. */
PostierAddressField postier_address_entry_get_field        (PostierAddressEntry *self);
void                postier_address_entry_set_field_name   (PostierAddressEntry *self,
                                                            const char          *field_name);

/* Where completions come from; NULL turns completion off. */
void                postier_address_entry_set_address_book (PostierAddressEntry *self,
                                                            PostierAddressBook  *book);

/* Checks the whole text now (not only the addresses already finished) and
 * shows the result on the row. FALSE with the problem in ERROR. */
gboolean            postier_address_entry_validate         (PostierAddressEntry *self,
                                                            GError             **error);
/* A recipient domain that cannot take mail ("example.con has no mail
 * server — did you mean example.com?"), found in the background after the
 * text parsed; NULL when none. Never an error: Send still works. */
const char         *postier_address_entry_get_domain_warning (PostierAddressEntry *self);
/* The problem shown on the row, NULL when there is none. */
const char         *postier_address_entry_get_error        (PostierAddressEntry *self);

/* The completions shown right now (for tests and accessibility), NULL-
 * terminated; empty when the list is hidden. Transfer full. */
GStrv               postier_address_entry_dup_completions  (PostierAddressEntry *self);
/* Takes the Nth completion shown, as a click would. */
void                postier_address_entry_choose_completion (PostierAddressEntry *self,
                                                             guint                index);

G_END_DECLS
