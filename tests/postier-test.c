/* postier-test.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-test"

#include "config.h"

#include <locale.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "postier-core.h"
#include "postier-oauth-http.h"
#include "postier-test.h"

/* The system data folders before the isolation, for child processes: a
 * postierctl run by a test must see the MIME database as well. */
static char *system_data_dirs;

/* When this test program started (seconds): the rig's Maildir holds every
 * message of the run, and a test looks only at what arrived since. Set
 * before main(), so the UI harness's programs have it too. */
static gint64 test_started;

__attribute__((constructor)) static void
note_test_start (void)
{
  test_started = g_get_real_time () / G_USEC_PER_SEC;
}

void
postier_test_init (int    *argc,
                   char ***argv)
{
  /* Messages are compared in English unless a test asks for French. */
  g_setenv ("LANGUAGE", "C", TRUE);
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  setlocale (LC_ALL, "");
  /* Isolated folders hide the system's MIME database; content type
   * guessing must still see it (GIO's documented way for tests). */
  g_content_type_set_mime_dirs (NULL);
  system_data_dirs = g_strjoinv (":", (char **) g_get_system_data_dirs ());
  g_test_init (argc, argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  postier_test_report_crashes ();
  postier_core_init ();
}

const char *
postier_test_rig (const char *name)
{
  g_autofree char *variable = g_strdup_printf ("POSTIER_TEST_%s", name);
  const char *value = g_getenv (variable);

  if (value != NULL && *value != '\0')
    return value;

  if (g_getenv ("POSTIER_TEST_REQUIRE_RIG") != NULL)
    g_test_fail_printf ("the test rig did not provide %s", variable);
  else
    g_test_skip_printf ("%s not set: run under tests/rig/with-rig (make test does)", variable);
  return NULL;
}

GSubprocessLauncher *
postier_test_launcher_new (GSubprocessFlags flags)
{
  GSubprocessLauncher *launcher = g_subprocess_launcher_new (flags);

  /* G_TEST_OPTION_ISOLATE_DIRS changes what GLib returns in this process,
   * not the environment children inherit: hand them this test's folders.
   * XDG_RUNTIME_DIR stays inherited: the rig's D-Bus and keyring live there. */
  g_subprocess_launcher_setenv (launcher, "HOME", g_get_home_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", g_get_user_config_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", g_get_user_data_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CACHE_HOME", g_get_user_cache_dir (), TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_STATE_HOME", g_get_user_state_dir (), TRUE);
  if (system_data_dirs != NULL)
    g_subprocess_launcher_setenv (launcher, "XDG_DATA_DIRS", system_data_dirs, TRUE);
  return launcher;
}

void
postier_test_append_args (GPtrArray  *args,
                           const char *first,
                           va_list     ap)
{
  for (const char *arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) arg);
  g_ptr_array_add (args, NULL);
}

/* $POSTIERCTL, then ARGS, NULL-terminated. */
static GPtrArray *
ctl_argv (const char * const *args)
{
  GPtrArray *argv = g_ptr_array_new ();
  const char *ctl = g_getenv ("POSTIERCTL");

  g_assert_nonnull (ctl);
  g_ptr_array_add (argv, (gpointer) ctl);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  return argv;
}

GSubprocess *
postier_test_launcher_spawn_ctlv (GSubprocessLauncher *launcher,
                                  const char * const  *args)
{
  g_autoptr(GPtrArray) argv = ctl_argv (args);
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  return process;
}

GSubprocess *
postier_test_launcher_spawn_ctl (GSubprocessLauncher *launcher,
                                 const char          *first_arg,
                                 ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  va_list ap;

  va_start (ap, first_arg);
  postier_test_append_args (args, first_arg, ap);
  va_end (ap);
  return postier_test_launcher_spawn_ctlv (launcher, (const char * const *) args->pdata);
}

