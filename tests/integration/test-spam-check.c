/* test-spam-check.c — the real SpamAssassin on three messages: the scores
 * come in the order a person expects, and the rules that fired are named
 *
 * Exact points change with SpamAssassin's rules; the order does not.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "postier-spam-check.h"
#include "postier-test.h"

#define CLEAN \
  "From: Ann Lee <ann@pass.test>\r\nTo: Bob <bob@pass.test>\r\n" \
  "Date: Sun, 06 Dec 2026 09:00:00 +0100\r\nMessage-ID: <minutes.42@pass.test>\r\n" \
  "Subject: Minutes of Tuesday's meeting\r\nMIME-Version: 1.0\r\n" \
  "Content-Type: text/plain; charset=utf-8\r\n\r\n" \
  "Hello Bob,\r\n\r\nhere are the minutes: we agreed on the budget and the\r\n" \
  "next meeting is on Friday at ten.\r\n\r\nAnn\r\n"
#define SHOUTING \
  "From: Ann Lee <ann@pass.test>\r\nTo: Bob <bob@pass.test>\r\n" \
  "Date: Sun, 06 Dec 2026 09:00:00 +0100\r\nMessage-ID: <win.43@pass.test>\r\n" \
  "Subject: FREE MONEY FOR YOU NOW\r\nMIME-Version: 1.0\r\n" \
  "Content-Type: text/plain; charset=utf-8\r\n\r\n" \
  "CLICK HERE NOW http://198.51.100.7/win FREE MONEY GUARANTEED\r\n"
#define NO_DATE_NO_ID \
  "From: Ann Lee <ann@pass.test>\r\nTo: Bob <bob@pass.test>\r\n" \
  "Subject: Minutes of Tuesday's meeting\r\n\r\n" \
  "Hello Bob,\r\n\r\nhere are the minutes.\r\n\r\nAnn\r\n"

typedef struct {
  GMainLoop         *loop;
  guint              pending;
  PostierSpamReport *reports[3];
} Run;

typedef struct {
  Run   *run;
  guint  index;
} Job;

static void
on_checked (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Job *job = user_data;
  g_autoptr(GError) error = NULL;

  (void) source;
  job->run->reports[job->index] = postier_spam_check_finish (result, &error);
  g_assert_no_error (error);
  if (--job->run->pending == 0)
    g_main_loop_quit (job->run->loop);
  g_free (job);
}

static gboolean
fired (const PostierSpamReport *report,
       const char              *name)
{
  for (guint i = 0; i < report->rules->len; i++)
    if (g_str_equal (((PostierSpamRule *) g_ptr_array_index (report->rules, i))->name, name))
      return TRUE;
  return FALSE;
}

static void
test_scores_in_order (void)
{
  const char *messages[] = { CLEAN, SHOUTING, NO_DATE_NO_ID };
  g_autofree char *spamassassin = g_find_program_in_path ("spamassassin");
  Run run = { NULL, G_N_ELEMENTS (messages), { NULL } };

  if (spamassassin == NULL)
    {
      if (g_getenv ("POSTIER_TEST_REQUIRE_RIG") != NULL)
        g_test_fail_printf ("spamassassin is not installed (build-aux/debian-packages.txt lists it)");
      else
        g_test_skip ("spamassassin is not installed");
      return;
    }
  /* The three at once: each run loads the rules for a few seconds. */
  run.loop = g_main_loop_new (NULL, FALSE);
  for (guint i = 0; i < G_N_ELEMENTS (messages); i++)
    {
      g_autoptr(GBytes) bytes = g_bytes_new_static (messages[i], strlen (messages[i]));
      Job *job = g_new0 (Job, 1);

      job->run = &run;
      job->index = i;
      postier_spam_check_async (bytes, NULL, on_checked, job);
    }
  g_main_loop_run (run.loop);

  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *summary = postier_spam_report_summary (run.reports[i]);
      g_test_message ("message %u: %s (%u rules)", i, summary, run.reports[i]->rules->len);
      g_assert_true (run.reports[i]->available);
      g_assert_cmpfloat (run.reports[i]->required, >, 0);
    }
  g_assert_cmpfloat (run.reports[0]->score, <, run.reports[1]->score);
  g_assert_cmpfloat (run.reports[0]->score, <, run.reports[2]->score);
  g_assert_true (fired (run.reports[1], "SUBJ_ALL_CAPS"));
  g_assert_true (fired (run.reports[2], "MISSING_DATE"));
  g_assert_true (fired (run.reports[2], "MISSING_MID"));
  g_assert_false (fired (run.reports[0], "MISSING_DATE"));
  /* Highest points first, as the list shows them. */
  for (guint i = 1; i < run.reports[2]->rules->len; i++)
    g_assert_cmpfloat (((PostierSpamRule *) run.reports[2]->rules->pdata[i - 1])->points, >=,
                       ((PostierSpamRule *) run.reports[2]->rules->pdata[i])->points);

  for (guint i = 0; i < 3; i++)
    postier_spam_report_free (run.reports[i]);
  g_main_loop_unref (run.loop);
}

