/* tether-session-channel.h: a "session" channel: shell, command or subsystem on a server. */
#pragma once

#if !defined(TETHER_INSIDE) && !defined(TETHER_COMPILATION)
# error "Only <tether.h> can be included directly."
#endif

#include "tether-channel.h"

G_BEGIN_DECLS

#define TETHER_TYPE_SESSION_CHANNEL (tether_session_channel_get_type ())
TETHER_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (TetherSessionChannel, tether_session_channel, TETHER, SESSION_CHANNEL,
                      TetherChannel)

TETHER_AVAILABLE_IN_ALL
void          tether_session_channel_request_pty_async        (TetherSessionChannel *self,
                                                               const char           *term,
                                                               guint                 cols,
                                                               guint                 rows,
                                                               GCancellable         *cancellable,
                                                               GAsyncReadyCallback   callback,
                                                               gpointer              user_data);
TETHER_AVAILABLE_IN_ALL
gboolean      tether_session_channel_request_pty_finish       (TetherSessionChannel *self,
                                                               GAsyncResult         *result,
                                                               GError              **error);
TETHER_AVAILABLE_IN_ALL
void          tether_session_channel_request_env_async        (TetherSessionChannel *self,
                                                               const char           *name,
                                                               const char           *value,
                                                               GCancellable         *cancellable,
                                                               GAsyncReadyCallback   callback,
                                                               gpointer              user_data);
TETHER_AVAILABLE_IN_ALL
gboolean      tether_session_channel_request_env_finish       (TetherSessionChannel *self,
                                                               GAsyncResult         *result,
                                                               GError              **error);
TETHER_AVAILABLE_IN_ALL
void          tether_session_channel_request_shell_async      (TetherSessionChannel *self,
                                                               GCancellable         *cancellable,
                                                               GAsyncReadyCallback   callback,
                                                               gpointer              user_data);
TETHER_AVAILABLE_IN_ALL
gboolean      tether_session_channel_request_shell_finish     (TetherSessionChannel *self,
                                                               GAsyncResult         *result,
                                                               GError              **error);
TETHER_AVAILABLE_IN_ALL
void          tether_session_channel_request_exec_async       (TetherSessionChannel *self,
                                                               const char           *command,
                                                               GCancellable         *cancellable,
                                                               GAsyncReadyCallback   callback,
                                                               gpointer              user_data);
TETHER_AVAILABLE_IN_ALL
gboolean      tether_session_channel_request_exec_finish      (TetherSessionChannel *self,
                                                               GAsyncResult         *result,
                                                               GError              **error);
TETHER_AVAILABLE_IN_ALL
void          tether_session_channel_request_subsystem_async  (TetherSessionChannel *self,
                                                               const char           *subsystem,
                                                               GCancellable         *cancellable,
                                                               GAsyncReadyCallback   callback,
                                                               gpointer              user_data);
TETHER_AVAILABLE_IN_ALL
gboolean      tether_session_channel_request_subsystem_finish (TetherSessionChannel *self,
                                                               GAsyncResult         *result,
                                                               GError              **error);
TETHER_AVAILABLE_IN_ALL
void          tether_session_channel_set_size                 (TetherSessionChannel *self,
                                                               guint                 cols,
                                                               guint                 rows);
TETHER_AVAILABLE_IN_ALL
void          tether_session_channel_send_signal              (TetherSessionChannel *self,
                                                               const char           *signal_name);
TETHER_AVAILABLE_IN_ALL
GInputStream *tether_session_channel_get_stderr_stream        (TetherSessionChannel *self);
TETHER_AVAILABLE_IN_ALL
int           tether_session_channel_get_exit_status          (TetherSessionChannel *self);

G_END_DECLS
