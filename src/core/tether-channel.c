/* tether-channel.c: an SSH channel as a GIOStream, with bounded queues both ways.
 *
 * Readers and writers may be on any thread; they meet the connection's
 * worker in TetherChannelShared. The worker moves bytes between libssh and
 * the queues (_tether_channel_pump) and takes no more from libssh than the
 * reader leaves room for: a reader that stops reading stops the window from
 * growing, so the peer stops sending and memory stays bounded.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "tether-connection-private.h"
#include "tether-enums.h"
#include "tether-error.h"
#include "tether-channel.h"
#include "tether-session-channel.h"
#include "tether-channel-private.h"
#include "tether-wire-private.h"

/**
 * TetherChannel:
 *
 * An SSH channel of a [class@Tether.Connection], as a [class@Gio.IOStream].
 *
 * Read what the peer sends from [method@Gio.IOStream.get_input_stream], write to
 * [method@Gio.IOStream.get_output_stream], and close the stream with
 * [method@Gio.IOStream.close] to send EOF and CLOSE. [signal@Tether.Channel::eof]
 * and [signal@Tether.Channel::closed] say when the peer has finished; channel
 * requests go out with [method@Tether.Channel.send_request_async] and come in as
 * [signal@Tether.Channel::request]. Channels come from
 * [method@Tether.Connection.open_direct_tcpip_async] (a TCP connection made by the
 * server), from [signal@Tether.Connection::incoming-channel], and, as the subclass
 * [class@Tether.SessionChannel], from
 * [method@Tether.Connection.open_session_async].
 *
 * Threading: the streams may be read and written from any thread, with the usual
 * [class@Gio.InputStream] rule of one operation at a time per stream; signals and
 * property notifications come on the thread-default main context of the thread
 * that created the connection. Both directions go through bounded queues: a reader
 * that stops reading stops the window adjustments, so the peer stops sending and
 * memory stays bounded.
 */


/* ------------------------------------------------------------------------- */
/* Shared state                                                              */

static void
shared_clear (TetherChannelShared *sh)
{
  for (guint i = 0; i < G_N_ELEMENTS (sh->in); i++) {
    g_queue_clear_full (&sh->in[i].chunks, (GDestroyNotify) g_bytes_unref);
    g_assert (sh->in[i].pending_read == NULL);
  }
  g_queue_clear_full (&sh->out, (GDestroyNotify) g_bytes_unref);
  g_assert (g_queue_is_empty (&sh->pending_writes));
  g_assert (g_queue_is_empty (&sh->close_tasks));
  g_queue_clear (&sh->unsent_ops);
  g_queue_clear_full (&sh->ops, (GDestroyNotify) _tether_channel_op_free);
  g_clear_pointer (&sh->current_op, _tether_channel_op_free);
  g_clear_error (&sh->error);
  g_clear_pointer (&sh->worker, _tether_worker_unref);
  g_mutex_clear (&sh->lock);
  g_cond_clear (&sh->cond);
}

TetherChannelShared *
_tether_channel_shared_ref (TetherChannelShared *shared)
{
  return g_atomic_rc_box_acquire (shared);
}

void
_tether_channel_shared_unref (TetherChannelShared *shared)
{
  g_atomic_rc_box_release_full (shared, (GDestroyNotify) shared_clear);
}

void
_tether_channel_op_free (TetherChannelOp *op)
{
  /* Never dropped silently: a task not yet returned fails. */
  if (op->task != NULL)
    _tether_task_return_new_error (&op->task, TETHER_ERROR, TETHER_ERROR_DISCONNECTED,
                                   _("The channel closed before the server answered."));
  g_free (op->s1);
  g_free (op->s2);
  g_free (op);
}

