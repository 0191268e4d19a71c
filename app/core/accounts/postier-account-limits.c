/* postier-account-limits.c — an account's relay limits and their presets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-account"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdlib.h>

#include "postier-account-limits.h"
#include "postier-error.h"

/* The providers' published limits, as they read when this was written.
 * Only the ones that concern a mail client submitting over SMTP:
 *
 * Gmail (personal): "Gmail sending limits", support.google.com/mail/answer/22839
 *   — 500 messages a day (the quota clears within 24 hours; a spent quota
 *   answers 550 5.4.5 "Daily user sending limit exceeded"), and at most
 *   100 recipients per message sent from a POP/IMAP (SMTP) client.
 * Google Workspace: "Gmail sending limits in Google Workspace",
 *   support.google.com/a/answer/166852 — 2 000 messages a day per user,
 *   100 recipients per message sent through SMTP by POP/IMAP users,
 *   10 000 recipients a day in total (a rolling 24 hours).
 * Microsoft 365: "Exchange Online limits", Sending limits,
 *   learn.microsoft.com/office365/servicedescriptions/exchange-online-service-description/exchange-online-limits
 *   — message rate limit (SMTP client submission) 30 messages a minute,
 *   recipient rate limit 10 000 recipients a day, recipient limit 500
 *   recipients per message.
 */
static const PostierAccountLimits presets[POSTIER_N_LIMIT_PRESETS] = {
  [POSTIER_LIMIT_PRESET_NONE] = { 0 },
  [POSTIER_LIMIT_PRESET_GMAIL] = {
    .messages_per_day = 500,
    .recipients_per_message = 100,
  },
  [POSTIER_LIMIT_PRESET_GOOGLE_WORKSPACE] = {
    .messages_per_day = 2000,
    .recipients_per_message = 100,
    .recipients_per_day = 10000,
  },
  [POSTIER_LIMIT_PRESET_MICROSOFT_365] = {
    .messages_per_minute = 30,
    .recipients_per_message = 500,
    .recipients_per_day = 10000,
  },
};

static const char * const preset_names[] = {
  "none", "gmail", "google-workspace", "microsoft-365", "custom",
};

/* The fields in key order, for parse and to_string. */
static const char * const keys[] = {
  POSTIER_LIMIT_KEY_MESSAGES_PER_MINUTE,
  POSTIER_LIMIT_KEY_MESSAGES_PER_HOUR,
  POSTIER_LIMIT_KEY_MESSAGES_PER_DAY,
  POSTIER_LIMIT_KEY_RECIPIENTS_PER_MESSAGE,
  POSTIER_LIMIT_KEY_RECIPIENTS_PER_DAY,
};

static guint *
field (PostierAccountLimits *limits,
       guint                 index)
{
  guint *fields[] = {
    &limits->messages_per_minute,
    &limits->messages_per_hour,
    &limits->messages_per_day,
    &limits->recipients_per_message,
    &limits->recipients_per_day,
  };

  G_STATIC_ASSERT (G_N_ELEMENTS (keys) == 5);
  return fields[index];
}

const char *
postier_limit_preset_to_string (PostierLimitPreset preset)
{
  g_return_val_if_fail (preset <= POSTIER_LIMIT_PRESET_CUSTOM, NULL);
  return preset_names[preset];
}

gboolean
postier_limit_preset_from_string (const char         *text,
                                  PostierLimitPreset *preset)
{
  for (guint i = 0; i < POSTIER_N_LIMIT_PRESETS; i++)
    if (text != NULL && g_ascii_strcasecmp (text, preset_names[i]) == 0)
      {
        *preset = (PostierLimitPreset) i;
        return TRUE;
      }
  return FALSE;
}

const char *
postier_limit_preset_get_label (PostierLimitPreset preset)
{
  switch (preset)
    {
    case POSTIER_LIMIT_PRESET_NONE:
      return _("No limit");
    case POSTIER_LIMIT_PRESET_GMAIL:
      return _("Gmail");
    case POSTIER_LIMIT_PRESET_GOOGLE_WORKSPACE:
      return _("Google Workspace");
    case POSTIER_LIMIT_PRESET_MICROSOFT_365:
      return _("Microsoft 365");
    case POSTIER_LIMIT_PRESET_CUSTOM:
    default:
      return _("Custom");
    }
}

void
postier_limit_preset_get_limits (PostierLimitPreset    preset,
                                 PostierAccountLimits *limits)
{
  g_return_if_fail (limits != NULL);

  if (preset < POSTIER_N_LIMIT_PRESETS)
    *limits = presets[preset];
  else
    *limits = presets[POSTIER_LIMIT_PRESET_NONE];
}

gboolean
postier_account_limits_equal (const PostierAccountLimits *a,
                              const PostierAccountLimits *b)
{
  return a->messages_per_minute == b->messages_per_minute &&
         a->messages_per_hour == b->messages_per_hour &&
         a->messages_per_day == b->messages_per_day &&
         a->recipients_per_message == b->recipients_per_message &&
         a->recipients_per_day == b->recipients_per_day;
}

gboolean
postier_account_limits_is_none (const PostierAccountLimits *limits)
{
  return postier_account_limits_equal (limits, &presets[POSTIER_LIMIT_PRESET_NONE]);
}

