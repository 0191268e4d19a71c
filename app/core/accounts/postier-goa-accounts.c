/* postier-goa-accounts.c — GOA's mail accounts, followed live (see the header)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-goa"

#include "config.h"

#include <string.h>

#include "postier-goa-accounts.h"
#include "postier-goa-private.h"

struct _PostierGoaAccounts
{
  GObject       parent_instance;

  GCancellable *cancellable;
  GoaClient    *client;
  GPtrArray    *list;      /* PostierGoaMailAccount */
  guint         rebuild_id;
  gboolean      ready;
};

G_DEFINE_FINAL_TYPE (PostierGoaAccounts, postier_goa_accounts, G_TYPE_OBJECT)

enum {
  CHANGED,
  ACCOUNT_BACK,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
rebuild (PostierGoaAccounts *self)
{
  GList *objects;

  g_ptr_array_set_size (self->list, 0);
  if (self->client == NULL)
    return;
  objects = goa_client_get_accounts (self->client);
  for (GList *l = objects; l != NULL; l = l->next)
    {
      PostierGoaMailAccount *account = _postier_goa_mail_account_from_object (l->data);

      if (account != NULL)
        g_ptr_array_add (self->list, account);
    }
  g_list_free_full (objects, g_object_unref);
}

static PostierGoaMailAccount *
find_id (GPtrArray  *list,
         const char *id)
{
  for (guint i = 0; i < list->len; i++)
    if (g_strcmp0 (((PostierGoaMailAccount *) g_ptr_array_index (list, i))->id, id) == 0)
      return g_ptr_array_index (list, i);
  return NULL;
}

/* ::changed, then ::account-back for each account that can send again
 * since BEFORE (NULL: GOA's first answer, where every account is LISTED).
 * From a copy: a handler may run the main context. */
static void
emit_changes (PostierGoaAccounts *self,
              GPtrArray          *before)
{
  g_autoptr(GPtrArray) now = postier_goa_accounts_dup_list (self);

  g_signal_emit (self, signals[CHANGED], 0);
  for (guint i = 0; i < now->len; i++)
    {
      PostierGoaMailAccount *entry = g_ptr_array_index (now, i);
      PostierGoaMailAccount *old = before != NULL ? find_id (before, entry->id) : NULL;
      PostierGoaBack why;

      if (before == NULL)
        why = POSTIER_GOA_BACK_LISTED;
      else if (old == NULL)
        why = POSTIER_GOA_BACK_APPEARED;
      else if (old->attention_needed && !entry->attention_needed)
        why = POSTIER_GOA_BACK_SIGNED_IN;
      else
        continue;
      g_debug ("%s can send (%s)", postier_account_get_name (entry->account),
               why == POSTIER_GOA_BACK_LISTED ? "first answer" : why == POSTIER_GOA_BACK_APPEARED ? "appeared" : "signed in");
      g_signal_emit (self, signals[ACCOUNT_BACK], 0, postier_account_get_name (entry->account), (int) why);
    }
}

static gboolean
rebuild_now (gpointer user_data)
{
  PostierGoaAccounts *self = user_data;
  g_autoptr(GPtrArray) before = postier_goa_accounts_dup_list (self);

  self->rebuild_id = 0;
  rebuild (self);
  emit_changes (self, before);
  return G_SOURCE_REMOVE;
}

/* One change in GOA often comes as several signals (an interface added,
 * then its properties): the list is rebuilt once, from an idle. */
static void
schedule_rebuild (PostierGoaAccounts *self)
{
  if (self->rebuild_id == 0)
    self->rebuild_id = g_idle_add_full (G_PRIORITY_DEFAULT, rebuild_now, self, NULL);
}

static void
on_manager_changed (PostierGoaAccounts *self)
{
  schedule_rebuild (self);
}

static void
on_client_ready (G_GNUC_UNUSED GObject *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(PostierGoaAccounts) self = user_data;
  g_autoptr(GError) error = NULL;
  GoaClient *client = goa_client_new_finish (result, &error);
  GDBusObjectManager *manager;

  if (client == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          /* No bus: Postier's own accounts are enough, and nothing is said. */
          g_debug ("no Online Accounts: %s", error->message);
          self->ready = TRUE;
          g_signal_emit (self, signals[CHANGED], 0);
        }
      return;
    }
  self->client = client;
  manager = goa_client_get_object_manager (client);
  /* The manager's own signals: GoaClient's account-changed misses a Mail
   * interface that comes or goes (mail turned on or off). */
  g_signal_connect_object (manager, "object-added", G_CALLBACK (on_manager_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (manager, "object-removed", G_CALLBACK (on_manager_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (manager, "interface-added", G_CALLBACK (on_manager_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (manager, "interface-removed", G_CALLBACK (on_manager_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (manager, "interface-proxy-properties-changed",
                           G_CALLBACK (on_manager_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (manager, "notify::name-owner", G_CALLBACK (on_manager_changed), self,
                           G_CONNECT_SWAPPED);
  rebuild (self);
  self->ready = TRUE;
  emit_changes (self, NULL);
}

static void
postier_goa_accounts_dispose (GObject *object)
{
  PostierGoaAccounts *self = POSTIER_GOA_ACCOUNTS (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->rebuild_id, g_source_remove);
  g_clear_object (&self->client);
  G_OBJECT_CLASS (postier_goa_accounts_parent_class)->dispose (object);
}

static void
postier_goa_accounts_finalize (GObject *object)
{
  PostierGoaAccounts *self = POSTIER_GOA_ACCOUNTS (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->list, g_ptr_array_unref);
  G_OBJECT_CLASS (postier_goa_accounts_parent_class)->finalize (object);
}

static void
postier_goa_accounts_class_init (PostierGoaAccountsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = postier_goa_accounts_dispose;
  object_class->finalize = postier_goa_accounts_finalize;

  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[ACCOUNT_BACK] = g_signal_new ("account-back", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                        NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_INT);
}

static void
postier_goa_accounts_init (PostierGoaAccounts *self)
{
  self->cancellable = g_cancellable_new ();
  self->list = g_ptr_array_new_with_free_func ((GDestroyNotify) postier_goa_mail_account_free);
}

PostierGoaAccounts *
postier_goa_accounts_new (void)
{
  PostierGoaAccounts *self = g_object_new (POSTIER_TYPE_GOA_ACCOUNTS, NULL);

  /* goa_client_new() sets up its object manager in a worker thread. With
   * GLib 2.74, a class initialised there while this thread registers
   * GDBusProxy (the network monitor does, right after) deadlocks: the
   * worker holds the class-init lock and waits for GDBusProxy's type, this
   * thread holds that type's once and waits for the lock. Seen as a
   * `postierctl queue watch` that never flushed (test-queue-cli). So the
   * types are made, and the manager's class set up, here first. */
  g_type_ensure (G_TYPE_DBUS_PROXY);
  g_type_class_unref (g_type_class_ref (GOA_TYPE_OBJECT_MANAGER_CLIENT));
  goa_client_new (self->cancellable, on_client_ready, g_object_ref (self));
  return self;
}

gboolean
postier_goa_accounts_is_available (PostierGoaAccounts *self)
{
  g_return_val_if_fail (POSTIER_IS_GOA_ACCOUNTS (self), FALSE);
  return self->client != NULL;
}

gboolean
postier_goa_accounts_has_account (PostierGoaAccounts *self,
                                  const char         *name)
{
  g_autoptr(GoaObject) object = NULL;

  g_return_val_if_fail (POSTIER_IS_GOA_ACCOUNTS (self), FALSE);
  if (self->client == NULL || !postier_goa_is_account_name (name))
    return FALSE;
  object = goa_client_lookup_by_id (self->client, name + strlen (POSTIER_GOA_NAME_PREFIX));
  return object != NULL && goa_object_peek_account (object) != NULL;
}

gboolean
postier_goa_accounts_is_ready (PostierGoaAccounts *self)
{
  g_return_val_if_fail (POSTIER_IS_GOA_ACCOUNTS (self), FALSE);
  return self->ready;
}

GPtrArray *
postier_goa_accounts_dup_list (PostierGoaAccounts *self)
{
  GPtrArray *copy;

  g_return_val_if_fail (POSTIER_IS_GOA_ACCOUNTS (self), NULL);
  copy = g_ptr_array_new_full (self->list->len, (GDestroyNotify) postier_goa_mail_account_free);
  for (guint i = 0; i < self->list->len; i++)
    g_ptr_array_add (copy, postier_goa_mail_account_copy (g_ptr_array_index (self->list, i)));
  return copy;
}

PostierGoaMailAccount *
postier_goa_accounts_lookup (PostierGoaAccounts *self,
                             const char         *key)
{
  g_return_val_if_fail (POSTIER_IS_GOA_ACCOUNTS (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  for (guint i = 0; i < self->list->len; i++)
    {
      PostierGoaMailAccount *entry = g_ptr_array_index (self->list, i);
      const char *address = postier_account_get_address (entry->account);

      if (g_strcmp0 (entry->id, key) == 0 ||
          g_strcmp0 (postier_account_get_name (entry->account), key) == 0 ||
          (address != NULL && g_ascii_strcasecmp (address, key) == 0))
        return postier_goa_mail_account_copy (entry);
    }
  return NULL;
}
