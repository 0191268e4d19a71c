/* postier-outbox-row.c — one message of the outbox view, from a template:
 * the view lists and reloads, the row says where a message stands.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-outbox-view"

#include "config.h"

#include <glib/gi18n.h>

#include "postier-attention.h"
#include "postier-goa.h"
#include "postier-gui-format.h"
#include "postier-online-accounts.h"
#include "postier-outbox-row.h"

/* How many recipients the collapsed row names before "and N others". */
#define RECIPIENTS_SHOWN 3

struct _PostierOutboxRow
{
  AdwExpanderRow      parent_instance;

  char               *id;
  char               *recipients;   /* the first line of the subtitle */
  PostierOutboxEntry *entry;        /* for the details, made on first expand */
  GPtrArray          *details;      /* the rows added under the expander */
  PostierOutboxState  state;
  gboolean            waiting;      /* held until a time the person set */
  gboolean            follows_goa;  /* connected to GOA's ::changed */

  /* Template widgets */
  GtkImage           *state_icon;
  GtkWidget          *delete_button;
  GtkWidget          *retry_button;
  GtkProgressBar     *progress_bar;
  AdwActionRow       *error_row;
  AdwActionRow       *history_row;
  GtkWidget          *buttons_row;
  GtkWidget          *edit_button;
  GtkWidget          *transcript_button;
  GtkWidget          *retry_now_button;
  GtkWidget          *send_now_button;
  GtkWidget          *send_now_icon_button;
  GtkWidget          *cancel_button;
  GtkWidget          *sign_in_button;
  gboolean            needs_sign_in;  /* refused at AUTH: the person must sign in */

  /* The expander's own title and subtitle (libadwaita 1.2 has no API for
   * them); NULL if a later libadwaita lays its header out otherwise. */
  GtkLabel           *header_title;
  GtkLabel           *header_subtitle;
};

G_DEFINE_FINAL_TYPE (PostierOutboxRow, postier_outbox_row, ADW_TYPE_EXPANDER_ROW)

static void
postier_outbox_row_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), POSTIER_TYPE_OUTBOX_ROW);

  G_OBJECT_CLASS (postier_outbox_row_parent_class)->dispose (object);
}

static void
postier_outbox_row_finalize (GObject *object)
{
  PostierOutboxRow *self = POSTIER_OUTBOX_ROW (object);

  g_free (self->id);
  g_free (self->recipients);
  g_clear_object (&self->entry);
  g_clear_pointer (&self->details, g_ptr_array_unref);

  G_OBJECT_CLASS (postier_outbox_row_parent_class)->finalize (object);
}

/* The icon buttons' tooltips, given when the pointer rests on one: a
 * "tooltip-text" in the template made GTK 4.8 ask the X server where the
 * pointer is for each of them as each row was built (three round trips a
 * row, tens of milliseconds on a busy display, during a flush). */
