/* postier-secret-store.h — account passwords in the desktop keyring
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <libsecret/secret.h>

#include "postier-account.h"
/* postier_password_free() and PostierPassword, for what these hand out. */
#include "postier-password.h"

G_BEGIN_DECLS

/* Our libsecret schema: attributes "account", "host" and "user". */
const SecretSchema *postier_secret_schema                 (void);

/* How long a keyring call may take before we say the keyring is not there;
 * a Secret Service that is missing or waits on a prompt must never hang the
 * caller. */
#define POSTIER_SECRET_TIMEOUT_MS 2500

/* These run the keyring call to completion on a private main context, so
 * they are safe on any thread, including a worker; they fail with
 * POSTIER_SECRET_ERROR_NO_SERVICE after POSTIER_SECRET_TIMEOUT_MS. */
gboolean  postier_secret_store_password_sync  (PostierAccount  *account,
                                               const char      *password,
                                               GCancellable    *cancellable,
                                               GError         **error);
char     *postier_secret_lookup_password_sync (PostierAccount  *account,
                                               GCancellable    *cancellable,
                                               GError         **error);
gboolean  postier_secret_clear_password_sync  (PostierAccount  *account,
                                               GCancellable    *cancellable,
                                               GError         **error);

/* Postier's schema for OAuth 2.0 refresh tokens: attributes "account"
 * and "issuer". Same deadline and errors as the password calls above. */
const SecretSchema *postier_secret_oauth_schema      (void);
gboolean  postier_secret_store_token_sync     (PostierAccount  *account,
                                               const char      *issuer,
                                               const char      *label,
                                               const char      *token,
                                               GCancellable    *cancellable,
                                               GError         **error);
/* NULL without an error when no token is stored. */
char     *postier_secret_lookup_token_sync    (PostierAccount  *account,
                                               const char      *issuer,
                                               GCancellable    *cancellable,
                                               GError         **error);
gboolean  postier_secret_clear_token_sync     (PostierAccount  *account,
                                               const char      *issuer,
                                               GCancellable    *cancellable,
                                               GError         **error);

/* The password to log in with: from password-command when the account has
 * one, else from the keyring. Never logged. */
char     *postier_account_fetch_password      (PostierAccount  *account,
                                               GCancellable    *cancellable,
                                               GError         **error);

G_END_DECLS
