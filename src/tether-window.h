/* tether-window.h: a main window, with the saved hosts and a tab view of pages. */
#pragma once

#include <adwaita.h>
#include <tether.h>

#include "tether-host-list.h"

G_BEGIN_DECLS

#define TETHER_TYPE_WINDOW (tether_window_get_type ())
G_DECLARE_FINAL_TYPE (TetherWindow, tether_window, TETHER, WINDOW, AdwApplicationWindow)

TetherWindow *tether_window_new              (GtkApplication *application);
AdwTabView   *tether_window_get_tab_view     (TetherWindow   *self);
GtkListBox   *tether_window_get_hosts_list   (TetherWindow   *self);
void          tether_window_add_toast        (TetherWindow   *self,
                                              AdwToast       *toast);
void          tether_window_open_destination (TetherWindow   *self,
                                              TetherHost     *host);
AdwTabPage   *tether_window_open_host        (TetherWindow   *self,
                                              TetherHost     *host);
AdwTabPage   *tether_window_open_files       (TetherWindow   *self,
                                              TetherHost     *host);
AdwTabPage   *tether_window_open_files_administrator (TetherWindow *self,
                                                      TetherHost   *host);
AdwTabPage   *tether_window_restore_tab      (TetherWindow   *self,
                                              TetherHost     *host,
                                              const char     *custom_title,
                                              const char     *tmux_session);
AdwTabPage   *tether_window_restore_files    (TetherWindow   *self,
                                              TetherHost     *host,
                                              const char     *path);

TetherHostList  *tether_window_get_host_list  (TetherWindow    *self);
TetherHostStore *tether_window_get_host_store (TetherWindow    *self);
void             tether_window_set_host_store (TetherWindow    *self,
                                               TetherHostStore *store);

G_END_DECLS
