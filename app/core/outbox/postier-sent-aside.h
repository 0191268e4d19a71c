/* postier-sent-aside.h — sent entries set aside until their Sent copies are on disk
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "postier-outbox.h"
#include "postier-sent-store.h"

G_BEGIN_DECLS

/* The prefix of a sent entry's folder once set aside: <outbox>/.sent-COPY,
 * COPY being the name of its Sent copy. Hidden, so no listing shows it. */
#define POSTIER_SENT_ASIDE_PREFIX ".sent-"

/* A commit (the copies synced, new/ and the outbox folder synced)
 * once this many entries or bytes are set aside; the settle thread waits
 * while MAX_ASIDE entries (or MAX_ASIDE_BYTES, when more than one) are not
 * committed. A power cut can leave that many folders set aside, each one's
 * copy written again at the next flush: docs/design-notes.md, "Outbox
 * flush at the relay's pace, the third pass". */
#define POSTIER_SENT_ASIDE_COMMIT_EVERY   32
#define POSTIER_SENT_ASIDE_COMMIT_BYTES   (4 * 1024 * 1024)
#define POSTIER_SENT_ASIDE_MAX            128
#define POSTIER_SENT_ASIDE_MAX_BYTES      (32 * 1024 * 1024)

typedef struct _PostierSentAside PostierSentAside;

/* Starts the commit thread of one account's group. */
PostierSentAside *_postier_sent_aside_new       (PostierOutbox      *outbox,
                                                 PostierSentStore   *sent);
/* Renames the folder of ENTRY, sent and whose copy COPY is written (not
 * yet on disk), to <outbox>/.sent-COPY: out of the outbox for a kill, its
 * message kept until the copy is committed. Never waits for the disk. */
gboolean          _postier_sent_aside_put       (PostierSentAside   *self,
                                                 PostierOutboxEntry *entry,
                                                 const char         *copy,
                                                 GError            **error);
/* The Sent copy of ENTRY, which the relay took, written (not yet on disk)
 * over a spare when there is one: the messages of committed entries,
 * moved to the Sent store's tmp/ instead of deleted. Its name, or NULL
 * with a warning: a copy that failed never keeps the entry (it would be
 * sent again). */
char             *_postier_sent_aside_write_copy (PostierSentAside   *self,
                                                  PostierOutboxEntry *entry,
                                                  gint64              now);
/* Blocks while too much is set aside and not committed. */
void              _postier_sent_aside_wait_room (PostierSentAside   *self);
/* Commits the rest, stops the thread, frees SELF. TRUE when every entry
 * set aside is committed and gone; FALSE leaves folders for recovery. */
gboolean          _postier_sent_aside_finish    (PostierSentAside   *self,
                                                 guint              *commits);
/* Under the flush lock, at recovery: each <outbox>/.sent-COPY left by a
 * crash has its copy written again (durably, under the same name, so never
 * twice) and goes. A folder whose removal had begun was committed. Spares
 * a killed flush left go too. */
void              _postier_sent_aside_recover   (PostierOutbox      *outbox,
                                                 PostierSentStore   *sent);

G_END_DECLS
