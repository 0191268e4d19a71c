/* postier-connection-test.h — "Test connection": can this account reach
 * its relay, secure the connection and sign in?
 *
 * Opens one SMTP session with the account's settings (connect, TLS,
 * certificate check, EHLO, AUTH), closes it, and keeps what a person wants
 * to see: the capabilities, the TLS and certificate summary, the SASL
 * mechanism used, or the error in plain words. Nothing is sent.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "postier-account.h"

G_BEGIN_DECLS

#define POSTIER_TYPE_CONNECTION_TEST (postier_connection_test_get_type ())
G_DECLARE_FINAL_TYPE (PostierConnectionTest, postier_connection_test, POSTIER, CONNECTION_TEST, GObject)

/* The account is copied. The password, when set, is used instead of the
 * keyring's (the set-up page tests before anything is stored). */
PostierConnectionTest *postier_connection_test_new        (PostierAccount        *account);
void                   postier_connection_test_set_password (PostierConnectionTest *self,
                                                           const char            *password);
/* Seconds for connect and each read (default 20: a person is waiting). */
void                   postier_connection_test_set_timeout (PostierConnectionTest *self,
                                                            guint                  seconds);

/* Runs on a worker thread. FALSE with the session's error when the
 * account cannot send; the details below are filled either way, as far as
 * the session got. */
void                   postier_connection_test_run_async  (PostierConnectionTest *self,
                                                           GCancellable          *cancellable,
                                                           GAsyncReadyCallback    callback,
                                                           gpointer               user_data);
gboolean               postier_connection_test_run_finish (PostierConnectionTest *self,
                                                           GAsyncResult          *result,
                                                           GError               **error);
/* The same, blocking (postierctl, tests). */
gboolean               postier_connection_test_run_sync   (PostierConnectionTest *self,
                                                           GCancellable          *cancellable,
                                                           GError               **error);

guint64                postier_connection_test_get_size_limit   (PostierConnectionTest *self);
const char            *postier_connection_test_get_auth_mechanism (PostierConnectionTest *self);
const char            *postier_connection_test_get_certificate_summary (PostierConnectionTest *self);
const char            *postier_connection_test_get_transcript   (PostierConnectionTest *self);

/* A readable report of the last run, translated: a first line that says
 * whether mail can be sent, then the details. ERROR is the run's error or
 * NULL after a success. */
char                  *postier_connection_test_describe   (PostierConnectionTest *self,
                                                           const GError          *error);

/* What a submission error means for the person, in a sentence that says
 * what to do ("The server refused the user name or password. Check them in
 * the account settings."). Covers POSTIER_SMTP_ERROR, POSTIER_SECRET_ERROR
 * and cancellation; other errors get a general sentence. */
const char            *postier_smtp_error_explain         (const GError          *error);

G_END_DECLS
