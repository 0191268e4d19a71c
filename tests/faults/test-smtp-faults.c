/* test-smtp-faults.c — the submission engine against a misbehaving server
 *
 * tests/faults/smtp-fault-server.py plays a server that refuses, hangs up,
 * stalls or talks nonsense at a chosen step. Each case checks the class of
 * the error, because that class is what the outbox acts on: a temporary
 * failure is retried, a permanent one is not, an authentication or
 * certificate problem waits for the person.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "postier-core.h"
#include "postier-smtp-client.h"
#include "postier-test.h"

/* The shared fault server, with the message these tests send kept in its
 * folder. */
typedef struct {
  PostierTestFaultServer *server;
  GSubprocess            *process;  /* the server's, borrowed */
  guint                   port;
  char                   *message_path;
} FaultServer;

static FaultServer *
fault_server_start (const char *plan)
{
  g_autoptr(GError) error = NULL;
  FaultServer *server;

  if (postier_test_rig ("CA") == NULL || postier_test_rig ("CERT_SELFSIGNED") == NULL)
    return NULL;

  server = g_new0 (FaultServer, 1);
  server->server = postier_test_fault_server_start (plan);
  server->process = server->server->process;
  server->port = server->server->port;
  server->message_path = g_build_filename (server->server->folder, "message.eml", NULL);
  g_file_set_contents (server->message_path,
                       "From: alice@example.org\r\nTo: bob@example.org\r\nSubject: fault\r\n"
                       "Message-ID: <fault@postier.test>\r\n\r\nHello.\r\n.\r\n", -1, &error);
  g_assert_no_error (error);
  return server;
}

static char *
fault_server_log (FaultServer *server)
{
  return postier_test_fault_server_log (server->server);
}

static void
fault_server_stop (FaultServer *server)
{
  if (server == NULL)
    return;
  postier_test_fault_server_stop (server->server);
  g_free (server->message_path);
  g_free (server);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FaultServer, fault_server_stop)

static PostierSmtpClient *
fault_client (FaultServer     *server,
              PostierSecurity  security,
              guint            timeout)
{
  g_autoptr(PostierAccount) account = postier_account_new ("faults");
  PostierSmtpClient *client;

  postier_account_set_identity (account, "alice@example.org");
  /* "localhost" resolves to ::1 first here, where nothing listens: the
   * client must go on to 127.0.0.1. */
  postier_account_set_host (account, "localhost");
  postier_account_set_port (account, server->port);
  postier_account_set_security (account, security);
  postier_account_set_auth (account, POSTIER_AUTH_PLAIN);
  postier_account_set_user (account, "alice");
  postier_account_set_ca_file (account, postier_test_rig ("CA"));
  client = postier_smtp_client_new (account);
  postier_smtp_client_set_password (client, "secret");
  postier_smtp_client_set_timeout (client, timeout);
  return client;
}

static PostierEnvelope *
envelope_with (guint n_recipients)
{
  PostierEnvelope *envelope = postier_envelope_new ("alice@example.org");

  for (guint i = 0; i < n_recipients; i++)
    {
      g_autofree char *address = g_strdup_printf ("rcpt%u@example.org", i + 1);
      postier_envelope_add_recipient (envelope, address);
    }
  return envelope;
}

/* ---------------------------------------------------------------------- */
/* The table: one misbehaviour, one expected class */

typedef enum {
  AT_OPEN,
  AT_SEND,
} Phase;

typedef struct {
  const char *path;
  const char *plan;
  Phase       phase;      /* where the error must show */
  gint        code;       /* POSTIER_SMTP_ERROR_* */
  guint       recipients;
} Case;

#define TEMP POSTIER_SMTP_ERROR_TEMPORARY
#define PERM POSTIER_SMTP_ERROR_PERMANENT
#define NET  POSTIER_SMTP_ERROR_NETWORK
#define PROTO POSTIER_SMTP_ERROR_PROTOCOL

