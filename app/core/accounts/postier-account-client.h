/* postier-account-client.h — the one way from an account to an SMTP client
 *
 * Why: the send pipeline, the connection test and `postierctl account
 * test` each built their client from an account (Sandbox or relay, the
 * password from the keyring or the command, the timeout); a rule about
 * that — how a password is fetched and wiped, which client a Sandbox
 * account gets — now has one place.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "postier-account.h"
#include "postier-smtp-client.h"

G_BEGIN_DECLS

/* A client for ACCOUNT, not yet open: the built-in Sandbox's receiver for
 * a Sandbox account; otherwise one with everything the account says
 * (host, port, security, CA file, pin, authentication, DSN, client name)
 * and, when the account logs in, PASSWORD, or when PASSWORD is NULL the
 * one fetched from the keyring or the password command (blocking: call it
 * off the main thread). TIMEOUT_SECONDS 0 keeps the client's default.
 * NULL with ERROR when the password cannot be had. */
PostierSmtpClient *postier_account_new_smtp_client (PostierAccount  *account,
                                                    const char      *password,
                                                    guint            timeout_seconds,
                                                    GCancellable    *cancellable,
                                                    GError         **error);

G_END_DECLS
