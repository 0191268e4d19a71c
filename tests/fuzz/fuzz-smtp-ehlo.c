/* fuzz-smtp-ehlo.c — libFuzzer target for the EHLO capability parser
 *
 * Each input line is one line of a 250 reply to EHLO (the first is the
 * greeting), handed to postier_smtp_ehlo_parse() as the client would after
 * the reply parser: whatever a server announces, the capabilities come
 * out consistent (mechanisms upper case and listed, lines kept).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "postier-smtp-reply.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  PostierSmtpReply reply = { 250, 0, 0, 0, NULL };
  PostierSmtpEhlo *ehlo;
  guint n_lines;

  /* The reply parser hands over valid UTF-8 lines without CR or LF. */
  text = g_utf8_make_valid ((const char *) data, (gssize) size);
  g_strdelimit (text, "\r", '\n');
  lines = g_strsplit (text, "\n", POSTIER_SMTP_REPLY_MAX_LINES);
  n_lines = g_strv_length (lines);
  if (n_lines == 0)
    return 0;
  reply.lines = lines;

  ehlo = postier_smtp_ehlo_parse (&reply);
  g_assert (ehlo != NULL);
  g_assert (ehlo->auth_mechanisms != NULL);
  g_assert (ehlo->lines != NULL);
  g_assert (g_strv_length (ehlo->lines) <= n_lines);
  for (guint i = 0; ehlo->auth_mechanisms[i] != NULL; i++)
    {
      const char *mechanism = ehlo->auth_mechanisms[i];
      g_autofree char *upper = g_ascii_strup (mechanism, -1);

      g_assert (*mechanism != '\0');
      g_assert (strcmp (upper, mechanism) == 0);
      g_assert (postier_smtp_ehlo_has_auth_mechanism (ehlo, mechanism));
    }
  (void) postier_smtp_ehlo_has_auth_mechanism (ehlo, "PLAIN");
  (void) postier_smtp_ehlo_has_auth_mechanism (ehlo, "scram-sha-256");
  postier_smtp_ehlo_free (ehlo);
  return 0;
}
