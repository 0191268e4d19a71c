/* postier-composer.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-composer"

#include "config.h"

#include <glib/gi18n.h>

#include "postier-composer-private.h"
#include "postier-gui-format.h"
#include "postier-core.h"
#include "postier-error.h"
#include "postier-mime.h"
#include "postier-notice-icon.h"
#include "postier-account-resolver.h"
#include "postier-online-accounts.h"
#include "postier-paths.h"



G_DEFINE_FINAL_TYPE (PostierComposer, postier_composer, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_ACCOUNTS,
  PROP_OUTBOX,
  PROP_ADDRESS_BOOK,
  PROP_DRAFTS_DIR,
  PROP_SHOW_CC_BCC,
  N_PROPS
};

enum {
  MESSAGE_QUEUED,
  SHOW_TOAST,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* --- Messages to the person -------------------------------------------- */

void
_postier_composer_show_error (PostierComposer *self,
                              const char      *message)
{
  g_free (self->error_message);
  self->error_message = g_strdup (message);
  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_revealer_set_reveal_child (self->error_revealer, message != NULL);
}

void
_postier_composer_toast (PostierComposer *self,
                         const char      *message)
{
  g_autoptr(AdwToast) toast = postier_toast_new_literal (message);

  g_signal_emit (self, signals[SHOW_TOAST], 0, toast);
}

const char *
postier_composer_get_error (PostierComposer *self)
{
  g_return_val_if_fail (POSTIER_IS_COMPOSER (self), NULL);
  return self->error_message;
}

/* --- Accounts ------------------------------------------------------------ */

PostierAccount *
_postier_composer_get_account (PostierComposer *self)
{
  guint selected = adw_combo_row_get_selected (self->from_row);

  const char *name;

  if (selected == GTK_INVALID_LIST_POSITION || selected >= self->from_names->len)
    return NULL;
  name = g_ptr_array_index (self->from_names, selected);
  if (postier_goa_is_account_name (name))
    return postier_online_accounts_lookup_account (name);
  return postier_account_store_lookup (self->accounts, name);
}

static void
select_account (PostierComposer *self,
                const char      *name)
{
  for (guint i = 0; name != NULL && i < self->from_names->len; i++)
    if (g_str_equal (g_ptr_array_index (self->from_names, i), name))
      {
        adw_combo_row_set_selected (self->from_row, i);
        return;
      }
}

static void
update_sandbox_notice (PostierComposer *self)
{
  PostierAccount *account = _postier_composer_get_account (self);

  gtk_revealer_set_reveal_child (self->sandbox_revealer,
                                 account != NULL &&
                                 postier_account_get_kind (account) == POSTIER_ACCOUNT_KIND_SANDBOX);
}

/* GNOME Online Accounts' mail accounts after Postier's own. */
static void
add_online_accounts (PostierComposer *self,
                     GStrvBuilder    *labels)
{
  g_autoptr(GPtrArray) list = postier_online_accounts_list ();

  for (guint i = 0; i < list->len; i++)
    {
      PostierGoaMailAccount *entry = g_ptr_array_index (list, i);
      /* Translators: a From choice: the sender, then the provider ("Google"). */
      g_autofree char *label = g_strdup_printf (_("%s — %s, Online Accounts"),
                                                postier_account_get_identity (entry->account),
                                                entry->provider_name);

      g_strv_builder_add (labels, label);
      g_ptr_array_add (self->from_names, g_strdup (postier_account_get_name (entry->account)));
    }
}

/* The default account; with none of Postier's own, Online Accounts' oldest
 * (core's rule: postierctl picks the same) before the Sandbox. */
static PostierAccount *
default_account (PostierComposer *self)
{
  if (postier_account_store_count_relays (self->accounts) == 0)
    {
      g_autoptr(GPtrArray) goa = postier_online_accounts_list ();
      PostierAccount *picked = postier_account_pick_default (self->accounts, goa);

      /* The table's copy outlives the list. */
      if (picked != NULL)
        return postier_online_accounts_lookup_account (postier_account_get_name (picked));
    }
  return postier_account_store_get_default (self->accounts);
}

