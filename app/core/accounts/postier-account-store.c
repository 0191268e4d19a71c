/* postier-account-store.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-account-store"

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>

#include "postier-account-store.h"
#include "postier-error.h"
#include "postier-paths.h"

#define GENERAL_GROUP  "Postier"
#define ACCOUNT_PREFIX "Account "

struct _PostierAccountStore
{
  GObject         parent_instance;

  char           *path;
  GPtrArray      *accounts;      /* PostierAccount, relays only, in file order */
  char           *default_name;
  PostierAccount *sandbox;
};

G_DEFINE_FINAL_TYPE (PostierAccountStore, postier_account_store, G_TYPE_OBJECT)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static PostierAccount *
make_sandbox_account (void)
{
  PostierAccount *sandbox = postier_account_new (POSTIER_ACCOUNT_SANDBOX_NAME);
  const char *real_name = g_get_real_name ();
  g_autofree char *identity = NULL;

  if (real_name == NULL || *real_name == '\0' || g_str_equal (real_name, "Unknown"))
    real_name = g_get_user_name ();
  identity = g_strdup_printf ("\"%s\" <%s@localhost>", real_name, g_get_user_name ());

  postier_account_set_kind (sandbox, POSTIER_ACCOUNT_KIND_SANDBOX);
  postier_account_set_identity (sandbox, identity);
  postier_account_set_host (sandbox, "127.0.0.1");
  postier_account_set_security (sandbox, POSTIER_SECURITY_STARTTLS);
  postier_account_set_auth (sandbox, POSTIER_AUTH_PLAIN);
  postier_account_set_port (sandbox, 0); /* chosen when the receiver starts */
  return sandbox;
}

static void
postier_account_store_finalize (GObject *object)
{
  PostierAccountStore *self = POSTIER_ACCOUNT_STORE (object);

  g_free (self->path);
  g_free (self->default_name);
  g_clear_pointer (&self->accounts, g_ptr_array_unref);
  g_clear_object (&self->sandbox);

  G_OBJECT_CLASS (postier_account_store_parent_class)->finalize (object);
}

static void
postier_account_store_class_init (PostierAccountStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = postier_account_store_finalize;

  /**
   * PostierAccountStore::changed:
   *
   * Accounts were added, removed, edited or the default changed.
   */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass),
                                   G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                   G_TYPE_NONE, 0);
}

static void
postier_account_store_init (PostierAccountStore *self)
{
  self->accounts = g_ptr_array_new_with_free_func (g_object_unref);
  self->sandbox = make_sandbox_account ();
}

PostierAccountStore *
postier_account_store_new (const char *path)
{
  PostierAccountStore *self = g_object_new (POSTIER_TYPE_ACCOUNT_STORE, NULL);

  if (path != NULL)
    self->path = g_strdup (path);
  else
    {
      g_autofree char *dir = postier_config_dir ();
      self->path = g_build_filename (dir, "accounts.ini", NULL);
    }
  return self;
}

const char *
postier_account_store_get_path (PostierAccountStore *self)
{
  g_return_val_if_fail (POSTIER_IS_ACCOUNT_STORE (self), NULL);
  return self->path;
}

/* Postier's own OAuth sign-in (app/core/oauth): which provider, and the
 * client ID and scope when the account overrides the provider's. */
static void
oauth_from_key_file (GKeyFile       *kf,
                     const char     *group,
                     PostierAccount *account)
{
  g_autofree char *provider = g_key_file_get_string (kf, group, "oauth-provider", NULL);
  g_autofree char *client_id = g_key_file_get_string (kf, group, "oauth-client-id", NULL);
  g_autofree char *scope = g_key_file_get_string (kf, group, "oauth-scope", NULL);

  postier_account_set_oauth_provider (account, provider);
  postier_account_set_oauth_client_id (account, client_id);
  postier_account_set_oauth_scope (account, scope);
}