static int
run (const char * const *extra_env,
     const char   *stdin_text,
     gsize         stdin_length,
     char        **out,
     char        **err,
     const char  **argv)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GBytes) out_bytes = NULL;
  g_autoptr(GBytes) err_bytes = NULL;
  g_autoptr(GError) error = NULL;

  g_autofree char *input_path = NULL;
  int input_fd;

  /* Standard input comes from a file, not a pipe: a program that stops
   * reading early (it found bad input) must not fail the test with EPIPE. */
  input_fd = g_file_open_tmp ("postier-test-stdin-XXXXXX", &input_path, &error);
  g_assert_no_error (error);
  if (stdin_text != NULL && stdin_length > 0)
    g_assert_true (g_file_set_contents (input_path, stdin_text, (gssize) stdin_length, NULL));
  close (input_fd);

  launcher = postier_test_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_stdin_file_path (launcher, input_path);
  for (guint i = 0; extra_env != NULL && extra_env[i] != NULL; i++)
    {
      g_auto(GStrv) pair = g_strsplit (extra_env[i], "=", 2);
      if (pair[1] != NULL)
        g_subprocess_launcher_setenv (launcher, pair[0], pair[1], TRUE);
      else
        g_subprocess_launcher_unsetenv (launcher, pair[0]);
    }

  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);

  g_subprocess_communicate (process, NULL, NULL, &out_bytes, &err_bytes, &error);
  g_assert_no_error (error);
  g_unlink (input_path);

  /* Empty output is "", never NULL, so tests can compare it. */
  if (out != NULL)
    *out = g_strndup (g_bytes_get_size (out_bytes) ? g_bytes_get_data (out_bytes, NULL) : "",
                      g_bytes_get_size (out_bytes));
  if (err != NULL)
    *err = g_strndup (g_bytes_get_size (err_bytes) ? g_bytes_get_data (err_bytes, NULL) : "",
                      g_bytes_get_size (err_bytes));

  if (g_subprocess_get_if_signaled (process))
    return 128 + g_subprocess_get_term_sig (process);
  return g_subprocess_get_exit_status (process);
}

int
postier_test_run_program (const char  **extra_env,
                          const char   *stdin_text,
                          char        **out,
                          char        **err,
                          const char  **argv)
{
  return run (extra_env, stdin_text, stdin_text ? strlen (stdin_text) : 0, out, err, argv);
}

int
postier_test_run_ctlv (const char * const *extra_env,
                       const char         *stdin_text,
                       gsize               stdin_length,
                       char              **out,
                       char              **err,
                       const char * const *args)
{
  g_autoptr(GPtrArray) argv = ctl_argv (args);

  return run (extra_env, stdin_text, stdin_length, out, err, (const char **) argv->pdata);
}

int
postier_test_run_ctl (const char  *stdin_text,
                      char       **out,
                      char       **err,
                      const char  *first_arg,
                      ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  va_list ap;

  va_start (ap, first_arg);
  postier_test_append_args (args, first_arg, ap);
  va_end (ap);
  return postier_test_run_ctlv (NULL, stdin_text, stdin_text ? strlen (stdin_text) : 0,
                                out, err, (const char **) args->pdata);
}

gboolean
postier_test_tree_contains (const char *dir,
                            const char *needle)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;

  if (handle == NULL)
    return FALSE;

  while ((name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_SYMLINK))
        continue;
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          if (postier_test_tree_contains (path, needle))
            return TRUE;
        }
      else
        {
          g_autofree char *contents = NULL;
          gsize length;

          if (g_file_get_contents (path, &contents, &length, NULL) &&
              memmem (contents, length, needle, strlen (needle)) != NULL)
            return TRUE;
        }
    }
  return FALSE;
}

char *
postier_test_read_file (const char *path,
                        gsize      *length)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, length, &error);
  g_assert_no_error (error);
  return contents;
}