static gboolean
on_query_tooltip (GtkWidget        *button,
                  G_GNUC_UNUSED int x,
                  G_GNUC_UNUSED int y,
                  G_GNUC_UNUSED gboolean keyboard_mode,
                  GtkTooltip       *tooltip,
                  PostierOutboxRow *self)
{
  const char *text = NULL;

  if (button == self->delete_button)
    text = _("Delete");
  else if (button == self->retry_button)
    text = _("Retry Now");
  else if (button == self->send_now_icon_button)
    text = _("Send Now");
  if (text == NULL)
    return FALSE;
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static void
postier_outbox_row_class_init (PostierOutboxRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = postier_outbox_row_dispose;
  object_class->finalize = postier_outbox_row_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/postier/Postier/ui/postier-outbox-row.ui");
  gtk_widget_class_bind_template_child (widget_class, PostierOutboxRow, state_icon);
  gtk_widget_class_bind_template_child (widget_class, PostierOutboxRow, delete_button);
  gtk_widget_class_bind_template_child (widget_class, PostierOutboxRow, retry_button);
  gtk_widget_class_bind_template_child (widget_class, PostierOutboxRow, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, PostierOutboxRow, error_row);
  gtk_widget_class_bind_template_child (widget_class, PostierOutboxRow, history_row);
  gtk_widget_class_bind_template_child (widget_class, PostierOutboxRow, buttons_row);
  gtk_widget_class_bind_template_child (widget_class, PostierOutboxRow, edit_button);
  gtk_widget_class_bind_template_child (widget_class, PostierOutboxRow, transcript_button);
  gtk_widget_class_bind_template_child (widget_class, PostierOutboxRow, retry_now_button);
  gtk_widget_class_bind_template_child (widget_class, PostierOutboxRow, send_now_button);
  gtk_widget_class_bind_template_child (widget_class, PostierOutboxRow, send_now_icon_button);
  gtk_widget_class_bind_template_child (widget_class, PostierOutboxRow, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, PostierOutboxRow, sign_in_button);
  gtk_widget_class_bind_template_callback (widget_class, on_query_tooltip);
}

static void on_expanded (PostierOutboxRow *self);
static void on_online_accounts_changed (PostierOutboxRow *self);

/* The title and subtitle labels of the expander's header: those of the
 * first AdwActionRow inside it (the details come later, in the revealed
 * list, and only once expanded). */
static void
find_header_labels (PostierOutboxRow *self,
                    GtkWidget        *widget,
                    gboolean          in_header)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL && self->header_subtitle == NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (in_header && GTK_IS_LABEL (child))
        {
          if (self->header_title == NULL && gtk_widget_has_css_class (child, "title"))
            self->header_title = GTK_LABEL (child);
          else if (gtk_widget_has_css_class (child, "subtitle"))
            self->header_subtitle = GTK_LABEL (child);
        }
      if (in_header || !ADW_IS_ACTION_ROW (child))
        find_header_labels (self, child, in_header);
      else
        {
          find_header_labels (self, child, TRUE);
          return;
        }
    }
}

/* Collapsed, each line of the title and subtitle stays one line and ends
 * in "…" when the window is narrow; expanded, they wrap and show every
 * word. A wrapping label's height depends on its width, which made
 * measuring one row cost 3.2–3.5 ms of a frame against 0.6–0.7 ms
 * (bench-frames, rows made and rebound while 1 000 messages flush): the
 * frames of a flush or a scroll that make rows were the window's longest. */
static void
set_header_wraps (PostierOutboxRow *self,
                  gboolean          wraps)
{
  GtkLabel *labels[] = { self->header_title, self->header_subtitle };

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    {
      if (labels[i] == NULL || gtk_label_get_wrap (labels[i]) == wraps)
        continue;
      gtk_label_set_wrap (labels[i], wraps);
      gtk_label_set_ellipsize (labels[i], wraps ? PANGO_ELLIPSIZE_NONE : PANGO_ELLIPSIZE_END);
    }
}

static void
postier_outbox_row_init (PostierOutboxRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  find_header_labels (self, GTK_WIDGET (self), FALSE);
  set_header_wraps (self, FALSE);
  self->details = g_ptr_array_new ();
  g_signal_connect (self, "notify::expanded", G_CALLBACK (on_expanded), NULL);
}

/* --- Texts ------------------------------------------------------------------ */

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

  for (guint i = 0; i < n && i < RECIPIENTS_SHOWN; i++)
    {
      if (i > 0)
        g_string_append (text, ", ");
      g_string_append (text, postier_outbox_entry_get_recipient (entry, i));
    }
  if (n > RECIPIENTS_SHOWN)
    {
      g_autofree char *more = g_strdup_printf (ngettext ("and %u other", "and %u others",
                                                            n - RECIPIENTS_SHOWN),
                                               n - RECIPIENTS_SHOWN);
      g_string_append_c (text, ' ');
      g_string_append (text, more);
    }
  /* Translators: the recipients of a message in the outbox. */
  return g_strdup_printf (_("To %s"), text->str);
}

static char *
deferred_text (PostierOutboxEntry *entry,
               gboolean            online)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 next = postier_outbox_entry_get_next_attempt (entry);
  g_autofree char *when = NULL;

  if (!online)
    return g_strdup (_("Waiting — will be sent when the connection returns"));
  if (next <= now)
    return g_strdup (_("Waiting to retry — next attempt now"));
  when = postier_format_moment (next, now);
  return g_strdup_printf (_("Waiting to retry — next attempt at %s"), when);
}

