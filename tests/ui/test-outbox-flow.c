/* test-outbox-flow.c — what happens to a message after Send, as the person
 * sees it: taken back from the outbox to be edited and sent again, fixed
 * in Preferences after the relay refused the password, sending with
 * progress, the transcript, notifications, and the possible-duplicate line
 *
 * Relays are the rig's Postfix and, for what Postfix will not do on
 * demand (read slowly, refuse a recipient), a small scripted relay on
 * loopback in this program.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/socket.h>

#include "postier-account-editor.h"
#include "postier-composer.h"
#include "postier-core.h"
#include "postier-outbox-private.h"
#include "postier-outbox-view.h"
#include "postier-preferences.h"
#include "postier-sent-view.h"
#include "postier-test.h"
#include "postier-transcript-window.h"
#include "postier-ui-test.h"

/* The keyring is shared by test programs that run in parallel; accounts
 * here have names no other program uses. */
#define RIG_ACCOUNT    "Rig-outbox"
#define WRONG_PASSWORD "not the password"

/* --- A scripted relay ------------------------------------------------------ */

typedef enum {
  RELAY_ACCEPT,           /* 250 to everything */
  RELAY_SLOW_THEN_DEFER,  /* reads the data slowly, then 451 */
  RELAY_REFUSE_RECIPIENT, /* 550 to every RCPT */
} RelayMode;

typedef struct {
  GSocket   *listener;
  GThread   *thread;
  RelayMode  mode;
  guint      port;
  gint       stop;
  gint       messages;   /* ended with "." */
} FakeRelay;

static gboolean
relay_write (GOutputStream *out,
             const char    *text)
{
  return g_output_stream_write_all (out, text, strlen (text), NULL, NULL, NULL);
}

/* Reads one line (CRLF or LF), without its end; NULL at end of stream. */
static char *
relay_read_line (GDataInputStream *in)
{
  g_autofree char *line = g_data_input_stream_read_line (in, NULL, NULL, NULL);
  gsize len = line != NULL ? strlen (line) : 0;

  if (len > 0 && line[len - 1] == '\r')
    line[len - 1] = '\0';
  return g_steal_pointer (&line);
}

static void
relay_serve (FakeRelay *relay,
             GSocket   *socket)
{
  g_autoptr(GSocketConnection) connection = g_socket_connection_factory_create_connection (socket);
  g_autoptr(GDataInputStream) in =
    g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (connection)));
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  char *line;

  g_data_input_stream_set_newline_type (in, G_DATA_STREAM_NEWLINE_TYPE_LF);
  relay_write (out, "220 fake.example ESMTP test relay\r\n");
  while ((line = relay_read_line (in)) != NULL)
    {
      g_autofree char *command = line;

      if (g_ascii_strncasecmp (command, "EHLO", 4) == 0)
        relay_write (out, "250-fake.example\r\n250-8BITMIME\r\n250 SIZE 100000000\r\n");
      else if (g_ascii_strncasecmp (command, "MAIL", 4) == 0 ||
               g_ascii_strncasecmp (command, "RSET", 4) == 0 ||
               g_ascii_strncasecmp (command, "NOOP", 4) == 0)
        relay_write (out, "250 2.0.0 Ok\r\n");
      else if (g_ascii_strncasecmp (command, "RCPT", 4) == 0)
        relay_write (out, relay->mode == RELAY_REFUSE_RECIPIENT
                             ? "550 5.1.1 Recipient address rejected: no such mailbox here\r\n"
                             : "250 2.1.5 Ok\r\n");
      else if (g_ascii_strncasecmp (command, "DATA", 4) == 0)
        {
          gsize since_pause = 0;
          char *data_line;

          relay_write (out, "354 End data with <CR><LF>.<CR><LF>\r\n");
          while ((data_line = relay_read_line (in)) != NULL)
            {
              gboolean end = g_str_equal (data_line, ".");

              since_pause += strlen (data_line) + 2;
              g_free (data_line);
              if (end)
                break;
              /* About 1 MB/s, so sending takes a few seconds to watch. */
              if (relay->mode == RELAY_SLOW_THEN_DEFER && since_pause >= 32 * 1024)
                {
                  g_usleep (30 * 1000);
                  since_pause = 0;
                }
            }
          g_atomic_int_inc (&relay->messages);
          relay_write (out, relay->mode == RELAY_SLOW_THEN_DEFER
                               ? "451 4.3.0 Fake relay: out of disk space, try again later\r\n"
                               : "250 2.0.0 Ok: queued as FAKE1\r\n");
        }
      else if (g_ascii_strncasecmp (command, "QUIT", 4) == 0)
        {
          relay_write (out, "221 2.0.0 Bye\r\n");
          break;
        }
      else
        relay_write (out, "502 5.5.2 Command not recognized\r\n");
    }
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
}

static gpointer
relay_thread (gpointer data)
{
  FakeRelay *relay = data;

  while (!g_atomic_int_get (&relay->stop))
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GSocket) socket = g_socket_accept (relay->listener, NULL, &error);

      if (socket == NULL)
        continue;   /* the accept timeout: look at the stop flag again */
      g_socket_set_blocking (socket, TRUE);
      g_socket_set_timeout (socket, 30);
      relay_serve (relay, socket);
    }
  return NULL;
}

