/* tether-host-session-impl-private.h: the inside of a TetherHostSession, shared by
 * tether-host-session.c (the object and its API) and tether-host-session-reconnect.c (getting
 * the connection back). Riders use tether-host-session-private.h instead. */
#pragma once

#include "tether-host-session-private.h"

G_BEGIN_DECLS

struct _TetherHostSession
{
  GObject parent_instance;

  TetherHost *host;
  TetherInteraction *interaction;
  TetherConnection *connection;
  TetherHostSessionState state;
  GError *error;
  guint reconnect_attempt;
  gint64 next_retry;

  GMainContext *context;
  GSource *retry_source;
  /* Cancels the login and the re-establishing of riders of the current connection. */
  GCancellable *cancellable;
  gulong closed_handler;
  /* Rider *, in registration order. */
  GPtrArray *riders;
  /* The host's port forwards; they ride on the session while they run. */
  TetherForwardList *forwards;
  /* connect_async () tasks waiting for READY or FAILED. */
  GPtrArray *pending;
  GNetworkMonitor *monitor;
  gulong network_handler;
  /* Views (terminal tabs) that keep the session while none of their shells runs. */
  guint holds;
  gboolean auto_reconnect;
  /* reconnect () came while an attempt was under way: should that attempt fail, the next
   * one starts at once, not after the backoff (the user's request is not lost). */
  gboolean retry_requested;
};

typedef struct
{
  GObject *object;
  const TetherRiderVTable *vtable;
} Rider;

enum {
  PROP_0,
  PROP_HOST,
  PROP_CONNECTION,
  PROP_STATE,
  PROP_ERROR,
  PROP_RECONNECT_ATTEMPT,
  PROP_NEXT_RETRY,
  PROP_N_RIDERS,
  PROP_INTERACTION,
  PROP_HELD,
  PROP_AUTO_RECONNECT,
  N_PROPS
};

void _tether_host_session_notify (TetherHostSession *self,
                                  guint              prop);
void _tether_host_session_set_error (TetherHostSession *self,
                                     const GError      *error);
void _tether_host_session_set_state (TetherHostSession      *self,
                                     TetherHostSessionState  state);
void _tether_host_session_set_retry (TetherHostSession *self,
                                     guint              attempt,
                                     gint64             next_retry);
void _tether_host_session_cancel_retry (TetherHostSession *self);
void _tether_host_session_drop_connection (TetherHostSession *self);
void _tether_host_session_forget_cancel_source (GTask *task);
void _tether_host_session_complete_pending (TetherHostSession *self,
                                            const GError      *error);
void _tether_host_session_tell_riders_lost (TetherHostSession *self,
                                            const GError      *error);
void _tether_host_session_fail (TetherHostSession *self,
                                const GError      *error);
void _tether_host_session_reestablish_riders (TetherHostSession *self);
void _tether_host_session_start_attempt (TetherHostSession *self);
void _tether_host_session_on_network_changed (GNetworkMonitor   *monitor,
                                              gboolean           available,
                                              TetherHostSession *self);

G_END_DECLS
