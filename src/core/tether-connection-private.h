/* tether-connection-private.h: what the connection's worker and its channels share.
 *
 * Threading: a TetherConnection owns a TetherWorker, a thread with its own
 * GMainContext that alone touches the libssh session and every ssh_channel.
 * Channel objects are shared: their queues are under TetherChannelShared.lock;
 * every other field marked "worker" is touched by the worker thread only.
 */
#pragma once

#include <libssh/libssh.h>
#include <libssh/callbacks.h>

#include "tether-channel.h"
#include "tether-connection.h"

G_BEGIN_DECLS

/* Bytes received for one channel and not yet read that Tether keeps; libssh
 * keeps at most one receive window more, so the whole stays near 4 MiB. */
#define TETHER_CHANNEL_IN_MAX (2 * 1024 * 1024)
/* Bytes written to a channel and not yet sent, before writers wait. */
#define TETHER_CHANNEL_OUT_MAX (1024 * 1024)
/* The most one read from libssh takes at once: a large count also grows the
 * receive window, which bounds throughput at high latency. */
#define TETHER_CHANNEL_READ_CHUNK (1024 * 1024)
/* The same for a bulk channel (an SFTP transfer's): libssh grows its receive window to the
 * count asked for, and one window per round trip is the most the peer can send: 1 MiB caps a
 * channel at ~20 MB/s at 50 ms, 4 MiB at ~80 MB/s. Shells keep the small figures, so that a
 * flood holds less ahead of a typed Ctrl+C. */
#define TETHER_CHANNEL_BULK_IN_MAX (8 * 1024 * 1024)
#define TETHER_CHANNEL_BULK_READ_CHUNK (4 * 1024 * 1024)
/* A bulk channel grants window again only after this much was read, not at every read:
 * each grant is a packet that both ends handle (one per 32 KiB data packet otherwise). */
#define TETHER_CHANNEL_BULK_GRANT_STEP (512 * 1024)

typedef struct _TetherWorker TetherWorker;

typedef struct
{
  GQueue chunks;              /* GBytes */
  gsize head_offset;
  gsize queued;
  gboolean eof;
  GTask *pending_read;        /* at most one reader at a time, as GInputStream ensures */
  void *pending_buffer;
  gsize pending_count;
} TetherChannelInQueue;

typedef enum {
  TETHER_CHANNEL_OP_PTY,
  TETHER_CHANNEL_OP_ENV,
  TETHER_CHANNEL_OP_SHELL,
  TETHER_CHANNEL_OP_EXEC,
  TETHER_CHANNEL_OP_SUBSYSTEM,
  TETHER_CHANNEL_OP_WINDOW_CHANGE,
  TETHER_CHANNEL_OP_SIGNAL,
  TETHER_CHANNEL_OP_BREAK,
  TETHER_CHANNEL_OP_AUTH_AGENT,
} TetherChannelOpKind;

typedef struct
{
  TetherChannelOpKind kind;
  GTask *task;                /* NULL for requests without a reply */
  char *s1;
  char *s2;
  guint n1;
  guint n2;
  gboolean no_reply;          /* the caller asked for no answer: done once sent */
  /* Ordering with the channel's data (RFC 4254 keeps one channel's messages in order, and a
   * shell must see "stty size" after the window-change made before it): out_total when the
   * op was submitted. The op goes out once that many bytes were sent, and no byte written
   * after it goes out before it. */
  guint64 data_mark;
  gboolean sent;              /* handed to libssh at least once */
} TetherChannelOp;

void _tether_channel_op_free (TetherChannelOp *op);

/* Return a task held in *@task and drop that reference, so that it is never
 * returned twice (g_task_get_completed() lags when returning from the worker). */
void _tether_task_return_error     (GTask      **task,
                                    GError      *error);
void _tether_task_return_new_error (GTask      **task,
                                    GQuark       domain,
                                    int          code,
                                    const char  *format,
                                    ...) G_GNUC_PRINTF (4, 5);
void _tether_task_return_boolean   (GTask      **task,
                                    gboolean     value);
