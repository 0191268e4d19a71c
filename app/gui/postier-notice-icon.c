/* postier-notice-icon.c — the icon at the start of a notice or banner
 *
 * Why a widget of its own: a GtkImage beside a wrapping label in a
 * horizontal GtkBox gives the box a baseline, and GTK 4.8's box then
 * reports a height for a given width 1 px over its minimum height (it adds
 * up the baselines in one measure and not in the other). A window at its
 * minimum size fails with "Expect overlapping widgets" (test-online-
 * accounts failed 16 runs of 20). This widget shows the icon, centred,
 * and reports its size without a baseline. The composer's notices and the
 * outbox view's banners use it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "postier-notice-icon.h"

struct _PostierNoticeIcon
{
  GtkWidget  parent_instance;

  GtkWidget *image;
};

G_DEFINE_FINAL_TYPE (PostierNoticeIcon, postier_notice_icon, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_ICON_NAME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
postier_notice_icon_measure (GtkWidget      *widget,
                             GtkOrientation  orientation,
                             int             for_size,
                             int            *minimum,
                             int            *natural,
                             int            *minimum_baseline,
                             int            *natural_baseline)
{
  PostierNoticeIcon *self = POSTIER_NOTICE_ICON (widget);

  gtk_widget_measure (self->image, orientation, for_size, minimum, natural, NULL, NULL);
  *minimum_baseline = -1;
  *natural_baseline = -1;
}

static void
postier_notice_icon_size_allocate (GtkWidget *widget,
                                   int        width,
                                   int        height,
                                   G_GNUC_UNUSED int baseline)
{
  PostierNoticeIcon *self = POSTIER_NOTICE_ICON (widget);

  gtk_widget_allocate (self->image, width, height, -1, NULL);
}

static void
postier_notice_icon_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  PostierNoticeIcon *self = POSTIER_NOTICE_ICON (object);

  switch (prop_id)
    {
    case PROP_ICON_NAME:
      g_value_set_string (value, postier_notice_icon_get_icon_name (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
postier_notice_icon_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  PostierNoticeIcon *self = POSTIER_NOTICE_ICON (object);

  switch (prop_id)
    {
    case PROP_ICON_NAME:
      postier_notice_icon_set_icon_name (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
postier_notice_icon_dispose (GObject *object)
{
  PostierNoticeIcon *self = POSTIER_NOTICE_ICON (object);

  g_clear_pointer (&self->image, gtk_widget_unparent);

  G_OBJECT_CLASS (postier_notice_icon_parent_class)->dispose (object);
}

static void
postier_notice_icon_class_init (PostierNoticeIconClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = postier_notice_icon_get_property;
  object_class->set_property = postier_notice_icon_set_property;
  object_class->dispose = postier_notice_icon_dispose;
  widget_class->measure = postier_notice_icon_measure;
  widget_class->size_allocate = postier_notice_icon_size_allocate;

  properties[PROP_ICON_NAME] =
    g_param_spec_string ("icon-name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "noticeicon");
  /* The notice's text says it all; the icon is decoration. */
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_PRESENTATION);
}

static void
postier_notice_icon_init (PostierNoticeIcon *self)
{
  self->image = g_object_new (GTK_TYPE_IMAGE,
                              "accessible-role", GTK_ACCESSIBLE_ROLE_PRESENTATION,
                              NULL);
  gtk_widget_set_parent (self->image, GTK_WIDGET (self));
  gtk_widget_set_valign (GTK_WIDGET (self), GTK_ALIGN_CENTER);
}

void
postier_notice_icon_set_icon_name (PostierNoticeIcon *self,
                                   const char        *icon_name)
{
  g_return_if_fail (POSTIER_IS_NOTICE_ICON (self));

  if (g_strcmp0 (icon_name, postier_notice_icon_get_icon_name (self)) == 0)
    return;
  gtk_image_set_from_icon_name (GTK_IMAGE (self->image), icon_name);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ICON_NAME]);
}

const char *
postier_notice_icon_get_icon_name (PostierNoticeIcon *self)
{
  g_return_val_if_fail (POSTIER_IS_NOTICE_ICON (self), NULL);

  return gtk_image_get_icon_name (GTK_IMAGE (self->image));
}
