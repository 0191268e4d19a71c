/* test-autoconfig-xml.c — reading config-v1.1.xml and the provider presets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "postier-autoconfig-http.h"
#include "postier-core.h"
#include "postier-provider-presets.h"
#include "postier-server-finder.h"
#include "postier-test.h"

#define OUTGOING(host, port, type, auth, user) \
  "<outgoingServer type=\"smtp\"><hostname>" host "</hostname><port>" port "</port>" \
  "<socketType>" type "</socketType>" auth "<username>" user "</username></outgoingServer>"

static GPtrArray *
parse_ok (const char *xml,
          const char *address)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *found = postier_autoconfig_parse_xml (xml, -1, address, &error);

  g_assert_no_error (error);
  g_assert_nonnull (found);
  return found;
}

static void
test_thunderbird_example (void)
{
  /* The shape of the files Thunderbird's ISPDB serves. */
  const char *xml =
    "<?xml version=\"1.0\"?>\n<clientConfig version=\"1.1\">"
    "<emailProvider id=\"example.com\"><domain>example.com</domain>"
    "<displayName>Example &amp; Co</displayName><displayShortName>Ex</displayShortName>"
    "<incomingServer type=\"imap\"><hostname>imap.example.com</hostname><port>993</port>"
    "<socketType>SSL</socketType><username>%EMAILADDRESS%</username></incomingServer>"
    OUTGOING ("SMTP.Example.com", "465", "SSL", "<authentication>password-cleartext</authentication>",
              "%EMAILLOCALPART%")
    OUTGOING ("smtp.example.com", "587", "STARTTLS", "<authentication>password-encrypted</authentication>",
              "%EMAILADDRESS%")
    "</emailProvider><documentation url=\"http://example.com/help\"><descr lang=\"en\">x</descr>"
    "</documentation></clientConfig>";
  g_autoptr(GPtrArray) found = parse_ok (xml, "ada.l@example.com");
  PostierServerSuggestion *first, *second;

  g_assert_cmpuint (found->len, ==, 2);
  first = g_ptr_array_index (found, 0);
  second = g_ptr_array_index (found, 1);
  g_assert_cmpstr (first->host, ==, "smtp.example.com");
  g_assert_cmpuint (first->port, ==, 465);
  g_assert_cmpint (first->security, ==, POSTIER_SECURITY_TLS);
  g_assert_cmpint (first->auth, ==, POSTIER_AUTH_AUTO);
  g_assert_cmpstr (first->user, ==, "ada.l");
  g_assert_cmpstr (first->provider_name, ==, "Example & Co");
  g_assert_cmpuint (second->port, ==, 587);
  g_assert_cmpint (second->security, ==, POSTIER_SECURITY_STARTTLS);
  g_assert_cmpstr (second->user, ==, "ada.l@example.com");
}

static void
test_skipped_entries (void)
{
  /* Plain text, an auth Postier does not do, a host that is not a plain
   * name, a port out of range: none of these is ever proposed. */
  const char *xml =
    "<clientConfig><emailProvider>"
    OUTGOING ("smtp.a.test", "25", "plain", "<authentication>password-cleartext</authentication>", "u")
    OUTGOING ("smtp.b.test", "587", "STARTTLS", "<authentication>GSSAPI</authentication>", "u")
    OUTGOING ("smtp.c.test/x", "465", "SSL", "", "u")
    OUTGOING ("smtp.d.test", "99999", "SSL", "", "u")
    "<outgoingServer type=\"exchange\"><hostname>ews.test</hostname></outgoingServer>"
    OUTGOING ("smtp.e.test", "465", "SSL",
              "<authentication>NTLM</authentication><authentication>OAuth2</authentication>", "u")
    "</emailProvider></clientConfig>";
  g_autoptr(GPtrArray) found = parse_ok (xml, "u@e.test");
  PostierServerSuggestion *only;

  g_assert_cmpuint (found->len, ==, 1);
  only = g_ptr_array_index (found, 0);
  g_assert_cmpstr (only->host, ==, "smtp.e.test");
  g_assert_cmpint (only->auth, ==, POSTIER_AUTH_XOAUTH2);
}

static void
test_refused_documents (void)
{
  const char *bad[] = {
    "",
    "<clientConfig><emailProvider>",
    "<clientConfig><emailProvider></clientConfig>",
    "<!DOCTYPE x [<!ENTITY e \"smtp.evil.test\">]><clientConfig>&e;</clientConfig>",
    "<clientConfig><emailProvider>" OUTGOING ("smtp.a.test", "25", "plain", "", "u")
    "</emailProvider></clientConfig>",
    "not xml at all",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) found = postier_autoconfig_parse_xml (bad[i], -1, "a@a.test", &error);

      g_assert_null (found);
      g_assert_error (error, POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_INVALID);
    }
}

