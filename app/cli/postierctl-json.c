/* postierctl-json.c — --json output, apart from postierctl.c so that the
 * light postierctl (postierctl-light.c) does not load json-glib
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postierctl"

#include "config.h"

#include <string.h>

#include "postierctl-private.h"

void
postierctl_print_json (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(GString) out = NULL;
  g_autofree char *text = NULL;
  const char *end;

  json_generator_set_pretty (generator, TRUE);
  json_generator_set_root (generator, node);
  text = json_generator_to_data (generator, NULL);

  /* json-glib escapes C0 controls but writes C1 controls and bidi
   * overrides as they are; people also read --json on a terminal. Such
   * characters only occur inside strings, where \uXXXX means the same. */
  end = text + strlen (text);
  out = g_string_sized_new ((gsize) (end - text));
  for (const char *p = text; p < end;)
    {
      gunichar c = g_utf8_get_char_validated (p, end - p);

      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          g_string_append (out, "\\ufffd");
          p++;
          continue;
        }
      if (postierctl_acts_on_terminal (c, TRUE))
        g_string_append_printf (out, "\\u%04x", c);
      else
        g_string_append_len (out, p, g_utf8_next_char (p) - p);
      p = g_utf8_next_char (p);
    }
  /* JSON is UTF-8 whatever the locale (RFC 8259): a script run by cron,
   * in the C locale, must read "café", never GLib's "caf?". */
  g_string_append_c (out, '\n');
  fputs (out->str, stdout);
  fflush (stdout);
}
