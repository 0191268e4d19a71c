/* postier-outbox-entry-ini.c — entry.ini, an outbox entry on disk
 *
 * Why a file of its own: the on-disk format (names, times, the durable
 * write and the careful read of a file that may be damaged or planted) is
 * one job; the entry as a snapshot that the flusher changes is another
 * (postier-outbox-entry.c). Entries written by any earlier Postier load.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-outbox"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "postier-error.h"
#include "postier-outbox-entry-private.h"
#include "postier-paths.h"

#define ENTRY_GROUP      "Entry"
#define RECIPIENT_GROUP  "Recipient %u"
#define ENTRY_VERSION    1

static const char * const state_names[] = {
  [POSTIER_OUTBOX_STATE_QUEUED] = "queued",
  [POSTIER_OUTBOX_STATE_SENDING] = "sending",
  [POSTIER_OUTBOX_STATE_DEFERRED] = "deferred",
  [POSTIER_OUTBOX_STATE_FAILED] = "failed",
  [POSTIER_OUTBOX_STATE_NEEDS_ATTENTION] = "needs-attention",
  [POSTIER_OUTBOX_STATE_SENT] = "sent",
};

static const char * const failure_names[] = {
  [POSTIER_OUTBOX_FAILURE_NONE] = "none",
  [POSTIER_OUTBOX_FAILURE_MESSAGE] = "message",
  [POSTIER_OUTBOX_FAILURE_RECIPIENTS] = "recipients",
  [POSTIER_OUTBOX_FAILURE_AUTH] = "auth",
  [POSTIER_OUTBOX_FAILURE_CERTIFICATE] = "certificate",
  [POSTIER_OUTBOX_FAILURE_CONFIGURATION] = "configuration",
  [POSTIER_OUTBOX_FAILURE_EXPIRED] = "expired",
};

const char *
postier_outbox_failure_to_string (PostierOutboxFailure failure)
{
  g_return_val_if_fail (failure <= POSTIER_OUTBOX_FAILURE_EXPIRED, NULL);
  return failure_names[failure];
}

static const char * const recipient_state_names[] = {
  [POSTIER_RECIPIENT_STATE_PENDING] = "pending",
  [POSTIER_RECIPIENT_STATE_ACCEPTED] = "accepted",
  [POSTIER_RECIPIENT_STATE_DEFERRED] = "deferred",
  [POSTIER_RECIPIENT_STATE_REFUSED] = "refused",
};

const char *
postier_outbox_state_to_string (PostierOutboxState state)
{
  g_return_val_if_fail (state <= POSTIER_OUTBOX_STATE_SENT, NULL);
  return state_names[state];
}

gboolean
postier_outbox_state_from_string (const char         *text,
                                  PostierOutboxState *state)
{
  for (guint i = 0; i < G_N_ELEMENTS (state_names); i++)
    if (g_strcmp0 (text, state_names[i]) == 0)
      {
        *state = (PostierOutboxState) i;
        return TRUE;
      }
  return FALSE;
}

const char *
postier_recipient_state_to_string (PostierRecipientState state)
{
  g_return_val_if_fail (state <= POSTIER_RECIPIENT_STATE_REFUSED, NULL);
  return recipient_state_names[state];
}

static gboolean
recipient_state_from_string (const char            *text,
                             PostierRecipientState *state)
{
  for (guint i = 0; i < G_N_ELEMENTS (recipient_state_names); i++)
    if (g_strcmp0 (text, recipient_state_names[i]) == 0)
      {
        *state = (PostierRecipientState) i;
        return TRUE;
      }
  return FALSE;
}

/* Times are kept as ISO 8601 in UTC so that a person reading entry.ini
 * understands it. */
static void
set_time (GKeyFile   *file,
          const char *group,
          const char *key,
          gint64      when)
{
  g_autoptr(GDateTime) time = NULL;
  g_autofree char *text = NULL;

  if (when == 0)
    return;
  time = g_date_time_new_from_unix_utc (when);
  if (time == NULL)
    return;
  text = g_date_time_format (time, "%Y-%m-%dT%H:%M:%SZ");
  g_key_file_set_string (file, group, key, text);
}

