/* postier-dns.c — DNS through libspf2's resolver layer
 *
 * libspf2 already wraps the system resolver (res_query, so resolv.conf,
 * its timeouts and search rules apply) and reports NXDOMAIN, "no data" and
 * SERVFAIL apart, which GResolver folds together; the checks need that
 * difference ("no such domain" is a finding, "no answer" is "not checked").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <resolv.h>
#include <spf2/spf.h>

#include "postier-dns.h"

/* One SPF server for the process; libspf2 documents a server as shared by
 * requests, but not the thread-safety of an evaluation, so SPF requests
 * take turns. Plain lookups do not: libspf2's resolver layer keeps its
 * resolver state per thread (res_ninit, its spf_dns_resolv.c says so),
 * and the recipient checks of one `postierctl send` ask in parallel
 * within a time budget. */
static GMutex spf_lock;

static SPF_server_t *
spf_server (void)
{
  static SPF_server_t *server;
  static gsize created;

  if (g_once_init_enter (&created))
    {
      server = SPF_server_new (SPF_DNS_RESOLV, 0);
      g_once_init_leave (&created, 1);
    }
  return server;
}

static ns_type
ns_type_for (PostierDnsType type)
{
  switch (type)
    {
    case POSTIER_DNS_TXT:  return ns_t_txt;
    case POSTIER_DNS_MX:   return ns_t_mx;
    case POSTIER_DNS_A:    return ns_t_a;
    case POSTIER_DNS_AAAA: return ns_t_aaaa;
    default:               g_return_val_if_reached (ns_t_txt);
    }
}

static char *
record_text (const SPF_dns_rr_t *rr,
             int                 i,
             PostierDnsType      type)
{
  char text[INET6_ADDRSTRLEN];

  switch (type)
    {
    case POSTIER_DNS_TXT:
      return g_strdup (rr->rr[i]->txt);
    case POSTIER_DNS_MX:
      /* libspf2 gives the root of a null MX as "." or as "". */
      return g_strdup (rr->rr[i]->mx[0] == '\0' ? "." : rr->rr[i]->mx);
    case POSTIER_DNS_A:
      return g_strdup (inet_ntop (AF_INET, &rr->rr[i]->a, text, sizeof text));
    case POSTIER_DNS_AAAA:
      return g_strdup (inet_ntop (AF_INET6, &rr->rr[i]->aaaa, text, sizeof text));
    default:
      g_return_val_if_reached (NULL);
    }
}

PostierDnsAnswer *
postier_dns_lookup (const char     *name,
                    PostierDnsType  type)
{
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func (g_free);
  PostierDnsAnswer *answer = g_new0 (PostierDnsAnswer, 1);
  SPF_dns_rr_t *rr;

  g_return_val_if_fail (name != NULL, NULL);

  rr = SPF_dns_lookup (spf_server ()->resolver, name, ns_type_for (type), FALSE);
  if (rr == NULL)
    answer->status = POSTIER_DNS_UNAVAILABLE;
  else
    {
      switch (rr->herrno)
        {
        case NETDB_SUCCESS:
          answer->status = rr->num_rr > 0 ? POSTIER_DNS_FOUND : POSTIER_DNS_NO_DATA;
          break;
        case NO_DATA:
          answer->status = POSTIER_DNS_NO_DATA;
          break;
        case HOST_NOT_FOUND:
          answer->status = POSTIER_DNS_NO_DOMAIN;
          break;
        default:  /* TRY_AGAIN (SERVFAIL, timeout), NO_RECOVERY */
          answer->status = POSTIER_DNS_UNAVAILABLE;
          break;
        }
      for (int i = 0; answer->status == POSTIER_DNS_FOUND && i < rr->num_rr; i++)
        g_ptr_array_add (records, record_text (rr, i, type));
      answer->ttl = rr->ttl > 0 ? (guint) MIN (rr->ttl, G_MAXUINT) : 0;
      SPF_dns_rr_free (rr);
    }

  g_ptr_array_add (records, NULL);
  answer->records = (char **) g_ptr_array_steal (records, NULL);
  return answer;
}

void
postier_dns_answer_free (PostierDnsAnswer *answer)
{
  if (answer == NULL)
    return;
  g_strfreev (answer->records);
  g_free (answer);
}

static PostierSpfResult
spf_result_from_libspf2 (SPF_result_t result)
{
  switch (result)
    {
    case SPF_RESULT_PASS:      return POSTIER_SPF_PASS;
    case SPF_RESULT_FAIL:      return POSTIER_SPF_FAIL;
    case SPF_RESULT_SOFTFAIL:  return POSTIER_SPF_SOFTFAIL;
    case SPF_RESULT_NEUTRAL:   return POSTIER_SPF_NEUTRAL;
    case SPF_RESULT_NONE:      return POSTIER_SPF_NONE;
    case SPF_RESULT_PERMERROR: return POSTIER_SPF_PERMERROR;
    /* libspf2 answers "invalid" when a lookup failed outright. */
    default:                   return POSTIER_SPF_TEMPERROR;
    }
}

PostierSpfResult
postier_dns_spf_check (const char    *domain,
                       GInetAddress  *address,
                       char         **problem)
{
  g_autofree char *sender = NULL;
  SPF_request_t *request;
  SPF_response_t *response = NULL;
  PostierSpfResult result = POSTIER_SPF_TEMPERROR;
  SPF_errcode_t code;

  g_return_val_if_fail (domain != NULL, POSTIER_SPF_TEMPERROR);
  g_return_val_if_fail (G_IS_INET_ADDRESS (address), POSTIER_SPF_TEMPERROR);

  sender = g_strconcat ("postmaster@", domain, NULL);
  g_mutex_lock (&spf_lock);
  request = SPF_request_new (spf_server ());
  if (g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV6)
    {
      struct in6_addr in6;
      memcpy (&in6, g_inet_address_to_bytes (address), sizeof in6);
      code = SPF_request_set_ipv6 (request, in6);
    }
  else
    {
      struct in_addr in4;
      memcpy (&in4, g_inet_address_to_bytes (address), sizeof in4);
      code = SPF_request_set_ipv4 (request, in4);
    }
  if (code == SPF_E_SUCCESS && SPF_request_set_env_from (request, sender) == 0)
    {
      SPF_request_query_mailfrom (request, &response);
      if (response != NULL)
        {
          code = SPF_response_errcode (response);
          result = code == SPF_E_DNS_ERROR
                   ? POSTIER_SPF_TEMPERROR
                   : spf_result_from_libspf2 (SPF_response_result (response));
          if (problem != NULL && result == POSTIER_SPF_PERMERROR)
            *problem = g_strdup (SPF_strerror (code));
          SPF_response_free (response);
        }
    }
  else
    {
      result = POSTIER_SPF_PERMERROR;
      if (problem != NULL)
        *problem = g_strdup (SPF_strerror (code != SPF_E_SUCCESS ? code : SPF_E_INVALID_CHAR));
    }
  SPF_request_free (request);
  g_mutex_unlock (&spf_lock);
  return result;
}

const char *
postier_spf_result_to_string (PostierSpfResult result)
{
  static const char *const names[] = {
    "none", "pass", "fail", "softfail", "neutral", "temperror", "permerror",
  };

  g_return_val_if_fail ((guint) result < G_N_ELEMENTS (names), "temperror");
  return names[result];
}
