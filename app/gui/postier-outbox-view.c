/* postier-outbox-view.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-outbox-view"

#include "config.h"

#include <glib/gi18n.h>

#include "postier-draft.h"
#include "postier-gui-format.h"
#include "postier-outbox-entry.h"
#include "postier-outbox-view.h"
#include "postier-paths.h"
#include "postier-transcript-window.h"

/* Several changes to the folder in a row (a flush rewrites many files)
 * make one reload. */
#define RELOAD_DELAY_MS 150

/* An outbox large enough to need more watches than this is shown from the
 * submitter's signals and the folder's own watch only. */
#define MAX_ENTRY_MONITORS 256

struct _PostierOutboxView
{
  AdwBin            parent_instance;

  PostierOutbox    *outbox;
  PostierSubmitter *submitter;
  GListStore       *entries;
  GFileMonitor     *dir_monitor;
  GHashTable       *entry_monitors;   /* id → GFileMonitor on its folder */
  GHashTable       *expanded;         /* ids of expanded rows */
  GHashTable       *progress;         /* id → fraction sent, while sending */
  GCancellable     *cancellable;
  guint             reload_source;
  guint             reload_serial;
  guint             wakeup_source;    /* redraws "in N minutes" texts */
  gboolean          online;

  /* Template widgets (the toast overlay, the bin's own child, is not
   * bound: AdwBin disposes of it) */
  AdwToastOverlay  *toast_overlay;
  GtkRevealer      *offline_revealer;
  GtkLabel         *offline_label;
  GtkStack         *stack;
  GtkLabel         *summary_label;
  GtkListBox       *list_box;
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

static const char *
state_icon_name (PostierOutboxState state)
{
  switch (state)
    {
    case POSTIER_OUTBOX_STATE_QUEUED:
      return "mail-send-symbolic";
    case POSTIER_OUTBOX_STATE_SENDING:
      return "emblem-synchronizing-symbolic";
    case POSTIER_OUTBOX_STATE_DEFERRED:
      return "alarm-symbolic";
    case POSTIER_OUTBOX_STATE_FAILED:
      return "dialog-error-symbolic";
    case POSTIER_OUTBOX_STATE_NEEDS_ATTENTION:
      return "dialog-warning-symbolic";
    case POSTIER_OUTBOX_STATE_SENT:
    default:
      return "emblem-ok-symbolic";
    }
}

static char *
recipients_text (PostierOutboxEntry *entry)
{
  g_autoptr(GString) text = g_string_new (NULL);
  guint n = postier_outbox_entry_get_n_recipients (entry);
  const guint shown = 3;

  for (guint i = 0; i < n && i < shown; i++)
    {
      if (i > 0)
        g_string_append (text, ", ");
      g_string_append (text, postier_outbox_entry_get_recipient (entry, i));
    }
  if (n > shown)
    {
      g_autofree char *more = g_strdup_printf (ngettext ("and %u other", "and %u others",
                                                            n - shown), n - shown);
      g_string_append_c (text, ' ');
      g_string_append (text, more);
    }
  /* Translators: the recipients of a message in the outbox. */
  return g_strdup_printf (_("To %s"), text->str);
}

/* One line saying where the message stands and what happens next. */
static char *
status_text (PostierOutboxView  *self,
             PostierOutboxEntry *entry)
{
  PostierOutboxState state = postier_outbox_entry_get_state (entry);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  switch (state)
    {
    case POSTIER_OUTBOX_STATE_QUEUED:
      if (!self->online)
        return g_strdup (_("Queued — will be sent when the connection returns"));
      return g_strdup (_("Queued — about to be sent"));

    case POSTIER_OUTBOX_STATE_SENDING:
      {
        gpointer fraction;

        if (g_hash_table_lookup_extended (self->progress, postier_outbox_entry_get_id (entry),
                                          NULL, &fraction))
          return g_strdup_printf (_("Sending… %d%%"),
                                  (int) (GPOINTER_TO_UINT (fraction) / 10));
        return g_strdup (_("Sending…"));
      }

    case POSTIER_OUTBOX_STATE_DEFERRED:
      {
        gint64 next = postier_outbox_entry_get_next_attempt (entry);
        g_autofree char *when = NULL;

        if (!self->online)
          return g_strdup (_("Waiting — will be sent when the connection returns"));
        if (next <= now)
          return g_strdup (_("Waiting to retry — next attempt now"));
        when = postier_format_moment (next, now);
        return g_strdup_printf (_("Waiting to retry — next attempt at %s"), when);
      }

    case POSTIER_OUTBOX_STATE_FAILED:
      {
        guint total = postier_outbox_entry_get_n_recipients (entry);
        guint accepted = postier_outbox_entry_count_recipients (entry,
                                                                POSTIER_RECIPIENT_STATE_ACCEPTED);

        if (accepted > 0)
          return g_strdup_printf (ngettext ("Sent to %u of %u recipient — the server refused the others",
                                            "Sent to %u of %u recipients — the server refused the others",
                                            total), accepted, total);
        return g_strdup (_("Not sent — the server refused it"));
      }

    case POSTIER_OUTBOX_STATE_NEEDS_ATTENTION:
      return g_strdup (_("Needs attention — check the account settings, then retry"));

    case POSTIER_OUTBOX_STATE_SENT:
    default:
      return g_strdup (postier_outbox_state_get_label (state));
    }
}

/* --- Rows ------------------------------------------------------------------- */

static GtkWidget *
action_button (const char *icon_name,
               const char *tooltip,
               const char *accessible_name,
               const char *action_name,
               const char *id)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon_name);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, tooltip);
  /* Said apart from the row: it names the message. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accessible_name, -1);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action_name);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", id);
  gtk_widget_add_css_class (button, "flat");
  return button;
}

static GtkWidget *
labelled_button (const char *label,
                 const char *action_name,
                 const char *id)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (label);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action_name);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", id);
  return button;
}

static GtkWidget *
detail_row (const char *title,
            const char *subtitle)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *escaped_title = g_markup_escape_text (title, -1);
  g_autofree char *escaped_subtitle = g_markup_escape_text (subtitle != NULL ? subtitle : "", -1);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), escaped_title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), escaped_subtitle);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  adw_preferences_row_set_title_selectable (ADW_PREFERENCES_ROW (row), TRUE);
  gtk_widget_add_css_class (row, "property");
  return row;
}

static const char *
recipient_state_text (PostierRecipientState state)
{
  switch (state)
    {
    case POSTIER_RECIPIENT_STATE_ACCEPTED:
      return _("Accepted by the server");
    case POSTIER_RECIPIENT_STATE_DEFERRED:
      return _("Temporarily refused — will be tried again");
    case POSTIER_RECIPIENT_STATE_REFUSED:
      return _("Refused");
    case POSTIER_RECIPIENT_STATE_PENDING:
    default:
      return _("Not sent yet");
    }
}

static void
monitor_free (gpointer monitor)
{
  g_file_monitor_cancel (monitor);
  g_object_unref (monitor);
}

static void
on_expanded_changed (AdwExpanderRow    *row,
                     G_GNUC_UNUSED GParamSpec *pspec,
                     PostierOutboxView *self)
{
  const char *id = g_object_get_data (G_OBJECT (row), "postier-entry-id");

  if (adw_expander_row_get_expanded (row))
    g_hash_table_add (self->expanded, g_strdup (id));
  else
    g_hash_table_remove (self->expanded, id);
}

static GtkWidget *
create_row (gpointer item,
            gpointer user_data)
{
  PostierOutboxView *self = user_data;
  PostierOutboxEntry *entry = item;
  PostierOutboxState state = postier_outbox_entry_get_state (entry);
  const char *id = postier_outbox_entry_get_id (entry);
  const char *subject = postier_outbox_entry_get_subject (entry);
  const char *last_error = postier_outbox_entry_get_last_error (entry);
  g_autofree char *recipients = recipients_text (entry);
  g_autofree char *status = status_text (self, entry);
  g_autofree char *subtitle = NULL;
  g_autofree char *escaped = NULL;
  GtkWidget *row = adw_expander_row_new ();
  GtkWidget *icon;
  GtkWidget *buttons;
  const char *shown_subject;
  g_autofree char *delete_label = NULL;
  g_autofree char *retry_label = NULL;
  g_autofree char *actions_label = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  g_object_set_data_full (G_OBJECT (row), "postier-entry-id", g_strdup (id), g_free);
  g_object_set_data_full (G_OBJECT (row), "postier-recipients", g_strdup (recipients), g_free);
  gtk_widget_set_name (row, id);

  shown_subject = *subject != '\0' ? subject : _("(No subject)");
  escaped = g_markup_escape_text (shown_subject, -1);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), escaped);
  g_clear_pointer (&escaped, g_free);
  /* The expander itself is a row too: named, as its header is. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  shown_subject, -1);

  /* The server's own words show without expanding: they say what to do. */
  if (last_error != NULL && state != POSTIER_OUTBOX_STATE_QUEUED &&
      state != POSTIER_OUTBOX_STATE_SENDING)
    subtitle = g_strdup_printf ("%s\n%s\n%s", recipients, status, last_error);
  else
    subtitle = g_strdup_printf ("%s\n%s", recipients, status);
  escaped = g_markup_escape_text (subtitle, -1);
  adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (row), escaped);

  icon = gtk_image_new_from_icon_name (state_icon_name (state));
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  postier_outbox_state_get_label (state), -1);
  if (state == POSTIER_OUTBOX_STATE_FAILED)
    gtk_widget_add_css_class (icon, "error");
  else if (state == POSTIER_OUTBOX_STATE_NEEDS_ATTENTION || state == POSTIER_OUTBOX_STATE_DEFERRED)
    gtk_widget_add_css_class (icon, "warning");
  adw_expander_row_add_prefix (ADW_EXPANDER_ROW (row), icon);

  if (state == POSTIER_OUTBOX_STATE_SENDING)
    {
      GtkWidget *bar = gtk_progress_bar_new ();
      gpointer fraction = NULL;

      gtk_widget_set_valign (bar, GTK_ALIGN_CENTER);
      gtk_widget_set_size_request (bar, 80, -1);
      if (g_hash_table_lookup_extended (self->progress, id, NULL, &fraction))
        gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (bar),
                                       GPOINTER_TO_UINT (fraction) / 1000.0);
      else
        gtk_progress_bar_pulse (GTK_PROGRESS_BAR (bar));
      gtk_accessible_update_property (GTK_ACCESSIBLE (bar), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("Sending progress"), -1);
      g_object_set_data (G_OBJECT (row), "postier-progress-bar", bar);
      adw_expander_row_add_action (ADW_EXPANDER_ROW (row), bar);
    }
  else
    {
      /* Actions are packed from the end: Delete ends up last. */
      /* Translators: what a screen reader says for the button. */
      delete_label = g_strdup_printf (_("Delete “%s”"), shown_subject);
      adw_expander_row_add_action (ADW_EXPANDER_ROW (row),
                                   action_button ("user-trash-symbolic", _("Delete"), delete_label,
                                                  "outbox.delete", id));
      if (state != POSTIER_OUTBOX_STATE_QUEUED)
        {
          /* Translators: what a screen reader says for the button. */
          retry_label = g_strdup_printf (_("Retry “%s” Now"), shown_subject);
          adw_expander_row_add_action (ADW_EXPANDER_ROW (row),
                                       action_button ("view-refresh-symbolic", _("Retry Now"),
                                                      retry_label, "outbox.retry", id));
        }
    }

  /* Details, when expanded. */
  if (last_error != NULL)
    adw_expander_row_add_row (ADW_EXPANDER_ROW (row),
                              detail_row (_("What went wrong"), last_error));

  for (guint i = 0; i < postier_outbox_entry_get_n_recipients (entry); i++)
    {
      PostierRecipientState rstate = postier_outbox_entry_get_recipient_state (entry, i);
      const char *reply = postier_outbox_entry_get_recipient_reply (entry, i);
      g_autofree char *text = NULL;

      if (reply != NULL && rstate != POSTIER_RECIPIENT_STATE_ACCEPTED)
        text = g_strdup_printf ("%s: %s", recipient_state_text (rstate), reply);
      else
        text = g_strdup (recipient_state_text (rstate));
      adw_expander_row_add_row (ADW_EXPANDER_ROW (row),
                                detail_row (postier_outbox_entry_get_recipient (entry, i), text));
    }

  {
    g_autoptr(GString) history = g_string_new (NULL);
    g_autofree char *created = postier_format_moment (postier_outbox_entry_get_created (entry), now);
    g_autofree char *size = g_format_size (postier_outbox_entry_get_size (entry));
    guint attempts = postier_outbox_entry_get_attempts (entry);

    g_string_append_printf (history, _("Queued %s through %s, %s."), created,
                            postier_outbox_entry_get_account_name (entry), size);
    if (attempts > 0)
      {
        g_autofree char *last = postier_format_moment (postier_outbox_entry_get_last_attempt (entry),
                                                       now);
        g_string_append_c (history, ' ');
        g_string_append_printf (history,
                                ngettext ("%u attempt, the last %s.",
                                             "%u attempts, the last %s.", attempts),
                                attempts, last);
      }
    if (postier_outbox_entry_get_possible_duplicate (entry))
      {
        g_string_append_c (history, ' ');
        g_string_append (history, _("Some recipients may receive it twice: Postier stopped "
                                    "while the server was answering."));
      }
    adw_expander_row_add_row (ADW_EXPANDER_ROW (row), detail_row (_("History"), history->str));
  }

  buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_set_margin_top (buttons, 6);
  gtk_widget_set_margin_bottom (buttons, 6);
  gtk_widget_set_margin_start (buttons, 12);
  gtk_widget_set_margin_end (buttons, 12);
  gtk_widget_set_halign (buttons, GTK_ALIGN_END);
  if (state != POSTIER_OUTBOX_STATE_SENDING)
    gtk_box_append (GTK_BOX (buttons), labelled_button (_("_Edit"), "outbox.edit", id));
  gtk_box_append (GTK_BOX (buttons),
                  labelled_button (_("Show _Transcript"), "outbox.transcript", id));
  if (state != POSTIER_OUTBOX_STATE_SENDING && state != POSTIER_OUTBOX_STATE_QUEUED)
    gtk_box_append (GTK_BOX (buttons), labelled_button (_("_Retry Now"), "outbox.retry", id));
  {
    GtkWidget *button_row = gtk_list_box_row_new ();

    /* Translators: the row of buttons under an expanded outbox message. */
    actions_label = g_strdup_printf (_("What to do with “%s”"), shown_subject);
    gtk_accessible_update_property (GTK_ACCESSIBLE (button_row), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                    actions_label, -1);

    gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (button_row), FALSE);
    gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (button_row), buttons);
    adw_expander_row_add_row (ADW_EXPANDER_ROW (row), button_row);
  }

  if (g_hash_table_contains (self->expanded, id))
    adw_expander_row_set_expanded (ADW_EXPANDER_ROW (row), TRUE);
  g_signal_connect_object (row, "notify::expanded", G_CALLBACK (on_expanded_changed), self, 0);

  return row;
}

