/* test-send-outcome.c — postierctl send and sendmail tell the caller what
 * the relay did: one test per row of the exit-code table (design-notes,
 * "postierctl send/sendmail outcome"), against the rig's Postfix where it
 * can produce the case and tests/faults/smtp-fault-server.py where it
 * cannot (a refused recipient, a 5xx at DATA, a small SIZE)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "postier-core.h"
#include "postier-test.h"

/* ---------------------------------------------------------------------- */
/* Accounts, made the way a person makes them: with postierctl */

/* The rig's Postfix, as Alice; PASSWORD NULL is the right one, CA FALSE
 * leaves the rig's CA out (the system store does not know it). */
static gboolean
add_postfix_account (const char *password,
                     gboolean    with_ca)
{
  const char *port = postier_test_rig ("SUBMISSION_PORT");
  const char *ca = postier_test_rig ("CA");
  const char *user = postier_test_rig ("USER");
  const char *right = postier_test_rig ("PASSWORD");

  if (port == NULL || ca == NULL || user == NULL || right == NULL ||
      postier_test_rig ("MAILDIR") == NULL || postier_test_rig ("KEYRING") == NULL)
    return FALSE;
  /* The keyring is shared with every test running beside this one: a
   * wrong password goes under a name nobody else uses. */
  postier_test_ctl_add_account (password != NULL ? "RigOutcomeWrong" : "Rig", port, with_ca ? ca : NULL,
                                password != NULL ? password : right);
  return TRUE;
}

/* ---------------------------------------------------------------------- */
/* The fault server, for what a real Postfix will not do */

typedef PostierTestFaultServer FaultServer;

/* The shared fault server, with the account ACCOUNT pointing at it. */
static FaultServer *
fault_server_start_as (const char *plan,
                       const char *account)
{
  g_autofree char *port = NULL;
  FaultServer *server;

  if (postier_test_rig ("CA") == NULL || postier_test_rig ("USER") == NULL ||
      postier_test_rig ("KEYRING") == NULL)
    return NULL;

  server = postier_test_fault_server_start (plan);
  port = g_strdup_printf ("%u", server->port);
  /* The fault server takes any password. */
  postier_test_ctl_add_account (account, port, postier_test_rig ("CA"), "secret");
  return server;
}

/* The same, with the "Fault" account. */
static FaultServer *
fault_server_start (const char *plan)
{
  return fault_server_start_as (plan, "Fault");
}

static char *
fault_server_log (FaultServer *server)
{
  return postier_test_fault_server_log (server);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FaultServer, postier_test_fault_server_stop)

/* ---------------------------------------------------------------------- */
/* What the caller and the outbox see */

static guint
count_lines (const char *text)
{
  guint n = 0;

  for (const char *p = text; *p != '\0'; p++)
    if (*p == '\n')
      n++;
  return n;
}

static GPtrArray *
outbox_entries (void)
{
  g_autoptr(PostierOutbox) outbox = postier_outbox_new (NULL);
  GPtrArray *entries = postier_outbox_list (outbox, NULL);

  g_assert_nonnull (entries);
  return entries;
}

/* The only entry in the outbox, which stderr names with the way to retry
 * it. */
static PostierOutboxEntry *
kept_entry (const char *err)
{
  g_autoptr(GPtrArray) entries = outbox_entries ();
  PostierOutboxEntry *entry;
  g_autofree char *retry = NULL;

  g_assert_cmpuint (entries->len, ==, 1);
  entry = g_ptr_array_index (entries, 0);
  retry = g_strdup_printf ("postierctl queue retry %s", postier_outbox_entry_get_id (entry));
  g_assert_nonnull (strstr (err, retry));
  return g_object_ref (entry);
}

static void
assert_failure_recorded (PostierOutboxEntry *entry,
                         const char         *kind)
{
  g_autofree char *ini = g_build_filename (postier_outbox_entry_get_path (entry), "entry.ini", NULL);
  g_autofree char *contents = postier_test_read_file (ini, NULL);
  g_autofree char *line = g_strdup_printf ("\nFailure=%s\n", kind);

  g_assert_nonnull (strstr (contents, line));
}

