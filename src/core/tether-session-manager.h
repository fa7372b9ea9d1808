/* tether-session-manager.h: the host sessions of an application, one per saved host. */
#pragma once

#if !defined(TETHER_INSIDE) && !defined(TETHER_COMPILATION)
# error "Only <tether.h> can be included directly."
#endif

#include <gio/gio.h>

#include "tether-version.h"

#include "tether-auto-forward.h"
#include "tether-host-session.h"

G_BEGIN_DECLS

#define TETHER_TYPE_SESSION_MANAGER (tether_session_manager_get_type ())
TETHER_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (TetherSessionManager, tether_session_manager, TETHER, SESSION_MANAGER,
                      GObject)

TETHER_AVAILABLE_IN_ALL
TetherSessionManager *tether_session_manager_new              (void);
TETHER_AVAILABLE_IN_ALL
TetherHostSession    *tether_session_manager_lookup           (TetherSessionManager *self,
                                                               TetherHost           *host);
TETHER_AVAILABLE_IN_ALL
TetherHostSession    *tether_session_manager_lookup_or_create (TetherSessionManager *self,
                                                               TetherHost           *host);
TETHER_AVAILABLE_IN_ALL
TetherAutoForward    *tether_session_manager_get_auto_forward (TetherSessionManager *self,
                                                               TetherHostSession    *session);
TETHER_AVAILABLE_IN_ALL
TetherInteraction    *tether_session_manager_get_interaction  (TetherSessionManager *self);
TETHER_AVAILABLE_IN_ALL
void                  tether_session_manager_set_interaction  (TetherSessionManager *self,
                                                               TetherInteraction    *interaction);

G_END_DECLS
