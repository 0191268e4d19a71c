/* postierctl-account.c — postierctl account add|list|show|remove
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postierctl"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "postierctl-private.h"

static int
account_add (int    argc,
             char **argv)
{
  g_autofree char *from = NULL;
  g_autofree char *host = NULL;
  g_autofree char *security_text = NULL;
  g_autofree char *auth_text = NULL;
  g_autofree char *user = NULL;
  g_autofree char *password_command = NULL;
  g_autofree char *ca_file = NULL;
  g_autofree char *pin = NULL;
  gboolean password_stdin = FALSE;
  gboolean make_default = FALSE;
  gboolean request_dsn = FALSE;
  gint port = -1;
  const GOptionEntry entries[] = {
    { "from", 0, 0, G_OPTION_ARG_STRING, &from, N_("Sender identity, “Name <address>”"), N_("ADDR") },
    { "host", 0, 0, G_OPTION_ARG_STRING, &host, N_("Outgoing (smart host) server"), N_("HOST") },
    { "port", 0, 0, G_OPTION_ARG_INT, &port, N_("Port (default 465 for tls, 587 for starttls)"), N_("N") },
    { "security", 0, 0, G_OPTION_ARG_STRING, &security_text, N_("tls, starttls or none"), N_("MODE") },
    { "auth", 0, 0, G_OPTION_ARG_STRING, &auth_text,
      N_("auto, none, plain, login, cram-md5, scram-sha-1, scram-sha-256 or xoauth2"), N_("METHOD") },
    { "user", 0, 0, G_OPTION_ARG_STRING, &user, N_("Login name (default: the address)"), N_("USER") },
    { "password-stdin", 0, 0, G_OPTION_ARG_NONE, &password_stdin,
      N_("Read the password on standard input and store it in the keyring"), NULL },
    { "password-command", 0, 0, G_OPTION_ARG_STRING, &password_command,
      N_("Run CMD to get the password, instead of the keyring"), N_("CMD") },
    { "ca-file", 0, 0, G_OPTION_ARG_FILENAME, &ca_file, N_("Trust the CAs in this PEM file"), N_("PEM") },
    { "pin-sha256", 0, 0, G_OPTION_ARG_STRING, &pin,
      N_("Accept only the server certificate with this SHA-256 fingerprint"), N_("HEX") },
    { "dsn", 0, 0, G_OPTION_ARG_NONE, &request_dsn, N_("Ask the server for delivery status notifications"), NULL },
    { "default", 0, 0, G_OPTION_ARG_NONE, &make_default, N_("Make this the default account"), NULL },
    G_OPTION_ENTRY_NULL,
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("NAME — add an account"));
  g_autoptr(PostierAccountStore) store = NULL;
  g_autoptr(PostierAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *password = NULL;
  PostierSecurity security = POSTIER_SECURITY_TLS;
  PostierAuthMethod auth = POSTIER_AUTH_AUTO;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!postierctl_parse_options (context, &argc, &argv))
    return EX_USAGE;

  if (argc != 2)
    return postierctl_usage_error (_("account add takes exactly one account NAME"));
  if (from == NULL)
    return postierctl_usage_error (_("account add needs --from ADDR"));
  if (host == NULL)
    return postierctl_usage_error (_("account add needs --host HOST"));
  if (security_text != NULL && !postier_security_from_string (security_text, &security))
    return postierctl_usage_error (_("unknown security “%s”: use tls, starttls or none"), security_text);
  if (auth_text != NULL && !postier_auth_method_from_string (auth_text, &auth))
    return postierctl_usage_error (_("unknown authentication method “%s”"), auth_text);
  if (port != -1 && (port < 1 || port > 65535))
    return postierctl_usage_error (_("the port %d is out of range (1–65535)"), port);
  if (password_stdin && password_command != NULL)
    return postierctl_usage_error (_("give either --password-stdin or --password-command, not both"));
  if (auth == POSTIER_AUTH_NONE && (password_stdin || password_command != NULL))
    return postierctl_usage_error (_("--auth none takes no password"));

  account = postier_account_new (argv[1]);
  postier_account_set_identity (account, from);
  postier_account_set_host (account, host);
  postier_account_set_security (account, security);
  postier_account_set_port (account, port != -1 ? (guint) port : postier_security_default_port (security));
  postier_account_set_auth (account, auth);
  postier_account_set_user (account, user);
  postier_account_set_password_command (account, password_command);
  postier_account_set_ca_file (account, ca_file);
  postier_account_set_pinned_sha256 (account, pin);
  postier_account_set_request_dsn (account, request_dsn);

  if (!postier_account_validate (account, &error))
    return postierctl_fail (error);

  store = postierctl_load_accounts (&error);
  if (store == NULL)
    return postierctl_fail (error);
  if (postier_account_store_lookup (store, argv[1]) != NULL)
    {
      g_printerr ("postierctl: ");
      g_printerr (_("an account named “%s” already exists"), argv[1]);
      g_printerr ("\n");
      return EX_CONFIG;
    }

  if (password_stdin)
    {
      gsize length;

      password = postierctl_read_stdin (&length, &error);
      if (password == NULL)
        return postierctl_fail (error);
      /* One trailing line end is the terminal's, not the password's. */
      if (length > 0 && password[length - 1] == '\n')
        password[--length] = '\0';
      if (length > 0 && password[length - 1] == '\r')
        password[--length] = '\0';
      if (length == 0)
        return postierctl_usage_error (_("the password read on standard input is empty"));
      if (strlen (password) != length)
        return postierctl_usage_error (_("the password read on standard input contains a NUL byte"));

      /* Keyring first: if it is not there, nothing has been written yet. */
      if (!postier_secret_store_password_sync (account, password, NULL, &error))
        return postierctl_fail (error);
    }

  if (!postier_account_store_add (store, account, make_default, &error))
    {
      if (password_stdin)
        postier_secret_clear_password_sync (account, NULL, NULL);
      return postierctl_fail (error);
    }

  g_print (_("Account “%s” added (%s:%u, %s)."), postier_account_get_name (account),
           postier_account_get_host (account), postier_account_get_port (account),
           postier_security_to_string (postier_account_get_security (account)));
  g_print ("\n");
  if (auth != POSTIER_AUTH_NONE && !password_stdin && password_command == NULL)
    {
      g_printerr (_("Note: no password was given; sending will fail until one is stored "
                    "(add the account again with --password-stdin, or set it in the app)."));
      g_printerr ("\n");
    }
  return EX_OK;
}

