/* postier-application-delivery.c — the app's submitter, its notifications,
 * and staying alive while mail waits to go out
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-application"

#include "config.h"

#include <glib/gi18n.h>

#include "postier-application-private.h"
#include "postier-core.h"
#include "postier-gui-format.h"
#include "postier-submitter.h"

PostierSubmitter *
postier_application_get_submitter (PostierApplication *self)
{
  g_return_val_if_fail (POSTIER_IS_APPLICATION (self), NULL);
  return self->submitter;
}

/* Mail still to go out: queued, being sent, or waiting to retry. Failed
 * and needs-attention entries wait for the person, not for us. */
static guint
count_pending (GPtrArray *entries)
{
  guint pending = 0;

  for (guint i = 0; i < entries->len; i++)
    switch (postier_outbox_entry_get_state (g_ptr_array_index (entries, i)))
      {
      case POSTIER_OUTBOX_STATE_QUEUED:
      case POSTIER_OUTBOX_STATE_SENDING:
      case POSTIER_OUTBOX_STATE_DEFERRED:
        pending++;
        break;
      default:
        break;
      }
  return pending;
}

static void
set_hold (PostierApplication *self,
          gboolean            want_hold)
{
  if (want_hold && !self->held_for_outbox)
    {
      g_debug ("mail is waiting: staying in the background");
      g_application_hold (G_APPLICATION (self));
      self->held_for_outbox = TRUE;
    }
  else if (!want_hold && self->held_for_outbox)
    {
      g_debug ("nothing left to send");
      self->held_for_outbox = FALSE;
      g_application_release (G_APPLICATION (self));
    }
}

/* Reads the outbox here, on the main thread: only for the last window
 * going, when the main loop could end before an async answer came. */
void
_postier_application_update_hold (PostierApplication *self)
{
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;

  g_clear_handle_id (&self->pending_check, g_source_remove);
  self->pending_serial++;   /* a count on its way is older than this one */
  /* No submitter (shutting down): nothing will send it, nothing to hold. */
  if (self->submitter != NULL)
    {
      entries = postier_outbox_list (self->outbox, &error);
      if (entries == NULL)
        g_warning ("Cannot read the outbox: %s", error->message);
    }
  set_hold (self, entries != NULL && count_pending (entries) > 0);
}

gboolean
_postier_application_is_holding (PostierApplication *self)
{
  return self->held_for_outbox;
}

typedef struct {
  PostierApplication *self;
  guint               serial;
} PendingCount;

static void
pending_counted (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  PendingCount *count = user_data;
  g_autoptr(PostierApplication) self = count->self;
  guint serial = count->serial;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;

  g_free (count);
  entries = postier_outbox_list_finish (POSTIER_OUTBOX (source), result, NULL, &error);
  self->pending_counting = FALSE;
  if (self->pending_again)
    {
      self->pending_again = FALSE;
      /* Not after the delivery stopped: its idle would outlive us. */
      if (self->submitter != NULL)
        _postier_application_check_pending (self);
    }
  if (serial != self->pending_serial)
    return;   /* a newer count decides */
  if (entries == NULL)
    g_warning ("Cannot read the outbox: %s", error->message);
  set_hold (self, self->submitter != NULL && entries != NULL && count_pending (entries) > 0);
}

/* Counts with the outbox's async listing: a flush changes many entries,
 * and the main thread does not wait on the disk for each. */
static gboolean
check_pending_now (gpointer user_data)
{
  PostierApplication *self = user_data;
  PendingCount *count;

  self->pending_check = 0;
  if (self->submitter == NULL)
    {
      _postier_application_update_hold (self);   /* lets go, reading nothing */
      return G_SOURCE_REMOVE;
    }
  /* One count at a time: during a flush each settled entry asks for one,
   * and each reads the whole outbox in a thread the window competes with
   * for the CPU. The last change is counted when the count on its way
   * ends. */
  if (self->pending_counting)
    {
      self->pending_again = TRUE;
      return G_SOURCE_REMOVE;
    }
  self->pending_counting = TRUE;
  self->pending_started = g_get_monotonic_time ();
  count = g_new0 (PendingCount, 1);
  count->self = g_object_ref (self);
  count->serial = ++self->pending_serial;
  postier_outbox_list_async (self->outbox, NULL, pending_counted, count);
  return G_SOURCE_REMOVE;
}

void
_postier_application_check_pending (PostierApplication *self)
{
  gint64 since = (g_get_monotonic_time () - self->pending_started) / 1000;

  /* Batched: a flush settles many entries at once. And a count a second
   * at most, as the views list (POSTIER_VIEW_RELOAD_MIN_GAP_MS): back to
   * back, the counts kept a thread reading the outbox all through a
   * flush, beside the window. */
  if (self->pending_check != 0)
    return;
  if (self->pending_started != 0 && since < 1000)
    self->pending_check = g_timeout_add ((guint) (1000 - since), check_pending_now, self);
  else
    self->pending_check = g_idle_add (check_pending_now, self);
}

