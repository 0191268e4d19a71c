/* postier-outbox-staging.c — a message on its way into the outbox
 *
 * Why a file of its own: the staging file's life (made, written, flushed,
 * handed over or removed) is what every producer shares; the entry's
 * folder and entry.ini stay the outbox's business (postier-outbox.c).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-outbox"

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "postier-error.h"
#include "postier-gmime.h"
#include "postier-outbox-private.h"
#include "postier-outbox-staging.h"
#include "postier-paths.h"

/* How much of a message in memory is read to find its Subject and
 * Message-ID (postier_outbox_enqueue_bytes() only). */
#define HEADER_SCAN_LIMIT (64 * 1024)

struct _PostierOutboxStaging
{
  GObject        parent_instance;

  PostierOutbox *outbox;
  char          *path;
  int            fd;          /* -1 once closed */
  gboolean       spent;       /* committed or aborted: the file is not ours any more */
  char          *subject;
  char          *message_id;
  gint64         not_before;
  PostierOutboxSchedule schedule;
  char          *draft_path;  /* <path>.draft, when the producer asked for it */
};

G_DEFINE_FINAL_TYPE (PostierOutboxStaging, postier_outbox_staging, G_TYPE_OBJECT)

static void
postier_outbox_staging_finalize (GObject *object)
{
  PostierOutboxStaging *self = POSTIER_OUTBOX_STAGING (object);

  postier_outbox_staging_abort (self);
  g_clear_object (&self->outbox);
  g_free (self->path);
  g_free (self->subject);
  g_free (self->message_id);
  g_free (self->draft_path);

  G_OBJECT_CLASS (postier_outbox_staging_parent_class)->finalize (object);
}

static void
postier_outbox_staging_class_init (PostierOutboxStagingClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = postier_outbox_staging_finalize;
}

static void
postier_outbox_staging_init (PostierOutboxStaging *self)
{
  self->fd = -1;
}

PostierOutboxStaging *
postier_outbox_staging_begin (PostierOutbox  *outbox,
                              GError        **error)
{
  g_autoptr(PostierOutboxStaging) self = NULL;

  g_return_val_if_fail (POSTIER_IS_OUTBOX (outbox), NULL);

  self = g_object_new (POSTIER_TYPE_OUTBOX_STAGING, NULL);
  self->outbox = g_object_ref (outbox);
  self->fd = _postier_outbox_create_staging (outbox, &self->path, error);
  if (self->fd < 0)
    {
      self->spent = TRUE;  /* nothing was made */
      return NULL;
    }
  return g_steal_pointer (&self);
}

int
postier_outbox_staging_get_fd (PostierOutboxStaging *self)
{
  g_return_val_if_fail (POSTIER_IS_OUTBOX_STAGING (self), -1);
  return self->fd;
}

const char *
postier_outbox_staging_get_dir (PostierOutboxStaging *self)
{
  g_return_val_if_fail (POSTIER_IS_OUTBOX_STAGING (self), NULL);
  return postier_outbox_get_dir (self->outbox);
}

static gboolean
write_error (PostierOutboxStaging  *self,
             int                    saved_errno,
             GError               **error)
{
  g_set_error (error, POSTIER_OUTBOX_ERROR, POSTIER_OUTBOX_ERROR_STORAGE,
               _("Cannot write the message to “%s”: %s"), self->path, g_strerror (saved_errno));
  return FALSE;
}

gboolean
postier_outbox_staging_write (PostierOutboxStaging  *self,
                              const void            *data,
                              gsize                  length,
                              GError               **error)
{
  g_return_val_if_fail (POSTIER_IS_OUTBOX_STAGING (self), FALSE);
  g_return_val_if_fail (self->fd >= 0, FALSE);

  if (!postier_write_all_fd (self->fd, data, length))
    return write_error (self, errno, error);
  return TRUE;
}

void
postier_outbox_staging_set_subject (PostierOutboxStaging *self,
                                    const char           *subject)
{
  g_return_if_fail (POSTIER_IS_OUTBOX_STAGING (self));
  g_free (self->subject);
  self->subject = g_strdup (subject);
}

void
postier_outbox_staging_set_message_id (PostierOutboxStaging *self,
                                       const char           *message_id)
{
  g_return_if_fail (POSTIER_IS_OUTBOX_STAGING (self));
  g_free (self->message_id);
  self->message_id = g_strdup (message_id);
}

void
postier_outbox_staging_set_not_before (PostierOutboxStaging  *self,
                                       gint64                 when,
                                       PostierOutboxSchedule  schedule)
{
  g_return_if_fail (POSTIER_IS_OUTBOX_STAGING (self));
  self->not_before = when;
  self->schedule = schedule;
}

/* Beside the staging file (same hidden prefix, so a crash leaves nothing
 * that recovery would not clear). */
char *
postier_outbox_staging_dup_draft_path (PostierOutboxStaging *self)
{
  g_return_val_if_fail (POSTIER_IS_OUTBOX_STAGING (self), NULL);
  g_return_val_if_fail (!self->spent, NULL);
  if (self->draft_path == NULL)
    self->draft_path = g_strconcat (self->path, ".draft", NULL);
  return g_strdup (self->draft_path);
}

