/* postier-threads.h — the CPU priority of Postier's background threads
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The nice value of a background flush's threads: the window's main
 * thread, the X server and the mail server then win the CPU from them on
 * a busy machine, and they still run whenever a core is free. */
#define POSTIER_BACKGROUND_NICE 10

/* Lowers the CPU priority of the calling thread alone (Linux keeps a nice
 * value per thread; threads it starts inherit it) to NICE_VALUE, unless it
 * is already that low: calling it again never lowers it further. Returns
 * the nice value it had, or G_MININT when nothing was changed.
 * Call it only in a thread of Postier's own that ends with its work:
 * raising a priority again needs CAP_SYS_NICE or an RLIMIT_NICE allowance,
 * so a GLib pool thread would keep it and run the window's next file
 * loads and listings niced. */
int   postier_thread_lower_priority   (int nice_value);

/* g_task_run_in_thread(), but on a thread of its own at
 * POSTIER_BACKGROUND_NICE that ends with FUNC: for the listings a window
 * asks for again each time a store changes, which a flush makes nearly
 * continuous. On the pool, at full priority, they and the flush took both
 * cores from the window's main thread (issue 12, bench-frames). Falls back
 * to the pool when no thread can be started. The task's last reference,
 * and with it its source object, goes in the task's own context, never in
 * the thread; so, unlike on the pool, the task is complete as soon as FUNC
 * calls g_task_return_*(), and FUNC must not touch it afterwards. */
void  postier_task_run_in_niced_thread (GTask           *task,
                                        GTaskThreadFunc  func);

/* The same on a thread of its own at NICE_VALUE (0: the caller's
 * priority), for a task whose source object must not be finalized in a
 * worker (the outbox, with its file monitors and main-loop sources):
 * its last reference goes in the task's own context, as above. */
void  postier_task_run_in_own_thread   (GTask           *task,
                                        GTaskThreadFunc  func,
                                        int              nice_value);

G_END_DECLS