static FakeRelay *
fake_relay_start (RelayMode mode)
{
  FakeRelay *relay = g_new0 (FakeRelay, 1);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  relay->mode = mode;
  relay->listener = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                  G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  /* A small receive window (accepted sockets inherit it): the client's
   * writes then follow how fast this relay reads. */
  g_socket_set_option (relay->listener, SOL_SOCKET, SO_RCVBUF, 16 * 1024, NULL);
  g_assert_true (g_socket_bind (relay->listener, address, TRUE, &error));
  g_assert_true (g_socket_listen (relay->listener, &error));
  g_socket_set_timeout (relay->listener, 1);
  bound = g_socket_get_local_address (relay->listener, &error);
  g_assert_no_error (error);
  relay->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  relay->thread = g_thread_new ("fake-relay", relay_thread, relay);
  return relay;
}

static void
fake_relay_stop (FakeRelay *relay)
{
  g_atomic_int_set (&relay->stop, 1);
  g_thread_join (relay->thread);
  g_object_unref (relay->listener);
  g_free (relay);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FakeRelay, fake_relay_stop)

/* An account for the scripted relay: no TLS, allowed on loopback only. */
static void
add_fake_relay_account (const char *name,
                        guint       port)
{
  g_autoptr(PostierAccountStore) store = postier_account_store_new (NULL);
  g_autoptr(PostierAccount) account = postier_account_new (name);
  g_autoptr(GError) error = NULL;

  postier_account_set_identity (account, "Ann <ann@example.org>");
  postier_account_set_host (account, "127.0.0.1");
  postier_account_set_port (account, port);
  postier_account_set_security (account, POSTIER_SECURITY_NONE);
  postier_account_set_auth (account, POSTIER_AUTH_NONE);
  g_assert_true (postier_account_store_load (store, &error));
  g_assert_true (postier_account_store_add (store, account, TRUE, &error));
  g_assert_no_error (error);
}

/* --- The window ------------------------------------------------------------ */

typedef struct {
  PostierApplication *app;
  PostierWindow      *window;
  PostierComposer    *composer;
} Fixture;

static void
fixture_open (Fixture *f)
{
  f->app = postier_ui_test_application ();
  f->window = postier_ui_test_window (f->app);
  f->composer = postier_window_get_composer (f->window);
}

static void
fixture_close (Fixture *f)
{
  g_clear_pointer (&f->app, postier_ui_test_finish);
  f->window = NULL;
  f->composer = NULL;
}

static GtkWidget *
field (Fixture    *f,
       const char *id)
{
  GtkWidget *widget = postier_ui_test_find_by_id (GTK_WIDGET (f->composer), id);

  g_assert_nonnull (widget);
  return widget;
}

static void
set_text (Fixture    *f,
          const char *id,
          const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (field (f, id)), text);
}

static const char *
get_text (Fixture    *f,
          const char *id)
{
  return gtk_editable_get_text (GTK_EDITABLE (field (f, id)));
}

static void
set_body (Fixture    *f,
          const char *text)
{
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (field (f, "body_view"))),
                            text, -1);
}

/* Clicks a button the way the keyboard does (it emits "clicked" a moment
 * later), and lets that happen. */
static void
click (GtkWidget *button)
{
  postier_ui_test_click (button);
  postier_ui_test_spin (100);
}

static void
compose_and_send (Fixture    *f,
                  const char *subject,
                  GFile      *attachment)
{
  set_text (f, "to_entry", "Bob <bob@example.org>");
  set_text (f, "subject_entry", subject);
  set_body (f, "Hello Bob,\nsee the attachment.\n— Ann");
  if (attachment != NULL)
    postier_composer_attach_file (f->composer, attachment);
  postier_ui_test_spin (200);
  click (postier_ui_test_find_by_id (GTK_WIDGET (f->composer), "send_button"));
  g_assert_null (postier_composer_get_error (f->composer));
}

static PostierOutboxView *
show_outbox (Fixture *f)
{
  postier_window_show_page (f->window, "outbox");
  postier_ui_test_spin (100);
  return POSTIER_OUTBOX_VIEW (postier_window_get_page (f->window, "outbox"));
}

static PostierOutboxEntry *
only_entry (Fixture *f)
{
  g_autoptr(GPtrArray) entries = postier_outbox_list (postier_application_get_outbox (f->app), NULL);

  if (entries == NULL || entries->len != 1)
    return NULL;
  return g_object_ref (g_ptr_array_index (entries, 0));
}

typedef struct {
  Fixture            *fixture;
  PostierOutboxState  state;
} StateWait;

/* One message in the outbox, in STATE, and the submitter done with it. */
static gboolean
entry_settled_in (gpointer data)
{
  StateWait *wait = data;
  g_autoptr(PostierOutboxEntry) entry = only_entry (wait->fixture);

  return entry != NULL && postier_outbox_entry_get_state (entry) == wait->state &&
         !postier_submitter_is_busy (postier_application_get_submitter (wait->fixture->app));
}

static gboolean
outbox_empty (gpointer data)
{
  Fixture *f = data;
  g_autoptr(GPtrArray) entries = postier_outbox_list (postier_application_get_outbox (f->app), NULL);

  return entries != NULL && entries->len == 0;
}

/* The outbox row of the message with ID, its actions as the person finds
 * them: the row expanded. */
