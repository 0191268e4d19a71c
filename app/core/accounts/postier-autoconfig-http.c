/* postier-autoconfig-http.c — fetching config-v1.1.xml over HTTPS
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-autoconfig"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>

#include "postier-autoconfig.h"
#include "postier-autoconfig-http.h"
#include "postier-error.h"

#define MAX_REDIRECTS 3
#define READ_CHUNK    16384

GStrv
postier_autoconfig_urls (const char *address)
{
  g_autofree char *domain = postier_autoconfig_domain_of_address (address);
  g_autofree char *query = NULL;
  g_autofree char *mailbox = NULL;
  g_autofree char *ascii = NULL;
  GStrv urls;

  if (domain == NULL || !postier_parse_identity (address, NULL, &mailbox, NULL))
    return NULL;
  /* The domain becomes part of a URL: a plain (IDNA) host name only. */
  ascii = g_hostname_to_ascii (domain);
  if (ascii == NULL || *ascii == '\0' || *ascii == '.' || *ascii == '-')
    return NULL;
  for (const char *p = ascii; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '.')
      return NULL;
  query = g_uri_escape_string (mailbox, NULL, FALSE);
  urls = g_new0 (char *, 3);
  urls[0] = g_strdup_printf ("https://autoconfig.%s/mail/config-v1.1.xml?emailaddress=%s", ascii, query);
  urls[1] = g_strdup_printf ("https://%s/.well-known/autoconfig/mail/config-v1.1.xml", ascii);
  return urls;
}

typedef struct {
  SoupSession  *session;
  char         *address;
  char         *domain;
  GStrv         urls;
  guint         next_url;
  guint         redirects;
  char         *url;           /* being fetched */
  GCancellable *cancellable;   /* ours: the caller's cancel and the time limit */
  GCancellable *caller_cancellable;
  gulong        caller_handler;
  GSource      *timeout;       /* the time limit */
  guint         timeout_ms;
  gboolean      timed_out;
  GInputStream *body_stream;
  GByteArray   *body;
  GError       *error;         /* the most telling failure so far */
} Fetch;

static void
fetch_free (Fetch *fetch)
{
  if (fetch->timeout != NULL)
    g_source_destroy (fetch->timeout);
  g_clear_pointer (&fetch->timeout, g_source_unref);
  if (fetch->caller_handler != 0)
    g_cancellable_disconnect (fetch->caller_cancellable, fetch->caller_handler);
  g_clear_object (&fetch->caller_cancellable);
  g_clear_object (&fetch->cancellable);
  g_clear_object (&fetch->session);
  g_clear_object (&fetch->body_stream);
  g_clear_pointer (&fetch->body, g_byte_array_unref);
  g_clear_error (&fetch->error);
  g_strfreev (fetch->urls);
  g_free (fetch->url);
  g_free (fetch->address);
  g_free (fetch->domain);
  g_free (fetch);
}

/* "No such host" and "no such file" are what most domains answer; keep
 * anything more telling (a bad certificate, a refused redirect, bad XML). */
static gboolean
error_is_ordinary (const GError *error)
{
  return error->domain == G_RESOLVER_ERROR ||
         g_error_matches (error, POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_NOT_FOUND) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_NOT_FOUND);
}

static void
note_error (Fetch  *fetch,
            GError *error)
{
  g_debug ("autoconfig %s: %s", fetch->url, error->message);
  if (fetch->error == NULL || (error_is_ordinary (fetch->error) && !error_is_ordinary (error)))
    {
      g_clear_error (&fetch->error);
      fetch->error = error;
    }
  else
    g_error_free (error);
}

static void try_next_url (GTask *task);
static void fetch_url (GTask *task);

/* Stops on the caller's cancel or the time limit, else tries the next URL. */
static void
url_failed (GTask  *task,
            GError *error)
{
  Fetch *fetch = g_task_get_task_data (task);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_error_free (error);
      if (fetch->timed_out)
        g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                                 _("The mail settings of %s did not arrive within %u seconds"),
                                 fetch->domain, MAX (1, fetch->timeout_ms / 1000));
      else
        g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s", _("Cancelled"));
      return;
    }
  /* libsoup's and GnuTLS's words do not say which address they are about. */
  if (error->domain != POSTIER_ACCOUNT_ERROR)
    g_prefix_error (&error, "%s: ", fetch->url);
  note_error (fetch, error);
  try_next_url (task);
}