static const Case cases[] = {
  { "/faults/greeting/4xx", "{\"greeting\": \"421 4.3.2 Service not available\"}", AT_OPEN, TEMP, 1 },
  { "/faults/greeting/5xx", "{\"greeting\": \"554 5.3.2 No SMTP service here\"}", AT_OPEN, PERM, 1 },
  { "/faults/greeting/disconnect", "{\"greeting\": \"close\"}", AT_OPEN, NET, 1 },
  { "/faults/greeting/garbage", "{\"greeting\": \"garbage\"}", AT_OPEN, PROTO, 1 },
  { "/faults/greeting/overlong", "{\"greeting\": \"overlong\"}", AT_OPEN, PROTO, 1 },
  { "/faults/greeting/code-changes", "{\"greeting\": \"220-fault.test\\n554 no\"}", AT_OPEN, PROTO, 1 },

  { "/faults/ehlo/4xx", "{\"ehlo\": \"421 4.7.0 Too busy\"}", AT_OPEN, TEMP, 1 },
  { "/faults/ehlo/5xx", "{\"ehlo\": \"550 5.7.1 Go away\"}", AT_OPEN, PERM, 1 },
  { "/faults/ehlo/disconnect", "{\"ehlo\": \"close\"}", AT_OPEN, NET, 1 },
  { "/faults/ehlo/garbage", "{\"ehlo\": \"garbage\"}", AT_OPEN, PROTO, 1 },
  { "/faults/ehlo/overlong", "{\"ehlo\": \"overlong\"}", AT_OPEN, PROTO, 1 },

  { "/faults/starttls/4xx", "{\"starttls\": \"454 4.7.0 TLS not available now\"}", AT_OPEN, TEMP, 1 },
  { "/faults/starttls/5xx", "{\"starttls\": \"554 5.7.3 No TLS\"}", AT_OPEN, POSTIER_SMTP_ERROR_TLS, 1 },
  { "/faults/starttls/disconnect", "{\"starttls\": \"close\"}", AT_OPEN, NET, 1 },
  { "/faults/starttls/garbage", "{\"starttls\": \"garbage\"}", AT_OPEN, PROTO, 1 },
  { "/faults/starttls/overlong", "{\"starttls\": \"overlong\"}", AT_OPEN, PROTO, 1 },
  { "/faults/starttls/handshake-disconnect", "{\"handshake\": \"close\"}", AT_OPEN, POSTIER_SMTP_ERROR_TLS, 1 },

  { "/faults/auth/4xx", "{\"auth\": \"454 4.7.0 Temporary authentication failure\"}", AT_OPEN, TEMP, 1 },
  { "/faults/auth/5xx", "{\"auth\": \"535 5.7.8 Authentication credentials invalid\"}", AT_OPEN,
    POSTIER_SMTP_ERROR_AUTH, 1 },
  { "/faults/auth/disconnect", "{\"auth\": \"close\"}", AT_OPEN, NET, 1 },
  { "/faults/auth/garbage", "{\"auth\": \"garbage\"}", AT_OPEN, PROTO, 1 },
  { "/faults/auth/overlong", "{\"auth\": \"overlong\"}", AT_OPEN, PROTO, 1 },

  { "/faults/mail/4xx", "{\"mail\": \"451 4.3.0 Try again later\"}", AT_SEND, TEMP, 1 },
  { "/faults/mail/5xx", "{\"mail\": \"550 5.7.1 Sender rejected\"}", AT_SEND, PERM, 1 },
  { "/faults/mail/disconnect", "{\"mail\": \"close\"}", AT_SEND, NET, 1 },
  { "/faults/mail/garbage", "{\"mail\": \"garbage\"}", AT_SEND, PROTO, 1 },
  { "/faults/mail/overlong", "{\"mail\": \"overlong\"}", AT_SEND, PROTO, 1 },
  { "/faults/mail/5xx-unpipelined", "{\"mail\": \"550 5.7.1 Sender rejected\", \"pipelining\": false}",
    AT_SEND, PERM, 2 },
  /* A reply that is no verdict (neither 2xx, 4xx nor 5xx) where one belongs:
   * the two sides no longer agree, so the session is not reused. */
  { "/faults/mail/3xx", "{\"mail\": \"354 Go ahead\"}", AT_SEND, PROTO, 1 },
  { "/faults/mail/3xx-unpipelined", "{\"mail\": \"354 Go ahead\", \"pipelining\": false}", AT_SEND, PROTO, 1 },

  { "/faults/rcpt/4xx", "{\"rcpt1\": \"450 4.2.1 Mailbox busy\"}", AT_SEND, TEMP, 1 },
  { "/faults/rcpt/5xx", "{\"rcpt1\": \"550 5.1.1 No such user\"}", AT_SEND, PERM, 1 },
  { "/faults/rcpt/each-5xx", "{\"rcpt1\": \"550 5.1.1 No\", \"rcpt2\": \"553 5.1.3 Bad\", "
    "\"rcpt3\": \"550 5.1.1 No\"}", AT_SEND, PERM, 3 },
  { "/faults/rcpt/mixed-4xx-5xx", "{\"rcpt1\": \"550 5.1.1 No\", \"rcpt2\": \"451 4.4.3 Later\"}",
    AT_SEND, TEMP, 2 },
  { "/faults/rcpt/second-disconnect", "{\"rcpt2\": \"close\"}", AT_SEND, NET, 3 },
  { "/faults/rcpt/garbage", "{\"rcpt1\": \"garbage\"}", AT_SEND, PROTO, 1 },
  { "/faults/rcpt/second-4xx", "{\"rcpt2\": \"452 4.5.3 Too many recipients\", \"rcpt1\": "
    "\"451 4.3.0 Later\"}", AT_SEND, TEMP, 2 },
  { "/faults/rcpt/overlong", "{\"rcpt2\": \"overlong\"}", AT_SEND, PROTO, 2 },
  { "/faults/rcpt/5xx-unpipelined", "{\"rcpt1\": \"550 5.1.1 No\", \"pipelining\": false}", AT_SEND, PERM, 1 },

  { "/faults/data/4xx", "{\"data\": \"451 4.3.0 Not now\"}", AT_SEND, TEMP, 1 },
  { "/faults/data/5xx", "{\"data\": \"554 5.5.1 No valid recipients\"}", AT_SEND, PERM, 1 },
  { "/faults/data/disconnect", "{\"data\": \"close\"}", AT_SEND, NET, 1 },
  { "/faults/data/2xx", "{\"data\": \"250 2.0.0 Ok\"}", AT_SEND, PROTO, 1 },
  { "/faults/data/garbage", "{\"data\": \"garbage\"}", AT_SEND, PROTO, 1 },
  { "/faults/data/overlong", "{\"data\": \"overlong\"}", AT_SEND, PROTO, 1 },
  { "/faults/data/5xx-unpipelined", "{\"data\": \"554 5.5.1 No\", \"pipelining\": false}", AT_SEND, PERM, 1 },
  { "/faults/data/3xx", "{\"data\": \"334 What\"}", AT_SEND, PROTO, 1 },

  { "/faults/dot/4xx", "{\"dot\": \"452 4.3.1 Insufficient system storage\"}", AT_SEND, TEMP, 1 },
  { "/faults/dot/5xx", "{\"dot\": \"554 5.7.1 Message content rejected\"}", AT_SEND, PERM, 1 },
  { "/faults/dot/disconnect", "{\"dot\": \"close\"}", AT_SEND, NET, 1 },
  { "/faults/dot/garbage", "{\"dot\": \"garbage\"}", AT_SEND, PROTO, 1 },
  { "/faults/dot/overlong", "{\"dot\": \"overlong\"}", AT_SEND, PROTO, 1 },
  { "/faults/dot/3xx", "{\"dot\": \"354 More\"}", AT_SEND, PROTO, 1 },

  /* With CHUNKING the message leaves with its envelope as BDAT n LAST:
   * the reply to BDAT is the verdict, and a refused envelope makes the
   * server refuse the chunk it read. */
  { "/faults/bdat/4xx", "{\"chunking\": true, \"bdat\": \"452 4.3.1 Insufficient system storage\"}",
    AT_SEND, TEMP, 1 },
  { "/faults/bdat/5xx", "{\"chunking\": true, \"bdat\": \"554 5.7.1 Message content rejected\"}",
    AT_SEND, PERM, 1 },
  { "/faults/bdat/disconnect", "{\"chunking\": true, \"bdat\": \"close\"}", AT_SEND, NET, 1 },
  { "/faults/bdat/garbage", "{\"chunking\": true, \"bdat\": \"garbage\"}", AT_SEND, PROTO, 1 },
  { "/faults/bdat/3xx", "{\"chunking\": true, \"bdat\": \"354 More\"}", AT_SEND, PROTO, 1 },
  { "/faults/bdat/mail-4xx", "{\"chunking\": true, \"mail\": \"451 4.3.0 Try again later\"}",
    AT_SEND, TEMP, 1 },
  { "/faults/bdat/mail-5xx", "{\"chunking\": true, \"mail\": \"550 5.7.1 Sender rejected\"}",
    AT_SEND, PERM, 2 },
  { "/faults/bdat/rcpt-each-5xx", "{\"chunking\": true, \"rcpt1\": \"550 5.1.1 No\", "
    "\"rcpt2\": \"553 5.1.3 Bad\"}", AT_SEND, PERM, 2 },
  { "/faults/bdat/rcpt-4xx", "{\"chunking\": true, \"rcpt1\": \"450 4.2.1 Mailbox busy\"}",
    AT_SEND, TEMP, 1 },
  { "/faults/bdat/rcpt-disconnect", "{\"chunking\": true, \"rcpt1\": \"close\"}", AT_SEND, NET, 1 },
  /* A server that takes a message none of whose recipients it accepted no
   * longer agrees with us: refused, and the session is not reused. */
  { "/faults/bdat/taken-without-recipient", "{\"chunking\": true, \"rcpt1\": \"550 5.1.1 No\", "
    "\"bdat\": \"250 2.0.0 Ok\"}", AT_SEND, PERM, 1 },
};

static void
test_case (gconstpointer data)
{
  const Case *c = data;
  g_autoptr(FaultServer) server = fault_server_start (c->plan);
  g_autoptr(PostierSmtpClient) client = NULL;
  g_autoptr(PostierEnvelope) envelope = NULL;
  g_autoptr(GArray) results = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *transcript = NULL;
  gboolean opened;

  if (server == NULL)
    return;

  client = fault_client (server, POSTIER_SECURITY_STARTTLS, 5);
  opened = postier_smtp_client_open (client, NULL, &error);
  if (c->phase == AT_OPEN)
    {
      g_assert_false (opened);
      g_assert_error (error, POSTIER_SMTP_ERROR, c->code);
      g_assert_false (postier_smtp_client_is_open (client));
      transcript = postier_smtp_client_take_transcript (client);
      g_assert_null (strstr (transcript, "secret"));
      return;
    }

  g_assert_no_error (error);
  g_assert_true (opened);
  envelope = envelope_with (c->recipients);
  g_assert_false (postier_smtp_client_send (client, envelope, server->message_path, &results, NULL, &error));
  g_assert_error (error, POSTIER_SMTP_ERROR, c->code);
  g_assert_cmpuint (results->len, ==, c->recipients);
  for (guint i = 0; i < results->len; i++)
    g_assert_false (g_array_index (results, PostierSmtpRecipientResult, i).accepted);

  /* A refusal leaves the session usable for the next message; a broken
   * dialogue does not. */
  g_assert_cmpint (postier_smtp_client_is_open (client), ==,
                   (c->code == TEMP || c->code == PERM) && !g_str_has_suffix (c->path, "taken-without-recipient"));
  postier_smtp_client_close (client, NULL);
}