static const char *
password_source (PostierAccount *account)
{
  if (postier_account_get_kind (account) == POSTIER_ACCOUNT_KIND_SANDBOX)
    return "sandbox";
  if (!postier_account_needs_password (account))
    return "none";
  return postier_account_get_password_command (account) != NULL ? "command" : "keyring";
}

static JsonNode *
account_to_json (PostierAccount *account,
                 gboolean        is_default)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  const char *optional[][2] = {
    { "display_name", postier_account_get_display_name (account) },
    { "user", postier_account_get_user (account) },
    { "ca_file", postier_account_get_ca_file (account) },
    { "pinned_sha256", postier_account_get_pinned_sha256 (account) },
  };

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, postier_account_get_name (account));
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder,
                                 postier_account_get_kind (account) == POSTIER_ACCOUNT_KIND_SANDBOX ?
                                 "sandbox" : "relay");
  json_builder_set_member_name (builder, "default");
  json_builder_add_boolean_value (builder, is_default);
  json_builder_set_member_name (builder, "identity");
  json_builder_add_string_value (builder, postier_account_get_identity (account));
  json_builder_set_member_name (builder, "address");
  json_builder_add_string_value (builder, postier_account_get_address (account));
  json_builder_set_member_name (builder, "host");
  json_builder_add_string_value (builder, postier_account_get_host (account));
  json_builder_set_member_name (builder, "port");
  json_builder_add_int_value (builder, postier_account_get_port (account));
  json_builder_set_member_name (builder, "security");
  json_builder_add_string_value (builder, postier_security_to_string (postier_account_get_security (account)));
  json_builder_set_member_name (builder, "auth");
  json_builder_add_string_value (builder, postier_auth_method_to_string (postier_account_get_auth (account)));
  for (guint i = 0; i < G_N_ELEMENTS (optional); i++)
    {
      json_builder_set_member_name (builder, optional[i][0]);
      if (optional[i][1] != NULL)
        json_builder_add_string_value (builder, optional[i][1]);
      else
        json_builder_add_null_value (builder);
    }
  json_builder_set_member_name (builder, "password_source");
  json_builder_add_string_value (builder, password_source (account));
  json_builder_set_member_name (builder, "request_dsn");
  json_builder_add_boolean_value (builder, postier_account_get_request_dsn (account));
  json_builder_set_member_name (builder, "hidden");
  json_builder_add_boolean_value (builder, postier_account_get_hidden (account));
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static int
account_list (int    argc,
              char **argv)
{
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print a stable JSON array for scripts"), NULL },
    G_OPTION_ENTRY_NULL,
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("— list accounts"));
  g_autoptr(PostierAccountStore) store = NULL;
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(GError) error = NULL;
  PostierAccount *default_account;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!postierctl_parse_options (context, &argc, &argv))
    return EX_USAGE;
  if (argc != 1)
    return postierctl_usage_error (_("account list takes no arguments"));

  store = postierctl_load_accounts (&error);
  if (store == NULL)
    return postierctl_fail (error);
  accounts = postier_account_store_list (store);
  default_account = postier_account_store_get_default (store);

  if (json)
    {
      g_autoptr(JsonNode) root = json_node_new (JSON_NODE_ARRAY);
      g_autoptr(JsonArray) array = json_array_new ();

      for (guint i = 0; i < accounts->len; i++)
        {
          PostierAccount *account = g_ptr_array_index (accounts, i);
          json_array_add_element (array, account_to_json (account, account == default_account));
        }
      json_node_set_array (root, array);
      postierctl_print_json (root);
      return EX_OK;
    }

  for (guint i = 0; i < accounts->len; i++)
    {
      PostierAccount *account = g_ptr_array_index (accounts, i);
      g_autofree char *where = NULL;

      if (postier_account_get_kind (account) == POSTIER_ACCOUNT_KIND_SANDBOX)
        where = g_strdup (_("captured locally, never sent"));
      else
        where = g_strdup_printf ("%s:%u %s", postier_account_get_host (account),
                                 postier_account_get_port (account),
                                 postier_security_to_string (postier_account_get_security (account)));
      g_print ("%c %-16s %-40s %s\n", account == default_account ? '*' : ' ',
               postier_account_get_name (account), postier_account_get_identity (account), where);
    }
  return EX_OK;
}

