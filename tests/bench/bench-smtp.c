/* bench-smtp.c — how fast the submission engine is, next to the usual tools
 *
 *   bench-smtp postfix   N small messages over one STARTTLS+AUTH session to
 *                        the rig's Postfix; msmtp (one process per
 *                        message) and `smtp-source -d -s 1` to the same
 *                        Postfix, with the ratios
 *   bench-smtp sink      the same against smtp-sink behind a STARTTLS
 *                        proxy, next to plain smtp-source into smtp-sink
 *   bench-smtp large     one message with a 100 MB attachment: wall time
 *                        and peak RSS, next to `openssl s_client` piping
 *                        the same bytes
 *
 * Prints figures and the targets; never fails because the machine
 * is slow (only when something does not work at all). N comes from
 * POSTIER_BENCH_N when set.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <arpa/inet.h>
#include <glib/gstdio.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench-common.h"
#include "postier-core.h"
#include "postier-paths.h"
#include "postier-smtp-client.h"

/* A ~2 KB message, as the issue measures. */
static char *
small_message (guint index)
{
  g_autoptr(GString) text = g_string_new (NULL);

  g_string_append_printf (text,
                          "From: Alice <alice@localhost>\r\n"
                          "To: Bob <bob@example.org>\r\n"
                          "Subject: Benchmark message %u\r\n"
                          "Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n"
                          "Message-ID: <bench-%u-%d@postier.test>\r\n"
                          "MIME-Version: 1.0\r\n"
                          "Content-Type: text/plain; charset=utf-8\r\n"
                          "\r\n", index, index, getpid ());
  while (text->len < 2000)
    g_string_append (text, "The quick brown fox jumps over the lazy dog, again and again and again.\r\n");
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static GPtrArray *
write_small_messages (const char *folder,
                      guint       n)
{
  GPtrArray *paths = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *name = g_strdup_printf ("%05u.eml", i);
      g_autofree char *text = small_message (i);
      char *path = g_build_filename (folder, name, NULL);

      g_assert_true (g_file_set_contents (path, text, -1, NULL));
      g_ptr_array_add (paths, path);
    }
  return paths;
}

static PostierAccount *
account_for (const char       *host,
             guint             port,
             PostierSecurity   security,
             PostierAuthMethod auth)
{
  PostierAccount *account = postier_account_new ("bench");

  postier_account_set_identity (account, "Alice <alice@localhost>");
  postier_account_set_host (account, host);
  postier_account_set_port (account, port);
  postier_account_set_security (account, security);
  postier_account_set_auth (account, auth);
  postier_account_set_user (account, bench_rig ("USER"));
  postier_account_set_ca_file (account, bench_rig ("CA"));
  return account;
}

/* Sends every message of PATHS over one session; returns messages/s for
 * the sends (the connection and login are reported apart). */
static double
postier_run (PostierAccount *account,
             GPtrArray      *paths,
             double         *open_seconds)
{
  g_autoptr(PostierSmtpClient) client = postier_smtp_client_new (account);
  g_autoptr(PostierEnvelope) envelope = postier_envelope_new ("alice@localhost");
  g_autoptr(GError) error = NULL;
  gint64 start;
  double elapsed;

  postier_envelope_add_recipient (envelope, "bob@example.org");
  postier_smtp_client_set_password (client, bench_rig ("PASSWORD"));
  start = g_get_monotonic_time ();
  if (!postier_smtp_client_open (client, NULL, &error))
    g_error ("cannot open the session: %s", error->message);
  *open_seconds = bench_seconds_since (start);

  start = g_get_monotonic_time ();
  for (guint i = 0; i < paths->len; i++)
    {
      if (!postier_smtp_client_send (client, envelope, g_ptr_array_index (paths, i), NULL, NULL, &error))
        g_error ("message %u: %s", i, error->message);
      /* The outbox takes the transcript after each message: so do we. */
      g_free (postier_smtp_client_take_transcript (client));
    }
  elapsed = bench_seconds_since (start);
  postier_smtp_client_close (client, NULL);
  return paths->len / elapsed;
}

/* ---------------------------------------------------------------------- */
/* Helpers: smtp-sink and the STARTTLS proxy */

