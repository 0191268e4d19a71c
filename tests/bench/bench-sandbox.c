/* bench-sandbox.c — how fast the Sandbox captures, and how long its check
 * list takes
 *
 * Postier's own SMTP client (STARTTLS, pinned certificate, AUTH PLAIN)
 * sends to an in-process receiver on loopback; every message is fsynced
 * into the Maildir with its envelope before the 250, so the figures
 * include the disk. Prints figures; never fails on a slow machine.
 *
 *   tests/rig/with-rig build/tests/bench/bench-sandbox [N_SMALL] [BIG_MB]
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>

#include "postier-core.h"

static char *
write_message (const char *dir,
               const char *name,
               gsize       body_octets)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GString) text = g_string_new ("From: Bench <bench@localhost>\r\n"
                                          "To: sink@example.net\r\n"
                                          "Subject: bench\r\n"
                                          "Date: Mon, 1 Jan 2024 10:00:00 +0000\r\n"
                                          "Message-ID: <bench@localhost>\r\n"
                                          "MIME-Version: 1.0\r\n"
                                          "Content-Type: text/plain; charset=us-ascii\r\n"
                                          "\r\n");

  while (text->len < body_octets)
    g_string_append (text, ".A line of seventy-odd characters that starts with a dot, to stuff.\r\n");
  g_assert_true (g_file_set_contents (path, text->str, (gssize) text->len, NULL));
  return g_steal_pointer (&path);
}

static void
send_many (PostierSandbox *sandbox,
           PostierAccount *account,
           const char     *path,
           guint           count,
           double         *seconds)
{
  g_autoptr(PostierSmtpClient) client = NULL;
  g_autoptr(PostierEnvelope) envelope = postier_envelope_new (postier_account_get_login (account));
  g_autoptr(GError) error = NULL;
  gint64 start;

  postier_envelope_add_recipient (envelope, "sink@example.net");
  client = postier_sandbox_create_client (sandbox, account, &error);
  g_assert_no_error (error);

  start = g_get_monotonic_time ();
  g_assert_true (postier_smtp_client_open (client, NULL, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < count; i++)
    {
      g_autoptr(GArray) results = NULL;

      if (!postier_smtp_client_send (client, envelope, path, &results, NULL, &error))
        g_error ("send %u: %s", i, error->message);
    }
  postier_smtp_client_close (client, NULL);
  *seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
}

int
main (int   argc,
      char *argv[])
{
  guint n_small = argc > 1 ? (guint) g_ascii_strtoull (argv[1], NULL, 10) : 500;
  guint big_mb = argc > 2 ? (guint) g_ascii_strtoull (argv[2], NULL, 10) : 20;
  g_autoptr(GError) error = NULL;
  g_autofree char *root = g_dir_make_tmp ("postier-bench-XXXXXX", &error);
  g_autofree char *maildir = NULL;
  g_autofree char *small = NULL;
  g_autofree char *big = NULL;
  g_autoptr(PostierSandbox) sandbox = NULL;
  g_autoptr(PostierAccountStore) accounts = NULL;
  g_autoptr(PostierSandboxStore) store = NULL;
  g_autoptr(GPtrArray) list = NULL;
  PostierAccount *account;
  double seconds;

  g_assert_no_error (error);
  postier_core_init ();
  maildir = g_build_filename (root, "sandbox", NULL);
  sandbox = postier_sandbox_new (maildir);
  store = postier_sandbox_store_new (maildir);
  accounts = postier_account_store_new (NULL);
  account = postier_account_store_get_sandbox (accounts);

  small = write_message (root, "small.eml", 2 * 1024);
  big = write_message (root, "big.eml", (gsize) big_mb * 1024 * 1024);

  send_many (sandbox, account, small, n_small, &seconds);
  printf ("sandbox: %u messages of 2 KB over one session: %.2f s, %.0f messages/s\n",
          n_small, seconds, n_small / seconds);

  send_many (sandbox, account, big, 1, &seconds);
  printf ("sandbox: one message of %u MB (dot-stuffed lines): %.2f s, %.1f MB/s\n",
          big_mb, seconds, big_mb / seconds);

  list = postier_sandbox_store_list (store, &error);
  g_assert_no_error (error);
  {
    gint64 start = g_get_monotonic_time ();
    g_autoptr(GPtrArray) again = postier_sandbox_store_list (store, &error);
    printf ("store: listing %u messages: %.1f ms\n", again->len,
            (g_get_monotonic_time () - start) / 1000.0);
  }

  for (guint i = 0; i < list->len && i < 2; i++)
    {
      PostierSandboxMessage *message = g_ptr_array_index (list, i);
      g_autoptr(GBytes) bytes = postier_sandbox_message_load_bytes (message, &error);
      g_autoptr(GPtrArray) checks = NULL;
      gint64 start = g_get_monotonic_time ();

      checks = postier_message_check_run (bytes, NULL);
      printf ("checks: message of %" G_GUINT64_FORMAT " octets: %.1f ms\n",
              postier_sandbox_message_get_size (message),
              (g_get_monotonic_time () - start) / 1000.0);
    }

  postier_sandbox_stop (sandbox);
  postier_remove_tree (root);
  return 0;
}