static char *
new_tag (const char *what)
{
  return g_strdup_printf ("%s-%d-%" G_GINT64_FORMAT, what, getpid (), g_get_real_time ());
}

/* ---------------------------------------------------------------------- */
/* 0: accepted. The body comes from standard input, as with mail(1). */

static void
test_accepted_body_from_stdin (void)
{
  g_autofree char *tag = new_tag ("accepted");
  g_autofree char *body = g_strdup_printf ("Piped in, %s.\nSecond line.\n", tag);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(JsonObject) parsed = NULL;
  int status;

  if (!add_postfix_account (NULL, TRUE))
    return;
  status = postier_test_run_ctl (body, &out, &err, "send", "--to", "bob@localhost",
                                 "--subject", tag, NULL);
  g_test_message ("%s%s", out, err);
  g_assert_cmpint (status, ==, EX_OK);
  g_assert_true (g_str_has_prefix (out, "Sent ("));
  g_assert_cmpstr (err, ==, "");
  entries = outbox_entries ();
  g_assert_cmpuint (entries->len, ==, 0);

  parsed = postier_test_maildir_message (tag, 1);
  g_assert_cmpstr (postier_test_parsed_header (parsed, "Subject"), ==, tag);
  g_assert_cmpstr (json_object_get_string_member (parsed, "body"), ==, body);
}

/* 0: deferred (4xx). Nothing on stdout, exactly one line on stderr:
 * queued as ID, why, next attempt. */
static void
test_deferred (void)
{
  g_autoptr(FaultServer) server = fault_server_start ("{\"mail1\": \"451 4.3.0 Try again later\"}");
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  PostierOutboxEntry *entry;
  int status;

  if (server == NULL)
    return;
  status = postier_test_run_ctl ("Later.\n", &out, &err, "send", "--account", "Fault",
                                 "--to", "bob@localhost", "--subject", "deferred", NULL);
  g_test_message ("%s%s", out, err);
  g_assert_cmpint (status, ==, EX_OK);
  g_assert_cmpstr (out, ==, "");
  g_assert_cmpuint (count_lines (err), ==, 1);

  entries = outbox_entries ();
  g_assert_cmpuint (entries->len, ==, 1);
  entry = g_ptr_array_index (entries, 0);
  g_assert_cmpint (postier_outbox_entry_get_state (entry), ==, POSTIER_OUTBOX_STATE_DEFERRED);
  g_assert_nonnull (strstr (err, postier_outbox_entry_get_id (entry)));
  g_assert_nonnull (strstr (err, "451 4.3.0 Try again later"));
  g_assert_nonnull (strstr (err, "next attempt"));
}

/* 0, deferred: the connection breaks after the whole message went out and
 * before the relay's verdict. The relay may have taken it (RFC 1047), so
 * the entry is flagged possible duplicate: its retry must not pass for a
 * first delivery. A break before the data is no such doubt. */
