/* test-domain-check.c — `postierctl account check` against the rig's DNS
 *
 * Each account's From domain is one of the rig's test zones
 * (tests/rig/dns-zones.conf) and its relay is smtp.relay.test at
 * 198.51.100.25. postierctl runs in a private mount namespace whose
 * /etc/resolv.conf names the rig's unbound: the system resolver path a
 * person's machine takes, with no test-only switch in Postier.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <unistd.h>

#include "postier-test.h"

/* Runs postierctl with ARGS under RESOLV_CONF. */
static int
run_with_resolver (const char  *resolv_conf,
                   char       **out,
                   char       **err,
                   const char  *first_arg,
                   ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  va_list ap;

  g_ptr_array_add (argv, (gpointer) "unshare");
  g_ptr_array_add (argv, (gpointer) "-m");
  g_ptr_array_add (argv, (gpointer) "sh");
  g_ptr_array_add (argv, (gpointer) "-c");
  g_ptr_array_add (argv, (gpointer) "mount --bind \"$0\" /etc/resolv.conf && exec \"$@\"");
  g_ptr_array_add (argv, (gpointer) resolv_conf);
  g_ptr_array_add (argv, (gpointer) g_getenv ("POSTIERCTL"));
  va_start (ap, first_arg);
  postier_test_append_args (argv, first_arg, ap);
  va_end (ap);
  return postier_test_run_program (NULL, NULL, out, err, (const char **) argv->pdata);
}

static gboolean
can_use_namespaces (void)
{
  if (geteuid () == 0)
    return TRUE;
  if (g_getenv ("POSTIER_TEST_REQUIRE_RIG") != NULL)
    g_test_fail_printf ("a private /etc/resolv.conf needs root (unshare -m)");
  else
    g_test_skip ("a private /etc/resolv.conf needs root (unshare -m)");
  return FALSE;
}

static void
add_account (const char *name,
             const char *domain)
{
  g_autofree char *from = g_strdup_printf ("Test <me@%s>", domain);
  g_autofree char *err = NULL;
  int status = postier_test_run_ctl (NULL, NULL, &err, "account", "add", name, "--from", from,
                                     "--host", "smtp.relay.test", "--security", "tls",
                                     "--password-command", "echo unused", NULL);

  g_assert_cmpint (status, ==, 0);
}

