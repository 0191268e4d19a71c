/* test-flush-watch.c — the background flusher delivers deferred mail when
 * the network comes back, with no other command run
 *
 * The test runs in a network namespace of its own (it is root in the rig),
 * so it can play the network going and coming: at first loopback is up but
 * there is no default route (GLib's netlink monitor says "offline") and the
 * relay's port is closed; `postierctl queue watch` tries, is refused and
 * defers the message. Then the relay starts on that port and a default
 * route appears: the monitor reports the network back, the flusher sends
 * at once (its next timer would be a minute away), and leaves because the
 * outbox is empty.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <sched.h>
#include <string.h>

#include "postier-core.h"
#include "postier-test.h"

static gboolean
run (const char *first,
     ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = NULL;
  va_list ap;

  va_start (ap, first);
  postier_test_append_args (args, first, ap);
  va_end (ap);
  process = g_subprocess_newv ((const char * const *) args->pdata, G_SUBPROCESS_FLAGS_NONE, &error);
  return process != NULL && g_subprocess_wait_check (process, NULL, &error);
}

static PostierOutboxState
state_of (PostierOutbox *outbox,
          const char    *id)
{
  g_autoptr(PostierOutboxEntry) entry = postier_outbox_lookup (outbox, id, NULL);

  return entry != NULL ? postier_outbox_entry_get_state (entry) : POSTIER_OUTBOX_STATE_SENT;
}

static void
test_network_back (void)
{
  g_autoptr(PostierAccountStore) store = postier_account_store_new (NULL);
  g_autoptr(PostierAccount) account = postier_account_new ("Relay");
  g_autoptr(PostierOutbox) outbox = postier_outbox_new (NULL);
  g_autoptr(PostierEnvelope) envelope = postier_envelope_new ("alice@example.org");
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) watch = NULL;
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) message = NULL;
  g_autofree char *folder = NULL;
  g_autofree char *saved = NULL;
  g_autofree char *server_log = NULL;
  g_autofree char *plan = NULL;
  g_autofree char *port_text = NULL;
  g_autofree char *script = NULL;
  g_autofree char *id = NULL;
  g_autofree char *watch_out = NULL;
  g_autofree char *watch_err = NULL;
  g_autofree char *received = NULL;
  const char *text = "From: alice@example.org\r\nTo: bob@example.org\r\nSubject: after the outage\r\n"
                     "Message-ID: <network-back@watch.postier.test>\r\n"
                     "Date: Sat, 05 Dec 2026 10:00:00 +0000\r\n\r\nSent by the background flusher.\r\n";
  gint64 tries_until;
  guint port;
  int status;

  if (postier_test_rig ("CA") == NULL)
    return;
  if (unshare (CLONE_NEWNET) != 0)
    {
      g_autofree char *why = g_strdup_printf ("no network namespace of our own (%s): the "
                                              "test needs root, as in the rig", g_strerror (errno));
      g_test_skip (why);
      return;
    }
  g_assert_true (run ("ip", "link", "set", "lo", "up", NULL));
  port = postier_test_free_port ();

  /* A relay on loopback, its password from a command: no keyring here. */
  postier_account_set_identity (account, "alice@example.org");
  postier_account_set_host (account, "localhost");
  postier_account_set_port (account, port);
  postier_account_set_security (account, POSTIER_SECURITY_STARTTLS);
  postier_account_set_auth (account, POSTIER_AUTH_PLAIN);
  postier_account_set_user (account, "alice");
  postier_account_set_ca_file (account, postier_test_rig ("CA"));
  postier_account_set_password_command (account, "echo secret");
  g_assert_true (postier_account_store_load (store, &error));
  g_assert_no_error (error);
  g_assert_true (postier_account_store_add (store, account, TRUE, &error));
  g_assert_no_error (error);

  postier_envelope_add_recipient (envelope, "bob@example.org");
  message = g_bytes_new_static (text, strlen (text));
  id = postier_outbox_enqueue_bytes (outbox, "Relay", envelope, message, NULL, &error);
  g_assert_no_error (error);

  /* GLib's netlink monitor: a default route is what it calls online. */
  launcher = postier_test_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "GIO_USE_NETWORK_MONITOR", "netlink", TRUE);
  g_subprocess_launcher_setenv (launcher, "G_MESSAGES_DEBUG", "postier-submitter", TRUE);
  watch = postier_test_launcher_spawn_ctl (launcher, "queue", "watch", NULL);

  /* Its first try finds the port closed: deferred, a minute to wait. It
   * tries at once; half the watch's deadline leaves the rest for below. */
  tries_until = g_get_monotonic_time () + POSTIER_TEST_WATCH_DEADLINE_S / 2 * G_USEC_PER_SEC;
  while (state_of (outbox, id) != POSTIER_OUTBOX_STATE_DEFERRED)
    {
      if (g_subprocess_get_identifier (watch) == NULL)
        {
          /* It left with mail still to send: say what it said. */
          g_subprocess_communicate_utf8 (watch, NULL, NULL, &watch_out, &watch_err, NULL);
          g_test_message ("watch left early: %s%s", watch_out, watch_err);
          g_assert_not_reached ();
        }
      if (g_get_monotonic_time () > tries_until)
        postier_test_watch_stuck (watch, "never tried the message");
      g_usleep (20 * 1000);
    }

  folder = g_dir_make_tmp ("postier-watch-XXXXXX", &error);
  g_assert_no_error (error);
  saved = g_build_filename (folder, "data.eml", NULL);
  server_log = g_build_filename (folder, "server.log", NULL);
  plan = g_strdup_printf ("{\"savedata\": \"%s\"}", saved);
  port_text = g_strdup_printf ("%u", port);
  script = g_build_filename (g_getenv ("POSTIER_SOURCE_ROOT"), "tests", "faults", "smtp-fault-server.py", NULL);
  server = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, "/usr/bin/python3", script,
                             "--plan", plan, "--log", server_log, "--port", port_text, NULL);
  g_assert_no_error (error);
  {
    g_autoptr(GDataInputStream) out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server));
    g_autofree char *line = g_data_input_stream_read_line (out, NULL, NULL, &error);
    g_autofree char *expected = g_strdup_printf ("PORT %u", port);
    g_assert_no_error (error);
    g_assert_cmpstr (line, ==, expected);
  }

  /* The network comes back. Nothing else is run. */
  g_assert_true (run ("ip", "route", "add", "default", "dev", "lo", NULL));

  status = postier_test_watch_wait (watch, &watch_out, &watch_err);
  g_test_message ("watch: %s%s", watch_out, watch_err);
  g_assert_cmpint (status, ==, 0);
  /* It went because the network came back, not because a timer ran out
   * (GLib writes debug messages on stdout; "network available" is only
   * said on a change, and the namespace started offline). The first
   * flush's line may come after it: this test saw the entry deferred on
   * disk, which is before that flush has wound down (once in CI, ASan). */
  g_assert_nonnull (strstr (watch_out, "0 sent, 1 not sent yet"));
  g_assert_nonnull (strstr (watch_out, "network available"));
  g_assert_nonnull (strstr (strstr (watch_out, "network available"), "1 sent, 0 not sent yet"));

  g_assert_cmpint (state_of (outbox, id), ==, POSTIER_OUTBOX_STATE_SENT);
  g_assert_true (g_subprocess_wait (server, NULL, &error));
  g_assert_true (g_file_get_contents (saved, &received, NULL, &error));
  g_assert_no_error (error);
  g_assert_nonnull (strstr (received, "Message-ID: <network-back@watch.postier.test>"));

  g_unlink (saved);
  g_unlink (server_log);
  g_rmdir (folder);
}

int
main (int   argc,
      char *argv[])
{
  postier_test_init (&argc, &argv);

  g_test_add_func ("/flush-watch/network-back", test_network_back);

  return g_test_run ();
}
