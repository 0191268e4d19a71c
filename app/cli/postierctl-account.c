/* postierctl-account.c — postierctl account add|set|list|show|test|check|remove
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postierctl"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "postier-account-client.h"
#include "postier-account-resolver.h"
#include "postier-tls.h"
#include "postierctl-private.h"

/* What `account add` and `account set` take, as given on the command line:
 * NULL or -1 where nothing was given. One set of options, one set of
 * checks, one way of applying them, so the two commands cannot drift. */
typedef struct {
  char     *from;
  char     *host;
  char     *security_text;
  char     *auth_text;
  char     *user;
  char     *password_command;
  char     *ca_file;
  char     *pin;
  char     *oauth, *oauth_client_id, *oauth_scope;   /* "" removes */
  gboolean  browser;          /* sign in with the desktop's browser */
  gboolean  password_stdin;
  gboolean  make_default;
  gboolean  request_dsn;
  gboolean  no_dsn;
  char     *limit;            /* a preset or KEY=N,… (postier-account-limits.h) */
  gint      port;
  PostierSecurity   security;   /* parsed from security_text */
  PostierAuthMethod auth;       /* parsed from auth_text */
} AccountOptions;

static void
account_options_clear (AccountOptions *options)
{
  g_free (options->from);
  g_free (options->host);
  g_free (options->security_text);
  g_free (options->auth_text);
  g_free (options->user);
  g_free (options->password_command);
  g_free (options->ca_file);
  g_free (options->pin);
  g_free (options->oauth);
  g_free (options->oauth_client_id);
  g_free (options->oauth_scope);
  g_free (options->limit);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (AccountOptions, account_options_clear)

static void
add_account_entries (GOptionContext *context,
                     AccountOptions *options,
                     gboolean        editing)
{
  const GOptionEntry entries[] = {
    { "from", 0, 0, G_OPTION_ARG_STRING, &options->from, N_("Sender identity, “Name <address>”"), N_("ADDR") },
    { "host", 0, 0, G_OPTION_ARG_STRING, &options->host, N_("Outgoing (smart host) server"), N_("HOST") },
    { "port", 0, 0, G_OPTION_ARG_INT, &options->port, N_("Port (default 465 for tls, 587 for starttls)"), N_("N") },
    { "security", 0, 0, G_OPTION_ARG_STRING, &options->security_text, N_("tls, starttls or none"), N_("MODE") },
    { "auth", 0, 0, G_OPTION_ARG_STRING, &options->auth_text,
      N_("auto, none, plain, login, cram-md5, scram-sha-1, scram-sha-256 or xoauth2"), N_("METHOD") },
    { "user", 0, 0, G_OPTION_ARG_STRING, &options->user, N_("Login name (default: the address)"), N_("USER") },
    { "password-stdin", 0, 0, G_OPTION_ARG_NONE, &options->password_stdin,
      N_("Read the password on standard input and store it in the keyring"), NULL },
    { "password-command", 0, 0, G_OPTION_ARG_STRING, &options->password_command,
      N_("Run CMD to get the password, instead of the keyring"), N_("CMD") },
    { "ca-file", 0, 0, G_OPTION_ARG_FILENAME, &options->ca_file, N_("Trust the CAs in this PEM file"), N_("PEM") },
    { "pin-sha256", 0, 0, G_OPTION_ARG_STRING, &options->pin,
      N_("Accept only the server certificate with this SHA-256 fingerprint"), N_("HEX") },
    { "dsn", 0, 0, G_OPTION_ARG_NONE, &options->request_dsn, N_("Ask the server for delivery status notifications"), NULL },
    { "default", 0, 0, G_OPTION_ARG_NONE, &options->make_default, N_("Make this the default account"), NULL },
    { "limit", 0, 0, G_OPTION_ARG_STRING, &options->limit,
      N_("The relay’s limits: gmail, google-workspace, microsoft-365, none, or KEY=N,… with messages-per-minute, "
         "messages-per-hour, messages-per-day, recipients-per-message, recipients-per-day (0: no limit)"),
      N_("LIMITS") },
    { "oauth", 0, 0, G_OPTION_ARG_STRING, &options->oauth,
      N_("Sign in with OAuth 2.0 at google, microsoft or an issuer’s https:// address"), N_("PROVIDER") },
    { "oauth-client-id", 0, 0, G_OPTION_ARG_STRING, &options->oauth_client_id, N_("OAuth 2.0 client ID"), N_("ID") },
    { "oauth-scope", 0, 0, G_OPTION_ARG_STRING, &options->oauth_scope, N_("OAuth 2.0 scopes"), N_("SCOPES") },
    { "browser", 0, 0, G_OPTION_ARG_NONE, &options->browser,
      N_("With --oauth: sign in with the desktop’s browser instead of a code"), NULL },
    G_OPTION_ENTRY_NULL,
  };
  const GOptionEntry edit_entries[] = {
    { "no-dsn", 0, 0, G_OPTION_ARG_NONE, &options->no_dsn, N_("Stop asking for delivery status notifications"), NULL },
    G_OPTION_ENTRY_NULL,
  };

  options->port = -1;
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (editing)
    {
      g_option_context_add_main_entries (context, edit_entries, GETTEXT_PACKAGE);
      g_option_context_set_description (context,
                                        _("Only the settings given change. An empty value (--user \"\") "
                                          "removes --user, --ca-file, --pin-sha256 or --password-command. "
                                          "Messages that wait for this account because of a refused login "
                                          "or certificate are tried again."));
    }
}

/* The checks on the command line itself; the account's own rules are
 * postier_account_validate()'s, applied when it is saved. */
static int
check_account_options (AccountOptions *options)
{
  options->security = POSTIER_SECURITY_TLS;
  options->auth = POSTIER_AUTH_AUTO;
  if (options->security_text != NULL &&
      !postier_security_from_string (options->security_text, &options->security))
    return postierctl_usage_error (_("unknown security “%s”: use tls, starttls or none"),
                                   options->security_text);
  if (options->auth_text != NULL && !postier_auth_method_from_string (options->auth_text, &options->auth))
    return postierctl_usage_error (_("unknown authentication method “%s”"), options->auth_text);
  if (options->port != -1 && (options->port < 1 || options->port > 65535))
    return postierctl_usage_error (_("the port %d is out of range (1–65535)"), options->port);
  if (options->password_stdin && options->password_command != NULL)
    return postierctl_usage_error (_("give either --password-stdin or --password-command, not both"));
  if (options->request_dsn && options->no_dsn)
    return postierctl_usage_error (_("give either --dsn or --no-dsn, not both"));
  if (options->limit != NULL)
    {
      PostierAccountLimits limits = { 0 };
      g_autoptr(GError) error = NULL;

      if (!postier_account_limits_parse (options->limit, &limits, &error))
        return postierctl_usage_error ("%s", error->message);
    }
  return postierctl_oauth_check_options (options->oauth, options->password_stdin ||
                                                        options->password_command != NULL);
}

/* TRUE when OPTIONS change a setting of the account, not only the default. */
static gboolean
account_options_change_settings (const AccountOptions *options)
{
  return options->from != NULL || options->host != NULL || options->security_text != NULL ||
         options->auth_text != NULL || options->user != NULL || options->password_command != NULL ||
         options->ca_file != NULL || options->pin != NULL || options->password_stdin ||
         options->request_dsn || options->no_dsn || options->port != -1 || options->oauth != NULL ||
         options->oauth_client_id != NULL || options->oauth_scope != NULL || options->limit != NULL;
}

static const char *
empty_as_null (const char *text)
{
  return text != NULL && *text != '\0' ? text : NULL;
}

/* Changes what was given, nothing else. A new security brings its own
 * default port along, unless the port had been chosen. */
static void
apply_account_options (PostierAccount       *account,
                       const AccountOptions *options)
{
  PostierSecurity old_security = postier_account_get_security (account);
  gboolean default_port = postier_account_get_port (account) == postier_security_default_port (old_security);

  if (options->from != NULL)
    postier_account_set_identity (account, options->from);
  if (options->host != NULL)
    postier_account_set_host (account, options->host);
  if (options->security_text != NULL)
    postier_account_set_security (account, options->security);
  if (options->port != -1)
    postier_account_set_port (account, (guint) options->port);
  else if (options->security_text != NULL && default_port)
    postier_account_set_port (account, postier_security_default_port (options->security));
  if (options->auth_text != NULL)
    postier_account_set_auth (account, options->auth);
  if (options->user != NULL)
    postier_account_set_user (account, empty_as_null (options->user));
  if (options->password_command != NULL)
    postier_account_set_password_command (account, empty_as_null (options->password_command));
  else if (options->password_stdin)
    postier_account_set_password_command (account, NULL);  /* the keyring from now on */
  if (options->ca_file != NULL)
    postier_account_set_ca_file (account, empty_as_null (options->ca_file));
  if (options->pin != NULL)
    {
      /* "AB:CD:…" as openssl prints it is the same fingerprint. */
      g_autofree char *normalized = postier_tls_normalize_fingerprint (options->pin);

      postier_account_set_pinned_sha256 (account, normalized != NULL ? normalized : empty_as_null (options->pin));
    }
  if (options->request_dsn || options->no_dsn)
    postier_account_set_request_dsn (account, options->request_dsn);
  if (options->limit != NULL)
    {
      PostierAccountLimits limits;

      /* Keys not given keep their value; checked in check_account_options(). */
      postier_account_get_limits (account, &limits);
      if (postier_account_limits_parse (options->limit, &limits, NULL))
        postier_account_set_limits (account, &limits);
    }
  postierctl_oauth_apply_options (account, options->oauth, options->oauth_client_id, options->oauth_scope,
                                  options->auth_text != NULL);
}

/* Reads the password for --password-stdin; on a problem prints it and
 * returns NULL with *STATUS set. */
static char *
read_password (int *status)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PostierPassword) password = NULL;
  gsize length;

  password = postierctl_read_stdin (&length, &error);
  if (password == NULL)
    {
      *status = postierctl_fail (error);
      return NULL;
    }
  /* One trailing line end is the terminal's, not the password's. */
  if (length > 0 && password[length - 1] == '\n')
    password[--length] = '\0';
  if (length > 0 && password[length - 1] == '\r')
    password[--length] = '\0';
  if (length == 0)
    *status = postierctl_usage_error (_("the password read on standard input is empty"));
  else if (strlen (password) != length)
    *status = postierctl_usage_error (_("the password read on standard input contains a NUL byte"));
  else
    return g_steal_pointer (&password);
  explicit_bzero (password, length);
  return NULL;
}

