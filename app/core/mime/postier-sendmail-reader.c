/* postier-sendmail-reader.c — sendmail's standard input, line by line
 *
 * Lines, the body and the output stream are here; the header block
 * (framing, checks, folding, what is added) is in
 * postier-sendmail-headers.c, and the path into the outbox in
 * postier-sendmail.c: split so that each file holds one job.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-mime"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "postier-init.h"
#include "postier-mime-private.h"
#include "postier-mime-sink.h"
#include "postier-sendmail-reader-private.h"

#define READ_SIZE (64 * 1024)

G_DEFINE_FINAL_TYPE (PostierSendmailReader, postier_sendmail_reader, G_TYPE_OBJECT)

#define OUT_SIZE (64 * 1024)

static void
postier_sendmail_reader_finalize (GObject *object)
{
  PostierSendmailReader *self = POSTIER_SENDMAIL_READER (object);

  g_free (self->default_from);
  g_free (self->scratch_dir);
  g_clear_error (&self->error);
  g_clear_object (&self->sink);
  g_byte_array_unref (self->header);
  g_array_unref (self->fields);
  g_free (self->out);
  g_ptr_array_unref (self->recipients);
  g_string_free (self->summary, TRUE);
  g_free (self->subject);
  g_free (self->message_id);

  G_OBJECT_CLASS (postier_sendmail_reader_parent_class)->finalize (object);
}

static void
postier_sendmail_reader_class_init (PostierSendmailReaderClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = postier_sendmail_reader_finalize;
}

static void
postier_sendmail_reader_init (PostierSendmailReader *self)
{
  self->header = g_byte_array_new ();
  self->fields = g_array_new (FALSE, FALSE, sizeof (Field));
  self->summary = g_string_new (NULL);
  self->out = g_malloc (OUT_SIZE);
  self->recipients = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (self->recipients, NULL);
}

PostierSendmailReader *
postier_sendmail_reader_new (PostierSendmailFlags flags)
{
  PostierSendmailReader *self = g_object_new (POSTIER_TYPE_SENDMAIL_READER, NULL);

  self->flags = flags;
  return self;
}

void
postier_sendmail_reader_set_default_from (PostierSendmailReader *self,
                                          const char            *identity)
{
  g_return_if_fail (POSTIER_IS_SENDMAIL_READER (self));
  g_free (self->default_from);
  self->default_from = g_strdup (identity);
}

void
postier_sendmail_reader_set_max_size (PostierSendmailReader *self,
                                      guint64                max_size)
{
  g_return_if_fail (POSTIER_IS_SENDMAIL_READER (self));
  self->max_size = max_size;
}

void
postier_sendmail_reader_set_scratch_dir (PostierSendmailReader *self,
                                         const char            *dir)
{
  g_return_if_fail (POSTIER_IS_SENDMAIL_READER (self));
  g_free (self->scratch_dir);
  self->scratch_dir = g_strdup (dir);
}

void
_postier_sendmail_reader_fail (PostierSendmailReader *self,
                               PostierMessageError    code,
                               const char            *format,
                               ...)
{
  va_list args;

  if (self->error != NULL)
    return;
  va_start (args, format);
  self->error = g_error_new_valist (POSTIER_MESSAGE_ERROR, code, format, args);
  va_end (args);
  self->phase = PHASE_DONE;
}

static void
fail_too_large (PostierSendmailReader *self)
{
  g_autofree char *limit = g_format_size (self->max_size);

  _postier_sendmail_reader_fail (self, POSTIER_MESSAGE_ERROR_TOO_LARGE,
                                 _("The message is larger than %s, the most Postier will send through this account; "
                                   "nothing was queued"), limit);
}

/* --- Output ------------------------------------------------------------ */

/* Counts what goes out, and stops at the cap: the input may be endless
 * (/dev/zero, a runaway pipe); neither memory nor the disk may follow. */
static gboolean
count_out (PostierSendmailReader *self,
           gsize                  length)
{
  self->put_total += length;
  if (self->max_size != 0 && self->put_total > self->max_size)
    {
      fail_too_large (self);
      return FALSE;
    }
  return TRUE;
}

static void
flush_out (PostierSendmailReader *self)
{
  if (self->out_length == 0)
    return;
  if (!count_out (self, self->out_length))
    {
      self->out_length = 0;
      return;
    }
  if (g_mime_stream_write (self->sink, (const char *) self->out, self->out_length) < 0)
    self->phase = PHASE_DONE;  /* the sink knows why; run() asks it */
  self->out_length = 0;
}

static inline void
put_byte (PostierSendmailReader *self,
          guint8                 byte)
{
  self->out[self->out_length++] = byte;
  if (self->out_length == OUT_SIZE)
    flush_out (self);
}

void
_postier_sendmail_reader_put_bytes (PostierSendmailReader *self,
                                    const void            *data,
                                    gsize                  length)
{
  flush_out (self);
  if (length == 0 || self->phase == PHASE_DONE || !count_out (self, length))
    return;
  if (g_mime_stream_write (self->sink, data, length) < 0)
    self->phase = PHASE_DONE;
}

