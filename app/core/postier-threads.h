/* postier-threads.h — the CPU priority of Postier's background threads
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The nice value of a background flush's threads: the window's main
 * thread, the X server and the mail server then win the CPU from them on
 * a busy machine, and they still run whenever a core is free. */
#define POSTIER_BACKGROUND_NICE 10

/* Lowers the CPU priority of the calling thread alone (Linux keeps a nice
 * value per thread; threads it starts inherit it) to NICE_VALUE, unless it
 * is already that low: calling it again never lowers it further. Returns
 * the nice value it had, for postier_thread_restore_priority(), or
 * G_MININT when nothing was changed. */
int   postier_thread_lower_priority   (int nice_value);

/* Gives the calling thread back the nice value it had. Raising a priority
 * again needs CAP_SYS_NICE or an RLIMIT_NICE allowance: without them the
 * thread keeps the lower one, which is quietly accepted (the threads that
 * call this are pool threads that only ever run background work). */
void  postier_thread_restore_priority (int previous);

G_END_DECLS
