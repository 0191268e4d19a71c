/* postier-schedule.c — when held entries may go, and times people type
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-outbox"

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <stdio.h>
#include <string.h>

#include "postier-outbox-entry.h"
#include "postier-schedule.h"

/* Queued entries without a hold are no wake-up: they are flushed when they
 * arrive (the folder monitor) or when the network comes back, and counting
 * them would wake a flusher every second while offline. */
gint64
postier_schedule_next_wakeup (GPtrArray *entries,
                              gint64     now)
{
  gint64 earliest = 0;

  for (guint i = 0; entries != NULL && i < entries->len; i++)
    {
      PostierOutboxEntry *entry = g_ptr_array_index (entries, i);
      gint64 not_before = postier_outbox_entry_get_not_before (entry);
      gint64 when;

      switch (postier_outbox_entry_get_state (entry))
        {
        case POSTIER_OUTBOX_STATE_QUEUED:
          if (not_before == 0)
            continue;
          /* One missed while nobody ran (the machine was off) is due now:
           * it goes at once, and once (the flush takes it). */
          when = not_before;
          break;
        case POSTIER_OUTBOX_STATE_DEFERRED:
          when = MAX (postier_outbox_entry_get_next_attempt (entry), not_before);
          break;
        default:
          continue;
        }
      if (earliest == 0 || when < earliest)
        earliest = when;
    }
  (void) now;
  return earliest;
}

static gboolean refuse (GError **error, const char *format, ...) G_GNUC_PRINTF (2, 3);

static gboolean
refuse (GError     **error,
        const char  *format,
        ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, message);
  return FALSE;
}

/* "YYYY-MM-DD HH:MM[:SS]" (or with a T) and nothing after: a local time in
 * TZ. Anything else is for g_date_time_new_from_iso8601 (a zone given). */
static GDateTime *
parse_local (const char *text,
             GTimeZone  *tz,
             gboolean   *matched,
             gboolean   *skipped)
{
  int year, month, day, hour, minute, second = 0, used = 0;
  g_autoptr(GDateTime) time = NULL;
  const char *rest;
  char sep;

  *matched = FALSE;
  *skipped = FALSE;
  if (sscanf (text, "%4d-%2d-%2d%c%2d:%2d%n", &year, &month, &day, &sep, &hour, &minute,
              &used) != 6 || (sep != ' ' && sep != 'T' && sep != 't'))
    return NULL;
  rest = text + used;
  if (rest[0] == ':')
    {
      int n = 0;

      if (sscanf (rest, ":%2d%n", &second, &n) != 1)
        return NULL;
      rest += n;
    }
  /* A zone or anything else after it: not a local time. */
  if (*rest != '\0')
    return NULL;
  *matched = TRUE;
  time = g_date_time_new (tz, year, month, day, hour, minute, second);
  if (time == NULL)
    return NULL;
  /* GLib moves a time in the hour skipped by a DST change to one that
   * exists; the person meant a time that does not exist: say so. */
  if (g_date_time_get_hour (time) != hour || g_date_time_get_minute (time) != minute ||
      g_date_time_get_day_of_month (time) != day)
    {
      *skipped = TRUE;
      return NULL;
    }
  return g_steal_pointer (&time);
}

gboolean
postier_schedule_parse_time (const char  *text,
                             GTimeZone   *tz,
                             gint64       now,
                             gint64      *when,
                             GError     **error)
{
  g_autoptr(GTimeZone) local = tz != NULL ? g_time_zone_ref (tz) : g_time_zone_new_local ();
  g_autoptr(GDateTime) time = NULL;
  g_autofree char *trimmed = g_strstrip (g_strdup (text != NULL ? text : ""));
  gboolean matched, skipped;

  time = parse_local (trimmed, local, &matched, &skipped);
  if (skipped)
    return refuse (error, _("“%s” does not exist in the local time zone (the clock skips it)"),
                   trimmed);
  if (time == NULL && !matched)
    {
      g_autofree char *iso = g_strdup (trimmed);
      char *space = strchr (iso, ' ');

      if (space != NULL && space - iso == 10)
        *space = 'T';
      /* GLib wants seconds: "…T09:00+01:00" becomes "…T09:00:00+01:00". */
      if (strlen (iso) > 16 && iso[10] == 'T' && iso[13] == ':' && iso[16] != ':')
        {
          g_autofree char *with_seconds = g_strdup_printf ("%.16s:00%s", iso, iso + 16);
          g_free (iso);
          iso = g_steal_pointer (&with_seconds);
        }
      time = g_date_time_new_from_iso8601 (iso, local);
    }
  if (time == NULL)
    return refuse (error, _("“%s” is not a date and time (try “2026-12-24 09:00” or "
                            "“2026-12-24T09:00+01:00”)"), trimmed);
  if (g_date_time_to_unix (time) <= now)
    return refuse (error, _("“%s” is in the past"), trimmed);
  *when = g_date_time_to_unix (time);
  return TRUE;
}

char *
postier_schedule_format_local (gint64     when,
                               GTimeZone *tz)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (when);
  g_autoptr(GTimeZone) local = tz != NULL ? g_time_zone_ref (tz) : g_time_zone_new_local ();
  g_autoptr(GDateTime) time = NULL;

  if (utc == NULL)
    return g_strdup ("?");
  time = g_date_time_to_timezone (utc, local);
  return g_date_time_format (time, "%Y-%m-%d %H:%M %Z");
}
