/* postierctl-queue.c — postierctl queue list|show|flush|retry|remove
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postierctl"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "postier-schedule.h"
#include "postierctl-private.h"

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

static char *
format_time_iso (gint64 when)
{
  g_autoptr(GDateTime) utc = NULL;

  if (when == 0)
    return NULL;
  utc = g_date_time_new_from_unix_utc (when);
  return g_date_time_format_iso8601 (utc);
}

static void
add_optional_string (JsonBuilder *builder,
                     const char  *name,
                     const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_time (JsonBuilder *builder,
          const char  *name,
          gint64       when)
{
  g_autofree char *text = format_time_iso (when);

  add_optional_string (builder, name, text);
}

/* The accounts, for the relay limits' holds (queue list only). */
static PostierAccountStore *list_accounts;

/* The stable shape scripts rely on: new members may be added, none renamed. */
static JsonNode *
entry_to_json (PostierOutboxEntry *entry)
{
  PostierRelayHold hold = { POSTIER_HOLD_NONE, 0, 0 };
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, postier_outbox_entry_get_id (entry));
  json_builder_set_member_name (builder, "account");
  json_builder_add_string_value (builder, postier_outbox_entry_get_account_name (entry));
  json_builder_set_member_name (builder, "state");
  json_builder_add_string_value (builder, postier_outbox_state_to_string (postier_outbox_entry_get_state (entry)));
  json_builder_set_member_name (builder, "sender");
  json_builder_add_string_value (builder, postier_outbox_entry_get_sender (entry));
  json_builder_set_member_name (builder, "subject");
  json_builder_add_string_value (builder, postier_outbox_entry_get_subject (entry));
  json_builder_set_member_name (builder, "message_id");
  json_builder_add_string_value (builder, postier_outbox_entry_get_message_id (entry));
  json_builder_set_member_name (builder, "size");
  json_builder_add_int_value (builder, (gint64) postier_outbox_entry_get_size (entry));
  add_time (builder, "created", postier_outbox_entry_get_created (entry));
  json_builder_set_member_name (builder, "attempts");
  json_builder_add_int_value (builder, postier_outbox_entry_get_attempts (entry));
  add_time (builder, "last_attempt", postier_outbox_entry_get_last_attempt (entry));
  add_time (builder, "next_attempt",
            postier_outbox_entry_get_state (entry) == POSTIER_OUTBOX_STATE_DEFERRED
            ? postier_outbox_entry_get_next_attempt (entry) : 0);
  add_optional_string (builder, "last_error", postier_outbox_entry_get_last_error (entry));
  /* Issue 13: not before this time (UTC), and why: "grace" or "later". */
  add_time (builder, "not_before", postier_outbox_entry_get_not_before (entry));
  json_builder_set_member_name (builder, "schedule");
  json_builder_add_string_value (builder,
                                 postier_outbox_schedule_to_string (postier_outbox_entry_get_schedule (entry)));
  json_builder_set_member_name (builder, "possible_duplicate");
  json_builder_add_boolean_value (builder, postier_outbox_entry_get_possible_duplicate (entry));
  /* Held by the relay's limits: why ("messages-per-minute", "relay-rate",
   * …) and until when; null when not. */
  if (list_accounts != NULL)
    postierctl_entry_hold (list_accounts, entry, &hold);
  add_optional_string (builder, "held_by",
                       hold.reason != POSTIER_HOLD_NONE ? postier_hold_reason_to_string (hold.reason) : NULL);
  add_time (builder, "held_until", hold.until);

  json_builder_set_member_name (builder, "recipients");
  json_builder_begin_array (builder);
  for (guint i = 0; i < postier_outbox_entry_get_n_recipients (entry); i++)
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "address");
      json_builder_add_string_value (builder, postier_outbox_entry_get_recipient (entry, i));
      json_builder_set_member_name (builder, "state");
      json_builder_add_string_value (builder,
                                     postier_recipient_state_to_string (postier_outbox_entry_get_recipient_state (entry, i)));
      add_optional_string (builder, "reply", postier_outbox_entry_get_recipient_reply (entry, i));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/* A held entry's time, in local time with its zone. */
static void
append_hold (GString            *line,
             PostierOutboxEntry *entry)
{
  gint64 not_before = postier_outbox_entry_get_not_before (entry);
  g_autofree char *local = NULL;

  if (not_before == 0 || !postier_outbox_entry_is_held (entry, g_get_real_time () / G_USEC_PER_SEC))
    return;
  local = postier_schedule_format_local (not_before, NULL);
  g_string_append (line, "  ");
  if (postier_outbox_entry_get_schedule (entry) == POSTIER_OUTBOX_SCHEDULE_LATER)
    g_string_append_printf (line, _("scheduled for %s"), local);
  else
    g_string_append_printf (line, _("held until %s (can be taken back)"), local);
}

