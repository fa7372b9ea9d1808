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

/* How long a channel we closed waits for the peer's CLOSE before it counts as closed anyway
 * (libssh then keeps the freed channel until the answer comes): a peer that never answers
 * must not keep close_async () pending forever. */
#define TETHER_CHANNEL_CLOSE_TIMEOUT_MS (5 * 1000)

/* ------------------------------------------------------------------------- */
/* Shared state                                                              */

static void
shared_clear (TetherChannelShared *sh)
{
  for (guint i = 0; i < G_N_ELEMENTS (sh->in); i++)
    {
      g_queue_clear_full (&sh->in[i].chunks, (GDestroyNotify) g_bytes_unref);
      g_assert (sh->in[i].pending_read == NULL);
    }
  g_queue_clear_full (&sh->out, (GDestroyNotify) g_bytes_unref);
  g_assert (g_queue_is_empty (&sh->pending_writes));
  g_assert (g_queue_is_empty (&sh->close_tasks));
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

/* Results of tasks whose context is the connection's owner's go, from the worker, through
 * the worker's event queue, in order with the signals it posts: an open's result comes
 * before its channel's ::closed, a close's result before ::closed, a read's before ::eof.
 * (GTask would otherwise complete them from an idle of its own, in no set order.) */
typedef enum {
  RESULT_ERROR,
  RESULT_BOOLEAN,
  RESULT_INT,
  RESULT_POINTER,
} ResultKind;

typedef struct
{
  ResultKind kind;
  GError *error;
  gssize value;
  gpointer pointer;
  GDestroyNotify pointer_free;
} TaskResult;

static void
task_result_free (TaskResult *result)
{
  g_clear_error (&result->error);
  if (result->pointer != NULL && result->pointer_free != NULL)
    result->pointer_free (result->pointer);
  g_free (result);
}

static void
return_result (GTask      *task,
               TaskResult *result)
{
  switch (result->kind)
    {
    case RESULT_ERROR:
      g_task_return_error (task, g_steal_pointer (&result->error));
      break;
    case RESULT_BOOLEAN:
      g_task_return_boolean (task, result->value != 0);
      break;
    case RESULT_INT:
      g_task_return_int (task, result->value);
      break;
    case RESULT_POINTER:
      g_task_return_pointer (task, g_steal_pointer (&result->pointer), result->pointer_free);
      break;
    default:
      g_assert_not_reached ();
    }
}

/* Returns @result on *@task's context and drops *@task; takes @result. */
static void
return_task (GTask      **task,
             TaskResult  *result)
{
  g_autoptr(GTask) t = g_steal_pointer (task);
  TetherWorker *worker = _tether_worker_get_current ();

  if (worker != NULL && g_task_get_context (t) == _tether_worker_get_owner_context (worker))
    {
      _tether_worker_post (worker, G_CALLBACK (return_result), t, result,
                           (GDestroyNotify) task_result_free);
      return;
    }
  return_result (t, result);
  task_result_free (result);
}

static TaskResult *
task_result_new (ResultKind kind)
{
  TaskResult *result = g_new0 (TaskResult, 1);

  result->kind = kind;
  return result;
}

void
_tether_task_return_error (GTask  **task,
                           GError  *error)
{
  TaskResult *result = task_result_new (RESULT_ERROR);

  result->error = error;
  return_task (task, result);
}

void
_tether_task_return_new_error (GTask      **task,
                               GQuark       domain,
                               int          code,
                               const char  *format,
                               ...)
{
  va_list args;
  GError *error;

  va_start (args, format);
  error = g_error_new_valist (domain, code, format, args);
  va_end (args);
  _tether_task_return_error (task, error);
}

void
_tether_task_return_boolean (GTask    **task,
                             gboolean   value)
{
  TaskResult *result = task_result_new (RESULT_BOOLEAN);

  result->value = value;
  return_task (task, result);
}

void
_tether_task_return_int (GTask  **task,
                         gssize   value)
{
  TaskResult *result = task_result_new (RESULT_INT);

  result->value = value;
  return_task (task, result);
}

void
_tether_task_return_pointer (GTask          **task,
                             gpointer         value,
                             GDestroyNotify   value_free)
{
  TaskResult *result = task_result_new (RESULT_POINTER);

  result->pointer = value;
  result->pointer_free = value_free;
  return_task (task, result);
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
static gsize
in_take (TetherChannelInQueue *q,
         void                 *buffer,
         gsize                 count)
{
  gsize done = 0;

  while (done < count && !g_queue_is_empty (&q->chunks))
    {
      GBytes *head = g_queue_peek_head (&q->chunks);
      gsize size;
      const guint8 *data = g_bytes_get_data (head, &size);
      gsize n = MIN (count - done, size - q->head_offset);

      memcpy ((guint8 *) buffer + done, data + q->head_offset, n);
      done += n;
      q->head_offset += n;
      if (q->head_offset == size)
        {
          g_bytes_unref (g_queue_pop_head (&q->chunks));
          q->head_offset = 0;
        }
    }
  q->queued -= done;
  return done;
}

/* The error readers and writers see once the channel is gone. */
static GError *
closed_error (TetherChannelShared *sh)
{
  if (sh->error != NULL)
    return g_error_copy (sh->error);
  return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CLOSED, _("The channel is closed."));
}

/* ------------------------------------------------------------------------- */
/* Input stream                                                              */

#define TETHER_TYPE_CHANNEL_INPUT_STREAM (tether_channel_input_stream_get_type ())
G_DECLARE_FINAL_TYPE (TetherChannelInputStream, tether_channel_input_stream,
                      TETHER, CHANNEL_INPUT_STREAM, GInputStream)

struct _TetherChannelInputStream
{
  GInputStream parent_instance;
  TetherChannelShared *shared;
  guint index;
};

G_DEFINE_FINAL_TYPE (TetherChannelInputStream, tether_channel_input_stream, G_TYPE_INPUT_STREAM)

static void
cancelled_wake (GCancellable *cancellable,
                gpointer      user_data)
{
  TetherChannelShared *sh = user_data;

  g_mutex_lock (&sh->lock);
  g_cond_broadcast (&sh->cond);
  g_mutex_unlock (&sh->lock);
}

static gssize
input_read (GInputStream  *stream,
            void          *buffer,
            gsize          count,
            GCancellable  *cancellable,
            GError       **error)
{
  TetherChannelInputStream *self = TETHER_CHANNEL_INPUT_STREAM (stream);
  TetherChannelShared *sh = self->shared;
  TetherChannelInQueue *q = &sh->in[self->index];
  gulong handler = 0;
  gssize result = -1;

  if (cancellable != NULL)
    handler = g_cancellable_connect (cancellable, G_CALLBACK (cancelled_wake), sh, NULL);

  g_mutex_lock (&sh->lock);
  for (;;)
    {
      if (q->queued > 0)
        {
          result = in_take (q, buffer, count);
          break;
        }
      if (q->eof || sh->state == TETHER_CHANNEL_STATE_CLOSED)
        {
          if (sh->error != NULL && !q->eof)
            g_propagate_error (error, g_error_copy (sh->error));
          else
            result = 0;
          break;
        }
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        break;
      g_cond_wait (&sh->cond, &sh->lock);
    }
  g_mutex_unlock (&sh->lock);

  if (handler != 0)
    g_cancellable_disconnect (cancellable, handler);
  if (result > 0)
    _tether_worker_wake (sh->worker);
  return result;
}

typedef struct
{
  TetherChannelShared *shared;
  guint index;
  GTask *task;
} ReadCancelData;

static gboolean
read_cancelled_cb (GCancellable *cancellable,
                   gpointer      user_data)
{
  ReadCancelData *data = user_data;
  TetherChannelInQueue *q = &data->shared->in[data->index];
  GTask *task = NULL;

  g_mutex_lock (&data->shared->lock);
  if (q->pending_read == data->task)
    {
      task = q->pending_read;
      q->pending_read = NULL;
      q->pending_buffer = NULL;
    }
  g_mutex_unlock (&data->shared->lock);

  if (task != NULL)
    {
      g_task_return_error_if_cancelled (task);
      g_object_unref (task);
    }
  return G_SOURCE_REMOVE;
}

static void
read_cancel_data_free (gpointer user_data)
{
  ReadCancelData *data = user_data;

  _tether_channel_shared_unref (data->shared);
  g_free (data);
}

static void
input_read_async (GInputStream        *stream,
                  void                *buffer,
                  gsize                count,
                  int                  io_priority,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data)
{
  TetherChannelInputStream *self = TETHER_CHANNEL_INPUT_STREAM (stream);
  TetherChannelShared *sh = self->shared;
  TetherChannelInQueue *q = &sh->in[self->index];
  g_autoptr(GTask) task = g_task_new (stream, cancellable, callback, user_data);
  GError *error = NULL;
  gssize n = -1;

  g_task_set_source_tag (task, input_read_async);
  g_task_set_name (task, "[tether] channel read");
  g_task_set_priority (task, io_priority);

  if (g_task_return_error_if_cancelled (task))
    return;

  g_mutex_lock (&sh->lock);
  if (q->queued > 0)
    n = in_take (q, buffer, count);
  else if (q->eof || sh->state == TETHER_CHANNEL_STATE_CLOSED)
    {
      if (sh->error != NULL && !q->eof)
        error = g_error_copy (sh->error);
      else
        n = 0;
    }
  else
    {
      g_assert (q->pending_read == NULL);
      q->pending_read = g_object_ref (task);
      q->pending_buffer = buffer;
      q->pending_count = count;
    }
  g_mutex_unlock (&sh->lock);

  if (error != NULL)
    g_task_return_error (task, error);
  else if (n >= 0)
    {
      if (n > 0)
        _tether_worker_wake (sh->worker);
      g_task_return_int (task, n);
    }
  else if (cancellable != NULL)
    {
      g_autoptr(GSource) source = g_cancellable_source_new (cancellable);
      ReadCancelData *data = g_new0 (ReadCancelData, 1);

      data->shared = _tether_channel_shared_ref (sh);
      data->index = self->index;
      data->task = task;
      g_task_attach_source (task, source, G_SOURCE_FUNC (read_cancelled_cb));
      g_source_set_callback (source, G_SOURCE_FUNC (read_cancelled_cb), data,
                             read_cancel_data_free);
    }
}

static gssize
input_read_finish (GInputStream  *stream,
                   GAsyncResult  *result,
                   GError       **error)
{
  return g_task_propagate_int (G_TASK (result), error);
}

static gboolean
input_close (GInputStream  *stream,
             GCancellable  *cancellable,
             GError       **error)
{
  /* Closing the reading side alone sends nothing: SSH has no half-close for input. */
  return TRUE;
}

static void
tether_channel_input_stream_finalize (GObject *object)
{
  TetherChannelInputStream *self = TETHER_CHANNEL_INPUT_STREAM (object);

  _tether_channel_shared_unref (self->shared);
  G_OBJECT_CLASS (tether_channel_input_stream_parent_class)->finalize (object);
}

static void
tether_channel_input_stream_class_init (TetherChannelInputStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GInputStreamClass *stream_class = G_INPUT_STREAM_CLASS (klass);

  object_class->finalize = tether_channel_input_stream_finalize;
  stream_class->read_fn = input_read;
  stream_class->read_async = input_read_async;
  stream_class->read_finish = input_read_finish;
  stream_class->close_fn = input_close;
}

static void
tether_channel_input_stream_init (TetherChannelInputStream *self)
{
}

static GInputStream *
input_stream_new (TetherChannelShared *shared,
                  guint                index)
{
  TetherChannelInputStream *self = g_object_new (TETHER_TYPE_CHANNEL_INPUT_STREAM, NULL);

  self->shared = _tether_channel_shared_ref (shared);
  self->index = index;
  return G_INPUT_STREAM (self);
}

/* ------------------------------------------------------------------------- */
/* Output stream                                                             */

#define TETHER_TYPE_CHANNEL_OUTPUT_STREAM (tether_channel_output_stream_get_type ())
G_DECLARE_FINAL_TYPE (TetherChannelOutputStream, tether_channel_output_stream,
                      TETHER, CHANNEL_OUTPUT_STREAM, GOutputStream)

struct _TetherChannelOutputStream
{
  GOutputStream parent_instance;
  TetherChannelShared *shared;
};

G_DEFINE_FINAL_TYPE (TetherChannelOutputStream, tether_channel_output_stream,
                     G_TYPE_OUTPUT_STREAM)

/* Queues as much of @buffer as fits; called with the lock held. */
static gsize
out_put (TetherChannelShared *sh,
         const void          *buffer,
         gsize                count)
{
  gsize n;

  if (sh->out_queued >= TETHER_CHANNEL_OUT_MAX)
    return 0;
  n = MIN (count, TETHER_CHANNEL_OUT_MAX - sh->out_queued);
  g_queue_push_tail (&sh->out, g_bytes_new (buffer, n));
  sh->out_queued += n;
  return n;
}

static gboolean
out_writable (TetherChannelShared *sh)
{
  return sh->state == TETHER_CHANNEL_STATE_OPEN && !sh->eof_requested && !sh->close_requested;
}

static gssize
output_write (GOutputStream  *stream,
              const void     *buffer,
              gsize           count,
              GCancellable   *cancellable,
              GError        **error)
{
  TetherChannelShared *sh = TETHER_CHANNEL_OUTPUT_STREAM (stream)->shared;
  gulong handler = 0;
  gssize result = -1;

  if (cancellable != NULL)
    handler = g_cancellable_connect (cancellable, G_CALLBACK (cancelled_wake), sh, NULL);

  g_mutex_lock (&sh->lock);
  for (;;)
    {
      if (!out_writable (sh))
        {
          g_propagate_error (error, closed_error (sh));
          break;
        }
      if (count == 0)
        {
          result = 0;
          break;
        }
      result = out_put (sh, buffer, count);
      if (result > 0)
        break;
      result = -1;
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        break;
      g_cond_wait (&sh->cond, &sh->lock);
    }
  g_mutex_unlock (&sh->lock);

  if (handler != 0)
    g_cancellable_disconnect (cancellable, handler);
  if (result > 0)
    _tether_worker_wake (sh->worker);
  return result;
}

typedef struct
{
  const void *buffer;
  gsize count;
} WriteData;

static void
output_write_async (GOutputStream       *stream,
                    const void          *buffer,
                    gsize                count,
                    int                  io_priority,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  TetherChannelShared *sh = TETHER_CHANNEL_OUTPUT_STREAM (stream)->shared;
  g_autoptr(GTask) task = g_task_new (stream, cancellable, callback, user_data);
  GError *error = NULL;
  gssize n = -1;

  g_task_set_source_tag (task, output_write_async);
  g_task_set_name (task, "[tether] channel write");
  g_task_set_priority (task, io_priority);

  g_mutex_lock (&sh->lock);
  if (!out_writable (sh))
    error = closed_error (sh);
  else if (count == 0)
    n = 0;
  else if ((n = out_put (sh, buffer, count)) == 0)
    {
      WriteData *data = g_new (WriteData, 1);

      data->buffer = buffer;
      data->count = count;
      g_task_set_task_data (task, data, g_free);
      g_queue_push_tail (&sh->pending_writes, g_object_ref (task));
      n = -1;
    }
  g_mutex_unlock (&sh->lock);

  if (error != NULL)
    g_task_return_error (task, error);
  else if (n >= 0)
    {
      if (n > 0)
        _tether_worker_wake (sh->worker);
      g_task_return_int (task, n);
    }
}

static gssize
output_write_finish (GOutputStream  *stream,
                     GAsyncResult   *result,
                     GError        **error)
{
  return g_task_propagate_int (G_TASK (result), error);
}

static gboolean
output_close (GOutputStream  *stream,
              GCancellable   *cancellable,
              GError        **error)
{
  TetherChannelShared *sh = TETHER_CHANNEL_OUTPUT_STREAM (stream)->shared;

  g_mutex_lock (&sh->lock);
  sh->eof_requested = TRUE;
  g_mutex_unlock (&sh->lock);
  _tether_worker_wake (sh->worker);
  /* EOF goes out after the queued bytes; the bytes are already accepted, so
   * closing does not wait for the network. */
  return TRUE;
}

static void
tether_channel_output_stream_finalize (GObject *object)
{
  TetherChannelOutputStream *self = TETHER_CHANNEL_OUTPUT_STREAM (object);

  _tether_channel_shared_unref (self->shared);
  G_OBJECT_CLASS (tether_channel_output_stream_parent_class)->finalize (object);
}

static void
tether_channel_output_stream_class_init (TetherChannelOutputStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GOutputStreamClass *stream_class = G_OUTPUT_STREAM_CLASS (klass);

  object_class->finalize = tether_channel_output_stream_finalize;
  stream_class->write_fn = output_write;
  stream_class->write_async = output_write_async;
  stream_class->write_finish = output_write_finish;
  stream_class->close_fn = output_close;
}

static void
tether_channel_output_stream_init (TetherChannelOutputStream *self)
{
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
  if (!done)
    {
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

  switch (prop_id)
    {
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
  priv->input = input_stream_new (sh, 0);
  priv->output = g_object_new (TETHER_TYPE_CHANNEL_OUTPUT_STREAM, NULL);
  TETHER_CHANNEL_OUTPUT_STREAM (priv->output)->shared = _tether_channel_shared_ref (sh);
}

TetherChannelShared *
_tether_channel_get_shared (TetherChannel *self)
{
  TetherChannelPrivate *priv = tether_channel_get_instance_private (self);

  return priv->shared;
}

GInputStream *_tether_channel_new_stderr_stream (TetherChannel *self);

GInputStream *
_tether_channel_new_stderr_stream (TetherChannel *self)
{
  TetherChannelPrivate *priv = tether_channel_get_instance_private (self);

  return input_stream_new (priv->shared, 1);
}

/* ------------------------------------------------------------------------- */
/* Worker side                                                               */

static void
emit_closed (TetherChannel *self,
             GError        *error)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  g_signal_emit (self, signals[SIGNAL_CLOSED], 0, error);
}

static void
emit_counters (TetherChannel *self,
               gpointer       data)
{
  guint changed = GPOINTER_TO_UINT (data);

  if (changed & TETHER_COUNTER_SENT)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BYTES_SENT]);
  if (changed & TETHER_COUNTER_RECEIVED)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BYTES_RECEIVED]);
  if (changed & TETHER_COUNTER_REMOTE_WINDOW)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REMOTE_WINDOW]);
  if (changed & TETHER_COUNTER_LOCAL_WINDOW)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOCAL_WINDOW]);
}