static GtkWidget *
outbox_row (PostierOutboxView *view,
            const char        *id)
{
  GtkWidget *row = postier_outbox_view_find_row (view, id);

  g_assert_true (row == NULL ||
                 g_strcmp0 (g_object_get_data (G_OBJECT (row), "postier-entry-id"), id) == 0);
  return row;
}

/* The button of ROOT bound to ACTION with the string TARGET. */
static GtkWidget *
find_action_button (GtkWidget  *root,
                    const char *action,
                    const char *target)
{
  if (GTK_IS_BUTTON (root) &&
      g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (root)), action) == 0)
    {
      GVariant *value = gtk_actionable_get_action_target_value (GTK_ACTIONABLE (root));

      if (target == NULL ||
          (value != NULL && g_strcmp0 (g_variant_get_string (value, NULL), target) == 0))
        return root;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_action_button (child, action, target);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *
find_labelled_button (GtkWidget  *root,
                      const char *label)
{
  if (GTK_IS_BUTTON (root) && gtk_widget_get_mapped (root) &&
      g_strcmp0 (gtk_button_get_label (GTK_BUTTON (root)), label) == 0)
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_labelled_button (child, label);

      if (found != NULL)
        return found;
    }
  return NULL;
}

typedef struct
{
  GtkWidget  *row;
  const char *action;
  const char *target;
} ButtonWait;

static gboolean
button_mapped (gpointer data)
{
  ButtonWait *wait = data;
  GtkWidget *button = find_action_button (wait->row, wait->action, wait->target);

  return button != NULL && gtk_widget_get_mapped (button);
}

static GtkWidget *
expanded_row_button (PostierOutboxView *view,
                     const char        *id,
                     const char        *action)
{
  GtkWidget *row;

  g_assert_true (postier_ui_test_wait_for_row (view, id, "", 5000));
  row = outbox_row (view, id);
  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (row), TRUE);
  {
    ButtonWait button_wait = { row, action, id };

    /* The row's revealer shows its buttons a few frames later. */
    g_assert_true (postier_ui_test_wait_for (button_mapped, &button_wait, 5000));
  }
  return find_action_button (row, action, id);
}

/* The toplevel of TYPE shown last. */
static GtkWindow *
find_toplevel (GType type)
{
  GtkWindow *found = NULL;
  GListModel *toplevels = gtk_window_get_toplevels ();  /* transfer none */

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) && gtk_widget_get_visible (GTK_WIDGET (window)))
        found = window;
    }
  return found;
}

/* --- Delivery to the rig -------------------------------------------------- */

typedef struct {
  const char *needle;
  char       *found;
} Delivery;

static gboolean
delivered (gpointer data)
{
  Delivery *d = data;
  g_autofree char *new_dir = g_build_filename (postier_test_rig ("MAILDIR"), "new", NULL);
  g_autoptr(GDir) dir = g_dir_open (new_dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (new_dir, name, NULL);
      g_autofree char *contents = NULL;

      if (postier_test_maildir_is_recent (path) && g_file_get_contents (path, &contents, NULL, NULL) &&
          strstr (contents, d->needle) != NULL)
        {
          d->found = g_steal_pointer (&path);
          return TRUE;
        }
    }
  return FALSE;
}

static gboolean
have_rig (void)
{
  return postier_test_rig ("MAILDIR") != NULL && postier_test_rig ("SUBMISSION_PORT") != NULL &&
         postier_test_rig ("KEYRING") != NULL && postier_test_rig ("PASSWORD") != NULL;
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

static gboolean
path_gone (gpointer data)
{
  return !g_file_test (data, G_FILE_TEST_EXISTS);
}

/* --- Edit: back to the composer, then sent again ----------------------------- */

static void
select_from (Fixture    *f,
             const char *account_name)
{
  AdwComboRow *from = ADW_COMBO_ROW (field (f, "from_row"));
  GListModel *model = adw_combo_row_get_model (from);
  g_autofree char *suffix = g_strdup_printf (" — %s", account_name);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(GtkStringObject) item = g_list_model_get_item (model, i);

      if (g_str_has_suffix (gtk_string_object_get_string (item), suffix))
        {
          adw_combo_row_set_selected (from, i);
          return;
        }
    }
  g_assert_not_reached ();
}

static const char *
selected_from (Fixture *f)
{
  AdwComboRow *from = ADW_COMBO_ROW (field (f, "from_row"));

  return gtk_string_object_get_string (GTK_STRING_OBJECT (adw_combo_row_get_selected_item (from)));
}

