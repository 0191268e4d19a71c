/* postier-autoconfig.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-autoconfig"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "postier-autoconfig.h"
#include "postier-init.h"
#include "postier-error.h"
#include "postier-gmime.h"

char *
postier_autoconfig_domain_of_address (const char *address)
{
  g_autofree char *mailbox = NULL;
  const char *at;

  if (address == NULL)
    return NULL;
  if (!postier_parse_identity (address, NULL, &mailbox, NULL))
    return NULL;

  at = strrchr (mailbox, '@');
  if (at == NULL || at[1] == '\0')
    return NULL;
  return g_ascii_strdown (at + 1, -1);
}

char *
postier_autoconfig_format_identity (const char *display_name,
                                    const char *address)
{
  g_autoptr(InternetAddress) mailbox = NULL;
  g_autofree char *name = g_strstrip (g_strdup (display_name != NULL ? display_name : ""));
  g_autofree char *addr = g_strstrip (g_strdup (address != NULL ? address : ""));

  if (*name == '\0')
    return g_steal_pointer (&addr);

  postier_core_init ();
  mailbox = internet_address_mailbox_new (name, addr);
  /* Unencoded: the identity is stored and shown as UTF-8; the MIME
   * builder encodes it when it writes the From header. */
  return internet_address_to_string (mailbox, NULL, FALSE);
}

gboolean
postier_autoconfig_security_for_port (guint            port,
                                      PostierSecurity *security)
{
  switch (port)
    {
    case 465:
      *security = POSTIER_SECURITY_TLS;
      return TRUE;
    case 587:
      *security = POSTIER_SECURITY_STARTTLS;
      return TRUE;
    default:
      return FALSE;
    }
}

/* Without the root's trailing dot, which DNS answers often carry. */
static char *
normalise_name (const char *name)
{
  char *copy = g_ascii_strdown (name, -1);
  gsize length = strlen (copy);

  if (length > 0 && copy[length - 1] == '.')
    copy[length - 1] = '\0';
  return copy;
}

gboolean
postier_autoconfig_host_in_domain (const char *host,
                                   const char *domain)
{
  g_autofree char *h = NULL;
  g_autofree char *d = NULL;
  gsize host_length, domain_length;

  if (host == NULL || domain == NULL || *domain == '\0')
    return FALSE;

  h = normalise_name (host);
  d = normalise_name (domain);
  if (*d == '\0')
    return FALSE;
  if (g_str_equal (h, d))
    return TRUE;

  host_length = strlen (h);
  domain_length = strlen (d);
  return host_length > domain_length + 1 &&
         h[host_length - domain_length - 1] == '.' &&
         g_str_equal (h + host_length - domain_length, d);
}

gboolean
postier_autoconfig_may_fill_host (const char *host,
                                  const char *domain)
{
  if (host == NULL || !postier_autoconfig_host_in_domain (host, domain))
    return FALSE;
  /* A DNS name may hold any byte; a host name we fill in may not. */
  for (const char *p = host; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '.' && !((guchar) *p & 0x80))
      return FALSE;
  return g_utf8_validate (host, -1, NULL);
}

static gboolean
target_is_usable (GSrvTarget *target)
{
  const char *hostname = g_srv_target_get_hostname (target);

  return hostname != NULL && *hostname != '\0' && !g_str_equal (hostname, ".") &&
         g_srv_target_get_port (target) != 0;
}

static GSrvTarget *
first_usable (GList *targets)
{
  for (GList *l = targets; l != NULL; l = l->next)
    if (target_is_usable (l->data))
      return l->data;
  return NULL;
}

gboolean
postier_autoconfig_choose (GList            *submissions,
                           GList            *submission,
                           char            **host,
                           guint            *port,
                           PostierSecurity  *security)
{
  GSrvTarget *implicit = first_usable (submissions);
  GSrvTarget *upgrade = first_usable (submission);
  GSrvTarget *chosen;

  if (implicit != NULL && upgrade != NULL)
    chosen = g_srv_target_get_priority (upgrade) < g_srv_target_get_priority (implicit)
             ? upgrade : implicit;
  else
    chosen = implicit != NULL ? implicit : upgrade;

  if (chosen == NULL)
    return FALSE;

  if (host != NULL)
    *host = normalise_name (g_srv_target_get_hostname (chosen));
  if (port != NULL)
    *port = g_srv_target_get_port (chosen);
  if (security != NULL)
    *security = chosen == implicit ? POSTIER_SECURITY_TLS : POSTIER_SECURITY_STARTTLS;
  return TRUE;
}

