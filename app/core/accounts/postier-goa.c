/* postier-goa.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-goa"

#include "config.h"

#include <string.h>

#include "postier-goa-private.h"

void
postier_goa_mail_account_free (PostierGoaMailAccount *self)
{
  if (self == NULL)
    return;
  g_free (self->id);
  g_free (self->provider_name);
  g_clear_object (&self->account);
  g_free (self);
}

PostierGoaMailAccount *
postier_goa_mail_account_copy (const PostierGoaMailAccount *self)
{
  PostierGoaMailAccount *copy;

  g_return_val_if_fail (self != NULL, NULL);
  copy = g_new0 (PostierGoaMailAccount, 1);
  copy->id = g_strdup (self->id);
  copy->provider_name = g_strdup (self->provider_name);
  copy->account = self->account != NULL ? postier_account_copy (self->account) : NULL;
  copy->oauth2 = self->oauth2;
  copy->attention_needed = self->attention_needed;
  return copy;
}

gboolean
postier_goa_parse_host_port (const char  *text,
                             char       **host,
                             guint       *port)
{
  const char *colon;
  guint64 number = 0;

  if (text == NULL || *text == '\0')
    return FALSE;
  if (text[0] == '[')
    {
      const char *end = strchr (text, ']');

      if (end == NULL || end == text + 1)
        return FALSE;
      if (end[1] == ':' && !g_ascii_string_to_unsigned (end + 2, 10, 1, 65535, &number, NULL))
        return FALSE;
      if (end[1] != '\0' && end[1] != ':')
        return FALSE;
      *host = g_strndup (text + 1, end - text - 1);
      *port = (guint) number;
      return TRUE;
    }
  colon = strrchr (text, ':');
  /* More than one colon without brackets: a bare IPv6 address. */
  if (colon != NULL && strchr (text, ':') == colon)
    {
      if (!g_ascii_string_to_unsigned (colon + 1, 10, 1, 65535, &number, NULL) || colon == text)
        return FALSE;
      *host = g_strndup (text, colon - text);
    }
  else
    *host = g_strdup (text);
  *port = (guint) number;
  return TRUE;
}

static PostierAuthMethod
auth_of (GoaMail *mail)
{
  if (!goa_mail_get_smtp_use_auth (mail))
    return POSTIER_AUTH_NONE;
  if (goa_mail_get_smtp_auth_xoauth2 (mail))
    return POSTIER_AUTH_XOAUTH2;
  if (goa_mail_get_smtp_auth_plain (mail))
    return POSTIER_AUTH_PLAIN;
  if (goa_mail_get_smtp_auth_login (mail))
    return POSTIER_AUTH_LOGIN;
  return POSTIER_AUTH_AUTO;
}

PostierGoaMailAccount *
_postier_goa_mail_account_from_object (GoaObject *object)
{
  GoaAccount *goa_account = goa_object_peek_account (object);
  GoaMail *mail = goa_object_peek_mail (object);
  g_autoptr(PostierGoaMailAccount) self = NULL;
  g_autofree char *host = NULL;
  g_autofree char *identity = NULL;
  g_autofree char *account_name = NULL;
  const char *address, *name, *user;
  guint port = 0;
  PostierSecurity security;

  if (goa_account == NULL || mail == NULL || goa_account_get_mail_disabled (goa_account) ||
      !goa_mail_get_smtp_supported (mail))
    return NULL;
  address = goa_mail_get_email_address (mail);
  if (address == NULL || *address == '\0' ||
      !postier_goa_parse_host_port (goa_mail_get_smtp_host (mail), &host, &port))
    return NULL;

  if (goa_mail_get_smtp_use_ssl (mail))
    security = POSTIER_SECURITY_TLS;
  else if (goa_mail_get_smtp_use_tls (mail))
    security = POSTIER_SECURITY_STARTTLS;
  else
    security = POSTIER_SECURITY_NONE;

  self = g_new0 (PostierGoaMailAccount, 1);
  self->id = g_strdup (goa_account_get_id (goa_account));
  self->provider_name = g_strdup (goa_account_get_provider_name (goa_account));
  self->oauth2 = goa_object_peek_oauth2_based (object) != NULL;
  self->attention_needed = goa_account_get_attention_needed (goa_account);

  account_name = g_strconcat (POSTIER_GOA_NAME_PREFIX, self->id, NULL);
  self->account = postier_account_new (account_name);
  name = goa_mail_get_name (mail);
  identity = g_strdup_printf (name != NULL && *name != '\0' ? "%s <%s>" : "%s%s",
                              name != NULL && *name != '\0' ? name : "", address);
  postier_account_set_identity (self->account, identity);
  postier_account_set_host (self->account, host);
  postier_account_set_security (self->account, security);
  postier_account_set_port (self->account, port != 0 ? port : postier_security_default_port (security));
  postier_account_set_auth (self->account, auth_of (mail));
  user = goa_mail_get_smtp_user_name (mail);
  if (user != NULL && *user != '\0' && g_ascii_strcasecmp (user, address) != 0)
    postier_account_set_user (self->account, user);
  return g_steal_pointer (&self);
}

GPtrArray *
postier_goa_list_mail_accounts (GCancellable *cancellable)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func ((GDestroyNotify) postier_goa_mail_account_free);
  g_autoptr(GoaClient) client = NULL;
  g_autoptr(GError) error = NULL;
  GList *objects;

  client = goa_client_new_sync (cancellable, &error);
  if (client == NULL)
    {
      /* No bus (a cron job, a server): Postier's own accounts are enough. */
      g_debug ("no Online Accounts: %s", error->message);
      return g_steal_pointer (&found);
    }
  objects = goa_client_get_accounts (client);
  for (GList *l = objects; l != NULL; l = l->next)
    {
      PostierGoaMailAccount *account = _postier_goa_mail_account_from_object (l->data);

      if (account != NULL)
        g_ptr_array_add (found, account);
    }
  g_list_free_full (objects, g_object_unref);
  return g_steal_pointer (&found);
}
