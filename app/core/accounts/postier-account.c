/* postier-account.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-account"

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include "postier-gmime.h"

#include "postier-account.h"
#include "postier-init.h"
#include "postier-error.h"

struct _PostierAccount
{
  GObject             parent_instance;

  char               *name;
  PostierAccountKind  kind;
  char               *identity;
  char               *display_name;
  char               *address;
  char               *host;
  guint               port;
  PostierSecurity     security;
  PostierAuthMethod   auth;
  char               *user;
  char               *ca_file;
  char               *pinned_sha256;
  char               *password_command;
  gboolean            request_dsn;
  gboolean            hidden;
  char               *oauth_provider;
  char               *oauth_client_id;
  char               *oauth_scope;
  PostierAccountLimits limits;
};

G_DEFINE_FINAL_TYPE (PostierAccount, postier_account, G_TYPE_OBJECT)

static const char * const security_names[] = { "tls", "starttls", "none" };
static const char * const auth_names[] = {
  "auto", "none", "plain", "login", "cram-md5", "scram-sha-1", "scram-sha-256", "xoauth2",
};

static void
postier_account_finalize (GObject *object)
{
  PostierAccount *self = POSTIER_ACCOUNT (object);

  g_free (self->name);
  g_free (self->identity);
  g_free (self->display_name);
  g_free (self->address);
  g_free (self->host);
  g_free (self->user);
  g_free (self->ca_file);
  g_free (self->pinned_sha256);
  g_free (self->password_command);
  g_free (self->oauth_provider);
  g_free (self->oauth_client_id);
  g_free (self->oauth_scope);

  G_OBJECT_CLASS (postier_account_parent_class)->finalize (object);
}

static void
postier_account_class_init (PostierAccountClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = postier_account_finalize;
}

static void
postier_account_init (PostierAccount *self)
{
  self->security = POSTIER_SECURITY_TLS;
  self->port = postier_security_default_port (POSTIER_SECURITY_TLS);
  self->auth = POSTIER_AUTH_AUTO;
}

PostierAccount *
postier_account_new (const char *name)
{
  PostierAccount *self;

  g_return_val_if_fail (name != NULL, NULL);

  self = g_object_new (POSTIER_TYPE_ACCOUNT, NULL);
  self->name = g_strdup (name);
  return self;
}

PostierAccount *
postier_account_copy (PostierAccount *self)
{
  PostierAccount *copy;

  g_return_val_if_fail (POSTIER_IS_ACCOUNT (self), NULL);

  copy = postier_account_new (self->name);
  copy->kind = self->kind;
  postier_account_set_identity (copy, self->identity);
  copy->host = g_strdup (self->host);
  copy->port = self->port;
  copy->security = self->security;
  copy->auth = self->auth;
  copy->user = g_strdup (self->user);
  copy->ca_file = g_strdup (self->ca_file);
  copy->pinned_sha256 = g_strdup (self->pinned_sha256);
  copy->password_command = g_strdup (self->password_command);
  copy->request_dsn = self->request_dsn;
  copy->hidden = self->hidden;
  copy->oauth_provider = g_strdup (self->oauth_provider);
  copy->oauth_client_id = g_strdup (self->oauth_client_id);
  copy->oauth_scope = g_strdup (self->oauth_scope);
  copy->limits = self->limits;
  return copy;
}

static void
replace_string (char       **field,
                const char  *value)
{
  if (value != NULL && *value == '\0')
    value = NULL;
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
}

const char *
postier_account_get_name (PostierAccount *self)
{
  g_return_val_if_fail (POSTIER_IS_ACCOUNT (self), NULL);
  return self->name;
}

PostierAccountKind
postier_account_get_kind (PostierAccount *self)
{
  g_return_val_if_fail (POSTIER_IS_ACCOUNT (self), POSTIER_ACCOUNT_KIND_RELAY);
  return self->kind;
}

void
postier_account_set_kind (PostierAccount     *self,
                          PostierAccountKind  kind)
{
  g_return_if_fail (POSTIER_IS_ACCOUNT (self));
  self->kind = kind;
}

const char *
postier_account_get_identity (PostierAccount *self)
{
  g_return_val_if_fail (POSTIER_IS_ACCOUNT (self), NULL);
  return self->identity;
}

/* Keeps the raw text as given; the parsed parts are only filled when it
 * parses, and validate() reports the problem otherwise. */
