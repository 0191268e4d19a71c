/* test-views.c — the outbox, account set-up and Sandbox views in a real
 * window on the rig's display
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "postier-account-setup.h"
#include "postier-message-check.h"
#include "postier-outbox-view.h"
#include "postier-sandbox-view.h"
#include "postier-submitter.h"
#include "postier-test.h"
#include "postier-test-sandbox.h"
#include "postier-ui-test.h"

/* --- Helpers ---------------------------------------------------------------- */

/* A loopback port that was free a moment ago: nobody listens there. */
static guint
closed_port (void)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;
  guint port;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_assert_true (g_socket_bind (socket, any, FALSE, &error));
  bound = g_socket_get_local_address (socket, &error);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_socket_close (socket, NULL);
  return port;
}

/* Adds "Down", Ada's account on a relay on this machine that is not
 * running (PORT), to ACCOUNTS. */
static void
add_down_account (PostierAccountStore *accounts,
                  guint                port)
{
  g_autoptr(PostierAccount) account = postier_account_new ("Down");
  g_autoptr(GError) error = NULL;

  postier_account_set_identity (account, "Ada <ada@example.org>");
  postier_account_set_host (account, "127.0.0.1");
  postier_account_set_port (account, port);
  postier_account_set_security (account, POSTIER_SECURITY_NONE);
  postier_account_set_auth (account, POSTIER_AUTH_NONE);
  g_assert_true (postier_account_store_add (accounts, account, TRUE, &error));
  g_assert_no_error (error);
}

static char *
keyring_lookup (const char *account,
                const char *host,
                const char *user)
{
  const char *argv[] = {
    "secret-tool", "lookup",
    "xdg:schema", "org.postier.Postier.Password",
    "account", account, "host", host, "user", user, NULL,
  };
  char *out = NULL;

  postier_test_run_program (NULL, NULL, &out, NULL, argv);
  return out;
}

/* A window whose first-run set-up does not pop up over the test. */
static PostierWindow *
quiet_window (PostierApplication *app)
{
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);

  g_settings_set_boolean (settings, "account-setup-dismissed", TRUE);
  return postier_ui_test_window (app);
}

static GtkWidget *
show_page (PostierWindow *window,
           const char    *name)
{
  postier_window_show_page (window, name);
  postier_ui_test_spin (100);
  return postier_window_get_page (window, name);
}

/* --- Outbox ------------------------------------------------------------------ */

static GtkWidget *
find_outbox_row (PostierOutboxView *view,
                 const char        *id)
{
  GtkWidget *row = postier_outbox_view_find_row (view, id);

  /* The row's widget name is its entry's id. */
  g_assert_true (row == NULL || g_strcmp0 (gtk_widget_get_name (row), id) == 0);
  return row;
}

typedef struct {
  gboolean done;
} FlushWait;

static void
on_flush_finished (FlushWait *wait)
{
  wait->done = TRUE;
}

static gboolean
flushed (gpointer data)
{
  return ((FlushWait *) data)->done;
}

