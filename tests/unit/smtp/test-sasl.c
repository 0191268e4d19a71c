/* test-sasl.c — which mechanism Postier picks, and what it says
 *
 * The mechanisms Postfix cannot check (the -PLUS variants with channel
 * binding, XOAUTH2, OAUTHBEARER) are checked here: SCRAM against GNU
 * SASL's own server side, the OAuth ones against their RFC's bytes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gsasl.h>
#include <string.h>

#include "postier-core.h"
#include "postier-sasl.h"
#include "postier-smtp-transcript.h"
#include "postier-test.h"

static const char * const postfix_offer[] = { "PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-1", "SCRAM-SHA-256", NULL };
static const char * const plus_offer[] = { "PLAIN", "SCRAM-SHA-1", "SCRAM-SHA-1-PLUS", "SCRAM-SHA-256",
                                           "SCRAM-SHA-256-PLUS", "XOAUTH2", "OAUTHBEARER", NULL };

static char *
choose (PostierAuthMethod   method,
        const char * const *offered,
        gboolean            channel_binding)
{
  g_autoptr(GError) error = NULL;
  char *mechanism = postier_sasl_choose_mechanism (method, offered, channel_binding, &error);

  g_assert_no_error (error);
  return mechanism;
}

static void
test_choose_auto (void)
{
  static const char * const weak[] = { "LOGIN", "PLAIN", NULL };
  static const char * const login_only[] = { "login", NULL };
  g_autofree char *a = choose (POSTIER_AUTH_AUTO, postfix_offer, TRUE);
  g_autofree char *b = choose (POSTIER_AUTH_AUTO, plus_offer, TRUE);
  g_autofree char *c = choose (POSTIER_AUTH_AUTO, plus_offer, FALSE);
  g_autofree char *d = choose (POSTIER_AUTH_AUTO, weak, TRUE);
  g_autofree char *e = choose (POSTIER_AUTH_AUTO, login_only, FALSE);

  g_assert_cmpstr (a, ==, "SCRAM-SHA-256");
  g_assert_cmpstr (b, ==, "SCRAM-SHA-256-PLUS");
  /* Without channel binding data, -PLUS cannot be done. */
  g_assert_cmpstr (c, ==, "SCRAM-SHA-256");
  g_assert_cmpstr (d, ==, "PLAIN");
  g_assert_cmpstr (e, ==, "LOGIN");
}

static void
test_choose_explicit (void)
{
  g_autofree char *plain = choose (POSTIER_AUTH_PLAIN, postfix_offer, TRUE);
  g_autofree char *scram1 = choose (POSTIER_AUTH_SCRAM_SHA_1, plus_offer, TRUE);
  g_autofree char *scram1_nocb = choose (POSTIER_AUTH_SCRAM_SHA_1, plus_offer, FALSE);
  g_autofree char *oauth = choose (POSTIER_AUTH_XOAUTH2, plus_offer, FALSE);
  static const char * const xoauth_only[] = { "XOAUTH2", NULL };
  g_autofree char *xoauth = choose (POSTIER_AUTH_XOAUTH2, xoauth_only, FALSE);
  g_autoptr(GError) error = NULL;
  g_autofree char *none = NULL;

  g_assert_cmpstr (plain, ==, "PLAIN");
  g_assert_cmpstr (scram1, ==, "SCRAM-SHA-1-PLUS");
  g_assert_cmpstr (scram1_nocb, ==, "SCRAM-SHA-1");
  g_assert_cmpstr (oauth, ==, "OAUTHBEARER");
  g_assert_cmpstr (xoauth, ==, "XOAUTH2");

  /* A method the server lacks: the person is told what it does offer. */
  none = postier_sasl_choose_mechanism (POSTIER_AUTH_XOAUTH2, postfix_offer, TRUE, &error);
  g_assert_null (none);
  g_assert_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_AUTH);
  g_assert_nonnull (strstr (error->message, "XOAUTH2"));
  g_assert_nonnull (strstr (error->message, "PLAIN LOGIN CRAM-MD5 SCRAM-SHA-1 SCRAM-SHA-256"));
  g_clear_error (&error);

  none = postier_sasl_choose_mechanism (POSTIER_AUTH_AUTO, NULL, TRUE, &error);
  g_assert_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_AUTH);
}

static char *
decode (const char *base64,
        gsize      *length)
{
  return (char *) g_base64_decode (base64, length);
}

