/* tether-forwards-panel.c: the port forwards of one host session.
 *
 * A view of the session's TetherForwardList: one row per forward, made when the list
 * changes, that follows its forward through notify (state, error, counters; the core sends
 * those at most a few times a second). Each row carries a "forward" action group (edit,
 * remove, copy the address, open in a browser) that its buttons and menu name. The panel
 * owns no forward: closing it changes nothing on the session.
 *
 * It shows in a window of its own per session (tether_forwards_panel_present ()), next to the
 * terminals of the host, so both can be seen at once. What it writes to the saved host is in
 * tether-forwards-panel-save.c. */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "tether-forward-dialog.h"
#include "tether-forwards-panel-private.h"
#include "tether-window.h"

#define ROW_FORWARD_KEY "tether-forward"
#define ROW_STATE_LABEL_KEY "tether-state-label"
#define ROW_SWITCH_KEY "tether-switch"
#define ROW_BROWSER_BUTTON_KEY "tether-browser-button"
#define ROW_UPDATING_KEY "tether-updating"
#define ROW_ACTIONS_KEY "tether-actions"

#define REMOTE_ROW_PORT_KEY "tether-remote-port"
#define REMOTE_ROW_BUTTON_KEY "tether-forward-button"

/* How often the server's ports are listed while the panel is on screen: soon enough to
 * catch a development server that just started, cheap enough (one exec) to repeat. */
#define REMOTE_PORTS_REFRESH_SECONDS 3
/* How far past a taken port "Forward" looks for a free one on this computer. */
#define FREE_PORT_ATTEMPTS 100
#define PORT_MAX 65535

#define PANEL_DEFAULT_WIDTH 640
#define PANEL_DEFAULT_HEIGHT 560

/* Ports web servers and development servers usually listen on: forwards to them get an
 * "Open in Browser" button. */
static const guint http_ports[] = { 80, 443, 3000, 4000, 5000, 5173, 8000, 8008, 8080, 8081,
                                    8443, 8888, 9000 };
static const guint https_ports[] = { 443, 8443 };

