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
#include "postier-init.h"
#include "postier-error.h"
#include "postier-message-check.h"
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
  guint line;                            /* where it starts in the input */
} Field;

/* RFC 5322 2.1.1: no line over 998 octets, CRLF excluded. */
#define MAX_LINE_OCTETS 998
/* Where a folded header line aims to end (RFC 5322 2.1.1's 78). */
#define FOLD_COLUMN 78
/* A word of an unstructured header longer than this cannot sit on a
 * line of its own: it goes out as RFC 2047 encoded words. */
#define MAX_HEADER_WORD 900
/* Octets of UTF-8 per encoded word: "=?UTF-8?B?" + 60 + "?=" is 72,
 * under RFC 2047's 75. */
#define ENCODED_WORD_OCTETS 45

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
  guint64               max_size;        /* 0: no cap */
  guint64               put_total;       /* octets given to the sink */
  char                 *scratch_dir;

  /* What the body holds that SMTP does not carry as is. */
  gboolean              body_long_line;
  gboolean              body_bare_cr;
  gboolean              body_8bit;

  /* Results. */
  GPtrArray            *recipients;      /* char*, NULL-terminated */
  gboolean              eight_bit;
  gboolean              utf8_headers;
  gboolean              added_date;
  gboolean              added_message_id;
  gboolean              reencoded;
  guint64               size;
};

G_DEFINE_FINAL_TYPE (PostierSendmailReader, postier_sendmail_reader, G_TYPE_OBJECT)

#define OUT_SIZE (64 * 1024)

