/* postier-submitter.c — empties the outbox into the relays
 *
 * A flush runs on a worker thread. For each account it opens one SMTP
 * session and hands the due entries to it one after the other. Disk work
 * runs beside the dialogue, so the relay sets the pace: a mark thread
 * keeps the next entry durably marked "sending" (as the delivery rules
 * require before its data goes out) while the current one is on the wire,
 * and a settle thread concludes finished ones (Sent copy, entry removed or
 * rescheduled) in batches, one folder sync per batch.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-submitter"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "postier-error.h"
#include "postier-message-check.h"
#include "postier-outbox-private.h"
#include "postier-paths.h"
#include "postier-sandbox.h"
#include "postier-secret-store.h"
#include "postier-sent-store-private.h"
#include "postier-smtp-client.h"
#include "postier-submitter.h"

/* How many entries may be marked "sending" ahead of the one on the wire.
 * Two keep the relay busy; each one marked ahead but never sent (a crash)
 * comes back as a possible duplicate, so more would only add false alarms. */
#define MARK_AHEAD 2
/* At most this many entries sent and not yet settled (see push_outcome),
 * and only one once they hold this many bytes: a large message's Sent copy
 * (read, written, fsynced) takes as long as sending it, so without this
 * bound the queue stays full and a crash repeats up to five of them. */
#define MAX_UNSETTLED 4
#define MAX_UNSETTLED_BYTES (1024 * 1024)
/* Progress signals at most this often per entry. */
#define PROGRESS_INTERVAL_US (100 * 1000)
/* When another process holds the flush lock, look again after this long. */
#define BUSY_RETRY_SECONDS 30
/* How often a flush waiting for the lock (POSTIER_FLUSH_WAIT_FOR_LOCK)
 * tries it again. */
#define LOCK_POLL_MS 100
/* New entries are picked up this long after the outbox folder changed,
 * so that a burst of enqueues becomes one flush. */
#define KICK_DELAY_MS 300

struct _PostierSubmitter
{
  GObject              parent_instance;

  PostierOutbox       *outbox;
  PostierAccountStore *accounts;
  PostierSentStore    *sent;
  GMainContext        *context;

  GNetworkMonitor     *monitor;
  gulong               monitor_handler;
  gboolean             online;
  gboolean             loopback_works_offline;

  /* The app's mode (main context only). */
  gboolean             started;
  gboolean             flushing;
  gboolean             again;
  guint                timer_id;
  guint                kick_id;
  GCancellable        *cancellable;
  GFileMonitor        *dir_monitor;
  gulong               accounts_handler;
  GHashTable          *account_fingerprints;  /* name → settings summary */
};

G_DEFINE_FINAL_TYPE (PostierSubmitter, postier_submitter, G_TYPE_OBJECT)

enum {
  ENTRY_CHANGED,
  PROGRESS,
  FLUSH_FINISHED,
  ONLINE_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void schedule_flush (PostierSubmitter *self,
                            guint             delay_ms);

/* ------------------------------------------------------------------------
 * Signals from any thread, delivered on the submitter's main context
 */

typedef struct {
  PostierSubmitter   *self;
  guint               signal;
  char               *id;
  PostierOutboxState  state;
  guint64             done;
  guint64             total;
} Emission;

static void
emission_free (gpointer data)
{
  Emission *emission = data;

  g_object_unref (emission->self);
  g_free (emission->id);
  g_free (emission);
}

static gboolean
emit_in_context (gpointer data)
{
  Emission *e = data;

  switch (e->signal)
    {
    case ENTRY_CHANGED:
      g_signal_emit (e->self, signals[ENTRY_CHANGED], 0, e->id, (int) e->state);
      break;
    case PROGRESS:
      g_signal_emit (e->self, signals[PROGRESS], 0, e->id, e->done, e->total);
      break;
    default:
      g_assert_not_reached ();
    }
  return G_SOURCE_REMOVE;
}

static void
emit_later (PostierSubmitter   *self,
            guint               signal,
            const char         *id,
            PostierOutboxState  state,
            guint64             done,
            guint64             total)
{
  Emission *e = g_new0 (Emission, 1);

  e->self = g_object_ref (self);
  e->signal = signal;
  e->id = g_strdup (id);
  e->state = state;
  e->done = done;
  e->total = total;
  g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, emit_in_context, e, emission_free);
}

/* ------------------------------------------------------------------------
 * One flush
 */

typedef struct {
  PostierSubmitter  *self;
  GHashTable        *accounts;     /* name → PostierAccount (copies) */
  gboolean           online;
  gboolean           loopback_works_offline;
  PostierFlushStats  stats;
  guint              unsent;       /* due entries not sent at the end */
  PostierFlushFlags  flags;
  GHashTable        *attempted;    /* ids taken in this flush */
  GHashTable        *offline;      /* ids left for want of a network */
} FlushJob;

static void
flush_job_free (FlushJob *job)
{
  g_clear_object (&job->self);
  g_clear_pointer (&job->accounts, g_hash_table_unref);
  g_clear_pointer (&job->attempted, g_hash_table_unref);
  g_clear_pointer (&job->offline, g_hash_table_unref);
  g_free (job);
}

/* The accounts as they are now, copied: the store is not thread-safe and
 * the person may edit it while a flush runs. */
static FlushJob *
flush_job_new (PostierSubmitter  *self,
               PostierFlushFlags  flags)
{
  FlushJob *job = g_new0 (FlushJob, 1);
  g_autoptr(GPtrArray) list = postier_account_store_list (self->accounts);

  job->self = g_object_ref (self);
  job->flags = flags;
  job->attempted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  job->offline = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  job->online = postier_submitter_get_online (self);
  job->loopback_works_offline = self->loopback_works_offline;
  job->accounts = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_object_unref);
  for (guint i = 0; i < list->len; i++)
    {
      PostierAccount *copy = postier_account_copy (g_ptr_array_index (list, i));
      g_hash_table_replace (job->accounts, (gpointer) postier_account_get_name (copy), copy);
    }
  return job;
}

