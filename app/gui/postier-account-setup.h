/* postier-account-setup.h — the first-run page: add the account you send
 * mail with, or keep using the Sandbox for now
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "postier-account-editor.h"
#include "postier-account-store.h"

G_BEGIN_DECLS

#define POSTIER_TYPE_ACCOUNT_SETUP (postier_account_setup_get_type ())
G_DECLARE_FINAL_TYPE (PostierAccountSetup, postier_account_setup, POSTIER, ACCOUNT_SETUP, AdwBin)

/* Signals:
 *   ::account-added (const char *name)  the account and its password are
 *                                        stored; the first real account is
 *                                        now the default.
 *   ::dismissed ()                       the person chose the Sandbox for now.
 * Whoever shows the page closes it after either. */
PostierAccountSetup  *postier_account_setup_new        (PostierAccountStore *store);
PostierAccountEditor *postier_account_setup_get_editor (PostierAccountSetup *self);
/* Offers "Use the Sandbox for Now" (first run) or not (from "Add account"). */
void                  postier_account_setup_set_dismissible (PostierAccountSetup *self,
                                                             gboolean             dismissible);

G_END_DECLS