static void
postier_sendmail_reader_finalize (GObject *object)
{
  PostierSendmailReader *self = POSTIER_SENDMAIL_READER (object);

  g_free (self->default_from);
  g_free (self->scratch_dir);
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

void
postier_sendmail_reader_set_max_size (PostierSendmailReader *self,
                                      guint64                max_size)
{
  g_return_if_fail (POSTIER_IS_SENDMAIL_READER (self));
  self->max_size = max_size;
}

void
postier_sendmail_reader_set_scratch_dir (PostierSendmailReader *self,
                                         const char            *dir)
{
  g_return_if_fail (POSTIER_IS_SENDMAIL_READER (self));
  g_free (self->scratch_dir);
  self->scratch_dir = g_strdup (dir);
}

static void
fail_with (PostierSendmailReader *self,
           PostierMessageError    code,
           const char            *format,
           ...) G_GNUC_PRINTF (3, 4);

static void
fail_with (PostierSendmailReader *self,
           PostierMessageError    code,
           const char            *format,
           ...)
{
  va_list args;

  if (self->error != NULL)
    return;
  va_start (args, format);
  self->error = g_error_new_valist (POSTIER_MESSAGE_ERROR, code, format, args);
  va_end (args);
  self->phase = PHASE_DONE;
}

#define fail_malformed(self, ...) fail_with ((self), POSTIER_MESSAGE_ERROR_MALFORMED, __VA_ARGS__)

static void
fail_too_large (PostierSendmailReader *self)
{
  g_autofree char *limit = g_format_size (self->max_size);

  fail_with (self, POSTIER_MESSAGE_ERROR_TOO_LARGE,
             _("The message is larger than %s, the most Postier will send through this account; "
               "nothing was queued"), limit);
}

/* --- Output ------------------------------------------------------------ */

/* Counts what goes out, and stops at the cap: the input may be endless
 * (/dev/zero, a runaway pipe); neither memory nor the disk may follow. */
static gboolean
count_out (PostierSendmailReader *self,
           gsize                  length)
{
  self->put_total += length;
  if (self->max_size != 0 && self->put_total > self->max_size)
    {
      fail_too_large (self);
      return FALSE;
    }
  return TRUE;
}

static void
flush_out (PostierSendmailReader *self)
{
  if (self->out_length == 0)
    return;
  if (!count_out (self, self->out_length))
    {
      self->out_length = 0;
      return;
    }
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
  if (length == 0 || self->phase == PHASE_DONE || !count_out (self, length))
    return;
  if (g_mime_stream_write (self->sink, data, length) < 0)
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

static void header_block_ended (PostierSendmailReader *self);
static void body_line (PostierSendmailReader *self, const guint8 *line, gsize length);

/* The name of the field a header line belongs to, for error messages. */
static char *
name_of_line (PostierSendmailReader *self,
              const guint8          *line,
              gsize                  name_length)
{
  const Field *field;

  if (name_length > 0)
    return g_strndup ((const char *) line, MIN (name_length, 64));
  field = &g_array_index (self->fields, Field, self->fields->len - 1);
  return g_strndup ((const char *) self->header->data + field->offset, MIN (field->name_length, 64));
}

/* A header line must be text: a CR without its LF could make a reader or
 * a relay see a header we never saw (Bcc: hidden recipients), so it is
 * refused; so are other control characters and bytes that are not UTF-8
 * (RFC 6532 allows UTF-8 in headers, nothing else beyond ASCII). */
static gboolean
header_line_is_text (PostierSendmailReader *self,
                     const guint8          *line,
                     gsize                  length,
                     gsize                  name_length)
{
  gboolean has_8bit = FALSE;

  for (gsize i = 0; i < length; i++)
    {
      g_autofree char *name = NULL;

      if (line[i] >= 0x80)
        has_8bit = TRUE;
      else if (line[i] == '\r')
        {
          name = name_of_line (self, line, name_length);
          fail_with (self, POSTIER_MESSAGE_ERROR_HEADER_INJECTION,
                     _("Line %u: the %s header holds a carriage return that does not end the line; "
                       "it could hide another header, so the message is refused"),
                     self->line_number, name);
          return FALSE;
        }
      else if ((line[i] < 0x20 && line[i] != '\t') || line[i] == 0x7f)
        {
          name = name_of_line (self, line, name_length);
          fail_malformed (self, _("Line %u: the %s header holds a control character (0x%02X)"),
                          self->line_number, name, line[i]);
          return FALSE;
        }
    }
  if (has_8bit && !g_utf8_validate_len ((const char *) line, length, NULL))
    {
      g_autofree char *name = name_of_line (self, line, name_length);

      fail_malformed (self, _("Line %u: the %s header is not valid UTF-8 text"),
                      self->line_number, name);
      return FALSE;
    }
  return TRUE;
}

/* The header line that just ended (header->data from line_start, without
 * its line end) is a field, a continuation, or, as Postfix's cleanup
 * reads it, the first line of the body: then the header block ends
 * before it and the blank line between them is added. */
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

  if (length > 0 && (line[0] == ' ' || line[0] == '\t') && self->fields->len > 0)
    {
      Field *field;

      if (!header_line_is_text (self, line, length, 0))
        return;
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
      /* Not a header: the body starts here. */
      g_autofree guint8 *copy = g_memdup2 (line, length);

      g_byte_array_set_size (self->header, (guint) self->line_start);
      header_block_ended (self);
      if (self->phase == PHASE_DONE)
        return;
      self->phase = PHASE_BODY;
      body_line (self, copy, length);
      return;
    }

  if (!header_line_is_text (self, line, length, name_length))
    return;
  g_byte_array_append (self->header, (const guint8 *) "\r\n", 2);
  g_array_append_val (self->fields, ((Field) {
    .offset = self->line_start,
    .length = self->header->len - self->line_start,
    .name_length = name_length,
    .line = self->line_number,
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

/* What Postier's own check list would fail in a header, refused before
 * anything is queued (65): encoded words that do not decode, a Date that
 * is not a date, a second Date or Message-ID. */
static gboolean
field_passes_checks (PostierSendmailReader *self,
                     const Field           *field,
                     gboolean               seen_date,
                     gboolean               seen_message_id)
{
  g_autofree char *value = field_value (self, field);
  g_autofree char *name = g_strndup ((const char *) self->header->data + field->offset,
                                     MIN (field->name_length, 64));

  if (!postier_message_check_header_value (value, TRUE))
    {
      fail_malformed (self, _("Line %u: the %s header holds an RFC 2047 encoded word that does not "
                              "decode (an unknown charset, or text that is not valid in it)"),
                      field->line, name);
      return FALSE;
    }
  if ((field_is (self, field, "Date") && seen_date) ||
      (field_is (self, field, "Message-ID") && seen_message_id))
    {
      fail_malformed (self, _("Line %u: a second %s header; a message has only one"), field->line, name);
      return FALSE;
    }
  if (field_is (self, field, "Date"))
    {
      g_autoptr(GDateTime) date = g_mime_utils_header_decode_date (value);

      if (date == NULL)
        {
          fail_malformed (self, _("Line %u: the Date header “%s” is not a date"), field->line, value);
          return FALSE;
        }
    }
  return TRUE;
}

/* RFC 5322 3.2.5 calls these unstructured: their text may be RFC 2047
 * encoded without changing what they mean. Any other field with a word
 * too long to fold is refused rather than altered. */
static gboolean
field_is_unstructured (PostierSendmailReader *self,
                       const Field           *field)
{
  return field_is (self, field, "Subject") || field_is (self, field, "Comments") ||
         field_is (self, field, "Content-Description") ||
         (field->name_length > 2 &&
          g_ascii_strncasecmp ((const char *) self->header->data + field->offset, "X-", 2) == 0);
}

static gboolean
has_long_line (const guint8 *data,
               gsize         length)
{
  gsize line = 0;

  for (gsize i = 0; i < length; i++)
    {
      if (data[i] == '\n')
        line = 0;
      else if (data[i] != '\r' && ++line > MAX_LINE_OCTETS)
        return TRUE;
    }
  return FALSE;
}

static gboolean
has_long_word (const char *text)
{
  while (*text != '\0')
    {
      gsize word = strcspn (text, " \t");

      if (word > MAX_HEADER_WORD)
        return TRUE;
      text += word;
      text += strspn (text, " \t");
    }
  return FALSE;
}

/* TEXT (UTF-8) as RFC 2047 B-encoded words separated by spaces, each on
 * whole characters. Every word but the last holds a multiple of three
 * octets, so no padding sits between words: some decoders (GMime's among
 * them) join adjacent words before decoding them. */
static char *
encode_words (const char *text)
{
  g_autoptr(GString) out = g_string_new (NULL);
  const char *p = text;
  const char *end = text + strlen (text);

  while (p < end)
    {
      const char *chunk_end = p;
      const char *whole = NULL;   /* the last end at a multiple of three */
      g_autofree char *encoded = NULL;

      while (chunk_end < end)
        {
          const char *next = g_utf8_next_char (chunk_end);
          if (next - p > ENCODED_WORD_OCTETS)
            break;
          chunk_end = next;
          if ((chunk_end - p) % 3 == 0)
            whole = chunk_end;
        }
      if (chunk_end == p)
        chunk_end = g_utf8_next_char (p);
      else if (chunk_end < end && whole != NULL)
        chunk_end = whole;
      encoded = g_base64_encode ((const guchar *) p, (gsize) (chunk_end - p));
      if (out->len > 0)
        g_string_append_c (out, ' ');
      g_string_append_printf (out, "=?UTF-8?B?%s?=", encoded);
      p = chunk_end;
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* A field with a line over 998 octets, folded again (RFC 5322 3.2.2:
 * a CRLF before a blank, aiming at 78 columns), with the over-long words
 * of an unstructured field RFC 2047 encoded. NULL (and a failure) when a
 * line would still be too long. */
static char *
refold_field (PostierSendmailReader *self,
              const Field           *field)
{
  const char *start = (const char *) self->header->data + field->offset;
  g_autoptr(GString) unfolded = g_string_sized_new (field->length);
  g_autoptr(GString) folded = g_string_sized_new (field->length + field->length / 32);
  gsize column = 0;
  gsize i = 0;

  /* Unfold: drop every CRLF, keep the blanks after them. */
  for (gsize k = 0; k < field->length; k++)
    if (start[k] != '\r' && start[k] != '\n')
      g_string_append_c (unfolded, start[k]);

  /* An unstructured field with a word no line can hold goes out wholly
   * encoded (what it says, decoded first if it had encoded words), so
   * the blanks between its words survive decoding too. */
  if (field_is_unstructured (self, field) && has_long_word (unfolded->str + field->name_length))
    {
      const char *value = strchr (unfolded->str, ':') + 1;
      g_autofree char *text = g_mime_utils_header_decode_text (NULL, value + strspn (value, " \t"));
      g_autofree char *words = encode_words (text);

      g_string_truncate (unfolded, (gsize) (value - unfolded->str));
      g_string_append_printf (unfolded, " %s", words);
    }

  /* Segments: a run of blanks, then a word. The name and colon are the
   * first word; a break is only ever put before a blank. */
  while (i < unfolded->len)
    {
      gsize blanks = i;
      gsize word;
      g_autoptr(GString) segment = g_string_new (NULL);

      while (blanks < unfolded->len && (unfolded->str[blanks] == ' ' || unfolded->str[blanks] == '\t'))
        blanks++;
      word = blanks;
      while (word < unfolded->len && unfolded->str[word] != ' ' && unfolded->str[word] != '\t')
        word++;

      g_string_append_len (segment, unfolded->str + i, (gssize) (word - i));

      /* One piece per blank run and word (the loop is kept general). */
      for (gsize k = 0; k < segment->len; )
        {
          gsize piece_end = k;

          while (piece_end < segment->len && (segment->str[piece_end] == ' ' || segment->str[piece_end] == '\t'))
            piece_end++;
          while (piece_end < segment->len && segment->str[piece_end] != ' ' && segment->str[piece_end] != '\t')
            piece_end++;
          /* Break before a blank that leads to a word, never leaving a
           * line of blanks only. */
          if (column > 0 && k < piece_end && (segment->str[k] == ' ' || segment->str[k] == '\t') &&
              column + (piece_end - k) > FOLD_COLUMN &&
              (piece_end - k) > strspn (segment->str + k, " \t"))
            {
              g_string_append (folded, "\r\n");
              column = 0;
            }
          g_string_append_len (folded, segment->str + k, (gssize) (piece_end - k));
          column += piece_end - k;
          k = piece_end;
        }
      i = word;
    }
  g_string_append (folded, "\r\n");

  if (has_long_line ((const guint8 *) folded->str, folded->len))
    {
      g_autofree char *name = g_strndup (start, MIN (field->name_length, 64));

      fail_malformed (self, _("Line %u: the %s header has a line over 998 octets with no space "
                              "where it could be folded"), field->line, name);
      return NULL;
    }
  return g_string_free (g_steal_pointer (&folded), FALSE);
}

/* Writes FIELD: as it came, or folded again when a line is too long. */
static void
put_field (PostierSendmailReader *self,
           const Field           *field)
{
  const guint8 *data = self->header->data + field->offset;
  g_autofree char *folded = NULL;

  if (!has_long_line (data, field->length))
    {
      put_bytes (self, data, field->length);
      return;
    }
  folded = refold_field (self, field);
  if (folded != NULL)
    put_bytes (self, folded, strlen (folded));
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

      if (!field_passes_checks (self, field, has_date, has_message_id))
        return;
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

  /* Kept fields, byte for byte unless a line is too long, in order; Bcc
   * never leaves. */
  for (guint i = 0; i < self->fields->len && self->phase != PHASE_DONE; i++)
    {
      const Field *field = &g_array_index (self->fields, Field, i);
      if (!field_is (self, field, "Bcc"))
        put_field (self, field);
    }
  if (self->phase == PHASE_DONE)
    return;

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

static inline void
body_byte (PostierSendmailReader *self,
           guint8                 byte)
{
  if (byte >= 0x80)
    self->body_8bit = TRUE;
  else if (byte == '\r')
    self->body_bare_cr = TRUE;
  put_byte (self, byte);
}

/* A whole body line (without its line end) that was read as a header
 * line first. */
static void
body_line (PostierSendmailReader *self,
           const guint8          *line,
           gsize                  length)
{
  if (length > MAX_LINE_OCTETS)
    self->body_long_line = TRUE;
  for (gsize i = 0; i < length && self->phase != PHASE_DONE; i++)
    body_byte (self, line[i]);
  put_byte (self, '\r');
  put_byte (self, '\n');
}

static void
line_ended (PostierSendmailReader *self)
{
  self->line_number++;

  if (!(self->flags & POSTIER_SENDMAIL_IGNORE_DOTS) && self->pending_dot && self->line_length == 1)
    {
      /* A lone dot: the end of the input, like sendmail without -i. */
      self->pending_dot = FALSE;
      if (self->phase == PHASE_HEADERS)
        header_block_ended (self);
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
      body_byte (self, byte);
    }
  if (++self->line_length > MAX_LINE_OCTETS && self->phase == PHASE_BODY)
    self->body_long_line = TRUE;
}

/* Only LF and CRLF end a line (as for Postfix's sendmail): a CR alone is
 * a character of the line, so "\r.\r" cannot end the input. */
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
          self->pending_cr = FALSE;
          if (c == '\n')
            {
              line_ended (self);
              continue;
            }
          line_byte (self, '\r');
          if (self->phase == PHASE_DONE)
            return;
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
      line_byte (self, '\r');
    }
  /* A last line without its line end still counts as a line. */
  if (self->phase != PHASE_DONE && self->line_length > 0)
    line_ended (self);
  /* Headers and no body, or no input at all: Postfix takes both. */
  if (self->phase == PHASE_HEADERS)
    header_block_ended (self);
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
  if (self->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&self->error));
      return FALSE;
    }
  if (!postier_mime_sink_finish (POSTIER_MIME_SINK (self->sink), error))
    return FALSE;
  self->size = postier_mime_sink_get_written (POSTIER_MIME_SINK (self->sink));

  /* A body SMTP would not carry as it is (a line over 998 octets, a CR
   * alone, 8-bit text with no charset or transfer encoding said) is
   * encoded again, part by part, by GMime. */
  if (self->body_long_line || self->body_bare_cr || self->body_8bit)
    {
      PostierMimeReencoded result = { 0 };

      if (!postier_mime_reencode_fd (out_fd, self->size,
                                     self->scratch_dir != NULL ? self->scratch_dir : g_get_tmp_dir (),
                                     &result, cancellable, error))
        return FALSE;
      if (result.changed)
        {
          self->reencoded = TRUE;
          self->size = result.size;
          self->eight_bit = result.eight_bit;
        }
      if (result.unfit)
        {
          g_set_error (error, POSTIER_MESSAGE_ERROR, POSTIER_MESSAGE_ERROR_MALFORMED,
                       _("The message has a line over 998 octets or a carriage return alone outside "
                         "any part Postier can encode again (a multipart without its boundary?); "
                         "nothing was queued"));
          return FALSE;
        }
      if (self->max_size != 0 && self->size > self->max_size)
        {
          fail_too_large (self);
          g_propagate_error (error, g_steal_pointer (&self->error));
          return FALSE;
        }
    }
  return TRUE;
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
  return self->size;
}

gboolean
postier_sendmail_reader_get_reencoded (PostierSendmailReader *self)
{
  g_return_val_if_fail (POSTIER_IS_SENDMAIL_READER (self), FALSE);
  return self->reencoded;
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

guint64
postier_sendmail_size_cap (PostierAccount *account)
{
  guint64 relay = postier_relay_size_limit_lookup (postier_account_get_name (account));

  return relay > 0 ? relay : POSTIER_SENDMAIL_DEFAULT_MAX_SIZE;
}

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
  /* Read back too, when a body must be encoded again. */
  out_fd = g_open (staging, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (out_fd < 0)
    {
      int saved_errno = errno;
      g_set_error (error, POSTIER_OUTBOX_ERROR, POSTIER_OUTBOX_ERROR_STORAGE,
                   _("Cannot write the message to “%s”: %s"), staging, g_strerror (saved_errno));
      /* new_staging_path() made the file: not ours to leave behind. */
      g_unlink (staging);
      return NULL;
    }

  reader = postier_sendmail_reader_new (flags);
  postier_sendmail_reader_set_default_from (reader, postier_account_get_identity (account));
  postier_sendmail_reader_set_max_size (reader, postier_sendmail_size_cap (account));
  {
    g_autofree char *staging_dir = g_path_get_dirname (staging);
    postier_sendmail_reader_set_scratch_dir (reader, staging_dir);
  }
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
