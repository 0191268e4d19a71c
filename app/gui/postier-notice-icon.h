/* postier-notice-icon.h — the icon at the start of a notice or banner
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define POSTIER_TYPE_NOTICE_ICON (postier_notice_icon_get_type ())
G_DECLARE_FINAL_TYPE (PostierNoticeIcon, postier_notice_icon, POSTIER, NOTICE_ICON, GtkWidget)

void        postier_notice_icon_set_icon_name (PostierNoticeIcon *self,
                                               const char        *icon_name);
const char *postier_notice_icon_get_icon_name (PostierNoticeIcon *self);

G_END_DECLS
