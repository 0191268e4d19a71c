/* postierctl-sandbox.c — postierctl sandbox list|show|delete|clear
 *
 * What the Sandbox captured, its envelope, the check list and the MIME
 * structure, for people and (with --json, whose shape is stable) scripts.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postierctl"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <unistd.h>

#include "postierctl-private.h"

/* --- Shared ------------------------------------------------------------- */

static char *
iso_date (GDateTime *time)
{
  g_autoptr(GDateTime) utc = NULL;

  if (time == NULL)
    return NULL;
  utc = g_date_time_to_utc (time);
  return g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ");
}

static char *
local_date (GDateTime *time)
{
  g_autoptr(GDateTime) local = NULL;

  if (time == NULL)
    return g_strdup ("—");
  local = g_date_time_to_local (time);
  return g_date_time_format (local, "%Y-%m-%d %H:%M:%S");
}

static void
add_string_member (JsonBuilder *builder,
                   const char  *name,
                   const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_int_member (JsonBuilder *builder,
                const char  *name,
                gint64       value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

static void
add_envelope_members (JsonBuilder           *builder,
                      PostierSandboxMessage *message)
{
  const char * const *recipients = postier_sandbox_message_get_recipients (message);

  json_builder_set_member_name (builder, "envelope");
  json_builder_begin_object (builder);
  add_string_member (builder, "mail_from", postier_sandbox_message_get_sender (message));
  json_builder_set_member_name (builder, "rcpt_to");
  json_builder_begin_array (builder);
  for (guint i = 0; recipients[i] != NULL; i++)
    json_builder_add_string_value (builder, recipients[i]);
  json_builder_end_array (builder);
  add_string_member (builder, "mail_parameters", postier_sandbox_message_get_mail_parameters (message));
  json_builder_set_member_name (builder, "smtputf8");
  json_builder_add_boolean_value (builder, postier_sandbox_message_get_smtputf8 (message));
  add_string_member (builder, "helo", postier_sandbox_message_get_helo (message));
  add_string_member (builder, "login", postier_sandbox_message_get_login (message));
  add_string_member (builder, "tls", postier_sandbox_message_get_tls (message));
  json_builder_end_object (builder);
}

/* The members every listing and `show` share. */
static void
add_summary_members (JsonBuilder           *builder,
                     PostierSandboxMessage *message)
{
  g_autofree char *received = iso_date (postier_sandbox_message_get_received (message));
  g_autofree char *date = iso_date (postier_sandbox_message_get_date (message));

  add_string_member (builder, "id", postier_sandbox_message_get_id (message));
  add_string_member (builder, "received", received);
  add_string_member (builder, "date", date);
  add_string_member (builder, "from", postier_sandbox_message_get_from (message));
  add_string_member (builder, "subject", postier_sandbox_message_get_subject (message));
  add_string_member (builder, "message_id", postier_sandbox_message_get_message_id (message));
  add_int_member (builder, "size", (gint64) postier_sandbox_message_get_size (message));
  add_string_member (builder, "path", postier_sandbox_message_get_path (message));
  add_envelope_members (builder, message);
}

/* --- list --------------------------------------------------------------- */

static int
sandbox_list (int    argc,
              char **argv)
{
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print a stable JSON array for scripts"), NULL },
    G_OPTION_ENTRY_NULL,
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("— list the messages the Sandbox captured"));
  g_autoptr(PostierSandboxStore) store = postier_sandbox_store_new (NULL);
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!postierctl_parse_options (context, &argc, &argv))
    return EX_USAGE;
  if (argc != 1)
    return postierctl_usage_error (_("sandbox list takes no arguments"));

  list = postier_sandbox_store_list (store, &error);
  if (list == NULL)
    return postierctl_fail (error);

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_array (builder);
      for (guint i = 0; i < list->len; i++)
        {
          json_builder_begin_object (builder);
          add_summary_members (builder, g_ptr_array_index (list, i));
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      root = json_builder_get_root (builder);
      postierctl_print_json (root);
      return EX_OK;
    }

  if (list->len == 0)
    {
      g_print ("%s\n", _("The sandbox is empty."));
      return EX_OK;
    }
  for (guint i = 0; i < list->len; i++)
    {
      PostierSandboxMessage *message = g_ptr_array_index (list, i);
      g_autofree char *received = local_date (postier_sandbox_message_get_received (message));
      g_autofree char *size = g_format_size (postier_sandbox_message_get_size (message));
      const char * const *recipients = postier_sandbox_message_get_recipients (message);
      g_autofree char *to = postierctl_printable (recipients[0] != NULL ? recipients[0] : "");
      guint n_more = recipients[0] != NULL ? g_strv_length ((GStrv) recipients) - 1 : 0;
      g_autofree char *to_shown = n_more > 0 ? g_strdup_printf ("%s (+%u)", to, n_more) : g_strdup (to);
      g_autofree char *id = postierctl_printable (postier_sandbox_message_get_id (message));
      g_autofree char *sender = postierctl_printable (postier_sandbox_message_get_sender (message));
      g_autofree char *subject = postierctl_printable (postier_sandbox_message_get_subject (message));

      g_print ("%s  %s  %9s  %s → %s  %s\n", id, received, size, sender != NULL ? sender : "?",
               to_shown, subject != NULL ? subject : "");
    }
  return EX_OK;
}

