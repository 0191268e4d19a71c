/* postier-mime-tree.h — the structure of a message, described for people
 *
 * A tree of the MIME parts of a parsed message: content type, charset,
 * transfer encoding, disposition, file name and sizes, for the Sandbox view
 * and `postierctl sandbox show`. Plain data: no GMime types leak out.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef struct _PostierMimeNode PostierMimeNode;

struct _PostierMimeNode {
  char      *part_id;          /* "1", "1.2", … as IMAP numbers them; "" for the root */
  guint      depth;            /* 0 for the top-level part */
  char      *content_type;     /* "text/plain", lower case */
  char      *charset;          /* NULL when not given */
  char      *encoding;         /* "7bit", "base64", "quoted-printable", …; NULL for containers */
  char      *disposition;      /* "inline", "attachment" or NULL */
  char      *filename;         /* decoded (RFC 2231 / 2047), NULL when none */
  guint64    encoded_size;     /* octets of the body as it travels (0 for containers) */
  guint64    decoded_size;     /* octets once the transfer encoding is undone */
  GPtrArray *children;         /* PostierMimeNode, for multiparts and message/rfc822 */
};

#define POSTIER_TYPE_MIME_NODE (postier_mime_node_get_type ())
GType             postier_mime_node_get_type (void) G_GNUC_CONST;
PostierMimeNode  *postier_mime_node_ref      (PostierMimeNode *node);
void              postier_mime_node_unref    (PostierMimeNode *node);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PostierMimeNode, postier_mime_node_unref)

/* The tree of MESSAGE (a GMimeMessage): the node of its top-level part. */
PostierMimeNode  *postier_mime_tree_new      (gpointer         message);

/* Every node, depth first (the order to print or flatten into a list).
 * Transfer container. */
GPtrArray        *postier_mime_tree_flatten  (PostierMimeNode *root);

/* The readable text of MESSAGE (a GMimeMessage): its first text/plain part
 * decoded to UTF-8, else its first text/html part's text as is, else NULL. */
char             *postier_mime_dup_text_body (gpointer         message);

G_END_DECLS
