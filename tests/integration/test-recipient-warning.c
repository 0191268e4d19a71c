/* test-recipient-warning.c — `postierctl send` and `sendmail` warn about a
 * recipient domain that cannot take mail (issue 15), through the rig's DNS
 *
 * postierctl runs in a private mount namespace whose /etc/resolv.conf names
 * the rig's unbound (tests/rig/dns-zones.conf), as in test-domain-check.
 * What a person would notice: the warning's words on stderr, the exit
 * status and the delivery unchanged by it, a second process warned from
 * what the first learnt even when the DNS has since gone, and no warning
 * (and no long wait) when the DNS does not answer.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "postier-core.h"
#include "postier-test.h"

static gboolean
ready (void)
{
  if (postier_test_rig ("RESOLV_CONF") == NULL || postier_test_rig ("SUBMISSION_PORT") == NULL ||
      postier_test_rig ("MAILDIR") == NULL)
    return FALSE;
  if (geteuid () != 0)
    {
      if (g_getenv ("POSTIER_TEST_REQUIRE_RIG") != NULL)
        g_test_fail_printf ("a private /etc/resolv.conf needs root (unshare -m)");
      else
        g_test_skip ("a private /etc/resolv.conf needs root (unshare -m)");
      return FALSE;
    }
  postier_test_ctl_add_account ("Rig", postier_test_rig ("SUBMISSION_PORT"), postier_test_rig ("CA"),
                                postier_test_rig ("PASSWORD"));
  return TRUE;
}

/* postierctl ARGS under RESOLV_CONF, BODY on its standard input; how long
 * it took goes to *SECONDS. */
