/* postier-send-pipeline.c — one account's due entries through its relay
 *
 * Why a file of its own: PostierSubmitter decides WHEN to flush (timers,
 * folder monitor, network, account changes); postier-send-pipeline-flush.c
 * decides WHAT a flush takes (the lock, the due entries by account); this
 * file is HOW one account's group goes out: over one SMTP session, with
 * disk work beside the dialogue so that the relay sets the pace. Three
 * threads hand the entries on:
 *
 *   entries[0 .. n) in order
 *        │
 *        ▼
 *   mark thread ── entries[marked..] durably "sending", at most MARK_AHEAD
 *        │         ahead of the one on the wire (the delivery rules want
 *        │         the mark on disk before the data goes out), several
 *        │         at a time for one disk commit
 *        ▼  wait_marked()
 *   SMTP thread ── opens the session, sends entries[i], hands its Outcome
 *        │         over once entries[i+1] is out; waits when MAX_UNSETTLED
 *        │         outcomes (or MAX_UNSETTLED_BYTES) are not settled yet
 *        ▼  hand_over() → group->outcomes
 *   settle thread ─ concludes a batch by the delivery rules: Sent copies
 *        │          written, sent entries set aside, others rescheduled
 *        ▼  _postier_sent_aside_put()
 *   commit thread ─ every few dozen set aside: their copies flushed to
 *                   disk, then their folders removed (postier-sent-aside.c)
 *
 * The first three share one Group under its mutex; entries reach the owner as
 * callbacks from these threads (PostierSendReport).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-submitter"

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <unistd.h>

#include "postier-account-client.h"
#include "postier-delivery-rules.h"
#include "postier-error.h"
#include "postier-account-resolver.h"
#include "postier-outbox-private.h"
#include "postier-paths.h"
#include "postier-relay-limits.h"
#include "postier-send-pipeline-private.h"
#include "postier-sent-aside.h"
#include "postier-sent-store-private.h"
#include "postier-send-transactions.h"
#include "postier-smtp-client.h"
#include "postier-threads.h"

/* The windows that bound a crash's duplicates and false alarms are in
 * postier-send-pipeline-private.h, where the crash test reads them. The
 * mark thread tops up its window (MARK_AHEAD) once it has fallen to
 * MARK_REFILL: a disk commit per message kept the relay waiting (issue
 * 12), one per several does not. */
#define MARK_AHEAD POSTIER_SEND_MARK_AHEAD
#define MARK_REFILL (POSTIER_SEND_MARK_AHEAD / 2)
/* At most this many entries sent and not yet settled (see hand_over),
 * and only one once they hold this many bytes: a large message's Sent copy
 * (read, written, fsynced) takes as long as sending it, so without this
 * bound the queue stays full and a crash repeats the whole window. */
#define MAX_UNSETTLED POSTIER_SEND_MAX_UNSETTLED
#define MAX_UNSETTLED_BYTES (1024 * 1024)
/* The settle thread takes outcomes this many at a time, or once the
 * oldest has waited SETTLE_DELAY_US, or at once when the SMTP thread needs
 * room: woken for each one, it and the mark thread (on the same condition
 * then) cost 15 context switches a message between them and the disk
 * (perf stat, 3 000 messages). */
#define SETTLE_BATCH (POSTIER_SEND_MAX_UNSETTLED / 2)
#define SETTLE_DELAY_US (20 * 1000)
/* Progress signals at most this often per entry. */
#define PROGRESS_INTERVAL_US (100 * 1000)
/* Recipients taken, told to the limiter together (accounts without limits). */
#define RECORD_EVERY 64

static void
report_entry (PostierFlushJob    *job,
              PostierOutboxEntry *entry,
              PostierOutboxState  state)
{
  if (job->report.entry_changed != NULL)
    job->report.entry_changed (job->report_data, postier_outbox_entry_get_id (entry), state);
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
  gboolean            data_complete; /* the whole message went out, no verdict read */
  PostierRelayHold    hold;      /* the account must wait (relay limits) */
  char               *copy;      /* its Sent copy's name (settle thread) */
} Outcome;

