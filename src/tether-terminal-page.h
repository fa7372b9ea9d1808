/* tether-terminal-page.h: a tab's remote terminal: a view of a TetherShell of a host session. */
#pragma once

#include <adwaita.h>
#include <tether.h>
#include <vte/vte.h>

G_BEGIN_DECLS

/**
 * TetherTerminalState:
 * @TETHER_TERMINAL_STATE_CONNECTING: logging in and starting the shell
 * @TETHER_TERMINAL_STATE_CONNECTED: the shell runs
 * @TETHER_TERMINAL_STATE_DISCONNECTED: the shell ended, the connection dropped or never came
 *
 * What a terminal page shows the user about its shell.
 */
typedef enum {
  TETHER_TERMINAL_STATE_CONNECTING,
  TETHER_TERMINAL_STATE_CONNECTED,
  TETHER_TERMINAL_STATE_DISCONNECTED,
} TetherTerminalState;

#define TETHER_TYPE_TERMINAL_STATE (tether_terminal_state_get_type ())
GType tether_terminal_state_get_type (void) G_GNUC_CONST;

#define TETHER_TYPE_TERMINAL_PAGE (tether_terminal_page_get_type ())
G_DECLARE_FINAL_TYPE (TetherTerminalPage, tether_terminal_page, TETHER, TERMINAL_PAGE, GtkWidget)

TetherTerminalPage  *tether_terminal_page_new             (TetherHostSession  *session);

TetherHostSession   *tether_terminal_page_get_session     (TetherTerminalPage *self);
TetherHost          *tether_terminal_page_get_host        (TetherTerminalPage *self);
TetherShell         *tether_terminal_page_get_shell       (TetherTerminalPage *self);
TetherConnection    *tether_terminal_page_get_connection  (TetherTerminalPage *self);
const char          *tether_terminal_page_get_title       (TetherTerminalPage *self);
const char          *tether_terminal_page_get_custom_title (TetherTerminalPage *self);
void                 tether_terminal_page_set_custom_title (TetherTerminalPage *self,
                                                            const char         *title);
const char          *tether_terminal_page_get_tmux_session (TetherTerminalPage *self);
void                 tether_terminal_page_set_tmux_session (TetherTerminalPage *self,
                                                            const char         *name);
TetherTerminalState  tether_terminal_page_get_state       (TetherTerminalPage *self);
const char          *tether_terminal_page_get_cwd         (TetherTerminalPage *self);
gboolean             tether_terminal_page_get_bell        (TetherTerminalPage *self);
void                 tether_terminal_page_set_bell        (TetherTerminalPage *self,
                                                           gboolean            bell);
const char          *tether_terminal_page_get_message     (TetherTerminalPage *self);
const char          *tether_terminal_page_get_notice      (TetherTerminalPage *self);
VteTerminal         *tether_terminal_page_get_terminal    (TetherTerminalPage *self);
gboolean             tether_terminal_page_get_accent      (TetherTerminalPage *self,
                                                           GdkRGBA            *out);

void                 tether_terminal_page_start           (TetherTerminalPage *self);
void                 tether_terminal_page_reconnect       (TetherTerminalPage *self);
void                 tether_terminal_page_send_input      (TetherTerminalPage *self,
                                                           const char         *data,
                                                           gssize              length);

G_END_DECLS
