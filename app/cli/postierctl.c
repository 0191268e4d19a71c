/* postierctl.c — the command-line face of Postier
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postierctl"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "postier-build-env.h"
#include "postierctl-private.h"

static const PostierctlCommand commands[] = {
  { "account", postierctl_account_main, N_("Add, change, list, show, test and remove accounts") },
  { "send", postierctl_send_main, N_("Write a message from options and send it") },
  { "sendmail", postierctl_sendmail_main, N_("Send a message read on standard input, like sendmail") },
  { "queue", postierctl_queue_main, N_("List, show, flush, retry, remove and watch queued messages") },
  { "sandbox", postierctl_sandbox_main, N_("List, show and clear what the Sandbox captured") },
};

int
postierctl_exit_code_for (const GError *error)
{
  if (error == NULL)
    return EX_SOFTWARE;

  if (error->domain == POSTIER_ACCOUNT_ERROR)
    {
      switch (error->code)
        {
        case POSTIER_ACCOUNT_ERROR_INVALID:
          return EX_USAGE;
        case POSTIER_ACCOUNT_ERROR_STORAGE:
          return EX_CANTCREAT;
        default:
          return EX_CONFIG;
        }
    }
  if (error->domain == POSTIER_SECRET_ERROR)
    {
      switch (error->code)
        {
        case POSTIER_SECRET_ERROR_NO_SERVICE:
        case POSTIER_SECRET_ERROR_LOCKED:
          return EX_UNAVAILABLE;
        default:
          return EX_CONFIG;
        }
    }
  if (error->domain == POSTIER_MESSAGE_ERROR)
    return EX_DATAERR;
  if (error->domain == POSTIER_SMTP_ERROR)
    {
      switch (error->code)
        {
        case POSTIER_SMTP_ERROR_NETWORK:
        case POSTIER_SMTP_ERROR_TEMPORARY:
          return EX_TEMPFAIL;
        case POSTIER_SMTP_ERROR_AUTH:
          return EX_NOPERM;
        case POSTIER_SMTP_ERROR_TLS_CERTIFICATE:
        case POSTIER_SMTP_ERROR_TLS:
          return EX_UNAVAILABLE;
        case POSTIER_SMTP_ERROR_PROTOCOL:
          return EX_PROTOCOL;
        default:
          return EX_UNAVAILABLE;
        }
    }
  if (error->domain == POSTIER_OUTBOX_ERROR)
    return error->code == POSTIER_OUTBOX_ERROR_BUSY ? EX_TEMPFAIL :
           error->code == POSTIER_OUTBOX_ERROR_NOT_FOUND ? EX_DATAERR : EX_IOERR;
  if (error->domain == G_OPTION_ERROR)
    return EX_USAGE;
  if (error->domain == G_FILE_ERROR || error->domain == G_IO_ERROR)
    return EX_IOERR;
  return EX_SOFTWARE;
}

/* Characters that would act on the terminal instead of being shown: C0
 * controls (ESC starts cursor moves and screen clears, BEL rings), DEL, C1
 * controls (U+009B is a one-character CSI for some terminals), and the
 * bidirectional controls that reorder the rest of a line so a subject could
 * show text that is not what it holds. */
gboolean
postierctl_acts_on_terminal (gunichar c,
                             gboolean keep_lines)
{
  if (c == '\n' || c == '\t')
    return !keep_lines;
  if (c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f))
    return TRUE;
  return c == 0x061c || c == 0x200e || c == 0x200f ||
         (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) ||
         c == 0x2028 || c == 0x2029;
}

