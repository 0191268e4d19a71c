/* postier-tls.c — a TLS client connection on an SMTP session's socket
 *
 * OpenSSL, set up step by step (pin, context and trust, peer name, socket),
 * with the certificate judged after the handshake so the person can see
 * what was refused and why.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-tls"

#include "config.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <string.h>
#include <sys/socket.h>

#include "postier-error.h"
#include "postier-tls.h"

/* A SHA-256 digest in hexadecimal. */
#define SHA256_HEX_LENGTH 64
/* The tls-exporter channel binding is 32 bytes (RFC 9266 §2). */
#define TLS_EXPORTER_LENGTH 32

struct _PostierTls {
  SSL_CTX *ctx;
  SSL     *ssl;
  char    *host;
  char    *pinned_sha256;       /* normalized, or NULL */
  int      verify_error;        /* first chain or name error, X509_V_OK if none */
  gboolean peer_checked;        /* the handshake's certificate was judged */
  char    *summary;
  char    *certificate_summary;
  char    *sha256;
};

/* ---------------------------------------------------------------------- */
/* A socket BIO that never raises SIGPIPE: OpenSSL's own writes with
 * send(…, 0), and a server closing the connection mid-message must end in a
 * GError, not in the death of the process that links us. */

static BIO_METHOD *nosigpipe_method;

static int
nosigpipe_write (BIO        *bio,
                 const char *data,
                 int         length)
{
  int fd = BIO_get_fd (bio, NULL);
  ssize_t written;

  BIO_clear_retry_flags (bio);
  do
    written = send (fd, data, (size_t) length, MSG_NOSIGNAL);
  while (written < 0 && errno == EINTR);
  if (written < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
    BIO_set_retry_write (bio);
  return (int) written;
}

static int
nosigpipe_read (BIO  *bio,
                char *data,
                int   length)
{
  int fd = BIO_get_fd (bio, NULL);
  ssize_t got;

  BIO_clear_retry_flags (bio);
  do
    got = recv (fd, data, (size_t) length, 0);
  while (got < 0 && errno == EINTR);
  if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
    BIO_set_retry_read (bio);
  return (int) got;
}

static BIO_METHOD *
get_nosigpipe_method (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      const BIO_METHOD *socket_method = BIO_s_socket ();

      /* Everything but the I/O (fd control, close flag) comes from
       * OpenSSL's socket BIO. */
      nosigpipe_method = BIO_meth_new (BIO_get_new_index () | BIO_TYPE_SOURCE_SINK | BIO_TYPE_DESCRIPTOR,
                                       "postier socket");
      BIO_meth_set_write (nosigpipe_method, nosigpipe_write);
      BIO_meth_set_read (nosigpipe_method, nosigpipe_read);
      BIO_meth_set_ctrl (nosigpipe_method, BIO_meth_get_ctrl (socket_method));
      BIO_meth_set_create (nosigpipe_method, BIO_meth_get_create (socket_method));
      BIO_meth_set_destroy (nosigpipe_method, BIO_meth_get_destroy (socket_method));
      g_once_init_leave (&initialized, 1);
    }
  return nosigpipe_method;
}

/* ---------------------------------------------------------------------- */

char *
postier_tls_normalize_fingerprint (const char *fingerprint)
{
  g_autoptr(GString) hex = NULL;

  if (fingerprint == NULL)
    return NULL;
  hex = g_string_new (NULL);
  for (const char *p = fingerprint; *p; p++)
    {
      if (*p == ':' || *p == ' ')
        continue;
      if (!g_ascii_isxdigit (*p))
        return NULL;
      g_string_append_c (hex, g_ascii_tolower (*p));
    }
  if (hex->len != SHA256_HEX_LENGTH)
    return NULL;
  return g_string_free (g_steal_pointer (&hex), FALSE);
}

/* Chain and name errors are recorded, not fatal, so the handshake ends and
 * the person sees the certificate (fingerprint included) with the reason;
 * postier_tls_check_peer() refuses it before a single byte is sent. That
 * leniency is for the first handshake only: once its certificate has been
 * judged, any other certificate in the session is refused outright (none
 * should come: renegotiation is refused too). */
static int
verify_callback (int             preverify_ok,
                 X509_STORE_CTX *store)
{
  SSL *ssl = X509_STORE_CTX_get_ex_data (store, SSL_get_ex_data_X509_STORE_CTX_idx ());
  PostierTls *self = ssl != NULL ? SSL_get_app_data (ssl) : NULL;

  if (self == NULL || self->peer_checked)
    return 0;
  if (!preverify_ok && self->verify_error == X509_V_OK)
    self->verify_error = X509_STORE_CTX_get_error (store);
  return 1;
}

