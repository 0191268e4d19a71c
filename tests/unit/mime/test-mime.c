/* test-mime.c — drafts become standards-correct messages and envelopes
 *
 * Every message built here is also read back by Python's email package
 * (tests/parse-message.py, policy=default), an independent parser: what
 * a person wrote must come back the same — headers, body text and the
 * attachments' bytes (SHA-256).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "postier-core.h"
#include "postier-gmime.h"
#include "postier-test.h"

static PostierAccount *
test_account (void)
{
  PostierAccount *account = postier_account_new ("Work");

  postier_account_set_identity (account, "Ada Lovelace <ada@example.org>");
  postier_account_set_host (account, "smtp.example.org");
  return account;
}

typedef struct {
  char            *path;
  char            *raw;
  gsize            raw_length;
  JsonObject      *parsed;
  PostierEnvelope *envelope;
} Built;

static void
built_free (Built *built)
{
  if (built->path != NULL)
    g_unlink (built->path);
  g_free (built->path);
  g_free (built->raw);
  g_clear_pointer (&built->parsed, json_object_unref);
  g_clear_object (&built->envelope);
  g_free (built);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Built, built_free)

/* Builds and writes DRAFT, then reads it back with Python. */
static Built *
build (PostierDraft *draft)
{
  g_autoptr(PostierAccount) account = test_account ();
  g_autoptr(GMimeMessage) message = NULL;
  g_autoptr(GError) error = NULL;
  Built *built = g_new0 (Built, 1);
  static guint counter;

  message = postier_mime_build_message (draft, account, &built->envelope, &error);
  g_assert_no_error (error);
  g_assert_nonnull (message);

  g_assert_cmpint (g_mkdir_with_parents (g_get_user_cache_dir (), 0700), ==, 0);
  built->path = g_strdup_printf ("%s/built-%u.eml", g_get_user_cache_dir (), counter++);
  g_assert_true (postier_mime_write_message (message, built->envelope, built->path, NULL, &error));
  g_assert_no_error (error);

  built->raw = postier_test_read_file (built->path, &built->raw_length);
  g_assert_cmpuint (postier_envelope_get_size (built->envelope), ==, built->raw_length);
  built->parsed = postier_test_parse_message (built->path);

  /* Rules every message obeys: no empty header, no over-long line, CRLF
   * only, nothing Python finds defective. */
  {
    JsonArray *headers = json_object_get_array_member (built->parsed, "headers");
    for (guint i = 0; i < json_array_get_length (headers); i++)
      {
        JsonArray *pair = json_array_get_array_element (headers, i);
        g_assert_cmpstr (json_array_get_string_element (pair, 1), !=, "");
      }
  }
  g_assert_cmpint (json_object_get_int_member (built->parsed, "max_line"), <=, 998);
  g_assert_false (json_object_get_boolean_member (built->parsed, "bare_lf"));
  if (json_array_get_length (json_object_get_array_member (built->parsed, "defects")) > 0)
    {
      JsonArray *defects = json_object_get_array_member (built->parsed, "defects");
      for (guint i = 0; i < json_array_get_length (defects); i++)
        g_test_message ("defect: %s", json_array_get_string_element (defects, i));
      g_assert_not_reached ();
    }
  return built;
}

/* The decoded value of the first header NAME, as Python sees it. */
static const char *
parsed_header (Built      *built,
               const char *name)
{
  JsonArray *headers = json_object_get_array_member (built->parsed, "headers");

  for (guint i = 0; i < json_array_get_length (headers); i++)
    {
      JsonArray *pair = json_array_get_array_element (headers, i);
      if (g_ascii_strcasecmp (json_array_get_string_element (pair, 0), name) == 0)
        return json_array_get_string_element (pair, 1);
    }
  return NULL;
}

static guint
count_headers (Built      *built,
               const char *name)
{
  JsonArray *headers = json_object_get_array_member (built->parsed, "headers");
  guint n = 0;

  for (guint i = 0; i < json_array_get_length (headers); i++)
    if (g_ascii_strcasecmp (json_array_get_string_element (json_array_get_array_element (headers, i), 0),
                            name) == 0)
      n++;
  return n;
}

