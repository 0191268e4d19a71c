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

typedef struct {
  GTask           *task;
  GTaskThreadFunc  func;
  int              nice_value;
} OwnRun;

/* In the task's own context, once its callback has run. */
static void
drop_worker_reference (GTask                  *task,
                       G_GNUC_UNUSED GParamSpec *pspec,
                       G_GNUC_UNUSED gpointer    data)
{
  g_signal_handlers_disconnect_by_func (task, drop_worker_reference, NULL);
  g_object_unref (task);
}

static gpointer
run_own (gpointer data)
{
  OwnRun *run = data;

  if (run->nice_value > 0)
    postier_thread_lower_priority (run->nice_value);
  run->func (run->task, g_task_get_source_object (run->task), g_task_get_task_data (run->task),
             g_task_get_cancellable (run->task));
  /* The task's reference is not dropped here: by now the callback may
   * have run and the caller let go, and the last reference of a task
   * takes its source object with it. A store finalized in this thread
   * would tear down its file monitors and main-loop sources off their
   * thread. drop_worker_reference() drops it where the callback ran. */
  g_free (run);
  return NULL;
}

void
postier_task_run_in_own_thread (GTask           *task,
                                GTaskThreadFunc  func,
                                int              nice_value)
{
  OwnRun *run;
  GThread *thread;

  g_return_if_fail (G_IS_TASK (task));
  g_return_if_fail (nice_value >= 0 && nice_value <= 19);

  run = g_new (OwnRun, 1);
  run->task = g_object_ref (task);
  run->func = func;
  run->nice_value = nice_value;
  g_signal_connect (task, "notify::completed", G_CALLBACK (drop_worker_reference), NULL);
  thread = g_thread_try_new (nice_value > 0 ? "postier-niced" : "postier-task", run_own, run, NULL);
  if (thread != NULL)
    {
      g_thread_unref (thread);
      return;
    }
  g_signal_handlers_disconnect_by_func (task, drop_worker_reference, NULL);
  g_object_unref (run->task);
  g_free (run);
  g_task_run_in_thread (task, func);
}

void
postier_task_run_in_niced_thread (GTask           *task,
                                  GTaskThreadFunc  func)
{
  postier_task_run_in_own_thread (task, func, POSTIER_BACKGROUND_NICE);
}