/* Fills the From list. Hidden accounts are left out, except the one in use
 * and the Sandbox when it is the only way to send. */
static void
rebuild_accounts (PostierComposer *self)
{
  PostierAccount *current = _postier_composer_get_account (self);
  /* The Sandbox stood in only until Online Accounts' first answer (it
   * comes after the window is made): not kept unless the person chose it. */
  gboolean stand_in = current != NULL && !self->from_chosen &&
                      postier_account_get_kind (current) == POSTIER_ACCOUNT_KIND_SANDBOX;
  g_autofree char *keep = g_strdup (current != NULL && !stand_in ? postier_account_get_name (current) : NULL);
  g_autoptr(GPtrArray) accounts = postier_account_store_list (self->accounts);
  g_autoptr(GStrvBuilder) labels = g_strv_builder_new ();
  g_auto(GStrv) strings = NULL;
  guint relays = postier_account_store_count_relays (self->accounts);
  gboolean was_loading = self->loading;
  PostierAccount *fallback;

  self->loading = TRUE;
  g_ptr_array_set_size (self->from_names, 0);
  for (guint i = 0; i < accounts->len; i++)
    {
      PostierAccount *account = g_ptr_array_index (accounts, i);
      const char *name = postier_account_get_name (account);
      gboolean sandbox = postier_account_get_kind (account) == POSTIER_ACCOUNT_KIND_SANDBOX;
      g_autofree char *label = NULL;

      if (postier_account_get_hidden (account) && g_strcmp0 (name, keep) != 0 &&
          !(sandbox && relays == 0))
        continue;
      if (sandbox)
        /* Translators: the From choice of the built-in Sandbox account. */
        label = g_strdup_printf (_("%s — Sandbox, stays on this computer"),
                                 postier_account_get_address (account));
      else
        /* Translators: a From choice: the sender, then the account's name. */
        label = g_strdup_printf (_("%s — %s"), postier_account_get_identity (account), name);
      g_strv_builder_add (labels, label);
      g_ptr_array_add (self->from_names, g_strdup (name));
    }
  add_online_accounts (self, labels);
  strings = g_strv_builder_end (labels);
  gtk_string_list_splice (self->from_model, 0,
                          g_list_model_get_n_items (G_LIST_MODEL (self->from_model)),
                          (const char * const *) strings);

  fallback = default_account (self);
  adw_combo_row_set_selected (self->from_row, GTK_INVALID_LIST_POSITION);
  select_account (self, fallback != NULL ? postier_account_get_name (fallback) : NULL);
  select_account (self, keep);
  self->loading = was_loading;
  update_sandbox_notice (self);
  _postier_composer_update_size_warning (self);
  _postier_composer_update_attention (self);
}

static void
on_accounts_changed (PostierAccountStore *store,
                     PostierComposer     *self)
{
  (void) store;
  rebuild_accounts (self);
}

static void
on_from_selected (GObject         *row,
                  GParamSpec      *pspec,
                  PostierComposer *self)
{
  (void) row;
  (void) pspec;
  if (!self->loading)
    self->from_chosen = TRUE;
  update_sandbox_notice (self);
  _postier_composer_update_size_warning (self);
  _postier_composer_update_attention (self);
  _postier_composer_mark_changed (self);
}

/* --- Drafts on disk: the store's, we only ask ---------------------------- */

static GWeakRef *
weak_self (PostierComposer *self)
{
  GWeakRef *ref = g_new0 (GWeakRef, 1);

  g_weak_ref_init (ref, self);
  return ref;
}

