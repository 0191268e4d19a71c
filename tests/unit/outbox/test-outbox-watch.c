/* test-outbox-watch.c — PostierOutbox::changed and its async listing: what
 * the outbox view relies on to show what other processes do to the folder.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "postier-core.h"
#include "postier-outbox-private.h"
#include "postier-test.h"

static char *
enqueue (PostierOutbox *outbox,
         const char    *subject)
{
  g_autoptr(PostierEnvelope) envelope = postier_envelope_new ("ada@example.org");
  g_autofree char *text = g_strdup_printf ("From: Ada <ada@example.org>\r\n"
                                           "To: Bob <bob@example.org>\r\n"
                                           "Subject: %s\r\n"
                                           "Message-ID: <%08x@example.org>\r\n"
                                           "\r\n"
                                           "Body.\r\n", subject, g_random_int ());
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));
  g_autoptr(GError) error = NULL;
  char *id;

  postier_envelope_add_recipient (envelope, "bob@example.org");
  id = postier_outbox_enqueue_bytes (outbox, "Work", envelope, bytes, NULL, &error);
  g_assert_no_error (error);
  return id;
}

/* N entries queued, "PREFIX 0" to "PREFIX N-1": their ids, in that order. */
static GPtrArray *
enqueue_numbered (PostierOutbox *outbox,
                  const char    *prefix,
                  guint          n)
{
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *subject = g_strdup_printf ("%s %u", prefix, i);

      g_ptr_array_add (ids, enqueue (outbox, subject));
    }
  return ids;
}

static void
on_changed (guint *count)
{
  (*count)++;
}

static void
list_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GPtrArray **out = user_data;
  g_autoptr(GPtrArray) damaged = NULL;
  g_autoptr(GError) error = NULL;

  *out = postier_outbox_list_finish (POSTIER_OUTBOX (source), result, &damaged, &error);
  g_assert_no_error (error);
  g_assert_nonnull (damaged);
}

static GPtrArray *
list_and_wait (PostierOutbox *outbox)
{
  GPtrArray *listed = NULL;

  postier_outbox_list_async (outbox, NULL, list_done, &listed);
  while (listed == NULL)
    g_main_context_iteration (NULL, TRUE);
  /* The entry watches follow the listing through an idle. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  return listed;
}

static void
wait_for_change (guint *count)
{
  guint before = *count;

  /* The test's own timeout is the bound: no timed assertion here. */
  while (*count == before)
    g_main_context_iteration (NULL, TRUE);
}

static void
test_changed_and_listed (void)
{
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "outbox-watch", NULL);
  g_autoptr(PostierOutbox) outbox = postier_outbox_new (dir);
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *ini = NULL;
  g_autofree char *contents = NULL;
  guint changes = 0;

  /* Watching makes the folder, so the first message is seen coming. */
  g_assert_true (postier_outbox_watch (outbox, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (dir, G_FILE_TEST_IS_DIR));
  g_assert_true (postier_outbox_watch (outbox, &error));   /* idempotent */
  g_signal_connect_swapped (outbox, "changed", G_CALLBACK (on_changed), &changes);

  listed = list_and_wait (outbox);
  g_assert_cmpuint (listed->len, ==, 0);
  g_clear_pointer (&listed, g_ptr_array_unref);

  /* A message queued (here, or by postierctl) is news. */
  id = enqueue (outbox, "Watched");
  wait_for_change (&changes);
  listed = list_and_wait (outbox);
  g_assert_cmpuint (listed->len, ==, 1);
  g_assert_cmpstr (postier_outbox_entry_get_subject (listed->pdata[0]), ==, "Watched");
  g_clear_pointer (&listed, g_ptr_array_unref);

  /* entry.ini rewritten inside the entry's folder is news too: the outbox
   * folder's own watch would not see it. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  ini = g_build_filename (dir, id, "entry.ini", NULL);
  g_assert_true (g_file_get_contents (ini, &contents, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (ini, contents, -1, &error));
  g_assert_no_error (error);
  wait_for_change (&changes);

  /* And an entry that goes. */
  g_assert_true (postier_outbox_remove (outbox, id, &error));
  g_assert_no_error (error);
  wait_for_change (&changes);
  listed = list_and_wait (outbox);
  g_assert_cmpuint (listed->len, ==, 0);
}

/* The outbox view shows why a due message waits without asking the relay
 * limiter on the main thread: the async listing says it. */
