/* test-threads.c — a background flush's threads give way to the window's
 * (postier_thread_lower_priority, issue 12)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "postier-threads.h"

static int
thread_nice (pid_t tid)
{
  int value;

  errno = 0;
  value = getpriority (PRIO_PROCESS, (id_t) tid);
  g_assert_cmpint (errno, ==, 0);
  return value;
}

static pid_t
gettid_ (void)
{
  return (pid_t) syscall (SYS_gettid);
}

typedef struct {
  pid_t    tid;
  int      previous, again, lowered, child_nice;
  GMutex   lock;
  GCond    cond;
  gboolean ready, checked;
} Worker;

static gpointer
child_thread (gpointer data)
{
  Worker *worker = data;

  worker->child_nice = thread_nice (gettid_ ());
  return NULL;
}

static gpointer
worker_thread (gpointer data)
{
  Worker *worker = data;

  worker->tid = gettid_ ();
  worker->previous = postier_thread_lower_priority (POSTIER_BACKGROUND_NICE);
  /* A second call never lowers it further. */
  worker->again = postier_thread_lower_priority (POSTIER_BACKGROUND_NICE);
  worker->lowered = thread_nice (worker->tid);
  /* The pipeline's threads, started from here, inherit it. */
  g_thread_join (g_thread_new ("child", child_thread, worker));

  g_mutex_lock (&worker->lock);
  worker->ready = TRUE;
  g_cond_broadcast (&worker->cond);
  while (!worker->checked)
    g_cond_wait (&worker->cond, &worker->lock);
  g_mutex_unlock (&worker->lock);
  return NULL;
}

static void
test_only_the_calling_thread (void)
{
  int main_nice = thread_nice (gettid_ ());
  Worker worker = { 0 };
  GThread *thread;

  /* Run under nice 19, as on a loaded machine, nothing changes. */
  gboolean lowers = main_nice < POSTIER_BACKGROUND_NICE;
  int background = MAX (main_nice, POSTIER_BACKGROUND_NICE);

  g_mutex_init (&worker.lock);
  g_cond_init (&worker.cond);
  thread = g_thread_new ("worker", worker_thread, &worker);

  g_mutex_lock (&worker.lock);
  while (!worker.ready)
    g_cond_wait (&worker.cond, &worker.lock);
  g_assert_cmpint (worker.previous, ==, lowers ? main_nice : G_MININT);
  g_assert_cmpint (worker.again, ==, G_MININT);
  g_assert_cmpint (worker.lowered, ==, background);
  g_assert_cmpint (worker.child_nice, ==, background);
  /* The window's thread keeps its own. */
  g_assert_cmpint (thread_nice (gettid_ ()), ==, main_nice);
  worker.checked = TRUE;
  g_cond_broadcast (&worker.cond);
  g_mutex_unlock (&worker.lock);

  g_thread_join (thread);
  g_mutex_clear (&worker.lock);
  g_cond_clear (&worker.cond);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/threads/lower-only-the-calling-thread", test_only_the_calling_thread);
  return g_test_run ();
}
