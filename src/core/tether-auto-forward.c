/* tether-auto-forward.c: a local forward for each port that starts listening on a host's
 * server, when the host asks for it (TetherHost:auto-forward-ports).
 *
 * It watches a TetherRemotePorts of its own, refreshed every few seconds while the host's
 * option is on and the session is logged in, and adds to the session's TetherForwardList a
 * local forward localhost:P -> localhost:P (the next free local port when P is taken) for
 * each new port the filter allows; the forward goes again when the port stops listening.
 */
#include "config.h"

#include "tether-auto-forward.h"
#include "tether-remote-ports-private.h"

/* Often enough that a dev server is reachable soon after it starts; one exec each time. */
#define DEFAULT_INTERVAL_S 5
/* Local ports tried after the remote one when it is taken here. */
#define MAX_PORT_TRIES 100
/* A privileged port (80) is forwarded from this much higher (8080) when it cannot be had. */
#define PRIVILEGED_PORT_LIMIT 1024
#define PRIVILEGED_OFFSET 8000
#define PORT_MAX 65535
#define DESTINATION_HOST "localhost"

/**
 * TetherAutoForward:
 *
 * Forwards, by itself, the TCP ports that programs start listening on on the server of a
 * [class@Tether.HostSession], as editors do for a dev server started in a remote terminal.
 *
 * It does something only while the session's host has
 * [property@Tether.Host:auto-forward-ports] set. Then it refreshes its
 * [class@Tether.RemotePorts] every [property@Tether.AutoForward:interval] seconds while the
 * session is logged in, and for each port P that appears and that
 * [property@Tether.Host:auto-forward-ports-filter] allows, it adds to the session's
 * [class@Tether.ForwardList] a local forward from localhost port P (or the next free port,
 * or from P + 8000 for a privileged port) to localhost port P on the server, and starts it.
 * When P stops listening, that forward is removed again, unless the user pinned it.
 *
 * Ports that already listen when the host connects are forwarded only when the filter names
 * ports to forward (`3000-3999`): with the default filter, only ports that start listening
 * later are, so that the server's own services are not all forwarded. A port that already
 * has a local forward to it, or that is the local end of one of the session's forwards (the
 * server may be this computer), is left alone, and so is a forward the user removed, until
 * its port closes and opens again.
 */
struct _TetherAutoForward
{
  GObject parent_instance;

  TetherHostSession *session;
  TetherHost *host;
  gulong host_handler;
  TetherRemotePorts *ports;
  gulong items_handler;
  gulong loading_handler;
  guint interval;
  gboolean active;

  /* The first scan since becoming active has been looked at. */
  gboolean baseline_done;
  /* Remote ports looked at while they listen (forwarded or not). */
  GHashTable *handled;
  /* Remote port -> the TetherForward made for it. */
  GHashTable *forwards;
};

enum {
  PROP_0,
  PROP_SESSION,
  PROP_REMOTE_PORTS,
  PROP_ACTIVE,
  PROP_INTERVAL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (TetherAutoForward, tether_auto_forward, G_TYPE_OBJECT)

/* ------------------------------------------------------------------------- */
/* Local ports                                                               */

/* Whether @port of @family's loopback address can be listened on; *@denied when it is
 * privileged. A family this computer lacks does not count against it. */
static gboolean
loopback_port_free (GSocketFamily  family,
                    guint          port,
                    gboolean      *denied)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (family);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, port);
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GError) error = NULL;

  socket = g_socket_new (family, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  if (socket == NULL)
    return family != G_SOCKET_FAMILY_IPV4;
  /* As the forward's listener will: connections of an earlier user in TIME_WAIT are fine. */
  if (g_socket_bind (socket, address, TRUE, &error))
    return TRUE;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED))
    *denied = TRUE;
  return family != G_SOCKET_FAMILY_IPV4 &&
         !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
}

