/* postier-outbox-private.h — what the outbox and the submitter share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "postier-outbox.h"
#include "postier-outbox-entry.h"

G_BEGIN_DECLS

#define POSTIER_OUTBOX_ENTRY_FILE      "entry.ini"
#define POSTIER_OUTBOX_MESSAGE_FILE    "message.eml"
#define POSTIER_OUTBOX_TRANSCRIPT_FILE "transcript.log"
/* An entry being sent has this second name for its entry.ini: a hard link
 * costs no new file, and entry.ini keeps the state to go back to. */
#define POSTIER_OUTBOX_SENDING_MARK    "sending"

PostierOutboxEntry *_postier_outbox_entry_new                (const char          *id,
                                                              const char          *path,
                                                              const char          *account_name,
                                                              PostierEnvelope     *envelope,
                                                              gint64               created);
PostierOutboxEntry *_postier_outbox_entry_load               (const char          *id,
                                                              const char          *path,
                                                              GError             **error);
PostierOutboxEntry *_postier_outbox_entry_copy               (PostierOutboxEntry  *self);
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
void                _postier_outbox_entry_set_last_attempt   (PostierOutboxEntry  *self,
                                                              gint64               when);
void                _postier_outbox_entry_set_next_attempt   (PostierOutboxEntry  *self,
                                                              gint64               when);
void                _postier_outbox_entry_set_last_error     (PostierOutboxEntry  *self,
                                                              const char          *text);
void                _postier_outbox_entry_set_possible_duplicate (PostierOutboxEntry *self,
                                                              gboolean             possible);
void                _postier_outbox_entry_set_sent_copy      (PostierOutboxEntry  *self,
                                                              const char          *file_name);
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
gboolean            _postier_outbox_entry_get_smtputf8       (PostierOutboxEntry  *self);
gboolean            _postier_outbox_entry_get_8bit           (PostierOutboxEntry  *self);

/* The flusher's side; every one of these writes entry.ini durably. */

/* Run by the holder of the flush lock before a flush: an entry left in
 * "sending" by a flusher that died is made due again and marked possible
 * duplicate; leftovers of interrupted enqueues are removed. */
gboolean            _postier_outbox_recover                  (PostierOutbox       *self,
                                                              GError             **error);
/* Records that a flusher is about to hand the entry to the relay. */
gboolean            _postier_outbox_mark_sending             (PostierOutbox       *self,
                                                              PostierOutboxEntry  *entry,
                                                              GError             **error);
/* Decides the entry's new state after an attempt at time NOW, from the
 * recipients' states already recorded and ERROR (NULL when the relay took
 * the data), following the delivery rules; does not write anything. */
void                _postier_outbox_entry_conclude           (PostierOutboxEntry  *entry,
                                                              gint64               now,
                                                              const GError        *error);
/* Puts an entry back in the state it had before mark_sending (flush
 * cancelled before anything was sent). */
void                _postier_outbox_entry_unmark_sending     (PostierOutboxEntry  *entry);
/* Saves the concluded entry, or removes its folder when it is sent. */
gboolean            _postier_outbox_settle                   (PostierOutbox       *self,
                                                              PostierOutboxEntry  *entry,
                                                              GError             **error);
/* The same for many concluded entries, with one folder sync for all the
 * removals when SYNC_REMOVALS (else the caller syncs the outbox folder).
 * Stops reporting after the first error but settles the rest. */
gboolean            _postier_outbox_settle_batch             (PostierOutbox       *self,
                                                              GPtrArray           *entries,
                                                              gboolean             sync_removals,
                                                              GError             **error);
/* Appends one attempt's dialogue (already redacted) to transcript.log. */
void                _postier_outbox_append_transcript        (PostierOutbox       *self,
                                                              PostierOutboxEntry  *entry,
                                                              const char          *heading,
                                                              const char          *transcript);
PostierOutboxState  _postier_outbox_entry_get_previous_state (PostierOutboxEntry  *self);

/* The watch's side (postier-outbox-watch.c): installs ::changed. */
void                _postier_outbox_watch_class_init         (GObjectClass        *klass);

G_END_DECLS