static guint
free_port (void)
{
  struct sockaddr_in address = { .sin_family = AF_INET };
  socklen_t length = sizeof address;
  int fd = socket (AF_INET, SOCK_STREAM, 0);
  guint port;

  address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  g_assert_cmpint (bind (fd, (struct sockaddr *) &address, sizeof address), ==, 0);
  g_assert_cmpint (getsockname (fd, (struct sockaddr *) &address, &length), ==, 0);
  port = ntohs (address.sin_port);
  close (fd);
  return port;
}

static gboolean
port_answers (guint port)
{
  struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons ((uint16_t) port) };
  int fd = socket (AF_INET, SOCK_STREAM, 0);
  gboolean ok;

  address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  ok = connect (fd, (struct sockaddr *) &address, sizeof address) == 0;
  close (fd);
  return ok;
}

static GSubprocess *
start_sink (guint *port)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *where = NULL;
  GSubprocess *sink;

  *port = free_port ();
  where = g_strdup_printf ("127.0.0.1:%u", *port);
  /* -u nobody: smtp-sink refuses to run as root otherwise. */
  sink = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, "smtp-sink", "-u", "nobody", where, "1024", NULL);
  if (sink == NULL)
    g_error ("cannot start smtp-sink: %s", error->message);
  for (guint i = 0; i < 100 && !port_answers (*port); i++)
    g_usleep (50 * 1000);
  return sink;
}

static GSubprocess *
start_proxy (guint  backend,
             guint *port)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  /* Built next to this program. */
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *folder = g_path_get_dirname (self);
  g_autofree char *exe = g_build_filename (folder, "bench-tls-proxy", NULL);
  g_autofree char *backend_text = g_strdup_printf ("%u", backend);
  g_autofree char *line = NULL;
  GSubprocess *proxy;

  proxy = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, exe, bench_rig ("CERT"), bench_rig ("KEY"),
                            backend_text, NULL);
  if (proxy == NULL)
    g_error ("cannot start the proxy: %s", error->message);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (proxy));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  if (line == NULL || !g_str_has_prefix (line, "PORT "))
    g_error ("the proxy did not start");
  *port = (guint) g_ascii_strtoull (line + 5, NULL, 10);
  return proxy;
}

static void
stop (GSubprocess *process)
{
  g_subprocess_force_exit (process);
  g_subprocess_wait (process, NULL, NULL);
  g_object_unref (process);
}

/* ---------------------------------------------------------------------- */

static int
bench_postfix (void)
{
  guint n = bench_n (1000);
  guint msmtp_n = 30;
  guint port = (guint) g_ascii_strtoull (bench_rig ("SUBMISSION_PORT"), NULL, 10);
  guint plain_port = (guint) g_ascii_strtoull (bench_rig ("PLAIN_PORT"), NULL, 10);
  g_autofree char *folder = bench_make_folder ();
  g_autoptr(GPtrArray) paths = write_small_messages (folder, MAX (n, msmtp_n));
  g_autoptr(GPtrArray) batch = g_ptr_array_new ();
  g_autoptr(GPtrArray) msmtp_batch = g_ptr_array_new ();
  g_autoptr(PostierAccount) account = account_for ("localhost", port, POSTIER_SECURITY_STARTTLS, POSTIER_AUTH_PLAIN);
  double postier = 0, source = 0, open_seconds = 0, msmtp;

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (batch, g_ptr_array_index (paths, i));
  for (guint i = 0; i < msmtp_n; i++)
    g_ptr_array_add (msmtp_batch, g_ptr_array_index (paths, i));

  printf ("Submission to the rig's Postfix, %u messages of about 2 KB, one session each tool\n", n);
  /* Three rounds each, taking turns to go first, best kept: the machine
   * is shared and Postfix's rate follows its load. */
  for (guint round = 0; round < 3; round++)
    {
      bench_wait_for_empty_queue ();
      if (round % 2 == 0)
        postier = MAX (postier, postier_run (account, batch, &open_seconds));
      bench_wait_for_empty_queue ();
      source = MAX (source, bench_smtp_source (plain_port, n));
      bench_wait_for_empty_queue ();
      if (round % 2 == 1)
        postier = MAX (postier, postier_run (account, batch, &open_seconds));
    }
  printf ("  postier  (STARTTLS + AUTH PLAIN, pipelined):  %8.1f msg/s   (connect+TLS+login %.1f ms)\n",
          postier, open_seconds * 1000);
  printf ("  smtp-source -d -s 1 (plain, no TLS/AUTH):     %8.1f msg/s\n", source);

  bench_wait_for_empty_queue ();
  msmtp = bench_msmtp (msmtp_batch);
  printf ("  msmtp, one process per message (STARTTLS + AUTH PLAIN), %u messages: %8.1f msg/s (%.0f ms each)\n",
          msmtp_batch->len, msmtp, 1000 / msmtp);
  printf ("  ratio postier / smtp-source: %.2fx   (target >= 0.9x)\n", postier / source);
  printf ("  ratio postier / msmtp:       %.1fx   (target >= 60x)\n", postier / msmtp);

  postier_remove_tree (folder);
  return 0;
}