/* The local port to forward @remote_port from, trying from @first: 0 when none is free. */
static guint
find_local_port (guint remote_port,
                 guint first)
{
  guint port = first;

  for (guint tries = 0; tries < MAX_PORT_TRIES && port <= PORT_MAX; tries++, port++) {
    gboolean denied = FALSE;

    if (loopback_port_free (G_SOCKET_FAMILY_IPV4, port, &denied) &&
        loopback_port_free (G_SOCKET_FAMILY_IPV6, port, &denied))
      return port;
    if (denied && port < PRIVILEGED_PORT_LIMIT && remote_port + PRIVILEGED_OFFSET <= PORT_MAX) {
      /* Counted from there on, as if P + 8000 had been asked. */
      port = remote_port + PRIVILEGED_OFFSET - 1;
      remote_port = PORT_MAX;
    }
  }
  return 0;
}

/* ------------------------------------------------------------------------- */
/* Forwards                                                                  */

static gboolean
is_loopback_name (const char *host)
{
  static const char * const names[] = {
    "localhost", "127.0.0.1", "::1", "ip6-localhost", "localhost.localdomain", NULL
  };

  return host != NULL && g_strv_contains (names, host);
}

/* Whether the session already forwards @port, or listens on it here (a server that is this
 * computer sees the local ends of the forwards). */
static gboolean
already_forwarded (TetherAutoForward *self,
                   guint              port)
{
  GListModel *list = G_LIST_MODEL (tether_host_session_get_forwards (self->session));
  guint n = g_list_model_get_n_items (list);

  for (guint i = 0; i < n; i++) {
    g_autoptr(TetherForward) forward = g_list_model_get_item (list, i);
    TetherForwardKind kind = tether_forward_get_kind (forward);

    if (kind == TETHER_FORWARD_KIND_REMOTE)
      continue;
    if (tether_forward_get_bind_port (forward) == port ||
        tether_forward_get_bound_port (forward) == port)
      return TRUE;
    if (kind == TETHER_FORWARD_KIND_LOCAL &&
        tether_forward_get_destination_port (forward) == port &&
        is_loopback_name (tether_forward_get_destination_host (forward)))
      return TRUE;
  }
  return FALSE;
}

static void add_forward (TetherAutoForward *self,
                         guint              remote_port,
                         guint              first_local);

static void
on_forward_state (TetherForward     *forward,
                  GParamSpec        *pspec,
                  TetherAutoForward *self)
{
  guint remote_port = tether_forward_get_destination_port (forward);
  guint local_port = tether_forward_get_bind_port (forward);
  const GError *error = tether_forward_get_error (forward);

  if (tether_forward_get_state (forward) == TETHER_FORWARD_STATE_ACTIVE) {
    g_signal_handlers_disconnect_by_func (forward, on_forward_state, self);
    return;
  }
  if (tether_forward_get_state (forward) != TETHER_FORWARD_STATE_FAILED)
    return;
  g_signal_handlers_disconnect_by_func (forward, on_forward_state, self);
  /* Someone took the port between the look and the listen: the next one. */
  if (g_hash_table_lookup (self->forwards, GUINT_TO_POINTER (remote_port)) == forward &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE) && local_port < PORT_MAX) {
    tether_forward_list_remove (tether_host_session_get_forwards (self->session), forward);
    g_hash_table_remove (self->forwards, GUINT_TO_POINTER (remote_port));
    add_forward (self, remote_port, local_port + 1);
  }
}

static void
add_forward (TetherAutoForward *self,
             guint              remote_port,
             guint              first_local)
{
  TetherForwardList *list = tether_host_session_get_forwards (self->session);
  g_autoptr(TetherForward) forward = NULL;
  guint local_port = find_local_port (remote_port, first_local);

  if (local_port == 0) {
    g_message ("No free local port near %u to forward port %u of %s to", first_local,
               remote_port, tether_host_get_display_name (self->host));
    return;
  }
  /* No bind address: ssh's default, the loopback addresses. */
  forward = tether_forward_new (TETHER_FORWARD_KIND_LOCAL, NULL, local_port, DESTINATION_HOST,
                                remote_port);
  g_hash_table_insert (self->forwards, GUINT_TO_POINTER (remote_port), g_object_ref (forward));
  g_signal_connect (forward, "notify::state", G_CALLBACK (on_forward_state), self);
  tether_forward_list_add (list, forward);
  tether_forward_start (forward);
}