/* Posts notify for @changed counters and remembers what was notified. */
static void
post_counters (TetherChannel *self,
               guint          changed)
{
  TetherChannelShared *sh = _tether_channel_get_shared (self);

  sh->notified_sent = (guint64) g_atomic_pointer_get (&sh->bytes_sent);
  sh->notified_received = (guint64) g_atomic_pointer_get (&sh->bytes_received);
  sh->notified_remote_window = g_atomic_int_get (&sh->remote_window);
  if (changed != 0)
    _tether_worker_post (sh->worker, G_CALLBACK (emit_counters), self,
                         GUINT_TO_POINTER (changed), NULL);
}

gboolean
_tether_channel_post_counters (TetherChannel *self)
{
  TetherChannelShared *sh = _tether_channel_get_shared (self);
  guint changed = 0;

  if ((guint64) g_atomic_pointer_get (&sh->bytes_sent) != sh->notified_sent)
    changed |= TETHER_COUNTER_SENT;
  if ((guint64) g_atomic_pointer_get (&sh->bytes_received) != sh->notified_received)
    changed |= TETHER_COUNTER_RECEIVED;
  if ((guint) g_atomic_int_get (&sh->remote_window) != sh->notified_remote_window)
    changed |= TETHER_COUNTER_REMOTE_WINDOW;
  post_counters (self, changed);
  return changed != 0;
}

