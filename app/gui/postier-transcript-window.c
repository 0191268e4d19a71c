/* postier-transcript-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-transcript-window"

#include "config.h"

#include <glib/gi18n.h>

#include "postier-transcript-window.h"

/* A transcript longer than this shows its end, where the last attempt is. */
#define SHOWN_LIMIT (2 * 1024 * 1024)

struct _PostierTranscriptWindow
{
  AdwWindow       parent_instance;

  GCancellable   *cancellable;

  /* Template widgets */
  AdwWindowTitle *window_title;
  GtkStack       *stack;
  GtkTextView    *text_view;
};

G_DEFINE_FINAL_TYPE (PostierTranscriptWindow, postier_transcript_window, ADW_TYPE_WINDOW)

static void
load_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(PostierTranscriptWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;
  const char *shown;
  GtkTextIter end;

  if (!g_file_load_contents_finish (G_FILE (source), result, &contents, &length, NULL, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND) &&
          !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Cannot read the transcript: %s", error->message);
      return;
    }
  if (length == 0)
    return;

  shown = contents;
  if (length > SHOWN_LIMIT)
    {
      shown = contents + length - SHOWN_LIMIT;
      length = SHOWN_LIMIT;
    }
  /* A transcript holds what a server sent: it may not be UTF-8. */
  {
    g_autofree char *valid = g_utf8_make_valid (shown, (gssize) length);
    GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->text_view);

    gtk_text_buffer_set_text (buffer, valid, -1);
    gtk_text_buffer_get_end_iter (buffer, &end);
    gtk_text_buffer_place_cursor (buffer, &end);
  }
  gtk_stack_set_visible_child_name (self->stack, "text");
}

static void
postier_transcript_window_dispose (GObject *object)
{
  PostierTranscriptWindow *self = POSTIER_TRANSCRIPT_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), POSTIER_TYPE_TRANSCRIPT_WINDOW);

  G_OBJECT_CLASS (postier_transcript_window_parent_class)->dispose (object);
}

static void
postier_transcript_window_finalize (GObject *object)
{
  PostierTranscriptWindow *self = POSTIER_TRANSCRIPT_WINDOW (object);

  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (postier_transcript_window_parent_class)->finalize (object);
}

static void
postier_transcript_window_class_init (PostierTranscriptWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = postier_transcript_window_dispose;
  object_class->finalize = postier_transcript_window_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/postier/Postier/ui/postier-transcript-window.ui");
  gtk_widget_class_bind_template_child (widget_class, PostierTranscriptWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, PostierTranscriptWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, PostierTranscriptWindow, text_view);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
postier_transcript_window_init (PostierTranscriptWindow *self)
{
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
}

PostierTranscriptWindow *
postier_transcript_window_new (GtkWindow  *parent,
                               const char *subject,
                               const char *path)
{
  PostierTranscriptWindow *self;
  g_autoptr(GFile) file = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  self = g_object_new (POSTIER_TYPE_TRANSCRIPT_WINDOW,
                       "transient-for", parent,
                       NULL);
  adw_window_title_set_subtitle (self->window_title, subject);

  file = g_file_new_for_path (path);
  g_file_load_contents_async (file, self->cancellable, load_done, g_object_ref (self));
  return self;
}
