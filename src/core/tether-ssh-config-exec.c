/* tether-ssh-config-exec.c: `Match exec` run when connecting, off the caller's thread.
 *
 * Listing hosts never runs a command: a host that a `Match exec` could change is resolved
 * with the command counted as failed and marked (tether_host_has_pending_match_exec ()).
 * Before connecting, tether_host_resolve_async () resolves it again on a worker thread,
 * running each command as ssh does (through the user's shell with `-c`, `%` tokens
 * expanded, exit status 0 for a match, only while the rest of the line can still match),
 * each within TETHER_SSH_CONFIG_EXEC_TIMEOUT_MS.
 */
#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "tether-host-private.h"
#include "tether-ssh-config-private.h"

#define MSEC_PER_SEC 1000

static guint exec_timeout_ms = TETHER_SSH_CONFIG_EXEC_TIMEOUT_MS;

void
_tether_ssh_config_set_exec_timeout (guint timeout_ms)
{
  exec_timeout_ms = timeout_ms ? timeout_ms : TETHER_SSH_CONFIG_EXEC_TIMEOUT_MS;
}

typedef struct {
  GCancellable *cancellable;
  gboolean done;
  gboolean timed_out;
  gboolean cancelled;
} ExecRun;

static void
child_setup (gpointer user_data)
{
  /* Its own process group, so that a timeout kills what the shell started too. */
  setpgid (0, 0);
}

static void
wait_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  ExecRun *run = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  run->done = TRUE;
}

static gboolean
timeout_cb (gpointer user_data)
{
  ((ExecRun *) user_data)->timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

static gboolean
cancelled_cb (GCancellable *cancellable,
              gpointer      user_data)
{
  ((ExecRun *) user_data)->cancelled = TRUE;
  return G_SOURCE_REMOVE;
}

static const char *
user_shell (void)
{
  const char *shell = g_getenv ("SHELL");

  /* ssh runs the user's $SHELL, else /bin/sh. */
  if (shell == NULL || *shell == '\0' || access (shell, X_OK) != 0)
    shell = "/bin/sh";
  return shell;
}

/* Runs COMMAND on this (worker) thread, within the timeout. */
static gboolean
run_exec (const char *command,
          gpointer    data,
          GPtrArray  *warnings)
{
  GCancellable *cancellable = data;
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSource) timeout = NULL;
  g_autoptr(GSource) cancel = NULL;
  ExecRun run = { cancellable, FALSE, FALSE, FALSE };
  const char *identifier;
  pid_t pid;

  if (g_cancellable_is_cancelled (cancellable))
    return FALSE;

  /* stdin at EOF and stdout dropped, as ssh gives them /dev/null; stderr is the app's. */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  proc = g_subprocess_launcher_spawn (launcher, &error, user_shell (), "-c", command, NULL);
  if (proc == NULL) {
    g_ptr_array_add (warnings, g_strdup_printf (_("Match exec “%s” could not start: %s"),
                                                command, error->message));
    return FALSE;
  }
  identifier = g_subprocess_get_identifier (proc);
  pid = identifier ? (pid_t) atoi (identifier) : 0;
  g_output_stream_close (g_subprocess_get_stdin_pipe (proc), NULL, NULL);

  g_main_context_push_thread_default (context);
  g_subprocess_wait_async (proc, NULL, wait_cb, &run);
  timeout = g_timeout_source_new (exec_timeout_ms);
  g_source_set_callback (timeout, timeout_cb, &run, NULL);
  g_source_attach (timeout, context);
  if (cancellable != NULL) {
    cancel = g_cancellable_source_new (cancellable);
    g_source_set_callback (cancel, G_SOURCE_FUNC (cancelled_cb), &run, NULL);
    g_source_attach (cancel, context);
  } while (!run.done && !run.timed_out && !run.cancelled)
    g_main_context_iteration (context, TRUE);
  if (!run.done) {
    if (pid > 0)
      kill (-pid, SIGKILL);
    g_subprocess_force_exit (proc);
    while (!run.done)
      g_main_context_iteration (context, TRUE);
  }
  g_source_destroy (timeout);
  if (cancel != NULL)
    g_source_destroy (cancel);
  g_main_context_pop_thread_default (context);

  if (run.timed_out) {
    g_ptr_array_add (warnings,
                     g_strdup_printf (_("Match exec “%s” did not finish within %u seconds and "
                                        "was stopped; its Match block is skipped."),
                                      command, exec_timeout_ms / MSEC_PER_SEC));
    return FALSE;
  }
  if (run.cancelled)
    return FALSE;
  return g_subprocess_get_if_exited (proc) && g_subprocess_get_exit_status (proc) == 0;
}

