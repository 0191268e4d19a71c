/* postier-application.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "postier-application"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "postier-accessible.h"
#include "postier-application-private.h"
#include "postier-build-env.h"
#include "postier-core.h"
#include "postier-resources.h"
#include "postier-settings.h"
#include "postier-window.h"

G_DEFINE_FINAL_TYPE (PostierApplication, postier_application, ADW_TYPE_APPLICATION)

void
postier_application_init_i18n (void)
{
  const char *localedir = postier_build_getenv ("POSTIER_LOCALEDIR");

  /* POSTIER_LOCALEDIR lets `make run` and the tests use the build's
   * catalogues without installing them; an installed app ignores it. */
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
}

PostierApplication *
postier_application_new (void)
{
  return g_object_new (POSTIER_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", "/io/github/postier/Postier",
                       NULL);
}

PostierAccountStore *
postier_application_get_account_store (PostierApplication *self)
{
  g_return_val_if_fail (POSTIER_IS_APPLICATION (self), NULL);
  return self->accounts;
}

PostierOutbox *
postier_application_get_outbox (PostierApplication *self)
{
  g_return_val_if_fail (POSTIER_IS_APPLICATION (self), NULL);
  return self->outbox;
}

static PostierWindow *
get_or_create_window (PostierApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window == NULL)
    window = GTK_WINDOW (postier_window_new (GTK_APPLICATION (self), self->accounts, self->outbox,
                                             self->address_book, self->submitter));
  return POSTIER_WINDOW (window);
}

static void
postier_application_activate (GApplication *app)
{
  PostierApplication *self = POSTIER_APPLICATION (app);
  gboolean first_window = gtk_application_get_active_window (GTK_APPLICATION (self)) == NULL;
  PostierWindow *window = get_or_create_window (self);

  gtk_window_present (GTK_WINDOW (window));
  if (first_window)
    {
      /* Ready to type the first recipient (or go on with a restored
       * draft), not on the header bar's first button. */
      postier_composer_focus (postier_window_get_composer (window));
      postier_window_maybe_first_run (window);
    }
}

static void
postier_application_open (GApplication  *app,
                          GFile        **files,
                          int            n_files,
                          const char    *hint)
{
  PostierApplication *self = POSTIER_APPLICATION (app);
  PostierWindow *window = get_or_create_window (self);

  (void) hint;
  for (int i = 0; i < n_files; i++)
    postier_window_open_file (window, files[i]);
  gtk_window_present (GTK_WINDOW (window));
}

static const struct {
  const char *action;
  const char *accels[3];
} accels[] = {
  { "app.quit", { "<Primary>q", NULL } },
  { "app.preferences", { "<Primary>comma", NULL } },
  { "app.help", { "F1", NULL } },
  { "win.new-message", { "<Primary>n", NULL } },
  { "window.close", { "<Primary>w", NULL } },
  { "win.show-page::compose", { "<Alt>1", NULL } },
  { "win.show-page::outbox", { "<Alt>2", NULL } },
  { "win.show-page::sent", { "<Alt>3", NULL } },
  { "win.show-page::sandbox", { "<Alt>4", NULL } },
};

static void
postier_application_startup (GApplication *app)
{
  PostierApplication *self = POSTIER_APPLICATION (app);
  g_autoptr(GError) error = NULL;

  G_APPLICATION_CLASS (postier_application_parent_class)->startup (app);
  /* Before any window reads its size or the composer its options. */
  postier_settings_migrate (NULL);
  postier_accessible_install ();
  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (self), accels[i].action,
                                           accels[i].accels);

  self->accounts = postier_account_store_new (NULL);
  if (!postier_account_store_load (self->accounts, &error))
    g_warning ("Cannot read the accounts: %s", error->message);
  self->outbox = postier_outbox_new (NULL);
  self->address_book = postier_address_book_new (NULL);
  g_clear_error (&error);
  if (!postier_address_book_load (self->address_book, &error))
    g_warning ("Cannot read the addresses used before: %s", error->message);

  _postier_application_start_delivery (self);
}

static void
postier_application_shutdown (GApplication *app)
{
  PostierApplication *self = POSTIER_APPLICATION (app);

  _postier_application_stop_delivery (self);
  G_APPLICATION_CLASS (postier_application_parent_class)->shutdown (app);

  g_clear_object (&self->address_book);
  g_clear_object (&self->outbox);
  g_clear_object (&self->accounts);
}

static int
postier_application_handle_local_options (GApplication *app,
                                          GVariantDict *options)
{
  g_autoptr(GError) error = NULL;

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("postier %s\n", PACKAGE_VERSION);
      return 0;
    }
  if (g_variant_dict_contains (options, "new-message"))
    {
      /* Runs in the primary instance, started or already running. */
      if (!g_application_register (app, NULL, &error))
        {
          g_printerr ("postier: %s\n", error->message);
          return 1;
        }
      g_action_group_activate_action (G_ACTION_GROUP (app), "new-message", NULL);
      return 0;
    }
  return -1;
}

