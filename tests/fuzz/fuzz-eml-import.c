/* fuzz-eml-import.c — an .eml file opened as a draft
 *
 * The file comes from anywhere (a download, a mail someone sent). Opening
 * it must never crash, and what it makes must be safe: a subject with no
 * line break, attachments saved only inside the cache folder given.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#include "postier-address.h"
#include "postier-core.h"
#include "postier-draft.h"
#include "postier-error.h"
#include "postier-paths.h"
#include "fuzz-common.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static char *work_dir;

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autofree char *path = NULL;
  g_autofree char *cache = NULL;
  g_autoptr(PostierDraft) draft = NULL;
  g_autoptr(GError) error = NULL;

  fuzz_quiet_logs ();
  postier_core_init ();
  if (work_dir == NULL)
    work_dir = fuzz_work_dir ("fuzz-eml-import");
  g_assert (work_dir != NULL);

  path = g_build_filename (work_dir, "in.eml", NULL);
  cache = g_build_filename (work_dir, "cache", NULL);
  fuzz_write_file (path, data, size);

  draft = postier_draft_new_from_message_file (path, cache, &error);
  if (draft != NULL)
    {
      g_autofree char *inside = g_strconcat (cache, G_DIR_SEPARATOR_S, NULL);

      g_assert (error == NULL);
      g_assert (postier_draft_get_subject (draft) == NULL ||
                !postier_text_has_line_break (postier_draft_get_subject (draft)));
      for (guint i = 0; i < postier_draft_get_n_attachments (draft); i++)
        {
          const char *attachment = postier_draft_get_attachment (draft, i);
          g_autofree char *folder = g_path_get_dirname (attachment);
          g_autofree char *parent = g_path_get_dirname (folder);

          g_assert (g_str_has_prefix (attachment, inside));
          g_assert (g_str_equal (parent, cache));
          g_assert (g_file_test (attachment, G_FILE_TEST_IS_REGULAR));
        }
    }
  else
    g_assert (error != NULL);

  postier_remove_tree (cache);
  return 0;
}
