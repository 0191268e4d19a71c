/* postierctl-send.c — postierctl send, and postierctl sendmail (also run
 * as "sendmail" through a symlink)
 *
 * Both build or read the message, queue it durably in the outbox, say so,
 * and then (unless --queue-only) try to deliver at once.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postierctl"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "postier-gmime.h"
#include "postier-paths.h"
#include "postier-schedule.h"
#include "postierctl-private.h"

/* The command's arguments as given, before option parsing: the light
 * postierctl hands them to postierctl-full for an account only GNOME
 * Online Accounts knows (postierctl_online_account). */
static int handover_argc;
static char **handover_argv;

static PostierAccount *
choose_account (const char  *name,
                GError     **error)
{
  g_autoptr(PostierAccountStore) store = postierctl_load_accounts (error);
  PostierAccount *account;

  if (store == NULL)
    return NULL;
  if (name == NULL && postier_account_store_count_relays (store) == 0)
    {
      /* Postier has no relay account of its own: GNOME Online Accounts'
       * default, if it has one (the light postierctl hands the command
       * over to postierctl-full, which asks GOA). */
      account = postierctl_online_account (NULL, handover_argc, handover_argv, NULL);
      if (account != NULL)
        return account;
      /* Capturing on this computer what the caller believes is sent would
       * lose mail silently: the Sandbox is only used when named. */
      g_set_error (error, POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_NOT_FOUND,
                   _("There is no account to send with: mail would only be captured by the Sandbox "
                     "on this computer. Add one with “postierctl account add NAME --from ADDRESS "
                     "--host HOST”, or choose “--account Sandbox” on purpose"));
      return NULL;
    }
  account = name != NULL ? postier_account_store_lookup (store, name) :
                           postier_account_store_get_default (store);
  if (account == NULL && name != NULL)
    return postierctl_online_account (name, handover_argc, handover_argv, error);
  if (account == NULL)
    {
      if (name != NULL)
        g_set_error (error, POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_NOT_FOUND,
                     _("There is no account named “%s”"), name);
      else
        g_set_error (error, POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_NOT_FOUND,
                     _("There is no account to send with; add one with “postierctl account add”"));
      return NULL;
    }
  return g_object_ref (account);
}

/* A From (or, for send, the identity) that is not the account's own
 * address goes out, but relays often refuse or rewrite it: say so. */
static void
warn_foreign_from (const char     *id,
                   PostierAccount *account)
{
  g_autoptr(PostierOutbox) outbox = postier_outbox_new (NULL);
  g_autoptr(PostierOutboxEntry) entry = postier_outbox_lookup (outbox, id, NULL);
  g_autoptr(GMimeStream) stream = NULL;
  g_autoptr(GMimeParser) parser = NULL;
  g_autoptr(GMimeMessage) message = NULL;
  g_autofree char *path = NULL;
  const char *own = postier_account_get_address (account);
  InternetAddressList *from;

  if (entry == NULL || own == NULL ||
      postier_account_get_kind (account) == POSTIER_ACCOUNT_KIND_SANDBOX)
    return;
  path = postier_outbox_entry_get_message_path (entry);
  stream = g_mime_stream_fs_open (path, O_RDONLY, 0, NULL);
  if (stream == NULL)
    return;
  parser = g_mime_parser_new_with_stream (stream);
  message = g_mime_parser_construct_message (parser, NULL);
  from = message != NULL ? g_mime_message_get_from (message) : NULL;
  for (int i = 0; from != NULL && i < internet_address_list_length (from); i++)
    {
      InternetAddress *address = internet_address_list_get_address (from, i);
      const char *addr;

      if (!INTERNET_ADDRESS_IS_MAILBOX (address))
        continue;
      addr = internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (address));
      if (g_ascii_strcasecmp (addr, own) != 0)
        {
          g_autofree char *warning = g_strdup_printf (_("warning: the From address %s is not the address of "
                                                        "the account “%s” (%s); relays often refuse or "
                                                        "rewrite such mail"),
                                                      addr, postier_account_get_name (account), own);
          g_autofree char *shown = postierctl_printable (warning);
          g_printerr ("postierctl: %s\n", shown);
        }
    }
}

