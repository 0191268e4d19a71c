/* postier-test-sandbox.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-test"

#include "config.h"

#include <glib/gstdio.h>

#include "postier-test.h"
#include "postier-test-sandbox.h"

PostierTestSandbox *
postier_test_sandbox_new (void)
{
  PostierTestSandbox *fixture = g_new0 (PostierTestSandbox, 1);
  g_autoptr(PostierAccountStore) accounts = postier_account_store_new (NULL);
  g_autoptr(GError) error = NULL;

  fixture->dir = postier_data_dir ("sandbox");
  fixture->sandbox = postier_sandbox_new (fixture->dir);
  fixture->store = postier_sandbox_store_new (fixture->dir);
  fixture->account = g_object_ref (postier_account_store_get_sandbox (accounts));
  fixture->login = g_strdup (postier_account_get_login (fixture->account));
  fixture->password = postier_sandbox_dup_password (fixture->sandbox, fixture->account, &error);
  g_assert_no_error (error);
  fixture->cafile = postier_sandbox_dup_certificate_path (fixture->sandbox, &error);
  g_assert_no_error (error);
  fixture->port = postier_sandbox_start (fixture->sandbox, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fixture->port, >, 0);
  return fixture;
}

void
postier_test_sandbox_free (PostierTestSandbox *fixture)
{
  postier_sandbox_stop (fixture->sandbox);
  g_object_unref (fixture->sandbox);
  g_object_unref (fixture->store);
  g_object_unref (fixture->account);
  g_free (fixture->dir);
  g_free (fixture->cafile);
  g_free (fixture->login);
  g_free (fixture->password);
  g_free (fixture);
}

static JsonObject *
run_client (PostierTestSandbox *fixture,
            const char         *mode,
            GPtrArray          *extra)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  g_ptr_array_add (argv, g_strdup ("/usr/bin/python3"));
  g_ptr_array_add (argv, g_test_build_filename (G_TEST_DIST, "sandbox-client.py", NULL));
  g_ptr_array_add (argv, g_strdup (mode));
  g_ptr_array_add (argv, g_strdup_printf ("--port=%u", postier_sandbox_get_port (fixture->sandbox)));
  g_ptr_array_add (argv, g_strdup_printf ("--cafile=%s", fixture->cafile));
  g_ptr_array_add (argv, g_strdup_printf ("--login=%s", fixture->login));
  g_ptr_array_add (argv, g_strdup_printf ("--password=%s", fixture->password));
  for (guint i = 0; i < extra->len; i++)
    g_ptr_array_add (argv, g_strdup (g_ptr_array_index (extra, i)));
  g_ptr_array_add (argv, NULL);

  status = postier_test_run_program (NULL, NULL, &out, &err, (const char **) argv->pdata);
  if (status != 0 || *err != '\0')
    g_test_message ("sandbox-client.py exit %d: %s", status, err);
  g_assert_cmpint (status, ==, 0);
  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

JsonObject *
postier_test_sandbox_client (PostierTestSandbox *fixture,
                             const char         *mode,
                             ...)
{
  g_autoptr(GPtrArray) extra = g_ptr_array_new_with_free_func (g_free);
  va_list ap;

  va_start (ap, mode);
  for (const char *arg = va_arg (ap, const char *); arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (extra, g_strdup (arg));
  va_end (ap);
  return run_client (fixture, mode, extra);
}

PostierSandboxMessage *
postier_test_sandbox_send (PostierTestSandbox  *fixture,
                           const char          *message,
                           gsize                length,
                           const char          *sender,
                           const char * const  *recipients,
                           gboolean             smtputf8)
{
  g_autofree char *path = g_build_filename (g_get_user_cache_dir (), "sandbox-test-message.eml", NULL);
  g_autoptr(GPtrArray) extra = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(GError) error = NULL;

  g_mkdir_with_parents (g_get_user_cache_dir (), 0700);
  g_file_set_contents (path, message, (gssize) length, &error);
  g_assert_no_error (error);

  g_ptr_array_add (extra, g_strdup_printf ("--message=%s", path));
  g_ptr_array_add (extra, g_strdup_printf ("--from=%s", sender));
  for (guint i = 0; recipients[i] != NULL; i++)
    g_ptr_array_add (extra, g_strdup_printf ("--to=%s", recipients[i]));
  if (smtputf8)
    g_ptr_array_add (extra, g_strdup ("--smtputf8"));

  answer = run_client (fixture, "send", extra);
  if (!json_object_get_boolean_member (answer, "ok"))
    g_test_message ("send failed: %s", json_object_get_string_member_with_default (answer, "error", "?"));
  g_assert_true (json_object_get_boolean_member (answer, "ok"));
  g_unlink (path);

  list = postier_sandbox_store_list (fixture->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, >, 0);
  return g_object_ref (g_ptr_array_index (list, 0));
}
