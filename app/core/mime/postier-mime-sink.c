/* postier-mime-sink.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-mime"

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <string.h>
#include <unistd.h>

#include "postier-direct-writer.h"
#include "postier-mime-sink.h"
#include "postier-paths.h"

/* Large enough that a 1 GB attachment costs few system calls, small
 * enough to be irrelevant to memory use; the direct writer's size, so
 * that a full buffer is one of its writes. */
#define SINK_BUFFER_SIZE POSTIER_DIRECT_WRITER_BUFFER_SIZE
/* A piece this large goes out without a copy into the buffer. */
#define LARGE_PIECE (128 * 1024)

struct _PostierMimeSink
{
  GMimeStream   parent_instance;

  int           fd;
  GCancellable *cancellable;
  char         *buffer;         /* the one being filled: own_buffer or the writer's */
  char         *own_buffer;
  gsize         buffered;
  /* A message of a full buffer or more goes past the page cache. */
  PostierDirectWriter *writer;
  gboolean      writer_tried;
  guint64       written;
  int           write_errno;
  gboolean      cancelled;
};

G_DEFINE_FINAL_TYPE (PostierMimeSink, postier_mime_sink, GMIME_TYPE_STREAM)

/* Whether a write failed or the caller cancelled: nothing more goes out. */
static gboolean
stopped (PostierMimeSink *self)
{
  if (!self->cancelled && g_cancellable_is_cancelled (self->cancellable))
    self->cancelled = TRUE;
  return self->write_errno != 0 || self->cancelled;
}

static gboolean
write_all (PostierMimeSink *self,
           const char      *data,
           gsize            len)
{
  if (stopped (self))
    return FALSE;
  if (!postier_write_all_fd (self->fd, data, len))
    {
      self->write_errno = errno;
      return FALSE;
    }
  return TRUE;
}

/* The writer's last write waited for; what is left in its buffer moves to
 * ours, for plain writes. */
static void
end_direct (PostierMimeSink *self)
{
  int error_number = 0;

  if (self->writer == NULL)
    return;
  if (!postier_direct_writer_finish (self->writer, &error_number) && self->write_errno == 0)
    self->write_errno = error_number;
  memcpy (self->own_buffer, self->buffer, self->buffered);
  self->buffer = self->own_buffer;
  g_clear_pointer (&self->writer, postier_direct_writer_free);
}

static gboolean
write_out (PostierMimeSink *self)
{
  int error_number = 0;

  if (self->buffered == SINK_BUFFER_SIZE && !self->writer_tried)
    {
      self->writer_tried = TRUE;
      self->writer = postier_direct_writer_try_new (self->fd);
      if (self->writer != NULL)
        {
          self->buffer = postier_direct_writer_get_buffer (self->writer);
          memcpy (self->buffer, self->own_buffer, self->buffered);
        }
    }
  if (self->writer != NULL && self->buffered == SINK_BUFFER_SIZE)
    {
      if (stopped (self))
        return FALSE;
      if (!postier_direct_writer_submit (self->writer, &error_number))
        {
          self->write_errno = error_number;
          return FALSE;
        }
      self->buffer = postier_direct_writer_get_buffer (self->writer);
      self->buffered = 0;
      return TRUE;
    }
  /* O_DIRECT takes whole blocks: the end goes through the page cache. A
   * flush with nothing buffered leaves the writer be. */
  if (self->buffered > 0)
    end_direct (self);
  if (!write_all (self, self->buffer, self->buffered))
    return FALSE;
  self->buffered = 0;
  return TRUE;
}

static ssize_t
sink_read (GMimeStream *stream,
           char        *buf,
           size_t       len)
{
  (void) stream; (void) buf; (void) len;
  return -1;
}

static ssize_t
sink_write (GMimeStream *stream,
            const char  *buf,
            size_t       len)
{
  PostierMimeSink *self = POSTIER_MIME_SINK (stream);
  size_t done = 0;

  if (self->fd < 0 || self->write_errno != 0 || self->cancelled)
    return -1;

  /* A large piece (an attachment's encoded lines) goes out as it is,
   * after what is buffered: one copy of every octet less. Not when it
   * could go past the page cache, which writes from aligned buffers. */
  if (len >= LARGE_PIECE && self->writer_tried && self->writer == NULL)
    {
      if ((self->buffered > 0 && !write_out (self)) || !write_all (self, buf, len))
        return -1;
      done = len;
    }
  while (done < len)
    {
      size_t room = SINK_BUFFER_SIZE - self->buffered;
      size_t chunk = MIN (room, len - done);

      memcpy (self->buffer + self->buffered, buf + done, chunk);
      self->buffered += chunk;
      done += chunk;
      if (self->buffered == SINK_BUFFER_SIZE && !write_out (self))
        return -1;
    }
  self->written += len;
  stream->position += (gint64) len;
  return (ssize_t) len;
}

