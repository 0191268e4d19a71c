/* postier-schedule.h — send later and undo send's grace period: when an
 * entry may go, and when to wake up for it
 *
 * An outbox entry may carry a not-before time (entry.ini NotBefore, ISO
 * 8601 UTC, with Schedule=grace|later): no flusher takes it before then,
 * whatever the flush flags. These are the pure parts — the next wake-up of
 * a list of entries, reading a time a person typed, showing one — as
 * functions of their inputs, NOW included, so the unit tests walk DST
 * changes and clock jumps without sleeping. PostierWallTimer
 * (postier-wall-timer.h) is the timer that wakes at a wall-clock time.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "postier-clock.h"

G_BEGIN_DECLS

/* The undo-send grace period the app uses unless the person changed it
 * (the GSettings key is the app's); 0 turns it off. */
#define POSTIER_UNDO_GRACE_DEFAULT_SECONDS 10

/* The earliest time at which something in ENTRIES (PostierOutboxEntry)
 * will be due by itself: a queued entry's not-before, a deferred entry's
 * next attempt (or its not-before if later). NOW or earlier when one is
 * due already; 0 when nothing will become due without a person (empty,
 * failed, needs attention, being sent). */
gint64    postier_schedule_next_wakeup  (GPtrArray    *entries,
                                         gint64        now);

/* A time a person typed for `send --at`, as Unix seconds:
 *   "2026-12-24 09:00", "2026-12-24 09:00:30", "2026-12-24T09:00" — in
 *     TZ (NULL: the local zone), the offset that zone has at that date
 *     (so a DST change between now and then is right); a time that does
 *     not exist on that day (the hour skipped in spring) is refused;
 *   ISO 8601 with a zone: "2026-12-24T09:00:00+01:00", "…Z".
 * Fails with G_IO_ERROR_INVALID_ARGUMENT and a sentence for people when
 * it does not parse, or when it is not after NOW ("in the past"). */
gboolean  postier_schedule_parse_time   (const char   *text,
                                         GTimeZone    *tz,
                                         gint64        now,
                                         gint64       *when,
                                         GError      **error);

/* WHEN in TZ (NULL: local) for lists: "2026-12-24 09:00 CET". */
char     *postier_schedule_format_local (gint64        when,
                                         GTimeZone    *tz);

G_END_DECLS
