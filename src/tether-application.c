/* tether-application.c: the application: app-wide actions (quit, about, preferences, new
 * window), keyboard accelerators, the colour scheme preference, ssh:// URIs handed over by
 * the desktop or the command line, and the host sessions (TetherSessionManager) that every
 * window's tabs share: one login per saved host for the whole app. */
#include "config.h"

#include <glib/gi18n.h>
#include <tether.h>

#include "tether-application.h"
#include "tether-preferences-window.h"
#include "tether-window.h"

#define TETHER_WEBSITE "https://github.com/tetherssh/tether"
#define TETHER_ISSUE_URL TETHER_WEBSITE "/issues"

struct _TetherApplication
{
  AdwApplication parent_instance;

  GSettings *settings;
  TetherSessionManager *sessions;
};

G_DEFINE_FINAL_TYPE (TetherApplication, tether_application, ADW_TYPE_APPLICATION)

/* The values of the color-scheme key, in the order of AdwColorScheme's choices below. */
static const struct {
  const char     *nick;
  AdwColorScheme  scheme;
} color_schemes[] = {
  { "system", ADW_COLOR_SCHEME_DEFAULT },
  { "light", ADW_COLOR_SCHEME_FORCE_LIGHT },
  { "dark", ADW_COLOR_SCHEME_FORCE_DARK },
};

static TetherWindow *
get_or_create_window (TetherApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (TETHER_IS_WINDOW (window))
    return TETHER_WINDOW (window);

  return tether_window_new (GTK_APPLICATION (self));
}

static void
update_color_scheme (TetherApplication *self)
{
  g_autofree char *nick = g_settings_get_string (self->settings, "color-scheme");
  AdwColorScheme scheme = ADW_COLOR_SCHEME_DEFAULT;

  for (gsize i = 0; i < G_N_ELEMENTS (color_schemes); i++) {
    if (g_str_equal (nick, color_schemes[i].nick))
      scheme = color_schemes[i].scheme;
  }

  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), scheme);
}

static void
on_color_scheme_changed (GSettings         *settings,
                         const char        *key,
                         TetherApplication *self)
{
  update_color_scheme (self);
}

static void
quit_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (user_data));

  if (windows == NULL)
    {
      g_application_quit (G_APPLICATION (user_data));
      return;
    }
  /* Closing asks about live sessions, window by window; the application ends
   * with its last window, so Ctrl+Q never drops a session unasked. */
  windows = g_list_copy (windows);
  for (GList *l = windows; l != NULL; l = l->next)
    g_object_ref (l->data);
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (l->data);
  g_list_free_full (windows, g_object_unref);
}

static void
new_window_activated (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  TetherWindow *window = tether_window_new (GTK_APPLICATION (user_data));

  gtk_window_present (GTK_WINDOW (window));
}

static void
preferences_activated (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (user_data));
  TetherPreferencesWindow *preferences = tether_preferences_window_new (parent);

  gtk_window_present (GTK_WINDOW (preferences));
}

static void
about_activated (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  static const char *developers[] = { "The Tether developers", NULL };
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (user_data));
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", parent,
                        "modal", TRUE,
                        "application-name", _("Tether"),
                        "application-icon", APP_ID,
                        "version", PACKAGE_VERSION,
                        "developer-name", _("The Tether developers"),
                        "developers", developers,
                        /* Translators: your names, one a line, shown in the About window */
                        "translator-credits", _("translator-credits"),
                        "comments", _("Terminals, port forwards and files over SSH"),
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "website", TETHER_WEBSITE,
                        "issue-url", TETHER_ISSUE_URL,
                        "copyright", _("© 2026 The Tether developers"),
                        NULL);

  gtk_window_present (GTK_WINDOW (about));
}

static const GActionEntry app_actions[] = {
  { .name = "quit", .activate = quit_activated },
  { .name = "new-window", .activate = new_window_activated },
  { .name = "preferences", .activate = preferences_activated },
  { .name = "about", .activate = about_activated },
};

/* The app's one table of accelerators: every shortcut that must work whatever has focus.
 * GTK matches these in the capture phase, before a focused terminal would take the key as
 * input, so none of them is a key a shell needs. (Keys a terminal uses itself, such as
 * Ctrl+W, are the window's class bindings instead: see tether-window-actions.c.) */
static const struct {
  const char *action;
  const char *accels[2];
} app_accels[] = {
  { "app.quit", { "<Control>q", NULL } },
  { "app.new-window", { "<Control><Shift>n", NULL } },
  { "app.preferences", { "<Control>comma", NULL } },
  { "win.new-tab", { "<Control><Shift>t", NULL } },
};

/* Sessions follow the auto-reconnect preference, including when it changes. */
static void
on_sessions_changed (GListModel        *sessions,
                     guint              position,
                     guint              removed,
                     guint              added,
                     TetherApplication *self)
{
  if (self->settings == NULL)
    return;

  for (guint i = position; i < position + added; i++) {
    g_autoptr(TetherHostSession) session = g_list_model_get_item (sessions, i);

    g_settings_bind (self->settings, "auto-reconnect", session, "auto-reconnect",
                     G_SETTINGS_BIND_GET);
  }
}

