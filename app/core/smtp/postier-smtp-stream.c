/* postier-smtp-stream.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-smtp-stream"

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>

#include "postier-account.h"
#include "postier-error.h"
#include "postier-smtp-stream.h"

/* Replies are small; one read normally holds a whole pipelined batch. */
#define READ_BUFFER_SIZE  16384
/* Big enough that a small message and its final dot go out in one write,
 * and that large messages are written in large pieces. */
#define WRITE_BUFFER_SIZE (128 * 1024)

struct _PostierSmtpStream {
  GSocketConnection      *connection;
  int                     fd;
  guint                   timeout_ms;
  char                   *host;
  guint                   port;

  GCancellable           *cancellable;
  int                     cancel_fd;

  PostierTls             *tls;
  gboolean                secure;
  gboolean                tcp;

  GByteArray             *out;
  gboolean                out_secret;  /* OUT holds a secret: wipe it once sent */
  char                   *in;
  gsize                   in_start;
  gsize                   in_end;
  PostierSmtpReplyParser *parser;
};

static void
set_connect_error (GError      **error,
                   GError       *local_error,
                   const char   *host,
                   guint         port,
                   guint         timeout_seconds)
{
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_propagate_error (error, g_error_copy (local_error));
  else if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    g_set_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_NETWORK,
                 _("Cannot connect to %s port %u: no answer within %u seconds"),
                 host, port, timeout_seconds);
  else if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    g_set_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_NETWORK,
                 _("Cannot connect to %s port %u: the connection was refused (no mail server "
                   "listens on that port)"), host, port);
  else if (g_error_matches (local_error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND))
    g_set_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_NETWORK,
                 _("Cannot connect to %s: no server has that name (check its spelling)"), host);
  else
    g_set_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_NETWORK,
                 _("Cannot connect to %s port %u: %s"), host, port, local_error->message);
}

/* Resolves HOST once and connects only to what it resolved to, each
 * address checked before it is tried: a second lookup by GSocketClient
 * could answer differently. A name with any address off this machine is
 * refused as a whole, before any packet goes to it. */
static GSocketConnection *
connect_loopback_only (GSocketClient  *client,
                       const char     *host,
                       guint           port,
                       GCancellable   *cancellable,
                       GError        **local_error)
{
  g_autoptr(GResolver) resolver = g_resolver_get_default ();
  g_autolist(GInetAddress) addresses = NULL;
  g_autofree char *bare = NULL;
  gsize length = strlen (host);

  /* "[::1]" as accounts may spell an IPv6 literal. */
  if (length > 2 && host[0] == '[' && host[length - 1] == ']')
    bare = g_strndup (host + 1, length - 2);
  else
    bare = g_strdup (host);
  addresses = g_resolver_lookup_by_name (resolver, bare, cancellable, local_error);
  if (addresses == NULL)
    return NULL;

  for (GList *l = addresses; l != NULL; l = l->next)
    if (!postier_inet_address_is_loopback (l->data))
      {
        g_autofree char *text = g_inet_address_to_string (l->data);

        g_set_error (local_error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_TLS,
                     _("Security “none” is only allowed for a server on this machine, and “%s” "
                       "points to %s, which is not on this machine: nothing was sent"), host, text);
        return NULL;
      }

  for (GList *l = addresses; l != NULL; l = l->next)
    {
      g_autoptr(GSocketAddress) address = g_inet_socket_address_new (l->data, (guint16) port);
      GSocketConnection *connection;

      g_clear_error (local_error);
      connection = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (address), cancellable,
                                            local_error);
      if (connection != NULL)
        return connection;
      if (g_error_matches (*local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return NULL;
    }
  return NULL;
}

PostierSmtpStream *
postier_smtp_stream_connect_full (const char    *host,
                                  guint          port,
                                  guint          timeout_seconds,
                                  gboolean       loopback_only,
                                  GCancellable  *cancellable,
                                  GError       **error)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) local_error = NULL;
  PostierSmtpStream *self;
  GSocket *socket;

  g_return_val_if_fail (host != NULL, NULL);

  /* GSocketClient resolves the name and tries each address in turn with
   * the timeout; a desktop HTTP proxy setting has no business here. */
  g_socket_client_set_enable_proxy (client, FALSE);
  g_socket_client_set_timeout (client, timeout_seconds);
  if (loopback_only)
    connection = connect_loopback_only (client, host, port, cancellable, &local_error);
  else
    connection = g_socket_client_connect_to_host (client, host, (guint16) port, cancellable, &local_error);
  if (connection == NULL)
    {
      if (local_error != NULL && local_error->domain == POSTIER_SMTP_ERROR)
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        set_connect_error (error, local_error, host, port, timeout_seconds);
      return NULL;
    }

  socket = g_socket_connection_get_socket (connection);
  /* Commands are written in whole groups, so Nagle's algorithm could only
   * add a delayed-ACK stall to each group. */
  if (g_socket_get_family (socket) != G_SOCKET_FAMILY_UNIX)
    g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, 1, NULL);

  self = g_new0 (PostierSmtpStream, 1);
  self->connection = g_steal_pointer (&connection);
  self->fd = g_socket_get_fd (socket);
  self->tcp = g_socket_get_family (socket) != G_SOCKET_FAMILY_UNIX;
  self->timeout_ms = MAX (timeout_seconds, 1) * 1000;
  self->host = g_strdup (host);
  self->port = port;
  self->cancel_fd = -1;
  self->out = g_byte_array_sized_new (WRITE_BUFFER_SIZE);
  self->in = g_malloc (READ_BUFFER_SIZE);
  self->parser = postier_smtp_reply_parser_new ();
  return self;
}

