/* tether-worker-private.h: what the files of TetherConnection share: the worker,
 * the connection's instance struct, and the functions that cross those files.
 * Included only by tether-connection*.c.
 */
#pragma once

#include "tether-connection-private.h"
#include "tether-host-key-info-private.h"
#include "tether-known-hosts.h"

G_BEGIN_DECLS

#define TETHER_GLOBAL_KNOWN_HOSTS "/etc/ssh/ssh_known_hosts"

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

/* The login phases are contiguous, from PHASE_AUTH_NONE to PHASE_AUTH_END. */
#define PHASE_IS_AUTH(phase) ((phase) >= PHASE_AUTH_NONE && (phase) <= PHASE_AUTH_END)

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
  GQueue teardown_hooks;        /* TeardownHook: users of the worker's context (forwards) */

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

enum {
  SIGNAL_CLOSED,
  SIGNAL_INCOMING_CHANNEL,
  SIGNAL_GLOBAL_REQUEST,
  N_SIGNALS
};

struct _IncomingOpen;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TetherWorker, _tether_worker_unref)

typedef struct
{
  GError *error;
  char *banner;
  char *fingerprint;
  char *cipher;
} ConnectResult;

typedef struct _HostKeyCheck
{
  TetherHostKeyInfo *info;
  char *key_type;
  char *key_base64;
  char *old_key_base64;
  TetherKnownHostsEntry *old_entry;
} HostKeyCheck;

/* A channel the server asked to open, waiting for the owner's handlers to take it. libssh
 * frees a message after its callback, so messages are taken from its queue instead and
 * answered (accept, or OPEN_FAILURE) once the owner decided. */
typedef struct _IncomingOpen
{
  guint64 id;
  ssh_message message;
  TetherChannel *channel;
} IncomingOpen;

typedef enum {
  BANNER_WAIT,
  BANNER_FOUND,
  BANNER_FAILED,
} BannerStep;

extern guint _tether_connection_signals[N_SIGNALS];

/* tether-connection.c */
void
_tether_connection_set_state (TetherConnection      *self,
                              TetherConnectionState  state);

void
_tether_connection_on_state (TetherConnection *self,
                             gpointer          data);

void
_tether_connection_close_transport (TetherConnection *self);

void
_tether_connection_connect_result_free (ConnectResult *result);

void
_tether_connection_on_connect_done (TetherConnection *self,
                                    ConnectResult    *result);

void
_tether_connection_on_closed (TetherConnection *self,
                              GError           *error);

void
_tether_connection_on_n_channels (TetherConnection *self,
                                  gpointer          data);

void
_tether_connection_on_counters (TetherConnection *self,
                                gpointer          data);

void
_tether_connection_forget_caller_cancellable (TetherConnection *self);

/* tether-connection-worker.c */
void
_tether_connection_global_op_free (GlobalOp *op);

void
_tether_connection_secret_free (char *secret);

void
_tether_worker_clear_key_state (TetherWorker *w);

void
_tether_worker_invoke (TetherWorker  *w,
                       void         (*func) (TetherWorker *, gpointer),
                       gpointer       data,
                       GDestroyNotify data_free);

void
_tether_worker_post_state (TetherWorker          *w,
                           TetherConnectionState  state);

void
_tether_worker_post_to_connection (TetherWorker   *w,
                                   GCallback       func,
                                   gpointer        data,
                                   GDestroyNotify  data_free);

void
_tether_worker_post_n_channels (TetherWorker *w);

void
_tether_worker_fail_connect (TetherWorker *w,
                             GError       *error);

GError *
_tether_worker_session_error (TetherWorker *w,
                              const char   *what);

void
_tether_worker_teardown (TetherWorker *w,
                         GError       *error);

gboolean
_tether_worker_post_counters (TetherWorker *w);

void
_tether_worker_watch_counters (TetherWorker *w);

void
_tether_worker_login_timer_stop (TetherWorker *w);

void
_tether_worker_process (TetherWorker *w);

void
_tether_worker_login_timer_start (TetherWorker *w);

void
_tether_connection_start_worker (TetherConnection *self,
                                 int               fd);

/* tether-connection-host-key.c */
void
_tether_connection_host_key_check_free (HostKeyCheck *check);

void
_tether_worker_step_host_key (TetherWorker *w);

/* tether-connection-auth.c */
void
_tether_worker_step_auth (TetherWorker *w);

void
_tether_worker_set_auth_order (TetherWorker       *w,
                               const char * const *preferred);

/* tether-connection-channels.c */
gboolean
_tether_worker_collect_keepalive_answer (TetherWorker *w,
                                         int          *rc);

void
_tether_connection_incoming_open_free (IncomingOpen *incoming);

void
_tether_worker_finish_incoming (TetherWorker *w,
                                const GError *error);

void
_tether_worker_step_ready (TetherWorker *w);

/* tether-connection-transport.c */
BannerStep
_tether_worker_step_banner (TetherWorker  *w,
                            GError       **error);

gboolean
_tether_worker_send_client_banner (TetherWorker *w);

GError *
_tether_worker_handshake_error (TetherWorker *w);

void
_tether_connection_fail_connect_on_owner (TetherConnection *self,
                                          GError           *error);

void
_tether_connection_tcp_connected_cb (GObject      *source,
                                     GAsyncResult *result,
                                     gpointer      user_data);

void
_tether_connection_start_proxy_command (TetherConnection *self);

void
_tether_connection_start_proxy_jump (TetherConnection *self);

G_END_DECLS
