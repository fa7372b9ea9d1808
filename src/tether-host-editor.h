/* tether-host-editor.h: the window that adds or edits one saved host. */
#pragma once

#include <adwaita.h>
#include <tether.h>

G_BEGIN_DECLS

/**
 * TetherHostAuth:
 * @TETHER_HOST_AUTH_AGENT: keys from the SSH agent and the default key files
 * @TETHER_HOST_AUTH_KEY_FILE: one chosen private key file
 * @TETHER_HOST_AUTH_PASSWORD: a password, maybe remembered in the keyring
 *
 * The authentication choices of the editor, in the order of its combo row.
 */
typedef enum {
  TETHER_HOST_AUTH_AGENT,
  TETHER_HOST_AUTH_KEY_FILE,
  TETHER_HOST_AUTH_PASSWORD,
} TetherHostAuth;

#define TETHER_TYPE_HOST_EDITOR (tether_host_editor_get_type ())
G_DECLARE_FINAL_TYPE (TetherHostEditor, tether_host_editor, TETHER, HOST_EDITOR, AdwWindow)

TetherHostEditor *tether_host_editor_new          (GtkWindow        *parent,
                                                   TetherHostStore  *store,
                                                   TetherHost       *host);
TetherHost       *tether_host_editor_get_host     (TetherHostEditor *self);
TetherHostStore  *tether_host_editor_get_store    (TetherHostEditor *self);
gboolean          tether_host_editor_is_valid     (TetherHostEditor *self);
void              tether_host_editor_set_key_file (TetherHostEditor *self,
                                                   const char       *path);

G_END_DECLS
