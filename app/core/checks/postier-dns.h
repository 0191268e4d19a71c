/* postier-dns.h — the DNS questions the domain checks ask
 *
 * TXT, MX and address records, and an SPF verdict, through the system's
 * resolver (/etc/resolv.conf), as libspf2 asks them: one resolver for the
 * SPF evaluation and for the records shown beside it, so both always see
 * the same answers. Every call blocks: run them on a worker thread (the
 * domain checks do, in a GTask).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum {
  POSTIER_DNS_TXT,
  POSTIER_DNS_MX,
  POSTIER_DNS_A,
  POSTIER_DNS_AAAA,
} PostierDnsType;

typedef enum {
  POSTIER_DNS_FOUND,        /* at least one record */
  POSTIER_DNS_NO_DATA,      /* the name exists, with no record of that type */
  POSTIER_DNS_NO_DOMAIN,    /* NXDOMAIN: the name does not exist */
  POSTIER_DNS_UNAVAILABLE,  /* SERVFAIL, a timeout, no network: not known */
} PostierDnsStatus;

typedef struct {
  PostierDnsStatus  status;
  /* TXT: each record's strings joined; MX: exchange names ("." for a null
   * MX); A/AAAA: addresses as text. NULL-terminated, never NULL. */
  char            **records;
  guint             ttl;    /* seconds; 0 when the resolver did not say */
} PostierDnsAnswer;

PostierDnsAnswer *postier_dns_lookup      (const char       *name,
                                           PostierDnsType    type);
void              postier_dns_answer_free (PostierDnsAnswer *answer);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PostierDnsAnswer, postier_dns_answer_free)

typedef enum {
  POSTIER_SPF_NONE,        /* no SPF record */
  POSTIER_SPF_PASS,
  POSTIER_SPF_FAIL,        /* "-all": the domain says this host may not send */
  POSTIER_SPF_SOFTFAIL,    /* "~all" */
  POSTIER_SPF_NEUTRAL,     /* "?all" */
  POSTIER_SPF_TEMPERROR,   /* the DNS did not answer */
  POSTIER_SPF_PERMERROR,   /* the record is broken: a loop, too many lookups… */
} PostierSpfResult;

/* libspf2's verdict for mail from DOMAIN sent by ADDRESS. When the record
 * is broken, *PROBLEM (if not NULL) gets libspf2's description of why. */
PostierSpfResult  postier_dns_spf_check   (const char       *domain,
                                           GInetAddress     *address,
                                           char            **problem);

/* "pass", "fail", … as RFC 7208 names them; stable, for scripts. */
const char       *postier_spf_result_to_string (PostierSpfResult result);

G_END_DECLS
