/* test-terminal.c: terminal tabs against a real sshd. Keys go in through VTE's commit path
 * (vte_terminal_feed_child emits ::commit, as typing does) and results are read back from
 * the screen, the page's properties and the server's log. Runs under Xvfb with the memory
 * GSettings backend; needs root to start the test server, and skips without it. */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>
#include <tether.h>
#include <vte/vte.h>

#include "tether-application.h"
#include "tether-terminal.h"
#include "tether-terminal-page.h"
#include "tether-test-server.h"
#include "tether-window.h"

#include "tether-ui-test.h"

/* The test window's size, and the size it changes to in the resize test. */
#define WINDOW_WIDTH 800
#define WINDOW_HEIGHT 600
#define SMALL_WINDOW_WIDTH 500
#define SMALL_WINDOW_HEIGHT 360

static TetherApplication *app;
static TetherTestServer *server;

static TetherHost *
new_host (void)
{
  return tether_ui_test_new_host (server);
}

/* Activates @action of the page's terminal (copy, paste, zoom are the terminal's own). */
static gboolean
activate_terminal_action (TetherTerminalPage *page,
                          const char         *action)
{
  return gtk_widget_activate_action (GTK_WIDGET (tether_terminal_page_get_terminal (page)),
                                     action, NULL);
}

typedef struct {
  GtkWindow *window;
  GtkBox *box;
  TetherTerminalPage *page;
} Fixture;

static TetherTerminalPage *
add_page (Fixture *fixture)
{
  g_autoptr(TetherHost) host = new_host ();
  TetherTerminalPage *page = tether_terminal_page_new (tether_ui_test_session_for (app, host));

  gtk_widget_set_hexpand (GTK_WIDGET (page), TRUE);
  gtk_box_append (fixture->box, GTK_WIDGET (page));
  return page;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  if (server == NULL) {
    g_test_skip ("No test server: it needs root and sshd");
    return;
  }

  fixture->window = GTK_WINDOW (gtk_window_new ());
  g_object_add_weak_pointer (G_OBJECT (fixture->window), (gpointer *) &fixture->window);
  gtk_window_set_default_size (fixture->window, WINDOW_WIDTH, WINDOW_HEIGHT);
  fixture->box = GTK_BOX (gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0));
  gtk_window_set_child (fixture->window, GTK_WIDGET (fixture->box));
  fixture->page = add_page (fixture);
  gtk_window_present (fixture->window);

  /* Mapping starts the session. */
  WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (fixture->page)));
  g_assert_cmpint (tether_terminal_page_get_state (fixture->page), !=,
                   TETHER_TERMINAL_STATE_DISCONNECTED);
  WAIT_UNTIL (tether_ui_test_is_connected (fixture->page));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  if (fixture->window != NULL)
    gtk_window_destroy (fixture->window);
  WAIT_UNTIL (fixture->window == NULL);
}

static void
test_type_command (Fixture       *fixture,
                   gconstpointer  data)
{
  TetherTerminalPage *page = fixture->page;
  TetherConnection *connection = tether_terminal_page_get_connection (page);

  g_assert_nonnull (connection);
  g_assert_cmpint (tether_connection_get_state (connection), ==, TETHER_CONNECTION_STATE_READY);
  g_assert_cmpstr (tether_terminal_page_get_title (page), ==, "Test Server");
  g_assert_null (tether_terminal_page_get_message (page));
  g_assert_false (gtk_widget_get_visible (tether_ui_test_get_widget (page, "banner")) &&
                  gtk_info_bar_get_revealed (GTK_INFO_BAR (tether_ui_test_get_widget (page, "banner"))));

  tether_ui_test_type (page, "echo tether-$((6*7))\n");
  WAIT_UNTIL (tether_ui_test_screen_contains (page, "tether-42"));
}