static void
body_parsed (GTask *task)
{
  Fetch *fetch = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr(GPtrArray) found = NULL;

  found = postier_autoconfig_parse_xml ((const char *) fetch->body->data, fetch->body->len,
                                        fetch->address, &error);
  if (found == NULL)
    {
      g_prefix_error (&error, "%s: ", fetch->url);
      url_failed (task, error);
      return;
    }
  for (guint i = 0; i < found->len; i++)
    {
      PostierServerSuggestion *suggestion = g_ptr_array_index (found, i);

      suggestion->source = POSTIER_SERVER_SOURCE_AUTOCONFIG;
      suggestion->found_at = g_strdup (fetch->url);
      suggestion->may_fill = postier_autoconfig_may_fill_host (suggestion->host, fetch->domain);
    }
  g_task_return_pointer (task, g_steal_pointer (&found), (GDestroyNotify) g_ptr_array_unref);
}

static void
chunk_read (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Fetch *fetch = g_task_get_task_data (task);
  g_autoptr(GBytes) chunk = NULL;
  GError *error = NULL;

  chunk = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);
  if (chunk == NULL)
    {
      url_failed (task, error);
      return;
    }
  if (g_bytes_get_size (chunk) == 0)
    {
      g_clear_object (&fetch->body_stream);
      body_parsed (task);
      return;
    }
  if (fetch->body->len + g_bytes_get_size (chunk) > POSTIER_AUTOCONFIG_HTTP_MAX_BYTES)
    {
      g_clear_object (&fetch->body_stream);
      url_failed (task, g_error_new (POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_INVALID,
                                     _("The mail settings file at %s is larger than %u KiB"),
                                     fetch->url, POSTIER_AUTOCONFIG_HTTP_MAX_BYTES / 1024));
      return;
    }
  g_byte_array_append (fetch->body, g_bytes_get_data (chunk, NULL), g_bytes_get_size (chunk));
  g_input_stream_read_bytes_async (fetch->body_stream, READ_CHUNK, G_PRIORITY_DEFAULT,
                                   fetch->cancellable, chunk_read, g_steal_pointer (&task));
}

/* A redirect is followed only to another https: URL: a config file from
 * plain HTTP could be anybody's. */
static gboolean
follow_redirect (GTask       *task,
                 SoupMessage *message)
{
  Fetch *fetch = g_task_get_task_data (task);
  const char *location = soup_message_headers_get_one (soup_message_get_response_headers (message),
                                                       "Location");
  g_autoptr(GUri) target = NULL;

  if (location != NULL)
    target = g_uri_parse_relative (soup_message_get_uri (message), location, SOUP_HTTP_URI_FLAGS, NULL);
  if (target == NULL || g_ascii_strcasecmp (g_uri_get_scheme (target), "https") != 0)
    {
      url_failed (task, g_error_new (POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_INVALID,
                                     _("%s redirects to an address that is not HTTPS (%s): refused"),
                                     fetch->url, location != NULL ? location : "?"));
      return TRUE;
    }
  if (++fetch->redirects > MAX_REDIRECTS)
    return FALSE;
  g_free (fetch->url);
  fetch->url = g_uri_to_string (target);
  fetch_url (task);
  return TRUE;
}