void
postier_account_set_identity (PostierAccount *self,
                              const char     *identity)
{
  g_autofree char *display_name = NULL;
  g_autofree char *address = NULL;

  g_return_if_fail (POSTIER_IS_ACCOUNT (self));

  replace_string (&self->identity, identity);
  g_clear_pointer (&self->display_name, g_free);
  g_clear_pointer (&self->address, g_free);

  if (self->identity != NULL &&
      postier_parse_identity (self->identity, &display_name, &address, NULL))
    {
      self->display_name = g_steal_pointer (&display_name);
      self->address = g_steal_pointer (&address);
    }
}

const char *
postier_account_get_address (PostierAccount *self)
{
  g_return_val_if_fail (POSTIER_IS_ACCOUNT (self), NULL);
  return self->address;
}

const char *
postier_account_get_display_name (PostierAccount *self)
{
  g_return_val_if_fail (POSTIER_IS_ACCOUNT (self), NULL);
  return self->display_name;
}

const char *
postier_account_get_host (PostierAccount *self)
{
  g_return_val_if_fail (POSTIER_IS_ACCOUNT (self), NULL);
  return self->host;
}

void
postier_account_set_host (PostierAccount *self,
                          const char     *host)
{
  g_return_if_fail (POSTIER_IS_ACCOUNT (self));
  replace_string (&self->host, host);
}

guint
postier_account_get_port (PostierAccount *self)
{
  g_return_val_if_fail (POSTIER_IS_ACCOUNT (self), 0);
  return self->port;
}

void
postier_account_set_port (PostierAccount *self,
                          guint           port)
{
  g_return_if_fail (POSTIER_IS_ACCOUNT (self));
  self->port = port;
}

PostierSecurity
postier_account_get_security (PostierAccount *self)
{
  g_return_val_if_fail (POSTIER_IS_ACCOUNT (self), POSTIER_SECURITY_TLS);
  return self->security;
}

void
postier_account_set_security (PostierAccount  *self,
                              PostierSecurity  security)
{
  g_return_if_fail (POSTIER_IS_ACCOUNT (self));
  self->security = security;
}

PostierAuthMethod
postier_account_get_auth (PostierAccount *self)
{
  g_return_val_if_fail (POSTIER_IS_ACCOUNT (self), POSTIER_AUTH_AUTO);
  return self->auth;
}

void
postier_account_set_auth (PostierAccount    *self,
                          PostierAuthMethod  auth)
{
  g_return_if_fail (POSTIER_IS_ACCOUNT (self));
  self->auth = auth;
}

const char *
postier_account_get_user (PostierAccount *self)
{
  g_return_val_if_fail (POSTIER_IS_ACCOUNT (self), NULL);
  return self->user;
}

void
postier_account_set_user (PostierAccount *self,
                          const char     *user)
{
  g_return_if_fail (POSTIER_IS_ACCOUNT (self));
  replace_string (&self->user, user);
}

const char *
postier_account_get_login (PostierAccount *self)
{
  g_return_val_if_fail (POSTIER_IS_ACCOUNT (self), NULL);
  return self->user != NULL ? self->user : self->address;
}

gboolean
postier_account_needs_password (PostierAccount *self)
{
  g_return_val_if_fail (POSTIER_IS_ACCOUNT (self), FALSE);
  /* An OAuth account's token comes from its sign-in, not a password. */
  return self->auth != POSTIER_AUTH_NONE && self->oauth_provider == NULL;
}

const char *
postier_account_get_ca_file (PostierAccount *self)
{
  g_return_val_if_fail (POSTIER_IS_ACCOUNT (self), NULL);
  return self->ca_file;
}

