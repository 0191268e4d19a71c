/* postier-clock.h — the wall clock, injectable
 *
 * Why a header of its own: the scheduler (send later, undo send's grace
 * period) and the relay limiter both ask "what time is it?", and their
 * unit tests must answer without sleeping (a DST change, a clock jump).
 * Lowest of core: includes nothing of Postier's.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Returns the wall-clock time now, in Unix seconds (UTC). */
typedef gint64 (*PostierClockFunc) (gpointer user_data);

/* The real clock: g_get_real_time () in seconds. */
static inline gint64
postier_clock_real_now (G_GNUC_UNUSED gpointer user_data)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

G_END_DECLS