/* What became of one entry, handed from the SMTP thread to the settle
 * thread. */
typedef enum {
  OUTCOME_ATTEMPTED,   /* concluded from results and error */
  OUTCOME_FAILED,      /* not sent: concluded with error (the session could not open) */
  OUTCOME_UNTOUCHED,   /* not sent, not attempted (cancelled): back as it was */
} OutcomeKind;

typedef struct {
  PostierOutboxEntry *entry;
  guint               index;     /* in the group */
  OutcomeKind         kind;
  GArray             *results;
  GError             *error;
  char               *transcript;
  gboolean            data_complete;
} Outcome;

static void
outcome_free (Outcome *outcome)
{
  g_clear_object (&outcome->entry);
  g_clear_pointer (&outcome->results, g_array_unref);
  g_clear_error (&outcome->error);
  g_free (outcome->transcript);
  g_free (outcome);
}

/* One account's due entries, shared by three threads: the SMTP thread
 * sends them in order; the mark thread keeps the next ones durably marked
 * "sending" just ahead of it; the settle thread concludes finished ones in
 * batches. */
typedef struct {
  FlushJob     *job;
  const char   *account_name;
  GPtrArray    *entries;         /* PostierOutboxEntry, in order */
  GCancellable *cancellable;

  GMutex        mutex;
  GCond         cond;
  guint         marked;          /* entries[0, marked) are durably "sending" */
  gboolean      marking;         /* the mark thread is writing entries[marked] */
  guint         handed_over;     /* outcomes pushed for entries[0, handed_over) */
  GQueue        outcomes;
  guint         settling;        /* outcomes in the batch not settled yet */
  guint64       unsettled_bytes; /* message bytes of the outcomes queued or settling */
  gint64        waited_for_marks;   /* µs the SMTP thread waited, for g_debug */
  gint64        waited_for_settle;
  gint64        in_send;
  guint         batches;
  guint         removed;         /* entries sent and gone (settle thread) */
  gboolean      finished;        /* the SMTP thread pushed its last outcome */
  GError       *mark_error;      /* marking failed: the disk is in trouble */

  /* Progress of the entry on the wire (SMTP thread only). */
  const char   *current_id;
  guint64       current_total;
  guint64       current_done;
  gint64        last_progress;
} Group;

static void
on_progress (guint64  bytes_sent,
             guint64  bytes_total,
             gpointer user_data)
{
  Group *group = user_data;
  gint64 now = g_get_monotonic_time ();

  group->current_done = bytes_sent;
  group->current_total = bytes_total;
  if (bytes_sent < bytes_total && now - group->last_progress < PROGRESS_INTERVAL_US)
    return;
  group->last_progress = now;
  emit_later (group->job->self, PROGRESS, group->current_id, POSTIER_OUTBOX_STATE_SENDING,
              bytes_sent, bytes_total);
}

static void
push_outcome (Group              *group,
              PostierOutboxEntry *entry,
              OutcomeKind         kind,
              GArray             *results,
              const GError       *error,
              char               *transcript,
              gboolean            data_complete)
{
  Outcome *outcome = g_new0 (Outcome, 1);

  outcome->entry = g_object_ref (entry);
  outcome->kind = kind;
  outcome->results = results;
  outcome->error = error != NULL ? g_error_copy (error) : NULL;
  outcome->transcript = transcript;
  outcome->data_complete = data_complete;

  g_mutex_lock (&group->mutex);
  outcome->index = group->handed_over++;
  g_queue_push_tail (&group->outcomes, outcome);
  group->unsettled_bytes += postier_outbox_entry_get_size (entry);
  g_cond_broadcast (&group->cond);
  /* Sent but not yet settled is what a crash turns into duplicates: when
   * the disk falls behind the relay, the relay waits. So one crash repeats
   * at most MAX_UNSETTLED entries, plus the one whose end of data was sent
   * but not yet answered; two while the messages are over 1 MiB. */
  {
    gint64 start = g_get_monotonic_time ();
    guint unsettled;

    while ((unsettled = g_queue_get_length (&group->outcomes) + group->settling) > MAX_UNSETTLED ||
           (unsettled > 1 && group->unsettled_bytes > MAX_UNSETTLED_BYTES))
      g_cond_wait (&group->cond, &group->mutex);
    group->waited_for_settle += g_get_monotonic_time () - start;
  }
  g_mutex_unlock (&group->mutex);
}

/* Blocks the SMTP thread until entry INDEX is durably marked. */
static gboolean
wait_marked (Group   *group,
             guint    index,
             GError **error)
{
  gboolean ok;

  gint64 start = g_get_monotonic_time ();
  g_mutex_lock (&group->mutex);
  while (group->marked <= index && group->mark_error == NULL)
    g_cond_wait (&group->cond, &group->mutex);
  group->waited_for_marks += g_get_monotonic_time () - start;
  ok = group->mark_error == NULL;
  if (!ok)
    g_propagate_error (error, g_error_copy (group->mark_error));
  g_mutex_unlock (&group->mutex);
  return ok;
}

static void
record_results (PostierOutboxEntry *entry,
                GArray             *results)
{
  for (guint i = 0; results != NULL && i < results->len; i++)
    {
      PostierSmtpRecipientResult *r = &g_array_index (results, PostierSmtpRecipientResult, i);
      PostierRecipientState state;

      if (r->code == 0)
        continue;  /* never asked: stays pending */
      if (r->accepted)
        state = POSTIER_RECIPIENT_STATE_ACCEPTED;
      else if (r->code / 100 == 2)
        state = POSTIER_RECIPIENT_STATE_PENDING;  /* RCPT taken, then DATA failed: nobody has it */
      else if (r->code >= 400 && r->code < 500)
        state = POSTIER_RECIPIENT_STATE_DEFERRED;
      else
        state = POSTIER_RECIPIENT_STATE_REFUSED;
      if (!_postier_outbox_entry_set_recipient (entry, r->address, state,
                                                state == POSTIER_RECIPIENT_STATE_PENDING ? NULL : r->reply))
        g_warning ("%s: the relay answered for %s, which is not a recipient",
                   postier_outbox_entry_get_id (entry), r->address);
    }
}