/* Held until a time the person set: Send Later, or the Undo grace. */
static gboolean
waits_for_person (PostierOutboxEntry *entry)
{
  PostierOutboxState state = postier_outbox_entry_get_state (entry);

  return (state == POSTIER_OUTBOX_STATE_QUEUED || state == POSTIER_OUTBOX_STATE_DEFERRED) &&
         postier_outbox_entry_get_schedule (entry) != POSTIER_OUTBOX_SCHEDULE_NONE &&
         postier_outbox_entry_is_held (entry, g_get_real_time () / G_USEC_PER_SEC);
}

static char *
waiting_text (PostierOutboxEntry *entry)
{
  g_autofree char *when = postier_format_future_moment (postier_outbox_entry_get_not_before (entry),
                                                        g_get_real_time () / G_USEC_PER_SEC);

  /* Translators: %s is "10:42", "tomorrow 08:00", "Tue 09:00"… */
  return g_strdup_printf (_("Will be sent %s"), when);
}

/* One line saying where the message stands and what happens next. */
static char *
status_text (PostierOutboxEntry *entry,
             gboolean            online,
             int                 permille)
{
  PostierOutboxState state = postier_outbox_entry_get_state (entry);

  if (waits_for_person (entry))
    return waiting_text (entry);
  if (online && (state == POSTIER_OUTBOX_STATE_QUEUED || state == POSTIER_OUTBOX_STATE_DEFERRED))
    {
      const char *held = postier_outbox_entry_get_relay_hold (entry);

      if (held != NULL)
        /* Translators: %s is the relay limiter's sentence, "held by the
         * relay’s limit of 30 messages a minute — next at 10:42". */
        return g_strdup_printf (_("Waiting, %s"), held);
    }
  switch (state)
    {
    case POSTIER_OUTBOX_STATE_QUEUED:
      if (!online)
        return g_strdup (_("Queued — will be sent when the connection returns"));
      return g_strdup (_("Queued — about to be sent"));

    case POSTIER_OUTBOX_STATE_SENDING:
      if (permille >= 0)
        return g_strdup_printf (_("Sending… %d%%"), permille / 10);
      return g_strdup (_("Sending…"));

    case POSTIER_OUTBOX_STATE_DEFERRED:
      return deferred_text (entry, online);

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
      /* The words match the row's button: sign in to Google, or in Settings. */
      return postier_attention_status_text (postier_attention_for_entry (entry, NULL),
                                            postier_attention_lookup_account (
                                              postier_outbox_entry_get_account_name (entry), NULL));

    case POSTIER_OUTBOX_STATE_SENT:
    default:
      return g_strdup (postier_outbox_state_get_label (state));
    }
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

static char *
history_text (PostierOutboxEntry *entry)
{
  g_autoptr(GString) history = g_string_new (NULL);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autofree char *created = postier_format_moment (postier_outbox_entry_get_created (entry), now);
  g_autofree char *size = g_format_size (postier_outbox_entry_get_size (entry));
  g_autofree char *account = postier_attention_account_title (entry);
  guint attempts = postier_outbox_entry_get_attempts (entry);

  g_string_append_printf (history, _("Queued %s through %s, %s."), created, account, size);
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
  return g_string_free (g_steal_pointer (&history), FALSE);
}

/* --- Filling the row -------------------------------------------------------- */

static void
set_subtitle (AdwActionRow *row,
              const char   *text)
{
  g_autofree char *escaped = g_markup_escape_text (text != NULL ? text : "", -1);

  adw_action_row_set_subtitle (row, escaped);
}

static GtkWidget *
recipient_row (PostierOutboxEntry *entry,
               guint               i)
{
  PostierRecipientState state = postier_outbox_entry_get_recipient_state (entry, i);
  const char *reply = postier_outbox_entry_get_recipient_reply (entry, i);
  g_autofree char *escaped = g_markup_escape_text (postier_outbox_entry_get_recipient (entry, i), -1);
  g_autofree char *text = NULL;
  GtkWidget *row = adw_action_row_new ();

  if (reply != NULL && state != POSTIER_RECIPIENT_STATE_ACCEPTED)
    text = g_strdup_printf ("%s: %s", recipient_state_text (state), reply);
  else
    text = g_strdup (recipient_state_text (state));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), escaped);
  set_subtitle (ADW_ACTION_ROW (row), text);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  adw_preferences_row_set_title_selectable (ADW_PREFERENCES_ROW (row), TRUE);
  gtk_widget_add_css_class (row, "property");
  return row;
}