static void
test_verdict_unknown_flagged (void)
{
  const struct {
    const char *plan;
    gboolean    flagged;
  } cases[] = {
    { "{\"dot\": \"close\"}", TRUE },
    { "{\"chunking\": true, \"bdat\": \"close\"}", TRUE },
    { "{\"dot\": \"garbage\"}", TRUE },
    { "{\"mail1\": \"close\"}", FALSE },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      /* One account per case: a name cannot be added twice. */
      g_autofree char *account = g_strdup_printf ("Fault %u", c);
      g_autoptr(FaultServer) server = fault_server_start_as (cases[c].plan, account);
      g_autoptr(GPtrArray) entries = NULL;
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      PostierOutboxEntry *entry;
      int status;

      if (server == NULL)
        return;
      status = postier_test_run_ctl ("Did it arrive?\n", &out, &err, "send", "--account", account,
                                     "--to", "bob@localhost", "--subject", "no verdict", NULL);
      g_test_message ("%s: %s%s", cases[c].plan, out, err);
      g_assert_cmpint (status, ==, EX_OK);
      g_assert_nonnull (strstr (err, "next attempt"));

      entries = outbox_entries ();
      g_assert_cmpuint (entries->len, ==, 1);
      entry = g_ptr_array_index (entries, 0);
      g_assert_cmpint (postier_outbox_entry_get_state (entry), ==, POSTIER_OUTBOX_STATE_DEFERRED);
      g_assert_cmpint (postier_outbox_entry_get_possible_duplicate (entry), ==, cases[c].flagged);
      {
        g_autoptr(PostierOutbox) outbox = postier_outbox_new (NULL);
        g_assert_true (postier_outbox_remove (outbox, postier_outbox_entry_get_id (entry), NULL));
      }
    }
}

/* 0: deferred through the sendmail face too: the relay is down. */
static void
test_deferred_sendmail_relay_down (void)
{
  g_autofree char *port = g_strdup_printf ("%u", postier_test_dead_port ());
  const char *args[] = { "sendmail", "bob@localhost", NULL };
  const char *input = "Subject: relay down\n\nLater.\n";
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  int status;

  if (postier_test_rig ("CA") == NULL || postier_test_rig ("USER") == NULL ||
      postier_test_rig ("KEYRING") == NULL)
    return;
  postier_test_ctl_add_account ("Down", port, postier_test_rig ("CA"), "secret");
  status = postier_test_run_ctlv (NULL, input, strlen (input), &out, &err, args);
  g_test_message ("%s%s", out, err);
  g_assert_cmpint (status, ==, EX_OK);
  g_assert_cmpstr (out, ==, "");
  g_assert_cmpuint (count_lines (err), ==, 1);
  g_assert_nonnull (strstr (err, "not sent yet"));
  entries = outbox_entries ();
  g_assert_cmpuint (entries->len, ==, 1);
}

/* 65: the relay refuses the message itself. */
static void
test_message_refused_at_data (void)
{
  g_autoptr(FaultServer) server = fault_server_start ("{\"data\": \"554 5.7.1 Message rejected for policy reasons\"}");
  g_autoptr(PostierOutboxEntry) entry = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  if (server == NULL)
    return;
  status = postier_test_run_ctl ("Spam?\n", &out, &err, "send", "--account", "Fault",
                                 "--to", "bob@localhost", "--subject", "policy", NULL);
  g_test_message ("%s%s", out, err);
  g_assert_cmpint (status, ==, EX_DATAERR);
  g_assert_cmpstr (out, ==, "");
  g_assert_nonnull (strstr (err, "554 5.7.1 Message rejected for policy reasons"));
  entry = kept_entry (err);
  g_assert_cmpint (postier_outbox_entry_get_state (entry), ==, POSTIER_OUTBOX_STATE_FAILED);
  g_assert_cmpint (postier_outbox_entry_get_failure (entry), ==, POSTIER_OUTBOX_FAILURE_MESSAGE);
  assert_failure_recorded (entry, "message");
  /* Nobody has it: the recipient waits for the retry. */
  g_assert_cmpint (postier_outbox_entry_get_recipient_state (entry, 0), ==, POSTIER_RECIPIENT_STATE_PENDING);
}

/* 65: over the relay's SIZE, and the sendmail face says so too. */
static void
test_message_over_size (void)
{
  g_autoptr(FaultServer) server = fault_server_start ("{\"size\": 40}");
  g_autoptr(PostierOutboxEntry) entry = NULL;
  const char *args[] = { "sendmail", "--account", "Fault", "bob@localhost", NULL };
  const char *input = "Subject: too big\n\nMore than forty octets, headers included.\n";
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *log = NULL;
  int status;

  if (server == NULL)
    return;
  status = postier_test_run_ctlv (NULL, input, strlen (input), &out, &err, args);
  g_test_message ("%s%s", out, err);
  g_assert_cmpint (status, ==, EX_DATAERR);
  g_assert_cmpstr (out, ==, "");
  g_assert_nonnull (strstr (err, "40 bytes"));
  entry = kept_entry (err);
  assert_failure_recorded (entry, "message");
  log = fault_server_log (server);
  g_assert_null (strstr (log, "DATA"));
}

