/* postier-send-later-dialog.h — "Send Later…": when a message should go
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define POSTIER_TYPE_SEND_LATER_DIALOG (postier_send_later_dialog_get_type ())
G_DECLARE_FINAL_TYPE (PostierSendLaterDialog, postier_send_later_dialog, POSTIER, SEND_LATER_DIALOG, AdwWindow)

typedef enum {
  POSTIER_SEND_LATER_TOMORROW_MORNING,
  POSTIER_SEND_LATER_MONDAY_MORNING,
  POSTIER_SEND_LATER_CHOSEN,
} PostierSendLaterPreset;

/* The hour the morning presets choose, local time. */
#define POSTIER_SEND_LATER_MORNING_HOUR 8

/* A modal window over PARENT (may be NULL). Escape or Cancel closes it;
 * Schedule emits ::chosen (gint64 unix_time, UTC seconds) and closes it.
 * The presets are counted from the present moment, in local time. */
PostierSendLaterDialog *postier_send_later_dialog_new    (GtkWindow              *parent);
/* The moment PRESET names counted from NOW (local time): tomorrow 08:00,
 * the next Monday 08:00 (a week on when NOW is a Monday). CHOSEN gives the
 * next whole hour. Transfer full. */
GDateTime              *postier_send_later_preset_time   (PostierSendLaterPreset  preset,
                                                          GDateTime              *now);
/* The moment the dialog would schedule now, in UTC seconds; 0 when the
 * chosen moment has passed. */
gint64                  postier_send_later_dialog_get_time (PostierSendLaterDialog *self);
/* Picks a preset, and for CHOSEN the date and time (local) in WHEN. */
void                    postier_send_later_dialog_select (PostierSendLaterDialog *self,
                                                          PostierSendLaterPreset  preset,
                                                          GDateTime              *when);

G_END_DECLS
