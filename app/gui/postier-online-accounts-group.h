/* postier-online-accounts-group.h — "From Online Accounts": the mail
 * accounts of GNOME Online Accounts, read-only, with a button to their
 * settings; hidden while there are none
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define POSTIER_TYPE_ONLINE_ACCOUNTS_GROUP (postier_online_accounts_group_get_type ())
G_DECLARE_FINAL_TYPE (PostierOnlineAccountsGroup, postier_online_accounts_group, POSTIER,
                      ONLINE_ACCOUNTS_GROUP, AdwPreferencesGroup)

/* Property "offer-use" (default FALSE): each row has a Use button, which
 * emits ::account-chosen (const char *name, the "goa:ID" name) — for
 * first-run set-up. Each row's widget name is the account's name. */
GtkWidget *postier_online_accounts_group_new (void);

G_END_DECLS
