/* tether-paste-dialog.h: "Paste Multiple Lines?", asked before a paste that would run commands. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define TETHER_TYPE_PASTE_DIALOG (tether_paste_dialog_get_type ())
G_DECLARE_FINAL_TYPE (TetherPasteDialog, tether_paste_dialog, TETHER, PASTE_DIALOG,
                      AdwMessageDialog)

TetherPasteDialog *tether_paste_dialog_new        (GtkWindow            *parent,
                                                   const char           *text);
void               tether_paste_dialog_run_async  (TetherPasteDialog    *self,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
gboolean           tether_paste_dialog_run_finish (TetherPasteDialog    *self,
                                                   GAsyncResult         *result,
                                                   GError              **error);

G_END_DECLS