/* A new reference to the account named NAME. When STORE is not NULL, the
 * store it was found in goes there, for changes to it. */
static PostierAccount *
load_account (const char           *name,
              PostierAccountStore **store,
              GError              **error)
{
  g_autoptr(PostierAccountStore) accounts = postierctl_load_accounts (error);
  PostierAccount *account;

  if (accounts == NULL)
    return NULL;
  account = postier_account_store_lookup (accounts, name);
  if (account == NULL)
    {
      g_set_error (error, POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_NOT_FOUND,
                   _("there is no account named “%s”"), name);
      return NULL;
    }
  if (store != NULL)
    *store = g_steal_pointer (&accounts);
  return g_object_ref (account);
}

static int
account_show (int    argc,
              char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (_("NAME — show one account"));
  g_autoptr(PostierAccountStore) store = NULL;
  g_autoptr(PostierAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  const char *source;

  if (!postierctl_parse_options (context, &argc, &argv))
    return EX_USAGE;
  if (argc != 2)
    return postierctl_usage_error (_("account show takes exactly one account NAME"));

  account = load_account (argv[1], &store, &error);
  if (account == NULL)
    return postierctl_fail (error);

  g_print ("%-16s %s\n", _("Name:"), postier_account_get_name (account));
  g_print ("%-16s %s\n", _("Identity:"), postier_account_get_identity (account));
  if (postier_account_get_kind (account) == POSTIER_ACCOUNT_KIND_SANDBOX)
    {
      g_print ("%-16s %s\n", _("Server:"), _("built-in Sandbox: mail is captured on this computer"));
      return EX_OK;
    }
  g_print ("%-16s %s\n", _("Server:"), postier_account_get_host (account));
  g_print ("%-16s %u\n", _("Port:"), postier_account_get_port (account));
  g_print ("%-16s %s\n", _("Security:"), postier_security_to_string (postier_account_get_security (account)));
  g_print ("%-16s %s\n", _("Authentication:"), postier_auth_method_to_string (postier_account_get_auth (account)));
  if (postier_account_needs_password (account))
    g_print ("%-16s %s\n", _("Login:"), postier_account_get_login (account));
  if (postier_account_get_ca_file (account) != NULL)
    g_print ("%-16s %s\n", _("CA file:"), postier_account_get_ca_file (account));
  if (postier_account_get_pinned_sha256 (account) != NULL)
    g_print ("%-16s %s\n", _("Pinned SHA-256:"), postier_account_get_pinned_sha256 (account));
  if (account == postier_account_store_get_default (store))
    g_print ("%-16s %s\n", _("Default:"), _("yes"));

  source = password_source (account);
  if (g_str_equal (source, "command"))
    g_print ("%-16s %s\n", _("Password:"), _("from the password command"));
  else if (g_str_equal (source, "keyring"))
    {
      g_autofree char *password = postier_secret_lookup_password_sync (account, NULL, &error);

      if (password != NULL)
        g_print ("%-16s %s\n", _("Password:"), _("stored in the keyring"));
      else if (g_error_matches (error, POSTIER_SECRET_ERROR, POSTIER_SECRET_ERROR_NOT_FOUND))
        g_print ("%-16s %s\n", _("Password:"), _("not stored"));
      else
        g_print ("%-16s %s\n", _("Password:"), _("unknown: the keyring is not available"));
    }
  return EX_OK;
}

static int
account_remove (int    argc,
                char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (_("NAME — remove an account and its password"));
  g_autoptr(PostierAccountStore) store = NULL;
  g_autoptr(PostierAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) secret_error = NULL;

  if (!postierctl_parse_options (context, &argc, &argv))
    return EX_USAGE;
  if (argc != 2)
    return postierctl_usage_error (_("account remove takes exactly one account NAME"));

  account = load_account (argv[1], &store, &error);
  if (account == NULL)
    return postierctl_fail (error);
  if (!postier_account_store_remove (store, argv[1], &error))
    return postierctl_fail (error);

  /* Secrets are cleared by our attributes whatever the password source, so
   * nothing of a removed account is left behind in the keyring. */
  if (!postier_secret_clear_password_sync (account, NULL, &secret_error) &&
      !g_error_matches (secret_error, POSTIER_SECRET_ERROR, POSTIER_SECRET_ERROR_NOT_FOUND) &&
      postier_account_get_password_command (account) == NULL &&
      postier_account_needs_password (account))
    {
      g_printerr (_("Warning: the account was removed, but its password could not be "
                    "removed from the keyring: %s"), secret_error->message);
      g_printerr ("\n");
    }

  g_print (_("Account “%s” removed."), postier_account_get_name (account));
  g_print ("\n");
  return EX_OK;
}

/* Connects, secures and logs in as a send would, then says what it saw:
 * the person's first check that an account works. */
static int
account_test (int    argc,
              char **argv)
{
  gint timeout = 30;
  const GOptionEntry entries[] = {
    { "timeout", 0, 0, G_OPTION_ARG_INT, &timeout, N_("Seconds to wait for the server (default 30)"), N_("SECONDS") },
    G_OPTION_ENTRY_NULL,
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("NAME — connect, secure and log in, then report"));
  g_autoptr(PostierAccount) account = NULL;
  g_autoptr(PostierSmtpClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *password = NULL;
  const char * const *lines;
  const char *summary;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!postierctl_parse_options (context, &argc, &argv))
    return EX_USAGE;
  if (argc != 2)
    return postierctl_usage_error (_("account test takes exactly one account NAME"));
  if (timeout < 1 || timeout > 3600)
    return postierctl_usage_error (_("the timeout must be between 1 and 3600 seconds"));

  account = load_account (argv[1], NULL, &error);
  if (account == NULL)
    return postierctl_fail (error);
  if (postier_account_get_kind (account) == POSTIER_ACCOUNT_KIND_SANDBOX)
    {
      g_print ("%s\n", _("The Sandbox captures mail on this computer; there is no server to test."));
      return EX_OK;
    }

  if (postier_account_needs_password (account))
    {
      password = postier_account_fetch_password (account, NULL, &error);
      if (password == NULL)
        return postierctl_fail (error);
    }

  client = postier_smtp_client_new (account);
  postier_smtp_client_set_timeout (client, (guint) timeout);
  postier_smtp_client_set_password (client, password);
  if (password != NULL)
    explicit_bzero (password, strlen (password));

  g_print (_("Connecting to %s port %u (%s)…"), postier_account_get_host (account),
           postier_account_get_port (account),
           postier_security_to_string (postier_account_get_security (account)));
  g_print ("\n");

  if (!postier_smtp_client_open (client, NULL, &error))
    {
      /* A certificate problem is for the person to judge: show what the
       * server presented, fingerprint included. */
      summary = postier_smtp_client_get_certificate_summary (client);
      if (summary != NULL && g_error_matches (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_TLS_CERTIFICATE))
        {
          g_auto(GStrv) parts = g_strsplit (summary, "\n", -1);

          g_printerr ("%s\n", _("Certificate presented by the server:"));
          for (guint i = 0; parts[i] != NULL; i++)
            g_printerr ("  %s\n", parts[i]);
        }
      return postierctl_fail (error);
    }
  /* The Sandbox's check list compares messages with this relay's SIZE. */
  postier_relay_size_limit_remember (postier_account_get_name (account),
                                     postier_smtp_client_get_size_limit (client));

  if (postier_smtp_client_get_tls_summary (client) != NULL)
    g_print ("%-16s %s\n", _("TLS:"), postier_smtp_client_get_tls_summary (client));
  else
    g_print ("%-16s %s\n", _("TLS:"), _("none (loopback only)"));

  summary = postier_smtp_client_get_certificate_summary (client);
  if (summary != NULL)
    {
      g_auto(GStrv) parts = g_strsplit (summary, "\n", -1);

      g_print ("%s\n", _("Certificate:"));
      for (guint i = 0; parts[i] != NULL; i++)
        g_print ("  %s\n", parts[i]);
    }

  if (postier_smtp_client_get_auth_mechanism (client) != NULL)
    {
      g_print (_("Logged in as %s with %s."), postier_account_get_login (account),
               postier_smtp_client_get_auth_mechanism (client));
      g_print ("\n");
    }
  else
    g_print ("%s\n", _("No login (authentication is off for this account)."));

  g_print ("%s\n", _("Server capabilities:"));
  lines = postier_smtp_client_get_capability_lines (client);
  for (guint i = 0; lines[i] != NULL; i++)
    g_print ("  %s\n", lines[i]);

  postier_smtp_client_close (client, NULL);
  g_print ("%s\n", _("The account works."));
  return EX_OK;
}

int
postierctl_account_main (int    argc,
                         char **argv)
{
  static const PostierctlCommand subcommands[] = {
    { "add", account_add, N_("Add an account") },
    { "list", account_list, N_("List the accounts") },
    { "show", account_show, N_("Show one account") },
    { "test", account_test, N_("Connect, log in and show what the server offers") },
    { "remove", account_remove, N_("Remove an account and its stored password") },
  };

  return postierctl_run_subcommand (subcommands, G_N_ELEMENTS (subcommands),
                                    _("Usage: postierctl account add|list|show|test|remove …"), argc, argv);
}
