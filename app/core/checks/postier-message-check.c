/* postier-message-check.c
 *
 * GMime parses the message; it is lenient on purpose (it repairs what it
 * can), so the checks that judge the raw form — 8-bit bytes and encoded
 * words in headers, line lengths — look at the bytes and GMime's raw
 * header values themselves.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-check"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "postier-account.h"
#include "postier-gmime.h"
#include "postier-header-value.h"
#include "postier-message-check.h"

/* RFC 5322 2.1.1: a line must not be over 998 octets without its CRLF. */
#define MAX_LINE_OCTETS 998
/* With no SIZE known, what most relays still accept. */
#define COMMON_SIZE_LIMIT (10 * 1024 * 1024)
/* Enough of an attachment for content sniffing. */
#define SNIFF_OCTETS 4096
/* Problems listed by name before "and N more". */
#define MAX_NAMED 3

static const char * const check_keys[POSTIER_CHECK_N_KINDS] = {
  "date", "message-id", "from", "header-encoding", "line-length",
  "text-part", "size", "bcc", "attachment-types",
};

G_DEFINE_BOXED_TYPE (PostierCheckItem, postier_check_item, postier_check_item_copy, postier_check_item_free)

PostierCheckItem *
postier_check_item_copy (const PostierCheckItem *item)
{
  PostierCheckItem *copy = g_new0 (PostierCheckItem, 1);

  copy->kind = item->kind;
  copy->status = item->status;
  copy->title = g_strdup (item->title);
  copy->explanation = g_strdup (item->explanation);
  return copy;
}

void
postier_check_item_free (PostierCheckItem *item)
{
  if (item == NULL)
    return;
  g_free (item->title);
  g_free (item->explanation);
  g_free (item);
}

const char *
postier_check_kind_to_key (PostierCheckKind kind)
{
  g_return_val_if_fail (kind < POSTIER_CHECK_N_KINDS, NULL);
  return check_keys[kind];
}

const char *
postier_check_status_to_string (PostierCheckStatus status)
{
  switch (status)
    {
    case POSTIER_CHECK_PASS:
      return "pass";
    case POSTIER_CHECK_WARN:
      return "warn";
    case POSTIER_CHECK_FAIL:
      return "fail";
    default:
      g_return_val_if_reached (NULL);
    }
}

PostierCheckStatus
postier_message_check_worst (GPtrArray *items)
{
  PostierCheckStatus worst = POSTIER_CHECK_PASS;

  for (guint i = 0; items != NULL && i < items->len; i++)
    {
      PostierCheckItem *item = g_ptr_array_index (items, i);
      worst = MAX (worst, item->status);
    }
  return worst;
}

typedef struct {
  GBytes                    *bytes;
  const char                *data;
  gsize                      length;
  GMimeMessage              *message;   /* NULL when GMime could not parse it */
  const PostierCheckContext *context;
  GPtrArray                 *items;
} Checker;

static void
add_item (Checker            *checker,
          PostierCheckKind    kind,
          PostierCheckStatus  status,
          const char         *title,
          char               *explanation)    /* transfer full */
{
  PostierCheckItem *item = g_new0 (PostierCheckItem, 1);

  item->kind = kind;
  item->status = status;
  item->title = g_strdup (title);
  item->explanation = explanation;
  g_ptr_array_add (checker->items, item);
}

/* "A, B and C" or "A, B, C and 4 more" for a list of names. */
static char *
name_list (GPtrArray *names)
{
  g_autoptr(GString) text = g_string_new (NULL);
  guint shown = MIN (names->len, MAX_NAMED);

  for (guint i = 0; i < shown; i++)
    {
      if (i > 0)
        g_string_append (text, ", ");
      g_string_append (text, g_ptr_array_index (names, i));
    }
  if (names->len > shown)
    {
      g_string_append_c (text, ' ');
      g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "and %u more", "and %u more",
                                                 names->len - shown),
                              names->len - shown);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* Every header of the message and of its parts, in order. */
