/* postierctl-private.h — shared by the postierctl command files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>
#include <stdio.h>
#include <sysexits.h>

#include "postier-core.h"

G_BEGIN_DECLS

typedef struct {
  const char *name;
  int       (*run) (int argc, char **argv);
  const char *summary;
} PostierctlCommand;

/* Prints "postierctl: MESSAGE" on stderr and returns the sysexits code that
 * fits the error. */
int   postierctl_fail              (const GError *error);
/* The same for a usage problem found by postierctl itself. */
int   postierctl_usage_error       (const char   *format,
                                    ...) G_GNUC_PRINTF (1, 2);
int   postierctl_exit_code_for     (const GError *error);

/* TEXT (read from disk, a message or a server) made safe for a terminal:
 * control characters, C1 controls, bidirectional overrides and bytes that
 * are not UTF-8 become visible escapes (\x1b, \u202e). The _full form
 * with KEEP_LINES leaves newlines and tabs, for transcripts and multi-line
 * replies. NULL gives NULL. Not for --json, which JSON escapes itself. */
char *postierctl_printable         (const char   *text);
char *postierctl_printable_full    (const char   *text,
                                    gboolean      keep_lines);

/* Runs the subcommand named by ARGV[1]. For --help, -h or help, prints
 * USAGE and the list of subcommands on stdout and returns EX_OK; with no
 * subcommand or an unknown one, the same on stderr and EX_USAGE. */
int   postierctl_run_subcommand    (const PostierctlCommand *subcommands,
                                    guint                    n_subcommands,
                                    const char              *usage,
                                    int                      argc,
                                    char                   **argv);

/* Parses options; on failure prints the problem and returns FALSE. */
gboolean postierctl_parse_options  (GOptionContext  *context,
                                    int             *argc,
                                    char          ***argv);

PostierAccountStore *postierctl_load_accounts (GError **error);

void  postierctl_print_json        (JsonNode     *node);

/* Reads all of stdin into memory (for passwords and small inputs). */
char *postierctl_read_stdin        (gsize        *length,
                                    GError      **error);

int   postierctl_account_main      (int argc, char **argv);
/* postierctl-account-list.c: account list [--json]. */
int   postierctl_account_list      (int argc, char **argv);
/* postierctl-account-found.c: account add without --host; GOA's accounts in account list. */
int   postierctl_account_find_server (PostierAccount *account);
void  postierctl_account_print_goa  (GPtrArray      *goa,
                                     PostierAccount *default_account);
/* postierctl-account-goa.c (postierctl-light.c in the light postierctl):
 * the GNOME Online Accounts account NAME ("goa:ID" or its address) for
 * send/sendmail --account, or NULL with "There is no account named …";
 * NAME NULL: the default among GOA's accounts (postier_account_resolve_default),
 * for a send without --account when Postier has no relay account of its
 * own. The light postierctl, which does not load libgoa, hands the command
 * (ARGC, ARGV: its arguments as given) over to postierctl-full instead. */
PostierAccount *postierctl_online_account (const char  *name,
                                           int          argc,
                                           char       **argv,
                                           GError     **error);
/* account list --json: Postier's own account ("source": "postier"), and
 * GOA's after them ("source": "goa"). */
JsonNode *postierctl_account_to_json     (PostierAccount *account,
                                          gboolean        is_default);
void      postierctl_account_goa_to_json (JsonArray      *array,
                                          GPtrArray      *goa,
                                          PostierAccount *default_account);
/* postierctl-account-check.c: account check NAME [--json] (issue 15). */
int   postierctl_account_check     (int argc, char **argv);
/* postierctl-login.c: account login NAME [--browser], and the sign-in
 * account add --oauth does (issue 14). */
int   postierctl_account_login     (int argc, char **argv);
int   postierctl_oauth_sign_in     (PostierAccount *account,
                                    gboolean        browser);
/* account add/set's --oauth, --oauth-client-id and --oauth-scope. */
int   postierctl_oauth_check_options (const char  *oauth,
                                      gboolean     password_given);
void  postierctl_oauth_apply_options (PostierAccount *account,
                                      const char     *oauth,
                                      const char     *client_id,
                                      const char     *scope,
                                      gboolean        auth_given);
/* postierctl-limits.c: relay limits in account show, queue list and the
 * send report (issue 13). */
void  postierctl_limits_print      (PostierAccount      *account);
void  postierctl_limits_to_json    (PostierAccount      *account,
                                    JsonBuilder         *builder);
gboolean postierctl_entry_hold     (PostierAccountStore *accounts,
                                    PostierOutboxEntry  *entry,
                                    PostierRelayHold    *hold);
/* "held by the relay’s limit of … — next at 10:42", or NULL. */
char *postierctl_entry_hold_text   (PostierAccountStore *accounts,
                                    PostierOutboxEntry  *entry);
