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

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "postier-gmime.h"
#include "postierctl-private.h"

static PostierAccount *
choose_account (const char  *name,
                GError     **error)
{
  g_autoptr(PostierAccountStore) store = postierctl_load_accounts (error);
  PostierAccount *account;

  if (store == NULL)
    return NULL;
  account = name != NULL ? postier_account_store_lookup (store, name) :
                           postier_account_store_get_default (store);
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

/* The message is safe in the outbox; now the relay. Whatever the relay
 * says, the exit is 0: the message is durably queued (DESIGN.md), and a
 * caller that retried on failure would send it twice. */
static int
deliver (const char *id,
         gboolean    queue_only)
{
  g_autofree char *report = NULL;

  if (queue_only)
    {
      g_print (_("Queued as %s."), id);
      g_print ("\n");
      return EX_OK;
    }

  if (postierctl_deliver_now (id, &report) == POSTIERCTL_DELIVERY_FAILED)
    g_printerr ("postierctl: %s\n", report);
  else
    g_print ("%s\n", report);
  return EX_OK;
}

/* --- send -------------------------------------------------------------- */

static char *
read_body (const char  *body_file,
           GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (g_str_equal (body_file, "-"))
    contents = postierctl_read_stdin (&length, &local_error);
  else
    g_file_get_contents (body_file, &contents, &length, &local_error);
  if (contents == NULL)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                   _("Cannot read the message text: %s"), local_error->message);
      return NULL;
    }
  if (strlen (contents) != length || !g_utf8_validate (contents, (gssize) length, NULL))
    {
      g_set_error (error, POSTIER_MESSAGE_ERROR, POSTIER_MESSAGE_ERROR_MALFORMED,
                   _("The message text is not UTF-8 text (it holds a NUL byte or an invalid sequence)"));
      return NULL;
    }
  return g_steal_pointer (&contents);
}

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
  gboolean queue_only = FALSE;
  const GOptionEntry entries[] = {
    { "account", 0, 0, G_OPTION_ARG_STRING, &account_name, N_("Send through this account (default: the default account)"), N_("NAME") },
    { "to", 0, 0, G_OPTION_ARG_STRING_ARRAY, &to, N_("A recipient (repeat for more)"), N_("ADDR") },
    { "cc", 0, 0, G_OPTION_ARG_STRING_ARRAY, &cc, N_("A copy recipient (repeat for more)"), N_("ADDR") },
    { "bcc", 0, 0, G_OPTION_ARG_STRING_ARRAY, &bcc, N_("A hidden recipient (repeat for more)"), N_("ADDR") },
    { "subject", 0, 0, G_OPTION_ARG_STRING, &subject, N_("The subject"), N_("TEXT") },
    { "body-file", 0, 0, G_OPTION_ARG_FILENAME, &body_file, N_("Read the text from FILE, or standard input for -"), N_("FILE") },
    { "attach", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &attach, N_("Attach a file (repeat for more)"), N_("FILE") },
    { "queue-only", 0, 0, G_OPTION_ARG_NONE, &queue_only, N_("Only queue the message; do not try to send it now"), NULL },
    G_OPTION_ENTRY_NULL,
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("— write and send a message"));
  g_autoptr(PostierAccount) account = NULL;
  g_autoptr(PostierDraft) draft = NULL;
  g_autoptr(PostierOutbox) outbox = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;
  g_autofree char *id = NULL;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!postierctl_parse_options (context, &argc, &argv))
    return EX_USAGE;
  if (argc > 1)
    return postierctl_usage_error (_("send takes its recipients as --to, --cc or --bcc, not “%s”"), argv[1]);

  account = choose_account (account_name, &error);
  if (account == NULL)
    return postierctl_fail (error);

  draft = postier_draft_new ();
  postier_draft_set_account_name (draft, postier_account_get_name (account));
  for (guint i = 0; to != NULL && to[i] != NULL; i++)
    postier_draft_add_to (draft, to[i]);
  for (guint i = 0; cc != NULL && cc[i] != NULL; i++)
    postier_draft_add_cc (draft, cc[i]);
  for (guint i = 0; bcc != NULL && bcc[i] != NULL; i++)
    postier_draft_add_bcc (draft, bcc[i]);
  postier_draft_set_subject (draft, subject);
  if (body_file != NULL)
    {
      body = read_body (body_file, &error);
      if (body == NULL && error->domain == G_FILE_ERROR)
        {
          g_printerr ("postierctl: %s\n", error->message);
          return EX_NOINPUT;
        }
      if (body == NULL)
        return postierctl_fail (error);
      postier_draft_set_body (draft, body);
    }
  for (guint i = 0; attach != NULL && attach[i] != NULL; i++)
    postier_draft_add_attachment (draft, attach[i]);

  outbox = postier_outbox_new (NULL);
  id = postier_mime_enqueue_draft (draft, account, outbox, NULL, &error);
  if (id == NULL)
    return postierctl_fail (error);

  return deliver (id, queue_only);
}

