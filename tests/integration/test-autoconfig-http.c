/* test-autoconfig-http.c — Mozilla autoconfig against a real HTTPS server
 *
 * Runs inside tests/rig/autoconfig-net.sh: *.test names resolve to
 * 127.0.0.1 through /etc/hosts, a test CA is the system trust store, and
 * tests/rig/autoconfig-server.py serves the files on port 443. Postier
 * takes its normal path (libsoup, glib-networking, the system resolver).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "postier-autoconfig-http.h"
#include "postier-core.h"
#include "postier-server-finder.h"
#include "postier-test.h"

static GAsyncResult *
wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static void
store_result (G_GNUC_UNUSED GObject *source,
              GAsyncResult          *result,
              gpointer               user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GPtrArray *
fetch (const char  *address,
       guint        timeout_ms,
       GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  postier_autoconfig_fetch_async (address, timeout_ms, NULL, store_result, &result);
  return postier_autoconfig_fetch_finish (wait_for (&result), error);
}

static PostierServerSuggestion *
find (const char  *address,
      GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  postier_server_find_async (NULL, address, 0, NULL, store_result, &result);
  return postier_server_find_finish (wait_for (&result), error);
}

static gboolean
in_netns (void)
{
  return postier_test_rig ("AUTOCONFIG_LOG") != NULL;
}

static void
test_autoconfig_domain (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) found = NULL;
  g_autofree char *log = NULL;
  PostierServerSuggestion *first;

  if (!in_netns ())
    return;
  found = fetch ("Ada Lovelace <ada@good.test>", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (found->len, ==, 1);
  first = g_ptr_array_index (found, 0);
  g_assert_cmpstr (first->host, ==, "smtp.good.test");
  g_assert_cmpuint (first->port, ==, 465);
  g_assert_cmpint (first->security, ==, POSTIER_SECURITY_TLS);
  g_assert_cmpint (first->auth, ==, POSTIER_AUTH_AUTO);
  g_assert_cmpstr (first->user, ==, "ada@good.test");
  g_assert_cmpstr (first->provider_name, ==, "Good Mail");
  g_assert_true (first->may_fill);
  g_assert_cmpint (first->source, ==, POSTIER_SERVER_SOURCE_AUTOCONFIG);
  g_assert_true (g_str_has_prefix (first->found_at, "https://autoconfig.good.test/"));

  /* The address went along, as the protocol says, escaped. */
  log = postier_test_read_file (g_getenv ("POSTIER_TEST_AUTOCONFIG_LOG"), NULL);
  g_assert_nonnull (strstr (log, "autoconfig.good.test /mail/config-v1.1.xml?emailaddress=ada%40good.test\n"));
}

static void
test_well_known (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PostierServerSuggestion) found = NULL;

  if (!in_netns ())
    return;
  /* autoconfig.wellknown.test does not exist: the second URL answers. */
  found = find ("bob@wellknown.test", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found->host, ==, "smtp.wellknown.test");
  g_assert_cmpuint (found->port, ==, 587);
  g_assert_cmpint (found->security, ==, POSTIER_SECURITY_STARTTLS);
  g_assert_cmpstr (found->user, ==, "bob");
  g_assert_true (found->may_fill);
  g_assert_cmpstr (found->found_at, ==, "https://wellknown.test/.well-known/autoconfig/mail/config-v1.1.xml");
}

static void
test_outside_domain_is_a_suggestion (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PostierServerSuggestion) found = NULL;

  if (!in_netns ())
    return;
  found = find ("ada@outside.test", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found->host, ==, "smtp.provider.example");
  g_assert_false (found->may_fill);
}

static void
test_oauth_and_skipped_entries (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PostierServerSuggestion) found = NULL;

  if (!in_netns ())
    return;
  /* The first entry is plain text on port 25: never proposed. The second
   * lists NTLM (not done) before OAuth2. */
  found = find ("ada@oauth.test", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found->host, ==, "smtp.oauth.test");
  g_assert_cmpint (found->security, ==, POSTIER_SECURITY_STARTTLS);
  g_assert_cmpint (found->auth, ==, POSTIER_AUTH_XOAUTH2);
}

static void
assert_fetch_fails (const char *address,
                    GQuark      domain,
                    int         code,
                    const char *words)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) found = fetch (address, 0, &error);

  g_assert_null (found);
  g_assert_error (error, domain, code);
  g_test_message ("%s: %s", address, error->message);
  if (words != NULL)
    g_assert_nonnull (strstr (error->message, words));
}

static void
test_bad_xml (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PostierServerSuggestion) found = NULL;

  if (!in_netns ())
    return;
  assert_fetch_fails ("ada@badxml.test", POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_INVALID, "not valid");
  /* The finder says why it found nothing. */
  found = find ("ada@badxml.test", &error);
  g_assert_null (found);
  g_assert_error (error, POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "not valid"));
}

static void
test_redirect_to_http_refused (void)
{
  if (!in_netns ())
    return;
  assert_fetch_fails ("ada@redirect.test", POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_INVALID,
                      "http://redirect.test/");
}

