/* postier-outbox-schedule.c — holding entries until a time, sending them
 * now, and taking them back (undo send, send later; issue 13)
 *
 * Why a file of its own: these are the person's changes to an entry that
 * has not gone yet, and each must be safe against a flusher (this process
 * or another) taking the same entry at the same moment. The rule: a
 * flusher never takes an entry whose not-before is in the future; so a
 * change is safe when no flusher runs (we hold the lock meanwhile) or when
 * the entry is still held with a margin. A held entry is never being sent.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-outbox"

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "postier-error.h"
#include "postier-outbox-private.h"
#include "postier-paths.h"
#include "postier-schedule.h"
#include "postier-threads.h"

/* While another flusher runs, an entry is changed only when its not-before
 * is at least this far away: that flusher cannot take it before our change
 * (a rename or a write, microseconds) is done. */
#define HELD_MARGIN_SECONDS 2

gint64
postier_outbox_get_next_wakeup_at (PostierOutbox *self,
                                   gint64         now)
{
  g_autoptr(GPtrArray) entries = NULL;

  g_return_val_if_fail (POSTIER_IS_OUTBOX (self), 0);

  /* Read only: the snapshots a view's listing kept serve (the submitter
   * asks after every flush attempt). */
  entries = _postier_outbox_list_kept (self, NULL, NULL);
  return postier_schedule_next_wakeup (entries, now);
}

static gboolean
being_sent (GError     **error,
            const char  *id)
{
  g_set_error (error, POSTIER_OUTBOX_ERROR, POSTIER_OUTBOX_ERROR_BUSY,
               _("The message “%s” is already being sent"), id);
  return FALSE;
}

/* Whether the person may change ENTRY now: TRUE with the flush lock in
 * *LOCKED when no flusher runs (to be let go by the caller), or without it
 * when one runs but cannot take ENTRY before we are done. */
static gboolean
may_change (PostierOutbox       *self,
            PostierOutboxEntry  *entry,
            gboolean            *locked,
            GError             **error)
{
  g_autoptr(GError) lock_error = NULL;
  const char *id = postier_outbox_entry_get_id (entry);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  *locked = postier_outbox_lock (self, &lock_error);
  if (*locked)
    return TRUE;
  if (!g_error_matches (lock_error, POSTIER_OUTBOX_ERROR, POSTIER_OUTBOX_ERROR_BUSY))
    {
      g_propagate_error (error, g_steal_pointer (&lock_error));
      return FALSE;
    }
  if (postier_outbox_entry_get_state (entry) == POSTIER_OUTBOX_STATE_SENDING)
    return being_sent (error, id);
  switch (postier_outbox_entry_get_state (entry))
    {
    case POSTIER_OUTBOX_STATE_QUEUED:
    case POSTIER_OUTBOX_STATE_DEFERRED:
      /* The running flusher may take it any moment now. */
      if (!postier_outbox_entry_is_held (entry, now + HELD_MARGIN_SECONDS))
        return being_sent (error, id);
      return TRUE;
    default:
      /* Failed and needs attention: no flusher takes them. */
      return TRUE;
    }
}

gboolean
postier_outbox_schedule (PostierOutbox          *self,
                         const char             *id,
                         gint64                  not_before,
                         PostierOutboxSchedule   schedule,
                         GError                **error)
{
  g_autoptr(PostierOutboxEntry) entry = NULL;
  gboolean locked = FALSE;
  gboolean ok;

  g_return_val_if_fail (POSTIER_IS_OUTBOX (self), FALSE);

  entry = postier_outbox_lookup (self, id, error);
  if (entry == NULL)
    return FALSE;
  switch (postier_outbox_entry_get_state (entry))
    {
    case POSTIER_OUTBOX_STATE_QUEUED:
    case POSTIER_OUTBOX_STATE_DEFERRED:
    case POSTIER_OUTBOX_STATE_SENDING:  /* may_change() says whether it really is */
      break;
    default:
      g_set_error (error, POSTIER_OUTBOX_ERROR, POSTIER_OUTBOX_ERROR_FAILED,
                   _("The message “%s” is not waiting to be sent; retry it first"), id);
      return FALSE;
    }
  if (!may_change (self, entry, &locked, error))
    return FALSE;
  /* Under the lock a "sending" entry is one whose flusher died: recovery
   * would send it again; rescheduling it first is the person's choice. */
  if (postier_outbox_entry_get_state (entry) == POSTIER_OUTBOX_STATE_SENDING)
    _postier_outbox_entry_unmark_sending (entry);

  _postier_outbox_entry_set_not_before (entry, not_before, schedule);
  if (postier_outbox_entry_get_not_before (entry) == 0 &&
      postier_outbox_entry_get_state (entry) == POSTIER_OUTBOX_STATE_DEFERRED)
    /* Send Now means now, not at the next attempt. */
    _postier_outbox_entry_set_next_attempt (entry, g_get_real_time () / G_USEC_PER_SEC);
  ok = _postier_outbox_entry_save (entry, error);
  if (locked)
    postier_outbox_unlock (self);
  return ok;
}

gboolean
postier_outbox_send_now (PostierOutbox  *self,
                         const char     *id,
                         GError        **error)
{
  return postier_outbox_schedule (self, id, 0, POSTIER_OUTBOX_SCHEDULE_NONE, error);
}

/* The folder is renamed away first: a flusher that comes after the rename
 * finds no entry to mark (its link() fails), and one that marked it before
 * left the "sending" link, which we see in the renamed folder. */