static void
test_outbox_shows_deferred_entry (void)
{
  g_autoptr(PostierApplication) app = NULL;
  g_autoptr(PostierEnvelope) envelope = postier_envelope_new ("ada@example.org");
  g_autoptr(PostierSubmitter) submitter = NULL;
  g_autoptr(PostierOutboxEntry) entry = NULL;
  g_autoptr(GBytes) message = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *row_text = NULL;
  g_autofree char *expected = NULL;
  const char *text = "From: Ada <ada@example.org>\r\n"
                     "To: bob@example.org\r\n"
                     "Subject: Minutes of Monday\r\n"
                     "Message-ID: <minutes@example.org>\r\n"
                     "\r\n"
                     "Here they are.\r\n";
  PostierAccountStore *accounts;
  PostierOutbox *outbox;
  PostierWindow *window;
  PostierOutboxView *view;
  FlushWait flush = { 0 };
  guint port = closed_port ();
  gint64 retried_at;

  if (!postier_ui_test_have_display ())
    return;
  postier_ui_test_reset_files ();
  app = postier_ui_test_application ();
  window = quiet_window (app);
  accounts = postier_application_get_account_store (app);
  outbox = postier_application_get_outbox (app);
  view = POSTIER_OUTBOX_VIEW (show_page (window, "outbox"));
  g_assert_true (POSTIER_IS_OUTBOX_VIEW (view));

  add_down_account (accounts, port);

  postier_envelope_add_recipient (envelope, "bob@example.org");
  message = g_bytes_new_static (text, strlen (text));
  id = postier_outbox_enqueue_bytes (outbox, "Down", envelope, message, NULL, &error);
  g_assert_no_error (error);

  /* Queued first: the folder watch shows it without any signal. */
  g_assert_true (postier_ui_test_wait_for_row (view, id, "Minutes of Monday", 5000));

  /* The app's submitter, told as the composer tells it. */
  submitter = g_object_ref (postier_application_get_submitter (app));
  g_signal_connect_swapped (submitter, "flush-finished", G_CALLBACK (on_flush_finished), &flush);
  postier_submitter_kick (submitter);
  g_assert_true (postier_ui_test_wait_for (flushed, &flush, 30000));

  /* The row says it waits, when it tries again and why, in the server's
   * (here the network's) own words. */
  entry = postier_outbox_lookup (outbox, id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (postier_outbox_entry_get_state (entry), ==, POSTIER_OUTBOX_STATE_DEFERRED);
  expected = g_strdup_printf ("Cannot connect to 127.0.0.1 port %u", port);
  g_assert_nonnull (strstr (postier_outbox_entry_get_last_error (entry), expected));

  g_assert_true (postier_ui_test_wait_for_row (view, id, "Waiting to retry — next attempt at ", 30000));
  row_text = postier_ui_test_visible_text (find_outbox_row (view, id));
  g_test_message ("row: %s", row_text);
  g_assert_nonnull (strstr (row_text, "To bob@example.org"));
  g_assert_nonnull (strstr (row_text, expected));
  g_assert_nonnull (postier_ui_test_find_label (GTK_WIDGET (view), "1 message waiting to be sent"));
  /* The switcher counts it. */
  {
    /* The window holds each page in a bin, the stack's direct child. */
    GtkWidget *page = gtk_widget_get_parent (GTK_WIDGET (view));

    g_assert_cmpuint (adw_view_stack_page_get_badge_number (
                        adw_view_stack_get_page (ADW_VIEW_STACK (gtk_widget_get_parent (page)), page)),
                      ==, 1);
  }
  gtk_window_set_default_size (GTK_WINDOW (window), 900, 560);
  postier_ui_test_screenshot ("outbox");

  /* Another process (postierctl queue retry) rewrites the entry: the view
   * follows the folder, with no signal from this process. */
  postier_submitter_stop (submitter);
  {
    g_autoptr(PostierOutbox) other = postier_outbox_new (postier_outbox_get_dir (outbox));

    g_assert_true (postier_outbox_retry (other, id, &error));
    g_assert_no_error (error);
  }
  g_assert_true (postier_ui_test_wait_for_row (view, id, "Queued — about to be sent", 10000));

  /* "Retry now" in the view makes it due and wakes the submitter. */
  retried_at = g_get_real_time () / G_USEC_PER_SEC;
  flush.done = FALSE;
  postier_submitter_start (submitter);
  gtk_widget_activate_action (GTK_WIDGET (view), "outbox.retry", "s", id);
  g_assert_true (postier_ui_test_wait_for (flushed, &flush, 30000));
  g_clear_object (&entry);
  entry = postier_outbox_lookup (outbox, id, &error);
  g_assert_cmpint (postier_outbox_entry_get_last_attempt (entry), >=, retried_at);
  g_assert_cmpint (postier_outbox_entry_get_state (entry), ==, POSTIER_OUTBOX_STATE_DEFERRED);

  postier_submitter_stop (submitter);
  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
banner_counts_two (gpointer data)
{
  return postier_ui_test_find_label (data, "Offline — 2 messages will be sent when the "
                                           "connection returns") != NULL;
}

/* The title label of ROW's header: the first label showing SUBJECT. */
static GtkLabel *
header_title (GtkWidget  *row,
              const char *subject)
{
  GtkWidget *label = postier_ui_test_find_label (row, subject);

  g_assert_nonnull (label);
  return GTK_LABEL (label);
}

typedef struct {
  GtkWidget *rows[2];
} TwoRows;

static gboolean
rows_laid_out (gpointer data)
{
  TwoRows *two = data;

  return gtk_widget_get_height (two->rows[0]) > 0 && gtk_widget_get_height (two->rows[1]) > 0;
}

static gboolean
second_row_taller (gpointer data)
{
  TwoRows *two = data;

  return gtk_widget_get_height (two->rows[1]) > gtk_widget_get_height (two->rows[0]);
}

/* A long subject takes one line, ending in "…", while the row is
 * collapsed, so every row of the list is as tall as the next; expanding
 * the row shows all of it. */
static void
test_outbox_long_subject (void)
{
  g_autoptr(PostierApplication) app = NULL;
  g_autoptr(PostierEnvelope) envelope = postier_envelope_new ("ada@example.org");
  g_autoptr(GString) long_subject = g_string_new ("Agenda");
  g_autoptr(GError) error = NULL;
  char *ids[2] = { NULL, NULL };
  const char *subjects[2];
  PostierOutbox *outbox;
  PostierWindow *window;
  PostierOutboxView *view;
  TwoRows two = { { NULL, NULL } };
  GtkLabel *long_title;
  int collapsed_height;

  if (!postier_ui_test_have_display ())
    return;
  postier_ui_test_reset_files ();
  app = postier_ui_test_application ();
  window = quiet_window (app);
  gtk_window_set_default_size (GTK_WINDOW (window), 900, 560);
  outbox = postier_application_get_outbox (app);
  view = POSTIER_OUTBOX_VIEW (show_page (window, "outbox"));

  /* Nothing is sent: the rows only have to be there. A submitter left
   * trying would write into the next test's outbox after it is reset. */
  postier_submitter_stop (postier_application_get_submitter (app));
  add_down_account (postier_application_get_account_store (app), closed_port ());
  postier_envelope_add_recipient (envelope, "bob@example.org");

  for (guint i = 0; i < 12; i++)
    g_string_append (long_subject, " for the meeting of the whole department next Monday");
  subjects[0] = "Short";
  subjects[1] = long_subject->str;
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *text = g_strdup_printf ("From: Ada <ada@example.org>\r\nTo: bob@example.org\r\n"
                                               "Subject: %s\r\n\r\nHello.\r\n", subjects[i]);
      g_autoptr(GBytes) message = g_bytes_new (text, strlen (text));

      ids[i] = postier_outbox_enqueue_bytes (outbox, "Down", envelope, message, NULL, &error);
      g_assert_no_error (error);
      g_assert_true (postier_ui_test_wait_for_row (view, ids[i], subjects[i], 10000));
      two.rows[i] = find_outbox_row (view, ids[i]);
    }
  g_assert_true (postier_ui_test_wait_for (rows_laid_out, &two, 5000));
  postier_ui_test_spin (200);

  long_title = header_title (two.rows[1], subjects[1]);
  g_assert_true (pango_layout_is_ellipsized (gtk_label_get_layout (long_title)));
  collapsed_height = gtk_widget_get_height (two.rows[1]);
  g_assert_cmpint (collapsed_height, ==, gtk_widget_get_height (two.rows[0]));
  postier_ui_test_screenshot ("outbox-long-subject");

  /* Expanded: the whole subject, on as many lines as it needs. */
  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (two.rows[1]), TRUE);
  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (two.rows[0]), TRUE);
  g_assert_true (postier_ui_test_wait_for (second_row_taller, &two, 5000));
  g_assert_false (pango_layout_is_ellipsized (gtk_label_get_layout (long_title)));
  g_assert_cmpint (pango_layout_get_line_count (gtk_label_get_layout (long_title)), >, 1);
  postier_ui_test_screenshot ("outbox-long-subject-expanded");

  /* Collapsed again, one line again. */
  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (two.rows[1]), FALSE);
  postier_ui_test_spin (200);
  g_assert_true (pango_layout_is_ellipsized (gtk_label_get_layout (long_title)));

  gtk_window_destroy (GTK_WINDOW (window));
  /* Not g_autofree: on an array, it frees only the first. */
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    g_free (ids[i]);
}

