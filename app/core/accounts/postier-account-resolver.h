/* postier-account-resolver.h — one answer for every account name (issue 14)
 *
 * Postier's own accounts (accounts.ini and the Sandbox, in a
 * PostierAccountStore) and GNOME Online Accounts' mail accounts ("goa:ID",
 * GOA's id, or the address), for `--account`, the default account and the
 * flush: the one place that knows both kinds of name. Asking GOA blocks
 * (D-Bus): never on a thread that draws. Not in the light postierctl, which
 * does not load libgoa: it looks in the store and hands any other name
 * over to postierctl-full.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "postier-account-store.h"

G_BEGIN_DECLS

/* NAME: STORE's account of that name (STORE may be NULL), else GOA's mail
 * account by "goa:ID", GOA id or address (case-insensitive). NULL with
 * POSTIER_ACCOUNT_ERROR_NOT_FOUND "There is no account named …".
 * Transfer full. */
PostierAccount *postier_account_resolve          (PostierAccountStore  *store,
                                                  const char           *name,
                                                  GCancellable         *cancellable,
                                                  GError              **error);

/* The account mail goes with when none is named. STORE's default when it
 * has a relay account of its own (its explicit default, else its first:
 * Postier's own always win); else the oldest of GOA_LIST
 * (PostierGoaMailAccount; GOA's ids grow with the time an account was
 * added); else NULL. Never the Sandbox by default. No D-Bus: for callers
 * that hold GOA's list already (the app's live one). Transfer none. */
PostierAccount *postier_account_pick_default     (PostierAccountStore  *store,
                                                  GPtrArray            *goa_list);

/* The same, asking GOA for its list. NULL with
 * POSTIER_ACCOUNT_ERROR_NOT_FOUND when there is no account to send with.
 * Transfer full. */
PostierAccount *postier_account_resolve_default  (PostierAccountStore  *store,
                                                  GCancellable         *cancellable,
                                                  GError              **error);

/* For the flush, on its worker thread: OWN's account (a snapshot of the
 * store, name → PostierAccount), else for a "goa:ID" name GOA's account as
 * it is now, or a placeholder whose sign-in says why it cannot send (gone,
 * mail turned off, GOA unreachable). NULL when nobody has NAME.
 * Transfer full. */
PostierAccount *postier_account_resolve_for_send (GHashTable           *own,
                                                  const char           *name,
                                                  GCancellable         *cancellable);

G_END_DECLS