static void
collect_headers (GMimeObject *object,
                 GPtrArray   *headers)
{
  GMimeHeaderList *list = g_mime_object_get_header_list (object);

  for (int i = 0; list != NULL && i < g_mime_header_list_get_count (list); i++)
    g_ptr_array_add (headers, g_mime_header_list_get_header_at (list, i));

  if (GMIME_IS_MULTIPART (object))
    {
      for (int i = 0; i < g_mime_multipart_get_count (GMIME_MULTIPART (object)); i++)
        collect_headers (g_mime_multipart_get_part (GMIME_MULTIPART (object), i), headers);
    }
  else if (GMIME_IS_MESSAGE_PART (object))
    {
      GMimeMessage *inner = g_mime_message_part_get_message (GMIME_MESSAGE_PART (object));
      if (inner != NULL)
        collect_headers (GMIME_OBJECT (inner), headers);
    }
}

static GPtrArray *
all_headers (GMimeMessage *message)
{
  GPtrArray *headers = g_ptr_array_new ();
  GMimeHeaderList *list = g_mime_object_get_header_list (GMIME_OBJECT (message));

  for (int i = 0; i < g_mime_header_list_get_count (list); i++)
    g_ptr_array_add (headers, g_mime_header_list_get_header_at (list, i));
  if (g_mime_message_get_mime_part (message) != NULL)
    collect_headers (g_mime_message_get_mime_part (message), headers);
  return headers;
}

static guint
count_top_headers (GMimeMessage *message,
                   const char   *name)
{
  GMimeHeaderList *list = g_mime_object_get_header_list (GMIME_OBJECT (message));
  guint count = 0;

  for (int i = 0; i < g_mime_header_list_get_count (list); i++)
    if (g_ascii_strcasecmp (g_mime_header_get_name (g_mime_header_list_get_header_at (list, i)), name) == 0)
      count++;
  return count;
}

/* --- Date and Message-ID ------------------------------------------------ */

static void
check_date (Checker *checker)
{
  const char *title = _("Date present");
  guint count = checker->message ? count_top_headers (checker->message, "Date") : 0;

  if (count == 0)
    add_item (checker, POSTIER_CHECK_DATE, POSTIER_CHECK_FAIL, title,
              g_strdup (_("The message has no Date header. RFC 5322 requires one; many relays "
                          "and spam filters reject or mark mail without it.")));
  else if (count > 1)
    add_item (checker, POSTIER_CHECK_DATE, POSTIER_CHECK_FAIL, title,
              g_strdup (_("The message has more than one Date header; it must have exactly one.")));
  else if (g_mime_message_get_date (checker->message) == NULL)
    add_item (checker, POSTIER_CHECK_DATE, POSTIER_CHECK_FAIL, title,
              g_strdup_printf (_("The Date header “%s” is not a valid RFC 5322 date."),
                               g_mime_object_get_header (GMIME_OBJECT (checker->message), "Date")));
  else
    {
      g_autoptr(GDateTime) local = g_date_time_to_local (g_mime_message_get_date (checker->message));
      g_autofree char *shown = g_date_time_format (local, "%c");
      add_item (checker, POSTIER_CHECK_DATE, POSTIER_CHECK_PASS, title,
                g_strdup_printf (_("Dated %s."), shown));
    }
}

/* "<left@right>" with no spaces: RFC 5322 3.6.4 msg-id, roughly. */
static gboolean
message_id_is_valid (const char *raw)
{
  g_autofree char *value = g_strstrip (g_strdup (raw));
  gsize length = strlen (value);
  const char *at;

  if (length < 5 || value[0] != '<' || value[length - 1] != '>')
    return FALSE;
  at = strchr (value, '@');
  return at != NULL && at > value + 1 && at < value + length - 2 &&
         strchr (at + 1, '@') == NULL && strpbrk (value, " \t\r\n") == NULL;
}

