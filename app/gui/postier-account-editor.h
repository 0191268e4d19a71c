/* postier-account-editor.h — the fields of one relay account, for adding
 * or editing it, with server look-up and "Test connection"
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "postier-account-store.h"

G_BEGIN_DECLS

#define POSTIER_TYPE_ACCOUNT_EDITOR (postier_account_editor_get_type ())
G_DECLARE_FINAL_TYPE (PostierAccountEditor, postier_account_editor, POSTIER, ACCOUNT_EDITOR, AdwBin)

/* ACCOUNT NULL adds a new account; otherwise edits that one (its name
 * stays). */
PostierAccountEditor *postier_account_editor_new           (PostierAccountStore  *store,
                                                            PostierAccount       *account);
/* The required fields are filled and nothing is running. */
gboolean              postier_account_editor_get_can_save  (PostierAccountEditor *self);
/* Validates, stores the password in the keyring and saves the account;
 * emits ::saved (const char *name) on success, or shows the problem next
 * to the field concerned. */
void                  postier_account_editor_save          (PostierAccountEditor *self);
/* Runs the connection test with what the fields say now. */
void                  postier_account_editor_test          (PostierAccountEditor *self);
/* Looks up the submission server of the address's domain (DNS SRV). */
void                  postier_account_editor_find_server   (PostierAccountEditor *self);

/* Tests hand in a resolver that answers from a fixed zone. */
void                  postier_account_editor_set_resolver  (PostierAccountEditor *self,
                                                            GResolver            *resolver);

G_END_DECLS
