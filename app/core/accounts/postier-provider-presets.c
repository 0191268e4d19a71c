/* postier-provider-presets.c
 *
 * Sources, checked when the table was written: Google "Read Gmail messages
 * on other email clients using POP" / "Send email from a printer, scanner
 * or app" (smtp.gmail.com 465 SSL); Microsoft "POP, IMAP, and SMTP
 * settings for Outlook.com" and "How to set up a multifunction device or
 * application to send email using Microsoft 365" (smtp.office365.com 587
 * STARTTLS, OAuth since Basic auth retirement); each provider's own help
 * page for the others, as also carried by Thunderbird's ISPDB
 * (autoconfig.thunderbird.net/v1.1/DOMAIN).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-autoconfig"

#include "config.h"

#include <string.h>

#include "postier-autoconfig.h"
#include "postier-provider-presets.h"

typedef struct {
  const char        *name;
  const char        *host;
  guint              port;
  PostierSecurity    security;
  PostierAuthMethod  auth;
  const char        *oauth_provider;
  const char *const *domains;
  const char *const *mx_suffixes;
} Preset;

static const char *const google_domains[] = { "gmail.com", "googlemail.com", NULL };
static const char *const google_mx[] = { "google.com", "googlemail.com", NULL };
static const char *const microsoft_domains[] = {
  "outlook.com", "hotmail.com", "live.com", "msn.com", "hotmail.co.uk", "hotmail.fr",
  "live.fr", "outlook.fr", "hotmail.de", "outlook.de", "live.de", NULL
};
static const char *const microsoft_mx[] = { "mail.protection.outlook.com", NULL };
static const char *const yahoo_domains[] = { "yahoo.com", "ymail.com", "rocketmail.com", "yahoo.fr",
                                             "yahoo.co.uk", "yahoo.de", NULL };
static const char *const icloud_domains[] = { "icloud.com", "me.com", "mac.com", NULL };
static const char *const fastmail_domains[] = { "fastmail.com", "fastmail.fm", NULL };
static const char *const fastmail_mx[] = { "messagingengine.com", NULL };
static const char *const gmx_net_domains[] = { "gmx.net", "gmx.de", "gmx.at", "gmx.ch", NULL };
static const char *const gmx_com_domains[] = { "gmx.com", "gmx.fr", "gmx.co.uk", NULL };
static const char *const webde_domains[] = { "web.de", NULL };
static const char *const mailbox_domains[] = { "mailbox.org", NULL };
static const char *const posteo_domains[] = { "posteo.de", "posteo.net", NULL };
static const char *const orange_domains[] = { "orange.fr", "wanadoo.fr", NULL };
static const char *const free_domains[] = { "free.fr", NULL };
static const char *const laposte_domains[] = { "laposte.net", NULL };
static const char *const aol_domains[] = { "aol.com", NULL };
static const char *const zoho_domains[] = { "zoho.com", "zohomail.com", NULL };

static const Preset presets[] = {
  { "Google", "smtp.gmail.com", 465, POSTIER_SECURITY_TLS, POSTIER_AUTH_XOAUTH2, "google",
    google_domains, google_mx },
  { "Microsoft 365", "smtp.office365.com", 587, POSTIER_SECURITY_STARTTLS, POSTIER_AUTH_XOAUTH2,
    "microsoft", microsoft_domains, microsoft_mx },
  { "Yahoo", "smtp.mail.yahoo.com", 465, POSTIER_SECURITY_TLS, POSTIER_AUTH_AUTO, NULL,
    yahoo_domains, NULL },
  { "iCloud", "smtp.mail.me.com", 587, POSTIER_SECURITY_STARTTLS, POSTIER_AUTH_AUTO, NULL,
    icloud_domains, NULL },
  { "Fastmail", "smtp.fastmail.com", 465, POSTIER_SECURITY_TLS, POSTIER_AUTH_AUTO, NULL,
    fastmail_domains, fastmail_mx },
  { "GMX", "mail.gmx.net", 587, POSTIER_SECURITY_STARTTLS, POSTIER_AUTH_AUTO, NULL,
    gmx_net_domains, NULL },
  { "GMX", "mail.gmx.com", 587, POSTIER_SECURITY_STARTTLS, POSTIER_AUTH_AUTO, NULL,
    gmx_com_domains, NULL },
  { "WEB.DE", "smtp.web.de", 587, POSTIER_SECURITY_STARTTLS, POSTIER_AUTH_AUTO, NULL,
    webde_domains, NULL },
  { "mailbox.org", "smtp.mailbox.org", 465, POSTIER_SECURITY_TLS, POSTIER_AUTH_AUTO, NULL,
    mailbox_domains, NULL },
  { "Posteo", "posteo.de", 465, POSTIER_SECURITY_TLS, POSTIER_AUTH_AUTO, NULL,
    posteo_domains, NULL },
  { "Orange", "smtp.orange.fr", 465, POSTIER_SECURITY_TLS, POSTIER_AUTH_AUTO, NULL,
    orange_domains, NULL },
  { "Free", "smtp.free.fr", 465, POSTIER_SECURITY_TLS, POSTIER_AUTH_AUTO, NULL,
    free_domains, NULL },
  { "La Poste", "smtp.laposte.net", 465, POSTIER_SECURITY_TLS, POSTIER_AUTH_AUTO, NULL,
    laposte_domains, NULL },
  { "AOL", "smtp.aol.com", 465, POSTIER_SECURITY_TLS, POSTIER_AUTH_AUTO, NULL,
    aol_domains, NULL },
  { "Zoho Mail", "smtp.zoho.com", 465, POSTIER_SECURITY_TLS, POSTIER_AUTH_AUTO, NULL,
    zoho_domains, NULL },
};

static PostierServerSuggestion *
suggestion_from (const Preset *preset,
                 const char   *address,
                 PostierServerSource source)
{
  PostierServerSuggestion *suggestion = postier_server_suggestion_new ();

  suggestion->host = g_strdup (preset->host);
  suggestion->port = preset->port;
  suggestion->security = preset->security;
  suggestion->auth = preset->auth;
  /* Every provider listed logs in with the whole address. */
  suggestion->user = g_strdup (address);
  suggestion->provider_name = g_strdup (preset->name);
  suggestion->oauth_provider = g_strdup (preset->oauth_provider);
  suggestion->source = source;
  suggestion->may_fill = source == POSTIER_SERVER_SOURCE_PRESET;
  return suggestion;
}

PostierServerSuggestion *
postier_provider_preset_for_domain (const char *domain,
                                    const char *address)
{
  g_return_val_if_fail (domain != NULL, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (presets); i++)
    if (g_strv_contains ((const char *const *) presets[i].domains, domain))
      return suggestion_from (&presets[i], address, POSTIER_SERVER_SOURCE_PRESET);
  return NULL;
}

PostierServerSuggestion *
postier_provider_preset_for_mx (const char *mx_host,
                                const char *address)
{
  g_return_val_if_fail (mx_host != NULL, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (presets); i++)
    {
      if (presets[i].mx_suffixes == NULL)
        continue;
      for (const char *const *suffix = presets[i].mx_suffixes; *suffix != NULL; suffix++)
        if (postier_autoconfig_host_in_domain (mx_host, *suffix))
          {
            PostierServerSuggestion *suggestion =
              suggestion_from (&presets[i], address, POSTIER_SERVER_SOURCE_MX);

            suggestion->found_at = g_strdup (mx_host);
            return suggestion;
          }
    }
  return NULL;
}
