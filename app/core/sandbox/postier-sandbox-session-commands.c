/* postier-sandbox-session-commands.c — the Sandbox receiver's EHLO, MAIL
 * and RCPT, and the paths and parameters they carry
 *
 * Split from postier-sandbox-session.c (which keeps the reading, writing,
 * STARTTLS and the dispatch) so each file stays one job: here, what a
 * command line may say and what the session learns from it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-sandbox"

#include "config.h"

#include "postier-sandbox-session-private.h"

#define MAX_PATH_OCTETS 256      /* RFC 5321 4.5.3.1.3 */
#define MAX_HELO_OCTETS 255

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
      _postier_sandbox_session_reply_error (session, "501 5.1.3 Path too long");
      break;
    case PATH_NEEDS_SMTPUTF8:
      _postier_sandbox_session_reply_error (session, "553 5.6.7 Non-ASCII address requires SMTPUTF8");
      break;
    default:
      _postier_sandbox_session_reply_error (session, "501 5.1.7 Bad address syntax");
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
              _postier_sandbox_session_reply_error (session, "501 5.5.4 Bad SIZE parameter");
              return FALSE;
            }
          if (size > session->config->limits.max_message_size)
            {
              _postier_sandbox_session_reply_error (session, "552 5.3.4 Message size exceeds fixed maximum message size");
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
          _postier_sandbox_session_reply_error (session, "555 5.5.4 Unsupported MAIL FROM parameter");
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

void
_postier_sandbox_session_reset_transaction (Session *session)
{
  postier_sandbox_envelope_reset (session->envelope);
}

void
_postier_sandbox_session_ehlo (Session    *session,
                               const char *args,
                               gboolean    extended)
{
  g_autofree char *size_line = NULL;

  if (*args == '\0')
    {
      _postier_sandbox_session_reply_error (session, extended ? "501 5.5.4 Syntax: EHLO hostname"
                                     : "501 5.5.4 Syntax: HELO hostname");
      return;
    }
  _postier_sandbox_session_reset_transaction (session);
  g_free (session->envelope->helo);
  session->envelope->helo = g_strndup (args, MAX_HELO_OCTETS);
  session->greeted = TRUE;
  session->esmtp = extended;

  if (!extended)
    {
      _postier_sandbox_session_reply (session, "250 localhost");
      return;
    }
  size_line = g_strdup_printf ("250-SIZE %" G_GUINT64_FORMAT, session->config->limits.max_message_size);
  _postier_sandbox_session_reply (session, "250-localhost Postier Sandbox");
  _postier_sandbox_session_reply (session, "250-PIPELINING");
  _postier_sandbox_session_reply (session, size_line);
  if (session->ssl == NULL)
    _postier_sandbox_session_reply (session, "250-STARTTLS");
  else if (!session->authenticated)
    _postier_sandbox_session_reply (session, "250-AUTH PLAIN");
  _postier_sandbox_session_reply (session, "250-8BITMIME");
  _postier_sandbox_session_reply (session, "250-SMTPUTF8");
  _postier_sandbox_session_reply (session, "250 ENHANCEDSTATUSCODES");
}

/* What MAIL and RCPT need before they may run; FALSE after replying. */
static gboolean
may_transact (Session *session)
{
  if (!session->greeted)
    {
      _postier_sandbox_session_reply_error (session, "503 5.5.1 Send HELO or EHLO first");
      return FALSE;
    }
  if (session->ssl == NULL)
    {
      _postier_sandbox_session_reply_error (session, "530 5.7.0 Must issue a STARTTLS command first");
      return FALSE;
    }
  if (!session->authenticated)
    {
      _postier_sandbox_session_reply_error (session, "530 5.7.0 Authentication required");
      return FALSE;
    }
  return TRUE;
}

void
_postier_sandbox_session_mail (Session    *session,
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
      _postier_sandbox_session_reply_error (session, "503 5.5.1 Nested MAIL command");
      return;
    }
  if (after == NULL)
    {
      _postier_sandbox_session_reply_error (session, "501 5.5.4 Syntax: MAIL FROM:<address>");
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
  _postier_sandbox_session_reply (session, "250 2.1.0 Ok");
}

void
_postier_sandbox_session_rcpt (Session    *session,
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
      _postier_sandbox_session_reply_error (session, "503 5.5.1 Need MAIL command");
      return;
    }
  if (after == NULL)
    {
      _postier_sandbox_session_reply_error (session, "501 5.5.4 Syntax: RCPT TO:<address>");
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
      _postier_sandbox_session_reply_error (session, "501 5.1.3 Empty recipient");
      return;
    }
  while (*rest == ' ')
    rest++;
  if (*rest != '\0')
    {
      _postier_sandbox_session_reply_error (session, "555 5.5.4 Unsupported RCPT TO parameter");
      return;
    }
  if (session->envelope->recipients->len >= session->config->limits.max_recipients)
    {
      _postier_sandbox_session_reply (session, "452 4.5.3 Too many recipients");
      return;
    }
  g_ptr_array_add (session->envelope->recipients, g_steal_pointer (&path));
  _postier_sandbox_session_reply (session, "250 2.1.5 Ok");
}