static void
test_term_type (Fixture       *fixture,
                gconstpointer  data)
{
  tether_ui_test_type (fixture->page, "echo \"term:$TERM\"\n");
  WAIT_UNTIL (tether_ui_test_screen_contains (fixture->page, "term:xterm-256color"));
}

/* Waits until `stty size` on the server says what the terminal's size is now. */
static void
assert_remote_size (TetherTerminalPage *page)
{
  VteTerminal *terminal = tether_terminal_page_get_terminal (page);
  g_autofree char *expected = NULL;

  expected = g_strdup_printf ("size:%ld %ld", vte_terminal_get_row_count (terminal),
                              vte_terminal_get_column_count (terminal));
  tether_ui_test_type (page, "clear; stty size | sed s/^/size:/\n");
  WAIT_UNTIL (tether_ui_test_screen_contains (page, expected));
}

static void
test_resize (Fixture       *fixture,
             gconstpointer  data)
{
  VteTerminal *terminal = tether_terminal_page_get_terminal (fixture->page);
  glong columns = vte_terminal_get_column_count (terminal);
  glong rows = vte_terminal_get_row_count (terminal);

  assert_remote_size (fixture->page);

  gtk_window_set_default_size (fixture->window, SMALL_WINDOW_WIDTH, SMALL_WINDOW_HEIGHT);
  WAIT_UNTIL (vte_terminal_get_column_count (terminal) < columns &&
              vte_terminal_get_row_count (terminal) < rows);
  assert_remote_size (fixture->page);

  /* Zooming changes the character size, and so the rows and columns, in the same space. */
  columns = vte_terminal_get_column_count (terminal);
  g_assert_true (activate_terminal_action (fixture->page, "term.zoom-in"));
  g_assert_cmpfloat (vte_terminal_get_font_scale (terminal), >, 1.0);
  WAIT_UNTIL (vte_terminal_get_column_count (terminal) < columns);
  assert_remote_size (fixture->page);

  g_assert_true (activate_terminal_action (fixture->page, "term.zoom-reset"));
  g_assert_cmpfloat (vte_terminal_get_font_scale (terminal), ==, 1.0);
}

static void
test_shared_connection (Fixture       *fixture,
                        gconstpointer  data)
{
  guint logins = tether_test_server_count_logins (server);
  TetherTerminalPage *second = add_page (fixture);
  TetherConnection *connection = tether_terminal_page_get_connection (fixture->page);
  TetherHostSession *session = tether_terminal_page_get_session (fixture->page);

  WAIT_UNTIL (tether_ui_test_is_connected (second));
  g_assert_true (tether_terminal_page_get_session (second) == session);
  g_assert_true (tether_terminal_page_get_connection (second) == connection);
  g_assert_cmpuint (tether_host_session_get_n_riders (session), ==, 2);
  g_assert_cmpuint (tether_connection_get_n_channels (connection), ==, 2);

  /* Two shells: each its own. */
  tether_ui_test_type (second, "echo second-$((1+1))\n");
  WAIT_UNTIL (tether_ui_test_screen_contains (second, "second-2"));
  /* Output of the first shell that comes after it shows the second's never got there. */
  tether_ui_test_type (fixture->page, "echo first-$((1+0))\n");
  WAIT_UNTIL (tether_ui_test_screen_contains (fixture->page, "first-1"));
  g_assert_false (tether_ui_test_screen_contains (fixture->page, "second-2"));
  g_assert_cmpuint (tether_test_server_count_logins (server), ==, logins);

  /* Closing one tab leaves the other's connection alone. */
  gtk_box_remove (fixture->box, GTK_WIDGET (second));
  WAIT_UNTIL (tether_host_session_get_n_riders (session) == 1);
  g_assert_cmpint (tether_connection_get_state (connection), ==, TETHER_CONNECTION_STATE_READY);
  tether_ui_test_type (fixture->page, "echo first-$((2+1))\n");
  WAIT_UNTIL (tether_ui_test_screen_contains (fixture->page, "first-3"));
}