G_DEFINE_FINAL_TYPE (TetherForwardsPanel, tether_forwards_panel, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_SESSION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gboolean
port_in (guint        port,
         const guint *ports,
         gsize        n_ports)
{
  for (gsize i = 0; i < n_ports; i++) {
    if (ports[i] == port)
      return TRUE;
  }
  return FALSE;
}

/* The port it listens on: the one it got when it asked for any (0). */
static guint
listen_port (TetherForward *forward)
{
  guint bound = tether_forward_get_bound_port (forward);

  return bound != 0 ? bound : tether_forward_get_bind_port (forward);
}

static void
append_address (GString    *text,
                const char *address,
                const char *fallback)
{
  if (address == NULL || *address == '\0')
    g_string_append (text, fallback);
  else if (strchr (address, ':') != NULL)
    g_string_append_printf (text, "[%s]", address);
  else
    g_string_append (text, address);
}

static void
append_endpoint (GString    *text,
                 const char *address,
                 const char *fallback,
                 guint       port)
{
  append_address (text, address, fallback);
  if (port != 0)
    g_string_append_printf (text, ":%u", port);
  else
    /* Translators: the port of a remote forward the server has not picked yet. */
    g_string_append_printf (text, ":%s", _("any"));
}

/**
 * tether_forward_dup_summary:
 * @forward: a #TetherForward
 *
 * Says where @forward listens and where it goes, as the panel shows it:
 * "localhost:8080 → db:5432", "SOCKS on localhost:1080", "server :9000 → localhost:3000".
 *
 * Returns: (transfer full): the summary
 */
char *
tether_forward_dup_summary (TetherForward *forward)
{
  GString *text = g_string_new (NULL);
  const char *bind_address = tether_forward_get_bind_address (forward);
  const char *host = tether_forward_get_destination_host (forward);
  guint port = listen_port (forward);

  switch (tether_forward_get_kind (forward)) {
  case TETHER_FORWARD_KIND_LOCAL:
    append_endpoint (text, bind_address, "localhost", port);
    g_string_append (text, " → ");
    append_endpoint (text, host, "localhost", tether_forward_get_destination_port (forward));
    break;
  case TETHER_FORWARD_KIND_DYNAMIC:
    /* Translators: a local SOCKS proxy; the rest is an address such as localhost:1080. */
    g_string_append (text, _("SOCKS on "));
    append_endpoint (text, bind_address, "localhost", port);
    break;
  case TETHER_FORWARD_KIND_REMOTE:
    if (host == NULL || *host == '\0')
      /* Translators: a SOCKS proxy on the server's port; an address such as :1080 follows. */
      g_string_append (text, _("SOCKS on server "));
    else
      /* Translators: a port on the server; an address such as :9000 follows. */
      g_string_append (text, _("server "));
    append_endpoint (text, bind_address, "", port);
    if (host != NULL && *host != '\0') {
      g_string_append (text, " → ");
      append_endpoint (text, host, "localhost", tether_forward_get_destination_port (forward));
    }
    break;
  default:
    g_assert_not_reached ();
  }

  return g_string_free (text, FALSE);
}

/* A local forward to (or from) a port web servers use: a browser can open it. */
gboolean
tether_forward_looks_like_http (TetherForward *forward)
{
  return tether_forward_get_kind (forward) == TETHER_FORWARD_KIND_LOCAL &&
         (port_in (tether_forward_get_destination_port (forward), http_ports,
                   G_N_ELEMENTS (http_ports)) ||
          port_in (listen_port (forward), http_ports, G_N_ELEMENTS (http_ports)));
}

/* Where a client connects to use the forward: on this machine for local and SOCKS
 * forwards, on the server for remote ones. */
static char *
dup_client_address (TetherForwardsPanel *self,
                    TetherForward       *forward)
{
  GString *text = g_string_new (NULL);
  const char *bind_address = tether_forward_get_bind_address (forward);

  if (tether_forward_get_kind (forward) == TETHER_FORWARD_KIND_REMOTE) {
    TetherHost *host = tether_host_session_get_host (self->session);

    append_address (text, tether_host_get_hostname (host), tether_host_get_alias (host));
  } else if (bind_address == NULL || *bind_address == '\0' || g_str_equal (bind_address, "*") ||
             g_str_equal (bind_address, "0.0.0.0") || g_str_equal (bind_address, "::")) {
    /* Listening everywhere includes loopback: the address that works from here. */
    g_string_append (text, "localhost");
  } else {
    append_address (text, bind_address, "localhost");
  }
  g_string_append_printf (text, ":%u", listen_port (forward));

  return g_string_free (text, FALSE);
}

static const char *
kind_name (TetherForwardKind kind)
{
  switch (kind) {
  case TETHER_FORWARD_KIND_LOCAL:
    return _("Local forward");
  case TETHER_FORWARD_KIND_REMOTE:
    return _("Remote forward");
  case TETHER_FORWARD_KIND_DYNAMIC:
    return _("SOCKS proxy");
  default:
    g_assert_not_reached ();
  }
}

static const char *
state_name (TetherForwardState state)
{
  switch (state) {
  case TETHER_FORWARD_STATE_STOPPED:
    return _("Stopped");
  case TETHER_FORWARD_STATE_STARTING:
    return _("Starting…");
  case TETHER_FORWARD_STATE_ACTIVE:
    return _("Active");
  case TETHER_FORWARD_STATE_FAILED:
    return _("Failed");
  default:
    g_assert_not_reached ();
  }
}

/* Narrow rows wrap between the parts of the second line, not inside an amount. */
static char *
dup_unbreakable (const char *text)
{
  g_auto(GStrv) words = g_strsplit (text, " ", -1);

  return g_strjoinv ("\u00a0", words);
}

/* A WORD JOINER after each colon: a narrow row wraps between the ends of a forward, not
 * inside an address. */
static char *
dup_unbreakable_addresses (const char *summary)
{
  g_auto(GStrv) parts = g_strsplit (summary, ":", -1);

  return g_strjoinv (":\u2060", parts);
}

/* The row's second line: what failed, or kind and traffic. */
static char *
dup_details (TetherForward *forward)
{
  const GError *error = tether_forward_get_error (forward);
  g_autofree char *size = NULL;
  g_autofree char *in = NULL;
  g_autofree char *out = NULL;
  g_autofree char *connections = NULL;
  g_autofree char *in_nb = NULL;
  g_autofree char *out_nb = NULL;
  g_autofree char *connections_nb = NULL;

  if (tether_forward_get_state (forward) == TETHER_FORWARD_STATE_FAILED && error != NULL)
    return g_strdup (error->message);

  size = g_format_size (tether_forward_get_bytes_in (forward));
  /* Translators: bytes received through a forward */
  in = g_strdup_printf (_("↓ %s"), size);
  g_free (size);
  size = g_format_size (tether_forward_get_bytes_out (forward));
  /* Translators: bytes sent through a forward */
  out = g_strdup_printf (_("↑ %s"), size);
  connections = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u open", "%u open",
                                              tether_forward_get_n_active (forward)),
                                 tether_forward_get_n_active (forward));
  in_nb = dup_unbreakable (in);
  out_nb = dup_unbreakable (out);
  connections_nb = dup_unbreakable (connections);
  /* Translators: kind · connections open now · bytes received · bytes sent */
  return g_strdup_printf (_("%s · %s · %s %s"),
                          kind_name (tether_forward_get_kind (forward)), connections_nb, in_nb,
                          out_nb);
}

