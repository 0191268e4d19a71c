/* postier-account-limits.h — how much a relay lets one account send
 *
 * Per account: messages per minute / hour / day, recipients per message
 * and per day, 0 meaning no limit. Kept in accounts.ini with the account
 * (keys `limit-messages-per-minute`, …), set by the account editor and by
 * `postierctl account set NAME --limit …`. Presets carry the providers'
 * published limits (sources in postier-account-limits.c). The limiter
 * (outbox/postier-relay-limiter.h) holds mail that would go beyond them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  guint messages_per_minute;
  guint messages_per_hour;
  guint messages_per_day;      /* a rolling 24 hours, as the providers count */
  guint recipients_per_message;
  guint recipients_per_day;    /* a rolling 24 hours */
} PostierAccountLimits;

typedef enum {
  POSTIER_LIMIT_PRESET_NONE,              /* "none": no limit */
  POSTIER_LIMIT_PRESET_GMAIL,             /* "gmail": a personal Gmail account */
  POSTIER_LIMIT_PRESET_GOOGLE_WORKSPACE,  /* "google-workspace" */
  POSTIER_LIMIT_PRESET_MICROSOFT_365,     /* "microsoft-365": Exchange Online */
  POSTIER_LIMIT_PRESET_CUSTOM,            /* limits that match no preset */
} PostierLimitPreset;

#define POSTIER_N_LIMIT_PRESETS POSTIER_LIMIT_PRESET_CUSTOM

/* "none", "gmail", "google-workspace", "microsoft-365" ("custom" for CUSTOM). */
const char *postier_limit_preset_to_string    (PostierLimitPreset          preset);
gboolean    postier_limit_preset_from_string  (const char                 *text,
                                               PostierLimitPreset         *preset);
/* A translated name for the UI: "No limit", "Gmail", "Google Workspace",
 * "Microsoft 365", "Custom". */
const char *postier_limit_preset_get_label    (PostierLimitPreset          preset);
/* The preset's limits; CUSTOM gives all zero. */
void        postier_limit_preset_get_limits   (PostierLimitPreset          preset,
                                               PostierAccountLimits       *limits);

/* Which preset LIMITS are exactly (CUSTOM when none). */
PostierLimitPreset postier_account_limits_match_preset (const PostierAccountLimits *limits);
gboolean    postier_account_limits_is_none    (const PostierAccountLimits *limits);
gboolean    postier_account_limits_equal      (const PostierAccountLimits *a,
                                               const PostierAccountLimits *b);

/* The command line's form: a preset name, or comma-separated
 * KEY=N with keys messages-per-minute, messages-per-hour, messages-per-day,
 * recipients-per-message, recipients-per-day. Keys not given keep their
 * value in LIMITS (a preset replaces them all). FALSE with
 * POSTIER_ACCOUNT_ERROR_INVALID naming the bad part. */
gboolean    postier_account_limits_parse      (const char                 *text,
                                               PostierAccountLimits       *limits,
                                               GError                    **error);
/* "messages-per-minute=30,recipients-per-message=500" (only the set ones),
 * or "none"; parse() reads it back. */
char       *postier_account_limits_to_string  (const PostierAccountLimits *limits);
/* For people, translated: "30 messages a minute, 10 000 recipients a day,
 * 500 recipients per message", or "No limit". */
char       *postier_account_limits_describe   (const PostierAccountLimits *limits);

/* accounts.ini: keys `limit-KEY` in the account's GROUP, only the set
 * ones written. A bad value reads as 0 (no limit). */
void        postier_account_limits_load       (PostierAccountLimits       *limits,
                                               GKeyFile                   *key_file,
                                               const char                 *group);
void        postier_account_limits_save       (const PostierAccountLimits *limits,
                                               GKeyFile                   *key_file,
                                               const char                 *group);

/* The key names, in order, for the key file and the command line. */
#define POSTIER_LIMIT_KEY_MESSAGES_PER_MINUTE    "messages-per-minute"
#define POSTIER_LIMIT_KEY_MESSAGES_PER_HOUR      "messages-per-hour"
#define POSTIER_LIMIT_KEY_MESSAGES_PER_DAY       "messages-per-day"
#define POSTIER_LIMIT_KEY_RECIPIENTS_PER_MESSAGE "recipients-per-message"
#define POSTIER_LIMIT_KEY_RECIPIENTS_PER_DAY     "recipients-per-day"

G_END_DECLS
