/* postier-smtp-data.c — the message data of an SMTP transaction
 *
 * Its own file because turning a stored message into the DATA phase's
 * bytes is one job: read the file in chunks, CRLF line ends, dot-stuffing
 * (GMime's filters, skipped for the common chunk that needs neither), the
 * final dot, large writes, progress. Never the whole message in memory.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-smtp-client"

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <string.h>
#include <unistd.h>

#include "postier-error.h"
#include "postier-smtp-client-private.h"

/* Flush the write buffer once it holds this much message data. */
#define DATA_FLUSH (96 * 1024)

/* TRUE when CHUNK needs neither filter: every LF follows a CR and no line
 * starts with a dot. PREVIOUS is the byte before the chunk ('\n' at the
 * start of the message). Most chunks of a stored message are like this,
 * and a memchr() per line is several times cheaper than running both
 * filters over every byte. */
static gboolean
chunk_is_clean (const char *chunk,
                gsize       length,
                char        previous)
{
  const char *p = chunk;
  const char *end = chunk + length;

  if (length > 0 && previous == '\n' && chunk[0] == '.')
    return FALSE;
  while ((p = memchr (p, '\n', (size_t) (end - p))) != NULL)
    {
      if ((p == chunk ? previous : p[-1]) != '\r')
        return FALSE;
      p++;
      if (p < end && *p == '.')
        return FALSE;
    }
  return TRUE;
}

/* Queues the LENGTH bytes in self->data_chunk in wire form: CRLF line
 * ends, dot-stuffed. */
static void
queue_data_chunk (PostierSmtpClient *self,
                  gsize              length,
                  char               previous)
{
  char *crlf, *out;
  size_t crlf_length, crlf_prespace, out_length, out_prespace;

  if (chunk_is_clean (self->data_chunk, length, previous))
    {
      /* Already wire format: keep the filters' state as if they had
       * seen it, for the chunks that do need them. */
      postier_smtp_stream_queue (self->stream, self->data_chunk, length);
      GMIME_FILTER_UNIX2DOS (self->crlf_filter)->pc = self->data_chunk[length - 1];
      GMIME_FILTER_SMTP_DATA (self->dot_filter)->bol = self->data_chunk[length - 1] == '\n';
      return;
    }
  g_mime_filter_filter (self->crlf_filter, self->data_chunk, length, 0,
                        &crlf, &crlf_length, &crlf_prespace);
  g_mime_filter_filter (self->dot_filter, crlf, crlf_length, crlf_prespace,
                        &out, &out_length, &out_prespace);
  postier_smtp_stream_queue (self->stream, out, out_length);
}

/* Queues what the filters still hold, then the final dot. */
static void
queue_data_end (PostierSmtpClient *self)
{
  char *crlf, *out;
  size_t crlf_length, crlf_prespace, out_length, out_prespace;
  char empty[1] = { 0 };

  g_mime_filter_complete (self->crlf_filter, empty, 0, 0, &crlf, &crlf_length, &crlf_prespace);
  g_mime_filter_complete (self->dot_filter, crlf, crlf_length, crlf_prespace,
                          &out, &out_length, &out_prespace);
  postier_smtp_stream_queue (self->stream, out, out_length);
  postier_smtp_stream_queue (self->stream, ".\r\n", 3);
}

static void
reset_data_filters (PostierSmtpClient *self)
{
  if (self->crlf_filter == NULL)
    {
      /* The outbox stores CRLF already; a stray bare LF still becomes CRLF
       * and the message ends with a line end, as the final dot needs. */
      self->crlf_filter = g_mime_filter_unix2dos_new (TRUE);
      self->dot_filter = g_mime_filter_smtp_data_new ();
      self->data_chunk = g_malloc (POSTIER_SMTP_DATA_CHUNK);
    }
  g_mime_filter_reset (self->crlf_filter);
  g_mime_filter_reset (self->dot_filter);
}

/* Up to SIZE bytes of the message into BUFFER, again after a signal; -1
 * with ERROR set when the file cannot be read (the server then holds a
 * partial message: the connection must go). */