static gpointer
mark_thread (gpointer data)
{
  Group *group = data;
  PostierSubmitter *self = group->job->self;

  g_mutex_lock (&group->mutex);
  while (!group->finished && group->mark_error == NULL && group->marked < group->entries->len)
    {
      PostierOutboxEntry *entry;
      g_autoptr(GError) error = NULL;
      gboolean ok;

      /* Handed over unmarked: the SMTP thread gave up on the rest. */
      if (group->marked < group->handed_over)
        break;
      if (group->marked >= group->handed_over + MARK_AHEAD)
        {
          g_cond_wait (&group->cond, &group->mutex);
          continue;
        }
      entry = g_ptr_array_index (group->entries, group->marked);
      group->marking = TRUE;
      g_mutex_unlock (&group->mutex);

      ok = _postier_outbox_mark_sending (self->outbox, entry, &error);
      if (ok)
        emit_later (self, ENTRY_CHANGED, postier_outbox_entry_get_id (entry),
                    POSTIER_OUTBOX_STATE_SENDING, 0, 0);

      g_mutex_lock (&group->mutex);
      group->marking = FALSE;
      if (ok)
        group->marked++;
      else
        group->mark_error = g_steal_pointer (&error);
      g_cond_broadcast (&group->cond);
    }
  g_mutex_unlock (&group->mutex);
  return NULL;
}

/* An entry's new state from its outcome, in memory; its transcript. */
static void
conclude (PostierSubmitter *self,
          Outcome          *outcome,
          gint64            now)
{
  PostierOutboxEntry *entry = outcome->entry;

  switch (outcome->kind)
    {
    case OUTCOME_UNTOUCHED:
      if (postier_outbox_entry_get_state (entry) != POSTIER_OUTBOX_STATE_SENDING)
        break;  /* never marked */
      _postier_outbox_entry_unmark_sending (entry);
      /* Cancelled after the whole message went out but before the relay
       * answered: it may have taken it. */
      if (outcome->data_complete)
        _postier_outbox_entry_set_possible_duplicate (entry, TRUE);
      break;
    case OUTCOME_ATTEMPTED:
      record_results (entry, outcome->results);
      _postier_outbox_entry_conclude (entry, now, outcome->error);
      break;
    case OUTCOME_FAILED:
    default:
      if (postier_outbox_entry_get_state (entry) == POSTIER_OUTBOX_STATE_SENDING)
        _postier_outbox_entry_unmark_sending (entry);
      _postier_outbox_entry_conclude (entry, now, outcome->error);
      break;
    }

  /* A sent entry leaves the outbox now: its transcript would go with it. */
  if (outcome->transcript != NULL && *outcome->transcript != '\0' &&
      postier_outbox_entry_get_state (entry) != POSTIER_OUTBOX_STATE_SENT)
    {
      g_autoptr(GDateTime) time = g_date_time_new_now_local ();
      g_autofree char *heading = g_date_time_format_iso8601 (time);
      _postier_outbox_append_transcript (self->outbox, entry, heading, outcome->transcript);
    }
}

/* The settle thread's work on a batch: states, Sent copies, then the
 * entries saved or removed. */
static void
settle_batch (Group     *group,
              GPtrArray *batch)
{
  PostierSubmitter *self = group->job->self;
  PostierFlushStats *stats = &group->job->stats;
  g_autoptr(GError) error = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  for (guint i = 0; i < batch->len; i++)
    {
      Outcome *outcome = g_ptr_array_index (batch, i);
      PostierOutboxEntry *entry = outcome->entry;
      g_autoptr(GPtrArray) one = g_ptr_array_new ();

      conclude (self, outcome, now);
      if (postier_outbox_entry_get_state (entry) == POSTIER_OUTBOX_STATE_SENT)
        {
          g_autofree char *message_path = postier_outbox_entry_get_message_path (entry);
          g_autofree char *copy = NULL;

          /* The relay has the message: a failure to keep a copy is worth a
           * warning, never keeping the entry (it would be sent again). */
          copy = _postier_sent_store_add_unsynced (self->sent, message_path,
                                                   postier_outbox_entry_get_account_name (entry), now,
                                                   postier_outbox_entry_get_possible_duplicate (entry),
                                                   &error);
          if (copy == NULL)
            {
              g_warning ("%s: sent, but no copy kept: %s", postier_outbox_entry_get_id (entry),
                         error->message);
              g_clear_error (&error);
            }
        }

      /* Each entry leaves the outbox as soon as its Sent copy is made, not
       * after the whole batch's: every Sent copy of a large message would
       * otherwise add to the time the others stay sent but not settled.
       * No folder syncs here: the next entry's mark commits the file
       * system's journal, these renames included, and the group ends with
       * both folders synced. Until then a crash can only bring a sent entry
       * back as a possible duplicate, or lose its Sent copy, never lose a
       * message. */
      g_ptr_array_add (one, entry);
      if (!_postier_outbox_settle_batch (self->outbox, one, FALSE, &error))
        {
          g_warning ("%s", error->message);
          g_clear_error (&error);
        }
      g_mutex_lock (&group->mutex);
      group->settling--;
      group->unsettled_bytes -= postier_outbox_entry_get_size (entry);
      g_cond_broadcast (&group->cond);
      g_mutex_unlock (&group->mutex);
    }

  g_mutex_lock (&group->mutex);
  for (guint i = 0; i < batch->len; i++)
    {
      Outcome *outcome = g_ptr_array_index (batch, i);
      PostierOutboxState state = postier_outbox_entry_get_state (outcome->entry);

      if (state != POSTIER_OUTBOX_STATE_SENT)
        group->job->unsent++;
      else
        group->removed++;
      if (outcome->kind == OUTCOME_UNTOUCHED)
        continue;
      stats->attempted++;
      switch (state)
        {
        case POSTIER_OUTBOX_STATE_SENT:            stats->sent++; break;
        case POSTIER_OUTBOX_STATE_DEFERRED:        stats->deferred++; break;
        case POSTIER_OUTBOX_STATE_FAILED:          stats->failed++; break;
        case POSTIER_OUTBOX_STATE_NEEDS_ATTENTION: stats->needs_attention++; break;
        default: break;
        }
    }
  g_mutex_unlock (&group->mutex);

  for (guint i = 0; i < batch->len; i++)
    {
      Outcome *outcome = g_ptr_array_index (batch, i);
      emit_later (self, ENTRY_CHANGED, postier_outbox_entry_get_id (outcome->entry),
                  postier_outbox_entry_get_state (outcome->entry), 0, 0);
    }
}

