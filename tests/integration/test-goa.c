/* test-goa.c — GNOME Online Accounts' mail accounts in postierctl
 *
 * The real goa-daemon on the rig's private session bus, reading an
 * "IMAP and SMTP" account from accounts.conf in this test's own config
 * folder, pointing at the rig's Postfix.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <json-glib/json-glib.h>
#include <libsecret/secret.h>

#include "postier-core.h"
#include "postier-account-resolver.h"
#include "postier-goa.h"
#include "postier-goa-accounts.h"
#include "postier-secret-store.h"
#include "postier-test.h"
#include "postier-test-goa.h"

static void
test_listed (void)
{
  const char *port = postier_test_rig ("SUBMISSION_PORT");
  g_autoptr(GSubprocess) daemon = NULL;
  g_autoptr(GPtrArray) accounts = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *where = NULL;
  PostierGoaMailAccount *entry;
  int status;

  if (port == NULL)
    return;
  if (!g_file_test ("/usr/libexec/goa-daemon", G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_fail_printf ("gnome-online-accounts is not installed (build-aux/debian-packages.txt)");
      return;
    }
  postier_test_goa_write_account ("127.0.0.1", port);
  daemon = postier_test_goa_start_daemon ();

  accounts = postier_goa_list_mail_accounts (NULL);
  g_assert_cmpuint (accounts->len, ==, 1);
  entry = g_ptr_array_index (accounts, 0);
  g_assert_cmpstr (entry->provider_name, ==, "IMAP and SMTP");
  g_assert_cmpstr (postier_account_get_name (entry->account), ==, "goa:account_1700000000_0");
  g_assert_false (entry->oauth2);
  g_assert_cmpstr (postier_account_get_identity (entry->account), ==, "Ada Lovelace <ada@rig.test>");
  g_assert_cmpstr (postier_account_get_host (entry->account), ==, "127.0.0.1");
  g_assert_cmpuint (postier_account_get_port (entry->account), ==, (guint) atoi (port));
  g_assert_cmpint (postier_account_get_security (entry->account), ==, POSTIER_SECURITY_STARTTLS);
  g_assert_cmpint (postier_account_get_auth (entry->account), ==, POSTIER_AUTH_PLAIN);
  g_assert_cmpstr (postier_account_get_login (entry->account), ==, "alice@localhost");

  status = postier_test_run_ctl (NULL, &out, &err, "account", "list", NULL);
  g_test_message ("account list:\n%s%s", out, err);
  g_assert_cmpint (status, ==, 0);
  where = g_strdup_printf ("127.0.0.1:%s starttls (from Online Accounts)", port);
  g_assert_nonnull (strstr (out, "Ada Lovelace <ada@rig.test>"));
  g_assert_nonnull (strstr (out, where));
  /* Never copied into Postier's own accounts. */
  g_assert_false (postier_test_tree_contains (g_get_user_config_dir (), "postier") &&
                  postier_test_tree_contains (g_build_filename (g_get_user_config_dir (), "postier", NULL),
                                              "ada@rig.test"));

  g_subprocess_send_signal (daemon, SIGTERM);
  g_subprocess_wait (daemon, NULL, NULL);
}

/* GOA keeps an "IMAP and SMTP" account's passwords in the keyring as a
 * printed a{sv} under its own schema (goa-identity PROVIDER:genN:ID). */
static void
store_goa_password (const char *identity,
                    const char *password)
{
  static const SecretSchema schema = {
    "org.gnome.OnlineAccounts", SECRET_SCHEMA_DONT_MATCH_NAME,
    { { "goa-identity", SECRET_SCHEMA_ATTRIBUTE_STRING }, { NULL, 0 } },
    0, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  };
  g_autoptr(GVariantBuilder) builder = g_variant_builder_new (G_VARIANT_TYPE_VARDICT);
  g_autoptr(GVariant) credentials = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;

  g_variant_builder_add (builder, "{sv}", "imap-password", g_variant_new_string (password));
  g_variant_builder_add (builder, "{sv}", "smtp-password", g_variant_new_string (password));
  credentials = g_variant_ref_sink (g_variant_builder_end (builder));
  text = g_variant_print (credentials, TRUE);
  secret_password_store_sync (&schema, SECRET_COLLECTION_DEFAULT, "GOA imap_smtp credentials", text, NULL,
                              &error, "goa-identity", identity, NULL);
  g_assert_no_error (error);
}

