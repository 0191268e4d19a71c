/* postier-server-finder.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-autoconfig"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "postier-autoconfig.h"
#include "postier-autoconfig-http.h"
#include "postier-error.h"
#include "postier-provider-presets.h"
#include "postier-server-finder.h"

typedef struct {
  char                    *address;
  char                    *domain;
  GCancellable            *cancellable;   /* ours, to stop the others once autoconfig answered */
  gulong                   caller_handler;
  GCancellable            *caller_cancellable;
  guint                    pending;
  PostierServerSuggestion *autoconfig;
  PostierServerSuggestion *srv;
  PostierServerSuggestion *mx;
  GError                  *autoconfig_error;
} Find;

static void
find_free (Find *find)
{
  if (find->caller_handler != 0)
    g_cancellable_disconnect (find->caller_cancellable, find->caller_handler);
  g_clear_object (&find->caller_cancellable);
  g_clear_object (&find->cancellable);
  g_clear_pointer (&find->autoconfig, postier_server_suggestion_free);
  g_clear_pointer (&find->srv, postier_server_suggestion_free);
  g_clear_pointer (&find->mx, postier_server_suggestion_free);
  g_clear_error (&find->autoconfig_error);
  g_free (find->address);
  g_free (find->domain);
  g_free (find);
}

static gboolean
autoconfig_error_is_telling (const GError *error)
{
  return error != NULL && error->domain != G_RESOLVER_ERROR &&
         !g_error_matches (error, POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_NOT_FOUND) &&
         !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* Called as each lookup ends. The autoconfig file, when there is one,
 * wins and stops the others; else the first in order of trust that found
 * something. The task returns only once every lookup has ended, so none
 * is left behind on the caller's main context. */
static void
find_settle (GTask *task)
{
  Find *find = g_task_get_task_data (task);
  PostierServerSuggestion **chosen = NULL;

  if (find->autoconfig != NULL)
    g_cancellable_cancel (find->cancellable);
  if (find->pending > 0)
    return;

  if (g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s", _("Cancelled"));
      return;
    }
  if (find->autoconfig != NULL)
    chosen = &find->autoconfig;
  else if (find->srv != NULL)
    chosen = &find->srv;
  else if (find->mx != NULL)
    chosen = &find->mx;

  if (chosen != NULL)
    g_task_return_pointer (task, g_steal_pointer (chosen), (GDestroyNotify) postier_server_suggestion_free);
  else if (autoconfig_error_is_telling (find->autoconfig_error))
    g_task_return_new_error (task, POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_NOT_FOUND,
                             _("Found no mail server for %s. Its mail settings file was refused: %s"),
                             find->domain, find->autoconfig_error->message);
  else
    g_task_return_new_error (task, POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_NOT_FOUND,
                             _("Found no mail server for %s: it publishes no mail settings"),
                             find->domain);
}

static void
autoconfig_done (G_GNUC_UNUSED GObject *source,
                 GAsyncResult          *result,
                 gpointer               user_data)
{
  g_autoptr(GTask) task = user_data;
  Find *find = g_task_get_task_data (task);
  g_autoptr(GPtrArray) found = postier_autoconfig_fetch_finish (result, &find->autoconfig_error);

  /* The file's own order of preference. */
  if (found != NULL)
    find->autoconfig = g_ptr_array_steal_index (found, 0);
  find->pending--;
  find_settle (task);
}

static void
srv_done (G_GNUC_UNUSED GObject *source,
          GAsyncResult          *result,
          gpointer               user_data)
{
  g_autoptr(GTask) task = user_data;
  Find *find = g_task_get_task_data (task);
  g_autoptr(PostierServerSuggestion) suggestion = postier_server_suggestion_new ();
  g_autoptr(GError) error = NULL;

  if (postier_autoconfig_lookup_finish (result, &suggestion->host, &suggestion->port,
                                        &suggestion->security, &error))
    {
      suggestion->source = POSTIER_SERVER_SOURCE_SRV;
      suggestion->found_at = g_strdup_printf ("_submission(s)._tcp.%s", find->domain);
      suggestion->may_fill = postier_autoconfig_may_fill_host (suggestion->host, find->domain);
      find->srv = g_steal_pointer (&suggestion);
    }
  find->pending--;
  find_settle (task);
}

static void
mx_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Find *find = g_task_get_task_data (task);
  GList *records = g_resolver_lookup_records_finish (G_RESOLVER (source), result, NULL);
  const char *best = NULL;
  guint16 best_preference = G_MAXUINT16;

  for (GList *l = records; l != NULL; l = l->next)
    {
      guint16 preference;
      const char *host;

      g_variant_get (l->data, "(q&s)", &preference, &host);
      if (best == NULL || preference < best_preference)
        {
          best = host;
          best_preference = preference;
        }
    }
  if (best != NULL)
    find->mx = postier_provider_preset_for_mx (best, find->address);
  g_list_free_full (records, (GDestroyNotify) g_variant_unref);
  find->pending--;
  find_settle (task);
}

