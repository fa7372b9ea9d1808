/* tether-forward.c: one port forward (ssh -L, -R, -D) riding on a host session: its settings,
 * its state, and starting it again after each login. The bytes move on the connection's
 * worker (tether-forward-run.c).
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "tether-connection-private.h"
#include "tether-enums.h"
#include "tether-error.h"
#include "tether-forward-private.h"
#include "tether-host-session-private.h"

/**
 * TetherForward:
 *
 * One port forward of a host session, as `ssh -L`, `ssh -R` and `ssh -D` make them.
 *
 * A local forward ([enum@Tether.ForwardKind.LOCAL]) listens on this computer (by default on
 * the loopback addresses 127.0.0.1 and ::1) and sends each connection through the server,
 * in a `direct-tcpip` channel, to its destination. A dynamic forward
 * ([enum@Tether.ForwardKind.DYNAMIC]) is a local SOCKS 4, 4a and 5 proxy whose connections
 * go out from the server. A remote forward ([enum@Tether.ForwardKind.REMOTE]) asks the
 * server to listen (`tcpip-forward`) and connects each `forwarded-tcpip` channel the server
 * opens to its destination, from this computer.
 *
 * Forwards live in the [class@Tether.ForwardList] of their
 * [class@Tether.HostSession] ([method@Tether.HostSession.get_forwards]).
 * [method@Tether.Forward.start] starts one (connecting the session if needed),
 * [method@Tether.Forward.stop] stops it and closes its connections. A forward rides on its
 * session: when the connection drops it goes %TETHER_FORWARD_STATE_STARTING with
 * [property@Tether.Forward:error] saying why while the session reconnects (a UI shows
 * "waiting"), or %TETHER_FORWARD_STATE_FAILED once the session gave up; after the next login
 * it is started again by itself. A [property@Tether.Forward:pinned] forward also starts on
 * every login of its session, without a call.
 *
 * A connection whose destination refuses is closed; the forward stays active. Counters
 * ([property@Tether.Forward:bytes-in] and the like) are notified at most about 4 times a
 * second.
 *
 * Threading: call a forward from the thread that made its session.
 */

struct _TetherForward
{
  GObject parent_instance;

  TetherForwardKind kind;
  char *bind_address;
  guint bind_port;
  guint bound_port;
  char *destination_host;
  guint destination_port;
  TetherForwardState state;
  GError *error;
  gboolean pinned;
  /* start () was called and stop () was not since. */
  gboolean wanted;
  /* stop () on a pinned forward: it stays down until the session is closed or start (). */
  gboolean user_stopped;

  /* The session owns the list that owns the forward: no reference. */
  TetherHostSession *session;
  gboolean is_rider;
  TetherForwardCounters *counters;
  TetherForwardRun *run;
  /* A remote forward's request, or a connect of the session, under way. */
  GCancellable *cancellable;
  TetherConnection *remote_connection;
  gulong incoming_handler;
  /* The session's reestablish_async (), waiting for ACTIVE or FAILED. */
  GTask *reestablish_task;

  guint notified_n_active;
  guint64 notified_n_total;
  guint64 notified_bytes_in;
  guint64 notified_bytes_out;
};

G_DEFINE_FINAL_TYPE (TetherForward, tether_forward, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_KIND,
  PROP_BIND_ADDRESS,
  PROP_BIND_PORT,
  PROP_BOUND_PORT,
  PROP_DESTINATION_HOST,
  PROP_DESTINATION_PORT,
  PROP_STATE,
  PROP_ERROR,
  PROP_N_ACTIVE,
  PROP_N_TOTAL,
  PROP_BYTES_IN,
  PROP_BYTES_OUT,
  PROP_PINNED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const TetherRiderVTable rider_vtable;

/* ------------------------------------------------------------------------- */
/* State                                                                     */

static void
set_state (TetherForward      *self,
           TetherForwardState  state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
set_error (TetherForward *self,
           const GError  *error)
{
  _tether_set_error_property (G_OBJECT (self), &self->error, error, properties[PROP_ERROR]);
}

static void
set_bound_port (TetherForward *self,
                guint          port)
{
  if (self->bound_port == port)
    return;
  self->bound_port = port;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BOUND_PORT]);
}

/* Whether the forward should be up whenever its session is logged in. */
static gboolean
should_run (TetherForward *self)
{
  return self->wanted || (self->pinned && !self->user_stopped);
}

