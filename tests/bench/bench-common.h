/* bench-common.h — what the benchmarks share: the rig, timing, children
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* POSTIER_TEST_<NAME> from tests/rig/with-rig; exits 77 (skip) without. */
const char *bench_rig              (const char  *name);
/* POSTIER_BENCH_N, or FALLBACK. */
guint       bench_n                (guint        fallback);
double      bench_seconds_since    (gint64       start);
char       *bench_make_folder      (void);

/* Runs ARGV to the end with STDIN_PATH (or nothing) as its input; returns
 * the wall time in seconds. PEAK_RSS_KB, when not NULL, gets the child's
 * peak resident memory. A failing child is reported, not fatal. */
double      bench_run              (const char * const *argv,
                                    const char  *stdin_path,
                                    gboolean     quiet,
                                    glong       *peak_rss_kb);

/* Waits until the rig's Postfix has no message left to deliver, so one
 * tool's deliveries do not slow the next one down. */
void        bench_wait_for_empty_queue (void);

/* Postfix's own `smtp-source -d -s 1` (one session, each message waits for
 * its reply) into PORT: messages per second, the server's ceiling. */
double      bench_smtp_source      (guint        port,
                                    guint        n);

/* Runs smtp-source into PORT, 1 000 messages at a time, until the
 * server's pace levels off (at least 8 runs, then until the last three
 * are within 10 % of each other; 16 runs at most), printing each pace:
 * a fresh rig's Postfix starts at a third to two thirds of its steady
 * pace and needs thousands of messages to reach it. Returns the last
 * pace. */
double      bench_warm_up_server   (guint        port);

/* msmtp, one process per message, STARTTLS + AUTH PLAIN to the rig's
 * submission port, sending each of MESSAGES (paths): messages per second. */
double      bench_msmtp            (GPtrArray   *messages);

/* The block device holding a path, counted (Linux's
 * /sys/dev/block/MAJ:MIN/stat, the whole disk's for a partition): what a
 * run asked of the disk. OK is FALSE where the kernel says nothing. */
typedef struct {
  gboolean ok;
  guint64  writes;
  guint64  discards;
  guint64  flushes;
} BenchDisk;

BenchDisk   bench_disk_read        (const char  *path);
/* Counters A and B added: two runs' starts, or their ends, taken as one. */
BenchDisk   bench_disk_add         (const BenchDisk *a,
                                    const BenchDisk *b);
/* "W writes, D discards, F cache flushes a message" between BEFORE and
 * AFTER for N messages, or "disk not counted". */
char       *bench_disk_per_message (const BenchDisk *before,
                                    const BenchDisk *after,
                                    guint            n);

G_END_DECLS