/* Copies up to @count queued bytes into @buffer; called with the lock held. */
gsize
_tether_channel_in_take (TetherChannelInQueue *q,
                         void                 *buffer,
                         gsize                 count)
{
  gsize done = 0;

  while (done < count && !g_queue_is_empty (&q->chunks)) {
    GBytes *head = g_queue_peek_head (&q->chunks);
    gsize size;
    const guint8 *data = g_bytes_get_data (head, &size);
    gsize n = MIN (count - done, size - q->head_offset);

    memcpy ((guint8 *) buffer + done, data + q->head_offset, n);
    done += n;
    q->head_offset += n;
    if (q->head_offset == size) {
      g_bytes_unref (g_queue_pop_head (&q->chunks));
      q->head_offset = 0;
    }
  }
  q->queued -= done;
  return done;
}

/* The error readers and writers see once the channel is gone. */
GError *
_tether_channel_closed_error (TetherChannelShared *sh)
{
  if (sh->error != NULL)
    return g_error_copy (sh->error);
  return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CLOSED, _("The channel is closed."));
}

/* ------------------------------------------------------------------------- */
/* The channel                                                               */

typedef struct
{
  TetherConnection *connection;
  char *channel_type;
  TetherChannelShared *shared;
  GInputStream *input;
  GOutputStream *output;
  char *connected_address;
  guint connected_port;
  char *originator_address;
  guint originator_port;
} TetherChannelPrivate;

G_DEFINE_TYPE_WITH_PRIVATE (TetherChannel, tether_channel, G_TYPE_IO_STREAM)

