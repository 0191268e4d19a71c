/* postier-recipient-check.h — can a recipient's domain receive mail?
 *
 * A typo in a domain ("example.con") bounces hours after Send; the DNS
 * says so at once. A domain with no MX and no address (RFC 5321's
 * fallback), one that does not exist, or one with a null MX (RFC 7505) gets
 * a warning, with a suggestion from the domains the person wrote to before.
 * A warning never stops a message: the person decides. Lookups are cached
 * and run on a worker thread, so typing never waits for the DNS.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum {
  POSTIER_RECIPIENT_DOMAIN_OK,
  POSTIER_RECIPIENT_DOMAIN_NO_DOMAIN,       /* NXDOMAIN */
  POSTIER_RECIPIENT_DOMAIN_NO_MAIL_SERVER,  /* no MX, no A/AAAA */
  POSTIER_RECIPIENT_DOMAIN_NULL_MX,         /* "this domain takes no mail" */
  POSTIER_RECIPIENT_DOMAIN_NOT_CHECKED,     /* the DNS did not answer */
} PostierRecipientDomainStatus;

typedef struct {
  PostierRecipientDomainStatus  status;
  char                         *domain;
  char                         *suggestion;  /* a known domain close to it, or NULL */
  char                         *warning;     /* one translated sentence; NULL when OK or not checked */
} PostierRecipientDomainCheck;

void postier_recipient_domain_check_free (PostierRecipientDomainCheck *check);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PostierRecipientDomainCheck, postier_recipient_domain_check_free)

/* Checks DOMAIN (blocking: a worker thread's call); KNOWN_DOMAINS (may be
 * NULL) are the domains the person wrote to before, most used first, for
 * the suggestion. */
PostierRecipientDomainCheck *postier_recipient_domain_check        (const char          *domain,
                                                                    const char * const  *known_domains,
                                                                    GCancellable        *cancellable);
void                         postier_recipient_domain_check_async  (const char          *domain,
                                                                    const char * const  *known_domains,
                                                                    GCancellable        *cancellable,
                                                                    GAsyncReadyCallback  callback,
                                                                    gpointer             user_data);
PostierRecipientDomainCheck *postier_recipient_domain_check_finish (GAsyncResult        *result,
                                                                    GError             **error);

/* The known domain closest to DOMAIN within two edits (a letter typed
 * wrong, missing, doubled or two swapped), or NULL. Never DOMAIN itself. */
char *postier_recipient_domain_suggest (const char         *domain,
                                        const char * const *known_domains);

G_END_DECLS