/* A forward rides on its session while it should run, so that the session brings it back. */
static void
update_rider (TetherForward *self)
{
  gboolean rides = self->session != NULL && should_run (self);

  if (rides == self->is_rider)
    return;
  self->is_rider = rides;
  if (rides)
    _tether_host_session_add_rider (self->session, G_OBJECT (self), &rider_vtable);
  else
    _tether_host_session_remove_rider (self->session, G_OBJECT (self));
}

/* Completes the session's wait for this forward, if it waits. */
static void
finish_reestablish (TetherForward *self,
                    const GError  *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->reestablish_task);

  if (task == NULL)
    return;
  if (error != NULL)
    g_task_return_error (task, g_error_copy (error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
cancel_remote_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      data)
{
  g_autoptr(GError) error = NULL;

  /* Dropbear's cancel-tcpip-forward never matches (DESIGN.md 6): the forward is stopped on
   * our side whatever the server says. */
  if (!tether_connection_cancel_remote_forward_finish (TETHER_CONNECTION (source), result,
                                                       &error))
    g_debug ("The server did not stop a remote forward: %s", error->message);
}

/* Stops what runs; @tell_server: cancel a remote forward's listen on a live connection. */
static void
drop_run (TetherForward *self,
          gboolean       tell_server)
{
  if (self->cancellable != NULL) {
    g_cancellable_cancel (self->cancellable);
    g_clear_object (&self->cancellable);
  }
  if (self->remote_connection != NULL) {
    g_clear_signal_handler (&self->incoming_handler, self->remote_connection);
    if (tell_server && self->state == TETHER_FORWARD_STATE_ACTIVE &&
        tether_connection_get_state (self->remote_connection) == TETHER_CONNECTION_STATE_READY)
      tether_connection_cancel_remote_forward_async (self->remote_connection, self->bind_address,
                                                     self->bound_port, NULL, cancel_remote_cb,
                                                     NULL);
    g_clear_object (&self->remote_connection);
  }
  if (self->run != NULL) {
    _tether_forward_run_stop (self->run);
    g_clear_pointer (&self->run, _tether_forward_run_unref);
  }
}

static void
fail (TetherForward *self,
      const GError  *error)
{
  drop_run (self, TRUE);
  set_bound_port (self, 0);
  set_error (self, error);
  set_state (self, TETHER_FORWARD_STATE_FAILED);
  finish_reestablish (self, error);
}

void
_tether_forward_sync_counters (TetherForward *self)
{
  TetherForwardCounters *c = self->counters;
  guint n_active = (guint) MAX (g_atomic_int_get (&c->n_active), 0);
  guint64 n_total = (guint64) g_atomic_pointer_get (&c->n_total);
  guint64 bytes_in = (guint64) g_atomic_pointer_get (&c->bytes_in);
  guint64 bytes_out = (guint64) g_atomic_pointer_get (&c->bytes_out);

  g_object_freeze_notify (G_OBJECT (self));
  if (n_active != self->notified_n_active) {
    self->notified_n_active = n_active;
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ACTIVE]);
  }
  if (n_total != self->notified_n_total) {
    self->notified_n_total = n_total;
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_TOTAL]);
  }
  if (bytes_in != self->notified_bytes_in) {
    self->notified_bytes_in = bytes_in;
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BYTES_IN]);
  }
  if (bytes_out != self->notified_bytes_out) {
    self->notified_bytes_out = bytes_out;
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BYTES_OUT]);
  }
  g_object_thaw_notify (G_OBJECT (self));
}

/* ------------------------------------------------------------------------- */
/* Starting on a connection                                                  */

void
_tether_forward_on_listening (TetherForward    *self,
                              TetherForwardRun *run,
                              guint             bound_port,
                              const GError     *error)
{
  if (run != self->run)
    return;   /* stopped or restarted meanwhile */
  if (error != NULL) {
    fail (self, error);
    return;
  }
  set_bound_port (self, bound_port);
  set_error (self, NULL);
  set_state (self, TETHER_FORWARD_STATE_ACTIVE);
  finish_reestablish (self, NULL);
}

/* Loose equality of a remote forward's bind address and a channel's connected address:
 * servers report the address as requested, or as they bound it. */
