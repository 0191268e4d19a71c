/* test-smtp-channel-binding.c — SCRAM-*-PLUS over a real TLS connection
 *
 * `auto` prefers SCRAM-SHA-256-PLUS whenever a server offers it, so a
 * client whose channel binding differs from the server's would fail every
 * login with the right password. Postfix (with Cyrus) offers no -PLUS, so
 * this plays the server here: OpenSSL for TLS and GNU SASL's server side
 * for SCRAM, each end taking its binding from its own side of the same
 * connection (tls-exporter under TLS 1.3, tls-unique under TLS 1.2). A
 * server whose binding differs stands for a man in the middle that
 * terminated TLS: it must refuse, even with the right password.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <arpa/inet.h>
#include <gsasl.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "postier-core.h"
#include "postier-smtp-client.h"
#include "postier-test.h"

#define PASSWORD "correct horse battery staple"

typedef struct {
  /* Set by the test. */
  int          max_version;      /* TLS1_2_VERSION or TLS1_3_VERSION */
  const char  *offer;            /* the AUTH line's mechanisms */
  gboolean     forge_binding;    /* a man in the middle's view of the channel */

  /* Set by the server. */
  int          listen_fd;
  guint        port;
  SSL         *ssl;
  char         in[4096];
  gsize        in_length;
  char        *binding_type;     /* the one SCRAM asked for */
  char        *mechanism;
  gboolean     authenticated;
} BindingServer;

static gboolean
read_line (BindingServer *server,
           char         **line)
{
  for (;;)
    {
      char *end = memchr (server->in, '\n', server->in_length);
      int got;

      if (end != NULL)
        {
          gsize length = (gsize) (end - server->in) + 1;

          *line = g_strndup (server->in, length - (length > 1 && end[-1] == '\r' ? 2 : 1));
          memmove (server->in, server->in + length, server->in_length - length);
          server->in_length -= length;
          return TRUE;
        }
      if (server->in_length == sizeof server->in)
        return FALSE;
      got = SSL_read (server->ssl, server->in + server->in_length, (int) (sizeof server->in - server->in_length));
      if (got <= 0)
        return FALSE;
      server->in_length += (gsize) got;
    }
}

static void
say (BindingServer *server,
     const char    *text)
{
  g_autofree char *line = g_strconcat (text, "\r\n", NULL);

  SSL_write (server->ssl, line, (int) strlen (line));
}

/* This end's channel binding, base64, as RFC 9266 and RFC 5929 define it:
 * tls-unique is the first Finished of the handshake, the client's on a
 * full one, which the server sees as its peer's. */
static char *
server_binding (BindingServer *server,
                gboolean       exporter)
{
  guchar data[64];
  gsize length;

  if (exporter)
    {
      static const char label[] = "EXPORTER-Channel-Binding";

      g_assert_cmpint (SSL_export_keying_material (server->ssl, data, 32, label, sizeof label - 1,
                                                   NULL, 0, 0), ==, 1);
      length = 32;
    }
  else
    length = SSL_get_peer_finished (server->ssl, data, sizeof data);
  g_assert_cmpuint (length, >, 0);
  if (server->forge_binding)
    data[0] ^= 0x5a;
  return g_base64_encode (data, length);
}

static int
sasl_callback (Gsasl          *context,
               Gsasl_session  *session,
               Gsasl_property  property)
{
  BindingServer *server = gsasl_callback_hook_get (context);
  g_autofree char *binding = NULL;

  switch (property)
    {
    case GSASL_PASSWORD:
      return gsasl_property_set (session, property, PASSWORD);
    case GSASL_CB_TLS_EXPORTER:
    case GSASL_CB_TLS_UNIQUE:
      g_free (server->binding_type);
      server->binding_type = g_strdup (property == GSASL_CB_TLS_EXPORTER ? "tls-exporter" : "tls-unique");
      binding = server_binding (server, property == GSASL_CB_TLS_EXPORTER);
      return gsasl_property_set (session, property, binding);
    default:
      return GSASL_NO_CALLBACK;
    }
}

