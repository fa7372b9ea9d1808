/* tether-close-dialog.h: "Close Terminal?" and "Close Window?", asked before ending shells that
 * still run. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define TETHER_TYPE_CLOSE_DIALOG (tether_close_dialog_get_type ())
G_DECLARE_FINAL_TYPE (TetherCloseDialog, tether_close_dialog, TETHER, CLOSE_DIALOG,
                      AdwMessageDialog)

TetherCloseDialog *tether_close_dialog_new_for_tab    (GtkWindow            *parent,
                                                       const char           *destination);
TetherCloseDialog *tether_close_dialog_new_for_window (GtkWindow            *parent,
                                                       guint                 n_connected);
void               tether_close_dialog_run_async      (TetherCloseDialog    *self,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
gboolean           tether_close_dialog_run_finish     (TetherCloseDialog    *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);

G_END_DECLS
