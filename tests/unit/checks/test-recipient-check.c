/* test-recipient-check.c — the recipient-domain verdicts that need no DNS:
 * the cache shared between processes, the reserved names, the suggestion
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <sys/stat.h>

#include "postier-recipient-cache.h"
#include "postier-recipient-check.h"
#include "postier-test.h"

static char *
cache_file (void)
{
  return g_build_filename (g_get_user_cache_dir (), "postier", "recipient-domains", NULL);
}

/* What another process stored is what this one says, without asking the
 * DNS: a script's thousandth message costs no lookup. */
static void
test_verdict_from_another_process (void)
{
  const char *known[] = { "example.com", "postier.test", NULL };
  g_autoptr(PostierRecipientDomainCheck) check = NULL;
  g_autofree char *path = cache_file ();
  GStatBuf st;

  postier_recipient_cache_store ("example.con", "no-domain", 600);
  postier_recipient_cache_store ("nullmx.test", "null-mx", 600);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);  /* whom one writes to is private */

  check = postier_recipient_domain_check ("Example.CON", known, NULL);
  g_assert_cmpint (check->status, ==, POSTIER_RECIPIENT_DOMAIN_NO_DOMAIN);
  g_assert_cmpstr (check->warning, ==, "example.con does not exist — did you mean example.com?");
  g_clear_pointer (&check, postier_recipient_domain_check_free);
  check = postier_recipient_domain_check ("nullmx.test", known, NULL);
  g_assert_cmpstr (check->warning, ==, "nullmx.test accepts no mail (null MX): this recipient will bounce");
}

/* An expired line is not believed; a damaged file is not an error; a
 * store keeps the other domains' lines and replaces its own. */
static void
test_expiry_and_damage (void)
{
  g_autofree char *path = cache_file ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *text = NULL;
  g_autofree char *word = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autofree char *lines = g_strdup_printf ("old.test ok %" G_GINT64_FORMAT "\n"
                                            "garbage\n"
                                            "bad.test maybe %" G_GINT64_FORMAT "\n"
                                            "kept.test no-mail-server %" G_GINT64_FORMAT "\n",
                                            now - 1, now + 600, now + 600);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, lines, -1, NULL));
  g_assert_null (postier_recipient_cache_lookup ("old.test"));
  g_assert_null (postier_recipient_cache_lookup ("bad.test"));
  g_assert_null (postier_recipient_cache_lookup ("garbage"));
  word = postier_recipient_cache_lookup ("kept.test");
  g_assert_cmpstr (word, ==, "no-mail-server");

  postier_recipient_cache_store ("kept.test", "ok", 60);
  postier_recipient_cache_store ("new.test", "null-mx", 60);
  text = postier_test_read_file (path, NULL);
  g_assert_null (strstr (text, "old.test"));
  g_assert_null (strstr (text, "garbage"));
  g_assert_null (strstr (text, "no-mail-server"));
  g_assert_nonnull (strstr (text, "kept.test ok "));
  g_assert_nonnull (strstr (text, "new.test null-mx "));
}

/* Documentation and invalid names, single labels and literals are never
 * warned about, whatever the DNS of the machine says about them. */
static void
test_names_not_checked (void)
{
  const char *domains[] = { "example.org", "mail.example.com", "example.net", "shop.example",
                            "x.invalid", "host.localhost", "localhost", "[192.0.2.1]" };

  for (guint i = 0; i < G_N_ELEMENTS (domains); i++)
    {
      g_autoptr(PostierRecipientDomainCheck) check = postier_recipient_domain_check (domains[i], NULL, NULL);

      g_assert_cmpint (check->status, ==, POSTIER_RECIPIENT_DOMAIN_NOT_CHECKED);
      g_assert_null (check->warning);
    }
}

static void
test_suggestion (void)
{
  const char *known[] = { "gmail.com", "example.com", "exemple.fr", NULL };
  g_autofree char *swap = postier_recipient_domain_suggest ("gmial.com", known);
  g_autofree char *missing = postier_recipient_domain_suggest ("gmal.com", known);
  g_autofree char *far = postier_recipient_domain_suggest ("hotmail.com", known);
  g_autofree char *same = postier_recipient_domain_suggest ("gmail.com", known);

  g_assert_cmpstr (swap, ==, "gmail.com");
  g_assert_cmpstr (missing, ==, "gmail.com");
  g_assert_null (far);
  g_assert_null (same);
}

int
main (int    argc,
      char **argv)
{
  postier_test_init (&argc, &argv);
  g_test_add_func ("/recipient-check/verdict-from-another-process", test_verdict_from_another_process);
  g_test_add_func ("/recipient-check/expiry-and-damage", test_expiry_and_damage);
  g_test_add_func ("/recipient-check/names-not-checked", test_names_not_checked);
  g_test_add_func ("/recipient-check/suggestion", test_suggestion);
  return g_test_run ();
}
