/* postier-address-book.h — addresses a person typed before, for completion
 *
 * Every recipient of a message that was queued is remembered in
 * $XDG_DATA_HOME/postier/addresses (one line per address: address, name,
 * times used, last use). The composer completes from it. Also the checks
 * the composer runs on one address field as it is typed, so the UI never
 * parses addresses itself. Thread-safe.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Each mailbox in TEXT as it would be written in a header ("Ann Lee
 * <ann@example.org>", quoted when needed). NULL with an error if TEXT does
 * not parse. */
GStrv      postier_address_text_split     (const char  *text,
                                           GError     **error);

#define POSTIER_TYPE_ADDRESS_BOOK (postier_address_book_get_type ())
G_DECLARE_FINAL_TYPE (PostierAddressBook, postier_address_book, POSTIER, ADDRESS_BOOK, GObject)

/* PATH NULL means $XDG_DATA_HOME/postier/addresses. Nothing is read until
 * postier_address_book_load(). */
PostierAddressBook *postier_address_book_new      (const char          *path);
const char         *postier_address_book_get_path (PostierAddressBook  *self);
/* A missing file is an empty book, not an error. */
gboolean            postier_address_book_load     (PostierAddressBook  *self,
                                                   GError             **error);
gboolean            postier_address_book_save     (PostierAddressBook  *self,
                                                   GError             **error);
/* The same on a worker thread, so the UI never waits for the disk. Saves
 * run one at a time, each writing the book as it is when it starts. */
void                postier_address_book_save_async  (PostierAddressBook  *self,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
gboolean            postier_address_book_save_finish (PostierAddressBook  *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);

/* Remembers every mailbox of TEXT (a To/Cc/Bcc value) as used now; the
 * latest display name wins. Returns how many were added or updated;
 * unparsable text adds nothing. Call postier_address_book_save() after. */
guint               postier_address_book_add_text (PostierAddressBook  *self,
                                                   const char          *text);
guint               postier_address_book_get_size (PostierAddressBook  *self);

/* Up to MAX_RESULTS mailboxes ("Name <address>") whose address or any word
 * of whose name starts with PREFIX (case-insensitive), most used first,
 * then most recent. Transfer full. */
GStrv               postier_address_book_complete (PostierAddressBook  *self,
                                                   const char          *prefix,
                                                   guint                max_results);

/* The domains of the remembered addresses, lower case, those of the most
 * used and most recent first: what a typo in a domain is compared with. */
GStrv               postier_address_book_list_domains (PostierAddressBook *self);

G_END_DECLS