static gpointer
settle_thread (gpointer data)
{
  Group *group = data;

  g_mutex_lock (&group->mutex);
  for (;;)
    {
      g_autoptr(GPtrArray) batch = NULL;
      guint last_index;

      while (g_queue_is_empty (&group->outcomes) && !group->finished)
        g_cond_wait (&group->cond, &group->mutex);
      if (g_queue_is_empty (&group->outcomes))
        break;

      /* An entry the SMTP thread gave up on may still be in the mark
       * thread's hands: wait until that thread is done with it. */
      last_index = ((Outcome *) g_queue_peek_tail (&group->outcomes))->index;
      while (last_index >= group->marked && group->marking)
        g_cond_wait (&group->cond, &group->mutex);

      batch = g_ptr_array_new_with_free_func ((GDestroyNotify) outcome_free);
      while (!g_queue_is_empty (&group->outcomes))
        g_ptr_array_add (batch, g_queue_pop_head (&group->outcomes));
      group->settling = batch->len;
      group->batches++;
      g_mutex_unlock (&group->mutex);
      settle_batch (group, batch);
      g_mutex_lock (&group->mutex);
      group->settling = 0;
      g_cond_broadcast (&group->cond);
    }
  g_mutex_unlock (&group->mutex);
  return NULL;
}

static PostierSmtpClient *
make_client (PostierAccount  *account,
             GCancellable    *cancellable,
             GError         **error)
{
  g_autoptr(PostierSmtpClient) client = NULL;

  if (postier_account_get_kind (account) == POSTIER_ACCOUNT_KIND_SANDBOX)
    return postier_sandbox_create_client (postier_sandbox_get_default (), account, error);

  client = postier_smtp_client_new (account);
  if (postier_account_needs_password (account))
    {
      g_autofree char *password = postier_account_fetch_password (account, cancellable, error);

      if (password == NULL)
        return NULL;
      postier_smtp_client_set_password (client, password);
      explicit_bzero (password, strlen (password));
    }
  return g_steal_pointer (&client);
}

