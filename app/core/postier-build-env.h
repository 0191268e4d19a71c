/* postier-build-env.h — environment variables honoured only in the build tree
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* TRUE when the running program lives under the build directory it was
 * compiled in (make run, the test suite, the benchmarks); FALSE once it is
 * installed. */
gboolean     postier_running_uninstalled (void);

/* g_getenv() for the variables that exist for the build tree only
 * (POSTIER_LOCALEDIR, POSTIER_BENCH_FIRST_FRAME): NULL in an installed
 * program, whatever the environment says. */
const char  *postier_build_getenv        (const char *name);

G_END_DECLS
