/* postier-mime-sink.h — where GMime writes a message: a file, buffered,
 * counted, and stopped by a GCancellable
 *
 * GMime's own file streams cannot be cancelled and do not tell a failed
 * write from a failed read of an attachment; this one does both, and
 * writes in large blocks. Internal to core.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "postier-gmime.h"

G_BEGIN_DECLS

#define POSTIER_TYPE_MIME_SINK (postier_mime_sink_get_type ())
G_DECLARE_FINAL_TYPE (PostierMimeSink, postier_mime_sink, POSTIER, MIME_SINK, GMimeStream)

/* Takes ownership of FD (closed on finalize or close). */
GMimeStream *postier_mime_sink_new          (int            fd,
                                             GCancellable  *cancellable);
/* Octets written so far (buffered ones included). */
guint64      postier_mime_sink_get_written  (PostierMimeSink *self);
/* Flushes, then reports why writing stopped: cancelled, or the errno of a
 * failed write. TRUE when nothing went wrong. */
gboolean     postier_mime_sink_finish       (PostierMimeSink *self,
                                             GError         **error);

G_END_DECLS
