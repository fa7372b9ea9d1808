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

/* OpenSSH's NumberOfPasswordPrompts default. */
#define TETHER_PASSWORD_ATTEMPTS 3
/* Attempts at a key's passphrase before going on to the next key. */
#define TETHER_PASSPHRASE_ATTEMPTS 3
/* Keyboard-interactive rounds before giving up: PAM conversations are short. */
#define TETHER_KBDINT_ROUNDS 8
/* Keepalives without any answer before the server counts as gone (ServerAliveCountMax). */
#define TETHER_SERVER_ALIVE_COUNT_MAX 3
/* libssh reads 4 KiB per poll; this many reads per wake-up keeps bulk
 * transfers moving without starving the channels' queues. */
#define TETHER_READS_PER_WAKE 64
/* Passes over the pending steps per wake-up while they keep moving (bulk traffic): then the
 * worker lets its other sources (new requests, closes) run and comes back. */
#define TETHER_PASSES_PER_WAKE 16
/* Counters (bytes, windows) notify at most this often: about 4 times a second is enough for
 * a person to read and costs the owner's main loop nothing under bulk traffic. */
#define TETHER_COUNTERS_NOTIFY_MS 250
#define TETHER_GLOBAL_KNOWN_HOSTS "/etc/ssh/ssh_known_hosts"
/* How long the server may take over each step of the login (banner, key exchange, each
 * authentication answer) without ConnectTimeout: a black-holed server must not hang us. */
#define TETHER_DEFAULT_LOGIN_TIMEOUT 30
/* OpenSSH's limit on the lines a server may send before its banner (SSH_MAX_PRE_BANNER_LINES). */
#define TETHER_MAX_PRE_BANNER_LINES 1024
/* How every SSH banner starts (RFC 4253 section 4.2). */
#define TETHER_BANNER_PREFIX "SSH-"
/* OpenSSH's limit on one line before or of the banner (SSH_MAX_BANNER_LEN). */
#define TETHER_MAX_BANNER_LINE 8192
/* SO_RCVLOWAT while libssh sends our banner: more than a server's first segment, yet small
 * enough that Linux does not grow the receive buffer and clamp the window to it. */
#define TETHER_BANNER_HOLD_LOWAT (16 * 1024)

/* SSH_MSG_CHANNEL_OPEN_FAILURE reason codes (RFC 4254 section 5.1). */
#define TETHER_OPEN_ADMINISTRATIVELY_PROHIBITED 1
#define TETHER_OPEN_CONNECT_FAILED 2
#define TETHER_OPEN_UNKNOWN_CHANNEL_TYPE 3
#define TETHER_OPEN_RESOURCE_SHORTAGE 4

typedef enum {
  PHASE_IDLE,
  PHASE_BANNER,            /* lines before the server's banner, read by Tether */
  PHASE_HANDSHAKE,
  PHASE_HOST_KEY,
  PHASE_WAIT,              /* for the user: host key, passphrase, password */
  PHASE_AUTH_NONE,
  PHASE_AUTH_AGENT,
  PHASE_AUTH_KEYS,
  PHASE_AUTH_KBDINT,
  PHASE_AUTH_PASSWORD,
  PHASE_AUTH_END,          /* every method tried */
  PHASE_READY,
  PHASE_DONE,
} Phase;

typedef enum {
  KEY_START,
  KEY_PROBE,
  KEY_LOAD,
  KEY_SIGN,
} KeyStep;

typedef enum {
  GLOBAL_OP_OPEN_SESSION,
  GLOBAL_OP_OPEN_DIRECT_TCPIP,
  GLOBAL_OP_LISTEN_FORWARD,
  GLOBAL_OP_CANCEL_FORWARD,
  GLOBAL_OP_KEEPALIVE,
} GlobalOpKind;

typedef struct
{
  GlobalOpKind kind;
  GTask *task;
  ssh_channel ssh;
  char *host;
  guint port;
  char *orig_host;
  guint orig_port;
  gboolean started;
  gboolean no_reply;            /* done once sent; libssh still reads the answer */
  gboolean as_boolean;          /* from send_global_request: the task returns a boolean */
} GlobalOp;

typedef struct
{
  GCallback func;
  gpointer object;
  gpointer data;
  GDestroyNotify data_free;
} Event;

struct _TetherWorker
{
  GMainContext *ctx;
  GMainContext *owner_ctx;
  GWeakRef connection;

  GMutex event_lock;
  GQueue events;
  gboolean thread_done;         /* under event_lock: nothing may be attached to ctx then */
  gboolean events_scheduled;
  gint wake_pending;

  /* worker */
  gboolean quit;
  Phase phase;
  Phase resume_phase;
  ssh_session session;
  ssh_event event;
  int fd;                       /* ours until ssh_connect hands it to libssh */
  gboolean fd_attached;
  GSource *fd_source;
  gpointer fd_tag;
  GIOCondition fd_events;
  GSource *timeout_source;
  GSource *keepalive_source;
  GSource *counters_source;     /* while the counters change */
  GSource *deadline_source;     /* wakes the worker at the earliest deadline asked for */
  guint64 notified_sent;
  guint64 notified_received;
  GHashTable *channels;         /* TetherChannel -> NULL, strong refs */
  GQueue opens;                 /* GlobalOp, run side by side */
  GQueue global_requests;       /* GlobalOp, one at a time as libssh requires */
  GQueue incoming;              /* IncomingOpen, waiting for the owner */
  guint64 last_incoming_id;
  guint8 *scratch;
  struct ssh_counter_struct sent;
  struct ssh_counter_struct received;
  guint64 last_received;
  guint silent_intervals;
  gboolean keepalive_pending;   /* libssh holds a keepalive's answer for the next request */
  gboolean closed_locally;

  /* settings, copied from the host so the worker never touches it */
  char *hostname;
  guint port;
  char *user;
  char *host_key_fingerprint;
  char *known_hosts_file;
  GStrv identity_files;
  GStrv certificate_files;
  gboolean identities_only;
  guint server_alive_interval;
  guint connect_timeout;
  gboolean has_interaction;
  guint pre_banner_lines;
  gboolean client_banner_sent;

  /* the host key the user is being asked about */
  struct _HostKeyCheck *pending_host_key;

  /* authentication */
  Phase auth_order[PHASE_AUTH_END - PHASE_AUTH_AGENT + 1];   /* ends with PHASE_AUTH_END */
  guint auth_index;
  gboolean user_declined;
  int methods;
  GString *tried;
  guint key_index;
  KeyStep key_step;
  ssh_key key_public;
  ssh_key key_cert;
  ssh_key key_private;
  char *passphrase;
  guint passphrase_attempts;
  gboolean needs_passphrase;
  char *password;
  guint password_attempts;
  guint kbdint_rounds;
  GStrv kbdint_answers;
  gboolean kbdint_pending_answers;
  GError *wait_error;
};

struct _TetherConnection
{
  GObject parent_instance;

  TetherHost *host;
  TetherInteraction *interaction;
  TetherConnectionState state;
  char *server_banner;
  char *host_key_fingerprint;
  char *cipher;
  GMainContext *owner_ctx;

  TetherWorker *worker;
  GTask *connect_task;
  GCancellable *cancellable;    /* for the interaction's prompts */
  GCancellable *caller_cancellable;   /* the one given to connect_async */
  gulong caller_cancelled_id;
  GSocketConnection *socket_connection;
  GSubprocess *proxy_process;
  TetherConnection *jump;
  guint n_channels;
};

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

enum {
  SIGNAL_CLOSED,
  SIGNAL_INCOMING_CHANNEL,
  SIGNAL_GLOBAL_REQUEST,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void worker_process (TetherWorker *w);
static void worker_teardown (TetherWorker *w, GError *error);
static void login_timer_start (TetherWorker *w);
static void login_timer_stop (TetherWorker *w);
struct _IncomingOpen;
static void incoming_open_free (struct _IncomingOpen *incoming);
static void finish_incoming (TetherWorker *w, const GError *error);

/* ------------------------------------------------------------------------- */
/* Worker life                                                               */

static gboolean post_counters (TetherWorker *w);

static void
global_op_free (GlobalOp *op)
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

static void
secret_free (char *secret)
{
  if (secret != NULL)
    {
      explicit_bzero (secret, strlen (secret));
      g_free (secret);
    }
}

static void
clear_key_state (TetherWorker *w)
{
  g_clear_pointer (&w->key_public, ssh_key_free);
  g_clear_pointer (&w->key_cert, ssh_key_free);
  g_clear_pointer (&w->key_private, ssh_key_free);
  g_clear_pointer (&w->passphrase, secret_free);
  w->passphrase_attempts = 0;
  w->needs_passphrase = FALSE;
}

static void host_key_check_free (struct _HostKeyCheck *check);

static void
worker_clear (TetherWorker *w)
{
  g_clear_pointer (&w->pending_host_key, host_key_check_free);
  g_assert (w->channels == NULL || g_hash_table_size (w->channels) == 0);
  g_clear_pointer (&w->channels, g_hash_table_unref);
  g_queue_clear_full (&w->opens, (GDestroyNotify) global_op_free);
  g_queue_clear_full (&w->global_requests, (GDestroyNotify) global_op_free);
  g_queue_clear_full (&w->events, (GDestroyNotify) event_free);
  g_queue_clear_full (&w->incoming, (GDestroyNotify) incoming_open_free);
  clear_key_state (w);
  if (w->event != NULL)
    {
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
  g_clear_pointer (&w->password, secret_free);
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

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TetherWorker, _tether_worker_unref)

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

static gpointer
worker_thread (gpointer data)
{
  TetherWorker *w = data;

  g_private_set (&current_worker, w);
  g_main_context_push_thread_default (w->ctx);
  while (!w->quit)
    g_main_context_iteration (w->ctx, TRUE);
  if (w->fd_source != NULL)
    {
      g_source_destroy (w->fd_source);
      g_clear_pointer (&w->fd_source, g_source_unref);
    }
  if (w->timeout_source != NULL)
    {
      g_source_destroy (w->timeout_source);
      g_clear_pointer (&w->timeout_source, g_source_unref);
    }
  if (w->keepalive_source != NULL)
    {
      g_source_destroy (w->keepalive_source);
      g_clear_pointer (&w->keepalive_source, g_source_unref);
    }
  if (w->counters_source != NULL)
    {
      g_source_destroy (w->counters_source);
      g_clear_pointer (&w->counters_source, g_source_unref);
    }
  if (w->deadline_source != NULL)
    {
      g_source_destroy (w->deadline_source);
      g_clear_pointer (&w->deadline_source, g_source_unref);
    }
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

  while (!g_queue_is_empty (&events))
    {
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

  if (schedule)
    {
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
  worker_process (w);
  return G_SOURCE_REMOVE;
}

void
_tether_worker_wake (TetherWorker *worker)
{
  if (worker == NULL)
    return;
  if (g_atomic_int_compare_and_exchange (&worker->wake_pending, 0, 1))
    {
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
  worker_process (user_data);
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

  if (worker->deadline_source == NULL)
    {
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

static void
worker_invoke (TetherWorker  *w,
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

/* ------------------------------------------------------------------------- */
/* Owner-side events                                                         */

static void
set_state (TetherConnection      *self,
           TetherConnectionState  state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
on_state (TetherConnection *self,
          gpointer          data)
{
  set_state (self, GPOINTER_TO_INT (data));
}

static void
post_state (TetherWorker          *w,
            TetherConnectionState  state)
{
  TetherConnection *self = g_weak_ref_get (&w->connection);

  if (self == NULL)
    return;
  _tether_worker_post (w, G_CALLBACK (on_state), self, GINT_TO_POINTER (state), NULL);
  /* The event holds its own reference; the last one is dropped on the owner. */
  _tether_worker_post (w, G_CALLBACK (g_object_unref), self, NULL, NULL);
}

/* Posts @func (connection, data) to the owner if the connection still exists. */
static void
post_to_connection (TetherWorker   *w,
                    GCallback       func,
                    gpointer        data,
                    GDestroyNotify  data_free)
{
  TetherConnection *self = g_weak_ref_get (&w->connection);

  if (self == NULL)
    {
      if (data_free != NULL && data != NULL)
        data_free (data);
      return;
    }
  _tether_worker_post (w, func, self, data, data_free);
  _tether_worker_post (w, G_CALLBACK (g_object_unref), self, NULL, NULL);
}

static void
close_transport (TetherConnection *self)
{
  if (self->socket_connection != NULL)
    {
      g_io_stream_close (G_IO_STREAM (self->socket_connection), NULL, NULL);
      g_clear_object (&self->socket_connection);
    }
  if (self->proxy_process != NULL)
    {
      g_subprocess_force_exit (self->proxy_process);
      g_clear_object (&self->proxy_process);
    }
  if (self->jump != NULL)
    {
      tether_connection_close (self->jump);
      g_clear_object (&self->jump);
    }
}

typedef struct
{
  GError *error;
  char *banner;
  char *fingerprint;
  char *cipher;
} ConnectResult;

static void
connect_result_free (ConnectResult *result)
{
  g_clear_error (&result->error);
  g_free (result->banner);
  g_free (result->fingerprint);
  g_free (result->cipher);
  g_free (result);
}

static void forget_caller_cancellable (TetherConnection *self);

static void
on_connect_done (TetherConnection *self,
                 ConnectResult    *result)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->connect_task);

  forget_caller_cancellable (self);

  if (result->banner != NULL)
    {
      g_free (self->server_banner);
      self->server_banner = g_strdup (result->banner);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SERVER_BANNER]);
    }
  if (result->fingerprint != NULL)
    {
      g_free (self->host_key_fingerprint);
      self->host_key_fingerprint = g_strdup (result->fingerprint);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HOST_KEY_FINGERPRINT]);
    }
  if (result->cipher != NULL)
    {
      g_free (self->cipher);
      self->cipher = g_strdup (result->cipher);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CIPHER]);
    }

  if (result->error != NULL)
    {
      close_transport (self);
      set_state (self, TETHER_CONNECTION_STATE_CLOSED);
      if (task != NULL)
        g_task_return_error (task, g_steal_pointer (&result->error));
      return;
    }
  set_state (self, TETHER_CONNECTION_STATE_READY);
  if (task != NULL)
    g_task_return_boolean (task, TRUE);
}

static void
on_closed (TetherConnection *self,
           GError           *error)
{
  gboolean was_ready = self->state == TETHER_CONNECTION_STATE_READY;

  close_transport (self);
  set_state (self, TETHER_CONNECTION_STATE_CLOSED);
  if (was_ready)
    g_signal_emit (self, signals[SIGNAL_CLOSED], 0, error);
}

static void
on_n_channels (TetherConnection *self,
               gpointer          data)
{
  guint n = GPOINTER_TO_UINT (data);

  if (self->n_channels == n)
    return;
  self->n_channels = n;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_CHANNELS]);
}

