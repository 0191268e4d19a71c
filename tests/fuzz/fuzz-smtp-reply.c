/* fuzz-smtp-reply.c — libFuzzer target for the SMTP reply parser
 *
 * The first byte picks how the rest is cut into reads (1 to 256 bytes),
 * because the parser must give the same answers whatever the network does
 * with the bytes. Every complete reply also goes through the EHLO parser
 * and the text formatter, as the client would use it.
 *
 * Built without libFuzzer (POSTIER_FUZZ_REPLAY), it replays the files
 * given as arguments, each cut in every way the first byte can choose, so
 * the seeds run in every build.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "postier-error.h"
#include "postier-smtp-reply.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  PostierSmtpReplyParser *parser;
  size_t step, offset = 1;

  if (size < 1)
    return 0;
  step = (size_t) data[0] + 1;
  parser = postier_smtp_reply_parser_new ();

  while (offset < size)
    {
      size_t piece = MIN (step, size - offset);
      size_t used = 0;

      while (used < piece)
        {
          PostierSmtpReply *reply = NULL;
          GError *error = NULL;
          gsize n = postier_smtp_reply_parser_feed (parser, (const char *) data + offset + used,
                                                    piece - used, &reply, &error);

          g_assert (n <= piece - used);
          used += n;
          if (error != NULL)
            {
              g_assert (error->domain == POSTIER_SMTP_ERROR);
              g_assert (g_utf8_validate (error->message, -1, NULL));
              g_error_free (error);
              postier_smtp_reply_parser_reset (parser);
              continue;
            }
          if (reply != NULL)
            {
              PostierSmtpEhlo *ehlo = postier_smtp_ehlo_parse (reply);
              char *text = postier_smtp_reply_to_string (reply);
              char *status = postier_smtp_reply_get_enhanced_status (reply);

              g_assert (reply->code >= 200 && reply->code <= 599);
              g_assert (g_utf8_validate (text, -1, NULL));
              for (guint i = 0; reply->lines[i] != NULL; i++)
                g_assert (strchr (reply->lines[i], '\r') == NULL && strchr (reply->lines[i], '\n') == NULL);
              for (guint i = 0; ehlo->auth_mechanisms[i] != NULL; i++)
                postier_smtp_ehlo_has_auth_mechanism (ehlo, ehlo->auth_mechanisms[i]);
              g_free (status);
              g_free (text);
              postier_smtp_ehlo_free (ehlo);
              postier_smtp_reply_free (reply);
              continue;
            }
          g_assert (n == piece - used + n);
          break;
        }
      offset += piece;
    }

  postier_smtp_reply_parser_free (parser);
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
      g_autofree guint8 *input = NULL;
      gsize length;

      if (!g_file_get_contents (argv[i], &contents, &length, NULL))
        {
          g_printerr ("cannot read %s\n", argv[i]);
          return 1;
        }
      input = g_malloc (length + 1);
      memcpy (input + 1, contents, length);
      for (guint step = 0; step < 256; step++)
        {
          input[0] = (guint8) step;
          LLVMFuzzerTestOneInput (input, length + 1);
        }
    }
  return 0;
}
#endif
