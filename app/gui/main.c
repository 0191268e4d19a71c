/* main.c — starts the Postier desktop app
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier"

#include "config.h"

#include "postier-application.h"
#include "postier-core.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(PostierApplication) app = NULL;

  /* Before anything is spawned (postier-init.h says why). */
  postier_core_cloexec_inherited_fds ();
  postier_application_init_i18n ();
  postier_core_init ();
  postier_core_protect_process ();

  app = postier_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
