/* test-message-check.c — the Sandbox's check list flags what a relay or a
 * reader would dislike
 *
 * Each message is built to break one rule, injected into the Sandbox
 * receiver by smtplib, loaded back from the sandbox Maildir and checked:
 * the rule it breaks is flagged, the others are not.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "postier-core.h"
#include "postier-gmime.h"
#include "postier-message-check.h"
#include "postier-mime-tree.h"
#include "postier-test.h"
#include "postier-test-sandbox.h"

#define CRLF "\r\n"
#define IDENTITY "Ada Lovelace <ada@example.org>"

/* A message that passes every check; tests replace or add lines. */
typedef struct {
  const char *date;          /* NULL: no Date header */
  const char *message_id;
  const char *from;
  const char *subject;
  const char *extra_headers; /* complete lines, CRLF-terminated */
  const char *mime;          /* Content-Type line and body, from the header block's end */
} Parts;

static const Parts good = {
  "Date: Mon, 1 Jan 2024 10:00:00 +0000" CRLF,
  "Message-ID: <good.1@example.org>" CRLF,
  "From: " IDENTITY CRLF,
  "Subject: =?UTF-8?Q?Caf=C3=A9?= ok" CRLF,
  "",
  "MIME-Version: 1.0" CRLF
  "Content-Type: text/plain; charset=utf-8" CRLF
  "Content-Transfer-Encoding: 7bit" CRLF
  CRLF
  "Hello." CRLF,
};

static char *
build (const Parts *parts)
{
  return g_strconcat (parts->date != NULL ? parts->date : "",
                      parts->message_id != NULL ? parts->message_id : "",
                      parts->from != NULL ? parts->from : "",
                      "To: Bob <bob@example.net>" CRLF,
                      parts->subject != NULL ? parts->subject : "",
                      parts->extra_headers,
                      parts->mime, NULL);
}

typedef struct {
  PostierTestSandbox *sandbox;
  GPtrArray          *items;
  GBytes             *bytes;
  guint64             size_limit;
} Checked;

static void
checked_clear (Checked *checked)
{
  g_clear_pointer (&checked->sandbox, postier_test_sandbox_free);
  g_clear_pointer (&checked->items, g_ptr_array_unref);
  g_clear_pointer (&checked->bytes, g_bytes_unref);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Checked, checked_clear)

/* Sends MESSAGE through the Sandbox and checks what was captured. */
static void
send_and_check (Checked    *checked,
                const char *message,
                gboolean    smtputf8)
{
  const char *to[] = { "bob@example.net", NULL };
  const char *identities[] = { IDENTITY, "Ada at work <ada@work.example>", NULL };
  g_autoptr(PostierSandboxMessage) captured = NULL;
  g_autoptr(GError) error = NULL;
  PostierCheckContext context = { 0 };

  checked->sandbox = postier_test_sandbox_new ();
  captured = postier_test_sandbox_send (checked->sandbox, message, strlen (message),
                                        "ada@example.org", to, smtputf8);
  checked->bytes = postier_sandbox_message_load_bytes (captured, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (checked->bytes, NULL), g_bytes_get_size (checked->bytes),
                   message, strlen (message));

  context.identities = identities;
  context.smtputf8 = postier_sandbox_message_get_smtputf8 (captured);
  context.size_limit = checked->size_limit;
  context.size_limit_account = "Work";
  checked->items = postier_message_check_run (checked->bytes, &context);
  g_assert_cmpuint (checked->items->len, ==, POSTIER_CHECK_N_KINDS);
}

static PostierCheckItem *
item (Checked          *checked,
      PostierCheckKind  kind)
{
  PostierCheckItem *found = g_ptr_array_index (checked->items, kind);

  g_assert_cmpint (found->kind, ==, kind);
  g_assert_nonnull (found->title);
  g_assert_nonnull (found->explanation);
  return found;
}