typedef struct {
  GMainLoop *loop;
  GError    *error;
  gboolean   saved;
} SaveWait;

static void
on_account_saved (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  SaveWait *wait = user_data;

  wait->saved = postier_account_save_finish (POSTIER_ACCOUNT_STORE (source), result, &wait->error);
  g_main_loop_quit (wait->loop);
}

/* The app's way of saving (core's account-save): the keyring first, then
 * accounts.ini, or neither; a changed server or login takes the stored
 * password along. */
static gboolean
save_account (PostierAccountStore     *store,
              PostierAccount          *account,
              PostierAccountSaveMode   mode,
              const char              *password,
              gboolean                 make_default,
              GError                 **error)
{
  SaveWait wait = { .loop = g_main_loop_new (NULL, FALSE) };

  postier_account_save_async (store, account, mode, password, make_default, NULL, on_account_saved, &wait);
  g_main_loop_run (wait.loop);
  g_main_loop_unref (wait.loop);
  if (!wait.saved)
    g_propagate_error (error, wait.error);
  return wait.saved;
}

static gboolean
uses_keyring (PostierAccount *account)
{
  return postier_account_get_kind (account) == POSTIER_ACCOUNT_KIND_RELAY &&
         postier_account_needs_password (account) &&
         postier_account_get_password_command (account) == NULL;
}

