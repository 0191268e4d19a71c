/* test-loopback-only.c — security "none" is judged by the address the
 * name resolves to when connecting, not by the name (issue 16, finding 3)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "postier-core.h"
#include "postier-test.h"

static void
test_decision (void)
{
  const char *on_this_machine[] = { "127.0.0.1", "127.0.0.2", "127.255.255.254", "::1",
                                    "::ffff:127.0.0.1", "::ffff:127.1.2.3" };
  const char *elsewhere[] = { "198.51.100.25", "10.0.0.1", "128.0.0.1", "0.0.0.0", "::",
                              "::ffff:10.0.0.1", "::ffff:128.0.0.1", "::127.0.0.1", "fe80::1",
                              "2001:db8::1" };

  for (guint i = 0; i < G_N_ELEMENTS (on_this_machine); i++)
    {
      g_autoptr(GInetAddress) address = g_inet_address_new_from_string (on_this_machine[i]);
      g_autoptr(GSocketAddress) socket_address = g_inet_socket_address_new (address, 25);

      g_test_message ("%s", on_this_machine[i]);
      g_assert_true (postier_inet_address_is_loopback (
        g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (socket_address))));
    }
  for (guint i = 0; i < G_N_ELEMENTS (elsewhere); i++)
    {
      g_autoptr(GInetAddress) address = g_inet_address_new_from_string (elsewhere[i]);

      g_test_message ("%s", elsewhere[i]);
      g_assert_false (postier_inet_address_is_loopback (address));
    }
}

static gboolean
accepted (GSocketService    *service,
          GSocketConnection *connection,
          GObject           *source,
          gpointer           data)
{
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  gboolean *reached = data;

  (void) service;
  (void) source;
  *reached = TRUE;
  g_output_stream_write_all (out, "554 5.3.2 not today\r\n", 21, NULL, NULL, NULL);
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  return TRUE;
}

static gpointer
open_client (gpointer data)
{
  GError *error = NULL;

  postier_smtp_client_open (data, NULL, &error);
  return error;
}

/* 127.0.0.2 is on this machine: security "none" may connect to it. */
static void
test_other_loopback_address (void)
{
  g_autoptr(GSocketService) service = g_socket_service_new ();
  g_autoptr(GInetAddress) inet = g_inet_address_new_from_string ("127.0.0.2");
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (inet, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(PostierAccount) account = postier_account_new ("loop");
  g_autoptr(PostierSmtpClient) client = NULL;
  g_autoptr(GError) error = NULL;
  gboolean reached = FALSE;
  GThread *thread;
  GError *client_error;

  g_socket_listener_add_address (G_SOCKET_LISTENER (service), address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error);
  g_assert_no_error (error);
  g_signal_connect (service, "incoming", G_CALLBACK (accepted), &reached);

  postier_account_set_identity (account, "alice@example.org");
  postier_account_set_host (account, "127.0.0.2");
  postier_account_set_port (account, g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  postier_account_set_security (account, POSTIER_SECURITY_NONE);
  postier_account_set_auth (account, POSTIER_AUTH_NONE);
  client = postier_smtp_client_new (account);
  postier_smtp_client_set_timeout (client, 30);

  thread = g_thread_new ("client", open_client, client);
  while (!reached)
    g_main_context_iteration (NULL, TRUE);
  client_error = g_thread_join (thread);
  /* It got as far as the server's (refusing) greeting. */
  g_assert_error (client_error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_PERMANENT);
  g_error_free (client_error);
}

/* A name the account check lets through ("localhost.localdomain") that
 * resolves off the machine: refused before anything goes to it. Played in
 * a network and mount namespace of its own, where 198.51.100.25 is a local
 * interface's address (so a connection would succeed) and /etc/hosts says
 * localhost.localdomain is 198.51.100.25; the machine's files are not
 * touched. */
static void
test_name_resolving_elsewhere (void)
{
  g_autofree char *dir = g_dir_make_tmp ("postier-loopback-XXXXXX", NULL);
  g_autofree char *hosts = g_build_filename (dir, "hosts", NULL);
  g_autofree char *received = g_build_filename (dir, "received", NULL);
  g_autofree char *script = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *seen = NULL;
  const char *ctl = g_getenv ("POSTIERCTL");
  const char *argv[] = { "unshare", "-n", "-m", "sh", "-c", NULL, NULL };
  g_autoptr(GError) error = NULL;
  int status;

  g_assert_nonnull (ctl);
  if (getuid () != 0)
    {
      g_test_skip ("needs root for its own network and mount namespace");
      return;
    }
  g_file_set_contents (hosts, "198.51.100.25 localhost.localdomain\n", -1, &error);
  g_assert_no_error (error);
  g_file_set_contents (received, "", -1, &error);
  g_assert_no_error (error);

  /* The listener greets like a relay and records every byte it gets. */
  script = g_strdup_printf (
    "set -e\n"
    "ip link set lo up\n"
    "ip addr add 198.51.100.25/32 dev lo\n"
    "mount --bind '%s' /etc/hosts\n"
    "/usr/bin/python3 -c '\n"
    "import socket, sys\n"
    "s = socket.socket(); s.bind((\"0.0.0.0\", 2525)); s.listen()\n"
    "print(\"ready\", flush=True)\n"
    "c, a = s.accept(); c.sendall(b\"220 elsewhere ESMTP\\r\\n\")\n"
    "f = open(sys.argv[1], \"ab\")\n"
    "f.write(b\"connection from \" + a[0].encode() + b\"\\n\"); f.flush()\n"
    "while True:\n"
    "    d = c.recv(4096)\n"
    "    if not d: break\n"
    "    f.write(d); f.flush()\n"
    "    if d.startswith(b\"EHLO\"): c.sendall(b\"250 elsewhere\\r\\n\")\n"
    "    elif d.startswith(b\"QUIT\"): c.sendall(b\"221 bye\\r\\n\"); break\n"
    "    else: c.sendall(b\"250 ok\\r\\n\")\n"
    "' '%s' > '%s.ready' &\n"
    "listener=$!\n"
    "while ! grep -q ready '%s.ready'; do sleep 0.05; done\n"
    "'%s' account add Elsewhere --from alice@example.org --host localhost.localdomain "
    "  --port 2525 --security none --auth none\n"
    "set +e\n"
    "echo body | '%s' send --account Elsewhere --to bob@example.org --subject loopback --body-file -\n"
    "status=$?\n"
    "kill $listener 2>/dev/null\n"
    "exit $status\n",
    hosts, received, received, received, ctl, ctl);
  argv[5] = script;

  status = postier_test_run_program (NULL, NULL, &out, &err, argv);
  g_test_message ("status %d, stderr: %s", status, err);
  seen = postier_test_read_file (received, NULL);
  g_test_message ("the listener saw: %s", seen);
  g_assert_cmpstr (seen, ==, "");
  g_assert_cmpint (status, ==, 78);
  g_assert_nonnull (strstr (err, "198.51.100.25"));
}

int
main (int    argc,
      char **argv)
{
  postier_test_init (&argc, &argv);

  g_test_add_func ("/loopback/decision", test_decision);
  g_test_add_func ("/loopback/other-loopback-address", test_other_loopback_address);
  g_test_add_func ("/loopback/name-resolving-elsewhere", test_name_resolving_elsewhere);
  return g_test_run ();
}