static void
notify_entry (PostierApplication *self,
              const char         *id,
              PostierOutboxState  state)
{
  g_autoptr(PostierOutboxEntry) entry = NULL;
  g_autoptr(GNotification) notification = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;
  g_autofree char *notification_id = NULL;
  const char *subject;
  const char *problem;

  entry = postier_outbox_lookup (self->outbox, id, &error);
  if (entry == NULL)
    return;

  subject = postier_display_subject (postier_outbox_entry_get_subject (entry));
  problem = postier_outbox_entry_get_last_error (entry);
  if (problem == NULL)
    problem = "";

  if (state == POSTIER_OUTBOX_STATE_NEEDS_ATTENTION)
    {
      notification = g_notification_new (_("A message needs your attention"));
      body = g_strdup_printf (_("“%s” waits until the account “%s” is fixed. %s"),
                              subject, postier_outbox_entry_get_account_name (entry), problem);
    }
  else
    {
      notification = g_notification_new (_("A message could not be sent"));
      body = g_strdup_printf (_("“%s”: %s"), subject, problem);
    }
  g_notification_set_body (notification, body);
  g_notification_set_priority (notification, G_NOTIFICATION_PRIORITY_HIGH);
  g_notification_set_default_action_and_target (notification, "app.show-page", "s", "outbox");
  g_notification_add_button_with_target (notification, _("Open Outbox"), "app.show-page", "s", "outbox");

  notification_id = g_strdup_printf ("outbox-%s", id);
  g_application_send_notification (G_APPLICATION (self), notification_id, notification);
}

static void
on_entry_changed (PostierSubmitter   *submitter,
                  const char         *id,
                  int                 state,
                  PostierApplication *self)
{
  (void) submitter;
  if (state == POSTIER_OUTBOX_STATE_FAILED || state == POSTIER_OUTBOX_STATE_NEEDS_ATTENTION)
    notify_entry (self, id, state);
  _postier_application_check_pending (self);
}

static void
on_online_changed (PostierSubmitter   *submitter,
                   gboolean            online,
                   PostierApplication *self)
{
  (void) submitter;
  /* The last count's answer: the main thread does not read the outbox. */
  if (!online && self->held_for_outbox)
    self->went_offline = TRUE;
}

/* A message queued from anywhere (composer, CLI) reaches the submitter
 * through its watch on the outbox folder, which flushes: a flush while
 * offline that leaves mail unsent means mail now waits for the network. */
static void
on_flush_finished (PostierSubmitter   *submitter,
                   guint               sent,
                   guint               unsent,
                   PostierApplication *self)
{
  if (!postier_submitter_get_online (submitter) && unsent > 0)
    self->went_offline = TRUE;
  if (self->went_offline && sent > 0 && postier_submitter_get_online (submitter))
    {
      g_autoptr(GNotification) notification = g_notification_new (_("Waiting mail was sent"));
      g_autofree char *body = NULL;

      body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "%u message queued while offline went out.",
                                           "%u messages queued while offline went out.", sent),
                              sent);
      g_notification_set_body (notification, body);
      g_notification_set_default_action_and_target (notification, "app.show-page", "s", "sent");
      g_application_send_notification (G_APPLICATION (self), "sent-after-offline", notification);
      self->went_offline = FALSE;
    }
  _postier_application_check_pending (self);
}

void
_postier_application_start_delivery (PostierApplication *self)
{
  self->submitter = postier_submitter_new (self->outbox, self->accounts);
  g_signal_connect_object (self->submitter, "entry-changed", G_CALLBACK (on_entry_changed), self, 0);
  g_signal_connect_object (self->submitter, "online-changed", G_CALLBACK (on_online_changed), self, 0);
  g_signal_connect_object (self->submitter, "flush-finished", G_CALLBACK (on_flush_finished), self, 0);
  self->went_offline = !postier_submitter_get_online (self->submitter);
  postier_submitter_start (self->submitter);
  _postier_application_check_pending (self);
}

void
_postier_application_stop_delivery (PostierApplication *self)
{
  g_clear_handle_id (&self->pending_check, g_source_remove);
  if (self->submitter != NULL)
    {
      gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

      postier_submitter_stop (self->submitter);
      /* A flush that was running is cancelled; let it settle its entries
       * (a few moments) rather than leave them half-written. */
      while (postier_submitter_is_busy (self->submitter) && g_get_monotonic_time () < deadline)
        g_main_context_iteration (NULL, TRUE);
    }
  g_clear_object (&self->submitter);
}