/* The JSON report for DOMAIN's account, through RESOLV_CONF. */
static JsonObject *
check_domain (const char *resolv_conf,
              const char *domain)
{
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  int status;

  add_account (domain, domain);
  status = run_with_resolver (resolv_conf, &out, &err, "account", "check", domain, "--json", NULL);
  g_test_message ("account check %s: %s%s", domain, out, err);
  g_assert_cmpint (status, ==, 0);
  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static JsonObject *
finding (JsonObject *report,
         const char *key)
{
  JsonArray *checks = json_object_get_array_member (report, "checks");

  for (guint i = 0; i < json_array_get_length (checks); i++)
    {
      JsonObject *check = json_array_get_object_element (checks, i);
      if (g_str_equal (json_object_get_string_member (check, "check"), key))
        return check;
    }
  g_assert_not_reached ();
}

#define assert_member(object, member, expected) \
  g_assert_cmpstr (json_object_get_string_member ((object), (member)), ==, (expected))

static void
test_spf_pass_through_include (void)
{
  const char *resolv = postier_test_rig ("RESOLV_CONF");
  g_autoptr(JsonObject) report = NULL;
  JsonObject *spf;

  if (resolv == NULL || !can_use_namespaces ())
    return;
  report = check_domain (resolv, "pass.test");
  assert_member (report, "verdict", "fine");
  assert_member (report, "relay", "smtp.relay.test");
  spf = finding (report, "spf");
  assert_member (spf, "result", "pass");
  assert_member (spf, "record", "v=spf1 include:_spf.relay.test -all");
  g_assert_nonnull (strstr (json_object_get_string_member (spf, "summary"), "through include:_spf.relay.test"));
  assert_member (finding (report, "dmarc"), "level", "fine");
  assert_member (finding (report, "dkim"), "result", "selector1");
  assert_member (finding (report, "bimi"), "result", "published");
  assert_member (finding (report, "mx"), "record", "mx.pass.test");
}

static void
test_spf_fail_with_dmarc_reject (void)
{
  const char *resolv = postier_test_rig ("RESOLV_CONF");
  g_autoptr(JsonObject) report = NULL;
  JsonObject *dmarc;

  if (resolv == NULL || !can_use_namespaces ())
    return;
  report = check_domain (resolv, "reject.test");
  assert_member (report, "verdict", "likely-refused");
  assert_member (finding (report, "spf"), "result", "fail");
  assert_member (finding (report, "spf"), "level", "likely-refused");
  dmarc = finding (report, "dmarc");
  assert_member (dmarc, "level", "likely-refused");
  assert_member (dmarc, "result", "p=reject; adkim=s; aspf=s; pct=100");
  g_assert_nonnull (strstr (json_object_get_string_member (dmarc, "summary"), "refused by most receivers"));
}

static void
test_softfail_without_dmarc (void)
{
  const char *resolv = postier_test_rig ("RESOLV_CONF");
  g_autoptr(JsonObject) report = NULL;

  if (resolv == NULL || !can_use_namespaces ())
    return;
  report = check_domain (resolv, "softfail.test");
  assert_member (report, "verdict", "worth-knowing");
  assert_member (finding (report, "spf"), "result", "softfail");
  assert_member (finding (report, "dmarc"), "result", "none");
  assert_member (finding (report, "dmarc"), "level", "worth-knowing");
}

static void
test_null_mx_and_address_only (void)
{
  const char *resolv = postier_test_rig ("RESOLV_CONF");
  g_autoptr(JsonObject) null_mx = NULL, address_only = NULL;

  if (resolv == NULL || !can_use_namespaces ())
    return;
  null_mx = check_domain (resolv, "nullmx.test");
  assert_member (finding (null_mx, "mx"), "result", "null-mx");
  assert_member (finding (null_mx, "mx"), "level", "worth-knowing");
  address_only = check_domain (resolv, "aonly.test");
  assert_member (finding (address_only, "mx"), "result", "address-only");
  assert_member (finding (address_only, "mx"), "level", "fine");
  assert_member (finding (address_only, "spf"), "result", "none");
}

static void
test_broken_spf_is_permerror (void)
{
  const char *resolv = postier_test_rig ("RESOLV_CONF");
  const char *domains[] = { "loop.test", "toomany.test" };

  if (resolv == NULL || !can_use_namespaces ())
    return;
  for (guint i = 0; i < G_N_ELEMENTS (domains); i++)
    {
      g_autoptr(JsonObject) report = check_domain (resolv, domains[i]);

      assert_member (finding (report, "spf"), "result", "permerror");
      assert_member (report, "verdict", "likely-refused");
    }
}

/* SERVFAIL, a dropped query, and no DNS server at all: "not checked",
 * exit 0, never an error. */
static void
test_unanswered_dns_is_not_checked (void)
{
  const char *resolv = postier_test_rig ("RESOLV_CONF");
  g_autofree char *dead_resolv = g_build_filename (g_get_tmp_dir (), "dead-resolv.conf", NULL);
  g_autoptr(JsonObject) servfail = NULL, timeout = NULL, down = NULL;

  if (resolv == NULL || !can_use_namespaces ())
    return;
  servfail = check_domain (resolv, "servfail.test");
  assert_member (servfail, "verdict", "not-checked");
  timeout = check_domain (resolv, "timeout.test");
  assert_member (timeout, "verdict", "not-checked");

  /* The DNS server stopped: nothing listens on that address. */
  g_assert_true (g_file_set_contents (dead_resolv, "nameserver 127.254.0.1\noptions timeout:1 attempts:1\n",
                                      -1, NULL));
  down = check_domain (dead_resolv, "pass.test");
  assert_member (down, "verdict", "not-checked");
  assert_member (finding (down, "dns"), "result", "offline");
}

static void
test_human_output_and_refusals (void)
{
  const char *resolv = postier_test_rig ("RESOLV_CONF");
  g_autofree char *out = NULL, *err = NULL, *out2 = NULL, *err2 = NULL, *out3 = NULL, *err3 = NULL;

  if (resolv == NULL || !can_use_namespaces ())
    return;
  add_account ("Mine", "reject.test");
  g_assert_cmpint (run_with_resolver (resolv, &out, &err, "account", "check", "Mine", "--explain", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Verdict: Will probably be refused"));
  g_assert_nonnull (strstr (out, "v=DMARC1; p=reject"));
  g_assert_nonnull (strstr (out, "DMARC: the domain tells receivers"));

  g_assert_cmpint (run_with_resolver (resolv, &out2, &err2, "account", "check", "Sandbox", NULL), ==, 69);
  g_assert_nonnull (strstr (err2, "Sandbox"));
  g_assert_cmpint (run_with_resolver (resolv, &out3, &err3, "account", "check", "Nobody", NULL), !=, 0);
  g_assert_nonnull (strstr (err3, "no account named"));
}

int
main (int    argc,
      char **argv)
{
  postier_test_init (&argc, &argv);
  g_test_add_func ("/domain-check/spf-pass-through-include", test_spf_pass_through_include);
  g_test_add_func ("/domain-check/spf-fail-dmarc-reject", test_spf_fail_with_dmarc_reject);
  g_test_add_func ("/domain-check/softfail-without-dmarc", test_softfail_without_dmarc);
  g_test_add_func ("/domain-check/null-mx-and-address-only", test_null_mx_and_address_only);
  g_test_add_func ("/domain-check/broken-spf-is-permerror", test_broken_spf_is_permerror);
  g_test_add_func ("/domain-check/unanswered-dns-is-not-checked", test_unanswered_dns_is_not_checked);
  g_test_add_func ("/domain-check/human-output-and-refusals", test_human_output_and_refusals);
  return g_test_run ();
}
