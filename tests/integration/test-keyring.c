/* test-keyring.c — passwords live in the desktop keyring, and only there
 *
 * Runs against the rig's real gnome-keyring on a private session bus.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>

#include "postier-core.h"
#include "postier-test.h"

static char *
unique_name (const char *prefix)
{
  return g_strdup_printf ("%s-%08x", prefix, g_random_int ());
}

static int
secret_tool_lookup (const char  *account,
                    const char  *host,
                    const char  *user,
                    char       **out)
{
  const char *argv[] = {
    "secret-tool", "lookup",
    "xdg:schema", "org.postier.Postier.Password",
    "account", account, "host", host, "user", user, NULL,
  };
  return postier_test_run_program (NULL, NULL, out, NULL, argv);
}

static gboolean
any_user_file_contains (const char *needle)
{
  const char *dirs[] = {
    g_get_home_dir (), g_get_user_config_dir (), g_get_user_data_dir (),
    g_get_user_cache_dir (), g_get_user_state_dir (),
  };

  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    if (postier_test_tree_contains (dirs[i], needle))
      return TRUE;
  return FALSE;
}

static void
test_password_stdin_goes_to_keyring (void)
{
  g_autofree char *name = unique_name ("Keyring");
  g_autofree char *password = g_strdup_printf ("pw-%08x-%08x", g_random_int (), g_random_int ());
  g_autofree char *input = g_strdup_printf ("%s\n", password);
  g_autofree char *looked_up = NULL;
  g_autofree char *shown = NULL;
  g_autofree char *err = NULL;
  const char *args[] = {
    "account", "add", name, "--from", "Ada <ada@example.org>", "--host", "smtp.example.org",
    "--security", "starttls", "--user", "ada-login", "--password-stdin", NULL,
  };
  int status;

  if (postier_test_rig ("KEYRING") == NULL)
    return;

  status = postier_test_run_ctlv (NULL, input, strlen (input), NULL, &err, args);
  g_test_message ("add: %s", err);
  g_assert_cmpint (status, ==, 0);

  /* Any Secret Service client finds it by our schema's attributes… */
  status = secret_tool_lookup (name, "smtp.example.org", "ada-login", &looked_up);
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpstr (looked_up, ==, password);

  /* …and no file of ours, nor any other under the XDG folders, holds it. */
  g_assert_false (any_user_file_contains (password));

  status = postier_test_run_ctl (NULL, &shown, NULL, "account", "show", name, NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (shown, "stored in the keyring"));
  g_assert_null (strstr (shown, password));
}

