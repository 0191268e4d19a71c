/* postier-goa-send.h — sending through a GNOME Online Accounts account
 *
 * Both calls block (D-Bus to GOA): call them from a worker thread, as the
 * flush and the connection test do. Credentials stay GOA's.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "postier-account.h"
#include "postier-goa.h"
#include "postier-smtp-client.h"

G_BEGIN_DECLS

/* The account a queued entry's "goa:ID" NAME stands for, as GOA has it
 * now; for one that is gone, has mail turned off or cannot be reached, a
 * placeholder whose SMTP client fails with the reason (so the entry waits
 * as needs attention, or deferred without GOA). NULL when NAME is not a
 * GOA name. Transfer full. */
PostierAccount *postier_goa_account_for_send (const char         *name,
                                              GCancellable       *cancellable);

/* Gives CLIENT the GOA account's credentials: its SMTP password, or an
 * OAuth 2.0 access token (with a token function asking GOA again when the
 * server refuses it). Errors: POSTIER_ACCOUNT_ERROR_NOT_FOUND (gone, mail
 * off), POSTIER_SMTP_ERROR_AUTH (GOA needs a new sign-in or refused),
 * POSTIER_SECRET_ERROR_NO_SERVICE (GOA unreachable: temporary). */
gboolean        postier_goa_sign_in_client   (PostierSmtpClient  *client,
                                              PostierAccount     *account,
                                              GCancellable       *cancellable,
                                              GError            **error);

G_END_DECLS
