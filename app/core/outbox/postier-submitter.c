/* postier-submitter.c — empties the outbox into the relays: the scheduler
 *
 * Decides WHEN to flush: at start, when the outbox folder gets a new entry
 * (its folder monitor is the one way the submitter learns of new work,
 * whichever process enqueued it), when the next deferred attempt comes
 * due, when the network comes back, when an account that needed attention
 * changes. A flush itself (a PostierFlushJob) runs on a worker thread
 * through the send pipeline (postier-send-pipeline*.c), whose per-entry
 * reports come back here as signals on the submitter's main context.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-submitter"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "postier-error.h"
#include "postier-outbox-goa.h"
#include "postier-outbox-private.h"
#include "postier-paths.h"
#include "postier-send-pipeline-private.h"
#include "postier-relay-limiter.h"
#include "postier-submitter.h"
#include "postier-threads.h"
#include "postier-wall-timer.h"

/* When another process holds the flush lock, look again after this long. */
#define BUSY_RETRY_SECONDS 30
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
  PostierWallTimer    *wake;        /* the next not-before or retry, by the wall clock */
  guint                wake_serial; /* of the newest search for the next wake-up */
  GCancellable        *cancellable;
  GFileMonitor        *dir_monitor;
  gulong               accounts_handler;
  GHashTable          *account_fingerprints;  /* name → settings summary */
  PostierGoaAccounts  *goa;                   /* followed, when handed in */
  gulong               goa_handler;
  guint                making_due;            /* outbox reads in a thread making entries due
                                                 (network back, account changed, GOA) */
};

G_DEFINE_FINAL_TYPE (PostierSubmitter, postier_submitter, G_TYPE_OBJECT)

