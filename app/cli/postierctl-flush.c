/* postierctl-flush.c — postierctl queue flush|retry|watch, sendmail -q,
 * sendmail -bp and mailq
 *
 * What Postfix's postqueue -f, sendmail -q and mailq do, for the outbox:
 * a flush tries every queued and deferred message now; a retry makes a
 * message due and flushes; watch is the background flusher that a systemd
 * user unit starts when something is queued. Every one of them ends with a
 * line naming what still waits and why, and an exit status from the
 * table in docs/design-notes.md (0 nothing left unsent, 75 some still
 * deferred or another process is sending, 69 some refused or needing
 * attention).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postierctl"

#include "config.h"

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "postier-goa-accounts.h"
#include "postier-outbox-goa.h"
#include "postierctl-private.h"

static char *
format_clock (gint64 when)
{
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;
  g_autoptr(GDateTime) now = NULL;

  if (when == 0)
    return g_strdup ("?");
  utc = g_date_time_new_from_unix_utc (when);
  local = g_date_time_to_local (utc);
  now = g_date_time_new_now_local ();
  /* Today: the time is enough; later: the date too. */
  if (g_date_time_get_year (local) == g_date_time_get_year (now) &&
      g_date_time_get_day_of_year (local) == g_date_time_get_day_of_year (now))
    return g_date_time_format (local, "%H:%M");
  return g_date_time_format (local, "%Y-%m-%d %H:%M");
}

/* The first line of the last problem: a server's reply, or our own
 * sentence (which may be long: it says what to do). */
static char *
short_reason (PostierOutboxEntry *entry)
{
  const char *error = postier_outbox_entry_get_last_error (entry);
  g_autofree char *clause = NULL;
  const char *end;

  if (error == NULL || *error == '\0')
    return NULL;
  end = strchr (error, '\n');
  /* The first line; our own sentences end with a full stop, and the
   * summary goes on after. */
  clause = postierctl_as_clause (error, end != NULL ? end - error : -1);
  return postierctl_printable (clause);
}

/* What is left in the outbox after a flush, by what it waits for. */
typedef struct {
  guint               deferred;
  PostierOutboxEntry *first_deferred;    /* the next to be tried */
  guint               waiting;           /* queued (or being sent by another process) */
  guint               failed;
  PostierOutboxEntry *first_failed;
  guint               attention;
  PostierOutboxEntry *first_attention;
} Remaining;

static void
remaining_clear (Remaining *r)
{
  g_clear_object (&r->first_deferred);
  g_clear_object (&r->first_failed);
  g_clear_object (&r->first_attention);
}

static void
remaining_count (Remaining     *r,
                 PostierOutbox *outbox)
{
  g_autoptr(GPtrArray) entries = postier_outbox_list (outbox, NULL);

  for (guint i = 0; entries != NULL && i < entries->len; i++)
    {
      PostierOutboxEntry *entry = g_ptr_array_index (entries, i);

      switch (postier_outbox_entry_get_state (entry))
        {
        case POSTIER_OUTBOX_STATE_DEFERRED:
          r->deferred++;
          if (r->first_deferred == NULL ||
              postier_outbox_entry_get_next_attempt (entry) <
              postier_outbox_entry_get_next_attempt (r->first_deferred))
            g_set_object (&r->first_deferred, entry);
          break;
        case POSTIER_OUTBOX_STATE_FAILED:
          if (r->failed++ == 0)
            g_set_object (&r->first_failed, entry);
          break;
        case POSTIER_OUTBOX_STATE_NEEDS_ATTENTION:
          if (r->attention++ == 0)
            g_set_object (&r->first_attention, entry);
          break;
        case POSTIER_OUTBOX_STATE_QUEUED:
        case POSTIER_OUTBOX_STATE_SENDING:
          r->waiting++;
          break;
        case POSTIER_OUTBOX_STATE_SENT:
        default:
          break;
        }
    }
}

static void
append_retry_hint (GString            *line,
                   guint               count,
                   PostierOutboxEntry *first)
{
  g_autofree char *id = postierctl_printable (postier_outbox_entry_get_id (first));

  if (count == 1)
    g_string_append_printf (line, _("run “postierctl queue retry %s” once fixed"), id);
  else
    g_string_append (line, _("run “postierctl queue retry --all” once fixed"));
}

/* "2 sent, 1 deferred (451 4.3.0 try later; next attempt 10:42),
 *  1 needs attention (535 login refused: run “postierctl queue retry ID”
 *  once fixed)". WAITING_WHY says why queued entries were not tried. */
