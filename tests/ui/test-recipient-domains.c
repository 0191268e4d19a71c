/* test-recipient-domains.c — a recipient's domain that cannot take mail is
 * flagged in the composer while the person writes, and never stops Send;
 * the Sandbox view says whether the sender's domain will be accepted
 *
 * The program re-executes itself in a private mount namespace whose
 * /etc/resolv.conf names the rig's unbound (tests/rig/dns-zones.conf), so
 * the app asks the DNS the way it does on a person's machine.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "postier-account-editor.h"
#include "postier-address-entry.h"
#include "postier-application-private.h"
#include "postier-composer.h"
#include "postier-core.h"
#include "postier-deliverability-group.h"
#include "postier-sandbox-view.h"
#include "postier-test-sandbox.h"
#include "postier-test.h"
#include "postier-ui-test.h"

#define IN_NAMESPACE "POSTIER_TEST_IN_DNS_NAMESPACE"
/* Set for the copy of this program that runs with the DNS down. */
#define DNS_DOWN_RESOLV "POSTIER_TEST_DNS_DOWN_RESOLV"

static gboolean
env_set (const char *name)
{
  const char *value = g_getenv (name);

  return value != NULL && *value != '\0';
}

typedef struct {
  PostierApplication *app;
  PostierWindow      *window;
  PostierComposer    *composer;
} Fixture;

static GtkWidget *
field (Fixture    *f,
       const char *id)
{
  GtkWidget *widget = postier_ui_test_find_by_id (GTK_WIDGET (f->composer), id);

  g_assert_nonnull (widget);
  return widget;
}

static gboolean
warning_shown (gpointer data)
{
  return postier_address_entry_get_domain_warning (data) != NULL;
}

static gboolean
composer_emptied (gpointer data)
{
  Fixture *f = data;

  return postier_composer_is_empty (f->composer);
}

static gboolean
have_dns (void)
{
  if (!postier_ui_test_have_display ())
    return FALSE;
  if (env_set (IN_NAMESPACE))
    return TRUE;
  if (g_getenv ("POSTIER_TEST_REQUIRE_RIG") != NULL)
    g_test_fail_printf ("the rig's DNS needs root and POSTIER_TEST_RESOLV_CONF (unshare -m)");
  else
    g_test_skip ("the rig's DNS needs root and POSTIER_TEST_RESOLV_CONF (unshare -m)");
  return FALSE;
}

/* Types TEXT into the To row as a person would finish an address (with a
 * comma), and waits, bounded, for the row's verdict on its domain. */
static PostierAddressEntry *
type_recipient (Fixture    *f,
                const char *text)
{
  PostierAddressEntry *to = POSTIER_ADDRESS_ENTRY (field (f, "to_entry"));
  gint64 started;

  gtk_widget_grab_focus (GTK_WIDGET (to));
  started = g_get_monotonic_time ();
  gtk_editable_set_text (GTK_EDITABLE (to), text);
  g_assert_true (postier_ui_test_wait_for (warning_shown, to, 5000));
  g_test_message ("“%s” flagged %" G_GINT64_FORMAT " ms after typing (%d ms of it the typing pause)",
                  text, (g_get_monotonic_time () - started) / 1000, 400);
  return to;
}

static void
test_null_mx_flagged_and_still_sent (void)
{
  Fixture f = { 0 };
  PostierAddressEntry *to;

  if (!have_dns ())
    return;
  postier_ui_test_reset_files ();
  f.app = postier_ui_test_application ();
  f.window = postier_ui_test_window (f.app);
  f.composer = postier_window_get_composer (f.window);

  to = type_recipient (&f, "Nell <nell@nullmx.test>, ");
  g_assert_nonnull (strstr (postier_address_entry_get_domain_warning (to), "nullmx.test accepts no mail"));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (to), "warning"));
  /* A warning, not an error: the address itself is fine. */
  g_assert_null (postier_address_entry_get_error (to));
  if (g_getenv ("POSTIER_SCREENSHOT_DIR") != NULL)
    {
      gtk_window_set_default_size (GTK_WINDOW (f.window), 900, 720);
      postier_ui_test_spin (200);
      postier_ui_test_screenshot_window (GTK_WINDOW (f.window), "composer-domain-warning");
    }

  /* The person decides: Send still sends. */
  gtk_editable_set_text (GTK_EDITABLE (field (&f, "subject_entry")), "To a domain without mail");
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (field (&f, "body_view"))),
                            "It will bounce, and I know it.", -1);
  gtk_widget_activate (field (&f, "send_button"));
  g_assert_true (postier_ui_test_wait_for (composer_emptied, &f, 5000));
  g_assert_null (postier_composer_get_error (f.composer));

  g_clear_pointer (&f.app, postier_ui_test_finish);
}

