/* test-send.c — postierctl send and sendmail, all the way to the rig's
 * Postfix: what lands in its Maildir is what we built, byte for byte, and
 * Python's email package reads it back the same
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "postier-core.h"
#include "postier-test.h"

static gboolean
add_rig_account (void)
{
  const char *port = postier_test_rig ("SUBMISSION_PORT");
  const char *ca = postier_test_rig ("CA");
  const char *user = postier_test_rig ("USER");
  const char *password = postier_test_rig ("PASSWORD");

  if (port == NULL || ca == NULL || user == NULL || password == NULL ||
      postier_test_rig ("MAILDIR") == NULL || postier_test_rig ("KEYRING") == NULL)
    return FALSE;
  postier_test_ctl_add_account ("Rig", port, ca, password);
  return TRUE;
}

/* The one copy in Postier's Sent Maildir: the bytes we submitted, with
 * the LF line ends a Maildir keeps. */
static char *
sent_copy (void)
{
  g_autofree char *sent = g_build_filename (g_get_user_data_dir (), "postier", "sent", NULL);
  const char *sub[] = { "new", "cur" };
  char *found = NULL;

  for (guint s = 0; s < G_N_ELEMENTS (sub); s++)
    {
      g_autofree char *dir_path = g_build_filename (sent, sub[s], NULL);
      g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *path = g_build_filename (dir_path, name, NULL);
          g_assert_null (found);
          found = postier_test_read_file (path, NULL);
        }
    }
  g_assert_nonnull (found);

  /* The Sent store notes when and how it was sent in a header of its own,
   * above the message: not part of what went out. */
  while (g_str_has_prefix (found, "X-Postier-"))
    {
      const char *next = strchr (found, '\n');
      while (next != NULL && (next[1] == ' ' || next[1] == '\t'))
        next = strchr (next + 1, '\n');
      g_assert_nonnull (next);
      memmove (found, next + 1, strlen (next + 1) + 1);
    }
  return found;
}

static char *
crlf_to_lf (const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text, "\r\n", -1);
  return g_strjoinv ("\n", lines);
}

/* Postfix adds Return-Path, Delivered-To and Received above our headers,
 * stores LF line ends, and must change nothing else. */
static void
assert_same_message (const char *maildir_file,
                     const char *submitted)
{
  g_autofree char *stored = postier_test_read_file (maildir_file, NULL);
  g_autofree char *expected = crlf_to_lf (submitted);

  g_assert_true (g_str_has_suffix (stored, expected));
}

static void
test_send_through_postfix (void)
{
  g_autofree char *tag = g_strdup_printf ("send-%d-%" G_GINT64_FORMAT, getpid (), g_get_real_time ());
  g_autofree char *subject = g_strdup_printf ("Réunion 会議 %s", tag);
  g_autofree char *attachment = NULL;
  g_autofree char *attachment_sha = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *submitted = NULL;
  g_autoptr(GString) body = g_string_new ("Bonjour,\n.\n..deux points\nFrom the start\n");
  g_autoptr(GPtrArray) files = NULL;
  g_autoptr(PostierOutbox) outbox = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  int status;

  if (!add_rig_account ())
    return;

  for (guint i = 0; i < 1500; i++)
    g_string_append (body, i % 2 == 0 ? "é" : "a");
  g_string_append (body, "\nFin.\n");

  g_assert_cmpint (g_mkdir_with_parents (g_get_user_cache_dir (), 0700), ==, 0);
  attachment = g_build_filename (g_get_user_cache_dir (), "Compte rendu été.bin", NULL);
  {
    guint8 data[100000];
    for (gsize i = 0; i < sizeof data; i++)
      data[i] = (guint8) (i * 131 + 7);
    g_assert_true (g_file_set_contents (attachment, (const char *) data, sizeof data, NULL));
  }
  attachment_sha = postier_test_file_sha256 (attachment);

  status = postier_test_run_ctl (body->str, &out, &err, "send",
                                 "--to", "Bob <bob@localhost>", "--cc", "carol@localhost",
                                 "--bcc", "dave@localhost", "--subject", subject,
                                 "--body-file", "-", "--attach", attachment, NULL);
  g_test_message ("%s%s", out, err);
  g_assert_cmpint (status, ==, 0);
  g_assert_true (g_str_has_prefix (out, "Sent"));

  /* Gone from the outbox, kept in Sent. */
  outbox = postier_outbox_new (NULL);
  entries = postier_outbox_list (outbox, NULL);
  g_assert_cmpuint (entries->len, ==, 0);
  submitted = sent_copy ();

  files = postier_test_maildir_files (tag, 3);
  for (guint i = 0; i < files->len; i++)
    {
      g_autoptr(JsonObject) parsed = postier_test_parse_message (g_ptr_array_index (files, i));
      JsonObject *first;

      assert_same_message (g_ptr_array_index (files, i), submitted);
      g_assert_cmpstr (postier_test_parsed_header (parsed, "Subject"), ==, subject);
      g_assert_null (postier_test_parsed_header (parsed, "Bcc"));
      g_assert_cmpstr (postier_test_parsed_header (parsed, "From"), ==, "Alice Ärzte <alice@localhost>");
      g_assert_cmpstr (json_object_get_string_member (parsed, "body"), ==, body->str);
      first = json_array_get_object_element (json_object_get_array_member (parsed, "attachments"), 0);
      g_assert_cmpstr (json_object_get_string_member (first, "filename"), ==, "Compte rendu été.bin");
      g_assert_cmpstr (json_object_get_string_member (first, "sha256"), ==, attachment_sha);
    }
  /* dave@ got his copy (its Delivered-To names him), and no header says so. */
  g_assert_cmpuint (postier_test_maildir_count ("Delivered-To: dave@localhost"), >=, 1);
  for (guint i = 0; i < files->len; i++)
    {
      g_autofree char *stored = postier_test_read_file (g_ptr_array_index (files, i), NULL);
      const char *ours = strstr (stored, "\nFrom: ");
      g_assert_nonnull (ours);
      g_assert_null (strstr (ours, "dave"));
    }
}

