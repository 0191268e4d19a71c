/* postier-relay-limiter.c — sliding windows of what each account sent
 *
 * One append-only file per account in the state folder, shared by every
 * Postier process (the flush lock already makes one process send at a
 * time; a second lock file keeps readers from seeing a half-compacted
 * file). Lines:
 *
 *   s TIME N       the relay took a transaction for N recipients at TIME
 *   r UNTIL LEVEL  the relay asked to slow down: held until UNTIL; LEVEL
 *                  counts such replies in a row (the back-off doubles)
 *   q UNTIL        the relay said the day's quota is spent
 *   c              a person released the relay's hold
 *
 * Times are Unix seconds (UTC). Records older than 24 hours are dropped
 * when the file is compacted. No fsync: a count lost in a crash costs at
 * most one message over a limit, which the relay's own reply then handles.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-limiter"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "postier-paths.h"
#include "postier-relay-limiter.h"

#define DAY_SECONDS (24 * 3600)
/* The relay's "slow down": 10 s, doubling while it keeps saying so, at
 * most 15 minutes. Short enough that a per-minute limit costs little. */
#define RELAY_BACKOFF_FIRST_SECONDS 10
#define RELAY_BACKOFF_MAX_SECONDS   (15 * 60)
/* A spent daily quota: until our oldest message of the last 24 hours is
 * 24 hours old, but not sooner than an hour (the relay may count mail we
 * did not send: webmail, other clients). */
#define RELAY_QUOTA_MIN_SECONDS 3600
/* Compact a file of more than this many lines once most of them are
 * older than a day. */
#define COMPACT_SLACK 2048

typedef struct {
  gint64 time;
  guint  n;
} Sent;

typedef struct {
  dev_t             dev;
  ino_t             ino;
  goffset           parsed;      /* bytes of the file read so far */
  guint             lines;
  GArray           *sent;        /* Sent, in file order */
  guint             expired;     /* leading records of sent older than a day at expired_at */
  gint64            expired_at;
  gint64            hold_until;
  PostierHoldReason hold_reason;
  guint             level;       /* relay rate-limit replies in a row, when rate_chain */
  gboolean          rate_chain;
} Usage;

struct _PostierRelayLimiter
{
  GObject           parent_instance;

  char             *dir;         /* NULL: the state folder, looked up each time */
  PostierClockFunc  clock;
  gpointer          clock_data;
  GMutex            mutex;
  GHashTable       *usage;       /* file path → Usage */
};

G_DEFINE_FINAL_TYPE (PostierRelayLimiter, postier_relay_limiter, G_TYPE_OBJECT)

static void
usage_free (Usage *usage)
{
  g_array_unref (usage->sent);
  g_free (usage);
}

static Usage *
usage_new (void)
{
  Usage *usage = g_new0 (Usage, 1);

  usage->sent = g_array_new (FALSE, FALSE, sizeof (Sent));
  return usage;
}

static void
usage_reset (Usage *usage)
{
  g_array_set_size (usage->sent, 0);
  usage->parsed = 0;
  usage->lines = 0;
  usage->expired = 0;
  usage->expired_at = 0;
  usage->hold_until = 0;
  usage->hold_reason = POSTIER_HOLD_NONE;
  usage->level = 0;
  usage->rate_chain = FALSE;
}

static void
postier_relay_limiter_finalize (GObject *object)
{
  PostierRelayLimiter *self = POSTIER_RELAY_LIMITER (object);

  g_free (self->dir);
  g_hash_table_unref (self->usage);
  g_mutex_clear (&self->mutex);

  G_OBJECT_CLASS (postier_relay_limiter_parent_class)->finalize (object);
}

static void
postier_relay_limiter_class_init (PostierRelayLimiterClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = postier_relay_limiter_finalize;
}

