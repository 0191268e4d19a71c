/* postier-sender-check.c — the sender-domain report: the relay's
 * addresses, the findings in order, one verdict, and a cache
 *
 * The cache keeps a report for the smallest TTL of the records it read
 * (between one minute and one hour; five minutes when the resolver gave no
 * TTL), so the account editor, the Sandbox view and the command line can
 * ask as often as they like. A report that could not be checked is never
 * cached: the next question tries again.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "postier-autoconfig.h"
#include "postier-sender-check-private.h"

#define CACHE_MIN_SECONDS      60
#define CACHE_MAX_SECONDS      3600
#define CACHE_DEFAULT_SECONDS  300

static void
finding_free (PostierDomainFinding *finding)
{
  g_free (finding->summary);
  g_free (finding->record);
  g_free (finding->result);
  g_free (finding);
}

void
_postier_sender_add_finding (PostierSenderState *state,
                             const char         *key,
                             PostierDomainLevel  level,
                             char               *summary,
                             const char         *record,
                             const char         *result)
{
  PostierDomainFinding *finding = g_new0 (PostierDomainFinding, 1);

  finding->key = key;
  finding->level = level;
  finding->summary = summary;
  finding->record = g_strdup (record);
  finding->result = g_strdup (result);
  g_ptr_array_add (state->findings, finding);
}

static void
report_clear (PostierSenderReport *report)
{
  g_free (report->domain);
  g_free (report->relay);
  g_strfreev (report->relay_addresses);
  g_clear_pointer (&report->findings, g_ptr_array_unref);
}

PostierSenderReport *
postier_sender_report_ref (PostierSenderReport *report)
{
  return g_atomic_rc_box_acquire (report);
}

void
postier_sender_report_unref (PostierSenderReport *report)
{
  if (report != NULL)
    g_atomic_rc_box_release_full (report, (GDestroyNotify) report_clear);
}

const char *
postier_domain_level_to_string (PostierDomainLevel level)
{
  static const char *const names[] = { "fine", "worth-knowing", "likely-refused", "not-checked" };

  g_return_val_if_fail ((guint) level < G_N_ELEMENTS (names), "not-checked");
  return names[level];
}

const char *
postier_domain_level_to_label (PostierDomainLevel level)
{
  switch (level)
    {
    case POSTIER_DOMAIN_FINE:           return _("Fine");
    case POSTIER_DOMAIN_WORTH_KNOWING:  return _("Worth knowing");
    case POSTIER_DOMAIN_LIKELY_REFUSED: return _("Will probably be refused");
    default:                            return _("Not checked");
    }
}

/* Refused beats worth knowing beats fine; "not checked" findings only
 * decide when nothing else was learnt. */
static PostierDomainLevel
worst_level (GPtrArray *findings)
{
  PostierDomainLevel worst = POSTIER_DOMAIN_FINE;
  gboolean checked = FALSE;

  for (guint i = 0; i < findings->len; i++)
    {
      const PostierDomainFinding *finding = g_ptr_array_index (findings, i);

      if (finding->level == POSTIER_DOMAIN_NOT_CHECKED)
        continue;
      checked = TRUE;
      worst = MAX (worst, finding->level);
    }
  return checked ? worst : POSTIER_DOMAIN_NOT_CHECKED;
}

/* The relay's addresses through the system resolver, as the SMTP client
 * itself connects. A literal address is its own answer. */
static GPtrArray *
relay_addresses (const char   *relay,
                 GCancellable *cancellable)
{
  g_autoptr(GResolver) resolver = g_resolver_get_default ();
  GList *found = g_resolver_lookup_by_name (resolver, relay, cancellable, NULL);
  GPtrArray *addresses = g_ptr_array_new_with_free_func (g_object_unref);

  for (GList *l = found; l != NULL; l = l->next)
    g_ptr_array_add (addresses, g_object_ref (l->data));
  g_resolver_free_addresses (found);
  return addresses;
}

static char **
addresses_as_text (GPtrArray *addresses)
{
  GStrvBuilder *builder = g_strv_builder_new ();
  char **text;

  for (guint i = 0; i < addresses->len; i++)
    {
      g_autofree char *text_address = g_inet_address_to_string (g_ptr_array_index (addresses, i));
      g_strv_builder_add (builder, text_address);
    }
  text = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return text;
}

static void
add_not_checked (PostierSenderState *state)
{
  g_ptr_array_set_size (state->findings, 0);
  _postier_sender_add_finding (state, "dns", POSTIER_DOMAIN_NOT_CHECKED,
    /* Shown after the level, "Not checked": not said twice. */
    g_strdup_printf (_("The DNS did not answer for %s (offline?)."), state->domain),
    NULL, "offline");
}