/* KIND has STATUS and every other check passes. */
static void
assert_only (Checked            *checked,
             PostierCheckKind    kind,
             PostierCheckStatus  status)
{
  for (guint i = 0; i < POSTIER_CHECK_N_KINDS; i++)
    {
      PostierCheckItem *one = item (checked, i);
      PostierCheckStatus expected = i == kind ? status : POSTIER_CHECK_PASS;

      if (one->status != expected)
        g_test_message ("%s: %s — %s", postier_check_kind_to_key (i),
                        postier_check_status_to_string (one->status), one->explanation);
      g_assert_cmpint (one->status, ==, expected);
    }
}

static void
check_one (const Parts        *parts,
           PostierCheckKind    kind,
           PostierCheckStatus  status,
           const char         *in_explanation)
{
  g_auto(Checked) checked = { 0 };
  g_autofree char *message = build (parts);

  send_and_check (&checked, message, FALSE);
  assert_only (&checked, kind, status);
  if (in_explanation != NULL)
    g_assert_nonnull (strstr (item (&checked, kind)->explanation, in_explanation));
}

static void
test_good_message_passes (void)
{
  g_auto(Checked) checked = { 0 };
  g_autofree char *message = build (&good);

  checked.size_limit = 10 * 1024 * 1024;
  send_and_check (&checked, message, FALSE);
  assert_only (&checked, POSTIER_CHECK_DATE, POSTIER_CHECK_PASS);
  g_assert_cmpint (postier_message_check_worst (checked.items), ==, POSTIER_CHECK_PASS);
  g_assert_nonnull (strstr (item (&checked, POSTIER_CHECK_SIZE)->explanation, "“Work”"));
}

static void
test_missing_date (void)
{
  Parts parts = good;
  parts.date = NULL;
  check_one (&parts, POSTIER_CHECK_DATE, POSTIER_CHECK_FAIL, "no Date header");
}

static void
test_bad_date (void)
{
  Parts parts = good;
  parts.date = "Date: yesterday at noon" CRLF;
  check_one (&parts, POSTIER_CHECK_DATE, POSTIER_CHECK_FAIL, "yesterday at noon");
}

static void
test_missing_message_id (void)
{
  Parts parts = good;
  parts.message_id = NULL;
  check_one (&parts, POSTIER_CHECK_MESSAGE_ID, POSTIER_CHECK_FAIL, "no Message-ID");
}

static void
test_malformed_message_id (void)
{
  Parts parts = good;
  parts.message_id = "Message-ID: no-brackets-here" CRLF;
  check_one (&parts, POSTIER_CHECK_MESSAGE_ID, POSTIER_CHECK_WARN, "<unique@domain>");
}

static void
test_from_not_the_account (void)
{
  Parts parts = good;
  parts.from = "From: Mallory <mallory@example.com>" CRLF;
  check_one (&parts, POSTIER_CHECK_FROM_IDENTITY, POSTIER_CHECK_FAIL, "mallory@example.com");
}

static void
test_from_other_name (void)
{
  Parts parts = good;
  parts.from = "From: Countess <ADA@example.org>" CRLF;
  check_one (&parts, POSTIER_CHECK_FROM_IDENTITY, POSTIER_CHECK_WARN, "Countess");
}

static void
test_from_another_account (void)
{
  Parts parts = good;
  parts.from = "From: Ada at work <ada@work.example>" CRLF;
  check_one (&parts, POSTIER_CHECK_FROM_IDENTITY, POSTIER_CHECK_WARN, "another of your accounts");
}

static void
test_raw_8bit_header (void)
{
  Parts parts = good;
  parts.subject = "Subject: Caf\xc3\xa9 without encoding" CRLF;
  check_one (&parts, POSTIER_CHECK_HEADER_ENCODING, POSTIER_CHECK_FAIL, "Subject");
}

/* The same header is fine when the message went with SMTPUTF8. */
static void
test_utf8_header_with_smtputf8 (void)
{
  g_auto(Checked) checked = { 0 };
  Parts parts = good;
  g_autofree char *message = NULL;

  parts.subject = "Subject: Caf\xc3\xa9 in UTF-8" CRLF;
  message = build (&parts);
  send_and_check (&checked, message, TRUE);
  assert_only (&checked, POSTIER_CHECK_HEADER_ENCODING, POSTIER_CHECK_PASS);
}

