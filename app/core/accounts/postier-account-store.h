/* postier-account-store.h — the accounts in accounts.ini, plus the Sandbox
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "postier-account.h"

G_BEGIN_DECLS

#define POSTIER_TYPE_ACCOUNT_STORE (postier_account_store_get_type ())
G_DECLARE_FINAL_TYPE (PostierAccountStore, postier_account_store, POSTIER, ACCOUNT_STORE, GObject)

/* PATH NULL means $XDG_CONFIG_HOME/postier/accounts.ini. */
PostierAccountStore *postier_account_store_new         (const char           *path);
const char          *postier_account_store_get_path    (PostierAccountStore  *self);
gboolean             postier_account_store_load        (PostierAccountStore  *self,
                                                        GError              **error);

/* Every account, the Sandbox last. Transfer container. */
GPtrArray           *postier_account_store_list        (PostierAccountStore  *self);
/* The configured accounts only (no Sandbox). */
guint                postier_account_store_count_relays (PostierAccountStore *self);
PostierAccount      *postier_account_store_lookup      (PostierAccountStore  *self,
                                                        const char           *name);
/* The explicit default, else the first relay account, else the Sandbox. */
PostierAccount      *postier_account_store_get_default (PostierAccountStore  *self);
PostierAccount      *postier_account_store_get_sandbox (PostierAccountStore  *self);

/* Each of these validates, changes memory and accounts.ini together, or
 * neither, and emits ::changed on success. */
gboolean             postier_account_store_add         (PostierAccountStore  *self,
                                                        PostierAccount       *account,
                                                        gboolean              make_default,
                                                        GError              **error);
gboolean             postier_account_store_replace     (PostierAccountStore  *self,
                                                        PostierAccount       *account,
                                                        GError              **error);
gboolean             postier_account_store_remove      (PostierAccountStore  *self,
                                                        const char           *name,
                                                        GError              **error);
gboolean             postier_account_store_set_default (PostierAccountStore  *self,
                                                        const char           *name,
                                                        GError              **error);

G_END_DECLS