/* "Account “NAME” added/changed (HOST:PORT, SECURITY)." */
static void
print_saved (const char     *format,
             PostierAccount *account)
{
  g_autofree char *name = postierctl_printable (postier_account_get_name (account));
  g_autofree char *host = postierctl_printable (postier_account_get_host (account));

  g_print (format, name, host, postier_account_get_port (account),
           postier_security_to_string (postier_account_get_security (account)));
  g_print ("\n");
}

/* Tells the user that a keyring account saved without a password cannot
 * send yet, and how to give it one. */
static void
note_no_password (const char *account_name)
{
  g_autofree char *name = postierctl_printable (account_name);

  g_printerr (_("Note: no password was given; sending will fail until one is stored "
                "(postierctl account set %s --password-stdin, or in the app)."), name);
  g_printerr ("\n");
}

static int
account_add (int    argc,
             char **argv)
{
  g_auto(AccountOptions) options = { 0 };
  g_autoptr(GOptionContext) context = g_option_context_new (_("NAME — add an account"));
  g_autoptr(PostierAccountStore) store = NULL;
  g_autoptr(PostierAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PostierPassword) password = NULL;
  int status = EX_OK;

  add_account_entries (context, &options, FALSE);
  if (!postierctl_parse_options (context, &argc, &argv))
    return EX_USAGE;

  if (argc != 2)
    return postierctl_usage_error (_("account add takes exactly one account NAME"));
  if (options.from == NULL)
    return postierctl_usage_error (_("account add needs --from ADDR"));
  status = check_account_options (&options);
  if (status != EX_OK)
    return status;

  account = postier_account_new (argv[1]);
  postier_account_set_identity (account, options.from);
  if (options.host == NULL && (status = postierctl_account_find_server (account)) != EX_OK)
    return status;
  apply_account_options (account, &options);
  if (postier_account_get_auth (account) == POSTIER_AUTH_NONE &&
      (options.password_stdin || empty_as_null (options.password_command) != NULL))
    return postierctl_usage_error (_("--auth none takes no password"));
  if (!postier_account_validate (account, &error))
    return postierctl_fail (error);

  store = postierctl_load_accounts (&error);
  if (store == NULL)
    return postierctl_fail (error);
  /* Before the password is read: nobody should type one for nothing. */
  if (postier_account_store_lookup (store, argv[1]) != NULL)
    {
      g_autofree char *name = postierctl_printable (argv[1]);

      g_printerr ("postierctl: ");
      g_printerr (_("an account named “%s” already exists"), name);
      g_printerr ("\n");
      return EX_CONFIG;
    }

  if (options.password_stdin && (password = read_password (&status)) == NULL)
    return status;
  if (!save_account (store, account, POSTIER_ACCOUNT_SAVE_ADD, password, options.make_default, &error))
    return postierctl_fail (error);

  print_saved (_("Account “%s” added (%s:%u, %s)."), account);
  if (postier_account_get_oauth_provider (account) != NULL)
    return postierctl_oauth_sign_in (account, options.browser);
  if (uses_keyring (account) && password == NULL)
    note_no_password (argv[1]);
  return EX_OK;
}

