/* test-sandbox-faults.c — the Sandbox receiver against hostile clients
 *
 * Random bytes in clear text and in place of a TLS handshake, overlong
 * lines, floods of commands and of errors, a client that stalls, too many
 * clients at once, and 100 MB of DATA over the size limit: each is cut off
 * with a proper reply or a closed connection, nothing is stored, and a
 * good client is served afterwards. Run under ASan, this is also the
 * memory-safety test of the receiver.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>

#include "postier-core.h"
#include "postier-test.h"
#include "postier-test-sandbox.h"

#define IDLE_TIMEOUT_MS 1500

static PostierTestSandbox *
hostile_fixture (void)
{
  PostierTestSandbox *fixture = postier_test_sandbox_new ();
  PostierSandboxLimits limits;

  postier_sandbox_get_limits (fixture->sandbox, &limits);
  limits.idle_timeout_ms = IDLE_TIMEOUT_MS;
  limits.max_connections = 4;
  postier_sandbox_set_limits (fixture->sandbox, &limits);
  return fixture;
}

static guint
count_messages (PostierTestSandbox *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = postier_sandbox_store_list (fixture->store, &error);

  g_assert_no_error (error);
  return list->len;
}

/* After the abuse, a well-behaved client still gets its message through,
 * and it is the only one stored. */
static void
assert_still_serves (PostierTestSandbox *fixture)
{
  static const char message[] =
    "From: Ada <ada@example.org>\r\n"
    "Subject: still here\r\n"
    "\r\n"
    "Hello after the storm.\r\n";
  const char *to[] = { "bob@example.net", NULL };
  g_autoptr(PostierSandboxMessage) captured = NULL;

  g_assert_true (postier_sandbox_is_running (fixture->sandbox));
  captured = postier_test_sandbox_send (fixture, message, sizeof message - 1, "ada@example.org", to, FALSE);
  g_assert_cmpstr (postier_sandbox_message_get_subject (captured), ==, "still here");
  g_assert_cmpuint (count_messages (fixture), ==, 1);
}

static void
test_random_bytes (void)
{
  g_autoptr(PostierTestSandbox) fixture = hostile_fixture ();

  for (int seed = 1; seed <= 5; seed++)
    {
      g_autofree char *seed_arg = g_strdup_printf ("--seed=%d", seed);
      g_autoptr(JsonObject) answer = postier_test_sandbox_client (fixture, "fuzz", "--what=random",
                                                                  seed_arg, NULL);
      /* Garbage earns errors, then the door. */
      if (json_object_get_boolean_member (answer, "ok"))
        g_assert_nonnull (strstr (json_object_get_string_member (answer, "answer"), "5"));
    }
  assert_still_serves (fixture);
}

static void
test_tls_garbage (void)
{
  g_autoptr(PostierTestSandbox) fixture = hostile_fixture ();

  for (int seed = 1; seed <= 3; seed++)
    {
      g_autofree char *seed_arg = g_strdup_printf ("--seed=%d", seed);
      g_autoptr(JsonObject) answer = postier_test_sandbox_client (fixture, "fuzz", "--what=tls-garbage",
                                                                  seed_arg, NULL);
      (void) answer;
    }
  assert_still_serves (fixture);
}

static void
test_long_lines (void)
{
  g_autoptr(PostierTestSandbox) fixture = hostile_fixture ();
  g_autoptr(JsonObject) answer = postier_test_sandbox_client (fixture, "fuzz", "--what=long-line", NULL);
  const char *replies = json_object_get_string_member (answer, "answer");

  g_assert_true (json_object_get_boolean_member (answer, "ok"));
  /* Both overlong lines are refused and skipped; the NOOP after them is
   * read as a command of its own. */
  g_assert_nonnull (strstr (replies, "500 5.5.2 Line too long\r\n500 5.5.2 Line too long\r\n250 2.0.0 Ok\r\n"));
  assert_still_serves (fixture);
}

static void
test_command_flood (void)
{
  g_autoptr(PostierTestSandbox) fixture = hostile_fixture ();
  g_autoptr(JsonObject) noops = postier_test_sandbox_client (fixture, "fuzz", "--what=many-commands", NULL);
  g_autoptr(JsonObject) errors = postier_test_sandbox_client (fixture, "fuzz", "--what=bad-commands", NULL);

  g_assert_nonnull (strstr (json_object_get_string_member (noops, "answer"),
                            "421 4.7.0 Too many commands, closing connection"));
  g_assert_nonnull (strstr (json_object_get_string_member (errors, "answer"),
                            "421 4.7.0 Too many errors, closing connection"));
  assert_still_serves (fixture);
}

/* A client that goes silent mid-command is dropped after the idle time,
 * not kept forever. */
