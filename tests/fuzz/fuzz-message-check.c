/* fuzz-message-check.c — the check list and the MIME tree on any bytes
 *
 * What the Sandbox captured is whatever a client sent: checking and
 * describing it must never crash, leak or read out of bounds.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "postier-core.h"
#include "postier-gmime.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  const char *identities[] = { "Ada <ada@example.org>", "b@example.net", NULL };
  PostierCheckContext context = { identities, 1000, "Fuzz", (size & 1) != 0 };
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GMimeStream) stream = NULL;
  g_autoptr(GMimeParser) parser = NULL;
  g_autoptr(GMimeMessage) message = NULL;

  postier_core_init ();
  items = postier_message_check_run (bytes, &context);
  g_assert (items->len == POSTIER_CHECK_N_KINDS);

  stream = g_mime_stream_mem_new_with_buffer ((const char *) data, size);
  parser = g_mime_parser_new_with_stream (stream);
  message = g_mime_parser_construct_message (parser, NULL);
  if (message != NULL)
    {
      g_autoptr(PostierMimeNode) tree = postier_mime_tree_new (message);
      g_autoptr(GPtrArray) nodes = postier_mime_tree_flatten (tree);

      g_assert (nodes->len >= 1);
      g_free (postier_mime_dup_text_body (message));
    }
  return 0;
}