/* The rig's Maildir is shared by both builds' runs and by other tests:
 * every subject this test sends carries this run's own tag. */
static char *
tagged (const char *subject)
{
  static char *tag;

  if (tag == NULL)
    tag = g_strdup_printf ("%d-%" G_GINT64_FORMAT, (int) getpid (), g_get_real_time ());
  return g_strdup_printf ("%s [%s]", subject, tag);
}

static int
ctl_send (const char  *account,
          const char  *subject,
          const char  *mode,
          char       **err)
{
  g_autofree char *ca = g_strdup_printf ("SSL_CERT_FILE=%s", postier_test_rig ("CA"));
  const char *env[] = { ca, NULL };
  g_autofree char *subject_tagged = tagged (subject);
  const char *args[] = { "send", "--account", account, "--to", "carol@example.org", "--subject", subject_tagged,
                         "--body-file", "-", mode, NULL };
  const char *body = "Sent with Online Accounts' credentials.\n";

  return postier_test_run_ctlv (env, body, strlen (body), NULL, err, args);
}

static guint
delivered (const char *subject)
{
  g_autofree char *needle = tagged (subject);

  for (guint tries = 0; tries < 100 && postier_test_maildir_count (needle) == 0; tries++)
    g_usleep (100 * 1000);
  return postier_test_maildir_count (needle);
}

static guint
delivered_now (const char *subject)
{
  g_autofree char *needle = tagged (subject);

  return postier_test_maildir_count (needle);
}

/* `account list --json`'s entry for the GOA account NAME. */
static JsonObject *
listed_json (const char *name,
             char      **text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  const char *args[] = { "account", "list", "--json", NULL };
  JsonArray *array;

  g_assert_cmpint (postier_test_run_ctlv (NULL, NULL, 0, text, NULL, args), ==, 0);
  g_assert_true (json_parser_load_from_data (parser, *text, -1, NULL));
  array = json_node_get_array (json_parser_get_root (parser));
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *object = json_array_get_object_element (array, i);

      if (g_strcmp0 (json_object_get_string_member (object, "name"), name) == 0)
        return json_object_ref (object);
    }
  return NULL;
}

/* A GOA password account sends through the rig's Postfix: the password
 * comes from GOA at send time and is written nowhere of Postier's. */