static void
test_plain_and_login (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PostierSasl) plain = postier_sasl_new ("PLAIN", "alice@example.org", "s3cret", "mx", 587,
                                                   NULL, NULL, &error);
  g_autoptr(PostierSasl) login = postier_sasl_new ("LOGIN", "alice@example.org", "s3cret", "mx", 587,
                                                   NULL, NULL, &error);
  g_autofree char *response = NULL;
  g_autofree char *decoded = NULL;
  gboolean complete = FALSE;
  gsize length;

  g_assert_no_error (error);
  g_assert_true (postier_sasl_has_initial_response (plain));
  g_assert_false (postier_sasl_has_initial_response (login));

  response = postier_sasl_step (plain, NULL, &complete, &error);
  g_assert_no_error (error);
  g_assert_true (complete);
  decoded = decode (response, &length);
  g_assert_cmpmem (decoded, length, "\0alice@example.org\0s3cret", 25);
  g_clear_pointer (&response, g_free);
  g_clear_pointer (&decoded, g_free);

  /* LOGIN answers the server's prompts in turn. */
  response = postier_sasl_step (login, "VXNlcm5hbWU6", &complete, &error);
  decoded = decode (response, &length);
  g_assert_cmpmem (decoded, length, "alice@example.org", 17);
  g_clear_pointer (&response, g_free);
  g_clear_pointer (&decoded, g_free);
  response = postier_sasl_step (login, "UGFzc3dvcmQ6", &complete, &error);
  decoded = decode (response, &length);
  g_assert_cmpmem (decoded, length, "s3cret", 6);
  g_assert_true (complete);
  g_clear_pointer (&response, g_free);

  /* A challenge that is not base64 is an authentication error. */
  response = postier_sasl_step (plain, "not base64!", &complete, &error);
  g_assert_nonnull (response); /* PLAIN is done: it just answers empty */
}

static void
test_oauth (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PostierSasl) xoauth = postier_sasl_new ("XOAUTH2", "alice@example.org", "ya29.token", "smtp.example.org",
                                                    587, NULL, NULL, &error);
  g_autoptr(PostierSasl) bearer = postier_sasl_new ("OAUTHBEARER", "al,i=ce@example.org", "ya29.token",
                                                    "smtp.example.org", 465, NULL, NULL, &error);
  g_autofree char *response = NULL;
  g_autofree char *decoded = NULL;
  gboolean complete = FALSE;
  gsize length;
  static const char xoauth_expected[] = "user=alice@example.org\001auth=Bearer ya29.token\001\001";
  static const char bearer_expected[] =
    "n,a=al=2Ci=3Dce@example.org,\001host=smtp.example.org\001port=465\001auth=Bearer ya29.token\001\001";

  g_assert_no_error (error);
  g_assert_true (postier_sasl_has_initial_response (xoauth));

  response = postier_sasl_step (xoauth, NULL, &complete, &error);
  decoded = decode (response, &length);
  g_assert_cmpmem (decoded, length, xoauth_expected, sizeof xoauth_expected - 1);
  g_assert_true (complete);
  g_clear_pointer (&response, g_free);
  g_clear_pointer (&decoded, g_free);
  /* The server's JSON error report gets the empty response. */
  response = postier_sasl_step (xoauth, "eyJzdGF0dXMiOiI0MDEifQ==", &complete, &error);
  g_assert_cmpstr (response, ==, "");
  g_clear_pointer (&response, g_free);

  response = postier_sasl_step (bearer, NULL, &complete, &error);
  decoded = decode (response, &length);
  g_assert_cmpmem (decoded, length, bearer_expected, sizeof bearer_expected - 1);
  g_clear_pointer (&response, g_free);
  response = postier_sasl_step (bearer, "eyJzdGF0dXMiOiI0MDEifQ==", &complete, &error);
  g_assert_cmpstr (response, ==, "AQ==");
}

/* ---------------------------------------------------------------------- */
/* SCRAM against libgsasl's server side */

typedef struct {
  const char *password;
  const char *cb_exporter;   /* base64, or NULL */
} ServerSide;

static int
server_callback (Gsasl          *context,
                 Gsasl_session  *session,
                 Gsasl_property  property)
{
  ServerSide *side = gsasl_callback_hook_get (context);

  if (property == GSASL_PASSWORD)
    return gsasl_property_set (session, property, side->password);
  if (property == GSASL_CB_TLS_EXPORTER && side->cb_exporter != NULL)
    return gsasl_property_set (session, property, side->cb_exporter);
  return GSASL_NO_CALLBACK;
}

