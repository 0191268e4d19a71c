/* fuzz-outbox-entry.c — libFuzzer target for the outbox entry loader
 *
 * The input is an entry.ini, put in an entry folder beside a small
 * message.eml and read the ways Postier reads an outbox: the listing (with
 * its damaged entries), a lookup, the getters every view calls. An entry
 * that loads is saved again and must read back the same: a file the
 * program wrote itself must never become damaged.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "postier-core.h"
#include "postier-outbox-private.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

#define ID "20261205T120000Z-000001-00000001"

static char *outbox_dir;
static char *entry_dir;

static void
set_up (void)
{
  g_autofree char *message = NULL;
  g_autofree char *base = NULL;

  /* Saving an entry fsyncs it and its folder: in memory when we can, or
   * the disk, not the parser, sets the pace (6 runs/s against 2400). */
  if (g_file_test ("/dev/shm", G_FILE_TEST_IS_DIR) && g_getenv ("TMPDIR") == NULL)
    {
      char *template = g_strdup ("/dev/shm/postier-fuzz-outbox-XXXXXX");

      base = g_mkdtemp (template);
      if (base == NULL)
        g_free (template);
    }
  if (base == NULL)
    base = g_dir_make_tmp ("postier-fuzz-outbox-XXXXXX", NULL);
  g_assert (base != NULL);
  outbox_dir = g_build_filename (base, "outbox", NULL);
  entry_dir = g_build_filename (outbox_dir, ID, NULL);
  g_assert (g_mkdir_with_parents (entry_dir, 0700) == 0);
  message = g_build_filename (entry_dir, POSTIER_OUTBOX_MESSAGE_FILE, NULL);
  g_assert (g_file_set_contents (message, "From: a@example.org\r\nTo: b@example.org\r\n"
                                 "Subject: fuzz\r\n\r\nHello.\r\n", -1, NULL));
  postier_core_init ();
}

static void
touch_everything (PostierOutboxEntry *entry)
{
  g_autofree char *message_path = postier_outbox_entry_get_message_path (entry);
  g_autofree char *transcript_path = postier_outbox_entry_get_transcript_path (entry);
  guint n = postier_outbox_entry_get_n_recipients (entry);

  g_assert (g_str_has_prefix (message_path, entry_dir));
  g_assert (g_str_has_prefix (transcript_path, entry_dir));
  g_assert (n > 0);
  g_assert (postier_outbox_entry_get_account_name (entry) != NULL);
  (void) postier_outbox_state_get_label (postier_outbox_entry_get_state (entry));
  (void) postier_outbox_entry_get_sender (entry);
  g_assert (postier_outbox_entry_get_subject (entry) != NULL);
  g_assert (postier_outbox_entry_get_message_id (entry) != NULL);
  (void) postier_outbox_entry_get_last_error (entry);
  (void) postier_outbox_entry_is_due (entry, 1700000000);
  for (guint i = 0; i < n; i++)
    {
      g_assert (postier_outbox_entry_get_recipient (entry, i) != NULL);
      (void) postier_recipient_state_to_string (postier_outbox_entry_get_recipient_state (entry, i));
      (void) postier_outbox_entry_get_recipient_reply (entry, i);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(PostierOutbox) outbox = NULL;
  g_autoptr(PostierOutboxEntry) entry = NULL;
  g_autoptr(PostierOutboxEntry) again = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GPtrArray) damaged = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *ini = NULL;

  if (outbox_dir == NULL)
    set_up ();

  ini = g_build_filename (entry_dir, POSTIER_OUTBOX_ENTRY_FILE, NULL);
  g_assert (g_file_set_contents (ini, (const char *) data, (gssize) size, NULL));
  outbox = postier_outbox_new (outbox_dir);

  entries = postier_outbox_list_with_damaged (outbox, &damaged, &error);
  g_assert_no_error (error);
  g_assert (entries->len + damaged->len <= 1);
  for (guint i = 0; i < damaged->len; i++)
    g_assert (g_utf8_validate (((GError *) g_ptr_array_index (damaged, i))->message, -1, NULL));

  entry = postier_outbox_lookup (outbox, ID, &error);
  if (entry == NULL)
    {
      g_assert (error != NULL && error->domain == POSTIER_OUTBOX_ERROR);
      g_assert (entries->len == 0);
      return 0;
    }
  g_assert (entries->len == 1);
  touch_everything (entry);

  /* What the program writes, it reads back the same. */
  g_assert (_postier_outbox_entry_save (entry, &error));
  g_assert_no_error (error);
  again = postier_outbox_lookup (outbox, ID, &error);
  g_assert_no_error (error);
  g_assert (again != NULL);
  g_assert (postier_outbox_entry_get_state (again) == postier_outbox_entry_get_state (entry));
  g_assert (strcmp (postier_outbox_entry_get_account_name (again),
                    postier_outbox_entry_get_account_name (entry)) == 0);
  g_assert (postier_outbox_entry_get_n_recipients (again) == postier_outbox_entry_get_n_recipients (entry));
  for (guint i = 0; i < postier_outbox_entry_get_n_recipients (entry); i++)
    {
      g_assert (strcmp (postier_outbox_entry_get_recipient (again, i),
                        postier_outbox_entry_get_recipient (entry, i)) == 0);
      g_assert (postier_outbox_entry_get_recipient_state (again, i) ==
                postier_outbox_entry_get_recipient_state (entry, i));
    }
  g_assert (postier_outbox_entry_get_attempts (again) == postier_outbox_entry_get_attempts (entry));
  g_assert (g_strcmp0 (postier_outbox_entry_get_last_error (again),
                       postier_outbox_entry_get_last_error (entry)) == 0);
  return 0;
}