static void
test_password_send (void)
{
  const char *port = postier_test_rig ("SUBMISSION_PORT");
  const char *password = postier_test_rig ("PASSWORD");
  const char *subject = "GOA password account, issue 14";
  g_autoptr(GSubprocess) daemon = NULL;
  g_autoptr(JsonObject) listed = NULL;
  g_autofree char *json = NULL;
  g_autofree char *err = NULL;
  g_autofree char *postier_config = g_build_filename (g_get_user_config_dir (), "postier", NULL);
  g_autofree char *postier_data = g_build_filename (g_get_user_data_dir (), "postier", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *copied = NULL;
  int status;

  if (port == NULL)
    return;
  postier_test_goa_write_account ("localhost", port);
  store_goa_password ("imap_smtp:gen0:account_1700000000_0", password);
  daemon = postier_test_goa_start_daemon ();

  /* By its address, through the light postierctl handing over to
   * postierctl-full (the only one that loads libgoa). */
  g_assert_cmpint (ctl_send ("ada@rig.test", "GOA password account, queued", "--queue-only", &err), ==, 0);
  g_test_message ("send: %s", err);
  g_clear_pointer (&err, g_free);
  {
    g_autofree char *ca = g_strdup_printf ("SSL_CERT_FILE=%s", postier_test_rig ("CA"));
    const char *env[] = { ca, NULL };
    const char *flush[] = { "queue", "flush", NULL };

    g_assert_cmpint (postier_test_run_ctlv (env, NULL, 0, NULL, NULL, flush), ==, 0);
  }
  g_assert_cmpuint (delivered ("GOA password account, queued"), ==, 1);
  status = ctl_send ("goa:account_1700000000_0", subject, "--input-timeout=60", &err);
  g_test_message ("send: %s", err);
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpuint (delivered (subject), ==, 1);

  /* sendmail -t through the same handover. */
  {
    g_autofree char *ca = g_strdup_printf ("SSL_CERT_FILE=%s", postier_test_rig ("CA"));
    const char *env[] = { ca, NULL };
    const char *sendmail[] = { "sendmail", "--account", "ada@rig.test", "-t", NULL };
    g_autofree char *sendmail_subject = tagged ("GOA account through sendmail");
    g_autofree char *message = g_strdup_printf ("From: Ada Lovelace <ada@rig.test>\nTo: carol@example.org\n"
                                                "Subject: %s\n\nHello.\n", sendmail_subject);

    g_assert_cmpint (postier_test_run_ctlv (env, message, strlen (message), NULL, NULL, sendmail), ==, 0);
    g_assert_cmpuint (delivered ("GOA account through sendmail"), ==, 1);
  }

  /* account test signs in with GOA's password too. */
  {
    g_autofree char *ca = g_strdup_printf ("SSL_CERT_FILE=%s", postier_test_rig ("CA"));
    const char *env[] = { ca, NULL };
    const char *test[] = { "account", "test", "ada@rig.test", NULL };
    g_autofree char *out = NULL;

    g_assert_cmpint (postier_test_run_ctlv (env, NULL, 0, &out, NULL, test), ==, 0);
    g_assert_nonnull (strstr (out, "The account works."));
    g_assert_null (strstr (out, password));
  }

  listed = listed_json ("goa:account_1700000000_0", &json);
  g_assert_nonnull (listed);
  g_assert_cmpstr (json_object_get_string_member (listed, "source"), ==, "goa");
  g_assert_cmpstr (json_object_get_string_member (listed, "goa_id"), ==, "account_1700000000_0");
  g_assert_cmpstr (json_object_get_string_member (listed, "password_source"), ==, "goa");
  g_assert_cmpstr (json_object_get_string_member (listed, "address"), ==, "ada@rig.test");
  g_assert_null (strstr (json, password));

  /* Never copied: no keyring item of Postier's, no file. */
  copied = secret_password_lookup_sync (postier_secret_schema (), NULL, &error, "account", "goa:account_1700000000_0",
                                        NULL);
  g_assert_no_error (error);
  g_assert_null (copied);
  g_assert_false (postier_test_tree_contains (postier_config, password));
  g_assert_false (postier_test_tree_contains (postier_data, password));

  g_subprocess_send_signal (daemon, SIGTERM);
  g_subprocess_wait (daemon, NULL, NULL);
}

static char *
read_line (GSubprocess *process)
{
  GInputStream *out = g_subprocess_get_stdout_pipe (process);
  GString *line = g_string_new (NULL);
  char c;

  while (g_input_stream_read (out, &c, 1, NULL, NULL) == 1 && c != '\n')
    g_string_append_c (line, c);
  return g_string_free (line, FALSE);
}

/* The OAuth2-based stand-in (tests/rig/goa-standin) on the rig's bus, in
 * place of any goa-daemon; "ready ID" once it owns GOA's name. */
static GSubprocess *
start_standin (const char *address,
               const char *smtp)
{
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autofree char *script = g_build_filename (g_getenv ("POSTIER_SOURCE_ROOT"), "tests", "rig", "goa-standin",
                                              NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  GSubprocess *standin;

  for (guint tries = 0; postier_test_goa_name_owned_by (bus, NULL) && tries < 250; tries++)
    g_usleep (20000);
  standin = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                              script, address, smtp, NULL);
  g_assert_no_error (error);
  line = read_line (standin);
  g_assert_cmpstr (line, ==, "ready account_standin_0");
  return standin;
}

static char *
standin_ask (GSubprocess *standin,
             const char  *command)
{
  g_autofree char *line = g_strdup_printf ("%s\n", command);

  g_assert_true (g_output_stream_write_all (g_subprocess_get_stdin_pipe (standin), line, strlen (line),
                                            NULL, NULL, NULL));
  return read_line (standin);
}

static void
standin_command (GSubprocess *standin,
                 const char  *command)
{
  g_autofree char *answer = standin_ask (standin, command);

  g_assert_cmpstr (answer, ==, "ok");
}

static void
on_changed (G_GNUC_UNUSED PostierGoaAccounts *accounts,
            guint                            *count)
{
  (*count)++;
}

/* The JSON entry of the queued message with SUBJECT. */
static JsonObject *
queued_entry (const char *subject)
{
  g_autofree char *subject_tagged = tagged (subject);
  g_autoptr(JsonParser) parser = json_parser_new ();
  const char *args[] = { "queue", "list", "--json", NULL };
  g_autofree char *text = NULL;
  JsonArray *array;

  g_assert_cmpint (postier_test_run_ctlv (NULL, NULL, 0, &text, NULL, args), ==, 0);
  g_test_message ("queue list --json: %s", text);
  g_assert_true (json_parser_load_from_data (parser, text, -1, NULL));
  array = json_node_get_array (json_parser_get_root (parser));
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *object = json_array_get_object_element (array, i);

      if (g_strcmp0 (json_object_get_string_member (object, "subject"), subject_tagged) == 0)
        return json_object_ref (object);
    }
  g_assert_not_reached ();
}

