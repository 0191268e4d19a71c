/* postier-online-accounts.h — GNOME Online Accounts in the app: the mail
 * accounts GOA has, followed live, for the account list, set-up and the
 * composer's From; and the way to Settings → Online Accounts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "postier-goa-accounts.h"

G_BEGIN_DECLS

/* The app's one PostierGoaAccounts, made on first use on the main
 * context (it never blocks; without GOA its list stays empty). Borrowed. */
PostierGoaAccounts *postier_online_accounts_get            (void);
/* GOA's mail accounts now (PostierGoaMailAccount), transfer full. */
GPtrArray          *postier_online_accounts_list           (void);
/* The account named NAME ("goa:ID") as GOA last said, or NULL. Borrowed:
 * valid until the next PostierGoaAccounts::changed. */
PostierAccount     *postier_online_accounts_lookup_account (const char *name);
/* Whether Settings → Online Accounts can be opened here
 * (gnome-control-center on the PATH). */
gboolean            postier_online_accounts_can_open_settings (void);
/* Opens it; a failure is a warning (there is nothing else to do). */
void                postier_online_accounts_open_settings  (void);

G_END_DECLS
