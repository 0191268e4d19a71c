/* postier-server-suggestion.h — a submission server proposed for an address
 *
 * What the set-up page and `postierctl account add` propose when only an
 * address is known: from Postier's built-in provider presets, from the
 * domain's Mozilla autoconfig file (HTTPS), or from its DNS SRV records
 * (RFC 6186). MAY_FILL says whether it may be filled in by itself; when
 * FALSE the person must accept it first (a server outside their domain).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "postier-account.h"

G_BEGIN_DECLS

typedef enum {
  POSTIER_SERVER_SOURCE_PRESET,      /* built into Postier */
  POSTIER_SERVER_SOURCE_AUTOCONFIG,  /* the domain's config-v1.1.xml over HTTPS */
  POSTIER_SERVER_SOURCE_SRV,         /* RFC 6186 / RFC 8314 SRV records */
  POSTIER_SERVER_SOURCE_MX,          /* a preset chosen by the domain's MX host */
} PostierServerSource;

typedef struct {
  char               *host;
  guint               port;
  PostierSecurity     security;
  PostierAuthMethod   auth;
  char               *user;            /* login with placeholders filled; NULL: the address */
  char               *provider_name;   /* "Gmail", "Microsoft 365"…; NULL when unknown */
  char               *oauth_provider;  /* "google", "microsoft" or NULL (see api-14.md) */
  char               *found_at;        /* the URL or DNS name it came from, to show */
  PostierServerSource source;
  gboolean            may_fill;
} PostierServerSuggestion;

PostierServerSuggestion *postier_server_suggestion_new   (void);
PostierServerSuggestion *postier_server_suggestion_copy  (const PostierServerSuggestion *self);
void                     postier_server_suggestion_free  (PostierServerSuggestion       *self);

/* Sets host, port, security and auth of ACCOUNT, and its user when the
 * suggestion names one different from the account's address. */
void                     postier_server_suggestion_apply (const PostierServerSuggestion *self,
                                                          PostierAccount                *account);

/* "autoconfig", "DNS SRV"… for messages. */
const char              *postier_server_source_describe  (PostierServerSource            source);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PostierServerSuggestion, postier_server_suggestion_free)

G_END_DECLS
