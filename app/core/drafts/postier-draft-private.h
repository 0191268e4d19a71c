/* postier-draft-private.h — shared by the draft and MIME code in core
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "postier-draft.h"

G_BEGIN_DECLS

/* VALUE (may be NULL) is one or more message ids "<a@b> <c@d>", with no
 * line break; FIELD names the header in the error. */
gboolean _postier_draft_check_message_ids (const char  *field,
                                           const char  *value,
                                           GError     **error);

G_END_DECLS