static void
check_message_id (Checker *checker)
{
  const char *title = _("Message-ID present");
  const char *raw = checker->message != NULL
    ? g_mime_object_get_header (GMIME_OBJECT (checker->message), "Message-ID") : NULL;
  guint count = checker->message ? count_top_headers (checker->message, "Message-ID") : 0;

  if (raw == NULL)
    add_item (checker, POSTIER_CHECK_MESSAGE_ID, POSTIER_CHECK_FAIL, title,
              g_strdup (_("The message has no Message-ID header. Replies cannot refer to it, "
                          "and spam filters count it against the message.")));
  else if (count > 1)
    add_item (checker, POSTIER_CHECK_MESSAGE_ID, POSTIER_CHECK_FAIL, title,
              g_strdup (_("The message has more than one Message-ID header; it must have at most one.")));
  else if (!message_id_is_valid (raw))
    add_item (checker, POSTIER_CHECK_MESSAGE_ID, POSTIER_CHECK_WARN, title,
              g_strdup_printf (_("The Message-ID “%s” is not of the form <unique@domain>."), raw));
  else
    {
      g_autofree char *value = g_strstrip (g_strdup (raw));
      add_item (checker, POSTIER_CHECK_MESSAGE_ID, POSTIER_CHECK_PASS, title,
                g_strdup_printf (_("Message-ID %s."), value));
    }
}

/* --- From and identity -------------------------------------------------- */

static void
check_from (Checker *checker)
{
  const char *title = _("From matches the account");
  const char * const *identities = checker->context->identities;
  InternetAddressList *from = checker->message ? g_mime_message_get_from (checker->message) : NULL;
  InternetAddress *first;
  const char *address;
  const char *name;

  if (from == NULL || internet_address_list_length (from) == 0)
    {
      add_item (checker, POSTIER_CHECK_FROM_IDENTITY, POSTIER_CHECK_FAIL, title,
                g_strdup (_("The message has no From header, or it holds no address.")));
      return;
    }
  if (internet_address_list_length (from) > 1 ||
      !INTERNET_ADDRESS_IS_MAILBOX (first = internet_address_list_get_address (from, 0)))
    {
      add_item (checker, POSTIER_CHECK_FROM_IDENTITY, POSTIER_CHECK_WARN, title,
                g_strdup (_("The From header names more than one mailbox; relays that check "
                            "the sender may refuse it.")));
      return;
    }

  address = internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (first));
  name = internet_address_get_name (first);
  if (identities == NULL || identities[0] == NULL)
    {
      add_item (checker, POSTIER_CHECK_FROM_IDENTITY, POSTIER_CHECK_WARN, title,
                g_strdup_printf (_("From is %s, but there is no account identity to compare it with."),
                                 address));
      return;
    }

  for (guint i = 0; identities[i] != NULL; i++)
    {
      g_autofree char *expected_name = NULL;
      g_autofree char *expected_address = NULL;

      if (!postier_parse_identity (identities[i], &expected_name, &expected_address, NULL) ||
          g_ascii_strcasecmp (expected_address, address) != 0)
        continue;

      if (i > 0)
        add_item (checker, POSTIER_CHECK_FROM_IDENTITY, POSTIER_CHECK_WARN, title,
                  g_strdup_printf (_("From is %s, another of your accounts than %s; a relay "
                                     "that checks senders may refuse it."),
                                   address, identities[0]));
      else if (expected_name != NULL && g_strcmp0 (expected_name, name) != 0)
        add_item (checker, POSTIER_CHECK_FROM_IDENTITY, POSTIER_CHECK_WARN, title,
                  g_strdup_printf (_("The address %s matches the account, but the name "
                                     "“%s” differs from “%s”."),
                                   address, name != NULL ? name : "", expected_name));
      else
        add_item (checker, POSTIER_CHECK_FROM_IDENTITY, POSTIER_CHECK_PASS, title,
                  g_strdup_printf (_("From is %s, the account’s own address."), address));
      return;
    }
  add_item (checker, POSTIER_CHECK_FROM_IDENTITY, POSTIER_CHECK_FAIL, title,
            g_strdup_printf (_("From is %s, but the account sends as %s. Relays commonly refuse "
                               "a sender that is not the account’s own, and receivers’ SPF and "
                               "DMARC checks fail."),
                             address, identities[0]));
}

