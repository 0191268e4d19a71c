/* test-connection-test.c — "Test connection" against the rig's Postfix:
 * what works is confirmed with the details, what fails is said plainly
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "postier-core.h"
#include "postier-connection-test.h"
#include "postier-sandbox.h"
#include "postier-test.h"

static PostierAccount *
rig_account (PostierSecurity security)
{
  const char *port = security == POSTIER_SECURITY_TLS ? postier_test_rig ("SMTPS_PORT")
                                                      : postier_test_rig ("SUBMISSION_PORT");
  const char *ca = postier_test_rig ("CA");
  const char *user = postier_test_rig ("USER");
  PostierAccount *account;

  if (port == NULL || ca == NULL || user == NULL)
    return NULL;

  account = postier_account_new ("Rig");
  postier_account_set_identity (account, "Alice <alice@localhost>");
  postier_account_set_host (account, "localhost");
  postier_account_set_port (account, (guint) g_ascii_strtoull (port, NULL, 10));
  postier_account_set_security (account, security);
  postier_account_set_user (account, user);
  postier_account_set_ca_file (account, ca);
  return account;
}

typedef struct {
  gboolean  done;
  gboolean  ok;
  GError   *error;
} Outcome;

static void
run_done (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Outcome *outcome = user_data;

  outcome->ok = postier_connection_test_run_finish (POSTIER_CONNECTION_TEST (source), result,
                                                    &outcome->error);
  outcome->done = TRUE;
}

static Outcome
run (PostierConnectionTest *test)
{
  Outcome outcome = { 0 };

  postier_connection_test_run_async (test, NULL, run_done, &outcome);
  while (!outcome.done)
    g_main_context_iteration (NULL, TRUE);
  return outcome;
}

static void
test_success_shows_details (gconstpointer data)
{
  PostierSecurity security = GPOINTER_TO_INT (data);
  g_autoptr(PostierAccount) account = rig_account (security);
  g_autoptr(PostierConnectionTest) test = NULL;
  g_autofree char *report = NULL;
  Outcome outcome;

  if (account == NULL || postier_test_rig ("PASSWORD") == NULL)
    return;

  test = postier_connection_test_new (account);
  postier_connection_test_set_password (test, postier_test_rig ("PASSWORD"));
  outcome = run (test);
  g_assert_no_error (outcome.error);
  g_assert_true (outcome.ok);

  report = postier_connection_test_describe (test, NULL);
  g_test_message ("%s", report);
  g_assert_true (g_str_has_prefix (report, "Postier can send mail through localhost."));
  g_assert_nonnull (postier_connection_test_get_auth_mechanism (test));
  g_assert_nonnull (strstr (report, postier_connection_test_get_auth_mechanism (test)));
  g_assert_nonnull (strstr (report, "Encryption: TLS"));
  g_assert_nonnull (strstr (report, "Certificate:"));
  g_assert_nonnull (strstr (report, "PIPELINING"));
  /* Postfix announces its SIZE limit, and the report says it readably. */
  g_assert_cmpuint (postier_connection_test_get_size_limit (test), >, 0);
  g_assert_nonnull (strstr (report, "Largest message accepted: "));
  /* Nothing secret in what the person may copy. */
  g_assert_null (strstr (report, postier_test_rig ("PASSWORD")));
  g_assert_null (strstr (postier_connection_test_get_transcript (test), postier_test_rig ("PASSWORD")));
}

static void
test_wrong_password (void)
{
  g_autoptr(PostierAccount) account = rig_account (POSTIER_SECURITY_STARTTLS);
  g_autoptr(PostierConnectionTest) test = NULL;
  g_autofree char *report = NULL;
  Outcome outcome;

  if (account == NULL)
    return;

  test = postier_connection_test_new (account);
  postier_connection_test_set_password (test, "certainly not the password");
  outcome = run (test);
  g_assert_false (outcome.ok);
  g_assert_error (outcome.error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_AUTH);

  report = postier_connection_test_describe (test, outcome.error);
  g_test_message ("%s", report);
  g_assert_true (g_str_has_prefix (report, "The server refused the user name or password."));
  g_assert_nonnull (strstr (report, "Details: "));
  /* It got as far as TLS, which the report still shows. */
  g_assert_nonnull (strstr (report, "Encryption: TLS"));
  g_assert_null (strstr (report, "certainly not the password"));
  g_clear_error (&outcome.error);
}

static void
test_server_down (void)
{
  g_autoptr(PostierAccount) account = postier_account_new ("Down");
  g_autoptr(PostierConnectionTest) test = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) bound = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) local = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *report = NULL;
  Outcome outcome;
  guint port;

  /* A port that was free a moment ago and has nobody listening. */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_assert_true (g_socket_bind (socket, bound, FALSE, &error));
  local = g_socket_get_local_address (socket, &error);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
  g_socket_close (socket, NULL);

  postier_account_set_identity (account, "alice@localhost");
  postier_account_set_host (account, "127.0.0.1");
  postier_account_set_port (account, port);
  postier_account_set_security (account, POSTIER_SECURITY_STARTTLS);
  postier_account_set_auth (account, POSTIER_AUTH_NONE);

  test = postier_connection_test_new (account);
  postier_connection_test_set_timeout (test, 5);
  outcome = run (test);
  g_assert_false (outcome.ok);
  g_assert_error (outcome.error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_NETWORK);

  report = postier_connection_test_describe (test, outcome.error);
  g_assert_true (g_str_has_prefix (report, "Postier could not reach the server."));
  g_clear_error (&outcome.error);
}

