/* postier-mime.c — a draft becomes a GMimeMessage, its envelope and bytes
 *
 * GMime does the MIME work: address lists, RFC 2047 headers, RFC 2231
 * file names, the choice of transfer encoding, base64 streamed from the
 * attachment files. What is ours is the policy: which headers, which
 * checks, and never a Bcc in the headers. The sendmail face is in
 * postier-sendmail-reader.c.
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
#include <sys/stat.h>
#include <unistd.h>

#include "postier-address.h"
#include "postier-init.h"
#include "postier-draft-private.h"
#include "postier-error.h"
#include "postier-mime.h"
#include "postier-mime-attachment.h"
#include "postier-mime-private.h"
#include "postier-mime-sink.h"
#include "postier-outbox-staging.h"

#define SNIFF_SIZE 4096

const char *
postier_mime_user_agent (void)
{
  return "Postier/" PACKAGE_VERSION;
}

char *
postier_mime_new_message_id (const char *address)
{
  g_autofree char *domain = postier_address_dup_ascii_domain (address);

  /* GMime makes the unique part; the domain is the sender's so the id
   * says who made it, not which machine. */
  return g_mime_utils_generate_message_id (domain != NULL && *domain != '\0' ? domain : "localhost");
}

/* CRLF and lone CR become LF, and a text that does not end a line gets
 * one: GMime converts LF to CRLF when writing. */
static GByteArray *
body_bytes (const char *body)
{
  GByteArray *bytes = g_byte_array_new ();
  const char *p;

  if (body == NULL)
    return bytes;

  for (p = body; *p != '\0'; p++)
    {
      if (*p == '\r')
        {
          g_byte_array_append (bytes, (const guint8 *) "\n", 1);
          if (p[1] == '\n')
            p++;
        }
      else
        {
          const char *run = p;
          while (p[1] != '\0' && p[1] != '\r')
            p++;
          g_byte_array_append (bytes, (const guint8 *) run, (guint) (p - run + 1));
        }
    }
  if (bytes->len > 0 && bytes->data[bytes->len - 1] != '\n')
    g_byte_array_append (bytes, (const guint8 *) "\n", 1);
  return bytes;
}

static GMimeObject *
build_text_part (const char *body)
{
  g_autoptr(GMimeTextPart) part = g_mime_text_part_new_with_subtype ("plain");
  g_autoptr(GMimeStream) stream = NULL;
  g_autoptr(GMimeDataWrapper) content = NULL;
  GByteArray *bytes = body_bytes (body);
  GMimeContentEncoding encoding;

  g_mime_text_part_set_charset (part, "utf-8");
  /* The stream takes the array and frees it with itself. */
  stream = g_mime_stream_mem_new_with_byte_array (bytes);
  content = g_mime_data_wrapper_new_with_stream (stream, GMIME_CONTENT_ENCODING_DEFAULT);
  g_mime_part_set_content (GMIME_PART (part), content);

  /* GMime's best-encoding filter: 8bit unless a line is over 998 octets
   * (or a line starts "From "), then quoted-printable. 7bit for ASCII. */
  encoding = g_mime_part_get_best_content_encoding (GMIME_PART (part), GMIME_ENCODING_CONSTRAINT_8BIT);
  if (encoding == GMIME_CONTENT_ENCODING_DEFAULT)
    encoding = bytes->len > 0 && g_mime_utils_text_is_8bit (bytes->data, bytes->len) ?
               GMIME_CONTENT_ENCODING_8BIT : GMIME_CONTENT_ENCODING_7BIT;
  g_mime_part_set_content_encoding (GMIME_PART (part), encoding);

  return GMIME_OBJECT (g_steal_pointer (&part));
}

static void
set_param_charset (GMimeParamList *params,
                   const char     *name)
{
  GMimeParam *param = params != NULL ? g_mime_param_list_get_parameter (params, name) : NULL;

  if (param != NULL)
    g_mime_param_set_charset (param, "UTF-8");
}

