/* bench-host-session.c: a new shell on a connected host, and a host's shells after a restart.
 *
 * "New tab": on a host session that is already logged in, from open_shell_async () to the
 * first byte the shell prints, next to a fresh `ssh -tt` from spawn to its first byte, in
 * interleaved rounds (the median of the per-round ratios). "Back after a restart": ten shells
 * on one session; the server is killed and started again; from the moment it accepts again
 * to all ten shells running, with the number of logins that took (the session retries on
 * its own, with its backoff, as the app would).
 */
#include "config.h"

#include <stdio.h>

#include "bench-common.h"

#define N_ROUNDS 11
#define N_TABS 10
#define NEW_TAB_GOAL_RATIO 0.1
#define RESTART_GOAL_MS 2000.0
#define STEP_TIMEOUT_MS (90 * 1000)
#define USEC_PER_MSEC 1000.0

static void
first_data_cb (TetherShell *shell,
               GBytes      *bytes,
               gint64      *when)
{
  if (*when == 0)
    *when = g_get_monotonic_time ();
}

static gboolean
time_is_set (gpointer data)
{
  return *(gint64 *) data != 0;
}

/* Microseconds from asking for a shell to its first byte. */
static gint64
time_tether (TetherHostSession *session)
{
  gint64 start = g_get_monotonic_time ();
  gint64 first = 0;
  g_autoptr(TetherShell) shell = tether_test_open_shell (session, STEP_TIMEOUT_MS);

  /* The first bytes may have come with the shell already. */
  g_signal_connect (shell, "data", G_CALLBACK (first_data_cb), &first);
  tether_test_wait_until (time_is_set, &first, STEP_TIMEOUT_MS, "the first byte of the shell");
  g_signal_handlers_disconnect_by_data (shell, &first);
  tether_shell_close (shell);
  return first - start;
}

static void
ssh_read_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GBytes) bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result,
                                                              NULL);

  *(gint64 *) user_data = g_get_monotonic_time ();
}

/* Microseconds from spawning `ssh -tt` to its first byte. */
static gint64
time_ssh (char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = NULL;
  gint64 start = g_get_monotonic_time ();
  gint64 first = 0;

  process = g_subprocess_newv ((const char * const *) argv,
                               G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                               G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error);
  if (process == NULL)
    g_error ("Could not start ssh: %s", error->message);
  g_input_stream_read_bytes_async (g_subprocess_get_stdout_pipe (process), 1,
                                   G_PRIORITY_DEFAULT, NULL, ssh_read_cb, &first);
  tether_test_wait_until (time_is_set, &first, STEP_TIMEOUT_MS, "the first byte from ssh");
  g_subprocess_force_exit (process);
  return first - start;
}

typedef struct
{
  TetherShell **shells;
  guint n;
} Shells;

static gboolean
all_running (gpointer data)
{
  Shells *s = data;

  for (guint i = 0; i < s->n; i++)
    if (tether_shell_get_state (s->shells[i]) != TETHER_SHELL_STATE_RUNNING)
      return FALSE;
  return TRUE;
}

static gboolean
session_reconnecting (gpointer data)
{
  return tether_host_session_get_state (data) == TETHER_HOST_SESSION_STATE_RECONNECTING;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(TetherTestServer) server = bench_server_new_or_exit ();
  g_autoptr(TetherHost) host = tether_test_server_new_host (server);
  g_autoptr(TetherHostSession) session = tether_host_session_new (host);
  const char *options[] = { "-tt", "-o", "ControlMaster=no", NULL };
  g_auto(GStrv) ssh_argv = bench_ssh_argv (server, options, NULL);
  g_autoptr(GArray) tether = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) ssh = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) ratios = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GError) error = NULL;
  TetherShell *tabs[N_TABS];
  Shells shells = { tabs, N_TABS };
  guint logins_before;
  gint64 start;
  double back_ms;

  /* A first shell keeps the session (and its login) alive; it also warms both up. */
  tabs[0] = tether_test_open_shell (session, STEP_TIMEOUT_MS);
  time_tether (session);
  time_ssh (ssh_argv);

  for (guint round = 0; round < N_ROUNDS; round++)
    {
      double t;
      double s;
      double ratio;

      if (round % 2 == 0)
        {
          t = time_tether (session);
          s = time_ssh (ssh_argv);
        }
      else
        {
          s = time_ssh (ssh_argv);
          t = time_tether (session);
        }
      ratio = t / s;
      g_array_append_val (tether, t);
      g_array_append_val (ssh, s);
      g_array_append_val (ratios, ratio);
    }
  printf ("new tab to first byte: tether %.1f ms, fresh ssh -tt %.1f ms, ratio %.3f "
          "(goal <= %.1f)\n", bench_median (tether) / USEC_PER_MSEC,
          bench_median (ssh) / USEC_PER_MSEC, bench_median (ratios), NEW_TAB_GOAL_RATIO);
  bench_print_pairs ("new tab", ratios);

  for (guint i = 1; i < N_TABS; i++)
    tabs[i] = tether_test_open_shell (session, STEP_TIMEOUT_MS);
  logins_before = tether_test_server_count_logins (server);
  tether_test_server_stop (server);
  tether_test_wait_until (session_reconnecting, session, STEP_TIMEOUT_MS, "the session to notice");
  if (!tether_test_server_start (server, &error))
    g_error ("Could not restart the server: %s", error->message);
  start = g_get_monotonic_time ();
  tether_test_wait_until (all_running, &shells, STEP_TIMEOUT_MS, "the shells to come back");
  back_ms = (g_get_monotonic_time () - start) / USEC_PER_MSEC;
  printf ("%d shells back after the server accepts again: %.1f ms (goal <= %.0f ms), "
          "%u login(s), reconnect backoff included\n", N_TABS, back_ms, RESTART_GOAL_MS,
          tether_test_server_count_logins (server) - logins_before);

  for (guint i = 0; i < N_TABS; i++)
    {
      tether_shell_close (tabs[i]);
      g_object_unref (tabs[i]);
    }
  tether_host_session_close (session);
  return 0;
}
