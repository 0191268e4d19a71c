/* bench-tls-proxy.c — STARTTLS in front of Postfix's smtp-sink
 *
 * smtp-sink measures the cost of the SMTP protocol alone, but speaks no
 * TLS. This puts STARTTLS in front of it: it greets, answers EHLO with
 * STARTTLS, does the handshake with the rig's certificate, then connects
 * to smtp-sink, swallows its greeting and relays both ways, so the client
 * sees one server that did STARTTLS and then talks like smtp-sink.
 *
 *   bench-tls-proxy CERT KEY BACKEND_PORT
 *
 * Prints "PORT <n>" once listening; serves one connection at a time until
 * killed. A benchmark helper, not a server.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <glib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define BUFFER (64 * 1024)

static gboolean
send_all (int         fd,
          const char *data,
          gsize       length)
{
  while (length > 0)
    {
      ssize_t n = send (fd, data, length, MSG_NOSIGNAL);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      data += n;
      length -= (gsize) n;
    }
  return TRUE;
}

/* Reads one CRLF line from a plain socket, byte by byte: only the few
 * lines before STARTTLS go through here, and no byte past STARTTLS may be
 * swallowed. */
static gboolean
read_line (int      fd,
           GString *line)
{
  g_string_truncate (line, 0);
  for (;;)
    {
      char c;
      ssize_t n = recv (fd, &c, 1, 0);

      if (n <= 0)
        return FALSE;
      g_string_append_c (line, c);
      if (c == '\n')
        return TRUE;
      if (line->len > 4096)
        return FALSE;
    }
}

static int
connect_backend (guint port)
{
  struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons ((uint16_t) port) };
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;

  address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  if (connect (fd, (struct sockaddr *) &address, sizeof address) != 0)
    {
      close (fd);
      return -1;
    }
  setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

static gboolean
ssl_write_all (SSL        *ssl,
               const char *data,
               gsize       length)
{
  while (length > 0)
    {
      int n = SSL_write (ssl, data, (int) length);

      if (n <= 0)
        return FALSE;
      data += n;
      length -= (gsize) n;
    }
  return TRUE;
}

static void
relay (SSL *ssl,
       int  client,
       int  backend)
{
  g_autofree char *buffer = g_malloc (BUFFER);

  for (;;)
    {
      struct pollfd fds[2] = {
        { .fd = client, .events = POLLIN },
        { .fd = backend, .events = POLLIN },
      };

      if (!SSL_has_pending (ssl) && poll (fds, 2, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          return;
        }
      if (SSL_has_pending (ssl) || (fds[0].revents & (POLLIN | POLLHUP | POLLERR)))
        {
          int n = SSL_read (ssl, buffer, BUFFER);

          if (n <= 0 || !send_all (backend, buffer, (gsize) n))
            return;
        }
      if (fds[1].revents & (POLLIN | POLLHUP | POLLERR))
        {
          ssize_t n = recv (backend, buffer, BUFFER, 0);

          if (n <= 0 || !ssl_write_all (ssl, buffer, (gsize) n))
            return;
        }
    }
}

static void
serve (SSL_CTX *context,
       int      client,
       guint    backend_port)
{
  g_autoptr(GString) line = g_string_new (NULL);
  g_autoptr(GString) greeting = g_string_new (NULL);
  SSL *ssl = NULL;
  int backend = -1;
  int one = 1;

  setsockopt (client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (!send_all (client, "220 bench-proxy ESMTP\r\n", 23))
    goto out;
  for (;;)
    {
      if (!read_line (client, line))
        goto out;
      if (g_ascii_strncasecmp (line->str, "EHLO", 4) == 0)
        {
          static const char caps[] = "250-bench-proxy\r\n250-PIPELINING\r\n250 STARTTLS\r\n";
          if (!send_all (client, caps, sizeof caps - 1))
            goto out;
        }
      else if (g_ascii_strncasecmp (line->str, "STARTTLS", 8) == 0)
        {
          if (!send_all (client, "220 2.0.0 Ready to start TLS\r\n", 30))
            goto out;
          break;
        }
      else if (g_ascii_strncasecmp (line->str, "QUIT", 4) == 0)
        {
          send_all (client, "221 2.0.0 Bye\r\n", 15);
          goto out;
        }
      else if (!send_all (client, "503 5.5.1 STARTTLS first\r\n", 26))
        goto out;
    }

  ssl = SSL_new (context);
  SSL_set_fd (ssl, client);
  if (SSL_accept (ssl) != 1)
    goto out;

  backend = connect_backend (backend_port);
  if (backend < 0 || !read_line (backend, greeting))
    goto out;
  /* The client said EHLO before STARTTLS; it says it again now, and
   * smtp-sink answers that one with its own capabilities. */
  relay (ssl, client, backend);

out:
  if (ssl != NULL)
    {
      SSL_shutdown (ssl);
      SSL_free (ssl);
    }
  if (backend >= 0)
    close (backend);
  close (client);
}

int
main (int    argc,
      char **argv)
{
  struct sockaddr_in address = { .sin_family = AF_INET };
  socklen_t length = sizeof address;
  SSL_CTX *context;
  int listener;
  int one = 1;

  if (argc != 4)
    {
      fprintf (stderr, "usage: %s CERT KEY BACKEND_PORT\n", argv[0]);
      return 64;
    }
  signal (SIGPIPE, SIG_IGN);

  context = SSL_CTX_new (TLS_server_method ());
  SSL_CTX_set_read_ahead (context, 1);
  if (SSL_CTX_use_certificate_chain_file (context, argv[1]) != 1 ||
      SSL_CTX_use_PrivateKey_file (context, argv[2], SSL_FILETYPE_PEM) != 1)
    {
      ERR_print_errors_fp (stderr);
      return 1;
    }

  listener = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  setsockopt (listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  if (bind (listener, (struct sockaddr *) &address, sizeof address) != 0 || listen (listener, 16) != 0 ||
      getsockname (listener, (struct sockaddr *) &address, &length) != 0)
    {
      perror ("bench-tls-proxy");
      return 1;
    }
  printf ("PORT %u\n", ntohs (address.sin_port));
  fflush (stdout);

  for (;;)
    {
      int client = accept4 (listener, NULL, NULL, SOCK_CLOEXEC);

      if (client < 0)
        {
          if (errno == EINTR)
            continue;
          return 1;
        }
      serve (context, client, (guint) atoi (argv[3]));
    }
}
