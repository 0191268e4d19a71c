/* postier-recipient-cache.c — one line per domain: "DOMAIN WORD EXPIRES"
 *
 * Written whole to a temporary name and renamed (g_file_set_contents), so
 * a reader never sees half a file. Two processes storing at once may lose
 * one of their lines: that costs one more DNS question later, nothing else.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <fcntl.h>
#include <unistd.h>

#include "postier-paths.h"
#include "postier-recipient-cache.h"

/* A cache of a few thousand domains is a few tens of KiB; past this, the
 * lines that expire soonest go. */
#define MAX_ENTRIES 2000
#define MAX_FILE_SIZE (256 * 1024)

static char *
cache_path (void)
{
  return g_build_filename (g_get_user_cache_dir (), "postier", "recipient-domains", NULL);
}

static gboolean
is_stored_word (const char *word)
{
  return g_str_equal (word, "ok") || g_str_equal (word, "no-domain") ||
         g_str_equal (word, "no-mail-server") || g_str_equal (word, "null-mx");
}

/* The file's text, or NULL; never follows a link planted in its place. */
static char *
read_cache (void)
{
  g_autofree char *path = cache_path ();
  g_autofree char *text = g_malloc (MAX_FILE_SIZE + 1);
  gsize length = 0;
  int fd = postier_open_regular (path, O_RDONLY, 0, NULL);

  if (fd < 0)
    return NULL;
  while (length < MAX_FILE_SIZE)
    {
      ssize_t got = read (fd, text + length, MAX_FILE_SIZE - length);

      if (got <= 0)
        break;
      length += (gsize) got;
    }
  close (fd);
  text[length] = '\0';
  return g_steal_pointer (&text);
}

/* Splits LINE into its three fields; FALSE for anything malformed. */
static gboolean
parse_line (char        *line,
            const char **domain,
            const char **word,
            gint64      *expires)
{
  char *end = NULL;
  char *space1 = strchr (line, ' ');
  char *space2 = space1 != NULL ? strchr (space1 + 1, ' ') : NULL;

  if (space2 == NULL)
    return FALSE;
  *space1 = *space2 = '\0';
  *domain = line;
  *word = space1 + 1;
  *expires = g_ascii_strtoll (space2 + 1, &end, 10);
  return end != space2 + 1 && *end == '\0' && **domain != '\0' && is_stored_word (*word);
}

char *
postier_recipient_cache_lookup (const char *domain)
{
  g_autofree char *text = read_cache ();
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  char *line, *next;

  g_return_val_if_fail (domain != NULL, NULL);
  for (line = text; line != NULL && *line != '\0'; line = next)
    {
      const char *name, *word;
      gint64 expires;

      next = strchr (line, '\n');
      if (next != NULL)
        *next++ = '\0';
      if (parse_line (line, &name, &word, &expires) && g_str_equal (name, domain) && expires > now)
        return g_strdup (word);
    }
  return NULL;
}

typedef struct {
  char   *line;
  gint64  expires;
} Entry;

static int
later_first (gconstpointer a,
             gconstpointer b)
{
  const Entry *x = a, *y = b;

  return x->expires < y->expires ? 1 : x->expires > y->expires ? -1 : 0;
}

void
postier_recipient_cache_store (const char *domain,
                               const char *status_word,
                               guint       ttl)
{
  g_autofree char *path = cache_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *text = read_cache ();
  g_autoptr(GArray) entries = g_array_new (FALSE, FALSE, sizeof (Entry));
  g_autoptr(GString) out = g_string_new (NULL);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  Entry mine = { NULL, now + ttl };
  char *line, *next;

  g_return_if_fail (domain != NULL && strchr (domain, ' ') == NULL && strchr (domain, '\n') == NULL);
  g_return_if_fail (is_stored_word (status_word));

  mine.line = g_strdup_printf ("%s %s %" G_GINT64_FORMAT, domain, status_word, mine.expires);
  g_array_append_val (entries, mine);
  for (line = text; line != NULL && *line != '\0'; line = next)
    {
      const char *name, *word;
      Entry entry;

      next = strchr (line, '\n');
      if (next != NULL)
        *next++ = '\0';
      if (!parse_line (line, &name, &word, &entry.expires) || entry.expires <= now ||
          g_str_equal (name, domain))
        continue;
      entry.line = g_strdup_printf ("%s %s %" G_GINT64_FORMAT, name, word, entry.expires);
      g_array_append_val (entries, entry);
    }
  g_array_sort (entries, later_first);
  for (guint i = 0; i < entries->len; i++)
    {
      Entry *entry = &g_array_index (entries, Entry, i);

      if (i < MAX_ENTRIES)
        g_string_append_printf (out, "%s\n", entry->line);
      g_free (entry->line);
    }
  if (postier_ensure_private_dir (dir, NULL))
    g_file_set_contents_full (path, out->str, (gssize) out->len, G_FILE_SET_CONTENTS_CONSISTENT,
                              0600, NULL);
}
