/* tether-connection.h: one SSH connection (RFC 4254's ssh-connection service) as a GObject. */
#pragma once

#if !defined(TETHER_INSIDE) && !defined(TETHER_COMPILATION)
# error "Only <tether.h> can be included directly."
#endif

#include <gio/gio.h>

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
G_DECLARE_FINAL_TYPE (TetherConnection, tether_connection, TETHER, CONNECTION, GObject)

TetherConnection      *tether_connection_new                   (TetherHost          *host);

TetherHost            *tether_connection_get_host              (TetherConnection    *self);
TetherConnectionState  tether_connection_get_state             (TetherConnection    *self);
const char            *tether_connection_get_server_banner     (TetherConnection    *self);
const char            *tether_connection_get_host_key_fingerprint (TetherConnection *self);
guint                  tether_connection_get_n_channels        (TetherConnection    *self);
guint64                tether_connection_get_bytes_sent        (TetherConnection    *self);
guint64                tether_connection_get_bytes_received    (TetherConnection    *self);
const char            *tether_connection_get_cipher            (TetherConnection    *self);
TetherInteraction     *tether_connection_get_interaction       (TetherConnection    *self);
void                   tether_connection_set_interaction       (TetherConnection    *self,
                                                                TetherInteraction   *interaction);

void                   tether_connection_connect_async         (TetherConnection    *self,
                                                                GCancellable        *cancellable,
                                                                GAsyncReadyCallback  callback,
                                                                gpointer             user_data);
gboolean               tether_connection_connect_finish        (TetherConnection    *self,
                                                                GAsyncResult        *result,
                                                                GError             **error);

void                   tether_connection_open_session_async    (TetherConnection    *self,
                                                                GCancellable        *cancellable,
                                                                GAsyncReadyCallback  callback,
                                                                gpointer             user_data);
TetherSessionChannel  *tether_connection_open_session_finish   (TetherConnection    *self,
                                                                GAsyncResult        *result,
                                                                GError             **error);

void                   tether_connection_open_direct_tcpip_async  (TetherConnection *self,
                                                                const char          *host,
                                                                guint                port,
                                                                const char          *originator_address,
                                                                guint                originator_port,
                                                                GCancellable        *cancellable,
                                                                GAsyncReadyCallback  callback,
                                                                gpointer             user_data);
TetherChannel         *tether_connection_open_direct_tcpip_finish (TetherConnection *self,
                                                                GAsyncResult        *result,
                                                                GError             **error);

void                   tether_connection_request_remote_forward_async  (TetherConnection *self,
                                                                const char          *bind_address,
                                                                guint                port,
                                                                GCancellable        *cancellable,
                                                                GAsyncReadyCallback  callback,
                                                                gpointer             user_data);
guint                  tether_connection_request_remote_forward_finish (TetherConnection *self,
                                                                GAsyncResult        *result,
                                                                GError             **error);
void                   tether_connection_cancel_remote_forward_async  (TetherConnection *self,
                                                                const char          *bind_address,
                                                                guint                port,
                                                                GCancellable        *cancellable,
                                                                GAsyncReadyCallback  callback,
                                                                gpointer             user_data);
gboolean               tether_connection_cancel_remote_forward_finish (TetherConnection *self,
                                                                GAsyncResult        *result,
                                                                GError             **error);

void                   tether_connection_send_global_request_async  (TetherConnection *self,
                                                                const char          *name,
                                                                GBytes              *payload,
                                                                gboolean             want_reply,
                                                                GCancellable        *cancellable,
                                                                GAsyncReadyCallback  callback,
                                                                gpointer             user_data);
gboolean               tether_connection_send_global_request_finish (TetherConnection *self,
                                                                GAsyncResult        *result,
                                                                GError             **error);

void                   tether_connection_close                 (TetherConnection    *self);

G_END_DECLS