static void
test_stall (void)
{
  g_autoptr(PostierTestSandbox) fixture = hostile_fixture ();
  g_autoptr(JsonObject) answer = postier_test_sandbox_client (fixture, "fuzz", "--what=stall",
                                                              "--stall=15", NULL);
  JsonNode *closed_after = json_object_get_member (answer, "closed_after");

  g_assert_false (JSON_NODE_HOLDS_NULL (closed_after));
  g_assert_cmpfloat (json_node_get_double (closed_after), >=, IDLE_TIMEOUT_MS / 1000.0 - 0.2);
  g_assert_cmpfloat (json_node_get_double (closed_after), <, IDLE_TIMEOUT_MS / 1000.0 + 5);
  assert_still_serves (fixture);
}

/* Beyond the connection limit a client is told to come back later; the
 * ones already in are not disturbed, and the place frees up. */
static void
test_too_many_clients (void)
{
  g_autoptr(PostierTestSandbox) fixture = hostile_fixture ();
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GPtrArray) connections = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;

  /* Straight to the loopback port, as Postier itself connects: on a
   * desktop GIO would otherwise ask the GNOME proxy settings, whose schema
   * the isolated test folders hide. */
  g_socket_client_set_enable_proxy (client, FALSE);

  for (guint i = 0; i < 5; i++)
    {
      GSocketConnection *connection;
      g_autoptr(GDataInputStream) in = NULL;
      g_autofree char *greeting = NULL;

      connection = g_socket_client_connect_to_host (client, "127.0.0.1", (guint16) fixture->port,
                                                    NULL, &error);
      g_assert_no_error (error);
      g_ptr_array_add (connections, connection);
      in = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (connection)));
      g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (in), FALSE);
      greeting = g_data_input_stream_read_line (in, NULL, NULL, &error);
      g_assert_no_error (error);
      if (i < 4)
        g_assert_true (g_str_has_prefix (greeting, "220 "));
      else
        g_assert_true (g_str_has_prefix (greeting, "421 4.7.0 Too many connections"));
    }
  g_ptr_array_set_size (connections, 0);

  /* The sessions notice the closed sockets and free their places. */
  {
    gint64 give_up = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
    g_autoptr(JsonObject) answer = NULL;

    for (;;)
      {
        g_autoptr(GSocketConnection) probe =
          g_socket_client_connect_to_host (client, "127.0.0.1", (guint16) fixture->port, NULL, &error);
        g_autoptr(GDataInputStream) in = NULL;
        g_autofree char *greeting = NULL;

        g_assert_no_error (error);
        in = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (probe)));
        greeting = g_data_input_stream_read_line (in, NULL, NULL, NULL);
        if (greeting != NULL && g_str_has_prefix (greeting, "220 "))
          break;
        g_assert_cmpint (g_get_monotonic_time (), <, give_up);
        g_usleep (100 * 1000);
      }
    (void) answer;
  }
  assert_still_serves (fixture);
}

/* 100 MB of DATA, twice the limit, streamed after a real STARTTLS and
 * AUTH: read to the end, refused with 552, nothing stored, memory flat. */
static void
test_huge_data (void)
{
  g_autoptr(PostierTestSandbox) fixture = hostile_fixture ();
  g_autoptr(JsonObject) answer = postier_test_sandbox_client (fixture, "fuzz", "--what=big-data",
                                                              "--size=104857600", NULL);
  g_autofree char *tmp_dir = g_build_filename (fixture->dir, "tmp", NULL);
  g_autoptr(GDir) tmp = NULL;

  if (!json_object_get_boolean_member (answer, "ok"))
    g_test_message ("client: %s", json_object_get_string_member (answer, "error"));
  g_assert_true (json_object_get_boolean_member (answer, "ok"));
  g_assert_cmpint (json_object_get_int_member (answer, "data_code"), ==, 354);
  g_assert_cmpint (json_object_get_int_member (answer, "end_code"), ==, 552);
  g_assert_cmpint (json_object_get_int_member (answer, "sent"), >=, 100 * 1024 * 1024);
  g_assert_cmpuint (count_messages (fixture), ==, 0);

  /* No partial file is left behind either. */
  tmp = g_dir_open (tmp_dir, 0, NULL);
  g_assert_nonnull (tmp);
  g_assert_null (g_dir_read_name (tmp));

  assert_still_serves (fixture);
}

int
main (int   argc,
      char *argv[])
{
  postier_test_init (&argc, &argv);

  g_test_add_func ("/sandbox/faults/random-bytes", test_random_bytes);
  g_test_add_func ("/sandbox/faults/tls-garbage", test_tls_garbage);
  g_test_add_func ("/sandbox/faults/long-lines", test_long_lines);
  g_test_add_func ("/sandbox/faults/command-flood", test_command_flood);
  g_test_add_func ("/sandbox/faults/stall", test_stall);
  g_test_add_func ("/sandbox/faults/too-many-clients", test_too_many_clients);
  g_test_add_func ("/sandbox/faults/huge-data", test_huge_data);

  return g_test_run ();
}