/* Spins until ACCOUNTS says something changed and KEY is no longer listed. */
static void
wait_until_unlisted (PostierGoaAccounts *accounts,
                     const char         *key,
                     guint              *changed)
{
  for (;;)
    {
      g_autoptr(PostierGoaMailAccount) found = NULL;

      while (*changed == 0)
        g_main_context_iteration (NULL, TRUE);
      *changed = 0;
      found = postier_goa_accounts_lookup (accounts, key);
      if (found == NULL)
        return;
    }
}

/* The background flusher, as the systemd unit starts it. */
static GSubprocess *
start_watch (void)
{
  g_autoptr(GSubprocessLauncher) launcher = postier_test_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                      G_SUBPROCESS_FLAGS_STDERR_PIPE);

  g_subprocess_launcher_setenv (launcher, "SSL_CERT_FILE", postier_test_rig ("CA"), TRUE);
  g_subprocess_launcher_setenv (launcher, "G_MESSAGES_DEBUG", "postier-submitter postier-goa postierctl", TRUE);
  return postier_test_launcher_spawn_ctl (launcher, "queue", "watch", NULL);
}

/* The flusher leaves by itself once nothing it could send is left.
 * Returns what it printed (with its submitter's debug lines): CI shows a
 * failing test's stderr, not its TAP comments, so a check that fails
 * after it says this there. */
static char *
wait_watch (GSubprocess *watch)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = postier_test_watch_wait (watch, &out, &err);

  g_test_message ("watch: %s%s", out, err);
  if (status != 0)
    g_printerr ("postierctl queue watch said:\n%s%s", out, err);
  g_assert_cmpint (status, ==, 0);
  return g_strconcat (out, err, NULL);
}

/* An OAuth2-based GOA account sends with a token GOA hands out (minted by
 * the rig's authorization server, checked by Dovecot over XOAUTH2); the
 * core follows GOA live, and mail queued for the account once it is gone
 * waits as needs attention, saying why. */
