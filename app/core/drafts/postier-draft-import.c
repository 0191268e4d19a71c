/* postier-draft-import.c — drafts from mailto: URIs and message files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-draft"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "postier-address.h"
#include "postier-init.h"
#include "postier-draft.h"
#include "postier-draft-private.h"
#include "postier-error.h"
#include "postier-paths.h"

/* CRLF and lone CR become LF: a draft's body has LF line ends. */
static char *
normalize_line_ends (const char *text)
{
  GString *out = g_string_sized_new (strlen (text));

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '\r')
        {
          g_string_append_c (out, '\n');
          if (p[1] == '\n')
            p++;
        }
      else
        g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

/* --- mailto: (RFC 6068) ------------------------------------------------ */

static gboolean
mailto_header_value_ok (const char  *field,
                        const char  *value,
                        GError     **error)
{
  if (postier_text_has_line_break (value))
    {
      g_set_error (error, POSTIER_MESSAGE_ERROR, POSTIER_MESSAGE_ERROR_HEADER_INJECTION,
                   _("The mailto: link puts a line break in %s; it was refused"), field);
      return FALSE;
    }
  return TRUE;
}

/* One field of a mailto: link into DRAFT; fields other than to, cc, bcc,
 * subject, in-reply-to and body are ignored on purpose. */
static gboolean
apply_mailto_field (PostierDraft  *draft,
                    const char    *field,
                    const char    *text,
                    GError       **error)
{
  if (g_ascii_strcasecmp (field, "to") == 0)
    {
      if (!mailto_header_value_ok ("To", text, error))
        return FALSE;
      postier_draft_add_to (draft, text);
    }
  else if (g_ascii_strcasecmp (field, "cc") == 0)
    {
      if (!mailto_header_value_ok ("Cc", text, error))
        return FALSE;
      postier_draft_add_cc (draft, text);
    }
  else if (g_ascii_strcasecmp (field, "bcc") == 0)
    {
      if (!mailto_header_value_ok ("Bcc", text, error))
        return FALSE;
      postier_draft_add_bcc (draft, text);
    }
  else if (g_ascii_strcasecmp (field, "subject") == 0)
    {
      if (!mailto_header_value_ok ("Subject", text, error))
        return FALSE;
      postier_draft_set_subject (draft, text);
    }
  else if (g_ascii_strcasecmp (field, "in-reply-to") == 0)
    {
      if (!mailto_header_value_ok ("In-Reply-To", text, error))
        return FALSE;
      postier_draft_set_in_reply_to (draft, text);
    }
  else if (g_ascii_strcasecmp (field, "body") == 0)
    {
      g_autofree char *body = normalize_line_ends (text);
      postier_draft_set_body (draft, body);
    }
  /* attach=, from=, and everything else: ignored on purpose. A link
   * must not make a person send files or a header they did not see. */
  return TRUE;
}