/* --- send -------------------------------------------------------------- */

/* The input limits, and the short form of the exit-code table, for --help. */
static const char input_help[] = N_(
  "Text piped in is the body when no --body-file is given. A body or attachment read from a pipe, "
  "FIFO or device is limited to the relay’s SIZE when known, else 50 MB, and fails after "
  "--input-timeout seconds without data.");
static const char exit_help[] = N_(
  "Exit status (the message is queued first, then tried at once):\n"
  "   0  sent; or deferred for a temporary reason (one line on standard error); or queued with --queue-only\n"
  "  64  bad command line\n"
  "  65  the message was refused by the relay, or is malformed (nothing queued)\n"
  "  66  a body or attachment file cannot be read (nothing queued)\n"
  "  67  recipients refused (all or some; each is named)\n"
  "  73, 74  the outbox cannot be written (nothing queued)\n"
  "  77  the relay refused the login\n"
  "  78  certificate not trusted, TLS missing, account misconfigured, or no account but the Sandbox\n"
  "A refused message stays in the outbox: “postierctl queue retry ID” once the cause is fixed.");

/* Input problems: unreadable is 66, too big or not text is the message's
 * fault (65). Nothing is queued. */
static int
input_fail (const GError *error)
{
  if (error->domain == G_FILE_ERROR)
    {
      g_autofree char *shown = postierctl_printable (error->message);
      g_printerr ("postierctl: %s\n", shown);
      return EX_NOINPUT;
    }
  return postierctl_fail (error);
}

/* A folder of this run's own for attachments read from streams, in the
 * private cache (not /tmp: they may be private). */
static char *
make_staging_dir (GError **error)
{
  g_autofree char *parent = g_build_filename (g_get_user_cache_dir (), "postier", NULL);
  g_autofree char *staging = NULL;

  if (!postier_ensure_private_dir (parent, error))
    return NULL;
  staging = g_build_filename (parent, "attachments-XXXXXX", NULL);
  if (g_mkdtemp_full (staging, 0700) == NULL)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Cannot keep a copy of an attachment: %s"), g_strerror (saved_errno));
      return NULL;
    }
  return g_steal_pointer (&staging);
}

static void
remove_staged (const char *staging)
{
  if (staging != NULL)
    postier_remove_tree (staging);
}

/* A draft for ACCOUNT with the recipients and subject of the command line. */
static PostierDraft *
new_draft (PostierAccount *account,
           GStrv           to,
           GStrv           cc,
           GStrv           bcc,
           const char     *subject)
{
  PostierDraft *draft = postier_draft_new ();

  postier_draft_set_account_name (draft, postier_account_get_name (account));
  for (guint i = 0; to != NULL && to[i] != NULL; i++)
    postier_draft_add_to (draft, to[i]);
  for (guint i = 0; cc != NULL && cc[i] != NULL; i++)
    postier_draft_add_cc (draft, cc[i]);
  for (guint i = 0; bcc != NULL && bcc[i] != NULL; i++)
    postier_draft_add_bcc (draft, bcc[i]);
  postier_draft_set_subject (draft, subject);
  return draft;
}

/* Reads the body (BODY_FILE, may be NULL) and the attachments into DRAFT,
 * within the account's size cap. Attachments read from streams are copied
 * into *STAGING, made on first need; the caller removes it once the message
 * is queued. Returns EX_OK or the exit status of a failure. */
