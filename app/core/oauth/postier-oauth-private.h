/* postier-oauth-private.h — what the two sign-in flows share with the
 * token keeper. Nothing outside app/core/oauth includes this header.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "postier-oauth-provider.h"
#include "postier-oauth.h"

G_BEGIN_DECLS

/* Takes a token endpoint's successful answer (access_token, expires_in,
 * refresh_token): the refresh token goes to the keyring, the access token
 * to memory. Fails when the answer has no refresh token (no way to send
 * tomorrow) or the keyring refuses it. */
gboolean  _postier_oauth_keep_tokens      (PostierAccount        *account,
                                           PostierOAuthProvider  *provider,
                                           JsonObject            *answer,
                                           GCancellable          *cancellable,
                                           GError               **error);

/* A token endpoint's error answer as a GError for a sign-in: its "error"
 * and "error_description", in the provider's words. */
void      _postier_oauth_set_token_error  (GError               **error,
                                           PostierOAuthProvider  *provider,
                                           guint                  status,
                                           JsonObject            *answer);

G_END_DECLS