/* --- show --------------------------------------------------------------- */

static const char *
status_label (PostierCheckStatus status)
{
  switch (status)
    {
    case POSTIER_CHECK_PASS:
      return _("pass");
    case POSTIER_CHECK_WARN:
      return _("warn");
    case POSTIER_CHECK_FAIL:
    default:
      return _("FAIL");
    }
}

static void
print_mime_node (PostierMimeNode *node)
{
  g_autoptr(GString) line = g_string_new (NULL);
  g_autofree char *shown = NULL;

  g_string_append_printf (line, "  %*s%s%s%s", (int) node->depth * 2, "",
                          *node->part_id != '\0' ? node->part_id : "",
                          *node->part_id != '\0' ? "  " : "", node->content_type);
  if (node->charset != NULL)
    g_string_append_printf (line, "; charset=%s", node->charset);
  if (node->encoding != NULL)
    {
      g_autofree char *decoded = g_format_size (node->decoded_size);

      g_string_append_printf (line, "  %s  %s", node->encoding, decoded);
      if (node->encoded_size != node->decoded_size)
        {
          g_autofree char *encoded = g_format_size (node->encoded_size);
          g_string_append_c (line, ' ');
          g_string_append_printf (line, _("(%s encoded)"), encoded);
        }
    }
  if (node->disposition != NULL)
    g_string_append_printf (line, "  %s", node->disposition);
  if (node->filename != NULL)
    g_string_append_printf (line, "  “%s”", node->filename);
  /* Types, parameters and file names all come from the message. */
  shown = postierctl_printable (line->str);
  g_print ("%s\n", shown);
}

/* One line of `sandbox show` whose value is text from the message or its
 * envelope. FORMAT takes the label, then the value. */
static void G_GNUC_PRINTF (1, 0)
print_field (const char *format,
             const char *label,
             const char *value)
{
  g_autofree char *shown = postierctl_printable (value);

  g_print (format, label, shown != NULL ? shown : "");
}

