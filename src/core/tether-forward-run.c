/* tether-forward-run.c: the worker side of a port forward on one connection.
 *
 * Everything here runs on the connection's worker thread, whose GMainContext is its
 * thread-default: the listener's accepts, the SOCKS handshakes, the destination connects of
 * remote forwards and the splices between a TCP socket and a channel are GIO async calls
 * whose callbacks come back on the worker. So bulk bytes never touch the UI thread and the
 * channel's queues are fed from the thread that pumps them (no cross-thread wake per chunk).
 *
 * Each direction of a splice has one buffer and one operation in flight: a slow reader on
 * one side stops the reads on the other (the channel's window, or TCP's), so memory stays
 * bounded. An EOF is passed on (channel EOF, or shutdown (SHUT_WR) of the socket); the
 * splice ends when both directions have ended, or at the first error.
 *
 * The run registers a teardown hook with the worker: when the connection ends it closes the
 * listener and the sockets there, before the worker's thread goes.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>

#include "tether-connection-private.h"
#include "tether-error.h"
#include "tether-forward-private.h"
#include "tether-socks-private.h"

/* Bytes read at once from either side of a splice: large enough for bulk traffic to move in
 * few steps, small enough that a thousand idle forwarded connections cost little. */
#define TETHER_FORWARD_BUFFER (64 * 1024)
/* A SOCKS client that sends this much without finishing its request is not speaking SOCKS. */
#define TETHER_FORWARD_SOCKS_MAX_REQUEST 1024

struct _TetherForwardRun
{
  TetherForwardKind kind;
  char *bind_address;
  guint bind_port;
  char *destination_host;
  guint destination_port;
  TetherConnection *connection;   /* the owner's reference; dropped on the owner */
  TetherWorker *worker;
  GMainContext *owner_ctx;
  TetherForwardCounters *counters;
  GWeakRef forward;
  gint stopped;                   /* atomic: stop () was called */

  /* worker */
  GCancellable *cancellable;
  GSocketListener *listener;
  GList *splices;                 /* Splice *, weak: a splice removes itself */
  gboolean shut;
  gboolean hooked;
};

typedef struct
{
  TetherForwardRun *run;
  GSocketConnection *client;
  TetherChannel *channel;
  GCancellable *cancellable;
  guint8 *up_buffer;              /* client -> channel */
  guint8 *down_buffer;            /* channel -> client */
  gboolean up_done;
  gboolean down_done;
  gboolean finished;
  /* dynamic forwards: the SOCKS request so far */
  gboolean socks_mode;
  TetherSocks socks;
  GByteArray *socks_in;
  guint8 socks_reply[TETHER_SOCKS_MAX_REPLY];
  gsize socks_reply_len;
  gboolean close_after_reply;
} Splice;

static void splice_finish (Splice *s);
static void socks_process (Splice *s);

/* ------------------------------------------------------------------------- */
/* Counters                                                                  */

static void
counters_clear (TetherForwardCounters *counters)
{
  g_weak_ref_clear (&counters->forward);
  g_main_context_unref (counters->owner_ctx);
}

TetherForwardCounters *
_tether_forward_counters_new (TetherForward *forward)
{
  TetherForwardCounters *counters = g_atomic_rc_box_new0 (TetherForwardCounters);

  counters->owner_ctx = g_main_context_ref_thread_default ();
  g_weak_ref_init (&counters->forward, forward);
  return counters;
}

TetherForwardCounters *
_tether_forward_counters_ref (TetherForwardCounters *counters)
{
  return g_atomic_rc_box_acquire (counters);
}

void
_tether_forward_counters_unref (TetherForwardCounters *counters)
{
  g_atomic_rc_box_release_full (counters, (GDestroyNotify) counters_clear);
}

static gboolean
counters_notify_cb (gpointer data)
{
  TetherForwardCounters *counters = data;
  g_autoptr(TetherForward) forward = g_weak_ref_get (&counters->forward);

  /* Cleared first: a change from now on schedules another notify. */
  g_atomic_int_set (&counters->notify_pending, 0);
  if (forward != NULL)
    _tether_forward_sync_counters (forward);
  return G_SOURCE_REMOVE;
}