static PostierSenderReport *
run_checks (const char   *domain,
            const char   *relay,
            GCancellable *cancellable,
            guint        *ttl)
{
  PostierSenderReport *report = g_atomic_rc_box_new0 (PostierSenderReport);
  g_autoptr(GPtrArray) addresses = relay_addresses (relay, cancellable);
  PostierSenderState state = {
    .domain = domain, .relay = relay, .relay_addresses = addresses,
    .findings = g_ptr_array_new_with_free_func ((GDestroyNotify) finding_free),
  };

  if (!_postier_sender_find_mx (&state) || g_cancellable_is_cancelled (cancellable))
    add_not_checked (&state);
  else if (!_postier_sender_find_spf (&state))
    add_not_checked (&state);
  else
    {
      /* DKIM before DMARC: a published key softens DMARC's verdict. */
      _postier_sender_find_dkim (&state);
      _postier_sender_find_dmarc (&state);
      _postier_sender_find_bimi (&state);
    }

  report->domain = g_strdup (domain);
  report->relay = g_strdup (relay);
  report->relay_addresses = addresses_as_text (addresses);
  report->findings = state.findings;
  report->verdict = worst_level (state.findings);
  *ttl = state.ttl;
  return report;
}

typedef struct {
  PostierSenderReport *report;
  gint64               expires;  /* monotonic µs */
} CacheEntry;

static GMutex      cache_lock;
static GHashTable *cache;  /* "domain\nrelay" → CacheEntry */

static void
cache_entry_free (CacheEntry *entry)
{
  postier_sender_report_unref (entry->report);
  g_free (entry);
}

static PostierSenderReport *
cache_lookup (const char *key)
{
  PostierSenderReport *report = NULL;
  CacheEntry *entry;

  g_mutex_lock (&cache_lock);
  entry = cache != NULL ? g_hash_table_lookup (cache, key) : NULL;
  if (entry != NULL && entry->expires > g_get_monotonic_time ())
    report = postier_sender_report_ref (entry->report);
  g_mutex_unlock (&cache_lock);
  return report;
}

static void
cache_store (const char          *key,
             PostierSenderReport *report,
             guint                ttl)
{
  CacheEntry *entry = g_new0 (CacheEntry, 1);
  guint seconds = ttl > 0 ? CLAMP (ttl, CACHE_MIN_SECONDS, CACHE_MAX_SECONDS) : CACHE_DEFAULT_SECONDS;

  entry->report = postier_sender_report_ref (report);
  entry->expires = g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC;
  g_mutex_lock (&cache_lock);
  if (cache == NULL)
    cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) cache_entry_free);
  g_hash_table_replace (cache, g_strdup (key), entry);
  g_mutex_unlock (&cache_lock);
}

void
postier_sender_check_clear_cache (void)
{
  g_mutex_lock (&cache_lock);
  if (cache != NULL)
    g_hash_table_remove_all (cache);
  g_mutex_unlock (&cache_lock);
}

PostierSenderReport *
postier_sender_check (const char    *address,
                      const char    *relay_host,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_autofree char *domain = postier_autoconfig_domain_of_address (address);
  g_autofree char *key = NULL;
  PostierSenderReport *report;
  guint ttl = 0;

  g_return_val_if_fail (relay_host != NULL, NULL);

  if (domain == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not an address with a domain"), address != NULL ? address : "");
      return NULL;
    }
  key = g_strconcat (domain, "\n", relay_host, NULL);
  report = cache_lookup (key);
  if (report != NULL)
    return report;

  report = run_checks (domain, relay_host, cancellable, &ttl);
  if (report->verdict != POSTIER_DOMAIN_NOT_CHECKED)
    cache_store (key, report, ttl);
  return report;
}

typedef struct {
  char *address;
  char *relay;
} CheckRequest;

static void
check_request_free (CheckRequest *request)
{
  g_free (request->address);
  g_free (request->relay);
  g_free (request);
}

static void
check_thread (GTask        *task,
              G_GNUC_UNUSED gpointer source,
              gpointer      task_data,
              GCancellable *cancellable)
{
  CheckRequest *request = task_data;
  GError *error = NULL;
  PostierSenderReport *report = postier_sender_check (request->address, request->relay,
                                                      cancellable, &error);

  if (report == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, report, (GDestroyNotify) postier_sender_report_unref);
}

void
postier_sender_check_async (const char          *address,
                            const char          *relay_host,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  CheckRequest *request = g_new0 (CheckRequest, 1);

  request->address = g_strdup (address);
  request->relay = g_strdup (relay_host);
  g_task_set_source_tag (task, postier_sender_check_async);
  g_task_set_task_data (task, request, (GDestroyNotify) check_request_free);
  g_task_set_return_on_cancel (task, TRUE);
  g_task_run_in_thread (task, check_thread);
}

PostierSenderReport *
postier_sender_check_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