gboolean
postier_outbox_withdraw (PostierOutbox  *self,
                         const char     *id,
                         GError        **error)
{
  g_autoptr(PostierOutboxEntry) entry = NULL;
  g_autofree char *path = NULL;
  g_autofree char *aside = NULL;
  g_autofree char *mark = NULL;
  gboolean locked = FALSE;

  g_return_val_if_fail (POSTIER_IS_OUTBOX (self), FALSE);

  entry = postier_outbox_lookup (self, id, error);
  if (entry == NULL)
    return FALSE;
  if (!may_change (self, entry, &locked, error))
    return FALSE;

  path = g_build_filename (postier_outbox_get_dir (self), id, NULL);
  aside = g_strdup_printf ("%s/.trash-%s", postier_outbox_get_dir (self), id);
  if (g_rename (path, aside) != 0)
    {
      int saved_errno = errno;

      if (locked)
        postier_outbox_unlock (self);
      if (saved_errno == ENOENT)
        /* Gone meanwhile: sent, or removed by someone else. */
        return _postier_outbox_entry_not_found (error, id);
      return _postier_outbox_storage_error (error, saved_errno, _("Cannot remove “%s”"), path);
    }
  mark = g_build_filename (aside, POSTIER_OUTBOX_SENDING_MARK, NULL);
  if (!locked && g_file_test (mark, G_FILE_TEST_EXISTS))
    {
      /* A flusher took it between our look and the rename: it is its. */
      if (g_rename (aside, path) != 0)
        g_warning ("could not put back %s: %s", id, g_strerror (errno));
      return being_sent (error, id);
    }
  if (!postier_fsync_dir (postier_outbox_get_dir (self), NULL))
    g_debug ("could not fsync %s", postier_outbox_get_dir (self));
  if (locked)
    postier_outbox_unlock (self);
  _postier_outbox_remove_folder (aside);
  return TRUE;
}

guint
_postier_outbox_retry_account_entries (PostierOutbox       *self,
                                       const char * const  *account_names,
                                       gboolean     (*takes) (PostierOutboxEntry *entry,
                                                              gpointer            data),
                                       gpointer       data)
{
  g_autoptr(GPtrArray) entries = postier_outbox_list (self, NULL);
  guint retried = 0;

  for (guint i = 0; entries != NULL && i < entries->len; i++)
    {
      PostierOutboxEntry *entry = g_ptr_array_index (entries, i);
      g_autoptr(GError) error = NULL;

      const char *account = postier_outbox_entry_get_account_name (entry);

      if (account == NULL || !g_strv_contains (account_names, account) || !takes (entry, data))
        continue;
      if (postier_outbox_retry (self, postier_outbox_entry_get_id (entry), &error))
        retried++;
      else
        g_warning ("%s", error->message);
    }
  return retried;
}

static gboolean
needs_attention (PostierOutboxEntry     *entry,
                 G_GNUC_UNUSED gpointer  data)
{
  return postier_outbox_entry_get_state (entry) == POSTIER_OUTBOX_STATE_NEEDS_ATTENTION;
}

guint
postier_outbox_retry_needing_attention (PostierOutbox *self,
                                        const char    *account_name)
{
  const char *names[] = { account_name, NULL };

  g_return_val_if_fail (POSTIER_IS_OUTBOX (self), 0);
  g_return_val_if_fail (account_name != NULL, 0);
  return _postier_outbox_retry_account_entries (self, names, needs_attention, NULL);
}

/* The worker threads' halves of the _async forms below: each says what
 * went wrong itself, as the submitter (their caller) could only say it. */
static void
make_deferred_due_thread (GTask                       *task,
                          gpointer                     source,
                          G_GNUC_UNUSED gpointer       task_data,
                          G_GNUC_UNUSED GCancellable  *cancellable)
{
  g_autoptr(GError) error = NULL;
  guint changed = postier_outbox_make_deferred_due (source, &error);

  if (error != NULL)
    g_warning ("%s", error->message);
  g_task_return_int (task, changed);
}

static void
retry_needing_attention_thread (GTask                       *task,
                                gpointer                     source,
                                gpointer                     task_data,
                                G_GNUC_UNUSED GCancellable  *cancellable)
{
  g_task_return_int (task, _postier_outbox_retry_account_entries (source, task_data, needs_attention, NULL));
}

void
_postier_outbox_run_in_thread (PostierOutbox       *self,
                               gpointer             source_tag,
                               gpointer             task_data,
                               GDestroyNotify       task_data_free,
                               GTaskThreadFunc      thread_func,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, task_data, task_data_free);
  /* As postier_outbox_list_head_async(): never the outbox's last
   * reference in a worker. */
  postier_task_run_in_own_thread (task, thread_func, 0);
}

void
postier_outbox_make_deferred_due_async (PostierOutbox       *self,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  g_return_if_fail (POSTIER_IS_OUTBOX (self));
  _postier_outbox_run_in_thread (self, postier_outbox_make_deferred_due_async, NULL, NULL,
                                 make_deferred_due_thread, NULL, callback, user_data);
}

void
postier_outbox_retry_needing_attention_async (PostierOutbox       *self,
                                              const char * const  *account_names,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data)
{
  g_return_if_fail (POSTIER_IS_OUTBOX (self));
  g_return_if_fail (account_names != NULL);
  _postier_outbox_run_in_thread (self, postier_outbox_retry_needing_attention_async,
                                 g_strdupv ((char **) account_names), (GDestroyNotify) g_strfreev,
                                 retry_needing_attention_thread, NULL, callback, user_data);
}

guint
postier_outbox_made_due_finish (PostierOutbox *self,
                                GAsyncResult  *result)
{
  return _postier_outbox_count_finish (self, result, NULL);
}

guint
_postier_outbox_count_finish (PostierOutbox  *self,
                              GAsyncResult   *result,
                              GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), 0);
  return (guint) g_task_propagate_int (G_TASK (result), error);
}
