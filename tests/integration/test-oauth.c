/* test-oauth.c — Postier's own OAuth 2.0 sign-in against the rig's
 * authorization server (oidc-provider), and mail through the Postfix
 * listeners whose SASL is Dovecot checking each token by introspection
 *
 * The person's story: they add an account with --oauth, sign in with the
 * code postierctl prints (the test plays their browser: a real login form,
 * a real consent), and mail goes with OAUTHBEARER, then XOAUTH2. An access
 * token that the server stopped accepting is replaced without them
 * noticing (one refused AUTH, one refresh, one accepted AUTH). When the
 * sign-in itself is revoked the message waits, "Sign in to … again";
 * after `account login` and `queue retry` it arrives exactly once. No
 * file Postier wrote holds a token. The desktop way, PKCE with a loopback
 * redirect, opens "the browser" through GIO's default handler for http.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <libsoup/soup.h>
#include <string.h>

#include "postier-account-client.h"
#include "postier-core.h"
#include "postier-oauth-http.h"
#include "postier-test.h"

typedef struct {
  const char *issuer, *port, *xoauth2_port, *ca, *user, *password, *browser, *secret, *scope;
} Rig;

static gboolean
get_rig (Rig *rig)
{
  rig->issuer = postier_test_rig ("OAUTH_ISSUER");
  rig->port = postier_test_rig ("OAUTH_PORT");
  rig->xoauth2_port = postier_test_rig ("OAUTH_XOAUTH2_PORT");
  rig->ca = postier_test_rig ("CA");
  rig->user = postier_test_rig ("OAUTH_USER");
  rig->password = postier_test_rig ("OAUTH_PASSWORD");
  rig->browser = postier_test_rig ("OAUTH_BROWSER");
  rig->secret = postier_test_rig ("OAUTH_ADMIN_SECRET");
  rig->scope = postier_test_rig ("OAUTH_SCOPE");
  if (rig->issuer == NULL || rig->port == NULL || rig->xoauth2_port == NULL || rig->ca == NULL ||
      rig->user == NULL || rig->password == NULL || rig->browser == NULL || rig->secret == NULL ||
      rig->scope == NULL)
    return FALSE;

  return postier_test_oauth_server_ready (rig->issuer);
}

/* POST to one of the rig's /rig/ routes, or GET /rig/stats. */
static JsonObject *
rig_call (const Rig  *rig,
          const char *method,
          const char *path)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strconcat (rig->issuer, path, NULL);
  g_autoptr(SoupMessage) message = soup_message_new (method, url);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  soup_message_headers_append (soup_message_get_request_headers (message), "X-Rig-Secret", rig->secret);
  body = soup_session_send_and_read (session, message, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (message), ==, 200);
  g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (body, NULL),
                                             (gssize) g_bytes_get_size (body), NULL));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* The server forgets one access token, as when it expires; the refresh
 * token stays good. */
static void
expire_access_token (const Rig  *rig,
                     const char *token)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strconcat (rig->issuer, "/rig/expire-access-token", NULL);
  g_autofree char *form = soup_form_encode ("token", token, NULL);
  g_autoptr(SoupMessage) message = soup_message_new_from_encoded_form ("POST", url, g_steal_pointer (&form));
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;

  soup_message_headers_append (soup_message_get_request_headers (message), "X-Rig-Secret", rig->secret);
  body = soup_session_send_and_read (session, message, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (message), ==, 200);
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (body, NULL), (gssize) g_bytes_get_size (body), "true"));
}

static gint64
refresh_count (const Rig *rig)
{
  g_autoptr(JsonObject) stats = rig_call (rig, "GET", "/rig/stats?client_id=postier");

  return json_object_get_int_member (stats, "refresh");
}

static int
ctl (char       **out,
     char       **err,
     const char  *first,
     ...) G_GNUC_NULL_TERMINATED;

static int
ctl (char       **out,
     char       **err,
     const char  *first,
     ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autofree char *o = NULL;
  g_autofree char *e = NULL;
  const char *body = "Sent with a token, not a password.\n";
  va_list ap;
  int status;

  va_start (ap, first);
  postier_test_append_args (args, first, ap);
  va_end (ap);
  status = postier_test_run_ctlv (NULL, body, strlen (body), &o, &e, (const char * const *) args->pdata);
  g_test_message ("postierctl %s … → %d\n%s%s", first, status, o, e);
  if (out != NULL)
    *out = g_steal_pointer (&o);
  if (err != NULL)
    *err = g_steal_pointer (&e);
  return status;
}

