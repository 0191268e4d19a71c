/* test-draft.c — what a composer, a mailto: link or a message file puts in
 * a draft, what validate() refuses, and autosave
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "postier-core.h"
#include "postier-test.h"

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              gpointer    user_data)
{
  (void) object; (void) pspec;
  (*(guint *) user_data)++;
}

static void
count_changed (PostierDraft *draft,
               gpointer      user_data)
{
  (void) draft;
  (*(guint *) user_data)++;
}

static void
test_properties_notify_once (void)
{
  g_autoptr(PostierDraft) draft = postier_draft_new ();
  g_autofree char *subject = NULL;
  guint notified = 0;
  guint changed = 0;

  g_signal_connect (draft, "notify::subject", G_CALLBACK (count_notify), &notified);
  g_signal_connect (draft, "changed", G_CALLBACK (count_changed), &changed);

  postier_draft_set_subject (draft, "Hello");
  postier_draft_set_subject (draft, "Hello");
  g_assert_cmpuint (notified, ==, 1);
  g_object_get (draft, "subject", &subject, NULL);
  g_assert_cmpstr (subject, ==, "Hello");

  g_object_set (draft, "to", "ann@example.org", NULL);
  g_assert_cmpstr (postier_draft_get_to (draft), ==, "ann@example.org");
  postier_draft_add_to (draft, "Bob <bob@example.org>");
  g_assert_cmpstr (postier_draft_get_to (draft), ==, "ann@example.org, Bob <bob@example.org>");

  /* "" and NULL are the same empty field. */
  postier_draft_set_cc (draft, "");
  g_assert_null (postier_draft_get_cc (draft));

  postier_draft_add_attachment (draft, "/tmp/a.pdf");
  g_assert_cmpuint (postier_draft_get_n_attachments (draft), ==, 1);
  g_assert_cmpstr (postier_draft_get_attachment (draft, 0), ==, "/tmp/a.pdf");
  postier_draft_remove_attachment (draft, 0);
  g_assert_cmpuint (postier_draft_get_n_attachments (draft), ==, 0);
  g_assert_cmpuint (changed, >=, 5);
}

