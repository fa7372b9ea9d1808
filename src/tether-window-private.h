/* tether-window-private.h: what the files of TetherWindow share: the instance struct and the
 * part of class_init each file contributes, as GNOME Text Editor's editor-window-private.h
 * does.
 *
 * - tether-window.c: the class, the sidebar and content side, the public API.
 * - tether-window-actions.c: the "win" actions and their keyboard shortcuts.
 * - tether-window-tabs.c: the tab features (broadcast input, the tab menu and its "tab"
 *   actions, asking before closing live shells). */
#pragma once

#include "tether-close-dialog.h"
#include "tether-window.h"

G_BEGIN_DECLS

struct _TetherWindow
{
  AdwApplicationWindow parent_instance;

  GSettings *settings;
  GBindingGroup *title_bindings;
  GSignalGroup *store_signals;
  TetherHostStore *host_store;
  GPtrArray *pending_destinations;   /* TetherHost *, typed before the store was read */

  /* tether-window-tabs.c */
  gboolean broadcast;
  AdwTabPage *menu_page;             /* the tab the tab menu was last opened for */
  TetherCloseDialog *close_dialog;   /* weak: "Close Window?" while it is asked */
  gboolean close_confirmed;

  /* Template children */
  AdwToastOverlay *toast_overlay;
  AdwLeaflet *leaflet;
  GtkWidget *sidebar;
  GtkSearchBar *search_bar;
  GtkSearchEntry *search_entry;
  TetherHostList *host_list;
  GtkMenuButton *primary_menu_button;
  GtkWidget *show_tabs_button;
  GtkMenuButton *tab_menu_button;
  GtkLabel *show_tabs_label;
  GtkWidget *content;
  AdwWindowTitle *content_title;
  GtkStack *content_stack;
  AdwStatusPage *empty_page;
  AdwTabBar *tab_bar;
  AdwTabView *tab_view;
  GtkWidget *broadcast_label;
  GtkWidget *broadcast_button;
};

/* tether-window.c */
void     _tether_window_forget_page_host (TetherWindow   *self,
                                          AdwTabPage     *page);
void     _tether_window_adopt_page_host  (TetherWindow   *self,
                                          AdwTabPage     *page);
void     _tether_window_show_content     (TetherWindow   *self);

/* tether-window-actions.c */
void     _tether_window_class_actions_init (GtkWidgetClass *widget_class);
void     _tether_window_update_share_action (TetherWindow *self);
void     _tether_window_actions_init       (TetherWindow   *self);

/* tether-window-tabs.c */
void     _tether_window_class_tabs_init    (GtkWidgetClass *widget_class);
void     _tether_window_tabs_init          (TetherWindow   *self);
void     _tether_window_tabs_dispose       (TetherWindow   *self);
void     _tether_window_setup_tab_menu     (TetherWindow   *self,
                                            AdwTabPage     *page);
void     _tether_window_set_broadcast      (TetherWindow   *self,
                                            gboolean        broadcast);
gboolean _tether_window_may_close          (TetherWindow   *self);

G_END_DECLS