PostierDraft *
postier_draft_new_from_mailto (const char  *uri,
                               GError     **error)
{
  g_autoptr(PostierDraft) draft = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *scheme = NULL;
  g_autofree char *path = NULL;
  g_autofree char *query = NULL;
  g_autofree char *to = NULL;
  GUriParamsIter iter;
  char *name;
  char *value;

  g_return_val_if_fail (uri != NULL, NULL);

  if (g_ascii_strncasecmp (uri, "mailto:", 7) != 0 ||
      !g_uri_split (uri, G_URI_FLAGS_ENCODED | G_URI_FLAGS_PARSE_RELAXED,
                    &scheme, NULL, NULL, NULL, &path, &query, NULL, NULL))
    {
      /* The link is anyone's bytes; the message must stay UTF-8 text. */
      g_autofree char *shown = g_utf8_make_valid (uri, -1);

      g_set_error (error, POSTIER_MESSAGE_ERROR, POSTIER_MESSAGE_ERROR_MALFORMED,
                   _("“%s” is not a mailto: link"), shown);
      return NULL;
    }

  draft = postier_draft_new ();

  /* %00 and broken escapes make unescaping fail: refuse the link. */
  to = g_uri_unescape_string (path, NULL);
  if (to == NULL || !g_utf8_validate (to, -1, NULL))
    {
      g_set_error (error, POSTIER_MESSAGE_ERROR, POSTIER_MESSAGE_ERROR_MALFORMED,
                   _("The mailto: link has a badly encoded address"));
      return NULL;
    }
  if (!mailto_header_value_ok ("To", to, error))
    return NULL;
  postier_draft_add_to (draft, to);

  if (query == NULL)
    return g_steal_pointer (&draft);

  g_uri_params_iter_init (&iter, query, -1, "&", G_URI_PARAMS_CASE_INSENSITIVE);
  while (g_uri_params_iter_next (&iter, &name, &value, &local_error))
    {
      g_autofree char *field = name;
      g_autofree char *text = value;

      if (!g_utf8_validate (text, -1, NULL))
        {
          g_set_error (error, POSTIER_MESSAGE_ERROR, POSTIER_MESSAGE_ERROR_MALFORMED,
                       _("The mailto: link has text that is not UTF-8"));
          return NULL;
        }
      if (!apply_mailto_field (draft, field, text, error))
        return NULL;
    }
  if (local_error != NULL)
    {
      g_set_error (error, POSTIER_MESSAGE_ERROR, POSTIER_MESSAGE_ERROR_MALFORMED,
                   _("The mailto: link is badly encoded: %s"), local_error->message);
      return NULL;
    }

  return g_steal_pointer (&draft);
}

/* --- Message files ----------------------------------------------------- */

typedef struct {
  PostierDraft *draft;
  const char   *folder;
  GMimeObject  *body_part;
  guint         n_saved;
  GError       *error;
} ImportState;

static char *
unique_attachment_path (ImportState *state,
                        const char  *suggested)
{
  g_autofree char *base = suggested != NULL ? g_path_get_basename (suggested) : NULL;
  char *path;

  state->n_saved++;
  if (base == NULL || *base == '.' || *base == '\0' || g_str_equal (base, "/"))
    {
      g_free (base);
      base = g_strdup_printf ("attachment-%u", state->n_saved);
    }
  g_strdelimit (base, "/\\", '_');

  path = g_build_filename (state->folder, base, NULL);
  for (guint n = 2; g_file_test (path, G_FILE_TEST_EXISTS); n++)
    {
      g_autofree char *numbered = g_strdup_printf ("%u-%s", n, base);
      g_free (path);
      path = g_build_filename (state->folder, numbered, NULL);
    }
  return path;
}

static gboolean
save_attachment (ImportState *state,
                 GMimeObject *object)
{
  g_autoptr(GMimeStream) out = NULL;
  g_autofree char *path = NULL;
  const char *filename = NULL;
  gssize written;
  int fd;

  if (GMIME_IS_PART (object))
    filename = g_mime_part_get_filename (GMIME_PART (object));
  else if (GMIME_IS_MESSAGE_PART (object))
    filename = "message.eml";

  path = unique_attachment_path (state, filename);
  fd = g_open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved_errno = errno;
      g_set_error (&state->error, POSTIER_MESSAGE_ERROR, POSTIER_MESSAGE_ERROR_ATTACHMENT,
                   _("Cannot save the attachment “%s”: %s"), path, g_strerror (saved_errno));
      return FALSE;
    }
  out = g_mime_stream_fs_new (fd);

  if (GMIME_IS_PART (object) && g_mime_part_get_content (GMIME_PART (object)) != NULL)
    written = g_mime_data_wrapper_write_to_stream (g_mime_part_get_content (GMIME_PART (object)), out);
  else if (GMIME_IS_MESSAGE_PART (object) &&
           g_mime_message_part_get_message (GMIME_MESSAGE_PART (object)) != NULL)
    written = g_mime_object_write_to_stream (
      GMIME_OBJECT (g_mime_message_part_get_message (GMIME_MESSAGE_PART (object))), NULL, out);
  else
    written = 0;  /* an empty part (message/rfc822 with no message): an empty file */

  if (written < 0 || g_mime_stream_flush (out) != 0)
    {
      g_set_error (&state->error, POSTIER_MESSAGE_ERROR, POSTIER_MESSAGE_ERROR_ATTACHMENT,
                   _("Cannot save the attachment “%s”"), path);
      return FALSE;
    }
  postier_draft_add_attachment (state->draft, path);
  return TRUE;
}