static void
test_typo_gets_a_suggestion (void)
{
  Fixture f = { 0 };
  g_autoptr(PostierAddressBook) book = postier_address_book_new (NULL);
  PostierAddressEntry *to;

  if (!have_dns ())
    return;
  postier_ui_test_reset_files ();
  /* The person wrote to example.com before. */
  postier_address_book_add_text (book, "Carol <carol@example.com>");
  g_assert_true (postier_address_book_save (book, NULL));
  f.app = postier_ui_test_application ();
  f.window = postier_ui_test_window (f.app);
  f.composer = postier_window_get_composer (f.window);

  to = type_recipient (&f, "dan@example.con, ");
  g_assert_cmpstr (postier_address_entry_get_domain_warning (to), ==,
                   "example.con does not exist — did you mean example.com?");

  /* Fixed, the warning goes away. */
  gtk_editable_set_text (GTK_EDITABLE (to), "dan@pass.test, ");
  postier_ui_test_spin (1500);
  g_assert_null (postier_address_entry_get_domain_warning (to));
  g_clear_pointer (&f.app, postier_ui_test_finish);
}

static void
on_message_loaded (char       **loaded,
                   const char  *id)
{
  g_free (*loaded);
  *loaded = g_strdup (id);
}

static gboolean
string_set (gpointer data)
{
  return *(char **) data != NULL;
}

static gboolean
group_done (gpointer data)
{
  return postier_deliverability_group_is_done (data);
}

/* Scrolls the check list so that GROUP is at the top: the screenshots are
 * of the Will It Arrive? group, not of the checks above it. */
static void
scroll_to (GtkWidget *group)
{
  GtkWidget *scrolled = gtk_widget_get_ancestor (group, GTK_TYPE_SCROLLED_WINDOW);
  GtkAdjustment *adjustment;
  double x = 0, y = 0;

  g_assert_nonnull (scrolled);
  adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));
  g_assert_true (gtk_widget_translate_coordinates (group, gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (scrolled)),
                                                   0, 0, &x, &y));
  gtk_adjustment_set_value (adjustment, MAX (0, y - 12));
  postier_ui_test_spin (300);
}

/* A captured message from a domain whose SPF refuses the account's relay
 * and whose DMARC says reject: the Sandbox says it will probably be
 * refused, and shows SpamAssassin's score beside it. */
