/* postier-outbox-view.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-outbox-view"

#include "config.h"

#include <glib/gi18n.h>

#include "postier-draft-store.h"
#include "postier-error.h"
#include "postier-gui-format.h"
#include "postier-lazy-rows.h"
#include "postier-notice-icon.h"
#include "postier-outbox-entry.h"
#include "postier-outbox-head.h"
#include "postier-outbox-row.h"
#include "postier-outbox-view.h"
#include "postier-paths.h"
#include "postier-slot-model.h"
#include "postier-transcript-window.h"
#include "postier-view-reloader.h"

struct _PostierOutboxView
{
  AdwBin            parent_instance;

  PostierOutbox    *outbox;
  PostierSubmitter *submitter;
  GListStore       *entries;
  PostierSlotModel *slots;            /* what the list view shows: entries by position */
  PostierViewReloader *reloader;
  GHashTable       *expanded;         /* ids of expanded rows */
  GHashTable       *progress;         /* id → permille sent, while sending */
  guint             wakeup_source;    /* redraws "in N minutes" texts */
  gboolean          online;

  /* Template widgets (the toast overlay, the bin's own child, is not
   * bound: AdwBin disposes of it) */
  AdwToastOverlay  *toast_overlay;
  GtkRevealer      *offline_revealer;
  GtkLabel         *offline_label;
  GtkStack         *stack;
  GtkLabel         *summary_label;
  GtkListView      *list_view;
  PostierLazyRows  *rows;
  char             *refocus_id;       /* of the row to focus once made again */
  GCancellable     *head_cancellable; /* the first rows' listing */
  gboolean          listed;           /* a full listing has been shown */
  GtkWidget        *damaged_banner;
  GtkLabel         *damaged_label;
};

G_DEFINE_FINAL_TYPE (PostierOutboxView, postier_outbox_view, ADW_TYPE_BIN)