void
postier_account_set_ca_file (PostierAccount *self,
                             const char     *ca_file)
{
  g_return_if_fail (POSTIER_IS_ACCOUNT (self));
  replace_string (&self->ca_file, ca_file);
}

const char *
postier_account_get_pinned_sha256 (PostierAccount *self)
{
  g_return_val_if_fail (POSTIER_IS_ACCOUNT (self), NULL);
  return self->pinned_sha256;
}

/* Stored as lowercase hex without separators, whatever form was given. */
void
postier_account_set_pinned_sha256 (PostierAccount *self,
                                   const char     *fingerprint)
{
  g_autoptr(GString) normalized = NULL;

  g_return_if_fail (POSTIER_IS_ACCOUNT (self));

  if (fingerprint == NULL || *fingerprint == '\0')
    {
      replace_string (&self->pinned_sha256, NULL);
      return;
    }

  normalized = g_string_new (NULL);
  for (const char *p = fingerprint; *p; p++)
    if (*p != ':' && *p != ' ')
      g_string_append_c (normalized, g_ascii_tolower (*p));
  replace_string (&self->pinned_sha256, normalized->str);
}

const char *
postier_account_get_password_command (PostierAccount *self)
{
  g_return_val_if_fail (POSTIER_IS_ACCOUNT (self), NULL);
  return self->password_command;
}

void
postier_account_set_password_command (PostierAccount *self,
                                      const char     *command)
{
  g_return_if_fail (POSTIER_IS_ACCOUNT (self));
  replace_string (&self->password_command, command);
}

gboolean
postier_account_get_request_dsn (PostierAccount *self)
{
  g_return_val_if_fail (POSTIER_IS_ACCOUNT (self), FALSE);
  return self->request_dsn;
}

void
postier_account_set_request_dsn (PostierAccount *self,
                                 gboolean        request_dsn)
{
  g_return_if_fail (POSTIER_IS_ACCOUNT (self));
  self->request_dsn = !!request_dsn;
}

gboolean
postier_account_get_hidden (PostierAccount *self)
{
  g_return_val_if_fail (POSTIER_IS_ACCOUNT (self), FALSE);
  return self->hidden;
}

void
postier_account_set_hidden (PostierAccount *self,
                            gboolean        hidden)
{
  g_return_if_fail (POSTIER_IS_ACCOUNT (self));
  self->hidden = !!hidden;
}

const char *
postier_account_get_oauth_provider (PostierAccount *self)
{
  g_return_val_if_fail (POSTIER_IS_ACCOUNT (self), NULL);
  return self->oauth_provider;
}

void
postier_account_set_oauth_provider (PostierAccount *self,
                                    const char     *provider)
{
  g_return_if_fail (POSTIER_IS_ACCOUNT (self));
  replace_string (&self->oauth_provider, provider);
}

const char *
postier_account_get_oauth_client_id (PostierAccount *self)
{
  g_return_val_if_fail (POSTIER_IS_ACCOUNT (self), NULL);
  return self->oauth_client_id;
}

void
postier_account_set_oauth_client_id (PostierAccount *self,
                                     const char     *client_id)
{
  g_return_if_fail (POSTIER_IS_ACCOUNT (self));
  replace_string (&self->oauth_client_id, client_id);
}

const char *
postier_account_get_oauth_scope (PostierAccount *self)
{
  g_return_val_if_fail (POSTIER_IS_ACCOUNT (self), NULL);
  return self->oauth_scope;
}

void
postier_account_set_oauth_scope (PostierAccount *self,
                                 const char     *scope)
{
  g_return_if_fail (POSTIER_IS_ACCOUNT (self));
  replace_string (&self->oauth_scope, scope);
}

void
postier_account_get_limits (PostierAccount       *self,
                            PostierAccountLimits *limits)
{
  g_return_if_fail (POSTIER_IS_ACCOUNT (self));
  g_return_if_fail (limits != NULL);
  *limits = self->limits;
}

void
postier_account_set_limits (PostierAccount             *self,
                            const PostierAccountLimits *limits)
{
  g_return_if_fail (POSTIER_IS_ACCOUNT (self));
  if (limits == NULL)
    memset (&self->limits, 0, sizeof self->limits);
  else
    self->limits = *limits;
}

