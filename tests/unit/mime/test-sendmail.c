/* test-sendmail.c — a message piped in the way sendmail takes it, and the
 * postierctl send / sendmail commands that put messages in the outbox
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sysexits.h>
#include <unistd.h>

#include "postier-core.h"
#include "postier-gmime.h"
#include "postier-sendmail-reader.h"
#include "postier-test.h"

/* --- The reader, fed through a pipe in uneven chunks ---------------------- */

/* Writes the same line to a pipe until the reader goes away. */
static gpointer
endless_writer (gpointer user_data)
{
  struct { int fd; const char *line; } *endless = user_data;
  g_autofree char *text = g_strdup_printf ("Subject: endless\n\n%s\n", endless->line);
  g_autofree char *body = g_strdup_printf ("%s\n", endless->line);

  if (write (endless->fd, text, strlen (text)) < 0)
    goto done;
  while (write (endless->fd, body, strlen (body)) > 0)
    ;
done:
  close (endless->fd);
  return NULL;
}

typedef struct {
  int           fd;
  const guint8 *data;
  gsize         length;
  guint32       seed;
} Feeder;

static gpointer
feed_in_chunks (gpointer user_data)
{
  Feeder *feeder = user_data;
  g_autoptr(GRand) rand = g_rand_new_with_seed (feeder->seed);
  gsize done = 0;

  /* Chunks of 1 to 9000 octets put line ends and dots across reads. */
  while (done < feeder->length)
    {
      gsize wanted = (gsize) g_rand_int_range (rand, 1, 9000);
      gsize chunk = MIN (feeder->length - done, wanted);
      ssize_t n = write (feeder->fd, feeder->data + done, chunk);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        break;  /* the reader stopped early (a lone dot): fine */
      done += (gsize) n;
    }
  close (feeder->fd);
  return NULL;
}

typedef struct {
  gboolean   ok;
  GError    *error;
  char      *output;
  gsize      length;
  GStrv      recipients;
  gboolean   eight_bit;
  gboolean   utf8_headers;
  gboolean   added_date;
  gboolean   added_message_id;
} ReadResult;

static void
read_result_free (ReadResult *result)
{
  g_clear_error (&result->error);
  g_free (result->output);
  g_strfreev (result->recipients);
  g_free (result);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReadResult, read_result_free)

static ReadResult *
read_message_with (const char           *input,
                   gsize                 length,
                   PostierSendmailFlags  flags,
                   const char           *default_from,
                   guint32               seed)
{
  g_autoptr(PostierSendmailReader) reader = postier_sendmail_reader_new (flags);
  ReadResult *result = g_new0 (ReadResult, 1);
  Feeder feeder = { -1, (const guint8 *) input, length, seed };
  GThread *thread;
  int pipe_fds[2];
  int out_fd;
  off_t size;

  g_assert_cmpint (pipe (pipe_fds), ==, 0);
  out_fd = memfd_create ("sendmail-out", MFD_CLOEXEC);
  g_assert_cmpint (out_fd, >=, 0);
  feeder.fd = pipe_fds[1];
  thread = g_thread_new ("feeder", feed_in_chunks, &feeder);

  postier_sendmail_reader_set_default_from (reader, default_from);
  result->ok = postier_sendmail_reader_run (reader, pipe_fds[0], out_fd, NULL, &result->error);
  close (pipe_fds[0]);
  g_thread_join (thread);

  size = lseek (out_fd, 0, SEEK_END);
  result->output = g_malloc0 ((gsize) size + 1);
  g_assert_cmpint (pread (out_fd, result->output, (gsize) size, 0), ==, size);
  result->length = (gsize) size;
  close (out_fd);

  if (result->ok)
    {
      g_assert_cmpuint (postier_sendmail_reader_get_size (reader), ==, result->length);
      result->recipients = g_strdupv ((char **) postier_sendmail_reader_get_recipients (reader));
      result->eight_bit = postier_sendmail_reader_get_8bit (reader);
      result->utf8_headers = postier_sendmail_reader_get_utf8_headers (reader);
      result->added_date = postier_sendmail_reader_get_added_date (reader);
      result->added_message_id = postier_sendmail_reader_get_added_message_id (reader);
    }
  return result;
}

static ReadResult *
read_message (const char           *input,
              PostierSendmailFlags  flags)
{
  return read_message_with (input, strlen (input), flags, NULL, 1);
}

/* The header block of OUTPUT without the Date and Message-ID we add. */
static char *
headers_without_added (ReadResult *result)
{
  g_auto(GStrv) lines = NULL;
  g_autoptr(GString) kept = g_string_new (NULL);
  const char *end = strstr (result->output, "\r\n\r\n");

  g_assert_nonnull (end);
  lines = g_strsplit (result->output, "\r\n", -1);
  for (guint i = 0; lines[i] != NULL && *lines[i] != '\0'; i++)
    if ((!result->added_date || !g_str_has_prefix (lines[i], "Date: ")) &&
        (!result->added_message_id || !g_str_has_prefix (lines[i], "Message-ID: ")))
      g_string_append_printf (kept, "%s\r\n", lines[i]);
  return g_string_free (g_steal_pointer (&kept), FALSE);
}

static const char *
body_of (ReadResult *result)
{
  const char *end = strstr (result->output, "\r\n\r\n");

  g_assert_nonnull (end);
  return end + 4;
}

static GMimeMessage *
parse_output (ReadResult *result)
{
  g_autoptr(GMimeStream) stream = g_mime_stream_mem_new_with_buffer (result->output, result->length);
  g_autoptr(GMimeParser) parser = g_mime_parser_new_with_stream (stream);
  GMimeMessage *message = g_mime_parser_construct_message (parser, NULL);

  g_assert_nonnull (message);
  return message;
}

/* The octets of PART's content as a reader decodes them, CRLF as LF. */
static char *
decoded_part (GMimeObject *object)
{
  g_autoptr(GMimeStream) memory = g_mime_stream_mem_new ();
  GMimeDataWrapper *content;
  GByteArray *bytes;
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  g_assert_true (GMIME_IS_PART (object));
  content = g_mime_part_get_content (GMIME_PART (object));
  if (content != NULL)
    g_mime_data_wrapper_write_to_stream (content, memory);
  bytes = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (memory));
  text = bytes->len > 0 ? g_strndup ((const char *) bytes->data, bytes->len) : g_strdup ("");
  lines = g_strsplit (text, "\r\n", -1);
  return g_strjoinv ("\n", lines);
}

static char *
decoded_text (GMimeMessage *message)
{
  return decoded_part (g_mime_message_get_mime_part (message));
}

