/* postier-spam-check.c — `spamassassin -L -t` on a message, read back
 *
 * The report's "Content analysis details" table is SpamAssassin's stable,
 * documented output for people (its -t test mode); reading it gives the
 * score, the threshold and every rule with its points and description in
 * one run, without a spamd to start or keep.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "postier-spam-check.h"

/* Loading the rules takes seconds; a message a minute is far too long. */
#define SPAM_CHECK_SECONDS 60

static void
spam_rule_free (PostierSpamRule *rule)
{
  g_free (rule->name);
  g_free (rule->description);
  g_free (rule);
}

void
postier_spam_report_free (PostierSpamReport *report)
{
  if (report == NULL)
    return;
  g_clear_pointer (&report->rules, g_ptr_array_unref);
  g_free (report);
}

static PostierSpamReport *
report_new (gboolean available)
{
  PostierSpamReport *report = g_new0 (PostierSpamReport, 1);

  report->available = available;
  report->required = 5.0;
  report->rules = g_ptr_array_new_with_free_func ((GDestroyNotify) spam_rule_free);
  return report;
}

static int
by_points_descending (gconstpointer a,
                      gconstpointer b)
{
  const PostierSpamRule *left = *(PostierSpamRule * const *) a;
  const PostierSpamRule *right = *(PostierSpamRule * const *) b;

  return left->points < right->points ? 1 : left->points > right->points ? -1 : 0;
}

/* " 2.7 MISSING_DATE           Missing Date: header"; a line of spaces
 * only continues the previous description. */
static void
parse_table_line (PostierSpamReport *report,
                  const char        *line)
{
  g_autofree char *copy = g_strstrip (g_strdup (line));
  char *end = NULL;
  double points = g_ascii_strtod (copy, &end);
  PostierSpamRule *rule;

  if (end == copy || (*end != ' ' && *end != '\t'))
    {
      if (report->rules->len > 0 && *copy != '\0')
        {
          PostierSpamRule *last = g_ptr_array_index (report->rules, report->rules->len - 1);
          char *joined = g_strconcat (last->description, " ", copy, NULL);

          g_free (last->description);
          last->description = joined;
        }
      return;
    }
  end = g_strchug (end);
  rule = g_new0 (PostierSpamRule, 1);
  rule->points = points;
  rule->name = g_strndup (end, strcspn (end, " \t"));
  rule->description = g_strdup (g_strchug (end + strlen (rule->name)));
  g_ptr_array_add (report->rules, rule);
}

PostierSpamReport *
postier_spam_report_parse (const char  *output,
                           GError     **error)
{
  g_autoptr(PostierSpamReport) report = report_new (TRUE);
  g_auto(GStrv) lines = g_strsplit (output, "\n", -1);
  gboolean found = FALSE, in_table = FALSE;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = lines[i];
      const char *details;

      g_strchomp (line);
      if ((details = strstr (line, "Content analysis details:")) != NULL)
        {
          /* "(3.9 points, 5.0 required)", read without the locale's
           * decimal comma. */
          const char *open = strchr (details, '(');
          const char *comma = open != NULL ? strstr (open, "points,") : NULL;
          char *end = NULL;

          if (comma != NULL)
            {
              report->score = g_ascii_strtod (open + 1, &end);
              found = end != open + 1;
              report->required = g_ascii_strtod (comma + strlen ("points,"), &end);
            }
        }
      else if (found && g_str_has_prefix (line, "----"))
        in_table = TRUE;
      else if (in_table && *line == '\0')
        break;
      else if (in_table)
        parse_table_line (report, line);
    }
  if (!found)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("SpamAssassin’s report could not be read"));
      return NULL;
    }
  g_ptr_array_sort (report->rules, by_points_descending);
  return g_steal_pointer (&report);
}

