/* postier-composer-private.h — what the composer's aspects share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "postier-address-entry.h"
#include "postier-composer.h"
#include "postier-draft-store.h"

G_BEGIN_DECLS

typedef struct {
  PostierComposer *composer;     /* not a reference: rows die with it */
  GFile           *file;
  char            *path;
  char            *name;
  gint64           size;         /* -1 until known */
  GtkWidget       *row;
  GCancellable    *cancellable;
} Attachment;

struct _PostierComposer
{
  AdwBin               parent_instance;

  /* template */
  GtkRevealer         *sandbox_revealer;
  GtkRevealer         *attention_revealer;
  GtkLabel            *attention_label;
  GtkButton           *attention_button;
  AdwComboRow         *from_row;
  PostierAddressEntry *to_entry;
  PostierAddressEntry *cc_entry;
  PostierAddressEntry *bcc_entry;
  AdwEntryRow         *subject_entry;
  GtkTextView         *body_view;
  GtkLabel            *size_warning_label;
  GtkListBox          *attachment_list;
  GtkRevealer         *error_revealer;
  GtkLabel            *error_label;
  GtkLabel            *status_label;

  /* the engine */
  PostierAccountStore *accounts;
  PostierOutbox       *outbox;
  PostierAddressBook  *address_book;
  GSettings           *settings;

  GtkStringList       *from_model;
  GPtrArray           *from_names;    /* account name per from_model item */
  GPtrArray           *attachments;   /* Attachment */
  PostierDraft        *base;          /* what was opened: keeps Reply-To, In-Reply-To… */
  GtkNativeDialog     *file_chooser;

  PostierDraftStore   *drafts;        /* the drafts folder: saves, deletions */
  char                *draft_path;    /* this message's autosave file */
  guint                autosave_source;
  gboolean             dirty;
  gboolean             loading;
  gboolean             show_cc_bcc;
  gboolean             from_chosen;   /* From picked by the person or the draft, not the default */
  guint                sends_in_flight;
  char                *error_message;

  /* The From account needs the person (postier-composer-attention.c). */
  PostierSubmitter    *submitter;
  GHashTable          *attention_ids;      /* its needs-attention entries refused at AUTH */
  char                *attention_account;  /* whose entries attention_ids holds */
  char                *attention_target;   /* the entry Sign In Again names, or NULL: Settings */
  GCancellable        *attention_cancellable;
  gboolean             attention_off;      /* disposed: the From row may still notify */
  GListModel          *attention_entries;  /* the outbox view's listing, or NULL */
  GPtrArray           *attention_mirror;   /* its snapshots, in its order (referenced) */
  GHashTable          *attention_refused;  /* those of them refused at AUTH, any account */
};

/* postier-composer.c */
void            _postier_composer_show_error          (PostierComposer *self,
                                                       const char      *message);
void            _postier_composer_toast               (PostierComposer *self,
                                                       const char      *message);
void            _postier_composer_mark_changed        (PostierComposer *self);
PostierAccount *_postier_composer_get_account         (PostierComposer *self);
/* The To, Cc and Bcc rows by INDEX (0–2), NULL past them. */
PostierAddressEntry *_postier_composer_address_entry  (PostierComposer *self,
                                                       guint            index);
void            _postier_composer_set_show_cc_bcc     (PostierComposer *self,
                                                       gboolean         show);
void            _postier_composer_fill_fields         (PostierComposer *self,
                                                       PostierDraft    *draft);
/* Starts a new message in a new draft file (DRAFT NULL: empty); the old
 * one stays on disk. */
void            _postier_composer_start_new_draft     (PostierComposer *self,
                                                       PostierDraft    *draft);
/* Queues a save of what is written if it changed (or a deletion when it
 * is empty) with the draft store. */
void            _postier_composer_save_draft          (PostierComposer *self);
void            _postier_composer_delete_draft        (PostierComposer *self,
                                                       const char      *draft_path);
void            _postier_composer_update_actions      (PostierComposer *self);
void            _postier_composer_emit_message_queued (PostierComposer *self,
                                                       const char      *outbox_id,
                                                       const char      *account_name);

/* postier-composer-send.c */
void            _postier_composer_send_action         (GtkWidget       *widget,
                                                       const char      *action_name,
                                                       GVariant        *parameter);
/* Send Later…: asks when, then queues with that not-before time. */
void            _postier_composer_send_later_action   (GtkWidget       *widget,
                                                       const char      *action_name,
                                                       GVariant        *parameter);
void            _postier_composer_discard_action      (GtkWidget       *widget,
                                                       const char      *action_name,
                                                       GVariant        *parameter);
void            _postier_composer_dismiss_error_action (GtkWidget      *widget,
                                                        const char     *action_name,
                                                        GVariant       *parameter);

/* postier-composer-undo.c */
/* ID was queued from DRAFT not before NOT_BEFORE: the Undo toast (GRACE)
 * or when it will be sent (LATER). */
void            _postier_composer_queued_until        (PostierComposer       *self,
                                                       const char            *id,
                                                       PostierDraft          *draft,
                                                       gint64                 not_before,
                                                       PostierOutboxSchedule  schedule);

/* postier-composer-attachments.c */
void            _postier_composer_attachment_free     (Attachment      *attachment);
void            _postier_composer_clear_attachments   (PostierComposer *self);
void            _postier_composer_update_size_warning (PostierComposer *self);
void            _postier_composer_attach_action       (GtkWidget       *widget,
                                                       const char      *action_name,
                                                       GVariant        *parameter);
void            _postier_composer_setup_drop          (PostierComposer *self);

/* postier-composer-attention.c: the warning when the From account needs
 * a sign-in (issue 14). Send still queues. */
void            _postier_composer_attention_class_init (GtkWidgetClass *widget_class);
void            _postier_composer_update_attention    (PostierComposer *self);
void            _postier_composer_attention_dispose   (PostierComposer *self);

G_END_DECLS