static void
test_reader_line_ends_and_bytes (void)
{
  g_autoptr(ReadResult) result = NULL;
  g_autofree char *headers = NULL;

  result = read_message ("Subject:  two  spaces  \n"
                         "X-Folded: first\n"
                         "\tsecond\r\n"
                         "  third\n"
                         "From : Obsolete Syntax <old@example.org>\n"
                         "X-Raw: Ünïcode raw\n"
                         "To: ann@example.org\n"
                         "Date: Mon, 1 Jan 2024 00:00:00 +0000\n"
                         "message-id: <kept@example.org>\n"
                         "\n"
                         "crlf\r\n"
                         "lf\n"
                         "\n"
                         "no final line end", POSTIER_SENDMAIL_NONE);
  g_assert_no_error (result->error);
  g_assert_false (result->added_date);
  g_assert_false (result->added_message_id);
  g_assert_cmpstr (result->output, ==,
                   "Subject:  two  spaces  \r\n"
                   "X-Folded: first\r\n"
                   "\tsecond\r\n"
                   "  third\r\n"
                   "From : Obsolete Syntax <old@example.org>\r\n"
                   "X-Raw: Ünïcode raw\r\n"
                   "To: ann@example.org\r\n"
                   "Date: Mon, 1 Jan 2024 00:00:00 +0000\r\n"
                   "message-id: <kept@example.org>\r\n"
                   "\r\n"
                   "crlf\r\n"
                   "lf\r\n"
                   "\r\n"
                   "no final line end\r\n");
  g_assert_true (result->eight_bit);
  g_assert_true (result->utf8_headers);
  /* Without -t, the headers name no recipients. */
  g_assert_null (result->recipients[0]);
  headers = headers_without_added (result);
  g_assert_true (g_str_has_prefix (result->output, headers));
}

static void
test_reader_adds_date_message_id_from (void)
{
  g_autoptr(ReadResult) result = NULL;
  g_autoptr(GDateTime) date = NULL;
  const char *line;

  result = read_message_with ("Subject: hi\n\nbody\n", strlen ("Subject: hi\n\nbody\n"), POSTIER_SENDMAIL_NONE,
                              "Zoë Example <zoe@bücher.example>", 1);
  g_assert_no_error (result->error);
  g_assert_true (result->added_date);
  g_assert_true (result->added_message_id);
  g_assert_true (g_str_has_prefix (result->output, "Subject: hi\r\n"));
  g_assert_nonnull (strstr (result->output, "\r\nFrom: =?UTF-8?"));
  g_assert_nonnull (strstr (result->output, "<zoe@xn--bcher-kva.example>\r\n"));
  line = strstr (result->output, "\r\nDate: ");
  g_assert_nonnull (line);
  {
    g_autofree char *value = g_strndup (line + 8, strcspn (line + 8, "\r"));
    date = g_mime_utils_header_decode_date (value);
    g_assert_nonnull (date);
    g_assert_cmpint (ABS (g_date_time_to_unix (date) - g_get_real_time () / G_USEC_PER_SEC), <, 60);
  }
  line = strstr (result->output, "\r\nMessage-ID: <");
  g_assert_nonnull (line);
  g_assert_nonnull (strstr (line, "@xn--bcher-kva.example>\r\n"));
  g_assert_true (g_str_has_suffix (result->output, "\r\n\r\nbody\r\n"));
  g_assert_false (result->utf8_headers);
  g_clear_pointer (&result, read_result_free);

  /* A From of its own names the Message-ID's domain and is not replaced. */
  result = read_message_with ("From: a@own.example\n\nx\n", strlen ("From: a@own.example\n\nx\n"), POSTIER_SENDMAIL_NONE,
                              "Zoë <zoe@example.org>", 1);
  g_assert_no_error (result->error);
  g_assert_null (strstr (result->output, "zoe@"));
  g_assert_nonnull (strstr (result->output, "@own.example>\r\n"));
}

static void
test_reader_lone_dot (void)
{
  g_autoptr(ReadResult) result = NULL;
  const char *input = "Subject: dots\n\n.leading\n..two\n.\nafter the dot\n";

  result = read_message (input, POSTIER_SENDMAIL_NONE);
  g_assert_no_error (result->error);
  g_assert_cmpstr (body_of (result), ==, ".leading\r\n..two\r\n");
  g_clear_pointer (&result, read_result_free);

  result = read_message (input, POSTIER_SENDMAIL_IGNORE_DOTS);
  g_assert_no_error (result->error);
  g_assert_cmpstr (body_of (result), ==, ".leading\r\n..two\r\n.\r\nafter the dot\r\n");
  g_clear_pointer (&result, read_result_free);

  /* CRLF around the dot, and a dot with nothing after it. */
  result = read_message ("Subject: x\r\n\r\nbody\r\n.\r\nrest", POSTIER_SENDMAIL_NONE);
  g_assert_cmpstr (body_of (result), ==, "body\r\n");
  g_clear_pointer (&result, read_result_free);
  result = read_message ("Subject: x\n\nbody\n.", POSTIER_SENDMAIL_NONE);
  g_assert_cmpstr (body_of (result), ==, "body\r\n");
  g_clear_pointer (&result, read_result_free);
  result = read_message ("Subject: x\n\n. \n.x\n", POSTIER_SENDMAIL_NONE);
  g_assert_cmpstr (body_of (result), ==, ". \r\n.x\r\n");
}

static void
test_reader_recipients_and_bcc (void)
{
  g_autoptr(ReadResult) result = NULL;
  const char *expected[] = {
    "ann@example.org", "bob@example.org", "carol@example.org", "dave@example.org",
    "erin@example.org", "frank@example.org", "frank@example.org", NULL,
  };

  result = read_message ("To: Ann <ann@example.org>,\n bob@example.org\n"
                         "Subject: x\n"
                         "Bcc: carol@example.org\n"
                         "cc: Team: dave@example.org, =?UTF-8?Q?Er=C3=AFn?= <erin@example.org>;\n"
                         "BCC: frank@example.org,\n\tfrank@example.org\n"
                         "X-After: kept\n"
                         "\nbody\n", POSTIER_SENDMAIL_READ_HEADERS);
  g_assert_no_error (result->error);
  g_assert_cmpstrv (result->recipients, expected);
  g_assert_null (strstr (result->output, "carol"));
  g_assert_null (strstr (result->output, "frank"));
  g_assert_null (g_strstr_len (result->output, -1, "Bcc"));
  g_assert_null (g_strstr_len (result->output, -1, "BCC"));
  g_assert_true (g_str_has_prefix (result->output,
                                   "To: Ann <ann@example.org>,\r\n bob@example.org\r\n"
                                   "Subject: x\r\n"
                                   "cc: Team: dave@example.org, =?UTF-8?Q?Er=C3=AFn?= <erin@example.org>;\r\n"
                                   "X-After: kept\r\n"));
  g_clear_pointer (&result, read_result_free);

  /* Bcc never leaves, with or without -t. */
  result = read_message ("Bcc: carol@example.org\nSubject: x\n\nbody\n", POSTIER_SENDMAIL_NONE);
  g_assert_no_error (result->error);
  g_assert_null (strstr (result->output, "carol"));
  g_clear_pointer (&result, read_result_free);

  result = read_message ("To: ann@example.org, not an address\n\nbody\n", POSTIER_SENDMAIL_READ_HEADERS);
  g_assert_error (result->error, POSTIER_MESSAGE_ERROR, POSTIER_MESSAGE_ERROR_BAD_ADDRESS);
  g_assert_nonnull (strstr (result->error->message, "not an address"));
}