static void
set_openssl_error (GError    **error,
                   gint        code,
                   const char *what)
{
  unsigned long e = ERR_get_error ();
  char reason[256];

  if (e != 0)
    {
      ERR_error_string_n (e, reason, sizeof reason);
      g_set_error (error, POSTIER_SMTP_ERROR, code, "%s: %s", what, reason);
    }
  else
    g_set_error_literal (error, POSTIER_SMTP_ERROR, code, what);
  ERR_clear_error ();
}

/* The pinned fingerprint, if any, in the one form compared later. */
static gboolean
set_pin (PostierTls  *self,
         const char  *pinned_sha256,
         GError     **error)
{
  if (pinned_sha256 == NULL)
    return TRUE;
  self->pinned_sha256 = postier_tls_normalize_fingerprint (pinned_sha256);
  if (self->pinned_sha256 == NULL)
    {
      g_set_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_TLS_CERTIFICATE,
                   _("The pinned fingerprint “%s” is not a SHA-256 digest"), pinned_sha256);
      return FALSE;
    }
  return TRUE;
}

/* The context: protocol floor, no renegotiation, peer verification through
 * verify_callback, and the certificate authorities to trust. */
static gboolean
new_context (PostierTls  *self,
             const char  *ca_file,
             GError     **error)
{
  self->ctx = SSL_CTX_new (TLS_client_method ());
  if (self->ctx == NULL)
    {
      set_openssl_error (error, POSTIER_SMTP_ERROR_TLS, _("Cannot set up TLS"));
      return FALSE;
    }
  SSL_CTX_set_min_proto_version (self->ctx, TLS1_2_VERSION);
  /* A TLS 1.2 server asking to renegotiate could present a second
   * certificate that nobody checks, mid-session: refuse (the server then
   * gets a no_renegotiation alert, and OpenSSL servers end the session). */
  SSL_CTX_set_options (self->ctx, SSL_OP_NO_RENEGOTIATION);
  SSL_CTX_set_mode (self->ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  SSL_CTX_set_verify (self->ctx, SSL_VERIFY_PEER, verify_callback);
  /* Whole records per read() instead of header and body apart. */
  SSL_CTX_set_read_ahead (self->ctx, 1);

  if (ca_file != NULL)
    {
      if (SSL_CTX_load_verify_locations (self->ctx, ca_file, NULL) != 1)
        {
          g_autofree char *what = g_strdup_printf (_("Cannot load the certificate authorities in “%s”"), ca_file);
          set_openssl_error (error, POSTIER_SMTP_ERROR_TLS_CERTIFICATE, what);
          return FALSE;
        }
    }
  else if (SSL_CTX_set_default_verify_paths (self->ctx) != 1)
    {
      set_openssl_error (error, POSTIER_SMTP_ERROR_TLS_CERTIFICATE,
                         _("Cannot load the system’s certificate authorities"));
      return FALSE;
    }
  return TRUE;
}

/* OpenSSL checks the name as part of the chain verification: a literal
 * address is matched against IP SANs, a name against DNS SANs (and is
 * sent as SNI, which RFC 6066 forbids for addresses). */
static gboolean
set_peer_name (PostierTls  *self,
               const char  *host,
               GError     **error)
{
  X509_VERIFY_PARAM *param = SSL_get0_param (self->ssl);
  g_autoptr(GInetAddress) address = g_inet_address_new_from_string (host);
  g_autofree char *name = NULL;

  if (address != NULL)
    {
      if (X509_VERIFY_PARAM_set1_ip_asc (param, host) != 1)
        {
          set_openssl_error (error, POSTIER_SMTP_ERROR_TLS, _("Cannot set up TLS"));
          return FALSE;
        }
      return TRUE;
    }

  /* Certificates and SNI spell names in ASCII (A-labels for an
   * internationalised name) without the root's trailing dot. */
  name = g_hostname_to_ascii (host);
  if (name == NULL)
    name = g_strdup (host);
  if (name[0] != '\0' && name[strlen (name) - 1] == '.')
    name[strlen (name) - 1] = '\0';
  X509_VERIFY_PARAM_set_hostflags (param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  if (X509_VERIFY_PARAM_set1_host (param, name, 0) != 1 ||
      SSL_set_tlsext_host_name (self->ssl, name) != 1)
    {
      set_openssl_error (error, POSTIER_SMTP_ERROR_TLS, _("Cannot set up TLS"));
      return FALSE;
    }
  return TRUE;
}

/* The connection's socket, through the BIO that never raises SIGPIPE. */
static gboolean
attach_socket (PostierTls  *self,
               int          fd,
               GError     **error)
{
  BIO *bio = BIO_new (get_nosigpipe_method ());

  if (bio == NULL)
    {
      set_openssl_error (error, POSTIER_SMTP_ERROR_TLS, _("Cannot set up TLS"));
      return FALSE;
    }
  BIO_set_fd (bio, fd, BIO_NOCLOSE);
  SSL_set_bio (self->ssl, bio, bio);
  SSL_set_connect_state (self->ssl);
  return TRUE;
}

PostierTls *
postier_tls_new (const char  *host,
                 const char  *ca_file,
                 const char  *pinned_sha256,
                 int          fd,
                 GError     **error)
{
  g_autoptr(PostierTls) self = g_new0 (PostierTls, 1);

  g_return_val_if_fail (host != NULL, NULL);

  ERR_clear_error ();
  self->host = g_strdup (host);
  self->verify_error = X509_V_OK;
  if (!set_pin (self, pinned_sha256, error) || !new_context (self, ca_file, error))
    return NULL;

  self->ssl = SSL_new (self->ctx);
  if (self->ssl == NULL)
    {
      set_openssl_error (error, POSTIER_SMTP_ERROR_TLS, _("Cannot set up TLS"));
      return NULL;
    }
  SSL_set_app_data (self->ssl, self);

  if (!set_peer_name (self, host, error) || !attach_socket (self, fd, error))
    return NULL;
  return g_steal_pointer (&self);
}

void
postier_tls_free (PostierTls *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->ssl, SSL_free);
  g_clear_pointer (&self->ctx, SSL_CTX_free);
  g_free (self->host);
  g_free (self->pinned_sha256);
  g_free (self->summary);
  g_free (self->certificate_summary);
  g_free (self->sha256);
  g_free (self);
}

SSL *
postier_tls_get_ssl (PostierTls *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->ssl;
}

const char *
postier_tls_get_summary (PostierTls *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->summary;
}

const char *
postier_tls_get_certificate_summary (PostierTls *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->certificate_summary;
}

const char *
postier_tls_get_sha256 (PostierTls *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->sha256;
}

/* ---------------------------------------------------------------------- */
/* Describing the certificate */

static char *
name_to_string (const X509_NAME *name)
{
  BIO *bio = BIO_new (BIO_s_mem ());
  char *data = NULL;
  long length;
  char *text;

  X509_NAME_print_ex (bio, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  length = BIO_get_mem_data (bio, &data);
  text = g_utf8_make_valid (data != NULL ? data : "", length);
  BIO_free (bio);
  return text;
}

static char *
time_to_string (const ASN1_TIME *time)
{
  struct tm tm;
  g_autoptr(GDateTime) date = NULL;

  if (time == NULL || ASN1_TIME_to_tm (time, &tm) != 1)
    return g_strdup ("?");
  date = g_date_time_new_utc (tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  if (date == NULL)
    return g_strdup ("?");
  return g_date_time_format (date, "%Y-%m-%d %H:%M:%S UTC");
}

/* The names the certificate is valid for, for "wrong name" errors. */
static char *
certificate_names (X509 *cert)
{
  GENERAL_NAMES *names = X509_get_ext_d2i (cert, NID_subject_alt_name, NULL, NULL);
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func (g_free);

  for (int i = 0; names != NULL && i < sk_GENERAL_NAME_num (names); i++)
    {
      const GENERAL_NAME *name = sk_GENERAL_NAME_value (names, i);

      if (name->type == GEN_DNS)
        g_ptr_array_add (list, g_utf8_make_valid ((const char *) ASN1_STRING_get0_data (name->d.dNSName),
                                                  ASN1_STRING_length (name->d.dNSName)));
      else if (name->type == GEN_IPADD)
        {
          int length = ASN1_STRING_length (name->d.iPAddress);
          GSocketFamily family = length == 4 ? G_SOCKET_FAMILY_IPV4 :
                                 length == 16 ? G_SOCKET_FAMILY_IPV6 : G_SOCKET_FAMILY_INVALID;

          if (family != G_SOCKET_FAMILY_INVALID)
            {
              g_autoptr(GInetAddress) address =
                g_inet_address_new_from_bytes (ASN1_STRING_get0_data (name->d.iPAddress), family);
              g_ptr_array_add (list, g_inet_address_to_string (address));
            }
        }
    }
  GENERAL_NAMES_free (names);

  if (list->len == 0)
    {
      char common_name[256];

      if (X509_NAME_get_text_by_NID (X509_get_subject_name (cert), NID_commonName,
                                     common_name, sizeof common_name) > 0)
        g_ptr_array_add (list, g_utf8_make_valid (common_name, -1));
    }
  if (list->len == 0)
    return g_strdup ("?");
  g_ptr_array_add (list, NULL);
  return g_strjoinv (", ", (char **) list->pdata);
}

static void
describe_peer (PostierTls *self,
               X509       *cert)
{
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_length = 0;
  g_autoptr(GString) hex = g_string_new (NULL);
  g_autofree char *subject = NULL;
  g_autofree char *issuer = NULL;
  g_autofree char *not_before = NULL;
  g_autofree char *not_after = NULL;
  g_autofree char *names = NULL;

  g_clear_pointer (&self->summary, g_free);
  self->summary = g_strdup_printf ("%s, %s", SSL_get_version (self->ssl), SSL_get_cipher_name (self->ssl));
  if (cert == NULL)
    return;

  X509_digest (cert, EVP_sha256 (), digest, &digest_length);
  for (unsigned int i = 0; i < digest_length; i++)
    g_string_append_printf (hex, i == 0 ? "%02X" : ":%02X", digest[i]);
  g_clear_pointer (&self->sha256, g_free);
  self->sha256 = g_strdup (hex->str);

  subject = name_to_string (X509_get_subject_name (cert));
  issuer = name_to_string (X509_get_issuer_name (cert));
  not_before = time_to_string (X509_get0_notBefore (cert));
  not_after = time_to_string (X509_get0_notAfter (cert));
  names = certificate_names (cert);

  g_clear_pointer (&self->certificate_summary, g_free);
  self->certificate_summary =
    g_strdup_printf ("%s %s\n%s %s\n%s %s\n%s %s\n%s %s\n%s %s",
                     _("Subject:"), subject,
                     _("Names:"), names,
                     _("Issuer:"), issuer,
                     _("Valid from:"), not_before,
                     _("Valid until:"), not_after,
                     _("SHA-256:"), self->sha256);
}

/* ---------------------------------------------------------------------- */

static void
set_certificate_error (PostierTls *self,
                       X509       *cert,
                       int         reason,
                       GError    **error)
{
  const char *fingerprint = self->sha256 != NULL ? self->sha256 : "?";
  g_autofree char *detail = NULL;

  switch (reason)
    {
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
      detail = certificate_names (cert);
      g_set_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_TLS_CERTIFICATE,
                   _("Wrong name: the server’s certificate is for %s, not for “%s”. "
                     "SHA-256 fingerprint: %s"), detail, self->host, fingerprint);
      break;
    case X509_V_ERR_CERT_HAS_EXPIRED:
      detail = time_to_string (X509_get0_notAfter (cert));
      g_set_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_TLS_CERTIFICATE,
                   _("Expired: the certificate of “%s” expired on %s. SHA-256 fingerprint: %s"),
                   self->host, detail, fingerprint);
      break;
    case X509_V_ERR_CERT_NOT_YET_VALID:
      detail = time_to_string (X509_get0_notBefore (cert));
      g_set_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_TLS_CERTIFICATE,
                   _("Not yet valid: the certificate of “%s” is valid from %s (check this "
                     "computer’s clock). SHA-256 fingerprint: %s"),
                   self->host, detail, fingerprint);
      break;
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_CERT_UNTRUSTED:
      detail = name_to_string (X509_get_issuer_name (cert));
      g_set_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_TLS_CERTIFICATE,
                   _("Untrusted issuer: the certificate of “%s” was issued by “%s”, which is "
                     "not a trusted authority (%s). SHA-256 fingerprint: %s"),
                   self->host, detail, X509_verify_cert_error_string (reason), fingerprint);
      break;
    default:
      g_set_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_TLS_CERTIFICATE,
                   _("The certificate of “%s” cannot be trusted: %s. SHA-256 fingerprint: %s"),
                   self->host, X509_verify_cert_error_string (reason), fingerprint);
      break;
    }
}

