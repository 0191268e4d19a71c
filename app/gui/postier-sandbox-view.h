/* postier-sandbox-view.h — the Sandbox inbox: what was captured, and for
 * each message its text, structure, source, envelope and check list
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "postier-account-store.h"
#include "postier-sandbox-store.h"

G_BEGIN_DECLS

#define POSTIER_TYPE_SANDBOX_VIEW (postier_sandbox_view_get_type ())
G_DECLARE_FINAL_TYPE (PostierSandboxView, postier_sandbox_view, POSTIER, SANDBOX_VIEW, AdwBin)

/* Watches STORE; ACCOUNTS gives the identities and the relay's SIZE limit
 * the check list compares with. */
PostierSandboxView *postier_sandbox_view_new        (PostierSandboxStore *store,
                                                     PostierAccountStore *accounts);
void                postier_sandbox_view_reload     (PostierSandboxView  *self);
/* The captured messages (PostierSandboxMessage), newest first. */
GListModel         *postier_sandbox_view_get_model  (PostierSandboxView  *self);
/* Shows one page of the message: "checks", "text", "structure", "source"
 * or "envelope". */
void                postier_sandbox_view_show_page  (PostierSandboxView  *self,
                                                     const char          *name);

/* Signals:
 *   ::message-loaded (const char *id)   the detail pane shows that message
 *                                       with its check list.
 */

G_END_DECLS
