/* tether-forwards-panel.h: the port forwards of one host, with live counters. */
#pragma once

#include <adwaita.h>
#include <tether.h>

G_BEGIN_DECLS

#define TETHER_TYPE_FORWARDS_PANEL (tether_forwards_panel_get_type ())
G_DECLARE_FINAL_TYPE (TetherForwardsPanel, tether_forwards_panel, TETHER, FORWARDS_PANEL, AdwBin)

TetherForwardsPanel *tether_forwards_panel_new         (TetherHostSession   *session);
TetherHostSession   *tether_forwards_panel_get_session (TetherForwardsPanel *self);
void                 tether_forwards_panel_set_host_store (TetherForwardsPanel *self,
                                                           TetherHostStore     *store);
GtkWindow           *tether_forwards_panel_present     (GtkWindow           *parent,
                                                        TetherHostSession   *session);
TetherForward       *tether_forwards_panel_forward_remote_port (TetherForwardsPanel *self,
                                                                guint                port);
char                *tether_forward_dup_summary        (TetherForward       *forward);
gboolean             tether_forward_looks_like_http    (TetherForward       *forward);

G_END_DECLS
