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

G_END_DECLS
