/* postier-account-save.h — adding, editing and removing an account, with
 * its password in the keyring, as one step
 *
 * The keyring item is found by account name, host and login, so an edit
 * that changes the server or the user name moves the stored password to
 * the new attributes. The keyring work runs on a worker thread; the
 * account store is changed on the caller's main context, after the keyring
 * succeeded, so a failure leaves the account as it was.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "postier-account-store.h"

G_BEGIN_DECLS

typedef enum {
  POSTIER_ACCOUNT_SAVE_ADD,      /* a new name; fails with ..._EXISTS otherwise */
  POSTIER_ACCOUNT_SAVE_REPLACE,  /* the account of the same name */
} PostierAccountSaveMode;

/* PASSWORD NULL keeps the stored one (moved when host or login changed);
 * otherwise it replaces it. Accounts with a password command or no
 * authentication keep nothing in the keyring. MAKE_DEFAULT sets it as the
 * default once saved (the store also makes the first relay the default). */
void      postier_account_save_async    (PostierAccountStore    *store,
                                         PostierAccount         *account,
                                         PostierAccountSaveMode  mode,
                                         const char             *password,
                                         gboolean                make_default,
                                         GCancellable           *cancellable,
                                         GAsyncReadyCallback     callback,
                                         gpointer                user_data);
gboolean  postier_account_save_finish   (PostierAccountStore    *store,
                                         GAsyncResult           *result,
                                         GError                **error);

/* Removes the account from the store, then its keyring item. The Sandbox
 * cannot be removed. A keyring that cannot be reached does not undo the
 * removal; the finish call then reports it as an error. */
void      postier_account_remove_async  (PostierAccountStore    *store,
                                         const char             *name,
                                         GCancellable           *cancellable,
                                         GAsyncReadyCallback     callback,
                                         gpointer                user_data);
gboolean  postier_account_remove_finish (PostierAccountStore    *store,
                                         GAsyncResult           *result,
                                         GError                **error);

G_END_DECLS