void
_tether_forward_counters_changed (TetherForwardCounters *counters)
{
  g_autoptr(GSource) source = NULL;

  if (!g_atomic_int_compare_and_exchange (&counters->notify_pending, 0, 1))
    return;
  source = g_timeout_source_new (TETHER_FORWARD_NOTIFY_MS);
  g_source_set_callback (source, counters_notify_cb, _tether_forward_counters_ref (counters),
                         (GDestroyNotify) _tether_forward_counters_unref);
  g_source_set_static_name (source, "[tether] forward counters");
  g_source_attach (source, counters->owner_ctx);
}

/* ------------------------------------------------------------------------- */
/* The run                                                                   */

static void
run_clear (TetherForwardRun *run)
{
  TetherWorker *current = _tether_worker_get_current ();

  g_assert (run->splices == NULL);
  g_clear_object (&run->listener);
  g_clear_object (&run->cancellable);
  /* The connection is the owner's: its last reference never goes on the worker. */
  if (current != NULL && current == run->worker)
    _tether_worker_post (run->worker, G_CALLBACK (g_object_unref), run->connection, NULL, NULL);
  else
    g_object_unref (run->connection);
  _tether_worker_unref (run->worker);
  _tether_forward_counters_unref (run->counters);
  g_weak_ref_clear (&run->forward);
  g_main_context_unref (run->owner_ctx);
  g_free (run->bind_address);
  g_free (run->destination_host);
}

TetherForwardRun *
_tether_forward_run_new (TetherForward         *forward,
                         TetherConnection      *connection,
                         TetherForwardCounters *counters)
{
  TetherForwardRun *run = g_atomic_rc_box_new0 (TetherForwardRun);

  run->kind = tether_forward_get_kind (forward);
  run->bind_address = g_strdup (tether_forward_get_bind_address (forward));
  run->bind_port = tether_forward_get_bind_port (forward);
  run->destination_host = g_strdup (tether_forward_get_destination_host (forward));
  run->destination_port = tether_forward_get_destination_port (forward);
  run->connection = g_object_ref (connection);
  run->worker = _tether_worker_ref (_tether_connection_get_worker (connection));
  run->owner_ctx = g_main_context_ref_thread_default ();
  run->counters = _tether_forward_counters_ref (counters);
  g_weak_ref_init (&run->forward, forward);
  run->cancellable = g_cancellable_new ();
  return run;
}

TetherForwardRun *
_tether_forward_run_ref (TetherForwardRun *run)
{
  return g_atomic_rc_box_acquire (run);
}

void
_tether_forward_run_unref (TetherForwardRun *run)
{
  g_atomic_rc_box_release_full (run, (GDestroyNotify) run_clear);
}

TetherConnection *
_tether_forward_run_get_connection (TetherForwardRun *run)
{
  return run->connection;
}

/* Worker: closes the listener and every connection; the run does nothing more. */
static void
run_shutdown (TetherForwardRun *run)
{
  if (run->shut)
    return;
  run->shut = TRUE;
  g_cancellable_cancel (run->cancellable);
  if (run->listener != NULL)
    g_socket_listener_close (run->listener);
  while (run->splices != NULL)
    splice_finish (run->splices->data);
}

/* Worker: the connection ends. */
static void
run_teardown_hook (gpointer data)
{
  TetherForwardRun *run = data;

  run->hooked = FALSE;
  run_shutdown (run);
  _tether_forward_run_unref (run);
}

/* Worker: from now on the run closes with its connection. FALSE when it already ended. */
static gboolean
run_hook (TetherForwardRun *run)
{
  if (run->hooked)
    return TRUE;
  if (run->shut || g_atomic_int_get (&run->stopped))
    return FALSE;
  if (!_tether_worker_add_teardown_hook (run->worker, run_teardown_hook,
                                         _tether_forward_run_ref (run))) {
    _tether_forward_run_unref (run);
    run->shut = TRUE;
    return FALSE;
  }
  run->hooked = TRUE;
  return TRUE;
}

static void
stop_on_worker (TetherWorker *worker,
                gpointer      data)
{
  TetherForwardRun *run = data;

  if (run->hooked && _tether_worker_remove_teardown_hook (worker, run)) {
    run->hooked = FALSE;
    _tether_forward_run_unref (run);
  }
  run_shutdown (run);
}