void
postier_smtp_stream_free (PostierSmtpStream *self)
{
  if (self == NULL)
    return;
  postier_smtp_stream_shutdown (self);
  postier_smtp_stream_set_cancellable (self, NULL);
  g_clear_pointer (&self->tls, postier_tls_free);
  g_clear_object (&self->connection);
  if (self->out_secret)
    explicit_bzero (self->out->data, self->out->len);
  g_byte_array_unref (self->out);
  g_free (self->in);
  postier_smtp_reply_parser_free (self->parser);
  g_free (self->host);
  g_free (self);
}

void
postier_smtp_stream_set_cancellable (PostierSmtpStream *self,
                                     GCancellable      *cancellable)
{
  g_return_if_fail (self != NULL);

  if (self->cancellable == cancellable)
    return;
  if (self->cancellable != NULL)
    {
      if (self->cancel_fd >= 0)
        g_cancellable_release_fd (self->cancellable);
      g_clear_object (&self->cancellable);
    }
  self->cancel_fd = -1;
  if (cancellable != NULL)
    {
      self->cancellable = g_object_ref (cancellable);
      self->cancel_fd = g_cancellable_get_fd (cancellable);
    }
}

void
postier_smtp_stream_set_timeout (PostierSmtpStream *self,
                                 guint              seconds)
{
  g_return_if_fail (self != NULL);
  self->timeout_ms = MAX (seconds, 1) * 1000;
}

char *
postier_smtp_stream_get_local_literal (PostierSmtpStream *self)
{
  g_autoptr(GSocketAddress) local = NULL;
  g_autofree char *text = NULL;
  GInetAddress *address;

  g_return_val_if_fail (self != NULL, NULL);

  local = g_socket_connection_get_local_address (self->connection, NULL);
  if (!G_IS_INET_SOCKET_ADDRESS (local))
    return g_strdup ("localhost");
  address = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (local));
  text = g_inet_address_to_string (address);
  if (g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV6)
    return g_strdup_printf ("[IPv6:%s]", text);
  return g_strdup_printf ("[%s]", text);
}

PostierTls *
postier_smtp_stream_get_tls (PostierSmtpStream *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->tls;
}

gboolean
postier_smtp_stream_is_secure (PostierSmtpStream *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->secure;
}

/* ---------------------------------------------------------------------- */
/* Waiting */

static gboolean
check_cancelled (PostierSmtpStream  *self,
                 GError            **error)
{
  return self->cancellable != NULL && g_cancellable_set_error_if_cancelled (self->cancellable, error);
}

/* Waits until the socket is ready for EVENTS, the timeout passes or the
 * operation is cancelled. */
static gboolean
wait_for (PostierSmtpStream  *self,
          short               events,
          GError            **error)
{
  struct pollfd fds[2] = {
    { .fd = self->fd, .events = events },
    { .fd = self->cancel_fd, .events = POLLIN },
  };
  nfds_t n = self->cancel_fd >= 0 ? 2 : 1;
  gint64 deadline = g_get_monotonic_time () + (gint64) self->timeout_ms * 1000;

  /* Before waiting for an answer, ACK what was read so far at once. A
   * server that answers in two small writes (Postfix after a TLS 1.3
   * handshake: its session tickets, then the EHLO reply) has the second
   * held by Nagle until our ACK, which the kernel would delay by 40 ms. */
  if (self->tcp && (events & POLLIN))
    setsockopt (self->fd, IPPROTO_TCP, TCP_QUICKACK, &(int) { 1 }, sizeof (int));

  for (;;)
    {
      gint64 left_ms = (deadline - g_get_monotonic_time () + 999) / 1000;
      int ready;

      if (check_cancelled (self, error))
        return FALSE;
      if (left_ms <= 0)
        break;
      ready = poll (fds, n, (int) MIN (left_ms, G_MAXINT));
      if (ready < 0 && errno == EINTR)
        continue;
      if (ready < 0)
        {
          int saved = errno;
          g_set_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_NETWORK,
                       _("Connection to %s failed: %s"), self->host, g_strerror (saved));
          return FALSE;
        }
      if (n == 2 && fds[1].revents != 0)
        {
          if (check_cancelled (self, error))
            return FALSE;
          continue;
        }
      if (fds[0].revents != 0)
        return TRUE;   /* errors and hang-ups show in the next read/write */
    }

  g_set_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_NETWORK,
               _("The server %s did not respond within %u seconds"), self->host, self->timeout_ms / 1000);
  return FALSE;
}

