/* postier-sandbox-tls.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-sandbox"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <sys/file.h>
#include <unistd.h>

#include "postier-error.h"
#include "postier-paths.h"
#include "postier-sandbox-tls.h"

#define VALIDITY_DAYS 3650
/* A certificate this close to its end is replaced. */
#define RENEW_SECONDS (30 * 24 * 3600)

G_DEFINE_AUTOPTR_CLEANUP_FUNC (X509, X509_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EVP_PKEY, EVP_PKEY_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BIO, BIO_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BIGNUM, BN_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (X509_EXTENSION, X509_EXTENSION_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SSL_CTX, SSL_CTX_free)

static gboolean
set_openssl_error (GError     **error,
                   const char  *what)
{
  char detail[256] = "";
  unsigned long code = ERR_get_error ();

  if (code != 0)
    ERR_error_string_n (code, detail, sizeof detail);
  ERR_clear_error ();
  g_set_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_TLS,
               _("The Sandbox cannot set up TLS (%s): %s"), what, detail);
  return FALSE;
}

static gboolean
add_extension (X509       *cert,
               X509V3_CTX *ctx,
               int         nid,
               const char *value)
{
  g_autoptr(X509_EXTENSION) extension = X509V3_EXT_conf_nid (NULL, ctx, nid, value);

  return extension != NULL && X509_add_ext (cert, extension, -1) == 1;
}

/* A self-signed certificate for the loopback receiver. Nobody but the
 * Sandbox account trusts it, and that account pins its fingerprint. */
