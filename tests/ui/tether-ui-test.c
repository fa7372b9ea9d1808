/* tether-ui-test.c: helpers shared by the UI test programs. */
#include "config.h"

#include <pwd.h>
#include <string.h>
#include <unistd.h>

#include "tether-ui-test.h"

/* g_test_init (), after checking that the program runs in its own home and on its own
 * display (tests/tether-test-env), never in the session of the user running the tests. */
void
tether_ui_test_init (int    *argc,
                     char ***argv)
{
  const char *isolated_home = g_getenv ("TETHER_TEST_ISOLATED_HOME");
  struct passwd *pw = getpwuid (getuid ());

  g_test_init (argc, argv, NULL);

  if (isolated_home == NULL)
    g_error ("Run UI tests through tests/tether-test-env (meson test does): "
             "they must not use the real home and display");
  g_assert_cmpstr (g_get_home_dir (), ==, isolated_home);
  g_assert_true (pw == NULL || g_strcmp0 (pw->pw_dir, isolated_home) != 0);
  g_assert_true (g_str_has_prefix (g_get_user_config_dir (), isolated_home));
  g_assert_true (g_str_has_prefix (g_get_user_data_dir (), isolated_home));
  g_assert_true (g_str_has_prefix (g_get_user_cache_dir (), isolated_home));
  g_assert_null (g_getenv ("SSH_AUTH_SOCK"));
}

/* A timeout callback that flags @data (a gboolean) when the wait is over. */
gboolean
tether_ui_test_set_true (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* The program's application: tether_ui_test_new_application () made it. */
static TetherApplication *test_app;

/* The application under test, registered (which runs its startup: actions, accels, settings,
 * libadwaita) and not unique: other test programs may run at the same time on the same bus. */
TetherApplication *
tether_ui_test_new_application (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_null (test_app);
  test_app = tether_application_new ();
  g_application_set_flags (G_APPLICATION (test_app),
                           g_application_get_flags (G_APPLICATION (test_app)) |
                           G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (test_app), NULL, &error);
  g_assert_no_error (error);

  return test_app;
}

/* A test's set-up: a new TetherWindow of @app in *@window, shown. *@window is a weak pointer:
 * NULL again once the window is gone. */
void
tether_ui_test_open_window (TetherApplication  *app,
                            TetherWindow      **window)
{
  *window = tether_window_new (GTK_APPLICATION (app));
  g_object_add_weak_pointer (G_OBJECT (*window), (gpointer *) window);
  gtk_window_present (GTK_WINDOW (*window));
  WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (*window)));
}

/* A test's tear-down: destroys every window the test made (dialogs, moved tabs' windows) and
 * waits until *@window and all of @app's windows are gone, so that the next test starts
 * without them. Help overlays belong to their application window, which destroys them. */
void
tether_ui_test_close_windows (TetherApplication  *app,
                              TetherWindow      **window)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  g_autoptr(GPtrArray) windows = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++) {
    g_autoptr(GtkWindow) toplevel = g_list_model_get_item (toplevels, i);

    if (!GTK_IS_SHORTCUTS_WINDOW (toplevel))
      g_ptr_array_add (windows, g_steal_pointer (&toplevel));
  }
  for (guint i = 0; i < windows->len; i++)
    gtk_window_destroy (g_ptr_array_index (windows, i));
  g_clear_pointer (&windows, g_ptr_array_unref);

  WAIT_UNTIL (*window == NULL);
  WAIT_UNTIL (gtk_application_get_windows (GTK_APPLICATION (app)) == NULL);
}

void
tether_ui_test_window_set_up (TetherUiTestWindowFixture *fixture,
                              gconstpointer              server)
{
  g_assert_nonnull (test_app);
  if (server == NULL) {
    g_test_skip ("No test server: it needs root and sshd");
    return;
  }

  tether_ui_test_open_window (test_app, &fixture->window);
}

void
tether_ui_test_window_tear_down (TetherUiTestWindowFixture *fixture,
                                 gconstpointer              server)
{
  tether_ui_test_close_windows (test_app, &fixture->window);
}

