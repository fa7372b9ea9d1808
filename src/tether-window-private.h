/* tether-window-private.h: what the files of TetherWindow share. */
#pragma once

#include "tether-window.h"

G_BEGIN_DECLS

/* tether-window-tabs.c: the window's tab features (broadcast input, the tab menu, asking
 * before closing live sessions). Owned by the window: made in init, freed in dispose. */
typedef struct _TetherWindowTabs TetherWindowTabs;

TetherWindowTabs *tether_window_tabs_new  (TetherWindow     *window);
void              tether_window_tabs_free (TetherWindowTabs *tabs);

G_END_DECLS