/* The settings a login or a TLS connection depends on, as the submitter
 * compares them when the app's account store changes. */
static gboolean
may_fix_delivery (PostierAccount *before,
                  PostierAccount *after)
{
  return g_strcmp0 (postier_account_get_identity (before), postier_account_get_identity (after)) != 0 ||
         g_strcmp0 (postier_account_get_host (before), postier_account_get_host (after)) != 0 ||
         postier_account_get_port (before) != postier_account_get_port (after) ||
         postier_account_get_security (before) != postier_account_get_security (after) ||
         postier_account_get_auth (before) != postier_account_get_auth (after) ||
         g_strcmp0 (postier_account_get_user (before), postier_account_get_user (after)) != 0 ||
         g_strcmp0 (postier_account_get_ca_file (before), postier_account_get_ca_file (after)) != 0 ||
         g_strcmp0 (postier_account_get_pinned_sha256 (before), postier_account_get_pinned_sha256 (after)) != 0 ||
         g_strcmp0 (postier_account_get_password_command (before),
                    postier_account_get_password_command (after)) != 0;
}

static PostierAccount *load_account (const char           *name,
                                     PostierAccountStore **store,
                                     GError              **error);

/* Mail that waited for a fix to ACCOUNT goes again, and the user is told
 * how many messages that is. */