static void
test_listing_says_held (void)
{
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "outbox-held", NULL);
  g_autoptr(PostierOutbox) outbox = postier_outbox_new (dir);
  g_autoptr(PostierAccountStore) store = postier_account_store_new (NULL);
  g_autoptr(PostierAccount) account = postier_account_new ("Work");
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(GPtrArray) read_here = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  PostierAccountLimits limits = { 0 };

  postier_account_set_identity (account, "Ada <ada@example.org>");
  postier_account_set_host (account, "smtp.example.org");
  limits.messages_per_minute = 1;
  postier_account_set_limits (account, &limits);
  g_assert_true (postier_account_store_add (store, account, TRUE, &error));
  g_assert_no_error (error);

  first = enqueue (outbox, "First");
  second = enqueue (outbox, "Second");
  listed = list_and_wait (outbox);
  g_assert_cmpuint (listed->len, ==, 2);
  g_assert_null (postier_outbox_entry_get_relay_hold (listed->pdata[0]));
  g_clear_pointer (&listed, g_ptr_array_unref);

  /* The minute's one message went: both wait, and say so. */
  postier_relay_limiter_record (postier_relay_limiter_get_default (), "Work", 1);
  listed = list_and_wait (outbox);
  g_assert_cmpuint (listed->len, ==, 2);
  for (guint i = 0; i < listed->len; i++)
    g_assert_nonnull (strstr (postier_outbox_entry_get_relay_hold (listed->pdata[i]),
                              "1 message a minute"));

  /* The plain listing (postierctl's) never asks. */
  read_here = postier_outbox_list (outbox, &error);
  g_assert_no_error (error);
  g_assert_null (postier_outbox_entry_get_relay_hold (read_here->pdata[0]));

  /* A message held until later by the person is not the limiter's. */
  g_assert_true (postier_outbox_schedule (outbox, second, g_get_real_time () / G_USEC_PER_SEC + 3600,
                                          POSTIER_OUTBOX_SCHEDULE_LATER, &error));
  g_assert_no_error (error);
  g_clear_pointer (&listed, g_ptr_array_unref);
  listed = list_and_wait (outbox);
  for (guint i = 0; i < listed->len; i++)
    if (g_str_equal (postier_outbox_entry_get_id (listed->pdata[i]), second))
      g_assert_null (postier_outbox_entry_get_relay_hold (listed->pdata[i]));
    else
      g_assert_nonnull (postier_outbox_entry_get_relay_hold (listed->pdata[i]));
}

static PostierOutboxEntry *
find_entry (GPtrArray  *entries,
            const char *id)
{
  for (guint i = 0; i < entries->len; i++)
    if (g_str_equal (postier_outbox_entry_get_id (entries->pdata[i]), id))
      return entries->pdata[i];
  g_assert_not_reached ();
}

/* The views list the whole outbox at each change: an entry whose files did
 * not change comes back as the same snapshot (not read again, and the
 * view sees it unchanged), and any change to its files is seen at once:
 * entry.ini rewritten in place with the same size, the "sending" link. */
static void
test_unchanged_entries_kept (void)
{
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "outbox-kept", NULL);
  g_autoptr(PostierOutbox) outbox = postier_outbox_new (dir);
  g_autoptr(GPtrArray) before = NULL;
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(PostierOutboxEntry) taken = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *kept = enqueue (outbox, "Kept");
  g_autofree char *edited = enqueue (outbox, "Typo");
  g_autofree char *marked = enqueue (outbox, "Marked");
  g_autofree char *ini = g_build_filename (dir, edited, "entry.ini", NULL);
  g_autofree char *contents = NULL;
  gsize length = 0;
  char *subject;
  FILE *file;

  /* Files changed within the last second are read again each time (file
   * times are as coarse as a clock tick): let them settle first. */
  g_usleep (1200 * 1000);
  before = list_and_wait (outbox);
  after = list_and_wait (outbox);
  g_assert_cmpuint (after->len, ==, 3);
  for (guint i = 0; i < after->len; i++)
    g_assert_true (after->pdata[i] == before->pdata[i]);
  g_clear_pointer (&before, g_ptr_array_unref);
  before = g_steal_pointer (&after);

  /* Another process fixes the subject in place: same size, same inode. */
  g_assert_true (g_file_get_contents (ini, &contents, &length, &error));
  g_assert_no_error (error);
  subject = strstr (contents, "Subject=Typo");
  g_assert_nonnull (subject);
  memcpy (subject, "Subject=Type", strlen ("Subject=Type"));
  file = fopen (ini, "r+");
  g_assert_nonnull (file);
  g_assert_cmpuint (fwrite (contents, 1, length, file), ==, length);
  fclose (file);
  /* A flusher takes another (from its own listing). */
  taken = postier_outbox_lookup (outbox, marked, &error);
  g_assert_no_error (error);
  g_assert_true (_postier_outbox_mark_sending (outbox, taken, &error));
  g_assert_no_error (error);

  after = list_and_wait (outbox);
  g_assert_cmpuint (after->len, ==, 3);
  g_assert_true (find_entry (after, kept) == find_entry (before, kept));
  g_assert_cmpstr (postier_outbox_entry_get_subject (find_entry (after, edited)), ==, "Type");
  g_assert_cmpint (postier_outbox_entry_get_state (find_entry (after, marked)), ==,
                   POSTIER_OUTBOX_STATE_SENDING);
}

