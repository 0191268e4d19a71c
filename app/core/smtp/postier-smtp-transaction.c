/* postier-smtp-transaction.c — one message through an open SMTP session
 *
 * Its own file because carrying one message is one job with its own
 * steps, one function each: the checks made before a byte is sent, the
 * envelope (RSET when due, MAIL FROM), the recipients (RCPT TO and the
 * judgement of their replies), DATA, the message data (streamed and
 * dot-stuffed by postier-smtp-data.c) and the end of data. With
 * PIPELINING, RSET, MAIL FROM, every RCPT TO and DATA leave in one write
 * and the message data with its final dot in as few large writes as the
 * buffer allows: two round trips per message. With CHUNKING too, a
 * message of up to one chunk (64 KiB) goes as BDAT in the envelope's
 * write: one round trip.
 *
 * Every step leaves self->state saying whether the two sides are still in
 * step: postier_smtp_client_send() closes a session left BROKEN and keeps
 * any other for the next message.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-smtp-client"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "postier-error.h"
#include "postier-smtp-client-private.h"

/* Seconds to wait for the reply to the final dot: RFC 5321 §4.5.3.2.6. */
#define END_OF_DATA_TIMEOUT (10 * 60)

/* ---------------------------------------------------------------------- */
/* Recipients' results */

static void
recipient_result_clear (gpointer data)
{
  postier_smtp_recipient_result_clear (data);
}

void
postier_smtp_recipient_result_clear (PostierSmtpRecipientResult *result)
{
  if (result == NULL)
    return;
  g_clear_pointer (&result->address, g_free);
  g_clear_pointer (&result->reply, g_free);
}

/* One result per envelope recipient, in order, none asked yet. */
static GArray *
new_results (PostierEnvelope *envelope)
{
  GArray *array = g_array_new (FALSE, TRUE, sizeof (PostierSmtpRecipientResult));
  const char * const *recipients = postier_envelope_get_recipients (envelope);

  g_array_set_clear_func (array, recipient_result_clear);
  for (guint i = 0; recipients != NULL && recipients[i] != NULL; i++)
    {
      PostierSmtpRecipientResult result = { g_strdup (recipients[i]), FALSE, 0, NULL };
      g_array_append_val (array, result);
    }
  return array;
}

static void
record_reply (PostierSmtpRecipientResult *result,
              const PostierSmtpReply     *reply)
{
  g_free (result->reply);
  result->reply = postier_smtp_reply_to_string (reply);
  result->code = reply->code;
  result->accepted = reply->code / 100 == 2;
}

/* ---------------------------------------------------------------------- */
/* Addresses and commands */

/* A path that could smuggle a second command (CR, LF) or end the angle
 * brackets early must never reach the wire. */
static gboolean
path_is_safe (const char *address)
{
  for (const char *p = address; *p; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f || *p == '<' || *p == '>')
      return FALSE;
  return TRUE;
}

static gboolean
path_is_ascii (const char *address)
{
  for (const char *p = address; *p; p++)
    if ((guchar) *p >= 0x80)
      return FALSE;
  return TRUE;
}

/* Whether anything in the envelope or the headers is not ASCII. */
static gboolean
is_international (PostierEnvelope *envelope)
{
  const char * const *recipients = postier_envelope_get_recipients (envelope);

  if (postier_envelope_get_needs_smtputf8 (envelope) || postier_envelope_get_utf8_headers (envelope) ||
      !path_is_ascii (postier_envelope_get_sender (envelope)))
    return TRUE;
  for (guint i = 0; recipients != NULL && recipients[i] != NULL; i++)
    if (!path_is_ascii (recipients[i]))
      return TRUE;
  return FALSE;
}

/* RFC 6531 is needed only for a non-ASCII local part or raw UTF-8 in the
 * headers. An internationalised domain alone goes as A-labels (RFC 5890),
 * which every server understands, and so does every relay after it: a
 * message sent with SMTPUTF8 bounces at the first hop that lacks it. */
static gboolean
needs_smtputf8 (PostierEnvelope *envelope)
{
  return is_international (envelope) && !postier_envelope_can_send_ascii (envelope);
}

/* The form of an address that goes on the wire: as it is with SMTPUTF8,
 * else its ASCII form (the same bytes for an ASCII address). */
static const char *
wire_address (const char *address,
              const char *ascii,
              gboolean    smtputf8)
{
  return smtputf8 || ascii == NULL ? address : ascii;
}