static char *
summary_line (guint            sent,
              const Remaining *r,
              const char      *waiting_why)
{
  GString *line = g_string_new (NULL);

  g_string_append_printf (line, g_dngettext (GETTEXT_PACKAGE, "%u sent", "%u sent", sent), sent);
  if (r->deferred > 0)
    {
      g_autofree char *reason = short_reason (r->first_deferred);
      g_autofree char *next = format_clock (postier_outbox_entry_get_next_attempt (r->first_deferred));

      g_string_append (line, ", ");
      g_string_append_printf (line, g_dngettext (GETTEXT_PACKAGE, "%u deferred", "%u deferred",
                                                 r->deferred), r->deferred);
      g_string_append (line, " (");
      if (reason != NULL)
        g_string_append_printf (line, "%s; ", reason);
      g_string_append_printf (line, _("next attempt %s"), next);
      g_string_append (line, ")");
    }
  if (r->waiting > 0)
    {
      g_string_append (line, ", ");
      g_string_append_printf (line, g_dngettext (GETTEXT_PACKAGE, "%u waiting", "%u waiting",
                                                 r->waiting), r->waiting);
      g_string_append_printf (line, " (%s)", waiting_why);
    }
  if (r->failed > 0)
    {
      g_autofree char *reason = short_reason (r->first_failed);

      g_string_append (line, ", ");
      g_string_append_printf (line, g_dngettext (GETTEXT_PACKAGE, "%u refused", "%u refused",
                                                 r->failed), r->failed);
      g_string_append (line, " (");
      if (reason != NULL)
        g_string_append_printf (line, "%s: ", reason);
      append_retry_hint (line, r->failed, r->first_failed);
      g_string_append (line, ")");
    }
  if (r->attention > 0)
    {
      g_autofree char *reason = short_reason (r->first_attention);

      g_string_append (line, ", ");
      g_string_append_printf (line, g_dngettext (GETTEXT_PACKAGE, "%u needs attention",
                                                 "%u need attention", r->attention), r->attention);
      g_string_append (line, " (");
      if (reason != NULL)
        g_string_append_printf (line, "%s: ", reason);
      append_retry_hint (line, r->attention, r->first_attention);
      g_string_append (line, ")");
    }
  return g_string_free (line, FALSE);
}

static int
exit_status_for (const Remaining *r,
                 gboolean         busy)
{
  if (r->failed + r->attention > 0)
    return EX_UNAVAILABLE;
  if (r->deferred + r->waiting > 0 || busy)
    return EX_TEMPFAIL;
  return EX_OK;
}

/* One flush and its report. QUIET (the sendmail face) prints nothing when
 * nothing is left unsent, and the summary on stderr otherwise. */
static int
flush_and_report (PostierFlushFlags flags,
                  gboolean          quiet)
{
  g_autoptr(PostierAccountStore) store = NULL;
  g_autoptr(PostierOutbox) outbox = postier_outbox_new (NULL);
  g_autoptr(PostierSubmitter) submitter = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  PostierFlushStats stats = { 0 };
  Remaining remaining = { 0 };
  const char *waiting_why;
  gboolean busy = FALSE;
  int status;

  store = postierctl_load_accounts (&error);
  if (store == NULL)
    return postierctl_fail (error);

  submitter = postier_submitter_new (outbox, store);
  if (!postier_submitter_flush_full_sync (submitter, flags, &stats, NULL, &error))
    {
      if (g_error_matches (error, POSTIER_OUTBOX_ERROR, POSTIER_OUTBOX_ERROR_BUSY))
        {
          /* The holder looks at the outbox again before it lets go: what
           * is due now, it sends. For "everything now", make it all due. */
          busy = TRUE;
          if ((flags & POSTIER_FLUSH_ALL) != 0)
            postier_outbox_make_deferred_due (outbox, NULL);
        }
      else if (!g_error_matches (error, POSTIER_OUTBOX_ERROR, POSTIER_OUTBOX_ERROR_FAILED))
        return postierctl_fail (error);
    }

  if (busy)
    waiting_why = _("another process is sending the outbox and will send them");
  else if (!postier_submitter_get_online (submitter))
    waiting_why = _("no network; they go when it comes back");
  else
    waiting_why = _("not tried yet");

  remaining_count (&remaining, outbox);
  status = exit_status_for (&remaining, busy);
  line = summary_line (stats.sent, &remaining, waiting_why);
  if (!quiet)
    g_print ("%s\n", line);
  else if (status != EX_OK)
    g_printerr ("postierctl: %s\n", line);
  remaining_clear (&remaining);
  return status;
}