static int
read_inputs (PostierDraft    *draft,
             PostierAccount  *account,
             const char      *body_file,
             GStrv            attach,
             guint            input_timeout,
             char           **staging)
{
  guint64 cap = postierctl_input_cap (postier_account_get_name (account));
  g_autoptr(GError) error = NULL;

  if (body_file != NULL)
    {
      g_autofree char *body = postierctl_input_read_text (body_file, cap, input_timeout, &error);

      if (body == NULL)
        return input_fail (error);
      postier_draft_set_body (draft, body);
    }
  for (guint i = 0; attach != NULL && attach[i] != NULL; i++)
    {
      g_autofree char *path = NULL;

      if (*staging == NULL && (*staging = make_staging_dir (&error)) == NULL)
        return postierctl_fail (error);
      path = postierctl_input_stage_attachment (attach[i], *staging, cap, input_timeout, &error);
      if (path == NULL)
        {
          remove_staged (*staging);
          return input_fail (error);
        }
      postier_draft_add_attachment (draft, path);
    }
  return EX_OK;
}

/* --delay and --at (issue 13): when the message may go into OPTIONS.
 * Returns EX_OK, 64 for both at once, 65 for a time unparsable or past. */
static int
parse_when (int                    delay,
            const char            *at,
            PostierEnqueueOptions *options)
{
  g_autoptr(GError) error = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  if (delay != 0 && at != NULL)
    return postierctl_usage_error (_("--delay and --at cannot be used together"));
  if (delay < 0)
    return postierctl_usage_error (_("--delay needs a number of SECONDS, 0 or more"));
  if (delay > 0)
    {
      options->not_before = now + delay;
      options->schedule = POSTIER_OUTBOX_SCHEDULE_GRACE;
    }
  if (at != NULL)
    {
      if (!postier_schedule_parse_time (at, NULL, now, &options->not_before, &error))
        {
          g_autofree char *shown = postierctl_printable (error->message);
          g_printerr ("postierctl: %s\n", shown);
          return EX_DATAERR;
        }
      options->schedule = POSTIER_OUTBOX_SCHEDULE_LATER;
    }
  return EX_OK;
}

/* A held message is not tried now: the app or `queue watch` (started by
 * postier-flush.path) sends it at its time. */
static int
report_held (const char *id,
             gint64      when)
{
  g_autofree char *local = postier_schedule_format_local (when, NULL);

  g_print (_("Queued as %s, to be sent at %s."), id, local);
  g_print ("\n");
  return EX_OK;
}

/* long: one option table, read in order, then the enqueue; helpers hold
 * the rest (issue 13 added --delay and --at). */
