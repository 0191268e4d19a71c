/* postier-sent-row.h — one row of the Sent view
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "postier-sent-message.h"

G_BEGIN_DECLS

#define POSTIER_TYPE_SENT_ROW (postier_sent_row_get_type ())
G_DECLARE_FINAL_TYPE (PostierSentRow, postier_sent_row, POSTIER, SENT_ROW, AdwActionRow)

/* A row showing MESSAGE as it is now (a new listing makes new rows). */
GtkWidget *postier_sent_row_new (PostierSentMessage *message);

G_END_DECLS
