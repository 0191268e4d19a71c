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

typedef struct {
  pid_t tid;
  int   nice;
} Ran;

static void
listing_like (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  Ran *ran = g_new0 (Ran, 1);

  g_assert_true (G_IS_OBJECT (source_object));
  g_assert_cmpstr (task_data, ==, "data");
  g_assert_true (G_IS_CANCELLABLE (cancellable));
  ran->tid = gettid_ ();
  ran->nice = thread_nice (ran->tid);
  g_task_return_pointer (task, ran, g_free);
}

static void
on_listed (G_GNUC_UNUSED GObject *source,
           GAsyncResult          *result,
           gpointer               user_data)
{
  Ran **ran = user_data;

  *ran = g_task_propagate_pointer (G_TASK (result), NULL);
}

typedef void (*RunTask) (GTask           *task,
                         GTaskThreadFunc  func);

static void
run_in_own_thread (GTask           *task,
                   GTaskThreadFunc  func)
{
  postier_task_run_in_own_thread (task, func, 0);
}

/* A listing-like task run the way RUN does, waited for in this thread's
 * main context: where it ran and at which nice value. */
static Ran *
run_listing (RunTask       run,
             GObject      *source,
             GCancellable *cancellable)
{
  Ran *ran = NULL;
  g_autoptr(GTask) task = g_task_new (source, cancellable, on_listed, &ran);

  g_task_set_task_data (task, "data", NULL);
  run (task, listing_like);
  g_clear_object (&task);
  while (ran == NULL)
    g_main_context_iteration (NULL, TRUE);
  return ran;
}

/* A window's repeated listings: run niced on a thread of their own, the
 * answer in the caller's main context, the caller's priority untouched;
 * the pool's threads are never niced. */
static void
test_task_in_niced_thread (void)
{
  int main_nice = thread_nice (gettid_ ());
  int background = MAX (main_nice, POSTIER_BACKGROUND_NICE);
  g_autoptr(GObject) source = g_object_new (G_TYPE_OBJECT, NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();

  for (guint round = 0; round < 3; round++)
    {
      g_autofree Ran *ran = run_listing (postier_task_run_in_niced_thread, source, cancellable);

      g_assert_cmpint (ran->tid, !=, gettid_ ());
      g_assert_cmpint (ran->nice, ==, background);
      g_assert_cmpint (thread_nice (gettid_ ()), ==, main_nice);
    }
}

/* The outbox's first rows and schedule changes: a thread of their own at
 * the caller's priority (the window waits for the first rows). */
static void
test_task_in_own_thread (void)
{
  int main_nice = thread_nice (gettid_ ());
  g_autoptr(GObject) source = g_object_new (G_TYPE_OBJECT, NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree Ran *ran = run_listing (run_in_own_thread, source, cancellable);

  g_assert_cmpint (ran->tid, !=, gettid_ ());
  g_assert_cmpint (ran->nice, ==, main_nice);
}

/* The worker answers, then is slow to let go (preempted, say): the
 * caller's callback runs and drops everything it held meanwhile. */
static void
answers_then_lingers (GTask                      *task,
                      G_GNUC_UNUSED gpointer      source_object,
                      G_GNUC_UNUSED gpointer      task_data,
                      G_GNUC_UNUSED GCancellable *cancellable)
{
  g_task_return_boolean (task, TRUE);
  g_usleep (100 * 1000);
}

static void
on_answered (G_GNUC_UNUSED GObject *source,
             GAsyncResult          *result,
             gpointer               user_data)
{
  g_assert_true (g_task_propagate_boolean (G_TASK (result), NULL));
  *(gboolean *) user_data = TRUE;
}

static void
on_source_finalized (gpointer                 data,
                     G_GNUC_UNUSED GObject   *where_the_object_was)
{
  g_atomic_pointer_set ((GThread **) data, g_thread_self ());
}

/* Runs FUNC the way RUN does for a task whose caller lets go of it and of
 * its source at once, as a closed window does; returns the thread that
 * finalized the source. */
static GThread *
thread_finalizing_source (RunTask         run,
                          GTaskThreadFunc func)
{
  GObject *source = g_object_new (G_TYPE_OBJECT, NULL);
  GThread *finalized_in = NULL;
  gboolean answered = FALSE;
  GTask *task = g_task_new (source, NULL, on_answered, &answered);

  g_object_weak_ref (source, on_source_finalized, &finalized_in);
  run (task, func);
  g_object_unref (task);
  g_object_unref (source);
  while (!answered)
    g_main_context_iteration (NULL, TRUE);
  /* Well past the worker's end. */
  for (guint i = 0; i < 5000 && g_atomic_pointer_get (&finalized_in) == NULL; i++)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (1000);
    }
  g_assert_nonnull (g_atomic_pointer_get (&finalized_in));
  return g_atomic_pointer_get (&finalized_in);
}

/* A store whose listing ran niced (or the outbox whose first rows ran
 * on a thread of their own) is finalized in the window's thread, never in
 * the worker: its file monitors and main-loop sources belong there. */
static void
test_task_source_dies_in_main_thread (void)
{
  for (guint round = 0; round < 3; round++)
    {
      g_assert_true (thread_finalizing_source (postier_task_run_in_niced_thread, answers_then_lingers) ==
                     g_thread_self ());
      g_assert_true (thread_finalizing_source (run_in_own_thread, answers_then_lingers) == g_thread_self ());
    }
}

static void
answers_at_once (GTask                      *task,
                 G_GNUC_UNUSED gpointer      source_object,
                 G_GNUC_UNUSED gpointer      task_data,
                 G_GNUC_UNUSED GCancellable *cancellable)
{
  g_task_return_boolean (task, TRUE);
}

/* GLib's pool drops its reference of a task after scheduling the
 * callback: when the callback wins that race, the pool's thread holds the
 * last reference, and finalizes the source (the outbox, with its folder
 * monitors) there. A thread of Postier's own never does, however the two
 * threads interleave: many short tasks, none finalized off the main
 * thread. */
static void
test_own_thread_never_finalizes_source (void)
{
  guint in_worker = 0;

  for (guint round = 0; round < 2000; round++)
    if (thread_finalizing_source (run_in_own_thread, answers_at_once) != g_thread_self ())
      in_worker++;
  g_assert_cmpuint (in_worker, ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/threads/lower-only-the-calling-thread", test_only_the_calling_thread);
  g_test_add_func ("/threads/task-in-niced-thread", test_task_in_niced_thread);
  g_test_add_func ("/threads/task-in-own-thread", test_task_in_own_thread);
  g_test_add_func ("/threads/task-source-dies-in-main-thread", test_task_source_dies_in_main_thread);
  g_test_add_func ("/threads/own-thread-never-finalizes-source", test_own_thread_never_finalizes_source);
  return g_test_run ();
}
