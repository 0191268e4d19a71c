/* postier-test-sandbox.h — a Sandbox receiver and an independent client
 *
 * The receiver runs in the test process on a folder of the test's own; the
 * client is Python's smtplib (tests/sandbox-client.py), so what is tested
 * is the receiver, not Postier's SMTP client talking to itself.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "postier-core.h"
#include "postier-sandbox.h"
#include "postier-sandbox-store.h"

G_BEGIN_DECLS

typedef struct {
  PostierSandbox      *sandbox;
  PostierSandboxStore *store;
  PostierAccount      *account;     /* the built-in Sandbox account */
  char                *dir;         /* the Maildir */
  char                *cafile;
  char                *login;
  char                *password;
  guint                port;
} PostierTestSandbox;

/* Starts a receiver storing under $XDG_DATA_HOME/postier/sandbox. */
PostierTestSandbox *postier_test_sandbox_new    (void);
void                postier_test_sandbox_free   (PostierTestSandbox *fixture);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PostierTestSandbox, postier_test_sandbox_free)

/* Runs sandbox-client.py MODE with the connection options and the given
 * extra arguments (NULL-terminated); returns its JSON answer. */
JsonObject *postier_test_sandbox_client (PostierTestSandbox *fixture,
                                         const char         *mode,
                                         ...) G_GNUC_NULL_TERMINATED;

/* Sends MESSAGE from SENDER to RECIPIENTS (NULL-terminated) with smtplib,
 * expects success, and returns the newest captured message. */
PostierSandboxMessage *postier_test_sandbox_send (PostierTestSandbox  *fixture,
                                                  const char          *message,
                                                  gsize                length,
                                                  const char          *sender,
                                                  const char * const  *recipients,
                                                  gboolean             smtputf8);

G_END_DECLS