static void
test_sandbox_says_will_it_arrive (void)
{
  g_autoptr(PostierApplication) app = NULL;
  g_autoptr(PostierTestSandbox) fixture = NULL;
  g_autoptr(PostierSandboxMessage) captured = NULL;
  g_autoptr(GSettings) settings = NULL;
  g_autofree char *loaded = NULL, *text = NULL, *err = NULL;
  const char *recipients[] = { "bob@pass.test", NULL };
  const char *message =
    "From: Rita <rita@reject.test>\r\nTo: Bob <bob@pass.test>\r\n"
    "Subject: Budget\r\nDate: Sun, 06 Dec 2026 09:00:00 +0100\r\n"
    "Message-ID: <budget.1@reject.test>\r\n\r\nThe figures are attached.\r\n";
  PostierWindow *window;
  PostierSandboxView *view;
  GtkWidget *group;

  if (!have_dns ())
    return;
  postier_ui_test_reset_files ();
  /* Rita's account: its relay is what the domain's records are read for. */
  g_assert_cmpint (postier_test_run_ctl (NULL, NULL, &err, "account", "add", "Rita", "--from", "Rita <rita@reject.test>",
                                         "--host", "smtp.relay.test", "--password-command", "echo unused", NULL), ==, 0);
  app = postier_ui_test_application ();
  settings = g_settings_new (APPLICATION_ID);
  g_settings_set_boolean (settings, "account-setup-dismissed", TRUE);
  window = postier_ui_test_window (app);
  postier_window_show_page (window, "sandbox");
  postier_ui_test_spin (100);
  view = POSTIER_SANDBOX_VIEW (postier_window_get_page (window, "sandbox"));
  g_signal_connect_swapped (view, "message-loaded", G_CALLBACK (on_message_loaded), &loaded);

  fixture = postier_test_sandbox_new ();
  captured = postier_test_sandbox_send (fixture, message, strlen (message), "rita@reject.test", recipients, FALSE);
  g_assert_true (postier_ui_test_wait_for (string_set, &loaded, 10000));
  group = postier_ui_test_find_by_id (GTK_WIDGET (view), "deliverability_group");
  g_assert_nonnull (group);
  /* SpamAssassin loads its rules for a few seconds. */
  g_assert_true (postier_ui_test_wait_for (group_done, group, 120000));

  text = postier_deliverability_group_dup_text (POSTIER_DELIVERABILITY_GROUP (group));
  g_test_message ("%s", text);
  g_assert_nonnull (strstr (text, "SPF — Will probably be refused: reject.test does not authorize smtp.relay.test"));
  g_assert_nonnull (strstr (text, "DMARC — Will probably be refused: DMARC p=reject"));
  g_assert_nonnull (strstr (text, "Spam Score: Spam score"));
  if (g_getenv ("POSTIER_SCREENSHOT_DIR") != NULL)
    {
      gtk_window_set_default_size (GTK_WINDOW (window), 1100, 900);
      postier_ui_test_spin (300);
      scroll_to (group);
      postier_ui_test_screenshot_window (GTK_WINDOW (window), "sandbox-will-it-arrive");
    }
  g_settings_reset (settings, "account-setup-dismissed");
  postier_ui_test_finish (g_steal_pointer (&app));
}

/* After a successful Test Connection, the account editor says what the
 * domain's records make of mail sent through that server. */
static void
test_account_editor_checks_the_domain (void)
{
  g_autoptr(PostierAccountStore) store = postier_account_store_new (NULL);
  const char *port = postier_test_rig ("SUBMISSION_PORT");
  const char *ca = postier_test_rig ("CA");
  const char *password = postier_test_rig ("PASSWORD");
  PostierAccountEditor *editor;
  GtkWidget *group, *scrolled = gtk_scrolled_window_new ();
  GtkWindow *window;
  g_autofree char *text = NULL;

  if (!have_dns () || port == NULL || ca == NULL || password == NULL)
    return;
  postier_ui_test_reset_files ();
  /* Its own name: the keyring is shared with tests running beside it. */
  postier_test_ctl_add_account ("Rig-domains", port, ca, password);
  g_assert_true (postier_account_store_load (store, NULL));
  editor = postier_account_editor_new (store, postier_account_store_lookup (store, "Rig-domains"));
  window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (window, 640, 900);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), GTK_WIDGET (editor));
  gtk_window_set_child (window, scrolled);
  gtk_window_present (window);
  postier_ui_test_spin (200);

  group = postier_ui_test_find_by_id (GTK_WIDGET (editor), "domain_group");
  g_assert_nonnull (group);
  g_assert_false (gtk_widget_get_visible (group));
  postier_account_editor_test (editor);
  g_assert_true (postier_ui_test_wait_for ((gboolean (*) (gpointer)) gtk_widget_get_visible, group, 30000));
  g_assert_true (postier_ui_test_wait_for (group_done, group, 30000));
  text = postier_deliverability_group_dup_text (POSTIER_DELIVERABILITY_GROUP (group));
  g_test_message ("%s", text);
  g_assert_nonnull (strstr (text, "SPF — "));
  g_assert_nonnull (strstr (text, "DMARC — "));
  gtk_window_destroy (window);
}

