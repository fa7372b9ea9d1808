/* test-defects.c: the defects of issue 16, each seen as a user meets it, against a real sshd:
 * keys a shell program needs reach it, focus goes back to the terminal after a dialog or a
 * banner button, every shortcut the Keyboard Shortcuts window lists works, the host editor
 * keeps the chosen login method, broadcast shows that it is on, and the sidebar, tab titles,
 * file names, find bar and host key dialog say what they should.
 *
 * Keys go in as real key presses: xdotool sends them through the X server (XTest) to the
 * window, so GTK's whole shortcut machinery sees them as it sees a user's. Without xdotool
 * those tests are skipped. Runs on its own Xvfb with the memory GSettings backend; needs root
 * to start the test server, and skips without it. */
#include "config.h"

#include <adwaita.h>
#include <gdk/x11/gdkx.h>
#include <string.h>
#include <tether.h>
#include <vte/vte.h>

#include "tether-application.h"
#include "tether-terminal-page.h"
#include "tether-test-server.h"
#include "tether-window.h"

#include "tether-ui-test.h"

static TetherApplication *app;
static TetherTestServer *server;

typedef TetherUiTestWindowFixture Fixture;

/* ------------------------------------------------------------------------- */
/* Real key presses                                                          */

static void
subprocess_done_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(GError) error = NULL;

  g_subprocess_wait_check_finish (G_SUBPROCESS (source), result, &error);
  g_assert_no_error (error);
  *done = TRUE;
}

/* Presses @keys (xdotool's names: "ctrl+g", "Return") in @widget's window, focused first, as
 * a user would; the main loop runs meanwhile, so GTK handles them as they come. */
static void
press_keys (GtkWidget  *widget,
            const char *keys)
{
  GtkNative *native = gtk_widget_get_native (widget);
  GdkSurface *surface = gtk_native_get_surface (native);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *xid = NULL;
  gboolean done = FALSE;

  g_assert_true (GDK_IS_X11_SURFACE (surface));
  xid = g_strdup_printf ("%lu", (gulong) gdk_x11_surface_get_xid (surface));
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, "xdotool",
                              "windowfocus", "--sync", xid,
                              "key", "--clearmodifiers", "--delay", "20", keys, NULL);
  g_assert_no_error (error);
  g_subprocess_wait_check_async (process, NULL, subprocess_done_cb, &done);
  WAIT_UNTIL (done);
}

/* Whether real key presses can be made here: skips the test when not. */
static gboolean
can_press_keys (void)
{
  g_autofree char *xdotool = g_find_program_in_path ("xdotool");

  if (xdotool == NULL || !GDK_IS_X11_DISPLAY (gdk_display_get_default ())) {
    g_test_skip ("Real key presses need xdotool and an X display");
    return FALSE;
  }
  return TRUE;
}

static TetherTerminalPage *
open_terminal (TetherWindow *window)
{
  g_autoptr(TetherHost) host = tether_ui_test_new_host (server);
  TetherTerminalPage *page;

  page = tether_ui_test_tab_terminal (tether_window_open_host (window, host));
  WAIT_UNTIL (tether_ui_test_is_connected (page));
  return page;
}

static gboolean
terminal_has_focus (TetherTerminalPage *page)
{
  return gtk_widget_has_focus (GTK_WIDGET (tether_terminal_page_get_terminal (page)));
}

/* Types @text with real key presses and waits for what the shell makes of it. */
static void
type_and_expect (TetherTerminalPage *page,
                 const char         *keys,
                 const char         *expected)
{
  press_keys (GTK_WIDGET (page), keys);
  WAIT_UNTIL (tether_ui_test_screen_contains (page, expected));
}

/* Has the shell read one byte from the terminal and print its value as "byte=N". */
static void
type_byte_reader (TetherTerminalPage *page)
{
  tether_ui_test_type (page, "clear; stty -icanon; printf 'rea%s\\n' dy; "
                             "printf 'byte=%s\\n' $(od -An -tu1 -N1); stty icanon\n");
  WAIT_UNTIL (tether_ui_test_screen_contains (page, "ready"));
}

/* ------------------------------------------------------------------------- */
/* 2. Ctrl+G                                                                 */

/* Ctrl+G is emacs', nano's and readline's: it reaches the shell unless the user is
 * searching, when it finds the next match. */
static void
test_ctrl_g (Fixture       *fixture,
             gconstpointer  data)
{
  TetherTerminalPage *page;
  VteTerminal *terminal;
  GtkWidget *search_bar;
  GtkWidget *entry;

  if (!can_press_keys ())
    return;

  page = open_terminal (fixture->window);
  terminal = tether_terminal_page_get_terminal (page);
  search_bar = tether_ui_test_get_widget (page, "search_bar");
  entry = tether_ui_test_get_widget (page, "search_entry");
  g_assert_true (terminal_has_focus (page));

  /* The find bar is closed: the shell reads the byte Ctrl+G makes, 7. */
  type_byte_reader (page);
  type_and_expect (page, "a", "byte=97");
  type_byte_reader (page);
  type_and_expect (page, "ctrl+g", "byte=7");

  /* Open, with the focus back in the terminal: Ctrl+G finds the next match. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "term.find", NULL));
  gtk_editable_set_text (GTK_EDITABLE (entry), "byte=7");
  WAIT_UNTIL (vte_terminal_search_get_regex (terminal) != NULL);
  gtk_widget_grab_focus (GTK_WIDGET (terminal));
  g_assert_true (gtk_search_bar_get_search_mode (GTK_SEARCH_BAR (search_bar)));
  vte_terminal_unselect_all (terminal);
  g_assert_false (vte_terminal_get_has_selection (terminal));
  press_keys (GTK_WIDGET (page), "ctrl+g");
  WAIT_UNTIL (vte_terminal_get_has_selection (terminal));
}

#define add_test(path, func) \
  g_test_add ((path), Fixture, server, tether_ui_test_window_set_up, (func), \
              tether_ui_test_window_tear_down)

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

  add_test ("/tether/defects/ctrl-g", test_ctrl_g);

  ret = g_test_run ();

  g_clear_pointer (&server, tether_test_server_free);
  g_clear_object (&app);

  return ret;
}
