/* tether-connection.h: one SSH connection (RFC 4254's ssh-connection service) as a GObject. */
#pragma once

#if !defined(TETHER_INSIDE) && !defined(TETHER_COMPILATION)
# error "Only <tether.h> can be included directly."
#endif

#include <gio/gio.h>

#include "tether-version.h"

#include "tether-channel.h"
#include "tether-host.h"
#include "tether-interaction.h"
#include "tether-session-channel.h"

G_BEGIN_DECLS

/**
 * TetherConnectionState:
 * @TETHER_CONNECTION_STATE_DISCONNECTED: not connected yet
 * @TETHER_CONNECTION_STATE_CONNECTING: reaching the server and checking its host key
 * @TETHER_CONNECTION_STATE_AUTHENTICATING: logging in
 * @TETHER_CONNECTION_STATE_READY: channels can be opened
 * @TETHER_CONNECTION_STATE_CLOSED: the connection ended (see #TetherConnection::closed)
 *
 * The life of a #TetherConnection. A closed connection stays closed: make a
 * new one to reconnect.
 */
typedef enum {
  TETHER_CONNECTION_STATE_DISCONNECTED,
  TETHER_CONNECTION_STATE_CONNECTING,
  TETHER_CONNECTION_STATE_AUTHENTICATING,
  TETHER_CONNECTION_STATE_READY,
  TETHER_CONNECTION_STATE_CLOSED,
} TetherConnectionState;

#define TETHER_TYPE_CONNECTION (tether_connection_get_type ())
TETHER_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (TetherConnection, tether_connection, TETHER, CONNECTION, GObject)

TETHER_AVAILABLE_IN_ALL
TetherConnection      *tether_connection_new                   (TetherHost          *host);

TETHER_AVAILABLE_IN_ALL
TetherHost            *tether_connection_get_host              (TetherConnection    *self);
TETHER_AVAILABLE_IN_ALL
TetherConnectionState  tether_connection_get_state             (TetherConnection    *self);
TETHER_AVAILABLE_IN_ALL
const char            *tether_connection_get_server_banner     (TetherConnection    *self);
TETHER_AVAILABLE_IN_ALL
const char            *tether_connection_get_host_key_fingerprint (TetherConnection *self);
TETHER_AVAILABLE_IN_ALL
guint                  tether_connection_get_n_channels        (TetherConnection    *self);
TETHER_AVAILABLE_IN_ALL
guint64                tether_connection_get_bytes_sent        (TetherConnection    *self);
TETHER_AVAILABLE_IN_ALL
guint64                tether_connection_get_bytes_received    (TetherConnection    *self);
TETHER_AVAILABLE_IN_ALL
const char            *tether_connection_get_cipher            (TetherConnection    *self);
TETHER_AVAILABLE_IN_ALL
TetherInteraction     *tether_connection_get_interaction       (TetherConnection    *self);
TETHER_AVAILABLE_IN_ALL
void                   tether_connection_set_interaction       (TetherConnection    *self,
                                                                TetherInteraction   *interaction);

TETHER_AVAILABLE_IN_ALL
void                   tether_connection_connect_async         (TetherConnection    *self,
                                                                GCancellable        *cancellable,
                                                                GAsyncReadyCallback  callback,
                                                                gpointer             user_data);
TETHER_AVAILABLE_IN_ALL
gboolean               tether_connection_connect_finish        (TetherConnection    *self,
                                                                GAsyncResult        *result,
                                                                GError             **error);

TETHER_AVAILABLE_IN_ALL
void                   tether_connection_open_session_async    (TetherConnection    *self,
                                                                GCancellable        *cancellable,
                                                                GAsyncReadyCallback  callback,
                                                                gpointer             user_data);
TETHER_AVAILABLE_IN_ALL
TetherSessionChannel  *tether_connection_open_session_finish   (TetherConnection    *self,
                                                                GAsyncResult        *result,
                                                                GError             **error);

TETHER_AVAILABLE_IN_ALL
void                   tether_connection_open_direct_tcpip_async  (TetherConnection *self,
                                                                const char          *host,
                                                                guint                port,
                                                                const char          *originator_address,
                                                                guint                originator_port,
                                                                GCancellable        *cancellable,
                                                                GAsyncReadyCallback  callback,
                                                                gpointer             user_data);
TETHER_AVAILABLE_IN_ALL
TetherChannel         *tether_connection_open_direct_tcpip_finish (TetherConnection *self,
                                                                GAsyncResult        *result,
                                                                GError             **error);

TETHER_AVAILABLE_IN_ALL
void                   tether_connection_request_remote_forward_async  (TetherConnection *self,
                                                                const char          *bind_address,
                                                                guint                port,
                                                                GCancellable        *cancellable,
                                                                GAsyncReadyCallback  callback,
                                                                gpointer             user_data);
TETHER_AVAILABLE_IN_ALL
guint                  tether_connection_request_remote_forward_finish (TetherConnection *self,
                                                                GAsyncResult        *result,
                                                                GError             **error);
TETHER_AVAILABLE_IN_ALL
void                   tether_connection_cancel_remote_forward_async  (TetherConnection *self,
                                                                const char          *bind_address,
                                                                guint                port,
                                                                GCancellable        *cancellable,
                                                                GAsyncReadyCallback  callback,
                                                                gpointer             user_data);
TETHER_AVAILABLE_IN_ALL
gboolean               tether_connection_cancel_remote_forward_finish (TetherConnection *self,
                                                                GAsyncResult        *result,
                                                                GError             **error);

TETHER_AVAILABLE_IN_ALL
void                   tether_connection_send_global_request_async  (TetherConnection *self,
                                                                const char          *name,
                                                                GBytes              *payload,
                                                                gboolean             want_reply,
                                                                GCancellable        *cancellable,
                                                                GAsyncReadyCallback  callback,
                                                                gpointer             user_data);
TETHER_AVAILABLE_IN_ALL
gboolean               tether_connection_send_global_request_finish (TetherConnection *self,
                                                                GAsyncResult        *result,
                                                                GError             **error);

TETHER_AVAILABLE_IN_ALL
void                   tether_connection_close                 (TetherConnection    *self);

G_END_DECLS
