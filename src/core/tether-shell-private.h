/* tether-shell-private.h: what the files of TetherShell share. */
#pragma once

#include "tether-host-session-private.h"
#include "tether-shell.h"

G_BEGIN_DECLS

struct _TetherShell
{
  GObject parent_instance;

  TetherHostSession *session;
  gboolean registered;
  char *term;
  guint cols;
  guint rows;
  char **env;
  char *tmux_session;
  gboolean tmux_active;
  gboolean started;
  /* A chain bringing the shell back after a reconnect is under way. */
  gboolean reopening;

  TetherShellState state;
  GError *error;
  int exit_status;

  TetherSessionChannel *channel;
  gulong closed_handler;
  /* Cancels the reader and the queue's operations on the current channel. */
  GCancellable *cancellable;

  /* Item *, in the order the caller made them. */
  GQueue queue;
  /* A write is being queued on the channel: what follows waits until all of it is. */
  gboolean busy;

  /* Output read and not yet handed out (GBytes *, in order), at most max_pending bytes:
   * while delivery is paused the reader stops when it is full, so the channel's window
   * closes and the server slows down. */
  GQueue pending;
  gsize pending_bytes;
  gsize max_pending;
  gboolean paused;
  /* The ::data emission loop runs: a resume inside a handler only clears paused. */
  gboolean delivering;
  /* The reader waiting for room in pending (a ReadData *), or NULL when a read is under way
   * or the output has ended. */
  gpointer parked_read;
};

void                  _tether_shell_open_async          (TetherShell         *self,
                                                         TetherConnection    *connection,
                                                         GCancellable        *cancellable,
                                                         gpointer             source_tag,
                                                         GAsyncReadyCallback  callback,
                                                         gpointer             user_data);
TetherSessionChannel *_tether_shell_open_finish         (TetherShell         *self,
                                                         GAsyncResult        *result,
                                                         GError             **error);
gboolean              _tether_shell_open_used_tmux      (GAsyncResult        *result);
TetherConnection     *_tether_shell_open_get_connection (GAsyncResult        *result);

/* tether-shell-read.c */
void _tether_shell_start_reader          (TetherShell *self);
void _tether_shell_clear_pending         (TetherShell *self);

/* tether-shell.c, for tether-shell-read.c */
void _tether_shell_notify_paused         (TetherShell *self);
void _tether_shell_notify_pending_bytes  (TetherShell *self);
void _tether_shell_emit_data             (TetherShell *self,
                                          GBytes      *bytes);

G_END_DECLS
