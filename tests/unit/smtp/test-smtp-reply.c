/* test-smtp-reply.c — what Postier understands of a server's replies
 *
 * A misread reply means a message reported sent that was refused, or the
 * reverse; these tests feed the parser what real servers (and broken ones)
 * send and check what the client would act on.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "postier-core.h"
#include "postier-smtp-reply.h"
#include "postier-test.h"

/* Feeds TEXT in pieces of STEP bytes; returns the first complete reply and
 * how many bytes it took. */
static PostierSmtpReply *
parse_in_steps (const char *text,
                gsize       step,
                gsize      *consumed,
                GError    **error)
{
  g_autoptr(PostierSmtpReplyParser) parser = postier_smtp_reply_parser_new ();
  gsize length = strlen (text);
  gsize offset = 0;

  while (offset < length)
    {
      PostierSmtpReply *reply = NULL;
      gsize piece = MIN (step, length - offset);
      gsize used = postier_smtp_reply_parser_feed (parser, text + offset, piece, &reply, error);

      g_assert_cmpuint (used, <=, piece);
      offset += used;
      if (reply != NULL || (error != NULL && *error != NULL))
        {
          if (consumed != NULL)
            *consumed = offset;
          return reply;
        }
      g_assert_cmpuint (used, ==, piece);
    }
  if (consumed != NULL)
    *consumed = offset;
  return NULL;
}

static void
test_single_line (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PostierSmtpReply) reply = parse_in_steps ("220 mail.example.org ESMTP Postfix\r\n", 4096, NULL, &error);
  g_autofree char *text = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (reply);
  g_assert_cmpuint (reply->code, ==, 220);
  g_assert_cmpuint (reply->status_class, ==, 0);
  g_assert_cmpstr (reply->lines[0], ==, "mail.example.org ESMTP Postfix");
  g_assert_null (reply->lines[1]);
  text = postier_smtp_reply_to_string (reply);
  g_assert_cmpstr (text, ==, "220 mail.example.org ESMTP Postfix");
  g_assert_true (postier_smtp_reply_is_positive (reply));
}

static void
test_multiline_any_split (void)
{
  const char *text =
    "250-mail.example.org\r\n"
    "250-PIPELINING\r\n"
    "250-SIZE 10240000\r\n"
    "250 8BITMIME\r\n";

  /* Whatever the network does to the bytes, the reply is the same. */
  for (gsize step = 1; step <= strlen (text); step++)
    {
      g_autoptr(GError) error = NULL;
      gsize consumed = 0;
      g_autoptr(PostierSmtpReply) reply = parse_in_steps (text, step, &consumed, &error);

      g_assert_no_error (error);
      g_assert_nonnull (reply);
      g_assert_cmpuint (consumed, ==, strlen (text));
      g_assert_cmpuint (reply->code, ==, 250);
      g_assert_cmpuint (g_strv_length (reply->lines), ==, 4);
      g_assert_cmpstr (reply->lines[2], ==, "SIZE 10240000");
      g_assert_cmpstr (reply->lines[3], ==, "8BITMIME");
    }
}

static void
test_enhanced_status (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PostierSmtpReply) reply =
    parse_in_steps ("550-5.1.1 <nobody@example.org>: Recipient address rejected:\r\n"
                    "550 5.1.1 User unknown in virtual mailbox table\r\n", 7, NULL, &error);
  g_autofree char *status = NULL;
  g_autofree char *text = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (reply->code, ==, 550);
  g_assert_cmpuint (reply->status_class, ==, 5);
  g_assert_cmpuint (reply->status_subject, ==, 1);
  g_assert_cmpuint (reply->status_detail, ==, 1);
  status = postier_smtp_reply_get_enhanced_status (reply);
  g_assert_cmpstr (status, ==, "5.1.1");
  g_assert_cmpstr (reply->lines[0], ==, "<nobody@example.org>: Recipient address rejected:");
  g_assert_cmpstr (reply->lines[1], ==, "User unknown in virtual mailbox table");
  text = postier_smtp_reply_to_string (reply);
  g_assert_cmpstr (text, ==, "550 5.1.1 <nobody@example.org>: Recipient address rejected: "
                             "User unknown in virtual mailbox table");
  g_assert_false (postier_smtp_reply_is_positive (reply));
}

