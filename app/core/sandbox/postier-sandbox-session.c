/* postier-sandbox-session.c — the Sandbox receiver's side of SMTP
 *
 * Everything a client sends is hostile until proven otherwise: lines are
 * bounded (an overlong command is answered and skipped, never buffered),
 * message data streams to a file through a small buffer and is counted
 * against the size limit, every wait has the idle timeout and the session
 * deadline, and errors and commands are counted. None of it can take the
 * process down: the worst a client can do is be disconnected.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-sandbox"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <unistd.h>

#include "postier-sandbox-private.h"
#include "postier-sandbox-session.h"

#define READ_CHUNK      16384
#define FILE_BUFFER     65536
#define OUT_FLUSH_AT    16384
#define MAX_PATH_OCTETS 256      /* RFC 5321 4.5.3.1.3 */
#define MAX_HELO_OCTETS 255
#define MAX_AUTH_FAILURES 3
#define LINGER_MAX_US     (2 * G_USEC_PER_SEC)
#define LINGER_WAIT_US    (200 * 1000)
#define LINGER_MAX_OCTETS (4 * 1024 * 1024)

typedef enum {
  LINE_OK,
  LINE_TOO_LONG,
  LINE_CLOSED,     /* end of input, error, timeout or cancellation */
} LineStatus;

typedef enum {
  DATA_AT_LINE_START,
  DATA_AFTER_DOT,
  DATA_AFTER_DOT_CR,
  DATA_IN_LINE,
  DATA_AFTER_CR,
} DataState;

typedef struct {
  const PostierSandboxSessionConfig *config;
  GSocket                *socket;
  int                     fd;
  SSL                    *ssl;
  GByteArray             *in;
  guint                   in_pos;
  GString                *out;
  gint64                  deadline;          /* monotonic, end of the session */
  gint64                  auth_deadline;     /* monotonic, end of the session if not logged in */
  gboolean                discarding_line;   /* skipping the rest of an overlong line */
  gboolean                closing;

  PostierSandboxEnvelope *envelope;
  gboolean                greeted;
  gboolean                esmtp;
  gboolean                authenticated;
  guint                   commands;
  guint                   bad_commands;
  guint                   auth_failures;
} Session;

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

static gboolean
flush_replies (Session *session)
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
static void
reply (Session    *session,
       const char *line)
{
  g_string_append (session->out, line);
  g_string_append (session->out, "\r\n");
  if (session->out->len >= OUT_FLUSH_AT)
    flush_replies (session);
}

static void
reply_error (Session    *session,
             const char *line)
{
  session->bad_commands++;
  reply (session, line);
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

static gboolean
read_more (Session *session)
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
static LineStatus
read_line (Session  *session,
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
      if (!flush_replies (session) || !read_more (session))
        return LINE_CLOSED;
    }
}

/* --- Addresses and parameters ------------------------------------------- */

typedef enum {
  PATH_OK,
  PATH_SYNTAX,
  PATH_TOO_LONG,
  PATH_NEEDS_SMTPUTF8,
} PathStatus;

/* Parses "<path>" at the start of TEXT (RFC 5321 4.1.2), dropping an old
 * source route; *REST points after the closing bracket. */
static PathStatus
parse_path (const char  *text,
            char       **path,
            const char **rest,
            gboolean     smtputf8)
{
  g_autoptr(GString) mailbox = g_string_new (NULL);
  gboolean quoted = FALSE;
  gboolean has_8bit = FALSE;
  const char *p;

  if (*text != '<')
    return PATH_SYNTAX;
  for (p = text + 1; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      if (c < 0x20 || c == 0x7f)
        return PATH_SYNTAX;
      if (c >= 0x80)
        has_8bit = TRUE;
      if (quoted && c == '\\' && p[1] != '\0')
        {
          g_string_append_c (mailbox, *p++);
          g_string_append_c (mailbox, *p);
          continue;
        }
      if (c == '"')
        quoted = !quoted;
      else if (!quoted && c == '>')
        break;
      else if (!quoted && c == ' ')
        return PATH_SYNTAX;
      g_string_append_c (mailbox, (char) c);
    }
  if (*p != '>' || quoted)
    return PATH_SYNTAX;
  *rest = p + 1;

  /* "<@relay1,@relay2:user@domain>": the route is obsolete, keep the box. */
  if (mailbox->str[0] == '@')
    {
      const char *colon = strchr (mailbox->str, ':');
      if (colon == NULL)
        return PATH_SYNTAX;
      g_string_erase (mailbox, 0, colon + 1 - mailbox->str);
    }
  if (mailbox->len > MAX_PATH_OCTETS)
    return PATH_TOO_LONG;
  if (has_8bit && (!smtputf8 || !g_utf8_validate (mailbox->str, (gssize) mailbox->len, NULL)))
    return PATH_NEEDS_SMTPUTF8;
  if (mailbox->len > 0 && (mailbox->str[0] == '@' || mailbox->str[mailbox->len - 1] == '@'))
    return PATH_SYNTAX;

  *path = g_string_free (g_steal_pointer (&mailbox), FALSE);
  return PATH_OK;
}

