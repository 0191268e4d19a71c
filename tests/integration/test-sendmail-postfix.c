/* test-sendmail-postfix.c — postierctl sendmail against Postfix's own
 * sendmail, on the same inputs
 *
 * Each input goes once through the rig's Postfix sendmail (postdrop and
 * pickup, as on a server) and once through postierctl sendmail (queued,
 * then submitted to the same Postfix). Both copies land in the rig's
 * Maildir; Python's email package reads them back and the test compares
 * them header by header: the same fields present (Postier may add the
 * MIME fields when it encodes a body again), the same text in every field
 * that is not a date, an id or the From, the same body. Trace fields
 * (Received, Return-Path, Delivered-To, X-Original-To) are Postfix's on
 * both and are left out.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "postier-core.h"
#include "postier-gmime.h"
#include "postier-test.h"

typedef struct {
  const char *name;
  char       *input;
  gboolean    reencoded;       /* Postier adds MIME-Version, Content-Type, -Transfer-Encoding */
  const char *postier_body;    /* when the bodies differ on purpose: Postier's */
  const char *postfix_body;    /* … and Postfix's */
  const char *option;          /* one option given to both sendmails, and its value */
  const char *option_value;
  gboolean    same_from;       /* From comes from the input or -F: the same as Postfix's */
} Case;

/* The one Maildir file whose X-Original-To is RECIPIENT. */
static char *
delivered_to (const char *recipient)
{
  g_autofree char *needle = g_strdup_printf ("X-Original-To: %s\n", recipient);
  g_autoptr(GPtrArray) files = postier_test_maildir_files (needle, 1);

  return g_strdup (g_ptr_array_index (files, 0));
}

static gboolean
is_trace (const char *name)
{
  static const char * const trace[] = { "received", "return-path", "delivered-to", "x-original-to" };

  for (guint i = 0; i < G_N_ELEMENTS (trace); i++)
    if (g_ascii_strcasecmp (name, trace[i]) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
is_mime (const char *name)
{
  return g_ascii_strcasecmp (name, "mime-version") == 0 ||
         g_ascii_strcasecmp (name, "content-type") == 0 ||
         g_ascii_strcasecmp (name, "content-transfer-encoding") == 0;
}

/* Lower-cased name => decoded value of every field but the trace ones. */
static GHashTable *
fields_of (JsonObject *parsed)
{
  GHashTable *fields = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  JsonArray *headers = json_object_get_array_member (parsed, "headers");

  for (guint i = 0; i < json_array_get_length (headers); i++)
    {
      JsonArray *pair = json_array_get_array_element (headers, i);
      const char *name = json_array_get_string_element (pair, 0);

      if (!is_trace (name))
        {
          g_assert_false (g_hash_table_contains (fields, name));
          g_hash_table_insert (fields, g_ascii_strdown (name, -1),
                               g_strdup (json_array_get_string_element (pair, 1)));
        }
    }
  return fields;
}

static void
compare (const Case *c,
         const char *postfix_path,
         const char *postier_path)
{
  g_autoptr(JsonObject) postfix = postier_test_parse_message (postfix_path);
  g_autoptr(JsonObject) postier = postier_test_parse_message (postier_path);
  g_autoptr(GHashTable) postfix_fields = fields_of (postfix);
  g_autoptr(GHashTable) postier_fields = fields_of (postier);
  GHashTableIter iter;
  const char *name;
  const char *value;
  gboolean input_has_message_id = c->input != NULL &&
                                  (g_str_has_prefix (c->input, "Message-ID:") ||
                                   strstr (c->input, "\nMessage-ID:") != NULL);

  /* What Postier sends is standards-correct whatever came in. */
  g_assert_cmpint (json_object_get_int_member (postier, "max_line"), <=, 998);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (postier, "defects")), ==, 0);

  g_hash_table_iter_init (&iter, postfix_fields);
  while (g_hash_table_iter_next (&iter, (gpointer *) &name, (gpointer *) &value))
    {
      const char *ours = g_hash_table_lookup (postier_fields, name);

      g_test_message ("%s: %s: Postfix “%s”, Postier “%s”", c->name, name, value, ours);
      g_assert_nonnull (ours);
      if (g_str_equal (name, "message-id") && input_has_message_id)
        g_assert_cmpstr (ours, ==, value);  /* the input's own, kept by both */
      else if (g_str_equal (name, "message-id"))
        g_assert_true (ours[0] == '<' && strchr (ours, '@') != NULL && g_str_has_suffix (ours, ">"));
      else if (g_str_equal (name, "date"))
        {
          g_autoptr(GDateTime) date = g_mime_utils_header_decode_date (ours);
          g_assert_nonnull (date);
        }
      else if (!g_str_equal (name, "from") || c->same_from)
        g_assert_cmpstr (ours, ==, value);
    }
  g_hash_table_iter_init (&iter, postier_fields);
  while (g_hash_table_iter_next (&iter, (gpointer *) &name, (gpointer *) &value))
    if (!g_hash_table_contains (postfix_fields, name))
      {
        g_test_message ("%s: only Postier has %s: %s", c->name, name, value);
        g_assert_true (c->reencoded && is_mime (name));
      }

  if (c->postier_body != NULL)
    {
      g_assert_cmpstr (json_object_get_string_member (postier, "body"), ==, c->postier_body);
      g_assert_cmpstr (json_object_get_string_member (postfix, "body"), ==, c->postfix_body);
    }
  else
    g_assert_cmpstr (json_object_get_string_member (postier, "body"), ==,
                     json_object_get_string_member (postfix, "body"));
}

