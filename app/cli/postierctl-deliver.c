/* postierctl-deliver.c — the immediate try after send/sendmail queued a
 * message, and what its outcome means for the caller (exit status, words)
 *
 * The exit status reports that try exactly (docs/design-notes.md,
 * "postierctl send/sendmail outcome"): 0 sent or deferred, 65 message
 * refused, 67 recipients refused, 77 login refused, 78 certificate or
 * configuration. Whatever was refused stays in the outbox for
 * `postierctl queue retry`.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postierctl"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "postier-recipient-batch.h"
#include "postierctl-private.h"

/* The recipients' domains are asked about while the message goes; past
 * this long after they were first asked, whatever has not answered is left
 * unsaid (a DNS that does not answer must not slow a script down). */
#define DOMAIN_CHECK_BUDGET_US (400 * 1000)

/* When another process holds the flush lock, look again this often (at
 * most), for at most this long: it takes our entry before it lets go. */
#define BUSY_POLL_MAX_US (500 * 1000)
#define BUSY_WAIT_SECONDS 300

typedef struct {
  int        status;
  PostierctlDelivery delivery;
  char      *out;     /* for stdout, on success */
  GPtrArray *err;     /* lines for stderr */
} Outcome;

static void
outcome_clear (Outcome *outcome)
{
  g_free (outcome->out);
  g_ptr_array_unref (outcome->err);
}

