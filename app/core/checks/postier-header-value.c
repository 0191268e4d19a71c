/* postier-header-value.c — judging one raw header value: control
 * characters, 8-bit bytes and RFC 2047 encoded words
 *
 * Moved out of postier-message-check.c, unchanged, to keep that file to
 * the check list itself. GMime repairs what it parses, so this looks at
 * the raw bytes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-check"

#include "config.h"

#include <string.h>

#include "postier-header-value.h"

static gboolean
charset_is_known (const char *charset)
{
  GIConv conv = g_iconv_open ("UTF-8", charset);

  if (conv == (GIConv) -1)
    return FALSE;
  g_iconv_close (conv);
  return TRUE;
}

static gboolean
q_payload_decode (const char  *text,
                  gsize        length,
                  GByteArray  *out)
{
  for (gsize i = 0; i < length; i++)
    {
      guchar c = (guchar) text[i];

      if (c == '=')
        {
          if (i + 2 >= length)
            return FALSE;
          if (!g_ascii_isxdigit (text[i + 1]) || !g_ascii_isxdigit (text[i + 2]))
            return FALSE;
          g_byte_array_append (out, (guint8[]) { (guint8) (g_ascii_xdigit_value (text[i + 1]) * 16 +
                                                           g_ascii_xdigit_value (text[i + 2])) }, 1);
          i += 2;
        }
      else if (c == '_')
        g_byte_array_append (out, (const guint8 *) " ", 1);
      else if (c > 0x20 && c < 0x7f && c != '?')
        g_byte_array_append (out, &c, 1);
      else
        return FALSE;
    }
  return TRUE;
}

static gboolean
b_payload_decode (const char *text,
                  gsize       length,
                  GByteArray *out)
{
  g_autofree char *copy = NULL;
  g_autofree guchar *decoded = NULL;
  gsize decoded_length;

  if (length % 4 != 0)
    return FALSE;
  for (gsize i = 0; i < length; i++)
    {
      char c = text[i];
      gboolean padding = c == '=' && i >= length - 2 && (i == length - 1 || text[length - 1] == '=');

      if (!g_ascii_isalnum (c) && c != '+' && c != '/' && !padding)
        return FALSE;
    }
  copy = g_strndup (text, length);
  decoded = g_base64_decode (copy, &decoded_length);
  g_byte_array_append (out, decoded, (guint) decoded_length);
  return TRUE;
}

/* One "=?charset?X?text?=" token: a charset iconv knows, B or Q, a payload
 * that decodes, and bytes that are valid in that charset. */
static gboolean
encoded_word_is_valid (const char *word,
                       gsize       length)
{
  g_autofree char *copy = g_strndup (word + 2, length - 4);
  g_auto(GStrv) fields = g_strsplit (copy, "?", -1);
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  g_autofree char *charset = NULL;
  g_autofree char *converted = NULL;
  char *star;

  if (g_strv_length (fields) != 3 || fields[0][0] == '\0' || strlen (fields[1]) != 1)
    return FALSE;
  /* RFC 2231 5: "charset*language". */
  charset = g_strdup (fields[0]);
  if ((star = strchr (charset, '*')) != NULL)
    *star = '\0';
  if (!charset_is_known (charset))
    return FALSE;

  switch (g_ascii_toupper (fields[1][0]))
    {
    case 'Q':
      if (!q_payload_decode (fields[2], strlen (fields[2]), bytes))
        return FALSE;
      break;
    case 'B':
      if (!b_payload_decode (fields[2], strlen (fields[2]), bytes))
        return FALSE;
      break;
    default:
      return FALSE;
    }
  /* An empty word ("=?UTF-8?B??=") decodes to nothing; readers show
   * nothing. (g_convert () wants a non-NULL string even for no bytes.) */
  if (bytes->len == 0)
    return TRUE;
  converted = g_convert ((const char *) bytes->data, bytes->len, "UTF-8", charset, NULL, NULL, NULL);
  return converted != NULL;
}

PostierHeaderProblem
postier_header_value_judge (const char *raw,
                            gboolean    smtputf8)
{
  static GRegex *encoded_word = NULL;
  g_autoptr(GMatchInfo) match = NULL;
  gboolean has_8bit = FALSE;
  PostierHeaderProblem problem = POSTIER_HEADER_OK;

  for (const guchar *p = (const guchar *) raw; *p; p++)
    {
      if (*p >= 0x80)
        has_8bit = TRUE;
      /* CR and LF only as folding; NUL cannot appear in a C string. */
      else if ((*p < 0x20 && *p != '\t' && *p != '\r' && *p != '\n') || *p == 0x7f)
        return POSTIER_HEADER_CONTROL;
      else if (*p == '\r' && p[1] != '\n')
        return POSTIER_HEADER_CONTROL;
    }
  if (has_8bit && !smtputf8)
    return POSTIER_HEADER_RAW_8BIT;
  if (has_8bit && !g_utf8_validate (raw, -1, NULL))
    return POSTIER_HEADER_BAD_UTF8;

  if (g_once_init_enter (&encoded_word))
    g_once_init_leave (&encoded_word,
                               g_regex_new ("=\\?[^?\\s]*\\?[^?\\s]*\\?[^\\s]*?\\?=",
                                            G_REGEX_OPTIMIZE, 0, NULL));
  g_regex_match (encoded_word, raw, 0, &match);
  while (g_match_info_matches (match))
    {
      int start, end;

      g_match_info_fetch_pos (match, 0, &start, &end);
      if (!encoded_word_is_valid (raw + start, (gsize) (end - start)))
        return POSTIER_HEADER_BAD_ENCODED_WORD;
      if (end - start > POSTIER_HEADER_MAX_ENCODED_WORD)
        problem = POSTIER_HEADER_LONG_ENCODED_WORD;
      g_match_info_next (match, NULL);
    }
  return problem;
}

