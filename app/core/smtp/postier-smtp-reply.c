/* postier-smtp-reply.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-smtp-reply"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "postier-error.h"
#include "postier-smtp-reply.h"

/* Characters of a malformed line quoted in the error: enough to recognise
 * it, short enough for a message shown to people. */
#define SHOWN_LINE_MAX 60

struct _PostierSmtpReplyParser {
  GString   *line;       /* the line being read, without its end */
  GPtrArray *lines;      /* text of the lines read so far in this reply */
  guint      code;       /* code of the first line, 0 before it */
  guint      status[3];
};

/* ---------------------------------------------------------------------- */
/* Replies */

static gboolean
parse_number (const char **p,
              guint        max_digits,
              guint       *value)
{
  guint digits = 0;

  *value = 0;
  while (g_ascii_isdigit (**p) && digits < max_digits)
    {
      *value = *value * 10 + (guint) (**p - '0');
      (*p)++;
      digits++;
    }
  return digits > 0 && !g_ascii_isdigit (**p);
}

/* Reads "class.subject.detail" at the start of TEXT when its class is the
 * code's first digit (RFC 3463 §2); returns the text after it, or NULL. */
static const char *
skip_enhanced_status (const char *text,
                      guint       code,
                      guint       status[3])
{
  const char *p = text;
  guint class, subject, detail;

  if (!parse_number (&p, 1, &class) || class != code / 100 || *p++ != '.')
    return NULL;
  if (!parse_number (&p, 3, &subject) || *p++ != '.')
    return NULL;
  if (!parse_number (&p, 3, &detail))
    return NULL;
  if (*p != ' ' && *p != '\0')
    return NULL;
  if (status != NULL)
    {
      status[0] = class;
      status[1] = subject;
      status[2] = detail;
    }
  return *p == ' ' ? p + 1 : p;
}

PostierSmtpReply *
postier_smtp_reply_new (guint       code,
                        const char *text)
{
  PostierSmtpReply *reply = g_new0 (PostierSmtpReply, 1);
  guint status[3] = { 0, 0, 0 };
  const char *rest;

  reply->code = code;
  rest = text != NULL ? skip_enhanced_status (text, code, status) : NULL;
  reply->status_class = status[0];
  reply->status_subject = status[1];
  reply->status_detail = status[2];
  reply->lines = g_new0 (char *, 2);
  reply->lines[0] = g_strdup (rest != NULL ? rest : text != NULL ? text : "");
  return reply;
}

void
postier_smtp_reply_free (PostierSmtpReply *reply)
{
  if (reply == NULL)
    return;
  g_strfreev (reply->lines);
  g_free (reply);
}

char *
postier_smtp_reply_get_enhanced_status (const PostierSmtpReply *reply)
{
  g_return_val_if_fail (reply != NULL, NULL);

  if (reply->status_class == 0)
    return NULL;
  return g_strdup_printf ("%u.%u.%u", reply->status_class, reply->status_subject, reply->status_detail);
}

char *
postier_smtp_reply_to_string (const PostierSmtpReply *reply)
{
  GString *text;

  g_return_val_if_fail (reply != NULL, NULL);

  text = g_string_new (NULL);
  g_string_append_printf (text, "%03u", reply->code);
  if (reply->status_class != 0)
    g_string_append_printf (text, " %u.%u.%u", reply->status_class, reply->status_subject,
                            reply->status_detail);
  for (guint i = 0; reply->lines[i] != NULL; i++)
    if (*reply->lines[i] != '\0')
      {
        g_string_append_c (text, ' ');
        g_string_append (text, reply->lines[i]);
      }
  return g_string_free (text, FALSE);
}

gboolean
postier_smtp_reply_is_positive (const PostierSmtpReply *reply)
{
  g_return_val_if_fail (reply != NULL, FALSE);
  return reply->code >= 200 && reply->code < 400;
}

/* ---------------------------------------------------------------------- */
/* The parser */

PostierSmtpReplyParser *
postier_smtp_reply_parser_new (void)
{
  PostierSmtpReplyParser *self = g_new0 (PostierSmtpReplyParser, 1);

  self->line = g_string_sized_new (128);
  self->lines = g_ptr_array_new_with_free_func (g_free);
  return self;
}

void
postier_smtp_reply_parser_free (PostierSmtpReplyParser *self)
{
  if (self == NULL)
    return;
  g_string_free (self->line, TRUE);
  g_ptr_array_unref (self->lines);
  g_free (self);
}

void
postier_smtp_reply_parser_reset (PostierSmtpReplyParser *self)
{
  g_return_if_fail (self != NULL);

  g_string_truncate (self->line, 0);
  g_ptr_array_set_size (self->lines, 0);
  self->code = 0;
  memset (self->status, 0, sizeof self->status);
}