static int
run_with_resolver (const char         *resolv_conf,
                   const char         *body,
                   char              **err,
                   double             *seconds,
                   const char * const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *out = NULL;
  gint64 started = g_get_monotonic_time ();
  int status;

  g_ptr_array_add (argv, (gpointer) "unshare");
  g_ptr_array_add (argv, (gpointer) "-m");
  g_ptr_array_add (argv, (gpointer) "sh");
  g_ptr_array_add (argv, (gpointer) "-c");
  g_ptr_array_add (argv, (gpointer) "mount --bind \"$0\" /etc/resolv.conf && exec \"$@\"");
  g_ptr_array_add (argv, (gpointer) resolv_conf);
  g_ptr_array_add (argv, (gpointer) g_getenv ("POSTIERCTL"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  status = postier_test_run_program (NULL, body, &out, err, (const char **) argv->pdata);
  if (seconds != NULL)
    *seconds = (g_get_monotonic_time () - started) / (double) G_USEC_PER_SEC;
  g_test_message ("postierctl %s: exit %d\n%s%s", args[0], status, out, *err);
  return status;
}

/* A resolv.conf of this test's own (beside its other files, so rigs side
 * by side do not share it). */
static char *
write_resolv_conf (const char *name,
                   const char *text)
{
  char *path = g_build_filename (g_get_user_cache_dir (), name, NULL);

  g_assert_cmpint (g_mkdir_with_parents (g_get_user_cache_dir (), 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return path;
}

static guint
count (const char *haystack,
       const char *needle)
{
  guint n = 0;

  for (const char *p = strstr (haystack, needle); p != NULL; p = strstr (p + 1, needle))
    n++;
  return n;
}

/* A null MX and a typo'd domain, with a good one beside them: one warning
 * each, in the composer's words, with the suggestion from the person's own
 * history; the message still goes to everyone and send says it did. */
static void
test_send_warns_and_still_sends (void)
{
  g_autoptr(PostierAddressBook) book = postier_address_book_new (NULL);
  g_autofree char *err = NULL;
  g_autofree char *tag = g_strdup_printf ("rcpt-warning-%d", getpid ());
  g_autoptr(GPtrArray) arrived = NULL;
  const char *args[] = { "send", "--to", "ann@nullmx.test", "--to", "bob@example.con",
                         "--cc", "carol@pass.test", "--subject", tag, NULL };
  int status;

  if (!ready ())
    return;
  postier_address_book_add_text (book, "Dan <dan@example.com>");
  g_assert_true (postier_address_book_save (book, NULL));

  status = run_with_resolver (postier_test_rig ("RESOLV_CONF"), "Hello.\n", &err, NULL, args);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (err, "postierctl: warning: nullmx.test accepts no mail (null MX): "
                                 "this recipient will bounce\n"));
  g_assert_nonnull (strstr (err, "postierctl: warning: example.con does not exist — "
                                 "did you mean example.com?\n"));
  g_assert_null (strstr (err, "pass.test"));
  g_assert_cmpuint (count (err, "warning:"), ==, 2);

  /* One message for three recipients: Postfix's one Maildir gets it three times. */
  arrived = postier_test_maildir_files (tag, 3);
  g_assert_cmpuint (arrived->len, ==, 3);
}

/* sendmail (what cron, mutt and git send-email run) warns the same on
 * stderr and stays silent on stdout; its exit status is the delivery's. */
static void
test_sendmail_warns (void)
{
  g_autofree char *err = NULL;
  g_autofree char *tag = g_strdup_printf ("rcpt-warning-sendmail-%d", getpid ());
  g_autofree char *input = g_strdup_printf ("From: Alice <alice@localhost>\nTo: ann@nullmx.test\n"
                                            "Subject: %s\n\nHi.\n", tag);
  const char *args[] = { "sendmail", "-t", "-oi", NULL };

  if (!ready ())
    return;
  g_assert_cmpint (run_with_resolver (postier_test_rig ("RESOLV_CONF"), input, &err, NULL, args), ==, 0);
  g_assert_cmpstr (err, ==, "postierctl: warning: nullmx.test accepts no mail (null MX): "
                            "this recipient will bounce\n");
  g_ptr_array_unref (postier_test_maildir_files (tag, 1));
}

/* The first process learns, the next ones read: a script sending a
 * thousand messages asks the DNS once. Proved by taking the DNS away
 * after the first send: the second still warns, from the shared cache. */
static void
test_cache_is_shared_between_processes (void)
{
  g_autofree char *dead = NULL;
  g_autofree char *cache = g_build_filename (g_get_user_cache_dir (), "postier", "recipient-domains", NULL);
  g_autofree char *err1 = NULL, *err2 = NULL, *err3 = NULL, *text = NULL;
  const char *first[] = { "send", "--to", "ann@nullmx.test", "--subject", "first", NULL };
  const char *again[] = { "send", "--to", "bea@nullmx.test", "--subject", "again", NULL };
  const char *other[] = { "send", "--to", "cy@aonly.test", "--subject", "other", NULL };

  if (!ready ())
    return;
  g_assert_cmpint (run_with_resolver (postier_test_rig ("RESOLV_CONF"), "1\n", &err1, NULL, first), ==, 0);
  g_assert_nonnull (strstr (err1, "warning: nullmx.test accepts no mail"));
  text = postier_test_read_file (cache, NULL);
  g_assert_true (g_str_has_prefix (text, "nullmx.test null-mx "));

  /* Nothing listens there: only the cache can know. */
  dead = write_resolv_conf ("dead-resolv.conf", "nameserver 127.254.0.1\noptions timeout:1 attempts:1\n");
  g_assert_cmpint (run_with_resolver (dead, "2\n", &err2, NULL, again), ==, 0);
  g_assert_nonnull (strstr (err2, "warning: nullmx.test accepts no mail"));
  /* A domain never asked about: not checked, no warning, still sent. */
  g_assert_cmpint (run_with_resolver (dead, "3\n", &err3, NULL, other), ==, 0);
  g_assert_null (strstr (err3, "warning"));
}

/* The DNS drops the question (the rig's timeout.test) and the resolver
 * would wait 2 x 5 s: send does not wait for it, says nothing about the
 * domain, and exits as the delivery says. The time is measured and
 * reported, not asserted. */
static void
test_unanswered_dns_says_nothing (void)
{
  g_autofree char *slow = NULL;
  g_autofree char *conf = NULL;
  g_autofree char *err = NULL;
  g_autofree char *tag = g_strdup_printf ("rcpt-warning-timeout-%d", getpid ());
  const char *args[] = { "send", "--to", "dee@timeout.test", "--to", "eve@servfail.test",
                         "--subject", tag, NULL };
  double seconds = 0;

  if (!ready ())
    return;
  conf = g_strdup_printf ("nameserver %s\noptions timeout:5 attempts:2\n", postier_test_rig ("DNS_ADDRESS"));
  slow = write_resolv_conf ("slow-resolv.conf", conf);
  g_assert_cmpint (run_with_resolver (slow, "Hi.\n", &err, &seconds, args), ==, 0);
  g_assert_null (strstr (err, "warning"));
  g_ptr_array_unref (postier_test_maildir_files (tag, 2));
  g_test_message ("send with a DNS that drops the question: %.2f s (the resolver alone would wait 10 s)",
                  seconds);
}

int
main (int    argc,
      char **argv)
{
  postier_test_init (&argc, &argv);
  g_test_add_func ("/recipient-warning/send-warns-and-still-sends", test_send_warns_and_still_sends);
  g_test_add_func ("/recipient-warning/sendmail-warns", test_sendmail_warns);
  g_test_add_func ("/recipient-warning/cache-shared-between-processes", test_cache_is_shared_between_processes);
  g_test_add_func ("/recipient-warning/unanswered-dns-says-nothing", test_unanswered_dns_says_nothing);
  return g_test_run ();
}
