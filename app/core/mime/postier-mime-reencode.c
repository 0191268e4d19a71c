/* postier-mime-reencode.c — a piped message's bodies, made fit for SMTP
 *
 * The sendmail reader keeps what it is given; when a body has a line over
 * 998 octets, a CR that ends no line, or 8-bit text whose charset or
 * transfer encoding nobody declared, the parts that need it are encoded
 * again here with GMime's own encoders: text as quoted-printable with its
 * charset declared (utf-8, or iso-8859-1 when it is not UTF-8), anything
 * else as base64. The octets a reader decodes
 * are the ones that came in.
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

#include "postier-error.h"
#include "postier-mime-private.h"
#include "postier-mime-sink.h"

#define MAX_LINE_OCTETS 998
#define CHUNK (64 * 1024)

typedef struct {
  gboolean long_line;
  gboolean bare_cr;
  gboolean eight_bit;
  gboolean utf8;
  /* Scanning state. */
  char     carry[4];
  gsize    n_carry;
  gsize    line;
  gboolean cr;
} Scan;

static void
scan_init (Scan *scan)
{
  *scan = (Scan) { .utf8 = TRUE };
}

/* Notes what one more chunk of content holds. */
static void
scan_feed (Scan       *scan,
           const char *buffer,
           gsize       n)
{
  const char *p = buffer;
  const char *end = buffer + n;

  for (gsize i = 0; i < n; i++)
    {
      guchar c = (guchar) buffer[i];

      if (scan->cr && c != '\n')
        {
          scan->bare_cr = TRUE;
          scan->line++;
        }
      scan->cr = FALSE;
      if (c == '\r')
        scan->cr = TRUE;
      else if (c == '\n')
        scan->line = 0;
      else
        {
          if (c >= 0x80)
            scan->eight_bit = TRUE;
          scan->line++;
        }
      if (scan->line > MAX_LINE_OCTETS)
        scan->long_line = TRUE;
    }

  if (!scan->utf8)
    return;
  /* A character cut between two reads is completed first. */
  while (scan->n_carry > 0 && p < end)
    {
      gunichar ch;

      scan->carry[scan->n_carry++] = *p++;
      ch = g_utf8_get_char_validated (scan->carry, (gssize) scan->n_carry);
      if (ch == (gunichar) -1 || (ch == (gunichar) -2 && scan->n_carry == 4))
        scan->utf8 = FALSE;
      if (ch != (gunichar) -2 || !scan->utf8)
        scan->n_carry = 0;
    }
  if (scan->utf8 && p < end)
    {
      const char *valid_end;

      if (!g_utf8_validate_len (p, (gsize) (end - p), &valid_end))
        {
          gsize rest = (gsize) (end - valid_end);

          if (rest < 4 && g_utf8_get_char_validated (valid_end, (gssize) rest) == (gunichar) -2)
            {
              memcpy (scan->carry, valid_end, rest);
              scan->n_carry = rest;
            }
          else
            scan->utf8 = FALSE;
        }
    }
}

static void
scan_finish (Scan *scan)
{
  if (scan->cr)
    scan->bare_cr = TRUE;
  if (scan->n_carry > 0)
    scan->utf8 = FALSE;
}

/* What a part's raw content holds, in one pass of bounded memory. */
static gboolean
scan_stream (GMimeStream *stream,
             Scan        *scan)
{
  g_autofree char *buffer = g_malloc (CHUNK);
  gboolean ok;
  gssize n;

  scan_init (scan);
  if (g_mime_stream_reset (stream) < 0)
    return FALSE;
  while ((n = g_mime_stream_read (stream, buffer, CHUNK)) > 0)
    scan_feed (scan, buffer, (gsize) n);
  scan_finish (scan);
  /* GMime's bounded streams answer -1, not 0, once at their end. */
  ok = n == 0 || g_mime_stream_eos (stream);
  g_mime_stream_reset (stream);
  return ok;
}

static gboolean
declared_8bit (GMimeContentEncoding encoding)
{
  return encoding == GMIME_CONTENT_ENCODING_8BIT || encoding == GMIME_CONTENT_ENCODING_BINARY;
}

