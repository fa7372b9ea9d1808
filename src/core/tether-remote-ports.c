/* tether-remote-ports.c: the TCP ports that listen on a host session's server, as a list.
 *
 * A refresh runs one command over an exec channel of the session's connection (see
 * TETHER_REMOTE_PORTS_SCRIPT) and parses its output (tether-remote-ports-parse.c); the list
 * then changes by the ports that came and went, and keeps the objects of the others. With a
 * refresh interval, refreshes follow each other while the session is logged in, each
 * starting that long after the previous one ended.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "tether-error.h"
#include "tether-host-session-private.h"
#include "tether-remote-ports.h"
#include "tether-remote-ports-private.h"

/* How much a refresh asks of the channel at a time. */
#define READ_CHUNK (64 * 1024)
#define PORT_MAX 65535

/* ------------------------------------------------------------------------- */
/* TetherRemotePort                                                          */

/**
 * TetherRemotePort:
 *
 * A TCP port that listens on the server of a [class@Tether.RemotePorts]: its addresses,
 * the process that listens when the login user may see it, and whether only the server
 * itself can reach it.
 */
struct _TetherRemotePort
{
  GObject parent_instance;

  guint port;
  char *address;
  char *process;
  gboolean loopback_only;
};

enum {
  PORT_PROP_0,
  PORT_PROP_ADDRESS,
  PORT_PROP_PORT,
  PORT_PROP_PROCESS,
  PORT_PROP_IS_LOOPBACK_ONLY,
  N_PORT_PROPS
};

static GParamSpec *port_properties[N_PORT_PROPS];

G_DEFINE_FINAL_TYPE (TetherRemotePort, tether_remote_port, G_TYPE_OBJECT)

static void
tether_remote_port_finalize (GObject *object)
{
  TetherRemotePort *self = TETHER_REMOTE_PORT (object);

  g_free (self->address);
  g_free (self->process);
  G_OBJECT_CLASS (tether_remote_port_parent_class)->finalize (object);
}