static void
update_row (AdwActionRow *row)
{
  TetherForward *forward = g_object_get_data (G_OBJECT (row), ROW_FORWARD_KEY);
  GtkWidget *state_label = g_object_get_data (G_OBJECT (row), ROW_STATE_LABEL_KEY);
  GtkWidget *toggle = g_object_get_data (G_OBJECT (row), ROW_SWITCH_KEY);
  GtkWidget *browser_button = g_object_get_data (G_OBJECT (row), ROW_BROWSER_BUTTON_KEY);
  TetherForwardState state = tether_forward_get_state (forward);
  gboolean running = state == TETHER_FORWARD_STATE_ACTIVE ||
                     state == TETHER_FORWARD_STATE_STARTING;
  g_autofree char *summary = tether_forward_dup_summary (forward);
  g_autofree char *title = dup_unbreakable_addresses (summary);
  g_autofree char *details = dup_details (forward);
  GActionMap *group = g_object_get_data (G_OBJECT (row), ROW_ACTIONS_KEY);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (row, details);

  gtk_label_set_text (GTK_LABEL (state_label), state_name (state));
  gtk_widget_remove_css_class (state_label, "success");
  gtk_widget_remove_css_class (state_label, "error");
  gtk_widget_remove_css_class (state_label, "dim-label");
  gtk_widget_add_css_class (state_label,
                            state == TETHER_FORWARD_STATE_ACTIVE ? "success" :
                            state == TETHER_FORWARD_STATE_FAILED ? "error" : "dim-label");

  /* The switch follows the forward; its own handler must not act on this. */
  g_object_set_data (G_OBJECT (row), ROW_UPDATING_KEY, GINT_TO_POINTER (TRUE));
  gtk_switch_set_active (GTK_SWITCH (toggle), running);
  g_object_set_data (G_OBJECT (row), ROW_UPDATING_KEY, NULL);

  gtk_widget_set_visible (browser_button, tether_forward_looks_like_http (forward));
  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (
                                 group, "open-in-browser")),
                               state == TETHER_FORWARD_STATE_ACTIVE);
  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (
                                 group, "copy-address")),
                               listen_port (forward) != 0);
}

static void
on_forward_notify (TetherForward *forward,
                   GParamSpec    *pspec,
                   AdwActionRow  *row)
{
  update_row (row);
}

static void
on_switch_active (GtkSwitch    *toggle,
                  GParamSpec   *pspec,
                  AdwActionRow *row)
{
  TetherForward *forward = g_object_get_data (G_OBJECT (row), ROW_FORWARD_KEY);

  if (g_object_get_data (G_OBJECT (row), ROW_UPDATING_KEY) != NULL)
    return;

  if (gtk_switch_get_active (toggle))
    tether_forward_start (forward);
  else
    tether_forward_stop (forward);
}

static TetherForwardsPanel *
row_get_panel (GtkWidget *row)
{
  return TETHER_FORWARDS_PANEL (gtk_widget_get_ancestor (row, TETHER_TYPE_FORWARDS_PANEL));
}

static void
edit_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  GtkWidget *row = user_data;
  TetherForwardsPanel *self = row_get_panel (row);
  TetherForwardDialog *dialog;

  if (self == NULL)
    return;

  dialog = tether_forward_dialog_new (GTK_WINDOW (gtk_widget_get_root (row)), self->forwards,
                                      g_object_get_data (G_OBJECT (row), ROW_FORWARD_KEY));
  g_signal_connect_object (dialog, "saved", G_CALLBACK (_tether_forwards_panel_save_forward), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
remove_activated (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  GtkWidget *row = user_data;
  TetherForwardsPanel *self = row_get_panel (row);
  g_autoptr(TetherForward) forward = NULL;

  if (self == NULL)
    return;

  /* The row goes with the forward. */
  forward = g_object_ref (g_object_get_data (G_OBJECT (row), ROW_FORWARD_KEY));
  tether_forward_list_remove (self->forwards, forward);
  _tether_forwards_panel_forget_forward (self, forward);
}

static void
copy_address_activated (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       user_data)
{
  GtkWidget *row = user_data;
  TetherForwardsPanel *self = row_get_panel (row);
  g_autofree char *address = NULL;

  if (self == NULL)
    return;

  address = dup_client_address (self, g_object_get_data (G_OBJECT (row), ROW_FORWARD_KEY));
  gdk_clipboard_set_text (gtk_widget_get_clipboard (row), address);
}

static void
open_in_browser_activated (GSimpleAction *action,
                           GVariant      *parameter,
                           gpointer       user_data)
{
  GtkWidget *row = user_data;
  TetherForwardsPanel *self = row_get_panel (row);
  TetherForward *forward = g_object_get_data (G_OBJECT (row), ROW_FORWARD_KEY);
  g_autofree char *address = NULL;
  g_autofree char *uri = NULL;
  gboolean https;

  if (self == NULL)
    return;

  https = port_in (tether_forward_get_destination_port (forward), https_ports,
                   G_N_ELEMENTS (https_ports)) ||
          port_in (listen_port (forward), https_ports, G_N_ELEMENTS (https_ports));
  address = dup_client_address (self, forward);
  uri = g_strdup_printf ("%s://%s/", https ? "https" : "http", address);
  /* GtkUriLauncher is GTK 4.10; Debian 12 has 4.8. */
  gtk_show_uri (GTK_WINDOW (gtk_widget_get_root (row)), uri, GDK_CURRENT_TIME);
}

static const GActionEntry forward_actions[] = {
  { .name = "edit", .activate = edit_activated },
  { .name = "remove", .activate = remove_activated },
  { .name = "copy-address", .activate = copy_address_activated },
  { .name = "open-in-browser", .activate = open_in_browser_activated },
};

static GtkWidget *
new_icon_button (const char *icon_name,
                 const char *label,
                 const char *action_name)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon_name);

  gtk_widget_set_tooltip_text (button, label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action_name);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  return button;
}