/* The title, and every name a screen reader says for the row's parts. */
static void
set_subject (PostierOutboxRow *self,
             const char       *subject)
{
  g_autofree char *escaped = g_markup_escape_text (subject, -1);
  /* Translators: what a screen reader says for the button. */
  g_autofree char *delete_label = g_strdup_printf (_("Delete “%s”"), subject);
  /* Translators: what a screen reader says for the button. */
  g_autofree char *retry_label = g_strdup_printf (_("Retry “%s” Now"), subject);
  /* Translators: what a screen reader says for the button. */
  g_autofree char *send_now_label = g_strdup_printf (_("Send “%s” Now"), subject);
  /* Translators: the row of buttons under an expanded outbox message. */
  g_autofree char *actions_label = g_strdup_printf (_("What to do with “%s”"), subject);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), escaped);
  /* The expander itself is a row too: named, as its header is. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  subject, -1);
  /* Said apart from the row: they name the message. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->delete_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, delete_label, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->retry_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, retry_label, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->send_now_icon_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, send_now_label, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->buttons_row),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, actions_label, -1);
}

/* The icon, and which actions the state allows. */
static void
set_state (PostierOutboxRow *self,
           int               permille)
{
  PostierOutboxState state = self->state;
  gboolean sending = state == POSTIER_OUTBOX_STATE_SENDING;
  gboolean retryable = !sending && state != POSTIER_OUTBOX_STATE_QUEUED && !self->waiting;

  gtk_image_set_from_icon_name (self->state_icon, self->waiting ? "appointment-soon-symbolic"
                                                                : state_icon_name (state));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->state_icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  self->waiting ? _("Scheduled")
                                                : postier_outbox_state_get_label (state), -1);
  /* A recycled row may carry the classes of its last entry. */
  gtk_widget_remove_css_class (GTK_WIDGET (self->state_icon), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->state_icon), "warning");
  if (self->waiting)
    ;   /* nothing wrong: the person chose the time */
  else if (state == POSTIER_OUTBOX_STATE_FAILED)
    gtk_widget_add_css_class (GTK_WIDGET (self->state_icon), "error");
  else if (state == POSTIER_OUTBOX_STATE_NEEDS_ATTENTION || state == POSTIER_OUTBOX_STATE_DEFERRED)
    gtk_widget_add_css_class (GTK_WIDGET (self->state_icon), "warning");

  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), sending);
  if (sending)
    {
      /* Empty until the first progress, not pulsing: GTK 4.8's activity
       * mode reallocates the bar at every frame, and each of those frames
       * lays the whole window out again (X round trips included); during
       * a flush the row of a message sent a moment ago pulsed until the
       * next listing, nine frames in ten (issue 12). "Sending…" says it. */
      gtk_progress_bar_set_fraction (self->progress_bar, MAX (permille, 0) / 1000.0);
      /* The UI tests find the bar by it. */
      g_object_set_data (G_OBJECT (self), "postier-progress-bar", self->progress_bar);
    }
  else
    g_object_set_data (G_OBJECT (self), "postier-progress-bar", NULL);
  /* A message waiting for its time: Send Now, Edit and Cancel. */
  gtk_widget_set_visible (self->delete_button, !sending && !self->waiting);
  gtk_widget_set_visible (self->retry_button, retryable);
  gtk_widget_set_visible (self->edit_button, !sending);
  gtk_widget_set_visible (self->retry_now_button, retryable);
  gtk_widget_set_visible (self->send_now_icon_button, self->waiting);
  gtk_widget_set_visible (self->send_now_button, self->waiting);
  gtk_widget_set_visible (self->cancel_button, self->waiting);
  gtk_widget_set_visible (self->transcript_button, !self->waiting);
  gtk_widget_set_visible (self->sign_in_button, self->needs_sign_in);
}

static void
set_targets (PostierOutboxRow *self)
{
  GtkWidget *buttons[] = { self->delete_button, self->retry_button, self->edit_button,
                           self->transcript_button, self->retry_now_button,
                           self->send_now_button, self->send_now_icon_button,
                           self->cancel_button, self->sign_in_button };

  for (guint i = 0; i < G_N_ELEMENTS (buttons); i++)
    gtk_actionable_set_action_target (GTK_ACTIONABLE (buttons[i]), "s", self->id);
}

