/* test-sandbox.c — the Sandbox receiver and its store, seen from a client
 *
 * The client is Python's smtplib with STARTTLS (tests/sandbox-client.py):
 * what a person's mail program would see, and what lands on disk.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <sys/stat.h>

#include "postier-core.h"
#include "postier-sandbox.h"
#include "postier-sandbox-store.h"
#include "postier-test.h"
#include "postier-test-sandbox.h"

#define CRLF "\r\n"

static const char stuffed_message[] =
  "From: Ada <ada@example.org>" CRLF
  "To: Bob <bob@example.net>" CRLF
  "Subject: dots" CRLF
  "Date: Mon, 1 Jan 2024 10:00:00 +0000" CRLF
  "Message-ID: <dots@example.org>" CRLF
  "MIME-Version: 1.0" CRLF
  "Content-Type: text/plain; charset=utf-8" CRLF
  "Content-Transfer-Encoding: 8bit" CRLF
  CRLF
  "." CRLF
  ".." CRLF
  ".leading dot" CRLF
  "caf\xc3\xa9 \x2e end" CRLF
  "bare\rcarriage and \r" CRLF
  "last line" CRLF;

static char *
simple_message (const char *subject)
{
  return g_strdup_printf ("From: Ada <ada@example.org>" CRLF
                          "To: bob@example.net" CRLF
                          "Subject: %s" CRLF
                          "Date: Mon, 1 Jan 2024 10:00:00 +0000" CRLF
                          "Message-ID: <%s@example.org>" CRLF
                          CRLF
                          "Hello." CRLF, subject, subject);
}

static PostierSandboxMessage *
send_simple (PostierTestSandbox *fixture,
             const char         *subject)
{
  g_autofree char *message = simple_message (subject);
  const char *to[] = { "bob@example.net", NULL };

  return postier_test_sandbox_send (fixture, message, strlen (message), "ada@example.org", to, FALSE);
}

static guint
count_messages (PostierTestSandbox *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = postier_sandbox_store_list (fixture->store, &error);

  g_assert_no_error (error);
  return list->len;
}

static void
assert_mode (const char *path,
             guint       mode)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpuint (st.st_mode & 0777, ==, mode);
}

/* A message with leading dots, 8-bit text and stray CRs comes out exactly
 * as the client had it, with the envelope it gave. */
static void
test_capture_is_byte_identical (void)
{
  g_autoptr(PostierTestSandbox) fixture = postier_test_sandbox_new ();
  g_autoptr(PostierSandboxMessage) message = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *new_dir = NULL;
  const char *to[] = { "bob@example.net", "carol@example.com", NULL };
  const char * const *recipients;

  message = postier_test_sandbox_send (fixture, stuffed_message, sizeof stuffed_message - 1,
                                       "ada@example.org", to, FALSE);
  bytes = postier_sandbox_message_load_bytes (message, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                   stuffed_message, sizeof stuffed_message - 1);
  g_assert_cmpuint (postier_sandbox_message_get_size (message), ==, sizeof stuffed_message - 1);

  g_assert_cmpstr (postier_sandbox_message_get_sender (message), ==, "ada@example.org");
  recipients = postier_sandbox_message_get_recipients (message);
  g_assert_cmpuint (g_strv_length ((GStrv) recipients), ==, 2);
  g_assert_cmpstr (recipients[0], ==, "bob@example.net");
  g_assert_cmpstr (recipients[1], ==, "carol@example.com");
  g_assert_cmpstr (postier_sandbox_message_get_login (message), ==, fixture->login);
  g_assert_cmpstr (postier_sandbox_message_get_helo (message), ==, "test.client");
  g_assert_true (g_str_has_prefix (postier_sandbox_message_get_tls (message), "TLSv1."));
  g_assert_cmpstr (postier_sandbox_message_get_subject (message), ==, "dots");
  g_assert_cmpstr (postier_sandbox_message_get_from (message), ==, "Ada <ada@example.org>");
  g_assert_nonnull (postier_sandbox_message_get_date (message));

  /* A Maildir file in new/, private to the person. */
  new_dir = g_build_filename (fixture->dir, "new", NULL);
  g_assert_true (g_str_has_prefix (postier_sandbox_message_get_path (message), new_dir));
  assert_mode (postier_sandbox_message_get_path (message), 0600);
  assert_mode (fixture->dir, 0700);
}