enum {
  EDIT_DRAFT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void schedule_reload (PostierOutboxView *self);

/* --- Texts ------------------------------------------------------------------ */

static gboolean
is_pending (PostierOutboxState state)
{
  return state == POSTIER_OUTBOX_STATE_QUEUED ||
         state == POSTIER_OUTBOX_STATE_SENDING ||
         state == POSTIER_OUTBOX_STATE_DEFERRED;
}

/* --- Rows ------------------------------------------------------------------- */

static void
on_expanded_changed (PostierOutboxRow  *row,
                     G_GNUC_UNUSED GParamSpec *pspec,
                     PostierOutboxView *self)
{
  const char *id = postier_outbox_row_get_id (row);

  if (adw_expander_row_get_expanded (ADW_EXPANDER_ROW (row)))
    g_hash_table_add (self->expanded, g_strdup (id));
  else
    g_hash_table_remove (self->expanded, id);
}

static int
permille_of (PostierOutboxView *self,
             const char        *id)
{
  gpointer permille = NULL;

  if (!g_hash_table_lookup_extended (self->progress, id, NULL, &permille))
    return -1;
  return GPOINTER_TO_INT (permille);
}

static PostierOutboxEntry *lookup_shown (PostierOutboxView *self,
                                         const char        *id);

/* Made only for an entry in sight (PostierLazyRows); then rebound. */
static GtkWidget *
create_row (gpointer item,
            gpointer user_data)
{
  PostierOutboxView *self = user_data;
  PostierOutboxEntry *entry = item;
  const char *id = postier_outbox_entry_get_id (entry);
  GtkWidget *row;

  row = postier_outbox_row_new (entry, self->online, permille_of (self, id));
  if (g_hash_table_contains (self->expanded, id))
    adw_expander_row_set_expanded (ADW_EXPANDER_ROW (row), TRUE);
  g_signal_connect_object (row, "notify::expanded", G_CALLBACK (on_expanded_changed), self, 0);
  return row;
}

/* A row whose entry scrolled away (or changed) shows ITEM: its old
 * entry's expanded state is not this one's. */
static gboolean
rebind_row (GtkWidget *widget,
            gpointer   item,
            gpointer   user_data)
{
  PostierOutboxView *self = user_data;
  PostierOutboxEntry *entry = item;
  const char *id = postier_outbox_entry_get_id (entry);
  const char *old_id = postier_outbox_row_get_id (POSTIER_OUTBOX_ROW (widget));
  g_autofree char *focused_id = NULL;

  /* A focused row in place shows another entry now (its slot's): the
   * focus follows its message if that is still listed. */
  if ((gtk_widget_has_focus (widget) || gtk_widget_get_focus_child (widget) != NULL) &&
      old_id != NULL && g_strcmp0 (old_id, id) != 0)
    focused_id = g_strdup (old_id);

  g_signal_handlers_block_by_func (widget, on_expanded_changed, self);
  postier_outbox_row_set_entry (POSTIER_OUTBOX_ROW (widget), entry, self->online,
                                permille_of (self, id));
  if (g_hash_table_contains (self->expanded, id))
    adw_expander_row_set_expanded (ADW_EXPANDER_ROW (widget), TRUE);
  g_signal_handlers_unblock_by_func (widget, on_expanded_changed, self);

  if (focused_id != NULL)
    {
      g_autoptr(PostierOutboxEntry) listed = lookup_shown (self, focused_id);
      GtkWidget *row = listed != NULL ? postier_outbox_view_find_row (self, focused_id) : NULL;

      if (row != NULL)
        gtk_widget_grab_focus (row);
      else if (listed != NULL)
        {
          g_free (self->refocus_id);
          self->refocus_id = g_steal_pointer (&focused_id);
        }
    }
  return TRUE;
}

/* The row that had the focus before a reload replaced it is back. */
static void
row_placed (GtkWidget *row,
            gpointer   user_data)
{
  PostierOutboxView *self = user_data;

  if (self->refocus_id != NULL &&
      g_strcmp0 (postier_outbox_row_get_id (POSTIER_OUTBOX_ROW (row)), self->refocus_id) == 0)
    {
      g_clear_pointer (&self->refocus_id, g_free);
      gtk_widget_grab_focus (row);
    }
}

GtkWidget *
postier_outbox_view_find_row (PostierOutboxView *self,
                              const char        *id)
{
  g_return_val_if_fail (POSTIER_IS_OUTBOX_VIEW (self), NULL);

  /* A late submitter signal or listing can reach a view whose template
   * dispose has already let go of its list. */
  if (self->list_view == NULL)
    return NULL;
  /* The list view's children hold the rows made for the entries in sight. */
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->list_view));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *row = gtk_widget_get_first_child (child);

      /* Not a row still showing what its slot showed before a listing. */
      if (POSTIER_IS_OUTBOX_ROW (row) &&
          (id == NULL || g_strcmp0 (postier_outbox_row_get_id (POSTIER_OUTBOX_ROW (row)), id) == 0) &&
          (self->rows == NULL || postier_lazy_rows_is_current (self->rows, row)))
        return row;
    }
  return NULL;
}

/* --- The model -------------------------------------------------------------- */

static void
update_summary (PostierOutboxView *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->entries));
  guint pending = postier_outbox_view_get_n_pending (self);
  guint stuck = n - pending;
  g_autofree char *summary = NULL;
  g_autofree char *offline = NULL;

  gtk_stack_set_visible_child_name (self->stack, n > 0 ? "list" : "empty");

  {
    g_autofree char *waiting = NULL;
    g_autofree char *waiting_you = NULL;

    if (pending > 0)
      waiting = g_strdup_printf (ngettext ("%u message waiting to be sent",
                                           "%u messages waiting to be sent", pending), pending);
    if (stuck > 0)
      waiting_you = g_strdup_printf (ngettext ("%u needs you", "%u need you", stuck), stuck);
    if (waiting != NULL && waiting_you != NULL)
      /* Translators: "2 messages waiting to be sent, 1 needs you". */
      summary = g_strdup_printf (_("%s, %s"), waiting, waiting_you);
    else if (waiting_you != NULL)
      summary = g_strdup_printf (ngettext ("%u message needs you", "%u messages need you", stuck),
                                 stuck);
    else
      summary = g_steal_pointer (&waiting);
  }
  gtk_label_set_text (self->summary_label, summary != NULL ? summary : "");

  /* The switcher shows how many wait, and calls for attention when some
   * need the person. */
  {
    /* The window holds each page in a bin: the stack's child is an
     * ancestor of the view, not always the view itself. */
    GtkWidget *child = GTK_WIDGET (self);
    GtkWidget *parent = gtk_widget_get_parent (child);

    while (parent != NULL && !ADW_IS_VIEW_STACK (parent))
      {
        child = parent;
        parent = gtk_widget_get_parent (parent);
      }
    if (parent != NULL)
      {
        AdwViewStackPage *page = adw_view_stack_get_page (ADW_VIEW_STACK (parent), child);

        adw_view_stack_page_set_badge_number (page, n);
        adw_view_stack_page_set_needs_attention (page, stuck > 0);
      }
  }

  /* The offline banner; GtkRevealer stands in for AdwBanner (libadwaita 1.3). */
  if (!self->online)
    {
      if (pending > 0)
        offline = g_strdup_printf (g_dngettext (NULL,
                                                "Offline — %u message will be sent when the "
                                                "connection returns",
                                                "Offline — %u messages will be sent when the "
                                                "connection returns", pending), pending);
      else
        offline = g_strdup (_("Offline — messages you send will wait here until the connection "
                              "returns"));
      gtk_label_set_text (self->offline_label, offline);
    }
  gtk_revealer_set_reveal_child (self->offline_revealer, !self->online);
}