static int
bench_sink (void)
{
  guint n = bench_n (10000);
  guint sink_port, proxy_port;
  GSubprocess *sink = start_sink (&sink_port);
  GSubprocess *proxy = start_proxy (sink_port, &proxy_port);
  g_autofree char *folder = bench_make_folder ();
  g_autoptr(GPtrArray) paths = write_small_messages (folder, n);
  g_autoptr(PostierAccount) account = account_for ("localhost", proxy_port, POSTIER_SECURITY_STARTTLS,
                                                   POSTIER_AUTH_PLAIN);
  double postier = 0, source = 0, open_seconds = 0;

  printf ("Submission to smtp-sink (no queue: protocol cost only), %u messages of about 2 KB, one session\n", n);
  for (guint round = 0; round < 2; round++)
    {
      postier = MAX (postier, postier_run (account, paths, &open_seconds));
      source = MAX (source, bench_smtp_source (sink_port, n));
    }
  printf ("  postier over STARTTLS (via a TLS proxy) + AUTH, pipelined: %8.1f msg/s   (target >= 5000)\n", postier);
  printf ("  smtp-source -d -s 1, plain, straight into smtp-sink:      %8.1f msg/s\n", source);
  printf ("  ratio postier / smtp-source: %.2fx\n", postier / source);

  stop (proxy);
  stop (sink);
  postier_remove_tree (folder);
  return 0;
}

/* The message: headers, a short text part and SIZE bytes of random data
 * in base64, written in pieces so this process stays small too. */
static void
write_large_message (const char *path,
                     gsize       size)
{
  FILE *file = fopen (path, "wb");
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  guchar chunk[57 * 1024];

  g_assert_nonnull (file);
  fputs ("From: Alice <alice@localhost>\r\n"
         "To: Bob <bob@example.org>\r\n"
         "Subject: A large attachment\r\n"
         "Message-ID: <bench-large@postier.test>\r\n"
         "MIME-Version: 1.0\r\n"
         "Content-Type: multipart/mixed; boundary=\"b\"\r\n"
         "\r\n--b\r\nContent-Type: text/plain\r\n\r\nHere it is.\r\n"
         "--b\r\nContent-Type: application/octet-stream\r\n"
         "Content-Disposition: attachment; filename=\"big.bin\"\r\n"
         "Content-Transfer-Encoding: base64\r\n\r\n", file);
  for (gsize done = 0; done < size; done += sizeof chunk)
    {
      gsize piece = MIN (sizeof chunk, size - done);

      for (gsize i = 0; i < piece; i += 4)
        {
          guint32 r = g_rand_int (rand);
          memcpy (chunk + i, &r, MIN (4, piece - i));
        }
      for (gsize line = 0; line < piece; line += 57)
        {
          g_autofree char *encoded = g_base64_encode (chunk + line, MIN (57, piece - line));
          fputs (encoded, file);
          fputs ("\r\n", file);
        }
    }
  fputs ("--b--\r\n", file);
  g_assert_cmpint (fclose (file), ==, 0);
}