/* "name <addr>" for each address Python found in header NAME, joined by
 * "; ", so a test can compare a whole list at once. */
static char *
parsed_addresses (Built      *built,
                  const char *name)
{
  JsonObject *addresses = json_object_get_object_member (built->parsed, "addresses");
  g_autoptr(GString) out = g_string_new (NULL);
  JsonArray *list;

  if (!json_object_has_member (addresses, name))
    return NULL;
  list = json_object_get_array_member (addresses, name);
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonArray *pair = json_array_get_array_element (list, i);
      g_string_append_printf (out, "%s%s <%s>", i > 0 ? "; " : "",
                              json_array_get_string_element (pair, 0),
                              json_array_get_string_element (pair, 1));
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static const char *
parsed_body (Built *built)
{
  return json_object_get_string_member (built->parsed, "body");
}

static PostierDraft *
simple_draft (void)
{
  PostierDraft *draft = postier_draft_new ();

  postier_draft_set_to (draft, "Ann <ann@example.org>");
  postier_draft_set_subject (draft, "Hello");
  postier_draft_set_body (draft, "Hello Ann.\n");
  return draft;
}

static void
test_standard_headers (void)
{
  g_autoptr(PostierDraft) draft = simple_draft ();
  g_autoptr(Built) built = NULL;
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;
  g_autofree char *cc = NULL;
  g_autofree char *reply_to = NULL;
  const char *message_id;

  postier_draft_set_cc (draft, "\"Smith, Bob\" <bob@example.org>, carol@example.org");
  postier_draft_set_reply_to (draft, "list@example.org");
  postier_draft_set_in_reply_to (draft, "<parent@example.org>");
  postier_draft_set_references (draft, "<root@example.org>   <parent@example.org>");
  g_assert_true (postier_draft_set_header (draft, "Organization", "Société Générale", NULL));
  built = build (draft);

  from = parsed_addresses (built, "from");
  to = parsed_addresses (built, "to");
  cc = parsed_addresses (built, "cc");
  reply_to = parsed_addresses (built, "reply-to");
  g_assert_cmpstr (from, ==, "Ada Lovelace <ada@example.org>");
  g_assert_cmpstr (to, ==, "Ann <ann@example.org>");
  g_assert_cmpstr (cc, ==, "Smith, Bob <bob@example.org>;  <carol@example.org>");
  g_assert_cmpstr (reply_to, ==, " <list@example.org>");
  g_assert_cmpstr (parsed_header (built, "Subject"), ==, "Hello");
  g_assert_cmpstr (parsed_header (built, "MIME-Version"), ==, "1.0");
  g_assert_cmpstr (parsed_header (built, "User-Agent"), ==, "Postier/" PACKAGE_VERSION);
  g_assert_cmpstr (parsed_header (built, "In-Reply-To"), ==, "<parent@example.org>");
  g_assert_cmpstr (parsed_header (built, "References"), ==, "<root@example.org> <parent@example.org>");
  g_assert_cmpstr (parsed_header (built, "Organization"), ==, "Société Générale");
  g_assert_nonnull (parsed_header (built, "Date"));
  g_assert_cmpuint (count_headers (built, "Date"), ==, 1);
  g_assert_cmpuint (count_headers (built, "Message-ID"), ==, 1);

  /* The Message-ID is on the sender's domain. */
  message_id = parsed_header (built, "Message-ID");
  g_assert_true (g_str_has_prefix (message_id, "<"));
  g_assert_true (g_str_has_suffix (message_id, "@example.org>"));

  g_assert_cmpstr (parsed_body (built), ==, "Hello Ann.\n");
  g_assert_cmpstr (json_object_get_string_member (built->parsed, "body_cte"), ==, "7bit");
  g_assert_false (json_object_get_boolean_member (built->parsed, "header_8bit"));

  /* The envelope: MAIL FROM is the account's address; everyone is a
   * recipient once. */
  g_assert_cmpstr (postier_envelope_get_sender (built->envelope), ==, "ada@example.org");
  g_assert_cmpuint (postier_envelope_get_n_recipients (built->envelope), ==, 3);
  g_assert_cmpstr (postier_envelope_get_recipient (built->envelope, 0), ==, "ann@example.org");
  g_assert_cmpstr (postier_envelope_get_recipient (built->envelope, 1), ==, "bob@example.org");
  g_assert_cmpstr (postier_envelope_get_recipient (built->envelope, 2), ==, "carol@example.org");
  g_assert_false (postier_envelope_get_8bit (built->envelope));
  g_assert_false (postier_envelope_get_needs_smtputf8 (built->envelope));
}

static void
test_mixed_script_subject (void)
{
  g_autoptr(PostierDraft) draft = simple_draft ();
  g_autoptr(Built) built = NULL;
  g_autoptr(GString) long_subject = g_string_new ("Ünïcödé 日本語 русский ελληνικά עברית العربية 📨 ");
  const char *subject = "Ünïcödé 日本語 русский ελληνικά עברית العربية — mixed 📨 scripts";
  char *header;

  postier_draft_set_subject (draft, subject);
  built = build (draft);
  g_assert_cmpstr (parsed_header (built, "Subject"), ==, subject);
  /* Encoded words, not raw UTF-8, in the header block. */
  g_assert_false (json_object_get_boolean_member (built->parsed, "header_8bit"));
  header = strstr (built->raw, "Subject: ");
  g_assert_nonnull (header);
  g_assert_nonnull (g_strstr_len (header, 200, "=?UTF-8?"));
  g_clear_pointer (&built, built_free);

  /* Long enough to fold, with a word far longer than a line. */
  for (guint i = 0; i < 40; i++)
    g_string_append (long_subject, "ça-va ");
  for (guint i = 0; i < 1200; i++)
    g_string_append_c (long_subject, 'x');
  postier_draft_set_subject (draft, long_subject->str);
  built = build (draft);
  g_assert_cmpstr (parsed_header (built, "Subject"), ==, long_subject->str);
}

static void
test_long_header_values (void)
{
  g_autoptr(PostierDraft) draft = simple_draft ();
  g_autoptr(Built) built = NULL;
  g_autoptr(GString) word = g_string_new (NULL);
  g_autoptr(GString) references = g_string_new (NULL);
  g_autoptr(GString) names = g_string_new (NULL);

  for (guint i = 0; i < 1500; i++)
    g_string_append_c (word, (char) ('a' + i % 26));
  for (guint i = 0; i < 60; i++)
    g_string_append_printf (references, "<message-%u.%s@example.org> ", i, "0123456789abcdef");
  for (guint i = 0; i < 80; i++)
    g_string_append_printf (names, "%sPerson Number %u <person%u@example.org>", i > 0 ? ", " : "", i, i);

  g_assert_true (postier_draft_set_header (draft, "Organization", word->str, NULL));
  g_assert_true (postier_draft_set_header (draft, "Keywords", word->str, NULL));
  postier_draft_set_references (draft, references->str);
  postier_draft_set_cc (draft, names->str);
  /* build() checks that no line is over 998 octets. */
  built = build (draft);
  g_assert_cmpstr (parsed_header (built, "Organization"), ==, word->str);
  g_assert_cmpuint (postier_envelope_get_n_recipients (built->envelope), ==, 81);
}

static void
test_body_long_line_and_dots (void)
{
  g_autoptr(PostierDraft) draft = simple_draft ();
  g_autoptr(Built) built = NULL;
  g_autoptr(GString) body = g_string_new ("Première ligne.\n");
  g_autofree char *expected = NULL;

  for (guint i = 0; i < 2000; i++)
    g_string_append_c (body, (char) ('a' + i % 26));
  g_string_append (body, "\n.leading dot\n.\n..\nFrom the start\n   trailing spaces   \n");
  g_string_append (body, "last line without newline");
  postier_draft_set_body (draft, body->str);
  built = build (draft);

  /* A line ends the text, as GMime writes it. */
  expected = g_strconcat (body->str, "\n", NULL);
  g_assert_cmpstr (parsed_body (built), ==, expected);
  g_assert_cmpstr (json_object_get_string_member (built->parsed, "body_cte"), ==, "quoted-printable");
}

static void
test_body_8bit_and_line_ends (void)
{
  g_autoptr(PostierDraft) draft = simple_draft ();
  g_autoptr(Built) built = NULL;

  /* CRLF and a lone CR from a paste become plain line ends. */
  postier_draft_set_body (draft, "Bonjour, ça va ?\r\nOui.\rTrès bien.\n");
  built = build (draft);
  g_assert_cmpstr (parsed_body (built), ==, "Bonjour, ça va ?\nOui.\nTrès bien.\n");
  g_assert_cmpstr (json_object_get_string_member (built->parsed, "body_cte"), ==, "8bit");
  g_assert_true (postier_envelope_get_8bit (built->envelope));
  g_assert_nonnull (strstr (built->raw, "charset=utf-8"));
}

static void
test_body_empty (void)
{
  g_autoptr(PostierDraft) draft = simple_draft ();
  g_autoptr(Built) built = NULL;

  postier_draft_set_body (draft, NULL);
  postier_draft_set_subject (draft, NULL);
  built = build (draft);
  g_assert_cmpstr (parsed_body (built), ==, "");
  g_assert_cmpuint (count_headers (built, "Subject"), ==, 0);
}

static char *
write_file (const char   *name,
            const guint8 *data,
            gsize         length)
{
  g_autofree char *dir = g_build_filename (g_get_user_cache_dir (), "attachments", NULL);
  char *path = g_build_filename (dir, name, NULL);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, (const char *) data, (gssize) length, NULL));
  return path;
}