static void
test_edit_opens_the_composer_and_sends_again (void)
{
  Fixture f = { 0 };
  g_autoptr(PostierAccountStore) store = NULL;
  g_autoptr(PostierOutboxEntry) entry = NULL;
  g_autoptr(JsonObject) parsed = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(PostierDraft) draft = NULL;
  g_autofree char *tag = g_strdup_printf ("edit-%d-%" G_GINT64_FORMAT, getpid (), g_get_real_time ());
  g_autofree char *attachment = g_build_filename (g_get_user_cache_dir (), "plan été.pdf", NULL);
  g_autofree char *sha = NULL;
  g_autofree char *id = NULL;
  g_autofree char *draft_path = NULL;
  g_autofree char *files_dir = NULL;
  g_autofree char *subject = NULL;
  g_autofree char *size_text = g_format_size (30000);
  g_autofree char *drafts = NULL;
  GtkWidget *edit;
  JsonArray *attachments;
  JsonObject *attached;
  Delivery d = { 0 };
  StateWait deferred = { &f, POSTIER_OUTBOX_STATE_DEFERRED };
  PostierOutboxView *view;

  if (!postier_ui_test_have_display () || !have_rig ())
    return;
  postier_ui_test_reset_files ();
  /* Two accounts: the rig's Postfix, and the default one whose relay is
   * down, so the message waits in the outbox. */
  store = postier_test_add_rig_account (RIG_ACCOUNT, 0, NULL);
  {
    g_autoptr(PostierAccount) down = postier_account_new ("Down");

    postier_account_set_identity (down, "Ann <ann@example.org>");
    postier_account_set_host (down, "127.0.0.1");
    postier_account_set_port (down, postier_test_dead_port ());
    postier_account_set_security (down, POSTIER_SECURITY_NONE);
    postier_account_set_auth (down, POSTIER_AUTH_NONE);
    g_assert_true (postier_account_store_add (store, down, TRUE, NULL));
  }
  {
    g_autofree char *contents = g_malloc (30000);

    for (guint i = 0; i < 30000; i++)
      contents[i] = (char) ((i * 7919u) >> 3);
    g_assert_true (g_file_set_contents (attachment, contents, 30000, NULL));
    sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, 30000);
  }
  file = g_file_new_for_path (attachment);

  fixture_open (&f);
  compose_and_send (&f, "Plans for the summer", file);
  g_assert_true (postier_ui_test_wait_for (entry_settled_in, &deferred, 30000));
  entry = only_entry (&f);
  id = g_strdup (postier_outbox_entry_get_id (entry));

  /* Edit, in the outbox: the message leaves the outbox and is back in the
   * composer, every field as it was, its attachment with its size. */
  view = show_outbox (&f);
  /* The row as the person sees it once the try is over: the view reloads
   * after the submitter's word, which may come after the test's. */
  g_assert_true (postier_ui_test_wait_for_row (view, id, "Waiting to retry", 10000));
  edit = expanded_row_button (view, id, "outbox.edit");
  click (edit);
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (
                     ADW_VIEW_STACK (gtk_widget_get_ancestor (GTK_WIDGET (f.composer),
                                                              ADW_TYPE_VIEW_STACK))), ==, "compose");
  g_assert_true (postier_ui_test_wait_for (outbox_empty, &f, 5000));
  {
    g_autofree char *text = postier_ui_test_visible_text (GTK_WIDGET (f.window));

    g_assert_nonnull (strstr (text, "Taken out of the outbox: change it, then send it again"));
  }
  g_assert_cmpstr (get_text (&f, "to_entry"), ==, "Bob <bob@example.org>");
  g_assert_cmpstr (get_text (&f, "subject_entry"), ==, "Plans for the summer");
  g_assert_true (g_str_has_suffix (selected_from (&f), " — Down"));
  draft = postier_composer_dup_draft (f.composer);
  g_assert_cmpstr (postier_draft_get_body (draft), ==, "Hello Bob,\nsee the attachment.\n— Ann");
  g_assert_cmpuint (postier_draft_get_n_attachments (draft), ==, 1);
  g_assert_true (g_str_has_suffix (postier_draft_get_attachment (draft, 0), "plan été.pdf"));
  postier_ui_test_spin (200);
  {
    g_autofree char *text = postier_ui_test_visible_text (GTK_WIDGET (f.composer));

    g_assert_nonnull (strstr (text, "plan été.pdf"));
    g_assert_nonnull (strstr (text, size_text));
  }
  /* Kept on disk as a draft the whole time. */
  drafts = postier_data_dir ("drafts");
  draft_path = g_strdup_printf ("%s/outbox-%s.draft", drafts, id);
  files_dir = g_strconcat (draft_path, ".files", NULL);
  g_assert_true (g_file_test (draft_path, G_FILE_TEST_EXISTS));
  postier_ui_test_screenshot_window (GTK_WINDOW (f.window), "composer-edited-from-outbox");

  /* The person changes the subject, picks the account that works, sends. */
  subject = g_strdup_printf ("Plans for the summer (%s)", tag);
  set_text (&f, "subject_entry", subject);
  select_from (&f, RIG_ACCOUNT);
  click (postier_ui_test_find_by_id (GTK_WIDGET (f.composer), "send_button"));
  g_assert_null (postier_composer_get_error (f.composer));
  g_assert_true (postier_composer_is_empty (f.composer));

  d.needle = tag;
  g_assert_true (postier_ui_test_wait_for (delivered, &d, 30000));
  parsed = postier_test_parse_message (d.found);
  attachments = json_object_get_array_member (parsed, "attachments");
  g_assert_cmpuint (json_array_get_length (attachments), ==, 1);
  attached = json_array_get_object_element (attachments, 0);
  g_assert_cmpstr (json_object_get_string_member (attached, "filename"), ==, "plan été.pdf");
  g_assert_cmpstr (json_object_get_string_member (attached, "sha256"), ==, sha);
  g_assert_cmpstr (json_object_get_string_member (parsed, "body"), ==,
                   "Hello Bob,\nsee the attachment.\n— Ann\n");

  /* Once in the outbox again, the draft and its attachment copies go. */
  g_assert_true (postier_ui_test_wait_for (path_gone, draft_path, 10000));
  g_assert_true (postier_ui_test_wait_for (path_gone, files_dir, 10000));
  g_assert_true (postier_ui_test_wait_for (outbox_empty, &f, 30000));
  g_free (d.found);
  fixture_close (&f);
}