static void
postier_relay_limiter_init (PostierRelayLimiter *self)
{
  g_mutex_init (&self->mutex);
  self->clock = postier_clock_real_now;
  self->usage = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify) usage_free);
}

PostierRelayLimiter *
postier_relay_limiter_new (const char *state_dir)
{
  PostierRelayLimiter *self = g_object_new (POSTIER_TYPE_RELAY_LIMITER, NULL);

  self->dir = g_strdup (state_dir);
  return self;
}

PostierRelayLimiter *
postier_relay_limiter_get_default (void)
{
  static gsize limiter;

  if (g_once_init_enter (&limiter))
    g_once_init_leave (&limiter, (gsize) postier_relay_limiter_new (NULL));
  return (PostierRelayLimiter *) limiter;
}

void
postier_relay_limiter_set_clock (PostierRelayLimiter *self,
                                 PostierClockFunc     clock,
                                 gpointer             user_data)
{
  g_return_if_fail (POSTIER_IS_RELAY_LIMITER (self));

  g_mutex_lock (&self->mutex);
  self->clock = clock != NULL ? clock : postier_clock_real_now;
  self->clock_data = user_data;
  g_mutex_unlock (&self->mutex);
}

gint64
postier_relay_limiter_now (PostierRelayLimiter *self)
{
  g_return_val_if_fail (POSTIER_IS_RELAY_LIMITER (self), 0);
  return self->clock (self->clock_data);
}

/* ---------------------------------------------------------------------- */
/* The files */

/* Tests isolate XDG folders per test case, so the default folder is
 * looked up each time rather than kept. */
static char *
dir_path (PostierRelayLimiter *self)
{
  if (self->dir != NULL)
    return g_strdup (self->dir);
  return g_build_filename (g_get_user_state_dir (), "postier", "relay-usage", NULL);
}

/* Account names may hold spaces and any UTF-8 but no "/"; escaping also
 * keeps "." and ".." from naming folders. */
static char *
file_path (const char *dir,
           const char *account_name)
{
  g_autofree char *escaped = g_uri_escape_string (account_name, NULL, FALSE);
  g_autofree char *name = g_strconcat ("account-", escaped, ".log", NULL);

  return g_build_filename (dir, name, NULL);
}

/* 2 s at most for the usage files' lock. */
#define LOCK_TRIES       200
#define LOCK_RETRY_USEC  (10 * 1000)

/* flock()ed lock file of the folder, or -1 (then we go on unlocked: a
 * limiter that cannot write its state must not stop mail). */
static int
lock_dir (const char *dir,
          gboolean    create)
{
  g_autofree char *path = g_build_filename (dir, ".lock", NULL);
  int fd;

  /* The folder is made only when missing: this runs once per message
   * sent (issue 12). */
  fd = open (path, O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0), 0600);
  if (fd < 0 && errno == ENOENT && create && postier_ensure_private_dir (dir, NULL))
    fd = open (path, O_RDWR | O_CLOEXEC | O_CREAT, 0600);
  if (fd < 0)
    return -1;
  /* Bounded: a lock nobody gives back (another process stopped, or our own
   * descriptor that a failed close() left open) must never stop a flush.
   * Holders keep it for a few file operations only. */
  for (guint tries = 0; flock (fd, LOCK_EX | LOCK_NB) != 0; tries++)
    {
      if ((errno != EWOULDBLOCK && errno != EINTR) || tries >= LOCK_TRIES)
        {
          close (fd);
          return -1;
        }
      g_usleep (LOCK_RETRY_USEC);
    }
  return fd;
}

static void
unlock_dir (int fd)
{
  if (fd < 0)
    return;
  /* Released before close(), which may fail and leave the descriptor, and
   * its lock, behind. */
  flock (fd, LOCK_UN);
  close (fd);
}