static void
test_simultaneous_pages (Fixture       *fixture,
                         gconstpointer  data)
{
  guint logins;
  TetherTerminalPage *pages[2];
  g_autoptr(TetherHost) host = new_host ();

  /* Let the fixture's connection go: the next two pages start from nothing, together. */
  gtk_box_remove (fixture->box, GTK_WIDGET (fixture->page));
  fixture->page = NULL;
  WAIT_UNTIL (tether_session_manager_lookup (tether_application_get_session_manager (app),
                                             host) == NULL);
  logins = tether_test_server_count_logins (server);

  pages[0] = add_page (fixture);
  pages[1] = add_page (fixture);
  /* Both asked while the first login is under way: the second waits for it. */
  g_assert_nonnull (tether_session_manager_lookup (tether_application_get_session_manager (app),
                                                   host));
  WAIT_UNTIL (tether_ui_test_is_connected (pages[0]) && tether_ui_test_is_connected (pages[1]));
  g_assert_true (tether_terminal_page_get_connection (pages[0]) ==
                 tether_terminal_page_get_connection (pages[1]));
  g_assert_cmpuint (tether_test_server_count_logins (server), ==, logins + 1);
}

static void
test_exit_status (Fixture       *fixture,
                  gconstpointer  data)
{
  TetherTerminalPage *page = fixture->page;
  GtkWidget *banner = tether_ui_test_get_widget (page, "banner");
  GtkWidget *label = tether_ui_test_get_widget (page, "banner_label");
  TetherConnection *connection = tether_terminal_page_get_connection (page);
  guint logins = tether_test_server_count_logins (server);

  g_assert_false (gtk_info_bar_get_revealed (GTK_INFO_BAR (banner)));

  tether_ui_test_type (page, "exit 7\n");
  WAIT_UNTIL (tether_terminal_page_get_state (page) == TETHER_TERMINAL_STATE_DISCONNECTED);
  g_assert_true (gtk_info_bar_get_revealed (GTK_INFO_BAR (banner)));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (label)), "7"));
  g_assert_cmpstr (tether_terminal_page_get_message (page), ==,
                   "Session ended with exit status 7");

  /* Reconnect starts a new shell on the same connection: no second login. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "host.reconnect", NULL));
  WAIT_UNTIL (tether_ui_test_is_connected (page));
  g_assert_false (gtk_info_bar_get_revealed (GTK_INFO_BAR (banner)));
  g_assert_true (tether_terminal_page_get_connection (page) == connection);
  g_assert_cmpuint (tether_test_server_count_logins (server), ==, logins);
  tether_ui_test_type (page, "echo again-$((3*3))\n");
  WAIT_UNTIL (tether_ui_test_screen_contains (page, "again-9"));
}

static void
test_connection_drop (Fixture       *fixture,
                      gconstpointer  data)
{
  TetherTerminalPage *page = fixture->page;
  GtkWidget *banner = tether_ui_test_get_widget (page, "banner");
  guint logins = tether_test_server_count_logins (server);
  g_autoptr(GError) error = NULL;

  g_assert_true (tether_test_server_stop (server));
  WAIT_UNTIL (tether_terminal_page_get_state (page) == TETHER_TERMINAL_STATE_DISCONNECTED);
  g_assert_true (gtk_info_bar_get_revealed (GTK_INFO_BAR (banner)));
  g_assert_nonnull (tether_terminal_page_get_message (page));
  g_test_message ("Banner after the server stopped: %s", tether_terminal_page_get_message (page));

  /* Reconnecting while the server is down says why, and leaves Reconnect offered. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "host.reconnect", NULL));
  WAIT_UNTIL (tether_terminal_page_get_state (page) == TETHER_TERMINAL_STATE_DISCONNECTED);
  g_assert_true (gtk_info_bar_get_revealed (GTK_INFO_BAR (banner)));

  tether_test_server_start (server, &error);
  g_assert_no_error (error);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "host.reconnect", NULL));
  WAIT_UNTIL (tether_ui_test_is_connected (page));
  g_assert_cmpuint (tether_test_server_count_logins (server), ==, logins + 1);
  tether_ui_test_type (page, "echo back-$((5*5))\n");
  WAIT_UNTIL (tether_ui_test_screen_contains (page, "back-25"));
}

static gboolean
cwd_is_tmp (TetherTerminalPage *page)
{
  const char *cwd = tether_terminal_page_get_cwd (page);

  return cwd != NULL && g_str_has_suffix (cwd, "/tmp");
}

static void
test_osc7_cwd (Fixture       *fixture,
               gconstpointer  data)
{
  g_assert_null (tether_terminal_page_get_cwd (fixture->page));

  tether_ui_test_type (fixture->page, "printf '\\033]7;file://%s/tmp\\007' \"$(uname -n)\"\n");
  WAIT_UNTIL (cwd_is_tmp (fixture->page));
  g_assert_cmpstr (tether_terminal_page_get_cwd (fixture->page), ==, "/tmp");
}

static void
test_osc_title (Fixture       *fixture,
                gconstpointer  data)
{
  tether_ui_test_type (fixture->page, "printf '\\033]2;%s\\007' remote-title\n");
  /* The host's name goes first: the remote title does not say it. */
  WAIT_UNTIL (g_strcmp0 (tether_terminal_page_get_title (fixture->page),
                         "Test Server — remote-title") == 0);
}

