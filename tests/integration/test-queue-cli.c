/* test-queue-cli.c — `postierctl queue` as a script or a person uses it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <unistd.h>

#include "postier-core.h"
#include "postier-test.h"

/* The account enqueue() queues for. Every test process shares the rig's
 * keyring, so a test that stores a wrong password uses its own account name
 * rather than the "Rig" that tests running beside it log in with. */
static const char *enqueue_account = "Rig";

static char *
enqueue (PostierOutbox *outbox,
         const char    *recipient,
         const char    *subject)
{
  g_autofree char *message_id = g_strdup_printf ("<%s.%d.%" G_GINT64_FORMAT "@queue.postier.test>",
                                                 subject, getpid (), g_get_real_time ());

  return postier_test_enqueue (outbox, enqueue_account, recipient, subject, message_id);
}

/* `queue list --json` run with ENV added to the test's environment (may be
 * NULL), parsed. */
static JsonArray *
list_json_in (const char * const *env)
{
  const char *args[] = { "queue", "list", "--json", NULL };
  g_autofree char *out = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (postier_test_run_ctlv (env, NULL, 0, &out, NULL, args), ==, 0);
  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (json_parser_get_root (parser)));
  return json_array_ref (json_node_get_array (json_parser_get_root (parser)));
}

static JsonArray *
list_json (void)
{
  return list_json_in (NULL);
}

/* The listed entry whose string MEMBER is VALUE, or NULL. */
static JsonObject *
lookup (JsonArray  *array,
        const char *member,
        const char *value)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *object = json_array_get_object_element (array, i);
      if (g_strcmp0 (json_object_get_string_member (object, member), value) == 0)
        return object;
    }
  return NULL;
}

static JsonObject *
find (JsonArray  *array,
      const char *id)
{
  JsonObject *object = lookup (array, "id", id);

  g_assert_nonnull (object);
  return object;
}

static void
test_list_flush_show (void)
{
  g_autoptr(PostierOutbox) outbox = postier_test_rig_outbox ();
  g_autofree char *good = NULL;
  g_autofree char *later = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *show = NULL;
  g_autoptr(JsonArray) before = NULL;
  g_autoptr(JsonArray) after = NULL;
  JsonObject *entry;
  JsonObject *recipient;

  if (outbox == NULL)
    return;

  good = enqueue (outbox, "cli@example.org", "first");
  later = enqueue (outbox, "tempfail@example.org", "second");

  /* The stable shape scripts read. */
  before = list_json ();
  g_assert_cmpuint (json_array_get_length (before), ==, 2);
  entry = find (before, good);
  g_assert_cmpstr (json_object_get_string_member (entry, "account"), ==, "Rig");
  g_assert_cmpstr (json_object_get_string_member (entry, "state"), ==, "queued");
  g_assert_cmpstr (json_object_get_string_member (entry, "subject"), ==, "first");
  g_assert_cmpstr (json_object_get_string_member (entry, "sender"), ==, "alice@localhost");
  g_assert_cmpint (json_object_get_int_member (entry, "attempts"), ==, 0);
  g_assert_true (json_object_get_null_member (entry, "last_error"));
  g_assert_true (json_object_get_null_member (entry, "next_attempt"));
  g_assert_false (json_object_get_boolean_member (entry, "possible_duplicate"));
  g_assert_nonnull (json_object_get_string_member (entry, "created"));
  recipient = json_array_get_object_element (json_object_get_array_member (entry, "recipients"), 0);
  g_assert_cmpstr (json_object_get_string_member (recipient, "address"), ==, "cli@example.org");
  g_assert_cmpstr (json_object_get_string_member (recipient, "state"), ==, "pending");

  /* One goes, one waits: "try again later", and the summary says why
   * and when. */
  g_assert_cmpint (postier_test_run_ctl (NULL, &out, &err, "queue", "flush", NULL), ==, 75);
  g_test_message ("%s", out);
  g_assert_true (g_str_has_prefix (out, "1 sent, 1 deferred ("));
  g_assert_nonnull (strstr (out, "450 4.2.1 "));
  g_assert_nonnull (strstr (out, "; next attempt "));
  g_assert_true (g_str_has_suffix (out, ")\n"));

  after = list_json ();
  g_assert_cmpuint (json_array_get_length (after), ==, 1);
  entry = find (after, later);
  g_assert_cmpstr (json_object_get_string_member (entry, "state"), ==, "deferred");
  g_assert_cmpint (json_object_get_int_member (entry, "attempts"), ==, 1);
  g_assert_false (json_object_get_null_member (entry, "next_attempt"));
  g_assert_nonnull (strstr (json_object_get_string_member (entry, "last_error"), "temporarily refused"));
  recipient = json_array_get_object_element (json_object_get_array_member (entry, "recipients"), 0);
  g_assert_cmpstr (json_object_get_string_member (recipient, "state"), ==, "deferred");
  g_assert_nonnull (strstr (json_object_get_string_member (recipient, "reply"), "450"));

  /* What a person reads. */
  g_assert_cmpint (postier_test_run_ctl (NULL, &show, NULL, "queue", "show", later, NULL), ==, 0);
  g_assert_nonnull (strstr (show, "Waiting to retry (deferred)"));
  g_assert_nonnull (strstr (show, "Next attempt:"));
  g_assert_nonnull (strstr (show, "tempfail@example.org"));
  g_assert_nonnull (strstr (show, "Transcript:"));
  g_assert_nonnull (strstr (show, "RCPT TO:<tempfail@example.org>"));
  g_assert_null (strstr (show, postier_test_rig ("PASSWORD")));
}