static void
draft_job_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  PostierDraftStore *store = POSTIER_DRAFT_STORE (source);
  GWeakRef *ref = user_data;
  g_autoptr(PostierComposer) self = g_weak_ref_get (ref);
  g_autoptr(GError) error = NULL;
  gboolean saved = g_async_result_is_tagged (result, postier_draft_store_save_async);

  g_weak_ref_clear (ref);
  g_free (ref);
  if (saved)
    postier_draft_store_save_finish (store, result, &error);
  else
    postier_draft_store_delete_finish (store, result, &error);
  if (self == NULL || self->status_label == NULL)
    return;
  if (error != NULL)
    {
      g_autofree char *message = g_strdup_printf (_("The draft cannot be saved: %s"), error->message);
      _postier_composer_show_error (self, message);
    }
  else if (saved)
    gtk_label_set_text (self->status_label, _("Draft saved"));
}

void
_postier_composer_delete_draft (PostierComposer *self,
                                const char      *draft_path)
{
  postier_draft_store_delete_async (self->drafts, draft_path, NULL, draft_job_done, weak_self (self));
}

void
_postier_composer_save_draft (PostierComposer *self)
{
  g_autoptr(PostierDraft) draft = NULL;

  g_clear_handle_id (&self->autosave_source, g_source_remove);
  if (!self->dirty)
    return;
  self->dirty = FALSE;

  draft = postier_composer_dup_draft (self);
  if (postier_draft_is_empty (draft))
    _postier_composer_delete_draft (self, self->draft_path);
  else
    postier_draft_store_save_async (self->drafts, draft, self->draft_path, NULL,
                                    draft_job_done, weak_self (self));
}

static gboolean
autosave_timeout (gpointer user_data)
{
  PostierComposer *self = user_data;

  self->autosave_source = 0;
  _postier_composer_save_draft (self);
  return G_SOURCE_REMOVE;
}

void
postier_composer_save_now (PostierComposer *self)
{
  g_return_if_fail (POSTIER_IS_COMPOSER (self));
  _postier_composer_save_draft (self);
}

void
_postier_composer_mark_changed (PostierComposer *self)
{
  if (self->loading)
    return;

  self->dirty = TRUE;
  g_clear_handle_id (&self->autosave_source, g_source_remove);
  self->autosave_source = g_timeout_add_seconds (g_settings_get_uint (self->settings, "autosave-delay"),
                                                 autosave_timeout, self);
  gtk_label_set_text (self->status_label, "");
  _postier_composer_update_actions (self);
}

static void
on_field_changed (PostierComposer *self)
{
  _postier_composer_mark_changed (self);
}

/* --- The fields and the draft ------------------------------------------- */

PostierAddressEntry *
_postier_composer_address_entry (PostierComposer *self,
                                 guint            index)
{
  PostierAddressEntry *entries[] = { self->to_entry, self->cc_entry, self->bcc_entry };

  return index < G_N_ELEMENTS (entries) ? entries[index] : NULL;
}

void
_postier_composer_set_show_cc_bcc (PostierComposer *self,
                                   gboolean         show)
{
  show = !!show;
  if (self->show_cc_bcc == show)
    return;
  self->show_cc_bcc = show;
  _postier_composer_update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOW_CC_BCC]);
}

PostierDraft *
postier_composer_dup_draft (PostierComposer *self)
{
  PostierDraft *draft = postier_draft_new ();
  PostierAccount *account;
  GtkTextBuffer *buffer;
  GtkTextIter start, end;
  g_autofree char *body = NULL;

  g_return_val_if_fail (POSTIER_IS_COMPOSER (self), NULL);

  account = _postier_composer_get_account (self);
  if (account != NULL)
    postier_draft_set_account_name (draft, postier_account_get_name (account));
  postier_draft_set_to (draft, gtk_editable_get_text (GTK_EDITABLE (self->to_entry)));
  postier_draft_set_cc (draft, gtk_editable_get_text (GTK_EDITABLE (self->cc_entry)));
  postier_draft_set_bcc (draft, gtk_editable_get_text (GTK_EDITABLE (self->bcc_entry)));
  postier_draft_set_subject (draft, gtk_editable_get_text (GTK_EDITABLE (self->subject_entry)));

  buffer = gtk_text_view_get_buffer (self->body_view);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  body = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  postier_draft_set_body (draft, body);

  for (guint i = 0; i < self->attachments->len; i++)
    postier_draft_add_attachment (draft, ((Attachment *) g_ptr_array_index (self->attachments, i))->path);

  /* What the composer does not show travels on unchanged. */
  if (self->base != NULL)
    {
      const char * const *headers = postier_draft_get_headers (self->base);

      postier_draft_set_from (draft, postier_draft_get_from (self->base));
      postier_draft_set_reply_to (draft, postier_draft_get_reply_to (self->base));
      postier_draft_set_in_reply_to (draft, postier_draft_get_in_reply_to (self->base));
      postier_draft_set_references (draft, postier_draft_get_references (self->base));
      for (guint i = 0; headers != NULL && headers[i] != NULL && headers[i + 1] != NULL; i += 2)
        postier_draft_set_header (draft, headers[i], headers[i + 1], NULL);
    }
  return draft;
}