/* The window re-adds its pages when one is replaced: badges go with them. */
static void
on_parent_changed (PostierOutboxView *self)
{
  if (self->stack != NULL && gtk_widget_get_parent (GTK_WIDGET (self)) != NULL)
    update_summary (self);
}

static gboolean
same_id (GListModel *model,
         guint       position,
         GPtrArray  *next,
         guint       index)
{
  g_autoptr(PostierOutboxEntry) old = g_list_model_get_item (model, position);

  return g_str_equal (postier_outbox_entry_get_id (old),
                      postier_outbox_entry_get_id (next->pdata[index]));
}

/* Items POSITION… of the model and FROM… of NEXT (N of each) have the same
 * ids: replaces the runs of those that changed, one splice per run. */
static void
replace_changed (PostierOutboxView *self,
                 guint              position,
                 GPtrArray         *next,
                 guint              from,
                 guint              n)
{
  GListModel *model = G_LIST_MODEL (self->entries);
  guint run = 0;

  for (guint i = 0; i <= n; i++)
    {
      gboolean changed = FALSE;

      if (i < n)
        {
          g_autoptr(PostierOutboxEntry) old = g_list_model_get_item (model, position + i);
          changed = !postier_outbox_row_entries_look_alike (old, next->pdata[from + i]);
        }
      if (changed)
        {
          run++;
          continue;
        }
      if (run > 0)
        g_list_store_splice (self->entries, position + i - run, run,
                             &next->pdata[from + i - run], run);
      run = 0;
    }
}

/* Replaces the model's snapshots with NEXT, touching only what changed:
 * the ids both ends share stay (their changed entries are replaced in
 * place), the middle is spliced. The list view then keeps its scroll
 * position and rebinds only rows that changed, so expanded rows and
 * keyboard focus survive a reload. */
static void
apply_entries (PostierOutboxView *self,
               GPtrArray         *next)
{
  GListModel *model = G_LIST_MODEL (self->entries);
  guint n = g_list_model_get_n_items (model);
  guint shared = MIN (n, next->len);
  guint head = 0, tail = 0;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;
  g_autofree char *focused_id = NULL;
  int anchor_at = self->rows != NULL ? postier_lazy_rows_first_in_sight (self->rows) : -1;
  g_autofree char *anchor_id = NULL;

  if (focus != NULL && self->list_view != NULL &&
      gtk_widget_is_ancestor (focus, GTK_WIDGET (self->list_view)))
    {
      GtkWidget *row = POSTIER_IS_OUTBOX_ROW (focus)
                         ? focus : gtk_widget_get_ancestor (focus, POSTIER_TYPE_OUTBOX_ROW);
      if (row != NULL)
        focused_id = g_strdup (postier_outbox_row_get_id (POSTIER_OUTBOX_ROW (row)));
    }

  /* Slots show entries by position: when entries above the rows in sight
   * leave, the list scrolls up as many rows (below), so that the rows in
   * sight keep their messages, as GtkListView keeps its anchor item. */
  if (anchor_at > 0 && (guint) anchor_at < n)
    {
      g_autoptr(PostierOutboxEntry) anchor = g_list_model_get_item (model, anchor_at);
      anchor_id = g_strdup (postier_outbox_entry_get_id (anchor));
    }

  while (head < shared && same_id (model, head, next, head))
    head++;
  while (tail < shared - head && same_id (model, n - 1 - tail, next, next->len - 1 - tail))
    tail++;

  /* From the end, so the positions before stay true. */
  replace_changed (self, n - tail, next, next->len - tail, tail);
  if (n - head - tail > 0 || next->len - head - tail > 0)
    g_list_store_splice (self->entries, head, n - head - tail,
                         next->len > 0 ? &next->pdata[head] : NULL, next->len - head - tail);
  replace_changed (self, 0, next, 0, head);
  for (guint i = 0; anchor_id != NULL && i < next->len; i++)
    if (g_str_equal (postier_outbox_entry_get_id (next->pdata[i]), anchor_id))
      {
        postier_lazy_rows_scroll_by_items (self->rows, (int) i - anchor_at);
        break;
      }
  if (self->rows != NULL)
    postier_lazy_rows_refresh (self->rows);

  /* A recreated row took the focus with it: give it to its successor,
   * now or once the list has made it. */
  if (focused_id != NULL && root != NULL && gtk_root_get_focus (root) != focus)
    {
      GtkWidget *row = postier_outbox_view_find_row (self, focused_id);
      if (row != NULL)
        gtk_widget_grab_focus (row);
      else
        {
          g_free (self->refocus_id);
          self->refocus_id = g_steal_pointer (&focused_id);
        }
    }
}

