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

typedef struct _TetherWindow TetherWindow;

GPtrArray         *tether_application_snapshot_windows (TetherApplication *self);
void               tether_application_restore_windows  (TetherApplication *self,
                                                        GPtrArray         *windows);
void               tether_application_window_closing   (TetherApplication *self,
                                                        TetherWindow      *window);
const char        *tether_application_get_saved_windows_path (TetherApplication *self);

G_END_DECLS