void
_tether_forward_run_stop (TetherForwardRun *run)
{
  g_atomic_int_set (&run->stopped, 1);
  /* When the worker's thread is gone, its teardown hook has closed everything already. */
  _tether_worker_invoke (run->worker, stop_on_worker, _tether_forward_run_ref (run),
                         (GDestroyNotify) _tether_forward_run_unref);
}

/* ------------------------------------------------------------------------- */
/* Back to the owner                                                         */

typedef struct
{
  TetherForwardRun *run;
  TetherForward *forward;
  guint port;
  GError *error;
} ListenResult;

static void
listen_result_free (ListenResult *result)
{
  _tether_forward_run_unref (result->run);
  g_clear_object (&result->forward);
  g_clear_error (&result->error);
  g_free (result);
}

static gboolean
listen_result_cb (gpointer data)
{
  ListenResult *result = data;

  _tether_forward_on_listening (result->forward, result->run, result->port, result->error);
  return G_SOURCE_REMOVE;
}

/* Worker: tells the forward (on the owner) how listening went; takes @error. */
static void
post_listen_result (TetherForwardRun *run,
                    guint             port,
                    GError           *error)
{
  ListenResult *result;
  TetherForward *forward = g_weak_ref_get (&run->forward);

  if (forward == NULL) {
    g_clear_error (&error);
    return;
  }
  result = g_new0 (ListenResult, 1);
  result->run = _tether_forward_run_ref (run);
  result->forward = forward;
  result->port = port;
  result->error = error;
  /* The forward's last reference is dropped there too, with the result. */
  _tether_context_invoke (run->owner_ctx, listen_result_cb, result,
                          (GDestroyNotify) listen_result_free);
}

/* ------------------------------------------------------------------------- */
/* Splices                                                                   */

static void
set_nodelay (GSocketConnection *connection)
{
  GSocket *socket = g_socket_connection_get_socket (connection);

  /* Forwarded protocols are often interactive: never wait for delayed ACKs. */
  g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
}

static Splice *
splice_ref (Splice *s)
{
  return g_rc_box_acquire (s);
}

static void
splice_clear (Splice *s)
{
  g_clear_object (&s->client);
  g_clear_object (&s->channel);
  g_clear_object (&s->cancellable);
  g_free (s->up_buffer);
  g_free (s->down_buffer);
  if (s->socks_in != NULL)
    g_byte_array_unref (s->socks_in);
  _tether_forward_run_unref (s->run);
}

static void
splice_unref (Splice *s)
{
  g_rc_box_release_full (s, (GDestroyNotify) splice_clear);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Splice, splice_unref)

static Splice *
splice_new (TetherForwardRun  *run,
            GSocketConnection *client,
            TetherChannel     *channel)
{
  Splice *s = g_rc_box_new0 (Splice);

  s->run = _tether_forward_run_ref (run);
  s->client = client ? g_object_ref (client) : NULL;
  s->channel = channel ? g_object_ref (channel) : NULL;
  s->cancellable = g_cancellable_new ();
  s->up_buffer = g_malloc (TETHER_FORWARD_BUFFER);
  s->down_buffer = g_malloc (TETHER_FORWARD_BUFFER);
  /* The run's list holds this reference until the splice finishes. */
  run->splices = g_list_prepend (run->splices, s);
  g_atomic_int_inc (&run->counters->n_active);
  g_atomic_pointer_add (&run->counters->n_total, 1);
  _tether_forward_counters_changed (run->counters);
  return s;
}

/* Worker: closes both ends (once) and drops the run's reference. */
static void
splice_finish (Splice *s)
{
  TetherForwardRun *run = s->run;

  if (s->finished)
    return;
  s->finished = TRUE;
  g_cancellable_cancel (s->cancellable);
  if (s->client != NULL)
    g_io_stream_close (G_IO_STREAM (s->client), NULL, NULL);
  if (s->channel != NULL)
    g_io_stream_close_async (G_IO_STREAM (s->channel), G_PRIORITY_DEFAULT, NULL, NULL, NULL);
  run->splices = g_list_remove (run->splices, s);
  g_atomic_int_add (&run->counters->n_active, -1);
  _tether_forward_counters_changed (run->counters);
  splice_unref (s);
}

static void
splice_check_done (Splice *s)
{
  if (s->up_done && s->down_done)
    splice_finish (s);
}