/* Damaged entries are left alone on disk, and said here in full. */
static void
show_damaged (PostierOutboxView *self,
              GPtrArray         *damaged)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < damaged->len; i++)
    {
      if (i > 0)
        g_string_append_c (text, '\n');
      g_string_append (text, ((GError *) g_ptr_array_index (damaged, i))->message);
    }
  gtk_label_set_text (self->damaged_label, text->str);
  gtk_widget_set_visible (self->damaged_banner, damaged->len > 0);
}

static void
list_done (gpointer      view,
           GObject      *source,
           GAsyncResult *result)
{
  PostierOutboxView *self = view;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GPtrArray) damaged = NULL;
  g_autoptr(GError) error = NULL;

  entries = postier_outbox_list_finish (POSTIER_OUTBOX (source), result, &damaged, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (entries == NULL)
    {
      g_warning ("Cannot read the outbox %s: %s",
                 postier_outbox_get_dir (POSTIER_OUTBOX (source)), error->message);
      return;
    }

  self->listed = TRUE;
  apply_entries (self, entries);
  show_damaged (self, damaged);
  update_summary (self);
}

/* The first rows of a large outbox, before the full listing: shown only
 * if they come first. The summary waits for the full count. */
static void
head_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(PostierOutboxView) self = user_data;
  g_autoptr(GPtrArray) entries = NULL;

  entries = postier_outbox_list_head_finish (POSTIER_OUTBOX (source), result, NULL);
  g_clear_object (&self->head_cancellable);
  if (entries != NULL && entries->len > 0 && !self->listed && self->stack != NULL)
    {
      apply_entries (self, entries);
      gtk_stack_set_visible_child_name (self->stack, "list");
    }
  /* The full listing only now: two threads reading the folder at once
   * would delay the first rows. */
  postier_outbox_view_reload (self);
}

static void
list_outbox (GObject             *outbox,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  postier_outbox_list_async (POSTIER_OUTBOX (outbox), cancellable, callback, user_data);
}

void
postier_outbox_view_reload (PostierOutboxView *self)
{
  g_return_if_fail (POSTIER_IS_OUTBOX_VIEW (self));

  /* Gone with dispose: a late caller finds nothing to reload. The first
   * rows' listing reloads when it ends. */
  if (self->reloader != NULL && self->head_cancellable == NULL)
    postier_view_reloader_reload (self->reloader);
}

static void
schedule_reload (PostierOutboxView *self)
{
  if (self->reloader != NULL && self->head_cancellable == NULL)
    postier_view_reloader_schedule (self->reloader);
}

/* "Next attempt at 14:05" and "now" texts age; a minute tick keeps them true. */
static gboolean
wakeup_cb (gpointer user_data)
{
  PostierOutboxView *self = user_data;
  GListModel *model = G_LIST_MODEL (self->entries);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(PostierOutboxEntry) entry = g_list_model_get_item (model, i);
      if (postier_outbox_entry_get_state (entry) == POSTIER_OUTBOX_STATE_DEFERRED)
        {
          schedule_reload (self);
          break;
        }
    }
  return G_SOURCE_CONTINUE;
}

/* --- Submitter signals ------------------------------------------------------ */