/* Captures a message from FROM (an account's address) in the Sandbox and
 * returns the Will It Arrive? group's text once both checks are done. */
static char *
sandbox_verdict (PostierWindow         *window,
                 const char            *from,
                 const char            *tag,
                 PostierUiTestLagProbe *probe)
{
  g_autoptr(PostierTestSandbox) fixture = postier_test_sandbox_new ();
  g_autoptr(PostierSandboxMessage) captured = NULL;
  g_autofree char *loaded = NULL;
  g_autofree char *message = g_strdup_printf ("From: <%s>\r\nTo: Bob <bob@pass.test>\r\nSubject: %s\r\n"
                                              "Date: Sun, 06 Dec 2026 09:00:00 +0100\r\n"
                                              "Message-ID: <%s@postier.test>\r\n\r\nHello.\r\n",
                                              from, tag, tag);
  const char *recipients[] = { "bob@pass.test", NULL };
  PostierSandboxView *view;
  GtkWidget *group;
  gulong handler;

  postier_window_show_page (window, "sandbox");
  postier_ui_test_spin (100);
  view = POSTIER_SANDBOX_VIEW (postier_window_get_page (window, "sandbox"));
  handler = g_signal_connect_swapped (view, "message-loaded", G_CALLBACK (on_message_loaded), &loaded);
  captured = postier_test_sandbox_send (fixture, message, strlen (message), from, recipients, FALSE);
  /* The capture above is the test's own SMTP session, on this thread: not
   * the app's stall. */
  if (probe != NULL)
    probe->last = probe->worst = 0;
  g_assert_true (postier_ui_test_wait_for (string_set, &loaded, 10000));
  g_signal_handler_disconnect (view, handler);
  group = postier_ui_test_find_by_id (GTK_WIDGET (view), "deliverability_group");
  g_assert_nonnull (group);
  g_assert_true (postier_ui_test_wait_for (group_done, group, 120000));
  return postier_deliverability_group_dup_text (POSTIER_DELIVERABILITY_GROUP (group));
}

/* The copy of this program whose resolv.conf names a DNS server that takes
 * the questions and never answers. The person writes to a domain nobody
 * can check, the composer takes every keystroke and sends, and the
 * Sandbox's check says "not checked" instead of a verdict. */
static void
dns_down_in_this_copy (void)
{
  g_autoptr(GSettings) settings = NULL;
  g_autofree char *err = NULL, *text = NULL;
  g_autofree char *cache = g_build_filename (g_get_user_cache_dir (), "postier", "recipient-domains", NULL);
  PostierUiTestLagProbe probe;
  Fixture f = { 0 };
  PostierAddressEntry *to;
  GtkWidget *subject;
  gint64 started = g_get_monotonic_time ();

  postier_ui_test_reset_files ();
  /* What the tests before learnt of nullmx.test (the verdicts shared
   * between processes) is not what this one is about. */
  g_remove (cache);
  g_assert_cmpint (postier_test_run_ctl (NULL, NULL, &err, "account", "add", "Rita", "--from", "Rita <rita@reject.test>",
                                         "--host", "smtp.relay.test", "--password-command", "echo unused", NULL), ==, 0);
  f.app = postier_ui_test_application ();
  settings = g_settings_new (APPLICATION_ID);
  g_settings_set_boolean (settings, "account-setup-dismissed", TRUE);
  f.window = postier_ui_test_window (f.app);
  f.composer = postier_window_get_composer (f.window);
  /* A main thread waiting on the DNS would show here as seconds. */
  postier_ui_test_lag_probe_start (&probe, 10);

  to = POSTIER_ADDRESS_ENTRY (field (&f, "to_entry"));
  gtk_widget_grab_focus (GTK_WIDGET (to));
  gtk_editable_set_text (GTK_EDITABLE (to), "Nell <nell@nullmx.test>, ");
  /* While the question waits for the resolver's timeout, the person goes
   * on writing. */
  subject = field (&f, "subject_entry");
  postier_ui_test_spin (500);
  gtk_editable_set_text (GTK_EDITABLE (subject), "Written while the DNS is down");
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (field (&f, "body_view"))),
                            "Nobody could tell whether nullmx.test takes mail.", -1);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (subject)), ==, "Written while the DNS is down");
  /* Past the resolver's timeout (2 s): not checked, so nothing is said. */
  postier_ui_test_spin (3000);
  g_assert_null (postier_address_entry_get_domain_warning (to));
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (to), "warning"));

  gtk_widget_activate (field (&f, "send_button"));
  g_assert_true (postier_ui_test_wait_for (composer_emptied, &f, 10000));
  g_assert_null (postier_composer_get_error (f.composer));
  g_test_message ("composer with the DNS down: longest main-loop stall %" G_GINT64_FORMAT " ms over %u ticks "
                  "in %.1f s", probe.worst / 1000, probe.ticks,
                  (g_get_monotonic_time () - started) / (double) G_USEC_PER_SEC);

  text = sandbox_verdict (f.window, "rita@reject.test", "dns-down", &probe);
  g_test_message ("%s", text);
  g_assert_nonnull (strstr (text, "DNS — Not checked: The DNS did not answer for reject.test (offline?)."));
  g_assert_null (strstr (text, "Will probably be refused"));
  g_test_message ("while the Sandbox checked the captured message: longest main-loop stall %" G_GINT64_FORMAT " ms",
                  probe.worst / 1000);

  postier_ui_test_lag_probe_stop (&probe);
  g_settings_reset (settings, "account-setup-dismissed");
  g_clear_pointer (&f.app, postier_ui_test_finish);
}