static void
test_find (Fixture       *fixture,
           gconstpointer  data)
{
  TetherTerminalPage *page = fixture->page;
  VteTerminal *terminal = tether_terminal_page_get_terminal (page);
  GtkWidget *search_bar = tether_ui_test_get_widget (page, "search_bar");
  GtkWidget *entry = tether_ui_test_get_widget (page, "search_entry");
  GtkWidget *regex_button = tether_ui_test_get_widget (page, "regex_button");
  g_autofree char *selected = NULL;

  tether_ui_test_type (page, "echo needle-$((40+2))\n");
  WAIT_UNTIL (tether_ui_test_screen_contains (page, "needle-42"));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "term.find", NULL));
  g_assert_true (gtk_search_bar_get_search_mode (GTK_SEARCH_BAR (search_bar)));

  /* Typing searches as it goes: the most recent match is selected (highlighted). */
  gtk_editable_set_text (GTK_EDITABLE (entry), "NEEDLE-42");
  WAIT_UNTIL (vte_terminal_search_get_regex (terminal) != NULL);
  g_assert_true (vte_terminal_get_has_selection (terminal));
  selected = vte_terminal_get_text_selected (terminal, VTE_FORMAT_TEXT);
  g_assert_cmpstr (selected, ==, "needle-42");
  g_assert_true (activate_terminal_action (page, "term.copy"));

  vte_terminal_unselect_all (terminal);
  g_assert_true (vte_terminal_search_find_next (terminal));
  g_assert_true (vte_terminal_get_has_selection (terminal));

  /* Not there: no match. */
  gtk_editable_set_text (GTK_EDITABLE (entry), "haystack-7");
  WAIT_UNTIL (!vte_terminal_get_has_selection (terminal));
  g_assert_false (vte_terminal_search_find_next (terminal));

  /* As a regular expression, the typed text matches the output too. */
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (regex_button), TRUE);
  gtk_editable_set_text (GTK_EDITABLE (entry), "needle-4[0-9]$");
  WAIT_UNTIL (vte_terminal_get_has_selection (terminal));
  g_clear_pointer (&selected, g_free);
  selected = vte_terminal_get_text_selected (terminal, VTE_FORMAT_TEXT);
  g_assert_cmpstr (selected, ==, "needle-42");
  g_assert_false (gtk_widget_has_css_class (entry, "error"));

  /* A broken one is marked, not searched. */
  gtk_editable_set_text (GTK_EDITABLE (entry), "needle-(");
  WAIT_UNTIL (gtk_widget_has_css_class (entry, "error"));
}