static void
outcome_free (Outcome *outcome)
{
  g_clear_object (&outcome->entry);
  g_clear_pointer (&outcome->results, g_array_unref);
  g_clear_error (&outcome->error);
  g_free (outcome->transcript);
  g_free (outcome->copy);
  g_free (outcome);
}

/* One account's due entries, shared by three threads: the SMTP thread
 * sends them in order; the mark thread keeps the next ones durably marked
 * "sending" just ahead of it; the settle thread concludes finished ones in
 * batches. */
typedef struct {
  PostierFlushJob *job;
  const char   *account_name;
  GPtrArray    *entries;         /* PostierOutboxEntry, in order */
  GCancellable *cancellable;
  PostierSentAside *aside;       /* sent entries until their copies are committed */

  GMutex        mutex;
  GCond         cond;            /* the SMTP thread waits: marks, room */
  GCond         mark_cond;       /* the mark thread waits: entries handed over */
  GCond         settle_cond;     /* the settle thread waits: outcomes, a mark batch */
  gint64        oldest_outcome;  /* when the oldest queued outcome was pushed */
  gboolean      room_wanted;     /* the SMTP thread waits for outcomes to settle */
  guint         marked;          /* entries[0, marked) are durably "sending" (set
                                  * atomically: wait_marked() reads it without
                                  * the mutex) */
  gboolean      marking;         /* the mark thread is writing entries[marked] */
  guint         handed_over;     /* outcomes pushed for entries[0, handed_over) */
  GQueue        outcomes;
  gint          unsettled;       /* outcomes queued or settling, and their bytes: */
  guintptr      unsettled_bytes; /* atomic, for can_hold() without the mutex */
  gint64        waited_for_marks;   /* µs the SMTP thread waited, for g_debug */
  gint64        waited_for_settle;
  gint64        in_send;
  guint         batches;
  guint         mark_batches;
  guint         removed;         /* entries sent and gone (settle thread) */
  gboolean      finished;        /* the SMTP thread pushed its last outcome */
  GError       *mark_error;      /* marking failed: the disk is in trouble */

  /* Progress of the entry on the wire (SMTP thread only). */
  Outcome      *held;            /* the last one sent, handed over once the next is out */
  guint         unrecorded;      /* recipients taken, not yet told to the limiter */
  gint64        last_record;     /* when they last were (monotonic µs) */
  const char   *current_id;
  guint64       current_total;
  guint64       current_done;
  gint64        last_progress;
} Group;

/* Tells the limiter what the relay took of the messages sent before. */
static void
record_taken (Group *group)
{
  if (group->unrecorded == 0)
    return;
  postier_relay_limiter_record (postier_relay_limiter_get_default (), group->account_name,
                                group->unrecorded);
  group->unrecorded = 0;
  group->last_record = g_get_monotonic_time ();
}

static void release_held (Group *group);

static void
on_progress (guint64  bytes_sent,
             guint64  bytes_total,
             gpointer user_data)
{
  Group *group = user_data;
  gint64 now = g_get_monotonic_time ();

  group->current_done = bytes_sent;
  group->current_total = bytes_total;
  /* The message is out and the relay busy with it: the time to record
   * what it took before, off its path, every RECORD_EVERY recipients or
   * second (see send_one). */
  if (bytes_sent >= bytes_total)
    {
      if (group->unrecorded >= RECORD_EVERY || now - group->last_record >= G_USEC_PER_SEC)
        record_taken (group);
      release_held (group);
    }
  if (bytes_sent < bytes_total && now - group->last_progress < PROGRESS_INTERVAL_US)
    return;
  group->last_progress = now;
  if (group->job->report.progress != NULL)
    group->job->report.progress (group->job->report_data, group->current_id, bytes_sent, bytes_total);
}

/* HOLD: NULL, or why the account must wait now (relay limits). */
static Outcome *
new_outcome (PostierOutboxEntry     *entry,
             OutcomeKind             kind,
             GArray                 *results,
             const GError           *error,
             char                   *transcript,
             gboolean                data_complete,
             const PostierRelayHold *hold)
{
  Outcome *outcome = g_new0 (Outcome, 1);

  if (hold != NULL)
    outcome->hold = *hold;

  outcome->entry = g_object_ref (entry);
  outcome->kind = kind;
  outcome->results = results;
  outcome->error = error != NULL ? g_error_copy (error) : NULL;
  outcome->transcript = transcript;
  outcome->data_complete = data_complete;
  return outcome;
}