static void
test_invalid_encoded_word (void)
{
  Parts parts = good;
  parts.subject = "Subject: =?utf-8?Q?bad=ZZ?= and =?utf-8?B?!!!?=" CRLF;
  check_one (&parts, POSTIER_CHECK_HEADER_ENCODING, POSTIER_CHECK_FAIL, "RFC 2047");
}

static void
test_unknown_charset (void)
{
  Parts parts = good;
  parts.subject = "Subject: =?x-no-such-charset?Q?abc?=" CRLF;
  check_one (&parts, POSTIER_CHECK_HEADER_ENCODING, POSTIER_CHECK_FAIL, "Subject");
}

/* Issue 16, finding 7: an empty encoded word once reached g_convert ()
 * with NULL, a critical (an abort under G_DEBUG=fatal-criticals, as in
 * every GTest). It decodes to nothing, which is valid. */
static void
test_empty_encoded_word (void)
{
  Parts parts = good;
  parts.subject = "Subject: =?UTF-8?B?\?= and =?UTF-8?Q?\?=" CRLF;
  check_one (&parts, POSTIER_CHECK_HEADER_ENCODING, POSTIER_CHECK_PASS, NULL);
}

static void
test_long_line (void)
{
  g_autofree char *line = g_strnfill (1200, 'x');
  g_autofree char *mime = g_strconcat ("MIME-Version: 1.0" CRLF
                                       "Content-Type: text/plain; charset=utf-8" CRLF
                                       CRLF
                                       "short" CRLF, line, CRLF "short" CRLF, NULL);
  Parts parts = good;

  parts.mime = mime;
  check_one (&parts, POSTIER_CHECK_LINE_LENGTH, POSTIER_CHECK_FAIL, "line 10");
}

static void
test_no_text_part (void)
{
  Parts parts = good;
  parts.mime = "MIME-Version: 1.0" CRLF
               "Content-Type: application/pdf; name=\"a.pdf\"" CRLF
               "Content-Disposition: attachment; filename=\"a.pdf\"" CRLF
               "Content-Transfer-Encoding: base64" CRLF
               CRLF
               "JVBERi0xLjQKJcOkw7zDtsOfCjIgMCBvYmoKPDwvTGVuZ3RoIDMgMCBSPj4Kc3RyZWFtCg==" CRLF;
  check_one (&parts, POSTIER_CHECK_TEXT_PART, POSTIER_CHECK_FAIL, NULL);
}

static void
test_html_only (void)
{
  Parts parts = good;
  parts.mime = "MIME-Version: 1.0" CRLF
               "Content-Type: text/html; charset=utf-8" CRLF
               CRLF
               "<p>Hello.</p>" CRLF;
  check_one (&parts, POSTIER_CHECK_TEXT_PART, POSTIER_CHECK_WARN, "HTML");
}

static void
test_over_size_limit (void)
{
  g_auto(Checked) checked = { 0 };
  g_autofree char *message = build (&good);

  checked.size_limit = 100;
  send_and_check (&checked, message, FALSE);
  assert_only (&checked, POSTIER_CHECK_SIZE, POSTIER_CHECK_FAIL);
  g_assert_nonnull (strstr (item (&checked, POSTIER_CHECK_SIZE)->explanation, "refused"));
}

static void
test_unknown_size_limit (void)
{
  g_auto(Checked) checked = { 0 };
  g_autofree char *message = build (&good);

  send_and_check (&checked, message, FALSE);
  assert_only (&checked, POSTIER_CHECK_SIZE, POSTIER_CHECK_PASS);
  g_assert_nonnull (strstr (item (&checked, POSTIER_CHECK_SIZE)->explanation, "not known"));
}

static void
test_bcc_in_headers (void)
{
  Parts parts = good;
  parts.extra_headers = "Bcc: secret@example.net" CRLF;
  check_one (&parts, POSTIER_CHECK_BCC, POSTIER_CHECK_FAIL, "blind copy");
}

static void
test_empty_bcc (void)
{
  Parts parts = good;
  parts.extra_headers = "Bcc:" CRLF;
  check_one (&parts, POSTIER_CHECK_BCC, POSTIER_CHECK_WARN, NULL);
}