static void
set_closed_error (PostierSmtpStream  *self,
                  GError            **error)
{
  g_set_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_NETWORK,
               _("The server %s closed the connection"), self->host);
}

static void
set_errno_error (PostierSmtpStream  *self,
                 int                 saved_errno,
                 GError            **error)
{
  if (saved_errno == EPIPE || saved_errno == ECONNRESET)
    set_closed_error (self, error);
  else
    g_set_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_NETWORK,
                 _("Connection to %s failed: %s"), self->host, g_strerror (saved_errno));
}

/* What an SSL call that did not succeed means: wait for EVENTS and retry
 * (TRUE), or an error (FALSE). */
static gboolean
tls_should_retry (PostierSmtpStream  *self,
                  int                 result,
                  short              *events,
                  GError            **error)
{
  int code = SSL_get_error (postier_tls_get_ssl (self->tls), result);
  unsigned long e;
  char reason[256];

  switch (code)
    {
    case SSL_ERROR_WANT_READ:
      *events = POLLIN;
      return TRUE;
    case SSL_ERROR_WANT_WRITE:
      *events = POLLOUT;
      return TRUE;
    case SSL_ERROR_ZERO_RETURN:
      set_closed_error (self, error);
      return FALSE;
    case SSL_ERROR_SYSCALL:
      if (errno != 0 && errno != EPIPE && errno != ECONNRESET)
        set_errno_error (self, errno, error);
      else
        set_closed_error (self, error);
      ERR_clear_error ();
      return FALSE;
    default:
      e = ERR_get_error ();
      ERR_error_string_n (e, reason, sizeof reason);
      ERR_clear_error ();
      g_set_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_NETWORK,
                   _("The encrypted connection to %s broke: %s"), self->host, reason);
      return FALSE;
    }
}

/* What a send() or recv() on the plain socket that returned -1 means: retry
 * (TRUE), at once when interrupted or after waiting for EVENTS, or an error
 * (FALSE). It reads errno, so call it straight after the failed call. */
static gboolean
socket_should_retry (PostierSmtpStream  *self,
                     short               events,
                     GError            **error)
{
  int saved = errno;

  if (saved == EINTR)
    return TRUE;
  if (saved != EAGAIN && saved != EWOULDBLOCK)
    {
      set_errno_error (self, saved, error);
      return FALSE;
    }
  return wait_for (self, events, error);
}

/* ---------------------------------------------------------------------- */
/* TLS */

gboolean
postier_smtp_stream_start_tls (PostierSmtpStream  *self,
                               const char         *host,
                               const char         *ca_file,
                               const char         *pinned_sha256,
                               GError            **error)
{
  SSL *ssl;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (self->tls == NULL, FALSE);
  g_return_val_if_fail (self->in_start == self->in_end, FALSE);

  self->tls = postier_tls_new (host, ca_file, pinned_sha256, self->fd, error);
  if (self->tls == NULL)
    return FALSE;
  ssl = postier_tls_get_ssl (self->tls);
  postier_smtp_reply_parser_reset (self->parser);

  for (;;)
    {
      int result;
      int code;

      if (check_cancelled (self, error))
        return FALSE;
      ERR_clear_error ();
      errno = 0;
      result = SSL_connect (ssl);
      if (result == 1)
        break;
      code = SSL_get_error (ssl, result);
      if (code == SSL_ERROR_WANT_READ || code == SSL_ERROR_WANT_WRITE)
        {
          if (!wait_for (self, code == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, error))
            return FALSE;
          continue;
        }
      postier_tls_set_handshake_error (self->tls, code, error);
      return FALSE;
    }

  if (!postier_tls_check_peer (self->tls, error))
    return FALSE;
  self->secure = TRUE;
  return TRUE;
}

/* ---------------------------------------------------------------------- */
/* Writing */

void
postier_smtp_stream_queue (PostierSmtpStream *self,
                           const char        *data,
                           gsize              length)
{
  g_return_if_fail (self != NULL);
  g_byte_array_append (self->out, (const guint8 *) data, (guint) length);
}

void
postier_smtp_stream_queue_secret (PostierSmtpStream *self,
                                  const char        *data,
                                  gsize              length)
{
  g_return_if_fail (self != NULL);
  postier_smtp_stream_queue (self, data, length);
  self->out_secret = TRUE;
}