static PostierAccount *
account_from_key_file (GKeyFile    *kf,
                       const char  *group,
                       GError     **error)
{
  const char *name = group + strlen (ACCOUNT_PREFIX);
  g_autoptr(PostierAccount) account = NULL;
  g_autofree char *identity = NULL;
  g_autofree char *host = NULL;
  g_autofree char *security = NULL;
  g_autofree char *auth = NULL;
  g_autofree char *user = NULL;
  g_autofree char *ca_file = NULL;
  g_autofree char *pin = NULL;
  g_autofree char *command = NULL;
  PostierSecurity security_value = POSTIER_SECURITY_TLS;
  PostierAuthMethod auth_value = POSTIER_AUTH_AUTO;
  g_autoptr(GError) local_error = NULL;
  gint port;

  account = postier_account_new (name);

  identity = g_key_file_get_string (kf, group, "identity", NULL);
  host = g_key_file_get_string (kf, group, "host", NULL);
  security = g_key_file_get_string (kf, group, "security", NULL);
  auth = g_key_file_get_string (kf, group, "auth", NULL);
  user = g_key_file_get_string (kf, group, "user", NULL);
  ca_file = g_key_file_get_string (kf, group, "ca-file", NULL);
  pin = g_key_file_get_string (kf, group, "pinned-sha256", NULL);
  command = g_key_file_get_string (kf, group, "password-command", NULL);

  if (security != NULL && !postier_security_from_string (security, &security_value))
    {
      g_set_error (error, POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_STORAGE,
                   _("Account “%s”: unknown security “%s” (expected tls, starttls or none)"),
                   name, security);
      return NULL;
    }
  if (auth != NULL && !postier_auth_method_from_string (auth, &auth_value))
    {
      g_set_error (error, POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_STORAGE,
                   _("Account “%s”: unknown authentication method “%s”"), name, auth);
      return NULL;
    }

  port = g_key_file_get_integer (kf, group, "port", &local_error);
  if (local_error != NULL)
    port = (gint) postier_security_default_port (security_value);

  postier_account_set_identity (account, identity);
  postier_account_set_host (account, host);
  postier_account_set_security (account, security_value);
  postier_account_set_port (account, port < 0 ? 0 : (guint) port);
  postier_account_set_auth (account, auth_value);
  postier_account_set_user (account, user);
  postier_account_set_ca_file (account, ca_file);
  postier_account_set_pinned_sha256 (account, pin);
  postier_account_set_password_command (account, command);
  postier_account_set_request_dsn (account, g_key_file_get_boolean (kf, group, "request-dsn", NULL));
  postier_account_set_hidden (account, g_key_file_get_boolean (kf, group, "hidden", NULL));
  oauth_from_key_file (kf, group, account);
  {
    PostierAccountLimits limits;

    postier_account_limits_load (&limits, kf, group);
    postier_account_set_limits (account, &limits);
  }

  if (!postier_account_validate (account, &local_error))
    {
      g_set_error (error, POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_STORAGE,
                   _("Account “%s” in accounts.ini: %s"), name, local_error->message);
      return NULL;
    }
  return g_steal_pointer (&account);
}

