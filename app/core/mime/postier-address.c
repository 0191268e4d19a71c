/* postier-address.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-address"

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <string.h>

#include "postier-address.h"
#include "postier-init.h"
#include "postier-error.h"

gboolean
postier_text_has_line_break (const char *text)
{
  return text != NULL && strpbrk (text, "\r\n") != NULL;
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

/* GMime reports where parsing of an address failed; we keep the first
 * such spot to name the address in the error. */
typedef struct {
  char *bad_item;
} ParseReport;

static void
on_parser_warning (gint64              offset,
                   GMimeParserWarning  code,
                   const char         *item,
                   gpointer            user_data)
{
  ParseReport *report = user_data;

  (void) offset;
  if (code != GMIME_WARN_INVALID_ADDRESS_LIST || report->bad_item != NULL || item == NULL)
    return;
  report->bad_item = g_strndup (item, strcspn (item, ","));
  g_strstrip (report->bad_item);
}

static gboolean
hostname_is_valid (const char *domain)
{
  g_autofree char *ascii = NULL;
  g_auto(GStrv) labels = NULL;

  if (*domain == '[')
    {
      gsize len = strlen (domain);
      return len > 2 && domain[len - 1] == ']' && strcspn (domain + 1, "[]\\") == len - 2;
    }

  ascii = g_hostname_to_ascii (domain);
  if (ascii == NULL || *ascii == '\0' || strlen (ascii) > 253)
    return FALSE;

  labels = g_strsplit (ascii, ".", -1);
  for (guint i = 0; labels[i] != NULL; i++)
    {
      gsize len = strlen (labels[i]);

      /* A trailing dot is the root, harmless; any other empty label is a typo. */
      if (len == 0 && labels[i + 1] == NULL && i > 0)
        continue;
      if (len == 0 || len > 63 || labels[i][0] == '-' || labels[i][len - 1] == '-')
        return FALSE;
      for (const char *p = labels[i]; *p != '\0'; p++)
        if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_')
          return FALSE;
    }
  return TRUE;
}

gboolean
postier_address_is_valid (const char *address)
{
  const char *at;

  if (address == NULL || !g_utf8_validate (address, -1, NULL))
    return FALSE;
  at = strrchr (address, '@');
  if (at == NULL || at == address || at[1] == '\0')
    return FALSE;
  for (const char *p = address; p < at; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      return FALSE;
  return hostname_is_valid (at + 1);
}

gboolean
postier_address_is_international (const char *address)
{
  for (const char *p = address; p != NULL && *p != '\0'; p++)
    if ((guchar) *p >= 0x80)
      return TRUE;
  return FALSE;
}

char *
postier_address_to_ascii (const char *address)
{
  g_autofree char *domain = NULL;
  const char *at;

  g_return_val_if_fail (address != NULL, NULL);

  at = strrchr (address, '@');
  if (at == NULL)
    return postier_address_is_international (address) ? NULL : g_strdup (address);
  for (const char *p = address; p < at; p++)
    if ((guchar) *p >= 0x80)
      return NULL;
  if (at[1] == '[')
    return postier_address_is_international (at) ? NULL : g_strdup (address);

  domain = g_hostname_to_ascii (at + 1);
  if (domain == NULL)
    return NULL;
  return g_strdup_printf ("%.*s@%s", (int) (at - address), address, domain);
}

char *
postier_address_dup_ascii_domain (const char *address)
{
  const char *at = address != NULL ? strrchr (address, '@') : NULL;

  if (at == NULL || at[1] == '\0')
    return NULL;
  if (at[1] == '[')
    return g_strdup (at + 1);
  return g_hostname_to_ascii (at + 1);
}

void
postier_address_list_collect (InternetAddressList *list,
                              GPtrArray           *mailboxes)
{
  int n;

  g_return_if_fail (IS_INTERNET_ADDRESS_LIST (list));

  n = internet_address_list_length (list);
  for (int i = 0; i < n; i++)
    {
      InternetAddress *address = internet_address_list_get_address (list, i);

      if (INTERNET_ADDRESS_IS_MAILBOX (address))
        g_ptr_array_add (mailboxes, address);
      else if (INTERNET_ADDRESS_IS_GROUP (address))
        postier_address_list_collect (internet_address_group_get_members (INTERNET_ADDRESS_GROUP (address)),
                                      mailboxes);
    }
}

/* GMime's loose mode takes "Ann <ann@x" as a mailbox; a person who typed
 * it made a typo. Angle brackets outside quoted strings and comments must
 * pair up. Returns where the unpaired one is, or NULL. */
static const char *
find_unpaired_bracket (const char *text)
{
  const char *open = NULL;
  int comment_depth = 0;
  gboolean quoted = FALSE;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '\\' && (quoted || comment_depth > 0) && p[1] != '\0')
        p++;
      else if (quoted)
        quoted = *p != '"';
      else if (*p == '(')
        comment_depth++;
      else if (*p == ')' && comment_depth > 0)
        comment_depth--;
      else if (comment_depth > 0)
        continue;
      else if (*p == '"')
        quoted = TRUE;
      else if (*p == '<')
        {
          if (open != NULL)
            return open;
          open = p;
        }
      else if (*p == '>')
        {
          if (open == NULL)
            return p;
          open = NULL;
        }
    }
  return open;
}

/* The comma-separated piece of TEXT around POSITION, trimmed. */
static char *
piece_around (const char *text,
              const char *position)
{
  const char *start = position;
  const char *end = position + strcspn (position, ",");

  while (start > text && start[-1] != ',')
    start--;
  return g_strstrip (g_strndup (start, (gsize) (end - start)));
}