static void
tether_application_startup (GApplication *application)
{
  TetherApplication *self = TETHER_APPLICATION (application);

  G_APPLICATION_CLASS (tether_application_parent_class)->startup (application);

  g_set_application_name (_("Tether"));
  gtk_window_set_default_icon_name (APP_ID);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  for (gsize i = 0; i < G_N_ELEMENTS (app_accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (self), app_accels[i].action,
                                           app_accels[i].accels);

  self->settings = g_settings_new (APP_ID);
  g_signal_connect_object (self->settings, "changed::color-scheme",
                           G_CALLBACK (on_color_scheme_changed), self, G_CONNECT_DEFAULT);
  update_color_scheme (self);
  on_sessions_changed (G_LIST_MODEL (self->sessions), 0, 0,
                       g_list_model_get_n_items (G_LIST_MODEL (self->sessions)), self);
}

static void
tether_application_shutdown (GApplication *application)
{
  TetherApplication *self = TETHER_APPLICATION (application);

  /* Window sizes are written as windows close; make sure they reach the disk. */
  if (self->settings != NULL)
    g_settings_sync ();

  G_APPLICATION_CLASS (tether_application_parent_class)->shutdown (application);
}

static void
tether_application_activate (GApplication *application)
{
  TetherWindow *window = get_or_create_window (TETHER_APPLICATION (application));

  gtk_window_present (GTK_WINDOW (window));
}

static void
tether_application_open (GApplication  *application,
                         GFile        **files,
                         int            n_files,
                         const char    *hint)
{
  TetherWindow *window = get_or_create_window (TETHER_APPLICATION (application));

  gtk_window_present (GTK_WINDOW (window));

  for (int i = 0; i < n_files; i++) {
    g_autofree char *uri = g_file_get_uri (files[i]);
    g_autoptr(TetherHost) host = NULL;
    g_autoptr(GError) error = NULL;

    if (g_file_has_uri_scheme (files[i], "ssh"))
      host = tether_host_new_for_destination (uri, &error);
    else
      g_set_error (&error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("“%s” is not an ssh:// address"), uri);

    if (host != NULL) {
      tether_window_open_destination (window, host);
    } else {
      g_debug ("Cannot open %s: %s", uri, error->message);
      tether_window_add_toast (window, adw_toast_new (error->message));
    }
  }
}

/* `tether user@host:port` and `tether ALIAS` mean ssh://user@host:port and ssh://ALIAS:
 * rewritten here, in the launching process, they reach the running instance as ssh:// URIs
 * through the usual open, instead of being taken for local file names. */
static gboolean
tether_application_local_command_line (GApplication   *application,
                                       char         ***arguments,
                                       int            *exit_status)
{
  char **argv = *arguments;

  for (guint i = 1; argv[i] != NULL; i++) {
    char *uri;

    if (argv[i][0] == '-' || g_strstr_len (argv[i], -1, "://") != NULL)
      continue;

    uri = g_strconcat ("ssh://", argv[i], NULL);
    g_free (argv[i]);
    argv[i] = uri;
  }

  return G_APPLICATION_CLASS (tether_application_parent_class)->local_command_line (application,
                                                                                   arguments,
                                                                                   exit_status);
}

static void
tether_application_dispose (GObject *object)
{
  TetherApplication *self = TETHER_APPLICATION (object);

  if (self->sessions != NULL)
    g_signal_handlers_disconnect_by_data (self->sessions, self);
  g_clear_object (&self->sessions);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (tether_application_parent_class)->dispose (object);
}

static void
tether_application_class_init (TetherApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = tether_application_dispose;

  app_class->startup = tether_application_startup;
  app_class->shutdown = tether_application_shutdown;
  app_class->activate = tether_application_activate;
  app_class->open = tether_application_open;
  app_class->local_command_line = tether_application_local_command_line;
}

static void
tether_application_init (TetherApplication *self)
{
  self->sessions = tether_session_manager_new ();
  g_signal_connect (self->sessions, "items-changed", G_CALLBACK (on_sessions_changed), self);
}

/**
 * tether_application_new:
 *
 * Returns: (transfer full): the application
 */
TetherApplication *
tether_application_new (void)
{
  return g_object_new (TETHER_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", "/io/github/tetherssh/Tether",
                       NULL);
}

/**
 * tether_application_get_settings:
 * @self: the application
 *
 * Returns: (transfer none): the app's settings, once the application has started
 */
GSettings *
tether_application_get_settings (TetherApplication *self)
{
  g_return_val_if_fail (TETHER_IS_APPLICATION (self), NULL);

  return self->settings;
}

/**
 * tether_application_get_session_manager:
 * @self: the application
 *
 * Returns: (transfer none): the host sessions of all windows: one per saved host
 */
TetherSessionManager *
tether_application_get_session_manager (TetherApplication *self)
{
  g_return_val_if_fail (TETHER_IS_APPLICATION (self), NULL);

  return self->sessions;
}