static void
parse_line (Usage      *usage,
            const char *line)
{
  gint64 a = 0, b = 0;
  char kind = line[0];

  if (kind == '\0')
    return;
  usage->lines++;
  if (kind == 'c')
    {
      usage->hold_until = 0;
      usage->hold_reason = POSTIER_HOLD_NONE;
      usage->rate_chain = FALSE;
      return;
    }
  if (sscanf (line + 1, " %" G_GINT64_FORMAT " %" G_GINT64_FORMAT, &a, &b) < 1)
    return;
  switch (kind)
    {
    case 's':
      {
        Sent sent = { a, (guint) CLAMP (b, 0, G_MAXINT) };
        g_array_append_val (usage->sent, sent);
        usage->rate_chain = FALSE;
      }
      break;
    case 'r':
      usage->hold_until = a;
      usage->hold_reason = POSTIER_HOLD_RELAY_RATE;
      usage->level = (guint) CLAMP (b, 0, 32);
      usage->rate_chain = TRUE;
      break;
    case 'q':
      usage->hold_until = a;
      usage->hold_reason = POSTIER_HOLD_RELAY_DAILY_QUOTA;
      usage->rate_chain = FALSE;
      break;
    default:
      break;
    }
}

/* Brings USAGE up to date with PATH: only the lines appended since the
 * last read, unless the file was replaced (compacted) or removed. */
static void
refresh (Usage      *usage,
         const char *path)
{
  g_autofree char *data = NULL;
  struct stat st;
  gsize length = 0;
  const char *p, *end;
  int fd;

  fd = open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0 || fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      if (fd >= 0)
        close (fd);
      usage_reset (usage);
      return;
    }
  if (st.st_dev != usage->dev || st.st_ino != usage->ino || st.st_size < usage->parsed)
    {
      usage_reset (usage);
      usage->dev = st.st_dev;
      usage->ino = st.st_ino;
    }
  if (st.st_size > usage->parsed)
    {
      gsize want = (gsize) (st.st_size - usage->parsed);
      gssize got;

      data = g_malloc (want + 1);
      while ((got = pread (fd, data + length, want - length, usage->parsed + (goffset) length)) > 0 ||
             (got < 0 && errno == EINTR))
        if (got > 0 && (length += (gsize) got) == want)
          break;
      data[length] = '\0';
    }
  close (fd);

  /* Whole lines only: a writer may be half-way through the last one. */
  for (p = data, end = data != NULL ? data + length : NULL; p != NULL && p < end;)
    {
      const char *nl = memchr (p, '\n', (gsize) (end - p));

      if (nl == NULL)
        break;
      {
        g_autofree char *line = g_strndup (p, (gsize) (nl - p));
        parse_line (usage, line);
      }
      usage->parsed += (nl - p) + 1;
      p = nl + 1;
    }
}

/* Whether USAGE (or NULL) already holds all of PATH: the file is the one
 * read last and has not grown since. One lstat() then replaces the lock
 * and the read: a flush asks before every message and once per entry it
 * looks at (issue 12). A compaction renames a new file in (another inode);
 * a half-written line leaves the size past what was parsed. */
static gboolean
usage_is_current (Usage      *usage,
                  const char *path)
{
  struct stat st;

  if (usage == NULL)
    return FALSE;
  if (lstat (path, &st) != 0)
    return errno == ENOENT && usage->parsed == 0 && usage->lines == 0;
  return S_ISREG (st.st_mode) && st.st_dev == usage->dev && st.st_ino == usage->ino &&
         st.st_size == usage->parsed;
}

/* The account's usage, read up to date. Call with the mutex and the
 * folder's lock held. */
static Usage *
lookup (PostierRelayLimiter *self,
        const char          *path)
{
  Usage *usage = g_hash_table_lookup (self->usage, path);

  if (usage == NULL)
    {
      usage = usage_new ();
      g_hash_table_insert (self->usage, g_strdup (path), usage);
    }
  refresh (usage, path);
  return usage;
}

