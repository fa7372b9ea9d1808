/* tether-prompt-interaction.h: the connection service's questions as libadwaita dialogs. */
#pragma once

#include <adwaita.h>
#include <tether.h>

G_BEGIN_DECLS

/**
 * TetherRememberFunc:
 * @host: the host being logged in to
 * @kind: what @secret unlocks
 * @key_file: (nullable): the key file of a passphrase
 * @secret: the secret the user typed and asked to remember
 * @user_data: the data given with the function
 *
 * Called when the user ticked "Remember" in a password or passphrase dialog, instead of
 * storing @secret in the keyring.
 */
typedef void (*TetherRememberFunc) (TetherHost       *host,
                                    TetherSecretKind  kind,
                                    const char       *key_file,
                                    const char       *secret,
                                    gpointer          user_data);

#define TETHER_TYPE_PROMPT_INTERACTION (tether_prompt_interaction_get_type ())
G_DECLARE_FINAL_TYPE (TetherPromptInteraction, tether_prompt_interaction,
                      TETHER, PROMPT_INTERACTION, TetherInteraction)

TetherPromptInteraction *tether_prompt_interaction_new               (GtkWindow               *parent);
GtkWindow               *tether_prompt_interaction_get_parent        (TetherPromptInteraction *self);
void                     tether_prompt_interaction_set_parent        (TetherPromptInteraction *self,
                                                                      GtkWindow               *parent);
TetherHost              *tether_prompt_interaction_get_host          (TetherPromptInteraction *self);
void                     tether_prompt_interaction_set_host          (TetherPromptInteraction *self,
                                                                      TetherHost              *host);
void                     tether_prompt_interaction_set_remember_func (TetherPromptInteraction *self,
                                                                      TetherRememberFunc       func,
                                                                      gpointer                 user_data,
                                                                      GDestroyNotify           destroy);

G_END_DECLS
