/* fiu-draft-save.c — saves one draft, for the system-call fault sweep
 *
 *   fiu-draft-save PATH TEXT
 *
 * Saves a draft whose body is TEXT at PATH with postier_draft_save(), the
 * composer's autosave, and exits 0 if it says it saved, 1 (with the error on
 * stderr) if not. Run under libfiu by test-syscall-faults: the app cannot be,
 * so its draft path is swept through the core call it makes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>

#include "postier-core.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(PostierDraft) draft = NULL;
  g_autoptr(GError) error = NULL;

  if (argc != 3)
    {
      fprintf (stderr, "usage: fiu-draft-save PATH TEXT\n");
      return 2;
    }
  postier_core_init ();
  draft = postier_draft_new ();
  postier_draft_add_to (draft, "bob@example.org");
  postier_draft_set_subject (draft, "Autosaved");
  postier_draft_set_body (draft, argv[2]);
  if (!postier_draft_save (draft, argv[1], &error))
    {
      fprintf (stderr, "fiu-draft-save: %s\n", error->message);
      return 1;
    }
  return 0;
}
