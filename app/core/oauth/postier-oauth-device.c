/* postier-oauth-device.c — the Device Authorization Grant (RFC 8628), for
 * a terminal: the person signs in on any browser, Postier polls.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-oauth"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "postier-error.h"
#include "postier-oauth-http.h"
#include "postier-oauth-private.h"

#define DEVICE_GRANT_TYPE "urn:ietf:params:oauth:grant-type:device_code"
/* RFC 8628 §3.2 and §3.5: the default interval, and what slow_down adds. */
#define DEFAULT_INTERVAL 5
#define SLOW_DOWN_STEP   5

/* Waits SECONDS, or less when CANCELLABLE fires. */
static gboolean
wait_seconds (guint          seconds,
              GCancellable  *cancellable,
              GError       **error)
{
  GPollFD fd = { -1, G_IO_IN, 0 };
  gboolean have_fd = cancellable != NULL && g_cancellable_make_pollfd (cancellable, &fd);

  if (have_fd)
    {
      g_poll (&fd, 1, (gint) seconds * 1000);
      g_cancellable_release_fd (cancellable);
    }
  else
    g_usleep ((gulong) seconds * G_USEC_PER_SEC);
  return !g_cancellable_set_error_if_cancelled (cancellable, error);
}

typedef struct {
  char   *device_code;
  guint   interval;
  gint64  deadline;     /* monotonic µs */
} DeviceCode;

static gboolean
request_code (PostierOAuthProvider    *provider,
              PostierOAuthDeviceFunc   show,
              gpointer                 user_data,
              DeviceCode              *code,
              GCancellable            *cancellable,
              GError                 **error)
{
  g_autoptr(JsonObject) answer = NULL;
  const char *uri, *uri_complete, *user_code;
  guint status = 0;
  gint64 expires_in;

  answer = postier_oauth_http_post_form (provider->device_endpoint, &status, cancellable, error,
                                         "client_id", provider->client_id,
                                         "client_secret", provider->client_secret,
                                         "scope", provider->scope,
                                         NULL);
  if (answer == NULL)
    return FALSE;
  if (status != 200)
    {
      _postier_oauth_set_token_error (error, provider, status, answer);
      return FALSE;
    }
  code->device_code = g_strdup (json_object_get_string_member_with_default (answer, "device_code", NULL));
  user_code = json_object_get_string_member_with_default (answer, "user_code", NULL);
  /* Google says verification_url, the RFC verification_uri. */
  uri = json_object_get_string_member_with_default (answer, "verification_uri",
          json_object_get_string_member_with_default (answer, "verification_url", NULL));
  uri_complete = json_object_get_string_member_with_default (answer, "verification_uri_complete", NULL);
  if (code->device_code == NULL || user_code == NULL || uri == NULL)
    {
      g_set_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_PROTOCOL,
                   _("%s answered the sign-in request without a code to show"), provider->title);
      return FALSE;
    }
  code->interval = (guint) CLAMP (json_object_get_int_member_with_default (answer, "interval", DEFAULT_INTERVAL),
                                  1, 60);
  expires_in = json_object_get_int_member_with_default (answer, "expires_in", 600);
  code->deadline = g_get_monotonic_time () + CLAMP (expires_in, 30, 3600) * G_USEC_PER_SEC;
  show (uri, uri_complete, user_code, user_data);
  return TRUE;
}

gboolean
postier_oauth_sign_in_device (PostierAccount          *account,
                              PostierOAuthDeviceFunc   show,
                              gpointer                 user_data,
                              GCancellable            *cancellable,
                              GError                 **error)
{
  g_autoptr(PostierOAuthProvider) provider = NULL;
  DeviceCode code = { NULL, DEFAULT_INTERVAL, 0 };
  gboolean ok = FALSE;

  g_return_val_if_fail (POSTIER_IS_ACCOUNT (account), FALSE);
  g_return_val_if_fail (show != NULL, FALSE);

  provider = postier_oauth_provider_for_account (account, cancellable, error);
  if (provider == NULL)
    return FALSE;
  if (provider->device_endpoint == NULL)
    {
      g_set_error (error, POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_INVALID,
                   _("%s offers no sign-in from a terminal (device authorization); "
                     "sign in with a browser instead (--browser)"), provider->title);
      return FALSE;
    }
  if (!request_code (provider, show, user_data, &code, cancellable, error))
    goto out;

  while (wait_seconds (code.interval, cancellable, error))
    {
      g_autoptr(JsonObject) answer = NULL;
      const char *what;
      guint status = 0;

      if (g_get_monotonic_time () > code.deadline)
        {
          g_set_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_AUTH,
                       _("The sign-in code expired before the sign-in was finished; try again"));
          break;
        }
      answer = postier_oauth_http_post_form (provider->token_endpoint, &status, cancellable, error,
                                             "grant_type", DEVICE_GRANT_TYPE,
                                             "device_code", code.device_code,
                                             "client_id", provider->client_id,
                                             "client_secret", provider->client_secret,
                                             NULL);
      if (answer == NULL)
        break;
      if (status == 200)
        {
          ok = _postier_oauth_keep_tokens (account, provider, answer, cancellable, error);
          break;
        }
      what = json_object_get_string_member_with_default (answer, "error", "");
      if (g_str_equal (what, "authorization_pending"))
        continue;
      if (g_str_equal (what, "slow_down"))
        {
          code.interval += SLOW_DOWN_STEP;
          continue;
        }
      if (g_str_equal (what, "expired_token"))
        g_set_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_AUTH,
                     _("The sign-in code expired before the sign-in was finished; try again"));
      else if (g_str_equal (what, "access_denied"))
        g_set_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_AUTH,
                     _("The sign-in at %s was refused"), provider->title);
      else
        _postier_oauth_set_token_error (error, provider, status, answer);
      break;
    }

out:
  g_free (code.device_code);
  return ok;
}