static void
test_core_reads_back_password (void)
{
  g_autofree char *name = unique_name ("Core");
  g_autoptr(PostierAccount) account = postier_account_new (name);
  g_autoptr(GError) error = NULL;
  g_autofree char *password = NULL;

  if (postier_test_rig ("KEYRING") == NULL)
    return;

  postier_account_set_identity (account, "ada@example.org");
  postier_account_set_host (account, "smtp.example.org");

  g_assert_null (postier_account_fetch_password (account, NULL, &error));
  g_assert_error (error, POSTIER_SECRET_ERROR, POSTIER_SECRET_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_true (postier_secret_store_password_sync (account, "s3cret ünïcode", NULL, &error));
  g_assert_no_error (error);
  password = postier_account_fetch_password (account, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (password, ==, "s3cret ünïcode");

  g_assert_true (postier_secret_clear_password_sync (account, NULL, &error));
  g_assert_no_error (error);
}

static void
test_remove_clears_keyring (void)
{
  g_autofree char *name = unique_name ("Removed");
  g_autofree char *looked_up = NULL;
  const char *args[] = {
    "account", "add", name, "--from", "ada@example.org", "--host", "smtp.example.org",
    "--password-stdin", NULL,
  };
  int status;

  if (postier_test_rig ("KEYRING") == NULL)
    return;

  status = postier_test_run_ctlv (NULL, "to-be-removed", 13, NULL, NULL, args);
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpint (secret_tool_lookup (name, "smtp.example.org", "ada@example.org", &looked_up), ==, 0);
  g_assert_cmpstr (looked_up, ==, "to-be-removed");
  g_clear_pointer (&looked_up, g_free);

  status = postier_test_run_ctl (NULL, NULL, NULL, "account", "remove", name, NULL);
  g_assert_cmpint (status, ==, 0);
  secret_tool_lookup (name, "smtp.example.org", "ada@example.org", &looked_up);
  g_assert_cmpstr (looked_up, ==, "");
}

/* Runs `account add --password-stdin` with the given session bus address and
 * checks the clear error arrives fast and nothing was written. */
static void
assert_no_keyring_error (const char *bus_address,
                         double      max_seconds)
{
  g_autofree char *env_bus = g_strdup_printf ("DBUS_SESSION_BUS_ADDRESS=%s", bus_address);
  const char *env[] = { env_bus, "DISPLAY", NULL };
  const char *args[] = {
    "account", "add", "NoKeyring", "--from", "ada@example.org", "--host", "smtp.example.org",
    "--password-stdin", NULL,
  };
  g_autofree char *accounts = g_build_filename (g_get_user_config_dir (), "postier", "accounts.ini", NULL);
  g_autofree char *err = NULL;
  gint64 start = g_get_monotonic_time ();
  double elapsed;
  int status;

  status = postier_test_run_ctlv (env, "pw", 2, NULL, &err, args);
  elapsed = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  g_test_message ("no keyring (%s): exit %d after %.2f s: %s", bus_address, status, elapsed, err);

  g_assert_cmpint (status, ==, 69);
  g_assert_nonnull (strstr (err, "keyring is not available"));
  g_assert_nonnull (strstr (err, "--password-command"));
  g_assert_cmpfloat (elapsed, <, max_seconds);
  g_assert_false (g_file_test (accounts, G_FILE_TEST_EXISTS));
}

static void
test_no_session_bus (void)
{
  g_autofree char *missing = g_build_filename (g_get_user_runtime_dir (), "no-such-bus", NULL);
  g_autofree char *address = g_strdup_printf ("unix:path=%s", missing);

  assert_no_keyring_error (address, 2.0);
}

/* A session bus with no Secret Service on it, as on a desktop without a
 * keyring. GTestDBus waits for this process's session bus connection to go
 * away when it stops, and libsecret keeps one from earlier tests; so the
 * bus lives in a subprocess of its own. */
static void
test_bus_without_secret_service (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(GTestDBus) bus = g_test_dbus_new (G_TEST_DBUS_NONE);

      g_test_dbus_up (bus);
      assert_no_keyring_error (g_test_dbus_get_bus_address (bus), 2.0);
      g_test_dbus_down (bus);
      return;
    }

  g_test_trap_subprocess (NULL, 20 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

/* A bus that accepts the connection and then never answers: the worst case,
 * like a Secret Service stuck on a prompt nobody can see. */
static void
test_stalled_bus (void)
{
  g_autofree char *path = g_build_filename (g_get_user_runtime_dir (), "stalled-bus", NULL);
  g_autofree char *address = g_strdup_printf ("unix:path=%s", path);
  g_autoptr(GSocketAddress) socket_address = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GError) error = NULL;

  g_mkdir_with_parents (g_get_user_runtime_dir (), 0700);
  socket = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT, &error);
  g_assert_no_error (error);
  socket_address = g_unix_socket_address_new (path);
  g_assert_true (g_socket_bind (socket, socket_address, TRUE, &error));
  g_assert_true (g_socket_listen (socket, &error));

  assert_no_keyring_error (address, POSTIER_SECRET_TIMEOUT_MS / 1000.0 + 1.5);
  g_unlink (path);
}

int
main (int   argc,
      char *argv[])
{
  postier_test_init (&argc, &argv);

  g_test_add_func ("/keyring/password-stdin", test_password_stdin_goes_to_keyring);
  g_test_add_func ("/keyring/core-round-trip", test_core_reads_back_password);
  g_test_add_func ("/keyring/remove-clears", test_remove_clears_keyring);
  g_test_add_func ("/keyring/missing/no-bus", test_no_session_bus);
  g_test_add_func ("/keyring/missing/no-secret-service", test_bus_without_secret_service);
  g_test_add_func ("/keyring/missing/stalled", test_stalled_bus);

  return g_test_run ();
}
