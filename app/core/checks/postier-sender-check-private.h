/* postier-sender-check-private.h — the findings, one builder each, shared
 * between the report (postier-sender-check.c) and the builders
 * (postier-sender-findings.c).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "postier-dns.h"
#include "postier-sender-check.h"

G_BEGIN_DECLS

/* What the builders learn and pass on: SPF's verdict feeds DMARC's, DKIM's
 * heuristic softens it. */
typedef struct {
  const char        *domain;
  const char        *relay;
  GPtrArray         *relay_addresses;   /* of GInetAddress */
  PostierSpfResult   spf;
  gboolean           dkim_key_found;
  guint              ttl;               /* smallest TTL seen; 0 none */
  GPtrArray         *findings;
} PostierSenderState;

void  _postier_sender_add_finding (PostierSenderState *state,
                                   const char         *key,
                                   PostierDomainLevel  level,
                                   char               *summary,
                                   const char         *record,
                                   const char         *result);

/* Each returns FALSE when the DNS did not answer at all: stop, not checked. */
gboolean _postier_sender_find_mx    (PostierSenderState *state);
gboolean _postier_sender_find_spf   (PostierSenderState *state);
void     _postier_sender_find_dkim  (PostierSenderState *state);
void     _postier_sender_find_dmarc (PostierSenderState *state);
void     _postier_sender_find_bimi  (PostierSenderState *state);

/* The SPF term of DOMAIN's RECORD that decided for ADDRESS, as written
 * ("include:_spf.example.net", "-all"), or NULL. Only to explain
 * libspf2's verdict in words, never to decide. */
char    *_postier_spf_matching_term (const char   *domain,
                                     const char   *record,
                                     GInetAddress *address);

G_END_DECLS
