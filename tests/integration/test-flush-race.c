/* test-flush-race.c — mail queued while another process flushes is never
 * stranded, and nothing is sent twice
 *
 * `postierctl queue flush` sends 500 messages to the rig's Postfix. While
 * it holds the flush lock, this process queues more, one by one, and after
 * each tries a flush of its own, as `postierctl send` does; finding the
 * lock busy, it leaves them to the running flusher. Once that flusher has
 * exited the outbox must be empty without anything else being run, and
 * every Message-ID must be in the rig's Maildir exactly once.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "postier-core.h"
#include "postier-test.h"

#define N_FIRST 500
#define N_LATE  20

static char *
message_id (const char *tag,
            guint       n)
{
  return g_strdup_printf ("<%s-%u@race.postier.test>", tag, n);
}

static void
enqueue (PostierOutbox *outbox,
         const char    *tag,
         guint          n)
{
  g_autoptr(PostierEnvelope) envelope = postier_envelope_new ("alice@localhost");
  g_autofree char *mid = message_id (tag, n);
  g_autofree char *id = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  char *text;

  text = g_strdup_printf ("From: Alice <alice@localhost>\r\nTo: race@example.org\r\n"
                          "Subject: race %u\r\nMessage-ID: %s\r\n"
                          "Date: Sat, 05 Dec 2026 10:00:00 +0000\r\n\r\nMessage %u.\r\n",
                          n, mid, n);
  postier_envelope_add_recipient (envelope, "race@example.org");
  bytes = g_bytes_new_take (text, strlen (text));
  id = postier_outbox_enqueue_bytes (outbox, "Rig", envelope, bytes, NULL, &error);
  g_assert_no_error (error);
}

/* Entries in the outbox folder, without reading them. */
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

typedef struct {
  const char *needle;
  GHashTable *counts;
  guint       total;
} Arrivals;

static void
count_arrival (G_GNUC_UNUSED const char *path,
               const char               *contents,
               G_GNUC_UNUSED gsize       length,
               gpointer                  data)
{
  Arrivals *arrivals = data;
  const char *at = strstr (contents, arrivals->needle);
  const char *end;
  char *key;

  if (at == NULL)
    return;
  at += strlen ("Message-ID: ");
  end = strchr (at, '>');
  g_assert_nonnull (end);
  key = g_strndup (at, end + 1 - at);
  g_hash_table_insert (arrivals->counts, key,
                       GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (arrivals->counts, key)) + 1));
  arrivals->total++;
}

/* How many times each of our Message-IDs arrived (one pass over the
 * Maildir); returns the total. */
static guint
count_arrivals (const char *tag,
                GHashTable *counts)
{
  g_autofree char *needle = g_strdup_printf ("Message-ID: <%s-", tag);
  Arrivals arrivals = { needle, counts, 0 };

  g_hash_table_remove_all (counts);
  postier_test_maildir_foreach (count_arrival, &arrivals);
  return arrivals.total;
}

static void
test_enqueue_while_flushing (void)
{
  g_autoptr(PostierAccountStore) store = postier_test_add_rig_account ("Rig", 0, NULL);
  g_autoptr(PostierOutbox) outbox = NULL;
  g_autoptr(PostierSubmitter) late_sender = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) flusher = NULL;
  g_autoptr(GHashTable) counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) left = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *tag = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  guint busy = 0;
  guint arrived = 0;

  if (store == NULL)
    return;
  outbox = postier_outbox_new (NULL);
  tag = g_strdup_printf ("race%d-%" G_GINT64_FORMAT, getpid (), g_get_real_time ());
  for (guint i = 0; i < N_FIRST; i++)
    enqueue (outbox, tag, i);

  launcher = postier_test_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  flusher = postier_test_launcher_spawn_ctl (launcher, "queue", "flush", NULL);

  /* Once it is sending, queue more, each followed by a try of our own. */
  while (count_entries (outbox) >= N_FIRST && g_subprocess_get_identifier (flusher) != NULL)
    g_usleep (5 * 1000);
  late_sender = postier_submitter_new (outbox, store);
  for (guint i = 0; i < N_LATE; i++)
    {
      g_autoptr(GError) flush_error = NULL;

      enqueue (outbox, tag, N_FIRST + i);
      if (!postier_submitter_flush_sync (late_sender, NULL, NULL, &flush_error))
        {
          g_assert_error (flush_error, POSTIER_OUTBOX_ERROR, POSTIER_OUTBOX_ERROR_BUSY);
          busy++;
        }
    }
  g_test_message ("%u of %u late messages found the flusher busy", busy, N_LATE);
  /* The case this test is about did happen. */
  g_assert_cmpuint (busy, >, 0);

  g_assert_true (g_subprocess_communicate_utf8 (flusher, NULL, NULL, &out, &err, &error));
  g_assert_no_error (error);
  g_test_message ("flush: %s%s", out, err);
  g_assert_cmpint (g_subprocess_get_exit_status (flusher), ==, 0);

  /* Nothing left behind, and nobody else flushed after it. */
  left = postier_outbox_list (outbox, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (left->len, ==, 0);

  /* Postfix delivers to the Maildir on its own time: wait for them all. */
  for (guint tries = 0; tries < 600; tries++)
    {
      arrived = count_arrivals (tag, counts);
      if (arrived >= N_FIRST + N_LATE)
        break;
      g_usleep (100 * 1000);
    }
  g_assert_cmpuint (g_hash_table_size (counts), ==, N_FIRST + N_LATE);
  for (guint i = 0; i < N_FIRST + N_LATE; i++)
    {
      g_autofree char *mid = message_id (tag, i);
      g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (counts, mid)), ==, 1);
    }
  g_assert_cmpuint (arrived, ==, N_FIRST + N_LATE);
}

int
main (int   argc,
      char *argv[])
{
  postier_test_init (&argc, &argv);

  g_test_add_func ("/flush-race/enqueue-while-flushing", test_enqueue_while_flushing);

  return g_test_run ();
}
