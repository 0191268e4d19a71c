/* postier-draft.c — a message being written: fields, checks, autosave
 *
 * mailto: URIs and message files become drafts in postier-draft-import.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-draft"

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <string.h>

#include "postier-address.h"
#include "postier-draft.h"
#include "postier-draft-private.h"
#include "postier-error.h"
#include "postier-paths.h"

struct _PostierDraft
{
  GObject    parent_instance;

  char      *account_name;
  char      *from;
  char      *to;
  char      *cc;
  char      *bcc;
  char      *reply_to;
  char      *subject;
  char      *body;
  char      *in_reply_to;
  char      *references;
  GPtrArray *attachments;  /* char* paths */
  GPtrArray *headers;      /* char*: name, value, name, value, …, NULL */
};

enum {
  PROP_0,
  PROP_ACCOUNT_NAME,
  PROP_FROM,
  PROP_TO,
  PROP_CC,
  PROP_BCC,
  PROP_REPLY_TO,
  PROP_SUBJECT,
  PROP_BODY,
  PROP_IN_REPLY_TO,
  PROP_REFERENCES,
  PROP_N_ATTACHMENTS,
  N_PROPS
};

enum {
  CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (PostierDraft, postier_draft, G_TYPE_OBJECT)

/* Headers a draft may carry beyond the ones we build ourselves. Anything
 * that routes, identifies or structures a message is deliberately absent. */
static const char * const allowed_headers[] = {
  "Keywords",
  "Comments",
  "Organization",
  "Priority",
  "Importance",
  "X-Priority",
  "Sensitivity",
  "List-Unsubscribe",
  "List-Unsubscribe-Post",
  "Auto-Submitted",
  "Precedence",
};

#define DRAFT_GROUP   "Draft"
#define HEADERS_GROUP "Headers"

static void
postier_draft_finalize (GObject *object)
{
  PostierDraft *self = POSTIER_DRAFT (object);

  g_free (self->account_name);
  g_free (self->from);
  g_free (self->to);
  g_free (self->cc);
  g_free (self->bcc);
  g_free (self->reply_to);
  g_free (self->subject);
  g_free (self->body);
  g_free (self->in_reply_to);
  g_free (self->references);
  g_ptr_array_unref (self->attachments);
  g_ptr_array_unref (self->headers);

  G_OBJECT_CLASS (postier_draft_parent_class)->finalize (object);
}

static char **
field_for_prop (PostierDraft *self,
                guint         prop_id)
{
  switch (prop_id)
    {
    case PROP_ACCOUNT_NAME: return &self->account_name;
    case PROP_FROM:         return &self->from;
    case PROP_TO:           return &self->to;
    case PROP_CC:           return &self->cc;
    case PROP_BCC:          return &self->bcc;
    case PROP_REPLY_TO:     return &self->reply_to;
    case PROP_SUBJECT:      return &self->subject;
    case PROP_BODY:         return &self->body;
    case PROP_IN_REPLY_TO:  return &self->in_reply_to;
    case PROP_REFERENCES:   return &self->references;
    default:                return NULL;
    }
}

static void
set_field (PostierDraft *self,
           guint         prop_id,
           const char   *value)
{
  char **field = field_for_prop (self, prop_id);

  g_assert (field != NULL);

  /* NULL and "" mean the same to a person; keep one of them. */
  if (value != NULL && *value == '\0')
    value = NULL;
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
append_field (PostierDraft *self,
              guint         prop_id,
              const char   *addresses)
{
  char **field = field_for_prop (self, prop_id);
  g_autofree char *joined = NULL;

  if (addresses == NULL || *addresses == '\0')
    return;
  if (*field == NULL)
    {
      set_field (self, prop_id, addresses);
      return;
    }
  joined = g_strconcat (*field, ", ", addresses, NULL);
  set_field (self, prop_id, joined);
}

static void
postier_draft_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  PostierDraft *self = POSTIER_DRAFT (object);
  char **field;

  if (prop_id == PROP_N_ATTACHMENTS)
    {
      g_value_set_uint (value, self->attachments->len);
      return;
    }
  field = field_for_prop (self, prop_id);
  if (field == NULL)
    {
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      return;
    }
  g_value_set_string (value, *field);
}

static void
postier_draft_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  PostierDraft *self = POSTIER_DRAFT (object);

  if (field_for_prop (self, prop_id) == NULL)
    {
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      return;
    }
  set_field (self, prop_id, g_value_get_string (value));
}