static void up_read (Splice *s);
static void down_read (Splice *s);

static void
up_write_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  g_autoptr(Splice) s = data;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, NULL)) {
    splice_finish (s);
    return;
  }
  if (!s->finished)
    up_read (s);
}

static void
up_read_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  g_autoptr(Splice) s = data;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, NULL);

  if (s->finished)
    return;
  if (n < 0) {
    splice_finish (s);
    return;
  }
  if (n == 0) {
    /* The client is done sending: EOF on the channel (after what is queued). */
    g_output_stream_close (g_io_stream_get_output_stream (G_IO_STREAM (s->channel)), NULL,
                           NULL);
    s->up_done = TRUE;
    splice_check_done (s);
    return;
  }
  g_atomic_pointer_add (&s->run->counters->bytes_out, n);
  _tether_forward_counters_changed (s->run->counters);
  g_output_stream_write_all_async (g_io_stream_get_output_stream (G_IO_STREAM (s->channel)),
                                   s->up_buffer, n, G_PRIORITY_DEFAULT, s->cancellable,
                                   up_write_cb, splice_ref (s));
}

static void
up_read (Splice *s)
{
  g_input_stream_read_async (g_io_stream_get_input_stream (G_IO_STREAM (s->client)),
                             s->up_buffer, TETHER_FORWARD_BUFFER, G_PRIORITY_DEFAULT,
                             s->cancellable, up_read_cb, splice_ref (s));
}

static void
down_write_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      data)
{
  g_autoptr(Splice) s = data;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, NULL)) {
    splice_finish (s);
    return;
  }
  if (!s->finished)
    down_read (s);
}

static void
down_read_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  g_autoptr(Splice) s = data;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, NULL);

  if (s->finished)
    return;
  if (n < 0) {
    splice_finish (s);
    return;
  }
  if (n == 0) {
    /* The destination is done sending: so is the client's side of the socket. */
    g_socket_shutdown (g_socket_connection_get_socket (s->client), FALSE, TRUE, NULL);
    s->down_done = TRUE;
    splice_check_done (s);
    return;
  }
  g_atomic_pointer_add (&s->run->counters->bytes_in, n);
  _tether_forward_counters_changed (s->run->counters);
  g_output_stream_write_all_async (g_io_stream_get_output_stream (G_IO_STREAM (s->client)),
                                   s->down_buffer, n, G_PRIORITY_DEFAULT, s->cancellable,
                                   down_write_cb, splice_ref (s));
}

static void
down_read (Splice *s)
{
  g_input_stream_read_async (g_io_stream_get_input_stream (G_IO_STREAM (s->channel)),
                             s->down_buffer, TETHER_FORWARD_BUFFER, G_PRIORITY_DEFAULT,
                             s->cancellable, down_read_cb, splice_ref (s));
}

/* Both ends are there: move bytes both ways. */
static void
splice_start (Splice *s)
{
  up_read (s);
  down_read (s);
}

/* ------------------------------------------------------------------------- */
/* Local and dynamic forwards: opening the channel                           */

static void socks_send_reply (Splice *s, gboolean close_after);

static void
socks_leftover_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      data)
{
  g_autoptr(Splice) s = data;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, NULL)) {
    splice_finish (s);
    return;
  }
  if (!s->finished)
    splice_start (s);
}

static void
open_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      data)
{
  g_autoptr(Splice) s = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(TetherChannel) channel = NULL;

  channel = tether_connection_open_direct_tcpip_finish (TETHER_CONNECTION (source), result,
                                                        &error);
  if (s->finished) {
    if (channel != NULL)
      g_io_stream_close_async (G_IO_STREAM (channel), G_PRIORITY_DEFAULT, NULL, NULL, NULL);
    return;
  }
  if (channel == NULL) {
    g_debug ("A forwarded connection to %s:%u failed: %s",
             s->socks_mode ? s->socks.host : s->run->destination_host,
             s->socks_mode ? s->socks.port : s->run->destination_port, error->message);
    if (s->socks_mode) {
      guint reason = tether_error_get_open_reason (error);

      s->socks_reply_len = tether_socks_reply (&s->socks,
                                               reason != 0
                                               ? tether_socks_code_for_open_failure (reason)
                                               : TETHER_SOCKS_GENERAL_FAILURE,
                                               s->socks_reply);
      socks_send_reply (s, TRUE);
    } else {
      /* The destination refused: this client's connection ends; the forward goes on. */
      splice_finish (s);
    }
    return;
  }
  s->channel = g_steal_pointer (&channel);
  if (s->socks_mode) {
    s->socks_reply_len = tether_socks_reply (&s->socks, TETHER_SOCKS_SUCCEEDED, s->socks_reply);
    socks_send_reply (s, FALSE);
    return;
  }
  splice_start (s);
}

