/* postier-outbox-relay-holds.c — why a due message still waits: its
 * account's relay limit, asked in the listing's thread
 *
 * The limiter's state is per account and lives on disk (shared with
 * postierctl), not in entry.ini, and asking it may wait up to 2 s on its
 * lock: the app's outbox rows once asked it on the main thread as they
 * were made, which stalled frames during a flush. The listing now asks
 * once per account and the rows read the snapshot.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-outbox"

#include "config.h"

#include "postier-account-store.h"
#include "postier-outbox-entry-private.h"
#include "postier-outbox-relay-holds.h"
#include "postier-relay-limiter.h"

static gboolean
may_be_held (PostierOutboxEntry *entry,
             gint64              now)
{
  PostierOutboxState state = postier_outbox_entry_get_state (entry);

  return (state == POSTIER_OUTBOX_STATE_QUEUED || state == POSTIER_OUTBOX_STATE_DEFERRED) &&
         postier_outbox_entry_is_due (entry, now);
}

/* The hold's sentence for ENTRY's account, NULL when it may send. */
static char *
ask_limiter (PostierAccountStore *accounts,
             PostierOutboxEntry  *entry)
{
  PostierAccount *account = postier_account_store_lookup (accounts,
                                                          postier_outbox_entry_get_account_name (entry));
  PostierRelayHold hold;
  guint n;

  if (account == NULL)
    return NULL;
  n = postier_outbox_entry_count_recipients (entry, POSTIER_RECIPIENT_STATE_PENDING) +
      postier_outbox_entry_count_recipients (entry, POSTIER_RECIPIENT_STATE_DEFERRED);
  if (postier_relay_limiter_check (postier_relay_limiter_get_default (), account, MAX (n, 1), &hold))
    return NULL;
  return postier_relay_hold_describe (&hold, 0);
}

void
_postier_outbox_note_relay_holds (GPtrArray *entries,
                                  gint64     now)
{
  g_autoptr(PostierAccountStore) accounts = NULL;
  g_autoptr(GHashTable) answers = NULL;   /* account name → sentence, "" when not held */

  g_return_if_fail (entries != NULL);

  for (guint i = 0; i < entries->len; i++)
    {
      PostierOutboxEntry *entry = entries->pdata[i];
      const char *name = postier_outbox_entry_get_account_name (entry);
      const char *answer;

      if (!may_be_held (entry, now))
        continue;
      if (accounts == NULL)
        {
          g_autoptr(GError) error = NULL;

          accounts = postier_account_store_new (NULL);
          if (!postier_account_store_load (accounts, &error))
            g_debug ("Cannot read the accounts: %s", error->message);
          answers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
        }
      answer = g_hash_table_lookup (answers, name);
      if (answer == NULL)
        {
          char *text = ask_limiter (accounts, entry);

          answer = text != NULL ? text : g_strdup ("");
          g_hash_table_insert (answers, g_strdup (name), (char *) answer);
        }
      if (answer[0] == '\0')
        answer = NULL;
      /* The listing may share ENTRY with an earlier one, shown by a view
       * (postier-outbox-watch.c keeps unchanged entries): a held entry
       * is a fresh snapshot of its own. */
      if (g_strcmp0 (answer, postier_outbox_entry_get_relay_hold (entry)) != 0)
        {
          PostierOutboxEntry *fresh =
            _postier_outbox_entry_load (postier_outbox_entry_get_id (entry),
                                        postier_outbox_entry_get_path (entry), NULL);

          if (fresh == NULL)
            continue;
          _postier_outbox_entry_set_relay_hold (fresh, answer);
          g_object_unref (entries->pdata[i]);
          entries->pdata[i] = fresh;
        }
    }
}
