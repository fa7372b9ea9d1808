/* tether-channel-streams.c: the channel's two inner streams: the input stream
 * (stdout, or stderr) and the output stream, over the bounded queues of
 * TetherChannelShared.
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

/* One try of a blocking read or write, with the lock held: TRUE when it is
 * settled, with *@result (bytes, 0 at the end, or -1 with @error set). */
typedef gboolean (*TryFunc) (TetherChannelShared  *sh,
                             gpointer              data,
                             gssize               *result,
                             GError              **error);

/* Runs @try until it settles or @cancellable fires, waiting for the worker
 * in between; wakes the worker when bytes moved. */
static gssize
run_blocking (TetherChannelShared  *sh,
              TryFunc               try,
              gpointer              data,
              GCancellable         *cancellable,
              GError              **error)
{
  gulong handler = 0;
  gssize result = -1;

  if (cancellable != NULL)
    handler = g_cancellable_connect (cancellable, G_CALLBACK (cancelled_wake), sh, NULL);

  g_mutex_lock (&sh->lock);
  while (!try (sh, data, &result, error)) {
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

/* Returns what an async read or write settled with at once; FALSE when it waits. */
static gboolean
return_settled (GTask               *task,
                TetherChannelShared *sh,
                gssize               result,
                GError              *error)
{
  if (error != NULL) {
    g_task_return_error (task, error);
    return TRUE;
  }
  if (result < 0)
    return FALSE;
  if (result > 0)
    _tether_worker_wake (sh->worker);
  g_task_return_int (task, result);
  return TRUE;
}

typedef struct
{
  TetherChannelInQueue *queue;
  void *buffer;
  gsize count;
} ReadArgs;

static gboolean
try_read (TetherChannelShared  *sh,
          gpointer              data,
          gssize               *result,
          GError              **error)
{
  ReadArgs *args = data;
  TetherChannelInQueue *q = args->queue;

  if (q->queued > 0) {
    *result = _tether_channel_in_take (q, args->buffer, args->count);
    return TRUE;
  }
  if (q->eof || sh->state == TETHER_CHANNEL_STATE_CLOSED) {
    if (sh->error != NULL && !q->eof) {
      g_propagate_error (error, g_error_copy (sh->error));
      *result = -1;
    } else {
      *result = 0;
    }
    return TRUE;
  }
  return FALSE;
}

static gssize
input_read (GInputStream  *stream,
            void          *buffer,
            gsize          count,
            GCancellable  *cancellable,
            GError       **error)
{
  TetherChannelInputStream *self = TETHER_CHANNEL_INPUT_STREAM (stream);
  ReadArgs args = { &self->shared->in[self->index], buffer, count };

  return run_blocking (self->shared, try_read, &args, cancellable, error);
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
  if (q->pending_read == data->task) {
    task = q->pending_read;
    q->pending_read = NULL;
    q->pending_buffer = NULL;
  }
  g_mutex_unlock (&data->shared->lock);

  if (task != NULL) {
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
destroy_source (gpointer source)
{
  g_source_destroy (source);
  g_source_unref (source);
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
  ReadArgs args = { q, buffer, count };
  GError *error = NULL;
  gssize n = -1;

  g_task_set_source_tag (task, input_read_async);
  g_task_set_name (task, "[tether] channel read");
  g_task_set_priority (task, io_priority);

  if (g_task_return_error_if_cancelled (task))
    return;

  g_mutex_lock (&sh->lock);
  if (!try_read (sh, &args, &n, &error)) {
    g_assert (q->pending_read == NULL);
    q->pending_read = g_object_ref (task);
    q->pending_buffer = buffer;
    q->pending_count = count;
  }
  g_mutex_unlock (&sh->lock);

  if (!return_settled (task, sh, n, error) && cancellable != NULL) {
    g_autoptr(GSource) source = g_cancellable_source_new (cancellable);
    ReadCancelData *data = g_new0 (ReadCancelData, 1);

    data->shared = _tether_channel_shared_ref (sh);
    data->index = self->index;
    data->task = task;
    g_task_attach_source (task, source, G_SOURCE_FUNC (read_cancelled_cb));
    g_source_set_callback (source, G_SOURCE_FUNC (read_cancelled_cb), data,
                           read_cancel_data_free);
    /* The source goes with the read: left attached, each read added one more source for
     * the context to poll (a 1 GiB SFTP download spent ~10% of its thread there). */
    g_object_set_data_full (G_OBJECT (task), "tether-cancel-source", g_source_ref (source),
                            destroy_source);
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

GInputStream *
_tether_channel_input_stream_new (TetherChannelShared *shared,
                                  guint                index)
{
  TetherChannelInputStream *self = g_object_new (TETHER_TYPE_CHANNEL_INPUT_STREAM, NULL);

  self->shared = _tether_channel_shared_ref (shared);
  self->index = index;
  return G_INPUT_STREAM (self);
}

/* ------------------------------------------------------------------------- */
/* Output stream                                                             */

G_DEFINE_FINAL_TYPE (TetherChannelOutputStream, tether_channel_output_stream,
                     G_TYPE_OUTPUT_STREAM)

/* Queues as much of @buffer as fits; called with the lock held. */
gsize
_tether_channel_out_put (TetherChannelShared *sh,
                         const void          *buffer,
                         gsize                count)
{
  gsize n;

  if (sh->out_queued >= TETHER_CHANNEL_OUT_MAX)
    return 0;
  n = MIN (count, TETHER_CHANNEL_OUT_MAX - sh->out_queued);
  g_queue_push_tail (&sh->out, g_bytes_new (buffer, n));
  sh->out_queued += n;
  sh->out_total += n;
  return n;
}

static gboolean
out_writable (TetherChannelShared *sh)
{
  return sh->state == TETHER_CHANNEL_STATE_OPEN && !sh->eof_requested && !sh->close_requested;
}

/* Queues what fits; not settled (waits for room) only when nothing fit. */
static gboolean
try_write (TetherChannelShared  *sh,
           gpointer              data,
           gssize               *result,
           GError              **error)
{
  WriteData *args = data;

  if (!out_writable (sh)) {
    g_propagate_error (error, _tether_channel_closed_error (sh));
    *result = -1;
    return TRUE;
  }
  if (args->count == 0) {
    *result = 0;
    return TRUE;
  }
  *result = _tether_channel_out_put (sh, args->buffer, args->count);
  return *result > 0;
}

static gssize
output_write (GOutputStream  *stream,
              const void     *buffer,
              gsize           count,
              GCancellable   *cancellable,
              GError        **error)
{
  TetherChannelShared *sh = TETHER_CHANNEL_OUTPUT_STREAM (stream)->shared;
  WriteData args = { buffer, count };

  return run_blocking (sh, try_write, &args, cancellable, error);
}

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
  WriteData args = { buffer, count };
  GError *error = NULL;
  gssize n = -1;

  g_task_set_source_tag (task, output_write_async);
  g_task_set_name (task, "[tether] channel write");
  g_task_set_priority (task, io_priority);

  g_mutex_lock (&sh->lock);
  if (!try_write (sh, &args, &n, &error)) {
    WriteData *data = g_new (WriteData, 1);

    data->buffer = buffer;
    data->count = count;
    g_task_set_task_data (task, data, g_free);
    g_queue_push_tail (&sh->pending_writes, g_object_ref (task));
    n = -1;
  }
  g_mutex_unlock (&sh->lock);

  return_settled (task, sh, n, error);
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
