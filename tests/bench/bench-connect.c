/* bench-connect.c: time to a running command, Tether against OpenSSH's client.
 *
 * One sample is connect + host key check + public key login + a session channel + `exec true`
 * until its exit status arrives. OpenSSH's is `ssh ... true` from spawn to exit. The CPU speed
 * of this kind of machine drifts (DESIGN.md section 6), so the clients run in interleaved
 * rounds, each round in a rotated order, and the figure is the median of the per-round ratios;
 * once against plain `ssh` (what users get), once against ssh limited to the key exchange and
 * cipher that Tether can negotiate (libssh 0.10 has no sntrup761).
 */
#include "config.h"

#include <stdio.h>

#include "bench-common.h"

#define N_ROUNDS 11
#define GOAL_RATIO 0.4
#define STEP_TIMEOUT_MS (60 * 1000)
#define USEC_PER_MSEC 1000.0

enum {
  CLIENT_TETHER,
  CLIENT_SSH,
  CLIENT_SSH_TUNED,
  N_CLIENTS
};

static gboolean
int_is_set (gpointer data)
{
  return *(int *) data >= 0;
}

static void
exit_status_cb (TetherSessionChannel *channel,
                int                   status,
                gpointer              user_data)
{
  *(int *) user_data = status;
}

static gboolean
connection_is_closed (gpointer data)
{
  return tether_connection_get_state (data) == TETHER_CONNECTION_STATE_CLOSED;
}

/* Where Tether's time goes: connected and logged in, session open, exit status. */
enum {
  PHASE_CONNECT,
  PHASE_OPEN,
  PHASE_EXEC,
  N_PHASES
};

static const char * const phase_names[N_PHASES] = {
  "connect+auth", "open session", "exec until exit status"
};

/* Microseconds from nothing to `true`'s exit status; the cipher used goes to @cipher and
 * the time of each phase is appended to @phases. */
static gint64
time_tether (TetherHost  *host,
             char       **cipher,
             GArray     **phases)
{
  g_autoptr(TetherConnection) connection = NULL;
  g_autoptr(TetherSessionChannel) channel = NULL;
  gint64 start = g_get_monotonic_time ();
  gint64 marks[N_PHASES];
  gint64 elapsed;
  int status = -1;

  connection = bench_connect (host);
  marks[PHASE_CONNECT] = g_get_monotonic_time ();
  channel = bench_open_session (connection);
  marks[PHASE_OPEN] = g_get_monotonic_time ();
  g_signal_connect (channel, "exit-status", G_CALLBACK (exit_status_cb), &status);
  bench_exec (channel, "true");
  tether_test_wait_until (int_is_set, &status, STEP_TIMEOUT_MS, "the exit status of true");
  marks[PHASE_EXEC] = g_get_monotonic_time ();
  elapsed = marks[PHASE_EXEC] - start;
  if (status != 0)
    g_error ("true exited with %d through Tether", status);
  for (guint p = 0; phases != NULL && p < N_PHASES; p++)
    {
      double phase = marks[p] - (p == 0 ? start : marks[p - 1]);

      g_array_append_val (phases[p], phase);
    }

  if (cipher != NULL)
    {
      g_free (*cipher);
      *cipher = g_strdup (tether_connection_get_cipher (connection));
    }
  g_signal_handlers_disconnect_by_data (channel, &status);
  tether_connection_close (connection);
  tether_test_wait_until (connection_is_closed, connection, STEP_TIMEOUT_MS,
                          "the connection to close");
  return elapsed;
}

/* Microseconds from spawning ssh to its exit. */
static gint64
time_ssh (char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  gint64 start = g_get_monotonic_time ();
  gint64 elapsed;

  process = g_subprocess_newv ((const char * const *) argv, G_SUBPROCESS_FLAGS_STDOUT_SILENCE,
                               &error);
  if (process == NULL)
    g_error ("Could not start ssh: %s", error->message);
  g_subprocess_wait_async (process, NULL, tether_test_store_result, &result);
  tether_test_wait_until (tether_test_pointer_is_set, &result, STEP_TIMEOUT_MS, "ssh to exit");
  elapsed = g_get_monotonic_time () - start;
  if (!g_subprocess_wait_finish (process, result, &error) ||
      !g_subprocess_get_successful (process))
    g_error ("ssh failed (status %d)%s%s", g_subprocess_get_status (process),
             error ? ": " : "", error ? error->message : "");
  return elapsed;
}