/* Runs a whole exchange; returns the client's error, or NULL when both
 * sides agreed. SERVER_OK tells whether the server accepted the client. */
static GError *
run_scram (const char *mechanism,
           const char *client_password,
           GBytes     *client_cb,
           ServerSide *server,
           gboolean   *server_ok)
{
  Gsasl *context = NULL;
  Gsasl_session *session = NULL;
  g_autoptr(PostierSasl) client = NULL;
  g_autofree char *to_server = NULL;
  GError *error = NULL;
  gboolean complete = FALSE;

  *server_ok = FALSE;
  g_assert_cmpint (gsasl_init (&context), ==, GSASL_OK);
  gsasl_callback_set (context, server_callback);
  gsasl_callback_hook_set (context, server);
  g_assert_cmpint (gsasl_server_start (context, mechanism, &session), ==, GSASL_OK);

  client = postier_sasl_new (mechanism, "alice", client_password, "mx", 587,
                             client_cb != NULL ? "tls-exporter" : NULL, client_cb, &error);
  g_assert_no_error (error);
  to_server = postier_sasl_step (client, NULL, &complete, &error);
  g_assert_no_error (error);

  for (guint round = 0; round < 4 && to_server != NULL; round++)
    {
      char *challenge = NULL;
      g_autofree char *owned = NULL;
      int rc = gsasl_step64 (session, to_server, &challenge);

      owned = g_strdup (challenge != NULL ? challenge : "");
      gsasl_free (challenge);
      g_clear_pointer (&to_server, g_free);
      if (rc != GSASL_OK && rc != GSASL_NEEDS_MORE)
        break;
      if (rc == GSASL_OK)
        {
          /* The server's last word (SCRAM's v=) is checked by the client. */
          *server_ok = TRUE;
          if (*owned != '\0')
            to_server = postier_sasl_step (client, owned, &complete, &error);
          break;
        }
      to_server = postier_sasl_step (client, owned, &complete, &error);
    }

  gsasl_finish (session);
  gsasl_done (context);
  return error;
}

static void
test_scram_plus (void)
{
  static const guchar binding[32] = "0123456789abcdef0123456789abcdef";
  g_autoptr(GBytes) cb = g_bytes_new_static (binding, sizeof binding);
  g_autofree char *cb64 = g_base64_encode (binding, sizeof binding);
  ServerSide server = { "correct horse", cb64 };
  ServerSide other_channel = { "correct horse", "MTExMTExMTExMTExMTExMTExMTExMTExMTExMTExMTE=" };
  gboolean server_ok;
  g_autoptr(GError) error = NULL;

  /* Both ends of the same TLS channel: accepted, and the client checked
   * the server's signature. */
  error = run_scram ("SCRAM-SHA-256-PLUS", "correct horse", cb, &server, &server_ok);
  g_assert_no_error (error);
  g_assert_true (server_ok);

  error = run_scram ("SCRAM-SHA-1-PLUS", "correct horse", cb, &server, &server_ok);
  g_assert_no_error (error);
  g_assert_true (server_ok);

  /* A man in the middle terminates TLS: the bindings differ, the server
   * refuses even with the right password. */
  error = run_scram ("SCRAM-SHA-256-PLUS", "correct horse", cb, &other_channel, &server_ok);
  g_assert_false (server_ok);
}

static void
test_scram_plain_with_binding_available (void)
{
  static const guchar binding[32] = "0123456789abcdef0123456789abcdef";
  g_autoptr(GBytes) cb = g_bytes_new_static (binding, sizeof binding);
  ServerSide server = { "correct horse", NULL };
  gboolean server_ok;
  g_autoptr(GError) error = NULL;

  /* Plain SCRAM on a TLS connection (what Postfix with Cyrus offers). */
  error = run_scram ("SCRAM-SHA-256", "correct horse", cb, &server, &server_ok);
  g_assert_no_error (error);
  g_assert_true (server_ok);

  error = run_scram ("SCRAM-SHA-1", "wrong horse", NULL, &server, &server_ok);
  g_assert_false (server_ok);
}

