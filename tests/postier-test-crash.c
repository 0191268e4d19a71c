/* postier-test-crash.c — a test that crashes says where
 *
 * meson keeps only a crashed test's output ("killed by signal 11"), and
 * the crashes that matter are the rare ones CI finds under load. So the
 * plain build's tests print the crashing thread's stack, then every
 * thread's through gdb when it is there, and die of the same signal.
 * Sanitized builds keep ASan's own report, which says more.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <execinfo.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>

#include "postier-test.h"

#if defined(__has_feature)
# if __has_feature(address_sanitizer)
#  define POSTIER_TEST_SANITIZED 1
# endif
#endif
#if defined(__SANITIZE_ADDRESS__)
# define POSTIER_TEST_SANITIZED 1
#endif

#ifndef POSTIER_TEST_SANITIZED
static char *gdb_path;

static void
say (const char *text)
{
  /* Nothing to do if stderr is gone: the test dies anyway. */
  if (write (STDERR_FILENO, text, strlen (text)) < 0)
    return;
}

/* gdb attached to this process prints every thread's stack. */
static void
print_every_thread (void)
{
  char pid[24];
  pid_t child;

  snprintf (pid, sizeof pid, "%d", (int) getpid ());
  child = fork ();
  if (child == 0)
    {
      dup2 (STDERR_FILENO, STDOUT_FILENO);
      execl (gdb_path, "gdb", "--batch", "-nx", "-p", pid, "-ex", "thread apply all bt", (char *) NULL);
      _exit (127);
    }
  if (child > 0)
    waitpid (child, NULL, 0);
}

static void
on_crash (int signum)
{
  void *frames[64];
  int n = backtrace (frames, G_N_ELEMENTS (frames));

  /* backtrace_symbols_fd and snprintf are not async-signal-safe; the
   * process is lost anyway, and GLib's g_on_error_stack_trace does the
   * same. */
  say ("\n# crashed: the stack of the thread that crashed (addr2line -e THE_TEST +OFFSET):\n");
  backtrace_symbols_fd (frames, n, STDERR_FILENO);
  if (gdb_path != NULL)
    {
      say ("# every thread, from gdb:\n");
      print_every_thread ();
    }
  signal (signum, SIG_DFL);
  raise (signum);
}
#endif

/* A critical aborts the test in the thread that logged it, and meson
 * shows only the message. Which code logged it matters most when that is
 * another thread than the one the test drives (CI once saw "Source ID 189
 * was not found" land while the main thread was elsewhere): its stack,
 * here, before GLib aborts. Then GLib's own writer, unchanged. */
static GLogWriterOutput
write_with_stack (GLogLevelFlags   log_level,
                  const GLogField *fields,
                  gsize            n_fields,
                  gpointer         user_data)
{
  if (log_level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL))
    {
      void *frames[64];
      int n = backtrace (frames, G_N_ELEMENTS (frames));
      char name[32] = "";

      (void) pthread_getname_np (pthread_self (), name, sizeof name);
      fprintf (stderr, "\n# a critical, logged by thread \"%s\" (addr2line -e THE_TEST +OFFSET):\n", name);
      fflush (stderr);
      backtrace_symbols_fd (frames, n, STDERR_FILENO);
    }
  return g_log_writer_default (log_level, fields, n_fields, user_data);
}

void
postier_test_report_crashes (void)
{
  static gsize writer_set;

  /* GLib takes one writer per process. */
  if (g_once_init_enter (&writer_set))
    {
      g_log_set_writer_func (write_with_stack, NULL, NULL);
      g_once_init_leave (&writer_set, 1);
    }
#ifndef POSTIER_TEST_SANITIZED
  int signals[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL };
  /* Found now: nothing should be allocated in the handler. */
  if (gdb_path == NULL)
    gdb_path = g_find_program_in_path ("gdb");
  /* backtrace() loads libgcc on first use; not in the handler. */
  {
    void *frame[1];

    (void) backtrace (frame, 1);
  }
  for (guint i = 0; i < G_N_ELEMENTS (signals); i++)
    signal (signals[i], on_crash);
#endif
}