static void
emit_eof (TetherChannel *self,
          gpointer       data)
{
  g_signal_emit (self, signals[SIGNAL_EOF], 0);
}

static void
emit_request (TetherChannel *self,
              GPtrArray     *args)
{
  g_signal_emit (self, signals[SIGNAL_REQUEST], 0, g_ptr_array_index (args, 0),
                 g_ptr_array_index (args, 1));
}

static void
request_args_free (GPtrArray *args)
{
  g_free (g_ptr_array_index (args, 0));
  g_bytes_unref (g_ptr_array_index (args, 1));
  g_ptr_array_unref (args);
}

/* Posts ::request with a payload in SSH wire encoding; takes @payload. */
static void
post_request (TetherChannel *self,
              const char    *name,
              GBytes        *payload)
{
  TetherChannelShared *sh = _tether_channel_get_shared (self);
  GPtrArray *args = g_ptr_array_new ();

  g_ptr_array_add (args, g_strdup (name));
  g_ptr_array_add (args, payload);
  _tether_worker_post (sh->worker, G_CALLBACK (emit_request), self, args,
                       (GDestroyNotify) request_args_free);
}

static void
on_ssh_eof (ssh_session session,
            ssh_channel channel,
            void       *userdata)
{
  TetherChannelShared *sh = _tether_channel_get_shared (userdata);

  sh->remote_eof_seen = TRUE;
}