/* --- A refused password, fixed in Preferences -------------------------------- */

static gboolean
window_shown (gpointer data)
{
  return find_toplevel (GPOINTER_TO_SIZE (data)) != NULL;
}

static gboolean
transcript_loaded (gpointer data)
{
  GtkWidget *stack = postier_ui_test_find_by_id (data, "stack");

  return g_strcmp0 (gtk_stack_get_visible_child_name (GTK_STACK (stack)), "text") == 0;
}

static char *
text_view_text (GtkWidget *view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (view));
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

/* Chooses the From entry whose label holds NEEDLE, as the person does. */
static void
choose_from (Fixture    *f,
             const char *needle)
{
  AdwComboRow *from = ADW_COMBO_ROW (postier_ui_test_find_by_id (GTK_WIDGET (f->composer), "from_row"));
  GListModel *model = adw_combo_row_get_model (from);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(GtkStringObject) item = g_list_model_get_item (model, i);

      if (strstr (gtk_string_object_get_string (item), needle) != NULL)
        {
          adw_combo_row_set_selected (from, i);
          return;
        }
    }
  g_error ("no From choice with “%s”", needle);
}

static void
test_password_fixed_in_preferences (void)
{
  Fixture f = { 0 };
  g_autoptr(PostierAccountStore) store = NULL;
  g_autoptr(PostierOutboxEntry) entry = NULL;
  g_autofree char *tag = g_strdup_printf ("auth-%d-%" G_GINT64_FORMAT, getpid (), g_get_real_time ());
  g_autofree char *subject = NULL;
  g_autofree char *id = NULL;
  g_autofree char *transcript = NULL;
  g_autofree char *stored = NULL;
  const char *account_name = RIG_ACCOUNT "-auth";
  StateWait attention = { &f, POSTIER_OUTBOX_STATE_NEEDS_ATTENTION };
  PostierOutboxView *view;
  PostierPreferences *preferences;
  GtkWindow *transcript_window;
  GtkWidget *password_row, *save, *revealer, *attention_button;
  Delivery d = { 0 };

  if (!postier_ui_test_have_display () || !have_rig ())
    return;
  postier_ui_test_reset_files ();
  store = postier_test_add_rig_account (account_name, 0, WRONG_PASSWORD);
  fixture_open (&f);

  subject = g_strdup_printf ("Budget (%s)", tag);
  compose_and_send (&f, subject, NULL);
  g_assert_true (postier_ui_test_wait_for (entry_settled_in, &attention, 30000));
  entry = only_entry (&f);
  id = g_strdup (postier_outbox_entry_get_id (entry));

  /* The outbox says what is wrong, in the relay's words. */
  view = show_outbox (&f);
  g_assert_true (postier_ui_test_wait_for_row (view, id, "Needs attention — check the account settings", 5000));
  g_assert_true (postier_ui_test_wait_for_row (view, id, "535", 5000));

  /* The transcript shows the dialogue, the password never. */
  click (expanded_row_button (view, id, "outbox.transcript"));
  g_assert_true (postier_ui_test_wait_for (window_shown,
                                           GSIZE_TO_POINTER (POSTIER_TYPE_TRANSCRIPT_WINDOW), 5000));
  transcript_window = find_toplevel (POSTIER_TYPE_TRANSCRIPT_WINDOW);
  g_assert_true (postier_ui_test_wait_for (transcript_loaded, transcript_window, 5000));
  transcript = text_view_text (postier_ui_test_find_by_id (GTK_WIDGET (transcript_window),
                                                           "text_view"));
  g_test_message ("%s", transcript);
  g_assert_nonnull (strstr (transcript, "STARTTLS"));
  g_assert_nonnull (strstr (transcript, "AUTH PLAIN"));
  g_assert_nonnull (strstr (transcript, "535"));
  g_assert_null (strstr (transcript, WRONG_PASSWORD));
  {
    g_autofree char *encoded = NULL;
    g_autofree char *plain = g_strdup_printf ("%c%s%c%s", '\0', postier_test_rig ("USER"), '\0',
                                              WRONG_PASSWORD);

    encoded = g_base64_encode ((const guchar *) plain, 2 + strlen (postier_test_rig ("USER")) +
                                                       strlen (WRONG_PASSWORD));
    g_assert_null (strstr (transcript, encoded));
  }
  postier_ui_test_screenshot_window (transcript_window, "transcript");
  gtk_window_close (transcript_window);

  /* The composer warns while From is this account, with the row's button
   * (the account's page in Preferences). */
  postier_window_show_page (f.window, "compose");
  revealer = postier_ui_test_find_by_id (GTK_WIDGET (f.composer), "attention_revealer");
  g_assert_true (postier_ui_test_wait_for (postier_ui_test_revealed, revealer, 10000));
  g_assert_true (postier_ui_test_wait_for_text (revealer, "The server refused this account’s password", 5000));
  attention_button = postier_ui_test_find_by_id (revealer, "attention_button");
  g_assert_true (gtk_widget_get_visible (attention_button));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (attention_button)), ==, "Sign _In Again");
  postier_ui_test_spin (g_getenv ("POSTIER_SCREENSHOT_DIR") != NULL ? 600 : 0);
  postier_ui_test_screenshot_window (GTK_WINDOW (f.window), "composer-password-refused");
  /* Another From hides it; choosing the account again shows it at once,
   * from the outbox view's listing (no new listing of the outbox). */
  choose_from (&f, "Sandbox");
  g_assert_false (gtk_revealer_get_reveal_child (GTK_REVEALER (revealer)));
  choose_from (&f, account_name);
  g_assert_true (gtk_revealer_get_reveal_child (GTK_REVEALER (revealer)));

  /* Preferences, Edit, the right password, Save: the keyring has it and
   * the message goes by itself, with no Retry. */
  postier_window_show_preferences (f.window);
  g_assert_true (postier_ui_test_wait_for (window_shown,
                                           GSIZE_TO_POINTER (POSTIER_TYPE_PREFERENCES), 5000));
  preferences = POSTIER_PREFERENCES (find_toplevel (POSTIER_TYPE_PREFERENCES));
  click (find_action_button (GTK_WIDGET (preferences), "preferences.edit-account", account_name));
  password_row = postier_ui_test_find_by_id (GTK_WIDGET (preferences), "password_row");
  g_assert_nonnull (password_row);
  gtk_editable_set_text (GTK_EDITABLE (password_row), postier_test_rig ("PASSWORD"));
  save = find_labelled_button (GTK_WIDGET (preferences), "_Save");
  click (save);

  d.needle = tag;
  g_assert_true (postier_ui_test_wait_for (delivered, &d, 30000));
  g_assert_true (postier_ui_test_wait_for (outbox_empty, &f, 30000));
  stored = keyring_lookup (account_name, "localhost", postier_test_rig ("USER"));
  g_assert_cmpstr (stored, ==, postier_test_rig ("PASSWORD"));
  /* Nothing waits any more: the warning goes. */
  g_assert_true (postier_ui_test_wait_for (postier_ui_test_not_revealed, revealer, 10000));

  g_free (d.found);
  gtk_window_destroy (GTK_WINDOW (preferences));
  fixture_close (&f);
}