/* --- Lines --------------------------------------------------------------- */

static inline void
body_byte (PostierSendmailReader *self,
           guint8                 byte)
{
  if (byte >= 0x80)
    self->body_8bit = TRUE;
  else if (byte == '\r')
    self->body_bare_cr = TRUE;
  put_byte (self, byte);
}

/* A whole body line (without its line end) that was read as a header
 * line first. */
void
_postier_sendmail_reader_body_line (PostierSendmailReader *self,
                                    const guint8          *line,
                                    gsize                  length)
{
  if (length > MAX_LINE_OCTETS)
    self->body_long_line = TRUE;
  for (gsize i = 0; i < length && self->phase != PHASE_DONE; i++)
    body_byte (self, line[i]);
  put_byte (self, '\r');
  put_byte (self, '\n');
}

static void
line_ended (PostierSendmailReader *self)
{
  self->line_number++;

  if (!(self->flags & POSTIER_SENDMAIL_IGNORE_DOTS) && self->pending_dot && self->line_length == 1)
    {
      /* A lone dot: the end of the input, like sendmail without -i. */
      self->pending_dot = FALSE;
      if (self->phase == PHASE_HEADERS)
        _postier_sendmail_reader_header_block_ended (self);
      self->phase = PHASE_DONE;
      return;
    }

  if (self->phase == PHASE_HEADERS)
    {
      if (self->pending_dot)
        g_byte_array_append (self->header, (const guint8 *) ".", 1);
      self->pending_dot = FALSE;
      if (self->line_length == 0)
        {
          _postier_sendmail_reader_header_block_ended (self);
          if (self->phase == PHASE_HEADERS)
            self->phase = PHASE_BODY;
        }
      else
        _postier_sendmail_reader_header_line_ended (self);
      self->line_start = self->header->len;
    }
  else
    {
      if (self->pending_dot)
        put_byte (self, '.');
      self->pending_dot = FALSE;
      put_byte (self, '\r');
      put_byte (self, '\n');
    }
  self->line_length = 0;
}

static void
line_byte (PostierSendmailReader *self,
           guint8                 byte)
{
  if (byte >= 0x80)
    self->eight_bit = TRUE;

  if (self->line_length == 0 && byte == '.' && !(self->flags & POSTIER_SENDMAIL_IGNORE_DOTS))
    {
      self->pending_dot = TRUE;
      self->line_length = 1;
      return;
    }

  if (self->phase == PHASE_HEADERS)
    {
      if (self->pending_dot)
        g_byte_array_append (self->header, (const guint8 *) ".", 1);
      self->pending_dot = FALSE;
      if (self->header->len >= POSTIER_SENDMAIL_MAX_HEADER)
        {
          fail_malformed (self, _("The header block of the message is over %u octets"),
                          (guint) POSTIER_SENDMAIL_MAX_HEADER);
          return;
        }
      g_byte_array_append (self->header, &byte, 1);
    }
  else
    {
      if (self->pending_dot)
        put_byte (self, '.');
      self->pending_dot = FALSE;
      body_byte (self, byte);
    }
  if (++self->line_length > MAX_LINE_OCTETS && self->phase == PHASE_BODY)
    self->body_long_line = TRUE;
}

/* Only LF and CRLF end a line (as for Postfix's sendmail): a CR alone is
 * a character of the line, so "\r.\r" cannot end the input. */
static void
feed (PostierSendmailReader *self,
      const guint8          *data,
      gsize                  length)
{
  for (gsize i = 0; i < length && self->phase != PHASE_DONE; i++)
    {
      guint8 c = data[i];

      if (c == '\0')
        {
          fail_malformed (self, _("The message holds a NUL byte (line %u)"), self->line_number + 1);
          return;
        }
      if (self->pending_cr)
        {
          self->pending_cr = FALSE;
          if (c == '\n')
            {
              line_ended (self);
              continue;
            }
          line_byte (self, '\r');
          if (self->phase == PHASE_DONE)
            return;
        }
      if (c == '\r')
        self->pending_cr = TRUE;
      else if (c == '\n')
        line_ended (self);
      else
        line_byte (self, c);
    }
}

static void
input_ended (PostierSendmailReader *self)
{
  if (self->phase == PHASE_DONE)
    return;
  if (self->pending_cr)
    {
      self->pending_cr = FALSE;
      line_byte (self, '\r');
    }
  /* A last line without its line end still counts as a line. */
  if (self->phase != PHASE_DONE && self->line_length > 0)
    line_ended (self);
  /* Headers and no body, or no input at all: Postfix takes both. */
  if (self->phase == PHASE_HEADERS)
    _postier_sendmail_reader_header_block_ended (self);
}

/* Reads IN_FD to its end, or until the reader is done (a lone dot, a
 * failure). */
