/* postier-outbox-entry.h — a snapshot of one queued message and its fate
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "postier-delivery-rules.h"
#include "postier-envelope.h"

G_BEGIN_DECLS

const char *postier_outbox_failure_to_string  (PostierOutboxFailure   failure);

const char *postier_outbox_state_to_string    (PostierOutboxState     state);
gboolean    postier_outbox_state_from_string  (const char            *text,
                                               PostierOutboxState    *state);
/* A short translated label for the UI ("Queued", "Needs attention", …). */
const char *postier_outbox_state_get_label    (PostierOutboxState     state);
const char *postier_recipient_state_to_string (PostierRecipientState  state);

/* Why an entry waits for its not-before time (issue 13). */
typedef enum {
  POSTIER_OUTBOX_SCHEDULE_NONE,   /* no not-before: due as its state says */
  POSTIER_OUTBOX_SCHEDULE_GRACE,  /* undo send: the person may still take it back */
  POSTIER_OUTBOX_SCHEDULE_LATER,  /* send later: a time the person chose */
} PostierOutboxSchedule;

/* "none", "grace", "later" (entry.ini's Schedule, queue list --json). */
const char *postier_outbox_schedule_to_string (PostierOutboxSchedule schedule);

#define POSTIER_TYPE_OUTBOX_ENTRY (postier_outbox_entry_get_type ())
G_DECLARE_FINAL_TYPE (PostierOutboxEntry, postier_outbox_entry, POSTIER, OUTBOX_ENTRY, GObject)

/* Entries are snapshots read from disk by PostierOutbox; they do not change
 * when the folder does. Times are Unix seconds, 0 meaning "none". */
const char          *postier_outbox_entry_get_id                  (PostierOutboxEntry *self);
/* The entry's folder, and the files in it. */
const char          *postier_outbox_entry_get_path                (PostierOutboxEntry *self);
char                *postier_outbox_entry_get_message_path        (PostierOutboxEntry *self);
char                *postier_outbox_entry_get_transcript_path     (PostierOutboxEntry *self);
const char          *postier_outbox_entry_get_account_name        (PostierOutboxEntry *self);
PostierOutboxState   postier_outbox_entry_get_state               (PostierOutboxEntry *self);
const char          *postier_outbox_entry_get_sender              (PostierOutboxEntry *self);
/* The decoded Subject and the Message-ID of the message, "" when absent. */
const char          *postier_outbox_entry_get_subject             (PostierOutboxEntry *self);
const char          *postier_outbox_entry_get_message_id          (PostierOutboxEntry *self);
guint64              postier_outbox_entry_get_size                (PostierOutboxEntry *self);
gint64               postier_outbox_entry_get_created             (PostierOutboxEntry *self);
guint                postier_outbox_entry_get_attempts            (PostierOutboxEntry *self);
gint64               postier_outbox_entry_get_last_attempt        (PostierOutboxEntry *self);
gint64               postier_outbox_entry_get_next_attempt        (PostierOutboxEntry *self);
/* The last problem in the relay's own words (or ours for a network or
 * keyring problem); NULL when there was none. */
const char          *postier_outbox_entry_get_last_error          (PostierOutboxEntry *self);
/* Why a due message still waits, in the relay limiter's words ("held by
 * the relay’s limit of 30 messages a minute — next at 10:42"), as
 * postier_outbox_list_async() found it; NULL when not held, and always
 * NULL from the other listings (the limiter may wait on a lock). */
const char          *postier_outbox_entry_get_relay_hold          (PostierOutboxEntry *self);
/* Why it is failed or needs attention; NONE in any other state. */
PostierOutboxFailure postier_outbox_entry_get_failure             (PostierOutboxEntry *self);
/* Set when the message may already have reached some recipients once
 * (a flusher died while waiting for the final reply). */
gboolean             postier_outbox_entry_get_possible_duplicate  (PostierOutboxEntry *self);

guint                postier_outbox_entry_get_n_recipients        (PostierOutboxEntry *self);
const char          *postier_outbox_entry_get_recipient           (PostierOutboxEntry *self,
                                                                   guint               index);
PostierRecipientState postier_outbox_entry_get_recipient_state    (PostierOutboxEntry *self,
                                                                   guint               index);
/* The relay's reply for that recipient ("550 5.1.1 …"), or NULL. */
const char          *postier_outbox_entry_get_recipient_reply     (PostierOutboxEntry *self,
                                                                   guint               index);
guint                postier_outbox_entry_count_recipients        (PostierOutboxEntry   *self,
                                                                   PostierRecipientState state);

/* Not before this time (Unix seconds, UTC; 0: none) will any flusher take
 * it, whatever the flush flags; and why (NONE when there is no time). */
gint64               postier_outbox_entry_get_not_before          (PostierOutboxEntry *self);
PostierOutboxSchedule postier_outbox_entry_get_schedule           (PostierOutboxEntry *self);
/* Its not-before is after NOW: waiting for it, not for a flush. */
gboolean             postier_outbox_entry_is_held                 (PostierOutboxEntry *self,
                                                                   gint64              now);
/* Scheduled by the person (send later), and not yet sent. */
gboolean             postier_outbox_entry_is_scheduled            (PostierOutboxEntry *self);
/* The composer's draft kept beside the message (draft.ini), so that undo
 * and Edit restore it exactly; NULL when the producer kept none (the CLI,
 * sendmail, older entries): then only message.eml can say. */
char                *postier_outbox_entry_get_draft_path          (PostierOutboxEntry *self);

/* Whether a flush at time NOW should attempt it (queued, or deferred and
 * its next-attempt has come; in both cases its not-before has come). */
gboolean             postier_outbox_entry_is_due                  (PostierOutboxEntry *self,
                                                                   gint64              now);

/* An envelope with every recipient not yet accepted. */
PostierEnvelope     *postier_outbox_entry_dup_pending_envelope    (PostierOutboxEntry *self);

G_END_DECLS
