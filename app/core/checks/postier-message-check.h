/* postier-message-check.h — what a relay or a reader may dislike in a message
 *
 * Runs a fixed list of checks on the bytes of one message (as the Sandbox
 * captured it, or any RFC 5322 file) and says for each one pass, warn or
 * fail, with a translated sentence a person can act on. The Sandbox view
 * and `postierctl sandbox show` present the same list.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum {
  POSTIER_CHECK_PASS,
  POSTIER_CHECK_WARN,
  POSTIER_CHECK_FAIL,
} PostierCheckStatus;

/* In the order they are listed. The key is stable ("date", "message-id",
 * …) for --json and tests; the titles are translated. */
typedef enum {
  POSTIER_CHECK_DATE,              /* "date": a valid Date header */
  POSTIER_CHECK_MESSAGE_ID,        /* "message-id": a Message-ID header */
  POSTIER_CHECK_FROM_IDENTITY,     /* "from": From matches the account identity */
  POSTIER_CHECK_HEADER_ENCODING,   /* "header-encoding": no raw 8-bit unless SMTPUTF8, valid RFC 2047 */
  POSTIER_CHECK_LINE_LENGTH,       /* "line-length": no line over 998 octets */
  POSTIER_CHECK_TEXT_PART,         /* "text-part": a text/plain or text/html part */
  POSTIER_CHECK_SIZE,              /* "size": under the real relay's SIZE */
  POSTIER_CHECK_BCC,               /* "bcc": no Bcc header */
  POSTIER_CHECK_ATTACHMENT_TYPES,  /* "attachment-types": declared types match content */
  POSTIER_CHECK_N_KINDS
} PostierCheckKind;

typedef struct {
  PostierCheckKind    kind;
  PostierCheckStatus  status;
  char               *title;        /* "Date present", translated */
  char               *explanation;  /* one or two sentences, translated */
} PostierCheckItem;

/* What the checks compare the message with. Zero-initialise, then fill. */
typedef struct {
  /* Identities ("Name <addr>") the From may match: the account that sent
   * and the person's other accounts. NULL-terminated; NULL or empty makes
   * the From check a warning ("cannot tell"). The first is "the account". */
  const char * const *identities;
  /* The SIZE the real (default) relay announced, 0 when unknown, and its
   * account name for the explanation. */
  guint64             size_limit;
  const char         *size_limit_account;
  /* The message was submitted with SMTPUTF8 (raw UTF-8 headers allowed). */
  gboolean            smtputf8;
} PostierCheckContext;

#define POSTIER_TYPE_CHECK_ITEM (postier_check_item_get_type ())
GType               postier_check_item_get_type   (void) G_GNUC_CONST;
PostierCheckItem   *postier_check_item_copy       (const PostierCheckItem *item);
void                postier_check_item_free       (PostierCheckItem       *item);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PostierCheckItem, postier_check_item_free)

/* Every check, POSTIER_CHECK_N_KINDS items in PostierCheckKind order
 * (PostierCheckItem, owned by the array). MESSAGE holds the raw bytes. */
GPtrArray          *postier_message_check_run     (GBytes                    *message,
                                                   const PostierCheckContext *context);

/* Whether one raw header value passes the "header-encoding" check (a
 * warning passes): ASCII, valid RFC 2047, or UTF-8 when SMTPUTF8; no
 * control character. For refusing input before it is queued. */
gboolean            postier_message_check_header_value (const char *raw,
                                                        gboolean    smtputf8);

/* The worst status in a list made by postier_message_check_run(). */
PostierCheckStatus  postier_message_check_worst   (GPtrArray                 *items);

const char         *postier_check_kind_to_key     (PostierCheckKind           kind);
/* "pass", "warn", "fail" — stable, for --json. */
const char         *postier_check_status_to_string (PostierCheckStatus        status);

G_END_DECLS