/* The client sees the certificate the Sandbox account pins, kept private
 * on disk and the same the next time. */
static void
test_certificate_is_pinned_and_kept (void)
{
  g_autoptr(PostierTestSandbox) fixture = postier_test_sandbox_new ();
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(PostierSandbox) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sha256 = NULL;
  g_autofree char *again_sha256 = NULL;
  g_autofree char *tls_dir = NULL;
  g_autofree char *key = NULL;
  g_autofree char *hex = NULL;
  g_autofree char *message_path = g_build_filename (g_get_user_cache_dir (), "m.eml", NULL);
  g_autofree char *message_arg = g_strdup_printf ("--message=%s", message_path);
  g_autofree char *message = simple_message ("pin");

  g_mkdir_with_parents (g_get_user_cache_dir (), 0700);
  g_file_set_contents (message_path, message, -1, &error);
  g_assert_no_error (error);
  answer = postier_test_sandbox_client (fixture, "send", message_arg, NULL);
  g_assert_true (json_object_get_boolean_member (answer, "ok"));

  sha256 = postier_sandbox_dup_certificate_sha256 (fixture->sandbox, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (strlen (sha256), ==, 32 * 3 - 1);
  hex = g_ascii_strdown (sha256, -1);
  g_strdelimit (hex, ":", ' ');
  {
    g_autoptr(GString) plain = g_string_new (NULL);
    for (const char *p = hex; *p; p++)
      if (*p != ' ')
        g_string_append_c (plain, *p);
    g_assert_cmpstr (json_object_get_string_member (answer, "peer_sha256"), ==, plain->str);
  }

  tls_dir = g_path_get_dirname (fixture->cafile);
  key = g_build_filename (tls_dir, "key.pem", NULL);
  assert_mode (tls_dir, 0700);
  assert_mode (fixture->cafile, 0600);
  assert_mode (key, 0600);
  g_assert_true (g_str_has_suffix (tls_dir, "/postier/sandbox-tls"));

  again = postier_sandbox_new (fixture->dir);
  again_sha256 = postier_sandbox_dup_certificate_sha256 (again, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (again_sha256, ==, sha256);
}

/* EHLO after STARTTLS offers what a submission client needs; STARTTLS
 * itself is gone, AUTH has come. */
static void
test_ehlo_extensions (void)
{
  g_autoptr(PostierTestSandbox) fixture = postier_test_sandbox_new ();
  g_autoptr(JsonObject) answer = NULL;
  g_autofree char *message_path = g_build_filename (g_get_user_cache_dir (), "m.eml", NULL);
  g_autofree char *message_arg = g_strdup_printf ("--message=%s", message_path);
  g_autofree char *message = simple_message ("ehlo");
  g_autoptr(GString) features = g_string_new (NULL);
  JsonArray *list;

  g_mkdir_with_parents (g_get_user_cache_dir (), 0700);
  g_assert_true (g_file_set_contents (message_path, message, -1, NULL));
  answer = postier_test_sandbox_client (fixture, "send", message_arg, NULL);
  g_assert_true (json_object_get_boolean_member (answer, "ok"));
  list = json_object_get_array_member (answer, "esmtp_features");
  for (guint i = 0; i < json_array_get_length (list); i++)
    g_string_append_printf (features, "%s ", json_array_get_string_element (list, i));
  g_assert_cmpstr (features->str, ==, "8bitmime auth enhancedstatuscodes pipelining size smtputf8 ");
}

/* A raw conversation in clear text: the line, then the reply line. */
static char *
plain_exchange (guint        port,
                const char  *lines)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) in = NULL;
  g_autoptr(GString) replies = g_string_new (NULL);
  GOutputStream *out;
  char *line;

  /* Straight to the loopback port, as Postier itself connects: on a
   * desktop GIO would otherwise ask the GNOME proxy settings, whose schema
   * the isolated test folders hide. */
  g_socket_client_set_enable_proxy (client, FALSE);

  connection = g_socket_client_connect_to_host (client, "127.0.0.1", (guint16) port, NULL, &error);
  g_assert_no_error (error);
  in = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (connection)));
  out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  g_output_stream_write_all (out, lines, strlen (lines), NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_write_all (out, "QUIT\r\n", 6, NULL, NULL, &error);
  g_assert_no_error (error);
  while ((line = g_data_input_stream_read_line (in, NULL, NULL, NULL)) != NULL)
    {
      g_string_append (replies, g_strchomp (line));
      g_string_append_c (replies, '\n');
      g_free (line);
    }
  return g_string_free (g_steal_pointer (&replies), FALSE);
}