static GtkWidget *
find_row (PostierOutboxView *self,
          const char        *id)
{
  /* A late submitter signal or listing can reach a view whose template
   * dispose has already let go of its list. */
  if (self->list_box == NULL)
    return NULL;
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->list_box));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (g_strcmp0 (g_object_get_data (G_OBJECT (child), "postier-entry-id"), id) == 0)
      return child;
  return NULL;
}

/* --- The model -------------------------------------------------------------- */

/* Whether two snapshots of one entry would show the same row. */
static gboolean
entries_look_alike (PostierOutboxEntry *a,
                    PostierOutboxEntry *b)
{
  guint n = postier_outbox_entry_get_n_recipients (a);

  if (postier_outbox_entry_get_state (a) != postier_outbox_entry_get_state (b) ||
      postier_outbox_entry_get_attempts (a) != postier_outbox_entry_get_attempts (b) ||
      postier_outbox_entry_get_next_attempt (a) != postier_outbox_entry_get_next_attempt (b) ||
      postier_outbox_entry_get_possible_duplicate (a) !=
        postier_outbox_entry_get_possible_duplicate (b) ||
      g_strcmp0 (postier_outbox_entry_get_last_error (a),
                 postier_outbox_entry_get_last_error (b)) != 0 ||
      n != postier_outbox_entry_get_n_recipients (b))
    return FALSE;

  for (guint i = 0; i < n; i++)
    if (postier_outbox_entry_get_recipient_state (a, i) !=
          postier_outbox_entry_get_recipient_state (b, i) ||
        g_strcmp0 (postier_outbox_entry_get_recipient_reply (a, i),
                   postier_outbox_entry_get_recipient_reply (b, i)) != 0)
      return FALSE;
  return TRUE;
}

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

