/* test-settings-migration.c — preferences saved under the old application
 * id (org.postier.Postier) survive the move to io.github.postier.Postier
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_SETTINGS_ENABLE_BACKEND
#include "config.h"

#include <gio/gio.h>
#include <gio/gsettingsbackend.h>
#include <glib/gstdio.h>

#include "postier-settings.h"

/* The keyfile backend is the one GSettings uses where dconf is absent, and
 * it is what the person's file on disk looks like. */
static GSettingsBackend *
keyfile_backend (const char *dir,
                 const char *contents)
{
  g_autofree char *path = g_build_filename (dir, "keyfile", NULL);

  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
  return g_keyfile_settings_backend_new (path, "/", NULL);
}

static void
test_values_copied_once (void)
{
  g_autofree char *dir = g_dir_make_tmp ("postier-settings-XXXXXX", NULL);
  g_autoptr(GSettingsBackend) backend = keyfile_backend (dir,
      "[org/postier/Postier]\n"
      "window-width=1111\n"
      "show-cc-bcc=true\n"
      "autosave-delay=uint32 9\n"
      "account-setup-dismissed=true\n");
  g_autoptr(GSettings) settings = g_settings_new_with_backend (APPLICATION_ID, backend);
  g_autoptr(GSettings) old = g_settings_new_with_backend (POSTIER_OLD_SCHEMA_ID, backend);

  /* Before: the new id shows the defaults, as a first start would. */
  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 800);
  g_assert_false (g_settings_get_boolean (settings, "account-setup-dismissed"));

  g_assert_cmpuint (postier_settings_migrate (backend), ==, 4);
  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 1111);
  g_assert_true (g_settings_get_boolean (settings, "show-cc-bcc"));
  g_assert_cmpuint (g_settings_get_uint (settings, "autosave-delay"), ==, 9);
  /* A person who declined the set-up is not asked again. */
  g_assert_true (g_settings_get_boolean (settings, "account-setup-dismissed"));
  /* Keys never set stay at their defaults (not copied as values). */
  g_assert_null (g_settings_get_user_value (settings, "window-height"));

  /* Once only: a later change in the app is not overwritten by the old
   * values at the next start. */
  g_settings_set_int (settings, "window-width", 900);
  g_settings_set_int (old, "window-width", 1234);
  g_assert_cmpuint (postier_settings_migrate (backend), ==, 0);
  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 900);

  g_clear_object (&settings);
  g_clear_object (&old);
  g_clear_object (&backend);
  {
    g_autofree char *keyfile = g_build_filename (dir, "keyfile", NULL);
    g_assert_no_errno (g_remove (keyfile));
  }
  g_assert_no_errno (g_rmdir (dir));
}

static void
test_nothing_to_copy (void)
{
  g_autofree char *dir = g_dir_make_tmp ("postier-settings-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "keyfile", NULL);
  g_autoptr(GSettingsBackend) backend = keyfile_backend (dir, "");
  g_autoptr(GSettings) settings = g_settings_new_with_backend (APPLICATION_ID, backend);

  /* A new user: nothing copied, and the check is not repeated. */
  g_assert_cmpuint (postier_settings_migrate (backend), ==, 0);
  g_assert_true (g_settings_get_boolean (settings, "settings-migrated"));
  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 800);

  g_clear_object (&settings);
  g_clear_object (&backend);
  g_assert_no_errno (g_remove (path));
  g_assert_no_errno (g_rmdir (dir));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/settings/old-id-values-copied-once", test_values_copied_once);
  g_test_add_func ("/settings/nothing-to-copy", test_nothing_to_copy);
  return g_test_run ();
}