static void
print_message (PostierSandboxMessage *message,
               GPtrArray             *checks,
               GPtrArray             *nodes)
{
  const char * const *recipients = postier_sandbox_message_get_recipients (message);
  g_autofree char *received = local_date (postier_sandbox_message_get_received (message));
  g_autofree char *date = local_date (postier_sandbox_message_get_date (message));
  g_autofree char *size = g_format_size_full (postier_sandbox_message_get_size (message),
                                              G_FORMAT_SIZE_LONG_FORMAT);
  const char *sender = postier_sandbox_message_get_sender (message);

  print_field ("%-14s %s\n", _("Id:"), postier_sandbox_message_get_id (message));
  g_print ("%-14s %s\n", _("Received:"), received);
  g_print ("%-14s %s\n", _("Size:"), size);
  print_field ("%-14s %s\n", _("File:"), postier_sandbox_message_get_path (message));

  g_print ("\n%s\n", _("Envelope"));
  if (sender == NULL)
    g_print ("  %s\n", _("unknown (no envelope was recorded)"));
  else
    {
      g_autofree char *shown_sender = postierctl_printable (sender);
      g_autofree char *parameters = postierctl_printable (postier_sandbox_message_get_mail_parameters (message));

      g_print ("  %-12s <%s>%s%s\n", "MAIL FROM:", shown_sender,
               parameters != NULL ? " " : "", parameters != NULL ? parameters : "");
      for (guint i = 0; recipients[i] != NULL; i++)
        {
          g_autofree char *recipient = postierctl_printable (recipients[i]);
          g_print ("  %-12s <%s>\n", i == 0 ? "RCPT TO:" : "", recipient);
        }
      if (postier_sandbox_message_get_helo (message) != NULL)
        print_field ("  %-12s %s\n", "EHLO:", postier_sandbox_message_get_helo (message));
      if (postier_sandbox_message_get_login (message) != NULL)
        print_field ("  %-12s %s\n", _("Login:"), postier_sandbox_message_get_login (message));
      if (postier_sandbox_message_get_tls (message) != NULL)
        print_field ("  %-12s %s\n", "TLS:", postier_sandbox_message_get_tls (message));
    }

  g_print ("\n%s\n", _("Headers"));
  print_field ("  %-12s %s\n", "From:", postier_sandbox_message_get_from (message));
  print_field ("  %-12s %s\n", "Subject:", postier_sandbox_message_get_subject (message));
  g_print ("  %-12s %s\n", "Date:", date);
  print_field ("  %-12s %s\n", "Message-ID:", postier_sandbox_message_get_message_id (message));

  g_print ("\n%s\n", _("Checks"));
  for (guint i = 0; i < checks->len; i++)
    {
      PostierCheckItem *item = g_ptr_array_index (checks, i);
      /* Explanations quote the message (a header, an address). */
      g_autofree char *title = postierctl_printable (item->title);
      g_autofree char *explanation = postierctl_printable (item->explanation);

      g_print ("  [%s] %s\n", status_label (item->status), title);
      g_print ("         %s\n", explanation);
    }

  g_print ("\n%s\n", _("MIME structure"));
  for (guint i = 0; i < nodes->len; i++)
    print_mime_node (g_ptr_array_index (nodes, i));
}

static JsonNode *
message_to_json (PostierSandboxMessage *message,
                 GPtrArray             *checks,
                 GPtrArray             *nodes)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  add_summary_members (builder, message);

  json_builder_set_member_name (builder, "checks");
  json_builder_begin_array (builder);
  for (guint i = 0; i < checks->len; i++)
    {
      PostierCheckItem *item = g_ptr_array_index (checks, i);

      json_builder_begin_object (builder);
      add_string_member (builder, "key", postier_check_kind_to_key (item->kind));
      add_string_member (builder, "status", postier_check_status_to_string (item->status));
      add_string_member (builder, "title", item->title);
      add_string_member (builder, "explanation", item->explanation);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  add_string_member (builder, "worst", postier_check_status_to_string (postier_message_check_worst (checks)));

  json_builder_set_member_name (builder, "mime");
  json_builder_begin_array (builder);
  for (guint i = 0; i < nodes->len; i++)
    {
      PostierMimeNode *node = g_ptr_array_index (nodes, i);

      json_builder_begin_object (builder);
      add_string_member (builder, "part", node->part_id);
      add_int_member (builder, "depth", node->depth);
      add_string_member (builder, "content_type", node->content_type);
      add_string_member (builder, "charset", node->charset);
      add_string_member (builder, "encoding", node->encoding);
      add_string_member (builder, "disposition", node->disposition);
      add_string_member (builder, "filename", node->filename);
      add_int_member (builder, "encoded_size", (gint64) node->encoded_size);
      add_int_member (builder, "decoded_size", (gint64) node->decoded_size);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static int
print_raw (GBytes *bytes)
{
  gsize length;
  const char *data = g_bytes_get_data (bytes, &length);

  if (length > 0 && fwrite (data, 1, length, stdout) != length)
    return EX_IOERR;
  return fflush (stdout) == 0 ? EX_OK : EX_IOERR;
}

static int
sandbox_show (int    argc,
              char **argv)
{
  gboolean json = FALSE;
  gboolean raw = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print a stable JSON object for scripts"), NULL },
    { "raw", 0, 0, G_OPTION_ARG_NONE, &raw, N_("Print the message exactly as it was received"), NULL },
    G_OPTION_ENTRY_NULL,
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("ID — show a captured message, its envelope and its checks"));
  g_autoptr(PostierSandboxStore) store = postier_sandbox_store_new (NULL);
  g_autoptr(PostierSandboxMessage) message = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GObject) parsed = NULL;
  g_autoptr(PostierMimeNode) tree = NULL;
  g_autoptr(GPtrArray) nodes = NULL;
  g_autoptr(GPtrArray) checks = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PostierAccountStore) accounts = NULL;
  g_autoptr(PostierSandboxChecks) inputs = NULL;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!postierctl_parse_options (context, &argc, &argv))
    return EX_USAGE;
  if (argc != 2)
    return postierctl_usage_error (_("sandbox show takes exactly one message ID"));
  if (json && raw)
    return postierctl_usage_error (_("give either --json or --raw, not both"));

  message = postier_sandbox_store_lookup (store, argv[1], &error);
  if (message == NULL)
    {
      int code = postierctl_fail (error);
      return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND) ||
             g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT) ? EX_DATAERR : code;
    }
  bytes = postier_sandbox_message_load_bytes (message, &error);
  if (bytes == NULL)
    return postierctl_fail (error);
  if (raw)
    return print_raw (bytes);

  parsed = postier_sandbox_message_parse (message, &error);
  if (parsed == NULL)
    return postierctl_fail (error);
  accounts = postierctl_load_accounts (&error);
  if (accounts == NULL)
    return postierctl_fail (error);

  /* The same inputs as the Sandbox view's, so the same verdicts. */
  inputs = postier_sandbox_checks_new (accounts);
  checks = postier_sandbox_checks_run (inputs, message, bytes);
  tree = postier_mime_tree_new (parsed);
  nodes = postier_mime_tree_flatten (tree);

  if (json)
    {
      g_autoptr(JsonNode) root = message_to_json (message, checks, nodes);
      postierctl_print_json (root);
    }
  else
    print_message (message, checks, nodes);
  return EX_OK;
}