static void
post_n_channels (TetherWorker *w)
{
  post_to_connection (w, G_CALLBACK (on_n_channels),
                      GUINT_TO_POINTER (g_hash_table_size (w->channels)), NULL);
}

/* ------------------------------------------------------------------------- */
/* Failing                                                                   */

static void
worker_fail_connect (TetherWorker *w,
                     GError       *error)
{
  ConnectResult *result = g_new0 (ConnectResult, 1);

  result->error = error;
  if (w->session != NULL)
    result->banner = g_strdup (ssh_get_serverbanner (w->session));
  post_to_connection (w, G_CALLBACK (on_connect_done), result,
                      (GDestroyNotify) connect_result_free);
  w->phase = PHASE_DONE;
  worker_teardown (w, NULL);
}

static GError *
session_error (TetherWorker *w,
               const char   *what)
{
  const char *detail = w->session ? ssh_get_error (w->session) : NULL;

  if (detail == NULL || *detail == '\0')
    detail = "the server closed the connection";
  return g_error_new (TETHER_ERROR, TETHER_ERROR_DISCONNECTED, _("%s %s:%u failed: %s."),
                      what, w->hostname, w->port, detail);
}

static void
worker_teardown (TetherWorker *w,
                 GError       *error)
{
  GHashTableIter iter;
  gpointer key;
  g_autoptr(GError) op_error = NULL;

  if (w->quit)
    {
      g_clear_error (&error);
      return;
    }

  op_error = error ? g_error_copy (error)
                   : g_error_new_literal (TETHER_ERROR, TETHER_ERROR_DISCONNECTED,
                                          _("The connection was closed."));
  while (!g_queue_is_empty (&w->opens))
    {
      GlobalOp *op = g_queue_pop_head (&w->opens);

      _tether_task_return_error (&op->task, g_error_copy (op_error));
      global_op_free (op);
    }
  while (!g_queue_is_empty (&w->global_requests))
    {
      GlobalOp *op = g_queue_pop_head (&w->global_requests);

      _tether_task_return_error (&op->task, g_error_copy (op_error));
      global_op_free (op);
    }

  finish_incoming (w, op_error);
  if (w->channels != NULL)
    {
      g_hash_table_iter_init (&iter, w->channels);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        {
          TetherChannelShared *sh = _tether_channel_get_shared (key);

          /* Pending requests of the channel fail with the connection's reason. */
          if (sh->current_op != NULL && sh->current_op->task != NULL)
            _tether_task_return_error (&sh->current_op->task, g_error_copy (op_error));
          while (!g_queue_is_empty (&sh->ops))
            {
              TetherChannelOp *op = g_queue_pop_head (&sh->ops);

              if (op->task != NULL)
                _tether_task_return_error (&op->task, g_error_copy (op_error));
              _tether_channel_op_free (op);
            }
          _tether_channel_finish (key, error);
          g_hash_table_iter_remove (&iter);
        }
      post_n_channels (w);
    }

  if (w->session != NULL && w->fd_attached)
    {
      /* ssh_disconnect forgets a descriptor set with SSH_OPTIONS_FD without
       * closing it, and libssh may have closed it already on an error. */
      socket_t fd = ssh_get_fd (w->session);

      ssh_disconnect (w->session);
      if (fd != SSH_INVALID_SOCKET)
        close (fd);
    }

  /* The final values of the counters come before ::closed. */
  post_counters (w);
  if (w->phase == PHASE_READY || w->phase == PHASE_DONE)
    {
      post_to_connection (w, G_CALLBACK (on_closed), error, error ? (GDestroyNotify) g_error_free
                                                                  : NULL);
      error = NULL;
    }
  g_clear_error (&error);
  w->phase = PHASE_DONE;
  w->quit = TRUE;
  g_main_context_wakeup (w->ctx);
}

/* ------------------------------------------------------------------------- */
/* Host key                                                                  */

static const char *
key_type_short (enum ssh_keytypes_e type)
{
  switch (type)
    {
    case SSH_KEYTYPE_ED25519: return "ED25519";
    case SSH_KEYTYPE_RSA: return "RSA";
    case SSH_KEYTYPE_DSS: return "DSA";
    case SSH_KEYTYPE_ECDSA_P256:
    case SSH_KEYTYPE_ECDSA_P384:
    case SSH_KEYTYPE_ECDSA_P521: return "ECDSA";
    default: return "KEY";
    }
}

typedef struct _HostKeyCheck
{
  TetherHostKeyInfo *info;
  char *key_type;
  char *key_base64;
  char *old_key_base64;
  TetherKnownHostsEntry *old_entry;
} HostKeyCheck;

static void
host_key_check_free (HostKeyCheck *check)
{
  g_clear_object (&check->info);
  g_free (check->key_type);
  g_free (check->key_base64);
  g_free (check->old_key_base64);
  g_clear_pointer (&check->old_entry, tether_known_hosts_entry_free);
  g_free (check);
}

static const char *
user_known_hosts (TetherWorker *w)
{
  return w->known_hosts_file;
}

/* Compares the server's key with the user's and the system's known_hosts. */
static HostKeyCheck *
check_host_key (TetherWorker  *w,
                GError       **error)
{
  ssh_key key = NULL;
  g_autofree char *b64 = NULL;
  unsigned char *hash = NULL;
  size_t hash_len = 0;
  g_autofree char *fingerprint = NULL;
  g_autofree char *art = NULL;
  const char *files[] = { user_known_hosts (w), TETHER_GLOBAL_KNOWN_HOSTS };
  TetherHostKeyStatus status = TETHER_HOST_KEY_STATUS_UNKNOWN;
  g_autofree char *old_type = NULL;
  g_autofree char *old_b64 = NULL;
  g_autoptr(TetherKnownHostsEntry) old_entry = NULL;
  const char *where_file = files[0];
  guint where_line = 0;
  const char *type;
  HostKeyCheck *check;
  char *tmp = NULL;

  if (ssh_get_server_publickey (w->session, &key) != SSH_OK)
    {
      g_set_error (error, TETHER_ERROR, TETHER_ERROR_PROTOCOL,
                   _("The server %s did not present a host key."), w->hostname);
      return NULL;
    }
  type = ssh_key_type_to_char (ssh_key_type (key));
  if (ssh_pki_export_pubkey_base64 (key, &tmp) != SSH_OK)
    {
      ssh_key_free (key);
      g_set_error (error, TETHER_ERROR, TETHER_ERROR_PROTOCOL,
                   _("The host key of %s could not be read."), w->hostname);
      return NULL;
    }
  b64 = g_strdup (tmp);
  ssh_string_free_char (tmp);
  fingerprint = tether_known_hosts_fingerprint_from_base64 (b64);
  g_free (w->host_key_fingerprint);
  w->host_key_fingerprint = g_strdup (fingerprint);
  if (ssh_get_publickey_hash (key, SSH_PUBLICKEY_HASH_SHA256, &hash, &hash_len) == SSH_OK)
    {
      gsize blob_len = 0;
      g_autofree guint8 *blob = g_base64_decode (b64, &blob_len);
      g_autofree char *short_type = NULL;
      guint bits = 0;

      if (!tether_known_hosts_describe_key (blob, blob_len, &short_type, &bits))
        short_type = g_strdup (key_type_short (ssh_key_type (key)));
      art = tether_known_hosts_randomart (hash, hash_len, short_type, bits);
      ssh_clean_pubkey_hash (&hash);
    }

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *data = NULL;
      gsize len = 0;
      g_autoptr(TetherKnownHostsEntry) match = NULL;
      TetherKnownHostsStatus s;

      if (files[i] == NULL || !g_file_get_contents (files[i], &data, &len, NULL))
        continue;
      s = tether_known_hosts_check (data, len, w->hostname, w->port, type, b64, &match);
      if (s == TETHER_KNOWN_HOSTS_KNOWN)
        {
          status = TETHER_HOST_KEY_STATUS_KNOWN;
          break;
        }
      if (s == TETHER_KNOWN_HOSTS_REVOKED)
        {
          status = TETHER_HOST_KEY_STATUS_REVOKED;
          where_file = files[i];
          where_line = match ? match->line : 0;
          break;
        }
      if (s == TETHER_KNOWN_HOSTS_CHANGED && status != TETHER_HOST_KEY_STATUS_CHANGED)
        {
          status = TETHER_HOST_KEY_STATUS_CHANGED;
          where_file = files[i];
          where_line = match->line;
          g_free (old_type);
          g_free (old_b64);
          old_type = g_strdup (match->key_type);
          old_b64 = g_strdup (match->key_base64);
          g_clear_pointer (&old_entry, tether_known_hosts_entry_free);
          old_entry = g_steal_pointer (&match);
        }
      else if (s == TETHER_KNOWN_HOSTS_OTHER_TYPE && status == TETHER_HOST_KEY_STATUS_UNKNOWN)
        {
          status = TETHER_HOST_KEY_STATUS_OTHER_TYPE;
          where_file = files[i];
          where_line = match->line;
          old_type = g_strdup (match->key_type);
          old_b64 = g_strdup (match->key_base64);
        }
    }

  check = g_new0 (HostKeyCheck, 1);
  {
    g_autofree char *old_fingerprint =
      old_b64 ? tether_known_hosts_fingerprint_from_base64 (old_b64) : NULL;

    check->info = _tether_host_key_info_new (w->hostname, w->port, type, fingerprint, art,
                                             status, old_type, old_fingerprint,
                                             where_file, where_line);
  }
  check->key_type = g_strdup (type);
  check->key_base64 = g_steal_pointer (&b64);
  check->old_key_base64 = g_steal_pointer (&old_b64);
  check->old_entry = g_steal_pointer (&old_entry);
  ssh_key_free (key);
  return check;
}