static GMenuModel *
new_row_menu (void)
{
  GMenu *menu = g_menu_new ();

  g_menu_append (menu, _("_Edit…"), "forward.edit");
  g_menu_append (menu, _("_Copy Address"), "forward.copy-address");
  g_menu_append (menu, _("Open in _Browser"), "forward.open-in-browser");
  g_menu_append (menu, _("_Remove"), "forward.remove");
  return G_MENU_MODEL (menu);
}

static GtkWidget *
create_row (gpointer item,
            gpointer user_data)
{
  TetherForward *forward = item;
  g_autoptr(GSimpleActionGroup) group = g_simple_action_group_new ();
  g_autoptr(GMenuModel) menu = new_row_menu ();
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *state_label = gtk_label_new (NULL);
  GtkWidget *toggle = gtk_switch_new ();
  GtkWidget *browser_button;
  GtkWidget *copy_button;
  GtkWidget *menu_button = gtk_menu_button_new ();
  g_autofree char *summary = tether_forward_dup_summary (forward);

  /* Addresses are text, not markup. */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 3);
  g_object_set_data_full (G_OBJECT (row), ROW_FORWARD_KEY, g_object_ref (forward),
                          g_object_unref);

  gtk_widget_set_name (state_label, "state");
  gtk_widget_set_valign (state_label, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (state_label, "caption-heading");
  g_object_set_data (G_OBJECT (row), ROW_STATE_LABEL_KEY, state_label);

  browser_button = new_icon_button ("adw-external-link-symbolic", _("Open in Browser"),
                                    "forward.open-in-browser");
  g_object_set_data (G_OBJECT (row), ROW_BROWSER_BUTTON_KEY, browser_button);
  copy_button = new_icon_button ("edit-copy-symbolic", _("Copy Address"),
                                 "forward.copy-address");

  gtk_widget_set_valign (toggle, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (toggle, _("Forward Connections"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (toggle), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  summary, -1);
  g_object_set_data (G_OBJECT (row), ROW_SWITCH_KEY, toggle);

  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (menu_button), "view-more-symbolic");
  gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (menu_button), menu);
  gtk_widget_set_tooltip_text (menu_button, _("Forward Menu"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (menu_button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Forward Menu"), -1);
  gtk_widget_set_valign (menu_button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (menu_button, "flat");

  /* The one button only some rows have goes first, so that the rest line up. */
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), browser_button);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), state_label);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), copy_button);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), toggle);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), menu_button);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), toggle);

  g_action_map_add_action_entries (G_ACTION_MAP (group), forward_actions,
                                   G_N_ELEMENTS (forward_actions), row);
  gtk_widget_insert_action_group (row, "forward", G_ACTION_GROUP (group));
  g_object_set_data (G_OBJECT (row), ROW_ACTIONS_KEY, group);  /* the row holds it */

  update_row (ADW_ACTION_ROW (row));
  g_signal_connect_object (toggle, "notify::active", G_CALLBACK (on_switch_active), row,
                           G_CONNECT_DEFAULT);
  g_signal_connect_object (forward, "notify", G_CALLBACK (on_forward_notify), row,
                           G_CONNECT_DEFAULT);

  return row;
}

static GtkWidget *
new_placeholder (void)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("No Forwards"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                               _("Add one to reach a port of the server from this computer, "
                                 "or one of this computer from the server."));
  gtk_widget_add_css_class (row, "dim-label");
  return row;
}

static void
add_activated (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  TetherForwardsPanel *self = TETHER_FORWARDS_PANEL (widget);
  TetherForwardDialog *dialog;

  dialog = tether_forward_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)), self->forwards,
                                      NULL);
  g_signal_connect_object (dialog, "saved", G_CALLBACK (_tether_forwards_panel_save_forward), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ------------------------------------------------------------------------- */
/* The server's ports                                                         */

static gboolean
listens_locally (TetherForwardKind kind)
{
  return kind != TETHER_FORWARD_KIND_REMOTE;
}

/* The local forward that already reaches the server's @port, if any. */
static TetherForward *
find_forward_to (TetherForwardsPanel *self,
                 guint                port)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->forwards));

  for (guint i = 0; i < n; i++) {
    g_autoptr(TetherForward) forward = g_list_model_get_item (G_LIST_MODEL (self->forwards), i);
    const char *host = tether_forward_get_destination_host (forward);

    if (tether_forward_get_kind (forward) == TETHER_FORWARD_KIND_LOCAL &&
        tether_forward_get_destination_port (forward) == port &&
        (g_strcmp0 (host, "localhost") == 0 || g_strcmp0 (host, "127.0.0.1") == 0 ||
         g_strcmp0 (host, "::1") == 0))
      return forward;  /* the list holds it */
  }

  return NULL;
}

