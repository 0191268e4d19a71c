/* postier-send-pipeline-flush.c — what one flush takes, and in what order
 *
 * Why a file of its own: the flush pass is the part of the send pipeline
 * that looks at the outbox (lock, crash recovery, rounds of due entries
 * grouped by account, one more look after letting go of the lock); each
 * group then goes through the three threads of postier-send-pipeline.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-submitter"

#include "config.h"

#include "postier-error.h"
#include "postier-outbox-private.h"
#include "postier-paths.h"
#include "postier-relay-limiter.h"
#include "postier-send-pipeline-private.h"
#include "postier-sent-aside.h"

/* How often a flush waiting for the lock (POSTIER_FLUSH_WAIT_FOR_LOCK)
 * tries it again. */
#define LOCK_POLL_MS 100

void
_postier_flush_job_free (PostierFlushJob *job)
{
  if (job->report_data_free != NULL)
    job->report_data_free (job->report_data);
  g_clear_object (&job->outbox);
  g_clear_object (&job->sent);
  g_clear_pointer (&job->accounts, g_hash_table_unref);
  g_clear_pointer (&job->attempted, g_hash_table_unref);
  g_clear_pointer (&job->offline, g_hash_table_unref);
  g_free (job);
}

/* The accounts as they are now, copied: the store is not thread-safe and
 * the person may edit it while a flush runs. */
PostierFlushJob *
_postier_flush_job_new (PostierOutbox     *outbox,
                        PostierSentStore  *sent,
                        GPtrArray         *accounts,
                        PostierFlushFlags  flags)
{
  PostierFlushJob *job = g_new0 (PostierFlushJob, 1);

  job->outbox = g_object_ref (outbox);
  job->sent = g_object_ref (sent);
  job->flags = flags;
  job->online = TRUE;
  job->loopback_works_offline = TRUE;
  job->attempted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  job->offline = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  job->accounts = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_object_unref);
  for (guint i = 0; i < accounts->len; i++)
    {
      PostierAccount *copy = postier_account_copy (g_ptr_array_index (accounts, i));
      g_hash_table_replace (job->accounts, (gpointer) postier_account_get_name (copy), copy);
    }
  return job;
}

void
_postier_flush_job_set_network (PostierFlushJob *job,
                                gboolean         online,
                                gboolean         loopback_works_offline)
{
  job->online = online;
  job->loopback_works_offline = loopback_works_offline;
}

void
_postier_flush_job_set_report (PostierFlushJob         *job,
                               const PostierSendReport *report,
                               gpointer                 data,
                               GDestroyNotify           data_free)
{
  job->report = *report;
  job->report_data = data;
  job->report_data_free = data_free;
}

const PostierFlushStats *
_postier_flush_job_get_stats (PostierFlushJob *job)
{
  return &job->stats;
}

guint
_postier_flush_job_get_unsent (PostierFlushJob *job)
{
  return job->unsent;
}

/* Loopback relays (the Sandbox, a local MTA) work offline. */
static gboolean
account_needs_network (PostierFlushJob *job,
                       const char      *account_name)
{
  PostierAccount *account = g_hash_table_lookup (job->accounts, account_name);

  if (account == NULL)
    return FALSE;
  if (postier_account_get_kind (account) == POSTIER_ACCOUNT_KIND_SANDBOX)
    return FALSE;
  return !job->loopback_works_offline ||
         !postier_host_is_loopback (postier_account_get_host (account));
}

/* Whether ENTRY's account is held by its relay's limits now (ours, or
 * what the relay said): then the whole account waits, oldest first, and
 * the submitter's timer comes back when the hold ends. */
static gboolean
held_by_limits (PostierFlushJob    *job,
                PostierOutboxEntry *entry)
{
  PostierAccount *account = g_hash_table_lookup (job->accounts,
                                                 postier_outbox_entry_get_account_name (entry));
  guint n = postier_outbox_entry_count_recipients (entry, POSTIER_RECIPIENT_STATE_PENDING) +
            postier_outbox_entry_count_recipients (entry, POSTIER_RECIPIENT_STATE_DEFERRED);

  return account != NULL &&
         !postier_relay_limiter_check (postier_relay_limiter_get_default (), account, MAX (n, 1), NULL);
}

/* Whether this flush should take ENTRY now. An entry is attempted once per
 * flush: after an attempt it is deferred (not due for a minute at least),
 * failed or needing attention, so only a person's retry (state queued
 * again) brings it back in the same flush. */
static gboolean
flush_takes (PostierFlushJob    *job,
             PostierOutboxEntry *entry,
             gint64              now)
{
  const char *id = postier_outbox_entry_get_id (entry);

  if (g_hash_table_contains (job->offline, id))
    return FALSE;
  /* Held for undo send or send later: not before its time, whatever the
   * flags (a scheduled message is not due, as in `queue flush`). */
  if (postier_outbox_entry_is_held (entry, now))
    return FALSE;
  switch (postier_outbox_entry_get_state (entry))
    {
    case POSTIER_OUTBOX_STATE_QUEUED:
      return !held_by_limits (job, entry);
    case POSTIER_OUTBOX_STATE_DEFERRED:
      if (g_hash_table_contains (job->attempted, id))
        return FALSE;
      return ((job->flags & POSTIER_FLUSH_ALL) != 0 || postier_outbox_entry_is_due (entry, now)) &&
             !held_by_limits (job, entry);
    default:
      return FALSE;
    }
}

