/* postier-sandbox-checks.h — the Sandbox's check list, with its inputs
 *
 * What a captured message is compared with (the identities, the relay's
 * SIZE, SMTPUTF8) is gathered here, once, for `postierctl sandbox show` and
 * the Sandbox view alike, so one message always gets one verdict.
 *
 * The inputs, from the person's accounts:
 *  - identities: the Sandbox account's first — it is the account that
 *    sent the captured message, so its identity is "the account" of the
 *    From check — then every other account's, in the store's order;
 *  - the SIZE limit: the one the default account's relay announced, when
 *    the default account is a relay (what the real relay will accept is
 *    what matters before sending), with its name for the explanation;
 *  - SMTPUTF8: whether the captured message was submitted with it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "postier-account-store.h"
#include "postier-message-check.h"
#include "postier-sandbox-message.h"

G_BEGIN_DECLS

typedef struct _PostierSandboxChecks PostierSandboxChecks;

/* Reads what it needs from ACCOUNTS now, on the caller's thread (the
 * account store is not thread-safe); the result holds copies, is
 * immutable, and may be used from any thread. */
PostierSandboxChecks *postier_sandbox_checks_new          (PostierAccountStore        *accounts);
void                  postier_sandbox_checks_free         (PostierSandboxChecks       *checks);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PostierSandboxChecks, postier_sandbox_checks_free)

/* postier_message_check_run() on MESSAGE, whose raw bytes are BYTES (as
 * postier_sandbox_message_load_bytes() gives them), with those inputs. */
GPtrArray            *postier_sandbox_checks_run          (const PostierSandboxChecks *checks,
                                                           PostierSandboxMessage      *message,
                                                           GBytes                     *bytes);

G_END_DECLS
