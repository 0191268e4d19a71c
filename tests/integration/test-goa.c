/* test-goa.c — GNOME Online Accounts' mail accounts in postierctl
 *
 * The real goa-daemon on the rig's private session bus, reading an
 * "IMAP and SMTP" account from accounts.conf in this test's own config
 * folder, pointing at the rig's Postfix.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <string.h>

#include "postier-core.h"
#include "postier-goa.h"
#include "postier-test.h"

#define GOA_NAME "org.gnome.OnlineAccounts"

static void
write_accounts_conf (const char *config_home,
                     const char *smtp_port)
{
  g_autofree char *dir = g_build_filename (config_home, "goa-1.0", NULL);
  g_autofree char *path = g_build_filename (dir, "accounts.conf", NULL);
  g_autofree char *text = g_strdup_printf (
    "[Account account_1700000000_0]\n"
    "Provider=imap_smtp\nIdentity=ada@rig.test\nPresentationIdentity=ada@rig.test\n"
    "Enabled=true\nMailEnabled=true\nEmailAddress=ada@rig.test\nName=Ada Lovelace\n"
    "ImapHost=127.0.0.1:1143\nImapUserName=ada\nImapUseSsl=false\nImapUseTls=false\n"
    "ImapAcceptSslErrors=false\n"
    "SmtpHost=127.0.0.1:%s\nSmtpUseAuth=true\nSmtpUserName=alice@localhost\n"
    "SmtpAuthLogin=false\nSmtpAuthPlain=true\nSmtpUseSsl=false\nSmtpUseTls=true\n"
    "SmtpAcceptSslErrors=false\n", smtp_port);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
}

/* Whether PID owns GOA's name: a goa-daemon that another test's
 * `account list` started through D-Bus activation may own it already, and
 * its accounts are not this test's. */
static gboolean
name_owned_by (GDBusConnection *bus,
               const char      *pid)
{
  g_autoptr(GVariant) owner = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                                           "org.freedesktop.DBus", "GetNameOwner",
                                                           g_variant_new ("(s)", GOA_NAME), G_VARIANT_TYPE ("(s)"),
                                                           G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
  g_autoptr(GVariant) reply = NULL;
  g_autofree char *owner_text = NULL;
  const char *unique = NULL;
  guint32 owner_pid = 0;

  if (owner == NULL)
    return FALSE;
  g_variant_get (owner, "(&s)", &unique);
  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "GetConnectionUnixProcessID",
                                       g_variant_new ("(s)", unique), G_VARIANT_TYPE ("(u)"),
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
  if (reply == NULL)
    return FALSE;
  g_variant_get (reply, "(u)", &owner_pid);
  owner_text = g_strdup_printf ("%u", owner_pid);
  if (pid == NULL && owner_pid != 0)
    {
      /* Asked to make room: that daemon is stopped. */
      kill ((pid_t) owner_pid, SIGTERM);
      return TRUE;
    }
  return g_strcmp0 (pid, owner_text) == 0;
}

/* goa-daemon with this test's config folder, in place of any other. */
static GSubprocess *
start_goa_daemon (void)
{
  /* Not on the test's output: were the test to fail, a daemon still
   * holding it would keep meson waiting until its timeout. */
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                                                      G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autoptr(GError) error = NULL;
  GSubprocess *daemon;

  g_assert_nonnull (bus);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", g_get_user_config_dir (), TRUE);
  /* Its own GSettings schemas, which this test's isolated folders hide. */
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_DIRS", "/usr/local/share:/usr/share", TRUE);
  g_subprocess_launcher_unsetenv (launcher, "GSETTINGS_SCHEMA_DIR");
  /* A goa-daemon that D-Bus activation started for another test's
   * `account list` serves another config folder: stop it first. */
  for (guint tries = 0; name_owned_by (bus, NULL) && tries < 250; tries++)
    g_usleep (20000);
  daemon = g_subprocess_launcher_spawn (launcher, &error, "/usr/libexec/goa-daemon", "--replace", NULL);
  g_assert_no_error (error);
  /* It exports its accounts before it takes the name. */
  while (!name_owned_by (bus, g_subprocess_get_identifier (daemon)))
    {
      g_assert_nonnull (g_subprocess_get_identifier (daemon));
      g_usleep (20000);
    }
  return daemon;
}

static void
test_listed (void)
{
  const char *port = postier_test_rig ("SUBMISSION_PORT");
  g_autoptr(GSubprocess) daemon = NULL;
  g_autoptr(GPtrArray) accounts = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *where = NULL;
  PostierGoaMailAccount *entry;
  int status;

  if (port == NULL)
    return;
  if (!g_file_test ("/usr/libexec/goa-daemon", G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_fail_printf ("gnome-online-accounts is not installed (build-aux/debian-packages.txt)");
      return;
    }
  write_accounts_conf (g_get_user_config_dir (), port);
  daemon = start_goa_daemon ();

  accounts = postier_goa_list_mail_accounts (NULL);
  g_assert_cmpuint (accounts->len, ==, 1);
  entry = g_ptr_array_index (accounts, 0);
  g_assert_cmpstr (entry->provider_name, ==, "IMAP and SMTP");
  g_assert_false (entry->oauth2);
  g_assert_cmpstr (postier_account_get_identity (entry->account), ==, "Ada Lovelace <ada@rig.test>");
  g_assert_cmpstr (postier_account_get_host (entry->account), ==, "127.0.0.1");
  g_assert_cmpuint (postier_account_get_port (entry->account), ==, (guint) atoi (port));
  g_assert_cmpint (postier_account_get_security (entry->account), ==, POSTIER_SECURITY_STARTTLS);
  g_assert_cmpint (postier_account_get_auth (entry->account), ==, POSTIER_AUTH_PLAIN);
  g_assert_cmpstr (postier_account_get_login (entry->account), ==, "alice@localhost");

  status = postier_test_run_ctl (NULL, &out, &err, "account", "list", NULL);
  g_test_message ("account list:\n%s%s", out, err);
  g_assert_cmpint (status, ==, 0);
  where = g_strdup_printf ("127.0.0.1:%s starttls (from Online Accounts)", port);
  g_assert_nonnull (strstr (out, "Ada Lovelace <ada@rig.test>"));
  g_assert_nonnull (strstr (out, where));
  /* Never copied into Postier's own accounts. */
  g_assert_false (postier_test_tree_contains (g_get_user_config_dir (), "postier") &&
                  postier_test_tree_contains (g_build_filename (g_get_user_config_dir (), "postier", NULL),
                                              "ada@rig.test"));

  g_subprocess_send_signal (daemon, SIGTERM);
  g_subprocess_wait (daemon, NULL, NULL);
}

static void
test_no_bus_is_silent (void)
{
  const char *env[] = { "DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent/bus", NULL };
  const char *args[] = { "account", "list", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  status = postier_test_run_ctlv (env, NULL, 0, &out, &err, args);
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpstr (err, ==, "");
  g_assert_null (strstr (out, "Online Accounts"));
  g_assert_nonnull (strstr (out, "Sandbox"));
}

int
main (int    argc,
      char **argv)
{
  postier_test_init (&argc, &argv);

  g_test_add_func ("/goa/listed", test_listed);
  g_test_add_func ("/goa/no-bus-is-silent", test_no_bus_is_silent);

  return g_test_run ();
}
