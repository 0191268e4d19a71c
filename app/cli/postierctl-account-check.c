/* postierctl-account-check.c — `postierctl account check NAME [--json]`:
 * will receivers accept mail from this account's domain through its relay?
 *
 * Exit 0 whenever the check ran, whatever it found, and also when the DNS
 * could not be asked ("not checked" is a finding, not a failure of the
 * command); the verdict is in the output and in --json.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "postier-sender-check.h"
#include "postierctl-private.h"

static JsonNode *
report_to_json (const char          *account_name,
                PostierSenderReport *report)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "account");
  json_builder_add_string_value (builder, account_name);
  json_builder_set_member_name (builder, "domain");
  json_builder_add_string_value (builder, report->domain);
  json_builder_set_member_name (builder, "relay");
  json_builder_add_string_value (builder, report->relay);
  json_builder_set_member_name (builder, "relay_addresses");
  json_builder_begin_array (builder);
  for (guint i = 0; report->relay_addresses[i] != NULL; i++)
    json_builder_add_string_value (builder, report->relay_addresses[i]);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "verdict");
  json_builder_add_string_value (builder, postier_domain_level_to_string (report->verdict));
  json_builder_set_member_name (builder, "checks");
  json_builder_begin_array (builder);
  for (guint i = 0; i < report->findings->len; i++)
    {
      const PostierDomainFinding *finding = g_ptr_array_index (report->findings, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "check");
      json_builder_add_string_value (builder, finding->key);
      json_builder_set_member_name (builder, "level");
      json_builder_add_string_value (builder, postier_domain_level_to_string (finding->level));
      json_builder_set_member_name (builder, "result");
      json_builder_add_string_value (builder, finding->result);
      json_builder_set_member_name (builder, "record");
      json_builder_add_string_value (builder, finding->record);
      json_builder_set_member_name (builder, "summary");
      json_builder_add_string_value (builder, finding->summary);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static void
print_report (PostierSenderReport *report,
              gboolean             explain)
{
  g_autofree char *domain = postierctl_printable (report->domain);
  g_autofree char *relay = postierctl_printable (report->relay);
  g_autofree char *addresses = g_strjoinv (", ", report->relay_addresses);

  g_print (_("Sender domain %s, sending through %s (%s)"), domain, relay,
           *addresses != '\0' ? addresses : _("address unknown"));
  g_print ("\n%s %s\n\n", _("Verdict:"), postier_domain_level_to_label (report->verdict));
  for (guint i = 0; i < report->findings->len; i++)
    {
      const PostierDomainFinding *finding = g_ptr_array_index (report->findings, i);
      g_autofree char *summary = postierctl_printable (finding->summary);
      g_autofree char *key = g_ascii_strup (finding->key, -1);

      g_print ("  %-6s %-26s %s\n", key, postier_domain_level_to_label (finding->level), summary);
      if (finding->record != NULL)
        {
          g_autofree char *record = postierctl_printable (finding->record);
          g_print ("  %-6s %-26s %s\n", "", "", record);
        }
    }
  if (explain)
    g_print ("\n%s\n", postier_sender_check_learn_more ());
  else
    g_print ("\n%s\n", _("What SPF, DKIM and DMARC mean: postierctl account check NAME --explain"));
}

int
postierctl_account_check (int    argc,
                          char **argv)
{
  gboolean json = FALSE, explain = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print a stable JSON object for scripts"), NULL },
    { "explain", 0, 0, G_OPTION_ARG_NONE, &explain, N_("Explain SPF, DKIM and DMARC in plain words"), NULL },
    G_OPTION_ENTRY_NULL,
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("NAME — will mail from this account be accepted?"));
  g_autoptr(PostierAccountStore) store = NULL;
  g_autoptr(PostierSenderReport) report = NULL;
  g_autoptr(GError) error = NULL;
  PostierAccount *account;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!postierctl_parse_options (context, &argc, &argv))
    return EX_USAGE;
  if (argc != 2)
    return postierctl_usage_error (_("account check takes one account name"));

  store = postierctl_load_accounts (&error);
  if (store == NULL)
    return postierctl_fail (error);
  account = postier_account_store_lookup (store, argv[1]);
  if (account == NULL)
    {
      g_set_error (&error, POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_NOT_FOUND,
                   _("there is no account named “%s”"), argv[1]);
      return postierctl_fail (error);
    }
  if (postier_account_get_kind (account) == POSTIER_ACCOUNT_KIND_SANDBOX)
    {
      g_printerr ("postierctl: %s\n", _("the Sandbox keeps mail on this machine: there is no relay "
                                        "and no sender domain to check"));
      return EX_UNAVAILABLE;
    }

  report = postier_sender_check (postier_account_get_identity (account),
                                 postier_account_get_host (account), NULL, &error);
  if (report == NULL)
    return postierctl_fail (error);

  if (json)
    {
      g_autoptr(JsonNode) root = report_to_json (postier_account_get_name (account), report);
      postierctl_print_json (root);
    }
  else
    print_report (report, explain);
  return EX_OK;
}
