/* postier-sandbox-message-private.h — making a PostierSandboxMessage
 *
 * Only the store makes messages (from the files it finds); apart from the
 * public header so that readers of a message never see how it is made.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "postier-sandbox-message.h"

G_BEGIN_DECLS

/* Reads the summary of the message at PATH (its envelope file may be
 * missing). NULL with a logged warning when it cannot be read. */
PostierSandboxMessage *postier_sandbox_message_new_from_file (const char  *path,
                                                              const char  *id,
                                                              const char  *envelope_path,
                                                              GError     **error);

G_END_DECLS