static void
reply_path_error (Session    *session,
                  PathStatus  status)
{
  switch (status)
    {
    case PATH_TOO_LONG:
      reply_error (session, "501 5.1.3 Path too long");
      break;
    case PATH_NEEDS_SMTPUTF8:
      reply_error (session, "553 5.6.7 Non-ASCII address requires SMTPUTF8");
      break;
    default:
      reply_error (session, "501 5.1.7 Bad address syntax");
      break;
    }
}

/* MAIL FROM parameters (RFC 1870, 6152, 6531, 4954). TRUE when all are
 * known and valid; otherwise the reply is already given. */
static gboolean
parse_mail_parameters (Session    *session,
                       const char *text,
                       gboolean   *smtputf8)
{
  g_auto(GStrv) words = g_strsplit (text, " ", -1);

  *smtputf8 = FALSE;
  for (guint i = 0; words[i] != NULL; i++)
    {
      const char *word = words[i];
      const char *equals = strchr (word, '=');
      g_autofree char *key = equals ? g_strndup (word, (gsize) (equals - word)) : g_strdup (word);
      const char *value = equals ? equals + 1 : NULL;

      if (*word == '\0')
        continue;
      if (g_ascii_strcasecmp (key, "SIZE") == 0 && value != NULL)
        {
          guint64 size;

          if (!g_ascii_string_to_unsigned (value, 10, 0, G_MAXUINT64, &size, NULL))
            {
              reply_error (session, "501 5.5.4 Bad SIZE parameter");
              return FALSE;
            }
          if (size > session->config->limits.max_message_size)
            {
              reply_error (session, "552 5.3.4 Message size exceeds fixed maximum message size");
              return FALSE;
            }
        }
      else if (g_ascii_strcasecmp (key, "BODY") == 0 && value != NULL &&
               (g_ascii_strcasecmp (value, "7BIT") == 0 || g_ascii_strcasecmp (value, "8BITMIME") == 0))
        ;
      else if (g_ascii_strcasecmp (key, "SMTPUTF8") == 0 && value == NULL)
        *smtputf8 = TRUE;
      else if (g_ascii_strcasecmp (key, "AUTH") == 0 && value != NULL)
        ;
      else
        {
          reply_error (session, "555 5.5.4 Unsupported MAIL FROM parameter");
          return FALSE;
        }
    }
  return TRUE;
}

/* "FROM:" / "TO:" with the tolerated space after the colon; NULL if absent. */
static const char *
skip_keyword (const char *args,
              const char *keyword)
{
  gsize length = strlen (keyword);

  if (g_ascii_strncasecmp (args, keyword, length) != 0)
    return NULL;
  args += length;
  while (*args == ' ')
    args++;
  return args;
}

/* --- Commands ----------------------------------------------------------- */

static void
reset_transaction (Session *session)
{
  postier_sandbox_envelope_reset (session->envelope);
}

