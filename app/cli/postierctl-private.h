/* postierctl-private.h — shared by the postierctl command files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>
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

/* Runs the subcommand named by ARGV[1], or prints USAGE and the list of
 * subcommands on stderr and returns EX_USAGE. */
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
int   postierctl_send_main         (int argc, char **argv);
int   postierctl_sendmail_main     (int argc, char **argv);
int   postierctl_queue_main        (int argc, char **argv);

typedef enum {
  POSTIERCTL_DELIVERY_SENT,
  POSTIERCTL_DELIVERY_QUEUED,   /* waits in the outbox: deferred, busy, offline */
  POSTIERCTL_DELIVERY_FAILED,   /* in the outbox, refused or needing attention */
} PostierctlDelivery;

/* After an enqueue: flushes the outbox at once and tells what became of
 * entry ID, with a sentence for the person in REPORT. */
PostierctlDelivery postierctl_deliver_now (const char  *id,
                                           char       **report);
int   postierctl_sandbox_main      (int argc, char **argv);

G_END_DECLS
