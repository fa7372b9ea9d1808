/* tether-application.c: the application: app-wide actions (quit, about, preferences, new
 * window), keyboard accelerators, the colour scheme preference, ssh:// URIs handed over by
 * the desktop or the command line, and the host sessions (TetherSessionManager) that every
 * window's tabs share: one login per saved host for the whole app. */
#include "config.h"

#include <glib/gi18n.h>
#include <tether.h>

#include "tether-application.h"
#include "tether-files-page.h"
#include "tether-preferences-window.h"
#include "tether-saved-windows.h"
#include "tether-terminal-page.h"
#include "tether-window.h"

#define TETHER_WEBSITE "https://github.com/tetherssh/tether"
#define TETHER_ISSUE_URL TETHER_WEBSITE "/issues"
/* Tabs change in bursts (a window closing, tabs dragged): write their list once it settles. */
#define SAVE_WINDOWS_DELAY_MS 1000

struct _TetherApplication
{
  AdwApplication parent_instance;

  GSettings *settings;
  TetherSessionManager *sessions;

  char *saved_windows_path;
  guint save_source;
  /* The last window is closing, or Quit was chosen: what is saved is what was open then,
   * not the empty app its closing tabs leave behind. A new tab lifts it. */
  gboolean saved_frozen;
  gboolean restore_tried;
};

G_DEFINE_FINAL_TYPE (TetherApplication, tether_application, ADW_TYPE_APPLICATION)

static void save_windows_now (TetherApplication *self);

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

  if (windows == NULL) {
    g_application_quit (G_APPLICATION (user_data));
    return;
  }
  /* Quit brings every window back next time, not only the last one to close. */
  save_windows_now (TETHER_APPLICATION (user_data));
  TETHER_APPLICATION (user_data)->saved_frozen = TRUE;
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
 * input, so none of them is a key a shell needs: Ctrl+Shift, as in other terminals. (Keys
 * that only work outside a terminal, such as Ctrl+N, are the window's class bindings
 * instead: see tether-window-actions.c.) */