static gboolean
forward_uses_local_port (TetherForwardsPanel *self,
                         guint                port)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->forwards));

  for (guint i = 0; i < n; i++) {
    g_autoptr(TetherForward) forward = g_list_model_get_item (G_LIST_MODEL (self->forwards), i);

    if (listens_locally (tether_forward_get_kind (forward)) && listen_port (forward) == port)
      return TRUE;
  }

  return FALSE;
}

/* Whether a listener could take 127.0.0.1:@port now (a bind on loopback does not block). */
static gboolean
local_port_free (guint port)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, port);

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                         NULL);
  return socket != NULL && g_socket_bind (socket, address, TRUE, NULL);
}

/* @port when it is free here, else the next free one; 0 when none is near. */
static guint
find_free_local_port (TetherForwardsPanel *self,
                      guint                port)
{
  for (guint i = 0; i < FREE_PORT_ATTEMPTS && port + i <= PORT_MAX; i++) {
    if (!forward_uses_local_port (self, port + i) && local_port_free (port + i))
      return port + i;
  }
  return 0;
}

/* "0.0.0.0, ::": listening everywhere, which the addresses say only to the initiated. */
static gboolean
is_wildcard (const char *addresses)
{
  g_auto(GStrv) each = g_strsplit (addresses != NULL ? addresses : "", ", ", -1);

  for (guint i = 0; each[i] != NULL; i++) {
    if (!g_str_equal (each[i], "0.0.0.0") && !g_str_equal (each[i], "::") &&
        !g_str_equal (each[i], "*"))
      return FALSE;
  }
  return each[0] != NULL;
}

static void
update_remote_row (TetherForwardsPanel *self,
                   GtkWidget           *row)
{
  TetherRemotePort *port = g_object_get_data (G_OBJECT (row), REMOTE_ROW_PORT_KEY);
  GtkWidget *button = g_object_get_data (G_OBJECT (row), REMOTE_ROW_BUTTON_KEY);
  TetherForward *forward;
  g_autofree char *subtitle = NULL;
  const char *process;
  const char *address;

  if (port == NULL)
    return;

  process = tether_remote_port_get_process (port);
  address = tether_remote_port_get_address (port);
  forward = find_forward_to (self, tether_remote_port_get_port (port));
  if (forward != NULL)
    /* Translators: where a port of the server can be reached from this computer. */
    subtitle = g_strdup_printf (_("Forwarded to localhost:%u"), listen_port (forward));
  else if (tether_remote_port_get_is_loopback_only (port))
    /* Translators: the server's addresses a port listens on; only the server reaches them. */
    subtitle = g_strdup_printf (_("On %s, reachable from the server only"), address);
  else if (is_wildcard (address))
    subtitle = g_strdup (_("On every address of the server"));
  else
    subtitle = g_strdup_printf (_("On %s"), address);

  if (process != NULL) {
    g_autofree char *both = g_strdup_printf ("%s · %s", process, subtitle);

    g_free (subtitle);
    subtitle = g_steal_pointer (&both);
  }
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_set_visible (button, forward == NULL);
}

static void
update_remote_rows (TetherForwardsPanel *self)
{
  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->remote_list));
       row != NULL;
       row = gtk_widget_get_next_sibling (row))
    update_remote_row (self, row);
}

static void
on_forwards_changed (GListModel          *model,
                     guint                position,
                     guint                removed,
                     guint                added,
                     TetherForwardsPanel *self)
{
  update_remote_rows (self);
}

/**
 * tether_forwards_panel_forward_remote_port:
 * @self: a #TetherForwardsPanel
 * @port: a port that listens on the server
 *
 * Adds a local forward to the server's @port: on the same port of this computer when it is
 * free, else on the next free one.
 *
 * Returns: (transfer none) (nullable): the forward, or %NULL when no port near is free
 */
TetherForward *
tether_forwards_panel_forward_remote_port (TetherForwardsPanel *self,
                                          guint                port)
{
  g_autoptr(TetherForwardSpec) spec = NULL;
  g_autoptr(TetherForward) forward = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  guint local_port;

  g_return_val_if_fail (TETHER_IS_FORWARDS_PANEL (self), NULL);

  local_port = find_free_local_port (self, port);
  if (local_port == 0)
    return NULL;

  text = g_strdup_printf ("%u localhost:%u", local_port, port);
  spec = tether_forward_spec_parse (TETHER_FORWARD_KIND_LOCAL, text, &error);
  if (spec == NULL) {
    g_warning ("Cannot forward port %u: %s", port, error->message);
    return NULL;
  }
  /* Pinned: it starts now and comes back after a reconnect, as an added forward does. */
  forward = tether_forward_list_add_spec (self->forwards, spec, TRUE);
  return forward;  /* the list holds it */
}

