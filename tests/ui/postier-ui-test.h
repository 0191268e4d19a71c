/* postier-ui-test.h — helpers for the UI tests (a real GTK window on the
 * rig's Xvfb display)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "postier-application.h"
#include "postier-outbox-view.h"
#include "postier-window.h"

G_BEGIN_DECLS

/* Private user folders, g_test_init, core, the gettext domain and the
 * display. Returns FALSE (and the tests then skip or fail) when the rig
 * gave no display. */
gboolean            postier_ui_test_init          (int          *argc,
                                                   char       ***argv);
/* g_test_run, then the private folders are removed. */
int                 postier_ui_test_run           (void);
/* Removes Postier's accounts, outbox, drafts… so the next test starts
 * from a first run. */
void                postier_ui_test_reset_files   (void);
/* Whether the display is there; call first in every test. */
gboolean            postier_ui_test_have_display  (void);

/* A registered application that is not single-instance, so parallel tests
 * never find each other on the bus. */
PostierApplication *postier_ui_test_application   (void);
/* Its window, presented and drawn at least once. */
PostierWindow      *postier_ui_test_window        (PostierApplication *app);

/* Closes APP's windows and shuts it down as g_application_run would
 * (the submitter stops), then drops the reference. */
void                postier_ui_test_finish        (PostierApplication *app);

/* Runs the main context until CHECK returns TRUE or TIMEOUT_MS passes. */
gboolean            postier_ui_test_wait_for      (gboolean   (*check) (gpointer data),
                                                   gpointer     data,
                                                   guint        timeout_ms);
/* Checks for postier_ui_test_wait_for(): the GtkRevealer DATA shows, or
 * hides, its child. */
gboolean            postier_ui_test_revealed      (gpointer     revealer);
gboolean            postier_ui_test_not_revealed  (gpointer     revealer);
/* How late the main loop runs a timer of INTERVAL_MS between start and
 * stop: a main thread that blocks shows here. WORST is in µs beyond the
 * interval; set LAST and WORST to 0 to forget what came before (the
 * test's own work on this thread). For reporting, never asserted. */
typedef struct {
  guint  interval_ms;
  guint  source_id;
  gint64 last;
  gint64 worst;
  guint  ticks;
} PostierUiTestLagProbe;

void                postier_ui_test_lag_probe_start (PostierUiTestLagProbe *probe,
                                                     guint                  interval_ms);
void                postier_ui_test_lag_probe_stop  (PostierUiTestLagProbe *probe);
/* Runs the main context for a while, letting idles and frames happen. */
void                postier_ui_test_spin          (guint        ms);
/* Clicks BUTTON, which must be shown and sensitive, as the pointer does. */
void                postier_ui_test_click         (GtkWidget   *button);

/* The first widget below ROOT whose builder id (template ids included) is ID. */
GtkWidget          *postier_ui_test_find_by_id    (GtkWidget   *root,
                                                   const char  *id);
/* The first visible GtkLabel below ROOT showing exactly TEXT. */
GtkWidget          *postier_ui_test_find_label    (GtkWidget   *root,
                                                   const char  *text);
/* The text of every visible label below ROOT, joined by newlines. */
char               *postier_ui_test_visible_text  (GtkWidget   *root);
gboolean            postier_ui_test_wait_for_text (GtkWidget   *root,
                                                   const char  *needle,
                                                   guint        timeout_ms);
/* Waits (TIMEOUT_MS at most) until the row of outbox entry ID in VIEW is
 * on screen with NEEDLE in its visible text ("": only there). */
gboolean            postier_ui_test_wait_for_row  (PostierOutboxView *view,
                                                   const char  *id,
                                                   const char  *needle,
                                                   guint        timeout_ms);

/* Fails the test unless every control shown below ROOT has a name a
 * screen reader can say well: icon buttons named, buttons with an
 * underlined letter named after their label's text alone (GTK 4.8 would
 * say "_Edit Edit"), entry rows named by their title only. */
void                postier_ui_test_check_accessible_names (GtkWidget *root);

/* Real key presses from the X server (xdotool) to WINDOW, focused first;
 * KEYS as xdotool writes them ("ctrl+Return"). */
void                postier_ui_test_press_keys    (GtkWindow   *window,
                                                   const char  *keys);

/* Desktop notifications the app sent, caught by a stand-in for the
 * desktop's notification service (org.gtk.Notifications on the rig's
 * session bus). Each is "TITLE\nBODY". */
guint               postier_ui_test_n_notifications (void);
const char         *postier_ui_test_notification  (guint        index);

/* Screenshot of the whole display (ImageMagick), when POSTIER_SCREENSHOT_DIR
 * is set: for people looking at the UI, never asserted on. */
void                postier_ui_test_screenshot    (const char  *name);
/* The same, cropped to WINDOW. */
void                postier_ui_test_screenshot_window (GtkWindow *window,
                                                       const char *name);

G_END_DECLS