static gboolean
has_control_character (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      return TRUE;
  return FALSE;
}

static GMimeObject *
build_attachment_part (const char  *path,
                       GError     **error)
{
  g_autoptr(GMimePart) part = NULL;
  g_autoptr(GMimeStream) stream = NULL;
  g_autofree char *display_name = g_filename_display_basename (path);
  g_autofree char *guessed = NULL;
  g_autofree char *mime_type = NULL;
  g_auto(GStrv) type = NULL;
  guchar sniff[SNIFF_SIZE];
  struct stat st;
  ssize_t n;
  int fd;

  fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    {
      int saved_errno = errno;
      g_set_error (error, POSTIER_MESSAGE_ERROR, POSTIER_MESSAGE_ERROR_ATTACHMENT,
                   _("Cannot attach “%s”: %s"), path, g_strerror (saved_errno));
      return NULL;
    }
  /* From here the part holds the descriptor: what is sent is the file we
   * checked, even if the name is reused meanwhile. */
  stream = g_mime_stream_fs_new (fd);

  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      g_set_error (error, POSTIER_MESSAGE_ERROR, POSTIER_MESSAGE_ERROR_ATTACHMENT,
                   _("Cannot attach “%s”: it is not a regular file"), path);
      return NULL;
    }
  /* Read once, front to back: a larger read-ahead helps a cold file. */
  posix_fadvise (fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  n = pread (fd, sniff, sizeof sniff, 0);
  if (n < 0)
    {
      int saved_errno = errno;
      g_set_error (error, POSTIER_MESSAGE_ERROR, POSTIER_MESSAGE_ERROR_ATTACHMENT,
                   _("Cannot attach “%s”: %s"), path, g_strerror (saved_errno));
      return NULL;
    }
  if (has_control_character (display_name))
    {
      /* The error stays on one line: control characters are shown as "?". */
      g_autofree char *shown = g_strdup (display_name);
      for (char *p = shown; *p != '\0'; p++)
        if ((guchar) *p < 0x20 || *p == 0x7f)
          *p = '?';
      g_set_error (error, POSTIER_MESSAGE_ERROR, POSTIER_MESSAGE_ERROR_HEADER_INJECTION,
                   _("Cannot attach “%s”: its name holds a line break or a control character"),
                   shown);
      return NULL;
    }

  guessed = g_content_type_guess (display_name, sniff, (gsize) n, NULL);
  mime_type = g_content_type_get_mime_type (guessed);
  type = g_strsplit (mime_type != NULL ? mime_type : "application/octet-stream", "/", 2);
  if (type[0] == NULL || type[1] == NULL)
    {
      g_strfreev (type);
      type = g_strsplit ("application/octet-stream", "/", 2);
    }

  /* It writes its own base64, faster than GMime's filters, the same octets. */
  part = postier_attachment_part_new (type[0], type[1], stream);
  g_mime_part_set_filename (part, display_name);
  set_param_charset (g_mime_content_type_get_parameters (g_mime_object_get_content_type (GMIME_OBJECT (part))),
                     "name");
  set_param_charset (g_mime_content_disposition_get_parameters (
                       g_mime_object_get_content_disposition (GMIME_OBJECT (part))),
                     "filename");

  g_mime_part_set_content_encoding (part, GMIME_CONTENT_ENCODING_BASE64);

  return GMIME_OBJECT (g_steal_pointer (&part));
}

static char *
format_message_ids (const char *text)
{
  GMimeReferences *references = g_mime_references_parse (NULL, text);
  GString *out = g_string_new (NULL);

  for (int i = 0; references != NULL && i < g_mime_references_length (references); i++)
    g_string_append_printf (out, "%s<%s>", i > 0 ? " " : "",
                            g_mime_references_get_message_id (references, i));
  if (references != NULL)
    g_mime_references_free (references);
  return g_string_free (out, FALSE);
}