static char *
mail_command (PostierSmtpClient *self,
              PostierEnvelope   *envelope,
              guint64            size,
              gboolean           smtputf8)
{
  PostierSmtpCapabilities caps = self->ehlo->flags;
  GString *line = g_string_new ("MAIL FROM:<");

  g_string_append (line, wire_address (postier_envelope_get_sender (envelope),
                                       postier_envelope_get_ascii_sender (envelope), smtputf8));
  g_string_append_c (line, '>');
  if ((caps & POSTIER_SMTP_CAP_SIZE) && size > 0)
    g_string_append_printf (line, " SIZE=%" G_GUINT64_FORMAT, size);
  if ((caps & POSTIER_SMTP_CAP_8BITMIME) && postier_envelope_get_8bit (envelope))
    g_string_append (line, " BODY=8BITMIME");
  if (smtputf8)
    g_string_append (line, " SMTPUTF8");
  if ((caps & POSTIER_SMTP_CAP_DSN) && postier_account_get_request_dsn (self->account))
    g_string_append (line, " RET=HDRS");
  return g_string_free (line, FALSE);
}

static char *
rcpt_command (PostierSmtpClient *self,
              const char        *recipient)
{
  GString *line = g_string_new ("RCPT TO:<");

  g_string_append (line, recipient);
  g_string_append_c (line, '>');
  if ((self->ehlo->flags & POSTIER_SMTP_CAP_DSN) && postier_account_get_request_dsn (self->account))
    g_string_append (line, " NOTIFY=SUCCESS,FAILURE,DELAY");
  return g_string_free (line, FALSE);
}

/* ---------------------------------------------------------------------- */
/* Before a byte is sent */

static gboolean
check_paths (PostierEnvelope  *envelope,
             GError          **error)
{
  const char * const *recipients = postier_envelope_get_recipients (envelope);

  if (recipients == NULL || recipients[0] == NULL)
    {
      g_set_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_PERMANENT,
                   _("The message has no recipients"));
      return FALSE;
    }
  if (!path_is_safe (postier_envelope_get_sender (envelope)))
    {
      g_set_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_PERMANENT,
                   _("The sender address “%s” cannot be used in SMTP"),
                   postier_envelope_get_sender (envelope));
      return FALSE;
    }
  for (guint i = 0; recipients[i] != NULL; i++)
    {
      if (!path_is_safe (recipients[i]))
        {
          g_autofree char *shown = g_strescape (recipients[i], NULL);
          g_set_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_PERMANENT,
                       _("The recipient address “%s” cannot be used in SMTP"), shown);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
check_smtputf8 (PostierSmtpClient  *self,
                PostierEnvelope    *envelope,
                GError            **error)
{
  const char * const *recipients = postier_envelope_get_recipients (envelope);
  const char *address;

  if (!needs_smtputf8 (envelope) || (self->ehlo->flags & POSTIER_SMTP_CAP_SMTPUTF8))
    return TRUE;

  address = postier_envelope_get_ascii_sender (envelope) == NULL ? postier_envelope_get_sender (envelope) : NULL;
  for (guint i = 0; address == NULL && recipients[i] != NULL; i++)
    if (postier_envelope_get_ascii_recipient (envelope, i) == NULL)
      address = recipients[i];
  if (address != NULL)
    g_set_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_PERMANENT,
                 _("The address “%s” needs internationalised mail (SMTPUTF8), which the server %s "
                   "does not support"), address, self->host);
  else
    g_set_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_PERMANENT,
                 _("The message’s headers need internationalised mail (SMTPUTF8), which the server %s "
                   "does not support"), self->host);
  return FALSE;
}

static gboolean
check_size (PostierSmtpClient  *self,
            guint64             size,
            GError            **error)
{
  g_autofree char *ours = NULL;
  g_autofree char *theirs = NULL;
  g_autofree char *ours_exact = NULL;
  g_autofree char *theirs_exact = NULL;

  if (self->ehlo->size_limit == 0 || size <= self->ehlo->size_limit)
    return TRUE;

  ours = g_format_size (size);
  theirs = g_format_size (self->ehlo->size_limit);
  ours_exact = g_strdup_printf ("%" G_GUINT64_FORMAT, size);
  theirs_exact = g_strdup_printf ("%" G_GUINT64_FORMAT, self->ehlo->size_limit);
  g_set_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_TOO_BIG,
               _("The message is %s (%s bytes), more than the %s (%s bytes) the server %s accepts"),
               ours, ours_exact, theirs, theirs_exact, self->host);
  return FALSE;
}

