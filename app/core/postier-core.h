/* postier-core.h — one include for users of libpostier-core
 *
 * For the app, the CLI and the tests only. Core's own files include the
 * headers they use, so their dependencies (and any include circle) stay
 * visible; the guard below makes that a compile error.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#ifdef POSTIER_CORE_COMPILATION
#error "postier-core.h is not for core's own files: include the headers you use"
#endif

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
#include "postier-sendmail.h"
#include "postier-outbox.h"
#include "postier-outbox-entry.h"
#include "postier-outbox-staging.h"
#include "postier-secret-store.h"
#include "postier-paths.h"
#include "postier-sent-message.h"
#include "postier-sent-store.h"
#include "postier-submitter.h"
#include "postier-message-check.h"
#include "postier-relay-limits.h"
#include "postier-relay-limiter.h"
#include "postier-sandbox-checks.h"
#include "postier-mime-tree.h"
#include "postier-sandbox.h"
#include "postier-sandbox-message.h"
#include "postier-sandbox-store.h"
#include "postier-smtp-client.h"
#include "postier-oauth.h"
#include "postier-oauth-provider.h"
#include "postier-init.h"