static gboolean
same_listen_address (const char *ours,
                     const char *theirs)
{
  static const char * const loopback[] = { "localhost", "127.0.0.1", "::1", NULL };

  if (ours == NULL || *ours == '\0' || theirs == NULL || *theirs == '\0')
    return TRUE;
  if (g_ascii_strcasecmp (ours, theirs) == 0)
    return TRUE;
  return g_strv_contains (loopback, ours) && g_strv_contains (loopback, theirs);
}

static gboolean
on_incoming_channel (TetherConnection *connection,
                     TetherChannel    *channel,
                     const char       *channel_type,
                     TetherForward    *self)
{
  if (self->run == NULL || self->state != TETHER_FORWARD_STATE_ACTIVE ||
      tether_channel_get_connected_port (channel) != self->bound_port ||
      !same_listen_address (self->bind_address, tether_channel_get_connected_address (channel)))
    return FALSE;
  _tether_forward_run_take_channel (self->run, channel);
  return TRUE;
}

typedef struct
{
  TetherForward *self;
  TetherForwardRun *run;
} RemoteRequest;

static void
remote_request_free (RemoteRequest *request)
{
  g_object_unref (request->self);
  _tether_forward_run_unref (request->run);
  g_free (request);
}

static void
remote_listen_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      data)
{
  RemoteRequest *request = data;
  TetherForward *self = request->self;
  TetherConnection *connection = TETHER_CONNECTION (source);
  g_autoptr(GError) error = NULL;
  guint port;

  port = tether_connection_request_remote_forward_finish (connection, result, &error);
  if (request->run != self->run) {
    /* Stopped meanwhile: the server may listen all the same. */
    if (port != 0 && tether_connection_get_state (connection) == TETHER_CONNECTION_STATE_READY)
      tether_connection_cancel_remote_forward_async (connection, self->bind_address, port, NULL,
                                                     cancel_remote_cb, NULL);
    remote_request_free (request);
    return;
  }
  if (port == 0 && error == NULL)
    error = g_error_new (TETHER_ERROR, TETHER_ERROR_PROTOCOL,
                         _("The server did not say which port it listens on for the remote "
                           "forward."));
  if (error != NULL) {
    fail (self, error);
    remote_request_free (request);
    return;
  }
  g_clear_object (&self->cancellable);
  set_bound_port (self, port);
  self->remote_connection = g_object_ref (connection);
  self->incoming_handler = g_signal_connect (connection, "incoming-channel::forwarded-tcpip",
                                             G_CALLBACK (on_incoming_channel), self);
  set_error (self, NULL);
  set_state (self, TETHER_FORWARD_STATE_ACTIVE);
  finish_reestablish (self, NULL);
  remote_request_free (request);
}

/* Starts on @connection (READY), replacing what ran before. */
static void
start_on (TetherForward    *self,
          TetherConnection *connection)
{
  RemoteRequest *request;

  if (self->run != NULL && _tether_forward_run_get_connection (self->run) == connection &&
      (self->state == TETHER_FORWARD_STATE_ACTIVE || self->state == TETHER_FORWARD_STATE_STARTING)) {
    if (self->state == TETHER_FORWARD_STATE_ACTIVE)
      finish_reestablish (self, NULL);
    return;
  }
  drop_run (self, TRUE);
  set_bound_port (self, 0);

  if (self->kind == TETHER_FORWARD_KIND_REMOTE && self->destination_host == NULL) {
    g_autoptr(GError) error =
      g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           _("Remote forwards without a destination (a SOCKS proxy on the "
                             "server) are not supported."));

    fail (self, error);
    return;
  }
  if (tether_connection_get_state (connection) != TETHER_CONNECTION_STATE_READY ||
      _tether_connection_get_worker (connection) == NULL) {
    g_autoptr(GError) error = g_error_new_literal (TETHER_ERROR, TETHER_ERROR_DISCONNECTED,
                                                   _("The connection is not ready."));

    fail (self, error);
    return;
  }

  self->run = _tether_forward_run_new (self, connection, self->counters);
  set_state (self, TETHER_FORWARD_STATE_STARTING);
  if (self->kind != TETHER_FORWARD_KIND_REMOTE) {
    _tether_forward_run_listen (self->run);
    return;
  }
  self->cancellable = g_cancellable_new ();
  request = g_new0 (RemoteRequest, 1);
  request->self = g_object_ref (self);
  request->run = _tether_forward_run_ref (self->run);
  tether_connection_request_remote_forward_async (connection, self->bind_address,
                                                  self->bind_port, self->cancellable,
                                                  remote_listen_cb, request);
}

