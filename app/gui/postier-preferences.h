/* postier-preferences.h — the accounts: add, edit, remove, set the
 * default, test; and whether the Sandbox is offered
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "postier-account-store.h"

G_BEGIN_DECLS

#define POSTIER_TYPE_PREFERENCES (postier_preferences_get_type ())
G_DECLARE_FINAL_TYPE (PostierPreferences, postier_preferences, POSTIER, PREFERENCES, AdwPreferencesWindow)

PostierPreferences *postier_preferences_new            (GtkWindow          *parent,
                                                        PostierAccountStore *store);
/* Opens the editor of ACCOUNT_NAME, or a new account's when NULL. */
void                postier_preferences_edit_account   (PostierPreferences *self,
                                                        const char         *account_name);

/* Signals:
 *   ::account-saved (const char *name)
 *       an account was added or edited, its password perhaps changed.
 */

G_END_DECLS
