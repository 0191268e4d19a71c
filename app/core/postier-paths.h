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

/* How much else may wait to be written back for postier_sync_files() to
 * flush it along: a few tenths of a second of a slow disk. */
#define POSTIER_SYNC_OTHER_MAX_BYTES (16 * 1024 * 1024)

/* Whether the dirty and in-writeback pages /proc/meminfo's text MEMINFO
 * counts hold at most OWN_BYTES plus POSTIER_SYNC_OTHER_MAX_BYTES. FALSE
 * when the text does not say. */
gboolean  postier_little_else_dirty  (const char  *meminfo,
                                      guint64      own_bytes);

/* Makes the N_FDS files FDS (-1 for none), all on one file system and
 * about OWN_BYTES long, durable: one syncfs(2) for the lot when little
 * else waits to be written back (each fdatasync(2) is a cache flush of
 * the disk), else an fdatasync each. 0, or the errno of the first
 * failure. */
int       postier_sync_files         (const int   *fds,
                                      guint        n_fds,
                                      guint64      own_bytes);

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