static void
open_channel (Splice     *s,
              const char *host,
              guint       port)
{
  g_autoptr(GSocketAddress) peer = NULL;
  g_autofree char *originator = NULL;
  guint originator_port = 0;

  peer = g_socket_connection_get_remote_address (s->client, NULL);
  if (G_IS_INET_SOCKET_ADDRESS (peer)) {
    originator = g_inet_address_to_string (
      g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (peer)));
    originator_port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (peer));
  }
  /* No cancellable: a channel opened after a cancel would be lost open. open_cb closes it. */
  tether_connection_open_direct_tcpip_async (s->run->connection, host, port, originator,
                                             originator_port, NULL, open_cb, splice_ref (s));
}

/* ------------------------------------------------------------------------- */
/* Dynamic forwards: the SOCKS handshake                                     */

static void
socks_reply_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      data)
{
  g_autoptr(Splice) s = data;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, NULL) ||
      s->close_after_reply) {
    splice_finish (s);
    return;
  }
  if (s->finished)
    return;
  if (s->channel == NULL) {
    /* A step of the handshake (the method choice): the rest of the request follows. */
    socks_process (s);
    return;
  }
  /* Connected: bytes the client sent after its request go first. */
  s->socks_mode = FALSE;
  if (s->socks_in->len > 0) {
    memcpy (s->up_buffer, s->socks_in->data, s->socks_in->len);
    g_output_stream_write_all_async (g_io_stream_get_output_stream (G_IO_STREAM (s->channel)),
                                     s->up_buffer, s->socks_in->len, G_PRIORITY_DEFAULT,
                                     s->cancellable, socks_leftover_cb, splice_ref (s));
    g_atomic_pointer_add (&s->run->counters->bytes_out, s->socks_in->len);
    g_byte_array_set_size (s->socks_in, 0);
    return;
  }
  splice_start (s);
}

static void
socks_send_reply (Splice   *s,
                  gboolean  close_after)
{
  s->close_after_reply = close_after;
  if (s->socks_reply_len == 0) {
    if (close_after)
      splice_finish (s);
    return;
  }
  g_output_stream_write_all_async (g_io_stream_get_output_stream (G_IO_STREAM (s->client)),
                                   s->socks_reply, s->socks_reply_len, G_PRIORITY_DEFAULT,
                                   s->cancellable, socks_reply_cb, splice_ref (s));
}

static void socks_read (Splice *s);

static void
socks_read_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      data)
{
  g_autoptr(Splice) s = data;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, NULL);

  if (s->finished)
    return;
  if (n <= 0) {
    splice_finish (s);
    return;
  }
  g_byte_array_append (s->socks_in, s->up_buffer, n);
  socks_process (s);
}

static void
socks_read (Splice *s)
{
  g_input_stream_read_async (g_io_stream_get_input_stream (G_IO_STREAM (s->client)),
                             s->up_buffer, TETHER_FORWARD_BUFFER, G_PRIORITY_DEFAULT,
                             s->cancellable, socks_read_cb, splice_ref (s));
}

/* Feeds what the client sent so far to the parser and does what it says. */
static void
socks_process (Splice *s)
{
  gsize consumed = 0;

  switch (tether_socks_feed (&s->socks, s->socks_in->data, s->socks_in->len, &consumed)) {
  case TETHER_SOCKS_NEED_MORE:
    if (s->socks_in->len >= TETHER_FORWARD_SOCKS_MAX_REQUEST) {
      splice_finish (s);
      return;
    }
    socks_read (s);
    return;
  case TETHER_SOCKS_REPLY:
    g_byte_array_remove_range (s->socks_in, 0, consumed);
    memcpy (s->socks_reply, s->socks.reply, s->socks.reply_len);
    s->socks_reply_len = s->socks.reply_len;
    socks_send_reply (s, FALSE);
    return;
  case TETHER_SOCKS_CONNECT:
    g_byte_array_remove_range (s->socks_in, 0, consumed);
    open_channel (s, s->socks.host, s->socks.port);
    return;
  case TETHER_SOCKS_FAIL:
  default:
    g_debug ("A SOCKS client was refused: %s", s->socks.failure ? s->socks.failure : "");
    memcpy (s->socks_reply, s->socks.reply, s->socks.reply_len);
    s->socks_reply_len = s->socks.reply_len;
    socks_send_reply (s, TRUE);
    return;
  }
}

