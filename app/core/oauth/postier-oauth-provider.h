/* postier-oauth-provider.h — who signs a person in: presets and discovery
 *
 * Google and Microsoft are presets (their endpoints and the scopes SMTP
 * needs); any other provider is found by its issuer URL (RFC 8414, then
 * OpenID Connect discovery). The client ID comes from the account when it
 * has one, else from the build (-Doauth_google_client_id=…); without any,
 * the provider says so in words instead of failing at the server.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "postier-account.h"

G_BEGIN_DECLS

typedef struct {
  char *id;                      /* "google", "microsoft", or the issuer URL */
  char *title;                   /* "Google", "Microsoft", or the issuer's host */
  char *issuer;
  char *authorization_endpoint;
  char *token_endpoint;
  char *device_endpoint;         /* NULL when the provider has no device grant */
  char *revocation_endpoint;     /* may be NULL */
  char *scope;                   /* space-separated */
  char *client_id;               /* NULL until a build option or the account gives one */
  char *client_secret;           /* Google's installed-app "secret" (not secret), or NULL */
} PostierOAuthProvider;

void                  postier_oauth_provider_free          (PostierOAuthProvider *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PostierOAuthProvider, postier_oauth_provider_free)

/* "google" or "microsoft" (any case): the preset with the build's client
 * ID, if any. NULL for anything else. No I/O. */
PostierOAuthProvider *postier_oauth_provider_lookup_preset (const char   *id);

/* Whether TEXT names a preset or is an issuer URL we may use (https, or
 * http on a loopback host); the error says which forms are accepted. */
gboolean              postier_oauth_provider_id_is_valid   (const char   *text,
                                                            GError      **error);

/* The provider at ISSUER: its metadata document, fetched and checked (its
 * "issuer" must be ISSUER). Blocking. */
PostierOAuthProvider *postier_oauth_provider_discover      (const char   *issuer,
                                                            GCancellable *cancellable,
                                                            GError      **error);

/* The provider of ACCOUNT (its oauth-provider setting), with the
 * account's client ID and scope when it sets them. Discovery results are
 * kept for the life of the process. Fails with POSTIER_ACCOUNT_ERROR_INVALID
 * when no client ID is known, naming the build option and the setting.
 * Blocking for issuer URLs. */
PostierOAuthProvider *postier_oauth_provider_for_account   (PostierAccount *account,
                                                            GCancellable   *cancellable,
                                                            GError        **error);

/* The title of ACCOUNT's provider without any I/O: "Google", "Microsoft",
 * or the issuer URL's host. */
char                 *postier_oauth_provider_title_for_account (PostierAccount *account);

G_END_DECLS