gboolean
postier_tls_check_peer (PostierTls  *self,
                        GError     **error)
{
  X509 *cert;
  gboolean ok = FALSE;

  g_return_val_if_fail (self != NULL, FALSE);

  cert = SSL_get1_peer_certificate (self->ssl);
  describe_peer (self, cert);
  self->peer_checked = TRUE;
  if (cert == NULL)
    {
      g_set_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_TLS_CERTIFICATE,
                   _("The server “%s” presented no certificate"), self->host);
      return FALSE;
    }

  if (self->pinned_sha256 != NULL)
    {
      g_autofree char *actual = postier_tls_normalize_fingerprint (self->sha256);

      /* The pin names the exact certificate the person accepted: it stands
       * in for the chain, the name and the dates. */
      ok = actual != NULL && g_str_equal (actual, self->pinned_sha256);
      if (!ok)
        g_set_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_TLS_CERTIFICATE,
                     _("Pinned certificate mismatch: the certificate of “%s” is not the one "
                       "pinned for this account. SHA-256 fingerprint: %s"), self->host, self->sha256);
    }
  else
    {
      long result = SSL_get_verify_result (self->ssl);
      int reason = self->verify_error != X509_V_OK ? self->verify_error : (int) result;

      ok = reason == X509_V_OK;
      if (!ok)
        set_certificate_error (self, cert, reason, error);
    }

  X509_free (cert);
  return ok;
}

