/* postier-outbox-entry.c — one queued message as a snapshot, and the
 * changes the flusher makes to it
 *
 * entry.ini, its form on disk, is postier-outbox-entry-ini.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-outbox"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "postier-delivery-rules.h"
#include "postier-error.h"
#include "postier-outbox-entry-private.h"

G_DEFINE_FINAL_TYPE (PostierOutboxEntry, postier_outbox_entry, G_TYPE_OBJECT)

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

static void
clear_recipient (gpointer data)
{
  PostierOutboxRecipient *recipient = data;

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
  g_free (self->relay_hold);
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
  self->recipients = g_array_new (FALSE, TRUE, sizeof (PostierOutboxRecipient));
  g_array_set_clear_func (self->recipients, clear_recipient);
  self->subject = g_strdup ("");
  self->message_id = g_strdup ("");
  self->sender = g_strdup ("");
}

void
_postier_outbox_entry_add_recipient (PostierOutboxEntry    *self,
               const char            *address,
               PostierRecipientState  state,
               const char            *reply)
{
  PostierOutboxRecipient recipient = { g_strdup (address), state, g_strdup (reply) };

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
    _postier_outbox_entry_add_recipient (self, postier_envelope_get_recipient (envelope, i),
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

const char *
postier_outbox_entry_get_relay_hold (PostierOutboxEntry *self)
{
  g_return_val_if_fail (POSTIER_IS_OUTBOX_ENTRY (self), NULL);
  return self->relay_hold;
}

gboolean
postier_outbox_entry_get_possible_duplicate (PostierOutboxEntry *self)
{
  g_return_val_if_fail (POSTIER_IS_OUTBOX_ENTRY (self), FALSE);
  return self->possible_duplicate;
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
  return g_array_index (self->recipients, PostierOutboxRecipient, index).address;
}

PostierRecipientState
postier_outbox_entry_get_recipient_state (PostierOutboxEntry *self,
                                          guint               index)
{
  g_return_val_if_fail (POSTIER_IS_OUTBOX_ENTRY (self), POSTIER_RECIPIENT_STATE_PENDING);
  g_return_val_if_fail (index < self->recipients->len, POSTIER_RECIPIENT_STATE_PENDING);
  return g_array_index (self->recipients, PostierOutboxRecipient, index).state;
}

const char *
postier_outbox_entry_get_recipient_reply (PostierOutboxEntry *self,
                                          guint               index)
{
  g_return_val_if_fail (POSTIER_IS_OUTBOX_ENTRY (self), NULL);
  g_return_val_if_fail (index < self->recipients->len, NULL);
  return g_array_index (self->recipients, PostierOutboxRecipient, index).reply;
}

guint
postier_outbox_entry_count_recipients (PostierOutboxEntry    *self,
                                       PostierRecipientState  state)
{
  guint count = 0;

  g_return_val_if_fail (POSTIER_IS_OUTBOX_ENTRY (self), 0);
  for (guint i = 0; i < self->recipients->len; i++)
    if (g_array_index (self->recipients, PostierOutboxRecipient, i).state == state)
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
  if (postier_outbox_entry_is_held (self, now))
    return FALSE;
  return self->state == POSTIER_OUTBOX_STATE_QUEUED ||
         (self->state == POSTIER_OUTBOX_STATE_DEFERRED && self->next_attempt <= now);
}

/* --- Not before (issue 13) ------------------------------------------------ */

static const char * const schedule_names[] = {
  [POSTIER_OUTBOX_SCHEDULE_NONE] = "none",
  [POSTIER_OUTBOX_SCHEDULE_GRACE] = "grace",
  [POSTIER_OUTBOX_SCHEDULE_LATER] = "later",
};

const char *
postier_outbox_schedule_to_string (PostierOutboxSchedule schedule)
{
  g_return_val_if_fail (schedule <= POSTIER_OUTBOX_SCHEDULE_LATER, NULL);
  return schedule_names[schedule];
}

