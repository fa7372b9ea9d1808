/* tether-connection.c: the ssh-connection service of RFC 4254 as a GObject.
 *
 * The owner thread (the one that created the connection, usually the UI's)
 * sets up the transport with GIO (GSocketClient, a jump host's channel, or
 * a ProxyCommand) and then hands a file descriptor to a worker thread. The
 * worker alone touches the libssh session, in non-blocking mode, driven by a
 * GSource on its own GMainContext. Results (GTask completions), signals and
 * state changes come back to the owner's context in order, through the
 * worker's one event queue (_tether_worker_post): a channel's open result
 * comes before any of its signals.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gio/gunixsocketaddress.h>

#include <libssh/server.h>

#include "tether-connection-private.h"
#include "tether-enums.h"
#include "tether-error.h"
#include "tether-error-private.h"
#include "tether-host-key-info-private.h"
#include "tether-known-hosts.h"
#include "tether-worker-private.h"
#include "tether-wire-private.h"

/**
 * TetherConnection:
 *
 * One SSH connection to one host: the transport, the host-key check, user
 * authentication and the channels multiplexed over it, as RFC 4254 describes.
 *
 * Make one with [ctor@Tether.Connection.new] for a [class@Tether.Host], give it a
 * [class@Tether.Interaction] with [method@Tether.Connection.set_interaction] if
 * the user may be asked about host keys or passwords, and call
 * [method@Tether.Connection.connect_async]. Once
 * [property@Tether.Connection:state] is %TETHER_CONNECTION_STATE_READY, open
 * channels with [method@Tether.Connection.open_session_async] and
 * [method@Tether.Connection.open_direct_tcpip_async], ask the server to forward a
 * port with [method@Tether.Connection.request_remote_forward_async], and answer
 * what the server opens or asks with [signal@Tether.Connection::incoming-channel]
 * and [signal@Tether.Connection::global-request]. [method@Tether.Connection.close]
 * ends it: every pending operation fails and [signal@Tether.Connection::closed] is
 * emitted once, with the reason. Applications rarely make connections themselves:
 * a [class@Tether.HostSession] owns the connection of a saved host and reconnects
 * it.
 *
 * Threading: call a connection's methods on the thread that created it. libssh
 * runs on a worker thread of the connection's own; results, signals and property
 * notifications come back on the creating thread's thread-default main context, in
 * order, never on the worker.
 */

G_DEFINE_FINAL_TYPE (TetherConnection, tether_connection, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_HOST,
  PROP_STATE,
  PROP_SERVER_BANNER,
  PROP_HOST_KEY_FINGERPRINT,
  PROP_N_CHANNELS,
  PROP_BYTES_SENT,
  PROP_BYTES_RECEIVED,
  PROP_CIPHER,
  PROP_INTERACTION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

guint _tether_connection_signals[N_SIGNALS];

/* ------------------------------------------------------------------------- */
/* Owner-side events                                                         */

void
_tether_connection_set_state (TetherConnection      *self,
                              TetherConnectionState  state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

void
_tether_connection_on_state (TetherConnection *self,
                             gpointer          data)
{
  _tether_connection_set_state (self, GPOINTER_TO_INT (data));
}

void
_tether_connection_close_transport (TetherConnection *self)
{
  if (self->socket_connection != NULL) {
    g_io_stream_close (G_IO_STREAM (self->socket_connection), NULL, NULL);
    g_clear_object (&self->socket_connection);
  }
  if (self->proxy_process != NULL) {
    g_subprocess_force_exit (self->proxy_process);
    g_clear_object (&self->proxy_process);
  }
  if (self->jump != NULL) {
    tether_connection_close (self->jump);
    g_clear_object (&self->jump);
  }
}

void
_tether_connection_connect_result_free (ConnectResult *result)
{
  g_clear_error (&result->error);
  g_free (result->banner);
  g_free (result->fingerprint);
  g_free (result->cipher);
  g_free (result);
}


void
_tether_connection_on_connect_done (TetherConnection *self,
                                    ConnectResult    *result)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->connect_task);

  _tether_connection_forget_caller_cancellable (self);

  if (result->banner != NULL) {
    g_free (self->server_banner);
    self->server_banner = g_strdup (result->banner);
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SERVER_BANNER]);
  }
  if (result->fingerprint != NULL) {
    g_free (self->host_key_fingerprint);
    self->host_key_fingerprint = g_strdup (result->fingerprint);
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HOST_KEY_FINGERPRINT]);
  }
  if (result->cipher != NULL) {
    g_free (self->cipher);
    self->cipher = g_strdup (result->cipher);
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CIPHER]);
  }

  if (result->error != NULL) {
    _tether_connection_close_transport (self);
    _tether_connection_set_state (self, TETHER_CONNECTION_STATE_CLOSED);
    if (task != NULL)
      g_task_return_error (task, g_steal_pointer (&result->error));
    return;
  }
  _tether_connection_set_state (self, TETHER_CONNECTION_STATE_READY);
  if (task != NULL)
    g_task_return_boolean (task, TRUE);
}