/* The window of sent but unsettled outcomes (see hand_over): one check
 * for hand_over()'s wait and can_hold()'s question. */
static gboolean
past_unsettled_bound (guint   unsettled,
                      guint64 bytes)
{
  return unsettled > MAX_UNSETTLED || (unsettled > 1 && bytes > MAX_UNSETTLED_BYTES);
}

/* OUTCOME to the settle thread, in the order of the entries. */
static void
hand_over (Group   *group,
           Outcome *outcome)
{
  g_mutex_lock (&group->mutex);
  outcome->index = group->handed_over++;
  if (g_queue_is_empty (&group->outcomes))
    group->oldest_outcome = g_get_monotonic_time ();
  g_queue_push_tail (&group->outcomes, outcome);
  g_atomic_int_inc (&group->unsettled);
  g_atomic_pointer_add (&group->unsettled_bytes, (gssize) postier_outbox_entry_get_size (outcome->entry));
  if (g_queue_get_length (&group->outcomes) >= SETTLE_BATCH)
    g_cond_signal (&group->settle_cond);
  if (group->marked < group->handed_over + MARK_REFILL)
    g_cond_signal (&group->mark_cond);
  /* Sent but not yet settled is what a crash turns into duplicates: when
   * the disk falls behind the relay, the relay waits. So one crash repeats
   * at most MAX_UNSETTLED entries, plus the one whose end of data was sent
   * but not yet answered; two while the messages are over 1 MiB. */
  {
    gint64 start = g_get_monotonic_time ();

    while (past_unsettled_bound ((guint) g_atomic_int_get (&group->unsettled),
                                 (guintptr) g_atomic_pointer_get (&group->unsettled_bytes)))
      {
        group->room_wanted = TRUE;
        g_cond_signal (&group->settle_cond);
        g_cond_wait (&group->cond, &group->mutex);
      }
    group->room_wanted = FALSE;
    group->waited_for_settle += g_get_monotonic_time () - start;
  }
  g_mutex_unlock (&group->mutex);
}

/* The SMTP thread hands a message's outcome over once the next one is out,
 * while the relay works, not between the relay's reply and our next
 * command: there the mutex (held at times by a preempted niced thread) and
 * the other threads' wake-ups kept the relay waiting (issue 12). */
static void
release_held (Group *group)
{
  if (group->held != NULL)
    hand_over (group, g_steal_pointer (&group->held));
}

/* Whether ENTRY's outcome may be held until the next message is out: only
 * when hand_over() would not wait with both unsettled, so a crash's bound
 * on duplicates is unchanged (the other threads only lower the counts). */
static gboolean
can_hold (Group              *group,
          PostierOutboxEntry *entry)
{
  return !past_unsettled_bound ((guint) g_atomic_int_get (&group->unsettled) + 1,
                                (guintptr) g_atomic_pointer_get (&group->unsettled_bytes) +
                                postier_outbox_entry_get_size (entry));
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
  Outcome *outcome = new_outcome (entry, kind, results, error, transcript, data_complete, NULL);

  release_held (group);
  hand_over (group, outcome);
}