static void
test_outbox_offline_banner (void)
{
  g_autoptr(PostierApplication) app = NULL;
  g_autoptr(PostierSubmitter) submitter = NULL;
  g_autoptr(PostierEnvelope) envelope = postier_envelope_new ("ada@example.org");
  g_autoptr(GBytes) message = g_bytes_new_static ("Subject: x\r\n\r\nx\r\n", 17);
  g_autoptr(GNetworkMonitor) monitor = postier_test_network_monitor_new (FALSE);
  g_autoptr(PostierAccount) remote = postier_account_new ("Remote");
  g_autoptr(GError) error = NULL;
  g_autofree char *id1 = NULL;
  g_autofree char *id2 = NULL;
  PostierOutbox *outbox;
  PostierWindow *window;
  PostierOutboxView *view;
  GtkWidget *revealer;

  if (!postier_ui_test_have_display ())
    return;
  postier_ui_test_reset_files ();
  app = postier_ui_test_application ();
  window = quiet_window (app);
  outbox = postier_application_get_outbox (app);
  view = POSTIER_OUTBOX_VIEW (show_page (window, "outbox"));
  revealer = postier_ui_test_find_by_id (GTK_WIDGET (view), "offline_revealer");

  /* The machine is offline: what is queued for a relay out there waits,
   * and the banner says so. */
  submitter = g_object_ref (postier_application_get_submitter (app));
  postier_submitter_set_network_monitor (submitter, monitor);
  postier_account_set_identity (remote, "ada@example.org");
  postier_account_set_host (remote, "smtp.example.invalid");
  g_assert_true (postier_account_store_add (postier_application_get_account_store (app), remote,
                                            FALSE, &error));
  postier_envelope_add_recipient (envelope, "bob@example.org");
  id1 = postier_outbox_enqueue_bytes (outbox, "Remote", envelope, message, NULL, &error);
  id2 = postier_outbox_enqueue_bytes (outbox, "Remote", envelope, message, NULL, &error);
  g_assert_no_error (error);
  postier_submitter_kick (submitter);
  g_assert_true (postier_ui_test_wait_for (banner_counts_two, revealer, 5000));
  g_assert_true (postier_ui_test_wait_for (banner_counts_two, revealer, 5000));
  g_assert_true (gtk_revealer_get_reveal_child (GTK_REVEALER (revealer)));
  g_assert_nonnull (postier_ui_test_find_label (revealer, "Offline — 2 messages will be sent when "
                                                         "the connection returns"));
  postier_ui_test_screenshot ("outbox-offline");

  /* Back online, the banner goes (the submitter is stopped first: the
   * relay does not exist, and the test stays off the network). */
  postier_submitter_stop (submitter);
  postier_test_network_monitor_set_available (monitor, TRUE);
  postier_ui_test_spin (300);
  g_assert_false (gtk_revealer_get_reveal_child (GTK_REVEALER (revealer)));
  gtk_window_destroy (GTK_WINDOW (window));
}

