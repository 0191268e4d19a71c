/* postier-threads.c — the CPU priority of Postier's background threads
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-threads"

#include "config.h"

#include <errno.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "postier-threads.h"

/* PRIO_PROCESS with a thread id sets that thread's nice value only (Linux;
 * POSIX would set the whole process's). */
static pid_t
current_thread_id (void)
{
  return (pid_t) syscall (SYS_gettid);
}

int
postier_thread_lower_priority (int nice_value)
{
  pid_t tid = current_thread_id ();
  int previous;

  g_return_val_if_fail (nice_value >= 0 && nice_value <= 19, G_MININT);

  errno = 0;
  previous = getpriority (PRIO_PROCESS, (id_t) tid);
  if ((previous == -1 && errno != 0) || previous >= nice_value)
    return G_MININT;
  if (setpriority (PRIO_PROCESS, (id_t) tid, nice_value) != 0)
    {
      g_debug ("cannot lower this thread's priority: %s", g_strerror (errno));
      return G_MININT;
    }
  return previous;
}