/* ---------------------------------------------------------------------- */

static void
test_some_recipients_refused (void)
{
  g_autoptr(FaultServer) server = fault_server_start ("{\"rcpt2\": \"550 5.1.1 No such user\", "
                                                      "\"rcpt3\": \"452 4.5.3 Too many recipients\"}");
  g_autoptr(PostierSmtpClient) client = NULL;
  g_autoptr(PostierEnvelope) envelope = envelope_with (3);
  g_autoptr(GArray) results = NULL;
  g_autoptr(GError) error = NULL;
  PostierSmtpRecipientResult *r;

  if (server == NULL)
    return;
  client = fault_client (server, POSTIER_SECURITY_STARTTLS, 5);
  g_assert_true (postier_smtp_client_open (client, NULL, &error));
  g_assert_true (postier_smtp_client_send (client, envelope, server->message_path, &results, NULL, &error));
  g_assert_no_error (error);

  r = &g_array_index (results, PostierSmtpRecipientResult, 0);
  g_assert_true (r->accepted);
  g_assert_cmpuint (r->code, ==, 250);
  r = &g_array_index (results, PostierSmtpRecipientResult, 1);
  g_assert_false (r->accepted);
  g_assert_cmpuint (r->code, ==, 550);
  g_assert_cmpstr (r->reply, ==, "550 5.1.1 No such user");
  r = &g_array_index (results, PostierSmtpRecipientResult, 2);
  g_assert_false (r->accepted);
  g_assert_cmpuint (r->code, ==, 452);
  postier_smtp_client_close (client, NULL);
}

static void
test_session_survives_refusal (void)
{
  g_autoptr(FaultServer) server = fault_server_start ("{\"mail1\": \"451 4.3.0 Not now\"}");
  g_autoptr(PostierSmtpClient) client = NULL;
  g_autoptr(PostierEnvelope) envelope = envelope_with (1);
  g_autoptr(GError) error = NULL;
  g_autofree char *log = NULL;
  const char *rset;

  if (server == NULL)
    return;
  client = fault_client (server, POSTIER_SECURITY_STARTTLS, 5);
  g_assert_true (postier_smtp_client_open (client, NULL, &error));
  g_assert_false (postier_smtp_client_send (client, envelope, server->message_path, NULL, NULL, &error));
  g_assert_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_TEMPORARY);
  g_clear_error (&error);
  g_assert_true (postier_smtp_client_send (client, envelope, server->message_path, NULL, NULL, &error));
  g_assert_no_error (error);
  postier_smtp_client_close (client, NULL);

  /* The failed transaction was reset before the next one, and only then. */
  log = fault_server_log (server);
  rset = strstr (log, "RSET");
  g_assert_nonnull (rset);
  g_assert_null (strstr (rset + 1, "RSET"));
  g_assert_nonnull (strstr (rset, "MAIL FROM:<alice@example.org>"));
}

static void
test_starttls_not_offered (void)
{
  g_autoptr(FaultServer) server = fault_server_start ("{\"starttls\": \"absent\"}");
  g_autoptr(PostierSmtpClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *log = NULL;

  if (server == NULL)
    return;
  client = fault_client (server, POSTIER_SECURITY_STARTTLS, 5);
  g_assert_false (postier_smtp_client_open (client, NULL, &error));
  g_assert_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_TLS);
  g_assert_nonnull (strstr (error->message, "STARTTLS"));

  /* Never a downgrade: nothing but EHLO (and a goodbye) went in the clear. */
  g_subprocess_wait (server->process, NULL, NULL);
  log = fault_server_log (server);
  g_assert_true (g_str_has_prefix (log, "EHLO "));
  g_assert_null (strstr (log, "AUTH"));
  g_assert_null (strstr (log, "MAIL"));
  g_assert_null (strstr (log, "STARTTLS"));
}

static void
test_starttls_injection (void)
{
  g_autoptr(FaultServer) server = fault_server_start ("{\"starttls\": \"inject\"}");
  g_autoptr(PostierSmtpClient) client = NULL;
  g_autoptr(PostierEnvelope) envelope = envelope_with (1);
  g_autoptr(GError) error = NULL;
  g_autofree char *transcript = NULL;

  if (server == NULL)
    return;
  client = fault_client (server, POSTIER_SECURITY_STARTTLS, 5);
  /* The forged "554" sent in the clear after "220" would otherwise be
   * read as the answer to the EHLO inside TLS. */
  g_assert_true (postier_smtp_client_open (client, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (postier_smtp_client_send (client, envelope, server->message_path, NULL, NULL, &error));
  g_assert_no_error (error);
  postier_smtp_client_close (client, NULL);

  transcript = postier_smtp_client_take_transcript (client);
  g_assert_nonnull (strstr (transcript, "-- discarded"));
  g_assert_null (strstr (transcript, "injected reply"));
}

typedef struct {
  const char     *cert;
  PostierSecurity security;
  const char     *reason;
} CertCase;

static const CertCase cert_cases[] = {
  { "selfsigned", POSTIER_SECURITY_STARTTLS, "Untrusted issuer" },
  { "expired", POSTIER_SECURITY_STARTTLS, "Expired" },
  { "wronghost", POSTIER_SECURITY_STARTTLS, "Wrong name" },
  { "selfsigned", POSTIER_SECURITY_TLS, "Untrusted issuer" },
  { "expired", POSTIER_SECURITY_TLS, "Expired" },
  { "wronghost", POSTIER_SECURITY_TLS, "Wrong name" },
};

static void
test_certificate (gconstpointer data)
{
  const CertCase *c = data;
  g_autofree char *plan = g_strdup_printf ("{\"cert\": \"%s\", \"mode\": \"%s\"}", c->cert,
                                           c->security == POSTIER_SECURITY_TLS ? "tls" : "starttls");
  g_autoptr(FaultServer) server = fault_server_start (plan);
  g_autoptr(PostierSmtpClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *log = NULL;
  const char *fingerprint;

  if (server == NULL)
    return;
  client = fault_client (server, c->security, 5);
  g_assert_false (postier_smtp_client_open (client, NULL, &error));
  g_assert_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_TLS_CERTIFICATE);
  /* The reason in words, and the fingerprint to compare. */
  g_assert_true (g_str_has_prefix (error->message, c->reason));
  fingerprint = postier_smtp_client_get_certificate_sha256 (client);
  g_assert_nonnull (fingerprint);
  g_assert_nonnull (strstr (error->message, fingerprint));
  g_assert_nonnull (postier_smtp_client_get_certificate_summary (client));
  if (g_str_equal (c->cert, "wronghost"))
    g_assert_nonnull (strstr (error->message, "wronghost.example"));

  /* Nothing was said over the untrusted channel. */
  g_subprocess_force_exit (server->process);
  g_subprocess_wait (server->process, NULL, NULL);
  log = fault_server_log (server);
  g_assert_null (strstr (log, "AUTH"));
}

static void
test_stall_timeout (void)
{
  g_autoptr(FaultServer) server = fault_server_start ("{\"greeting\": \"stall\"}");
  g_autoptr(PostierSmtpClient) client = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start;

  if (server == NULL)
    return;
  client = fault_client (server, POSTIER_SECURITY_STARTTLS, 1);
  start = g_get_monotonic_time ();
  g_assert_false (postier_smtp_client_open (client, NULL, &error));
  g_assert_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_NETWORK);
  g_assert_nonnull (strstr (error->message, "1 seconds"));
  g_assert_cmpint (g_get_monotonic_time () - start, <, 3 * G_USEC_PER_SEC);
}

static gpointer
cancel_later (gpointer data)
{
  g_usleep (300 * 1000);
  g_cancellable_cancel (data);
  return NULL;
}

static void
test_stall_cancel_open (void)
{
  g_autoptr(FaultServer) server = fault_server_start ("{\"ehlo\": \"stall\"}");
  g_autoptr(PostierSmtpClient) client = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  GThread *thread;
  gint64 start;

  if (server == NULL)
    return;
  client = fault_client (server, POSTIER_SECURITY_STARTTLS, 60);
  start = g_get_monotonic_time ();
  thread = g_thread_new ("cancel", cancel_later, cancellable);
  g_assert_false (postier_smtp_client_open (client, cancellable, &error));
  g_thread_join (thread);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  /* Promptly: not after the 60-second timeout. */
  g_assert_cmpint (g_get_monotonic_time () - start, <, 2 * G_USEC_PER_SEC);
  g_assert_false (postier_smtp_client_is_open (client));
}

static void
test_stall_cancel_send (void)
{
  g_autoptr(FaultServer) server = fault_server_start ("{\"dot\": \"stall\"}");
  g_autoptr(PostierSmtpClient) client = NULL;
  g_autoptr(PostierEnvelope) envelope = envelope_with (1);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  GThread *thread;
  gint64 start;

  if (server == NULL)
    return;
  client = fault_client (server, POSTIER_SECURITY_STARTTLS, 60);
  g_assert_true (postier_smtp_client_open (client, NULL, &error));
  start = g_get_monotonic_time ();
  thread = g_thread_new ("cancel", cancel_later, cancellable);
  g_assert_false (postier_smtp_client_send (client, envelope, server->message_path, NULL, cancellable, &error));
  g_thread_join (thread);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 2 * G_USEC_PER_SEC);
  /* After a cancel between the dot and its reply the session cannot be
   * trusted to be in step: it is closed. */
  g_assert_false (postier_smtp_client_is_open (client));
}

