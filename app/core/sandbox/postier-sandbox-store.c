/* postier-sandbox-store.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-sandbox"

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "postier-paths.h"
#include "postier-sandbox-maildir.h"
#include "postier-sandbox-message-private.h"
#include "postier-sandbox-store.h"

struct _PostierSandboxStore
{
  GObject       parent_instance;

  char         *dir;
  GFileMonitor *monitors[2];   /* new/ and cur/ once watched */
};

G_DEFINE_FINAL_TYPE (PostierSandboxStore, postier_sandbox_store, G_TYPE_OBJECT)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The Maildir folders that hold messages, in the order we look. */
static const char * const message_folders[] = { "new", "cur" };

static void
postier_sandbox_store_dispose (GObject *object)
{
  PostierSandboxStore *self = POSTIER_SANDBOX_STORE (object);

  for (guint i = 0; i < G_N_ELEMENTS (self->monitors); i++)
    {
      if (self->monitors[i] != NULL)
        {
          g_signal_handlers_disconnect_by_data (self->monitors[i], self);
          g_file_monitor_cancel (self->monitors[i]);
        }
      g_clear_object (&self->monitors[i]);
    }

  G_OBJECT_CLASS (postier_sandbox_store_parent_class)->dispose (object);
}

static void
postier_sandbox_store_finalize (GObject *object)
{
  PostierSandboxStore *self = POSTIER_SANDBOX_STORE (object);

  g_free (self->dir);

  G_OBJECT_CLASS (postier_sandbox_store_parent_class)->finalize (object);
}

static void
postier_sandbox_store_class_init (PostierSandboxStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = postier_sandbox_store_dispose;
  object_class->finalize = postier_sandbox_store_finalize;

  /**
   * PostierSandboxStore::changed:
   *
   * A message arrived in the sandbox or left it (after watch()).
   */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass),
                                   G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                   G_TYPE_NONE, 0);
}

static void
postier_sandbox_store_init (G_GNUC_UNUSED PostierSandboxStore *self)
{
}

PostierSandboxStore *
postier_sandbox_store_new (const char *dir)
{
  PostierSandboxStore *self = g_object_new (POSTIER_TYPE_SANDBOX_STORE, NULL);

  self->dir = dir != NULL ? g_strdup (dir) : postier_data_dir ("sandbox");
  return self;
}

/* The id of a Maildir file name: the part before the ":2," info. */
static char *
id_from_file_name (const char *name)
{
  const char *colon = strchr (name, ':');

  return colon != NULL ? g_strndup (name, (gsize) (colon - name)) : g_strdup (name);
}

typedef gboolean (*MessageFileFunc) (PostierSandboxStore *self,
                                     const char          *path,
                                     const char          *id,
                                     gpointer             user_data);

/* Calls FUNC for each message file until it returns FALSE. A missing
 * folder holds nothing. */
static gboolean
foreach_message_file (PostierSandboxStore  *self,
                      MessageFileFunc       func,
                      gpointer              user_data,
                      GError              **error)
{
  for (guint i = 0; i < G_N_ELEMENTS (message_folders); i++)
    {
      g_autofree char *folder = g_build_filename (self->dir, message_folders[i], NULL);
      g_autoptr(GError) local_error = NULL;
      g_autoptr(GDir) dir = g_dir_open (folder, 0, &local_error);
      const char *name;

      if (dir == NULL)
        {
          if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
            continue;
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       _("Cannot read the sandbox folder “%s”: %s"), folder, local_error->message);
          return FALSE;
        }
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *path = NULL;
          g_autofree char *id = NULL;

          if (name[0] == '.')
            continue;
          path = g_build_filename (folder, name, NULL);
          id = id_from_file_name (name);
          if (!func (self, path, id, user_data))
            return TRUE;
        }
    }
  return TRUE;
}

static char *
envelope_path_for (PostierSandboxStore *self,
                   const char          *id)
{
  return g_build_filename (self->dir, POSTIER_SANDBOX_ENVELOPE_DIR, id, NULL);
}

