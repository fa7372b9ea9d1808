/* bench-common.h: what the benchmarks share: a test server, waiting on the main context,
 * connecting, running OpenSSH's client, medians. */
#pragma once

#include <gio/gio.h>

#include "tether.h"
#include "tether-test-server.h"

G_BEGIN_DECLS

/* meson's exit status for a skipped test or benchmark. */
#define BENCH_EXIT_SKIP 77

typedef gboolean (*BenchCondition) (gpointer data);

TetherTestServer *bench_server_new_or_exit (void);
TetherHost       *bench_host_for_server    (TetherTestServer  *server);
void              bench_wait_until         (BenchCondition     cond,
                                            gpointer           data,
                                            guint              timeout_ms,
                                            const char        *what);
TetherConnection *bench_connect            (TetherHost        *host);
TetherSessionChannel *bench_open_session   (TetherConnection  *connection);
void              bench_exec               (TetherSessionChannel *channel,
                                            const char        *command);
char            **bench_ssh_argv           (TetherTestServer  *server,
                                            const char * const *options,
                                            const char        *command);
double            bench_median             (GArray            *values);
void              bench_print_pairs        (const char        *what,
                                            GArray            *ratios);

G_END_DECLS