static void
test_reader_mbox_line (void)
{
  g_autoptr(ReadResult) result = NULL;

  result = read_message ("From 1234abcd Mon Sep 17 00:00:00 2001\nFrom: A <a@example.org>\nSubject: [PATCH] x\n\n"
                         "From the body, kept\n", POSTIER_SENDMAIL_NONE);
  g_assert_no_error (result->error);
  g_assert_true (g_str_has_prefix (result->output, "From: A <a@example.org>\r\n"));
  g_assert_cmpstr (body_of (result), ==, "From the body, kept\r\n");
}

static void
test_reader_refuses (void)
{
  static const struct { const char *input; gsize length; int code; const char *named; } cases[] = {
    { "Subject: x\n\nbo\0dy\n", 17, POSTIER_MESSAGE_ERROR_MALFORMED, "NUL" },
    { "Subj\0ect: x\n\nbody\n", 18, POSTIER_MESSAGE_ERROR_MALFORMED, "NUL" },
    /* A CR alone in a header could smuggle one in (issue 10). */
    { "Subject: x\rBcc: hidden@example.org\n\nbody\n", 0, POSTIER_MESSAGE_ERROR_HEADER_INJECTION, "Line 1: the Subject header" },
    { "To: a@example.org\nSubject: x\n\tmore\rBcc: y@example.org\n\nbody\n", 0, POSTIER_MESSAGE_ERROR_HEADER_INJECTION, "Line 3: the Subject header" },
    { "Subject: x\r\n", 0, POSTIER_MESSAGE_ERROR_FAILED, NULL },  /* CRLF is fine: accepted */
    { "Subject: caf\xe9\n\nbody\n", 0, POSTIER_MESSAGE_ERROR_MALFORMED, "Line 1: the Subject header is not valid UTF-8" },
    { "To: a@example.org\nX-Note: ok\n \xff\xfe\n\nbody\n", 0, POSTIER_MESSAGE_ERROR_MALFORMED, "Line 3: the X-Note header is not valid UTF-8" },
    { "Subject: bell\a\n\nbody\n", 0, POSTIER_MESSAGE_ERROR_MALFORMED, "Line 1: the Subject header holds a control character" },
    { "Subject: \x1b]0;title\x07\n\nbody\n", 0, POSTIER_MESSAGE_ERROR_MALFORMED, "control character" },
    /* What the check list would fail (the exit-code table: an unparsable
     * date is bad input). */
    { "Subject: x\nDate: yesterday\n\nbody\n", 0, POSTIER_MESSAGE_ERROR_MALFORMED, "Line 2: the Date header “yesterday” is not a date" },
    { "Date: Mon, 1 Jan 2024 00:00:00 +0000\nDate: Tue, 2 Jan 2024 00:00:00 +0000\n\nbody\n", 0, POSTIER_MESSAGE_ERROR_MALFORMED, "Line 2: a second Date header" },
    { "Message-ID: <a@example.org>\nmessage-id: <b@example.org>\n\nbody\n", 0, POSTIER_MESSAGE_ERROR_MALFORMED, "Line 2: a second message-id header" },
    { "Subject: =?x-no-such-charset?Q?abc?=\n\nbody\n", 0, POSTIER_MESSAGE_ERROR_MALFORMED, "Line 1: the Subject header holds an RFC 2047 encoded word" },
    { "Subject: =?UTF-8?B?\xc3?=\n\nbody\n", 0, POSTIER_MESSAGE_ERROR_MALFORMED, "Line 1: the Subject header is not valid UTF-8" },
    { "Subject: =?UTF-8?B?\?= is fine, empty\n\nbody\n", 0, POSTIER_MESSAGE_ERROR_FAILED, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gsize length = cases[i].length != 0 ? cases[i].length : strlen (cases[i].input);
      g_autoptr(ReadResult) result = read_message_with (cases[i].input, length, POSTIER_SENDMAIL_READ_HEADERS, NULL, i);

      g_test_message ("case %u: %s", i, result->error ? result->error->message : "(accepted)");
      if (cases[i].named == NULL)
        {
          g_assert_no_error (result->error);
          continue;
        }
      g_assert_false (result->ok);
      g_assert_error (result->error, POSTIER_MESSAGE_ERROR, cases[i].code);
      g_assert_nonnull (strstr (result->error->message, cases[i].named));
      g_assert_null (strchr (result->error->message, '\n'));
    }
}

/* What Postfix's sendmail takes (checked against Postfix 3.7 through its
 * pickup service): the header block ends at the blank line or at the
 * first line that is not a field; headers with no body, a body with no
 * header and nothing at all are messages too. No To is added (Postfix's
 * undisclosed_recipients_header is empty since 2.8). */
static void
test_reader_postfix_idioms (void)
{
  static const struct { const char *input; const char *headers; const char *body; } cases[] = {
    { "Subject: only a subject\n", "Subject: only a subject\r\n", "" },
    { "Subject: only a subject", "Subject: only a subject\r\n", "" },
    { "just a body line\nsecond\n", "", "just a body line\r\nsecond\r\n" },
    { "Subject: s\nX-A: b\n", "Subject: s\r\nX-A: b\r\n", "" },
    { "Subject: s\nthis is not a header\nmore\n", "Subject: s\r\n", "this is not a header\r\nmore\r\n" },
    { " leading space line\nbody\n", "", " leading space line\r\nbody\r\n" },
    { "Subject: x\n: no name\n\nbody\n", "Subject: x\r\n", ": no name\r\n\r\nbody\r\n" },
    { "Subject: x\nBad Name: y\n", "Subject: x\r\n", "Bad Name: y\r\n" },
    { "Subject: x\n.\nafter the dot\n", "Subject: x\r\n", "" },
    { "Subject: x\n.leading dot\n", "Subject: x\r\n", ".leading dot\r\n" },
    { "", "", "" },
    { "Subject: x\n\n", "Subject: x\r\n", "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(ReadResult) result = read_message_with (cases[i].input, strlen (cases[i].input),
                                                        POSTIER_SENDMAIL_NONE, "Zoë <zoe@example.org>", i);
      g_autofree char *headers = NULL;
      g_autofree char *expected = NULL;

      g_test_message ("case %u", i);
      g_assert_no_error (result->error);
      g_assert_true (result->added_date);
      g_assert_true (result->added_message_id);
      headers = headers_without_added (result);
      expected = g_strdup_printf ("%sFrom: =?UTF-8?b?Wm/Dqw==?= <zoe@example.org>\r\n", cases[i].headers);
      g_assert_cmpstr (headers, ==, expected);
      g_assert_cmpstr (body_of (result), ==, cases[i].body);
      g_assert_null (g_strstr_len (result->output, -1, "\nTo:"));
    }
}

/* Only LF and CRLF end lines: "\r.\r" is text, not the end of input
 * (issue 16, finding 8), and a CR alone in a body is kept as a character,
 * quoted-printable encoded so that no bare CR goes out. */
static void
test_reader_bare_cr (void)
{
  g_autoptr(ReadResult) result = NULL;
  g_autoptr(GMimeMessage) message = NULL;
  g_autofree char *text = NULL;

  result = read_message ("Subject: x\n\nline\r.\rafter\n.\r\nnot the end\nlast\n", POSTIER_SENDMAIL_NONE);
  g_assert_no_error (result->error);
  g_assert_nonnull (strstr (result->output, "\r\nContent-Transfer-Encoding: quoted-printable\r\n"));
  g_assert_nonnull (strstr (body_of (result), "line=0D.=0Dafter\r\n"));
  for (const char *p = result->output; *p; p++)
    if (*p == '\r')
      g_assert_cmpint (p[1], ==, '\n');
  /* ".\r\n" alone is still the end, CRLF being a line end. */
  g_assert_null (strstr (result->output, "not the end"));
  message = parse_output (result);
  text = decoded_text (message);
  g_assert_cmpstr (text, ==, "line\r.\rafter\n");
}

/* The header field NAME of OUTPUT with its folds (CRLFs before blanks). */
static char *
raw_field (const char *output,
           const char *name)
{
  g_autofree char *prefix = g_strdup_printf ("%s:", name);
  const char *start = g_str_has_prefix (output, prefix) ? output : NULL;
  const char *end;

  if (start == NULL)
    {
      g_autofree char *inner = g_strdup_printf ("\r\n%s", prefix);
      start = strstr (output, inner);
      g_assert_nonnull (start);
      start += 2;
    }
  end = start;
  do
    end = strstr (end, "\r\n") + 2;
  while (*end == ' ' || *end == '\t');
  return g_strndup (start, (gsize) (end - start));
}

/* A raw field's text as a reader shows it: unfolded, RFC 2047 decoded. */
static char *
decode_field (const char *field,
              const char *name)
{
  g_autofree char *unfolded = g_mime_utils_header_unfold (field + strlen (name) + 1);
  char *decoded = g_mime_utils_header_decode_text (NULL, unfolded);

  return g_strstrip (decoded);
}

static void
assert_no_long_line (const char *text)
{
  for (const char *line = text; *line != '\0'; )
    {
      const char *end = strstr (line, "\r\n");
      gsize length = end != NULL ? (gsize) (end - line) : strlen (line);

      g_assert_cmpuint (length, <=, 998);
      line += length + (end != NULL ? 2 : 0);
    }
}

/* Header lines over 998 octets are folded at blanks (RFC 5322 3.2.2), so
 * that unfolding gives the field back; an unstructured field's word too
 * long for any line becomes RFC 2047 encoded words; a structured field
 * that cannot be folded is refused, naming it. */
static void
test_reader_long_headers (void)
{
  g_autoptr(GString) words = g_string_new ("Subject:");
  g_autoptr(GString) references = g_string_new ("References:");
  g_autofree char *long_word = g_strnfill (1200, 'x');
  g_autoptr(GString) accented = g_string_new (NULL);
  g_autofree char *input = NULL;
  g_autofree char *folded = NULL;
  g_autofree char *unfolded = NULL;
  g_autofree char *decoded = NULL;
  g_autoptr(ReadResult) result = NULL;
  g_auto(GStrv) pieces = NULL;

  for (guint i = 0; i < 300; i++)
    g_string_append (words, " word");
  for (guint i = 0; i < 40; i++)
    g_string_append_printf (references, " <reference-%u.0123456789@lists.example.org>", i);
  for (guint i = 0; i < 600; i++)
    g_string_append (accented, "é");

  input = g_strdup_printf ("%s\n%s\nComments: %s\nX-Long: Re: %s end\nTo: a@example.org\n\nbody\n",
                           words->str, references->str, long_word, accented->str);
  result = read_message (input, POSTIER_SENDMAIL_NONE);
  g_assert_no_error (result->error);
  assert_no_long_line (result->output);

  /* Folded at blanks: unfolding gives the very line that came in. */
  folded = raw_field (result->output, "Subject");
  g_assert_nonnull (strstr (folded, "\r\n "));
  pieces = g_strsplit (folded, "\r\n", -1);
  unfolded = g_strjoinv ("", pieces);
  g_assert_cmpstr (unfolded, ==, words->str);
  g_clear_pointer (&folded, g_free);
  g_clear_pointer (&unfolded, g_free);
  g_clear_pointer (&pieces, g_strfreev);
  folded = raw_field (result->output, "References");
  pieces = g_strsplit (folded, "\r\n", -1);
  unfolded = g_strjoinv ("", pieces);
  g_assert_cmpstr (unfolded, ==, references->str);

  /* Words no line could hold come back whole from the encoded words. */
  g_clear_pointer (&folded, g_free);
  folded = raw_field (result->output, "Comments");
  g_assert_nonnull (strstr (folded, "=?UTF-8?B?"));
  decoded = decode_field (folded, "Comments");
  g_assert_cmpstr (decoded, ==, long_word);
  g_clear_pointer (&folded, g_free);
  g_clear_pointer (&decoded, g_free);
  folded = raw_field (result->output, "X-Long");
  decoded = decode_field (folded, "X-Long");
  {
    g_autofree char *expected = g_strdup_printf ("Re: %s end", accented->str);
    g_assert_cmpstr (decoded, ==, expected);
  }
  g_clear_pointer (&result, read_result_free);

  /* An address is not text: a 1200-octet one cannot be folded or encoded. */
  g_free (input);
  input = g_strdup_printf ("Subject: x\nTo: %s@example.org\n\nbody\n", long_word);
  result = read_message (input, POSTIER_SENDMAIL_NONE);
  g_assert_error (result->error, POSTIER_MESSAGE_ERROR, POSTIER_MESSAGE_ERROR_MALFORMED);
  g_assert_nonnull (strstr (result->error->message, "Line 2: the To header"));
}

/* Puts INPUT through the whole sendmail path into a fresh outbox, as sent
 * from an account "Ada Lovelace <ada@example.org>", and returns the
 * queued message.eml (NULL and ERROR when refused). */
static GBytes *
enqueue_input (const char  *input,
               gsize        length,
               gboolean    *smtputf8,
               GError     **error)
{
  g_autoptr(PostierAccount) account = postier_account_new ("Work");
  g_autoptr(PostierOutbox) outbox = postier_outbox_new (NULL);
  g_autoptr(PostierOutboxEntry) entry = NULL;
  g_autoptr(PostierEnvelope) envelope = NULL;
  g_autofree char *id = NULL;
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  const char *recipients[] = { "bob@example.net", NULL };
  gsize contents_length;
  int fd = memfd_create ("sendmail-in", MFD_CLOEXEC);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (write (fd, input, length), ==, (gssize) length);
  g_assert_cmpint (lseek (fd, 0, SEEK_SET), ==, 0);
  postier_account_set_identity (account, "Ada Lovelace <ada@example.org>");
  id = postier_mime_enqueue_sendmail (fd, POSTIER_SENDMAIL_NONE, NULL, recipients, account, outbox, NULL, error);
  close (fd);
  if (id == NULL)
    return NULL;
  entry = postier_outbox_lookup (outbox, id, NULL);
  g_assert_nonnull (entry);
  envelope = postier_outbox_entry_dup_pending_envelope (entry);
  *smtputf8 = postier_envelope_get_needs_smtputf8 (envelope);
  path = postier_outbox_entry_get_message_path (entry);
  g_assert_true (g_file_get_contents (path, &contents, &contents_length, NULL));
  return g_bytes_new_take (g_steal_pointer (&contents), contents_length);
}

/* Postier's own check list (the Sandbox's) finds nothing wrong. */
static void
assert_checks_pass (GBytes   *message,
                    gboolean  smtputf8)
{
  const char *identities[] = { "Ada Lovelace <ada@example.org>", NULL };
  PostierCheckContext context = { .identities = identities, .smtputf8 = smtputf8 };
  g_autoptr(GPtrArray) items = postier_message_check_run (message, &context);

  for (guint i = 0; i < items->len; i++)
    {
      PostierCheckItem *item = g_ptr_array_index (items, i);

      if (item->status == POSTIER_CHECK_FAIL)
        g_test_message ("%s: %s", postier_check_kind_to_key (item->kind), item->explanation);
      g_assert_cmpint (item->status, !=, POSTIER_CHECK_FAIL);
    }
}

static GMimeMessage *
parse_bytes (GBytes *bytes)
{
  gsize length;
  const char *data = g_bytes_get_data (bytes, &length);
  g_autoptr(GMimeStream) stream = g_mime_stream_mem_new_with_buffer (data, length);
  g_autoptr(GMimeParser) parser = g_mime_parser_new_with_stream (stream);
  GMimeMessage *message = g_mime_parser_construct_message (parser, NULL);

  g_assert_nonnull (message);
  return message;
}

/* Odd input goes out standards-correct and reads the same: every odd
 * input is queued, the queued message passes the check list, and each
 * part decodes to the octets that came in. */
static void
test_enqueue_odd_inputs (void)
{
  g_autofree char *long_line = g_strnfill (1500, 'y');
  g_autofree char *long_word = g_strnfill (1200, 'w');
  struct {
    const char *name;
    char       *input;
    const char *parts[3];      /* each part's decoded text, LF line ends */
    const char *charset;       /* of the first part, NULL: not checked */
    gboolean    reencoded;
  } cases[] = {
    { "long body line", g_strdup_printf ("Subject: long\n\n%s\nshort\n", long_line),
      { NULL }, NULL, TRUE },
    { "8-bit UTF-8, no MIME", g_strdup ("Subject: utf8\n\ncaf\xc3\xa9 na\xc3\xafve\n"),
      { "caf\xc3\xa9 na\xc3\xafve\n" }, "utf-8", TRUE },
    { "8-bit Latin-1, no MIME", g_strdup ("Subject: latin\n\ncaf\xe9\n"),
      { "caf\xe9\n" }, "iso-8859-1", TRUE },
    { "bare CR", g_strdup ("Subject: cr\n\nline\r.\rafter\n"),
      { "line\r.\rafter\n" }, NULL, TRUE },
    { "only a subject", g_strdup ("Subject: only a subject\n"), { "" }, NULL, FALSE },
    { "no header", g_strdup ("just a body line\nsecond\n"), { "just a body line\nsecond\n" }, NULL, FALSE },
    { "long headers", g_strdup_printf ("Subject: %s\nX-Words:%s\n\nbody\n", long_word,
                                       "  w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w"
                                       " w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w"
                                       " w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w"
                                       " w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w"
                                       " w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w"
                                       " w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w"
                                       " w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w"),
      { "body\n" }, NULL, FALSE },
    { "multipart, 8-bit text part without CTE and a long binary line",
      g_strdup_printf ("Subject: parts\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=B\n\n"
                       "--B\nContent-Type: text/plain\n\n\xc3\xa9t\xc3\xa9\n"
                       "--B\nContent-Type: application/octet-stream\n\n%s\n--B--\n", long_line),
      { "\xc3\xa9t\xc3\xa9" }, "utf-8", TRUE },
    { "8-bit declared", g_strdup ("Subject: ok\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n"
                                  "Content-Transfer-Encoding: 8bit\n\n\xc3\xa9t\xc3\xa9\n"),
      { "\xc3\xa9t\xc3\xa9\n" }, "utf-8", FALSE },
    /* A sender's base64 in one 1600-octet line: encoded again the same way. */
    { "base64 on one long line", NULL, { NULL }, NULL, TRUE },
  };

  cases[0].parts[0] = g_strdup_printf ("%s\nshort\n", long_line);
  {
    g_autoptr(GString) plain = g_string_new (NULL);
    g_autofree char *encoded = NULL;

    while (plain->len < 1200)
      g_string_append (plain, "hello world ");
    encoded = g_base64_encode ((const guchar *) plain->str, plain->len);
    cases[9].input = g_strdup_printf ("Subject: b64\nMIME-Version: 1.0\nContent-Type: text/plain\n"
                                      "Content-Transfer-Encoding: base64\n\n%s\n", encoded);
    cases[9].parts[0] = g_string_free (g_steal_pointer (&plain), FALSE);
  }

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) queued = NULL;
      g_autoptr(GMimeMessage) message = NULL;
      GMimeObject *first;
      gboolean smtputf8 = FALSE;
      gsize length;
      const char *data;

      g_test_message ("case %u: %s", i, cases[i].name);
      queued = enqueue_input (cases[i].input, strlen (cases[i].input), &smtputf8, &error);
      g_assert_no_error (error);
      assert_checks_pass (queued, smtputf8);
      data = g_bytes_get_data (queued, &length);
      g_assert_cmpint (strstr (data, "quoted-printable") != NULL || strstr (data, "base64") != NULL, ==,
                       cases[i].reencoded);

      message = parse_bytes (queued);
      first = g_mime_message_get_mime_part (message);
      if (GMIME_IS_MULTIPART (first))
        {
          GMimeMultipart *multipart = GMIME_MULTIPART (first);
          g_autofree char *binary = decoded_part (g_mime_multipart_get_part (multipart, 1));

          first = g_mime_multipart_get_part (multipart, 0);
          g_assert_cmpstr (binary, ==, long_line);
        }
      if (cases[i].parts[0] != NULL)
        {
          g_autofree char *text = decoded_part (first);
          g_assert_cmpstr (text, ==, cases[i].parts[0]);
        }
      if (cases[i].charset != NULL)
        g_assert_cmpstr (g_mime_object_get_content_type_parameter (first, "charset"), ==, cases[i].charset);
    }

  g_free ((char *) cases[0].parts[0]);
  g_free ((char *) cases[9].parts[0]);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    g_free (cases[i].input);
}