static void
test_paste (Fixture       *fixture,
            gconstpointer  data)
{
  TetherTerminalPage *page = fixture->page;
  GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (page));
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  AdwMessageDialog *dialog;

  /* One line goes straight in. */
  gdk_clipboard_set_text (clipboard, "echo one-$((0+1))");
  g_assert_true (activate_terminal_action (page, "term.paste"));
  WAIT_UNTIL (tether_ui_test_screen_contains (page, "echo one-$((0+1))"));
  tether_ui_test_type (page, "\n");
  WAIT_UNTIL (tether_ui_test_screen_contains (page, "one-1"));

  /* Several lines are commands the shell would run at once: confirm first. */
  gdk_clipboard_set_text (clipboard, "echo two-$((1+1))\necho three-$((1+2))\n");
  g_assert_true (activate_terminal_action (page, "term.paste"));
  WAIT_UNTIL ((dialog = tether_ui_test_find_message_dialog ()) != NULL);
  adw_message_dialog_response (dialog, "cancel");
  gtk_window_destroy (GTK_WINDOW (dialog));
  WAIT_UNTIL (tether_ui_test_find_message_dialog () == NULL);
  /* The shell echoes what it gets in order: a pasted line would show before this one's output. */
  tether_ui_test_type (page, "echo cancelled-$((2+2))\n");
  WAIT_UNTIL (tether_ui_test_screen_contains (page, "cancelled-4"));
  g_assert_false (tether_ui_test_screen_contains (page, "echo two"));

  g_assert_true (activate_terminal_action (page, "term.paste"));
  WAIT_UNTIL ((dialog = tether_ui_test_find_message_dialog ()) != NULL);
  adw_message_dialog_response (dialog, "paste");
  gtk_window_destroy (GTK_WINDOW (dialog));
  WAIT_UNTIL (tether_ui_test_screen_contains (page, "three-3"));

  /* Unless the user turned the question off. */
  g_settings_set_boolean (settings, "confirm-multiline-paste", FALSE);
  gdk_clipboard_set_text (clipboard, "echo four-$((2+2))\necho five-$((2+3))\n");
  g_assert_true (activate_terminal_action (page, "term.paste"));
  WAIT_UNTIL (tether_ui_test_screen_contains (page, "five-5"));
  g_assert_null (tether_ui_test_find_message_dialog ());
  g_settings_reset (settings, "confirm-multiline-paste");
}

static void
test_actions (Fixture       *fixture,
              gconstpointer  data)
{
  TetherTerminalPage *page = fixture->page;
  VteTerminal *terminal = tether_terminal_page_get_terminal (page);
  GSettings *settings = g_settings_new (APP_ID);

  tether_ui_test_type (page, "echo all-$((1+1))\n");
  WAIT_UNTIL (tether_ui_test_screen_contains (page, "all-2"));
  g_assert_true (activate_terminal_action (page, "term.select-all"));
  g_assert_true (vte_terminal_get_has_selection (terminal));

  g_assert_true (activate_terminal_action (page, "term.zoom-out"));
  g_assert_cmpfloat (vte_terminal_get_font_scale (terminal), <, 1.0);

  g_settings_set_int (settings, "scrollback-lines", 123);
  g_assert_cmpint (vte_terminal_get_scrollback_lines (terminal), ==, 123);
  g_settings_reset (settings, "scrollback-lines");

  g_settings_set_boolean (settings, "use-system-font", FALSE);
  g_settings_set_string (settings, "font", "Monospace 17");
  g_assert_cmpint (pango_font_description_get_size (vte_terminal_get_font (terminal)) / PANGO_SCALE,
                   ==, 17);
  g_settings_reset (settings, "font");
  g_settings_reset (settings, "use-system-font");

  g_object_unref (settings);
}

/* Window tests: a TetherWindow instead of the plain one. */
typedef TetherUiTestWindowFixture WindowFixture;

