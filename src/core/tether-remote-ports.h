/* tether-remote-ports.h: the TCP ports that listen on a host session's server. */
#pragma once

#if !defined(TETHER_INSIDE) && !defined(TETHER_COMPILATION)
# error "Only <tether.h> can be included directly."
#endif

#include <gio/gio.h>

#include "tether-version.h"

#include "tether-host-session.h"

G_BEGIN_DECLS

#define TETHER_TYPE_REMOTE_PORT (tether_remote_port_get_type ())
TETHER_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (TetherRemotePort, tether_remote_port, TETHER, REMOTE_PORT, GObject)

#define TETHER_TYPE_REMOTE_PORTS (tether_remote_ports_get_type ())
TETHER_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (TetherRemotePorts, tether_remote_ports, TETHER, REMOTE_PORTS, GObject)

TETHER_AVAILABLE_IN_ALL
const char        *tether_remote_port_get_address           (TetherRemotePort    *self);
TETHER_AVAILABLE_IN_ALL
guint              tether_remote_port_get_port              (TetherRemotePort    *self);
TETHER_AVAILABLE_IN_ALL
const char        *tether_remote_port_get_process           (TetherRemotePort    *self);
TETHER_AVAILABLE_IN_ALL
gboolean           tether_remote_port_get_is_loopback_only  (TetherRemotePort    *self);

TETHER_AVAILABLE_IN_ALL
TetherRemotePorts *tether_remote_ports_new                  (TetherHostSession   *session);
TETHER_AVAILABLE_IN_ALL
TetherHostSession *tether_remote_ports_get_session          (TetherRemotePorts   *self);
TETHER_AVAILABLE_IN_ALL
guint              tether_remote_ports_get_refresh_interval (TetherRemotePorts   *self);
TETHER_AVAILABLE_IN_ALL
void               tether_remote_ports_set_refresh_interval (TetherRemotePorts   *self,
                                                             guint                seconds);
TETHER_AVAILABLE_IN_ALL
gboolean           tether_remote_ports_get_loading          (TetherRemotePorts   *self);
TETHER_AVAILABLE_IN_ALL
const GError      *tether_remote_ports_get_error            (TetherRemotePorts   *self);
TETHER_AVAILABLE_IN_ALL
TetherRemotePort  *tether_remote_ports_lookup               (TetherRemotePorts   *self,
                                                             guint                port);
TETHER_AVAILABLE_IN_ALL
void               tether_remote_ports_refresh_async        (TetherRemotePorts   *self,
                                                             GCancellable        *cancellable,
                                                             GAsyncReadyCallback  callback,
                                                             gpointer             user_data);
TETHER_AVAILABLE_IN_ALL
gboolean           tether_remote_ports_refresh_finish       (TetherRemotePorts   *self,
                                                             GAsyncResult        *result,
                                                             GError             **error);

TETHER_AVAILABLE_IN_ALL
gboolean           tether_remote_ports_filter_allows        (const char          *filter,
                                                             guint                port);
TETHER_AVAILABLE_IN_ALL
gboolean           tether_remote_ports_filter_check         (const char          *filter,
                                                             GError             **error);

G_END_DECLS
