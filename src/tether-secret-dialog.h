/* tether-secret-dialog.h: asks for what a login needs: a password, a key's passphrase, or the
 * answers to a server's keyboard-interactive prompts. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define TETHER_TYPE_SECRET_DIALOG (tether_secret_dialog_get_type ())
G_DECLARE_FINAL_TYPE (TetherSecretDialog, tether_secret_dialog, TETHER, SECRET_DIALOG,
                      AdwMessageDialog)

TetherSecretDialog  *tether_secret_dialog_new                (GtkWindow           *parent,
                                                              const char          *heading,
                                                              const char          *body);
GtkWidget           *tether_secret_dialog_add_entry          (TetherSecretDialog  *self,
                                                              const char          *title,
                                                              gboolean             visible);
void                 tether_secret_dialog_set_remember_label (TetherSecretDialog  *self,
                                                              const char          *label);
void                 tether_secret_dialog_run_async          (TetherSecretDialog  *self,
                                                              GCancellable        *cancellable,
                                                              GAsyncReadyCallback  callback,
                                                              gpointer             user_data);
char               **tether_secret_dialog_run_finish         (TetherSecretDialog  *self,
                                                              GAsyncResult        *result,
                                                              gboolean            *remember,
                                                              GError             **error);

G_END_DECLS