/* A long line where no part can be encoded again (found by fuzzing: a
 * multipart whose Content-Type lost its boundary) is refused rather
 * than sent as it is. */
static void
test_reader_unfit_body (void)
{
  g_autofree char *long_line = g_strnfill (1200, 'y');
  g_autofree char *input = g_strdup_printf ("Subject: x\nContent-Type: multipart/mixed; boundary/B\n\n--B\n\n%s\n",
                                            long_line);
  g_autoptr(ReadResult) result = read_message (input, POSTIER_SENDMAIL_NONE);

  g_assert_error (result->error, POSTIER_MESSAGE_ERROR, POSTIER_MESSAGE_ERROR_MALFORMED);
  g_assert_nonnull (strstr (result->error->message, "998"));
}

/* Standard input that never ends (a runaway pipe) stops at the cap with
 * a clear error, having read little more than the cap. */
static void
test_reader_size_cap (void)
{
  g_autoptr(PostierSendmailReader) reader = postier_sendmail_reader_new (POSTIER_SENDMAIL_NONE);
  g_autoptr(GError) error = NULL;
  g_autofree char *line = g_strnfill (79, 'z');
  int pipe_fds[2];
  int out_fd = memfd_create ("capped", MFD_CLOEXEC);
  GThread *thread;
  off_t written;
  struct { int fd; const char *line; } endless;

  g_assert_cmpint (pipe (pipe_fds), ==, 0);
  endless.fd = pipe_fds[1];
  endless.line = line;
  thread = g_thread_new ("endless", endless_writer, &endless);

  postier_sendmail_reader_set_max_size (reader, 1000 * 1000);
  g_assert_false (postier_sendmail_reader_run (reader, pipe_fds[0], out_fd, NULL, &error));
  close (pipe_fds[0]);   /* the writer gets EPIPE and stops */
  g_thread_join (thread);
  g_assert_error (error, POSTIER_MESSAGE_ERROR, POSTIER_MESSAGE_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "1.0"));
  g_assert_nonnull (strstr (error->message, "nothing was queued"));
  written = lseek (out_fd, 0, SEEK_END);
  g_assert_cmpint (written, <=, 1000 * 1000);
  close (out_fd);
}

