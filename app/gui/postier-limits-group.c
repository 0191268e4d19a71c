/* postier-limits-group.c — the account editor's "Sending Limits"
 *
 * A group of its own: the editor is near the house's 900 lines, and the
 * limits are one aspect with one seam (set/get PostierAccountLimits, which
 * core keeps and the limiter reads).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-account-editor"

#include "config.h"

#include <glib/gi18n.h>

#include "postier-limits-group.h"

struct _PostierLimitsGroup
{
  AdwPreferencesGroup  parent_instance;

  gboolean             updating;

  /* Template widgets */
  AdwComboRow         *preset_row;
  GtkWidget           *per_minute_row;
  GtkWidget           *per_hour_row;
  GtkWidget           *per_day_row;
  GtkWidget           *recipients_per_message_row;
  GtkWidget           *recipients_per_day_row;
  GtkSpinButton       *per_minute_spin;
  GtkSpinButton       *per_hour_spin;
  GtkSpinButton       *per_day_spin;
  GtkSpinButton       *recipients_per_message_spin;
  GtkSpinButton       *recipients_per_day_spin;
};

G_DEFINE_FINAL_TYPE (PostierLimitsGroup, postier_limits_group, ADW_TYPE_PREFERENCES_GROUP)

static PostierLimitPreset
selected_preset (PostierLimitsGroup *self)
{
  guint selected = adw_combo_row_get_selected (self->preset_row);

  return selected <= POSTIER_LIMIT_PRESET_CUSTOM ? (PostierLimitPreset) selected
                                                 : POSTIER_LIMIT_PRESET_NONE;
}

static void
read_spins (PostierLimitsGroup   *self,
            PostierAccountLimits *limits)
{
  limits->messages_per_minute = (guint) gtk_spin_button_get_value_as_int (self->per_minute_spin);
  limits->messages_per_hour = (guint) gtk_spin_button_get_value_as_int (self->per_hour_spin);
  limits->messages_per_day = (guint) gtk_spin_button_get_value_as_int (self->per_day_spin);
  limits->recipients_per_message =
    (guint) gtk_spin_button_get_value_as_int (self->recipients_per_message_spin);
  limits->recipients_per_day = (guint) gtk_spin_button_get_value_as_int (self->recipients_per_day_spin);
}

static void
write_spins (PostierLimitsGroup         *self,
             const PostierAccountLimits *limits)
{
  gtk_spin_button_set_value (self->per_minute_spin, limits->messages_per_minute);
  gtk_spin_button_set_value (self->per_hour_spin, limits->messages_per_hour);
  gtk_spin_button_set_value (self->per_day_spin, limits->messages_per_day);
  gtk_spin_button_set_value (self->recipients_per_message_spin, limits->recipients_per_message);
  gtk_spin_button_set_value (self->recipients_per_day_spin, limits->recipients_per_day);
}

void
postier_limits_group_get_limits (PostierLimitsGroup   *self,
                                 PostierAccountLimits *limits)
{
  PostierLimitPreset preset;

  g_return_if_fail (POSTIER_IS_LIMITS_GROUP (self));
  g_return_if_fail (limits != NULL);

  preset = selected_preset (self);
  if (preset == POSTIER_LIMIT_PRESET_CUSTOM)
    read_spins (self, limits);
  else
    postier_limit_preset_get_limits (preset, limits);
}

/* The combo's subtitle says what the choice means; the numbers show for
 * Custom only. */
static void
update_rows (PostierLimitsGroup *self)
{
  PostierAccountLimits limits = { 0 };
  gboolean custom = selected_preset (self) == POSTIER_LIMIT_PRESET_CUSTOM;
  GtkWidget *rows[] = { self->per_minute_row, self->per_hour_row, self->per_day_row,
                        self->recipients_per_message_row, self->recipients_per_day_row };
  g_autofree char *described = NULL;

  postier_limits_group_get_limits (self, &limits);
  described = postier_account_limits_describe (&limits);
  if (custom)
    {
      g_autofree char *text = g_strdup_printf (_("%s. 0 means no limit."), described);

      adw_action_row_set_subtitle (ADW_ACTION_ROW (self->preset_row), text);
    }
  else
    adw_action_row_set_subtitle (ADW_ACTION_ROW (self->preset_row), described);
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    gtk_widget_set_visible (rows[i], custom);
}