static void
tether_remote_port_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  TetherRemotePort *self = TETHER_REMOTE_PORT (object);

  switch (prop_id) {
  case PORT_PROP_ADDRESS: g_value_set_string (value, self->address); break;
  case PORT_PROP_PORT: g_value_set_uint (value, self->port); break;
  case PORT_PROP_PROCESS: g_value_set_string (value, self->process); break;
  case PORT_PROP_IS_LOOPBACK_ONLY: g_value_set_boolean (value, self->loopback_only); break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
tether_remote_port_class_init (TetherRemotePortClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = tether_remote_port_finalize;
  object_class->get_property = tether_remote_port_get_property;

  /**
   * TetherRemotePort:address:
   *
   * The addresses the port listens on, as the server shows them (`127.0.0.1`, `0.0.0.0`,
   * `::`), separated by `, ` when there are several (`0.0.0.0, ::`).
   */
  port_properties[PORT_PROP_ADDRESS] = g_param_spec_string ("address", NULL, NULL, NULL, ro);
  /**
   * TetherRemotePort:port:
   *
   * The port number, 1 to 65535; it does not change.
   */
  port_properties[PORT_PROP_PORT] = g_param_spec_uint ("port", NULL, NULL, 0, PORT_MAX, 0, ro);
  /**
   * TetherRemotePort:process:
   *
   * The name of the process that listens, or %NULL when the login user may not see it
   * (another user's process, or a server without /proc and `ss -p`).
   */
  port_properties[PORT_PROP_PROCESS] = g_param_spec_string ("process", NULL, NULL, NULL, ro);
  /**
   * TetherRemotePort:is-loopback-only:
   *
   * Whether the port listens only on loopback addresses (`127.0.0.1`, `::1`): then only the
   * server itself, or a forward, can reach it.
   */
  port_properties[PORT_PROP_IS_LOOPBACK_ONLY] =
    g_param_spec_boolean ("is-loopback-only", NULL, NULL, FALSE, ro);

  g_object_class_install_properties (object_class, N_PORT_PROPS, port_properties);
}

static void
tether_remote_port_init (TetherRemotePort *self)
{
}

static TetherRemotePort *
remote_port_new (const TetherListening *listening)
{
  TetherRemotePort *self = g_object_new (TETHER_TYPE_REMOTE_PORT, NULL);

  self->port = listening->port;
  self->address = g_strdup (listening->address);
  self->process = g_strdup (listening->process);
  self->loopback_only = listening->loopback_only;
  return self;
}

/* Takes what changed of @listening (same port), notifying it. */
static void
remote_port_update (TetherRemotePort      *self,
                    const TetherListening *listening)
{
  g_object_freeze_notify (G_OBJECT (self));
  if (g_strcmp0 (self->address, listening->address) != 0) {
    g_free (self->address);
    self->address = g_strdup (listening->address);
    g_object_notify_by_pspec (G_OBJECT (self), port_properties[PORT_PROP_ADDRESS]);
  }
  if (g_strcmp0 (self->process, listening->process) != 0) {
    g_free (self->process);
    self->process = g_strdup (listening->process);
    g_object_notify_by_pspec (G_OBJECT (self), port_properties[PORT_PROP_PROCESS]);
  }
  if (self->loopback_only != listening->loopback_only) {
    self->loopback_only = listening->loopback_only;
    g_object_notify_by_pspec (G_OBJECT (self), port_properties[PORT_PROP_IS_LOOPBACK_ONLY]);
  }
  g_object_thaw_notify (G_OBJECT (self));
}

/**
 * tether_remote_port_get_address:
 * @self: a #TetherRemotePort
 *
 * Returns: the addresses the port listens on, such as `127.0.0.1` or `0.0.0.0, ::`
 */
const char *
tether_remote_port_get_address (TetherRemotePort *self)
{
  g_return_val_if_fail (TETHER_IS_REMOTE_PORT (self), NULL);
  return self->address;
}

/**
 * tether_remote_port_get_port:
 * @self: a #TetherRemotePort
 *
 * Returns: the port number
 */
guint
tether_remote_port_get_port (TetherRemotePort *self)
{
  g_return_val_if_fail (TETHER_IS_REMOTE_PORT (self), 0);
  return self->port;
}

/**
 * tether_remote_port_get_process:
 * @self: a #TetherRemotePort
 *
 * Returns: (nullable): the name of the process that listens, or %NULL when it is not known
 */
const char *
tether_remote_port_get_process (TetherRemotePort *self)
{
  g_return_val_if_fail (TETHER_IS_REMOTE_PORT (self), NULL);
  return self->process;
}

/**
 * tether_remote_port_get_is_loopback_only:
 * @self: a #TetherRemotePort
 *
 * Returns: whether the port listens only on loopback addresses
 */
gboolean
tether_remote_port_get_is_loopback_only (TetherRemotePort *self)
{
  g_return_val_if_fail (TETHER_IS_REMOTE_PORT (self), FALSE);
  return self->loopback_only;
}

/* ------------------------------------------------------------------------- */
/* TetherRemotePorts                                                         */

/**
 * TetherRemotePorts:
 *
 * The TCP ports that listen on the server of a [class@Tether.HostSession], a
 * [iface@Gio.ListModel] of [class@Tether.RemotePort] sorted by port.
 *
 * The list is what the last successful refresh found: on Linux servers from
 * `/proc/net/tcp` and `/proc/net/tcp6`, elsewhere from `ss -ltn`, read over an exec channel
 * of the session's connection. Refresh it with [method@Tether.RemotePorts.refresh_async],
 * or set [property@Tether.RemotePorts:refresh-interval] to have it refreshed while the
 * session is logged in. A refresh changes the list by the ports that came and went; the
 * objects of the ports that stayed are kept (and notify changed addresses or processes).
 */
struct _TetherRemotePorts
{
  GObject parent_instance;

  TetherHostSession *session;
  gulong state_handler;
  GMainContext *context;

  GPtrArray *items;          /* TetherRemotePort, by port */
  GError *error;
  guint n_loading;
  guint refresh_interval;

  /* The periodic refreshes: the one under way, or the wait for the next. */
  GCancellable *timer_cancellable;
  GSource *timer;

  /* Each refresh takes a number; a result older than the one applied is dropped. */
  guint64 next_generation;
  guint64 applied_generation;
};

enum {
  PROP_0,
  PROP_SESSION,
  PROP_REFRESH_INTERVAL,
  PROP_LOADING,
  PROP_ERROR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void tether_remote_ports_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TetherRemotePorts, tether_remote_ports, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      tether_remote_ports_model_init))

