/* postier-outbox-holds.c — why a due message still waits: its account's
 * relay limit, from core's relay limiter
 *
 * The limiter's state is per account and lives on disk (shared with
 * postierctl), not in entry.ini: the rows ask, and the answers are kept
 * for a moment so a list of a thousand rows reads each account once.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-outbox-view"

#include "config.h"

#include "postier-account-store.h"
#include "postier-outbox-holds.h"
#include "postier-relay-limiter.h"

/* How long an answer, and the accounts read to give it, are kept. */
#define KEEP_USEC (2 * G_USEC_PER_SEC)

typedef struct {
  gint64  checked;   /* monotonic */
  char   *text;      /* NULL: not held */
} Answer;

static PostierAccountStore *accounts;
static gint64               accounts_read;
static GHashTable          *answers;   /* account name → Answer */

static void
answer_free (gpointer data)
{
  Answer *answer = data;

  g_free (answer->text);
  g_free (answer);
}

static PostierAccount *
lookup_account (const char *name,
                gint64      now)
{
  if (accounts == NULL || now - accounts_read > KEEP_USEC)
    {
      g_autoptr(GError) error = NULL;

      g_clear_object (&accounts);
      accounts = postier_account_store_new (NULL);
      if (!postier_account_store_load (accounts, &error))
        g_debug ("Cannot read the accounts: %s", error->message);
      accounts_read = now;
    }
  return postier_account_store_lookup (accounts, name);
}

char *
postier_outbox_hold_text (PostierOutboxEntry *entry)
{
  gint64 now = g_get_monotonic_time ();
  const char *name;
  PostierAccount *account;
  PostierRelayHold hold;
  Answer *answer;

  g_return_val_if_fail (POSTIER_IS_OUTBOX_ENTRY (entry), NULL);

  if (!postier_outbox_entry_is_due (entry, g_get_real_time () / G_USEC_PER_SEC))
    return NULL;
  name = postier_outbox_entry_get_account_name (entry);
  if (answers == NULL)
    answers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, answer_free);
  answer = g_hash_table_lookup (answers, name);
  if (answer != NULL && now - answer->checked <= KEEP_USEC)
    return g_strdup (answer->text);

  answer = g_new0 (Answer, 1);
  answer->checked = now;
  account = lookup_account (name, now);
  if (account != NULL &&
      !postier_relay_limiter_check (postier_relay_limiter_get_default (), account,
                                    postier_outbox_entry_count_recipients (entry, POSTIER_RECIPIENT_STATE_PENDING) +
                                    postier_outbox_entry_count_recipients (entry, POSTIER_RECIPIENT_STATE_DEFERRED),
                                    &hold))
    answer->text = postier_relay_hold_describe (&hold, 0);
  g_hash_table_replace (answers, g_strdup (name), answer);
  return g_strdup (answer->text);
}
