/* postier-limits-group.h — the account editor's "Sending Limits": a preset
 * (No limit, Gmail, Google Workspace, Microsoft 365) or the person's own
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "postier-account.h"

G_BEGIN_DECLS

#define POSTIER_TYPE_LIMITS_GROUP (postier_limits_group_get_type ())
G_DECLARE_FINAL_TYPE (PostierLimitsGroup, postier_limits_group, POSTIER, LIMITS_GROUP, AdwPreferencesGroup)

GtkWidget *postier_limits_group_new        (void);
/* Shows LIMITS: the preset they match, or Custom with their numbers. */
void       postier_limits_group_set_limits (PostierLimitsGroup         *self,
                                            const PostierAccountLimits *limits);
/* What the person chose: the preset's limits, or the numbers typed. */
void       postier_limits_group_get_limits (PostierLimitsGroup         *self,
                                            PostierAccountLimits       *limits);

/* The same, from and to ACCOUNT (the editor's copy). */
void       postier_limits_group_show       (PostierLimitsGroup         *self,
                                            PostierAccount             *account);
void       postier_limits_group_apply      (PostierLimitsGroup         *self,
                                            PostierAccount             *account);

G_END_DECLS