static void
test_oauth2_send_and_vanish (void)
{
  const char *port = postier_test_rig ("OAUTH_XOAUTH2_PORT");
  const char *flush[] = { "queue", "flush", NULL };
  g_autofree char *smtp = NULL;
  g_autoptr(GSubprocess) standin = NULL;
  g_autoptr(PostierGoaAccounts) accounts = NULL;
  g_autoptr(PostierGoaMailAccount) found = NULL;
  g_autoptr(JsonObject) entry = NULL;
  g_autofree char *err = NULL;
  guint changed = 0;

  if (port == NULL || g_getenv ("POSTIER_TEST_OAUTH_ISSUER") == NULL)
    {
      g_test_skip ("no OAuth rig (tests/rig/oauth-rig.sh)");
      return;
    }
  smtp = g_strdup_printf ("localhost:%s", port);
  standin = start_standin ("grace@rig.test", smtp);

  accounts = postier_goa_accounts_new ();
  g_signal_connect (accounts, "changed", G_CALLBACK (on_changed), &changed);
  while (!postier_goa_accounts_is_ready (accounts))
    g_main_context_iteration (NULL, TRUE);
  found = postier_goa_accounts_lookup (accounts, "GRACE@rig.test");
  g_assert_nonnull (found);
  g_assert_true (found->oauth2);
  g_assert_cmpstr (postier_account_get_name (found->account), ==, "goa:account_standin_0");
  g_assert_cmpint (postier_account_get_auth (found->account), ==, POSTIER_AUTH_XOAUTH2);

  g_assert_cmpint (ctl_send ("grace@rig.test", "GOA OAuth2 account, issue 14", "--input-timeout=60", &err), ==, 0);
  g_test_message ("send: %s", err);
  g_assert_cmpuint (delivered ("GOA OAuth2 account, issue 14"), ==, 1);
  g_clear_pointer (&err, g_free);

  /* The token GOA hands out was dropped by the server: refused at AUTH,
   * GOA asked to renew its credentials once, the message goes. */
  standin_command (standin, "expire");
  g_assert_cmpint (ctl_send ("grace@rig.test", "GOA token renewed", "--input-timeout=60", &err), ==, 0);
  g_assert_cmpuint (delivered ("GOA token renewed"), ==, 1);
  {
    g_autofree char *stats = standin_ask (standin, "stats");

    g_assert_cmpstr (stats, ==, "ok ensured 1");
  }
  g_clear_pointer (&err, g_free);

  /* GOA cannot renew them any more: the message waits for a new sign-in
   * in Settings (exit 77, needs attention). */
  standin_command (standin, "attention");
  g_assert_cmpint (ctl_send ("grace@rig.test", "GOA sign in again", "--input-timeout=60", &err), ==, 77);
  g_test_message ("send: %s", err);
  g_assert_nonnull (strstr (err, "Sign in to OAuth2 Stand-in again in Settings → Online Accounts (grace@rig.test)"));
  entry = queued_entry ("GOA sign in again");
  g_assert_cmpstr (json_object_get_string_member (entry, "state"), ==, "needs-attention");
  g_clear_pointer (&entry, json_object_unref);

  /* Signed in again in Settings (AttentionNeeded goes false): the
   * background flusher sends it by itself, once, and leaves. */
  {
    g_autoptr(GSubprocess) watch = start_watch ();

    standin_command (standin, "signed-in");
    g_free (wait_watch (watch));
    g_assert_cmpuint (delivered ("GOA sign in again"), ==, 1);
    g_assert_cmpuint (delivered_now ("GOA sign in again"), ==, 1);
  }

  /* Queued, then mail is turned off in Settings: the core hears it at
   * once, and the message waits for the person, saying why. */
  g_assert_cmpint (ctl_send ("grace@rig.test", "GOA mail turned off", "--queue-only", NULL), ==, 0);
  g_assert_cmpint (ctl_send ("goa:account_standin_0", "GOA account gone", "--queue-only", NULL), ==, 0);
  changed = 0;
  standin_command (standin, "mail-off");
  wait_until_unlisted (accounts, "goa:account_standin_0", &changed);
  postier_test_run_ctlv (NULL, NULL, 0, NULL, NULL, flush);
  entry = queued_entry ("GOA mail turned off");
  g_assert_cmpstr (json_object_get_string_member (entry, "account"), ==, "goa:account_standin_0");
  g_assert_cmpstr (json_object_get_string_member (entry, "state"), ==, "needs-attention");
  g_assert_nonnull (strstr (json_object_get_string_member (entry, "last_error"), "Mail is turned off"));
  g_clear_pointer (&entry, json_object_unref);

  /* Then the account goes altogether; the person retries the other one. */
  standin_command (standin, "remove");
  entry = queued_entry ("GOA account gone");
  {
    const char *retry[] = { "queue", "retry", json_object_get_string_member (entry, "id"), NULL };

    postier_test_run_ctlv (NULL, NULL, 0, NULL, NULL, retry);
  }
  g_clear_pointer (&entry, json_object_unref);
  postier_test_run_ctlv (NULL, NULL, 0, NULL, NULL, flush);
  entry = queued_entry ("GOA account gone");
  g_assert_cmpstr (json_object_get_string_member (entry, "state"), ==, "needs-attention");
  g_assert_nonnull (strstr (json_object_get_string_member (entry, "last_error"), "is gone"));
  g_assert_cmpuint (delivered_now ("GOA mail turned off"), ==, 0);
  g_assert_cmpuint (delivered_now ("GOA account gone"), ==, 0);

  g_output_stream_close (g_subprocess_get_stdin_pipe (standin), NULL, NULL);
  g_subprocess_wait (standin, NULL, NULL);
}