/* Blocks the SMTP thread until entry INDEX is durably marked. */
static gboolean
wait_marked (Group   *group,
             guint    index,
             GError **error)
{
  gboolean ok;
  gint64 start;

  /* Marked ahead, as it almost always is: no mutex on the relay's path. */
  if ((guint) g_atomic_int_get (&group->marked) > index)
    return TRUE;
  release_held (group);
  start = g_get_monotonic_time ();
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

      if (!postier_delivery_recipient_state (r->code, r->accepted, &state))
        continue;
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
  PostierFlushJob *job = group->job;

  g_mutex_lock (&group->mutex);
  while (!group->finished && group->mark_error == NULL && group->marked < group->entries->len)
    {
      g_autoptr(GError) error = NULL;
      guint first = group->marked;
      guint end;
      gboolean ok;

      /* Handed over unmarked: the SMTP thread gave up on the rest. */
      if (group->marked < group->handed_over)
        break;
      if (group->marked >= group->handed_over + MARK_REFILL)
        {
          g_cond_wait (&group->mark_cond, &group->mutex);
          continue;
        }
      end = MIN (group->entries->len, group->handed_over + MARK_AHEAD);
      group->marking = TRUE;
      g_mutex_unlock (&group->mutex);

      ok = _postier_outbox_marks_mark_sending (job->outbox,
                                               (PostierOutboxEntry **) group->entries->pdata + first,
                                               end - first, &error);
      for (guint i = first; ok && i < end; i++)
        report_entry (job, g_ptr_array_index (group->entries, i), POSTIER_OUTBOX_STATE_SENDING);

      g_mutex_lock (&group->mutex);
      group->marking = FALSE;
      group->mark_batches++;
      if (ok)
        g_atomic_int_set (&group->marked, end);
      else
        group->mark_error = g_steal_pointer (&error);
      g_cond_broadcast (&group->cond);
      g_cond_signal (&group->settle_cond);
    }
  g_mutex_unlock (&group->mutex);
  return NULL;
}

/* An entry's new state from its outcome, in memory; its transcript. */
static void
conclude (PostierFlushJob *job,
          Outcome         *outcome,
          gint64           now)
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
      /* Sent whole, no verdict: the next attempt may deliver it twice. */
      if (outcome->data_complete && postier_outbox_entry_get_state (entry) != POSTIER_OUTBOX_STATE_SENT)
        _postier_outbox_entry_set_possible_duplicate (entry, TRUE);
      /* Deferred by the relay's limits: back when the account may send,
       * not on the retry schedule. */
      if (outcome->hold.reason != POSTIER_HOLD_NONE &&
          postier_outbox_entry_get_state (entry) == POSTIER_OUTBOX_STATE_DEFERRED)
        {
          _postier_outbox_entry_set_next_attempt (entry, outcome->hold.until);
          if (outcome->error == NULL)
            {
              g_autofree char *why = postier_relay_hold_describe (&outcome->hold, now);
              _postier_outbox_entry_set_last_error (entry, why);
            }
        }
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
      _postier_outbox_append_transcript (job->outbox, entry, heading, outcome->transcript);
    }
}

/* One outcome of a batch: its entry concluded and, sent, its Sent copy
 * written (not yet flushed to disk); then it leaves the outbox at once,
 * releasing the SMTP thread: a sent one with a copy is set aside (its
 * message stays until a commit of a few dozen copies has its copy on disk,
 * postier-sent-aside.c), the others are saved or, sent without a copy,
 * renamed into TRASH. No disk wait here: a commit per batch held the
 * relay back (issue 12). The aside commits sync the outbox folder every
 * few dozen entries and the group ends with both folders synced; until
 * then a power cut can only bring a sent entry back as a possible
 * duplicate, never lose a message; a kill loses nothing of the page cache.
 * MARKED: entries[0, marked) were marked "sending" in the journal. */
static void
settle_one (Group     *group,
            Outcome   *outcome,
            guint      marked,
            gint64     now,
            GPtrArray *trash)
{
  PostierFlushJob *job = group->job;
  PostierOutboxEntry *entry = outcome->entry;
  g_autoptr(GPtrArray) one = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;

  conclude (job, outcome, now);
  if (postier_outbox_entry_get_state (entry) == POSTIER_OUTBOX_STATE_SENT)
    outcome->copy = _postier_sent_aside_write_copy (group->aside, entry, now);

  g_ptr_array_add (one, entry);
  if (outcome->copy != NULL
      ? !_postier_sent_aside_put (group->aside, entry, outcome->copy, &error)
      : !_postier_outbox_settle_batch (job->outbox, one, FALSE, trash, &error))
    g_warning ("%s", error->message);
  /* Saved as it stays: no longer marked in the journal either, or a
   * later crash of this flush would flag it (a false alarm). */
  if (outcome->index < marked && postier_outbox_entry_get_state (entry) != POSTIER_OUTBOX_STATE_SENT)
    _postier_outbox_marks_drop (job->outbox, postier_outbox_entry_get_id (entry));
  g_mutex_lock (&group->mutex);
  g_atomic_int_dec_and_test (&group->unsettled);
  g_atomic_pointer_add (&group->unsettled_bytes, -(gssize) postier_outbox_entry_get_size (entry));
  if (group->room_wanted)
    g_cond_broadcast (&group->cond);
  g_mutex_unlock (&group->mutex);
}