static void
on_checked_once (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  PostierSpamReport **report = user_data;

  (void) source;
  *report = postier_spam_check_finish (result, NULL);
}

/* Without SpamAssassin, one line says how to get it; nothing fails. */
static void
test_not_installed_says_how_to_get_it (void)
{
  g_autofree char *old_path = g_strdup (g_getenv ("PATH"));
  g_autoptr(GBytes) bytes = g_bytes_new_static (CLEAN, strlen (CLEAN));
  PostierSpamReport *report = NULL;
  g_autofree char *summary = NULL;

  g_setenv ("PATH", g_get_tmp_dir (), TRUE);
  postier_spam_check_async (bytes, NULL, on_checked_once, &report);
  while (report == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_setenv ("PATH", old_path, TRUE);
  g_assert_false (report->available);
  summary = postier_spam_report_summary (report);
  g_assert_nonnull (strstr (summary, "apt install spamassassin"));
  postier_spam_report_free (report);
}

static void
test_parse_continued_descriptions (void)
{
  const char *output =
    "Content analysis details:   (7.5 points, 5.0 required)\n\n"
    " pts rule name              description\n"
    "---- ---------------------- --------------------------------------------------\n"
    " 0.2 NORMAL_HTTP_TO_IP      URI: URI host has a public dotted-decimal IPv4\n"
    "                            address\n"
    " 2.7 MISSING_DATE           Missing Date: header\n"
    "-0.0 NO_RELAYS              Informational: message was not relayed via SMTP\n\n"
    "later text 9.9 IGNORED\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(PostierSpamReport) report = postier_spam_report_parse (output, &error);
  PostierSpamRule *first, *last;

  g_assert_no_error (error);
  g_assert_cmpfloat (report->score, ==, 7.5);
  g_assert_cmpuint (report->rules->len, ==, 3);
  first = g_ptr_array_index (report->rules, 0);
  last = g_ptr_array_index (report->rules, 2);
  g_assert_cmpstr (first->name, ==, "MISSING_DATE");
  g_assert_cmpstr (((PostierSpamRule *) report->rules->pdata[1])->description, ==,
                   "URI: URI host has a public dotted-decimal IPv4 address");
  g_assert_cmpstr (last->name, ==, "NO_RELAYS");
  g_assert_null (postier_spam_report_parse ("no report here", NULL));
}

int
main (int    argc,
      char **argv)
{
  postier_test_init (&argc, &argv);
  g_test_add_func ("/spam-check/scores-in-order", test_scores_in_order);
  g_test_add_func ("/spam-check/not-installed-says-how-to-get-it", test_not_installed_says_how_to_get_it);
  g_test_add_func ("/spam-check/parse-continued-descriptions", test_parse_continued_descriptions);
  return g_test_run ();
}
