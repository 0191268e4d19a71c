/* postier-composer-attention.c — the composer warns, before Send, when the
 * From account needs the person (issue 14): an Online Accounts account GOA
 * says needs attention, or an account whose sign-in the provider refused,
 * with mail already waiting for a new sign-in. Send still queues the
 * message: nothing is lost, it waits with the others.
 *
 * "Refused" is what the outbox says: the account's entries waiting as
 * needs-attention with Failure=auth. The composer follows the outbox
 * view's listing (already in memory) and keeps its refused snapshots
 * apart, so a change of From looks at those few; the submitter's
 * ::entry-changed tells the app's own refusals before the view lists
 * again. Listing the outbox again for each change of From cost 10 000
 * entries ~90 ms of a core and 0.15-0.5 s before the warning showed
 * (bench-composer-from). A composer without a view lists it once per
 * change, off the main thread.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-composer"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "postier-attention.h"
#include "postier-composer-private.h"
#include "postier-goa.h"
#include "postier-oauth-provider.h"
#include "postier-online-accounts.h"

/* The accounts whose trouble a person settles by signing in: every relay
 * account (a password, OAuth 2.0, GOA's); the Sandbox never refuses. */
static gboolean
is_watched (PostierAccount *account)
{
  return account != NULL && postier_account_get_kind (account) != POSTIER_ACCOUNT_KIND_SANDBOX;
}

static gboolean
is_refused (PostierOutboxEntry *entry,
            const char         *account_name)
{
  return postier_outbox_entry_get_state (entry) == POSTIER_OUTBOX_STATE_NEEDS_ATTENTION &&
         postier_outbox_entry_get_failure (entry) == POSTIER_OUTBOX_FAILURE_AUTH &&
         g_strcmp0 (postier_outbox_entry_get_account_name (entry), account_name) == 0;
}

static const char *
any_refused (PostierComposer *self)
{
  GHashTableIter iter;
  gpointer id = NULL;

  g_hash_table_iter_init (&iter, self->attention_ids);
  return g_hash_table_iter_next (&iter, &id, NULL) ? id : NULL;
}

static void
show (PostierComposer *self,
      const char      *text,
      const char      *button_label,
      const char      *target)
{
  g_free (self->attention_target);
  self->attention_target = g_strdup (target);
  gtk_label_set_text (self->attention_label, text != NULL ? text : "");
  if (button_label != NULL)
    gtk_button_set_label (self->attention_button, button_label);
  gtk_widget_set_visible (GTK_WIDGET (self->attention_button), button_label != NULL);
  gtk_revealer_set_reveal_child (self->attention_revealer, text != NULL);
}

/* The words for ACCOUNT now, from GOA's flag and the refused entries. */
static void
refresh (PostierComposer *self)
{
  PostierAccount *account = _postier_composer_get_account (self);
  const char *refused = NULL;
  g_autofree char *text = NULL;

  if (!is_watched (account) || g_strcmp0 (postier_account_get_name (account), self->attention_account) != 0)
    {
      show (self, NULL, NULL, NULL);
      return;
    }
  refused = any_refused (self);
  if (postier_goa_is_account_name (postier_account_get_name (account)))
    {
      g_autoptr(PostierGoaMailAccount) goa = postier_goa_accounts_lookup (postier_online_accounts_get (),
                                                                          postier_account_get_name (account));

      if (refused != NULL)
        text = g_strdup (_("Online Accounts refused to sign in this account: messages from it wait until "
                           "you sign in again in Settings → Online Accounts. Send still queues this one."));
      else if (goa != NULL && goa->attention_needed)
        text = g_strdup (_("Online Accounts asks you to sign in to this account again, in Settings → "
                           "Online Accounts. Send still queues the message; it may wait until you do."));
      show (self, text, postier_attention_button_label (POSTIER_ATTENTION_GOA), NULL);
      return;
    }
  if (refused != NULL && postier_account_get_oauth_provider (account) == NULL)
    {
      /* A password: Sign In Again opens the account's page in
       * Preferences, as the row's button does. */
      show (self, _("The server refused this account’s password: messages from it wait until you correct "
                    "it. Send still queues this one."),
            postier_attention_button_label (POSTIER_ATTENTION_ACCOUNT), refused);
      return;
    }
  if (refused != NULL)
    {
      g_autofree char *title = postier_oauth_provider_title_for_account (account);

      /* Translators: %s is the provider, "Google", "Microsoft" or a server's name. */
      text = g_strdup_printf (_("%s refused this account’s sign-in: messages from it wait until you "
                                "sign in again. Send still queues this one."), title);
    }
  /* win.sign-in-again takes a message: its account signs in, then all of
   * the account's waiting mail goes. */
  show (self, text, postier_attention_button_label (POSTIER_ATTENTION_OAUTH), refused);
}

