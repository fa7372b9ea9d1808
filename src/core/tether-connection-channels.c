/* tether-connection-channels.c: the ready connection on the worker: channel opens
 * (ours and the server's), global requests and keepalive answers, and the pass
 * over them.
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

/* libssh reads 4 KiB per poll; this many reads per wake-up keeps bulk
 * transfers moving without starving the channels' queues. */
#define TETHER_READS_PER_WAKE 64
/* Passes over the pending steps per wake-up while they keep moving (bulk traffic): then the
 * worker lets its other sources (new requests, closes) run and comes back. */
#define TETHER_PASSES_PER_WAKE 16

/* SSH_MSG_CHANNEL_OPEN_FAILURE reason codes (RFC 4254 section 5.1). */
#define TETHER_OPEN_ADMINISTRATIVELY_PROHIBITED 1
#define TETHER_OPEN_CONNECT_FAILED 2
#define TETHER_OPEN_UNKNOWN_CHANNEL_TYPE 3
#define TETHER_OPEN_RESOURCE_SHORTAGE 4

/* ------------------------------------------------------------------------- */
/* Ready: channels and global requests                                       */

static TetherConnection *
worker_connection (TetherWorker *w)
{
  return g_weak_ref_get (&w->connection);
}

static void
register_channel (TetherWorker  *w,
                  TetherChannel *channel)
{
  g_hash_table_add (w->channels, g_object_ref (channel));
  _tether_worker_post_n_channels (w);
}

static GError *
open_error (TetherWorker *w,
            const char   *what)
{
  const char *detail = ssh_get_error (w->session);
  const char *code = detail ? strstr (detail, "error (") : NULL;
  guint reason = code ? (guint) g_ascii_strtoull (code + strlen ("error ("), NULL, 10) : 0;
  const char *text;

  if (!ssh_is_connected (w->session))
    return _tether_worker_session_error (w, _("The connection to"));
  switch (reason) {
  case TETHER_OPEN_ADMINISTRATIVELY_PROHIBITED:
    text = _("administratively prohibited");
    break;
  case TETHER_OPEN_CONNECT_FAILED:
    text = _("the connection failed");
    break;
  case TETHER_OPEN_UNKNOWN_CHANNEL_TYPE:
    text = _("unknown channel type");
    break;
  case TETHER_OPEN_RESOURCE_SHORTAGE:
    text = _("resource shortage");
    break;
  default:
    /* libssh may fail an open without saying why: never show an empty reason. */
    text = detail != NULL && *detail != '\0' ? detail : _("no reason given");
  }
  {
    g_autofree char *message = g_strdup_printf (_("The server refused to open %s: %s "
                                                  "(reason %u)."), what, text, reason);

    return _tether_error_new_open_failed (reason, message);
  }
}

/* Returns TRUE when the operation finished. */
static gboolean
step_open (TetherWorker *w,
           GlobalOp     *op)
{
  TetherConnection *connection;
  TetherChannel *channel;
  int rc;

  if (op->ssh == NULL)
    op->ssh = ssh_channel_new (w->session);
  if (op->kind == GLOBAL_OP_OPEN_SESSION)
    rc = ssh_channel_open_session (op->ssh);
  else
    rc = ssh_channel_open_forward (op->ssh, op->host, op->port,
                                   op->orig_host ? op->orig_host : "127.0.0.1", op->orig_port);
  if (rc == SSH_AGAIN)
    return FALSE;
  if (rc != SSH_OK) {
    g_autofree char *what = op->kind == GLOBAL_OP_OPEN_SESSION
      ? g_strdup (_("a session"))
      : g_strdup_printf (_("a connection to %s:%u"), op->host, op->port);

    _tether_task_return_error (&op->task, open_error (w, what));
    return TRUE;
  }

  connection = worker_connection (w);
  if (connection == NULL)
    return TRUE;   /* nobody to give it to: freeing the op closes it */
  channel = g_object_new (op->kind == GLOBAL_OP_OPEN_SESSION ? TETHER_TYPE_SESSION_CHANNEL
                                                             : TETHER_TYPE_CHANNEL, NULL);
  _tether_channel_attach (channel, connection, w, g_steal_pointer (&op->ssh),
                          op->kind == GLOBAL_OP_OPEN_SESSION ? "session" : "direct-tcpip");
  register_channel (w, channel);
  _tether_task_return_pointer (&op->task, channel, g_object_unref);
  /* The connection reference goes back to the owner: never finalize it here. */
  _tether_worker_post (w, G_CALLBACK (g_object_unref), connection, NULL, NULL);
  return TRUE;
}

