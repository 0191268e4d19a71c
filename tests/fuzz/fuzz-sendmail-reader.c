/* fuzz-sendmail-reader.c — libFuzzer target for the sendmail stdin reader
 *
 * The first byte picks the flags (-t, -i, a default From, a small size
 * cap); the rest is standard input. Whatever comes in, the reader either
 * refuses it with a message error or writes a message that obeys the
 * rules: CRLF line ends only, no NUL, no line over 998 octets, a header
 * block ended by a blank line, a Date and a Message-ID, no Bcc, -t
 * recipients that are valid addresses, and no more than the cap.
 *
 * Built without libFuzzer (POSTIER_FUZZ_REPLAY), it replays the files
 * given as arguments, so the seeds run in every build.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "postier-address.h"
#include "postier-core.h"
#include "postier-error.h"
#include "postier-sendmail-reader.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

#define SMALL_CAP 4096

static gboolean
header_present (const char *block,
                gsize       length,
                const char *name)
{
  gsize name_length = strlen (name);

  for (gsize i = 0; i + name_length < length; i++)
    if ((i == 0 || block[i - 1] == '\n') && g_ascii_strncasecmp (block + i, name, name_length) == 0)
      {
        gsize after = i + name_length;

        /* RFC 5322's obsolete syntax allows blanks before the colon
         * ("Date :"); the reader counts such a field as present. */
        while (after < length && (block[after] == ' ' || block[after] == '\t'))
          after++;
        if (after < length && block[after] == ':')
          return TRUE;
      }
  return FALSE;
}

static void
check_output (const char            *output,
              gsize                  length,
              PostierSendmailReader *reader,
              PostierSendmailFlags   flags)
{
  const char *separator;
  gsize header_length;

  g_assert (postier_sendmail_reader_get_size (reader) == length);
  g_assert (memchr (output, '\0', length) == NULL);
  for (gsize i = 0, line = 0; i < length; i++)
    {
      if (output[i] == '\n')
        g_assert (i > 0 && output[i - 1] == '\r');
      if (output[i] == '\r')
        g_assert (i + 1 < length && output[i + 1] == '\n');
      line = output[i] == '\n' ? 0 : line + 1;
      g_assert (line <= 999);  /* 998 and the CR */
    }
  g_assert (length >= 2 && memcmp (output + length - 2, "\r\n", 2) == 0);

  if (length >= 2 && memcmp (output, "\r\n", 2) == 0)
    separator = output;
  else
    separator = g_strstr_len (output, (gssize) length, "\r\n\r\n");
  g_assert (separator != NULL);
  header_length = (gsize) (separator - output) + 2;

  g_assert (header_present (output, header_length, "Date"));
  g_assert (header_present (output, header_length, "Message-ID"));
  g_assert (!header_present (output, header_length, "Bcc"));

  if (flags & POSTIER_SENDMAIL_READ_HEADERS)
    {
      const char * const *recipients = postier_sendmail_reader_get_recipients (reader);
      for (guint i = 0; recipients[i] != NULL; i++)
        g_assert (postier_address_is_valid (recipients[i]));
    }
  else
    g_assert (postier_sendmail_reader_get_recipients (reader)[0] == NULL);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  PostierSendmailReader *reader;
  PostierSendmailFlags flags = POSTIER_SENDMAIL_NONE;
  GError *error = NULL;
  int in_fd, out_fd;
  off_t length;

  if (size < 1)
    return 0;
  postier_core_init ();

  if (data[0] & 1)
    flags |= POSTIER_SENDMAIL_READ_HEADERS;
  if (data[0] & 2)
    flags |= POSTIER_SENDMAIL_IGNORE_DOTS;
  reader = postier_sendmail_reader_new (flags);
  if (data[0] & 4)
    postier_sendmail_reader_set_default_from (reader, "Zoë Fuzz <zoe@bücher.example>");
  if (data[0] & 8)
    postier_sendmail_reader_set_max_size (reader, SMALL_CAP);

  in_fd = memfd_create ("fuzz-in", MFD_CLOEXEC);
  out_fd = memfd_create ("fuzz-out", MFD_CLOEXEC);
  g_assert (in_fd >= 0 && out_fd >= 0);
  g_assert (write (in_fd, data + 1, size - 1) == (ssize_t) (size - 1));
  g_assert (lseek (in_fd, 0, SEEK_SET) == 0);

  if (postier_sendmail_reader_run (reader, in_fd, out_fd, NULL, &error))
    {
      char *output;

      length = lseek (out_fd, 0, SEEK_END);
      output = g_malloc ((gsize) length + 1);
      g_assert (pread (out_fd, output, (gsize) length, 0) == length);
      check_output (output, (gsize) length, reader, flags);
      if (data[0] & 8)
        g_assert ((guint64) length <= SMALL_CAP);
      g_free (output);
    }
  else
    {
      g_assert (error->domain == POSTIER_MESSAGE_ERROR);
      g_assert (error->code == POSTIER_MESSAGE_ERROR_MALFORMED ||
                error->code == POSTIER_MESSAGE_ERROR_BAD_ADDRESS ||
                error->code == POSTIER_MESSAGE_ERROR_HEADER_INJECTION ||
                ((data[0] & 8) && error->code == POSTIER_MESSAGE_ERROR_TOO_LARGE));
      g_assert (g_utf8_validate (error->message, -1, NULL));
      g_assert (strchr (error->message, '\n') == NULL);
      g_error_free (error);
    }

  close (in_fd);
  close (out_fd);
  g_object_unref (reader);
  return 0;
}

#ifdef POSTIER_FUZZ_REPLAY
int
main (int   argc,
      char *argv[])
{
  for (int i = 1; i < argc; i++)
    {
      g_autofree char *contents = NULL;
      gsize length;

      if (!g_file_get_contents (argv[i], &contents, &length, NULL))
        {
          g_printerr ("cannot read %s\n", argv[i]);
          return 1;
        }
      /* Every seed with every flag combination. */
      for (guint8 flags = 0; flags < 16; flags++)
        {
          g_autofree guint8 *input = g_malloc (length + 1);
          input[0] = flags;
          memcpy (input + 1, contents, length);
          LLVMFuzzerTestOneInput (input, length + 1);
        }
    }
  return 0;
}
#endif