static void
on_listed (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(PostierComposer) self = user_data;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;

  entries = postier_outbox_list_finish (POSTIER_OUTBOX (source), result, NULL, &error);
  if (entries == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("Cannot list the outbox: %s", error->message);
      return;
    }
  if (self->attention_ids == NULL)
    return;   /* disposed meanwhile */
  for (guint i = 0; i < entries->len; i++)
    {
      PostierOutboxEntry *entry = g_ptr_array_index (entries, i);

      if (is_refused (entry, self->attention_account))
        g_hash_table_add (self->attention_ids, g_strdup (postier_outbox_entry_get_id (entry)));
    }
  refresh (self);
}

/* Refused at AUTH, whichever the account. */
static gboolean
is_refused_any (PostierOutboxEntry *entry)
{
  return postier_outbox_entry_get_state (entry) == POSTIER_OUTBOX_STATE_NEEDS_ATTENTION &&
         postier_outbox_entry_get_failure (entry) == POSTIER_OUTBOX_FAILURE_AUTH;
}

/* The view replaced items POSITION… of its listing (REMOVED went, ADDED
 * came). The mirror (the same snapshots, referenced) says which went; the
 * refused ones of every account are kept apart, so that a change of From
 * looks at those few, not at every entry. Each snapshot is looked at once,
 * when it comes: pointers and a state, nothing read or allocated for it. */
static void
on_entries_changed (GListModel      *model,
                    guint            position,
                    guint            removed,
                    guint            added,
                    PostierComposer *self)
{
  GPtrArray *mirror = self->attention_mirror;
  gboolean changed = FALSE;
  guint tail;

  g_return_if_fail (position + removed <= mirror->len);
  for (guint i = position; i < position + removed; i++)
    if (g_hash_table_remove (self->attention_refused, mirror->pdata[i]) && self->attention_ids != NULL)
      changed |= g_hash_table_remove (self->attention_ids, postier_outbox_entry_get_id (mirror->pdata[i]));
  g_ptr_array_remove_range (mirror, position, removed);

  /* A gap of ADDED at POSITION, then the new snapshots in it (an empty
   * array has no storage at all: no pointer arithmetic on it). */
  tail = mirror->len - position;
  if (added > 0)
    {
      g_ptr_array_set_size (mirror, mirror->len + added);
      if (tail > 0)
        memmove (&mirror->pdata[position + added], &mirror->pdata[position], tail * sizeof (gpointer));
    }
  for (guint i = 0; i < added; i++)
    {
      PostierOutboxEntry *entry = g_list_model_get_item (model, position + i);

      mirror->pdata[position + i] = entry;
      if (!is_refused_any (entry))
        continue;
      g_hash_table_add (self->attention_refused, entry);
      if (self->attention_ids != NULL && is_refused (entry, self->attention_account))
        changed |= g_hash_table_add (self->attention_ids, g_strdup (postier_outbox_entry_get_id (entry)));
    }
  if (changed)
    refresh (self);
}

void
postier_composer_follow_outbox (PostierComposer *self,
                                GListModel      *entries)
{
  g_return_if_fail (POSTIER_IS_COMPOSER (self));
  g_return_if_fail (entries == NULL || G_IS_LIST_MODEL (entries));

  if (self->attention_entries != NULL)
    g_signal_handlers_disconnect_by_func (self->attention_entries, on_entries_changed, self);
  g_clear_pointer (&self->attention_refused, g_hash_table_unref);
  g_clear_pointer (&self->attention_mirror, g_ptr_array_unref);
  g_set_object (&self->attention_entries, entries);
  if (entries != NULL)
    {
      self->attention_mirror = g_ptr_array_new_with_free_func (g_object_unref);
      self->attention_refused = g_hash_table_new (NULL, NULL);
      g_signal_connect_object (entries, "items-changed", G_CALLBACK (on_entries_changed), self, 0);
      on_entries_changed (entries, 0, 0, g_list_model_get_n_items (entries), self);
    }
  /* Looked at again from the new listing. */
  g_clear_pointer (&self->attention_account, g_free);
  _postier_composer_update_attention (self);
}

