/* postier-outbox-goa.c — mail waiting for a GOA account that comes back
 * (see the header)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-outbox"

#include "config.h"

#include "postier-outbox-goa.h"
#include "postier-outbox-private.h"

gboolean
postier_outbox_entry_awaits_online_account (PostierOutboxEntry *entry)
{
  PostierOutboxFailure failure;

  g_return_val_if_fail (POSTIER_IS_OUTBOX_ENTRY (entry), FALSE);

  failure = postier_outbox_entry_get_failure (entry);
  return postier_outbox_entry_get_state (entry) == POSTIER_OUTBOX_STATE_NEEDS_ATTENTION &&
         postier_goa_is_account_name (postier_outbox_entry_get_account_name (entry)) &&
         (failure == POSTIER_OUTBOX_FAILURE_CONFIGURATION || failure == POSTIER_OUTBOX_FAILURE_AUTH);
}

/* What GOA's word fixes: a sign-in GOA still wants redone would be
 * refused again. */
static gboolean
fixed_by_goa (PostierOutboxEntry *entry,
              gpointer            attention_needed)
{
  return postier_outbox_entry_awaits_online_account (entry) &&
         !(postier_outbox_entry_get_failure (entry) == POSTIER_OUTBOX_FAILURE_AUTH &&
           GPOINTER_TO_INT (attention_needed));
}

guint
postier_outbox_retry_online_account (PostierOutbox *outbox,
                                     const char    *account_name,
                                     gboolean       attention_needed)
{
  const char *names[] = { account_name, NULL };

  g_return_val_if_fail (POSTIER_IS_OUTBOX (outbox), 0);
  g_return_val_if_fail (account_name != NULL, 0);
  return _postier_outbox_retry_account_entries (outbox, names, fixed_by_goa,
                                                GINT_TO_POINTER (attention_needed));
}

typedef struct {
  char     *account_name;
  gboolean  attention_needed;
} RetryData;

static void
retry_data_free (gpointer data)
{
  RetryData *retry = data;

  g_free (retry->account_name);
  g_free (retry);
}

static void
retry_in_thread (GTask        *task,
                 gpointer      source,
                 gpointer      task_data,
                 G_GNUC_UNUSED GCancellable *cancellable)
{
  RetryData *retry = task_data;

  g_task_return_int (task, postier_outbox_retry_online_account (source, retry->account_name,
                                                                retry->attention_needed));
}

void
postier_outbox_retry_online_account_async (PostierOutbox       *outbox,
                                           const char          *account_name,
                                           gboolean             attention_needed,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data)
{
  RetryData *retry = g_new0 (RetryData, 1);

  retry->account_name = g_strdup (account_name);
  retry->attention_needed = attention_needed;
  _postier_outbox_run_in_thread (outbox, postier_outbox_retry_online_account_async, retry, retry_data_free,
                                 retry_in_thread, cancellable, callback, user_data);
}

guint
postier_outbox_retry_online_account_finish (PostierOutbox  *outbox,
                                            GAsyncResult   *result,
                                            GError        **error)
{
  return _postier_outbox_count_finish (outbox, result, error);
}
