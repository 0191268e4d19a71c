/* postierctl-light.c — what the light postierctl hands to postierctl-full
 *
 * `postierctl send --queue-only` and `sendmail --queue-only` run a few
 * thousand times in a script: their cost is mostly the dynamic loader's,
 * and OpenSSL alone (4 000 relocations, bound at load) cost more than the
 * whole enqueue. So the postierctl on the PATH holds only what queues a
 * message (postierctl.c, postierctl-send.c, postierctl-input.c and the
 * parts of core they use: GLib, GIO, GMime), and everything that talks to
 * a relay, the keyring or prints JSON lives in postierctl-full, which it
 * executes with the same arguments. The functions below are the light
 * binary's versions of the ones that would pull those libraries in.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postierctl"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "postier-build-env.h"
#include "postierctl-private.h"

/* The build tree's postierctl-full lies next to this program; an installed
 * one in Postier's libexec folder. */
static char *
full_program (void)
{
  if (postier_running_uninstalled ())
    {
      g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);

      if (self != NULL)
        {
          g_autofree char *dir = g_path_get_dirname (self);
          return g_build_filename (dir, "postierctl-full", NULL);
        }
    }
  return g_strdup (POSTIERCTL_FULL_PATH);
}

/* Replaces this process with postierctl-full ARGV0 ARGS…; returns only on
 * failure, with the exit status to use. */
static int
run_full (const char  *argv0,
          int          argc,
          char       **args)
{
  g_autofree char *program = full_program ();
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  int saved_errno;

  g_ptr_array_add (argv, (gpointer) argv0);
  for (int i = 0; i < argc; i++)
    g_ptr_array_add (argv, args[i]);
  g_ptr_array_add (argv, NULL);
  fflush (stdout);
  fflush (stderr);
  execv (program, (char **) argv->pdata);
  saved_errno = errno;
  g_printerr ("postierctl: ");
  g_printerr (_("cannot run %s: %s"), program, g_strerror (saved_errno));
  g_printerr ("\n");
  return EX_UNAVAILABLE;
}

/* The commands the light binary does not hold: ARGV[0] is the command's
 * own name, as postierctl.c's main() passes it. */
int
postierctl_account_main (int    argc,
                         char **argv)
{
  return run_full ("postierctl", argc, argv);
}

int
postierctl_queue_main (int    argc,
                       char **argv)
{
  return run_full ("postierctl", argc, argv);
}

int
postierctl_sandbox_main (int    argc,
                         char **argv)
{
  return run_full ("postierctl", argc, argv);
}

/* Invoked as mailq, or sendmail -bp: postierctl-full recognises its name. */
int
postierctl_mailq (void)
{
  return run_full ("mailq", 0, NULL);
}

int
postierctl_sendmail_flush (void)
{
  char *args[] = { (char *) POSTIERCTL_INTERNAL_COMMAND, (char *) "sendmail-flush" };

  return run_full ("postierctl", G_N_ELEMENTS (args), args);
}

/* Queued already: --queue-only is done; anything else is tried at once by
 * postierctl-full, which reports it as `postierctl send` always has. */
int
postierctl_deliver (const char            *id,
                    PostierctlDeliverFlags flags)
{
  g_autofree char *flags_text = NULL;
  char *args[4];

  if (flags & POSTIERCTL_DELIVER_QUEUE_ONLY)
    return postierctl_report_queued (id, flags);
  flags_text = g_strdup_printf ("%u", (guint) flags);
  args[0] = (char *) POSTIERCTL_INTERNAL_COMMAND;
  args[1] = (char *) "deliver";
  args[2] = (char *) id;
  args[3] = flags_text;
  return run_full ("postierctl", G_N_ELEMENTS (args), args);
}

int
postierctl_internal_main (int    argc,
                          char **argv)
{
  return run_full ("postierctl", argc, argv);
}

/* send/sendmail --account NAME, not in accounts.ini: it may be a GNOME
 * Online Accounts account, which only postierctl-full (linked with libgoa)
 * can ask for. The command goes over as given (ARGV[0] is the command's
 * name, or the path of a sendmail link); stdin is not read yet. */
PostierAccount *
postierctl_online_account (G_GNUC_UNUSED const char *name,
                           int          argc,
                           char       **argv,
                           G_GNUC_UNUSED GError **error)
{
  g_autofree char *command = g_path_get_basename (argv[0]);
  g_autofree char **args = g_memdup2 (argv, sizeof (char *) * (argc + 1));

  args[0] = command;
  /* Returns only when postierctl-full could not be run (said already). */
  exit (run_full ("postierctl", argc, args));
}
