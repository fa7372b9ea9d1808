/* tether-forwards-panel-private.h: what the files of TetherForwardsPanel share.
 *
 * - tether-forwards-panel.c: the class, the forwards' rows, the server's ports.
 * - tether-forwards-panel-save.c: writing forwards and auto-forward settings to the saved
 *   host. */
#pragma once

#include <adwaita.h>

#include "tether-forwards-panel.h"

G_BEGIN_DECLS

struct _TetherForwardsPanel
{
  AdwBin parent_instance;

  TetherHostSession *session;
  TetherForwardList *forwards;
  TetherRemotePorts *remote_ports;
  AdwActionRow *remote_placeholder;

  /* Template children */
  AdwWindowTitle *window_title;
  GtkListBox *forwards_list;
  GtkWidget *remote_group;
  GtkListBox *remote_list;
  GtkSwitch *auto_forward_switch;
  AdwEntryRow *auto_forward_filter_row;
  AdwActionRow *auto_forward_row;

  /* Where a saved host's forwards and auto-forward settings are written; NULL in tests of
   * the panel alone. Hosts of ~/.ssh/config are not written: their changes last for this
   * session only. */
  TetherHostStore *host_store;
  /* What the panel last gave the store to write, while it writes: the store's host changes
   * only once written, and a change made from it meanwhile would undo the one before. */
  TetherHost *unsaved;
  guint n_saving;
};

void _tether_forwards_panel_save_forward      (TetherForwardsPanel *self,
                                               TetherForward       *forward,
                                               TetherForwardSpec   *previous);
void _tether_forwards_panel_forget_forward    (TetherForwardsPanel *self,
                                               TetherForward       *forward);
void _tether_forwards_panel_save_auto_forward (TetherForwardsPanel *self);

G_END_DECLS
