/* postier-sent-message.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-sent"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <string.h>

#include "postier-init.h"
#include "postier-error.h"
#include "postier-gmime.h"
#include "postier-sent-message.h"

/* A header block larger than this is not one we wrote. */
#define HEADER_SCAN_LIMIT (256 * 1024)

struct _PostierSentMessage
{
  GObject   parent_instance;

  char     *path;
  gint64    sent_time;
  char     *account_name;
  gboolean  possible_duplicate;
  char     *subject;
  char     *message_id;
  char     *recipients;
};

G_DEFINE_FINAL_TYPE (PostierSentMessage, postier_sent_message, G_TYPE_OBJECT)

static void
postier_sent_message_finalize (GObject *object)
{
  PostierSentMessage *self = POSTIER_SENT_MESSAGE (object);

  g_free (self->path);
  g_free (self->account_name);
  g_free (self->subject);
  g_free (self->message_id);
  g_free (self->recipients);

  G_OBJECT_CLASS (postier_sent_message_parent_class)->finalize (object);
}

static void
postier_sent_message_class_init (PostierSentMessageClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = postier_sent_message_finalize;
}

static void
postier_sent_message_init (PostierSentMessage *self)
{
  self->account_name = g_strdup ("");
  self->subject = g_strdup ("");
  self->message_id = g_strdup ("");
  self->recipients = g_strdup ("");
}

/* Reads up to the blank line that ends the headers, whatever the line
 * ends; what follows is never read. */
static GMimeMessage *
parse_header_block (const char  *path,
                    GError     **error)
{
  g_autoptr(GMimeStream) file_stream = NULL;
  g_autoptr(GMimeStream) header_stream = NULL;
  g_autoptr(GMimeParser) parser = NULL;
  g_autofree char *buffer = g_malloc (HEADER_SCAN_LIMIT + 2);
  GMimeMessage *message;
  gsize length = 0;
  const char *end = NULL;
  int fd;

  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Cannot read “%s”: %s"), path, g_strerror (saved_errno));
      return NULL;
    }
  file_stream = g_mime_stream_fs_new (fd);

  while (length < HEADER_SCAN_LIMIT && end == NULL)
    {
      gssize n = g_mime_stream_read (file_stream, buffer + length, HEADER_SCAN_LIMIT - length);
      const char *search_from;

      if (n <= 0)
        break;
      /* A boundary may straddle two reads. */
      search_from = buffer + (length >= 3 ? length - 3 : 0);
      length += (gsize) n;
      end = g_strstr_len (search_from, buffer + length - search_from, "\n\n");
      if (end == NULL)
        end = g_strstr_len (search_from, buffer + length - search_from, "\n\r\n");
    }
  if (end != NULL)
    length = (gsize) (end - buffer) + 1;
  memcpy (buffer + length, "\n", 1);
  length += 1;

  header_stream = g_mime_stream_mem_new_with_buffer (buffer, length);
  parser = g_mime_parser_new_with_stream (header_stream);
  message = g_mime_parser_construct_message (parser, NULL);
  if (message == NULL)
    g_set_error (error, POSTIER_MESSAGE_ERROR, POSTIER_MESSAGE_ERROR_MALFORMED,
                 _("“%s” is not a mail message"), path);
  return message;
}

/* "<date>; account="<name>"[; possible-duplicate]", as the sent store
 * writes it. */
static void
parse_sent_header (PostierSentMessage *self,
                   const char         *value)
{
  g_auto(GStrv) fields = g_strsplit (value, ";", 2);
  g_autoptr(GDateTime) time = NULL;
  const char *rest;

  time = g_mime_utils_header_decode_date (fields[0]);
  if (time != NULL)
    self->sent_time = g_date_time_to_unix (time);

  rest = fields[0] != NULL ? fields[1] : NULL;
  while (rest != NULL && *rest != '\0')
    {
      while (*rest == ' ' || *rest == '\t' || *rest == ';')
        rest++;
      if (g_str_has_prefix (rest, "account=\""))
        {
          g_autoptr(GString) name = g_string_new (NULL);

          for (rest += strlen ("account=\""); *rest != '\0' && *rest != '"'; rest++)
            {
              if (*rest == '\\' && rest[1] != '\0')
                rest++;
              g_string_append_c (name, *rest);
            }
          if (*rest == '"')
            rest++;
          g_free (self->account_name);
          self->account_name = g_string_free (g_steal_pointer (&name), FALSE);
        }
      else if (g_str_has_prefix (rest, "possible-duplicate"))
        {
          self->possible_duplicate = TRUE;
          rest += strlen ("possible-duplicate");
        }
      else
        {
          rest = strchr (rest, ';');
        }
    }
}