/* Encodes PART again if SMTP cannot carry its content as declared. */
static void
fix_part (GMimePart *part,
          gboolean  *changed)
{
  GMimeObject *object = GMIME_OBJECT (part);
  GMimeContentEncoding encoding = g_mime_part_get_content_encoding (part);
  GMimeDataWrapper *content = g_mime_part_get_content (part);
  GMimeContentType *type = g_mime_object_get_content_type (object);
  gboolean text = type == NULL || g_mime_content_type_is_type (type, "text", "*");
  const char *charset = g_mime_object_get_content_type_parameter (object, "charset");
  gboolean charset_wrong;
  GMimeStream *stream;
  Scan scan;

  if (content == NULL || (stream = g_mime_data_wrapper_get_stream (content)) == NULL)
    return;
  if (!scan_stream (stream, &scan))
    return;

  /* Quoted-printable, base64 and uuencode are 7-bit already; lines too
   * long (a sender's own encoder) are encoded again the same way. */
  if (encoding != GMIME_CONTENT_ENCODING_DEFAULT && encoding != GMIME_CONTENT_ENCODING_7BIT &&
      !declared_8bit (encoding))
    {
      g_autoptr(GMimeStream) decoded = NULL;
      g_autoptr(GMimeFilter) decoder = NULL;
      g_autoptr(GMimeDataWrapper) wrapper = NULL;

      if (!scan.long_line && !scan.bare_cr)
        return;
      decoded = g_mime_stream_filter_new (stream);
      decoder = g_mime_filter_basic_new (encoding, FALSE);
      g_mime_stream_filter_add (GMIME_STREAM_FILTER (decoded), decoder);
      wrapper = g_mime_data_wrapper_new_with_stream (decoded, GMIME_CONTENT_ENCODING_DEFAULT);
      g_mime_part_set_content (part, wrapper);
      g_mime_part_set_content_encoding (part, encoding == GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE ?
                                        GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE : GMIME_CONTENT_ENCODING_BASE64);
      *changed = TRUE;
      return;
    }

  charset_wrong = text && scan.eight_bit &&
                  (charset == NULL || g_ascii_strcasecmp (charset, "us-ascii") == 0);
  if (!scan.long_line && !scan.bare_cr && !charset_wrong &&
      !(scan.eight_bit && !declared_8bit (encoding)))
    return;

  if (text)
    {
      /* UTF-8 when it is. Otherwise the octets go out unchanged, labelled
       * ISO-8859-1: every octet sequence is valid in it, so no reader
       * fails to decode it (RFC 1428's "unknown-8bit" makes Python's
       * email package, for one, raise), and readers that follow the
       * WHATWG encoding rules show it as windows-1252, the likeliest
       * source of such text. */
      if (charset_wrong)
        g_mime_object_set_content_type_parameter (object, "charset", scan.utf8 ? "utf-8" : "iso-8859-1");
      /* GMime's encoder takes the CRLFs the reader wrote as line ends and
       * any other CR as a character (=0D). */
      g_mime_part_set_content_encoding (part, GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
    }
  else
    g_mime_part_set_content_encoding (part, GMIME_CONTENT_ENCODING_BASE64);
  *changed = TRUE;
}

static void
fix_object (GMimeObject *object,
            gboolean    *changed,
            guint        depth)
{
  /* Nesting is bounded by the header block's size; this bounds the stack
   * whatever the parser makes of it. */
  if (depth > 64)
    return;
  if (GMIME_IS_MULTIPART (object))
    {
      GMimeMultipart *multipart = GMIME_MULTIPART (object);

      for (int i = 0; i < g_mime_multipart_get_count (multipart); i++)
        fix_object (g_mime_multipart_get_part (multipart, i), changed, depth + 1);
    }
  else if (GMIME_IS_MESSAGE_PART (object))
    {
      GMimeMessage *inner = g_mime_message_part_get_message (GMIME_MESSAGE_PART (object));

      if (inner != NULL && g_mime_message_get_mime_part (inner) != NULL)
        fix_object (g_mime_message_get_mime_part (inner), changed, depth + 1);
    }
  else if (GMIME_IS_PART (object))
    fix_part (GMIME_PART (object), changed);
}

/* An unnamed file beside the message when the file system allows it. */
static int
open_scratch (const char  *dir,
              GError     **error)
{
  g_autofree char *template = NULL;
  int fd;

#ifdef O_TMPFILE
  fd = open (dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd >= 0)
    return fd;
#endif
  template = g_build_filename (dir, ".postier-reencode-XXXXXX", NULL);
  fd = g_mkstemp_full (template, O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Cannot write the message to “%s”: %s"), template, g_strerror (saved_errno));
      return -1;
    }
  g_unlink (template);
  return fd;
}

static gboolean
io_failed (GError   **error,
           gboolean   writing)
{
  int saved_errno = errno;

  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
               writing ? _("Cannot write the message: %s") : _("Cannot read the message: %s"),
               g_strerror (saved_errno));
  return FALSE;
}

/* Whether the LENGTH octets in FD still hold a line over 998 octets or a
 * CR alone (result->unfit). */