gboolean
postier_composer_is_empty (PostierComposer *self)
{
  GtkEditable *fields[] = {
    GTK_EDITABLE (self->to_entry), GTK_EDITABLE (self->cc_entry),
    GTK_EDITABLE (self->bcc_entry), GTK_EDITABLE (self->subject_entry),
  };

  g_return_val_if_fail (POSTIER_IS_COMPOSER (self), TRUE);

  /* Looked at directly, not through a draft: this runs at every key. */
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    if (*gtk_editable_get_text (fields[i]) != '\0')
      return FALSE;
  return self->attachments->len == 0 &&
         gtk_text_buffer_get_char_count (gtk_text_view_get_buffer (self->body_view)) == 0;
}

static const char *
or_empty (const char *text)
{
  return text != NULL ? text : "";
}

void
_postier_composer_fill_fields (PostierComposer *self,
                               PostierDraft    *draft)
{
  const char *cc = postier_draft_get_cc (draft);
  const char *bcc = postier_draft_get_bcc (draft);
  const char *account_name = postier_draft_get_account_name (draft);
  PostierAccount *fallback = default_account (self);

  self->loading = TRUE;
  g_set_object (&self->base, draft);

  adw_combo_row_set_selected (self->from_row, GTK_INVALID_LIST_POSITION);
  select_account (self, fallback != NULL ? postier_account_get_name (fallback) : NULL);
  select_account (self, account_name);
  self->from_chosen = account_name != NULL;

  gtk_editable_set_text (GTK_EDITABLE (self->to_entry), or_empty (postier_draft_get_to (draft)));
  gtk_editable_set_text (GTK_EDITABLE (self->cc_entry), or_empty (cc));
  gtk_editable_set_text (GTK_EDITABLE (self->bcc_entry), or_empty (bcc));
  gtk_editable_set_text (GTK_EDITABLE (self->subject_entry), or_empty (postier_draft_get_subject (draft)));
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->body_view),
                            or_empty (postier_draft_get_body (draft)), -1);

  _postier_composer_clear_attachments (self);
  for (guint i = 0; i < postier_draft_get_n_attachments (draft); i++)
    {
      g_autoptr(GFile) file = g_file_new_for_path (postier_draft_get_attachment (draft, i));

      postier_composer_attach_file (self, file);
    }
  for (guint i = 0; i < 3; i++)
    postier_address_entry_validate (_postier_composer_address_entry (self, i), NULL);
  if ((cc != NULL && *cc != '\0') || (bcc != NULL && *bcc != '\0'))
    _postier_composer_set_show_cc_bcc (self, TRUE);

  self->loading = FALSE;
  self->dirty = FALSE;
  update_sandbox_notice (self);
  _postier_composer_update_size_warning (self);
  _postier_composer_update_actions (self);
}

