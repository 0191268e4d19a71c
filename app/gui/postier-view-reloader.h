/* postier-view-reloader.h — how a view learns of changes and reloads
 *
 * The outbox, Sent and Sandbox views all show a folder that other threads
 * and processes change. Each owns one reloader, which:
 *
 *   - listens to ::changed on the store (PostierOutbox, PostierSentStore,
 *     PostierSandboxStore: a signal with no arguments);
 *   - waits POSTIER_VIEW_RELOAD_DELAY_MS after the first change, so a burst
 *     (a flush rewrites many files) makes one reload, and at least
 *     POSTIER_VIEW_RELOAD_MIN_GAP_MS from the last listing's start; a
 *     change while a listing is on its way makes one more listing after
 *     it, never two listings at once;
 *   - starts the store's async listing through LIST with a fresh
 *     cancellable, cancelling the older listing still on its way;
 *   - calls DONE with the answer of the newest listing only, and never
 *     after postier_view_reloader_stop() (the view calls it in dispose).
 *
 * The view never reads the disk itself: LIST starts a thread (a GTask in
 * the store), DONE runs on the main thread with the store's _finish().
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* One delay for every view: the time from a change to the reload. */
#define POSTIER_VIEW_RELOAD_DELAY_MS 150
/* …and the least time from one listing's start to the next's, so a view
 * whose folder keeps changing (a flush of a thousand) reloads once a
 * second, not after every message. */
#define POSTIER_VIEW_RELOAD_MIN_GAP_MS 1000

#define POSTIER_TYPE_VIEW_RELOADER (postier_view_reloader_get_type ())
G_DECLARE_FINAL_TYPE (PostierViewReloader, postier_view_reloader, POSTIER, VIEW_RELOADER, GObject)

/* Starts an async listing of STORE, e.g. postier_outbox_list_async();
 * CALLBACK gets STORE as its source object. */
typedef void (*PostierViewReloaderListFunc) (GObject             *store,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
/* Takes the listing with the store's _finish() and shows it. Called only
 * for the newest listing, while the view lives; a cancelled listing never
 * reaches it. */
typedef void (*PostierViewReloaderDoneFunc) (gpointer      view,
                                             GObject      *store,
                                             GAsyncResult *result);

/* VIEW is not referenced: call stop() in its dispose. Connects to STORE's
 * ::changed; does not list yet (call reload()). */
PostierViewReloader *postier_view_reloader_new      (gpointer                     view,
                                                     GObject                     *store,
                                                     PostierViewReloaderListFunc  list,
                                                     PostierViewReloaderDoneFunc  done);
/* Lists now (and drops a scheduled reload). */
void                 postier_view_reloader_reload   (PostierViewReloader         *self);
/* Lists after POSTIER_VIEW_RELOAD_DELAY_MS, unless a reload is already
 * scheduled: for the view's own reasons to reload (a submitter signal). */
void                 postier_view_reloader_schedule (PostierViewReloader         *self);
/* Changes that come while WIDGET (the view, not referenced) is unmapped
 * make no listing; the first map after them lists at once. reload()
 * still lists. Not for a view that shows counts outside itself (the
 * outbox's badge in the switcher). */
void                 postier_view_reloader_wait_while_hidden (PostierViewReloader *self,
                                                              GtkWidget           *widget);
/* Cancels the listing on its way, drops a scheduled reload, disconnects
 * from the store: DONE is never called again. Idempotent. */
void                 postier_view_reloader_stop     (PostierViewReloader         *self);

G_END_DECLS