static void
caller_cancelled (G_GNUC_UNUSED GCancellable *cancellable,
                  gpointer                    user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
}

void
postier_server_find_async (GResolver           *resolver,
                           const char          *address,
                           guint                timeout_ms,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GResolver) default_resolver = NULL;
  g_autofree char *domain = postier_autoconfig_domain_of_address (address);
  g_autofree char *mailbox = NULL;
  PostierServerSuggestion *preset;
  Find *find;

  g_return_if_fail (resolver == NULL || G_IS_RESOLVER (resolver));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, postier_server_find_async);
  g_task_set_check_cancellable (task, FALSE);

  if (domain == NULL || !postier_parse_identity (address, NULL, &mailbox, NULL))
    {
      g_task_return_new_error (task, POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_INVALID,
                               _("Enter your email address first: its domain says where to look."));
      return;
    }
  preset = postier_provider_preset_for_domain (domain, mailbox);
  if (preset != NULL)
    {
      g_task_return_pointer (task, preset, (GDestroyNotify) postier_server_suggestion_free);
      return;
    }

  find = g_new0 (Find, 1);
  find->address = g_steal_pointer (&mailbox);
  find->domain = g_steal_pointer (&domain);
  find->cancellable = g_cancellable_new ();
  g_task_set_task_data (task, find, (GDestroyNotify) find_free);
  if (cancellable != NULL)
    {
      find->caller_cancellable = g_object_ref (cancellable);
      find->caller_handler = g_cancellable_connect (cancellable, G_CALLBACK (caller_cancelled),
                                                    find->cancellable, NULL);
    }
  if (resolver == NULL)
    resolver = default_resolver = g_resolver_get_default ();

  find->pending = 2;
  postier_autoconfig_fetch_async (find->address, timeout_ms, find->cancellable,
                                  autoconfig_done, g_object_ref (task));
  postier_autoconfig_lookup_async (resolver, find->domain, find->cancellable,
                                   srv_done, g_object_ref (task));
  /* A resolver made for tests may answer SRV only. */
  if (G_RESOLVER_GET_CLASS (resolver)->lookup_records_async != NULL)
    {
      find->pending++;
      g_resolver_lookup_records_async (resolver, find->domain, G_RESOLVER_RECORD_MX,
                                       find->cancellable, mx_done, g_object_ref (task));
    }
}

PostierServerSuggestion *
postier_server_find_finish (GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
sync_done (G_GNUC_UNUSED GObject *source,
           GAsyncResult          *result,
           gpointer               user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

PostierServerSuggestion *
postier_server_find_sync (const char    *address,
                          GCancellable  *cancellable,
                          GError       **error)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GAsyncResult) result = NULL;
  PostierServerSuggestion *found;

  g_main_context_push_thread_default (context);
  postier_server_find_async (NULL, address, 0, cancellable, sync_done, &result);
  while (result == NULL)
    g_main_context_iteration (context, TRUE);
  found = postier_server_find_finish (result, error);
  g_main_context_pop_thread_default (context);
  return found;
}
