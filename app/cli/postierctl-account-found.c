/* postierctl-account-found.c — servers and accounts found elsewhere:
 * `account add` without --host (provider presets, autoconfig, SRV) and
 * GNOME Online Accounts' mail accounts in `account list` (issue 14)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postierctl"

#include "config.h"

#include <glib/gi18n.h>

#include "postier-goa.h"
#include "postier-server-finder.h"
#include "postierctl-private.h"

/* account add without --host: the server from the provider presets, the
 * domain's autoconfig file or its SRV records. One outside the mail domain
 * is named with the options that would use it, never used by itself. */
int
postierctl_account_find_server (PostierAccount *account)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PostierServerSuggestion) found = NULL;
  g_autofree char *host = NULL;
  const char *security;

  found = postier_server_find_sync (postier_account_get_address (account), NULL, &error);
  if (found == NULL)
    {
      g_autofree char *why = postierctl_printable (error->message);

      return postierctl_usage_error (_("account add needs --host HOST. %s"), why);
    }
  host = postierctl_printable (found->host);
  security = postier_security_to_string (found->security);
  if (!found->may_fill)
    return postierctl_usage_error (_("account add needs --host HOST: %s names %s, outside your domain, "
                                     "and this cannot be verified. If your provider told you so, use "
                                     "--host %s --port %u --security %s"),
                                   postier_server_source_describe (found->source), host, host,
                                   found->port, security);
  postier_server_suggestion_apply (found, account);
  g_print (_("Found %s port %u (%s) in %s."), host, found->port, security,
           postier_server_source_describe (found->source));
  g_print ("\n");
  if (found->auth == POSTIER_AUTH_XOAUTH2)
    {
      g_autofree char *name = postierctl_printable (postier_account_get_name (account));

      g_print (_("This server signs in with OAuth 2.0: run “postierctl account login %s”."), name);
      g_print ("\n");
    }
  return EX_OK;
}

/* GNOME Online Accounts' mail accounts, after Postier's own: read-only
 * here, changed in Settings → Online Accounts. */
void
postierctl_account_print_goa (GPtrArray      *goa,
                              PostierAccount *default_account)
{
  for (guint i = 0; i < goa->len; i++)
    {
      PostierGoaMailAccount *entry = g_ptr_array_index (goa, i);
      PostierAccount *account = entry->account;
      g_autofree char *name = postierctl_printable (postier_account_get_name (account));
      g_autofree char *identity = postierctl_printable (postier_account_get_identity (account));
      g_autofree char *host = postierctl_printable (postier_account_get_host (account));

      g_print ("%c %-16s %-40s %s:%u %s (%s)\n", account == default_account ? '*' : ' ', name, identity, host,
               postier_account_get_port (account),
               postier_security_to_string (postier_account_get_security (account)),
               entry->attention_needed ? _("from Online Accounts, needs attention")
                                       : _("from Online Accounts"));
    }
}
