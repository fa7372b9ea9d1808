/* test-flood.c: a terminal tab under a flood of output, against a real sshd (issue 16). The
 * tab feeds VTE a frame's worth at a time and pauses its shell when it falls behind, so the
 * channel's window holds the server back: these tests check that nothing is lost or
 * reordered on the way, that the shell's held output stays within its bound, and that keys
 * still go out while the tab is behind. Runs under Xvfb; needs root to start the test server,
 * and skips without it. */
#include "config.h"

#include <adwaita.h>
#include <stdlib.h>
#include <string.h>
#include <tether.h>
#include <vte/vte.h>

#include "tether-terminal-page.h"
#include "tether-test-server.h"

#include "tether-ui-test.h"

#define WINDOW_WIDTH 800
#define WINDOW_HEIGHT 600

/* The flood: many times what the page and the shell hold, small enough for the scrollback. */
#define SEQ_LINES 300000
#define SEQ_SCROLLBACK (SEQ_LINES + 1000)
/* The command lines spell their markers with quotes, so that their echo is no match. */
#define SEQ_COMMAND "seq 1 300000; echo SEQ-''DONE\n"
#define SEQ_DONE "SEQ-DONE"
#define YES_COMMAND "yes\n"
#define CTRL_C "\003"
#define AFTER_COMMAND "echo AFTER-''INTERRUPT\n"
#define AFTER_MARKER "AFTER-INTERRUPT"

static TetherApplication *app;
static TetherTestServer *server;

typedef struct {
  GtkWindow *window;
  TetherTerminalPage *page;
  TetherShell *shell;
  guint64 peak_pending;
  guint n_paused;
} Fixture;

static void
on_pending_bytes (TetherShell *shell,
                  GParamSpec  *pspec,
                  Fixture     *fixture)
{
  fixture->peak_pending = MAX (fixture->peak_pending, tether_shell_get_pending_bytes (shell));
}

static void
on_paused (TetherShell *shell,
           GParamSpec  *pspec,
           Fixture     *fixture)
{
  if (tether_shell_get_paused (shell))
    fixture->n_paused++;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(TetherHost) host = NULL;

  if (server == NULL) {
    g_test_skip ("No test server: it needs root and sshd");
    return;
  }

  host = tether_ui_test_new_host (server);
  fixture->window = GTK_WINDOW (gtk_window_new ());
  g_object_add_weak_pointer (G_OBJECT (fixture->window), (gpointer *) &fixture->window);
  gtk_window_set_default_size (fixture->window, WINDOW_WIDTH, WINDOW_HEIGHT);
  fixture->page = tether_terminal_page_new (tether_ui_test_session_for (app, host));
  gtk_window_set_child (fixture->window, GTK_WIDGET (fixture->page));
  gtk_window_present (fixture->window);

  /* Mapping starts the session. */
  WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (fixture->page)));
  WAIT_UNTIL (tether_ui_test_is_connected (fixture->page));

  fixture->shell = g_object_ref (tether_terminal_page_get_shell (fixture->page));
  g_signal_connect (fixture->shell, "notify::pending-bytes", G_CALLBACK (on_pending_bytes),
                    fixture);
  g_signal_connect (fixture->shell, "notify::paused", G_CALLBACK (on_paused), fixture);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  if (fixture->shell != NULL) {
    g_signal_handlers_disconnect_by_data (fixture->shell, fixture);
    g_clear_object (&fixture->shell);
  }
  if (fixture->window != NULL)
    gtk_window_destroy (fixture->window);
  WAIT_UNTIL (fixture->window == NULL);
}

/* The terminal's whole text, scrollback included, one line per row. */
static char *
dup_all_text (VteTerminal *terminal)
{
  GtkAdjustment *adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (terminal));
  long first = (long) gtk_adjustment_get_lower (adjustment);
  long last = (long) gtk_adjustment_get_upper (adjustment) - 1;

  return vte_terminal_get_text_range (terminal, first, 0, last,
                                      vte_terminal_get_column_count (terminal), NULL, NULL,
                                      NULL);
}

