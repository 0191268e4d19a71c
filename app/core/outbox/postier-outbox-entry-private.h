/* postier-outbox-entry-private.h — the entry's struct and private side
 *
 * Why: an entry is one class in two files (postier-outbox-entry.c: the
 * snapshot and its changes; postier-outbox-entry-ini.c: entry.ini, the
 * on-disk format), and the outbox and the submitter change entries through
 * these. Lower than postier-outbox.h: nothing here needs the outbox.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "postier-envelope.h"
#include "postier-outbox-entry.h"

G_BEGIN_DECLS

#define POSTIER_OUTBOX_ENTRY_FILE      "entry.ini"
#define POSTIER_OUTBOX_MESSAGE_FILE    "message.eml"
#define POSTIER_OUTBOX_TRANSCRIPT_FILE "transcript.log"
/* The composer's draft, when the producer kept it (undo send, Edit). */
#define POSTIER_OUTBOX_DRAFT_FILE      "draft.ini"
/* An entry being sent has this second name for its entry.ini: a hard link
 * costs no new file, and entry.ini keeps the state to go back to. */
#define POSTIER_OUTBOX_SENDING_MARK    "sending"

PostierOutboxEntry *_postier_outbox_entry_new                (const char          *id,
                                                              const char          *path,
                                                              const char          *account_name,
                                                              PostierEnvelope     *envelope,
                                                              gint64               created);
/* Sets POSTIER_OUTBOX_ERROR_NOT_FOUND for ID ("There is no outbox
 * entry …"); returns FALSE. */
gboolean            _postier_outbox_entry_not_found          (GError             **error,
                                                              const char          *id);
PostierOutboxEntry *_postier_outbox_entry_load               (const char          *id,
                                                              const char          *path,
                                                              GError             **error);
/* Writes entry.ini durably (temporary name, fsync, rename, fsync folder). */
gboolean            _postier_outbox_entry_save               (PostierOutboxEntry  *self,
                                                              GError             **error);

void                _postier_outbox_entry_set_state          (PostierOutboxEntry  *self,
                                                              PostierOutboxState   state);
void                _postier_outbox_entry_set_subject        (PostierOutboxEntry  *self,
                                                              const char          *subject);
void                _postier_outbox_entry_set_message_id     (PostierOutboxEntry  *self,
                                                              const char          *message_id);
void                _postier_outbox_entry_set_size           (PostierOutboxEntry  *self,
                                                              guint64              size);
/* When the current series of attempts began (enqueue or manual retry):
 * the give-up age counts from there. */
void                _postier_outbox_entry_set_since          (PostierOutboxEntry  *self,
                                                              gint64               when);
void                _postier_outbox_entry_set_attempts       (PostierOutboxEntry  *self,
                                                              guint                attempts);
void                _postier_outbox_entry_set_next_attempt   (PostierOutboxEntry  *self,
                                                              gint64               when);
/* Not before WHEN (0: clears it, and SCHEDULE becomes NONE). */
void                _postier_outbox_entry_set_not_before     (PostierOutboxEntry  *self,
                                                              gint64               when,
                                                              PostierOutboxSchedule schedule);
/* entry.ini's Schedule value, back (FALSE when unknown). */
gboolean            _postier_outbox_schedule_from_string     (const char          *text,
                                                              PostierOutboxSchedule *schedule);
void                _postier_outbox_entry_set_last_error     (PostierOutboxEntry  *self,
                                                              const char          *text);
void                _postier_outbox_entry_set_possible_duplicate (PostierOutboxEntry *self,
                                                              gboolean             possible);
/* The relay limiter's sentence, noted by postier_outbox_list_async(). */
void                _postier_outbox_entry_set_relay_hold     (PostierOutboxEntry  *self,
                                                              const char          *text);
/* Finds the recipient by address (as given at enqueue) and records its
 * state and the relay's reply; returns FALSE if there is no such one. */
gboolean            _postier_outbox_entry_set_recipient      (PostierOutboxEntry   *self,
                                                              const char           *address,
                                                              PostierRecipientState state,
                                                              const char           *reply);
void                _postier_outbox_entry_set_recipient_state_at (PostierOutboxEntry *self,
                                                              guint                 index,
                                                              PostierRecipientState state,
                                                              const char           *reply);
/* Decides the entry's new state after an attempt at time NOW, from the
 * recipients' states already recorded and ERROR (NULL when the relay took
 * the data), following the delivery rules; does not write anything. */
void                _postier_outbox_entry_conclude           (PostierOutboxEntry  *entry,
                                                              gint64               now,
                                                              const GError        *error);
/* Puts an entry back in the state it had before mark_sending (flush
 * cancelled before anything was sent). */
void                _postier_outbox_entry_unmark_sending     (PostierOutboxEntry  *entry);

typedef struct {
  char                  *address;
  PostierRecipientState  state;
  char                  *reply;
} PostierOutboxRecipient;

struct _PostierOutboxEntry
{
  GObject             parent_instance;

  char               *id;
  char               *path;
  char               *account_name;
  PostierOutboxState  state;
  PostierOutboxState  previous_state;  /* before mark-sending, in memory only */
  char               *sender;
  GArray             *recipients;  /* PostierOutboxRecipient */
  char               *subject;
  char               *message_id;
  guint64             size;
  gint64              created;
  gint64              since;           /* start of the current series of attempts */
  guint               attempts;
  gint64              last_attempt;
  gint64              next_attempt;
  gint64              not_before;      /* 0: none; see postier-schedule.h */
  PostierOutboxSchedule schedule;
  char               *last_error;
  char               *sent_copy;
  PostierOutboxFailure failure;
  char               *relay_hold;      /* from a listing, never on disk */
  guint               possible_duplicate : 1;
  guint               smtputf8 : 1;
  guint               eight_bit : 1;
  guint               utf8_headers : 1;
};

/* postier-outbox-entry.c, for the loader. */
void                _postier_outbox_entry_add_recipient      (PostierOutboxEntry    *self,
                                                              const char            *address,
                                                              PostierRecipientState  state,
                                                              const char            *reply);

G_END_DECLS