/* 67: every recipient refused; each is named. */
static void
test_all_recipients_refused (void)
{
  g_autoptr(FaultServer) server = fault_server_start ("{\"rcpt1\": \"550 5.1.1 <nobody@localhost>: no such user\", "
                                                      "\"rcpt2\": \"553 5.1.3 <nothere@localhost>: bad mailbox\"}");
  g_autoptr(PostierOutboxEntry) entry = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  if (server == NULL)
    return;
  status = postier_test_run_ctl ("Hello?\n", &out, &err, "send", "--account", "Fault",
                                 "--to", "nobody@localhost", "--to", "nothere@localhost",
                                 "--subject", "nobody", NULL);
  g_test_message ("%s%s", out, err);
  g_assert_cmpint (status, ==, EX_NOUSER);
  g_assert_cmpstr (out, ==, "");
  g_assert_nonnull (strstr (err, "nobody@localhost: 550 5.1.1"));
  g_assert_nonnull (strstr (err, "nothere@localhost: 553 5.1.3"));
  entry = kept_entry (err);
  g_assert_cmpint (postier_outbox_entry_get_state (entry), ==, POSTIER_OUTBOX_STATE_FAILED);
  assert_failure_recorded (entry, "recipients");
}

/* 67: only some refused. The accepted one got the message once; stderr
 * names the refused one and only it. */
static void
test_some_recipients_refused (void)
{
  g_autoptr(FaultServer) server = fault_server_start ("{\"rcpt2\": \"550 5.1.1 <nobody@localhost>: no such user\"}");
  g_autoptr(PostierOutboxEntry) entry = NULL;
  const char *args[] = { "sendmail", "--account", "Fault", "bob@localhost", "nobody@localhost", NULL };
  const char *input = "Subject: some refused\n\nHello.\n";
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *log = NULL;
  int status;

  if (server == NULL)
    return;
  status = postier_test_run_ctlv (NULL, input, strlen (input), &out, &err, args);
  g_test_message ("%s%s", out, err);
  g_assert_cmpint (status, ==, EX_NOUSER);
  g_assert_cmpstr (out, ==, "");
  g_assert_nonnull (strstr (err, "nobody@localhost: 550 5.1.1"));
  g_assert_null (strstr (err, "bob@localhost"));
  g_assert_nonnull (strstr (err, "1 of 2"));

  entry = kept_entry (err);
  g_assert_cmpint (postier_outbox_entry_get_recipient_state (entry, 0), ==, POSTIER_RECIPIENT_STATE_ACCEPTED);
  g_assert_cmpint (postier_outbox_entry_get_recipient_state (entry, 1), ==, POSTIER_RECIPIENT_STATE_REFUSED);
  assert_failure_recorded (entry, "recipients");
  /* One transaction, one copy of the data. */
  log = fault_server_log (server);
  g_assert_nonnull (strstr (log, "[data "));
  g_assert_null (strstr (strstr (log, "[data ") + 1, "[data "));
}

/* 77: the relay refuses the login (the rig's Postfix, a wrong password). */
static void
test_login_refused (void)
{
  g_autoptr(PostierOutboxEntry) entry = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  if (!add_postfix_account ("not-the-password", TRUE))
    return;
  status = postier_test_run_ctl ("Hi.\n", &out, &err, "send", "--to", "bob@localhost",
                                 "--subject", "wrong password", NULL);
  g_test_message ("%s%s", out, err);
  g_assert_cmpint (status, ==, EX_NOPERM);
  g_assert_cmpstr (out, ==, "");
  g_assert_nonnull (strstr (err, "535"));
  entry = kept_entry (err);
  g_assert_cmpint (postier_outbox_entry_get_state (entry), ==, POSTIER_OUTBOX_STATE_NEEDS_ATTENTION);
  assert_failure_recorded (entry, "auth");
}

