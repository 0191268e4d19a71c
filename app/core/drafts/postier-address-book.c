/* postier-address-book.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-address-book"

#include "config.h"

#include <string.h>

#include "postier-address.h"
#include "postier-address-book.h"
#include "postier-error.h"
#include "postier-paths.h"

/* A book this size completes instantly and stays a small file. */
#define MAX_ENTRIES 2000

typedef struct {
  char   *address;      /* as typed; compared case-insensitively */
  char   *folded;       /* lower case, the key */
  char   *name;         /* may be NULL */
  guint   uses;
  gint64  last_used;    /* seconds since the epoch */
} Entry;

struct _PostierAddressBook
{
  GObject     parent_instance;

  char       *path;
  GMutex      lock;     /* the app saves on a worker thread */
  GHashTable *entries;  /* folded address → Entry */
};

G_DEFINE_FINAL_TYPE (PostierAddressBook, postier_address_book, G_TYPE_OBJECT)

static void
entry_free (Entry *entry)
{
  g_free (entry->address);
  g_free (entry->folded);
  g_free (entry->name);
  g_free (entry);
}

/* "Name <address>" with the quoting a header needs, but not encoded: the
 * form a person reads and types. */
static char *
format_mailbox (const char *name,
                const char *address)
{
  g_autoptr(InternetAddress) mailbox = internet_address_mailbox_new (name, address);

  return internet_address_to_string (mailbox, NULL, FALSE);
}

GStrv
postier_address_text_split (const char  *text,
                            GError     **error)
{
  g_autoptr(InternetAddressList) list = NULL;
  g_autoptr(GPtrArray) mailboxes = g_ptr_array_new ();
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  list = postier_address_list_parse (text, "To", error);
  if (list == NULL)
    return NULL;
  postier_address_list_collect (list, mailboxes);
  for (guint i = 0; i < mailboxes->len; i++)
    {
      InternetAddress *address = g_ptr_array_index (mailboxes, i);
      g_autofree char *formatted =
        format_mailbox (internet_address_get_name (address),
                        internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (address)));

      g_strv_builder_add (builder, formatted);
    }
  return g_strv_builder_end (builder);
}

PostierAddressBook *
postier_address_book_new (const char *path)
{
  PostierAddressBook *self = g_object_new (POSTIER_TYPE_ADDRESS_BOOK, NULL);

  if (path != NULL)
    self->path = g_strdup (path);
  else
    {
      g_autofree char *dir = postier_data_dir (NULL);
      self->path = g_build_filename (dir, "addresses", NULL);
    }
  return self;
}

const char *
postier_address_book_get_path (PostierAddressBook *self)
{
  g_return_val_if_fail (POSTIER_IS_ADDRESS_BOOK (self), NULL);
  return self->path;
}

guint
postier_address_book_get_size (PostierAddressBook *self)
{
  guint size;

  g_return_val_if_fail (POSTIER_IS_ADDRESS_BOOK (self), 0);
  g_mutex_lock (&self->lock);
  size = g_hash_table_size (self->entries);
  g_mutex_unlock (&self->lock);
  return size;
}

static void
remember (PostierAddressBook *self,
          const char         *address,
          const char         *name,
          guint               uses,
          gint64              last_used)
{
  g_autofree char *folded = g_utf8_casefold (address, -1);
  Entry *entry = g_hash_table_lookup (self->entries, folded);

  if (entry == NULL)
    {
      entry = g_new0 (Entry, 1);
      entry->address = g_strdup (address);
      entry->folded = g_steal_pointer (&folded);
      g_hash_table_insert (self->entries, entry->folded, entry);
    }
  if (name != NULL && *name != '\0')
    {
      g_free (entry->name);
      entry->name = g_strdup (name);
    }
  entry->uses += uses;
  entry->last_used = MAX (entry->last_used, last_used);
}

/* Fields are separated by tabs; a tab or line break inside a name would
 * break the file, so they become spaces. */