static void
on_preset_selected (PostierLimitsGroup *self)
{
  PostierAccountLimits limits = { 0 };
  PostierLimitPreset preset = selected_preset (self);

  if (self->updating)
    return;
  /* Custom starts from what was chosen before, to be adjusted. */
  if (preset != POSTIER_LIMIT_PRESET_CUSTOM)
    {
      postier_limit_preset_get_limits (preset, &limits);
      self->updating = TRUE;
      write_spins (self, &limits);
      self->updating = FALSE;
    }
  update_rows (self);
}

static void
on_spin_changed (PostierLimitsGroup *self)
{
  if (!self->updating)
    update_rows (self);
}

void
postier_limits_group_set_limits (PostierLimitsGroup         *self,
                                 const PostierAccountLimits *limits)
{
  g_return_if_fail (POSTIER_IS_LIMITS_GROUP (self));
  g_return_if_fail (limits != NULL);

  self->updating = TRUE;
  write_spins (self, limits);
  adw_combo_row_set_selected (self->preset_row, postier_account_limits_match_preset (limits));
  self->updating = FALSE;
  update_rows (self);
}

void
postier_limits_group_show (PostierLimitsGroup *self,
                           PostierAccount     *account)
{
  PostierAccountLimits limits = { 0 };

  g_return_if_fail (POSTIER_IS_ACCOUNT (account));
  postier_account_get_limits (account, &limits);
  postier_limits_group_set_limits (self, &limits);
}

void
postier_limits_group_apply (PostierLimitsGroup *self,
                            PostierAccount     *account)
{
  PostierAccountLimits limits = { 0 };

  g_return_if_fail (POSTIER_IS_ACCOUNT (account));
  postier_limits_group_get_limits (self, &limits);
  postier_account_set_limits (account, &limits);
}

static void
postier_limits_group_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), POSTIER_TYPE_LIMITS_GROUP);

  G_OBJECT_CLASS (postier_limits_group_parent_class)->dispose (object);
}

static void
postier_limits_group_class_init (PostierLimitsGroupClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = postier_limits_group_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/postier/Postier/ui/postier-limits-group.ui");
  gtk_widget_class_bind_template_child (widget_class, PostierLimitsGroup, preset_row);
  gtk_widget_class_bind_template_child (widget_class, PostierLimitsGroup, per_minute_row);
  gtk_widget_class_bind_template_child (widget_class, PostierLimitsGroup, per_hour_row);
  gtk_widget_class_bind_template_child (widget_class, PostierLimitsGroup, per_day_row);
  gtk_widget_class_bind_template_child (widget_class, PostierLimitsGroup, recipients_per_message_row);
  gtk_widget_class_bind_template_child (widget_class, PostierLimitsGroup, recipients_per_day_row);
  gtk_widget_class_bind_template_child (widget_class, PostierLimitsGroup, per_minute_spin);
  gtk_widget_class_bind_template_child (widget_class, PostierLimitsGroup, per_hour_spin);
  gtk_widget_class_bind_template_child (widget_class, PostierLimitsGroup, per_day_spin);
  gtk_widget_class_bind_template_child (widget_class, PostierLimitsGroup, recipients_per_message_spin);
  gtk_widget_class_bind_template_child (widget_class, PostierLimitsGroup, recipients_per_day_spin);
  gtk_widget_class_bind_template_callback (widget_class, on_preset_selected);
}

static void
postier_limits_group_init (PostierLimitsGroup *self)
{
  g_autoptr(GtkStringList) presets = gtk_string_list_new (NULL);
  GtkSpinButton *spins[5];
  PostierAccountLimits none = { 0 };

  gtk_widget_init_template (GTK_WIDGET (self));

  /* In PostierLimitPreset's order: the position is the preset. */
  for (guint i = 0; i <= POSTIER_LIMIT_PRESET_CUSTOM; i++)
    gtk_string_list_append (presets, postier_limit_preset_get_label ((PostierLimitPreset) i));
  self->updating = TRUE;
  adw_combo_row_set_model (self->preset_row, G_LIST_MODEL (presets));
  self->updating = FALSE;

  spins[0] = self->per_minute_spin;
  spins[1] = self->per_hour_spin;
  spins[2] = self->per_day_spin;
  spins[3] = self->recipients_per_message_spin;
  spins[4] = self->recipients_per_day_spin;
  for (guint i = 0; i < G_N_ELEMENTS (spins); i++)
    g_signal_connect_object (spins[i], "value-changed", G_CALLBACK (on_spin_changed), self,
                             G_CONNECT_SWAPPED);
  postier_limits_group_set_limits (self, &none);
}

GtkWidget *
postier_limits_group_new (void)
{
  return g_object_new (POSTIER_TYPE_LIMITS_GROUP, NULL);
}