/* The measured client, in a process of its own so that its peak RSS is
 * its own. */
static int
bench_large_client (const char *port_text,
                    const char *path)
{
  g_autoptr(PostierAccount) account = account_for ("localhost", (guint) g_ascii_strtoull (port_text, NULL, 10),
                                                   POSTIER_SECURITY_STARTTLS, POSTIER_AUTH_PLAIN);
  g_autoptr(GPtrArray) paths = g_ptr_array_new ();
  double open_seconds;

  g_ptr_array_add (paths, (gpointer) path);
  postier_run (account, paths, &open_seconds);
  return 0;
}

static int
bench_large (void)
{
  gsize size = 100 * 1024 * 1024;
  guint sink_port, proxy_port;
  GSubprocess *sink = start_sink (&sink_port);
  GSubprocess *proxy = start_proxy (sink_port, &proxy_port);
  g_autofree char *folder = bench_make_folder ();
  g_autofree char *path = g_build_filename (folder, "large.eml", NULL);
  g_autofree char *script = g_build_filename (folder, "s_client.txt", NULL);
  g_autofree char *port_text = g_strdup_printf ("%u", proxy_port);
  g_autofree char *connect = g_strdup_printf ("localhost:%u", proxy_port);
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  double postier_seconds = G_MAXDOUBLE, s_client_seconds = G_MAXDOUBLE;
  glong postier_rss = 0;
  struct stat info;

  write_large_message (path, size);
  g_stat (path, &info);

  /* openssl s_client gets the whole dialogue after its own EHLO and
   * STARTTLS; the message needs no dot-stuffing (base64 has no dots). */
  {
    g_autofree char *command = g_strdup_printf ("{ printf 'EHLO bench\\r\\nMAIL FROM:<alice@localhost>\\r\\n"
                                                "RCPT TO:<bob@example.org>\\r\\nDATA\\r\\n'; cat '%s'; "
                                                "printf '.\\r\\nQUIT\\r\\n'; } > '%s'", path, script);
    const char *argv[] = { "/bin/sh", "-c", command, NULL };
    bench_run (argv, NULL, FALSE, NULL);
  }

  printf ("One message with a %zu MB attachment (%.1f MB on the wire), STARTTLS into smtp-sink\n",
          size / (1024 * 1024), info.st_size / 1e6);
  /* Both are timed as whole processes, start to exit. */
  for (guint round = 0; round < 2; round++)
    {
      const char *client[] = { exe, "large-client", port_text, path, NULL };
      const char *s_client[] = { "openssl", "s_client", "-starttls", "smtp", "-connect", connect,
                                 "-CAfile", bench_rig ("CA"), "-verify_return_error", "-quiet", NULL };
      glong rss = 0;

      postier_seconds = MIN (postier_seconds, bench_run (client, NULL, FALSE, &rss));
      postier_rss = MAX (postier_rss, rss);
      s_client_seconds = MIN (s_client_seconds, bench_run (s_client, script, TRUE, NULL));
    }
  printf ("  postier:          %6.2f s, peak RSS %.1f MB   (target < 40 MB)\n", postier_seconds, postier_rss / 1024.0);
  printf ("  openssl s_client: %6.2f s\n", s_client_seconds);
  printf ("  ratio postier / s_client wall time: %.2fx   (target <= 1.5x)\n", postier_seconds / s_client_seconds);

  stop (proxy);
  stop (sink);
  postier_remove_tree (folder);
  return 0;
}

int
main (int    argc,
      char **argv)
{
  setvbuf (stdout, NULL, _IOLBF, 0);
  signal (SIGPIPE, SIG_IGN);
  postier_core_init ();

  if (argc == 2 && g_str_equal (argv[1], "postfix"))
    return bench_postfix ();
  if (argc == 2 && g_str_equal (argv[1], "sink"))
    return bench_sink ();
  if (argc == 2 && g_str_equal (argv[1], "large"))
    return bench_large ();
  if (argc == 4 && g_str_equal (argv[1], "large-client"))
    return bench_large_client (argv[2], argv[3]);
  g_printerr ("usage: bench-smtp postfix|sink|large\n");
  return 64;
}