/* Starts a new message in a new draft file; the old one stays on disk. */
void
_postier_composer_start_new_draft (PostierComposer *self,
                                   PostierDraft    *draft)
{
  g_autoptr(PostierDraft) empty = NULL;

  g_clear_handle_id (&self->autosave_source, g_source_remove);
  g_free (self->draft_path);
  self->draft_path = postier_draft_store_new_path (self->drafts);
  if (draft == NULL)
    draft = empty = postier_draft_new ();
  _postier_composer_fill_fields (self, draft);
  _postier_composer_show_error (self, NULL);
  gtk_label_set_text (self->status_label, "");
  _postier_composer_set_show_cc_bcc (self, g_settings_get_boolean (self->settings, "show-cc-bcc") ||
                         (postier_draft_get_cc (draft) != NULL && *postier_draft_get_cc (draft) != '\0') ||
                         (postier_draft_get_bcc (draft) != NULL && *postier_draft_get_bcc (draft) != '\0'));
}

void
postier_composer_open_draft_file (PostierComposer *self,
                                  PostierDraft    *draft,
                                  const char      *draft_path)
{
  g_return_if_fail (POSTIER_IS_COMPOSER (self));
  g_return_if_fail (POSTIER_IS_DRAFT (draft));

  /* The message being written is kept as a draft before it is replaced. */
  _postier_composer_save_draft (self);
  if (!postier_composer_is_empty (self))
    _postier_composer_toast (self, _("The message you were writing was saved as a draft"));
  _postier_composer_start_new_draft (self, draft);
  if (draft_path != NULL)
    {
      g_free (self->draft_path);
      self->draft_path = g_strdup (draft_path);
    }
  /* Saved at once: an opened message must survive a crash too. */
  self->dirty = TRUE;
  _postier_composer_save_draft (self);
}

void
postier_composer_open_draft (PostierComposer *self,
                             PostierDraft    *draft)
{
  postier_composer_open_draft_file (self, draft, NULL);
}

gboolean
postier_composer_open_mailto (PostierComposer *self,
                              const char      *uri)
{
  g_autoptr(PostierDraft) draft = NULL;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (POSTIER_IS_COMPOSER (self), FALSE);
  g_return_val_if_fail (uri != NULL, FALSE);

  draft = postier_draft_new_from_mailto (uri, &error);
  if (draft == NULL)
    {
      /* Core's words say what was wrong with the link and that it was refused. */
      _postier_composer_show_error (self, error->message);
      return FALSE;
    }
  postier_composer_open_draft (self, draft);
  return TRUE;
}

