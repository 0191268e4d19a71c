/* postier-goa.h — mail accounts from GNOME Online Accounts
 *
 * The accounts GOA has with mail enabled (its Mail interface: address,
 * name, SMTP host, user, TLS or STARTTLS, auth), shown beside Postier's
 * own and never written to accounts.ini. Credentials stay GOA's: they are
 * asked for when needed, never copied into Postier's keyring items.
 * Without a session bus or a GOA service on it the list is empty and
 * nothing is said. libgoa is loaded only by the callers of this file
 * (account list, the app), never on the sendmail path.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "postier-account.h"

G_BEGIN_DECLS

typedef struct {
  char           *id;                /* GOA's account id */
  char           *provider_name;     /* "IMAP and SMTP", "Google"… */
  PostierAccount *account;           /* named after the address; not stored */
  gboolean        oauth2;            /* credentials by GetAccessToken, else a password */
  gboolean        attention_needed;  /* GOA says to sign in again */
} PostierGoaMailAccount;

void       postier_goa_mail_account_free      (PostierGoaMailAccount *self);
PostierGoaMailAccount *postier_goa_mail_account_copy (const PostierGoaMailAccount *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PostierGoaMailAccount, postier_goa_mail_account_free)

/* A GOA account's PostierAccount is named "goa:" and GOA's account id
 * (stable for the account's life): that name is what a queued entry
 * records, so a flush in another process (postierctl, no display) asks GOA
 * for the same account again. Inline: the light postierctl and the outbox
 * test names without linking libgoa. */
#define POSTIER_GOA_NAME_PREFIX "goa:"

static inline gboolean
postier_goa_is_account_name (const char *name)
{
  return name != NULL && g_str_has_prefix (name, POSTIER_GOA_NAME_PREFIX) &&
         name[sizeof POSTIER_GOA_NAME_PREFIX - 1] != '\0';
}

/* Parses GOA's "host", "host:port" or "[v6]:port"; PORT 0 when absent. */
gboolean   postier_goa_parse_host_port        (const char   *text,
                                               char        **host,
                                               guint        *port);

/* The mail accounts GOA has now, each with SMTP. Empty, without an error,
 * when there is no bus or no GOA service. Transfer full. */
GPtrArray *postier_goa_list_mail_accounts     (GCancellable *cancellable);

G_END_DECLS