gsize
postier_smtp_stream_get_queued (PostierSmtpStream *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->out->len;
}

static gboolean
write_all (PostierSmtpStream  *self,
           const guint8       *data,
           gsize               length,
           GError            **error)
{
  while (length > 0)
    {
      short events = POLLOUT;
      gssize written;

      if (check_cancelled (self, error))
        return FALSE;

      if (self->tls != NULL)
        {
          int result;

          ERR_clear_error ();
          errno = 0;
          result = SSL_write (postier_tls_get_ssl (self->tls), data, (int) MIN (length, G_MAXINT));
          if (result <= 0)
            {
              if (!tls_should_retry (self, result, &events, error) || !wait_for (self, events, error))
                return FALSE;
              continue;
            }
          written = result;
        }
      else
        {
          written = send (self->fd, data, length, MSG_NOSIGNAL);
          if (written < 0)
            {
              if (!socket_should_retry (self, POLLOUT, error))
                return FALSE;
              continue;
            }
        }
      data += written;
      length -= (gsize) written;
    }
  return TRUE;
}

gboolean
postier_smtp_stream_flush (PostierSmtpStream  *self,
                           GError            **error)
{
  gboolean ok;

  g_return_val_if_fail (self != NULL, FALSE);

  if (self->out->len == 0)
    return TRUE;
  ok = write_all (self, self->out->data, self->out->len, error);
  if (self->out_secret)
    {
      explicit_bzero (self->out->data, self->out->len);
      self->out_secret = FALSE;
    }
  g_byte_array_set_size (self->out, 0);
  return ok;
}

/* ---------------------------------------------------------------------- */
/* Reading */

/* Reads what is available into the (empty) read buffer, waiting for it. */
static gboolean
fill (PostierSmtpStream  *self,
      GError            **error)
{
  self->in_start = self->in_end = 0;

  /* A reply is rarely there already when we ask: wait first rather than
   * pay for a read that says EAGAIN (unless TLS holds decrypted bytes). */
  if ((self->tls == NULL || !SSL_has_pending (postier_tls_get_ssl (self->tls))) &&
      !wait_for (self, POLLIN, error))
    return FALSE;

  for (;;)
    {
      short events = POLLIN;
      gssize got;

      if (check_cancelled (self, error))
        return FALSE;

      if (self->tls != NULL)
        {
          int result;

          ERR_clear_error ();
          errno = 0;
          result = SSL_read (postier_tls_get_ssl (self->tls), self->in, READ_BUFFER_SIZE);
          if (result <= 0)
            {
              if (!tls_should_retry (self, result, &events, error) || !wait_for (self, events, error))
                return FALSE;
              continue;
            }
          got = result;
        }
      else
        {
          got = recv (self->fd, self->in, READ_BUFFER_SIZE, 0);
          if (got == 0)
            {
              set_closed_error (self, error);
              return FALSE;
            }
          if (got < 0)
            {
              if (!socket_should_retry (self, POLLIN, error))
                return FALSE;
              continue;
            }
        }
      self->in_end = (gsize) got;
      return TRUE;
    }
}

PostierSmtpReply *
postier_smtp_stream_read_reply (PostierSmtpStream  *self,
                                GError            **error)
{
  g_return_val_if_fail (self != NULL, NULL);

  for (;;)
    {
      PostierSmtpReply *reply = NULL;
      g_autoptr(GError) parse_error = NULL;

      if (self->in_start == self->in_end && !fill (self, error))
        return NULL;

      self->in_start += postier_smtp_reply_parser_feed (self->parser, self->in + self->in_start,
                                                        self->in_end - self->in_start,
                                                        &reply, &parse_error);
      if (parse_error != NULL)
        {
          postier_smtp_reply_parser_reset (self->parser);
          g_propagate_error (error, g_steal_pointer (&parse_error));
          return NULL;
        }
      if (reply != NULL)
        return reply;
    }
}

gsize
postier_smtp_stream_discard_input (PostierSmtpStream *self)
{
  gsize discarded;

  g_return_val_if_fail (self != NULL, 0);

  discarded = self->in_end - self->in_start;
  self->in_start = self->in_end = 0;
  postier_smtp_reply_parser_reset (self->parser);
  return discarded;
}

void
postier_smtp_stream_shutdown (PostierSmtpStream *self)
{
  g_return_if_fail (self != NULL);

  if (self->connection == NULL)
    return;
  if (self->secure)
    {
      /* One non-blocking attempt: a close_notify is a courtesy. */
      ERR_clear_error ();
      SSL_shutdown (postier_tls_get_ssl (self->tls));
      ERR_clear_error ();
      self->secure = FALSE;
    }
  g_io_stream_close (G_IO_STREAM (self->connection), NULL, NULL);
  g_clear_object (&self->connection);
  self->fd = -1;
}