/* Removes the forward made for @remote_port, unless the user pinned it (then it is theirs). */
static void
drop_forward (TetherAutoForward *self,
              guint              remote_port)
{
  TetherForward *forward = g_hash_table_lookup (self->forwards, GUINT_TO_POINTER (remote_port));

  if (forward == NULL)
    return;
  g_signal_handlers_disconnect_by_func (forward, on_forward_state, self);
  if (!tether_forward_get_pinned (forward))
    tether_forward_list_remove (tether_host_session_get_forwards (self->session), forward);
  g_hash_table_remove (self->forwards, GUINT_TO_POINTER (remote_port));
}

/* ------------------------------------------------------------------------- */
/* Following the remote ports                                                */

/* Forwards the new ports (@baseline: those of the first scan), drops the closed ones. */
static void
sync_ports (TetherAutoForward *self,
            gboolean           baseline)
{
  GListModel *model = G_LIST_MODEL (self->ports);
  const char *filter = tether_host_get_auto_forward_ports_filter (self->host);
  g_autoptr(GHashTable) listening = g_hash_table_new (NULL, NULL);
  g_autoptr(GArray) gone = g_array_new (FALSE, FALSE, sizeof (guint));
  gboolean forward_new = !baseline || _tether_remote_ports_filter_names_ports (filter);
  GHashTableIter iter;
  gpointer key;
  guint n = g_list_model_get_n_items (model);

  for (guint i = 0; i < n; i++) {
    g_autoptr(TetherRemotePort) item = g_list_model_get_item (model, i);
    guint port = tether_remote_port_get_port (item);

    g_hash_table_add (listening, GUINT_TO_POINTER (port));
    if (g_hash_table_contains (self->handled, GUINT_TO_POINTER (port)))
      continue;
    g_hash_table_add (self->handled, GUINT_TO_POINTER (port));
    if (forward_new && tether_remote_ports_filter_allows (filter, port) &&
        !already_forwarded (self, port))
      add_forward (self, port, port);
  }

  g_hash_table_iter_init (&iter, self->handled);
  while (g_hash_table_iter_next (&iter, &key, NULL)) {
    if (!g_hash_table_contains (listening, key)) {
      guint port = GPOINTER_TO_UINT (key);

      g_array_append_val (gone, port);
      g_hash_table_iter_remove (&iter);
    }
  }
  for (guint i = 0; i < gone->len; i++)
    drop_forward (self, g_array_index (gone, guint, i));
}

static void
on_items_changed (GListModel        *model,
                  guint              position,
                  guint              removed,
                  guint              added,
                  TetherAutoForward *self)
{
  /* The first scan is looked at as a whole once it is done (on_loading). */
  if (self->active && self->baseline_done)
    sync_ports (self, FALSE);
}

static void
on_loading (TetherRemotePorts *ports,
            GParamSpec        *pspec,
            TetherAutoForward *self)
{
  if (!self->active || self->baseline_done || tether_remote_ports_get_loading (ports) ||
      tether_remote_ports_get_error (ports) != NULL)
    return;
  self->baseline_done = TRUE;
  sync_ports (self, TRUE);
}

static void
drop_all (TetherAutoForward *self)
{
  g_autoptr(GList) ports = g_hash_table_get_keys (self->forwards);

  for (GList *l = ports; l != NULL; l = l->next)
    drop_forward (self, GPOINTER_TO_UINT (l->data));
  g_hash_table_remove_all (self->handled);
}

/* Follows the host's option. */
static void
update_active (TetherAutoForward *self)
{
  gboolean active = tether_host_get_auto_forward_ports (self->host);

  if (active == self->active)
    return;
  self->active = active;
  self->baseline_done = FALSE;
  if (!active)
    drop_all (self);
  tether_remote_ports_set_refresh_interval (self->ports, active ? self->interval : 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTIVE]);
}

