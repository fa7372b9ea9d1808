/* bench-cold-start.c: time from process start to Tether's first window being mapped. The
 * program runs itself as a child once per measurement: in "tether" mode the child runs the
 * real TetherApplication, in "reference" mode a minimal AdwApplication with an empty
 * AdwApplicationWindow, which pays the same GTK and libadwaita start-up. The clock starts in
 * the parent just before it spawns the child (CLOCK_MONOTONIC is the same in both processes),
 * so loading the libraries counts too, and stops when the window emits ::map. Each mode runs
 * a few times, alternating; the medians are printed with their ratio. */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench-ui-common.h"
#include "tether-application.h"

#define N_RUNS 5

#define CHILD_ARG "--child"
#define MODE_TETHER "tether"
#define MODE_REFERENCE "reference"

/* Not Tether's: the reference must not be taken for a running Tether on the session bus. */
#define REFERENCE_APP_ID "io.github.tetherssh.Tether.BenchReference"

/* What a child reports on its standard output: three times in microseconds. */
#define REPORT_FORMAT "%" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %" G_GINT64_FORMAT "\n"

typedef struct {
  gint64 spawned;
  gint64 main_started;
  gint64 mapped;
  GApplication *app;
} Child;

static gboolean
quit_cb (gpointer data)
{
  g_application_quit (data);
  return G_SOURCE_REMOVE;
}

/* The first frame painted after the map, for the record; then the child is done. */
static void
on_after_paint (GdkFrameClock *clock,
                Child         *child)
{
  gint64 painted = g_get_monotonic_time ();

  g_signal_handlers_disconnect_by_func (clock, on_after_paint, child);
  printf (REPORT_FORMAT, child->mapped - child->spawned, child->mapped - child->main_started,
          painted - child->spawned);
  fflush (stdout);
  g_idle_add (quit_cb, child->app);
}

static void
on_window_map (GtkWidget *window,
               Child     *child)
{
  if (child->mapped != 0)
    return;

  child->mapped = g_get_monotonic_time ();
  g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint",
                    G_CALLBACK (on_after_paint), child);
}

static void
on_window_added (GtkApplication *app,
                 GtkWindow      *window,
                 Child          *child)
{
  g_signal_connect (window, "map", G_CALLBACK (on_window_map), child);
}

/* The reference's whole user interface: a window with a header bar and nothing in it. */
static void
reference_activate (GApplication *app)
{
  GtkWidget *window = adw_application_window_new (GTK_APPLICATION (app));
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);

  gtk_box_append (GTK_BOX (box), adw_header_bar_new ());
  adw_application_window_set_content (ADW_APPLICATION_WINDOW (window), box);
  gtk_window_set_default_size (GTK_WINDOW (window), BENCH_WINDOW_WIDTH, BENCH_WINDOW_HEIGHT);
  gtk_window_present (GTK_WINDOW (window));
}

static int
run_child (const char *mode,
           gint64      spawned,
           gint64      main_started,
           char       *argv0)
{
  g_autoptr(GApplication) app = NULL;
  Child child = { spawned, main_started, 0, NULL };
  char *argv[] = { argv0, NULL };
  int status;

  /* As main.c does. */
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (g_str_equal (mode, MODE_TETHER)) {
    app = G_APPLICATION (tether_application_new ());
  } else {
    app = G_APPLICATION (adw_application_new (REFERENCE_APP_ID, G_APPLICATION_DEFAULT_FLAGS));
    g_signal_connect (app, "activate", G_CALLBACK (reference_activate), NULL);
  }
  /* Each child is its own instance: one still exiting must not take the next's activation. */
  g_application_set_flags (app, g_application_get_flags (app) | G_APPLICATION_NON_UNIQUE);
  child.app = app;
  g_signal_connect (app, "window-added", G_CALLBACK (on_window_added), &child);

  status = g_application_run (app, 1, argv);
  if (child.mapped == 0)
    g_error ("No window was mapped");

  return status;
}

typedef struct {
  GArray *to_map_ms;
  GArray *main_to_map_ms;
  GArray *to_paint_ms;
} Samples;

