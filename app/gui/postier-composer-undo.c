/* postier-composer-undo.c — after Send: "Sending in 10 s — Undo", and the
 * message back in the composer as it was; after Send Later: when it goes
 *
 * The wait itself is core's: the entry's not-before time (issue 13), so a
 * crash or a quit during it loses nothing. The toast only offers to take
 * the entry back while no flusher has it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-composer"

#include "config.h"

#include <glib/gi18n.h>

#include "postier-composer-private.h"
#include "postier-core.h"
#include "postier-error.h"
#include "postier-gui-format.h"

typedef struct {
  GWeakRef      composer;
  GWeakRef      toast;
  char         *id;
  PostierDraft *draft;        /* as it was written: attachments' own paths */
  gint64        not_before;
  guint         countdown;
} Undo;

static void
undo_free (gpointer data)
{
  Undo *undo = data;

  g_clear_handle_id (&undo->countdown, g_source_remove);
  g_weak_ref_clear (&undo->composer);
  g_weak_ref_clear (&undo->toast);
  g_free (undo->id);
  g_clear_object (&undo->draft);
  g_free (undo);
}

static guint
seconds_left (Undo *undo)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  return undo->not_before > now ? (guint) (undo->not_before - now) : 0;
}

static char *
countdown_title (guint seconds)
{
  g_autofree char *escaped = NULL;
  /* Translators: a toast after Send; the person may still press Undo. */
  g_autofree char *text = g_strdup_printf (ngettext ("Sending in %u s", "Sending in %u s", seconds),
                                           seconds);

  escaped = g_markup_escape_text (text, -1);
  return g_steal_pointer (&escaped);
}

static gboolean
countdown_tick (gpointer data)
{
  Undo *undo = data;
  g_autoptr(AdwToast) toast = g_weak_ref_get (&undo->toast);
  g_autofree char *title = NULL;

  if (toast == NULL || seconds_left (undo) == 0)
    {
      undo->countdown = 0;
      return G_SOURCE_REMOVE;
    }
  title = countdown_title (seconds_left (undo));
  adw_toast_set_title (toast, title);
  return G_SOURCE_CONTINUE;
}

static void
on_toast_dismissed (AdwToast *toast,
                    Undo     *undo)
{
  (void) toast;
  g_clear_handle_id (&undo->countdown, g_source_remove);
}

/* Every attachment is still where the person picked it: the draft as it
 * was written comes back. Otherwise (a message opened from a file keeps
 * its attachments beside its draft, gone once queued) the copies core
 * took out of the message do. */
static gboolean
attachments_exist (PostierDraft *draft)
{
  for (guint i = 0; i < postier_draft_get_n_attachments (draft); i++)
    if (!g_file_test (postier_draft_get_attachment (draft, i), G_FILE_TEST_IS_REGULAR))
      return FALSE;
  return TRUE;
}

/* What Undo needs once the click is over: the toast (and the Undo it
 * carries) may be gone by then. */
typedef struct {
  GWeakRef      composer;
  char         *id;
  PostierDraft *draft;
} UndoRequest;

static void
undo_request_free (gpointer data)
{
  UndoRequest *request = data;

  g_weak_ref_clear (&request->composer);
  g_free (request->id);
  g_clear_object (&request->draft);
  g_free (request);
}

