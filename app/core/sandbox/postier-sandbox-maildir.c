/* postier-sandbox-maildir.c — writing a captured message and its envelope
 *
 * Moved out of postier-sandbox-store.c: the store reads the folder, the
 * receiver's session writes it through these, and neither needs the other.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-sandbox"

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "postier-paths.h"
#include "postier-sandbox-maildir.h"

PostierSandboxEnvelope *
postier_sandbox_envelope_new (void)
{
  PostierSandboxEnvelope *envelope = g_new0 (PostierSandboxEnvelope, 1);

  envelope->recipients = g_ptr_array_new_with_free_func (g_free);
  return envelope;
}

/* Forgets the transaction (MAIL FROM and RCPT TO), keeps the session. */
void
postier_sandbox_envelope_reset (PostierSandboxEnvelope *envelope)
{
  g_clear_pointer (&envelope->sender, g_free);
  g_clear_pointer (&envelope->mail_parameters, g_free);
  g_ptr_array_set_size (envelope->recipients, 0);
  envelope->smtputf8 = FALSE;
}

void
postier_sandbox_envelope_free (PostierSandboxEnvelope *envelope)
{
  if (envelope == NULL)
    return;
  postier_sandbox_envelope_reset (envelope);
  g_ptr_array_unref (envelope->recipients);
  g_free (envelope->helo);
  g_free (envelope->login);
  g_free (envelope->tls);
  g_free (envelope);
}

gboolean
postier_sandbox_maildir_ensure (const char  *dir,
                                GError     **error)
{
  static const char * const subdirs[] = { "tmp", "new", "cur", POSTIER_SANDBOX_ENVELOPE_DIR };

  for (guint i = 0; i < G_N_ELEMENTS (subdirs); i++)
    {
      g_autofree char *path = g_build_filename (dir, subdirs[i], NULL);

      if (!postier_ensure_private_dir (path, error))
        return FALSE;
    }
  return TRUE;
}

char *
postier_sandbox_maildir_unique_name (void)
{
  static gint counter = 0;
  gint64 now = g_get_real_time ();
  g_autofree char *host = g_strdup (g_get_host_name ());

  /* "/" and ":" would break the path and the Maildir info suffix. */
  g_strdelimit (host, "/:", '_');
  return g_strdup_printf ("%" G_GINT64_FORMAT ".M%06dP%dQ%uR%08x.%s",
                          now / G_USEC_PER_SEC, (int) (now % G_USEC_PER_SEC),
                          (int) getpid (), (guint) g_atomic_int_add (&counter, 1),
                          g_random_int (), host);
}

/* GKeyFile wants UTF-8; what a client sends need not be. */
static void
set_client_string (GKeyFile   *kf,
                   const char *key,
                   const char *value)
{
  g_autofree char *valid = NULL;

  if (value == NULL)
    return;
  valid = g_utf8_make_valid (value, -1);
  g_key_file_set_string (kf, "Envelope", key, valid);
}

gboolean
postier_sandbox_maildir_deliver (const char                    *dir,
                                 const char                    *name,
                                 const PostierSandboxEnvelope  *envelope,
                                 GError                       **error)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autoptr(GPtrArray) recipients = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *tmp_path = g_build_filename (dir, "tmp", name, NULL);
  g_autofree char *new_dir = g_build_filename (dir, "new", NULL);
  g_autofree char *new_path = g_build_filename (new_dir, name, NULL);
  g_autofree char *envelope_path = g_build_filename (dir, POSTIER_SANDBOX_ENVELOPE_DIR, name, NULL);
  g_autofree char *data = NULL;
  gsize length;

  g_key_file_set_comment (kf, NULL, NULL,
                          " The SMTP envelope the Postier Sandbox received with this message.", NULL);
  set_client_string (kf, "mail-from", envelope->sender != NULL ? envelope->sender : "");
  for (guint i = 0; i < envelope->recipients->len; i++)
    g_ptr_array_add (recipients, g_utf8_make_valid (g_ptr_array_index (envelope->recipients, i), -1));
  g_key_file_set_string_list (kf, "Envelope", "rcpt-to",
                              (const char * const *) recipients->pdata, recipients->len);
  set_client_string (kf, "mail-parameters", envelope->mail_parameters);
  set_client_string (kf, "helo", envelope->helo);
  set_client_string (kf, "login", envelope->login);
  set_client_string (kf, "tls", envelope->tls);
  g_key_file_set_boolean (kf, "Envelope", "smtputf8", envelope->smtputf8);
  g_key_file_set_int64 (kf, "Envelope", "received", g_get_real_time () / G_USEC_PER_SEC);

  data = g_key_file_to_data (kf, &length, NULL);
  if (!postier_write_file_durably (envelope_path, data, length, error))
    {
      g_unlink (tmp_path);
      return FALSE;
    }
  if (g_rename (tmp_path, new_path) != 0)
    {
      int saved_errno = errno;
      g_unlink (tmp_path);
      g_unlink (envelope_path);
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _("Cannot store the captured message in “%s”: %s"), new_dir,
                   g_strerror (saved_errno));
      return FALSE;
    }
  return postier_fsync_dir (new_dir, error);
}
