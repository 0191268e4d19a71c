/* test-outbox-damaged.c — an outbox entry that is a planted symbolic link
 * is shown as damaged and left alone (issue 16, finding 1)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "postier-core.h"
#include "postier-test.h"
#include "postier-ui-test.h"

typedef struct {
  GtkWidget  *root;
  const char *needle;
} TextWait;

static gboolean
text_shown (gpointer data)
{
  TextWait *wait = data;
  g_autofree char *text = postier_ui_test_visible_text (wait->root);

  return strstr (text, wait->needle) != NULL;
}

static void
test_link_shown_as_damaged (void)
{
  PostierApplication *app;  /* postier_ui_test_finish() lets it go */
  g_autofree char *outbox = postier_data_dir ("outbox");
  g_autofree char *elsewhere = g_build_filename (g_get_user_data_dir (), "elsewhere", NULL);
  g_autofree char *precious = g_build_filename (elsewhere, "precious.txt", NULL);
  g_autofree char *link = g_build_filename (outbox, "20261205T120000Z-000001-0badc0de", NULL);
  PostierWindow *window;
  TextWait wait;

  if (!postier_ui_test_have_display ())
    return;
  postier_ui_test_reset_files ();
  g_assert_cmpint (g_mkdir_with_parents (outbox, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (elsewhere, 0700), ==, 0);
  g_assert_true (g_file_set_contents (precious, "keep me\n", -1, NULL));
  g_assert_cmpint (symlink (elsewhere, link), ==, 0);

  app = postier_ui_test_application ();
  window = postier_ui_test_window (app);
  postier_window_show_page (window, "outbox");
  wait = (TextWait) { GTK_WIDGET (window), "0badc0de" };
  g_assert_true (postier_ui_test_wait_for (text_shown, &wait, 5000));
  wait.needle = "is a symbolic link";
  g_assert_true (postier_ui_test_wait_for (text_shown, &wait, 5000));

  postier_ui_test_finish (app);
  g_assert_true (g_file_test (link, G_FILE_TEST_IS_SYMLINK));
  g_assert_true (g_file_test (precious, G_FILE_TEST_IS_REGULAR));
}

int
main (int    argc,
      char **argv)
{
  if (!postier_ui_test_init (&argc, &argv))
    return 0;

  g_test_add_func ("/ui/outbox/damaged-link", test_link_shown_as_damaged);
  return postier_ui_test_run ();
}