/* Replaces the model's snapshots with NEXT, recreating only rows that
 * changed, so expanded rows and keyboard focus survive a reload. */
static void
apply_entries (PostierOutboxView *self,
               GPtrArray         *next)
{
  GListModel *model = G_LIST_MODEL (self->entries);
  guint n = g_list_model_get_n_items (model);
  gboolean same_ids = n == next->len;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;
  g_autofree char *focused_id = NULL;

  if (focus != NULL && gtk_widget_is_ancestor (focus, GTK_WIDGET (self->list_box)))
    {
      GtkWidget *row = gtk_widget_get_ancestor (focus, ADW_TYPE_EXPANDER_ROW);
      if (row != NULL)
        focused_id = g_strdup (g_object_get_data (G_OBJECT (row), "postier-entry-id"));
    }

  for (guint i = 0; same_ids && i < n; i++)
    {
      g_autoptr(PostierOutboxEntry) old = g_list_model_get_item (model, i);
      same_ids = g_str_equal (postier_outbox_entry_get_id (old),
                              postier_outbox_entry_get_id (next->pdata[i]));
    }

  if (same_ids)
    {
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(PostierOutboxEntry) old = g_list_model_get_item (model, i);
          if (!entries_look_alike (old, next->pdata[i]))
            g_list_store_splice (self->entries, i, 1, &next->pdata[i], 1);
        }
    }
  else
    {
      g_list_store_splice (self->entries, 0, n, next->pdata, next->len);
    }

  /* A recreated row took the focus with it: give it to its successor. */
  if (focused_id != NULL && root != NULL && gtk_root_get_focus (root) != focus)
    {
      GtkWidget *row = find_row (self, focused_id);
      if (row != NULL)
        gtk_widget_grab_focus (row);
    }
}

