/* test-cli-help.c — every --help of postierctl, and its man pages
 *
 * Walks the commands as a person would discover them: `postierctl --help`
 * lists the commands, `postierctl GROUP --help` the subcommands. Every
 * help is on standard output with status 0; a group given no subcommand
 * is a usage error (64, on standard error). The man page must name every
 * command and every long option the helps list, so it cannot fall behind
 * the code, and both pages must render with no groff warning.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "postier-test.h"

static const char * const c_locale[] = { "LC_ALL=C.UTF-8", "LANGUAGE", NULL };

static int
run_ctl (char       **out,
         char       **err,
         const char  *first,
         ...) G_GNUC_NULL_TERMINATED;

static int
run_ctl (char       **out,
         char       **err,
         const char  *first,
         ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  va_list ap;

  va_start (ap, first);
  postier_test_append_args (args, first, ap);
  va_end (ap);
  return postier_test_run_ctlv (c_locale, NULL, 0, out, err, (const char * const *) args->pdata);
}

/* The words listed under "Commands:", up to the first empty line. */
static GPtrArray *
listed_commands (const char *help)
{
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) lines = g_strsplit (help, "\n", -1);
  gboolean in_list = FALSE;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_str_equal (lines[i], "Commands:"))
        in_list = TRUE;
      else if (in_list && lines[i][0] == '\0')
        break;
      else if (in_list)
        {
          g_auto(GStrv) words = g_strsplit_set (g_strstrip (lines[i]), " ", 2);
          g_ptr_array_add (names, g_strdup (words[0]));
        }
    }
  return names;
}

/* Every "--long-option" a help lists, and for sendmail (whose help is a
 * usage line) every "-x" or "--long" between brackets too. */
static void
collect_options (const char *help,
                 GPtrArray  *options)
{
  g_autoptr(GRegex) regex = g_regex_new ("(?:^\\s+|\\[)(--?[A-Za-z][A-Za-z0-9-]*)", G_REGEX_MULTILINE, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;

  g_regex_match (regex, help, 0, &match);
  while (g_match_info_matches (match))
    {
      g_autofree char *option = g_match_info_fetch (match, 1);

      if (!g_str_equal (option, "--help") && !g_str_equal (option, "-h"))
        g_ptr_array_add (options, g_steal_pointer (&option));
      g_match_info_next (match, NULL);
    }
}

typedef struct {
  GPtrArray *commands;   /* "account add", "send", … */
  GPtrArray *options;    /* "account add\t--from", … */
} Surface;

static void
surface_clear (Surface *surface)
{
  g_clear_pointer (&surface->commands, g_ptr_array_unref);
  g_clear_pointer (&surface->options, g_ptr_array_unref);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Surface, surface_clear)

static void
check_leaf_help (Surface    *surface,
                 const char *command,
                 const char *help)
{
  g_autoptr(GPtrArray) options = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *full = g_strconcat ("postierctl ", command, NULL);

  g_assert_nonnull (strstr (help, full));
  g_ptr_array_add (surface->commands, g_strdup (command));
  collect_options (help, options);
  for (guint i = 0; i < options->len; i++)
    g_ptr_array_add (surface->options, g_strdup_printf ("%s\t%s", command, (char *) options->pdata[i]));
}

/* Runs every help there is and checks how each behaves. */
static void
walk_commands (Surface *surface)
{
  g_autofree char *top = NULL;
  g_autofree char *top_err = NULL;
  g_autoptr(GPtrArray) commands = NULL;

  surface->commands = g_ptr_array_new_with_free_func (g_free);
  surface->options = g_ptr_array_new_with_free_func (g_free);

  g_assert_cmpint (run_ctl (&top, &top_err, "--help", NULL), ==, 0);
  g_assert_cmpstr (top_err, ==, "");
  commands = listed_commands (top);
  g_assert_cmpuint (commands->len, >=, 5);

  for (guint i = 0; i < commands->len; i++)
    {
      const char *command = commands->pdata[i];
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      g_autoptr(GPtrArray) subcommands = NULL;

      g_test_message ("postierctl %s --help", command);
      g_assert_cmpint (run_ctl (&out, &err, command, "--help", NULL), ==, 0);
      g_assert_cmpstr (err, ==, "");
      g_assert_cmpstr (out, !=, "");
      subcommands = listed_commands (out);
      if (subcommands->len == 0)
        {
          check_leaf_help (surface, command, out);
          continue;
        }

      /* A group: its help lists the commands; alone it is a usage error. */
      {
        g_autofree char *bare_out = NULL;
        g_autofree char *bare_err = NULL;
        g_autofree char *h_out = NULL;

        g_assert_cmpint (run_ctl (&bare_out, &bare_err, command, NULL), ==, 64);
        g_assert_cmpstr (bare_out, ==, "");
        g_assert_nonnull (strstr (bare_err, "Usage"));
        g_assert_cmpint (run_ctl (&h_out, NULL, command, "-h", NULL), ==, 0);
        g_assert_cmpstr (h_out, ==, out);
      }
      for (guint j = 0; j < subcommands->len; j++)
        {
          g_autofree char *name = g_strdup_printf ("%s %s", command, (char *) subcommands->pdata[j]);
          g_autofree char *sub_out = NULL;
          g_autofree char *sub_err = NULL;

          g_test_message ("postierctl %s --help", name);
          g_assert_cmpint (run_ctl (&sub_out, &sub_err, command, subcommands->pdata[j], "--help", NULL), ==, 0);
          g_assert_cmpstr (sub_err, ==, "");
          check_leaf_help (surface, name, sub_out);
        }
    }
}

static void
test_every_help (void)
{
  g_auto(Surface) surface = { 0 };
  g_autofree char *err = NULL;

  walk_commands (&surface);
  /* The ones the contract names, so the walk cannot silently shrink. */
  for (const char * const *c = (const char * const[]) { "account add", "account set", "account list",
                                                         "queue flush", "sandbox show", "send",
                                                         "sendmail", NULL }; *c != NULL; c++)
    g_assert_true (g_ptr_array_find_with_equal_func (surface.commands, *c, g_str_equal, NULL));

  g_assert_cmpint (run_ctl (NULL, &err, "no-such-command", NULL), ==, 64);
  g_assert_nonnull (strstr (err, "no-such-command"));
}

static char *
man_page_path (const char *name)
{
  return g_build_filename (g_getenv ("POSTIER_SOURCE_ROOT"), "data", "man", name, NULL);
}

/* groff's own check: -ww turns on every warning, -z discards the output. */
static void
test_man_pages_render_cleanly (void)
{
  const char *pages[] = { "postierctl.1", "postier.1" };

  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      g_autofree char *path = man_page_path (pages[i]);
      const char *argv[] = { "groff", "-k", "-man", "-Tutf8", "-ww", "-z", path, NULL };
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;

      g_assert_cmpint (postier_test_run_program ((const char **) c_locale, NULL, &out, &err, argv), ==, 0);
      g_assert_cmpstr (err, ==, "");
    }
}