gboolean
postier_account_store_load (PostierAccountStore  *self,
                            GError              **error)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GPtrArray) accounts = NULL;
  g_auto(GStrv) groups = NULL;
  g_autofree char *default_name = NULL;

  g_return_val_if_fail (POSTIER_IS_ACCOUNT_STORE (self), FALSE);

  if (!g_key_file_load_from_file (kf, self->path, G_KEY_FILE_NONE, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          g_ptr_array_set_size (self->accounts, 0);
          g_clear_pointer (&self->default_name, g_free);
          return TRUE;
        }
      g_set_error (error, POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_STORAGE,
                   _("Cannot read “%s”: %s"), self->path, local_error->message);
      return FALSE;
    }

  accounts = g_ptr_array_new_with_free_func (g_object_unref);
  groups = g_key_file_get_groups (kf, NULL);
  for (guint i = 0; groups[i] != NULL; i++)
    {
      PostierAccount *account;

      if (!g_str_has_prefix (groups[i], ACCOUNT_PREFIX))
        continue;
      account = account_from_key_file (kf, groups[i], error);
      if (account == NULL)
        return FALSE;
      g_ptr_array_add (accounts, account);
    }

  default_name = g_key_file_get_string (kf, GENERAL_GROUP, "default", NULL);
  postier_account_set_hidden (self->sandbox,
                              g_key_file_get_boolean (kf, GENERAL_GROUP, "sandbox-hidden", NULL));

  g_ptr_array_unref (self->accounts);
  self->accounts = g_steal_pointer (&accounts);
  g_free (self->default_name);
  self->default_name = g_steal_pointer (&default_name);
  return TRUE;
}

static void
account_to_key_file (PostierAccount *account,
                     GKeyFile       *kf)
{
  g_autofree char *group = g_strconcat (ACCOUNT_PREFIX, postier_account_get_name (account), NULL);
  struct { const char *key; const char *value; } strings[] = {
    { "identity", postier_account_get_identity (account) },
    { "host", postier_account_get_host (account) },
    { "security", postier_security_to_string (postier_account_get_security (account)) },
    { "auth", postier_auth_method_to_string (postier_account_get_auth (account)) },
    { "user", postier_account_get_user (account) },
    { "ca-file", postier_account_get_ca_file (account) },
    { "pinned-sha256", postier_account_get_pinned_sha256 (account) },
    { "password-command", postier_account_get_password_command (account) },
    { "oauth-provider", postier_account_get_oauth_provider (account) },
    { "oauth-client-id", postier_account_get_oauth_client_id (account) },
    { "oauth-scope", postier_account_get_oauth_scope (account) },
  };

  for (guint i = 0; i < G_N_ELEMENTS (strings); i++)
    if (strings[i].value != NULL)
      g_key_file_set_string (kf, group, strings[i].key, strings[i].value);
  g_key_file_set_integer (kf, group, "port", (gint) postier_account_get_port (account));
  if (postier_account_get_request_dsn (account))
    g_key_file_set_boolean (kf, group, "request-dsn", TRUE);
  if (postier_account_get_hidden (account))
    g_key_file_set_boolean (kf, group, "hidden", TRUE);
  {
    PostierAccountLimits limits;

    postier_account_get_limits (account, &limits);
    postier_account_limits_save (&limits, kf, group);
  }
}

static gboolean
write_accounts (PostierAccountStore  *self,
                GPtrArray            *accounts,
                const char           *default_name,
                GError              **error)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autofree char *dir = g_path_get_dirname (self->path);
  g_autofree char *data = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize length;

  g_key_file_set_comment (kf, NULL, NULL,
                          " Postier accounts. Passwords are never stored here: they live in\n"
                          " the desktop keyring, or come from password-command.", NULL);
  if (default_name != NULL)
    g_key_file_set_string (kf, GENERAL_GROUP, "default", default_name);
  if (postier_account_get_hidden (self->sandbox))
    g_key_file_set_boolean (kf, GENERAL_GROUP, "sandbox-hidden", TRUE);

  for (guint i = 0; i < accounts->len; i++)
    account_to_key_file (g_ptr_array_index (accounts, i), kf);

  data = g_key_file_to_data (kf, &length, NULL);
  if (!postier_ensure_private_dir (dir, &local_error) ||
      !postier_write_file_durably (self->path, data, length, &local_error))
    {
      g_set_error_literal (error, POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_STORAGE,
                           local_error->message);
      return FALSE;
    }
  return TRUE;
}

