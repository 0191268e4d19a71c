/* postier-sendmail-reader.c — sendmail's standard input, into the outbox
 *
 * The framing of the header block (where one field ends and the next
 * begins) is done here rather than by GMime's parser, because GMime
 * rewrites what it parses and sendmail keeps the headers it does not
 * touch byte for byte. What a field means — addresses, dates, message
 * ids — is GMime's work.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-mime"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "postier-address.h"
#include "postier-core.h"
#include "postier-error.h"
#include "postier-mime-private.h"
#include "postier-mime-sink.h"
#include "postier-sendmail-reader.h"

#define READ_SIZE (64 * 1024)

typedef enum {
  PHASE_HEADERS,
  PHASE_BODY,
  PHASE_DONE,
} Phase;

/* One header field in the buffered header block: its bytes, CRLF line
 * ends included, continuation lines included. */
typedef struct {
  gsize offset;
  gsize length;
  gsize name_length;
} Field;

struct _PostierSendmailReader
{
  GObject               parent_instance;

  PostierSendmailFlags  flags;
  char                 *default_from;

  /* Reading state. */
  Phase                 phase;
  GError               *error;
  GMimeStream          *sink;
  guint                 line_number;
  gsize                 line_length;     /* octets of the current line so far */
  gboolean              pending_cr;
  gboolean              pending_dot;     /* a "." opened the line: held back until we know more */
  gboolean              any_input;
  GByteArray           *header;          /* the header block, CRLF line ends */
  gsize                 line_start;      /* where the current header line starts in header */
  GArray               *fields;          /* Field */
  gboolean              skipped_mbox_line;
  guint8               *out;
  gsize                 out_length;

  /* Results. */
  GPtrArray            *recipients;      /* char*, NULL-terminated */
  gboolean              eight_bit;
  gboolean              utf8_headers;
  gboolean              added_date;
  gboolean              added_message_id;
};

G_DEFINE_FINAL_TYPE (PostierSendmailReader, postier_sendmail_reader, G_TYPE_OBJECT)

#define OUT_SIZE (64 * 1024)

static void
postier_sendmail_reader_finalize (GObject *object)
{
  PostierSendmailReader *self = POSTIER_SENDMAIL_READER (object);

  g_free (self->default_from);
  g_clear_error (&self->error);
  g_clear_object (&self->sink);
  g_byte_array_unref (self->header);
  g_array_unref (self->fields);
  g_free (self->out);
  g_ptr_array_unref (self->recipients);

  G_OBJECT_CLASS (postier_sendmail_reader_parent_class)->finalize (object);
}

static void
postier_sendmail_reader_class_init (PostierSendmailReaderClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = postier_sendmail_reader_finalize;
}

static void
postier_sendmail_reader_init (PostierSendmailReader *self)
{
  self->header = g_byte_array_new ();
  self->fields = g_array_new (FALSE, FALSE, sizeof (Field));
  self->out = g_malloc (OUT_SIZE);
  self->recipients = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (self->recipients, NULL);
}

PostierSendmailReader *
postier_sendmail_reader_new (PostierSendmailFlags flags)
{
  PostierSendmailReader *self = g_object_new (POSTIER_TYPE_SENDMAIL_READER, NULL);

  self->flags = flags;
  return self;
}

void
postier_sendmail_reader_set_default_from (PostierSendmailReader *self,
                                          const char            *identity)
{
  g_return_if_fail (POSTIER_IS_SENDMAIL_READER (self));
  g_free (self->default_from);
  self->default_from = g_strdup (identity);
}

static void
fail_malformed (PostierSendmailReader *self,
                const char            *format,
                ...) G_GNUC_PRINTF (2, 3);

static void
fail_malformed (PostierSendmailReader *self,
                const char            *format,
                ...)
{
  va_list args;

  if (self->error != NULL)
    return;
  va_start (args, format);
  self->error = g_error_new_valist (POSTIER_MESSAGE_ERROR, POSTIER_MESSAGE_ERROR_MALFORMED, format, args);
  va_end (args);
  self->phase = PHASE_DONE;
}

/* --- Output ------------------------------------------------------------ */