/* A key most entries do not have: asked for without GKeyFile's making
 * (and this file's dropping) an error for each absence. */
static char *
optional_string (GKeyFile   *file,
                 const char *group,
                 const char *key)
{
  if (!g_key_file_has_key (file, group, key, NULL))
    return NULL;
  return g_key_file_get_string (file, group, key, NULL);
}

static gint64
get_time (GKeyFile   *file,
          const char *group,
          const char *key)
{
  g_autofree char *text = optional_string (file, group, key);
  g_autoptr(GDateTime) time = NULL;

  if (text == NULL)
    return 0;
  time = g_date_time_new_from_iso8601 (text, NULL);
  return time != NULL ? g_date_time_to_unix (time) : 0;
}

static void
set_optional_string (GKeyFile   *file,
                     const char *key,
                     const char *value)
{
  if (value != NULL)
    g_key_file_set_string (file, ENTRY_GROUP, key, value);
}

gboolean
_postier_outbox_entry_save (PostierOutboxEntry  *self,
                            GError             **error)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autoptr(GError) local_error = NULL;
  g_autofree char *path = g_build_filename (self->path, POSTIER_OUTBOX_ENTRY_FILE, NULL);
  g_autofree char *mark = g_build_filename (self->path, POSTIER_OUTBOX_SENDING_MARK, NULL);
  g_autofree char *data = NULL;
  gsize length;

  /* Marking "sending" happens before every message goes out: a link and
   * one folder sync, no new file. */
  if (self->state == POSTIER_OUTBOX_STATE_SENDING)
    {
      if (link (path, mark) != 0 && errno != EEXIST)
        {
          int saved_errno = errno;
          g_set_error (error, POSTIER_OUTBOX_ERROR, POSTIER_OUTBOX_ERROR_STORAGE,
                       _("Cannot mark “%s” as being sent: %s"), self->path, g_strerror (saved_errno));
          return FALSE;
        }
      if (!postier_fsync_dir (self->path, &local_error))
        {
          g_set_error_literal (error, POSTIER_OUTBOX_ERROR, POSTIER_OUTBOX_ERROR_STORAGE,
                               local_error->message);
          return FALSE;
        }
      return TRUE;
    }

  g_key_file_set_integer (file, ENTRY_GROUP, "Version", ENTRY_VERSION);
  g_key_file_set_string (file, ENTRY_GROUP, "Account", self->account_name);
  g_key_file_set_string (file, ENTRY_GROUP, "State", state_names[self->state]);
  g_key_file_set_string (file, ENTRY_GROUP, "Sender", self->sender);
  g_key_file_set_string (file, ENTRY_GROUP, "Subject", self->subject);
  g_key_file_set_string (file, ENTRY_GROUP, "MessageId", self->message_id);
  g_key_file_set_uint64 (file, ENTRY_GROUP, "Size", self->size);
  g_key_file_set_boolean (file, ENTRY_GROUP, "SmtpUtf8", self->smtputf8);
  g_key_file_set_boolean (file, ENTRY_GROUP, "EightBit", self->eight_bit);
  g_key_file_set_boolean (file, ENTRY_GROUP, "Utf8Headers", self->utf8_headers);
  set_time (file, ENTRY_GROUP, "Created", self->created);
  set_time (file, ENTRY_GROUP, "Since", self->since);
  g_key_file_set_integer (file, ENTRY_GROUP, "Attempts", (int) self->attempts);
  set_time (file, ENTRY_GROUP, "LastAttempt", self->last_attempt);
  set_time (file, ENTRY_GROUP, "NextAttempt", self->next_attempt);
  if (self->not_before != 0)
    {
      set_time (file, ENTRY_GROUP, "NotBefore", self->not_before);
      g_key_file_set_string (file, ENTRY_GROUP, "Schedule",
                             postier_outbox_schedule_to_string (self->schedule));
    }
  set_optional_string (file, "LastError", self->last_error);
  if (self->state == POSTIER_OUTBOX_STATE_FAILED || self->state == POSTIER_OUTBOX_STATE_NEEDS_ATTENTION)
    g_key_file_set_string (file, ENTRY_GROUP, "Failure", failure_names[self->failure]);
  g_key_file_set_boolean (file, ENTRY_GROUP, "PossibleDuplicate", self->possible_duplicate);
  set_optional_string (file, "SentCopy", self->sent_copy);
  g_key_file_set_integer (file, ENTRY_GROUP, "Recipients", (int) self->recipients->len);

  for (guint i = 0; i < self->recipients->len; i++)
    {
      PostierOutboxRecipient *r = &g_array_index (self->recipients, PostierOutboxRecipient, i);
      g_autofree char *group = g_strdup_printf (RECIPIENT_GROUP, i);

      g_key_file_set_string (file, group, "Address", r->address);
      g_key_file_set_string (file, group, "State", recipient_state_names[r->state]);
      if (r->reply != NULL)
        g_key_file_set_string (file, group, "Reply", r->reply);
    }

  data = g_key_file_to_data (file, &length, NULL);
  if (!postier_write_file_durably (path, data, length, &local_error))
    {
      g_set_error (error, POSTIER_OUTBOX_ERROR, POSTIER_OUTBOX_ERROR_STORAGE,
                   "%s", local_error->message);
      return FALSE;
    }
  /* Settled: no longer being sent, durably, or a restart would take it for
   * a possible duplicate. */
  if (g_unlink (mark) == 0 && !postier_fsync_dir (self->path, NULL))
    g_debug ("could not fsync %s", self->path);
  return TRUE;
}

