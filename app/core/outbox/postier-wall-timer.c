/* postier-wall-timer.c — a CLOCK_REALTIME timerfd as a GLib source
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-submitter"

#include "config.h"

#include <errno.h>
#include <glib-unix.h>
#include <stdint.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "postier-wall-timer.h"

struct _PostierWallTimer
{
  PostierWallTimerFunc  func;
  gpointer              user_data;
  int                   fd;         /* -1 when timerfd is not there: a GLib timeout instead */
  guint                 source_id;
  gint64                when;
};

static gboolean
on_fd_ready (G_GNUC_UNUSED int          fd,
             G_GNUC_UNUSED GIOCondition condition,
             gpointer                   user_data)
{
  PostierWallTimer *self = user_data;
  uint64_t expirations;

  /* ECANCELED: the clock was set; the owner looks at it again either way. */
  if (read (self->fd, &expirations, sizeof expirations) < 0 && errno == EAGAIN)
    return G_SOURCE_CONTINUE;
  self->when = 0;
  self->func (self->user_data);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_timeout (gpointer user_data)
{
  PostierWallTimer *self = user_data;

  self->source_id = 0;
  self->when = 0;
  self->func (self->user_data);
  return G_SOURCE_REMOVE;
}

PostierWallTimer *
postier_wall_timer_new (PostierWallTimerFunc func,
                        gpointer             user_data)
{
  PostierWallTimer *self = g_new0 (PostierWallTimer, 1);

  self->func = func;
  self->user_data = user_data;
  self->fd = timerfd_create (CLOCK_REALTIME, TFD_NONBLOCK | TFD_CLOEXEC);
  if (self->fd >= 0)
    self->source_id = g_unix_fd_add (self->fd, G_IO_IN, on_fd_ready, self);
  else
    g_debug ("no timerfd (%s): timers follow the monotonic clock", g_strerror (errno));
  return self;
}

void
postier_wall_timer_arm (PostierWallTimer *self,
                        gint64            when)
{
  g_return_if_fail (self != NULL);

  self->when = when;
  if (self->fd < 0)
    {
      gint64 now = g_get_real_time () / G_USEC_PER_SEC;

      g_clear_handle_id (&self->source_id, g_source_remove);
      if (when != 0)
        /* A minute at most, so a clock change or a sleep costs a minute. */
        self->source_id = g_timeout_add_seconds_full (G_PRIORITY_DEFAULT,
                                                      (guint) CLAMP (when - now, 0, 60),
                                                      on_timeout, self, NULL);
      return;
    }
  {
    struct itimerspec spec = { 0 };

    /* 0 disarms; a time already passed fires at once (1 ns after the epoch). */
    if (when != 0)
      {
        spec.it_value.tv_sec = (time_t) MAX (when, 0);
        if (spec.it_value.tv_sec == 0)
          spec.it_value.tv_nsec = 1;
      }
    if (timerfd_settime (self->fd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &spec, NULL) != 0)
      g_warning ("timerfd_settime: %s", g_strerror (errno));
  }
}

gint64
postier_wall_timer_get_when (PostierWallTimer *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->when;
}

void
postier_wall_timer_free (PostierWallTimer *self)
{
  if (self == NULL)
    return;
  g_clear_handle_id (&self->source_id, g_source_remove);
  if (self->fd >= 0)
    close (self->fd);
  g_free (self);
}
