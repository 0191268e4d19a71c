/* test-crash.c — a flusher killed at random moments loses nothing
 *
 * `postierctl queue flush` is sent SIGKILL again and again while it empties
 * an outbox into the rig's Postfix, then runs to the end. Every message
 * must have reached the Maildir at least once, the outbox must be empty,
 * and a message that arrived twice must be one whose Sent copy says it was
 * a possible duplicate: the person was told. After each kill, the messages
 * that already arrived but are still in the outbox (each will arrive once
 * more) are counted: one crash must not cause more duplicates than the
 * bound docs/design-notes.md states ("Durability and duplicates"), nor
 * leave more entries marked "sending" (to be flagged possible duplicate)
 * than the marking window allows. Both bounds are the send pipeline's own
 * constants.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "postier-core.h"
#include "postier-send-pipeline-private.h"
#include "postier-test.h"

#define N_MESSAGES 200
/* Under AddressSanitizer every flusher starts several times slower: a
 * dozen kills still land in each phase (the plain build does thirty). */
#if defined(__SANITIZE_ADDRESS__)
#define N_KILLS 12
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define N_KILLS 12
#endif
#endif
#ifndef N_KILLS
#define N_KILLS 30
#endif
/* The worst one crash can do (docs/design-notes.md, "Durability and
 * duplicates"): POSTIER_SEND_MAX_UNSETTLED entries sent and not yet
 * settled, plus the one whose end of data went out and was not answered
 * yet; and those plus POSTIER_SEND_MARK_AHEAD entries left marked. */
#define MAX_DUPLICATES_PER_CRASH POSTIER_SEND_MAX_DUPLICATES_PER_CRASH
#define MAX_FLAGGED_PER_CRASH    POSTIER_SEND_MAX_FLAGGED_PER_CRASH

static char *
message_id (const char *tag,
            guint       n)
{
  return g_strdup_printf ("<%u.%s@crash.postier.test>", n, tag);
}

static void
enqueue (PostierOutbox *outbox,
         const char    *tag,
         guint          n)
{
  g_autoptr(PostierEnvelope) envelope = postier_envelope_new ("alice@localhost");
  g_autofree char *mid = message_id (tag, n);
  g_autofree char *text = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *padding = g_strnfill (40 * 1024, 'x');  /* long enough to be killed mid-data */

  text = g_strdup_printf ("From: Alice <alice@localhost>\r\nTo: crash@example.org\r\n"
                          "Subject: crash %u\r\nMessage-ID: %s\r\n"
                          "Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n\r\n"
                          "Message %u.\r\n%s\r\n", n, mid, n, padding);
  postier_envelope_add_recipient (envelope, "crash@example.org");
  bytes = g_bytes_new_take (text, strlen (text));
  text = NULL;
  id = postier_outbox_enqueue_bytes (outbox, "Rig", envelope, bytes, NULL, &error);
  g_assert_no_error (error);
}

static GSubprocess *
spawn_flush (void)
{
  g_autoptr(GSubprocessLauncher) launcher = postier_test_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                                                      G_SUBPROCESS_FLAGS_STDERR_SILENCE);

  return postier_test_launcher_spawn_ctl (launcher, "queue", "flush", NULL);
}

/* Entries in OUTBOX (hidden names are work in progress). */
static guint
count_entries (PostierOutbox *outbox)
{
  g_autoptr(GDir) dir = g_dir_open (postier_outbox_get_dir (outbox), 0, NULL);
  const char *name;
  guint n = 0;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (name[0] != '.')
      n++;
  return n;
}

/* Waits until FLUSHER has settled a first entry (or ended, or 20 s
 * passed): it is past its start-up and the pipeline's windows are full. */
static void
wait_first_settled (GSubprocess   *flusher,
                    PostierOutbox *outbox,
                    guint          entries_before)
{
  for (guint wait = 0; wait < 10000 && count_entries (outbox) >= entries_before; wait++)
    {
      if (g_subprocess_get_identifier (flusher) == NULL)
        return;
      g_usleep (2 * 1000);
    }
}

/* Copies of message N in the rig Maildir. */
static guint
delivered (const char *tag,
           guint       n)
{
  g_autofree char *mid = message_id (tag, n);
  g_autofree char *needle = g_strdup_printf ("Message-ID: %s", mid);

  return postier_test_maildir_count (needle);
}

