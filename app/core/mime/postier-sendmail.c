/* postier-sendmail.c — sendmail's standard input, into the outbox
 *
 * Why a file of its own: this is the sendmail face's path into the
 * outbox (the envelope from -f and the arguments, the reader writing into
 * an outbox staging, the commit), kept apart from the reader itself
 * (postier-sendmail-reader.c), which knows nothing of accounts or outboxes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-mime"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "postier-address.h"
#include "postier-error.h"
#include "postier-gmime.h"
#include "postier-outbox-staging.h"
#include "postier-relay-limits.h"
#include "postier-sendmail.h"

guint64
postier_sendmail_size_cap (PostierAccount *account)
{
  guint64 relay = postier_relay_size_limit_lookup (postier_account_get_name (account));

  return relay > 0 ? relay : POSTIER_SENDMAIL_DEFAULT_MAX_SIZE;
}

static gboolean
add_recipient_text (PostierEnvelope  *envelope,
                    const char       *text,
                    GError          **error)
{
  g_autoptr(InternetAddressList) list = postier_address_list_parse (text, _("recipient"), error);
  g_autoptr(GPtrArray) mailboxes = g_ptr_array_new ();

  if (list == NULL)
    return FALSE;
  postier_address_list_collect (list, mailboxes);
  for (guint i = 0; i < mailboxes->len; i++)
    postier_envelope_add_recipient (envelope,
                                    internet_address_mailbox_get_addr (g_ptr_array_index (mailboxes, i)));
  return TRUE;
}

/* -f "" and -f "<>" are the null reverse path (bounces); anything else
 * must be one valid address, with or without angle brackets. */
static char *
parse_sender (const char  *sender,
              GError     **error)
{
  g_autoptr(InternetAddressList) list = NULL;
  g_autoptr(GPtrArray) mailboxes = g_ptr_array_new ();

  if (*sender == '\0' || g_str_equal (sender, "<>"))
    return g_strdup ("");
  list = postier_address_list_parse (sender, "-f", error);
  if (list == NULL)
    return NULL;
  postier_address_list_collect (list, mailboxes);
  if (mailboxes->len != 1)
    {
      g_set_error (error, POSTIER_MESSAGE_ERROR, POSTIER_MESSAGE_ERROR_BAD_ADDRESS,
                   _("-f: “%s” is not one valid email address"), sender);
      return NULL;
    }
  return g_strdup (internet_address_mailbox_get_addr (g_ptr_array_index (mailboxes, 0)));
}

/* MAIL FROM (-f, else the account's address) and the recipients given as
 * arguments; the header recipients (-t) come after reading. */
static PostierEnvelope *
envelope_from_arguments (const char          *sender,
                         const char * const  *recipients,
                         PostierAccount      *account,
                         GError             **error)
{
  g_autoptr(PostierEnvelope) envelope = NULL;
  g_autofree char *envelope_sender = NULL;

  if (sender != NULL)
    envelope_sender = parse_sender (sender, error);
  else
    envelope_sender = g_strdup (postier_account_get_address (account) != NULL ?
                                postier_account_get_address (account) : "");
  if (envelope_sender == NULL)
    return NULL;
  envelope = postier_envelope_new (envelope_sender);
  for (guint i = 0; recipients != NULL && recipients[i] != NULL; i++)
    if (!add_recipient_text (envelope, recipients[i], error))
      return NULL;
  return g_steal_pointer (&envelope);
}

/* Reads FD into the staging file (read back too, when a body must be
 * encoded again). */