/* Rewrites the file with what still counts. */
static void
compact (Usage      *usage,
         const char *path,
         gint64      now)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < usage->sent->len; i++)
    {
      Sent *sent = &g_array_index (usage->sent, Sent, i);

      if (sent->time > now - DAY_SECONDS)
        g_string_append_printf (text, "s %" G_GINT64_FORMAT " %u\n", sent->time, sent->n);
    }
  if (usage->hold_reason == POSTIER_HOLD_RELAY_RATE)
    g_string_append_printf (text, "r %" G_GINT64_FORMAT " %u\n", usage->hold_until, usage->level);
  else if (usage->hold_reason == POSTIER_HOLD_RELAY_DAILY_QUOTA)
    g_string_append_printf (text, "q %" G_GINT64_FORMAT "\n", usage->hold_until);
  /* A new file renamed over the old (NONE would write in place, and
   * GLib 2.74 then leaves the old file's tail). Readers notice the new
   * inode and read it whole. */
  if (!g_file_set_contents_full (path, text->str, (gssize) text->len,
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error))
    g_debug ("Cannot compact %s: %s", path, error->message);
  /* The next look reads the new file from its start. */
  usage->ino = 0;
}

/* How many records are younger than a day, counting from where the last
 * call stopped: a flush records every message, and a scan of the whole
 * day's records each time made 10 000 messages cost 50 million steps on
 * the relay's path (issue 12). Records are appended in time order; one
 * out of order (the clock set back) only makes the count high, which
 * compacts later, never wrongly. */
static guint
live_records (Usage  *usage,
              gint64  now)
{
  if (now < usage->expired_at)
    usage->expired = 0;
  usage->expired_at = now;
  while (usage->expired < usage->sent->len &&
         g_array_index (usage->sent, Sent, usage->expired).time <= now - DAY_SECONDS)
    usage->expired++;
  return usage->sent->len - usage->expired;
}

/* Appends LINE to ACCOUNT_NAME's file and returns its usage, up to date.
 * Call with the mutex held. */
static void
append (PostierRelayLimiter *self,
        const char          *account_name,
        const char          *line,
        gint64               now)
{
  g_autofree char *dir = dir_path (self);
  g_autofree char *path = file_path (dir, account_name);
  int lock = lock_dir (dir, TRUE);
  Usage *usage = g_hash_table_lookup (self->usage, path);
  gssize length = (gssize) strlen (line);
  gboolean current = lock >= 0 && usage_is_current (usage, path) && usage->parsed > 0;
  struct stat st;
  int fd;

  fd = open (path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0 || write (fd, line, (gsize) length) != length)
    {
      g_debug ("Cannot record in %s: %s", path, g_strerror (errno));
      current = FALSE;
    }
  /* Under the lock nobody else appends: when the file was read to its end
   * before, our own line is all that is new (no reading it back). */
  if (current && fstat (fd, &st) == 0 && st.st_ino == usage->ino && st.st_dev == usage->dev &&
      st.st_size == usage->parsed + length)
    {
      g_autofree char *text = g_strndup (line, (gsize) length - 1);

      parse_line (usage, text);
      usage->parsed += length;
    }
  else
    current = FALSE;
  if (fd >= 0)
    close (fd);
  if (!current)
    usage = lookup (self, path);
  if (usage->lines > COMPACT_SLACK && usage->lines > 2 * live_records (usage, now) + COMPACT_SLACK / 2)
    compact (usage, path, now);
  unlock_dir (lock);
}

/* ---------------------------------------------------------------------- */
/* The question */

static void
consider (PostierRelayHold  *hold,
          PostierHoldReason  reason,
          guint              limit,
          gint64             until)
{
  if (hold->reason != POSTIER_HOLD_NONE && until <= hold->until)
    return;
  hold->reason = reason;
  hold->limit = limit;
  hold->until = until;
}

/* A record from a clock that has since gone back counts as now, so a
 * clock jump cannot hold mail for the size of the jump. */
