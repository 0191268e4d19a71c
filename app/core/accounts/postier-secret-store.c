/* postier-secret-store.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-secret-store"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "postier-error.h"
#include "postier-secret-store.h"

const SecretSchema *
postier_secret_schema (void)
{
  static const SecretSchema schema = {
    "org.postier.Postier.Password", SECRET_SCHEMA_NONE,
    {
      { "account", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "host", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "user", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
    0, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  };
  return &schema;
}

const SecretSchema *
postier_secret_oauth_schema (void)
{
  static const SecretSchema schema = {
    "org.postier.Postier.OAuth", SECRET_SCHEMA_NONE,
    {
      { "account", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "issuer", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
    0, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  };
  return &schema;
}

/* What a keyring call is about: a password (the account's attributes in
 * our password schema) or an OAuth refresh token. */
typedef struct {
  const SecretSchema *schema;
  GHashTable         *attributes;
  const char         *label;       /* for a store; NULL: the password's */
} SecretTarget;

static GHashTable *
account_attributes (PostierAccount *account)
{
  GHashTable *attributes = g_hash_table_new (g_str_hash, g_str_equal);
  const char *host = postier_account_get_host (account);
  const char *user = postier_account_get_login (account);

  g_hash_table_insert (attributes, (char *) "account", (char *) postier_account_get_name (account));
  g_hash_table_insert (attributes, (char *) "host", (char *) (host != NULL ? host : ""));
  g_hash_table_insert (attributes, (char *) "user", (char *) (user != NULL ? user : ""));
  return attributes;
}

typedef enum {
  OP_STORE,
  OP_LOOKUP,
  OP_CLEAR,
} SecretOp;

typedef struct {
  GMainContext *context;
  GAsyncResult *result;
  gboolean      timed_out;
} SyncCall;

static void
sync_call_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  SyncCall *call = user_data;

  (void) source;
  call->result = g_object_ref (result);
  g_main_context_wakeup (call->context);
}

static gboolean
sync_call_timeout (gpointer user_data)
{
  GCancellable *cancellable = user_data;

  g_cancellable_cancel (cancellable);
  return G_SOURCE_REMOVE;
}

/* Cron jobs, ssh sessions and the background flusher (a systemd user
 * service) often have no keyring: the message says what works there. */
static void
set_no_service_error (GError        **error,
                      PostierAccount *account,
                      const char     *detail)
{
  g_set_error (error, POSTIER_SECRET_ERROR, POSTIER_SECRET_ERROR_NO_SERVICE,
               _("The desktop keyring is not available (%s). Where there is none (cron, ssh, "
                 "the background flusher “postierctl queue watch”), give the account a password "
                 "command: postierctl account set %s --password-command CMD; or start a Secret "
                 "Service such as gnome-keyring in the session."),
               detail, postier_account_get_name (account));
}

/* libsecret reports a missing service through D-Bus and GIO errors; they
 * all mean the same thing to the person: there is no keyring to talk to. */