/* PNG data declared as a PDF. */
#define PNG_BASE64 "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="

static void
test_attachment_type_mismatch (void)
{
  Parts parts = good;
  parts.mime = "MIME-Version: 1.0" CRLF
               "Content-Type: multipart/mixed; boundary=\"b\"" CRLF
               CRLF
               "--b" CRLF
               "Content-Type: text/plain; charset=utf-8" CRLF
               CRLF
               "See attached." CRLF
               "--b" CRLF
               "Content-Type: application/pdf" CRLF
               "Content-Disposition: attachment; filename=\"report.pdf\"" CRLF
               "Content-Transfer-Encoding: base64" CRLF
               CRLF
               PNG_BASE64 CRLF
               "--b--" CRLF;
  check_one (&parts, POSTIER_CHECK_ATTACHMENT_TYPES, POSTIER_CHECK_FAIL, "image/png");
}

static void
test_attachment_generic_type (void)
{
  Parts parts = good;
  parts.mime = "MIME-Version: 1.0" CRLF
               "Content-Type: multipart/mixed; boundary=\"b\"" CRLF
               CRLF
               "--b" CRLF
               "Content-Type: text/plain" CRLF
               CRLF
               "See attached." CRLF
               "--b" CRLF
               "Content-Type: application/octet-stream" CRLF
               "Content-Disposition: attachment; filename=\"dot.png\"" CRLF
               "Content-Transfer-Encoding: base64" CRLF
               CRLF
               PNG_BASE64 CRLF
               "--b--" CRLF;
  check_one (&parts, POSTIER_CHECK_ATTACHMENT_TYPES, POSTIER_CHECK_WARN, "looks like image/png");
}

static void
test_attachment_type_matches (void)
{
  Parts parts = good;
  parts.mime = "MIME-Version: 1.0" CRLF
               "Content-Type: multipart/mixed; boundary=\"b\"" CRLF
               CRLF
               "--b" CRLF
               "Content-Type: text/plain" CRLF
               CRLF
               "See attached." CRLF
               "--b" CRLF
               "Content-Type: image/png; name=\"dot.png\"" CRLF
               "Content-Disposition: attachment; filename=\"dot.png\"" CRLF
               "Content-Transfer-Encoding: base64" CRLF
               CRLF
               PNG_BASE64 CRLF
               "--b" CRLF
               "Content-Type: text/csv; charset=utf-8" CRLF
               "Content-Disposition: attachment; filename=\"table.csv\"" CRLF
               CRLF
               "a,b" CRLF
               "1,2" CRLF
               "--b--" CRLF;
  check_one (&parts, POSTIER_CHECK_ATTACHMENT_TYPES, POSTIER_CHECK_PASS, "2 attachments");
}