static void
authenticate (BindingServer *server,
              const char    *mechanism,
              const char    *initial)
{
  Gsasl *context = NULL;
  Gsasl_session *session = NULL;
  g_autofree char *input = g_strdup (initial != NULL && g_strcmp0 (initial, "=") != 0 ? initial : "");

  g_assert_cmpint (gsasl_init (&context), ==, GSASL_OK);
  gsasl_callback_set (context, sasl_callback);
  gsasl_callback_hook_set (context, server);
  server->mechanism = g_strdup (mechanism);
  if (gsasl_server_start (context, mechanism, &session) != GSASL_OK)
    {
      say (server, "504 5.5.4 Unrecognized authentication type");
      gsasl_done (context);
      return;
    }

  for (;;)
    {
      char *output = NULL;
      g_autofree char *challenge = NULL;
      int rc = gsasl_step64 (session, input, &output);

      challenge = g_strconcat ("334 ", output != NULL ? output : "", NULL);
      gsasl_free (output);
      g_clear_pointer (&input, g_free);
      if (rc != GSASL_OK && rc != GSASL_NEEDS_MORE)
        {
          say (server, "535 5.7.8 Authentication credentials invalid");
          break;
        }
      if (rc == GSASL_OK && g_str_equal (challenge, "334 "))
        {
          server->authenticated = TRUE;
          say (server, "235 2.7.0 Authentication successful");
          break;
        }
      /* SCRAM's server-final message travels as one more challenge; the
       * client's empty answer then gets the verdict (RFC 4954 §4). */
      say (server, challenge);
      if (!read_line (server, &input) || g_str_equal (input, "*"))
        {
          say (server, "501 5.7.0 Authentication aborted");
          break;
        }
      if (rc == GSASL_OK)
        {
          server->authenticated = TRUE;
          say (server, "235 2.7.0 Authentication successful");
          break;
        }
    }
  gsasl_finish (session);
  gsasl_done (context);
}

static gpointer
serve (gpointer data)
{
  BindingServer *server = data;
  struct pollfd ready = { .fd = server->listen_fd, .events = POLLIN };
  g_autofree char *line = NULL;
  SSL_CTX *ctx;
  int fd;

  if (poll (&ready, 1, 20000) != 1)
    return NULL;
  fd = accept (server->listen_fd, NULL, NULL);
  g_assert_cmpint (fd, >=, 0);

  ctx = SSL_CTX_new (TLS_server_method ());
  SSL_CTX_set_max_proto_version (ctx, server->max_version);
  g_assert_cmpint (SSL_CTX_use_certificate_chain_file (ctx, postier_test_rig ("CERT")), ==, 1);
  g_assert_cmpint (SSL_CTX_use_PrivateKey_file (ctx, postier_test_rig ("KEY"), SSL_FILETYPE_PEM), ==, 1);
  server->ssl = SSL_new (ctx);
  SSL_set_fd (server->ssl, fd);

  if (SSL_accept (server->ssl) == 1)
    {
      say (server, "220 binding.test ESMTP");
      while (read_line (server, &line))
        {
          g_auto(GStrv) words = g_strsplit (line, " ", 3);

          if (g_ascii_strcasecmp (words[0], "EHLO") == 0)
            {
              g_autofree char *auth = g_strdup_printf ("250-AUTH %s", server->offer);

              say (server, "250-binding.test");
              say (server, auth);
              say (server, "250 PIPELINING");
            }
          else if (g_ascii_strcasecmp (words[0], "AUTH") == 0 && words[1] != NULL)
            authenticate (server, words[1], words[2]);
          else if (g_ascii_strcasecmp (words[0], "QUIT") == 0)
            {
              say (server, "221 2.0.0 Bye");
              break;
            }
          else
            say (server, "502 5.5.2 Error: command not recognized");
          g_clear_pointer (&line, g_free);
        }
    }
  ERR_clear_error ();
  SSL_free (server->ssl);
  SSL_CTX_free (ctx);
  close (fd);
  return NULL;
}

static GThread *
binding_server_start (BindingServer *server)
{
  struct sockaddr_in address = { .sin_family = AF_INET };
  socklen_t length = sizeof address;

  address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  server->listen_fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  g_assert_cmpint (bind (server->listen_fd, (struct sockaddr *) &address, sizeof address), ==, 0);
  g_assert_cmpint (listen (server->listen_fd, 1), ==, 0);
  g_assert_cmpint (getsockname (server->listen_fd, (struct sockaddr *) &address, &length), ==, 0);
  server->port = ntohs (address.sin_port);
  return g_thread_new ("binding-server", serve, server);
}

static void
binding_server_clear (BindingServer *server)
{
  close (server->listen_fd);
  g_free (server->binding_type);
  g_free (server->mechanism);
}

/* Starts SERVER, logs in to it with METHOD and waits for it to finish.
 * FALSE when the rig's certificates are missing (the test is skipped);
 * else ERROR holds the client's error, if any. */