static void
do_ehlo (Session    *session,
         const char *args,
         gboolean    extended)
{
  g_autofree char *size_line = NULL;

  if (*args == '\0')
    {
      reply_error (session, extended ? "501 5.5.4 Syntax: EHLO hostname"
                                     : "501 5.5.4 Syntax: HELO hostname");
      return;
    }
  reset_transaction (session);
  g_free (session->envelope->helo);
  session->envelope->helo = g_strndup (args, MAX_HELO_OCTETS);
  session->greeted = TRUE;
  session->esmtp = extended;

  if (!extended)
    {
      reply (session, "250 localhost");
      return;
    }
  size_line = g_strdup_printf ("250-SIZE %" G_GUINT64_FORMAT, session->config->limits.max_message_size);
  reply (session, "250-localhost Postier Sandbox");
  reply (session, "250-PIPELINING");
  reply (session, size_line);
  if (session->ssl == NULL)
    reply (session, "250-STARTTLS");
  else if (!session->authenticated)
    reply (session, "250-AUTH PLAIN");
  reply (session, "250-8BITMIME");
  reply (session, "250-SMTPUTF8");
  reply (session, "250 ENHANCEDSTATUSCODES");
}

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
      reply_error (session, "503 5.5.1 TLS already active");
      return;
    }
  if (*args != '\0')
    {
      reply_error (session, "501 5.5.4 Syntax: STARTTLS");
      return;
    }
  reply (session, "220 2.0.0 Ready to start TLS");
  if (!flush_replies (session))
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
  reset_transaction (session);
  g_clear_pointer (&session->envelope->helo, g_free);
  session->greeted = FALSE;
  session->esmtp = FALSE;
}

static gboolean
base64_is_valid (const char *text)
{
  gsize length = strlen (text);

  if (length % 4 != 0)
    return FALSE;
  for (gsize i = 0; i < length; i++)
    {
      char c = text[i];
      if (!g_ascii_isalnum (c) && c != '+' && c != '/' && !(c == '=' && i >= length - 2))
        return FALSE;
    }
  return TRUE;
}

/* RFC 4616: [authzid] NUL authcid NUL passwd. */
static gboolean
plain_credentials_match (Session    *session,
                         const char *response,
                         char      **login)
{
  const char *expected_login = session->config->login;
  const char *expected_password = session->config->password;
  g_autofree guchar *decoded = NULL;
  gsize length = 0;
  const char *authzid, *authcid, *password;
  const char *first_nul, *second_nul;
  gsize password_length;
  gboolean match;

  if (!base64_is_valid (response))
    return FALSE;
  decoded = g_base64_decode (response, &length);
  if (decoded == NULL)
    return FALSE;

  authzid = (const char *) decoded;
  first_nul = memchr (decoded, '\0', length);
  second_nul = first_nul ? memchr (first_nul + 1, '\0', length - (gsize) (first_nul + 1 - authzid)) : NULL;
  if (second_nul == NULL || memchr (second_nul + 1, '\0', length - (gsize) (second_nul + 1 - authzid)) != NULL)
    {
      explicit_bzero (decoded, length);
      return FALSE;
    }
  authcid = first_nul + 1;
  password = second_nul + 1;
  password_length = length - (gsize) (password - authzid);

  match = (*authzid == '\0' || g_strcmp0 (authzid, authcid) == 0) &&
          g_strcmp0 (authcid, expected_login) == 0 &&
          password_length == strlen (expected_password) &&
          CRYPTO_memcmp (password, expected_password, password_length) == 0;
  if (match)
    *login = g_strdup (authcid);
  explicit_bzero (decoded, length);
  return match;
}

static void
do_auth (Session    *session,
         const char *args)
{
  g_autofree char *response = NULL;
  g_autofree char *login = NULL;
  const char *space = strchr (args, ' ');
  g_autofree char *mechanism = space ? g_strndup (args, (gsize) (space - args)) : g_strdup (args);

  if (session->ssl == NULL)
    {
      reply_error (session, "538 5.7.11 Encryption required for requested authentication mechanism");
      return;
    }
  if (!session->esmtp)
    {
      reply_error (session, "503 5.5.1 Send EHLO first");
      return;
    }
  if (session->authenticated)
    {
      reply_error (session, "503 5.5.1 Already authenticated");
      return;
    }
  if (session->envelope->sender != NULL)
    {
      reply_error (session, "503 5.5.1 Not during a mail transaction");
      return;
    }
  if (g_ascii_strcasecmp (mechanism, "PLAIN") != 0)
    {
      reply_error (session, "504 5.5.4 Unrecognized authentication type");
      return;
    }
  if (session->config->password == NULL || session->config->login == NULL)
    {
      reply (session, "454 4.7.0 Temporary authentication failure");
      return;
    }

  if (space != NULL)
    response = g_strdup (space + 1);
  else
    {
      gsize length;
      LineStatus status;

      reply (session, "334 ");
      status = read_line (session, &response, &length);
      if (status == LINE_CLOSED)
        {
          session->closing = TRUE;
          return;
        }
      if (status == LINE_TOO_LONG)
        {
          reply_error (session, "500 5.5.6 Authentication exchange line is too long");
          return;
        }
      if (g_str_equal (response, "*"))
        {
          reply_error (session, "501 5.0.0 Authentication cancelled");
          return;
        }
    }
  /* "=" is the empty initial response (RFC 4954 4). */
  if (g_str_equal (response, "="))
    response[0] = '\0';

  if (plain_credentials_match (session, response, &login))
    {
      session->authenticated = TRUE;
      if (session->config->authenticated != NULL)
        g_atomic_int_set (session->config->authenticated, 1);
      g_free (session->envelope->login);
      session->envelope->login = g_steal_pointer (&login);
      reply (session, "235 2.7.0 Authentication successful");
    }
  else
    {
      session->auth_failures++;
      reply_error (session, "535 5.7.8 Authentication credentials invalid");
      if (session->auth_failures >= MAX_AUTH_FAILURES)
        {
          reply (session, "421 4.7.0 Too many authentication failures, closing connection");
          session->closing = TRUE;
        }
    }
  explicit_bzero (response, strlen (response));
}