static void
session_connected_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      data)
{
  g_autoptr(TetherForward) self = data;
  g_autoptr(GError) error = NULL;
  TetherConnection *connection;

  if (!tether_host_session_connect_finish (TETHER_HOST_SESSION (source), result, &error)) {
    if (self->session != NULL && self->run == NULL && should_run (self) &&
        self->state == TETHER_FORWARD_STATE_STARTING &&
        tether_host_session_get_state (self->session) != TETHER_HOST_SESSION_STATE_RECONNECTING)
      fail (self, error);
    return;
  }
  /* Usually started already, as a rider, when the session logged in. */
  connection = self->session ? tether_host_session_get_connection (self->session) : NULL;
  if (connection != NULL && self->run == NULL && should_run (self))
    start_on (self, connection);
}

/* ------------------------------------------------------------------------- */
/* Riding on the host session                                                */

static void
rider_reestablish_async (GObject             *rider,
                         TetherConnection    *connection,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  TetherForward *self = TETHER_FORWARD (rider);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, rider_reestablish_async);
  g_task_set_name (task, "[tether] forward reestablish");
  if (!should_run (self)) {
    g_task_return_boolean (task, TRUE);
    return;
  }
  /* One wait at a time: an older one is answered now. */
  finish_reestablish (self, NULL);
  self->reestablish_task = g_steal_pointer (&task);
  start_on (self, connection);
}