/* Details, when expanded: the error, each recipient, the history, the
 * buttons, in that order. Made on first expand only: most rows are never
 * expanded, and a list view makes rows as it scrolls. */
static void
add_details (PostierOutboxRow *self)
{
  PostierOutboxEntry *entry = self->entry;
  g_autofree char *last_error = postier_attention_dup_error (entry);
  g_autofree char *history = NULL;

  if (last_error != NULL)
    {
      set_subtitle (self->error_row, last_error);
      g_ptr_array_add (self->details, self->error_row);
    }
  for (guint i = 0; i < postier_outbox_entry_get_n_recipients (entry); i++)
    g_ptr_array_add (self->details, recipient_row (entry, i));
  history = history_text (entry);
  set_subtitle (self->history_row, history);
  g_ptr_array_add (self->details, self->history_row);
  g_ptr_array_add (self->details, self->buttons_row);
  for (guint i = 0; i < self->details->len; i++)
    adw_expander_row_add_row (ADW_EXPANDER_ROW (self), self->details->pdata[i]);
}

static void
remove_details (PostierOutboxRow *self)
{
  /* The template's rows stay the template's; the recipients' go. */
  for (guint i = 0; i < self->details->len; i++)
    adw_expander_row_remove (ADW_EXPANDER_ROW (self), self->details->pdata[i]);
  g_ptr_array_set_size (self->details, 0);
}

static void
on_expanded (PostierOutboxRow *self)
{
  gboolean expanded = adw_expander_row_get_expanded (ADW_EXPANDER_ROW (self));

  set_header_wraps (self, expanded);
  if (expanded && self->details->len == 0 && self->entry != NULL)
    add_details (self);
}

GtkWidget *
postier_outbox_row_new (PostierOutboxEntry *entry,
                        gboolean            online,
                        int                 permille)
{
  PostierOutboxRow *self;

  g_return_val_if_fail (POSTIER_IS_OUTBOX_ENTRY (entry), NULL);

  self = g_object_new (POSTIER_TYPE_OUTBOX_ROW, NULL);
  postier_outbox_row_set_entry (self, entry, online, permille);
  return GTK_WIDGET (self);
}

void
postier_outbox_row_set_entry (PostierOutboxRow   *self,
                              PostierOutboxEntry *entry,
                              gboolean            online,
                              int                 permille)
{
  g_autofree char *last_error = NULL;
  const char *sign_in_label;
  g_autofree char *status = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *escaped = NULL;

  g_return_if_fail (POSTIER_IS_OUTBOX_ROW (self));
  g_return_if_fail (POSTIER_IS_OUTBOX_ENTRY (entry));

  /* Collapsed, without the last entry's details: they are made again on
   * expand. */
  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (self), FALSE);
  remove_details (self);
  g_set_object (&self->entry, entry);

  g_free (self->id);
  self->id = g_strdup (postier_outbox_entry_get_id (entry));
  g_free (self->recipients);
  self->recipients = recipients_text (entry);
  self->state = postier_outbox_entry_get_state (entry);
  self->waiting = waits_for_person (entry);
  sign_in_label = postier_attention_button_label (postier_attention_for_entry (entry, NULL));
  self->needs_sign_in = sign_in_label != NULL;
  if (sign_in_label != NULL)
    {
      GtkWidget *label;

      gtk_button_set_label (GTK_BUTTON (self->sign_in_button), sign_in_label);
      /* Named by the words shown, without the mnemonic's underline: GTK 4.8
       * can leave the raw label ("Open _Settings") as the button's name
       * when the label changes on a row that is already shown. */
      label = gtk_button_get_child (GTK_BUTTON (self->sign_in_button));
      if (GTK_IS_LABEL (label))
        gtk_accessible_update_property (GTK_ACCESSIBLE (self->sign_in_button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                        gtk_label_get_text (GTK_LABEL (label)), -1);
    }
  last_error = postier_attention_dup_error (entry);
  gtk_widget_set_name (GTK_WIDGET (self), self->id);
  g_object_set_data_full (G_OBJECT (self), "postier-entry-id", g_strdup (self->id), g_free);

  set_subject (self, postier_display_subject (postier_outbox_entry_get_subject (entry)));
  set_state (self, permille);
  set_targets (self);

  /* The server's own words show without expanding: they say what to do. */
  status = status_text (entry, online, permille);
  if (last_error != NULL && self->state != POSTIER_OUTBOX_STATE_QUEUED &&
      self->state != POSTIER_OUTBOX_STATE_SENDING)
    subtitle = g_strdup_printf ("%s\n%s\n%s", self->recipients, status, last_error);
  else
    subtitle = g_strdup_printf ("%s\n%s", self->recipients, status);
  escaped = g_markup_escape_text (subtitle, -1);
  adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (self), escaped);

  /* Its words follow GOA's list too, which changes while the outbox does
   * not: only rows that ever showed such an entry listen. */
  if (!self->follows_goa && self->state == POSTIER_OUTBOX_STATE_NEEDS_ATTENTION &&
      postier_goa_is_account_name (postier_outbox_entry_get_account_name (entry)))
    {
      g_signal_connect_object (postier_online_accounts_get (), "changed",
                               G_CALLBACK (on_online_accounts_changed), self, G_CONNECT_SWAPPED);
      self->follows_goa = TRUE;
    }
}