static void
on_host_option (TetherHost        *host,
                GParamSpec        *pspec,
                TetherAutoForward *self)
{
  update_active (self);
}

/* ------------------------------------------------------------------------- */

static void
tether_auto_forward_dispose (GObject *object)
{
  TetherAutoForward *self = TETHER_AUTO_FORWARD (object);

  if (self->forwards != NULL) {
    GHashTableIter iter;
    gpointer forward;

    g_hash_table_iter_init (&iter, self->forwards);
    while (g_hash_table_iter_next (&iter, NULL, &forward))
      g_signal_handlers_disconnect_by_func (forward, on_forward_state, self);
    g_hash_table_remove_all (self->forwards);
  }
  if (self->ports != NULL) {
    g_clear_signal_handler (&self->items_handler, self->ports);
    g_clear_signal_handler (&self->loading_handler, self->ports);
    tether_remote_ports_set_refresh_interval (self->ports, 0);
  }
  if (self->host != NULL)
    g_clear_signal_handler (&self->host_handler, self->host);
  g_clear_object (&self->ports);
  g_clear_object (&self->host);
  g_clear_object (&self->session);
  G_OBJECT_CLASS (tether_auto_forward_parent_class)->dispose (object);
}

static void
tether_auto_forward_finalize (GObject *object)
{
  TetherAutoForward *self = TETHER_AUTO_FORWARD (object);

  g_clear_pointer (&self->handled, g_hash_table_unref);
  g_clear_pointer (&self->forwards, g_hash_table_unref);
  G_OBJECT_CLASS (tether_auto_forward_parent_class)->finalize (object);
}

