/* bench-tab-memory.c: memory per terminal tab. Opens one tab on the test sshd and waits for its
 * prompt, then 19 more on the same connection, each shown once as a user opening it would,
 * and prints what each extra tab cost in resident memory. The reference, measured in the same
 * run, is what OpenSSH's client costs per interactive session: the resident memory of one
 * `ssh -tt` process holding a shell. (That leaves out the terminal emulator a user runs ssh in,
 * which Tether's figure includes.) */
#include "config.h"

#include <adwaita.h>
#include <stdio.h>
#include <string.h>

#include "bench-ui-common.h"
#include "tether-terminal-page.h"

#define N_TABS 20

/* Issue 6's goal for each tab after the first. */
#define GOAL_MIB_PER_TAB 10.0

typedef struct {
  GPtrArray *pages;
} Tabs;

static gboolean
all_prompts_shown (gpointer data)
{
  Tabs *tabs = data;

  for (guint i = 0; i < tabs->pages->len; i++) {
    TetherTerminalPage *page = g_ptr_array_index (tabs->pages, i);

    if (tether_terminal_page_get_state (page) == TETHER_TERMINAL_STATE_DISCONNECTED)
      g_error ("Tab %u disconnected: %s", i + 1, tether_terminal_page_get_message (page));
    if (!bench_ui_screen_shows_prompt (tether_terminal_page_get_terminal (page)))
      return FALSE;
  }

  return TRUE;
}

static gboolean
is_mapped (gpointer data)
{
  return gtk_widget_get_mapped (GTK_WIDGET (data));
}

/* Appends a tab and selects it, as "New Tab" does; showing it starts its session. It stays
 * shown until its prompt is on screen: a tab hidden before its prompt arrived showed nothing
 * until shown again, and a figure taken then would leave out what parsing and drawing cost. */
static void
open_tab (AdwTabView *tab_view,
          TetherHost *host,
          Tabs       *tabs)
{
  /* As the app does: the tabs of a host share its session. */
  static TetherSessionManager *sessions;
  TetherTerminalPage *page;

  if (sessions == NULL)
    sessions = tether_session_manager_new ();
  page = tether_terminal_page_new (tether_session_manager_lookup_or_create (sessions, host));
  AdwTabPage *tab = adw_tab_view_append (tab_view, GTK_WIDGET (page));

  adw_tab_page_set_title (tab, tether_terminal_page_get_title (page));
  adw_tab_view_set_selected_page (tab_view, tab);
  g_ptr_array_add (tabs->pages, page);
  tether_test_wait_until (is_mapped, page, BENCH_STEP_TIMEOUT_MS, "the tab to be shown");
  tether_terminal_page_start (page);
  tether_test_wait_until (all_prompts_shown, tabs, BENCH_STEP_TIMEOUT_MS, "the new tab's prompt");
}

/* OpenSSH's client for one interactive shell, resident while it waits at the prompt. */
typedef struct {
  GString *output;
  gboolean done;
} SshOutput;

static void
ssh_read_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  SshOutput *output = user_data;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;

  bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);
  if (bytes == NULL || g_bytes_get_size (bytes) == 0) {
    output->done = TRUE;
    return;
  }
  g_string_append_len (output->output, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  g_input_stream_read_bytes_async (G_INPUT_STREAM (source), BUFSIZ, G_PRIORITY_DEFAULT, NULL,
                                   ssh_read_cb, output);
}

static gboolean
ssh_shows_prompt (gpointer data)
{
  SshOutput *output = data;

  if (output->done)
    g_error ("ssh exited before its prompt: %s", output->output->str);

  return bench_ui_text_shows_prompt (output->output->str);
}

static gboolean
output_done (gpointer data)
{
  return ((SshOutput *) data)->done;
}

static void
ssh_exited_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *(gboolean *) user_data = TRUE;
}

