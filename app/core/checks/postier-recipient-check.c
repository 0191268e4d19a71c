/* postier-recipient-check.c — MX, then the address fallback, for one
 * recipient domain, remembered for a few minutes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "postier-dns.h"
#include "postier-recipient-cache.h"
#include "postier-recipient-check.h"

/* A verdict is kept for its DNS answer's TTL, within these bounds (a
 * resolver that gives no TTL: the default). Typing the same address twice,
 * the composer re-checking on every keystroke, or a script sending a
 * thousand messages asks the DNS once. */
#define CACHE_SECONDS_DEFAULT 300
#define CACHE_SECONDS_MIN 30
#define CACHE_SECONDS_MAX 3600

void
postier_recipient_domain_check_free (PostierRecipientDomainCheck *check)
{
  if (check == NULL)
    return;
  g_free (check->domain);
  g_free (check->suggestion);
  g_free (check->warning);
  g_free (check);
}

/* Optimal string alignment distance, capped: anything over LIMIT is
 * LIMIT + 1. Domains are short, so the plain table is fine. */
static guint
edit_distance (const char *a,
               const char *b,
               guint       limit)
{
  gsize la = strlen (a), lb = strlen (b);
  g_autofree guint *d = NULL;

  if ((la > lb ? la - lb : lb - la) > limit)
    return limit + 1;
  d = g_new0 (guint, (la + 1) * (lb + 1));
#define D(i, j) d[(i) * (lb + 1) + (j)]
  for (gsize i = 0; i <= la; i++)
    D (i, 0) = i;
  for (gsize j = 0; j <= lb; j++)
    D (0, j) = j;
  for (gsize i = 1; i <= la; i++)
    for (gsize j = 1; j <= lb; j++)
      {
        guint cost = a[i - 1] == b[j - 1] ? 0 : 1;
        guint best = MIN (MIN (D (i - 1, j) + 1, D (i, j - 1) + 1), D (i - 1, j - 1) + cost);

        if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
          best = MIN (best, D (i - 2, j - 2) + 1);
        D (i, j) = best;
      }
  return MIN (D (la, lb), limit + 1);
#undef D
}

char *
postier_recipient_domain_suggest (const char         *domain,
                                  const char * const *known_domains)
{
  const char *best = NULL;
  guint best_distance = 3;

  g_return_val_if_fail (domain != NULL, NULL);
  for (guint i = 0; known_domains != NULL && known_domains[i] != NULL; i++)
    {
      guint distance;

      if (g_ascii_strcasecmp (known_domains[i], domain) == 0)
        return NULL;  /* written to before as it is: no typo to suggest */
      distance = edit_distance (domain, known_domains[i], 2);
      /* Ties go to the earlier, more used domain. */
      if (distance < best_distance)
        {
          best = known_domains[i];
          best_distance = distance;
        }
    }
  return g_strdup (best);
}

/* The domain's own address through the system's resolver (so /etc/hosts
 * and the rest of nsswitch count, as they do for the relay). */
static PostierRecipientDomainStatus
look_up_address (const char                   *domain,
                 PostierRecipientDomainStatus  if_none,
                 GCancellable                 *cancellable)
{
  g_autoptr(GResolver) resolver = g_resolver_get_default ();
  g_autoptr(GError) error = NULL;
  GList *addresses = g_resolver_lookup_by_name (resolver, domain, cancellable, &error);

  if (addresses != NULL)
    {
      g_resolver_free_addresses (addresses);
      return POSTIER_RECIPIENT_DOMAIN_OK;
    }
  if (g_error_matches (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND))
    return if_none;
  return POSTIER_RECIPIENT_DOMAIN_NOT_CHECKED;
}

/* The names RFC 2606 reserves for documentation and examples
 * (example.com, .net, .org and the .example TLD) and those it makes
 * invalid on purpose (.invalid, .localhost). Nobody writes them by
 * mistake for a real domain, and whether they take mail depends on where
 * one asks (example.com publishes a null MX on the Internet, a sandbox's
 * resolver may say it does not exist): a warning would only be noise, and
 * the many scripts and tests that send to them would see it come and go
 * with the network. RFC 6761 asks software not to treat example names
 * specially; this only leaves a warning out, it changes no delivery. */