static void
test_window_tabs (WindowFixture *fixture,
                  gconstpointer  data)
{
  AdwTabView *tab_view = tether_window_get_tab_view (fixture->window);
  g_autoptr(TetherHost) host = new_host ();
  AdwTabPage *first;
  AdwTabPage *second;
  AdwMessageDialog *dialog;
  guint logins;

  first = tether_window_open_host (fixture->window, host);
  g_assert_true (TETHER_IS_TERMINAL_PAGE (adw_tab_page_get_child (first)));
  g_assert_true (adw_tab_view_get_selected_page (tab_view) == first);
  g_assert_true (adw_tab_page_get_loading (first));
  g_assert_nonnull (strstr (adw_tab_page_get_tooltip (first), "127.0.0.1"));
  WAIT_UNTIL (tether_ui_test_is_connected (tether_ui_test_tab_terminal (first)));
  g_assert_false (adw_tab_page_get_loading (first));
  g_assert_cmpstr (adw_tab_page_get_title (first), ==, "Test Server");
  g_assert_null (adw_tab_page_get_indicator_icon (first));
  logins = tether_test_server_count_logins (server);

  /* New tab on the same host: a second shell, no second login. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.new-tab", NULL));
  g_assert_cmpint (adw_tab_view_get_n_pages (tab_view), ==, 2);
  second = adw_tab_view_get_selected_page (tab_view);
  g_assert_true (second != first);
  WAIT_UNTIL (tether_ui_test_is_connected (tether_ui_test_tab_terminal (second)));
  g_assert_true (tether_terminal_page_get_connection (tether_ui_test_tab_terminal (first)) ==
                 tether_terminal_page_get_connection (tether_ui_test_tab_terminal (second)));
  g_assert_cmpuint (tether_test_server_count_logins (server), ==, logins);

  /* The OSC title reaches the tab. */
  tether_ui_test_type (tether_ui_test_tab_terminal (second),
                       "printf '\\033]0;%s\\007' tab-title\n");
  WAIT_UNTIL (g_strcmp0 (adw_tab_page_get_title (second), "Test Server — tab-title") == 0);

  /* A bell in the tab in the background marks it. */
  tether_ui_test_type (tether_ui_test_tab_terminal (first), "printf '\\007'\n");
  WAIT_UNTIL (adw_tab_page_get_needs_attention (first));
  g_assert_false (adw_tab_page_get_needs_attention (second));

  /* Closing a tab with a running shell asks first. */
  adw_tab_view_close_page (tab_view, second);
  WAIT_UNTIL ((dialog = tether_ui_test_find_message_dialog ()) != NULL);
  g_assert_cmpint (adw_tab_view_get_n_pages (tab_view), ==, 2);
  adw_message_dialog_response (dialog, "cancel");
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_cmpint (adw_tab_view_get_n_pages (tab_view), ==, 2);

  adw_tab_view_close_page (tab_view, second);
  WAIT_UNTIL ((dialog = tether_ui_test_find_message_dialog ()) != NULL);
  adw_message_dialog_response (dialog, "close");
  gtk_window_destroy (GTK_WINDOW (dialog));
  WAIT_UNTIL (adw_tab_view_get_n_pages (tab_view) == 1);

  /* An ended session closes without asking; its tab shows it is offline. */
  tether_ui_test_type (tether_ui_test_tab_terminal (first), "exit\n");
  WAIT_UNTIL (tether_terminal_page_get_state (tether_ui_test_tab_terminal (first)) ==
              TETHER_TERMINAL_STATE_DISCONNECTED);
  g_assert_nonnull (adw_tab_page_get_indicator_icon (first));
  adw_tab_view_close_page (tab_view, first);
  WAIT_UNTIL (adw_tab_view_get_n_pages (tab_view) == 0);
  g_assert_null (tether_ui_test_find_message_dialog ());
}