typedef struct {
  PostierOutboxView *view;
  guint              n;
} ModelCount;

static gboolean
model_counts (gpointer data)
{
  ModelCount *count = data;

  return g_list_model_get_n_items (postier_outbox_view_get_model (count->view)) == count->n;
}

/* Whether ROW shows at least a line in SCROLLER's view. */
static gboolean
row_in_sight (GtkWidget *row,
              GtkWidget *scroller)
{
  graphene_rect_t bounds;

  return row != NULL && gtk_widget_get_mapped (row) &&
         gtk_widget_compute_bounds (row, scroller, &bounds) &&
         bounds.origin.y + bounds.size.height > 8 &&
         bounds.origin.y < gtk_widget_get_height (scroller) - 8;
}

/* The position of the topmost message with a row in sight (the model is
 * in the list's order), or -1. */
static int
first_in_sight (PostierOutboxView *view,
                GtkWidget         *scroller)
{
  GListModel *model = postier_outbox_view_get_model (view);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(PostierOutboxEntry) entry = g_list_model_get_item (model, i);

      if (row_in_sight (find_outbox_row (view, postier_outbox_entry_get_id (entry)), scroller))
        return (int) i;
    }
  return -1;
}

typedef struct {
  PostierOutboxView *view;
  GtkWidget         *scroller;
  const char        *id;      /* this message's row in sight, or: */
  int                at;      /* the first row in sight at this position or further */
} SightWait;

static gboolean
in_sight (gpointer data)
{
  SightWait *wait = data;

  if (wait->id != NULL)
    return row_in_sight (find_outbox_row (wait->view, wait->id), wait->scroller);
  return first_in_sight (wait->view, wait->scroller) >= wait->at;
}

static char *
id_at (PostierOutboxView *view,
       int                position)
{
  g_autoptr(PostierOutboxEntry) entry = g_list_model_get_item (postier_outbox_view_get_model (view),
                                                               (guint) position);

  return entry != NULL ? g_strdup (postier_outbox_entry_get_id (entry)) : NULL;
}

/* The first N entries the view lists leave the outbox, as a flush sends
 * them; their ids go to LEFT. */
static void
remove_first (PostierOutboxView *view,
              PostierOutbox     *outbox,
              guint              n,
              GPtrArray         *left)
{
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PostierOutboxEntry) gone = g_list_model_get_item (postier_outbox_view_get_model (view), i);
      g_autoptr(GError) error = NULL;

      g_assert_true (postier_outbox_remove (outbox, postier_outbox_entry_get_id (gone), &error));
      g_assert_no_error (error);
      g_ptr_array_add (left, g_strdup (postier_outbox_entry_get_id (gone)));
    }
}

/* Messages leave the top of the outbox (as in a flush) while the person
 * looks further down: the message in sight stays in sight, and no row
 * shows one that left. At the top, the first rows show the new first
 * messages. */
