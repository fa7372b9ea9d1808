/* tether-connection-worker.c: the worker thread of a TetherConnection: its life, its
 * event queue to the owner, its main step over the login phases, timers and
 * keepalives, and failing.
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

/* Keepalives without any answer before the server counts as gone (ServerAliveCountMax). */
#define TETHER_SERVER_ALIVE_COUNT_MAX 3

/* Counters (bytes, windows) notify at most this often: about 4 times a second is enough for
 * a person to read and costs the owner's main loop nothing under bulk traffic. */
#define TETHER_COUNTERS_NOTIFY_MS 250

/* How long the server may take over each step of the login (banner, key exchange, each
 * authentication answer) without ConnectTimeout: a black-holed server must not hang us. */
#define TETHER_DEFAULT_LOGIN_TIMEOUT 30

/* ------------------------------------------------------------------------- */
/* Worker life                                                               */


void
_tether_connection_global_op_free (GlobalOp *op)
{
  if (op->task != NULL)
    _tether_task_return_new_error (&op->task, TETHER_ERROR, TETHER_ERROR_DISCONNECTED,
                                   _("The connection closed before the server answered."));
  if (op->ssh != NULL)
    ssh_channel_free (op->ssh);
  g_free (op->host);
  g_free (op->orig_host);
  g_free (op);
}

static void
event_free (Event *event)
{
  if (event->data_free != NULL)
    event->data_free (event->data);
  g_clear_object (&event->object);
  g_free (event);
}

void
_tether_connection_secret_free (char *secret)
{
  if (secret != NULL) {
    explicit_bzero (secret, strlen (secret));
    g_free (secret);
  }
}

void
_tether_worker_clear_key_state (TetherWorker *w)
{
  g_clear_pointer (&w->key_public, ssh_key_free);
  g_clear_pointer (&w->key_cert, ssh_key_free);
  g_clear_pointer (&w->key_private, ssh_key_free);
  g_clear_pointer (&w->passphrase, _tether_connection_secret_free);
  w->passphrase_attempts = 0;
  w->needs_passphrase = FALSE;
}


static void
worker_clear (TetherWorker *w)
{
  g_clear_pointer (&w->pending_host_key, _tether_connection_host_key_check_free);
  g_assert (w->channels == NULL || g_hash_table_size (w->channels) == 0);
  g_clear_pointer (&w->channels, g_hash_table_unref);
  g_queue_clear_full (&w->opens, (GDestroyNotify) _tether_connection_global_op_free);
  g_queue_clear_full (&w->global_requests, (GDestroyNotify) _tether_connection_global_op_free);
  g_queue_clear_full (&w->events, (GDestroyNotify) event_free);
  g_queue_clear_full (&w->incoming, (GDestroyNotify) _tether_connection_incoming_open_free);
  g_queue_clear_full (&w->teardown_hooks, g_free);
  _tether_worker_clear_key_state (w);
  if (w->event != NULL) {
    if (w->session != NULL)
      ssh_event_remove_session (w->event, w->session);
    ssh_event_free (w->event);
  }
  if (w->session != NULL)
    ssh_free (w->session);
  /* libssh closes the descriptor itself on errors and in ssh_free (unless
   * ssh_disconnect forgot it first, see release_fd); before ssh_connect it is ours. */
  if (!w->fd_attached && w->fd >= 0)
    close (w->fd);
  g_free (w->scratch);
  g_free (w->hostname);
  g_free (w->user);
  g_free (w->host_key_fingerprint);
  g_free (w->known_hosts_file);
  g_strfreev (w->identity_files);
  g_strfreev (w->certificate_files);
  if (w->tried != NULL)
    g_string_free (w->tried, TRUE);
  g_clear_pointer (&w->password, _tether_connection_secret_free);
  g_strfreev (w->kbdint_answers);
  g_clear_error (&w->wait_error);
  g_weak_ref_clear (&w->connection);
  g_mutex_clear (&w->event_lock);
  g_main_context_unref (w->owner_ctx);
  g_main_context_unref (w->ctx);
}

TetherWorker *
_tether_worker_ref (TetherWorker *worker)
{
  return g_atomic_rc_box_acquire (worker);
}

void
_tether_worker_unref (TetherWorker *worker)
{
  g_atomic_rc_box_release_full (worker, (GDestroyNotify) worker_clear);
}


/* The worker whose thread this is, so that results go back through its event queue. */
static GPrivate current_worker;

TetherWorker *
_tether_worker_get_current (void)
{
  return g_private_get (&current_worker);
}

