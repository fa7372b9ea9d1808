/* tether-session-channel.c: a "session" channel: pty, shell, exec, subsystem, exit status. */
#include "config.h"

#include "tether-connection-private.h"
#include "tether-error.h"
#include "tether-session-channel.h"

/**
 * TetherSessionChannel:
 *
 * A "session" channel (RFC 4254, section 6): what runs a shell, a command or a
 * subsystem on the server.
 *
 * Open one with [method@Tether.Connection.open_session_async], then ask for a
 * terminal with [method@Tether.SessionChannel.request_pty_async], send environment
 * variables with [method@Tether.SessionChannel.request_env_async], and start
 * exactly one of [method@Tether.SessionChannel.request_shell_async],
 * [method@Tether.SessionChannel.request_exec_async] or
 * [method@Tether.SessionChannel.request_subsystem_async]. The input stream of the
 * channel carries the program's standard output,
 * [method@Tether.SessionChannel.get_stderr_stream] its standard error; its end is
 * reported by [signal@Tether.SessionChannel::exit-status] or
 * [signal@Tether.SessionChannel::exit-signal].
 * [method@Tether.SessionChannel.set_size] sends a window change. For an
 * interactive shell that survives reconnects, use a [class@Tether.Shell] instead.
 *
 * Threading: as for [class@Tether.Channel].
 */

GInputStream *_tether_channel_new_stderr_stream (TetherChannel *self);

struct _TetherSessionChannel
{
  TetherChannel parent_instance;

  GInputStream *stderr_stream;
  int exit_status;
};

G_DEFINE_FINAL_TYPE (TetherSessionChannel, tether_session_channel, TETHER_TYPE_CHANNEL)

enum {
  PROP_0,
  PROP_EXIT_STATUS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_EXIT_STATUS,
  SIGNAL_EXIT_SIGNAL,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
tether_session_channel_finalize (GObject *object)
{
  TetherSessionChannel *self = TETHER_SESSION_CHANNEL (object);

  g_clear_object (&self->stderr_stream);
  G_OBJECT_CLASS (tether_session_channel_parent_class)->finalize (object);
}

static void
tether_session_channel_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  TetherSessionChannel *self = TETHER_SESSION_CHANNEL (object);