/* --- delete and clear --------------------------------------------------- */

static int
sandbox_delete (int    argc,
                char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (_("ID — delete one captured message"));
  g_autoptr(PostierSandboxStore) store = postier_sandbox_store_new (NULL);
  g_autoptr(GError) error = NULL;

  if (!postierctl_parse_options (context, &argc, &argv))
    return EX_USAGE;
  if (argc != 2)
    return postierctl_usage_error (_("sandbox delete takes exactly one message ID"));
  if (!postier_sandbox_store_delete (store, argv[1], &error))
    {
      int code = postierctl_fail (error);
      return error->domain == G_IO_ERROR && error->code != G_IO_ERROR_FAILED ? EX_DATAERR : code;
    }
  g_print (_("Message “%s” deleted from the sandbox."), argv[1]);
  g_print ("\n");
  return EX_OK;
}

static int
sandbox_clear (int    argc,
               char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (_("— delete every captured message"));
  g_autoptr(PostierSandboxStore) store = postier_sandbox_store_new (NULL);
  g_autoptr(GError) error = NULL;
  guint count;

  if (!postierctl_parse_options (context, &argc, &argv))
    return EX_USAGE;
  if (argc != 1)
    return postierctl_usage_error (_("sandbox clear takes no arguments"));
  count = postier_sandbox_store_clear (store, &error);
  if (error != NULL)
    return postierctl_fail (error);
  g_print (ngettext ("%u message deleted from the sandbox.",
                     "%u messages deleted from the sandbox.", count), count);
  g_print ("\n");
  return EX_OK;
}

int
postierctl_sandbox_main (int    argc,
                         char **argv)
{
  static const PostierctlCommand subcommands[] = {
    { "list", sandbox_list, N_("List the captured messages") },
    { "show", sandbox_show, N_("Show a message, its envelope, checks and MIME structure") },
    { "delete", sandbox_delete, N_("Delete one captured message") },
    { "clear", sandbox_clear, N_("Delete every captured message") },
  };

  return postierctl_run_subcommand (subcommands, G_N_ELEMENTS (subcommands),
                                    _("Usage: postierctl sandbox list|show|delete|clear …"), argc, argv);
}