/* Checks done before a byte is sent: nothing here may leave the session in
 * the middle of a transaction. */
static gboolean
check_message (PostierSmtpClient  *self,
               PostierEnvelope    *envelope,
               guint64             size,
               GError            **error)
{
  return check_paths (envelope, error) &&
         check_smtputf8 (self, envelope, error) &&
         check_size (self, size, error);
}

/* Opens the message for reading. Never a link or a special file: the
 * outbox makes neither, so one there was planted to send some other file.
 * Returns -1 with ERROR set on failure. */
static int
open_message (const char   *message_path,
              struct stat  *info,
              GError      **error)
{
  int fd = g_open (message_path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0);
  int saved = 0;

  if (fd < 0 || fstat (fd, info) != 0)
    saved = errno;
  else if (!S_ISREG (info->st_mode))
    saved = EINVAL;
  if (saved != 0)
    {
      g_set_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_FAILED,
                   _("Cannot read the message “%s”: %s"), message_path, g_strerror (saved));
      if (fd >= 0)
        close (fd);
      return -1;
    }
  if (info->st_size > POSTIER_SMTP_DATA_CHUNK)
    posix_fadvise (fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  return fd;
}

/* ---------------------------------------------------------------------- */
/* The transaction, step by step */

/* The state a refusal leaves: a 4xx or 5xx is an answer the server meant,
 * so the two sides still agree (with RSET before the next message); any
 * other reply where it does not belong means they no longer do. */
static PostierSmtpSessionState
state_after_refusal (const PostierSmtpReply *reply)
{
  guint code_class = reply->code / 100;

  return code_class == 4 || code_class == 5 ? POSTIER_SMTP_SESSION_NEEDS_RSET : POSTIER_SMTP_SESSION_BROKEN;
}

/* Envelope: RSET when the last transaction was refused, then MAIL FROM.
 * With PIPELINING both are only queued, to leave with the recipients and
 * DATA; else each waits for its reply, and a refused sender ends here. */
static gboolean
send_envelope (PostierSmtpClient  *self,
               PostierEnvelope    *envelope,
               guint64             size,
               gboolean            smtputf8,
               gboolean            pipelining,
               gboolean            rset,
               PostierSmtpReply  **mail_reply,
               GError            **error)
{
  g_autofree char *mail = mail_command (self, envelope, size, smtputf8);

  if (rset)
    {
      _postier_smtp_client_queue_command (self, "RSET");
      if (!pipelining)
        {
          g_autoptr(PostierSmtpReply) reply = NULL;

          if (!postier_smtp_stream_flush (self->stream, error) ||
              !(reply = _postier_smtp_client_read_reply (self, error)))
            return FALSE;
          if (!_postier_smtp_client_expect (reply, 2, _("The server refused RSET: %s"), error))
            return FALSE;
        }
    }
  _postier_smtp_client_queue_command (self, mail);
  if (pipelining)
    return TRUE;

  if (!postier_smtp_stream_flush (self->stream, error) ||
      !(*mail_reply = _postier_smtp_client_read_reply (self, error)))
    return FALSE;
  if ((*mail_reply)->code / 100 != 2)
    {
      _postier_smtp_client_set_reply_error (error, *mail_reply, _("The server refused the sender: %s"));
      self->state = state_after_refusal (*mail_reply);
      return FALSE;
    }
  return TRUE;
}

/* One RCPT TO per recipient; without PIPELINING each waits for its reply,
 * which goes into RESULTS. */
static gboolean
send_recipients (PostierSmtpClient  *self,
                 PostierEnvelope    *envelope,
                 GArray             *results,
                 gboolean            smtputf8,
                 gboolean            pipelining,
                 GError            **error)
{
  for (guint i = 0; i < results->len; i++)
    {
      PostierSmtpRecipientResult *result = &g_array_index (results, PostierSmtpRecipientResult, i);
      g_autofree char *rcpt = rcpt_command (self, wire_address (result->address,
                                                                postier_envelope_get_ascii_recipient (envelope, i),
                                                                smtputf8));

      _postier_smtp_client_queue_command (self, rcpt);
      if (!pipelining)
        {
          g_autoptr(PostierSmtpReply) reply = NULL;

          if (!postier_smtp_stream_flush (self->stream, error) ||
              !(reply = _postier_smtp_client_read_reply (self, error)))
            return FALSE;
          record_reply (result, reply);
        }
    }
  return TRUE;
}