static void
remote_forward_clicked (GtkButton *button,
                        GtkWidget *row)
{
  TetherForwardsPanel *self = row_get_panel (row);
  TetherRemotePort *port = g_object_get_data (G_OBJECT (row), REMOTE_ROW_PORT_KEY);

  if (self != NULL)
    tether_forwards_panel_forward_remote_port (self, tether_remote_port_get_port (port));
}

static void
on_remote_port_notify (TetherRemotePort *port,
                       GParamSpec       *pspec,
                       GtkWidget        *row)
{
  TetherForwardsPanel *self = row_get_panel (row);

  if (self != NULL)
    update_remote_row (self, row);
}

static GtkWidget *
create_remote_row (gpointer item,
                   gpointer user_data)
{
  TetherForwardsPanel *self = user_data;
  TetherRemotePort *port = item;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *button = gtk_button_new_with_mnemonic (_("_Forward"));
  g_autofree char *title = g_strdup_printf (_("Port %u"), tether_remote_port_get_port (port));
  g_autofree char *tooltip = g_strdup_printf (_("Forward port %u to this computer"),
                                              tether_remote_port_get_port (port));

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  g_object_set_data_full (G_OBJECT (row), REMOTE_ROW_PORT_KEY, g_object_ref (port),
                          g_object_unref);
  g_object_set_data (G_OBJECT (row), REMOTE_ROW_BUTTON_KEY, button);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, tooltip);
  g_signal_connect_object (button, "clicked", G_CALLBACK (remote_forward_clicked), row,
                           G_CONNECT_DEFAULT);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);

  g_signal_connect_object (port, "notify", G_CALLBACK (on_remote_port_notify), row,
                           G_CONNECT_DEFAULT);
  update_remote_row (self, row);
  return row;
}

/* What the empty list says: why there is nothing to show. */
static void
update_remote_placeholder (TetherForwardsPanel *self)
{
  const GError *error = tether_remote_ports_get_error (self->remote_ports);
  gboolean ready = tether_host_session_get_state (self->session) ==
                   TETHER_HOST_SESSION_STATE_READY;

  if (!ready) {
    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->remote_placeholder),
                                   _("Not Connected"));
    adw_action_row_set_subtitle (self->remote_placeholder,
                                 _("Connect to the host to see the ports open on its server."));
  } else if (error != NULL) {
    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->remote_placeholder),
                                   _("Could Not List Ports"));
    adw_action_row_set_subtitle (self->remote_placeholder, error->message);
  } else if (tether_remote_ports_get_loading (self->remote_ports)) {
    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->remote_placeholder),
                                   _("Looking for Ports…"));
    adw_action_row_set_subtitle (self->remote_placeholder, "");
  } else {
    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->remote_placeholder),
                                   _("No Open Ports"));
    adw_action_row_set_subtitle (self->remote_placeholder,
                                 _("No program on the server listens for connections."));
  }

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "forwards.refresh",
                                 ready && !tether_remote_ports_get_loading (self->remote_ports));
}

static void
refreshed_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  /* A failure is the list's :error, shown by the placeholder. */
  tether_remote_ports_refresh_finish (TETHER_REMOTE_PORTS (source), result, NULL);
}

static void
refresh_activated (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  TetherForwardsPanel *self = TETHER_FORWARDS_PANEL (widget);

  tether_remote_ports_refresh_async (self->remote_ports, NULL, refreshed_cb, NULL);
}

/* The server's ports are listed only while someone looks at them. */
static void
tether_forwards_panel_map (GtkWidget *widget)
{
  TetherForwardsPanel *self = TETHER_FORWARDS_PANEL (widget);

  GTK_WIDGET_CLASS (tether_forwards_panel_parent_class)->map (widget);
  tether_remote_ports_set_refresh_interval (self->remote_ports, REMOTE_PORTS_REFRESH_SECONDS);
}

static void
tether_forwards_panel_unmap (GtkWidget *widget)
{
  TetherForwardsPanel *self = TETHER_FORWARDS_PANEL (widget);

  tether_remote_ports_set_refresh_interval (self->remote_ports, 0);
  GTK_WIDGET_CLASS (tether_forwards_panel_parent_class)->unmap (widget);
}

static void
update_title (TetherForwardsPanel *self)
{
  TetherHost *host = tether_host_session_get_host (self->session);
  const char *label = tether_host_get_label (host);

  adw_window_title_set_subtitle (self->window_title,
                                 label != NULL && *label != '\0' ? label :
                                 tether_host_get_alias (host));
}

static void
on_auto_forward_changed (TetherForwardsPanel *self)
{
  _tether_forwards_panel_save_auto_forward (self);
}

