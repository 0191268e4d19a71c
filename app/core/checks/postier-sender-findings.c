/* postier-sender-findings.c — one sentence per record: MX, SPF, DKIM,
 * DMARC and BIMI for the From domain, in the person's words
 *
 * SPF's verdict is libspf2's; the code here only reads the records to say
 * which term decided and what DMARC makes of it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "postier-sender-check-private.h"

static void
note_ttl (PostierSenderState     *state,
          const PostierDnsAnswer *answer)
{
  if (answer->ttl > 0 && (state->ttl == 0 || answer->ttl < state->ttl))
    state->ttl = answer->ttl;
}

/* The first TXT record starting with PREFIX (case-insensitive), or NULL;
 * *COUNT (if not NULL) gets how many there were. */
static const char *
txt_with_prefix (const PostierDnsAnswer *answer,
                 const char             *prefix,
                 guint                  *count)
{
  const char *found = NULL;
  guint n = 0;
  gsize length = strlen (prefix);

  for (guint i = 0; answer->records[i] != NULL; i++)
    if (g_ascii_strncasecmp (answer->records[i], prefix, length) == 0 &&
        (answer->records[i][length] == ' ' || answer->records[i][length] == ';' ||
         answer->records[i][length] == '\0'))
      {
        if (found == NULL)
          found = answer->records[i];
        n++;
      }
  if (count != NULL)
    *count = n;
  return found;
}

gboolean
_postier_sender_find_mx (PostierSenderState *state)
{
  g_autoptr(PostierDnsAnswer) mx = postier_dns_lookup (state->domain, POSTIER_DNS_MX);
  g_autoptr(PostierDnsAnswer) a = NULL;
  g_autofree char *hosts = NULL;

  note_ttl (state, mx);
  switch (mx->status)
    {
    case POSTIER_DNS_UNAVAILABLE:
      return FALSE;
    case POSTIER_DNS_NO_DOMAIN:
      _postier_sender_add_finding (state, "mx", POSTIER_DOMAIN_LIKELY_REFUSED,
        g_strdup_printf (_("%s does not exist in the DNS: receivers will refuse mail from it."),
                         state->domain), NULL, "no-domain");
      return TRUE;
    case POSTIER_DNS_FOUND:
      if (g_strv_length (mx->records) == 1 && g_str_equal (mx->records[0], "."))
        {
          _postier_sender_add_finding (state, "mx", POSTIER_DOMAIN_WORTH_KNOWING,
            g_strdup_printf (_("%s says it receives no mail (a null MX): replies to this address "
                               "will bounce, and some receivers refuse mail from such a domain."),
                             state->domain), ".", "null-mx");
          return TRUE;
        }
      hosts = g_strjoinv (", ", mx->records);
      _postier_sender_add_finding (state, "mx", POSTIER_DOMAIN_FINE,
        g_strdup_printf (_("Replies to %s go to %s."), state->domain, hosts), hosts, "mx");
      return TRUE;
    default:
      break;
    }

  /* No MX: RFC 5321 falls back to the domain's own address. */
  a = postier_dns_lookup (state->domain, POSTIER_DNS_A);
  if (a->status == POSTIER_DNS_FOUND)
    _postier_sender_add_finding (state, "mx", POSTIER_DOMAIN_FINE,
      g_strdup_printf (_("%s has no MX record; replies go to its own address, %s."),
                       state->domain, a->records[0]), NULL, "address-only");
  else
    _postier_sender_add_finding (state, "mx", POSTIER_DOMAIN_WORTH_KNOWING,
      g_strdup_printf (_("%s has no mail server: replies to this address will bounce."),
                       state->domain), NULL, "none");
  return TRUE;
}

/* The sentence for SPF's verdict on one of the relay's addresses. */
static char *
spf_sentence (PostierSenderState *state,
              PostierSpfResult    result,
              const char         *term,
              const char         *problem,
              PostierDomainLevel *level)
{
  switch (result)
    {
    case POSTIER_SPF_PASS:
      *level = POSTIER_DOMAIN_FINE;
      if (term != NULL)
        return g_strdup_printf (_("%s authorizes %s through %s."), state->domain, state->relay, term);
      return g_strdup_printf (_("%s authorizes %s."), state->domain, state->relay);
    case POSTIER_SPF_FAIL:
      *level = POSTIER_DOMAIN_LIKELY_REFUSED;
      return g_strdup_printf (_("%s does not authorize %s (%s): receivers are told to refuse "
                                "its mail from this relay."),
                              state->domain, state->relay, term != NULL ? term : "-all");
    case POSTIER_SPF_SOFTFAIL:
      *level = POSTIER_DOMAIN_WORTH_KNOWING;
      return g_strdup_printf (_("%s does not quite authorize %s (%s): receivers may treat its "
                                "mail as spam."),
                              state->domain, state->relay, term != NULL ? term : "~all");
    case POSTIER_SPF_NEUTRAL:
      *level = POSTIER_DOMAIN_WORTH_KNOWING;
      return g_strdup_printf (_("%s says neither yes nor no for %s (%s)."),
                              state->domain, state->relay, term != NULL ? term : "?all");
    case POSTIER_SPF_NONE:
      *level = POSTIER_DOMAIN_WORTH_KNOWING;
      return g_strdup_printf (_("%s publishes no SPF record: receivers cannot tell whether %s "
                                "may send its mail."), state->domain, state->relay);
    case POSTIER_SPF_PERMERROR:
      *level = POSTIER_DOMAIN_LIKELY_REFUSED;
      return g_strdup_printf (_("The SPF record of %s is broken (%s): receivers count that as "
                                "a failure."), state->domain, problem != NULL ? problem : "?");
    case POSTIER_SPF_TEMPERROR:
    default:
      *level = POSTIER_DOMAIN_NOT_CHECKED;
      return g_strdup (_("SPF not checked: the DNS did not answer."));
    }
}

