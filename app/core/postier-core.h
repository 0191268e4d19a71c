/* postier-core.h — one include for users of libpostier-core
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "postier-error.h"
#include "postier-account.h"
#include "postier-account-store.h"
#include "postier-address-book.h"
#include "postier-draft.h"
#include "postier-autoconfig.h"
#include "postier-account-save.h"
#include "postier-connection-test.h"
#include "postier-envelope.h"
#include "postier-mime.h"
#include "postier-outbox.h"
#include "postier-outbox-entry.h"
#include "postier-secret-store.h"
#include "postier-paths.h"
#include "postier-sent-message.h"
#include "postier-sent-store.h"
#include "postier-submitter.h"
#include "postier-message-check.h"
#include "postier-relay-limits.h"
#include "postier-sandbox-checks.h"
#include "postier-mime-tree.h"
#include "postier-sandbox.h"
#include "postier-sandbox-message.h"
#include "postier-sandbox-store.h"
#include "postier-smtp-client.h"

G_BEGIN_DECLS

/* Initialises the libraries core depends on (GMime). Safe to call often. */
void postier_core_init (void);

/* For the programs (the app, postierctl), first thing in main(): makes the
 * process non-dumpable, so no core file or same-user ptrace can read the
 * passwords it may hold, and tightens Postier's existing folders to 0700.
 * Not for tests or libraries embedding core. */
void postier_core_protect_process (void);

G_END_DECLS