int   postierctl_send_main         (int argc, char **argv);
int   postierctl_sendmail_main     (int argc, char **argv);
int   postierctl_queue_main        (int argc, char **argv);

/* postierctl-flush.c: queue flush, retry and watch; sendmail -q, -bp and
 * mailq. Each returns the exit status. */
int   postierctl_queue_flush       (int argc, char **argv);
int   postierctl_queue_retry       (int argc, char **argv);
int   postierctl_queue_watch       (int argc, char **argv);
int   postierctl_sendmail_flush    (void);
int   postierctl_mailq             (void);

typedef enum {
  POSTIERCTL_DELIVERY_SENT,
  POSTIERCTL_DELIVERY_QUEUED,   /* waits in the outbox: deferred, busy, offline */
  POSTIERCTL_DELIVERY_FAILED,   /* in the outbox, refused or needing attention */
} PostierctlDelivery;


typedef enum {
  POSTIERCTL_DELIVER_NONE       = 0,
  POSTIERCTL_DELIVER_QUIET      = 1 << 0,  /* the sendmail face: nothing on stdout on success */
  POSTIERCTL_DELIVER_QUEUE_ONLY = 1 << 1,  /* --queue-only: done once durable */
} PostierctlDeliverFlags;

/* After an enqueue: tries entry ID at once (waiting, bounded, for another
 * flusher), prints the outcome (success on stdout, the rest on stderr) and
 * returns the exit status of the exit-code table (design-notes). */
int   postierctl_deliver           (const char            *id,
                                    PostierctlDeliverFlags flags);
/* "Queued as ID." unless QUIET; EX_OK. */
int   postierctl_report_queued     (const char            *id,
                                    PostierctlDeliverFlags flags);

/* The light postierctl hands the rest over to postierctl-full with this
 * first argument (postierctl-light.c); never typed by a person. */
#define POSTIERCTL_INTERNAL_COMMAND "--internal"
int   postierctl_internal_main     (int argc, char **argv);

/* SENTENCE (LENGTH bytes, or to its end when -1: a reason; ours end with
 * a full stop, as do many relays' replies) as a clause that a longer line
 * goes on after: trimmed, without its final period ("…in the session;
 * next attempt at", not "session.;"). */
char *postierctl_as_clause          (const char *sentence,
                                     gssize      length);

/* TEXT (UTF-8) in CHARSET, the locale's when it is not UTF-8 (cron's C
 * locale): typographic quotes, dashes and ellipses become their ASCII
 * stand-ins there, other characters CHARSET lacks '?'. */
char *postierctl_to_console_charset (const char *text,
                                     const char *charset);
/* What g_print() and g_printerr() do in postierctl: TEXT as is in a UTF-8
 * locale, else through postierctl_to_console_charset(). */
void  postierctl_print_to           (FILE       *stream,
                                     const char *text);

/* Control characters, C1 controls and bidirectional overrides: shown as
 * escapes by postierctl_printable() and postierctl_print_json(). */
gboolean postierctl_acts_on_terminal (gunichar c,
                                      gboolean keep_lines);

/* --- postierctl-input.c: bounded reading of bodies and attachments --- */

/* Cap for input from a stream when the relay's SIZE is not known. */
#define POSTIERCTL_INPUT_DEFAULT_CAP ((guint64) 50 * 1000 * 1000)
/* Seconds a pipe, FIFO or device may stay silent before it is an error. */
#define POSTIERCTL_INPUT_DEFAULT_TIMEOUT 60

/* The relay's SIZE for that account when known, else the default cap. */
guint64 postierctl_input_cap       (const char   *account_name);

typedef gboolean (*PostierctlSink) (const char *data,
                                    gsize       length,
                                    gpointer    user_data,
                                    GError    **error);
/* Reads FD to its end in chunks handed to SINK: over CAP octets is
 * POSTIER_MESSAGE_ERROR_TOO_LARGE; a stream silent for TIMEOUT seconds,
 * or unreadable, is a G_FILE_ERROR naming WHAT. */
gboolean postierctl_input_copy     (int            fd,
                                    const char    *what,
                                    guint64        cap,
                                    guint          timeout,
                                    PostierctlSink sink,
                                    gpointer       user_data,
                                    GError       **error);
/* A message text from PATH ("-" or NULL: standard input), UTF-8 checked. */
char    *postierctl_input_read_text (const char  *path,
                                     guint64      cap,
                                     guint        timeout,
                                     GError     **error);
/* PATH itself when it is a regular file under CAP; for a pipe, FIFO or
 * device, a copy read (bounded) into a new folder under STAGING_DIR, with
 * the same base name. */
char    *postierctl_input_stage_attachment (const char  *path,
                                            const char  *staging_dir,
                                            guint64      cap,
                                            guint        timeout,
                                            GError     **error);
int   postierctl_sandbox_main      (int argc, char **argv);

G_END_DECLS
