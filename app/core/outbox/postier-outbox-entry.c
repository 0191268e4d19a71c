/* postier-outbox-entry.c
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

#include "postier-delivery-rules.h"
#include "postier-error.h"
#include "postier-outbox.h"
#include "postier-outbox-private.h"
#include "postier-paths.h"

#define ENTRY_GROUP      "Entry"
#define RECIPIENT_GROUP  "Recipient %u"
#define ENTRY_VERSION    1

typedef struct {
  char                  *address;
  PostierRecipientState  state;
  char                  *reply;
} Recipient;

struct _PostierOutboxEntry
{
  GObject             parent_instance;

  char               *id;
  char               *path;
  char               *account_name;
  PostierOutboxState  state;
  PostierOutboxState  previous_state;  /* before mark-sending, in memory only */
  char               *sender;
  GArray             *recipients;  /* Recipient */
  char               *subject;
  char               *message_id;
  guint64             size;
  gint64              created;
  gint64              since;           /* start of the current series of attempts */
  guint               attempts;
  gint64              last_attempt;
  gint64              next_attempt;
  char               *last_error;
  char               *sent_copy;
  PostierOutboxFailure failure;
  guint               possible_duplicate : 1;
  guint               smtputf8 : 1;
  guint               eight_bit : 1;
  guint               utf8_headers : 1;
};