static void
check_attachment (Built      *built,
                  guint       index,
                  const char *path,
                  const char *filename,
                  const char *content_type)
{
  JsonArray *attachments = json_object_get_array_member (built->parsed, "attachments");
  JsonObject *attachment;
  g_autofree char *sha256 = postier_test_file_sha256 (path);

  g_assert_cmpuint (json_array_get_length (attachments), >, index);
  attachment = json_array_get_object_element (attachments, index);
  g_assert_cmpstr (json_object_get_string_member (attachment, "filename"), ==, filename);
  if (content_type != NULL)
    g_assert_cmpstr (json_object_get_string_member (attachment, "content_type"), ==, content_type);
  g_assert_cmpstr (json_object_get_string_member (attachment, "sha256"), ==, sha256);
}

static void
test_attachments (void)
{
  g_autoptr(PostierDraft) draft = simple_draft ();
  g_autoptr(Built) built = NULL;
  g_autoptr(GString) long_name = g_string_new (NULL);
  g_autofree char *pdf = NULL;
  g_autofree char *binary = NULL;
  g_autofree char *long_path = NULL;
  g_autofree char *text = NULL;
  g_autofree char *empty = NULL;
  guint8 bytes[70000];

  for (gsize i = 0; i < sizeof bytes; i++)
    bytes[i] = (guint8) ((i * 7919) >> 3);
  pdf = write_file ("Résumé été 2024 (final).pdf", (const guint8 *) "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", 24);
  binary = write_file ("data.bin", bytes, sizeof bytes);
  /* Long, non-ASCII and spaced: RFC 2231 continuations. */
  /* 215 octets: near the file system's limit of 255. */
  for (guint i = 0; i < 8; i++)
    g_string_append (long_name, "Très long nom de fichier ");
  g_string_append (long_name, "fin.txt");
  long_path = write_file (long_name->str, (const guint8 *) "line 1\r\nline 2\nno end", 21);
  text = write_file ("notes.txt", (const guint8 *) "plain text\n", 11);
  empty = write_file ("empty", (const guint8 *) "", 0);

  postier_draft_add_attachment (draft, pdf);
  postier_draft_add_attachment (draft, binary);
  postier_draft_add_attachment (draft, long_path);
  postier_draft_add_attachment (draft, text);
  postier_draft_add_attachment (draft, empty);
  built = build (draft);

  g_assert_cmpstr (parsed_body (built), ==, "Hello Ann.\n");
  check_attachment (built, 0, pdf, "Résumé été 2024 (final).pdf", "application/pdf");
  check_attachment (built, 1, binary, "data.bin", NULL);
  check_attachment (built, 2, long_path, long_name->str, "text/plain");
  check_attachment (built, 3, text, "notes.txt", "text/plain");
  check_attachment (built, 4, empty, "empty", NULL);
  g_assert_nonnull (strstr (built->raw, "Content-Type: multipart/mixed"));
  g_assert_nonnull (strstr (built->raw, "filename*0*=UTF-8''"));
  g_assert_false (json_object_get_boolean_member (built->parsed, "header_8bit"));
}