static void
retry_waiting_mail (PostierAccountStore *store,
                    PostierAccount      *account)
{
  g_autoptr(PostierOutbox) outbox = postier_outbox_new (NULL);
  g_autoptr(PostierSubmitter) submitter = postier_submitter_new (outbox, store);
  guint due;

  due = postier_submitter_account_changed (submitter, postier_account_get_name (account));
  if (due > 0)
    {
      g_print (ngettext ("%u message that was waiting for this account will be tried again: "
                         "postierctl queue flush",
                         "%u messages that were waiting for this account will be tried again: "
                         "postierctl queue flush", due), due);
      g_print ("\n");
    }
}

static int
account_set (int    argc,
             char **argv)
{
  g_auto(AccountOptions) options = { 0 };
  g_autoptr(GOptionContext) context = g_option_context_new (_("NAME — change settings of an account"));
  g_autoptr(PostierAccountStore) store = NULL;
  g_autoptr(PostierAccount) stored = NULL;
  g_autoptr(PostierAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PostierPassword) password = NULL;
  gboolean had_keyring;
  int status;

  add_account_entries (context, &options, TRUE);
  if (!postierctl_parse_options (context, &argc, &argv))
    return EX_USAGE;
  if (argc != 2)
    return postierctl_usage_error (_("account set takes exactly one account NAME"));
  status = check_account_options (&options);
  if (status != EX_OK)
    return status;
  if (!account_options_change_settings (&options) && !options.make_default)
    return postierctl_usage_error (_("account set needs at least one setting to change "
                                     "(see “postierctl account set --help”)"));

  stored = load_account (argv[1], &store, &error);
  if (stored == NULL)
    return postierctl_fail (error);
  if (postier_account_get_kind (stored) == POSTIER_ACCOUNT_KIND_SANDBOX &&
      account_options_change_settings (&options))
    {
      g_printerr ("postierctl: %s\n",
                  _("the Sandbox is built in and its settings cannot be changed; "
                    "only “postierctl account set Sandbox --default” can be"));
      return EX_CONFIG;
    }

  account = postier_account_copy (stored);
  apply_account_options (account, &options);
  if (postier_account_get_auth (account) == POSTIER_AUTH_NONE &&
      (options.password_stdin || empty_as_null (options.password_command) != NULL))
    return postierctl_usage_error (_("--auth none takes no password"));
  /* Refused before a password is read, as add does. */
  if (!postier_account_validate (account, &error))
    return postierctl_fail (error);

  if (options.password_stdin && (password = read_password (&status)) == NULL)
    return status;
  had_keyring = uses_keyring (stored);
  if (!save_account (store, account, POSTIER_ACCOUNT_SAVE_REPLACE, password, options.make_default, &error))
    return postierctl_fail (error);

  if (postier_account_get_kind (account) == POSTIER_ACCOUNT_KIND_SANDBOX)
    {
      g_print ("%s\n", _("The Sandbox is now the default account: mail is captured on this computer, not sent."));
      return EX_OK;
    }
  print_saved (_("Account “%s” changed (%s:%u, %s)."), account);
  if (uses_keyring (account) && !had_keyring && password == NULL)
    note_no_password (argv[1]);

  /* As the app does after an edit: what waited for a fix goes again, but
   * only when something that could fix a refused login or certificate
   * changed; a retry for nothing could lock the account. */
  if (password != NULL || may_fix_delivery (stored, account))
    retry_waiting_mail (store, account);
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

JsonNode *
postierctl_account_to_json (PostierAccount *account,
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
  json_builder_set_member_name (builder, "source");
  json_builder_add_string_value (builder, "postier");
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
  postierctl_limits_to_json (account, builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
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
  /* Read-only callers (account test) take GOA's accounts too. */
  if (account == NULL && store == NULL &&
      (account = postierctl_online_account (name, 0, NULL, NULL)) != NULL)
    return account;
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

/* One "Label:  value" line of `account show`; the value is stored text. */
static void
print_field (const char *label,
             const char *value)
{
  g_autofree char *shown = postierctl_printable (value);

  g_print ("%-16s %s\n", label, shown);
}

static int
account_show (int    argc,
              char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (_("NAME — show one account"));
  g_autoptr(PostierAccountStore) store = NULL;
  g_autoptr(PostierAccount) account = NULL;
  g_autoptr(PostierAccount) default_account = NULL;
  g_autoptr(GError) error = NULL;
  const char *source;
  gboolean online = FALSE;

  if (!postierctl_parse_options (context, &argc, &argv))
    return EX_USAGE;
  if (argc != 2)
    return postierctl_usage_error (_("account show takes exactly one account NAME"));

  account = load_account (argv[1], &store, &error);
  /* Not in accounts.ini: GNOME Online Accounts may have it (read-only). */
  if (account == NULL && g_error_matches (error, POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_NOT_FOUND) &&
      (account = postier_account_resolve (NULL, argv[1], NULL, NULL)) != NULL)
    {
      g_clear_error (&error);
      store = postierctl_load_accounts (&error);
      online = TRUE;
    }
  if (account == NULL || store == NULL)
    return postierctl_fail (error);
  default_account = postier_account_resolve_default (store, NULL, NULL);

  print_field (_("Name:"), postier_account_get_name (account));
  print_field (_("Identity:"), postier_account_get_identity (account));
  if (postier_account_get_kind (account) == POSTIER_ACCOUNT_KIND_SANDBOX)
    {
      g_print ("%-16s %s\n", _("Server:"), _("built-in Sandbox: mail is captured on this computer"));
      return EX_OK;
    }
  print_field (_("Server:"), postier_account_get_host (account));
  g_print ("%-16s %u\n", _("Port:"), postier_account_get_port (account));
  g_print ("%-16s %s\n", _("Security:"), postier_security_to_string (postier_account_get_security (account)));
  g_print ("%-16s %s\n", _("Authentication:"), postier_auth_method_to_string (postier_account_get_auth (account)));
  if (postier_account_needs_password (account))
    print_field (_("Login:"), postier_account_get_login (account));
  if (postier_account_get_ca_file (account) != NULL)
    print_field (_("CA file:"), postier_account_get_ca_file (account));
  if (postier_account_get_pinned_sha256 (account) != NULL)
    print_field (_("Pinned SHA-256:"), postier_account_get_pinned_sha256 (account));
  if (postier_account_get_request_dsn (account))
    g_print ("%-16s %s\n", _("DSN:"), _("delivery status notifications asked for"));
  if (default_account != NULL &&
      g_strcmp0 (postier_account_get_name (account), postier_account_get_name (default_account)) == 0)
    g_print ("%-16s %s\n", _("Default:"), _("yes"));
  postierctl_limits_print (account);

  source = password_source (account);
  if (online)
    g_print ("%-16s %s\n", _("Password:"), _("from Online Accounts"));
  else if (g_str_equal (source, "command"))
    g_print ("%-16s %s\n", _("Password:"), _("from the password command"));
  else if (g_str_equal (source, "keyring"))
    {
      g_autoptr(PostierPassword) password = postier_secret_lookup_password_sync (account, NULL, &error);

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
  if (postier_account_get_oauth_provider (account) != NULL)
    postier_oauth_forget (account, NULL, NULL);  /* the refresh token, too */

  {
    g_autofree char *name = postierctl_printable (postier_account_get_name (account));

    g_print (_("Account “%s” removed."), name);
    g_print ("\n");
  }
  return EX_OK;
}

/* The certificate's summary under HEADING, one printable line each;
 * on standard error when it comes with a refusal. */
static void
print_certificate (const char *heading,
                   const char *summary,
                   gboolean    to_stderr)
{
  g_auto(GStrv) parts = g_strsplit (summary, "\n", -1);
  g_autoptr(GString) text = g_string_new (heading);

  g_string_append_c (text, '\n');
  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_autofree char *shown = postierctl_printable (parts[i]);
      g_string_append_printf (text, "  %s\n", shown);
    }
  if (to_stderr)
    g_printerr ("%s", text->str);
  else
    g_print ("%s", text->str);
}

/* What `account test` saw of an open session. */
static void
print_session (PostierAccount    *account,
               PostierSmtpClient *client)
{
  const char *summary = postier_smtp_client_get_certificate_summary (client);
  const char * const *lines;

  if (postier_smtp_client_get_tls_summary (client) != NULL)
    g_print ("%-16s %s\n", _("TLS:"), postier_smtp_client_get_tls_summary (client));
  else
    g_print ("%-16s %s\n", _("TLS:"), _("none (loopback only)"));
  if (summary != NULL)
    print_certificate (_("Certificate:"), summary, FALSE);

  if (postier_smtp_client_get_auth_mechanism (client) != NULL)
    {
      g_autofree char *login = postierctl_printable (postier_account_get_login (account));

      g_print (_("Logged in as %s with %s."), login, postier_smtp_client_get_auth_mechanism (client));
      g_print ("\n");
    }
  else
    g_print ("%s\n", _("No login (authentication is off for this account)."));

  g_print ("%s\n", _("Server capabilities:"));
  lines = postier_smtp_client_get_capability_lines (client);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autofree char *shown = postierctl_printable (lines[i]);
      g_print ("  %s\n", shown);
    }
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
  g_autofree char *host = NULL;
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

  client = postier_account_new_smtp_client (account, NULL, (guint) timeout, NULL, &error);
  if (client == NULL)
    return postierctl_fail (error);

  host = postierctl_printable (postier_account_get_host (account));
  g_print (_("Connecting to %s port %u (%s)…"), host, postier_account_get_port (account),
           postier_security_to_string (postier_account_get_security (account)));
  g_print ("\n");

  if (!postier_smtp_client_open (client, NULL, &error))
    {
      /* A certificate problem is for the person to judge: show what the
       * server presented, fingerprint included. */
      summary = postier_smtp_client_get_certificate_summary (client);
      if (summary != NULL && g_error_matches (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_TLS_CERTIFICATE))
        print_certificate (_("Certificate presented by the server:"), summary, TRUE);
      return postierctl_fail (error);
    }
  /* The Sandbox's check list compares messages with this relay's SIZE. */
  postier_relay_size_limit_remember (postier_account_get_name (account),
                                     postier_smtp_client_get_size_limit (client));

  print_session (account, client);
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
    { "set", account_set, N_("Change settings of an account") },
    { "list", postierctl_account_list, N_("List the accounts") },
    { "show", account_show, N_("Show one account") },
    { "test", account_test, N_("Connect, log in and show what the server offers") },
    { "check", postierctl_account_check, N_("Check that receivers will accept mail from its domain") },
    { "login", postierctl_account_login, N_("Sign in to the account’s OAuth 2.0 provider again") },
    { "remove", account_remove, N_("Remove an account and its stored password") },
  };

  return postierctl_run_subcommand (subcommands, G_N_ELEMENTS (subcommands),
                                    _("Usage: postierctl account add|set|list|show|test|remove …"), argc, argv);
}
