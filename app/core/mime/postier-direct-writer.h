/* postier-direct-writer.h — a large file written past the page cache, by
 * a thread of its own while the caller fills the next buffer
 *
 * For a message of hundreds of megabytes (an attachment): the writes skip
 * the page cache (O_DIRECT) and overlap the encoding. Nobody reads the
 * message again before it is sent, and the caller's fsync() still makes
 * it durable. Internal to core.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The size of each buffer handed over, a multiple of any logical block. */
#define POSTIER_DIRECT_WRITER_BUFFER_SIZE (1024 * 1024)

typedef struct _PostierDirectWriter PostierDirectWriter;

/* NULL when FD cannot be written that way here: a file system we do not
 * know to take O_DIRECT as plain writes, an offset off a block, or no
 * thread. FD stays the caller's. */
PostierDirectWriter *postier_direct_writer_try_new      (int                  fd);
/* The buffer to fill next (POSTIER_DIRECT_WRITER_BUFFER_SIZE octets). */
char                *postier_direct_writer_get_buffer   (PostierDirectWriter *self);
/* Hands the filled buffer over, after the write before it has ended.
 * FALSE, with the errno of a failed write, once one has failed. */
gboolean             postier_direct_writer_submit       (PostierDirectWriter *self,
                                                         int                 *error_number);
/* Waits for the last write, ends the thread and gives FD back as it came
 * (without O_DIRECT: a dup shares its flags). FALSE as submit(). */
gboolean             postier_direct_writer_finish       (PostierDirectWriter *self,
                                                         int                 *error_number);
/* Finishes first if that was not done. */
void                 postier_direct_writer_free         (PostierDirectWriter *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PostierDirectWriter, postier_direct_writer_free)

G_END_DECLS
