/* postier-gui-format.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-gui"

#include "config.h"

#include <glib/gi18n.h>

#include "postier-gui-format.h"

AdwToast *
postier_toast_new_literal (const char *text)
{
  g_autofree char *escaped = g_markup_escape_text (text != NULL ? text : "", -1);

  return adw_toast_new (escaped);
}

const char *
postier_display_subject (const char *subject)
{
  return subject != NULL && *subject != '\0' ? subject : _("(No subject)");
}

char *
postier_format_moment (gint64 unix_time,
                       gint64 now)
{
  g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (unix_time);
  g_autoptr(GDateTime) today = NULL;
  g_autoptr(GDateTime) now_time = g_date_time_new_from_unix_local (now);
  g_autoptr(GDateTime) when_day = NULL;
  GTimeSpan days;

  if (when == NULL || now_time == NULL)
    return g_strdup ("");

  today = g_date_time_new_local (g_date_time_get_year (now_time),
                                 g_date_time_get_month (now_time),
                                 g_date_time_get_day_of_month (now_time), 0, 0, 0);
  when_day = g_date_time_new_local (g_date_time_get_year (when),
                                    g_date_time_get_month (when),
                                    g_date_time_get_day_of_month (when), 0, 0, 0);
  days = g_date_time_difference (today, when_day) / G_TIME_SPAN_DAY;

  /* Translators: the formats below are for g_date_time_format(). */
  if (days == 0)
    /* xgettext:no-c-format */
    return g_date_time_format (when, _("%H:%M"));
  if (days == 1)
    /* xgettext:no-c-format */
    return g_date_time_format (when, _("Yesterday %H:%M"));
  if (days == -1)
    /* xgettext:no-c-format */
    return g_date_time_format (when, _("Tomorrow %H:%M"));
  if (days > 1 && days < 7)
    /* xgettext:no-c-format */
    return g_date_time_format (when, _("%a %H:%M"));
  /* xgettext:no-c-format */
  return g_date_time_format (when, _("%-d %b %Y %H:%M"));
}

char *
postier_format_future_moment (gint64 unix_time,
                              gint64 now)
{
  g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (unix_time);
  g_autoptr(GDateTime) now_time = g_date_time_new_from_unix_local (now);
  g_autoptr(GDateTime) today = NULL;
  g_autoptr(GDateTime) when_day = NULL;
  GTimeSpan days;

  if (when == NULL || now_time == NULL)
    return g_strdup ("");

  today = g_date_time_new_local (g_date_time_get_year (now_time),
                                 g_date_time_get_month (now_time),
                                 g_date_time_get_day_of_month (now_time), 0, 0, 0);
  when_day = g_date_time_new_local (g_date_time_get_year (when),
                                    g_date_time_get_month (when),
                                    g_date_time_get_day_of_month (when), 0, 0, 0);
  /* Rounded: a day with a change of summer time is 23 or 25 hours. */
  days = (g_date_time_difference (when_day, today) + G_TIME_SPAN_HOUR * 12) / G_TIME_SPAN_DAY;

  /* Translators: the formats below are for g_date_time_format(), and
   * follow "Will be sent ". */
  if (days <= 0)
    /* xgettext:no-c-format */
    return g_date_time_format (when, _("%H:%M"));
  if (days == 1)
    /* xgettext:no-c-format */
    return g_date_time_format (when, _("tomorrow %H:%M"));
  if (days < 7)
    /* xgettext:no-c-format */
    return g_date_time_format (when, _("%a %H:%M"));
  /* xgettext:no-c-format */
  return g_date_time_format (when, _("%a %-d %b %H:%M"));
}