int
postierctl_queue_flush (int    argc,
                        char **argv)
{
  gboolean due = FALSE;
  const GOptionEntry entries[] = {
    { "due", 0, 0, G_OPTION_ARG_NONE, &due,
      N_("Only messages whose time has come (the retry schedule), as the app does"), NULL },
    G_OPTION_ENTRY_NULL,
  };
  g_autoptr(GOptionContext) context =
    g_option_context_new (_("— send every queued and deferred message now"));

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
                                _("Like “postqueue -f”: deferred messages are tried at once, whatever "
                                  "their retry time. Refused messages and those that need attention "
                                  "wait for “postierctl queue retry”.\n"
                                  "Exit status: 0 nothing left unsent, 75 some still deferred or "
                                  "another process is sending, 69 some refused or needing attention."));
  g_option_context_set_description (context,
                                    _("Messages held by “send --at” or “send --delay” are not due "
                                      "before their time: no flush sends them early."));
  if (!postierctl_parse_options (context, &argc, &argv))
    return EX_USAGE;
  if (argc != 1)
    return postierctl_usage_error (_("queue flush takes no arguments"));

  return flush_and_report (due ? POSTIER_FLUSH_DUE : POSTIER_FLUSH_ALL, FALSE);
}

int
postierctl_queue_retry (int    argc,
                        char **argv)
{
  gboolean all = FALSE;
  const GOptionEntry entries[] = {
    { "all", 0, 0, G_OPTION_ARG_NONE, &all,
      N_("Every deferred, refused and needs-attention message"), NULL },
    G_OPTION_ENTRY_NULL,
  };
  g_autoptr(GOptionContext) context =
    g_option_context_new (_("ID | --all — send a message again now"));
  g_autoptr(PostierOutbox) outbox = postier_outbox_new (NULL);
  g_autoptr(GError) error = NULL;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
                                _("Makes the message due (recipients that refused it are asked again, "
                                  "those that accepted it never are), then flushes the outbox and "
                                  "reports like “postierctl queue flush”."));
  if (!postierctl_parse_options (context, &argc, &argv))
    return EX_USAGE;
  if ((all && argc != 1) || (!all && argc != 2))
    return postierctl_usage_error (_("queue retry takes exactly one ID, or --all"));

  if (all)
    {
      g_autoptr(GPtrArray) list = postier_outbox_list (outbox, &error);

      if (list == NULL)
        return postierctl_fail (error);
      for (guint i = 0; i < list->len; i++)
        {
          PostierOutboxEntry *entry = g_ptr_array_index (list, i);
          PostierOutboxState state = postier_outbox_entry_get_state (entry);

          if (state != POSTIER_OUTBOX_STATE_DEFERRED && state != POSTIER_OUTBOX_STATE_FAILED &&
              state != POSTIER_OUTBOX_STATE_NEEDS_ATTENTION)
            continue;
          if (!postier_outbox_retry (outbox, postier_outbox_entry_get_id (entry), &error))
            {
              postierctl_fail (error);
              g_clear_error (&error);
            }
        }
    }
  else if (!postier_outbox_retry (outbox, argv[1], &error))
    return postierctl_fail (error);

  return flush_and_report (POSTIER_FLUSH_DUE, FALSE);
}

/* sendmail -q, sendmail -q30m and friends: one flush now, quiet. */
int
postierctl_sendmail_flush (void)
{
  return flush_and_report (POSTIER_FLUSH_ALL, TRUE);
}

/* ------------------------------------------------------------------------
 * mailq, sendmail -bp
 */