/* The settle thread's work on a batch: states, Sent copies, then the
 * entries saved, set aside (sent) or removed (sent, no copy kept). */
static void
settle_batch (Group     *group,
              GPtrArray *batch)
{
  PostierFlushJob *job = group->job;
  PostierFlushStats *stats = &job->stats;
  g_autoptr(GPtrArray) trash = g_ptr_array_new_with_free_func (g_free);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  guint marked;

  g_mutex_lock (&group->mutex);
  marked = group->marked;
  g_mutex_unlock (&group->mutex);
  for (guint i = 0; i < batch->len; i++)
    settle_one (group, g_ptr_array_index (batch, i), marked, now, trash);
  /* Sent without a copy, renamed to .trash-: out of the outbox (a crash
   * cannot send them again); their folders go now. */
  for (guint i = 0; i < trash->len; i++)
    _postier_outbox_remove_folder (g_ptr_array_index (trash, i));
  /* The copies' commits falling behind hold this thread, and through
   * MAX_UNSETTLED the relay. */
  _postier_sent_aside_wait_room (group->aside);

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
      report_entry (job, outcome->entry, postier_outbox_entry_get_state (outcome->entry));
    }
}

/* Under the mutex: whether the settle thread should take the queued
 * outcomes now rather than wait for more (SETTLE_BATCH). */
static gboolean
settle_due (Group *group)
{
  guint queued = g_queue_get_length (&group->outcomes);

  if (group->finished)
    return TRUE;
  return queued > 0 &&
         (group->room_wanted || queued >= SETTLE_BATCH ||
          g_get_monotonic_time () >= group->oldest_outcome + SETTLE_DELAY_US);
}

/* Under the mutex: the group is over (or gave up), every thread looks. */
static void
wake_all (Group *group)
{
  g_cond_broadcast (&group->cond);
  g_cond_broadcast (&group->mark_cond);
  g_cond_broadcast (&group->settle_cond);
}

static gpointer
settle_thread (gpointer data)
{
  Group *group = data;

  /* Settling has slack (the relay waits only past
   * POSTIER_SEND_MAX_UNSETTLED): it gives the two ends of the dialogue,
   * this process's SMTP thread and the relay's own, the CPU first. */
  postier_thread_lower_priority (POSTIER_BACKGROUND_NICE);
  g_mutex_lock (&group->mutex);
  for (;;)
    {
      g_autoptr(GPtrArray) batch = NULL;
      guint last_index;

      while (!settle_due (group))
        {
          if (g_queue_is_empty (&group->outcomes))
            g_cond_wait (&group->settle_cond, &group->mutex);
          else if (!g_cond_wait_until (&group->settle_cond, &group->mutex,
                                       group->oldest_outcome + SETTLE_DELAY_US))
            break;
        }
      if (g_queue_is_empty (&group->outcomes))
        {
          if (group->finished)
            break;
          continue;
        }

      /* An entry the SMTP thread gave up on may still be in the mark
       * thread's hands: wait until that thread is done with it. */
      last_index = ((Outcome *) g_queue_peek_tail (&group->outcomes))->index;
      while (last_index >= group->marked && group->marking)
        g_cond_wait (&group->settle_cond, &group->mutex);

      batch = g_ptr_array_new_with_free_func ((GDestroyNotify) outcome_free);
      while (!g_queue_is_empty (&group->outcomes))
        g_ptr_array_add (batch, g_queue_pop_head (&group->outcomes));
      group->batches++;
      g_mutex_unlock (&group->mutex);
      settle_batch (group, batch);
      g_mutex_lock (&group->mutex);
      g_cond_broadcast (&group->cond);
    }
  g_mutex_unlock (&group->mutex);
  return NULL;
}