void
_postier_composer_update_attention (PostierComposer *self)
{
  PostierAccount *account;
  const char *name;

  if (self->attention_off || self->outbox == NULL || self->attention_revealer == NULL)
    return;   /* being disposed */
  if (self->attention_ids == NULL)
    self->attention_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  account = _postier_composer_get_account (self);
  name = account != NULL ? postier_account_get_name (account) : NULL;
  if (g_strcmp0 (name, self->attention_account) != 0)
    {
      g_cancellable_cancel (self->attention_cancellable);
      g_clear_object (&self->attention_cancellable);
      g_hash_table_remove_all (self->attention_ids);
      g_free (self->attention_account);
      self->attention_account = g_strdup (name);
      if (is_watched (account) && self->attention_entries != NULL)
        {
          GHashTableIter iter;
          gpointer entry;

          /* The few refused entries of the view's listing, not all of it. */
          g_hash_table_iter_init (&iter, self->attention_refused);
          while (g_hash_table_iter_next (&iter, &entry, NULL))
            if (is_refused (entry, name))
              g_hash_table_add (self->attention_ids, g_strdup (postier_outbox_entry_get_id (entry)));
        }
      else if (is_watched (account))
        {
          self->attention_cancellable = g_cancellable_new ();
          postier_outbox_list_async (self->outbox, self->attention_cancellable, on_listed,
                                     g_object_ref (self));
        }
    }
  refresh (self);
}

/* One message changed: refused at sign-in now, or moving again. */
static void
on_entry_changed (PostierSubmitter *submitter,
                  const char       *id,
                  int               state,
                  PostierComposer  *self)
{
  gboolean had;

  (void) submitter;
  if (self->attention_ids == NULL || self->attention_account == NULL)
    return;
  had = g_hash_table_contains (self->attention_ids, id);
  if (state == POSTIER_OUTBOX_STATE_NEEDS_ATTENTION)
    {
      g_autoptr(PostierOutboxEntry) entry = postier_outbox_lookup (self->outbox, id, NULL);

      if (entry != NULL && is_refused (entry, self->attention_account))
        g_hash_table_add (self->attention_ids, g_strdup (id));
    }
  else
    g_hash_table_remove (self->attention_ids, id);
  if (had != g_hash_table_contains (self->attention_ids, id))
    refresh (self);
}

void
postier_composer_set_submitter (PostierComposer  *self,
                                PostierSubmitter *submitter)
{
  g_return_if_fail (POSTIER_IS_COMPOSER (self));
  g_return_if_fail (submitter == NULL || POSTIER_IS_SUBMITTER (submitter));

  if (self->submitter != NULL)
    g_signal_handlers_disconnect_by_func (self->submitter, on_entry_changed, self);
  g_set_object (&self->submitter, submitter);
  if (submitter != NULL)
    g_signal_connect_object (submitter, "entry-changed", G_CALLBACK (on_entry_changed), self, 0);
}

static void
on_attention_clicked (PostierComposer *self)
{
  if (self->attention_target != NULL)
    gtk_widget_activate_action (GTK_WIDGET (self), "win.sign-in-again", "s", self->attention_target);
  else
    postier_online_accounts_open_settings ();
}

void
_postier_composer_attention_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_child (widget_class, PostierComposer, attention_revealer);
  gtk_widget_class_bind_template_child (widget_class, PostierComposer, attention_label);
  gtk_widget_class_bind_template_child (widget_class, PostierComposer, attention_button);
  gtk_widget_class_bind_template_callback (widget_class, on_attention_clicked);
}

void
_postier_composer_attention_dispose (PostierComposer *self)
{
  /* The template's From row, disposed after this, may still say its
   * selection changed: nothing is made again then. */
  self->attention_off = TRUE;
  g_cancellable_cancel (self->attention_cancellable);
  g_clear_object (&self->attention_cancellable);
  postier_composer_set_submitter (self, NULL);
  postier_composer_follow_outbox (self, NULL);
  g_clear_pointer (&self->attention_ids, g_hash_table_unref);
  g_clear_pointer (&self->attention_account, g_free);
  g_clear_pointer (&self->attention_target, g_free);
}
