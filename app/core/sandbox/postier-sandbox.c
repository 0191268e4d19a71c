/* postier-sandbox.c — the receiver's life: listening, threads, password
 *
 * One thread accepts on 127.0.0.1 and starts a thread per client (up to a
 * limit); the SMTP conversation itself is postier-sandbox-session.c. When
 * no client has been seen for the linger time, the accepting thread closes
 * the socket and ends; the next start() opens a new one, on a new port.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-sandbox"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <openssl/rand.h>

#include "postier-error.h"
#include "postier-paths.h"
#include "postier-sandbox-maildir.h"
#include "postier-sandbox-session.h"
#include "postier-sandbox-tls.h"
#include "postier-sandbox.h"
#include "postier-secret-store.h"

#define PASSWORD_OCTETS 24

typedef struct {
  PostierSandbox              *sandbox;
  GSocket                     *socket;
  GThread                     *thread;
  gint                         done;      /* atomic: the thread may be joined */
  gint                         authenticated;  /* atomic: the client logged in */
  gboolean                     evicted;   /* dropped to make room; acceptor thread only */
  gint64                       accepted;  /* monotonic */
  PostierSandboxSessionConfig  config;
  char                        *maildir;
  char                        *login;
  char                        *password;
} Connection;

struct _PostierSandbox
{
  GObject               parent_instance;

  char                 *data_dir;          /* NULL: the XDG default, read at each start */
  PostierSandboxLimits  limits;

  /* Guards everything below. Never held while joining a thread. */
  GMutex                lock;
  GSocket              *listener;
  guint                 port;
  GThread              *acceptor;          /* running, or ended and not yet joined */
  GCancellable         *cancellable;       /* of the running acceptor and its clients */
  char                 *maildir;           /* of the running receiver */
  gint64                last_activity;     /* monotonic */
  guint                 active;            /* clients being served */
  SSL_CTX              *tls_context;
  char                 *tls_dir;
  char                 *sha256;
  char                 *login;
  char                 *password;

  /* Serialises keyring calls, which may take seconds. */
  GMutex                password_lock;
};

G_DEFINE_FINAL_TYPE (PostierSandbox, postier_sandbox, G_TYPE_OBJECT)