typedef struct {
  TetherHost *host;     /* what listing resolved */
  GObject *config;
  char *alias;
  GPtrArray *warnings;
} ResolveData;

static void
resolve_data_free (ResolveData *data)
{
  g_clear_object (&data->host);
  g_clear_object (&data->config);
  g_free (data->alias);
  g_clear_pointer (&data->warnings, g_ptr_array_unref);
  g_free (data);
}

static void
resolve_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  ResolveData *data = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(TetherHost) host = NULL;

  host = _tether_ssh_config_resolve_with_exec (TETHER_SSH_CONFIG (data->config), data->alias,
                                               run_exec, cancellable, data->warnings, &error);
  if (g_task_return_error_if_cancelled (task))
    return;
  if (host == NULL) {
    g_task_return_error (task, g_steal_pointer (&error));
    return;
  }
  /* What the store knows of the host beyond ssh_config stays. */
  tether_host_set_source (host, tether_host_get_source (data->host));
  _tether_ssh_meta_copy_own (host, data->host);
  g_task_return_pointer (task, g_steal_pointer (&host), g_object_unref);
}

/**
 * tether_host_resolve_async:
 * @self: a #TetherHost
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the host to connect to
 * @user_data: data for @callback
 *
 * Gets the host to connect to. For a host that
 * tether_host_has_pending_match_exec () marks, its ssh_config is resolved
 * again on a worker thread with the `Match exec` commands run as ssh runs
 * them; a command that does not finish within
 * %TETHER_SSH_CONFIG_EXEC_TIMEOUT_MS is killed and counts as not matching,
 * with a warning. Any other host is given back as it is. The configuration
 * the host came from is read on the worker thread: add no file to it
 * meanwhile (the host store never does; it makes a new one on each read).
 */
void
tether_host_resolve_async (TetherHost          *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ResolveData *data;

  g_return_if_fail (TETHER_IS_HOST (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tether_host_resolve_async);
  g_task_set_name (task, "[tether] resolve Match exec");
  data = g_new0 (ResolveData, 1);
  data->host = g_object_ref (self);
  data->warnings = g_ptr_array_new_null_terminated (0, g_free, TRUE);
  g_task_set_task_data (task, data, (GDestroyNotify) resolve_data_free);

  if (!tether_host_has_pending_match_exec (self)) {
    g_task_return_pointer (task, g_object_ref (self), g_object_unref);
    return;
  }
  data->config = g_object_ref (_tether_host_get_exec_config (self));
  data->alias = g_strdup (_tether_host_get_exec_alias (self));
  g_task_run_in_thread (task, resolve_thread);
}

/**
 * tether_host_resolve_finish:
 * @self: a #TetherHost
 * @result: the #GAsyncResult
 * @warnings: (out) (optional) (transfer full) (array zero-terminated=1): what
 *   went wrong running `Match exec` commands (each such command counted as
 *   not matching)
 * @error: return location for a #GError
 *
 * Finishes tether_host_resolve_async().
 *
 * Returns: (transfer full): the host to connect to (@self when nothing was
 *   left to run), or %NULL with @error set
 */
TetherHost *
tether_host_resolve_finish (TetherHost    *self,
                            GAsyncResult  *result,
                            char        ***warnings,
                            GError       **error)
{
  ResolveData *data;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tether_host_resolve_async,
                        NULL);

  data = g_task_get_task_data (G_TASK (result));
  if (warnings != NULL) {
    g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

    for (guint i = 0; i < data->warnings->len; i++)
      g_strv_builder_add (builder, g_ptr_array_index (data->warnings, i));
    *warnings = g_strv_builder_end (builder);
  }
  return g_task_propagate_pointer (G_TASK (result), error);
}
