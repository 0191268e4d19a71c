/* test-account-set.c — postierctl account set against the rig's keyring
 * and Postfix
 *
 * The person's story: the relay refused the login, the message waits
 * (needs attention); they store the right password with `account set`,
 * which says the message will be tried again, and `queue flush` delivers
 * it once. A change of server takes the stored password along.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "postier-core.h"
#include "postier-test.h"

static int
ctl (const char  *stdin_text,
     char       **out,
     char       **err,
     const char  *first,
     ...) G_GNUC_NULL_TERMINATED;

static int
ctl (const char  *stdin_text,
     char       **out,
     char       **err,
     const char  *first,
     ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autofree char *o = NULL;
  g_autofree char *e = NULL;
  va_list ap;
  int status;

  va_start (ap, first);
  postier_test_append_args (args, first, ap);
  va_end (ap);
  status = postier_test_run_ctlv (NULL, stdin_text, stdin_text != NULL ? strlen (stdin_text) : 0,
                                  &o, &e, (const char * const *) args->pdata);
  g_test_message ("postierctl %s … → %d\n%s%s", first, status, o, e);
  if (out != NULL)
    *out = g_steal_pointer (&o);
  if (err != NULL)
    *err = g_steal_pointer (&e);
  return status;
}

/* Postfix delivers to the Maildir after it answered 250: wait (bounded)
 * for the message to be there, then count. */
static guint
delivered (const char *needle)
{
  for (guint tries = 0; tries < 100 && postier_test_maildir_count (needle) == 0; tries++)
    g_usleep (100 * 1000);
  return postier_test_maildir_count (needle);
}