static void
quit_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  PostierApplication *self = user_data;
  g_autoptr(GList) windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (self)));

  (void) action;
  (void) parameter;
  /* Closing the windows (rather than g_application_quit) lets each one save
   * its state and lets pending mail keep the app alive. */
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (l->data);
}

static void
new_message_activated (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  PostierApplication *self = user_data;
  PostierWindow *window = get_or_create_window (self);

  (void) action;
  (void) parameter;
  gtk_window_present (GTK_WINDOW (window));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.new-message", NULL);
}

static void
about_activated (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  PostierApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  static const char *developers[] = { "The Postier developers https://github.com/postier/postier", NULL };

  (void) action;
  (void) parameter;
  adw_show_about_window (parent,
                         "application-name", "Postier",
                         "application-icon", APPLICATION_ID,
                         "version", PACKAGE_VERSION,
                         "developer-name", "The Postier developers",
                         "developers", developers,
                         "documenters", developers,
                         "website", POSTIER_WEBSITE,
                         "issue-url", POSTIER_ISSUE_URL,
                         "comments", _("Write mail and send it through your SMTP relay, now or when you are back online."),
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "copyright", "© 2026 The Postier developers",
                         /* Translators: replace with your names, one per line. */
                         "translator-credits", _("translator-credits"),
                         NULL);
}

/* F1 and the menu's Help item: the Mallard pages installed for Yelp
 * (help/, gnome.yelp). */
static void
help_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  PostierApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));

  (void) action;
  (void) parameter;
  gtk_show_uri (parent, "help:" APPLICATION_ID, GDK_CURRENT_TIME);
}

static void
preferences_activated (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  PostierApplication *self = user_data;
  PostierWindow *window = get_or_create_window (self);

  (void) action;
  (void) parameter;
  postier_window_show_preferences (window);
}

static void
add_account_activated (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  PostierApplication *self = user_data;
  PostierWindow *window = get_or_create_window (self);

  (void) action;
  (void) parameter;
  postier_window_show_account_setup (window, FALSE);
}

static void
show_page_activated (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  PostierApplication *self = user_data;
  PostierWindow *window = get_or_create_window (self);

  (void) action;
  gtk_window_present (GTK_WINDOW (window));
  postier_window_show_page (window, g_variant_get_string (parameter, NULL));
}

static const GActionEntry app_actions[] = {
  { "quit", quit_activated, NULL, NULL, NULL, { 0 } },
  { "new-message", new_message_activated, NULL, NULL, NULL, { 0 } },
  { "about", about_activated, NULL, NULL, NULL, { 0 } },
  { "help", help_activated, NULL, NULL, NULL, { 0 } },
  { "preferences", preferences_activated, NULL, NULL, NULL, { 0 } },
  { "add-account", add_account_activated, NULL, NULL, NULL, { 0 } },
  { "show-page", show_page_activated, "s", NULL, NULL, { 0 } },
};

static void
postier_application_window_removed (GtkApplication *app,
                                    GtkWindow      *window)
{
  PostierApplication *self = POSTIER_APPLICATION (app);

  GTK_APPLICATION_CLASS (postier_application_parent_class)->window_removed (app, window);
  /* Another window stays: counted off the main thread, which it needs (a
   * large outbox took a tenth of a second to read). */
  if (gtk_application_get_windows (app) != NULL)
    {
      _postier_application_check_pending (self);
      return;
    }
  /* The last one went: decided now, not in an idle, as the main loop
   * would end before an idle ran. */
  _postier_application_update_hold (self);
  if (self->held_for_outbox)
    {
      g_autoptr(GNotification) notification = g_notification_new (_("Postier is still sending"));

      g_notification_set_body (notification,
                               _("Messages in the outbox will go out in the background; "
                                 "Postier quits once they are sent."));
      g_notification_set_default_action_and_target (notification, "app.show-page", "s", "outbox");
      g_application_send_notification (G_APPLICATION (self), "background", notification);
    }
}

static void
postier_application_class_init (PostierApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  app_class->startup = postier_application_startup;
  app_class->shutdown = postier_application_shutdown;
  app_class->activate = postier_application_activate;
  app_class->open = postier_application_open;
  app_class->handle_local_options = postier_application_handle_local_options;
  GTK_APPLICATION_CLASS (klass)->window_removed = postier_application_window_removed;

  /* Registered by hand: the resources live in a static library, where a
   * constructor-only object file could be dropped by the linker. */
  postier_register_resource ();
}

static void
postier_application_init (PostierApplication *self)
{
  static const GOptionEntry options[] = {
    { "new-message", 'n', 0, G_OPTION_ARG_NONE, NULL, N_("Open a new message"), NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Print the version and exit"), NULL },
    G_OPTION_ENTRY_NULL
  };

  g_application_add_main_option_entries (G_APPLICATION (self), options);
  g_application_set_option_context_parameter_string (G_APPLICATION (self),
                                                     _("[mailto:URI | FILE.eml]"));
  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
}
