/* postier-init.h — starting core up, apart from the umbrella header
 *
 * Core's own files call postier_core_init() but may not include
 * postier-core.h (it includes every module, so it would hide which ones a
 * file really uses and invite include circles); these two declarations live
 * here, and postier-core.h includes this header for the app and the CLI.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Initialises the libraries core depends on (GMime). Safe to call often. */
void postier_core_init (void);

/* For the programs (the app, postierctl), first thing in main(): makes the
 * process non-dumpable, so no core file or same-user ptrace can read the
 * passwords it may hold, and tightens Postier's existing folders to 0700.
 * Not for tests or libraries embedding core. */
void postier_core_protect_process (void);

G_END_DECLS