/* No mail and no password travel in clear text, and the receiver takes
 * mail only from the Sandbox account's login and password. */
static void
test_requires_tls_and_auth (void)
{
  g_autoptr(PostierTestSandbox) fixture = postier_test_sandbox_new ();
  g_autofree char *message_path = g_build_filename (g_get_user_cache_dir (), "m.eml", NULL);
  g_autofree char *message_arg = g_strdup_printf ("--message=%s", message_path);
  g_autofree char *message = simple_message ("refused");
  g_autofree char *replies = NULL;
  g_autoptr(JsonObject) no_tls = NULL;
  g_autoptr(JsonObject) no_login = NULL;
  g_autoptr(JsonObject) wrong = NULL;

  g_mkdir_with_parents (g_get_user_cache_dir (), 0700);
  g_assert_true (g_file_set_contents (message_path, message, -1, NULL));

  replies = plain_exchange (fixture->port,
                            "EHLO raw\r\n"
                            "AUTH PLAIN AGFkYUBleGFtcGxlLm9yZwBzZWNyZXQ=\r\n"
                            "MAIL FROM:<ada@example.org>\r\n");
  g_assert_nonnull (strstr (replies, "250-STARTTLS\n"));
  g_assert_null (strstr (replies, "AUTH"));
  g_assert_nonnull (strstr (replies, "\n538 5.7.11 "));
  g_assert_nonnull (strstr (replies, "\n530 5.7.0 Must issue a STARTTLS"));
  g_assert_nonnull (strstr (replies, "\n221 "));

  no_tls = postier_test_sandbox_client (fixture, "send", message_arg, "--no-starttls", "--no-login", NULL);
  g_assert_false (json_object_get_boolean_member (no_tls, "ok"));
  g_assert_cmpint (json_object_get_int_member (no_tls, "code"), ==, 530);

  no_login = postier_test_sandbox_client (fixture, "send", message_arg, "--no-login", NULL);
  g_assert_false (json_object_get_boolean_member (no_login, "ok"));
  g_assert_cmpint (json_object_get_int_member (no_login, "code"), ==, 530);

  wrong = postier_test_sandbox_client (fixture, "send", message_arg, "--password=not-it", NULL);
  g_assert_false (json_object_get_boolean_member (wrong, "ok"));
  g_assert_cmpint (json_object_get_int_member (wrong, "code"), ==, 535);

  g_assert_cmpuint (count_messages (fixture), ==, 0);
}

/* Internationalised addresses go through with SMTPUTF8 and are recorded. */
static void
test_smtputf8_envelope (void)
{
  g_autoptr(PostierTestSandbox) fixture = postier_test_sandbox_new ();
  g_autoptr(PostierSandboxMessage) message = NULL;
  g_autofree char *text = simple_message ("utf8");
  const char *to[] = { "j\xc3\xa9r\xc3\xb4me@exemple.fr", NULL };

  message = postier_test_sandbox_send (fixture, text, strlen (text),
                                       "\xc3\xa0" "da@example.org", to, TRUE);
  g_assert_cmpstr (postier_sandbox_message_get_sender (message), ==, "\xc3\xa0" "da@example.org");
  g_assert_cmpstr (postier_sandbox_message_get_recipients (message)[0], ==, to[0]);
  g_assert_true (postier_sandbox_message_get_smtputf8 (message));
  g_assert_nonnull (strstr (postier_sandbox_message_get_mail_parameters (message), "SMTPUTF8"));
}

