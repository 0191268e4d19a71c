/* postier-sandbox-session.c — the Sandbox receiver's side of SMTP
 *
 * Everything a client sends is hostile until proven otherwise: lines are
 * bounded (an overlong command is answered and skipped, never buffered),
 * message data streams to a file through a small buffer and is counted
 * against the size limit, every wait has the idle timeout and the session
 * deadline, and errors and commands are counted. None of it can take the
 * process down: the worst a client can do is be disconnected.
 *
 * This file reads and writes, runs STARTTLS and dispatches; the commands,
 * AUTH and DATA are in postier-sandbox-session-{commands,auth,data}.c
 * (see postier-sandbox-session-private.h).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-sandbox"

#include "config.h"

#include <openssl/err.h>

#include "postier-sandbox-session-private.h"

#define LINGER_MAX_US     (2 * G_USEC_PER_SEC)
#define LINGER_WAIT_US    (200 * 1000)
#define LINGER_MAX_OCTETS (4 * 1024 * 1024)
#define OUT_FLUSH_AT    16384

/* --- Waiting, reading, writing ------------------------------------------ */

/* Waits until the socket is ready for CONDITION, the idle timeout, the
 * session deadline or cancellation, whichever comes first. */
static gboolean
wait_for (Session      *session,
          GIOCondition  condition)
{
  g_autoptr(GError) error = NULL;
  gint64 idle = (gint64) session->config->limits.idle_timeout_ms * 1000;
  gint64 now = g_get_monotonic_time ();
  gint64 left = session->deadline - now;

  /* Until it logs in, a client has a much shorter life. */
  if (!session->authenticated)
    left = MIN (left, session->auth_deadline - now);
  if (left <= 0)
    {
      g_debug ("session: %s", session->authenticated ? "too long" : "no login in time");
      return FALSE;
    }
  if (!g_socket_condition_timed_wait (session->socket, condition, MIN (idle, left),
                                      session->config->cancellable, &error))
    {
      g_debug ("session: %s", error->message);
      return FALSE;
    }
  return TRUE;
}

/* > 0 bytes, 0 at the end of input, -1 on any failure. */
static gssize
raw_read (Session *session,
          guint8  *buffer,
          gsize    size)
{
  for (;;)
    {
      if (session->ssl != NULL)
        {
          int n, ssl_error;

          ERR_clear_error ();
          n = SSL_read (session->ssl, buffer, (int) size);
          if (n > 0)
            return n;
          ssl_error = SSL_get_error (session->ssl, n);
          if (ssl_error == SSL_ERROR_WANT_READ && wait_for (session, G_IO_IN))
            continue;
          if (ssl_error == SSL_ERROR_WANT_WRITE && wait_for (session, G_IO_OUT))
            continue;
          ERR_clear_error ();
          return ssl_error == SSL_ERROR_ZERO_RETURN ? 0 : -1;
        }
      else
        {
          g_autoptr(GError) error = NULL;
          gssize n = g_socket_receive (session->socket, (char *) buffer, size, NULL, &error);

          if (n >= 0)
            return n;
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK) &&
              wait_for (session, G_IO_IN))
            continue;
          return -1;
        }
    }
}