static void
test_new_password_retries_what_waited (void)
{
  g_autofree char *name = g_strdup_printf ("SetTest%d", (int) getpid ());
  g_autofree char *subject = g_strdup_printf ("account set story [%08x]", g_random_int ());
  g_autofree char *password_line = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(PostierAccountStore) store = postier_test_add_rig_account (name, 0, "not-the-password");
  g_autoptr(GError) error = NULL;
  g_autoptr(PostierAccount) account = NULL;
  g_autofree char *stored = NULL;

  if (store == NULL)
    return;

  /* 535: the message stays, needing attention (exit 77). */
  g_assert_cmpint (ctl ("Hello.\n", NULL, &err, "send", "--account", name, "--to", "bob@localhost",
                        "--subject", subject, NULL), ==, 77);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (ctl (NULL, &out, NULL, "queue", "list", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "needs-attention"));
  g_clear_pointer (&out, g_free);

  /* A change that cannot fix a login retries nothing: another refused
   * login could lock the account. */
  g_assert_cmpint (ctl (NULL, &out, NULL, "account", "set", name, "--dsn", NULL), ==, 0);
  g_assert_null (strstr (out, "tried again"));
  g_clear_pointer (&out, g_free);
  /* And back: with DSN on, Postfix's success report quotes the subject
   * into the same Maildir, and the count below would find two. */
  g_assert_cmpint (ctl (NULL, &out, NULL, "account", "set", name, "--no-dsn", NULL), ==, 0);
  g_assert_null (strstr (out, "tried again"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (ctl (NULL, &out, NULL, "queue", "list", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "needs-attention"));
  g_clear_pointer (&out, g_free);

  /* The right password, from standard input as a terminal would give it. */
  password_line = g_strdup_printf ("%s\n", postier_test_rig ("PASSWORD"));
  g_assert_cmpint (ctl (password_line, &out, &err, "account", "set", name, "--password-stdin", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "changed"));
  g_assert_nonnull (strstr (out, "1 message that was waiting for this account will be tried again: "
                                 "postierctl queue flush"));
  g_assert_cmpstr (err, ==, "");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* In the keyring, not in any file. */
  account = g_object_ref (postier_account_store_lookup (store, name));
  stored = postier_secret_lookup_password_sync (account, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (stored, ==, postier_test_rig ("PASSWORD"));
  g_assert_false (postier_test_tree_contains (g_get_user_config_dir (), postier_test_rig ("PASSWORD")));
  g_assert_false (postier_test_tree_contains (g_get_user_data_dir (), postier_test_rig ("PASSWORD")));

  g_assert_cmpint (postier_test_maildir_count (subject), ==, 0);
  g_assert_cmpint (ctl (NULL, &out, NULL, "queue", "flush", NULL), ==, 0);
  g_assert_cmpint (delivered (subject), ==, 1);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (ctl (NULL, &out, NULL, "queue", "list", NULL), ==, 0);
  g_assert_null (strstr (out, name));
}

/* The keyring item is found by account, server and login: moving the
 * account to another server moves its password, and moving back too. */
static void
test_password_follows_the_server (void)
{
  g_autofree char *name = g_strdup_printf ("SetMove%d", (int) getpid ());
  g_autofree char *subject = g_strdup_printf ("account set move [%08x]", g_random_int ());
  g_autoptr(PostierAccountStore) store = postier_test_add_rig_account (name, 0, NULL);
  g_autofree char *out = NULL;

  if (store == NULL)
    return;

  g_assert_cmpint (ctl (NULL, NULL, NULL, "account", "set", name, "--host", "smtp.example.org", NULL), ==, 0);
  g_assert_cmpint (ctl (NULL, &out, NULL, "account", "show", name, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "smtp.example.org"));
  g_assert_nonnull (strstr (out, "stored in the keyring"));
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (ctl (NULL, NULL, NULL, "account", "set", name, "--host", "localhost", NULL), ==, 0);
  g_assert_cmpint (ctl ("Hello.\n", NULL, NULL, "send", "--account", name, "--to", "bob@localhost",
                        "--subject", subject, NULL), ==, 0);
  g_assert_cmpint (delivered (subject), ==, 1);

  /* Once the account is removed, nothing of it is left in the keyring. */
  g_assert_cmpint (ctl (NULL, NULL, NULL, "account", "remove", name, NULL), ==, 0);
  {
    g_autoptr(PostierAccount) account = postier_test_rig_account (name, 0);
    g_autoptr(GError) error = NULL;
    g_autofree char *left = postier_secret_lookup_password_sync (account, NULL, &error);

    g_assert_null (left);
    g_assert_error (error, POSTIER_SECRET_ERROR, POSTIER_SECRET_ERROR_NOT_FOUND);
  }
}

/* A long secret (an access token from a password manager, say) read with
 * --password-stdin is stored whole: the reader grows its buffer past its
 * first 4 KiB by hand, to wipe each old copy, and must lose nothing. */
static void
test_long_password_from_stdin (void)
{
  g_autofree char *name = g_strdup_printf ("SetLong%d", (int) getpid ());
  g_autoptr(PostierAccountStore) store = postier_test_add_rig_account (name, 0, NULL);
  g_autoptr(GString) password = g_string_new (NULL);
  g_autofree char *line = NULL;

  if (store == NULL)
    return;

  for (guint i = 0; password->len < 10000; i++)
    g_string_append_printf (password, "%c", "abcdefghijklmnopqrstuvwxyz0123456789"[(i * 7) % 36]);
  line = g_strdup_printf ("%s\n", password->str);
  g_assert_cmpint (ctl (line, NULL, NULL, "account", "set", name, "--password-stdin", NULL), ==, 0);
  {
    g_autoptr(PostierAccount) account = postier_test_rig_account (name, 0);
    g_autoptr(GError) error = NULL;
    g_autofree char *stored = postier_secret_lookup_password_sync (account, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (stored, ==, password->str);
  }
  g_assert_cmpint (ctl (NULL, NULL, NULL, "account", "remove", name, NULL), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  postier_test_init (&argc, &argv);

  g_test_add_func ("/account-set/new-password-retries", test_new_password_retries_what_waited);
  g_test_add_func ("/account-set/password-follows-server", test_password_follows_the_server);
  g_test_add_func ("/account-set/long-password-stdin", test_long_password_from_stdin);

  return g_test_run ();
}