static void
test_outbox_rows_follow_listing (void)
{
  g_autoptr(PostierApplication) app = NULL;
  g_autoptr(PostierEnvelope) envelope = postier_envelope_new ("ada@example.org");
  g_autoptr(PostierAccount) remote = postier_account_new ("Remote");
  g_autoptr(GPtrArray) left = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *anchor = NULL;
  PostierOutbox *outbox;
  PostierWindow *window;
  PostierOutboxView *view;
  GtkWidget *scroller;
  GtkAdjustment *adjustment;
  ModelCount count;
  SightWait sight;

  if (!postier_ui_test_have_display ())
    return;
  postier_ui_test_reset_files ();
  app = postier_ui_test_application ();
  window = quiet_window (app);
  outbox = postier_application_get_outbox (app);
  view = POSTIER_OUTBOX_VIEW (show_page (window, "outbox"));
  scroller = postier_ui_test_find_by_id (GTK_WIDGET (view), "list_scroller");
  adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));
  count.view = view;
  sight = (SightWait) { view, scroller, NULL, 0 };

  /* Nothing is sent: the relay does not exist and the submitter stops. */
  postier_submitter_stop (postier_application_get_submitter (app));
  postier_account_set_identity (remote, "ada@example.org");
  postier_account_set_host (remote, "smtp.example.invalid");
  g_assert_true (postier_account_store_add (postier_application_get_account_store (app), remote,
                                            FALSE, &error));
  postier_envelope_add_recipient (envelope, "bob@example.org");
  for (guint i = 0; i < 60; i++)
    {
      g_autofree char *text = g_strdup_printf ("Subject: Message %02u\r\n\r\nx\r\n", i);
      g_autoptr(GBytes) message = g_bytes_new (text, strlen (text));
      g_autofree char *id = postier_outbox_enqueue_bytes (outbox, "Remote", envelope, message,
                                                          NULL, &error);

      g_assert_no_error (error);
      g_assert_nonnull (id);
    }
  postier_outbox_view_reload (view);
  count.n = 60;
  g_assert_true (postier_ui_test_wait_for (model_counts, &count, 10000));

  /* Halfway down (below the messages that will leave), then the first
   * 20 messages leave. */
  g_assert_true (postier_ui_test_wait_for (in_sight, &sight, 10000));
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment) / 2);
  sight.at = 21;
  g_assert_true (postier_ui_test_wait_for (in_sight, &sight, 10000));
  anchor = id_at (view, first_in_sight (view, scroller));
  remove_first (view, outbox, 20, left);
  postier_outbox_view_reload (view);
  count.n = 40;
  g_assert_true (postier_ui_test_wait_for (model_counts, &count, 10000));
  sight.id = anchor;
  g_assert_true (postier_ui_test_wait_for (in_sight, &sight, 10000));

  /* At the top, the next 10 leave: the rows show what is left. */
  gtk_adjustment_set_value (adjustment, 0);
  sight = (SightWait) { view, scroller, NULL, 0 };
  g_assert_true (postier_ui_test_wait_for (in_sight, &sight, 10000));
  remove_first (view, outbox, 10, left);
  postier_outbox_view_reload (view);
  count.n = 30;
  g_assert_true (postier_ui_test_wait_for (model_counts, &count, 10000));
  {
    g_autofree char *top = id_at (view, 0);

    /* The first message left shows in the first row. */
    sight.id = top;
    g_assert_true (postier_ui_test_wait_for (in_sight, &sight, 10000));
    g_assert_cmpint (first_in_sight (view, scroller), ==, 0);
  }
  /* The 30 that left have no row. */
  g_assert_cmpuint (left->len, ==, 30);
  for (guint i = 0; i < left->len; i++)
    g_assert_null (find_outbox_row (view, left->pdata[i]));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* --- Account set-up ------------------------------------------------------------ */

