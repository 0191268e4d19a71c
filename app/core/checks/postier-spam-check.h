/* postier-spam-check.h — SpamAssassin's opinion of a captured message
 *
 * Runs the real SpamAssassin (Debian's `spamassassin`) on the message, with
 * network tests off (-L) and nothing learnt or written (no Bayes, no user
 * preferences), on a worker, with a time limit. When SpamAssassin is not
 * installed, the report says so and how to get it; that is not an error.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct {
  double  points;
  char   *name;          /* "MISSING_DATE" */
  char   *description;   /* SpamAssassin's own words, English */
} PostierSpamRule;

typedef struct {
  gboolean    available;   /* FALSE: SpamAssassin is not installed */
  double      score;
  double      required;    /* SpamAssassin's spam threshold, usually 5 */
  GPtrArray  *rules;       /* of PostierSpamRule, highest points first */
} PostierSpamReport;

void postier_spam_report_free (PostierSpamReport *report);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PostierSpamReport, postier_spam_report_free)

/* Scores MESSAGE (its raw bytes). Fails when SpamAssassin ran but did not
 * finish within the time limit or its output made no sense. */
void               postier_spam_check_async  (GBytes              *message,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
PostierSpamReport *postier_spam_check_finish (GAsyncResult        *result,
                                              GError             **error);

/* One translated line for people: "Spam score 3.9 (spam from 5.0)", or how
 * to install SpamAssassin. */
char              *postier_spam_report_summary (const PostierSpamReport *report);

/* Parses `spamassassin -t` output (for tests of the parser). */
PostierSpamReport *postier_spam_report_parse  (const char          *output,
                                               GError             **error);

G_END_DECLS