gboolean
_postier_sender_find_spf (PostierSenderState *state)
{
  g_autoptr(PostierDnsAnswer) txt = postier_dns_lookup (state->domain, POSTIER_DNS_TXT);
  const char *record = NULL;
  PostierSpfResult worst = POSTIER_SPF_PASS;
  g_autofree char *term = NULL, *problem = NULL;
  PostierDomainLevel level;
  char *summary;

  note_ttl (state, txt);
  if (txt->status == POSTIER_DNS_UNAVAILABLE)
    return FALSE;
  if (txt->status == POSTIER_DNS_FOUND)
    record = txt_with_prefix (txt, "v=spf1", NULL);

  /* Every address the relay may send from must pass; the first that does
   * worst is the one to explain. */
  for (guint i = 0; i < state->relay_addresses->len; i++)
    {
      GInetAddress *address = g_ptr_array_index (state->relay_addresses, i);
      g_autofree char *why = NULL;
      PostierSpfResult result = postier_dns_spf_check (state->domain, address, &why);

      if (i == 0 || (result != POSTIER_SPF_PASS && worst == POSTIER_SPF_PASS))
        {
          worst = result;
          g_clear_pointer (&problem, g_free);
          problem = g_steal_pointer (&why);
          g_clear_pointer (&term, g_free);
          if (record != NULL)
            term = _postier_spf_matching_term (state->domain, record, address);
        }
    }
  if (state->relay_addresses->len == 0)
    worst = record != NULL ? POSTIER_SPF_TEMPERROR : POSTIER_SPF_NONE;

  state->spf = worst;
  summary = spf_sentence (state, worst, term, problem, &level);
  _postier_sender_add_finding (state, "spf", level, summary, record,
                               postier_spf_result_to_string (worst));
  return TRUE;
}

/* Selectors under which the big providers publish their signing keys; a
 * key there suggests the relay signs for the domain. A heuristic, said so
 * in the sentence: a domain may use any selector name. */
static const char *const well_known_selectors[] = {
  "google",                   /* Google Workspace */
  "selector1", "selector2",   /* Microsoft 365 */
  "k1", "k2",                 /* Mailchimp, Mailgun */
  "s1", "s2",                 /* SendGrid */
  "default", "dkim", "mail",  /* common self-hosted defaults */
};

void
_postier_sender_find_dkim (PostierSenderState *state)
{
  for (guint i = 0; i < G_N_ELEMENTS (well_known_selectors); i++)
    {
      g_autofree char *name = g_strdup_printf ("%s._domainkey.%s",
                                               well_known_selectors[i], state->domain);
      g_autoptr(PostierDnsAnswer) txt = postier_dns_lookup (name, POSTIER_DNS_TXT);

      if (txt->status == POSTIER_DNS_UNAVAILABLE)
        break;
      if (txt->status == POSTIER_DNS_FOUND && strstr (txt->records[0], "p=") != NULL)
        {
          state->dkim_key_found = TRUE;
          _postier_sender_add_finding (state, "dkim", POSTIER_DOMAIN_FINE,
            g_strdup_printf (_("%s publishes a DKIM key under the selector “%s”: its mail "
                               "provider probably signs its mail (a guess from well-known "
                               "selectors; Postier itself does not sign)."),
                             state->domain, well_known_selectors[i]),
            name, well_known_selectors[i]);
          return;
        }
    }
  /* Without a signature DMARC rests on SPF: only worth a word when SPF
   * does not pass. */
  _postier_sender_add_finding (state, "dkim",
    state->spf == POSTIER_SPF_PASS ? POSTIER_DOMAIN_FINE : POSTIER_DOMAIN_WORTH_KNOWING,
    g_strdup_printf (_("No DKIM key found under the selectors the big providers use: the relay "
                       "may not sign mail from %s, so receivers rely on SPF alone (a guess; "
                       "Postier itself does not sign)."), state->domain),
    NULL, "unknown");
}

void
_postier_sender_find_bimi (PostierSenderState *state)
{
  g_autofree char *name = g_strconcat ("default._bimi.", state->domain, NULL);
  g_autoptr(PostierDnsAnswer) txt = postier_dns_lookup (name, POSTIER_DNS_TXT);
  const char *record = txt->status == POSTIER_DNS_FOUND ? txt_with_prefix (txt, "v=BIMI1", NULL) : NULL;

  if (record != NULL)
    _postier_sender_add_finding (state, "bimi", POSTIER_DOMAIN_FINE,
      g_strdup_printf (_("%s publishes a BIMI logo, which some mailboxes show beside its mail."),
                       state->domain), record, "published");
  else
    _postier_sender_add_finding (state, "bimi", POSTIER_DOMAIN_FINE,
      g_strdup_printf (_("%s publishes no BIMI logo (optional)."), state->domain), NULL, "none");
}

const char *
postier_sender_check_learn_more (void)
{
  return _("Receivers check three things about the domain in your From address.\n\n"
           "SPF: the domain publishes the list of servers allowed to send its mail. Your "
           "mail leaves through your relay, so the relay must be on that list.\n\n"
           "DKIM: the sending server signs each message with a key the domain publishes. "
           "Postier does not sign; your mail provider’s relay usually does, for its own "
           "domains.\n\n"
           "DMARC: the domain tells receivers what to do with mail that passes neither SPF "
           "nor DKIM for the From domain: nothing (p=none), put it in spam "
           "(p=quarantine) or refuse it (p=reject).\n\n"
           "If something here will probably be refused, ask whoever runs the domain to add "
           "your relay to its SPF record, or send through the relay of the domain’s own "
           "mail provider.");
}