static void
test_same_as_postfix (void)
{
  g_autoptr(PostierAccountStore) store = NULL;
  g_autoptr(GString) words = g_string_new ("Subject:");
  g_autofree char *long_line = g_strnfill (1500, 'y');
  g_autofree char *tag = g_strdup_printf ("%d%" G_GINT64_FORMAT, getpid (), g_get_real_time () % 1000000);
  g_autofree char *postfix_config = NULL;
  const char *rig = postier_test_rig ("POSTFIX_DIR");
  Case cases[] = {
    { .name = "subject only", .input = g_strdup ("Subject: only a subject\n") },
    { .name = "no header at all", .input = g_strdup ("just a body line\nsecond\n") },
    { .name = "headers and no body", .input = g_strdup ("Subject: s\nX-A: b\n") },
    { .name = "a line that is not a header", .input = g_strdup ("Subject: s\nthis is not a header\nmore\n") },
    { .name = "a blank first", .input = g_strdup (" leading space line\nbody\n") },
    { .name = "empty", .input = g_strdup ("") },
    { .name = "From, To, Subject, no body",
      .input = g_strdup ("From: Alice <alice@localhost>\nTo: bob@localhost\nSubject: s\n") },
    { .name = "blank line and no body", .input = g_strdup ("Subject: x\n\n") },
    { .name = "a lone dot", .input = g_strdup ("Subject: dot\n\nbefore\n.\nafter\n") },
    /* Postfix passes the octets with no charset: a reader can only guess
     * (Python's email package shows U+FFFD); Postier declares UTF-8. */
    { .name = "8-bit UTF-8 body", .input = g_strdup ("Subject: 8bit\n\ncaf\xc3\xa9 na\xc3\xafve\n"),
      .reencoded = TRUE, .postier_body = "caf\xc3\xa9 na\xc3\xafve\n",
      .postfix_body = "caf\xef\xbf\xbd\xef\xbf\xbd na\xef\xbf\xbd\xef\xbf\xbdve\n" },
    { .name = "a body line over 998",
      .input = g_strdup_printf ("Subject: long body\n\n%s\nshort\n", long_line), .reencoded = TRUE },
    { .name = "a header line over 998", .input = NULL },
    { .name = "a CR alone in the body", .input = g_strdup ("Subject: cr\n\nline\r.\rafter\n"),
      .reencoded = TRUE, .postier_body = "line\r.\rafter\n", .postfix_body = "line . after\n" },
    /* What mail programs and scripts also hand over. */
    { .name = "CRLF line ends", .input = g_strdup ("Subject: crlf\r\nX-A: b\r\n\r\nline1\r\nline2\r\n") },
    { .name = "no final newline", .input = g_strdup ("Subject: nonl\n\nno newline at end") },
    { .name = "an mbox From_ line first",
      .input = g_strdup ("From alice@localhost Mon Dec  7 10:00:00 2026\nSubject: fromline\n\nbody\n") },
    { .name = "its own Message-ID and Date",
      .input = g_strdup ("Subject: mid\nMessage-ID: <keep.me@example.org>\n"
                         "Date: Mon, 07 Dec 2026 10:00:00 +0100\n\nbody\n") },
    { .name = "folded fields", .input = g_strdup ("Subject: folded\n  continued here\nX-Long: a\n\tb\n\nbody\n") },
    { .name = "a UTF-8 Subject", .input = g_strdup ("Subject: caf\xc3\xa9 cr\xc3\xa8me\n\nbody\n") },
    { .name = "already MIME, Latin-1",
      .input = g_strdup ("Subject: mime\nMIME-Version: 1.0\nContent-Type: text/plain; charset=iso-8859-1\n"
                         "Content-Transfer-Encoding: 8bit\n\ncaf\xe9\n") },
    { .name = "a Bcc field without -t", .input = g_strdup ("Subject: bcc\nBcc: hidden@localhost\n\nbody\n") },
    { .name = "trailing blank lines", .input = g_strdup ("Subject: tb\n\nbody\n\n\n\n") },
    { .name = "no space after the colon, an empty field",
      .input = g_strdup ("Subject:nospace\nX-Empty:\n\nbody\n") },
    { .name = "lines of dots", .input = g_strdup ("Subject: dots\n\n..two dots\n.x\n...\n") },
    { .name = "multipart",
      .input = g_strdup ("Subject: multi\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=XX\n\n"
                         "--XX\nContent-Type: text/plain\n\nhello\n--XX\n"
                         "Content-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\n"
                         "AAEC\n--XX--\n") },
    { .name = "a From with a name", .input = g_strdup ("From: Alice Liddell <alice@localhost>\nSubject: name\n\nbody\n"),
      .same_from = TRUE },
    { .name = "a Sender field", .input = g_strdup ("Sender: alice@localhost\nFrom: other@localhost\nSubject: s\n\nbody\n"),
      .same_from = TRUE },
    { .name = "tabs and trailing spaces", .input = g_strdup ("Subject: ts\n\na\tb   \n") },
    { .name = "-i and a lone dot", .input = g_strdup ("Subject: idot\n\nbefore\n.\nafter\n"), .option = "-i" },
    { .name = "-oi and a lone dot", .input = g_strdup ("Subject: oidot\n\nbefore\n.\nafter\n"), .option = "-oi" },
    { .name = "-F and a name", .input = g_strdup ("Subject: full name\n\nbody\n"), .option = "-F",
      .option_value = "Alice Full", .same_from = TRUE },
  };

  /* Postfix takes these too; Postier refuses them (exit 65, nothing
   * queued): a CR in a header can smuggle one in, and header text that
   * is not UTF-8 cannot be read back the same. */
  const char *refused[] = {
    "Subject: x\rBcc: spy@localhost\n\nbody\n",
    "Subject: caf\xe9\n\nbody\n",
  };

  for (guint i = 0; i < 300; i++)
    g_string_append (words, " word");
  g_string_append (words, "\n\nbody\n");
  cases[11].input = g_string_free (g_steal_pointer (&words), FALSE);

  if (rig == NULL || postier_test_rig ("MAILDIR") == NULL)
    return;
  store = postier_test_add_rig_account ("Rig", 0, NULL);
  if (store == NULL)
    return;
  postfix_config = g_build_filename (rig, "etc", NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *postfix_rcpt = g_strdup_printf ("pf-%u-%s@localhost", i, tag);
      g_autofree char *postier_rcpt = g_strdup_printf ("pt-%u-%s@localhost", i, tag);
      g_autofree char *postfix_path = NULL;
      g_autofree char *postier_path = NULL;
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      const char *postfix_argv[8] = { "/usr/sbin/sendmail", "-C", postfix_config, "-f", "alice@localhost" };
      const char *postier_args[5] = { "sendmail" };
      guint pf = 5, pt = 1;
      int status;

      if (cases[i].option != NULL)
        {
          postfix_argv[pf++] = postier_args[pt++] = cases[i].option;
          if (cases[i].option_value != NULL)
            postfix_argv[pf++] = postier_args[pt++] = cases[i].option_value;
        }
      postfix_argv[pf] = postfix_rcpt;
      postier_args[pt] = postier_rcpt;
      g_test_message ("case %u: %s", i, cases[i].name);
      status = postier_test_run_program (NULL, cases[i].input, &out, &err, postfix_argv);
      g_test_message ("Postfix's sendmail: %d %s%s", status, out, err);
      g_assert_cmpint (status, ==, 0);
      g_clear_pointer (&out, g_free);
      g_clear_pointer (&err, g_free);
      status = postier_test_run_ctlv (NULL, cases[i].input, strlen (cases[i].input), &out, &err, postier_args);
      g_test_message ("postierctl sendmail: %d %s%s", status, out, err);
      g_assert_cmpint (status, ==, 0);

      postfix_path = delivered_to (postfix_rcpt);
      postier_path = delivered_to (postier_rcpt);
      compare (&cases[i], postfix_path, postier_path);
    }

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autofree char *rcpt = g_strdup_printf ("nq-%u-%s@localhost", i, tag);
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      const char *args[] = { "sendmail", rcpt, NULL };
      int status = postier_test_run_ctlv (NULL, refused[i], strlen (refused[i]), &out, &err, args);

      g_test_message ("refused %u: %d %s", i, status, err);
      g_assert_cmpint (status, ==, EX_DATAERR);
      g_assert_nonnull (strstr (err, "Line 1: the Subject header"));
      g_assert_true (postier_test_tree_contains (g_get_user_data_dir (), rcpt) == FALSE);
    }

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    g_free (cases[i].input);
}

int
main (int   argc,
      char *argv[])
{
  postier_test_init (&argc, &argv);

  g_test_add_func ("/sendmail/same-as-postfix", test_same_as_postfix);

  return g_test_run ();
}
