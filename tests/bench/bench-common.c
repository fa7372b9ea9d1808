/* bench-common.c: helpers of the benchmarks (see bench-common.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "bench-common.h"

#define SSH_PATH "/usr/bin/ssh"

/* Starts an OpenSSH test server, or exits with meson's "skipped" status when it cannot. */
TetherTestServer *
bench_server_new_or_exit (void)
{
  g_autoptr(GError) error = NULL;
  TetherTestServer *server = tether_test_server_new (TETHER_TEST_SERVER_OPENSSH, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED))
    {
      printf ("skipped: %s\n", error->message);
      exit (BENCH_EXIT_SKIP);
    }
  if (server == NULL)
    g_error ("Could not start the test server: %s", error->message);
  return server;
}

/* Generous: the machine's two cores are shared. */
#define BENCH_STEP_TIMEOUT_MS (60 * 1000)

TetherConnection *
bench_connect (TetherHost *host)
{
  g_autoptr(TetherConnection) connection = tether_connection_new (host);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  tether_connection_connect_async (connection, NULL, tether_test_store_result, &result);
  tether_test_wait_until (tether_test_pointer_is_set, &result, BENCH_STEP_TIMEOUT_MS,
                          "the connection");
  if (!tether_connection_connect_finish (connection, result, &error))
    g_error ("Could not connect: %s", error->message);
  return g_steal_pointer (&connection);
}

TetherSessionChannel *
bench_open_session (TetherConnection *connection)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  TetherSessionChannel *channel;

  tether_connection_open_session_async (connection, NULL, tether_test_store_result, &result);
  tether_test_wait_until (tether_test_pointer_is_set, &result, BENCH_STEP_TIMEOUT_MS,
                          "a session channel");
  channel = tether_connection_open_session_finish (connection, result, &error);
  if (channel == NULL)
    g_error ("Could not open a session: %s", error->message);
  return channel;
}

void
bench_exec (TetherSessionChannel *channel,
            const char           *command)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  tether_session_channel_request_exec_async (channel, command, NULL, tether_test_store_result,
                                             &result);
  tether_test_wait_until (tether_test_pointer_is_set, &result, BENCH_STEP_TIMEOUT_MS,
                          "the exec request");
  if (!tether_session_channel_request_exec_finish (channel, result, &error))
    g_error ("Could not run %s: %s", command, error->message);
}

/* ssh [@options] <the server's arguments> [@command]: options go before the destination,
 * which ends the server's arguments; without @command, an interactive login. */
char **
bench_ssh_argv (TetherTestServer   *server,
                const char * const *options,
                const char         *command)
{
  g_autoptr(GStrvBuilder) argv = g_strv_builder_new ();

  g_strv_builder_add (argv, SSH_PATH);
  if (options != NULL)
    g_strv_builder_addv (argv, (const char **) options);
  g_strv_builder_addv (argv, (const char **) tether_test_server_get_ssh_args (server));
  if (command != NULL)
    g_strv_builder_add (argv, command);
  return g_strv_builder_end (argv);
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

/* A sorted copy of @values (doubles), which must not be empty. */
GArray *
bench_sorted (GArray *values)
{
  GArray *sorted = g_array_copy (values);

  g_assert (sorted->len > 0);
  g_array_sort (sorted, compare_doubles);
  return sorted;
}

double
bench_median (GArray *values)
{
  g_autoptr(GArray) sorted = bench_sorted (values);
  guint n = sorted->len;

  if (n % 2 == 1)
    return g_array_index (sorted, double, n / 2);
  return (g_array_index (sorted, double, n / 2 - 1) + g_array_index (sorted, double, n / 2)) / 2;
}

/* Every pair's ratio, so a reader sees the spread behind the median. */
void
bench_print_pairs (const char *what,
                   GArray     *ratios)
{
  g_autoptr(GString) line = g_string_new (NULL);

  for (guint i = 0; i < ratios->len; i++)
    g_string_append_printf (line, "%s%.2f", i ? " " : "", g_array_index (ratios, double, i));
  printf ("  %s pair ratios: %s\n", what, line->str);
}

/* Takes @n_rounds samples of each of @n_clients clients in interleaved rounds, each round in
 * a rotated order, since the CPU speed of this kind of machine drifts (DESIGN.md section 6).
 * Each sample goes to @samples[client]; each round's ratio of client 0 to client c
 * (c >= 1) goes to @ratios[c - 1]. */
void
bench_interleave (guint         n_rounds,
                  guint         n_clients,
                  BenchSample   sample,
                  gpointer      data,
                  GArray      **samples,
                  GArray      **ratios)
{
  g_autofree double *round_samples = g_new (double, n_clients);

  for (guint round = 0; round < n_rounds; round++) {
    for (guint k = 0; k < n_clients; k++) {
      guint c = (round + k) % n_clients;

      round_samples[c] = sample (c, data);
      g_array_append_val (samples[c], round_samples[c]);
    }
    for (guint c = 1; c < n_clients; c++) {
      double ratio = round_samples[0] / round_samples[c];

      g_array_append_val (ratios[c - 1], ratio);
    }
  }
}