gboolean
_postier_outbox_schedule_from_string (const char            *text,
                                      PostierOutboxSchedule *schedule)
{
  for (guint i = 0; i < G_N_ELEMENTS (schedule_names); i++)
    if (g_strcmp0 (text, schedule_names[i]) == 0)
      {
        *schedule = (PostierOutboxSchedule) i;
        return TRUE;
      }
  return FALSE;
}

gint64
postier_outbox_entry_get_not_before (PostierOutboxEntry *self)
{
  g_return_val_if_fail (POSTIER_IS_OUTBOX_ENTRY (self), 0);
  return self->not_before;
}

PostierOutboxSchedule
postier_outbox_entry_get_schedule (PostierOutboxEntry *self)
{
  g_return_val_if_fail (POSTIER_IS_OUTBOX_ENTRY (self), POSTIER_OUTBOX_SCHEDULE_NONE);
  return self->not_before != 0 ? self->schedule : POSTIER_OUTBOX_SCHEDULE_NONE;
}

gboolean
postier_outbox_entry_is_held (PostierOutboxEntry *self,
                              gint64              now)
{
  g_return_val_if_fail (POSTIER_IS_OUTBOX_ENTRY (self), FALSE);
  return self->not_before != 0 && self->not_before > now;
}

gboolean
postier_outbox_entry_is_scheduled (PostierOutboxEntry *self)
{
  g_return_val_if_fail (POSTIER_IS_OUTBOX_ENTRY (self), FALSE);
  return postier_outbox_entry_get_schedule (self) == POSTIER_OUTBOX_SCHEDULE_LATER &&
         self->state != POSTIER_OUTBOX_STATE_SENT;
}

char *
postier_outbox_entry_get_draft_path (PostierOutboxEntry *self)
{
  g_autofree char *path = NULL;

  g_return_val_if_fail (POSTIER_IS_OUTBOX_ENTRY (self), NULL);
  path = g_build_filename (self->path, POSTIER_OUTBOX_DRAFT_FILE, NULL);
  return g_file_test (path, G_FILE_TEST_IS_REGULAR) ? g_steal_pointer (&path) : NULL;
}

void
_postier_outbox_entry_set_not_before (PostierOutboxEntry    *self,
                                      gint64                 when,
                                      PostierOutboxSchedule  schedule)
{
  self->not_before = MAX (when, 0);
  self->schedule = self->not_before != 0 ? schedule : POSTIER_OUTBOX_SCHEDULE_NONE;
  if (self->schedule == POSTIER_OUTBOX_SCHEDULE_NONE)
    self->not_before = 0;
}

PostierEnvelope *
postier_outbox_entry_dup_pending_envelope (PostierOutboxEntry *self)
{
  PostierEnvelope *envelope;

  g_return_val_if_fail (POSTIER_IS_OUTBOX_ENTRY (self), NULL);

  envelope = postier_envelope_new (self->sender);
  for (guint i = 0; i < self->recipients->len; i++)
    {
      PostierOutboxRecipient *r = &g_array_index (self->recipients, PostierOutboxRecipient, i);
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
_postier_outbox_entry_set_relay_hold (PostierOutboxEntry *self,
                                      const char         *text)
{
  g_free (self->relay_hold);
  self->relay_hold = g_strdup (text);
}

void
_postier_outbox_entry_set_possible_duplicate (PostierOutboxEntry *self,
                                              gboolean            possible)
{
  self->possible_duplicate = !!possible;
}

void
_postier_outbox_entry_set_recipient_state_at (PostierOutboxEntry    *self,
                                              guint                  index,
                                              PostierRecipientState  state,
                                              const char            *reply)
{
  PostierOutboxRecipient *r;

  g_return_if_fail (index < self->recipients->len);
  r = &g_array_index (self->recipients, PostierOutboxRecipient, index);
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
    if (g_str_equal (g_array_index (self->recipients, PostierOutboxRecipient, i).address, address))
      {
        _postier_outbox_entry_set_recipient_state_at (self, i, state, reply);
        return TRUE;
      }
  return FALSE;
}