int
postierctl_mailq (void)
{
  g_autoptr(PostierOutbox) outbox = postier_outbox_new (NULL);
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *kbytes = NULL;
  guint64 bytes = 0;

  list = postier_outbox_list (outbox, &error);
  if (list == NULL)
    return postierctl_fail (error);
  if (list->len == 0)
    {
      g_print ("%s\n", _("Mail queue is empty"));
      return EX_OK;
    }

  /* Postfix's layout, which people and scripts know: a status mark after
   * the id ('*' being sent, '!' held until a retry), the reason in
   * parentheses, then the recipients still to be served. */
  g_print ("%-34s %8s %-20s %s\n", _("-Queue ID-"), _("--Size--"), _("----Arrival Time----"),
           _("-Sender/Recipient-------"));
  for (guint i = 0; i < list->len; i++)
    {
      PostierOutboxEntry *entry = g_ptr_array_index (list, i);
      PostierOutboxState state = postier_outbox_entry_get_state (entry);
      g_autofree char *id = postierctl_printable (postier_outbox_entry_get_id (entry));
      g_autofree char *sender = postierctl_printable (postier_outbox_entry_get_sender (entry));
      g_autofree char *reason = postierctl_printable (postier_outbox_entry_get_last_error (entry));
      g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (postier_outbox_entry_get_created (entry));
      g_autoptr(GDateTime) local = g_date_time_to_local (utc);
      g_autofree char *arrival = g_date_time_format (local, "%a %b %e %H:%M:%S");
      char mark = ' ';

      if (state == POSTIER_OUTBOX_STATE_SENDING)
        mark = '*';
      else if (state == POSTIER_OUTBOX_STATE_FAILED || state == POSTIER_OUTBOX_STATE_NEEDS_ATTENTION)
        mark = '!';
      bytes += postier_outbox_entry_get_size (entry);
      g_print ("%s%c %8" G_GUINT64_FORMAT " %-20s %s\n", id, mark, postier_outbox_entry_get_size (entry),
               arrival, *sender != '\0' ? sender : "<>");
      if (reason != NULL && state != POSTIER_OUTBOX_STATE_QUEUED)
        g_print ("(%s)\n", reason);
      for (guint r = 0; r < postier_outbox_entry_get_n_recipients (entry); r++)
        {
          g_autofree char *address = NULL;

          if (postier_outbox_entry_get_recipient_state (entry, r) == POSTIER_RECIPIENT_STATE_ACCEPTED)
            continue;
          address = postierctl_printable (postier_outbox_entry_get_recipient (entry, r));
          g_print ("%65s%s\n", "", address);
        }
      g_print ("\n");
    }
  kbytes = g_strdup_printf ("%" G_GUINT64_FORMAT, (bytes + 1023) / 1024);
  g_print (g_dngettext (GETTEXT_PACKAGE, "-- %s Kbytes in %u Request.", "-- %s Kbytes in %u Requests.",
                        list->len), kbytes, list->len);
  g_print ("\n");
  return EX_OK;
}

/* ------------------------------------------------------------------------
 * queue watch: the background flusher
 */

typedef struct {
  GMainLoop        *loop;
  PostierSubmitter *submitter;
  PostierOutbox    *outbox;
  PostierGoaAccounts *goa;
  guint             check_id;
  gboolean          stopping;
} Watch;

/* Whether something in the outbox will go out without a person: queued,
 * deferred, or being sent by someone else; or waiting for an Online
 * Accounts account to come back (issue 14) when GOA says it will: mail
 * turned off for an account GOA still has, or a sign-in GOA wants redone.
 * Before GOA's first answer, such mail is waited for too; mail for an
 * account removed from GOA is not. (What GOA fixed already is being made
 * due: the submitter is busy until then.) */
static gboolean
awaits_goa (PostierGoaAccounts *goa,
            PostierOutboxEntry *entry)
{
  const char *name = postier_outbox_entry_get_account_name (entry);
  g_autoptr(PostierGoaMailAccount) listed = NULL;

  if (!postier_outbox_entry_awaits_online_account (entry))
    return FALSE;
  if (!postier_goa_accounts_is_ready (goa))
    return TRUE;
  listed = postier_goa_accounts_lookup (goa, name);
  if (postier_outbox_entry_get_failure (entry) == POSTIER_OUTBOX_FAILURE_AUTH)
    return listed != NULL && listed->attention_needed;
  return listed == NULL && postier_goa_accounts_has_account (goa, name);
}

static gboolean
outbox_has_work (PostierOutbox      *outbox,
                 PostierGoaAccounts *goa)
{
  g_autoptr(GPtrArray) entries = postier_outbox_list (outbox, NULL);

  for (guint i = 0; entries != NULL && i < entries->len; i++)
    switch (postier_outbox_entry_get_state (g_ptr_array_index (entries, i)))
      {
      case POSTIER_OUTBOX_STATE_QUEUED:
      case POSTIER_OUTBOX_STATE_DEFERRED:
      case POSTIER_OUTBOX_STATE_SENDING:
        return TRUE;
      case POSTIER_OUTBOX_STATE_NEEDS_ATTENTION:
        if (awaits_goa (goa, g_ptr_array_index (entries, i)))
          return TRUE;
        break;
      default:
        break;
      }
  return FALSE;
}