static char *
clean_field (const char *text)
{
  char *copy = g_strdup (text != NULL ? text : "");

  g_strdelimit (copy, "\t\r\n", ' ');
  return copy;
}

gboolean
postier_address_book_load (PostierAddressBook  *self,
                           GError             **error)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) local_error = NULL;
  g_auto(GStrv) lines = NULL;

  g_return_val_if_fail (POSTIER_IS_ADDRESS_BOOK (self), FALSE);

  if (!g_file_get_contents (self->path, &contents, NULL, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  g_mutex_lock (&self->lock);
  g_hash_table_remove_all (self->entries);
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[i], "\t", 4);

      /* A damaged line is skipped: completion is a convenience. */
      if (g_strv_length (fields) != 4 || !g_utf8_validate (lines[i], -1, NULL) ||
          !postier_address_is_valid (fields[0]))
        continue;
      remember (self, fields[0], fields[1],
                (guint) g_ascii_strtoull (fields[2], NULL, 10),
                g_ascii_strtoll (fields[3], NULL, 10));
    }
  g_mutex_unlock (&self->lock);
  return TRUE;
}

static int
compare_by_use (gconstpointer a,
                gconstpointer b)
{
  const Entry *x = *(const Entry * const *) a;
  const Entry *y = *(const Entry * const *) b;

  if (x->uses != y->uses)
    return x->uses > y->uses ? -1 : 1;
  if (x->last_used != y->last_used)
    return x->last_used > y->last_used ? -1 : 1;
  return strcmp (x->folded, y->folded);
}

static GPtrArray *
sorted_entries (PostierAddressBook *self)
{
  GPtrArray *entries = g_ptr_array_sized_new (g_hash_table_size (self->entries));
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (entries, value);
  g_ptr_array_sort (entries, compare_by_use);
  return entries;
}

gboolean
postier_address_book_save (PostierAddressBook  *self,
                           GError             **error)
{
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *dir = NULL;

  g_return_val_if_fail (POSTIER_IS_ADDRESS_BOOK (self), FALSE);

  g_mutex_lock (&self->lock);
  entries = sorted_entries (self);
  for (guint i = 0; i < entries->len && i < MAX_ENTRIES; i++)
    {
      Entry *entry = g_ptr_array_index (entries, i);
      g_autofree char *name = clean_field (entry->name);

      g_string_append_printf (text, "%s\t%s\t%u\t%" G_GINT64_FORMAT "\n",
                              entry->address, name, entry->uses, entry->last_used);
    }
  g_mutex_unlock (&self->lock);

  dir = g_path_get_dirname (self->path);
  if (!postier_ensure_private_dir (dir, error))
    return FALSE;
  return postier_write_file_durably (self->path, text->str, text->len, error);
}

