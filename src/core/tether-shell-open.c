/* tether-shell-open.c: how a TetherShell gets a running shell on a connection.
 *
 * One chain, run at the first start and again after each reconnect: (when a tmux session is
 * wanted, an exec channel asking whether tmux exists,) a session channel, its pty, the
 * environment, then the shell or `tmux new-session -A`.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "tether-error.h"
#include "tether-shell-private.h"

/* Whether tmux exists on the server, asked of the login shell (which knows the PATH). */
#define TETHER_SHELL_TMUX_PROBE "command -v tmux >/dev/null 2>&1"
/* Attaches to the named tmux session, or creates it: the same command after a reconnect
 * finds what ran before the drop. */
#define TETHER_SHELL_TMUX_COMMAND "tmux new-session -A -s %s"

typedef struct
{
  TetherConnection *connection;
  TetherSessionChannel *channel;
  guint next_env;
  gboolean use_tmux;
  TetherSessionChannel *probe;
  gulong probe_handler;
} Opening;

static void
opening_free (Opening *o)
{
  if (o->probe != NULL) {
    g_clear_signal_handler (&o->probe_handler, o->probe);
    if (tether_channel_get_state (TETHER_CHANNEL (o->probe)) == TETHER_CHANNEL_STATE_OPEN)
      g_io_stream_close_async (G_IO_STREAM (o->probe), G_PRIORITY_DEFAULT, NULL, NULL, NULL);
    g_clear_object (&o->probe);
  }
  g_clear_object (&o->connection);
  g_clear_object (&o->channel);
  g_free (o);
}

static void open_step_env (GTask *task);

static void
shell_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!tether_session_channel_request_shell_finish (TETHER_SESSION_CHANNEL (source), result,
                                                    &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
exec_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!tether_session_channel_request_exec_finish (TETHER_SESSION_CHANNEL (source), result,
                                                   &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
env_cb (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  /* Servers refuse what their AcceptEnv does not list; the shell runs anyway. */
  if (!tether_session_channel_request_env_finish (TETHER_SESSION_CHANNEL (source), result,
                                                  &error)) {
    if (!g_error_matches (error, TETHER_ERROR, TETHER_ERROR_REQUEST_DENIED)) {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  }
  open_step_env (g_steal_pointer (&task));
}

static void
open_step_env (GTask *task)
{
  TetherShell *self = g_task_get_source_object (task);
  Opening *o = g_task_get_task_data (task);

  while (self->env != NULL && self->env[o->next_env] != NULL) {
    const char *pair = self->env[o->next_env++];
    const char *eq = strchr (pair, '=');
    g_autofree char *name = NULL;

    if (eq == NULL || eq == pair)
      continue;
    name = g_strndup (pair, eq - pair);
    tether_session_channel_request_env_async (o->channel, name, eq + 1,
                                              g_task_get_cancellable (task), env_cb, task);
    return;
  }
  if (o->use_tmux) {
    g_autofree char *quoted = g_shell_quote (self->tmux_session);
    g_autofree char *command = g_strdup_printf (TETHER_SHELL_TMUX_COMMAND, quoted);

    tether_session_channel_request_exec_async (o->channel, command,
                                               g_task_get_cancellable (task), exec_cb, task);
    return;
  }
  tether_session_channel_request_shell_async (o->channel, g_task_get_cancellable (task),
                                              shell_cb, task);
}

static void
pty_cb (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!tether_session_channel_request_pty_finish (TETHER_SESSION_CHANNEL (source), result,
                                                  &error)) {
    g_task_return_error (task, error);
    return;
  }
  open_step_env (g_steal_pointer (&task));
}

static void
session_opened_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TetherShell *self = g_task_get_source_object (task);
  Opening *o = g_task_get_task_data (task);
  GCancellable *cancellable;
  GError *error = NULL;

  o->channel = tether_connection_open_session_finish (TETHER_CONNECTION (source), result,
                                                      &error);
  if (o->channel == NULL) {
    g_task_return_error (task, error);
    return;
  }
  cancellable = g_task_get_cancellable (task);
  tether_session_channel_request_pty_async (o->channel, self->term, self->cols, self->rows,
                                            cancellable, pty_cb, g_steal_pointer (&task));
}

static void
open_session_step (GTask *task)
{
  Opening *o = g_task_get_task_data (task);

  tether_connection_open_session_async (o->connection, g_task_get_cancellable (task),
                                        session_opened_cb, task);
}

static void
on_probe_closed (TetherChannel *channel,
                 GError        *reason,
                 GTask         *task)
{
  TetherShell *self = g_task_get_source_object (task);
  Opening *o = g_task_get_task_data (task);
  int status = tether_session_channel_get_exit_status (o->probe);

  g_clear_signal_handler (&o->probe_handler, o->probe);
  g_clear_object (&o->probe);
  o->use_tmux = reason == NULL && status == 0;
  if (!o->use_tmux)
    g_debug ("No tmux on the server (status %d): a plain shell instead of tmux session %s",
             status, self->tmux_session);
  open_session_step (task);
}

static void
probe_exec_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Opening *o = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  /* A server that refuses commands runs no tmux either: on_probe_closed says so. */
  if (!tether_session_channel_request_exec_finish (TETHER_SESSION_CHANNEL (source), result,
                                                   &error) && o->probe != NULL)
    g_io_stream_close_async (G_IO_STREAM (o->probe), G_PRIORITY_DEFAULT, NULL, NULL, NULL);
}