static int
send_main (int    argc,
           char **argv)
{
  g_autofree char *account_name = NULL;
  g_autofree char *subject = NULL;
  g_autofree char *body_file = NULL;
  g_auto(GStrv) to = NULL;
  g_auto(GStrv) cc = NULL;
  g_auto(GStrv) bcc = NULL;
  g_auto(GStrv) attach = NULL;
  g_autofree char *at = NULL;
  gboolean queue_only = FALSE;
  int delay = 0;
  int input_timeout = POSTIERCTL_INPUT_DEFAULT_TIMEOUT;
  PostierEnqueueOptions options = { 0 };
  const GOptionEntry entries[] = {
    { "account", 0, 0, G_OPTION_ARG_STRING, &account_name, N_("Send through this account (default: the default account)"), N_("NAME") },
    { "to", 0, 0, G_OPTION_ARG_STRING_ARRAY, &to, N_("A recipient (repeat for more)"), N_("ADDR") },
    { "cc", 0, 0, G_OPTION_ARG_STRING_ARRAY, &cc, N_("A copy recipient (repeat for more)"), N_("ADDR") },
    { "bcc", 0, 0, G_OPTION_ARG_STRING_ARRAY, &bcc, N_("A hidden recipient (repeat for more)"), N_("ADDR") },
    { "subject", 0, 0, G_OPTION_ARG_STRING, &subject, N_("The subject"), N_("TEXT") },
    { "body-file", 0, 0, G_OPTION_ARG_FILENAME, &body_file,
      N_("Read the text from FILE, or standard input for - (the default when it is not a terminal)"), N_("FILE") },
    { "attach", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &attach, N_("Attach a file (repeat for more)"), N_("FILE") },
    { "queue-only", 0, 0, G_OPTION_ARG_NONE, &queue_only, N_("Only queue the message; do not try to send it now"), NULL },
    { "delay", 0, 0, G_OPTION_ARG_INT, &delay,
      N_("Hold the message this long before it may go (it can be taken back meanwhile)"), N_("SECONDS") },
    { "at", 0, 0, G_OPTION_ARG_STRING, &at,
      N_("Send at this time: “2026-12-24 09:00” (local time) or ISO 8601 with a zone"), N_("TIME") },
    { "input-timeout", 0, 0, G_OPTION_ARG_INT, &input_timeout,
      N_("Give up on a pipe, FIFO or device that sends nothing for this long (default 60)"), N_("SECONDS") },
    G_OPTION_ENTRY_NULL,
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("— write and send a message"));
  g_autofree char *staging = NULL;
  g_autoptr(PostierAccount) account = NULL;
  g_autoptr(PostierDraft) draft = NULL;
  g_autoptr(PostierOutbox) outbox = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  int status;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  {
    g_autofree char *description = g_strdup_printf ("%s\n\n%s", _(input_help), _(exit_help));
    g_option_context_set_description (context, description);
  }
  if (!postierctl_parse_options (context, &argc, &argv))
    return EX_USAGE;
  if (argc > 1)
    return postierctl_usage_error (_("send takes its recipients as --to, --cc or --bcc, not “%s”"), argv[1]);
  if (input_timeout <= 0)
    return postierctl_usage_error (_("--input-timeout needs a number of SECONDS above 0"));
  status = parse_when (delay, at, &options);
  if (status != EX_OK)
    return status;

  account = choose_account (account_name, &error);
  if (account == NULL)
    return postierctl_fail (error);

  draft = new_draft (account, to, cc, bcc, subject);
  /* Like mail(1): text piped in is the body. */
  if (body_file == NULL && !isatty (STDIN_FILENO))
    body_file = g_strdup ("-");
  status = read_inputs (draft, account, body_file, attach, (guint) input_timeout, &staging);
  if (status != EX_OK)
    return status;

  outbox = postier_outbox_new (NULL);
  id = postier_mime_enqueue_draft_full (draft, account, outbox, &options, NULL, &error);
  /* The message file holds the attachments now. */
  remove_staged (staging);
  if (id == NULL)
    return postierctl_fail (error);
  if (options.not_before != 0)
    return report_held (id, options.not_before);

  return postierctl_deliver (id, queue_only ? POSTIERCTL_DELIVER_QUEUE_ONLY : POSTIERCTL_DELIVER_NONE);
}

/* --- sendmail ------------------------------------------------------------ */

typedef struct {
  PostierSendmailFlags  flags;
  char                 *sender;
  char                 *full_name;
  char                 *account_name;
  gboolean              queue_only;
  gboolean              verbose;
  GPtrArray            *recipients;
} SendmailOptions;

static void
sendmail_options_clear (SendmailOptions *options)
{
  g_free (options->sender);
  g_free (options->full_name);
  g_free (options->account_name);
  g_ptr_array_unref (options->recipients);
}

static void
print_sendmail_usage (FILE *out)
{
  g_autoptr(GString) text = g_string_new (NULL);

  g_string_append_printf (text, "%s\n", _("Usage: postierctl sendmail [-t] [-i] [-f SENDER] [-F NAME] [--account NAME] "
                                          "[--queue-only] [RECIPIENT…]"));
  g_string_append_printf (text, "%s\n", _("Reads a message on standard input and queues it, like sendmail."));
  g_string_append_printf (text, "%s\n", _("Prints nothing when the message is sent (-v: what “postierctl send” prints); "
                                          "problems go to standard error."));
  g_string_append_printf (text, "\n%s\n", _(exit_help));
  postierctl_print_to (out, text->str);
}

