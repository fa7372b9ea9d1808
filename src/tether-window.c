/* tether-window.c: a main window. A sidebar lists the saved hosts (with search) and the
 * content side holds a tab view of pages (terminals, files), or the empty state when no tab is
 * open. Window-level behaviour is actions in the "win" group (tether-window-actions.c) so that
 * buttons, menus, shortcuts and tests name the same thing; the tab features are in
 * tether-window-tabs.c. Features not here yet are reached through signals
 * (add-host-requested, open-destination) that their owners connect to. */
#include "config.h"

#include <glib/gi18n.h>

#include "tether-application.h"
#include "tether-files-page.h"
#include "tether-host-editor.h"
#include "tether-host-list.h"
#include "tether-prompt-interaction.h"
#include "tether-terminal-page.h"
#include "tether-window-private.h"

/* Shown when the app's own symbolic icon is not installed (running from the build tree). */
#define FALLBACK_EMPTY_ICON "network-server-symbolic"

G_DEFINE_FINAL_TYPE (TetherWindow, tether_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_BROADCAST,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_ADD_HOST_REQUESTED,
  SIGNAL_OPEN_DESTINATION,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Every window shows the same saved hosts: the first one loads them, the last one frees them. */
static TetherHostStore *shared_host_store;

static void
on_host_store_loaded (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  /* The store keeps the error (file:line) and the hosts it could read; a missing file is
   * no error. */
  if (!tether_host_store_load_default_finish (TETHER_HOST_STORE (source), result, &error))
    g_warning ("Could not load the saved hosts: %s", error->message);
}

static TetherHostStore *
dup_shared_host_store (void)
{
  if (shared_host_store != NULL)
    return g_object_ref (shared_host_store);

  shared_host_store = tether_host_store_new ();
  g_object_add_weak_pointer (G_OBJECT (shared_host_store), (gpointer *) &shared_host_store);
  tether_host_store_load_default_async (shared_host_store, NULL, on_host_store_loaded, NULL);

  return shared_host_store;
}

static void
update_content_page (TetherWindow *self)
{
  gboolean has_pages = adw_tab_view_get_n_pages (self->tab_view) > 0;

  gtk_stack_set_visible_child_name (self->content_stack, has_pages ? "tabs" : "empty");
  gtk_widget_set_visible (GTK_WIDGET (self->tab_menu_button), has_pages);
}

/* The header's tab menu is the selected tab's, as the tab bar's is the clicked tab's. */
static void
setup_header_tab_menu (GtkMenuButton *button,
                       gpointer       user_data)
{
  TetherWindow *self = TETHER_WINDOW (user_data);

  _tether_window_setup_tab_menu (self, adw_tab_view_get_selected_page (self->tab_view));
}

/* Folded, the sidebar's header offers the way to the open tabs, and says how many. */
static void
update_show_tabs_button (TetherWindow *self)
{
  int n_pages = adw_tab_view_get_n_pages (self->tab_view);
  g_autofree char *count = g_strdup_printf ("%d", n_pages);

  gtk_label_set_label (self->show_tabs_label, count);
  gtk_widget_set_visible (self->show_tabs_button,
                          adw_leaflet_get_folded (self->leaflet) && n_pages > 0);
}

/**
 * _tether_window_show_content:
 * @self: a window
 *
 * Makes the tabs the side a folded window shows (and shows them when it folds later).
 */
void
_tether_window_show_content (TetherWindow *self)
{
  adw_leaflet_set_visible_child (self->leaflet, self->content);
}

static void
on_folded_changed (AdwLeaflet   *leaflet,
                   GParamSpec   *pspec,
                   TetherWindow *self)
{
  update_show_tabs_button (self);
}

static void
on_n_pages_changed (AdwTabView   *tab_view,
                    GParamSpec   *pspec,
                    TetherWindow *self)
{
  update_content_page (self);
  update_show_tabs_button (self);
  /* The last tab closed: folded, the host list is the useful side, not an empty page. */
  if (adw_tab_view_get_n_pages (tab_view) == 0)
    adw_leaflet_set_visible_child (self->leaflet, self->sidebar);
}

static void
on_selected_page_changed (AdwTabView   *tab_view,
                          GParamSpec   *pspec,
                          TetherWindow *self)
{
  AdwTabPage *page = adw_tab_view_get_selected_page (tab_view);

  g_binding_group_set_source (self->title_bindings, page);
  if (page == NULL)
    adw_window_title_set_title (self->content_title, "");
  else
    _tether_window_show_content (self);  /* a tab chosen or opened is one to look at */
}

/* With hosts saved, the empty side says how to use them rather than to add one. */
static void
update_empty_page (TetherWindow *self)
{
  gboolean has_hosts = g_list_model_get_n_items (G_LIST_MODEL (self->host_store)) > 0;

  adw_status_page_set_title (self->empty_page,
                             has_hosts ? _("No Open Terminals") : _("No Saved Hosts"));
  adw_status_page_set_description (self->empty_page,
                                   has_hosts ?
                                     _("Choose a host in the sidebar to connect to it.") :
                                     _("Add a host to open terminals, forward ports and browse "
                                       "files over SSH."));
}

static void
on_search_changed (GtkSearchEntry *entry,
                   TetherWindow   *self)
{
  tether_host_list_set_search_text (self->host_list, gtk_editable_get_text (GTK_EDITABLE (entry)));
}

static void
on_host_activated (TetherHostList *list,
                   TetherHost     *host,
                   TetherWindow   *self)
{
  tether_window_open_destination (self, host);
}

/* Terminal tabs: a tab's spinner, attention mark and indicator follow its page's session. */
static gboolean
state_to_loading (GBinding     *binding,
                  const GValue *from,
                  GValue       *to,
                  gpointer      user_data)
{
  g_value_set_boolean (to, g_value_get_enum (from) == TETHER_TERMINAL_STATE_CONNECTING);
  return TRUE;
}

static gboolean
state_to_indicator (GBinding     *binding,
                    const GValue *from,
                    GValue       *to,
                    gpointer      user_data)
{
  if (g_value_get_enum (from) == TETHER_TERMINAL_STATE_DISCONNECTED)
    g_value_take_object (to, g_themed_icon_new ("network-offline-symbolic"));
  else
    g_value_set_object (to, NULL);
  return TRUE;
}

/* A typed destination (command line, ssh:// link) goes through ~/.ssh/config as `ssh NAME`
 * does, so `tether build-server` reaches the alias; what the destination says (user,
 * port) wins over the configuration. */
static TetherHost *
resolve_destination (TetherWindow *self,
                     TetherHost   *host)
{
  g_autoptr(TetherHost) resolved = NULL;

  if (tether_host_get_source (host) != TETHER_HOST_SOURCE_NONE || self->host_store == NULL)
    return g_object_ref (host);
  resolved = tether_host_store_lookup (self->host_store, tether_host_get_hostname (host));
  if (resolved == NULL)
    return g_object_ref (host);
  if ((tether_host_get_user (host) != NULL &&
       g_strcmp0 (tether_host_get_user (host), tether_host_get_user (resolved)) != 0) ||
      (tether_host_has_port (host) &&
       tether_host_get_port (host) != tether_host_get_port (resolved))) {
    if (tether_host_get_user (host) != NULL)
      tether_host_set_user (resolved, tether_host_get_user (host));
    if (tether_host_has_port (host))
      tether_host_set_port (resolved, tether_host_get_port (host));
    /* No longer the configuration's host as written: opened as it is, not looked up again. */
    tether_host_set_source (resolved, TETHER_HOST_SOURCE_NONE);
    tether_host_set_id (resolved, NULL);
  }
  return g_steal_pointer (&resolved);
}

/* Opens the destinations typed before the saved hosts were read, once they are. */
static void
open_pending_destinations (TetherWindow *self)
{
  g_autoptr(GPtrArray) pending = NULL;

  if (!tether_host_store_get_loaded (self->host_store) || self->pending_destinations == NULL)
    return;
  pending = g_steal_pointer (&self->pending_destinations);
  for (guint i = 0; i < pending->len; i++) {
    g_autoptr(TetherHost) resolved = resolve_destination (self, g_ptr_array_index (pending, i));

    tether_window_open_host (self, resolved);
  }
}

static void
tether_window_real_open_destination (TetherWindow *self,
                                     TetherHost   *host)
{
  g_autoptr(TetherHost) resolved = NULL;

  if (tether_host_get_source (host) == TETHER_HOST_SOURCE_NONE && self->host_store != NULL &&
      !tether_host_store_get_loaded (self->host_store)) {
    if (self->pending_destinations == NULL) {
      self->pending_destinations = g_ptr_array_new_with_free_func (g_object_unref);
      g_signal_connect_object (self->host_store, "notify::loaded",
                               G_CALLBACK (open_pending_destinations), self, G_CONNECT_SWAPPED);
    }
    g_ptr_array_add (self->pending_destinations, g_object_ref (host));
    return;
  }
  resolved = resolve_destination (self, host);
  tether_window_open_host (self, resolved);
}

static void
tether_window_real_add_host_requested (TetherWindow *self)
{
  TetherHostEditor *editor = tether_host_editor_new (GTK_WINDOW (self), self->host_store, NULL);

  gtk_window_present (GTK_WINDOW (editor));
}

static void
use_fallback_icons (TetherWindow *self)
{
  GdkDisplay *display = gtk_widget_get_display (GTK_WIDGET (self));
  GtkIconTheme *theme = gtk_icon_theme_get_for_display (display);
  const char *icon_name = adw_status_page_get_icon_name (self->empty_page);

  if (icon_name != NULL && !gtk_icon_theme_has_icon (theme, icon_name))
    adw_status_page_set_icon_name (self->empty_page, FALLBACK_EMPTY_ICON);
}

static gboolean
tether_window_close_request (GtkWindow *window)
{
  GtkApplication *app;

  /* Live shells: ask first (the answer closes the window again). */
  if (!_tether_window_may_close (TETHER_WINDOW (window)))
    return GDK_EVENT_STOP;

  /* Before its tabs go: the application remembers them if this is its last window. */
  app = gtk_window_get_application (window);
  if (TETHER_IS_APPLICATION (app))
    tether_application_window_closing (TETHER_APPLICATION (app), TETHER_WINDOW (window));

  return GTK_WINDOW_CLASS (tether_window_parent_class)->close_request (window);
}

static void
tether_window_dispose (GObject *object)
{
  TetherWindow *self = TETHER_WINDOW (object);

  _tether_window_tabs_dispose (self);
  if (self->title_bindings != NULL)
    g_binding_group_set_source (self->title_bindings, NULL);
  g_clear_object (&self->title_bindings);
  if (self->store_signals != NULL)
    g_signal_group_set_target (self->store_signals, NULL);
  g_clear_object (&self->store_signals);
  g_clear_object (&self->settings);
  g_clear_object (&self->host_store);
  g_clear_pointer (&self->pending_destinations, g_ptr_array_unref);

  gtk_widget_dispose_template (GTK_WIDGET (self), TETHER_TYPE_WINDOW);

  G_OBJECT_CLASS (tether_window_parent_class)->dispose (object);
}

static void
tether_window_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  TetherWindow *self = TETHER_WINDOW (object);

  switch (prop_id) {
  case PROP_BROADCAST:
    g_value_set_boolean (value, self->broadcast);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
tether_window_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  TetherWindow *self = TETHER_WINDOW (object);

  switch (prop_id) {
  case PROP_BROADCAST:
    if (self->broadcast != g_value_get_boolean (value)) {
      _tether_window_set_broadcast (self, g_value_get_boolean (value));
      g_object_notify_by_pspec (object, pspec);
    }
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
tether_window_class_init (TetherWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = tether_window_dispose;
  object_class->get_property = tether_window_get_property;
  object_class->set_property = tether_window_set_property;

  window_class->close_request = tether_window_close_request;

  /**
   * TetherWindow:broadcast:
   *
   * Whether what is typed into any terminal of the window also goes to the shells of all its
   * other terminals (win.broadcast).
   */
  properties[PROP_BROADCAST] =
    g_param_spec_boolean ("broadcast", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TetherWindow::add-host-requested:
   * @self: the window
   *
   * The user asked to add a host (win.add-host): the default handler opens the host editor.
   */
  signals[SIGNAL_ADD_HOST_REQUESTED] =
    g_signal_new_class_handler ("add-host-requested",
                                G_TYPE_FROM_CLASS (klass),
                                G_SIGNAL_RUN_LAST,
                                G_CALLBACK (tether_window_real_add_host_requested),
                                NULL, NULL, NULL,
                                G_TYPE_NONE, 0);

  /**
   * TetherWindow::open-destination:
   * @self: the window
   * @host: the host to connect to, from an ssh:// URI or the command line
   *
   * The app was asked to open @host in this window. The default handler opens a terminal
   * tab on it.
   */
  signals[SIGNAL_OPEN_DESTINATION] =
    g_signal_new_class_handler ("open-destination",
                                G_TYPE_FROM_CLASS (klass),
                                G_SIGNAL_RUN_LAST,
                                G_CALLBACK (tether_window_real_open_destination),
                                NULL, NULL, NULL,
                                G_TYPE_NONE, 1, TETHER_TYPE_HOST);

  g_type_ensure (TETHER_TYPE_HOST_LIST);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tetherssh/Tether/tether-window.ui");
  gtk_widget_class_bind_template_child (widget_class, TetherWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, TetherWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, TetherWindow, sidebar);
  gtk_widget_class_bind_template_child (widget_class, TetherWindow, search_bar);
  gtk_widget_class_bind_template_child (widget_class, TetherWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, TetherWindow, host_list);
  gtk_widget_class_bind_template_child (widget_class, TetherWindow, primary_menu_button);
  gtk_widget_class_bind_template_child (widget_class, TetherWindow, show_tabs_button);
  gtk_widget_class_bind_template_child (widget_class, TetherWindow, show_tabs_label);
  gtk_widget_class_bind_template_child (widget_class, TetherWindow, tab_menu_button);
  gtk_widget_class_bind_template_child (widget_class, TetherWindow, content);
  gtk_widget_class_bind_template_child (widget_class, TetherWindow, content_title);
  gtk_widget_class_bind_template_child (widget_class, TetherWindow, content_stack);
  gtk_widget_class_bind_template_child (widget_class, TetherWindow, empty_page);
  gtk_widget_class_bind_template_child (widget_class, TetherWindow, tab_bar);
  gtk_widget_class_bind_template_child (widget_class, TetherWindow, tab_view);
  gtk_widget_class_bind_template_child (widget_class, TetherWindow, broadcast_label);
  gtk_widget_class_bind_template_child (widget_class, TetherWindow, broadcast_button);

  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_host_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_n_pages_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_folded_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_selected_page_changed);

  _tether_window_class_actions_init (widget_class);
  _tether_window_class_tabs_init (widget_class);
}

static void
tether_window_init (TetherWindow *self)
{
  const GSettingsBindFlags size_flags =
    G_SETTINGS_BIND_GET | G_SETTINGS_BIND_SET | G_SETTINGS_BIND_GET_NO_CHANGES;

  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_search_bar_connect_entry (self->search_bar, GTK_EDITABLE (self->search_entry));
  gtk_search_bar_set_key_capture_widget (self->search_bar, self->sidebar);

  /* The shown store may be swapped (tests show their own): the group follows it. */
  self->store_signals = g_signal_group_new (TETHER_TYPE_HOST_STORE);
  g_signal_group_connect_swapped (self->store_signals, "items-changed",
                                  G_CALLBACK (update_empty_page), self);
  g_signal_group_connect_swapped (self->store_signals, "items-changed",
                                  G_CALLBACK (_tether_window_update_share_action), self);
  g_signal_group_connect_swapped (self->store_signals, "notify::loaded",
                                  G_CALLBACK (_tether_window_update_share_action), self);
  self->host_store = dup_shared_host_store ();
  g_signal_group_set_target (self->store_signals, self->host_store);
  tether_host_list_set_store (self->host_list, self->host_store);
  update_empty_page (self);
  _tether_window_update_share_action (self);

  gtk_menu_button_set_create_popup_func (self->tab_menu_button, setup_header_tab_menu, self,
                                         NULL);

  self->title_bindings = g_binding_group_new ();
  g_binding_group_bind (self->title_bindings, "title", self->content_title, "title",
                        G_BINDING_SYNC_CREATE);
  update_content_page (self);
  update_show_tabs_button (self);

  _tether_window_tabs_init (self);
  _tether_window_actions_init (self);

  use_fallback_icons (self);

  /* Every window starts at the last saved size, and the one resized last wins: read the
   * settings once, not on every change, so that windows do not resize each other. */
  self->settings = g_settings_new (APP_ID);
  g_settings_bind (self->settings, "window-width", self, "default-width", size_flags);
  g_settings_bind (self->settings, "window-height", self, "default-height", size_flags);
  g_settings_bind (self->settings, "window-maximized", self, "maximized", size_flags);
}

/**
 * tether_window_new:
 * @application: the application the window belongs to
 *
 * Returns: (transfer none): a new window, owned by its toplevel list
 */
TetherWindow *
tether_window_new (GtkApplication *application)
{
  g_return_val_if_fail (GTK_IS_APPLICATION (application), NULL);

  return g_object_new (TETHER_TYPE_WINDOW, "application", application, NULL);
}

/**
 * tether_window_get_tab_view:
 * @self: a window
 *
 * Returns: (transfer none): the tab view that holds the window's pages
 */
AdwTabView *
tether_window_get_tab_view (TetherWindow *self)
{
  g_return_val_if_fail (TETHER_IS_WINDOW (self), NULL);

  return self->tab_view;
}

/**
 * tether_window_get_hosts_list:
 * @self: a window
 *
 * Returns: (transfer none): the sidebar's list of saved hosts
 */
GtkListBox *
tether_window_get_hosts_list (TetherWindow *self)
{
  g_return_val_if_fail (TETHER_IS_WINDOW (self), NULL);

  return tether_host_list_get_list_box (self->host_list);
}

/**
 * tether_window_get_host_list:
 * @self: a window
 *
 * Returns: (transfer none): the sidebar's host list
 */
TetherHostList *
tether_window_get_host_list (TetherWindow *self)
{
  g_return_val_if_fail (TETHER_IS_WINDOW (self), NULL);

  return self->host_list;
}

/**
 * tether_window_get_host_store:
 * @self: a window
 *
 * Returns: (transfer none): the saved hosts the window shows
 */
TetherHostStore *
tether_window_get_host_store (TetherWindow *self)
{
  g_return_val_if_fail (TETHER_IS_WINDOW (self), NULL);

  return self->host_store;
}

/**
 * tether_window_set_host_store:
 * @self: a window
 * @store: the saved hosts to show instead of the shared ones
 */
void
tether_window_set_host_store (TetherWindow    *self,
                              TetherHostStore *store)
{
  g_return_if_fail (TETHER_IS_WINDOW (self));
  g_return_if_fail (TETHER_IS_HOST_STORE (store));

  if (self->host_store == store)
    return;

  g_set_object (&self->host_store, store);
  g_signal_group_set_target (self->store_signals, store);
  tether_host_list_set_store (self->host_list, store);
  update_empty_page (self);
  _tether_window_update_share_action (self);
}

/**
 * tether_window_add_toast:
 * @self: a window
 * @toast: (transfer full): the toast to show
 *
 * Shows @toast over the window's content.
 */
void
tether_window_add_toast (TetherWindow *self,
                         AdwToast     *toast)
{
  g_return_if_fail (TETHER_IS_WINDOW (self));
  g_return_if_fail (ADW_IS_TOAST (toast));

  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/**
 * tether_window_open_destination:
 * @self: a window
 * @host: the host to open
 *
 * Emits #TetherWindow::open-destination for @host.
 */
void
tether_window_open_destination (TetherWindow *self,
                                TetherHost   *host)
{
  g_return_if_fail (TETHER_IS_WINDOW (self));
  g_return_if_fail (TETHER_IS_HOST (host));

  g_signal_emit (self, signals[SIGNAL_OPEN_DESTINATION], 0, host);
}

/* Shows a saved host's connection state in the host list while its tab lives. */
typedef struct
{
  GWeakRef window;
  TetherHost *host;
} TrackState;

static TrackState *
track_state_new (TetherWindow *self,
                 TetherHost   *host)
{
  TrackState *track = g_new0 (TrackState, 1);

  g_weak_ref_init (&track->window, self);
  track->host = g_object_ref (host);
  return track;
}

static void
track_state_free (TrackState *track)
{
  g_autoptr(TetherWindow) self = g_weak_ref_get (&track->window);

  /* The tab is gone: its host is no longer connected from here. */
  if (self != NULL && self->host_list != NULL)
    tether_host_list_set_host_state (self->host_list, track->host,
                                     TETHER_CONNECTION_STATE_DISCONNECTED);
  g_weak_ref_clear (&track->window);
  g_object_unref (track->host);
  g_free (track);
}

static void
on_terminal_state (TetherTerminalPage *terminal,
                   GParamSpec         *pspec,
                   TrackState         *track)
{
  g_autoptr(TetherWindow) self = g_weak_ref_get (&track->window);
  TetherConnectionState state;

  if (self == NULL || self->host_list == NULL)
    return;
  switch (tether_terminal_page_get_state (terminal)) {
  case TETHER_TERMINAL_STATE_CONNECTING:
    state = TETHER_CONNECTION_STATE_CONNECTING;
    break;
  case TETHER_TERMINAL_STATE_CONNECTED:
    state = TETHER_CONNECTION_STATE_READY;
    break;
  case TETHER_TERMINAL_STATE_DISCONNECTED:
  default:
    state = TETHER_CONNECTION_STATE_CLOSED;
    break;
  }
  tether_host_list_set_host_state (self->host_list, track->host, state);
}

/* The page came into the window (moved from another one): its host's state shows here now. */
void
_tether_window_adopt_page_host (TetherWindow *self,
                                AdwTabPage   *page)
{
  GtkWidget *terminal = adw_tab_page_get_child (page);
  TrackState *track = g_object_get_data (G_OBJECT (terminal), "tether-track-state");

  if (track == NULL || !TETHER_IS_TERMINAL_PAGE (terminal))
    return;

  g_weak_ref_set (&track->window, self);
  if (self->host_list != NULL)
    tether_host_list_set_host_session (self->host_list, track->host,
                                       tether_terminal_page_get_session (
                                         TETHER_TERMINAL_PAGE (terminal)));
  on_terminal_state (TETHER_TERMINAL_PAGE (terminal), NULL, track);
}

/* The page left the window (closed, or moved to another one): its host is no longer
 * connected from here. A closed tab may live on a while (pending I/O), so do not wait for
 * its terminal to go. */
void
_tether_window_forget_page_host (TetherWindow *self,
                                 AdwTabPage   *page)
{
  TrackState *track = g_object_get_data (G_OBJECT (adw_tab_page_get_child (page)),
                                         "tether-track-state");

  if (track != NULL && self->host_list != NULL)
    tether_host_list_set_host_state (self->host_list, track->host,
                                     TETHER_CONNECTION_STATE_DISCONNECTED);
}

static AdwTabPage *
add_host_page (TetherWindow *self,
               TetherHost   *host,
               const char   *custom_title,
               const char   *tmux_session,
               gboolean      select)
{
  g_autofree char *destination = NULL;
  TetherTerminalPage *terminal;
  TetherHostSession *session;
  AdwTabPage *page;

  g_autoptr(TetherHost) resolved = NULL;
  g_autoptr(TetherPromptInteraction) interaction = NULL;

  /* A saved host holds its values as written (~, %h, Include'd defaults):
   * connect with what ssh -G would use. */
  if (tether_host_get_source (host) != TETHER_HOST_SOURCE_NONE && self->host_store != NULL)
    resolved = tether_host_store_lookup (self->host_store, tether_host_get_alias (host));

  /* The tabs of a host, in every window, share its session: one login. */
  session = tether_session_manager_lookup_or_create (
    tether_application_get_session_manager (TETHER_APPLICATION (
      gtk_window_get_application (GTK_WINDOW (self)))),
    resolved ? resolved : host);
  /* The prompts of the window that opened the tab are transient for it and
   * remember secrets under this host. */
  interaction = tether_prompt_interaction_new (GTK_WINDOW (self));
  tether_prompt_interaction_set_host (interaction, host);
  tether_host_session_set_interaction (session, TETHER_INTERACTION (interaction));
  terminal = tether_terminal_page_new (session);
  if (tmux_session != NULL)
    tether_terminal_page_set_tmux_session (terminal, tmux_session);
  if (custom_title != NULL)
    tether_terminal_page_set_custom_title (terminal, custom_title);
  if (tether_host_get_source (host) != TETHER_HOST_SOURCE_NONE) {
    TrackState *track = track_state_new (self, host);

    /* The terminal owns @track; a closed tab may live on a while (pending
     * I/O), so the window also clears the state when the page leaves it. */
    g_object_set_data_full (G_OBJECT (terminal), "tether-track-state", track,
                            (GDestroyNotify) track_state_free);
    g_signal_connect (terminal, "notify::state", G_CALLBACK (on_terminal_state), track);
    on_terminal_state (terminal, NULL, track);
    /* The row shows the host's state too: reconnecting, or why it failed. */
    if (self->host_list != NULL)
      tether_host_list_set_host_session (self->host_list, host, session);
  }
  page = adw_tab_view_append (self->tab_view, GTK_WIDGET (terminal));

  destination = tether_host_dup_destination (host);
  adw_tab_page_set_tooltip (page, destination);
  g_object_bind_property (terminal, "title", page, "title", G_BINDING_SYNC_CREATE);
  g_object_bind_property (terminal, "bell", page, "needs-attention", G_BINDING_SYNC_CREATE);
  g_object_bind_property_full (terminal, "state", page, "loading", G_BINDING_SYNC_CREATE,
                               state_to_loading, NULL, NULL, NULL);
  g_object_bind_property_full (terminal, "state", page, "indicator-icon",
                               G_BINDING_SYNC_CREATE, state_to_indicator, NULL, NULL, NULL);

  /* A tab that is not shown starts when it is first mapped: restored tabs connect lazily. */
  if (select) {
    adw_tab_view_set_selected_page (self->tab_view, page);
    /* Also when it was selected already (the first tab): folded, the new tab is shown. */
    _tether_window_show_content (self);
    tether_terminal_page_start (terminal);
    gtk_widget_grab_focus (GTK_WIDGET (terminal));
  }

  return page;
}

/**
 * tether_window_open_host:
 * @self: a window
 * @host: the host to open a terminal on
 *
 * Adds and selects a terminal tab on @host. Tabs of one host share its connection: only the
 * first logs in.
 *
 * Returns: (transfer none): the new tab
 */
AdwTabPage *
tether_window_open_host (TetherWindow *self,
                         TetherHost   *host)
{
  g_return_val_if_fail (TETHER_IS_WINDOW (self), NULL);
  g_return_val_if_fail (TETHER_IS_HOST (host), NULL);

  return add_host_page (self, host, NULL, NULL, TRUE);
}

/* A files tab on @host at @path (%NULL: the home folder); selected, it starts now. As root
 * (through sudo) when @administrator. */
static AdwTabPage *
add_files_page (TetherWindow *self,
                TetherHost   *host,
                const char   *path,
                gboolean      select,
                gboolean      administrator)
{
  TetherHostSession *session;
  TetherFilesPage *files;
  AdwTabPage *page;
  g_autofree char *destination = NULL;
  g_autoptr(TetherPromptInteraction) interaction = NULL;
  g_autoptr(GIcon) icon = g_themed_icon_new ("folder-remote-symbolic");

  session = tether_session_manager_lookup_or_create (
    tether_application_get_session_manager (TETHER_APPLICATION (
      gtk_window_get_application (GTK_WINDOW (self)))),
    host);
  /* When this tab is the one that logs in, its prompts belong to this window. */
  if (tether_host_session_get_interaction (session) == NULL) {
    interaction = tether_prompt_interaction_new (GTK_WINDOW (self));
    tether_prompt_interaction_set_host (interaction, host);
    tether_host_session_set_interaction (session, TETHER_INTERACTION (interaction));
  }
  /* Before the tab is added: the terminal the user came from is the one it can follow. */
  tether_files_page_watch_tabs (self->tab_view);
  files = administrator ? tether_files_page_new_administrator (session) :
                          tether_files_page_new (session);
  tether_files_page_set_initial_path (files, path);
  page = adw_tab_view_append (self->tab_view, GTK_WIDGET (files));
  destination = tether_host_dup_destination (host);
  adw_tab_page_set_tooltip (page, destination);
  adw_tab_page_set_icon (page, icon);
  g_object_bind_property (files, "title", page, "title", G_BINDING_SYNC_CREATE);
  g_object_bind_property (files, "loading", page, "loading", G_BINDING_SYNC_CREATE);
  if (select)
    adw_tab_view_set_selected_page (self->tab_view, page);

  return page;
}

/**
 * tether_window_open_files:
 * @self: a window
 * @host: the host to browse the files of
 *
 * Adds and selects a files tab on @host, over the session its terminals use.
 *
 * Returns: (transfer none): the new tab
 */
AdwTabPage *
tether_window_open_files (TetherWindow *self,
                          TetherHost   *host)
{
  g_return_val_if_fail (TETHER_IS_WINDOW (self), NULL);
  g_return_val_if_fail (TETHER_IS_HOST (host), NULL);

  return add_files_page (self, host, NULL, TRUE, FALSE);
}

/**
 * tether_window_open_files_administrator:
 * @self: a window
 * @host: the host to browse the files of
 *
 * Adds and selects a files tab on @host whose SFTP server runs as root, through sudo on the
 * session its terminals use; sudo's password, when it wants one, is asked in a dialog.
 *
 * Returns: (transfer none): the new tab
 */
AdwTabPage *
tether_window_open_files_administrator (TetherWindow *self,
                                        TetherHost   *host)
{
  g_return_val_if_fail (TETHER_IS_WINDOW (self), NULL);
  g_return_val_if_fail (TETHER_IS_HOST (host), NULL);

  return add_files_page (self, host, NULL, TRUE, TRUE);
}

/**
 * tether_window_restore_files:
 * @self: a #TetherWindow
 * @host: a saved host
 * @path: (nullable): the folder the tab showed, %NULL for the home folder
 *
 * Adds a files tab on @host as it was when Tether last quit, without selecting it: it
 * connects when it is first shown.
 *
 * Returns: (transfer none): the new tab
 */
AdwTabPage *
tether_window_restore_files (TetherWindow *self,
                             TetherHost   *host,
                             const char   *path)
{
  g_return_val_if_fail (TETHER_IS_WINDOW (self), NULL);
  g_return_val_if_fail (TETHER_IS_HOST (host), NULL);

  return add_files_page (self, host, path, FALSE, FALSE);
}

/**
 * tether_window_restore_tab:
 * @self: a #TetherWindow
 * @host: a saved host
 * @custom_title: (nullable): the title the user gave the tab
 * @tmux_session: (nullable): the tmux session the tab's shell ran in, to attach again
 *
 * Adds a tab on @host as it was when Tether last quit, without selecting it: it connects
 * when it is first shown.
 *
 * Returns: (transfer none): the new tab
 */
AdwTabPage *
tether_window_restore_tab (TetherWindow *self,
                           TetherHost   *host,
                           const char   *custom_title,
                           const char   *tmux_session)
{
  g_return_val_if_fail (TETHER_IS_WINDOW (self), NULL);
  g_return_val_if_fail (TETHER_IS_HOST (host), NULL);

  return add_host_page (self, host, custom_title, tmux_session, FALSE);
}
