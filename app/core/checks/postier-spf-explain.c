/* postier-spf-explain.c — which term of an SPF record speaks for an address
 *
 * libspf2 decides and says "pass" or "fail", not why; a person setting up
 * an account wants to read "through include:_spf.example.net". This walks
 * the record's top-level terms in order and names the first that covers
 * the address, asking libspf2 again for includes. It never changes the
 * verdict: when it cannot tell (macros, ptr, exists), it names nothing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "postier-sender-check-private.h"

/* "ip4:198.51.100.0/24" and friends; a bare address is a /32 or /128. */
static gboolean
network_covers (const char   *network,
                GInetAddress *address)
{
  g_autoptr(GInetAddressMask) mask = NULL;
  g_autofree char *with_length = NULL;

  if (strchr (network, '/') == NULL)
    with_length = g_strdup_printf ("%s/%u", network,
                                   g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV6 ? 128 : 32);
  mask = g_inet_address_mask_new_from_string (with_length != NULL ? with_length : network, NULL);
  return mask != NULL && g_inet_address_mask_matches (mask, address);
}

/* Whether NAME's A/AAAA records include ADDRESS (CIDR suffixes ignored: the
 * explanation only names exact matches). */
static gboolean
host_is (const char   *name,
         GInetAddress *address)
{
  gboolean v6 = g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV6;
  g_autoptr(PostierDnsAnswer) answer = postier_dns_lookup (name, v6 ? POSTIER_DNS_AAAA : POSTIER_DNS_A);
  g_autofree char *text = g_inet_address_to_string (address);

  return answer->status == POSTIER_DNS_FOUND && g_strv_contains ((const char * const *) answer->records, text);
}

static gboolean
mx_covers (const char   *domain,
           GInetAddress *address)
{
  g_autoptr(PostierDnsAnswer) mx = postier_dns_lookup (domain, POSTIER_DNS_MX);

  for (guint i = 0; mx->status == POSTIER_DNS_FOUND && mx->records[i] != NULL && i < 10; i++)
    if (host_is (mx->records[i], address))
      return TRUE;
  return FALSE;
}

/* The domain a term names after its colon, without a CIDR suffix, or
 * DOMAIN when it names none. */
static char *
term_target (const char *argument,
             const char *domain)
{
  if (argument == NULL || *argument != ':')
    return g_strdup (domain);
  return g_strndup (argument + 1, strcspn (argument + 1, "/"));
}

static gboolean
term_covers (const char   *mechanism,
             const char   *domain,
             GInetAddress *address)
{
  g_autofree char *target = NULL;

  if (strchr (mechanism, '%') != NULL)
    return FALSE;  /* macros: libspf2's business */
  if (g_str_has_prefix (mechanism, "ip4:") || g_str_has_prefix (mechanism, "ip6:"))
    return network_covers (mechanism + 4, address);
  if (g_str_has_prefix (mechanism, "include:"))
    return postier_dns_spf_check (mechanism + 8, address, NULL) == POSTIER_SPF_PASS;
  if (g_str_equal (mechanism, "a") || g_str_has_prefix (mechanism, "a:") || g_str_has_prefix (mechanism, "a/"))
    {
      target = term_target (mechanism + 1, domain);
      return host_is (target, address);
    }
  if (g_str_equal (mechanism, "mx") || g_str_has_prefix (mechanism, "mx:") || g_str_has_prefix (mechanism, "mx/"))
    {
      target = term_target (mechanism + 2, domain);
      return mx_covers (target, address);
    }
  return g_str_equal (mechanism, "all");
}

char *
_postier_spf_matching_term (const char   *domain,
                            const char   *record,
                            GInetAddress *address)
{
  g_auto(GStrv) terms = g_strsplit_set (record, " \t", -1);

  /* terms[0] is "v=spf1". Ten terms at most: the same bound as SPF's own
   * lookup limit, so a huge record cannot make the explanation slow. */
  for (guint i = 1, looked = 0; terms[i] != NULL && looked < 10; i++)
    {
      const char *term = terms[i];
      const char *mechanism = term;

      if (*term == '\0')
        continue;
      if (g_str_has_prefix (term, "redirect="))
        return g_strdup (term);
      if (strchr ("+-~?", *mechanism) != NULL)
        mechanism++;
      if (strchr (mechanism, '=') != NULL)
        continue;  /* exp= and unknown modifiers */
      looked++;
      if (term_covers (mechanism, domain, address))
        return g_strdup (term);
    }
  return NULL;
}