/* The replies to a pipelined envelope, in order: RSET's (when sent),
 * MAIL FROM's, one per recipient into RESULTS. */
static gboolean
read_envelope_replies (PostierSmtpClient  *self,
                       gboolean            rset,
                       GArray             *results,
                       PostierSmtpReply  **mail_reply,
                       GError            **error)
{
  if (rset)
    {
      g_autoptr(PostierSmtpReply) reply = _postier_smtp_client_read_reply (self, error);
      if (reply == NULL)
        return FALSE;
    }
  if (!(*mail_reply = _postier_smtp_client_read_reply (self, error)))
    return FALSE;
  for (guint i = 0; i < results->len; i++)
    {
      g_autoptr(PostierSmtpReply) reply = _postier_smtp_client_read_reply (self, error);

      if (reply == NULL)
        return FALSE;
      record_reply (&g_array_index (results, PostierSmtpRecipientResult, i), reply);
    }
  return TRUE;
}

/* With PIPELINING: DATA joins the queued commands, all leave in one write,
 * and their replies are read in order: the envelope's, then DATA's. */
static gboolean
read_pipelined_replies (PostierSmtpClient  *self,
                        gboolean            rset,
                        GArray             *results,
                        PostierSmtpReply  **mail_reply,
                        PostierSmtpReply  **data_reply,
                        GError            **error)
{
  _postier_smtp_client_queue_command (self, "DATA");
  return postier_smtp_stream_flush (self->stream, error) &&
         read_envelope_replies (self, rset, results, mail_reply, error) &&
         (*data_reply = _postier_smtp_client_read_reply (self, error)) != NULL;
}

/* Recipient judgement: the transaction goes on when the sender and at
 * least one recipient were accepted. Else sets REFUSAL (every refusal
 * permanent: give up; any temporary one: retry) and *AFTER, the state the
 * refusal leaves the session in. */
static gboolean
judge_recipients (const PostierSmtpReply   *mail_reply,
                  GArray                   *results,
                  PostierSmtpSessionState  *after,
                  GError                  **refusal)
{
  const PostierSmtpRecipientResult *first_refused = NULL;
  guint accepted = 0, temporary = 0;

  *after = POSTIER_SMTP_SESSION_NEEDS_RSET;
  if (mail_reply->code / 100 != 2)
    {
      /* Recipients answered a transaction that never began: their 503s say
       * nothing about them, so they count as never asked. */
      for (guint i = 0; i < results->len; i++)
        {
          PostierSmtpRecipientResult *result = &g_array_index (results, PostierSmtpRecipientResult, i);
          result->code = 0;
          result->accepted = FALSE;
          g_clear_pointer (&result->reply, g_free);
        }
      _postier_smtp_client_set_reply_error (refusal, mail_reply, _("The server refused the sender: %s"));
      *after = state_after_refusal (mail_reply);
      return FALSE;
    }

  for (guint i = 0; i < results->len; i++)
    {
      const PostierSmtpRecipientResult *result = &g_array_index (results, PostierSmtpRecipientResult, i);

      if (result->accepted)
        accepted++;
      else
        {
          if (first_refused == NULL)
            first_refused = result;
          if (result->code / 100 != 5)
            temporary++;
        }
    }
  if (accepted > 0)
    return TRUE;
  g_set_error (refusal, POSTIER_SMTP_ERROR,
               temporary > 0 ? POSTIER_SMTP_ERROR_TEMPORARY : POSTIER_SMTP_ERROR_PERMANENT,
               _("The server refused every recipient: %s"), first_refused->reply);
  return FALSE;
}

/* Ends the DATA phase with no data: a server that said 354 although the
 * transaction cannot go on is given an empty message to refuse. */
static gboolean
abandon_data (PostierSmtpClient *self)
{
  g_autoptr(PostierSmtpReply) reply = NULL;

  postier_smtp_stream_queue (self->stream, ".\r\n", 3);
  postier_smtp_transcript_client (self->transcript, ".");
  if (postier_smtp_stream_flush (self->stream, NULL))
    reply = _postier_smtp_client_read_reply (self, NULL);
  return reply != NULL;
}

/* Data: DATA's reply must be 354. A refusal leaves the session in step; a
 * 2xx would make the server read our commands as the message, and the two
 * sides no longer agree. */
