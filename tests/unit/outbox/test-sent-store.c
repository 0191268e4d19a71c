/* test-sent-store.c — the Sent view's list: newest first, with time,
 * account, subject and recipients
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "postier-core.h"
#include "postier-sent-store-private.h"
#include "postier-test.h"

static char *
write_message (const char *dir,
               const char *subject_header,
               const char *to)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, "message.eml", NULL);
  g_autofree char *text = g_strdup_printf (
    "From: Ada <ada@example.org>\r\n"
    "To: %s\r\n"
    "Cc: Charles <charles@example.net>\r\n"
    "Subject: %s\r\n"
    "Date: Mon, 03 Mar 2025 10:00:00 +0000\r\n"
    "Message-ID: <m-%08x@example.org>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "\r\n"
    "Subject: not a header, this is the body\r\n",
    to, subject_header, g_random_int ());

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
  return path;
}

static void
test_list_newest_first (void)
{
  g_autofree char *sent_dir = g_build_filename (g_get_user_data_dir (), "sent-test", NULL);
  g_autofree char *work = g_build_filename (g_get_user_data_dir (), "work", NULL);
  g_autoptr(PostierSentStore) store = postier_sent_store_new (sent_dir);
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(GError) error = NULL;
  const gint64 base = 1741000000;
  PostierSentMessage *m;

  g_mkdir_with_parents (work, 0700);

  /* Nothing sent yet: an empty list, not an error. */
  listed = postier_sent_store_list (store, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (listed->len, ==, 0);
  g_clear_pointer (&listed, g_ptr_array_unref);

  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *subject = g_strdup_printf ("Report %u", i);
      g_autofree char *path = write_message (work, subject, "Bob <bob@example.com>");
      g_autofree char *account = g_strdup_printf ("Acc \"%u\"", i);
      g_autofree char *name = NULL;

      /* Stored out of order: the list must follow the acceptance time. */
      name = postier_sent_store_add (store, path, account, base + (i * 7 % 5) * 60, i == 3,
                                     NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (name);
    }

  listed = postier_sent_store_list (store, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (listed->len, ==, 5);
  for (guint i = 1; i < listed->len; i++)
    g_assert_cmpint (postier_sent_message_get_sent_time (listed->pdata[i - 1]), >=,
                     postier_sent_message_get_sent_time (listed->pdata[i]));

  /* Minutes (i * 7) % 5 are 0, 2, 4, 1, 3: message 2 is the newest. */
  m = listed->pdata[0];
  g_assert_cmpint (postier_sent_message_get_sent_time (m), ==, base + 4 * 60);
  g_assert_cmpstr (postier_sent_message_get_subject (m), ==, "Report 2");
  g_assert_cmpstr (postier_sent_message_get_account_name (m), ==, "Acc \"2\"");
  g_assert_false (postier_sent_message_get_possible_duplicate (m));
  g_assert_nonnull (strstr (postier_sent_message_get_recipients (m), "bob@example.com"));
  g_assert_nonnull (strstr (postier_sent_message_get_recipients (m), "charles@example.net"));
  g_assert_true (g_str_has_prefix (postier_sent_message_get_message_id (m), "m-"));

  for (guint i = 0; i < listed->len; i++)
    {
      m = listed->pdata[i];
      g_assert_cmpint (postier_sent_message_get_possible_duplicate (m), ==,
                       g_str_equal (postier_sent_message_get_subject (m), "Report 3"));
    }
  g_clear_pointer (&listed, g_ptr_array_unref);

  /* A limit keeps the newest. */
  listed = postier_sent_store_list (store, 2, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (listed->len, ==, 2);
}

static void
test_encoded_subject_and_foreign_file (void)
{
  g_autofree char *sent_dir = g_build_filename (g_get_user_data_dir (), "sent-enc", NULL);
  g_autofree char *work = g_build_filename (g_get_user_data_dir (), "work-enc", NULL);
  g_autofree char *cur = g_build_filename (sent_dir, "cur", NULL);
  g_autofree char *foreign = g_build_filename (cur, "1700000000.foreign:2,S", NULL);
  g_autoptr(PostierSentStore) store = postier_sent_store_new (sent_dir);
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *name = NULL;
  PostierSentMessage *m;

  g_mkdir_with_parents (work, 0700);
  path = write_message (work, "=?UTF-8?Q?Caf=C3=A9_cr=C3=A8me?=", "=?UTF-8?Q?Zo=C3=A9?= <zoe@example.fr>");
  name = postier_sent_store_add (store, path, "Work", 1741000000, FALSE, NULL, &error);
  g_assert_no_error (error);

  /* A copy another program put in cur/ has no X-Postier-Sent: its Date
   * stands in, and the account is unknown. */
  g_file_set_contents (foreign,
                       "From: x@example.org\nTo: y@example.org\nSubject: Old\n"
                       "Date: Tue, 14 Nov 2023 22:13:20 +0000\n\nbody\n", -1, &error);
  g_assert_no_error (error);

  listed = postier_sent_store_list (store, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (listed->len, ==, 2);

  m = listed->pdata[0];
  g_assert_cmpstr (postier_sent_message_get_subject (m), ==, "Café crème");
  g_assert_nonnull (strstr (postier_sent_message_get_recipients (m), "Zoé"));
  g_assert_cmpstr (postier_sent_message_get_account_name (m), ==, "Work");

  m = listed->pdata[1];
  g_assert_cmpstr (postier_sent_message_get_subject (m), ==, "Old");
  g_assert_cmpstr (postier_sent_message_get_account_name (m), ==, "");
  g_assert_cmpint (postier_sent_message_get_sent_time (m), ==, 1700000000);
}

static void
list_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GPtrArray **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = postier_sent_store_list_finish (POSTIER_SENT_STORE (source), result, &error);
  g_assert_no_error (error);
}

static void
test_list_async (void)
{
  g_autofree char *sent_dir = g_build_filename (g_get_user_data_dir (), "sent-async", NULL);
  g_autofree char *work = g_build_filename (g_get_user_data_dir (), "work-async", NULL);
  g_autoptr(PostierSentStore) store = postier_sent_store_new (sent_dir);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *name = NULL;
  GPtrArray *listed = NULL;

  g_mkdir_with_parents (work, 0700);
  path = write_message (work, "Async", "bob@example.com");
  name = postier_sent_store_add (store, path, "Work", 1741000000, FALSE, NULL, &error);
  g_assert_no_error (error);

  postier_sent_store_list_async (store, 10, NULL, list_done, &listed);
  while (listed == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (listed->len, ==, 1);
  g_assert_cmpstr (postier_sent_message_get_subject (listed->pdata[0]), ==, "Async");
  g_ptr_array_unref (listed);
}

static guint
count_files (const char *dir_path)
{
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  guint n = 0;

  while (dir != NULL && g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

/* A sent entry set aside when a power cut came: its copy may be empty.
 * Written again, it is whole, flagged as the entry was, and still one
 * copy, also once a reader moved it to cur/. */
static void
test_restore_copy (void)
{
  g_autofree char *sent_dir = g_build_filename (g_get_user_data_dir (), "sent-restore", NULL);
  g_autofree char *work = g_build_filename (g_get_user_data_dir (), "work-restore", NULL);
  g_autofree char *new_dir = g_build_filename (sent_dir, "new", NULL);
  g_autofree char *cur_dir = g_build_filename (sent_dir, "cur", NULL);
  g_autoptr(PostierSentStore) store = postier_sent_store_new (sent_dir);
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  g_autofree char *name = NULL;
  g_autofree char *copy_path = NULL;
  g_autofree char *read_path = NULL;
  g_autofree char *text = NULL;

  g_mkdir_with_parents (work, 0700);
  message = write_message (work, "Quarterly figures", "Bob <bob@example.com>");
  name = _postier_sent_store_add_unsynced (store, message, "Work", 1741000000, FALSE, NULL, &error);
  g_assert_no_error (error);
  copy_path = g_build_filename (new_dir, name, NULL);
  g_file_set_contents (copy_path, "", 0, &error);   /* what the power cut left */
  g_assert_no_error (error);

  g_assert_true (_postier_sent_store_restore (store, name, message, "Work", 1741000000, TRUE, &error));
  g_assert_no_error (error);
  g_file_get_contents (copy_path, &text, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (text, "Subject: Quarterly figures"));
  g_assert_nonnull (strstr (text, "possible-duplicate"));
  g_assert_cmpuint (count_files (new_dir), ==, 1);

  /* Read meanwhile: rewritten where it is, not added to new/. */
  read_path = g_strdup_printf ("%s/%s:2,S", cur_dir, name);
  g_assert_cmpint (g_rename (copy_path, read_path), ==, 0);
  g_assert_true (_postier_sent_store_restore (store, name, message, "Work", 1741000000, FALSE, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_files (new_dir), ==, 0);
  g_assert_cmpuint (count_files (cur_dir), ==, 1);
  g_clear_pointer (&text, g_free);
  g_file_get_contents (read_path, &text, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (text, "Subject: Quarterly figures"));
}

/* A flush writes Sent copies over the messages of entries already
 * committed (spares) rather than new files: the copy must be the same
 * bytes as one in a new file, whatever the spare held, and a spare that is
 * gone or has another name elsewhere must not be written over. */
static void
test_copy_over_spare (void)
{
  g_autofree char *sent_dir = g_build_filename (g_get_user_data_dir (), "sent-spare", NULL);
  g_autofree char *work = g_build_filename (g_get_user_data_dir (), "work-spare", NULL);
  g_autofree char *tmp_dir = g_build_filename (sent_dir, "tmp", NULL);
  g_autoptr(PostierSentStore) store = postier_sent_store_new (sent_dir);
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  g_autofree char *plain_name = NULL;
  g_autofree char *plain = NULL;
  g_autofree char *linked = g_build_filename (work, "linked", NULL);
  g_autoptr(GString) longer = g_string_new (NULL);
  gsize plain_length;

  g_mkdir_with_parents (work, 0700);
  message = write_message (work, "Minutes", "Bob <bob@example.com>");
  plain_name = _postier_sent_store_add_unsynced (store, message, "Work", 1741000000, TRUE, NULL, &error);
  g_assert_no_error (error);
  {
    g_autofree char *path = g_build_filename (sent_dir, "new", plain_name, NULL);

    g_file_get_contents (path, &plain, &plain_length, &error);
    g_assert_no_error (error);
  }

  /* A spare four times as long as the copy: nothing of it stays. */
  for (guint i = 0; i < 4; i++)
    g_string_append_len (longer, plain, plain_length);
  for (guint round = 0; round < 3; round++)
    {
      g_autofree char *spare = _postier_sent_store_spare_path (store, round + 1);
      g_autofree char *name = NULL;
      g_autofree char *path = NULL;
      g_autofree char *copy = NULL;
      gsize length;

      if (round == 0)
        g_file_set_contents (spare, longer->str, longer->len, &error);
      else if (round == 1)
        {
          /* A spare with a second name: that file keeps its bytes. */
          g_file_set_contents (linked, "someone else's", -1, &error);
          g_assert_cmpint (link (linked, spare), ==, 0);
        }
      /* round 2: the spare is gone (a reader cleaned tmp/). */
      g_assert_no_error (error);

      name = _postier_sent_store_add_unsynced (store, message, "Work", 1741000000, TRUE, spare, &error);
      g_assert_no_error (error);
      g_assert_nonnull (name);
      path = g_build_filename (sent_dir, "new", name, NULL);
      g_file_get_contents (path, &copy, &length, &error);
      g_assert_no_error (error);
      g_assert_cmpmem (copy, length, plain, plain_length);
      g_assert_false (g_file_test (spare, G_FILE_TEST_EXISTS));
      if (round == 1)
        {
          g_autofree char *kept = NULL;

          g_file_get_contents (linked, &kept, NULL, &error);
          g_assert_no_error (error);
          g_assert_cmpstr (kept, ==, "someone else's");
        }
    }

  /* Recovery after a kill: spares go, anything else in tmp/ stays. */
  {
    g_autofree char *spare = _postier_sent_store_spare_path (store, 9);
    g_autofree char *other = g_build_filename (tmp_dir, "1741000000.M1P2R3.host", NULL);

    g_file_set_contents (spare, "x", -1, &error);
    g_file_set_contents (other, "y", -1, &error);
    g_assert_no_error (error);
    _postier_sent_store_remove_spares (store);
    g_assert_false (g_file_test (spare, G_FILE_TEST_EXISTS));
    g_assert_true (g_file_test (other, G_FILE_TEST_EXISTS));
  }
}

/* A commit's copies are synced once for the batch only when little else
 * waits to be written back; otherwise each on its own, as before. */
static void
test_sync_copies (void)
{
  static const char meminfo[] =
    "MemTotal:       24000000 kB\n"
    "Dirty:              %s kB\n"
    "Writeback:          %s kB\n"
    "AnonPages:        100000 kB\n";
  g_autofree char *sent_dir = g_build_filename (g_get_user_data_dir (), "sent-sync", NULL);
  g_autofree char *work = g_build_filename (g_get_user_data_dir (), "work-sync", NULL);
  g_autoptr(PostierSentStore) store = postier_sent_store_new (sent_dir);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  struct {
    const char *dirty, *writeback;
    guint64     own;
    gboolean    little;
  } cases[] = {
    { "120", "0", 0, TRUE },
    { "16000", "384", 0, TRUE },
    { "16384", "4", 0, FALSE },           /* 16 MiB and 4 KiB: just past the slack */
    { "40000", "1000", 0, FALSE },        /* a download being written */
    { "40000", "1000", 32 << 20, TRUE },  /* most of it the batch's own */
    { "x", "0", 0, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = g_strdup_printf (meminfo, cases[i].dirty, cases[i].writeback);

      g_assert_cmpint (postier_little_else_dirty (text, cases[i].own), ==, cases[i].little);
    }
  g_assert_false (postier_little_else_dirty ("MemTotal: 1 kB\nDirty: 0 kB\n", 0));
  g_assert_false (postier_little_else_dirty ("", 0));

  /* Three copies, one read meanwhile (cur/), one deleted: synced, no error. */
  g_mkdir_with_parents (work, 0700);
  message = write_message (work, "Sync", "Bob <bob@example.com>");
  for (guint i = 0; i < 5; i++)
    {
      char *name = _postier_sent_store_add_unsynced (store, message, "Work", 1741000000, FALSE, NULL, &error);

      g_assert_no_error (error);
      g_ptr_array_add (names, name);
    }
  {
    g_autofree char *from = g_build_filename (sent_dir, "new", g_ptr_array_index (names, 1), NULL);
    g_autofree char *read_name = g_strconcat (g_ptr_array_index (names, 1), ":2,S", NULL);
    g_autofree char *to = g_build_filename (sent_dir, "cur", read_name, NULL);
    g_autofree char *gone = g_build_filename (sent_dir, "new", g_ptr_array_index (names, 2), NULL);

    g_assert_cmpint (g_rename (from, to), ==, 0);
    g_assert_cmpint (g_unlink (gone), ==, 0);
  }
  g_assert_true (_postier_sent_store_sync_copies (store, names, 5 * 512, &error));
  g_assert_no_error (error);
  g_assert_cmpint (postier_sync_files ((int[]) { -1, -1 }, 2, 0), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  postier_test_init (&argc, &argv);

  g_test_add_func ("/sent-store/list/newest-first", test_list_newest_first);
  g_test_add_func ("/sent-store/list/encoded-and-foreign", test_encoded_subject_and_foreign_file);
  g_test_add_func ("/sent-store/list/async", test_list_async);
  g_test_add_func ("/sent-store/restore-copy", test_restore_copy);
  g_test_add_func ("/sent-store/copy-over-spare", test_copy_over_spare);
  g_test_add_func ("/sent-store/sync-copies", test_sync_copies);

  return g_test_run ();
}