static void
probe_opened_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *task = user_data;
  Opening *o = g_task_get_task_data (task);
  GError *error = NULL;

  o->probe = tether_connection_open_session_finish (TETHER_CONNECTION (source), result, &error);
  if (o->probe == NULL) {
    g_task_return_error (task, error);
    g_object_unref (task);
    return;
  }
  /* The task stays referenced by the handler until the probe channel closes. */
  o->probe_handler = g_signal_connect (o->probe, "closed", G_CALLBACK (on_probe_closed), task);
  tether_session_channel_request_exec_async (o->probe, TETHER_SHELL_TMUX_PROBE,
                                             g_task_get_cancellable (task), probe_exec_cb,
                                             g_object_ref (task));
}

/* Runs the (tmux probe)/pty/env/shell chain on @connection; the task's data holds the
 * channel. */
void
_tether_shell_open_async (TetherShell         *self,
                          TetherConnection    *connection,
                          GCancellable        *cancellable,
                          gpointer             source_tag,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Opening *o = g_new0 (Opening, 1);

  g_task_set_source_tag (task, source_tag);
  g_task_set_name (task, "[tether] shell open");
  o->connection = g_object_ref (connection);
  g_task_set_task_data (task, o, (GDestroyNotify) opening_free);
  if (self->tmux_session != NULL)
    tether_connection_open_session_async (connection, cancellable, probe_opened_cb, task);
  else
    open_session_step (task);
}

/* Whether the chain of @result runs tmux. */
gboolean
_tether_shell_open_used_tmux (GAsyncResult *result)
{
  Opening *o = g_task_get_task_data (G_TASK (result));

  return o->use_tmux;
}

/* The connection the chain of @result ran on. */
TetherConnection *
_tether_shell_open_get_connection (GAsyncResult *result)
{
  Opening *o = g_task_get_task_data (G_TASK (result));

  return o->connection;
}


/* The channel the chain of @result made, or NULL with @error. */
TetherSessionChannel *
_tether_shell_open_finish (TetherShell   *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  Opening *o = g_task_get_task_data (G_TASK (result));

  if (!g_task_propagate_boolean (G_TASK (result), error)) {
    if (o->channel != NULL)
      g_io_stream_close_async (G_IO_STREAM (o->channel), G_PRIORITY_DEFAULT, NULL, NULL,
                               NULL);
    return NULL;
  }
  /* The shell may have closed meanwhile. */
  if (tether_channel_get_state (TETHER_CHANNEL (o->channel)) != TETHER_CHANNEL_STATE_OPEN) {
    g_set_error_literal (error, TETHER_ERROR, TETHER_ERROR_DISCONNECTED,
                         _("The shell ended as it started."));
    return NULL;
  }
  return g_object_ref (o->channel);
}
