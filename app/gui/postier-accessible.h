/* postier-accessible.h — what screen readers hear, where GTK 4.8 and
 * libadwaita 1.2 get it wrong
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* GTK 4.8 names a button with a mnemonic label after its raw label and
 * its label child together ("_Edit Edit"), and a stack switcher's button
 * after the raw page title ("_Checks"). From this call on, every such
 * button of the process is named after its label's text alone when it is
 * shown, whoever made it (our views, message dialogs, the About window).
 * Once per process; the app calls it at start-up. */
void postier_accessible_install           (void);

/* libadwaita 1.2's password row has a "show text" button with no name:
 * it gets one. */
void postier_accessible_name_peek_button  (GtkWidget *password_row);

G_END_DECLS
