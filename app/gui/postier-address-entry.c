/* postier-address-entry.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-address-entry"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "postier-address-entry.h"
#include "postier-recipient-check.h"

/* Long enough not to flag an address while it is typed quickly. */
#define VALIDATE_DELAY_MS 400
#define MAX_COMPLETIONS   6

struct _PostierAddressEntry
{
  AdwEntryRow         parent_instance;

  GtkImage           *error_icon;
  GtkImage           *domain_warning_icon;
  GtkPopover         *completion_popover;
  GtkListBox         *completion_list;

  PostierAddressField  field;
  PostierAddressBook *address_book;
  char               *error_message;
  char               *domain_warning;
  GCancellable       *domain_cancellable;  /* the checks of the last text judged */
  GtkEventController *focus_controller;
  guint               validate_source;
  guint               hide_source;
  gboolean            inserting_completion;
};

G_DEFINE_FINAL_TYPE (PostierAddressEntry, postier_address_entry, ADW_TYPE_ENTRY_ROW)

enum {
  PROP_0,
  PROP_FIELD_NAME,
  PROP_ERROR,
  PROP_DOMAIN_WARNING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* g_set_str() is GLib 2.76. */
static gboolean
replace_string (char       **slot,
                const char  *value)
{
  if (g_strcmp0 (*slot, value) == 0)
    return FALSE;
  g_free (*slot);
  *slot = g_strdup (value);
  return TRUE;
}

static gboolean
has_focus_inside (PostierAddressEntry *self)
{
  return gtk_event_controller_focus_contains_focus (GTK_EVENT_CONTROLLER_FOCUS (self->focus_controller));
}

PostierAddressField
postier_address_entry_get_field (PostierAddressEntry *self)
{
  g_return_val_if_fail (POSTIER_IS_ADDRESS_ENTRY (self), POSTIER_ADDRESS_FIELD_NONE);
  return self->field;
}

void
postier_address_entry_set_field_name (PostierAddressEntry *self,
                                      const char          *field_name)
{
  PostierAddressField field = postier_address_field_from_name (field_name);

  g_return_if_fail (POSTIER_IS_ADDRESS_ENTRY (self));
  g_return_if_fail (field != POSTIER_ADDRESS_FIELD_NONE);

  if (self->field == field)
    return;
  self->field = field;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FIELD_NAME]);
}

void
postier_address_entry_set_address_book (PostierAddressEntry *self,
                                        PostierAddressBook  *book)
{
  g_return_if_fail (POSTIER_IS_ADDRESS_ENTRY (self));
  g_set_object (&self->address_book, book);
}

const char *
postier_address_entry_get_domain_warning (PostierAddressEntry *self)
{
  g_return_val_if_fail (POSTIER_IS_ADDRESS_ENTRY (self), NULL);
  return self->domain_warning;
}

const char *
postier_address_entry_get_error (PostierAddressEntry *self)
{
  g_return_val_if_fail (POSTIER_IS_ADDRESS_ENTRY (self), NULL);
  return self->error_message;
}

static void
show_error (PostierAddressEntry *self,
            const char          *message)
{
  if (!replace_string (&self->error_message, message))
    return;

  gtk_widget_set_visible (GTK_WIDGET (self->error_icon), message != NULL);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->error_icon), message);
  if (message != NULL)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self), "error");
      gtk_accessible_update_state (GTK_ACCESSIBLE (self),
                                   GTK_ACCESSIBLE_STATE_INVALID, GTK_ACCESSIBLE_INVALID_TRUE,
                                   -1);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, message,
                                      -1);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->error_icon),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, message,
                                      -1);
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self), "error");
      gtk_accessible_reset_state (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_STATE_INVALID);
      gtk_accessible_reset_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
}

static void
show_domain_warning (PostierAddressEntry *self,
                     const char          *warning)
{
  if (!replace_string (&self->domain_warning, warning))
    return;
  gtk_widget_set_visible (GTK_WIDGET (self->domain_warning_icon), warning != NULL);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->domain_warning_icon), warning);
  if (warning != NULL)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self), "warning");
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->domain_warning_icon),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, warning,
                                      -1);
    }
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "warning");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DOMAIN_WARNING]);
}

static void
on_domain_checked (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(PostierAddressEntry) self = user_data;
  g_autoptr(PostierRecipientDomainCheck) check = NULL;

  (void) source;
  check = postier_recipient_domain_check_finish (result, NULL);
  /* A newer text is being judged, or the row is gone: not this answer. */
  if (check == NULL || g_task_had_error (G_TASK (result)) ||
      g_task_get_cancellable (G_TASK (result)) != self->domain_cancellable ||
      self->domain_warning_icon == NULL)
    return;
  if (check->warning != NULL && self->domain_warning == NULL)
    show_domain_warning (self, check->warning);
}

