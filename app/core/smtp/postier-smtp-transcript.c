/* postier-smtp-transcript.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-smtp-transcript"

#include "config.h"

#include <string.h>

#include "postier-smtp-transcript.h"

struct _PostierSmtpTranscript {
  GString  *text;
  gboolean  truncated;
};

PostierSmtpTranscript *
postier_smtp_transcript_new (void)
{
  PostierSmtpTranscript *self = g_new0 (PostierSmtpTranscript, 1);

  self->text = g_string_new (NULL);
  return self;
}

void
postier_smtp_transcript_free (PostierSmtpTranscript *self)
{
  if (self == NULL)
    return;
  g_string_free (self->text, TRUE);
  g_free (self);
}

static gboolean
has_room (PostierSmtpTranscript *self,
          gsize                  length)
{
  if (self->text->len + length <= POSTIER_SMTP_TRANSCRIPT_MAX)
    return TRUE;
  if (!self->truncated)
    {
      g_string_append (self->text, "-- [transcript truncated]\n");
      self->truncated = TRUE;
    }
  return FALSE;
}

static void
append_line (PostierSmtpTranscript *self,
             const char            *prefix,
             const char            *text,
             gsize                  length)
{
  if (!has_room (self, length + 4))
    return;
  g_string_append (self->text, prefix);
  /* Never let a CR or LF inside a value split the line (or forge one). */
  for (gsize i = 0; i < length; i++)
    g_string_append_c (self->text, text[i] == '\r' || text[i] == '\n' ? ' ' : text[i]);
  g_string_append_c (self->text, '\n');
}

void
postier_smtp_transcript_client (PostierSmtpTranscript *self,
                                const char            *command)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (command != NULL);

  if (g_ascii_strncasecmp (command, "AUTH ", 5) == 0)
    {
      const char *mechanism = command + 5;
      gsize mechanism_length = strcspn (mechanism, " ");

      if (mechanism[mechanism_length] != '\0')
        {
          g_autofree char *safe = g_strdup_printf ("AUTH %.*s " POSTIER_SMTP_REDACTED,
                                                   (int) mechanism_length, mechanism);
          append_line (self, "C: ", safe, strlen (safe));
          return;
        }
    }
  append_line (self, "C: ", command, strlen (command));
}

void
postier_smtp_transcript_client_secret (PostierSmtpTranscript *self)
{
  g_return_if_fail (self != NULL);
  append_line (self, "C: ", POSTIER_SMTP_REDACTED, strlen (POSTIER_SMTP_REDACTED));
}

void
postier_smtp_transcript_server (PostierSmtpTranscript  *self,
                                const PostierSmtpReply *reply)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (reply != NULL);

  if (reply->code == 334)
    {
      append_line (self, "S: ", "334 " POSTIER_SMTP_REDACTED, strlen ("334 " POSTIER_SMTP_REDACTED));
      return;
    }

  for (guint i = 0; reply->lines[i] != NULL; i++)
    {
      g_autofree char *line = NULL;
      char separator = reply->lines[i + 1] != NULL ? '-' : ' ';

      if (reply->status_class != 0)
        line = g_strdup_printf ("%03u%c%u.%u.%u %s", reply->code, separator, reply->status_class,
                                reply->status_subject, reply->status_detail, reply->lines[i]);
      else
        line = g_strdup_printf ("%03u%c%s", reply->code, separator, reply->lines[i]);
      append_line (self, "S: ", line, strlen (line));
    }
}

void
postier_smtp_transcript_note (PostierSmtpTranscript *self,
                              const char            *format,
                              ...)
{
  g_autofree char *text = NULL;
  va_list args;

  g_return_if_fail (self != NULL);

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  append_line (self, "-- ", text, strlen (text));
}

char *
postier_smtp_transcript_take (PostierSmtpTranscript *self)
{
  char *text;

  g_return_val_if_fail (self != NULL, NULL);

  text = g_strndup (self->text->str, self->text->len);
  g_string_truncate (self->text, 0);
  self->truncated = FALSE;
  return text;
}