char *
postierctl_printable_full (const char *text,
                           gboolean    keep_lines)
{
  g_autoptr(GString) out = NULL;
  const char *end;

  if (text == NULL)
    return NULL;
  end = text + strlen (text);
  out = g_string_sized_new ((gsize) (end - text));
  for (const char *p = text; p < end;)
    {
      gunichar c = g_utf8_get_char_validated (p, end - p);

      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          /* Not UTF-8: a lone byte 0x9b is a CSI on 8-bit terminals. */
          g_string_append_printf (out, "\\x%02x", (guchar) *p);
          p++;
          continue;
        }
      if (keep_lines && c == '\r' && p + 1 < end && p[1] == '\n')
        ;  /* a line end as the server sent it; the newline follows */
      else if (!postierctl_acts_on_terminal (c, keep_lines))
        g_string_append_len (out, p, g_utf8_next_char (p) - p);
      else if (c < 0x80)
        g_string_append_printf (out, "\\x%02x", c);
      else
        g_string_append_printf (out, "\\u%04x", c);
      p = g_utf8_next_char (p);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

char *
postierctl_printable (const char *text)
{
  return postierctl_printable_full (text, FALSE);
}

int
postierctl_fail (const GError *error)
{
  g_autofree char *message = NULL;

  /* Error messages often quote a server's reply or a file's contents. */
  message = postierctl_printable_full (error != NULL ? error->message : _("unknown error"), TRUE);
  g_printerr ("postierctl: %s\n", message);
  return postierctl_exit_code_for (error);
}

int
postierctl_usage_error (const char *format,
                        ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("postierctl: %s\n", message);
  return EX_USAGE;
}

int
postierctl_report_queued (const char            *id,
                          PostierctlDeliverFlags flags)
{
  if (!(flags & POSTIERCTL_DELIVER_QUIET))
    {
      g_print (_("Queued as %s."), id);
      g_print ("\n");
    }
  return EX_OK;
}

/* GOption writes "Usage: PRGNAME …"; the program's name grows with each
 * command word, so `postierctl account add --help` names itself in full. */
static void
enter_command (const char *word)
{
  const char *current = g_get_prgname ();
  g_autofree char *name = g_strconcat (current != NULL ? current : "postierctl", " ", word, NULL);

  g_set_prgname (name);
}

int
postierctl_run_subcommand (const PostierctlCommand *subcommands,
                           guint                    n_subcommands,
                           const char              *usage,
                           int                      argc,
                           char                   **argv)
{
  gboolean help;
  FILE *out;
  g_autoptr(GString) text = NULL;

  if (argc >= 2)
    {
      for (guint i = 0; i < n_subcommands; i++)
        if (g_str_equal (argv[1], subcommands[i].name))
          {
            enter_command (argv[1]);
            return subcommands[i].run (argc - 1, argv + 1);
          }
    }

  /* Asked for, help is the output and a success; a group with no command
   * or an unknown one is a usage error, told on stderr. */
  help = argc >= 2 && (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h") ||
                       g_str_equal (argv[1], "help"));
  out = help ? stdout : stderr;
  text = g_string_new (NULL);
  if (argc >= 2 && !help)
    {
      g_autofree char *shown = postierctl_printable (argv[1]);

      g_string_append (text, "postierctl: ");
      g_string_append_printf (text, _("unknown command “%s”"), shown);
      g_string_append (text, "\n");
    }
  g_string_append_printf (text, "%s\n\n%s\n", usage, _("Commands:"));
  for (guint i = 0; i < n_subcommands; i++)
    g_string_append_printf (text, "  %-10s %s\n", subcommands[i].name, _(subcommands[i].summary));
  g_string_append (text, "\n");
  g_string_append_printf (text, _("Run “%s COMMAND --help” for the options of a command."), g_get_prgname ());
  g_string_append (text, "\n");
  postierctl_print_to (out, text->str);
  return help ? EX_OK : EX_USAGE;
}

gboolean
postierctl_parse_options (GOptionContext  *context,
                          int             *argc,
                          char          ***argv)
{
  g_autoptr(GError) error = NULL;

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      if (error->domain == G_CONVERT_ERROR)
        {
          const char *charset;
          g_autofree char *what = NULL;

          g_get_charset (&charset);
          what = g_strdup_printf (_("An argument is not text in this locale’s character set (%s): %s"),
                                  charset, error->message);
          g_printerr ("postierctl: %s\n", what);
        }
      else
        g_printerr ("postierctl: %s\n", error->message);
      return FALSE;
    }
  return TRUE;
}

