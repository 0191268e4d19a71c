/* postier-oauth.h — Postier's own OAuth 2.0 sign-in, and the tokens after it
 *
 * For accounts whose oauth-provider is set (a preset or an issuer URL).
 * Signing in (the device grant of RFC 8628 for terminals, or the
 * authorization code with PKCE and a loopback redirect of RFC 8252 for a
 * desktop) leaves the refresh token in the keyring, under Postier's own
 * schema (org.postier.Postier.OAuth: account, issuer), and the access
 * token in this process's memory only. Nothing here writes a token to a
 * file or a log.
 *
 * Everything blocks: call it from a worker thread (GTask), with a
 * cancellable.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "postier-account.h"

G_BEGIN_DECLS

/* Shown to the person during the device grant: open VERIFICATION_URI
 * (anywhere, on any device) and type USER_CODE. VERIFICATION_URI_COMPLETE
 * has the code in it, or is NULL. Called once, on the caller's thread. */
typedef void (*PostierOAuthDeviceFunc) (const char *verification_uri,
                                        const char *verification_uri_complete,
                                        const char *user_code,
                                        gpointer    user_data);

/* Device Authorization Grant: asks for a code, calls SHOW, polls the token
 * endpoint at the interval the server asks (slower after "slow_down")
 * until the person has signed in, refused ("access_denied") or the code
 * expired ("expired_token"). */
gboolean  postier_oauth_sign_in_device     (PostierAccount          *account,
                                            PostierOAuthDeviceFunc   show,
                                            gpointer                 user_data,
                                            GCancellable            *cancellable,
                                            GError                 **error);

/* Called with the authorization URL once the loopback listener is ready:
 * open it in a browser. NULL: g_app_info_launch_default_for_uri(). */
typedef gboolean (*PostierOAuthOpenFunc) (const char  *url,
                                          gpointer     user_data,
                                          GError     **error);

/* Authorization Code with PKCE (S256) and a loopback redirect: listens on
 * 127.0.0.1 at a port the system picks, opens the authorization URL, and
 * returns when the browser comes back (or CANCELLABLE is cancelled). */
gboolean  postier_oauth_sign_in_browser    (PostierAccount          *account,
                                            PostierOAuthOpenFunc     open,
                                            gpointer                 user_data,
                                            GCancellable            *cancellable,
                                            GError                 **error);
/* The same on a worker thread, for the app. */
void      postier_oauth_sign_in_browser_async  (PostierAccount      *account,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
gboolean  postier_oauth_sign_in_browser_finish (GAsyncResult        *result,
                                                GError             **error);

/* An access token for ACCOUNT: the one in memory while it has more than a
 * little life left (and FORCE_REFRESH is FALSE), else a fresh one from the
 * refresh token. Errors:
 *   POSTIER_SMTP_ERROR_AUTH — no sign-in yet, or the grant was revoked or
 *     expired (invalid_grant): "Sign in to Google again …" (the outbox
 *     keeps the mail as needs-attention);
 *   POSTIER_SMTP_ERROR_NETWORK — the provider cannot be reached now;
 *   POSTIER_ACCOUNT_ERROR_INVALID — no client ID, a bad provider;
 *   POSTIER_SECRET_ERROR_* — the keyring.
 * Free the token with postier_password_free(). */
char     *postier_oauth_get_access_token   (PostierAccount          *account,
                                            gboolean                 force_refresh,
                                            GCancellable            *cancellable,
                                            GError                 **error);

/* Whether a refresh token is stored for ACCOUNT (a sign-in happened and
 * was not forgotten). */
gboolean  postier_oauth_is_signed_in       (PostierAccount          *account,
                                            GCancellable            *cancellable,
                                            GError                 **error);

/* Forgets ACCOUNT's tokens: the keyring item and the one in memory. */
gboolean  postier_oauth_forget             (PostierAccount          *account,
                                            GCancellable            *cancellable,
                                            GError                 **error);

/* Whether ERROR is the "sign in again" kind (the app offers its action). */
gboolean  postier_oauth_error_needs_sign_in (const GError           *error);

G_END_DECLS