static gboolean
check_data_reply (PostierSmtpClient       *self,
                  const PostierSmtpReply  *data_reply,
                  GError                 **error)
{
  if (data_reply->code == 354)
    return TRUE;
  if (data_reply->code / 100 == 2)
    {
      g_set_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_PROTOCOL,
                   _("Unexpected reply to DATA: %s"), data_reply->lines[0]);
      return FALSE;
    }
  _postier_smtp_client_set_reply_error (error, data_reply, _("The server refused the message data: %s"));
  self->state = state_after_refusal (data_reply);
  return FALSE;
}

/* The reply to the final dot, or to BDAT LAST: the verdict on the
 * message. The server may scan the message before it answers; giving up
 * early would retry a message it went on to accept, and deliver it
 * twice. */
static PostierSmtpReply *
read_final_reply (PostierSmtpClient  *self,
                  GError            **error)
{
  PostierSmtpReply *reply;

  postier_smtp_stream_set_timeout (self->stream, MAX (self->timeout, END_OF_DATA_TIMEOUT));
  reply = _postier_smtp_client_read_reply (self, error);
  postier_smtp_stream_set_timeout (self->stream, self->timeout);
  return reply;
}

/* End of data: the reply to the final dot (or to BDAT LAST) says whether
 * the server took the message. */
static gboolean
end_of_data (PostierSmtpClient  *self,
             GError            **error)
{
  g_autoptr(PostierSmtpReply) reply = read_final_reply (self, error);

  if (reply == NULL)
    return FALSE;
  if (reply->code / 100 != 2)
    {
      _postier_smtp_client_set_reply_error (error, reply, _("The server did not accept the message: %s"));
      self->state = state_after_refusal (reply);
      return FALSE;
    }
  self->state = POSTIER_SMTP_SESSION_IN_STEP;
  return TRUE;
}

/* With CHUNKING and PIPELINING, a message of one chunk goes as "BDAT n
 * LAST" in the same write as its envelope: one round trip, where DATA
 * takes two (its data must wait for the 354). The replies come in order,
 * the envelope's then BDAT's, the verdict on the message. A server that
 * refused the sender or every recipient reads the chunk and refuses it
 * (RFC 3030 §2), so nobody gets it; the octets are the price of the
 * refusal, paid only by refused messages. */
static gboolean
chunked_transaction (PostierSmtpClient  *self,
                     PostierEnvelope    *envelope,
                     int                 fd,
                     guint64             size,
                     guint64             file_size,
                     GArray             *results,
                     GError            **error)
{
  gboolean smtputf8 = needs_smtputf8 (envelope);
  gboolean rset = self->state == POSTIER_SMTP_SESSION_NEEDS_RSET;
  g_autoptr(PostierSmtpReply) mail_reply = NULL;
  g_autoptr(PostierSmtpReply) bdat_reply = NULL;
  g_autoptr(GError) refusal = NULL;
  PostierSmtpSessionState after;

  self->state = POSTIER_SMTP_SESSION_BROKEN;
  if (!send_envelope (self, envelope, size, smtputf8, TRUE, rset, &mail_reply, error) ||
      !send_recipients (self, envelope, results, smtputf8, TRUE, error) ||
      !_postier_smtp_client_queue_last_chunk (self, fd, file_size, error) ||
      !postier_smtp_stream_flush (self->stream, error))
    return FALSE;
  /* The whole message is out: a cancel from here on may leave it sent. */
  if (self->progress_func != NULL)
    self->progress_func (file_size, file_size, self->progress_data);
  if (!read_envelope_replies (self, rset, results, &mail_reply, error))
    return FALSE;

  if (!judge_recipients (mail_reply, results, &after, &refusal))
    {
      /* Its reply to BDAT must refuse too; one that took the message
       * without a recipient no longer agrees with us. */
      bdat_reply = _postier_smtp_client_read_reply (self, NULL);
      self->state = bdat_reply != NULL && bdat_reply->code / 100 != 2 ? after : POSTIER_SMTP_SESSION_BROKEN;
      g_propagate_error (error, g_steal_pointer (&refusal));
      return FALSE;
    }
  return end_of_data (self, error);
}