/* A server that stops reading in the middle of the data: the socket
 * buffers fill and the write waits, until the timeout ends it or, with
 * CANCEL, a cancel does, promptly. */
static void
test_stall_while_writing (gconstpointer data)
{
  gboolean cancel = GPOINTER_TO_INT (data);
  g_autoptr(FaultServer) server = fault_server_start ("{\"datastall\": 65536, \"size\": 100000000}");
  g_autoptr(PostierSmtpClient) client = NULL;
  g_autoptr(PostierEnvelope) envelope = envelope_with (1);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) big = g_string_new ("Subject: big\r\n\r\n");
  GThread *thread = NULL;
  gint64 start;

  if (server == NULL)
    return;
  while (big->len < 16 * 1024 * 1024)
    g_string_append (big, "0123456789012345678901234567890123456789012345678901234567890123456789\r\n");
  g_assert_true (g_file_set_contents (server->message_path, big->str, (gssize) big->len, NULL));

  client = fault_client (server, POSTIER_SECURITY_STARTTLS, cancel ? 60 : 1);
  g_assert_true (postier_smtp_client_open (client, NULL, &error));
  start = g_get_monotonic_time ();
  if (cancel)
    thread = g_thread_new ("cancel", cancel_later, cancellable);
  g_assert_false (postier_smtp_client_send (client, envelope, server->message_path, NULL, cancellable, &error));
  if (thread != NULL)
    g_thread_join (thread);
  if (cancel)
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  else
    g_assert_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_NETWORK);
  g_assert_cmpint (g_get_monotonic_time () - start, <, (cancel ? 2 : 4) * G_USEC_PER_SEC);
  g_assert_false (postier_smtp_client_is_open (client));
}

static void
test_size_limit (void)
{
  g_autoptr(FaultServer) server = fault_server_start ("{\"size\": 40}");
  g_autoptr(PostierSmtpClient) client = NULL;
  g_autoptr(PostierEnvelope) envelope = envelope_with (1);
  g_autoptr(GError) error = NULL;
  g_autofree char *log = NULL;

  if (server == NULL)
    return;
  client = fault_client (server, POSTIER_SECURITY_STARTTLS, 5);
  g_assert_true (postier_smtp_client_open (client, NULL, &error));
  g_assert_cmpuint (postier_smtp_client_get_size_limit (client), ==, 40);
  g_assert_false (postier_smtp_client_send (client, envelope, server->message_path, NULL, NULL, &error));
  g_assert_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_TOO_BIG);
  g_assert_nonnull (strstr (error->message, "(40 bytes)"));
  g_assert_true (postier_smtp_client_is_open (client));
  postier_smtp_client_close (client, NULL);

  g_subprocess_wait (server->process, NULL, NULL);
  log = fault_server_log (server);
  g_assert_null (strstr (log, "MAIL"));
}

static void
test_connection_refused (void)
{
  g_autoptr(FaultServer) server = fault_server_start ("{}");
  g_autoptr(PostierSmtpClient) client = NULL;
  g_autoptr(GError) error = NULL;
  guint port;

  if (server == NULL)
    return;
  /* Once the server is gone, its port refuses connections. */
  port = server->port;
  g_subprocess_force_exit (server->process);
  g_subprocess_wait (server->process, NULL, NULL);
  client = fault_client (server, POSTIER_SECURITY_STARTTLS, 5);
  postier_smtp_client_set_endpoint (client, "127.0.0.1", port);
  g_assert_false (postier_smtp_client_open (client, NULL, &error));
  g_assert_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_NETWORK);
  g_assert_nonnull (strstr (error->message, "refused"));
  g_clear_error (&error);

  /* A name that cannot exist (RFC 6761): still a network error, retried
   * later, since a resolver that is offline says much the same. */
  postier_smtp_client_set_endpoint (client, "no-such-relay.invalid", port);
  g_assert_false (postier_smtp_client_open (client, NULL, &error));
  g_assert_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_NETWORK);
  g_assert_nonnull (strstr (error->message, "no-such-relay.invalid"));
}

/* What RFC 5321 wants on the wire for MESSAGE: every line end CRLF (a
 * bare LF gains its CR, as GMime's unix2dos does), a dot doubled at the
 * start of each line, and a final line end. The reference the client's
 * streaming (chunked, with a fast path for clean chunks) must match. */
static GString *
expected_wire (const GString *message)
{
  GString *wire = g_string_sized_new (message->len + 1024);
  char previous = '\n';

  for (gsize i = 0; i < message->len; i++)
    {
      char c = message->str[i];

      if (previous == '\n' && c == '.')
        g_string_append_c (wire, '.');
      if (c == '\n' && previous != '\r')
        g_string_append_c (wire, '\r');
      g_string_append_c (wire, c);
      previous = c;
    }
  if (previous != '\n')
    g_string_append (wire, previous == '\r' ? "\n" : "\r\n");
  return wire;
}