PostierAccountStore *
postierctl_load_accounts (GError **error)
{
  g_autoptr(PostierAccountStore) store = postier_account_store_new (NULL);

  if (!postier_account_store_load (store, error))
    return NULL;
  return g_steal_pointer (&store);
}

char *
postierctl_read_stdin (gsize   *length,
                       GError **error)
{
  /* A password read here is never moved by a realloc, which would leave a
   * copy behind: the array grows by hand, wiping the old one (ROOM is what
   * it was asked to hold). The stack buffer is wiped after use. */
  gsize room = 4096 + 1;
  g_autoptr(GByteArray) data = g_byte_array_sized_new ((guint) room);
  guint8 buffer[4096];

  for (;;)
    {
      ssize_t n = read (STDIN_FILENO, buffer, sizeof buffer);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved_errno = errno;
          explicit_bzero (buffer, sizeof buffer);
          explicit_bzero (data->data, data->len);
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       _("Cannot read standard input: %s"), g_strerror (saved_errno));
          return NULL;
        }
      if (n == 0)
        break;
      if (data->len + (gsize) n + 1 > room)
        {
          GByteArray *bigger;

          room = MAX (2 * room, data->len + (gsize) n + 1);
          bigger = g_byte_array_sized_new ((guint) room);
          g_byte_array_append (bigger, data->data, data->len);
          explicit_bzero (data->data, data->len);
          g_byte_array_unref (data);
          data = bigger;
        }
      g_byte_array_append (data, buffer, (guint) n);
    }
  explicit_bzero (buffer, sizeof buffer);
  if (length != NULL)
    *length = data->len;
  g_byte_array_append (data, (const guint8 *) "", 1);
  return (char *) g_byte_array_free (g_steal_pointer (&data), FALSE);
}

char *
postierctl_as_clause (const char *sentence,
                      gssize      length)
{
  char *clause = g_strstrip (length < 0 ? g_strdup (sentence) : g_strndup (sentence, (gsize) length));
  gsize end = strlen (clause);

  if (end > 0 && clause[end - 1] == '.' && !g_str_has_suffix (clause, ".."))
    clause[end - 1] = '\0';
  return clause;
}

/* Typographic punctuation in Postier's messages, and what stands in for it
 * where the locale's character set lacks it: cron and `env -i` run in the
 * C locale, where GLib would print “postierctl queue watch” as
 * ?postierctl queue watch?. Other characters it lacks become '?', as
 * GLib's own conversion makes them. */
static const struct {
  gunichar    c;
  const char *ascii;
} stand_ins[] = {
  { 0x00a0, " " }, { 0x00ab, "\"" }, { 0x00bb, "\"" }, { 0x00d7, "x" },
  { 0x2013, "-" }, { 0x2014, "-" }, { 0x2018, "'" }, { 0x2019, "'" },
  { 0x201c, "\"" }, { 0x201d, "\"" }, { 0x201e, "\"" }, { 0x2022, "*" },
  { 0x2026, "..." }, { 0x202f, " " }, { 0x2192, "->" }, { 0x2212, "-" },
};

