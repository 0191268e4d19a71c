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

/* For the desktop app, first thing in main(): marks every descriptor above
 * 2 close-on-exec. Those the app opens are already; those inherited from
 * whatever started it (a shell's pipes, a terminal, /dev/null) are not,
 * and the app starts SpamAssassin with G_SUBPROCESS_FLAGS_INHERIT_FDS
 * (posix_spawn, which passes on every descriptor not marked). Not for
 * postierctl: it execs postierctl-full, which must keep them. */
void postier_core_cloexec_inherited_fds (void);

G_END_DECLS
