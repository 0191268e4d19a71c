/* postier-goa-accounts.h — GNOME Online Accounts' mail accounts, followed live
 *
 * For the app: the list of GOA mail accounts as it is now, and ::changed
 * whenever GOA adds, removes or changes one (the object manager's signals:
 * mail turned off or on, attention needed, a daemon that starts or
 * stops). Never blocks: GOA is asked asynchronously on the thread-default
 * main context of the caller of postier_goa_accounts_new(), where ::changed
 * is emitted. Without GOA the list stays empty and nothing is said.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "postier-goa.h"

G_BEGIN_DECLS

/* Why ::account-back says a GOA account can send again (issue 14). */
typedef enum {
  POSTIER_GOA_BACK_LISTED,     /* in GOA's first answer (it may have come back while nobody looked) */
  POSTIER_GOA_BACK_APPEARED,   /* listed again: added, mail turned on, or goa-daemon (re)started */
  POSTIER_GOA_BACK_SIGNED_IN,  /* GOA's AttentionNeeded went from true to false */
} PostierGoaBack;

#define POSTIER_TYPE_GOA_ACCOUNTS (postier_goa_accounts_get_type ())
G_DECLARE_FINAL_TYPE (PostierGoaAccounts, postier_goa_accounts, POSTIER, GOA_ACCOUNTS, GObject)

PostierGoaAccounts    *postier_goa_accounts_new      (void);
/* Whether GOA's first answer (or the lack of one) is in. */
gboolean               postier_goa_accounts_is_ready (PostierGoaAccounts *self);
/* The mail accounts now, in GOA's order: copies, transfer full. */
GPtrArray             *postier_goa_accounts_dup_list (PostierGoaAccounts *self);
/* By "goa:ID" name, GOA id or e-mail address (case-insensitive): a copy,
 * or NULL. */
PostierGoaMailAccount *postier_goa_accounts_lookup   (PostierGoaAccounts *self,
                                                      const char         *key);
/* Whether GOA could be asked at all (a session bus, a GoaClient): FALSE
 * before the first answer and on a machine without a session bus. */
gboolean               postier_goa_accounts_is_available (PostierGoaAccounts *self);
/* Whether GOA has the account NAME ("goa:ID") at all, mail turned on or
 * not: FALSE once it was removed (GOA never gives an id again). */
gboolean               postier_goa_accounts_has_account  (PostierGoaAccounts *self,
                                                          const char         *name);

/* Signals (on the context postier_goa_accounts_new() ran on):
 *   ::changed ()
 *   ::account-back (const char *name, PostierGoaBack why)
 *       after ::changed, once per GOA mail account ("goa:ID" NAME) that can
 *       send again: listed in the first answer (LISTED), listed again after
 *       being absent (APPEARED), or no longer needing attention (SIGNED_IN).
 *       PostierSubmitter retries the mail that waited for that reason. */

G_END_DECLS