/* ------------------------------------------------------------------------- */
/* Listening                                                                 */

static void
accept_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      data)
{
  TetherForwardRun *run = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) client = NULL;
  Splice *s;

  client = g_socket_listener_accept_finish (G_SOCKET_LISTENER (source), result, NULL, &error);
  if (client == NULL || run->shut) {
    if (client == NULL && !run->shut && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
      /* Out of descriptors, say: stop accepting, and say so, rather than spin. */
      post_listen_result (run, 0, g_steal_pointer (&error));
    if (client != NULL)
      g_io_stream_close (G_IO_STREAM (client), NULL, NULL);
    _tether_forward_run_unref (run);
    return;
  }
  set_nodelay (client);
  s = splice_new (run, client, NULL);
  if (run->kind == TETHER_FORWARD_KIND_DYNAMIC) {
    s->socks_mode = TRUE;
    tether_socks_init (&s->socks);
    s->socks_in = g_byte_array_new ();
    socks_read (s);
  } else {
    open_channel (s, run->destination_host, run->destination_port);
  }
  /* The run's reference goes on to the next accept. */
  g_socket_listener_accept_async (run->listener, run->cancellable, accept_cb, run);
}

static GError *
listen_error (const GError *error,
              const char   *address,
              guint         port)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE))
    return g_error_new (G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE,
                        _("Port %u is already in use on this computer."), port);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED) && port < 1024)
    return g_error_new (G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                        _("Port %u is a privileged port: only the administrator may listen on "
                          "ports below 1024. Choose a port from 1024 up."), port);
  return g_error_new (error->domain, error->code, _("Could not listen on %s port %u: %s"),
                      address, port, error->message);
}

/* Binds @address (a literal) at @port, 0 for any; *@bound_port is the port bound. */
static gboolean
listen_on (GSocketListener  *listener,
           GInetAddress     *address,
           guint             port,
           guint            *bound_port,
           GError          **error)
{
  g_autoptr(GSocketAddress) wanted = g_inet_socket_address_new (address, port);
  g_autoptr(GSocketAddress) effective = NULL;

  if (!g_socket_listener_add_address (listener, wanted, G_SOCKET_TYPE_STREAM,
                                      G_SOCKET_PROTOCOL_TCP, NULL, &effective, error))
    return FALSE;
  *bound_port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  return TRUE;
}

static gboolean
run_bind (TetherForwardRun  *run,
          guint             *bound_port,
          GError           **error)
{
  const char *name = run->bind_address;
  g_autolist(GInetAddress) addresses = NULL;
  gboolean loopback = FALSE;
  guint port = run->bind_port;
  guint n_bound = 0;

  if (name == NULL || *name == '\0' || g_ascii_strcasecmp (name, "localhost") == 0) {
    /* ssh's default: loopback only, both families where there are. */
    loopback = TRUE;
    addresses = g_list_append (addresses, g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4));
    addresses = g_list_append (addresses, g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV6));
    name = "localhost";
  } else if (g_str_equal (name, "*")) {
    addresses = g_list_append (addresses, g_inet_address_new_any (G_SOCKET_FAMILY_IPV6));
    addresses = g_list_append (addresses, g_inet_address_new_any (G_SOCKET_FAMILY_IPV4));
    loopback = TRUE;  /* either family is enough */
  } else {
    GInetAddress *literal = g_inet_address_new_from_string (name);

    if (literal != NULL) {
      addresses = g_list_append (addresses, literal);
    } else {
      /* A name: resolved here, on the worker, never on the UI thread. */
      g_autoptr(GResolver) resolver = g_resolver_get_default ();

      addresses = g_resolver_lookup_by_name (resolver, name, NULL, error);
      if (addresses == NULL)
        return FALSE;
    }
  }

  run->listener = g_socket_listener_new ();
  for (GList *l = addresses; l != NULL; l = l->next) {
    g_autoptr(GError) local_error = NULL;
    guint bound = 0;

    if (!listen_on (run->listener, l->data, port, &bound, &local_error)) {
      /* ::1 may be missing, or taken by someone else: ssh warns and goes on with 127.0.0.1.
       * With "*", the IPv6 socket may already take IPv4 too. */
      if ((loopback || n_bound > 0) && l != addresses)
        continue;
      if (loopback && l == addresses && l->next != NULL &&
          !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE) &&
          !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED))
        continue;
      g_propagate_error (error, listen_error (local_error, name, port));
      return FALSE;
    }
    n_bound++;
    /* The second family gets the port the first one got. */
    port = bound;
  }
  if (n_bound == 0) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Could not listen on %s port %u."),
                 name, run->bind_port);
    return FALSE;
  }
  *bound_port = port;
  return TRUE;
}