enum {
  MESSAGE_RECEIVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
default_limits (PostierSandboxLimits *limits)
{
  limits->max_message_size = 50 * 1024 * 1024;
  limits->max_line_length = 2048;
  limits->max_commands = 10000;
  limits->max_bad_commands = 20;
  limits->max_recipients = 1000;
  limits->max_connections = 16;
  limits->idle_timeout_ms = 60 * 1000;
  limits->session_timeout_ms = 10 * 60 * 1000;
  limits->linger_ms = 60 * 1000;
  limits->pre_auth_timeout_ms = 15 * 1000;
  limits->evict_after_ms = 2 * 1000;
}

static void
wipe_string (char **text)
{
  if (*text != NULL)
    {
      explicit_bzero (*text, strlen (*text));
      g_clear_pointer (text, g_free);
    }
}

static void
postier_sandbox_finalize (GObject *object)
{
  PostierSandbox *self = POSTIER_SANDBOX (object);

  postier_sandbox_stop (self);

  g_free (self->data_dir);
  g_free (self->maildir);
  g_clear_pointer (&self->tls_context, SSL_CTX_free);
  g_free (self->tls_dir);
  g_free (self->sha256);
  g_free (self->login);
  wipe_string (&self->password);
  g_mutex_clear (&self->lock);
  g_mutex_clear (&self->password_lock);

  G_OBJECT_CLASS (postier_sandbox_parent_class)->finalize (object);
}

static void
postier_sandbox_class_init (PostierSandboxClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = postier_sandbox_finalize;

  /**
   * PostierSandbox::message-received:
   * @id: the captured message's id in the sandbox store
   *
   * Emitted on a receiver thread once a message is stored.
   */
  signals[MESSAGE_RECEIVED] = g_signal_new ("message-received", G_TYPE_FROM_CLASS (klass),
                                            G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                            G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
postier_sandbox_init (PostierSandbox *self)
{
  g_mutex_init (&self->lock);
  g_mutex_init (&self->password_lock);
  default_limits (&self->limits);
}

PostierSandbox *
postier_sandbox_new (const char *data_dir)
{
  PostierSandbox *self = g_object_new (POSTIER_TYPE_SANDBOX, NULL);

  self->data_dir = g_strdup (data_dir);
  return self;
}

PostierSandbox *
postier_sandbox_get_default (void)
{
  static PostierSandbox *default_sandbox = NULL;

  if (g_once_init_enter (&default_sandbox))
    g_once_init_leave (&default_sandbox, postier_sandbox_new (NULL));
  return default_sandbox;
}

char *
postier_sandbox_dup_maildir (PostierSandbox *self)
{
  g_return_val_if_fail (POSTIER_IS_SANDBOX (self), NULL);

  if (self->data_dir != NULL)
    return g_strdup (self->data_dir);
  return postier_data_dir ("sandbox");
}

static char *
dup_tls_dir (PostierSandbox *self)
{
  g_autofree char *parent = NULL;

  if (self->data_dir == NULL)
    return postier_data_dir ("sandbox-tls");
  parent = g_path_get_dirname (self->data_dir);
  return g_build_filename (parent, "sandbox-tls", NULL);
}

void
postier_sandbox_get_limits (PostierSandbox       *self,
                            PostierSandboxLimits *limits)
{
  g_return_if_fail (POSTIER_IS_SANDBOX (self));
  g_return_if_fail (limits != NULL);

  g_mutex_lock (&self->lock);
  *limits = self->limits;
  g_mutex_unlock (&self->lock);
}

void
postier_sandbox_set_limits (PostierSandbox             *self,
                            const PostierSandboxLimits *limits)
{
  g_return_if_fail (POSTIER_IS_SANDBOX (self));
  g_return_if_fail (limits != NULL);
  g_return_if_fail (limits->max_line_length >= 512);   /* RFC 5321 4.5.3.1.4 */
  g_return_if_fail (limits->max_connections >= 1);

  g_mutex_lock (&self->lock);
  self->limits = *limits;
  g_mutex_unlock (&self->lock);
}

/* With the lock held: the TLS context for the current folder. */
static gboolean
ensure_tls_locked (PostierSandbox  *self,
                   GError         **error)
{
  g_autofree char *dir = dup_tls_dir (self);
  g_autofree char *sha256 = NULL;
  SSL_CTX *context;

  if (self->tls_context != NULL && g_strcmp0 (dir, self->tls_dir) == 0)
    return TRUE;
  context = postier_sandbox_tls_context_new (dir, &sha256, error);
  if (context == NULL)
    return FALSE;
  g_clear_pointer (&self->tls_context, SSL_CTX_free);
  self->tls_context = context;
  g_free (self->tls_dir);
  self->tls_dir = g_steal_pointer (&dir);
  g_free (self->sha256);
  self->sha256 = g_steal_pointer (&sha256);
  return TRUE;
}

char *
postier_sandbox_dup_certificate_sha256 (PostierSandbox  *self,
                                        GError         **error)
{
  char *sha256 = NULL;

  g_return_val_if_fail (POSTIER_IS_SANDBOX (self), NULL);

  g_mutex_lock (&self->lock);
  if (ensure_tls_locked (self, error))
    sha256 = g_strdup (self->sha256);
  g_mutex_unlock (&self->lock);
  return sha256;
}

char *
postier_sandbox_dup_certificate_path (PostierSandbox  *self,
                                      GError         **error)
{
  char *path = NULL;

  g_return_val_if_fail (POSTIER_IS_SANDBOX (self), NULL);

  g_mutex_lock (&self->lock);
  if (ensure_tls_locked (self, error))
    path = g_build_filename (self->tls_dir, POSTIER_SANDBOX_CERT_FILE, NULL);
  g_mutex_unlock (&self->lock);
  return path;
}

/* --- Clients ------------------------------------------------------------ */

static void
on_stored (const char *id,
           gpointer    user_data)
{
  Connection *connection = user_data;

  g_signal_emit (connection->sandbox, signals[MESSAGE_RECEIVED], 0, id);
}

static void
connection_free (Connection *connection)
{
  if (connection->thread != NULL)
    g_thread_join (connection->thread);
  g_object_unref (connection->socket);
  SSL_CTX_free (connection->config.tls_context);
  g_free (connection->maildir);
  g_free (connection->login);
  wipe_string (&connection->password);
  g_free (connection);
}

static gpointer
connection_main (gpointer data)
{
  Connection *connection = data;
  PostierSandbox *self = connection->sandbox;

  postier_sandbox_session_run (&connection->config);
  g_socket_close (connection->socket, NULL);

  g_mutex_lock (&self->lock);
  self->active--;
  self->last_activity = g_get_monotonic_time ();
  g_mutex_unlock (&self->lock);
  g_atomic_int_set (&connection->done, 1);
  return NULL;
}

/* With the lock held: a client's copy of what it needs. */
static Connection *
connection_new_locked (PostierSandbox *self,
                       GSocket        *socket,
                       GCancellable   *cancellable)
{
  Connection *connection = g_new0 (Connection, 1);

  connection->sandbox = self;
  connection->socket = g_object_ref (socket);
  connection->maildir = g_strdup (self->maildir);
  connection->login = g_strdup (self->login);
  connection->password = g_strdup (self->password);
  SSL_CTX_up_ref (self->tls_context);

  connection->config.socket = socket;
  connection->config.tls_context = self->tls_context;
  connection->config.cancellable = cancellable;
  connection->config.limits = self->limits;
  connection->config.maildir = connection->maildir;
  connection->config.login = connection->login;
  connection->config.password = connection->password;
  connection->config.stored = on_stored;
  connection->config.stored_data = connection;
  connection->config.authenticated = &connection->authenticated;
  connection->accepted = g_get_monotonic_time ();
  return connection;
}

static void
reap_connections (GPtrArray *connections,
                  gboolean   all)
{
  for (guint i = connections->len; i > 0; i--)
    {
      Connection *connection = g_ptr_array_index (connections, i - 1);

      /* In order: the oldest client comes first (evict_one). */
      if (all || g_atomic_int_get (&connection->done))
        g_ptr_array_remove_index (connections, i - 1);   /* joins and frees */
    }
}

typedef struct {
  PostierSandbox *sandbox;
  GSocket        *listener;
  GCancellable   *cancellable;
} Acceptor;

static void
refuse (GSocket    *socket,
        const char *line)
{
  /* Best effort on a fresh socket: its send buffer is empty. */
  g_socket_set_blocking (socket, FALSE);
  g_socket_send (socket, line, strlen (line), NULL, NULL);
  g_socket_close (socket, NULL);
}

/* Clients dropped to make room whose threads have not ended yet: they
 * no longer hold a place. */
static guint
evicted_count (GPtrArray *connections)
{
  guint count = 0;

  for (guint i = 0; i < connections->len; i++)
    {
      Connection *connection = g_ptr_array_index (connections, i);

      if (connection->evicted && !g_atomic_int_get (&connection->done))
        count++;
    }
  return count;
}

/* Every place taken: drops the oldest client that has not logged in
 * after EVICT_AFTER_MS (a local user holding connections open), so that
 * the new one, maybe Postier's own, gets in. Younger ones are left to
 * finish logging in. TRUE if one was dropped. */
static gboolean
evict_one (GPtrArray *connections,
           guint      evict_after_ms)
{
  gint64 now = g_get_monotonic_time ();

  for (guint i = 0; i < connections->len; i++)
    {
      Connection *connection = g_ptr_array_index (connections, i);

      if (connection->evicted || g_atomic_int_get (&connection->done) ||
          g_atomic_int_get (&connection->authenticated) ||
          now - connection->accepted < (gint64) evict_after_ms * 1000)
        continue;
      /* Its session's next wait sees the end of input and returns. */
      connection->evicted = TRUE;
      g_socket_shutdown (connection->socket, TRUE, TRUE, NULL);
      g_debug ("dropped a client that did not log in, to make room");
      return TRUE;
    }
  return FALSE;
}

/* A new client gets a thread of its own, or a 421 when every place is
 * taken (after trying to make room) or no thread can start. */
static void
admit (Acceptor  *acceptor,
       GPtrArray *connections,
       GSocket   *client)
{
  PostierSandbox *self = acceptor->sandbox;
  g_autoptr(GError) error = NULL;
  Connection *connection;

  g_mutex_lock (&self->lock);
  if (self->active - evicted_count (connections) >= self->limits.max_connections &&
      !evict_one (connections, self->limits.evict_after_ms))
    {
      g_mutex_unlock (&self->lock);
      refuse (client, "421 4.7.0 Too many connections to the Postier Sandbox\r\n");
      return;
    }
  connection = connection_new_locked (self, client, acceptor->cancellable);
  connection->thread = g_thread_try_new ("sandbox-client", connection_main, connection, &error);
  if (connection->thread == NULL)
    {
      g_mutex_unlock (&self->lock);
      g_warning ("Sandbox: cannot start a thread for a client: %s", error->message);
      connection_free (connection);   /* no thread to join */
      refuse (client, "421 4.3.2 The Postier Sandbox is busy\r\n");
      return;
    }
  self->active++;
  self->last_activity = g_get_monotonic_time ();
  g_ptr_array_add (connections, connection);
  g_mutex_unlock (&self->lock);
}

static gpointer
acceptor_main (gpointer data)
{
  Acceptor *acceptor = data;
  PostierSandbox *self = acceptor->sandbox;
  g_autoptr(GPtrArray) connections = g_ptr_array_new_with_free_func ((GDestroyNotify) connection_free);

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GSocket) client = NULL;
      gint64 linger;
      gboolean ready;

      reap_connections (connections, FALSE);

      g_mutex_lock (&self->lock);
      linger = (gint64) self->limits.linger_ms * 1000;
      g_mutex_unlock (&self->lock);

      ready = g_socket_condition_timed_wait (acceptor->listener, G_IO_IN, linger,
                                             acceptor->cancellable, &error);
      if (g_cancellable_is_cancelled (acceptor->cancellable))
        break;
      if (!ready)
        {
          gboolean idle;

          g_mutex_lock (&self->lock);
          idle = self->active == 0 &&
                 g_get_monotonic_time () - self->last_activity >= linger;
          if (idle)
            {
              /* Stop here, under the lock, so start() never hands out a
               * port that is about to close. */
              self->port = 0;
              g_clear_object (&self->listener);
            }
          g_mutex_unlock (&self->lock);
          if (idle)
            {
              g_debug ("receiver idle: stopping");
              break;
            }
          continue;
        }

      client = g_socket_accept (acceptor->listener, acceptor->cancellable, &error);
      if (client == NULL)
        continue;   /* the client gave up before we took it, or a spurious wakeup */
      admit (acceptor, connections, client);
    }

  /* Cancellation reaches every client's waits, so these end promptly. */
  reap_connections (connections, TRUE);
  g_socket_close (acceptor->listener, NULL);
  g_object_unref (acceptor->listener);
  g_object_unref (acceptor->cancellable);
  g_free (acceptor);
  return NULL;
}

/* --- Starting and stopping ---------------------------------------------- */

static GSocket *
listen_on_loopback (guint   *port,
                    GError **error)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);
  if (socket == NULL ||
      !g_socket_bind (socket, address, TRUE, error) ||
      !g_socket_listen (socket, error))
    return NULL;
  bound = g_socket_get_local_address (socket, error);
  if (bound == NULL)
    return NULL;
  g_socket_set_blocking (socket, FALSE);
  *port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  return g_steal_pointer (&socket);
}

