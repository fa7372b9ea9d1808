/* tether-application.h: the Tether application, its app-wide actions and windows. */
#pragma once

#include <adwaita.h>
#include <tether.h>

G_BEGIN_DECLS

#define TETHER_TYPE_APPLICATION (tether_application_get_type ())
G_DECLARE_FINAL_TYPE (TetherApplication, tether_application, TETHER, APPLICATION, AdwApplication)

TetherApplication *tether_application_new          (void);
GSettings         *tether_application_get_settings (TetherApplication *self);
TetherSessionManager *tether_application_get_session_manager (TetherApplication *self);

G_END_DECLS