static void
listen_on_worker (TetherWorker *worker,
                  gpointer      data)
{
  TetherForwardRun *run = data;
  GError *error = NULL;
  guint port = 0;

  if (!run_hook (run)) {
    if (!g_atomic_int_get (&run->stopped))
      post_listen_result (run, 0, g_error_new_literal (TETHER_ERROR, TETHER_ERROR_DISCONNECTED,
                                                       _("The connection was closed.")));
    return;
  }
  if (!run_bind (run, &port, &error)) {
    post_listen_result (run, 0, error);
    run_shutdown (run);
    return;
  }
  post_listen_result (run, port, NULL);
  g_socket_listener_accept_async (run->listener, run->cancellable, accept_cb,
                                  _tether_forward_run_ref (run));
}

void
_tether_forward_run_listen (TetherForwardRun *run)
{
  g_return_if_fail (run->kind != TETHER_FORWARD_KIND_REMOTE);

  _tether_worker_invoke (run->worker, listen_on_worker, _tether_forward_run_ref (run),
                         (GDestroyNotify) _tether_forward_run_unref);
}

/* ------------------------------------------------------------------------- */
/* Remote forwards: connecting to the destination                            */

typedef struct
{
  TetherForwardRun *run;
  TetherChannel *channel;
} TakeChannel;

static void
take_channel_free (TakeChannel *take)
{
  _tether_forward_run_unref (take->run);
  g_object_unref (take->channel);
  g_free (take);
}

static void
destination_connected_cb (GObject      *source,
                          GAsyncResult *result,
                          gpointer      data)
{
  g_autoptr(Splice) s = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) client = NULL;

  client = g_socket_client_connect_to_host_finish (G_SOCKET_CLIENT (source), result, &error);
  if (s->finished)
    return;
  if (client == NULL) {
    g_debug ("A remote forward's connection to %s:%u failed: %s",
             s->run->destination_host, s->run->destination_port, error->message);
    splice_finish (s);
    return;
  }
  set_nodelay (client);
  s->client = g_steal_pointer (&client);
  splice_start (s);
}

static void
take_channel_on_worker (TetherWorker *worker,
                        gpointer      data)
{
  TakeChannel *take = data;
  TetherForwardRun *run = take->run;
  g_autoptr(GSocketClient) client = NULL;
  Splice *s;

  if (!run_hook (run)) {
    g_io_stream_close_async (G_IO_STREAM (take->channel), G_PRIORITY_DEFAULT, NULL, NULL,
                             NULL);
    return;
  }
  s = splice_new (run, NULL, take->channel);
  client = g_socket_client_new ();
  g_socket_client_connect_to_host_async (client, run->destination_host,
                                         run->destination_port, s->cancellable,
                                         destination_connected_cb, splice_ref (s));
}

void
_tether_forward_run_take_channel (TetherForwardRun *run,
                                  TetherChannel    *channel)
{
  TakeChannel *take = g_new0 (TakeChannel, 1);

  take->run = _tether_forward_run_ref (run);
  take->channel = g_object_ref (channel);
  _tether_worker_invoke (run->worker, take_channel_on_worker, take,
                         (GDestroyNotify) take_channel_free);
}