static gboolean
is_cancelled (const GError *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* A session is opened when the group starts and again after one broke;
 * when opening fails, every entry left in the group gets that error, so a
 * dead relay costs one timeout per flush, not one per message. */
static void
smtp_thread_send_group (Group          *group,
                        PostierAccount *account)
{
  g_autoptr(PostierSmtpClient) client = NULL;
  g_autoptr(GError) fatal = NULL;   /* ends the group: every later entry gets it */
  gboolean cancelled = FALSE;
  guint i;

  for (i = 0; i < group->entries->len; i++)
    {
      PostierOutboxEntry *entry = g_ptr_array_index (group->entries, i);
      g_autoptr(PostierEnvelope) envelope = NULL;
      g_autofree char *message_path = NULL;
      g_autoptr(GArray) results = NULL;
      g_autoptr(GError) error = NULL;
      gboolean ok;

      if (g_cancellable_is_cancelled (group->cancellable))
        {
          cancelled = TRUE;
          break;
        }

      if (client == NULL || !postier_smtp_client_is_open (client))
        {
          g_autoptr(GError) open_error = NULL;
          char *transcript = NULL;

          g_clear_object (&client);
          client = make_client (account, group->cancellable, &open_error);
          if (client != NULL)
            {
              postier_smtp_client_set_progress_func (client, on_progress, group);
              group->job->stats.connections++;
              if (!postier_smtp_client_open (client, group->cancellable, &open_error))
                {
                  transcript = postier_smtp_client_take_transcript (client);
                  g_clear_object (&client);
                }
              else if (postier_account_get_kind (account) == POSTIER_ACCOUNT_KIND_RELAY)
                /* The Sandbox's check list compares sizes with this. */
                postier_relay_size_limit_remember (postier_account_get_name (account),
                                                   postier_smtp_client_get_size_limit (client));
            }
          if (client == NULL)
            {
              if (is_cancelled (open_error))
                {
                  g_free (transcript);
                  cancelled = TRUE;
                  break;
                }
              /* The entry that would have gone first keeps the dialogue. */
              push_outcome (group, entry, OUTCOME_FAILED, NULL, open_error, transcript, FALSE);
              fatal = g_steal_pointer (&open_error);
              i++;
              break;
            }
        }

      if (!wait_marked (group, i, &error))
        {
          fatal = g_steal_pointer (&error);
          break;
        }

      group->current_id = postier_outbox_entry_get_id (entry);
      group->current_done = 0;
      group->current_total = 0;
      group->last_progress = 0;
      envelope = postier_outbox_entry_dup_pending_envelope (entry);
      message_path = postier_outbox_entry_get_message_path (entry);
      {
        gint64 start = g_get_monotonic_time ();
        ok = postier_smtp_client_send (client, envelope, message_path, &results,
                                       group->cancellable, &error);
        group->in_send += g_get_monotonic_time () - start;
      }
      if (!ok && is_cancelled (error))
        {
          gboolean complete = group->current_total > 0 &&
                              group->current_done >= group->current_total;
          push_outcome (group, entry, OUTCOME_UNTOUCHED, NULL, NULL,
                        postier_smtp_client_take_transcript (client), complete);
          cancelled = TRUE;
          i++;
          break;
        }
      push_outcome (group, entry, OUTCOME_ATTEMPTED, g_steal_pointer (&results),
                    ok ? NULL : error, postier_smtp_client_take_transcript (client), FALSE);
    }

  /* Whatever was not attempted: concluded with the error that stopped the
   * group, or left as it was when the flush was cancelled. */
  for (; i < group->entries->len; i++)
    push_outcome (group, g_ptr_array_index (group->entries, i),
                  cancelled || fatal == NULL ? OUTCOME_UNTOUCHED : OUTCOME_FAILED,
                  NULL, fatal, NULL, FALSE);

  if (client != NULL)
    postier_smtp_client_close (client, NULL);

  g_mutex_lock (&group->mutex);
  group->finished = TRUE;
  g_cond_broadcast (&group->cond);
  g_mutex_unlock (&group->mutex);
}

static void
send_group (FlushJob     *job,
            const char   *account_name,
            GPtrArray    *entries,
            GCancellable *cancellable)
{
  PostierAccount *account = g_hash_table_lookup (job->accounts, account_name);
  Group group = { 0 };
  GThread *marker;
  GThread *settler;

  group.job = job;
  group.account_name = account_name;
  group.entries = entries;
  group.cancellable = cancellable;
  g_mutex_init (&group.mutex);
  g_cond_init (&group.cond);
  g_queue_init (&group.outcomes);

  marker = g_thread_new ("postier-mark", mark_thread, &group);
  settler = g_thread_new ("postier-settle", settle_thread, &group);

  if (account == NULL)
    {
      g_autoptr(GError) error = NULL;

      g_set_error (&error, POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_NOT_FOUND,
                   _("The account “%s” no longer exists; choose another one and retry"),
                   account_name);
      for (guint i = 0; i < entries->len; i++)
        push_outcome (&group, g_ptr_array_index (entries, i), OUTCOME_FAILED, NULL, error,
                      NULL, FALSE);
      g_mutex_lock (&group.mutex);
      group.finished = TRUE;
      g_cond_broadcast (&group.cond);
      g_mutex_unlock (&group.mutex);
    }
  else
    smtp_thread_send_group (&group, account);

  g_thread_join (marker);
  g_thread_join (settler);

  /* What settle_batch left to the journal, made durable now. */
  {
    g_autoptr(GError) error = NULL;

    if (group.removed > 0 &&
        (!_postier_sent_store_sync (job->self->sent, &error) ||
         !postier_fsync_dir (postier_outbox_get_dir (job->self->outbox), &error)))
      g_warning ("%s", error->message);
  }
  g_debug ("%s: %u entries; %.1f ms in the SMTP dialogue; the relay waited %.1f ms for marks "
           "and %.1f ms for settling; %u batches",
           account_name, entries->len, group.in_send / 1000.0, group.waited_for_marks / 1000.0,
           group.waited_for_settle / 1000.0, group.batches);
  g_clear_error (&group.mark_error);
  g_mutex_clear (&group.mutex);
  g_cond_clear (&group.cond);
}

/* Loopback relays (the Sandbox, a local MTA) work offline. */
static gboolean
account_needs_network (FlushJob   *job,
                       const char *account_name)
{
  PostierAccount *account = g_hash_table_lookup (job->accounts, account_name);

  if (account == NULL)
    return FALSE;
  if (postier_account_get_kind (account) == POSTIER_ACCOUNT_KIND_SANDBOX)
    return FALSE;
  return !job->loopback_works_offline ||
         !postier_host_is_loopback (postier_account_get_host (account));
}

/* Whether this flush should take ENTRY now. An entry is attempted once per
 * flush: after an attempt it is deferred (not due for a minute at least),
 * failed or needing attention, so only a person's retry (state queued
 * again) brings it back in the same flush. */
static gboolean
flush_takes (FlushJob           *job,
             PostierOutboxEntry *entry,
             gint64              now)
{
  const char *id = postier_outbox_entry_get_id (entry);

  if (g_hash_table_contains (job->offline, id))
    return FALSE;
  switch (postier_outbox_entry_get_state (entry))
    {
    case POSTIER_OUTBOX_STATE_QUEUED:
      return TRUE;
    case POSTIER_OUTBOX_STATE_DEFERRED:
      if (g_hash_table_contains (job->attempted, id))
        return FALSE;
      return (job->flags & POSTIER_FLUSH_ALL) != 0 || postier_outbox_entry_is_due (entry, now);
    default:
      return FALSE;
    }
}

/* One look at the outbox: the entries to take, grouped by account (in
 * ORDER, oldest first within each). Returns how many, or -1 on error. */
static gint
collect_round (FlushJob    *job,
               GPtrArray   *order,
               GHashTable  *groups,
               GError     **error)
{
  g_autoptr(GPtrArray) entries = postier_outbox_list (job->self->outbox, error);
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

static gboolean
run_flush (FlushJob      *job,
           GCancellable  *cancellable,
           GError       **error)
{
  PostierSubmitter *self = job->self;
  gboolean first = TRUE;

  for (;;)
    {
      g_autoptr(GError) lock_error = NULL;
      g_autoptr(GPtrArray) after = NULL;
      gint64 now;
      gboolean more = FALSE;

      if (!lock_outbox (self->outbox, first && (job->flags & POSTIER_FLUSH_WAIT_FOR_LOCK) != 0,
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

      if (!_postier_outbox_recover (self->outbox, error))
        {
          postier_outbox_unlock (self->outbox);
          return FALSE;
        }

      /* Rounds: what was there at the start, then whatever arrived while
       * the previous round was on the wire, until a look finds nothing. */
      while (!g_cancellable_is_cancelled (cancellable))
        {
          g_autoptr(GPtrArray) order = g_ptr_array_new ();
          g_autoptr(GHashTable) groups = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                                (GDestroyNotify) g_ptr_array_unref);
          gint taken = collect_round (job, order, groups, error);

          if (taken < 0)
            {
              postier_outbox_unlock (self->outbox);
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
                send_group (job, order->pdata[i], group, cancellable);
            }
        }

      postier_outbox_unlock (self->outbox);
      if (g_cancellable_is_cancelled (cancellable))
        break;

      /* An entry enqueued between our last look and the unlock belongs to
       * a process that found the lock busy and counts on us: look again. */
      after = postier_outbox_list (self->outbox, NULL);
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

/* ------------------------------------------------------------------------
 * Public API
 */

static void
postier_submitter_dispose (GObject *object)
{
  PostierSubmitter *self = POSTIER_SUBMITTER (object);

  postier_submitter_stop (self);
  if (self->monitor_handler != 0)
    g_clear_signal_handler (&self->monitor_handler, self->monitor);
  g_clear_object (&self->monitor);
  g_clear_object (&self->outbox);
  g_clear_object (&self->accounts);
  g_clear_object (&self->sent);

  G_OBJECT_CLASS (postier_submitter_parent_class)->dispose (object);
}

static void
postier_submitter_finalize (GObject *object)
{
  PostierSubmitter *self = POSTIER_SUBMITTER (object);

  g_clear_pointer (&self->account_fingerprints, g_hash_table_unref);
  g_main_context_unref (self->context);

  G_OBJECT_CLASS (postier_submitter_parent_class)->finalize (object);
}

static void
postier_submitter_class_init (PostierSubmitterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = postier_submitter_dispose;
  object_class->finalize = postier_submitter_finalize;

  /**
   * PostierSubmitter::entry-changed:
   * @id: the outbox entry
   * @state: its PostierOutboxState; SENT once it has left the outbox
   */
  signals[ENTRY_CHANGED] = g_signal_new ("entry-changed", G_TYPE_FROM_CLASS (klass),
                                         G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                         G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_INT);
  /**
   * PostierSubmitter::progress:
   * @id: the outbox entry on the wire
   * @bytes_sent: message bytes written so far
   * @bytes_total: the message's size
   */
  signals[PROGRESS] = g_signal_new ("progress", G_TYPE_FROM_CLASS (klass),
                                    G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                    G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_UINT64, G_TYPE_UINT64);
  /**
   * PostierSubmitter::flush-finished:
   * @sent: entries that left the outbox in this flush
   * @unsent: due entries still there (deferred, failed, needs attention,
   *   or waiting for the network)
   */
  signals[FLUSH_FINISHED] = g_signal_new ("flush-finished", G_TYPE_FROM_CLASS (klass),
                                          G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                          G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_UINT);
  /**
   * PostierSubmitter::online-changed:
   * @online: whether the network is available
   */
  signals[ONLINE_CHANGED] = g_signal_new ("online-changed", G_TYPE_FROM_CLASS (klass),
                                          G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                          G_TYPE_NONE, 1, G_TYPE_BOOLEAN);
}

static void
postier_submitter_init (PostierSubmitter *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->online = TRUE;
  self->loopback_works_offline = TRUE;
  self->account_fingerprints = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

PostierSubmitter *
postier_submitter_new (PostierOutbox       *outbox,
                       PostierAccountStore *accounts)
{
  PostierSubmitter *self;

  g_return_val_if_fail (POSTIER_IS_OUTBOX (outbox), NULL);
  g_return_val_if_fail (POSTIER_IS_ACCOUNT_STORE (accounts), NULL);

  self = g_object_new (POSTIER_TYPE_SUBMITTER, NULL);
  self->outbox = g_object_ref (outbox);
  self->accounts = g_object_ref (accounts);
  self->sent = postier_sent_store_new (NULL);
  return self;
}

PostierOutbox *
postier_submitter_get_outbox (PostierSubmitter *self)
{
  g_return_val_if_fail (POSTIER_IS_SUBMITTER (self), NULL);
  return self->outbox;
}

static void
on_network_changed (G_GNUC_UNUSED GNetworkMonitor *monitor,
                    gboolean          available,
                    PostierSubmitter *self)
{
  gboolean was_online = self->online;

  self->online = available;
  if (was_online == available)
    return;

  g_debug ("network %s", available ? "available" : "gone");
  g_signal_emit (self, signals[ONLINE_CHANGED], 0, available);
  if (available)
    {
      g_autoptr(GError) error = NULL;

      /* Back online: everything deferred is due at once. */
      if (postier_outbox_make_deferred_due (self->outbox, &error) == 0 && error != NULL)
        g_warning ("%s", error->message);
      if (self->started)
        schedule_flush (self, 0);
    }
}

void
postier_submitter_set_network_monitor (PostierSubmitter *self,
                                       GNetworkMonitor  *monitor)
{
  gboolean had_monitor, was_online;

  g_return_if_fail (POSTIER_IS_SUBMITTER (self));
  g_return_if_fail (monitor == NULL || G_IS_NETWORK_MONITOR (monitor));

  had_monitor = self->monitor != NULL;
  was_online = self->online;
  if (self->monitor_handler != 0)
    g_clear_signal_handler (&self->monitor_handler, self->monitor);
  g_clear_object (&self->monitor);

  self->monitor = monitor != NULL ? g_object_ref (monitor) : g_object_ref (g_network_monitor_get_default ());
  self->online = g_network_monitor_get_network_available (self->monitor);
  self->monitor_handler = g_signal_connect (self->monitor, "network-changed",
                                            G_CALLBACK (on_network_changed), self);
  /* Whoever shows the state (the outbox's offline banner) hears of it. */
  if (had_monitor && was_online != self->online)
    g_signal_emit (self, signals[ONLINE_CHANGED], 0, self->online);
}

void
postier_submitter_set_loopback_works_offline (PostierSubmitter *self,
                                              gboolean          works)
{
  g_return_if_fail (POSTIER_IS_SUBMITTER (self));
  self->loopback_works_offline = works;
}

static void
ensure_monitor (PostierSubmitter *self)
{
  if (self->monitor == NULL)
    postier_submitter_set_network_monitor (self, NULL);
}

gboolean
postier_submitter_get_online (PostierSubmitter *self)
{
  g_return_val_if_fail (POSTIER_IS_SUBMITTER (self), FALSE);
  ensure_monitor (self);
  return self->online;
}

static void
copy_stats (FlushJob          *job,
            PostierFlushStats *stats)
{
  if (stats != NULL)
    *stats = job->stats;
}

gboolean
postier_submitter_flush_sync (PostierSubmitter   *self,
                              PostierFlushStats  *stats,
                              GCancellable       *cancellable,
                              GError            **error)
{
  return postier_submitter_flush_full_sync (self, POSTIER_FLUSH_DUE, stats, cancellable, error);
}

gboolean
postier_submitter_flush_full_sync (PostierSubmitter   *self,
                                   PostierFlushFlags   flags,
                                   PostierFlushStats  *stats,
                                   GCancellable       *cancellable,
                                   GError            **error)
{
  FlushJob *job;
  gboolean ok;
  guint unsent;

  g_return_val_if_fail (POSTIER_IS_SUBMITTER (self), FALSE);

  ensure_monitor (self);
  job = flush_job_new (self, flags);
  ok = run_flush (job, cancellable, error);
  copy_stats (job, stats);
  unsent = job->unsent;
  /* Deliver what the worker threads queued for this context, so that a
   * caller without a main loop still sees every signal. */
  if (g_main_context_acquire (self->context))
    {
      while (g_main_context_iteration (self->context, FALSE))
        ;
      g_main_context_release (self->context);
    }
  g_signal_emit (self, signals[FLUSH_FINISHED], 0, job->stats.sent, unsent);
  flush_job_free (job);

  if (ok && unsent > 0)
    {
      g_set_error (error, POSTIER_OUTBOX_ERROR, POSTIER_OUTBOX_ERROR_FAILED,
                   g_dngettext (GETTEXT_PACKAGE,
                                "%u due message was not sent",
                                "%u due messages were not sent", unsent),
                   unsent);
      return FALSE;
    }
  return ok;
}

static void
flush_thread (GTask        *task,
              G_GNUC_UNUSED gpointer source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  FlushJob *job = task_data;
  GError *error = NULL;

  if (run_flush (job, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
postier_submitter_flush_async (PostierSubmitter    *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (POSTIER_IS_SUBMITTER (self));

  ensure_monitor (self);
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, postier_submitter_flush_async);
  g_task_set_task_data (task, flush_job_new (self, POSTIER_FLUSH_DUE), (GDestroyNotify) flush_job_free);
  g_task_run_in_thread (task, flush_thread);
}

gboolean
postier_submitter_flush_finish (PostierSubmitter   *self,
                                GAsyncResult       *result,
                                PostierFlushStats  *stats,
                                GError            **error)
{
  FlushJob *job;
  gboolean ok;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  job = g_task_get_task_data (G_TASK (result));
  ok = g_task_propagate_boolean (G_TASK (result), error);
  copy_stats (job, stats);
  g_signal_emit (self, signals[FLUSH_FINISHED], 0, job->stats.sent, job->unsent);
  return ok;
}

/* ------------------------------------------------------------------------
 * The app's mode: flush when there is something to do
 */

static void
schedule_at_next_wakeup (PostierSubmitter *self)
{
  gint64 next = postier_outbox_get_next_wakeup (self->outbox);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  if (next == 0)
    return;
  /* An hour at most, so a clock change cannot put it off for long. */
  schedule_flush (self, (guint) CLAMP (next - now, 1, 3600) * 1000);
}

static void
background_flush_done (G_GNUC_UNUSED GObject *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(PostierSubmitter) self = user_data;
  g_autoptr(GError) error = NULL;

  self->flushing = FALSE;
  g_clear_object (&self->cancellable);

  if (!postier_submitter_flush_finish (self, result, NULL, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      if (g_error_matches (error, POSTIER_OUTBOX_ERROR, POSTIER_OUTBOX_ERROR_BUSY))
        {
          g_debug ("another process is flushing; looking again later");
          if (self->started)
            schedule_flush (self, BUSY_RETRY_SECONDS * 1000);
          return;
        }
      g_warning ("flush: %s", error->message);
    }

  if (!self->started)
    return;
  if (self->again)
    {
      self->again = FALSE;
      schedule_flush (self, 0);
    }
  else
    schedule_at_next_wakeup (self);
}

static gboolean
timer_fired (gpointer user_data)
{
  PostierSubmitter *self = user_data;

  self->timer_id = 0;
  if (self->flushing)
    {
      self->again = TRUE;
      return G_SOURCE_REMOVE;
    }
  self->flushing = TRUE;
  self->cancellable = g_cancellable_new ();
  postier_submitter_flush_async (self, self->cancellable, background_flush_done, g_object_ref (self));
  return G_SOURCE_REMOVE;
}

static void
schedule_flush (PostierSubmitter *self,
                guint             delay_ms)
{
  g_clear_handle_id (&self->timer_id, g_source_remove);
  self->timer_id = g_timeout_add_full (G_PRIORITY_DEFAULT, delay_ms, timer_fired, self, NULL);
}

static gboolean
kick_timeout (gpointer user_data)
{
  PostierSubmitter *self = user_data;

  self->kick_id = 0;
  postier_submitter_kick (self);
  return G_SOURCE_REMOVE;
}

/* New entries appear in the outbox folder by a rename from a hidden name;
 * the CLI's enqueues reach the app this way. */
static void
on_outbox_changed (G_GNUC_UNUSED GFileMonitor *monitor,
                   GFile             *file,
                   GFile             *other,
                   GFileMonitorEvent  event,
                   PostierSubmitter  *self)
{
  GFile *target = event == G_FILE_MONITOR_EVENT_RENAMED ? other : file;
  g_autofree char *name = target != NULL ? g_file_get_basename (target) : NULL;

  if (name == NULL || name[0] == '.')
    return;
  if (event != G_FILE_MONITOR_EVENT_CREATED && event != G_FILE_MONITOR_EVENT_MOVED_IN &&
      event != G_FILE_MONITOR_EVENT_RENAMED)
    return;
  if (self->kick_id == 0)
    self->kick_id = g_timeout_add (KICK_DELAY_MS, kick_timeout, self);
}

/* What about an account may fix a problem that needs attention. */
static char *
account_fingerprint (PostierAccount *account)
{
  return g_strdup_printf ("%s|%s|%u|%d|%d|%s|%s|%s|%s",
                          postier_account_get_identity (account),
                          postier_account_get_host (account),
                          postier_account_get_port (account),
                          postier_account_get_security (account),
                          postier_account_get_auth (account),
                          postier_account_get_user (account) ?: "",
                          postier_account_get_ca_file (account) ?: "",
                          postier_account_get_pinned_sha256 (account) ?: "",
                          postier_account_get_password_command (account) ?: "");
}

static void
remember_accounts (PostierSubmitter *self,
                   GPtrArray        *changed)
{
  g_autoptr(GPtrArray) list = postier_account_store_list (self->accounts);

  for (guint i = 0; i < list->len; i++)
    {
      PostierAccount *account = g_ptr_array_index (list, i);
      const char *name = postier_account_get_name (account);
      g_autofree char *fingerprint = account_fingerprint (account);
      const char *before = g_hash_table_lookup (self->account_fingerprints, name);

      if (changed != NULL && g_strcmp0 (before, fingerprint) != 0)
        g_ptr_array_add (changed, g_strdup (name));
      g_hash_table_replace (self->account_fingerprints, g_strdup (name), g_steal_pointer (&fingerprint));
    }
}

static void
on_accounts_changed (G_GNUC_UNUSED PostierAccountStore *accounts,
                     PostierSubmitter    *self)
{
  g_autoptr(GPtrArray) changed = g_ptr_array_new_with_free_func (g_free);

  remember_accounts (self, changed);
  for (guint i = 0; i < changed->len; i++)
    postier_submitter_account_changed (self, changed->pdata[i]);
}

guint
postier_submitter_account_changed (PostierSubmitter *self,
                                   const char       *account_name)
{
  g_autoptr(GPtrArray) entries = NULL;
  guint retried = 0;

  g_return_val_if_fail (POSTIER_IS_SUBMITTER (self), 0);

  entries = postier_outbox_list (self->outbox, NULL);
  for (guint i = 0; entries != NULL && i < entries->len; i++)
    {
      PostierOutboxEntry *entry = g_ptr_array_index (entries, i);
      g_autoptr(GError) error = NULL;

      if (postier_outbox_entry_get_state (entry) != POSTIER_OUTBOX_STATE_NEEDS_ATTENTION ||
          g_strcmp0 (postier_outbox_entry_get_account_name (entry), account_name) != 0)
        continue;
      if (postier_outbox_retry (self->outbox, postier_outbox_entry_get_id (entry), &error))
        retried++;
      else
        g_warning ("%s", error->message);
    }
  if (retried > 0)
    postier_submitter_kick (self);
  return retried;
}

void
postier_submitter_start (PostierSubmitter *self)
{
  g_autoptr(GFile) dir = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (POSTIER_IS_SUBMITTER (self));

  if (self->started)
    return;
  self->started = TRUE;
  ensure_monitor (self);

  remember_accounts (self, NULL);
  self->accounts_handler = g_signal_connect (self->accounts, "changed",
                                             G_CALLBACK (on_accounts_changed), self);

  /* The folder must exist to be watched. */
  if (!postier_ensure_private_dir (postier_outbox_get_dir (self->outbox), &error))
    {
      g_warning ("%s", error->message);
      g_clear_error (&error);
    }
  dir = g_file_new_for_path (postier_outbox_get_dir (self->outbox));
  self->dir_monitor = g_file_monitor_directory (dir, G_FILE_MONITOR_WATCH_MOVES, NULL, &error);
  if (self->dir_monitor != NULL)
    g_signal_connect (self->dir_monitor, "changed", G_CALLBACK (on_outbox_changed), self);
  else
    g_warning ("cannot watch the outbox: %s", error->message);

  schedule_flush (self, 0);
}

void
postier_submitter_stop (PostierSubmitter *self)
{
  g_return_if_fail (POSTIER_IS_SUBMITTER (self));

  self->started = FALSE;
  g_clear_handle_id (&self->timer_id, g_source_remove);
  g_clear_handle_id (&self->kick_id, g_source_remove);
  if (self->accounts_handler != 0)
    g_clear_signal_handler (&self->accounts_handler, self->accounts);
  if (self->dir_monitor != NULL)
    {
      g_file_monitor_cancel (self->dir_monitor);
      g_clear_object (&self->dir_monitor);
    }
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
}

void
postier_submitter_kick (PostierSubmitter *self)
{
  g_return_if_fail (POSTIER_IS_SUBMITTER (self));

  if (!self->started)
    return;
  if (self->flushing)
    self->again = TRUE;
  else
    schedule_flush (self, 0);
}

gboolean
postier_submitter_is_busy (PostierSubmitter *self)
{
  g_return_val_if_fail (POSTIER_IS_SUBMITTER (self), FALSE);
  return self->flushing;
}