typedef struct {
  const char *field;
  const char *value;
  int         code;
  const char *named;
} BadCase;

static void
test_refuses_bad_input (void)
{
  static const BadCase cases[] = {
    { "subject", "Hi\r\nBcc: spy@example.org", POSTIER_MESSAGE_ERROR_HEADER_INJECTION, "Subject" },
    { "subject", "Hi\nContent-Type: text/html", POSTIER_MESSAGE_ERROR_HEADER_INJECTION, "Subject" },
    { "subject", "Hi\rX: y", POSTIER_MESSAGE_ERROR_HEADER_INJECTION, "Subject" },
    { "to", "ann@example.org\r\nBcc: spy@example.org", POSTIER_MESSAGE_ERROR_HEADER_INJECTION, "To" },
    { "from", "Ada <ada@example.org>\nBcc: spy@example.org", POSTIER_MESSAGE_ERROR_HEADER_INJECTION, "From" },
    { "in-reply-to", "<a@b>\r\nBcc: spy@example.org", POSTIER_MESSAGE_ERROR_HEADER_INJECTION, "In-Reply-To" },
    { "references", "<a@b>\nX: y", POSTIER_MESSAGE_ERROR_HEADER_INJECTION, "References" },
    { "to", "ann@example.org, bob@@example.org", POSTIER_MESSAGE_ERROR_BAD_ADDRESS, "bob@@example.org" },
    { "to", "Ann Example", POSTIER_MESSAGE_ERROR_BAD_ADDRESS, "Ann Example" },
    { "cc", "carol@", POSTIER_MESSAGE_ERROR_BAD_ADDRESS, "carol@" },
    { "bcc", "dave@exam_ple..org", POSTIER_MESSAGE_ERROR_BAD_ADDRESS, "dave@exam_ple..org" },
    { "reply-to", "<unclosed@example.org", POSTIER_MESSAGE_ERROR_BAD_ADDRESS, "unclosed@example.org" },
    { "from", "a@example.org, b@example.org", POSTIER_MESSAGE_ERROR_BAD_ADDRESS, "From" },
    { "to", "", POSTIER_MESSAGE_ERROR_NO_RECIPIENTS, "recipients" },
    { "to", "Empty Group:;", POSTIER_MESSAGE_ERROR_NO_RECIPIENTS, "recipients" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(PostierDraft) draft = simple_draft ();
      g_autoptr(PostierAccount) account = test_account ();
      g_autoptr(PostierEnvelope) envelope = NULL;
      g_autoptr(GError) error = NULL;
      gpointer message;

      g_object_set (draft, cases[i].field, cases[i].value, NULL);
      message = postier_mime_build_message (draft, account, &envelope, &error);
      g_test_message ("%s=%s: %s", cases[i].field, cases[i].value, error ? error->message : "(no error)");
      g_assert_null (message);
      g_assert_null (envelope);
      g_assert_error (error, POSTIER_MESSAGE_ERROR, cases[i].code);
      g_assert_nonnull (strstr (error->message, cases[i].named));
    }
}

static void
test_refuses_bad_attachments (void)
{
  g_autofree char *missing = g_build_filename (g_get_user_cache_dir (), "no such file.pdf", NULL);
  g_autofree char *folder = g_build_filename (g_get_user_cache_dir (), "a-folder", NULL);
  g_autofree char *unreadable = NULL;
  g_autofree char *newline = NULL;
  const char *paths[4];

  g_assert_cmpint (g_mkdir_with_parents (folder, 0700), ==, 0);
  unreadable = write_file ("secret.txt", (const guint8 *) "x", 1);
  g_assert_cmpint (g_chmod (unreadable, 0), ==, 0);
  newline = write_file ("evil\nX-Evil: yes", (const guint8 *) "x", 1);
  paths[0] = missing;
  paths[1] = folder;
  paths[2] = access (unreadable, R_OK) != 0 ? unreadable : missing;  /* root reads anything */
  paths[3] = newline;

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr(PostierDraft) draft = simple_draft ();
      g_autoptr(PostierAccount) account = test_account ();
      g_autoptr(GError) error = NULL;
      gpointer message;

      postier_draft_add_attachment (draft, paths[i]);
      message = postier_mime_build_message (draft, account, NULL, &error);
      g_test_message ("%s: %s", paths[i], error ? error->message : "(no error)");
      g_assert_null (message);
      g_assert_true (g_error_matches (error, POSTIER_MESSAGE_ERROR, POSTIER_MESSAGE_ERROR_ATTACHMENT) ||
                     (i == 3 && g_error_matches (error, POSTIER_MESSAGE_ERROR,
                                                 POSTIER_MESSAGE_ERROR_HEADER_INJECTION)));
      if (i < 3)
        g_assert_nonnull (strstr (error->message, paths[i]));
    }
}