/* Spins until ACCOUNTS lists KEY (or no longer does, for LISTED FALSE). */
static void
wait_listed (PostierGoaAccounts *accounts,
             const char         *key,
             gboolean            listed)
{
  for (;;)
    {
      g_autoptr(PostierGoaMailAccount) found = postier_goa_accounts_lookup (accounts, key);

      if ((found != NULL) == listed && postier_goa_accounts_is_ready (accounts))
        return;
      g_main_context_iteration (NULL, TRUE);
    }
}

/* Mail waiting for a GOA account that had mail turned off goes by itself,
 * exactly once, when mail is turned back on: the background flusher
 * (`queue watch`) stays while it waits, hears GOA and leaves once it is
 * sent. Mail refused for another reason is left to the person. */
static void
test_comes_back (void)
{
  const char *port = postier_test_rig ("SUBMISSION_PORT");
  const char *subject = "GOA mail back on, issue 14";
  g_autofree char *refused_subject = tagged ("GOA refused recipient");
  g_autoptr(GSubprocess) daemon = NULL;
  g_autoptr(GSubprocess) watch = NULL;
  g_autoptr(PostierGoaAccounts) accounts = NULL;
  g_autoptr(JsonObject) entry = NULL;
  g_autofree char *err = NULL;
  g_autofree char *said = NULL;

  if (port == NULL)
    return;
  postier_test_goa_write_account ("localhost", port);
  store_goa_password ("imap_smtp:gen0:account_1700000000_0", postier_test_rig ("PASSWORD"));
  daemon = postier_test_goa_start_daemon ();
  accounts = postier_goa_accounts_new ();
  wait_listed (accounts, "goa:account_1700000000_0", TRUE);

  /* Refused for good by the relay: the person's to deal with, whatever
   * GOA says later. */
  {
    g_autofree char *ca = g_strdup_printf ("SSL_CERT_FILE=%s", postier_test_rig ("CA"));
    const char *env[] = { ca, NULL };
    const char *args[] = { "send", "--account", "goa:account_1700000000_0", "--to", "refuse@example.org",
                           "--subject", refused_subject, "--body-file", "-", NULL };

    g_assert_cmpint (postier_test_run_ctlv (env, "Refused.\n", 9, NULL, NULL, args), ==, 67);
  }

  /* Queued, then mail is turned off in Settings: the flush leaves it
   * waiting for the person, saying why. */
  g_assert_cmpint (ctl_send ("goa:account_1700000000_0", subject, "--queue-only", &err), ==, 0);
  postier_test_goa_set_mail_disabled (TRUE);
  wait_listed (accounts, "goa:account_1700000000_0", FALSE);
  {
    const char *flush[] = { "queue", "flush", NULL };

    g_assert_cmpint (postier_test_run_ctlv (NULL, NULL, 0, NULL, NULL, flush), ==, 69);
  }
  entry = queued_entry (subject);
  g_assert_cmpstr (json_object_get_string_member (entry, "state"), ==, "needs-attention");
  g_assert_nonnull (strstr (json_object_get_string_member (entry, "last_error"), "Mail is turned off"));
  g_clear_pointer (&entry, json_object_unref);

  watch = start_watch ();

  /* It stays for the mail that waits for the account: it is still there
   * once GOA has answered it (its first flush leaves the entry alone). */
  g_assert_cmpuint (delivered_now (subject), ==, 0);
  postier_test_goa_set_mail_disabled (FALSE);
  wait_listed (accounts, "goa:account_1700000000_0", TRUE);

  /* Sent by itself, and then the flusher leaves: nothing else waits. */
  said = wait_watch (watch);
  if (delivered (subject) != 1)
    {
      const char *args[] = { "queue", "list", NULL };
      g_autofree char *listed = NULL;

      (void) postier_test_run_ctlv (NULL, NULL, 0, &listed, NULL, args);
      g_printerr ("postierctl queue watch said:\n%s\nand left this queued:\n%s", said, listed);
    }
  g_assert_cmpuint (delivered (subject), ==, 1);
  g_assert_cmpuint (delivered_now (subject), ==, 1);
  entry = queued_entry ("GOA refused recipient");
  g_assert_cmpstr (json_object_get_string_member (entry, "state"), ==, "failed");
  g_assert_cmpint (json_object_get_int_member (entry, "attempts"), ==, 1);

  postier_test_goa_stop_daemon (g_steal_pointer (&daemon));
}

