/* tether-channel-pump.c: the worker side of a channel: libssh callbacks, its
 * requests one at a time, moving bytes between libssh and the queues, and its
 * end.
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
#include "tether-worker-private.h"
#include "tether-wire-private.h"

/* How long a channel we closed waits for the peer's CLOSE before it counts as closed anyway
 * (libssh then keeps the freed channel until the answer comes): a peer that never answers
 * must not keep close_async () pending forever. */
#define TETHER_CHANNEL_CLOSE_TIMEOUT_MS (5 * 1000)

/* ------------------------------------------------------------------------- */
/* Worker side                                                               */

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
    _tether_worker_post (sh->worker, G_CALLBACK (_tether_channel_emit_counters), self,
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
  _tether_worker_post (sh->worker, G_CALLBACK (_tether_channel_emit_request), self, args,
                       (GDestroyNotify) _tether_channel_request_args_free);
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
on_ssh_exit_status (ssh_session session,
                    ssh_channel channel,
                    int         exit_status,
                    void       *userdata)
{
  TetherChannel *self = userdata;
  GByteArray *payload = g_byte_array_new ();

  _tether_wire_put_uint32 (payload, exit_status);
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

  _tether_wire_put_string (payload, signal_name);
  g_byte_array_append (payload, &core_byte, 1);
  _tether_wire_put_string (payload, errmsg);
  _tether_wire_put_string (payload, lang);
  post_request (self, "exit-signal", g_byte_array_free_to_bytes (payload));
  if (TETHER_IS_SESSION_CHANNEL (self))
    _tether_session_channel_set_exit_signal (TETHER_SESSION_CHANNEL (self), signal_name,
                                             core != 0, errmsg);
}

void
_tether_channel_attach_ssh (TetherChannel *self,
                            ssh_channel    ssh)
{
  TetherChannelShared *sh = _tether_channel_get_shared (self);

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
/* @op is on the wire (or will never be): bytes written after it may follow it now. */
void
_tether_channel_op_mark_sent (TetherChannelShared *sh,
                              TetherChannelOp     *op)
{
  g_mutex_lock (&sh->lock);
  if (!op->sent) {
    op->sent = TRUE;
    g_queue_remove (&sh->unsent_ops, op);
  }
  g_mutex_unlock (&sh->lock);
}

/* The channel is finished and its ops are failed: nothing holds data back any more. */
void
_tether_channel_forget_unsent_ops (TetherChannelShared *sh)
{
  g_mutex_lock (&sh->lock);
  for (GList *l = sh->unsent_ops.head; l != NULL; l = l->next)
    ((TetherChannelOp *) l->data)->sent = TRUE;
  g_queue_clear (&sh->unsent_ops);
  g_mutex_unlock (&sh->lock);
}

/* Whether every byte written before @op was sent, so that @op may go. */
static gboolean
op_is_due (TetherChannelShared *sh,
           TetherChannelOp     *op)
{
  gboolean due;

  g_mutex_lock (&sh->lock);
  due = op->sent || sh->out_sent >= op->data_mark;
  g_mutex_unlock (&sh->lock);
  return due;
}

static void
step_ops (TetherChannel *self)
{
  TetherChannelShared *sh = _tether_channel_get_shared (self);

  for (;;) {
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
    /* The data written before it goes first (pump_out () sends it). */
    if (!op_is_due (sh, op))
      return;

    switch (op->kind) {
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
    _tether_channel_op_mark_sent (sh, op);

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

    if (op->task != NULL) {
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
    *out_n = _tether_channel_in_take (q, q->pending_buffer, q->pending_count);
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

  gboolean bulk = g_atomic_int_get (&sh->bulk);
  gsize in_max = bulk ? TETHER_CHANNEL_BULK_IN_MAX : TETHER_CHANNEL_IN_MAX;
  gsize chunk = bulk ? TETHER_CHANNEL_BULK_READ_CHUNK : TETHER_CHANNEL_READ_CHUNK;

  for (;;) {
    gsize space;
    gsize want;
    guint8 *buffer;
    GBytes *bytes;
    int avail;
    int n;
    GTask *task;
    gssize task_n = 0;

    g_mutex_lock (&sh->lock);
    space = q->queued < in_max ? in_max - q->queued : 0;
    g_mutex_unlock (&sh->lock);
    if (space == 0)
      return;

    avail = ssh_channel_poll (sh->ssh, index);
    if (avail == SSH_EOF || (avail == 0 && sh->remote_eof_seen)) {
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
        _tether_worker_post (sh->worker, G_CALLBACK (_tether_channel_emit_eof), self,
                             NULL, NULL);
      return;
    }
    if (avail <= 0)
      return;

    /* Asking for up to the free room also grows the window to it. A bulk channel asks for
     * only what libssh holds (which grants nothing) until it read a grant step's worth. */
    want = MIN (space, chunk);
    if (bulk && sh->read_since_grant > 0 &&
        sh->read_since_grant < TETHER_CHANNEL_BULK_GRANT_STEP)
      want = MIN (want, (gsize) avail);
    /* What libssh holds goes straight into the queue's own buffer; a read that grants (and
     * may wait for more) goes through the scratch buffer. */
    buffer = want <= (gsize) avail ? g_malloc (want) : NULL;
    n = ssh_channel_read_timeout (sh->ssh, buffer != NULL ? buffer : scratch, want, index, 0);
    if (n <= 0) {
      g_free (buffer);
      return;
    }
    if (buffer != NULL)
      bytes = g_bytes_new_take (n == (int) want ? buffer : g_realloc (buffer, n), n);
    else
      bytes = g_bytes_new (scratch, n);
    /* 0 until the first grant, so that it comes at once. */
    if (want > (gsize) avail)
      sh->read_since_grant = 1;
    else
      sh->read_since_grant += n;

    g_atomic_pointer_add (&sh->bytes_received, n);
    g_mutex_lock (&sh->lock);
    g_queue_push_tail (&q->chunks, bytes);
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
  while (!g_queue_is_empty (&sh->pending_writes) && sh->out_queued < TETHER_CHANNEL_OUT_MAX) {
    GTask *task = g_queue_pop_head (&sh->pending_writes);
    WriteData *data = g_task_get_task_data (task);
    gsize n = _tether_channel_out_put (sh, data->buffer, data->count);

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
  for (guint i = 0; i < G_N_ELEMENTS (sh->in); i++) {
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

  for (;;) {
    TetherChannelOp *first_op;
    guint64 allowed;
    GBytes *head;
    gsize size;
    const guint8 *data;
    guint32 window;
    int n;

    g_mutex_lock (&sh->lock);
    head = g_queue_peek_head (&sh->out);
    if (head != NULL)
      g_bytes_ref (head);
    /* Bytes written after an op that is not sent yet wait for it (step_ops () sends it). */
    first_op = g_queue_peek_head (&sh->unsent_ops);
    allowed = first_op == NULL ? G_MAXUINT64
                               : first_op->data_mark - MIN (first_op->data_mark, sh->out_sent);
    g_mutex_unlock (&sh->lock);
    if (head == NULL)
      break;

    data = g_bytes_get_data (head, &size);
    window = ssh_channel_window_size (sh->ssh);
    n = 0;
    if (window > 0 && allowed > 0)
      n = ssh_channel_write (sh->ssh, data + sh->out_offset,
                             MIN (MIN (size - sh->out_offset, window), allowed));
    g_bytes_unref (head);
    if (n <= 0)
      break;

    g_atomic_pointer_add (&sh->bytes_sent, n);
    g_mutex_lock (&sh->lock);
    sh->out_offset += n;
    sh->out_queued -= n;
    sh->out_sent += n;
    if (sh->out_offset == size) {
      g_bytes_unref (g_queue_pop_head (&sh->out));
      sh->out_offset = 0;
    }
    feed_pending_writes (sh, &done);
    g_cond_broadcast (&sh->cond);
    g_mutex_unlock (&sh->lock);
  }

  g_mutex_lock (&sh->lock);
  if (g_queue_is_empty (&sh->out)) {
    send_eof = (sh->eof_requested || sh->close_requested) && !sh->eof_sent;
    send_close = sh->close_requested && !sh->close_sent;
  }
  g_mutex_unlock (&sh->lock);

  while (!g_queue_is_empty (&done)) {
    GTask *task = g_queue_pop_head (&done);

    _tether_task_return_int (&task, GPOINTER_TO_SIZE (g_task_get_task_data (task)));
  }

  if (send_eof && !sh->remote_closed)
    ssh_channel_send_eof (sh->ssh);
  sh->eof_sent |= send_eof;
  if (send_close) {
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
  if (!sh->close_sent) {
    pump_in (self, 0, scratch);
    pump_in (self, 1, scratch);
  }
  pump_out (self);

  g_mutex_lock (&sh->lock);
  queued = sh->in[0].queued + sh->in[1].queued;
  g_mutex_unlock (&sh->lock);
  if (sh->ssh != NULL && !sh->remote_closed && !sh->close_sent) {
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
  if (sh->close_sent) {
    done = sh->remote_closed || g_get_monotonic_time () >= sh->close_deadline;
    if (!done)
      _tether_worker_wake_at (sh->worker, sh->close_deadline);
  } else {
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

  if (sh->ssh != NULL) {
    ssh_remove_channel_callbacks (sh->ssh, &sh->callbacks);
    ssh_channel_free (sh->ssh);
    sh->ssh = NULL;
  }
  _tether_channel_forget_unsent_ops (sh);
  g_queue_clear_full (&sh->ops, (GDestroyNotify) _tether_channel_op_free);
  g_clear_pointer (&sh->current_op, _tether_channel_op_free);

  g_mutex_lock (&sh->lock);
  if (sh->state == TETHER_CHANNEL_STATE_CLOSED) {
    g_mutex_unlock (&sh->lock);
    return;
  }
  sh->state = TETHER_CHANNEL_STATE_CLOSED;
  if (error != NULL)
    sh->error = g_error_copy (error);
  /* The peer's EOF and CLOSE can be read together, by a poll that only checks for data. */
  eof_unsignalled = error == NULL && sh->remote_eof_seen && !sh->in[0].eof;
  for (guint i = 0; i < G_N_ELEMENTS (sh->in); i++) {
    TetherChannelInQueue *q = &sh->in[i];

    /* A clean close ends the stream; a broken connection fails it. */
    if (error == NULL)
      q->eof = TRUE;
    reads[i] = feed_pending_read (q, &read_n[i]);
    if (reads[i] == NULL && q->pending_read != NULL) {
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

  for (guint i = 0; i < G_N_ELEMENTS (reads); i++) {
    if (reads[i] == NULL)
      continue;
    if (read_n[i] >= 0)
      _tether_task_return_int (&reads[i], read_n[i]);
    else
      _tether_task_return_error (&reads[i], _tether_channel_closed_error (sh));
  }
  while (!g_queue_is_empty (&writes)) {
    GTask *task = g_queue_pop_head (&writes);

    _tether_task_return_error (&task, _tether_channel_closed_error (sh));
  }
  while (!g_queue_is_empty (&closes)) {
    GTask *task = g_queue_pop_head (&closes);

    _tether_task_return_boolean (&task, TRUE);
  }

  if (eof_unsignalled)
    _tether_worker_post (sh->worker, G_CALLBACK (_tether_channel_emit_eof), self, NULL, NULL);
  /* The counters' final values come before ::closed. */
  post_counters (self, TETHER_COUNTER_SENT | TETHER_COUNTER_RECEIVED |
                       TETHER_COUNTER_REMOTE_WINDOW | TETHER_COUNTER_LOCAL_WINDOW);
  /* And the connection's, which the channel's bytes are part of: nobody should see a
   * channel done whose bytes the connection does not count yet. */
  _tether_worker_post_counters (sh->worker);
  _tether_worker_post (sh->worker, G_CALLBACK (_tether_channel_emit_closed), self,
                       error ? g_error_copy (error) : NULL,
                       error ? (GDestroyNotify) g_error_free : NULL);
}