GPtrArray *
postier_account_store_list (PostierAccountStore *self)
{
  GPtrArray *list;

  g_return_val_if_fail (POSTIER_IS_ACCOUNT_STORE (self), NULL);

  list = g_ptr_array_new_full (self->accounts->len + 1, g_object_unref);
  for (guint i = 0; i < self->accounts->len; i++)
    g_ptr_array_add (list, g_object_ref (g_ptr_array_index (self->accounts, i)));
  g_ptr_array_add (list, g_object_ref (self->sandbox));
  return list;
}

guint
postier_account_store_count_relays (PostierAccountStore *self)
{
  g_return_val_if_fail (POSTIER_IS_ACCOUNT_STORE (self), 0);
  return self->accounts->len;
}

static gint
find_index (PostierAccountStore *self,
            const char          *name)
{
  for (guint i = 0; i < self->accounts->len; i++)
    if (g_strcmp0 (postier_account_get_name (g_ptr_array_index (self->accounts, i)), name) == 0)
      return (gint) i;
  return -1;
}

PostierAccount *
postier_account_store_lookup (PostierAccountStore *self,
                              const char          *name)
{
  gint index;

  g_return_val_if_fail (POSTIER_IS_ACCOUNT_STORE (self), NULL);

  if (name == NULL)
    return NULL;
  if (g_ascii_strcasecmp (name, POSTIER_ACCOUNT_SANDBOX_NAME) == 0)
    return self->sandbox;
  index = find_index (self, name);
  return index >= 0 ? g_ptr_array_index (self->accounts, index) : NULL;
}

PostierAccount *
postier_account_store_get_default (PostierAccountStore *self)
{
  PostierAccount *account;

  g_return_val_if_fail (POSTIER_IS_ACCOUNT_STORE (self), NULL);

  account = postier_account_store_lookup (self, self->default_name);
  if (account != NULL)
    return account;
  if (self->accounts->len > 0)
    return g_ptr_array_index (self->accounts, 0);
  return self->sandbox;
}

PostierAccount *
postier_account_store_get_sandbox (PostierAccountStore *self)
{
  g_return_val_if_fail (POSTIER_IS_ACCOUNT_STORE (self), NULL);
  return self->sandbox;
}

gboolean
postier_account_store_add (PostierAccountStore  *self,
                           PostierAccount       *account,
                           gboolean              make_default,
                           GError              **error)
{
  g_autoptr(GPtrArray) next = NULL;
  const char *name;
  const char *default_name;

  g_return_val_if_fail (POSTIER_IS_ACCOUNT_STORE (self), FALSE);
  g_return_val_if_fail (POSTIER_IS_ACCOUNT (account), FALSE);

  if (!postier_account_validate (account, error))
    return FALSE;

  name = postier_account_get_name (account);
  if (postier_account_store_lookup (self, name) != NULL)
    {
      g_set_error (error, POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_EXISTS,
                   _("An account named “%s” already exists"), name);
      return FALSE;
    }

  next = g_ptr_array_copy (self->accounts, (GCopyFunc) (void (*) (void)) g_object_ref, NULL);
  g_ptr_array_set_free_func (next, g_object_unref);
  g_ptr_array_add (next, g_object_ref (account));

  /* The first real account becomes the default, so mail stops going to the
   * Sandbox as soon as the person has somewhere real to send it. */
  default_name = make_default || self->accounts->len == 0 ? name : self->default_name;

  if (!write_accounts (self, next, default_name, error))
    return FALSE;

  g_ptr_array_unref (self->accounts);
  self->accounts = g_steal_pointer (&next);
  if (default_name != self->default_name)
    {
      g_free (self->default_name);
      self->default_name = g_strdup (default_name);
    }
  g_signal_emit (self, signals[CHANGED], 0);
  return TRUE;
}

