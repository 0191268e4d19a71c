/* postier-error.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-error"

#include "config.h"

#include "postier-error.h"

G_DEFINE_QUARK (postier-account-error-quark, postier_account_error)
G_DEFINE_QUARK (postier-secret-error-quark, postier_secret_error)
G_DEFINE_QUARK (postier-message-error-quark, postier_message_error)
G_DEFINE_QUARK (postier-smtp-error-quark, postier_smtp_error)
G_DEFINE_QUARK (postier-outbox-error-quark, postier_outbox_error)