/* A domain whose SPF authorizes the account's relay through an include,
 * with a DKIM key and DMARC p=none: the Sandbox says it is fine (the
 * README's screenshot of a pass). */
static void
test_sandbox_says_fine (void)
{
  g_autoptr(GSettings) settings = NULL;
  g_autofree char *err = NULL, *text = NULL;
  PostierUiTestLagProbe probe;
  PostierApplication *app;
  PostierWindow *window;

  if (!have_dns ())
    return;
  postier_ui_test_reset_files ();
  g_assert_cmpint (postier_test_run_ctl (NULL, NULL, &err, "account", "add", "Pat", "--from", "Pat <pat@pass.test>",
                                         "--host", "smtp.relay.test", "--password-command", "echo unused", NULL), ==, 0);
  app = postier_ui_test_application ();
  settings = g_settings_new (APPLICATION_ID);
  g_settings_set_boolean (settings, "account-setup-dismissed", TRUE);
  window = postier_ui_test_window (app);
  /* A main thread waiting on the DNS would show here as seconds. */
  postier_ui_test_lag_probe_start (&probe, 10);
  text = sandbox_verdict (window, "pat@pass.test", "pass-check", &probe);
  postier_ui_test_lag_probe_stop (&probe);
  g_test_message ("%s", text);
  g_test_message ("while the Sandbox checked the captured message (the DNS answering): longest main-loop stall %"
                  G_GINT64_FORMAT " ms", probe.worst / 1000);
  g_assert_nonnull (strstr (text, "pass.test authorizes smtp.relay.test through include:_spf.relay.test"));
  g_assert_null (strstr (text, "Will probably be refused"));
  if (g_getenv ("POSTIER_SCREENSHOT_DIR") != NULL)
    {
      gtk_window_set_default_size (GTK_WINDOW (window), 1100, 900);
      postier_ui_test_spin (300);
      scroll_to (postier_ui_test_find_by_id (postier_window_get_page (window, "sandbox"), "deliverability_group"));
      postier_ui_test_screenshot_window (GTK_WINDOW (window), "sandbox-will-it-arrive-pass");
    }
  g_settings_reset (settings, "account-setup-dismissed");
  postier_ui_test_finish (app);
}

/* A UDP socket on a loopback address of its own that reads nothing: a DNS
 * server that has stopped answering. Kept open for the program's life. */