/* Each entry's folder is watched too: postierctl rewrites entry.ini in
 * place, which the outbox folder's own watch does not see. */
static void
on_folder_changed (G_GNUC_UNUSED GFileMonitor     *monitor,
                   G_GNUC_UNUSED GFile            *file,
                   G_GNUC_UNUSED GFile            *other,
                   G_GNUC_UNUSED GFileMonitorEvent event,
                   PostierOutboxView              *self)
{
  schedule_reload (self);
}

static void
update_entry_monitors (PostierOutboxView *self,
                       GPtrArray         *entries)
{
  g_autoptr(GHashTable) keep = g_hash_table_new (g_str_hash, g_str_equal);
  GHashTableIter iter;
  gpointer key;

  for (guint i = 0; i < entries->len; i++)
    {
      PostierOutboxEntry *entry = entries->pdata[i];
      const char *id = postier_outbox_entry_get_id (entry);
      g_autoptr(GFile) folder = NULL;
      GFileMonitor *monitor;

      g_hash_table_add (keep, (gpointer) id);
      if (g_hash_table_contains (self->entry_monitors, id) ||
          g_hash_table_size (self->entry_monitors) >= MAX_ENTRY_MONITORS)
        continue;

      folder = g_file_new_for_path (postier_outbox_entry_get_path (entry));
      monitor = g_file_monitor_directory (folder, G_FILE_MONITOR_WATCH_MOVES, NULL, NULL);
      if (monitor == NULL)
        continue;
      g_signal_connect_object (monitor, "changed", G_CALLBACK (on_folder_changed), self, 0);
      g_hash_table_insert (self->entry_monitors, g_strdup (id), monitor);
    }

  g_hash_table_iter_init (&iter, self->entry_monitors);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (keep, key))
      g_hash_table_iter_remove (&iter);
}