static void
test_reader_header_limit (void)
{
  g_autoptr(GString) input = g_string_new (NULL);
  g_autoptr(ReadResult) result = NULL;

  while (input->len <= POSTIER_SENDMAIL_MAX_HEADER)
    g_string_append (input, "X-Filler: 0123456789012345678901234567890123456789\n");
  g_string_append (input, "\nbody\n");
  result = read_message_with (input->str, input->len, POSTIER_SENDMAIL_NONE, NULL, 7);
  g_assert_error (result->error, POSTIER_MESSAGE_ERROR, POSTIER_MESSAGE_ERROR_MALFORMED);
}

/* The text a reader must see for any body, worked out the plain way:
 * LF or CRLF end a line, a CR alone is a character, a lone dot ends it
 * all. Line ends come out as LF. */
static char *
reference_body (const char *body,
                gboolean    ignore_dots)
{
  g_autoptr(GString) out = g_string_new (NULL);
  const char *p = body;

  while (*p != '\0')
    {
      const char *newline = strchr (p, '\n');
      gsize length = newline != NULL ? (gsize) (newline - p) : strlen (p);
      gsize content = length;

      if (newline != NULL && content > 0 && p[content - 1] == '\r')
        content--;
      if (!ignore_dots && content == 1 && p[0] == '.')
        break;
      g_string_append_len (out, p, (gssize) content);
      g_string_append (out, "\n");
      p += length;
      if (*p == '\n')
        p++;
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
test_reader_random_bodies (void)
{
  static const char alphabet[] = "ab.\r\n \xc3\xa9";
  g_autoptr(GRand) rand = g_rand_new_with_seed (20240901);

  for (guint round = 0; round < 60; round++)
    {
      g_autoptr(GString) input = g_string_new ("Subject: random\n\n");
      g_autoptr(GString) body = g_string_new (NULL);
      g_autoptr(ReadResult) result = NULL;
      g_autofree char *expected = NULL;
      gboolean ignore_dots = round % 2 == 0;
      guint length = (guint) g_rand_int_range (rand, 0, 200000);

      for (guint i = 0; i < length; i++)
        g_string_append_c (body, alphabet[g_rand_int_range (rand, 0, sizeof alphabet - 1)]);
      g_string_append (input, body->str);
      expected = reference_body (body->str, ignore_dots);

      result = read_message_with (input->str, input->len,
                                  ignore_dots ? POSTIER_SENDMAIL_IGNORE_DOTS : POSTIER_SENDMAIL_NONE,
                                  NULL, round);
      g_test_message ("round %u: %u octets", round, length);
      g_assert_no_error (result->error);
      {
        g_autoptr(GMimeMessage) message = parse_output (result);
        g_autofree char *text = decoded_text (message);

        gsize at = 0;

        while (text[at] != '\0' && text[at] == expected[at])
          at++;
        if (text[at] != expected[at])
          {
            g_autofree char *got = g_strescape (text + (at > 20 ? at - 20 : 0), NULL);
            g_autofree char *want = g_strescape (expected + (at > 20 ? at - 20 : 0), NULL);
            g_test_message ("first difference at %" G_GSIZE_FORMAT ": got …%.60s, expected …%.60s", at, got, want);
          }
        g_assert_true (g_str_equal (text, expected));
      }
      for (gsize i = 0; i < result->length; i++)
        if (result->output[i] == '\r')
          g_assert_cmpint (result->output[i + 1], ==, '\n');
    }
}

/* --- postierctl send and sendmail ------------------------------------------- */

/* A port on loopback where nothing listens. */
static guint
dead_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_true (g_socket_bind (socket, address, FALSE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

/* The relay is down, so a delivery attempt after queueing leaves the
 * message in the outbox, deferred, without waiting on any network. */
static void
add_account (void)
{
  g_autofree char *err = NULL;
  g_autofree char *port = g_strdup_printf ("%u", dead_port ());
  int status = postier_test_run_ctl (NULL, NULL, &err, "account", "add", "Work",
                                     "--from", "Ada Lovelace <ada@example.org>",
                                     "--host", "127.0.0.1", "--port", port, "--security", "none",
                                     "--auth", "none", NULL);
  g_assert_cmpint (status, ==, 0);
}

/* Every entry of the outbox, and checks that nothing else is in its folder
 * (no staging file left behind). */
static GPtrArray *
outbox_entries (void)
{
  g_autoptr(PostierOutbox) outbox = postier_outbox_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open (postier_outbox_get_dir (outbox), 0, NULL);
  GPtrArray *entries = postier_outbox_list (outbox, &error);
  const char *name;

  g_assert_no_error (error);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    g_assert_true (name[0] != '.' || g_str_equal (name, ".lock"));
  return entries;
}

static char *
entry_message (PostierOutboxEntry *entry,
               gsize              *length)
{
  g_autofree char *path = postier_outbox_entry_get_message_path (entry);
  return postier_test_read_file (path, length);
}

static void
test_ctl_send_queue_only (void)
{
  g_autofree char *attachment = g_build_filename (g_get_user_cache_dir (), "Été à la mer.jpg", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *message_path = NULL;
  g_autofree char *sha = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(JsonObject) parsed = NULL;
  PostierOutboxEntry *entry;
  JsonObject *first;
  int status;

  add_account ();
  g_assert_cmpint (g_mkdir_with_parents (g_get_user_cache_dir (), 0700), ==, 0);
  g_assert_true (g_file_set_contents (attachment, "\xff\xd8\xff\xe0 not really a jpeg", 22, NULL));
  status = postier_test_run_ctl ("Bonjour,\n\nÇa marche.\n.\n", &out, &err, "send",
                                 "--to", "Ann <ann@example.org>", "--to", "bob@example.org",
                                 "--cc", "carol@example.org", "--bcc", "secret@example.org",
                                 "--subject", "Réunion — 会議", "--body-file", "-",
                                 "--attach", attachment, "--queue-only", NULL);
  g_test_message ("%s%s", out, err);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, "Queued"));

  entries = outbox_entries ();
  g_assert_cmpuint (entries->len, ==, 1);
  entry = g_ptr_array_index (entries, 0);
  g_assert_nonnull (strstr (out, postier_outbox_entry_get_id (entry)));
  g_assert_cmpstr (postier_outbox_entry_get_account_name (entry), ==, "Work");
  g_assert_cmpstr (postier_outbox_entry_get_sender (entry), ==, "ada@example.org");
  g_assert_cmpuint (postier_outbox_entry_get_n_recipients (entry), ==, 4);
  g_assert_cmpstr (postier_outbox_entry_get_recipient (entry, 3), ==, "secret@example.org");
  g_assert_cmpstr (postier_outbox_entry_get_subject (entry), ==, "Réunion — 会議");

  message_path = postier_outbox_entry_get_message_path (entry);
  g_assert_false (postier_test_tree_contains (postier_outbox_entry_get_path (entry), "Bcc:"));
  parsed = postier_test_parse_message (message_path);
  g_assert_cmpstr (json_object_get_string_member (parsed, "body"), ==, "Bonjour,\n\nÇa marche.\n.\n");
  g_assert_false (json_object_get_boolean_member (parsed, "bare_lf"));
  first = json_array_get_object_element (json_object_get_array_member (parsed, "attachments"), 0);
  sha = postier_test_file_sha256 (attachment);
  g_assert_cmpstr (json_object_get_string_member (first, "filename"), ==, "Été à la mer.jpg");
  g_assert_cmpstr (json_object_get_string_member (first, "sha256"), ==, sha);
}

typedef struct {
  const char *args[8];
  const char *stdin_text;
  int         status;
  const char *named;
} BadCtl;

static void
test_ctl_bad_input_queues_nothing (void)
{
  static const BadCtl cases[] = {
    { { "send", "--to", "not an address", "--queue-only" }, NULL, EX_DATAERR, "not an address" },
    { { "send", "--to", "a@example.org", "--subject", "x\nBcc: b@example.org" }, NULL, EX_DATAERR, "Subject" },
    { { "send", "--subject", "nobody" }, NULL, EX_DATAERR, "recipients" },
    { { "send", "--to", "a@example.org", "--attach", "/nonexistent/file.pdf" }, NULL, EX_NOINPUT, "/nonexistent/file.pdf" },
    { { "send", "--to", "a@example.org", "stray" }, NULL, EX_USAGE, "stray" },
    { { "send", "--to", "a@example.org", "--account", "Nope" }, NULL, EX_CONFIG, "Nope" },
    { { "sendmail", "a@example.org" }, "Subject: x\rBcc: b@example.org\n\nbody\n", EX_DATAERR,
      "Line 1: the Subject header holds a carriage return" },
    { { "sendmail", "a@example.org" }, "To: a@example.org\nSubject: caf\xe9\n\nbody\n", EX_DATAERR,
      "Line 2: the Subject header is not valid UTF-8" },
    { { "sendmail", "a@example.org" }, "X-Bell: \a\n\nbody\n", EX_DATAERR, "control character" },
    { { "sendmail", "-t" }, "Subject: x\n\nbody\n", EX_DATAERR, "recipients" },
    { { "sendmail" }, "Subject: x\n\nbody\n", EX_DATAERR, "recipients" },
    { { "sendmail", "-t" }, "To: bad address\n\nbody\n", EX_DATAERR, "bad address" },
    /* Refused before standard input is read: no input, or writing it could
     * meet a closed pipe. */
    { { "sendmail", "bad address" }, NULL, EX_DATAERR, "bad address" },
    { { "sendmail", "-f", "not@@valid", "a@example.org" }, NULL, EX_DATAERR, "not@@valid" },
    /* -q and -bp are sendmail's flush and list now (issue 10), no longer
     * usage errors; test-queue-cli covers them. */
    { { "sendmail", "-bz" }, "", EX_USAGE, "-bz" },
    { { "sendmail", "-f" }, "", EX_USAGE, "-f" },
  };

  add_account ();
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      g_autoptr(GPtrArray) entries = NULL;
      g_auto(GStrv) lines = NULL;
      int status;

      status = postier_test_run_ctlv (NULL, cases[i].stdin_text,
                                      cases[i].stdin_text ? strlen (cases[i].stdin_text) : 0,
                                      &out, &err, cases[i].args);
      g_test_message ("case %u: %d %s", i, status, err);
      g_assert_cmpint (status, ==, cases[i].status);
      g_assert_nonnull (strstr (err, cases[i].named));
      /* One line naming the problem. */
      lines = g_strsplit (g_strchomp (err), "\n", -1);
      g_assert_cmpuint (g_strv_length (lines), ==, 1);
      entries = outbox_entries ();
      g_assert_cmpuint (entries->len, ==, 0);
    }

  /* A NUL byte on standard input. */
  {
    const char *args[] = { "sendmail", "a@example.org", NULL };
    g_autofree char *err = NULL;
    g_autoptr(GPtrArray) entries = NULL;
    int status = postier_test_run_ctlv (NULL, "Subject: x\n\nnul\0byte\n", 20, NULL, &err, args);

    g_assert_cmpint (status, ==, EX_DATAERR);
    g_assert_nonnull (strstr (err, "NUL"));
    entries = outbox_entries ();
    g_assert_cmpuint (entries->len, ==, 0);
  }
}

static void
test_ctl_sendmail_bytes_and_envelope (void)
{
  const char *input = "From: Ada <ada@example.org>\n"
                      "To: Ann <ann@example.org>\n"
                      "Cc: bob@example.org\n"
                      "Bcc: secret@example.org\n"
                      "Subject: =?UTF-8?Q?caf=C3=A9?=\n"
                      "X-Mailer: git-send-email 2.39\n"
                      "\n"
                      "Line one\n"
                      ".dot line\n"
                      "\n"
                      "-- \n"
                      "sig\n";
  const char *args[] = { "sendmail", "-t", "-oi", "-oem", "-f", "bounces@example.org", "extra@example.org", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *message = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(JsonObject) parsed = NULL;
  g_autofree char *path = NULL;
  PostierOutboxEntry *entry;
  gsize length;
  int status;

  add_account ();
  status = postier_test_run_ctlv (NULL, input, strlen (input), &out, &err, args);
  g_test_message ("%s%s", out, err);
  g_assert_cmpint (status, ==, 0);
  /* Queued, tried at once, and still queued: the relay is down. Success
   * for the caller, silent on stdout, one line on stderr. */
  g_assert_cmpstr (out, ==, "");
  g_assert_nonnull (strstr (err, "not sent yet"));
  g_assert_true (g_str_has_suffix (err, "\n") && strchr (err, '\n') == err + strlen (err) - 1);

  entries = outbox_entries ();
  g_assert_cmpuint (entries->len, ==, 1);
  entry = g_ptr_array_index (entries, 0);
  g_assert_cmpstr (postier_outbox_entry_get_sender (entry), ==, "bounces@example.org");
  g_assert_cmpuint (postier_outbox_entry_get_n_recipients (entry), ==, 4);
  g_assert_cmpstr (postier_outbox_entry_get_recipient (entry, 0), ==, "extra@example.org");
  g_assert_cmpstr (postier_outbox_entry_get_recipient (entry, 1), ==, "ann@example.org");
  g_assert_cmpstr (postier_outbox_entry_get_recipient (entry, 2), ==, "bob@example.org");
  g_assert_cmpstr (postier_outbox_entry_get_recipient (entry, 3), ==, "secret@example.org");
  g_assert_cmpstr (postier_outbox_entry_get_subject (entry), ==, "café");

  message = entry_message (entry, &length);
  g_assert_true (g_str_has_prefix (message,
                                   "From: Ada <ada@example.org>\r\n"
                                   "To: Ann <ann@example.org>\r\n"
                                   "Cc: bob@example.org\r\n"
                                   "Subject: =?UTF-8?Q?caf=C3=A9?=\r\n"
                                   "X-Mailer: git-send-email 2.39\r\n"
                                   "Date: "));
  g_assert_true (g_str_has_suffix (message, "\r\n\r\nLine one\r\n.dot line\r\n\r\n-- \r\nsig\r\n"));
  g_assert_null (strstr (message, "secret"));
  g_assert_cmpuint (postier_outbox_entry_get_size (entry), ==, length);

  path = postier_outbox_entry_get_message_path (entry);
  parsed = postier_test_parse_message (path);
  g_assert_cmpstr (json_object_get_string_member (parsed, "body"), ==, "Line one\n.dot line\n\n-- \nsig\n");
}

/* mutt and git send-email call "sendmail" with their own habits. */
/* Standard input over the relay's SIZE (as remembered from its EHLO):
 * exit 65 with one line saying so, and nothing queued, not even a
 * staging file. */
static void
test_ctl_sendmail_over_cap (void)
{
  g_autoptr(GString) input = g_string_new ("Subject: too big\n\n");
  g_autoptr(GPtrArray) entries = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *args[] = { "sendmail", "a@example.org", NULL };
  int status;

  add_account ();
  postier_relay_size_limit_remember ("Work", 4000);
  while (input->len < 50000)
    g_string_append (input, "0123456789 0123456789 0123456789 0123456789 0123456789\n");

  status = postier_test_run_ctlv (NULL, input->str, input->len, &out, &err, args);
  g_test_message ("%d %s", status, err);
  g_assert_cmpint (status, ==, EX_DATAERR);
  g_assert_nonnull (strstr (err, "larger than 4.0"));
  g_assert_nonnull (strstr (err, "nothing was queued"));
  g_assert_cmpint (strchr (err, '\n') - err, ==, (gssize) strlen (err) - 1);
  entries = outbox_entries ();
  g_assert_cmpuint (entries->len, ==, 0);
}

static void
test_ctl_as_sendmail_symlink (void)
{
  g_autofree char *bin = g_build_filename (g_get_user_cache_dir (), "bin", NULL);
  g_autofree char *sendmail = g_build_filename (bin, "sendmail", NULL);
  const char *mutt[] = { sendmail, "-oem", "-oi", "--", "ann@example.org", "bob@example.org", NULL };
  const char *git[] = { sendmail, "-i", "-f", "Ada <ada@example.org>", "ann@example.org", NULL };
  const char *odd[] = { sendmail, "-bm", "-odi", "-oQ/tmp", "-N", "never", "-F", "Ada L.", "-t", "-v", NULL };
  const char *message = "Subject: via symlink\nTo: ann@example.org\n\nhello\n.\nnot sent\n";
  g_autoptr(GPtrArray) entries = NULL;
  g_autofree char *first_message = NULL;
  g_autofree char *odd_message = NULL;
  gsize length;

  add_account ();
  g_assert_cmpint (g_mkdir_with_parents (bin, 0700), ==, 0);
  g_assert_cmpint (symlink (g_getenv ("POSTIERCTL"), sendmail), ==, 0);

  g_assert_cmpint (postier_test_run_program (NULL, message, NULL, NULL, mutt), ==, 0);
  g_assert_cmpint (postier_test_run_program (NULL, message, NULL, NULL, git), ==, 0);
  g_assert_cmpint (postier_test_run_program (NULL, message, NULL, NULL, odd), ==, 0);

  entries = outbox_entries ();
  g_assert_cmpuint (entries->len, ==, 3);
  g_assert_cmpuint (postier_outbox_entry_get_n_recipients (g_ptr_array_index (entries, 0)), ==, 2);
  g_assert_cmpstr (postier_outbox_entry_get_sender (g_ptr_array_index (entries, 1)), ==, "ada@example.org");
  /* -oi and -i keep the lone dot; the third one ends the input there. */
  first_message = entry_message (g_ptr_array_index (entries, 0), &length);
  g_assert_true (g_str_has_suffix (first_message, "hello\r\n.\r\nnot sent\r\n"));
  odd_message = entry_message (g_ptr_array_index (entries, 2), &length);
  g_assert_true (g_str_has_suffix (odd_message, "\r\n\r\nhello\r\n"));
  /* -F names the sender when the message has no From. */
  g_assert_nonnull (strstr (odd_message, "From: \"Ada L.\" <ada@example.org>\r\n"));
}

int
main (int   argc,
      char *argv[])
{
  postier_test_init (&argc, &argv);
  /* A writer whose reader stopped gets EPIPE, not a signal. */
  signal (SIGPIPE, SIG_IGN);

  g_test_add_func ("/sendmail/reader/line-ends-and-bytes", test_reader_line_ends_and_bytes);
  g_test_add_func ("/sendmail/reader/adds-date-message-id-from", test_reader_adds_date_message_id_from);
  g_test_add_func ("/sendmail/reader/lone-dot", test_reader_lone_dot);
  g_test_add_func ("/sendmail/reader/recipients-and-bcc", test_reader_recipients_and_bcc);
  g_test_add_func ("/sendmail/reader/mbox-line", test_reader_mbox_line);
  g_test_add_func ("/sendmail/reader/refuses", test_reader_refuses);
  g_test_add_func ("/sendmail/reader/postfix-idioms", test_reader_postfix_idioms);
  g_test_add_func ("/sendmail/reader/bare-cr", test_reader_bare_cr);
  g_test_add_func ("/sendmail/reader/long-headers", test_reader_long_headers);
  g_test_add_func ("/sendmail/reader/size-cap", test_reader_size_cap);
  g_test_add_func ("/sendmail/reader/unfit-body", test_reader_unfit_body);
  g_test_add_func ("/sendmail/enqueue/odd-inputs", test_enqueue_odd_inputs);
  g_test_add_func ("/sendmail/reader/header-limit", test_reader_header_limit);
  g_test_add_func ("/sendmail/reader/random-bodies", test_reader_random_bodies);
  g_test_add_func ("/sendmail/ctl/send-queue-only", test_ctl_send_queue_only);
  g_test_add_func ("/sendmail/ctl/bad-input", test_ctl_bad_input_queues_nothing);
  g_test_add_func ("/sendmail/ctl/sendmail-bytes-and-envelope", test_ctl_sendmail_bytes_and_envelope);
  g_test_add_func ("/sendmail/ctl/as-sendmail", test_ctl_as_sendmail_symlink);
  g_test_add_func ("/sendmail/ctl/over-cap", test_ctl_sendmail_over_cap);

  return g_test_run ();
}