void
_tether_connection_on_closed (TetherConnection *self,
                              GError           *error)
{
  gboolean was_ready = self->state == TETHER_CONNECTION_STATE_READY;

  _tether_connection_close_transport (self);
  _tether_connection_set_state (self, TETHER_CONNECTION_STATE_CLOSED);
  if (was_ready)
    g_signal_emit (self, _tether_connection_signals[SIGNAL_CLOSED], 0, error);
}

void
_tether_connection_on_n_channels (TetherConnection *self,
                                  gpointer          data)
{
  guint n = GPOINTER_TO_UINT (data);

  if (self->n_channels == n)
    return;
  self->n_channels = n;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_CHANNELS]);
}

void
_tether_connection_on_counters (TetherConnection *self,
                                gpointer          data)
{
  GParamSpec *counters[TETHER_N_COUNTERS] = {
    properties[PROP_BYTES_SENT],
    properties[PROP_BYTES_RECEIVED],
  };

  _tether_notify_counters (G_OBJECT (self), GPOINTER_TO_UINT (data), counters);
}

void
_tether_notify_counters (GObject     *object,
                         guint        changed,
                         GParamSpec **counters)
{
  for (guint i = 0; i < TETHER_N_COUNTERS; i++) {
    if ((changed & (1u << i)) && counters[i] != NULL)
      g_object_notify_by_pspec (object, counters[i]);
  }
}

/* ------------------------------------------------------------------------- */
/* GObject                                                                   */

static void
tether_connection_dispose (GObject *object)
{
  TetherConnection *self = TETHER_CONNECTION (object);

  if (self->worker != NULL) {
    g_cancellable_cancel (self->cancellable);
    self->worker->closed_locally = TRUE;
    _tether_worker_invoke (self->worker,
                           (void (*) (TetherWorker *, gpointer)) _tether_worker_teardown,
                           NULL, NULL);
    g_clear_pointer (&self->worker, _tether_worker_unref);
  }
  _tether_connection_close_transport (self);
  _tether_connection_forget_caller_cancellable (self);
  g_clear_object (&self->interaction);
  G_OBJECT_CLASS (tether_connection_parent_class)->dispose (object);
}

static void
tether_connection_finalize (GObject *object)
{
  TetherConnection *self = TETHER_CONNECTION (object);

  g_clear_object (&self->host);
  g_clear_object (&self->cancellable);
  g_free (self->server_banner);
  g_free (self->host_key_fingerprint);
  g_free (self->cipher);
  g_main_context_unref (self->owner_ctx);
  G_OBJECT_CLASS (tether_connection_parent_class)->finalize (object);
}

