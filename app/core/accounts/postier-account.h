/* postier-account.h — one smart host and the identity that sends through it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <glib-object.h>

#include "postier-account-limits.h"

G_BEGIN_DECLS

typedef enum {
  POSTIER_SECURITY_TLS,       /* implicit TLS, port 465 (RFC 8314) */
  POSTIER_SECURITY_STARTTLS,  /* port 587, upgrade required */
  POSTIER_SECURITY_NONE,      /* loopback hosts only */
} PostierSecurity;

typedef enum {
  POSTIER_AUTH_AUTO,
  POSTIER_AUTH_NONE,
  POSTIER_AUTH_PLAIN,
  POSTIER_AUTH_LOGIN,
  POSTIER_AUTH_CRAM_MD5,
  POSTIER_AUTH_SCRAM_SHA_1,
  POSTIER_AUTH_SCRAM_SHA_256,
  POSTIER_AUTH_XOAUTH2,
} PostierAuthMethod;

typedef enum {
  POSTIER_ACCOUNT_KIND_RELAY,
  POSTIER_ACCOUNT_KIND_SANDBOX,  /* the built-in capture relay */
} PostierAccountKind;

#define POSTIER_ACCOUNT_SANDBOX_NAME "Sandbox"

#define POSTIER_TYPE_ACCOUNT (postier_account_get_type ())
G_DECLARE_FINAL_TYPE (PostierAccount, postier_account, POSTIER, ACCOUNT, GObject)

PostierAccount     *postier_account_new                  (const char         *name);
PostierAccount     *postier_account_copy                 (PostierAccount     *self);

const char         *postier_account_get_name             (PostierAccount     *self);
PostierAccountKind  postier_account_get_kind             (PostierAccount     *self);
void                postier_account_set_kind             (PostierAccount     *self,
                                                          PostierAccountKind  kind);
const char         *postier_account_get_identity         (PostierAccount     *self);
void                postier_account_set_identity         (PostierAccount     *self,
                                                          const char         *identity);
const char         *postier_account_get_address          (PostierAccount     *self);
const char         *postier_account_get_display_name     (PostierAccount     *self);
const char         *postier_account_get_host             (PostierAccount     *self);
void                postier_account_set_host             (PostierAccount     *self,
                                                          const char         *host);
guint               postier_account_get_port             (PostierAccount     *self);
void                postier_account_set_port             (PostierAccount     *self,
                                                          guint               port);
PostierSecurity     postier_account_get_security         (PostierAccount     *self);
void                postier_account_set_security         (PostierAccount     *self,
                                                          PostierSecurity     security);
PostierAuthMethod   postier_account_get_auth             (PostierAccount     *self);
void                postier_account_set_auth             (PostierAccount     *self,
                                                          PostierAuthMethod   auth);
const char         *postier_account_get_user             (PostierAccount     *self);
void                postier_account_set_user             (PostierAccount     *self,
                                                          const char         *user);
const char         *postier_account_get_ca_file          (PostierAccount     *self);
void                postier_account_set_ca_file          (PostierAccount     *self,
                                                          const char         *ca_file);
const char         *postier_account_get_pinned_sha256    (PostierAccount     *self);
void                postier_account_set_pinned_sha256    (PostierAccount     *self,
                                                          const char         *fingerprint);
const char         *postier_account_get_password_command (PostierAccount     *self);
void                postier_account_set_password_command (PostierAccount     *self,
                                                          const char         *command);
gboolean            postier_account_get_request_dsn      (PostierAccount     *self);
void                postier_account_set_request_dsn      (PostierAccount     *self,
                                                          gboolean            request_dsn);
gboolean            postier_account_get_hidden           (PostierAccount     *self);
void                postier_account_set_hidden           (PostierAccount     *self,
                                                          gboolean            hidden);
/* Postier's own OAuth 2.0 sign-in (app/core/oauth): "google", "microsoft"
 * or an issuer URL; NULL when the account logs in with a password. Such an
 * account needs no password: its token comes from the sign-in. The client
 * ID and scope override the provider's (NULL: the build's, the preset's). */
const char         *postier_account_get_oauth_provider   (PostierAccount     *self);
void                postier_account_set_oauth_provider   (PostierAccount     *self,
                                                          const char         *provider);
const char         *postier_account_get_oauth_client_id  (PostierAccount     *self);
void                postier_account_set_oauth_client_id  (PostierAccount     *self,
                                                          const char         *client_id);
const char         *postier_account_get_oauth_scope      (PostierAccount     *self);
void                postier_account_set_oauth_scope      (PostierAccount     *self,
                                                          const char         *scope);
/* The relay's limits (all 0: none); see postier-account-limits.h. */
void                postier_account_get_limits           (PostierAccount             *self,
                                                          PostierAccountLimits       *limits);
void                postier_account_set_limits           (PostierAccount             *self,
                                                          const PostierAccountLimits *limits);

/* The user name to authenticate with: the explicit one, else the address. */
const char         *postier_account_get_login            (PostierAccount     *self);
gboolean            postier_account_needs_password       (PostierAccount     *self);

gboolean            postier_account_validate             (PostierAccount     *self,
                                                          GError            **error);

guint               postier_security_default_port        (PostierSecurity     security);
const char         *postier_security_to_string           (PostierSecurity     security);
gboolean            postier_security_from_string         (const char         *text,
                                                          PostierSecurity    *security);
const char         *postier_auth_method_to_string        (PostierAuthMethod   auth);
gboolean            postier_auth_method_from_string      (const char         *text,
                                                          PostierAuthMethod  *auth);

gboolean            postier_account_name_is_valid        (const char         *name,
                                                          GError            **error);
gboolean            postier_host_is_loopback             (const char         *host);
/* Whether ADDRESS is on this machine: 127.0.0.0/8, ::1 or ::ffff:127.x.y.z.
 * This, at connect time, is what allows security "none"; the name test
 * above is only a first filter when an account is saved. */
gboolean            postier_inet_address_is_loopback     (GInetAddress       *address);
gboolean            postier_parse_identity               (const char         *identity,
                                                          char              **display_name,
                                                          char              **address,
                                                          GError            **error);

G_END_DECLS