JsonObject *
postier_test_parse_message (const char *path)
{
  g_autofree char *script = g_build_filename (g_getenv ("POSTIER_SOURCE_ROOT"), "tests",
                                              "parse-message.py", NULL);
  const char *argv[] = { "/usr/bin/python3", script, path, NULL };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  g_assert_nonnull (g_getenv ("POSTIER_SOURCE_ROOT"));
  status = postier_test_run_program (NULL, NULL, &out, &err, argv);
  if (status != 0)
    g_test_message ("parse-message.py: %s", err);
  g_assert_cmpint (status, ==, 0);
  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

char *
postier_test_file_sha256 (const char *path)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) stream = g_file_read (file, NULL, &error);
  guchar buffer[65536];
  gssize n;

  g_assert_no_error (error);
  while ((n = g_input_stream_read (G_INPUT_STREAM (stream), buffer, sizeof buffer, NULL, &error)) > 0)
    g_checksum_update (checksum, buffer, (gsize) n);
  g_assert_no_error (error);
  return g_strdup (g_checksum_get_string (checksum));
}

/* ------------------------------------------------------------------------
 * A network monitor the test drives
 */

#define POSTIER_TYPE_TEST_MONITOR (postier_test_monitor_get_type ())
G_DECLARE_FINAL_TYPE (PostierTestMonitor, postier_test_monitor, POSTIER, TEST_MONITOR, GObject)

struct _PostierTestMonitor
{
  GObject  parent_instance;
  gboolean available;
};

enum {
  PROP_0,
  PROP_NETWORK_AVAILABLE,
  PROP_NETWORK_METERED,
  PROP_CONNECTIVITY,
};

static void postier_test_monitor_iface_init (GNetworkMonitorInterface *iface);
static void postier_test_monitor_initable_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PostierTestMonitor, postier_test_monitor, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE, postier_test_monitor_initable_init)
                               G_IMPLEMENT_INTERFACE (G_TYPE_NETWORK_MONITOR, postier_test_monitor_iface_init))

static void
postier_test_monitor_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  PostierTestMonitor *self = POSTIER_TEST_MONITOR (object);

  switch (prop_id)
    {
    case PROP_NETWORK_AVAILABLE:
      g_value_set_boolean (value, self->available);
      break;
    case PROP_NETWORK_METERED:
      g_value_set_boolean (value, FALSE);
      break;
    case PROP_CONNECTIVITY:
      g_value_set_enum (value, self->available ? G_NETWORK_CONNECTIVITY_FULL : G_NETWORK_CONNECTIVITY_LOCAL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
postier_test_monitor_class_init (PostierTestMonitorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = postier_test_monitor_get_property;
  g_object_class_override_property (object_class, PROP_NETWORK_AVAILABLE, "network-available");
  g_object_class_override_property (object_class, PROP_NETWORK_METERED, "network-metered");
  g_object_class_override_property (object_class, PROP_CONNECTIVITY, "connectivity");
}

static void
postier_test_monitor_init (G_GNUC_UNUSED PostierTestMonitor *self)
{
}

static gboolean
postier_test_monitor_can_reach (GNetworkMonitor     *monitor,
                                G_GNUC_UNUSED GSocketConnectable *connectable,
                                G_GNUC_UNUSED GCancellable       *cancellable,
                                GError             **error)
{
  if (POSTIER_TEST_MONITOR (monitor)->available)
    return TRUE;
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE, "offline (test)");
  return FALSE;
}

static void
postier_test_monitor_iface_init (GNetworkMonitorInterface *iface)
{
  iface->can_reach = postier_test_monitor_can_reach;
}

static gboolean
postier_test_monitor_initable (G_GNUC_UNUSED GInitable    *initable,
                               G_GNUC_UNUSED GCancellable *cancellable,
                               G_GNUC_UNUSED GError      **error)
{
  return TRUE;
}

static void
postier_test_monitor_initable_init (GInitableIface *iface)
{
  iface->init = postier_test_monitor_initable;
}

GNetworkMonitor *
postier_test_network_monitor_new (gboolean available)
{
  PostierTestMonitor *self = g_object_new (POSTIER_TYPE_TEST_MONITOR, NULL);

  self->available = available;
  return G_NETWORK_MONITOR (self);
}

void
postier_test_network_monitor_set_available (GNetworkMonitor *monitor,
                                            gboolean         available)
{
  PostierTestMonitor *self = POSTIER_TEST_MONITOR (monitor);

  if (self->available == available)
    return;
  self->available = available;
  g_object_notify (G_OBJECT (self), "network-available");
  g_signal_emit_by_name (self, "network-changed", available);
}

gboolean
postier_test_maildir_is_recent (const char *path)
{
  GStatBuf st;

  /* Two seconds of slack: file times and the clock tick coarsely. */
  return g_stat (path, &st) == 0 && st.st_mtime >= test_started - 2;
}

void
postier_test_maildir_foreach (PostierTestMaildirFunc func,
                              gpointer               data)
{
  const char *maildir = postier_test_rig ("MAILDIR");
  const char *subdirs[] = { "new", "cur" };

  if (maildir == NULL)
    return;
  for (guint s = 0; s < G_N_ELEMENTS (subdirs); s++)
    {
      g_autofree char *dir_path = g_build_filename (maildir, subdirs[s], NULL);
      g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *path = g_build_filename (dir_path, name, NULL);
          g_autofree char *contents = NULL;
          gsize length;

          if (postier_test_maildir_is_recent (path) && g_file_get_contents (path, &contents, &length, NULL))
            func (path, contents, length, data);
        }
    }
}

