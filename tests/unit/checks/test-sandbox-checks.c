/* test-sandbox-checks.c — one captured message, one verdict
 *
 * `postierctl sandbox show` and the Sandbox view take the check list's
 * inputs (identities, the relay's SIZE, SMTPUTF8) from one core function,
 * postier_sandbox_checks_new(). With a real relay account as the default,
 * where the two used to disagree, the CLI's checks are exactly those of the
 * core function, and they say what the rules promise: the Sandbox's own
 * identity is "the account", the relay's is another of the person's
 * accounts, and the size is judged against the relay's SIZE.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "postier-core.h"
#include "postier-test.h"
#include "postier-test-sandbox.h"

#define CRLF "\r\n"
#define RELAY_IDENTITY "Ada Lovelace <ada@example.org>"
#define RELAY_SIZE 2000

/* The default account: a real relay whose SIZE is known. */
static PostierAccountStore *
add_relay (void)
{
  g_autoptr(PostierAccountStore) accounts = postier_account_store_new (NULL);
  g_autoptr(PostierAccount) work = postier_account_new ("Work");
  g_autoptr(GError) error = NULL;

  postier_account_set_identity (work, RELAY_IDENTITY);
  postier_account_set_host (work, "smtp.example.org");
  g_assert_true (postier_account_store_add (accounts, work, TRUE, &error));
  g_assert_no_error (error);
  postier_relay_size_limit_remember ("Work", RELAY_SIZE);
  return g_steal_pointer (&accounts);
}

/* BODY_OCTETS of text in lines of 72, so only the size can be too long. */
static char *
build (const char *from,
       const char *subject,
       gsize       body_octets)
{
  g_autoptr(GString) body = g_string_new (NULL);

  while (body->len < body_octets)
    g_string_append (body, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" CRLF);
  return g_strconcat ("Date: Mon, 1 Jan 2024 10:00:00 +0000" CRLF
                      "Message-ID: <checks.1@example.org>" CRLF
                      "From: ", from, CRLF
                      "To: Bob <bob@example.net>" CRLF
                      "Subject: ", subject, CRLF
                      "MIME-Version: 1.0" CRLF
                      "Content-Type: text/plain; charset=utf-8" CRLF
                      "Content-Transfer-Encoding: 8bit" CRLF
                      CRLF, body->str, NULL);
}

static JsonArray *
cli_checks (PostierSandboxMessage *message,
            JsonParser            *parser)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  status = postier_test_run_ctl (NULL, &out, &err, "sandbox", "show", "--json",
                                 postier_sandbox_message_get_id (message), NULL);
  g_assert_cmpstr (err, ==, "");
  g_assert_cmpint (status, ==, 0);
  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);
  return json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "checks");
}

/* The CLI's list is the core function's, item for item; returns the core
 * function's, for the caller's own assertions. */
static GPtrArray *
assert_cli_agrees (PostierAccountStore   *accounts,
                   PostierSandboxMessage *message)
{
  g_autoptr(PostierSandboxChecks) inputs = postier_sandbox_checks_new (accounts);
  g_autoptr(GBytes) bytes = postier_sandbox_message_load_bytes (message, NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  GPtrArray *items;
  JsonArray *shown;

  g_assert_nonnull (bytes);
  items = postier_sandbox_checks_run (inputs, message, bytes);
  shown = cli_checks (message, parser);
  g_assert_cmpuint (json_array_get_length (shown), ==, items->len);
  for (guint i = 0; i < items->len; i++)
    {
      PostierCheckItem *item = g_ptr_array_index (items, i);
      JsonObject *check = json_array_get_object_element (shown, i);

      g_assert_cmpstr (json_object_get_string_member (check, "key"), ==, postier_check_kind_to_key (item->kind));
      g_assert_cmpstr (json_object_get_string_member (check, "status"), ==,
                       postier_check_status_to_string (item->status));
      g_assert_cmpstr (json_object_get_string_member (check, "explanation"), ==, item->explanation);
    }
  return items;
}

static PostierCheckStatus
status_of (GPtrArray        *items,
           PostierCheckKind  kind)
{
  return ((PostierCheckItem *) g_ptr_array_index (items, kind))->status;
}

/* From the relay's identity, through the Sandbox: the CLI used to pass it
 * (it put the default account first), the view to warn (the Sandbox's
 * first). Now both warn, and both measure it against the relay's SIZE. */
static void
test_relay_identity_one_verdict (void)
{
  g_autoptr(PostierTestSandbox) fixture = postier_test_sandbox_new ();
  g_autoptr(PostierAccountStore) accounts = add_relay ();
  g_autofree char *text = build (RELAY_IDENTITY, "Engine notes", RELAY_SIZE);
  const char *to[] = { "bob@example.net", NULL };
  g_autoptr(PostierSandboxMessage) message = NULL;
  g_autoptr(GPtrArray) items = NULL;

  message = postier_test_sandbox_send (fixture, text, strlen (text), "ada@example.org", to, FALSE);
  items = assert_cli_agrees (accounts, message);
  g_assert_cmpint (status_of (items, POSTIER_CHECK_FROM_IDENTITY), ==, POSTIER_CHECK_WARN);
  g_assert_nonnull (strstr (((PostierCheckItem *) items->pdata[POSTIER_CHECK_FROM_IDENTITY])->explanation,
                            "another of your accounts"));
  g_assert_cmpint (status_of (items, POSTIER_CHECK_SIZE), ==, POSTIER_CHECK_FAIL);
  g_assert_nonnull (strstr (((PostierCheckItem *) items->pdata[POSTIER_CHECK_SIZE])->explanation, "“Work”"));
}

/* From the Sandbox account's own identity, with a raw UTF-8 Subject sent
 * with SMTPUTF8: every check passes, in the CLI as in core. */
static void
test_sandbox_identity_passes (void)
{
  g_autoptr(PostierTestSandbox) fixture = postier_test_sandbox_new ();
  g_autoptr(PostierAccountStore) accounts = add_relay ();
  const char *identity = postier_account_get_identity (postier_account_store_get_sandbox (accounts));
  g_autofree char *text = build (identity, "Café au lait", 10);
  const char *to[] = { "bob@example.net", NULL };
  g_autoptr(PostierSandboxMessage) message = NULL;
  g_autoptr(GPtrArray) items = NULL;

  message = postier_test_sandbox_send (fixture, text, strlen (text), "ada@example.org", to, TRUE);
  g_assert_true (postier_sandbox_message_get_smtputf8 (message));
  items = assert_cli_agrees (accounts, message);
  g_assert_cmpint (postier_message_check_worst (items), ==, POSTIER_CHECK_PASS);
}

int
main (int    argc,
      char **argv)
{
  postier_test_init (&argc, &argv);

  g_test_add_func ("/sandbox-checks/relay-identity-one-verdict", test_relay_identity_one_verdict);
  g_test_add_func ("/sandbox-checks/sandbox-identity-passes", test_sandbox_identity_passes);
  return g_test_run ();
}