static void
test_untrusted_certificate (void)
{
  g_autoptr(PostierAccount) account = rig_account (POSTIER_SECURITY_TLS);
  g_autoptr(PostierConnectionTest) test = NULL;
  g_autofree char *report = NULL;
  Outcome outcome;

  if (account == NULL)
    return;

  /* The rig's CA is not in the system store. */
  postier_account_set_ca_file (account, NULL);
  test = postier_connection_test_new (account);
  postier_connection_test_set_password (test, "never sent");
  outcome = run (test);
  g_assert_false (outcome.ok);
  g_assert_error (outcome.error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_TLS_CERTIFICATE);

  report = postier_connection_test_describe (test, outcome.error);
  g_test_message ("%s", report);
  g_assert_true (g_str_has_prefix (report, "The server’s certificate is not trusted"));
  /* The certificate is described so the person can compare it. */
  g_assert_nonnull (postier_connection_test_get_certificate_summary (test));
  g_assert_nonnull (strstr (report, "Certificate:"));
  g_clear_error (&outcome.error);
}

/* The built-in Sandbox is tested like any relay: TLS pinned, AUTH PLAIN
 * with the password from the keyring, all on this machine. */
static void
test_sandbox_account (void)
{
  g_autoptr(PostierAccountStore) store = postier_account_store_new (NULL);
  g_autoptr(PostierConnectionTest) test = NULL;
  g_autofree char *report = NULL;
  Outcome outcome;

  if (postier_test_rig ("KEYRING") == NULL)
    return;

  test = postier_connection_test_new (postier_account_store_get_sandbox (store));
  outcome = run (test);
  g_assert_no_error (outcome.error);
  g_assert_true (outcome.ok);
  report = postier_connection_test_describe (test, NULL);
  g_test_message ("%s", report);
  g_assert_nonnull (strstr (report, "Signed in with PLAIN."));
  g_assert_nonnull (strstr (report, "Encryption: TLS"));
  postier_sandbox_stop (postier_sandbox_get_default ());
}

static void
test_explain_messages (void)
{
  g_autoptr(GError) secret = g_error_new_literal (POSTIER_SECRET_ERROR,
                                                  POSTIER_SECRET_ERROR_NOT_FOUND, "x");
  g_autoptr(GError) cancelled = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "x");
  g_autoptr(GError) other = g_error_new_literal (G_FILE_ERROR, G_FILE_ERROR_NOENT, "x");

  g_assert_null (postier_smtp_error_explain (NULL));
  g_assert_true (g_str_has_prefix (postier_smtp_error_explain (secret), "No password is stored"));
  g_assert_cmpstr (postier_smtp_error_explain (cancelled), ==, "The test was cancelled.");
  g_assert_nonnull (postier_smtp_error_explain (other));

  /* Every SMTP error class has its own sentence. */
  for (int code = POSTIER_SMTP_ERROR_NETWORK; code <= POSTIER_SMTP_ERROR_TOO_BIG; code++)
    {
      g_autoptr(GError) a = g_error_new_literal (POSTIER_SMTP_ERROR, code, "x");
      g_assert_cmpstr (postier_smtp_error_explain (a), !=, postier_smtp_error_explain (other));
      for (int other_code = code + 1; other_code <= POSTIER_SMTP_ERROR_TOO_BIG; other_code++)
        {
          g_autoptr(GError) b = g_error_new_literal (POSTIER_SMTP_ERROR, other_code, "x");
          g_assert_cmpstr (postier_smtp_error_explain (a), !=, postier_smtp_error_explain (b));
        }
    }
}

int
main (int   argc,
      char *argv[])
{
  postier_test_init (&argc, &argv);

  g_test_add_data_func ("/connection-test/success/starttls",
                        GINT_TO_POINTER (POSTIER_SECURITY_STARTTLS), test_success_shows_details);
  g_test_add_data_func ("/connection-test/success/tls",
                        GINT_TO_POINTER (POSTIER_SECURITY_TLS), test_success_shows_details);
  g_test_add_func ("/connection-test/wrong-password", test_wrong_password);
  g_test_add_func ("/connection-test/server-down", test_server_down);
  g_test_add_func ("/connection-test/untrusted-certificate", test_untrusted_certificate);
  g_test_add_func ("/connection-test/sandbox", test_sandbox_account);
  g_test_add_func ("/connection-test/explain", test_explain_messages);

  return g_test_run ();
}