static void
test_headers_allow_list (void)
{
  g_autoptr(PostierDraft) draft = postier_draft_new ();
  g_autoptr(GError) error = NULL;
  const char * const *headers;

  g_assert_true (postier_draft_set_header (draft, "organization", "Société Générale", &error));
  g_assert_no_error (error);
  g_assert_true (postier_draft_set_header (draft, "Keywords", "a, b", &error));
  headers = postier_draft_get_headers (draft);
  g_assert_cmpstr (headers[0], ==, "Organization");
  g_assert_cmpstr (headers[1], ==, "Société Générale");
  g_assert_cmpstr (headers[2], ==, "Keywords");
  g_assert_null (headers[4]);

  g_assert_false (postier_draft_set_header (draft, "Bcc", "spy@example.org", &error));
  g_assert_error (error, POSTIER_MESSAGE_ERROR, POSTIER_MESSAGE_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_false (postier_draft_set_header (draft, "Keywords", "a\r\nBcc: spy@example.org", &error));
  g_assert_error (error, POSTIER_MESSAGE_ERROR, POSTIER_MESSAGE_ERROR_HEADER_INJECTION);
  g_clear_error (&error);

  /* An empty value removes the header. */
  g_assert_true (postier_draft_set_header (draft, "Organization", NULL, &error));
  headers = postier_draft_get_headers (draft);
  g_assert_cmpstr (headers[0], ==, "Keywords");
  g_assert_null (headers[2]);
}

typedef struct {
  const char *to;
  const char *cc;
  const char *subject;
  int         code;
  const char *named;   /* the error message must contain this */
  PostierAddressField field;   /* the composer's row to point at */
} BadDraft;

static void
test_validate_refuses (void)
{
  static const BadDraft cases[] = {
    { "ann@example.org, not an address, bob@example.org", NULL, NULL,
      POSTIER_MESSAGE_ERROR_BAD_ADDRESS, "not an address", POSTIER_ADDRESS_FIELD_TO },
    { "ann", NULL, NULL, POSTIER_MESSAGE_ERROR_BAD_ADDRESS, "“ann”", POSTIER_ADDRESS_FIELD_TO },
    { "ann@", NULL, NULL, POSTIER_MESSAGE_ERROR_BAD_ADDRESS, "ann@", POSTIER_ADDRESS_FIELD_TO },
    { "Ann <ann@example.org", NULL, NULL, POSTIER_MESSAGE_ERROR_BAD_ADDRESS, "Ann <ann@example.org", POSTIER_ADDRESS_FIELD_TO },
    { "ann@exa mple.org", NULL, NULL, POSTIER_MESSAGE_ERROR_BAD_ADDRESS, "exa mple", POSTIER_ADDRESS_FIELD_TO },
    { "ann@-bad-.org", NULL, NULL, POSTIER_MESSAGE_ERROR_BAD_ADDRESS, "ann@-bad-.org", POSTIER_ADDRESS_FIELD_TO },
    { "ann@example.org", "x@y..z", NULL, POSTIER_MESSAGE_ERROR_BAD_ADDRESS, "Cc", POSTIER_ADDRESS_FIELD_CC },
    { "ann@example.org, bob@example.org>", NULL, NULL, POSTIER_MESSAGE_ERROR_BAD_ADDRESS, "“bob@example.org>”", POSTIER_ADDRESS_FIELD_TO },
    { "Ann <<ann@example.org>>", NULL, NULL, POSTIER_MESSAGE_ERROR_BAD_ADDRESS, "Ann", POSTIER_ADDRESS_FIELD_TO },
    { NULL, NULL, "Hello", POSTIER_MESSAGE_ERROR_NO_RECIPIENTS, "recipients", POSTIER_ADDRESS_FIELD_TO },
    { "ann@example.org", NULL, "Hi\r\nBcc: spy@example.org", POSTIER_MESSAGE_ERROR_HEADER_INJECTION, "Subject", POSTIER_ADDRESS_FIELD_NONE },
    { "ann@example.org", NULL, "Hi\nX-Evil: 1", POSTIER_MESSAGE_ERROR_HEADER_INJECTION, "Subject", POSTIER_ADDRESS_FIELD_NONE },
    { "ann@example.org\r\nBcc: spy@example.org", NULL, NULL, POSTIER_MESSAGE_ERROR_HEADER_INJECTION, "To", POSTIER_ADDRESS_FIELD_TO },
    { "ann@example.org", "bob@example.org\n", NULL, POSTIER_MESSAGE_ERROR_HEADER_INJECTION, "Cc", POSTIER_ADDRESS_FIELD_CC },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(PostierDraft) draft = postier_draft_new ();
      g_autoptr(GError) error = NULL;

      postier_draft_set_to (draft, cases[i].to);
      postier_draft_set_cc (draft, cases[i].cc);
      postier_draft_set_subject (draft, cases[i].subject);
      PostierAddressField field = POSTIER_ADDRESS_FIELD_FROM;

      g_assert_false (postier_draft_validate (draft, &error));
      g_test_message ("case %u: %s", i, error->message);
      g_assert_error (error, POSTIER_MESSAGE_ERROR, cases[i].code);
      g_assert_nonnull (strstr (error->message, cases[i].named));
      /* The field at fault comes as a field, not as words to match. */
      g_clear_error (&error);
      g_assert_false (postier_draft_validate_full (draft, &field, &error));
      g_assert_cmpint (field, ==, cases[i].field);
    }
}

static void
test_validate_accepts (void)
{
  g_autoptr(PostierDraft) draft = postier_draft_new ();
  g_autoptr(GError) error = NULL;

  postier_draft_set_from (draft, "Zoë Ünïcode <zoe@bücher.example>");
  postier_draft_set_to (draft, "\"Smith, John\" <john@example.org>, ann@example.org, "
                              "\"Odd <name>\" <odd@example.org>, (a comment <) c@example.org, "
                              "pasted@example.org <pasted@example.org>");
  postier_draft_set_cc (draft, "Friends: a@example.org, b@example.org;");
  postier_draft_set_bcc (draft, "δοκιμή@παράδειγμα.δοκιμή");
  postier_draft_set_reply_to (draft, "list@[192.0.2.1]");
  postier_draft_set_subject (draft, "Ünïcödé 日本語 русский ελληνικά");
  postier_draft_set_in_reply_to (draft, "<abc@example.org>");
  postier_draft_set_references (draft, "<a@x> <b@y>");
  postier_draft_set_body (draft, "Hello\r\nworld\n");
  postier_draft_validate (draft, &error);
  g_assert_no_error (error);

  postier_draft_set_in_reply_to (draft, "not an id");
  g_assert_false (postier_draft_validate (draft, &error));
  g_assert_error (error, POSTIER_MESSAGE_ERROR, POSTIER_MESSAGE_ERROR_MALFORMED);
  g_clear_error (&error);

  {
    g_autoptr(GString) id = g_string_new ("<");
    for (guint i = 0; i < 1000; i++)
      g_string_append_c (id, 'x');
    g_string_append (id, "@example.org>");
    postier_draft_set_in_reply_to (draft, NULL);
    postier_draft_set_references (draft, id->str);
    g_assert_false (postier_draft_validate (draft, &error));
    g_assert_error (error, POSTIER_MESSAGE_ERROR, POSTIER_MESSAGE_ERROR_MALFORMED);
  }
}

static void
test_is_empty (void)
{
  g_autoptr(PostierDraft) draft = postier_draft_new ();

  postier_draft_set_account_name (draft, "Work");
  postier_draft_set_from (draft, "me@example.org");
  g_assert_true (postier_draft_is_empty (draft));
  postier_draft_set_body (draft, "  \n");
  g_assert_true (postier_draft_is_empty (draft));
  postier_draft_set_body (draft, "x");
  g_assert_false (postier_draft_is_empty (draft));
}

static void
test_mailto (void)
{
  g_autoptr(PostierDraft) draft = NULL;
  g_autoptr(GError) error = NULL;

  draft = postier_draft_new_from_mailto ("mailto:ann@example.org,bob@example.org"
                                         "?cc=carol@example.org&Subject=Caf%C3%A9%20%2B%20cr%C3%A8me"
                                         "&body=line%201%0D%0Aline%202&attach=/etc/passwd"
                                         "&attachment=%2Fetc%2Fshadow&from=evil@example.org"
                                         "&bcc=dave@example.org&to=erin@example.org"
                                         "&in-reply-to=%3Cid%40example.org%3E&X-Header=1",
                                         &error);
  g_assert_no_error (error);
  g_assert_cmpstr (postier_draft_get_to (draft), ==, "ann@example.org,bob@example.org, erin@example.org");
  g_assert_cmpstr (postier_draft_get_cc (draft), ==, "carol@example.org");
  g_assert_cmpstr (postier_draft_get_bcc (draft), ==, "dave@example.org");
  g_assert_cmpstr (postier_draft_get_subject (draft), ==, "Café + crème");
  g_assert_cmpstr (postier_draft_get_body (draft), ==, "line 1\nline 2");
  g_assert_cmpstr (postier_draft_get_in_reply_to (draft), ==, "<id@example.org>");
  /* attach=, from= and unknown fields are ignored. */
  g_assert_cmpuint (postier_draft_get_n_attachments (draft), ==, 0);
  g_assert_null (postier_draft_get_from (draft));
  g_assert_null (postier_draft_get_headers (draft)[0]);
  g_assert_true (postier_draft_validate (draft, &error));
  g_clear_object (&draft);

  draft = postier_draft_new_from_mailto ("MAILTO:%22Ann%20Example%22%20%3Cann@example.org%3E", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (postier_draft_get_to (draft), ==, "\"Ann Example\" <ann@example.org>");
}

static void
test_mailto_refuses (void)
{
  static const struct { const char *uri; int code; } cases[] = {
    { "mailto:ann@example.org?subject=Hi%0D%0ABcc:%20spy@example.org", POSTIER_MESSAGE_ERROR_HEADER_INJECTION },
    { "mailto:ann@example.org?subject=Hi%0ABcc:%20spy@example.org", POSTIER_MESSAGE_ERROR_HEADER_INJECTION },
    { "mailto:ann@example.org%0D%0ABcc:spy@example.org", POSTIER_MESSAGE_ERROR_HEADER_INJECTION },
    { "mailto:ann@example.org?cc=a@b%0D%0AX-Evil:1", POSTIER_MESSAGE_ERROR_HEADER_INJECTION },
    { "mailto:ann@example.org?in-reply-to=%3Ca@b%3E%0ABcc:x@y", POSTIER_MESSAGE_ERROR_HEADER_INJECTION },
    { "mailto:ann@example.org?subject=%00", POSTIER_MESSAGE_ERROR_MALFORMED },
    { "mailto:ann@example.org?subject=%FF%FE", POSTIER_MESSAGE_ERROR_MALFORMED },
    { "mailto:ann%00@example.org", POSTIER_MESSAGE_ERROR_MALFORMED },
    { "http://example.org/", POSTIER_MESSAGE_ERROR_MALFORMED },
    /* Found by fuzz-mailto: the refusal quoted the link's bytes, which
     * need not be UTF-8. */
    { "mailto://=oyb=oybd&boma:\xdaY=", POSTIER_MESSAGE_ERROR_MALFORMED },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(PostierDraft) draft = NULL;
      g_autoptr(GError) error = NULL;

      draft = postier_draft_new_from_mailto (cases[i].uri, &error);
      g_test_message ("%s", cases[i].uri);
      g_assert_null (draft);
      g_assert_error (error, POSTIER_MESSAGE_ERROR, cases[i].code);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
    }
}

static void
test_save_load_round_trip (void)
{
  g_autoptr(PostierDraft) draft = postier_draft_new ();
  g_autoptr(PostierDraft) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (g_get_user_data_dir (), "postier", "drafts", "d1.draft", NULL);
  g_autofree char *attachment = g_build_filename (g_get_user_cache_dir (), "naïve file\xff.bin", NULL);
  GStatBuf st;

  postier_draft_set_account_name (draft, "Work");
  postier_draft_set_from (draft, "Zoë <zoe@example.org>");
  postier_draft_set_to (draft, "ann@example.org");
  postier_draft_set_cc (draft, "bob@example.org");
  postier_draft_set_bcc (draft, "carol@example.org");
  postier_draft_set_reply_to (draft, "list@example.org");
  postier_draft_set_subject (draft, "  leading spaces; semi; = equals # hash");
  postier_draft_set_body (draft, "Line 1\n\n  indented\n[Group]\nkey=value\n\\n not a newline\n");
  postier_draft_set_in_reply_to (draft, "<a@example.org>");
  postier_draft_set_references (draft, "<r@example.org> <a@example.org>");
  postier_draft_add_attachment (draft, attachment);
  g_assert_true (postier_draft_set_header (draft, "Organization", "Ça va", &error));

  g_assert_true (postier_draft_save (draft, path, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  loaded = postier_draft_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (postier_draft_get_account_name (loaded), ==, "Work");
  g_assert_cmpstr (postier_draft_get_from (loaded), ==, postier_draft_get_from (draft));
  g_assert_cmpstr (postier_draft_get_to (loaded), ==, postier_draft_get_to (draft));
  g_assert_cmpstr (postier_draft_get_cc (loaded), ==, postier_draft_get_cc (draft));
  g_assert_cmpstr (postier_draft_get_bcc (loaded), ==, postier_draft_get_bcc (draft));
  g_assert_cmpstr (postier_draft_get_reply_to (loaded), ==, postier_draft_get_reply_to (draft));
  g_assert_cmpstr (postier_draft_get_subject (loaded), ==, postier_draft_get_subject (draft));
  g_assert_cmpstr (postier_draft_get_body (loaded), ==, postier_draft_get_body (draft));
  g_assert_cmpstr (postier_draft_get_in_reply_to (loaded), ==, postier_draft_get_in_reply_to (draft));
  g_assert_cmpstr (postier_draft_get_references (loaded), ==, postier_draft_get_references (draft));
  g_assert_cmpuint (postier_draft_get_n_attachments (loaded), ==, 1);
  g_assert_cmpstr (postier_draft_get_attachment (loaded, 0), ==, attachment);
  g_assert_cmpstr (postier_draft_get_headers (loaded)[0], ==, "Organization");
  g_assert_cmpstr (postier_draft_get_headers (loaded)[1], ==, "Ça va");

  /* An empty draft saves and loads too. */
  g_clear_object (&draft);
  g_clear_object (&loaded);
  draft = postier_draft_new ();
  g_assert_true (postier_draft_save (draft, path, &error));
  loaded = postier_draft_load (path, &error);
  g_assert_no_error (error);
  g_assert_true (postier_draft_is_empty (loaded));
}

static void
test_load_refuses_garbage (void)
{
  g_autofree char *path = g_build_filename (g_get_user_cache_dir (), "not-a-draft", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(PostierDraft) draft = NULL;

  g_assert_cmpint (g_mkdir_with_parents (g_get_user_cache_dir (), 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, "[Other]\nx=1\n", -1, NULL));
  draft = postier_draft_load (path, &error);
  g_assert_null (draft);
  g_assert_error (error, POSTIER_MESSAGE_ERROR, POSTIER_MESSAGE_ERROR_MALFORMED);
}

static void
test_from_message_file (void)
{
  g_autofree char *path = g_build_filename (g_get_user_cache_dir (), "in.eml", NULL);
  g_autofree char *cache = g_build_filename (g_get_user_cache_dir (), "postier", "imported", NULL);
  g_autoptr(PostierDraft) draft = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *saved = NULL;
  gsize length;
  const char *message =
    "From: =?UTF-8?Q?Zo=C3=AB?= <zoe@example.org>\r\n"
    "To: ann@example.org, \"Smith, Bob\" <bob@example.org>\r\n"
    "Cc: carol@example.org\r\n"
    "Subject: =?UTF-8?B?Q2Fmw6k=?= time\r\n"
    "In-Reply-To: <parent@example.org>\r\n"
    "References: <root@example.org>\r\n <parent@example.org>\r\n"
    "Organization: ACME\r\n"
    "X-Unknown: dropped\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"b1\"\r\n"
    "\r\n"
    "--b1\r\n"
    "Content-Type: multipart/alternative; boundary=\"b2\"\r\n"
    "\r\n"
    "--b2\r\n"
    "Content-Type: text/plain; charset=iso-8859-1\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n"
    "\r\n"
    "Caf=E9 at 10?\r\n"
    "--b2\r\n"
    "Content-Type: text/html\r\n"
    "\r\n"
    "<p>Caf&eacute; at 10?</p>\r\n"
    "--b2--\r\n"
    "--b1\r\n"
    "Content-Type: application/octet-stream\r\n"
    "Content-Disposition: attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.bin\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    "AAECAw==\r\n"
    "--b1--\r\n";

  g_assert_cmpint (g_mkdir_with_parents (g_get_user_cache_dir (), 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, message, -1, NULL));
  draft = postier_draft_new_from_message_file (path, cache, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (postier_draft_get_from (draft), ==, "Zoë <zoe@example.org>");
  g_assert_cmpstr (postier_draft_get_to (draft), ==, "ann@example.org, \"Smith, Bob\" <bob@example.org>");
  g_assert_cmpstr (postier_draft_get_cc (draft), ==, "carol@example.org");
  g_assert_cmpstr (postier_draft_get_subject (draft), ==, "Café time");
  g_assert_cmpstr (postier_draft_get_in_reply_to (draft), ==, "<parent@example.org>");
  g_assert_nonnull (strstr (postier_draft_get_references (draft), "<root@example.org>"));
  g_assert_cmpstr (postier_draft_get_body (draft), ==, "Café at 10?");
  g_assert_cmpstr (postier_draft_get_headers (draft)[0], ==, "Organization");
  g_assert_null (postier_draft_get_headers (draft)[2]);
  g_assert_cmpuint (postier_draft_get_n_attachments (draft), ==, 1);
  g_assert_true (g_str_has_suffix (postier_draft_get_attachment (draft, 0), "/résumé.bin"));
  saved = postier_test_read_file (postier_draft_get_attachment (draft, 0), &length);
  g_assert_cmpmem (saved, length, "\0\1\2\3", 4);
  g_assert_true (postier_draft_validate (draft, &error));
}

/* A message built from a draft and opened again (Edit in the outbox, a
 * saved .eml) has the text the person wrote: no empty line added. */
/* Issue 16, finding 7: an empty message/rfc822 part has no message; its
 * import once passed NULL to g_mime_object_write_to_stream (), a
 * critical. It is saved as an empty attachment. */
static void
test_message_file_empty_rfc822 (void)
{
  g_autofree char *path = g_build_filename (g_get_user_cache_dir (), "empty-rfc822.eml", NULL);
  g_autofree char *cache = g_build_filename (g_get_user_cache_dir (), "postier", "imported", NULL);
  g_autoptr(PostierDraft) draft = NULL;
  g_autoptr(GError) error = NULL;
  const char *message =
    "From: zoe@example.org\r\n"
    "To: ann@example.org\r\n"
    "Subject: forwarded nothing\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"b1\"\r\n"
    "\r\n"
    "--b1\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    "See attached.\r\n"
    "--b1\r\n"
    "Content-Type: message/rfc822\r\n"
    "\r\n"
    "--b1--\r\n";

  g_assert_cmpint (g_mkdir_with_parents (g_get_user_cache_dir (), 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, message, -1, NULL));
  draft = postier_draft_new_from_message_file (path, cache, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (postier_draft_get_body (draft), ==, "See attached.");
}

static void
test_message_file_round_trip (void)
{
  g_autofree char *cache = g_build_filename (g_get_user_cache_dir (), "postier", "round-trip", NULL);
  g_autofree char *path = g_build_filename (g_get_user_cache_dir (), "round-trip.eml", NULL);
  g_autoptr(PostierAccount) account = postier_account_new ("Work");
  const char *bodies[] = { "One line", "Two\nlines", "Ends a line\n", "Blank line after\n\n" };
  const char *expected[] = { "One line", "Two\nlines", "Ends a line", "Blank line after\n" };

  postier_account_set_identity (account, "Ann <ann@example.org>");
  postier_account_set_host (account, "smtp.example.org");
  g_assert_cmpint (g_mkdir_with_parents (g_get_user_cache_dir (), 0700), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autoptr(PostierDraft) draft = postier_draft_new ();
      g_autoptr(PostierDraft) opened = NULL;
      g_autoptr(PostierDraft) again = NULL;
      g_autoptr(PostierEnvelope) envelope = NULL;
      g_autoptr(GError) error = NULL;
      gpointer message;

      postier_draft_set_to (draft, "bob@example.org");
      postier_draft_set_subject (draft, "Round trip");
      postier_draft_set_body (draft, bodies[i]);
      message = postier_mime_build_message (draft, account, &envelope, &error);
      g_assert_no_error (error);
      g_assert_true (postier_mime_write_message (message, envelope, path, NULL, &error));
      g_assert_no_error (error);
      g_object_unref (message);
      opened = postier_draft_new_from_message_file (path, cache, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (postier_draft_get_body (opened), ==, expected[i]);

      /* Built and opened once more, text that ends without an empty line
       * stays the same. */
      if (g_str_has_suffix (expected[i], "\n"))
        continue;
      g_clear_object (&envelope);
      message = postier_mime_build_message (opened, account, &envelope, &error);
      g_assert_no_error (error);
      g_assert_true (postier_mime_write_message (message, envelope, path, NULL, &error));
      g_object_unref (message);
      again = postier_draft_new_from_message_file (path, cache, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (postier_draft_get_body (again), ==, expected[i]);
    }
}

int
main (int   argc,
      char *argv[])
{
  postier_test_init (&argc, &argv);

  g_test_add_func ("/draft/properties", test_properties_notify_once);
  g_test_add_func ("/draft/headers/allow-list", test_headers_allow_list);
  g_test_add_func ("/draft/validate/refuses", test_validate_refuses);
  g_test_add_func ("/draft/validate/accepts", test_validate_accepts);
  g_test_add_func ("/draft/is-empty", test_is_empty);
  g_test_add_func ("/draft/mailto/fields", test_mailto);
  g_test_add_func ("/draft/mailto/refuses", test_mailto_refuses);
  g_test_add_func ("/draft/autosave/round-trip", test_save_load_round_trip);
  g_test_add_func ("/draft/autosave/garbage", test_load_refuses_garbage);
  g_test_add_func ("/draft/message-file", test_from_message_file);
  g_test_add_func ("/draft/message-file/round-trip", test_message_file_round_trip);
  g_test_add_func ("/draft/message-file/empty-rfc822", test_message_file_empty_rfc822);

  return g_test_run ();
}