static void
flush_out (PostierSendmailReader *self)
{
  if (self->out_length == 0)
    return;
  if (g_mime_stream_write (self->sink, (const char *) self->out, self->out_length) < 0)
    self->phase = PHASE_DONE;  /* the sink knows why; run() asks it */
  self->out_length = 0;
}

static inline void
put_byte (PostierSendmailReader *self,
          guint8                 byte)
{
  self->out[self->out_length++] = byte;
  if (self->out_length == OUT_SIZE)
    flush_out (self);
}

static void
put_bytes (PostierSendmailReader *self,
           const void            *data,
           gsize                  length)
{
  flush_out (self);
  if (length > 0 && g_mime_stream_write (self->sink, data, length) < 0)
    self->phase = PHASE_DONE;
}

/* --- The header block -------------------------------------------------- */

static gboolean
is_field_name_char (guint8 c)
{
  return c >= 33 && c <= 126 && c != ':';
}

/* "From :" (space before the colon, RFC 5322's obsolete syntax) is a
 * field, not an mbox separator line. */
static gboolean
is_obsolete_from_field (const guint8 *line,
                        gsize         length)
{
  gsize i = 4;

  while (i < length && (line[i] == ' ' || line[i] == '\t'))
    i++;
  return i < length && line[i] == ':';
}

/* Checks the header line that just ended (header->data from line_start,
 * without its CRLF) and records where fields start. */
static void
header_line_ended (PostierSendmailReader *self)
{
  const guint8 *line = self->header->data + self->line_start;
  gsize length = self->header->len - self->line_start;
  gsize name_length = 0;
  gsize i;

  /* An mbox "From " line before the first field is not part of the
   * message; sendmail drops it too. */
  if (self->fields->len == 0 && !self->skipped_mbox_line && length >= 5 &&
      memcmp (line, "From ", 5) == 0 && !is_obsolete_from_field (line, length))
    {
      self->skipped_mbox_line = TRUE;
      g_byte_array_set_size (self->header, (guint) self->line_start);
      return;
    }

  if (length > 0 && (line[0] == ' ' || line[0] == '\t'))
    {
      Field *field;

      if (self->fields->len == 0)
        {
          fail_malformed (self, _("Line %u starts with a space, but no header field comes before it"),
                          self->line_number);
          return;
        }
      field = &g_array_index (self->fields, Field, self->fields->len - 1);
      g_byte_array_append (self->header, (const guint8 *) "\r\n", 2);
      field->length = self->header->len - field->offset;
      return;
    }

  while (name_length < length && is_field_name_char (line[name_length]))
    name_length++;
  i = name_length;
  while (i < length && (line[i] == ' ' || line[i] == '\t'))
    i++;
  if (name_length == 0 || i >= length || line[i] != ':')
    {
      fail_malformed (self, _("Line %u is neither a header field nor the blank line that ends the headers"),
                      self->line_number);
      return;
    }

  g_byte_array_append (self->header, (const guint8 *) "\r\n", 2);
  g_array_append_val (self->fields, ((Field) {
    .offset = self->line_start,
    .length = self->header->len - self->line_start,
    .name_length = name_length,
  }));
}

static gboolean
field_is (PostierSendmailReader *self,
          const Field           *field,
          const char            *name)
{
  return field->name_length == strlen (name) &&
         g_ascii_strncasecmp ((const char *) self->header->data + field->offset, name, field->name_length) == 0;
}

/* The value of FIELD without its name, colon and line folding. */
static char *
field_value (PostierSendmailReader *self,
             const Field           *field)
{
  const char *start = (const char *) self->header->data + field->offset;
  const char *colon = memchr (start, ':', field->length);
  g_autofree char *raw = g_strndup (colon + 1, field->length - (gsize) (colon + 1 - start));
  char *unfolded = g_mime_utils_header_unfold (raw);

  return g_strstrip (unfolded);
}