static gboolean
transaction (PostierSmtpClient  *self,
             PostierEnvelope    *envelope,
             int                 fd,
             guint64             size,
             guint64             file_size,
             GArray             *results,
             GCancellable       *cancellable,
             GError            **error)
{
  gboolean smtputf8 = needs_smtputf8 (envelope);
  gboolean pipelining = (self->ehlo->flags & POSTIER_SMTP_CAP_PIPELINING) != 0;
  gboolean rset = self->state == POSTIER_SMTP_SESSION_NEEDS_RSET;
  g_autoptr(PostierSmtpReply) mail_reply = NULL;
  g_autoptr(PostierSmtpReply) data_reply = NULL;
  g_autoptr(GError) refusal = NULL;
  PostierSmtpSessionState after;

  if (pipelining && (self->ehlo->flags & POSTIER_SMTP_CAP_CHUNKING) &&
      file_size > 0 && file_size <= POSTIER_SMTP_DATA_CHUNK)
    return chunked_transaction (self, envelope, fd, size, file_size, results, error);

  /* Until a reply shows the dialogue in step, any way out of here leaves
   * it broken. */
  self->state = POSTIER_SMTP_SESSION_BROKEN;

  if (!send_envelope (self, envelope, size, smtputf8, pipelining, rset, &mail_reply, error) ||
      !send_recipients (self, envelope, results, smtputf8, pipelining, error))
    return FALSE;
  if (pipelining && !read_pipelined_replies (self, rset, results, &mail_reply, &data_reply, error))
    return FALSE;

  if (!judge_recipients (mail_reply, results, &after, &refusal))
    {
      /* DATA went out only when pipelined. */
      gboolean in_step = data_reply == NULL || data_reply->code != 354 || abandon_data (self);

      self->state = in_step ? after : POSTIER_SMTP_SESSION_BROKEN;
      g_propagate_error (error, g_steal_pointer (&refusal));
      return FALSE;
    }

  if (!pipelining && !(data_reply = _postier_smtp_client_command (self, "DATA", error)))
    return FALSE;
  return check_data_reply (self, data_reply, error) &&
         _postier_smtp_client_stream_message (self, fd, file_size, cancellable, error) &&
         end_of_data (self, error);
}

/* After a failed transaction: nobody has the message unless the end of
 * data was accepted, so a retry must go to every recipient whose RCPT TO
 * had been accepted too; a session left out of step is closed. */
static void
settle_failure (PostierSmtpClient *self,
                GArray            *results,
                GError            *error)
{
  for (guint i = 0; i < results->len; i++)
    g_array_index (results, PostierSmtpRecipientResult, i).accepted = FALSE;

  if (self->state == POSTIER_SMTP_SESSION_BROKEN)
    _postier_smtp_client_drop_connection (self);
  else
    postier_smtp_stream_set_cancellable (self->stream, NULL);
  postier_smtp_transcript_note (self->transcript, "error: %s", error->message);
}

gboolean
postier_smtp_client_send (PostierSmtpClient  *self,
                          PostierEnvelope    *envelope,
                          const char         *message_path,
                          GArray            **results,
                          GCancellable       *cancellable,
                          GError            **error)
{
  g_autoptr(GArray) array = NULL;
  g_autoptr(GError) local_error = NULL;
  struct stat info;
  guint64 size;
  gboolean ok;
  int fd;

  g_return_val_if_fail (POSTIER_IS_SMTP_CLIENT (self), FALSE);
  g_return_val_if_fail (POSTIER_IS_ENVELOPE (envelope), FALSE);
  g_return_val_if_fail (message_path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  array = new_results (envelope);
  if (results != NULL)
    *results = g_array_ref (array);

  if (self->stream == NULL)
    {
      g_set_error (error, POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_NETWORK,
                   _("The connection to the server is closed"));
      return FALSE;
    }
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  fd = open_message (message_path, &info, error);
  if (fd < 0)
    return FALSE;
  /* The envelope's size is what the builder measured; the file is the
   * truth when it does not say. Dot-stuffing adds a little either way. */
  size = postier_envelope_get_size (envelope);
  if (size == 0)
    size = (guint64) info.st_size;

  if (!check_message (self, envelope, size, &local_error))
    {
      close (fd);
      postier_smtp_transcript_note (self->transcript, "not sent: %s", local_error->message);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  postier_smtp_stream_set_cancellable (self->stream, cancellable);
  ok = transaction (self, envelope, fd, size, (guint64) info.st_size, array, cancellable, &local_error);
  close (fd);
  if (ok)
    {
      postier_smtp_stream_set_cancellable (self->stream, NULL);
      return TRUE;
    }
  settle_failure (self, array, local_error);
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}