static GType
tether_remote_ports_get_item_type (GListModel *model)
{
  return TETHER_TYPE_REMOTE_PORT;
}

static guint
tether_remote_ports_get_n_items (GListModel *model)
{
  return TETHER_REMOTE_PORTS (model)->items->len;
}

static gpointer
tether_remote_ports_get_item (GListModel *model,
                              guint       position)
{
  TetherRemotePorts *self = TETHER_REMOTE_PORTS (model);

  if (position >= self->items->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
tether_remote_ports_model_init (GListModelInterface *iface)
{
  iface->get_item_type = tether_remote_ports_get_item_type;
  iface->get_n_items = tether_remote_ports_get_n_items;
  iface->get_item = tether_remote_ports_get_item;
}

static void
set_error (TetherRemotePorts *self,
           const GError      *error)
{
  _tether_set_error_property (G_OBJECT (self), &self->error, error, properties[PROP_ERROR]);
}

static void
loading_changed (TetherRemotePorts *self,
                 int                delta)
{
  gboolean was_loading = self->n_loading > 0;

  self->n_loading += delta;
  if (was_loading != (self->n_loading > 0))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

/* Flushes the pending change at @position: @removed old items gone, @added new ones in. */
static void
emit_change (TetherRemotePorts *self,
             guint              position,
             guint             *removed,
             guint             *added)
{
  if (*removed > 0 || *added > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), position, *removed, *added);
  *removed = 0;
  *added = 0;
}

/* Makes the list @ports (by port), in place: one items-changed per run of ports that came or
 * went, sent when the list already holds the run's new items and still the old ones after
 * it; the objects of the ports that stayed are kept. */
static void
apply_ports (TetherRemotePorts *self,
             GArray            *ports)
{
  GPtrArray *items = self->items;
  guint run_start = 0;
  guint removed = 0;
  guint added = 0;
  guint i = 0;
  guint n = 0;

  while (i < items->len || n < ports->len) {
    TetherRemotePort *was = i < items->len ? g_ptr_array_index (items, i) : NULL;
    const TetherListening *now = n < ports->len
                                 ? &g_array_index (ports, TetherListening, n) : NULL;

    if (was != NULL && now != NULL && was->port == now->port) {
      emit_change (self, run_start, &removed, &added);
      remote_port_update (was, now);
      i++;
      n++;
      run_start = i;
    } else if (now == NULL || (was != NULL && was->port < now->port)) {
      g_ptr_array_remove_index (items, i);
      removed++;
    } else {
      g_ptr_array_insert (items, i, remote_port_new (now));
      i++;
      added++;
      n++;
    }
  }
  emit_change (self, run_start, &removed, &added);
}

/* ------------------------------------------------------------------------- */
/* One refresh: exec, read to the end, parse                                 */

typedef struct
{
  TetherSessionChannel *channel;
  GByteArray *output;
  guint64 generation;
} Refresh;

static void
refresh_free (Refresh *r)
{
  if (r->channel != NULL &&
      tether_channel_get_state (TETHER_CHANNEL (r->channel)) == TETHER_CHANNEL_STATE_OPEN)
    g_io_stream_close_async (G_IO_STREAM (r->channel), G_PRIORITY_DEFAULT, NULL, NULL, NULL);
  g_clear_object (&r->channel);
  g_clear_pointer (&r->output, g_byte_array_unref);
  g_free (r);
}

/* Ends @task: a failure (not a cancellation) becomes the list's error. */
static void
refresh_fail (GTask  *task,
              GError *error)
{
  TetherRemotePorts *self = g_task_get_source_object (task);

  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    set_error (self, error);
  loading_changed (self, -1);
  g_task_return_error (task, error);
}

static void
refresh_done (GTask *task)
{
  TetherRemotePorts *self = g_task_get_source_object (task);
  Refresh *r = g_task_get_task_data (task);
  g_autoptr(TetherRemotePortsScan) scan = NULL;
  int status = tether_session_channel_get_exit_status (r->channel);

  scan = _tether_remote_ports_parse ((const char *) r->output->data, r->output->len);
  switch (scan->source) {
  case TETHER_REMOTE_PORTS_SOURCE_NONE:
    refresh_fail (task, g_error_new_literal (TETHER_ERROR, TETHER_ERROR_FAILED,
                                             _("The server has neither /proc/net/tcp nor "
                                               "the ss command, so its listening ports "
                                               "cannot be listed.")));
    return;
  case TETHER_REMOTE_PORTS_SOURCE_UNKNOWN:
    refresh_fail (task, g_error_new (TETHER_ERROR, TETHER_ERROR_FAILED,
                                     _("The server did not run the command that lists its "
                                       "listening ports (exit status %d). A forced command "
                                       "or a restricted shell may be in the way."), status));
    return;
  case TETHER_REMOTE_PORTS_SOURCE_PROC:
  case TETHER_REMOTE_PORTS_SOURCE_SS:
  default:
    break;
  }

  if (r->generation > self->applied_generation) {
    self->applied_generation = r->generation;
    apply_ports (self, scan->ports);
  }
  set_error (self, NULL);
  loading_changed (self, -1);
  g_task_return_boolean (task, TRUE);
}

static void
read_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Refresh *r = g_task_get_task_data (task);
  g_autoptr(GBytes) bytes = NULL;
  GCancellable *cancellable;
  GError *error = NULL;

  bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);
  if (bytes == NULL) {
    refresh_fail (task, error);
    return;
  }
  if (g_bytes_get_size (bytes) == 0) {
    refresh_done (task);
    return;
  }
  if (r->output->len + g_bytes_get_size (bytes) > TETHER_REMOTE_PORTS_MAX_OUTPUT) {
    refresh_fail (task, g_error_new (TETHER_ERROR, TETHER_ERROR_PROTOCOL,
                                     _("The server’s list of listening ports is longer than "
                                       "%u MiB."),
                                     TETHER_REMOTE_PORTS_MAX_OUTPUT / (1024 * 1024)));
    return;
  }
  g_byte_array_append (r->output, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  cancellable = g_task_get_cancellable (task);
  g_input_stream_read_bytes_async (G_INPUT_STREAM (source), READ_CHUNK, G_PRIORITY_DEFAULT,
                                   cancellable, read_cb, g_steal_pointer (&task));
}

static void
exec_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Refresh *r = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  GError *error = NULL;

  if (!tether_session_channel_request_exec_finish (TETHER_SESSION_CHANNEL (source), result,
                                                   &error)) {
    refresh_fail (task, error);
    return;
  }
  g_input_stream_read_bytes_async (g_io_stream_get_input_stream (G_IO_STREAM (r->channel)),
                                   READ_CHUNK, G_PRIORITY_DEFAULT, cancellable, read_cb,
                                   g_steal_pointer (&task));
}