static gssize
read_message (int      fd,
              char    *buffer,
              gsize    size,
              GError **error)
{
  for (;;)
    {
      ssize_t got = read (fd, buffer, size);

      if (got >= 0)
        return got;
      if (errno != EINTR)
        {
          int saved = errno;

          g_set_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_FAILED,
                       _("Cannot read the message: %s"), g_strerror (saved));
          return -1;
        }
    }
}

/* The outbox never changes a message file once queued, so the read that
 * would only say "end of file" is skipped. */
gboolean
_postier_smtp_client_stream_message (PostierSmtpClient  *self,
                                     int                 fd,
                                     guint64             file_size,
                                     GCancellable       *cancellable,
                                     GError            **error)
{
  guint64 done = 0;
  char previous = '\n';

  reset_data_filters (self);
  for (;;)
    {
      gssize got = done < file_size ? read_message (fd, self->data_chunk, POSTIER_SMTP_DATA_CHUNK, error) : 0;

      if (got < 0)
        return FALSE;
      if (got == 0)
        break;
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;

      queue_data_chunk (self, (gsize) got, previous);
      previous = self->data_chunk[got - 1];
      done += (guint64) got;

      if (postier_smtp_stream_get_queued (self->stream) >= DATA_FLUSH)
        {
          if (!postier_smtp_stream_flush (self->stream, error))
            return FALSE;
          if (self->progress_func != NULL)
            self->progress_func (done, MAX (file_size, done), self->progress_data);
        }
    }

  queue_data_end (self);
  postier_smtp_transcript_note (self->transcript, "message data: %" G_GUINT64_FORMAT " octets", done);
  postier_smtp_transcript_client (self->transcript, ".");
  if (!postier_smtp_stream_flush (self->stream, error))
    return FALSE;
  if (self->progress_func != NULL)
    self->progress_func (done, MAX (file_size, done), self->progress_data);
  return TRUE;
}

/* TRUE when every LF of the LENGTH bytes follows a CR and they end with
 * CRLF: what the outbox stores, so the filter is skipped. */
static gboolean
is_crlf_text (const char *text,
              gsize       length)
{
  const char *p = text;
  const char *end = text + length;

  if (length < 2 || end[-2] != '\r' || end[-1] != '\n')
    return FALSE;
  while ((p = memchr (p, '\n', (size_t) (end - p))) != NULL)
    {
      if (p == text || p[-1] != '\r')
        return FALSE;
      p++;
    }
  return TRUE;
}

/* BDAT (RFC 3030) counts octets instead of looking for a final dot, so
 * the message goes with CRLF line ends and no dot-stuffing, its exact
 * wire size in the command: the whole message is read first, which is
 * why only a message of one chunk goes this way. */
gboolean
_postier_smtp_client_queue_last_chunk (PostierSmtpClient  *self,
                                       int                 fd,
                                       guint64             file_size,
                                       GError            **error)
{
  g_autofree char *command = NULL;
  gsize done = 0;
  char *out;
  size_t out_length, out_prespace;

  g_return_val_if_fail (file_size <= POSTIER_SMTP_DATA_CHUNK, FALSE);

  reset_data_filters (self);
  while (done < file_size)
    {
      gssize got = read_message (fd, self->data_chunk + done, (gsize) (file_size - done), error);

      if (got < 0)
        return FALSE;
      if (got == 0)
        break;
      done += (gsize) got;
    }

  out = self->data_chunk;
  out_length = done;
  if (!is_crlf_text (self->data_chunk, done))
    g_mime_filter_complete (self->crlf_filter, self->data_chunk, done, 0,
                            &out, &out_length, &out_prespace);

  command = g_strdup_printf ("BDAT %" G_GSIZE_FORMAT " LAST", (gsize) out_length);
  _postier_smtp_client_queue_command (self, command);
  postier_smtp_stream_queue (self->stream, out, out_length);
  postier_smtp_transcript_note (self->transcript, "message data: %" G_GSIZE_FORMAT " octets", done);
  return TRUE;
}