static gboolean
is_cancelled (const GError *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* A new session for the group, or NULL with ERROR (and the failed
 * dialogue in TRANSCRIPT when the relay answered). */
static PostierSmtpClient *
open_session (Group           *group,
              PostierAccount  *account,
              char           **transcript,
              GError         **error)
{
  g_autoptr(PostierSmtpClient) client = postier_account_new_smtp_client (account, NULL, 0,
                                                                         group->cancellable, error);

  if (client == NULL)
    return NULL;
  postier_smtp_client_set_progress_func (client, on_progress, group);
  group->job->stats.connections++;
  if (!postier_smtp_client_open (client, group->cancellable, error))
    {
      *transcript = postier_smtp_client_take_transcript (client);
      return NULL;
    }
  if (postier_account_get_kind (account) == POSTIER_ACCOUNT_KIND_RELAY)
    /* The Sandbox's check list compares sizes with this. */
    postier_relay_size_limit_remember (postier_account_get_name (account),
                                       postier_smtp_client_get_size_limit (client));
  return g_steal_pointer (&client);
}

/* Whether a failed send left the relay's verdict unknown: the whole
 * message went out and the connection broke (or stopped making sense)
 * before the reply. The relay may have taken it (RFC 1047), so the retry
 * is a possible duplicate, as after a crash at the same point. */
static gboolean
verdict_unknown (Group        *group,
                 const GError *error)
{
  return group->current_total > 0 && group->current_done >= group->current_total &&
         (g_error_matches (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_NETWORK) ||
          g_error_matches (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_PROTOCOL));
}

/* Sends ENTRY (durably marked) on CLIENT, in as many transactions as the
 * relay's limits make, and hands its outcome on; FALSE when the group
 * must stop: the flush was cancelled, or the account is held by its
 * limits (then the rest of the group waits untouched, oldest first).
 * For an account without limits of its own nothing waits on the
 * limiter's count, so what the relay took is recorded once the next
 * message is out (record_taken), not between the relay's reply and our
 * next write: its lock and append were 9 of the 20 system calls there.
 * And in batches: a kill forgets at most a second's or RECORD_EVERY's
 * worth, which only a limit set later that day would have counted. */
static gboolean
send_one (Group              *group,
          PostierSmtpClient  *client,
          PostierOutboxEntry *entry)
{
  PostierAccount *account = g_hash_table_lookup (group->job->accounts, group->account_name);
  PostierRelayHold hold;
  gboolean attempted;
  g_autoptr(PostierEnvelope) envelope = postier_outbox_entry_dup_pending_envelope (entry);
  g_autofree char *message_path = postier_outbox_entry_get_message_path (entry);
  g_autoptr(GArray) results = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();
  Outcome *outcome;
  gboolean ok;

  group->current_id = postier_outbox_entry_get_id (entry);
  group->current_done = 0;
  group->current_total = 0;
  group->last_progress = 0;
  ok = _postier_send_transactions (client, account, postier_relay_limiter_get_default (),
                                   envelope, message_path, &attempted, &results, &hold,
                                   &group->unrecorded, group->cancellable, &error);
  group->in_send += g_get_monotonic_time () - start;
  if (!attempted && !is_cancelled (error))
    {
      push_outcome (group, entry, OUTCOME_UNTOUCHED, NULL, NULL, NULL, FALSE);
      return FALSE;
    }
  if (!ok && is_cancelled (error))
    {
      gboolean complete = group->current_total > 0 &&
                          group->current_done >= group->current_total;
      push_outcome (group, entry, OUTCOME_UNTOUCHED, NULL, NULL,
                    postier_smtp_client_take_transcript (client), complete);
      return FALSE;
    }
  outcome = new_outcome (entry, OUTCOME_ATTEMPTED, g_steal_pointer (&results), ok ? NULL : error,
                         postier_smtp_client_take_transcript (client),
                         !ok && verdict_unknown (group, error), &hold);
  release_held (group);
  if (ok && hold.reason == POSTIER_HOLD_NONE && can_hold (group, entry))
    group->held = outcome;
  else
    hand_over (group, outcome);
  return hold.reason == POSTIER_HOLD_NONE;
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
      g_autoptr(GError) error = NULL;

      if (g_cancellable_is_cancelled (group->cancellable))
        {
          cancelled = TRUE;
          break;
        }

      if (client == NULL || !postier_smtp_client_is_open (client))
        {
          char *transcript = NULL;

          g_clear_object (&client);
          release_held (group);  /* opening may take a while */
          client = open_session (group, account, &transcript, &error);
          if (client == NULL && is_cancelled (error))
            {
              g_free (transcript);
              cancelled = TRUE;
              break;
            }
          if (client == NULL)
            {
              /* The entry that would have gone first keeps the dialogue. */
              push_outcome (group, entry, OUTCOME_FAILED, NULL, error, transcript, FALSE);
              fatal = g_steal_pointer (&error);
              i++;
              break;
            }
        }

      if (!wait_marked (group, i, &error))
        {
          fatal = g_steal_pointer (&error);
          break;
        }
      if (!send_one (group, client, entry))
        {
          cancelled = TRUE;
          i++;
          break;
        }
    }

  /* Whatever was not attempted: concluded with the error that stopped the
   * group, or left as it was when the flush was cancelled. */
  for (; i < group->entries->len; i++)
    push_outcome (group, g_ptr_array_index (group->entries, i),
                  cancelled || fatal == NULL ? OUTCOME_UNTOUCHED : OUTCOME_FAILED,
                  NULL, fatal, NULL, FALSE);

  release_held (group);
  if (client != NULL)
    postier_smtp_client_close (client, NULL);
  record_taken (group);

  g_mutex_lock (&group->mutex);
  group->finished = TRUE;
  wake_all (group);
  g_mutex_unlock (&group->mutex);
}

