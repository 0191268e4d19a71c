/* postier-send-pipeline.h — what a flush takes and what it did
 *
 * Why a header of its own: these are the send pipeline's words, used by
 * PostierSubmitter's public API; keeping them here lets the pipeline build
 * without knowing the submitter (no include circle).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What one flush did; see postier_submitter_flush_sync(). */
typedef struct {
  guint attempted;
  guint sent;
  guint deferred;
  guint failed;
  guint needs_attention;
  guint connections;
} PostierFlushStats;

/* What a flush takes, and how it treats another flusher.
 *
 * DUE: queued entries, and deferred ones whose next attempt has come (the
 *   app's timers, `queue flush --due`). This is what flush_sync() does.
 * ALL: every queued and deferred entry now, whatever its backoff timer
 *   (`queue flush`, like `postqueue -f`). Failed and needs-attention
 *   entries are never taken by a flush: they wait for a retry.
 * WAIT_FOR_LOCK: when another process holds the flush lock, wait for it
 *   (polling, cancellable) instead of failing with BUSY. For a caller that
 *   must know what became of its entry (`send`'s immediate try).
 *
 * Whatever the flags, a flush never strands a late entry: after its last
 * group it looks at the outbox again, sends what became due meanwhile, and
 * looks once more after letting go of the lock; if another flusher has the
 * lock by then, that one takes them. So a process that enqueued and found
 * the lock busy may count on the holder. Each entry is attempted at most
 * once per flush, unless the person retried it meanwhile. */
typedef enum {
  POSTIER_FLUSH_DUE           = 0,
  POSTIER_FLUSH_ALL           = 1 << 0,
  POSTIER_FLUSH_WAIT_FOR_LOCK = 1 << 1,
} PostierFlushFlags;

G_END_DECLS
