/* postier-slot-model.c — slots that show another model's items by position
 * (see the header for why)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-gui"

#include "config.h"

#include "postier-slot-model.h"

struct _PostierSlotModel
{
  GObject     parent_instance;

  GListModel *source;
  GPtrArray  *slots;   /* plain GObjects, the shown item as qdata */
};

static void postier_slot_model_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PostierSlotModel, postier_slot_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      postier_slot_model_list_model_init))

/* A slot is a plain GObject: it has nothing of its own but what it shows. */
G_DEFINE_QUARK (postier-slot-shown, slot_shown)

static GType
get_item_type (G_GNUC_UNUSED GListModel *model)
{
  return G_TYPE_OBJECT;
}

static guint
get_n_items (GListModel *model)
{
  return POSTIER_SLOT_MODEL (model)->slots->len;
}

static gpointer
get_item (GListModel *model,
          guint       position)
{
  PostierSlotModel *self = POSTIER_SLOT_MODEL (model);

  if (position >= self->slots->len)
    return NULL;
  return g_object_ref (self->slots->pdata[position]);
}

static void
postier_slot_model_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

gpointer
postier_slot_model_get_shown (gpointer slot)
{
  if (!G_IS_OBJECT (slot))
    return NULL;
  return g_object_get_qdata (slot, slot_shown_quark ());
}

/* Slot I shows the source's item I (ITEM, a reference taken). */
static void
show (GObject  *slot,
      gpointer  item)
{
  g_object_set_qdata_full (slot, slot_shown_quark (), item, g_object_unref);
}

static void
on_source_changed (PostierSlotModel *self,
                   guint             position,
                   guint             removed,
                   guint             added)
{
  guint n_old = self->slots->len;
  guint n_new = g_list_model_get_n_items (self->source);
  /* A change of as many as it removes moves nothing after it. */
  guint end = removed == added ? MIN (position + added, n_new) : n_new;

  for (guint i = position; i < MIN (end, n_old); i++)
    {
      gpointer item = g_list_model_get_item (self->source, i);

      if (postier_slot_model_get_shown (self->slots->pdata[i]) != item)
        show (self->slots->pdata[i], item);
      else
        g_object_unref (item);
    }
  if (n_new > n_old)
    {
      for (guint i = n_old; i < n_new; i++)
        {
          GObject *slot = g_object_new (G_TYPE_OBJECT, NULL);

          show (slot, g_list_model_get_item (self->source, i));
          g_ptr_array_add (self->slots, slot);
        }
      g_list_model_items_changed (G_LIST_MODEL (self), n_old, 0, n_new - n_old);
    }
  else if (n_new < n_old)
    {
      g_ptr_array_remove_range (self->slots, n_new, n_old - n_new);
      g_list_model_items_changed (G_LIST_MODEL (self), n_new, n_old - n_new, 0);
    }
}

static void
postier_slot_model_dispose (GObject *object)
{
  PostierSlotModel *self = POSTIER_SLOT_MODEL (object);

  if (self->source != NULL)
    g_signal_handlers_disconnect_by_data (self->source, self);
  g_clear_object (&self->source);
  g_clear_pointer (&self->slots, g_ptr_array_unref);

  G_OBJECT_CLASS (postier_slot_model_parent_class)->dispose (object);
}

static void
postier_slot_model_class_init (PostierSlotModelClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = postier_slot_model_dispose;
}

static void
postier_slot_model_init (PostierSlotModel *self)
{
  self->slots = g_ptr_array_new_with_free_func (g_object_unref);
}

PostierSlotModel *
postier_slot_model_new (GListModel *source)
{
  PostierSlotModel *self;

  g_return_val_if_fail (G_IS_LIST_MODEL (source), NULL);

  self = g_object_new (POSTIER_TYPE_SLOT_MODEL, NULL);
  self->source = g_object_ref (source);
  g_signal_connect_swapped (source, "items-changed", G_CALLBACK (on_source_changed), self);
  on_source_changed (self, 0, 0, g_list_model_get_n_items (source));
  return self;
}