typedef struct {
  const char *needle;
  guint       count;
} Count;

static void
count_file (G_GNUC_UNUSED const char *path,
            const char               *contents,
            gsize                     length,
            gpointer                  data)
{
  Count *count = data;

  if (length > 0 && memmem (contents, length, count->needle, strlen (count->needle)) != NULL)
    count->count++;
}

guint
postier_test_maildir_count (const char *needle)
{
  Count count = { needle, 0 };

  postier_test_maildir_foreach (count_file, &count);
  return count.count;
}

guint
postier_test_free_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  /* Bound, then given back on return for the caller's server to take. */
  g_assert_true (g_socket_bind (socket, address, FALSE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

guint
postier_test_dead_port (void)
{
  static GSocket *held;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  /* Bound and never listening, so connecting is refused. The socket stays
   * open until the process ends: a port given back could be taken by
   * another test's server that accepts and says nothing, and the "relay
   * that is down" would then hang until the client's timeout (seen as a
   * 70 s subtest in CI). One held port serves every caller. */
  if (held == NULL)
    {
      held = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
      g_assert_nonnull (held);
      g_assert_true (g_socket_bind (held, address, FALSE, NULL));
    }
  bound = g_socket_get_local_address (held, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

PostierAccount *
postier_test_rig_account (const char *name,
                          guint       port)
{
  PostierAccount *account;
  const char *submission = postier_test_rig ("SUBMISSION_PORT");

  if (submission == NULL || postier_test_rig ("CA") == NULL || postier_test_rig ("USER") == NULL)
    return NULL;
  account = postier_account_new (name);
  postier_account_set_identity (account, "Alice <alice@localhost>");
  postier_account_set_host (account, "localhost");
  postier_account_set_port (account, port != 0 ? port : (guint) g_ascii_strtoull (submission, NULL, 10));
  postier_account_set_security (account, POSTIER_SECURITY_STARTTLS);
  postier_account_set_auth (account, POSTIER_AUTH_PLAIN);
  postier_account_set_user (account, postier_test_rig ("USER"));
  postier_account_set_ca_file (account, postier_test_rig ("CA"));
  return account;
}

PostierAccountStore *
postier_test_add_rig_account (const char *name,
                              guint       port,
                              const char *password)
{
  g_autoptr(PostierAccountStore) store = NULL;
  g_autoptr(PostierAccount) account = NULL;
  g_autoptr(GError) error = NULL;

  if (postier_test_rig ("KEYRING") == NULL || postier_test_rig ("PASSWORD") == NULL)
    return NULL;
  account = postier_test_rig_account (name, port);
  if (account == NULL)
    return NULL;

  store = postier_account_store_new (NULL);
  g_assert_true (postier_account_store_load (store, &error));
  g_assert_no_error (error);
  g_assert_true (postier_account_store_add (store, account, TRUE, &error));
  g_assert_no_error (error);
  g_assert_true (postier_secret_store_password_sync (account,
                                                     password != NULL ? password : postier_test_rig ("PASSWORD"),
                                                     NULL, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&store);
}

typedef struct {
  const char *tag;
  GPtrArray  *paths;
} Files;

static void
add_file (const char               *path,
          const char               *contents,
          G_GNUC_UNUSED gsize       length,
          gpointer                  data)
{
  Files *files = data;

  if (strstr (contents, files->tag) != NULL)
    g_ptr_array_add (files->paths, g_strdup (path));
}

GPtrArray *
postier_test_maildir_files (const char *tag,
                            guint       expected)
{
  Files files = { tag, g_ptr_array_new_with_free_func (g_free) };

  /* Postfix delivers on its own schedule: a few seconds at most; up to
   * 20 s, as test-sendmail-postfix always allowed. */
  for (guint tries = 0; tries < 200 && postier_test_maildir_count (tag) < expected; tries++)
    g_usleep (100 * 1000);
  g_assert_cmpuint (postier_test_maildir_count (tag), ==, expected);

  postier_test_maildir_foreach (add_file, &files);
  return files.paths;
}

JsonObject *
postier_test_maildir_message (const char *tag,
                              guint       expected)
{
  g_autoptr(GPtrArray) files = postier_test_maildir_files (tag, expected);

  g_assert_cmpuint (files->len, >, 0);
  return postier_test_parse_message (g_ptr_array_index (files, 0));
}

const char *
postier_test_parsed_header (JsonObject *parsed,
                            const char *name)
{
  JsonArray *headers = json_object_get_array_member (parsed, "headers");

  for (guint i = 0; i < json_array_get_length (headers); i++)
    {
      JsonArray *pair = json_array_get_array_element (headers, i);
      if (g_ascii_strcasecmp (json_array_get_string_element (pair, 0), name) == 0)
        return json_array_get_string_element (pair, 1);
    }
  return NULL;
}

PostierOutbox *
postier_test_rig_outbox (void)
{
  g_autoptr(PostierAccountStore) store = postier_test_add_rig_account ("Rig", 0, NULL);

  return store != NULL ? postier_outbox_new (NULL) : NULL;
}

char *
postier_test_enqueue (PostierOutbox *outbox,
                      const char    *account,
                      const char    *recipient,
                      const char    *subject,
                      const char    *message_id)
{
  g_autoptr(PostierEnvelope) envelope = postier_envelope_new ("alice@localhost");
  g_autofree char *text = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  char *id;

  text = g_strdup_printf ("From: Alice <alice@localhost>\r\nTo: %s\r\nSubject: %s\r\n"
                          "Message-ID: %s\r\n"
                          "Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n\r\nHello.\r\n",
                          recipient, subject, message_id);
  postier_envelope_add_recipient (envelope, recipient);
  bytes = g_bytes_new (text, strlen (text));
  id = postier_outbox_enqueue_bytes (outbox, account, envelope, bytes, NULL, &error);
  g_assert_no_error (error);
  return id;
}

/* One line per entry the outbox holds, for a failure's message: what a
 * watch that never left was waiting for. Read in this process, so a
 * listing cannot hang as the watch did. */
static char *
outbox_summary (void)
{
  g_autoptr(PostierOutbox) outbox = postier_outbox_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = postier_outbox_list (outbox, &error);
  GString *summary = g_string_new (NULL);

  if (entries == NULL)
    {
      g_string_append_printf (summary, "(the outbox could not be listed: %s)", error->message);
      return g_string_free (summary, FALSE);
    }
  if (entries->len == 0)
    g_string_append (summary, "nothing");
  for (guint i = 0; i < entries->len; i++)
    {
      PostierOutboxEntry *entry = g_ptr_array_index (entries, i);
      const char *last_error = postier_outbox_entry_get_last_error (entry);
      gint64 next = postier_outbox_entry_get_next_attempt (entry);

      g_string_append_printf (summary, "\n  %s %s, account %s, to %s, \"%s\", %u attempts",
                              postier_outbox_entry_get_id (entry),
                              postier_outbox_state_to_string (postier_outbox_entry_get_state (entry)),
                              postier_outbox_entry_get_account_name (entry),
                              postier_outbox_entry_get_n_recipients (entry) > 0
                                ? postier_outbox_entry_get_recipient (entry, 0) : "nobody",
                              postier_outbox_entry_get_subject (entry),
                              postier_outbox_entry_get_attempts (entry));
      if (next > 0)
        {
          gint64 in = next - g_get_real_time () / G_USEC_PER_SEC;

          if (in > 0)
            g_string_append_printf (summary, ", next try in %" G_GINT64_FORMAT " s", in);
          else
            g_string_append_printf (summary, ", due %" G_GINT64_FORMAT " s ago", -in);
        }
      if (last_error != NULL && *last_error != '\0')
        g_string_append_printf (summary, ", last error: %s", last_error);
    }
  return g_string_free (summary, FALSE);
}

void
postier_test_watch_stuck (GSubprocess *watch,
                          const char  *why)
{
  g_autofree char *queued = outbox_summary ();
  g_autofree char *message = NULL;

  /* Killed, not terminated: a watch that hangs may never run the handler
   * SIGTERM has in its main loop, and one left behind outlives the test. */
  g_subprocess_force_exit (watch);
  g_subprocess_wait (watch, NULL, NULL);
  message = g_strdup_printf ("postierctl queue watch %s (killed); the outbox holds: %s", why, queued);
  g_assertion_message (G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC, message);
  /* It returns only under nonfatal assertions, which no test sets. */
  g_abort ();
}

typedef struct {
  gboolean  done;
  gboolean  late;
  char     *out;
  char     *err;
  GError   *error;
} WatchWait;

static void
watch_communicated (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  WatchWait *wait = user_data;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, &wait->out, &wait->err,
                                        &wait->error);
  wait->done = TRUE;
}

static gboolean
watch_late (gpointer user_data)
{
  ((WatchWait *) user_data)->late = TRUE;
  return G_SOURCE_REMOVE;
}

int
postier_test_watch_wait (GSubprocess *watch,
                         char       **out,
                         char       **err)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GSource) timer = g_timeout_source_new_seconds (POSTIER_TEST_WATCH_DEADLINE_S);
  WatchWait wait = { 0 };

  g_main_context_push_thread_default (context);
  g_subprocess_communicate_utf8_async (watch, NULL, NULL, watch_communicated, &wait);
  g_source_set_callback (timer, watch_late, &wait, NULL);
  g_source_attach (timer, context);
  while (!wait.done && !wait.late)
    g_main_context_iteration (context, TRUE);
  g_source_destroy (timer);
  if (!wait.done)
    {
      g_autofree char *why = g_strdup_printf ("did not leave within %d s", POSTIER_TEST_WATCH_DEADLINE_S);

      /* The pipes stay open while it runs, so its output is not read
       * here: stuck() kills it and fails the test with what matters. */
      g_main_context_pop_thread_default (context);
      postier_test_watch_stuck (watch, why);
    }
  g_main_context_pop_thread_default (context);
  g_assert_no_error (wait.error);

  if (out != NULL)
    *out = wait.out != NULL ? g_steal_pointer (&wait.out) : g_strdup ("");
  if (err != NULL)
    *err = wait.err != NULL ? g_steal_pointer (&wait.err) : g_strdup ("");
  g_free (wait.out);
  g_free (wait.err);
  if (g_subprocess_get_if_signaled (watch))
    return 128 + g_subprocess_get_term_sig (watch);
  return g_subprocess_get_exit_status (watch);
}

int
postier_test_run_watch (const char * const *extra_env,
                        char              **out,
                        char              **err)
{
  g_autoptr(GSubprocessLauncher) launcher = postier_test_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                      G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) watch = NULL;

  for (guint i = 0; extra_env != NULL && extra_env[i] != NULL; i++)
    {
      g_auto(GStrv) pair = g_strsplit (extra_env[i], "=", 2);

      g_subprocess_launcher_setenv (launcher, pair[0], pair[1] != NULL ? pair[1] : "", TRUE);
    }
  g_subprocess_launcher_set_stdin_file_path (launcher, "/dev/null");
  watch = postier_test_launcher_spawn_ctl (launcher, "queue", "watch", NULL);
  return postier_test_watch_wait (watch, out, err);
}

void
postier_test_ctl_add_account (const char *name,
                              const char *port,
                              const char *ca,
                              const char *password)
{
  g_autofree char *password_line = g_strdup_printf ("%s\n", password);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  int status;

  g_ptr_array_add (args, (gpointer) "account");
  g_ptr_array_add (args, (gpointer) "add");
  g_ptr_array_add (args, (gpointer) name);
  g_ptr_array_add (args, (gpointer) "--from");
  g_ptr_array_add (args, (gpointer) "Alice Ärzte <alice@localhost>");
  g_ptr_array_add (args, (gpointer) "--host");
  g_ptr_array_add (args, (gpointer) "localhost");
  g_ptr_array_add (args, (gpointer) "--port");
  g_ptr_array_add (args, (gpointer) port);
  g_ptr_array_add (args, (gpointer) "--security");
  g_ptr_array_add (args, (gpointer) "starttls");
  g_ptr_array_add (args, (gpointer) "--auth");
  g_ptr_array_add (args, (gpointer) "plain");
  g_ptr_array_add (args, (gpointer) "--user");
  g_ptr_array_add (args, (gpointer) postier_test_rig ("USER"));
  if (ca != NULL)
    {
      g_ptr_array_add (args, (gpointer) "--ca-file");
      g_ptr_array_add (args, (gpointer) ca);
    }
  g_ptr_array_add (args, (gpointer) "--password-stdin");
  g_ptr_array_add (args, NULL);

  status = postier_test_run_ctlv (NULL, password_line, strlen (password_line), &out, &err,
                                  (const char * const *) args->pdata);
  if (status != 0)
    g_test_message ("%s%s", out, err);
  g_assert_cmpint (status, ==, 0);
}

PostierTestFaultServer *
postier_test_fault_server_start (const char *plan)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *script = g_build_filename (g_getenv ("POSTIER_SOURCE_ROOT"), "tests", "faults",
                                              "smtp-fault-server.py", NULL);
  g_autofree char *line = NULL;
  PostierTestFaultServer *server = g_new0 (PostierTestFaultServer, 1);

  server->folder = g_dir_make_tmp ("postier-fault-server-XXXXXX", &error);
  g_assert_no_error (error);
  server->log_path = g_build_filename (server->folder, "received.log", NULL);
  server->process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, "/usr/bin/python3", script,
                                      "--plan", plan, "--log", server->log_path, NULL);
  g_assert_no_error (error);
  /* The script says where it listens once it does. */
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server->process));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "PORT "));
  server->port = (guint) g_ascii_strtoull (line + 5, NULL, 10);
  return server;
}

char *
postier_test_fault_server_log (PostierTestFaultServer *server)
{
  char *contents = NULL;

  if (!g_file_get_contents (server->log_path, &contents, NULL, NULL))
    return g_strdup ("");
  return contents;
}

void
postier_test_fault_server_stop (PostierTestFaultServer *server)
{
  if (server == NULL)
    return;
  g_subprocess_force_exit (server->process);
  g_subprocess_wait (server->process, NULL, NULL);
  g_object_unref (server->process);
  postier_remove_tree (server->folder);
  g_free (server->log_path);
  g_free (server->folder);
  g_free (server);
}

gboolean
postier_test_oauth_server_ready (const char *issuer)
{
  g_autofree char *url = g_strconcat (issuer, "/.well-known/openid-configuration", NULL);

  for (guint tries = 0; tries < 300; tries++)
    {
      g_autoptr(JsonObject) metadata = postier_oauth_http_get_json (url, NULL, NULL);

      if (metadata != NULL)
        return TRUE;
      g_usleep (100 * 1000);
    }
  g_test_fail_printf ("the OAuth server at %s never answered", issuer);
  return FALSE;
}