static gboolean
add_to_list (PostierSandboxStore *self,
             const char          *path,
             const char          *id,
             gpointer             user_data)
{
  GPtrArray *list = user_data;
  g_autofree char *envelope_path = envelope_path_for (self, id);
  g_autoptr(GError) error = NULL;
  PostierSandboxMessage *message;

  message = postier_sandbox_message_new_from_file (path, id, envelope_path, &error);
  if (message != NULL)
    g_ptr_array_add (list, message);
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    g_warning ("%s", error->message);   /* deleted meanwhile is no news */
  return TRUE;
}

static gint
compare_newest_first (gconstpointer a,
                      gconstpointer b)
{
  PostierSandboxMessage *ma = *(PostierSandboxMessage **) a;
  PostierSandboxMessage *mb = *(PostierSandboxMessage **) b;
  gint by_time = g_date_time_compare (postier_sandbox_message_get_received (mb),
                                      postier_sandbox_message_get_received (ma));

  /* Unique names start with the time to the microsecond: a fine tie-break. */
  return by_time != 0 ? by_time : g_strcmp0 (postier_sandbox_message_get_id (mb),
                                              postier_sandbox_message_get_id (ma));
}

GPtrArray *
postier_sandbox_store_list (PostierSandboxStore  *self,
                            GError              **error)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func (g_object_unref);

  g_return_val_if_fail (POSTIER_IS_SANDBOX_STORE (self), NULL);

  if (!foreach_message_file (self, add_to_list, list, error))
    return NULL;
  g_ptr_array_sort (list, compare_newest_first);
  return g_steal_pointer (&list);
}

typedef struct {
  const char *wanted;
  char       *path;
  char       *id;
  guint       matches;
  gboolean    exact;
} Lookup;

static gboolean
match_id (G_GNUC_UNUSED PostierSandboxStore *self,
          const char                        *path,
          const char                        *id,
          gpointer                           user_data)
{
  Lookup *lookup = user_data;

  if (g_str_equal (id, lookup->wanted))
    {
      g_free (lookup->path);
      g_free (lookup->id);
      lookup->path = g_strdup (path);
      lookup->id = g_strdup (id);
      lookup->matches = 1;
      lookup->exact = TRUE;
      return FALSE;
    }
  if (g_str_has_prefix (id, lookup->wanted))
    {
      if (lookup->matches++ == 0)
        {
          lookup->path = g_strdup (path);
          lookup->id = g_strdup (id);
        }
    }
  return TRUE;
}

static gboolean
find_message (PostierSandboxStore  *self,
              const char           *id,
              char                **path,
              char                **full_id,
              GError              **error)
{
  Lookup lookup = { id, NULL, NULL, 0, FALSE };

  if (id == NULL || *id == '\0' || strchr (id, '/') != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not a sandbox message id"), id != NULL ? id : "");
      return FALSE;
    }
  if (!foreach_message_file (self, match_id, &lookup, error))
    return FALSE;
  if (lookup.matches == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("There is no message “%s” in the sandbox"), id);
      return FALSE;
    }
  if (lookup.matches > 1 && !lookup.exact)
    {
      g_free (lookup.path);
      g_free (lookup.id);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("“%s” names %u messages in the sandbox; give more of the id"),
                   id, lookup.matches);
      return FALSE;
    }
  *path = lookup.path;
  *full_id = lookup.id;
  return TRUE;
}

PostierSandboxMessage *
postier_sandbox_store_lookup (PostierSandboxStore  *self,
                              const char           *id,
                              GError              **error)
{
  g_autofree char *path = NULL;
  g_autofree char *full_id = NULL;
  g_autofree char *envelope_path = NULL;

  g_return_val_if_fail (POSTIER_IS_SANDBOX_STORE (self), NULL);

  if (!find_message (self, id, &path, &full_id, error))
    return NULL;
  envelope_path = envelope_path_for (self, full_id);
  return postier_sandbox_message_new_from_file (path, full_id, envelope_path, error);
}

