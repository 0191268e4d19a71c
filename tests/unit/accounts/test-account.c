/* test-account.c — accounts as a person configures them with postierctl
 *
 * These tests use --password-command or --auth none, so they need no
 * keyring; the keyring itself is exercised in tests/integration.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sys/stat.h>

#include "postier-core.h"
#include "postier-test.h"

static char *
accounts_path (void)
{
  return g_build_filename (g_get_user_config_dir (), "postier", "accounts.ini", NULL);
}

static void
add_ok (const char *name,
        const char *extra_first,
        ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  va_list ap;
  int status;

  g_ptr_array_add (args, (gpointer) "account");
  g_ptr_array_add (args, (gpointer) "add");
  g_ptr_array_add (args, (gpointer) name);
  va_start (ap, extra_first);
  postier_test_append_args (args, extra_first, ap);
  va_end (ap);

  status = postier_test_run_ctlv (NULL, NULL, 0, &out, &err, (const char **) args->pdata);
  if (status != 0)
    g_test_message ("stderr: %s", err);
  g_assert_cmpint (status, ==, 0);
}

static void
test_add_defaults_port_by_security (void)
{
  g_autoptr(PostierAccountStore) store = NULL;
  g_autoptr(GError) error = NULL;

  add_ok ("Implicit", "--from", "Ada <ada@example.org>", "--host", "smtp.example.org",
          "--password-command", "echo x", NULL);
  add_ok ("Upgrade", "--from", "ada@example.org", "--host", "smtp.example.org",
          "--security", "starttls", "--password-command", "echo x", NULL);
  add_ok ("Explicit", "--from", "ada@example.org", "--host", "smtp.example.org",
          "--security", "starttls", "--port", "2525", "--password-command", "echo x", NULL);

  store = postier_account_store_new (NULL);
  g_assert_true (postier_account_store_load (store, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (postier_account_get_port (postier_account_store_lookup (store, "Implicit")), ==, 465);
  g_assert_cmpuint (postier_account_get_port (postier_account_store_lookup (store, "Upgrade")), ==, 587);
  g_assert_cmpuint (postier_account_get_port (postier_account_store_lookup (store, "Explicit")), ==, 2525);
  g_assert_cmpint (postier_account_get_security (postier_account_store_lookup (store, "Upgrade")), ==,
                   POSTIER_SECURITY_STARTTLS);
  /* The first real account replaces the Sandbox as the default. */
  g_assert_cmpstr (postier_account_get_name (postier_account_store_get_default (store)), ==, "Implicit");
}

typedef struct {
  const char *description;
  const char *args[16];
  int         expected_status;
  const char *expected_words;   /* the one-line error must name the problem */
} BadInput;

static const BadInput bad_inputs[] = {
  { "unknown security word",
    { "account", "add", "A", "--from", "a@example.org", "--host", "h.example.org", "--security", "ssl", NULL },
    64, "ssl" },
  { "port out of range",
    { "account", "add", "A", "--from", "a@example.org", "--host", "h.example.org", "--port", "70000", NULL },
    64, "70000" },
  { "port zero",
    { "account", "add", "A", "--from", "a@example.org", "--host", "h.example.org", "--port", "0", NULL },
    64, "0" },
  { "identity that is not an address",
    { "account", "add", "A", "--from", "Ada Lovelace", "--host", "h.example.org", NULL },
    64, "Ada Lovelace" },
  { "security none on a remote host",
    { "account", "add", "A", "--from", "a@example.org", "--host", "smtp.example.org", "--security", "none", NULL },
    64, "smtp.example.org" },
  { "unknown authentication method",
    { "account", "add", "A", "--from", "a@example.org", "--host", "h.example.org", "--auth", "ntlm", NULL },
    64, "ntlm" },
  { "missing host",
    { "account", "add", "A", "--from", "a@example.org", NULL },
    64, "--host" },
  { "name with a bracket",
    { "account", "add", "[A]", "--from", "a@example.org", "--host", "h.example.org", NULL },
    64, "[A]" },
  { "the Sandbox name is taken",
    { "account", "add", "Sandbox", "--from", "a@example.org", "--host", "h.example.org", NULL },
    78, "Sandbox" },
  { "pin that is not SHA-256",
    { "account", "add", "A", "--from", "a@example.org", "--host", "h.example.org", "--pin-sha256", "abcd", NULL },
    64, "SHA-256" },
};