static void
set_bad_address (GError    **error,
                 const char *field,
                 const char *bad)
{
  g_set_error (error, POSTIER_MESSAGE_ERROR, POSTIER_MESSAGE_ERROR_BAD_ADDRESS,
               /* Translators: the first %s is a header name (To, Cc, From…),
                * the second what the person typed. */
               _("%s: “%s” is not a valid email address"), field, bad);
}

InternetAddressList *
postier_address_list_parse (const char  *text,
                            const char  *field,
                            GError     **error)
{
  g_autoptr(GMimeParserOptions) options = NULL;
  g_autoptr(InternetAddressList) list = NULL;
  g_autoptr(GPtrArray) mailboxes = NULL;
  ParseReport report = { NULL };

  postier_core_init ();

  if (is_blank (text))
    return internet_address_list_new ();

  if (postier_text_has_line_break (text))
    {
      g_set_error (error, POSTIER_MESSAGE_ERROR, POSTIER_MESSAGE_ERROR_HEADER_INJECTION,
                   _("%s: a line break is not allowed in an address list"), field);
      return NULL;
    }
  if (!g_utf8_validate (text, -1, NULL))
    {
      g_set_error (error, POSTIER_MESSAGE_ERROR, POSTIER_MESSAGE_ERROR_BAD_ADDRESS,
                   _("%s: the addresses are not valid UTF-8 text"), field);
      return NULL;
    }

  /* GMime's loose mode, with our checks on every mailbox below: its strict
   * mode leaks (3.2.13) on "a@b <c@d>", and refuses what people paste. */
  options = g_mime_parser_options_new ();
  g_mime_parser_options_set_address_compliance_mode (options, GMIME_RFC_COMPLIANCE_LOOSE);
  {
    const char *unpaired = find_unpaired_bracket (text);
    if (unpaired != NULL)
      {
        g_autofree char *piece = piece_around (text, unpaired);
        set_bad_address (error, field, piece);
        return NULL;
      }
  }
  g_mime_parser_options_set_warning_callback (options, on_parser_warning, &report);
  list = internet_address_list_parse (options, text);

  if (list == NULL || report.bad_item != NULL)
    {
      g_autofree char *whole = g_strstrip (g_strdup (text));
      set_bad_address (error, field,
                       report.bad_item != NULL && *report.bad_item != '\0' ? report.bad_item : whole);
      g_free (report.bad_item);
      return NULL;
    }

  mailboxes = g_ptr_array_new ();
  postier_address_list_collect (list, mailboxes);
  for (guint i = 0; i < mailboxes->len; i++)
    {
      InternetAddressMailbox *mailbox = g_ptr_array_index (mailboxes, i);
      const char *addr = internet_address_mailbox_get_addr (mailbox);

      if (!postier_address_is_valid (addr))
        {
          set_bad_address (error, field, addr != NULL && *addr != '\0' ? addr : text);
          return NULL;
        }
      /* Names are encoded as UTF-8 when they need encoding, never in a
       * legacy charset a reader may lack. */
      internet_address_set_charset (INTERNET_ADDRESS (mailbox), "UTF-8");
    }

  return g_steal_pointer (&list);
}

/* --- Address fields: the one check the composer, the draft and the builder
 * share ----------------------------------------------------------------- */

static const char * const field_names[] = {
  [POSTIER_ADDRESS_FIELD_NONE] = NULL,
  [POSTIER_ADDRESS_FIELD_FROM] = "From",
  [POSTIER_ADDRESS_FIELD_TO] = "To",
  [POSTIER_ADDRESS_FIELD_CC] = "Cc",
  [POSTIER_ADDRESS_FIELD_BCC] = "Bcc",
  [POSTIER_ADDRESS_FIELD_REPLY_TO] = "Reply-To",
};

const char *
postier_address_field_get_name (PostierAddressField field)
{
  g_return_val_if_fail ((guint) field < G_N_ELEMENTS (field_names), NULL);
  return field_names[field];
}

PostierAddressField
postier_address_field_from_name (const char *name)
{
  for (guint i = 0; name != NULL && i < G_N_ELEMENTS (field_names); i++)
    if (field_names[i] != NULL && g_ascii_strcasecmp (field_names[i], name) == 0)
      return (PostierAddressField) i;
  return POSTIER_ADDRESS_FIELD_NONE;
}

InternetAddressList *
postier_address_field_parse (PostierAddressField   field,
                             const char           *text,
                             GError              **error)
{
  g_autoptr(InternetAddressList) list = NULL;
  const char *name = postier_address_field_get_name (field);

  g_return_val_if_fail (name != NULL, NULL);

  list = postier_address_list_parse (text, name, error);
  if (list == NULL)
    return NULL;
  if (field == POSTIER_ADDRESS_FIELD_FROM && text != NULL)
    {
      g_autoptr(GPtrArray) mailboxes = g_ptr_array_new ();

      postier_address_list_collect (list, mailboxes);
      if (mailboxes->len != 1)
        {
          g_set_error (error, POSTIER_MESSAGE_ERROR, POSTIER_MESSAGE_ERROR_BAD_ADDRESS,
                       _("From: give exactly one sender address"));
          return NULL;
        }
    }
  return g_steal_pointer (&list);
}

gboolean
postier_address_field_validate (PostierAddressField   field,
                                const char           *text,
                                GError              **error)
{
  g_autoptr(InternetAddressList) list = postier_address_field_parse (field, text, error);

  return list != NULL;
}