static int
sink_flush (GMimeStream *stream)
{
  PostierMimeSink *self = POSTIER_MIME_SINK (stream);

  if (self->fd < 0)
    return -1;
  return write_out (self) ? 0 : -1;
}

static int
sink_close (GMimeStream *stream)
{
  PostierMimeSink *self = POSTIER_MIME_SINK (stream);
  int result = 0;

  if (self->fd < 0)
    return 0;
  end_direct (self);
  if (self->buffered > 0 && !write_out (self))
    result = -1;
  if (self->write_errno != 0)
    result = -1;
  if (close (self->fd) != 0 && self->write_errno == 0)
    {
      self->write_errno = errno;
      result = -1;
    }
  self->fd = -1;
  return result;
}

static gboolean
sink_eos (GMimeStream *stream)
{
  (void) stream;
  return TRUE;
}

static int
sink_reset (GMimeStream *stream)
{
  (void) stream;
  return -1;
}

static gint64
sink_seek (GMimeStream     *stream,
           gint64           offset,
           GMimeSeekWhence  whence)
{
  (void) stream; (void) offset; (void) whence;
  return -1;
}

static gint64
sink_tell (GMimeStream *stream)
{
  return stream->position;
}

static gint64
sink_length (GMimeStream *stream)
{
  (void) stream;
  return -1;
}

static GMimeStream *
sink_substream (GMimeStream *stream,
                gint64       start,
                gint64       end)
{
  (void) stream; (void) start; (void) end;
  return NULL;
}

static void
postier_mime_sink_finalize (GObject *object)
{
  PostierMimeSink *self = POSTIER_MIME_SINK (object);

  sink_close (GMIME_STREAM (self));
  g_clear_object (&self->cancellable);
  g_free (self->own_buffer);

  G_OBJECT_CLASS (postier_mime_sink_parent_class)->finalize (object);
}

static void
postier_mime_sink_class_init (PostierMimeSinkClass *klass)
{
  GMimeStreamClass *stream_class = GMIME_STREAM_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = postier_mime_sink_finalize;
  stream_class->read = sink_read;
  stream_class->write = sink_write;
  stream_class->flush = sink_flush;
  stream_class->close = sink_close;
  stream_class->eos = sink_eos;
  stream_class->reset = sink_reset;
  stream_class->seek = sink_seek;
  stream_class->tell = sink_tell;
  stream_class->length = sink_length;
  stream_class->substream = sink_substream;
}

static void
postier_mime_sink_init (PostierMimeSink *self)
{
  self->fd = -1;
}

GMimeStream *
postier_mime_sink_new (int           fd,
                       GCancellable *cancellable)
{
  PostierMimeSink *self;

  g_return_val_if_fail (fd >= 0, NULL);

  self = g_object_new (POSTIER_TYPE_MIME_SINK, NULL);
  g_mime_stream_construct (GMIME_STREAM (self), 0, -1);
  self->fd = fd;
  self->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  self->own_buffer = g_malloc (SINK_BUFFER_SIZE);
  self->buffer = self->own_buffer;
  return GMIME_STREAM (self);
}

guint64
postier_mime_sink_get_written (PostierMimeSink *self)
{
  g_return_val_if_fail (POSTIER_IS_MIME_SINK (self), 0);
  return self->written;
}

gboolean
postier_mime_sink_finish (PostierMimeSink  *self,
                          GError          **error)
{
  g_return_val_if_fail (POSTIER_IS_MIME_SINK (self), FALSE);

  sink_close (GMIME_STREAM (self));
  if (self->cancelled || (self->write_errno == 0 && g_cancellable_is_cancelled (self->cancellable)))
    {
      g_cancellable_set_error_if_cancelled (self->cancellable, error);
      return FALSE;
    }
  if (self->write_errno != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (self->write_errno),
                   _("Cannot write the message: %s"), g_strerror (self->write_errno));
      return FALSE;
    }
  return TRUE;
}
