/* tether-preferences-window.h: the Preferences window, a view of the app's GSettings. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define TETHER_TYPE_PREFERENCES_WINDOW (tether_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (TetherPreferencesWindow, tether_preferences_window,
                      TETHER, PREFERENCES_WINDOW, AdwPreferencesWindow)

TetherPreferencesWindow *tether_preferences_window_new (GtkWindow *parent);

G_END_DECLS
