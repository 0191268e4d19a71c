/* postier-sandbox.h — the built-in capture relay behind the Sandbox account
 *
 * A small SMTP receiver inside Postier, on 127.0.0.1 and a free port, only
 * while needed, with STARTTLS (a self-signed certificate made on first use,
 * pinned by the Sandbox account) and AUTH PLAIN. It stores each message,
 * with the envelope it saw, in the sandbox Maildir (see
 * postier-sandbox-store.h to read it back). Nothing it receives ever leaves
 * the machine: it has no code that sends mail anywhere.
 *
 * The receiver runs on threads of its own (one accepting, one per client),
 * never on a main context, so a GUI, postierctl and the submitter's worker
 * may all use it. It stops by itself once no client has been seen for the
 * idle time (postier_sandbox_set_limits), and starts again on demand.
 *
 * The password is random, made once and kept in the keyring under the
 * Sandbox account like any other account's password; when no keyring is
 * reachable, a per-process password is used instead (client and receiver
 * live in the same process) and a g_message() says so.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "postier-account.h"
#include "postier-sandbox-limits.h"
#include "postier-smtp-client.h"

G_BEGIN_DECLS

#define POSTIER_TYPE_SANDBOX (postier_sandbox_get_type ())
G_DECLARE_FINAL_TYPE (PostierSandbox, postier_sandbox, POSTIER, SANDBOX, GObject)

/* DATA_DIR NULL means $XDG_DATA_HOME/postier/sandbox (the Maildir, read
 * when the receiver starts) and $XDG_DATA_HOME/postier/sandbox-tls (the
 * certificate and key). With a DATA_DIR, the TLS folder is
 * DATA_DIR/../sandbox-tls. */
PostierSandbox    *postier_sandbox_new             (const char      *data_dir);
/* One per process, for the submitter, postierctl and the app. Thread-safe. */
PostierSandbox    *postier_sandbox_get_default     (void);

/* The Maildir this receiver writes to. Transfer full. */
char              *postier_sandbox_dup_maildir     (PostierSandbox  *self);

/* Defaults in *LIMITS; then change what you need and set them. Limits apply
 * to connections accepted after the call. */
void               postier_sandbox_get_limits      (PostierSandbox        *self,
                                                    PostierSandboxLimits  *limits);
void               postier_sandbox_set_limits      (PostierSandbox        *self,
                                                    const PostierSandboxLimits *limits);

/* Starts the receiver if it is not running (making the certificate on first
 * use) and returns its port; resets the idle clock. Thread-safe. */
guint              postier_sandbox_start           (PostierSandbox  *self,
                                                    GError         **error);
/* Stops listening, drops every client (a message being received is not
 * stored) and waits for the threads. Safe to call when stopped. */
void               postier_sandbox_stop            (PostierSandbox  *self);
gboolean           postier_sandbox_is_running      (PostierSandbox  *self);
/* 0 when stopped. */
guint              postier_sandbox_get_port        (PostierSandbox  *self);

/* "AB:CD:…" SHA-256 of the certificate (DER), making it if needed. */
char              *postier_sandbox_dup_certificate_sha256 (PostierSandbox *self,
                                                           GError        **error);
/* The PEM file of the certificate, for clients that want a CA file. */
char              *postier_sandbox_dup_certificate_path   (PostierSandbox *self,
                                                           GError        **error);

/* The password of the Sandbox ACCOUNT: looked up in the keyring, made and
 * stored there the first time; see the top of this file for the fallback.
 * The receiver accepts AUTH PLAIN from the account's login with it. May
 * block up to the keyring's timeout; never on the main thread of a GUI. */
char              *postier_sandbox_dup_password    (PostierSandbox  *self,
                                                    PostierAccount  *account,
                                                    GError         **error);

/* A client for the Sandbox ACCOUNT, pointed at the running receiver
 * (started if needed), with its password and the certificate's pin set on
 * the client's copy of the account. */
PostierSmtpClient *postier_sandbox_create_client   (PostierSandbox  *self,
                                                    PostierAccount  *account,
                                                    GError         **error);

/* Signals, emitted from a receiver thread (connect with care, or watch the
 * Maildir through PostierSandboxStore::changed, which also sees other
 * processes):
 *   ::message-received (const char *id)   after the message is on disk.
 */

G_END_DECLS