/* What MAIL and RCPT need before they may run; FALSE after replying. */
static gboolean
may_transact (Session *session)
{
  if (!session->greeted)
    {
      reply_error (session, "503 5.5.1 Send HELO or EHLO first");
      return FALSE;
    }
  if (session->ssl == NULL)
    {
      reply_error (session, "530 5.7.0 Must issue a STARTTLS command first");
      return FALSE;
    }
  if (!session->authenticated)
    {
      reply_error (session, "530 5.7.0 Authentication required");
      return FALSE;
    }
  return TRUE;
}

static void
do_mail (Session    *session,
         const char *args)
{
  g_autofree char *path = NULL;
  const char *rest = NULL;
  const char *after = skip_keyword (args, "FROM:");
  gboolean smtputf8 = FALSE;
  PathStatus status;

  if (!may_transact (session))
    return;
  if (session->envelope->sender != NULL)
    {
      reply_error (session, "503 5.5.1 Nested MAIL command");
      return;
    }
  if (after == NULL)
    {
      reply_error (session, "501 5.5.4 Syntax: MAIL FROM:<address>");
      return;
    }
  /* The path may be UTF-8 only if its own parameters say SMTPUTF8. */
  status = parse_path (after, &path, &rest, TRUE);
  if (status != PATH_OK)
    {
      reply_path_error (session, status);
      return;
    }
  if (!parse_mail_parameters (session, rest, &smtputf8))
    return;
  if (!smtputf8 && !g_str_is_ascii (path))
    {
      reply_path_error (session, PATH_NEEDS_SMTPUTF8);
      return;
    }

  session->envelope->sender = g_steal_pointer (&path);
  session->envelope->smtputf8 = smtputf8;
  session->envelope->mail_parameters = *rest != '\0' ? g_strstrip (g_strdup (rest)) : NULL;
  reply (session, "250 2.1.0 Ok");
}

static void
do_rcpt (Session    *session,
         const char *args)
{
  g_autofree char *path = NULL;
  const char *rest = NULL;
  const char *after = skip_keyword (args, "TO:");
  PathStatus status;

  if (!may_transact (session))
    return;
  if (session->envelope->sender == NULL)
    {
      reply_error (session, "503 5.5.1 Need MAIL command");
      return;
    }
  if (after == NULL)
    {
      reply_error (session, "501 5.5.4 Syntax: RCPT TO:<address>");
      return;
    }
  status = parse_path (after, &path, &rest, session->envelope->smtputf8);
  if (status != PATH_OK)
    {
      reply_path_error (session, status);
      return;
    }
  if (*path == '\0')
    {
      reply_error (session, "501 5.1.3 Empty recipient");
      return;
    }
  while (*rest == ' ')
    rest++;
  if (*rest != '\0')
    {
      reply_error (session, "555 5.5.4 Unsupported RCPT TO parameter");
      return;
    }
  if (session->envelope->recipients->len >= session->config->limits.max_recipients)
    {
      reply (session, "452 4.5.3 Too many recipients");
      return;
    }
  g_ptr_array_add (session->envelope->recipients, g_steal_pointer (&path));
  reply (session, "250 2.1.5 Ok");
}

/* --- DATA --------------------------------------------------------------- */

typedef struct {
  DataState   state;
  GByteArray *pending;     /* message octets not yet written */
  int         fd;          /* -1 once writing failed */
  guint64     size;
  gboolean    too_big;
  gboolean    write_failed;
} DataSink;