/* Over the size limit: refused with 552, nothing stored. */
static void
test_size_limit (void)
{
  g_autoptr(PostierTestSandbox) fixture = postier_test_sandbox_new ();
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(GString) big = g_string_new (NULL);
  g_autofree char *message_path = g_build_filename (g_get_user_cache_dir (), "m.eml", NULL);
  g_autofree char *message_arg = g_strdup_printf ("--message=%s", message_path);
  PostierSandboxLimits limits;

  postier_sandbox_get_limits (fixture->sandbox, &limits);
  g_assert_cmpuint (limits.max_message_size, ==, 50 * 1024 * 1024);
  limits.max_message_size = 10000;
  postier_sandbox_set_limits (fixture->sandbox, &limits);

  g_string_append (big, "Subject: big" CRLF CRLF);
  for (guint i = 0; i < 300; i++)
    g_string_append (big, "0123456789012345678901234567890123456789012345678901234567890123456789" CRLF);
  g_mkdir_with_parents (g_get_user_cache_dir (), 0700);
  g_assert_true (g_file_set_contents (message_path, big->str, (gssize) big->len, NULL));

  answer = postier_test_sandbox_client (fixture, "send", message_arg, NULL);
  g_assert_false (json_object_get_boolean_member (answer, "ok"));
  g_assert_cmpint (json_object_get_int_member (answer, "code"), ==, 552);
  g_assert_cmpuint (count_messages (fixture), ==, 0);
}

