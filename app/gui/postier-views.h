/* postier-views.h — puts the outbox, Sent and Sandbox views, the account
 * set-up and the preferences into a PostierWindow
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "postier-window.h"

G_BEGIN_DECLS

/* Replaces the "outbox", "sent" and "sandbox" placeholders with the views,
 * wired to the application's engine. */
void postier_views_install            (PostierWindow *window);

/* The set-up of an account in a window of its own. FIRST_RUN offers "Use
 * the Sandbox for now" and remembers that choice. */
void postier_views_show_account_setup (PostierWindow *window,
                                       gboolean       first_run);
/* On start: the set-up, when there is no real account and the person has
 * not chosen the Sandbox before. */
void postier_views_maybe_first_run    (PostierWindow *window);

void postier_views_show_preferences   (PostierWindow *window);

G_END_DECLS