static void
test_sent_store_changed (void)
{
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "sent-watch", NULL);
  g_autofree char *work = g_build_filename (g_get_user_data_dir (), "work-watch", NULL);
  g_autofree char *path = g_build_filename (work, "message.eml", NULL);
  g_autoptr(PostierSentStore) store = postier_sent_store_new (dir);
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  guint changes = 0;

  g_assert_true (postier_sent_store_watch (store, &error));
  g_assert_no_error (error);
  g_signal_connect_swapped (store, "changed", G_CALLBACK (on_changed), &changes);

  g_mkdir_with_parents (work, 0700);
  g_assert_true (g_file_set_contents (path, "Subject: Kept\r\n\r\nBody.\r\n", -1, &error));
  name = postier_sent_store_add (store, path, "Work", 1741000000, FALSE, NULL, &error);
  g_assert_no_error (error);
  wait_for_change (&changes);
}

/* A large outbox is loaded on several threads (over 512 entries): the
 * listing must still hold every entry once, in order, with the damaged
 * ones reported, and the views' listing must keep the unchanged ones. */
static void
test_large_listing (void)
{
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "outbox-large", NULL);
  g_autoptr(PostierOutbox) outbox = postier_outbox_new (dir);
  const guint n = 1500;
  g_autoptr(GPtrArray) ids = enqueue_numbered (outbox, "Large", n);
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(GPtrArray) damaged = NULL;
  g_autoptr(GPtrArray) before = NULL;
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(GError) error = NULL;

  /* Three damaged by hand, spread over the folder. */
  for (guint i = 0; i < n; i += n / 3)
    {
      g_autofree char *ini = g_build_filename (dir, g_ptr_array_index (ids, i), "entry.ini", NULL);

      g_assert_true (g_file_set_contents (ini, "not a key file\n", -1, &error));
      g_assert_no_error (error);
    }

  listed = postier_outbox_list_with_damaged (outbox, &damaged, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (listed->len, ==, n - 3);
  g_assert_cmpuint (damaged->len, ==, 3);
  for (guint i = 1; i < listed->len; i++)
    g_assert_cmpstr (postier_outbox_entry_get_id (listed->pdata[i - 1]), <,
                     postier_outbox_entry_get_id (listed->pdata[i]));

  g_usleep (1200 * 1000);  /* settled: kept by the next listing (see above) */
  before = list_and_wait (outbox);
  after = list_and_wait (outbox);
  g_assert_cmpuint (before->len, ==, n - 3);
  g_assert_cmpuint (after->len, ==, n - 3);
  for (guint i = 0; i < after->len; i++)
    g_assert_true (after->pdata[i] == before->pdata[i]);
}

static gboolean
note_timeout (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Whether ::changed came within SECONDS. */
static gboolean
changed_within (guint *count,
                guint  seconds)
{
  guint before = *count;
  gboolean timed_out = FALSE;
  guint timeout = g_timeout_add_seconds (seconds, note_timeout, &timed_out);

  while (*count == before && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (timeout);
  return *count != before;
}

/* The outbox watches at most 256 entries' folders. Once entries leave (a
 * flush), the room they leave goes to the next ones listed, so postierctl
 * rewriting a later entry's entry.ini still shows in the view. */
static void
test_watch_room_follows_listing (void)
{
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "outbox-watch-room", NULL);
  g_autoptr(PostierOutbox) outbox = postier_outbox_new (dir);
  const guint n = 300, gone = 100;
  g_autoptr(GPtrArray) ids = enqueue_numbered (outbox, "Room", n);
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *ini = NULL;
  g_autofree char *contents = NULL;
  guint changes = 0;

  g_assert_true (postier_outbox_watch (outbox, &error));
  g_assert_no_error (error);
  g_signal_connect_swapped (outbox, "changed", G_CALLBACK (on_changed), &changes);
  listed = list_and_wait (outbox);
  g_assert_cmpuint (listed->len, ==, n);
  g_clear_pointer (&listed, g_ptr_array_unref);

  for (guint i = 0; i < gone; i++)
    {
      g_assert_true (postier_outbox_remove (outbox, ids->pdata[i], &error));
      g_assert_no_error (error);
    }
  while (g_main_context_iteration (NULL, FALSE))
    ;
  listed = list_and_wait (outbox);
  g_assert_cmpuint (listed->len, ==, n - gone);

  /* The last entry was past the first 256 listed. */
  changes = 0;
  ini = g_build_filename (dir, ids->pdata[n - 1], "entry.ini", NULL);
  g_assert_true (g_file_get_contents (ini, &contents, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (ini, contents, -1, &error));
  g_assert_no_error (error);
  g_assert_true (changed_within (&changes, 10));
}

int
main (int   argc,
      char *argv[])
{
  postier_test_init (&argc, &argv);

  g_test_add_func ("/outbox/watch/changed-and-listed", test_changed_and_listed);
  g_test_add_func ("/outbox/watch/listing-says-held", test_listing_says_held);
  g_test_add_func ("/outbox/watch/unchanged-entries-kept", test_unchanged_entries_kept);
  g_test_add_func ("/outbox/watch/large-listing", test_large_listing);
  g_test_add_func ("/outbox/watch/room-follows-listing", test_watch_room_follows_listing);
  g_test_add_func ("/sent-store/watch/changed", test_sent_store_changed);

  return g_test_run ();
}