static gint64
when (const Sent *sent,
      gint64      now)
{
  return MIN (sent->time, now);
}

static gint
compare_times (gconstpointer a,
               gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

/* The times of the messages sent in the last WINDOW seconds, oldest first,
 * and their recipients in all. */
static GArray *
in_window (GArray *sent,
           gint64  now,
           guint   window,
           guint64 *recipients)
{
  GArray *times = g_array_new (FALSE, FALSE, sizeof (gint64));

  *recipients = 0;
  for (guint i = 0; i < sent->len; i++)
    {
      const Sent *record = &g_array_index (sent, Sent, i);
      gint64 t = when (record, now);

      if (t > now - (gint64) window)
        {
          g_array_append_val (times, t);
          *recipients += record->n;
        }
    }
  g_array_sort (times, compare_times);
  return times;
}

/* At most LIMIT messages in any WINDOW seconds: one more now? If not,
 * the next one may go when the oldest of the last LIMIT leaves the
 * window. */
static void
check_messages (GArray            *sent,
                gint64             now,
                guint              window,
                guint              limit,
                PostierHoldReason  reason,
                PostierRelayHold  *hold)
{
  g_autoptr(GArray) times = NULL;
  guint64 recipients;

  if (limit == 0)
    return;
  times = in_window (sent, now, window, &recipients);
  if (times->len < limit)
    return;
  consider (hold, reason, limit,
            g_array_index (times, gint64, times->len - limit) + window);
}

/* At most LIMIT recipients in 24 hours: N more now? A transaction larger
 * than the whole limit waits for an empty window, then goes (it cannot
 * be made smaller here; the per-message limit does that). */
static void
check_recipients (GArray           *sent,
                  gint64            now,
                  guint             limit,
                  guint             n,
                  PostierRelayHold *hold)
{
  guint64 used = 0, excess;
  g_autoptr(GArray) records = NULL;

  if (limit == 0)
    return;
  records = g_array_new (FALSE, FALSE, sizeof (Sent));
  for (guint i = 0; i < sent->len; i++)
    {
      Sent record = g_array_index (sent, Sent, i);

      record.time = when (&record, now);
      if (record.time > now - DAY_SECONDS)
        {
          g_array_append_val (records, record);
          used += record.n;
        }
    }
  if (used + MIN (n, limit) <= limit)
    return;
  g_array_sort (records, compare_times);  /* time is the struct's first member */
  excess = used + MIN (n, limit) - limit;
  for (guint i = 0; i < records->len; i++)
    {
      const Sent *record = &g_array_index (records, Sent, i);

      if (record->n >= excess)
        {
          consider (hold, POSTIER_HOLD_RECIPIENTS_PER_DAY, limit, record->time + DAY_SECONDS);
          return;
        }
      excess -= record->n;
    }
}

gboolean
postier_relay_limiter_check (PostierRelayLimiter *self,
                             PostierAccount      *account,
                             guint                n_recipients,
                             PostierRelayHold    *hold)
{
  PostierRelayHold found = { POSTIER_HOLD_NONE, 0, 0 };
  PostierAccountLimits limits;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  Usage *usage;
  gint64 now;
  int lock;

  g_return_val_if_fail (POSTIER_IS_RELAY_LIMITER (self), TRUE);
  g_return_val_if_fail (POSTIER_IS_ACCOUNT (account), TRUE);

  if (hold != NULL)
    *hold = found;
  if (postier_account_get_kind (account) == POSTIER_ACCOUNT_KIND_SANDBOX)
    return TRUE;
  postier_account_get_limits (account, &limits);
  if (limits.recipients_per_message > 0)
    n_recipients = MIN (n_recipients, limits.recipients_per_message);

  dir = dir_path (self);
  path = file_path (dir, postier_account_get_name (account));
  g_mutex_lock (&self->mutex);
  now = self->clock (self->clock_data);
  usage = g_hash_table_lookup (self->usage, path);
  if (!usage_is_current (usage, path))
    {
      lock = lock_dir (dir, FALSE);
      usage = lookup (self, path);
      unlock_dir (lock);
    }

  if (usage->hold_until > now)
    consider (&found, usage->hold_reason, 0, usage->hold_until);
  check_messages (usage->sent, now, 60, limits.messages_per_minute,
                  POSTIER_HOLD_MESSAGES_PER_MINUTE, &found);
  check_messages (usage->sent, now, 3600, limits.messages_per_hour,
                  POSTIER_HOLD_MESSAGES_PER_HOUR, &found);
  check_messages (usage->sent, now, DAY_SECONDS, limits.messages_per_day,
                  POSTIER_HOLD_MESSAGES_PER_DAY, &found);
  check_recipients (usage->sent, now, limits.recipients_per_day, n_recipients, &found);
  g_mutex_unlock (&self->mutex);

  if (hold != NULL)
    *hold = found;
  return found.reason == POSTIER_HOLD_NONE;
}

void
postier_relay_limiter_record (PostierRelayLimiter *self,
                              const char          *account_name,
                              guint                n_recipients)
{
  g_autofree char *line = NULL;
  gint64 now;

  g_return_if_fail (POSTIER_IS_RELAY_LIMITER (self));
  g_return_if_fail (account_name != NULL);

  g_mutex_lock (&self->mutex);
  now = self->clock (self->clock_data);
  line = g_strdup_printf ("s %" G_GINT64_FORMAT " %u\n", now, n_recipients);
  append (self, account_name, line, now);
  g_mutex_unlock (&self->mutex);
}

gint64
postier_relay_limiter_relay_said (PostierRelayLimiter *self,
                                  const char          *account_name,
                                  PostierHoldReason    reason)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *line = NULL;
  Usage *usage;
  gint64 now, until;
  int lock;

  g_return_val_if_fail (POSTIER_IS_RELAY_LIMITER (self), 0);
  g_return_val_if_fail (account_name != NULL, 0);
  g_return_val_if_fail (reason == POSTIER_HOLD_RELAY_RATE ||
                        reason == POSTIER_HOLD_RELAY_DAILY_QUOTA, 0);

  dir = dir_path (self);
  path = file_path (dir, account_name);
  g_mutex_lock (&self->mutex);
  now = self->clock (self->clock_data);
  lock = lock_dir (dir, FALSE);
  usage = lookup (self, path);
  unlock_dir (lock);

  if (reason == POSTIER_HOLD_RELAY_RATE)
    {
      guint level = usage->rate_chain ? MIN (usage->level + 1, 16) : 0;
      gint64 delay = MIN ((gint64) RELAY_BACKOFF_FIRST_SECONDS << level, RELAY_BACKOFF_MAX_SECONDS);

      until = now + delay;
      line = g_strdup_printf ("r %" G_GINT64_FORMAT " %u\n", until, level);
    }
  else
    {
      gint64 oldest = 0;

      for (guint i = 0; i < usage->sent->len; i++)
        {
          gint64 t = when (&g_array_index (usage->sent, Sent, i), now);

          if (t > now - DAY_SECONDS && (oldest == 0 || t < oldest))
            oldest = t;
        }
      until = oldest != 0 ? oldest + DAY_SECONDS : now + DAY_SECONDS;
      until = CLAMP (until, now + RELAY_QUOTA_MIN_SECONDS, now + DAY_SECONDS);
      line = g_strdup_printf ("q %" G_GINT64_FORMAT "\n", until);
    }
  append (self, account_name, line, now);
  g_mutex_unlock (&self->mutex);
  return until;
}

