/* test-smtp-client.c — the submission engine against the rig's real Postfix
 *
 * Every mechanism Postfix offers over STARTTLS, implicit TLS, a refused
 * password, per-recipient refusals, several messages over one session, and
 * a large 8-bit message that must arrive byte for byte, checked in the
 * Maildir and parsed back by Python's email package.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <json-glib/json-glib.h>
#include <unistd.h>

#include "postier-core.h"
#include "postier-smtp-client.h"
#include "postier-test.h"

typedef struct {
  const char *maildir;
  const char *password;
  char       *folder;    /* scratch space for message files */
} Rig;

static gboolean
rig_init (Rig *rig)
{
  if ((rig->maildir = postier_test_rig ("MAILDIR")) == NULL ||
      (rig->password = postier_test_rig ("PASSWORD")) == NULL ||
      postier_test_rig ("CA") == NULL ||
      postier_test_rig ("SUBMISSION_PORT") == NULL ||
      postier_test_rig ("SMTPS_PORT") == NULL)
    return FALSE;
  rig->folder = g_dir_make_tmp ("postier-smtp-XXXXXX", NULL);
  g_assert_nonnull (rig->folder);
  return TRUE;
}

static void
rig_clear (Rig *rig)
{
  if (rig->folder != NULL)
    {
      g_autoptr(GDir) dir = g_dir_open (rig->folder, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *path = g_build_filename (rig->folder, name, NULL);
          g_unlink (path);
        }
      g_rmdir (rig->folder);
      g_clear_pointer (&rig->folder, g_free);
    }
}

static PostierAccount *
rig_account (PostierSecurity   security,
             PostierAuthMethod auth)
{
  PostierAccount *account = postier_account_new ("rig");
  const char *port = security == POSTIER_SECURITY_TLS ? postier_test_rig ("SMTPS_PORT") :
                     security == POSTIER_SECURITY_STARTTLS ? postier_test_rig ("SUBMISSION_PORT") :
                     postier_test_rig ("PLAIN_PORT");

  postier_account_set_identity (account, "Alice <alice@localhost>");
  postier_account_set_host (account, "localhost");
  postier_account_set_port (account, (guint) g_ascii_strtoull (port, NULL, 10));
  postier_account_set_security (account, security);
  postier_account_set_auth (account, auth);
  postier_account_set_user (account, postier_test_rig ("USER"));
  postier_account_set_ca_file (account, postier_test_rig ("CA"));
  return account;
}

static PostierSmtpClient *
open_client (Rig               *rig,
             PostierSecurity    security,
             PostierAuthMethod  auth,
             GError           **error)
{
  g_autoptr(PostierAccount) account = rig_account (security, auth);
  PostierSmtpClient *client = postier_smtp_client_new (account);

  postier_smtp_client_set_password (client, rig->password);
  postier_smtp_client_set_timeout (client, 20);
  if (!postier_smtp_client_open (client, NULL, error))
    g_assert_false (postier_smtp_client_is_open (client));
  return client;
}

/* A small message with a unique Message-ID, written to a file. */
static char *
write_message (Rig        *rig,
               const char *message_id,
               const char *to,
               const char *body)
{
  g_autofree char *name = g_strdup_printf ("%s.eml", message_id);
  char *path = g_build_filename (rig->folder, name, NULL);
  g_autofree char *text = g_strdup_printf ("From: Alice <alice@localhost>\r\n"
                                           "To: %s\r\n"
                                           "Subject: Postier test %s\r\n"
                                           "Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n"
                                           "Message-ID: <%s@postier.test>\r\n"
                                           "MIME-Version: 1.0\r\n"
                                           "Content-Type: text/plain; charset=utf-8\r\n"
                                           "Content-Transfer-Encoding: 8bit\r\n"
                                           "\r\n"
                                           "%s",
                                           to, message_id, message_id, body);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
  return path;
}

static char *
unique_id (const char *what)
{
  static guint counter;
  return g_strdup_printf ("%s-%d-%u-%" G_GINT64_FORMAT, what, getpid (), ++counter, g_get_real_time ());
}

/* Waits (bounded) for the message with MESSAGE_ID in the rig Maildir;
 * returns its path, NULL if it never came. Big messages take a moment. */