static void
measure_ssh (TetherTestServer *server,
             gsize            *rss,
             gsize            *pss)
{
  const char *options[] = { "-tt", NULL };
  g_auto(GStrv) argv = bench_ssh_argv (server, options, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) ssh = NULL;
  SshOutput output = { g_string_new (NULL), FALSE };
  gboolean exited = FALSE;
  const char *pid;

  ssh = g_subprocess_newv ((const char * const *) argv,
                           G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                           G_SUBPROCESS_FLAGS_STDERR_MERGE, &error);
  if (ssh == NULL)
    g_error ("Cannot run ssh: %s", error->message);
  g_input_stream_read_bytes_async (g_subprocess_get_stdout_pipe (ssh), BUFSIZ,
                                   G_PRIORITY_DEFAULT, NULL, ssh_read_cb, &output);
  tether_test_wait_until (ssh_shows_prompt, &output, BENCH_STEP_TIMEOUT_MS, "ssh's prompt");
  bench_ui_settle ();

  pid = g_subprocess_get_identifier (ssh);
  *rss = bench_ui_read_rss (pid);
  *pss = bench_ui_read_pss (pid);

  if (!g_output_stream_write_all (g_subprocess_get_stdin_pipe (ssh), "exit\n", strlen ("exit\n"),
                                  NULL, NULL, &error))
    g_error ("Cannot write to ssh: %s", error->message);
  g_subprocess_wait_async (ssh, NULL, ssh_exited_cb, &exited);
  tether_test_wait_until (tether_test_flag_is_set, &exited, BENCH_STEP_TIMEOUT_MS, "ssh to exit");
  /* Let the last read see the end of the output before the buffer goes. */
  tether_test_wait_until (output_done, &output, BENCH_STEP_TIMEOUT_MS, "the end of ssh's output");
  g_string_free (output.output, TRUE);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(TetherTestServer) server = NULL;
  g_autoptr(TetherHost) host = NULL;
  g_autoptr(GPtrArray) pages = g_ptr_array_new ();
  Tabs tabs = { pages };
  GtkWidget *window;
  GtkWidget *box;
  AdwTabView *tab_view;
  TetherConnection *connection;
  gsize rss_one;
  gsize pss_one;
  gsize rss_all;
  gsize pss_all;
  gsize ssh_rss;
  gsize ssh_pss;
  double tab_mib;
  double tab_pss_mib;
  double ssh_mib;
  double ssh_pss_mib;

  gtk_init ();
  adw_init ();

  server = bench_server_new_or_exit ();
  host = tether_test_server_new_host (server);
  tether_host_set_label (host, "Benchmark");

  bench_ui_print_load ("before");
  window = adw_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), BENCH_WINDOW_WIDTH, BENCH_WINDOW_HEIGHT);
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  tab_view = adw_tab_view_new ();
  gtk_widget_set_vexpand (GTK_WIDGET (tab_view), TRUE);
  gtk_box_append (GTK_BOX (box), adw_header_bar_new ());
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (adw_tab_bar_new ()));
  adw_tab_bar_set_view (ADW_TAB_BAR (gtk_widget_get_last_child (box)), tab_view);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (tab_view));
  adw_window_set_content (ADW_WINDOW (window), box);
  gtk_window_present (GTK_WINDOW (window));
  tether_test_wait_until (is_mapped, window, BENCH_STEP_TIMEOUT_MS, "the window");

  open_tab (tab_view, host, &tabs);
  bench_ui_settle ();
  rss_one = bench_ui_read_rss ("self");
  pss_one = bench_ui_read_pss ("self");

  for (guint i = 1; i < N_TABS; i++)
    open_tab (tab_view, host, &tabs);
  tether_test_wait_until (all_prompts_shown, &tabs, BENCH_STEP_TIMEOUT_MS, "every prompt");
  bench_ui_settle ();
  rss_all = bench_ui_read_rss ("self");
  pss_all = bench_ui_read_pss ("self");

  connection = tether_terminal_page_get_connection (g_ptr_array_index (pages, 0));
  for (guint i = 1; i < pages->len; i++) {
    if (tether_terminal_page_get_connection (g_ptr_array_index (pages, i)) != connection)
      g_error ("Tab %u has a connection of its own", i + 1);
  }
  if (tether_test_server_count_logins (server) != 1)
    g_error ("%u logins for %u tabs, not one", tether_test_server_count_logins (server), N_TABS);

  measure_ssh (server, &ssh_rss, &ssh_pss);

  bench_ui_print_load ("after");
  tab_mib = ((double) rss_all - (double) rss_one) / (N_TABS - 1) / BENCH_BYTES_PER_MIB;
  tab_pss_mib = ((double) pss_all - (double) pss_one) / (N_TABS - 1) / BENCH_BYTES_PER_MIB;
  ssh_mib = ssh_rss / BENCH_BYTES_PER_MIB;
  ssh_pss_mib = ssh_pss / BENCH_BYTES_PER_MIB;

  printf ("tab memory: RSS with 1 tab %.1f MiB, with %u tabs %.1f MiB (one connection)\n",
          rss_one / BENCH_BYTES_PER_MIB, N_TABS, rss_all / BENCH_BYTES_PER_MIB);
  printf ("tab memory: PSS per extra tab %.2f MiB, ssh client PSS %.2f MiB/session\n",
          tab_pss_mib, ssh_pss_mib);
  printf ("tether %.1f MiB/tab, ssh client %.1f MiB/session, ratio %.2f (goal <= %.0f MiB)%s\n",
          tab_mib, ssh_mib, tab_mib / ssh_mib, GOAL_MIB_PER_TAB,
          tab_mib <= GOAL_MIB_PER_TAB ? "" : " MISSED");

  gtk_window_destroy (GTK_WINDOW (window));

  return 0;
}
