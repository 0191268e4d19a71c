/* postier-goa-send.c — sending through a GNOME Online Accounts account
 *
 * A queued entry names a GOA account "goa:ID". At flush time, on the
 * flush's worker thread, GOA is asked for the account as it is now and,
 * when the SMTP client is made, for its credentials: PasswordBased
 * GetPassword("smtp-password") for "IMAP and SMTP" accounts, OAuth2Based
 * GetAccessToken for the others. They stay in memory for the session and
 * are never written to Postier's keyring items. Each blocking call gets its
 * own GoaClient on a private main context, so the object manager's
 * subscriptions never land on the caller's (the app's) main context.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-goa"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "postier-error.h"
#include "postier-goa-private.h"
#include "postier-goa-send.h"
#include "postier-password.h"

typedef struct {
  GMainContext *context;
  GoaClient    *client;
} Session;

static void
session_clear (Session *session)
{
  g_clear_object (&session->client);
  if (session->context != NULL)
    {
      /* What the client's D-Bus subscriptions left to free runs from this
       * context: run it, or it would leak. */
      while (g_main_context_iteration (session->context, FALSE))
        ;
      g_main_context_pop_thread_default (session->context);
      g_clear_pointer (&session->context, g_main_context_unref);
    }
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Session, session_clear)

/* No bus or no GOA service: temporary, like a keyring that is not there
 * (the entry is deferred and retried, never failed). */
static gboolean
session_open (Session       *session,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autoptr(GError) local_error = NULL;

  session->context = g_main_context_new ();
  g_main_context_push_thread_default (session->context);
  session->client = goa_client_new_sync (cancellable, &local_error);
  if (session->client == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, POSTIER_SECRET_ERROR, POSTIER_SECRET_ERROR_NO_SERVICE,
                     _("GNOME Online Accounts cannot be reached: %s"), local_error->message);
      return FALSE;
    }
  return TRUE;
}

static const char *
goa_id_of (const char *name)
{
  return name + strlen (POSTIER_GOA_NAME_PREFIX);
}

PostierAccount *
postier_goa_account_for_send (const char   *name,
                              GCancellable *cancellable)
{
  g_auto(Session) session = { 0 };
  g_autoptr(GoaObject) object = NULL;
  g_autoptr(PostierGoaMailAccount) found = NULL;

  if (!postier_goa_is_account_name (name))
    return NULL;
  if (session_open (&session, cancellable, NULL))
    object = goa_client_lookup_by_id (session.client, goa_id_of (name));
  if (object != NULL)
    found = _postier_goa_mail_account_from_object (object);
  if (found != NULL)
    return g_object_ref (found->account);

  /* Gone, mail turned off or GOA unreachable: a stand-in that sends
   * nowhere. Making its SMTP client asks GOA again and says which. */
  {
    PostierAccount *placeholder = postier_account_new (name);

    postier_account_set_host (placeholder, "goa.invalid");
    return placeholder;
  }
}

/* ACCOUNT's GOA object as it is now, or ERROR saying why it cannot send. */
static GoaObject *
lookup_for_mail (Session         *session,
                 PostierAccount  *account,
                 GCancellable    *cancellable,
                 GError         **error)
{
  const char *name = postier_account_get_name (account);
  const char *address = postier_account_get_address (account);
  g_autoptr(GoaObject) object = NULL;
  GoaAccount *goa_account;

  if (!session_open (session, cancellable, error))
    return NULL;
  object = goa_client_lookup_by_id (session->client, goa_id_of (name));
  goa_account = object != NULL ? goa_object_peek_account (object) : NULL;
  if (goa_account == NULL)
    {
      g_set_error (error, POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_NOT_FOUND,
                   _("The Online Accounts account “%s” is gone; add it again in Settings → Online "
                     "Accounts, or choose another account and retry"),
                   address != NULL ? address : name);
      return NULL;
    }
  if (goa_account_get_mail_disabled (goa_account) || goa_object_peek_mail (object) == NULL)
    {
      g_set_error (error, POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_NOT_FOUND,
                   _("Mail is turned off for the Online Accounts account “%s”; turn it on in Settings → "
                     "Online Accounts, or choose another account and retry"),
                   goa_account_get_presentation_identity (goa_account));
      return NULL;
    }
  /* AttentionNeeded alone does not stop a send: GOA also sets it when the
   * IMAP side fails its check. GOA refusing the credentials, or the relay
   * refusing them, is what makes the entry wait for the person. */
  return g_steal_pointer (&object);
}

