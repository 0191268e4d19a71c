/* fuzz-draft-load.c — the autosave loader on any file
 *
 * A draft file may be damaged (a crash mid-write on another file system,
 * a disk error, a hand edit). Loading must never crash; a draft that
 * loads must save and load again to the same draft.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#include "postier-core.h"
#include "postier-draft.h"
#include "postier-error.h"
#include "fuzz-common.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static char *work_dir;

static void
assert_same (PostierDraft *a,
             PostierDraft *b)
{
  const char *(*getters[]) (PostierDraft *) = {
    postier_draft_get_account_name, postier_draft_get_from, postier_draft_get_to,
    postier_draft_get_cc, postier_draft_get_bcc, postier_draft_get_reply_to,
    postier_draft_get_subject, postier_draft_get_body, postier_draft_get_in_reply_to,
    postier_draft_get_references,
  };
  const char * const *headers_a = postier_draft_get_headers (a);
  const char * const *headers_b = postier_draft_get_headers (b);

  for (guint i = 0; i < G_N_ELEMENTS (getters); i++)
    g_assert (g_strcmp0 (getters[i] (a), getters[i] (b)) == 0);
  g_assert (postier_draft_get_n_attachments (a) == postier_draft_get_n_attachments (b));
  /* The saver writes canonical paths ("a//b" is "a/b"): the same files. */
  for (guint i = 0; i < postier_draft_get_n_attachments (a); i++)
    {
      g_autofree char *path_a = g_canonicalize_filename (postier_draft_get_attachment (a, i), NULL);
      g_autofree char *path_b = g_canonicalize_filename (postier_draft_get_attachment (b, i), NULL);
      g_assert (g_str_equal (path_a, path_b));
    }
  g_assert ((headers_a == NULL || headers_a[0] == NULL) == (headers_b == NULL || headers_b[0] == NULL));
  for (guint i = 0; headers_a != NULL && headers_a[i] != NULL; i++)
    g_assert (g_str_equal (headers_a[i], headers_b[i]));
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autofree char *path = NULL;
  g_autofree char *again = NULL;
  g_autoptr(PostierDraft) draft = NULL;
  g_autoptr(PostierDraft) reloaded = NULL;
  g_autoptr(GError) error = NULL;

  fuzz_quiet_logs ();
  postier_core_init ();
  if (work_dir == NULL)
    work_dir = fuzz_work_dir ("fuzz-draft-load");
  g_assert (work_dir != NULL);

  path = g_build_filename (work_dir, "draft.ini", NULL);
  again = g_build_filename (work_dir, "again.ini", NULL);
  fuzz_write_file (path, data, size);

  draft = postier_draft_load (path, &error);
  if (draft == NULL)
    {
      g_assert (error != NULL && error->domain == POSTIER_MESSAGE_ERROR);
      return 0;
    }
  g_assert (postier_draft_save (draft, again, &error));
  reloaded = postier_draft_load (again, &error);
  g_assert (reloaded != NULL);
  assert_same (draft, reloaded);
  return 0;
}
