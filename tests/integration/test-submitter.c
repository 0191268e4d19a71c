/* test-submitter.c — the outbox emptied into the rig's real Postfix
 *
 * The delivery rules as a person sees them: a batch goes over one
 * connection and arrives once; a dead server leaves mail deferred until it
 * is back; 4xx defers, 5xx fails with the server's words; a refused
 * recipient does not cost the others a copy, not even on retry; a refused
 * password waits for the person; nothing is tried while offline and all is
 * sent when the network returns; no password lands in a file.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "postier-core.h"
#include "postier-test.h"

/* The keyring is shared by the test programs that run in parallel; this
 * file stores a wrong password on purpose, so its account has a name no
 * other test uses. */
#define RIG_ACCOUNT "Rig-submitter"

typedef struct {
  PostierAccountStore *store;
  PostierOutbox       *outbox;
  PostierSubmitter    *submitter;
  char                *tag;        /* in every Message-ID of this test */
  guint                counter;
} Fixture;

static guint
submission_port (void)
{
  return (guint) g_ascii_strtoull (postier_test_rig ("SUBMISSION_PORT"), NULL, 10);
}

static gboolean
fixture_set_up (Fixture    *f,
                guint       port,
                const char *password)
{
  if (postier_test_rig ("MAILDIR") == NULL)
    return FALSE;
  f->store = postier_test_add_rig_account (RIG_ACCOUNT, port, password);
  if (f->store == NULL)
    return FALSE;
  f->tag = g_strdup_printf ("%d.%" G_GINT64_FORMAT, getpid (), g_get_real_time ());
  f->outbox = postier_outbox_new (NULL);
  f->submitter = postier_submitter_new (f->outbox, f->store);
  return TRUE;
}

static void
fixture_tear_down (Fixture *f)
{
  g_clear_object (&f->submitter);
  g_clear_object (&f->outbox);
  g_clear_object (&f->store);
  g_clear_pointer (&f->tag, g_free);
}

static char *
message_id (Fixture *f,
            guint    n)
{
  return g_strdup_printf ("<%u.%s@postier.test>", n, f->tag);
}

/* Queues message number N (of this test) for the recipients; returns its id. */
static char *
enqueue (Fixture            *f,
         guint               n,
         const char * const *recipients)
{
  g_autoptr(PostierEnvelope) envelope = postier_envelope_new ("alice@localhost");
  g_autofree char *mid = message_id (f, n);
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  char *id;

  g_string_append (text, "From: Alice <alice@localhost>\r\n");
  g_string_append_printf (text, "To: %s\r\n", recipients[0]);
  g_string_append_printf (text, "Subject: Outbox test %u\r\n", n);
  g_string_append_printf (text, "Message-ID: %s\r\n", mid);
  g_string_append (text, "Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n");
  g_string_append (text, "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n");
  g_string_append_printf (text, "Message %u of the outbox test.\r\n.leading dot\r\n", n);
  for (guint i = 0; recipients[i] != NULL; i++)
    postier_envelope_add_recipient (envelope, recipients[i]);

  bytes = g_string_free_to_bytes (g_steal_pointer (&text));
  id = postier_outbox_enqueue_bytes (f->outbox, RIG_ACCOUNT, envelope, bytes, NULL, &error);
  g_assert_no_error (error);
  return id;
}

static char *
enqueue_to (Fixture    *f,
            guint       n,
            const char *recipient)
{
  const char *recipients[] = { recipient, NULL };
  return enqueue (f, n, recipients);
}

typedef struct {
  const char *needle_id;
  const char *needle_to;
  guint       count;
} Copies;

static void
count_copy (G_GNUC_UNUSED const char *path,
            const char               *contents,
            G_GNUC_UNUSED gsize       length,
            gpointer                  data)
{
  Copies *copies = data;

  if (strstr (contents, copies->needle_id) != NULL &&
      (copies->needle_to == NULL || strstr (contents, copies->needle_to) != NULL))
    copies->count++;
}