static void
test_bad_input_is_refused (gconstpointer data)
{
  const BadInput *bad = data;
  g_autofree char *path = accounts_path ();
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  /* One good account first, so "nothing half-written" can be checked
   * against a real file. */
  add_ok ("Existing", "--from", "e@example.org", "--host", "smtp.example.org",
          "--password-command", "echo x", NULL);
  before = postier_test_read_file (path, NULL);

  status = postier_test_run_ctlv (NULL, NULL, 0, &out, &err, bad->args);
  g_test_message ("%s → %d: %s", bad->description, status, err);
  g_assert_cmpint (status, ==, bad->expected_status);
  g_assert_nonnull (strstr (err, bad->expected_words));
  g_assert_true (g_str_has_prefix (err, "postierctl: "));
  /* One line, ending the output. */
  g_assert_cmpint (strchr (err, '\n') - err, ==, (gssize) strlen (err) - 1);

  after = postier_test_read_file (path, NULL);
  g_assert_cmpstr (before, ==, after);
}

static void
test_duplicate_name_is_refused (void)
{
  g_autofree char *path = accounts_path ();
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *err = NULL;
  int status;

  add_ok ("Work", "--from", "a@example.org", "--host", "smtp.example.org", "--auth", "none", NULL);
  before = postier_test_read_file (path, NULL);
  status = postier_test_run_ctl (NULL, NULL, &err, "account", "add", "Work", "--from", "b@example.org",
                                 "--host", "other.example.org", "--auth", "none", NULL);
  g_assert_cmpint (status, ==, 78);
  g_assert_nonnull (strstr (err, "Work"));
  g_assert_nonnull (strstr (err, "already exists"));
  after = postier_test_read_file (path, NULL);
  g_assert_cmpstr (before, ==, after);
}

static void
test_none_is_allowed_on_loopback (void)
{
  add_ok ("Local", "--from", "a@example.org", "--host", "127.0.0.1", "--port", "25",
          "--security", "none", "--auth", "none", NULL);
  add_ok ("Local6", "--from", "a@example.org", "--host", "::1", "--port", "25",
          "--security", "none", "--auth", "none", NULL);
  add_ok ("LocalName", "--from", "a@example.org", "--host", "localhost", "--port", "25",
          "--security", "none", "--auth", "none", NULL);
}

static void
test_files_are_private (void)
{
  g_autofree char *path = accounts_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  GStatBuf st;

  add_ok ("Work", "--from", "a@example.org", "--host", "smtp.example.org", "--auth", "none", NULL);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (g_stat (dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
}

static void
test_list_json_is_stable (void)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  JsonArray *array;
  JsonObject *work;
  JsonObject *sandbox;
  int status;

  add_ok ("Work", "--from", "Ada Lovelace <ada@example.org>", "--host", "smtp.example.org",
          "--security", "starttls", "--user", "ada", "--password-command", "pass show mail", NULL);

  status = postier_test_run_ctl (NULL, &out, NULL, "account", "list", "--json", NULL);
  g_assert_cmpint (status, ==, 0);
  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);
  array = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (array), ==, 2);

  work = json_array_get_object_element (array, 0);
  g_assert_cmpstr (json_object_get_string_member (work, "name"), ==, "Work");
  g_assert_cmpstr (json_object_get_string_member (work, "kind"), ==, "relay");
  g_assert_true (json_object_get_boolean_member (work, "default"));
  g_assert_cmpstr (json_object_get_string_member (work, "address"), ==, "ada@example.org");
  g_assert_cmpstr (json_object_get_string_member (work, "display_name"), ==, "Ada Lovelace");
  g_assert_cmpstr (json_object_get_string_member (work, "host"), ==, "smtp.example.org");
  g_assert_cmpint (json_object_get_int_member (work, "port"), ==, 587);
  g_assert_cmpstr (json_object_get_string_member (work, "security"), ==, "starttls");
  g_assert_cmpstr (json_object_get_string_member (work, "auth"), ==, "auto");
  g_assert_cmpstr (json_object_get_string_member (work, "user"), ==, "ada");
  g_assert_cmpstr (json_object_get_string_member (work, "password_source"), ==, "command");
  g_assert_true (json_object_get_null_member (work, "ca_file"));

  sandbox = json_array_get_object_element (array, 1);
  g_assert_cmpstr (json_object_get_string_member (sandbox, "name"), ==, "Sandbox");
  g_assert_cmpstr (json_object_get_string_member (sandbox, "kind"), ==, "sandbox");
  g_assert_false (json_object_get_boolean_member (sandbox, "default"));

  /* The password command itself is configuration a script may not see. */
  g_assert_null (strstr (out, "pass show mail"));
}