static void
on_entry_changed (PostierOutboxView *self,
                  const char        *id,
                  PostierOutboxState state)
{
  if (state != POSTIER_OUTBOX_STATE_SENDING)
    g_hash_table_remove (self->progress, id);
  schedule_reload (self);
}

static void
on_progress (PostierOutboxView *self,
             const char        *id,
             guint64            bytes_sent,
             guint64            bytes_total)
{
  guint permille = bytes_total > 0 ? (guint) (bytes_sent * 1000 / bytes_total) : 0;
  GtkWidget *row = postier_outbox_view_find_row (self, id);

  permille = MIN (permille, 1000);
  g_hash_table_insert (self->progress, g_strdup (id), GUINT_TO_POINTER (permille));
  /* A row out of sight takes the figure when it is made; one made before
   * the entry was sending has no bar yet: the reload remakes it. */
  if (row != NULL && !postier_outbox_row_set_progress (POSTIER_OUTBOX_ROW (row), permille))
    schedule_reload (self);
}

static void
on_online_changed (PostierOutboxView *self,
                   gboolean           online)
{
  self->online = online;
  update_summary (self);
  /* Texts such as "when the connection returns" depend on it. */
  schedule_reload (self);
}

static void
on_flush_finished (PostierOutboxView *self)
{
  g_hash_table_remove_all (self->progress);
  schedule_reload (self);
}

