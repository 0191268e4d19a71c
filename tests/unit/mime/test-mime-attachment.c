/* test-mime-attachment.c — Postier's own base64 writer is GMime's, octet
 * for octet
 *
 * An attachment part writes its content itself (issue 12: 1 GiB at the
 * speed of `base64`). What a recipient gets must not change: for files of
 * every length around the line and chunk boundaries, the part's output is
 * compared with GMime's own GMimePart over the same file, with the line
 * ends Postier sends (CRLF) and with Unix ones.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "postier-gmime.h"
#include "postier-mime-attachment.h"
#include "postier-test.h"

static GMimeStream *
file_stream (const char *path)
{
  int fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);

  g_assert_cmpint (fd, >=, 0);
  return g_mime_stream_fs_new (fd);
}

static GByteArray *
write_part (GMimeObject        *part,
            GMimeFormatOptions *options)
{
  GByteArray *bytes = g_byte_array_new ();
  g_autoptr(GMimeStream) mem = g_mime_stream_mem_new_with_byte_array (bytes);

  g_mime_stream_mem_set_owner (GMIME_STREAM_MEM (mem), FALSE);
  g_assert_cmpint (g_mime_object_write_to_stream (part, options, mem), >=, 0);
  return bytes;
}

/* GMime's own part, as build_attachment_part() made it before issue 12. */
static GMimeObject *
gmime_part (const char *path)
{
  g_autoptr(GMimeStream) stream = file_stream (path);
  g_autoptr(GMimeDataWrapper) content = g_mime_data_wrapper_new_with_stream (stream, GMIME_CONTENT_ENCODING_DEFAULT);
  GMimePart *part = g_mime_part_new_with_type ("application", "octet-stream");

  g_mime_part_set_filename (part, "data.bin");
  g_mime_part_set_content (part, content);
  g_mime_part_set_content_encoding (part, GMIME_CONTENT_ENCODING_BASE64);
  return GMIME_OBJECT (part);
}

static GMimeObject *
postier_part (const char *path)
{
  g_autoptr(GMimeStream) stream = file_stream (path);
  GMimePart *part = postier_attachment_part_new ("application", "octet-stream", stream);

  g_mime_part_set_filename (part, "data.bin");
  g_mime_part_set_content_encoding (part, GMIME_CONTENT_ENCODING_BASE64);
  return GMIME_OBJECT (part);
}

static void
compare_for_size (const char *dir,
                  gsize       size)
{
  g_autofree char *path = g_build_filename (dir, "data.bin", NULL);
  g_autofree guchar *data = g_malloc (MAX (size, 1));
  g_autoptr(GMimeObject) theirs = NULL;
  g_autoptr(GMimeObject) ours = NULL;
  GMimeNewLineFormat formats[] = { GMIME_NEWLINE_FORMAT_DOS, GMIME_NEWLINE_FORMAT_UNIX };

  for (gsize i = 0; i < size; i++)
    data[i] = (guchar) g_test_rand_int_range (0, 256);
  g_assert_true (g_file_set_contents (path, (const char *) data, (gssize) size, NULL));
  theirs = gmime_part (path);
  ours = postier_part (path);

  for (guint f = 0; f < G_N_ELEMENTS (formats); f++)
    {
      g_autoptr(GMimeFormatOptions) options = g_mime_format_options_new ();
      g_autoptr(GByteArray) expected = NULL;
      g_autoptr(GByteArray) got = NULL;
      g_autoptr(GByteArray) again = NULL;

      g_mime_format_options_set_newline_format (options, formats[f]);
      expected = write_part (theirs, options);
      got = write_part (ours, options);
      if (got->len != expected->len || memcmp (got->data, expected->data, got->len) != 0)
        g_error ("%" G_GSIZE_FORMAT " octets, %s line ends: %u octets written, GMime wrote %u",
                 size, f == 0 ? "CRLF" : "LF", got->len, expected->len);
      /* Written twice (a retry re-reads the part): the same again. */
      again = write_part (ours, options);
      g_assert_cmpmem (again->data, again->len, expected->data, expected->len);
    }
  g_unlink (path);
}

static void
test_same_as_gmime (void)
{
  g_autofree char *dir = g_dir_make_tmp ("postier-attachment-XXXXXX", NULL);
  /* Empty, one to three octets, around a line (57), around two, and around
   * the 128 KiB read (57 * 2300 = 131 100), and a few reads. */
  const gsize sizes[] = { 0, 1, 2, 3, 4, 56, 57, 58, 113, 114, 115, 1000,
                          131099, 131100, 131101, 262200, 262201, 1048576, 3 * 131100 + 7 };

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    compare_for_size (dir, sizes[i]);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_mime_init ();
  g_test_add_func ("/mime/attachment/same-as-gmime", test_same_as_gmime);
  return g_test_run ();
}
