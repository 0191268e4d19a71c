/* postier-sandbox-session-data.c — the Sandbox receiver's DATA
 *
 * Split from postier-sandbox-session.c: the message streams from the
 * socket through a small buffer into tmp/, dot-stuffing undone on the
 * way, counted against the size limit, and is delivered into the Maildir
 * with its envelope (postier-sandbox-maildir.h) only once it is complete.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-sandbox"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "postier-sandbox-session-private.h"

#define FILE_BUFFER     65536

typedef enum {
  DATA_AT_LINE_START,
  DATA_AFTER_DOT,
  DATA_AFTER_DOT_CR,
  DATA_IN_LINE,
  DATA_AFTER_CR,
} DataState;

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

/* What DATA needs before it may run; FALSE after replying. */
static gboolean
may_receive (Session    *session,
             const char *args)
{
  if (session->envelope->sender == NULL)
    {
      _postier_sandbox_session_reply_error (session, "503 5.5.1 Need MAIL command");
      return FALSE;
    }
  if (session->envelope->recipients->len == 0)
    {
      _postier_sandbox_session_reply_error (session, "554 5.5.1 No valid recipients");
      return FALSE;
    }
  if (*args != '\0')
    {
      _postier_sandbox_session_reply_error (session, "501 5.5.4 Syntax: DATA");
      return FALSE;
    }
  return TRUE;
}

/* Opens TMP_PATH for the message; when it cannot, the sink still reads
 * (and drops) the data so the client gets its 452 at the end. */
static void
sink_open (DataSink   *sink,
           const char *maildir,
           const char *tmp_path)
{
  g_autoptr(GError) error = NULL;

  if (postier_sandbox_maildir_ensure (maildir, &error))
    sink->fd = open (tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (sink->fd < 0)
    {
      g_debug ("session: cannot create %s: %s", tmp_path,
               error != NULL ? error->message : g_strerror (errno));
      sink->write_failed = TRUE;
    }
  sink->pending = g_byte_array_sized_new (FILE_BUFFER);
}

/* Flushes and closes the file, fsynced when the message is whole. */
static void
sink_close (DataSink *sink,
            gboolean  ended)
{
  sink_flush (sink);
  g_byte_array_unref (sink->pending);
  if (sink->fd >= 0)
    {
      if (ended && !sink->too_big && !sink->write_failed && fsync (sink->fd) != 0)
        sink->write_failed = TRUE;
      if (close (sink->fd) != 0)
        sink->write_failed = TRUE;
    }
}

/* Says 354 and reads up to the end of data; FALSE if the client left or
 * stalled first. */
static gboolean
receive (Session  *session,
         DataSink *sink)
{
  guint64 max_size = session->config->limits.max_message_size;

  _postier_sandbox_session_reply (session, "354 End data with <CR><LF>.<CR><LF>");
  if (!_postier_sandbox_session_flush (session))
    return FALSE;
  for (;;)
    {
      gsize consumed = 0;
      gboolean ended = unstuff (sink, session->in->data + session->in_pos,
                                session->in->len - session->in_pos, &consumed, max_size);

      session->in_pos += (guint) consumed;
      if (ended)
        return TRUE;
      if (!_postier_sandbox_session_read_more (session))
        return FALSE;
    }
}

void
_postier_sandbox_session_data (Session    *session,
                               const char *args)
{
  const char *maildir = session->config->maildir;
  g_autofree char *name = NULL;
  g_autofree char *tmp_path = NULL;
  g_autoptr(GError) error = NULL;
  DataSink sink = { DATA_AT_LINE_START, NULL, -1, 0, FALSE, FALSE };
  gboolean ended;

  if (!may_receive (session, args))
    return;

  name = postier_sandbox_maildir_unique_name ();
  tmp_path = g_build_filename (maildir, "tmp", name, NULL);
  sink_open (&sink, maildir, tmp_path);
  ended = receive (session, &sink);
  sink_close (&sink, ended);

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
      _postier_sandbox_session_reply_error (session, "552 5.3.4 Message size exceeds fixed maximum message size");
    }
  else if (sink.write_failed)
    {
      g_unlink (tmp_path);
      _postier_sandbox_session_reply (session, "452 4.3.1 Cannot store the message in the sandbox");
    }
  else if (!postier_sandbox_maildir_deliver (maildir, name, session->envelope, &error))
    {
      g_debug ("session: %s", error->message);
      _postier_sandbox_session_reply (session, "451 4.3.0 Cannot store the message in the sandbox");
    }
  else
    {
      g_autofree char *line = g_strdup_printf ("250 2.0.0 Ok: captured as %s", name);
      _postier_sandbox_session_reply (session, line);
      if (session->config->stored != NULL)
        session->config->stored (name, session->config->stored_data);
    }
  _postier_sandbox_session_reset_transaction (session);
}
