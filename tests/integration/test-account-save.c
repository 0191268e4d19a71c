/* test-account-save.c — adding, editing and removing accounts keeps the
 * keyring in step: the password follows the account, never a file
 *
 * Runs against the rig's real gnome-keyring.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "postier-core.h"
#include "postier-account-save.h"
#include "postier-test.h"

static char *
keyring_lookup (const char *account,
                const char *host,
                const char *user)
{
  const char *argv[] = {
    "secret-tool", "lookup",
    "xdg:schema", "org.postier.Postier.Password",
    "account", account, "host", host, "user", user, NULL,
  };
  char *out = NULL;

  postier_test_run_program (NULL, NULL, &out, NULL, argv);
  return out;
}

typedef struct {
  gboolean  done;
  gboolean  ok;
  GError   *error;
} Outcome;

static void
save_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Outcome *outcome = user_data;

  outcome->ok = postier_account_save_finish (POSTIER_ACCOUNT_STORE (source), result,
                                             &outcome->error);
  outcome->done = TRUE;
}

static void
remove_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Outcome *outcome = user_data;

  outcome->ok = postier_account_remove_finish (POSTIER_ACCOUNT_STORE (source), result,
                                               &outcome->error);
  outcome->done = TRUE;
}

static Outcome
save (PostierAccountStore    *store,
      PostierAccount         *account,
      PostierAccountSaveMode  mode,
      const char             *password,
      gboolean                make_default)
{
  Outcome outcome = { 0 };

  postier_account_save_async (store, account, mode, password, make_default, NULL, save_done,
                              &outcome);
  while (!outcome.done)
    g_main_context_iteration (NULL, TRUE);
  return outcome;
}

/* Other tests share the rig's keyring: hosts carry a random label so
 * items never collide. */
static char *
host_name (const char *prefix)
{
  static guint32 run;

  if (run == 0)
    run = g_random_int ();
  return g_strdup_printf ("%s.r%08x.example.org", prefix, run);
}

static PostierAccount *
relay (const char *name,
       const char *host_prefix)
{
  PostierAccount *account = postier_account_new (name);
  g_autofree char *host = host_name (host_prefix);

  postier_account_set_identity (account, "Ada Lovelace <ada@example.org>");
  postier_account_set_host (account, host);
  postier_account_set_security (account, POSTIER_SECURITY_STARTTLS);
  postier_account_set_port (account, 587);
  return account;
}