/* libssh keeps one global request pending at a time, and the next global request call
 * collects the pending answer as its own: a keepalive (sent without waiting) leaves one
 * behind. This reads it; in the pending state ssh_channel_cancel_forward () sends nothing.
 * Returns FALSE while the answer is still to come; *@rc is libssh's verdict. */
gboolean
_tether_worker_collect_keepalive_answer (TetherWorker *w,
                                         int          *rc)
{
  int result;

  if (!w->keepalive_pending)
    return TRUE;
  result = ssh_channel_cancel_forward (w->session, NULL, 0);
  if (result == SSH_AGAIN)
    return FALSE;
  w->keepalive_pending = FALSE;
  if (rc != NULL)
    *rc = result;
  return TRUE;
}

static gboolean
step_global_request (TetherWorker *w,
                     GlobalOp     *op)
{
  int bound = 0;
  int rc = SSH_ERROR;

  if (!op->started && !_tether_worker_collect_keepalive_answer (w, NULL))
    return FALSE;
  if (op->kind == GLOBAL_OP_KEEPALIVE) {
    if (!op->started) {
      ssh_send_keepalive (w->session);
      w->keepalive_pending = TRUE;
      op->started = TRUE;
      if (op->no_reply)
        _tether_task_return_boolean (&op->task, TRUE);
    }
    if (!_tether_worker_collect_keepalive_answer (w, &rc))
      return FALSE;
  } else if (op->kind == GLOBAL_OP_LISTEN_FORWARD)
    rc = ssh_channel_listen_forward (w->session, op->host, op->port, &bound);
  else
    rc = ssh_channel_cancel_forward (w->session, op->host, op->port);
  op->started = TRUE;
  /* Without want_reply the caller is done once it is sent, even if the answer (read and
   * dropped) came within this call. */
  if (op->no_reply && op->task != NULL &&
      (rc != SSH_ERROR || ssh_get_error_code (w->session) == SSH_REQUEST_DENIED))
    _tether_task_return_boolean (&op->task, TRUE);
  if (rc == SSH_AGAIN)
    return FALSE;
  if (op->task == NULL)
    return TRUE;   /* nobody waits for the answer */
  if (rc != SSH_OK) {
    if (!ssh_is_connected (w->session))
      _tether_task_return_error (&op->task,
                                 _tether_worker_session_error (w, _("The connection to")));
    else if (op->kind == GLOBAL_OP_KEEPALIVE)
      _tether_task_return_new_error (&op->task, TETHER_ERROR, TETHER_ERROR_REQUEST_DENIED,
                                     _("The server refused the global request “%s”."),
                                     "keepalive@openssh.com");
    else
      _tether_task_return_new_error (&op->task, TETHER_ERROR, TETHER_ERROR_REQUEST_DENIED,
                               op->kind == GLOBAL_OP_LISTEN_FORWARD
                               ? _("The server refused to listen on %s:%u for a remote forward.")
                               : _("The server refused to stop the remote forward on %s:%u."),
                               op->host ? op->host : _("localhost"), op->port);
    return TRUE;
  }
  if (op->kind == GLOBAL_OP_KEEPALIVE || op->as_boolean) {
    _tether_task_return_boolean (&op->task, TRUE);
    return TRUE;
  }
  if (op->kind == GLOBAL_OP_LISTEN_FORWARD)
    _tether_task_return_int (&op->task, op->port != 0 ? (gssize) op->port : bound);
  else
    _tether_task_return_boolean (&op->task, TRUE);
  return TRUE;
}

static const char *
open_type_name (int subtype)
{
  switch (subtype) {
  case SSH_CHANNEL_SESSION: return "session";
  case SSH_CHANNEL_DIRECT_TCPIP: return "direct-tcpip";
  case SSH_CHANNEL_FORWARDED_TCPIP: return "forwarded-tcpip";
  case SSH_CHANNEL_X11: return "x11";
  case SSH_CHANNEL_AUTH_AGENT: return "auth-agent@openssh.com";
  default: return "unknown";
  }
}