/* The first widget under @root, @root included, depth first, that @match accepts. */
GtkWidget *
tether_ui_test_find_descendant (GtkWidget         *root,
                                TetherUiTestMatch  match,
                                gconstpointer      data)
{
  if (match (root, data))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child)) {
    GtkWidget *found = tether_ui_test_find_descendant (child, match, data);

    if (found != NULL)
      return found;
  }

  return NULL;
}

static gboolean
has_buildable_id (GtkWidget     *widget,
                  gconstpointer  id)
{
  return g_strcmp0 (gtk_buildable_get_buildable_id (GTK_BUILDABLE (widget)), id) == 0;
}

/* Template children keep their id from the .ui file as buildable id. */
GtkWidget *
tether_ui_test_find_widget (GtkWidget  *root,
                            const char *id)
{
  return tether_ui_test_find_descendant (root, has_buildable_id, id);
}

GtkWidget *
tether_ui_test_get_widget (gpointer    root,
                           const char *id)
{
  GtkWidget *widget = tether_ui_test_find_widget (GTK_WIDGET (root), id);

  if (widget == NULL)
    g_error ("No widget with id “%s”", id);

  return widget;
}

/* A host that logs in to @server with its key and trusts its host key. */
TetherHost *
tether_ui_test_new_host (TetherTestServer *server)
{
  TetherHost *host = tether_test_server_new_host (server);

  tether_host_set_label (host, "Test Server");
  return host;
}

/* Whether the visible screen of @page shows @needle. */
gboolean
tether_ui_test_screen_contains (TetherTerminalPage *page,
                                const char         *needle)
{
  g_autofree char *text = vte_terminal_get_text (tether_terminal_page_get_terminal (page),
                                                 NULL, NULL, NULL);

  return text != NULL && strstr (text, needle) != NULL;
}

/* A TCP port on 127.0.0.1 that accepts connections, keeps them open without saying anything,
 * and counts them: where a test opens a destination that no server needs to answer. */
struct _TetherUiTestListener {
  GSocketService *service;
  GPtrArray *clients;
  guint16 port;
};

static gboolean
on_incoming (GSocketService       *service,
             GSocketConnection    *connection,
             GObject              *source_object,
             TetherUiTestListener *self)
{
  g_ptr_array_add (self->clients, g_object_ref (connection));
  return TRUE;
}

TetherUiTestListener *
tether_ui_test_listener_new (void)
{
  TetherUiTestListener *self = g_new0 (TetherUiTestListener, 1);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  self->clients = g_ptr_array_new_with_free_func (g_object_unref);
  self->service = g_socket_service_new ();
  g_socket_listener_add_address (G_SOCKET_LISTENER (self->service), address,
                                 G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL, &bound,
                                 &error);
  g_assert_no_error (error);
  self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_signal_connect (self->service, "incoming", G_CALLBACK (on_incoming), self);
  g_socket_service_start (self->service);

  return self;
}

guint16
tether_ui_test_listener_get_port (TetherUiTestListener *self)
{
  return self->port;
}

/* How many connections came in so far. */
guint
tether_ui_test_listener_get_n_clients (TetherUiTestListener *self)
{
  return self->clients->len;
}

/* Stops listening and closes every connection it accepted. */
void
tether_ui_test_listener_free (TetherUiTestListener *self)
{
  g_socket_service_stop (self->service);
  g_socket_listener_close (G_SOCKET_LISTENER (self->service));
  g_signal_handlers_disconnect_by_data (self->service, self);
  g_clear_object (&self->service);
  for (guint i = 0; i < self->clients->len; i++)
    g_io_stream_close (g_ptr_array_index (self->clients, i), NULL, NULL);
  g_clear_pointer (&self->clients, g_ptr_array_unref);
  g_free (self);
}

/* Types @text as a user would: through the terminal's commit path. */
void
tether_ui_test_type (TetherTerminalPage *page,
                     const char         *text)
{
  vte_terminal_feed_child (tether_terminal_page_get_terminal (page), text, -1);
}

