/* tether-auto-forward.h: forwarding the ports that start listening on a host's server. */
#pragma once

#if !defined(TETHER_INSIDE) && !defined(TETHER_COMPILATION)
# error "Only <tether.h> can be included directly."
#endif

#include <gio/gio.h>

#include "tether-version.h"

#include "tether-forward.h"
#include "tether-host-session.h"
#include "tether-remote-ports.h"

G_BEGIN_DECLS

#define TETHER_TYPE_AUTO_FORWARD (tether_auto_forward_get_type ())
TETHER_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (TetherAutoForward, tether_auto_forward, TETHER, AUTO_FORWARD, GObject)

TETHER_AVAILABLE_IN_ALL
TetherAutoForward *tether_auto_forward_new              (TetherHostSession *session);
TETHER_AVAILABLE_IN_ALL
TetherHostSession *tether_auto_forward_get_session      (TetherAutoForward *self);
TETHER_AVAILABLE_IN_ALL
TetherRemotePorts *tether_auto_forward_get_remote_ports (TetherAutoForward *self);
TETHER_AVAILABLE_IN_ALL
gboolean           tether_auto_forward_get_active       (TetherAutoForward *self);
TETHER_AVAILABLE_IN_ALL
guint              tether_auto_forward_get_interval     (TetherAutoForward *self);
TETHER_AVAILABLE_IN_ALL
void               tether_auto_forward_set_interval     (TetherAutoForward *self,
                                                         guint              seconds);
TETHER_AVAILABLE_IN_ALL
TetherForward     *tether_auto_forward_lookup           (TetherAutoForward *self,
                                                         guint              remote_port);

G_END_DECLS