static void
translate_error (GError         *source,
                 PostierAccount *account,
                 GError        **error)
{
  if (g_error_matches (source, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_propagate_error (error, g_error_copy (source));
  else if (source->domain == SECRET_ERROR && source->code == SECRET_ERROR_IS_LOCKED)
    g_set_error (error, POSTIER_SECRET_ERROR, POSTIER_SECRET_ERROR_LOCKED,
                 _("The desktop keyring is locked. Unlock it (for example by logging in "
                   "to the desktop) and try again."));
  else
    set_no_service_error (error, account, source->message);
}

/* Starts the libsecret call for OP; its answer comes to sync_call_done. */
static void
start_secret_call (SecretOp            op,
                   PostierAccount     *account,
                   const SecretTarget *target,
                   const char         *password,
                   GCancellable       *cancellable,
                   SyncCall           *call)
{
  g_autofree char *label = NULL;

  switch (op)
    {
    case OP_STORE:
      if (target->label != NULL)
        label = g_strdup (target->label);
      else
        label = g_strdup_printf (_("Postier password for %s (%s)"),
                                 postier_account_get_name (account),
                                 postier_account_get_host (account) ? postier_account_get_host (account) : "");
      secret_password_storev (target->schema, target->attributes, SECRET_COLLECTION_DEFAULT,
                              label, password, cancellable, sync_call_done, call);
      break;
    case OP_LOOKUP:
      secret_password_lookupv (target->schema, target->attributes, cancellable, sync_call_done, call);
      break;
    case OP_CLEAR:
      secret_password_clearv (target->schema, target->attributes, cancellable, sync_call_done, call);
      break;
    default:
      g_assert_not_reached ();
    }
}

/* Collects the answer of OP: the password for OP_LOOKUP (NULL when none is
 * stored), NULL otherwise; *OK says whether the call worked. */
static gpointer
finish_secret_call (SecretOp       op,
                    GAsyncResult  *result,
                    gboolean      *ok,
                    GError       **error)
{
  gpointer value = NULL;

  switch (op)
    {
    case OP_STORE:
      *ok = secret_password_store_finish (result, error);
      break;
    case OP_LOOKUP:
      value = secret_password_lookup_finish (result, error);
      *ok = *error == NULL;
      break;
    case OP_CLEAR:
      secret_password_clear_finish (result, error);
      *ok = *error == NULL;
      break;
    default:
      g_assert_not_reached ();
    }
  return value;
}

/* Runs one libsecret call on a private main context with a deadline.
 * The caller's cancellable is chained to ours so both can stop it. */
static gpointer
run_secret_call_on (SecretOp            op,
                    PostierAccount     *account,
                    const SecretTarget *target,
                    const char         *password,
                    GCancellable       *cancellable,
                    gboolean           *ok,
                    GError            **error)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GCancellable) inner = g_cancellable_new ();
  g_autoptr(GError) local_error = NULL;
  SyncCall call = { context, NULL, FALSE };
  GSource *timeout;
  gulong handler = 0;
  gpointer value;

  *ok = FALSE;

  if (cancellable != NULL)
    handler = g_cancellable_connect (cancellable, G_CALLBACK (g_cancellable_cancel),
                                     g_object_ref (inner), g_object_unref);

  g_main_context_push_thread_default (context);

  timeout = g_timeout_source_new (POSTIER_SECRET_TIMEOUT_MS);
  g_source_set_callback (timeout, sync_call_timeout, inner, NULL);
  g_source_attach (timeout, context);

  start_secret_call (op, account, target, password, inner, &call);
  while (call.result == NULL)
    g_main_context_iteration (context, TRUE);

  call.timed_out = g_cancellable_is_cancelled (inner) &&
                   (cancellable == NULL || !g_cancellable_is_cancelled (cancellable));
  value = finish_secret_call (op, call.result, ok, &local_error);

  g_source_destroy (timeout);
  g_source_unref (timeout);
  g_clear_object (&call.result);

  /* Let libsecret finish any clean-up it queued on this context. */
  while (g_main_context_iteration (context, FALSE))
    ;
  g_main_context_pop_thread_default (context);
  if (handler != 0)
    g_cancellable_disconnect (cancellable, handler);

  if (!*ok)
    {
      if (call.timed_out)
        {
          g_autofree char *detail = g_strdup_printf (_("no answer within %.1f seconds"),
                                                     POSTIER_SECRET_TIMEOUT_MS / 1000.0);
          set_no_service_error (error, account, detail);
        }
      else
        translate_error (local_error, account, error);
    }
  return value;
}

/* The call about ACCOUNT's password. */
static gpointer
run_secret_call (SecretOp        op,
                 PostierAccount *account,
                 const char     *password,
                 GCancellable   *cancellable,
                 gboolean       *ok,
                 GError        **error)
{
  g_autoptr(GHashTable) attributes = account_attributes (account);
  SecretTarget target = { postier_secret_schema (), attributes, NULL };

  return run_secret_call_on (op, account, &target, password, cancellable, ok, error);
}

/* The call about ACCOUNT's refresh token from ISSUER. */
static gpointer
run_token_call (SecretOp        op,
                PostierAccount *account,
                const char     *issuer,
                const char     *label,
                const char     *token,
                GCancellable   *cancellable,
                gboolean       *ok,
                GError        **error)
{
  g_autoptr(GHashTable) attributes = g_hash_table_new (g_str_hash, g_str_equal);
  SecretTarget target = { postier_secret_oauth_schema (), attributes, label };

  g_hash_table_insert (attributes, (char *) "account", (char *) postier_account_get_name (account));
  g_hash_table_insert (attributes, (char *) "issuer", (char *) issuer);
  return run_secret_call_on (op, account, &target, token, cancellable, ok, error);
}

gboolean
postier_secret_store_token_sync (PostierAccount  *account,
                                 const char      *issuer,
                                 const char      *label,
                                 const char      *token,
                                 GCancellable    *cancellable,
                                 GError         **error)
{
  gboolean ok;

  g_return_val_if_fail (POSTIER_IS_ACCOUNT (account), FALSE);
  g_return_val_if_fail (issuer != NULL && label != NULL && token != NULL, FALSE);

  run_token_call (OP_STORE, account, issuer, label, token, cancellable, &ok, error);
  return ok;
}