static void
sink_flush (DataSink *sink)
{
  gsize done = 0;

  while (sink->fd >= 0 && done < sink->pending->len)
    {
      ssize_t n = write (sink->fd, sink->pending->data + done, sink->pending->len - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          g_debug ("session: cannot write the message: %s", g_strerror (errno));
          sink->write_failed = TRUE;
          break;
        }
      done += (gsize) n;
    }
  g_byte_array_set_size (sink->pending, 0);
}

static void
sink_append (DataSink     *sink,
             const guint8 *data,
             gsize         length,
             guint64       max_size)
{
  if (length == 0)
    return;
  sink->size += length;
  /* Over the limit the rest is read and dropped, so the client still gets
   * its 552 at the end of data (RFC 1870 6.2). */
  if (sink->size > max_size)
    sink->too_big = TRUE;
  if (sink->too_big || sink->write_failed)
    return;
  g_byte_array_append (sink->pending, data, (guint) length);
  if (sink->pending->len >= FILE_BUFFER)
    sink_flush (sink);
}

/* Undoes dot-stuffing (RFC 5321 4.5.2) on DATA[0..LENGTH) and finds the
 * terminating CRLF.CRLF; the CRLF before the dot belongs to the message.
 * Returns TRUE at the end of data with *CONSUMED octets used. */
static gboolean
unstuff (DataSink     *sink,
         const guint8 *data,
         gsize         length,
         gsize        *consumed,
         guint64       max_size)
{
  gsize i = 0;

  while (i < length)
    {
      switch (sink->state)
        {
        case DATA_IN_LINE:
          {
            const guint8 *cr = memchr (data + i, '\r', length - i);
            gsize end = cr != NULL ? (gsize) (cr - data) + 1 : length;

            sink_append (sink, data + i, end - i, max_size);
            i = end;
            if (cr != NULL)
              sink->state = DATA_AFTER_CR;
          }
          break;
        case DATA_AFTER_CR:
          if (data[i] == '\n')
            {
              sink_append (sink, data + i, 1, max_size);
              i++;
              sink->state = DATA_AT_LINE_START;
            }
          else
            sink->state = DATA_IN_LINE;
          break;
        case DATA_AT_LINE_START:
          if (data[i] == '.')
            {
              i++;
              sink->state = DATA_AFTER_DOT;
            }
          else
            sink->state = DATA_IN_LINE;
          break;
        case DATA_AFTER_DOT:
          /* The leading dot is dropped whatever follows it. */
          if (data[i] == '\r')
            {
              i++;
              sink->state = DATA_AFTER_DOT_CR;
            }
          else
            sink->state = DATA_IN_LINE;
          break;
        case DATA_AFTER_DOT_CR:
          if (data[i] == '\n')
            {
              *consumed = i + 1;
              return TRUE;
            }
          sink_append (sink, (const guint8 *) "\r", 1, max_size);
          sink->state = DATA_AFTER_CR;
          break;
        default:
          g_assert_not_reached ();
        }
    }
  *consumed = length;
  return FALSE;
}

