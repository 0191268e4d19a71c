/* postier-settings.h — the app's GSettings, and their move to a new id
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The schema id Postier used before io.github.postier.Postier. */
#define POSTIER_OLD_SCHEMA_ID "org.postier.Postier"

/* Copies, once, every value the person set under the old schema id into
 * the current one, so renaming the application id loses no preference.
 * backend: NULL for the default one. Returns the number of values copied. */
guint postier_settings_migrate (GSettingsBackend *backend);

G_END_DECLS