/* Whether a Sent copy of message N says it may be a duplicate. */
static gboolean
sent_copy_flagged (const char *tag,
                   guint       n)
{
  g_autoptr(PostierSentStore) sent = postier_sent_store_new (NULL);
  g_autofree char *dir_path = g_build_filename (postier_sent_store_get_dir (sent), "new", NULL);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  g_autofree char *mid = message_id (tag, n);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir_path, name, NULL);
      g_autofree char *contents = NULL;
      char *end_of_headers;

      if (!g_file_get_contents (path, &contents, NULL, NULL) || strstr (contents, mid) == NULL)
        continue;
      end_of_headers = strstr (contents, "\n\n");
      if (end_of_headers != NULL)
        *end_of_headers = '\0';
      if (strstr (contents, POSTIER_SENT_HEADER ":") != NULL &&
          strstr (contents, "possible-duplicate") != NULL)
        return TRUE;
    }
  return FALSE;
}

/* The text of every Sent copy (new/ and cur/), read once. */
static GPtrArray *
read_sent_copies (void)
{
  g_autoptr(PostierSentStore) sent = postier_sent_store_new (NULL);
  GPtrArray *copies = g_ptr_array_new_with_free_func (g_free);
  const char *folders[] = { "new", "cur" };

  for (guint f = 0; f < G_N_ELEMENTS (folders); f++)
    {
      g_autofree char *dir_path = g_build_filename (postier_sent_store_get_dir (sent), folders[f], NULL);
      g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *path = g_build_filename (dir_path, name, NULL);
          char *contents = NULL;

          if (g_file_get_contents (path, &contents, NULL, NULL))
            g_ptr_array_add (copies, contents);
        }
    }
  return copies;
}

/* Waits until the rig's Postfix has delivered all it took. */
static void
wait_postfix_idle (void)
{
  const char *queues[] = { "maildrop", "incoming", "active", "deferred", "hold" };
  const char *postfix = g_getenv ("POSTIER_TEST_POSTFIX_DIR");

  for (guint wait = 0; wait < 3000; wait++)
    {
      guint n = 0;

      for (guint i = 0; i < G_N_ELEMENTS (queues); i++)
        {
          g_autofree char *dir = g_build_filename (postfix, "queue", queues[i], NULL);
          g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
          const char *name;

          while (handle != NULL && (name = g_dir_read_name (handle)) != NULL)
            {
              g_autofree char *path = g_build_filename (dir, name, NULL);
              g_autoptr(GDir) sub = g_file_test (path, G_FILE_TEST_IS_DIR) ? g_dir_open (path, 0, NULL) : NULL;

              if (sub == NULL || g_dir_read_name (sub) != NULL)
                n++;
            }
        }
      if (n == 0)
        return;
      g_usleep (10 * 1000);
    }
  g_test_fail_printf ("the rig's Postfix did not empty its queue in 30 s");
}

typedef struct {
  const char *needle;
  guint      *arrived;
} Arrivals;

static void
count_arrival (G_GNUC_UNUSED const char *path,
               const char               *contents,
               G_GNUC_UNUSED gsize       length,
               gpointer                  data)
{
  Arrivals *arrivals = data;
  const char *mid, *end = strstr (contents, arrivals->needle);
  guint n;

  if (end == NULL)
    return;
  for (mid = end; mid > contents && mid[-1] != '<'; mid--)
    ;
  n = (guint) g_ascii_strtoull (mid, NULL, 10);
  if (n < N_MESSAGES)
    arrivals->arrived[n]++;
}

/* Copies in the rig Maildir of each message (by number), for this TAG:
 * one pass for all of them. */
static void
count_arrivals (const char *tag,
                guint      *arrived)
{
  g_autofree char *needle = g_strdup_printf (".%s@crash.postier.test>", tag);
  Arrivals arrivals = { needle, arrived };

  memset (arrived, 0, N_MESSAGES * sizeof (guint));
  postier_test_maildir_foreach (count_arrival, &arrivals);
}

