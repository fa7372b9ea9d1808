/* bench-echo.c: keystroke-to-echo latency on a loopback shell. A Tether terminal tab and a
 * plain VteTerminal running `ssh -tt` to the same test sshd sit side by side; keys go into
 * each in turn as a user's would (vte_terminal_feed_child (), which emits ::commit as typing
 * does), and each is timed from its injection until VTE has parsed the echo: the cursor has
 * moved past the new character, read on the main loop as soon as VTE's text changes. Rounds
 * of keys alternate between the two so that the machine's drifting speed hits both alike;
 * the p50 and p99 of each and their ratios are printed. The shell's line is cleared (Ctrl+U)
 * before it wraps. */
#include "config.h"

#include <adwaita.h>
#include <stdio.h>
#include <string.h>

#include "bench-ui-common.h"
#include "tether-terminal-page.h"

/* Keys per terminal, in rounds of this many at a time. */
#define N_KEYS 300
#define KEYS_PER_ROUND 30
/* Characters typed on one line before it is cleared: well inside 80 columns. */
#define KEYS_PER_LINE 30
/* The tty's kill character (Ctrl+U): erases what was typed on the line. */
#define KILL_LINE "\025"

typedef struct {
  const char *name;
  VteTerminal *terminal;
  GtkWindow *window;
  GArray *latency_ms;
  /* Where the prompt leaves the cursor, and how many keys the line has now. */
  glong prompt_column;
  guint on_line;
} Subject;

typedef struct {
  VteTerminal *terminal;
  glong column;
} CursorAt;

static gboolean
cursor_is_at (gpointer data)
{
  CursorAt *at = data;
  glong column;

  vte_terminal_get_cursor_position (at->terminal, &column, NULL);
  return column == at->column;
}

/* Waits, iterating the main context, until the cursor of @terminal is at @column. */
static void
wait_cursor (VteTerminal *terminal,
             glong        column,
             const char  *what)
{
  CursorAt at = { terminal, column };

  tether_test_wait_until (cursor_is_at, &at, BENCH_STEP_TIMEOUT_MS, what);
}

static void
type_key (Subject *subject,
          guint    i)
{
  char key[2] = { 'a' + i % 26, '\0' };
  glong column = subject->prompt_column + subject->on_line + 1;
  gint64 start;
  double ms;

  start = g_get_monotonic_time ();
  vte_terminal_feed_child (subject->terminal, key, 1);
  wait_cursor (subject->terminal, column, "the echo of a key");
  ms = (double) (g_get_monotonic_time () - start) / G_TIME_SPAN_MILLISECOND;
  g_array_append_val (subject->latency_ms, ms);
  subject->on_line++;

  if (subject->on_line == KEYS_PER_LINE) {
    vte_terminal_feed_child (subject->terminal, KILL_LINE, -1);
    wait_cursor (subject->terminal, subject->prompt_column, "the line to be cleared");
    subject->on_line = 0;
  }
}

static GtkWindow *
new_window (GtkWidget *child)
{
  GtkWindow *window = GTK_WINDOW (adw_window_new ());

  gtk_window_set_default_size (window, BENCH_WINDOW_WIDTH, BENCH_WINDOW_HEIGHT);
  adw_window_set_content (ADW_WINDOW (window), child);
  gtk_window_present (window);

  return window;
}

static gboolean
is_mapped (gpointer data)
{
  return gtk_widget_get_mapped (GTK_WIDGET (data));
}

static gboolean
shows_prompt (gpointer data)
{
  return bench_ui_screen_shows_prompt (VTE_TERMINAL (data));
}

static void
subject_ready (Subject *subject)
{
  tether_test_wait_until (shows_prompt, subject->terminal, BENCH_STEP_TIMEOUT_MS, "the prompt");
  bench_ui_settle ();
  vte_terminal_get_cursor_position (subject->terminal, &subject->prompt_column, NULL);
  subject->latency_ms = g_array_new (FALSE, FALSE, sizeof (double));
}

