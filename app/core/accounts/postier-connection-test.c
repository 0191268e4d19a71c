/* postier-connection-test.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-connection-test"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "postier-account-client.h"
#include "postier-connection-test.h"
#include "postier-error.h"
#include "postier-smtp-client.h"

struct _PostierConnectionTest
{
  GObject          parent_instance;

  PostierAccount  *account;
  char            *password;
  guint            timeout;

  GStrv            capabilities;
  guint64          size_limit;
  char            *auth_mechanism;
  char            *tls_summary;
  char            *certificate_summary;
  char            *transcript;
};

G_DEFINE_FINAL_TYPE (PostierConnectionTest, postier_connection_test, G_TYPE_OBJECT)

static void
wipe_password (PostierConnectionTest *self)
{
  if (self->password != NULL)
    explicit_bzero (self->password, strlen (self->password));
  g_clear_pointer (&self->password, g_free);
}

static void
clear_results (PostierConnectionTest *self)
{
  g_clear_pointer (&self->capabilities, g_strfreev);
  self->size_limit = 0;
  g_clear_pointer (&self->auth_mechanism, g_free);
  g_clear_pointer (&self->tls_summary, g_free);
  g_clear_pointer (&self->certificate_summary, g_free);
  g_clear_pointer (&self->transcript, g_free);
}

static void
postier_connection_test_finalize (GObject *object)
{
  PostierConnectionTest *self = POSTIER_CONNECTION_TEST (object);

  g_clear_object (&self->account);
  wipe_password (self);
  clear_results (self);

  G_OBJECT_CLASS (postier_connection_test_parent_class)->finalize (object);
}

static void
postier_connection_test_class_init (PostierConnectionTestClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = postier_connection_test_finalize;
}

static void
postier_connection_test_init (PostierConnectionTest *self)
{
  self->timeout = 20;
}

PostierConnectionTest *
postier_connection_test_new (PostierAccount *account)
{
  PostierConnectionTest *self;

  g_return_val_if_fail (POSTIER_IS_ACCOUNT (account), NULL);

  self = g_object_new (POSTIER_TYPE_CONNECTION_TEST, NULL);
  self->account = postier_account_copy (account);
  return self;
}

void
postier_connection_test_set_password (PostierConnectionTest *self,
                                      const char            *password)
{
  g_return_if_fail (POSTIER_IS_CONNECTION_TEST (self));

  wipe_password (self);
  self->password = g_strdup (password);
}

void
postier_connection_test_set_timeout (PostierConnectionTest *self,
                                     guint                  seconds)
{
  g_return_if_fail (POSTIER_IS_CONNECTION_TEST (self));
  self->timeout = seconds > 0 ? seconds : 20;
}

gboolean
postier_connection_test_run_sync (PostierConnectionTest  *self,
                                  GCancellable           *cancellable,
                                  GError                **error)
{
  g_autoptr(PostierSmtpClient) client = NULL;
  gboolean opened;

  g_return_val_if_fail (POSTIER_IS_CONNECTION_TEST (self), FALSE);

  clear_results (self);

  client = postier_account_new_smtp_client (self->account, self->password, self->timeout,
                                            cancellable, error);
  if (client == NULL)
    return FALSE;

  opened = postier_smtp_client_open (client, cancellable, error);

  /* Kept on failure too: a certificate summary explains a refusal. */
  self->tls_summary = g_strdup (postier_smtp_client_get_tls_summary (client));
  self->certificate_summary = g_strdup (postier_smtp_client_get_certificate_summary (client));
  if (opened)
    {
      self->capabilities = g_strdupv ((GStrv) postier_smtp_client_get_capability_lines (client));
      self->size_limit = postier_smtp_client_get_size_limit (client);
      self->auth_mechanism = g_strdup (postier_smtp_client_get_auth_mechanism (client));
      postier_smtp_client_close (client, cancellable);
    }
  self->transcript = postier_smtp_client_take_transcript (client);

  return opened;
}

