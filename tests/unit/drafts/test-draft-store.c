/* test-draft-store.c — the drafts folder as the composer and the outbox
 * view use it: autosave in order, crash recovery, a queued message taken
 * back from a real outbox with its attachments
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "postier-core.h"
#include "postier-draft-store.h"
#include "postier-test.h"

typedef struct {
  GMainLoop *loop;
  guint      waiting;
  GPtrArray *errors;        /* one entry per finished job: GError or NULL */
} Jobs;

static void
job_done (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Jobs *jobs = user_data;
  GError *error = NULL;

  if (g_async_result_is_tagged (result, postier_draft_store_save_async))
    postier_draft_store_save_finish (POSTIER_DRAFT_STORE (source), result, &error);
  else
    postier_draft_store_delete_finish (POSTIER_DRAFT_STORE (source), result, &error);
  g_ptr_array_add (jobs->errors, error);
  if (--jobs->waiting == 0)
    g_main_loop_quit (jobs->loop);
}

static void
jobs_init (Jobs *jobs)
{
  jobs->loop = g_main_loop_new (NULL, FALSE);
  jobs->waiting = 0;
  jobs->errors = g_ptr_array_new ();
}

static void
jobs_wait (Jobs *jobs)
{
  if (jobs->waiting > 0)
    g_main_loop_run (jobs->loop);
}

static void
jobs_clear (Jobs *jobs)
{
  g_main_loop_unref (jobs->loop);
  /* NULL (no error) entries too, so no free function: freed by hand. */
  for (guint i = 0; i < jobs->errors->len; i++)
    if (g_ptr_array_index (jobs->errors, i) != NULL)
      g_error_free (g_ptr_array_index (jobs->errors, i));
  g_ptr_array_unref (jobs->errors);
}

static char *
drafts_dir (void)
{
  return g_build_filename (g_get_user_data_dir (), "postier", "drafts", NULL);
}

static PostierDraft *
draft_with_body (const char *body)
{
  PostierDraft *draft = postier_draft_new ();

  postier_draft_set_to (draft, "Bob <bob@example.org>");
  postier_draft_set_subject (draft, "Plans");
  postier_draft_set_body (draft, body);
  return draft;
}

static void
test_save_load_delete (void)
{
  g_autofree char *dir = drafts_dir ();
  g_autoptr(PostierDraftStore) store = postier_draft_store_new (dir);
  g_autoptr(PostierDraft) first = draft_with_body ("first");
  g_autoptr(PostierDraft) second = draft_with_body ("second, é");
  g_autoptr(PostierDraft) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = postier_draft_store_new_path (store);
  g_autofree char *other = postier_draft_store_new_path (store);
  g_autofree char *files = postier_draft_store_dup_files_dir (path);
  g_autofree char *attachment = NULL;
  Jobs jobs;

  g_assert_cmpstr (postier_draft_store_get_dir (store), ==, dir);
  g_assert_true (g_str_has_prefix (path, dir));
  g_assert_true (g_str_has_suffix (path, ".draft"));
  g_assert_cmpstr (path, !=, other);
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));

  /* Two saves of the same draft: the later text wins; the folder is made. */
  jobs_init (&jobs);
  postier_draft_store_save_async (store, first, path, NULL, job_done, &jobs);
  postier_draft_store_save_async (store, second, path, NULL, job_done, &jobs);
  jobs.waiting = 2;
  jobs_wait (&jobs);
  g_assert_cmpuint (jobs.errors->len, ==, 2);
  g_assert_null (g_ptr_array_index (jobs.errors, 0));
  g_assert_null (g_ptr_array_index (jobs.errors, 1));
  loaded = postier_draft_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (postier_draft_get_body (loaded), ==, "second, é");
  g_assert_cmpstr (postier_draft_get_to (loaded), ==, "Bob <bob@example.org>");

  /* A deletion queued right after a save lands after it: nothing is left,
   * the attachments folder beside the draft included. */
  g_assert_cmpint (g_mkdir_with_parents (files, 0700), ==, 0);
  attachment = g_build_filename (files, "notes.txt", NULL);
  g_assert_true (g_file_set_contents (attachment, "notes", -1, NULL));
  postier_draft_store_save_async (store, first, path, NULL, job_done, &jobs);
  postier_draft_store_delete_async (store, path, NULL, job_done, &jobs);
  /* Deleting a draft that is not there is no error. */
  postier_draft_store_delete_async (store, other, NULL, job_done, &jobs);
  jobs.waiting = 3;
  jobs_wait (&jobs);
  for (guint i = 0; i < jobs.errors->len; i++)
    g_assert_null (g_ptr_array_index (jobs.errors, i));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (files, G_FILE_TEST_EXISTS));
  jobs_clear (&jobs);
}

