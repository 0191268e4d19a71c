/* postier-test.h — helpers shared by Postier's test programs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* A crash prints the stack (plain builds; ASan reports its own). */
void      postier_test_report_crashes (void);
/* g_test_init with isolated XDG dirs per test, plus core initialisation. */
void      postier_test_init         (int          *argc,
                                     char       ***argv);

/* The value of POSTIER_TEST_<NAME> set by tests/rig/with-rig. When it is
 * missing the test is skipped, unless POSTIER_TEST_REQUIRE_RIG is set (as
 * `make test` does), in which case it fails: a fixture that did not start
 * must never pass unnoticed. Returns NULL after skipping or failing. */
const char *postier_test_rig        (const char   *name);

/* Appends FIRST and the rest of AP up to its NULL to ARGS, then a NULL:
 * for the tests' own wrappers that take a command's arguments as "...". */
void         postier_test_append_args         (GPtrArray           *args,
                                               const char          *first,
                                               va_list              ap);

/* A launcher for a child process that lives in this test's folders (HOME,
 * XDG_{CONFIG,DATA,CACHE,STATE}_HOME), with the system's XDG_DATA_DIRS;
 * the rig's variables and XDG_RUNTIME_DIR are inherited as they are. */
GSubprocessLauncher *postier_test_launcher_new (GSubprocessFlags flags);
/* Starts postierctl ($POSTIERCTL) with LAUNCHER and the given arguments
 * (NULL-terminated); fails the test if it cannot start. */
GSubprocess *postier_test_launcher_spawn_ctl  (GSubprocessLauncher *launcher,
                                               const char          *first_arg,
                                               ...) G_GNUC_NULL_TERMINATED;
GSubprocess *postier_test_launcher_spawn_ctlv (GSubprocessLauncher *launcher,
                                               const char * const  *args);

/* Runs postierctl with the given arguments (NULL-terminated), feeding
 * STDIN_TEXT (may be NULL) and capturing both outputs. Returns the exit
 * status. EXTRA_ENV is a NULL-terminated list of "NAME=value" or NULL. */
int       postier_test_run_ctl      (const char   *stdin_text,
                                     char        **out,
                                     char        **err,
                                     const char   *first_arg,
                                     ...) G_GNUC_NULL_TERMINATED;
int       postier_test_run_ctlv     (const char * const *extra_env,
                                     const char   *stdin_text,
                                     gsize         stdin_length,
                                     char        **out,
                                     char        **err,
                                     const char * const *args);

/* Runs any program the same way. */
int       postier_test_run_program  (const char  **extra_env,
                                     const char   *stdin_text,
                                     char        **out,
                                     char        **err,
                                     const char  **argv);

/* TRUE if any regular file below DIR contains NEEDLE. */
gboolean  postier_test_tree_contains (const char  *dir,
                                      const char  *needle);

/* Reads a file wholly; fails the test if it cannot. */
char     *postier_test_read_file    (const char   *path,
                                     gsize        *length);

/* Reads the message in PATH with Python's email package (policy=default)
 * through tests/parse-message.py and returns what it saw (see that script
 * for the members). Fails the test if the script fails. */
JsonObject *postier_test_parse_message (const char  *path);

/* Hex SHA-256 of a file's contents. */
char       *postier_test_file_sha256   (const char  *path);

G_END_DECLS

G_BEGIN_DECLS

/* A GNetworkMonitor whose availability the test sets, so offline and back
 * online can be played without touching the machine's network. */
GNetworkMonitor *postier_test_network_monitor_new           (gboolean         available);
void             postier_test_network_monitor_set_available (GNetworkMonitor *monitor,
                                                             gboolean         available);

/* Files in the rig Maildir (new/ and cur/) that contain NEEDLE. */
guint            postier_test_maildir_count                 (const char      *needle);
/* FALSE for a Maildir file delivered before this test program started:
 * late in the suite the Maildir holds thousands of the run's messages, and
 * reading them all at each poll was most of some tests' time. */
gboolean         postier_test_maildir_is_recent             (const char      *path);
/* Calls FUNC for each file of the rig Maildir (new/, then cur/) that is
 * recent (above), with its whole contents, NUL-terminated after LENGTH
 * bytes: the one walk behind every Maildir count and search of the tests.
 * Nothing when the rig has no Maildir. */
typedef void   (*PostierTestMaildirFunc)                    (const char      *path,
                                                             const char      *contents,
                                                             gsize            length,
                                                             gpointer         data);
void             postier_test_maildir_foreach               (PostierTestMaildirFunc func,
                                                             gpointer         data);

G_END_DECLS

#include "postier-account-store.h"

G_BEGIN_DECLS

/* A port on loopback where nothing listens: a relay that is down. */
guint            postier_test_dead_port                     (void);
/* A loopback port free now, for a server the test starts on it. */
guint            postier_test_free_port                     (void);