/* Takes an ended acceptor thread out of SELF, for joining without the lock. */
static GThread *
steal_acceptor_locked (PostierSandbox *self)
{
  g_clear_object (&self->cancellable);
  return g_steal_pointer (&self->acceptor);
}

guint
postier_sandbox_start (PostierSandbox  *self,
                       GError         **error)
{
  g_autoptr(GError) local_error = NULL;
  Acceptor *acceptor;
  GThread *ended = NULL;
  guint port = 0;

  g_return_val_if_fail (POSTIER_IS_SANDBOX (self), 0);

  g_mutex_lock (&self->lock);
  self->last_activity = g_get_monotonic_time ();
  if (self->port != 0)
    {
      port = self->port;
      g_mutex_unlock (&self->lock);
      return port;
    }
  /* An acceptor that stopped for idleness has finished its work under the
   * lock; what remains is quick and does not take the lock. */
  if (self->acceptor != NULL)
    ended = steal_acceptor_locked (self);
  g_mutex_unlock (&self->lock);
  if (ended != NULL)
    g_thread_join (ended);

  g_mutex_lock (&self->lock);
  if (self->port != 0)   /* another thread started it meanwhile */
    {
      port = self->port;
      g_mutex_unlock (&self->lock);
      return port;
    }

  g_free (self->maildir);
  self->maildir = postier_sandbox_dup_maildir (self);
  if (!ensure_tls_locked (self, error) ||
      !postier_sandbox_maildir_ensure (self->maildir, error))
    {
      g_mutex_unlock (&self->lock);
      return 0;
    }
  self->listener = listen_on_loopback (&self->port, &local_error);
  if (self->listener == NULL)
    {
      self->port = 0;
      g_mutex_unlock (&self->lock);
      g_set_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_NETWORK,
                   _("The Sandbox cannot listen on 127.0.0.1: %s"), local_error->message);
      return 0;
    }

  self->cancellable = g_cancellable_new ();
  acceptor = g_new0 (Acceptor, 1);
  acceptor->sandbox = self;
  acceptor->listener = g_object_ref (self->listener);
  acceptor->cancellable = g_object_ref (self->cancellable);
  self->acceptor = g_thread_try_new ("sandbox-receive", acceptor_main, acceptor, &local_error);
  if (self->acceptor == NULL)
    {
      g_object_unref (acceptor->listener);
      g_object_unref (acceptor->cancellable);
      g_free (acceptor);
      g_clear_object (&self->listener);
      g_clear_object (&self->cancellable);
      self->port = 0;
      g_mutex_unlock (&self->lock);
      g_set_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_FAILED,
                   _("The Sandbox cannot start: %s"), local_error->message);
      return 0;
    }
  port = self->port;
  g_debug ("receiver listening on 127.0.0.1:%u, storing in %s", port, self->maildir);
  g_mutex_unlock (&self->lock);
  return port;
}