typedef struct {
  GPtrArray *entries;
  GPtrArray *damaged;   /* GError, one per damaged entry */
} Listing;

static void
listing_free (Listing *listing)
{
  g_clear_pointer (&listing->entries, g_ptr_array_unref);
  g_clear_pointer (&listing->damaged, g_ptr_array_unref);
  g_free (listing);
}

static void
list_thread (GTask        *task,
             gpointer      source_object,
             G_GNUC_UNUSED gpointer task_data,
             G_GNUC_UNUSED GCancellable *cancellable)
{
  GError *error = NULL;
  Listing *listing = g_new0 (Listing, 1);

  listing->entries = postier_outbox_list_with_damaged (source_object, &listing->damaged, &error);
  if (listing->entries == NULL)
    {
      listing_free (listing);
      g_task_return_error (task, error);
    }
  else
    g_task_return_pointer (task, listing, (GDestroyNotify) listing_free);
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
list_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(PostierOutboxView) self = user_data;
  Listing *listing;
  g_autoptr(GError) error = NULL;

  listing = g_task_propagate_pointer (G_TASK (result), &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (self->list_box == NULL)
    {
      g_clear_pointer (&listing, listing_free);
      return;
    }
  /* A newer reload is on its way; this answer may be stale. */
  if (GPOINTER_TO_UINT (g_task_get_task_data (G_TASK (result))) != self->reload_serial)
    {
      g_clear_pointer (&listing, listing_free);
      return;
    }
  if (listing == NULL)
    {
      g_warning ("Cannot read the outbox %s: %s",
                 postier_outbox_get_dir (POSTIER_OUTBOX (source)), error->message);
      return;
    }

  apply_entries (self, listing->entries);
  update_entry_monitors (self, listing->entries);
  show_damaged (self, listing->damaged);
  update_summary (self);
  listing_free (listing);
}

void
postier_outbox_view_reload (PostierOutboxView *self)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (POSTIER_IS_OUTBOX_VIEW (self));

  g_clear_handle_id (&self->reload_source, g_source_remove);
  self->reload_serial++;
  task = g_task_new (self->outbox, self->cancellable, list_done, g_object_ref (self));
  g_task_set_task_data (task, GUINT_TO_POINTER (self->reload_serial), NULL);
  g_task_run_in_thread (task, list_thread);
}

