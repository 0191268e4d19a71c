/* test-outbox-links.c — symbolic links planted in the outbox are never
 * followed: not to send another file, not to delete another folder, not to
 * append a transcript somewhere else (issue 16, finding 1)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "postier-core.h"
#include "postier-test.h"

/* Its Message-ID holds this process's id, which arrived() counts by. */
static char *
enqueue (PostierOutbox *outbox,
         const char    *subject)
{
  g_autofree char *message_id = g_strdup_printf ("<%s.%d@links.postier.test>", subject, getpid ());

  return postier_test_enqueue (outbox, "Rig", "bob@example.org", subject, message_id);
}

/* Waits for TAG to arrive in the rig's Maildir (Postfix delivers on its
 * own schedule), then says how many copies there are. */
static guint
arrived (const char *tag)
{
  /* By Message-ID, which holds this process's id: both builds' suites
   * share one rig Maildir, and the subject alone repeats. */
  g_autofree char *needle = g_strdup_printf ("<%s.%d@links.postier.test>", tag, getpid ());

  for (guint tries = 0; tries < 100 && postier_test_maildir_count (needle) == 0; tries++)
    g_usleep (100 * 1000);
  return postier_test_maildir_count (needle);
}

/* A folder outside the outbox holding files the person cares about. */
static char *
make_victim (const char *name)
{
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), name, NULL);
  g_autofree char *file = g_build_filename (dir, "precious.txt", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents (file, "precious-" G_STRINGIFY (__LINE__) "\n", -1, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&dir);
}

static gboolean
damaged_list_mentions (PostierOutbox *outbox,
                       const char    *id)
{
  g_autoptr(GPtrArray) damaged = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;

  entries = postier_outbox_list_with_damaged (outbox, &damaged, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < entries->len; i++)
    g_assert_cmpstr (postier_outbox_entry_get_id (g_ptr_array_index (entries, i)), !=, id);
  for (guint i = 0; i < damaged->len; i++)
    {
      GError *problem = g_ptr_array_index (damaged, i);

      g_assert_error (problem, POSTIER_OUTBOX_ERROR, POSTIER_OUTBOX_ERROR_CORRUPT);
      if (strstr (problem->message, id) != NULL)
        return TRUE;
    }
  return FALSE;
}

/* An entry folder replaced by a link to another folder (one holding a
 * valid-looking entry): neither `queue remove` nor a flush may empty it. */