/* Each recipient domain of TEXT (already known to parse) is asked about in
 * the background; the first that cannot take mail shows a warning. Never
 * blocks and never stops Send: a warning is the person's to weigh. */
static void
check_domains (PostierAddressEntry *self,
               const char          *text)
{
  g_auto(GStrv) mailboxes = postier_address_text_split (text, NULL);
  g_auto(GStrv) known = NULL;
  g_autoptr(GHashTable) asked = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  if (self->domain_cancellable != NULL)
    g_cancellable_cancel (self->domain_cancellable);
  g_clear_object (&self->domain_cancellable);
  show_domain_warning (self, NULL);
  if (mailboxes == NULL || mailboxes[0] == NULL)
    return;

  self->domain_cancellable = g_cancellable_new ();
  if (self->address_book != NULL)
    known = postier_address_book_list_domains (self->address_book);
  for (guint i = 0; mailboxes[i] != NULL; i++)
    {
      const char *at = strrchr (mailboxes[i], '@');
      g_autofree char *domain = NULL;

      if (at == NULL)
        continue;
      domain = g_ascii_strdown (at + 1, strcspn (at + 1, ">"));
      if (*domain == '\0' || !g_hash_table_add (asked, g_strdup (domain)))
        continue;
      postier_recipient_domain_check_async (domain, (const char * const *) known,
                                            self->domain_cancellable, on_domain_checked,
                                            g_object_ref (self));
    }
}

/* Where the address being typed starts: after the last comma that is not
 * inside quotes or angle brackets. */
static gsize
current_token_start (const char *text)
{
  gboolean quoted = FALSE;
  int angle = 0;
  gsize start = 0;

  for (gsize i = 0; text[i] != '\0'; i++)
    {
      if (text[i] == '\\' && quoted && text[i + 1] != '\0')
        i++;
      else if (text[i] == '"')
        quoted = !quoted;
      else if (!quoted && text[i] == '<')
        angle++;
      else if (!quoted && text[i] == '>' && angle > 0)
        angle--;
      else if (!quoted && angle == 0 && text[i] == ',')
        start = i + 1;
    }
  return start;
}

static gboolean
check_text (PostierAddressEntry  *self,
            const char           *text,
            GError              **error)
{
  /* Core's one check of a field: the same the draft and the builder run. */
  return postier_address_field_validate (self->field, text, error);
}

gboolean
postier_address_entry_validate (PostierAddressEntry  *self,
                                GError              **error)
{
  g_autoptr(GError) local_error = NULL;
  const char *text;

  g_return_val_if_fail (POSTIER_IS_ADDRESS_ENTRY (self), FALSE);

  g_clear_handle_id (&self->validate_source, g_source_remove);
  text = gtk_editable_get_text (GTK_EDITABLE (self));
  if (!check_text (self, text, &local_error))
    {
      show_error (self, local_error->message);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  show_error (self, NULL);
  check_domains (self, text);
  return TRUE;
}

/* While typing, only the addresses already finished (followed by a comma)
 * are judged: an address half typed is not a mistake yet. */
static void
validate_finished_addresses (PostierAddressEntry *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self));
  g_autofree char *finished = g_strndup (text, current_token_start (text));
  g_autoptr(GError) error = NULL;

  g_clear_handle_id (&self->validate_source, g_source_remove);
  if (check_text (self, finished, &error))
    {
      show_error (self, NULL);
      check_domains (self, finished);
    }
  else
    show_error (self, error->message);
}

static gboolean
validate_timeout (gpointer user_data)
{
  PostierAddressEntry *self = user_data;

  self->validate_source = 0;
  validate_finished_addresses (self);
  return G_SOURCE_REMOVE;
}

static void
clear_completions (PostierAddressEntry *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->completion_list))) != NULL)
    gtk_list_box_remove (self->completion_list, child);
}

static void
hide_completions (PostierAddressEntry *self)
{
  g_clear_handle_id (&self->hide_source, g_source_remove);
  if (gtk_widget_get_visible (GTK_WIDGET (self->completion_popover)))
    gtk_popover_popdown (self->completion_popover);
  clear_completions (self);
}

static void
update_completions (PostierAddressEntry *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self));
  g_autofree char *token = NULL;
  g_auto(GStrv) found = NULL;

  clear_completions (self);
  if (self->address_book == NULL || !has_focus_inside (self))
    {
      hide_completions (self);
      return;
    }

  token = g_strstrip (g_strdup (text + current_token_start (text)));
  if (*token == '\0' || *token == '"' || strchr (token, '<') != NULL)
    {
      hide_completions (self);
      return;
    }

  found = postier_address_book_complete (self->address_book, token, MAX_COMPLETIONS);
  for (guint i = 0; found[i] != NULL; i++)
    {
      GtkWidget *label = gtk_label_new (found[i]);

      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
      gtk_list_box_append (self->completion_list, label);
    }
  /* A single exact match adds nothing. */
  if (found[0] == NULL || (found[1] == NULL && g_ascii_strcasecmp (found[0], token) == 0))
    {
      hide_completions (self);
      return;
    }
  if (!gtk_widget_get_visible (GTK_WIDGET (self->completion_popover)))
    gtk_popover_popup (self->completion_popover);
}

