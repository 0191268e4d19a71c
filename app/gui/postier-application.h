/* postier-application.h — the desktop app: one instance, the shared engine
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "postier-account-store.h"
#include "postier-address-book.h"
#include "postier-outbox.h"
#include "postier-submitter.h"

G_BEGIN_DECLS

#define POSTIER_TYPE_APPLICATION (postier_application_get_type ())
G_DECLARE_FINAL_TYPE (PostierApplication, postier_application, POSTIER, APPLICATION, AdwApplication)

/* setlocale and the gettext domain, honouring POSTIER_LOCALEDIR. */
void                 postier_application_init_i18n         (void);
PostierApplication  *postier_application_new               (void);

/* The engine every window and view shares (owned by the application). */
PostierAccountStore *postier_application_get_account_store (PostierApplication *self);
PostierOutbox       *postier_application_get_outbox        (PostierApplication *self);
PostierSubmitter    *postier_application_get_submitter     (PostierApplication *self);

G_END_DECLS