static gboolean
reload_cb (gpointer user_data)
{
  PostierOutboxView *self = user_data;

  self->reload_source = 0;
  postier_outbox_view_reload (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_reload (PostierOutboxView *self)
{
  if (self->reload_source == 0)
    self->reload_source = g_timeout_add (RELOAD_DELAY_MS, reload_cb, self);
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
  GtkWidget *row = find_row (self, id);
  GtkWidget *bar;
  g_autofree char *status = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *escaped = NULL;

  permille = MIN (permille, 1000);
  g_hash_table_insert (self->progress, g_strdup (id), GUINT_TO_POINTER (permille));
  if (row == NULL || (bar = g_object_get_data (G_OBJECT (row), "postier-progress-bar")) == NULL)
    {
      schedule_reload (self);
      return;
    }
  gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (bar), permille / 1000.0);
  /* The words say what the bar shows. */
  status = g_strdup_printf (_("Sending… %d%%"), (int) (permille / 10));
  subtitle = g_strdup_printf ("%s\n%s",
                              (const char *) g_object_get_data (G_OBJECT (row), "postier-recipients"),
                              status);
  escaped = g_markup_escape_text (subtitle, -1);
  adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (row), escaped);
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
                                  *subject != '\0' ? subject : _("(No subject)"));
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
  g_autoptr(PostierOutboxEntry) entry = postier_outbox_lookup (self->outbox, id, NULL);
  g_autoptr(PostierDraft) draft = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message_path = NULL;
  g_autofree char *drafts_dir = NULL;
  g_autofree char *attachments_dir = NULL;
  g_autofree char *draft_path = NULL;

  if (entry == NULL)
    {
      postier_outbox_view_reload (self);
      return;
    }

  /* The draft, and the attachments taken out of the message, are kept with
   * the autosaved drafts before the entry goes: whatever happens next, the
   * message is never lost. */
  message_path = postier_outbox_entry_get_message_path (entry);
  drafts_dir = postier_data_dir ("drafts");
  draft_path = g_strdup_printf ("%s/outbox-%s.draft", drafts_dir, id);
  /* Beside the draft, where the composer removes them with it. */
  attachments_dir = g_strconcat (draft_path, ".files", NULL);
  draft = postier_draft_new_from_message_file (message_path, attachments_dir, &error);
  if (draft == NULL)
    {
      show_toast (self, error->message);
      return;
    }
  postier_draft_set_account_name (draft, postier_outbox_entry_get_account_name (entry));
  if (!postier_ensure_private_dir (drafts_dir, &error) ||
      !postier_draft_save (draft, draft_path, &error))
    {
      show_toast (self, error->message);
      return;
    }
  g_object_set_data_full (G_OBJECT (draft), "postier-draft-path", g_strdup (draft_path), g_free);

  if (!postier_outbox_remove (self->outbox, id, &error))
    {
      show_toast (self, error->message);
      return;
    }
  postier_outbox_view_reload (self);
  g_signal_emit (self, signals[EDIT_DRAFT], 0, draft);
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
                                          *subject != '\0' ? subject : _("(No subject)"), path);
  gtk_window_present (GTK_WINDOW (window));
}