char *
postier_spam_report_summary (const PostierSpamReport *report)
{
  if (!report->available)
    return g_strdup (_("SpamAssassin is not installed. To see the score receivers’ spam filters "
                       "might give this message, install it: sudo apt install spamassassin"));
  if (report->score >= report->required)
    return g_strdup_printf (_("Spam score %.1f: SpamAssassin would file this message as spam "
                              "(from %.1f)."), report->score, report->required);
  return g_strdup_printf (_("Spam score %.1f: below SpamAssassin’s spam threshold of %.1f."),
                          report->score, report->required);
}

typedef struct {
  GSubprocess *process;
  guint        limit_source;
} SpamRun;

static void
spam_run_free (SpamRun *run)
{
  g_clear_object (&run->process);
  g_free (run);
}

static void
on_communicated (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GBytes) out = NULL;
  GError *error = NULL;
  g_autofree char *text = NULL;
  PostierSpamReport *report;
  SpamRun *run = g_task_get_task_data (task);

  g_clear_handle_id (&run->limit_source, g_source_remove);
  if (!g_subprocess_communicate_finish (G_SUBPROCESS (source), result, &out, NULL, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (g_subprocess_get_if_signaled (G_SUBPROCESS (source)))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                               _("SpamAssassin did not finish within %d seconds"), SPAM_CHECK_SECONDS);
      return;
    }
  /* Nothing printed (a broken install, a crash): the data of empty bytes
   * is NULL, which g_strndup() would hand on as NULL. */
  text = g_bytes_get_size (out) > 0 ? g_strndup (g_bytes_get_data (out, NULL), g_bytes_get_size (out))
                                    : g_strdup ("");
  report = postier_spam_report_parse (text, &error);
  if (report == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, report, (GDestroyNotify) postier_spam_report_free);
}

static gboolean
on_time_limit (gpointer user_data)
{
  SpamRun *run = user_data;

  run->limit_source = 0;
  g_subprocess_force_exit (run->process);
  return G_SOURCE_REMOVE;
}

void
postier_spam_check_async (GBytes              *message,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_autofree char *program = g_find_program_in_path ("spamassassin");
  g_autoptr(GSubprocess) process = NULL;
  GError *error = NULL;
  SpamRun *run;

  g_task_set_source_tag (task, postier_spam_check_async);
  if (program == NULL)
    {
      g_task_return_pointer (task, report_new (FALSE), (GDestroyNotify) postier_spam_report_free);
      return;
    }
  /* -L: no network tests; -p /dev/null: no user preferences read or
   * created; no Bayes: nothing is learnt from what the person tests.
   * INHERIT_FDS lets GLib use posix_spawn instead of fork: forking the
   * app copied its page tables and made its next writes fault, a stall
   * of the window when the Sandbox loaded a message. Our descriptors
   * are all opened close-on-exec, and the app marks those it inherited
   * at start (postier_core_cloexec_inherited_fds()), so nothing else
   * leaks. */
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                              G_SUBPROCESS_FLAGS_STDERR_SILENCE | G_SUBPROCESS_FLAGS_INHERIT_FDS, &error,
                              program, "-L", "-t", "-p", "/dev/null",
                              "--cf=use_bayes 0", "--cf=bayes_auto_learn 0", NULL);
  if (process == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  /* Perl loading the rules takes seconds of CPU: behind the window. */
  if (g_subprocess_get_identifier (process) != NULL)
    (void) setpriority (PRIO_PROCESS, (id_t) atoi (g_subprocess_get_identifier (process)),
                        MIN (getpriority (PRIO_PROCESS, 0) + 10, 19));
  run = g_new0 (SpamRun, 1);
  run->process = g_object_ref (process);
  run->limit_source = g_timeout_add_seconds (SPAM_CHECK_SECONDS, on_time_limit, run);
  g_task_set_task_data (task, run, (GDestroyNotify) spam_run_free);
  g_subprocess_communicate_async (process, message, cancellable, on_communicated, g_steal_pointer (&task));
}

PostierSpamReport *
postier_spam_check_finish (GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
