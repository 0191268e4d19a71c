/* test-srv-suggestion.c — a submission server found in DNS outside the
 * mail domain is only a suggestion (issue 16, finding 2; RFC 6186 §6)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "postier-account-editor.h"
#include "postier-account-setup.h"
#include "postier-core.h"
#include "postier-test.h"
#include "postier-ui-test.h"

/* Answers as a spoofed DNS would: the domain's submission server is
 * somebody else's. */
#define TEST_TYPE_RESOLVER (test_resolver_get_type ())
G_DECLARE_FINAL_TYPE (TestResolver, test_resolver, TEST, RESOLVER, GResolver)

struct _TestResolver
{
  GResolver parent_instance;
};

G_DEFINE_TYPE (TestResolver, test_resolver, G_TYPE_RESOLVER)

static void
test_resolver_lookup_service_async (GResolver           *resolver,
                                    const char          *rrname,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (resolver, cancellable, callback, user_data);

  if (g_str_equal (rrname, "_submission._tcp.example.test"))
    g_task_return_pointer (task, g_list_append (NULL, g_srv_target_new ("smtp.other.net.", 587, 0, 0)),
                           NULL);
  else
    g_task_return_new_error (task, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND, "no record");
}

static GList *
test_resolver_lookup_service_finish (GResolver     *resolver,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  (void) resolver;
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
test_resolver_class_init (TestResolverClass *klass)
{
  G_RESOLVER_CLASS (klass)->lookup_service_async = test_resolver_lookup_service_async;
  G_RESOLVER_CLASS (klass)->lookup_service_finish = test_resolver_lookup_service_finish;
}

static void
test_resolver_init (TestResolver *self)
{
  (void) self;
}

static void
set_row_text (GtkWidget  *root,
              const char *id,
              const char *text)
{
  GtkWidget *row = postier_ui_test_find_by_id (root, id);

  g_assert_nonnull (row);
  gtk_editable_set_text (GTK_EDITABLE (row), text);
}

static const char *
row_text (GtkWidget  *root,
          const char *id)
{
  return gtk_editable_get_text (GTK_EDITABLE (postier_ui_test_find_by_id (root, id)));
}

static gboolean
label_shown (gpointer data)
{
  GtkWidget *label = data;

  return gtk_widget_get_visible (label) && *gtk_label_get_text (GTK_LABEL (label)) != '\0';
}

static void
test_out_of_domain_is_a_suggestion (void)
{
  g_autoptr(PostierApplication) app = NULL;
  g_autoptr(TestResolver) resolver = g_object_new (TEST_TYPE_RESOLVER, NULL);
  PostierAccountSetup *setup;
  GtkWidget *window, *root, *lookup_label, *add_button, *test_button, *use_label, *use_button;

  if (!postier_ui_test_have_display ())
    return;
  postier_ui_test_reset_files ();
  app = postier_ui_test_application ();

  setup = postier_account_setup_new (postier_application_get_account_store (app));
  postier_account_editor_set_resolver (postier_account_setup_get_editor (setup), G_RESOLVER (resolver));
  window = GTK_WIDGET (setup);
  gtk_window_set_default_size (GTK_WINDOW (window), 800, 880);
  gtk_window_present (GTK_WINDOW (window));
  postier_ui_test_spin (200);
  root = GTK_WIDGET (setup);
  lookup_label = postier_ui_test_find_by_id (root, "lookup_label");
  add_button = postier_ui_test_find_by_id (root, "add_button");
  test_button = postier_ui_test_find_by_id (root, "test_button");

  set_row_text (root, "display_name_row", "Ada Lovelace");
  set_row_text (root, "address_row", "ada@example.test");
  set_row_text (root, "user_row", "ada");
  set_row_text (root, "password_row", "secret");
  g_signal_emit_by_name (postier_ui_test_find_by_id (root, "lookup_button"), "clicked");
  g_assert_true (postier_ui_test_wait_for (label_shown, lookup_label, 5000));
  g_test_message ("note: %s", gtk_label_get_text (GTK_LABEL (lookup_label)));

  /* Not filled in: nothing can be tested or saved with the password
   * against it until the person says so. */
  g_assert_cmpstr (row_text (root, "host_row"), ==, "");
  g_assert_false (gtk_widget_get_sensitive (add_button));
  g_assert_false (gtk_widget_get_sensitive (test_button));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (lookup_label)), "smtp.other.net"));

  /* The person accepts it. */
  use_label = postier_ui_test_find_label (root, "Use smtp.other.net");
  g_assert_nonnull (use_label);
  use_button = gtk_widget_get_ancestor (use_label, GTK_TYPE_BUTTON);
  g_assert_nonnull (use_button);
  g_signal_emit_by_name (use_button, "clicked");
  g_assert_cmpstr (row_text (root, "host_row"), ==, "smtp.other.net");
  g_assert_cmpint (gtk_spin_button_get_value_as_int (
                     GTK_SPIN_BUTTON (postier_ui_test_find_by_id (root, "port_spin"))), ==, 587);
  g_assert_true (gtk_widget_get_sensitive (test_button));
  g_assert_false (gtk_widget_get_visible (use_button));

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int    argc,
      char **argv)
{
  postier_ui_test_init (&argc, &argv);

  g_test_add_func ("/ui/account-setup/out-of-domain-server", test_out_of_domain_is_a_suggestion);
  return postier_ui_test_run ();
}