static gboolean
collect_recipients (PostierSendmailReader *self,
                    const Field           *field,
                    const char            *name)
{
  g_autofree char *value = field_value (self, field);
  g_autoptr(InternetAddressList) list = NULL;
  g_autoptr(GPtrArray) mailboxes = g_ptr_array_new ();

  if (!g_utf8_validate (value, -1, NULL))
    {
      g_autofree char *latin = g_mime_utils_decode_8bit (NULL, value, strlen (value));
      g_free (value);
      value = g_steal_pointer (&latin);
    }
  list = postier_address_list_parse (value, name, &self->error);
  if (list == NULL)
    {
      self->phase = PHASE_DONE;
      return FALSE;
    }
  postier_address_list_collect (list, mailboxes);
  for (guint i = 0; i < mailboxes->len; i++)
    g_ptr_array_insert (self->recipients, (gint) self->recipients->len - 1,
                        g_strdup (internet_address_mailbox_get_addr (g_ptr_array_index (mailboxes, i))));
  return TRUE;
}

static char *
address_of_from (PostierSendmailReader *self,
                 const Field           *from_field)
{
  g_autofree char *value = NULL;
  g_autoptr(InternetAddressList) list = NULL;
  InternetAddress *first;

  if (from_field != NULL)
    value = field_value (self, from_field);
  else if (self->default_from != NULL)
    value = g_strdup (self->default_from);
  else
    return NULL;

  list = internet_address_list_parse (NULL, value);
  if (list == NULL || internet_address_list_length (list) == 0)
    return NULL;
  first = internet_address_list_get_address (list, 0);
  if (!INTERNET_ADDRESS_IS_MAILBOX (first))
    return NULL;
  return g_strdup (internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (first)));
}

static void
put_added_header (PostierSendmailReader *self,
                  const char            *name,
                  const char            *value)
{
  g_autofree char *line = g_strdup_printf ("%s: %s\r\n", name, value);

  put_bytes (self, line, strlen (line));
}

/* The blank line came: the header block is complete. Writes it out, with
 * what it lacks added and Bcc left out. */
static void
header_block_ended (PostierSendmailReader *self)
{
  const Field *from_field = NULL;
  gboolean has_date = FALSE;
  gboolean has_message_id = FALSE;

  for (guint i = 0; i < self->fields->len; i++)
    {
      const Field *field = &g_array_index (self->fields, Field, i);

      if (field_is (self, field, "Date"))
        has_date = TRUE;
      else if (field_is (self, field, "Message-ID"))
        has_message_id = TRUE;
      else if (field_is (self, field, "From") && from_field == NULL)
        from_field = field;

      if (self->flags & POSTIER_SENDMAIL_READ_HEADERS)
        {
          const char *names[] = { "To", "Cc", "Bcc" };
          for (guint n = 0; n < G_N_ELEMENTS (names); n++)
            if (field_is (self, field, names[n]) && !collect_recipients (self, field, names[n]))
              return;
        }
    }

  for (guint i = 0; i < self->header->len; i++)
    if (self->header->data[i] >= 0x80)
      {
        self->utf8_headers = TRUE;
        self->eight_bit = TRUE;
        break;
      }

  /* Kept fields, byte for byte, in order; Bcc never leaves. */
  for (guint i = 0; i < self->fields->len; i++)
    {
      const Field *field = &g_array_index (self->fields, Field, i);
      if (!field_is (self, field, "Bcc"))
        put_bytes (self, self->header->data + field->offset, field->length);
    }

  if (from_field == NULL && self->default_from != NULL)
    {
      g_autoptr(InternetAddressList) identity = internet_address_list_parse (NULL, self->default_from);
      if (identity != NULL)
        {
          g_autofree char *encoded = NULL;

          for (int i = 0; i < internet_address_list_length (identity); i++)
            internet_address_set_charset (internet_address_list_get_address (identity, i), "UTF-8");
          encoded = internet_address_list_to_string (identity, NULL, TRUE);
          put_added_header (self, "From", encoded);
        }
    }
  if (!has_date)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();
      g_autofree char *date = g_mime_utils_header_format_date (now);
      put_added_header (self, "Date", date);
      self->added_date = TRUE;
    }
  if (!has_message_id)
    {
      g_autofree char *address = address_of_from (self, from_field);
      g_autofree char *id = postier_mime_new_message_id (address);
      g_autofree char *bracketed = g_strdup_printf ("<%s>", id);
      put_added_header (self, "Message-ID", bracketed);
      self->added_message_id = TRUE;
    }
  put_bytes (self, "\r\n", 2);

  /* The block is out; free it before the body streams. */
  g_byte_array_set_size (self->header, 0);
  g_array_set_size (self->fields, 0);
}

