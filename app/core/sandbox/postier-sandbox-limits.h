/* postier-sandbox-limits.h — what the Sandbox receiver accepts from a client
 *
 * Its own header so the SMTP session (postier-sandbox-session.h) can take
 * the limits without including the receiver object's header, which
 * includes the session's: the lower module stays below the upper one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What the receiver accepts from one client. Hostile input beyond these
 * gets an SMTP error or the connection closed, never more memory. */
typedef struct {
  guint64 max_message_size;    /* octets; advertised as SIZE (default 50 MiB) */
  guint   max_line_length;     /* command line, CRLF included (default 2048) */
  guint   max_commands;        /* per connection (default 10000) */
  guint   max_bad_commands;    /* errors and junk per connection (default 20) */
  guint   max_recipients;      /* per message (default 1000) */
  guint   max_connections;     /* at once (default 16) */
  guint   idle_timeout_ms;     /* a silent client is dropped (default 60 s) */
  guint   session_timeout_ms;  /* a whole connection (default 10 min) */
  guint   linger_ms;           /* with no client, the receiver stops (default 60 s) */
  /* Any local user can connect: a client must have logged in within this
   * time or is dropped (default 15 s), and when every place is taken, the
   * oldest client not logged in after EVICT_AFTER_MS (default 2 s) makes
   * room for a new one, so idle connections cannot lock Postier's own
   * client out. */
  guint   pre_auth_timeout_ms;
  guint   evict_after_ms;
} PostierSandboxLimits;

G_END_DECLS