  switch (prop_id) {
  case PROP_EXIT_STATUS:
    g_value_set_int (value, self->exit_status);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
tether_session_channel_class_init (TetherSessionChannelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = tether_session_channel_finalize;
  object_class->get_property = tether_session_channel_get_property;

  /**
   * TetherSessionChannel:exit-status:
   *
   * The exit status of the remote command, or -1 while there is none.
   */
  properties[PROP_EXIT_STATUS] =
    g_param_spec_int ("exit-status", NULL, NULL, -1, G_MAXINT, -1,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TetherSessionChannel::exit-status:
   * @self: the channel
   * @status: the exit status of the remote command
   *
   * The remote command or shell exited.
   */
  signals[SIGNAL_EXIT_STATUS] =
    g_signal_new ("exit-status", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT);
  /**
   * TetherSessionChannel::exit-signal:
   * @self: the channel
   * @name: the signal name without "SIG", such as `TERM`
   * @core_dumped: whether a core was dumped
   * @message: (nullable): the server's message
   *
   * The remote command was killed by a signal.
   */
  signals[SIGNAL_EXIT_SIGNAL] =
    g_signal_new ("exit-signal", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 3,
                  G_TYPE_STRING, G_TYPE_BOOLEAN, G_TYPE_STRING);
}

static void
tether_session_channel_init (TetherSessionChannel *self)
{
  self->exit_status = -1;
  self->stderr_stream = _tether_channel_new_stderr_stream (TETHER_CHANNEL (self));
}

static void
emit_exit_status (TetherSessionChannel *self,
                  gpointer              data)
{
  self->exit_status = GPOINTER_TO_INT (data);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EXIT_STATUS]);
  g_signal_emit (self, signals[SIGNAL_EXIT_STATUS], 0, self->exit_status);
}

void
_tether_session_channel_set_exit_status (TetherSessionChannel *self,
                                         int                   status)
{
  TetherChannelShared *sh = _tether_channel_get_shared (TETHER_CHANNEL (self));

  _tether_worker_post (sh->worker, G_CALLBACK (emit_exit_status), self,
                       GINT_TO_POINTER (status), NULL);
}

static void
emit_exit_signal (TetherSessionChannel *self,
                  GStrv                 args)
{
  g_signal_emit (self, signals[SIGNAL_EXIT_SIGNAL], 0, args[0], args[1][0] == '1',
                 args[2][0] ? args[2] : NULL);
}

void
_tether_session_channel_set_exit_signal (TetherSessionChannel *self,
                                         const char           *name,
                                         gboolean              core_dumped,
                                         const char           *message)
{
  TetherChannelShared *sh = _tether_channel_get_shared (TETHER_CHANNEL (self));
  char **args = g_new0 (char *, 4);

  args[0] = g_strdup (name ? name : "");
  args[1] = g_strdup (core_dumped ? "1" : "0");
  args[2] = g_strdup (message ? message : "");
  _tether_worker_post (sh->worker, G_CALLBACK (emit_exit_signal), self, args,
                       (GDestroyNotify) g_strfreev);
}

/* Queues a request on the worker; @source_tag names the task. */
static void
submit (TetherSessionChannel *self,
        TetherChannelOpKind   kind,
        const char           *s1,
        const char           *s2,
        guint                 n1,
        guint                 n2,
        GCancellable         *cancellable,
        GAsyncReadyCallback   callback,
        gpointer              user_data,
        gpointer              source_tag,
        const char           *name)
{
  TetherChannelShared *sh = _tether_channel_get_shared (TETHER_CHANNEL (self));
  TetherChannelOp *op = g_new0 (TetherChannelOp, 1);

  op->kind = kind;
  op->s1 = g_strdup (s1);
  op->s2 = g_strdup (s2);
  op->n1 = n1;
  op->n2 = n2;
  if (source_tag != NULL) {
    op->task = g_task_new (self, cancellable, callback, user_data);
    g_task_set_source_tag (op->task, source_tag);
    g_task_set_name (op->task, name);
  }
  _tether_worker_submit_channel_op (sh->worker, TETHER_CHANNEL (self), op);
}

static gboolean
finish (TetherSessionChannel  *self,
        GAsyncResult          *result,
        GError               **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * tether_session_channel_request_pty_async:
 * @self: a #TetherSessionChannel
 * @term: the TERM value, such as `xterm-256color`
 * @cols: columns
 * @rows: rows
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the server answered
 * @user_data: data for @callback
 *
 * Asks for a pseudo-terminal for the shell or command that follows.
 */
void
tether_session_channel_request_pty_async (TetherSessionChannel *self,
                                          const char           *term,
                                          guint                 cols,
                                          guint                 rows,
                                          GCancellable         *cancellable,
                                          GAsyncReadyCallback   callback,
                                          gpointer              user_data)
{
  g_return_if_fail (TETHER_IS_SESSION_CHANNEL (self));
  g_return_if_fail (term != NULL);

  submit (self, TETHER_CHANNEL_OP_PTY, term, NULL, MAX (cols, 1), MAX (rows, 1),
          cancellable, callback, user_data, tether_session_channel_request_pty_async,
          "[tether] request pty");
}

/**
 * tether_session_channel_request_pty_finish:
 * @self: a #TetherSessionChannel
 * @result: the result
 * @error: return location for a #GError
 *
 * Finishes tether_session_channel_request_pty_async().
 *
 * Returns: %TRUE when the server gave a pty
 */
gboolean
tether_session_channel_request_pty_finish (TetherSessionChannel  *self,
                                           GAsyncResult          *result,
                                           GError               **error)
{
  return finish (self, result, error);
}

/**
 * tether_session_channel_request_env_async:
 * @self: a #TetherSessionChannel
 * @name: the variable
 * @value: its value
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the server answered
 * @user_data: data for @callback
 *
 * Asks the server to set an environment variable (servers accept only the
 * names they are configured to, such as `LANG`).
 */
void
tether_session_channel_request_env_async (TetherSessionChannel *self,
                                          const char           *name,
                                          const char           *value,
                                          GCancellable         *cancellable,
                                          GAsyncReadyCallback   callback,
                                          gpointer              user_data)
{
  g_return_if_fail (TETHER_IS_SESSION_CHANNEL (self));
  g_return_if_fail (name != NULL && value != NULL);

  submit (self, TETHER_CHANNEL_OP_ENV, name, value, 0, 0, cancellable, callback, user_data,
          tether_session_channel_request_env_async, "[tether] request env");
}

/**
 * tether_session_channel_request_env_finish:
 * @self: a #TetherSessionChannel
 * @result: the result
 * @error: return location for a #GError
 *
 * Finishes tether_session_channel_request_env_async().
 *
 * Returns: %TRUE when the server set the variable
 */
gboolean
tether_session_channel_request_env_finish (TetherSessionChannel  *self,
                                           GAsyncResult          *result,
                                           GError               **error)
{
  return finish (self, result, error);
}

/**
 * tether_session_channel_request_shell_async:
 * @self: a #TetherSessionChannel
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the server answered
 * @user_data: data for @callback
 *
 * Starts the user's login shell.
 */
void
tether_session_channel_request_shell_async (TetherSessionChannel *self,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data)
{
  g_return_if_fail (TETHER_IS_SESSION_CHANNEL (self));

  submit (self, TETHER_CHANNEL_OP_SHELL, NULL, NULL, 0, 0, cancellable, callback, user_data,
          tether_session_channel_request_shell_async, "[tether] request shell");
}

/**
 * tether_session_channel_request_shell_finish:
 * @self: a #TetherSessionChannel
 * @result: the result
 * @error: return location for a #GError
 *
 * Finishes tether_session_channel_request_shell_async().
 *
 * Returns: %TRUE when the shell started
 */
gboolean
tether_session_channel_request_shell_finish (TetherSessionChannel  *self,
                                             GAsyncResult          *result,
                                             GError               **error)
{
  return finish (self, result, error);
}

/**
 * tether_session_channel_request_exec_async:
 * @self: a #TetherSessionChannel
 * @command: the command line, run by the user's shell on the server
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the server answered
 * @user_data: data for @callback
 *
 * Runs a command.
 */
void
tether_session_channel_request_exec_async (TetherSessionChannel *self,
                                           const char           *command,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data)
{
  g_return_if_fail (TETHER_IS_SESSION_CHANNEL (self));
  g_return_if_fail (command != NULL);

  submit (self, TETHER_CHANNEL_OP_EXEC, command, NULL, 0, 0, cancellable, callback, user_data,
          tether_session_channel_request_exec_async, "[tether] request exec");
}

/**
 * tether_session_channel_request_exec_finish:
 * @self: a #TetherSessionChannel
 * @result: the result
 * @error: return location for a #GError
 *
 * Finishes tether_session_channel_request_exec_async().
 *
 * Returns: %TRUE when the command started
 */
gboolean
tether_session_channel_request_exec_finish (TetherSessionChannel  *self,
                                            GAsyncResult          *result,
                                            GError               **error)
{
  return finish (self, result, error);
}

/**
 * tether_session_channel_request_subsystem_async:
 * @self: a #TetherSessionChannel
 * @subsystem: the subsystem, such as `sftp`
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the server answered
 * @user_data: data for @callback
 *
 * Starts a subsystem.
 */
void
tether_session_channel_request_subsystem_async (TetherSessionChannel *self,
                                                const char           *subsystem,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data)
{
  g_return_if_fail (TETHER_IS_SESSION_CHANNEL (self));
  g_return_if_fail (subsystem != NULL);

  submit (self, TETHER_CHANNEL_OP_SUBSYSTEM, subsystem, NULL, 0, 0, cancellable, callback,
          user_data, tether_session_channel_request_subsystem_async,
          "[tether] request subsystem");
}

/**
 * tether_session_channel_request_subsystem_finish:
 * @self: a #TetherSessionChannel
 * @result: the result
 * @error: return location for a #GError
 *
 * Finishes tether_session_channel_request_subsystem_async().
 *
 * Returns: %TRUE when the subsystem started
 */
gboolean
tether_session_channel_request_subsystem_finish (TetherSessionChannel  *self,
                                                 GAsyncResult          *result,
                                                 GError               **error)
{
  return finish (self, result, error);
}

/**
 * tether_session_channel_set_size:
 * @self: a #TetherSessionChannel
 * @cols: columns
 * @rows: rows
 *
 * Tells the server the terminal's new size (a `window-change` request).
 */
void
tether_session_channel_set_size (TetherSessionChannel *self,
                                 guint                 cols,
                                 guint                 rows)
{
  g_return_if_fail (TETHER_IS_SESSION_CHANNEL (self));

  submit (self, TETHER_CHANNEL_OP_WINDOW_CHANGE, NULL, NULL, MAX (cols, 1), MAX (rows, 1),
          NULL, NULL, NULL, NULL, NULL);
}

/**
 * tether_session_channel_send_signal:
 * @self: a #TetherSessionChannel
 * @signal_name: the signal without "SIG", such as `INT`
 *
 * Sends a signal to the remote command (servers may ignore it).
 */
void
tether_session_channel_send_signal (TetherSessionChannel *self,
                                    const char           *signal_name)
{
  g_return_if_fail (TETHER_IS_SESSION_CHANNEL (self));
  g_return_if_fail (signal_name != NULL);

  submit (self, TETHER_CHANNEL_OP_SIGNAL, signal_name, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL);
}

/**
 * tether_session_channel_get_stderr_stream:
 * @self: a #TetherSessionChannel
 *
 * Gets the stream of the remote command's standard error.
 *
 * Returns: (transfer none): the stream of the remote command's standard error
 */
GInputStream *
tether_session_channel_get_stderr_stream (TetherSessionChannel *self)
{
  g_return_val_if_fail (TETHER_IS_SESSION_CHANNEL (self), NULL);
  return self->stderr_stream;
}

/**
 * tether_session_channel_get_exit_status:
 * @self: a #TetherSessionChannel
 *
 * Gets the exit status, or -1 while the command runs.
 *
 * Returns: the exit status, or -1 while the command runs
 */
int
tether_session_channel_get_exit_status (TetherSessionChannel *self)
{
  g_return_val_if_fail (TETHER_IS_SESSION_CHANNEL (self), -1);
  return self->exit_status;
}