GMainContext *
_tether_worker_get_owner_context (TetherWorker *worker)
{
  return worker->owner_ctx;
}

/* Detaches and drops the source in *@source, if any. */
static void
destroy_source (GSource **source)
{
  if (*source == NULL)
    return;
  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}

static gpointer
worker_thread (gpointer data)
{
  TetherWorker *w = data;

  g_private_set (&current_worker, w);
  g_main_context_push_thread_default (w->ctx);
  while (!w->quit)
    g_main_context_iteration (w->ctx, TRUE);
  destroy_source (&w->fd_source);
  destroy_source (&w->timeout_source);
  destroy_source (&w->keepalive_source);
  destroy_source (&w->counters_source);
  destroy_source (&w->deadline_source);
  /* Sources queued on the context hold references: refuse new ones, run the
   * queued ones down (they see w->quit and do nothing). */
  g_mutex_lock (&w->event_lock);
  w->thread_done = TRUE;
  g_mutex_unlock (&w->event_lock);
  while (g_main_context_pending (w->ctx))
    g_main_context_iteration (w->ctx, FALSE);
  g_main_context_pop_thread_default (w->ctx);
  g_private_set (&current_worker, NULL);
  _tether_worker_unref (w);
  return NULL;
}

static gboolean
drain_events (gpointer data)
{
  TetherWorker *w = data;
  GQueue events = G_QUEUE_INIT;

  g_mutex_lock (&w->event_lock);
  events = w->events;
  g_queue_init (&w->events);
  w->events_scheduled = FALSE;
  g_mutex_unlock (&w->event_lock);

  while (!g_queue_is_empty (&events)) {
    Event *event = g_queue_pop_head (&events);

    ((void (*) (gpointer, gpointer)) event->func) (event->object, event->data);
    event_free (event);
  }
  return G_SOURCE_REMOVE;
}

void
_tether_worker_post (TetherWorker   *worker,
                     GCallback       func,
                     gpointer        object,
                     gpointer        data,
                     GDestroyNotify  data_free)
{
  Event *event = g_new0 (Event, 1);
  gboolean schedule;

  event->func = func;
  event->object = object ? g_object_ref (object) : NULL;
  event->data = data;
  event->data_free = data_free;

  g_mutex_lock (&worker->event_lock);
  g_queue_push_tail (&worker->events, event);
  schedule = !worker->events_scheduled;
  worker->events_scheduled = TRUE;
  g_mutex_unlock (&worker->event_lock);

  if (schedule) {
    g_autoptr(GSource) source = g_idle_source_new ();

    g_source_set_priority (source, G_PRIORITY_DEFAULT);
    g_source_set_callback (source, drain_events, _tether_worker_ref (worker),
                           (GDestroyNotify) _tether_worker_unref);
    g_source_set_static_name (source, "[tether] connection events");
    g_source_attach (source, worker->owner_ctx);
  }
}

/* Attaches @source to the worker's context unless the thread is gone. */
static void
attach_to_worker (TetherWorker *w,
                  GSource      *source)
{
  g_mutex_lock (&w->event_lock);
  if (!w->thread_done)
    g_source_attach (source, w->ctx);
  g_mutex_unlock (&w->event_lock);
}

static gboolean
wake_cb (gpointer data)
{
  TetherWorker *w = data;

  g_atomic_int_set (&w->wake_pending, 0);
  _tether_worker_process (w);
  return G_SOURCE_REMOVE;
}

void
_tether_worker_wake (TetherWorker *worker)
{
  if (worker == NULL)
    return;
  if (g_atomic_int_compare_and_exchange (&worker->wake_pending, 0, 1)) {
    g_autoptr(GSource) source = g_idle_source_new ();

    g_source_set_callback (source, wake_cb, _tether_worker_ref (worker),
                           (GDestroyNotify) _tether_worker_unref);
    g_source_set_static_name (source, "[tether] worker wake");
    attach_to_worker (worker, source);
  }
}