static gboolean
corrupt (GError     **error,
         const char  *path,
         const char  *what)
{
  /* GKeyFile quotes the offending line, whatever its bytes: an error
   * message must be UTF-8 (found by fuzz-outbox-entry). */
  g_autofree char *valid_path = g_utf8_make_valid (path, -1);
  g_autofree char *valid_what = g_utf8_make_valid (what, -1);

  g_set_error (error, POSTIER_OUTBOX_ERROR, POSTIER_OUTBOX_ERROR_CORRUPT,
               _("The outbox entry “%s” is damaged: %s"), valid_path, valid_what);
  return FALSE;
}

gboolean
_postier_outbox_entry_not_found (GError     **error,
                                 const char  *id)
{
  g_set_error (error, POSTIER_OUTBOX_ERROR, POSTIER_OUTBOX_ERROR_NOT_FOUND,
               _("There is no outbox entry “%s”"), id);
  return FALSE;
}

/* Postier never makes links in its outbox: one found there was planted
 * (or copied in by some tool), and following it would send, or delete,
 * whatever it points to. It is reported as damaged and left alone.
 * The entry's folder is opened once and its files reached from it by
 * name: a flush loads every entry first, and walking the whole path again
 * for each file was a third of that listing's system time. */
static int
open_entry_folder (const char  *id,
                   const char  *path,
                   GError     **error)
{
  /* O_PATH: only a handle for the *at calls below, which need search
   * permission on the folder, as before, not read permission. */
  int fd = open (path, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  int saved_errno = errno;
  struct stat info;

  if (fd >= 0)
    return fd;
  if (saved_errno == ENOENT)
    return _postier_outbox_entry_not_found (error, id), -1;
  /* With O_DIRECTORY, Linux reports a link as ENOTDIR, like a file. */
  if (saved_errno == ENOTDIR || saved_errno == ELOOP)
    return corrupt (error, path, lstat (path, &info) == 0 && S_ISLNK (info.st_mode)
                    ? _("the entry is a symbolic link; it was left alone")
                    : _("the entry is not a folder")), -1;
  return corrupt (error, path, g_strerror (saved_errno)), -1;
}

static gboolean
check_message_file (int          folder,
                    const char  *path,
                    GError     **error)
{
  struct stat info;

  if (fstatat (folder, POSTIER_OUTBOX_MESSAGE_FILE, &info, AT_SYMLINK_NOFOLLOW) == 0 &&
      !S_ISREG (info.st_mode))
    {
      g_autofree char *message = g_build_filename (path, POSTIER_OUTBOX_MESSAGE_FILE, NULL);

      return corrupt (error, message, S_ISLNK (info.st_mode)
                      ? _("the message is a symbolic link; it was left alone")
                      : _("the message is not a plain file"));
    }
  return TRUE;
}

/* The whole of FD, a plain file of about SIZE bytes, NUL-terminated. */
static char *
read_whole (int     fd,
            gsize   size,
            gsize  *length)
{
  gsize allocated = size + 1;
  char *text = g_malloc (allocated);
  gsize done = 0;

  for (;;)
    {
      gssize n;

      if (done + 1 >= allocated)
        {
          allocated *= 2;
          text = g_realloc (text, allocated);
        }
      n = read (fd, text + done, allocated - 1 - done);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          g_free (text);
          return NULL;
        }
      if (n == 0)
        break;
      done += (gsize) n;
    }
  text[done] = '\0';
  *length = done;
  return text;
}

