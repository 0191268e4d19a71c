/* postier-draft-store.c — the drafts folder, owned by core
 *
 * Why here: the composer widget used to keep its own thread pool and file
 * code, and the outbox view moved files itself; one owner keeps the order
 * of saves and deletions, and the `.files` rule, in one place.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-draft-store"

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <sys/stat.h>

#include "postier-draft-store.h"
#include "postier-error.h"
#include "postier-outbox-entry.h"
#include "postier-paths.h"

#define DRAFT_SUFFIX ".draft"
#define FILES_SUFFIX ".files"
#define TAKEN_BACK_PREFIX "outbox-"

struct _PostierDraftStore
{
  GObject      parent_instance;

  char        *dir;
  /* One worker, so jobs run in the order they were queued. */
  GThreadPool *worker;
  GMutex       lock;
  GCond        idle;
  guint        pending;      /* jobs queued and not finished; under lock */
};

G_DEFINE_FINAL_TYPE (PostierDraftStore, postier_draft_store, G_TYPE_OBJECT)

typedef enum {
  JOB_SAVE,
  JOB_DELETE,
} JobKind;

typedef struct {
  JobKind       kind;
  char         *path;
  PostierDraft *draft;       /* JOB_SAVE only */
} Job;

static void
job_free (Job *job)
{
  g_free (job->path);
  g_clear_object (&job->draft);
  g_free (job);
}

/* --- The worker ------------------------------------------------------------ */

static gboolean
run_save (Job     *job,
          GError **error)
{
  g_autofree char *dir = g_path_get_dirname (job->path);

  return postier_ensure_private_dir (dir, error) &&
         postier_draft_save (job->draft, job->path, error);
}

static gboolean
run_delete (Job     *job,
            GError **error)
{
  g_autofree char *files = postier_draft_store_dup_files_dir (job->path);
  gboolean ok = TRUE;

  if (g_unlink (job->path) != 0 && errno != ENOENT)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "%s: %s", job->path, g_strerror (saved_errno));
      ok = FALSE;
    }
  postier_remove_tree (files);
  return ok;
}

static void
worker_run (gpointer data,
            gpointer user_data)
{
  g_autoptr(GTask) task = data;
  PostierDraftStore *self = user_data;
  Job *job = g_task_get_task_data (task);
  GError *error = NULL;

  if (!g_task_return_error_if_cancelled (task))
    {
      if (job->kind == JOB_SAVE ? run_save (job, &error) : run_delete (job, &error))
        g_task_return_boolean (task, TRUE);
      else
        g_task_return_error (task, error);
    }

  /* The task (and with it maybe the last reference to the store) goes only
   * after this, so finalize never waits for the thread it runs on. */
  g_mutex_lock (&self->lock);
  if (--self->pending == 0)
    g_cond_broadcast (&self->idle);
  g_mutex_unlock (&self->lock);
}

static void
queue_job (PostierDraftStore   *self,
           Job                 *job,
           gpointer             source_tag,
           GCancellable        *cancellable,
           GAsyncReadyCallback  callback,
           gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  g_mutex_lock (&self->lock);
  self->pending++;
  g_mutex_unlock (&self->lock);
  g_thread_pool_push (self->worker, task, NULL);
}

void
postier_draft_store_save_async (PostierDraftStore   *self,
                                PostierDraft        *draft,
                                const char          *draft_path,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  Job *job;

  g_return_if_fail (POSTIER_IS_DRAFT_STORE (self));
  g_return_if_fail (POSTIER_IS_DRAFT (draft));
  g_return_if_fail (draft_path != NULL);

  job = g_new0 (Job, 1);
  job->kind = JOB_SAVE;
  job->path = g_strdup (draft_path);
  job->draft = g_object_ref (draft);
  queue_job (self, job, postier_draft_store_save_async, cancellable, callback, user_data);
}