static void
append_addresses (GString             *text,
                  InternetAddressList *list)
{
  g_autofree char *shown = NULL;

  if (list == NULL || internet_address_list_length (list) == 0)
    return;
  shown = internet_address_list_to_string (list, NULL, FALSE);
  if (text->len > 0)
    g_string_append (text, ", ");
  g_string_append (text, shown);
}

PostierSentMessage *
postier_sent_message_new_from_file (const char  *path,
                                    GError     **error)
{
  g_autoptr(PostierSentMessage) self = NULL;
  g_autoptr(GMimeMessage) message = NULL;
  g_autoptr(GString) recipients = g_string_new (NULL);
  const char *sent_header;
  const char *value;

  g_return_val_if_fail (path != NULL, NULL);

  postier_core_init ();

  message = parse_header_block (path, error);
  if (message == NULL)
    return NULL;

  self = g_object_new (POSTIER_TYPE_SENT_MESSAGE, NULL);
  self->path = g_strdup (path);

  sent_header = g_mime_object_get_header (GMIME_OBJECT (message), POSTIER_SENT_HEADER);
  if (sent_header != NULL)
    parse_sent_header (self, sent_header);
  if (self->sent_time == 0)
    {
      GDateTime *date = g_mime_message_get_date (message);
      if (date != NULL)
        self->sent_time = g_date_time_to_unix (date);
    }

  if ((value = g_mime_message_get_subject (message)) != NULL)
    {
      g_free (self->subject);
      self->subject = g_strdup (value);
    }
  if ((value = g_mime_message_get_message_id (message)) != NULL)
    {
      g_free (self->message_id);
      self->message_id = g_strdup (value);
    }

  append_addresses (recipients, g_mime_message_get_to (message));
  append_addresses (recipients, g_mime_message_get_cc (message));
  g_free (self->recipients);
  self->recipients = g_string_free (g_steal_pointer (&recipients), FALSE);

  return g_steal_pointer (&self);
}

const char *
postier_sent_message_get_path (PostierSentMessage *self)
{
  g_return_val_if_fail (POSTIER_IS_SENT_MESSAGE (self), NULL);
  return self->path;
}

gint64
postier_sent_message_get_sent_time (PostierSentMessage *self)
{
  g_return_val_if_fail (POSTIER_IS_SENT_MESSAGE (self), 0);
  return self->sent_time;
}

const char *
postier_sent_message_get_account_name (PostierSentMessage *self)
{
  g_return_val_if_fail (POSTIER_IS_SENT_MESSAGE (self), NULL);
  return self->account_name;
}

gboolean
postier_sent_message_get_possible_duplicate (PostierSentMessage *self)
{
  g_return_val_if_fail (POSTIER_IS_SENT_MESSAGE (self), FALSE);
  return self->possible_duplicate;
}

const char *
postier_sent_message_get_subject (PostierSentMessage *self)
{
  g_return_val_if_fail (POSTIER_IS_SENT_MESSAGE (self), NULL);
  return self->subject;
}

const char *
postier_sent_message_get_message_id (PostierSentMessage *self)
{
  g_return_val_if_fail (POSTIER_IS_SENT_MESSAGE (self), NULL);
  return self->message_id;
}

const char *
postier_sent_message_get_recipients (PostierSentMessage *self)
{
  g_return_val_if_fail (POSTIER_IS_SENT_MESSAGE (self), NULL);
  return self->recipients;
}