/* Answers SRV questions from one fixed record, without the Internet. */
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

  if (g_str_equal (rrname, "_submissions._tcp.example.test"))
    g_task_return_pointer (task, g_list_append (NULL, g_srv_target_new ("smtp.example.test.", 465,
                                                                        0, 0)),
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

/* As a click does it, at once (gtk_widget_activate animates first). */
static void
click (GtkWidget *button)
{
  g_assert_true (gtk_widget_is_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
}

static gboolean
label_shown (gpointer data)
{
  GtkWidget *label = data;

  return gtk_widget_get_visible (label) && *gtk_label_get_text (GTK_LABEL (label)) != '\0';
}

static void
on_account_added (char      **out,
                  const char *name)
{
  *out = g_strdup (name);
}

static gboolean
string_set (gpointer data)
{
  return *(char **) data != NULL;
}

static void
test_setup_validates_and_stores_password (void)
{
  g_autoptr(PostierApplication) app = NULL;
  g_autoptr(TestResolver) resolver = g_object_new (TEST_TYPE_RESOLVER, NULL);
  g_autofree char *name = g_strdup_printf ("Setup%08x", g_random_int ());
  g_autofree char *password = g_strdup_printf ("pw %08x ünï", g_random_int ());
  g_autofree char *added = NULL;
  g_autofree char *found = NULL;
  g_autofree char *accounts_ini = NULL;
  g_autoptr(GtkWidget) window = NULL;
  PostierAccountStore *accounts;
  PostierAccountSetup *setup;
  PostierAccount *account;
  GtkWidget *root, *error_label, *add_button, *lookup_label;

  if (!postier_ui_test_have_display () || postier_test_rig ("KEYRING") == NULL)
    return;
  postier_ui_test_reset_files ();
  app = postier_ui_test_application ();
  accounts = postier_application_get_account_store (app);

  setup = postier_account_setup_new (accounts);
  postier_account_editor_set_resolver (postier_account_setup_get_editor (setup),
                                       G_RESOLVER (resolver));
  g_signal_connect_swapped (setup, "account-added", G_CALLBACK (on_account_added), &added);
  /* Kept: the dialog destroys itself once the account is added. */
  window = g_object_ref (GTK_WIDGET (setup));
  gtk_window_set_default_size (GTK_WINDOW (window), 800, 880);
  gtk_window_present (GTK_WINDOW (window));
  postier_ui_test_spin (200);
  root = GTK_WIDGET (setup);
  error_label = postier_ui_test_find_by_id (root, "error_label");
  add_button = postier_ui_test_find_by_id (root, "add_button");
  lookup_label = postier_ui_test_find_by_id (root, "lookup_label");

  /* Nothing typed: nothing to add. */
  g_assert_false (gtk_widget_get_sensitive (add_button));

  /* The server comes from the domain's SRV records, with the usual port
   * and security. */
  set_row_text (root, "display_name_row", "Ada Lovelace");
  set_row_text (root, "address_row", "ada@example.test");
  g_assert_cmpstr (row_text (root, "name_row"), ==, "example.test");
  click (postier_ui_test_find_by_id (root, "lookup_button"));
  g_assert_true (postier_ui_test_wait_for (label_shown, lookup_label, 5000));
  g_assert_cmpstr (row_text (root, "host_row"), ==, "smtp.example.test");
  g_assert_cmpint (gtk_spin_button_get_value_as_int (
                     GTK_SPIN_BUTTON (postier_ui_test_find_by_id (root, "port_spin"))), ==, 465);
  g_assert_cmpuint (adw_combo_row_get_selected (
                      ADW_COMBO_ROW (postier_ui_test_find_by_id (root, "security_row"))), ==,
                    POSTIER_SECURITY_TLS);
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (lookup_label)),
                            "Found smtp.example.test"));

  /* Choosing STARTTLS proposes its port. */
  adw_combo_row_set_selected (ADW_COMBO_ROW (postier_ui_test_find_by_id (root, "security_row")),
                              POSTIER_SECURITY_STARTTLS);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (
                     GTK_SPIN_BUTTON (postier_ui_test_find_by_id (root, "port_spin"))), ==, 587);

  set_row_text (root, "name_row", name);
  g_assert_true (gtk_widget_get_sensitive (add_button));
  set_row_text (root, "name_row", "Work");
  set_row_text (root, "user_row", "ada");
  postier_ui_test_screenshot ("account-setup");
  set_row_text (root, "user_row", "");
  set_row_text (root, "name_row", name);

  /* An address that is not one is refused, next to the field. */
  set_row_text (root, "address_row", "ada at example dot test");
  click (add_button);
  g_assert_true (gtk_widget_get_visible (error_label));
  g_assert_true (gtk_widget_has_css_class (postier_ui_test_find_by_id (root, "address_row"),
                                           "error"));
  g_assert_cmpuint (postier_account_store_count_relays (accounts), ==, 0);

  /* A user name without its password too. */
  set_row_text (root, "address_row", "ada@example.test");
  set_row_text (root, "user_row", "ada");
  click (add_button);
  g_assert_true (gtk_widget_get_visible (error_label));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (error_label)), "password"));
  g_assert_cmpuint (postier_account_store_count_relays (accounts), ==, 0);
  postier_ui_test_screenshot ("account-setup-error");

  /* Complete: the account is added and becomes the default; the password
   * is in the keyring, and in no file. */
  set_row_text (root, "password_row", password);
  click (add_button);
  g_assert_true (postier_ui_test_wait_for (string_set, &added, 10000));
  g_assert_cmpstr (added, ==, name);

  account = postier_account_store_lookup (accounts, name);
  g_assert_nonnull (account);
  g_assert_cmpstr (postier_account_get_identity (account), ==, "Ada Lovelace <ada@example.test>");
  g_assert_cmpstr (postier_account_get_host (account), ==, "smtp.example.test");
  g_assert_cmpuint (postier_account_get_port (account), ==, 587);
  g_assert_cmpint (postier_account_get_security (account), ==, POSTIER_SECURITY_STARTTLS);
  g_assert_true (postier_account_store_get_default (accounts) == account);

  found = keyring_lookup (name, "smtp.example.test", "ada");
  g_assert_cmpstr (found, ==, password);
  accounts_ini = postier_test_read_file (postier_account_store_get_path (accounts), NULL);
  g_assert_null (strstr (accounts_ini, password));

  /* Its work done, the dialog has closed. */
  g_assert_false (gtk_widget_get_visible (window));
}

static GtkWindow *
setup_dialog_of (PostierWindow *window)
{
  GtkWindow *dialog = NULL;

  for (GList *l = gtk_window_list_toplevels (); l != NULL; l = g_list_delete_link (l, l))
    if (gtk_window_get_transient_for (l->data) == GTK_WINDOW (window) && ADW_IS_WINDOW (l->data) &&
        gtk_widget_get_visible (l->data))
      dialog = l->data;
  return dialog;
}