static void
test_dot_stuffing_at_chunk_edges (void)
{
  g_autofree char *folder = g_dir_make_tmp ("postier-wire-XXXXXX", NULL);
  g_autofree char *saved = g_build_filename (folder, "wire", NULL);
  g_autofree char *plan = g_strdup_printf ("{\"savedata\": \"%s\", \"size\": 100000000}", saved);
  g_autoptr(FaultServer) server = fault_server_start (plan);
  g_autoptr(PostierSmtpClient) client = NULL;
  g_autoptr(PostierEnvelope) envelope = envelope_with (1);
  g_autoptr(GString) message = g_string_new ("Subject: edges\r\n\r\n");
  g_autoptr(GString) expected = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *received = NULL;
  gsize received_length;
  /* Where the client's 64 KiB reads end, and what straddles them; the
   * chunks in between are clean (CRLF only, no leading dot), so both the
   * filters and the pass-through take turns and must hand over state. */
  const struct { gsize at; const char *text; } edges[] = {
    { 1 * 65536 - 1, "\n.dot at the start of a chunk after a bare LF\r\n" },
    { 3 * 65536 - 1, "\r\nCRLF split over two clean chunks\r\n" },
    { 5 * 65536, "\nbare LF first in a chunk\r\n" },
    { 7 * 65536 - 2, "\r\n..two dots after a clean chunk\r\n" },
    { 9 * 65536 - 1, "\n.\r\n" },
  };

  if (server == NULL)
    return;
  for (guint e = 0; e < G_N_ELEMENTS (edges); e++)
    {
      while (message->len < edges[e].at)
        {
          gsize room = edges[e].at - message->len;
          if (room >= 40)
            g_string_append (message, "A line of ordinary text, long enough.\r\n");
          else
            g_string_append_c (message, 'x');
        }
      g_string_append (message, edges[e].text);
    }
  /* Bare LFs, a lone CR, a lone dot, and no line end at the very end. */
  g_string_append (message, "bare\nline ends\nhere\r\n.\r\nCR alone\rend\n..\n.end");
  g_assert_true (g_file_set_contents (server->message_path, message->str, (gssize) message->len, NULL));
  expected = expected_wire (message);

  client = fault_client (server, POSTIER_SECURITY_STARTTLS, 5);
  g_assert_true (postier_smtp_client_open (client, NULL, &error));
  g_assert_true (postier_smtp_client_send (client, envelope, server->message_path, NULL, NULL, &error));
  g_assert_no_error (error);
  postier_smtp_client_close (client, NULL);
  g_subprocess_wait (server->process, NULL, NULL);

  g_assert_true (g_file_get_contents (saved, &received, &received_length, NULL));
  g_assert_cmpmem (received, received_length, expected->str, expected->len);
  g_unlink (saved);
  g_rmdir (folder);
}

static void
test_extensions_in_envelope (void)
{
  g_autoptr(FaultServer) server = fault_server_start ("{\"dsn\": true}");
  g_autoptr(PostierSmtpClient) client = NULL;
  g_autoptr(PostierAccount) account = postier_account_new ("dsn");
  g_autoptr(PostierEnvelope) envelope = postier_envelope_new ("alice@example.org");
  g_autoptr(GError) error = NULL;
  g_autofree char *log = NULL;

  if (server == NULL)
    return;
  /* DSN asked by the account, 8-bit body and an internationalised
   * recipient: each extension shows in the envelope. */
  postier_account_set_identity (account, "alice@example.org");
  postier_account_set_host (account, "127.0.0.1");
  postier_account_set_port (account, server->port);
  postier_account_set_security (account, POSTIER_SECURITY_STARTTLS);
  postier_account_set_auth (account, POSTIER_AUTH_LOGIN);
  postier_account_set_user (account, "alice");
  postier_account_set_ca_file (account, postier_test_rig ("CA"));
  postier_account_set_request_dsn (account, TRUE);
  postier_envelope_add_recipient (envelope, "zoë@exemple.fr");
  postier_envelope_set_8bit (envelope, TRUE);
  client = postier_smtp_client_new (account);
  postier_smtp_client_set_password (client, "secret");
  g_assert_true (postier_smtp_client_open (client, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (postier_smtp_client_get_auth_mechanism (client), ==, "LOGIN");
  g_assert_true (postier_smtp_client_send (client, envelope, server->message_path, NULL, NULL, &error));
  g_assert_no_error (error);
  postier_smtp_client_close (client, NULL);
  g_subprocess_wait (server->process, NULL, NULL);

  log = fault_server_log (server);
  g_assert_nonnull (strstr (log, "MAIL FROM:<alice@example.org> SIZE="));
  g_assert_nonnull (strstr (log, " BODY=8BITMIME SMTPUTF8 RET=HDRS\n"));
  g_assert_nonnull (strstr (log, "RCPT TO:<zoë@exemple.fr> NOTIFY=SUCCESS,FAILURE,DELAY\n"));
}

static void
test_smtputf8_missing (void)
{
  g_autoptr(FaultServer) server = fault_server_start ("{\"smtputf8\": false}");
  g_autoptr(PostierSmtpClient) client = NULL;
  g_autoptr(PostierEnvelope) envelope = postier_envelope_new ("alice@example.org");
  g_autoptr(GError) error = NULL;
  g_autofree char *log = NULL;

  if (server == NULL)
    return;
  postier_envelope_add_recipient (envelope, "zoë@exemple.fr");
  client = fault_client (server, POSTIER_SECURITY_STARTTLS, 5);
  g_assert_true (postier_smtp_client_open (client, NULL, &error));
  g_assert_false (postier_smtp_client_send (client, envelope, server->message_path, NULL, NULL, &error));
  g_assert_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_PERMANENT);
  g_assert_nonnull (strstr (error->message, "SMTPUTF8"));
  g_assert_true (postier_smtp_client_is_open (client));
  postier_smtp_client_close (client, NULL);
  g_subprocess_wait (server->process, NULL, NULL);
  log = fault_server_log (server);
  g_assert_null (strstr (log, "MAIL"));
}

static void
test_oauth (gconstpointer data)
{
  const char *token = data;
  gboolean good = g_str_equal (token, "good-token");
  g_autoptr(FaultServer) server = fault_server_start ("{\"oauth\": true}");
  g_autoptr(PostierSmtpClient) client = NULL;
  g_autoptr(PostierAccount) account = postier_account_new ("oauth");
  g_autoptr(GError) error = NULL;
  g_autofree char *transcript = NULL;
  g_autofree char *log = NULL;

  if (server == NULL)
    return;
  postier_account_set_identity (account, "alice@example.org");
  postier_account_set_host (account, "localhost");
  postier_account_set_port (account, server->port);
  postier_account_set_security (account, POSTIER_SECURITY_STARTTLS);
  postier_account_set_auth (account, POSTIER_AUTH_XOAUTH2);
  postier_account_set_ca_file (account, postier_test_rig ("CA"));
  client = postier_smtp_client_new (account);
  postier_smtp_client_set_password (client, token);
  postier_smtp_client_set_timeout (client, 5);

  g_assert_cmpint (postier_smtp_client_open (client, NULL, &error), ==, good);
  /* OAUTHBEARER (RFC 7628) is preferred when the server has both. */
  if (good)
    {
      g_assert_no_error (error);
      g_assert_cmpstr (postier_smtp_client_get_auth_mechanism (client), ==, "OAUTHBEARER");
      postier_smtp_client_close (client, NULL);
    }
  else
    {
      g_assert_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_AUTH);
      g_assert_nonnull (strstr (error->message, "535"));
      g_subprocess_wait (server->process, NULL, NULL);
      log = fault_server_log (server);
      /* The error challenge was answered with a lone ^A, as RFC 7628 says. */
      g_assert_nonnull (strstr (log, "[oauth error answer] AQ=="));
    }
  transcript = postier_smtp_client_take_transcript (client);
  g_assert_null (strstr (transcript, token));
  g_assert_nonnull (strstr (transcript, "C: AUTH OAUTHBEARER [redacted]"));
}

