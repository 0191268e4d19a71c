/* postier-sasl.h — the client side of SMTP AUTH (RFC 4954)
 *
 * GNU SASL does PLAIN, LOGIN, CRAM-MD5 and SCRAM-SHA-1/-256 (with -PLUS
 * channel binding); XOAUTH2 and OAUTHBEARER (RFC 7628), which libgsasl 2.2
 * lacks, are one message each and written here. The SMTP side (AUTH
 * command, 334 challenges, redaction) is the client's business; this only
 * turns challenges into responses, all base64.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "postier-account.h"

G_BEGIN_DECLS

typedef struct _PostierSasl PostierSasl;

/* The mechanism to use for METHOD given what the server OFFERED (EHLO's
 * AUTH list). For auto, the strongest both sides have: SCRAM-SHA-256-PLUS,
 * SCRAM-SHA-1-PLUS (only when HAVE_CHANNEL_BINDING), SCRAM-SHA-256,
 * SCRAM-SHA-1, CRAM-MD5, PLAIN, LOGIN. An explicit method uses that
 * mechanism (its -PLUS form when possible; for xoauth2, OAUTHBEARER when
 * offered). Fails with POSTIER_SMTP_ERROR_AUTH naming what the server
 * offers. */
char        *postier_sasl_choose_mechanism (PostierAuthMethod   method,
                                            const char * const *offered,
                                            gboolean            have_channel_binding,
                                            GError            **error);

/* USER and SECRET (password, or OAuth 2 token) are copied and wiped on
 * free. HOST and PORT are for OAUTHBEARER. CB_TYPE and CB_DATA are the TLS
 * channel binding (see postier_tls_get_channel_binding), may be NULL. */
PostierSasl *postier_sasl_new              (const char   *mechanism,
                                            const char   *user,
                                            const char   *secret,
                                            const char   *host,
                                            guint         port,
                                            const char   *cb_type,
                                            GBytes       *cb_data,
                                            GError      **error);
void         postier_sasl_free             (PostierSasl  *self);

/* TRUE when the client speaks first: its first response then goes on the
 * AUTH line itself (RFC 4954 initial response), saving a round trip. */
gboolean     postier_sasl_has_initial_response (PostierSasl *self);

/* The next response to CHALLENGE (base64, or NULL for the initial
 * response), base64 ("" for an empty one). *COMPLETE is set when the
 * mechanism has nothing more to say; a server that goes on after that is
 * answered with an empty response. Fails with POSTIER_SMTP_ERROR_AUTH when
 * the challenge is malformed or the server could not prove it knows the
 * password (SCRAM). */
char        *postier_sasl_step             (PostierSasl  *self,
                                            const char   *challenge,
                                            gboolean     *complete,
                                            GError      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PostierSasl, postier_sasl_free)

G_END_DECLS