/* --- Lines --------------------------------------------------------------- */

static void
line_ended (PostierSendmailReader *self)
{
  self->line_number++;

  if (!(self->flags & POSTIER_SENDMAIL_IGNORE_DOTS) && self->pending_dot && self->line_length == 1)
    {
      /* A lone dot: the end of the input, like sendmail without -i. */
      self->pending_dot = FALSE;
      if (self->phase == PHASE_HEADERS)
        fail_malformed (self, _("The message has no blank line between its headers and its body"));
      else
        self->phase = PHASE_DONE;
      return;
    }

  if (self->phase == PHASE_HEADERS)
    {
      if (self->pending_dot)
        g_byte_array_append (self->header, (const guint8 *) ".", 1);
      self->pending_dot = FALSE;
      if (self->line_length == 0)
        {
          header_block_ended (self);
          if (self->phase == PHASE_HEADERS)
            self->phase = PHASE_BODY;
        }
      else
        header_line_ended (self);
      self->line_start = self->header->len;
    }
  else
    {
      if (self->pending_dot)
        put_byte (self, '.');
      self->pending_dot = FALSE;
      put_byte (self, '\r');
      put_byte (self, '\n');
    }
  self->line_length = 0;
}

static void
line_byte (PostierSendmailReader *self,
           guint8                 byte)
{
  if (byte >= 0x80)
    self->eight_bit = TRUE;

  if (self->line_length == 0 && byte == '.' && !(self->flags & POSTIER_SENDMAIL_IGNORE_DOTS))
    {
      self->pending_dot = TRUE;
      self->line_length = 1;
      return;
    }

  if (self->phase == PHASE_HEADERS)
    {
      if (self->pending_dot)
        g_byte_array_append (self->header, (const guint8 *) ".", 1);
      self->pending_dot = FALSE;
      if (self->header->len >= POSTIER_SENDMAIL_MAX_HEADER)
        {
          fail_malformed (self, _("The header block of the message is over %u octets"),
                          (guint) POSTIER_SENDMAIL_MAX_HEADER);
          return;
        }
      g_byte_array_append (self->header, &byte, 1);
    }
  else
    {
      if (self->pending_dot)
        put_byte (self, '.');
      self->pending_dot = FALSE;
      put_byte (self, byte);
    }
  self->line_length++;
}

static void
feed (PostierSendmailReader *self,
      const guint8          *data,
      gsize                  length)
{
  for (gsize i = 0; i < length && self->phase != PHASE_DONE; i++)
    {
      guint8 c = data[i];

      if (c == '\0')
        {
          fail_malformed (self, _("The message holds a NUL byte (line %u)"), self->line_number + 1);
          return;
        }
      if (self->pending_cr)
        {
          /* CRLF, or a lone CR: either way the line ended. */
          self->pending_cr = FALSE;
          line_ended (self);
          if (c == '\n' || self->phase == PHASE_DONE)
            continue;
        }
      if (c == '\r')
        self->pending_cr = TRUE;
      else if (c == '\n')
        line_ended (self);
      else
        line_byte (self, c);
    }
}

static void
input_ended (PostierSendmailReader *self)
{
  if (self->phase == PHASE_DONE)
    return;
  if (self->pending_cr)
    {
      self->pending_cr = FALSE;
      line_ended (self);
    }
  /* A last line without its line end still counts as a line. */
  if (self->phase != PHASE_DONE && self->line_length > 0)
    line_ended (self);
  if (self->phase == PHASE_HEADERS)
    {
      if (!self->any_input)
        fail_malformed (self, _("The message is empty"));
      else
        fail_malformed (self, _("The message has no blank line between its headers and its body"));
    }
}