static void
on_ssh_close (ssh_session session,
              ssh_channel channel,
              void       *userdata)
{
  TetherChannelShared *sh = _tether_channel_get_shared (userdata);

  sh->remote_closed = TRUE;
}

static void
put_u32 (GByteArray *array,
         guint32     value)
{
  guint32 be = GUINT32_TO_BE (value);

  g_byte_array_append (array, (const guint8 *) &be, sizeof be);
}

static void
put_string (GByteArray *array,
            const char *value)
{
  gsize len = value ? strlen (value) : 0;

  put_u32 (array, len);
  g_byte_array_append (array, (const guint8 *) (value ? value : ""), len);
}

static void
on_ssh_exit_status (ssh_session session,
                    ssh_channel channel,
                    int         exit_status,
                    void       *userdata)
{
  TetherChannel *self = userdata;
  GByteArray *payload = g_byte_array_new ();

  put_u32 (payload, exit_status);
  post_request (self, "exit-status", g_byte_array_free_to_bytes (payload));
  if (TETHER_IS_SESSION_CHANNEL (self))
    _tether_session_channel_set_exit_status (TETHER_SESSION_CHANNEL (self), exit_status);
}

static void
on_ssh_exit_signal (ssh_session  session,
                    ssh_channel  channel,
                    const char  *signal_name,
                    int          core,
                    const char  *errmsg,
                    const char  *lang,
                    void        *userdata)
{
  TetherChannel *self = userdata;
  GByteArray *payload = g_byte_array_new ();
  guint8 core_byte = core ? 1 : 0;

  put_string (payload, signal_name);
  g_byte_array_append (payload, &core_byte, 1);
  put_string (payload, errmsg);
  put_string (payload, lang);
  post_request (self, "exit-signal", g_byte_array_free_to_bytes (payload));
  if (TETHER_IS_SESSION_CHANNEL (self))
    _tether_session_channel_set_exit_signal (TETHER_SESSION_CHANNEL (self), signal_name,
                                             core != 0, errmsg);
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

void
_tether_channel_attach_ssh (TetherChannel *self,
                            ssh_channel    ssh)
{
  TetherChannelPrivate *priv = tether_channel_get_instance_private (self);
  TetherChannelShared *sh = priv->shared;

  sh->ssh = ssh;
  sh->callbacks.userdata = self;
  sh->callbacks.channel_eof_function = on_ssh_eof;
  sh->callbacks.channel_close_function = on_ssh_close;
  sh->callbacks.channel_exit_status_function = on_ssh_exit_status;
  sh->callbacks.channel_exit_signal_function = on_ssh_exit_signal;
  ssh_callbacks_init (&sh->callbacks);
  ssh_set_channel_callbacks (ssh, &sh->callbacks);
  g_atomic_int_set (&sh->remote_window, ssh_channel_window_size (ssh));
}

static gboolean
connection_lost (ssh_channel channel)
{
  ssh_session session = ssh_channel_get_session (channel);

  return !ssh_is_connected (session) ||
         (ssh_get_status (session) & (SSH_CLOSED | SSH_CLOSED_ERROR)) != 0;
}

/* Runs the channel's requests one at a time, as libssh allows. */
static void
step_ops (TetherChannel *self)
{
  TetherChannelShared *sh = _tether_channel_get_shared (self);

  for (;;)
    {
      TetherChannelOp *op;
      const char *what = NULL;
      int rc = SSH_ERROR;

      /* Nothing new goes out on a channel either side closed (RFC 4254 5.3); what is
       * queued fails when the channel finishes. */
      if (sh->current_op == NULL && !sh->close_sent && !sh->remote_closed)
        sh->current_op = g_queue_pop_head (&sh->ops);
      op = sh->current_op;
      if (op == NULL)
        return;

      switch (op->kind)
        {
        case TETHER_CHANNEL_OP_PTY:
          what = _("terminal (pty)");
          rc = ssh_channel_request_pty_size (sh->ssh, op->s1, op->n1, op->n2);
          break;
        case TETHER_CHANNEL_OP_ENV:
          what = _("environment variable");
          rc = ssh_channel_request_env (sh->ssh, op->s1, op->s2);
          break;
        case TETHER_CHANNEL_OP_SHELL:
          what = _("shell");
          rc = ssh_channel_request_shell (sh->ssh);
          break;
        case TETHER_CHANNEL_OP_EXEC:
          what = _("command");
          rc = ssh_channel_request_exec (sh->ssh, op->s1);
          break;
        case TETHER_CHANNEL_OP_SUBSYSTEM:
          what = _("subsystem");
          rc = ssh_channel_request_subsystem (sh->ssh, op->s1);
          break;
        case TETHER_CHANNEL_OP_WINDOW_CHANGE:
          what = _("window size");
          rc = ssh_channel_change_pty_size (sh->ssh, op->n1, op->n2);
          break;
        case TETHER_CHANNEL_OP_SIGNAL:
          what = _("signal");
          rc = ssh_channel_request_send_signal (sh->ssh, op->s1);
          break;
        case TETHER_CHANNEL_OP_BREAK:
          what = _("break");
          rc = ssh_channel_request_send_break (sh->ssh, op->n1);
          break;
        case TETHER_CHANNEL_OP_AUTH_AGENT:
          what = _("agent forwarding");
          rc = ssh_channel_request_auth_agent (sh->ssh);
          break;
        default:
          g_assert_not_reached ();
        }

      /* Sent without want_reply: the caller is done; libssh still reads the answer, which
       * may even come within this call. */
      if (op->no_reply && op->task != NULL &&
          (rc != SSH_ERROR ||
           ssh_get_error_code (ssh_channel_get_session (sh->ssh)) == SSH_REQUEST_DENIED))
        _tether_task_return_boolean (&op->task, TRUE);
      if (rc == SSH_AGAIN)
        return;
      /* Not a refusal: the connection died. worker_teardown () fails the request with
       * the connection's reason. */
      if (rc != SSH_OK && connection_lost (sh->ssh))
        return;

      if (op->task != NULL)
        {
          if (rc == SSH_OK)
            _tether_task_return_boolean (&op->task, TRUE);
          else if (op->kind == TETHER_CHANNEL_OP_ENV)
            _tether_task_return_new_error (&op->task, TETHER_ERROR, TETHER_ERROR_REQUEST_DENIED,
                                     _("The server refused to set %s (sshd accepts only the "
                                     "variables listed in its AcceptEnv)."), op->s1);
          else if (op->kind == TETHER_CHANNEL_OP_SUBSYSTEM)
            _tether_task_return_new_error (&op->task, TETHER_ERROR, TETHER_ERROR_REQUEST_DENIED,
                                     _("The server does not offer the “%s” subsystem."), op->s1);
          else
            _tether_task_return_new_error (&op->task, TETHER_ERROR, TETHER_ERROR_REQUEST_DENIED,
                                     _("The server refused the %s request."), what);
        }
      g_clear_pointer (&sh->current_op, _tether_channel_op_free);
    }
}

/* Hands queued bytes to a waiting reader; called with the lock held.
 * Returns the task to complete once the lock is released. */
static GTask *
feed_pending_read (TetherChannelInQueue *q,
                   gssize               *out_n)
{
  GTask *task = q->pending_read;

  if (task == NULL)
    return NULL;
  if (q->queued > 0)
    *out_n = in_take (q, q->pending_buffer, q->pending_count);
  else if (q->eof)
    *out_n = 0;
  else
    return NULL;
  q->pending_read = NULL;
  q->pending_buffer = NULL;
  return task;
}

static void
pump_in (TetherChannel *self,
         guint          index,
         guint8        *scratch)
{
  TetherChannelShared *sh = _tether_channel_get_shared (self);
  TetherChannelInQueue *q = &sh->in[index];

  for (;;)
    {
      gsize space;
      int avail;
      int n;
      GTask *task;
      gssize task_n = 0;

      g_mutex_lock (&sh->lock);
      space = q->queued < TETHER_CHANNEL_IN_MAX ? TETHER_CHANNEL_IN_MAX - q->queued : 0;
      g_mutex_unlock (&sh->lock);
      if (space == 0)
        return;

      avail = ssh_channel_poll (sh->ssh, index);
      if (avail == SSH_EOF || (avail == 0 && sh->remote_eof_seen))
        {
          gboolean first;

          g_mutex_lock (&sh->lock);
          first = !q->eof;
          q->eof = TRUE;
          task = feed_pending_read (q, &task_n);
          g_cond_broadcast (&sh->cond);
          g_mutex_unlock (&sh->lock);
          if (task != NULL)
            _tether_task_return_int (&task, task_n);
          if (first && index == 0)
            _tether_worker_post (sh->worker, G_CALLBACK (emit_eof), self, NULL, NULL);
          return;
        }
      if (avail <= 0)
        return;

      /* Asking for up to the free room also grows the window to it. */
      n = ssh_channel_read_timeout (sh->ssh, scratch, MIN (space, TETHER_CHANNEL_READ_CHUNK),
                                    index, 0);
      if (n <= 0)
        return;

      g_atomic_pointer_add (&sh->bytes_received, n);
      g_mutex_lock (&sh->lock);
      g_queue_push_tail (&q->chunks, g_bytes_new (scratch, n));
      q->queued += n;
      task = feed_pending_read (q, &task_n);
      g_cond_broadcast (&sh->cond);
      g_mutex_unlock (&sh->lock);
      if (task != NULL)
        _tether_task_return_int (&task, task_n);
    }
}

/* Moves waiting writers' bytes into the queue; called with the lock held. */
static void
feed_pending_writes (TetherChannelShared *sh,
                     GQueue              *done)
{
  while (!g_queue_is_empty (&sh->pending_writes) && sh->out_queued < TETHER_CHANNEL_OUT_MAX)
    {
      GTask *task = g_queue_pop_head (&sh->pending_writes);
      WriteData *data = g_task_get_task_data (task);
      gsize n = out_put (sh, data->buffer, data->count);

      g_task_set_task_data (task, GSIZE_TO_POINTER (n), NULL);
      g_queue_push_tail (done, task);
    }
}

/* Our CLOSE is out: nobody reads what the peer still sends. Drop what is queued and end the
 * streams, so that the channel finishes when the peer's CLOSE comes whatever was unread. */
static void
drop_inbound (TetherChannelShared *sh)
{
  GTask *tasks[G_N_ELEMENTS (sh->in)] = { NULL, };
  gssize task_n[G_N_ELEMENTS (sh->in)] = { 0, };

  g_mutex_lock (&sh->lock);
  for (guint i = 0; i < G_N_ELEMENTS (sh->in); i++)
    {
      TetherChannelInQueue *q = &sh->in[i];

      g_queue_clear_full (&q->chunks, (GDestroyNotify) g_bytes_unref);
      q->head_offset = 0;
      q->queued = 0;
      q->eof = TRUE;
      tasks[i] = feed_pending_read (q, &task_n[i]);
    }
  g_cond_broadcast (&sh->cond);
  g_mutex_unlock (&sh->lock);
  g_atomic_pointer_set (&sh->queued_bytes, 0);

  for (guint i = 0; i < G_N_ELEMENTS (tasks); i++)
    if (tasks[i] != NULL)
      _tether_task_return_int (&tasks[i], task_n[i]);
}

static void
pump_out (TetherChannel *self)
{
  TetherChannelShared *sh = _tether_channel_get_shared (self);
  GQueue done = G_QUEUE_INIT;
  gboolean send_eof = FALSE;
  gboolean send_close = FALSE;

  for (;;)
    {
      GBytes *head;
      gsize size;
      const guint8 *data;
      guint32 window;
      int n;

      g_mutex_lock (&sh->lock);
      head = g_queue_peek_head (&sh->out);
      if (head != NULL)
        g_bytes_ref (head);
      g_mutex_unlock (&sh->lock);
      if (head == NULL)
        break;

      data = g_bytes_get_data (head, &size);
      window = ssh_channel_window_size (sh->ssh);
      n = 0;
      if (window > 0)
        n = ssh_channel_write (sh->ssh, data + sh->out_offset,
                               MIN (size - sh->out_offset, window));
      g_bytes_unref (head);
      if (n <= 0)
        break;

      g_atomic_pointer_add (&sh->bytes_sent, n);
      g_mutex_lock (&sh->lock);
      sh->out_offset += n;
      sh->out_queued -= n;
      if (sh->out_offset == size)
        {
          g_bytes_unref (g_queue_pop_head (&sh->out));
          sh->out_offset = 0;
        }
      feed_pending_writes (sh, &done);
      g_cond_broadcast (&sh->cond);
      g_mutex_unlock (&sh->lock);
    }

  g_mutex_lock (&sh->lock);
  if (g_queue_is_empty (&sh->out))
    {
      send_eof = (sh->eof_requested || sh->close_requested) && !sh->eof_sent;
      send_close = sh->close_requested && !sh->close_sent;
    }
  g_mutex_unlock (&sh->lock);

  while (!g_queue_is_empty (&done))
    {
      GTask *task = g_queue_pop_head (&done);

      _tether_task_return_int (&task, GPOINTER_TO_SIZE (g_task_get_task_data (task)));
    }

  if (send_eof && !sh->remote_closed)
    ssh_channel_send_eof (sh->ssh);
  sh->eof_sent |= send_eof;
  if (send_close)
    {
      if (!sh->remote_closed)
        ssh_channel_close (sh->ssh);
      sh->close_sent = TRUE;
      sh->close_deadline = g_get_monotonic_time () +
                           TETHER_CHANNEL_CLOSE_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND;
      g_mutex_lock (&sh->lock);
      sh->state = TETHER_CHANNEL_STATE_CLOSING;
      g_mutex_unlock (&sh->lock);
      drop_inbound (sh);
    }
}

void
_tether_channel_pump (TetherChannel *self,
                      guint8        *scratch)
{
  TetherChannelShared *sh = _tether_channel_get_shared (self);
  guint64 queued;

  if (sh->ssh == NULL)
    return;

  step_ops (self);
  if (!sh->close_sent)
    {
      pump_in (self, 0, scratch);
      pump_in (self, 1, scratch);
    }
  pump_out (self);

  g_mutex_lock (&sh->lock);
  queued = sh->in[0].queued + sh->in[1].queued;
  g_mutex_unlock (&sh->lock);
  if (sh->ssh != NULL && !sh->remote_closed && !sh->close_sent)
    {
      int buffered0 = ssh_channel_poll (sh->ssh, 0);
      int buffered1 = ssh_channel_poll (sh->ssh, 1);

      queued += MAX (buffered0, 0) + MAX (buffered1, 0);
    }
  g_atomic_pointer_set (&sh->queued_bytes, queued);
  g_atomic_int_set (&sh->remote_window, ssh_channel_window_size (sh->ssh));
}

gboolean
_tether_channel_is_done (TetherChannel *self)
{
  TetherChannelShared *sh = _tether_channel_get_shared (self);
  gboolean done;

  if (sh->ssh == NULL)
    return TRUE;
  /* Only a CLOSE, the peer's or ours, ends a channel cleanly. ssh_channel_is_closed () is
   * also true once the connection died: then worker_teardown () fails the channel with the
   * reason, and a reader sees an error rather than a clean (truncated) end. */
  if (!sh->remote_closed && !sh->close_sent)
    return FALSE;
  /* We closed: what libssh still buffers is dropped (after our CLOSE it reads no more of
   * the channel while ssh_channel_poll () still reports those bytes, so waiting for them
   * never ends). Finish on the peer's CLOSE, or give up waiting for it. */
  if (sh->close_sent)
    {
      done = sh->remote_closed || g_get_monotonic_time () >= sh->close_deadline;
      if (!done)
        _tether_worker_wake_at (sh->worker, sh->close_deadline);
    }
  else
    {
      /* The peer closed: finish once everything it sent is in our queues. */
      done = ssh_channel_poll (sh->ssh, 0) <= 0 && ssh_channel_poll (sh->ssh, 1) <= 0;
    }
  /* Polling reads packets: a request's reply may have come in with the peer's EOF and
   * CLOSE. Record it before the channel finishes, or an accepted request would fail. */
  if (done)
    step_ops (self);
  return done;
}

void
_tether_channel_finish (TetherChannel *self,
                        const GError  *error)
{
  TetherChannelShared *sh = _tether_channel_get_shared (self);
  GQueue writes = G_QUEUE_INIT;
  GQueue closes = G_QUEUE_INIT;
  GTask *reads[2] = { NULL, NULL };
  gssize read_n[2] = { 0, 0 };
  gboolean eof_unsignalled;

  if (sh->ssh != NULL)
    {
      ssh_remove_channel_callbacks (sh->ssh, &sh->callbacks);
      ssh_channel_free (sh->ssh);
      sh->ssh = NULL;
    }
  g_queue_clear_full (&sh->ops, (GDestroyNotify) _tether_channel_op_free);
  g_clear_pointer (&sh->current_op, _tether_channel_op_free);

  g_mutex_lock (&sh->lock);
  if (sh->state == TETHER_CHANNEL_STATE_CLOSED)
    {
      g_mutex_unlock (&sh->lock);
      return;
    }
  sh->state = TETHER_CHANNEL_STATE_CLOSED;
  if (error != NULL)
    sh->error = g_error_copy (error);
  /* The peer's EOF and CLOSE can be read together, by a poll that only checks for data. */
  eof_unsignalled = error == NULL && sh->remote_eof_seen && !sh->in[0].eof;
  for (guint i = 0; i < G_N_ELEMENTS (sh->in); i++)
    {
      TetherChannelInQueue *q = &sh->in[i];

      /* A clean close ends the stream; a broken connection fails it. */
      if (error == NULL)
        q->eof = TRUE;
      reads[i] = feed_pending_read (q, &read_n[i]);
      if (reads[i] == NULL && q->pending_read != NULL)
        {
          reads[i] = q->pending_read;
          read_n[i] = -1;
          q->pending_read = NULL;
          q->pending_buffer = NULL;
        }
    }
  while (!g_queue_is_empty (&sh->pending_writes))
    g_queue_push_tail (&writes, g_queue_pop_head (&sh->pending_writes));
  while (!g_queue_is_empty (&sh->close_tasks))
    g_queue_push_tail (&closes, g_queue_pop_head (&sh->close_tasks));
  g_cond_broadcast (&sh->cond);
  g_mutex_unlock (&sh->lock);

  for (guint i = 0; i < G_N_ELEMENTS (reads); i++)
    {
      if (reads[i] == NULL)
        continue;
      if (read_n[i] >= 0)
        _tether_task_return_int (&reads[i], read_n[i]);
      else
        _tether_task_return_error (&reads[i], closed_error (sh));
    }
  while (!g_queue_is_empty (&writes))
    {
      GTask *task = g_queue_pop_head (&writes);

      _tether_task_return_error (&task, closed_error (sh));
    }
  while (!g_queue_is_empty (&closes))
    {
      GTask *task = g_queue_pop_head (&closes);

      _tether_task_return_boolean (&task, TRUE);
    }

  if (eof_unsignalled)
    _tether_worker_post (sh->worker, G_CALLBACK (emit_eof), self, NULL, NULL);
  /* The counters' final values come before ::closed. */
  post_counters (self, TETHER_COUNTER_SENT | TETHER_COUNTER_RECEIVED |
                       TETHER_COUNTER_REMOTE_WINDOW | TETHER_COUNTER_LOCAL_WINDOW);
  _tether_worker_post (sh->worker, G_CALLBACK (emit_closed), self,
                       error ? g_error_copy (error) : NULL,
                       error ? (GDestroyNotify) g_error_free : NULL);
}

/* ------------------------------------------------------------------------- */
/* Public API                                                                */

/**
 * tether_channel_get_connection:
 * @self: a #TetherChannel
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

/* Reads one SSH uint32 from @payload at *@offset. */
static gboolean
get_uint32 (GBytes *payload,
            gsize  *offset,
            guint  *value)
{
  gsize size;
  const guint8 *data = payload ? g_bytes_get_data (payload, &size) : NULL;
  guint32 be;

  if (data == NULL || size - *offset < 4)
    return FALSE;
  memcpy (&be, data + *offset, 4);
  *offset += 4;
  *value = GUINT32_FROM_BE (be);
  return TRUE;
}

/* Reads one SSH string from @data at *@offset. */
static char *
get_string (GBytes *payload,
            gsize  *offset)
{
  gsize size;
  const guint8 *data = payload ? g_bytes_get_data (payload, &size) : NULL;
  guint32 len;

  if (data == NULL || size - *offset < 4)
    return NULL;
  memcpy (&len, data + *offset, 4);
  len = GUINT32_FROM_BE (len);
  if (size - *offset - 4 < len)
    return NULL;
  *offset += 4 + len;
  return g_strndup ((const char *) data + *offset - len, len);
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
  else if (g_str_equal (name, "signal") && want_reply)
    {
      _tether_channel_op_free (op);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               _("libssh sends the channel request “%s” without asking for a "
                               "reply: send it with want_reply FALSE."), name);
      return;
    }
  else if (g_str_equal (name, "exec") || g_str_equal (name, "subsystem") ||
           g_str_equal (name, "signal"))
    {
      op->kind = g_str_equal (name, "exec") ? TETHER_CHANNEL_OP_EXEC :
                 g_str_equal (name, "signal") ? TETHER_CHANNEL_OP_SIGNAL :
                 TETHER_CHANNEL_OP_SUBSYSTEM;
      op->s1 = get_string (payload, &offset);
    }
  else if (g_str_equal (name, "env"))
    {
      op->kind = TETHER_CHANNEL_OP_ENV;
      op->s1 = get_string (payload, &offset);
      op->s2 = get_string (payload, &offset);
    }
  else if (g_str_equal (name, "pty-req") || g_str_equal (name, "window-change") ||
           g_str_equal (name, "break") || g_str_equal (name, "auth-agent-req@openssh.com"))
    {
      gboolean ok = TRUE;

      if (g_str_equal (name, "pty-req"))
        {
          op->kind = TETHER_CHANNEL_OP_PTY;
          op->s1 = get_string (payload, &offset);
          ok = op->s1 != NULL;
        }
      else if (g_str_equal (name, "window-change"))
        op->kind = TETHER_CHANNEL_OP_WINDOW_CHANGE;
      else if (g_str_equal (name, "break"))
        op->kind = TETHER_CHANNEL_OP_BREAK;
      else
        op->kind = TETHER_CHANNEL_OP_AUTH_AGENT;
      if (op->kind != TETHER_CHANNEL_OP_AUTH_AGENT)
        ok = ok && get_uint32 (payload, &offset, &op->n1);
      if (op->kind == TETHER_CHANNEL_OP_PTY || op->kind == TETHER_CHANNEL_OP_WINDOW_CHANGE)
        ok = ok && get_uint32 (payload, &offset, &op->n2);
      if (!ok)
        {
          _tether_channel_op_free (op);
          g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                                   _("The payload of the “%s” request is malformed."), name);
          return;
        }
      if (want_reply && op->kind != TETHER_CHANNEL_OP_PTY)
        {
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
    }
  else
    {
      _tether_channel_op_free (op);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               _("Tether cannot send the channel request “%s”."), name);
      return;
    }

  if ((op->kind != TETHER_CHANNEL_OP_SHELL && op->s1 == NULL) ||
      (op->kind == TETHER_CHANNEL_OP_ENV && op->s2 == NULL))
    {
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