static void
tether_connection_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  TetherConnection *self = TETHER_CONNECTION (object);

  switch (prop_id) {
  case PROP_HOST: g_value_set_object (value, self->host); break;
  case PROP_STATE: g_value_set_enum (value, self->state); break;
  case PROP_SERVER_BANNER: g_value_set_string (value, self->server_banner); break;
  case PROP_HOST_KEY_FINGERPRINT: g_value_set_string (value, self->host_key_fingerprint); break;
  case PROP_N_CHANNELS: g_value_set_uint (value, self->n_channels); break;
  case PROP_BYTES_SENT: g_value_set_uint64 (value, tether_connection_get_bytes_sent (self)); break;
  case PROP_BYTES_RECEIVED:
    g_value_set_uint64 (value, tether_connection_get_bytes_received (self));
    break;
  case PROP_CIPHER: g_value_set_string (value, self->cipher); break;
  case PROP_INTERACTION: g_value_set_object (value, self->interaction); break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
tether_connection_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  TetherConnection *self = TETHER_CONNECTION (object);

  switch (prop_id) {
  case PROP_HOST:
    self->host = g_value_dup_object (value);
    break;
  case PROP_INTERACTION:
    tether_connection_set_interaction (self, g_value_get_object (value));
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
tether_connection_class_init (TetherConnectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = tether_connection_dispose;
  object_class->finalize = tether_connection_finalize;
  object_class->get_property = tether_connection_get_property;
  object_class->set_property = tether_connection_set_property;

  /**
   * TetherConnection:host:
   *
   * The host to connect to; read when connecting.
   */
  properties[PROP_HOST] =
    g_param_spec_object ("host", NULL, NULL, TETHER_TYPE_HOST,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * TetherConnection:state:
   *
   * Where the connection is in its life.
   */
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, TETHER_TYPE_CONNECTION_STATE,
                       TETHER_CONNECTION_STATE_DISCONNECTED, ro);
  /**
   * TetherConnection:server-banner:
   *
   * The server's version string, such as `SSH-2.0-OpenSSH_9.2p1`.
   */
  properties[PROP_SERVER_BANNER] = g_param_spec_string ("server-banner", NULL, NULL, NULL, ro);
  /**
   * TetherConnection:host-key-fingerprint:
   *
   * The SHA256 fingerprint of the server's host key, once connected.
   */
  properties[PROP_HOST_KEY_FINGERPRINT] =
    g_param_spec_string ("host-key-fingerprint", NULL, NULL, NULL, ro);
  /**
   * TetherConnection:n-channels:
   *
   * The channels open on the connection.
   */
  properties[PROP_N_CHANNELS] =
    g_param_spec_uint ("n-channels", NULL, NULL, 0, G_MAXUINT, 0, ro);
  /**
   * TetherConnection:bytes-sent:
   *
   * Bytes written to the transport (encrypted, with overhead).
   *
   * Like every counter, notified at most about 4 times a second while it
   * changes, and once more with its final value when the connection closes.
   */
  properties[PROP_BYTES_SENT] =
    g_param_spec_uint64 ("bytes-sent", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  /**
   * TetherConnection:bytes-received:
   *
   * Bytes read from the transport.
   *
   * Like every counter, notified at most about 4 times a second while it
   * changes, and once more with its final value when the connection closes.
   */
  properties[PROP_BYTES_RECEIVED] =
    g_param_spec_uint64 ("bytes-received", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  /**
   * TetherConnection:cipher:
   *
   * The cipher negotiated for data sent to the server.
   */
  properties[PROP_CIPHER] = g_param_spec_string ("cipher", NULL, NULL, NULL, ro);
  /**
   * TetherConnection:interaction:
   *
   * Asks the user about host keys and secrets; %NULL for none.
   */
  properties[PROP_INTERACTION] =
    g_param_spec_object ("interaction", NULL, NULL, TETHER_TYPE_INTERACTION,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TetherConnection::closed:
   * @self: the connection
   * @reason: (nullable): why, or %NULL after tether_connection_close()
   *
   * A ready connection ended. Every channel has emitted #TetherChannel::closed
   * and every pending request failed with %TETHER_ERROR_DISCONNECTED.
   */
  _tether_connection_signals[SIGNAL_CLOSED] =
    g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
  /**
   * TetherConnection::incoming-channel:
   * @self: the connection
   * @channel: the new channel
   * @channel_type: its type, such as `forwarded-tcpip`; also the signal detail
   *
   * The server asks to open a channel. Its #TetherChannel:connected-address
   * and #TetherChannel:connected-port tell which remote forward it belongs to.
   * A handler that keeps the channel returns %TRUE, and the open is accepted
   * (data written meanwhile waits for it). When no handler is connected for
   * the type, or none returns %TRUE, the server gets SSH_MSG_CHANNEL_OPEN_FAILURE
   * (administratively prohibited, the only reason libssh 0.10 sends) and the
   * channel emits #TetherChannel::closed.
   *
   * Returns: %TRUE when a handler took the channel
   */
  _tether_connection_signals[SIGNAL_INCOMING_CHANNEL] =
    g_signal_new ("incoming-channel", G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED, 0,
                  g_signal_accumulator_true_handled, NULL, NULL,
                  G_TYPE_BOOLEAN, 2, TETHER_TYPE_CHANNEL, G_TYPE_STRING);
  /**
   * TetherConnection::global-request:
   * @self: the connection
   * @name: the request name
   * @payload: the request data in SSH wire encoding
   *
   * The server sent a global request. libssh 0.10 answers the ones it does
   * not know itself (it denies them), so this is emitted for none yet; it is
   * here so that handlers written today keep working.
   *
   * Returns: %TRUE to accept the request
   */
  _tether_connection_signals[SIGNAL_GLOBAL_REQUEST] =
    g_signal_new ("global-request", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  g_signal_accumulator_true_handled, NULL, NULL,
                  G_TYPE_BOOLEAN, 2, G_TYPE_STRING, G_TYPE_BYTES);
}

static void
tether_connection_init (TetherConnection *self)
{
  self->owner_ctx = g_main_context_ref_thread_default ();
  self->cancellable = g_cancellable_new ();
}

/**
 * tether_connection_new:
 * @host: the host to connect to
 *
 * Makes a connection to @host; it connects when
 * tether_connection_connect_async() is called.
 *
 * Returns: (transfer full): a new, not yet connected connection. Its results
 *   and signals come on the thread-default main context of the caller.
 */
TetherConnection *
tether_connection_new (TetherHost *host)
{
  g_return_val_if_fail (TETHER_IS_HOST (host), NULL);

  return g_object_new (TETHER_TYPE_CONNECTION, "host", host, NULL);
}

/**
 * tether_connection_get_host:
 * @self: a #TetherConnection
 *
 * Gets the host the connection connects to.
 *
 * Returns: (transfer none): the host
 */
TetherHost *
tether_connection_get_host (TetherConnection *self)
{
  g_return_val_if_fail (TETHER_IS_CONNECTION (self), NULL);
  return self->host;
}

/**
 * tether_connection_get_state:
 * @self: a #TetherConnection
 *
 * Gets the state of the connection.
 *
 * Returns: the state
 */
TetherConnectionState
tether_connection_get_state (TetherConnection *self)
{
  g_return_val_if_fail (TETHER_IS_CONNECTION (self), TETHER_CONNECTION_STATE_CLOSED);
  return self->state;
}

/**
 * tether_connection_get_server_banner:
 * @self: a #TetherConnection
 *
 * Gets the server's version string.
 *
 * Returns: (nullable): the server's version string
 */
const char *
tether_connection_get_server_banner (TetherConnection *self)
{
  g_return_val_if_fail (TETHER_IS_CONNECTION (self), NULL);
  return self->server_banner;
}

/**
 * tether_connection_get_host_key_fingerprint:
 * @self: a #TetherConnection
 *
 * Gets the SHA256 fingerprint of the host key.
 *
 * Returns: (nullable): the SHA256 fingerprint of the host key
 */
const char *
tether_connection_get_host_key_fingerprint (TetherConnection *self)
{
  g_return_val_if_fail (TETHER_IS_CONNECTION (self), NULL);
  return self->host_key_fingerprint;
}

/**
 * tether_connection_get_n_channels:
 * @self: a #TetherConnection
 *
 * Gets the number of open channels.
 *
 * Returns: the number of open channels
 */
guint
tether_connection_get_n_channels (TetherConnection *self)
{
  g_return_val_if_fail (TETHER_IS_CONNECTION (self), 0);
  return self->n_channels;
}

/**
 * tether_connection_get_bytes_sent:
 * @self: a #TetherConnection
 *
 * Gets the bytes written to the transport so far.
 *
 * Returns: bytes written to the transport so far
 */
guint64
tether_connection_get_bytes_sent (TetherConnection *self)
{
  g_return_val_if_fail (TETHER_IS_CONNECTION (self), 0);
  /* A torn read of a counter the worker updates is harmless for a statistic. */
  return self->worker ? self->worker->sent.out_bytes : 0;
}

/**
 * tether_connection_get_bytes_received:
 * @self: a #TetherConnection
 *
 * Gets the bytes read from the transport so far.
 *
 * Returns: bytes read from the transport so far
 */
guint64
tether_connection_get_bytes_received (TetherConnection *self)
{
  g_return_val_if_fail (TETHER_IS_CONNECTION (self), 0);
  return self->worker ? self->worker->received.in_bytes : 0;
}

/**
 * tether_connection_get_cipher:
 * @self: a #TetherConnection
 *
 * Gets the negotiated cipher, once connected.
 *
 * Returns: (nullable): the negotiated cipher, once connected
 */
const char *
tether_connection_get_cipher (TetherConnection *self)
{
  g_return_val_if_fail (TETHER_IS_CONNECTION (self), NULL);
  return self->cipher;
}

/**
 * tether_connection_get_interaction:
 * @self: a #TetherConnection
 *
 * Gets the interaction that answers the connection's questions.
 *
 * Returns: (transfer none) (nullable): the interaction
 */
TetherInteraction *
tether_connection_get_interaction (TetherConnection *self)
{
  g_return_val_if_fail (TETHER_IS_CONNECTION (self), NULL);
  return self->interaction;
}

/**
 * tether_connection_set_interaction:
 * @self: a #TetherConnection
 * @interaction: (nullable): how to ask the user
 *
 * Sets how the connection asks about host keys and secrets. Set it before
 * connecting.
 */
void
tether_connection_set_interaction (TetherConnection  *self,
                                   TetherInteraction *interaction)
{
  g_return_if_fail (TETHER_IS_CONNECTION (self));
  g_return_if_fail (interaction == NULL || TETHER_IS_INTERACTION (interaction));

  if (g_set_object (&self->interaction, interaction))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INTERACTION]);
}

/* Cancelling the caller's cancellable cancels ours; the handler holds only our
 * cancellable, never the connection, so it is safe whenever it runs. */
static void
connect_cancelled_cb (GCancellable *cancellable,
                      GCancellable *ours)
{
  g_cancellable_cancel (ours);
}

/* Called when the connect task completes: the caller's cancellable is not ours to watch. */
void
_tether_connection_forget_caller_cancellable (TetherConnection *self)
{
  if (self->caller_cancellable != NULL) {
    g_cancellable_disconnect (self->caller_cancellable, self->caller_cancelled_id);
    self->caller_cancelled_id = 0;
    g_clear_object (&self->caller_cancellable);
  }
}

/**
 * tether_connection_connect_async:
 * @self: a #TetherConnection
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the connection is ready or failed
 * @user_data: data for @callback
 *
 * Reaches the server (directly, through ProxyJump hosts or a ProxyCommand),
 * checks its host key against known_hosts, and logs in: with the agent, the
 * identity files (and their certificates), keyboard-interactive, then a
 * password, asking the #TetherConnection:interaction as needed.
 */
void
tether_connection_connect_async (TetherConnection    *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (TETHER_IS_CONNECTION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tether_connection_connect_async);
  g_task_set_name (task, "[tether] connect");

  if (self->state != TETHER_CONNECTION_STATE_DISCONNECTED) {
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                             _("This connection was already used: make a new one to reconnect."));
    return;
  }
  if (cancellable != NULL) {
    self->caller_cancellable = g_object_ref (cancellable);
    self->caller_cancelled_id =
      g_cancellable_connect (cancellable, G_CALLBACK (connect_cancelled_cb),
                             g_object_ref (self->cancellable), g_object_unref);
  }

  self->connect_task = g_steal_pointer (&task);
  _tether_connection_set_state (self, TETHER_CONNECTION_STATE_CONNECTING);

  if (tether_host_get_proxy_command (self->host) != NULL)
    _tether_connection_start_proxy_command (self);
  else if (tether_host_get_proxy_jump (self->host) != NULL)
    _tether_connection_start_proxy_jump (self);
  else {
    g_autoptr(GSocketClient) client = g_socket_client_new ();

    g_socket_client_set_timeout (client, tether_host_get_connect_timeout (self->host));
    g_socket_client_connect_to_host_async (client, tether_host_get_hostname (self->host),
                                           tether_host_get_port (self->host),
                                           self->cancellable, _tether_connection_tcp_connected_cb,
                                           g_object_ref (self));
  }
}

/**
 * tether_connection_connect_finish:
 * @self: a #TetherConnection
 * @result: the result
 * @error: return location for a #GError
 *
 * Finishes tether_connection_connect_async().
 *
 * Returns: %TRUE when the connection is ready
 */
gboolean
tether_connection_connect_finish (TetherConnection  *self,
                                  GAsyncResult      *result,
                                  GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
queue_op_on_worker (TetherWorker *w,
                    gpointer      data)
{
  GlobalOp *op = data;

  if (w->phase != PHASE_READY) {
    _tether_task_return_new_error (&op->task, TETHER_ERROR, TETHER_ERROR_DISCONNECTED,
                             _("The connection is closed."));
    _tether_connection_global_op_free (op);
    return;
  }
  if (op->kind == GLOBAL_OP_OPEN_SESSION || op->kind == GLOBAL_OP_OPEN_DIRECT_TCPIP)
    g_queue_push_tail (&w->opens, op);
  else
    g_queue_push_tail (&w->global_requests, op);
  _tether_worker_process (w);
}

/* Queues @op on the worker, or fails its task at once when not ready. */
static void
submit_global_op (TetherConnection *self,
                  GlobalOp         *op)
{
  if (self->state != TETHER_CONNECTION_STATE_READY || self->worker == NULL) {
    _tether_task_return_new_error (&op->task, TETHER_ERROR, TETHER_ERROR_DISCONNECTED,
                             self->state == TETHER_CONNECTION_STATE_CLOSED
                             ? _("The connection is closed.")
                             : _("The connection is not ready yet."));
    _tether_connection_global_op_free (op);
    return;
  }
  _tether_worker_invoke (self->worker, queue_op_on_worker, op, NULL);
}

static GlobalOp *
global_op_new (TetherConnection    *self,
               GlobalOpKind         kind,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data,
               gpointer             source_tag,
               const char          *name)
{
  GlobalOp *op = g_new0 (GlobalOp, 1);

  op->kind = kind;
  op->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (op->task, source_tag);
  g_task_set_name (op->task, name);
  return op;
}

/**
 * tether_connection_open_session_async:
 * @self: a #TetherConnection
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the channel is open
 * @user_data: data for @callback
 *
 * Opens a "session" channel, for a shell, a command or a subsystem.
 */
void
tether_connection_open_session_async (TetherConnection    *self,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_return_if_fail (TETHER_IS_CONNECTION (self));

  submit_global_op (self, global_op_new (self, GLOBAL_OP_OPEN_SESSION, cancellable, callback,
                                         user_data, tether_connection_open_session_async,
                                         "[tether] open session"));
}

/**
 * tether_connection_open_session_finish:
 * @self: a #TetherConnection
 * @result: the result
 * @error: return location for a #GError
 *
 * Finishes tether_connection_open_session_async().
 *
 * Returns: (transfer full): the channel, or %NULL with @error set
 */
TetherSessionChannel *
tether_connection_open_session_finish (TetherConnection  *self,
                                       GAsyncResult      *result,
                                       GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * tether_connection_open_direct_tcpip_async:
 * @self: a #TetherConnection
 * @host: the host the server should connect to
 * @port: its port
 * @originator_address: (nullable): where the connection comes from, for the server's logs
 * @originator_port: its port
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the channel is open
 * @user_data: data for @callback
 *
 * Opens a "direct-tcpip" channel: the server connects to @host:@port and
 * the channel carries the bytes (what `ssh -L` and `ssh -W` do).
 */
void
tether_connection_open_direct_tcpip_async (TetherConnection    *self,
                                           const char          *host,
                                           guint                port,
                                           const char          *originator_address,
                                           guint                originator_port,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data)
{
  GlobalOp *op;

  g_return_if_fail (TETHER_IS_CONNECTION (self));
  g_return_if_fail (host != NULL);
  g_return_if_fail (port > 0 && port <= G_MAXUINT16);

  op = global_op_new (self, GLOBAL_OP_OPEN_DIRECT_TCPIP, cancellable, callback, user_data,
                      tether_connection_open_direct_tcpip_async, "[tether] open direct-tcpip");
  op->host = g_strdup (host);
  op->port = port;
  op->orig_host = g_strdup (originator_address);
  op->orig_port = originator_port;
  submit_global_op (self, op);
}

/**
 * tether_connection_open_direct_tcpip_finish:
 * @self: a #TetherConnection
 * @result: the result
 * @error: return location for a #GError
 *
 * Finishes tether_connection_open_direct_tcpip_async().
 *
 * Returns: (transfer full): the channel, or %NULL with @error set
 */
TetherChannel *
tether_connection_open_direct_tcpip_finish (TetherConnection  *self,
                                            GAsyncResult      *result,
                                            GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * tether_connection_request_remote_forward_async:
 * @self: a #TetherConnection
 * @bind_address: (nullable): the address the server listens on; %NULL for localhost
 * @port: the port, 0 to let the server choose
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the server answered
 * @user_data: data for @callback
 *
 * Asks the server to listen and open "forwarded-tcpip" channels back for
 * each connection (what `ssh -R` does); see #TetherConnection::incoming-channel.
 */
void
tether_connection_request_remote_forward_async (TetherConnection    *self,
                                                const char          *bind_address,
                                                guint                port,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data)
{
  GlobalOp *op;

  g_return_if_fail (TETHER_IS_CONNECTION (self));
  g_return_if_fail (port <= G_MAXUINT16);

  op = global_op_new (self, GLOBAL_OP_LISTEN_FORWARD, cancellable, callback, user_data,
                      tether_connection_request_remote_forward_async,
                      "[tether] request remote forward");
  op->host = g_strdup (bind_address);
  op->port = port;
  submit_global_op (self, op);
}

/**
 * tether_connection_request_remote_forward_finish:
 * @self: a #TetherConnection
 * @result: the result
 * @error: return location for a #GError
 *
 * Finishes tether_connection_request_remote_forward_async().
 *
 * Returns: the port the server listens on, or 0 with @error set
 */
guint
tether_connection_request_remote_forward_finish (TetherConnection  *self,
                                                 GAsyncResult      *result,
                                                 GError           **error)
{
  gssize port;

  g_return_val_if_fail (g_task_is_valid (result, self), 0);
  port = g_task_propagate_int (G_TASK (result), error);
  return port < 0 ? 0 : (guint) port;
}

/**
 * tether_connection_cancel_remote_forward_async:
 * @self: a #TetherConnection
 * @bind_address: (nullable): the address of the forward
 * @port: its port
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the server answered
 * @user_data: data for @callback
 *
 * Stops a remote forward.
 */
void
tether_connection_cancel_remote_forward_async (TetherConnection    *self,
                                               const char          *bind_address,
                                               guint                port,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data)
{
  GlobalOp *op;

  g_return_if_fail (TETHER_IS_CONNECTION (self));

  op = global_op_new (self, GLOBAL_OP_CANCEL_FORWARD, cancellable, callback, user_data,
                      tether_connection_cancel_remote_forward_async,
                      "[tether] cancel remote forward");
  op->host = g_strdup (bind_address);
  op->port = port;
  submit_global_op (self, op);
}

/**
 * tether_connection_cancel_remote_forward_finish:
 * @self: a #TetherConnection
 * @result: the result
 * @error: return location for a #GError
 *
 * Finishes tether_connection_cancel_remote_forward_async().
 *
 * Returns: %TRUE when the server stopped listening
 */
gboolean
tether_connection_cancel_remote_forward_finish (TetherConnection  *self,
                                                GAsyncResult      *result,
                                                GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * tether_connection_send_global_request_async:
 * @self: a #TetherConnection
 * @name: the request name
 * @payload: (nullable): the request data in SSH wire encoding
 * @want_reply: whether to wait for the answer
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the request is answered
 * @user_data: data for @callback
 *
 * Sends a global request (RFC 4254 section 4). libssh 0.10 has no call for
 * an arbitrary one, so Tether sends the three libssh knows, each as libssh
 * sends it, always with want_reply set:
 *
 * - `tcpip-forward` and `cancel-tcpip-forward`, with @payload the address
 *   (string) and port (uint32) of RFC 4254 section 7.1. The port the server
 *   bound for port 0 is not returned here: use
 *   tether_connection_request_remote_forward_async() for that.
 * - `keepalive@openssh.com`, without payload. Servers answer it with a
 *   failure (OpenSSH and Dropbear do): with @want_reply %TRUE it then fails
 *   with %TETHER_ERROR_REQUEST_DENIED, which still proves the server alive.
 *
 * With @want_reply %TRUE the result is the server's answer; with %FALSE the
 * request completes once sent, and the answer is read and dropped. Other
 * names (`no-more-sessions@openssh.com`, `streamlocal-forward@openssh.com`,
 * `hostkeys-prove-00@openssh.com`, ...) fail with %G_IO_ERROR_NOT_SUPPORTED.
 */
void
tether_connection_send_global_request_async (TetherConnection    *self,
                                             const char          *name,
                                             GBytes              *payload,
                                             gboolean             want_reply,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data)
{
  GlobalOp *op;
  gsize offset = 0;
  guint32 port = 0;

  g_return_if_fail (TETHER_IS_CONNECTION (self));
  g_return_if_fail (name != NULL);

  op = global_op_new (self, GLOBAL_OP_KEEPALIVE, cancellable, callback, user_data,
                      tether_connection_send_global_request_async, "[tether] global request");
  op->no_reply = !want_reply;
  op->as_boolean = TRUE;
  if (g_str_equal (name, "tcpip-forward") || g_str_equal (name, "cancel-tcpip-forward")) {
    op->kind = g_str_equal (name, "tcpip-forward") ? GLOBAL_OP_LISTEN_FORWARD
                                                   : GLOBAL_OP_CANCEL_FORWARD;
    op->host = _tether_wire_get_string (payload, &offset);
    if (op->host == NULL || !_tether_wire_get_uint32 (payload, &offset, &port) ||
        port > G_MAXUINT16) {
      _tether_task_return_new_error (&op->task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                                     _("The payload of the “%s” request is malformed."),
                                     name);
      _tether_connection_global_op_free (op);
      return;
    }
    op->port = port;
  } else if (!g_str_equal (name, "keepalive@openssh.com")) {
    _tether_task_return_new_error (&op->task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                                   _("Tether cannot send the global request “%s”: libssh "
                                   "0.10 sends only tcpip-forward, cancel-tcpip-forward and "
                                   "keepalive@openssh.com."), name);
    _tether_connection_global_op_free (op);
    return;
  }
  submit_global_op (self, op);
}

/**
 * tether_connection_send_global_request_finish:
 * @self: a #TetherConnection
 * @result: the result
 * @error: return location for a #GError
 *
 * Finishes tether_connection_send_global_request_async().
 *
 * Returns: %TRUE when the server accepted the request
 */
gboolean
tether_connection_send_global_request_finish (TetherConnection  *self,
                                              GAsyncResult      *result,
                                              GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
close_on_worker (TetherWorker *w,
                 gpointer      data)
{
  w->closed_locally = TRUE;
  if (w->phase != PHASE_READY && w->phase != PHASE_DONE && !w->quit) {
    _tether_worker_fail_connect (w, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                         _("The connection was cancelled.")));
    return;
  }
  _tether_worker_teardown (w, NULL);
}

/**
 * tether_connection_close:
 * @self: a #TetherConnection
 *
 * Ends the connection: pending requests fail with
 * %TETHER_ERROR_DISCONNECTED, every channel emits #TetherChannel::closed,
 * then the connection emits #TetherConnection::closed with no reason.
 */
void
tether_connection_close (TetherConnection *self)
{
  g_return_if_fail (TETHER_IS_CONNECTION (self));

  g_cancellable_cancel (self->cancellable);
  if (self->worker != NULL)
    _tether_worker_invoke (self->worker, close_on_worker, NULL, NULL);
  else if (self->state != TETHER_CONNECTION_STATE_CLOSED) {
    if (self->connect_task != NULL)
      _tether_connection_fail_connect_on_owner (self,
                                                g_error_new_literal (G_IO_ERROR,
                                                                     G_IO_ERROR_CANCELLED,
                                                                     _("The connection was "
                                                                       "cancelled.")));
    _tether_connection_close_transport (self);
    _tether_connection_set_state (self, TETHER_CONNECTION_STATE_CLOSED);
  }
}