static void
test_flush_and_cancel (void)
{
  g_autofree char *dir = drafts_dir ();
  g_autoptr(PostierDraftStore) store = postier_draft_store_new (NULL);
  g_autoptr(PostierDraft) draft = draft_with_body ("kept when the app quits");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *path = postier_draft_store_new_path (store);
  g_autofree char *cancelled_path = postier_draft_store_new_path (store);
  Jobs jobs;

  /* NULL is the user's drafts folder. */
  g_assert_cmpstr (postier_draft_store_get_dir (store), ==, dir);

  /* flush() waits for the worker without a main loop: what the composer
   * relies on when it goes. */
  jobs_init (&jobs);
  postier_draft_store_save_async (store, draft, path, NULL, job_done, &jobs);
  g_cancellable_cancel (cancellable);
  postier_draft_store_save_async (store, draft, cancelled_path, cancellable, job_done, &jobs);
  jobs.waiting = 2;
  postier_draft_store_flush (store);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  /* A job cancelled before it ran writes nothing. */
  g_assert_false (g_file_test (cancelled_path, G_FILE_TEST_EXISTS));

  jobs_wait (&jobs);
  g_assert_null (g_ptr_array_index (jobs.errors, 0));
  g_assert_true (g_error_matches (g_ptr_array_index (jobs.errors, 1), G_IO_ERROR, G_IO_ERROR_CANCELLED));
  jobs_clear (&jobs);
}

static void
touch_at (const char *path,
          gint64      seconds_ago)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  guint64 when = (guint64) (g_get_real_time () / G_USEC_PER_SEC - seconds_ago);

  g_assert_true (g_file_set_attribute_uint64 (file, G_FILE_ATTRIBUTE_TIME_MODIFIED, when,
                                              G_FILE_QUERY_INFO_NONE, NULL, NULL));
}

static void
test_recover_newest (void)
{
  g_autofree char *dir = g_dir_make_tmp ("drafts-XXXXXX", NULL);
  g_autoptr(PostierDraftStore) store = postier_draft_store_new (dir);
  g_autoptr(PostierDraft) old = draft_with_body ("older");
  g_autoptr(PostierDraft) recent = draft_with_body ("the one interrupted");
  g_autoptr(PostierDraft) recovered = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *old_path = g_build_filename (dir, "a.draft", NULL);
  g_autofree char *recent_path = g_build_filename (dir, "b.draft", NULL);
  g_autofree char *not_a_draft = g_build_filename (dir, "c.draft.tmp", NULL);
  g_autofree char *found = NULL;

  /* Nothing to recover: NULL, and no error. */
  recovered = postier_draft_store_recover (store, &found, &error);
  g_assert_no_error (error);
  g_assert_null (recovered);
  g_assert_null (found);

  g_assert_true (postier_draft_save (old, old_path, NULL));
  g_assert_true (postier_draft_save (recent, recent_path, NULL));
  g_assert_true (g_file_set_contents (not_a_draft, "[Draft]\nBody=not me\n", -1, NULL));
  touch_at (old_path, 60);
  touch_at (recent_path, 30);

  /* The newest .draft, whatever else is newer in the folder. */
  recovered = postier_draft_store_recover (store, &found, &error);
  g_assert_no_error (error);
  g_assert_nonnull (recovered);
  g_assert_cmpstr (found, ==, recent_path);
  g_assert_cmpstr (postier_draft_get_body (recovered), ==, "the one interrupted");

  /* A newest draft that does not load is named in the error. */
  g_clear_object (&recovered);
  g_clear_pointer (&found, g_free);
  g_assert_true (g_file_set_contents (old_path, "\x01 not a key file [", -1, NULL));
  recovered = postier_draft_store_recover (store, &found, &error);
  g_assert_null (recovered);
  g_assert_nonnull (error);
  g_assert_cmpstr (found, ==, old_path);

  postier_remove_tree (dir);
}

static char *
write_attachment (const char *name,
                  const char *bytes)
{
  g_autofree char *dir = g_build_filename (g_get_user_cache_dir (), "attachments", NULL);
  char *path = g_build_filename (dir, name, NULL);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, bytes, -1, NULL));
  return path;
}