static void
do_data (Session    *session,
         const char *args)
{
  const char *maildir = session->config->maildir;
  guint64 max_size = session->config->limits.max_message_size;
  g_autofree char *name = NULL;
  g_autofree char *tmp_path = NULL;
  g_autoptr(GError) error = NULL;
  DataSink sink = { DATA_AT_LINE_START, NULL, -1, 0, FALSE, FALSE };
  gboolean ended = FALSE;

  if (session->envelope->sender == NULL)
    {
      reply_error (session, "503 5.5.1 Need MAIL command");
      return;
    }
  if (session->envelope->recipients->len == 0)
    {
      reply_error (session, "554 5.5.1 No valid recipients");
      return;
    }
  if (*args != '\0')
    {
      reply_error (session, "501 5.5.4 Syntax: DATA");
      return;
    }

  name = postier_sandbox_maildir_unique_name ();
  tmp_path = g_build_filename (maildir, "tmp", name, NULL);
  if (postier_sandbox_maildir_ensure (maildir, &error))
    sink.fd = open (tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (sink.fd < 0)
    {
      g_debug ("session: cannot create %s: %s", tmp_path,
               error != NULL ? error->message : g_strerror (errno));
      sink.write_failed = TRUE;
    }
  sink.pending = g_byte_array_sized_new (FILE_BUFFER);

  reply (session, "354 End data with <CR><LF>.<CR><LF>");
  if (flush_replies (session))
    {
      for (;;)
        {
          gsize consumed = 0;

          ended = unstuff (&sink, session->in->data + session->in_pos,
                           session->in->len - session->in_pos, &consumed, max_size);
          session->in_pos += (guint) consumed;
          if (ended || !read_more (session))
            break;
        }
    }

  sink_flush (&sink);
  g_byte_array_unref (sink.pending);
  if (sink.fd >= 0)
    {
      if (ended && !sink.too_big && !sink.write_failed && fsync (sink.fd) != 0)
        sink.write_failed = TRUE;
      if (close (sink.fd) != 0)
        sink.write_failed = TRUE;
    }

  if (!ended)
    {
      /* The client vanished or stalled mid-message: nothing is stored. */
      g_unlink (tmp_path);
      session->closing = TRUE;
      return;
    }
  if (sink.too_big)
    {
      g_unlink (tmp_path);
      reply_error (session, "552 5.3.4 Message size exceeds fixed maximum message size");
    }
  else if (sink.write_failed)
    {
      g_unlink (tmp_path);
      reply (session, "452 4.3.1 Cannot store the message in the sandbox");
    }
  else if (!postier_sandbox_maildir_deliver (maildir, name, session->envelope, &error))
    {
      g_debug ("session: %s", error->message);
      reply (session, "451 4.3.0 Cannot store the message in the sandbox");
    }
  else
    {
      g_autofree char *line = g_strdup_printf ("250 2.0.0 Ok: captured as %s", name);
      reply (session, line);
      if (session->config->stored != NULL)
        session->config->stored (name, session->config->stored_data);
    }
  reset_transaction (session);
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
      reply_error (session, "500 5.5.2 Syntax error");
      return;
    }

  if (g_ascii_strcasecmp (verb, "EHLO") == 0)
    do_ehlo (session, args, TRUE);
  else if (g_ascii_strcasecmp (verb, "HELO") == 0)
    do_ehlo (session, args, FALSE);
  else if (g_ascii_strcasecmp (verb, "STARTTLS") == 0)
    do_starttls (session, args);
  else if (g_ascii_strcasecmp (verb, "AUTH") == 0)
    do_auth (session, args);
  else if (g_ascii_strcasecmp (verb, "MAIL") == 0)
    do_mail (session, args);
  else if (g_ascii_strcasecmp (verb, "RCPT") == 0)
    do_rcpt (session, args);
  else if (g_ascii_strcasecmp (verb, "DATA") == 0)
    do_data (session, args);
  else if (g_ascii_strcasecmp (verb, "RSET") == 0)
    {
      reset_transaction (session);
      reply (session, "250 2.0.0 Ok");
    }
  else if (g_ascii_strcasecmp (verb, "NOOP") == 0)
    reply (session, "250 2.0.0 Ok");
  else if (g_ascii_strcasecmp (verb, "QUIT") == 0)
    {
      reply (session, "221 2.0.0 Bye");
      session->closing = TRUE;
    }
  else if (g_ascii_strcasecmp (verb, "VRFY") == 0)
    reply (session, "252 2.5.2 Cannot VRFY user, but will accept message");
  else if (g_ascii_strcasecmp (verb, "HELP") == 0)
    reply (session, "214 2.0.0 Postier Sandbox: mail is captured here and never sent on");
  else
    reply_error (session, "502 5.5.2 Command not recognized");
}

/* Closing a socket with unread input makes the kernel reset the
 * connection, and a reset can destroy our last reply (a 421) before the
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

  reply (&session, "220 localhost ESMTP Postier Sandbox (mail stays on this computer)");

  while (!session.closing)
    {
      g_autofree char *line = NULL;
      gsize length = 0;
      LineStatus status = read_line (&session, &line, &length);

      if (status == LINE_CLOSED)
        break;
      if (++session.commands > limits->max_commands)
        {
          reply (&session, "421 4.7.0 Too many commands, closing connection");
          break;
        }
      if (status == LINE_TOO_LONG)
        reply_error (&session, "500 5.5.2 Line too long");
      else
        dispatch (&session, line, length);

      if (session.bad_commands > limits->max_bad_commands)
        {
          reply (&session, "421 4.7.0 Too many errors, closing connection");
          break;
        }
      if (g_get_monotonic_time () >= session.deadline)
        {
          reply (&session, "421 4.4.2 Session too long, closing connection");
          break;
        }
    }

  flush_replies (&session);
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