static void
test_scram_server_must_prove (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PostierSasl) client = postier_sasl_new ("SCRAM-SHA-256", "alice", "correct horse", "mx", 587,
                                                    NULL, NULL, &error);
  g_autofree char *first = NULL;
  g_autofree char *first_decoded = NULL;
  g_autofree char *server_first = NULL;
  g_autofree char *server_first64 = NULL;
  g_autofree char *final = NULL;
  g_autofree char *response = NULL;
  const char *nonce;
  gboolean complete;
  gsize length;

  /* A server that does not know the password cannot forge v=; the client
   * must refuse to go on, whatever the server says next. */
  first = postier_sasl_step (client, NULL, &complete, &error);
  g_assert_no_error (error);
  first_decoded = decode (first, &length);
  nonce = strstr (first_decoded, "r=") + 2;
  server_first = g_strdup_printf ("r=%sserverpart,s=c2FsdHNhbHQ=,i=4096", nonce);
  server_first64 = g_base64_encode ((const guchar *) server_first, strlen (server_first));
  final = postier_sasl_step (client, server_first64, &complete, &error);
  g_assert_no_error (error);
  g_assert_false (complete);

  response = postier_sasl_step (client, "dj1BQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE9", &complete, &error);
  g_assert_null (response);
  g_assert_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_AUTH);
  g_assert_nonnull (strstr (error->message, "prove"));
}

/* ---------------------------------------------------------------------- */
/* Transcript redaction */

static void
test_transcript_redaction (void)
{
  g_autoptr(PostierSmtpTranscript) transcript = postier_smtp_transcript_new ();
  g_autoptr(PostierSmtpReply) challenge = postier_smtp_reply_new (334, "cj1meXtvK2Q=");
  g_autoptr(PostierSmtpReply) ok = postier_smtp_reply_new (235, "2.7.0 Authentication successful");
  g_autofree char *text = NULL;
  g_autofree char *again = NULL;

  postier_smtp_transcript_client (transcript, "EHLO [127.0.0.1]");
  postier_smtp_transcript_client (transcript, "AUTH PLAIN AGFsaWNlAHMzY3JldA==");
  postier_smtp_transcript_client (transcript, "auth scram-sha-256 biwsbj1hbGljZSxyPXh5eg==");
  postier_smtp_transcript_client (transcript, "AUTH LOGIN");
  postier_smtp_transcript_server (transcript, challenge);
  postier_smtp_transcript_client_secret (transcript);
  postier_smtp_transcript_server (transcript, ok);
  postier_smtp_transcript_client (transcript, "MAIL FROM:<a@b>\r\nRSET");
  postier_smtp_transcript_note (transcript, "TLS: %s", "TLSv1.3");

  text = postier_smtp_transcript_take (transcript);
  g_assert_cmpstr (text, ==,
                   "C: EHLO [127.0.0.1]\n"
                   "C: AUTH PLAIN [redacted]\n"
                   "C: AUTH scram-sha-256 [redacted]\n"
                   "C: AUTH LOGIN\n"
                   "S: 334 [redacted]\n"
                   "C: [redacted]\n"
                   "S: 235 2.7.0 Authentication successful\n"
                   "C: MAIL FROM:<a@b>  RSET\n"
                   "-- TLS: TLSv1.3\n");
  /* Taking empties it. */
  again = postier_smtp_transcript_take (transcript);
  g_assert_cmpstr (again, ==, "");
}

static void
test_transcript_bounded (void)
{
  g_autoptr(PostierSmtpTranscript) transcript = postier_smtp_transcript_new ();
  g_autofree char *text = NULL;

  for (guint i = 0; i < 200000; i++)
    postier_smtp_transcript_client (transcript, "RCPT TO:<someone-with-a-long-address@example.org>");
  text = postier_smtp_transcript_take (transcript);
  g_assert_cmpuint (strlen (text), <=, POSTIER_SMTP_TRANSCRIPT_MAX + 100);
  g_assert_true (g_str_has_suffix (text, "-- [transcript truncated]\n"));
}

int
main (int    argc,
      char **argv)
{
  postier_test_init (&argc, &argv);

  g_test_add_func ("/smtp/sasl/choose-auto", test_choose_auto);
  g_test_add_func ("/smtp/sasl/choose-explicit", test_choose_explicit);
  g_test_add_func ("/smtp/sasl/plain-and-login", test_plain_and_login);
  g_test_add_func ("/smtp/sasl/oauth", test_oauth);
  g_test_add_func ("/smtp/sasl/scram-plus", test_scram_plus);
  g_test_add_func ("/smtp/sasl/scram-with-binding-available", test_scram_plain_with_binding_available);
  g_test_add_func ("/smtp/sasl/scram-server-must-prove", test_scram_server_must_prove);
  g_test_add_func ("/smtp/transcript/redaction", test_transcript_redaction);
  g_test_add_func ("/smtp/transcript/bounded", test_transcript_bounded);

  return g_test_run ();
}
