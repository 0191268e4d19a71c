/* postier-send-pipeline-private.h — the send pipeline, for PostierSubmitter
 *
 * Why: the submitter schedules flushes; a flush job is one run of the
 * pipeline (postier-send-pipeline-flush.c takes the due entries,
 * postier-send-pipeline.c sends each account's group). The job is shared
 * by those two files, hence its struct here.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "postier-account.h"
#include "postier-outbox.h"
#include "postier-send-pipeline.h"
#include "postier-sent-store.h"

G_BEGIN_DECLS

/* How a flush tells its owner about entries. Called from the pipeline's
 * worker threads: the owner hops to its own main context. */
typedef struct {
  void (*entry_changed) (gpointer            data,
                         const char         *id,
                         PostierOutboxState  state);
  void (*progress)      (gpointer            data,
                         const char         *id,
                         guint64             bytes_sent,
                         guint64             bytes_total);
} PostierSendReport;

/* The pipeline's windows, which bound what one crash can do (a kill at
 * any moment; docs/design-notes.md, "Durability and duplicates", and
 * tests/faults/test-crash.c assert these figures):
 *
 * POSTIER_SEND_MARK_AHEAD: entries durably marked "sending" ahead of the
 *   one on the wire. The mark thread tops the window up only once half of
 *   it is used, so one disk commit marks several entries. Each one marked
 *   but not sent comes back flagged possible duplicate after a crash: a
 *   false alarm, not a second copy.
 * POSTIER_SEND_MAX_UNSETTLED: entries sent whose outcome is not yet on
 *   disk; the relay waits when the disk falls that far behind. Four let
 *   one slow disk commit on a busy machine stall the relay (issue 12). */
#define POSTIER_SEND_MARK_AHEAD      16
#define POSTIER_SEND_MAX_UNSETTLED   8
/* Messages the relay may hold that the outbox still holds after a crash,
 * each sent once more (flagged): the unsettled ones, plus the one whose
 * end of data went out and whose reply was not read. */
#define POSTIER_SEND_MAX_DUPLICATES_PER_CRASH (POSTIER_SEND_MAX_UNSETTLED + 1)
/* Entries a crash leaves marked "sending" (flagged at the next start): the
 * duplicates above plus the entries marked ahead. */
#define POSTIER_SEND_MAX_FLAGGED_PER_CRASH (POSTIER_SEND_MAX_DUPLICATES_PER_CRASH + \
                                            POSTIER_SEND_MARK_AHEAD)

typedef struct _PostierFlushJob PostierFlushJob;

struct _PostierFlushJob
{
  PostierOutbox      *outbox;
  PostierSentStore   *sent;
  GHashTable         *accounts;     /* name → PostierAccount (copies) */
  gboolean            online;
  gboolean            loopback_works_offline;
  PostierFlushStats   stats;
  guint               unsent;       /* due entries not sent at the end */
  PostierFlushFlags   flags;
  GHashTable         *attempted;    /* ids taken in this flush */
  GHashTable         *offline;      /* ids left for want of a network */
  PostierSendReport   report;
  gpointer            report_data;
  GDestroyNotify      report_data_free;
};

/* ACCOUNTS (PostierAccount) are copied. Online by default. */
PostierFlushJob         *_postier_flush_job_new         (PostierOutbox           *outbox,
                                                         PostierSentStore        *sent,
                                                         GPtrArray               *accounts,
                                                         PostierFlushFlags        flags);
void                     _postier_flush_job_free        (PostierFlushJob         *job);
void                     _postier_flush_job_set_network (PostierFlushJob         *job,
                                                         gboolean                 online,
                                                         gboolean                 loopback_works_offline);
void                     _postier_flush_job_set_report  (PostierFlushJob         *job,
                                                         const PostierSendReport *report,
                                                         gpointer                 data,
                                                         GDestroyNotify           data_free);
/* One flush (blocking, on a worker thread or for the CLI): takes the lock,
 * recovers, sends rounds of due entries until a look finds none. */
gboolean                 _postier_flush_job_run         (PostierFlushJob         *job,
                                                         GCancellable            *cancellable,
                                                         GError                 **error);
const PostierFlushStats *_postier_flush_job_get_stats   (PostierFlushJob         *job);
guint                    _postier_flush_job_get_unsent  (PostierFlushJob         *job);

/* Sends ENTRIES (all of ACCOUNT_NAME's, in order) over one session, each
 * marked, sent and settled by the three threads; adds to the job's stats. */
void                     _postier_send_pipeline_run     (PostierFlushJob         *job,
                                                         const char              *account_name,
                                                         GPtrArray               *entries,
                                                         GCancellable            *cancellable);

G_END_DECLS
