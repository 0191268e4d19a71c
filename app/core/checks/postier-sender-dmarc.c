/* postier-sender-dmarc.c — what the domain's DMARC policy means for mail
 * sent through this account
 *
 * Postier's envelope sender is the From address, so SPF, when it passes,
 * is aligned (strict or relaxed alike); DKIM depends on the relay, which
 * the DKIM finding can only guess.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "postier-sender-check-private.h"

typedef struct {
  char *policy;   /* none, quarantine, reject */
  char *adkim, *aspf;
  char *rua;
  int   pct;
} DmarcPolicy;

static void
dmarc_policy_clear (DmarcPolicy *policy)
{
  g_free (policy->policy);
  g_free (policy->adkim);
  g_free (policy->aspf);
  g_free (policy->rua);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (DmarcPolicy, dmarc_policy_clear)

/* RFC 7489's tag list; FALSE unless it starts with v=DMARC1. */
static gboolean
dmarc_parse (const char  *record,
             DmarcPolicy *policy)
{
  g_auto(GStrv) tags = g_strsplit (record, ";", -1);

  policy->pct = 100;
  for (guint i = 0; tags[i] != NULL; i++)
    {
      char *tag = g_strstrip (tags[i]);
      char *equals = strchr (tag, '=');
      const char *value;

      if (equals == NULL)
        continue;
      *equals = '\0';
      g_strstrip (tag);
      value = g_strstrip (equals + 1);
      if (i == 0 && (g_ascii_strcasecmp (tag, "v") != 0 || g_ascii_strcasecmp (value, "DMARC1") != 0))
        return FALSE;
      if (g_ascii_strcasecmp (tag, "p") == 0)
        policy->policy = g_ascii_strdown (value, -1);
      else if (g_ascii_strcasecmp (tag, "adkim") == 0)
        policy->adkim = g_ascii_strdown (value, -1);
      else if (g_ascii_strcasecmp (tag, "aspf") == 0)
        policy->aspf = g_ascii_strdown (value, -1);
      else if (g_ascii_strcasecmp (tag, "rua") == 0)
        policy->rua = g_strdup (value);
      else if (g_ascii_strcasecmp (tag, "pct") == 0)
        policy->pct = CLAMP ((int) g_ascii_strtoll (value, NULL, 10), 0, 100);
    }
  return policy->policy != NULL;
}

/* The record at _dmarc.DOMAIN, else at the organisational domain. Without
 * the public suffix list, the organisational domain is taken to be the
 * last two labels: right for example.org, not for example.co.uk (then
 * nothing is found there and the finding says so). */
static char *
dmarc_record (PostierSenderState *state,
              gboolean           *unavailable)
{
  const char *domain = state->domain;

  for (guint attempt = 0; attempt < 2; attempt++)
    {
      g_autofree char *name = g_strconcat ("_dmarc.", domain, NULL);
      g_autoptr(PostierDnsAnswer) txt = postier_dns_lookup (name, POSTIER_DNS_TXT);
      const char *dot;

      if (txt->status == POSTIER_DNS_UNAVAILABLE)
        {
          *unavailable = TRUE;
          return NULL;
        }
      for (guint i = 0; txt->status == POSTIER_DNS_FOUND && txt->records[i] != NULL; i++)
        if (g_ascii_strncasecmp (txt->records[i], "v=DMARC1", 8) == 0)
          return g_strdup (txt->records[i]);

      /* Up to the organisational domain, once. */
      dot = strchr (domain, '.');
      if (dot == NULL || strchr (dot + 1, '.') == NULL)
        break;
      while (strchr (dot + 1, '.') != NULL && strchr (strchr (dot + 1, '.') + 1, '.') != NULL)
        dot = strchr (dot + 1, '.');
      domain = dot + 1;
    }
  return NULL;
}

static char *
enforced_sentence (PostierSenderState *state,
                   const DmarcPolicy  *policy,
                   PostierDomainLevel *level)
{
  gboolean reject = g_str_equal (policy->policy, "reject");

  if (state->spf == POSTIER_SPF_PASS)
    {
      *level = POSTIER_DOMAIN_FINE;
      return g_strdup_printf (_("DMARC p=%s: fine for this account, as SPF passes for %s and "
                                "matches the From domain."), policy->policy, state->relay);
    }
  *level = state->dkim_key_found ? POSTIER_DOMAIN_WORTH_KNOWING : POSTIER_DOMAIN_LIKELY_REFUSED;
  if (reject)
    return g_strdup_printf (_("DMARC p=reject: a message that fails SPF and DKIM alignment will "
                              "be refused by most receivers, and SPF does not pass for %s%s"),
                            state->relay,
                            state->dkim_key_found ? _(", so it rests on the relay’s DKIM signature.") : ".");
  return g_strdup_printf (_("DMARC p=quarantine: a message that fails SPF and DKIM alignment "
                            "will go to spam at most receivers, and SPF does not pass for %s%s"),
                          state->relay,
                          state->dkim_key_found ? _(", so it rests on the relay’s DKIM signature.") : ".");
}

void
_postier_sender_find_dmarc (PostierSenderState *state)
{
  gboolean unavailable = FALSE;
  g_autofree char *record = dmarc_record (state, &unavailable);
  g_auto(DmarcPolicy) policy = { 0 };
  PostierDomainLevel level;
  g_autofree char *sentence = NULL, *result = NULL;

  if (unavailable)
    {
      _postier_sender_add_finding (state, "dmarc", POSTIER_DOMAIN_NOT_CHECKED,
                                   g_strdup (_("DMARC not checked: the DNS did not answer.")), NULL, NULL);
      return;
    }
  if (record == NULL || !dmarc_parse (record, &policy))
    {
      _postier_sender_add_finding (state, "dmarc", POSTIER_DOMAIN_WORTH_KNOWING,
        g_strdup_printf (_("%s publishes no DMARC policy: each receiver decides alone what to do "
                           "with its mail when SPF does not pass."), state->domain),
        record, "none");
      return;
    }

  if (g_str_equal (policy.policy, "quarantine") || g_str_equal (policy.policy, "reject"))
    sentence = enforced_sentence (state, &policy, &level);
  else
    {
      level = POSTIER_DOMAIN_FINE;
      sentence = policy.rua != NULL
        ? g_strdup_printf (_("DMARC p=none: receivers deliver as usual and send reports to %s."), policy.rua)
        : g_strdup (_("DMARC p=none: receivers deliver as usual and send no reports."));
    }
  if (policy.pct < 100)
    {
      char *with_pct = g_strdup_printf (_("%s (The policy applies to %d%% of messages.)"), sentence, policy.pct);
      g_free (sentence);
      sentence = with_pct;
    }
  result = g_strdup_printf ("p=%s; adkim=%s; aspf=%s; pct=%d", policy.policy,
                            policy.adkim != NULL ? policy.adkim : "r",
                            policy.aspf != NULL ? policy.aspf : "r", policy.pct);
  _postier_sender_add_finding (state, "dmarc", level, g_steal_pointer (&sentence), record, result);
}