/* Copies of message N in the rig Maildir, for one recipient or all. */
static guint
copies (Fixture    *f,
        guint       n,
        const char *recipient)
{
  g_autofree char *mid = message_id (f, n);
  g_autofree char *needle_id = g_strdup_printf ("Message-ID: %s", mid);
  g_autofree char *needle_to = recipient != NULL ? g_strdup_printf ("Delivered-To: %s", recipient) : NULL;
  Copies copies = { needle_id, needle_to, 0 };

  postier_test_maildir_foreach (count_copy, &copies);
  return copies.count;
}

/* Postfix delivers after it answered: wait (bounded) for the copies. */
static guint
wait_copies (Fixture    *f,
             guint       n,
             const char *recipient,
             guint       expected)
{
  guint count = 0;

  for (guint i = 0; i < 100; i++)
    {
      count = copies (f, n, recipient);
      if (count >= expected)
        break;
      g_usleep (100 * 1000);
    }
  return count;
}

typedef struct {
  const char *suffix;
  guint       n;
  guint      *counts;
} Each;

static void
count_one (G_GNUC_UNUSED const char *path,
           const char               *contents,
           G_GNUC_UNUSED gsize       length,
           gpointer                  data)
{
  Each *each = data;
  const char *id = strstr (contents, "Message-ID: <");
  char *end;
  guint64 number;

  if (id == NULL)
    return;
  id += strlen ("Message-ID: <");
  number = g_ascii_strtoull (id, &end, 10);
  if (end != id && number < each->n && g_str_has_prefix (end, each->suffix))
    each->counts[number]++;
}

/* Copies of each of this test's messages 0..N-1 in the rig Maildir, in one
 * pass: late in the suite the Maildir holds thousands of the run's
 * messages, and a pass per message (wait_copies) took 70 s under ASan. */
static void
count_each (Fixture *f,
            guint    n,
            guint   *counts)
{
  g_autofree char *suffix = g_strdup_printf (".%s@postier.test>", f->tag);
  Each each = { suffix, n, counts };

  memset (counts, 0, n * sizeof *counts);
  postier_test_maildir_foreach (count_one, &each);
}

/* Waits (bounded) until each of messages 0..N-1 has arrived at least once. */
static void
wait_each (Fixture *f,
           guint    n,
           guint   *counts)
{
  for (guint tries = 0; tries < 300; tries++)
    {
      guint missing = 0;

      count_each (f, n, counts);
      for (guint i = 0; i < n; i++)
        missing += counts[i] == 0;
      if (missing == 0)
        return;
      g_usleep (100 * 1000);
    }
}

static PostierOutboxEntry *
lookup (Fixture    *f,
        const char *id)
{
  g_autoptr(GError) error = NULL;
  PostierOutboxEntry *entry = postier_outbox_lookup (f->outbox, id, &error);

  g_assert_no_error (error);
  return entry;
}

static gboolean
gone (Fixture    *f,
      const char *id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PostierOutboxEntry) entry = postier_outbox_lookup (f->outbox, id, &error);

  return entry == NULL && g_error_matches (error, POSTIER_OUTBOX_ERROR, POSTIER_OUTBOX_ERROR_NOT_FOUND);
}