/* Without --account and without a relay account of Postier's own, send and
 * sendmail use GOA's account, and `account list` says it is the default;
 * once Postier has one of its own, that one is the default. */
static void
test_default_account (void)
{
  const char *port = postier_test_rig ("SUBMISSION_PORT");
  g_autofree char *ca = NULL;
  g_autoptr(GSubprocess) daemon = NULL;
  g_autoptr(JsonObject) listed = NULL;
  g_autofree char *json = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *subject = tagged ("GOA default account, issue 14");
  g_autofree char *sendmail_subject = tagged ("GOA default account through sendmail");

  if (port == NULL)
    return;
  ca = g_strdup_printf ("SSL_CERT_FILE=%s", postier_test_rig ("CA"));
  postier_test_goa_write_account ("localhost", port);
  store_goa_password ("imap_smtp:gen0:account_1700000000_0", postier_test_rig ("PASSWORD"));
  daemon = postier_test_goa_start_daemon ();

  listed = listed_json ("goa:account_1700000000_0", &json);
  g_assert_nonnull (listed);
  g_assert_true (json_object_get_boolean_member (listed, "default"));
  g_clear_pointer (&listed, json_object_unref);
  g_clear_pointer (&json, g_free);
  g_assert_cmpint (postier_test_run_ctl (NULL, &out, NULL, "account", "list", NULL), ==, 0);
  g_test_message ("account list: %s", out);
  g_assert_nonnull (strstr (out, "* goa:account_1700000000_0"));
  g_assert_null (strstr (out, "* Sandbox"));
  g_clear_pointer (&out, g_free);
  /* account show takes it too, by its address, and says the same. */
  g_assert_cmpint (postier_test_run_ctl (NULL, &out, NULL, "account", "show", "ada@rig.test", NULL), ==, 0);
  g_test_message ("account show: %s", out);
  g_assert_nonnull (strstr (out, "goa:account_1700000000_0"));
  g_assert_nonnull (strstr (out, "from Online Accounts"));
  g_assert_nonnull (strstr (out, "Default:"));
  g_assert_null (strstr (out, postier_test_rig ("PASSWORD")));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (postier_test_run_ctl (NULL, &out, NULL, "account", "show", "Sandbox", NULL), ==, 0);
  g_assert_null (strstr (out, "Default:"));
  g_clear_pointer (&out, g_free);

  {
    const char *env[] = { ca, NULL };
    const char *args[] = { "send", "--to", "carol@example.org", "--subject", subject, "--body-file", "-", NULL };
    const char *body = "Sent with the default account, GOA's.\n";

    g_assert_cmpint (postier_test_run_ctlv (env, body, strlen (body), NULL, &err, args), ==, 0);
    g_test_message ("send: %s", err);
    g_assert_cmpuint (delivered ("GOA default account, issue 14"), ==, 1);
  }
  {
    const char *env[] = { ca, NULL };
    const char *args[] = { "sendmail", "-t", NULL };
    g_autofree char *message = g_strdup_printf ("From: Ada Lovelace <ada@rig.test>\nTo: carol@example.org\n"
                                                "Subject: %s\n\nHello.\n", sendmail_subject);

    g_assert_cmpint (postier_test_run_ctlv (env, message, strlen (message), NULL, NULL, args), ==, 0);
    g_assert_cmpuint (delivered ("GOA default account through sendmail"), ==, 1);
  }

  /* Postier's own account wins. */
  postier_test_ctl_add_account ("Own", port, postier_test_rig ("CA"), postier_test_rig ("PASSWORD"));
  listed = listed_json ("goa:account_1700000000_0", &json);
  g_assert_false (json_object_get_boolean_member (listed, "default"));
  g_clear_pointer (&listed, json_object_unref);
  g_clear_pointer (&json, g_free);
  listed = listed_json ("Own", &json);
  g_assert_true (json_object_get_boolean_member (listed, "default"));
  g_assert_cmpint (postier_test_run_ctl (NULL, &out, NULL, "account", "show", "goa:account_1700000000_0", NULL), ==, 0);
  g_assert_null (strstr (out, "Default:"));

  postier_test_goa_stop_daemon (g_steal_pointer (&daemon));
}