static gboolean
delete_files (PostierSandboxStore  *self,
              const char           *path,
              const char           *id,
              GError              **error)
{
  g_autofree char *envelope_path = envelope_path_for (self, id);

  if (g_unlink (path) != 0 && errno != ENOENT)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Cannot delete “%s”: %s"), path, g_strerror (saved_errno));
      return FALSE;
    }
  /* The message is gone; a stale envelope is harmless and cleared later. */
  if (g_unlink (envelope_path) != 0 && errno != ENOENT)
    g_warning ("Cannot delete “%s”: %s", envelope_path, g_strerror (errno));
  return TRUE;
}

gboolean
postier_sandbox_store_delete (PostierSandboxStore  *self,
                              const char           *id,
                              GError              **error)
{
  g_autofree char *path = NULL;
  g_autofree char *full_id = NULL;

  g_return_val_if_fail (POSTIER_IS_SANDBOX_STORE (self), FALSE);

  if (!find_message (self, id, &path, &full_id, error))
    return FALSE;
  return delete_files (self, path, full_id, error);
}

typedef struct {
  guint   deleted;
  GError *error;
} Clear;

static gboolean
clear_one (PostierSandboxStore *self,
           const char          *path,
           const char          *id,
           gpointer             user_data)
{
  Clear *clear = user_data;

  if (!delete_files (self, path, id, &clear->error))
    return FALSE;
  clear->deleted++;
  return TRUE;
}

/* Envelopes whose message is gone (a crash between the two unlinks). An
 * envelope written for a message still in tmp/ has no message yet either,
 * so only those older than a minute go. */
static void
remove_orphan_envelopes (PostierSandboxStore *self)
{
  g_autofree char *folder = g_build_filename (self->dir, POSTIER_SANDBOX_ENVELOPE_DIR, NULL);
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  const char *name;

  if (dir == NULL)
    return;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (folder, name, NULL);
      GStatBuf st;

      if (g_stat (path, &st) == 0 && now - st.st_mtime > 60)
        g_unlink (path);
    }
}

guint
postier_sandbox_store_clear (PostierSandboxStore  *self,
                             GError              **error)
{
  Clear clear = { 0, NULL };

  g_return_val_if_fail (POSTIER_IS_SANDBOX_STORE (self), 0);

  if (!foreach_message_file (self, clear_one, &clear, error))
    return clear.deleted;
  if (clear.error != NULL)
    {
      g_propagate_error (error, clear.error);
      return clear.deleted;
    }
  remove_orphan_envelopes (self);
  return clear.deleted;
}

static void
on_folder_changed (G_GNUC_UNUSED GFileMonitor *monitor,
                   G_GNUC_UNUSED GFile        *file,
                   G_GNUC_UNUSED GFile        *other,
                   GFileMonitorEvent           event,
                   gpointer                    user_data)
{
  PostierSandboxStore *self = user_data;

  switch (event)
    {
    case G_FILE_MONITOR_EVENT_CREATED:
    case G_FILE_MONITOR_EVENT_DELETED:
    case G_FILE_MONITOR_EVENT_MOVED_IN:
    case G_FILE_MONITOR_EVENT_MOVED_OUT:
    case G_FILE_MONITOR_EVENT_RENAMED:
      g_signal_emit (self, signals[CHANGED], 0);
      break;
    default:
      break;
    }
}

gboolean
postier_sandbox_store_watch (PostierSandboxStore  *self,
                             GError              **error)
{
  g_return_val_if_fail (POSTIER_IS_SANDBOX_STORE (self), FALSE);

  if (self->monitors[0] != NULL)
    return TRUE;
  /* The folders must exist for a monitor to see them fill. */
  if (!postier_sandbox_maildir_ensure (self->dir, error))
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (message_folders); i++)
    {
      g_autofree char *path = g_build_filename (self->dir, message_folders[i], NULL);
      g_autoptr(GFile) folder = g_file_new_for_path (path);
      GFileMonitor *monitor;

      monitor = g_file_monitor_directory (folder, G_FILE_MONITOR_WATCH_MOVES, NULL, error);
      if (monitor == NULL)
        {
          for (guint j = 0; j < i; j++)
            g_clear_object (&self->monitors[j]);
          return FALSE;
        }
      g_signal_connect (monitor, "changed", G_CALLBACK (on_folder_changed), self);
      self->monitors[i] = monitor;
    }
  return TRUE;
}