PostierLimitPreset
postier_account_limits_match_preset (const PostierAccountLimits *limits)
{
  g_return_val_if_fail (limits != NULL, POSTIER_LIMIT_PRESET_CUSTOM);

  for (guint i = 0; i < POSTIER_N_LIMIT_PRESETS; i++)
    if (postier_account_limits_equal (limits, &presets[i]))
      return (PostierLimitPreset) i;
  return POSTIER_LIMIT_PRESET_CUSTOM;
}

static gboolean
parse_pair (const char            *pair,
            PostierAccountLimits  *limits,
            GError               **error)
{
  const char *eq = strchr (pair, '=');
  g_autofree char *key = NULL;
  guint64 value;

  if (eq == NULL)
    {
      g_set_error (error, POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_INVALID,
                   _("“%s” is neither a limit preset (none, gmail, google-workspace, microsoft-365) nor KEY=NUMBER"),
                   pair);
      return FALSE;
    }
  key = g_strstrip (g_strndup (pair, eq - pair));
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      if (g_ascii_strcasecmp (key, keys[i]) != 0)
        continue;
      if (!g_ascii_string_to_unsigned (g_strstrip ((char *) eq + 1), 10, 0, G_MAXINT,
                                       &value, NULL))
        {
          g_set_error (error, POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_INVALID,
                       _("The limit “%s” wants a whole number (0 for no limit), not “%s”"),
                       keys[i], eq + 1);
          return FALSE;
        }
      *field (limits, i) = (guint) value;
      return TRUE;
    }
  g_set_error (error, POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_INVALID,
               _("Unknown limit “%s”; the limits are messages-per-minute, messages-per-hour, messages-per-day, recipients-per-message and recipients-per-day"),
               key);
  return FALSE;
}

gboolean
postier_account_limits_parse (const char            *text,
                              PostierAccountLimits  *limits,
                              GError               **error)
{
  g_auto(GStrv) parts = NULL;
  PostierAccountLimits result;
  PostierLimitPreset preset;

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (limits != NULL, FALSE);

  result = *limits;
  parts = g_strsplit (text, ",", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *part = g_strstrip (parts[i]);

      if (*part == '\0')
        continue;
      if (postier_limit_preset_from_string (part, &preset) && preset != POSTIER_LIMIT_PRESET_CUSTOM)
        {
          result = presets[preset];
          continue;
        }
      if (!parse_pair (part, &result, error))
        return FALSE;
    }
  *limits = result;
  return TRUE;
}

char *
postier_account_limits_to_string (const PostierAccountLimits *limits)
{
  PostierAccountLimits copy = *limits;
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      guint value = *field (&copy, i);

      if (value == 0)
        continue;
      if (text->len > 0)
        g_string_append_c (text, ',');
      g_string_append_printf (text, "%s=%u", keys[i], value);
    }
  if (text->len == 0)
    g_string_append (text, "none");
  return g_string_free (text, FALSE);
}

static void
append_part (GString    *text,
             const char *format,
             guint       value)
{
  if (value == 0)
    return;
  if (text->len > 0)
    g_string_append (text, ", ");
  g_string_append_printf (text, format, value);
}

char *
postier_account_limits_describe (const PostierAccountLimits *limits)
{
  GString *text = g_string_new (NULL);
  guint n;

  n = limits->messages_per_minute;
  append_part (text, g_dngettext (GETTEXT_PACKAGE, "%u message a minute", "%u messages a minute", n), n);
  n = limits->messages_per_hour;
  append_part (text, g_dngettext (GETTEXT_PACKAGE, "%u message an hour", "%u messages an hour", n), n);
  n = limits->messages_per_day;
  append_part (text, g_dngettext (GETTEXT_PACKAGE, "%u message a day", "%u messages a day", n), n);
  n = limits->recipients_per_message;
  append_part (text, g_dngettext (GETTEXT_PACKAGE, "%u recipient per message", "%u recipients per message", n), n);
  n = limits->recipients_per_day;
  append_part (text, g_dngettext (GETTEXT_PACKAGE, "%u recipient a day", "%u recipients a day", n), n);
  if (text->len == 0)
    g_string_append (text, _("No limit"));
  return g_string_free (text, FALSE);
}

void
postier_account_limits_load (PostierAccountLimits *limits,
                             GKeyFile             *key_file,
                             const char           *group)
{
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      g_autofree char *key = g_strconcat ("limit-", keys[i], NULL);
      g_autofree char *text = g_key_file_get_value (key_file, group, key, NULL);
      guint64 value = 0;

      if (text != NULL &&
          !g_ascii_string_to_unsigned (g_strstrip (text), 10, 0, G_MAXINT, &value, NULL))
        value = 0;
      *field (limits, i) = (guint) value;
    }
}

void
postier_account_limits_save (const PostierAccountLimits *limits,
                             GKeyFile                   *key_file,
                             const char                 *group)
{
  PostierAccountLimits copy = *limits;

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      g_autofree char *key = g_strconcat ("limit-", keys[i], NULL);

      if (*field (&copy, i) != 0)
        g_key_file_set_uint64 (key_file, group, key, *field (&copy, i));
    }
}
