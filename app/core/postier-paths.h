/* postier-paths.h — where Postier keeps its files, and how it writes them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <sys/types.h>

G_BEGIN_DECLS

/* $XDG_CONFIG_HOME/postier and $XDG_DATA_HOME/postier[/sub]. Newly allocated. */
char     *postier_config_dir         (void);
char     *postier_data_dir           (const char  *subdir);

/* Creates the folder and its parents as 0700 when missing. */
gboolean  postier_ensure_private_dir (const char  *path,
                                      GError     **error);

/* Postier's own folders that already exist (configuration, data and its
 * outbox, sent, drafts, sandbox folders, cache) are set to 0700 if they
 * were looser, e.g. made by an older version or by hand. Links are not
 * followed. */
void      postier_tighten_private_dirs (void);

/* Writes to a temporary name in the same folder, fsyncs it, renames it over
 * PATH and fsyncs the folder, so after return the file survives a power cut
 * and a reader sees either the old or the new contents, never a mix. */
gboolean  postier_write_file_durably (const char  *path,
                                      const char  *contents,
                                      gsize        length,
                                      GError     **error);

/* write(2) until all LENGTH bytes of DATA are written, again after EINTR.
 * FALSE with errno set on failure (EIO if the kernel wrote nothing). */
gboolean  postier_write_all_fd       (int          fd,
                                      const void  *data,
                                      gsize        length);

/* fsync() a folder so that renames and creations inside it are durable. */
gboolean  postier_fsync_dir          (const char  *path,
                                      GError     **error);

/* Deletes PATH and everything below it, best effort: what cannot be removed
 * stays. Symbolic links are removed, never followed. */
void      postier_remove_tree        (const char  *path);

/* open(2) that never follows a symbolic link in the last component of PATH
 * and accepts only a plain file (no FIFO, device or folder): what Postier
 * keeps in its folders is never a link, so one found there was planted.
 * O_NOFOLLOW and O_CLOEXEC are added to FLAGS. Returns the descriptor, or
 * -1 with ERROR set (G_FILE_ERROR_INVAL for a link or a special file). */
int       postier_open_regular       (const char  *path,
                                      int          flags,
                                      mode_t       mode,
                                      GError     **error);

G_END_DECLS
