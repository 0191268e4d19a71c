/* postier-account-setup.h — the set-up dialog: add the account you send
 * mail with, or (on first run) keep using the Sandbox for now
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "postier-account-editor.h"
#include "postier-account-store.h"

G_BEGIN_DECLS

#define POSTIER_TYPE_ACCOUNT_SETUP (postier_account_setup_get_type ())
G_DECLARE_FINAL_TYPE (PostierAccountSetup, postier_account_setup, POSTIER, ACCOUNT_SETUP, AdwWindow)

/* A modal window: set it transient for the main window, then present it.
 * Escape closes it. Signals, after which it destroys itself:
 *   ::account-added (const char *name)  the account and its password are
 *                                        stored; the first real account is
 *                                        now the default.
 *   ::dismissed ()                       the person chose the Sandbox for
 *                                        now; remembered in GSettings
 *                                        ("account-setup-dismissed"). */
PostierAccountSetup  *postier_account_setup_new        (PostierAccountStore *store);
PostierAccountEditor *postier_account_setup_get_editor (PostierAccountSetup *self);
/* First run: "Welcome to Postier", and offers "Use the Sandbox for Now"
 * and the accounts of GNOME Online Accounts (Use).
 * Otherwise (the default, from "Add Account"): neither. */
void                  postier_account_setup_set_first_run (PostierAccountSetup *self,
                                                           gboolean             first_run);

G_END_DECLS