/* Whether @text holds the lines 1 to @n, each once, in order, right after one another (the
 * first may follow the prompt: the command was typed before the shell started). */
static gboolean
text_has_sequence (const char *text,
                   guint       n)
{
  const char *p = strstr (text, " 1\n2\n");

  if (p == NULL)
    p = strstr (text, "\n1\n2\n");
  if (p == NULL) {
    g_test_message ("no line 1 in %zu bytes: \"%.200s\"", strlen (text), text);
    return FALSE;
  }
  p++;
  for (guint i = 1; i <= n; i++) {
    char expected[32];
    int len = g_snprintf (expected, sizeof expected, "%u\n", i);

    if (strncmp (p, expected, len) != 0) {
      g_test_message ("line %u is not next: \"%.20s\"", i, p);
      return FALSE;
    }
    p += len;
  }
  return g_str_has_prefix (p, SEQ_DONE);
}

/* `seq` through the tab: the last line shows above the marker, and the scrollback holds
 * every line in order; the tab fell behind (its shell paused) and the shell never held more
 * than its bound. */
static void
test_seq_intact (Fixture       *fixture,
                 gconstpointer  data)
{
  VteTerminal *terminal = tether_terminal_page_get_terminal (fixture->page);
  g_autofree char *screen = NULL;
  g_autofree char *all = NULL;
  g_autofree char *last_lines = g_strdup_printf ("%u\n%u\n" SEQ_DONE,
                                                 SEQ_LINES - 1, SEQ_LINES);

  vte_terminal_set_scrollback_lines (terminal, SEQ_SCROLLBACK);
  tether_ui_test_type (fixture->page, SEQ_COMMAND);
  WAIT_UNTIL (tether_ui_test_screen_contains (fixture->page, SEQ_DONE));

  screen = vte_terminal_get_text (terminal, NULL, NULL, NULL);
  g_assert_nonnull (strstr (screen, last_lines));

  all = dup_all_text (terminal);
  g_assert_true (text_has_sequence (all, SEQ_LINES));

  g_assert_cmpuint (fixture->n_paused, >, 0);
  g_assert_cmpuint (fixture->peak_pending, >, 0);
  g_assert_cmpuint (fixture->peak_pending, <=, tether_shell_get_max_pending (fixture->shell));
  g_assert_cmpuint (tether_shell_get_pending_bytes (fixture->shell), ==, 0);
  g_assert_false (tether_shell_get_paused (fixture->shell));
}

static gboolean
shell_is_paused (Fixture *fixture)
{
  return tether_shell_get_paused (fixture->shell) &&
         tether_shell_get_pending_bytes (fixture->shell) > 0;
}

/* Ctrl+C while `yes` floods a tab that is behind: the key goes out (the shell's writes do
 * not wait for its output), `yes` stops, the backlog drains and the next command runs. */
static void
test_interrupt (Fixture       *fixture,
                gconstpointer  data)
{
  tether_ui_test_type (fixture->page, YES_COMMAND);
  WAIT_UNTIL (shell_is_paused (fixture));

  tether_ui_test_type (fixture->page, CTRL_C);
  tether_ui_test_type (fixture->page, AFTER_COMMAND);
  WAIT_UNTIL (tether_ui_test_screen_contains (fixture->page, AFTER_MARKER));

  g_assert_cmpuint (fixture->peak_pending, <=, tether_shell_get_max_pending (fixture->shell));
}

static void
add_test (const char       *path,
          void            (*func) (Fixture *, gconstpointer))
{
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  tether_ui_test_init (&argc, &argv);

  app = tether_ui_test_new_application ();

  server = tether_test_server_new (TETHER_TEST_SERVER_OPENSSH, &error);
  if (server == NULL) {
    g_test_message ("No test server: %s", error->message);
    g_clear_error (&error);
  }

  add_test ("/tether/flood/seq-intact", test_seq_intact);
  add_test ("/tether/flood/interrupt", test_interrupt);

  ret = g_test_run ();

  g_clear_pointer (&server, tether_test_server_free);
  g_clear_object (&app);

  return ret;
}