guint
postier_security_default_port (PostierSecurity security)
{
  switch (security)
    {
    case POSTIER_SECURITY_TLS:
      return 465;
    case POSTIER_SECURITY_STARTTLS:
    case POSTIER_SECURITY_NONE:
    default:
      return 587;
    }
}

const char *
postier_security_to_string (PostierSecurity security)
{
  g_return_val_if_fail (security <= POSTIER_SECURITY_NONE, NULL);
  return security_names[security];
}

gboolean
postier_security_from_string (const char      *text,
                              PostierSecurity *security)
{
  for (guint i = 0; i < G_N_ELEMENTS (security_names); i++)
    if (text != NULL && g_ascii_strcasecmp (text, security_names[i]) == 0)
      {
        *security = (PostierSecurity) i;
        return TRUE;
      }
  return FALSE;
}

const char *
postier_auth_method_to_string (PostierAuthMethod auth)
{
  g_return_val_if_fail (auth <= POSTIER_AUTH_XOAUTH2, NULL);
  return auth_names[auth];
}

gboolean
postier_auth_method_from_string (const char        *text,
                                 PostierAuthMethod *auth)
{
  for (guint i = 0; i < G_N_ELEMENTS (auth_names); i++)
    if (text != NULL && g_ascii_strcasecmp (text, auth_names[i]) == 0)
      {
        *auth = (PostierAuthMethod) i;
        return TRUE;
      }
  return FALSE;
}

/* Names become key-file group names and command-line arguments, so they
 * stay printable, short and free of the characters GKeyFile reserves. */
gboolean
postier_account_name_is_valid (const char  *name,
                               GError     **error)
{
  if (name == NULL || *name == '\0')
    {
      g_set_error (error, POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_INVALID,
                   _("The account name is empty"));
      return FALSE;
    }
  if (!g_utf8_validate (name, -1, NULL) || g_utf8_strlen (name, -1) > 64)
    {
      g_set_error (error, POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_INVALID,
                   _("The account name “%s” is not valid UTF-8 of at most 64 characters"), name);
      return FALSE;
    }
  for (const char *p = name; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iscntrl (c) || c == '[' || c == ']' || c == '/')
        {
          g_set_error (error, POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_INVALID,
                       _("The account name “%s” may not contain control characters, “[”, “]” or “/”"),
                       name);
          return FALSE;
        }
    }
  if (g_ascii_isspace (name[0]) || g_ascii_isspace (name[strlen (name) - 1]))
    {
      g_set_error (error, POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_INVALID,
                   _("The account name “%s” may not start or end with a space"), name);
      return FALSE;
    }
  return TRUE;
}

gboolean
postier_inet_address_is_loopback (GInetAddress *address)
{
  const guint8 *bytes;

  g_return_val_if_fail (G_IS_INET_ADDRESS (address), FALSE);

  bytes = g_inet_address_to_bytes (address);
  if (g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV4)
    return bytes[0] == 127;
  /* ::1, and an IPv4 loopback address mapped into IPv6 (::ffff:127.x.y.z),
   * which GLib's own test does not count. */
  if (g_inet_address_get_is_loopback (address))
    return TRUE;
  for (guint i = 0; i < 10; i++)
    if (bytes[i] != 0)
      return FALSE;
  return bytes[10] == 0xff && bytes[11] == 0xff && bytes[12] == 127;
}

gboolean
postier_host_is_loopback (const char *host)
{
  g_autoptr(GInetAddress) inet = NULL;
  g_autofree char *bare = NULL;
  gsize len;

  if (host == NULL)
    return FALSE;

  if (g_ascii_strcasecmp (host, "localhost") == 0 ||
      g_ascii_strcasecmp (host, "localhost.localdomain") == 0 ||
      g_str_has_suffix (host, ".localhost"))
    return TRUE;

  /* Accept "[::1]" as well as "::1". */
  len = strlen (host);
  if (len > 2 && host[0] == '[' && host[len - 1] == ']')
    bare = g_strndup (host + 1, len - 2);
  else
    bare = g_strdup (host);

  inet = g_inet_address_new_from_string (bare);
  return inet != NULL && g_inet_address_get_is_loopback (inet);
}

