/* postier-sent-message.h — what the Sent view shows of one sent copy
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* The header PostierSentStore adds to the stored copy only (never to what
 * the relay gets); here, with the reader of copies, so that the store
 * depends on the message and not the other way round. */
#define POSTIER_SENT_HEADER "X-Postier-Sent"

#define POSTIER_TYPE_SENT_MESSAGE (postier_sent_message_get_type ())
G_DECLARE_FINAL_TYPE (PostierSentMessage, postier_sent_message, POSTIER, SENT_MESSAGE, GObject)

/* Reads the header block of a copy in the Sent Maildir (the whole message
 * is never loaded). A file without our X-Postier-Sent header is still
 * listed, with its Date and no account. A snapshot: it does not change
 * when the file does. */
PostierSentMessage *postier_sent_message_new_from_file       (const char          *path,
                                                              GError             **error);

const char         *postier_sent_message_get_path            (PostierSentMessage  *self);
/* When the relay accepted it (Unix seconds), else the message's Date. */
gint64              postier_sent_message_get_sent_time       (PostierSentMessage  *self);
/* The account it went through, "" when unknown. */
const char         *postier_sent_message_get_account_name    (PostierSentMessage  *self);
gboolean            postier_sent_message_get_possible_duplicate (PostierSentMessage *self);
/* Decoded; "" when absent. */
const char         *postier_sent_message_get_subject         (PostierSentMessage  *self);
const char         *postier_sent_message_get_message_id      (PostierSentMessage  *self);
/* To and Cc as a person reads them ("Ann <ann@x>, bob@y"); "" if none. */
const char         *postier_sent_message_get_recipients      (PostierSentMessage  *self);

G_END_DECLS