static void
tether_auto_forward_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  TetherAutoForward *self = TETHER_AUTO_FORWARD (object);

  switch (prop_id) {
  case PROP_SESSION: g_value_set_object (value, self->session); break;
  case PROP_REMOTE_PORTS: g_value_set_object (value, self->ports); break;
  case PROP_ACTIVE: g_value_set_boolean (value, self->active); break;
  case PROP_INTERVAL: g_value_set_uint (value, self->interval); break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
tether_auto_forward_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  TetherAutoForward *self = TETHER_AUTO_FORWARD (object);

  switch (prop_id) {
  case PROP_SESSION: self->session = g_value_dup_object (value); break;
  case PROP_INTERVAL: tether_auto_forward_set_interval (self, g_value_get_uint (value)); break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
tether_auto_forward_constructed (GObject *object)
{
  TetherAutoForward *self = TETHER_AUTO_FORWARD (object);

  G_OBJECT_CLASS (tether_auto_forward_parent_class)->constructed (object);

  g_return_if_fail (TETHER_IS_HOST_SESSION (self->session));
  self->host = g_object_ref (tether_host_session_get_host (self->session));
  self->ports = tether_remote_ports_new (self->session);
  self->items_handler = g_signal_connect (self->ports, "items-changed",
                                          G_CALLBACK (on_items_changed), self);
  self->loading_handler = g_signal_connect (self->ports, "notify::loading",
                                            G_CALLBACK (on_loading), self);
  self->host_handler = g_signal_connect (self->host, "notify::auto-forward-ports",
                                         G_CALLBACK (on_host_option), self);
  update_active (self);
}

static void
tether_auto_forward_class_init (TetherAutoForwardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = tether_auto_forward_dispose;
  object_class->finalize = tether_auto_forward_finalize;
  object_class->get_property = tether_auto_forward_get_property;
  object_class->set_property = tether_auto_forward_set_property;
  object_class->constructed = tether_auto_forward_constructed;

  /**
   * TetherAutoForward:session:
   *
   * The host session whose server is watched and whose forward list gets the forwards.
   */
  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, TETHER_TYPE_HOST_SESSION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * TetherAutoForward:remote-ports:
   *
   * The listening ports it follows (refreshed only while it is active).
   */
  properties[PROP_REMOTE_PORTS] =
    g_param_spec_object ("remote-ports", NULL, NULL, TETHER_TYPE_REMOTE_PORTS, ro);
  /**
   * TetherAutoForward:active:
   *
   * Whether the host asks for its ports to be forwarded
   * ([property@Tether.Host:auto-forward-ports]), so that this follows them.
   */
  properties[PROP_ACTIVE] = g_param_spec_boolean ("active", NULL, NULL, FALSE, ro);
  /**
   * TetherAutoForward:interval:
   *
   * Seconds between looks at the server's ports while active and logged in.
   */
  properties[PROP_INTERVAL] =
    g_param_spec_uint ("interval", NULL, NULL, 1, G_MAXUINT, DEFAULT_INTERVAL_S,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tether_auto_forward_init (TetherAutoForward *self)
{
  self->interval = DEFAULT_INTERVAL_S;
  self->handled = g_hash_table_new (NULL, NULL);
  self->forwards = g_hash_table_new_full (NULL, NULL, NULL, g_object_unref);
}

/**
 * tether_auto_forward_new:
 * @session: the host session to forward the ports of
 *
 * Makes the auto-forwarding of @session's host; it acts while the host's
 * [property@Tether.Host:auto-forward-ports] is set.
 *
 * Returns: (transfer full): a new #TetherAutoForward
 */
TetherAutoForward *
tether_auto_forward_new (TetherHostSession *session)
{
  g_return_val_if_fail (TETHER_IS_HOST_SESSION (session), NULL);

  return g_object_new (TETHER_TYPE_AUTO_FORWARD, "session", session, NULL);
}

/**
 * tether_auto_forward_get_session:
 * @self: a #TetherAutoForward
 *
 * Returns: (transfer none): the host session
 */
TetherHostSession *
tether_auto_forward_get_session (TetherAutoForward *self)
{
  g_return_val_if_fail (TETHER_IS_AUTO_FORWARD (self), NULL);
  return self->session;
}

/**
 * tether_auto_forward_get_remote_ports:
 * @self: a #TetherAutoForward
 *
 * Returns: (transfer none): the listening ports it follows
 */
TetherRemotePorts *
tether_auto_forward_get_remote_ports (TetherAutoForward *self)
{
  g_return_val_if_fail (TETHER_IS_AUTO_FORWARD (self), NULL);
  return self->ports;
}

/**
 * tether_auto_forward_get_active:
 * @self: a #TetherAutoForward
 *
 * Returns: whether it follows the server's ports (the host asks for it)
 */
gboolean
tether_auto_forward_get_active (TetherAutoForward *self)
{
  g_return_val_if_fail (TETHER_IS_AUTO_FORWARD (self), FALSE);
  return self->active;
}

/**
 * tether_auto_forward_get_interval:
 * @self: a #TetherAutoForward
 *
 * Returns: the seconds between looks at the server's ports
 */
guint
tether_auto_forward_get_interval (TetherAutoForward *self)
{
  g_return_val_if_fail (TETHER_IS_AUTO_FORWARD (self), 0);
  return self->interval;
}

/**
 * tether_auto_forward_set_interval:
 * @self: a #TetherAutoForward
 * @seconds: seconds between looks at the server's ports, at least 1
 *
 * Sets how often the server's ports are looked at while active.
 */
void
tether_auto_forward_set_interval (TetherAutoForward *self,
                                  guint              seconds)
{
  g_return_if_fail (TETHER_IS_AUTO_FORWARD (self));
  g_return_if_fail (seconds > 0);

  if (self->interval == seconds)
    return;
  self->interval = seconds;
  if (self->active && self->ports != NULL)
    tether_remote_ports_set_refresh_interval (self->ports, seconds);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INTERVAL]);
}

/**
 * tether_auto_forward_lookup:
 * @self: a #TetherAutoForward
 * @remote_port: a port of the server
 *
 * Returns: (transfer none) (nullable): the forward it made for @remote_port, or %NULL
 */
TetherForward *
tether_auto_forward_lookup (TetherAutoForward *self,
                            guint              remote_port)
{
  g_return_val_if_fail (TETHER_IS_AUTO_FORWARD (self), NULL);
  return g_hash_table_lookup (self->forwards, GUINT_TO_POINTER (remote_port));
}
