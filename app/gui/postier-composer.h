/* postier-composer.h — writing a message: From, To/Cc/Bcc, Subject, text,
 * attachments; Send puts it in the outbox without blocking the window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "postier-account-store.h"
#include "postier-address-book.h"
#include "postier-draft.h"
#include "postier-outbox.h"
#include "postier-submitter.h"

G_BEGIN_DECLS

#define POSTIER_TYPE_COMPOSER (postier_composer_get_type ())
G_DECLARE_FINAL_TYPE (PostierComposer, postier_composer, POSTIER, COMPOSER, AdwBin)

/* DRAFTS_DIR NULL means $XDG_DATA_HOME/postier/drafts. The newest draft
 * found there (left by a crash or a restart) is opened at once. */
PostierComposer *postier_composer_new                (PostierAccountStore *accounts,
                                                      PostierOutbox       *outbox,
                                                      PostierAddressBook  *address_book,
                                                      const char          *drafts_dir);

/* Opens DRAFT (which the composer then owns) in place of what is being
 * written; the message being written stays saved as a draft. */
void             postier_composer_open_draft         (PostierComposer     *self,
                                                      PostierDraft        *draft);
/* The same for a draft already saved in DRAFT_PATH (NULL: a new file). The
 * composer goes on saving it there and, once it is sent or discarded,
 * removes it and the folder DRAFT_PATH.files (where the attachments of an
 * opened message are kept). */
void             postier_composer_open_draft_file    (PostierComposer     *self,
                                                      PostierDraft        *draft,
                                                      const char          *draft_path);
/* A mailto: URI. FALSE, with the reason shown in the composer, when the
 * URI is refused (e.g. a line break hidden in it). */
gboolean         postier_composer_open_mailto        (PostierComposer     *self,
                                                      const char          *uri);
/* A message file (.eml) as a new draft. FALSE, with the reason shown, when
 * it cannot be read. */
gboolean         postier_composer_open_message_file  (PostierComposer     *self,
                                                      GFile               *file);

/* Adds a file as an attachment (the file chooser and drag and drop do). */
void             postier_composer_attach_file        (PostierComposer     *self,
                                                      GFile               *file);

/* What is being written, as a new draft. Transfer full. */
PostierDraft    *postier_composer_dup_draft          (PostierComposer     *self);
gboolean         postier_composer_is_empty           (PostierComposer     *self);
/* The problem shown in the composer's message bar, NULL when none. */
const char      *postier_composer_get_error          (PostierComposer     *self);
/* Writes the draft now if it changed; the window calls it when closing. */
void             postier_composer_save_now           (PostierComposer     *self);
/* Moves the keyboard focus to the first field a person should fill. */
void             postier_composer_focus              (PostierComposer     *self);
/* The submitter whose ::entry-changed tells when a message of the From
 * account is refused at sign-in (or goes again after a new sign-in), for
 * the warning above the fields. Without one, only what is there when the
 * From account is chosen, and GOA's own "needs attention", are shown. */
void             postier_composer_set_submitter      (PostierComposer     *self,
                                                      PostierSubmitter    *submitter);
/* The outbox as the window's outbox view lists it (a GListModel of
 * PostierOutboxEntry snapshots, kept up to date by the view): the warning
 * looks there for the From account's refused mail, and follows it, instead
 * of listing the whole outbox again at each change of From. Without one,
 * the composer lists the outbox itself (in a worker thread). */
void             postier_composer_follow_outbox      (PostierComposer     *self,
                                                      GListModel          *entries);

/* Signals:
 *   ::message-queued (const char *outbox_id, const char *account_name)
 *       a sent message is safely in the outbox.
 *   ::show-toast (AdwToast *toast)
 *       something the window should show briefly.
 */

G_END_DECLS