/* An internationalised domain with an ASCII local part goes as A-labels,
 * without SMTPUTF8, whether the server offers it or not: the relays after
 * it may not, and would bounce a message sent with it. The results keep
 * the address as the person wrote it. */
static void
test_idn_domain_as_a_labels (gconstpointer data)
{
  gboolean offered = GPOINTER_TO_INT (data);
  g_autoptr(FaultServer) server = fault_server_start (offered ? "{}" : "{\"smtputf8\": false}");
  g_autoptr(PostierSmtpClient) client = NULL;
  g_autoptr(PostierEnvelope) envelope = postier_envelope_new ("alice@bücher.example");
  g_autoptr(GArray) results = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *log = NULL;

  if (server == NULL)
    return;
  postier_envelope_add_recipient (envelope, "zoe@exemple-été.fr");
  postier_envelope_add_recipient (envelope, "bob@example.org");
  postier_envelope_set_needs_smtputf8 (envelope, TRUE);
  client = fault_client (server, POSTIER_SECURITY_STARTTLS, 5);
  g_assert_true (postier_smtp_client_open (client, NULL, &error));
  g_assert_cmpint (!!(postier_smtp_client_get_capabilities (client) & POSTIER_SMTP_CAP_SMTPUTF8), ==, offered);
  g_assert_true (postier_smtp_client_send (client, envelope, server->message_path, &results, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (g_array_index (results, PostierSmtpRecipientResult, 0).address, ==, "zoe@exemple-été.fr");
  g_assert_true (g_array_index (results, PostierSmtpRecipientResult, 0).accepted);
  g_assert_true (g_array_index (results, PostierSmtpRecipientResult, 1).accepted);
  postier_smtp_client_close (client, NULL);
  g_subprocess_wait (server->process, NULL, NULL);

  log = fault_server_log (server);
  g_assert_nonnull (strstr (log, "MAIL FROM:<alice@xn--bcher-kva.example> SIZE="));
  g_assert_nonnull (strstr (log, "RCPT TO:<zoe@xn--exemple-t-i4ab.fr>\n"));
  g_assert_nonnull (strstr (log, "RCPT TO:<bob@example.org>\n"));
  g_assert_null (strstr (log, "SMTPUTF8"));
  g_assert_null (strstr (log, "ü"));
}

/* Raw UTF-8 in the headers cannot be turned into ASCII by the client: a
 * server without SMTPUTF8 gets nothing, and the person is told why. */
static void
test_utf8_headers_need_smtputf8 (void)
{
  g_autoptr(FaultServer) server = fault_server_start ("{\"smtputf8\": false}");
  g_autoptr(PostierSmtpClient) client = NULL;
  g_autoptr(PostierEnvelope) envelope = envelope_with (1);
  g_autoptr(GError) error = NULL;
  g_autofree char *log = NULL;

  if (server == NULL)
    return;
  postier_envelope_set_utf8_headers (envelope, TRUE);
  postier_envelope_set_needs_smtputf8 (envelope, TRUE);
  client = fault_client (server, POSTIER_SECURITY_STARTTLS, 5);
  g_assert_true (postier_smtp_client_open (client, NULL, &error));
  g_assert_false (postier_smtp_client_send (client, envelope, server->message_path, NULL, NULL, &error));
  g_assert_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_PERMANENT);
  g_assert_nonnull (strstr (error->message, "headers"));
  g_assert_nonnull (strstr (error->message, "SMTPUTF8"));
  postier_smtp_client_close (client, NULL);
  g_subprocess_wait (server->process, NULL, NULL);
  log = fault_server_log (server);
  g_assert_null (strstr (log, "MAIL"));
}

/* A server on IPv6 only: "localhost" resolves to ::1 and 127.0.0.1, and
 * the first one works. */
static void
test_connect_ipv6 (void)
{
  g_autoptr(FaultServer) server = fault_server_start ("{\"family\": \"ipv6\"}");
  g_autoptr(PostierSmtpClient) client = NULL;
  g_autoptr(PostierEnvelope) envelope = envelope_with (1);
  g_autoptr(GError) error = NULL;

  if (server == NULL)
    return;
  client = fault_client (server, POSTIER_SECURITY_STARTTLS, 5);
  g_assert_true (postier_smtp_client_open (client, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (postier_smtp_client_send (client, envelope, server->message_path, NULL, NULL, &error));
  g_assert_no_error (error);
  postier_smtp_client_close (client, NULL);
}

/* The first address of the name (::1) never completes the connection:
 * after the timeout, the next one (127.0.0.1) is tried and works. */
static void
test_connect_next_address_after_timeout (void)
{
  g_autoptr(FaultServer) server = fault_server_start ("{\"stall_ipv6\": true}");
  g_autoptr(PostierSmtpClient) client = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start;

  if (server == NULL)
    return;
  client = fault_client (server, POSTIER_SECURITY_STARTTLS, 1);
  start = g_get_monotonic_time ();
  g_assert_true (postier_smtp_client_open (client, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, G_USEC_PER_SEC * 9 / 10);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 4 * G_USEC_PER_SEC);
  postier_smtp_client_close (client, NULL);
}

static void
test_connect_timeout (void)
{
  g_autoptr(FaultServer) server = fault_server_start ("{\"stall_ipv6\": true}");
  g_autoptr(PostierSmtpClient) client = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start;

  if (server == NULL)
    return;
  client = fault_client (server, POSTIER_SECURITY_STARTTLS, 1);
  postier_smtp_client_set_endpoint (client, "::1", server->port);
  start = g_get_monotonic_time ();
  g_assert_false (postier_smtp_client_open (client, NULL, &error));
  g_assert_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_NETWORK);
  g_assert_nonnull (strstr (error->message, "1 seconds"));
  g_assert_cmpint (g_get_monotonic_time () - start, <, 3 * G_USEC_PER_SEC);
}

static void
test_connect_cancel (void)
{
  g_autoptr(FaultServer) server = fault_server_start ("{\"stall_ipv6\": true}");
  g_autoptr(PostierSmtpClient) client = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  GThread *thread;
  gint64 start;

  if (server == NULL)
    return;
  client = fault_client (server, POSTIER_SECURITY_STARTTLS, 60);
  postier_smtp_client_set_endpoint (client, "::1", server->port);
  start = g_get_monotonic_time ();
  thread = g_thread_new ("cancel", cancel_later, cancellable);
  g_assert_false (postier_smtp_client_open (client, cancellable, &error));
  g_thread_join (thread);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 2 * G_USEC_PER_SEC);
}

/* A server that says 220 to STARTTLS and then never shakes hands. */
static void
test_handshake_stall (void)
{
  g_autoptr(FaultServer) server = fault_server_start ("{\"handshake\": \"stall\"}");
  g_autoptr(PostierSmtpClient) client = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start;

  if (server == NULL)
    return;
  client = fault_client (server, POSTIER_SECURITY_STARTTLS, 1);
  start = g_get_monotonic_time ();
  g_assert_false (postier_smtp_client_open (client, NULL, &error));
  g_assert_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_NETWORK);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 3 * G_USEC_PER_SEC);
  g_assert_false (postier_smtp_client_is_open (client));
}

