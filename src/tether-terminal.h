/* tether-terminal.h: the terminal widget of a tab: palette, font, zoom, links, clipboard. */
#pragma once

#include <adwaita.h>
#include <vte/vte.h>

G_BEGIN_DECLS

#define TETHER_TYPE_TERMINAL (tether_terminal_get_type ())
G_DECLARE_FINAL_TYPE (TetherTerminal, tether_terminal, TETHER, TERMINAL, VteTerminal)

TetherTerminal *tether_terminal_new             (void);

const char     *tether_terminal_get_context_link (TetherTerminal *self);
const char     *tether_terminal_get_palette      (TetherTerminal *self);
void            tether_terminal_set_palette      (TetherTerminal *self,
                                                  const char     *palette);

void            tether_terminal_save_contents_async  (TetherTerminal       *self,
                                                      GFile                *file,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
gboolean        tether_terminal_save_contents_finish (TetherTerminal       *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);

G_END_DECLS
