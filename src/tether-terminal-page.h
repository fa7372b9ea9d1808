/* tether-terminal-page.h: a tab's remote terminal: a VteTerminal bound to an SSH shell. */
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
 * What a terminal page shows the user about its session.
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

TetherTerminalPage  *tether_terminal_page_new             (TetherHost         *host);

TetherHost          *tether_terminal_page_get_host        (TetherTerminalPage *self);
TetherConnection    *tether_terminal_page_get_connection  (TetherTerminalPage *self);
TetherInteraction   *tether_terminal_page_get_interaction (TetherTerminalPage *self);
void                 tether_terminal_page_set_interaction (TetherTerminalPage *self,
                                                           TetherInteraction  *interaction);
const char          *tether_terminal_page_get_title       (TetherTerminalPage *self);
const char          *tether_terminal_page_get_custom_title (TetherTerminalPage *self);
void                 tether_terminal_page_set_custom_title (TetherTerminalPage *self,
                                                            const char         *title);
TetherTerminalState  tether_terminal_page_get_state       (TetherTerminalPage *self);
const char          *tether_terminal_page_get_cwd         (TetherTerminalPage *self);
gboolean             tether_terminal_page_get_bell        (TetherTerminalPage *self);
void                 tether_terminal_page_set_bell        (TetherTerminalPage *self,
                                                           gboolean            bell);
const char          *tether_terminal_page_get_message     (TetherTerminalPage *self);
VteTerminal         *tether_terminal_page_get_terminal    (TetherTerminalPage *self);
gboolean             tether_terminal_page_get_accent      (TetherTerminalPage *self,
                                                           GdkRGBA            *out);

void                 tether_terminal_page_start           (TetherTerminalPage *self);
void                 tether_terminal_page_reconnect       (TetherTerminalPage *self);
void                 tether_terminal_page_send_input      (TetherTerminalPage *self,
                                                           const char         *data,
                                                           gssize              length);

void                 tether_terminal_page_save_contents_async  (TetherTerminalPage   *self,
                                                                GFile                *file,
                                                                GCancellable         *cancellable,
                                                                GAsyncReadyCallback   callback,
                                                                gpointer              user_data);
gboolean             tether_terminal_page_save_contents_finish (TetherTerminalPage   *self,
                                                                GAsyncResult         *result,
                                                                GError              **error);

/* Only for tests. */
void                 tether_terminal_page_set_reconnect_delays_for_testing (TetherTerminalPage *self,
                                                                            guint               first_delay_ms,
                                                                            guint               max_delay_ms);

G_END_DECLS