/* One line per entry: what a person scanning the queue needs first. */
static void
print_entry_line (PostierOutboxEntry *entry)
{
  PostierOutboxState state = postier_outbox_entry_get_state (entry);
  g_autofree char *subject = postierctl_printable (postier_outbox_entry_get_subject (entry));
  g_autofree char *id = postierctl_printable (postier_outbox_entry_get_id (entry));
  g_autofree char *recipient = postierctl_printable (postier_outbox_entry_get_recipient (entry, 0));
  g_autofree char *last_error = postierctl_printable_full (postier_outbox_entry_get_last_error (entry), TRUE);
  g_autofree char *when = NULL;
  g_autoptr(GString) line = g_string_new (NULL);
  guint n = postier_outbox_entry_get_n_recipients (entry);

  g_string_append_printf (line, "%s  %-15s ", id, postier_outbox_state_to_string (state));
  g_string_append_printf (line, "%s", recipient);
  if (n > 1)
    g_string_append_printf (line, _(" (+%u more)"), n - 1);
  g_string_append_printf (line, "  “%s”", *subject != '\0' ? subject : _("(no subject)"));
  if (state == POSTIER_OUTBOX_STATE_DEFERRED)
    {
      when = format_time (postier_outbox_entry_get_next_attempt (entry));
      g_string_append (line, "  ");
      g_string_append_printf (line, _("next attempt %s"), when);
    }
  append_hold (line, entry);
  g_print ("%s\n", line->str);
  if (last_error != NULL && state != POSTIER_OUTBOX_STATE_QUEUED)
    g_print ("    %s\n", last_error);
  {
    g_autofree char *held = postierctl_entry_hold_text (list_accounts, entry);

    if (held != NULL)
      g_print ("    %s\n", held);
  }
}

static PostierOutbox *
open_outbox (void)
{
  return postier_outbox_new (NULL);
}

static int
queue_list (int    argc,
            char **argv)
{
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print a stable JSON array for scripts"), NULL },
    G_OPTION_ENTRY_NULL,
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("— list the messages in the outbox"));
  g_autoptr(PostierOutbox) outbox = open_outbox ();
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GPtrArray) damaged = NULL;
  g_autoptr(GError) error = NULL;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!postierctl_parse_options (context, &argc, &argv))
    return EX_USAGE;
  if (argc != 1)
    return postierctl_usage_error (_("queue list takes no arguments"));

  list = postier_outbox_list_with_damaged (outbox, &damaged, &error);
  if (list == NULL)
    return postierctl_fail (error);
  /* Without accounts (unreadable accounts.ini) holds are not shown. */
  list_accounts = postier_account_store_new (NULL);
  if (!postier_account_store_load (list_accounts, NULL))
    g_clear_object (&list_accounts);
  /* Damaged entries (a planted link, an unreadable entry.ini) are left
   * alone but never hidden: on stderr, so the JSON stays as scripts know it. */
  for (guint i = 0; i < damaged->len; i++)
    {
      /* They name files in the outbox, whatever their names hold. */
      g_autofree char *shown = postierctl_printable (((GError *) g_ptr_array_index (damaged, i))->message);
      g_printerr ("%s\n", shown);
    }

  if (json)
    {
      g_autoptr(JsonNode) root = json_node_new (JSON_NODE_ARRAY);
      g_autoptr(JsonArray) array = json_array_new ();

      for (guint i = 0; i < list->len; i++)
        json_array_add_element (array, entry_to_json (g_ptr_array_index (list, i)));
      json_node_set_array (root, array);
      postierctl_print_json (root);
      return EX_OK;
    }

  if (list->len == 0 && damaged->len == 0)
    {
      g_print ("%s\n", _("The outbox is empty."));
      return EX_OK;
    }
  for (guint i = 0; i < list->len; i++)
    print_entry_line (g_ptr_array_index (list, i));
  return EX_OK;
}

/* One "Label:  value" line of `queue show`; the value is stored text. */
static void
print_field (const char *label,
             const char *value)
{
  g_autofree char *shown = postierctl_printable (value);

  g_print ("%-18s %s\n", label, shown);
}