gboolean
tether_ui_test_is_connected (TetherTerminalPage *page)
{
  return tether_terminal_page_get_state (page) == TETHER_TERMINAL_STATE_CONNECTED;
}

/* The app's session of @host: the tabs of a host share it. */
TetherHostSession *
tether_ui_test_session_for (TetherApplication *app,
                            TetherHost        *host)
{
  return tether_session_manager_lookup_or_create (tether_application_get_session_manager (app),
                                                  host);
}

TetherTerminalPage *
tether_ui_test_tab_terminal (AdwTabPage *tab)
{
  return TETHER_TERMINAL_PAGE (adw_tab_page_get_child (tab));
}

/* The message dialog on screen, or NULL. */
AdwMessageDialog *
tether_ui_test_find_message_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++) {
    g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

    if (ADW_IS_MESSAGE_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
      return ADW_MESSAGE_DIALOG (window);
  }

  return NULL;
}

/* The fingerprints a host key dialog shows, on lines of their own below its body. */
const char *
tether_ui_test_dialog_fingerprints (AdwMessageDialog *dialog)
{
  return gtk_label_get_text (GTK_LABEL (tether_ui_test_get_widget (dialog, "fingerprint_label")));
}

/* Buttons that libadwaita 1.2 makes inside its rows and windows, known by their tooltip (the tests
 * run in the C locale): libadwaita's to name, not ours. */
static const struct {
  const char *ancestor_type;
  const char *tooltip;
} adw_internal_buttons[] = {
  { "AdwEntryRow", "Apply" },
  { "AdwPasswordEntryRow", "Show Text" },
  { "AdwPreferencesWindow", "Search" },
};

/* Buttons made by GTK or libadwaita inside their own widgets are theirs to label. */
static gboolean
is_toolkit_internal (GtkWidget *widget)
{
  for (gsize i = 0; i < G_N_ELEMENTS (adw_internal_buttons); i++) {
    GType type = g_type_from_name (adw_internal_buttons[i].ancestor_type);

    if (type != G_TYPE_INVALID && gtk_widget_get_ancestor (widget, type) != NULL &&
        g_strcmp0 (gtk_widget_get_tooltip_text (widget), adw_internal_buttons[i].tooltip) == 0)
      return TRUE;
  }

  static const char * const internal_types[] = {
    "GtkWindowControls", "GtkSpinButton", "AdwTabBox", "AdwTab", "GtkPopoverMenu",
  };

  for (GtkWidget *ancestor = gtk_widget_get_parent (widget);
       ancestor != NULL;
       ancestor = gtk_widget_get_parent (ancestor)) {
    /* The inner toggle of a menu button: the menu button is checked instead. */
    if (GTK_IS_MENU_BUTTON (ancestor))
      return TRUE;
    for (gsize i = 0; i < G_N_ELEMENTS (internal_types); i++) {
      if (g_strcmp0 (G_OBJECT_TYPE_NAME (ancestor), internal_types[i]) == 0)
        return TRUE;
    }
  }

  return FALSE;
}

/* Whether @widget says what it does only with an icon. */
static gboolean
is_icon_only (GtkWidget *widget)
{
  GtkWidget *child;

  if (GTK_IS_MENU_BUTTON (widget))
    return gtk_menu_button_get_icon_name (GTK_MENU_BUTTON (widget)) != NULL;
  if (!GTK_IS_BUTTON (widget))
    return FALSE;
  if (gtk_button_get_icon_name (GTK_BUTTON (widget)) != NULL)
    return TRUE;
  if (gtk_button_get_label (GTK_BUTTON (widget)) != NULL)
    return FALSE;

  /* A custom child: icon-only when it holds no text. */
  child = gtk_button_get_child (GTK_BUTTON (widget));
  if (child == NULL)
    return FALSE;
  for (GtkWidget *w = child; w != NULL; ) {
    if (GTK_IS_LABEL (w) && g_strcmp0 (gtk_label_get_label (GTK_LABEL (w)), "") != 0 &&
        !gtk_widget_has_css_class (w, "numeric"))
      return FALSE;
    /* Depth first through @child. */
    if (gtk_widget_get_first_child (w) != NULL) {
      w = gtk_widget_get_first_child (w);
    } else {
      while (w != child && gtk_widget_get_next_sibling (w) == NULL)
        w = gtk_widget_get_parent (w);
      w = w == child ? NULL : gtk_widget_get_next_sibling (w);
    }
  }
  return TRUE;
}