char *
postier_secret_lookup_token_sync (PostierAccount  *account,
                                  const char      *issuer,
                                  GCancellable    *cancellable,
                                  GError         **error)
{
  char *secret;
  char *token;
  gboolean ok;

  g_return_val_if_fail (POSTIER_IS_ACCOUNT (account), NULL);
  g_return_val_if_fail (issuer != NULL, NULL);

  secret = run_token_call (OP_LOOKUP, account, issuer, NULL, NULL, cancellable, &ok, error);
  if (!ok || secret == NULL)
    return NULL;
  token = g_strdup (secret);
  secret_password_free (secret);
  return token;
}

gboolean
postier_secret_clear_token_sync (PostierAccount  *account,
                                 const char      *issuer,
                                 GCancellable    *cancellable,
                                 GError         **error)
{
  gboolean ok;

  g_return_val_if_fail (POSTIER_IS_ACCOUNT (account), FALSE);
  g_return_val_if_fail (issuer != NULL, FALSE);

  run_token_call (OP_CLEAR, account, issuer, NULL, NULL, cancellable, &ok, error);
  return ok;
}

gboolean
postier_secret_store_password_sync (PostierAccount  *account,
                                    const char      *password,
                                    GCancellable    *cancellable,
                                    GError         **error)
{
  gboolean ok;

  g_return_val_if_fail (POSTIER_IS_ACCOUNT (account), FALSE);
  g_return_val_if_fail (password != NULL, FALSE);

  run_secret_call (OP_STORE, account, password, cancellable, &ok, error);
  return ok;
}

char *
postier_secret_lookup_password_sync (PostierAccount  *account,
                                     GCancellable    *cancellable,
                                     GError         **error)
{
  char *secret;
  char *password;
  gboolean ok;

  g_return_val_if_fail (POSTIER_IS_ACCOUNT (account), NULL);

  secret = run_secret_call (OP_LOOKUP, account, NULL, cancellable, &ok, error);
  if (!ok)
    return NULL;
  if (secret == NULL)
    {
      g_set_error (error, POSTIER_SECRET_ERROR, POSTIER_SECRET_ERROR_NOT_FOUND,
                   _("No password is stored for the account “%s”. Set one with "
                     "“postierctl account set %s --password-stdin” or in the account settings."),
                   postier_account_get_name (account), postier_account_get_name (account));
      return NULL;
    }
  /* Hand out ordinary memory; secret memory must be freed with its own call. */
  password = g_strdup (secret);
  secret_password_free (secret);
  return password;
}

gboolean
postier_secret_clear_password_sync (PostierAccount  *account,
                                    GCancellable    *cancellable,
                                    GError         **error)
{
  gboolean ok;

  g_return_val_if_fail (POSTIER_IS_ACCOUNT (account), FALSE);

  run_secret_call (OP_CLEAR, account, NULL, cancellable, &ok, error);
  return ok;
}

static char *
run_password_command (PostierAccount  *account,
                      GCancellable    *cancellable,
                      GError         **error)
{
  const char *command = postier_account_get_password_command (account);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) local_error = NULL;
  /* Wiped on every way out: a failing command may still have printed it. */
  g_autoptr(PostierPassword) out = NULL;
  gsize len;

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                              &local_error, "/bin/sh", "-c", command, NULL);
  if (process == NULL ||
      !g_subprocess_communicate_utf8 (process, NULL, cancellable, &out, NULL, &local_error))
    {
      g_set_error (error, POSTIER_SECRET_ERROR, POSTIER_SECRET_ERROR_COMMAND,
                   _("The password command of the account “%s” could not run: %s"),
                   postier_account_get_name (account), local_error->message);
      return NULL;
    }
  if (!g_subprocess_get_successful (process))
    {
      g_set_error (error, POSTIER_SECRET_ERROR, POSTIER_SECRET_ERROR_COMMAND,
                   _("The password command of the account “%s” failed (exit status %d)"),
                   postier_account_get_name (account), g_subprocess_get_exit_status (process));
      return NULL;
    }

  /* Like msmtp's passwordeval: the first line, without its line end; the
   * rest of the output is wiped, it may hold secrets too. */
  len = strcspn (out, "\r\n");
  explicit_bzero (out + len, strlen (out + len));
  if (len == 0)
    {
      g_set_error (error, POSTIER_SECRET_ERROR, POSTIER_SECRET_ERROR_COMMAND,
                   _("The password command of the account “%s” printed nothing"),
                   postier_account_get_name (account));
      return NULL;
    }
  return g_steal_pointer (&out);
}

char *
postier_account_fetch_password (PostierAccount  *account,
                                GCancellable    *cancellable,
                                GError         **error)
{
  g_return_val_if_fail (POSTIER_IS_ACCOUNT (account), NULL);

  if (postier_account_get_password_command (account) != NULL)
    return run_password_command (account, cancellable, error);
  return postier_secret_lookup_password_sync (account, cancellable, error);
}