static gboolean
is_reserved_name (const char *domain)
{
  static const char * const names[] = { "example.com", "example.net", "example.org" };
  static const char * const tlds[] = { ".example", ".invalid", ".localhost" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_str_equal (domain, names[i]) || (g_str_has_suffix (domain, names[i]) &&
                                           domain[strlen (domain) - strlen (names[i]) - 1] == '.'))
      return TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (tlds); i++)
    if (g_str_has_suffix (domain, tlds[i]))
      return TRUE;
  return FALSE;
}

/* *TTL gets the MX answer's (or, for NXDOMAIN, the negative answer's)
 * lifetime; 0 when the resolver did not say. */
static PostierRecipientDomainStatus
look_up (const char   *domain,
         guint        *ttl,
         GCancellable *cancellable)
{
  g_autoptr(PostierDnsAnswer) mx = NULL;

  /* "localhost", an intranet's single label, an address literal: the DNS
   * has nothing to say about them. */
  if (strchr (domain, '.') == NULL || domain[0] == '[' || is_reserved_name (domain))
    return POSTIER_RECIPIENT_DOMAIN_NOT_CHECKED;

  mx = postier_dns_lookup (domain, POSTIER_DNS_MX);
  *ttl = mx->ttl;
  switch (mx->status)
    {
    case POSTIER_DNS_FOUND:
      if (g_strv_length (mx->records) == 1 && g_str_equal (mx->records[0], "."))
        return POSTIER_RECIPIENT_DOMAIN_NULL_MX;
      return POSTIER_RECIPIENT_DOMAIN_OK;
    case POSTIER_DNS_UNAVAILABLE:
      return POSTIER_RECIPIENT_DOMAIN_NOT_CHECKED;
    case POSTIER_DNS_NO_DOMAIN:
      return look_up_address (domain, POSTIER_RECIPIENT_DOMAIN_NO_DOMAIN, cancellable);
    default:
      /* No MX: RFC 5321 section 5.1 delivers to the domain's own address. */
      return look_up_address (domain, POSTIER_RECIPIENT_DOMAIN_NO_MAIL_SERVER, cancellable);
    }
}

static char *
warning_for (PostierRecipientDomainStatus  status,
             const char                   *domain,
             const char                   *suggestion)
{
  g_autofree char *sentence = NULL;

  switch (status)
    {
    case POSTIER_RECIPIENT_DOMAIN_NO_DOMAIN:
      sentence = g_strdup_printf (_("%s does not exist"), domain);
      break;
    case POSTIER_RECIPIENT_DOMAIN_NO_MAIL_SERVER:
      sentence = g_strdup_printf (_("%s has no mail server"), domain);
      break;
    case POSTIER_RECIPIENT_DOMAIN_NULL_MX:
      sentence = g_strdup_printf (_("%s accepts no mail (null MX): this recipient will bounce"), domain);
      break;
    default:
      return NULL;
    }
  if (suggestion != NULL)
    /* TRANSLATORS: "example.con has no mail server — did you mean example.com?" */
    return g_strdup_printf (_("%s — did you mean %s?"), sentence, suggestion);
  return g_steal_pointer (&sentence);
}

typedef struct {
  PostierRecipientDomainStatus status;
  gint64                       expires;
} CachedStatus;

static GMutex      cache_lock;
static GHashTable *cache;  /* lower-case domain → CachedStatus */

static gboolean
cached_status (const char                   *domain,
               PostierRecipientDomainStatus *status)
{
  CachedStatus *cached;
  gboolean found = FALSE;

  g_mutex_lock (&cache_lock);
  cached = cache != NULL ? g_hash_table_lookup (cache, domain) : NULL;
  if (cached != NULL && cached->expires > g_get_monotonic_time ())
    {
      *status = cached->status;
      found = TRUE;
    }
  g_mutex_unlock (&cache_lock);
  return found;
}

static void
cache_status (const char                   *domain,
              PostierRecipientDomainStatus  status,
              guint                         ttl)
{
  CachedStatus *cached = g_new0 (CachedStatus, 1);

  cached->status = status;
  cached->expires = g_get_monotonic_time () + (gint64) ttl * G_USEC_PER_SEC;
  g_mutex_lock (&cache_lock);
  if (cache == NULL)
    cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_replace (cache, g_strdup (domain), cached);
  g_mutex_unlock (&cache_lock);
}