/* TLS 1.0 and 1.1 are refused, whatever else the server gets right. */
static void
test_old_tls_refused (gconstpointer data)
{
  PostierSecurity security = GPOINTER_TO_INT (data);
  g_autofree char *plan = g_strdup_printf ("{\"tls_max\": \"1.1\", \"mode\": \"%s\"}",
                                           security == POSTIER_SECURITY_TLS ? "tls" : "starttls");
  g_autoptr(FaultServer) server = fault_server_start (plan);
  g_autoptr(PostierSmtpClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *log = NULL;

  if (server == NULL)
    return;
  client = fault_client (server, security, 5);
  g_assert_false (postier_smtp_client_open (client, NULL, &error));
  g_assert_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_TLS);
  g_assert_nonnull (strstr (error->message, "older than 1.2"));
  g_assert_null (postier_smtp_client_get_tls_summary (client));
  g_subprocess_wait (server->process, NULL, NULL);
  log = fault_server_log (server);
  g_assert_null (strstr (log, "AUTH"));
}

/* Implicit TLS set for a port that expects STARTTLS (587, usually): the
 * greeting comes in the clear, and the person is told what to change. */
static void
test_tls_to_plain_port (void)
{
  g_autoptr(FaultServer) server = fault_server_start ("{}");
  g_autoptr(PostierSmtpClient) client = NULL;
  g_autoptr(GError) error = NULL;

  if (server == NULL)
    return;
  client = fault_client (server, POSTIER_SECURITY_TLS, 5);
  g_assert_false (postier_smtp_client_open (client, NULL, &error));
  g_assert_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_TLS);
  g_assert_nonnull (strstr (error->message, "starttls"));
}

/* The server name goes in the handshake (SNI) so a host serving several
 * names picks the right certificate; an address literal never does. */
static void
test_sni (void)
{
  g_autoptr(FaultServer) by_name = fault_server_start ("{\"mode\": \"tls\"}");
  g_autoptr(FaultServer) by_address = NULL;
  g_autoptr(PostierSmtpClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *log = NULL;

  if (by_name == NULL)
    return;
  client = fault_client (by_name, POSTIER_SECURITY_TLS, 5);
  g_assert_true (postier_smtp_client_open (client, NULL, &error));
  postier_smtp_client_close (client, NULL);
  g_subprocess_wait (by_name->process, NULL, NULL);
  log = fault_server_log (by_name);
  g_assert_nonnull (strstr (log, "[sni localhost]\n"));
  g_clear_pointer (&log, g_free);
  g_clear_object (&client);
  g_clear_error (&error);

  by_address = fault_server_start ("{\"mode\": \"tls\"}");
  client = fault_client (by_address, POSTIER_SECURITY_TLS, 5);
  postier_smtp_client_set_endpoint (client, "127.0.0.1", by_address->port);
  /* Whether the certificate names 127.0.0.1 does not matter here. */
  if (postier_smtp_client_open (client, NULL, &error))
    postier_smtp_client_close (client, NULL);
  g_subprocess_force_exit (by_address->process);
  g_subprocess_wait (by_address->process, NULL, NULL);
  log = fault_server_log (by_address);
  g_assert_nonnull (strstr (log, "[sni none]\n"));
}

/* A name written with the root's trailing dot ("localhost.") is the same
 * name: the certificate matches it, and SNI carries it without the dot
 * (RFC 6066 §3). */
static void
test_trailing_dot (void)
{
  g_autoptr(FaultServer) server = fault_server_start ("{\"mode\": \"tls\"}");
  g_autoptr(PostierSmtpClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *log = NULL;

  if (server == NULL)
    return;
  client = fault_client (server, POSTIER_SECURITY_TLS, 5);
  postier_smtp_client_set_endpoint (client, "localhost.", server->port);
  g_assert_true (postier_smtp_client_open (client, NULL, &error));
  g_assert_no_error (error);
  postier_smtp_client_close (client, NULL);
  g_subprocess_wait (server->process, NULL, NULL);
  log = fault_server_log (server);
  g_assert_nonnull (strstr (log, "[sni localhost]\n"));
}

/* A server that takes its time over the message (a content scan) is
 * waited for after the final dot well beyond the read timeout: giving up
 * there would send again a message it went on to accept. */
static void
test_slow_end_of_data (void)
{
  g_autoptr(FaultServer) server = fault_server_start ("{\"dot_delay\": 2.5}");
  g_autoptr(PostierSmtpClient) client = NULL;
  g_autoptr(PostierEnvelope) envelope = envelope_with (1);
  g_autoptr(GError) error = NULL;

  if (server == NULL)
    return;
  client = fault_client (server, POSTIER_SECURITY_STARTTLS, 1);
  g_assert_true (postier_smtp_client_open (client, NULL, &error));
  g_assert_true (postier_smtp_client_send (client, envelope, server->message_path, NULL, NULL, &error));
  g_assert_no_error (error);
  postier_smtp_client_close (client, NULL);
}

/* A server silent after QUIT does not hold the closing thread for the
 * whole timeout: the mail is sent, only the goodbye is missing. */
static void
test_quit_stall (void)
{
  g_autoptr(FaultServer) server = fault_server_start ("{\"quit\": \"stall\"}");
  g_autoptr(PostierSmtpClient) client = NULL;
  g_autoptr(PostierEnvelope) envelope = envelope_with (1);
  g_autoptr(GError) error = NULL;
  gint64 start;

  if (server == NULL)
    return;
  client = fault_client (server, POSTIER_SECURITY_STARTTLS, 60);
  g_assert_true (postier_smtp_client_open (client, NULL, &error));
  g_assert_true (postier_smtp_client_send (client, envelope, server->message_path, NULL, NULL, &error));
  start = g_get_monotonic_time ();
  postier_smtp_client_close (client, NULL);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 7 * G_USEC_PER_SEC);
  g_assert_false (postier_smtp_client_is_open (client));
}

/* Security "none" is for a relay on this machine only: anywhere else the
 * client refuses before it connects, whatever the account file says. */
static void
test_none_off_loopback (void)
{
  g_autoptr(PostierAccount) account = postier_account_new ("clear");
  g_autoptr(PostierSmtpClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *transcript = NULL;

  postier_account_set_identity (account, "alice@example.org");
  postier_account_set_host (account, "localhost");
  postier_account_set_port (account, 25);
  postier_account_set_security (account, POSTIER_SECURITY_NONE);
  postier_account_set_auth (account, POSTIER_AUTH_NONE);
  client = postier_smtp_client_new (account);
  postier_smtp_client_set_endpoint (client, "192.0.2.1", 25);
  g_assert_false (postier_smtp_client_open (client, NULL, &error));
  g_assert_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_TLS);
  g_assert_nonnull (strstr (error->message, "192.0.2.1"));
  transcript = postier_smtp_client_take_transcript (client);
  g_assert_null (strstr (transcript, "connecting"));
}

/* With PIPELINING, MAIL FROM, every RCPT TO and DATA leave in one write
 * (the server finds them all in the read that brought MAIL); without it,
 * one command at a time. */
static void
test_pipelining_one_write (gconstpointer data)
{
  gboolean pipelining = GPOINTER_TO_INT (data);
  g_autoptr(FaultServer) server = fault_server_start (pipelining ? "{}" : "{\"pipelining\": false}");
  g_autoptr(PostierSmtpClient) client = NULL;
  g_autoptr(PostierEnvelope) envelope = envelope_with (3);
  g_autoptr(GError) error = NULL;
  g_autofree char *log = NULL;

  if (server == NULL)
    return;
  client = fault_client (server, POSTIER_SECURITY_STARTTLS, 5);
  g_assert_true (postier_smtp_client_open (client, NULL, &error));
  g_assert_true (postier_smtp_client_send (client, envelope, server->message_path, NULL, NULL, &error));
  g_assert_no_error (error);
  postier_smtp_client_close (client, NULL);
  g_subprocess_wait (server->process, NULL, NULL);
  log = fault_server_log (server);
  g_assert_nonnull (strstr (log, pipelining ? "[pipelined 4]\n" : "[pipelined 0]\n"));
}

/* With CHUNKING, a small message goes as BDAT n LAST in the envelope's
 * write (one round trip): exactly the stored bytes, a line with a lone dot
 * unstuffed; the session carries the next message, and a connection lost
 * right after a message's 250 fails only the next one. */
static void
test_chunking (void)
{
  g_autoptr(FaultServer) server = NULL;
  g_autoptr(PostierSmtpClient) client = NULL;
  g_autoptr(PostierEnvelope) envelope = envelope_with (3);
  g_autoptr(GArray) results = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *log = NULL;
  g_autofree char *saved_path = NULL;
  g_autofree char *plan = NULL;
  g_autofree char *saved = NULL;
  g_autofree char *sent = NULL;
  g_autofree char *expected = NULL;
  gsize saved_length, sent_length;

  saved_path = g_build_filename (g_get_tmp_dir (), "postier-bdat-XXXXXX", NULL);
  g_close (g_mkstemp (saved_path), NULL);
  plan = g_strdup_printf ("{\"chunking\": true, \"mail3\": \"close\", \"savedata\": \"%s\"}", saved_path);
  server = fault_server_start (plan);
  if (server == NULL)
    return;
  client = fault_client (server, POSTIER_SECURITY_STARTTLS, 5);
  g_assert_true (postier_smtp_client_open (client, NULL, &error));
  for (guint i = 0; i < 2; i++)
    {
      g_clear_pointer (&results, g_array_unref);
      g_assert_true (postier_smtp_client_send (client, envelope, server->message_path, &results, NULL, &error));
      g_assert_no_error (error);
      g_assert_true (g_array_index (results, PostierSmtpRecipientResult, 2).accepted);
    }
  g_clear_pointer (&results, g_array_unref);
  g_assert_false (postier_smtp_client_send (client, envelope, server->message_path, &results, NULL, &error));
  g_assert_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_NETWORK);
  g_assert_false (g_array_index (results, PostierSmtpRecipientResult, 0).accepted);
  g_assert_false (postier_smtp_client_is_open (client));
  g_subprocess_wait (server->process, NULL, NULL);

  log = fault_server_log (server);
  g_assert_true (g_file_get_contents (server->message_path, &sent, &sent_length, NULL));
  expected = g_strdup_printf ("[bdat %" G_GSIZE_FORMAT " last]\n", sent_length);
  g_assert_nonnull (strstr (log, expected));
  g_assert_null (strstr (log, "\nDATA"));
  /* Three RCPT TO, BDAT and the message's seven lines in one read. */
  g_assert_nonnull (strstr (log, "[pipelined 11]\n"));
  g_assert_true (g_file_get_contents (saved_path, &saved, &saved_length, NULL));
  g_assert_cmpuint (saved_length, ==, 2 * sent_length);
  g_assert_true (memcmp (saved, sent, sent_length) == 0);
  g_unlink (saved_path);
}

