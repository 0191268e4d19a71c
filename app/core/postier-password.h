/* postier-password.h — wiping passwords, tokens and the lines that carry them
 *
 * A base file because every layer holds secrets for a moment (the keyring
 * store, the SMTP login, the SASL exchange, the Sandbox, the CLI's
 * --password-stdin) and each must wipe them the same way: explicit_bzero(),
 * which the compiler may not drop the way it may drop a memset() before a
 * free().
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Overwrites TEXT with zeros up to its terminating NUL. NULL is fine. */
void      postier_password_wipe                 (char                *text);
/* Wipes PASSWORD as above and frees it (g_free). NULL is fine. */
void      postier_password_free                 (char                *password);
/* g_autoptr(PostierPassword) for a password held in a local variable. */
typedef char PostierPassword;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PostierPassword, postier_password_free)

G_END_DECLS