/* 78: the certificate is not trusted (the rig's Postfix, its CA not
 * given: the system store does not know it). */
static void
test_certificate_not_trusted (void)
{
  g_autoptr(PostierOutboxEntry) entry = NULL;
  const char *args[] = { "sendmail", "bob@localhost", NULL };
  const char *input = "Subject: untrusted\n\nHi.\n";
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  if (!add_postfix_account (NULL, FALSE))
    return;
  status = postier_test_run_ctlv (NULL, input, strlen (input), &out, &err, args);
  g_test_message ("%s%s", out, err);
  g_assert_cmpint (status, ==, EX_CONFIG);
  g_assert_cmpstr (out, ==, "");
  entry = kept_entry (err);
  g_assert_cmpint (postier_outbox_entry_get_state (entry), ==, POSTIER_OUTBOX_STATE_NEEDS_ATTENTION);
  assert_failure_recorded (entry, "certificate");
}

/* 78: no account but the Sandbox. One line, how to add an account, and
 * nothing queued; send behaves the same. */
static void
test_sandbox_only_refused (void)
{
  const char *sendmail[] = { "sendmail", "bob@example.org", NULL };
  const char *input = "Subject: where to?\n\nHi.\n";
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *send_out = NULL;
  g_autofree char *send_err = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  int status;

  status = postier_test_run_ctlv (NULL, input, strlen (input), &out, &err, sendmail);
  g_test_message ("%s%s", out, err);
  g_assert_cmpint (status, ==, EX_CONFIG);
  g_assert_cmpstr (out, ==, "");
  g_assert_cmpuint (count_lines (err), ==, 1);
  g_assert_nonnull (strstr (err, "captured by the Sandbox"));
  g_assert_nonnull (strstr (err, "postierctl account add"));

  status = postier_test_run_ctl ("Hi.\n", &send_out, &send_err, "send", "--to", "bob@example.org", NULL);
  g_assert_cmpint (status, ==, EX_CONFIG);
  g_assert_cmpstr (send_err, ==, err);

  entries = outbox_entries ();
  g_assert_cmpuint (entries->len, ==, 0);
}

/* 0: the Sandbox on purpose, and the words say it was not sent. */
static void
test_sandbox_on_purpose (void)
{
  g_autofree char *tag = new_tag ("sandbox");
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *list = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  const char *verbose[] = { "sendmail", "-v", "--account", "Sandbox", "bob@example.org", NULL };
  const char *input = "Subject: captured too\n\nHi.\n";
  g_autofree char *sendmail_out = NULL;
  g_autofree char *sendmail_err = NULL;
  int status;

  status = postier_test_run_ctl ("Hi.\n", &out, &err, "send", "--account", "Sandbox",
                                 "--to", "bob@example.org", "--subject", tag, NULL);
  g_test_message ("%s%s", out, err);
  g_assert_cmpint (status, ==, EX_OK);
  g_assert_nonnull (strstr (out, "captured by the Sandbox (not sent)"));
  g_assert_null (strstr (out, "Sent"));
  entries = outbox_entries ();
  g_assert_cmpuint (entries->len, ==, 0);

  status = postier_test_run_ctl (NULL, &list, NULL, "sandbox", "list", NULL);
  g_assert_cmpint (status, ==, EX_OK);
  g_assert_nonnull (strstr (list, tag));

  status = postier_test_run_ctlv (NULL, input, strlen (input), &sendmail_out, &sendmail_err, verbose);
  g_assert_cmpint (status, ==, EX_OK);
  g_assert_nonnull (strstr (sendmail_out, "captured by the Sandbox (not sent)"));
}

