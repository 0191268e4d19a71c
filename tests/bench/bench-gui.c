/* bench-gui.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "postier-ui-test.h"

#include "bench-gui.h"

typedef struct {
  GListModel *model;
  guint       n;
} ModelWait;

static gboolean
model_has (gpointer data)
{
  ModelWait *wait = data;

  return g_list_model_get_n_items (wait->model) == wait->n;
}

static gboolean
model_below (gpointer data)
{
  ModelWait *wait = data;

  return g_list_model_get_n_items (wait->model) < wait->n;
}

void
bench_wait_for_n_items (GListModel *model,
                        guint       n,
                        guint       timeout_ms,
                        const char *what)
{
  ModelWait wait = { model, n };

  if (!postier_ui_test_wait_for (model_has, &wait, timeout_ms))
    g_error ("%s: %s did not happen within %u s", g_get_prgname (), what, timeout_ms / 1000);
}

void
bench_wait_for_fewer_items (GListModel *model,
                            guint       n,
                            guint       timeout_ms,
                            const char *what)
{
  ModelWait wait = { model, n };

  if (!postier_ui_test_wait_for (model_below, &wait, timeout_ms))
    g_error ("%s: %s did not happen within %u s", g_get_prgname (), what, timeout_ms / 1000);
}
