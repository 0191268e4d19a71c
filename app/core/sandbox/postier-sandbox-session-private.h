/* postier-sandbox-session-private.h — shared by the files of one SMTP
 * session of the Sandbox receiver
 *
 * postier-sandbox-session.c        reading, writing, STARTTLS, dispatch, the loop
 * postier-sandbox-session-commands.c  EHLO, MAIL, RCPT and their paths
 * postier-sandbox-session-auth.c   AUTH PLAIN
 * postier-sandbox-session-data.c   DATA, into the Maildir
 *
 * Private to those files: the session state and the helpers they call.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <openssl/ssl.h>

#include "postier-sandbox-maildir.h"
#include "postier-sandbox-session.h"

G_BEGIN_DECLS

/* Octets read from the socket at a time. */
#define READ_CHUNK      16384

typedef enum {
  LINE_OK,
  LINE_TOO_LONG,
  LINE_CLOSED,     /* end of input, error, timeout or cancellation */
} LineStatus;

typedef struct {
  const PostierSandboxSessionConfig *config;
  GSocket                *socket;
  int                     fd;
  SSL                    *ssl;
  GByteArray             *in;
  guint                   in_pos;
  GString                *out;
  gint64                  deadline;          /* monotonic, end of the session */
  gint64                  auth_deadline;     /* monotonic, end of the session if not logged in */
  gboolean                discarding_line;   /* skipping the rest of an overlong line */
  gboolean                closing;

  PostierSandboxEnvelope *envelope;
  gboolean                greeted;
  gboolean                esmtp;
  gboolean                authenticated;
  guint                   commands;
  guint                   bad_commands;
  guint                   auth_failures;
} Session;

/* postier-sandbox-session.c: replies wait in a buffer until the client is
 * waited for (or the buffer is full); flush sends them, FALSE (and
 * closing) when the client is gone. reply_error also counts a bad command. */
gboolean   _postier_sandbox_session_flush             (Session     *session);
void       _postier_sandbox_session_reply             (Session     *session,
                                                       const char  *line);
void       _postier_sandbox_session_reply_error       (Session     *session,
                                                       const char  *line);
/* More input into session->in; FALSE at the end of input or on failure. */
gboolean   _postier_sandbox_session_read_more         (Session     *session);
/* The next command line (transfer full), without its line end. */
LineStatus _postier_sandbox_session_read_line         (Session     *session,
                                                       char       **line,
                                                       gsize       *length);

/* postier-sandbox-session-commands.c */
void       _postier_sandbox_session_reset_transaction (Session     *session);
void       _postier_sandbox_session_ehlo              (Session     *session,
                                                       const char  *args,
                                                       gboolean     extended);
void       _postier_sandbox_session_mail              (Session     *session,
                                                       const char  *args);
void       _postier_sandbox_session_rcpt              (Session     *session,
                                                       const char  *args);

/* postier-sandbox-session-auth.c */
void       _postier_sandbox_session_auth              (Session     *session,
                                                       const char  *args);

/* postier-sandbox-session-data.c */
void       _postier_sandbox_session_data              (Session     *session,
                                                       const char  *args);

G_END_DECLS
