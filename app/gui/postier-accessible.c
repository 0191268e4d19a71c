/* postier-accessible.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-accessible"

#include "config.h"

#include <glib/gi18n.h>

#include "postier-accessible.h"

/* The label that gives BUTTON its name in the cases GTK 4.8 spoils. */
static GtkLabel *
mnemonic_label_of (GtkWidget *button)
{
  GtkWidget *child = gtk_button_get_child (GTK_BUTTON (button));
  GtkWidget *parent = gtk_widget_get_parent (button);

  if (!GTK_IS_LABEL (child) || !gtk_label_get_use_underline (GTK_LABEL (child)))
    return NULL;
  /* A button made from a label string, or a stack switcher's page button;
   * buttons whose child was set otherwise (AdwButtonContent) are right. */
  if ((gtk_button_get_label (GTK_BUTTON (button)) != NULL &&
       gtk_button_get_use_underline (GTK_BUTTON (button))) ||
      GTK_IS_STACK_SWITCHER (parent))
    return GTK_LABEL (child);
  return NULL;
}

static gboolean
on_widget_mapped (G_GNUC_UNUSED GSignalInvocationHint *hint,
                  guint                                n_values,
                  const GValue                        *values,
                  G_GNUC_UNUSED gpointer               data)
{
  GtkWidget *widget;
  GtkLabel *label;

  if (n_values < 1 || !G_VALUE_HOLDS_OBJECT (&values[0]))
    return TRUE;
  widget = g_value_get_object (&values[0]);
  if (!GTK_IS_BUTTON (widget) || (label = mnemonic_label_of (widget)) == NULL ||
      *gtk_label_get_text (label) == '\0')
    return TRUE;

  /* The label's own text, without the underline marks, and nothing else. */
  gtk_accessible_reset_relation (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_RELATION_LABELLED_BY);
  gtk_accessible_update_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  gtk_label_get_text (label), -1);
  return TRUE;   /* stay installed */
}

void
postier_accessible_install (void)
{
  static gsize installed;

  if (g_once_init_enter (&installed))
    {
      /* "map" is only registered once GtkWidget's class exists; the
       * reference is kept for the life of the process, like GTK's own. */
      g_type_class_ref (GTK_TYPE_WIDGET);

      g_signal_add_emission_hook (g_signal_lookup ("map", GTK_TYPE_WIDGET), 0,
                                  on_widget_mapped, NULL, NULL);
      g_once_init_leave (&installed, 1);
    }
}

/* The row's button that shows or hides the text: an icon button whose
 * icon is "view-reveal" or "view-conceal". */
static GtkWidget *
find_peek_button (GtkWidget *root)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = NULL;

      if (GTK_IS_BUTTON (child) && GTK_IS_IMAGE (gtk_button_get_child (GTK_BUTTON (child))))
        {
          const char *icon = gtk_image_get_icon_name (GTK_IMAGE (gtk_button_get_child (GTK_BUTTON (child))));

          if (icon != NULL && g_str_has_prefix (icon, "view-"))
            found = child;
        }
      if (found == NULL)
        found = find_peek_button (child);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Its tooltip says what it does now ("Show Text", "Hide Text"): so does
 * its name. */
static void
name_after_tooltip (GtkWidget *button)
{
  const char *tooltip = gtk_widget_get_tooltip_text (button);

  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  tooltip != NULL ? tooltip : _("Show the Password"), -1);
}

static void
on_tooltip_changed (GObject                  *button,
                    G_GNUC_UNUSED GParamSpec *pspec,
                    G_GNUC_UNUSED gpointer    data)
{
  name_after_tooltip (GTK_WIDGET (button));
}

void
postier_accessible_name_peek_button (GtkWidget *password_row)
{
  GtkWidget *peek;

  g_return_if_fail (GTK_IS_WIDGET (password_row));

  peek = find_peek_button (password_row);
  if (peek == NULL)
    return;
  name_after_tooltip (peek);
  g_signal_connect (peek, "notify::tooltip-text", G_CALLBACK (on_tooltip_changed), NULL);
}