/* --- Header encoding ---------------------------------------------------- */

gboolean
postier_message_check_header_value (const char *raw,
                                    gboolean    smtputf8)
{
  PostierHeaderProblem problem;

  g_return_val_if_fail (raw != NULL, FALSE);
  problem = postier_header_value_judge (raw, smtputf8);
  return problem == POSTIER_HEADER_OK || problem == POSTIER_HEADER_LONG_ENCODED_WORD;
}

static void
check_header_encoding (Checker *checker)
{
  const char *title = _("Headers correctly encoded");
  g_autoptr(GPtrArray) headers = NULL;
  g_autoptr(GPtrArray) failing = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) long_words = g_ptr_array_new_with_free_func (g_free);
  PostierHeaderProblem worst = POSTIER_HEADER_OK;
  g_autofree char *names = NULL;

  if (checker->message == NULL)
    {
      add_item (checker, POSTIER_CHECK_HEADER_ENCODING, POSTIER_CHECK_FAIL, title,
                g_strdup (_("The message could not be parsed at all.")));
      return;
    }

  headers = all_headers (checker->message);
  for (guint i = 0; i < headers->len; i++)
    {
      GMimeHeader *header = g_ptr_array_index (headers, i);
      const char *raw = g_mime_header_get_raw_value (header);
      PostierHeaderProblem problem = raw != NULL
        ? postier_header_value_judge (raw, checker->context->smtputf8) : POSTIER_HEADER_OK;

      if (problem == POSTIER_HEADER_LONG_ENCODED_WORD)
        g_ptr_array_add (long_words, g_strdup (g_mime_header_get_name (header)));
      else if (problem != POSTIER_HEADER_OK)
        {
          g_ptr_array_add (failing, g_strdup (g_mime_header_get_name (header)));
          if (worst == POSTIER_HEADER_OK)
            worst = problem;
        }
    }

  if (failing->len > 0)
    {
      names = name_list (failing);
      switch (worst)
        {
        case POSTIER_HEADER_RAW_8BIT:
          add_item (checker, POSTIER_CHECK_HEADER_ENCODING, POSTIER_CHECK_FAIL, title,
                    g_strdup_printf (_("Raw 8-bit characters in %s. Without SMTPUTF8, header "
                                       "text beyond ASCII must be RFC 2047 encoded."), names));
          break;
        case POSTIER_HEADER_BAD_UTF8:
          add_item (checker, POSTIER_CHECK_HEADER_ENCODING, POSTIER_CHECK_FAIL, title,
                    g_strdup_printf (_("%s holds bytes that are not valid UTF-8."), names));
          break;
        case POSTIER_HEADER_CONTROL:
          add_item (checker, POSTIER_CHECK_HEADER_ENCODING, POSTIER_CHECK_FAIL, title,
                    g_strdup_printf (_("%s holds control characters or a bare carriage return."),
                                     names));
          break;
        default:
          add_item (checker, POSTIER_CHECK_HEADER_ENCODING, POSTIER_CHECK_FAIL, title,
                    g_strdup_printf (_("%s holds an RFC 2047 encoded word that is not valid (an "
                                       "unknown charset, an encoding other than B or Q, or text "
                                       "that does not decode). Readers will show it garbled."),
                                     names));
          break;
        }
    }
  else if (long_words->len > 0)
    {
      names = name_list (long_words);
      add_item (checker, POSTIER_CHECK_HEADER_ENCODING, POSTIER_CHECK_WARN, title,
                g_strdup_printf (_("%s has an encoded word longer than %u characters, which "
                                   "RFC 2047 forbids; most readers still cope."),
                                 names, POSTIER_HEADER_MAX_ENCODED_WORD));
    }
  else
    add_item (checker, POSTIER_CHECK_HEADER_ENCODING, POSTIER_CHECK_PASS, title,
              g_strdup (checker->context->smtputf8
                        ? _("Every header is ASCII, valid RFC 2047, or UTF-8 sent with SMTPUTF8.")
                        : _("Every header is ASCII or valid RFC 2047.")));
}