static void
test_bcc_only_in_envelope (void)
{
  g_autoptr(PostierDraft) draft = simple_draft ();
  g_autoptr(Built) built = NULL;

  postier_draft_set_to (draft, "ann@example.org, Ann Again <ann@EXAMPLE.org>");
  postier_draft_set_cc (draft, "bob@example.org");
  postier_draft_set_bcc (draft, "Secret Sam <sam@hidden.example>, bob@example.org");
  built = build (draft);

  g_assert_cmpuint (count_headers (built, "Bcc"), ==, 0);
  g_assert_null (strstr (built->raw, "sam@hidden.example"));
  g_assert_null (strstr (built->raw, "Secret Sam"));
  g_assert_null (g_strstr_len (built->raw, -1, "Bcc"));

  /* De-duplicated, domains without case. */
  g_assert_cmpuint (postier_envelope_get_n_recipients (built->envelope), ==, 3);
  g_assert_cmpstr (postier_envelope_get_recipient (built->envelope, 0), ==, "ann@example.org");
  g_assert_cmpstr (postier_envelope_get_recipient (built->envelope, 1), ==, "bob@example.org");
  g_assert_cmpstr (postier_envelope_get_recipient (built->envelope, 2), ==, "sam@hidden.example");
}

static void
test_international_addresses (void)
{
  g_autoptr(PostierDraft) draft = simple_draft ();
  g_autoptr(Built) built = NULL;
  g_autofree char *to = NULL;

  /* An IDN domain with an ASCII local part: the header carries A-labels,
   * the envelope keeps the U-label form and offers the ASCII one. */
  postier_draft_set_to (draft, "Jürgen <juergen@bücher.example>");
  built = build (draft);
  to = parsed_addresses (built, "to");
  g_assert_cmpstr (to, ==, "Jürgen <juergen@xn--bcher-kva.example>");
  g_assert_false (json_object_get_boolean_member (built->parsed, "header_8bit"));
  g_assert_true (postier_envelope_get_needs_smtputf8 (built->envelope));
  g_assert_false (postier_envelope_get_utf8_headers (built->envelope));
  g_assert_cmpstr (postier_envelope_get_recipient (built->envelope, 0), ==, "juergen@bücher.example");
  g_assert_cmpstr (postier_envelope_get_ascii_recipient (built->envelope, 0), ==,
                   "juergen@xn--bcher-kva.example");
  g_assert_true (postier_envelope_can_send_ascii (built->envelope));
  g_clear_pointer (&built, built_free);
  g_clear_pointer (&to, g_free);

  /* A UTF-8 local part: only SMTPUTF8 can carry it. */
  postier_draft_set_to (draft, "δοκιμή@παράδειγμα.δοκιμή");
  built = build (draft);
  to = parsed_addresses (built, "to");
  g_assert_cmpstr (to, ==, " <δοκιμή@xn--hxajbheg2az3al.xn--jxalpdlp>");
  g_assert_true (json_object_get_boolean_member (built->parsed, "header_8bit"));
  g_assert_true (postier_envelope_get_needs_smtputf8 (built->envelope));
  g_assert_true (postier_envelope_get_utf8_headers (built->envelope));
  g_assert_null (postier_envelope_get_ascii_recipient (built->envelope, 0));
  g_assert_false (postier_envelope_can_send_ascii (built->envelope));
  g_clear_pointer (&built, built_free);

  /* A sender on an IDN domain: the Message-ID uses its A-labels. */
  postier_draft_set_to (draft, "ann@example.org");
  postier_draft_set_from (draft, "Zoë <zoe@bücher.example>");
  built = build (draft);
  g_assert_true (g_str_has_suffix (parsed_header (built, "Message-ID"), "@xn--bcher-kva.example>"));
  g_assert_cmpstr (postier_envelope_get_sender (built->envelope), ==, "ada@example.org");
  g_assert_true (postier_envelope_get_needs_smtputf8 (built->envelope));
  g_assert_true (postier_envelope_can_send_ascii (built->envelope));
}