static gboolean
address_looks_deliverable (const char *addr)
{
  const char *at = strrchr (addr, '@');

  return at != NULL && at != addr && at[1] != '\0' &&
         strchr (addr, ' ') == NULL;
}

gboolean
postier_parse_identity (const char  *identity,
                        char       **display_name,
                        char       **address,
                        GError     **error)
{
  g_autoptr(InternetAddressList) list = NULL;
  InternetAddress *ia;
  const char *addr;

  postier_core_init ();

  if (identity == NULL || *identity == '\0')
    {
      g_set_error (error, POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_INVALID,
                   _("The sender identity is empty; give an address such as “Ada Lovelace <ada@example.org>”"));
      return FALSE;
    }
  if (strpbrk (identity, "\r\n") != NULL)
    {
      g_set_error (error, POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_INVALID,
                   _("The sender identity may not contain a line break"));
      return FALSE;
    }

  list = internet_address_list_parse (NULL, identity);
  if (list == NULL || internet_address_list_length (list) != 1 ||
      !INTERNET_ADDRESS_IS_MAILBOX (ia = internet_address_list_get_address (list, 0)) ||
      (addr = internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (ia))) == NULL ||
      !address_looks_deliverable (addr))
    {
      g_set_error (error, POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_INVALID,
                   _("“%s” is not an e-mail address; give one such as “Ada Lovelace <ada@example.org>”"),
                   identity);
      return FALSE;
    }

  if (display_name != NULL)
    {
      const char *name = internet_address_get_name (ia);
      *display_name = (name != NULL && *name != '\0') ? g_strdup (name) : NULL;
    }
  if (address != NULL)
    *address = g_strdup (addr);
  return TRUE;
}

gboolean
postier_account_validate (PostierAccount  *self,
                          GError         **error)
{
  g_return_val_if_fail (POSTIER_IS_ACCOUNT (self), FALSE);

  if (!postier_account_name_is_valid (self->name, error))
    return FALSE;
  if (!postier_parse_identity (self->identity, NULL, NULL, error))
    return FALSE;

  if (self->kind == POSTIER_ACCOUNT_KIND_SANDBOX)
    return TRUE;

  if (self->host == NULL)
    {
      g_set_error (error, POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_INVALID,
                   _("The account “%s” has no outgoing server; give one with --host"), self->name);
      return FALSE;
    }
  for (const char *p = self->host; *p; p++)
    if (g_ascii_iscntrl (*p) || *p == ' ' || *p == '/')
      {
        g_set_error (error, POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_INVALID,
                     _("“%s” is not a valid server name"), self->host);
        return FALSE;
      }
  if (self->port == 0 || self->port > 65535)
    {
      g_set_error (error, POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_INVALID,
                   _("The port %u is out of range (1–65535)"), self->port);
      return FALSE;
    }
  if (self->security == POSTIER_SECURITY_NONE && !postier_host_is_loopback (self->host))
    {
      g_set_error (error, POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_INVALID,
                   _("Security “none” is only allowed for a server on this machine, not for “%s”; use tls or starttls"),
                   self->host);
      return FALSE;
    }
  if (self->pinned_sha256 != NULL)
    {
      gboolean hex = strlen (self->pinned_sha256) == 64;

      for (const char *p = self->pinned_sha256; hex && *p; p++)
        hex = g_ascii_isxdigit (*p);
      if (!hex)
        {
          g_set_error (error, POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_INVALID,
                       _("The pinned fingerprint must be a SHA-256 digest: 64 hexadecimal digits"));
          return FALSE;
        }
    }
  if (self->ca_file != NULL && !g_file_test (self->ca_file, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_INVALID,
                   _("The CA file “%s” does not exist"), self->ca_file);
      return FALSE;
    }
  return TRUE;
}