static GError *
host_key_error (HostKeyCheck *check)
{
  TetherHostKeyInfo *info = check->info;

  switch (tether_host_key_info_get_status (info))
    {
    case TETHER_HOST_KEY_STATUS_CHANGED:
      return g_error_new (TETHER_ERROR, TETHER_ERROR_HOST_KEY_CHANGED,
                          _("The host key of %s has changed: someone may be intercepting the "
                          "connection, or the server was reinstalled. Expected %s %s (%s line "
                          "%u), the server sent %s %s."),
                          tether_host_key_info_get_hostname (info),
                          tether_host_key_info_get_old_key_type (info),
                          tether_host_key_info_get_old_fingerprint (info),
                          tether_host_key_info_get_known_hosts_file (info),
                          tether_host_key_info_get_known_hosts_line (info),
                          tether_host_key_info_get_key_type (info),
                          tether_host_key_info_get_fingerprint (info));
    case TETHER_HOST_KEY_STATUS_REVOKED:
      return g_error_new (TETHER_ERROR, TETHER_ERROR_HOST_KEY_CHANGED,
                          _("The host key of %s (%s) is marked as revoked in %s line %u."),
                          tether_host_key_info_get_hostname (info),
                          tether_host_key_info_get_fingerprint (info),
                          tether_host_key_info_get_known_hosts_file (info),
                          tether_host_key_info_get_known_hosts_line (info));
    case TETHER_HOST_KEY_STATUS_UNKNOWN:
    case TETHER_HOST_KEY_STATUS_OTHER_TYPE:
    case TETHER_HOST_KEY_STATUS_KNOWN:
    default:
      return g_error_new (TETHER_ERROR, TETHER_ERROR_HOST_KEY_UNKNOWN,
                          _("The host key of %s is not known and was not accepted (%s %s)."),
                          tether_host_key_info_get_hostname (info),
                          tether_host_key_info_get_key_type (info),
                          tether_host_key_info_get_fingerprint (info));
    }
}

static gboolean
save_host_key (TetherWorker  *w,
               HostKeyCheck  *check,
               GError       **error)
{
  TetherHostKeyInfo *info = check->info;
  g_autofree char *line = tether_known_hosts_format_line (w->hostname, w->port,
                                                          check->key_type, check->key_base64,
                                                          FALSE);

  if (tether_host_key_info_get_status (info) == TETHER_HOST_KEY_STATUS_CHANGED &&
      check->old_entry != NULL &&
      g_strcmp0 (tether_host_key_info_get_known_hosts_file (info), user_known_hosts (w)) == 0)
    {
      /* Keep the line's other names (aliases, hashed names) and comment. */
      g_autofree char *replacement =
        tether_known_hosts_entry_format_with_key (check->old_entry, check->key_type,
                                                  check->key_base64);

      return tether_known_hosts_replace_in_file (user_known_hosts (w),
                                                 tether_host_key_info_get_known_hosts_line (info),
                                                 check->old_key_base64, replacement, error);
    }
  return tether_known_hosts_add_to_file (user_known_hosts (w), line, error);
}

typedef struct
{
  TetherHostKeyDecision decision;
  GError *error;
} HostKeyAnswer;

static void
host_key_answered_on_worker (TetherWorker *w,
                             gpointer      data)
{
  HostKeyAnswer *answer = data;
  g_autoptr(GError) error = NULL;
  HostKeyCheck *check = g_steal_pointer (&w->pending_host_key);

  if (w->quit || check == NULL)
    {
      g_clear_pointer (&check, host_key_check_free);
      return;
    }

  if (answer->error != NULL)
    error = g_steal_pointer (&answer->error);
  else if (answer->decision == TETHER_HOST_KEY_DECISION_REJECT)
    error = host_key_error (check);
  else if (answer->decision == TETHER_HOST_KEY_DECISION_ACCEPT_AND_SAVE)
    {
      if (!save_host_key (w, check, &error))
        g_prefix_error (&error, _("The host key could not be saved: "));
    }

  host_key_check_free (check);
  if (error != NULL)
    {
      worker_fail_connect (w, g_steal_pointer (&error));
      return;
    }
  w->phase = PHASE_AUTH_NONE;
  post_state (w, TETHER_CONNECTION_STATE_AUTHENTICATING);
  login_timer_start (w);
  worker_process (w);
}

static void
host_key_answer_free (HostKeyAnswer *answer)
{
  g_clear_error (&answer->error);
  g_free (answer);
}

static void
verify_host_key_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(TetherWorker) w = user_data;
  HostKeyAnswer *answer = g_new0 (HostKeyAnswer, 1);

  answer->decision = tether_interaction_verify_host_key_finish (TETHER_INTERACTION (source),
                                                                result, &answer->error);
  worker_invoke (w, host_key_answered_on_worker, answer, (GDestroyNotify) host_key_answer_free);
}

static void
ask_host_key_on_owner (TetherConnection *self,
                       TetherHostKeyInfo *info)
{
  if (self->interaction == NULL || self->worker == NULL)
    {
      HostKeyAnswer *answer = g_new0 (HostKeyAnswer, 1);

      answer->decision = TETHER_HOST_KEY_DECISION_REJECT;
      if (self->worker != NULL)
        worker_invoke (self->worker, host_key_answered_on_worker, answer,
                       (GDestroyNotify) host_key_answer_free);
      else
        host_key_answer_free (answer);
      return;
    }
  tether_interaction_verify_host_key_async (self->interaction, info, self->cancellable,
                                            verify_host_key_cb, _tether_worker_ref (self->worker));
}

static void
step_host_key (TetherWorker *w)
{
  g_autoptr(GError) error = NULL;
  HostKeyCheck *check = check_host_key (w, &error);
  TetherHostKeyStatus status;

  if (check == NULL)
    {
      worker_fail_connect (w, g_steal_pointer (&error));
      return;
    }
  status = tether_host_key_info_get_status (check->info);
  if (status == TETHER_HOST_KEY_STATUS_KNOWN)
    {
      host_key_check_free (check);
      w->phase = PHASE_AUTH_NONE;
      post_state (w, TETHER_CONNECTION_STATE_AUTHENTICATING);
      return;
    }
  if (status == TETHER_HOST_KEY_STATUS_REVOKED || !w->has_interaction)
    {
      error = host_key_error (check);
      host_key_check_free (check);
      worker_fail_connect (w, g_steal_pointer (&error));
      return;
    }

  /* A connection asks one question at a time: one slot per worker. */
  g_clear_pointer (&w->pending_host_key, host_key_check_free);
  w->pending_host_key = check;
  w->phase = PHASE_WAIT;
  login_timer_stop (w);
  post_to_connection (w, G_CALLBACK (ask_host_key_on_owner), g_object_ref (check->info),
                      g_object_unref);
}

/* ------------------------------------------------------------------------- */
/* Authentication                                                            */

static void
auth_note (TetherWorker *w,
           const char   *format,
           ...) G_GNUC_PRINTF (2, 3);

static void
auth_note (TetherWorker *w,
           const char   *format,
           ...)
{
  va_list args;

  if (w->tried->len > 0)
    g_string_append (w->tried, ", ");
  va_start (args, format);
  g_string_append_vprintf (w->tried, format, args);
  va_end (args);
}

static char *
describe_methods (int methods)
{
  GPtrArray *names = g_ptr_array_new ();

  if (methods & SSH_AUTH_METHOD_PUBLICKEY)
    g_ptr_array_add (names, "publickey");
  if (methods & SSH_AUTH_METHOD_INTERACTIVE)
    g_ptr_array_add (names, "keyboard-interactive");
  if (methods & SSH_AUTH_METHOD_PASSWORD)
    g_ptr_array_add (names, "password");
  if (methods & SSH_AUTH_METHOD_GSSAPI_MIC)
    g_ptr_array_add (names, "gssapi-with-mic");
  if (methods & SSH_AUTH_METHOD_HOSTBASED)
    g_ptr_array_add (names, "hostbased");
  g_ptr_array_add (names, NULL);
  {
    char *joined = names->len > 1 ? g_strjoinv (", ", (char **) names->pdata)
                                  : g_strdup ("none");
    g_ptr_array_free (names, TRUE);
    return joined;
  }
}

static void
on_auth_done (TetherWorker *w)
{
  ConnectResult *result = g_new0 (ConnectResult, 1);
  const char *cipher = ssh_get_cipher_out (w->session);

  clear_key_state (w);
  g_clear_pointer (&w->password, secret_free);
  w->phase = PHASE_READY;
  w->event = ssh_event_new ();
  ssh_event_add_session (w->event, w->session);
  result->banner = g_strdup (ssh_get_serverbanner (w->session));
  result->fingerprint = g_strdup (w->host_key_fingerprint);
  result->cipher = g_strdup (cipher);
  post_to_connection (w, G_CALLBACK (on_connect_done), result,
                      (GDestroyNotify) connect_result_free);
  login_timer_stop (w);
}

/* The next method of the host's order (PreferredAuthentications). */
static void
next_auth_method (TetherWorker *w)
{
  if (w->auth_order[w->auth_index] != PHASE_AUTH_END)
    w->auth_index++;
  w->phase = w->auth_order[w->auth_index];
}