/* --- Line length -------------------------------------------------------- */

static void
check_line_length (Checker *checker)
{
  const char *title = _("No line over 998 octets");
  gsize longest = 0;
  guint long_lines = 0;
  guint first_long = 0;
  guint line = 1;
  const char *start = checker->data;
  const char *end = checker->data + checker->length;

  while (start < end)
    {
      const char *newline = memchr (start, '\n', (gsize) (end - start));
      const char *stop = newline != NULL ? newline : end;
      gsize octets = (gsize) (stop - start);

      if (octets > 0 && newline != NULL && stop[-1] == '\r')
        octets--;
      if (octets > MAX_LINE_OCTETS)
        {
          if (long_lines++ == 0)
            first_long = line;
        }
      longest = MAX (longest, octets);
      start = newline != NULL ? newline + 1 : end;
      line++;
    }

  if (long_lines > 0)
    add_item (checker, POSTIER_CHECK_LINE_LENGTH, POSTIER_CHECK_FAIL, title,
              g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                            "%u line is longer than 998 octets (the first is line %u, "
                                            "the longest %u octets). Relays may "
                                            "refuse the message or break the line.",
                                            "%u lines are longer than 998 octets (the first is line %u, "
                                            "the longest %u octets). Relays may "
                                            "refuse the message or break the lines.",
                                            long_lines),
                               long_lines, first_long, (guint) MIN (longest, G_MAXUINT)));
  else
    add_item (checker, POSTIER_CHECK_LINE_LENGTH, POSTIER_CHECK_PASS, title,
              g_strdup_printf (_("The longest line has %u octets."),
                               (guint) MIN (longest, G_MAXUINT)));
}

/* --- Text part ---------------------------------------------------------- */

typedef struct {
  gboolean plain;
  gboolean html;
} TextParts;

static void
find_text (GMimeObject *object,
           TextParts   *found)
{
  if (GMIME_IS_MULTIPART (object))
    {
      for (int i = 0; i < g_mime_multipart_get_count (GMIME_MULTIPART (object)); i++)
        find_text (g_mime_multipart_get_part (GMIME_MULTIPART (object), i), found);
    }
  else if (GMIME_IS_PART (object))
    {
      GMimeContentDisposition *disposition = g_mime_object_get_content_disposition (object);
      GMimeContentType *type = g_mime_object_get_content_type (object);

      if (disposition != NULL && g_mime_content_disposition_is_attachment (disposition))
        return;
      if (type == NULL || g_mime_content_type_is_type (type, "text", "plain"))
        found->plain = TRUE;
      else if (g_mime_content_type_is_type (type, "text", "html"))
        found->html = TRUE;
    }
}

static void
check_text_part (Checker *checker)
{
  const char *title = _("A text part is present");
  TextParts found = { FALSE, FALSE };
  GMimeObject *body = checker->message ? g_mime_message_get_mime_part (checker->message) : NULL;

  if (body != NULL)
    find_text (body, &found);
  if (found.plain)
    add_item (checker, POSTIER_CHECK_TEXT_PART, POSTIER_CHECK_PASS, title,
              g_strdup (_("The message has a plain text part.")));
  else if (found.html)
    add_item (checker, POSTIER_CHECK_TEXT_PART, POSTIER_CHECK_WARN, title,
              g_strdup (_("The message has only an HTML part; readers that show plain text, and "
                          "some spam filters, prefer a plain text alternative.")));
  else
    add_item (checker, POSTIER_CHECK_TEXT_PART, POSTIER_CHECK_FAIL, title,
              g_strdup (_("The message has no text part that a reader would show: only "
                          "attachments or other content.")));
}

/* --- Size --------------------------------------------------------------- */