void
postier_relay_limiter_release (PostierRelayLimiter *self,
                               const char          *account_name)
{
  g_return_if_fail (POSTIER_IS_RELAY_LIMITER (self));
  g_return_if_fail (account_name != NULL);

  g_mutex_lock (&self->mutex);
  append (self, account_name, "c\n", self->clock (self->clock_data));
  g_mutex_unlock (&self->mutex);
}

gint64
postier_relay_limiter_next_release (PostierRelayLimiter *self,
                                    GPtrArray           *accounts)
{
  gint64 earliest = 0;

  g_return_val_if_fail (POSTIER_IS_RELAY_LIMITER (self), 0);

  for (guint i = 0; accounts != NULL && i < accounts->len; i++)
    {
      PostierRelayHold hold;

      if (!postier_relay_limiter_check (self, g_ptr_array_index (accounts, i), 1, &hold) &&
          (earliest == 0 || hold.until < earliest))
        earliest = hold.until;
    }
  return earliest;
}

/* ---------------------------------------------------------------------- */
/* For people */

const char *
postier_hold_reason_to_string (PostierHoldReason reason)
{
  static const char * const names[] = {
    "none", "messages-per-minute", "messages-per-hour", "messages-per-day",
    "recipients-per-day", "relay-rate", "relay-daily-quota",
  };

  g_return_val_if_fail (reason <= POSTIER_HOLD_RELAY_DAILY_QUOTA, NULL);
  return names[reason];
}