/* The page as text, hyphenation off and every run of white space made one
 * space, so a name broken across lines is still found. */
static char *
render_man_page (const char *name)
{
  g_autofree char *path = man_page_path (name);
  const char *argv[] = { "groff", "-k", "-man", "-Tascii", "-rHY=0", "-P-cbou", path, NULL };
  g_autofree char *out = NULL;
  g_autoptr(GRegex) spaces = g_regex_new ("\\s+", 0, 0, NULL);

  g_assert_cmpint (postier_test_run_program ((const char **) c_locale, NULL, &out, NULL, argv), ==, 0);
  return g_regex_replace_literal (spaces, out, -1, 0, " ", 0, NULL);
}

static void
test_man_page_covers_every_command (void)
{
  g_auto(Surface) surface = { 0 };
  g_autofree char *text = render_man_page ("postierctl.1");
  const char *codes[] = { "0 (EX_OK)", "64 (EX_USAGE)", "65 (EX_DATAERR)", "66 (EX_NOINPUT)",
                          "67 (EX_NOUSER)", "69 (EX_UNAVAILABLE)", "73 (EX_CANTCREAT)",
                          "74 (EX_IOERR)", "75 (EX_TEMPFAIL)", "77 (EX_NOPERM)", "78 (EX_CONFIG)" };
  /* The sendmail compatibility list: obeyed, then accepted and ignored. */
  const char *sendmail_options[] = { "-t", "-i", "-oi", "-f SENDER", "-r SENDER", "-F NAME", "-q",
                                     "-bp", "-bm", "-v", "mailq", "-oX", "-N DSN", "-R RETURN",
                                     "-V ENVID", "-X LOGFILE", "-B TYPE", "-C FILE", "-L TAG",
                                     "-h HOPS", "-O OPTION", "-U, -n, -G, -m, -s" };

  walk_commands (&surface);
  for (guint i = 0; i < surface.commands->len; i++)
    {
      g_autofree char *full = g_strdup_printf ("postierctl %s", (char *) surface.commands->pdata[i]);

      if (strstr (text, full) == NULL)
        g_error ("postierctl(1) does not mention “%s”", full);
    }
  for (guint i = 0; i < surface.options->len; i++)
    {
      g_auto(GStrv) pair = g_strsplit (surface.options->pdata[i], "\t", 2);
      g_autofree char *word = g_strdup_printf ("%s ", pair[1]);
      g_autofree char *word_comma = g_strdup_printf ("%s,", pair[1]);
      g_autofree char *word_bracket = g_strdup_printf ("%s]", pair[1]);

      if (strstr (text, word) == NULL && strstr (text, word_comma) == NULL &&
          strstr (text, word_bracket) == NULL)
        g_error ("postierctl(1) does not mention %s (of “postierctl %s”)", pair[1], pair[0]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (codes); i++)
    if (strstr (text, codes[i]) == NULL)
      g_error ("postierctl(1) has no exit status “%s”", codes[i]);
  for (guint i = 0; i < G_N_ELEMENTS (sendmail_options); i++)
    if (strstr (text, sendmail_options[i]) == NULL)
      g_error ("postierctl(1) does not list the sendmail option “%s”", sendmail_options[i]);
}

/* The background flusher's help says when it stays, as the code decides:
 * also for mail that waits for an Online Accounts account to come back. */
static void
test_queue_watch_help (void)
{
  g_autofree char *out = NULL, *err = NULL;

  g_assert_cmpint (run_ctl (&out, &err, "queue", "watch", "--help", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "only messages waiting for “queue retry”"));
  g_assert_nonnull (strstr (out, "It stays for messages waiting for an Online Accounts account"));
  g_assert_nonnull (strstr (out, "not for an account removed from Online Accounts"));
}

int
main (int   argc,
      char *argv[])
{
  postier_test_init (&argc, &argv);

  g_test_add_func ("/cli/help/every-command", test_every_help);
  g_test_add_func ("/cli/help/queue-watch-stays", test_queue_watch_help);
  g_test_add_func ("/cli/man/renders-cleanly", test_man_pages_render_cleanly);
  g_test_add_func ("/cli/man/covers-every-command", test_man_page_covers_every_command);

  return g_test_run ();
}