static void
test_envelope_ascii_forms (void)
{
  g_autoptr(PostierEnvelope) envelope = postier_envelope_new ("zoë@example.org");

  g_assert_null (postier_envelope_get_ascii_sender (envelope));
  postier_envelope_set_sender (envelope, "zoe@bücher.example");
  g_assert_cmpstr (postier_envelope_get_ascii_sender (envelope), ==, "zoe@xn--bcher-kva.example");
  postier_envelope_set_sender (envelope, "");
  g_assert_cmpstr (postier_envelope_get_ascii_sender (envelope), ==, "");
  postier_envelope_add_recipient (envelope, "a@[192.0.2.1]");
  g_assert_cmpstr (postier_envelope_get_ascii_recipient (envelope, 0), ==, "a@[192.0.2.1]");
  g_assert_true (postier_envelope_can_send_ascii (envelope));
  postier_envelope_set_utf8_headers (envelope, TRUE);
  g_assert_false (postier_envelope_can_send_ascii (envelope));
}

static guint
count_entries (const char *dir)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  guint n = 0;

  while (handle != NULL && g_dir_read_name (handle) != NULL)
    n++;
  return n;
}

static void
test_enqueue_draft (void)
{
  g_autoptr(PostierDraft) draft = simple_draft ();
  g_autoptr(PostierAccount) account = test_account ();
  g_autoptr(PostierOutbox) outbox = postier_outbox_new (NULL);
  g_autoptr(PostierOutboxEntry) entry = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) parsed = NULL;
  g_autofree char *id = NULL;
  g_autofree char *message_path = NULL;
  g_autofree char *attachment = write_file ("photo.png", (const guint8 *) "\x89PNG\r\n\x1a\n", 8);

  postier_draft_set_bcc (draft, "boss@example.org");
  postier_draft_add_attachment (draft, attachment);
  id = postier_mime_enqueue_draft (draft, account, outbox, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (id);

  entry = postier_outbox_lookup (outbox, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (postier_outbox_entry_get_account_name (entry), ==, "Work");
  g_assert_cmpstr (postier_outbox_entry_get_sender (entry), ==, "ada@example.org");
  g_assert_cmpstr (postier_outbox_entry_get_subject (entry), ==, "Hello");
  g_assert_cmpuint (postier_outbox_entry_get_n_recipients (entry), ==, 2);
  g_assert_cmpstr (postier_outbox_entry_get_recipient (entry, 1), ==, "boss@example.org");
  message_path = postier_outbox_entry_get_message_path (entry);
  parsed = postier_test_parse_message (message_path);
  g_assert_false (json_object_get_boolean_member (parsed, "bare_lf"));
  g_assert_cmpstr (json_object_get_string_member (parsed, "body"), ==, "Hello Ann.\n");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (parsed, "attachments")), ==, 1);
  g_assert_false (postier_test_tree_contains (postier_outbox_get_dir (outbox), "boss@example.org\r\n"));
}