/* The group's account, as the one resolver has it: the snapshot's, or a
 * GNOME Online Accounts one asked for now, on the flush's thread (it
 * blocks), before the group's threads start (one that is gone is a
 * placeholder whose sign-in says why). The snapshot keeps it. */
static PostierAccount *
group_account (PostierFlushJob *job,
               const char      *account_name,
               GCancellable    *cancellable)
{
  PostierAccount *account = postier_account_resolve_for_send (job->accounts, account_name, cancellable);

  if (account != NULL)
    g_hash_table_replace (job->accounts, (gpointer) postier_account_get_name (account), account);
  return account;
}

void
_postier_send_pipeline_run (PostierFlushJob *job,
                            const char      *account_name,
                            GPtrArray       *entries,
                            GCancellable    *cancellable)
{
  PostierAccount *account = group_account (job, account_name, cancellable);
  Group group = { 0 };
  GThread *marker;
  GThread *settler;
  guint commits = 0;

  group.job = job;
  group.account_name = account_name;
  group.entries = entries;
  group.cancellable = cancellable;
  group.aside = _postier_sent_aside_new (job->outbox, job->sent);
  g_mutex_init (&group.mutex);
  g_cond_init (&group.cond);
  g_cond_init (&group.mark_cond);
  g_cond_init (&group.settle_cond);
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
      wake_all (&group);
      g_mutex_unlock (&group.mutex);
    }
  else
    smtp_thread_send_group (&group, account);

  g_thread_join (marker);
  g_thread_join (settler);

  /* What settle_batch left to the journal, made durable now. */
  {
    g_autoptr(GError) error = NULL;

    /* A commit that failed left its entries aside: the next flush's
     * recovery writes their copies again (it warned). */
    _postier_sent_aside_finish (group.aside, &commits);

    if (group.removed > 0 &&
        (!_postier_sent_store_sync (job->sent, &error) ||
         !postier_fsync_dir (postier_outbox_get_dir (job->outbox), &error)))
      g_warning ("%s", error->message);
    /* Every entry it names is settled: gone, or saved as it stays. */
    else if (group.mark_batches > 0)
      _postier_outbox_marks_clear (job->outbox);
  }
  g_debug ("%s: %u entries; %.1f ms in the SMTP dialogue; the relay waited %.1f ms for marks "
           "and %.1f ms for settling; %u mark batches, %u settle batches, %u Sent commits",
           account_name, entries->len, group.in_send / 1000.0, group.waited_for_marks / 1000.0,
           group.waited_for_settle / 1000.0, group.mark_batches, group.batches, commits);
  g_clear_error (&group.mark_error);
  g_mutex_clear (&group.mutex);
  g_cond_clear (&group.cond);
  g_cond_clear (&group.mark_cond);
  g_cond_clear (&group.settle_cond);
}
