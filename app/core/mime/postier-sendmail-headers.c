/* postier-sendmail-headers.c — the header block of sendmail's input
 *
 * Why a file of its own: the header block is the reader's one delicate
 * job (postier-sendmail-reader.c streams lines and the body). The framing
 * (where one field ends and the next begins) is done here rather than by
 * GMime's parser, because GMime rewrites what it parses and sendmail keeps
 * the headers it does not touch byte for byte. What a field means —
 * addresses, dates, message ids — is GMime's work.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-mime"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "postier-address.h"
#include "postier-message-check.h"
#include "postier-mime-private.h"
#include "postier-sendmail-reader-private.h"

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
          _postier_sendmail_reader_fail (self, POSTIER_MESSAGE_ERROR_HEADER_INJECTION,
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
void
_postier_sendmail_reader_header_line_ended (PostierSendmailReader *self)
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
      _postier_sendmail_reader_header_block_ended (self);
      if (self->phase == PHASE_DONE)
        return;
      self->phase = PHASE_BODY;
      _postier_sendmail_reader_body_line (self, copy, length);
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

  if (g_str_equal (name, "Message-ID"))
    g_string_append (self->summary, line);
  _postier_sendmail_reader_put_bytes (self, line, strlen (line));
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
  gboolean summarised = field_is (self, field, "Subject") || field_is (self, field, "Message-ID");
  g_autofree char *folded = NULL;

  if (!has_long_line (data, field->length))
    {
      if (summarised)
        g_string_append_len (self->summary, (const char *) data, (gssize) field->length);
      _postier_sendmail_reader_put_bytes (self, data, field->length);
      return;
    }
  folded = refold_field (self, field);
  if (folded != NULL && summarised)
    g_string_append (self->summary, folded);
  if (folded != NULL)
    _postier_sendmail_reader_put_bytes (self, folded, strlen (folded));
}

/* What GMime reads in the Subject and Message-ID fields as written (the
 * decoded Subject, the bare id), as it would in the queued message: the
 * outbox lists them without reading the message back. */
static void
read_summary (PostierSendmailReader *self)
{
  g_autoptr(GMimeStream) stream = NULL;
  g_autoptr(GMimeParser) parser = NULL;
  g_autoptr(GMimeMessage) message = NULL;

  g_string_append (self->summary, "\r\n");
  stream = g_mime_stream_mem_new_with_buffer (self->summary->str, self->summary->len);
  parser = g_mime_parser_new_with_stream (stream);
  message = g_mime_parser_construct_message (parser, NULL);
  if (message != NULL)
    {
      self->subject = g_strdup (g_mime_message_get_subject (message));
      self->message_id = g_strdup (g_mime_message_get_message_id (message));
    }
  g_string_truncate (self->summary, 0);
}

/* From (the account's identity), Date and Message-ID, when the message
 * has none of its own. */
static void
put_missing_fields (PostierSendmailReader *self,
                    const Field           *from_field,
                    gboolean               has_date,
                    gboolean               has_message_id)
{
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
}

/* The blank line came: the header block is complete. Writes it out, with
 * what it lacks added and Bcc left out. */
void
_postier_sendmail_reader_header_block_ended (PostierSendmailReader *self)
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

  put_missing_fields (self, from_field, has_date, has_message_id);
  _postier_sendmail_reader_put_bytes (self, "\r\n", 2);
  read_summary (self);

  /* The block is out; free it before the body streams. */
  g_byte_array_set_size (self->header, 0);
  g_array_set_size (self->fields, 0);
}