/* --- Sending, with progress; the relay defers ------------------------------- */

typedef struct {
  PostierOutboxView *view;
  const char        *id;
  double             fraction;
} ProgressWait;

/* The row of the message being sent shows a bar partly filled. */
static gboolean
progress_shown (gpointer data)
{
  ProgressWait *wait = data;
  GtkWidget *row = outbox_row (wait->view, wait->id);
  GtkWidget *bar = row != NULL ? g_object_get_data (G_OBJECT (row), "postier-progress-bar") : NULL;

  if (bar == NULL || !gtk_widget_get_mapped (bar))
    return FALSE;
  wait->fraction = gtk_progress_bar_get_fraction (GTK_PROGRESS_BAR (bar));
  return wait->fraction > 0.0 && wait->fraction < 1.0;
}

static gboolean
first_entry_id (gpointer data)
{
  Fixture *f = ((gpointer *) data)[0];
  char **id = ((gpointer *) data)[1];
  g_autoptr(PostierOutboxEntry) entry = only_entry (f);

  if (entry == NULL)
    return FALSE;
  g_free (*id);
  *id = g_strdup (postier_outbox_entry_get_id (entry));
  return TRUE;
}

static void
test_sending_progress_then_deferred (void)
{
  Fixture f = { 0 };
  g_autoptr(FakeRelay) relay = NULL;
  g_autoptr(GFile) file = NULL;
  g_autofree char *attachment = g_build_filename (g_get_user_cache_dir (), "photos.bin", NULL);
  g_autofree char *id = NULL;
  g_autofree char *transcript = NULL;
  gpointer id_wait[2];
  StateWait deferred = { &f, POSTIER_OUTBOX_STATE_DEFERRED };
  ProgressWait progress;
  PostierOutboxView *view;
  GtkWindow *transcript_window;

  if (!postier_ui_test_have_display ())
    return;
  postier_ui_test_reset_files ();
  relay = fake_relay_start (RELAY_SLOW_THEN_DEFER);
  add_fake_relay_account ("Slow", relay->port);
  {
    gsize size = 3 * 1024 * 1024;
    g_autofree char *contents = g_malloc (size);

    for (gsize i = 0; i < size; i++)
      contents[i] = (char) (i * 31 + (i >> 9));
    g_assert_true (g_file_set_contents (attachment, contents, size, NULL));
  }
  file = g_file_new_for_path (attachment);

  fixture_open (&f);
  view = show_outbox (&f);
  postier_window_show_page (f.window, "compose");
  compose_and_send (&f, "Holiday photos", file);
  id_wait[0] = &f;
  id_wait[1] = &id;
  g_assert_true (postier_ui_test_wait_for (first_entry_id, id_wait, 10000));
  view = show_outbox (&f);

  /* While it goes out, the row shows how far it got. */
  progress = (ProgressWait) { view, id, 0 };
  g_assert_true (postier_ui_test_wait_for (progress_shown, &progress, 20000));
  g_test_message ("progress seen: %.2f", progress.fraction);
  /* The words say the same as the bar. */
  {
    GtkWidget *row = outbox_row (view, id);
    GtkWidget *bar = g_object_get_data (G_OBJECT (row), "postier-progress-bar");
    int permille = (int) (gtk_progress_bar_get_fraction (GTK_PROGRESS_BAR (bar)) * 1000 + 0.5);
    g_autofree char *words = g_strdup_printf ("Sending… %d%%", permille / 10);
    g_autofree char *text = postier_ui_test_visible_text (row);

    g_test_message ("%s", text);
    g_assert_nonnull (strstr (text, words));
  }
  postier_ui_test_screenshot_window (GTK_WINDOW (f.window), "outbox-sending");

  /* The relay said "try later": deferred, with its words and the next try. */
  g_assert_true (postier_ui_test_wait_for (entry_settled_in, &deferred, 60000));
  g_assert_true (postier_ui_test_wait_for_row (view, id, "out of disk space, try again later", 5000));
  g_assert_true (postier_ui_test_wait_for_row (view, id, "Waiting to retry — next attempt at ", 5000));
  g_assert_cmpint (g_atomic_int_get (&relay->messages), ==, 1);

  click (expanded_row_button (view, id, "outbox.transcript"));
  g_assert_true (postier_ui_test_wait_for (window_shown,
                                           GSIZE_TO_POINTER (POSTIER_TYPE_TRANSCRIPT_WINDOW), 5000));
  transcript_window = find_toplevel (POSTIER_TYPE_TRANSCRIPT_WINDOW);
  g_assert_true (postier_ui_test_wait_for (transcript_loaded, transcript_window, 5000));
  transcript = text_view_text (postier_ui_test_find_by_id (GTK_WIDGET (transcript_window),
                                                           "text_view"));
  g_assert_nonnull (strstr (transcript, "MAIL FROM:<ann@example.org>"));
  g_assert_nonnull (strstr (transcript, "RCPT TO:<bob@example.org>"));
  g_assert_nonnull (strstr (transcript, "451 4.3.0 Fake relay"));
  gtk_window_destroy (transcript_window);

  /* Stopped before the next attempt comes due. */
  postier_submitter_stop (postier_application_get_submitter (f.app));
  fixture_close (&f);
}

