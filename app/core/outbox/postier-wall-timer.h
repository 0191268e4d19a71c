/* postier-wall-timer.h — a timer that wakes at a wall-clock time
 *
 * Why not g_timeout_add(): GLib's timeouts count on the monotonic clock,
 * which stands still while the laptop sleeps and does not follow a clock
 * change; "send at 09:00" would then go late by however long it slept. A
 * timerfd on CLOCK_REALTIME, absolute (TFD_TIMER_ABSTIME), fires at once
 * on resume when 09:00 passed meanwhile, and TFD_TIMER_CANCEL_ON_SET wakes
 * it when the clock is set (NTP step, a person), for its owner to look
 * again. A change of time zone moves nothing: times are UTC.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _PostierWallTimer PostierWallTimer;

/* Called on the main context the timer was created on, when the time
 * came or the clock was changed: look at the clock and re-arm. */
typedef void (*PostierWallTimerFunc) (gpointer user_data);

PostierWallTimer *postier_wall_timer_new   (PostierWallTimerFunc  func,
                                            gpointer              user_data);
/* Fires at WHEN (Unix seconds, UTC); at once when WHEN has passed; 0
 * disarms. Re-arming replaces the previous time. */
void              postier_wall_timer_arm   (PostierWallTimer     *self,
                                            gint64                when);
gint64            postier_wall_timer_get_when (PostierWallTimer  *self);
void              postier_wall_timer_free  (PostierWallTimer     *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PostierWallTimer, postier_wall_timer_free)

G_END_DECLS
