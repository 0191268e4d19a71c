/* postier-sandbox-store.h — reading and tidying the Sandbox's Maildir
 *
 * Layout under the sandbox folder ($XDG_DATA_HOME/postier/sandbox):
 *
 *   tmp/ new/ cur/        a Maildir; each file holds exactly the bytes the
 *                         client sent (CRLF line ends, dot-stuffing undone)
 *   envelope/<id>         a key file per message: MAIL FROM, RCPT TO, EHLO
 *                         name, login, TLS, received time
 *
 * The envelope lives beside the Maildir rather than in added headers so
 * the stored message stays byte-identical to what was submitted, and Maildir
 * readers (mutt -f) still see a clean folder: they ignore other folders.
 *
 * A store object holds nothing in memory: each call reads the folder, so
 * the app, postierctl and the receiver's threads may share it. Every call
 * is safe from any thread.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "postier-sandbox-message.h"

G_BEGIN_DECLS

#define POSTIER_TYPE_SANDBOX_STORE (postier_sandbox_store_get_type ())
G_DECLARE_FINAL_TYPE (PostierSandboxStore, postier_sandbox_store, POSTIER, SANDBOX_STORE, GObject)

/* DIR NULL means $XDG_DATA_HOME/postier/sandbox (resolved now). */
PostierSandboxStore   *postier_sandbox_store_new      (const char            *dir);

/* Every captured message (PostierSandboxMessage), newest first. A missing
 * folder is an empty list. Unreadable files are skipped and logged. */
GPtrArray             *postier_sandbox_store_list     (PostierSandboxStore   *self,
                                                       GError               **error);
/* By id, or by a prefix that names exactly one message. Fails with
 * G_IO_ERROR_NOT_FOUND, or G_IO_ERROR_INVALID_ARGUMENT when ambiguous. */
PostierSandboxMessage *postier_sandbox_store_lookup   (PostierSandboxStore   *self,
                                                       const char            *id,
                                                       GError               **error);
gboolean               postier_sandbox_store_delete   (PostierSandboxStore   *self,
                                                       const char            *id,
                                                       GError               **error);
/* Deletes every message and envelope; returns how many messages went. */
guint                  postier_sandbox_store_clear    (PostierSandboxStore   *self,
                                                       GError               **error);

/* Starts watching the folder: ::changed is emitted (on the thread-default
 * main context of the caller) when messages arrive or go, from this
 * process or another. Idempotent. */
gboolean               postier_sandbox_store_watch    (PostierSandboxStore   *self,
                                                       GError               **error);

/* Signals:
 *   ::changed ()    something in new/ or cur/ changed (after watch()).
 */

G_END_DECLS