void
postier_sandbox_stop (PostierSandbox *self)
{
  GThread *thread;

  g_return_if_fail (POSTIER_IS_SANDBOX (self));

  g_mutex_lock (&self->lock);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  thread = steal_acceptor_locked (self);
  g_clear_object (&self->listener);
  self->port = 0;
  g_mutex_unlock (&self->lock);

  if (thread != NULL)
    g_thread_join (thread);
}

gboolean
postier_sandbox_is_running (PostierSandbox *self)
{
  return postier_sandbox_get_port (self) != 0;
}

guint
postier_sandbox_get_port (PostierSandbox *self)
{
  guint port;

  g_return_val_if_fail (POSTIER_IS_SANDBOX (self), 0);

  g_mutex_lock (&self->lock);
  port = self->port;
  g_mutex_unlock (&self->lock);
  return port;
}

/* --- The password ------------------------------------------------------- */

static char *
random_password (void)
{
  guchar bytes[PASSWORD_OCTETS];
  char *password;

  if (RAND_bytes (bytes, sizeof bytes) != 1)
    {
      /* OpenSSL's generator failing is near impossible; GLib's is weaker
       * but still unguessable from outside this process. */
      for (gsize i = 0; i < sizeof bytes; i++)
        bytes[i] = (guchar) g_random_int_range (0, 256);
    }
  password = g_base64_encode (bytes, sizeof bytes);
  /* explicit_bzero: a memset of a buffer about to go out of scope may be
   * dropped by the compiler. */
  explicit_bzero (bytes, sizeof bytes);
  return password;
}