static void
check_size (Checker *checker)
{
  const char *title = _("Size within the relay’s limit");
  guint64 limit = checker->context->size_limit;
  const char *account = checker->context->size_limit_account;
  g_autofree char *size = g_format_size (checker->length);

  if (limit == 0)
    {
      if (checker->length > COMMON_SIZE_LIMIT)
        add_item (checker, POSTIER_CHECK_SIZE, POSTIER_CHECK_WARN, title,
                  g_strdup_printf (_("The message is %s. The relay’s limit is not known yet; many "
                                     "relays refuse messages over 10 MB."), size));
      else
        add_item (checker, POSTIER_CHECK_SIZE, POSTIER_CHECK_PASS, title,
                  g_strdup_printf (_("The message is %s. The relay’s limit is not known yet "
                                     "(it is learnt on the first connection)."), size));
      return;
    }

  {
    g_autofree char *limit_text = g_format_size (limit);

    if (checker->length > limit)
      add_item (checker, POSTIER_CHECK_SIZE, POSTIER_CHECK_FAIL, title,
                g_strdup_printf (_("The message is %s, over the %s that the relay of “%s” accepts. "
                                   "It would be refused."),
                                 size, limit_text, account != NULL ? account : ""));
    else if (checker->length > limit / 10 * 9)
      add_item (checker, POSTIER_CHECK_SIZE, POSTIER_CHECK_WARN, title,
                g_strdup_printf (_("The message is %s, close to the %s that the relay of “%s” "
                                   "accepts."),
                                 size, limit_text, account != NULL ? account : ""));
    else
      add_item (checker, POSTIER_CHECK_SIZE, POSTIER_CHECK_PASS, title,
                g_strdup_printf (_("The message is %s; the relay of “%s” accepts up to %s."),
                                 size, account != NULL ? account : "", limit_text));
  }
}

/* --- Bcc ---------------------------------------------------------------- */

static void
check_bcc (Checker *checker)
{
  const char *title = _("No Bcc header");
  GMimeHeaderList *list;
  gboolean found = FALSE;
  gboolean found_empty = FALSE;

  if (checker->message == NULL)
    {
      add_item (checker, POSTIER_CHECK_BCC, POSTIER_CHECK_PASS, title,
                g_strdup (_("No Bcc header was found.")));
      return;
    }

  list = g_mime_object_get_header_list (GMIME_OBJECT (checker->message));
  for (int i = 0; i < g_mime_header_list_get_count (list); i++)
    {
      GMimeHeader *header = g_mime_header_list_get_header_at (list, i);
      const char *name = g_mime_header_get_name (header);
      g_autofree char *value = NULL;

      if (g_ascii_strcasecmp (name, "Bcc") != 0 && g_ascii_strcasecmp (name, "Resent-Bcc") != 0)
        continue;
      value = g_strstrip (g_strdup (g_mime_header_get_raw_value (header) != NULL
                                      ? g_mime_header_get_raw_value (header) : ""));
      if (*value != '\0')
        found = TRUE;
      else
        found_empty = TRUE;
    }

  if (found)
    add_item (checker, POSTIER_CHECK_BCC, POSTIER_CHECK_FAIL, title,
              g_strdup (_("The headers list Bcc recipients: every recipient would see who was "
                          "sent a blind copy. Blind copies belong in the envelope only.")));
  else if (found_empty)
    add_item (checker, POSTIER_CHECK_BCC, POSTIER_CHECK_WARN, title,
              g_strdup (_("The headers have an empty Bcc field. It names nobody, but tells every "
                          "recipient that blind copies were sent.")));
  else
    add_item (checker, POSTIER_CHECK_BCC, POSTIER_CHECK_PASS, title,
              g_strdup (_("Blind copies, if any, are in the envelope only.")));
}

/* --- Attachment types --------------------------------------------------- */

static void
collect_attachments (GMimeObject *object,
                     GPtrArray   *parts)
{
  if (GMIME_IS_MULTIPART (object))
    {
      for (int i = 0; i < g_mime_multipart_get_count (GMIME_MULTIPART (object)); i++)
        collect_attachments (g_mime_multipart_get_part (GMIME_MULTIPART (object), i), parts);
    }
  else if (GMIME_IS_PART (object))
    {
      GMimePart *part = GMIME_PART (object);
      GMimeContentDisposition *disposition = g_mime_object_get_content_disposition (object);

      if ((disposition != NULL && g_mime_content_disposition_is_attachment (disposition)) ||
          g_mime_part_get_filename (part) != NULL)
        g_ptr_array_add (parts, part);
    }
}