static void
test_kill_flusher (void)
{
  g_autoptr(PostierAccountStore) store = NULL;
  g_autoptr(PostierOutbox) outbox = NULL;
  g_autoptr(GPtrArray) left = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *tag = NULL;
  guint kills = 0, duplicates = 0, flagged = 0, worst = 0, worst_marked = 0;
  g_autoptr(GPtrArray) sent_copies = NULL;
  guint arrived[N_MESSAGES], counted[N_MESSAGES] = { 0 };
  int status;

  if (postier_test_rig ("MAILDIR") == NULL || postier_test_rig ("SUBMISSION_PORT") == NULL ||
      postier_test_rig ("KEYRING") == NULL)
    return;

  tag = g_strdup_printf ("%d.%" G_GINT64_FORMAT, getpid (), g_get_real_time ());
  store = postier_test_add_rig_account ("Rig", 0, NULL);
  if (store == NULL)
    return;

  outbox = postier_outbox_new (NULL);
  for (guint i = 0; i < N_MESSAGES; i++)
    enqueue (outbox, tag, i);

  for (guint round = 0; round < N_KILLS; round++)
    {
      guint entries_before = count_entries (outbox);
      g_autoptr(GSubprocess) flusher = spawn_flush ();
      g_autoptr(GPtrArray) entries = NULL;

      /* Anywhere from before the connection to deep in the batch: on a
       * busy machine start-up alone can outlast 200 ms, so every other
       * kill counts from the flusher's first settled entry, when the
       * windows that bound a crash's harm are full. */
      if (round % 2 == 1)
        wait_first_settled (flusher, outbox, entries_before);
      g_usleep (g_test_rand_int_range (20, 200) * 1000);
      g_subprocess_send_signal (flusher, SIGKILL);
      g_subprocess_wait (flusher, NULL, NULL);
      if (g_subprocess_get_if_signaled (flusher))
        kills++;

      entries = postier_outbox_list (outbox, &error);
      g_assert_no_error (error);
      if (entries->len == 0)
        break;

      /* Left marked "sending": the next flusher flags them. */
      {
        guint marked = 0;

        for (guint i = 0; i < entries->len; i++)
          if (postier_outbox_entry_get_state (g_ptr_array_index (entries, i)) == POSTIER_OUTBOX_STATE_SENDING)
            marked++;
        worst_marked = MAX (worst_marked, marked);
        g_assert_cmpuint (marked, <=, MAX_FLAGGED_PER_CRASH);
      }

      /* Arrived, yet still in the outbox: this crash's duplicates. */
      {
        guint crash_duplicates = 0;

        wait_postfix_idle ();
        count_arrivals (tag, arrived);
        for (guint i = 0; i < entries->len; i++)
          {
            const char *mid = postier_outbox_entry_get_message_id (g_ptr_array_index (entries, i));
            guint n = mid != NULL ? (guint) g_ascii_strtoull (mid + (*mid == '<'), NULL, 10) : N_MESSAGES;

            if (n < N_MESSAGES && arrived[n] > counted[n])
              {
                crash_duplicates += arrived[n] - counted[n];
                counted[n] = arrived[n];
              }
          }
        worst = MAX (worst, crash_duplicates);
        g_assert_cmpuint (crash_duplicates, <=, MAX_DUPLICATES_PER_CRASH);
      }
    }
  g_test_message ("%u flushers killed; at most %u duplicates from one kill (bound %u), "
                  "at most %u entries left marked (bound %u)",
                  kills, worst, MAX_DUPLICATES_PER_CRASH, worst_marked, MAX_FLAGGED_PER_CRASH);
  g_assert_cmpuint (kills, >, 0);

  /* The last flusher runs to the end. A killed session may have left the
   * relay busy for a moment, so an entry can be deferred by a real 4xx or
   * timeout: that is the delivery rules working, not a loss. Such entries
   * are made due (as the network returning would) and flushed again. */
  for (guint pass = 0; pass < 5; pass++)
    {
      const char *args[] = { "queue", "flush", NULL };
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;

      g_clear_pointer (&left, g_ptr_array_unref);
      status = postier_test_run_ctlv (NULL, NULL, 0, &out, &err, args);
      left = postier_outbox_list (outbox, &error);
      g_assert_no_error (error);
      if (status == 0 && left->len == 0)
        break;
      for (guint i = 0; i < left->len; i++)
        {
          PostierOutboxEntry *entry = g_ptr_array_index (left, i);
          g_test_message ("pass %u left %s: %s, %s", pass, postier_outbox_entry_get_id (entry),
                          postier_outbox_state_to_string (postier_outbox_entry_get_state (entry)),
                          postier_outbox_entry_get_last_error (entry));
          g_assert_cmpint (postier_outbox_entry_get_state (entry), ==, POSTIER_OUTBOX_STATE_DEFERRED);
        }
      postier_outbox_make_deferred_due (outbox, NULL);
    }
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpuint (left->len, ==, 0);

  /* One pass over the Maildir for all of them: late in the suite it holds
   * thousands of the run's messages, and a pass per message was most of
   * this test's time. */
  for (guint wait = 0; wait < 300; wait++)
    {
      guint missing = 0;

      count_arrivals (tag, arrived);
      for (guint i = 0; i < N_MESSAGES; i++)
        missing += arrived[i] == 0;
      if (missing == 0)
        break;
      g_usleep (100 * 1000);
    }
  for (guint i = 0; i < N_MESSAGES; i++)
    {
      guint copies = arrived[i];

      if (copies == 0)
        g_test_fail_printf ("message %u was lost", i);
      if (copies > 1)
        {
          duplicates++;
          if (sent_copy_flagged (tag, i))
            flagged++;
          else
            g_test_fail_printf ("message %u arrived %u times without being marked a possible duplicate",
                                i, copies);
        }
    }
  g_test_message ("%u of %u messages arrived twice, every one marked possible duplicate",
                  duplicates, N_MESSAGES);

  /* A kill while sent entries waited, set aside, for their Sent copies'
   * commit: recovery wrote those copies again. Every message has one. */
  sent_copies = read_sent_copies ();
  for (guint i = 0; i < N_MESSAGES; i++)
    {
      g_autofree char *mid = message_id (tag, i);
      gboolean found = FALSE;

      for (guint c = 0; c < sent_copies->len && !found; c++)
        found = strstr (g_ptr_array_index (sent_copies, c), mid) != NULL;
      if (!found)
        g_test_fail_printf ("message %u arrived but has no Sent copy", i);
    }

  /* Committed messages kept to write copies over (spare-*, in the Sent
   * store's tmp/): a killed flusher's go at the next recovery, a finished
   * flush's at its end. None is left now. */
  {
    g_autoptr(PostierSentStore) sent = postier_sent_store_new (NULL);
    g_autofree char *tmp_dir = g_build_filename (postier_sent_store_get_dir (sent), "tmp", NULL);
    g_autoptr(GDir) dir = g_dir_open (tmp_dir, 0, NULL);
    const char *name;

    while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
      if (g_str_has_prefix (name, "spare-"))
        g_test_fail_printf ("a spare was left in the Sent store: %s", name);
  }

  /* A power cut while a sent entry waited aside for its copy's commit:
   * the folder .sent-COPY is there, the copy empty. The next flush writes
   * the copy again from the entry's message, under the same name, and
   * sends nothing. */
  {
    g_autoptr(PostierSentStore) sent = postier_sent_store_new (NULL);
    g_autoptr(GPtrArray) queued = NULL;
    const char *copy = "1741000000.M000001P1R00000001.power-cut";
    g_autofree char *new_dir = g_build_filename (postier_sent_store_get_dir (sent), "new", NULL);
    g_autofree char *copy_path = g_build_filename (new_dir, copy, NULL);
    g_autofree char *aside = g_strdup_printf ("%s/.sent-%s", postier_outbox_get_dir (outbox), copy);
    g_autofree char *mid = message_id (tag, N_MESSAGES);
    g_autofree char *text = NULL;
    const char *args[] = { "queue", "flush", NULL };

    enqueue (outbox, tag, N_MESSAGES);
    queued = postier_outbox_list (outbox, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (queued->len, ==, 1);
    g_assert_cmpint (g_rename (postier_outbox_entry_get_path (g_ptr_array_index (queued, 0)), aside), ==, 0);
    g_mkdir_with_parents (new_dir, 0700);
    g_file_set_contents (copy_path, "", 0, &error);
    g_assert_no_error (error);

    g_assert_cmpint (postier_test_run_ctlv (NULL, NULL, 0, NULL, NULL, args), ==, 0);
    g_assert_false (g_file_test (aside, G_FILE_TEST_EXISTS));
    g_file_get_contents (copy_path, &text, NULL, &error);
    g_assert_no_error (error);
    g_assert_nonnull (strstr (text, mid));
    wait_postfix_idle ();
    g_assert_cmpuint (delivered (tag, N_MESSAGES), ==, 0);
  }
  g_assert_cmpuint (flagged, ==, duplicates);
}

int
main (int   argc,
      char *argv[])
{
  postier_test_init (&argc, &argv);
  g_test_add_func ("/outbox/crash/kill-flusher-at-random", test_kill_flusher);
  return g_test_run ();
}