/* The tree the view and `sandbox show` describe. */
static void
test_mime_tree (void)
{
  static const char message[] =
    "From: " IDENTITY CRLF
    "Subject: tree" CRLF
    "MIME-Version: 1.0" CRLF
    "Content-Type: multipart/mixed; boundary=\"b\"" CRLF
    CRLF
    "--b" CRLF
    "Content-Type: text/plain; charset=UTF-8" CRLF
    "Content-Transfer-Encoding: quoted-printable" CRLF
    CRLF
    "Caf=C3=A9" CRLF
    "--b" CRLF
    "Content-Type: image/png" CRLF
    "Content-Disposition: attachment; filename*=UTF-8''d%C3%A9j%C3%A0.png" CRLF
    "Content-Transfer-Encoding: base64" CRLF
    CRLF
    PNG_BASE64 CRLF
    "--b--" CRLF;
  g_autoptr(GMimeStream) stream = g_mime_stream_mem_new_with_buffer (message, sizeof message - 1);
  g_autoptr(GMimeParser) parser = g_mime_parser_new_with_stream (stream);
  g_autoptr(GMimeMessage) parsed = g_mime_parser_construct_message (parser, NULL);
  g_autoptr(PostierMimeNode) root = postier_mime_tree_new (parsed);
  g_autoptr(GPtrArray) nodes = postier_mime_tree_flatten (root);
  g_autofree char *text = postier_mime_dup_text_body (parsed);
  PostierMimeNode *body, *image;

  g_assert_cmpuint (nodes->len, ==, 3);
  g_assert_cmpstr (root->content_type, ==, "multipart/mixed");
  g_assert_null (root->encoding);
  g_assert_cmpuint (root->children->len, ==, 2);

  body = g_ptr_array_index (nodes, 1);
  g_assert_cmpstr (body->part_id, ==, "1");
  g_assert_cmpuint (body->depth, ==, 1);
  g_assert_cmpstr (body->content_type, ==, "text/plain");
  g_assert_cmpstr (body->charset, ==, "UTF-8");
  g_assert_cmpstr (body->encoding, ==, "quoted-printable");
  /* The line end before a boundary belongs to the boundary (RFC 2046 5.1.1). */
  g_assert_cmpuint (body->decoded_size, ==, strlen ("Caf\xc3\xa9"));

  image = g_ptr_array_index (nodes, 2);
  g_assert_cmpstr (image->part_id, ==, "2");
  g_assert_cmpstr (image->content_type, ==, "image/png");
  g_assert_cmpstr (image->encoding, ==, "base64");
  g_assert_cmpstr (image->disposition, ==, "attachment");
  g_assert_cmpstr (image->filename, ==, "d\xc3\xa9j\xc3\xa0.png");
  g_assert_cmpuint (image->decoded_size, ==, 70);
  g_assert_cmpuint (image->encoded_size, >, image->decoded_size);

  g_assert_cmpstr (text, ==, "Caf\xc3\xa9");
}

/* The relay's SIZE, learnt once, is found again by name. */
static void
test_size_limit_remembered (void)
{
  g_assert_cmpuint (postier_relay_size_limit_lookup ("Work"), ==, 0);
  postier_relay_size_limit_remember ("Work", 52428800);
  postier_relay_size_limit_remember ("Other", 1000);
  g_assert_cmpuint (postier_relay_size_limit_lookup ("Work"), ==, 52428800);
  g_assert_cmpuint (postier_relay_size_limit_lookup ("Other"), ==, 1000);
}

int
main (int   argc,
      char *argv[])
{
  postier_test_init (&argc, &argv);

  g_test_add_func ("/check/good", test_good_message_passes);
  g_test_add_func ("/check/date/missing", test_missing_date);
  g_test_add_func ("/check/date/invalid", test_bad_date);
  g_test_add_func ("/check/message-id/missing", test_missing_message_id);
  g_test_add_func ("/check/message-id/malformed", test_malformed_message_id);
  g_test_add_func ("/check/from/not-the-account", test_from_not_the_account);
  g_test_add_func ("/check/from/other-name", test_from_other_name);
  g_test_add_func ("/check/from/another-account", test_from_another_account);
  g_test_add_func ("/check/header-encoding/raw-8bit", test_raw_8bit_header);
  g_test_add_func ("/check/header-encoding/smtputf8", test_utf8_header_with_smtputf8);
  g_test_add_func ("/check/header-encoding/invalid-word", test_invalid_encoded_word);
  g_test_add_func ("/check/header-encoding/unknown-charset", test_unknown_charset);
  g_test_add_func ("/check/header-encoding/empty-encoded-word", test_empty_encoded_word);
  g_test_add_func ("/check/line-length", test_long_line);
  g_test_add_func ("/check/text-part/none", test_no_text_part);
  g_test_add_func ("/check/text-part/html-only", test_html_only);
  g_test_add_func ("/check/size/over", test_over_size_limit);
  g_test_add_func ("/check/size/unknown", test_unknown_size_limit);
  g_test_add_func ("/check/bcc/present", test_bcc_in_headers);
  g_test_add_func ("/check/bcc/empty", test_empty_bcc);
  g_test_add_func ("/check/attachments/mismatch", test_attachment_type_mismatch);
  g_test_add_func ("/check/attachments/generic", test_attachment_generic_type);
  g_test_add_func ("/check/attachments/match", test_attachment_type_matches);
  g_test_add_func ("/check/mime-tree", test_mime_tree);
  g_test_add_func ("/check/size-limit-cache", test_size_limit_remembered);

  return g_test_run ();
}