/* Takes the value of an option given as "-fVALUE" or "-f VALUE". */
static gboolean
take_value (int          argc,
            char       **argv,
            int         *i,
            gsize        prefix,
            const char **value)
{
  if (argv[*i][prefix] != '\0')
    {
      *value = argv[*i] + prefix;
      return TRUE;
    }
  if (*i + 1 >= argc)
    return FALSE;
  *value = argv[++*i];
  return TRUE;
}

/* Postier's own long options to sendmail (--help, --queue-only, --account);
 * returns EX_OK, -1 (done, exit 0) or an exit status. */
static int
parse_long_option (int              argc,
                   char           **argv,
                   int             *i,
                   SendmailOptions *options)
{
  const char *arg = argv[*i];
  const char *value = NULL;

  if (g_str_equal (arg, "--help"))
    {
      /* Not -h: that is sendmail's hop count, taken and ignored below. */
      print_sendmail_usage (stdout);
      return -1;
    }
  else if (g_str_equal (arg, "--queue-only"))
    options->queue_only = TRUE;
  else if (g_str_has_prefix (arg, "--account"))
    {
      if (arg[9] == '=')
        value = arg + 10;
      else if (arg[9] == '\0' && *i + 1 < argc)
        value = argv[++*i];
      else
        return postierctl_usage_error (_("--account needs an account NAME"));
      g_free (options->account_name);
      options->account_name = g_strdup (value);
    }
  else
    return postierctl_usage_error (_("unknown option “%s”"), arg);
  return EX_OK;
}

/* sendmail's options, as msmtp takes them: the ones that matter here are
 * obeyed, the usual others accepted and ignored, and so is any -o option
 * (mutt's -oem, -odb, …). Options and recipients may be mixed. */
static int
parse_sendmail_options (int              argc,
                        char           **argv,
                        SendmailOptions *options)
{
  gboolean options_done = FALSE;

  for (int i = 1; i < argc; i++)
    {
      const char *arg = argv[i];
      const char *value = NULL;

      if (options_done || arg[0] != '-' || arg[1] == '\0')
        {
          g_ptr_array_add (options->recipients, g_strdup (arg));
          continue;
        }
      if (g_str_equal (arg, "--"))
        options_done = TRUE;
      else if (g_str_has_prefix (arg, "--"))
        {
          int status = parse_long_option (argc, argv, &i, options);

          if (status != EX_OK)
            return status;
        }
      else if (g_str_equal (arg, "-t"))
        options->flags |= POSTIER_SENDMAIL_READ_HEADERS;
      else if (g_str_equal (arg, "-i") || g_str_equal (arg, "-oi"))
        options->flags |= POSTIER_SENDMAIL_IGNORE_DOTS;
      else if (arg[1] == 'f' || arg[1] == 'r')
        {
          if (!take_value (argc, argv, &i, 2, &value))
            return postierctl_usage_error (_("%s needs a SENDER address"), arg);
          g_free (options->sender);
          options->sender = g_strdup (value);
        }
      else if (arg[1] == 'F')
        {
          if (!take_value (argc, argv, &i, 2, &value))
            return postierctl_usage_error (_("-F needs a NAME"));
          g_free (options->full_name);
          options->full_name = g_strdup (value);
        }
      else if (arg[1] == 'o')
        ;  /* -oem, -odb, -odi, -oQ…, -oX…: sendmail's settings, nothing to do here */
      else if (arg[1] == 'q' || g_str_equal (arg, "-bp"))
        {
          /* -q[interval] flushes once now, -bp lists the queue (mailq);
           * nothing is read. -1 is the caller's "done, exit 0". */
          int status = arg[1] == 'q' ? postierctl_sendmail_flush () : postierctl_mailq ();
          return status == EX_OK ? -1 : status;
        }
      else if (arg[1] == 'b')
        {
          if (!g_str_equal (arg, "-bm"))
            return postierctl_usage_error (_("the mode “%s” is not supported; only -bm (read a message) is"), arg);
        }
      else if (strchr ("NRVXBCLhO", arg[1]) != NULL)
        {
          /* Options with a value we accept and ignore (DSN, return, envelope
           * id, log file, body type, config file, syslog tag, hop count). */
          if (!take_value (argc, argv, &i, 2, &value))
            return postierctl_usage_error (_("%s needs a value"), arg);
        }
      else if (g_str_equal (arg, "-v"))
        options->verbose = TRUE;  /* say what send says; silent otherwise, for cron */
      else if (g_str_equal (arg, "-U") || g_str_equal (arg, "-n") ||
               g_str_equal (arg, "-G") || g_str_equal (arg, "-m") || g_str_equal (arg, "-s"))
        ;
      else
        return postierctl_usage_error (_("unknown option “%s”"), arg);
    }
  return EX_OK;
}