typedef struct
{
  TetherHost *host;
  GArray **phases;
  char **plain_argv;
  char **tuned_argv;
} Clients;

static double
sample_client (guint    client,
               gpointer data)
{
  Clients *clients = data;

  if (client == CLIENT_TETHER)
    return time_tether (clients->host, NULL, clients->phases);
  return time_ssh (client == CLIENT_SSH ? clients->plain_argv : clients->tuned_argv);
}

static void
report (const char *label,
        GArray     *tether,
        GArray     *ssh,
        GArray     *ratios)
{
  printf ("%s: tether %.1f ms, ssh %.1f ms, ratio %.2f (goal <= %.1f)\n", label,
          bench_median (tether) / USEC_PER_MSEC, bench_median (ssh) / USEC_PER_MSEC,
          bench_median (ratios), GOAL_RATIO);
  bench_print_pairs (label, ratios);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(TetherTestServer) server = bench_server_new_or_exit ();
  g_autoptr(TetherHost) host = tether_test_server_new_host (server);
  const char *plain_options[] = { "-o", "ControlMaster=no", NULL };
  const char *tuned_options[] = {
    "-o", "ControlMaster=no", "-o", "KexAlgorithms=curve25519-sha256", "-c", NULL, NULL
  };
  g_auto(GStrv) plain_argv = bench_ssh_argv (server, plain_options, "true");
  g_auto(GStrv) tuned_argv = NULL;
  g_autofree char *cipher = NULL;
  g_autofree char *tuned_label = NULL;
  GArray *times[N_CLIENTS];
  GArray *phases[N_PHASES];
  g_autoptr(GString) breakdown = g_string_new (NULL);
  g_autoptr(GArray) plain_ratios = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) tuned_ratios = g_array_new (FALSE, FALSE, sizeof (double));
  GArray *ratios[N_CLIENTS - 1] = { plain_ratios, tuned_ratios };
  Clients clients;

  /* Warm up both clients (page cache, sshd's first fork); learn Tether's cipher. */
  time_tether (host, &cipher, NULL);
  time_ssh (plain_argv);
  if (cipher == NULL)
    g_error ("Tether reported no cipher");
  tuned_options[5] = cipher;
  tuned_argv = bench_ssh_argv (server, tuned_options, "true");
  time_ssh (tuned_argv);

  for (guint c = 0; c < N_CLIENTS; c++)
    times[c] = g_array_new (FALSE, FALSE, sizeof (double));
  for (guint p = 0; p < N_PHASES; p++)
    phases[p] = g_array_new (FALSE, FALSE, sizeof (double));

  clients = (Clients) { host, phases, plain_argv, tuned_argv };
  bench_interleave (N_ROUNDS, N_CLIENTS, sample_client, &clients, times, ratios);

  printf ("%u interleaved rounds; median of per-round ratios (Tether time / ssh time)\n",
          N_ROUNDS);
  report ("connect", times[CLIENT_TETHER], times[CLIENT_SSH], plain_ratios);
  tuned_label = g_strdup_printf ("connect vs ssh -o KexAlgorithms=curve25519-sha256 -c %s",
                                 cipher);
  report (tuned_label, times[CLIENT_TETHER], times[CLIENT_SSH_TUNED], tuned_ratios);
  for (guint p = 0; p < N_PHASES; p++)
    g_string_append_printf (breakdown, "%s%s %.1f ms", p ? ", " : "", phase_names[p],
                            bench_median (phases[p]) / USEC_PER_MSEC);
  printf ("  tether phases (medians): %s\n", breakdown->str);
  for (guint c = 0; c < N_CLIENTS; c++)
    g_array_unref (times[c]);
  for (guint p = 0; p < N_PHASES; p++)
    g_array_unref (phases[p]);
  return 0;
}
