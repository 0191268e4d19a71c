/* postierctl-deliver.c — the immediate try after send/sendmail queued a
 * message, and what its outcome means for the caller (exit status, words)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postierctl"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "postierctl-private.h"

static PostierOutbox *
open_outbox (void)
{
  return postier_outbox_new (NULL);
}

static char *
format_time (gint64 when)
{
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;

  if (when == 0)
    return NULL;
  utc = g_date_time_new_from_unix_utc (when);
  local = g_date_time_to_local (utc);
  return g_date_time_format (local, "%Y-%m-%d %H:%M:%S");
}

PostierctlDelivery
postierctl_deliver_now (const char *id,
                        char      **report)
{
  g_autoptr(PostierAccountStore) store = NULL;
  g_autoptr(PostierOutbox) outbox = open_outbox ();
  g_autoptr(PostierSubmitter) submitter = NULL;
  g_autoptr(PostierOutboxEntry) entry = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) lookup_error = NULL;
  const char *reason;

  store = postierctl_load_accounts (&error);
  if (store == NULL)
    {
      *report = g_strdup_printf (_("Queued as %s, not sent yet: %s"), id, error->message);
      return POSTIERCTL_DELIVERY_QUEUED;
    }

  submitter = postier_submitter_new (outbox, store);
  if (!postier_submitter_flush_sync (submitter, NULL, NULL, &error) &&
      g_error_matches (error, POSTIER_OUTBOX_ERROR, POSTIER_OUTBOX_ERROR_BUSY))
    {
      *report = g_strdup_printf (_("Queued as %s; Postier is sending the outbox right now and "
                                   "will send it."), id);
      return POSTIERCTL_DELIVERY_QUEUED;
    }

  entry = postier_outbox_lookup (outbox, id, &lookup_error);
  if (entry == NULL)
    {
      *report = g_strdup_printf (_("Sent (%s)."), id);
      return POSTIERCTL_DELIVERY_SENT;
    }

  reason = postier_outbox_entry_get_last_error (entry);
  if (reason == NULL)
    reason = error != NULL ? error->message : _("no attempt was possible");
  switch (postier_outbox_entry_get_state (entry))
    {
    case POSTIER_OUTBOX_STATE_DEFERRED:
      {
        g_autofree char *next = format_time (postier_outbox_entry_get_next_attempt (entry));
        *report = g_strdup_printf (_("Queued as %s, not sent yet: %s (next attempt %s)"),
                                   id, reason, next);
        return POSTIERCTL_DELIVERY_QUEUED;
      }
    case POSTIER_OUTBOX_STATE_FAILED:
      *report = g_strdup_printf (_("Queued as %s, but the server refused it: %s"), id, reason);
      return POSTIERCTL_DELIVERY_FAILED;
    case POSTIER_OUTBOX_STATE_NEEDS_ATTENTION:
      *report = g_strdup_printf (_("Queued as %s, not sent: %s. Fix the account, then run "
                                   "“postierctl queue retry %s”."), id, reason, id);
      return POSTIERCTL_DELIVERY_FAILED;
    default:
      *report = g_strdup_printf (_("Queued as %s, not sent yet: %s"), id, reason);
      return POSTIERCTL_DELIVERY_QUEUED;
    }
}

