/* tether-forward-private.h: what the files of TetherForward share: the counters both threads
 * touch, and the run, the worker side of one forward on one connection (listener, SOCKS
 * handshakes, splices). Included only by tether-forward*.c and tether-host-session.c.
 */
#pragma once

#include "tether-forward.h"
#include "tether-host-session.h"

G_BEGIN_DECLS

/* How often, at most, the UI hears about changed counters. */
#define TETHER_FORWARD_NOTIFY_MS 250

/* The forward's counters: written by the worker with atomics, read by the owner. Shared by the
 * forward and each of its runs, so a connection of an old run still counts. */
typedef struct
{
  GMainContext *owner_ctx;
  GWeakRef forward;
  gint n_active;
  gssize n_total;             /* g_atomic_pointer_* */
  gssize bytes_in;            /* destination -> client */
  gssize bytes_out;           /* client -> destination */
  gint notify_pending;
} TetherForwardCounters;

TetherForwardCounters *_tether_forward_counters_new   (TetherForward         *forward);
TetherForwardCounters *_tether_forward_counters_ref   (TetherForwardCounters *counters);
void                   _tether_forward_counters_unref (TetherForwardCounters *counters);
/* Any thread: the owner hears of the change within TETHER_FORWARD_NOTIFY_MS. */
void                   _tether_forward_counters_changed (TetherForwardCounters *counters);

typedef struct _TetherForwardRun TetherForwardRun;

/* Owner: a run of @forward's settings on @connection (READY). */
TetherForwardRun *_tether_forward_run_new          (TetherForward         *forward,
                                                    TetherConnection      *connection,
                                                    TetherForwardCounters *counters);
TetherForwardRun *_tether_forward_run_ref          (TetherForwardRun      *run);
void              _tether_forward_run_unref        (TetherForwardRun      *run);
TetherConnection *_tether_forward_run_get_connection (TetherForwardRun    *run);
/* Owner: local and dynamic forwards listen, on the worker; the result comes back through
 * _tether_forward_on_listening () on the owner's context. */
void              _tether_forward_run_listen       (TetherForwardRun      *run);
/* Owner: a remote forward's accepted forwarded-tcpip channel: connect to the destination (on
 * the worker) and splice; the channel is closed if the destination refuses. */
void              _tether_forward_run_take_channel (TetherForwardRun      *run,
                                                    TetherChannel         *channel);
/* Owner: closes the listener and every connection of the run, on the worker. */
void              _tether_forward_run_stop         (TetherForwardRun      *run);

/* tether-forward.c: the owner side hears from the run. */
void _tether_forward_on_listening (TetherForward    *self,
                                   TetherForwardRun *run,
                                   guint             bound_port,
                                   const GError     *error);
/* Owner: notifies the counters that changed since the last call. */
void _tether_forward_sync_counters (TetherForward    *self);

/* tether-forward-list.c: the session makes, and at its end detaches, its list. */
TetherForwardList *_tether_forward_list_new    (TetherHostSession *session);
void               _tether_forward_list_detach (TetherForwardList *self);

/* tether-forward.c, for the list. */
void _tether_forward_attach (TetherForward     *self,
                             TetherHostSession *session);
void _tether_forward_detach (TetherForward     *self);

G_END_DECLS
