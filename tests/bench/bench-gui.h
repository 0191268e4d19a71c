/* bench-gui.h — what the GUI benches (bench-frames, bench-composer-from)
 * share; apart from bench-common, which the non-GUI benches link and so
 * stays free of GTK
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Spins the main loop (postier_ui_test_wait_for(), TIMEOUT_MS at most)
 * until MODEL has exactly N items; the bench stops naming WHAT if it never
 * does. */
void bench_wait_for_n_items      (GListModel *model,
                                  guint       n,
                                  guint       timeout_ms,
                                  const char *what);
/* The same until MODEL has fewer than N items. */
void bench_wait_for_fewer_items  (GListModel *model,
                                  guint       n,
                                  guint       timeout_ms,
                                  const char *what);

G_END_DECLS
