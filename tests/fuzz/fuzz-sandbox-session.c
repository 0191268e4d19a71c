/* fuzz-sandbox-session.c — the Sandbox receiver's command parser on any
 * bytes a client could send before TLS
 *
 * Each input is written into one end of a socket pair and the SMTP
 * session runs on the other until the input ends. (What follows STARTTLS
 * is covered by tests/faults/test-sandbox-faults.c with a real TLS
 * client.)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "postier-core.h"
#include "postier-sandbox-session.h"
#include "postier-sandbox-tls.h"

#define MAX_FUZZ_INPUT 32768

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static SSL_CTX *tls_context;
static char *maildir;

static void
set_up (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *root = g_dir_make_tmp ("postier-fuzz-XXXXXX", &error);
  g_autofree char *tls_dir = NULL;

  g_assert_no_error (error);
  postier_core_init ();
  tls_dir = g_build_filename (root, "sandbox-tls", NULL);
  maildir = g_build_filename (root, "sandbox", NULL);
  tls_context = postier_sandbox_tls_context_new (tls_dir, NULL, &error);
  g_assert_no_error (error);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  static gsize initialised = 0;
  g_autoptr(GSocket) server = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  PostierSandboxSessionConfig config = { 0 };
  char sink[4096];
  int fds[2];

  if (g_once_init_enter (&initialised))
    {
      set_up ();
      g_once_init_leave (&initialised, 1);
    }
  size = MIN (size, MAX_FUZZ_INPUT);
  g_assert (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0);
  g_assert (write (fds[1], data, size) == (ssize_t) size);
  shutdown (fds[1], SHUT_WR);

  server = g_socket_new_from_fd (fds[0], &error);
  g_assert_no_error (error);
  config.socket = server;
  config.tls_context = tls_context;
  config.cancellable = cancellable;
  config.limits.max_message_size = 65536;
  config.limits.max_line_length = 512;
  config.limits.max_commands = 200;
  config.limits.max_bad_commands = 20;
  config.limits.max_recipients = 10;
  config.limits.max_connections = 1;
  config.limits.idle_timeout_ms = 20;
  config.limits.session_timeout_ms = 1000;
  config.limits.pre_auth_timeout_ms = 1000;
  config.maildir = maildir;
  config.login = "fuzz@localhost";
  config.password = "secret";
  postier_sandbox_session_run (&config);

  g_socket_close (server, NULL);
  while (read (fds[1], sink, sizeof sink) > 0)
    ;
  close (fds[1]);
  return 0;
}
