/* postier-sign-in-dialog.h — "Sign in to Google": the wait while the
 * person signs in in their browser (OAuth 2.0, Authorization Code with
 * PKCE and a loopback redirect), with Cancel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "postier-account.h"

G_BEGIN_DECLS

#define POSTIER_TYPE_SIGN_IN_DIALOG (postier_sign_in_dialog_get_type ())
G_DECLARE_FINAL_TYPE (PostierSignInDialog, postier_sign_in_dialog, POSTIER, SIGN_IN_DIALOG, AdwWindow)

/* A modal window over PARENT (may be NULL) for ACCOUNT, whose
 * oauth-provider is set. It opens the default browser at once and waits;
 * it closes by itself when the browser comes back signed in. Signal:
 *   ::finished (gboolean signed_in)  emitted once, just before the window
 *                                    destroys itself: TRUE when the refresh
 *                                    token is in the keyring; FALSE when the
 *                                    person cancelled or closed it (a
 *                                    refusal is shown in the window first,
 *                                    with Try Again). */
PostierSignInDialog *postier_sign_in_dialog_new   (GtkWindow      *parent,
                                                   PostierAccount *account);
/* Presents the window and starts the sign-in. */
void                 postier_sign_in_dialog_start (PostierSignInDialog *self);

G_END_DECLS