void
_tether_connection_incoming_open_free (IncomingOpen *incoming)
{
  if (incoming->message != NULL)
    ssh_message_free (incoming->message);
  g_clear_object (&incoming->channel);
  g_free (incoming);
}

typedef struct
{
  guint64 id;
  TetherChannel *channel;
  gboolean handled;
} IncomingAnswer;

static void
incoming_answer_free (IncomingAnswer *answer)
{
  g_clear_object (&answer->channel);
  g_free (answer);
}

static IncomingOpen *
take_incoming (TetherWorker *w,
               guint64       id)
{
  for (GList *l = w->incoming.head; l != NULL; l = l->next) {
    IncomingOpen *incoming = l->data;

    if (incoming->id == id) {
      g_queue_delete_link (&w->incoming, l);
      return incoming;
    }
  }
  return NULL;
}

static void
incoming_answered_on_worker (TetherWorker *w,
                             gpointer      data)
{
  IncomingAnswer *answer = data;
  IncomingOpen *incoming = take_incoming (w, answer->id);
  ssh_channel ssh;

  if (incoming == NULL)
    return;   /* the connection ended meanwhile: the channel was finished then */
  if (w->quit || w->phase != PHASE_READY) {
    _tether_channel_finish (incoming->channel, NULL);
    _tether_connection_incoming_open_free (incoming);
    return;
  }
  if (!answer->handled) {
    /* OPEN_FAILURE, "administratively prohibited": the only reason libssh 0.10 sends. */
    ssh_message_reply_default (incoming->message);
    _tether_channel_finish (incoming->channel, NULL);
    _tether_connection_incoming_open_free (incoming);
    _tether_worker_process (w);
    return;
  }
  ssh = ssh_message_channel_request_open_reply_accept (incoming->message);
  if (ssh == NULL) {
    g_autoptr(GError) error = _tether_worker_session_error (w, _("The connection to"));

    _tether_channel_finish (incoming->channel, error);
    _tether_connection_incoming_open_free (incoming);
    return;
  }
  _tether_channel_attach_ssh (incoming->channel, ssh);
  register_channel (w, incoming->channel);
  _tether_connection_incoming_open_free (incoming);
  _tether_worker_process (w);
}

static void
emit_incoming (TetherConnection *self,
               IncomingAnswer   *offer)
{
  IncomingAnswer *answer;
  gboolean handled = FALSE;
  TetherChannel *channel = offer->channel;

  g_signal_emit (self, _tether_connection_signals[SIGNAL_INCOMING_CHANNEL],
                 g_quark_from_string (tether_channel_get_channel_type (channel)),
                 channel, tether_channel_get_channel_type (channel), &handled);
  if (self->worker == NULL)
    return;
  answer = g_new0 (IncomingAnswer, 1);
  answer->id = offer->id;
  answer->handled = handled;
  _tether_worker_invoke (self->worker, incoming_answered_on_worker, answer,
                         (GDestroyNotify) incoming_answer_free);
}

/* Offers an incoming channel open to the owner; FALSE to refuse it at once. */
static gboolean
offer_incoming (TetherWorker *w,
                ssh_message   message)
{
  g_autoptr(TetherConnection) connection = worker_connection (w);
  const char *type = open_type_name (ssh_message_subtype (message));
  IncomingOpen *incoming;
  IncomingAnswer *offer;
  gboolean wanted;

  wanted = connection != NULL &&
           g_signal_has_handler_pending (connection,
                                         _tether_connection_signals[SIGNAL_INCOMING_CHANNEL],
                                         g_quark_from_string (type), FALSE);
  if (!wanted) {
    /* Keep the owner's reference count off this thread. */
    if (connection != NULL)
      _tether_worker_post (w, G_CALLBACK (g_object_unref), g_steal_pointer (&connection),
                           NULL, NULL);
    return FALSE;
  }

  incoming = g_new0 (IncomingOpen, 1);
  incoming->id = ++w->last_incoming_id;
  incoming->message = message;
  incoming->channel = g_object_new (TETHER_TYPE_CHANNEL, NULL);
  _tether_channel_prepare (incoming->channel, connection, w, type);
  _tether_channel_set_endpoints (incoming->channel,
                                 ssh_message_channel_request_open_destination (message),
                                 ssh_message_channel_request_open_destination_port (message),
                                 ssh_message_channel_request_open_originator (message),
                                 ssh_message_channel_request_open_originator_port (message));
  g_queue_push_tail (&w->incoming, incoming);

  offer = g_new0 (IncomingAnswer, 1);
  offer->id = incoming->id;
  offer->channel = g_object_ref (incoming->channel);
  _tether_worker_post (w, G_CALLBACK (emit_incoming), connection, offer,
                       (GDestroyNotify) incoming_answer_free);
  _tether_worker_post (w, G_CALLBACK (g_object_unref), g_steal_pointer (&connection),
                       NULL, NULL);
  return TRUE;
}