/* --- Object ----------------------------------------------------------------- */

static void
postier_outbox_view_dispose (GObject *object)
{
  PostierOutboxView *self = POSTIER_OUTBOX_VIEW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->reload_source, g_source_remove);
  g_clear_handle_id (&self->wakeup_source, g_source_remove);
  if (self->submitter != NULL)
    g_signal_handlers_disconnect_by_data (self->submitter, self);
  g_clear_object (&self->submitter);
  if (self->dir_monitor != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->dir_monitor, self);
      g_file_monitor_cancel (self->dir_monitor);
      g_clear_object (&self->dir_monitor);
    }
  if (self->entry_monitors != NULL)
    g_hash_table_remove_all (self->entry_monitors);

  gtk_widget_dispose_template (GTK_WIDGET (self), POSTIER_TYPE_OUTBOX_VIEW);

  G_OBJECT_CLASS (postier_outbox_view_parent_class)->dispose (object);
}

static void
postier_outbox_view_finalize (GObject *object)
{
  PostierOutboxView *self = POSTIER_OUTBOX_VIEW (object);

  g_clear_object (&self->outbox);
  g_clear_object (&self->entries);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->entry_monitors, g_hash_table_unref);
  g_clear_pointer (&self->expanded, g_hash_table_unref);
  g_clear_pointer (&self->progress, g_hash_table_unref);

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
                                      G_TYPE_NONE, 1, G_TYPE_OBJECT);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/postier/Postier/ui/postier-outbox-view.ui");
  gtk_widget_class_bind_template_child (widget_class, PostierOutboxView, offline_revealer);
  gtk_widget_class_bind_template_child (widget_class, PostierOutboxView, offline_label);
  gtk_widget_class_bind_template_child (widget_class, PostierOutboxView, stack);
  gtk_widget_class_bind_template_child (widget_class, PostierOutboxView, summary_label);
  gtk_widget_class_bind_template_child (widget_class, PostierOutboxView, list_box);
  gtk_widget_class_bind_template_child (widget_class, PostierOutboxView, damaged_banner);
  gtk_widget_class_bind_template_child (widget_class, PostierOutboxView, damaged_label);

  gtk_widget_class_install_action (widget_class, "outbox.retry", "s", retry_action);
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
  self->cancellable = g_cancellable_new ();
  self->entries = g_list_store_new (POSTIER_TYPE_OUTBOX_ENTRY);
  self->entry_monitors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                monitor_free);
  self->expanded = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->progress = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  gtk_list_box_bind_model (self->list_box, G_LIST_MODEL (self->entries), create_row, self, NULL);
  g_signal_connect (self, "notify::parent", G_CALLBACK (on_parent_changed), NULL);
  self->wakeup_source = g_timeout_add_seconds (60, wakeup_cb, self);
}

PostierOutboxView *
postier_outbox_view_new (PostierOutbox *outbox)
{
  PostierOutboxView *self;
  g_autoptr(GFile) folder = NULL;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (POSTIER_IS_OUTBOX (outbox), NULL);

  self = g_object_new (POSTIER_TYPE_OUTBOX_VIEW, NULL);
  self->outbox = g_object_ref (outbox);

  /* The folder may not exist before the first message: make it, so the
   * watch sees that message arrive. */
  if (!postier_ensure_private_dir (postier_outbox_get_dir (outbox), &error))
    g_warning ("%s", error->message);
  folder = g_file_new_for_path (postier_outbox_get_dir (outbox));
  self->dir_monitor = g_file_monitor_directory (folder, G_FILE_MONITOR_WATCH_MOVES, NULL, &error);
  if (self->dir_monitor != NULL)
    g_signal_connect_object (self->dir_monitor, "changed", G_CALLBACK (on_folder_changed), self, 0);
  else
    g_warning ("Cannot watch the outbox folder: %s", error->message);

  update_summary (self);
  postier_outbox_view_reload (self);
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