char *
postierctl_to_console_charset (const char *text,
                               const char *charset)
{
  g_autoptr(GString) out = g_string_sized_new (strlen (text));
  const char *end = text + strlen (text);

  for (const char *p = text, *next; p < end; p = next)
    {
      gunichar c = g_utf8_get_char_validated (p, end - p);
      gboolean valid = c != (gunichar) -1 && c != (gunichar) -2;
      g_autofree char *converted = NULL;
      gsize written = 0;
      const char *shown = "?";

      next = valid ? g_utf8_next_char (p) : p + 1;
      if (c < 0x80)
        {
          g_string_append_c (out, *p);
          continue;
        }
      if (valid)
        converted = g_convert (p, next - p, charset, "UTF-8", NULL, &written, NULL);
      if (converted != NULL)
        {
          g_string_append_len (out, converted, (gssize) written);
          continue;
        }
      for (guint i = 0; i < G_N_ELEMENTS (stand_ins) && valid; i++)
        if (stand_ins[i].c == c)
          {
            shown = stand_ins[i].ascii;
            break;
          }
      g_string_append (out, shown);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

void
postierctl_print_to (FILE       *stream,
                     const char *text)
{
  const char *charset;

  if (g_get_console_charset (&charset))
    fputs (text, stream);
  else
    {
      g_autofree char *shown = postierctl_to_console_charset (text, charset);

      fputs (shown, stream);
    }
  fflush (stream);
}

static void
print_to_stdout (const char *text)
{
  postierctl_print_to (stdout, text);
}

static void
print_to_stderr (const char *text)
{
  postierctl_print_to (stderr, text);
}

static void
print_usage (FILE *out)
{
  g_autoptr(GString) usage = g_string_new (NULL);

  g_string_append_printf (usage, "%s\n", _("Usage: postierctl COMMAND [ARGUMENTS…]"));
  g_string_append_printf (usage, "\n%s\n", _("Commands:"));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    g_string_append_printf (usage, "  %-10s %s\n", commands[i].name, _(commands[i].summary));
  g_string_append_printf (usage, "\n%s\n", _("Run “postierctl COMMAND --help” for the options of a command."));
  postierctl_print_to (out, usage->str);
}

static void
setup_i18n (void)
{
  const char *localedir = postier_build_getenv ("POSTIER_LOCALEDIR");

  setlocale (LC_ALL, "");
  /* The C locale's ASCII is no one's choice: it is what cron, `env -i` and
   * systemd units give. There GLib would refuse an argument such as
   * --subject "Été" and print "café" as "caf?"; read and write UTF-8
   * instead, as Python does (PEP 538). Messages stay in English. */
  if (g_strcmp0 (setlocale (LC_CTYPE, NULL), "C") == 0 || g_strcmp0 (setlocale (LC_CTYPE, NULL), "POSIX") == 0)
    {
      if (setlocale (LC_CTYPE, "C.UTF-8") == NULL)
        setlocale (LC_CTYPE, "C.utf8");
    }
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
}

int
main (int   argc,
      char *argv[])
{
  const char *name;

  setup_i18n ();
  g_set_print_handler (print_to_stdout);
  g_set_printerr_handler (print_to_stderr);
  postier_core_init ();
  /* Before any password is read (stdin, keyring, a password command). */
  postier_core_protect_process ();

  /* Invoked as "sendmail" (a symlink), behave like one. */
  name = strrchr (argv[0], '/');
  name = name != NULL ? name + 1 : argv[0];
  if (g_str_equal (name, "sendmail"))
    {
      for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
        if (g_str_equal (commands[i].name, "sendmail"))
          return commands[i].run (argc, argv);
    }
  /* Invoked as "mailq": list the outbox as Postfix's mailq does. */
  if (g_str_equal (name, "mailq"))
    return postierctl_mailq ();

  if (argc < 2)
    {
      print_usage (stderr);
      return EX_USAGE;
    }
  if (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h") || g_str_equal (argv[1], "help"))
    {
      print_usage (stdout);
      return EX_OK;
    }
  if (g_str_equal (argv[1], "--version"))
    {
      g_print ("postierctl %s\n", PACKAGE_VERSION);
      return EX_OK;
    }

  g_set_prgname ("postierctl");
  /* Between the light postierctl and postierctl-full; not in --help. */
  if (g_str_equal (argv[1], POSTIERCTL_INTERNAL_COMMAND))
    return postierctl_internal_main (argc - 1, argv + 1);
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (commands[i].name, argv[1]))
      {
        enter_command (argv[1]);
        return commands[i].run (argc - 1, argv + 1);
      }

  g_printerr ("postierctl: ");
  g_printerr (_("unknown command “%s”"), argv[1]);
  g_printerr ("\n");
  print_usage (stderr);
  return EX_USAGE;
}