static void
session_opened_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Refresh *r = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autofree char *command = NULL;
  g_autofree char *quoted = NULL;
  GError *error = NULL;

  r->channel = tether_connection_open_session_finish (TETHER_CONNECTION (source), result,
                                                      &error);
  if (r->channel == NULL) {
    refresh_fail (task, error);
    return;
  }
  /* The login shell runs the command: sh makes the script mean the same under any of them. */
  quoted = g_shell_quote (TETHER_REMOTE_PORTS_SCRIPT);
  command = g_strconcat ("sh -c ", quoted, NULL);
  tether_session_channel_request_exec_async (r->channel, command, cancellable, exec_cb,
                                             g_steal_pointer (&task));
}

/**
 * tether_remote_ports_refresh_async:
 * @self: a #TetherRemotePorts
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the list is up to date, or the refresh failed
 * @user_data: data for @callback
 *
 * Asks the server what listens on it and updates the list. The session must be logged in
 * (%TETHER_HOST_SESSION_STATE_READY). A failure also becomes
 * [property@Tether.RemotePorts:error], and leaves the list as it was.
 */
void
tether_remote_ports_refresh_async (TetherRemotePorts   *self,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  TetherConnection *connection;
  Refresh *r;

  g_return_if_fail (TETHER_IS_REMOTE_PORTS (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tether_remote_ports_refresh_async);
  g_task_set_name (task, "[tether] remote ports refresh");
  r = g_new0 (Refresh, 1);
  r->output = g_byte_array_new ();
  r->generation = ++self->next_generation;
  g_task_set_task_data (task, r, (GDestroyNotify) refresh_free);
  loading_changed (self, +1);

  connection = tether_host_session_get_connection (self->session);
  if (tether_host_session_get_state (self->session) != TETHER_HOST_SESSION_STATE_READY ||
      connection == NULL) {
    refresh_fail (task, g_error_new_literal (TETHER_ERROR, TETHER_ERROR_DISCONNECTED,
                                             _("The host is not connected: connect to it to "
                                               "see its listening ports.")));
    return;
  }
  tether_connection_open_session_async (connection, cancellable, session_opened_cb,
                                        g_steal_pointer (&task));
}

/**
 * tether_remote_ports_refresh_finish:
 * @self: a #TetherRemotePorts
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Returns: %TRUE when the list is up to date
 */
gboolean
tether_remote_ports_refresh_finish (TetherRemotePorts  *self,
                                    GAsyncResult       *result,
                                    GError            **error)
{
  g_return_val_if_fail (TETHER_IS_REMOTE_PORTS (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        tether_remote_ports_refresh_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ------------------------------------------------------------------------- */
/* Refreshing every refresh-interval seconds while the session is logged in  */

static void timer_step (TetherRemotePorts *self);

static gboolean
timer_fired (gpointer user_data)
{
  TetherRemotePorts *self = user_data;

  g_clear_pointer (&self->timer, g_source_unref);
  timer_step (self);
  return G_SOURCE_REMOVE;
}

static gboolean
timer_wanted (TetherRemotePorts *self)
{
  return self->refresh_interval > 0 && self->session != NULL &&
         tether_host_session_get_state (self->session) == TETHER_HOST_SESSION_STATE_READY;
}

static void
timer_refreshed_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GCancellable) cancellable = user_data;
  TetherRemotePorts *self = TETHER_REMOTE_PORTS (source);
  g_autoptr(GError) error = NULL;

  /* Stopped (or restarted) meanwhile: whoever stopped it owns what follows. */
  if (!tether_remote_ports_refresh_finish (self, result, &error) &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (self->timer_cancellable != cancellable)
    return;
  g_clear_object (&self->timer_cancellable);
  if (!timer_wanted (self))
    return;
  /* Errors are in :error; the next round may do better (the session may be back). */
  self->timer = g_timeout_source_new_seconds (self->refresh_interval);
  g_source_set_name (self->timer, "[tether] remote ports refresh timer");
  g_source_set_callback (self->timer, timer_fired, self, NULL);
  g_source_attach (self->timer, self->context);
}

/* Refreshes now; the next one is scheduled when this one ends. */
static void
timer_step (TetherRemotePorts *self)
{
  self->timer_cancellable = g_cancellable_new ();
  tether_remote_ports_refresh_async (self, self->timer_cancellable, timer_refreshed_cb,
                                     g_object_ref (self->timer_cancellable));
}

static void
timer_stop (TetherRemotePorts *self)
{
  if (self->timer != NULL) {
    g_source_destroy (self->timer);
    g_clear_pointer (&self->timer, g_source_unref);
  }
  if (self->timer_cancellable != NULL) {
    g_cancellable_cancel (self->timer_cancellable);
    g_clear_object (&self->timer_cancellable);
  }
}

/* Starts or stops the periodic refreshes for the interval and the session's state. */
static void
timer_update (TetherRemotePorts *self)
{
  gboolean running = self->timer != NULL || self->timer_cancellable != NULL;

  if (!timer_wanted (self))
    timer_stop (self);
  else if (!running)
    timer_step (self);
}

static void
on_session_state (TetherHostSession *session,
                  GParamSpec        *pspec,
                  TetherRemotePorts *self)
{
  timer_update (self);
}

/* ------------------------------------------------------------------------- */

static void
tether_remote_ports_dispose (GObject *object)
{
  TetherRemotePorts *self = TETHER_REMOTE_PORTS (object);

  timer_stop (self);
  if (self->session != NULL)
    g_clear_signal_handler (&self->state_handler, self->session);
  g_clear_object (&self->session);
  G_OBJECT_CLASS (tether_remote_ports_parent_class)->dispose (object);
}

static void
tether_remote_ports_finalize (GObject *object)
{
  TetherRemotePorts *self = TETHER_REMOTE_PORTS (object);

  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_clear_error (&self->error);
  g_clear_pointer (&self->context, g_main_context_unref);
  G_OBJECT_CLASS (tether_remote_ports_parent_class)->finalize (object);
}

static void
tether_remote_ports_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  TetherRemotePorts *self = TETHER_REMOTE_PORTS (object);

  switch (prop_id) {
  case PROP_SESSION: g_value_set_object (value, self->session); break;
  case PROP_REFRESH_INTERVAL: g_value_set_uint (value, self->refresh_interval); break;
  case PROP_LOADING: g_value_set_boolean (value, self->n_loading > 0); break;
  case PROP_ERROR: g_value_set_boxed (value, self->error); break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
tether_remote_ports_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  TetherRemotePorts *self = TETHER_REMOTE_PORTS (object);

  switch (prop_id) {
  case PROP_SESSION: self->session = g_value_dup_object (value); break;
  case PROP_REFRESH_INTERVAL:
    tether_remote_ports_set_refresh_interval (self, g_value_get_uint (value));
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
tether_remote_ports_constructed (GObject *object)
{
  TetherRemotePorts *self = TETHER_REMOTE_PORTS (object);

  G_OBJECT_CLASS (tether_remote_ports_parent_class)->constructed (object);

  g_return_if_fail (TETHER_IS_HOST_SESSION (self->session));
  self->state_handler = g_signal_connect (self->session, "notify::state",
                                          G_CALLBACK (on_session_state), self);
  timer_update (self);
}

static void
tether_remote_ports_class_init (TetherRemotePortsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = tether_remote_ports_dispose;
  object_class->finalize = tether_remote_ports_finalize;
  object_class->get_property = tether_remote_ports_get_property;
  object_class->set_property = tether_remote_ports_set_property;
  object_class->constructed = tether_remote_ports_constructed;

  /**
   * TetherRemotePorts:session:
   *
   * The host session whose server is asked.
   */
  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, TETHER_TYPE_HOST_SESSION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * TetherRemotePorts:refresh-interval:
   *
   * Seconds between refreshes while the session is logged in (the first right away, each
   * next that long after the previous ended); 0, the default, refreshes only when asked.
   * A view sets it while it is shown.
   */
  properties[PROP_REFRESH_INTERVAL] =
    g_param_spec_uint ("refresh-interval", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * TetherRemotePorts:loading:
   *
   * Whether a refresh is under way.
   */
  properties[PROP_LOADING] = g_param_spec_boolean ("loading", NULL, NULL, FALSE, ro);
  /**
   * TetherRemotePorts:error:
   *
   * Why the last refresh failed, or %NULL when it succeeded.
   */
  properties[PROP_ERROR] = g_param_spec_boxed ("error", NULL, NULL, G_TYPE_ERROR, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tether_remote_ports_init (TetherRemotePorts *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  self->context = g_main_context_ref_thread_default ();
}

/**
 * tether_remote_ports_new:
 * @session: the host session whose server to ask
 *
 * Makes an empty list of the ports listening on @session's server; refresh it, or set
 * [property@Tether.RemotePorts:refresh-interval]. Results and notifications come on the
 * thread-default main context of the caller.
 *
 * Returns: (transfer full): a new #TetherRemotePorts
 */
TetherRemotePorts *
tether_remote_ports_new (TetherHostSession *session)
{
  g_return_val_if_fail (TETHER_IS_HOST_SESSION (session), NULL);

  return g_object_new (TETHER_TYPE_REMOTE_PORTS, "session", session, NULL);
}

/**
 * tether_remote_ports_get_session:
 * @self: a #TetherRemotePorts
 *
 * Returns: (transfer none): the host session whose server is asked
 */
TetherHostSession *
tether_remote_ports_get_session (TetherRemotePorts *self)
{
  g_return_val_if_fail (TETHER_IS_REMOTE_PORTS (self), NULL);
  return self->session;
}

/**
 * tether_remote_ports_get_refresh_interval:
 * @self: a #TetherRemotePorts
 *
 * Returns: the seconds between refreshes, or 0 when the list refreshes only when asked
 */
guint
tether_remote_ports_get_refresh_interval (TetherRemotePorts *self)
{
  g_return_val_if_fail (TETHER_IS_REMOTE_PORTS (self), 0);
  return self->refresh_interval;
}

/**
 * tether_remote_ports_set_refresh_interval:
 * @self: a #TetherRemotePorts
 * @seconds: seconds between refreshes, or 0 for none
 *
 * Refreshes the list every @seconds while the session is logged in, the first time right
 * away (when refreshes were off).
 */
void
tether_remote_ports_set_refresh_interval (TetherRemotePorts *self,
                                          guint              seconds)
{
  g_return_if_fail (TETHER_IS_REMOTE_PORTS (self));

  if (self->refresh_interval == seconds)
    return;
  self->refresh_interval = seconds;
  /* A wait for the old interval is replaced by one for the new. */
  if (self->timer != NULL) {
    g_source_destroy (self->timer);
    g_clear_pointer (&self->timer, g_source_unref);
  }
  if (self->session != NULL)
    timer_update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REFRESH_INTERVAL]);
}

/**
 * tether_remote_ports_get_loading:
 * @self: a #TetherRemotePorts
 *
 * Returns: whether a refresh is under way
 */
gboolean
tether_remote_ports_get_loading (TetherRemotePorts *self)
{
  g_return_val_if_fail (TETHER_IS_REMOTE_PORTS (self), FALSE);
  return self->n_loading > 0;
}

/**
 * tether_remote_ports_get_error:
 * @self: a #TetherRemotePorts
 *
 * Returns: (nullable): why the last refresh failed, or %NULL
 */
const GError *
tether_remote_ports_get_error (TetherRemotePorts *self)
{
  g_return_val_if_fail (TETHER_IS_REMOTE_PORTS (self), NULL);
  return self->error;
}

/**
 * tether_remote_ports_lookup:
 * @self: a #TetherRemotePorts
 * @port: a port number
 *
 * Returns: (transfer none) (nullable): the item of @port, or %NULL when it is not listening
 */
TetherRemotePort *
tether_remote_ports_lookup (TetherRemotePorts *self,
                            guint              port)
{
  guint low = 0;
  guint high;

  g_return_val_if_fail (TETHER_IS_REMOTE_PORTS (self), NULL);

  high = self->items->len;
  while (low < high) {
    guint mid = low + (high - low) / 2;
    TetherRemotePort *item = g_ptr_array_index (self->items, mid);

    if (item->port == port)
      return item;
    if (item->port < port)
      low = mid + 1;
    else
      high = mid;
  }
  return NULL;
}