/* An Online Accounts account went or came back: "gone" or "sign in again",
 * its address or the sender's. The row stays expanded if it was. */
static void
on_online_accounts_changed (PostierOutboxRow *self)
{
  gboolean expanded = adw_expander_row_get_expanded (ADW_EXPANDER_ROW (self));
  g_autoptr(PostierOutboxEntry) entry = NULL;

  if (self->entry == NULL || self->state != POSTIER_OUTBOX_STATE_NEEDS_ATTENTION ||
      !postier_goa_is_account_name (postier_outbox_entry_get_account_name (self->entry)))
    return;
  entry = g_object_ref (self->entry);
  /* Online and progress matter only to queued and sending rows. */
  postier_outbox_row_set_entry (self, entry, TRUE, -1);
  if (expanded)
    adw_expander_row_set_expanded (ADW_EXPANDER_ROW (self), TRUE);
}

/* Whether two snapshots of one entry would show the same row: the view
 * replaces only those that would not. */
gboolean
postier_outbox_row_entries_look_alike (PostierOutboxEntry *a,
                                       PostierOutboxEntry *b)
{
  guint n;

  /* The listing hands out the same snapshot for an unchanged entry. */
  if (a == b)
    return TRUE;
  n = postier_outbox_entry_get_n_recipients (a);
  if (postier_outbox_entry_get_state (a) != postier_outbox_entry_get_state (b) ||
      postier_outbox_entry_get_attempts (a) != postier_outbox_entry_get_attempts (b) ||
      postier_outbox_entry_get_next_attempt (a) != postier_outbox_entry_get_next_attempt (b) ||
      postier_outbox_entry_get_not_before (a) != postier_outbox_entry_get_not_before (b) ||
      postier_outbox_entry_get_possible_duplicate (a) !=
        postier_outbox_entry_get_possible_duplicate (b) ||
      g_strcmp0 (postier_outbox_entry_get_last_error (a),
                 postier_outbox_entry_get_last_error (b)) != 0 ||
      g_strcmp0 (postier_outbox_entry_get_relay_hold (a),
                 postier_outbox_entry_get_relay_hold (b)) != 0 ||
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

const char *
postier_outbox_row_get_id (PostierOutboxRow *self)
{
  g_return_val_if_fail (POSTIER_IS_OUTBOX_ROW (self), NULL);
  return self->id;
}

gboolean
postier_outbox_row_set_progress (PostierOutboxRow *self,
                                 guint             permille)
{
  g_autofree char *status = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *escaped = NULL;

  g_return_val_if_fail (POSTIER_IS_OUTBOX_ROW (self), FALSE);

  if (self->state != POSTIER_OUTBOX_STATE_SENDING)
    return FALSE;
  permille = MIN (permille, 1000);
  gtk_progress_bar_set_fraction (self->progress_bar, permille / 1000.0);
  /* The words say what the bar shows. */
  status = g_strdup_printf (_("Sending… %d%%"), (int) (permille / 10));
  subtitle = g_strdup_printf ("%s\n%s", self->recipients, status);
  escaped = g_markup_escape_text (subtitle, -1);
  adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (self), escaped);
  return TRUE;
}
