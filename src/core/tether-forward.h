/* tether-forward.h: port forwards (ssh -L, -R, -D) riding on a host session. */
#pragma once

#if !defined(TETHER_INSIDE) && !defined(TETHER_COMPILATION)
# error "Only <tether.h> can be included directly."
#endif

#include <gio/gio.h>

#include "tether-version.h"

#include "tether-forward-spec.h"

G_BEGIN_DECLS

/**
 * TetherForwardState:
 * @TETHER_FORWARD_STATE_STOPPED: not listening; the forward starts with
 *   tether_forward_start() or, when pinned, when its host session logs in
 * @TETHER_FORWARD_STATE_STARTING: waiting for the host session to log in, for the
 *   local listener or for the server's answer to the remote listen
 * @TETHER_FORWARD_STATE_ACTIVE: listening; connections are forwarded
 * @TETHER_FORWARD_STATE_FAILED: could not start or lost its connection (see
 *   #TetherForward:error); a pinned forward comes back by itself after a reconnect
 *
 * The life of a #TetherForward.
 */
typedef enum {
  TETHER_FORWARD_STATE_STOPPED,
  TETHER_FORWARD_STATE_STARTING,
  TETHER_FORWARD_STATE_ACTIVE,
  TETHER_FORWARD_STATE_FAILED,
} TetherForwardState;

#define TETHER_TYPE_FORWARD (tether_forward_get_type ())
TETHER_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (TetherForward, tether_forward, TETHER, FORWARD, GObject)

#define TETHER_TYPE_FORWARD_LIST (tether_forward_list_get_type ())
TETHER_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (TetherForwardList, tether_forward_list, TETHER, FORWARD_LIST, GObject)

TETHER_AVAILABLE_IN_ALL
TetherForward      *tether_forward_new                  (TetherForwardKind        kind,
                                                         const char              *bind_address,
                                                         guint                    bind_port,
                                                         const char              *destination_host,
                                                         guint                    destination_port);
TETHER_AVAILABLE_IN_ALL
TetherForward      *tether_forward_new_from_spec        (const TetherForwardSpec *spec);

TETHER_AVAILABLE_IN_ALL
TetherForwardKind   tether_forward_get_kind             (TetherForward           *self);
TETHER_AVAILABLE_IN_ALL
const char         *tether_forward_get_bind_address     (TetherForward           *self);
TETHER_AVAILABLE_IN_ALL
guint               tether_forward_get_bind_port        (TetherForward           *self);
TETHER_AVAILABLE_IN_ALL
guint               tether_forward_get_bound_port       (TetherForward           *self);
TETHER_AVAILABLE_IN_ALL
const char         *tether_forward_get_destination_host (TetherForward           *self);
TETHER_AVAILABLE_IN_ALL
guint               tether_forward_get_destination_port (TetherForward           *self);
TETHER_AVAILABLE_IN_ALL
TetherForwardState  tether_forward_get_state            (TetherForward           *self);
TETHER_AVAILABLE_IN_ALL
const GError       *tether_forward_get_error            (TetherForward           *self);
TETHER_AVAILABLE_IN_ALL
guint               tether_forward_get_n_active         (TetherForward           *self);
TETHER_AVAILABLE_IN_ALL
guint64             tether_forward_get_n_total          (TetherForward           *self);
TETHER_AVAILABLE_IN_ALL
guint64             tether_forward_get_bytes_in         (TetherForward           *self);
TETHER_AVAILABLE_IN_ALL
guint64             tether_forward_get_bytes_out        (TetherForward           *self);
TETHER_AVAILABLE_IN_ALL
gboolean            tether_forward_get_pinned           (TetherForward           *self);
TETHER_AVAILABLE_IN_ALL
void                tether_forward_set_pinned           (TetherForward           *self,
                                                         gboolean                 pinned);
TETHER_AVAILABLE_IN_ALL
TetherForwardSpec  *tether_forward_to_spec              (TetherForward           *self);

TETHER_AVAILABLE_IN_ALL
void                tether_forward_start                (TetherForward           *self);
TETHER_AVAILABLE_IN_ALL
void                tether_forward_stop                 (TetherForward           *self);

TETHER_AVAILABLE_IN_ALL
TetherForward      *tether_forward_list_add_spec        (TetherForwardList       *self,
                                                         const TetherForwardSpec *spec,
                                                         gboolean                 pinned);
TETHER_AVAILABLE_IN_ALL
void                tether_forward_list_add             (TetherForwardList       *self,
                                                         TetherForward           *forward);
TETHER_AVAILABLE_IN_ALL
void                tether_forward_list_remove          (TetherForwardList       *self,
                                                         TetherForward           *forward);
TETHER_AVAILABLE_IN_ALL
TetherForward      *tether_forward_list_replace_spec    (TetherForwardList       *self,
                                                         TetherForward           *forward,
                                                         const TetherForwardSpec *spec,
                                                         gboolean                 pinned);

G_END_DECLS
