/* fuzz-autoconfig.c — libFuzzer target for server discovery's handling of
 * SRV answers (RFC 6186, RFC 8314)
 *
 * The input is text, so seeds stay readable:
 *   domain example.org
 *   address Name <alice@example.org>
 *   submissions PRIORITY WEIGHT PORT TARGET
 *   submission  PRIORITY WEIGHT PORT TARGET
 * Whatever a DNS answer (or a spoofer) says, the choice is one of the
 * targets offered, its port is not 0, and a target outside the mail domain
 * is never one that may be filled in without the person's consent.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "postier-autoconfig.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* Names compared as DNS does: no case, no root dot. */
static char *
plain_name (const char *name)
{
  char *text = g_ascii_strdown (name, -1);

  while (*text != '\0' && text[strlen (text) - 1] == '.')
    text[strlen (text) - 1] = '\0';
  return text;
}

static gboolean
offered (GList      *targets,
         const char *host,
         guint       port)
{
  g_autofree char *wanted = plain_name (host);

  for (GList *l = targets; l != NULL; l = l->next)
    {
      g_autofree char *name = plain_name (g_srv_target_get_hostname (l->data));

      if (g_str_equal (name, wanted) && g_srv_target_get_port (l->data) == port)
        return TRUE;
    }
  return FALSE;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_auto(GStrv) lines = g_strsplit (text, "\n", 64);
  g_autofree char *domain = NULL;
  g_autofree char *address_domain = NULL;
  g_autofree char *host = NULL;
  GList *submissions = NULL;
  GList *submission = NULL;
  PostierSecurity security;
  guint port = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = lines[i];
      unsigned int priority, weight, target_port;
      char name[300];

      if (g_str_has_prefix (line, "domain "))
        {
          g_free (domain);
          domain = g_strdup (line + 7);
        }
      else if (g_str_has_prefix (line, "address "))
        {
          g_free (address_domain);
          address_domain = postier_autoconfig_domain_of_address (line + 8);
          if (address_domain != NULL)
            g_assert (strchr (address_domain, '@') == NULL);
        }
      else if (sscanf (line, "submissions %u %u %u %299s", &priority, &weight, &target_port, name) == 4)
        submissions = g_list_append (submissions,
                                     g_srv_target_new (name, (guint16) target_port,
                                                       (guint16) priority, (guint16) weight));
      else if (sscanf (line, "submission %u %u %u %299s", &priority, &weight, &target_port, name) == 4)
        submission = g_list_append (submission,
                                    g_srv_target_new (name, (guint16) target_port,
                                                      (guint16) priority, (guint16) weight));
    }
  if (domain == NULL)
    domain = g_strdup (address_domain != NULL ? address_domain : "example.org");

  if (postier_autoconfig_choose (submissions, submission, &host, &port, &security))
    {
      g_assert (host != NULL && *host != '\0');
      g_assert (port != 0);
      g_assert (offered (submissions, host, port) || offered (submission, host, port));
      g_assert (security == POSTIER_SECURITY_TLS || security == POSTIER_SECURITY_STARTTLS);
      if (postier_autoconfig_host_in_domain (host, domain))
        {
          /* In the domain: its name ends with the domain's. */
          g_autofree char *h = plain_name (host);
          g_autofree char *d = plain_name (domain);

          g_assert (g_str_has_suffix (h, d));
        }
      /* Finding 2: a server outside the domain is only ever a suggestion. */
      if (postier_autoconfig_may_fill_host (host, domain))
        g_assert (postier_autoconfig_host_in_domain (host, domain));
    }
  {
    PostierSecurity ignored;
    (void) postier_autoconfig_security_for_port (port, &ignored);
  }

  g_list_free_full (submissions, (GDestroyNotify) g_srv_target_free);
  g_list_free_full (submission, (GDestroyNotify) g_srv_target_free);
  return 0;
}
