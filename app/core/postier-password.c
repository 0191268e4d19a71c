/* postier-password.c — wiping passwords (see postier-password.h)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-password"

#include "config.h"

#include <string.h>

#include "postier-password.h"

void
postier_password_wipe (char *text)
{
  if (text != NULL)
    explicit_bzero (text, strlen (text));
}

void
postier_password_free (char *password)
{
  if (password != NULL)
    {
      postier_password_wipe (password);
      g_free (password);
    }
}