static void
test_enqueue_failure_queues_nothing (void)
{
  g_autoptr(PostierDraft) draft = simple_draft ();
  g_autoptr(PostierAccount) account = test_account ();
  g_autoptr(PostierOutbox) outbox = postier_outbox_new (NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *attachment = write_file ("big.bin", (const guint8 *) "0123456789", 10);

  postier_draft_add_attachment (draft, "/nonexistent/file.pdf");
  id = postier_mime_enqueue_draft (draft, account, outbox, NULL, &error);
  g_assert_null (id);
  g_assert_error (error, POSTIER_MESSAGE_ERROR, POSTIER_MESSAGE_ERROR_ATTACHMENT);
  g_assert_cmpuint (count_entries (postier_outbox_get_dir (outbox)), ==, 0);
  g_clear_error (&error);

  /* Cancelled while writing: no staging file stays behind either. */
  postier_draft_remove_attachment (draft, 0);
  postier_draft_add_attachment (draft, attachment);
  g_cancellable_cancel (cancellable);
  id = postier_mime_enqueue_draft (draft, account, outbox, cancellable, &error);
  g_assert_null (id);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  {
    g_autoptr(GPtrArray) entries = postier_outbox_list (outbox, NULL);
    g_assert_cmpuint (entries->len, ==, 0);
  }
  {
    g_autoptr(GDir) handle = g_dir_open (postier_outbox_get_dir (outbox), 0, NULL);
    const char *name;
    while (handle != NULL && (name = g_dir_read_name (handle)) != NULL)
      g_assert_true (name[0] == '.' && !g_str_has_suffix (name, ".eml"));
  }
}

int
main (int   argc,
      char *argv[])
{
  postier_test_init (&argc, &argv);

  g_test_add_func ("/mime/headers/standard", test_standard_headers);
  g_test_add_func ("/mime/headers/mixed-script-subject", test_mixed_script_subject);
  g_test_add_func ("/mime/headers/long-values", test_long_header_values);
  g_test_add_func ("/mime/body/long-line-and-dots", test_body_long_line_and_dots);
  g_test_add_func ("/mime/body/8bit-and-line-ends", test_body_8bit_and_line_ends);
  g_test_add_func ("/mime/body/empty", test_body_empty);
  g_test_add_func ("/mime/attachments/names-types-bytes", test_attachments);
  g_test_add_func ("/mime/refuses/bad-input", test_refuses_bad_input);
  g_test_add_func ("/mime/refuses/bad-attachments", test_refuses_bad_attachments);
  g_test_add_func ("/mime/envelope/bcc", test_bcc_only_in_envelope);
  g_test_add_func ("/mime/envelope/international", test_international_addresses);
  g_test_add_func ("/mime/envelope/ascii-forms", test_envelope_ascii_forms);
  g_test_add_func ("/mime/enqueue/draft", test_enqueue_draft);
  g_test_add_func ("/mime/enqueue/failure", test_enqueue_failure_queues_nothing);

  return g_test_run ();
}
