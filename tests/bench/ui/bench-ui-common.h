/* bench-ui-common.h: what the UI benchmarks share beyond bench-common.h (the test server, a
 * host for it, waiting on the main context): reading the screen of a terminal, memory figures
 * and percentiles. */
#pragma once

#include <gtk/gtk.h>
#include <tether.h>
#include <vte/vte.h>

#include "bench-common.h"

G_BEGIN_DECLS

/* Generous: the machine's cores are shared, and logins and windows are slow under load. */
#define BENCH_STEP_TIMEOUT_MS (120 * 1000)

/* The size of the windows the benchmarks show: the test Xvfb screen is 1280x800. */
#define BENCH_WINDOW_WIDTH 800
#define BENCH_WINDOW_HEIGHT 600

#define BENCH_BYTES_PER_MIB (1024.0 * 1024.0)

gboolean          bench_ui_screen_contains      (VteTerminal        *terminal,
                                                 const char         *needle);
gboolean          bench_ui_screen_shows_prompt  (VteTerminal        *terminal);
gboolean          bench_ui_text_shows_prompt    (const char         *text);
void              bench_ui_settle               (void);
gsize             bench_ui_read_rss             (const char         *pid);
gsize             bench_ui_read_pss             (const char         *pid);
double            bench_ui_percentile           (GArray             *values,
                                                 double              fraction);
double            bench_ui_max                  (GArray             *values);
void              bench_ui_print_load           (const char         *when);

G_END_DECLS