/* "10:42" today, "Tue 09:00" another day; local time. */
static char *
format_when (gint64 until,
             gint64 now)
{
  g_autoptr(GDateTime) then = g_date_time_new_from_unix_local (until);
  g_autoptr(GDateTime) today = g_date_time_new_from_unix_local (now);

  if (then == NULL || today == NULL)
    return g_strdup ("?");
  if (g_date_time_get_year (then) == g_date_time_get_year (today) &&
      g_date_time_get_day_of_year (then) == g_date_time_get_day_of_year (today))
    /* TRANSLATORS: the time a held message goes, today; see strftime */
    return g_date_time_format (then, _("%H:%M"));
  /* TRANSLATORS: the day and time a held message goes; see strftime */
  return g_date_time_format (then, _("%a %H:%M"));
}

char *
postier_relay_hold_describe (const PostierRelayHold *hold,
                             gint64                  now)
{
  g_autofree char *at = NULL;
  guint n;

  g_return_val_if_fail (hold != NULL, NULL);

  if (hold->reason == POSTIER_HOLD_NONE)
    return NULL;
  at = format_when (hold->until, now != 0 ? now : postier_clock_real_now (NULL));
  n = hold->limit;
  switch (hold->reason)
    {
    case POSTIER_HOLD_MESSAGES_PER_MINUTE:
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "held by the relay’s limit of %u message a minute — next at %s",
                                           "held by the relay’s limit of %u messages a minute — next at %s",
                                           n), n, at);
    case POSTIER_HOLD_MESSAGES_PER_HOUR:
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "held by the relay’s limit of %u message an hour — next at %s",
                                           "held by the relay’s limit of %u messages an hour — next at %s",
                                           n), n, at);
    case POSTIER_HOLD_MESSAGES_PER_DAY:
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "held by the relay’s limit of %u message a day — next at %s",
                                           "held by the relay’s limit of %u messages a day — next at %s",
                                           n), n, at);
    case POSTIER_HOLD_RECIPIENTS_PER_DAY:
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "held by the relay’s limit of %u recipient a day — next at %s",
                                           "held by the relay’s limit of %u recipients a day — next at %s",
                                           n), n, at);
    case POSTIER_HOLD_RELAY_RATE:
      return g_strdup_printf (_("held: the relay asked to slow down — next at %s"), at);
    case POSTIER_HOLD_RELAY_DAILY_QUOTA:
      return g_strdup_printf (_("held: the relay’s daily sending limit is reached — next at %s"), at);
    case POSTIER_HOLD_NONE:
    default:
      return NULL;
    }
}