static int
queue_show (int    argc,
            char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (_("ID — show one message in the outbox"));
  g_autoptr(PostierOutbox) outbox = open_outbox ();
  g_autoptr(PostierOutboxEntry) entry = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *transcript_path = NULL;
  g_autofree char *transcript = NULL;
  g_autofree char *created = NULL;
  g_autofree char *last = NULL;
  g_autofree char *next = NULL;
  PostierOutboxState state;

  if (!postierctl_parse_options (context, &argc, &argv))
    return EX_USAGE;
  if (argc != 2)
    return postierctl_usage_error (_("queue show takes exactly one ID"));

  entry = postier_outbox_lookup (outbox, argv[1], &error);
  if (entry == NULL)
    return postierctl_fail (error);

  state = postier_outbox_entry_get_state (entry);
  created = format_time (postier_outbox_entry_get_created (entry));
  last = format_time (postier_outbox_entry_get_last_attempt (entry));
  next = format_time (postier_outbox_entry_get_next_attempt (entry));

  print_field (_("Id:"), postier_outbox_entry_get_id (entry));
  g_print ("%-18s %s (%s)\n", _("State:"), postier_outbox_state_get_label (state),
           postier_outbox_state_to_string (state));
  print_field (_("Account:"), postier_outbox_entry_get_account_name (entry));
  print_field (_("Sender:"), postier_outbox_entry_get_sender (entry));
  print_field (_("Subject:"), postier_outbox_entry_get_subject (entry));
  print_field (_("Message-ID:"), postier_outbox_entry_get_message_id (entry));
  g_print ("%-18s %" G_GUINT64_FORMAT "\n", _("Size:"), postier_outbox_entry_get_size (entry));
  g_print ("%-18s %s\n", _("Queued:"), created);
  g_print ("%-18s %u\n", _("Attempts:"), postier_outbox_entry_get_attempts (entry));
  if (last != NULL)
    g_print ("%-18s %s\n", _("Last attempt:"), last);
  if (state == POSTIER_OUTBOX_STATE_DEFERRED && next != NULL)
    g_print ("%-18s %s\n", _("Next attempt:"), next);
  if (postier_outbox_entry_get_not_before (entry) != 0)
    {
      g_autofree char *local = postier_schedule_format_local (postier_outbox_entry_get_not_before (entry), NULL);
      g_print ("%-18s %s\n", _("Not before:"), local);
    }
  if (postier_outbox_entry_get_last_error (entry) != NULL)
    {
      g_autofree char *last_error = postierctl_printable_full (postier_outbox_entry_get_last_error (entry), TRUE);
      g_print ("%-18s %s\n", _("Last error:"), last_error);
    }
  if (postier_outbox_entry_get_possible_duplicate (entry))
    g_print ("%-18s %s\n", _("Warning:"),
             _("a previous attempt was interrupted; this message may arrive twice"));
  g_print ("%s\n", _("Recipients:"));
  for (guint i = 0; i < postier_outbox_entry_get_n_recipients (entry); i++)
    {
      g_autofree char *address = postierctl_printable (postier_outbox_entry_get_recipient (entry, i));
      g_autofree char *reply = postierctl_printable (postier_outbox_entry_get_recipient_reply (entry, i));

      g_print ("  %-40s %-9s %s\n", address,
               postier_recipient_state_to_string (postier_outbox_entry_get_recipient_state (entry, i)),
               reply != NULL ? reply : "");
    }

  transcript_path = postier_outbox_entry_get_transcript_path (entry);
  if (g_file_get_contents (transcript_path, &transcript, NULL, NULL))
    {
      /* The server's own words, as it sent them: escaped, lines kept. */
      g_autofree char *shown = postierctl_printable_full (transcript, TRUE);
      g_print ("\n%s\n%s", _("Transcript:"), shown);
    }
  return EX_OK;
}

static int
queue_remove (int    argc,
              char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (_("ID — delete a message from the outbox"));
  g_autoptr(PostierOutbox) outbox = open_outbox ();
  g_autoptr(GError) error = NULL;

  if (!postierctl_parse_options (context, &argc, &argv))
    return EX_USAGE;
  if (argc != 2)
    return postierctl_usage_error (_("queue remove takes exactly one ID"));

  if (!postier_outbox_remove (outbox, argv[1], &error))
    return postierctl_fail (error);
  g_print (_("%s removed from the outbox."), argv[1]);
  g_print ("\n");
  return EX_OK;
}

int
postierctl_queue_main (int    argc,
                       char **argv)
{
  static const PostierctlCommand subcommands[] = {
    { "list", queue_list, N_("List the messages in the outbox") },
    { "show", queue_show, N_("Show one message, its recipients and transcript") },
    { "flush", postierctl_queue_flush, N_("Send every queued and deferred message now (--due: only those due)") },
    { "retry", postierctl_queue_retry, N_("Send a message again now (--all: every one waiting)") },
    { "remove", queue_remove, N_("Delete a message from the outbox") },
    { "watch", postierctl_queue_watch, N_("Send in the background until nothing is left to send") },
  };

  return postierctl_run_subcommand (subcommands, G_N_ELEMENTS (subcommands),
                                    _("Usage: postierctl queue list [--json] | show ID | flush [--due] | "
                                      "retry ID|--all | remove ID | watch"), argc, argv);
}
