/* postier-outbox-goa.c — mail waiting for a GOA account that comes back
 * (see the header)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-outbox"

#include "config.h"

#include "postier-outbox-goa.h"

/* Only GOA's own reasons: the account (gone, mail off, no credentials
 * kind: "configuration") and its sign-in ("auth"). */
static gboolean
waits_for (PostierOutboxEntry *entry,
           PostierGoaBack      why)
{
  PostierOutboxFailure failure = postier_outbox_entry_get_failure (entry);

  if (postier_outbox_entry_get_state (entry) != POSTIER_OUTBOX_STATE_NEEDS_ATTENTION ||
      !postier_goa_is_account_name (postier_outbox_entry_get_account_name (entry)))
    return FALSE;
  if (why == POSTIER_GOA_BACK_SIGNED_IN)
    return failure == POSTIER_OUTBOX_FAILURE_AUTH;
  return failure == POSTIER_OUTBOX_FAILURE_CONFIGURATION;
}

gboolean
postier_outbox_entry_awaits_online_account (PostierOutboxEntry *entry)
{
  g_return_val_if_fail (POSTIER_IS_OUTBOX_ENTRY (entry), FALSE);
  return waits_for (entry, POSTIER_GOA_BACK_APPEARED) || waits_for (entry, POSTIER_GOA_BACK_SIGNED_IN);
}

guint
postier_outbox_retry_online_account (PostierOutbox  *outbox,
                                     const char     *account_name,
                                     PostierGoaBack  why)
{
  g_autoptr(GPtrArray) entries = NULL;
  guint retried = 0;

  g_return_val_if_fail (POSTIER_IS_OUTBOX (outbox), 0);
  g_return_val_if_fail (account_name != NULL, 0);

  entries = postier_outbox_list (outbox, NULL);
  for (guint i = 0; entries != NULL && i < entries->len; i++)
    {
      PostierOutboxEntry *entry = g_ptr_array_index (entries, i);
      g_autoptr(GError) error = NULL;

      if (!waits_for (entry, why) || g_strcmp0 (postier_outbox_entry_get_account_name (entry), account_name) != 0)
        continue;
      if (postier_outbox_retry (outbox, postier_outbox_entry_get_id (entry), &error))
        retried++;
      else
        g_warning ("%s", error->message);
    }
  return retried;
}