void
postier_outbox_view_set_submitter (PostierOutboxView *self,
                                   PostierSubmitter  *submitter)
{
  g_return_if_fail (POSTIER_IS_OUTBOX_VIEW (self));
  g_return_if_fail (submitter == NULL || POSTIER_IS_SUBMITTER (submitter));

  if (self->submitter != NULL)
    g_signal_handlers_disconnect_by_data (self->submitter, self);
  g_set_object (&self->submitter, submitter);

  if (submitter != NULL)
    {
      g_signal_connect_object (submitter, "entry-changed", G_CALLBACK (on_entry_changed), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (submitter, "progress", G_CALLBACK (on_progress), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (submitter, "online-changed", G_CALLBACK (on_online_changed), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (submitter, "flush-finished", G_CALLBACK (on_flush_finished), self,
                               G_CONNECT_SWAPPED);
      self->online = postier_submitter_get_online (submitter);
    }
  else
    {
      self->online = TRUE;
    }
  update_summary (self);
  schedule_reload (self);
}

/* --- Actions ---------------------------------------------------------------- */

static void
show_toast (PostierOutboxView *self,
            const char        *text)
{
  AdwToast *toast = postier_toast_new_literal (text);

  adw_toast_set_timeout (toast, 5);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static PostierOutboxEntry *
lookup_shown (PostierOutboxView *self,
              const char        *id)
{
  GListModel *model = G_LIST_MODEL (self->entries);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(PostierOutboxEntry) entry = g_list_model_get_item (model, i);
      if (g_str_equal (postier_outbox_entry_get_id (entry), id))
        return g_steal_pointer (&entry);
    }
  return NULL;
}

static void
retry_action (GtkWidget  *widget,
              G_GNUC_UNUSED const char *action_name,
              GVariant   *parameter)
{
  PostierOutboxView *self = POSTIER_OUTBOX_VIEW (widget);
  const char *id = g_variant_get_string (parameter, NULL);
  g_autoptr(GError) error = NULL;

  if (!postier_outbox_retry (self->outbox, id, &error))
    {
      show_toast (self, error->message);
      return;
    }
  if (self->submitter != NULL)
    postier_submitter_kick (self->submitter);
  schedule_reload (self);
}

/* A message waiting for its time (Send Later, the Undo grace): goes now. */
static void
send_now_action (GtkWidget  *widget,
                 G_GNUC_UNUSED const char *action_name,
                 GVariant   *parameter)
{
  PostierOutboxView *self = POSTIER_OUTBOX_VIEW (widget);
  const char *id = g_variant_get_string (parameter, NULL);
  g_autoptr(GError) error = NULL;

  if (!postier_outbox_send_now (self->outbox, id, &error))
    {
      show_toast (self, error->message);
      return;
    }
  /* The entry stays in its folder: the folder monitor does not see it. */
  if (self->submitter != NULL)
    postier_submitter_kick (self->submitter);
  schedule_reload (self);
}

static void
delete_response (AdwMessageDialog  *dialog,
                 const char        *response,
                 PostierOutboxView *self)
{
  const char *id = g_object_get_data (G_OBJECT (dialog), "postier-entry-id");
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (response, "delete") != 0)
    return;
  if (!postier_outbox_remove (self->outbox, id, &error))
    show_toast (self, error->message);
  g_hash_table_remove (self->expanded, id);
  postier_outbox_view_reload (self);
}

static void
delete_action (GtkWidget  *widget,
               G_GNUC_UNUSED const char *action_name,
               GVariant   *parameter)
{
  PostierOutboxView *self = POSTIER_OUTBOX_VIEW (widget);
  const char *id = g_variant_get_string (parameter, NULL);
  g_autoptr(PostierOutboxEntry) entry = lookup_shown (self, id);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *dialog;
  const char *subject;

  if (entry == NULL)
    return;
  subject = postier_outbox_entry_get_subject (entry);

  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   _("Delete This Message?"), NULL);
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  _("“%s” has not been sent to every recipient. Deleting it "
                                    "cannot be undone."),
                                  postier_display_subject (subject));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "delete", _("_Delete"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "delete",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "postier-entry-id", g_strdup (id), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (delete_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
edit_action (GtkWidget  *widget,
             G_GNUC_UNUSED const char *action_name,
             GVariant   *parameter)
{
  PostierOutboxView *self = POSTIER_OUTBOX_VIEW (widget);
  const char *id = g_variant_get_string (parameter, NULL);
  g_autoptr(PostierDraftStore) drafts = postier_draft_store_new (NULL);
  g_autoptr(PostierDraft) draft = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *draft_path = NULL;

  /* Core saves the draft with the autosaved drafts before the entry goes:
   * whatever happens next, the message is never lost. */
  draft = postier_draft_store_take_back (drafts, self->outbox, id, &draft_path, &error);
  if (draft == NULL)
    {
      if (g_error_matches (error, POSTIER_OUTBOX_ERROR, POSTIER_OUTBOX_ERROR_NOT_FOUND))
        postier_outbox_view_reload (self);
      else
        show_toast (self, error->message);
      return;
    }
  postier_outbox_view_reload (self);
  g_signal_emit (self, signals[EDIT_DRAFT], 0, draft, draft_path);
}

static void
transcript_action (GtkWidget  *widget,
                   G_GNUC_UNUSED const char *action_name,
                   GVariant   *parameter)
{
  PostierOutboxView *self = POSTIER_OUTBOX_VIEW (widget);
  const char *id = g_variant_get_string (parameter, NULL);
  g_autoptr(PostierOutboxEntry) entry = lookup_shown (self, id);
  g_autofree char *path = NULL;
  GtkRoot *root = gtk_widget_get_root (widget);
  PostierTranscriptWindow *window;
  const char *subject;

  if (entry == NULL)
    return;
  subject = postier_outbox_entry_get_subject (entry);
  path = postier_outbox_entry_get_transcript_path (entry);
  window = postier_transcript_window_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                          postier_display_subject (subject), path);
  gtk_window_present (GTK_WINDOW (window));
}

/* --- Object ----------------------------------------------------------------- */

static void
postier_outbox_view_dispose (GObject *object)
{
  PostierOutboxView *self = POSTIER_OUTBOX_VIEW (object);

  if (self->reloader != NULL)
    postier_view_reloader_stop (self->reloader);
  g_clear_object (&self->reloader);
  g_clear_handle_id (&self->wakeup_source, g_source_remove);
  if (self->head_cancellable != NULL)
    g_cancellable_cancel (self->head_cancellable);
  g_clear_object (&self->head_cancellable);
  if (self->rows != NULL)
    postier_lazy_rows_stop (self->rows);
  g_clear_object (&self->rows);
  if (self->submitter != NULL)
    g_signal_handlers_disconnect_by_data (self->submitter, self);
  g_clear_object (&self->submitter);
  gtk_widget_dispose_template (GTK_WIDGET (self), POSTIER_TYPE_OUTBOX_VIEW);

  G_OBJECT_CLASS (postier_outbox_view_parent_class)->dispose (object);
}

static void
postier_outbox_view_finalize (GObject *object)
{
  PostierOutboxView *self = POSTIER_OUTBOX_VIEW (object);

  g_clear_object (&self->outbox);
  g_clear_object (&self->slots);
  g_clear_object (&self->entries);
  g_clear_pointer (&self->expanded, g_hash_table_unref);
  g_clear_pointer (&self->progress, g_hash_table_unref);
  g_free (self->refocus_id);

  G_OBJECT_CLASS (postier_outbox_view_parent_class)->finalize (object);
}

static void
postier_outbox_view_class_init (PostierOutboxViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = postier_outbox_view_dispose;
  object_class->finalize = postier_outbox_view_finalize;

  signals[EDIT_DRAFT] = g_signal_new ("edit-draft", G_TYPE_FROM_CLASS (klass),
                                      G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                      G_TYPE_NONE, 2, G_TYPE_OBJECT, G_TYPE_STRING);

  g_type_ensure (POSTIER_TYPE_NOTICE_ICON);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/postier/Postier/ui/postier-outbox-view.ui");
  gtk_widget_class_bind_template_child (widget_class, PostierOutboxView, offline_revealer);
  gtk_widget_class_bind_template_child (widget_class, PostierOutboxView, offline_label);
  gtk_widget_class_bind_template_child (widget_class, PostierOutboxView, stack);
  gtk_widget_class_bind_template_child (widget_class, PostierOutboxView, summary_label);
  gtk_widget_class_bind_template_child (widget_class, PostierOutboxView, list_view);
  gtk_widget_class_bind_template_child (widget_class, PostierOutboxView, damaged_banner);
  gtk_widget_class_bind_template_child (widget_class, PostierOutboxView, damaged_label);

  gtk_widget_class_install_action (widget_class, "outbox.retry", "s", retry_action);
  gtk_widget_class_install_action (widget_class, "outbox.send-now", "s", send_now_action);
  gtk_widget_class_install_action (widget_class, "outbox.edit", "s", edit_action);
  gtk_widget_class_install_action (widget_class, "outbox.delete", "s", delete_action);
  gtk_widget_class_install_action (widget_class, "outbox.transcript", "s", transcript_action);
}

static void
postier_outbox_view_init (PostierOutboxView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->toast_overlay = ADW_TOAST_OVERLAY (adw_bin_get_child (ADW_BIN (self)));

  self->online = TRUE;
  self->entries = g_list_store_new (POSTIER_TYPE_OUTBOX_ENTRY);
  self->expanded = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->progress = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  /* Slots, not the entries themselves: a listing that drops sent entries
   * from the top then changes what the visible rows show, a few rows a
   * frame, instead of GTK 4.8 remaking 200 list items at once. */
  self->slots = postier_slot_model_new (G_LIST_MODEL (self->entries));
  self->rows = postier_lazy_rows_new (self->list_view, G_LIST_MODEL (self->slots), create_row,
                                      row_placed, self);
  postier_lazy_rows_set_rebind (self->rows, rebind_row);
  postier_lazy_rows_set_shown (self->rows, postier_slot_model_get_shown);
  g_signal_connect (self, "notify::parent", G_CALLBACK (on_parent_changed), NULL);
  self->wakeup_source = g_timeout_add_seconds (60, wakeup_cb, self);
}

PostierOutboxView *
postier_outbox_view_new (PostierOutbox *outbox)
{
  PostierOutboxView *self;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (POSTIER_IS_OUTBOX (outbox), NULL);

  self = g_object_new (POSTIER_TYPE_OUTBOX_VIEW, NULL);
  self->outbox = g_object_ref (outbox);
  if (!postier_outbox_watch (outbox, &error))
    g_warning ("Cannot watch the outbox folder: %s", error->message);
  self->reloader = postier_view_reloader_new (self, G_OBJECT (outbox), list_outbox, list_done);

  update_summary (self);
  /* Enough rows to fill a tall window, read before the rest is. */
  self->head_cancellable = g_cancellable_new ();
  postier_outbox_list_head_async (outbox, 50, self->head_cancellable, head_done,
                                  g_object_ref (self));
  return self;
}

GListModel *
postier_outbox_view_get_model (PostierOutboxView *self)
{
  g_return_val_if_fail (POSTIER_IS_OUTBOX_VIEW (self), NULL);
  return G_LIST_MODEL (self->entries);
}

guint
postier_outbox_view_get_n_pending (PostierOutboxView *self)
{
  GListModel *model;
  guint pending = 0;

  g_return_val_if_fail (POSTIER_IS_OUTBOX_VIEW (self), 0);

  model = G_LIST_MODEL (self->entries);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(PostierOutboxEntry) entry = g_list_model_get_item (model, i);
      if (is_pending (postier_outbox_entry_get_state (entry)))
        pending++;
    }
  return pending;
}