static gboolean
scan_fd (int                    fd,
         guint64                length,
         PostierMimeReencoded  *result,
         GError               **error)
{
  g_autofree char *buffer = g_malloc (CHUNK);
  guint64 done = 0;
  Scan scan;

  scan_init (&scan);
  while (done < length)
    {
      ssize_t n = pread (fd, buffer, (gsize) MIN ((guint64) CHUNK, length - done), (off_t) done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return io_failed (error, FALSE);
      scan_feed (&scan, buffer, (gsize) n);
      done += (guint64) n;
    }
  scan_finish (&scan);
  result->unfit = scan.long_line || scan.bare_cr;
  return TRUE;
}

/* SCRATCH's LENGTH octets replace FD's content. */
static gboolean
copy_back (int                    scratch,
           guint64                length,
           int                    fd,
           PostierMimeReencoded  *result,
           GError               **error)
{
  g_autofree char *buffer = g_malloc (CHUNK);
  guint64 done = 0;

  if (ftruncate (fd, 0) != 0)
    return io_failed (error, TRUE);
  while (done < length)
    {
      ssize_t n = pread (scratch, buffer, (gsize) MIN ((guint64) CHUNK, length - done), (off_t) done);
      gssize written = 0;

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return io_failed (error, FALSE);
      if (!result->eight_bit)
        for (ssize_t i = 0; i < n; i++)
          if ((guchar) buffer[i] >= 0x80)
            {
              result->eight_bit = TRUE;
              break;
            }
      while (written < n)
        {
          ssize_t w = pwrite (fd, buffer + written, (gsize) (n - written), (off_t) (done + (guint64) written));

          if (w < 0 && errno == EINTR)
            continue;
          if (w < 0)
            return io_failed (error, TRUE);
          written += w;
        }
      done += (guint64) n;
    }
  return TRUE;
}

gboolean
postier_mime_reencode_fd (int                    fd,
                          guint64                length,
                          const char            *scratch_dir,
                          PostierMimeReencoded  *result,
                          GCancellable          *cancellable,
                          GError               **error)
{
  g_autoptr(GMimeStream) input = NULL;
  g_autoptr(GMimeParser) parser = NULL;
  g_autoptr(GMimeMessage) message = NULL;
  g_autoptr(GMimeStream) sink = NULL;
  g_autoptr(GMimeStream) crlf = NULL;
  g_autoptr(GMimeFilter) unix2dos = NULL;
  g_autoptr(GMimeFormatOptions) options = NULL;
  GMimeObject *body;
  gboolean changed = FALSE;
  int input_fd;
  int scratch;
  int scratch_copy;
  gboolean ok;

  g_return_val_if_fail (fd >= 0 && result != NULL, FALSE);

  *result = (PostierMimeReencoded) { 0 };
  input_fd = dup (fd);
  if (input_fd < 0 || lseek (input_fd, 0, SEEK_SET) < 0)
    {
      ok = io_failed (error, FALSE);
      if (input_fd >= 0)
        close (input_fd);
      return ok;
    }
  input = g_mime_stream_fs_new_with_bounds (input_fd, 0, (gint64) length);
  parser = g_mime_parser_new_with_stream (input);
  message = g_mime_parser_construct_message (parser, NULL);
  if (message == NULL || (body = g_mime_message_get_mime_part (message)) == NULL)
    return TRUE;  /* nothing GMime can encode; the message stays as it is */

  fix_object (body, &changed, 0);
  if (!changed)
    {
      /* Nothing GMime could encode (text outside any part, a multipart
       * without its boundary): the caller refuses what is still unfit. */
      g_clear_object (&message);
      g_clear_object (&parser);
      g_clear_object (&input);
      return scan_fd (fd, length, result, error);
    }
  if (g_mime_object_get_header (GMIME_OBJECT (message), "MIME-Version") == NULL)
    g_mime_object_set_header (GMIME_OBJECT (message), "MIME-Version", "1.0", NULL);

  scratch = open_scratch (scratch_dir, error);
  if (scratch < 0)
    return FALSE;
  scratch_copy = dup (scratch);
  if (scratch_copy < 0)
    {
      ok = io_failed (error, TRUE);
      close (scratch);
      return ok;
    }
  sink = postier_mime_sink_new (scratch_copy, cancellable);
  options = postier_mime_new_format_options ();
  /* GMime writes a multipart's preface and postface as it stored them,
   * with LF line ends (a fuzzing find): every LF goes out as CRLF. */
  crlf = g_mime_stream_filter_new (sink);
  unix2dos = g_mime_filter_unix2dos_new (FALSE);
  g_mime_stream_filter_add (GMIME_STREAM_FILTER (crlf), unix2dos);
  g_mime_object_write_to_stream (GMIME_OBJECT (message), options, crlf);
  g_mime_stream_flush (crlf);
  if (!postier_mime_sink_finish (POSTIER_MIME_SINK (sink), error))
    {
      close (scratch);
      return FALSE;
    }
  result->size = postier_mime_sink_get_written (POSTIER_MIME_SINK (sink));
  result->changed = TRUE;

  /* The parser reads FD's parts lazily: let go of them before FD changes. */
  g_clear_object (&message);
  g_clear_object (&parser);
  g_clear_object (&input);
  ok = copy_back (scratch, result->size, fd, result, error);
  close (scratch);
  return ok && scan_fd (fd, result->size, result, error);
}
