/* postier-sender-check.h — will receivers accept mail from this domain
 * through this relay?
 *
 * For the From address's domain: SPF evaluated for the relay's addresses
 * (libspf2), DMARC and what it means for this account, whether the relay
 * is likely to sign with DKIM (a heuristic: keys under the selectors the
 * big providers use), MX and BIMI. Each finding is one translated
 * sentence at one of three levels; no network is "not checked", never an
 * error. Reports are cached for the records' TTL, so asking again is free.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum {
  POSTIER_DOMAIN_FINE,
  POSTIER_DOMAIN_WORTH_KNOWING,
  POSTIER_DOMAIN_LIKELY_REFUSED,   /* "will probably be refused" */
  POSTIER_DOMAIN_NOT_CHECKED,      /* offline, or the DNS did not answer */
} PostierDomainLevel;

typedef struct {
  const char         *key;       /* "spf", "dmarc", "dkim", "mx", "bimi" */
  PostierDomainLevel  level;
  char               *summary;   /* one sentence, translated */
  char               *record;    /* the record it is about, or NULL */
  char               *result;    /* for scripts: "pass", "reject", … or NULL */
} PostierDomainFinding;

typedef struct {
  char               *domain;
  char               *relay;
  char              **relay_addresses;  /* NULL-terminated */
  PostierDomainLevel  verdict;          /* the worst finding */
  GPtrArray          *findings;         /* of PostierDomainFinding */
} PostierSenderReport;

PostierSenderReport *postier_sender_report_ref   (PostierSenderReport *report);
void                 postier_sender_report_unref (PostierSenderReport *report);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PostierSenderReport, postier_sender_report_unref)

/* ADDRESS is the From address (or "Name <address>"), RELAY_HOST the smart
 * host. Blocks on DNS: call it from a worker thread, or use the async pair.
 * Fails only when ADDRESS has no domain. */
PostierSenderReport *postier_sender_check        (const char           *address,
                                                  const char           *relay_host,
                                                  GCancellable         *cancellable,
                                                  GError              **error);
void                 postier_sender_check_async  (const char           *address,
                                                  const char           *relay_host,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
PostierSenderReport *postier_sender_check_finish (GAsyncResult         *result,
                                                  GError              **error);

/* "fine", "worth-knowing", "likely-refused", "not-checked": for scripts. */
const char          *postier_domain_level_to_string (PostierDomainLevel level);
/* "Fine", "Worth knowing", …: translated, for people. */
const char          *postier_domain_level_to_label  (PostierDomainLevel level);

/* A few paragraphs on SPF, DKIM and DMARC in the person's words, for a
 * "Learn more" (translated). */
const char          *postier_sender_check_learn_more (void);

/* Forget every cached report (tests; a changed network). */
void                 postier_sender_check_clear_cache (void);

G_END_DECLS