int
main (int    argc,
      char **argv)
{
  postier_test_init (&argc, &argv);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    g_test_add_data_func (cases[i].path, &cases[i], test_case);
  for (guint i = 0; i < G_N_ELEMENTS (cert_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/faults/certificate/%s/%s", cert_cases[i].cert,
                                               cert_cases[i].security == POSTIER_SECURITY_TLS ? "tls" : "starttls");
      g_test_add_data_func (path, &cert_cases[i], test_certificate);
    }
  g_test_add_func ("/faults/rcpt/some-refused", test_some_recipients_refused);
  g_test_add_func ("/faults/session-survives-refusal", test_session_survives_refusal);
  g_test_add_func ("/faults/starttls/not-offered", test_starttls_not_offered);
  g_test_add_func ("/faults/starttls/injection", test_starttls_injection);
  g_test_add_func ("/faults/stall/timeout", test_stall_timeout);
  g_test_add_func ("/faults/stall/cancel-open", test_stall_cancel_open);
  g_test_add_func ("/faults/stall/cancel-send", test_stall_cancel_send);
  g_test_add_data_func ("/faults/stall/write-timeout", GINT_TO_POINTER (FALSE), test_stall_while_writing);
  g_test_add_data_func ("/faults/stall/cancel-write", GINT_TO_POINTER (TRUE), test_stall_while_writing);
  g_test_add_func ("/faults/size-limit", test_size_limit);
  g_test_add_func ("/faults/extensions-in-envelope", test_extensions_in_envelope);
  g_test_add_func ("/faults/smtputf8-missing", test_smtputf8_missing);
  g_test_add_data_func ("/faults/oauth/good-token", "good-token", test_oauth);
  g_test_add_data_func ("/faults/oauth/expired-token", "expired-token", test_oauth);
  g_test_add_func ("/faults/dot-stuffing-at-chunk-edges", test_dot_stuffing_at_chunk_edges);
  g_test_add_func ("/faults/connection-refused", test_connection_refused);
  g_test_add_data_func ("/faults/smtputf8/a-labels-when-missing", GINT_TO_POINTER (FALSE),
                        test_idn_domain_as_a_labels);
  g_test_add_data_func ("/faults/smtputf8/a-labels-when-offered", GINT_TO_POINTER (TRUE),
                        test_idn_domain_as_a_labels);
  g_test_add_func ("/faults/smtputf8/utf8-headers", test_utf8_headers_need_smtputf8);
  g_test_add_func ("/faults/connect/ipv6", test_connect_ipv6);
  g_test_add_func ("/faults/connect/next-address-after-timeout", test_connect_next_address_after_timeout);
  g_test_add_func ("/faults/connect/timeout", test_connect_timeout);
  g_test_add_func ("/faults/connect/cancel", test_connect_cancel);
  g_test_add_func ("/faults/starttls/handshake-stall", test_handshake_stall);
  g_test_add_data_func ("/faults/tls/old-version/tls", GINT_TO_POINTER (POSTIER_SECURITY_TLS), test_old_tls_refused);
  g_test_add_data_func ("/faults/tls/old-version/starttls", GINT_TO_POINTER (POSTIER_SECURITY_STARTTLS),
                        test_old_tls_refused);
  g_test_add_func ("/faults/tls/sni", test_sni);
  g_test_add_func ("/faults/tls/plain-port", test_tls_to_plain_port);
  g_test_add_func ("/faults/tls/trailing-dot", test_trailing_dot);
  g_test_add_func ("/faults/dot/slow-answer", test_slow_end_of_data);
  g_test_add_func ("/faults/quit/stall", test_quit_stall);
  g_test_add_func ("/faults/none-off-loopback", test_none_off_loopback);
  g_test_add_data_func ("/faults/pipelining/one-write", GINT_TO_POINTER (TRUE), test_pipelining_one_write);
  g_test_add_data_func ("/faults/pipelining/off", GINT_TO_POINTER (FALSE), test_pipelining_one_write);
  g_test_add_func ("/faults/bdat/one-write", test_chunking);

  return g_test_run ();
}