static gboolean
watch_check (gpointer user_data)
{
  Watch *watch = user_data;

  watch->check_id = 0;
  if (postier_submitter_is_busy (watch->submitter))
    return G_SOURCE_REMOVE;   /* flush-finished calls again */
  if (watch->stopping || !outbox_has_work (watch->outbox, watch->goa))
    {
      g_debug ("leaving: %s", watch->stopping ? "asked to stop" : "nothing in the outbox will go out by itself");
      postier_submitter_stop (watch->submitter);
      g_main_loop_quit (watch->loop);
    }
  return G_SOURCE_REMOVE;
}

static void
watch_check_soon (Watch *watch)
{
  if (watch->check_id == 0)
    watch->check_id = g_idle_add (watch_check, watch);
}

static void
on_flush_finished (G_GNUC_UNUSED PostierSubmitter *submitter,
                   guint             sent,
                   guint             unsent,
                   Watch            *watch)
{
  /* A line per flush that did something, for the journal. */
  if (sent > 0 || unsent > 0)
    {
      g_print (g_dngettext (GETTEXT_PACKAGE, "%u sent, %u not sent yet", "%u sent, %u not sent yet",
                            sent), sent, unsent);
      g_print ("\n");
    }
  watch_check_soon (watch);
}

static gboolean
on_stop_signal (gpointer user_data)
{
  Watch *watch = user_data;

  /* Stop cancels the flush in progress; entries on the wire are put back
   * as they were (or flagged possible duplicate), and we leave once it
   * has wound down. */
  watch->stopping = TRUE;
  postier_submitter_stop (watch->submitter);
  watch_check_soon (watch);
  return G_SOURCE_CONTINUE;
}

int
postierctl_queue_watch (int    argc,
                        char **argv)
{
  g_autoptr(GOptionContext) context =
    g_option_context_new (_("— send queued mail in the background until the outbox is done"));
  g_autoptr(PostierAccountStore) store = NULL;
  g_autoptr(PostierOutbox) outbox = postier_outbox_new (NULL);
  g_autoptr(PostierSubmitter) submitter = NULL;
  g_autoptr(PostierGoaAccounts) goa = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GError) error = NULL;
  Watch watch = { 0 };
  guint term_id, int_id;

  g_option_context_set_summary (context,
                                _("The background flusher, for those who never open the app: sends "
                                  "what is due, on the retry schedule and as soon as the network "
                                  "comes back, and leaves when nothing in the outbox will go out by "
                                  "itself (empty, or only messages waiting for “queue retry”). It "
                                  "stays for messages waiting for an Online Accounts account whose "
                                  "mail is turned off or that asks for a new sign-in in Settings, and "
                                  "sends them once that is done; not for an account removed from "
                                  "Online Accounts. It holds the same lock as the app, so the two "
                                  "never send one message twice. The systemd user unit "
                                  "postier-flush.path starts it when something is queued."));
  if (!postierctl_parse_options (context, &argc, &argv))
    return EX_USAGE;
  if (argc != 1)
    return postierctl_usage_error (_("queue watch takes no arguments"));

  store = postierctl_load_accounts (&error);
  if (store == NULL)
    return postierctl_fail (error);

  submitter = postier_submitter_new (outbox, store);
  watch.loop = loop;
  watch.submitter = submitter;
  watch.outbox = outbox;
  /* Mail waiting for an Online Accounts account goes when GOA says the
   * account is back; GOA's first answer (or none) is a reason to look at
   * whether to stay. */
  goa = postier_goa_accounts_new ();
  watch.goa = goa;
  postier_submitter_follow_online_accounts (submitter, goa);
  g_signal_connect_swapped (goa, "changed", G_CALLBACK (watch_check_soon), &watch);
  g_signal_connect (submitter, "flush-finished", G_CALLBACK (on_flush_finished), &watch);
  g_signal_connect_swapped (submitter, "account-back", G_CALLBACK (watch_check_soon), &watch);
  term_id = g_unix_signal_add (SIGTERM, on_stop_signal, &watch);
  int_id = g_unix_signal_add (SIGINT, on_stop_signal, &watch);

  postier_submitter_start (submitter);
  g_main_loop_run (loop);

  g_source_remove (term_id);
  g_source_remove (int_id);
  g_clear_handle_id (&watch.check_id, g_source_remove);
  g_signal_handlers_disconnect_by_data (submitter, &watch);
  g_signal_handlers_disconnect_by_data (goa, &watch);
  postier_submitter_follow_online_accounts (submitter, NULL);
  return EX_OK;
}