static void
test_add_edit_remove (void)
{
  g_autoptr(PostierAccountStore) store = postier_account_store_new (NULL);
  g_autoptr(PostierAccountStore) reread = NULL;
  g_autoptr(PostierAccount) work = relay ("Work", "smtp");
  g_autoptr(PostierAccount) edited = NULL;
  g_autoptr(PostierAccount) home = relay ("Home", "mail");
  g_autoptr(GError) error = NULL;
  g_autofree char *accounts_ini = NULL;
  g_autofree char *smtp_host = host_name ("smtp");
  g_autofree char *submission_host = host_name ("submission");
  char *found;
  Outcome outcome;

  if (postier_test_rig ("KEYRING") == NULL)
    return;
  g_assert_true (postier_account_store_load (store, &error));
  g_assert_no_error (error);

  /* Adding: the password is in the keyring, the account is the default. */
  outcome = save (store, work, POSTIER_ACCOUNT_SAVE_ADD, "first pässword", FALSE);
  g_assert_no_error (outcome.error);
  g_assert_true (outcome.ok);
  found = keyring_lookup ("Work", smtp_host, "ada@example.org");
  g_assert_cmpstr (found, ==, "first pässword");
  g_free (found);
  g_assert_cmpstr (postier_account_get_name (postier_account_store_get_default (store)), ==, "Work");
  accounts_ini = postier_test_read_file (postier_account_store_get_path (store), NULL);
  g_assert_null (strstr (accounts_ini, "first pässword"));

  /* The same name twice is refused, and the stored password is untouched. */
  outcome = save (store, work, POSTIER_ACCOUNT_SAVE_ADD, "intruder", FALSE);
  g_assert_error (outcome.error, POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_EXISTS);
  g_clear_error (&outcome.error);
  found = keyring_lookup ("Work", smtp_host, "ada@example.org");
  g_assert_cmpstr (found, ==, "first pässword");
  g_free (found);

  /* A second account added as default takes over. */
  outcome = save (store, home, POSTIER_ACCOUNT_SAVE_ADD, "home pw", TRUE);
  g_assert_no_error (outcome.error);
  g_assert_cmpstr (postier_account_get_name (postier_account_store_get_default (store)), ==, "Home");

  /* A new server and login, no new password: the password moves. */
  edited = postier_account_copy (work);
  postier_account_set_host (edited, submission_host);
  postier_account_set_user (edited, "ada-login");
  outcome = save (store, edited, POSTIER_ACCOUNT_SAVE_REPLACE, NULL, FALSE);
  g_assert_no_error (outcome.error);
  found = keyring_lookup ("Work", submission_host, "ada-login");
  g_assert_cmpstr (found, ==, "first pässword");
  g_free (found);
  found = keyring_lookup ("Work", smtp_host, "ada@example.org");
  g_assert_cmpstr (found, ==, "");
  g_free (found);

  /* A changed password replaces the stored one. */
  outcome = save (store, edited, POSTIER_ACCOUNT_SAVE_REPLACE, "second", FALSE);
  g_assert_no_error (outcome.error);
  found = keyring_lookup ("Work", submission_host, "ada-login");
  g_assert_cmpstr (found, ==, "second");
  g_free (found);

  /* What was saved is what another process reads. */
  reread = postier_account_store_new (NULL);
  g_assert_true (postier_account_store_load (reread, &error));
  g_assert_cmpstr (postier_account_get_host (postier_account_store_lookup (reread, "Work")), ==,
                   submission_host);

  /* Removing takes the keyring item along. */
  outcome = (Outcome) { 0 };
  postier_account_remove_async (store, "Work", NULL, remove_done, &outcome);
  while (!outcome.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (outcome.error);
  g_assert_null (postier_account_store_lookup (store, "Work"));
  found = keyring_lookup ("Work", submission_host, "ada-login");
  g_assert_cmpstr (found, ==, "");
  g_free (found);

  /* The Sandbox stays whatever happens. */
  outcome = (Outcome) { 0 };
  postier_account_remove_async (store, POSTIER_ACCOUNT_SANDBOX_NAME, NULL, remove_done, &outcome);
  while (!outcome.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (outcome.ok);
  g_assert_nonnull (outcome.error);
  g_clear_error (&outcome.error);
  g_assert_nonnull (postier_account_store_get_sandbox (store));
}

static void
test_invalid_account_touches_nothing (void)
{
  g_autoptr(PostierAccountStore) store = postier_account_store_new (NULL);
  g_autoptr(PostierAccount) account = relay ("Plain", "plain");
  g_autoptr(GError) error = NULL;
  char *found;
  Outcome outcome;

  if (postier_test_rig ("KEYRING") == NULL)
    return;
  g_assert_true (postier_account_store_load (store, &error));

  /* No encryption to a remote host is refused before the keyring. */
  postier_account_set_security (account, POSTIER_SECURITY_NONE);
  outcome = save (store, account, POSTIER_ACCOUNT_SAVE_ADD, "never stored", FALSE);
  g_assert_false (outcome.ok);
  g_assert_error (outcome.error, POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_INVALID);
  g_clear_error (&outcome.error);
  found = keyring_lookup ("Plain", postier_account_get_host (account), "ada@example.org");
  g_assert_cmpstr (found, ==, "");
  g_free (found);
  g_assert_cmpuint (postier_account_store_count_relays (store), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  postier_test_init (&argc, &argv);

  g_test_add_func ("/account-save/add-edit-remove", test_add_edit_remove);
  g_test_add_func ("/account-save/invalid-touches-nothing", test_invalid_account_touches_nothing);

  return g_test_run ();
}