gboolean
postier_sendmail_reader_run (PostierSendmailReader *self,
                             int                    in_fd,
                             int                    out_fd,
                             GCancellable          *cancellable,
                             GError               **error)
{
  g_autofree guint8 *buffer = NULL;
  int sink_fd;

  g_return_val_if_fail (POSTIER_IS_SENDMAIL_READER (self), FALSE);
  g_return_val_if_fail (in_fd >= 0 && out_fd >= 0, FALSE);
  g_return_val_if_fail (self->sink == NULL, FALSE);

  postier_core_init ();

  /* The sink owns a descriptor of its own, so OUT_FD stays the caller's. */
  sink_fd = dup (out_fd);
  if (sink_fd < 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "%s", g_strerror (saved_errno));
      return FALSE;
    }
  self->sink = postier_mime_sink_new (sink_fd, cancellable);
  buffer = g_malloc (READ_SIZE);

  while (self->phase != PHASE_DONE)
    {
      ssize_t n = read (in_fd, buffer, READ_SIZE);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved_errno = errno;
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       _("Cannot read the message: %s"), g_strerror (saved_errno));
          return FALSE;
        }
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (n == 0)
        {
          input_ended (self);
          break;
        }
      self->any_input = TRUE;
      feed (self, buffer, (gsize) n);
    }

  if (self->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&self->error));
      return FALSE;
    }
  flush_out (self);
  return postier_mime_sink_finish (POSTIER_MIME_SINK (self->sink), error);
}

const char * const *
postier_sendmail_reader_get_recipients (PostierSendmailReader *self)
{
  g_return_val_if_fail (POSTIER_IS_SENDMAIL_READER (self), NULL);
  return (const char * const *) self->recipients->pdata;
}

guint64
postier_sendmail_reader_get_size (PostierSendmailReader *self)
{
  g_return_val_if_fail (POSTIER_IS_SENDMAIL_READER (self), 0);
  return self->sink != NULL ? postier_mime_sink_get_written (POSTIER_MIME_SINK (self->sink)) : 0;
}

gboolean
postier_sendmail_reader_get_8bit (PostierSendmailReader *self)
{
  g_return_val_if_fail (POSTIER_IS_SENDMAIL_READER (self), FALSE);
  return self->eight_bit;
}

gboolean
postier_sendmail_reader_get_utf8_headers (PostierSendmailReader *self)
{
  g_return_val_if_fail (POSTIER_IS_SENDMAIL_READER (self), FALSE);
  return self->utf8_headers;
}

gboolean
postier_sendmail_reader_get_added_date (PostierSendmailReader *self)
{
  g_return_val_if_fail (POSTIER_IS_SENDMAIL_READER (self), FALSE);
  return self->added_date;
}

gboolean
postier_sendmail_reader_get_added_message_id (PostierSendmailReader *self)
{
  g_return_val_if_fail (POSTIER_IS_SENDMAIL_READER (self), FALSE);
  return self->added_message_id;
}

/* --- Into the outbox --------------------------------------------------- */

static gboolean
add_recipient_text (PostierEnvelope  *envelope,
                    const char       *text,
                    GError          **error)
{
  g_autoptr(InternetAddressList) list = postier_address_list_parse (text, _("recipient"), error);
  g_autoptr(GPtrArray) mailboxes = g_ptr_array_new ();

  if (list == NULL)
    return FALSE;
  postier_address_list_collect (list, mailboxes);
  for (guint i = 0; i < mailboxes->len; i++)
    postier_envelope_add_recipient (envelope,
                                    internet_address_mailbox_get_addr (g_ptr_array_index (mailboxes, i)));
  return TRUE;
}

/* -f "" and -f "<>" are the null reverse path (bounces); anything else
 * must be one valid address, with or without angle brackets. */
static char *
parse_sender (const char  *sender,
              GError     **error)
{
  g_autoptr(InternetAddressList) list = NULL;
  g_autoptr(GPtrArray) mailboxes = g_ptr_array_new ();

  if (*sender == '\0' || g_str_equal (sender, "<>"))
    return g_strdup ("");
  list = postier_address_list_parse (sender, "-f", error);
  if (list == NULL)
    return NULL;
  postier_address_list_collect (list, mailboxes);
  if (mailboxes->len != 1)
    {
      g_set_error (error, POSTIER_MESSAGE_ERROR, POSTIER_MESSAGE_ERROR_BAD_ADDRESS,
                   _("-f: “%s” is not one valid email address"), sender);
      return NULL;
    }
  return g_strdup (internet_address_mailbox_get_addr (g_ptr_array_index (mailboxes, 0)));
}