static gboolean
rider_reestablish_finish (GObject       *rider,
                          GAsyncResult  *result,
                          GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
rider_lost (GObject                *rider,
            TetherHostSessionState  state,
            const GError           *error)
{
  TetherForward *self = TETHER_FORWARD (rider);
  g_autoptr(GError) closed = NULL;

  drop_run (self, FALSE);
  set_bound_port (self, 0);
  switch (state) {
  case TETHER_HOST_SESSION_STATE_RECONNECTING:
    /* Coming back by itself: STARTING ("waiting"), with the reason. */
    if (should_run (self)) {
      set_error (self, error);
      set_state (self, TETHER_FORWARD_STATE_STARTING);
    }
    break;
  case TETHER_HOST_SESSION_STATE_FAILED:
    if (should_run (self)) {
      set_error (self, error);
      set_state (self, TETHER_FORWARD_STATE_FAILED);
    }
    break;
  default:
    /* Closed on purpose: everything stops; pinned forwards start with the next login. */
    self->wanted = FALSE;
    self->user_stopped = FALSE;
    set_error (self, error);
    set_state (self, TETHER_FORWARD_STATE_STOPPED);
    update_rider (self);
    break;
  }
  closed = g_error_new_literal (TETHER_ERROR, TETHER_ERROR_DISCONNECTED,
                                _("The connection was lost."));
  finish_reestablish (self, error != NULL ? error : closed);
}

static const TetherRiderVTable rider_vtable = {
  rider_reestablish_async,
  rider_reestablish_finish,
  rider_lost,
};

void
_tether_forward_attach (TetherForward     *self,
                        TetherHostSession *session)
{
  g_return_if_fail (self->session == NULL);

  self->session = session;
  update_rider (self);
  /* A pinned forward added to a logged-in session starts now. */
  if (should_run (self) &&
      tether_host_session_get_state (session) == TETHER_HOST_SESSION_STATE_READY)
    start_on (self, tether_host_session_get_connection (session));
}

void
_tether_forward_detach (TetherForward *self)
{
  drop_run (self, TRUE);
  set_bound_port (self, 0);
  set_state (self, TETHER_FORWARD_STATE_STOPPED);
  if (self->is_rider && self->session != NULL)
    _tether_host_session_remove_rider (self->session, G_OBJECT (self));
  self->is_rider = FALSE;
  self->session = NULL;
  finish_reestablish (self, NULL);
}

/* ------------------------------------------------------------------------- */
/* GObject                                                                   */

static void
tether_forward_dispose (GObject *object)
{
  TetherForward *self = TETHER_FORWARD (object);

  /* The list detaches its forwards; this is for a forward that never was in one. */
  drop_run (self, FALSE);
  G_OBJECT_CLASS (tether_forward_parent_class)->dispose (object);
}

static void
tether_forward_finalize (GObject *object)
{
  TetherForward *self = TETHER_FORWARD (object);

  g_assert (self->session == NULL);
  g_assert (self->reestablish_task == NULL);
  g_free (self->bind_address);
  g_free (self->destination_host);
  g_clear_error (&self->error);
  _tether_forward_counters_unref (self->counters);
  G_OBJECT_CLASS (tether_forward_parent_class)->finalize (object);
}

static void
tether_forward_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  TetherForward *self = TETHER_FORWARD (object);

  switch (prop_id) {
  case PROP_KIND:
    g_value_set_enum (value, self->kind);
    break;
  case PROP_BIND_ADDRESS:
    g_value_set_string (value, self->bind_address);
    break;
  case PROP_BIND_PORT:
    g_value_set_uint (value, self->bind_port);
    break;
  case PROP_BOUND_PORT:
    g_value_set_uint (value, self->bound_port);
    break;
  case PROP_DESTINATION_HOST:
    g_value_set_string (value, self->destination_host);
    break;
  case PROP_DESTINATION_PORT:
    g_value_set_uint (value, self->destination_port);
    break;
  case PROP_STATE:
    g_value_set_enum (value, self->state);
    break;
  case PROP_ERROR:
    g_value_set_boxed (value, self->error);
    break;
  case PROP_N_ACTIVE:
    g_value_set_uint (value, tether_forward_get_n_active (self));
    break;
  case PROP_N_TOTAL:
    g_value_set_uint64 (value, tether_forward_get_n_total (self));
    break;
  case PROP_BYTES_IN:
    g_value_set_uint64 (value, tether_forward_get_bytes_in (self));
    break;
  case PROP_BYTES_OUT:
    g_value_set_uint64 (value, tether_forward_get_bytes_out (self));
    break;
  case PROP_PINNED:
    g_value_set_boolean (value, self->pinned);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
tether_forward_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  TetherForward *self = TETHER_FORWARD (object);

  switch (prop_id) {
  case PROP_KIND:
    self->kind = g_value_get_enum (value);
    break;
  case PROP_BIND_ADDRESS:
    self->bind_address = g_value_dup_string (value);
    break;
  case PROP_BIND_PORT:
    self->bind_port = g_value_get_uint (value);
    break;
  case PROP_DESTINATION_HOST:
    self->destination_host = g_value_dup_string (value);
    break;
  case PROP_DESTINATION_PORT:
    self->destination_port = g_value_get_uint (value);
    break;
  case PROP_PINNED:
    tether_forward_set_pinned (self, g_value_get_boolean (value));
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
tether_forward_class_init (TetherForwardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;
  const GParamFlags co = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = tether_forward_dispose;
  object_class->finalize = tether_forward_finalize;
  object_class->get_property = tether_forward_get_property;
  object_class->set_property = tether_forward_set_property;

  /**
   * TetherForward:kind:
   *
   * Which way the forward goes.
   */
  properties[PROP_KIND] =
    g_param_spec_enum ("kind", NULL, NULL, TETHER_TYPE_FORWARD_KIND,
                       TETHER_FORWARD_KIND_LOCAL, co);
  /**
   * TetherForward:bind-address:
   *
   * The address the forward listens on (on the server for a remote forward); %NULL for the
   * default, the loopback addresses; `*` for every address.
   */
  properties[PROP_BIND_ADDRESS] = g_param_spec_string ("bind-address", NULL, NULL, NULL, co);
  /**
   * TetherForward:bind-port:
   *
   * The port the forward asks to listen on; 0 lets the system (or the server) choose, see
   * #TetherForward:bound-port.
   */
  properties[PROP_BIND_PORT] =
    g_param_spec_uint ("bind-port", NULL, NULL, 0, G_MAXUINT16, 0, co);
  /**
   * TetherForward:bound-port:
   *
   * The port the forward listens on while it is active: the local listener's, or the one
   * the server gave for a remote forward; 0 otherwise.
   */
  properties[PROP_BOUND_PORT] =
    g_param_spec_uint ("bound-port", NULL, NULL, 0, G_MAXUINT16, 0,
                       ro | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * TetherForward:destination-host:
   *
   * Where connections go (seen from the server for a local forward, from this computer for
   * a remote one); %NULL for a dynamic (SOCKS) forward.
   */
  properties[PROP_DESTINATION_HOST] =
    g_param_spec_string ("destination-host", NULL, NULL, NULL, co);
  /**
   * TetherForward:destination-port:
   *
   * The destination's port; 0 for a dynamic forward.
   */
  properties[PROP_DESTINATION_PORT] =
    g_param_spec_uint ("destination-port", NULL, NULL, 0, G_MAXUINT16, 0, co);
  /**
   * TetherForward:state:
   *
   * Whether the forward is listening.
   */
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, TETHER_TYPE_FORWARD_STATE,
                       TETHER_FORWARD_STATE_STOPPED, ro | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * TetherForward:error:
   *
   * Why the forward failed, or why it waits for its session to reconnect; %NULL otherwise.
   */
  properties[PROP_ERROR] =
    g_param_spec_boxed ("error", NULL, NULL, G_TYPE_ERROR, ro | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * TetherForward:n-active:
   *
   * Connections open through the forward now.
   */
  properties[PROP_N_ACTIVE] =
    g_param_spec_uint ("n-active", NULL, NULL, 0, G_MAXUINT, 0, ro | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * TetherForward:n-total:
   *
   * Connections made through the forward since it was made.
   */
  properties[PROP_N_TOTAL] =
    g_param_spec_uint64 ("n-total", NULL, NULL, 0, G_MAXUINT64, 0,
                         ro | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * TetherForward:bytes-in:
   *
   * Bytes sent from the destinations to the clients.
   */
  properties[PROP_BYTES_IN] =
    g_param_spec_uint64 ("bytes-in", NULL, NULL, 0, G_MAXUINT64, 0,
                         ro | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * TetherForward:bytes-out:
   *
   * Bytes sent from the clients to the destinations.
   */
  properties[PROP_BYTES_OUT] =
    g_param_spec_uint64 ("bytes-out", NULL, NULL, 0, G_MAXUINT64, 0,
                         ro | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * TetherForward:pinned:
   *
   * Start the forward on every login of its session and bring it back after a reconnect,
   * without a call to tether_forward_start().
   */
  properties[PROP_PINNED] =
    g_param_spec_boolean ("pinned", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tether_forward_init (TetherForward *self)
{
  self->counters = _tether_forward_counters_new (self);
}

/**
 * tether_forward_new:
 * @kind: which way the forward goes
 * @bind_address: (nullable): where to listen; %NULL for the loopback addresses
 * @bind_port: the port to listen on; 0 to let the system (or the server) choose
 * @destination_host: (nullable): where connections go; %NULL for a dynamic forward
 * @destination_port: the destination's port; 0 for a dynamic forward
 *
 * Makes a stopped forward; add it to a session's list with tether_forward_list_add().
 *
 * Returns: (transfer full): a new #TetherForward
 */
TetherForward *
tether_forward_new (TetherForwardKind  kind,
                    const char        *bind_address,
                    guint              bind_port,
                    const char        *destination_host,
                    guint              destination_port)
{
  g_return_val_if_fail (bind_port <= G_MAXUINT16, NULL);
  g_return_val_if_fail (destination_port <= G_MAXUINT16, NULL);

  return g_object_new (TETHER_TYPE_FORWARD,
                       "kind", kind,
                       "bind-address", bind_address,
                       "bind-port", bind_port,
                       "destination-host", destination_host,
                       "destination-port", destination_port,
                       NULL);
}

/**
 * tether_forward_new_from_spec:
 * @spec: a forward specification, from tether_forward_spec_parse()
 *
 * Makes a stopped forward as @spec says.
 *
 * Returns: (transfer full): a new #TetherForward
 */
TetherForward *
tether_forward_new_from_spec (const TetherForwardSpec *spec)
{
  g_return_val_if_fail (spec != NULL, NULL);

  return tether_forward_new (tether_forward_spec_get_kind (spec),
                             tether_forward_spec_get_bind_address (spec),
                             tether_forward_spec_get_bind_port (spec),
                             tether_forward_spec_get_host (spec),
                             tether_forward_spec_get_host_port (spec));
}

/**
 * tether_forward_get_kind:
 * @self: a #TetherForward
 *
 * Gets which way the forward goes.
 *
 * Returns: the kind
 */
TetherForwardKind
tether_forward_get_kind (TetherForward *self)
{
  g_return_val_if_fail (TETHER_IS_FORWARD (self), TETHER_FORWARD_KIND_LOCAL);
  return self->kind;
}

/**
 * tether_forward_get_bind_address:
 * @self: a #TetherForward
 *
 * Gets the address the forward listens on.
 *
 * Returns: (nullable): the bind address; %NULL for the default
 */
const char *
tether_forward_get_bind_address (TetherForward *self)
{
  g_return_val_if_fail (TETHER_IS_FORWARD (self), NULL);
  return self->bind_address;
}

/**
 * tether_forward_get_bind_port:
 * @self: a #TetherForward
 *
 * Gets the port the forward asks to listen on.
 *
 * Returns: the port; 0 to let the system or the server choose
 */
guint
tether_forward_get_bind_port (TetherForward *self)
{
  g_return_val_if_fail (TETHER_IS_FORWARD (self), 0);
  return self->bind_port;
}

/**
 * tether_forward_get_bound_port:
 * @self: a #TetherForward
 *
 * Gets the port the forward listens on while active.
 *
 * Returns: the port, or 0 when it is not active
 */
guint
tether_forward_get_bound_port (TetherForward *self)
{
  g_return_val_if_fail (TETHER_IS_FORWARD (self), 0);
  return self->bound_port;
}

/**
 * tether_forward_get_destination_host:
 * @self: a #TetherForward
 *
 * Gets where connections go.
 *
 * Returns: (nullable): the destination host; %NULL for a dynamic forward
 */
const char *
tether_forward_get_destination_host (TetherForward *self)
{
  g_return_val_if_fail (TETHER_IS_FORWARD (self), NULL);
  return self->destination_host;
}

/**
 * tether_forward_get_destination_port:
 * @self: a #TetherForward
 *
 * Gets the destination's port.
 *
 * Returns: the port; 0 for a dynamic forward
 */
guint
tether_forward_get_destination_port (TetherForward *self)
{
  g_return_val_if_fail (TETHER_IS_FORWARD (self), 0);
  return self->destination_port;
}

/**
 * tether_forward_get_state:
 * @self: a #TetherForward
 *
 * Gets whether the forward is listening.
 *
 * Returns: the state
 */
TetherForwardState
tether_forward_get_state (TetherForward *self)
{
  g_return_val_if_fail (TETHER_IS_FORWARD (self), TETHER_FORWARD_STATE_STOPPED);
  return self->state;
}

/**
 * tether_forward_get_error:
 * @self: a #TetherForward
 *
 * Gets why the forward failed, or why it waits for its session.
 *
 * Returns: (nullable) (transfer none): the error
 */
const GError *
tether_forward_get_error (TetherForward *self)
{
  g_return_val_if_fail (TETHER_IS_FORWARD (self), NULL);
  return self->error;
}

/**
 * tether_forward_get_n_active:
 * @self: a #TetherForward
 *
 * Gets how many connections are open through the forward now.
 *
 * Returns: the number of open connections
 */
guint
tether_forward_get_n_active (TetherForward *self)
{
  g_return_val_if_fail (TETHER_IS_FORWARD (self), 0);
  return (guint) MAX (g_atomic_int_get (&self->counters->n_active), 0);
}

/**
 * tether_forward_get_n_total:
 * @self: a #TetherForward
 *
 * Gets how many connections went through the forward.
 *
 * Returns: the number of connections so far
 */
guint64
tether_forward_get_n_total (TetherForward *self)
{
  g_return_val_if_fail (TETHER_IS_FORWARD (self), 0);
  return (guint64) g_atomic_pointer_get (&self->counters->n_total);
}

/**
 * tether_forward_get_bytes_in:
 * @self: a #TetherForward
 *
 * Gets the bytes sent from the destinations to the clients.
 *
 * Returns: the byte count
 */
guint64
tether_forward_get_bytes_in (TetherForward *self)
{
  g_return_val_if_fail (TETHER_IS_FORWARD (self), 0);
  return (guint64) g_atomic_pointer_get (&self->counters->bytes_in);
}

/**
 * tether_forward_get_bytes_out:
 * @self: a #TetherForward
 *
 * Gets the bytes sent from the clients to the destinations.
 *
 * Returns: the byte count
 */
guint64
tether_forward_get_bytes_out (TetherForward *self)
{
  g_return_val_if_fail (TETHER_IS_FORWARD (self), 0);
  return (guint64) g_atomic_pointer_get (&self->counters->bytes_out);
}

/**
 * tether_forward_get_pinned:
 * @self: a #TetherForward
 *
 * Gets whether the forward starts on every login of its session.
 *
 * Returns: whether the forward is pinned
 */
gboolean
tether_forward_get_pinned (TetherForward *self)
{
  g_return_val_if_fail (TETHER_IS_FORWARD (self), FALSE);
  return self->pinned;
}

/**
 * tether_forward_set_pinned:
 * @self: a #TetherForward
 * @pinned: whether to start the forward on every login
 *
 * Pins the forward: it starts on every login of its session (now, if the session is
 * logged in) and comes back by itself after a reconnect. Unpinning does not stop it.
 */
void
tether_forward_set_pinned (TetherForward *self,
                           gboolean       pinned)
{
  g_return_if_fail (TETHER_IS_FORWARD (self));

  pinned = !!pinned;
  if (self->pinned == pinned)
    return;
  self->pinned = pinned;
  if (!pinned && (self->state == TETHER_FORWARD_STATE_ACTIVE ||
                  self->state == TETHER_FORWARD_STATE_STARTING))
    self->wanted = TRUE;   /* keeps running until stopped */
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PINNED]);
  update_rider (self);
  if (pinned && should_run (self) && self->run == NULL && self->session != NULL &&
      tether_host_session_get_state (self->session) == TETHER_HOST_SESSION_STATE_READY)
    start_on (self, tether_host_session_get_connection (self->session));
}

/**
 * tether_forward_to_spec:
 * @self: a #TetherForward
 *
 * Gets the forward's settings as a specification, for saving.
 *
 * Returns: (transfer full) (nullable): the specification, or %NULL when the settings cannot
 *   be written as one
 */
TetherForwardSpec *
tether_forward_to_spec (TetherForward *self)
{
  g_autoptr(GString) text = g_string_new (NULL);

  g_return_val_if_fail (TETHER_IS_FORWARD (self), NULL);

  if (self->bind_address != NULL && *self->bind_address != '\0')
    g_string_append_printf (text, strchr (self->bind_address, ':') ? "[%s]:" : "%s:",
                            self->bind_address);
  g_string_append_printf (text, "%u", self->bind_port);
  if (self->destination_host != NULL)
    g_string_append_printf (text, strchr (self->destination_host, ':') ? " [%s]:%u" : " %s:%u",
                            self->destination_host, self->destination_port);
  return tether_forward_spec_parse (self->kind, text->str, NULL);
}

/**
 * tether_forward_start:
 * @self: a #TetherForward
 *
 * Starts the forward: at once on a logged-in session; otherwise it is
 * %TETHER_FORWARD_STATE_STARTING and the session connects. How it went is in
 * #TetherForward:state and #TetherForward:error. The forward must be in a session's list.
 */
void
tether_forward_start (TetherForward *self)
{
  g_return_if_fail (TETHER_IS_FORWARD (self));
  g_return_if_fail (self->session != NULL);

  self->wanted = TRUE;
  self->user_stopped = FALSE;
  update_rider (self);
  if (self->run != NULL && (self->state == TETHER_FORWARD_STATE_ACTIVE ||
                            self->state == TETHER_FORWARD_STATE_STARTING))
    return;
  set_error (self, NULL);
  if (tether_host_session_get_state (self->session) == TETHER_HOST_SESSION_STATE_READY) {
    start_on (self, tether_host_session_get_connection (self->session));
    return;
  }
  set_state (self, TETHER_FORWARD_STATE_STARTING);
  tether_host_session_connect_async (self->session, NULL, session_connected_cb,
                                     g_object_ref (self));
}

/**
 * tether_forward_stop:
 * @self: a #TetherForward
 *
 * Stops the forward: closes its listener (or cancels the server's), and every connection
 * open through it. A pinned forward stays stopped until tether_forward_start() or the next
 * time its session is connected after being closed.
 */
void
tether_forward_stop (TetherForward *self)
{
  g_return_if_fail (TETHER_IS_FORWARD (self));

  self->wanted = FALSE;
  if (self->pinned)
    self->user_stopped = TRUE;
  drop_run (self, TRUE);
  set_bound_port (self, 0);
  set_error (self, NULL);
  set_state (self, TETHER_FORWARD_STATE_STOPPED);
  finish_reestablish (self, NULL);
  update_rider (self);
}