static void
on_auto_forward_filter_changed (TetherForwardsPanel *self)
{
  gtk_widget_remove_css_class (GTK_WIDGET (self->auto_forward_filter_row), "error");
}

/* The filter takes effect when applied (Enter or the apply button), and only when valid. */
static void
on_auto_forward_filter_apply (TetherForwardsPanel *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->auto_forward_filter_row));
  g_autofree char *filter = g_strstrip (g_strdup (text));
  g_autoptr(GError) error = NULL;

  if (!tether_remote_ports_filter_check (filter, &error)) {
    gtk_widget_add_css_class (GTK_WIDGET (self->auto_forward_filter_row), "error");
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->auto_forward_filter_row), error->message);
    gtk_accessible_update_property (GTK_ACCESSIBLE (self->auto_forward_filter_row),
                                    GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, error->message, -1);
    return;
  }
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->auto_forward_filter_row),
                               _("Ports and ranges, such as “3000-3999, 8080”; “!5432” never "
                                 "forwards a port. Empty: every port but 22."));
  tether_host_set_auto_forward_ports_filter (tether_host_session_get_host (self->session),
                                             *filter != '\0' ? filter : NULL);
}

/**
 * tether_forwards_panel_set_host_store:
 * @self: a #TetherForwardsPanel
 * @store: (nullable): the store of saved hosts
 *
 * Lets the panel save a saved host's forwards and auto-forward settings in @store.
 */
void
tether_forwards_panel_set_host_store (TetherForwardsPanel *self,
                                      TetherHostStore     *store)
{
  g_return_if_fail (TETHER_IS_FORWARDS_PANEL (self));
  g_set_object (&self->host_store, store);
}