gboolean
postier_account_store_replace (PostierAccountStore  *self,
                               PostierAccount       *account,
                               GError              **error)
{
  g_autoptr(GPtrArray) next = NULL;
  const char *name;
  gint index;

  g_return_val_if_fail (POSTIER_IS_ACCOUNT_STORE (self), FALSE);
  g_return_val_if_fail (POSTIER_IS_ACCOUNT (account), FALSE);

  name = postier_account_get_name (account);
  if (postier_account_get_kind (account) == POSTIER_ACCOUNT_KIND_SANDBOX)
    {
      /* Only visibility of the Sandbox can change. */
      gboolean was_hidden = postier_account_get_hidden (self->sandbox);

      postier_account_set_hidden (self->sandbox, postier_account_get_hidden (account));
      if (!write_accounts (self, self->accounts, self->default_name, error))
        {
          postier_account_set_hidden (self->sandbox, was_hidden);
          return FALSE;
        }
      g_signal_emit (self, signals[CHANGED], 0);
      return TRUE;
    }

  index = find_index (self, name);
  if (index < 0)
    {
      g_set_error (error, POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_NOT_FOUND,
                   _("There is no account named “%s”"), name);
      return FALSE;
    }
  if (!postier_account_validate (account, error))
    return FALSE;

  next = g_ptr_array_copy (self->accounts, (GCopyFunc) (void (*) (void)) g_object_ref, NULL);
  g_ptr_array_set_free_func (next, g_object_unref);
  g_object_unref (g_ptr_array_index (next, index));
  g_ptr_array_index (next, index) = g_object_ref (account);

  if (!write_accounts (self, next, self->default_name, error))
    return FALSE;

  g_ptr_array_unref (self->accounts);
  self->accounts = g_steal_pointer (&next);
  g_signal_emit (self, signals[CHANGED], 0);
  return TRUE;
}

gboolean
postier_account_store_remove (PostierAccountStore  *self,
                              const char           *name,
                              GError              **error)
{
  g_autoptr(GPtrArray) next = NULL;
  const char *default_name;
  gint index;

  g_return_val_if_fail (POSTIER_IS_ACCOUNT_STORE (self), FALSE);

  if (name != NULL && g_ascii_strcasecmp (name, POSTIER_ACCOUNT_SANDBOX_NAME) == 0)
    {
      g_set_error (error, POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_INVALID,
                   _("The Sandbox account is built in and cannot be removed; it can be hidden"));
      return FALSE;
    }
  index = find_index (self, name);
  if (index < 0)
    {
      g_set_error (error, POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_NOT_FOUND,
                   _("There is no account named “%s”"), name);
      return FALSE;
    }

  next = g_ptr_array_copy (self->accounts, (GCopyFunc) (void (*) (void)) g_object_ref, NULL);
  g_ptr_array_set_free_func (next, g_object_unref);
  g_ptr_array_remove_index (next, (guint) index);
  default_name = g_strcmp0 (self->default_name, name) == 0 ? NULL : self->default_name;

  if (!write_accounts (self, next, default_name, error))
    return FALSE;

  g_ptr_array_unref (self->accounts);
  self->accounts = g_steal_pointer (&next);
  if (default_name == NULL)
    g_clear_pointer (&self->default_name, g_free);
  g_signal_emit (self, signals[CHANGED], 0);
  return TRUE;
}

gboolean
postier_account_store_set_default (PostierAccountStore  *self,
                                   const char           *name,
                                   GError              **error)
{
  PostierAccount *account;

  g_return_val_if_fail (POSTIER_IS_ACCOUNT_STORE (self), FALSE);

  account = postier_account_store_lookup (self, name);
  if (account == NULL)
    {
      g_set_error (error, POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_NOT_FOUND,
                   _("There is no account named “%s”"), name);
      return FALSE;
    }
  name = postier_account_get_name (account);
  if (!write_accounts (self, self->accounts, name, error))
    return FALSE;

  g_free (self->default_name);
  self->default_name = g_strdup (name);
  g_signal_emit (self, signals[CHANGED], 0);
  return TRUE;
}
