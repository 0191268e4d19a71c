/* postierctl-login.c — OAuth 2.0 sign-in on the command line: account add
 * --oauth PROVIDER signs in at once; account login NAME signs in again.
 *
 * On a terminal the Device Authorization Grant (RFC 8628): Postier prints
 * an address and a code, the person signs in with any browser, anywhere.
 * With --browser, on a desktop, the authorization code with PKCE and a
 * loopback redirect: the default browser opens and comes back by itself.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postierctl"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "postierctl-private.h"

static void
show_device_code (const char *verification_uri,
                  const char *verification_uri_complete,
                  const char *user_code,
                  gpointer    user_data)
{
  g_autofree char *uri = postierctl_printable (verification_uri);
  g_autofree char *code = postierctl_printable (user_code);

  (void) user_data;
  g_print (_("To sign in, open %s in a browser and enter the code %s"), uri, code);
  g_print ("\n");
  if (verification_uri_complete != NULL)
    {
      g_autofree char *complete = postierctl_printable (verification_uri_complete);

      g_print (_("(or open %s, which has the code in it)"), complete);
      g_print ("\n");
    }
  g_print ("%s\n", _("Waiting for the sign-in…"));
  /* Whoever reads this through a pipe must see it while we wait. */
  fflush (stdout);
}

/* The browser flow's opener: the address on the terminal first (the
 * browser may not open, or open on another screen), then the browser. */
static gboolean
open_browser (const char  *url,
              gpointer     user_data,
              GError     **error)
{
  g_autoptr(GError) launch_error = NULL;

  (void) user_data;
  (void) error;
  g_print (_("Opening your browser to sign in. If it does not open, visit:\n  %s"), url);
  g_print ("\n%s\n", _("Waiting for the sign-in…"));
  fflush (stdout);
  if (!g_app_info_launch_default_for_uri (url, NULL, &launch_error))
    {
      g_autofree char *why = postierctl_printable (launch_error->message);

      g_printerr (_("The browser could not be opened (%s); open the address above yourself."), why);
      g_printerr ("\n");
    }
  return TRUE;
}

int
postierctl_oauth_sign_in (PostierAccount *account,
                          gboolean        browser)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *title = postier_oauth_provider_title_for_account (account);
  g_autofree char *name = postierctl_printable (postier_account_get_name (account));
  gboolean ok;

  if (browser && g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    return postierctl_usage_error (_("--browser needs a desktop session (no DISPLAY or WAYLAND_DISPLAY); "
                                     "without it you get a code to enter in any browser"));
  g_print (_("Signing in to %s for the account “%s”."), title, name);
  g_print ("\n");
  fflush (stdout);
  if (browser)
    ok = postier_oauth_sign_in_browser (account, open_browser, NULL, NULL, &error);
  else
    ok = postier_oauth_sign_in_device (account, show_device_code, NULL, NULL, &error);
  if (!ok)
    return postierctl_fail (error);
  g_print (_("Signed in to %s."), title);
  g_print ("\n");
  return EX_OK;
}

/* Mail that waited for this sign-in may go again (as after account set). */
static void
retry_waiting_mail (PostierAccountStore *store,
                    PostierAccount      *account)
{
  g_autoptr(PostierOutbox) outbox = postier_outbox_new (NULL);
  g_autoptr(PostierSubmitter) submitter = postier_submitter_new (outbox, store);
  guint due = postier_submitter_account_changed (submitter, postier_account_get_name (account));

  if (due > 0)
    {
      g_print (ngettext ("%u message that was waiting for this sign-in will be tried again: "
                         "postierctl queue flush",
                         "%u messages that were waiting for this sign-in will be tried again: "
                         "postierctl queue flush", due), due);
      g_print ("\n");
    }
}

int
postierctl_account_login (int    argc,
                          char **argv)
{
  gboolean browser = FALSE;
  const GOptionEntry entries[] = {
    { "browser", 0, 0, G_OPTION_ARG_NONE, &browser,
      N_("Sign in with the desktop’s browser instead of a code"), NULL },
    G_OPTION_ENTRY_NULL,
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("NAME — sign in to the account’s provider (OAuth 2.0)"));
  g_autoptr(PostierAccountStore) store = NULL;
  g_autoptr(GError) error = NULL;
  PostierAccount *account;
  int status;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!postierctl_parse_options (context, &argc, &argv))
    return EX_USAGE;
  if (argc != 2)
    return postierctl_usage_error (_("account login takes exactly one account NAME"));

  store = postierctl_load_accounts (&error);
  if (store == NULL)
    return postierctl_fail (error);
  account = postier_account_store_lookup (store, argv[1]);
  if (account == NULL)
    {
      g_autofree char *name = postierctl_printable (argv[1]);

      g_printerr ("postierctl: ");
      g_printerr (_("no account named “%s”"), name);
      g_printerr ("\n");
      return EX_CONFIG;
    }
  if (postier_account_get_oauth_provider (account) == NULL)
    {
      g_autofree char *name = postierctl_printable (argv[1]);

      g_printerr ("postierctl: ");
      g_printerr (_("the account “%s” logs in with a password, not OAuth 2.0 "
                    "(postierctl account set %s --oauth PROVIDER)"), name, name);
      g_printerr ("\n");
      return EX_CONFIG;
    }
  status = postierctl_oauth_sign_in (account, browser);
  if (status == EX_OK)
    retry_waiting_mail (store, account);
  return status;
}

int
postierctl_oauth_check_options (const char *oauth,
                                gboolean    password_given)
{
  g_autoptr(GError) error = NULL;

  if (oauth == NULL || *oauth == '\0')
    return EX_OK;
  if (!postier_oauth_provider_id_is_valid (oauth, &error))
    return postierctl_usage_error ("%s", error->message);
  if (password_given)
    return postierctl_usage_error (_("an OAuth 2.0 account takes no password"));
  return EX_OK;
}

static const char *
empty_as_null (const char *text)
{
  return text != NULL && *text != '\0' ? text : NULL;
}

/* NULL leaves a setting as it is; "" removes it. */
void
postierctl_oauth_apply_options (PostierAccount *account,
                                const char     *oauth,
                                const char     *client_id,
                                const char     *scope,
                                gboolean        auth_given)
{
  if (oauth != NULL)
    {
      postier_account_set_oauth_provider (account, empty_as_null (oauth));
      /* The token goes as XOAUTH2 or OAUTHBEARER, whichever the server has. */
      if (!auth_given && empty_as_null (oauth) != NULL)
        postier_account_set_auth (account, POSTIER_AUTH_XOAUTH2);
    }
  if (client_id != NULL)
    postier_account_set_oauth_client_id (account, empty_as_null (client_id));
  if (scope != NULL)
    postier_account_set_oauth_scope (account, empty_as_null (scope));
}
