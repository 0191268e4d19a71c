/* test-outbox-marks.c — the flusher's journal of marks: an entry it names
 * is sent again flagged possible duplicate even when its "sending" link
 * was lost (a power cut: the links are not synced one by one); one it
 * dropped, or a line a kill cut short, is not (issue 12)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "postier-core.h"
#include "postier-outbox-private.h"
#include "postier-test.h"

static PostierOutbox *
new_outbox (const char *name)
{
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), name, NULL);

  return postier_outbox_new (dir);
}

static void
write_journal (PostierOutbox *outbox,
               const char    *text)
{
  g_autofree char *path = g_build_filename (postier_outbox_get_dir (outbox),
                                            POSTIER_OUTBOX_MARKS_FILE, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
}

static PostierOutboxEntry *
find (GPtrArray  *entries,
      const char *id)
{
  for (guint i = 0; i < entries->len; i++)
    if (g_str_equal (postier_outbox_entry_get_id (g_ptr_array_index (entries, i)), id))
      return g_ptr_array_index (entries, i);
  return NULL;
}

static void
test_recovery (void)
{
  g_autoptr(PostierOutbox) outbox = new_outbox ("outbox-marks");
  g_autofree char *lost_link = postier_test_enqueue (outbox, "Rig", "a@example.org", "lost link", "<1@t>");
  g_autofree char *dropped = postier_test_enqueue (outbox, "Rig", "b@example.org", "dropped", "<2@t>");
  g_autofree char *cut = postier_test_enqueue (outbox, "Rig", "c@example.org", "cut short", "<3@t>");
  g_autofree char *untouched = postier_test_enqueue (outbox, "Rig", "d@example.org", "never marked", "<4@t>");
  g_autofree char *journal_path = g_build_filename (postier_outbox_get_dir (outbox),
                                                    POSTIER_OUTBOX_MARKS_FILE, NULL);
  g_autofree char *text = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;

  /* As the mark thread leaves it: the first two marked (synced), the
   * second settled without being sent, the third's line cut by a kill. */
  text = g_strdup_printf ("m %s\nm %s\nu %s\nm %s", lost_link, dropped, dropped, cut);
  write_journal (outbox, text);

  g_assert_true (postier_outbox_lock (outbox, &error));
  g_assert_no_error (error);
  g_assert_true (_postier_outbox_recover_listing (outbox, &entries, &error));
  g_assert_no_error (error);
  postier_outbox_unlock (outbox);

  g_assert_cmpuint (entries->len, ==, 4);
  g_assert_true (postier_outbox_entry_get_possible_duplicate (find (entries, lost_link)));
  g_assert_cmpint (postier_outbox_entry_get_state (find (entries, lost_link)), ==,
                   POSTIER_OUTBOX_STATE_QUEUED);
  g_assert_false (postier_outbox_entry_get_possible_duplicate (find (entries, dropped)));
  g_assert_false (postier_outbox_entry_get_possible_duplicate (find (entries, cut)));
  g_assert_false (postier_outbox_entry_get_possible_duplicate (find (entries, untouched)));

  /* What recovery did is on disk, and the journal is gone. */
  g_clear_pointer (&entries, g_ptr_array_unref);
  entries = postier_outbox_list (outbox, &error);
  g_assert_no_error (error);
  g_assert_true (postier_outbox_entry_get_possible_duplicate (find (entries, lost_link)));
  g_assert_false (g_file_test (journal_path, G_FILE_TEST_EXISTS));
}

/* What the mark thread writes is what recovery reads. */
static void
test_round_trip (void)
{
  g_autoptr(PostierOutbox) outbox = new_outbox ("outbox-marks-round-trip");
  g_autofree char *first = postier_test_enqueue (outbox, "Rig", "a@example.org", "one", "<5@t>");
  g_autofree char *second = postier_test_enqueue (outbox, "Rig", "b@example.org", "two", "<6@t>");
  g_autoptr(GPtrArray) entries = postier_outbox_list (outbox, NULL);
  g_autoptr(GHashTable) marked = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (_postier_outbox_marks_add (outbox, (PostierOutboxEntry **) entries->pdata, 2, &error));
  g_assert_no_error (error);
  _postier_outbox_marks_drop (outbox, second);
  marked = _postier_outbox_marks_read (outbox);
  g_assert_nonnull (marked);
  g_assert_true (g_hash_table_contains (marked, first));
  g_assert_false (g_hash_table_contains (marked, second));
  _postier_outbox_marks_clear (outbox);
  g_assert_null (_postier_outbox_marks_read (outbox));
}

int
main (int   argc,
      char *argv[])
{
  postier_test_init (&argc, &argv);

  g_test_add_func ("/outbox/marks/recovery", test_recovery);
  g_test_add_func ("/outbox/marks/round-trip", test_round_trip);

  return g_test_run ();
}