static void
test_sendmail_through_postfix (void)
{
  g_autofree char *tag = g_strdup_printf ("sendmail-%d-%" G_GINT64_FORMAT, getpid (), g_get_real_time ());
  g_autofree char *input = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *submitted = NULL;
  g_autoptr(GPtrArray) files = NULL;
  g_autoptr(JsonObject) parsed = NULL;
  const char *args[] = { "sendmail", "-t", "-oi", "-oem", NULL };
  int status;

  if (!add_rig_account ())
    return;

  input = g_strdup_printf ("From: Alice <alice@localhost>\n"
                           "To: Bob <bob@localhost>\n"
                           "Bcc: dave@localhost\n"
                           "Subject: [PATCH] %s\n"
                           "Content-Type: text/plain; charset=UTF-8\n"
                           "Content-Transfer-Encoding: 8bit\n"
                           "\n"
                           "Ünïcode body\n"
                           ".\n"
                           "-- \n"
                           "2.39.2\n", tag);
  status = postier_test_run_ctlv (NULL, input, strlen (input), &out, &err, args);
  g_test_message ("%s%s", out, err);
  g_assert_cmpint (status, ==, 0);
  /* The sendmail face says nothing when all went well (cron mails any
   * output). */
  g_assert_cmpstr (out, ==, "");
  g_assert_cmpstr (err, ==, "");

  submitted = sent_copy ();
  /* The Sent Maildir stores LF line ends, as Maildirs do. */
  g_assert_true (g_str_has_prefix (submitted, "From: Alice <alice@localhost>\nTo: Bob <bob@localhost>\n"
                                              "Subject: [PATCH] "));
  g_assert_true (g_str_has_suffix (submitted, "\n\nÜnïcode body\n.\n-- \n2.39.2\n"));
  files = postier_test_maildir_files (tag, 2);
  for (guint i = 0; i < files->len; i++)
    assert_same_message (g_ptr_array_index (files, i), submitted);
  parsed = postier_test_parse_message (g_ptr_array_index (files, 0));
  g_assert_cmpstr (json_object_get_string_member (parsed, "body"), ==, "Ünïcode body\n.\n-- \n2.39.2\n");
  g_assert_null (postier_test_parsed_header (parsed, "Bcc"));
  g_assert_nonnull (postier_test_parsed_header (parsed, "Message-ID"));
  g_assert_nonnull (postier_test_parsed_header (parsed, "Date"));
}

int
main (int   argc,
      char *argv[])
{
  postier_test_init (&argc, &argv);

  g_test_add_func ("/send/through-postfix", test_send_through_postfix);
  g_test_add_func ("/send/sendmail-through-postfix", test_sendmail_through_postfix);

  return g_test_run ();
}