static gboolean
raw_write_all (Session    *session,
               const char *data,
               gsize       length)
{
  while (length > 0)
    {
      if (session->ssl != NULL)
        {
          int n, ssl_error;

          ERR_clear_error ();
          n = SSL_write (session->ssl, data, (int) MIN (length, G_MAXINT));
          if (n > 0)
            {
              data += n;
              length -= (gsize) n;
              continue;
            }
          ssl_error = SSL_get_error (session->ssl, n);
          if (ssl_error == SSL_ERROR_WANT_WRITE && wait_for (session, G_IO_OUT))
            continue;
          if (ssl_error == SSL_ERROR_WANT_READ && wait_for (session, G_IO_IN))
            continue;
          ERR_clear_error ();
          return FALSE;
        }
      else
        {
          g_autoptr(GError) error = NULL;
          gssize n = g_socket_send (session->socket, data, length, NULL, &error);

          if (n >= 0)
            {
              data += n;
              length -= (gsize) n;
              continue;
            }
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK) &&
              wait_for (session, G_IO_OUT))
            continue;
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
_postier_sandbox_session_flush (Session *session)
{
  gboolean ok = TRUE;

  if (session->out->len > 0)
    ok = raw_write_all (session, session->out->str, session->out->len);
  g_string_truncate (session->out, 0);
  if (!ok)
    session->closing = TRUE;
  return ok;
}

/* Replies wait in a buffer while pipelined commands are still to be
 * answered, so a pipelining client gets them in one write (RFC 2920). */
void
_postier_sandbox_session_reply (Session    *session,
                                const char *line)
{
  g_string_append (session->out, line);
  g_string_append (session->out, "\r\n");
  if (session->out->len >= OUT_FLUSH_AT)
    _postier_sandbox_session_flush (session);
}

void
_postier_sandbox_session_reply_error (Session    *session,
                                      const char *line)
{
  session->bad_commands++;
  _postier_sandbox_session_reply (session, line);
}

static void
compact_input (Session *session)
{
  if (session->in_pos > 0)
    {
      g_byte_array_remove_range (session->in, 0, session->in_pos);
      session->in_pos = 0;
    }
}

gboolean
_postier_sandbox_session_read_more (Session *session)
{
  guint8 buffer[READ_CHUNK];
  gssize n;

  compact_input (session);
  n = raw_read (session, buffer, sizeof buffer);
  if (n <= 0)
    return FALSE;
  g_byte_array_append (session->in, buffer, (guint) n);
  return TRUE;
}

/* The next command line, without its line end (CRLF, or a bare LF which
 * we tolerate). A line over the limit is skipped up to its end. */
LineStatus
_postier_sandbox_session_read_line (Session  *session,
                                    char    **line,
                                    gsize    *length)
{
  gsize max = session->config->limits.max_line_length;

  for (;;)
    {
      guint8 *start = session->in->data + session->in_pos;
      gsize available = session->in->len - session->in_pos;
      guint8 *lf = memchr (start, '\n', available);

      if (lf != NULL)
        {
          gsize line_length = (gsize) (lf - start);
          gboolean was_discarding = session->discarding_line;

          session->in_pos += (guint) line_length + 1;
          session->discarding_line = FALSE;
          if (was_discarding)
            continue;
          if (line_length + 1 > max)
            return LINE_TOO_LONG;
          if (line_length > 0 && start[line_length - 1] == '\r')
            line_length--;
          *line = g_strndup ((const char *) start, line_length);
          *length = line_length;
          return LINE_OK;
        }

      if (session->discarding_line)
        session->in_pos = session->in->len;
      else if (available >= max)
        {
          session->in_pos = session->in->len;
          session->discarding_line = TRUE;
          return LINE_TOO_LONG;
        }
      /* About to wait for the client: it must have every reply first. */
      if (!_postier_sandbox_session_flush (session) || !_postier_sandbox_session_read_more (session))
        return LINE_CLOSED;
    }
}

/* --- STARTTLS ---------------------------------------------------------- */

static gboolean
tls_handshake (Session *session)
{
  const SSL_CIPHER *cipher;

  session->ssl = SSL_new (session->config->tls_context);
  if (session->ssl == NULL || SSL_set_fd (session->ssl, session->fd) != 1)
    return FALSE;

  for (;;)
    {
      int n, ssl_error;

      ERR_clear_error ();
      n = SSL_accept (session->ssl);
      if (n == 1)
        break;
      ssl_error = SSL_get_error (session->ssl, n);
      if (ssl_error == SSL_ERROR_WANT_READ && wait_for (session, G_IO_IN))
        continue;
      if (ssl_error == SSL_ERROR_WANT_WRITE && wait_for (session, G_IO_OUT))
        continue;
      ERR_clear_error ();
      g_debug ("session: TLS handshake failed");
      return FALSE;
    }

  cipher = SSL_get_current_cipher (session->ssl);
  g_free (session->envelope->tls);
  session->envelope->tls = g_strdup_printf ("%s, %s", SSL_get_version (session->ssl),
                                            cipher != NULL ? SSL_CIPHER_get_name (cipher) : "?");
  return TRUE;
}

static void
do_starttls (Session    *session,
             const char *args)
{
  if (session->ssl != NULL)
    {
      _postier_sandbox_session_reply_error (session, "503 5.5.1 TLS already active");
      return;
    }
  if (*args != '\0')
    {
      _postier_sandbox_session_reply_error (session, "501 5.5.4 Syntax: STARTTLS");
      return;
    }
  _postier_sandbox_session_reply (session, "220 2.0.0 Ready to start TLS");
  if (!_postier_sandbox_session_flush (session))
    return;

  /* Anything sent after STARTTLS in clear text could be an injection
   * (RFC 3207 6, CVE-2011-0411): it is dropped, never read as commands. */
  if (session->in_pos < session->in->len)
    g_debug ("session: dropping %u octets pipelined after STARTTLS",
             session->in->len - session->in_pos);
  session->in_pos = session->in->len;
  session->discarding_line = FALSE;

  if (!tls_handshake (session))
    {
      session->closing = TRUE;
      return;
    }
  /* The client starts over: everything learnt before TLS is forgotten. */
  _postier_sandbox_session_reset_transaction (session);
  g_clear_pointer (&session->envelope->helo, g_free);
  session->greeted = FALSE;
  session->esmtp = FALSE;
}

/* --- The conversation --------------------------------------------------- */

static void
dispatch (Session    *session,
          const char *line,
          gsize       length)
{
  const char *space = strchr (line, ' ');
  g_autofree char *verb = space != NULL ? g_strndup (line, (gsize) (space - line)) : g_strdup (line);
  const char *args = space != NULL ? space + 1 : "";

  if (strlen (line) != length || length == 0)
    {
      _postier_sandbox_session_reply_error (session, "500 5.5.2 Syntax error");
      return;
    }

  if (g_ascii_strcasecmp (verb, "EHLO") == 0)
    _postier_sandbox_session_ehlo (session, args, TRUE);
  else if (g_ascii_strcasecmp (verb, "HELO") == 0)
    _postier_sandbox_session_ehlo (session, args, FALSE);
  else if (g_ascii_strcasecmp (verb, "STARTTLS") == 0)
    do_starttls (session, args);
  else if (g_ascii_strcasecmp (verb, "AUTH") == 0)
    _postier_sandbox_session_auth (session, args);
  else if (g_ascii_strcasecmp (verb, "MAIL") == 0)
    _postier_sandbox_session_mail (session, args);
  else if (g_ascii_strcasecmp (verb, "RCPT") == 0)
    _postier_sandbox_session_rcpt (session, args);
  else if (g_ascii_strcasecmp (verb, "DATA") == 0)
    _postier_sandbox_session_data (session, args);
  else if (g_ascii_strcasecmp (verb, "RSET") == 0)
    {
      _postier_sandbox_session_reset_transaction (session);
      _postier_sandbox_session_reply (session, "250 2.0.0 Ok");
    }
  else if (g_ascii_strcasecmp (verb, "NOOP") == 0)
    _postier_sandbox_session_reply (session, "250 2.0.0 Ok");
  else if (g_ascii_strcasecmp (verb, "QUIT") == 0)
    {
      _postier_sandbox_session_reply (session, "221 2.0.0 Bye");
      session->closing = TRUE;
    }
  else if (g_ascii_strcasecmp (verb, "VRFY") == 0)
    _postier_sandbox_session_reply (session, "252 2.5.2 Cannot VRFY user, but will accept message");
  else if (g_ascii_strcasecmp (verb, "HELP") == 0)
    _postier_sandbox_session_reply (session, "214 2.0.0 Postier Sandbox: mail is captured here and never sent on");
  else
    _postier_sandbox_session_reply_error (session, "502 5.5.2 Command not recognized");
}

/* Closing a socket with unread input makes the kernel reset the
 * connection, and a reset can destroy our last _postier_sandbox_session_reply (a 421) before the
 * client reads it. So: say we are done (FIN), then read and drop what the
 * client is still sending, briefly and boundedly, before the caller
 * closes. */
static void
linger_close (Session *session)
{
  gint64 give_up = g_get_monotonic_time () + LINGER_MAX_US;
  gsize drained = 0;
  char buffer[READ_CHUNK];

  if (!g_socket_shutdown (session->socket, FALSE, TRUE, NULL))
    return;
  while (drained < LINGER_MAX_OCTETS && g_get_monotonic_time () < give_up)
    {
      gssize n = g_socket_receive (session->socket, buffer, sizeof buffer, NULL, NULL);

      if (n == 0)
        return;   /* the client closed too: nothing will be reset */
      if (n > 0)
        {
          drained += (gsize) n;
          continue;
        }
      if (!g_socket_condition_timed_wait (session->socket, G_IO_IN, LINGER_WAIT_US,
                                          session->config->cancellable, NULL))
        return;
    }
}

void
postier_sandbox_session_run (const PostierSandboxSessionConfig *config)
{
  Session session = { 0 };
  const PostierSandboxLimits *limits = &config->limits;

  session.config = config;
  session.socket = config->socket;
  session.fd = g_socket_get_fd (config->socket);
  session.in = g_byte_array_sized_new (READ_CHUNK);   /* never a NULL data pointer */
  session.out = g_string_new (NULL);
  session.envelope = postier_sandbox_envelope_new ();
  session.deadline = g_get_monotonic_time () + (gint64) limits->session_timeout_ms * 1000;
  session.auth_deadline = g_get_monotonic_time () + (gint64) limits->pre_auth_timeout_ms * 1000;
  g_socket_set_blocking (config->socket, FALSE);

  _postier_sandbox_session_reply (&session, "220 localhost ESMTP Postier Sandbox (mail stays on this computer)");

  while (!session.closing)
    {
      g_autofree char *line = NULL;
      gsize length = 0;
      LineStatus status = _postier_sandbox_session_read_line (&session, &line, &length);

      if (status == LINE_CLOSED)
        break;
      if (++session.commands > limits->max_commands)
        {
          _postier_sandbox_session_reply (&session, "421 4.7.0 Too many commands, closing connection");
          break;
        }
      if (status == LINE_TOO_LONG)
        _postier_sandbox_session_reply_error (&session, "500 5.5.2 Line too long");
      else
        dispatch (&session, line, length);

      if (session.bad_commands > limits->max_bad_commands)
        {
          _postier_sandbox_session_reply (&session, "421 4.7.0 Too many errors, closing connection");
          break;
        }
      if (g_get_monotonic_time () >= session.deadline)
        {
          _postier_sandbox_session_reply (&session, "421 4.4.2 Session too long, closing connection");
          break;
        }
    }

  _postier_sandbox_session_flush (&session);
  if (session.ssl != NULL)
    {
      /* Best effort close_notify; a client that left will not read it. */
      ERR_clear_error ();
      SSL_shutdown (session.ssl);
      ERR_clear_error ();
      SSL_free (session.ssl);
    }
  linger_close (&session);
  postier_sandbox_envelope_free (session.envelope);
  g_byte_array_unref (session.in);
  g_string_free (session.out, TRUE);
}
