/* postier-sandbox-message.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-sandbox"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "postier-error.h"
#include "postier-gmime.h"
#include "postier-sandbox-message-private.h"

/* Summary headers never need more than this; a message whose header block
 * is longer is still listed, with what fits. */
#define MAX_HEADER_BLOCK (256 * 1024)

struct _PostierSandboxMessage
{
  GObject    parent_instance;

  char      *id;
  char      *path;
  GDateTime *received;
  GDateTime *date;
  char      *from;
  char      *subject;
  char      *message_id;
  guint64    size;

  char      *sender;
  GStrv      recipients;
  char      *helo;
  char      *login;
  char      *tls;
  char      *mail_parameters;
  gboolean   smtputf8;
};

G_DEFINE_FINAL_TYPE (PostierSandboxMessage, postier_sandbox_message, G_TYPE_OBJECT)

static void
postier_sandbox_message_finalize (GObject *object)
{
  PostierSandboxMessage *self = POSTIER_SANDBOX_MESSAGE (object);

  g_free (self->id);
  g_free (self->path);
  g_clear_pointer (&self->received, g_date_time_unref);
  g_clear_pointer (&self->date, g_date_time_unref);
  g_free (self->from);
  g_free (self->subject);
  g_free (self->message_id);
  g_free (self->sender);
  g_strfreev (self->recipients);
  g_free (self->helo);
  g_free (self->login);
  g_free (self->tls);
  g_free (self->mail_parameters);

  G_OBJECT_CLASS (postier_sandbox_message_parent_class)->finalize (object);
}

static void
postier_sandbox_message_class_init (PostierSandboxMessageClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = postier_sandbox_message_finalize;
}

static void
postier_sandbox_message_init (G_GNUC_UNUSED PostierSandboxMessage *self)
{
}

/* The header block: up to and including the first empty line. */
static GByteArray *
read_header_block (int fd)
{
  g_autoptr(GByteArray) block = g_byte_array_new ();
  guint8 buffer[8192];

  while (block->len < MAX_HEADER_BLOCK)
    {
      ssize_t n = read (fd, buffer, sizeof buffer);
      guint8 *end;

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      g_byte_array_append (block, buffer, (guint) n);
      if ((end = memmem (block->data, block->len, "\r\n\r\n", 4)) != NULL)
        {
          g_byte_array_set_size (block, (guint) (end - block->data) + 4);
          break;
        }
      if ((end = memmem (block->data, block->len, "\n\n", 2)) != NULL)
        {
          g_byte_array_set_size (block, (guint) (end - block->data) + 2);
          break;
        }
    }
  return g_steal_pointer (&block);
}

static void
read_summary (PostierSandboxMessage *self,
              int                    fd)
{
  g_autoptr(GByteArray) block = read_header_block (fd);
  g_autoptr(GMimeStream) stream = NULL;
  g_autoptr(GMimeParser) parser = NULL;
  g_autoptr(GMimeMessage) message = NULL;
  InternetAddressList *from;
  GDateTime *date;

  stream = g_mime_stream_mem_new_with_buffer ((const char *) block->data, block->len);
  parser = g_mime_parser_new_with_stream (stream);
  message = g_mime_parser_construct_message (parser, NULL);
  if (message == NULL)
    return;

  from = g_mime_message_get_from (message);
  if (from != NULL && internet_address_list_length (from) > 0)
    self->from = internet_address_list_to_string (from, NULL, FALSE);
  if (g_mime_message_get_subject (message) != NULL)
    self->subject = g_strdup (g_mime_message_get_subject (message));
  if (g_mime_message_get_message_id (message) != NULL)
    self->message_id = g_strdup (g_mime_message_get_message_id (message));
  date = g_mime_message_get_date (message);
  if (date != NULL)
    self->date = g_date_time_ref (date);
}

/* Values from the client went through g_key_file_set_string, which escapes
 * control characters, and were made valid UTF-8 before: reading back is
 * safe. A missing file leaves the envelope unknown. */
static void
read_envelope (PostierSandboxMessage *self,
               const char            *envelope_path)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  gint64 received;

  if (!g_key_file_load_from_file (kf, envelope_path, G_KEY_FILE_NONE, &error))
    {
      if (!g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_warning ("Cannot read the envelope “%s”: %s", envelope_path, error->message);
      return;
    }

  self->sender = g_key_file_get_string (kf, "Envelope", "mail-from", NULL);
  self->recipients = g_key_file_get_string_list (kf, "Envelope", "rcpt-to", NULL, NULL);
  self->mail_parameters = g_key_file_get_string (kf, "Envelope", "mail-parameters", NULL);
  self->helo = g_key_file_get_string (kf, "Envelope", "helo", NULL);
  self->login = g_key_file_get_string (kf, "Envelope", "login", NULL);
  self->tls = g_key_file_get_string (kf, "Envelope", "tls", NULL);
  self->smtputf8 = g_key_file_get_boolean (kf, "Envelope", "smtputf8", NULL);
  received = g_key_file_get_int64 (kf, "Envelope", "received", NULL);
  if (received > 0)
    self->received = g_date_time_new_from_unix_utc (received);
}

