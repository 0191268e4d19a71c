/* postierctl-limits.c — relay limits on the command line: `account show`
 * prints them, `queue list` and the send report say why mail is held
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postierctl"

#include "config.h"

#include <glib/gi18n.h>

#include "postierctl-private.h"

void
postierctl_limits_print (PostierAccount *account)
{
  PostierAccountLimits limits;
  PostierLimitPreset preset;
  g_autofree char *text = NULL;

  postier_account_get_limits (account, &limits);
  preset = postier_account_limits_match_preset (&limits);
  text = postier_account_limits_describe (&limits);
  if (preset == POSTIER_LIMIT_PRESET_NONE || preset == POSTIER_LIMIT_PRESET_CUSTOM)
    g_print ("%-16s %s\n", _("Limits:"), text);
  else
    g_print ("%-16s %s (%s)\n", _("Limits:"), text, postier_limit_preset_get_label (preset));
}

/* "limits": { "preset": "microsoft-365", "messages_per_minute": 30, … }
 * with 0 for no limit: a stable shape for scripts. */
void
postierctl_limits_to_json (PostierAccount *account,
                           JsonBuilder    *builder)
{
  PostierAccountLimits limits;
  const struct { const char *name; guint value; } *field, fields[] = {
    { "messages_per_minute", 0 }, { "messages_per_hour", 0 }, { "messages_per_day", 0 },
    { "recipients_per_message", 0 }, { "recipients_per_day", 0 },
  };
  guint values[5];

  postier_account_get_limits (account, &limits);
  values[0] = limits.messages_per_minute;
  values[1] = limits.messages_per_hour;
  values[2] = limits.messages_per_day;
  values[3] = limits.recipients_per_message;
  values[4] = limits.recipients_per_day;
  json_builder_set_member_name (builder, "limits");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "preset");
  json_builder_add_string_value (builder,
                                 postier_limit_preset_to_string (postier_account_limits_match_preset (&limits)));
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      field = &fields[i];
      json_builder_set_member_name (builder, field->name);
      json_builder_add_int_value (builder, values[i]);
    }
  json_builder_end_object (builder);
}

/* Whether ENTRY waits for its account's relay limits now: only mail that
 * a flush would otherwise take (queued, or deferred and due). */
gboolean
postierctl_entry_hold (PostierAccountStore *accounts,
                       PostierOutboxEntry  *entry,
                       PostierRelayHold    *hold)
{
  PostierOutboxState state = postier_outbox_entry_get_state (entry);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  PostierAccount *account;
  guint n;

  if (state != POSTIER_OUTBOX_STATE_QUEUED &&
      !(state == POSTIER_OUTBOX_STATE_DEFERRED && postier_outbox_entry_is_due (entry, now)))
    return FALSE;
  if (postier_outbox_entry_is_held (entry, now))
    return FALSE;  /* undo send or send later: its own time */
  account = postier_account_store_lookup (accounts, postier_outbox_entry_get_account_name (entry));
  if (account == NULL)
    return FALSE;
  n = postier_outbox_entry_count_recipients (entry, POSTIER_RECIPIENT_STATE_PENDING) +
      postier_outbox_entry_count_recipients (entry, POSTIER_RECIPIENT_STATE_DEFERRED);
  return !postier_relay_limiter_check (postier_relay_limiter_get_default (), account, MAX (n, 1), hold);
}

char *
postierctl_entry_hold_text (PostierAccountStore *accounts,
                            PostierOutboxEntry  *entry)
{
  PostierRelayHold hold;

  if (accounts == NULL || !postierctl_entry_hold (accounts, entry, &hold))
    return NULL;
  return postier_relay_hold_describe (&hold, 0);
}