static gboolean
read_input (PostierSendmailReader  *self,
            int                     in_fd,
            GCancellable           *cancellable,
            GError                **error)
{
  g_autofree guint8 *buffer = g_malloc (READ_SIZE);

  while (self->phase != PHASE_DONE)
    {
      ssize_t n = read (in_fd, buffer, READ_SIZE);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved_errno = errno;
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       _("Cannot read the message: %s"), g_strerror (saved_errno));
          return FALSE;
        }
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (n == 0)
        {
          input_ended (self);
          break;
        }
      self->any_input = TRUE;
      feed (self, buffer, (gsize) n);
    }
  return TRUE;
}

/* A body SMTP would not carry as it is (a line over 998 octets, a CR
 * alone, 8-bit text with no charset or transfer encoding said) is
 * encoded again, part by part, by GMime. */
static gboolean
reencode_body (PostierSendmailReader  *self,
               int                     out_fd,
               GCancellable           *cancellable,
               GError                **error)
{
  PostierMimeReencoded result = { 0 };

  if (!postier_mime_reencode_fd (out_fd, self->size,
                                 self->scratch_dir != NULL ? self->scratch_dir : g_get_tmp_dir (),
                                 &result, cancellable, error))
    return FALSE;
  if (result.changed)
    {
      self->reencoded = TRUE;
      self->size = result.size;
      self->eight_bit = result.eight_bit;
    }
  if (result.unfit)
    {
      g_set_error (error, POSTIER_MESSAGE_ERROR, POSTIER_MESSAGE_ERROR_MALFORMED,
                   _("The message has a line over 998 octets or a carriage return alone outside "
                     "any part Postier can encode again (a multipart without its boundary?); "
                     "nothing was queued"));
      return FALSE;
    }
  if (self->max_size != 0 && self->size > self->max_size)
    {
      fail_too_large (self);
      g_propagate_error (error, g_steal_pointer (&self->error));
      return FALSE;
    }
  return TRUE;
}

gboolean
postier_sendmail_reader_run (PostierSendmailReader *self,
                             int                    in_fd,
                             int                    out_fd,
                             GCancellable          *cancellable,
                             GError               **error)
{
  int sink_fd;

  g_return_val_if_fail (POSTIER_IS_SENDMAIL_READER (self), FALSE);
  g_return_val_if_fail (in_fd >= 0 && out_fd >= 0, FALSE);
  g_return_val_if_fail (self->sink == NULL, FALSE);

  postier_core_init ();

  /* The sink owns a descriptor of its own, so OUT_FD stays the caller's. */
  sink_fd = dup (out_fd);
  if (sink_fd < 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "%s", g_strerror (saved_errno));
      return FALSE;
    }
  self->sink = postier_mime_sink_new (sink_fd, cancellable);

  if (!read_input (self, in_fd, cancellable, error))
    return FALSE;
  if (self->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&self->error));
      return FALSE;
    }
  flush_out (self);
  if (self->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&self->error));
      return FALSE;
    }
  if (!postier_mime_sink_finish (POSTIER_MIME_SINK (self->sink), error))
    return FALSE;
  self->size = postier_mime_sink_get_written (POSTIER_MIME_SINK (self->sink));

  if (self->body_long_line || self->body_bare_cr || self->body_8bit)
    return reencode_body (self, out_fd, cancellable, error);
  return TRUE;
}

const char * const *
postier_sendmail_reader_get_recipients (PostierSendmailReader *self)
{
  g_return_val_if_fail (POSTIER_IS_SENDMAIL_READER (self), NULL);
  return (const char * const *) self->recipients->pdata;
}

guint64
postier_sendmail_reader_get_size (PostierSendmailReader *self)
{
  g_return_val_if_fail (POSTIER_IS_SENDMAIL_READER (self), 0);
  return self->size;
}

gboolean
postier_sendmail_reader_get_8bit (PostierSendmailReader *self)
{
  g_return_val_if_fail (POSTIER_IS_SENDMAIL_READER (self), FALSE);
  return self->eight_bit;
}

gboolean
postier_sendmail_reader_get_utf8_headers (PostierSendmailReader *self)
{
  g_return_val_if_fail (POSTIER_IS_SENDMAIL_READER (self), FALSE);
  return self->utf8_headers;
}

const char *
postier_sendmail_reader_get_subject (PostierSendmailReader *self)
{
  g_return_val_if_fail (POSTIER_IS_SENDMAIL_READER (self), NULL);
  return self->subject;
}

const char *
postier_sendmail_reader_get_message_id (PostierSendmailReader *self)
{
  g_return_val_if_fail (POSTIER_IS_SENDMAIL_READER (self), NULL);
  return self->message_id;
}

gboolean
postier_sendmail_reader_get_added_date (PostierSendmailReader *self)
{
  g_return_val_if_fail (POSTIER_IS_SENDMAIL_READER (self), FALSE);
  return self->added_date;
}

gboolean
postier_sendmail_reader_get_added_message_id (PostierSendmailReader *self)
{
  g_return_val_if_fail (POSTIER_IS_SENDMAIL_READER (self), FALSE);
  return self->added_message_id;
}