gboolean
postier_smtp_reply_parser_in_reply (PostierSmtpReplyParser *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->code != 0 || self->line->len > 0;
}

/* Control characters from a server end up in transcripts, notifications and
 * terminals: none of them may pass. */
static char *
sanitize_text (const char *text,
               gsize       length)
{
  g_autofree char *copy = g_strndup (text, length);

  for (gsize i = 0; i < length; i++)
    {
      guchar c = (guchar) copy[i];
      if ((c < 0x20 && c != '\t') || c == 0x7f)
        copy[i] = '?';
    }
  return g_utf8_make_valid (copy, (gssize) length);
}

static gboolean
protocol_error (GError    **error,
                const char *reason,
                const char *line)
{
  g_autofree char *shown = sanitize_text (line, MIN (strlen (line), SHOWN_LINE_MAX));

  g_set_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_PROTOCOL,
               _("The server sent a malformed reply (%s): “%s”"), reason, shown);
  return FALSE;
}

/* Handles one complete line (without its end). Sets *DONE when it was the
 * last line of a reply. */
static gboolean
take_line (PostierSmtpReplyParser *self,
           const char             *line,
           gsize                   length,
           gboolean               *done,
           GError                **error)
{
  guint code;
  char separator;
  const char *text;
  const char *rest;
  guint status[3] = { 0, 0, 0 };

  *done = FALSE;

  if (length < 3 || !g_ascii_isdigit (line[0]) || !g_ascii_isdigit (line[1]) ||
      !g_ascii_isdigit (line[2]) || line[0] < '2' || line[0] > '5')
    return protocol_error (error, _("no reply code"), line);
  separator = length > 3 ? line[3] : ' ';
  if (separator != ' ' && separator != '-')
    return protocol_error (error, _("no separator after the code"), line);

  code = (guint) ((line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0'));
  if (self->code != 0 && code != self->code)
    return protocol_error (error, _("the code changed within a reply"), line);
  if (self->lines->len >= POSTIER_SMTP_REPLY_MAX_LINES)
    return protocol_error (error, _("too many lines"), line);

  text = length > 4 ? line + 4 : "";
  rest = skip_enhanced_status (text, code, status);
  if (self->code == 0)
    {
      self->code = code;
      if (rest != NULL)
        memcpy (self->status, status, sizeof status);
    }
  /* Later lines repeat the status; drop it there too, but only when it is
   * the same one, so a keyword that merely looks like one survives. */
  if (rest != NULL && memcmp (self->status, status, sizeof status) != 0)
    rest = NULL;
  if (rest != NULL)
    text = rest;

  g_ptr_array_add (self->lines, sanitize_text (text, strlen (text)));
  *done = separator == ' ';
  return TRUE;
}

gsize
postier_smtp_reply_parser_feed (PostierSmtpReplyParser *self,
                                const char             *data,
                                gsize                   length,
                                PostierSmtpReply      **reply,
                                GError                **error)
{
  gsize used = 0;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (data != NULL || length == 0, 0);
  g_return_val_if_fail (reply != NULL && *reply == NULL, 0);

  while (used < length)
    {
      const char *start = data + used;
      const char *newline = memchr (start, '\n', length - used);
      gsize chunk = newline != NULL ? (gsize) (newline - start) : length - used;
      gboolean done;

      if (self->line->len + chunk > POSTIER_SMTP_REPLY_MAX_LINE)
        {
          gsize room = POSTIER_SMTP_REPLY_MAX_LINE - self->line->len;

          g_string_append_len (self->line, start, (gssize) room);
          used += room;
          g_set_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_PROTOCOL,
                       _("The server sent a reply line longer than %u bytes"),
                       POSTIER_SMTP_REPLY_MAX_LINE);
          return used;
        }

      g_string_append_len (self->line, start, (gssize) chunk);
      used += chunk;
      if (newline == NULL)
        break;
      used++; /* the '\n' */

      /* CRLF is the rule, a bare LF is tolerated. An embedded NUL cannot
       * hide the rest of a line from the checks below. */
      if (self->line->len > 0 && self->line->str[self->line->len - 1] == '\r')
        g_string_truncate (self->line, self->line->len - 1);
      if (memchr (self->line->str, '\0', self->line->len) != NULL)
        {
          protocol_error (error, _("a NUL byte"), self->line->str);
          return used;
        }

      if (!take_line (self, self->line->str, self->line->len, &done, error))
        return used;
      g_string_truncate (self->line, 0);

      if (done)
        {
          PostierSmtpReply *complete = g_new0 (PostierSmtpReply, 1);

          complete->code = self->code;
          complete->status_class = self->status[0];
          complete->status_subject = self->status[1];
          complete->status_detail = self->status[2];
          g_ptr_array_add (self->lines, NULL);
          complete->lines = (char **) g_ptr_array_steal (self->lines, NULL);
          self->code = 0;
          memset (self->status, 0, sizeof self->status);
          *reply = complete;
          return used;
        }
    }
  return used;
}

/* ---------------------------------------------------------------------- */
/* EHLO */

static void
add_mechanisms (GPtrArray  *mechanisms,
                const char *list)
{
  g_auto(GStrv) words = g_strsplit_set (list, " \t", -1);

  for (guint i = 0; words[i] != NULL; i++)
    {
      g_autofree char *name = g_ascii_strup (words[i], -1);
      gboolean seen = FALSE;

      if (*name == '\0')
        continue;
      for (guint j = 0; j < mechanisms->len && !seen; j++)
        seen = g_str_equal (g_ptr_array_index (mechanisms, j), name);
      if (!seen)
        g_ptr_array_add (mechanisms, g_steal_pointer (&name));
    }
}

PostierSmtpEhlo *
postier_smtp_ehlo_parse (const PostierSmtpReply *reply)
{
  static const struct {
    const char              *keyword;
    PostierSmtpCapabilities  flag;
  } known[] = {
    { "STARTTLS", POSTIER_SMTP_CAP_STARTTLS },
    { "SIZE", POSTIER_SMTP_CAP_SIZE },
    { "PIPELINING", POSTIER_SMTP_CAP_PIPELINING },
    { "8BITMIME", POSTIER_SMTP_CAP_8BITMIME },
    { "SMTPUTF8", POSTIER_SMTP_CAP_SMTPUTF8 },
    { "ENHANCEDSTATUSCODES", POSTIER_SMTP_CAP_ENHANCEDSTATUSCODES },
    { "DSN", POSTIER_SMTP_CAP_DSN },
    { "AUTH", POSTIER_SMTP_CAP_AUTH },
    { "CHUNKING", POSTIER_SMTP_CAP_CHUNKING },
  };
  PostierSmtpEhlo *ehlo;
  g_autoptr(GPtrArray) mechanisms = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);

  g_return_val_if_fail (reply != NULL, NULL);

  ehlo = g_new0 (PostierSmtpEhlo, 1);
  /* The first line is the server's name and greeting, not a keyword. */
  for (guint i = 1; reply->lines[0] != NULL && reply->lines[i] != NULL; i++)
    {
      const char *line = reply->lines[i];
      gsize keyword_length = strcspn (line, " =");
      const char *params = line + keyword_length;

      if (keyword_length == 0)
        continue;
      g_ptr_array_add (lines, g_strdup (line));

      /* "AUTH=LOGIN PLAIN" is what some old servers still say. */
      if (*params == '=' && keyword_length == 4 && g_ascii_strncasecmp (line, "AUTH", 4) == 0)
        {
          ehlo->flags |= POSTIER_SMTP_CAP_AUTH;
          add_mechanisms (mechanisms, params + 1);
          continue;
        }
      if (*params == '=')
        continue;
      while (*params == ' ')
        params++;

      for (guint k = 0; k < G_N_ELEMENTS (known); k++)
        {
          if (strlen (known[k].keyword) != keyword_length ||
              g_ascii_strncasecmp (line, known[k].keyword, keyword_length) != 0)
            continue;
          ehlo->flags |= known[k].flag;
          if (known[k].flag == POSTIER_SMTP_CAP_SIZE)
            {
              guint64 size = 0;

              if (*params != '\0' &&
                  g_ascii_string_to_unsigned (params, 10, 0, G_MAXUINT64, &size, NULL))
                ehlo->size_limit = size;
            }
          else if (known[k].flag == POSTIER_SMTP_CAP_AUTH)
            add_mechanisms (mechanisms, params);
        }
    }

  g_ptr_array_add (mechanisms, NULL);
  ehlo->auth_mechanisms = (char **) g_ptr_array_steal (mechanisms, NULL);
  g_ptr_array_add (lines, NULL);
  ehlo->lines = (char **) g_ptr_array_steal (lines, NULL);
  return ehlo;
}

void
postier_smtp_ehlo_free (PostierSmtpEhlo *ehlo)
{
  if (ehlo == NULL)
    return;
  g_strfreev (ehlo->auth_mechanisms);
  g_strfreev (ehlo->lines);
  g_free (ehlo);
}

gboolean
postier_smtp_ehlo_has_auth_mechanism (const PostierSmtpEhlo *ehlo,
                                      const char            *mechanism)
{
  g_return_val_if_fail (ehlo != NULL, FALSE);
  g_return_val_if_fail (mechanism != NULL, FALSE);

  for (guint i = 0; ehlo->auth_mechanisms[i] != NULL; i++)
    if (g_ascii_strcasecmp (ehlo->auth_mechanisms[i], mechanism) == 0)
      return TRUE;
  return FALSE;
}