/* One look at the outbox (LISTED, taken, when the caller has just listed
 * it): the entries to take, grouped by account (in ORDER, oldest first
 * within each). Returns how many, or -1 on error. */
static gint
collect_round (PostierFlushJob  *job,
               GPtrArray        *listed,
               GPtrArray        *order,
               GHashTable       *groups,
               GError          **error)
{
  g_autoptr(GPtrArray) entries = listed != NULL ? listed : postier_outbox_list (job->outbox, error);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint taken = 0;

  if (entries == NULL)
    return -1;
  for (guint i = 0; i < entries->len; i++)
    {
      PostierOutboxEntry *entry = g_ptr_array_index (entries, i);
      const char *name = postier_outbox_entry_get_account_name (entry);
      const char *id = postier_outbox_entry_get_id (entry);
      GPtrArray *group;

      if (!flush_takes (job, entry, now))
        continue;
      if (!job->online && account_needs_network (job, name))
        {
          g_hash_table_add (job->offline, g_strdup (id));
          job->unsent++;
          continue;
        }
      g_hash_table_add (job->attempted, g_strdup (id));
      group = g_hash_table_lookup (groups, name);
      if (group == NULL)
        {
          /* The key lives as long as the group's first entry. */
          group = g_ptr_array_new_with_free_func (g_object_unref);
          g_hash_table_insert (groups, (gpointer) name, group);
          g_ptr_array_add (order, (gpointer) name);
        }
      g_ptr_array_add (group, g_object_ref (entry));
      taken++;
    }
  return taken;
}

/* Takes the flush lock; with WAIT, polls until the holder lets go (flock
 * cannot be interrupted by a GCancellable, a poll can). */
static gboolean
lock_outbox (PostierOutbox  *outbox,
             gboolean        wait,
             GCancellable   *cancellable,
             GError        **error)
{
  for (;;)
    {
      g_autoptr(GError) local_error = NULL;
      GPollFD pollfd;
      gboolean have_fd;

      if (postier_outbox_lock (outbox, &local_error))
        return TRUE;
      if (!wait || !g_error_matches (local_error, POSTIER_OUTBOX_ERROR, POSTIER_OUTBOX_ERROR_BUSY))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      have_fd = g_cancellable_make_pollfd (cancellable, &pollfd);
      if (have_fd)
        {
          g_poll (&pollfd, 1, LOCK_POLL_MS);
          g_cancellable_release_fd (cancellable);
        }
      else
        g_usleep (LOCK_POLL_MS * 1000);
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
    }
}

gboolean
_postier_flush_job_run (PostierFlushJob  *job,
                        GCancellable     *cancellable,
                        GError          **error)
{
  gboolean first = TRUE;

  for (;;)
    {
      g_autoptr(GError) lock_error = NULL;
      g_autoptr(GPtrArray) after = NULL;
      gint64 now;
      gboolean more = FALSE;

      if (!lock_outbox (job->outbox, first && (job->flags & POSTIER_FLUSH_WAIT_FOR_LOCK) != 0,
                        cancellable, &lock_error))
        {
          /* Someone took the lock between our two looks: whoever holds it
           * now looks at the outbox after taking it, late entries included. */
          if (!first && g_error_matches (lock_error, POSTIER_OUTBOX_ERROR, POSTIER_OUTBOX_ERROR_BUSY))
            break;
          g_propagate_error (error, g_steal_pointer (&lock_error));
          return FALSE;
        }
      first = FALSE;

      g_autoptr(GPtrArray) listed = NULL;

      if (!_postier_outbox_recover_listing (job->outbox, &listed, error))
        {
          postier_outbox_unlock (job->outbox);
          return FALSE;
        }
      /* Sent entries a crash left aside: their Sent copies written again. */
      _postier_sent_aside_recover (job->outbox, job->sent);

      /* Rounds: what was there at the start, then whatever arrived while
       * the previous round was on the wire, until a look finds nothing. */
      while (!g_cancellable_is_cancelled (cancellable))
        {
          g_autoptr(GPtrArray) order = g_ptr_array_new ();
          g_autoptr(GHashTable) groups = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                                (GDestroyNotify) g_ptr_array_unref);
          gint taken = collect_round (job, g_steal_pointer (&listed), order, groups, error);

          if (taken < 0)
            {
              postier_outbox_unlock (job->outbox);
              return FALSE;
            }
          if (taken == 0)
            break;
          for (guint i = 0; i < order->len; i++)
            {
              GPtrArray *group = g_hash_table_lookup (groups, order->pdata[i]);

              if (g_cancellable_is_cancelled (cancellable))
                job->unsent += group->len;
              else
                _postier_send_pipeline_run (job, order->pdata[i], group, cancellable);
            }
        }

      postier_outbox_unlock (job->outbox);
      if (g_cancellable_is_cancelled (cancellable))
        break;

      /* An entry enqueued between our last look and the unlock belongs to
       * a process that found the lock busy and counts on us: look again. */
      after = postier_outbox_list (job->outbox, NULL);
      now = g_get_real_time () / G_USEC_PER_SEC;
      for (guint i = 0; after != NULL && i < after->len && !more; i++)
        more = flush_takes (job, g_ptr_array_index (after, i), now);
      if (!more)
        break;
    }

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  return TRUE;
}