/* The first octets of the decoded content, decoding no more than that:
 * an attachment of 50 MB is sniffed in 4 KB. */
static GByteArray *
sniff_content (GMimePart *part)
{
  g_autoptr(GByteArray) data = g_byte_array_sized_new (SNIFF_OCTETS);
  g_autoptr(GMimeStream) filtered = NULL;
  GMimeDataWrapper *content = g_mime_part_get_content (part);
  GMimeContentEncoding encoding;
  GMimeStream *raw;

  if (content == NULL || (raw = g_mime_data_wrapper_get_stream (content)) == NULL)
    return g_steal_pointer (&data);

  encoding = g_mime_data_wrapper_get_encoding (content);
  filtered = g_mime_stream_filter_new (raw);
  if (encoding == GMIME_CONTENT_ENCODING_BASE64 ||
      encoding == GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE ||
      encoding == GMIME_CONTENT_ENCODING_UUENCODE)
    {
      g_autoptr(GMimeFilter) decoder = g_mime_filter_basic_new (encoding, FALSE);
      g_mime_stream_filter_add (GMIME_STREAM_FILTER (filtered), decoder);
    }

  g_mime_stream_reset (raw);
  while (data->len < SNIFF_OCTETS && !g_mime_stream_eos (filtered))
    {
      char buffer[SNIFF_OCTETS];
      gssize n = g_mime_stream_read (filtered, buffer, SNIFF_OCTETS - data->len);

      if (n <= 0)
        break;
      g_byte_array_append (data, (const guint8 *) buffer, (guint) n);
    }
  g_mime_stream_reset (raw);
  return g_steal_pointer (&data);
}

/* Compatible when either type is a kind of the other (text/csv is a kind
 * of text/plain), as shared-mime-info knows them. */
static gboolean
types_agree (const char *a,
             const char *b)
{
  return g_content_type_is_a (a, b) || g_content_type_is_a (b, a);
}

/* One attachment: a declared type the content (or, when the content is
 * too plain to tell, the name) contradicts goes to MISMATCHES; one merely
 * declared application/octet-stream that could say more, to GENERIC. */
static void
judge_attachment (GMimePart *part,
                  GPtrArray *mismatches,
                  GPtrArray *generic)
{
  GMimeContentType *type = g_mime_object_get_content_type (GMIME_OBJECT (part));
  const char *filename = g_mime_part_get_filename (part);
  const char *shown_name = filename != NULL ? filename : _("(unnamed)");
  g_autofree char *declared_mime = type ? g_mime_content_type_get_mime_type (type)
                                        : g_strdup ("text/plain");
  g_autofree char *declared = g_content_type_from_mime_type (declared_mime);
  g_autoptr(GByteArray) data = sniff_content (part);
  g_autofree char *by_data = NULL;
  g_autofree char *by_name = NULL;
  gboolean uncertain = TRUE;

  if (declared == NULL)
    declared = g_strdup (declared_mime);

  by_data = g_content_type_guess (NULL, data->data, data->len, &uncertain);
  if (filename != NULL)
    {
      gboolean name_uncertain;
      by_name = g_content_type_guess (filename, NULL, 0, &name_uncertain);
      if (name_uncertain)
        g_clear_pointer (&by_name, g_free);
    }

  if (g_content_type_equals (declared, "application/octet-stream"))
    {
      const char *better = !uncertain ? by_data : by_name;
      if (better != NULL && !g_content_type_is_unknown (better))
        {
          g_autofree char *better_mime = g_content_type_get_mime_type (better);
          g_ptr_array_add (generic, g_strdup_printf (_("%s (looks like %s)"),
                                                     shown_name, better_mime));
        }
      return;
    }
  if (!uncertain && !g_content_type_is_unknown (by_data) && !types_agree (by_data, declared))
    {
      g_autofree char *actual = g_content_type_get_mime_type (by_data);
      g_ptr_array_add (mismatches, g_strdup_printf (_("%s is declared %s but its content is %s"),
                                                    shown_name, declared_mime, actual));
      return;
    }
  /* Content too plain to tell (text, unknown binary): the name must at
   * least not contradict the declaration. */
  if (uncertain && by_name != NULL && !types_agree (by_name, declared) &&
      !types_agree (by_name, by_data))
    {
      g_autofree char *actual = g_content_type_get_mime_type (by_name);
      g_ptr_array_add (mismatches, g_strdup_printf (_("%s is declared %s but its name says %s"),
                                                    shown_name, declared_mime, actual));
    }
}

