/* tether-forward-spec.h: one port forward as ssh_config and `ssh -L/-R/-D` write it. */
#pragma once

#if !defined(TETHER_INSIDE) && !defined(TETHER_COMPILATION)
# error "Only <tether.h> can be included directly."
#endif

#include <glib-object.h>

#include "tether-version.h"

G_BEGIN_DECLS

/**
 * TetherForwardKind:
 * @TETHER_FORWARD_KIND_LOCAL: a local port forwarded to a destination through the server
 *   (`LocalForward`, `ssh -L`)
 * @TETHER_FORWARD_KIND_REMOTE: a port on the server forwarded to a destination through this
 *   machine (`RemoteForward`, `ssh -R`); without a destination, the server's port is a SOCKS
 *   proxy going out through this machine
 * @TETHER_FORWARD_KIND_DYNAMIC: a local SOCKS proxy going out through the server
 *   (`DynamicForward`, `ssh -D`)
 *
 * Which way a forward goes.
 */
typedef enum {
  TETHER_FORWARD_KIND_LOCAL,
  TETHER_FORWARD_KIND_REMOTE,
  TETHER_FORWARD_KIND_DYNAMIC,
} TetherForwardKind;

/**
 * TETHER_FORWARD_SPEC_ERROR:
 *
 * Error domain of tether_forward_spec_parse(). Errors in this domain are from the
 * #TetherForwardSpecError enumeration.
 */
#define TETHER_FORWARD_SPEC_ERROR (tether_forward_spec_error_quark ())

/**
 * TetherForwardSpecError:
 * @TETHER_FORWARD_SPEC_ERROR_SYNTAX: the text is not in the shape of a forward
 * @TETHER_FORWARD_SPEC_ERROR_PORT: a port is not a number from 1 to 65535 (0, for a remote
 *   forward's listening port, asks the server to pick one)
 * @TETHER_FORWARD_SPEC_ERROR_NO_DESTINATION: a local forward names no destination
 * @TETHER_FORWARD_SPEC_ERROR_UNIX_SOCKET: an end is a Unix socket path, which Tether does not
 *   forward
 *
 * Why a forward specification was refused.
 */
typedef enum {
  TETHER_FORWARD_SPEC_ERROR_SYNTAX,
  TETHER_FORWARD_SPEC_ERROR_PORT,
  TETHER_FORWARD_SPEC_ERROR_NO_DESTINATION,
  TETHER_FORWARD_SPEC_ERROR_UNIX_SOCKET,
} TetherForwardSpecError;

/**
 * TetherForwardSpec:
 *
 * A parsed port forward: its kind, where it listens (bind address and port) and, unless it
 * is a SOCKS proxy, where connections go (destination host and port). Made by
 * tether_forward_spec_parse(); immutable.
 */
typedef struct _TetherForwardSpec TetherForwardSpec;

#define TETHER_TYPE_FORWARD_SPEC (tether_forward_spec_get_type ())

TETHER_AVAILABLE_IN_ALL
GQuark             tether_forward_spec_error_quark      (void);
TETHER_AVAILABLE_IN_ALL
GType              tether_forward_spec_get_type         (void) G_GNUC_CONST;

TETHER_AVAILABLE_IN_ALL
gboolean           tether_forward_kind_from_keyword     (const char               *keyword,
                                                         TetherForwardKind        *kind);
TETHER_AVAILABLE_IN_ALL
const char        *tether_forward_kind_to_keyword       (TetherForwardKind         kind);

TETHER_AVAILABLE_IN_ALL
TetherForwardSpec *tether_forward_spec_parse            (TetherForwardKind         kind,
                                                         const char               *spec,
                                                         GError                  **error);
TETHER_AVAILABLE_IN_ALL
TetherForwardSpec *tether_forward_spec_copy             (const TetherForwardSpec  *self);
TETHER_AVAILABLE_IN_ALL
void               tether_forward_spec_free             (TetherForwardSpec        *self);
TETHER_AVAILABLE_IN_ALL
TetherForwardKind  tether_forward_spec_get_kind         (const TetherForwardSpec  *self);
TETHER_AVAILABLE_IN_ALL
const char        *tether_forward_spec_get_bind_address (const TetherForwardSpec  *self);
TETHER_AVAILABLE_IN_ALL
guint              tether_forward_spec_get_bind_port    (const TetherForwardSpec  *self);
TETHER_AVAILABLE_IN_ALL
const char        *tether_forward_spec_get_host         (const TetherForwardSpec  *self);
TETHER_AVAILABLE_IN_ALL
guint              tether_forward_spec_get_host_port    (const TetherForwardSpec  *self);
TETHER_AVAILABLE_IN_ALL
char              *tether_forward_spec_to_string        (const TetherForwardSpec  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TetherForwardSpec, tether_forward_spec_free)

G_END_DECLS