G_DEFINE_FINAL_TYPE (PostierOutboxEntry, postier_outbox_entry, G_TYPE_OBJECT)

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
postier_outbox_state_get_label (PostierOutboxState state)
{
  switch (state)
    {
    case POSTIER_OUTBOX_STATE_QUEUED:
      return _("Queued");
    case POSTIER_OUTBOX_STATE_SENDING:
      return _("Sending");
    case POSTIER_OUTBOX_STATE_DEFERRED:
      return _("Waiting to retry");
    case POSTIER_OUTBOX_STATE_FAILED:
      return _("Failed");
    case POSTIER_OUTBOX_STATE_NEEDS_ATTENTION:
      return _("Needs attention");
    case POSTIER_OUTBOX_STATE_SENT:
      /* A message's state, not the folder of sent mail. */
      return C_("outbox state", "Sent");
    default:
      g_return_val_if_reached (NULL);
    }
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

static void
clear_recipient (gpointer data)
{
  Recipient *recipient = data;

  g_free (recipient->address);
  g_free (recipient->reply);
}

static void
postier_outbox_entry_finalize (GObject *object)
{
  PostierOutboxEntry *self = POSTIER_OUTBOX_ENTRY (object);

  g_free (self->id);
  g_free (self->path);
  g_free (self->account_name);
  g_free (self->sender);
  g_array_unref (self->recipients);
  g_free (self->subject);
  g_free (self->message_id);
  g_free (self->last_error);
  g_free (self->sent_copy);

  G_OBJECT_CLASS (postier_outbox_entry_parent_class)->finalize (object);
}

static void
postier_outbox_entry_class_init (PostierOutboxEntryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = postier_outbox_entry_finalize;
}

static void
postier_outbox_entry_init (PostierOutboxEntry *self)
{
  self->recipients = g_array_new (FALSE, TRUE, sizeof (Recipient));
  g_array_set_clear_func (self->recipients, clear_recipient);
  self->subject = g_strdup ("");
  self->message_id = g_strdup ("");
  self->sender = g_strdup ("");
}

static void
add_recipient (PostierOutboxEntry    *self,
               const char            *address,
               PostierRecipientState  state,
               const char            *reply)
{
  Recipient recipient = { g_strdup (address), state, g_strdup (reply) };

  g_array_append_val (self->recipients, recipient);
}

PostierOutboxEntry *
_postier_outbox_entry_new (const char      *id,
                           const char      *path,
                           const char      *account_name,
                           PostierEnvelope *envelope,
                           gint64           created)
{
  PostierOutboxEntry *self = g_object_new (POSTIER_TYPE_OUTBOX_ENTRY, NULL);

  self->id = g_strdup (id);
  self->path = g_strdup (path);
  self->account_name = g_strdup (account_name);
  self->state = POSTIER_OUTBOX_STATE_QUEUED;
  g_free (self->sender);
  self->sender = g_strdup (postier_envelope_get_sender (envelope));
  for (guint i = 0; i < postier_envelope_get_n_recipients (envelope); i++)
    add_recipient (self, postier_envelope_get_recipient (envelope, i),
                   POSTIER_RECIPIENT_STATE_PENDING, NULL);
  self->size = postier_envelope_get_size (envelope);
  self->smtputf8 = postier_envelope_get_needs_smtputf8 (envelope);
  self->eight_bit = postier_envelope_get_8bit (envelope);
  self->utf8_headers = postier_envelope_get_utf8_headers (envelope);
  self->created = created;
  self->since = created;
  self->next_attempt = created;
  return self;
}

PostierOutboxEntry *
_postier_outbox_entry_copy (PostierOutboxEntry *self)
{
  PostierOutboxEntry *copy = g_object_new (POSTIER_TYPE_OUTBOX_ENTRY, NULL);

  copy->id = g_strdup (self->id);
  copy->path = g_strdup (self->path);
  copy->account_name = g_strdup (self->account_name);
  copy->state = self->state;
  g_free (copy->sender);
  copy->sender = g_strdup (self->sender);
  for (guint i = 0; i < self->recipients->len; i++)
    {
      Recipient *r = &g_array_index (self->recipients, Recipient, i);
      add_recipient (copy, r->address, r->state, r->reply);
    }
  g_free (copy->subject);
  copy->subject = g_strdup (self->subject);
  g_free (copy->message_id);
  copy->message_id = g_strdup (self->message_id);
  copy->size = self->size;
  copy->created = self->created;
  copy->since = self->since;
  copy->attempts = self->attempts;
  copy->last_attempt = self->last_attempt;
  copy->next_attempt = self->next_attempt;
  copy->last_error = g_strdup (self->last_error);
  copy->sent_copy = g_strdup (self->sent_copy);
  copy->failure = self->failure;
  copy->possible_duplicate = self->possible_duplicate;
  copy->smtputf8 = self->smtputf8;
  copy->eight_bit = self->eight_bit;
  copy->utf8_headers = self->utf8_headers;
  return copy;
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

static gint64
get_time (GKeyFile   *file,
          const char *group,
          const char *key)
{
  g_autofree char *text = g_key_file_get_string (file, group, key, NULL);
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
  set_optional_string (file, "LastError", self->last_error);
  if (self->state == POSTIER_OUTBOX_STATE_FAILED || self->state == POSTIER_OUTBOX_STATE_NEEDS_ATTENTION)
    g_key_file_set_string (file, ENTRY_GROUP, "Failure", failure_names[self->failure]);
  g_key_file_set_boolean (file, ENTRY_GROUP, "PossibleDuplicate", self->possible_duplicate);
  set_optional_string (file, "SentCopy", self->sent_copy);
  g_key_file_set_integer (file, ENTRY_GROUP, "Recipients", (int) self->recipients->len);

  for (guint i = 0; i < self->recipients->len; i++)
    {
      Recipient *r = &g_array_index (self->recipients, Recipient, i);
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

PostierOutboxEntry *
_postier_outbox_entry_load (const char  *id,
                            const char  *path,
                            GError     **error)
{
  g_autoptr(PostierOutboxEntry) self = NULL;
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autoptr(GError) local_error = NULL;
  g_autofree char *ini = g_build_filename (path, POSTIER_OUTBOX_ENTRY_FILE, NULL);
  g_autofree char *state = NULL;
  int n_recipients;
  struct stat info;
  g_autoptr(GMappedFile) mapped = NULL;
  const char *contents;
  int fd;

  /* Postier never makes links in its outbox: one found there was planted
   * (or copied in by some tool), and following it would send, or delete,
   * whatever it points to. It is reported as damaged and left alone. */
  if (lstat (path, &info) != 0)
    {
      g_set_error (error, POSTIER_OUTBOX_ERROR, POSTIER_OUTBOX_ERROR_NOT_FOUND,
                   _("There is no outbox entry “%s”"), id);
      return NULL;
    }
  if (!S_ISDIR (info.st_mode))
    return corrupt (error, path, S_ISLNK (info.st_mode)
                    ? _("the entry is a symbolic link; it was left alone")
                    : _("the entry is not a folder")), NULL;
  {
    g_autofree char *message = g_build_filename (path, POSTIER_OUTBOX_MESSAGE_FILE, NULL);

    if (lstat (message, &info) == 0 && !S_ISREG (info.st_mode))
      return corrupt (error, message, S_ISLNK (info.st_mode)
                      ? _("the message is a symbolic link; it was left alone")
                      : _("the message is not a plain file")), NULL;
  }

  fd = postier_open_regular (ini, O_RDONLY, 0, &local_error);
  if (fd < 0)
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_set_error (error, POSTIER_OUTBOX_ERROR, POSTIER_OUTBOX_ERROR_NOT_FOUND,
                     _("There is no outbox entry “%s”"), id);
      else
        corrupt (error, ini, local_error->message);
      return NULL;
    }
  mapped = g_mapped_file_new_from_fd (fd, FALSE, &local_error);
  close (fd);
  if (mapped == NULL)
    return corrupt (error, ini, local_error->message), NULL;
  contents = g_mapped_file_get_contents (mapped);
  if (!g_key_file_load_from_data (file, contents != NULL ? contents : "",
                                  g_mapped_file_get_length (mapped), G_KEY_FILE_NONE,
                                  &local_error))
    return corrupt (error, ini, local_error->message), NULL;

  self = g_object_new (POSTIER_TYPE_OUTBOX_ENTRY, NULL);
  self->id = g_strdup (id);
  self->path = g_strdup (path);
  self->account_name = g_key_file_get_string (file, ENTRY_GROUP, "Account", NULL);
  if (self->account_name == NULL)
    return corrupt (error, ini, _("no account")), NULL;
  state = g_key_file_get_string (file, ENTRY_GROUP, "State", NULL);
  if (!postier_outbox_state_from_string (state, &self->state))
    return corrupt (error, ini, _("unknown state")), NULL;

#define LOAD_STRING(field, key)                                                \
  G_STMT_START {                                                               \
    char *value = g_key_file_get_string (file, ENTRY_GROUP, key, NULL);        \
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
  {
    g_autofree char *failure = g_key_file_get_string (file, ENTRY_GROUP, "Failure", NULL);

    /* Unknown or absent (an entry from an older Postier): NONE. */
    for (guint i = 0; failure != NULL && i < G_N_ELEMENTS (failure_names); i++)
      if (g_str_equal (failure, failure_names[i]))
        self->failure = (PostierOutboxFailure) i;
  }

  {
    g_autofree char *mark = g_build_filename (path, POSTIER_OUTBOX_SENDING_MARK, NULL);

    if (g_file_test (mark, G_FILE_TEST_EXISTS) && self->state != POSTIER_OUTBOX_STATE_SENDING)
      {
        self->previous_state = self->state;
        self->state = POSTIER_OUTBOX_STATE_SENDING;
      }
  }

  n_recipients = g_key_file_get_integer (file, ENTRY_GROUP, "Recipients", NULL);
  if (n_recipients <= 0)
    return corrupt (error, ini, _("no recipients")), NULL;
  for (int i = 0; i < n_recipients; i++)
    {
      g_autofree char *group = g_strdup_printf (RECIPIENT_GROUP, (guint) i);
      g_autofree char *address = g_key_file_get_string (file, group, "Address", NULL);
      g_autofree char *recipient_state = g_key_file_get_string (file, group, "State", NULL);
      g_autofree char *reply = g_key_file_get_string (file, group, "Reply", NULL);
      PostierRecipientState rstate;

      if (address == NULL || !recipient_state_from_string (recipient_state, &rstate))
        return corrupt (error, ini, _("a recipient is missing")), NULL;
      add_recipient (self, address, rstate, reply);
    }

  return g_steal_pointer (&self);
}

const char *
postier_outbox_entry_get_id (PostierOutboxEntry *self)
{
  g_return_val_if_fail (POSTIER_IS_OUTBOX_ENTRY (self), NULL);
  return self->id;
}

const char *
postier_outbox_entry_get_path (PostierOutboxEntry *self)
{
  g_return_val_if_fail (POSTIER_IS_OUTBOX_ENTRY (self), NULL);
  return self->path;
}

char *
postier_outbox_entry_get_message_path (PostierOutboxEntry *self)
{
  g_return_val_if_fail (POSTIER_IS_OUTBOX_ENTRY (self), NULL);
  return g_build_filename (self->path, POSTIER_OUTBOX_MESSAGE_FILE, NULL);
}

char *
postier_outbox_entry_get_transcript_path (PostierOutboxEntry *self)
{
  g_return_val_if_fail (POSTIER_IS_OUTBOX_ENTRY (self), NULL);
  return g_build_filename (self->path, POSTIER_OUTBOX_TRANSCRIPT_FILE, NULL);
}

const char *
postier_outbox_entry_get_account_name (PostierOutboxEntry *self)
{
  g_return_val_if_fail (POSTIER_IS_OUTBOX_ENTRY (self), NULL);
  return self->account_name;
}

PostierOutboxState
postier_outbox_entry_get_state (PostierOutboxEntry *self)
{
  g_return_val_if_fail (POSTIER_IS_OUTBOX_ENTRY (self), POSTIER_OUTBOX_STATE_QUEUED);
  return self->state;
}

const char *
postier_outbox_entry_get_sender (PostierOutboxEntry *self)
{
  g_return_val_if_fail (POSTIER_IS_OUTBOX_ENTRY (self), NULL);
  return self->sender;
}

const char *
postier_outbox_entry_get_subject (PostierOutboxEntry *self)
{
  g_return_val_if_fail (POSTIER_IS_OUTBOX_ENTRY (self), NULL);
  return self->subject;
}

const char *
postier_outbox_entry_get_message_id (PostierOutboxEntry *self)
{
  g_return_val_if_fail (POSTIER_IS_OUTBOX_ENTRY (self), NULL);
  return self->message_id;
}

guint64
postier_outbox_entry_get_size (PostierOutboxEntry *self)
{
  g_return_val_if_fail (POSTIER_IS_OUTBOX_ENTRY (self), 0);
  return self->size;
}

gint64
postier_outbox_entry_get_created (PostierOutboxEntry *self)
{
  g_return_val_if_fail (POSTIER_IS_OUTBOX_ENTRY (self), 0);
  return self->created;
}

guint
postier_outbox_entry_get_attempts (PostierOutboxEntry *self)
{
  g_return_val_if_fail (POSTIER_IS_OUTBOX_ENTRY (self), 0);
  return self->attempts;
}

gint64
postier_outbox_entry_get_last_attempt (PostierOutboxEntry *self)
{
  g_return_val_if_fail (POSTIER_IS_OUTBOX_ENTRY (self), 0);
  return self->last_attempt;
}

gint64
postier_outbox_entry_get_next_attempt (PostierOutboxEntry *self)
{
  g_return_val_if_fail (POSTIER_IS_OUTBOX_ENTRY (self), 0);
  return self->next_attempt;
}

const char *
postier_outbox_entry_get_last_error (PostierOutboxEntry *self)
{
  g_return_val_if_fail (POSTIER_IS_OUTBOX_ENTRY (self), NULL);
  return self->last_error;
}

gboolean
postier_outbox_entry_get_possible_duplicate (PostierOutboxEntry *self)
{
  g_return_val_if_fail (POSTIER_IS_OUTBOX_ENTRY (self), FALSE);
  return self->possible_duplicate;
}

const char *
postier_outbox_entry_get_sent_copy (PostierOutboxEntry *self)
{
  g_return_val_if_fail (POSTIER_IS_OUTBOX_ENTRY (self), NULL);
  return self->sent_copy;
}

guint
postier_outbox_entry_get_n_recipients (PostierOutboxEntry *self)
{
  g_return_val_if_fail (POSTIER_IS_OUTBOX_ENTRY (self), 0);
  return self->recipients->len;
}

const char *
postier_outbox_entry_get_recipient (PostierOutboxEntry *self,
                                    guint               index)
{
  g_return_val_if_fail (POSTIER_IS_OUTBOX_ENTRY (self), NULL);
  g_return_val_if_fail (index < self->recipients->len, NULL);
  return g_array_index (self->recipients, Recipient, index).address;
}

PostierRecipientState
postier_outbox_entry_get_recipient_state (PostierOutboxEntry *self,
                                          guint               index)
{
  g_return_val_if_fail (POSTIER_IS_OUTBOX_ENTRY (self), POSTIER_RECIPIENT_STATE_PENDING);
  g_return_val_if_fail (index < self->recipients->len, POSTIER_RECIPIENT_STATE_PENDING);
  return g_array_index (self->recipients, Recipient, index).state;
}

const char *
postier_outbox_entry_get_recipient_reply (PostierOutboxEntry *self,
                                          guint               index)
{
  g_return_val_if_fail (POSTIER_IS_OUTBOX_ENTRY (self), NULL);
  g_return_val_if_fail (index < self->recipients->len, NULL);
  return g_array_index (self->recipients, Recipient, index).reply;
}

guint
postier_outbox_entry_count_recipients (PostierOutboxEntry    *self,
                                       PostierRecipientState  state)
{
  guint count = 0;

  g_return_val_if_fail (POSTIER_IS_OUTBOX_ENTRY (self), 0);
  for (guint i = 0; i < self->recipients->len; i++)
    if (g_array_index (self->recipients, Recipient, i).state == state)
      count++;
  return count;
}

PostierOutboxFailure
postier_outbox_entry_get_failure (PostierOutboxEntry *self)
{
  g_return_val_if_fail (POSTIER_IS_OUTBOX_ENTRY (self), POSTIER_OUTBOX_FAILURE_NONE);
  if (self->state != POSTIER_OUTBOX_STATE_FAILED && self->state != POSTIER_OUTBOX_STATE_NEEDS_ATTENTION)
    return POSTIER_OUTBOX_FAILURE_NONE;
  return self->failure;
}

gboolean
postier_outbox_entry_is_due (PostierOutboxEntry *self,
                             gint64              now)
{
  g_return_val_if_fail (POSTIER_IS_OUTBOX_ENTRY (self), FALSE);
  return self->state == POSTIER_OUTBOX_STATE_QUEUED ||
         (self->state == POSTIER_OUTBOX_STATE_DEFERRED && self->next_attempt <= now);
}

PostierEnvelope *
postier_outbox_entry_dup_pending_envelope (PostierOutboxEntry *self)
{
  PostierEnvelope *envelope;

  g_return_val_if_fail (POSTIER_IS_OUTBOX_ENTRY (self), NULL);

  envelope = postier_envelope_new (self->sender);
  for (guint i = 0; i < self->recipients->len; i++)
    {
      Recipient *r = &g_array_index (self->recipients, Recipient, i);
      if (r->state == POSTIER_RECIPIENT_STATE_PENDING ||
          r->state == POSTIER_RECIPIENT_STATE_DEFERRED)
        postier_envelope_add_recipient (envelope, r->address);
    }
  postier_envelope_set_size (envelope, self->size);
  postier_envelope_set_needs_smtputf8 (envelope, self->smtputf8);
  postier_envelope_set_8bit (envelope, self->eight_bit);
  postier_envelope_set_utf8_headers (envelope, self->utf8_headers);
  return envelope;
}

void
_postier_outbox_entry_set_state (PostierOutboxEntry *self,
                                 PostierOutboxState  state)
{
  if (state == POSTIER_OUTBOX_STATE_SENDING && self->state != POSTIER_OUTBOX_STATE_SENDING)
    self->previous_state = self->state;
  self->state = state;
}

PostierOutboxState
_postier_outbox_entry_get_previous_state (PostierOutboxEntry *self)
{
  return self->previous_state;
}

void
_postier_outbox_entry_unmark_sending (PostierOutboxEntry *self)
{
  if (self->state == POSTIER_OUTBOX_STATE_SENDING)
    self->state = self->previous_state;
}

static const char *
first_reply (PostierOutboxEntry    *self,
             PostierRecipientState  state)
{
  for (guint i = 0; i < postier_outbox_entry_get_n_recipients (self); i++)
    if (postier_outbox_entry_get_recipient_state (self, i) == state)
      return postier_outbox_entry_get_recipient_reply (self, i);
  return NULL;
}

/* The facts of the attempt for the delivery rules, and their verdict. */
void
_postier_outbox_entry_conclude (PostierOutboxEntry *self,
                                gint64              now,
                                const GError       *error)
{
  PostierDeliveryAttempt attempt = {
    .error = error,
    .n_recipients = postier_outbox_entry_get_n_recipients (self),
    .pending = postier_outbox_entry_count_recipients (self, POSTIER_RECIPIENT_STATE_PENDING),
    .deferred = postier_outbox_entry_count_recipients (self, POSTIER_RECIPIENT_STATE_DEFERRED),
    .refused = postier_outbox_entry_count_recipients (self, POSTIER_RECIPIENT_STATE_REFUSED),
    .deferred_reply = first_reply (self, POSTIER_RECIPIENT_STATE_DEFERRED),
    .refused_reply = first_reply (self, POSTIER_RECIPIENT_STATE_REFUSED),
    .attempts = self->attempts + 1,
    .since = self->since,
    .now = now,
    .random = g_random_int (),
  };
  PostierDeliveryVerdict verdict;

  postier_delivery_judge (&attempt, &verdict);
  self->attempts++;
  self->last_attempt = now;
  self->state = verdict.state;
  self->failure = verdict.failure;
  if (verdict.state == POSTIER_OUTBOX_STATE_DEFERRED)
    self->next_attempt = verdict.next_attempt;
  _postier_outbox_entry_set_last_error (self, verdict.last_error);
  postier_delivery_verdict_clear (&verdict);
}

void
_postier_outbox_entry_set_subject (PostierOutboxEntry *self,
                                   const char         *subject)
{
  g_free (self->subject);
  self->subject = g_strdup (subject != NULL ? subject : "");
}

void
_postier_outbox_entry_set_message_id (PostierOutboxEntry *self,
                                      const char         *message_id)
{
  g_free (self->message_id);
  self->message_id = g_strdup (message_id != NULL ? message_id : "");
}

void
_postier_outbox_entry_set_size (PostierOutboxEntry *self,
                                guint64             size)
{
  self->size = size;
}

void
_postier_outbox_entry_set_since (PostierOutboxEntry *self,
                                 gint64              when)
{
  self->since = when;
}

void
_postier_outbox_entry_set_attempts (PostierOutboxEntry *self,
                                    guint               attempts)
{
  self->attempts = attempts;
}

void
_postier_outbox_entry_set_last_attempt (PostierOutboxEntry *self,
                                        gint64              when)
{
  self->last_attempt = when;
}

void
_postier_outbox_entry_set_next_attempt (PostierOutboxEntry *self,
                                        gint64              when)
{
  self->next_attempt = when;
}

void
_postier_outbox_entry_set_last_error (PostierOutboxEntry *self,
                                      const char         *text)
{
  g_free (self->last_error);
  self->last_error = g_strdup (text);
}

void
_postier_outbox_entry_set_possible_duplicate (PostierOutboxEntry *self,
                                              gboolean            possible)
{
  self->possible_duplicate = !!possible;
}

void
_postier_outbox_entry_set_sent_copy (PostierOutboxEntry *self,
                                     const char         *file_name)
{
  g_free (self->sent_copy);
  self->sent_copy = g_strdup (file_name);
}

void
_postier_outbox_entry_set_recipient_state_at (PostierOutboxEntry    *self,
                                              guint                  index,
                                              PostierRecipientState  state,
                                              const char            *reply)
{
  Recipient *r;

  g_return_if_fail (index < self->recipients->len);
  r = &g_array_index (self->recipients, Recipient, index);
  r->state = state;
  if (reply != NULL || state == POSTIER_RECIPIENT_STATE_PENDING)
    {
      g_free (r->reply);
      r->reply = g_strdup (reply);
    }
}

gboolean
_postier_outbox_entry_set_recipient (PostierOutboxEntry    *self,
                                     const char            *address,
                                     PostierRecipientState  state,
                                     const char            *reply)
{
  for (guint i = 0; i < self->recipients->len; i++)
    if (g_str_equal (g_array_index (self->recipients, Recipient, i).address, address))
      {
        _postier_outbox_entry_set_recipient_state_at (self, i, state, reply);
        return TRUE;
      }
  return FALSE;
}

gboolean
_postier_outbox_entry_get_smtputf8 (PostierOutboxEntry *self)
{
  return self->smtputf8;
}

gboolean
_postier_outbox_entry_get_8bit (PostierOutboxEntry *self)
{
  return self->eight_bit;
}
