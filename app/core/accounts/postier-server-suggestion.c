/* postier-server-suggestion.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-autoconfig"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "postier-server-suggestion.h"

PostierServerSuggestion *
postier_server_suggestion_new (void)
{
  PostierServerSuggestion *self = g_new0 (PostierServerSuggestion, 1);

  self->security = POSTIER_SECURITY_TLS;
  self->auth = POSTIER_AUTH_AUTO;
  return self;
}

PostierServerSuggestion *
postier_server_suggestion_copy (const PostierServerSuggestion *self)
{
  PostierServerSuggestion *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_memdup2 (self, sizeof *self);
  copy->host = g_strdup (self->host);
  copy->user = g_strdup (self->user);
  copy->provider_name = g_strdup (self->provider_name);
  copy->oauth_provider = g_strdup (self->oauth_provider);
  copy->found_at = g_strdup (self->found_at);
  return copy;
}

void
postier_server_suggestion_free (PostierServerSuggestion *self)
{
  if (self == NULL)
    return;
  g_free (self->host);
  g_free (self->user);
  g_free (self->provider_name);
  g_free (self->oauth_provider);
  g_free (self->found_at);
  g_free (self);
}

void
postier_server_suggestion_apply (const PostierServerSuggestion *self,
                                 PostierAccount                *account)
{
  const char *address;

  g_return_if_fail (self != NULL);
  g_return_if_fail (POSTIER_IS_ACCOUNT (account));

  postier_account_set_host (account, self->host);
  postier_account_set_security (account, self->security);
  postier_account_set_port (account, self->port);
  postier_account_set_auth (account, self->auth);
  address = postier_account_get_address (account);
  if (self->user != NULL && g_ascii_strcasecmp (self->user, address != NULL ? address : "") != 0)
    postier_account_set_user (account, self->user);
}

const char *
postier_server_source_describe (PostierServerSource source)
{
  switch (source)
    {
    case POSTIER_SERVER_SOURCE_PRESET:
      return _("Postier’s list of providers");
    case POSTIER_SERVER_SOURCE_AUTOCONFIG:
      return _("the domain’s autoconfig file");
    case POSTIER_SERVER_SOURCE_SRV:
      return _("the domain’s DNS SRV records");
    case POSTIER_SERVER_SOURCE_MX:
      return _("the domain’s MX records");
    default:
      g_return_val_if_reached (NULL);
    }
}