/* The sendmail face: silent on success, -v says what send says. */
static void
test_sendmail_silent_unless_verbose (void)
{
  g_autofree char *tag = new_tag ("quiet");
  g_autofree char *input = g_strdup_printf ("Subject: %s\n\nQuiet.\n", tag);
  const char *quiet[] = { "sendmail", "-oi", "bob@localhost", NULL };
  const char *verbose[] = { "sendmail", "-v", "bob@localhost", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *verbose_out = NULL;
  g_autofree char *verbose_err = NULL;
  g_autoptr(JsonObject) parsed = NULL;
  int status;

  if (!add_postfix_account (NULL, TRUE))
    return;
  status = postier_test_run_ctlv (NULL, input, strlen (input), &out, &err, quiet);
  g_assert_cmpint (status, ==, EX_OK);
  g_assert_cmpstr (out, ==, "");
  g_assert_cmpstr (err, ==, "");
  parsed = postier_test_maildir_message (tag, 1);

  status = postier_test_run_ctlv (NULL, input, strlen (input), &verbose_out, &verbose_err, verbose);
  g_assert_cmpint (status, ==, EX_OK);
  g_assert_true (g_str_has_prefix (verbose_out, "Sent ("));
  g_assert_cmpstr (verbose_err, ==, "");
  g_clear_pointer (&parsed, json_object_unref);
  parsed = postier_test_maildir_message (tag, 2);
}

/* Bounded input: /dev/zero as the body, /dev/urandom as an attachment,
 * under a 300 MB address-space limit (reading either whole took 1.4 GB in
 * 5 s before): refused as too big or not text, nothing queued. */
/* Bounded memory is shown by running under a 300 MB address-space limit.
 * AddressSanitizer reserves terabytes of shadow address space, so under it
 * the limit would only stop the sanitizer itself. */
#if defined(__SANITIZE_ADDRESS__)
#define MEMORY_LIMIT ""
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MEMORY_LIMIT ""
#endif
#endif
#ifndef MEMORY_LIMIT
#define MEMORY_LIMIT "ulimit -v 300000 && "
#endif

static void
test_device_input_bounded (void)
{
  const char *ctl = g_getenv ("POSTIERCTL");
  g_autofree char *zero = NULL;
  g_autofree char *zero_err = NULL;
  g_autofree char *urandom_err = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  int status;

  if (!add_postfix_account (NULL, TRUE))
    return;
  zero = g_strdup_printf ("%sexec '%s' send --to bob@localhost --subject zero "
                          "--body-file /dev/zero", MEMORY_LIMIT, ctl);
  {
    const char *argv[] = { "/bin/sh", "-c", zero, NULL };
    status = postier_test_run_program (NULL, NULL, NULL, &zero_err, argv);
  }
  g_test_message ("%s", zero_err);
  g_assert_cmpint (status, ==, EX_DATAERR);
  g_assert_nonnull (strstr (zero_err, "NUL"));

  {
    g_autofree char *urandom = g_strdup_printf ("%sexec '%s' send --to bob@localhost "
                                                "--subject random --attach /dev/urandom </dev/null", MEMORY_LIMIT, ctl);
    const char *argv[] = { "/bin/sh", "-c", urandom, NULL };
    status = postier_test_run_program (NULL, NULL, NULL, &urandom_err, argv);
  }
  g_test_message ("%s", urandom_err);
  g_assert_cmpint (status, ==, EX_DATAERR);
  g_assert_nonnull (strstr (urandom_err, "/dev/urandom"));
  g_assert_nonnull (strstr (urandom_err, "larger than"));

  entries = outbox_entries ();
  g_assert_cmpuint (entries->len, ==, 0);
}

/* A FIFO nobody writes: an error naming it after --input-timeout, not a
 * hang; as the body and as an attachment. */
static void
test_fifo_timeout (void)
{
  g_autofree char *fifo = g_build_filename (g_get_user_cache_dir (), "silent.fifo", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *attach_err = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  int status;

  if (!add_postfix_account (NULL, TRUE))
    return;
  g_assert_cmpint (g_mkdir_with_parents (g_get_user_cache_dir (), 0700), ==, 0);
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);

  status = postier_test_run_ctl (NULL, &out, &err, "send", "--to", "bob@localhost", "--subject", "fifo",
                                 "--body-file", fifo, "--input-timeout", "1", NULL);
  g_test_message ("%s%s", out, err);
  g_assert_cmpint (status, ==, EX_NOINPUT);
  g_assert_nonnull (strstr (err, fifo));

  status = postier_test_run_ctl (NULL, NULL, &attach_err, "send", "--to", "bob@localhost", "--subject", "fifo",
                                 "--attach", fifo, "--input-timeout", "1", NULL);
  g_assert_cmpint (status, ==, EX_NOINPUT);
  g_assert_nonnull (strstr (attach_err, fifo));

  entries = outbox_entries ();
  g_assert_cmpuint (entries->len, ==, 0);
  g_unlink (fifo);
}

/* -f is the envelope sender only: the From added to a message without
 * one is the account's identity, not the account's name on -f's address. */
static void
test_envelope_sender_does_not_invent_from (void)
{
  g_autofree char *tag = new_tag ("envelope");
  g_autofree char *input = g_strdup_printf ("Subject: %s\n\nBounces elsewhere.\n", tag);
  const char *args[] = { "sendmail", "-f", "bounces@localhost", "bob@localhost", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonObject) parsed = NULL;
  int status;

  if (!add_postfix_account (NULL, TRUE))
    return;
  status = postier_test_run_ctlv (NULL, input, strlen (input), &out, &err, args);
  g_test_message ("%s%s", out, err);
  g_assert_cmpint (status, ==, EX_OK);
  g_assert_cmpstr (err, ==, "");
  parsed = postier_test_maildir_message (tag, 1);
  g_assert_cmpstr (postier_test_parsed_header (parsed, "From"), ==, "Alice Ärzte <alice@localhost>");
  g_assert_cmpstr (postier_test_parsed_header (parsed, "Return-Path"), ==, "<bounces@localhost>");
}

/* A From that is not the account's address goes out, with a warning. */
static void
test_foreign_from_warned (void)
{
  g_autofree char *tag = new_tag ("foreign");
  g_autofree char *input = g_strdup_printf ("From: Eve <eve@localhost>\nSubject: %s\n\nNot Alice.\n", tag);
  const char *args[] = { "sendmail", "bob@localhost", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonObject) parsed = NULL;
  int status;

  if (!add_postfix_account (NULL, TRUE))
    return;
  status = postier_test_run_ctlv (NULL, input, strlen (input), &out, &err, args);
  g_test_message ("%s%s", out, err);
  g_assert_cmpint (status, ==, EX_OK);
  g_assert_cmpstr (out, ==, "");
  g_assert_cmpuint (count_lines (err), ==, 1);
  g_assert_nonnull (strstr (err, "warning"));
  g_assert_nonnull (strstr (err, "eve@localhost"));
  g_assert_nonnull (strstr (err, "alice@localhost"));
  parsed = postier_test_maildir_message (tag, 1);
  g_assert_cmpstr (postier_test_parsed_header (parsed, "From"), ==, "Eve <eve@localhost>");
}

/* Another process holds the flush lock when send tries: send waits for it
 * and reports what became of its message (sent), not "will send it". */
static void
test_waits_for_other_flusher (void)
{
  g_autofree char *tag = new_tag ("busy");
  g_autofree char *input_path = g_build_filename (g_get_user_cache_dir (), "body.txt", NULL);
  g_autoptr(PostierOutbox) holder = NULL;
  g_autoptr(PostierOutbox) outbox = NULL;
  g_autoptr(PostierAccountStore) store = NULL;
  g_autoptr(PostierSubmitter) submitter = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) parsed = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  guint queued = 0;

  if (!add_postfix_account (NULL, TRUE))
    return;
  g_assert_cmpint (g_mkdir_with_parents (g_get_user_cache_dir (), 0700), ==, 0);
  g_assert_true (g_file_set_contents (input_path, "Waited for the lock.\n", -1, NULL));

  holder = postier_outbox_new (NULL);
  g_assert_true (postier_outbox_lock (holder, &error));
  g_assert_no_error (error);

  launcher = postier_test_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_stdin_file_path (launcher, input_path);
  process = postier_test_launcher_spawn_ctl (launcher, "send", "--to", "bob@localhost", "--subject", tag, NULL);

  /* Its message is queued, and it cannot flush. */
  outbox = postier_outbox_new (NULL);
  for (guint tries = 0; tries < 600 && queued == 0; tries++)
    {
      g_autoptr(GPtrArray) entries = postier_outbox_list (outbox, NULL);

      queued = entries != NULL ? entries->len : 0;
      if (queued == 0)
        g_usleep (50 * 1000);
    }
  g_assert_cmpuint (queued, ==, 1);

  /* The holder lets go and flushes, as the app or another postierctl
   * would; whichever of the two then sends the entry, send must say it
   * went out. */
  postier_outbox_unlock (holder);
  store = postier_account_store_new (NULL);
  g_assert_true (postier_account_store_load (store, &error));
  submitter = postier_submitter_new (outbox, store);
  if (!postier_submitter_flush_sync (submitter, NULL, NULL, &error))
    g_test_message ("our flush: %s", error->message);  /* send took the lock first */
  g_clear_error (&error);

  g_assert_true (g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error));
  g_assert_no_error (error);
  g_test_message ("%s%s", out, err);
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, EX_OK);
  g_assert_true (g_str_has_prefix (out, "Sent ("));
  g_assert_cmpstr (err, ==, "");
  parsed = postier_test_maildir_message (tag, 1);
  g_assert_cmpstr (postier_test_parsed_header (parsed, "Subject"), ==, tag);
}