/* FOLDER's entry.ini parsed, never read through a link; INI names it in
 * messages. */
static GKeyFile *
read_key_file (int          folder,
               const char  *id,
               const char  *ini,
               GError     **error)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autoptr(GError) local_error = NULL;
  g_autofree char *contents = NULL;
  struct stat info;
  gsize length = 0;
  int saved_errno;
  int fd;

  /* O_NONBLOCK: a planted FIFO cannot hang the open; a plain file
   * ignores it. */
  fd = openat (folder, POSTIER_OUTBOX_ENTRY_FILE, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    {
      saved_errno = errno;
      if (saved_errno == ENOENT)
        return _postier_outbox_entry_not_found (error, id), NULL;
      if (saved_errno == ELOOP)
        {
          g_autofree char *why = g_strdup_printf (_("“%s” is a symbolic link, not a file; it was left alone"), ini);
          return corrupt (error, ini, why), NULL;
        }
      return corrupt (error, ini, g_strerror (saved_errno)), NULL;
    }
  if (fstat (fd, &info) != 0 || !S_ISREG (info.st_mode))
    {
      g_autofree char *why = g_strdup_printf (_("“%s” is not a plain file; it was left alone"), ini);

      close (fd);
      return corrupt (error, ini, why), NULL;
    }
  contents = read_whole (fd, (gsize) info.st_size, &length);
  saved_errno = errno;
  close (fd);
  if (contents == NULL)
    return corrupt (error, ini, g_strerror (saved_errno)), NULL;
  if (!g_key_file_load_from_data (file, contents, length, G_KEY_FILE_NONE, &local_error))
    return corrupt (error, ini, local_error->message), NULL;
  return g_steal_pointer (&file);
}

/* The [Entry] group's optional fields: absent ones keep their defaults. */
static void
read_entry_fields (PostierOutboxEntry *self,
                   GKeyFile           *file)
{
  g_autofree char *failure = NULL;

#define LOAD_STRING(field, key)                                                \
  G_STMT_START {                                                               \
    char *value = optional_string (file, ENTRY_GROUP, key);                    \
    if (value != NULL)                                                         \
      {                                                                        \
        g_free (self->field);                                                  \
        self->field = value;                                                   \
      }                                                                        \
  } G_STMT_END
  LOAD_STRING (sender, "Sender");
  LOAD_STRING (subject, "Subject");
  LOAD_STRING (message_id, "MessageId");
  LOAD_STRING (last_error, "LastError");
  LOAD_STRING (sent_copy, "SentCopy");
#undef LOAD_STRING

  self->size = g_key_file_get_uint64 (file, ENTRY_GROUP, "Size", NULL);
  self->smtputf8 = g_key_file_get_boolean (file, ENTRY_GROUP, "SmtpUtf8", NULL);
  self->eight_bit = g_key_file_get_boolean (file, ENTRY_GROUP, "EightBit", NULL);
  self->utf8_headers = g_key_file_get_boolean (file, ENTRY_GROUP, "Utf8Headers", NULL);
  self->created = get_time (file, ENTRY_GROUP, "Created");
  self->since = get_time (file, ENTRY_GROUP, "Since");
  if (self->since == 0)
    self->since = self->created;
  self->attempts = (guint) MAX (0, g_key_file_get_integer (file, ENTRY_GROUP, "Attempts", NULL));
  self->last_attempt = get_time (file, ENTRY_GROUP, "LastAttempt");
  self->next_attempt = get_time (file, ENTRY_GROUP, "NextAttempt");
  self->possible_duplicate = g_key_file_get_boolean (file, ENTRY_GROUP, "PossibleDuplicate", NULL);
  /* Not before: a Schedule this Postier does not know still holds it. */
  {
    g_autofree char *schedule = optional_string (file, ENTRY_GROUP, "Schedule");
    PostierOutboxSchedule kind = POSTIER_OUTBOX_SCHEDULE_LATER;

    if (schedule != NULL)
      _postier_outbox_schedule_from_string (schedule, &kind);
    _postier_outbox_entry_set_not_before (self, get_time (file, ENTRY_GROUP, "NotBefore"), kind);
  }

  /* Unknown or absent (an entry from an older Postier): NONE. */
  failure = optional_string (file, ENTRY_GROUP, "Failure");
  for (guint i = 0; failure != NULL && i < G_N_ELEMENTS (failure_names); i++)
    if (g_str_equal (failure, failure_names[i]))
      self->failure = (PostierOutboxFailure) i;
}

