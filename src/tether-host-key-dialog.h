/* tether-host-key-dialog.h: whether to trust a server's host key that known_hosts does not
 * vouch for. */
#pragma once

#include <adwaita.h>
#include <tether.h>

G_BEGIN_DECLS

#define TETHER_TYPE_HOST_KEY_DIALOG (tether_host_key_dialog_get_type ())
G_DECLARE_FINAL_TYPE (TetherHostKeyDialog, tether_host_key_dialog, TETHER, HOST_KEY_DIALOG,
                      AdwMessageDialog)

/* A changed key is confirmed in a second dialog after this one has gone, so running is a
 * function of the parent window rather than a method of one dialog (as Ptyxis's
 * _ptyxis_close_dialog_run_async () is). */
void                   tether_host_key_dialog_run_async  (GtkWindow            *parent,
                                                          TetherHostKeyInfo    *info,
                                                          GCancellable         *cancellable,
                                                          GAsyncReadyCallback   callback,
                                                          gpointer              user_data);
TetherHostKeyDecision  tether_host_key_dialog_run_finish (GAsyncResult         *result,
                                                          GError              **error);

G_END_DECLS