static void
check_attachment_types (Checker *checker)
{
  const char *title = _("Attachment types match their content");
  g_autoptr(GPtrArray) parts = g_ptr_array_new ();
  g_autoptr(GPtrArray) mismatches = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) generic = g_ptr_array_new_with_free_func (g_free);
  GMimeObject *body = checker->message ? g_mime_message_get_mime_part (checker->message) : NULL;

  if (body != NULL)
    collect_attachments (body, parts);
  if (parts->len == 0)
    {
      add_item (checker, POSTIER_CHECK_ATTACHMENT_TYPES, POSTIER_CHECK_PASS, title,
                g_strdup (_("The message has no attachments.")));
      return;
    }

  for (guint i = 0; i < parts->len; i++)
    judge_attachment (g_ptr_array_index (parts, i), mismatches, generic);

  if (mismatches->len > 0)
    {
      g_autofree char *names = name_list (mismatches);
      add_item (checker, POSTIER_CHECK_ATTACHMENT_TYPES, POSTIER_CHECK_FAIL, title,
                g_strdup_printf (_("%s. Readers may refuse to open it, and filters treat such a "
                                   "mismatch as suspicious."), names));
    }
  else if (generic->len > 0)
    {
      g_autofree char *names = name_list (generic);
      add_item (checker, POSTIER_CHECK_ATTACHMENT_TYPES, POSTIER_CHECK_WARN, title,
                g_strdup_printf (_("Declared only as application/octet-stream: %s. Readers will "
                                   "not know how to open it."), names));
    }
  else
    add_item (checker, POSTIER_CHECK_ATTACHMENT_TYPES, POSTIER_CHECK_PASS, title,
              g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                            "The attachment’s declared type matches its content.",
                                            "All %u attachments’ declared types match their content.",
                                            parts->len),
                               parts->len));
}

GPtrArray *
postier_message_check_run (GBytes                    *message,
                           const PostierCheckContext *context)
{
  static const PostierCheckContext no_context = { 0 };
  g_autoptr(GMimeStream) stream = NULL;
  g_autoptr(GMimeParser) parser = NULL;
  g_autoptr(GMimeMessage) parsed = NULL;
  Checker checker = { 0 };

  g_return_val_if_fail (message != NULL, NULL);

  checker.bytes = message;
  checker.data = g_bytes_get_data (message, &checker.length);
  if (checker.data == NULL)
    checker.data = "";
  checker.context = context != NULL ? context : &no_context;
  checker.items = g_ptr_array_new_with_free_func ((GDestroyNotify) postier_check_item_free);

  stream = g_mime_stream_mem_new_with_buffer (checker.data, checker.length);
  parser = g_mime_parser_new_with_stream (stream);
  parsed = g_mime_parser_construct_message (parser, NULL);
  checker.message = parsed;

  check_date (&checker);
  check_message_id (&checker);
  check_from (&checker);
  check_header_encoding (&checker);
  check_line_length (&checker);
  check_text_part (&checker);
  check_size (&checker);
  check_bcc (&checker);
  check_attachment_types (&checker);

  g_assert (checker.items->len == POSTIER_CHECK_N_KINDS);
  return checker.items;
}