static void
start_tab (Subject    *subject,
           TetherHost *host)
{
  g_autoptr(TetherHostSession) session = tether_host_session_new (host);
  TetherTerminalPage *page = tether_terminal_page_new (session);

  subject->name = "tether tab:";
  subject->terminal = tether_terminal_page_get_terminal (page);
  subject->window = new_window (GTK_WIDGET (page));
  tether_test_wait_until (is_mapped, page, BENCH_STEP_TIMEOUT_MS, "the tab to be shown");
  tether_terminal_page_start (page);
  subject_ready (subject);
}

static void
spawned_cb (VteTerminal *terminal,
            GPid         pid,
            GError      *error,
            gpointer     user_data)
{
  if (error != NULL)
    g_error ("Cannot start ssh: %s", error->message);
}

static void
start_ssh (Subject          *subject,
           TetherTestServer *server,
           const PangoFontDescription *font)
{
  const char *options[] = { "-tt", NULL };
  g_auto(GStrv) argv = bench_ssh_argv (server, options, NULL);

  subject->name = "ssh -tt in plain VTE:";
  subject->terminal = VTE_TERMINAL (vte_terminal_new ());
  vte_terminal_set_font (subject->terminal, font);
  subject->window = new_window (GTK_WIDGET (subject->terminal));
  tether_test_wait_until (is_mapped, subject->terminal, BENCH_STEP_TIMEOUT_MS,
                          "the terminal to be shown");
  vte_terminal_spawn_async (subject->terminal, VTE_PTY_DEFAULT, NULL, argv, NULL,
                            G_SPAWN_DEFAULT, NULL, NULL, NULL, -1, NULL, spawned_cb, NULL);
  subject_ready (subject);
}

static void
print_subject (const Subject *subject)
{
  printf ("keystroke echo, %-22s p50 %6.2f ms, p99 %6.2f ms, longest %6.2f ms (%u keys)\n",
          subject->name, bench_ui_percentile (subject->latency_ms, 0.5),
          bench_ui_percentile (subject->latency_ms, 0.99), bench_ui_max (subject->latency_ms),
          subject->latency_ms->len);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(TetherTestServer) server = NULL;
  g_autoptr(TetherHost) host = NULL;
  Subject tab = { 0 };
  Subject ssh = { 0 };
  Subject *subjects[] = { &tab, &ssh };
  double tab_p50;
  double tab_p99;
  double ssh_p50;
  double ssh_p99;

  gtk_init ();
  adw_init ();

  server = bench_server_new_or_exit ();
  host = tether_test_server_new_host (server);
  tether_host_set_label (host, "Benchmark");

  bench_ui_print_load ("before");
  start_tab (&tab, host);
  start_ssh (&ssh, server, vte_terminal_get_font (tab.terminal));

  for (guint done = 0; done < N_KEYS; done += KEYS_PER_ROUND) {
    for (guint s = 0; s < G_N_ELEMENTS (subjects); s++) {
      /* The other window was in front: let this one settle before its round. */
      gtk_window_present (subjects[s]->window);
      bench_ui_settle ();
      for (guint i = done; i < done + KEYS_PER_ROUND; i++)
        type_key (subjects[s], i);
    }
  }

  bench_ui_print_load ("after");
  print_subject (&tab);
  print_subject (&ssh);
  tab_p50 = bench_ui_percentile (tab.latency_ms, 0.5);
  tab_p99 = bench_ui_percentile (tab.latency_ms, 0.99);
  ssh_p50 = bench_ui_percentile (ssh.latency_ms, 0.5);
  ssh_p99 = bench_ui_percentile (ssh.latency_ms, 0.99);
  printf ("keystroke echo: tether p50 %.2f ms, p99 %.2f ms; ssh -tt in plain VTE p50 %.2f ms, "
          "p99 %.2f ms; ratio p50 %.2f, p99 %.2f\n", tab_p50, tab_p99, ssh_p50, ssh_p99,
          tab_p50 / MAX (ssh_p50, 0.01), tab_p99 / MAX (ssh_p99, 0.01));

  for (guint s = 0; s < G_N_ELEMENTS (subjects); s++) {
    gtk_window_destroy (subjects[s]->window);
    g_array_unref (subjects[s]->latency_ms);
  }

  return 0;
}
