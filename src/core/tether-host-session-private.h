/* tether-host-session-private.h: how riders (shells, later forwards and SFTP clients)
 * register with a TetherHostSession to be re-established after a reconnect. */
#pragma once

#include "tether-host-session.h"

G_BEGIN_DECLS

/*
 * TetherRiderVTable:
 * @reestablish_async: bring the rider back on @connection (a new one after a reconnect);
 *   a rider with nothing to do completes at once
 * @reestablish_finish: finishes @reestablish_async
 * @lost: the session lost its connection (@state RECONNECTING), gave up (FAILED) or was
 *   closed (IDLE); @error says why, when there is a why
 *
 * Riders are re-established one after the other, in the order they registered, after each
 * login. The session does not own its riders: a rider unregisters before it goes away.
 */
typedef struct
{
  void     (*reestablish_async)  (GObject                *rider,
                                  TetherConnection       *connection,
                                  GCancellable           *cancellable,
                                  GAsyncReadyCallback     callback,
                                  gpointer                user_data);
  gboolean (*reestablish_finish) (GObject                *rider,
                                  GAsyncResult           *result,
                                  GError                **error);
  void     (*lost)               (GObject                *rider,
                                  TetherHostSessionState  state,
                                  const GError           *error);
} TetherRiderVTable;

void _tether_host_session_add_rider    (TetherHostSession       *self,
                                        GObject                 *rider,
                                        const TetherRiderVTable *vtable);
void _tether_host_session_remove_rider (TetherHostSession       *self,
                                        GObject                 *rider);

/* Sets the boxed GError property @pspec of @object, held in *@slot, to a copy of
 * @error and notifies it when it changed: shared by the session and its riders. */
void _tether_set_error_property (GObject      *object,
                                 GError      **slot,
                                 const GError *error,
                                 GParamSpec   *pspec);

G_END_DECLS