void _tether_task_return_int       (GTask      **task,
                                    gssize       value);
void _tether_task_return_pointer   (GTask      **task,
                                    gpointer     value,
                                    GDestroyNotify value_free);

/* Runs @func on @context: at once when this thread owns @context, otherwise from an idle
 * source attached there. Never like g_main_context_invoke_full () does from a thread
 * whose default context is @context: that acquires @context between two iterations of
 * its owner and runs @func on the calling thread, which for a UI context means UI code on
 * a worker thread. */
void _tether_context_invoke        (GMainContext  *context,
                                    GSourceFunc    func,
                                    gpointer       data,
                                    GDestroyNotify notify);
/* Drops a reference to @object on @context (now if this thread owns it). */
void _tether_context_unref         (GMainContext  *context,
                                    gpointer       object);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TetherChannelOp, _tether_channel_op_free)

/* Counters of TetherConnection and TetherChannel, as bits of what changed. */
#define TETHER_COUNTER_SENT (1 << 0)
#define TETHER_COUNTER_RECEIVED (1 << 1)
#define TETHER_COUNTER_REMOTE_WINDOW (1 << 2)
#define TETHER_COUNTER_LOCAL_WINDOW (1 << 3)
#define TETHER_N_COUNTERS 4

/* Notifies, for each TETHER_COUNTER_* bit set in @changed, the property at that
 * bit's index in @counters (%NULL where @object has no such counter). */
void _tether_notify_counters (GObject     *object,
                              guint        changed,
                              GParamSpec **counters);

/* Connection side of a channel */
TetherWorker *_tether_connection_get_worker       (TetherConnection *self);
void          _tether_worker_wake                 (TetherWorker     *worker);
/* Worker: runs the worker's steps again at monotonic time @deadline at the latest (for
 * deadlines no packet marks); a step still waiting then asks again. */
void          _tether_worker_wake_at              (TetherWorker     *worker,
                                                   gint64            deadline);
/* The worker whose thread calls, or NULL on any other thread. */
TetherWorker *_tether_worker_get_current          (void);
GMainContext *_tether_worker_get_owner_context    (TetherWorker     *worker);
void          _tether_worker_submit_channel_op    (TetherWorker     *worker,
                                                   TetherChannel    *channel,
                                                   TetherChannelOp  *op);
void          _tether_worker_close_channel        (TetherWorker     *worker,
                                                   TetherChannel    *channel);
/* Emits on the connection's owner context, in order with other events. */
void          _tether_worker_post                 (TetherWorker     *worker,
                                                   GCallback         func,
                                                   gpointer          object,
                                                   gpointer          data,
                                                   GDestroyNotify    data_free);

/* Worker: @func (@data) runs on the worker when the connection ends, before its channels
 * fail, so that what lives on the worker's context (a forward's listener and sockets) closes
 * there. FALSE, and nothing registered, when the connection has already ended. */
gboolean      _tether_worker_add_teardown_hook    (TetherWorker     *worker,
                                                   void            (*func) (gpointer data),
                                                   gpointer          data);
/* Worker: forgets the hook registered for @data; FALSE when there was none. */
gboolean      _tether_worker_remove_teardown_hook (TetherWorker     *worker,
                                                   gpointer          data);
/* Runs @func (@worker, @data) on the worker; @data_free runs after it, or at once on the
 * calling thread when the worker thread is gone (then @func never runs). */
void          _tether_worker_invoke               (TetherWorker     *w,
                                                   void            (*func) (TetherWorker *,
                                                                            gpointer),
                                                   gpointer          data,
                                                   GDestroyNotify    data_free);

/* Channel internals, in tether-channel.c, tether-channel-pump.c and tether-channel-streams.c;
 * the task helpers above are in tether-task.c. */
