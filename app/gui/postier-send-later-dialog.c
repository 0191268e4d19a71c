/* postier-send-later-dialog.c — "Send Later…": tomorrow morning, Monday
 * morning, or a date from a calendar and a time
 *
 * The dialog only chooses a moment; the composer queues the message with
 * it as the entry's not-before time, which core keeps in UTC.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-send-later"

#include "config.h"

#include <glib/gi18n.h>

#include "postier-send-later-dialog.h"

struct _PostierSendLaterDialog
{
  AdwWindow        parent_instance;

  gboolean         updating;

  /* Template widgets */
  GtkWidget       *schedule_button;
  AdwActionRow    *tomorrow_row;
  AdwActionRow    *monday_row;
  GtkCheckButton  *tomorrow_check;
  GtkCheckButton  *monday_check;
  GtkCheckButton  *chosen_check;
  GtkRevealer     *chosen_revealer;
  GtkCalendar     *calendar;
  GtkSpinButton   *hour_spin;
  GtkSpinButton   *minute_spin;
  GtkLabel        *summary_label;
};

G_DEFINE_FINAL_TYPE (PostierSendLaterDialog, postier_send_later_dialog, ADW_TYPE_WINDOW)

enum {
  CHOSEN,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* --- The presets ------------------------------------------------------------ */

static GDateTime *
local_day_at (GDateTime *day,
              int        days_on,
              int        hour,
              int        minute)
{
  g_autoptr(GDateTime) later = g_date_time_add_days (day, days_on);

  /* Built from its fields, not by adding hours: 08:00 stays 08:00 across a
   * change to or from summer time. */
  return g_date_time_new_local (g_date_time_get_year (later), g_date_time_get_month (later),
                                g_date_time_get_day_of_month (later), hour, minute, 0);
}

GDateTime *
postier_send_later_preset_time (PostierSendLaterPreset  preset,
                                GDateTime              *now)
{
  g_autoptr(GDateTime) local = NULL;

  g_return_val_if_fail (now != NULL, NULL);

  local = g_date_time_to_local (now);
  switch (preset)
    {
    case POSTIER_SEND_LATER_MONDAY_MORNING:
      {
        /* 1 is Monday: the next one, a week on when today is Monday. */
        int days_on = 8 - g_date_time_get_day_of_week (local);

        return local_day_at (local, days_on, POSTIER_SEND_LATER_MORNING_HOUR, 0);
      }
    case POSTIER_SEND_LATER_CHOSEN:
      {
        g_autoptr(GDateTime) hour = local_day_at (local, 0, g_date_time_get_hour (local), 0);

        return g_date_time_add_hours (hour, 1);
      }
    case POSTIER_SEND_LATER_TOMORROW_MORNING:
    default:
      return local_day_at (local, 1, POSTIER_SEND_LATER_MORNING_HOUR, 0);
    }
}

/* "Tue 8 Dec, 08:00": the day named, so a person sees which Monday. */
static char *
describe_moment (GDateTime *when)
{
  /* Translators: a day and time for g_date_time_format(). */
  /* xgettext:no-c-format */
  return g_date_time_format (when, _("%a %-d %b, %H:%M"));
}

static PostierSendLaterPreset
selected_preset (PostierSendLaterDialog *self)
{
  if (gtk_check_button_get_active (self->monday_check))
    return POSTIER_SEND_LATER_MONDAY_MORNING;
  if (gtk_check_button_get_active (self->chosen_check))
    return POSTIER_SEND_LATER_CHOSEN;
  return POSTIER_SEND_LATER_TOMORROW_MORNING;
}

/* The moment chosen, local; NULL when the calendar gives none. */
static GDateTime *
chosen_moment (PostierSendLaterDialog *self)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) day = NULL;

  if (selected_preset (self) != POSTIER_SEND_LATER_CHOSEN)
    return postier_send_later_preset_time (selected_preset (self), now);
  day = gtk_calendar_get_date (self->calendar);
  if (day == NULL)
    return NULL;
  return g_date_time_new_local (g_date_time_get_year (day), g_date_time_get_month (day),
                                g_date_time_get_day_of_month (day),
                                gtk_spin_button_get_value_as_int (self->hour_spin),
                                gtk_spin_button_get_value_as_int (self->minute_spin), 0);
}

gint64
postier_send_later_dialog_get_time (PostierSendLaterDialog *self)
{
  g_autoptr(GDateTime) when = NULL;
  gint64 unix_time;

  g_return_val_if_fail (POSTIER_IS_SEND_LATER_DIALOG (self), 0);

  when = chosen_moment (self);
  if (when == NULL)
    return 0;
  unix_time = g_date_time_to_unix (when);
  return unix_time > g_get_real_time () / G_USEC_PER_SEC ? unix_time : 0;
}

static void
update_summary (PostierSendLaterDialog *self)
{
  g_autoptr(GDateTime) when = chosen_moment (self);
  gint64 unix_time = postier_send_later_dialog_get_time (self);
  g_autofree char *moment = NULL;
  g_autofree char *text = NULL;

  gtk_revealer_set_reveal_child (self->chosen_revealer,
                                 selected_preset (self) == POSTIER_SEND_LATER_CHOSEN);
  gtk_widget_set_sensitive (self->schedule_button, unix_time != 0);
  if (when == NULL)
    {
      gtk_label_set_text (self->summary_label, "");
      return;
    }
  moment = describe_moment (when);
  if (unix_time == 0)
    /* Translators: %s is a day and time, "Tue 8 Dec, 08:00". */
    text = g_strdup_printf (_("%s has passed: choose a later time"), moment);
  else
    /* Translators: %s is a day and time, "Tue 8 Dec, 08:00". */
    text = g_strdup_printf (_("Will be sent %s"), moment);
  gtk_label_set_text (self->summary_label, text);
}