static int
sendmail_main (int    argc,
               char **argv)
{
  SendmailOptions options = {
    .flags = POSTIER_SENDMAIL_NONE,
    .recipients = g_ptr_array_new_with_free_func (g_free),
  };
  g_autoptr(PostierAccount) account = NULL;
  g_autoptr(PostierOutbox) outbox = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  int status;

  status = parse_sendmail_options (argc, argv, &options);
  if (status != EX_OK)
    {
      sendmail_options_clear (&options);
      return status == -1 ? EX_OK : status;
    }
  g_ptr_array_add (options.recipients, NULL);

  account = choose_account (options.account_name, &error);
  if (account == NULL)
    {
      sendmail_options_clear (&options);
      return postierctl_fail (error);
    }

  /* -F names the From added to a message that has none; its address stays
   * the account's. -f is the envelope sender only: it never makes up a
   * From (the account's name on someone else's address). */
  if (options.full_name != NULL)
    {
      g_autoptr(PostierAccount) copy = postier_account_copy (account);
      g_autoptr(InternetAddress) identity = NULL;
      const char *address = postier_account_get_address (account);
      g_autofree char *text = NULL;

      identity = internet_address_mailbox_new (options.full_name, address != NULL ? address : "");
      text = internet_address_to_string (identity, NULL, FALSE);
      postier_account_set_identity (copy, text);
      /* MAIL FROM stays -f's or the account's. */
      if (options.sender == NULL)
        options.sender = g_strdup (postier_account_get_address (account));
      g_set_object (&account, copy);
    }

  outbox = postier_outbox_new (NULL);
  id = postier_mime_enqueue_sendmail (STDIN_FILENO, options.flags, options.sender,
                                      (const char * const *) options.recipients->pdata,
                                      account, outbox, NULL, &error);
  if (id == NULL)
    {
      sendmail_options_clear (&options);
      return postierctl_fail (error);
    }

  warn_foreign_from (id, account);
  status = postierctl_deliver (id, (options.queue_only ? POSTIERCTL_DELIVER_QUEUE_ONLY : 0) |
                                   (options.verbose ? 0 : POSTIERCTL_DELIVER_QUIET));
  sendmail_options_clear (&options);
  return status;
}

int
postierctl_send_main (int    argc,
                      char **argv)
{
  g_autofree char **given = g_memdup2 (argv, sizeof (char *) * (argc + 1));

  handover_argc = argc;
  handover_argv = given;
  return send_main (argc, argv);
}

int
postierctl_sendmail_main (int    argc,
                          char **argv)
{
  g_autofree char **given = g_memdup2 (argv, sizeof (char *) * (argc + 1));

  handover_argc = argc;
  handover_argv = given;
  return sendmail_main (argc, argv);
}