static void
save_thread (GTask        *task,
             gpointer      source_object,
             G_GNUC_UNUSED gpointer task_data,
             G_GNUC_UNUSED GCancellable *cancellable)
{
  /* One save at a time: two threads renaming their copies in place could
   * let the older copy land last. */
  static GMutex save_lock;
  GError *error = NULL;
  gboolean saved;

  g_mutex_lock (&save_lock);
  saved = postier_address_book_save (source_object, &error);
  g_mutex_unlock (&save_lock);
  if (saved)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
postier_address_book_save_async (PostierAddressBook  *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (POSTIER_IS_ADDRESS_BOOK (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, postier_address_book_save_async);
  g_task_run_in_thread (task, save_thread);
}

gboolean
postier_address_book_save_finish (PostierAddressBook  *self,
                                  GAsyncResult        *result,
                                  GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

guint
postier_address_book_add_text (PostierAddressBook *self,
                               const char         *text)
{
  g_autoptr(InternetAddressList) list = NULL;
  g_autoptr(GPtrArray) mailboxes = g_ptr_array_new ();
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  g_return_val_if_fail (POSTIER_IS_ADDRESS_BOOK (self), 0);

  list = postier_address_list_parse (text, "To", NULL);
  if (list == NULL)
    return 0;
  postier_address_list_collect (list, mailboxes);
  g_mutex_lock (&self->lock);
  for (guint i = 0; i < mailboxes->len; i++)
    {
      InternetAddress *address = g_ptr_array_index (mailboxes, i);
      const char *addr = internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (address));
      g_autofree char *name = clean_field (internet_address_get_name (address));

      if (strchr (addr, '\t') != NULL)
        continue;
      remember (self, addr, name, 1, now);
    }
  g_mutex_unlock (&self->lock);
  return mailboxes->len;
}

static gboolean
has_prefix_folded (const char *text,
                   const char *folded_prefix)
{
  g_autofree char *folded = NULL;

  if (text == NULL)
    return FALSE;
  folded = g_utf8_casefold (text, -1);
  return g_str_has_prefix (folded, folded_prefix);
}

static gboolean
entry_matches (const Entry *entry,
               const char  *folded_prefix)
{
  g_auto(GStrv) words = NULL;

  if (g_str_has_prefix (entry->folded, folded_prefix))
    return TRUE;
  if (entry->name == NULL)
    return FALSE;
  if (has_prefix_folded (entry->name, folded_prefix))
    return TRUE;
  words = g_strsplit_set (entry->name, " .,-'\"", -1);
  for (guint i = 0; words[i] != NULL; i++)
    if (*words[i] != '\0' && has_prefix_folded (words[i], folded_prefix))
      return TRUE;
  return FALSE;
}

GStrv
postier_address_book_complete (PostierAddressBook *self,
                               const char         *prefix,
                               guint               max_results)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GPtrArray) entries = NULL;
  g_autofree char *stripped = NULL;
  g_autofree char *folded = NULL;
  guint found = 0;

  g_return_val_if_fail (POSTIER_IS_ADDRESS_BOOK (self), NULL);

  stripped = g_strstrip (g_strdup (prefix != NULL ? prefix : ""));
  if (*stripped == '\0' || max_results == 0)
    return g_strv_builder_end (builder);
  folded = g_utf8_casefold (stripped, -1);

  g_mutex_lock (&self->lock);
  entries = sorted_entries (self);
  for (guint i = 0; i < entries->len && found < max_results; i++)
    {
      Entry *entry = g_ptr_array_index (entries, i);

      if (entry_matches (entry, folded))
        {
          g_autofree char *formatted = format_mailbox (entry->name, entry->address);

          g_strv_builder_add (builder, formatted);
          found++;
        }
    }
  g_mutex_unlock (&self->lock);
  return g_strv_builder_end (builder);
}

GStrv
postier_address_book_list_domains (PostierAddressBook *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) entries = NULL;

  g_return_val_if_fail (POSTIER_IS_ADDRESS_BOOK (self), NULL);

  g_mutex_lock (&self->lock);
  entries = sorted_entries (self);
  for (guint i = 0; i < entries->len; i++)
    {
      Entry *entry = g_ptr_array_index (entries, i);
      const char *at = strrchr (entry->folded, '@');

      if (at != NULL && at[1] != '\0' && g_hash_table_add (seen, (gpointer) (at + 1)))
        g_strv_builder_add (builder, at + 1);
    }
  g_mutex_unlock (&self->lock);
  return g_strv_builder_end (builder);
}

static void
postier_address_book_finalize (GObject *object)
{
  PostierAddressBook *self = POSTIER_ADDRESS_BOOK (object);

  g_free (self->path);
  g_hash_table_unref (self->entries);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (postier_address_book_parent_class)->finalize (object);
}

static void
postier_address_book_class_init (PostierAddressBookClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = postier_address_book_finalize;
}

static void
postier_address_book_init (PostierAddressBook *self)
{
  g_mutex_init (&self->lock);
  self->entries = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) entry_free);
}