static void
update_presets (PostierSendLaterDialog *self)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) tomorrow = postier_send_later_preset_time (POSTIER_SEND_LATER_TOMORROW_MORNING, now);
  g_autoptr(GDateTime) monday = postier_send_later_preset_time (POSTIER_SEND_LATER_MONDAY_MORNING, now);
  g_autofree char *tomorrow_text = describe_moment (tomorrow);
  g_autofree char *monday_text = describe_moment (monday);

  adw_action_row_set_subtitle (self->tomorrow_row, tomorrow_text);
  adw_action_row_set_subtitle (self->monday_row, monday_text);
}

/* --- Signals ------------------------------------------------------------------ */

static void
on_choice_toggled (PostierSendLaterDialog *self)
{
  if (!self->updating)
    update_summary (self);
}

static void
on_time_changed (PostierSendLaterDialog *self)
{
  if (!self->updating)
    update_summary (self);
}

/* Minutes as on a clock: "05", not "5". */
static gboolean
on_minute_output (GtkSpinButton *spin,
                  gpointer       user_data)
{
  g_autofree char *text = g_strdup_printf ("%02d", gtk_spin_button_get_value_as_int (spin));

  (void) user_data;
  gtk_editable_set_text (GTK_EDITABLE (spin), text);
  return TRUE;
}

static void
on_schedule_clicked (PostierSendLaterDialog *self)
{
  gint64 unix_time = postier_send_later_dialog_get_time (self);

  /* Time went on while the dialog was open: the summary says so. */
  if (unix_time == 0)
    {
      update_summary (self);
      return;
    }
  g_signal_emit (self, signals[CHOSEN], 0, unix_time);
  gtk_window_destroy (GTK_WINDOW (self));
}

void
postier_send_later_dialog_select (PostierSendLaterDialog *self,
                                  PostierSendLaterPreset  preset,
                                  GDateTime              *when)
{
  g_return_if_fail (POSTIER_IS_SEND_LATER_DIALOG (self));

  self->updating = TRUE;
  if (preset == POSTIER_SEND_LATER_MONDAY_MORNING)
    gtk_check_button_set_active (self->monday_check, TRUE);
  else if (preset == POSTIER_SEND_LATER_CHOSEN)
    gtk_check_button_set_active (self->chosen_check, TRUE);
  else
    gtk_check_button_set_active (self->tomorrow_check, TRUE);
  if (when != NULL)
    {
      g_autoptr(GDateTime) local = g_date_time_to_local (when);

      gtk_calendar_select_day (self->calendar, local);
      gtk_spin_button_set_value (self->hour_spin, g_date_time_get_hour (local));
      gtk_spin_button_set_value (self->minute_spin, g_date_time_get_minute (local));
    }
  self->updating = FALSE;
  update_summary (self);
}

/* --- Object ------------------------------------------------------------------- */

static void
postier_send_later_dialog_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), POSTIER_TYPE_SEND_LATER_DIALOG);

  G_OBJECT_CLASS (postier_send_later_dialog_parent_class)->dispose (object);
}

static void
postier_send_later_dialog_class_init (PostierSendLaterDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = postier_send_later_dialog_dispose;

  /* The moment chosen, in UTC seconds. */
  signals[CHOSEN] = g_signal_new ("chosen", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/postier/Postier/ui/postier-send-later-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, PostierSendLaterDialog, schedule_button);
  gtk_widget_class_bind_template_child (widget_class, PostierSendLaterDialog, tomorrow_row);
  gtk_widget_class_bind_template_child (widget_class, PostierSendLaterDialog, monday_row);
  gtk_widget_class_bind_template_child (widget_class, PostierSendLaterDialog, tomorrow_check);
  gtk_widget_class_bind_template_child (widget_class, PostierSendLaterDialog, monday_check);
  gtk_widget_class_bind_template_child (widget_class, PostierSendLaterDialog, chosen_check);
  gtk_widget_class_bind_template_child (widget_class, PostierSendLaterDialog, chosen_revealer);
  gtk_widget_class_bind_template_child (widget_class, PostierSendLaterDialog, calendar);
  gtk_widget_class_bind_template_child (widget_class, PostierSendLaterDialog, hour_spin);
  gtk_widget_class_bind_template_child (widget_class, PostierSendLaterDialog, minute_spin);
  gtk_widget_class_bind_template_child (widget_class, PostierSendLaterDialog, summary_label);
  gtk_widget_class_bind_template_callback (widget_class, on_choice_toggled);
  gtk_widget_class_bind_template_callback (widget_class, on_time_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_minute_output);
  gtk_widget_class_bind_template_callback (widget_class, on_schedule_clicked);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
postier_send_later_dialog_init (PostierSendLaterDialog *self)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) next_hour = postier_send_later_preset_time (POSTIER_SEND_LATER_CHOSEN, now);

  gtk_widget_init_template (GTK_WIDGET (self));
  update_presets (self);
  /* The calendar and the time start at the next whole hour. */
  postier_send_later_dialog_select (self, POSTIER_SEND_LATER_TOMORROW_MORNING, next_hour);
}

PostierSendLaterDialog *
postier_send_later_dialog_new (GtkWindow *parent)
{
  return g_object_new (POSTIER_TYPE_SEND_LATER_DIALOG, "transient-for", parent, NULL);
}