/* --- The lookup ---------------------------------------------------------- */

typedef struct {
  char   *domain;
  GList  *submissions;
  GList  *submission;
  guint   pending;
  GError *cancelled;
} Lookup;

typedef struct {
  char            *host;
  guint            port;
  PostierSecurity  security;
} Found;

static void
lookup_free (Lookup *lookup)
{
  g_free (lookup->domain);
  g_list_free_full (lookup->submissions, (GDestroyNotify) g_srv_target_free);
  g_list_free_full (lookup->submission, (GDestroyNotify) g_srv_target_free);
  g_clear_error (&lookup->cancelled);
  g_free (lookup);
}

static void
found_free (Found *found)
{
  g_free (found->host);
  g_free (found);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Found, found_free)

static void
lookup_settle (GTask *task)
{
  Lookup *lookup = g_task_get_task_data (task);
  g_autoptr(Found) found = NULL;

  if (lookup->cancelled != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&lookup->cancelled));
      return;
    }

  found = g_new0 (Found, 1);
  if (!postier_autoconfig_choose (lookup->submissions, lookup->submission,
                                  &found->host, &found->port, &found->security))
    {
      g_task_return_new_error (task, POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_NOT_FOUND,
                               _("The domain “%s” publishes no mail submission server"),
                               lookup->domain);
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&found), (GDestroyNotify) found_free);
}


static void
service_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data,
              gboolean      implicit_tls)
{
  g_autoptr(GTask) task = user_data;
  Lookup *lookup = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  GList *targets;

  targets = g_resolver_lookup_service_finish (G_RESOLVER (source), result, &error);
  if (implicit_tls)
    lookup->submissions = targets;
  else
    lookup->submission = targets;

  /* A missing record is an ordinary answer; only a cancel stops us. */
  if (error != NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && lookup->cancelled == NULL)
        lookup->cancelled = g_steal_pointer (&error);
      else
        g_debug ("SRV lookup for %s (%s): %s", lookup->domain,
                 implicit_tls ? "submissions" : "submission", error->message);
    }

  if (--lookup->pending == 0)
    lookup_settle (task);
}

static void
submissions_done (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  service_done (source, result, user_data, TRUE);
}

static void
submission_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  service_done (source, result, user_data, FALSE);
}

void
postier_autoconfig_lookup_async (GResolver           *resolver,
                                 const char          *domain,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GResolver) default_resolver = NULL;
  g_autoptr(GTask) task = NULL;
  Lookup *lookup;

  g_return_if_fail (resolver == NULL || G_IS_RESOLVER (resolver));
  g_return_if_fail (domain != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, postier_autoconfig_lookup_async);

  lookup = g_new0 (Lookup, 1);
  lookup->domain = g_strdup (domain);
  lookup->pending = 2;
  g_task_set_task_data (task, lookup, (GDestroyNotify) lookup_free);

  if (resolver == NULL)
    resolver = default_resolver = g_resolver_get_default ();

  g_resolver_lookup_service_async (resolver, "submissions", "tcp", domain, cancellable,
                                   submissions_done, g_object_ref (task));
  g_resolver_lookup_service_async (resolver, "submission", "tcp", domain, cancellable,
                                   submission_done, g_object_ref (task));
}

gboolean
postier_autoconfig_lookup_finish (GAsyncResult     *result,
                                  char            **host,
                                  guint            *port,
                                  PostierSecurity  *security,
                                  GError          **error)
{
  g_autoptr(Found) found = NULL;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  found = g_task_propagate_pointer (G_TASK (result), error);
  if (found == NULL)
    return FALSE;

  if (host != NULL)
    *host = g_steal_pointer (&found->host);
  if (port != NULL)
    *port = found->port;
  if (security != NULL)
    *security = found->security;
  return TRUE;
}