static void
test_enhanced_status_must_match_class (void)
{
  g_autoptr(GError) error = NULL;
  /* "2.0.0" under a 451 is not an enhanced status: it is text. */
  g_autoptr(PostierSmtpReply) reply = parse_in_steps ("451 2.0.0 odd server\r\n", 4096, NULL, &error);
  g_autoptr(PostierSmtpReply) long_detail = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (reply->status_class, ==, 0);
  g_assert_cmpstr (reply->lines[0], ==, "2.0.0 odd server");

  long_detail = parse_in_steps ("250 2.1.5000 Ok\r\n", 4096, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (long_detail->status_class, ==, 0);
}

static void
test_two_replies_in_one_read (void)
{
  g_autoptr(PostierSmtpReplyParser) parser = postier_smtp_reply_parser_new ();
  const char *text = "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n";
  gsize length = strlen (text);
  gsize offset = 0;
  guint codes[3];
  guint n = 0;

  /* A pipelined batch arrives at once; each reply is taken in turn. */
  while (offset < length)
    {
      g_autoptr(PostierSmtpReply) reply = NULL;
      g_autoptr(GError) error = NULL;

      offset += postier_smtp_reply_parser_feed (parser, text + offset, length - offset, &reply, &error);
      g_assert_no_error (error);
      g_assert_nonnull (reply);
      g_assert_cmpuint (n, <, 3);
      codes[n++] = reply->code;
    }
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpuint (codes[0], ==, 250);
  g_assert_cmpuint (codes[2], ==, 354);
  g_assert_false (postier_smtp_reply_parser_in_reply (parser));
}

static void
test_bare_lf_and_code_only (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PostierSmtpReply) reply = parse_in_steps ("250-first\n250\n", 4096, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (reply->code, ==, 250);
  g_assert_cmpstr (reply->lines[0], ==, "first");
  g_assert_cmpstr (reply->lines[1], ==, "");
}

static void
assert_protocol_error (const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PostierSmtpReply) reply = parse_in_steps (text, 3, NULL, &error);

  g_assert_null (reply);
  g_assert_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_PROTOCOL);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
}

static void
test_garbage (void)
{
  assert_protocol_error ("HTTP/1.1 400 Bad Request\r\n");
  assert_protocol_error ("\r\n");
  assert_protocol_error ("25\r\n");
  assert_protocol_error ("250x mail\r\n");
  assert_protocol_error ("199 too low\r\n");
  assert_protocol_error ("650 too high\r\n");
  assert_protocol_error ("250-first\r\n550 second\r\n");
  assert_protocol_error ("\xff\xfe\x01\x02 binary\r\n");
}

static void
test_nul_byte (void)
{
  g_autoptr(PostierSmtpReplyParser) parser = postier_smtp_reply_parser_new ();
  g_autoptr(PostierSmtpReply) reply = NULL;
  g_autoptr(GError) error = NULL;
  static const char text[] = "250 ok\0 hidden\r\n";

  postier_smtp_reply_parser_feed (parser, text, sizeof text - 1, &reply, &error);
  g_assert_null (reply);
  g_assert_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_PROTOCOL);
}

static void
test_overlong_line (void)
{
  g_autoptr(PostierSmtpReplyParser) parser = postier_smtp_reply_parser_new ();
  g_autoptr(GString) text = g_string_new ("250 ");
  g_autoptr(PostierSmtpReply) reply = NULL;
  g_autoptr(GError) error = NULL;
  gsize total = 0;

  /* A server that never ends its line: the error comes as soon as the
   * limit is passed, without waiting (or buffering) for the rest. */
  for (guint i = 0; i < 100000; i++)
    g_string_append_c (text, 'x');
  for (gsize offset = 0; offset < text->len && error == NULL; offset += 1000)
    total += postier_smtp_reply_parser_feed (parser, text->str + offset, MIN (1000, text->len - offset),
                                             &reply, &error);
  g_assert_null (reply);
  g_assert_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_PROTOCOL);
  g_assert_cmpuint (total, <=, POSTIER_SMTP_REPLY_MAX_LINE + 1000);

  /* After a reset the parser takes the next reply normally. */
  g_clear_error (&error);
  postier_smtp_reply_parser_reset (parser);
  postier_smtp_reply_parser_feed (parser, "221 bye\r\n", 9, &reply, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (reply->code, ==, 221);
}

static void
test_too_many_lines (void)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(PostierSmtpReply) reply = NULL;

  for (guint i = 0; i < POSTIER_SMTP_REPLY_MAX_LINES + 10; i++)
    g_string_append (text, "250-again\r\n");
  g_string_append (text, "250 end\r\n");
  reply = parse_in_steps (text->str, 512, NULL, &error);
  g_assert_null (reply);
  g_assert_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_PROTOCOL);
}

static void
test_control_characters_neutralised (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PostierSmtpReply) reply = parse_in_steps ("554 evil\x1b[2J\rtext \xc3\x28\r\n", 4096, NULL, &error);

  /* An escape sequence or a bare CR would repaint the person's terminal
   * when postierctl prints the server's words. */
  g_assert_no_error (error);
  g_assert_null (strchr (reply->lines[0], '\x1b'));
  g_assert_null (strchr (reply->lines[0], '\r'));
  g_assert_true (g_utf8_validate (reply->lines[0], -1, NULL));
}

static PostierSmtpEhlo *
ehlo_from (const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PostierSmtpReply) reply = parse_in_steps (text, 4096, NULL, &error);

  g_assert_no_error (error);
  return postier_smtp_ehlo_parse (reply);
}

