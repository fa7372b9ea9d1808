/* tether-shell.h: an interactive shell on a pty that survives reconnects. */
#pragma once

#if !defined(TETHER_INSIDE) && !defined(TETHER_COMPILATION)
# error "Only <tether.h> can be included directly."
#endif

#include <gio/gio.h>

#include "tether-version.h"

#include "tether-host-session.h"
#include "tether-session-channel.h"

G_BEGIN_DECLS

/**
 * TetherShellState:
 * @TETHER_SHELL_STATE_OPENING: asking the server for a pty and a shell
 * @TETHER_SHELL_STATE_RUNNING: the shell runs; data flows
 * @TETHER_SHELL_STATE_RECONNECTING: the connection dropped; the shell comes
 *   back when its host session has reconnected
 * @TETHER_SHELL_STATE_EXITED: the shell ended (see #TetherShell:exit-status)
 * @TETHER_SHELL_STATE_CLOSED: closed with tether_shell_close(), or its
 *   session was closed
 * @TETHER_SHELL_STATE_FAILED: the shell could not be opened or brought back
 *   (see #TetherShell:error)
 *
 * The life of a #TetherShell.
 */
typedef enum {
  TETHER_SHELL_STATE_OPENING,
  TETHER_SHELL_STATE_RUNNING,
  TETHER_SHELL_STATE_RECONNECTING,
  TETHER_SHELL_STATE_EXITED,
  TETHER_SHELL_STATE_CLOSED,
  TETHER_SHELL_STATE_FAILED,
} TetherShellState;

#define TETHER_TYPE_SHELL (tether_shell_get_type ())
TETHER_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (TetherShell, tether_shell, TETHER, SHELL, GObject)

TETHER_AVAILABLE_IN_ALL
TetherShell          *tether_shell_new             (TetherHostSession   *session,
                                                    const char          *term,
                                                    guint                cols,
                                                    guint                rows,
                                                    const char * const  *env);
TETHER_AVAILABLE_IN_ALL
void                  tether_shell_start_async     (TetherShell         *self,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
TETHER_AVAILABLE_IN_ALL
gboolean              tether_shell_start_finish    (TetherShell         *self,
                                                    GAsyncResult        *result,
                                                    GError             **error);

TETHER_AVAILABLE_IN_ALL
TetherHostSession    *tether_shell_get_session     (TetherShell *self);
TETHER_AVAILABLE_IN_ALL
TetherSessionChannel *tether_shell_get_channel     (TetherShell *self);
TETHER_AVAILABLE_IN_ALL
TetherShellState      tether_shell_get_state       (TetherShell *self);
TETHER_AVAILABLE_IN_ALL
const GError         *tether_shell_get_error       (TetherShell *self);
TETHER_AVAILABLE_IN_ALL
int                   tether_shell_get_exit_status (TetherShell *self);
TETHER_AVAILABLE_IN_ALL
const char           *tether_shell_get_term        (TetherShell *self);
TETHER_AVAILABLE_IN_ALL
guint                 tether_shell_get_cols        (TetherShell *self);
TETHER_AVAILABLE_IN_ALL
guint                 tether_shell_get_rows        (TetherShell *self);
TETHER_AVAILABLE_IN_ALL
const char           *tether_shell_get_tmux_session (TetherShell *self);
TETHER_AVAILABLE_IN_ALL
void                  tether_shell_set_tmux_session (TetherShell *self,
                                                    const char  *name);
TETHER_AVAILABLE_IN_ALL
gboolean              tether_shell_get_tmux_active (TetherShell *self);

TETHER_AVAILABLE_IN_ALL
void                  tether_shell_write           (TetherShell *self,
                                                    GBytes      *data);
TETHER_AVAILABLE_IN_ALL
void                  tether_shell_set_size        (TetherShell *self,
                                                    guint        cols,
                                                    guint        rows);
TETHER_AVAILABLE_IN_ALL
void                  tether_shell_close           (TetherShell *self);

TETHER_AVAILABLE_IN_ALL
void                  tether_shell_set_paused      (TetherShell *self,
                                                    gboolean     paused);
TETHER_AVAILABLE_IN_ALL
gboolean              tether_shell_get_paused      (TetherShell *self);
TETHER_AVAILABLE_IN_ALL
guint64               tether_shell_get_pending_bytes (TetherShell *self);
TETHER_AVAILABLE_IN_ALL
guint64               tether_shell_get_max_pending (TetherShell *self);

G_END_DECLS