int
main (int   argc,
      char *argv[])
{
  postier_test_init (&argc, &argv);

  g_test_add_func ("/send-outcome/0-accepted-body-from-stdin", test_accepted_body_from_stdin);
  g_test_add_func ("/send-outcome/0-deferred", test_deferred);
  g_test_add_func ("/send-outcome/0-deferred-sendmail-relay-down", test_deferred_sendmail_relay_down);
  g_test_add_func ("/send-outcome/0-verdict-unknown-flagged", test_verdict_unknown_flagged);
  g_test_add_func ("/send-outcome/65-refused-at-data", test_message_refused_at_data);
  g_test_add_func ("/send-outcome/65-over-size", test_message_over_size);
  g_test_add_func ("/send-outcome/67-all-refused", test_all_recipients_refused);
  g_test_add_func ("/send-outcome/67-some-refused", test_some_recipients_refused);
  g_test_add_func ("/send-outcome/77-login-refused", test_login_refused);
  g_test_add_func ("/send-outcome/78-certificate-not-trusted", test_certificate_not_trusted);
  g_test_add_func ("/send-outcome/78-sandbox-only", test_sandbox_only_refused);
  g_test_add_func ("/send-outcome/0-sandbox-on-purpose", test_sandbox_on_purpose);
  g_test_add_func ("/send-outcome/sendmail-silent-unless-verbose", test_sendmail_silent_unless_verbose);
  g_test_add_func ("/send-outcome/device-input-bounded", test_device_input_bounded);
  g_test_add_func ("/send-outcome/fifo-timeout", test_fifo_timeout);
  g_test_add_func ("/send-outcome/envelope-sender-does-not-invent-from", test_envelope_sender_does_not_invent_from);
  g_test_add_func ("/send-outcome/foreign-from-warned", test_foreign_from_warned);
  g_test_add_func ("/send-outcome/waits-for-other-flusher", test_waits_for_other_flusher);

  return g_test_run ();
}