static void
fail_auth (TetherWorker *w)
{
  g_autofree char *offered = describe_methods (w->methods);

  /* Nothing worked and the user said no to a prompt: the user's choice, not a refusal. */
  if (w->user_declined)
    {
      worker_fail_connect (w, g_error_new (TETHER_ERROR, TETHER_ERROR_AUTH_CANCELLED,
                                           _("Login to %s was cancelled. The server accepts: "
                                           "%s; Tether tried: %s."), w->hostname, offered,
                                           w->tried->str));
      return;
    }
  worker_fail_connect (w, g_error_new (TETHER_ERROR, TETHER_ERROR_AUTH_FAILED,
                                       _("Permission denied for %s on %s. The server accepts: %s; "
                                       "Tether tried: %s."),
                                       w->user, w->hostname, offered,
                                       w->tried->len ? w->tried->str : _("nothing it could offer")));
}

static int
passphrase_probe_cb (const char *prompt,
                     char       *buf,
                     size_t      len,
                     int         echo,
                     int         verify,
                     void       *userdata)
{
  TetherWorker *w = userdata;

  w->needs_passphrase = TRUE;
  return -1;
}

/* OpenSSH's default IdentityFile names, as `ssh -G` lists them. */
static const char * const default_key_names[] = {
  "id_rsa", "id_ecdsa", "id_ecdsa_sk", "id_ed25519", "id_ed25519_sk", "id_xmss", "id_dsa", NULL
};

static gboolean
is_default_key_file (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *name = g_path_get_basename (path);
  g_autofree char *ssh_dir = g_build_filename (g_get_home_dir (), ".ssh", NULL);

  return g_str_equal (dir, ssh_dir) && g_strv_contains (default_key_names, name);
}

/* The key files to try: the host's, else OpenSSH's defaults that exist. */
static GStrv
key_files (TetherWorker *w)
{
  static const char * const defaults[] = { "id_ed25519", "id_ecdsa", "id_rsa", NULL };
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  if (w->identity_files != NULL && w->identity_files[0] != NULL)
    return g_strdupv (w->identity_files);
  for (guint i = 0; defaults[i] != NULL; i++)
    {
      g_autofree char *path = g_build_filename (g_get_home_dir (), ".ssh", defaults[i], NULL);

      if (g_file_test (path, G_FILE_TEST_EXISTS))
        g_strv_builder_add (builder, path);
    }
  return g_strv_builder_end (builder);
}

/* The certificate for @key: a CertificateFile, else KEY-cert.pub. */
static ssh_key
load_certificate (TetherWorker *w,
                  const char   *key_path)
{
  g_autofree char *next_to_key = g_strconcat (key_path, "-cert.pub", NULL);
  ssh_key cert = NULL;

  if (ssh_pki_import_cert_file (next_to_key, &cert) == SSH_OK)
    return cert;
  for (guint i = 0; w->certificate_files != NULL && w->certificate_files[i] != NULL; i++)
    if (ssh_pki_import_cert_file (w->certificate_files[i], &cert) == SSH_OK)
      return cert;
  return NULL;
}

static void ask_secret (TetherWorker *w, int kind);
static void next_auth_method (TetherWorker *w);

enum {
  SECRET_PASSPHRASE,
  SECRET_PASSWORD,
  SECRET_KBDINT,
};

static void
next_key (TetherWorker *w)
{
  clear_key_state (w);
  w->key_index++;
  w->key_step = KEY_START;
}

/* Returns TRUE when it must wait for the network or the user. */
static gboolean
step_keys (TetherWorker *w)
{
  g_auto(GStrv) files = key_files (w);

  while (w->key_index < g_strv_length (files))
    {
      const char *path = files[w->key_index];
      g_autofree char *pub_path = NULL;
      int rc;

      switch (w->key_step)
        {
        case KEY_START:
          w->key_cert = load_certificate (w, path);
          pub_path = g_strconcat (path, ".pub", NULL);
          if (w->key_cert == NULL &&
              ssh_pki_import_pubkey_file (pub_path, &w->key_public) != SSH_OK)
            w->key_public = NULL;
          w->key_step = (w->key_cert || w->key_public) ? KEY_PROBE : KEY_LOAD;
          break;

        case KEY_PROBE:
          rc = ssh_userauth_try_publickey (w->session, NULL,
                                           w->key_cert ? w->key_cert : w->key_public);
          if (rc == SSH_AUTH_AGAIN)
            return TRUE;
          if (rc == SSH_AUTH_ERROR)
            return FALSE;
          if (rc != SSH_AUTH_SUCCESS)
            {
              auth_note (w, "%s %s (not accepted)", w->key_cert ? "certificate for" : "key",
                         path);
              next_key (w);
              break;
            }
          w->key_step = KEY_LOAD;
          break;

        case KEY_LOAD:
          w->needs_passphrase = FALSE;
          rc = ssh_pki_import_privkey_file (path, w->passphrase,
                                            w->passphrase ? NULL : passphrase_probe_cb, w,
                                            &w->key_private);
          if (rc == SSH_OK)
            {
              if (w->key_cert != NULL &&
                  ssh_pki_copy_cert_to_privkey (w->key_cert, w->key_private) != SSH_OK)
                {
                  auth_note (w, "certificate for %s (does not match the key)", path);
                  next_key (w);
                  break;
                }
              w->key_step = KEY_SIGN;
              break;
            }
          w->key_private = NULL;
          if (!g_file_test (path, G_FILE_TEST_EXISTS))
            {
              /* ssh -G lists every default key file whether it exists or not. */
              if (!is_default_key_file (path))
                auth_note (w, "key %s (no such file)", path);
              next_key (w);
              break;
            }
          if ((w->needs_passphrase || w->passphrase != NULL) && w->has_interaction &&
              w->passphrase_attempts < TETHER_PASSPHRASE_ATTEMPTS)
            {
              g_clear_pointer (&w->passphrase, secret_free);
              ask_secret (w, SECRET_PASSPHRASE);
              return TRUE;
            }
          auth_note (w, "key %s (%s)", path,
                     w->needs_passphrase || w->passphrase_attempts > 0
                       ? "passphrase not given" : "could not be read");
          next_key (w);
          break;

        case KEY_SIGN:
          rc = ssh_userauth_publickey (w->session, NULL, w->key_private);
          if (rc == SSH_AUTH_AGAIN)
            return TRUE;
          if (rc == SSH_AUTH_SUCCESS)
            {
              on_auth_done (w);
              return TRUE;
            }
          if (rc == SSH_AUTH_ERROR)
            return FALSE;
          auth_note (w, "%s %s (refused)", w->key_cert ? "certificate for" : "key", path);
          next_key (w);
          break;
        }
    }
  return FALSE;
}

typedef struct
{
  int kind;
  char *secret;
  GStrv answers;
  GError *error;
} SecretAnswer;

static void
secret_answer_free (SecretAnswer *answer)
{
  secret_free (answer->secret);
  if (answer->answers != NULL)
    {
      for (guint i = 0; answer->answers[i] != NULL; i++)
        explicit_bzero (answer->answers[i], strlen (answer->answers[i]));
      g_strfreev (answer->answers);
    }
  g_clear_error (&answer->error);
  g_free (answer);
}

static void
secret_answered_on_worker (TetherWorker *w,
                           gpointer      data)
{
  SecretAnswer *answer = data;

  if (w->quit || w->phase != PHASE_WAIT)
    return;

  if (answer->error != NULL)
    {
      worker_fail_connect (w, g_steal_pointer (&answer->error));
      return;
    }
  w->phase = w->resume_phase;
  login_timer_start (w);
  switch (answer->kind)
    {
    case SECRET_PASSPHRASE:
      w->passphrase_attempts++;
      if (answer->secret == NULL)
        {
          /* Cancelled: skip this key, as OpenSSH does on an empty answer. */
          auth_note (w, "key (passphrase not given)");
          next_key (w);
        }
      else
        w->passphrase = g_steal_pointer (&answer->secret);
      break;
    case SECRET_PASSWORD:
      if (answer->secret == NULL)
        {
          /* Declined: on to the next method. Only the cancellable cancels the login. */
          auth_note (w, "password (declined)");
          w->user_declined = TRUE;
          next_auth_method (w);
          break;
        }
      w->password = g_steal_pointer (&answer->secret);
      break;
    case SECRET_KBDINT:
      if (answer->answers == NULL)
        {
          /* A new request abandons the exchange (RFC 4252 section 5). */
          auth_note (w, "keyboard-interactive (declined)");
          w->user_declined = TRUE;
          w->kbdint_rounds = TETHER_KBDINT_ROUNDS;
          next_auth_method (w);
          break;
        }
      w->kbdint_answers = g_steal_pointer (&answer->answers);
      w->kbdint_pending_answers = TRUE;
      break;
    default:
      g_assert_not_reached ();
    }
  worker_process (w);
}

typedef struct
{
  TetherWorker *worker;
  int kind;
} SecretRequest;

static void
secret_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  SecretRequest *request = user_data;
  SecretAnswer *answer = g_new0 (SecretAnswer, 1);
  TetherInteraction *interaction = TETHER_INTERACTION (source);

  answer->kind = request->kind;
  switch (request->kind)
    {
    case SECRET_PASSPHRASE:
      answer->secret = tether_interaction_ask_passphrase_finish (interaction, result,
                                                                 &answer->error);
      break;
    case SECRET_PASSWORD:
      answer->secret = tether_interaction_ask_password_finish (interaction, result,
                                                               &answer->error);
      break;
    case SECRET_KBDINT:
      answer->answers = tether_interaction_ask_kbd_interactive_finish (interaction, result,
                                                                       &answer->error);
      break;
    default:
      g_assert_not_reached ();
    }
  if (answer->error != NULL && g_error_matches (answer->error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_clear_error (&answer->error);
      answer->error = g_error_new_literal (TETHER_ERROR, TETHER_ERROR_AUTH_CANCELLED,
                                           _("Login was cancelled."));
    }
  worker_invoke (request->worker, secret_answered_on_worker, answer,
                 (GDestroyNotify) secret_answer_free);
  _tether_worker_unref (request->worker);
  g_free (request);
}

typedef struct
{
  int kind;
  char *key_file;
  guint attempt;
  char *name;
  char *instruction;
  GStrv prompts;
  guint echo_mask;
} SecretQuestion;

static void
secret_question_free (SecretQuestion *q)
{
  g_free (q->key_file);
  g_free (q->name);
  g_free (q->instruction);
  g_strfreev (q->prompts);
  g_free (q);
}