static char *
wait_for_delivery (Rig        *rig,
                   const char *message_id,
                   guint       seconds)
{
  g_autofree char *new_dir = g_build_filename (rig->maildir, "new", NULL);
  g_autofree char *needle = g_strdup_printf ("Message-ID: <%s@postier.test>", message_id);

  for (guint attempt = 0; attempt < seconds * 10; attempt++)
    {
      g_autoptr(GDir) dir = g_dir_open (new_dir, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *path = g_build_filename (new_dir, name, NULL);
          g_autoptr(GMappedFile) file = g_mapped_file_new (path, FALSE, NULL);

          if (file != NULL &&
              memmem (g_mapped_file_get_contents (file), g_mapped_file_get_length (file),
                      needle, strlen (needle)) != NULL)
            return g_steal_pointer (&path);
        }
      g_usleep (100 * 1000);
    }
  return NULL;
}

static PostierEnvelope *
envelope_for (const char *first_recipient,
              ...)
{
  PostierEnvelope *envelope = postier_envelope_new ("alice@localhost");
  va_list args;

  va_start (args, first_recipient);
  for (const char *r = first_recipient; r != NULL; r = va_arg (args, const char *))
    postier_envelope_add_recipient (envelope, r);
  va_end (args);
  return envelope;
}

static void
send_and_check (Rig               *rig,
                PostierSmtpClient *client,
                const char        *what)
{
  g_autofree char *id = unique_id (what);
  g_autofree char *path = write_message (rig, id, "bob@example.org", "Hello from Postier.\r\n");
  g_autoptr(PostierEnvelope) envelope = envelope_for ("bob@example.org", NULL);
  g_autoptr(GArray) results = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *delivered = NULL;
  PostierSmtpRecipientResult *result;

  g_assert_true (postier_smtp_client_send (client, envelope, path, &results, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 1);
  result = &g_array_index (results, PostierSmtpRecipientResult, 0);
  g_assert_cmpstr (result->address, ==, "bob@example.org");
  g_assert_true (result->accepted);
  g_assert_cmpuint (result->code, ==, 250);

  delivered = wait_for_delivery (rig, id, 10);
  g_assert_nonnull (delivered);
}

static void
test_mechanism (gconstpointer data)
{
  PostierAuthMethod method = GPOINTER_TO_INT (data);
  static const char * const names[] = {
    [POSTIER_AUTH_PLAIN] = "PLAIN",
    [POSTIER_AUTH_LOGIN] = "LOGIN",
    [POSTIER_AUTH_CRAM_MD5] = "CRAM-MD5",
    [POSTIER_AUTH_SCRAM_SHA_1] = "SCRAM-SHA-1",
    [POSTIER_AUTH_SCRAM_SHA_256] = "SCRAM-SHA-256",
  };
  Rig rig = { 0 };
  g_autoptr(PostierSmtpClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *transcript = NULL;

  if (!rig_init (&rig))
    return;

  client = open_client (&rig, POSTIER_SECURITY_STARTTLS, method, &error);
  g_assert_no_error (error);
  g_assert_true (postier_smtp_client_is_open (client));
  g_assert_cmpstr (postier_smtp_client_get_auth_mechanism (client), ==, names[method]);
  g_assert_nonnull (postier_smtp_client_get_tls_summary (client));
  g_assert_true (g_str_has_prefix (postier_smtp_client_get_tls_summary (client), "TLSv1."));
  send_and_check (&rig, client, names[method]);
  postier_smtp_client_close (client, NULL);
  g_assert_false (postier_smtp_client_is_open (client));

  /* The dialogue is kept for the outbox, but never the credentials. */
  transcript = postier_smtp_client_take_transcript (client);
  g_assert_nonnull (strstr (transcript, "C: STARTTLS"));
  g_assert_nonnull (strstr (transcript, "[redacted]"));
  g_assert_null (strstr (transcript, rig.password));
  rig_clear (&rig);
}


static PostierSmtpRecipientResult *
result_at (GArray *results,
           guint   index)
{
  return &g_array_index (results, PostierSmtpRecipientResult, index);
}

static void
test_auto_and_capabilities (void)
{
  Rig rig = { 0 };
  g_autoptr(PostierSmtpClient) client = NULL;
  g_autoptr(GError) error = NULL;
  PostierSmtpCapabilities caps;
  const char * const *lines;
  gboolean saw_size = FALSE;

  if (!rig_init (&rig))
    return;

  client = open_client (&rig, POSTIER_SECURITY_STARTTLS, POSTIER_AUTH_AUTO, &error);
  g_assert_no_error (error);
  /* The strongest mechanism Postfix offers (no -PLUS: Postfix gives Cyrus
   * no channel binding). */
  g_assert_cmpstr (postier_smtp_client_get_auth_mechanism (client), ==, "SCRAM-SHA-256");

  caps = postier_smtp_client_get_capabilities (client);
  g_assert_true (caps & POSTIER_SMTP_CAP_PIPELINING);
  g_assert_true (caps & POSTIER_SMTP_CAP_SIZE);
  g_assert_true (caps & POSTIER_SMTP_CAP_8BITMIME);
  g_assert_true (caps & POSTIER_SMTP_CAP_ENHANCEDSTATUSCODES);
  g_assert_true (caps & POSTIER_SMTP_CAP_SMTPUTF8);
  g_assert_true (caps & POSTIER_SMTP_CAP_DSN);
  g_assert_true (caps & POSTIER_SMTP_CAP_AUTH);
  /* These are the capabilities after TLS, where STARTTLS is no more. */
  g_assert_false (caps & POSTIER_SMTP_CAP_STARTTLS);
  g_assert_cmpuint (postier_smtp_client_get_size_limit (client), ==, 52428800);
  lines = postier_smtp_client_get_capability_lines (client);
  for (guint i = 0; lines[i] != NULL; i++)
    saw_size = saw_size || g_str_equal (lines[i], "SIZE 52428800");
  g_assert_true (saw_size);

  /* The certificate the person would be shown. */
  g_assert_nonnull (strstr (postier_smtp_client_get_certificate_summary (client), "CN=localhost"));
  g_assert_nonnull (strstr (postier_smtp_client_get_certificate_summary (client), "Postier Test CA"));
  g_assert_cmpuint (strlen (postier_smtp_client_get_certificate_sha256 (client)), ==, 32 * 3 - 1);

  postier_smtp_client_close (client, NULL);
  postier_smtp_client_close (client, NULL);   /* twice is fine */
  rig_clear (&rig);
}

static void
test_implicit_tls (void)
{
  Rig rig = { 0 };
  g_autoptr(PostierSmtpClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *transcript = NULL;

  if (!rig_init (&rig))
    return;

  client = open_client (&rig, POSTIER_SECURITY_TLS, POSTIER_AUTH_AUTO, &error);
  g_assert_no_error (error);
  g_assert_nonnull (postier_smtp_client_get_tls_summary (client));
  send_and_check (&rig, client, "smtps");
  postier_smtp_client_close (client, NULL);

  /* TLS from the first byte: no STARTTLS in the dialogue. */
  transcript = postier_smtp_client_take_transcript (client);
  g_assert_null (strstr (transcript, "STARTTLS"));
  g_assert_true (strstr (transcript, "-- TLS: ") < strstr (transcript, "S: 220"));
  rig_clear (&rig);
}

static void
test_wrong_password (void)
{
  Rig rig = { 0 };
  g_autoptr(PostierAccount) account = NULL;
  g_autoptr(PostierSmtpClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *transcript = NULL;

  if (!rig_init (&rig))
    return;

  for (PostierAuthMethod method = POSTIER_AUTH_AUTO; method <= POSTIER_AUTH_PLAIN; method += POSTIER_AUTH_PLAIN)
    {
      g_clear_object (&account);
      g_clear_object (&client);
      g_clear_error (&error);
      account = rig_account (POSTIER_SECURITY_STARTTLS, method);
      client = postier_smtp_client_new (account);
      postier_smtp_client_set_password (client, "not-the-password-0123");
      g_assert_false (postier_smtp_client_open (client, NULL, &error));
      /* Needs the person: never retried automatically. */
      g_assert_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_AUTH);
      g_assert_nonnull (strstr (error->message, "535"));
      g_assert_nonnull (strstr (error->message, "alice@localhost"));
      g_assert_false (postier_smtp_client_is_open (client));

      transcript = postier_smtp_client_take_transcript (client);
      g_assert_null (strstr (transcript, "not-the-password-0123"));
      g_clear_pointer (&transcript, g_free);
    }
  rig_clear (&rig);
}

/* Postfix refuses refuse* with 550 and tempfail* with 450 (the rig's
 * recipient_access); the session must go on after each refusal. */
static void
test_recipients (void)
{
  Rig rig = { 0 };
  g_autoptr(PostierSmtpClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = unique_id ("mixed");
  g_autofree char *path = NULL;
  g_autoptr(PostierEnvelope) mixed = NULL;
  g_autoptr(PostierEnvelope) refused = envelope_for ("refuse-all@example.org", NULL);
  g_autoptr(PostierEnvelope) deferred = envelope_for ("tempfail-all@example.org", NULL);
  g_autoptr(PostierEnvelope) both = envelope_for ("refuse-b@example.org", "tempfail-b@example.org", NULL);
  g_autoptr(GArray) results = NULL;
  g_autofree char *delivered_path = NULL;
  g_autofree char *delivered = NULL;
  g_autofree char *transcript = NULL;

  if (!rig_init (&rig))
    return;
  path = write_message (&rig, id, "several", "Some of you get this.\r\n");
  mixed = envelope_for ("carol@example.org", "refuse-1@example.org", "tempfail-1@example.org", NULL);

  client = open_client (&rig, POSTIER_SECURITY_STARTTLS, POSTIER_AUTH_AUTO, &error);
  g_assert_no_error (error);

  g_assert_true (postier_smtp_client_send (client, mixed, path, &results, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 3);
  g_assert_true (result_at (results, 0)->accepted);
  g_assert_false (result_at (results, 1)->accepted);
  g_assert_cmpuint (result_at (results, 1)->code, ==, 550);
  g_assert_true (g_str_has_prefix (result_at (results, 1)->reply, "550 5.1.1 "));
  g_assert_nonnull (strstr (result_at (results, 1)->reply, "Recipient refused by the test rig"));
  g_assert_false (result_at (results, 2)->accepted);
  g_assert_cmpuint (result_at (results, 2)->code, ==, 450);
  g_assert_nonnull (strstr (result_at (results, 2)->reply, "4.2.1"));
  g_clear_pointer (&results, g_array_unref);

  delivered_path = wait_for_delivery (&rig, id, 10);
  g_assert_nonnull (delivered_path);
  delivered = postier_test_read_file (delivered_path, NULL);
  g_assert_nonnull (strstr (delivered, "Delivered-To: carol@example.org"));
  g_assert_null (strstr (delivered, "Delivered-To: refuse-1@example.org"));

  /* Every recipient refused for good: permanent; the session lives on. */
  g_assert_false (postier_smtp_client_send (client, refused, path, &results, NULL, &error));
  g_assert_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_PERMANENT);
  g_assert_nonnull (strstr (error->message, "550 5.1.1"));
  g_assert_cmpuint (result_at (results, 0)->code, ==, 550);
  g_assert_true (postier_smtp_client_is_open (client));
  g_clear_error (&error);
  g_clear_pointer (&results, g_array_unref);

  /* Only temporary refusals: try later. */
  g_assert_false (postier_smtp_client_send (client, deferred, path, &results, NULL, &error));
  g_assert_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_TEMPORARY);
  g_assert_true (postier_smtp_client_is_open (client));
  g_clear_error (&error);
  g_clear_pointer (&results, g_array_unref);

  /* A mix of 5xx and 4xx with nobody accepted: temporary too. */
  g_assert_false (postier_smtp_client_send (client, both, path, &results, NULL, &error));
  g_assert_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_TEMPORARY);
  g_assert_cmpuint (result_at (results, 0)->code, ==, 550);
  g_assert_cmpuint (result_at (results, 1)->code, ==, 450);
  g_clear_error (&error);
  g_clear_pointer (&results, g_array_unref);

  /* After the failures, a good message still goes through (RSET first). */
  send_and_check (&rig, client, "after-refusals");
  postier_smtp_client_close (client, NULL);

  transcript = postier_smtp_client_take_transcript (client);
  g_assert_nonnull (strstr (transcript, "C: RSET"));
  rig_clear (&rig);
}

static void
test_several_messages (void)
{
  Rig rig = { 0 };
  g_autoptr(PostierSmtpClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *transcript = NULL;

  if (!rig_init (&rig))
    return;

  client = open_client (&rig, POSTIER_SECURITY_STARTTLS, POSTIER_AUTH_AUTO, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 20; i++)
    send_and_check (&rig, client, "batch");
  postier_smtp_client_close (client, NULL);

  /* One connection, one login, no RSET between successful messages. */
  transcript = postier_smtp_client_take_transcript (client);
  g_assert_null (strstr (transcript, "RSET"));
  g_assert_nonnull (strstr (transcript, "C: AUTH SCRAM-SHA-256 [redacted]"));
  g_assert_null (strstr (strstr (transcript, "C: AUTH") + 1, "C: AUTH"));
  rig_clear (&rig);
}

typedef struct {
  guint64 last;
  guint64 total;
  guint   calls;
} Progress;

static void
on_progress (guint64  sent,
             guint64  total,
             gpointer user_data)
{
  Progress *progress = user_data;

  g_assert_cmpuint (sent, >=, progress->last);
  g_assert_cmpuint (sent, <=, total);
  progress->last = sent;
  progress->total = total;
  progress->calls++;
}

/* A multipart message: 8-bit UTF-8 text with lines that need
 * dot-stuffing, and a base64 attachment of SIZE random bytes. */
static char *
write_big_message (Rig        *rig,
                   const char *message_id,
                   const char *text,
                   gsize       size,
                   char      **attachment_sha256)
{
  g_autofree char *name = g_strdup_printf ("%s.eml", message_id);
  char *path = g_build_filename (rig->folder, name, NULL);
  g_autoptr(GString) message = g_string_sized_new (size * 4 / 3 + size / 20 + 4096);
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261123);
  g_autofree guchar *data = g_malloc (size);
  g_autoptr(GError) error = NULL;

  for (gsize i = 0; i < size; i += 4)
    {
      guint32 r = g_rand_int (rand);
      memcpy (data + i, &r, MIN (4, size - i));
    }
  g_checksum_update (checksum, data, size);
  *attachment_sha256 = g_strdup (g_checksum_get_string (checksum));

  g_string_append_printf (message,
                          "From: Alice <alice@localhost>\r\n"
                          "To: bob@example.org\r\n"
                          "Subject: =?UTF-8?B?R3JhbmQgbWVzc2FnZSDDoCBsYSBjYW1wYWduZQ==?=\r\n"
                          "Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n"
                          "Message-ID: <%s@postier.test>\r\n"
                          "MIME-Version: 1.0\r\n"
                          "Content-Type: multipart/mixed; boundary=\"postier-boundary-42\"\r\n"
                          "\r\n"
                          "--postier-boundary-42\r\n"
                          "Content-Type: text/plain; charset=utf-8\r\n"
                          "Content-Transfer-Encoding: 8bit\r\n"
                          "\r\n", message_id);
  for (const char *p = text; *p; p++)
    {
      if (*p == '\n')
        g_string_append_c (message, '\r');
      g_string_append_c (message, *p);
    }
  g_string_append (message,
                   "--postier-boundary-42\r\n"
                   "Content-Type: application/octet-stream; name=\"random.bin\"\r\n"
                   "Content-Disposition: attachment; filename=\"random.bin\"\r\n"
                   "Content-Transfer-Encoding: base64\r\n"
                   "\r\n");
  for (gsize i = 0; i < size; i += 57)
    {
      g_autofree char *line = g_base64_encode (data + i, MIN (57, size - i));
      g_string_append (message, line);
      g_string_append (message, "\r\n");
    }
  g_string_append (message, "--postier-boundary-42--\r\n");

  g_file_set_contents (path, message->str, (gssize) message->len, &error);
  g_assert_no_error (error);
  return path;
}

/* The delivered file is what we sent, with LF line ends, after the few
 * headers Postfix prepends; nothing else may differ. */
static void
assert_delivered_intact (const char *sent_path,
                         const char *delivered_path)
{
  gsize sent_length, delivered_length;
  g_autofree char *sent = postier_test_read_file (sent_path, &sent_length);
  g_autofree char *delivered = postier_test_read_file (delivered_path, &delivered_length);
  g_autoptr(GString) expected = g_string_sized_new (sent_length);
  g_autofree char *prefix = NULL;
  g_auto(GStrv) prefix_lines = NULL;

  for (gsize i = 0; i < sent_length; i++)
    if (!(sent[i] == '\r' && i + 1 < sent_length && sent[i + 1] == '\n'))
      g_string_append_c (expected, sent[i]);

  g_assert_cmpuint (delivered_length, >, expected->len);
  g_assert_true (memcmp (delivered + delivered_length - expected->len, expected->str, expected->len) == 0);

  prefix = g_strndup (delivered, delivered_length - expected->len);
  prefix_lines = g_strsplit (prefix, "\n", -1);
  for (guint i = 0; prefix_lines[i] != NULL; i++)
    {
      const char *line = prefix_lines[i];

      if (*line == '\0' && prefix_lines[i + 1] == NULL)
        break;
      if (!(g_str_has_prefix (line, "Return-Path: ") || g_str_has_prefix (line, "Delivered-To: ") ||
            g_str_has_prefix (line, "Received: ") || g_str_has_prefix (line, "X-Original-To: ") ||
            *line == ' ' || *line == '\t'))
        g_error ("unexpected line before the message: %s", line);
    }
}

static const char parse_back_script[] =
  "import email, email.policy, hashlib, json, sys\n"
  "with open(sys.argv[1], 'rb') as f:\n"
  "    m = email.message_from_binary_file(f, policy=email.policy.default)\n"
  "text = m.get_body(preferencelist=('plain',)).get_content()\n"
  "att = next(m.iter_attachments())\n"
  "print(json.dumps({'subject': str(m['subject']), 'text': text,\n"
  "                  'filename': att.get_filename(),\n"
  "                  'sha256': hashlib.sha256(att.get_content()).hexdigest(),\n"
  "                  'defects': len(m.defects)}))\n";

static void
test_big_8bit_message (void)
{
  static const char text[] =
    "Bonjour Bob, ça va ? Voilà le fichier promis — 20 Mo.\n"
    ".\n"
    "..deux points en tête\n"
    ".une ligne cachée\n"
    "Ünïcödé ✓ 日本語 Ελληνικά\n";
  Rig rig = { 0 };
  g_autoptr(PostierSmtpClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = unique_id ("big");
  g_autofree char *sha256 = NULL;
  g_autofree char *path = NULL;
  g_autoptr(PostierEnvelope) envelope = envelope_for ("bob@example.org", NULL);
  g_autoptr(GArray) results = NULL;
  g_autofree char *delivered = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *transcript = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *parsed;
  Progress progress = { 0 };
  const char *argv[] = { "/usr/bin/python3", "-c", parse_back_script, NULL, NULL };
  g_autofree char *body_text = g_strndup (text, strlen (text) - 1);

  if (!rig_init (&rig))
    return;

  path = write_big_message (&rig, id, text, 20 * 1024 * 1024, &sha256);
  postier_envelope_set_8bit (envelope, TRUE);

  client = open_client (&rig, POSTIER_SECURITY_STARTTLS, POSTIER_AUTH_AUTO, &error);
  g_assert_no_error (error);
  postier_smtp_client_set_progress_func (client, on_progress, &progress);
  g_assert_true (postier_smtp_client_send (client, envelope, path, &results, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (result_at (results, 0)->accepted);
  postier_smtp_client_close (client, NULL);

  /* Progress is reported as the data goes, ending at the whole file. */
  g_assert_cmpuint (progress.calls, >, 10);
  g_assert_cmpuint (progress.last, ==, progress.total);
  transcript = postier_smtp_client_take_transcript (client);
  g_assert_nonnull (strstr (transcript, "BODY=8BITMIME"));
  g_assert_nonnull (strstr (transcript, " SIZE="));

  delivered = wait_for_delivery (&rig, id, 30);
  g_assert_nonnull (delivered);
  assert_delivered_intact (path, delivered);

  argv[3] = delivered;
  g_assert_cmpint (postier_test_run_program (NULL, NULL, &out, &err, argv), ==, 0);
  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);
  parsed = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (parsed, "subject"), ==, "Grand message à la campagne");
  /* The line end before a boundary belongs to the boundary (RFC 2046). */
  g_assert_cmpstr (json_object_get_string_member (parsed, "text"), ==, body_text);
  g_assert_cmpstr (json_object_get_string_member (parsed, "filename"), ==, "random.bin");
  g_assert_cmpstr (json_object_get_string_member (parsed, "sha256"), ==, sha256);
  g_assert_cmpint (json_object_get_int_member (parsed, "defects"), ==, 0);
  rig_clear (&rig);
}

static void
test_too_big (void)
{
  Rig rig = { 0 };
  g_autoptr(PostierSmtpClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = unique_id ("huge");
  g_autofree char *path = NULL;
  g_autoptr(PostierEnvelope) envelope = envelope_for ("bob@example.org", NULL);
  g_autoptr(GArray) results = NULL;
  g_autofree char *transcript = NULL;

  if (!rig_init (&rig))
    return;
  path = write_message (&rig, id, "bob@example.org", "Pretend to be big.\r\n");
  postier_envelope_set_size (envelope, 60 * 1000 * 1000);

  client = open_client (&rig, POSTIER_SECURITY_STARTTLS, POSTIER_AUTH_AUTO, &error);
  g_assert_no_error (error);
  g_assert_false (postier_smtp_client_send (client, envelope, path, &results, NULL, &error));
  g_assert_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_TOO_BIG);
  /* Both sizes, so the person knows how much to cut. */
  g_assert_nonnull (strstr (error->message, "60000000"));
  g_assert_nonnull (strstr (error->message, "52428800"));
  g_assert_cmpuint (results->len, ==, 1);
  g_assert_cmpuint (result_at (results, 0)->code, ==, 0);

  /* Nothing was sent for it, and the session is still good. */
  transcript = postier_smtp_client_take_transcript (client);
  g_assert_null (strstr (transcript, "MAIL FROM"));
  g_assert_true (postier_smtp_client_is_open (client));
  send_and_check (&rig, client, "after-too-big");
  postier_smtp_client_close (client, NULL);
  rig_clear (&rig);
}

static void
test_plain_loopback (void)
{
  Rig rig = { 0 };
  g_autoptr(PostierSmtpClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *transcript = NULL;

  if (!rig_init (&rig) || postier_test_rig ("PLAIN_PORT") == NULL)
    return;

  /* Security none with a password: AUTH is never sent in the clear. */
  client = open_client (&rig, POSTIER_SECURITY_NONE, POSTIER_AUTH_PLAIN, &error);
  g_assert_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_AUTH);
  transcript = postier_smtp_client_take_transcript (client);
  g_assert_null (strstr (transcript, "C: AUTH"));
  g_clear_object (&client);
  g_clear_error (&error);

  /* Without a login, loopback in the clear works (the Sandbox's case). */
  client = open_client (&rig, POSTIER_SECURITY_NONE, POSTIER_AUTH_NONE, &error);
  g_assert_no_error (error);
  g_assert_null (postier_smtp_client_get_tls_summary (client));
  g_assert_null (postier_smtp_client_get_auth_mechanism (client));
  send_and_check (&rig, client, "plain");
  postier_smtp_client_close (client, NULL);
  rig_clear (&rig);
}

static void
test_pinned_certificate (void)
{
  Rig rig = { 0 };
  g_autoptr(PostierAccount) account = NULL;
  g_autoptr(PostierSmtpClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *fingerprint = NULL;

  if (!rig_init (&rig))
    return;

  /* With the system store only, the rig's private CA is unknown: the
   * error names the reason and the fingerprint is there to compare. */
  account = rig_account (POSTIER_SECURITY_STARTTLS, POSTIER_AUTH_AUTO);
  postier_account_set_ca_file (account, NULL);
  client = postier_smtp_client_new (account);
  postier_smtp_client_set_password (client, rig.password);
  g_assert_false (postier_smtp_client_open (client, NULL, &error));
  g_assert_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_TLS_CERTIFICATE);
  g_assert_nonnull (strstr (error->message, "Untrusted issuer"));
  fingerprint = g_strdup (postier_smtp_client_get_certificate_sha256 (client));
  g_assert_nonnull (fingerprint);
  g_assert_nonnull (strstr (error->message, fingerprint));
  g_assert_nonnull (postier_smtp_client_get_certificate_summary (client));
  g_clear_object (&client);
  g_clear_error (&error);

  /* Pinning that fingerprint replaces the chain check… */
  postier_account_set_pinned_sha256 (account, fingerprint);
  client = postier_smtp_client_new (account);
  postier_smtp_client_set_password (client, rig.password);
  g_assert_true (postier_smtp_client_open (client, NULL, &error));
  g_assert_no_error (error);
  send_and_check (&rig, client, "pinned");
  postier_smtp_client_close (client, NULL);
  g_clear_object (&client);

  /* …and any other certificate is refused, even one the CA signed. */
  postier_account_set_ca_file (account, postier_test_rig ("CA"));
  postier_account_set_pinned_sha256 (account, "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
  client = postier_smtp_client_new (account);
  postier_smtp_client_set_password (client, rig.password);
  g_assert_false (postier_smtp_client_open (client, NULL, &error));
  g_assert_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_TLS_CERTIFICATE);
  g_assert_nonnull (strstr (error->message, "Pinned"));
  rig_clear (&rig);
}

static void
test_cancelled (void)
{
  Rig rig = { 0 };
  g_autoptr(PostierAccount) account = NULL;
  g_autoptr(PostierSmtpClient) client = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;

  if (!rig_init (&rig))
    return;
  account = rig_account (POSTIER_SECURITY_STARTTLS, POSTIER_AUTH_AUTO);
  client = postier_smtp_client_new (account);
  g_cancellable_cancel (cancellable);
  g_assert_false (postier_smtp_client_open (client, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  rig_clear (&rig);
}

/* postierctl account test: what a person runs first. */
static void
test_ctl_account_test (void)
{
  Rig rig = { 0 };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *password_line = NULL;
  int status;

  if (!rig_init (&rig) || postier_test_rig ("KEYRING") == NULL)
    return;

  password_line = g_strdup_printf ("%s\n", rig.password);
  status = postier_test_run_ctl (password_line, &out, &err, "account", "add", "work",
                                 "--from", "Alice <alice@localhost>", "--host", "localhost",
                                 "--port", postier_test_rig ("SUBMISSION_PORT"), "--security", "starttls",
                                 "--user", postier_test_rig ("USER"), "--ca-file", postier_test_rig ("CA"),
                                 "--password-stdin", NULL);
  g_assert_cmpint (status, ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  status = postier_test_run_ctl (NULL, &out, &err, "account", "test", "work", NULL);
  if (status != 0)
    g_test_message ("stderr: %s", err);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, "TLSv1."));
  g_assert_nonnull (strstr (out, "SCRAM-SHA-256"));
  g_assert_nonnull (strstr (out, "PIPELINING"));
  g_assert_nonnull (strstr (out, "SHA-256:"));
  g_assert_nonnull (strstr (out, "CN=localhost"));
  g_assert_null (strstr (out, rig.password));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* A wrong password: EX_NOPERM and the server's words. */
  status = postier_test_run_ctl ("wrong-password\n", &out, &err, "account", "add", "bad",
                                 "--from", "alice@localhost", "--host", "localhost",
                                 "--port", postier_test_rig ("SUBMISSION_PORT"), "--security", "starttls",
                                 "--user", postier_test_rig ("USER"), "--ca-file", postier_test_rig ("CA"),
                                 "--password-stdin", NULL);
  g_assert_cmpint (status, ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  status = postier_test_run_ctl (NULL, &out, &err, "account", "test", "bad", NULL);
  g_assert_cmpint (status, ==, 77);
  g_assert_nonnull (strstr (err, "535"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* No CA file: the certificate is shown with the reason; EX_UNAVAILABLE. */
  status = postier_test_run_ctl (password_line, &out, &err, "account", "add", "untrusted",
                                 "--from", "alice@localhost", "--host", "localhost",
                                 "--port", postier_test_rig ("SMTPS_PORT"), "--security", "tls",
                                 "--user", postier_test_rig ("USER"), "--password-stdin", NULL);
  g_assert_cmpint (status, ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  status = postier_test_run_ctl (NULL, &out, &err, "account", "test", "untrusted", NULL);
  g_assert_cmpint (status, ==, 69);
  g_assert_nonnull (strstr (err, "Untrusted issuer"));
  g_assert_nonnull (strstr (err, "SHA-256:"));
  g_assert_nonnull (strstr (err, "Postier Test CA"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* The relay is down: a temporary failure, EX_TEMPFAIL, worth a retry. */
  {
    g_autofree char *dead_port = g_strdup_printf ("%u", postier_test_dead_port ());

    status = postier_test_run_ctl (password_line, &out, &err, "account", "add", "down",
                                   "--from", "alice@localhost", "--host", "localhost",
                                   "--port", dead_port, "--security", "tls",
                                   "--user", postier_test_rig ("USER"), "--password-stdin", NULL);
    g_assert_cmpint (status, ==, 0);
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
    status = postier_test_run_ctl (NULL, &out, &err, "account", "test", "down", NULL);
    g_assert_cmpint (status, ==, 75);
    g_assert_nonnull (strstr (err, dead_port));
  }
  rig_clear (&rig);
}

int
main (int    argc,
      char **argv)
{
  postier_test_init (&argc, &argv);

  g_test_add_data_func ("/smtp/postfix/starttls/plain", GINT_TO_POINTER (POSTIER_AUTH_PLAIN), test_mechanism);
  g_test_add_data_func ("/smtp/postfix/starttls/login", GINT_TO_POINTER (POSTIER_AUTH_LOGIN), test_mechanism);
  g_test_add_data_func ("/smtp/postfix/starttls/cram-md5", GINT_TO_POINTER (POSTIER_AUTH_CRAM_MD5), test_mechanism);
  g_test_add_data_func ("/smtp/postfix/starttls/scram-sha-1", GINT_TO_POINTER (POSTIER_AUTH_SCRAM_SHA_1), test_mechanism);
  g_test_add_data_func ("/smtp/postfix/starttls/scram-sha-256", GINT_TO_POINTER (POSTIER_AUTH_SCRAM_SHA_256), test_mechanism);

  g_test_add_func ("/smtp/postfix/auto-and-capabilities", test_auto_and_capabilities);
  g_test_add_func ("/smtp/postfix/implicit-tls", test_implicit_tls);
  g_test_add_func ("/smtp/postfix/wrong-password", test_wrong_password);
  g_test_add_func ("/smtp/postfix/recipients", test_recipients);
  g_test_add_func ("/smtp/postfix/several-messages", test_several_messages);
  g_test_add_func ("/smtp/postfix/big-8bit-message", test_big_8bit_message);
  g_test_add_func ("/smtp/postfix/too-big", test_too_big);
  g_test_add_func ("/smtp/postfix/plain-loopback", test_plain_loopback);
  g_test_add_func ("/smtp/postfix/pinned-certificate", test_pinned_certificate);
  g_test_add_func ("/smtp/postfix/cancelled", test_cancelled);
  g_test_add_func ("/smtp/postfix/postierctl-account-test", test_ctl_account_test);

  return g_test_run ();
}
