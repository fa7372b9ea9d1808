/* tether-host-session.h: one saved host's login, reconnect and what rides on it. */
#pragma once

#if !defined(TETHER_INSIDE) && !defined(TETHER_COMPILATION)
# error "Only <tether.h> can be included directly."
#endif

#include <gio/gio.h>

#include "tether-version.h"

#include "tether-connection.h"
#include "tether-host.h"
#include "tether-interaction.h"

G_BEGIN_DECLS

/**
 * TetherHostSessionState:
 * @TETHER_HOST_SESSION_STATE_IDLE: not connected, and not trying to be
 * @TETHER_HOST_SESSION_STATE_CONNECTING: reaching the server and logging in
 * @TETHER_HOST_SESSION_STATE_READY: logged in; shells and the like can be opened
 * @TETHER_HOST_SESSION_STATE_RECONNECTING: the connection dropped; waiting to retry
 *   (see #TetherHostSession:next-retry) or retrying
 * @TETHER_HOST_SESSION_STATE_FAILED: the first connect failed, or a reconnect failed
 *   in a way that retrying cannot fix, such as a refused login or a changed host key
 *   (see #TetherHostSession:error); tether_host_session_reconnect() tries again
 *
 * The life of a #TetherHostSession.
 */
typedef enum {
  TETHER_HOST_SESSION_STATE_IDLE,
  TETHER_HOST_SESSION_STATE_CONNECTING,
  TETHER_HOST_SESSION_STATE_READY,
  TETHER_HOST_SESSION_STATE_RECONNECTING,
  TETHER_HOST_SESSION_STATE_FAILED,
} TetherHostSessionState;

typedef struct _TetherShell TetherShell;
typedef struct _TetherForwardList TetherForwardList;

#define TETHER_TYPE_HOST_SESSION (tether_host_session_get_type ())
TETHER_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (TetherHostSession, tether_host_session, TETHER, HOST_SESSION, GObject)

TETHER_AVAILABLE_IN_ALL
TetherHostSession      *tether_host_session_new                   (TetherHost          *host);

TETHER_AVAILABLE_IN_ALL
TetherHost             *tether_host_session_get_host              (TetherHostSession   *self);
TETHER_AVAILABLE_IN_ALL
TetherConnection       *tether_host_session_get_connection        (TetherHostSession   *self);
TETHER_AVAILABLE_IN_ALL
TetherHostSessionState  tether_host_session_get_state             (TetherHostSession   *self);
TETHER_AVAILABLE_IN_ALL
const GError           *tether_host_session_get_error             (TetherHostSession   *self);
TETHER_AVAILABLE_IN_ALL
guint                   tether_host_session_get_reconnect_attempt (TetherHostSession   *self);
TETHER_AVAILABLE_IN_ALL
gint64                  tether_host_session_get_next_retry        (TetherHostSession   *self);
TETHER_AVAILABLE_IN_ALL
guint                   tether_host_session_get_n_riders          (TetherHostSession   *self);
TETHER_AVAILABLE_IN_ALL
TetherInteraction      *tether_host_session_get_interaction       (TetherHostSession   *self);
TETHER_AVAILABLE_IN_ALL
void                    tether_host_session_set_interaction       (TetherHostSession   *self,
                                                                   TetherInteraction   *interaction);

TETHER_AVAILABLE_IN_ALL
void                    tether_host_session_connect_async         (TetherHostSession   *self,
                                                                   GCancellable        *cancellable,
                                                                   GAsyncReadyCallback  callback,
                                                                   gpointer             user_data);
TETHER_AVAILABLE_IN_ALL
gboolean                tether_host_session_connect_finish        (TetherHostSession   *self,
                                                                   GAsyncResult        *result,
                                                                   GError             **error);
TETHER_AVAILABLE_IN_ALL
void                    tether_host_session_reconnect             (TetherHostSession   *self);
TETHER_AVAILABLE_IN_ALL
void                    tether_host_session_hold                  (TetherHostSession   *self);
TETHER_AVAILABLE_IN_ALL
void                    tether_host_session_release               (TetherHostSession   *self);
TETHER_AVAILABLE_IN_ALL
gboolean                tether_host_session_get_held              (TetherHostSession   *self);
TETHER_AVAILABLE_IN_ALL
gboolean                tether_host_session_get_auto_reconnect    (TetherHostSession   *self);
TETHER_AVAILABLE_IN_ALL
void                    tether_host_session_set_auto_reconnect    (TetherHostSession   *self,
                                                                   gboolean             auto_reconnect);
TETHER_AVAILABLE_IN_ALL
void                    tether_host_session_close                 (TetherHostSession   *self);

TETHER_AVAILABLE_IN_ALL
void                    tether_host_session_open_shell_async      (TetherHostSession   *self,
                                                                   const char          *term,
                                                                   guint                cols,
                                                                   guint                rows,
                                                                   const char * const  *env,
                                                                   GCancellable        *cancellable,
                                                                   GAsyncReadyCallback  callback,
                                                                   gpointer             user_data);
TETHER_AVAILABLE_IN_ALL
TetherShell            *tether_host_session_open_shell_finish     (TetherHostSession   *self,
                                                                   GAsyncResult        *result,
                                                                   GError             **error);

TETHER_AVAILABLE_IN_ALL
TetherForwardList      *tether_host_session_get_forwards          (TetherHostSession   *self);

TETHER_AVAILABLE_IN_ALL
char                   *tether_host_session_dup_key_for_host      (TetherHost          *host);

G_END_DECLS