static void
run_once (const char *self_path,
          const char *mode,
          Samples    *samples)
{
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *output = NULL;
  g_autofree char *spawned_arg = NULL;
  gint64 to_map;
  gint64 main_to_map;
  gint64 to_paint;
  double value;

  spawned_arg = g_strdup_printf ("%" G_GINT64_FORMAT, g_get_monotonic_time ());
  child = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                            self_path, CHILD_ARG, mode, spawned_arg, NULL);
  if (child == NULL)
    g_error ("Cannot start the %s child: %s", mode, error->message);
  if (!g_subprocess_communicate_utf8 (child, NULL, NULL, &output, NULL, &error))
    g_error ("Cannot read the %s child: %s", mode, error->message);
  if (!g_subprocess_get_successful (child))
    g_error ("The %s child failed", mode);
  if (sscanf (output, "%" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %" G_GINT64_FORMAT,
              &to_map, &main_to_map, &to_paint) != 3)
    g_error ("The %s child said “%s”", mode, output);

  if (samples == NULL)
    return;
  value = (double) to_map / G_TIME_SPAN_MILLISECOND;
  g_array_append_val (samples->to_map_ms, value);
  value = (double) main_to_map / G_TIME_SPAN_MILLISECOND;
  g_array_append_val (samples->main_to_map_ms, value);
  value = (double) to_paint / G_TIME_SPAN_MILLISECOND;
  g_array_append_val (samples->to_paint_ms, value);
}

static void
samples_init (Samples *samples)
{
  samples->to_map_ms = g_array_new (FALSE, FALSE, sizeof (double));
  samples->main_to_map_ms = g_array_new (FALSE, FALSE, sizeof (double));
  samples->to_paint_ms = g_array_new (FALSE, FALSE, sizeof (double));
}

static void
samples_clear (Samples *samples)
{
  g_array_unref (samples->to_map_ms);
  g_array_unref (samples->main_to_map_ms);
  g_array_unref (samples->to_paint_ms);
}

static char *
format_runs (GArray *values)
{
  GString *line = g_string_new (NULL);

  for (guint i = 0; i < values->len; i++)
    g_string_append_printf (line, "%s%.0f", i ? " " : "", g_array_index (values, double, i));

  return g_string_free (line, FALSE);
}

int
main (int   argc,
      char *argv[])
{
  gint64 main_started = g_get_monotonic_time ();
  g_autofree char *self_path = NULL;
  g_autofree char *tether_runs = NULL;
  g_autofree char *reference_runs = NULL;
  Samples tether;
  Samples reference;
  double tether_ms;
  double reference_ms;

  if (argc == 4 && g_str_equal (argv[1], CHILD_ARG))
    return run_child (argv[2], g_ascii_strtoll (argv[3], NULL, 10), main_started, argv[0]);

  self_path = g_file_read_link ("/proc/self/exe", NULL);
  if (self_path == NULL)
    self_path = g_strdup (argv[0]);

  bench_ui_print_load ("before");
  /* One unmeasured run of each first: both then start with the libraries in the page cache. */
  run_once (self_path, MODE_TETHER, NULL);
  run_once (self_path, MODE_REFERENCE, NULL);

  samples_init (&tether);
  samples_init (&reference);
  for (guint i = 0; i < N_RUNS; i++) {
    run_once (self_path, MODE_TETHER, &tether);
    run_once (self_path, MODE_REFERENCE, &reference);
  }

  bench_ui_print_load ("after");
  tether_runs = format_runs (tether.to_map_ms);
  reference_runs = format_runs (reference.to_map_ms);
  tether_ms = bench_ui_percentile (tether.to_map_ms, 0.5);
  reference_ms = bench_ui_percentile (reference.to_map_ms, 0.5);

  printf ("cold start runs, spawn to mapped window (ms): tether %s; reference %s\n",
          tether_runs, reference_runs);
  printf ("cold start medians: main () to mapped window: tether %.0f ms, reference %.0f ms; "
          "spawn to first frame: tether %.0f ms, reference %.0f ms\n",
          bench_ui_percentile (tether.main_to_map_ms, 0.5),
          bench_ui_percentile (reference.main_to_map_ms, 0.5),
          bench_ui_percentile (tether.to_paint_ms, 0.5),
          bench_ui_percentile (reference.to_paint_ms, 0.5));
  printf ("tether %.0f ms to a mapped window, minimal AdwApplicationWindow %.0f ms, ratio %.2f "
          "(median of %u, from spawn; issue 6 sets no goal)\n",
          tether_ms, reference_ms, tether_ms / reference_ms, N_RUNS);

  samples_clear (&tether);
  samples_clear (&reference);

  return 0;
}