/* --- Notifications ------------------------------------------------------------ */

typedef struct {
  guint       before;
  const char *title;
  const char *found;
} NotificationWait;

/* The first notification since BEFORE whose text starts with TITLE: the
 * one an earlier test's window left behind when it closed with mail
 * waiting ("Postier is still sending") may land in between. */
static gboolean
notified (gpointer data)
{
  NotificationWait *wait = data;

  for (guint i = wait->before; i < postier_ui_test_n_notifications (); i++)
    if (g_str_has_prefix (postier_ui_test_notification (i), wait->title))
      {
        wait->found = postier_ui_test_notification (i);
        return TRUE;
      }
  return FALSE;
}

static void
test_refused_message_notifies (void)
{
  Fixture f = { 0 };
  g_autoptr(FakeRelay) relay = NULL;
  NotificationWait wait = { postier_ui_test_n_notifications (), "A message could not be sent\n", NULL };
  StateWait failed = { &f, POSTIER_OUTBOX_STATE_FAILED };
  const char *notification;

  if (!postier_ui_test_have_display ())
    return;
  postier_ui_test_reset_files ();
  relay = fake_relay_start (RELAY_REFUSE_RECIPIENT);
  add_fake_relay_account ("Strict", relay->port);
  fixture_open (&f);

  compose_and_send (&f, "Invitation", NULL);
  g_assert_true (postier_ui_test_wait_for (entry_settled_in, &failed, 30000));
  g_assert_true (postier_ui_test_wait_for (notified, &wait, 5000));
  notification = wait.found;
  g_test_message ("%s", notification);
  g_assert_true (g_str_has_prefix (notification, "A message could not be sent\n“Invitation”: "));
  g_assert_nonnull (strstr (notification, "no such mailbox here"));
  fixture_close (&f);
}

static void
on_flush_left_mail (G_GNUC_UNUSED PostierSubmitter *submitter,
                    G_GNUC_UNUSED guint             sent,
                    guint                           unsent,
                    gpointer                        data)
{
  if (unsent > 0)
    *(gboolean *) data = TRUE;
}

static gboolean
flag_is_set (gpointer data)
{
  return *(gboolean *) data;
}