enum {
  ENTRY_CHANGED,
  PROGRESS,
  FLUSH_FINISHED,
  ONLINE_CHANGED,
  ACCOUNT_BACK,
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
 * Public API
 */

static void
postier_submitter_dispose (GObject *object)
{
  PostierSubmitter *self = POSTIER_SUBMITTER (object);

  postier_submitter_stop (self);
  postier_submitter_follow_online_accounts (self, NULL);
  g_clear_pointer (&self->wake, postier_wall_timer_free);
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
  /**
   * PostierSubmitter::account-back:
   * @account_name: the Online Accounts account ("goa:ID") that came back
   * @retried: how many of its entries that needed attention were made due
   */
  signals[ACCOUNT_BACK] = g_signal_new ("account-back", G_TYPE_FROM_CLASS (klass),
                                        G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                        G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_UINT);
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

/* Entries made due in a worker thread (the network back, an account
 * changed): a flush for them. */
static void
made_due (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(PostierSubmitter) self = user_data;

  self->making_due--;
  g_debug ("%u entries made due", postier_outbox_made_due_finish (POSTIER_OUTBOX (source), result));
  postier_submitter_kick (self);
}

static void
on_network_changed (G_GNUC_UNUSED GNetworkMonitor *monitor,
                    gboolean          available,
                    PostierSubmitter *self)
{
  if (self->online == available)
    return;
  self->online = available;

  g_debug ("network %s", available ? "available" : "gone");
  g_signal_emit (self, signals[ONLINE_CHANGED], 0, available);
  if (!available)
    return;
  /* Back online: everything deferred is due at once, the outbox read in a
   * worker thread (1 000 entries held the window 28 ms). */
  self->making_due++;
  postier_outbox_make_deferred_due_async (self->outbox, made_due, g_object_ref (self));
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
report_entry_changed (gpointer            data,
                      const char         *id,
                      PostierOutboxState  state)
{
  emit_later (data, ENTRY_CHANGED, id, state, 0, 0);
}

static void
report_progress (gpointer    data,
                 const char *id,
                 guint64     bytes_sent,
                 guint64     bytes_total)
{
  emit_later (data, PROGRESS, id, POSTIER_OUTBOX_STATE_SENDING, bytes_sent, bytes_total);
}

static const PostierSendReport report = { report_entry_changed, report_progress };

/* The accounts and the network as they are now. */
static PostierFlushJob *
new_flush_job (PostierSubmitter  *self,
               PostierFlushFlags  flags)
{
  g_autoptr(GPtrArray) accounts = postier_account_store_list (self->accounts);
  PostierFlushJob *job = _postier_flush_job_new (self->outbox, self->sent, accounts, flags);

  _postier_flush_job_set_network (job, postier_submitter_get_online (self),
                                  self->loopback_works_offline);
  _postier_flush_job_set_report (job, &report, g_object_ref (self), g_object_unref);
  return job;
}

static void
copy_stats (PostierFlushJob   *job,
            PostierFlushStats *stats)
{
  if (stats != NULL)
    *stats = *_postier_flush_job_get_stats (job);
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
  PostierFlushJob *job;
  gboolean ok;
  guint unsent;

  g_return_val_if_fail (POSTIER_IS_SUBMITTER (self), FALSE);

  ensure_monitor (self);
  job = new_flush_job (self, flags);
  ok = _postier_flush_job_run (job, cancellable, error);
  copy_stats (job, stats);
  unsent = _postier_flush_job_get_unsent (job);
  /* Deliver what the worker threads queued for this context, so that a
   * caller without a main loop still sees every signal. */
  if (g_main_context_acquire (self->context))
    {
      while (g_main_context_iteration (self->context, FALSE))
        ;
      g_main_context_release (self->context);
    }
  g_signal_emit (self, signals[FLUSH_FINISHED], 0, _postier_flush_job_get_stats (job)->sent, unsent);
  _postier_flush_job_free (job);

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

/* A background flush gives way to the window (and the X and mail servers):
 * niced, in a thread of its own (a pool thread could not get its priority
 * back), whose pipeline threads inherit it. flush_sync() keeps its caller's. */
typedef struct {
  GTask   *task;
  GThread *thread;
  gboolean ok;
  GError  *error;
} FlushRun;

/* The result goes out once the thread has ended: OpenSSL frees a thread's
 * state as it exits, and a program quitting on the result meanwhile freed
 * it again in OPENSSL_cleanup (ASan, postierctl queue watch). */
static gboolean
flush_thread_ended (gpointer data)
{
  FlushRun *run = data;

  g_thread_join (run->thread);
  if (run->ok)
    g_task_return_boolean (run->task, TRUE);
  else
    g_task_return_error (run->task, run->error);
  g_object_unref (run->task);
  g_free (run);
  return G_SOURCE_REMOVE;
}

static gpointer
flush_thread (gpointer data)
{
  FlushRun *run = data;
  PostierFlushJob *job = g_task_get_task_data (run->task);
  GSource *ended;

  postier_thread_lower_priority (POSTIER_BACKGROUND_NICE);
  run->ok = _postier_flush_job_run (job, g_task_get_cancellable (run->task), &run->error);
  /* In the task's context, never here: it joins this thread. */
  ended = g_idle_source_new ();
  g_source_set_callback (ended, flush_thread_ended, run, NULL);
  g_source_attach (ended, g_task_get_context (run->task));
  g_source_unref (ended);
  return NULL;
}

void
postier_submitter_flush_async (PostierSubmitter    *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  FlushRun *run;

  g_return_if_fail (POSTIER_IS_SUBMITTER (self));

  ensure_monitor (self);
  run = g_new0 (FlushRun, 1);
  run->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (run->task, postier_submitter_flush_async);
  g_task_set_task_data (run->task, new_flush_job (self, POSTIER_FLUSH_DUE),
                        (GDestroyNotify) _postier_flush_job_free);
  /* Joined by flush_thread_ended, which this context runs after we return. */
  run->thread = g_thread_new ("postier-flush", flush_thread, run);
}

gboolean
postier_submitter_flush_finish (PostierSubmitter   *self,
                                GAsyncResult       *result,
                                PostierFlushStats  *stats,
                                GError            **error)
{
  PostierFlushJob *job;
  gboolean ok;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  job = g_task_get_task_data (G_TASK (result));
  ok = g_task_propagate_boolean (G_TASK (result), error);
  copy_stats (job, stats);
  g_signal_emit (self, signals[FLUSH_FINISHED], 0, _postier_flush_job_get_stats (job)->sent,
                 _postier_flush_job_get_unsent (job));
  return ok;
}

/* ------------------------------------------------------------------------
 * The app's mode: flush when there is something to do
 */

/* The wall-clock timer came (or the clock was set, or the machine woke
 * past its time): flush; the flush's end re-arms it. */
static void
on_wake (gpointer user_data)
{
  PostierSubmitter *self = user_data;

  if (self->started)
    postier_submitter_kick (self);
}

/* One wall-clock timer at the earliest not-before or next attempt, re-armed
 * after every flush (which follows every change of the outbox). A
 * monotonic timeout would stand still while the laptop sleeps. */
typedef struct {
  PostierOutbox *outbox;
  GPtrArray     *accounts;
  guint          serial;
} WakeSearch;

static void
wake_search_free (gpointer data)
{
  WakeSearch *search = data;

  g_object_unref (search->outbox);
  g_ptr_array_unref (search->accounts);
  g_free (search);
}

/* In a worker thread: it reads every entry, and the relay limiter's files
 * behind its lock. On the main thread, with 10 000 entries queued offline,
 * it took a second of the window's time after each flush (issue 12). */
static void
find_next_wakeup (GTask                       *task,
                  G_GNUC_UNUSED gpointer       source_object,
                  gpointer                     task_data,
                  G_GNUC_UNUSED GCancellable  *cancellable)
{
  WakeSearch *search = task_data;
  gint64 *next = g_new (gint64, 1);
  gint64 released = postier_relay_limiter_next_release (postier_relay_limiter_get_default (),
                                                        search->accounts);

  *next = postier_outbox_get_next_wakeup (search->outbox);
  /* Queued mail held by the relay's limits has no next attempt of its
   * own: come back when the first held account may send. */
  if (released != 0 && (*next == 0 || released < *next))
    *next = released;
  g_task_return_pointer (task, next, g_free);
}

static void
next_wakeup_found (G_GNUC_UNUSED GObject *source,
                   GAsyncResult          *result,
                   gpointer               user_data)
{
  g_autoptr(PostierSubmitter) self = user_data;
  WakeSearch *search = g_task_get_task_data (G_TASK (result));
  g_autofree gint64 *found = g_task_propagate_pointer (G_TASK (result), NULL);
  gint64 next = found != NULL ? *found : 0;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  /* Stopped, or a newer search is on its way. */
  if (!self->started || search->serial != self->wake_serial)
    return;
  if (self->wake == NULL)
    self->wake = postier_wall_timer_new (on_wake, self);
  postier_wall_timer_arm (self->wake, next > now ? next : 0);
  /* Overdue (deferred while offline): not sooner than a second. */
  if (next != 0 && next <= now)
    schedule_flush (self, 1000);
}

static void
schedule_at_next_wakeup (PostierSubmitter *self)
{
  /* The submitter is the callback's: the worker may drop the task's last
   * reference, and our dispose removes main loop sources by ID. */
  g_autoptr(GTask) task = g_task_new (NULL, NULL, next_wakeup_found, g_object_ref (self));
  WakeSearch *search = g_new0 (WakeSearch, 1);

  search->serial = ++self->wake_serial;
  search->outbox = g_object_ref (self->outbox);
  search->accounts = postier_account_store_list (self->accounts);
  g_task_set_task_data (task, search, wake_search_free);
  g_task_run_in_thread (task, find_next_wakeup);
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
  if (changed->len == 0)
    return;
  g_ptr_array_add (changed, NULL);   /* several (accounts.ini rewritten): one reading */
  postier_submitter_accounts_changed_in_background (self, (const char * const *) changed->pdata);
}

guint
postier_submitter_account_changed (PostierSubmitter *self,
                                   const char       *account_name)
{
  guint retried;

  g_return_val_if_fail (POSTIER_IS_SUBMITTER (self), 0);
  retried = postier_outbox_retry_needing_attention (self->outbox, account_name);
  if (retried > 0)
    postier_submitter_kick (self);
  return retried;
}

void
postier_submitter_accounts_changed_in_background (PostierSubmitter   *self,
                                                  const char * const *account_names)
{
  g_return_if_fail (POSTIER_IS_SUBMITTER (self));
  g_return_if_fail (account_names != NULL);
  self->making_due++;
  postier_outbox_retry_needing_attention_async (self->outbox, account_names, made_due, g_object_ref (self));
}

typedef struct {
  PostierSubmitter *self;
  char             *name;
} GoaBack;

static void
goa_retried (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GoaBack *back = user_data;
  g_autoptr(GError) error = NULL;
  guint retried = postier_outbox_retry_online_account_finish (POSTIER_OUTBOX (source), result, &error);

  back->self->making_due--;
  if (retried > 0)
    {
      g_debug ("%s can send again: %u entries due", back->name, retried);
      postier_submitter_kick (back->self);
    }
  g_signal_emit (back->self, signals[ACCOUNT_BACK], 0, back->name, retried);
  g_object_unref (back->self);
  g_free (back->name);
  g_free (back);
}

/* GOA says the account can send again: what waited for that, and only
 * that, is due now (issue 14), as when the network comes back. The
 * outbox is read in a worker thread: the window never waits for it. */
static void
on_goa_account_back (PostierGoaAccounts *goa,
                     const char         *name,
                     G_GNUC_UNUSED int   why,
                     PostierSubmitter   *self)
{
  g_autoptr(PostierGoaMailAccount) account = postier_goa_accounts_lookup (goa, name);
  GoaBack *back;

  if (account == NULL)
    return;
  back = g_new0 (GoaBack, 1);
  back->self = g_object_ref (self);
  back->name = g_strdup (name);
  self->making_due++;
  postier_outbox_retry_online_account_async (self->outbox, name, account->attention_needed, NULL, goa_retried,
                                             back);
}

void
postier_submitter_follow_online_accounts (PostierSubmitter   *self,
                                          PostierGoaAccounts *goa)
{
  g_return_if_fail (POSTIER_IS_SUBMITTER (self));
  g_return_if_fail (goa == NULL || POSTIER_IS_GOA_ACCOUNTS (goa));

  if (self->goa_handler != 0)
    g_clear_signal_handler (&self->goa_handler, self->goa);
  g_clear_object (&self->goa);
  if (goa == NULL)
    return;
  self->goa = g_object_ref (goa);
  self->goa_handler = g_signal_connect (goa, "account-back", G_CALLBACK (on_goa_account_back), self);
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
  if (self->wake != NULL)
    postier_wall_timer_arm (self->wake, 0);
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
  return self->flushing || self->making_due > 0;
}