static TetherTerminalPage *
find_terminal_for_port (guint port)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL; l = l->next) {
    AdwTabView *tab_view;

    if (!TETHER_IS_WINDOW (l->data))
      continue;
    tab_view = tether_window_get_tab_view (l->data);
    for (int i = 0; i < adw_tab_view_get_n_pages (tab_view); i++) {
      GtkWidget *child = adw_tab_page_get_child (adw_tab_view_get_nth_page (tab_view, i));

      if (TETHER_IS_TERMINAL_PAGE (child) &&
          tether_host_get_port (tether_terminal_page_get_host (TETHER_TERMINAL_PAGE (child))) ==
          port)
        return TETHER_TERMINAL_PAGE (child);
    }
  }

  return NULL;
}

static void
test_open_uri (WindowFixture *fixture,
               gconstpointer  data)
{
  g_autofree char *uri = NULL;
  g_autoptr(GFile) file = NULL;
  TetherTerminalPage *page;
  guint port = tether_test_server_get_port (server);

  uri = g_strdup_printf ("ssh://%s@127.0.0.1:%u", tether_test_server_get_user (server), port);
  file = g_file_new_for_uri (uri);
  g_application_open (G_APPLICATION (app), &file, 1, "");
  WAIT_UNTIL ((page = find_terminal_for_port (port)) != NULL);
  g_assert_cmpstr (tether_host_get_user (tether_terminal_page_get_host (page)), ==,
                   tether_test_server_get_user (server));
  /* It went to the existing window. */
  g_assert_cmpuint (g_list_length (gtk_application_get_windows (GTK_APPLICATION (app))), ==, 1);
}

static void
test_command_line (WindowFixture *fixture,
                   gconstpointer  data)
{
  g_auto(GStrv) argv = g_new0 (char *, 3);
  TetherTerminalPage *page;
  guint port = tether_test_server_get_port (server);
  int status = -1;

  /* What `tether user@host:port` hands to the application. */
  argv[0] = g_strdup ("tether");
  argv[1] = g_strdup_printf ("%s@127.0.0.1:%u", tether_test_server_get_user (server), port);
  g_assert_true (G_APPLICATION_GET_CLASS (app)->local_command_line (G_APPLICATION (app), &argv,
                                                                    &status));
  g_assert_cmpint (status, ==, 0);
  WAIT_UNTIL ((page = find_terminal_for_port (port)) != NULL);
  g_assert_cmpstr (tether_host_get_hostname (tether_terminal_page_get_host (page)), ==,
                   "127.0.0.1");
}

/* A host's colour shows as an accent strip; a page need not connect for that. */
static void
test_accent (void)
{
  g_autoptr(TetherHost) coloured = tether_host_new ("coloured");
  g_autoptr(TetherHost) plain = tether_host_new ("plain");
  g_autoptr(TetherHostSession) coloured_session = NULL;
  g_autoptr(TetherHostSession) plain_session = NULL;
  TetherTerminalPage *page;
  GdkRGBA accent;
  GdkRGBA expected;

  tether_host_set_colour (coloured, "#33d17a");
  g_assert_true (gdk_rgba_parse (&expected, "#33d17a"));

  coloured_session = tether_host_session_new (coloured);
  page = g_object_ref_sink (tether_terminal_page_new (coloured_session));
  g_assert_true (tether_terminal_page_get_accent (page, &accent));
  g_assert_true (gdk_rgba_equal (&accent, &expected));

  /* An edit of the host shows at once; a colour that does not parse shows nothing. */
  tether_host_set_colour (coloured, "no such colour");
  g_assert_false (tether_terminal_page_get_accent (page, &accent));
  g_object_unref (page);

  plain_session = tether_host_session_new (plain);
  page = g_object_ref_sink (tether_terminal_page_new (plain_session));
  g_assert_false (tether_terminal_page_get_accent (page, &accent));
  g_object_unref (page);
}

