/* postier-window.h — the main window: a view stack of pages and toasts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "postier-account-store.h"
#include "postier-address-book.h"
#include "postier-composer.h"
#include "postier-outbox.h"
#include "postier-submitter.h"

G_BEGIN_DECLS

#define POSTIER_TYPE_WINDOW (postier_window_get_type ())
G_DECLARE_FINAL_TYPE (PostierWindow, postier_window, POSTIER, WINDOW, AdwApplicationWindow)

/* The application makes its windows and hands each the shared engine;
 * SUBMITTER may be NULL (nothing sends). The window keeps references. */
PostierWindow      *postier_window_new              (GtkApplication      *application,
                                                     PostierAccountStore *accounts,
                                                     PostierOutbox       *outbox,
                                                     PostierAddressBook  *address_book,
                                                     PostierSubmitter    *submitter);

/* Pages of the view stack, by name: "compose", "outbox", "sent",
 * "sandbox". Adding a name that exists replaces that page's widget in
 * place, so a view can take over its placeholder and keep its position. */
void                postier_window_add_page         (PostierWindow      *self,
                                                     const char         *name,
                                                     const char         *title,
                                                     const char         *icon_name,
                                                     GtkWidget          *widget);
GtkWidget          *postier_window_get_page         (PostierWindow      *self,
                                                     const char         *name);
void                postier_window_show_page        (PostierWindow      *self,
                                                     const char         *name);

/* A short message at the bottom of the window. */
void                postier_window_add_toast        (PostierWindow      *self,
                                                     AdwToast           *toast);
void                postier_window_show_message     (PostierWindow      *self,
                                                     const char         *message);

PostierComposer    *postier_window_get_composer     (PostierWindow      *self);
/* A mailto: URI or a message file, opened as a new draft. */
void                postier_window_open_file        (PostierWindow      *self,
                                                     GFile              *file);
/* A draft (e.g. an outbox entry taken back for editing) in the composer.
 * DRAFT_PATH, when not NULL, is where it is already saved: the composer
 * keeps saving there, and removes it (and DRAFT_PATH.files/) once sent. */
void                postier_window_open_draft       (PostierWindow      *self,
                                                     PostierDraft       *draft,
                                                     const char         *draft_path);
void                postier_window_show_preferences (PostierWindow      *self);
/* The set-up of an account in a dialog over the window ("Add Account",
 * the composer's Sandbox notice). FIRST_RUN offers "Use the Sandbox for
 * now" and remembers that choice. */
void                postier_window_show_account_setup (PostierWindow    *self,
                                                       gboolean          first_run);
/* On start: the set-up, after the first frame, when there is no real
 * account and the person has not chosen the Sandbox before. */
void                postier_window_maybe_first_run  (PostierWindow      *self);

G_END_DECLS