static void
ask_secret_on_owner (TetherConnection *self,
                     SecretQuestion   *q)
{
  SecretRequest *request;

  if (self->worker == NULL)
    return;
  request = g_new0 (SecretRequest, 1);
  request->worker = _tether_worker_ref (self->worker);
  request->kind = q->kind;
  switch (q->kind)
    {
    case SECRET_PASSPHRASE:
      tether_interaction_ask_passphrase_async (self->interaction, q->key_file, q->attempt,
                                               self->cancellable, secret_cb, request);
      break;
    case SECRET_PASSWORD:
      {
        g_autofree char *user = tether_host_dup_effective_user (self->host);

        tether_interaction_ask_password_async (self->interaction, self->host, user, q->attempt,
                                               self->cancellable, secret_cb, request);
      }
      break;
    case SECRET_KBDINT:
      tether_interaction_ask_kbd_interactive_async (self->interaction, q->name, q->instruction,
                                                    (const char * const *) q->prompts,
                                                    q->echo_mask, self->cancellable,
                                                    secret_cb, request);
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
ask_secret (TetherWorker *w,
            int           kind)
{
  SecretQuestion *q = g_new0 (SecretQuestion, 1);

  q->kind = kind;
  w->resume_phase = w->phase;
  w->phase = PHASE_WAIT;
  login_timer_stop (w);
  switch (kind)
    {
    case SECRET_PASSPHRASE:
      {
        g_auto(GStrv) files = key_files (w);

        q->key_file = g_strdup (files[w->key_index]);
        q->attempt = w->passphrase_attempts;
      }
      break;
    case SECRET_PASSWORD:
      q->attempt = w->password_attempts;
      break;
    case SECRET_KBDINT:
      {
        int n = ssh_userauth_kbdint_getnprompts (w->session);
        g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

        q->name = g_strdup (ssh_userauth_kbdint_getname (w->session));
        q->instruction = g_strdup (ssh_userauth_kbdint_getinstruction (w->session));
        for (int i = 0; i < n; i++)
          {
            char echo = 0;
            const char *prompt = ssh_userauth_kbdint_getprompt (w->session, i, &echo);

            g_strv_builder_add (builder, prompt ? prompt : "");
            if (echo && i < 32)
              q->echo_mask |= 1u << i;
          }
        q->prompts = g_strv_builder_end (builder);
      }
      break;
    default:
      g_assert_not_reached ();
    }
  post_to_connection (w, G_CALLBACK (ask_secret_on_owner), q,
                      (GDestroyNotify) secret_question_free);
}

static void
step_auth (TetherWorker *w)
{
  for (;;)
    {
      int rc;

      switch (w->phase)
        {
        case PHASE_AUTH_NONE:
          rc = ssh_userauth_none (w->session, NULL);
          if (rc == SSH_AUTH_AGAIN)
            return;
          if (rc == SSH_AUTH_SUCCESS)
            {
              on_auth_done (w);
              return;
            }
          if (rc == SSH_AUTH_ERROR)
            {
              worker_fail_connect (w, session_error (w, _("Logging in to")));
              return;
            }
          w->methods = ssh_userauth_list (w->session, NULL);
          w->auth_index = 0;
          w->phase = w->auth_order[0];
          break;

        case PHASE_AUTH_AGENT:
          if (!(w->methods & SSH_AUTH_METHOD_PUBLICKEY) || g_getenv ("SSH_AUTH_SOCK") == NULL ||
              (w->identities_only && w->identity_files != NULL))
            {
              next_auth_method (w);
              break;
            }
          rc = ssh_userauth_agent (w->session, NULL);
          if (rc == SSH_AUTH_AGAIN)
            return;
          if (rc == SSH_AUTH_SUCCESS)
            {
              on_auth_done (w);
              return;
            }
          auth_note (w, "the keys of the SSH agent");
          next_auth_method (w);
          break;

        case PHASE_AUTH_KEYS:
          if (w->methods & SSH_AUTH_METHOD_PUBLICKEY)
            {
              if (step_keys (w))
                return;
              if (!ssh_is_connected (w->session))
                {
                  worker_fail_connect (w, session_error (w, _("Logging in to")));
                  return;
                }
            }
          next_auth_method (w);
          break;

        case PHASE_AUTH_KBDINT:
          if (!(w->methods & SSH_AUTH_METHOD_INTERACTIVE) || !w->has_interaction ||
              w->kbdint_rounds >= TETHER_KBDINT_ROUNDS)
            {
              next_auth_method (w);
              break;
            }
          if (w->kbdint_pending_answers)
            {
              for (guint i = 0; w->kbdint_answers && w->kbdint_answers[i]; i++)
                ssh_userauth_kbdint_setanswer (w->session, i, w->kbdint_answers[i]);
              w->kbdint_pending_answers = FALSE;
              g_clear_pointer (&w->kbdint_answers, g_strfreev);
            }
          rc = ssh_userauth_kbdint (w->session, NULL, NULL);
          if (rc == SSH_AUTH_AGAIN)
            return;
          if (rc == SSH_AUTH_SUCCESS)
            {
              on_auth_done (w);
              return;
            }
          if (rc == SSH_AUTH_INFO)
            {
              w->kbdint_rounds++;
              if (ssh_userauth_kbdint_getnprompts (w->session) == 0)
                break;   /* an informational round: answer with nothing */
              ask_secret (w, SECRET_KBDINT);
              return;
            }
          if (rc == SSH_AUTH_ERROR)
            {
              worker_fail_connect (w, session_error (w, _("Logging in to")));
              return;
            }
          auth_note (w, "keyboard-interactive");
          w->kbdint_rounds = TETHER_KBDINT_ROUNDS;
          break;

        case PHASE_AUTH_PASSWORD:
          if (!(w->methods & SSH_AUTH_METHOD_PASSWORD) || !w->has_interaction)
            {
              next_auth_method (w);
              break;
            }
          if (w->password == NULL)
            {
              if (w->password_attempts >= TETHER_PASSWORD_ATTEMPTS)
                {
                  auth_note (w, "password (%u attempts)", w->password_attempts);
                  next_auth_method (w);
                  break;
                }
              ask_secret (w, SECRET_PASSWORD);
              return;
            }
          rc = ssh_userauth_password (w->session, NULL, w->password);
          if (rc == SSH_AUTH_AGAIN)
            return;
          if (rc == SSH_AUTH_SUCCESS)
            {
              on_auth_done (w);
              return;
            }
          if (rc == SSH_AUTH_ERROR)
            {
              worker_fail_connect (w, session_error (w, _("Logging in to")));
              return;
            }
          g_clear_pointer (&w->password, secret_free);
          w->password_attempts++;
          break;

        case PHASE_AUTH_END:
          fail_auth (w);
          return;

        default:
          return;
        }
    }
}

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
  post_n_channels (w);
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
    return session_error (w, _("The connection to"));
  switch (reason)
    {
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
      text = detail ? detail : "no reason given";
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
  if (rc != SSH_OK)
    {
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
static gboolean
collect_keepalive_answer (TetherWorker *w,
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

  if (!op->started && !collect_keepalive_answer (w, NULL))
    return FALSE;
  if (op->kind == GLOBAL_OP_KEEPALIVE)
    {
      if (!op->started)
        {
          ssh_send_keepalive (w->session);
          w->keepalive_pending = TRUE;
          op->started = TRUE;
          if (op->no_reply)
            _tether_task_return_boolean (&op->task, TRUE);
        }
      if (!collect_keepalive_answer (w, &rc))
        return FALSE;
    }
  else if (op->kind == GLOBAL_OP_LISTEN_FORWARD)
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
  if (rc != SSH_OK)
    {
      if (!ssh_is_connected (w->session))
        _tether_task_return_error (&op->task, session_error (w, _("The connection to")));
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
  if (op->kind == GLOBAL_OP_KEEPALIVE || op->as_boolean)
    {
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
  switch (subtype)
    {
    case SSH_CHANNEL_SESSION: return "session";
    case SSH_CHANNEL_DIRECT_TCPIP: return "direct-tcpip";
    case SSH_CHANNEL_FORWARDED_TCPIP: return "forwarded-tcpip";
    case SSH_CHANNEL_X11: return "x11";
    case SSH_CHANNEL_AUTH_AGENT: return "auth-agent@openssh.com";
    default: return "unknown";
    }
}

/* A channel the server asked to open, waiting for the owner's handlers to take it. libssh
 * frees a message after its callback, so messages are taken from its queue instead and
 * answered (accept, or OPEN_FAILURE) once the owner decided. */
typedef struct _IncomingOpen
{
  guint64 id;
  ssh_message message;
  TetherChannel *channel;
} IncomingOpen;

static void
incoming_open_free (IncomingOpen *incoming)
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
  for (GList *l = w->incoming.head; l != NULL; l = l->next)
    {
      IncomingOpen *incoming = l->data;

      if (incoming->id == id)
        {
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
  if (w->quit || w->phase != PHASE_READY)
    {
      _tether_channel_finish (incoming->channel, NULL);
      incoming_open_free (incoming);
      return;
    }
  if (!answer->handled)
    {
      /* OPEN_FAILURE, "administratively prohibited": the only reason libssh 0.10 sends. */
      ssh_message_reply_default (incoming->message);
      _tether_channel_finish (incoming->channel, NULL);
      incoming_open_free (incoming);
      worker_process (w);
      return;
    }
  ssh = ssh_message_channel_request_open_reply_accept (incoming->message);
  if (ssh == NULL)
    {
      g_autoptr(GError) error = session_error (w, _("The connection to"));

      _tether_channel_finish (incoming->channel, error);
      incoming_open_free (incoming);
      return;
    }
  _tether_channel_attach_ssh (incoming->channel, ssh);
  register_channel (w, incoming->channel);
  incoming_open_free (incoming);
  worker_process (w);
}

static void
emit_incoming (TetherConnection *self,
               IncomingAnswer   *offer)
{
  IncomingAnswer *answer;
  gboolean handled = FALSE;
  TetherChannel *channel = offer->channel;

  g_signal_emit (self, signals[SIGNAL_INCOMING_CHANNEL],
                 g_quark_from_string (tether_channel_get_channel_type (channel)),
                 channel, tether_channel_get_channel_type (channel), &handled);
  if (self->worker == NULL)
    return;
  answer = g_new0 (IncomingAnswer, 1);
  answer->id = offer->id;
  answer->handled = handled;
  worker_invoke (self->worker, incoming_answered_on_worker, answer,
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
           g_signal_has_handler_pending (connection, signals[SIGNAL_INCOMING_CHANNEL],
                                         g_quark_from_string (type), FALSE);
  if (!wanted)
    {
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

  while (!w->quit && (message = ssh_message_get (w->session)) != NULL)
    {
      if (ssh_message_type (message) == SSH_REQUEST_CHANNEL_OPEN && offer_incoming (w, message))
        continue;
      ssh_message_reply_default (message);
      ssh_message_free (message);
    }
}

/* Worker: every channel still waiting for the owner's answer ends with @error. */
static void
finish_incoming (TetherWorker *w,
                 const GError *error)
{
  while (!g_queue_is_empty (&w->incoming))
    {
      IncomingOpen *incoming = g_queue_pop_head (&w->incoming);

      _tether_channel_finish (incoming->channel, error);
      incoming_open_free (incoming);
    }
}

static void
update_poll_events (TetherWorker *w)
{
  GIOCondition events = G_IO_IN | G_IO_ERR | G_IO_HUP;

  if (w->session != NULL && (ssh_get_poll_flags (w->session) & SSH_WRITE_PENDING))
    events |= G_IO_OUT;
  if (w->fd_source != NULL && events != w->fd_events)
    {
      g_source_modify_unix_fd (w->fd_source, w->fd_tag, events);
      w->fd_events = events;
    }
}

static void
on_counters (TetherConnection *self,
             gpointer          data)
{
  guint changed = GPOINTER_TO_UINT (data);

  if (changed & TETHER_COUNTER_SENT)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BYTES_SENT]);
  if (changed & TETHER_COUNTER_RECEIVED)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BYTES_RECEIVED]);
}

/* Posts notify for the counters of the connection and its channels that changed since
 * the last time; TRUE when any did. */
static gboolean
post_counters (TetherWorker *w)
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
    post_to_connection (w, G_CALLBACK (on_counters), GUINT_TO_POINTER (changed), NULL);
  any = changed != 0;
  if (w->channels != NULL)
    {
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

  if (!w->quit && post_counters (w))
    return G_SOURCE_CONTINUE;
  /* Quiet for a whole interval: stop until the next change. */
  g_clear_pointer (&w->counters_source, g_source_unref);
  return G_SOURCE_REMOVE;
}

/* Notifies changed counters every TETHER_COUNTERS_NOTIFY_MS while they change. */
static void
watch_counters (TetherWorker *w)
{
  if (w->counters_source != NULL ||
      (w->sent.out_bytes == w->notified_sent && w->received.in_bytes == w->notified_received))
    return;
  w->counters_source = g_timeout_source_new (TETHER_COUNTERS_NOTIFY_MS);
  g_source_set_callback (w->counters_source, counters_cb, w, NULL);
  g_source_set_static_name (w->counters_source, "[tether] counters");
  g_source_attach (w->counters_source, w->ctx);
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

  for (GList *l = w->opens.head; l != NULL;)
    {
      GList *next = l->next;

      if (step_open (w, l->data))
        {
          global_op_free (l->data);
          g_queue_delete_link (&w->opens, l);
        }
      l = next;
    }
  while (!g_queue_is_empty (&w->global_requests) &&
         step_global_request (w, g_queue_peek_head (&w->global_requests)))
    global_op_free (g_queue_pop_head (&w->global_requests));

  g_hash_table_iter_init (&iter, w->channels);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      _tether_channel_pump (key, w->scratch);
      if (_tether_channel_is_done (key))
        {
          _tether_channel_finish (key, NULL);
          g_hash_table_iter_remove (&iter);
          removed = TRUE;
        }
    }
  if (removed)
    post_n_channels (w);

  return removed ||
         w->received.in_bytes + w->sent.out_bytes != before ||
         g_queue_get_length (&w->opens) + g_queue_get_length (&w->global_requests) != pending;
}

static void
step_ready (TetherWorker *w)
{
  for (guint i = 0; i < TETHER_READS_PER_WAKE; i++)
    if (ssh_event_dopoll (w->event, 0) != SSH_OK)
      break;

  /* Any step can read the packets that answer another (an open's confirmation read while
   * a channel is pumped, a global request's reply read by an open), and nothing wakes the
   * worker for packets already read: go round until a whole pass changes nothing. */
  for (guint i = 0; step_ready_pass (w) && ssh_is_connected (w->session); i++)
    {
      if (i + 1 == TETHER_PASSES_PER_WAKE)
        {
          _tether_worker_wake (w);
          break;
        }
    }
  watch_counters (w);

  if (!ssh_is_connected (w->session) ||
      (ssh_get_status (w->session) & (SSH_CLOSED | SSH_CLOSED_ERROR)))
    {
      worker_teardown (w, session_error (w, _("The connection to")));
      return;
    }
}

/* ------------------------------------------------------------------------- */
/* Before the banner                                                         */

static GError *
not_ssh_error (TetherWorker *w)
{
  return g_error_new (TETHER_ERROR, TETHER_ERROR_PROTOCOL,
                      _("The server at %s:%u does not speak SSH."), w->hostname, w->port);
}

typedef enum {
  BANNER_WAIT,
  BANNER_FOUND,
  BANNER_FAILED,
} BannerStep;

/* Reads the lines a server may send before its banner (RFC 4253 section 4.2) itself:
 * libssh skips any number of them, so a server that speaks something else (HTTP, a
 * database) would otherwise end in a packet error or hang. The banner line itself is
 * left in the socket for libssh. */
static BannerStep
step_banner (TetherWorker  *w,
             GError       **error)
{
  g_autofree char *buf = g_malloc (TETHER_MAX_BANNER_LINE);

  for (;;)
    {
      gssize n = recv (w->fd, buf, TETHER_MAX_BANNER_LINE, MSG_PEEK | MSG_DONTWAIT);
      gsize done = 0;
      gsize line_start = 0;

      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return BANNER_WAIT;
      if (n < 0)
        {
          int saved = errno;

          g_set_error (error, TETHER_ERROR, TETHER_ERROR_DISCONNECTED,
                       _("The connection to %s:%u failed before the SSH banner: %s."),
                       w->hostname, w->port, g_strerror (saved));
          return BANNER_FAILED;
        }
      if (n == 0)
        {
          if (w->pre_banner_lines > 0)
            *error = not_ssh_error (w);
          else
            g_set_error (error, TETHER_ERROR, TETHER_ERROR_DISCONNECTED,
                         _("The server at %s:%u closed the connection before it sent its SSH "
                         "banner."), w->hostname, w->port);
          return BANNER_FAILED;
        }

      for (gsize i = 0; i < (gsize) n; i++)
        {
          /* A banner: everything before it goes, the rest is libssh's. */
          if (i == line_start && (gsize) n - i >= strlen (TETHER_BANNER_PREFIX) &&
              memcmp (buf + i, TETHER_BANNER_PREFIX, strlen (TETHER_BANNER_PREFIX)) == 0)
            {
              if (line_start > 0 && recv (w->fd, buf, line_start, MSG_DONTWAIT) < 0)
                {
                  *error = session_error (w, _("Connecting to"));
                  return BANNER_FAILED;
                }
              return BANNER_FOUND;
            }
          /* OpenSSH refuses NUL bytes there too: binary data is not a greeting. */
          if (buf[i] == '\0')
            {
              *error = not_ssh_error (w);
              return BANNER_FAILED;
            }
          if (buf[i] == '\n')
            {
              if (++w->pre_banner_lines > TETHER_MAX_PRE_BANNER_LINES)
                {
                  *error = not_ssh_error (w);
                  return BANNER_FAILED;
                }
              line_start = i + 1;
              done = line_start;
            }
        }

      /* Only the start of a banner, or a line still coming. */
      if (done == 0)
        {
          if ((gsize) n >= TETHER_MAX_BANNER_LINE)
            {
              *error = not_ssh_error (w);
              return BANNER_FAILED;
            }
          return BANNER_WAIT;
        }
      if (recv (w->fd, buf, done, MSG_DONTWAIT) < 0)
        {
          *error = session_error (w, _("Connecting to"));
          return BANNER_FAILED;
        }
    }
}

/* libssh sends our banner on its first ssh_connect () call, and reads whatever the socket
 * holds then. Servers that wait for the client's banner (RFC 4253 allows it) need ours
 * first, but the server's lines must stay in the socket for step_banner (): call libssh
 * only while nothing is readable, and keep anything arriving meanwhile from waking its poll
 * (SO_RCVLOWAT; a socket pair may not honour it, then libssh may read a line first).
 * Returns FALSE when libssh failed. */
static gboolean
send_client_banner (TetherWorker *w)
{
  struct pollfd pfd = { w->fd, POLLIN, 0 };
  int lowat = TETHER_BANNER_HOLD_LOWAT;
  int one = 1;
  int rc;

  w->client_banner_sent = TRUE;
  if (poll (&pfd, 1, 0) != 0)
    return TRUE;   /* the server spoke first: step_banner reads it, then libssh answers */
  setsockopt (w->fd, SOL_SOCKET, SO_RCVLOWAT, &lowat, sizeof lowat);
  w->fd_attached = TRUE;
  rc = ssh_connect (w->session);
  setsockopt (w->fd, SOL_SOCKET, SO_RCVLOWAT, &one, sizeof one);
  return rc != SSH_ERROR;
}

/* What libssh's handshake failure means to the user. */
static GError *
handshake_error (TetherWorker *w)
{
  const char *banner = ssh_get_serverbanner (w->session);
  const char *detail = ssh_get_error (w->session);

  if (banner != NULL && !g_str_has_prefix (banner, "SSH-2.0-") &&
      !g_str_has_prefix (banner, "SSH-1.99-"))
    {
      if (g_str_has_prefix (banner, "SSH-1."))
        return g_error_new (TETHER_ERROR, TETHER_ERROR_PROTOCOL,
                            _("The server at %s:%u speaks only SSH version 1, which is "
                            "insecure and not supported (it sent “%s”)."),
                            w->hostname, w->port, banner);
      return not_ssh_error (w);
    }
  /* A banner followed by something that does not parse as SSH packets. */
  if (detail != NULL && (strstr (detail, "Packet len") != NULL ||
                         strstr (detail, "Packet corrupt") != NULL ||
                         strstr (detail, "too large banner") != NULL))
    return not_ssh_error (w);
  return session_error (w, _("Connecting to"));
}

static void
login_timer_stop (TetherWorker *w)
{
  if (w->timeout_source != NULL)
    {
      g_source_destroy (w->timeout_source);
      g_clear_pointer (&w->timeout_source, g_source_unref);
    }
}

/* ------------------------------------------------------------------------- */
/* The worker's main step                                                    */

static void
worker_process (TetherWorker *w)
{
  int rc;

  if (w->quit)
    return;

  switch (w->phase)
    {
    case PHASE_BANNER:
      {
        GError *error = NULL;

        if (!w->client_banner_sent && !send_client_banner (w))
          {
            worker_fail_connect (w, handshake_error (w));
            return;
          }
        switch (ssh_get_serverbanner (w->session) != NULL ? BANNER_FOUND
                                                          : step_banner (w, &error))
          {
          case BANNER_WAIT:
            goto out;
          case BANNER_FAILED:
            worker_fail_connect (w, error);
            return;
          case BANNER_FOUND:
          default:
            break;
          }
        w->phase = PHASE_HANDSHAKE;
        login_timer_start (w);
      }
      G_GNUC_FALLTHROUGH;
    case PHASE_HANDSHAKE:
      w->fd_attached = TRUE;
      rc = ssh_connect (w->session);
      if (rc == SSH_AGAIN)
        break;
      if (rc != SSH_OK)
        {
          worker_fail_connect (w, handshake_error (w));
          return;
        }
      w->phase = PHASE_HOST_KEY;
      G_GNUC_FALLTHROUGH;
    case PHASE_HOST_KEY:
      step_host_key (w);
      if (w->phase != PHASE_AUTH_NONE)
        break;
      G_GNUC_FALLTHROUGH;
    case PHASE_AUTH_NONE:
    case PHASE_AUTH_AGENT:
    case PHASE_AUTH_KEYS:
    case PHASE_AUTH_KBDINT:
    case PHASE_AUTH_PASSWORD:
    case PHASE_AUTH_END:
      step_auth (w);
      if (w->phase != PHASE_READY)
        break;
      G_GNUC_FALLTHROUGH;
    case PHASE_READY:
      step_ready (w);
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

  if (w->phase == PHASE_WAIT || w->phase == PHASE_IDLE)
    {
      /* Nothing to do until the user answers; keep the socket drained of
       * nothing, but notice a server that hangs up while we wait. */
      GIOCondition revents = g_source_query_unix_fd (source, w->fd_tag);

      if (revents & (G_IO_HUP | G_IO_ERR))
        {
          worker_fail_connect (w, session_error (w, _("Connecting to")));
          return G_SOURCE_REMOVE;
        }
      /* Stop watching until the answer comes, or this would spin. */
      g_source_modify_unix_fd (source, w->fd_tag, 0);
      w->fd_events = 0;
      return G_SOURCE_CONTINUE;
    }
  request_quick_ack (w);
  worker_process (w);
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
  switch (w->phase)
    {
    case PHASE_BANNER:
      error = g_error_new (TETHER_ERROR, TETHER_ERROR_TIMED_OUT,
                           _("The server at %s:%u accepted the connection but sent no SSH "
                           "banner within %u seconds."), w->hostname, w->port, seconds);
      break;
    case PHASE_HANDSHAKE:
    case PHASE_HOST_KEY:
      error = g_error_new (TETHER_ERROR, TETHER_ERROR_TIMED_OUT,
                           _("The server at %s:%u sent its banner but did not answer the key "
                           "exchange within %u seconds."), w->hostname, w->port, seconds);
      break;
    case PHASE_AUTH_NONE:
    case PHASE_AUTH_AGENT:
    case PHASE_AUTH_KEYS:
    case PHASE_AUTH_KBDINT:
    case PHASE_AUTH_PASSWORD:
    case PHASE_AUTH_END:
      error = g_error_new (TETHER_ERROR, TETHER_ERROR_TIMED_OUT,
                           _("The server at %s:%u did not answer the login within %u seconds."),
                           w->hostname, w->port, seconds);
      break;
    case PHASE_IDLE:
    case PHASE_WAIT:
    case PHASE_READY:
    case PHASE_DONE:
    default:
      return G_SOURCE_REMOVE;
    }
  worker_fail_connect (w, error);
  return G_SOURCE_REMOVE;
}

/* (Re)starts the clock on the server: from the connection, and again each time the user
 * answered a question (the time the user takes does not count). */
static void
login_timer_start (TetherWorker *w)
{
  login_timer_stop (w);
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
  if (w->silent_intervals > TETHER_SERVER_ALIVE_COUNT_MAX)
    {
      worker_teardown (w, g_error_new (TETHER_ERROR, TETHER_ERROR_TIMED_OUT,
                                       _("%s stopped answering: no reply to %u keepalives."),
                                       w->hostname, TETHER_SERVER_ALIVE_COUNT_MAX));
      return G_SOURCE_REMOVE;
    }
  /* A keepalive answer would confuse libssh's one pending global request: send one only
   * when no request waits and the last keepalive's answer is in. */
  if (g_queue_is_empty (&w->global_requests) && collect_keepalive_answer (w, NULL))
    {
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

  login_timer_start (w);
  if (w->server_alive_interval > 0)
    {
      w->keepalive_source = g_timeout_source_new_seconds (w->server_alive_interval);
      g_source_set_callback (w->keepalive_source, keepalive_cb, w, NULL);
      g_source_attach (w->keepalive_source, w->ctx);
    }

  w->phase = PHASE_BANNER;
  worker_process (w);
}

static gboolean
cpu_has_aes (void)
{
  static gsize once = 0;
  static gboolean has = FALSE;

  if (g_once_init_enter (&once))
    {
      g_autofree char *cpuinfo = NULL;

      if (g_file_get_contents ("/proc/cpuinfo", &cpuinfo, NULL, NULL))
        has = strstr (cpuinfo, " aes ") != NULL || strstr (cpuinfo, " aes\n") != NULL;
      g_once_init_leave (&once, 1);
    }
  return has;
}

/* The methods of PreferredAuthentications, in its order; by default OpenSSH's order. */
static void
set_auth_order (TetherWorker       *w,
                const char * const *preferred)
{
  static const char * const defaults[] = { "publickey", "keyboard-interactive", "password",
                                           NULL };
  guint n = 0;

  if (preferred == NULL || preferred[0] == NULL)
    preferred = defaults;
  for (guint i = 0; preferred[i] != NULL; i++)
    {
      const char *name = preferred[i];
      Phase phases[2] = { PHASE_AUTH_END, PHASE_AUTH_END };

      if (g_str_equal (name, "publickey"))
        {
          phases[0] = PHASE_AUTH_AGENT;
          phases[1] = PHASE_AUTH_KEYS;
        }
      else if (g_str_equal (name, "keyboard-interactive"))
        phases[0] = PHASE_AUTH_KBDINT;
      else if (g_str_equal (name, "password"))
        phases[0] = PHASE_AUTH_PASSWORD;
      /* gssapi-with-mic, hostbased and unknown names: libssh or Tether cannot do them. */
      for (guint j = 0; j < G_N_ELEMENTS (phases) && phases[j] != PHASE_AUTH_END; j++)
        {
          gboolean seen = FALSE;

          for (guint k = 0; k < n; k++)
            seen |= w->auth_order[k] == phases[j];
          if (!seen && n < G_N_ELEMENTS (w->auth_order) - 1)
            w->auth_order[n++] = phases[j];
        }
    }
  w->auth_order[n] = PHASE_AUTH_END;
}

/* @fd becomes the worker's (and then libssh's) whatever happens. */
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
  w->scratch = g_malloc (TETHER_CHANNEL_READ_CHUNK);
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
  set_auth_order (w, tether_host_get_preferred_authentications (host));

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
      ssh_options_set (w->session, SSH_OPTIONS_CIPHERS_S_C, ciphers) < 0)
    {
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
static void
start_worker (TetherConnection *self,
              int               fd)
{
  g_autoptr(GError) error = NULL;
  TetherWorker *w = worker_new (self, fd, &error);

  if (w == NULL)
    {
      g_autoptr(GTask) task = g_steal_pointer (&self->connect_task);

      forget_caller_cancellable (self);
      close_transport (self);
      set_state (self, TETHER_CONNECTION_STATE_CLOSED);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  self->worker = w;
  g_thread_unref (g_thread_new ("tether-ssh", worker_thread, _tether_worker_ref (w)));
  worker_invoke (w, worker_begin, NULL, NULL);
}

/* ------------------------------------------------------------------------- */
/* Transport (owner thread)                                                  */

static void
fail_connect_on_owner (TetherConnection *self,
                       GError           *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->connect_task);

  forget_caller_cancellable (self);
  close_transport (self);
  set_state (self, TETHER_CONNECTION_STATE_CLOSED);
  if (task != NULL)
    g_task_return_error (task, error);
  else
    g_error_free (error);
}

static void
tcp_connected_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(TetherConnection) self = user_data;
  g_autoptr(GError) error = NULL;
  GSocketConnection *connection;
  GSocket *socket;

  connection = g_socket_client_connect_to_host_finish (G_SOCKET_CLIENT (source), result, &error);
  if (connection == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_prefix_error (&error, _("Could not reach %s port %u: "),
                          tether_host_get_hostname (self->host),
                          tether_host_get_port (self->host));
          /* GIO's messages are fragments; ours are sentences. */
          if (!g_str_has_suffix (error->message, "."))
            {
              char *sentence = g_strconcat (error->message, ".", NULL);

              g_free (error->message);
              error->message = sentence;
            }
        }
      fail_connect_on_owner (self, g_steal_pointer (&error));
      return;
    }
  self->socket_connection = connection;
  socket = g_socket_connection_get_socket (connection);
  /* Without TCP_NODELAY small writes wait for delayed ACKs (DESIGN.md section 6). */
  g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
  /* libssh gets its own descriptor: it closes it on errors, and the
   * GSocketConnection closes the original, so neither closes the other's. */
  start_worker (self, dup (g_socket_get_fd (socket)));
}

/* Makes a socket pair; *@ours stays with Tether, *@theirs goes to libssh. */
static gboolean
make_socketpair (int     *ours,
                 int     *theirs,
                 GError **error)
{
  int fds[2];

  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not create a socket pair: %s"), g_strerror (saved));
      return FALSE;
    }
  *ours = fds[0];
  *theirs = fds[1];
  return TRUE;
}

/* ProxyCommand's %h, %p, %r and %%. */
static char *
expand_proxy_command (TetherHost *host)
{
  const char *p = tether_host_get_proxy_command (host);
  g_autofree char *user = tether_host_dup_effective_user (host);
  GString *s = g_string_new (NULL);

  for (; *p; p++)
    {
      if (*p != '%' || p[1] == '\0')
        {
          g_string_append_c (s, *p);
          continue;
        }
      p++;
      switch (*p)
        {
        case 'h': g_string_append (s, tether_host_get_hostname (host)); break;
        case 'p': g_string_append_printf (s, "%u", tether_host_get_port (host)); break;
        case 'r': g_string_append (s, user); break;
        case 'n': g_string_append (s, tether_host_get_alias (host)); break;
        case '%': g_string_append_c (s, '%'); break;
        default: g_string_append_c (s, '%'); g_string_append_c (s, *p); break;
        }
    }
  return g_string_free (s, FALSE);
}

static void
start_proxy_command (TetherConnection *self)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *command = expand_proxy_command (self->host);
  int ours = -1;
  int theirs = -1;

  if (!make_socketpair (&ours, &theirs, &error))
    {
      fail_connect_on_owner (self, g_steal_pointer (&error));
      return;
    }
  /* The command's stdin and stdout are one end of the pair, as with OpenSSH. */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_subprocess_launcher_take_stdin_fd (launcher, dup (ours));
  g_subprocess_launcher_take_stdout_fd (launcher, ours);
  self->proxy_process = g_subprocess_launcher_spawn (launcher, &error, "/bin/sh", "-c", command,
                                                     NULL);
  if (self->proxy_process == NULL)
    {
      close (theirs);
      g_prefix_error (&error, _("The ProxyCommand “%s” could not be started: "), command);
      fail_connect_on_owner (self, g_steal_pointer (&error));
      return;
    }
  start_worker (self, theirs);
}

/* A jump host's channel is spliced to the socket pair on a thread of its own,
 * so that the bytes of the inner connection never pass through the caller's
 * (the UI's) main loop. The thread ends when the splice does: when either
 * connection ends, its side closes and the splice closes the other. */
typedef struct
{
  GIOStream *channel;
  GIOStream *socket;
  GMainContext *ctx;
  gboolean done;
} JumpSplice;

static void
jump_splice_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  JumpSplice *splice = user_data;

  g_io_stream_splice_finish (result, NULL);
  splice->done = TRUE;
}

static gpointer
jump_splice_thread (gpointer data)
{
  JumpSplice *splice = data;

  g_main_context_push_thread_default (splice->ctx);
  g_io_stream_splice_async (splice->channel, splice->socket,
                            G_IO_STREAM_SPLICE_CLOSE_STREAM1 | G_IO_STREAM_SPLICE_CLOSE_STREAM2,
                            G_PRIORITY_DEFAULT, NULL, jump_splice_cb, splice);
  while (!splice->done)
    g_main_context_iteration (splice->ctx, TRUE);
  /* Let the closes the splice started finish before the context goes. */
  while (g_main_context_pending (splice->ctx))
    g_main_context_iteration (splice->ctx, FALSE);
  g_main_context_pop_thread_default (splice->ctx);
  g_object_unref (splice->channel);
  g_object_unref (splice->socket);
  g_main_context_unref (splice->ctx);
  g_free (splice);
  return NULL;
}

static void
jump_channel_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(TetherConnection) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(TetherChannel) channel = NULL;
  g_autoptr(GSocket) socket = NULL;
  JumpSplice *splice;
  int ours = -1;
  int theirs = -1;

  channel = tether_connection_open_direct_tcpip_finish (TETHER_CONNECTION (source), result,
                                                        &error);
  if (channel == NULL)
    {
      g_prefix_error (&error, _("The jump host could not reach %s port %u: "),
                      tether_host_get_hostname (self->host), tether_host_get_port (self->host));
      fail_connect_on_owner (self, g_steal_pointer (&error));
      return;
    }
  if (!make_socketpair (&ours, &theirs, &error))
    {
      fail_connect_on_owner (self, g_steal_pointer (&error));
      return;
    }
  socket = g_socket_new_from_fd (ours, &error);
  if (socket == NULL)
    {
      close (ours);
      close (theirs);
      fail_connect_on_owner (self, g_steal_pointer (&error));
      return;
    }
  splice = g_new0 (JumpSplice, 1);
  splice->channel = G_IO_STREAM (g_steal_pointer (&channel));
  splice->socket = G_IO_STREAM (g_socket_connection_factory_create_connection (socket));
  splice->ctx = g_main_context_new ();
  g_thread_unref (g_thread_new ("tether-jump", jump_splice_thread, splice));
  start_worker (self, theirs);
}