static gboolean
undo_request_run (gpointer data)
{
  UndoRequest *request = data;
  g_autoptr(PostierComposer) self = g_weak_ref_get (&request->composer);
  g_autoptr(PostierDraft) taken = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *draft_path = NULL;
  AdwToast *done;

  if (self == NULL || self->status_label == NULL)
    return G_SOURCE_REMOVE;

  /* Core saves it with the drafts first, then takes it out of the outbox
   * unless a flusher has it already. */
  taken = postier_draft_store_take_back (self->drafts, self->outbox, request->id, &draft_path, &error);
  if (taken == NULL)
    {
      if (g_error_matches (error, POSTIER_OUTBOX_ERROR, POSTIER_OUTBOX_ERROR_NOT_FOUND))
        _postier_composer_toast (self, _("Too late to undo: the message was sent"));
      else if (g_error_matches (error, POSTIER_OUTBOX_ERROR, POSTIER_OUTBOX_ERROR_BUSY))
        _postier_composer_toast (self, _("Too late to undo: the message is being sent"));
      else
        {
          g_autofree char *text = g_strdup_printf (_("The message cannot be taken back: %s"),
                                                   error->message);
          _postier_composer_toast (self, text);
        }
      return G_SOURCE_REMOVE;
    }

  postier_composer_open_draft_file (self, attachments_exist (request->draft) ? request->draft : taken,
                                    draft_path);
  gtk_widget_activate_action (GTK_WIDGET (self), "win.show-page", "s", "compose");
  postier_composer_focus (self);
  done = postier_toast_new_literal (_("Not sent: the message is back in the composer"));
  adw_toast_set_priority (done, ADW_TOAST_PRIORITY_HIGH);
  g_signal_emit_by_name (self, "show-toast", done);
  g_object_unref (done);
  return G_SOURCE_REMOVE;
}

/* libadwaita 1.2 finishes a toast's click after this handler returns (it
 * dismisses the toast from an idle); a high-priority toast shown from here
 * pushes the clicked one back into the overlay's queue in mid-click, which
 * crashed the app. So the work waits until the click is over. */
static void
on_undo_clicked (AdwToast *toast,
                 Undo     *undo)
{
  UndoRequest *request = g_new0 (UndoRequest, 1);
  g_autoptr(PostierComposer) self = g_weak_ref_get (&undo->composer);

  (void) toast;
  g_clear_handle_id (&undo->countdown, g_source_remove);
  g_weak_ref_init (&request->composer, self);
  request->id = g_strdup (undo->id);
  request->draft = g_object_ref (undo->draft);
  g_idle_add_full (G_PRIORITY_LOW, undo_request_run, request, undo_request_free);
}

static void
show_undo_toast (PostierComposer *self,
                 const char      *id,
                 PostierDraft    *draft,
                 gint64           not_before)
{
  Undo *undo = g_new0 (Undo, 1);
  guint seconds;
  g_autofree char *title = NULL;
  g_autoptr(AdwToast) toast = NULL;

  undo->id = g_strdup (id);
  undo->draft = g_object_ref (draft);
  undo->not_before = not_before;
  g_weak_ref_init (&undo->composer, self);
  seconds = seconds_left (undo);
  if (seconds == 0)
    {
      /* Queuing took the whole grace period (a slow disk): too late. */
      undo_free (undo);
      _postier_composer_toast (self, _("Message queued"));
      return;
    }

  title = countdown_title (seconds);
  toast = adw_toast_new (title);
  g_weak_ref_init (&undo->toast, toast);
  adw_toast_set_button_label (toast, _("_Undo"));
  adw_toast_set_timeout (toast, seconds);
  /* Over "Draft saved" and the like: the offer lasts only so long. */
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  g_signal_connect_data (toast, "button-clicked", G_CALLBACK (on_undo_clicked), undo,
                         (GClosureNotify) (void (*) (void)) undo_free, 0);
  g_signal_connect (toast, "dismissed", G_CALLBACK (on_toast_dismissed), undo);
  undo->countdown = g_timeout_add_seconds (1, countdown_tick, undo);
  g_signal_emit_by_name (self, "show-toast", toast);
}

void
_postier_composer_queued_until (PostierComposer       *self,
                                const char            *id,
                                PostierDraft          *draft,
                                gint64                 not_before,
                                PostierOutboxSchedule  schedule)
{
  g_autofree char *when = NULL;
  g_autofree char *text = NULL;

  if (schedule == POSTIER_OUTBOX_SCHEDULE_GRACE)
    {
      show_undo_toast (self, id, draft, not_before);
      return;
    }
  when = postier_format_future_moment (not_before, g_get_real_time () / G_USEC_PER_SEC);
  /* Translators: %s is "tomorrow 08:00", "Mon 08:00"… */
  text = g_strdup_printf (_("Scheduled: will be sent %s"), when);
  _postier_composer_toast (self, text);
}
