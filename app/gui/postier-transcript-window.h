/* postier-transcript-window.h — the SMTP dialogue of one outbox entry
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define POSTIER_TYPE_TRANSCRIPT_WINDOW (postier_transcript_window_get_type ())
G_DECLARE_FINAL_TYPE (PostierTranscriptWindow, postier_transcript_window, POSTIER, TRANSCRIPT_WINDOW, AdwWindow)

/* Reads PATH (credentials were redacted when it was written) in the
 * background; a missing file shows "No transcript yet". */
PostierTranscriptWindow *postier_transcript_window_new (GtkWindow  *parent,
                                                        const char *subject,
                                                        const char *path);

G_END_DECLS