static void
jump_connected_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(TetherConnection) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!tether_connection_connect_finish (TETHER_CONNECTION (source), result, &error))
    {
      g_prefix_error (&error, _("Jump host: "));
      fail_connect_on_owner (self, g_steal_pointer (&error));
      return;
    }
  tether_connection_open_direct_tcpip_async (TETHER_CONNECTION (source),
                                             tether_host_get_hostname (self->host),
                                             tether_host_get_port (self->host),
                                             "127.0.0.1", 0, NULL, jump_channel_cb,
                                             g_object_ref (self));
}

/* The host of the last hop of ProxyJump; earlier hops become its own ProxyJump. */
static TetherHost *
jump_host_for (TetherHost  *host,
               GError     **error)
{
  g_auto(GStrv) hops = g_strsplit (tether_host_get_proxy_jump (host), ",", -1);
  guint n = g_strv_length (hops);
  g_autofree char *last = NULL;
  TetherHost *jump;

  if (n == 0)
    return NULL;
  last = g_strstrip (g_strdup (hops[n - 1]));
  jump = tether_host_new_for_destination (last, error);
  if (jump == NULL)
    return NULL;
  if (n > 1)
    {
      g_free (hops[n - 1]);
      hops[n - 1] = NULL;
      {
        g_autofree char *rest = g_strjoinv (",", hops);

        tether_host_set_proxy_jump (jump, rest);
      }
    }
  /* A bare jump host inherits how to trust and log in from the target. */
  tether_host_set_identity_files (jump, tether_host_get_identity_files (host));
  tether_host_set_certificate_files (jump, tether_host_get_certificate_files (host));
  tether_host_set_identities_only (jump, tether_host_get_identities_only (host));
  tether_host_set_known_hosts_file (jump, tether_host_get_known_hosts_file (host));
  tether_host_set_connect_timeout (jump, tether_host_get_connect_timeout (host));
  return jump;
}