GStrv
postier_address_entry_dup_completions (PostierAddressEntry *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (POSTIER_IS_ADDRESS_ENTRY (self), NULL);

  if (gtk_widget_get_visible (GTK_WIDGET (self->completion_popover)))
    for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->completion_list));
         row != NULL;
         row = gtk_widget_get_next_sibling (row))
      g_strv_builder_add (builder, gtk_label_get_text (GTK_LABEL (gtk_list_box_row_get_child (GTK_LIST_BOX_ROW (row)))));
  return g_strv_builder_end (builder);
}

static void
apply_completion (PostierAddressEntry *self,
                  GtkListBoxRow       *row)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self));
  const char *chosen = gtk_label_get_text (GTK_LABEL (gtk_list_box_row_get_child (row)));
  gsize start = current_token_start (text);
  g_autoptr(GString) result = g_string_new_len (text, start);

  if (start > 0)
    g_string_append_c (result, ' ');
  g_string_append (result, chosen);
  g_string_append (result, ", ");

  self->inserting_completion = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self), result->str);
  gtk_editable_set_position (GTK_EDITABLE (self), -1);
  self->inserting_completion = FALSE;
  hide_completions (self);
  gtk_widget_grab_focus (GTK_WIDGET (self));
  gtk_editable_set_position (GTK_EDITABLE (self), -1);
  validate_finished_addresses (self);
}

void
postier_address_entry_choose_completion (PostierAddressEntry *self,
                                         guint                index)
{
  GtkListBoxRow *row;

  g_return_if_fail (POSTIER_IS_ADDRESS_ENTRY (self));

  row = gtk_list_box_get_row_at_index (self->completion_list, (int) index);
  if (row != NULL)
    apply_completion (self, row);
}

static void
on_completion_activated (GtkListBox          *list,
                         GtkListBoxRow       *row,
                         PostierAddressEntry *self)
{
  (void) list;
  apply_completion (self, row);
}

static gboolean
move_selection (PostierAddressEntry *self,
                int                  step)
{
  GtkListBoxRow *selected = gtk_list_box_get_selected_row (self->completion_list);
  int index = selected != NULL ? gtk_list_box_row_get_index (selected) + step : (step > 0 ? 0 : -1);
  GtkListBoxRow *next;

  if (index < 0)
    {
      gtk_list_box_unselect_all (self->completion_list);
      return TRUE;
    }
  next = gtk_list_box_get_row_at_index (self->completion_list, index);
  if (next != NULL)
    gtk_list_box_select_row (self->completion_list, next);
  return TRUE;
}

static gboolean
on_key_pressed (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                PostierAddressEntry   *self)
{
  GtkListBoxRow *selected;

  (void) controller;
  (void) keycode;
  if (!gtk_widget_get_visible (GTK_WIDGET (self->completion_popover)) ||
      (state & (GDK_CONTROL_MASK | GDK_ALT_MASK)) != 0)
    return FALSE;

  switch (keyval)
    {
    case GDK_KEY_Down:
    case GDK_KEY_KP_Down:
      return move_selection (self, 1);
    case GDK_KEY_Up:
    case GDK_KEY_KP_Up:
      return move_selection (self, -1);
    case GDK_KEY_Return:
    case GDK_KEY_KP_Enter:
    case GDK_KEY_ISO_Enter:
    case GDK_KEY_Tab:
      selected = gtk_list_box_get_selected_row (self->completion_list);
      if (selected == NULL)
        return FALSE;
      apply_completion (self, selected);
      return TRUE;
    case GDK_KEY_Escape:
      hide_completions (self);
      return TRUE;
    default:
      return FALSE;
    }
}

static void
on_changed (GtkEditable         *editable,
            PostierAddressEntry *self)
{
  (void) editable;
  if (self->inserting_completion)
    return;

  g_clear_handle_id (&self->validate_source, g_source_remove);
  self->validate_source = g_timeout_add (VALIDATE_DELAY_MS, validate_timeout, self);
  update_completions (self);
}

static gboolean
hide_after_focus_left (gpointer user_data)
{
  PostierAddressEntry *self = user_data;

  self->hide_source = 0;
  if (!has_focus_inside (self))
    hide_completions (self);
  return G_SOURCE_REMOVE;
}