static void
collect_icon_buttons (GtkWidget *widget,
                      GPtrArray *buttons)
{
  /* Hidden ones too (the tabs button of a wide window), except those a widget of the
   * toolkit keeps hidden (an info bar's or a search bar's close button, when not asked for). */
  if ((GTK_IS_BUTTON (widget) || GTK_IS_MENU_BUTTON (widget)) &&
      !is_toolkit_internal (widget) && is_icon_only (widget) &&
      (gtk_widget_get_visible (widget) ||
       gtk_buildable_get_buildable_id (GTK_BUILDABLE (widget)) != NULL))
    g_ptr_array_add (buttons, widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_icon_buttons (child, buttons);
}

/* The icon-only buttons under @root, with what they lack, one per line: "" when every one has
 * a tooltip and a non-empty accessible label (GTK_ACCESSIBLE_PROPERTY_LABEL, recorded only
 * with GTK_A11Y=test), or else names each offender by its place in the widget tree, its
 * template id and its icon. *@n_checked (optional) is how many icon-only buttons there were. */
char *
tether_ui_test_dup_unlabelled_icon_buttons (GtkWidget *root,
                                            guint     *n_checked)
{
  g_autoptr(GPtrArray) buttons = g_ptr_array_new ();
  GString *unlabelled = g_string_new (NULL);

  collect_icon_buttons (root, buttons);
  for (guint i = 0; i < buttons->len; i++) {
    GtkWidget *button = g_ptr_array_index (buttons, i);
    const char *tooltip = gtk_widget_get_tooltip_text (button);
    gboolean has_label = gtk_test_accessible_has_property (GTK_ACCESSIBLE (button),
                                                           GTK_ACCESSIBLE_PROPERTY_LABEL);
    /* NULL when the label is "", else the label (the test backend's way to read it). */
    g_autofree char *label = has_label ?
                             gtk_test_accessible_check_property (GTK_ACCESSIBLE (button),
                                                                 GTK_ACCESSIBLE_PROPERTY_LABEL,
                                                                 "") : NULL;
    const char *id = gtk_buildable_get_buildable_id (GTK_BUILDABLE (button));
    const char *icon = GTK_IS_MENU_BUTTON (button) ?
                       gtk_menu_button_get_icon_name (GTK_MENU_BUTTON (button)) :
                       gtk_button_get_icon_name (GTK_BUTTON (button));
    g_autoptr(GString) path = g_string_new (NULL);

    for (GtkWidget *w = gtk_widget_get_parent (button); w != NULL; w = gtk_widget_get_parent (w))
      g_string_prepend (g_string_prepend (path, G_OBJECT_TYPE_NAME (w)), "/");

    g_test_message ("%s/%s %s (%s): tooltip “%s”, accessible label “%s”", path->str,
                    G_OBJECT_TYPE_NAME (button), id != NULL ? id : "-",
                    icon != NULL ? icon : "custom child", tooltip != NULL ? tooltip : "",
                    label != NULL ? label : "");
    if (tooltip == NULL || *tooltip == '\0' || label == NULL)
      g_string_append_printf (unlabelled, "%s%s %s (%s) in %s:%s%s",
                              unlabelled->len > 0 ? "\n" : "",
                              G_OBJECT_TYPE_NAME (button), id != NULL ? id : "without id",
                              icon != NULL ? icon : "custom child", path->str,
                              tooltip == NULL || *tooltip == '\0' ? " no tooltip" : "",
                              label == NULL ? " no accessible label" : "");
  }

  if (n_checked != NULL)
    *n_checked = buttons->len;

  return g_string_free (unlabelled, FALSE);
}