/* Runs postierctl ARGS, which signs in with the device grant: reads its
 * output until the address with the code comes, plays the browser there
 * (login, consent), then waits for postierctl. Returns its exit status. */
static int
ctl_device_sign_in (const Rig          *rig,
                    const char * const *args,
                    char              **output)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GString) seen = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *rest = NULL;
  char *line;

  launcher = postier_test_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  process = postier_test_launcher_spawn_ctlv (launcher, args);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  while (url == NULL && (line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error)) != NULL)
    {
      const char *start = strstr (line, "http://");

      g_string_append_printf (seen, "%s\n", line);
      if (start != NULL && strstr (line, "user_code=") != NULL)
        url = g_strndup (start, strcspn (start, " ,"));
      g_free (line);
    }
  g_assert_no_error (error);
  g_assert_nonnull (url);
  {
    const char *browser[] = { "/usr/bin/python3", rig->browser, url, rig->user, rig->password, NULL };
    g_autofree char *b_out = NULL;

    g_assert_cmpint (postier_test_run_program (NULL, NULL, &b_out, NULL, browser), ==, 0);
    g_assert_nonnull (strstr (b_out, "Sign-in Success"));
  }
  g_assert_true (g_subprocess_communicate_utf8 (process, NULL, NULL, &rest, NULL, &error));
  g_assert_no_error (error);
  g_string_append (seen, rest);
  g_test_message ("postierctl %s … → %d\n%s", args[0], g_subprocess_get_exit_status (process), seen->str);
  *output = g_string_free (g_steal_pointer (&seen), FALSE);
  return g_subprocess_get_exit_status (process);
}

static guint
delivered (const char *needle)
{
  for (guint tries = 0; tries < 100 && postier_test_maildir_count (needle) == 0; tries++)
    g_usleep (100 * 1000);
  return postier_test_maildir_count (needle);
}

static PostierAccount *
load_account (const char *name)
{
  g_autoptr(PostierAccountStore) store = postier_account_store_new (NULL);
  g_autoptr(GError) error = NULL;
  PostierAccount *account;

  g_assert_true (postier_account_store_load (store, &error));
  g_assert_no_error (error);
  account = postier_account_store_lookup (store, name);
  g_assert_nonnull (account);
  return postier_account_copy (account);
}

static void
assert_no_file_holds (GPtrArray *tokens)
{
  const char *dirs[] = { g_get_user_config_dir (), g_get_user_data_dir (), g_get_user_cache_dir (),
                         g_get_user_state_dir () };

  g_assert_cmpuint (tokens->len, >, 0);
  for (guint i = 0; i < tokens->len; i++)
    for (guint d = 0; d < G_N_ELEMENTS (dirs); d++)
      if (postier_test_tree_contains (dirs[d], g_ptr_array_index (tokens, i)))
        g_test_fail_printf ("a token was written below %s", dirs[d]);
}

/* An expired or revoked access token: one refused AUTH, one refresh, one
 * accepted AUTH, on one connection, nothing for the person to do. */
