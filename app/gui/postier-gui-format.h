/* postier-gui-format.h — times and sizes as the views show them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* A moment relative to NOW (Unix seconds, local time): "14:05" today,
 * "Yesterday 14:05", "Mon 14:05" within the week, "3 Mar 2025 14:05"
 * otherwise. Translated. */
char *postier_format_moment (gint64 unix_time,
                             gint64 now);

/* A moment to come, relative to NOW (Unix seconds, shown in local time):
 * "14:05" today, "tomorrow 14:05", "Tue 14:05" within the week, "Thu
 * 24 Dec 14:05" later. Translated; made to follow "Will be sent ". */
char *postier_format_future_moment (gint64 unix_time,
                                    gint64 now);

/* A toast showing TEXT as it is. AdwToast takes its title as Pango markup
 * (libadwaita 1.2 has no way to turn that off), so an account named
 * "A&B <x>" or a server's "<" would break it, or style it: every toast
 * is made here, from plain text. */
AdwToast *postier_toast_new_literal (const char *text);

/* SUBJECT as every view shows it: "(No subject)", translated, when it is
 * NULL or empty. Not escaped. */
const char *postier_display_subject (const char *subject);

G_END_DECLS