static gboolean
setup_dialog_shown (gpointer data)
{
  return setup_dialog_of (data) != NULL;
}

static void
test_setup_screenshot (void)
{
  g_autoptr(PostierApplication) app = NULL;
  PostierWindow *window;
  GtkWidget *root;
  GtkWindow *dialog = NULL;
  g_autoptr(GSettings) settings = NULL;

  if (!postier_ui_test_have_display ())
    return;
  postier_ui_test_reset_files ();
  app = postier_ui_test_application ();
  settings = g_settings_new (APPLICATION_ID);
  g_settings_set_boolean (settings, "account-setup-dismissed", FALSE);

  /* First run: the set-up opens over the main window by itself. */
  window = postier_ui_test_window (app);
  g_assert_true (postier_ui_test_wait_for (setup_dialog_shown, window, 20000));
  dialog = setup_dialog_of (window);
  root = GTK_WIDGET (dialog);
  g_assert_nonnull (postier_ui_test_find_label (root, "Set Up Your Mail Account"));
  set_row_text (root, "display_name_row", "Ada Lovelace");
  set_row_text (root, "address_row", "ada@example.org");
  set_row_text (root, "host_row", "smtp.example.org");
  postier_ui_test_screenshot ("account-setup-first-run");

  /* "Use the Sandbox for now" is remembered. */
  click (postier_ui_test_find_by_id (root, "dismiss_button"));
  g_assert_true (g_settings_get_boolean (settings, "account-setup-dismissed"));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* --- Sandbox ---------------------------------------------------------------- */

typedef struct {
  char *id;
} Loaded;

static void
on_message_loaded (Loaded     *loaded,
                   const char *id)
{
  g_free (loaded->id);
  loaded->id = g_strdup (id);
}

static gboolean
loaded_set (gpointer data)
{
  return ((Loaded *) data)->id != NULL;
}

static GtkWidget *
check_row (GtkWidget  *checks_list,
           const char *key)
{
  for (GtkWidget *row = gtk_widget_get_first_child (checks_list); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    if (g_strcmp0 (g_object_get_data (G_OBJECT (row), "postier-check-key"), key) == 0)
      return row;
  return NULL;
}

static void
test_sandbox_lists_message_with_checks (void)
{
  g_autoptr(PostierApplication) app = NULL;
  g_autoptr(PostierTestSandbox) fixture = NULL;
  g_autoptr(PostierSandboxMessage) captured = NULL;
  const char *recipients[] = { "bob@example.org", "hidden@example.org", NULL };
  /* A Bcc header left in: the check list must catch it. */
  const char *message =
    "From: Ada Lovelace <ada@example.org>\r\n"
    "To: Bob <bob@example.org>\r\n"
    "Bcc: hidden@example.org\r\n"
    "Subject: Notes on the Analytical Engine\r\n"
    "Date: Mon, 03 Mar 2025 10:00:00 +0000\r\n"
    "Message-ID: <notes@example.org>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"b\"\r\n"
    "\r\n"
    "--b\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: 8bit\r\n"
    "\r\n"
    "The engine weaves algebraic patterns.\r\n"
    "--b\r\n"
    "Content-Type: text/csv; name=\"table.csv\"\r\n"
    "Content-Disposition: attachment; filename=\"table.csv\"\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    "YSxiLGMKMSwyLDMK\r\n"
    "--b--\r\n";
  g_autofree char *text = NULL;
  PostierWindow *window;
  PostierSandboxView *view;
  GtkWidget *checks_list, *bcc_row;
  Loaded loaded = { NULL };
  guint rows = 0;

  if (!postier_ui_test_have_display ())
    return;
  postier_ui_test_reset_files ();
  app = postier_ui_test_application ();
  window = quiet_window (app);
  view = POSTIER_SANDBOX_VIEW (show_page (window, "sandbox"));
  g_assert_true (POSTIER_IS_SANDBOX_VIEW (view));
  g_signal_connect_swapped (view, "message-loaded", G_CALLBACK (on_message_loaded), &loaded);

  fixture = postier_test_sandbox_new ();
  captured = postier_test_sandbox_send (fixture, message, strlen (message), "ada@example.org",
                                        recipients, FALSE);

  /* It appears by itself (the view watches the Maildir) and, being the
   * only one, is shown. */
  g_assert_true (postier_ui_test_wait_for (loaded_set, &loaded, 10000));
  g_assert_cmpstr (loaded.id, ==, postier_sandbox_message_get_id (captured));
  g_assert_cmpuint (g_list_model_get_n_items (postier_sandbox_view_get_model (view)), ==, 1);

  text = postier_ui_test_visible_text (GTK_WIDGET (view));
  g_test_message ("%s", text);
  g_assert_nonnull (strstr (text, "Notes on the Analytical Engine"));
  g_assert_nonnull (strstr (text, "Ada Lovelace <ada@example.org>"));

  /* The check list: every check, and the Bcc header flagged. */
  checks_list = postier_ui_test_find_by_id (GTK_WIDGET (view), "checks_list");
  for (GtkWidget *row = gtk_widget_get_first_child (checks_list); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    rows++;
  g_assert_cmpuint (rows, ==, POSTIER_CHECK_N_KINDS);
  bcc_row = check_row (checks_list, "bcc");
  g_assert_nonnull (bcc_row);
  g_assert_cmpint (GPOINTER_TO_INT (g_object_get_data (G_OBJECT (bcc_row), "postier-check-status")),
                   ==, POSTIER_CHECK_FAIL);
  g_assert_cmpint (GPOINTER_TO_INT (g_object_get_data (G_OBJECT (check_row (checks_list, "date")),
                                                       "postier-check-status")),
                   ==, POSTIER_CHECK_PASS);
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (postier_ui_test_find_by_id (
                              GTK_WIDGET (view), "check_summary_label"))), "problem"));

  /* At the usual window width, the list and the message sit side by side. */
  g_assert_false (adw_leaflet_get_folded (ADW_LEAFLET (adw_bin_get_child (ADW_BIN (view)))));
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 760);
  postier_ui_test_screenshot ("sandbox");

  /* The structure names the attachment; the envelope has both recipients,
   * the hidden one included. */
  postier_sandbox_view_show_page (view, "structure");
  postier_ui_test_spin (100);
  g_clear_pointer (&text, g_free);
  text = postier_ui_test_visible_text (postier_ui_test_find_by_id (GTK_WIDGET (view),
                                                                   "structure_list"));
  g_assert_nonnull (strstr (text, "text/csv — table.csv"));
  g_assert_nonnull (strstr (text, "multipart/mixed"));
  postier_sandbox_view_show_page (view, "envelope");
  postier_ui_test_spin (100);
  g_clear_pointer (&text, g_free);
  text = postier_ui_test_visible_text (postier_ui_test_find_by_id (GTK_WIDGET (view),
                                                                   "envelope_list"));
  g_assert_nonnull (strstr (text, "hidden@example.org"));
  g_assert_nonnull (strstr (text, "ada@example.org"));

  g_free (loaded.id);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* --- French ----------------------------------------------------------------- */