static gboolean
deadline_dispatch (GSource     *source,
                   GSourceFunc  callback,
                   gpointer     user_data)
{
  /* Whoever still waits asks again from the steps that run now. */
  g_source_set_ready_time (source, -1);
  _tether_worker_process (user_data);
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs deadline_source_funcs = {
  NULL, NULL, deadline_dispatch, NULL, NULL, NULL,
};

void
_tether_worker_wake_at (TetherWorker *worker,
                        gint64        deadline)
{
  gint64 current;

  if (worker->deadline_source == NULL) {
    worker->deadline_source = g_source_new (&deadline_source_funcs, sizeof (GSource));
    g_source_set_callback (worker->deadline_source, NULL, worker, NULL);
    g_source_set_static_name (worker->deadline_source, "[tether] worker deadline");
    g_source_attach (worker->deadline_source, worker->ctx);
  }
  current = g_source_get_ready_time (worker->deadline_source);
  if (current < 0 || deadline < current)
    g_source_set_ready_time (worker->deadline_source, deadline);
}

/* Runs @func on the worker with @data; @data is freed with @data_free after. */
typedef struct
{
  TetherWorker *worker;
  void (*func) (TetherWorker *, gpointer);
  gpointer data;
  GDestroyNotify data_free;
} Invocation;

static gboolean
invocation_run (gpointer user_data)
{
  Invocation *inv = user_data;

  inv->func (inv->worker, inv->data);
  return G_SOURCE_REMOVE;
}

static void
invocation_free (gpointer user_data)
{
  Invocation *inv = user_data;

  if (inv->data_free != NULL && inv->data != NULL)
    inv->data_free (inv->data);
  _tether_worker_unref (inv->worker);
  g_free (inv);
}

void
_tether_worker_invoke (TetherWorker  *w,
                       void         (*func) (TetherWorker *, gpointer),
                       gpointer       data,
                       GDestroyNotify data_free)
{
  Invocation *inv = g_new0 (Invocation, 1);
  g_autoptr(GSource) source = g_idle_source_new ();

  inv->worker = _tether_worker_ref (w);
  inv->func = func;
  inv->data = data;
  inv->data_free = data_free;
  g_source_set_callback (source, invocation_run, inv, invocation_free);
  g_source_set_static_name (source, "[tether] worker call");
  attach_to_worker (w, source);
}

void
_tether_worker_post_state (TetherWorker          *w,
                           TetherConnectionState  state)
{
  TetherConnection *self = g_weak_ref_get (&w->connection);

  if (self == NULL)
    return;
  _tether_worker_post (w, G_CALLBACK (_tether_connection_on_state), self,
                       GINT_TO_POINTER (state), NULL);
  /* The event holds its own reference; the last one is dropped on the owner. */
  _tether_worker_post (w, G_CALLBACK (g_object_unref), self, NULL, NULL);
}

/* Posts @func (connection, data) to the owner if the connection still exists. */
void
_tether_worker_post_to_connection (TetherWorker   *w,
                                   GCallback       func,
                                   gpointer        data,
                                   GDestroyNotify  data_free)
{
  TetherConnection *self = g_weak_ref_get (&w->connection);

  if (self == NULL) {
    if (data_free != NULL && data != NULL)
      data_free (data);
    return;
  }
  _tether_worker_post (w, func, self, data, data_free);
  _tether_worker_post (w, G_CALLBACK (g_object_unref), self, NULL, NULL);
}

void
_tether_worker_post_n_channels (TetherWorker *w)
{
  _tether_worker_post_to_connection (w, G_CALLBACK (_tether_connection_on_n_channels),
                                     GUINT_TO_POINTER (g_hash_table_size (w->channels)), NULL);
}

/* ------------------------------------------------------------------------- */
/* Failing                                                                   */

void
_tether_worker_fail_connect (TetherWorker *w,
                             GError       *error)
{
  ConnectResult *result = g_new0 (ConnectResult, 1);

  result->error = error;
  if (w->session != NULL)
    result->banner = g_strdup (ssh_get_serverbanner (w->session));
  _tether_worker_post_to_connection (w, G_CALLBACK (_tether_connection_on_connect_done), result,
                                     (GDestroyNotify) _tether_connection_connect_result_free);
  w->phase = PHASE_DONE;
  _tether_worker_teardown (w, NULL);
}

GError *
_tether_worker_session_error (TetherWorker *w,
                              const char   *what)
{
  const char *detail = w->session ? ssh_get_error (w->session) : NULL;

  if (detail == NULL || *detail == '\0')
    detail = "the server closed the connection";
  return g_error_new (TETHER_ERROR, TETHER_ERROR_DISCONNECTED, _("%s %s:%u failed: %s."),
                      what, w->hostname, w->port, detail);
}

typedef struct
{
  void (*func) (gpointer data);
  gpointer data;
} TeardownHook;

gboolean
_tether_worker_add_teardown_hook (TetherWorker  *w,
                                  void         (*func) (gpointer data),
                                  gpointer       data)
{
  TeardownHook *hook;

  if (w->quit)
    return FALSE;
  hook = g_new0 (TeardownHook, 1);
  hook->func = func;
  hook->data = data;
  g_queue_push_tail (&w->teardown_hooks, hook);
  return TRUE;
}

gboolean
_tether_worker_remove_teardown_hook (TetherWorker *w,
                                     gpointer      data)
{
  for (GList *l = w->teardown_hooks.head; l != NULL; l = l->next) {
    TeardownHook *hook = l->data;

    if (hook->data == data) {
      g_free (hook);
      g_queue_delete_link (&w->teardown_hooks, l);
      return TRUE;
    }
  }
  return FALSE;
}

void
_tether_worker_teardown (TetherWorker *w,
                         GError       *error)
{
  GHashTableIter iter;
  gpointer key;
  g_autoptr(GError) op_error = NULL;

  if (w->quit) {
    g_clear_error (&error);
    return;
  }

  /* A hook may remove itself or others: take each off the queue before it runs. */
  while (!g_queue_is_empty (&w->teardown_hooks)) {
    TeardownHook *hook = g_queue_pop_head (&w->teardown_hooks);

    hook->func (hook->data);
    g_free (hook);
  }

  op_error = error ? g_error_copy (error)
                   : g_error_new_literal (TETHER_ERROR, TETHER_ERROR_DISCONNECTED,
                                          _("The connection was closed."));
  while (!g_queue_is_empty (&w->opens)) {
    GlobalOp *op = g_queue_pop_head (&w->opens);

    _tether_task_return_error (&op->task, g_error_copy (op_error));
    _tether_connection_global_op_free (op);
  }
  while (!g_queue_is_empty (&w->global_requests)) {
    GlobalOp *op = g_queue_pop_head (&w->global_requests);

    _tether_task_return_error (&op->task, g_error_copy (op_error));
    _tether_connection_global_op_free (op);
  }

  _tether_worker_finish_incoming (w, op_error);
  if (w->channels != NULL) {
    g_hash_table_iter_init (&iter, w->channels);
    while (g_hash_table_iter_next (&iter, &key, NULL)) {
      TetherChannelShared *sh = _tether_channel_get_shared (key);

      /* Pending requests of the channel fail with the connection's reason. */
      if (sh->current_op != NULL && sh->current_op->task != NULL)
        _tether_task_return_error (&sh->current_op->task, g_error_copy (op_error));
      _tether_channel_forget_unsent_ops (sh);
      while (!g_queue_is_empty (&sh->ops)) {
        TetherChannelOp *op = g_queue_pop_head (&sh->ops);

        if (op->task != NULL)
          _tether_task_return_error (&op->task, g_error_copy (op_error));
        _tether_channel_op_free (op);
      }
      _tether_channel_finish (key, error);
      g_hash_table_iter_remove (&iter);
    }
    _tether_worker_post_n_channels (w);
  }

  if (w->session != NULL && w->fd_attached) {
    /* ssh_disconnect forgets a descriptor set with SSH_OPTIONS_FD without
     * closing it, and libssh may have closed it already on an error. */
    socket_t fd = ssh_get_fd (w->session);

    ssh_disconnect (w->session);
    if (fd != SSH_INVALID_SOCKET)
      close (fd);
  }

  /* The final values of the counters come before ::closed. */
  _tether_worker_post_counters (w);
  if (w->phase == PHASE_READY || w->phase == PHASE_DONE) {
    _tether_worker_post_to_connection (w, G_CALLBACK (_tether_connection_on_closed),
                                       error, error ? (GDestroyNotify) g_error_free
                                                    : NULL);
    error = NULL;
  }
  g_clear_error (&error);
  w->phase = PHASE_DONE;
  w->quit = TRUE;
  g_main_context_wakeup (w->ctx);
}

static void
update_poll_events (TetherWorker *w)
{
  GIOCondition events = G_IO_IN | G_IO_ERR | G_IO_HUP;

  if (w->session != NULL && (ssh_get_poll_flags (w->session) & SSH_WRITE_PENDING))
    events |= G_IO_OUT;
  if (w->fd_source != NULL && events != w->fd_events) {
    g_source_modify_unix_fd (w->fd_source, w->fd_tag, events);
    w->fd_events = events;
  }
}

/* Posts notify for the counters of the connection and its channels that changed since
 * the last time; TRUE when any did. */
gboolean
_tether_worker_post_counters (TetherWorker *w)
{
  GHashTableIter iter;
  gpointer key;
  guint changed = 0;
  gboolean any;

  if (w->sent.out_bytes != w->notified_sent)
    changed |= TETHER_COUNTER_SENT;
  if (w->received.in_bytes != w->notified_received)
    changed |= TETHER_COUNTER_RECEIVED;
  w->notified_sent = w->sent.out_bytes;
  w->notified_received = w->received.in_bytes;
  if (changed != 0)
    _tether_worker_post_to_connection (w, G_CALLBACK (_tether_connection_on_counters),
                                       GUINT_TO_POINTER (changed), NULL);
  any = changed != 0;
  if (w->channels != NULL) {
    g_hash_table_iter_init (&iter, w->channels);
    while (g_hash_table_iter_next (&iter, &key, NULL))
      any |= _tether_channel_post_counters (key);
  }
  return any;
}

static gboolean
counters_cb (gpointer data)
{
  TetherWorker *w = data;

  if (!w->quit && _tether_worker_post_counters (w))
    return G_SOURCE_CONTINUE;
  /* Quiet for a whole interval: stop until the next change. */
  g_clear_pointer (&w->counters_source, g_source_unref);
  return G_SOURCE_REMOVE;
}

/* Notifies changed counters every TETHER_COUNTERS_NOTIFY_MS while they change. */
void
_tether_worker_watch_counters (TetherWorker *w)
{
  if (w->counters_source != NULL ||
      (w->sent.out_bytes == w->notified_sent && w->received.in_bytes == w->notified_received))
    return;
  w->counters_source = g_timeout_source_new (TETHER_COUNTERS_NOTIFY_MS);
  g_source_set_callback (w->counters_source, counters_cb, w, NULL);
  g_source_set_static_name (w->counters_source, "[tether] counters");
  g_source_attach (w->counters_source, w->ctx);
}

void
_tether_worker_login_timer_stop (TetherWorker *w)
{
  destroy_source (&w->timeout_source);
}

/* ------------------------------------------------------------------------- */
/* The worker's main step                                                    */

void
_tether_worker_process (TetherWorker *w)
{
  int rc;

  if (w->quit)
    return;

  switch (w->phase) {
  case PHASE_BANNER:
    {
      GError *error = NULL;

      if (!w->client_banner_sent && !_tether_worker_send_client_banner (w)) {
        _tether_worker_fail_connect (w, _tether_worker_handshake_error (w));
        return;
      }
      switch (ssh_get_serverbanner (w->session) != NULL ? BANNER_FOUND
                                                        : _tether_worker_step_banner (w, &error)) {
      case BANNER_WAIT:
        goto out;
      case BANNER_FAILED:
        _tether_worker_fail_connect (w, error);
        return;
      case BANNER_FOUND:
      default:
        break;
      }
      w->phase = PHASE_HANDSHAKE;
      _tether_worker_login_timer_start (w);
    }
    G_GNUC_FALLTHROUGH;
  case PHASE_HANDSHAKE:
    w->fd_attached = TRUE;
    rc = ssh_connect (w->session);
    if (rc == SSH_AGAIN)
      break;
    if (rc != SSH_OK) {
      _tether_worker_fail_connect (w, _tether_worker_handshake_error (w));
      return;
    }
    w->phase = PHASE_HOST_KEY;
    G_GNUC_FALLTHROUGH;
  case PHASE_HOST_KEY:
    _tether_worker_step_host_key (w);
    if (w->phase != PHASE_AUTH_NONE)
      break;
    G_GNUC_FALLTHROUGH;
  case PHASE_AUTH_NONE:
  case PHASE_AUTH_AGENT:
  case PHASE_AUTH_KEYS:
  case PHASE_AUTH_KBDINT:
  case PHASE_AUTH_PASSWORD:
  case PHASE_AUTH_END:
    _tether_worker_step_auth (w);
    if (w->phase != PHASE_READY)
      break;
    G_GNUC_FALLTHROUGH;
  case PHASE_READY:
    _tether_worker_step_ready (w);
    break;
  case PHASE_IDLE:
  case PHASE_WAIT:
  case PHASE_DONE:
  default:
    break;
  }

out:
  if (!w->quit)
    update_poll_events (w);
}

/* After login sshd sends some replies in two segments, and Nagle holds the second until our
 * ACK, which Linux delays by 40 ms: the first channel open took 43 ms instead of 2. Ask for
 * quick ACKs; the kernel leaves that mode on its own, so renew it on each wake. On a socket
 * pair (ProxyCommand, ProxyJump) the call fails, harmlessly. */
static void
request_quick_ack (TetherWorker *w)
{
#ifdef TCP_QUICKACK
  int on = 1;
  /* libssh may have closed w->fd on an error; it reports -1 then. */
  socket_t fd = w->fd_attached ? ssh_get_fd (w->session) : w->fd;

  if (fd != SSH_INVALID_SOCKET)
    setsockopt (fd, IPPROTO_TCP, TCP_QUICKACK, &on, sizeof on);
#endif
}

static gboolean
fd_dispatch (GSource     *source,
             GSourceFunc  callback,
             gpointer     user_data)
{
  TetherWorker *w = user_data;

  if (w->phase == PHASE_WAIT || w->phase == PHASE_IDLE) {
    /* Nothing to do until the user answers; keep the socket drained of
     * nothing, but notice a server that hangs up while we wait. */
    GIOCondition revents = g_source_query_unix_fd (source, w->fd_tag);

    if (revents & (G_IO_HUP | G_IO_ERR)) {
      _tether_worker_fail_connect (w, _tether_worker_session_error (w, _("Connecting to")));
      return G_SOURCE_REMOVE;
    }
    /* Stop watching until the answer comes, or this would spin. */
    g_source_modify_unix_fd (source, w->fd_tag, 0);
    w->fd_events = 0;
    return G_SOURCE_CONTINUE;
  }
  request_quick_ack (w);
  _tether_worker_process (w);
  return w->quit ? G_SOURCE_REMOVE : G_SOURCE_CONTINUE;
}

static GSourceFuncs fd_source_funcs = {
  NULL, NULL, fd_dispatch, NULL, NULL, NULL,
};

static guint
login_timeout (TetherWorker *w)
{
  return w->connect_timeout > 0 ? w->connect_timeout : TETHER_DEFAULT_LOGIN_TIMEOUT;
}

/* The login waits on the server (not on the user) for longer than the timeout. */
static gboolean
login_timeout_cb (gpointer user_data)
{
  TetherWorker *w = user_data;
  guint seconds = login_timeout (w);
  GError *error;

  g_clear_pointer (&w->timeout_source, g_source_unref);
  if (w->phase == PHASE_BANNER)
    error = g_error_new (TETHER_ERROR, TETHER_ERROR_TIMED_OUT,
                         _("The server at %s:%u accepted the connection but sent no SSH "
                         "banner within %u seconds."), w->hostname, w->port, seconds);
  else if (w->phase == PHASE_HANDSHAKE || w->phase == PHASE_HOST_KEY)
    error = g_error_new (TETHER_ERROR, TETHER_ERROR_TIMED_OUT,
                         _("The server at %s:%u sent its banner but did not answer the key "
                         "exchange within %u seconds."), w->hostname, w->port, seconds);
  else if (PHASE_IS_AUTH (w->phase))
    error = g_error_new (TETHER_ERROR, TETHER_ERROR_TIMED_OUT,
                         _("The server at %s:%u did not answer the login within %u seconds."),
                         w->hostname, w->port, seconds);
  else
    return G_SOURCE_REMOVE;   /* not waiting on the server */
  _tether_worker_fail_connect (w, error);
  return G_SOURCE_REMOVE;
}

/* (Re)starts the clock on the server: from the connection, and again each time the user
 * answered a question (the time the user takes does not count). */
void
_tether_worker_login_timer_start (TetherWorker *w)
{
  _tether_worker_login_timer_stop (w);
  w->timeout_source = g_timeout_source_new_seconds (login_timeout (w));
  g_source_set_callback (w->timeout_source, login_timeout_cb, w, NULL);
  g_source_set_static_name (w->timeout_source, "[tether] login timeout");
  g_source_attach (w->timeout_source, w->ctx);
}

static gboolean
keepalive_cb (gpointer user_data)
{
  TetherWorker *w = user_data;

  if (w->phase != PHASE_READY)
    return G_SOURCE_CONTINUE;
  if (w->received.in_bytes == w->last_received)
    w->silent_intervals++;
  else
    w->silent_intervals = 0;
  w->last_received = w->received.in_bytes;
  if (w->silent_intervals > TETHER_SERVER_ALIVE_COUNT_MAX) {
    _tether_worker_teardown (w,
                             g_error_new (TETHER_ERROR, TETHER_ERROR_TIMED_OUT,
                                          _("%s stopped answering: no reply to %u keepalives."),
                                          w->hostname, TETHER_SERVER_ALIVE_COUNT_MAX));
    return G_SOURCE_REMOVE;
  }
  /* A keepalive answer would confuse libssh's one pending global request: send one only
   * when no request waits and the last keepalive's answer is in. */
  if (g_queue_is_empty (&w->global_requests) && _tether_worker_collect_keepalive_answer (w, NULL)) {
    ssh_send_keepalive (w->session);
    w->keepalive_pending = TRUE;
  }
  update_poll_events (w);
  return G_SOURCE_CONTINUE;
}

static void
worker_begin (TetherWorker *w,
              gpointer      data)
{
  w->fd_source = g_source_new (&fd_source_funcs, sizeof (GSource));
  g_source_set_callback (w->fd_source, NULL, w, NULL);
  g_source_set_static_name (w->fd_source, "[tether] ssh socket");
  w->fd_events = G_IO_IN | G_IO_ERR | G_IO_HUP;
  w->fd_tag = g_source_add_unix_fd (w->fd_source, w->fd, w->fd_events);
  g_source_attach (w->fd_source, w->ctx);

  _tether_worker_login_timer_start (w);
  if (w->server_alive_interval > 0) {
    w->keepalive_source = g_timeout_source_new_seconds (w->server_alive_interval);
    g_source_set_callback (w->keepalive_source, keepalive_cb, w, NULL);
    g_source_attach (w->keepalive_source, w->ctx);
  }

  w->phase = PHASE_BANNER;
  _tether_worker_process (w);
}

static gboolean
cpu_has_aes (void)
{
  static gsize once = 0;
  static gboolean has = FALSE;

  if (g_once_init_enter (&once)) {
    g_autofree char *cpuinfo = NULL;

    if (g_file_get_contents ("/proc/cpuinfo", &cpuinfo, NULL, NULL))
      has = strstr (cpuinfo, " aes ") != NULL || strstr (cpuinfo, " aes\n") != NULL;
    g_once_init_leave (&once, 1);
  }
  return has;
}

static TetherWorker *
worker_new (TetherConnection  *self,
            int                fd,
            GError           **error)
{
  TetherWorker *w = g_atomic_rc_box_new0 (TetherWorker);
  TetherHost *host = self->host;
  g_autofree char *user = tether_host_dup_effective_user (host);
  /* AES-GCM is the fastest on CPUs with AES instructions; chacha20 elsewhere.
   * CTR and CBC stay for older servers (Dropbear on routers). */
  const char *ciphers = cpu_has_aes ()
    ? "aes256-gcm@openssh.com,aes128-gcm@openssh.com,chacha20-poly1305@openssh.com,"
      "aes256-ctr,aes192-ctr,aes128-ctr,aes256-cbc,aes192-cbc,aes128-cbc"
    : "chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-gcm@openssh.com,"
      "aes256-ctr,aes192-ctr,aes128-ctr,aes256-cbc,aes192-cbc,aes128-cbc";
  int on = 1;
  int off = 0;
  unsigned int port;

  w->ctx = g_main_context_new ();
  w->owner_ctx = g_main_context_ref (self->owner_ctx);
  g_weak_ref_init (&w->connection, self);
  g_mutex_init (&w->event_lock);
  w->fd = fd;
  w->channels = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
  w->scratch = g_malloc (TETHER_CHANNEL_BULK_READ_CHUNK);
  w->tried = g_string_new (NULL);
  w->hostname = g_strdup (tether_host_get_hostname (host));
  w->port = tether_host_get_port (host);
  w->user = g_strdup (user);
  w->known_hosts_file = tether_host_get_known_hosts_file (host)
    ? g_strdup (tether_host_get_known_hosts_file (host))
    : g_build_filename (g_get_home_dir (), ".ssh", "known_hosts", NULL);
  w->identity_files = g_strdupv ((char **) tether_host_get_identity_files (host));
  w->certificate_files = g_strdupv ((char **) tether_host_get_certificate_files (host));
  w->identities_only = tether_host_get_identities_only (host);
  w->server_alive_interval = tether_host_get_server_alive_interval (host);
  w->connect_timeout = tether_host_get_connect_timeout (host);
  w->has_interaction = self->interaction != NULL;
  _tether_worker_set_auth_order (w, tether_host_get_preferred_authentications (host));

  w->session = ssh_new ();
  port = w->port;
  if (w->session == NULL ||
      ssh_options_set (w->session, SSH_OPTIONS_PROCESS_CONFIG, &off) < 0 ||
      ssh_options_set (w->session, SSH_OPTIONS_HOST, w->hostname) < 0 ||
      ssh_options_set (w->session, SSH_OPTIONS_PORT, &port) < 0 ||
      ssh_options_set (w->session, SSH_OPTIONS_USER, w->user) < 0 ||
      ssh_options_set (w->session, SSH_OPTIONS_FD, &w->fd) < 0 ||
      ssh_options_set (w->session, SSH_OPTIONS_NODELAY, &on) < 0 ||
      ssh_options_set (w->session, SSH_OPTIONS_KNOWNHOSTS, w->known_hosts_file) < 0 ||
      ssh_options_set (w->session, SSH_OPTIONS_GLOBAL_KNOWNHOSTS,
                       TETHER_GLOBAL_KNOWN_HOSTS) < 0 ||
      ssh_options_set (w->session, SSH_OPTIONS_CIPHERS_C_S, ciphers) < 0 ||
      ssh_options_set (w->session, SSH_OPTIONS_CIPHERS_S_C, ciphers) < 0) {
    g_set_error (error, TETHER_ERROR, TETHER_ERROR_CONFIG,
                 _("The connection to %s could not be set up: %s."), w->hostname,
                 w->session ? ssh_get_error (w->session) : _("out of memory"));
    _tether_worker_unref (w);
    return NULL;
  }
  ssh_set_blocking (w->session, 0);
  ssh_set_counters (w->session, &w->sent, &w->received);
  return w;
}

/* Starts the worker on @fd, which it owns from now on. */
void
_tether_connection_start_worker (TetherConnection *self,
                                 int               fd)
{
  g_autoptr(GError) error = NULL;
  TetherWorker *w = worker_new (self, fd, &error);

  if (w == NULL) {
    g_autoptr(GTask) task = g_steal_pointer (&self->connect_task);

    _tether_connection_forget_caller_cancellable (self);
    _tether_connection_close_transport (self);
    _tether_connection_set_state (self, TETHER_CONNECTION_STATE_CLOSED);
    g_task_return_error (task, g_steal_pointer (&error));
    return;
  }
  self->worker = w;
  g_thread_unref (g_thread_new ("tether-ssh", worker_thread, _tether_worker_ref (w)));
  _tether_worker_invoke (w, worker_begin, NULL, NULL);
}

TetherWorker *
_tether_connection_get_worker (TetherConnection *self)
{
  return self->worker;
}

static void
channel_op_on_worker (TetherWorker *w,
                      gpointer      data)
{
  GPtrArray *args = data;
  TetherChannel *channel = g_ptr_array_index (args, 0);
  TetherChannelOp *op = g_ptr_array_index (args, 1);
  TetherChannelShared *sh = _tether_channel_get_shared (channel);

  g_ptr_array_index (args, 1) = NULL;
  if (sh->ssh == NULL || w->quit) {
    _tether_channel_op_mark_sent (sh, op);
    if (op->task != NULL)
      _tether_task_return_new_error (&op->task, TETHER_ERROR, TETHER_ERROR_DISCONNECTED,
                               _("The channel is closed."));
    _tether_channel_op_free (op);
    return;
  }
  g_queue_push_tail (&sh->ops, op);
  _tether_worker_process (w);
}

static void
channel_op_args_free (GPtrArray *args)
{
  if (g_ptr_array_index (args, 1) != NULL) {
    /* Never reached the worker: it holds nothing back. */
    _tether_channel_op_mark_sent (_tether_channel_get_shared (g_ptr_array_index (args, 0)),
                                  g_ptr_array_index (args, 1));
    _tether_channel_op_free (g_ptr_array_index (args, 1));
  }
  g_object_unref (g_ptr_array_index (args, 0));
  g_ptr_array_unref (args);
}

void
_tether_worker_submit_channel_op (TetherWorker    *worker,
                                  TetherChannel   *channel,
                                  TetherChannelOp *op)
{
  TetherChannelShared *sh;
  GPtrArray *args;

  if (worker == NULL) {
    if (op->task != NULL)
      _tether_task_return_new_error (&op->task, TETHER_ERROR, TETHER_ERROR_DISCONNECTED,
                               _("The channel is closed."));
    _tether_channel_op_free (op);
    return;
  }
  /* The op takes its place among the writes now, not when the worker gets it. */
  sh = _tether_channel_get_shared (channel);
  g_mutex_lock (&sh->lock);
  op->data_mark = sh->out_total;
  g_queue_push_tail (&sh->unsent_ops, op);
  g_mutex_unlock (&sh->lock);
  args = g_ptr_array_sized_new (2);
  g_ptr_array_add (args, g_object_ref (channel));
  g_ptr_array_add (args, op);
  _tether_worker_invoke (worker, channel_op_on_worker, args, (GDestroyNotify) channel_op_args_free);
}

void
_tether_worker_close_channel (TetherWorker  *worker,
                              TetherChannel *channel)
{
  _tether_worker_wake (worker);
}