gboolean
postier_composer_open_message_file (PostierComposer *self,
                                    GFile           *file)
{
  g_autoptr(PostierDraft) draft = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *draft_path = NULL;

  g_return_val_if_fail (POSTIER_IS_COMPOSER (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  path = g_file_get_path (file);
  if (path == NULL)
    {
      _postier_composer_show_error (self, _("Only message files on this computer can be opened"));
      return FALSE;
    }

  /* The message's attachments are written beside its new draft. */
  draft = postier_draft_store_import_message (self->drafts, path, &draft_path, &error);
  if (draft == NULL)
    {
      g_autofree char *name = g_file_get_basename (file);
      g_autofree char *message = g_strdup_printf (_("“%s” cannot be opened: %s"), name, error->message);

      _postier_composer_show_error (self, message);
      return FALSE;
    }
  /* Saved where its attachments were written beside. */
  postier_composer_open_draft_file (self, draft, draft_path);
  return TRUE;
}

/* --- Actions and focus --------------------------------------------------- */

void
_postier_composer_emit_message_queued (PostierComposer *self,
                                       const char      *outbox_id,
                                       const char      *account_name)
{
  g_signal_emit (self, signals[MESSAGE_QUEUED], 0, outbox_id, account_name);
}

void
_postier_composer_update_actions (PostierComposer *self)
{
  gboolean empty = postier_composer_is_empty (self);

  /* Cc and Bcc that hold addresses stay in sight, whatever the toggle says. */
  gboolean show = self->show_cc_bcc ||
                  *gtk_editable_get_text (GTK_EDITABLE (self->cc_entry)) != '\0' ||
                  *gtk_editable_get_text (GTK_EDITABLE (self->bcc_entry)) != '\0';

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "composer.discard", !empty);
  gtk_widget_set_visible (GTK_WIDGET (self->cc_entry), show);
  gtk_widget_set_visible (GTK_WIDGET (self->bcc_entry), show);
}

void
postier_composer_focus (PostierComposer *self)
{
  g_return_if_fail (POSTIER_IS_COMPOSER (self));

  if (*gtk_editable_get_text (GTK_EDITABLE (self->to_entry)) == '\0')
    gtk_widget_grab_focus (GTK_WIDGET (self->to_entry));
  else if (*gtk_editable_get_text (GTK_EDITABLE (self->subject_entry)) == '\0')
    gtk_widget_grab_focus (GTK_WIDGET (self->subject_entry));
  else
    gtk_widget_grab_focus (GTK_WIDGET (self->body_view));
}

static void
on_subject_activated (AdwEntryRow     *row,
                      PostierComposer *self)
{
  (void) row;
  gtk_widget_grab_focus (GTK_WIDGET (self->body_view));
}

/* --- GObject ------------------------------------------------------------- */

/* Addresses used before are offered only while the setting says so. */
static void
update_completion (PostierComposer *self)
{
  gboolean complete = g_settings_get_boolean (self->settings, "complete-addresses");

  for (guint i = 0; i < 3; i++)
    postier_address_entry_set_address_book (_postier_composer_address_entry (self, i),
                                            complete ? self->address_book : NULL);
}

PostierComposer *
postier_composer_new (PostierAccountStore *accounts,
                      PostierOutbox       *outbox,
                      PostierAddressBook  *address_book,
                      const char          *drafts_dir)
{
  g_return_val_if_fail (POSTIER_IS_ACCOUNT_STORE (accounts), NULL);
  g_return_val_if_fail (POSTIER_IS_OUTBOX (outbox), NULL);

  return g_object_new (POSTIER_TYPE_COMPOSER,
                       "accounts", accounts,
                       "outbox", outbox,
                       "address-book", address_book,
                       "drafts-dir", drafts_dir,
                       NULL);
}

static void
postier_composer_constructed (GObject *object)
{
  PostierComposer *self = POSTIER_COMPOSER (object);
  g_autoptr(PostierDraft) draft = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *restored = NULL;

  G_OBJECT_CLASS (postier_composer_parent_class)->constructed (object);

  update_completion (self);
  g_signal_connect_object (self->settings, "changed::complete-addresses",
                           G_CALLBACK (update_completion), self, G_CONNECT_SWAPPED);

  g_signal_connect_object (self->accounts, "changed", G_CALLBACK (on_accounts_changed), self, 0);
  g_signal_connect_object (postier_online_accounts_get (), "changed", G_CALLBACK (rebuild_accounts), self,
                           G_CONNECT_SWAPPED);
  rebuild_accounts (self);

  /* What a crash or a restart interrupted comes back at once. */
  draft = postier_draft_store_recover (self->drafts, &restored, &error);
  if (draft != NULL)
    {
      _postier_composer_start_new_draft (self, draft);
      g_free (self->draft_path);
      self->draft_path = g_steal_pointer (&restored);
      gtk_label_set_text (self->status_label, _("Draft restored"));
      return;
    }
  if (error != NULL)
    g_warning ("Cannot restore the draft %s: %s", restored, error->message);
  _postier_composer_start_new_draft (self, NULL);
}

static void
postier_composer_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  PostierComposer *self = POSTIER_COMPOSER (object);

  switch (prop_id)
    {
    case PROP_ACCOUNTS:
      g_value_set_object (value, self->accounts);
      break;
    case PROP_OUTBOX:
      g_value_set_object (value, self->outbox);
      break;
    case PROP_ADDRESS_BOOK:
      g_value_set_object (value, self->address_book);
      break;
    case PROP_DRAFTS_DIR:
      g_value_set_string (value, postier_draft_store_get_dir (self->drafts));
      break;
    case PROP_SHOW_CC_BCC:
      g_value_set_boolean (value, self->show_cc_bcc);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
postier_composer_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  PostierComposer *self = POSTIER_COMPOSER (object);

  switch (prop_id)
    {
    case PROP_ACCOUNTS:
      self->accounts = g_value_dup_object (value);
      break;
    case PROP_OUTBOX:
      self->outbox = g_value_dup_object (value);
      break;
    case PROP_ADDRESS_BOOK:
      self->address_book = g_value_dup_object (value);
      break;
    case PROP_DRAFTS_DIR:
      self->drafts = postier_draft_store_new (g_value_get_string (value));
      break;
    case PROP_SHOW_CC_BCC:
      /* The toggle (a property action) and the setting come through here;
       * a draft that has Cc shows the fields without changing the setting. */
      _postier_composer_set_show_cc_bcc (self, g_value_get_boolean (value));
      if (self->settings != NULL &&
          g_settings_get_boolean (self->settings, "show-cc-bcc") != self->show_cc_bcc)
        g_settings_set_boolean (self->settings, "show-cc-bcc", self->show_cc_bcc);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
postier_composer_dispose (GObject *object)
{
  PostierComposer *self = POSTIER_COMPOSER (object);

  if (self->drafts != NULL)
    {
      /* The last changes reach the disk before the composer goes. */
      if (self->status_label != NULL)
        _postier_composer_save_draft (self);
      postier_draft_store_flush (self->drafts);
      g_clear_object (&self->drafts);
    }
  g_clear_handle_id (&self->autosave_source, g_source_remove);
  if (self->file_chooser != NULL)
    gtk_native_dialog_destroy (self->file_chooser);
  g_clear_object (&self->file_chooser);
  g_clear_pointer (&self->attachments, g_ptr_array_unref);
  _postier_composer_attention_dispose (self);

  gtk_widget_dispose_template (GTK_WIDGET (self), POSTIER_TYPE_COMPOSER);

  g_clear_object (&self->base);
  g_clear_object (&self->settings);
  g_clear_object (&self->from_model);
  g_clear_object (&self->address_book);
  g_clear_object (&self->outbox);
  g_clear_object (&self->accounts);

  G_OBJECT_CLASS (postier_composer_parent_class)->dispose (object);
}

static void
postier_composer_finalize (GObject *object)
{
  PostierComposer *self = POSTIER_COMPOSER (object);

  g_ptr_array_unref (self->from_names);
  g_free (self->draft_path);
  g_free (self->error_message);

  G_OBJECT_CLASS (postier_composer_parent_class)->finalize (object);
}

static void
postier_composer_class_init (PostierComposerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = postier_composer_constructed;
  object_class->get_property = postier_composer_get_property;
  object_class->set_property = postier_composer_set_property;
  object_class->dispose = postier_composer_dispose;
  object_class->finalize = postier_composer_finalize;

  properties[PROP_ACCOUNTS] =
    g_param_spec_object ("accounts", NULL, NULL, POSTIER_TYPE_ACCOUNT_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_OUTBOX] =
    g_param_spec_object ("outbox", NULL, NULL, POSTIER_TYPE_OUTBOX,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ADDRESS_BOOK] =
    g_param_spec_object ("address-book", NULL, NULL, POSTIER_TYPE_ADDRESS_BOOK,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DRAFTS_DIR] =
    g_param_spec_string ("drafts-dir", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SHOW_CC_BCC] =
    g_param_spec_boolean ("show-cc-bcc", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[MESSAGE_QUEUED] =
    g_signal_new ("message-queued", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
  signals[SHOW_TOAST] =
    g_signal_new ("show-toast", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, ADW_TYPE_TOAST);

  g_type_ensure (POSTIER_TYPE_ADDRESS_ENTRY);
  g_type_ensure (POSTIER_TYPE_NOTICE_ICON);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/postier/Postier/ui/postier-composer.ui");
  gtk_widget_class_bind_template_child (widget_class, PostierComposer, sandbox_revealer);
  gtk_widget_class_bind_template_child (widget_class, PostierComposer, from_row);
  gtk_widget_class_bind_template_child (widget_class, PostierComposer, to_entry);
  gtk_widget_class_bind_template_child (widget_class, PostierComposer, cc_entry);
  gtk_widget_class_bind_template_child (widget_class, PostierComposer, bcc_entry);
  gtk_widget_class_bind_template_child (widget_class, PostierComposer, subject_entry);
  gtk_widget_class_bind_template_child (widget_class, PostierComposer, body_view);
  gtk_widget_class_bind_template_child (widget_class, PostierComposer, size_warning_label);
  gtk_widget_class_bind_template_child (widget_class, PostierComposer, attachment_list);
  gtk_widget_class_bind_template_child (widget_class, PostierComposer, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, PostierComposer, error_label);
  gtk_widget_class_bind_template_child (widget_class, PostierComposer, status_label);
  _postier_composer_attention_class_init (widget_class);

  gtk_widget_class_install_action (widget_class, "composer.send", NULL, _postier_composer_send_action);
  gtk_widget_class_install_action (widget_class, "composer.send-later", NULL, _postier_composer_send_later_action);
  gtk_widget_class_install_action (widget_class, "composer.attach", NULL, _postier_composer_attach_action);
  gtk_widget_class_install_action (widget_class, "composer.discard", NULL, _postier_composer_discard_action);
  gtk_widget_class_install_action (widget_class, "composer.dismiss-error", NULL, _postier_composer_dismiss_error_action);
  gtk_widget_class_install_property_action (widget_class, "composer.show-cc-bcc", "show-cc-bcc");
}

static void
postier_composer_init (PostierComposer *self)
{
  GtkEventController *shortcuts;

  self->from_names = g_ptr_array_new_with_free_func (g_free);
  self->attachments = g_ptr_array_new_with_free_func ((GDestroyNotify) _postier_composer_attachment_free);
  self->settings = g_settings_new (APPLICATION_ID);

  gtk_widget_init_template (GTK_WIDGET (self));

  self->from_model = gtk_string_list_new (NULL);
  adw_combo_row_set_expression (self->from_row,
                                gtk_property_expression_new (GTK_TYPE_STRING_OBJECT, NULL, "string"));
  adw_combo_row_set_model (self->from_row, G_LIST_MODEL (self->from_model));

  g_settings_bind (self->settings, "show-cc-bcc", self, "show-cc-bcc", G_SETTINGS_BIND_GET);

  g_signal_connect_object (self->from_row, "notify::selected", G_CALLBACK (on_from_selected), self, 0);
  g_signal_connect_swapped (self->to_entry, "changed", G_CALLBACK (on_field_changed), self);
  g_signal_connect_swapped (self->cc_entry, "changed", G_CALLBACK (on_field_changed), self);
  g_signal_connect_swapped (self->bcc_entry, "changed", G_CALLBACK (on_field_changed), self);
  g_signal_connect_swapped (self->subject_entry, "changed", G_CALLBACK (on_field_changed), self);
  g_signal_connect_swapped (gtk_text_view_get_buffer (self->body_view), "changed",
                            G_CALLBACK (on_field_changed), self);
  g_signal_connect (self->subject_entry, "entry-activated", G_CALLBACK (on_subject_activated), self);

  _postier_composer_setup_drop (self);

  /* Ctrl+Return must win over the text view, which would add a line. */
  shortcuts = gtk_shortcut_controller_new ();
  gtk_event_controller_set_propagation_phase (shortcuts, GTK_PHASE_CAPTURE);
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                        gtk_shortcut_new (gtk_shortcut_trigger_parse_string ("<Control>Return|<Control>KP_Enter"),
                                                          gtk_named_action_new ("composer.send")));
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                        gtk_shortcut_new (gtk_shortcut_trigger_parse_string ("<Control><Shift>a"),
                                                          gtk_named_action_new ("composer.attach")));
  gtk_widget_add_controller (GTK_WIDGET (self), shortcuts);
}