static GMimeObject *
find_body (GMimeObject *object)
{
  if (GMIME_IS_MULTIPART (object))
    {
      int n = g_mime_multipart_get_count (GMIME_MULTIPART (object));
      for (int i = 0; i < n; i++)
        {
          GMimeObject *found = find_body (g_mime_multipart_get_part (GMIME_MULTIPART (object), i));
          if (found != NULL)
            return found;
        }
      return NULL;
    }
  if (GMIME_IS_TEXT_PART (object) && !g_mime_part_is_attachment (GMIME_PART (object)) &&
      g_mime_content_type_is_type (g_mime_object_get_content_type (object), "text", "plain"))
    return object;
  return NULL;
}

static void
collect_attachments (ImportState *state,
                     GMimeObject *object,
                     gboolean     in_alternative)
{
  if (state->error != NULL || object == state->body_part)
    return;

  if (GMIME_IS_MULTIPART (object))
    {
      gboolean alternative =
        g_mime_content_type_is_type (g_mime_object_get_content_type (object), "multipart", "alternative");
      int n = g_mime_multipart_get_count (GMIME_MULTIPART (object));

      for (int i = 0; i < n; i++)
        collect_attachments (state, g_mime_multipart_get_part (GMIME_MULTIPART (object), i),
                             in_alternative || alternative);
      return;
    }

  /* Other renderings of the body (HTML beside the plain text) are not
   * attachments; anything marked as one is kept. */
  if (in_alternative && !(GMIME_IS_PART (object) && g_mime_part_is_attachment (GMIME_PART (object))))
    return;
  save_attachment (state, object);
}

static char *
address_header_text (GMimeMessage    *message,
                     GMimeAddressType type)
{
  InternetAddressList *list = g_mime_message_get_addresses (message, type);

  if (list == NULL || internet_address_list_length (list) == 0)
    return NULL;
  return internet_address_list_to_string (list, NULL, FALSE);
}

static char *
unfolded_header (GMimeObject *object,
                 const char  *name)
{
  const char *value = g_mime_object_get_header (object, name);
  char *unfolded;

  if (value == NULL)
    return NULL;
  unfolded = g_mime_utils_header_unfold (value);
  g_strdelimit (unfolded, "\r\n", ' ');
  return unfolded;
}

static GMimeMessage *
parse_message_file (const char  *path,
                    GError     **error)
{
  g_autoptr(GMimeStream) stream = NULL;
  g_autoptr(GMimeParser) parser = NULL;
  GMimeMessage *message;
  int fd;

  fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Cannot open “%s”: %s"), path, g_strerror (saved_errno));
      return NULL;
    }
  stream = g_mime_stream_fs_new (fd);
  parser = g_mime_parser_new_with_stream (stream);
  message = g_mime_parser_construct_message (parser, NULL);
  if (message == NULL)
    g_set_error (error, POSTIER_MESSAGE_ERROR, POSTIER_MESSAGE_ERROR_MALFORMED,
                 _("“%s” is not an email message"), path);
  return message;
}