static void
test_show_and_remove (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *err_sandbox = NULL;
  g_autofree char *listing = NULL;
  int status;

  add_ok ("Work", "--from", "ada@example.org", "--host", "smtp.example.org",
          "--password-command", "echo x", NULL);
  status = postier_test_run_ctl (NULL, &out, NULL, "account", "show", "Work", NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, "smtp.example.org"));
  g_assert_nonnull (strstr (out, "465"));
  g_assert_nonnull (strstr (out, "from the password command"));

  status = postier_test_run_ctl (NULL, NULL, NULL, "account", "remove", "Work", NULL);
  g_assert_cmpint (status, ==, 0);
  status = postier_test_run_ctl (NULL, &listing, NULL, "account", "list", NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_null (strstr (listing, "Work"));

  status = postier_test_run_ctl (NULL, NULL, &err, "account", "remove", "Work", NULL);
  g_assert_cmpint (status, ==, 78);
  g_assert_nonnull (strstr (err, "no account named"));

  status = postier_test_run_ctl (NULL, NULL, &err_sandbox, "account", "remove", "Sandbox", NULL);
  g_assert_cmpint (status, !=, 0);
  g_assert_nonnull (strstr (err_sandbox, "built in"));
}

static void
test_password_command (void)
{
  g_autoptr(PostierAccountStore) store = postier_account_store_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *password = NULL;
  PostierAccount *account;

  add_ok ("Cmd", "--from", "ada@example.org", "--host", "smtp.example.org",
          "--password-command", "printf 'from-the-command\\nsecond line'", NULL);
  add_ok ("Broken", "--from", "ada@example.org", "--host", "smtp.example.org",
          "--password-command", "exit 3", NULL);
  g_assert_true (postier_account_store_load (store, &error));

  account = postier_account_store_lookup (store, "Cmd");
  password = postier_account_fetch_password (account, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (password, ==, "from-the-command");

  account = postier_account_store_lookup (store, "Broken");
  g_assert_null (postier_account_fetch_password (account, NULL, &error));
  g_assert_error (error, POSTIER_SECRET_ERROR, POSTIER_SECRET_ERROR_COMMAND);
  g_assert_nonnull (strstr (error->message, "exit status 3"));
}

static void
test_corrupt_file_is_reported (void)
{
  g_autofree char *path = accounts_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *err = NULL;
  int status;

  g_mkdir_with_parents (dir, 0700);
  g_assert_true (g_file_set_contents (path, "[Account X]\nidentity=a@example.org\nhost=h\nsecurity=bogus\n", -1, NULL));
  status = postier_test_run_ctl (NULL, NULL, &err, "account", "list", NULL);
  g_assert_cmpint (status, !=, 0);
  g_assert_nonnull (strstr (err, "bogus"));
}

static void
test_errors_in_french (void)
{
  const char *env[] = { "LANGUAGE=fr", NULL };
  const char *args[] = { "account", "add", "A", "--from", "Ada", "--host", "h.example.org", NULL };
  g_autofree char *err = NULL;

  g_assert_cmpint (postier_test_run_ctlv (env, NULL, 0, NULL, &err, args), ==, 64);
  g_assert_cmpstr (err, ==,
                   "postierctl: « Ada » n’est pas une adresse électronique ; donnez-en une comme "
                   "« Ada Lovelace <ada@example.org> »\n");
}

static void
test_loopback_detection (void)
{
  g_assert_true (postier_host_is_loopback ("127.0.0.1"));
  g_assert_true (postier_host_is_loopback ("127.3.4.5"));
  g_assert_true (postier_host_is_loopback ("::1"));
  g_assert_true (postier_host_is_loopback ("[::1]"));
  g_assert_true (postier_host_is_loopback ("LOCALHOST"));
  g_assert_false (postier_host_is_loopback ("localhost.example.org"));
  g_assert_false (postier_host_is_loopback ("10.0.0.1"));
  g_assert_false (postier_host_is_loopback ("smtp.example.org"));
}

/* `--help` of a command names it in full, as a person would type it. */
static void
test_help_names_the_command (void)
{
  g_autofree char *out = NULL;

  g_assert_cmpint (postier_test_run_ctl (NULL, &out, NULL, "account", "add", "--help", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "postierctl account add [OPTION"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (postier_test_run_ctl (NULL, &out, NULL, "send", "--help", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "postierctl send [OPTION"));
}

/* --- account set ---------------------------------------------------------- */

static PostierAccount *
stored_account (const char *name)
{
  g_autoptr(PostierAccountStore) store = postier_account_store_new (NULL);
  g_autoptr(GError) error = NULL;
  PostierAccount *account;

  g_assert_true (postier_account_store_load (store, &error));
  g_assert_no_error (error);
  account = postier_account_store_lookup (store, name);
  g_assert_nonnull (account);
  return g_object_ref (account);
}

static int
set (char       **out,
     char       **err,
     const char  *first,
     ...) G_GNUC_NULL_TERMINATED;

static int
set (char       **out,
     char       **err,
     const char  *first,
     ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  va_list ap;

  g_ptr_array_add (args, (gpointer) "account");
  g_ptr_array_add (args, (gpointer) "set");
  va_start (ap, first);
  postier_test_append_args (args, first, ap);
  va_end (ap);
  return postier_test_run_ctlv (NULL, NULL, 0, out, err, (const char * const *) args->pdata);
}

/* Only what is given changes; the rest stays as it was. */
static void
test_set_changes_only_what_is_given (void)
{
  g_autoptr(PostierAccount) before = NULL;
  g_autoptr(PostierAccount) after = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  add_ok ("Work", "--from", "Ada Lovelace <ada@example.org>", "--host", "smtp.example.org",
          "--user", "ada", "--password-command", "echo x", "--dsn", NULL);
  add_ok ("Home", "--from", "ada@home.example", "--host", "mail.home.example", "--auth", "none", NULL);
  before = stored_account ("Work");

  g_assert_cmpint (set (&out, &err, "Work", "--host", "smtp2.example.org", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Work"));
  g_assert_nonnull (strstr (out, "smtp2.example.org:465"));
  after = stored_account ("Work");
  g_assert_cmpstr (postier_account_get_host (after), ==, "smtp2.example.org");
  g_assert_cmpstr (postier_account_get_identity (after), ==, postier_account_get_identity (before));
  g_assert_cmpstr (postier_account_get_user (after), ==, "ada");
  g_assert_cmpstr (postier_account_get_password_command (after), ==, "echo x");
  g_assert_true (postier_account_get_request_dsn (after));
  g_assert_cmpuint (postier_account_get_port (after), ==, 465);
  /* The other account, and which one is the default, are untouched. */
  g_assert_cmpstr (postier_account_get_host (stored_account ("Home")), ==, "mail.home.example");
  {
    g_autoptr(PostierAccountStore) store = postier_account_store_new (NULL);

    g_assert_true (postier_account_store_load (store, NULL));
    g_assert_cmpstr (postier_account_get_name (postier_account_store_get_default (store)), ==, "Work");
  }
}

static void
test_set_security_port_and_clearing (void)
{
  g_autoptr(PostierAccount) account = NULL;
  g_autofree char *ca = g_build_filename (g_get_user_config_dir (), "ca.pem", NULL);
  /* openssl x509 -fingerprint -sha256 prints it this way. */
  const char *pin_colons = "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:"
                           "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89";

  g_mkdir_with_parents (g_get_user_config_dir (), 0700);
  g_assert_true (g_file_set_contents (ca, "not checked here\n", -1, NULL));
  add_ok ("Work", "--from", "ada@example.org", "--host", "smtp.example.org",
          "--user", "ada", "--password-command", "echo x", NULL);

  /* A new security brings its default port, unless one was chosen. */
  g_assert_cmpint (set (NULL, NULL, "Work", "--security", "starttls", NULL), ==, 0);
  account = stored_account ("Work");
  g_assert_cmpint (postier_account_get_security (account), ==, POSTIER_SECURITY_STARTTLS);
  g_assert_cmpuint (postier_account_get_port (account), ==, 587);
  g_clear_object (&account);
  g_assert_cmpint (set (NULL, NULL, "Work", "--port", "2587", NULL), ==, 0);
  g_assert_cmpint (set (NULL, NULL, "Work", "--security", "tls", NULL), ==, 0);
  account = stored_account ("Work");
  g_assert_cmpuint (postier_account_get_port (account), ==, 2587);
  g_clear_object (&account);

  g_assert_cmpint (set (NULL, NULL, "Work", "--ca-file", ca, "--pin-sha256", pin_colons, "--dsn", NULL), ==, 0);
  account = stored_account ("Work");
  g_assert_cmpstr (postier_account_get_ca_file (account), ==, ca);
  g_assert_cmpstr (postier_account_get_pinned_sha256 (account), ==,
                   "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789");
  g_assert_true (postier_account_get_request_dsn (account));
  g_clear_object (&account);

  /* An empty value removes the setting; --no-dsn undoes --dsn. */
  g_assert_cmpint (set (NULL, NULL, "Work", "--user", "", "--ca-file", "", "--pin-sha256", "",
                        "--no-dsn", NULL), ==, 0);
  account = stored_account ("Work");
  g_assert_null (postier_account_get_user (account));
  g_assert_null (postier_account_get_ca_file (account));
  g_assert_null (postier_account_get_pinned_sha256 (account));
  g_assert_false (postier_account_get_request_dsn (account));
  g_assert_cmpstr (postier_account_get_login (account), ==, "ada@example.org");
}

typedef struct {
  const char *description;
  const char *args[12];
  int         expected_status;
  const char *expected_words;
} BadSet;

/* The same checks as account add, and the same exit statuses as the other
 * account commands; the file is left as it was. */
static const BadSet bad_sets[] = {
  { "unknown account", { "account", "set", "Nope", "--host", "h.example.org", NULL }, 78, "Nope" },
  { "nothing to change", { "account", "set", "Work", NULL }, 64, "at least one setting" },
  { "two names", { "account", "set", "Work", "Home", "--host", "h.example.org", NULL }, 64, "exactly one" },
  { "unknown security word", { "account", "set", "Work", "--security", "ssl", NULL }, 64, "ssl" },
  { "port out of range", { "account", "set", "Work", "--port", "70000", NULL }, 64, "70000" },
  { "identity that is not an address", { "account", "set", "Work", "--from", "Ada Lovelace", NULL }, 64, "Ada Lovelace" },
  { "security none on a remote host", { "account", "set", "Work", "--security", "none", NULL }, 64, "smtp.example.org" },
  { "unknown authentication method", { "account", "set", "Work", "--auth", "ntlm", NULL }, 64, "ntlm" },
  { "pin that is not SHA-256", { "account", "set", "Work", "--pin-sha256", "abcd", NULL }, 64, "SHA-256" },
  { "CA file that does not exist", { "account", "set", "Work", "--ca-file", "/nonexistent.pem", NULL }, 64, "/nonexistent.pem" },
  { "two password sources", { "account", "set", "Work", "--password-stdin", "--password-command", "x", NULL }, 64, "not both" },
  { "a password with --auth none", { "account", "set", "Work", "--auth", "none", "--password-command", "x", NULL }, 64, "--auth none" },
  { "dsn both ways", { "account", "set", "Work", "--dsn", "--no-dsn", NULL }, 64, "not both" },
  { "the Sandbox's settings", { "account", "set", "Sandbox", "--host", "h.example.org", NULL }, 78, "Sandbox" },
  { "unknown option", { "account", "set", "Work", "--colour", "red", NULL }, 64, "--colour" },
};

static void
test_set_bad_input_is_refused (gconstpointer data)
{
  const BadSet *bad = data;
  g_autofree char *path = accounts_path ();
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  add_ok ("Work", "--from", "ada@example.org", "--host", "smtp.example.org",
          "--password-command", "echo x", NULL);
  add_ok ("Home", "--from", "ada@home.example", "--host", "mail.home.example", "--auth", "none", NULL);
  before = postier_test_read_file (path, NULL);

  status = postier_test_run_ctlv (NULL, NULL, 0, &out, &err, bad->args);
  g_test_message ("%s → %d: %s", bad->description, status, err);
  g_assert_cmpint (status, ==, bad->expected_status);
  g_assert_nonnull (strstr (err, bad->expected_words));
  g_assert_cmpstr (out, ==, "");

  after = postier_test_read_file (path, NULL);
  g_assert_cmpstr (before, ==, after);
}

/* The Sandbox takes only --default: a person who wants mail captured again. */
static void
test_set_sandbox_default (void)
{
  g_autoptr(PostierAccountStore) store = postier_account_store_new (NULL);
  g_autofree char *out = NULL;

  add_ok ("Work", "--from", "ada@example.org", "--host", "smtp.example.org", "--auth", "none", NULL);
  g_assert_cmpint (set (&out, NULL, "Sandbox", "--default", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "captured"));
  g_assert_true (postier_account_store_load (store, NULL));
  g_assert_cmpstr (postier_account_get_name (postier_account_store_get_default (store)), ==, "Sandbox");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (set (&out, NULL, "Work", "--default", NULL), ==, 0);
  g_assert_true (postier_account_store_load (store, NULL));
  g_assert_cmpstr (postier_account_get_name (postier_account_store_get_default (store)), ==, "Work");
}

/* A display name or host holding terminal controls is shown escaped. */
static void
test_show_escapes_controls (void)
{
  g_autofree char *path = accounts_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  /* A file name may hold anything but '/' and NUL; this one a C1 CSI. */
  g_autofree char *ca = g_build_filename (dir, "\xc2\x9b" "31m.pem", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *show = NULL;
  g_autofree char *list = NULL;

  g_mkdir_with_parents (dir, 0700);
  g_assert_true (g_file_set_contents (ca, "not read here\n", -1, NULL));
  contents = g_strdup_printf ("[Account Work]\n"
                              "identity=\"Ada \033[2J\xe2\x80\xae\" <ada@example.org>\n"
                              "host=smtp.example.org\nport=465\nsecurity=tls\nauth=none\n"
                              "ca-file=%s\n", ca);
  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
  g_assert_cmpint (postier_test_run_ctl (NULL, &show, NULL, "account", "show", "Work", NULL), ==, 0);
  g_assert_cmpint (postier_test_run_ctl (NULL, &list, NULL, "account", "list", NULL), ==, 0);
  for (const char *text = show; text != NULL; text = text == show ? list : NULL)
    {
      g_assert_null (strchr (text, '\033'));
      g_assert_null (strstr (text, "\xe2\x80\xae"));
      g_assert_nonnull (strstr (text, "Ada \\x1b[2J\\u202e"));
    }
  g_assert_null (strstr (show, "\xc2\x9b"));
  g_assert_nonnull (strstr (show, "/\\u009b31m.pem"));
}

int
main (int   argc,
      char *argv[])
{
  postier_test_init (&argc, &argv);

  g_test_add_func ("/account/add/port-defaults", test_add_defaults_port_by_security);
  for (guint i = 0; i < G_N_ELEMENTS (bad_inputs); i++)
    {
      g_autofree char *path = g_strdup_printf ("/account/add/refused/%u", i);
      g_test_add_data_func (path, &bad_inputs[i], test_bad_input_is_refused);
    }
  g_test_add_func ("/account/add/duplicate", test_duplicate_name_is_refused);
  g_test_add_func ("/account/add/none-on-loopback", test_none_is_allowed_on_loopback);
  g_test_add_func ("/account/files/private", test_files_are_private);
  g_test_add_func ("/account/list/json", test_list_json_is_stable);
  g_test_add_func ("/account/show-remove", test_show_and_remove);
  g_test_add_func ("/account/password-command", test_password_command);
  g_test_add_func ("/account/store/corrupt", test_corrupt_file_is_reported);
  g_test_add_func ("/account/loopback", test_loopback_detection);
  g_test_add_func ("/account/french", test_errors_in_french);
  g_test_add_func ("/account/help-names-the-command", test_help_names_the_command);
  g_test_add_func ("/account/set/only-what-is-given", test_set_changes_only_what_is_given);
  g_test_add_func ("/account/set/security-port-clearing", test_set_security_port_and_clearing);
  for (guint i = 0; i < G_N_ELEMENTS (bad_sets); i++)
    {
      g_autofree char *path = g_strdup_printf ("/account/set/refused/%u", i);
      g_test_add_data_func (path, &bad_sets[i], test_set_bad_input_is_refused);
    }
  g_test_add_func ("/account/set/sandbox-default", test_set_sandbox_default);
  g_test_add_func ("/account/show/escapes-controls", test_show_escapes_controls);

  return g_test_run ();
}