/* Messages libssh did not handle itself: channel opens go to the owner, the rest get
 * libssh's default answer (a refusal). */
static void
drain_messages (TetherWorker *w)
{
  ssh_message message;

  while (!w->quit && (message = ssh_message_get (w->session)) != NULL) {
    if (ssh_message_type (message) == SSH_REQUEST_CHANNEL_OPEN && offer_incoming (w, message))
      continue;
    ssh_message_reply_default (message);
    ssh_message_free (message);
  }
}

/* Worker: every channel still waiting for the owner's answer ends with @error. */
void
_tether_worker_finish_incoming (TetherWorker *w,
                                const GError *error)
{
  while (!g_queue_is_empty (&w->incoming)) {
    IncomingOpen *incoming = g_queue_pop_head (&w->incoming);

    _tether_channel_finish (incoming->channel, error);
    _tether_connection_incoming_open_free (incoming);
  }
}

/* One pass over every pending step; TRUE when it did anything. */
static gboolean
step_ready_pass (TetherWorker *w)
{
  GHashTableIter iter;
  gpointer key;
  guint64 before = w->received.in_bytes + w->sent.out_bytes;
  guint pending = g_queue_get_length (&w->opens) + g_queue_get_length (&w->global_requests);
  gboolean removed = FALSE;

  /* Incoming channel opens read by the last poll or pump wait in libssh's queue. */
  drain_messages (w);

  for (GList *l = w->opens.head; l != NULL;) {
    GList *next = l->next;

    if (step_open (w, l->data)) {
      _tether_connection_global_op_free (l->data);
      g_queue_delete_link (&w->opens, l);
    }
    l = next;
  }
  while (!g_queue_is_empty (&w->global_requests) &&
         step_global_request (w, g_queue_peek_head (&w->global_requests)))
    _tether_connection_global_op_free (g_queue_pop_head (&w->global_requests));

  g_hash_table_iter_init (&iter, w->channels);
  while (g_hash_table_iter_next (&iter, &key, NULL)) {
    _tether_channel_pump (key, w->scratch);
    if (_tether_channel_is_done (key)) {
      _tether_channel_finish (key, NULL);
      g_hash_table_iter_remove (&iter);
      removed = TRUE;
    }
  }
  if (removed)
    _tether_worker_post_n_channels (w);

  return removed ||
         w->received.in_bytes + w->sent.out_bytes != before ||
         g_queue_get_length (&w->opens) + g_queue_get_length (&w->global_requests) != pending;
}

void
_tether_worker_step_ready (TetherWorker *w)
{
  for (guint i = 0; i < TETHER_READS_PER_WAKE; i++)
    if (ssh_event_dopoll (w->event, 0) != SSH_OK)
      break;

  /* Any step can read the packets that answer another (an open's confirmation read while
   * a channel is pumped, a global request's reply read by an open), and nothing wakes the
   * worker for packets already read: go round until a whole pass changes nothing. */
  for (guint i = 0; step_ready_pass (w) && ssh_is_connected (w->session); i++) {
    if (i + 1 == TETHER_PASSES_PER_WAKE) {
      _tether_worker_wake (w);
      break;
    }
  }
  _tether_worker_watch_counters (w);

  if (!ssh_is_connected (w->session) ||
      (ssh_get_status (w->session) & (SSH_CLOSED | SSH_CLOSED_ERROR))) {
    _tether_worker_teardown (w, _tether_worker_session_error (w, _("The connection to")));
    return;
  }
}