static void
run_thread (GTask        *task,
            gpointer      source_object,
            G_GNUC_UNUSED gpointer task_data,
            GCancellable *cancellable)
{
  GError *error = NULL;

  if (postier_connection_test_run_sync (source_object, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
postier_connection_test_run_async (PostierConnectionTest *self,
                                   GCancellable          *cancellable,
                                   GAsyncReadyCallback    callback,
                                   gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (POSTIER_IS_CONNECTION_TEST (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, postier_connection_test_run_async);
  /* The result fields are written by the thread; nobody reads them until
   * finish, and a second run waits its turn. */
  g_task_set_return_on_cancel (task, FALSE);
  g_task_run_in_thread (task, run_thread);
}

gboolean
postier_connection_test_run_finish (PostierConnectionTest  *self,
                                    GAsyncResult           *result,
                                    GError                **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

guint64
postier_connection_test_get_size_limit (PostierConnectionTest *self)
{
  g_return_val_if_fail (POSTIER_IS_CONNECTION_TEST (self), 0);
  return self->size_limit;
}

const char *
postier_connection_test_get_auth_mechanism (PostierConnectionTest *self)
{
  g_return_val_if_fail (POSTIER_IS_CONNECTION_TEST (self), NULL);
  return self->auth_mechanism;
}

const char *
postier_connection_test_get_certificate_summary (PostierConnectionTest *self)
{
  g_return_val_if_fail (POSTIER_IS_CONNECTION_TEST (self), NULL);
  return self->certificate_summary;
}

const char *
postier_connection_test_get_transcript (PostierConnectionTest *self)
{
  g_return_val_if_fail (POSTIER_IS_CONNECTION_TEST (self), NULL);
  return self->transcript;
}

const char *
postier_smtp_error_explain (const GError *error)
{
  if (error == NULL)
    return NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return _("The test was cancelled.");

  if (error->domain == POSTIER_SECRET_ERROR)
    switch ((PostierSecretError) error->code)
      {
      case POSTIER_SECRET_ERROR_NO_SERVICE:
      case POSTIER_SECRET_ERROR_LOCKED:
        return _("The password could not be read because the keyring is not available. "
                 "Unlock your keyring, or set a password command for this account.");
      case POSTIER_SECRET_ERROR_NOT_FOUND:
        return _("No password is stored for this account. Enter it in the account settings.");
      case POSTIER_SECRET_ERROR_COMMAND:
        return _("The account’s password command failed. Check the command in its settings.");
      case POSTIER_SECRET_ERROR_FAILED:
      default:
        return _("The password could not be read from the keyring.");
      }

  if (error->domain == POSTIER_SMTP_ERROR)
    switch ((PostierSmtpError) error->code)
      {
      case POSTIER_SMTP_ERROR_NETWORK:
        return _("Postier could not reach the server. Check the server name and port, and that "
                 "this computer is online.");
      case POSTIER_SMTP_ERROR_TLS_CERTIFICATE:
        return _("The server’s certificate is not trusted, so no password was sent. Check the "
                 "server name; if you know this certificate is right, ask your provider.");
      case POSTIER_SMTP_ERROR_TLS:
        return _("A secure connection could not be set up. Check the security setting and the "
                 "port: TLS usually uses port 465, STARTTLS port 587.");
      case POSTIER_SMTP_ERROR_AUTH:
        return _("The server refused the user name or password. Check them in the account "
                 "settings.");
      case POSTIER_SMTP_ERROR_TEMPORARY:
        return _("The server is refusing mail for now. Postier will try again later.");
      case POSTIER_SMTP_ERROR_PERMANENT:
        return _("The server refused the message. Its reply says why.");
      case POSTIER_SMTP_ERROR_PROTOCOL:
        return _("The server answered in a way Postier does not understand. It may not be a "
                 "mail submission server: check the port.");
      case POSTIER_SMTP_ERROR_TOO_BIG:
        return _("The message is larger than the server accepts. Remove or shrink attachments.");
      case POSTIER_SMTP_ERROR_FAILED:
      default:
        break;
      }

  if (error->domain == POSTIER_ACCOUNT_ERROR)
    return _("The account settings are not complete or not valid.");

  return _("Something went wrong while talking to the server.");
}

char *
postier_connection_test_describe (PostierConnectionTest *self,
                                  const GError          *error)
{
  g_autoptr(GString) text = g_string_new (NULL);

  g_return_val_if_fail (POSTIER_IS_CONNECTION_TEST (self), NULL);

  if (error == NULL)
    {
      g_string_append_printf (text, _("Postier can send mail through %s."),
                              postier_account_get_host (self->account));
      g_string_append_c (text, '\n');
      if (self->auth_mechanism != NULL)
        g_string_append_printf (text, _("Signed in with %s."), self->auth_mechanism);
      else
        g_string_append (text, _("No sign-in was needed."));
      g_string_append_c (text, '\n');
    }
  else
    {
      g_string_append (text, postier_smtp_error_explain (error));
      g_string_append_c (text, '\n');
      g_string_append_printf (text, _("Details: %s"), error->message);
      g_string_append_c (text, '\n');
    }

  if (self->tls_summary != NULL)
    {
      g_string_append_printf (text, _("Encryption: %s"), self->tls_summary);
      g_string_append_c (text, '\n');
    }
  if (self->size_limit > 0)
    {
      g_autofree char *size = g_format_size (self->size_limit);
      g_string_append_printf (text, _("Largest message accepted: %s"), size);
      g_string_append_c (text, '\n');
    }
  if (self->capabilities != NULL && self->capabilities[0] != NULL)
    {
      g_autofree char *joined = g_strjoinv (", ", self->capabilities);
      g_string_append_printf (text, _("Server features: %s"), joined);
      g_string_append_c (text, '\n');
    }
  if (self->certificate_summary != NULL)
    {
      g_string_append (text, _("Certificate:"));
      g_string_append_c (text, '\n');
      g_string_append (text, self->certificate_summary);
      g_string_append_c (text, '\n');
    }

  if (text->len > 0 && text->str[text->len - 1] == '\n')
    g_string_truncate (text, text->len - 1);
  return g_string_free (g_steal_pointer (&text), FALSE);
}