char *
postier_sandbox_dup_password (PostierSandbox  *self,
                              PostierAccount  *account,
                              GError         **error)
{
  g_autoptr(GError) lookup_error = NULL;
  g_autoptr(GError) store_error = NULL;
  const char *login;
  char *password = NULL;

  g_return_val_if_fail (POSTIER_IS_SANDBOX (self), NULL);
  g_return_val_if_fail (POSTIER_IS_ACCOUNT (account), NULL);

  login = postier_account_get_login (account);
  if (login == NULL)
    {
      g_set_error (error, POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_INVALID,
                   _("The Sandbox account has no address to log in with"));
      return NULL;
    }

  g_mutex_lock (&self->password_lock);

  g_mutex_lock (&self->lock);
  if (self->password != NULL && g_strcmp0 (self->login, login) == 0)
    password = g_strdup (self->password);
  g_mutex_unlock (&self->lock);
  if (password != NULL)
    {
      g_mutex_unlock (&self->password_lock);
      return password;
    }

  password = postier_secret_lookup_password_sync (account, NULL, &lookup_error);
  if (password == NULL)
    {
      password = random_password ();
      if (g_error_matches (lookup_error, POSTIER_SECRET_ERROR, POSTIER_SECRET_ERROR_NOT_FOUND))
        {
          if (!postier_secret_store_password_sync (account, password, NULL, &store_error))
            g_message ("The Sandbox password cannot be kept in the keyring (%s); "
                       "this process uses one of its own.", store_error->message);
        }
      else
        g_message ("No keyring is reachable (%s); the Sandbox uses a password for this "
                   "process only.", lookup_error->message);
    }

  g_mutex_lock (&self->lock);
  g_free (self->login);
  self->login = g_strdup (login);
  wipe_string (&self->password);
  self->password = g_strdup (password);
  g_mutex_unlock (&self->lock);

  g_mutex_unlock (&self->password_lock);
  return password;
}
