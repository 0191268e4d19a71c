/* test-sandbox-starvation.c — any local user can connect to the Sandbox:
 * connections held open without logging in must not lock Postier's own
 * client out (issue 16, finding 4)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "postier-test-sandbox.h"
#include "postier-test.h"

/* A connection that reads the greeting and then says nothing. */
static GSocketConnection *
idle_connection (guint port)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GError) error = NULL;
  GSocketConnection *connection;
  char greeting[512];
  gssize n;

  g_socket_client_set_enable_proxy (client, FALSE);
  connection = g_socket_client_connect_to_host (client, "127.0.0.1", (guint16) port, NULL, &error);
  g_assert_no_error (error);
  n = g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (connection)), greeting,
                           sizeof greeting - 1, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (n, >, 0);
  greeting[n] = '\0';
  g_test_message ("idle client greeted: %s", g_strchomp (greeting));
  return connection;
}

static gboolean
own_client_delivers (PostierTestSandbox *fixture,
                     const char         *subject)
{
  g_autoptr(PostierSmtpClient) client = NULL;
  g_autoptr(PostierEnvelope) envelope = postier_envelope_new ("alice@localhost");
  g_autoptr(GArray) results = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (g_get_user_cache_dir (), "own.eml", NULL);
  g_autofree char *text = g_strdup_printf ("From: alice@localhost\r\nTo: bob@localhost\r\n"
                                           "Subject: %s\r\n\r\nStill room for me.\r\n", subject);

  g_mkdir_with_parents (g_get_user_cache_dir (), 0700);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  postier_envelope_add_recipient (envelope, "bob@localhost");

  client = postier_sandbox_create_client (fixture->sandbox, fixture->account, &error);
  g_assert_no_error (error);
  if (!postier_smtp_client_open (client, NULL, &error) ||
      !postier_smtp_client_send (client, envelope, path, &results, NULL, &error))
    {
      g_test_message ("Postier's own client: %s", error->message);
      return FALSE;
    }
  postier_smtp_client_close (client, NULL);
  return TRUE;
}

/* Every place (16) held by a local user's idle connections, and a few more
 * knocking: Postier's own client still delivers. */
static void
test_own_client_gets_in (void)
{
  g_autoptr(PostierTestSandbox) fixture = postier_test_sandbox_new ();
  g_autoptr(GPtrArray) idle = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;
  PostierSandboxLimits limits;

  postier_sandbox_get_limits (fixture->sandbox, &limits);
  for (guint i = 0; i < limits.max_connections; i++)
    g_ptr_array_add (idle, idle_connection (fixture->port));
  /* Held long enough that they are not clients still logging in. */
  g_usleep ((limits.evict_after_ms + 500) * 1000);
  for (guint i = 0; i < 4; i++)
    g_ptr_array_add (idle, idle_connection (fixture->port));

  g_assert_true (own_client_delivers (fixture, "starved"));
  list = postier_sandbox_store_list (fixture->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 1);
}

/* A client that connects and never logs in is sent away long before the
 * ten-minute idle limit. */
static void
test_no_login_dropped (void)
{
  g_autoptr(PostierTestSandbox) fixture = postier_test_sandbox_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  PostierSandboxLimits limits;
  GSocket *socket;
  char buffer[512];
  gssize n;

  postier_sandbox_get_limits (fixture->sandbox, &limits);
  limits.idle_timeout_ms = 10 * 60 * 1000;
  limits.pre_auth_timeout_ms = 500;
  postier_sandbox_set_limits (fixture->sandbox, &limits);

  connection = idle_connection (fixture->port);
  socket = g_socket_connection_get_socket (connection);
  /* Only so that a receiver that never drops it fails the test instead of
   * hanging it; the drop itself comes after half a second. */
  g_socket_set_timeout (socket, 60);
  do
    n = g_socket_receive (socket, buffer, sizeof buffer, NULL, &error);
  while (n > 0);
  g_assert_no_error (error);
  g_assert_cmpint (n, ==, 0);
}

int
main (int    argc,
      char **argv)
{
  postier_test_init (&argc, &argv);

  g_test_add_func ("/sandbox/starvation/own-client-gets-in", test_own_client_gets_in);
  g_test_add_func ("/sandbox/starvation/no-login-dropped", test_no_login_dropped);
  return g_test_run ();
}