static void
postier_draft_class_init (PostierDraftClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = postier_draft_finalize;
  object_class->get_property = postier_draft_get_property;
  object_class->set_property = postier_draft_set_property;

  properties[PROP_ACCOUNT_NAME] = g_param_spec_string ("account-name", NULL, NULL, NULL, flags);
  properties[PROP_FROM] = g_param_spec_string ("from", NULL, NULL, NULL, flags);
  properties[PROP_TO] = g_param_spec_string ("to", NULL, NULL, NULL, flags);
  properties[PROP_CC] = g_param_spec_string ("cc", NULL, NULL, NULL, flags);
  properties[PROP_BCC] = g_param_spec_string ("bcc", NULL, NULL, NULL, flags);
  properties[PROP_REPLY_TO] = g_param_spec_string ("reply-to", NULL, NULL, NULL, flags);
  properties[PROP_SUBJECT] = g_param_spec_string ("subject", NULL, NULL, NULL, flags);
  properties[PROP_BODY] = g_param_spec_string ("body", NULL, NULL, NULL, flags);
  properties[PROP_IN_REPLY_TO] = g_param_spec_string ("in-reply-to", NULL, NULL, NULL, flags);
  properties[PROP_REFERENCES] = g_param_spec_string ("references", NULL, NULL, NULL, flags);
  properties[PROP_N_ATTACHMENTS] =
    g_param_spec_uint ("n-attachments", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Anything at all changed (a field, an attachment, a header): the
   * composer's autosave listens to this one signal. */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
postier_draft_init (PostierDraft *self)
{
  self->attachments = g_ptr_array_new_with_free_func (g_free);
  self->headers = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (self->headers, NULL);
}

PostierDraft *
postier_draft_new (void)
{
  return g_object_new (POSTIER_TYPE_DRAFT, NULL);
}

#define DEFINE_STRING_ACCESSORS(field, PROP)                         \
  const char *                                                        \
  postier_draft_get_##field (PostierDraft *self)                      \
  {                                                                   \
    g_return_val_if_fail (POSTIER_IS_DRAFT (self), NULL);             \
    return self->field;                                               \
  }                                                                   \
  void                                                                \
  postier_draft_set_##field (PostierDraft *self,                      \
                             const char   *value)                     \
  {                                                                   \
    g_return_if_fail (POSTIER_IS_DRAFT (self));                       \
    set_field (self, PROP, value);                                    \
  }

DEFINE_STRING_ACCESSORS (account_name, PROP_ACCOUNT_NAME)
DEFINE_STRING_ACCESSORS (from, PROP_FROM)
DEFINE_STRING_ACCESSORS (to, PROP_TO)
DEFINE_STRING_ACCESSORS (cc, PROP_CC)
DEFINE_STRING_ACCESSORS (bcc, PROP_BCC)
DEFINE_STRING_ACCESSORS (reply_to, PROP_REPLY_TO)
DEFINE_STRING_ACCESSORS (subject, PROP_SUBJECT)
DEFINE_STRING_ACCESSORS (body, PROP_BODY)
DEFINE_STRING_ACCESSORS (in_reply_to, PROP_IN_REPLY_TO)
DEFINE_STRING_ACCESSORS (references, PROP_REFERENCES)

void
postier_draft_add_to (PostierDraft *self,
                      const char   *addresses)
{
  g_return_if_fail (POSTIER_IS_DRAFT (self));
  append_field (self, PROP_TO, addresses);
}

void
postier_draft_add_cc (PostierDraft *self,
                      const char   *addresses)
{
  g_return_if_fail (POSTIER_IS_DRAFT (self));
  append_field (self, PROP_CC, addresses);
}

void
postier_draft_add_bcc (PostierDraft *self,
                       const char   *addresses)
{
  g_return_if_fail (POSTIER_IS_DRAFT (self));
  append_field (self, PROP_BCC, addresses);
}

guint
postier_draft_get_n_attachments (PostierDraft *self)
{
  g_return_val_if_fail (POSTIER_IS_DRAFT (self), 0);
  return self->attachments->len;
}

const char *
postier_draft_get_attachment (PostierDraft *self,
                              guint         index)
{
  g_return_val_if_fail (POSTIER_IS_DRAFT (self), NULL);
  g_return_val_if_fail (index < self->attachments->len, NULL);
  return g_ptr_array_index (self->attachments, index);
}

void
postier_draft_add_attachment (PostierDraft *self,
                              const char   *path)
{
  g_return_if_fail (POSTIER_IS_DRAFT (self));
  g_return_if_fail (path != NULL && *path != '\0');

  g_ptr_array_add (self->attachments, g_strdup (path));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ATTACHMENTS]);
  g_signal_emit (self, signals[CHANGED], 0);
}

