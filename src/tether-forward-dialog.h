/* tether-forward-dialog.h: adds a port forward to a host's list, or changes one. */
#pragma once

#include <adwaita.h>
#include <tether.h>

G_BEGIN_DECLS

#define TETHER_TYPE_FORWARD_DIALOG (tether_forward_dialog_get_type ())
G_DECLARE_FINAL_TYPE (TetherForwardDialog, tether_forward_dialog, TETHER, FORWARD_DIALOG,
                      AdwWindow)

TetherForwardDialog *tether_forward_dialog_new         (GtkWindow           *parent,
                                                        TetherForwardList   *list,
                                                        TetherForward       *forward);
gboolean             tether_forward_dialog_is_valid    (TetherForwardDialog *self);
const char          *tether_forward_dialog_get_message (TetherForwardDialog *self);
const char          *tether_forward_dialog_get_warning (TetherForwardDialog *self);
TetherForward       *tether_forward_dialog_save        (TetherForwardDialog *self);

G_END_DECLS