static gboolean
read_recipients (PostierOutboxEntry  *self,
                 GKeyFile            *file,
                 const char          *ini,
                 GError             **error)
{
  int n_recipients = g_key_file_get_integer (file, ENTRY_GROUP, "Recipients", NULL);

  if (n_recipients <= 0)
    return corrupt (error, ini, _("no recipients"));
  for (int i = 0; i < n_recipients; i++)
    {
      g_autofree char *group = g_strdup_printf (RECIPIENT_GROUP, (guint) i);
      g_autofree char *address = g_key_file_get_string (file, group, "Address", NULL);
      g_autofree char *recipient_state = g_key_file_get_string (file, group, "State", NULL);
      g_autofree char *reply = optional_string (file, group, "Reply");
      PostierRecipientState rstate;

      if (address == NULL || !recipient_state_from_string (recipient_state, &rstate))
        return corrupt (error, ini, _("a recipient is missing"));
      _postier_outbox_entry_add_recipient (self, address, rstate, reply);
    }
  return TRUE;
}

PostierOutboxEntry *
_postier_outbox_entry_load (const char  *id,
                            const char  *path,
                            GError     **error)
{
  g_autoptr(PostierOutboxEntry) self = NULL;
  g_autoptr(GKeyFile) file = NULL;
  g_autofree char *ini = g_build_filename (path, POSTIER_OUTBOX_ENTRY_FILE, NULL);
  g_autofree char *state = NULL;
  int folder;
  gboolean marked;

  folder = open_entry_folder (id, path, error);
  if (folder < 0)
    return NULL;
  if (check_message_file (folder, path, error))
    file = read_key_file (folder, id, ini, error);
  marked = file != NULL && faccessat (folder, POSTIER_OUTBOX_SENDING_MARK, F_OK, 0) == 0;
  close (folder);
  if (file == NULL)
    return NULL;

  self = g_object_new (POSTIER_TYPE_OUTBOX_ENTRY, NULL);
  self->id = g_strdup (id);
  self->path = g_strdup (path);
  self->account_name = g_key_file_get_string (file, ENTRY_GROUP, "Account", NULL);
  if (self->account_name == NULL)
    return corrupt (error, ini, _("no account")), NULL;
  state = g_key_file_get_string (file, ENTRY_GROUP, "State", NULL);
  if (!postier_outbox_state_from_string (state, &self->state))
    return corrupt (error, ini, _("unknown state")), NULL;
  read_entry_fields (self, file);

  if (marked && self->state != POSTIER_OUTBOX_STATE_SENDING)
    {
      self->previous_state = self->state;
      self->state = POSTIER_OUTBOX_STATE_SENDING;
    }

  if (!read_recipients (self, file, ini, error))
    return NULL;
  return g_steal_pointer (&self);
}