static void
start_proxy_jump (TetherConnection *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TetherHost) jump_host = jump_host_for (self->host, &error);

  if (jump_host == NULL)
    {
      g_prefix_error (&error, _("ProxyJump: "));
      fail_connect_on_owner (self, g_steal_pointer (&error));
      return;
    }
  self->jump = tether_connection_new (jump_host);
  tether_connection_set_interaction (self->jump, self->interaction);
  tether_connection_connect_async (self->jump, self->cancellable, jump_connected_cb,
                                   g_object_ref (self));
}

/* ------------------------------------------------------------------------- */
/* GObject                                                                   */

static void
tether_connection_dispose (GObject *object)
{
  TetherConnection *self = TETHER_CONNECTION (object);

  if (self->worker != NULL)
    {
      g_cancellable_cancel (self->cancellable);
      self->worker->closed_locally = TRUE;
      worker_invoke (self->worker, (void (*) (TetherWorker *, gpointer)) worker_teardown,
                     NULL, NULL);
      g_clear_pointer (&self->worker, _tether_worker_unref);
    }
  close_transport (self);
  forget_caller_cancellable (self);
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

  switch (prop_id)
    {
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

  switch (prop_id)
    {
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
  signals[SIGNAL_CLOSED] =
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
  signals[SIGNAL_INCOMING_CHANNEL] =
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
  signals[SIGNAL_GLOBAL_REQUEST] =
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
static void
forget_caller_cancellable (TetherConnection *self)
{
  if (self->caller_cancellable != NULL)
    {
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

  if (self->state != TETHER_CONNECTION_STATE_DISCONNECTED)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("This connection was already used: make a new one to reconnect."));
      return;
    }
  if (cancellable != NULL)
    {
      self->caller_cancellable = g_object_ref (cancellable);
      self->caller_cancelled_id =
        g_cancellable_connect (cancellable, G_CALLBACK (connect_cancelled_cb),
                               g_object_ref (self->cancellable), g_object_unref);
    }

  self->connect_task = g_steal_pointer (&task);
  set_state (self, TETHER_CONNECTION_STATE_CONNECTING);

  if (tether_host_get_proxy_command (self->host) != NULL)
    start_proxy_command (self);
  else if (tether_host_get_proxy_jump (self->host) != NULL)
    start_proxy_jump (self);
  else
    {
      g_autoptr(GSocketClient) client = g_socket_client_new ();

      g_socket_client_set_timeout (client, tether_host_get_connect_timeout (self->host));
      g_socket_client_connect_to_host_async (client, tether_host_get_hostname (self->host),
                                             tether_host_get_port (self->host),
                                             self->cancellable, tcp_connected_cb,
                                             g_object_ref (self));
    }
}

/**
 * tether_connection_connect_finish:
 * @self: a #TetherConnection
 * @result: the result
 * @error: return location for a #GError
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

  if (w->phase != PHASE_READY)
    {
      _tether_task_return_new_error (&op->task, TETHER_ERROR, TETHER_ERROR_DISCONNECTED,
                               _("The connection is closed."));
      global_op_free (op);
      return;
    }
  if (op->kind == GLOBAL_OP_OPEN_SESSION || op->kind == GLOBAL_OP_OPEN_DIRECT_TCPIP)
    g_queue_push_tail (&w->opens, op);
  else
    g_queue_push_tail (&w->global_requests, op);
  worker_process (w);
}

/* Queues @op on the worker, or fails its task at once when not ready. */
static void
submit_global_op (TetherConnection *self,
                  GlobalOp         *op)
{
  if (self->state != TETHER_CONNECTION_STATE_READY || self->worker == NULL)
    {
      _tether_task_return_new_error (&op->task, TETHER_ERROR, TETHER_ERROR_DISCONNECTED,
                               self->state == TETHER_CONNECTION_STATE_CLOSED
                               ? _("The connection is closed.")
                               : _("The connection is not ready yet."));
      global_op_free (op);
      return;
    }
  worker_invoke (self->worker, queue_op_on_worker, op, NULL);
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

/* SSH wire encoding (RFC 4251 section 5) of global request payloads. */
static char *
wire_get_string (const guint8 *data,
                 gsize         size,
                 gsize        *offset)
{
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

static gboolean
wire_get_uint32 (const guint8 *data,
                 gsize         size,
                 gsize        *offset,
                 guint32      *value)
{
  guint32 be;

  if (data == NULL || size - *offset < 4)
    return FALSE;
  memcpy (&be, data + *offset, 4);
  *offset += 4;
  *value = GUINT32_FROM_BE (be);
  return TRUE;
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
  const guint8 *data = NULL;
  gsize size = 0;
  gsize offset = 0;
  guint32 port = 0;

  g_return_if_fail (TETHER_IS_CONNECTION (self));
  g_return_if_fail (name != NULL);

  if (payload != NULL)
    data = g_bytes_get_data (payload, &size);
  op = global_op_new (self, GLOBAL_OP_KEEPALIVE, cancellable, callback, user_data,
                      tether_connection_send_global_request_async, "[tether] global request");
  op->no_reply = !want_reply;
  op->as_boolean = TRUE;
  if (g_str_equal (name, "tcpip-forward") || g_str_equal (name, "cancel-tcpip-forward"))
    {
      op->kind = g_str_equal (name, "tcpip-forward") ? GLOBAL_OP_LISTEN_FORWARD
                                                     : GLOBAL_OP_CANCEL_FORWARD;
      op->host = wire_get_string (data, size, &offset);
      if (op->host == NULL || !wire_get_uint32 (data, size, &offset, &port) ||
          port > G_MAXUINT16)
        {
          _tether_task_return_new_error (&op->task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                                         _("The payload of the “%s” request is malformed."),
                                         name);
          global_op_free (op);
          return;
        }
      op->port = port;
    }
  else if (!g_str_equal (name, "keepalive@openssh.com"))
    {
      _tether_task_return_new_error (&op->task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                                     _("Tether cannot send the global request “%s”: libssh "
                                     "0.10 sends only tcpip-forward, cancel-tcpip-forward and "
                                     "keepalive@openssh.com."), name);
      global_op_free (op);
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
  if (w->phase != PHASE_READY && w->phase != PHASE_DONE && !w->quit)
    {
      worker_fail_connect (w, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                   _("The connection was cancelled.")));
      return;
    }
  worker_teardown (w, NULL);
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
    worker_invoke (self->worker, close_on_worker, NULL, NULL);
  else if (self->state != TETHER_CONNECTION_STATE_CLOSED)
    {
      if (self->connect_task != NULL)
        fail_connect_on_owner (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                          _("The connection was cancelled.")));
      close_transport (self);
      set_state (self, TETHER_CONNECTION_STATE_CLOSED);
    }
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
  if (sh->ssh == NULL || w->quit)
    {
      if (op->task != NULL)
        _tether_task_return_new_error (&op->task, TETHER_ERROR, TETHER_ERROR_DISCONNECTED,
                                 _("The channel is closed."));
      _tether_channel_op_free (op);
      return;
    }
  g_queue_push_tail (&sh->ops, op);
  worker_process (w);
}

static void
channel_op_args_free (GPtrArray *args)
{
  if (g_ptr_array_index (args, 1) != NULL)
    _tether_channel_op_free (g_ptr_array_index (args, 1));
  g_object_unref (g_ptr_array_index (args, 0));
  g_ptr_array_unref (args);
}

void
_tether_worker_submit_channel_op (TetherWorker    *worker,
                                  TetherChannel   *channel,
                                  TetherChannelOp *op)
{
  GPtrArray *args;

  if (worker == NULL)
    {
      if (op->task != NULL)
        _tether_task_return_new_error (&op->task, TETHER_ERROR, TETHER_ERROR_DISCONNECTED,
                                 _("The channel is closed."));
      _tether_channel_op_free (op);
      return;
    }
  args = g_ptr_array_sized_new (2);
  g_ptr_array_add (args, g_object_ref (channel));
  g_ptr_array_add (args, op);
  worker_invoke (worker, channel_op_on_worker, args, (GDestroyNotify) channel_op_args_free);
}

void
_tether_worker_close_channel (TetherWorker  *worker,
                              TetherChannel *channel)
{
  _tether_worker_wake (worker);
}
