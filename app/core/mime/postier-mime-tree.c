/* postier-mime-tree.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-mime-tree"

#include "config.h"

#include "postier-gmime.h"
#include "postier-mime-tree.h"

G_DEFINE_BOXED_TYPE (PostierMimeNode, postier_mime_node, postier_mime_node_ref, postier_mime_node_unref)

static PostierMimeNode *
mime_node_new (void)
{
  PostierMimeNode *node = g_rc_box_new0 (PostierMimeNode);

  node->children = g_ptr_array_new_with_free_func ((GDestroyNotify) postier_mime_node_unref);
  return node;
}

static void
mime_node_clear (PostierMimeNode *node)
{
  g_free (node->part_id);
  g_free (node->content_type);
  g_free (node->charset);
  g_free (node->encoding);
  g_free (node->disposition);
  g_free (node->filename);
  g_ptr_array_unref (node->children);
}

PostierMimeNode *
postier_mime_node_ref (PostierMimeNode *node)
{
  return g_rc_box_acquire (node);
}

void
postier_mime_node_unref (PostierMimeNode *node)
{
  g_rc_box_release_full (node, (GDestroyNotify) mime_node_clear);
}

/* The bytes a stream holds, counted by copying it into a null stream: the
 * only way that also works for streams of unknown length. */
static guint64
count_bytes (GMimeDataWrapper *content,
             gboolean          decoded)
{
  g_autoptr(GMimeStream) sink = g_mime_stream_null_new ();
  GMimeStream *raw = g_mime_data_wrapper_get_stream (content);

  if (raw == NULL)
    return 0;
  g_mime_stream_reset (raw);
  if (decoded)
    g_mime_data_wrapper_write_to_stream (content, sink);
  else
    g_mime_stream_write_to_stream (raw, sink);
  g_mime_stream_reset (raw);
  return GMIME_STREAM_NULL (sink)->written;
}

static PostierMimeNode *
describe (GMimeObject *object,
          const char  *part_id,
          guint        depth)
{
  PostierMimeNode *node = mime_node_new ();
  GMimeContentType *type = g_mime_object_get_content_type (object);
  GMimeContentDisposition *disposition = g_mime_object_get_content_disposition (object);
  const char *charset = g_mime_object_get_content_type_parameter (object, "charset");
  g_autofree char *mime_type = NULL;

  mime_type = type != NULL ? g_mime_content_type_get_mime_type (type) : g_strdup ("text/plain");
  node->part_id = g_strdup (part_id);
  node->depth = depth;
  node->content_type = g_ascii_strdown (mime_type, -1);
  node->charset = g_strdup (charset);
  if (disposition != NULL && g_mime_content_disposition_get_disposition (disposition) != NULL)
    node->disposition = g_ascii_strdown (g_mime_content_disposition_get_disposition (disposition), -1);

  if (GMIME_IS_MULTIPART (object))
    {
      GMimeMultipart *multipart = GMIME_MULTIPART (object);
      int count = g_mime_multipart_get_count (multipart);

      for (int i = 0; i < count; i++)
        {
          g_autofree char *child_id = *part_id != '\0' ? g_strdup_printf ("%s.%d", part_id, i + 1)
                                                       : g_strdup_printf ("%d", i + 1);
          g_ptr_array_add (node->children,
                           describe (g_mime_multipart_get_part (multipart, i), child_id, depth + 1));
        }
    }
  else if (GMIME_IS_MESSAGE_PART (object))
    {
      GMimeMessage *inner = g_mime_message_part_get_message (GMIME_MESSAGE_PART (object));
      GMimeObject *body = inner != NULL ? g_mime_message_get_mime_part (inner) : NULL;

      if (body != NULL)
        {
          g_autofree char *child_id = *part_id != '\0' ? g_strdup_printf ("%s.1", part_id)
                                                       : g_strdup ("1");
          g_ptr_array_add (node->children, describe (body, child_id, depth + 1));
        }
    }
  else if (GMIME_IS_PART (object))
    {
      GMimePart *part = GMIME_PART (object);
      GMimeDataWrapper *content = g_mime_part_get_content (part);
      GMimeContentEncoding encoding = g_mime_part_get_content_encoding (part);

      node->encoding = g_strdup (encoding != GMIME_CONTENT_ENCODING_DEFAULT
                                 ? g_mime_content_encoding_to_string (encoding) : "7bit");
      node->filename = g_strdup (g_mime_part_get_filename (part));
      if (content != NULL)
        {
          node->encoded_size = count_bytes (content, FALSE);
          node->decoded_size = count_bytes (content, TRUE);
        }
    }
  return node;
}

PostierMimeNode *
postier_mime_tree_new (gpointer message)
{
  GMimeObject *body;

  g_return_val_if_fail (GMIME_IS_MESSAGE (message), NULL);

  body = g_mime_message_get_mime_part (message);
  if (body == NULL)
    {
      /* A message with no body at all still has a (missing) text part. */
      PostierMimeNode *node = mime_node_new ();
      node->part_id = g_strdup ("");
      node->content_type = g_strdup ("text/plain");
      node->encoding = g_strdup ("7bit");
      return node;
    }
  return describe (body, "", 0);
}

static void
flatten_into (PostierMimeNode *node,
              GPtrArray       *list)
{
  g_ptr_array_add (list, node);
  for (guint i = 0; i < node->children->len; i++)
    flatten_into (g_ptr_array_index (node->children, i), list);
}

GPtrArray *
postier_mime_tree_flatten (PostierMimeNode *root)
{
  GPtrArray *list = g_ptr_array_new ();

  g_return_val_if_fail (root != NULL, list);
  flatten_into (root, list);
  return list;
}

/* The text of a part in UTF-8, whatever charset it declares. */
static char *
part_text (GMimePart *part)
{
  if (GMIME_IS_TEXT_PART (part))
    return g_mime_text_part_get_text (GMIME_TEXT_PART (part));
  return NULL;
}

static GMimePart *
find_text_part (GMimeObject *object,
                const char  *subtype)
{
  if (GMIME_IS_MULTIPART (object))
    {
      GMimeMultipart *multipart = GMIME_MULTIPART (object);
      int count = g_mime_multipart_get_count (multipart);

      for (int i = 0; i < count; i++)
        {
          GMimePart *found = find_text_part (g_mime_multipart_get_part (multipart, i), subtype);
          if (found != NULL)
            return found;
        }
      return NULL;
    }
  if (GMIME_IS_PART (object))
    {
      GMimeContentType *type = g_mime_object_get_content_type (object);
      GMimeContentDisposition *disposition = g_mime_object_get_content_disposition (object);

      if (disposition != NULL && g_mime_content_disposition_is_attachment (disposition))
        return NULL;
      if (type == NULL || g_mime_content_type_is_type (type, "text", subtype))
        return GMIME_PART (object);
    }
  return NULL;
}

char *
postier_mime_dup_text_body (gpointer message)
{
  GMimeObject *body;
  GMimePart *part;

  g_return_val_if_fail (GMIME_IS_MESSAGE (message), NULL);

  body = g_mime_message_get_mime_part (message);
  if (body == NULL)
    return NULL;
  part = find_text_part (body, "plain");
  if (part == NULL)
    part = find_text_part (body, "html");
  return part != NULL ? part_text (part) : NULL;
}