static void
test_ehlo_postfix (void)
{
  g_autoptr(PostierSmtpEhlo) ehlo =
    ehlo_from ("250-localhost\r\n"
               "250-PIPELINING\r\n"
               "250-SIZE 52428800\r\n"
               "250-VRFY\r\n"
               "250-ETRN\r\n"
               "250-AUTH PLAIN LOGIN CRAM-MD5 SCRAM-SHA-1 SCRAM-SHA-256\r\n"
               "250-ENHANCEDSTATUSCODES\r\n"
               "250-8BITMIME\r\n"
               "250-DSN\r\n"
               "250-SMTPUTF8\r\n"
               "250 CHUNKING\r\n");

  g_assert_cmpuint (ehlo->flags, ==,
                    POSTIER_SMTP_CAP_PIPELINING | POSTIER_SMTP_CAP_SIZE | POSTIER_SMTP_CAP_AUTH |
                    POSTIER_SMTP_CAP_ENHANCEDSTATUSCODES | POSTIER_SMTP_CAP_8BITMIME |
                    POSTIER_SMTP_CAP_DSN | POSTIER_SMTP_CAP_SMTPUTF8 | POSTIER_SMTP_CAP_CHUNKING);
  g_assert_false (ehlo->flags & POSTIER_SMTP_CAP_STARTTLS);
  g_assert_cmpuint (ehlo->size_limit, ==, 52428800);
  g_assert_cmpuint (g_strv_length (ehlo->auth_mechanisms), ==, 5);
  g_assert_true (postier_smtp_ehlo_has_auth_mechanism (ehlo, "scram-sha-256"));
  g_assert_false (postier_smtp_ehlo_has_auth_mechanism (ehlo, "XOAUTH2"));
  /* The greeting line is not a capability; the rest are kept verbatim. */
  g_assert_cmpuint (g_strv_length (ehlo->lines), ==, 10);
  g_assert_cmpstr (ehlo->lines[0], ==, "PIPELINING");
  g_assert_cmpstr (ehlo->lines[1], ==, "SIZE 52428800");
}

static void
test_ehlo_variants (void)
{
  g_autoptr(PostierSmtpEhlo) old = ehlo_from ("250-mx says hi\r\n"
                                              "250-AUTH=LOGIN PLAIN\r\n"
                                              "250-auth login xoauth2\r\n"
                                              "250-size\r\n"
                                              "250-SIZE nonsense\r\n"
                                              "250-STARTTLSX\r\n"
                                              "250 starttls\r\n");
  g_autoptr(PostierSmtpEhlo) bare = ehlo_from ("250 mx.example.org\r\n");
  g_autoptr(PostierSmtpEhlo) huge = ehlo_from ("250-mx\r\n250 SIZE 99999999999999999999999\r\n");

  /* Keywords are case-blind, the AUTH= form counts, mechanisms are not
   * listed twice, and a SIZE without a usable number means no limit. */
  g_assert_true (old->flags & POSTIER_SMTP_CAP_AUTH);
  g_assert_true (old->flags & POSTIER_SMTP_CAP_SIZE);
  g_assert_true (old->flags & POSTIER_SMTP_CAP_STARTTLS);
  g_assert_cmpuint (old->size_limit, ==, 0);
  g_assert_cmpuint (g_strv_length (old->auth_mechanisms), ==, 3);
  g_assert_cmpstr (old->auth_mechanisms[0], ==, "LOGIN");
  g_assert_cmpstr (old->auth_mechanisms[2], ==, "XOAUTH2");

  g_assert_cmpuint (bare->flags, ==, POSTIER_SMTP_CAP_NONE);
  g_assert_nonnull (bare->auth_mechanisms);
  g_assert_null (bare->auth_mechanisms[0]);
  g_assert_null (bare->lines[0]);

  g_assert_true (huge->flags & POSTIER_SMTP_CAP_SIZE);
  g_assert_cmpuint (huge->size_limit, ==, 0);
}

int
main (int    argc,
      char **argv)
{
  postier_test_init (&argc, &argv);

  g_test_add_func ("/smtp/reply/single-line", test_single_line);
  g_test_add_func ("/smtp/reply/multiline-any-split", test_multiline_any_split);
  g_test_add_func ("/smtp/reply/enhanced-status", test_enhanced_status);
  g_test_add_func ("/smtp/reply/enhanced-status-class", test_enhanced_status_must_match_class);
  g_test_add_func ("/smtp/reply/pipelined-batch", test_two_replies_in_one_read);
  g_test_add_func ("/smtp/reply/bare-lf", test_bare_lf_and_code_only);
  g_test_add_func ("/smtp/reply/garbage", test_garbage);
  g_test_add_func ("/smtp/reply/nul-byte", test_nul_byte);
  g_test_add_func ("/smtp/reply/overlong-line", test_overlong_line);
  g_test_add_func ("/smtp/reply/too-many-lines", test_too_many_lines);
  g_test_add_func ("/smtp/reply/control-characters", test_control_characters_neutralised);
  g_test_add_func ("/smtp/ehlo/postfix", test_ehlo_postfix);
  g_test_add_func ("/smtp/ehlo/variants", test_ehlo_variants);

  return g_test_run ();
}
