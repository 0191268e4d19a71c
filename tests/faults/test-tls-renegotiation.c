/* test-tls-renegotiation.c — a TLS 1.2 server that asks to renegotiate
 * mid-session is refused (issue 16, finding 5): a second handshake could
 * present a certificate nobody checks.
 *
 * The server is OpenSSL's own s_server (Python's ssl module cannot
 * renegotiate): a line "R" on its standard input makes it send a
 * HelloRequest and run a new handshake.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "postier-core.h"
#include "postier-test.h"

typedef struct {
  GSubprocess      *process;
  GOutputStream    *input;
  GDataInputStream *output;
} Server;

/* Reads the server's output until a line starting with PREFIX. */
static char *
wait_for_line (Server     *server,
               const char *prefix)
{
  for (;;)
    {
      g_autoptr(GError) error = NULL;
      char *line = g_data_input_stream_read_line (server->output, NULL, NULL, &error);

      g_assert_no_error (error);
      if (line == NULL)
        return NULL;
      if (g_str_has_prefix (line, prefix))
        return line;
      g_free (line);
    }
}

/* Writes TEXT to the server's input. Returns FALSE when the server has
 * already gone: after the client refuses the renegotiation and hangs up,
 * s_server (-naccept 1) exits, and how soon depends on timing alone. */
static gboolean
say (Server     *server,
     const char *text)
{
  g_autoptr(GError) error = NULL;

  if (g_output_stream_write_all (server->input, text, strlen (text), NULL, NULL, &error) &&
      g_output_stream_flush (server->input, NULL, &error))
    return TRUE;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE))
    {
      g_test_message ("server gone before \"%.*s\"", (int) strcspn (text, "\n"), text);
      return FALSE;
    }
  g_assert_no_error (error);
  return FALSE;
}

static gpointer
open_client (gpointer data)
{
  PostierSmtpClient *client = data;
  GError *error = NULL;

  if (postier_smtp_client_open (client, NULL, &error))
    return NULL;
  return error;
}

static void
test_renegotiation_refused (void)
{
  const char *cert = postier_test_rig ("CERT");
  const char *key = postier_test_rig ("KEY");
  const char *ca = postier_test_rig ("CA");
  g_autoptr(GError) error = NULL;
  g_autoptr(PostierAccount) account = NULL;
  g_autoptr(PostierSmtpClient) client = NULL;
  g_autofree char *accept = NULL;
  g_autofree char *line = NULL;
  g_autofree char *handshake = NULL;
  GError *client_error;
  GThread *thread;
  Server server = { 0 };
  guint port;

  if (cert == NULL || key == NULL || ca == NULL)
    return;
  port = postier_test_free_port ();
  accept = g_strdup_printf ("127.0.0.1:%u", port);
  server.process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                     G_SUBPROCESS_FLAGS_STDERR_MERGE, &error,
                                     "openssl", "s_server", "-tls1_2", "-accept", accept,
                                     "-cert", cert, "-key", key, "-crlf", "-naccept", "1", NULL);
  g_assert_no_error (error);
  server.input = g_subprocess_get_stdin_pipe (server.process);
  server.output = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server.process));
  line = wait_for_line (&server, "ACCEPT");
  g_assert_nonnull (line);
  g_clear_pointer (&line, g_free);

  account = postier_account_new ("renegotiation");
  postier_account_set_identity (account, "alice@example.org");
  postier_account_set_host (account, "localhost");
  postier_account_set_port (account, port);
  postier_account_set_security (account, POSTIER_SECURITY_TLS);
  postier_account_set_auth (account, POSTIER_AUTH_NONE);
  postier_account_set_ca_file (account, ca);
  client = postier_smtp_client_new (account);
  postier_smtp_client_set_timeout (client, 30);
  thread = g_thread_new ("client", open_client, client);

  /* The first handshake ends (s_server prints its cipher), the client
   * checks the certificate and waits for the greeting; the server asks to
   * renegotiate before greeting. */
  line = wait_for_line (&server, "CIPHER is");
  g_assert_nonnull (line);
  g_clear_pointer (&line, g_free);
  g_assert_true (say (&server, "R\n"));
  handshake = wait_for_line (&server, "SSL_do_handshake -> ");
  g_assert_nonnull (handshake);
  g_test_message ("server: %s", handshake);
  /* Whatever came of it, the server goes on as a mail server would. */
  if (say (&server, "220 renegotiation.test ESMTP\n"))
    line = wait_for_line (&server, "EHLO");
  if (line != NULL)
    say (&server, "250 renegotiation.test\n");

  client_error = g_thread_join (thread);
  /* The session did not go on past the request (s_server's "-> 1" only
   * says its HelloRequest went out). */
  g_assert_nonnull (client_error);
  g_test_message ("client: %s", client_error->message);
  g_error_free (client_error);
  g_assert_null (line);

  g_subprocess_force_exit (server.process);
  g_subprocess_wait (server.process, NULL, NULL);
  g_clear_object (&server.output);
  g_clear_object (&server.process);
}

int
main (int    argc,
      char **argv)
{
  postier_test_init (&argc, &argv);

  g_test_add_func ("/tls/renegotiation-refused", test_renegotiation_refused);
  return g_test_run ();
}