/* --- sendmail ------------------------------------------------------------ */

typedef struct {
  PostierSendmailFlags  flags;
  char                 *sender;
  char                 *full_name;
  char                 *account_name;
  gboolean              queue_only;
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
  fprintf (out, "%s\n", _("Usage: postierctl sendmail [-t] [-i] [-f SENDER] [-F NAME] [--account NAME] "
                          "[--queue-only] [RECIPIENT…]"));
  fprintf (out, "%s\n", _("Reads a message on standard input and queues it, like sendmail."));
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
      else if (g_str_equal (arg, "--help") || g_str_equal (arg, "-h"))
        {
          print_sendmail_usage (stdout);
          return -1;
        }
      else if (g_str_equal (arg, "--queue-only"))
        options->queue_only = TRUE;
      else if (g_str_has_prefix (arg, "--account"))
        {
          if (arg[9] == '=')
            value = arg + 10;
          else if (arg[9] == '\0' && i + 1 < argc)
            value = argv[++i];
          else
            return postierctl_usage_error (_("--account needs an account NAME"));
          g_free (options->account_name);
          options->account_name = g_strdup (value);
        }
      else if (g_str_has_prefix (arg, "--"))
        return postierctl_usage_error (_("unknown option “%s”"), arg);
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
      else if (g_str_equal (arg, "-v") || g_str_equal (arg, "-U") || g_str_equal (arg, "-n") ||
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

  /* -F (and -f) say who the message is from when it has no From. */
  if (options.full_name != NULL || options.sender != NULL)
    {
      g_autoptr(PostierAccount) copy = postier_account_copy (account);
      g_autoptr(InternetAddress) identity = NULL;
      const char *address = options.sender != NULL && *options.sender != '\0' &&
                            !g_str_equal (options.sender, "<>") ?
                            options.sender : postier_account_get_address (account);
      const char *name = options.full_name != NULL ? options.full_name :
                         postier_account_get_display_name (account);
      g_autofree char *text = NULL;

      identity = internet_address_mailbox_new (name != NULL ? name : "", address != NULL ? address : "");
      text = internet_address_to_string (identity, NULL, FALSE);
      postier_account_set_identity (copy, text);
      /* MAIL FROM stays -f's or the account's, not the From's. */
      if (options.sender == NULL)
        {
          g_free (options.sender);
          options.sender = g_strdup (postier_account_get_address (account));
        }
      g_set_object (&account, copy);
    }

  outbox = postier_outbox_new (NULL);
  id = postier_mime_enqueue_sendmail (STDIN_FILENO, options.flags, options.sender,
                                      (const char * const *) options.recipients->pdata,
                                      account, outbox, NULL, &error);
  sendmail_options_clear (&options);
  if (id == NULL)
    return postierctl_fail (error);

  return deliver (id, options.queue_only);
}

int
postierctl_send_main (int    argc,
                      char **argv)
{
  return send_main (argc, argv);
}

int
postierctl_sendmail_main (int    argc,
                          char **argv)
{
  return sendmail_main (argc, argv);
}