/* GOA's own words after its provider's name: a refusal is the person's
 * to fix in Settings (needs attention). */
static void
set_goa_error (GError       **error,
               GoaObject     *object,
               const GError  *goa_error)
{
  g_autoptr(GError) copy = g_error_copy (goa_error);

  if (g_error_matches (copy, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_propagate_error (error, g_steal_pointer (&copy));
      return;
    }
  g_dbus_error_strip_remote_error (copy);
  g_set_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_AUTH,
               _("Sign in to %s again in Settings → Online Accounts (%s): %s"),
               goa_account_get_provider_name (goa_object_peek_account (object)),
               goa_account_get_presentation_identity (goa_object_peek_account (object)),
               copy->message);
}

static char *
token_from (GoaObject     *object,
            gboolean       ensure,
            GCancellable  *cancellable,
            GError       **error)
{
  g_autoptr(GError) goa_error = NULL;
  GoaOAuth2Based *oauth2 = goa_object_peek_oauth2_based (object);
  char *token = NULL;

  if (oauth2 == NULL)
    {
      g_set_error (error, POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_INVALID,
                   _("The Online Accounts account “%s” no longer signs in with OAuth 2.0"),
                   goa_account_get_presentation_identity (goa_object_peek_account (object)));
      return NULL;
    }
  /* After a refused token: GOA checks (and renews) its credentials. */
  if (ensure)
    goa_account_call_ensure_credentials_sync (goa_object_peek_account (object), NULL, cancellable, NULL);
  if (!goa_oauth2_based_call_get_access_token_sync (oauth2, &token, NULL, cancellable, &goa_error))
    {
      set_goa_error (error, object, goa_error);
      return NULL;
    }
  return token;
}

static char *
get_access_token (PostierAccount  *account,
                  gboolean         ensure,
                  GCancellable    *cancellable,
                  GError         **error)
{
  g_auto(Session) session = { 0 };
  g_autoptr(GoaObject) object = lookup_for_mail (&session, account, cancellable, error);

  if (object == NULL)
    return NULL;
  return token_from (object, ensure, cancellable, error);
}

/* The SMTP client's way to a fresh token when the server refused one. */
static char *
refresh_token_for_client (gpointer   user_data,
                          GError   **error)
{
  return get_access_token (user_data, TRUE, NULL, error);
}

gboolean
postier_goa_sign_in_client (PostierSmtpClient  *client,
                            PostierAccount     *account,
                            GCancellable       *cancellable,
                            GError            **error)
{
  g_auto(Session) session = { 0 };
  g_autoptr(GoaObject) object = NULL;
  g_autoptr(GError) goa_error = NULL;
  g_autoptr(PostierPassword) secret = NULL;
  GoaPasswordBased *password_based;

  g_return_val_if_fail (postier_goa_is_account_name (postier_account_get_name (account)), FALSE);

  object = lookup_for_mail (&session, account, cancellable, error);
  if (object == NULL)
    return FALSE;
  if (!goa_mail_get_smtp_use_auth (goa_object_peek_mail (object)))
    return TRUE;
  if (goa_object_peek_oauth2_based (object) != NULL)
    {
      secret = token_from (object, FALSE, cancellable, error);
      if (secret == NULL)
        return FALSE;
      postier_smtp_client_set_password (client, secret);
      postier_smtp_client_set_token_func (client, refresh_token_for_client,
                                          postier_account_copy (account), g_object_unref);
      return TRUE;
    }
  password_based = goa_object_peek_password_based (object);
  if (password_based == NULL)
    {
      g_set_error (error, POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_INVALID,
                   _("The Online Accounts account “%s” has neither a password nor OAuth 2.0 for mail"),
                   goa_account_get_presentation_identity (goa_object_peek_account (object)));
      return FALSE;
    }
  if (!goa_password_based_call_get_password_sync (password_based, "smtp-password", &secret,
                                                  cancellable, &goa_error))
    {
      set_goa_error (error, object, goa_error);
      return FALSE;
    }
  postier_smtp_client_set_password (client, secret);
  return TRUE;
}