char *
postier_mime_enqueue_sendmail (int                   fd,
                               PostierSendmailFlags  flags,
                               const char           *sender,
                               const char * const   *recipients,
                               PostierAccount       *account,
                               PostierOutbox        *outbox,
                               GCancellable         *cancellable,
                               GError              **error)
{
  g_autoptr(PostierSendmailReader) reader = NULL;
  g_autoptr(PostierEnvelope) envelope = NULL;
  g_autofree char *staging = NULL;
  g_autofree char *envelope_sender = NULL;
  const char * const *header_recipients;
  gboolean international = FALSE;
  int out_fd;
  gboolean ok;

  g_return_val_if_fail (fd >= 0, NULL);
  g_return_val_if_fail (POSTIER_IS_ACCOUNT (account), NULL);
  g_return_val_if_fail (POSTIER_IS_OUTBOX (outbox), NULL);

  postier_core_init ();

  if (sender != NULL)
    envelope_sender = parse_sender (sender, error);
  else
    envelope_sender = g_strdup (postier_account_get_address (account) != NULL ?
                                postier_account_get_address (account) : "");
  if (envelope_sender == NULL)
    return NULL;
  envelope = postier_envelope_new (envelope_sender);
  for (guint i = 0; recipients != NULL && recipients[i] != NULL; i++)
    if (!add_recipient_text (envelope, recipients[i], error))
      return NULL;

  staging = postier_outbox_new_staging_path (outbox, error);
  if (staging == NULL)
    return NULL;
  out_fd = g_open (staging, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (out_fd < 0)
    {
      int saved_errno = errno;
      g_set_error (error, POSTIER_OUTBOX_ERROR, POSTIER_OUTBOX_ERROR_STORAGE,
                   _("Cannot write the message to “%s”: %s"), staging, g_strerror (saved_errno));
      return NULL;
    }

  reader = postier_sendmail_reader_new (flags);
  postier_sendmail_reader_set_default_from (reader, postier_account_get_identity (account));
  ok = postier_sendmail_reader_run (reader, fd, out_fd, cancellable, error);
  if (close (out_fd) != 0 && ok)
    {
      int saved_errno = errno;
      g_set_error (error, POSTIER_OUTBOX_ERROR, POSTIER_OUTBOX_ERROR_STORAGE,
                   _("Cannot write the message to “%s”: %s"), staging, g_strerror (saved_errno));
      ok = FALSE;
    }
  if (!ok)
    {
      g_unlink (staging);
      return NULL;
    }

  header_recipients = postier_sendmail_reader_get_recipients (reader);
  for (guint i = 0; header_recipients[i] != NULL; i++)
    postier_envelope_add_recipient (envelope, header_recipients[i]);
  if (postier_envelope_get_n_recipients (envelope) == 0)
    {
      g_unlink (staging);
      g_set_error (error, POSTIER_MESSAGE_ERROR, POSTIER_MESSAGE_ERROR_NO_RECIPIENTS,
                   (flags & POSTIER_SENDMAIL_READ_HEADERS) ?
                   _("The message has no recipients: its To, Cc and Bcc are empty") :
                   _("The message has no recipients: give them as arguments, or use -t"));
      return NULL;
    }

  international = postier_address_is_international (postier_envelope_get_sender (envelope));
  for (guint i = 0; i < postier_envelope_get_n_recipients (envelope); i++)
    international |= postier_address_is_international (postier_envelope_get_recipient (envelope, i));
  postier_envelope_set_size (envelope, postier_sendmail_reader_get_size (reader));
  postier_envelope_set_8bit (envelope, postier_sendmail_reader_get_8bit (reader));
  postier_envelope_set_utf8_headers (envelope, postier_sendmail_reader_get_utf8_headers (reader));
  postier_envelope_set_needs_smtputf8 (envelope, international ||
                                       postier_sendmail_reader_get_utf8_headers (reader));

  return postier_outbox_enqueue_file (outbox, postier_account_get_name (account), envelope, staging,
                                      cancellable, error);
}
