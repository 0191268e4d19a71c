/* postier-draft.h — a message being written, before it is built
 *
 * What the composer edits, what `postierctl send` fills from its options
 * and what a mailto: URI or an .eml file turns into. Plain data with
 * GObject properties (the composer binds to them); nothing is checked
 * until postier_draft_validate() or the MIME builder runs.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "postier-address-field.h"

G_BEGIN_DECLS

#define POSTIER_TYPE_DRAFT (postier_draft_get_type ())
G_DECLARE_FINAL_TYPE (PostierDraft, postier_draft, POSTIER, DRAFT, GObject)

PostierDraft *postier_draft_new                 (void);

/* The account to send through, by name; its identity is the From. */
const char   *postier_draft_get_account_name    (PostierDraft  *self);
void          postier_draft_set_account_name    (PostierDraft  *self,
                                                 const char    *name);
/* "Display Name <address>"; NULL means the account's identity. */
const char   *postier_draft_get_from            (PostierDraft  *self);
void          postier_draft_set_from            (PostierDraft  *self,
                                                 const char    *from);

/* Address lists as a person types them: "Ann <a@x>, b@y". */
const char   *postier_draft_get_to              (PostierDraft  *self);
void          postier_draft_set_to              (PostierDraft  *self,
                                                 const char    *addresses);
const char   *postier_draft_get_cc              (PostierDraft  *self);
void          postier_draft_set_cc              (PostierDraft  *self,
                                                 const char    *addresses);
const char   *postier_draft_get_bcc             (PostierDraft  *self);
void          postier_draft_set_bcc             (PostierDraft  *self,
                                                 const char    *addresses);
const char   *postier_draft_get_reply_to        (PostierDraft  *self);
void          postier_draft_set_reply_to        (PostierDraft  *self,
                                                 const char    *addresses);
/* Appends to a list (for repeated --to options and mailto: fields). */
void          postier_draft_add_to              (PostierDraft  *self,
                                                 const char    *addresses);
void          postier_draft_add_cc              (PostierDraft  *self,
                                                 const char    *addresses);
void          postier_draft_add_bcc             (PostierDraft  *self,
                                                 const char    *addresses);

const char   *postier_draft_get_subject         (PostierDraft  *self);
void          postier_draft_set_subject         (PostierDraft  *self,
                                                 const char    *subject);
/* UTF-8 plain text, LF line ends. */
const char   *postier_draft_get_body            (PostierDraft  *self);
void          postier_draft_set_body            (PostierDraft  *self,
                                                 const char    *body);

const char   *postier_draft_get_in_reply_to     (PostierDraft  *self);
void          postier_draft_set_in_reply_to     (PostierDraft  *self,
                                                 const char    *message_id);
const char   *postier_draft_get_references      (PostierDraft  *self);
void          postier_draft_set_references      (PostierDraft  *self,
                                                 const char    *references);

/* Attachments by path; the files are read only when the message is built. */
guint         postier_draft_get_n_attachments   (PostierDraft  *self);
const char   *postier_draft_get_attachment      (PostierDraft  *self,
                                                 guint          index);
void          postier_draft_add_attachment      (PostierDraft  *self,
                                                 const char    *path);
void          postier_draft_remove_attachment   (PostierDraft  *self,
                                                 guint          index);

/* Extra headers from an allow-list (Keywords, Comments, Organization,
 * Priority, Importance, X-Priority, List-Unsubscribe, Auto-Submitted, …);
 * FALSE with POSTIER_MESSAGE_ERROR_FAILED for a header not on it. */
gboolean      postier_draft_set_header          (PostierDraft  *self,
                                                 const char    *name,
                                                 const char    *value,
                                                 GError       **error);
/* NULL-terminated "Name", "value" pairs. */
const char * const *postier_draft_get_headers   (PostierDraft  *self);

/* TRUE when nothing a person typed is in it (no recipients, subject, body
 * or attachments). */
gboolean      postier_draft_is_empty            (PostierDraft  *self);

/* Every rule that does not need the files: addresses parse (the error
 * names the first bad one), at least one recipient, no CR or LF in any
 * header value. Attachments are checked when building. */
gboolean      postier_draft_validate            (PostierDraft  *self,
                                                 GError       **error);
/* The same, and BAD_FIELD (may be NULL) says which address field the
 * problem is in, for the composer to point at: To when there is no
 * recipient, _NONE when it is not an address field (Subject, body…). */
gboolean      postier_draft_validate_full       (PostierDraft         *self,
                                                 PostierAddressField  *bad_field,
                                                 GError              **error);

/* Fills a draft from a mailto: URI (RFC 6068): to, cc, bcc, subject, body,
 * in-reply-to. attach= and every other field are ignored; a CR or LF in a
 * value is an error (POSTIER_MESSAGE_ERROR_HEADER_INJECTION). */
PostierDraft *postier_draft_new_from_mailto     (const char    *uri,
                                                 GError       **error);
/* Opens an RFC 5322 message file as a new draft (headers, text body,
 * attachments written to files under CACHE_DIR). */
PostierDraft *postier_draft_new_from_message_file (const char  *path,
                                                   const char  *cache_dir,
                                                   GError     **error);

/* Autosave: a key file (one per draft) that survives a crash. */
gboolean      postier_draft_save                (PostierDraft  *self,
                                                 const char    *path,
                                                 GError       **error);
PostierDraft *postier_draft_load                (const char    *path,
                                                 GError       **error);

G_END_DECLS
