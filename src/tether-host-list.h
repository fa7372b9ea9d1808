/* tether-host-list.h: the sidebar's list of saved hosts. */
#pragma once

#include <adwaita.h>
#include <tether.h>

G_BEGIN_DECLS

#define TETHER_TYPE_HOST_LIST (tether_host_list_get_type ())
G_DECLARE_FINAL_TYPE (TetherHostList, tether_host_list, TETHER, HOST_LIST, AdwBin)

GtkWidget             *tether_host_list_new              (void);
TetherHostStore       *tether_host_list_get_store        (TetherHostList        *self);
void                   tether_host_list_set_store        (TetherHostList        *self,
                                                          TetherHostStore       *store);
const char            *tether_host_list_get_search_text  (TetherHostList        *self);
void                   tether_host_list_set_search_text  (TetherHostList        *self,
                                                          const char            *text);
GtkListBox            *tether_host_list_get_list_box     (TetherHostList        *self);
GListModel            *tether_host_list_get_model        (TetherHostList        *self);
TetherConnectionState  tether_host_list_get_host_state   (TetherHostList        *self,
                                                          TetherHost            *host);
void                   tether_host_list_set_host_state   (TetherHostList        *self,
                                                          TetherHost            *host,
                                                          TetherConnectionState  state);
void                   tether_host_list_set_host_session (TetherHostList        *self,
                                                          TetherHost            *host,
                                                          TetherHostSession     *session);
char                  *tether_host_list_dup_host_status  (TetherHostList        *self,
                                                          TetherHost            *host);
char                  *tether_host_dup_ssh_command       (TetherHost            *host);

G_END_DECLS
