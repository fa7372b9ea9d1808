/* bench-common.h: what the benchmarks share: a test server, connecting, running OpenSSH's
 * client, interleaved rounds, medians (waiting on the main context: tether-test-wait.h). */
#pragma once

#include <gio/gio.h>

#include "tether.h"
#include "tether-test-host.h"
#include "tether-test-server.h"
#include "tether-test-wait.h"

G_BEGIN_DECLS

/* meson's exit status for a skipped test or benchmark. */
#define BENCH_EXIT_SKIP 77

/* One sample of @client, for bench_interleave (). */
typedef double (*BenchSample) (guint client,
                               gpointer data);

TetherTestServer *bench_server_new_or_exit (void);
TetherConnection *bench_connect            (TetherHost        *host);
TetherSessionChannel *bench_open_session   (TetherConnection  *connection);
void              bench_exec               (TetherSessionChannel *channel,
                                            const char        *command);
char            **bench_ssh_argv           (TetherTestServer  *server,
                                            const char * const *options,
                                            const char        *command);
GArray           *bench_sorted             (GArray            *values);
double            bench_median             (GArray            *values);
void              bench_print_pairs        (const char        *what,
                                            GArray            *ratios);
void              bench_interleave         (guint              n_rounds,
                                            guint              n_clients,
                                            BenchSample        sample,
                                            gpointer           data,
                                            GArray           **samples,
                                            GArray           **ratios);

G_END_DECLS