void
postier_tls_set_handshake_error (PostierTls  *self,
                                 int          ssl_error,
                                 GError     **error)
{
  unsigned long e = ERR_peek_error ();
  char reason[256] = "";

  g_return_if_fail (self != NULL);

  if (e != 0)
    ERR_error_string_n (e, reason, sizeof reason);
  ERR_clear_error ();

  if (ERR_GET_REASON (e) == SSL_R_CERTIFICATE_VERIFY_FAILED)
    {
      X509 *cert = SSL_get1_peer_certificate (self->ssl);

      describe_peer (self, cert);
      set_certificate_error (self, cert, (int) SSL_get_verify_result (self->ssl), error);
      X509_free (cert);
      return;
    }
  /* The two handshake failures a person can act on get words of their own. */
  if (ERR_GET_LIB (e) == ERR_LIB_SSL &&
      (ERR_GET_REASON (e) == SSL_R_UNSUPPORTED_PROTOCOL ||
       ERR_GET_REASON (e) == SSL_R_TLSV1_ALERT_PROTOCOL_VERSION ||
       ERR_GET_REASON (e) == SSL_R_NO_PROTOCOLS_AVAILABLE))
    g_set_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_TLS,
                 _("The TLS handshake with “%s” failed: the server offers only TLS versions older "
                   "than 1.2, which are not safe (%s)"), self->host, reason);
  else if (ERR_GET_LIB (e) == ERR_LIB_SSL && ERR_GET_REASON (e) == SSL_R_WRONG_VERSION_NUMBER)
    g_set_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_TLS,
                 _("The TLS handshake with “%s” failed: the server did not answer in TLS. If it "
                   "expects STARTTLS first, as port 587 usually does, set the security to starttls"),
                 self->host);
  else if (ssl_error == SSL_ERROR_SYSCALL || ssl_error == SSL_ERROR_ZERO_RETURN || e == 0)
    g_set_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_TLS,
                 _("The TLS handshake with “%s” failed: the server closed the connection"), self->host);
  else
    g_set_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_TLS,
                 _("The TLS handshake with “%s” failed: %s"), self->host, reason);
}

const char *
postier_tls_get_channel_binding (PostierTls  *self,
                                 GBytes     **data)
{
  unsigned char buffer[64];

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (data != NULL, NULL);

  *data = NULL;
  if (SSL_version (self->ssl) >= TLS1_3_VERSION)
    {
      static const char label[] = "EXPORTER-Channel-Binding";

      if (SSL_export_keying_material (self->ssl, buffer, TLS_EXPORTER_LENGTH, label, sizeof label - 1,
                                      NULL, 0, 0) != 1)
        {
          ERR_clear_error ();
          return NULL;
        }
      *data = g_bytes_new (buffer, TLS_EXPORTER_LENGTH);
      return "tls-exporter";
    }
  else
    {
      /* RFC 5929: the first Finished message of the connection, which is the
       * server's on a resumed session. */
      size_t length = SSL_session_reused (self->ssl) ?
                      SSL_get_peer_finished (self->ssl, buffer, sizeof buffer) :
                      SSL_get_finished (self->ssl, buffer, sizeof buffer);

      if (length == 0 || length > sizeof buffer)
        return NULL;
      *data = g_bytes_new (buffer, length);
      return "tls-unique";
    }
}