static void
test_sent_after_offline_notifies (void)
{
  Fixture f = { 0 };
  g_autoptr(FakeRelay) relay = NULL;
  g_autoptr(GNetworkMonitor) monitor = postier_test_network_monitor_new (FALSE);
  NotificationWait wait = { 0, "Waiting mail was sent\n", NULL };
  StateWait queued = { &f, POSTIER_OUTBOX_STATE_QUEUED };
  PostierSubmitter *submitter;
  const char *notification;
  gboolean offline_flush_done = FALSE;

  if (!postier_ui_test_have_display ())
    return;
  postier_ui_test_reset_files ();
  relay = fake_relay_start (RELAY_ACCEPT);
  add_fake_relay_account ("Office", relay->port);
  fixture_open (&f);
  submitter = postier_application_get_submitter (f.app);
  /* Offline, and the relay on loopback counts as out there. */
  postier_submitter_set_loopback_works_offline (submitter, FALSE);
  postier_submitter_set_network_monitor (submitter, monitor);

  g_signal_connect (submitter, "flush-finished", G_CALLBACK (on_flush_left_mail), &offline_flush_done);
  compose_and_send (&f, "Written on the train", NULL);
  g_assert_true (postier_ui_test_wait_for (entry_settled_in, &queued, 10000));
  /* The app learns that mail waits from the flush the folder monitor starts
   * (no queued id is relayed): the network comes back only after it, as it
   * does for a person, not in the same half second (a slow ASan build). */
  g_assert_true (postier_ui_test_wait_for (flag_is_set, &offline_flush_done, 10000));
  g_signal_handlers_disconnect_by_func (submitter, on_flush_left_mail, &offline_flush_done);
  g_assert_cmpint (g_atomic_int_get (&relay->messages), ==, 0);

  /* The connection returns: the message goes, and the desktop says so. */
  wait.before = postier_ui_test_n_notifications ();
  postier_test_network_monitor_set_available (monitor, TRUE);
  g_assert_true (postier_ui_test_wait_for (outbox_empty, &f, 30000));
  g_assert_true (postier_ui_test_wait_for (notified, &wait, 5000));
  notification = wait.found;
  g_test_message ("%s", notification);
  g_assert_cmpstr (notification, ==, "Waiting mail was sent\n1 message queued while offline went out.");
  g_assert_cmpint (g_atomic_int_get (&relay->messages), ==, 1);
  fixture_close (&f);
}

/* --- A possible duplicate -------------------------------------------------------- */

static gboolean
sent_has_items (gpointer data)
{
  return g_list_model_get_n_items (postier_sent_view_get_model (data)) > 0;
}

static void
test_possible_duplicate_is_shown (void)
{
  Fixture f = { 0 };
  g_autoptr(PostierAccountStore) store = NULL;
  g_autoptr(PostierOutbox) outbox = postier_outbox_new (NULL);
  g_autoptr(PostierEnvelope) envelope = postier_envelope_new ("alice@localhost");
  g_autoptr(PostierOutboxEntry) entry = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *tag = g_strdup_printf ("dup-%d-%" G_GINT64_FORMAT, getpid (), g_get_real_time ());
  g_autofree char *text = NULL;
  g_autofree char *shown = NULL;
  g_autofree char *id = NULL;
  g_autoptr(GBytes) message = NULL;
  PostierSentView *sent;
  Delivery d = { 0 };

  if (!postier_ui_test_have_display () || !have_rig ())
    return;
  postier_ui_test_reset_files ();
  store = postier_test_add_rig_account (RIG_ACCOUNT "-dup", 0, NULL);

  /* A message Postier was handing to the relay when it was killed: its
   * entry still says "sending". */
  text = g_strdup_printf ("From: Alice <alice@localhost>\r\nTo: bob@example.org\r\n"
                          "Subject: Minutes %s\r\nMessage-ID: <%s@localhost>\r\n"
                          "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
                          "\r\nThe minutes.\r\n", tag, tag);
  message = g_bytes_new (text, strlen (text));
  postier_envelope_add_recipient (envelope, "bob@example.org");
  id = postier_outbox_enqueue_bytes (outbox, RIG_ACCOUNT "-dup", envelope, message, NULL, &error);
  g_assert_no_error (error);
  entry = postier_outbox_lookup (outbox, id, &error);
  g_assert_no_error (error);
  g_assert_true (_postier_outbox_mark_sending (outbox, entry, &error));
  g_assert_no_error (error);

  /* The next start sends it again, and the Sent view says it may have
   * arrived twice. */
  fixture_open (&f);
  d.needle = tag;
  g_assert_true (postier_ui_test_wait_for (delivered, &d, 30000));
  postier_window_show_page (f.window, "sent");
  sent = POSTIER_SENT_VIEW (postier_window_get_page (f.window, "sent"));
  g_assert_true (postier_ui_test_wait_for (sent_has_items, sent, 10000));
  g_assert_true (postier_ui_test_wait_for_text (GTK_WIDGET (sent), tag, 10000));
  shown = postier_ui_test_visible_text (GTK_WIDGET (sent));
  g_test_message ("%s", shown);
  g_assert_nonnull (strstr (shown, tag));
  g_assert_nonnull (strstr (shown, "Some recipients may have received it twice."));
  g_assert_nonnull (strstr (shown, "through " RIG_ACCOUNT "-dup"));
  postier_ui_test_screenshot_window (GTK_WINDOW (f.window), "sent-possible-duplicate");
  g_free (d.found);
  fixture_close (&f);
}

int
main (int   argc,
      char *argv[])
{
  postier_ui_test_init (&argc, &argv);

  g_test_add_func ("/ui/outbox/edit-opens-the-composer-and-sends-again",
                   test_edit_opens_the_composer_and_sends_again);
  g_test_add_func ("/ui/outbox/password-fixed-in-preferences", test_password_fixed_in_preferences);
  g_test_add_func ("/ui/outbox/sending-progress-then-deferred", test_sending_progress_then_deferred);
  g_test_add_func ("/ui/notifications/refused-message", test_refused_message_notifies);
  g_test_add_func ("/ui/notifications/sent-after-offline", test_sent_after_offline_notifies);
  g_test_add_func ("/ui/sent/possible-duplicate", test_possible_duplicate_is_shown);
  return postier_ui_test_run ();
}