static void
sent (GObject      *source,
      GAsyncResult *result,
      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Fetch *fetch = g_task_get_task_data (task);
  SoupMessage *message = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr(GInputStream) stream = NULL;
  GError *error = NULL;
  guint status;
  goffset length;

  stream = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  if (stream == NULL)
    {
      url_failed (task, error);
      return;
    }

  status = soup_message_get_status (message);
  if (SOUP_STATUS_IS_REDIRECTION (status) && follow_redirect (task, message))
    return;
  if (status != SOUP_STATUS_OK)
    {
      url_failed (task, g_error_new (POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_NOT_FOUND,
                                     _("%s answered %u %s"), fetch->url, status,
                                     soup_message_get_reason_phrase (message)));
      return;
    }
  length = soup_message_headers_get_content_length (soup_message_get_response_headers (message));
  if (length > POSTIER_AUTOCONFIG_HTTP_MAX_BYTES)
    {
      url_failed (task, g_error_new (POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_INVALID,
                                     _("The mail settings file at %s is larger than %u KiB"),
                                     fetch->url, POSTIER_AUTOCONFIG_HTTP_MAX_BYTES / 1024));
      return;
    }

  fetch->body_stream = g_steal_pointer (&stream);
  g_byte_array_set_size (fetch->body, 0);
  g_input_stream_read_bytes_async (fetch->body_stream, READ_CHUNK, G_PRIORITY_DEFAULT,
                                   fetch->cancellable, chunk_read, g_steal_pointer (&task));
}

static void
fetch_url (GTask *task)
{
  Fetch *fetch = g_task_get_task_data (task);
  g_autoptr(SoupMessage) message = soup_message_new (SOUP_METHOD_GET, fetch->url);

  if (message == NULL)
    {
      url_failed (task, g_error_new (POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_INVALID,
                                     _("“%s” is not a valid address"), fetch->url));
      return;
    }
  /* Redirects are judged here, not followed blindly by libsoup. */
  soup_message_add_flags (message, SOUP_MESSAGE_NO_REDIRECT);
  soup_session_send_async (fetch->session, message, G_PRIORITY_DEFAULT, fetch->cancellable,
                           sent, g_object_ref (task));
}

static void
try_next_url (GTask *task)
{
  Fetch *fetch = g_task_get_task_data (task);

  if (fetch->urls[fetch->next_url] == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&fetch->error));
      return;
    }
  g_free (fetch->url);
  fetch->url = g_strdup (fetch->urls[fetch->next_url++]);
  fetch->redirects = 0;
  fetch_url (task);
}

static gboolean
time_limit_reached (gpointer user_data)
{
  Fetch *fetch = user_data;

  fetch->timed_out = TRUE;
  g_cancellable_cancel (fetch->cancellable);
  return G_SOURCE_REMOVE;
}

static void
caller_cancelled (G_GNUC_UNUSED GCancellable *cancellable,
                  gpointer                    user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
}

void
postier_autoconfig_fetch_async (const char          *address,
                                guint                timeout_ms,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_auto(GStrv) urls = NULL;
  Fetch *fetch;

  g_return_if_fail (address != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, postier_autoconfig_fetch_async);
  g_task_set_check_cancellable (task, FALSE);

  urls = postier_autoconfig_urls (address);
  if (urls == NULL)
    {
      g_task_return_new_error (task, POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_INVALID,
                               _("“%s” is not an email address"), address);
      return;
    }

  fetch = g_new0 (Fetch, 1);
  fetch->domain = postier_autoconfig_domain_of_address (address);
  postier_parse_identity (address, NULL, &fetch->address, NULL);
  fetch->timeout_ms = timeout_ms != 0 ? timeout_ms : POSTIER_AUTOCONFIG_HTTP_TIMEOUT_MS;
  fetch->urls = g_steal_pointer (&urls);
  fetch->body = g_byte_array_new ();
  fetch->cancellable = g_cancellable_new ();
  /* The system trust store checks the certificate (libsoup's default);
   * no proxy settings are touched. */
  fetch->session = soup_session_new_with_options ("user-agent", "Postier/" PACKAGE_VERSION,
                                                  "timeout", 0, NULL);
  g_task_set_task_data (task, fetch, (GDestroyNotify) fetch_free);

  if (cancellable != NULL)
    {
      fetch->caller_cancellable = g_object_ref (cancellable);
      fetch->caller_handler = g_cancellable_connect (cancellable, G_CALLBACK (caller_cancelled),
                                                     fetch->cancellable, NULL);
    }
  /* On the caller's context, where the task's callbacks run. */
  fetch->timeout = g_timeout_source_new (fetch->timeout_ms);
  g_source_set_callback (fetch->timeout, time_limit_reached, fetch, NULL);
  g_source_attach (fetch->timeout, g_main_context_get_thread_default ());
  try_next_url (task);
}

GPtrArray *
postier_autoconfig_fetch_finish (GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