static void G_GNUC_PRINTF (2, 3)
add_err (Outcome    *outcome,
         const char *format,
         ...)
{
  va_list args;

  va_start (args, format);
  g_ptr_array_add (outcome->err, g_strdup_vprintf (format, args));
  va_end (args);
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

static void
retry_hint (Outcome    *outcome,
            const char *id)
{
  add_err (outcome, _("The message stays in the outbox as %s; once the cause is fixed, run "
                      "“postierctl queue retry %s”."), id, id);
}

/* Every refused recipient, one line each, with the relay's words. */
static void
name_refused (Outcome            *outcome,
              PostierOutboxEntry *entry)
{
  for (guint i = 0; i < postier_outbox_entry_get_n_recipients (entry); i++)
    if (postier_outbox_entry_get_recipient_state (entry, i) == POSTIER_RECIPIENT_STATE_REFUSED)
      {
        const char *reply = postier_outbox_entry_get_recipient_reply (entry, i);
        add_err (outcome, "  %s: %s", postier_outbox_entry_get_recipient (entry, i),
                 reply != NULL ? reply : _("refused"));
      }
}

static void
report_refused_recipients (Outcome            *outcome,
                           PostierOutboxEntry *entry)
{
  guint total = postier_outbox_entry_get_n_recipients (entry);
  guint refused = postier_outbox_entry_count_recipients (entry, POSTIER_RECIPIENT_STATE_REFUSED);
  guint accepted = postier_outbox_entry_count_recipients (entry, POSTIER_RECIPIENT_STATE_ACCEPTED);
  guint waiting = total - refused - accepted;

  if (accepted == 0 && waiting == 0)
    add_err (outcome, "%s", _("The server refused every recipient:"));
  else if (waiting == 0)
    add_err (outcome, g_dngettext (GETTEXT_PACKAGE,
                                   "The server refused %u of %u recipient; the others got the message once:",
                                   "The server refused %u of %u recipients; the others got the message once:",
                                   total),
             refused, total);
  else
    add_err (outcome, g_dngettext (GETTEXT_PACKAGE,
                                   "The server refused %u of %u recipient; the others will be tried again:",
                                   "The server refused %u of %u recipients; the others will be tried again:",
                                   total),
             refused, total);
  name_refused (outcome, entry);
  outcome->status = EX_NOUSER;
  outcome->delivery = POSTIERCTL_DELIVERY_FAILED;
}

static int
status_for_failure (PostierOutboxFailure failure)
{
  switch (failure)
    {
    case POSTIER_OUTBOX_FAILURE_MESSAGE:
      return EX_DATAERR;
    case POSTIER_OUTBOX_FAILURE_RECIPIENTS:
      return EX_NOUSER;
    case POSTIER_OUTBOX_FAILURE_AUTH:
      return EX_NOPERM;
    case POSTIER_OUTBOX_FAILURE_CERTIFICATE:
    case POSTIER_OUTBOX_FAILURE_CONFIGURATION:
      return EX_CONFIG;
    case POSTIER_OUTBOX_FAILURE_EXPIRED:
    case POSTIER_OUTBOX_FAILURE_NONE:
    default:
      return EX_UNAVAILABLE;
    }
}

/* The entry failed or needs attention: why, in the caller's terms. */
static void
report_failure (Outcome            *outcome,
                PostierOutboxEntry *entry)
{
  PostierOutboxFailure failure = postier_outbox_entry_get_failure (entry);
  const char *reason = postier_outbox_entry_get_last_error (entry);

  if (reason == NULL)
    reason = _("no reason was given");
  outcome->delivery = POSTIERCTL_DELIVERY_FAILED;
  outcome->status = status_for_failure (failure);
  switch (failure)
    {
    case POSTIER_OUTBOX_FAILURE_RECIPIENTS:
      report_refused_recipients (outcome, entry);
      break;
    default:
      /* The reason already says who refused what, in the relay's words. */
      add_err (outcome, _("Not sent: %s"), reason);
      break;
    }
  retry_hint (outcome, postier_outbox_entry_get_id (entry));
}

/* Still waiting for a temporary reason: one line, and success. */
static void
report_waiting (Outcome            *outcome,
                PostierOutboxEntry *entry,
                const char         *full_reason)
{
  const char *id = postier_outbox_entry_get_id (entry);
  g_autofree char *reason = postierctl_as_clause (full_reason, -1);

  outcome->status = EX_OK;
  outcome->delivery = POSTIERCTL_DELIVERY_QUEUED;
  if (postier_outbox_entry_get_state (entry) == POSTIER_OUTBOX_STATE_DEFERRED)
    {
      g_autofree char *next = format_time (postier_outbox_entry_get_next_attempt (entry));
      add_err (outcome, _("Queued as %s, not sent yet: %s; next attempt at %s."), id, reason, next);
    }
  else
    add_err (outcome, _("Queued as %s, not sent yet: %s; it will be sent at the next flush."), id, reason);
}

/* Beyond the relay's limits: it waits in the outbox, sent by the app or
 * `postierctl queue watch` when the hold ends. One line, and success. */
static gboolean
report_held (Outcome             *outcome,
             PostierAccountStore *store,
             PostierOutboxEntry  *entry)
{
  g_autofree char *held = postierctl_entry_hold_text (store, entry);

  if (held == NULL)
    return FALSE;
  add_err (outcome, _("Queued as %s, not sent yet: %s."), postier_outbox_entry_get_id (entry), held);
  return TRUE;
}

static gboolean
is_sandbox (PostierAccountStore *store,
            const char          *account_name)
{
  PostierAccount *account = postier_account_store_lookup (store, account_name);

  return account != NULL && postier_account_get_kind (account) == POSTIER_ACCOUNT_KIND_SANDBOX;
}

/* Flushes; while another process holds the flush lock, waits (bounded)
 * until it has settled entry ID, which it takes before letting go. */
static gboolean
flush_or_wait (PostierSubmitter *submitter,
               PostierOutbox    *outbox,
               const char       *id,
               guint             attempts_before,
               gboolean         *busy,
               GError          **error)
{
  gint64 deadline = g_get_monotonic_time () + BUSY_WAIT_SECONDS * G_USEC_PER_SEC;
  gulong delay = 20 * 1000;

  *busy = FALSE;
  for (;;)
    {
      g_autoptr(GError) local_error = NULL;
      g_autoptr(PostierOutboxEntry) entry = NULL;
      PostierOutboxState state;

      if (postier_submitter_flush_sync (submitter, NULL, NULL, &local_error))
        return TRUE;
      if (!g_error_matches (local_error, POSTIER_OUTBOX_ERROR, POSTIER_OUTBOX_ERROR_BUSY))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return TRUE;
        }

      entry = postier_outbox_lookup (outbox, id, NULL);
      if (entry == NULL)
        return TRUE;  /* the other flusher sent it */
      state = postier_outbox_entry_get_state (entry);
      if (state != POSTIER_OUTBOX_STATE_QUEUED && state != POSTIER_OUTBOX_STATE_SENDING &&
          postier_outbox_entry_get_attempts (entry) > attempts_before)
        return TRUE;  /* it tried, and settled it */
      if (g_get_monotonic_time () >= deadline)
        {
          *busy = TRUE;
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      g_usleep (delay);
      delay = MIN (delay * 2, BUSY_POLL_MAX_US);
    }
}

static void
try_now (const char *id,
         Outcome    *outcome)
{
  g_autoptr(PostierAccountStore) store = NULL;
  g_autoptr(PostierOutbox) outbox = postier_outbox_new (NULL);
  g_autoptr(PostierSubmitter) submitter = NULL;
  g_autoptr(PostierOutboxEntry) before = NULL;
  g_autoptr(PostierOutboxEntry) entry = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *account_name = NULL;
  gboolean busy = FALSE;
  const char *reason;

  outcome->err = g_ptr_array_new_with_free_func (g_free);
  outcome->status = EX_OK;
  outcome->delivery = POSTIERCTL_DELIVERY_QUEUED;

  before = postier_outbox_lookup (outbox, id, &error);
  if (before == NULL)
    {
      outcome->status = postierctl_exit_code_for (error);
      add_err (outcome, "%s", error->message);
      return;
    }
  account_name = g_strdup (postier_outbox_entry_get_account_name (before));

  store = postierctl_load_accounts (&error);
  if (store == NULL)
    {
      outcome->status = postierctl_exit_code_for (error);
      outcome->delivery = POSTIERCTL_DELIVERY_FAILED;
      add_err (outcome, _("Not sent: %s"), error->message);
      retry_hint (outcome, id);
      return;
    }

  submitter = postier_submitter_new (outbox, store);
  flush_or_wait (submitter, outbox, id, postier_outbox_entry_get_attempts (before), &busy, &error);

  entry = postier_outbox_lookup (outbox, id, NULL);
  if (entry == NULL)
    {
      outcome->delivery = POSTIERCTL_DELIVERY_SENT;
      if (is_sandbox (store, account_name))
        outcome->out = g_strdup_printf (_("%s captured by the Sandbox (not sent); see it with "
                                          "“postierctl sandbox list”."), id);
      else
        outcome->out = g_strdup_printf (_("Sent (%s)."), id);
      return;
    }

  switch (postier_outbox_entry_get_state (entry))
    {
    case POSTIER_OUTBOX_STATE_FAILED:
    case POSTIER_OUTBOX_STATE_NEEDS_ATTENTION:
      report_failure (outcome, entry);
      return;
    case POSTIER_OUTBOX_STATE_DEFERRED:
      /* Some recipients refused for good, others only deferred: the
       * refusals will not go away by waiting. */
      if (postier_outbox_entry_count_recipients (entry, POSTIER_RECIPIENT_STATE_REFUSED) > 0)
        {
          report_refused_recipients (outcome, entry);
          retry_hint (outcome, id);
          return;
        }
      reason = postier_outbox_entry_get_last_error (entry);
      report_waiting (outcome, entry, reason != NULL ? reason : _("the server asked to wait"));
      return;
    default:
      /* Not attempted. */
      if (busy)
        reason = _("another Postier process is sending the outbox and has not reached it yet");
      else if (!postier_submitter_get_online (submitter))
        reason = _("this computer is offline");
      else
        reason = error != NULL ? error->message : _("no attempt was possible");
      if (!report_held (outcome, store, entry))
        report_waiting (outcome, entry, reason);
      return;
    }
}

/* Asks about each recipient's domain, in the background (issue 15); the
 * message is already safely queued. */
static PostierRecipientBatch *
start_domain_checks (const char *id)
{
  g_autoptr(PostierOutbox) outbox = postier_outbox_new (NULL);
  g_autoptr(PostierOutboxEntry) entry = postier_outbox_lookup (outbox, id, NULL);
  g_autoptr(PostierAddressBook) book = postier_address_book_new (NULL);
  g_autoptr(GPtrArray) addresses = g_ptr_array_new ();
  g_auto(GStrv) known = NULL;

  if (entry == NULL)
    return NULL;
  for (guint i = 0; i < postier_outbox_entry_get_n_recipients (entry); i++)
    g_ptr_array_add (addresses, (gpointer) postier_outbox_entry_get_recipient (entry, i));
  g_ptr_array_add (addresses, NULL);
  /* The person's own history, for "did you mean …?" */
  if (postier_address_book_load (book, NULL))
    known = postier_address_book_list_domains (book);
  return postier_recipient_batch_start ((const char * const *) addresses->pdata,
                                        (const char * const *) known);
}

/* A warning for each domain that answered in time and cannot take mail;
 * the exit status stays the delivery's. */
static void
warn_about_domains (PostierRecipientBatch *batch,
                    gint64                 deadline)
{
  g_auto(GStrv) warnings = NULL;

  if (batch == NULL)
    return;
  warnings = postier_recipient_batch_finish (batch, deadline);
  for (guint i = 0; warnings[i] != NULL; i++)
    {
      g_autofree char *line = postierctl_printable (warnings[i]);

      /* TRANSLATORS: "postierctl: warning: example.con has no mail server — did you mean example.com?" */
      g_printerr ("postierctl: ");
      g_printerr (_("warning: %s"), line);
      g_printerr ("\n");
    }
}

int
postierctl_deliver (const char            *id,
                    PostierctlDeliverFlags flags)
{
  Outcome outcome = { 0 };
  PostierRecipientBatch *domain_checks;
  gint64 checks_started;
  int status;

  if (flags & POSTIERCTL_DELIVER_QUEUE_ONLY)
    return postierctl_report_queued (id, flags);

  checks_started = g_get_monotonic_time ();
  domain_checks = start_domain_checks (id);
  try_now (id, &outcome);
  if (outcome.out != NULL && !(flags & POSTIERCTL_DELIVER_QUIET))
    g_print ("%s\n", outcome.out);
  /* The lines quote the relay's replies: a relay must not be able to
   * rewrite the terminal. */
  for (guint i = 0; i < outcome.err->len; i++)
    {
      g_autofree char *line = postierctl_printable (g_ptr_array_index (outcome.err, i));
      g_printerr ("postierctl: %s\n", line);
    }
  warn_about_domains (domain_checks, checks_started + DOMAIN_CHECK_BUDGET_US);
  status = outcome.status;
  outcome_clear (&outcome);
  return status;
}

/* What the light postierctl (postierctl-light.c) hands over once it has
 * queued a message or meets sendmail -q: "deliver ID FLAGS" or
 * "sendmail-flush". */
int
postierctl_internal_main (int    argc,
                          char **argv)
{
  if (argc == 4 && g_str_equal (argv[1], "deliver"))
    return postierctl_deliver (argv[2], (PostierctlDeliverFlags) g_ascii_strtoull (argv[3], NULL, 10));
  if (argc == 2 && g_str_equal (argv[1], "sendmail-flush"))
    return postierctl_sendmail_flush ();
  return postierctl_usage_error (_("unknown command “%s”"), POSTIERCTL_INTERNAL_COMMAND);
}
