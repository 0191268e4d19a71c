/* postier-test-goa.c — the real goa-daemon on the rig's bus, for tests
 *
 * Shared by tests/integration/test-goa.c and tests/ui/test-online-accounts.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <sys/prctl.h>

#include "postier-test-goa.h"

void
postier_test_goa_write_account (const char *smtp_host,
                                 const char *smtp_port)
{
  g_autofree char *dir = g_build_filename (g_get_user_config_dir (), "goa-1.0", NULL);
  g_autofree char *path = g_build_filename (dir, "accounts.conf", NULL);
  g_autofree char *text = g_strdup_printf (
    "[Account account_1700000000_0]\n"
    "Provider=imap_smtp\nIdentity=ada@rig.test\nPresentationIdentity=ada@rig.test\n"
    "Enabled=true\nMailEnabled=true\nEmailAddress=ada@rig.test\nName=Ada Lovelace\n"
    "ImapHost=127.0.0.1:1143\nImapUserName=ada\nImapUseSsl=false\nImapUseTls=false\n"
    "ImapAcceptSslErrors=false\n"
    "SmtpHost=%s:%s\nSmtpUseAuth=true\nSmtpUserName=alice@localhost\n"
    "SmtpAuthLogin=false\nSmtpAuthPlain=true\nSmtpUseSsl=false\nSmtpUseTls=true\n"
    "SmtpAcceptSslErrors=false\n", smtp_host, smtp_port);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
}

gboolean
postier_test_goa_name_owned_by (GDBusConnection *bus,
                                const char      *pid)
{
  g_autoptr(GVariant) owner = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                                           "org.freedesktop.DBus", "GetNameOwner",
                                                           g_variant_new ("(s)", POSTIER_TEST_GOA_NAME),
                                                           G_VARIANT_TYPE ("(s)"),
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

/* A test that fails leaves by abort(): its daemon must not outlive it and
 * serve this test's accounts to the tests after it on the rig's bus. */
static void
die_with_the_test (gpointer data)
{
  (void) data;
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

GSubprocess *
postier_test_goa_start_daemon (void)
{
  /* Not on the test's output: were the test to fail, a daemon still
   * holding it would keep meson waiting until its timeout. */
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                                                      G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autoptr(GError) error = NULL;
  GSubprocess *daemon;

  g_assert_nonnull (bus);
  g_subprocess_launcher_set_child_setup (launcher, die_with_the_test, NULL, NULL);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", g_get_user_config_dir (), TRUE);
  /* Its own GSettings schemas, which the tests' isolated folders hide. */
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_DIRS", "/usr/local/share:/usr/share", TRUE);
  g_subprocess_launcher_unsetenv (launcher, "GSETTINGS_SCHEMA_DIR");
  g_subprocess_launcher_unsetenv (launcher, "GSETTINGS_BACKEND");
  /* A goa-daemon that D-Bus activation started for another test's
   * `account list` serves another config folder: stop it first. */
  for (guint tries = 0; postier_test_goa_name_owned_by (bus, NULL) && tries < 250; tries++)
    g_usleep (20000);
  daemon = g_subprocess_launcher_spawn (launcher, &error, "/usr/libexec/goa-daemon", "--replace", NULL);
  g_assert_no_error (error);
  while (!postier_test_goa_name_owned_by (bus, g_subprocess_get_identifier (daemon)))
    {
      g_assert_nonnull (g_subprocess_get_identifier (daemon));
      g_usleep (20000);
    }
  return daemon;
}

void
postier_test_goa_stop_daemon (GSubprocess *daemon)
{
  g_subprocess_send_signal (daemon, SIGTERM);
  g_subprocess_wait (daemon, NULL, NULL);
  g_object_unref (daemon);
}

void
postier_test_goa_set_mail_disabled (gboolean disabled)
{
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = g_dbus_connection_call_sync (bus, POSTIER_TEST_GOA_NAME,
                                       "/org/gnome/OnlineAccounts/Accounts/account_1700000000_0",
                                       "org.freedesktop.DBus.Properties", "Set",
                                       g_variant_new ("(ssv)", "org.gnome.OnlineAccounts.Account", "MailDisabled",
                                                      g_variant_new_boolean (disabled)),
                                       NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
}
