/* postier-relay-limits.c — the relays' SIZE, remembered per account
 *
 * Moved out of postier-message-check.c, unchanged: it is written by the
 * SMTP path and read by the checks, so it belongs to neither.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-check"

#include "config.h"

#include "postier-paths.h"
#include "postier-relay-limits.h"

G_LOCK_DEFINE_STATIC (relay_limits);

static char *
relay_limits_path (void)
{
  return g_build_filename (g_get_user_cache_dir (), "postier", "relay-limits.ini", NULL);
}

void
postier_relay_size_limit_remember (const char *account_name,
                                   guint64     size_limit)
{
  g_autofree char *path = relay_limits_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  gsize length;

  g_return_if_fail (account_name != NULL);

  G_LOCK (relay_limits);
  g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, NULL);
  if (g_key_file_has_key (kf, account_name, "size", NULL) &&
      g_key_file_get_uint64 (kf, account_name, "size", NULL) == size_limit)
    {
      G_UNLOCK (relay_limits);
      return;
    }
  g_key_file_set_uint64 (kf, account_name, "size", size_limit);
  data = g_key_file_to_data (kf, &length, NULL);
  if (!postier_ensure_private_dir (dir, &error) ||
      !postier_write_file_durably (path, data, length, &error))
    g_warning ("Cannot remember the relay’s size limit: %s", error->message);
  G_UNLOCK (relay_limits);
}

guint64
postier_relay_size_limit_lookup (const char *account_name)
{
  g_autofree char *path = relay_limits_path ();
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  guint64 limit = 0;

  g_return_val_if_fail (account_name != NULL, 0);

  G_LOCK (relay_limits);
  if (g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, NULL))
    limit = g_key_file_get_uint64 (kf, account_name, "size", NULL);
  G_UNLOCK (relay_limits);
  return limit;
}