PostierSandboxMessage *
postier_sandbox_message_new_from_file (const char  *path,
                                       const char  *id,
                                       const char  *envelope_path,
                                       GError     **error)
{
  g_autoptr(PostierSandboxMessage) self = NULL;
  GStatBuf st;
  int fd;

  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0 || fstat (fd, &st) != 0)
    {
      int saved_errno = errno;
      if (fd >= 0)
        close (fd);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Cannot read the captured message “%s”: %s"), path, g_strerror (saved_errno));
      return NULL;
    }

  self = g_object_new (POSTIER_TYPE_SANDBOX_MESSAGE, NULL);
  self->id = g_strdup (id);
  self->path = g_strdup (path);
  self->size = (guint64) st.st_size;

  read_summary (self, fd);
  close (fd);
  read_envelope (self, envelope_path);

  if (self->received == NULL)
    self->received = g_date_time_new_from_unix_utc (st.st_mtime);
  if (self->recipients == NULL)
    self->recipients = g_new0 (char *, 1);
  return g_steal_pointer (&self);
}

const char *
postier_sandbox_message_get_id (PostierSandboxMessage *self)
{
  g_return_val_if_fail (POSTIER_IS_SANDBOX_MESSAGE (self), NULL);
  return self->id;
}

const char *
postier_sandbox_message_get_path (PostierSandboxMessage *self)
{
  g_return_val_if_fail (POSTIER_IS_SANDBOX_MESSAGE (self), NULL);
  return self->path;
}

GDateTime *
postier_sandbox_message_get_received (PostierSandboxMessage *self)
{
  g_return_val_if_fail (POSTIER_IS_SANDBOX_MESSAGE (self), NULL);
  return self->received;
}

GDateTime *
postier_sandbox_message_get_date (PostierSandboxMessage *self)
{
  g_return_val_if_fail (POSTIER_IS_SANDBOX_MESSAGE (self), NULL);
  return self->date;
}

const char *
postier_sandbox_message_get_from (PostierSandboxMessage *self)
{
  g_return_val_if_fail (POSTIER_IS_SANDBOX_MESSAGE (self), NULL);
  return self->from != NULL ? self->from : "";
}

const char *
postier_sandbox_message_get_subject (PostierSandboxMessage *self)
{
  g_return_val_if_fail (POSTIER_IS_SANDBOX_MESSAGE (self), NULL);
  return self->subject != NULL ? self->subject : "";
}

const char *
postier_sandbox_message_get_message_id (PostierSandboxMessage *self)
{
  g_return_val_if_fail (POSTIER_IS_SANDBOX_MESSAGE (self), NULL);
  return self->message_id != NULL ? self->message_id : "";
}

guint64
postier_sandbox_message_get_size (PostierSandboxMessage *self)
{
  g_return_val_if_fail (POSTIER_IS_SANDBOX_MESSAGE (self), 0);
  return self->size;
}

const char *
postier_sandbox_message_get_sender (PostierSandboxMessage *self)
{
  g_return_val_if_fail (POSTIER_IS_SANDBOX_MESSAGE (self), NULL);
  return self->sender;
}

const char * const *
postier_sandbox_message_get_recipients (PostierSandboxMessage *self)
{
  g_return_val_if_fail (POSTIER_IS_SANDBOX_MESSAGE (self), NULL);
  return (const char * const *) self->recipients;
}

const char *
postier_sandbox_message_get_helo (PostierSandboxMessage *self)
{
  g_return_val_if_fail (POSTIER_IS_SANDBOX_MESSAGE (self), NULL);
  return self->helo;
}

const char *
postier_sandbox_message_get_login (PostierSandboxMessage *self)
{
  g_return_val_if_fail (POSTIER_IS_SANDBOX_MESSAGE (self), NULL);
  return self->login;
}

const char *
postier_sandbox_message_get_tls (PostierSandboxMessage *self)
{
  g_return_val_if_fail (POSTIER_IS_SANDBOX_MESSAGE (self), NULL);
  return self->tls;
}

const char *
postier_sandbox_message_get_mail_parameters (PostierSandboxMessage *self)
{
  g_return_val_if_fail (POSTIER_IS_SANDBOX_MESSAGE (self), NULL);
  return self->mail_parameters;
}

gboolean
postier_sandbox_message_get_smtputf8 (PostierSandboxMessage *self)
{
  g_return_val_if_fail (POSTIER_IS_SANDBOX_MESSAGE (self), FALSE);
  return self->smtputf8;
}

GBytes *
postier_sandbox_message_load_bytes (PostierSandboxMessage  *self,
                                    GError                **error)
{
  g_autoptr(GMappedFile) mapped = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (POSTIER_IS_SANDBOX_MESSAGE (self), NULL);

  mapped = g_mapped_file_new (self->path, FALSE, &local_error);
  if (mapped == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("Cannot read the captured message “%s”: %s"), self->id, local_error->message);
      return NULL;
    }
  return g_mapped_file_get_bytes (mapped);
}

gpointer
postier_sandbox_message_parse (PostierSandboxMessage  *self,
                               GError                **error)
{
  g_autoptr(GMimeStream) stream = NULL;
  g_autoptr(GMimeParser) parser = NULL;
  GMimeMessage *message;
  int fd;

  g_return_val_if_fail (POSTIER_IS_SANDBOX_MESSAGE (self), NULL);

  fd = open (self->path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Cannot read the captured message “%s”: %s"), self->id,
                   g_strerror (saved_errno));
      return NULL;
    }
  /* A file stream lets GMime leave large parts on disk until asked. */
  stream = g_mime_stream_fs_new (fd);
  parser = g_mime_parser_new_with_stream (stream);
  message = g_mime_parser_construct_message (parser, NULL);
  if (message == NULL)
    {
      g_set_error (error, POSTIER_MESSAGE_ERROR, POSTIER_MESSAGE_ERROR_MALFORMED,
                   _("The captured message “%s” cannot be parsed"), self->id);
      return NULL;
    }
  return message;
}