static PostierSendmailReader *
read_into_staging (int                    fd,
                   PostierSendmailFlags   flags,
                   PostierAccount        *account,
                   PostierOutboxStaging  *staging,
                   GCancellable          *cancellable,
                   GError               **error)
{
  g_autoptr(PostierSendmailReader) reader = postier_sendmail_reader_new (flags);

  postier_sendmail_reader_set_default_from (reader, postier_account_get_identity (account));
  postier_sendmail_reader_set_max_size (reader, postier_sendmail_size_cap (account));
  postier_sendmail_reader_set_scratch_dir (reader, postier_outbox_staging_get_dir (staging));
  if (!postier_sendmail_reader_run (reader, fd, postier_outbox_staging_get_fd (staging),
                                    cancellable, error))
    return NULL;
  return g_steal_pointer (&reader);
}

/* Adds the header recipients and what the reader saw (size, 8-bit,
 * SMTPUTF8) to ENVELOPE. FALSE when it has no recipient at all. */
static gboolean
complete_envelope (PostierEnvelope        *envelope,
                   PostierSendmailReader  *reader,
                   PostierSendmailFlags    flags,
                   GError                **error)
{
  const char * const *header_recipients = postier_sendmail_reader_get_recipients (reader);
  gboolean international;

  for (guint i = 0; header_recipients[i] != NULL; i++)
    postier_envelope_add_recipient (envelope, header_recipients[i]);
  if (postier_envelope_get_n_recipients (envelope) == 0)
    {
      g_set_error (error, POSTIER_MESSAGE_ERROR, POSTIER_MESSAGE_ERROR_NO_RECIPIENTS,
                   (flags & POSTIER_SENDMAIL_READ_HEADERS) ?
                   _("The message has no recipients: its To, Cc and Bcc are empty") :
                   _("The message has no recipients: give them as arguments, or use -t"));
      return FALSE;
    }

  international = postier_address_is_international (postier_envelope_get_sender (envelope));
  for (guint i = 0; i < postier_envelope_get_n_recipients (envelope); i++)
    international |= postier_address_is_international (postier_envelope_get_recipient (envelope, i));
  postier_envelope_set_size (envelope, postier_sendmail_reader_get_size (reader));
  postier_envelope_set_8bit (envelope, postier_sendmail_reader_get_8bit (reader));
  postier_envelope_set_utf8_headers (envelope, postier_sendmail_reader_get_utf8_headers (reader));
  postier_envelope_set_needs_smtputf8 (envelope, international ||
                                       postier_sendmail_reader_get_utf8_headers (reader));
  return TRUE;
}

char *
postier_mime_enqueue_sendmail (int                   fd,
                               PostierSendmailFlags  flags,
                               const char           *sender,
                               const char * const   *recipients,
                               PostierAccount       *account,
                               PostierOutbox        *outbox,
                               GCancellable         *cancellable,
                               GError              **error)
{
  g_autoptr(PostierEnvelope) envelope = NULL;
  g_autoptr(PostierOutboxStaging) staging = NULL;
  g_autoptr(PostierSendmailReader) reader = NULL;

  g_return_val_if_fail (fd >= 0, NULL);
  g_return_val_if_fail (POSTIER_IS_ACCOUNT (account), NULL);
  g_return_val_if_fail (POSTIER_IS_OUTBOX (outbox), NULL);

  /* GMime is made ready by the address parser and the reader, the first
   * to need it. */
  envelope = envelope_from_arguments (sender, recipients, account, error);
  if (envelope == NULL)
    return NULL;
  /* Any return before the commit drops the staging, which removes its
   * file: nothing is queued. */
  staging = postier_outbox_staging_begin (outbox, error);
  if (staging == NULL)
    return NULL;
  reader = read_into_staging (fd, flags, account, staging, cancellable, error);
  if (reader == NULL || !complete_envelope (envelope, reader, flags, error))
    return NULL;

  /* What the reader wrote, so the outbox need not read it back. */
  postier_outbox_staging_set_subject (staging, postier_sendmail_reader_get_subject (reader));
  postier_outbox_staging_set_message_id (staging, postier_sendmail_reader_get_message_id (reader));
  return postier_outbox_staging_commit (staging, postier_account_get_name (account), envelope,
                                        cancellable, error);
}