static void
test_take_back (void)
{
  g_autofree char *outbox_dir = g_dir_make_tmp ("outbox-XXXXXX", NULL);
  g_autofree char *dir = drafts_dir ();
  g_autoptr(PostierOutbox) outbox = postier_outbox_new (outbox_dir);
  g_autoptr(PostierDraftStore) store = postier_draft_store_new (dir);
  g_autoptr(PostierAccount) account = postier_account_new ("Work");
  g_autoptr(PostierDraft) draft = draft_with_body ("See the notes.");
  g_autoptr(PostierDraft) back = NULL;
  g_autoptr(PostierDraft) saved = NULL;
  g_autoptr(PostierOutboxEntry) gone = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *attachment = write_attachment ("notes.txt", "line one\nline two\n");
  g_autofree char *id = NULL;
  g_autofree char *draft_path = NULL;
  g_autofree char *expected_path = NULL;
  g_autofree char *files = NULL;
  g_autofree char *moved = NULL;
  g_autofree char *moved_bytes = NULL;
  g_autofree char *again_path = NULL;

  postier_account_set_identity (account, "Ada Lovelace <ada@example.org>");
  postier_account_set_host (account, "smtp.example.org");
  postier_draft_set_cc (draft, "carol@example.net");
  postier_draft_add_attachment (draft, attachment);
  id = postier_mime_enqueue_draft (draft, account, outbox, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (id);

  back = postier_draft_store_take_back (store, outbox, id, &draft_path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (back);

  /* What the composer gets back is the message as it was queued, with the
   * account it was queued for. */
  g_assert_cmpstr (postier_draft_get_account_name (back), ==, "Work");
  g_assert_cmpstr (postier_draft_get_subject (back), ==, "Plans");
  g_assert_nonnull (strstr (postier_draft_get_to (back), "bob@example.org"));
  g_assert_nonnull (strstr (postier_draft_get_cc (back), "carol@example.net"));
  g_assert_nonnull (strstr (postier_draft_get_body (back), "See the notes."));

  /* Saved with the drafts first, as outbox-<id>.draft ... */
  expected_path = g_strdup_printf ("%s/outbox-%s.draft", dir, id);
  g_assert_cmpstr (draft_path, ==, expected_path);
  saved = postier_draft_load (draft_path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (postier_draft_get_subject (saved), ==, "Plans");
  g_assert_cmpstr (postier_draft_get_account_name (saved), ==, "Work");

  /* ... with the attachment moved out of the message beside it ... */
  files = postier_draft_store_dup_files_dir (draft_path);
  g_assert_cmpuint (postier_draft_get_n_attachments (back), ==, 1);
  moved = g_strdup (postier_draft_get_attachment (back, 0));
  g_assert_true (g_str_has_prefix (moved, files));
  g_assert_true (g_str_has_suffix (moved, "notes.txt"));
  g_assert_true (g_file_get_contents (moved, &moved_bytes, NULL, NULL));
  g_assert_cmpstr (moved_bytes, ==, "line one\nline two\n");

  /* ... and only then left the outbox. */
  gone = postier_outbox_lookup (outbox, id, NULL);
  g_assert_null (gone);

  /* Taken back twice: the entry is no longer there. */
  g_clear_object (&back);
  back = postier_draft_store_take_back (store, outbox, id, &again_path, &error);
  g_assert_null (back);
  g_assert_error (error, POSTIER_OUTBOX_ERROR, POSTIER_OUTBOX_ERROR_NOT_FOUND);
  g_assert_null (again_path);

  postier_remove_tree (outbox_dir);
}

static void
test_import_message (void)
{
  g_autofree char *dir = drafts_dir ();
  g_autoptr(PostierDraftStore) store = postier_draft_store_new (dir);
  g_autoptr(PostierDraft) draft = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = write_attachment ("agenda.eml",
                                               "From: Ann <ann@example.org>\r\n"
                                               "To: bob@example.org\r\n"
                                               "Subject: Agenda\r\n"
                                               "\r\n"
                                               "Item one.\r\n");
  g_autofree char *missing = g_build_filename (g_get_user_cache_dir (), "missing.eml", NULL);
  g_autofree char *draft_path = NULL;

  draft = postier_draft_store_import_message (store, message, &draft_path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (draft);
  g_assert_cmpstr (postier_draft_get_subject (draft), ==, "Agenda");
  g_assert_true (g_str_has_prefix (draft_path, dir));
  g_assert_true (g_str_has_suffix (draft_path, ".draft"));
  /* Nothing is written until the caller saves it. */
  g_assert_false (g_file_test (draft_path, G_FILE_TEST_EXISTS));

  g_clear_object (&draft);
  g_clear_pointer (&draft_path, g_free);
  draft = postier_draft_store_import_message (store, missing, &draft_path, &error);
  g_assert_null (draft);
  g_assert_nonnull (error);
  g_assert_null (draft_path);
}

int
main (int    argc,
      char **argv)
{
  postier_test_init (&argc, &argv);

  g_test_add_func ("/drafts/store/save-load-delete", test_save_load_delete);
  g_test_add_func ("/drafts/store/flush-and-cancel", test_flush_and_cancel);
  g_test_add_func ("/drafts/store/recover-newest", test_recover_newest);
  g_test_add_func ("/drafts/store/take-back", test_take_back);
  g_test_add_func ("/drafts/store/import-message", test_import_message);

  return g_test_run ();
}