static void
test_entry_folder_link (void)
{
  g_autoptr(PostierOutbox) outbox = postier_test_rig_outbox ();
  g_autofree char *id = NULL;
  g_autofree char *entry_path = NULL;
  g_autofree char *victim = NULL;
  g_autofree char *moved = NULL;
  g_autofree char *err = NULL;
  g_autofree char *out = NULL;
  g_autofree char *precious = NULL;
  g_autofree char *moved_message = NULL;
  int status;

  if (outbox == NULL)
    return;
  id = enqueue (outbox, "linked-folder");
  entry_path = g_build_filename (postier_outbox_get_dir (outbox), id, NULL);
  victim = make_victim ("victim-folder");
  /* The victim folder holds the entry's own files: a plausible entry. */
  moved = g_build_filename (victim, "entry", NULL);
  g_assert_cmpint (rename (entry_path, moved), ==, 0);
  g_assert_cmpint (symlink (moved, entry_path), ==, 0);
  precious = g_build_filename (victim, "precious.txt", NULL);
  moved_message = g_build_filename (moved, "message.eml", NULL);

  g_assert_true (damaged_list_mentions (outbox, id));

  status = postier_test_run_ctl (NULL, &out, &err, "queue", "list", NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (err, id));
  g_assert_nonnull (strstr (err, "symbolic link"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  status = postier_test_run_ctl (NULL, &out, &err, "queue", "show", id, NULL);
  g_assert_cmpint (status, !=, 0);
  g_assert_nonnull (strstr (err, "symbolic link"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  status = postier_test_run_ctl (NULL, &out, &err, "queue", "remove", id, NULL);
  g_assert_cmpint (status, !=, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_true (g_file_test (moved_message, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (precious, G_FILE_TEST_IS_REGULAR));

  /* A flush neither sends what the link points to nor removes it; a good
   * message beside it goes, and once it is in, so would the other be. */
  g_free (enqueue (outbox, "control-folder"));
  postier_test_run_ctl (NULL, &out, &err, "queue", "flush", NULL);
  g_assert_cmpuint (arrived ("control-folder"), ==, 1);
  g_assert_true (g_file_test (moved_message, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (precious, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpuint (postier_test_maildir_count ("linked-folder"), ==, 0);
  /* Left alone: the link is still there for the person to look at. */
  g_assert_true (g_file_test (entry_path, G_FILE_TEST_IS_SYMLINK));
}

/* message.eml replaced by a link to some other file of the person's:
 * that file is never submitted. */
static void
test_message_link (void)
{
  g_autoptr(PostierOutbox) outbox = postier_test_rig_outbox ();
  g_autoptr(PostierOutboxEntry) entry = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *message = NULL;
  g_autofree char *secret = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *needle = g_strdup_printf ("secret-%d-%" G_GINT64_FORMAT, getpid (),
                                             g_get_real_time ());

  if (outbox == NULL)
    return;
  id = enqueue (outbox, "linked-message");
  secret = g_build_filename (g_get_user_data_dir (), "secret.eml", NULL);
  {
    g_autofree char *text = g_strdup_printf ("From: alice@localhost\r\nTo: bob@example.org\r\n"
                                             "Subject: %s\r\n\r\n%s\r\n", needle, needle);
    g_file_set_contents (secret, text, -1, &error);
    g_assert_no_error (error);
  }
  message = g_build_filename (postier_outbox_get_dir (outbox), id, "message.eml", NULL);
  g_assert_cmpint (g_unlink (message), ==, 0);
  g_assert_cmpint (symlink (secret, message), ==, 0);

  entry = postier_outbox_lookup (outbox, id, &error);
  g_assert_error (error, POSTIER_OUTBOX_ERROR, POSTIER_OUTBOX_ERROR_CORRUPT);
  g_assert_null (entry);
  g_assert_true (damaged_list_mentions (outbox, id));

  g_free (enqueue (outbox, "control-message"));
  postier_test_run_ctl (NULL, &out, &err, "queue", "flush", NULL);
  g_assert_cmpuint (arrived ("control-message"), ==, 1);
  g_assert_cmpuint (postier_test_maildir_count (needle), ==, 0);
  g_assert_true (g_file_test (message, G_FILE_TEST_IS_SYMLINK));
  g_assert_true (g_file_test (secret, G_FILE_TEST_IS_REGULAR));
}

/* transcript.log replaced by a link: the dialogue of an attempt that
 * failed is not appended to the file the link points to. */
static void
test_transcript_link (void)
{
  g_autoptr(PostierAccountStore) store = NULL;
  g_autoptr(PostierOutbox) outbox = NULL;
  g_autoptr(PostierOutboxEntry) entry = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *transcript = NULL;
  g_autofree char *target = NULL;
  g_autofree char *after = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  /* A relay that is down: the attempt is deferred, with a transcript. */
  store = postier_test_add_rig_account ("Rig", postier_test_dead_port (), NULL);
  if (store == NULL)
    return;
  outbox = postier_outbox_new (NULL);
  id = enqueue (outbox, "linked-transcript");
  target = g_build_filename (g_get_user_data_dir (), "notes.txt", NULL);
  g_file_set_contents (target, "my notes\n", -1, &error);
  g_assert_no_error (error);
  transcript = g_build_filename (postier_outbox_get_dir (outbox), id, "transcript.log", NULL);
  g_assert_cmpint (symlink (target, transcript), ==, 0);

  postier_test_run_ctl (NULL, &out, &err, "queue", "flush", NULL);
  entry = postier_outbox_lookup (outbox, id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (postier_outbox_entry_get_attempts (entry), ==, 1);
  after = postier_test_read_file (target, NULL);
  g_assert_cmpstr (after, ==, "my notes\n");
}

int
main (int    argc,
      char **argv)
{
  postier_test_init (&argc, &argv);

  g_test_add_func ("/outbox/links/entry-folder", test_entry_folder_link);
  g_test_add_func ("/outbox/links/message", test_message_link);
  g_test_add_func ("/outbox/links/transcript", test_transcript_link);
  return g_test_run ();
}