static X509 *
make_certificate (EVP_PKEY *key)
{
  g_autoptr(X509) cert = X509_new ();
  g_autoptr(BIGNUM) serial = BN_new ();
  X509_NAME *name;
  X509V3_CTX ctx;

  if (cert == NULL || serial == NULL ||
      X509_set_version (cert, X509_VERSION_3) != 1 ||
      BN_rand (serial, 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
      BN_to_ASN1_INTEGER (serial, X509_get_serialNumber (cert)) == NULL ||
      X509_gmtime_adj (X509_getm_notBefore (cert), -3600) == NULL ||
      X509_time_adj_ex (X509_getm_notAfter (cert), VALIDITY_DAYS, 0, NULL) == NULL ||
      X509_set_pubkey (cert, key) != 1)
    return NULL;

  name = X509_get_subject_name (cert);
  if (X509_NAME_add_entry_by_txt (name, "O", MBSTRING_UTF8,
                                  (const unsigned char *) "Postier Sandbox", -1, -1, 0) != 1 ||
      X509_NAME_add_entry_by_txt (name, "CN", MBSTRING_UTF8,
                                  (const unsigned char *) "localhost", -1, -1, 0) != 1 ||
      X509_set_issuer_name (cert, name) != 1)
    return NULL;

  X509V3_set_ctx (&ctx, cert, cert, NULL, NULL, 0);
  if (!add_extension (cert, &ctx, NID_basic_constraints, "critical,CA:FALSE") ||
      !add_extension (cert, &ctx, NID_key_usage, "critical,digitalSignature") ||
      !add_extension (cert, &ctx, NID_ext_key_usage, "serverAuth") ||
      !add_extension (cert, &ctx, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1") ||
      !add_extension (cert, &ctx, NID_subject_key_identifier, "hash"))
    return NULL;

  if (X509_sign (cert, key, EVP_sha256 ()) == 0)
    return NULL;
  return g_steal_pointer (&cert);
}

static gboolean
write_pem (const char  *path,
           X509        *cert,
           EVP_PKEY    *key,
           GError     **error)
{
  g_autoptr(BIO) bio = BIO_new (BIO_s_mem ());
  char *data;
  long length;

  if (bio == NULL ||
      (cert != NULL && PEM_write_bio_X509 (bio, cert) != 1) ||
      (key != NULL && PEM_write_bio_PrivateKey (bio, key, NULL, NULL, 0, NULL, NULL) != 1))
    return set_openssl_error (error, "PEM");
  length = BIO_get_mem_data (bio, &data);
  /* postier_write_file_durably creates files 0600. */
  return postier_write_file_durably (path, data, (gsize) length, error);
}

static gboolean
generate (const char  *cert_path,
          const char  *key_path,
          GError     **error)
{
  g_autoptr(EVP_PKEY) key = EVP_EC_gen ("P-256");
  g_autoptr(X509) cert = NULL;

  if (key == NULL)
    return set_openssl_error (error, "key");
  cert = make_certificate (key);
  if (cert == NULL)
    return set_openssl_error (error, "certificate");

  /* The key first: a certificate without its key is replaced next time. */
  if (!write_pem (key_path, NULL, key, error) || !write_pem (cert_path, cert, NULL, error))
    return FALSE;
  g_debug ("made a new Sandbox certificate in %s", cert_path);
  return TRUE;
}

static gboolean
load (const char  *cert_path,
      const char  *key_path,
      X509       **cert_out,
      EVP_PKEY   **key_out)
{
  g_autoptr(BIO) cert_bio = BIO_new_file (cert_path, "r");
  g_autoptr(BIO) key_bio = BIO_new_file (key_path, "r");
  g_autoptr(X509) cert = NULL;
  g_autoptr(EVP_PKEY) key = NULL;
  time_t renew_by = time (NULL) + RENEW_SECONDS;

  if (cert_bio == NULL || key_bio == NULL)
    goto fail;
  cert = PEM_read_bio_X509 (cert_bio, NULL, NULL, NULL);
  key = PEM_read_bio_PrivateKey (key_bio, NULL, NULL, NULL);
  if (cert == NULL || key == NULL ||
      X509_check_private_key (cert, key) != 1 ||
      X509_cmp_time (X509_get0_notAfter (cert), &renew_by) <= 0)
    goto fail;

  *cert_out = g_steal_pointer (&cert);
  *key_out = g_steal_pointer (&key);
  return TRUE;

fail:
  ERR_clear_error ();
  return FALSE;
}

static char *
fingerprint (X509 *cert)
{
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  GString *text = g_string_new (NULL);

  X509_digest (cert, EVP_sha256 (), digest, &length);
  for (unsigned int i = 0; i < length; i++)
    g_string_append_printf (text, i == 0 ? "%02X" : ":%02X", digest[i]);
  return g_string_free (text, FALSE);
}

SSL_CTX *
postier_sandbox_tls_context_new (const char  *dir,
                                 char       **sha256,
                                 GError     **error)
{
  g_autofree char *cert_path = g_build_filename (dir, POSTIER_SANDBOX_CERT_FILE, NULL);
  g_autofree char *key_path = g_build_filename (dir, POSTIER_SANDBOX_KEY_FILE, NULL);
  g_autofree char *lock_path = g_build_filename (dir, ".lock", NULL);
  g_autoptr(X509) cert = NULL;
  g_autoptr(EVP_PKEY) key = NULL;
  g_autoptr(SSL_CTX) ctx = NULL;
  gboolean ok;
  int lock_fd;

  if (!postier_ensure_private_dir (dir, error))
    return NULL;

  /* The app and postierctl may both start a receiver for the first time;
   * only one of them may make the pair. */
  lock_fd = open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd < 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _("Cannot write in “%s”: %s"), dir, g_strerror (saved_errno));
      return NULL;
    }
  while (flock (lock_fd, LOCK_EX) != 0 && errno == EINTR)
    ;
  ok = load (cert_path, key_path, &cert, &key) ||
       (generate (cert_path, key_path, error) && load (cert_path, key_path, &cert, &key));
  if (ok)
    {
      /* Older files may have been made with looser modes by hand. */
      g_chmod (cert_path, 0600);
      g_chmod (key_path, 0600);
    }
  close (lock_fd);   /* releases the lock */
  if (!ok)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_TLS,
                     _("The Sandbox certificate in “%s” cannot be read"), dir);
      return NULL;
    }

  ctx = SSL_CTX_new (TLS_server_method ());
  if (ctx == NULL ||
      SSL_CTX_set_min_proto_version (ctx, TLS1_2_VERSION) != 1 ||
      SSL_CTX_use_certificate (ctx, cert) != 1 ||
      SSL_CTX_use_PrivateKey (ctx, key) != 1)
    {
      set_openssl_error (error, "context");
      return NULL;
    }
  SSL_CTX_set_options (ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  /* One connection per message batch: no use for resumption. */
  SSL_CTX_set_session_cache_mode (ctx, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_num_tickets (ctx, 0);

  if (sha256 != NULL)
    *sha256 = fingerprint (cert);
  return g_steal_pointer (&ctx);
}
