/* tether-host-state-indicator.h: the status light of a host's row in the sidebar. */
#pragma once

#include <gtk/gtk.h>
#include <tether.h>

G_BEGIN_DECLS

GtkWidget *tether_host_state_indicator_new      (void);
void       tether_host_state_indicator_update   (GtkWidget             *indicator,
                                                 TetherConnectionState  state,
                                                 TetherHostSession     *session);
char      *tether_host_state_indicator_dup_text (GtkWidget             *indicator);

G_END_DECLS