typedef struct
{
  TetherWorker *worker;       /* strong ref */
  GMutex lock;
  GCond cond;
  TetherChannelInQueue in[2]; /* stdout, stderr (extended data) */
  GQueue out;                 /* GBytes to send */
  gsize out_offset;
  gsize out_queued;
  guint64 out_total;          /* bytes ever queued to send, under lock */
  guint64 out_sent;           /* bytes ever sent, under lock */
  GQueue unsent_ops;          /* TetherChannelOp submitted, not sent yet, under lock */
  GQueue pending_writes;      /* GTask waiting for room in out */
  gboolean eof_requested;
  GTask *eof_task;
  gboolean close_requested;
  GQueue close_tasks;
  GError *error;              /* set once the channel is closed */
  TetherChannelState state;

  /* worker */
  ssh_channel ssh;
  struct ssh_channel_callbacks_struct callbacks;
  GQueue ops;
  TetherChannelOp *current_op;
  gboolean eof_sent;
  gboolean close_sent;
  gboolean remote_eof_seen;
  gboolean remote_closed;
  gint64 close_deadline;      /* monotonic; when to stop waiting for the peer's CLOSE */
  guint64 notified_sent;
  guint64 notified_received;
  guint notified_remote_window;

  /* any thread */
  gint64 bytes_sent;
  gint64 bytes_received;
  gint64 queued_bytes;
  gint local_window;
  gint remote_window;
  gint bulk;                  /* read in TETHER_CHANNEL_BULK_* sizes */
  gsize read_since_grant;     /* worker: bytes a bulk channel read since it granted window */
} TetherChannelShared;

TetherChannelShared *_tether_channel_get_shared       (TetherChannel    *self);
void                 _tether_channel_set_bulk         (TetherChannel    *self);
TetherChannelShared *_tether_channel_shared_ref       (TetherChannelShared *shared);
void                 _tether_channel_shared_unref     (TetherChannelShared *shared);
TetherWorker        *_tether_worker_ref               (TetherWorker     *worker);
void                 _tether_worker_unref             (TetherWorker     *worker);
void                 _tether_channel_attach           (TetherChannel    *self,
                                                       TetherConnection *connection,
                                                       TetherWorker     *worker,
                                                       ssh_channel       ssh,
                                                       const char       *channel_type);
/* _tether_channel_attach () in two steps, for a channel offered to the owner before its
 * open is answered: prepare first, attach the libssh channel on the worker once accepted. */
void                 _tether_channel_prepare          (TetherChannel    *self,
                                                       TetherConnection *connection,
                                                       TetherWorker     *worker,
                                                       const char       *channel_type);
void                 _tether_channel_attach_ssh       (TetherChannel    *self,
                                                       ssh_channel       ssh);
void                 _tether_channel_set_endpoints    (TetherChannel    *self,
                                                       const char       *connected_address,
                                                       guint             connected_port,
                                                       const char       *originator_address,
                                                       guint             originator_port);
/* Worker: move data between libssh and the queues; FALSE when the channel ended. */
void                 _tether_channel_pump             (TetherChannel    *self,
                                                       guint8           *scratch);
/* Worker: posts notify for the counters that changed since the last call; TRUE if any. */
gboolean             _tether_channel_post_counters    (TetherChannel    *self);
void                 _tether_channel_op_mark_sent     (TetherChannelShared *sh,
                                                       TetherChannelOp     *op);
void                 _tether_channel_forget_unsent_ops (TetherChannelShared *sh);
/* Worker: TRUE once the peer closed the channel and everything it sent is queued, or once
 * our CLOSE was answered (or went unanswered too long). Replies to requests that came in
 * with the CLOSE are recorded first. */
gboolean             _tether_channel_is_done          (TetherChannel    *self);
/* Worker: the channel is gone; fail every waiter with @error (NULL for a clean close). */
void                 _tether_channel_finish           (TetherChannel    *self,
                                                       const GError     *error);
void                 _tether_session_channel_set_exit_status (TetherSessionChannel *self,
                                                       int               status);
void                 _tether_session_channel_set_exit_signal (TetherSessionChannel *self,
                                                       const char       *name,
                                                       gboolean          core_dumped,
                                                       const char       *message);

G_END_DECLS
