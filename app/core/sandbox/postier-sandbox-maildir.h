/* postier-sandbox-maildir.h — writing a captured message and its envelope
 *
 * The receiver's session writes here; the store (postier-sandbox-store.h)
 * reads the same layout back. A header of its own, below both and below
 * postier-sandbox.h, so that none of them includes another's in a circle.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The envelope file's folder inside the sandbox folder. */
#define POSTIER_SANDBOX_ENVELOPE_DIR "envelope"

/* What the receiver saw for one message. */
typedef struct {
  char      *sender;           /* MAIL FROM, "" for <> */
  GPtrArray *recipients;       /* char *, every accepted RCPT TO */
  char      *mail_parameters;  /* "SIZE=… BODY=…", or NULL */
  char      *helo;
  char      *login;
  char      *tls;
  gboolean   smtputf8;
} PostierSandboxEnvelope;

PostierSandboxEnvelope *postier_sandbox_envelope_new   (void);
void                    postier_sandbox_envelope_reset (PostierSandboxEnvelope *envelope);
void                    postier_sandbox_envelope_free  (PostierSandboxEnvelope *envelope);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PostierSandboxEnvelope, postier_sandbox_envelope_free)

/* Creates tmp/, new/, cur/ and envelope/ (0700) under DIR. */
gboolean  postier_sandbox_maildir_ensure      (const char                   *dir,
                                               GError                      **error);
/* A Maildir unique name, unique across threads of this process too. */
char     *postier_sandbox_maildir_unique_name (void);
/* DIR/tmp/NAME is written and fsynced: writes the envelope durably, then
 * renames the message into new/ and fsyncs new/, so a message in new/
 * always has its envelope. On failure both are removed. */
gboolean  postier_sandbox_maildir_deliver     (const char                   *dir,
                                               const char                   *name,
                                               const PostierSandboxEnvelope *envelope,
                                               GError                      **error);

G_END_DECLS
