/* postier-envelope.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-envelope"

#include "config.h"

#include <string.h>

#include "postier-address.h"
#include "postier-envelope.h"

struct _PostierEnvelope
{
  GObject    parent_instance;

  char      *sender;
  char      *ascii_sender;
  GPtrArray *recipients;  /* char*, NULL-terminated */
  GPtrArray *ascii_recipients;  /* char* or NULL, same order */
  guint64    size;
  guint      needs_smtputf8 : 1;
  guint      eight_bit : 1;
  guint      utf8_headers : 1;
};

G_DEFINE_FINAL_TYPE (PostierEnvelope, postier_envelope, G_TYPE_OBJECT)

static void
postier_envelope_finalize (GObject *object)
{
  PostierEnvelope *self = POSTIER_ENVELOPE (object);

  g_free (self->sender);
  g_free (self->ascii_sender);
  g_ptr_array_unref (self->recipients);
  g_ptr_array_unref (self->ascii_recipients);

  G_OBJECT_CLASS (postier_envelope_parent_class)->finalize (object);
}

static void
postier_envelope_class_init (PostierEnvelopeClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = postier_envelope_finalize;
}

static void
postier_envelope_init (PostierEnvelope *self)
{
  self->recipients = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (self->recipients, NULL);
  self->ascii_recipients = g_ptr_array_new_with_free_func (g_free);
}

PostierEnvelope *
postier_envelope_new (const char *sender)
{
  PostierEnvelope *self = g_object_new (POSTIER_TYPE_ENVELOPE, NULL);

  self->sender = g_strdup (sender != NULL ? sender : "");
  self->ascii_sender = postier_address_to_ascii (self->sender);
  return self;
}

const char *
postier_envelope_get_sender (PostierEnvelope *self)
{
  g_return_val_if_fail (POSTIER_IS_ENVELOPE (self), NULL);
  return self->sender;
}

void
postier_envelope_set_sender (PostierEnvelope *self,
                             const char      *sender)
{
  g_return_if_fail (POSTIER_IS_ENVELOPE (self));
  g_free (self->sender);
  self->sender = g_strdup (sender != NULL ? sender : "");
  g_free (self->ascii_sender);
  self->ascii_sender = postier_address_to_ascii (self->sender);
}

static gboolean
same_mailbox (const char *a,
              const char *b)
{
  const char *at_a = strrchr (a, '@');
  const char *at_b = strrchr (b, '@');

  if (at_a == NULL || at_b == NULL)
    return g_strcmp0 (a, b) == 0;
  return (at_a - a) == (at_b - b) &&
         strncmp (a, b, (gsize) (at_a - a)) == 0 &&
         g_ascii_strcasecmp (at_a, at_b) == 0;
}

gboolean
postier_envelope_add_recipient (PostierEnvelope *self,
                                const char      *address)
{
  guint n;

  g_return_val_if_fail (POSTIER_IS_ENVELOPE (self), FALSE);
  g_return_val_if_fail (address != NULL, FALSE);

  n = self->recipients->len - 1;
  for (guint i = 0; i < n; i++)
    if (same_mailbox (g_ptr_array_index (self->recipients, i), address))
      return FALSE;

  g_ptr_array_insert (self->recipients, (gint) n, g_strdup (address));
  g_ptr_array_add (self->ascii_recipients, postier_address_to_ascii (address));
  return TRUE;
}

guint
postier_envelope_get_n_recipients (PostierEnvelope *self)
{
  g_return_val_if_fail (POSTIER_IS_ENVELOPE (self), 0);
  return self->recipients->len - 1;
}

const char *
postier_envelope_get_recipient (PostierEnvelope *self,
                                guint            index)
{
  g_return_val_if_fail (POSTIER_IS_ENVELOPE (self), NULL);
  g_return_val_if_fail (index < self->recipients->len - 1, NULL);
  return g_ptr_array_index (self->recipients, index);
}

const char * const *
postier_envelope_get_recipients (PostierEnvelope *self)
{
  g_return_val_if_fail (POSTIER_IS_ENVELOPE (self), NULL);
  return (const char * const *) self->recipients->pdata;
}

gboolean
postier_envelope_get_needs_smtputf8 (PostierEnvelope *self)
{
  g_return_val_if_fail (POSTIER_IS_ENVELOPE (self), FALSE);
  return self->needs_smtputf8;
}

void
postier_envelope_set_needs_smtputf8 (PostierEnvelope *self,
                                     gboolean         needs)
{
  g_return_if_fail (POSTIER_IS_ENVELOPE (self));
  self->needs_smtputf8 = !!needs;
}

gboolean
postier_envelope_get_8bit (PostierEnvelope *self)
{
  g_return_val_if_fail (POSTIER_IS_ENVELOPE (self), FALSE);
  return self->eight_bit;
}

void
postier_envelope_set_8bit (PostierEnvelope *self,
                           gboolean         eight_bit)
{
  g_return_if_fail (POSTIER_IS_ENVELOPE (self));
  self->eight_bit = !!eight_bit;
}

guint64
postier_envelope_get_size (PostierEnvelope *self)
{
  g_return_val_if_fail (POSTIER_IS_ENVELOPE (self), 0);
  return self->size;
}

void
postier_envelope_set_size (PostierEnvelope *self,
                           guint64          size)
{
  g_return_if_fail (POSTIER_IS_ENVELOPE (self));
  self->size = size;
}

const char *
postier_envelope_get_ascii_sender (PostierEnvelope *self)
{
  g_return_val_if_fail (POSTIER_IS_ENVELOPE (self), NULL);
  return self->ascii_sender;
}

const char *
postier_envelope_get_ascii_recipient (PostierEnvelope *self,
                                      guint            index)
{
  g_return_val_if_fail (POSTIER_IS_ENVELOPE (self), NULL);
  g_return_val_if_fail (index < self->ascii_recipients->len, NULL);
  return g_ptr_array_index (self->ascii_recipients, index);
}

gboolean
postier_envelope_get_utf8_headers (PostierEnvelope *self)
{
  g_return_val_if_fail (POSTIER_IS_ENVELOPE (self), FALSE);
  return self->utf8_headers;
}

void
postier_envelope_set_utf8_headers (PostierEnvelope *self,
                                   gboolean         utf8_headers)
{
  g_return_if_fail (POSTIER_IS_ENVELOPE (self));
  self->utf8_headers = !!utf8_headers;
}

gboolean
postier_envelope_can_send_ascii (PostierEnvelope *self)
{
  g_return_val_if_fail (POSTIER_IS_ENVELOPE (self), FALSE);

  if (self->utf8_headers || self->ascii_sender == NULL)
    return FALSE;
  for (guint i = 0; i < self->ascii_recipients->len; i++)
    if (g_ptr_array_index (self->ascii_recipients, i) == NULL)
      return FALSE;
  return TRUE;
}
