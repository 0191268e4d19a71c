/* fuzz-mailto.c — the mailto: parser on any link
 *
 * A link comes from any web page or program. Whatever it holds, the
 * parser refuses it with a message error or fills a draft whose header
 * fields hold no line break and that carries no attachment and no extra
 * header (attach= and the like are ignored by design).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "postier-address.h"
#include "postier-core.h"
#include "postier-draft.h"
#include "postier-error.h"
#include "fuzz-common.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static void
assert_one_line (const char *value)
{
  g_assert (value == NULL || !postier_text_has_line_break (value));
  g_assert (value == NULL || g_utf8_validate (value, -1, NULL));
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autofree char *uri = NULL;
  g_autoptr(PostierDraft) draft = NULL;
  g_autoptr(GError) error = NULL;

  fuzz_quiet_logs ();
  postier_core_init ();

  /* The parser sees C strings: stop at a NUL as a caller would. Most
   * inputs get the scheme for free, so the fuzzer works on what follows. */
  if (size >= 7 && g_ascii_strncasecmp ((const char *) data, "mailto:", 7) == 0)
    uri = g_strndup ((const char *) data, size);
  else
    {
      g_autofree char *rest = g_strndup ((const char *) data, size);
      uri = g_strconcat ("mailto:", rest, NULL);
    }

  draft = postier_draft_new_from_mailto (uri, &error);
  if (draft == NULL)
    {
      g_assert (error != NULL && error->domain == POSTIER_MESSAGE_ERROR);
      g_assert (g_utf8_validate (error->message, -1, NULL));
      return 0;
    }
  g_assert (error == NULL);
  assert_one_line (postier_draft_get_to (draft));
  assert_one_line (postier_draft_get_cc (draft));
  assert_one_line (postier_draft_get_bcc (draft));
  assert_one_line (postier_draft_get_subject (draft));
  assert_one_line (postier_draft_get_in_reply_to (draft));
  g_assert (postier_draft_get_from (draft) == NULL || *postier_draft_get_from (draft) == '\0');
  g_assert (postier_draft_get_n_attachments (draft) == 0);
  g_assert (postier_draft_get_headers (draft) == NULL || postier_draft_get_headers (draft)[0] == NULL);
  g_assert (postier_draft_get_body (draft) == NULL || g_utf8_validate (postier_draft_get_body (draft), -1, NULL));
  return 0;
}
