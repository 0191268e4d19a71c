/* test-outbox-staging.c — the one way into the outbox: what is committed is
 * listed as the producer described it; what is not leaves nothing behind
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "postier-core.h"
#include "postier-test.h"

#define MESSAGE "From: Ada <ada@example.org>\r\nTo: bob@example.org\r\n" \
                "Subject: Plans\r\nMessage-ID: <plans@example.org>\r\n\r\nSee you.\r\n"

/* Files whose name starts with a dot (staging files, hidden entries). */
static guint
count_hidden (PostierOutbox *outbox)
{
  g_autoptr(GDir) dir = g_dir_open (postier_outbox_get_dir (outbox), 0, NULL);
  const char *name;
  guint hidden = 0;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (name[0] == '.' && !g_str_equal (name, ".lock"))
      hidden++;
  return hidden;
}

static PostierOutbox *
new_outbox (const char *name)
{
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), name, NULL);

  return postier_outbox_new (dir);
}

static PostierEnvelope *
new_envelope (gboolean with_recipient)
{
  PostierEnvelope *envelope = postier_envelope_new ("ada@example.org");

  if (with_recipient)
    postier_envelope_add_recipient (envelope, "bob@example.org");
  return envelope;
}

/* The outbox lists what the producer said (it does not read the message),
 * the message is the bytes written, and no staging file is left. */
static void
test_commit (void)
{
  g_autoptr(PostierOutbox) outbox = new_outbox ("outbox-commit");
  g_autoptr(PostierOutboxStaging) staging = NULL;
  g_autoptr(PostierEnvelope) envelope = new_envelope (TRUE);
  g_autoptr(PostierOutboxEntry) entry = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;

  staging = postier_outbox_staging_begin (outbox, &error);
  g_assert_no_error (error);
  g_assert_true (postier_outbox_staging_write (staging, MESSAGE, strlen (MESSAGE), &error));
  postier_outbox_staging_set_subject (staging, "Plans for the summer");
  postier_outbox_staging_set_message_id (staging, "plans@example.org");
  g_assert_cmpuint (count_hidden (outbox), ==, 1);
  id = postier_outbox_staging_commit (staging, "Rig", envelope, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (id);

  entry = postier_outbox_lookup (outbox, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (postier_outbox_entry_get_subject (entry), ==, "Plans for the summer");
  g_assert_cmpstr (postier_outbox_entry_get_message_id (entry), ==, "plans@example.org");
  g_assert_cmpuint (postier_outbox_entry_get_size (entry), ==, strlen (MESSAGE));
  g_assert_cmpint (postier_outbox_entry_get_state (entry), ==, POSTIER_OUTBOX_STATE_QUEUED);
  path = postier_outbox_entry_get_message_path (entry);
  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_cmpstr (contents, ==, MESSAGE);
  g_assert_cmpuint (count_hidden (outbox), ==, 0);
}

/* A producer that gives up (an error, a crash of its own logic) drops the
 * staging: nothing is queued, nothing is left. */
static void
test_dropped (void)
{
  g_autoptr(PostierOutbox) outbox = new_outbox ("outbox-dropped");
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;
  PostierOutboxStaging *staging;

  staging = postier_outbox_staging_begin (outbox, &error);
  g_assert_no_error (error);
  g_assert_true (postier_outbox_staging_write (staging, MESSAGE, strlen (MESSAGE), &error));
  g_object_unref (staging);

  entries = postier_outbox_list (outbox, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 0);
  g_assert_cmpuint (count_hidden (outbox), ==, 0);
}

/* A commit that fails (no recipients, or cancelled) queues nothing and
 * leaves nothing. */
static void
test_failed_commit (void)
{
  g_autoptr(PostierOutbox) outbox = new_outbox ("outbox-failed");
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;

  {
    g_autoptr(PostierOutboxStaging) staging = postier_outbox_staging_begin (outbox, &error);
    g_autoptr(PostierEnvelope) nobody = new_envelope (FALSE);

    g_assert_no_error (error);
    g_assert_true (postier_outbox_staging_write (staging, MESSAGE, strlen (MESSAGE), &error));
    g_assert_null (postier_outbox_staging_commit (staging, "Rig", nobody, NULL, &error));
    g_assert_error (error, POSTIER_MESSAGE_ERROR, POSTIER_MESSAGE_ERROR_NO_RECIPIENTS);
    g_clear_error (&error);
  }
  {
    g_autoptr(PostierOutboxStaging) staging = postier_outbox_staging_begin (outbox, &error);
    g_autoptr(PostierEnvelope) envelope = new_envelope (TRUE);
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();

    g_assert_no_error (error);
    g_cancellable_cancel (cancellable);
    g_assert_null (postier_outbox_staging_commit (staging, "Rig", envelope, cancellable, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_clear_error (&error);
  }

  entries = postier_outbox_list (outbox, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 0);
  g_assert_cmpuint (count_hidden (outbox), ==, 0);
}

/* Raw bytes (tests, tools) have no builder: their header block tells the
 * Subject (decoded) and the Message-ID. */
static void
test_enqueue_bytes (void)
{
  g_autoptr(PostierOutbox) outbox = new_outbox ("outbox-bytes");
  g_autoptr(PostierEnvelope) envelope = new_envelope (TRUE);
  const char *text = "Subject: =?UTF-8?B?w4l0w6k=?=\r\nMessage-ID: <summer@example.org>\r\n\r\nx\r\n";
  g_autoptr(GBytes) bytes = g_bytes_new_static (text, strlen (text));
  g_autoptr(PostierOutboxEntry) entry = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;

  id = postier_outbox_enqueue_bytes (outbox, "Rig", envelope, bytes, NULL, &error);
  g_assert_no_error (error);
  entry = postier_outbox_lookup (outbox, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (postier_outbox_entry_get_subject (entry), ==, "Été");
  g_assert_cmpstr (postier_outbox_entry_get_message_id (entry), ==, "summer@example.org");
}

int
main (int   argc,
      char *argv[])
{
  postier_test_init (&argc, &argv);

  g_test_add_func ("/outbox/staging/commit", test_commit);
  g_test_add_func ("/outbox/staging/dropped", test_dropped);
  g_test_add_func ("/outbox/staging/failed-commit", test_failed_commit);
  g_test_add_func ("/outbox/staging/enqueue-bytes", test_enqueue_bytes);

  return g_test_run ();
}