/* The rule itself: the oldest GOA account (GOA's ids carry the time it
 * was added, compared as numbers), never the Sandbox. */
static void
test_default_rule (void)
{
  g_autofree char *path = g_build_filename (g_get_user_config_dir (), "postier", "accounts-rule.ini", NULL);
  g_autoptr(PostierAccountStore) store = postier_account_store_new (path);
  g_autoptr(GPtrArray) goa = g_ptr_array_new_with_free_func ((GDestroyNotify) postier_goa_mail_account_free);
  const char *ids[] = { "account_1700000100_0", "account_1700000000_10", "account_1700000000_2" };

  g_assert_true (postier_account_store_load (store, NULL));
  g_assert_null (postier_account_pick_default (store, goa));
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      PostierGoaMailAccount *entry = g_new0 (PostierGoaMailAccount, 1);
      g_autofree char *name = g_strconcat ("goa:", ids[i], NULL);

      entry->id = g_strdup (ids[i]);
      entry->account = postier_account_new (name);
      g_ptr_array_add (goa, entry);
    }
  g_assert_cmpstr (postier_account_get_name (postier_account_pick_default (store, goa)), ==,
                   "goa:account_1700000000_2");
  g_assert_cmpstr (postier_account_get_name (postier_account_pick_default (NULL, goa)), ==,
                   "goa:account_1700000000_2");
}

static void
test_no_bus_is_silent (void)
{
  const char *env[] = { "DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent/bus", NULL };
  const char *args[] = { "account", "list", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  status = postier_test_run_ctlv (env, NULL, 0, &out, &err, args);
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpstr (err, ==, "");
  g_assert_null (strstr (out, "Online Accounts"));
  g_assert_nonnull (strstr (out, "Sandbox"));
}

int
main (int    argc,
      char **argv)
{
  postier_test_init (&argc, &argv);

  g_test_add_func ("/goa/listed", test_listed);
  g_test_add_func ("/goa/password-send", test_password_send);
  g_test_add_func ("/goa/oauth2-send-and-vanish", test_oauth2_send_and_vanish);
  g_test_add_func ("/goa/comes-back", test_comes_back);
  g_test_add_func ("/goa/default-account", test_default_account);
  g_test_add_func ("/goa/default-rule", test_default_rule);
  g_test_add_func ("/goa/no-bus-is-silent", test_no_bus_is_silent);

  return g_test_run ();
}