static void
test_redirect_to_https_followed (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) found = NULL;
  PostierServerSuggestion *first;

  if (!in_netns ())
    return;
  found = fetch ("ada@redirect-ok.test", 0, &error);
  g_assert_no_error (error);
  first = g_ptr_array_index (found, 0);
  g_assert_cmpstr (first->host, ==, "smtp.wellknown.test");
  /* Another domain's server, even over HTTPS: the person decides. */
  g_assert_false (first->may_fill);
}

static void
test_wrong_certificate_refused (void)
{
  if (!in_netns ())
    return;
  assert_fetch_fails ("ada@wrongname.test", G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE, NULL);
}

static void
test_too_big_refused (void)
{
  if (!in_netns ())
    return;
  assert_fetch_fails ("ada@big.test", POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_INVALID, "larger than");
}

static void
test_slow_server_time_limit (void)
{
  if (!in_netns ())
    return;
  /* The server holds its answer for a minute; the limit ends the wait. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) found = fetch ("ada@slow.test", 1000, &error);

    g_assert_null (found);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  }
}

static gboolean
cancel_soon (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

static void
test_cancel (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PostierServerSuggestion) found = NULL;
  g_autofree char *log = NULL;

  if (!in_netns ())
    return;
  postier_server_find_async (NULL, "ada@slow.test", 0, cancellable, store_result, &result);
  /* Cancel once the request is with the server. */
  do
    {
      g_main_context_iteration (NULL, FALSE);
      g_free (log);
      log = postier_test_read_file (g_getenv ("POSTIER_TEST_AUTOCONFIG_LOG"), NULL);
    }
  while (strstr (log, "autoconfig.slow.test") == NULL && (g_usleep (10000), TRUE));
  g_idle_add (cancel_soon, cancellable);
  found = postier_server_find_finish (wait_for (&result), &error);
  g_assert_null (found);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_cli_fills_in_domain (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  if (!in_netns ())
    return;
  status = postier_test_run_ctl (NULL, &out, &err, "account", "add", "Good", "--from", "Ada <ada@good.test>",
                                 NULL);
  g_test_message ("out: %s\nerr: %s", out, err);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, "smtp.good.test"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  status = postier_test_run_ctl (NULL, &out, &err, "account", "show", "Good", NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, "smtp.good.test"));
  g_assert_nonnull (strstr (out, "465"));
}

static void
test_cli_outside_domain_not_used (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  if (!in_netns ())
    return;
  status = postier_test_run_ctl (NULL, &out, &err, "account", "add", "Out", "--from", "ada@outside.test", NULL);
  g_test_message ("out: %s\nerr: %s", out, err);
  g_assert_cmpint (status, ==, 64);
  /* Named, with the command that would use it, and nothing saved. */
  g_assert_nonnull (strstr (err, "smtp.provider.example"));
  g_assert_nonnull (strstr (err, "--host smtp.provider.example"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  status = postier_test_run_ctl (NULL, &out, &err, "account", "show", "Out", NULL);
  g_assert_cmpint (status, !=, 0);
}

static void
test_cli_certificate_refused (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  if (!in_netns ())
    return;
  status = postier_test_run_ctl (NULL, &out, &err, "account", "add", "Wrong", "--from", "ada@wrongname.test",
                                 NULL);
  g_test_message ("out: %s\nerr: %s", out, err);
  g_assert_cmpint (status, ==, 64);
  g_assert_nonnull (strstr (err, "wrongname.test"));
  g_assert_nonnull (strstr (err, "--host"));
}

int
main (int    argc,
      char **argv)
{
  postier_test_init (&argc, &argv);

  g_test_add_func ("/autoconfig/http/domain", test_autoconfig_domain);
  g_test_add_func ("/autoconfig/http/well-known", test_well_known);
  g_test_add_func ("/autoconfig/http/outside-domain", test_outside_domain_is_a_suggestion);
  g_test_add_func ("/autoconfig/http/oauth", test_oauth_and_skipped_entries);
  g_test_add_func ("/autoconfig/http/bad-xml", test_bad_xml);
  g_test_add_func ("/autoconfig/http/redirect-to-http", test_redirect_to_http_refused);
  g_test_add_func ("/autoconfig/http/redirect-to-https", test_redirect_to_https_followed);
  g_test_add_func ("/autoconfig/http/wrong-certificate", test_wrong_certificate_refused);
  g_test_add_func ("/autoconfig/http/too-big", test_too_big_refused);
  g_test_add_func ("/autoconfig/http/slow", test_slow_server_time_limit);
  g_test_add_func ("/autoconfig/http/cancel", test_cancel);
  g_test_add_func ("/autoconfig/cli/fills-in-domain", test_cli_fills_in_domain);
  g_test_add_func ("/autoconfig/cli/outside-domain", test_cli_outside_domain_not_used);
  g_test_add_func ("/autoconfig/cli/certificate-refused", test_cli_certificate_refused);

  return g_test_run ();
}