static void
test_retry_and_remove (void)
{
  g_autoptr(PostierOutbox) outbox = postier_test_rig_outbox ();
  g_autofree char *id = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonArray) list = NULL;

  if (outbox == NULL)
    return;

  id = enqueue (outbox, "refuse@example.org", "refused");
  /* Refused for good: it waits for the person, "unavailable", and the
   * summary says how to send it again. */
  g_assert_cmpint (postier_test_run_ctl (NULL, &out, &err, "queue", "flush", NULL), ==, 69);
  g_assert_true (g_str_has_prefix (out, "0 sent, 1 refused ("));
  g_assert_nonnull (strstr (out, "550 5.1.1"));
  g_assert_nonnull (strstr (out, "postierctl queue retry "));
  g_assert_nonnull (strstr (out, id));
  list = list_json ();
  g_assert_cmpstr (json_object_get_string_member (find (list, id), "state"), ==, "failed");

  /* A retry sends at once (refused again here: the relay's mind is made
   * up) and reports like a flush. */
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (postier_test_run_ctl (NULL, &out, NULL, "queue", "retry", id, NULL), ==, 69);
  g_assert_true (g_str_has_prefix (out, "0 sent, 1 refused ("));
  g_clear_pointer (&list, json_array_unref);
  list = list_json ();
  g_assert_cmpstr (json_object_get_string_member (find (list, id), "state"), ==, "failed");
  g_assert_cmpint (json_object_get_int_member (find (list, id), "attempts"), ==, 1);

  g_clear_pointer (&out, g_free);
  g_assert_cmpint (postier_test_run_ctl (NULL, &out, NULL, "queue", "remove", id, NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (postier_test_run_ctl (NULL, &out, NULL, "queue", "list", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "The outbox is empty.\n");

  /* An id that is not there is a clear error, not a crash. */
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (postier_test_run_ctl (NULL, NULL, &err, "queue", "show", id, NULL), ==, 65);
  g_assert_nonnull (strstr (err, id));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (postier_test_run_ctl (NULL, NULL, &err, "queue", "show", "../../etc", NULL), !=, 0);
  g_assert_cmpstr (err, !=, "");
}

static void
test_flush_while_another_flushes (void)
{
  g_autoptr(PostierOutbox) outbox = postier_test_rig_outbox ();
  g_autoptr(PostierOutbox) holder = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  if (outbox == NULL)
    return;

  id = enqueue (outbox, "busy@example.org", "busy");
  /* This process plays the app, flushing right now. */
  holder = postier_outbox_new (NULL);
  g_assert_true (postier_outbox_lock (holder, &error));
  g_assert_no_error (error);
  g_assert_cmpint (postier_test_run_ctl (NULL, &out, NULL, "queue", "flush", NULL), ==, 75);
  g_assert_cmpstr (out, ==, "0 sent, 1 waiting (another process is sending the outbox and will "
                            "send them)\n");
  postier_outbox_unlock (holder);

  g_clear_pointer (&err, g_free);
  g_assert_cmpint (postier_test_run_ctl (NULL, NULL, &err, "queue", "flush", NULL), ==, 0);
}

static void
test_french (void)
{
  const char *env[] = { "LANGUAGE=fr", NULL };
  const char *list[] = { "queue", "list", NULL };
  const char *usage[] = { "queue", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (postier_test_run_ctlv (env, NULL, 0, &out, NULL, list), ==, 0);
  g_assert_cmpstr (out, ==, "La boîte d’envoi est vide.\n");
  g_assert_cmpint (postier_test_run_ctlv (env, NULL, 0, NULL, &err, usage), ==, 64);
  g_assert_true (g_str_has_prefix (err, "Utilisation : postierctl queue"));
}

static JsonObject *
entry_json (const char *id)
{
  g_autoptr(JsonArray) list = list_json ();

  return json_object_ref (find (list, id));
}

/* `queue flush` ignores the backoff timer; `--due` keeps to it. */
static void
test_flush_all_and_due (void)
{
  g_autoptr(PostierOutbox) outbox = postier_test_rig_outbox ();
  g_autofree char *id = NULL;
  g_autofree char *out = NULL;
  g_autoptr(JsonObject) entry = NULL;

  if (outbox == NULL)
    return;

  id = enqueue (outbox, "tempfail@example.org", "backoff");
  g_assert_cmpint (postier_test_run_ctl (NULL, &out, NULL, "queue", "flush", "--due", NULL), ==, 75);
  entry = entry_json (id);
  g_assert_cmpint (json_object_get_int_member (entry, "attempts"), ==, 1);

  /* Its next attempt is a minute away: --due leaves it, and says so. */
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (postier_test_run_ctl (NULL, &out, NULL, "queue", "flush", "--due", NULL), ==, 75);
  g_assert_true (g_str_has_prefix (out, "0 sent, 1 deferred ("));
  g_clear_pointer (&entry, json_object_unref);
  entry = entry_json (id);
  g_assert_cmpint (json_object_get_int_member (entry, "attempts"), ==, 1);

  /* A plain flush tries it now. */
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (postier_test_run_ctl (NULL, &out, NULL, "queue", "flush", NULL), ==, 75);
  g_clear_pointer (&entry, json_object_unref);
  entry = entry_json (id);
  g_assert_cmpint (json_object_get_int_member (entry, "attempts"), ==, 2);
}

/* A message that needed attention goes at once on `queue retry ID` after
 * the cause is fixed; `retry --all` does the same for all of them. */
static void
test_retry_sends_now (void)
{
  g_autoptr(PostierAccountStore) store = postier_test_add_rig_account ("RigWrong", 0, "wrong password");
  g_autoptr(PostierOutbox) outbox = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *one = NULL;
  g_autofree char *two = NULL;
  g_autofree char *three = NULL;
  g_autofree char *out = NULL;
  g_autofree char *tag = NULL;

  if (store == NULL)
    return;
  enqueue_account = "RigWrong";
  outbox = postier_outbox_new (NULL);
  tag = g_strdup_printf ("retry-now-%d", getpid ());
  one = enqueue (outbox, "retry-one@example.org", tag);
  two = enqueue (outbox, "retry-two@example.org", tag);
  three = enqueue (outbox, "retry-three@example.org", tag);

  /* 535: needs attention, and the summary says what to run. */
  g_assert_cmpint (postier_test_run_ctl (NULL, &out, NULL, "queue", "flush", NULL), ==, 69);
  g_test_message ("%s", out);
  g_assert_true (g_str_has_prefix (out, "0 sent, 3 need attention ("));
  g_assert_nonnull (strstr (out, "postierctl queue retry --all"));

  g_assert_true (postier_secret_store_password_sync (postier_account_store_lookup (store, "RigWrong"),
                                                     postier_test_rig ("PASSWORD"), NULL, &error));
  g_assert_no_error (error);

  g_clear_pointer (&out, g_free);
  g_assert_cmpint (postier_test_run_ctl (NULL, &out, NULL, "queue", "retry", one, NULL), ==, 69);
  g_assert_true (g_str_has_prefix (out, "1 sent, 2 need attention ("));

  g_clear_pointer (&out, g_free);
  g_assert_cmpint (postier_test_run_ctl (NULL, &out, NULL, "queue", "retry", "--all", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "2 sent\n");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (postier_test_run_ctl (NULL, &out, NULL, "queue", "list", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "The outbox is empty.\n");
  enqueue_account = "Rig";
}

/* The sendmail face: -bp and mailq list, -q flushes. */
static void
test_sendmail_queue_idioms (void)
{
  g_autoptr(PostierOutbox) outbox = postier_test_rig_outbox ();
  g_autofree char *id = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *mailq_out = NULL;
  g_autofree char *folder = NULL;
  g_autofree char *mailq = NULL;
  const char *env[] = { NULL };

  if (outbox == NULL)
    return;

  g_assert_cmpint (postier_test_run_ctl (NULL, &out, NULL, "sendmail", "-bp", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "Mail queue is empty\n");

  id = enqueue (outbox, "tempfail@example.org", "mailq");
  /* -q tries it now; deferred: exit 75 and one line on stderr. */
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (postier_test_run_ctl (NULL, &out, &err, "sendmail", "-q", NULL), ==, 75);
  g_assert_cmpstr (out, ==, "");
  g_assert_true (g_str_has_prefix (err, "postierctl: 0 sent, 1 deferred ("));

  g_clear_pointer (&out, g_free);
  g_assert_cmpint (postier_test_run_ctl (NULL, &out, NULL, "sendmail", "-bp", NULL), ==, 0);
  g_test_message ("%s", out);
  g_assert_true (g_str_has_prefix (out, "-Queue ID-"));
  g_assert_nonnull (strstr (out, id));
  g_assert_nonnull (strstr (out, "alice@localhost"));
  g_assert_nonnull (strstr (out, "\n(The server refused every recipient: 450 4.2.1"));
  g_assert_nonnull (strstr (out, "tempfail@example.org\n"));
  g_assert_true (g_str_has_suffix (out, "Kbytes in 1 Request.\n"));

  /* The same program under the name mailq. */
  folder = g_dir_make_tmp ("postier-mailq-XXXXXX", NULL);
  mailq = g_build_filename (folder, "mailq", NULL);
  g_assert_cmpint (symlink (g_getenv ("POSTIERCTL"), mailq), ==, 0);
  {
    const char *argv[] = { mailq, NULL };
    g_assert_cmpint (postier_test_run_program (env, NULL, &mailq_out, NULL, argv), ==, 0);
  }
  g_assert_cmpstr (mailq_out, ==, out);
  g_unlink (mailq);
  g_rmdir (folder);

  /* Once it can go, -q sends it and says nothing. */
  g_assert_true (postier_outbox_remove (outbox, id, NULL));
  g_free (id);
  id = enqueue (outbox, "mailq-ok@example.org", "mailq-ok");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (postier_test_run_ctl (NULL, &out, &err, "sendmail", "-q", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "");
  g_assert_cmpstr (err, ==, "");
}

/* Without a keyring (cron): the error says what works there. */
static void
test_no_keyring (void)
{
  g_autoptr(PostierOutbox) outbox = postier_test_rig_outbox ();
  const char *env[] = { "DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent/postier-test-bus", NULL };
  const char *flush[] = { "queue", "flush", NULL };
  g_autofree char *id = NULL;
  g_autofree char *out = NULL;

  if (outbox == NULL)
    return;

  id = enqueue (outbox, "nokeyring@example.org", "no keyring");
  g_assert_cmpint (postier_test_run_ctlv (env, NULL, 0, &out, NULL, flush), ==, 75);
  g_test_message ("%s", out);
  g_assert_true (g_str_has_prefix (out, "0 sent, 1 deferred (The desktop keyring is not available"));
  g_assert_nonnull (strstr (out, "postierctl account set Rig --password-command CMD"));
  g_assert_nonnull (strstr (out, "postierctl queue watch"));

  /* The sendmail face, as cron runs it: one line, whose clauses read as
   * one sentence ("in the session; next attempt at", not "session.;"). */
  {
    const char *sendmail[] = { "sendmail", "cron@example.org", NULL };
    const char *input = "Subject: nightly\n\nreport\n";
    g_autofree char *err = NULL;
    g_autofree char *queued_id = NULL;
    const char *after;

    g_assert_cmpint (postier_test_run_ctlv (env, input, strlen (input), NULL, &err, sendmail), ==, 0);
    g_test_message ("%s", err);
    g_assert_true (g_str_has_prefix (err, "postierctl: Queued as "));
    g_assert_nonnull (strstr (err, "in the session; next attempt at "));
    g_assert_null (strstr (err, ".;"));
    after = err + strlen ("postierctl: Queued as ");
    queued_id = g_strndup (after, strcspn (after, ","));
    g_assert_cmpint (postier_test_run_ctl (NULL, NULL, NULL, "queue", "remove", queued_id, NULL), ==, 0);
  }
}

static const char *
id_of_subject (JsonArray  *array,
               const char *subject)
{
  JsonObject *object = lookup (array, "subject", subject);

  return object != NULL ? json_object_get_string_member (object, "id") : NULL;
}

/* Cron, `env -i` and systemd units run in the C locale. There a subject
 * with accents is taken from the command line, --json keeps it (JSON is
 * UTF-8 whatever the locale), and `queue list` shows it. In a locale whose
 * character set lacks a character, quotes and dashes get ASCII stand-ins. */
static void
test_locale_of_cron (void)
{
  g_autoptr(PostierOutbox) outbox = postier_test_rig_outbox ();
  const char *subject = "Café “du soir” — fin…";
  const char *c_locale[] = { "LC_ALL=C", NULL };
  const char *latin1[] = { "CHARSET=ISO-8859-1", NULL };
  const char *ascii[] = { "CHARSET=ANSI_X3.4-1968", NULL };
  const char *send[] = { "send", "--queue-only", "--account", "Rig", "--to", "cron@example.org",
                         "--subject", subject, "--body-file", "-", NULL };
  const char *list[] = { "queue", "list", NULL };
  const char *show_missing[] = { "queue", "show", "no-such-entry", NULL };
  g_autoptr(JsonArray) in_c = NULL;
  g_autoptr(JsonArray) in_ascii = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *id = NULL;

  if (outbox == NULL)
    return;

  g_assert_cmpint (postier_test_run_ctlv (c_locale, "nightly report\n", 15, &out, &err, send), ==, 0);
  g_test_message ("send in the C locale: %s%s", out, err);
  in_c = list_json_in (c_locale);
  id = g_strdup (id_of_subject (in_c, subject));
  g_assert_nonnull (id);
  in_ascii = list_json_in (ascii);
  g_assert_cmpstr (id_of_subject (in_ascii, subject), ==, id);

  g_clear_pointer (&out, g_free);
  g_assert_cmpint (postier_test_run_ctlv (c_locale, NULL, 0, &out, NULL, list), ==, 0);
  g_assert_nonnull (strstr (out, subject));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (postier_test_run_ctlv (latin1, NULL, 0, &out, NULL, list), ==, 0);
  g_assert_nonnull (strstr (out, "Caf\xe9 \"du soir\" - fin..."));

  g_clear_pointer (&err, g_free);
  g_assert_cmpint (postier_test_run_ctlv (ascii, NULL, 0, NULL, &err, show_missing), !=, 0);
  g_assert_cmpstr (err, ==, "postierctl: There is no outbox entry \"no-such-entry\"\n");

  g_assert_cmpint (postier_test_run_ctl (NULL, NULL, NULL, "queue", "remove", id, NULL), ==, 0);
}

/* The background flusher leaves when nothing will go out by itself: an
 * empty outbox, or one holding only what waits for `queue retry`. */
static void
test_watch_leaves (void)
{
  g_autoptr(PostierOutbox) outbox = postier_test_rig_outbox ();
  g_autofree char *refused = NULL;
  g_autofree char *good = NULL;
  g_autofree char *out = NULL;
  g_autoptr(JsonArray) list = NULL;

  if (outbox == NULL)
    return;

  g_assert_cmpint (postier_test_run_watch (NULL, &out, NULL), ==, 0);
  g_assert_cmpstr (out, ==, "");

  refused = enqueue (outbox, "refuse@example.org", "watch-refused");
  good = enqueue (outbox, "watch-good@example.org", "watch-good");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (postier_test_run_watch (NULL, &out, NULL), ==, 0);
  g_assert_cmpstr (out, ==, "1 sent, 1 not sent yet\n");
  list = list_json ();
  g_assert_cmpuint (json_array_get_length (list), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (find (list, refused), "state"), ==, "failed");
}

int
main (int   argc,
      char *argv[])
{
  postier_test_init (&argc, &argv);

  g_test_add_func ("/queue-cli/list-flush-show", test_list_flush_show);
  g_test_add_func ("/queue-cli/retry-and-remove", test_retry_and_remove);
  g_test_add_func ("/queue-cli/flush-while-another-flushes", test_flush_while_another_flushes);
  g_test_add_func ("/queue-cli/french", test_french);
  g_test_add_func ("/queue-cli/flush-all-and-due", test_flush_all_and_due);
  g_test_add_func ("/queue-cli/retry-sends-now", test_retry_sends_now);
  g_test_add_func ("/queue-cli/sendmail-queue-idioms", test_sendmail_queue_idioms);
  g_test_add_func ("/queue-cli/no-keyring", test_no_keyring);
  g_test_add_func ("/queue-cli/locale-of-cron", test_locale_of_cron);
  g_test_add_func ("/queue-cli/watch-leaves", test_watch_leaves);

  return g_test_run ();
}