/* The words of the shared cache file, by status; NOT_CHECKED is never
 * stored. */
static const char * const status_words[] = {
  [POSTIER_RECIPIENT_DOMAIN_OK] = "ok",
  [POSTIER_RECIPIENT_DOMAIN_NO_DOMAIN] = "no-domain",
  [POSTIER_RECIPIENT_DOMAIN_NO_MAIL_SERVER] = "no-mail-server",
  [POSTIER_RECIPIENT_DOMAIN_NULL_MX] = "null-mx",
  [POSTIER_RECIPIENT_DOMAIN_NOT_CHECKED] = NULL,
};

/* What another process (or this one, earlier) learnt, from the file. */
static gboolean
shared_status (const char                   *domain,
               PostierRecipientDomainStatus *status)
{
  g_autofree char *word = postier_recipient_cache_lookup (domain);

  for (guint i = 0; word != NULL && i < G_N_ELEMENTS (status_words); i++)
    if (status_words[i] != NULL && g_str_equal (status_words[i], word))
      {
        *status = (PostierRecipientDomainStatus) i;
        return TRUE;
      }
  return FALSE;
}

PostierRecipientDomainCheck *
postier_recipient_domain_check (const char         *domain,
                                const char * const *known_domains,
                                GCancellable       *cancellable)
{
  PostierRecipientDomainCheck *check = g_new0 (PostierRecipientDomainCheck, 1);

  g_return_val_if_fail (domain != NULL, check);

  check->domain = g_ascii_strdown (domain, -1);
  if (!cached_status (check->domain, &check->status) &&
      !shared_status (check->domain, &check->status))
    {
      guint ttl = 0;

      check->status = g_cancellable_is_cancelled (cancellable)
                      ? POSTIER_RECIPIENT_DOMAIN_NOT_CHECKED : look_up (check->domain, &ttl, cancellable);
      if (check->status != POSTIER_RECIPIENT_DOMAIN_NOT_CHECKED)
        {
          ttl = ttl == 0 ? CACHE_SECONDS_DEFAULT : CLAMP (ttl, CACHE_SECONDS_MIN, CACHE_SECONDS_MAX);
          cache_status (check->domain, check->status, ttl);
          postier_recipient_cache_store (check->domain, status_words[check->status], ttl);
        }
    }
  if (check->status != POSTIER_RECIPIENT_DOMAIN_OK && check->status != POSTIER_RECIPIENT_DOMAIN_NOT_CHECKED)
    {
      check->suggestion = postier_recipient_domain_suggest (check->domain, known_domains);
      check->warning = warning_for (check->status, check->domain, check->suggestion);
    }
  return check;
}

typedef struct {
  char  *domain;
  char **known_domains;
} CheckRequest;

static void
check_request_free (CheckRequest *request)
{
  g_free (request->domain);
  g_strfreev (request->known_domains);
  g_free (request);
}

static void
check_thread (GTask         *task,
              G_GNUC_UNUSED gpointer source,
              gpointer       task_data,
              GCancellable  *cancellable)
{
  CheckRequest *request = task_data;

  g_task_return_pointer (task,
                         postier_recipient_domain_check (request->domain,
                                                         (const char * const *) request->known_domains,
                                                         cancellable),
                         (GDestroyNotify) postier_recipient_domain_check_free);
}

void
postier_recipient_domain_check_async (const char          *domain,
                                      const char * const  *known_domains,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  CheckRequest *request = g_new0 (CheckRequest, 1);

  request->domain = g_strdup (domain);
  request->known_domains = g_strdupv ((char **) known_domains);
  g_task_set_source_tag (task, postier_recipient_domain_check_async);
  g_task_set_task_data (task, request, (GDestroyNotify) check_request_free);
  g_task_set_return_on_cancel (task, TRUE);
  g_task_run_in_thread (task, check_thread);
}

PostierRecipientDomainCheck *
postier_recipient_domain_check_finish (GAsyncResult  *result,
                                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