static const struct {
  const char *action;
  const char *accels[2];
} app_accels[] = {
  { "app.quit", { "<Control>q", NULL } },
  { "app.new-window", { "<Control><Shift>n", NULL } },
  { "app.preferences", { "<Control>comma", NULL } },
  { "win.new-tab", { "<Control><Shift>t", NULL } },
  { "win.close", { "<Control><Shift>w", NULL } },
  /* The selected tab's host. */
  { "win.show-forwards('')", { "<Control><Shift>p", NULL } },
  { "win.open-files('')", { "<Control><Shift>o", NULL } },
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

/* ------------------------------------------------------------------------- */
/* Windows and tabs, remembered when Tether quits and brought back at start   */

static gboolean
is_closing (GtkWindow *window)
{
  return g_object_get_data (G_OBJECT (window), "tether-closing") != NULL;
}

static TetherSavedWindow *
snapshot_window (TetherWindow *window)
{
  AdwTabView *tab_view = tether_window_get_tab_view (window);
  AdwTabPage *selected = adw_tab_view_get_selected_page (tab_view);
  TetherSavedWindow *saved = tether_saved_window_new ();
  int n_pages = adw_tab_view_get_n_pages (tab_view);

  gtk_window_get_default_size (GTK_WINDOW (window), &saved->width, &saved->height);
  saved->maximized = gtk_window_is_maximized (GTK_WINDOW (window));
  for (int i = 0; i < n_pages; i++) {
    AdwTabPage *page = adw_tab_view_get_nth_page (tab_view, i);
    GtkWidget *child = adw_tab_page_get_child (page);
    TetherTerminalPage *terminal;
    TetherHost *host;

    if (TETHER_IS_FILES_PAGE (child)) {
      host = tether_files_page_get_host (TETHER_FILES_PAGE (child));
      /* An administrator tab would ask for sudo's password at start: it does not come back. */
      if (host == NULL || tether_host_get_id (host) == NULL ||
          tether_files_page_get_administrator (TETHER_FILES_PAGE (child)))
        continue;
      if (page == selected)
        saved->active_tab = saved->tabs->len;
      g_ptr_array_add (saved->tabs,
                       tether_saved_tab_new_files (tether_host_get_id (host),
                                                   tether_files_page_get_path (
                                                     TETHER_FILES_PAGE (child))));
      continue;
    }
    if (!TETHER_IS_TERMINAL_PAGE (child))
      continue;
    terminal = TETHER_TERMINAL_PAGE (child);
    host = tether_terminal_page_get_host (terminal);
    /* Only saved hosts come back: a destination typed once has no id to find it by. */
    if (host == NULL || tether_host_get_id (host) == NULL)
      continue;
    if (page == selected)
      saved->active_tab = saved->tabs->len;
    g_ptr_array_add (saved->tabs,
                     tether_saved_tab_new (tether_host_get_id (host),
                                           tether_terminal_page_get_custom_title (terminal),
                                           tether_terminal_page_get_tmux_session (terminal)));
  }
  return saved;
}

/**
 * tether_application_snapshot_windows:
 * @self: the application
 *
 * What restoring would bring back now: each open window (not one that is closing) with its
 * tabs on saved hosts.
 *
 * Returns: (transfer container) (element-type TetherSavedWindow): the windows
 */
GPtrArray *
tether_application_snapshot_windows (TetherApplication *self)
{
  GPtrArray *windows = g_ptr_array_new_with_free_func ((GDestroyNotify) tether_saved_window_free);

  g_return_val_if_fail (TETHER_IS_APPLICATION (self), windows);

  /* gtk_application_get_windows () lists the most recently focused first: save in the
   * order the windows were opened, which is the order they come back in. */
  for (GList *l = g_list_last (gtk_application_get_windows (GTK_APPLICATION (self)));
       l != NULL; l = l->prev) {
    if (TETHER_IS_WINDOW (l->data) && !is_closing (l->data))
      g_ptr_array_add (windows, snapshot_window (l->data));
  }
  return windows;
}

const char *
tether_application_get_saved_windows_path (TetherApplication *self)
{
  g_return_val_if_fail (TETHER_IS_APPLICATION (self), NULL);

  if (self->saved_windows_path == NULL)
    self->saved_windows_path = tether_saved_windows_default_path ();
  return self->saved_windows_path;
}

static void
saved_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(TetherApplication) self = user_data;
  g_autoptr(GError) error = NULL;

  /* Nothing the user wrote is lost: the previous list stays whole. Say it in the log. */
  if (!tether_saved_windows_save_finish (result, &error))
    g_warning ("Could not remember the open tabs: %s", error->message);
  g_application_release (G_APPLICATION (self));
}

static void
save_windows_now (TetherApplication *self)
{
  g_autoptr(GPtrArray) windows = NULL;

  g_clear_handle_id (&self->save_source, g_source_remove);
  if (self->settings == NULL || !g_settings_get_boolean (self->settings, "restore-windows"))
    return;

  windows = tether_application_snapshot_windows (self);
  /* The application waits for the write when it is about to quit. */
  g_application_hold (G_APPLICATION (self));
  tether_saved_windows_save_async (tether_application_get_saved_windows_path (self), windows,
                                   NULL, saved_cb, g_object_ref (self));
}

