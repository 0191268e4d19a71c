/* postier-sandbox-message-row.h — one captured message in the Sandbox
 * view's list: sender, time, subject
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "postier-sandbox-message.h"

G_BEGIN_DECLS

#define POSTIER_TYPE_SANDBOX_MESSAGE_ROW (postier_sandbox_message_row_get_type ())
G_DECLARE_FINAL_TYPE (PostierSandboxMessageRow, postier_sandbox_message_row, POSTIER, SANDBOX_MESSAGE_ROW,
                      GtkListBoxRow)

/* WHEN: the time the message came, as the view shows times. */
PostierSandboxMessageRow *postier_sandbox_message_row_new    (PostierSandboxMessage    *message,
                                                              const char               *when);
/* The id of the captured message the row shows. */
const char               *postier_sandbox_message_row_get_id (PostierSandboxMessageRow *self);

G_END_DECLS