static gboolean
list_is_international (GPtrArray *mailboxes)
{
  for (guint i = 0; i < mailboxes->len; i++)
    if (postier_address_is_international (internet_address_mailbox_get_addr (g_ptr_array_index (mailboxes, i))))
      return TRUE;
  return FALSE;
}

/* The addresses of a draft, parsed: From (one mailbox), To, Cc and
 * Reply-To for the headers, Bcc for the envelope only. */
typedef struct {
  InternetAddressList *from;
  InternetAddressList *lists[3];          /* To, Cc, Reply-To */
  InternetAddressList *bcc;
  GPtrArray           *from_mailboxes;
  GPtrArray           *recipients;        /* To, Cc and Bcc */
  GPtrArray           *reply_to_mailboxes;
} DraftAddresses;

static void
draft_addresses_clear (DraftAddresses *addresses)
{
  g_clear_object (&addresses->from);
  for (guint i = 0; i < G_N_ELEMENTS (addresses->lists); i++)
    g_clear_object (&addresses->lists[i]);
  g_clear_object (&addresses->bcc);
  g_clear_pointer (&addresses->from_mailboxes, g_ptr_array_unref);
  g_clear_pointer (&addresses->recipients, g_ptr_array_unref);
  g_clear_pointer (&addresses->reply_to_mailboxes, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (DraftAddresses, draft_addresses_clear)

static InternetAddressMailbox *
draft_addresses_get_from (DraftAddresses *addresses)
{
  return g_ptr_array_index (addresses->from_mailboxes, 0);
}

/* The sender is the draft's From, else the account's identity. */
static gboolean
parse_addresses (PostierDraft    *draft,
                 PostierAccount  *account,
                 DraftAddresses  *addresses,
                 GError         **error)
{
  PostierAddressField list_fields[3] = { POSTIER_ADDRESS_FIELD_TO, POSTIER_ADDRESS_FIELD_CC,
                                         POSTIER_ADDRESS_FIELD_REPLY_TO };
  const char *list_texts[3];
  const char *from_text;

  addresses->from_mailboxes = g_ptr_array_new ();
  addresses->recipients = g_ptr_array_new ();
  addresses->reply_to_mailboxes = g_ptr_array_new ();

  from_text = postier_draft_get_from (draft);
  if (from_text == NULL && account != NULL)
    from_text = postier_account_get_identity (account);
  if (from_text == NULL)
    {
      g_set_error (error, POSTIER_MESSAGE_ERROR, POSTIER_MESSAGE_ERROR_BAD_ADDRESS,
                   _("From: the message has no sender"));
      return FALSE;
    }
  /* The field's own check: exactly one sender. */
  addresses->from = postier_address_field_parse (POSTIER_ADDRESS_FIELD_FROM, from_text, error);
  if (addresses->from == NULL)
    return FALSE;
  postier_address_list_collect (addresses->from, addresses->from_mailboxes);

  list_texts[0] = postier_draft_get_to (draft);
  list_texts[1] = postier_draft_get_cc (draft);
  list_texts[2] = postier_draft_get_reply_to (draft);
  for (guint i = 0; i < G_N_ELEMENTS (addresses->lists); i++)
    {
      addresses->lists[i] = postier_address_field_parse (list_fields[i], list_texts[i], error);
      if (addresses->lists[i] == NULL)
        return FALSE;
      postier_address_list_collect (addresses->lists[i],
                                    i < 2 ? addresses->recipients : addresses->reply_to_mailboxes);
    }
  addresses->bcc = postier_address_field_parse (POSTIER_ADDRESS_FIELD_BCC, postier_draft_get_bcc (draft), error);
  if (addresses->bcc == NULL)
    return FALSE;
  postier_address_list_collect (addresses->bcc, addresses->recipients);
  return TRUE;
}

/* Every header: the addresses (never Bcc), Subject, Date, a new
 * Message-ID on the sender's domain, the thread, User-Agent, then the
 * draft's own extra headers. */
static void
set_headers (GMimeMessage   *message,
             PostierDraft   *draft,
             DraftAddresses *addresses)
{
  static const GMimeAddressType list_types[3] = { GMIME_ADDRESS_TYPE_TO, GMIME_ADDRESS_TYPE_CC,
                                                  GMIME_ADDRESS_TYPE_REPLY_TO };
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *message_id = NULL;
  const char * const *headers;

  internet_address_list_append (g_mime_message_get_from (message), addresses->from);
  /* An empty list appended would still write an empty header. */
  for (guint i = 0; i < G_N_ELEMENTS (addresses->lists); i++)
    if (internet_address_list_length (addresses->lists[i]) > 0)
      internet_address_list_append (g_mime_message_get_addresses (message, list_types[i]),
                                    addresses->lists[i]);
  /* Bcc goes to the envelope only. */

  if (postier_draft_get_subject (draft) != NULL)
    g_mime_message_set_subject (message, postier_draft_get_subject (draft), "UTF-8");

  now = g_date_time_new_now_local ();
  g_mime_message_set_date (message, now);
  message_id = postier_mime_new_message_id (internet_address_mailbox_get_addr (draft_addresses_get_from (addresses)));
  g_mime_message_set_message_id (message, message_id);

  if (postier_draft_get_in_reply_to (draft) != NULL)
    {
      g_autofree char *ids = format_message_ids (postier_draft_get_in_reply_to (draft));
      g_mime_object_set_header (GMIME_OBJECT (message), "In-Reply-To", ids, NULL);
    }
  if (postier_draft_get_references (draft) != NULL)
    {
      g_autofree char *ids = format_message_ids (postier_draft_get_references (draft));
      g_mime_object_set_header (GMIME_OBJECT (message), "References", ids, NULL);
    }
  g_mime_object_set_header (GMIME_OBJECT (message), "User-Agent", postier_mime_user_agent (), NULL);
  headers = postier_draft_get_headers (draft);
  for (guint i = 0; headers[i] != NULL && headers[i + 1] != NULL; i += 2)
    g_mime_object_append_header (GMIME_OBJECT (message), headers[i], headers[i + 1], "UTF-8");
}

/* The text, alone or first in a multipart/mixed with the attachments. */
static gboolean
set_body (GMimeMessage  *message,
          PostierDraft  *draft,
          GError       **error)
{
  g_autoptr(GMimeObject) text_part = build_text_part (postier_draft_get_body (draft));
  g_autoptr(GMimeMultipart) mixed = NULL;

  if (postier_draft_get_n_attachments (draft) == 0)
    {
      g_mime_message_set_mime_part (message, text_part);
      return TRUE;
    }
  mixed = g_mime_multipart_new_with_subtype ("mixed");
  g_mime_multipart_add (mixed, text_part);
  for (guint i = 0; i < postier_draft_get_n_attachments (draft); i++)
    {
      g_autoptr(GMimeObject) part = build_attachment_part (postier_draft_get_attachment (draft, i), error);
      if (part == NULL)
        return FALSE;
      g_mime_multipart_add (mixed, part);
    }
  g_mime_message_set_mime_part (message, GMIME_OBJECT (mixed));
  return TRUE;
}

/* MAIL FROM is the account's own address (the relay authenticates it);
 * the From header may be another identity of the same person. Every To,
 * Cc and Bcc is a recipient. */
static PostierEnvelope *
build_envelope (PostierAccount  *account,
                DraftAddresses  *addresses,
                GError         **error)
{
  g_autoptr(PostierEnvelope) envelope = NULL;
  const char *sender_address;

  sender_address = account != NULL && postier_account_get_address (account) != NULL ?
                   postier_account_get_address (account) :
                   internet_address_mailbox_get_addr (draft_addresses_get_from (addresses));
  envelope = postier_envelope_new (sender_address);
  for (guint i = 0; i < addresses->recipients->len; i++)
    postier_envelope_add_recipient (envelope,
                                    internet_address_mailbox_get_addr (g_ptr_array_index (addresses->recipients, i)));
  postier_envelope_set_needs_smtputf8 (envelope,
                                       postier_address_is_international (sender_address) ||
                                       list_is_international (addresses->from_mailboxes) ||
                                       list_is_international (addresses->recipients) ||
                                       list_is_international (addresses->reply_to_mailboxes));

  if (postier_envelope_get_n_recipients (envelope) == 0)
    {
      g_set_error (error, POSTIER_MESSAGE_ERROR, POSTIER_MESSAGE_ERROR_NO_RECIPIENTS,
                   _("The message has no recipients: add at least one address to To, Cc or Bcc"));
      return NULL;
    }
  return g_steal_pointer (&envelope);
}

gpointer
postier_mime_build_message (PostierDraft     *draft,
                            PostierAccount   *account,
                            PostierEnvelope **envelope_out,
                            GError          **error)
{
  g_auto(DraftAddresses) addresses = { 0 };
  g_autoptr(GMimeMessage) message = NULL;
  g_autoptr(PostierEnvelope) envelope = NULL;

  g_return_val_if_fail (POSTIER_IS_DRAFT (draft), NULL);
  g_return_val_if_fail (account == NULL || POSTIER_IS_ACCOUNT (account), NULL);

  postier_core_init ();

  if (!postier_draft_validate (draft, error) ||
      !parse_addresses (draft, account, &addresses, error))
    return NULL;

  message = g_mime_message_new (TRUE);
  set_headers (message, draft, &addresses);
  if (!set_body (message, draft, error))
    return NULL;
  envelope = build_envelope (account, &addresses, error);
  if (envelope == NULL)
    return NULL;

  if (envelope_out != NULL)
    *envelope_out = g_steal_pointer (&envelope);
  return g_steal_pointer (&message);
}

static void
find_8bit_part (GMimeObject *parent,
                GMimeObject *part,
                gpointer     user_data)
{
  gboolean *eight_bit = user_data;
  (void) parent;

  if (GMIME_IS_PART (part))
    {
      GMimeContentEncoding encoding = g_mime_part_get_content_encoding (GMIME_PART (part));
      if (encoding == GMIME_CONTENT_ENCODING_8BIT || encoding == GMIME_CONTENT_ENCODING_BINARY)
        *eight_bit = TRUE;
    }
}

GMimeFormatOptions *
postier_mime_new_format_options (void)
{
  GMimeFormatOptions *options = g_mime_format_options_new ();

  g_mime_format_options_set_newline_format (options, GMIME_NEWLINE_FORMAT_DOS);
  g_mime_format_options_set_param_encoding_method (options, GMIME_PARAM_ENCODING_METHOD_RFC2231);
  return options;
}

/* Writes MESSAGE to a descriptor of its own (OWNED_FD, closed here) and
 * fills the envelope from what was written. */
static gboolean
write_message_to_fd (GMimeMessage     *message,
                     PostierEnvelope  *envelope,
                     int               owned_fd,
                     GCancellable     *cancellable,
                     GError          **error)
{
  g_autoptr(GMimeFormatOptions) options = postier_mime_new_format_options ();
  g_autoptr(GMimeStream) sink = NULL;
  g_autofree char *header_block = NULL;
  g_autoptr(GError) sink_error = NULL;
  gboolean eight_bit = FALSE;
  gboolean utf8_headers;
  gssize written;

  sink = postier_mime_sink_new (owned_fd, cancellable);
  written = g_mime_object_write_to_stream (GMIME_OBJECT (message), options, sink);

  if (!postier_mime_sink_finish (POSTIER_MIME_SINK (sink), &sink_error))
    {
      g_propagate_error (error, g_steal_pointer (&sink_error));
      return FALSE;
    }
  if (written < 0)
    {
      /* Our side of the writing was fine: reading an attachment failed. */
      g_set_error (error, POSTIER_MESSAGE_ERROR, POSTIER_MESSAGE_ERROR_ATTACHMENT,
                   _("Cannot read an attachment while writing the message: %s"),
                   g_strerror (errno));
      return FALSE;
    }

  if (envelope != NULL)
    {
      g_mime_message_foreach (message, find_8bit_part, &eight_bit);
      header_block = g_mime_object_get_headers (GMIME_OBJECT (message), options);
      utf8_headers = header_block != NULL &&
                     postier_address_is_international (header_block);
      postier_envelope_set_size (envelope, postier_mime_sink_get_written (POSTIER_MIME_SINK (sink)));
      postier_envelope_set_8bit (envelope, eight_bit || utf8_headers);
      postier_envelope_set_utf8_headers (envelope, utf8_headers);
      if (utf8_headers)
        postier_envelope_set_needs_smtputf8 (envelope, TRUE);
    }
  return TRUE;
}

gboolean
postier_mime_write_message (gpointer          message_pointer,
                            PostierEnvelope  *envelope,
                            const char       *path,
                            GCancellable     *cancellable,
                            GError          **error)
{
  GMimeMessage *message = message_pointer;
  int fd;

  g_return_val_if_fail (GMIME_IS_MESSAGE (message), FALSE);
  g_return_val_if_fail (envelope == NULL || POSTIER_IS_ENVELOPE (envelope), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  fd = g_open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Cannot write the message to “%s”: %s"), path, g_strerror (saved_errno));
      return FALSE;
    }
  return write_message_to_fd (message, envelope, fd, cancellable, error);
}

char *
postier_mime_enqueue_draft (PostierDraft   *draft,
                            PostierAccount *account,
                            PostierOutbox  *outbox,
                            GCancellable   *cancellable,
                            GError        **error)
{
  return postier_mime_enqueue_draft_full (draft, account, outbox, NULL, cancellable, error);
}

/* The hold and the kept draft of issue 13 (undo send, send later). */
static gboolean
stage_options (PostierOutboxStaging        *staging,
               PostierDraft                *draft,
               const PostierEnqueueOptions *options,
               GError                     **error)
{
  g_autofree char *draft_path = NULL;

  if (options == NULL)
    return TRUE;
  postier_outbox_staging_set_not_before (staging, options->not_before, options->schedule);
  if (!options->keep_draft)
    return TRUE;
  draft_path = postier_outbox_staging_dup_draft_path (staging);
  return postier_draft_save (draft, draft_path, error);
}

char *
postier_mime_enqueue_draft_full (PostierDraft                *draft,
                                 PostierAccount              *account,
                                 PostierOutbox               *outbox,
                                 const PostierEnqueueOptions *options,
                                 GCancellable                *cancellable,
                                 GError                     **error)
{
  g_autoptr(GMimeMessage) message = NULL;
  g_autoptr(PostierEnvelope) envelope = NULL;
  g_autoptr(PostierOutboxStaging) staging = NULL;
  int fd;

  g_return_val_if_fail (POSTIER_IS_DRAFT (draft), NULL);
  g_return_val_if_fail (POSTIER_IS_ACCOUNT (account), NULL);
  g_return_val_if_fail (POSTIER_IS_OUTBOX (outbox), NULL);

  message = postier_mime_build_message (draft, account, &envelope, error);
  if (message == NULL)
    return NULL;

  /* Any return before the commit drops the staging, which removes its
   * file. */
  staging = postier_outbox_staging_begin (outbox, error);
  if (staging == NULL)
    return NULL;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  /* The sink closes what it is given; the staging keeps its own. */
  fd = dup (postier_outbox_staging_get_fd (staging));
  if (fd < 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "%s", g_strerror (saved_errno));
      return NULL;
    }
  if (!write_message_to_fd (message, envelope, fd, cancellable, error))
    return NULL;

  /* What the builder set, so the outbox need not read it back. */
  postier_outbox_staging_set_subject (staging, g_mime_message_get_subject (message));
  postier_outbox_staging_set_message_id (staging, g_mime_message_get_message_id (message));
  if (!stage_options (staging, draft, options, error))
    return NULL;
  return postier_outbox_staging_commit (staging, postier_account_get_name (account), envelope,
                                        cancellable, error);
}