gboolean
postier_draft_store_save_finish (PostierDraftStore  *self,
                                 GAsyncResult       *result,
                                 GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
postier_draft_store_delete_async (PostierDraftStore   *self,
                                  const char          *draft_path,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  Job *job;

  g_return_if_fail (POSTIER_IS_DRAFT_STORE (self));
  g_return_if_fail (draft_path != NULL);

  job = g_new0 (Job, 1);
  job->kind = JOB_DELETE;
  job->path = g_strdup (draft_path);
  queue_job (self, job, postier_draft_store_delete_async, cancellable, callback, user_data);
}

gboolean
postier_draft_store_delete_finish (PostierDraftStore  *self,
                                   GAsyncResult       *result,
                                   GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
postier_draft_store_flush (PostierDraftStore *self)
{
  g_return_if_fail (POSTIER_IS_DRAFT_STORE (self));

  g_mutex_lock (&self->lock);
  while (self->pending > 0)
    g_cond_wait (&self->idle, &self->lock);
  g_mutex_unlock (&self->lock);
}

/* --- Paths ----------------------------------------------------------------- */

const char *
postier_draft_store_get_dir (PostierDraftStore *self)
{
  g_return_val_if_fail (POSTIER_IS_DRAFT_STORE (self), NULL);
  return self->dir;
}

char *
postier_draft_store_new_path (PostierDraftStore *self)
{
  g_autofree char *id = NULL;
  g_autofree char *name = NULL;

  g_return_val_if_fail (POSTIER_IS_DRAFT_STORE (self), NULL);

  id = g_uuid_string_random ();
  name = g_strconcat (id, DRAFT_SUFFIX, NULL);
  return g_build_filename (self->dir, name, NULL);
}

char *
postier_draft_store_dup_files_dir (const char *draft_path)
{
  g_return_val_if_fail (draft_path != NULL, NULL);
  return g_strconcat (draft_path, FILES_SUFFIX, NULL);
}

/* --- Crash recovery -------------------------------------------------------- */

static char *
find_newest_draft (PostierDraftStore *self)
{
  g_autoptr(GDir) dir = g_dir_open (self->dir, 0, NULL);
  g_autofree char *newest = NULL;
  gint64 newest_time = G_MININT64;
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      GStatBuf st;

      if (!g_str_has_suffix (name, DRAFT_SUFFIX))
        continue;
      path = g_build_filename (self->dir, name, NULL);
      if (g_stat (path, &st) == 0 && S_ISREG (st.st_mode) && (gint64) st.st_mtime > newest_time)
        {
          newest_time = st.st_mtime;
          g_free (newest);
          newest = g_steal_pointer (&path);
        }
    }
  return g_steal_pointer (&newest);
}

PostierDraft *
postier_draft_store_recover (PostierDraftStore  *self,
                             char              **draft_path,
                             GError            **error)
{
  g_autofree char *newest = NULL;
  PostierDraft *draft;

  g_return_val_if_fail (POSTIER_IS_DRAFT_STORE (self), NULL);
  g_return_val_if_fail (draft_path != NULL, NULL);

  *draft_path = NULL;
  newest = find_newest_draft (self);
  if (newest == NULL)
    return NULL;
  draft = postier_draft_load (newest, error);
  *draft_path = g_steal_pointer (&newest);
  return draft;
}

/* --- Messages that become drafts ------------------------------------------- */

PostierDraft *
postier_draft_store_import_message (PostierDraftStore  *self,
                                    const char         *message_path,
                                    char              **draft_path,
                                    GError            **error)
{
  g_autofree char *path = NULL;
  g_autofree char *files_dir = NULL;
  PostierDraft *draft;

  g_return_val_if_fail (POSTIER_IS_DRAFT_STORE (self), NULL);
  g_return_val_if_fail (message_path != NULL, NULL);
  g_return_val_if_fail (draft_path != NULL, NULL);

  /* The message's attachments are written beside its new draft. */
  path = postier_draft_store_new_path (self);
  files_dir = postier_draft_store_dup_files_dir (path);
  draft = postier_draft_new_from_message_file (message_path, files_dir, error);
  if (draft == NULL)
    {
      postier_remove_tree (files_dir);
      return NULL;
    }
  *draft_path = g_steal_pointer (&path);
  return draft;
}

/* The composer's own draft, kept beside the entry (undo send, issue 13),
 * restores it exactly: Bcc (never in the message), the body as typed, the
 * identity and headers. Its attachments are the files the message was
 * built from, which may have changed or gone since; the bytes queued, taken
 * out of message.eml into *DRAFT's files, replace them. */
static void
prefer_kept_draft (PostierDraft       **draft,
                   PostierOutboxEntry  *entry)
{
  g_autofree char *kept_path = postier_outbox_entry_get_draft_path (entry);
  g_autoptr(PostierDraft) kept = NULL;
  g_autoptr(GError) error = NULL;

  if (kept_path == NULL)
    return;
  kept = postier_draft_load (kept_path, &error);
  if (kept == NULL)
    {
      g_debug ("%s: %s; the message is read instead", kept_path, error->message);
      return;
    }
  while (postier_draft_get_n_attachments (kept) > 0)
    postier_draft_remove_attachment (kept, 0);
  for (guint i = 0; i < postier_draft_get_n_attachments (*draft); i++)
    postier_draft_add_attachment (kept, postier_draft_get_attachment (*draft, i));
  g_object_unref (*draft);
  *draft = g_steal_pointer (&kept);
}

PostierDraft *
postier_draft_store_take_back (PostierDraftStore  *self,
                               PostierOutbox      *outbox,
                               const char         *id,
                               char              **draft_path,
                               GError            **error)
{
  g_autoptr(PostierOutboxEntry) entry = NULL;
  g_autoptr(PostierDraft) draft = NULL;
  g_autoptr(GError) lookup_error = NULL;
  g_autofree char *message_path = NULL;
  g_autofree char *name = NULL;
  g_autofree char *path = NULL;
  g_autofree char *files_dir = NULL;

  g_return_val_if_fail (POSTIER_IS_DRAFT_STORE (self), NULL);
  g_return_val_if_fail (POSTIER_IS_OUTBOX (outbox), NULL);
  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (draft_path != NULL, NULL);

  entry = postier_outbox_lookup (outbox, id, &lookup_error);
  if (entry == NULL)
    {
      g_set_error_literal (error, POSTIER_OUTBOX_ERROR, POSTIER_OUTBOX_ERROR_NOT_FOUND,
                           lookup_error != NULL ? lookup_error->message : id);
      return NULL;
    }

  /* The draft, and the attachments taken out of the message, are kept with
   * the autosaved drafts before the entry goes. */
  message_path = postier_outbox_entry_get_message_path (entry);
  name = g_strconcat (TAKEN_BACK_PREFIX, id, DRAFT_SUFFIX, NULL);
  path = g_build_filename (self->dir, name, NULL);
  files_dir = postier_draft_store_dup_files_dir (path);
  draft = postier_draft_new_from_message_file (message_path, files_dir, error);
  if (draft == NULL)
    return NULL;
  prefer_kept_draft (&draft, entry);
  postier_draft_set_account_name (draft, postier_outbox_entry_get_account_name (entry));
  if (!postier_ensure_private_dir (self->dir, error) ||
      !postier_draft_save (draft, path, error))
    return NULL;

  /* Atomic against a flusher taking it; when one has, the message goes
   * out and the saved draft would only be a second copy of it. */
  if (!postier_outbox_withdraw (outbox, id, error))
    {
      g_unlink (path);
      postier_remove_tree (files_dir);
      return NULL;
    }
  *draft_path = g_steal_pointer (&path);
  return g_steal_pointer (&draft);
}

/* --- Object ---------------------------------------------------------------- */

PostierDraftStore *
postier_draft_store_new (const char *dir)
{
  PostierDraftStore *self = g_object_new (POSTIER_TYPE_DRAFT_STORE, NULL);

  self->dir = dir != NULL ? g_strdup (dir) : postier_data_dir ("drafts");
  return self;
}

static void
postier_draft_store_finalize (GObject *object)
{
  PostierDraftStore *self = POSTIER_DRAFT_STORE (object);

  /* Every job holds a reference: nothing is queued by now. No waiting: the
   * last reference may be dropped on the worker itself. */
  g_thread_pool_free (self->worker, FALSE, FALSE);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->idle);
  g_free (self->dir);

  G_OBJECT_CLASS (postier_draft_store_parent_class)->finalize (object);
}

static void
postier_draft_store_class_init (PostierDraftStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = postier_draft_store_finalize;
}

static void
postier_draft_store_init (PostierDraftStore *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->idle);
  self->worker = g_thread_pool_new (worker_run, self, 1, FALSE, NULL);
}