void
postier_draft_remove_attachment (PostierDraft *self,
                                 guint         index)
{
  g_return_if_fail (POSTIER_IS_DRAFT (self));
  g_return_if_fail (index < self->attachments->len);

  g_ptr_array_remove_index (self->attachments, index);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ATTACHMENTS]);
  g_signal_emit (self, signals[CHANGED], 0);
}

static const char *
canonical_header_name (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (allowed_headers); i++)
    if (g_ascii_strcasecmp (name, allowed_headers[i]) == 0)
      return allowed_headers[i];
  return NULL;
}

gboolean
postier_draft_set_header (PostierDraft  *self,
                          const char    *name,
                          const char    *value,
                          GError       **error)
{
  const char *canonical;
  guint i;

  g_return_val_if_fail (POSTIER_IS_DRAFT (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  canonical = canonical_header_name (name);
  if (canonical == NULL)
    {
      g_set_error (error, POSTIER_MESSAGE_ERROR, POSTIER_MESSAGE_ERROR_FAILED,
                   _("The header “%s” cannot be set on a message"), name);
      return FALSE;
    }
  if (postier_text_has_line_break (value))
    {
      g_set_error (error, POSTIER_MESSAGE_ERROR, POSTIER_MESSAGE_ERROR_HEADER_INJECTION,
                   _("%s: a line break is not allowed here"), canonical);
      return FALSE;
    }
  if (value != NULL && !g_utf8_validate (value, -1, NULL))
    {
      g_set_error (error, POSTIER_MESSAGE_ERROR, POSTIER_MESSAGE_ERROR_MALFORMED,
                   _("%s: the text is not valid UTF-8"), canonical);
      return FALSE;
    }

  for (i = 0; i + 1 < self->headers->len; i += 2)
    if (g_str_equal (g_ptr_array_index (self->headers, i), canonical))
      break;

  if (value == NULL || *value == '\0')
    {
      if (i + 1 >= self->headers->len)
        return TRUE;
      g_ptr_array_remove_range (self->headers, i, 2);
    }
  else if (i + 1 < self->headers->len)
    {
      if (g_str_equal (g_ptr_array_index (self->headers, i + 1), value))
        return TRUE;
      g_free (g_ptr_array_index (self->headers, i + 1));
      g_ptr_array_index (self->headers, i + 1) = g_strdup (value);
    }
  else
    {
      guint end = self->headers->len - 1;
      g_ptr_array_insert (self->headers, (gint) end, g_strdup (canonical));
      g_ptr_array_insert (self->headers, (gint) end + 1, g_strdup (value));
    }

  g_signal_emit (self, signals[CHANGED], 0);
  return TRUE;
}

const char * const *
postier_draft_get_headers (PostierDraft *self)
{
  g_return_val_if_fail (POSTIER_IS_DRAFT (self), NULL);
  return (const char * const *) self->headers->pdata;
}

static gboolean
is_blank (const char *text)
{
  if (text == NULL)
    return TRUE;
  for (; *text != '\0'; text++)
    if (!g_ascii_isspace (*text))
      return FALSE;
  return TRUE;
}

gboolean
postier_draft_is_empty (PostierDraft *self)
{
  g_return_val_if_fail (POSTIER_IS_DRAFT (self), TRUE);

  return is_blank (self->to) && is_blank (self->cc) && is_blank (self->bcc) &&
         is_blank (self->subject) && is_blank (self->body) &&
         self->attachments->len == 0;
}

/* The fields that become header values as they are, by the name a person
 * sees in the error. Address fields are checked by their parser. */
static gboolean
check_header_text (const char  *field,
                   const char  *value,
                   GError     **error)
{
  if (value == NULL)
    return TRUE;
  if (postier_text_has_line_break (value))
    {
      g_set_error (error, POSTIER_MESSAGE_ERROR, POSTIER_MESSAGE_ERROR_HEADER_INJECTION,
                   _("%s: a line break is not allowed here"), field);
      return FALSE;
    }
  if (!g_utf8_validate (value, -1, NULL))
    {
      g_set_error (error, POSTIER_MESSAGE_ERROR, POSTIER_MESSAGE_ERROR_MALFORMED,
                   _("%s: the text is not valid UTF-8"), field);
      return FALSE;
    }
  return TRUE;
}

gboolean
_postier_draft_check_message_ids (const char  *field,
                                  const char  *value,
                                  GError     **error)
{
  GMimeReferences *references;
  gboolean ok;

  if (value == NULL)
    return TRUE;
  if (!check_header_text (field, value, error))
    return FALSE;

  references = g_mime_references_parse (NULL, value);
  ok = references != NULL && g_mime_references_length (references) > 0;
  /* An id cannot be folded: one too long for a line is refused. */
  for (int i = 0; ok && i < g_mime_references_length (references); i++)
    ok = strlen (g_mime_references_get_message_id (references, i)) <= 900;
  if (references != NULL)
    g_mime_references_free (references);
  if (!ok)
    g_set_error (error, POSTIER_MESSAGE_ERROR, POSTIER_MESSAGE_ERROR_MALFORMED,
                 _("%s: “%s” is not a message identifier such as <id@example.org>"), field, value);
  return ok;
}

/* Says which field is at fault; always FALSE, for a return. */
static gboolean
blame (PostierAddressField *bad_field,
       PostierAddressField  field)
{
  if (bad_field != NULL)
    *bad_field = field;
  return FALSE;
}

gboolean
postier_draft_validate_full (PostierDraft         *self,
                             PostierAddressField  *bad_field,
                             GError              **error)
{
  struct { PostierAddressField field; const char *value; } address_fields[5];
  guint n_recipients = 0;

  g_return_val_if_fail (POSTIER_IS_DRAFT (self), FALSE);

  blame (bad_field, POSTIER_ADDRESS_FIELD_NONE);
  address_fields[0].field = POSTIER_ADDRESS_FIELD_FROM;     address_fields[0].value = self->from;
  address_fields[1].field = POSTIER_ADDRESS_FIELD_TO;       address_fields[1].value = self->to;
  address_fields[2].field = POSTIER_ADDRESS_FIELD_CC;       address_fields[2].value = self->cc;
  address_fields[3].field = POSTIER_ADDRESS_FIELD_BCC;      address_fields[3].value = self->bcc;
  address_fields[4].field = POSTIER_ADDRESS_FIELD_REPLY_TO; address_fields[4].value = self->reply_to;

  /* Line breaks first: an injection attempt is named as one, whatever
   * else is wrong. */
  for (guint i = 0; i < G_N_ELEMENTS (address_fields); i++)
    if (!check_header_text (postier_address_field_get_name (address_fields[i].field),
                            address_fields[i].value, error))
      return blame (bad_field, address_fields[i].field);
  if (!check_header_text ("Subject", self->subject, error) ||
      !check_header_text ("In-Reply-To", self->in_reply_to, error) ||
      !check_header_text ("References", self->references, error))
    return FALSE;
  for (guint i = 0; i + 1 < self->headers->len; i += 2)
    if (!check_header_text (g_ptr_array_index (self->headers, i),
                            g_ptr_array_index (self->headers, i + 1), error))
      return FALSE;
  if (self->body != NULL && !g_utf8_validate (self->body, -1, NULL))
    {
      g_set_error (error, POSTIER_MESSAGE_ERROR, POSTIER_MESSAGE_ERROR_MALFORMED,
                   _("The message text is not valid UTF-8"));
      return FALSE;
    }

  for (guint i = 0; i < G_N_ELEMENTS (address_fields); i++)
    {
      g_autoptr(InternetAddressList) list = NULL;
      g_autoptr(GPtrArray) mailboxes = g_ptr_array_new ();

      list = postier_address_field_parse (address_fields[i].field, address_fields[i].value, error);
      if (list == NULL)
        return blame (bad_field, address_fields[i].field);
      postier_address_list_collect (list, mailboxes);
      if (i >= 1 && i <= 3)
        n_recipients += mailboxes->len;
    }

  if (!_postier_draft_check_message_ids ("In-Reply-To", self->in_reply_to, error) ||
      !_postier_draft_check_message_ids ("References", self->references, error))
    return FALSE;

  if (n_recipients == 0)
    {
      g_set_error (error, POSTIER_MESSAGE_ERROR, POSTIER_MESSAGE_ERROR_NO_RECIPIENTS,
                   _("The message has no recipients: add at least one address to To, Cc or Bcc"));
      return blame (bad_field, POSTIER_ADDRESS_FIELD_TO);
    }
  return TRUE;
}

gboolean
postier_draft_validate (PostierDraft  *self,
                        GError       **error)
{
  return postier_draft_validate_full (self, NULL, error);
}

/* --- Autosave ---------------------------------------------------------- */

static void
key_file_set_optional (GKeyFile   *file,
                       const char *key,
                       const char *value)
{
  if (value != NULL)
    g_key_file_set_string (file, DRAFT_GROUP, key, value);
}

gboolean
postier_draft_save (PostierDraft  *self,
                    const char    *path,
                    GError       **error)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autoptr(GPtrArray) uris = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *folder = NULL;
  g_autofree char *data = NULL;
  gsize length;

  g_return_val_if_fail (POSTIER_IS_DRAFT (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  key_file_set_optional (file, "Account", self->account_name);
  key_file_set_optional (file, "From", self->from);
  key_file_set_optional (file, "To", self->to);
  key_file_set_optional (file, "Cc", self->cc);
  key_file_set_optional (file, "Bcc", self->bcc);
  key_file_set_optional (file, "ReplyTo", self->reply_to);
  key_file_set_optional (file, "Subject", self->subject);
  key_file_set_optional (file, "Body", self->body);
  key_file_set_optional (file, "InReplyTo", self->in_reply_to);
  key_file_set_optional (file, "References", self->references);

  /* File URIs, so a path that is not UTF-8 survives the key file. */
  for (guint i = 0; i < self->attachments->len; i++)
    {
      g_autofree char *absolute = g_canonicalize_filename (g_ptr_array_index (self->attachments, i), NULL);
      g_ptr_array_add (uris, g_filename_to_uri (absolute, NULL, NULL));
    }
  if (uris->len > 0)
    g_key_file_set_string_list (file, DRAFT_GROUP, "Attachments",
                                (const char * const *) uris->pdata, uris->len);

  for (guint i = 0; i + 1 < self->headers->len; i += 2)
    g_key_file_set_string (file, HEADERS_GROUP, g_ptr_array_index (self->headers, i),
                           g_ptr_array_index (self->headers, i + 1));

  /* An empty draft still gets its group, so load() knows the file. */
  g_key_file_set_integer (file, DRAFT_GROUP, "Version", 1);

  folder = g_path_get_dirname (path);
  if (!postier_ensure_private_dir (folder, error))
    return FALSE;
  data = g_key_file_to_data (file, &length, NULL);
  return postier_write_file_durably (path, data, length, error);
}

static char *
key_file_get_optional (GKeyFile   *file,
                       const char *key)
{
  return g_key_file_get_string (file, DRAFT_GROUP, key, NULL);
}

PostierDraft *
postier_draft_load (const char  *path,
                    GError     **error)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autoptr(PostierDraft) draft = NULL;
  g_autoptr(GError) local_error = NULL;
  g_auto(GStrv) uris = NULL;
  g_auto(GStrv) header_names = NULL;
  struct { const char *key; guint prop; } fields[] = {
    { "Account", PROP_ACCOUNT_NAME },
    { "From", PROP_FROM },
    { "To", PROP_TO },
    { "Cc", PROP_CC },
    { "Bcc", PROP_BCC },
    { "ReplyTo", PROP_REPLY_TO },
    { "Subject", PROP_SUBJECT },
    { "Body", PROP_BODY },
    { "InReplyTo", PROP_IN_REPLY_TO },
    { "References", PROP_REFERENCES },
  };

  g_return_val_if_fail (path != NULL, NULL);

  if (!g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, &local_error) ||
      !g_key_file_has_group (file, DRAFT_GROUP))
    {
      g_set_error (error, POSTIER_MESSAGE_ERROR, POSTIER_MESSAGE_ERROR_MALFORMED,
                   _("Cannot read the draft “%s”: %s"), path,
                   local_error != NULL ? local_error->message : _("it is not a draft file"));
      return NULL;
    }

  draft = postier_draft_new ();
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      g_autofree char *value = key_file_get_optional (file, fields[i].key);
      set_field (draft, fields[i].prop, value);
    }

  uris = g_key_file_get_string_list (file, DRAFT_GROUP, "Attachments", NULL, NULL);
  for (guint i = 0; uris != NULL && uris[i] != NULL; i++)
    {
      g_autofree char *filename = g_filename_from_uri (uris[i], NULL, NULL);
      if (filename != NULL)
        g_ptr_array_add (draft->attachments, g_steal_pointer (&filename));
      else
        g_warning ("draft %s: skipping attachment “%s”, not a file URI", path, uris[i]);
    }

  header_names = g_key_file_get_keys (file, HEADERS_GROUP, NULL, NULL);
  for (guint i = 0; header_names != NULL && header_names[i] != NULL; i++)
    {
      g_autofree char *value = g_key_file_get_string (file, HEADERS_GROUP, header_names[i], NULL);
      g_autoptr(GError) header_error = NULL;

      if (!postier_draft_set_header (draft, header_names[i], value, &header_error))
        g_warning ("draft %s: %s", path, header_error->message);
    }

  return g_steal_pointer (&draft);
}