static gboolean
save_windows_cb (gpointer user_data)
{
  TetherApplication *self = user_data;

  self->save_source = 0;
  save_windows_now (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_save (TetherApplication *self)
{
  if (self->saved_frozen || self->save_source != 0)
    return;
  self->save_source = g_timeout_add (SAVE_WINDOWS_DELAY_MS, save_windows_cb, self);
  g_source_set_static_name (g_main_context_find_source_by_id (NULL, self->save_source),
                            "[tether] save windows");
}

static void
on_n_pages_changed (AdwTabView        *tab_view,
                    GParamSpec        *pspec,
                    TetherApplication *self)
{
  GtkWidget *window = gtk_widget_get_ancestor (GTK_WIDGET (tab_view), GTK_TYPE_WINDOW);

  /* A tab opened after Quit was cancelled: the app goes on, and so does remembering. */
  if (window != NULL && !is_closing (GTK_WINDOW (window)) &&
      adw_tab_view_get_n_pages (tab_view) > 0 && self->saved_frozen &&
      gtk_widget_get_mapped (window))
    self->saved_frozen = FALSE;
  schedule_save (self);
}

static void
on_tabs_changed (TetherApplication *self)
{
  schedule_save (self);
}

/* A files tab comes back at its folder: remember where it went, not only which tabs there are. */
static void
on_page_attached (AdwTabView        *tab_view,
                  AdwTabPage        *page,
                  int                position,
                  TetherApplication *self)
{
  GtkWidget *child = adw_tab_page_get_child (page);

  if (TETHER_IS_FILES_PAGE (child) &&
      g_signal_handler_find (child, G_SIGNAL_MATCH_FUNC | G_SIGNAL_MATCH_DATA, 0, 0, NULL,
                             on_tabs_changed, self) == 0)
    g_signal_connect_object (child, "notify::path", G_CALLBACK (on_tabs_changed), self,
                             G_CONNECT_SWAPPED);
}

static void
on_window_added (GtkApplication    *application,
                 GtkWindow         *window,
                 TetherApplication *self)
{
  AdwTabView *tab_view;

  if (!TETHER_IS_WINDOW (window))
    return;
  tab_view = tether_window_get_tab_view (TETHER_WINDOW (window));
  g_signal_connect_object (tab_view, "notify::n-pages", G_CALLBACK (on_n_pages_changed), self,
                           G_CONNECT_DEFAULT);
  g_signal_connect_object (tab_view, "notify::selected-page", G_CALLBACK (on_tabs_changed),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (tab_view, "page-reordered", G_CALLBACK (on_tabs_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (tab_view, "page-attached", G_CALLBACK (on_page_attached), self,
                           G_CONNECT_DEFAULT);
}

/**
 * tether_application_window_closing:
 * @self: the application
 * @window: a window that is about to close (its shells were asked about)
 *
 * Remembers the windows: without @window when others stay open, with it when it is the
 * last one, so that the next start brings it back.
 */
void
tether_application_window_closing (TetherApplication *self,
                                   TetherWindow      *window)
{
  gboolean last = TRUE;

  g_return_if_fail (TETHER_IS_APPLICATION (self));

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL;
       l = l->next) {
    if (l->data != (gpointer) window && TETHER_IS_WINDOW (l->data) && !is_closing (l->data))
      last = FALSE;
  }
  if (self->saved_frozen)
    return;
  if (last) {
    save_windows_now (self);
    self->saved_frozen = TRUE;
    return;
  }
  g_object_set_data (G_OBJECT (window), "tether-closing", GINT_TO_POINTER (TRUE));
  save_windows_now (self);
}

/**
 * tether_application_restore_windows:
 * @self: the application
 * @windows: (element-type TetherSavedWindow): what tether_application_snapshot_windows ()
 *   gave, or what was saved
 *
 * Opens the saved windows with their tabs; the first goes into the window the application
 * already shows, if it has no tabs yet. A tab whose host was deleted meanwhile is left out.
 * Each window selects its active tab, which connects; the others connect when shown.
 */
void
tether_application_restore_windows (TetherApplication *self,
                                    GPtrArray         *windows)
{
  GtkWindow *first = gtk_application_get_active_window (GTK_APPLICATION (self));

  g_return_if_fail (TETHER_IS_APPLICATION (self));

  if (first != NULL && (!TETHER_IS_WINDOW (first) ||
                        adw_tab_view_get_n_pages (
                          tether_window_get_tab_view (TETHER_WINDOW (first))) > 0))
    first = NULL;

  for (guint w = 0; w < windows->len; w++) {
    TetherSavedWindow *saved = g_ptr_array_index (windows, w);
    TetherWindow *window;
    TetherHostStore *store;
    AdwTabPage *active = NULL;

    if (saved->tabs->len == 0)
      continue;
    window = first != NULL ? TETHER_WINDOW (g_steal_pointer (&first))
                           : tether_window_new (GTK_APPLICATION (self));
    if (saved->width > 0 && saved->height > 0)
      gtk_window_set_default_size (GTK_WINDOW (window), saved->width, saved->height);
    if (saved->maximized)
      gtk_window_maximize (GTK_WINDOW (window));
    store = tether_window_get_host_store (window);
    for (guint t = 0; t < saved->tabs->len; t++) {
      TetherSavedTab *tab = g_ptr_array_index (saved->tabs, t);
      TetherHost *host = tether_host_store_find_by_id (store, tab->host_id);
      AdwTabPage *page;

      if (host == NULL)
        continue;
      if (tab->files)
        page = tether_window_restore_files (window, host, tab->folder);
      else
        page = tether_window_restore_tab (window, host, tab->title, tab->tmux_session);
      if (t == saved->active_tab || active == NULL)
        active = page;
    }
    if (active != NULL)
      adw_tab_view_set_selected_page (tether_window_get_tab_view (window), active);
    gtk_window_present (GTK_WINDOW (window));
  }
}

typedef struct {
  TetherApplication *self;
  GPtrArray *windows;
  TetherHostStore *store;
  gulong loaded_id;
} Restore;

static void
restore_free (Restore *restore)
{
  g_clear_signal_handler (&restore->loaded_id, restore->store);
  g_clear_object (&restore->store);
  g_clear_pointer (&restore->windows, g_ptr_array_unref);
  g_application_release (G_APPLICATION (restore->self));
  g_object_unref (restore->self);
  g_free (restore);
}

static void
restore_when_loaded (Restore *restore)
{
  if (!tether_host_store_get_loaded (restore->store))
    return;
  tether_application_restore_windows (restore->self, restore->windows);
  restore_free (restore);
}

static void
on_store_loaded (TetherHostStore *store,
                 GParamSpec      *pspec,
                 Restore         *restore)
{
  restore_when_loaded (restore);
}

static void
loaded_windows_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Restore *restore = user_data;
  g_autoptr(GError) error = NULL;
  GtkWindow *window;

  restore->windows = tether_saved_windows_load_finish (result, &error);
  window = gtk_application_get_active_window (GTK_APPLICATION (restore->self));
  if (restore->windows == NULL || !TETHER_IS_WINDOW (window)) {
    if (error != NULL)
      g_warning ("Could not restore the tabs of the last session: %s", error->message);
    restore_free (restore);
    return;
  }
  /* Tabs name their hosts by id: wait until the saved hosts are read. */
  restore->store = g_object_ref (tether_window_get_host_store (TETHER_WINDOW (window)));
  restore->loaded_id = g_signal_connect (restore->store, "notify::loaded",
                                         G_CALLBACK (on_store_loaded), restore);
  restore_when_loaded (restore);
}

static void
restore_saved_windows (TetherApplication *self)
{
  Restore *restore;

  if (self->restore_tried)
    return;
  self->restore_tried = TRUE;
  if (!g_settings_get_boolean (self->settings, "restore-windows"))
    return;

  restore = g_new0 (Restore, 1);
  restore->self = g_object_ref (self);
  g_application_hold (G_APPLICATION (self));
  tether_saved_windows_load_async (tether_application_get_saved_windows_path (self), NULL,
                                   loaded_windows_cb, restore);
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
  g_signal_connect (self, "window-added", G_CALLBACK (on_window_added), self);
  on_sessions_changed (G_LIST_MODEL (self->sessions), 0, 0,
                       g_list_model_get_n_items (G_LIST_MODEL (self->sessions)), self);
}

static void
tether_application_shutdown (GApplication *application)
{
  TetherApplication *self = TETHER_APPLICATION (application);

  g_clear_handle_id (&self->save_source, g_source_remove);
  /* Window sizes are written as windows close; make sure they reach the disk. */
  if (self->settings != NULL)
    g_settings_sync ();

  G_APPLICATION_CLASS (tether_application_parent_class)->shutdown (application);
}

static void
tether_application_activate (GApplication *application)
{
  TetherApplication *self = TETHER_APPLICATION (application);
  gboolean first = gtk_application_get_active_window (GTK_APPLICATION (self)) == NULL;
  TetherWindow *window = get_or_create_window (self);

  gtk_window_present (GTK_WINDOW (window));
  /* The window shows at once; the last session's tabs follow when read. */
  if (first)
    restore_saved_windows (self);
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
      /* Toast titles are markup; the address is the user's text. */
      g_autofree char *markup = g_markup_escape_text (error->message, -1);

      g_debug ("Cannot open %s: %s", uri, error->message);
      tether_window_add_toast (window, adw_toast_new (markup));
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
  g_clear_handle_id (&self->save_source, g_source_remove);
  g_clear_pointer (&self->saved_windows_path, g_free);

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

  /* --help says what the arguments are: hosts, not files. */
  g_application_set_option_context_parameter_string (G_APPLICATION (self),
                                                     _("[HOST|USER@HOST:PORT|ssh://URL…]"));
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("Opens a terminal tab on each host given: a saved "
                                              "host’s name, user@host:port, or an\nssh:// URL "
                                              "such as ssh://user@example.com:2222."));
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