static char *
silent_dns_server (void)
{
  for (guint tries = 0; tries < 20; tries++)
    {
      struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons (53) };
      int fd = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
      char text[INET_ADDRSTRLEN];

      g_assert_cmpint (fd, >=, 0);
      address.sin_addr.s_addr = htonl ((127u << 24) | (guint32) g_random_int_range (0x10000, 0xfffffe));
      if (bind (fd, (struct sockaddr *) &address, sizeof address) == 0)
        return g_strdup (inet_ntop (AF_INET, &address.sin_addr, text, sizeof text));
      close (fd);
    }
  g_assert_not_reached ();
}

static void
test_dns_down (void)
{
  g_autofree char *server = NULL, *conf = NULL, *path = NULL, *out = NULL, *err = NULL;
  const char *env[] = { NULL, IN_NAMESPACE "=", NULL };
  const char *argv[] = { NULL, "-p", "/ui/recipient-domains/dns-down", "--tap", NULL };
  g_autofree char *env_resolv = NULL, *self = NULL;
  int status;

  if (env_set (DNS_DOWN_RESOLV))
    {
      dns_down_in_this_copy ();
      return;
    }
  if (!have_dns ())
    return;
  server = silent_dns_server ();
  conf = g_strdup_printf ("nameserver %s\noptions timeout:2 attempts:1\n", server);
  path = g_build_filename (g_get_user_cache_dir (), "silent-resolv.conf", NULL);
  g_assert_cmpint (g_mkdir_with_parents (g_get_user_cache_dir (), 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, conf, -1, NULL));
  env_resolv = g_strconcat (DNS_DOWN_RESOLV "=", path, NULL);
  env[0] = env_resolv;
  self = g_file_read_link ("/proc/self/exe", NULL);
  g_assert_nonnull (self);
  argv[0] = self;
  status = postier_test_run_program (env, NULL, &out, &err, argv);
  g_test_message ("with the DNS at %s not answering:\n%s%s", server, out, err);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, "ok 1 /ui/recipient-domains/dns-down"));
  g_assert_null (strstr (out, "not ok"));
}

int
main (int   argc,
      char *argv[])
{
  const char *resolv = g_getenv ("POSTIER_TEST_RESOLV_CONF");

  /* Into a mount namespace of our own with the rig's resolv.conf (or the
   * one naming a DNS server that does not answer), once. */
  if (env_set (DNS_DOWN_RESOLV))
    resolv = g_getenv (DNS_DOWN_RESOLV);
  if (!env_set (IN_NAMESPACE) && resolv != NULL && geteuid () == 0)
    {
      g_autoptr(GPtrArray) args = g_ptr_array_new ();

      g_setenv (IN_NAMESPACE, "1", TRUE);
      g_ptr_array_add (args, (gpointer) "unshare");
      g_ptr_array_add (args, (gpointer) "-m");
      g_ptr_array_add (args, (gpointer) "sh");
      g_ptr_array_add (args, (gpointer) "-c");
      g_ptr_array_add (args, (gpointer) "mount --bind \"$0\" /etc/resolv.conf && exec \"$@\"");
      g_ptr_array_add (args, (gpointer) resolv);
      for (int i = 0; i < argc; i++)
        g_ptr_array_add (args, argv[i]);
      g_ptr_array_add (args, NULL);
      execvp ("unshare", (char **) args->pdata);
      g_printerr ("could not run unshare: %s\n", g_strerror (errno));
      return 1;
    }

  postier_ui_test_init (&argc, &argv);
  g_test_add_func ("/ui/recipient-domains/null-mx-flagged-and-still-sent", test_null_mx_flagged_and_still_sent);
  g_test_add_func ("/ui/recipient-domains/typo-gets-a-suggestion", test_typo_gets_a_suggestion);
  g_test_add_func ("/ui/recipient-domains/sandbox-says-will-it-arrive", test_sandbox_says_will_it_arrive);
  g_test_add_func ("/ui/recipient-domains/account-editor-checks-the-domain", test_account_editor_checks_the_domain);
  g_test_add_func ("/ui/recipient-domains/sandbox-says-fine", test_sandbox_says_fine);
  g_test_add_func ("/ui/recipient-domains/dns-down", test_dns_down);
  return postier_ui_test_run ();
}