static void
test_views_french (void)
{
  if (!postier_ui_test_have_display ())
    return;
  if (g_test_subprocess ())
    {
      g_autoptr(PostierApplication) app = NULL;
      PostierAccountSetup *setup;
      PostierWindow *window;

      g_setenv ("LANGUAGE", "fr", TRUE);
      postier_application_init_i18n ();
      postier_ui_test_reset_files ();
      app = postier_ui_test_application ();
      window = quiet_window (app);

      g_assert_nonnull (postier_ui_test_find_label (show_page (window, "outbox"),
                                                    "Rien en attente d’envoi"));
      g_assert_nonnull (postier_ui_test_find_label (show_page (window, "sent"),
                                                    "Aucun message envoyé pour l’instant"));
      g_assert_nonnull (postier_ui_test_find_label (show_page (window, "sandbox"),
                                                    "Rien de capturé pour l’instant"));

      setup = postier_account_setup_new (postier_application_get_account_store (app));
      gtk_window_present (GTK_WINDOW (setup));
      postier_ui_test_spin (100);
      g_assert_nonnull (postier_ui_test_find_label (GTK_WIDGET (setup),
                                                    "Configurer votre compte de messagerie"));
      g_assert_null (postier_ui_test_find_label (GTK_WIDGET (setup), "Set Up Your Mail Account"));
      gtk_window_destroy (GTK_WINDOW (setup));
      gtk_window_destroy (GTK_WINDOW (window));
      return;
    }
  g_test_trap_subprocess (NULL, 30 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

int
main (int   argc,
      char *argv[])
{
  postier_ui_test_init (&argc, &argv);

  g_test_add_func ("/ui/outbox/deferred-entry", test_outbox_shows_deferred_entry);
  g_test_add_func ("/ui/outbox/offline-banner", test_outbox_offline_banner);
  g_test_add_func ("/ui/outbox/long-subject", test_outbox_long_subject);
  g_test_add_func ("/ui/outbox/rows-follow-listing", test_outbox_rows_follow_listing);
  g_test_add_func ("/ui/setup/validates-and-stores-password",
                   test_setup_validates_and_stores_password);
  g_test_add_func ("/ui/setup/first-run", test_setup_screenshot);
  g_test_add_func ("/ui/sandbox/message-and-checks", test_sandbox_lists_message_with_checks);
  g_test_add_func ("/ui/views/french", test_views_french);
  return postier_ui_test_run ();
}
