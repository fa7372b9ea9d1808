/* tether-shell-read.c: TetherShell's output, read from its channel and handed out through
 * TetherShell::data, or held (bounded) while the consumer has paused it: a full hold stops
 * the reads, so the channel's window closes and the sender slows. */
#include "config.h"

#include "tether-shell-private.h"

/* One read of the shell's output; a screenful of a fast command in one go. */
#define TETHER_SHELL_READ_SIZE (64 * 1024)

typedef struct
{
  GWeakRef shell;
  TetherSessionChannel *channel;
} ReadData;

static void
read_data_free (ReadData *data)
{
  g_weak_ref_clear (&data->shell);
  g_object_unref (data->channel);
  g_free (data);
}

static void read_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data);

static void
set_pending_bytes (TetherShell *self,
                   gsize        n)
{
  if (self->pending_bytes == n)
    return;
  self->pending_bytes = n;
  _tether_shell_notify_pending_bytes (self);
}

void
_tether_shell_clear_pending (TetherShell *self)
{
  g_queue_clear_full (&self->pending, (GDestroyNotify) g_bytes_unref);
  set_pending_bytes (self, 0);
  g_clear_pointer ((ReadData **) &self->parked_read, read_data_free);
}

/* Reads the next chunk, no larger than the room left in the pending queue, so that what was
 * read and not handed out never exceeds max_pending; with no room, the reader parks until
 * the consumer takes some. */
static void
read_next (TetherShell *self,
           ReadData    *data)
{
  gsize room = self->max_pending > self->pending_bytes
               ? self->max_pending - self->pending_bytes : 0;

  if (room == 0) {
    g_assert (self->parked_read == NULL);
    self->parked_read = data;
    return;
  }
  g_input_stream_read_bytes_async (g_io_stream_get_input_stream (G_IO_STREAM (data->channel)),
                                   MIN (room, TETHER_SHELL_READ_SIZE), G_PRIORITY_DEFAULT,
                                   NULL, read_cb, data);
}

/* Hands out the pending output in order while delivery is not paused; a handler may pause it
 * between two chunks. */
static void
deliver_pending (TetherShell *self)
{
  ReadData *parked;

  if (self->delivering)
    return;
  g_object_ref (self);
  self->delivering = TRUE;
  while (!self->paused && !g_queue_is_empty (&self->pending) &&
         self->state != TETHER_SHELL_STATE_CLOSED) {
    g_autoptr(GBytes) bytes = g_queue_pop_head (&self->pending);

    set_pending_bytes (self, self->pending_bytes - g_bytes_get_size (bytes));
    _tether_shell_emit_data (self, bytes);
  }
  self->delivering = FALSE;

  parked = self->parked_read;
  if (parked != NULL && self->pending_bytes < self->max_pending &&
      self->state != TETHER_SHELL_STATE_CLOSED) {
    self->parked_read = NULL;
    read_next (self, parked);
  }
  g_object_unref (self);
}

static void
read_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  ReadData *data = user_data;
  g_autoptr(TetherShell) self = g_weak_ref_get (&data->shell);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result,
                                                              &error);

  if (self == NULL || bytes == NULL || g_bytes_get_size (bytes) == 0 ||
      self->state == TETHER_SHELL_STATE_CLOSED) {
    /* End of output, or the channel is gone: its closed handler says why. */
    read_data_free (data);
    return;
  }

  if (!self->paused && !self->delivering && g_queue_is_empty (&self->pending)) {
    /* The consumer keeps up: straight through, without queueing. */
    _tether_shell_emit_data (self, bytes);
  } else {
    g_queue_push_tail (&self->pending, g_steal_pointer (&bytes));
    set_pending_bytes (self, self->pending_bytes +
                             g_bytes_get_size (g_queue_peek_tail (&self->pending)));
    deliver_pending (self);
  }
  if (self->state == TETHER_SHELL_STATE_CLOSED) {
    read_data_free (data);
    return;
  }
  read_next (self, data);
}

/* Reads the channel's output to its end, even past the shell's exit, so that the last
 * lines a command printed arrive. */
void
_tether_shell_start_reader (TetherShell *self)
{
  ReadData *data = g_new0 (ReadData, 1);

  /* What the previous channel still had is from a shell that is gone. */
  g_clear_pointer ((ReadData **) &self->parked_read, read_data_free);
  g_weak_ref_init (&data->shell, self);
  data->channel = g_object_ref (self->channel);
  read_next (self, data);
}

/**
 * tether_shell_set_paused:
 * @self: a #TetherShell
 * @paused: whether to pause handing out output
 *
 * Pauses or resumes #TetherShell::data (see #TetherShell:paused). Resuming
 * hands out what was held at once, in order, unless a handler pauses again.
 */
void
tether_shell_set_paused (TetherShell *self,
                         gboolean     paused)
{
  g_return_if_fail (TETHER_IS_SHELL (self));

  paused = !!paused;
  if (self->paused == paused)
    return;
  self->paused = paused;
  _tether_shell_notify_paused (self);
  if (!paused)
    deliver_pending (self);
}

/**
 * tether_shell_get_paused:
 * @self: a #TetherShell
 *
 * Gets whether handing out output is paused.
 *
 * Returns: whether handing out output is paused
 */
gboolean
tether_shell_get_paused (TetherShell *self)
{
  g_return_val_if_fail (TETHER_IS_SHELL (self), FALSE);
  return self->paused;
}

/**
 * tether_shell_get_pending_bytes:
 * @self: a #TetherShell
 *
 * Gets how much output was read and not handed out yet.
 *
 * Returns: the number of bytes held, at most #TetherShell:max-pending
 */
guint64
tether_shell_get_pending_bytes (TetherShell *self)
{
  g_return_val_if_fail (TETHER_IS_SHELL (self), 0);
  return self->pending_bytes;
}

/**
 * tether_shell_get_max_pending:
 * @self: a #TetherShell
 *
 * Gets the most output the shell holds while paused.
 *
 * Returns: the bound of #TetherShell:pending-bytes, in bytes
 */
guint64
tether_shell_get_max_pending (TetherShell *self)
{
  g_return_val_if_fail (TETHER_IS_SHELL (self), 0);
  return self->max_pending;
}
