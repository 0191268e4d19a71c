/* postier-settings.c — the app's GSettings, and their move to a new id
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-settings"

#include "config.h"

#include "postier-settings.h"

static GSettings *
settings_new (GSettingsSchema  *schema,
              GSettingsBackend *backend)
{
  return g_settings_new_full (schema, backend, NULL);
}

guint
postier_settings_migrate (GSettingsBackend *backend)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) old_schema = NULL;
  g_autoptr(GSettingsSchema) new_schema = NULL;
  g_autoptr(GSettings) old_settings = NULL;
  g_autoptr(GSettings) new_settings = NULL;
  g_auto(GStrv) keys = NULL;
  guint copied = 0;

  if (source == NULL)
    return 0;
  new_schema = g_settings_schema_source_lookup (source, APPLICATION_ID, TRUE);
  if (new_schema == NULL)
    return 0;
  new_settings = settings_new (new_schema, backend);
  if (g_settings_get_boolean (new_settings, "settings-migrated"))
    return 0;

  /* The old schema stays installed for this one read; a system without it
   * has nothing to move. */
  old_schema = g_settings_schema_source_lookup (source, POSTIER_OLD_SCHEMA_ID, TRUE);
  /* Delayed, so the values and the flag are written together. */
  g_settings_delay (new_settings);
  if (old_schema != NULL)
    {
      old_settings = settings_new (old_schema, backend);
      keys = g_settings_schema_list_keys (old_schema);
      for (guint i = 0; keys[i] != NULL; i++)
        {
          g_autoptr(GVariant) value = g_settings_get_user_value (old_settings, keys[i]);
          g_autoptr(GSettingsSchemaKey) key = NULL;

          if (value == NULL || !g_settings_schema_has_key (new_schema, keys[i]))
            continue;
          key = g_settings_schema_get_key (new_schema, keys[i]);
          if (!g_variant_is_of_type (value, g_settings_schema_key_get_value_type (key))
              || !g_settings_schema_key_range_check (key, value))
            continue;
          g_settings_set_value (new_settings, keys[i], value);
          copied++;
        }
    }
  g_settings_set_boolean (new_settings, "settings-migrated", TRUE);
  g_settings_apply (new_settings);
  g_settings_sync ();
  if (copied > 0)
    g_debug ("Moved %u settings from %s to %s", copied, POSTIER_OLD_SCHEMA_ID, APPLICATION_ID);
  return copied;
}