enum {
  PROP_0,
  PROP_CONNECTION,
  PROP_CHANNEL_TYPE,
  PROP_STATE,
  PROP_LOCAL_WINDOW,
  PROP_REMOTE_WINDOW,
  PROP_BYTES_SENT,
  PROP_BYTES_RECEIVED,
  PROP_CONNECTED_ADDRESS,
  PROP_CONNECTED_PORT,
  PROP_ORIGINATOR_ADDRESS,
  PROP_ORIGINATOR_PORT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_EOF,
  SIGNAL_CLOSED,
  SIGNAL_REQUEST,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static GInputStream *
tether_channel_get_input_stream (GIOStream *stream)
{
  TetherChannelPrivate *priv = tether_channel_get_instance_private (TETHER_CHANNEL (stream));

  return priv->input;
}

static GOutputStream *
tether_channel_get_output_stream (GIOStream *stream)
{
  TetherChannelPrivate *priv = tether_channel_get_instance_private (TETHER_CHANNEL (stream));

  return priv->output;
}

/* Asks the worker to send EOF and CLOSE; TRUE when already closed. */
static gboolean
request_close (TetherChannel *self,
               GTask         *task)
{
  TetherChannelPrivate *priv = tether_channel_get_instance_private (self);
  TetherChannelShared *sh = priv->shared;
  gboolean done;

  g_mutex_lock (&sh->lock);
  done = sh->state == TETHER_CHANNEL_STATE_CLOSED || sh->worker == NULL;
  if (!done) {
    sh->close_requested = TRUE;
    if (task != NULL)
      g_queue_push_tail (&sh->close_tasks, g_object_ref (task));
  }
  g_mutex_unlock (&sh->lock);

  if (!done)
    _tether_worker_wake (sh->worker);
  return done;
}

static gboolean
tether_channel_close_fn (GIOStream     *stream,
                         GCancellable  *cancellable,
                         GError       **error)
{
  TetherChannelPrivate *priv = tether_channel_get_instance_private (TETHER_CHANNEL (stream));
  TetherChannelShared *sh = priv->shared;

  if (request_close (TETHER_CHANNEL (stream), NULL))
    return TRUE;

  /* Synchronous close from a thread that is not the worker: wait for the
   * peer's CLOSE, or for the connection to end. */
  g_mutex_lock (&sh->lock);
  while (sh->state != TETHER_CHANNEL_STATE_CLOSED && !g_cancellable_is_cancelled (cancellable))
    g_cond_wait (&sh->cond, &sh->lock);
  g_mutex_unlock (&sh->lock);
  return !g_cancellable_set_error_if_cancelled (cancellable, error);
}

static void
tether_channel_close_async (GIOStream           *stream,
                            int                  io_priority,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (stream, cancellable, callback, user_data);

  g_task_set_source_tag (task, tether_channel_close_async);
  g_task_set_name (task, "[tether] channel close");
  if (request_close (TETHER_CHANNEL (stream), task))
    g_task_return_boolean (task, TRUE);
}

static gboolean
tether_channel_close_finish (GIOStream     *stream,
                             GAsyncResult  *result,
                             GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
tether_channel_dispose (GObject *object)
{
  TetherChannel *self = TETHER_CHANNEL (object);
  TetherChannelPrivate *priv = tether_channel_get_instance_private (self);

  /* The worker holds a reference while the channel is open, so this runs only
   * once the channel is closed or was never attached. */
  g_clear_object (&priv->input);
  g_clear_object (&priv->output);
  G_OBJECT_CLASS (tether_channel_parent_class)->dispose (object);
}

static void
tether_channel_finalize (GObject *object)
{
  TetherChannel *self = TETHER_CHANNEL (object);
  TetherChannelPrivate *priv = tether_channel_get_instance_private (self);

  g_clear_object (&priv->connection);
  g_free (priv->channel_type);
  g_free (priv->connected_address);
  g_free (priv->originator_address);
  _tether_channel_shared_unref (priv->shared);
  G_OBJECT_CLASS (tether_channel_parent_class)->finalize (object);
}

static void
tether_channel_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  TetherChannel *self = TETHER_CHANNEL (object);

  switch (prop_id) {
  case PROP_CONNECTION:
    g_value_set_object (value, tether_channel_get_connection (self));
    break;
  case PROP_CHANNEL_TYPE:
    g_value_set_string (value, tether_channel_get_channel_type (self));
    break;
  case PROP_STATE:
    g_value_set_enum (value, tether_channel_get_state (self));
    break;
  case PROP_LOCAL_WINDOW:
    g_value_set_uint (value, tether_channel_get_local_window (self));
    break;
  case PROP_REMOTE_WINDOW:
    g_value_set_uint (value, tether_channel_get_remote_window (self));
    break;
  case PROP_BYTES_SENT:
    g_value_set_uint64 (value, tether_channel_get_bytes_sent (self));
    break;
  case PROP_BYTES_RECEIVED:
    g_value_set_uint64 (value, tether_channel_get_bytes_received (self));
    break;
  case PROP_CONNECTED_ADDRESS:
    g_value_set_string (value, tether_channel_get_connected_address (self));
    break;
  case PROP_CONNECTED_PORT:
    g_value_set_uint (value, tether_channel_get_connected_port (self));
    break;
  case PROP_ORIGINATOR_ADDRESS:
    g_value_set_string (value, tether_channel_get_originator_address (self));
    break;
  case PROP_ORIGINATOR_PORT:
    g_value_set_uint (value, tether_channel_get_originator_port (self));
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
tether_channel_class_init (TetherChannelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GIOStreamClass *stream_class = G_IO_STREAM_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->dispose = tether_channel_dispose;
  object_class->finalize = tether_channel_finalize;
  object_class->get_property = tether_channel_get_property;
  stream_class->get_input_stream = tether_channel_get_input_stream;
  stream_class->get_output_stream = tether_channel_get_output_stream;
  stream_class->close_fn = tether_channel_close_fn;
  stream_class->close_async = tether_channel_close_async;
  stream_class->close_finish = tether_channel_close_finish;

  /**
   * TetherChannel:connection:
   *
   * The connection the channel belongs to.
   */
  properties[PROP_CONNECTION] =
    g_param_spec_object ("connection", NULL, NULL, G_TYPE_OBJECT, ro);
  /**
   * TetherChannel:channel-type:
   *
   * The channel type of RFC 4254: `session`, `direct-tcpip`, `forwarded-tcpip`, ...
   */
  properties[PROP_CHANNEL_TYPE] = g_param_spec_string ("channel-type", NULL, NULL, NULL, ro);
  /**
   * TetherChannel:state:
   *
   * Whether the channel is open.
   */
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, TETHER_TYPE_CHANNEL_STATE,
                       TETHER_CHANNEL_STATE_OPEN, ro);
  /**
   * TetherChannel:local-window:
   *
   * Bytes the peer may still send before Tether grants more. Always 0 for
   * now: libssh 0.10 keeps a channel's receive window private (it has no
   * accessor, and grants window inside ssh_channel_read () on rules of its
   * own), so Tether cannot report it without guessing. The receive side's
   * backlog is in tether_channel_get_queued_bytes () instead.
   */
  properties[PROP_LOCAL_WINDOW] =
    g_param_spec_uint ("local-window", NULL, NULL, 0, G_MAXUINT32, 0, ro);
  /**
   * TetherChannel:remote-window:
   *
   * Bytes Tether may still send before the peer grants more.
   *
   * Like every counter, notified at most about 4 times a second while it
   * changes, and once more with its final value when the channel closes.
   */
  properties[PROP_REMOTE_WINDOW] =
    g_param_spec_uint ("remote-window", NULL, NULL, 0, G_MAXUINT32, 0, ro);
  /**
   * TetherChannel:bytes-sent:
   *
   * Payload bytes sent on the channel.
   *
   * Like every counter, notified at most about 4 times a second while it
   * changes, and once more with its final value when the channel closes.
   */
  properties[PROP_BYTES_SENT] =
    g_param_spec_uint64 ("bytes-sent", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  /**
   * TetherChannel:bytes-received:
   *
   * Payload bytes received on the channel.
   *
   * Like every counter, notified at most about 4 times a second while it
   * changes, and once more with its final value when the channel closes.
   */
  properties[PROP_BYTES_RECEIVED] =
    g_param_spec_uint64 ("bytes-received", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  /**
   * TetherChannel:connected-address:
   *
   * For a channel the server opened (`forwarded-tcpip`, `direct-tcpip`): the
   * address that was connected, which tells remote forwards apart (for
   * `forwarded-tcpip`, the bind address of the forward); %NULL otherwise.
   */
  properties[PROP_CONNECTED_ADDRESS] =
    g_param_spec_string ("connected-address", NULL, NULL, NULL, ro);
  /**
   * TetherChannel:connected-port:
   *
   * For a channel the server opened: the port that was connected (for
   * `forwarded-tcpip`, the port the server listens on for that forward); 0
   * otherwise.
   */
  properties[PROP_CONNECTED_PORT] =
    g_param_spec_uint ("connected-port", NULL, NULL, 0, G_MAXUINT16, 0, ro);
  /**
   * TetherChannel:originator-address:
   *
   * For a channel the server opened: where the connection came from, as
   * the server reports it; %NULL otherwise.
   */
  properties[PROP_ORIGINATOR_ADDRESS] =
    g_param_spec_string ("originator-address", NULL, NULL, NULL, ro);
  /**
   * TetherChannel:originator-port:
   *
   * For a channel the server opened: the port the connection came from; 0
   * otherwise.
   */
  properties[PROP_ORIGINATOR_PORT] =
    g_param_spec_uint ("originator-port", NULL, NULL, 0, G_MAXUINT16, 0, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TetherChannel::eof:
   *
   * The peer will send no more data (SSH_MSG_CHANNEL_EOF).
   */
  signals[SIGNAL_EOF] =
    g_signal_new ("eof", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
  /**
   * TetherChannel::closed:
   * @self: the channel
   * @reason: (nullable): why, when the channel did not close normally
   *
   * The channel is gone: both sides closed it, or the connection ended.
   * Emitted exactly once.
   */
  signals[SIGNAL_CLOSED] =
    g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
  /**
   * TetherChannel::request:
   * @self: the channel
   * @name: the request type, such as `exit-status`
   * @payload: the type-specific data, in SSH wire encoding
   *
   * The peer sent a channel request.
   */
  signals[SIGNAL_REQUEST] =
    g_signal_new ("request", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_BYTES);
}

static void
tether_channel_init (TetherChannel *self)
{
  TetherChannelPrivate *priv = tether_channel_get_instance_private (self);
  TetherChannelShared *sh = g_atomic_rc_box_new0 (TetherChannelShared);

  g_mutex_init (&sh->lock);
  g_cond_init (&sh->cond);
  sh->state = TETHER_CHANNEL_STATE_OPEN;
  priv->shared = sh;
  priv->input = _tether_channel_input_stream_new (sh, 0);
  priv->output = g_object_new (TETHER_TYPE_CHANNEL_OUTPUT_STREAM, NULL);
  TETHER_CHANNEL_OUTPUT_STREAM (priv->output)->shared = _tether_channel_shared_ref (sh);
}

TetherChannelShared *
_tether_channel_get_shared (TetherChannel *self)
{
  TetherChannelPrivate *priv = tether_channel_get_instance_private (self);

  return priv->shared;
}

/* Marks @self as carrying bulk data (an SFTP transfer): larger reads from libssh grow its
 * receive window for high-latency links. */
void
_tether_channel_set_bulk (TetherChannel *self)
{
  g_atomic_int_set (&_tether_channel_get_shared (self)->bulk, TRUE);
}

GInputStream *_tether_channel_new_stderr_stream (TetherChannel *self);

GInputStream *
_tether_channel_new_stderr_stream (TetherChannel *self)
{
  TetherChannelPrivate *priv = tether_channel_get_instance_private (self);

  return _tether_channel_input_stream_new (priv->shared, 1);
}

void
_tether_channel_emit_closed (TetherChannel *self,
                             GError        *error)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  g_signal_emit (self, signals[SIGNAL_CLOSED], 0, error);
}

void
_tether_channel_emit_counters (TetherChannel *self,
                               gpointer       data)
{
  GParamSpec *counters[TETHER_N_COUNTERS] = {
    properties[PROP_BYTES_SENT],
    properties[PROP_BYTES_RECEIVED],
    properties[PROP_REMOTE_WINDOW],
    properties[PROP_LOCAL_WINDOW],
  };

  _tether_notify_counters (G_OBJECT (self), GPOINTER_TO_UINT (data), counters);
}

void
_tether_channel_emit_eof (TetherChannel *self,
                          gpointer       data)
{
  g_signal_emit (self, signals[SIGNAL_EOF], 0);
}

void
_tether_channel_emit_request (TetherChannel *self,
                              GPtrArray     *args)
{
  g_signal_emit (self, signals[SIGNAL_REQUEST], 0, g_ptr_array_index (args, 0),
                 g_ptr_array_index (args, 1));
}

void
_tether_channel_request_args_free (GPtrArray *args)
{
  g_free (g_ptr_array_index (args, 0));
  g_bytes_unref (g_ptr_array_index (args, 1));
  g_ptr_array_unref (args);
}

void
_tether_channel_prepare (TetherChannel    *self,
                         TetherConnection *connection,
                         TetherWorker     *worker,
                         const char       *channel_type)
{
  TetherChannelPrivate *priv = tether_channel_get_instance_private (self);
  TetherChannelShared *sh = priv->shared;

  priv->connection = g_object_ref (connection);
  priv->channel_type = g_strdup (channel_type);
  sh->worker = _tether_worker_ref (worker);
}

void
_tether_channel_set_endpoints (TetherChannel *self,
                               const char    *connected_address,
                               guint          connected_port,
                               const char    *originator_address,
                               guint          originator_port)
{
  TetherChannelPrivate *priv = tether_channel_get_instance_private (self);

  g_free (priv->connected_address);
  priv->connected_address = g_strdup (connected_address);
  priv->connected_port = connected_port;
  g_free (priv->originator_address);
  priv->originator_address = g_strdup (originator_address);
  priv->originator_port = originator_port;
}

void
_tether_channel_attach (TetherChannel    *self,
                        TetherConnection *connection,
                        TetherWorker     *worker,
                        ssh_channel       ssh,
                        const char       *channel_type)
{
  _tether_channel_prepare (self, connection, worker, channel_type);
  _tether_channel_attach_ssh (self, ssh);
}

/* ------------------------------------------------------------------------- */
/* Public API                                                                */

/**
 * tether_channel_get_connection:
 * @self: a #TetherChannel
 *
 * Gets the connection of the channel.
 *
 * Returns: (transfer none): the connection of the channel
 */
TetherConnection *
tether_channel_get_connection (TetherChannel *self)
{
  TetherChannelPrivate *priv;

  g_return_val_if_fail (TETHER_IS_CHANNEL (self), NULL);
  priv = tether_channel_get_instance_private (self);
  return priv->connection;
}

/**
 * tether_channel_get_connected_address:
 * @self: a #TetherChannel
 *
 * Gets #TetherChannel:connected-address.
 *
 * Returns: (nullable): see #TetherChannel:connected-address
 */
const char *
tether_channel_get_connected_address (TetherChannel *self)
{
  TetherChannelPrivate *priv;

  g_return_val_if_fail (TETHER_IS_CHANNEL (self), NULL);
  priv = tether_channel_get_instance_private (self);
  return priv->connected_address;
}

/**
 * tether_channel_get_connected_port:
 * @self: a #TetherChannel
 *
 * Gets #TetherChannel:connected-port.
 *
 * Returns: see #TetherChannel:connected-port
 */
guint
tether_channel_get_connected_port (TetherChannel *self)
{
  TetherChannelPrivate *priv;

  g_return_val_if_fail (TETHER_IS_CHANNEL (self), 0);
  priv = tether_channel_get_instance_private (self);
  return priv->connected_port;
}

/**
 * tether_channel_get_originator_address:
 * @self: a #TetherChannel
 *
 * Gets #TetherChannel:originator-address.
 *
 * Returns: (nullable): see #TetherChannel:originator-address
 */
const char *
tether_channel_get_originator_address (TetherChannel *self)
{
  TetherChannelPrivate *priv;

  g_return_val_if_fail (TETHER_IS_CHANNEL (self), NULL);
  priv = tether_channel_get_instance_private (self);
  return priv->originator_address;
}

/**
 * tether_channel_get_originator_port:
 * @self: a #TetherChannel
 *
 * Gets #TetherChannel:originator-port.
 *
 * Returns: see #TetherChannel:originator-port
 */
guint
tether_channel_get_originator_port (TetherChannel *self)
{
  TetherChannelPrivate *priv;

  g_return_val_if_fail (TETHER_IS_CHANNEL (self), 0);
  priv = tether_channel_get_instance_private (self);
  return priv->originator_port;
}

/**
 * tether_channel_get_channel_type:
 * @self: a #TetherChannel
 *
 * Gets the channel type, such as `session`.
 *
 * Returns: the channel type, such as `session`
 */
const char *
tether_channel_get_channel_type (TetherChannel *self)
{
  TetherChannelPrivate *priv;

  g_return_val_if_fail (TETHER_IS_CHANNEL (self), NULL);
  priv = tether_channel_get_instance_private (self);
  return priv->channel_type;
}

/**
 * tether_channel_get_state:
 * @self: a #TetherChannel
 *
 * Gets the state of the channel.
 *
 * Returns: the state of the channel
 */
TetherChannelState
tether_channel_get_state (TetherChannel *self)
{
  TetherChannelShared *sh;
  TetherChannelState state;

  g_return_val_if_fail (TETHER_IS_CHANNEL (self), TETHER_CHANNEL_STATE_CLOSED);
  sh = _tether_channel_get_shared (self);
  g_mutex_lock (&sh->lock);
  state = sh->state;
  g_mutex_unlock (&sh->lock);
  return state;
}

/**
 * tether_channel_get_local_window:
 * @self: a #TetherChannel
 *
 * Gets the bytes the peer may send before Tether grants more.
 *
 * Returns: the bytes the peer may send before Tether grants more
 */
guint
tether_channel_get_local_window (TetherChannel *self)
{
  g_return_val_if_fail (TETHER_IS_CHANNEL (self), 0);
  return g_atomic_int_get (&_tether_channel_get_shared (self)->local_window);
}

/**
 * tether_channel_get_remote_window:
 * @self: a #TetherChannel
 *
 * Gets the bytes Tether may send before the peer grants more.
 *
 * Returns: the bytes Tether may send before the peer grants more
 */
guint
tether_channel_get_remote_window (TetherChannel *self)
{
  g_return_val_if_fail (TETHER_IS_CHANNEL (self), 0);
  return g_atomic_int_get (&_tether_channel_get_shared (self)->remote_window);
}

/**
 * tether_channel_get_bytes_sent:
 * @self: a #TetherChannel
 *
 * Gets the payload bytes sent so far.
 *
 * Returns: payload bytes sent so far
 */
guint64
tether_channel_get_bytes_sent (TetherChannel *self)
{
  g_return_val_if_fail (TETHER_IS_CHANNEL (self), 0);
  return (guint64) g_atomic_pointer_get (&_tether_channel_get_shared (self)->bytes_sent);
}

/**
 * tether_channel_get_bytes_received:
 * @self: a #TetherChannel
 *
 * Gets the payload bytes received so far.
 *
 * Returns: payload bytes received so far
 */
guint64
tether_channel_get_bytes_received (TetherChannel *self)
{
  g_return_val_if_fail (TETHER_IS_CHANNEL (self), 0);
  return (guint64) g_atomic_pointer_get (&_tether_channel_get_shared (self)->bytes_received);
}

/**
 * tether_channel_get_queued_bytes:
 * @self: a #TetherChannel
 *
 * The bytes received and not yet read, in Tether's queue and in libssh's
 * buffer together. It stays bounded however much the peer sends, because an
 * unread channel stops granting window.
 *
 * Returns: the bytes waiting for the reader
 */
guint64
tether_channel_get_queued_bytes (TetherChannel *self)
{
  g_return_val_if_fail (TETHER_IS_CHANNEL (self), 0);
  return (guint64) g_atomic_pointer_get (&_tether_channel_get_shared (self)->queued_bytes);
}

/**
 * tether_channel_send_request_async:
 * @self: a #TetherChannel
 * @name: the request type
 * @payload: (nullable): the type-specific data in SSH wire encoding
 * @want_reply: whether to wait for the peer's answer
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the request is answered (or sent, without @want_reply)
 * @user_data: data for @callback
 *
 * Sends a channel request (RFC 4254 section 5.4). libssh 0.10 has no call
 * for an arbitrary request, so Tether sends the ones libssh knows, each the
 * way libssh sends it:
 *
 * - `shell`, `exec`, `subsystem`, `env` and `pty-req` always go with
 *   want_reply set. With @want_reply %TRUE the result is the server's
 *   answer; with %FALSE the request completes once sent, and the answer
 *   (even a refusal) is read and dropped. For `pty-req` libssh sends its own
 *   terminal modes and no pixel sizes: only the terminal name, columns and
 *   rows of @payload are used.
 * - `signal`, `window-change`, `break` and `auth-agent-req@openssh.com`
 *   always go without want_reply: send them with @want_reply %FALSE (they
 *   complete once sent); with %TRUE they fail with %G_IO_ERROR_NOT_SUPPORTED,
 *   as no answer would ever come.
 *
 * Any other name (`x11-req`, `xon-xoff`, `exit-status`, vendor requests)
 * fails with %G_IO_ERROR_NOT_SUPPORTED.
 */
void
tether_channel_send_request_async (TetherChannel       *self,
                                   const char          *name,
                                   GBytes              *payload,
                                   gboolean             want_reply,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  TetherChannelShared *sh;
  TetherChannelOp *op;
  gsize offset = 0;

  g_return_if_fail (TETHER_IS_CHANNEL (self));
  g_return_if_fail (name != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tether_channel_send_request_async);
  g_task_set_name (task, "[tether] channel request");

  op = g_new0 (TetherChannelOp, 1);
  op->no_reply = !want_reply;
  if (g_str_equal (name, "shell"))
    op->kind = TETHER_CHANNEL_OP_SHELL;
  else if (g_str_equal (name, "signal") && want_reply) {
    _tether_channel_op_free (op);
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                             _("libssh sends the channel request “%s” without asking for a "
                             "reply: send it with want_reply FALSE."), name);
    return;
  } else if (g_str_equal (name, "exec") || g_str_equal (name, "subsystem") ||
           g_str_equal (name, "signal")) {
    op->kind = g_str_equal (name, "exec") ? TETHER_CHANNEL_OP_EXEC :
               g_str_equal (name, "signal") ? TETHER_CHANNEL_OP_SIGNAL :
               TETHER_CHANNEL_OP_SUBSYSTEM;
    op->s1 = _tether_wire_get_string (payload, &offset);
  } else if (g_str_equal (name, "env")) {
    op->kind = TETHER_CHANNEL_OP_ENV;
    op->s1 = _tether_wire_get_string (payload, &offset);
    op->s2 = _tether_wire_get_string (payload, &offset);
  } else if (g_str_equal (name, "pty-req") || g_str_equal (name, "window-change") ||
           g_str_equal (name, "break") || g_str_equal (name, "auth-agent-req@openssh.com")) {
    gboolean ok = TRUE;

    if (g_str_equal (name, "pty-req")) {
      op->kind = TETHER_CHANNEL_OP_PTY;
      op->s1 = _tether_wire_get_string (payload, &offset);
      ok = op->s1 != NULL;
    } else if (g_str_equal (name, "window-change"))
      op->kind = TETHER_CHANNEL_OP_WINDOW_CHANGE;
    else if (g_str_equal (name, "break"))
      op->kind = TETHER_CHANNEL_OP_BREAK;
    else
      op->kind = TETHER_CHANNEL_OP_AUTH_AGENT;
    if (op->kind != TETHER_CHANNEL_OP_AUTH_AGENT)
      ok = ok && _tether_wire_get_uint32 (payload, &offset, &op->n1);
    if (op->kind == TETHER_CHANNEL_OP_PTY || op->kind == TETHER_CHANNEL_OP_WINDOW_CHANGE)
      ok = ok && _tether_wire_get_uint32 (payload, &offset, &op->n2);
    if (!ok) {
      _tether_channel_op_free (op);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("The payload of the “%s” request is malformed."), name);
      return;
    }
    if (want_reply && op->kind != TETHER_CHANNEL_OP_PTY) {
      _tether_channel_op_free (op);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               _("libssh sends the channel request “%s” without asking "
                               "for a reply: send it with want_reply FALSE."), name);
      return;
    }
    sh = _tether_channel_get_shared (self);
    op->task = g_object_ref (task);
    _tether_worker_submit_channel_op (sh->worker, self, op);
    return;
  } else {
    _tether_channel_op_free (op);
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                             _("Tether cannot send the channel request “%s”."), name);
    return;
  }

  if ((op->kind != TETHER_CHANNEL_OP_SHELL && op->s1 == NULL) ||
      (op->kind == TETHER_CHANNEL_OP_ENV && op->s2 == NULL)) {
    _tether_channel_op_free (op);
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                             _("The payload of the “%s” request is malformed."), name);
    return;
  }

  sh = _tether_channel_get_shared (self);
  op->task = g_object_ref (task);
  _tether_worker_submit_channel_op (sh->worker, self, op);
}

/**
 * tether_channel_send_request_finish:
 * @self: a #TetherChannel
 * @result: the result
 * @error: return location for a #GError
 *
 * Finishes tether_channel_send_request_async().
 *
 * Returns: %TRUE when the peer accepted the request
 */
gboolean
tether_channel_send_request_finish (TetherChannel  *self,
                                    GAsyncResult   *result,
                                    GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
