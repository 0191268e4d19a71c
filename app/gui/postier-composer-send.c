/* postier-composer-send.c — the two ways a message leaves the composer:
 * Send (checked, saved as a draft, then queued off the main thread) and
 * Discard
 *
 * Why a file of its own: the composer widget was over 1,100 lines; this is
 * the aspect that talks to the outbox, split off like the attachments.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-composer"

#include "config.h"

#include <glib/gi18n.h>

#include "postier-composer-private.h"
#include "postier-core.h"
#include "postier-mime.h"
#include "postier-send-later-dialog.h"

/* --- Sending ------------------------------------------------------------- */

typedef struct {
  PostierDraft          *draft;
  PostierAccount        *account;
  PostierOutbox         *outbox;
  char                  *draft_path;
  gint64                 not_before;   /* 0: at once */
  PostierOutboxSchedule  schedule;     /* GRACE (undo send) or LATER */
} SendJob;

static void
send_job_free (SendJob *job)
{
  g_clear_object (&job->draft);
  g_clear_object (&job->account);
  g_clear_object (&job->outbox);
  g_free (job->draft_path);
  g_free (job);
}

static void
send_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  SendJob *job = task_data;
  /* The draft is kept beside the entry: Edit gives back exactly this. */
  PostierEnqueueOptions options = { job->not_before, job->schedule, TRUE };
  GError *error = NULL;
  char *id;

  (void) source_object;
  id = postier_mime_enqueue_draft_full (job->draft, job->account, job->outbox, &options,
                                        cancellable, &error);
  if (id == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, id, g_free);
}

static void
address_book_saved (GObject      *source,
                    GAsyncResult *result,
                    G_GNUC_UNUSED gpointer user_data)
{
  g_autoptr(GError) error = NULL;

  if (!postier_address_book_save_finish (POSTIER_ADDRESS_BOOK (source), result, &error))
    g_warning ("Cannot save the address book: %s", error->message);
}

static void
send_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(PostierComposer) self = user_data;
  SendJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  GApplication *app = g_application_get_default ();

  (void) source;
  self->sends_in_flight--;
  id = g_task_propagate_pointer (G_TASK (result), &error);

  if (id != NULL)
    {
      /* Only now may the draft go: until here it was the message's only copy. */
      if (self->drafts != NULL)
        _postier_composer_delete_draft (self, job->draft_path);
      if (self->address_book != NULL)
        {
          postier_address_book_add_text (self->address_book, postier_draft_get_to (job->draft));
          postier_address_book_add_text (self->address_book, postier_draft_get_cc (job->draft));
          postier_address_book_add_text (self->address_book, postier_draft_get_bcc (job->draft));
          /* Off the main thread: the UI never waits for the disk. */
          postier_address_book_save_async (self->address_book, NULL, address_book_saved, NULL);
        }
      _postier_composer_emit_message_queued (self, id, postier_account_get_name (job->account));
      /* status_label is NULL once disposed: nobody to tell. */
      if (self->status_label != NULL && job->not_before != 0)
        _postier_composer_queued_until (self, id, job->draft, job->not_before, job->schedule);
      else if (self->status_label != NULL)
        {
          if (postier_account_get_kind (job->account) == POSTIER_ACCOUNT_KIND_SANDBOX)
            _postier_composer_toast (self, _("Message queued for the Sandbox"));
          else if (!g_network_monitor_get_network_available (g_network_monitor_get_default ()))
            _postier_composer_toast (self, _("Message queued: it will be sent when you are back online"));
          else
            _postier_composer_toast (self, _("Message queued"));
        }
    }
  else if (self->status_label != NULL)
    {
      g_autofree char *message = NULL;

      /* The message goes back where it was written, unless something new
       * is being written already; its draft file is still on disk. */
      if (postier_composer_is_empty (self))
        {
          _postier_composer_fill_fields (self, job->draft);
          g_free (self->draft_path);
          self->draft_path = g_strdup (job->draft_path);
          message = g_strdup_printf (_("The message was not sent: %s"), error->message);
        }
      else
        message = g_strdup_printf (_("The message was not sent and was kept as a draft: %s"),
                                   error->message);
      _postier_composer_show_error (self, message);
    }

  if (app != NULL)
    g_application_release (app);
  if (self->status_label != NULL)
    _postier_composer_update_actions (self);
}

/* The row of FIELD, NULL for a field the composer does not show. */
static PostierAddressEntry *
entry_for_field (PostierComposer     *self,
                 PostierAddressField  field)
{
  for (guint i = 0; i < 3; i++)
    if (postier_address_entry_get_field (_postier_composer_address_entry (self, i)) == field)
      return _postier_composer_address_entry (self, i);
  return NULL;
}

/* What is written, checked as Send checks it; NULL (the problem shown and
 * the field focused) when it cannot go. */