/* An account for the rig's Postfix as Alice, STARTTLS + AUTH PLAIN on PORT
 * (0: the submission port), trusting the rig's CA. NULL (and the test
 * skipped or failed) when the rig is missing. */
PostierAccount  *postier_test_rig_account                   (const char      *name,
                                                             guint            port);
/* The same, added as the default account to the isolated accounts.ini,
 * with PASSWORD (NULL: the right one) in the rig's keyring. Returns the
 * store, NULL when the rig is missing. */
PostierAccountStore *postier_test_add_rig_account           (const char      *name,
                                                             guint            port,
                                                             const char      *password);

G_END_DECLS

#include "postier-outbox.h"

G_BEGIN_DECLS

/* The rig Maildir: both builds' suites and every test beside this one
 * deliver into it, so TAG must be unique to the caller (its own tag or
 * Message-ID). Waits until EXPECTED files hold TAG (Postfix delivers on its
 * own schedule), asserts that exactly EXPECTED do, and returns their paths. */
GPtrArray       *postier_test_maildir_files                 (const char      *tag,
                                                             guint            expected);
/* The same, and the first of them parsed (postier_test_parse_message). */
JsonObject      *postier_test_maildir_message               (const char      *tag,
                                                             guint            expected);
/* The value of the first header NAME (any case) that the parse saw, or NULL. */
const char      *postier_test_parsed_header                 (JsonObject      *parsed,
                                                             const char      *name);

/* A new outbox after adding "Rig", the rig's Postfix, as the default
 * account with the right password; NULL when the rig is missing. */
PostierOutbox   *postier_test_rig_outbox                    (void);
/* Queues a short message from alice@localhost to RECIPIENT with SUBJECT and
 * MESSAGE_ID (with its <>) for ACCOUNT; returns its id. */
char            *postier_test_enqueue                       (PostierOutbox   *outbox,
                                                             const char      *account,
                                                             const char      *recipient,
                                                             const char      *subject,
                                                             const char      *message_id);

/* `postierctl queue watch` leaves by itself once nothing will go out by
 * itself. A test waits for that this long at most, well under meson's
 * timeouts, so that a watch that never leaves is reported, not timed out
 * in silence with the process left running. */
#define POSTIER_TEST_WATCH_DEADLINE_S 40

/* Waits for WATCH (a `postierctl queue watch` the test started) to leave
 * by itself, POSTIER_TEST_WATCH_DEADLINE_S at most, and returns its exit
 * status (128 + the signal if killed); OUT and ERR (may be NULL) get what
 * it wrote to its pipes ("" for one it was not given). If it does not
 * leave: postier_test_watch_stuck(). */
int              postier_test_watch_wait                    (GSubprocess     *watch,
                                                             char           **out,
                                                             char           **err);
/* Fails the test because WATCH did not do what WHY says ("did not leave
 * within 40 s"): logs what the outbox holds, kills WATCH, and aborts the
 * test with WHY and the entries left queued. */
G_NORETURN void  postier_test_watch_stuck                   (GSubprocess     *watch,
                                                             const char      *why);
/* Runs `postierctl queue watch` with this test's folders and EXTRA_ENV
 * ("NAME=value", NULL-terminated, or NULL) and waits for it as
 * postier_test_watch_wait() does. */
int              postier_test_run_watch                     (const char * const *extra_env,
                                                             char           **out,
                                                             char           **err);

/* Adds account NAME the way a person does, with postierctl account add:
 * Alice on localhost:PORT, STARTTLS + AUTH PLAIN as the rig's user,
 * trusting CA (NULL: the system store only), PASSWORD given on standard
 * input. Fails the test if postierctl does. */
void             postier_test_ctl_add_account               (const char      *name,
                                                             const char      *port,
                                                             const char      *ca,
                                                             const char      *password);

/* tests/faults/smtp-fault-server.py, for what a real Postfix will not do:
 * it answers as PLAN (JSON, see the script) on PORT and logs what it
 * received. FOLDER is its own temporary folder, removed with all it holds
 * on stop, so a test may keep its own files there. */
typedef struct {
  GSubprocess *process;
  guint        port;
  char        *folder;
  char        *log_path;
} PostierTestFaultServer;

PostierTestFaultServer *postier_test_fault_server_start     (const char             *plan);
/* What the server received so far ("" before anything). */
char                   *postier_test_fault_server_log       (PostierTestFaultServer *server);
void                    postier_test_fault_server_stop      (PostierTestFaultServer *server);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PostierTestFaultServer, postier_test_fault_server_stop)

/* Waits (30 s at most) until the rig's OAuth server at ISSUER answers its
 * discovery document: the rig starts Node in the background. Marks the
 * test failed and returns FALSE when it never does. */
gboolean                postier_test_oauth_server_ready     (const char *issuer);

G_END_DECLS