static void
check_silent_refresh (const Rig      *rig,
                      PostierAccount *account,
                      GPtrArray      *tokens)
{
  g_autoptr(PostierSmtpClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *transcript = NULL;
  char *token;
  gint64 before;
  gboolean opened;

  token = postier_oauth_get_access_token (account, FALSE, NULL, &error);
  g_assert_no_error (error);
  g_ptr_array_add (tokens, token);
  before = refresh_count (rig);
  expire_access_token (rig, token);

  client = postier_account_new_smtp_client (account, NULL, 0, NULL, &error);
  g_assert_no_error (error);
  opened = postier_smtp_client_open (client, NULL, &error);
  transcript = postier_smtp_client_take_transcript (client);
  g_test_message ("%s", transcript);
  g_assert_no_error (error);
  g_assert_true (opened);
  g_assert_cmpint (refresh_count (rig), ==, before + 1);
  g_assert_nonnull (strstr (transcript, "refreshing it"));
  g_assert_null (strstr (strstr (transcript, "refreshing it") + 1, "refreshing it"));
  g_assert_nonnull (strstr (transcript, "535 "));
  g_assert_nonnull (strstr (transcript, "235 "));
  g_assert_null (strstr (transcript, token));
  postier_smtp_client_close (client, NULL);

  token = postier_oauth_get_access_token (account, FALSE, NULL, &error);
  g_assert_no_error (error);
  g_ptr_array_add (tokens, token);
}

static void
test_device_flow (void)
{
  Rig rig;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *uniq = g_strdup_printf ("%08x", g_random_int ());
  g_autofree char *subject1 = g_strconcat ("OAUTHBEARER ", uniq, NULL);
  g_autofree char *subject2 = g_strconcat ("XOAUTH2 ", uniq, NULL);
  g_autofree char *subject3 = g_strconcat ("After sign-in again ", uniq, NULL);
  g_autoptr(PostierAccount) account = NULL;
  g_autoptr(GPtrArray) tokens = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JsonObject) revoked = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  const char *mark;

  if (!get_rig (&rig))
    return;
  {
    const char *add[] = { "account", "add", "oa", "--from", "Alice <alice@localhost>", "--host", "localhost",
                          "--port", rig.port, "--security", "starttls", "--ca-file", rig.ca,
                          "--oauth", rig.issuer, "--oauth-client-id", "postier", "--oauth-scope", rig.scope,
                          NULL };
    g_assert_cmpint (ctl_device_sign_in (&rig, add, &out), ==, 0);
    g_assert_nonnull (strstr (out, "Signed in to 127.0.0.1."));
    g_clear_pointer (&out, g_free);
  }

  /* Both mechanisms, each checked by Dovecot against the server. */
  g_assert_cmpint (ctl (&out, NULL, "account", "test", "oa", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "with OAUTHBEARER"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (ctl (NULL, NULL, "send", "--account", "oa", "--to", "carol@example.org",
                        "--subject", subject1, "--body-file", "-", NULL), ==, 0);
  g_assert_cmpuint (delivered (subject1), ==, 1);
  g_assert_cmpint (ctl (NULL, NULL, "account", "set", "oa", "--port", rig.xoauth2_port, NULL), ==, 0);
  g_assert_cmpint (ctl (&out, NULL, "account", "test", "oa", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "with XOAUTH2"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (ctl (NULL, NULL, "send", "--account", "oa", "--to", "carol@example.org",
                        "--subject", subject2, "--body-file", "-", NULL), ==, 0);
  g_assert_cmpuint (delivered (subject2), ==, 1);

  account = load_account ("oa");
  check_silent_refresh (&rig, account, tokens);

  /* The grant revoked: the message waits for the person, who signs in. */
  revoked = rig_call (&rig, "POST", "/rig/revoke-grants?client_id=postier");
  g_assert_cmpint (ctl (NULL, &err, "send", "--account", "oa", "--to", "carol@example.org",
                        "--subject", subject3, "--body-file", "-", NULL), ==, 77);
  g_assert_nonnull (strstr (err, "Sign in to 127.0.0.1 again"));
  mark = strstr (err, "stays in the outbox as ");
  g_assert_nonnull (mark);
  mark += strlen ("stays in the outbox as ");
  id = g_strndup (mark, strcspn (mark, ";"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (ctl (&out, NULL, "queue", "list", "--json", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Sign in to 127.0.0.1 again"));
  g_clear_pointer (&out, g_free);
  {
    const char *login[] = { "account", "login", "oa", NULL };
    g_assert_cmpint (ctl_device_sign_in (&rig, login, &out), ==, 0);
  }
  g_assert_cmpint (ctl (NULL, NULL, "queue", "retry", id, NULL), ==, 0);
  g_assert_cmpuint (delivered (subject3), ==, 1);
  g_assert_cmpint (ctl (NULL, NULL, "queue", "flush", NULL), ==, 0);
  g_assert_cmpuint (delivered (subject3), ==, 1);

  /* Nothing Postier wrote holds a token. */
  g_ptr_array_add (tokens, postier_oauth_get_access_token (account, FALSE, NULL, &error));
  g_assert_no_error (error);
  g_ptr_array_add (tokens, postier_secret_lookup_token_sync (account, rig.issuer, NULL, &error));
  g_assert_no_error (error);
  g_assert_nonnull (g_ptr_array_index (tokens, tokens->len - 1));
  assert_no_file_holds (tokens);

  /* Removing the account leaves no sign-in behind in the keyring. */
  g_assert_cmpint (ctl (NULL, NULL, "account", "remove", "oa", NULL), ==, 0);
  g_assert_null (postier_secret_lookup_token_sync (account, rig.issuer, NULL, &error));
  g_assert_no_error (error);
}

/* The desktop's way: GIO opens the default handler for http (here the
 * rig's browser, declared in the test's own mimeapps.list), which signs
 * in and lands on Postier's loopback listener. */
static void
test_browser_flow (void)
{
  Rig rig;
  g_autofree char *out = NULL;
  g_autofree char *subject = g_strdup_printf ("PKCE %08x", g_random_int ());
  g_autofree char *apps = g_build_filename (g_get_user_data_dir (), "applications", NULL);
  g_autofree char *desktop = g_build_filename (apps, "rig-browser.desktop", NULL);
  g_autofree char *mimeapps = g_build_filename (g_get_user_config_dir (), "mimeapps.list", NULL);
  g_autofree char *entry = NULL;
  g_autoptr(GError) error = NULL;

  if (!get_rig (&rig) || postier_test_rig ("DISPLAY") == NULL)
    return;
  entry = g_strdup_printf ("[Desktop Entry]\nType=Application\nName=Rig browser\n"
                           "Exec=/usr/bin/python3 %s %%u %s %s\n"
                           "MimeType=x-scheme-handler/http;x-scheme-handler/https;\n",
                           rig.browser, rig.user, rig.password);
  g_assert_cmpint (g_mkdir_with_parents (apps, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (g_get_user_config_dir (), 0700), ==, 0);
  g_assert_true (g_file_set_contents (desktop, entry, -1, &error));
  g_assert_true (g_file_set_contents (mimeapps, "[Default Applications]\n"
                                      "x-scheme-handler/http=rig-browser.desktop\n", -1, &error));
  g_assert_no_error (error);

  g_assert_cmpint (ctl (&out, NULL, "account", "add", "ob", "--from", "alice@localhost", "--host", "localhost",
                        "--port", rig.port, "--security", "starttls", "--ca-file", rig.ca,
                        "--oauth", rig.issuer, "--oauth-client-id", "postier", "--oauth-scope", rig.scope,
                        "--browser", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Signed in to 127.0.0.1."));
  g_assert_cmpint (ctl (NULL, NULL, "send", "--account", "ob", "--to", "dave@example.org",
                        "--subject", subject, "--body-file", "-", NULL), ==, 0);
  g_assert_cmpuint (delivered (subject), ==, 1);
}

/* With no client ID anywhere, a preset says what to do, before any
 * network: the person learns the build option and the setting. */
static void
test_preset_without_client_id (void)
{
  g_autoptr(PostierAccount) account = postier_account_new ("g");
  g_autoptr(PostierOAuthProvider) provider = NULL;
  g_autoptr(GError) error = NULL;

  postier_account_set_oauth_provider (account, "google");
  provider = postier_oauth_provider_for_account (account, NULL, &error);
  if (*POSTIER_OAUTH_GOOGLE_CLIENT_ID != '\0')
    {
      g_assert_no_error (error);
      g_assert_cmpstr (provider->scope, ==, "https://mail.google.com/");
      return;
    }
  g_assert_null (provider);
  g_assert_error (error, POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "-Doauth_google_client_id"));
  g_assert_nonnull (strstr (error->message, "--oauth-client-id"));
}

int
main (int    argc,
      char **argv)
{
  postier_test_init (&argc, &argv);
  g_test_add_func ("/oauth/preset-without-client-id", test_preset_without_client_id);
  g_test_add_func ("/oauth/device-flow", test_device_flow);
  g_test_add_func ("/oauth/browser-flow", test_browser_flow);
  return g_test_run ();
}
