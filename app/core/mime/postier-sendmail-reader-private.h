/* postier-sendmail-reader-private.h — the sendmail reader's state, shared
 * by its two files
 *
 * Why: the reader is one state machine in two files, each with one job:
 * postier-sendmail-reader.c (lines, the body, output, run()) and
 * postier-sendmail-headers.c (the header block: framing, checks, folding,
 * what is added).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "postier-error.h"
#include "postier-gmime.h"
#include "postier-sendmail-reader.h"

G_BEGIN_DECLS

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
  /* The Subject and Message-ID fields as written, then what GMime reads
   * in them, for the outbox to list without reading the message again. */
  GString              *summary;
  char                 *subject;
  char                 *message_id;
};

/* Records the first failure (later ones are ignored) and stops reading. */
void _postier_sendmail_reader_fail                (PostierSendmailReader *self,
                                                   PostierMessageError    code,
                                                   const char            *format,
                                                   ...) G_GNUC_PRINTF (3, 4);
#define fail_malformed(self, ...) \
  _postier_sendmail_reader_fail ((self), POSTIER_MESSAGE_ERROR_MALFORMED, __VA_ARGS__)

/* Output: counted against the cap, then written to the sink. */
void _postier_sendmail_reader_put_bytes           (PostierSendmailReader *self,
                                                   const void            *data,
                                                   gsize                  length);
/* A whole body line (without its line end) that was read as a header
 * line first. */
void _postier_sendmail_reader_body_line           (PostierSendmailReader *self,
                                                   const guint8          *line,
                                                   gsize                  length);

/* postier-sendmail-headers.c: a header line ended (header->data from
 * line_start, without its line end); the header block ended (written out
 * with what it lacks added, Bcc left out). */
void _postier_sendmail_reader_header_line_ended   (PostierSendmailReader *self);
void _postier_sendmail_reader_header_block_ended  (PostierSendmailReader *self);

G_END_DECLS