/* The receiver runs only while needed, and comes back on demand. */
static void
test_stops_when_idle (void)
{
  g_autoptr(PostierTestSandbox) fixture = postier_test_sandbox_new ();
  g_autoptr(PostierSandboxMessage) message = NULL;
  g_autoptr(GError) error = NULL;
  PostierSandboxLimits limits;
  gint64 give_up;
  guint port;

  postier_sandbox_get_limits (fixture->sandbox, &limits);
  limits.linger_ms = 200;
  postier_sandbox_set_limits (fixture->sandbox, &limits);
  /* The running acceptor already waits with the old linger: restart it. */
  postier_sandbox_stop (fixture->sandbox);
  g_assert_false (postier_sandbox_is_running (fixture->sandbox));
  port = postier_sandbox_start (fixture->sandbox, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (port, >, 0);

  give_up = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (postier_sandbox_is_running (fixture->sandbox) && g_get_monotonic_time () < give_up)
    g_usleep (50 * 1000);
  g_assert_false (postier_sandbox_is_running (fixture->sandbox));

  /* Long enough again for a Python client to start and connect. */
  limits.linger_ms = 60 * 1000;
  postier_sandbox_set_limits (fixture->sandbox, &limits);
  port = postier_sandbox_start (fixture->sandbox, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (port, >, 0);
  message = send_simple (fixture, "after-idle");
  g_assert_cmpstr (postier_sandbox_message_get_subject (message), ==, "after-idle");
}

static void
on_message_received (PostierSandbox *sandbox,
                     const char     *id,
                     gpointer        user_data)
{
  GPtrArray *ids = user_data;

  (void) sandbox;
  g_ptr_array_add (ids, g_strdup (id));
}

/* Each stored message is announced with its id. */
static void
test_message_received_signal (void)
{
  g_autoptr(PostierTestSandbox) fixture = postier_test_sandbox_new ();
  g_autoptr(PostierSandboxMessage) message = NULL;
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  gulong handler;

  handler = g_signal_connect (fixture->sandbox, "message-received",
                              G_CALLBACK (on_message_received), ids);
  message = send_simple (fixture, "signal");
  g_signal_handler_disconnect (fixture->sandbox, handler);
  g_assert_cmpuint (ids->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (ids, 0), ==, postier_sandbox_message_get_id (message));
}

/* The list is newest first; lookup takes a unique prefix; delete and
 * clear remove the messages and their envelopes. */
static void
test_store_list_delete_clear (void)
{
  g_autoptr(PostierTestSandbox) fixture = postier_test_sandbox_new ();
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(PostierSandboxMessage) found = NULL;
  g_autoptr(PostierSandboxMessage) missing = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *prefix = NULL;
  g_autofree char *envelope_dir = g_build_filename (fixture->dir, "envelope", NULL);
  g_autofree char *deleted_envelope = NULL;
  const char *subjects[] = { "first", "second", "third" };
  guint cleared;

  for (guint i = 0; i < G_N_ELEMENTS (subjects); i++)
    g_object_unref (send_simple (fixture, subjects[i]));

  list = postier_sandbox_store_list (fixture->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 3);
  g_assert_cmpstr (postier_sandbox_message_get_subject (g_ptr_array_index (list, 0)), ==, "third");
  g_assert_cmpstr (postier_sandbox_message_get_subject (g_ptr_array_index (list, 2)), ==, "first");

  /* Every id starts with the time: a short prefix is ambiguous. */
  missing = postier_sandbox_store_lookup (fixture->store, "1", &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  missing = postier_sandbox_store_lookup (fixture->store, "no-such-id", &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);
  missing = postier_sandbox_store_lookup (fixture->store, "../new", &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  prefix = g_strndup (postier_sandbox_message_get_id (g_ptr_array_index (list, 1)),
                      strlen (postier_sandbox_message_get_id (g_ptr_array_index (list, 1))) - 1);
  found = postier_sandbox_store_lookup (fixture->store, prefix, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (postier_sandbox_message_get_subject (found), ==, "second");

  deleted_envelope = g_build_filename (envelope_dir, postier_sandbox_message_get_id (found), NULL);
  g_assert_true (g_file_test (deleted_envelope, G_FILE_TEST_EXISTS));
  g_assert_true (postier_sandbox_store_delete (fixture->store, postier_sandbox_message_get_id (found), &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (deleted_envelope, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (count_messages (fixture), ==, 2);

  cleared = postier_sandbox_store_clear (fixture->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cleared, ==, 2);
  g_assert_cmpuint (count_messages (fixture), ==, 0);
  g_assert_false (postier_test_tree_contains (envelope_dir, "rcpt-to"));
}

static void
on_changed (PostierSandboxStore *store,
            gpointer             user_data)
{
  (void) store;
  *(guint *) user_data += 1;
}

/* A view watching the store hears of new mail, even from another thread. */
static void
test_store_watch (void)
{
  g_autoptr(PostierTestSandbox) fixture = postier_test_sandbox_new ();
  g_autoptr(GError) error = NULL;
  guint changes = 0;
  gint64 give_up;

  g_assert_true (postier_sandbox_store_watch (fixture->store, &error));
  g_assert_no_error (error);
  g_signal_connect (fixture->store, "changed", G_CALLBACK (on_changed), &changes);

  g_object_unref (send_simple (fixture, "watched"));
  give_up = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (changes == 0 && g_get_monotonic_time () < give_up)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10 * 1000);
    }
  g_assert_cmpuint (changes, >, 0);
}

/* The password lives in the keyring under the Sandbox account, like any
 * other account's. */
static void
test_password_in_keyring (void)
{
  g_autoptr(PostierTestSandbox) fixture = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stored = NULL;

  if (postier_test_rig ("KEYRING") == NULL)
    return;
  fixture = postier_test_sandbox_new ();
  stored = postier_secret_lookup_password_sync (fixture->account, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (stored, ==, fixture->password);
  g_assert_cmpuint (strlen (stored), >=, 32);
}

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

/* `postierctl sandbox` lists, shows (envelope, checks, MIME) and clears
 * what the receiver captured, for people and for scripts. */
static void
test_postierctl_sandbox (void)
{
  g_autoptr(PostierTestSandbox) fixture = postier_test_sandbox_new ();
  g_autoptr(PostierSandboxMessage) first = NULL;
  g_autoptr(PostierSandboxMessage) second = NULL;
  g_autoptr(JsonNode) listed = NULL;
  g_autoptr(JsonNode) shown = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  JsonObject *object;
  JsonArray *array;
  const char *to[] = { "bob@example.net", "carol@example.com", NULL };
  const char *keys[] = { "date", "message-id", "from", "header-encoding", "line-length",
                         "text-part", "size", "bcc", "attachment-types" };
  int status;

  first = send_simple (fixture, "first");
  second = postier_test_sandbox_send (fixture, stuffed_message, sizeof stuffed_message - 1,
                                      "ada@example.org", to, FALSE);

  status = postier_test_run_ctl (NULL, &out, &err, "sandbox", "list", "--json", NULL);
  g_assert_cmpint (status, ==, 0);
  listed = parse_json (out);
  array = json_node_get_array (listed);
  g_assert_cmpuint (json_array_get_length (array), ==, 2);
  object = json_array_get_object_element (array, 0);
  g_assert_cmpstr (json_object_get_string_member (object, "id"), ==, postier_sandbox_message_get_id (second));
  g_assert_cmpstr (json_object_get_string_member (object, "subject"), ==, "dots");
  g_assert_cmpint (json_object_get_int_member (object, "size"), ==, sizeof stuffed_message - 1);
  object = json_object_get_object_member (object, "envelope");
  g_assert_cmpstr (json_object_get_string_member (object, "mail_from"), ==, "ada@example.org");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "rcpt_to")), ==, 2);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  status = postier_test_run_ctl (NULL, &out, &err, "sandbox", "list", NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, postier_sandbox_message_get_id (first)));
  g_assert_nonnull (strstr (out, "bob@example.net (+1)"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  status = postier_test_run_ctl (NULL, &out, &err, "sandbox", "show", "--json",
                                 postier_sandbox_message_get_id (second), NULL);
  g_assert_cmpint (status, ==, 0);
  shown = parse_json (out);
  object = json_node_get_object (shown);
  array = json_object_get_array_member (object, "checks");
  g_assert_cmpuint (json_array_get_length (array), ==, G_N_ELEMENTS (keys));
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      JsonObject *check = json_array_get_object_element (array, i);
      g_assert_cmpstr (json_object_get_string_member (check, "key"), ==, keys[i]);
      g_assert_nonnull (json_object_get_string_member (check, "explanation"));
    }
  /* From is Ada, not the Sandbox account's identity. */
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 2), "status"), ==, "fail");
  g_assert_cmpstr (json_object_get_string_member (object, "worst"), ==, "fail");
  array = json_object_get_array_member (object, "mime");
  g_assert_cmpuint (json_array_get_length (array), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 0), "encoding"), ==, "8bit");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  status = postier_test_run_ctl (NULL, &out, &err, "sandbox", "show",
                                 postier_sandbox_message_get_id (second), NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, "MAIL FROM:   <ada@example.org>"));
  g_assert_nonnull (strstr (out, "<carol@example.com>"));
  g_assert_nonnull (strstr (out, "[FAIL] From matches the account"));
  g_assert_nonnull (strstr (out, "[pass] No Bcc header"));
  g_assert_nonnull (strstr (out, "text/plain; charset=utf-8  8bit"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  {
    const char *args[] = { "sandbox", "show", "--raw", postier_sandbox_message_get_id (second), NULL };
    gsize length;

    bytes = postier_sandbox_message_load_bytes (second, NULL);
    status = postier_test_run_ctlv (NULL, NULL, 0, &out, &err, args);
    g_assert_cmpint (status, ==, 0);
    length = strlen (out);
    g_assert_cmpmem (out, length, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }

  status = postier_test_run_ctl (NULL, &out, &err, "sandbox", "show", "no-such-message", NULL);
  g_assert_cmpint (status, ==, 65);
  g_assert_nonnull (strstr (err, "no-such-message"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  status = postier_test_run_ctl (NULL, &out, &err, "sandbox", "clear", NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpstr (out, ==, "2 messages deleted from the sandbox.\n");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  status = postier_test_run_ctl (NULL, &out, &err, "sandbox", "list", NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpstr (out, ==, "The sandbox is empty.\n");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* The same in French. */
  {
    const char *env[] = { "LANGUAGE=fr", NULL };
    const char *args[] = { "sandbox", "list", NULL };

    status = postier_test_run_ctlv (env, NULL, 0, &out, &err, args);
    g_assert_cmpint (status, ==, 0);
    g_assert_cmpstr (out, ==, "Le bac à sable est vide.\n");
  }
}

int
main (int   argc,
      char *argv[])
{
  postier_test_init (&argc, &argv);

  g_test_add_func ("/sandbox/receiver/byte-identical", test_capture_is_byte_identical);
  g_test_add_func ("/sandbox/receiver/certificate", test_certificate_is_pinned_and_kept);
  g_test_add_func ("/sandbox/receiver/ehlo", test_ehlo_extensions);
  g_test_add_func ("/sandbox/receiver/tls-and-auth", test_requires_tls_and_auth);
  g_test_add_func ("/sandbox/receiver/smtputf8", test_smtputf8_envelope);
  g_test_add_func ("/sandbox/receiver/size-limit", test_size_limit);
  g_test_add_func ("/sandbox/receiver/idle", test_stops_when_idle);
  g_test_add_func ("/sandbox/receiver/signal", test_message_received_signal);
  g_test_add_func ("/sandbox/store/list-delete-clear", test_store_list_delete_clear);
  g_test_add_func ("/sandbox/store/watch", test_store_watch);
  g_test_add_func ("/sandbox/password/keyring", test_password_in_keyring);
  g_test_add_func ("/sandbox/postierctl", test_postierctl_sandbox);

  return g_test_run ();
}