/* Addresses, Subject, threading and the allow-listed extra headers. */
static void
copy_headers (PostierDraft *draft,
              GMimeMessage *message)
{
  static const char * const extra_headers[] = {
    "Keywords", "Comments", "Organization", "Priority", "Importance", "X-Priority",
    "Sensitivity", "List-Unsubscribe", "List-Unsubscribe-Post", "Auto-Submitted", "Precedence",
  };
  struct { GMimeAddressType type; void (*set) (PostierDraft *, const char *); } address_fields[] = {
    { GMIME_ADDRESS_TYPE_FROM, postier_draft_set_from },
    { GMIME_ADDRESS_TYPE_TO, postier_draft_set_to },
    { GMIME_ADDRESS_TYPE_CC, postier_draft_set_cc },
    { GMIME_ADDRESS_TYPE_BCC, postier_draft_set_bcc },
    { GMIME_ADDRESS_TYPE_REPLY_TO, postier_draft_set_reply_to },
  };

  for (guint i = 0; i < G_N_ELEMENTS (address_fields); i++)
    {
      g_autofree char *text = address_header_text (message, address_fields[i].type);
      address_fields[i].set (draft, text);
    }
  if (g_mime_message_get_subject (message) != NULL)
    {
      g_autofree char *subject = g_strdup (g_mime_message_get_subject (message));
      g_strdelimit (subject, "\r\n", ' ');
      postier_draft_set_subject (draft, subject);
    }
  {
    g_autofree char *in_reply_to = unfolded_header (GMIME_OBJECT (message), "In-Reply-To");
    g_autofree char *references = unfolded_header (GMIME_OBJECT (message), "References");
    postier_draft_set_in_reply_to (draft, in_reply_to);
    postier_draft_set_references (draft, references);
  }
  for (guint i = 0; i < G_N_ELEMENTS (extra_headers); i++)
    {
      g_autofree char *value = unfolded_header (GMIME_OBJECT (message), extra_headers[i]);
      if (value != NULL && g_utf8_validate (value, -1, NULL))
        postier_draft_set_header (draft, extra_headers[i], g_strstrip (value), NULL);
    }
}

static void
set_body (PostierDraft *draft,
          GMimeObject  *body_part)
{
  g_autofree char *text = g_mime_text_part_get_text (GMIME_TEXT_PART (body_part));
  g_autofree char *body = text != NULL ? normalize_line_ends (text) : NULL;
  gsize length = body != NULL ? strlen (body) : 0;

  /* The line end closing the last line belongs to the format, not to
   * the text (the builder adds it back): a message taken back from
   * the outbox or opened from a file would gain an empty line each
   * time otherwise. */
  if (length > 0 && body[length - 1] == '\n')
    body[length - 1] = '\0';
  postier_draft_set_body (draft, body);
}

/* Every part but the body, as files in a new folder under CACHE_DIR. */
static gboolean
save_attachments (ImportState  *state,
                  GMimeObject  *root,
                  const char   *cache_dir,
                  GError      **error)
{
  g_autofree char *folder = NULL;

  if (!postier_ensure_private_dir (cache_dir, error))
    return FALSE;
  folder = g_build_filename (cache_dir, "draft-XXXXXX", NULL);
  if (g_mkdtemp_full (folder, 0700) == NULL)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Cannot create a folder in “%s”: %s"), cache_dir, g_strerror (saved_errno));
      return FALSE;
    }
  state->folder = folder;
  collect_attachments (state, root, FALSE);
  state->folder = NULL;
  if (state->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&state->error));
      return FALSE;
    }
  return TRUE;
}

PostierDraft *
postier_draft_new_from_message_file (const char  *path,
                                     const char  *cache_dir,
                                     GError     **error)
{
  g_autoptr(PostierDraft) draft = NULL;
  g_autoptr(GMimeMessage) message = NULL;
  ImportState state;
  GMimeObject *root;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (cache_dir != NULL, NULL);

  postier_core_init ();

  message = parse_message_file (path, error);
  if (message == NULL)
    return NULL;

  memset (&state, 0, sizeof state);
  draft = postier_draft_new ();
  copy_headers (draft, message);

  root = g_mime_message_get_mime_part (message);
  if (root == NULL)
    return g_steal_pointer (&draft);

  state.draft = draft;
  state.body_part = find_body (root);
  if (state.body_part != NULL)
    set_body (draft, state.body_part);
  if (state.body_part != root && !save_attachments (&state, root, cache_dir, error))
    return NULL;

  return g_steal_pointer (&draft);
}