static gboolean
log_in (BindingServer     *server,
        PostierAuthMethod  method,
        char             **mechanism_used,
        GError           **error)
{
  g_autoptr(PostierAccount) account = postier_account_new ("binding");
  g_autoptr(PostierSmtpClient) client = NULL;
  g_autofree char *transcript = NULL;
  GThread *thread;

  if (postier_test_rig ("CERT") == NULL || postier_test_rig ("KEY") == NULL || postier_test_rig ("CA") == NULL)
    return FALSE;
  thread = binding_server_start (server);

  postier_account_set_identity (account, "alice@example.org");
  postier_account_set_host (account, "localhost");
  postier_account_set_port (account, server->port);
  postier_account_set_security (account, POSTIER_SECURITY_TLS);
  postier_account_set_auth (account, method);
  postier_account_set_user (account, "alice");
  postier_account_set_ca_file (account, postier_test_rig ("CA"));
  client = postier_smtp_client_new (account);
  postier_smtp_client_set_password (client, PASSWORD);
  postier_smtp_client_set_timeout (client, 10);

  if (postier_smtp_client_open (client, NULL, error))
    {
      *mechanism_used = g_strdup (postier_smtp_client_get_auth_mechanism (client));
      postier_smtp_client_close (client, NULL);
    }
  g_thread_join (thread);
  transcript = postier_smtp_client_take_transcript (client);
  g_assert_null (strstr (transcript, PASSWORD));
  return TRUE;
}

typedef struct {
  int               max_version;
  PostierAuthMethod method;
  const char       *mechanism;
  const char       *binding;
} BindingCase;

static void
test_binding (gconstpointer data)
{
  const BindingCase *c = data;
  BindingServer server = { .max_version = c->max_version,
                           .offer = "PLAIN SCRAM-SHA-1 SCRAM-SHA-1-PLUS SCRAM-SHA-256 SCRAM-SHA-256-PLUS" };
  g_autofree char *mechanism = NULL;
  g_autoptr(GError) error = NULL;

  if (!log_in (&server, c->method, &mechanism, &error))
    return;

  g_assert_no_error (error);
  g_assert_cmpstr (mechanism, ==, c->mechanism);
  g_assert_cmpstr (server.binding_type, ==, c->binding);
  g_assert_true (server.authenticated);
  binding_server_clear (&server);
}

static void
test_binding_mismatch (gconstpointer data)
{
  BindingServer server = { .max_version = GPOINTER_TO_INT (data), .offer = "SCRAM-SHA-256-PLUS PLAIN",
                           .forge_binding = TRUE };
  g_autofree char *mechanism = NULL;
  g_autoptr(GError) error = NULL;

  if (!log_in (&server, POSTIER_AUTH_AUTO, &mechanism, &error))
    return;

  g_assert_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_AUTH);
  g_assert_false (server.authenticated);
  g_assert_cmpstr (server.mechanism, ==, "SCRAM-SHA-256-PLUS");
  binding_server_clear (&server);
}

static const BindingCase cases[] = {
  { TLS1_3_VERSION, POSTIER_AUTH_AUTO, "SCRAM-SHA-256-PLUS", "tls-exporter" },
  { TLS1_2_VERSION, POSTIER_AUTH_AUTO, "SCRAM-SHA-256-PLUS", "tls-unique" },
  { TLS1_3_VERSION, POSTIER_AUTH_SCRAM_SHA_1, "SCRAM-SHA-1-PLUS", "tls-exporter" },
  { TLS1_2_VERSION, POSTIER_AUTH_SCRAM_SHA_1, "SCRAM-SHA-1-PLUS", "tls-unique" },
};

int
main (int    argc,
      char **argv)
{
  postier_test_init (&argc, &argv);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/smtp/channel-binding/%s/%s",
                                               cases[i].max_version == TLS1_3_VERSION ? "tls1.3" : "tls1.2",
                                               cases[i].mechanism);
      g_test_add_data_func (path, &cases[i], test_binding);
    }
  g_test_add_data_func ("/smtp/channel-binding/tls1.3/mismatch-refused", GINT_TO_POINTER (TLS1_3_VERSION),
                        test_binding_mismatch);
  g_test_add_data_func ("/smtp/channel-binding/tls1.2/mismatch-refused", GINT_TO_POINTER (TLS1_2_VERSION),
                        test_binding_mismatch);

  return g_test_run ();
}
