/* postier-oauth-http.h — the HTTP side of OAuth 2.0, blocking, for workers
 *
 * One libsoup session per call (a session belongs to the thread that made
 * it), no redirects followed (a token request redirected elsewhere is an
 * error, not a hop), certificates verified by libsoup against the system
 * trust store, plain http only to loopback hosts. Nothing here logs a body.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Seconds for each request. */
#define POSTIER_OAUTH_HTTP_TIMEOUT 30

/* Whether URL may carry OAuth traffic: https, or http to 127.0.0.0/8, ::1
 * or localhost (RFC 8252 §8.3). */
gboolean    postier_oauth_http_url_is_allowed (const char    *url,
                                               GError       **error);

/* GET URL, a JSON object. Network and TLS failures are
 * POSTIER_SMTP_ERROR_NETWORK (worth another try later). */
JsonObject *postier_oauth_http_get_json       (const char    *url,
                                               GCancellable  *cancellable,
                                               GError       **error);

/* POST the form (NULL-terminated name, value pairs; a NULL value skips
 * its pair) to URL. Returns the JSON object the server answered, with
 * *STATUS its HTTP status, whatever that was (an OAuth error is a 400 with
 * a JSON body). NULL with ERROR when there is no JSON object to read. */
JsonObject *postier_oauth_http_post_form      (const char    *url,
                                               guint         *status,
                                               GCancellable  *cancellable,
                                               GError       **error,
                                               const char    *first_name,
                                               ...) G_GNUC_NULL_TERMINATED;

G_END_DECLS