static void
tether_forwards_panel_constructed (GObject *object)
{
  TetherForwardsPanel *self = TETHER_FORWARDS_PANEL (object);
  TetherHost *host;

  G_OBJECT_CLASS (tether_forwards_panel_parent_class)->constructed (object);

  g_assert (self->session != NULL);
  host = tether_host_session_get_host (self->session);
  self->forwards = g_object_ref (tether_host_session_get_forwards (self->session));
  gtk_list_box_bind_model (self->forwards_list, G_LIST_MODEL (self->forwards), create_row,
                           self, NULL);
  gtk_list_box_set_placeholder (self->forwards_list, new_placeholder ());
  update_title (self);

  self->remote_ports = tether_remote_ports_new (self->session);
  gtk_list_box_bind_model (self->remote_list, G_LIST_MODEL (self->remote_ports),
                           create_remote_row, self, NULL);
  self->remote_placeholder = ADW_ACTION_ROW (adw_action_row_new ());
  gtk_widget_add_css_class (GTK_WIDGET (self->remote_placeholder), "dim-label");
  gtk_list_box_set_placeholder (self->remote_list, GTK_WIDGET (self->remote_placeholder));
  g_signal_connect_object (self->remote_ports, "notify::loading",
                           G_CALLBACK (update_remote_placeholder), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->remote_ports, "notify::error",
                           G_CALLBACK (update_remote_placeholder), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "notify::state",
                           G_CALLBACK (update_remote_placeholder), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->forwards, "items-changed", G_CALLBACK (on_forwards_changed),
                           self, G_CONNECT_DEFAULT);
  update_remote_placeholder (self);

  g_object_bind_property (host, "auto-forward-ports",
                          self->auto_forward_switch, "active",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  gtk_editable_set_text (GTK_EDITABLE (self->auto_forward_filter_row),
                         tether_host_get_auto_forward_ports_filter (host) ?: "");
  g_signal_connect_object (host, "notify::auto-forward-ports",
                           G_CALLBACK (on_auto_forward_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (host, "notify::auto-forward-ports-filter",
                           G_CALLBACK (on_auto_forward_changed), self, G_CONNECT_SWAPPED);
}

static void
tether_forwards_panel_dispose (GObject *object)
{
  TetherForwardsPanel *self = TETHER_FORWARDS_PANEL (object);

  if (self->forwards_list != NULL)
    gtk_list_box_bind_model (self->forwards_list, NULL, NULL, NULL, NULL);
  if (self->remote_list != NULL)
    gtk_list_box_bind_model (self->remote_list, NULL, NULL, NULL, NULL);
  if (self->remote_ports != NULL)
    tether_remote_ports_set_refresh_interval (self->remote_ports, 0);
  gtk_widget_dispose_template (GTK_WIDGET (self), TETHER_TYPE_FORWARDS_PANEL);
  g_clear_object (&self->forwards);
  g_clear_object (&self->remote_ports);
  g_clear_object (&self->host_store);
  g_clear_object (&self->unsaved);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (tether_forwards_panel_parent_class)->dispose (object);
}

static void
tether_forwards_panel_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  TetherForwardsPanel *self = TETHER_FORWARDS_PANEL (object);

  switch (prop_id) {
  case PROP_SESSION:
    g_value_set_object (value, self->session);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
tether_forwards_panel_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  TetherForwardsPanel *self = TETHER_FORWARDS_PANEL (object);

  switch (prop_id) {
  case PROP_SESSION:
    self->session = g_value_dup_object (value);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
tether_forwards_panel_class_init (TetherForwardsPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = tether_forwards_panel_constructed;
  object_class->dispose = tether_forwards_panel_dispose;
  object_class->get_property = tether_forwards_panel_get_property;
  object_class->set_property = tether_forwards_panel_set_property;
  widget_class->map = tether_forwards_panel_map;
  widget_class->unmap = tether_forwards_panel_unmap;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, TETHER_TYPE_HOST_SESSION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tetherssh/Tether/"
                                               "tether-forwards-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, TetherForwardsPanel, window_title);
  gtk_widget_class_bind_template_child (widget_class, TetherForwardsPanel, forwards_list);
  gtk_widget_class_bind_template_child (widget_class, TetherForwardsPanel, remote_group);
  gtk_widget_class_bind_template_child (widget_class, TetherForwardsPanel, remote_list);
  gtk_widget_class_bind_template_child (widget_class, TetherForwardsPanel, auto_forward_switch);
  gtk_widget_class_bind_template_child (widget_class, TetherForwardsPanel,
                                        auto_forward_filter_row);
  gtk_widget_class_bind_template_child (widget_class, TetherForwardsPanel, auto_forward_row);
  gtk_widget_class_bind_template_callback (widget_class, on_auto_forward_filter_apply);
  gtk_widget_class_bind_template_callback (widget_class, on_auto_forward_filter_changed);

  gtk_widget_class_install_action (widget_class, "forwards.add", NULL, add_activated);
  gtk_widget_class_install_action (widget_class, "forwards.refresh", NULL, refresh_activated);
  /* Like the host list's Ctrl+N: add the thing this view lists. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK,
                                       "forwards.add", NULL);
}

static void
tether_forwards_panel_init (TetherForwardsPanel *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

TetherForwardsPanel *
tether_forwards_panel_new (TetherHostSession *session)
{
  g_return_val_if_fail (TETHER_IS_HOST_SESSION (session), NULL);

  return g_object_new (TETHER_TYPE_FORWARDS_PANEL, "session", session, NULL);
}

TetherHostSession *
tether_forwards_panel_get_session (TetherForwardsPanel *self)
{
  g_return_val_if_fail (TETHER_IS_FORWARDS_PANEL (self), NULL);
  return self->session;
}

/**
 * tether_forwards_panel_present:
 * @parent: (nullable): the window it was asked from
 * @session: the host session whose forwards to show
 *
 * Shows the forwards of @session in their window, made the first time.
 *
 * Returns: (transfer none): the window showing the panel
 */
GtkWindow *
tether_forwards_panel_present (GtkWindow         *parent,
                               TetherHostSession *session)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  GtkWidget *window;
  GtkEventController *shortcuts;
  TetherForwardsPanel *panel;
  g_autofree char *title = NULL;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (TETHER_IS_HOST_SESSION (session), NULL);

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++) {
    g_autoptr(GtkWindow) toplevel = g_list_model_get_item (toplevels, i);
    GtkWidget *content;

    if (!ADW_IS_WINDOW (toplevel))
      continue;
    content = adw_window_get_content (ADW_WINDOW (toplevel));
    if (TETHER_IS_FORWARDS_PANEL (content) &&
        TETHER_FORWARDS_PANEL (content)->session == session) {
      gtk_window_present (toplevel);
      return toplevel;
    }
  }

  panel = tether_forwards_panel_new (session);
  if (TETHER_IS_WINDOW (parent))
    tether_forwards_panel_set_host_store (panel,
                                          tether_window_get_host_store (TETHER_WINDOW (parent)));
  window = adw_window_new ();
  title = g_strdup_printf (_("Port Forwards of %s"),
                           adw_window_title_get_subtitle (panel->window_title));
  gtk_window_set_title (GTK_WINDOW (window), title);
  gtk_window_set_default_size (GTK_WINDOW (window), PANEL_DEFAULT_WIDTH, PANEL_DEFAULT_HEIGHT);
  /* The HIG's smallest window, as the main window's. */
  gtk_widget_set_size_request (window, 360, 294);
  if (parent != NULL) {
    gtk_window_set_transient_for (GTK_WINDOW (window), parent);
    gtk_window_set_destroy_with_parent (GTK_WINDOW (window), TRUE);
    gtk_window_set_application (GTK_WINDOW (window), gtk_window_get_application (parent));
  }
  adw_window_set_content (ADW_WINDOW (window), GTK_WIDGET (panel));
  shortcuts = gtk_shortcut_controller_new ();
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_Escape,
                                                                                  0),
                                                          gtk_named_action_new ("window.close")));
  gtk_widget_add_controller (window, shortcuts);
  gtk_window_present (GTK_WINDOW (window));

  return GTK_WINDOW (window);
}