static void
test_batch_one_connection (void)
{
  Fixture f = { 0 };
  enum { N = 200 };
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *suffix = NULL;
  g_autoptr(PostierSentStore) sent = NULL;
  PostierFlushStats stats = { 0 };
  const char *argv[] = { "/usr/bin/python3", NULL, NULL, NULL, NULL };
  g_autofree char *script = NULL;
  guint sessions = 0, taken = 0;
  guint counts[N];

  if (!fixture_set_up (&f, submission_port (), NULL))
    return;

  for (guint i = 0; i < N; i++)
    g_ptr_array_add (ids, enqueue_to (&f, i, "batch@example.org"));

  g_assert_true (postier_submitter_flush_sync (f.submitter, &stats, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.attempted, ==, N);
  g_assert_cmpuint (stats.sent, ==, N);
  g_assert_cmpuint (stats.connections, ==, 1);

  for (guint i = 0; i < N; i++)
    g_assert_true (gone (&f, ids->pdata[i]));
  wait_each (&f, N, counts);
  for (guint i = 0; i < N; i++)
    g_assert_cmpuint (counts[i], ==, 1);

  /* Postfix's own log agrees: one session carried all of them. */
  script = g_build_filename (g_getenv ("POSTIER_SOURCE_ROOT"), "tests", "rig", "maillog-sessions.py", NULL);
  suffix = g_strdup_printf (".%s@postier.test", f.tag);
  argv[1] = script;
  argv[2] = postier_test_rig ("MAILLOG");
  argv[3] = suffix;
  g_assert_cmpint (postier_test_run_program (NULL, NULL, &out, NULL, argv), ==, 0);
  g_assert_cmpint (sscanf (out, "%u %u", &sessions, &taken), ==, 2);
  g_assert_cmpuint (taken, ==, N);
  g_assert_cmpuint (sessions, ==, 1);

  /* And each has its copy in Sent. */
  sent = postier_sent_store_new (NULL);
  {
    g_autofree char *new_dir = g_build_filename (postier_sent_store_get_dir (sent), "new", NULL);
    g_autoptr(GDir) dir = g_dir_open (new_dir, 0, NULL);
    guint n = 0;

    g_assert_nonnull (dir);
    while (g_dir_read_name (dir) != NULL)
      n++;
    g_assert_cmpuint (n, ==, N);
  }
  fixture_tear_down (&f);
}

static void
test_server_down_then_up (void)
{
  Fixture f = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(PostierOutboxEntry) entry = NULL;
  g_autoptr(PostierAccount) fixed = NULL;
  g_autofree char *id = NULL;
  PostierFlushStats stats = { 0 };
  gint64 now;

  if (!fixture_set_up (&f, postier_test_dead_port (), NULL))
    return;

  id = enqueue_to (&f, 1, "down@example.org");
  now = g_get_real_time () / G_USEC_PER_SEC;
  g_assert_false (postier_submitter_flush_sync (f.submitter, &stats, NULL, &error));
  g_assert_error (error, POSTIER_OUTBOX_ERROR, POSTIER_OUTBOX_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_cmpuint (stats.deferred, ==, 1);

  entry = lookup (&f, id);
  g_assert_cmpint (postier_outbox_entry_get_state (entry), ==, POSTIER_OUTBOX_STATE_DEFERRED);
  g_assert_cmpint (postier_outbox_entry_get_next_attempt (entry), >=, now + 60);
  g_assert_cmpint (postier_outbox_entry_get_next_attempt (entry), <=, now + 60 + 6 + 2);
  g_assert_nonnull (postier_outbox_entry_get_last_error (entry));
  g_clear_object (&entry);

  /* Not due yet: a flush now leaves it alone. */
  g_assert_true (postier_submitter_flush_sync (f.submitter, &stats, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.attempted, ==, 0);

  /* The server comes back (the account points at it), and the network
   * coming back makes deferred mail due. */
  fixed = postier_test_rig_account (RIG_ACCOUNT, 0);
  g_assert_true (postier_account_store_replace (f.store, fixed, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (postier_outbox_make_deferred_due (f.outbox, &error), ==, 1);
  g_assert_true (postier_submitter_flush_sync (f.submitter, &stats, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.sent, ==, 1);
  g_assert_true (gone (&f, id));
  g_assert_cmpuint (wait_copies (&f, 1, NULL, 1), ==, 1);
  fixture_tear_down (&f);
}

static void
test_temporary_refusal_defers (void)
{
  Fixture f = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(PostierOutboxEntry) entry = NULL;
  g_autofree char *id = NULL;

  if (!fixture_set_up (&f, submission_port (), NULL))
    return;

  id = enqueue_to (&f, 1, "tempfail@example.org");
  g_assert_false (postier_submitter_flush_sync (f.submitter, NULL, NULL, &error));
  g_clear_error (&error);
  entry = lookup (&f, id);
  g_assert_cmpint (postier_outbox_entry_get_state (entry), ==, POSTIER_OUTBOX_STATE_DEFERRED);
  g_assert_cmpint (postier_outbox_entry_get_recipient_state (entry, 0), ==, POSTIER_RECIPIENT_STATE_DEFERRED);
  g_assert_nonnull (strstr (postier_outbox_entry_get_last_error (entry), "temporarily refused by the test rig"));
  fixture_tear_down (&f);
}

static void
test_permanent_refusal_fails (void)
{
  Fixture f = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(PostierOutboxEntry) entry = NULL;
  g_autofree char *id = NULL;
  PostierFlushStats stats = { 0 };

  if (!fixture_set_up (&f, submission_port (), NULL))
    return;

  id = enqueue_to (&f, 1, "refuse@example.org");
  g_assert_false (postier_submitter_flush_sync (f.submitter, &stats, NULL, &error));
  g_clear_error (&error);
  g_assert_cmpuint (stats.failed, ==, 1);
  entry = lookup (&f, id);
  g_assert_cmpint (postier_outbox_entry_get_state (entry), ==, POSTIER_OUTBOX_STATE_FAILED);
  g_assert_nonnull (strstr (postier_outbox_entry_get_last_error (entry), "550"));
  g_assert_nonnull (strstr (postier_outbox_entry_get_last_error (entry), "Recipient refused by the test rig"));
  /* Failed waits for the person: the next flush leaves it alone. */
  g_assert_true (postier_submitter_flush_sync (f.submitter, &stats, NULL, &error));
  g_assert_cmpuint (stats.attempted, ==, 0);
  fixture_tear_down (&f);
}

static void
test_partial_recipients (void)
{
  Fixture f = { 0 };
  const char *recipients[] = { "ann@example.org", "refuse-bob@example.org", "cid@example.org", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(PostierOutboxEntry) entry = NULL;
  g_autoptr(PostierOutboxEntry) again = NULL;
  g_autofree char *id = NULL;

  if (!fixture_set_up (&f, submission_port (), NULL))
    return;

  id = enqueue (&f, 1, recipients);
  g_assert_false (postier_submitter_flush_sync (f.submitter, NULL, NULL, &error));
  g_clear_error (&error);

  entry = lookup (&f, id);
  g_assert_cmpint (postier_outbox_entry_get_state (entry), ==, POSTIER_OUTBOX_STATE_FAILED);
  g_assert_cmpint (postier_outbox_entry_get_recipient_state (entry, 0), ==, POSTIER_RECIPIENT_STATE_ACCEPTED);
  g_assert_cmpint (postier_outbox_entry_get_recipient_state (entry, 1), ==, POSTIER_RECIPIENT_STATE_REFUSED);
  g_assert_cmpint (postier_outbox_entry_get_recipient_state (entry, 2), ==, POSTIER_RECIPIENT_STATE_ACCEPTED);
  g_assert_nonnull (strstr (postier_outbox_entry_get_recipient_reply (entry, 1), "550"));
  g_assert_nonnull (strstr (postier_outbox_entry_get_last_error (entry), "1 of 3"));
  g_assert_cmpuint (wait_copies (&f, 1, "ann@example.org", 1), ==, 1);
  g_assert_cmpuint (wait_copies (&f, 1, "cid@example.org", 1), ==, 1);

  /* The person retries: only the refused one is asked again. */
  g_assert_true (postier_outbox_retry (f.outbox, id, &error));
  g_assert_no_error (error);
  g_assert_false (postier_submitter_flush_sync (f.submitter, NULL, NULL, &error));
  g_clear_error (&error);
  again = lookup (&f, id);
  g_assert_cmpint (postier_outbox_entry_get_state (again), ==, POSTIER_OUTBOX_STATE_FAILED);
  /* A retry starts a new series; this is its first attempt. */
  g_assert_cmpuint (postier_outbox_entry_get_attempts (again), ==, 1);
  g_assert_cmpint (postier_outbox_entry_get_recipient_state (again, 0), ==, POSTIER_RECIPIENT_STATE_ACCEPTED);
  g_assert_cmpint (postier_outbox_entry_get_recipient_state (again, 1), ==, POSTIER_RECIPIENT_STATE_REFUSED);
  g_usleep (1000 * 1000);  /* room for a wrong second copy to show up */
  g_assert_cmpuint (copies (&f, 1, "ann@example.org"), ==, 1);
  g_assert_cmpuint (copies (&f, 1, "cid@example.org"), ==, 1);
  g_assert_cmpuint (copies (&f, 1, NULL), ==, 2);
  fixture_tear_down (&f);
}

static void
test_wrong_password_needs_attention (void)
{
  Fixture f = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(PostierOutboxEntry) entry = NULL;
  g_autoptr(PostierOutboxEntry) later = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  PostierFlushStats stats = { 0 };

  if (!fixture_set_up (&f, submission_port (), "not-the-password"))
    return;

  first = enqueue_to (&f, 1, "auth@example.org");
  second = enqueue_to (&f, 2, "auth@example.org");
  g_assert_false (postier_submitter_flush_sync (f.submitter, &stats, NULL, &error));
  g_clear_error (&error);
  /* One refused login for the whole batch, not one per message. */
  g_assert_cmpuint (stats.connections, ==, 1);
  g_assert_cmpuint (stats.needs_attention, ==, 2);

  entry = lookup (&f, first);
  g_assert_cmpint (postier_outbox_entry_get_state (entry), ==, POSTIER_OUTBOX_STATE_NEEDS_ATTENTION);
  g_assert_nonnull (postier_outbox_entry_get_last_error (entry));

  /* No automatic retry that could lock the account. */
  g_assert_true (postier_submitter_flush_sync (f.submitter, &stats, NULL, &error));
  g_assert_cmpuint (stats.attempted, ==, 0);
  later = lookup (&f, second);
  g_assert_cmpuint (postier_outbox_entry_get_attempts (later), ==, 1);

  /* The password is fixed: the entries go. */
  {
    g_autoptr(PostierAccount) account = postier_test_rig_account (RIG_ACCOUNT, 0);
    g_assert_true (postier_secret_store_password_sync (account, postier_test_rig ("PASSWORD"), NULL, &error));
    g_assert_no_error (error);
  }
  /* As the window does: the outbox read in a worker thread, the
   * submitter busy until the entries are due. */
  postier_submitter_accounts_changed_in_background (f.submitter, (const char *[]) { RIG_ACCOUNT, NULL });
  g_assert_true (postier_submitter_is_busy (f.submitter));
  {
    gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

    while (postier_submitter_is_busy (f.submitter) && g_get_monotonic_time () < deadline)
      g_main_context_iteration (NULL, TRUE);
  }
  g_assert_false (postier_submitter_is_busy (f.submitter));
  g_clear_object (&later);
  later = lookup (&f, second);
  g_assert_cmpint (postier_outbox_entry_get_state (later), ==, POSTIER_OUTBOX_STATE_QUEUED);
  g_assert_true (postier_submitter_flush_sync (f.submitter, &stats, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.sent, ==, 2);
  fixture_tear_down (&f);
}

static void
test_missing_account (void)
{
  Fixture f = { 0 };
  g_autoptr(PostierEnvelope) envelope = postier_envelope_new ("alice@localhost");
  g_autoptr(GBytes) bytes = g_bytes_new_static ("Subject: x\r\n\r\nx\r\n", 17);
  g_autoptr(GError) error = NULL;
  g_autoptr(PostierOutboxEntry) entry = NULL;
  g_autofree char *id = NULL;

  if (!fixture_set_up (&f, submission_port (), NULL))
    return;

  postier_envelope_add_recipient (envelope, "x@example.org");
  id = postier_outbox_enqueue_bytes (f.outbox, "Gone", envelope, bytes, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (postier_submitter_flush_sync (f.submitter, NULL, NULL, &error));
  g_clear_error (&error);
  entry = lookup (&f, id);
  g_assert_cmpint (postier_outbox_entry_get_state (entry), ==, POSTIER_OUTBOX_STATE_NEEDS_ATTENTION);
  g_assert_nonnull (strstr (postier_outbox_entry_get_last_error (entry), "Gone"));
  fixture_tear_down (&f);
}

typedef struct {
  GMainLoop *loop;
  guint      finished;
  guint      sent;
} Waiter;

static void
on_flush_finished (G_GNUC_UNUSED PostierSubmitter *submitter,
                   guint             sent,
                   G_GNUC_UNUSED guint unsent,
                   Waiter           *waiter)
{
  waiter->finished++;
  waiter->sent += sent;
  g_main_loop_quit (waiter->loop);
}

static gboolean
quit_loop (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static void
test_offline_then_online (void)
{
  Fixture f = { 0 };
  g_autoptr(GNetworkMonitor) monitor = postier_test_network_monitor_new (FALSE);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(PostierOutboxEntry) entry = NULL;
  g_autofree char *id = NULL;
  Waiter waiter = { loop, 0, 0 };
  guint timeout;

  if (!fixture_set_up (&f, submission_port (), NULL))
    return;

  postier_submitter_set_network_monitor (f.submitter, monitor);
  postier_submitter_set_loopback_works_offline (f.submitter, FALSE);
  g_signal_connect (f.submitter, "flush-finished", G_CALLBACK (on_flush_finished), &waiter);
  g_assert_false (postier_submitter_get_online (f.submitter));

  id = enqueue_to (&f, 1, "offline@example.org");
  postier_submitter_start (f.submitter);
  timeout = g_timeout_add_seconds (20, quit_loop, loop);
  g_main_loop_run (loop);
  g_assert_cmpuint (waiter.finished, ==, 1);

  /* Offline: not even attempted. */
  entry = lookup (&f, id);
  g_assert_cmpint (postier_outbox_entry_get_state (entry), ==, POSTIER_OUTBOX_STATE_QUEUED);
  g_assert_cmpuint (postier_outbox_entry_get_attempts (entry), ==, 0);
  g_assert_cmpuint (copies (&f, 1, NULL), ==, 0);

  /* The network returns: it goes by itself. */
  postier_test_network_monitor_set_available (monitor, TRUE);
  g_main_loop_run (loop);
  g_assert_cmpuint (waiter.sent, ==, 1);
  g_assert_true (gone (&f, id));
  g_assert_cmpuint (wait_copies (&f, 1, NULL, 1), ==, 1);

  g_source_remove (timeout);
  postier_submitter_stop (f.submitter);
  fixture_tear_down (&f);
}

static void
check_private (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      g_assert_cmpint (g_lstat (child, &st), ==, 0);
      if (S_ISDIR (st.st_mode))
        check_private (child);
      else
        {
          if ((st.st_mode & 0777) != 0600)
            g_test_fail_printf ("%s has mode %o, not 0600", child, st.st_mode & 0777);
        }
    }
}

static void
test_files_private_and_no_password (void)
{
  Fixture f = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *kept = NULL;
  g_autofree char *plain_blob = NULL;
  g_autofree char *encoded = NULL;
  const char *user;
  const char *password;
  gsize length;

  if (!fixture_set_up (&f, submission_port (), NULL))
    return;

  /* One kept (deferred) with its transcript, which carries the session's
   * AUTH exchange since it went first, and one sent. */
  kept = enqueue_to (&f, 1, "tempfail@example.org");
  g_free (enqueue_to (&f, 2, "files@example.org"));
  g_assert_false (postier_submitter_flush_sync (f.submitter, NULL, NULL, &error));
  g_clear_error (&error);

  check_private (postier_outbox_get_dir (f.outbox));
  {
    g_autoptr(PostierSentStore) sent = postier_sent_store_new (NULL);
    check_private (postier_sent_store_get_dir (sent));
  }
  {
    g_autoptr(PostierOutboxEntry) entry = lookup (&f, kept);
    g_autofree char *transcript_path = postier_outbox_entry_get_transcript_path (entry);
    g_autofree char *transcript = postier_test_read_file (transcript_path, NULL);
    g_assert_nonnull (strstr (transcript, "AUTH"));
  }

  user = postier_test_rig ("USER");
  password = postier_test_rig ("PASSWORD");
  length = 1 + strlen (user) + 1 + strlen (password);
  plain_blob = g_strdup_printf ("%c%s%c%s", 0, user, 0, password);
  encoded = g_base64_encode ((const guchar *) plain_blob, length);
  g_assert_false (postier_test_tree_contains (g_get_user_data_dir (), password));
  g_assert_false (postier_test_tree_contains (g_get_user_config_dir (), password));
  g_assert_false (postier_test_tree_contains (g_get_user_data_dir (), encoded));
  fixture_tear_down (&f);
}

typedef struct {
  PostierSubmitter  *submitter;
  PostierFlushStats  stats;
  gboolean           ok;
  GError            *error;
} WaitingFlush;

static gpointer
waiting_flush_thread (gpointer data)
{
  WaitingFlush *w = data;

  w->ok = postier_submitter_flush_full_sync (w->submitter, POSTIER_FLUSH_WAIT_FOR_LOCK, &w->stats,
                                             NULL, &w->error);
  return NULL;
}

/* WAIT_FOR_LOCK: a flush that finds another flusher waits for it and then
 * sends, instead of giving up with BUSY; cancelled, it stops waiting. */
static void
test_wait_for_lock (void)
{
  Fixture f = { 0 };
  g_autoptr(PostierOutbox) holder = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(PostierOutboxEntry) entry = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  WaitingFlush w = { 0 };
  GThread *thread;

  if (!fixture_set_up (&f, submission_port (), NULL))
    return;

  id = enqueue_to (&f, 1, "wait-for-lock@example.org");
  holder = postier_outbox_new (NULL);
  g_assert_true (postier_outbox_lock (holder, &error));
  g_assert_no_error (error);

  /* Without the flag: BUSY at once. With it, cancelled: it was waiting. */
  g_assert_false (postier_submitter_flush_sync (f.submitter, NULL, NULL, &error));
  g_assert_error (error, POSTIER_OUTBOX_ERROR, POSTIER_OUTBOX_ERROR_BUSY);
  g_clear_error (&error);
  g_cancellable_cancel (cancellable);
  g_assert_false (postier_submitter_flush_full_sync (f.submitter, POSTIER_FLUSH_WAIT_FOR_LOCK, NULL,
                                                     cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  entry = lookup (&f, id);
  g_assert_cmpint (postier_outbox_entry_get_state (entry), ==, POSTIER_OUTBOX_STATE_QUEUED);

  /* The other flusher lets go: the waiting one sends. */
  w.submitter = f.submitter;
  thread = g_thread_new ("waiting-flush", waiting_flush_thread, &w);
  postier_outbox_unlock (holder);
  g_thread_join (thread);
  g_assert_no_error (w.error);
  g_assert_true (w.ok);
  g_assert_cmpuint (w.stats.sent, ==, 1);
  g_assert_true (gone (&f, id));
  fixture_tear_down (&f);
}

int
main (int   argc,
      char *argv[])
{
  postier_test_init (&argc, &argv);

  g_test_add_func ("/submitter/batch-over-one-connection", test_batch_one_connection);
  g_test_add_func ("/submitter/server-down-then-up", test_server_down_then_up);
  g_test_add_func ("/submitter/temporary-refusal-defers", test_temporary_refusal_defers);
  g_test_add_func ("/submitter/permanent-refusal-fails", test_permanent_refusal_fails);
  g_test_add_func ("/submitter/partial-recipients", test_partial_recipients);
  g_test_add_func ("/submitter/wrong-password-needs-attention", test_wrong_password_needs_attention);
  g_test_add_func ("/submitter/missing-account", test_missing_account);
  g_test_add_func ("/submitter/offline-then-online", test_offline_then_online);
  g_test_add_func ("/submitter/files-private-no-password", test_files_private_and_no_password);
  g_test_add_func ("/submitter/wait-for-lock", test_wait_for_lock);

  return g_test_run ();
}