static void
on_focus_leave (GtkEventControllerFocus *controller,
                PostierAddressEntry     *self)
{
  (void) controller;
  /* Not at once: a click on a completion moves the focus first. */
  g_clear_handle_id (&self->hide_source, g_source_remove);
  self->hide_source = g_timeout_add (200, hide_after_focus_left, self);
  /* Leaving the field finishes the address being typed. */
  postier_address_entry_validate (self, NULL);
}

static void
postier_address_entry_size_allocate (GtkWidget *widget,
                                     int        width,
                                     int        height,
                                     int        baseline)
{
  PostierAddressEntry *self = POSTIER_ADDRESS_ENTRY (widget);

  GTK_WIDGET_CLASS (postier_address_entry_parent_class)->size_allocate (widget, width, height, baseline);
  gtk_widget_set_size_request (GTK_WIDGET (self->completion_popover), MIN (width, 480), -1);
  gtk_popover_present (self->completion_popover);
}

static void
postier_address_entry_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  PostierAddressEntry *self = POSTIER_ADDRESS_ENTRY (object);

  switch (prop_id)
    {
    case PROP_FIELD_NAME:
      g_value_set_string (value, postier_address_field_get_name (self->field));
      break;
    case PROP_ERROR:
      g_value_set_string (value, self->error_message);
      break;
    case PROP_DOMAIN_WARNING:
      g_value_set_string (value, self->domain_warning);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
postier_address_entry_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  PostierAddressEntry *self = POSTIER_ADDRESS_ENTRY (object);

  switch (prop_id)
    {
    case PROP_FIELD_NAME:
      postier_address_entry_set_field_name (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
postier_address_entry_dispose (GObject *object)
{
  PostierAddressEntry *self = POSTIER_ADDRESS_ENTRY (object);

  /* The row's own dispose clears its text: no timers may start after. */
  g_signal_handlers_disconnect_by_data (self, self);
  g_clear_handle_id (&self->validate_source, g_source_remove);
  g_clear_handle_id (&self->hide_source, g_source_remove);
  if (self->domain_cancellable != NULL)
    g_cancellable_cancel (self->domain_cancellable);
  g_clear_object (&self->domain_cancellable);
  if (self->completion_popover != NULL)
    gtk_widget_unparent (GTK_WIDGET (self->completion_popover));
  gtk_widget_dispose_template (GTK_WIDGET (self), POSTIER_TYPE_ADDRESS_ENTRY);
  self->completion_popover = NULL;
  self->domain_warning_icon = NULL;
  g_clear_object (&self->address_book);

  G_OBJECT_CLASS (postier_address_entry_parent_class)->dispose (object);
}

static void
postier_address_entry_finalize (GObject *object)
{
  PostierAddressEntry *self = POSTIER_ADDRESS_ENTRY (object);

  g_free (self->error_message);
  g_free (self->domain_warning);

  G_OBJECT_CLASS (postier_address_entry_parent_class)->finalize (object);
}

static void
postier_address_entry_class_init (PostierAddressEntryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = postier_address_entry_get_property;
  object_class->set_property = postier_address_entry_set_property;
  object_class->dispose = postier_address_entry_dispose;
  object_class->finalize = postier_address_entry_finalize;
  widget_class->size_allocate = postier_address_entry_size_allocate;

  properties[PROP_FIELD_NAME] =
    g_param_spec_string ("field-name", NULL, NULL, "To",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ERROR] =
    g_param_spec_string ("error", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_DOMAIN_WARNING] =
    g_param_spec_string ("domain-warning", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/postier/Postier/ui/postier-address-entry.ui");
  gtk_widget_class_bind_template_child (widget_class, PostierAddressEntry, error_icon);
  gtk_widget_class_bind_template_child (widget_class, PostierAddressEntry, domain_warning_icon);
  gtk_widget_class_bind_template_child (widget_class, PostierAddressEntry, completion_popover);
  gtk_widget_class_bind_template_child (widget_class, PostierAddressEntry, completion_list);
}

static void
postier_address_entry_init (PostierAddressEntry *self)
{
  GtkEventController *controller;

  self->field = POSTIER_ADDRESS_FIELD_TO;
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_widget_set_parent (GTK_WIDGET (self->completion_popover), GTK_WIDGET (self));

  g_signal_connect (self, "changed", G_CALLBACK (on_changed), self);
  g_signal_connect (self->completion_list, "row-activated", G_CALLBACK (on_completion_activated), self);

  /* Capture phase: the arrows and Enter must reach the list before the
   * text field moves its cursor or activates the row. */
  controller = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  g_signal_connect (controller, "key-pressed", G_CALLBACK (on_key_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  self->focus_controller = gtk_event_controller_focus_new ();
  g_signal_connect (self->focus_controller, "leave", G_CALLBACK (on_focus_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), self->focus_controller);
}