static void
test_urls (void)
{
  g_auto(GStrv) urls = postier_autoconfig_urls ("Ada <ada+x@Example.ORG>");
  g_auto(GStrv) none = postier_autoconfig_urls ("ada@exa/mple.org");

  g_assert_cmpuint (g_strv_length (urls), ==, 2);
  g_assert_cmpstr (urls[0], ==, "https://autoconfig.example.org/mail/config-v1.1.xml?emailaddress=ada%2Bx%40Example.ORG");
  g_assert_cmpstr (urls[1], ==, "https://example.org/.well-known/autoconfig/mail/config-v1.1.xml");
  /* A domain that is not a host name never becomes part of a URL. */
  g_assert_null (none);
}

static void
test_presets (void)
{
  g_autoptr(PostierServerSuggestion) gmail = postier_provider_preset_for_domain ("gmail.com", "ada@gmail.com");
  g_autoptr(PostierServerSuggestion) hotmail = postier_provider_preset_for_domain ("hotmail.com", "ada@hotmail.com");
  g_autoptr(PostierServerSuggestion) unknown = postier_provider_preset_for_domain ("example.org", "ada@example.org");
  g_autoptr(PostierServerSuggestion) workspace = postier_provider_preset_for_mx ("ASPMX.L.GOOGLE.COM.", "ada@firm.test");
  g_autoptr(PostierServerSuggestion) m365 =
    postier_provider_preset_for_mx ("firm-test.mail.protection.outlook.com", "ada@firm.test");
  g_autoptr(PostierServerSuggestion) lookalike = postier_provider_preset_for_mx ("mx.notgoogle.com", "ada@firm.test");

  g_assert_cmpstr (gmail->host, ==, "smtp.gmail.com");
  g_assert_cmpuint (gmail->port, ==, 465);
  g_assert_cmpint (gmail->security, ==, POSTIER_SECURITY_TLS);
  g_assert_cmpint (gmail->auth, ==, POSTIER_AUTH_XOAUTH2);
  g_assert_cmpstr (gmail->oauth_provider, ==, "google");
  g_assert_cmpstr (gmail->user, ==, "ada@gmail.com");
  g_assert_true (gmail->may_fill);

  /* Built into Postier, so believed even outside the address's domain. */
  g_assert_cmpstr (hotmail->host, ==, "smtp.office365.com");
  g_assert_cmpuint (hotmail->port, ==, 587);
  g_assert_cmpint (hotmail->security, ==, POSTIER_SECURITY_STARTTLS);
  g_assert_cmpstr (hotmail->oauth_provider, ==, "microsoft");
  g_assert_true (hotmail->may_fill);

  g_assert_null (unknown);

  /* An MX answer is DNS: a suggestion only. */
  g_assert_cmpstr (workspace->host, ==, "smtp.gmail.com");
  g_assert_false (workspace->may_fill);
  g_assert_cmpint (workspace->source, ==, POSTIER_SERVER_SOURCE_MX);
  g_assert_cmpstr (m365->host, ==, "smtp.office365.com");
  g_assert_false (m365->may_fill);
  g_assert_null (lookalike);
}

static void
store_result (G_GNUC_UNUSED GObject *source,
              GAsyncResult          *result,
              gpointer               user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static void
test_finder_preset_without_network (void)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PostierServerSuggestion) found = NULL;

  /* A known provider answers at once: no request leaves the machine. */
  postier_server_find_async (NULL, "Ada <ada@googlemail.com>", 0, NULL, store_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  found = postier_server_find_finish (result, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found->host, ==, "smtp.gmail.com");
  g_assert_cmpint (found->source, ==, POSTIER_SERVER_SOURCE_PRESET);
}

int
main (int    argc,
      char **argv)
{
  postier_test_init (&argc, &argv);

  g_test_add_func ("/autoconfig/xml/thunderbird-example", test_thunderbird_example);
  g_test_add_func ("/autoconfig/xml/skipped-entries", test_skipped_entries);
  g_test_add_func ("/autoconfig/xml/refused", test_refused_documents);
  g_test_add_func ("/autoconfig/urls", test_urls);
  g_test_add_func ("/autoconfig/presets", test_presets);
  g_test_add_func ("/autoconfig/finder/preset", test_finder_preset_without_network);

  return g_test_run ();
}
