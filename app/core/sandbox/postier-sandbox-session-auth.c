/* postier-sandbox-session-auth.c — the Sandbox receiver's AUTH PLAIN
 *
 * Split from postier-sandbox-session.c: the one place that sees a
 * client's password, so it is easy to read whole. The password is
 * compared in constant time and wiped from every buffer that held it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-sandbox"

#include "config.h"

#include <openssl/crypto.h>

#include "postier-sandbox-session-private.h"

#define MAX_AUTH_FAILURES 3

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

/* What AUTH needs before it may run; FALSE after replying. */
static gboolean
may_authenticate (Session    *session,
                  const char *mechanism)
{
  if (session->ssl == NULL)
    {
      _postier_sandbox_session_reply_error (session, "538 5.7.11 Encryption required for requested authentication mechanism");
      return FALSE;
    }
  if (!session->esmtp)
    {
      _postier_sandbox_session_reply_error (session, "503 5.5.1 Send EHLO first");
      return FALSE;
    }
  if (session->authenticated)
    {
      _postier_sandbox_session_reply_error (session, "503 5.5.1 Already authenticated");
      return FALSE;
    }
  if (session->envelope->sender != NULL)
    {
      _postier_sandbox_session_reply_error (session, "503 5.5.1 Not during a mail transaction");
      return FALSE;
    }
  if (g_ascii_strcasecmp (mechanism, "PLAIN") != 0)
    {
      _postier_sandbox_session_reply_error (session, "504 5.5.4 Unrecognized authentication type");
      return FALSE;
    }
  if (session->config->password == NULL || session->config->login == NULL)
    {
      _postier_sandbox_session_reply (session, "454 4.7.0 Temporary authentication failure");
      return FALSE;
    }
  return TRUE;
}

/* The client's response: the initial response after the mechanism, or
 * the line it sends after our empty challenge. NULL after replying (or
 * with the session closing). */
static char *
read_response (Session    *session,
               const char *space)
{
  g_autofree char *response = NULL;
  gsize length;
  LineStatus status;

  if (space != NULL)
    return g_strdup (space + 1);

  _postier_sandbox_session_reply (session, "334 ");
  status = _postier_sandbox_session_read_line (session, &response, &length);
  if (status == LINE_CLOSED)
    {
      session->closing = TRUE;
      return NULL;
    }
  if (status == LINE_TOO_LONG)
    {
      _postier_sandbox_session_reply_error (session, "500 5.5.6 Authentication exchange line is too long");
      return NULL;
    }
  if (g_str_equal (response, "*"))
    {
      _postier_sandbox_session_reply_error (session, "501 5.0.0 Authentication cancelled");
      return NULL;
    }
  return g_steal_pointer (&response);
}

void
_postier_sandbox_session_auth (Session    *session,
                               const char *args)
{
  g_autofree char *response = NULL;
  g_autofree char *login = NULL;
  const char *space = strchr (args, ' ');
  g_autofree char *mechanism = space ? g_strndup (args, (gsize) (space - args)) : g_strdup (args);

  if (!may_authenticate (session, mechanism))
    return;
  response = read_response (session, space);
  if (response == NULL)
    return;
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
      _postier_sandbox_session_reply (session, "235 2.7.0 Authentication successful");
    }
  else
    {
      session->auth_failures++;
      _postier_sandbox_session_reply_error (session, "535 5.7.8 Authentication credentials invalid");
      if (session->auth_failures >= MAX_AUTH_FAILURES)
        {
          _postier_sandbox_session_reply (session, "421 4.7.0 Too many authentication failures, closing connection");
          session->closing = TRUE;
        }
    }
  explicit_bzero (response, strlen (response));
}