/* A `Match exec` that picks the login user runs when the tab connects, not when the host
 * is resolved for the list: without it the login would be as the local user and fail. */
static void
test_match_exec (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-terminal-exec-XXXXXX", &error);
  g_autofree char *marker = g_build_filename (dir, "ran", NULL);
  g_autofree char *text = NULL;
  g_autoptr(TetherSshConfig) config = tether_ssh_config_new ();
  g_autoptr(TetherHost) host = NULL;
  TetherTerminalPage *page;
  TetherConnection *connection;

  g_assert_no_error (error);
  /* First in the file: the first value obtained wins. */
  text = g_strdup_printf ("Match originalhost exec-target exec \"touch %s\"\n  User %s\n"
                          "Host exec-target\n  HostName %s\n  Port %u\n  User nobody-here\n"
                          "  IdentityFile %s\n  IdentitiesOnly yes\n  UserKnownHostsFile %s\n",
                          marker, tether_test_server_get_user (server),
                          tether_test_server_get_host (server),
                          tether_test_server_get_port (server),
                          tether_test_server_get_key (server),
                          tether_test_server_get_known_hosts (server));
  tether_ssh_config_parse_data (config, text, -1, "exec.conf", &error);
  g_assert_no_error (error);
  host = tether_ssh_config_resolve (config, "exec-target", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tether_host_get_user (host), ==, "nobody-here");
  g_assert_true (tether_host_has_pending_match_exec (host));
  g_assert_false (g_file_test (marker, G_FILE_TEST_EXISTS));

  page = tether_terminal_page_new (tether_ui_test_session_for (app, host));
  gtk_widget_set_hexpand (GTK_WIDGET (page), TRUE);
  gtk_box_append (fixture->box, GTK_WIDGET (page));
  tether_terminal_page_start (page);
  WAIT_UNTIL (tether_ui_test_is_connected (page));
  g_assert_true (g_file_test (marker, G_FILE_TEST_EXISTS));
  connection = tether_terminal_page_get_connection (page);
  g_assert_cmpstr (tether_host_get_user (tether_connection_get_host (connection)), ==,
                   tether_test_server_get_user (server));

  gtk_box_remove (fixture->box, GTK_WIDGET (page));
  g_remove (marker);
  g_rmdir (dir);
}

#define add_terminal_test(path, func) \
  g_test_add ((path), Fixture, NULL, fixture_set_up, (func), fixture_tear_down)
#define add_window_test(path, func) \
  g_test_add ((path), WindowFixture, server, tether_ui_test_window_set_up, (func), \
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

  add_terminal_test ("/tether/terminal/type-command", test_type_command);
  add_terminal_test ("/tether/terminal/term", test_term_type);
  add_terminal_test ("/tether/terminal/resize", test_resize);
  add_terminal_test ("/tether/terminal/shared-connection", test_shared_connection);
  add_terminal_test ("/tether/terminal/simultaneous-pages", test_simultaneous_pages);
  add_terminal_test ("/tether/terminal/exit-status", test_exit_status);
  add_terminal_test ("/tether/terminal/connection-drop", test_connection_drop);
  add_terminal_test ("/tether/terminal/osc7-cwd", test_osc7_cwd);
  add_terminal_test ("/tether/terminal/osc-title", test_osc_title);
  add_terminal_test ("/tether/terminal/find", test_find);
  add_terminal_test ("/tether/terminal/paste", test_paste);
  add_terminal_test ("/tether/terminal/actions", test_actions);
  add_terminal_test ("/tether/terminal/match-exec", test_match_exec);
  g_test_add_func ("/tether/terminal/accent", test_accent);
  add_window_test ("/tether/terminal/window-tabs", test_window_tabs);
  add_window_test ("/tether/terminal/open-uri", test_open_uri);
  add_window_test ("/tether/terminal/command-line", test_command_line);

  ret = g_test_run ();

  g_clear_pointer (&server, tether_test_server_free);
  g_clear_object (&app);

  return ret;
}