static PostierDraft *
checked_draft (PostierComposer *self)
{
  g_autoptr(PostierDraft) draft = NULL;
  g_autoptr(GError) error = NULL;
  PostierAddressEntry *culprit;
  PostierAddressField bad_field;

  if (_postier_composer_get_account (self) == NULL)
    {
      _postier_composer_show_error (self, _("Choose the account to send from"));
      gtk_widget_grab_focus (GTK_WIDGET (self->from_row));
      return NULL;
    }

  for (guint i = 0; i < 3; i++)
    {
      PostierAddressEntry *entry = _postier_composer_address_entry (self, i);

      if (!postier_address_entry_validate (entry, &error))
        {
          _postier_composer_show_error (self, error->message);
          if (entry != self->to_entry)
            _postier_composer_set_show_cc_bcc (self, TRUE);
          gtk_widget_grab_focus (GTK_WIDGET (entry));
          return NULL;
        }
    }

  draft = postier_composer_dup_draft (self);
  if (!postier_draft_validate_full (draft, &bad_field, &error))
    {
      _postier_composer_show_error (self, error->message);
      culprit = entry_for_field (self, bad_field);
      if (culprit != NULL)
        gtk_widget_grab_focus (GTK_WIDGET (culprit));
      return NULL;
    }
  _postier_composer_show_error (self, NULL);
  return g_steal_pointer (&draft);
}

/* Queues DRAFT off the main thread, not before NOT_BEFORE (0: at once),
 * and frees the composer for the next message. */
static void
queue_draft (PostierComposer       *self,
             PostierDraft          *draft,
             gint64                 not_before,
             PostierOutboxSchedule  schedule)
{
  GApplication *app = g_application_get_default ();
  SendJob *job;
  GTask *task;

  /* The draft on disk is the message's copy until the outbox has it. */
  self->dirty = TRUE;
  _postier_composer_save_draft (self);

  job = g_new0 (SendJob, 1);
  job->draft = g_object_ref (draft);
  job->account = postier_account_copy (_postier_composer_get_account (self));
  job->outbox = g_object_ref (self->outbox);
  job->draft_path = g_strdup (self->draft_path);
  job->not_before = not_before;
  job->schedule = not_before != 0 ? schedule : POSTIER_OUTBOX_SCHEDULE_NONE;

  /* No source object: the worker may drop the task's last reference, and
   * with it the composer's, once its window is gone; a widget disposed in
   * a worker thread races the main loop (its text view's idles, its
   * layout). The callback's reference is let go on the main thread. */
  task = g_task_new (NULL, NULL, send_done, g_object_ref (self));
  g_task_set_source_tag (task, _postier_composer_send_action);
  g_task_set_task_data (task, job, (GDestroyNotify) send_job_free);
  self->sends_in_flight++;
  /* Queued mail keeps the app alive even if the window closes meanwhile. */
  if (app != NULL)
    g_application_hold (app);
  g_task_run_in_thread (task, send_thread);
  g_object_unref (task);

  /* The window is free at once for the next message. */
  _postier_composer_start_new_draft (self, NULL);
  gtk_widget_grab_focus (GTK_WIDGET (self->to_entry));
}

void
_postier_composer_send_action (GtkWidget  *widget,
                               const char *action_name,
                               GVariant   *parameter)
{
  PostierComposer *self = POSTIER_COMPOSER (widget);
  g_autoptr(PostierDraft) draft = checked_draft (self);
  guint delay = g_settings_get_uint (self->settings, "send-delay");

  (void) action_name;
  (void) parameter;
  if (draft == NULL)
    return;
  /* The grace period is a not-before time on the entry, so a crash or a
   * quit during it still sends the message when it ends (issue 13). */
  queue_draft (self, draft, delay > 0 ? g_get_real_time () / G_USEC_PER_SEC + delay : 0,
               POSTIER_OUTBOX_SCHEDULE_GRACE);
}

static void
on_send_later_chosen (PostierSendLaterDialog *dialog,
                      gint64                  when,
                      PostierComposer        *self)
{
  g_autoptr(PostierDraft) draft = NULL;

  (void) dialog;
  /* Checked again: the message may have changed behind the dialog. */
  draft = checked_draft (self);
  if (draft != NULL)
    queue_draft (self, draft, when, POSTIER_OUTBOX_SCHEDULE_LATER);
}

void
_postier_composer_send_later_action (GtkWidget  *widget,
                                     const char *action_name,
                                     GVariant   *parameter)
{
  PostierComposer *self = POSTIER_COMPOSER (widget);
  g_autoptr(PostierDraft) draft = checked_draft (self);
  GtkRoot *root = gtk_widget_get_root (widget);
  PostierSendLaterDialog *dialog;

  (void) action_name;
  (void) parameter;
  /* A message that cannot go says so before a time is asked. */
  if (draft == NULL)
    return;
  dialog = postier_send_later_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL);
  g_signal_connect_object (dialog, "chosen", G_CALLBACK (on_send_later_chosen), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_discard_response (AdwMessageDialog *dialog,
                     const char       *response,
                     PostierComposer  *self)
{
  (void) dialog;
  if (!g_str_equal (response, "discard"))
    return;
  g_clear_handle_id (&self->autosave_source, g_source_remove);
  _postier_composer_delete_draft (self, self->draft_path);
  _postier_composer_start_new_draft (self, NULL);
  _postier_composer_toast (self, _("Draft discarded"));
}

void
_postier_composer_discard_action (GtkWidget  *widget,
                                  const char *action_name,
                                  GVariant   *parameter)
{
  PostierComposer *self = POSTIER_COMPOSER (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *dialog;

  (void) action_name;
  (void) parameter;
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   _("Discard This Message?"),
                                   _("What you wrote and its draft will be deleted."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "discard", _("_Discard"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "discard",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_discard_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

void
_postier_composer_dismiss_error_action (GtkWidget  *widget,
                                        const char *action_name,
                                        GVariant   *parameter)
{
  (void) action_name;
  (void) parameter;
  _postier_composer_show_error (POSTIER_COMPOSER (widget), NULL);
}
