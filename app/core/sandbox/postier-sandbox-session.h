/* postier-sandbox-session.h — one SMTP conversation of the Sandbox receiver
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <openssl/ssl.h>

#include "postier-sandbox-limits.h"

G_BEGIN_DECLS

typedef void (*PostierSandboxStoredFunc) (const char *id,
                                          gpointer    user_data);

/* Everything a session needs; the caller keeps it alive until the session
 * returns. LOGIN and PASSWORD NULL make AUTH fail temporarily (454). */
typedef struct {
  GSocket                  *socket;
  SSL_CTX                  *tls_context;
  GCancellable             *cancellable;   /* cancelled: the receiver stops */
  PostierSandboxLimits      limits;
  const char               *maildir;
  const char               *login;
  const char               *password;
  PostierSandboxStoredFunc  stored;
  gpointer                  stored_data;
  gint                     *authenticated;  /* atomic, set to 1 once AUTH succeeds; may be NULL */
} PostierSandboxSessionConfig;

/* Talks SMTP on CONFIG->socket until QUIT, an error, a limit, a timeout or
 * cancellation; closes nothing it did not open (the caller closes the
 * socket). Never fails loudly: problems are logged with g_debug. */
void postier_sandbox_session_run (const PostierSandboxSessionConfig *config);

G_END_DECLS