/* The message's bytes on disk before it is moved into place, and its size:
 * once the entry exists, a crash must not leave it holding less. */
static gboolean
flush_and_close (PostierOutboxStaging  *self,
                 guint64               *size,
                 GError               **error)
{
  struct stat st;
  int fd = self->fd;

  self->fd = -1;
  if (fsync (fd) != 0)
    {
      int saved_errno = errno;
      close (fd);
      return _postier_outbox_storage_error (error, saved_errno, _("Cannot flush “%s” to disk"),
                                            self->path);
    }
  if (fstat (fd, &st) != 0)
    {
      int saved_errno = errno;
      close (fd);
      return _postier_outbox_storage_error (error, saved_errno, _("Cannot read “%s”"), self->path);
    }
  if (close (fd) != 0)
    return write_error (self, errno, error);
  *size = (guint64) st.st_size;
  return TRUE;
}

char *
postier_outbox_staging_commit (PostierOutboxStaging  *self,
                               const char            *account_name,
                               PostierEnvelope       *envelope,
                               GCancellable          *cancellable,
                               GError               **error)
{
  guint64 size = 0;

  g_return_val_if_fail (POSTIER_IS_OUTBOX_STAGING (self), NULL);
  g_return_val_if_fail (!self->spent && self->fd >= 0, NULL);
  g_return_val_if_fail (account_name != NULL && *account_name != '\0', NULL);
  g_return_val_if_fail (POSTIER_IS_ENVELOPE (envelope), NULL);

  if (postier_envelope_get_n_recipients (envelope) == 0)
    {
      postier_outbox_staging_abort (self);
      g_set_error_literal (error, POSTIER_MESSAGE_ERROR, POSTIER_MESSAGE_ERROR_NO_RECIPIENTS,
                           _("The message has no recipients"));
      return NULL;
    }
  if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
      !flush_and_close (self, &size, error))
    {
      postier_outbox_staging_abort (self);
      return NULL;
    }

  /* From here the outbox owns the file: it moves it, or removes it. */
  self->spent = TRUE;
  return _postier_outbox_add_entry (self->outbox, self->path, account_name, envelope, size,
                                    self->subject, self->message_id, self->not_before,
                                    self->schedule, self->draft_path, error);
}

void
postier_outbox_staging_abort (PostierOutboxStaging *self)
{
  g_return_if_fail (POSTIER_IS_OUTBOX_STAGING (self));

  if (self->fd >= 0)
    {
      close (self->fd);
      self->fd = -1;
    }
  if (!self->spent && self->path != NULL)
    g_unlink (self->path);
  if (!self->spent && self->draft_path != NULL)
    g_unlink (self->draft_path);
  self->spent = TRUE;
}

/* --- A message already in memory ----------------------------------------- */

/* The decoded Subject and the Message-ID from the header block of BYTES:
 * the producer here is a test or a tool, not a builder that knew them. */
static void
scan_header_fields (GBytes  *bytes,
                    char   **subject,
                    char   **message_id)
{
  g_autoptr(GMimeStream) header_stream = NULL;
  g_autoptr(GMimeParser) parser = NULL;
  g_autoptr(GMimeMessage) message = NULL;
  g_autofree char *buffer = NULL;
  gsize length;
  const char *data = g_bytes_get_data (bytes, &length);
  const char *end;

  *subject = NULL;
  *message_id = NULL;
  length = MIN (length, HEADER_SCAN_LIMIT);
  if (length == 0)
    return;
  buffer = g_malloc (length + 4);
  memcpy (buffer, data, length);
  end = g_strstr_len (buffer, (gssize) length, "\r\n\r\n");
  if (end != NULL)
    length = (gsize) (end - buffer) + 2;
  memcpy (buffer + length, "\r\n", 2);
  length += 2;

  header_stream = g_mime_stream_mem_new_with_buffer (buffer, length);
  parser = g_mime_parser_new_with_stream (header_stream);
  message = g_mime_parser_construct_message (parser, NULL);
  if (message == NULL)
    return;
  *subject = g_strdup (g_mime_message_get_subject (message));
  *message_id = g_strdup (g_mime_message_get_message_id (message));
}

char *
postier_outbox_enqueue_bytes (PostierOutbox    *self,
                              const char       *account_name,
                              PostierEnvelope  *envelope,
                              GBytes           *crlf_message,
                              GCancellable     *cancellable,
                              GError          **error)
{
  g_autoptr(PostierOutboxStaging) staging = NULL;
  g_autofree char *subject = NULL;
  g_autofree char *message_id = NULL;
  gconstpointer data;
  gsize length;

  g_return_val_if_fail (POSTIER_IS_OUTBOX (self), NULL);
  g_return_val_if_fail (crlf_message != NULL, NULL);

  staging = postier_outbox_staging_begin (self, error);
  if (staging == NULL)
    return NULL;
  data = g_bytes_get_data (crlf_message, &length);
  if (!postier_outbox_staging_write (staging, data, length, error))
    return NULL;
  scan_header_fields (crlf_message, &subject, &message_id);
  postier_outbox_staging_set_subject (staging, subject);
  postier_outbox_staging_set_message_id (staging, message_id);
  return postier_outbox_staging_commit (staging, account_name, envelope, cancellable, error);
}
