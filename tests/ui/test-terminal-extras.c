/* test-terminal-extras.c: what terminal tabs do beyond a shell, against a real sshd: saving
 * the contents, reconnecting by themselves, broadcasting input, the tab menu, switching tabs
 * and closing a window with live sessions. Keys go in through VTE's commit path
 * (vte_terminal_feed_child emits ::commit, as typing does). Runs under Xvfb with the memory
 * GSettings backend; needs root to start the test server, and skips without it. */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>
#include <tether.h>
#include <vte/vte.h>

#include "tether-application.h"
#include "tether-host-list.h"
#include "tether-saved-windows.h"
#include "tether-terminal.h"
#include "tether-terminal-page.h"
#include "tether-test-server.h"
#include "tether-window.h"

#include "tether-ui-test.h"

/* How many retries the host session makes while the server is down, in the auto-reconnect
 * test: its backoff starts at a second and doubles, so three take about three seconds. */
#define TEST_FAILED_RETRIES 3

static TetherApplication *app;
static TetherTestServer *server;

static TetherHost *
new_host (void)
{
  return tether_ui_test_new_host (server);
}

/* A host of the test server under its own alias: a session of its own. */
static TetherHost *
new_host_named (const char *alias)
{
  g_autoptr(TetherHost) template = new_host ();
  TetherHost *host = tether_host_new (alias);

  tether_host_set_hostname (host, tether_host_get_hostname (template));
  tether_host_set_port (host, tether_host_get_port (template));
  tether_host_set_user (host, tether_host_get_user (template));
  tether_host_set_identity_files (host, tether_host_get_identity_files (template));
  tether_host_set_identities_only (host, TRUE);
  tether_host_set_known_hosts_file (host, tether_host_get_known_hosts_file (template));
  tether_host_set_label (host, tether_host_get_label (template));
  return host;
}

/* What the page's banner shows, or "" when it is hidden. */
static const char *
banner_text (TetherTerminalPage *page)
{
  GtkInfoBar *banner = GTK_INFO_BAR (tether_ui_test_get_widget (page, "banner"));

  if (!gtk_info_bar_get_revealed (banner))
    return "";

  return gtk_label_get_text (GTK_LABEL (tether_ui_test_get_widget (page, "banner_label")));
}

static gboolean
banner_says (TetherTerminalPage *page,
             const char         *needle)
{
  return strstr (banner_text (page), needle) != NULL;
}

/* Answers @dialog as a click on the button of @response does. */
static void
respond (AdwMessageDialog *dialog,
         const char       *response)
{
  adw_message_dialog_response (dialog, response);
  gtk_window_destroy (GTK_WINDOW (dialog));
  WAIT_UNTIL (tether_ui_test_find_message_dialog () == NULL);
}

/* Terminal page tests: one page in a plain window. */
typedef struct {
  GtkWindow *window;
  TetherTerminalPage *page;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(TetherHost) host = NULL;

  if (server == NULL) {
    g_test_skip ("No test server: it needs root and sshd");
    return;
  }

  host = new_host ();
  fixture->window = GTK_WINDOW (gtk_window_new ());
  g_object_add_weak_pointer (G_OBJECT (fixture->window), (gpointer *) &fixture->window);
  fixture->page = tether_terminal_page_new (tether_ui_test_session_for (app, host));
  gtk_window_set_child (fixture->window, GTK_WIDGET (fixture->page));
  gtk_window_present (fixture->window);
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

static gboolean
trigger_matches (GtkShortcutTrigger *trigger,
                 GtkShortcutTrigger *wanted)
{
  if (GTK_IS_ALTERNATIVE_TRIGGER (trigger))
    return trigger_matches (gtk_alternative_trigger_get_first (GTK_ALTERNATIVE_TRIGGER (trigger)),
                            wanted) ||
           trigger_matches (gtk_alternative_trigger_get_second (GTK_ALTERNATIVE_TRIGGER (trigger)),
                            wanted);

  return gtk_shortcut_trigger_equal (trigger, wanted);
}

/* The shortcut of @widget that @accelerator triggers. Fails when there is none, or when
 * its controller would see the key only after a focused terminal (which takes every key). */
static GtkShortcut *
find_shortcut (GtkWidget  *widget,
               const char *accelerator)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);
  g_autoptr(GtkShortcutTrigger) wanted = gtk_shortcut_trigger_parse_string (accelerator);

  g_assert_nonnull (wanted);
  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++) {
    g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

    if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
      continue;

    for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++) {
      g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);

      if (trigger_matches (gtk_shortcut_get_trigger (shortcut), wanted)) {
        g_assert_cmpint (gtk_event_controller_get_propagation_phase (controller), ==,
                         GTK_PHASE_CAPTURE);
        return g_steal_pointer (&shortcut);
      }
    }
  }

  g_error ("No shortcut for %s", accelerator);
}

/* Does what pressing @accelerator does, as far as @widget's shortcuts go. */
static void
press_shortcut (GtkWidget  *widget,
                const char *accelerator)
{
  g_autoptr(GtkShortcut) shortcut = find_shortcut (widget, accelerator);

  g_assert_true (gtk_shortcut_action_activate (gtk_shortcut_get_action (shortcut),
                                               GTK_SHORTCUT_ACTION_EXCLUSIVE, widget,
                                               gtk_shortcut_get_arguments (shortcut)));
}

static void
saved_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  GAsyncResult **result_out = user_data;

  *result_out = g_object_ref (result);
}

static void
test_save_contents (Fixture       *fixture,
                    gconstpointer  data)
{
  TetherTerminalPage *page = fixture->page;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GtkShortcut) shortcut = find_shortcut (GTK_WIDGET (page), "<Control><Shift>s");

  /* Ctrl+Shift+S asks where to save (the dialog is left out here: the file chooser's own
   * modules leak at load time). */
  g_assert_true (GTK_IS_NAMED_ACTION (gtk_shortcut_get_action (shortcut)));
  g_assert_cmpstr (gtk_named_action_get_action_name (
                     GTK_NAMED_ACTION (gtk_shortcut_get_action (shortcut))),
                   ==, "term.save-contents");

  /* More lines than the screen has, so the scrollback is saved too. */
  tether_ui_test_type (page, "clear; seq -f 'saved-line-%g' 1 200; echo saved-$((8*8))\n");
  WAIT_UNTIL (tether_ui_test_screen_contains (page, "saved-64"));

  dir = g_dir_make_tmp ("tether-save-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (dir, "contents.txt", NULL);
  /* An existing file is replaced. */
  g_assert_true (g_file_set_contents (path, "old contents", -1, &error));
  file = g_file_new_for_path (path);

  tether_terminal_save_contents_async (TETHER_TERMINAL (tether_terminal_page_get_terminal (page)),
                                       file, NULL, saved_cb, &result);
  WAIT_UNTIL (result != NULL);
  g_assert_true (tether_terminal_save_contents_finish (
                   TETHER_TERMINAL (tether_terminal_page_get_terminal (page)), result, &error));
  g_assert_no_error (error);

  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_no_error (error);
  g_assert_nonnull (strstr (contents, "saved-64"));
  g_assert_nonnull (strstr (contents, "saved-line-1\n"));
  g_assert_nonnull (strstr (contents, "saved-line-200\n"));
  g_assert_null (strstr (contents, "old contents"));

  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static void
count_connecting (TetherTerminalPage *page,
                  GParamSpec         *pspec,
                  guint              *n_connecting)
{
  if (tether_terminal_page_get_state (page) == TETHER_TERMINAL_STATE_CONNECTING)
    (*n_connecting)++;
}

static void
test_auto_reconnect (Fixture       *fixture,
                     gconstpointer  data)
{
  TetherTerminalPage *page = fixture->page;
  TetherHostSession *session = tether_terminal_page_get_session (page);
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(GError) error = NULL;
  guint logins = tether_test_server_count_logins (server);
  guint n_connecting = 0;
  gulong handler;

  g_settings_set_boolean (settings, "auto-reconnect", TRUE);
  g_assert_true (tether_host_session_get_auto_reconnect (session));
  handler = g_signal_connect (page, "notify::state", G_CALLBACK (count_connecting),
                              &n_connecting);

  /* The connection drops: the banner says why and that it retries by itself. */
  g_assert_true (tether_test_server_stop (server));
  WAIT_UNTIL (banner_says (page, "Reconnecting in"));
  g_assert_cmpint (tether_terminal_page_get_state (page), ==, TETHER_TERMINAL_STATE_DISCONNECTED);
  g_assert_nonnull (tether_terminal_page_get_message (page));
  g_assert_true (g_str_has_prefix (banner_text (page), tether_terminal_page_get_message (page)));
  g_test_message ("Banner while the server is down: %s", banner_text (page));

  /* Retries fail while the server is down, and the banner keeps counting down. */
  WAIT_UNTIL (tether_host_session_get_reconnect_attempt (session) >= TEST_FAILED_RETRIES &&
              banner_says (page, "Reconnecting in"));
  g_assert_true (banner_says (page, "(attempt"));

  /* Back up: the next retry gets in, with nothing pressed. */
  g_assert_true (tether_test_server_start (server, &error));
  g_assert_no_error (error);
  WAIT_UNTIL (tether_ui_test_is_connected (page));
  g_assert_cmpstr (banner_text (page), ==, "");
  g_assert_cmpuint (tether_test_server_count_logins (server), ==, logins + 1);
  tether_ui_test_type (page, "echo auto-$((4*4))\n");
  WAIT_UNTIL (tether_ui_test_screen_contains (page, "auto-16"));

  /* A shell that exits is not a dropped connection: it stays ended. */
  n_connecting = 0;
  tether_ui_test_type (page, "exit 3\n");
  WAIT_UNTIL (tether_terminal_page_get_state (page) == TETHER_TERMINAL_STATE_DISCONNECTED);
  g_assert_false (banner_says (page, "Reconnecting"));
  g_assert_true (banner_says (page, "3"));

  g_signal_handler_disconnect (page, handler);
  g_assert_cmpuint (n_connecting, ==, 0);
  g_settings_reset (settings, "auto-reconnect");
}

/* Reconnect pressed the moment the page says it is disconnected, as a user may. */
typedef struct {
  TetherConnection *dropped;
  gboolean seen;
} DropCheck;

static void
reconnect_on_drop (TetherTerminalPage *page,
                   GParamSpec         *pspec,
                   DropCheck          *check)
{
  g_autoptr(GError) error = NULL;

  if (check->seen || tether_terminal_page_get_state (page) != TETHER_TERMINAL_STATE_DISCONNECTED)
    return;
  check->seen = TRUE;
  g_assert_true (tether_test_server_start (server, &error));
  g_assert_no_error (error);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "host.reconnect", NULL));
}

static void
test_auto_reconnect_off (Fixture       *fixture,
                         gconstpointer  data)
{
  TetherTerminalPage *page = fixture->page;
  TetherHostSession *session = tether_terminal_page_get_session (page);
  g_autoptr(GError) error = NULL;
  DropCheck check = { tether_terminal_page_get_connection (page), FALSE };
  guint logins = tether_test_server_count_logins (server);
  gulong handler;

  /* The default: a dropped connection waits for Reconnect. */
  g_assert_false (tether_host_session_get_auto_reconnect (session));
  g_assert_nonnull (check.dropped);
  g_assert_true (tether_test_server_stop (server));
  WAIT_UNTIL (tether_terminal_page_get_state (page) == TETHER_TERMINAL_STATE_DISCONNECTED);
  WAIT_UNTIL (tether_host_session_get_state (session) == TETHER_HOST_SESSION_STATE_RECONNECTING);
  g_assert_false (banner_says (page, "Reconnecting"));
  g_assert_cmpint (tether_host_session_get_next_retry (session), ==, 0);
  g_assert_true (gtk_info_bar_get_revealed (GTK_INFO_BAR (tether_ui_test_get_widget (page,
                                                                                      "banner"))));
  g_assert_true (tether_test_server_start (server, &error));
  g_assert_no_error (error);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "host.reconnect", NULL));
  WAIT_UNTIL (tether_ui_test_is_connected (page));
  g_assert_cmpuint (tether_test_server_count_logins (server), ==, logins + 1);

  /* The shell's error may come before the connection says it closed: a Reconnect pressed
   * then logs in afresh instead of failing on the dead connection. */
  check.dropped = tether_terminal_page_get_connection (page);
  handler = g_signal_connect (page, "notify::state", G_CALLBACK (reconnect_on_drop), &check);
  g_assert_true (tether_test_server_stop (server));
  WAIT_UNTIL (check.seen);
  WAIT_UNTIL (tether_ui_test_is_connected (page));
  g_signal_handler_disconnect (page, handler);
  g_assert_true (tether_terminal_page_get_connection (page) != check.dropped);
  g_assert_cmpuint (tether_test_server_count_logins (server), ==, logins + 2);
}

/* "Keep shells running on the server": the tab's shell runs in tmux session tether-<id>,
 * and after a reconnect the tab is attached to it again, with what ran before the drop. */
static void
test_keep_shells (gconstpointer data)
{
  g_autofree char *tmux = g_find_program_in_path ("tmux");
  g_autoptr(TetherHost) host = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pid = NULL;
  g_autofree char *check = NULL;
  g_autofree char *alive = NULL;
  TetherTerminalPage *page;
  GtkWindow *window;
  TetherShell *shell;
  const char *name;

  if (server == NULL) {
    g_test_skip ("No test server: it needs root and sshd");
    return;
  }
  /* The test server runs on this machine: its tmux is this one. */
  if (tmux == NULL) {
    g_test_skip ("tmux is not installed (build-aux/dev installs it with the test packages)");
    return;
  }

  host = new_host_named ("keep-shells-test");
  tether_host_set_keep_shells (host, TRUE);
  window = GTK_WINDOW (gtk_window_new ());
  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &window);
  page = tether_terminal_page_new (tether_ui_test_session_for (app, host));
  gtk_window_set_child (window, GTK_WIDGET (page));
  gtk_window_present (window);
  WAIT_UNTIL (tether_ui_test_is_connected (page));

  shell = tether_terminal_page_get_shell (page);
  name = tether_terminal_page_get_tmux_session (page);
  g_assert_nonnull (name);
  g_assert_true (g_str_has_prefix (name, "tether-"));
  g_assert_cmpstr (tether_shell_get_tmux_session (shell), ==, name);
  g_assert_true (tether_shell_get_tmux_active (shell));
  g_assert_null (tether_terminal_page_get_notice (page));

  tether_ui_test_type (page, "sleep 600 & echo pid-$!; echo kept-$((1+0))\n");
  WAIT_UNTIL (tether_ui_test_screen_contains (page, "kept-1"));
  {
    g_autofree char *text = vte_terminal_get_text (tether_terminal_page_get_terminal (page),
                                                   NULL, NULL, NULL);
    g_autoptr(GRegex) regex = g_regex_new ("pid-([0-9]+)", 0, 0, NULL);
    g_autoptr(GMatchInfo) match = NULL;

    /* The output's pid, not the typed command's "pid-$!". */
    g_assert_true (g_regex_match (regex, text, 0, &match));
    pid = g_match_info_fetch (match, 1);
  }

  g_assert_true (tether_test_server_stop (server));
  WAIT_UNTIL (tether_terminal_page_get_state (page) == TETHER_TERMINAL_STATE_DISCONNECTED);
  g_assert_true (tether_test_server_start (server, &error));
  g_assert_no_error (error);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "host.reconnect", NULL));
  WAIT_UNTIL (tether_ui_test_is_connected (page));
  g_assert_true (tether_terminal_page_get_shell (page) == shell);
  g_assert_true (tether_shell_get_tmux_active (shell));

  /* The same shell in the same pane: it still knows its background job. */
  check = g_strdup_printf ("kill -0 %s && echo alive-$((%s+0))\n", pid, pid);
  alive = g_strdup_printf ("alive-%s", pid);
  tether_ui_test_type (page, check);
  WAIT_UNTIL (tether_ui_test_screen_contains (page, alive));

  /* Ending the pane's shell ends the tmux session. */
  g_free (check);
  check = g_strdup_printf ("kill %s; exit\n", pid);
  tether_ui_test_type (page, check);
  WAIT_UNTIL (tether_terminal_page_get_state (page) == TETHER_TERMINAL_STATE_DISCONNECTED);

  gtk_window_destroy (window);
  WAIT_UNTIL (window == NULL);
}

/* Window tests: a TetherWindow with terminal tabs. */
typedef TetherUiTestWindowFixture WindowFixture;

static void
added_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  GAsyncResult **result_out = user_data;

  *result_out = g_object_ref (result);
}

/* Saves a host of the test server in the window's store, for the sidebar to list. */
static TetherHost *
save_host (TetherWindow *window,
           const char   *alias,
           const char   *label)
{
  TetherHostStore *store = tether_window_get_host_store (window);
  g_autoptr(TetherHost) draft = new_host_named (alias);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GListModel *hosts = G_LIST_MODEL (store);

  WAIT_UNTIL (tether_host_store_get_loaded (store));
  tether_host_set_label (draft, label);
  tether_host_store_add_async (store, draft, NULL, added_cb, &result);
  WAIT_UNTIL (result != NULL);
  tether_host_store_add_finish (store, result, &error);
  g_assert_no_error (error);

  /* The store's own object, with the id it gave it. */
  for (guint i = 0; i < g_list_model_get_n_items (hosts); i++) {
    g_autoptr(TetherHost) host = g_list_model_get_item (hosts, i);

    if (g_strcmp0 (tether_host_get_label (host), label) == 0)
      return g_steal_pointer (&host);
  }
  g_assert_not_reached ();
}

static gboolean
row_status_has (TetherWindow *window,
                TetherHost   *host,
                const char   *needle)
{
  g_autofree char *status = tether_host_list_dup_host_status (
                              tether_window_get_host_list (window), host);

  return status != NULL && strstr (status, needle) != NULL;
}

/* One state per host: two tabs of a saved host lose their connection together and show the
 * same state, as does the host's row; one host.reconnect brings both back with one login,
 * as the same pages and shells. */
static void
test_host_reconnect (WindowFixture *fixture,
                     gconstpointer  data)
{
  g_autoptr(TetherHost) host = save_host (fixture->window, "reconnect-test", "Reconnect Test");
  AdwTabView *tab_view = tether_window_get_tab_view (fixture->window);
  TetherTerminalPage *pages[2];
  TetherShell *shells[2];
  AdwTabPage *tabs[2];
  TetherHostSession *session;
  g_autoptr(GError) error = NULL;
  guint logins;

  for (guint i = 0; i < G_N_ELEMENTS (tabs); i++) {
    tabs[i] = tether_window_open_host (fixture->window, host);
    pages[i] = tether_ui_test_tab_terminal (tabs[i]);
  }
  WAIT_UNTIL (tether_ui_test_is_connected (pages[0]) && tether_ui_test_is_connected (pages[1]));
  session = tether_terminal_page_get_session (pages[0]);
  g_assert_true (tether_terminal_page_get_session (pages[1]) == session);
  g_assert_cmpuint (tether_host_session_get_n_riders (session), ==, 2);
  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    shells[i] = tether_terminal_page_get_shell (pages[i]);
  WAIT_UNTIL (row_status_has (fixture->window, host, "Connected"));

  /* The server goes away: both tabs and the row say the host's connection is lost. */
  g_assert_true (tether_test_server_stop (server));
  WAIT_UNTIL (tether_terminal_page_get_state (pages[0]) == TETHER_TERMINAL_STATE_DISCONNECTED &&
              tether_terminal_page_get_state (pages[1]) == TETHER_TERMINAL_STATE_DISCONNECTED &&
              tether_host_session_get_state (session) == TETHER_HOST_SESSION_STATE_RECONNECTING);
  g_assert_cmpstr (banner_text (pages[0]), !=, "");
  g_assert_cmpstr (banner_text (pages[0]), ==, banner_text (pages[1]));
  g_test_message ("Both banners: %s", banner_text (pages[0]));
  WAIT_UNTIL (row_status_has (fixture->window, host, "Connection lost"));

  /* Back up: one Reconnect, in one tab, brings both back with one login. */
  g_assert_true (tether_test_server_start (server, &error));
  g_assert_no_error (error);
  logins = tether_test_server_count_logins (server);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (pages[0]), "host.reconnect", NULL));
  WAIT_UNTIL (tether_ui_test_is_connected (pages[0]) && tether_ui_test_is_connected (pages[1]));
  g_assert_cmpuint (tether_test_server_count_logins (server), ==, logins + 1);
  g_assert_cmpint (adw_tab_view_get_n_pages (tab_view), ==, 2);
  for (guint i = 0; i < G_N_ELEMENTS (pages); i++) {
    g_assert_true (tether_ui_test_tab_terminal (tabs[i]) == pages[i]);
    g_assert_true (tether_terminal_page_get_shell (pages[i]) == shells[i]);
    g_assert_cmpstr (banner_text (pages[i]), ==, "");
  }
  WAIT_UNTIL (row_status_has (fixture->window, host, "Connected"));
  /* VTE takes in what a background tab received once the tab is shown. */
  tether_ui_test_type (pages[0], "echo back-one-$((1+1))\n");
  tether_ui_test_type (pages[1], "echo back-two-$((2+2))\n");
  adw_tab_view_set_selected_page (tab_view, tabs[0]);
  WAIT_UNTIL (tether_ui_test_screen_contains (pages[0], "back-one-2"));
  adw_tab_view_set_selected_page (tab_view, tabs[1]);
  WAIT_UNTIL (tether_ui_test_screen_contains (pages[1], "back-two-4"));
}

static void
test_switch_tabs (WindowFixture *fixture,
                  gconstpointer  data)
{
  AdwTabView *tab_view = tether_window_get_tab_view (fixture->window);
  g_autoptr(TetherHost) host = new_host ();
  AdwTabPage *tabs[3];

  for (guint i = 0; i < G_N_ELEMENTS (tabs); i++)
    tabs[i] = tether_window_open_host (fixture->window, host);
  for (guint i = 0; i < G_N_ELEMENTS (tabs); i++)
    WAIT_UNTIL (tether_ui_test_is_connected (tether_ui_test_tab_terminal (tabs[i])));
  g_assert_true (adw_tab_view_get_selected_page (tab_view) == tabs[2]);
  /* The keys reach the tab view while a terminal has the focus within the window (whether
   * the window itself is the active one is up to the window manager, not to us). */
  g_assert_true (gtk_window_get_focus (GTK_WINDOW (fixture->window)) ==
                 GTK_WIDGET (tether_terminal_page_get_terminal (
                   tether_ui_test_tab_terminal (tabs[2]))));

  press_shortcut (GTK_WIDGET (tab_view), "<Alt>1");
  g_assert_true (adw_tab_view_get_selected_page (tab_view) == tabs[0]);
  press_shortcut (GTK_WIDGET (tab_view), "<Alt>2");
  g_assert_true (adw_tab_view_get_selected_page (tab_view) == tabs[1]);
  press_shortcut (GTK_WIDGET (tab_view), "<Control>Page_Down");
  g_assert_true (adw_tab_view_get_selected_page (tab_view) == tabs[2]);
  press_shortcut (GTK_WIDGET (tab_view), "<Control>Page_Up");
  g_assert_true (adw_tab_view_get_selected_page (tab_view) == tabs[1]);
  press_shortcut (GTK_WIDGET (tab_view), "<Alt>3");
  g_assert_true (adw_tab_view_get_selected_page (tab_view) == tabs[2]);
}

static gboolean
action_state (gpointer    widget,
              const char *name)
{
  gboolean state = FALSE;

  /* A property action: the state is the window's property of that name. */
  g_object_get (widget, name, &state, NULL);

  return state;
}

/* The label under @root that shows @text, if any. */
static GtkWidget *
find_label (GtkWidget  *root,
            const char *text)
{
  if (GTK_IS_LABEL (root) && strstr (gtk_label_get_text (GTK_LABEL (root)), text) != NULL)
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child)) {
    GtkWidget *found = find_label (child, text);

    if (found != NULL)
      return found;
  }

  return NULL;
}

/* VTE takes in what a terminal in a background tab received once the tab is shown: show
 * @page's tab, then wait for @text on its screen. */
static void
wait_for_screen (AdwTabView         *tab_view,
                 TetherTerminalPage *page,
                 const char         *text)
{
  adw_tab_view_set_selected_page (tab_view, adw_tab_view_get_page (tab_view, GTK_WIDGET (page)));
  WAIT_UNTIL (tether_ui_test_screen_contains (page, text));
}

static void
test_broadcast (WindowFixture *fixture,
                gconstpointer  data)
{
  AdwTabView *tab_view = tether_window_get_tab_view (fixture->window);
  GtkWidget *tab_bar = tether_ui_test_get_widget (fixture->window, "tab_bar");
  g_autoptr(TetherHost) host = new_host ();
  TetherTerminalPage *first;
  TetherTerminalPage *second;
  GtkWidget *label;

  first = tether_ui_test_tab_terminal (tether_window_open_host (fixture->window, host));
  second = tether_ui_test_tab_terminal (tether_window_open_host (fixture->window, host));
  WAIT_UNTIL (tether_ui_test_is_connected (first) && tether_ui_test_is_connected (second));
  g_assert_false (action_state (fixture->window, "broadcast"));
  label = find_label (tab_bar, "Broadcasting");
  g_assert_true (label == NULL || !gtk_widget_get_visible (label));

  /* On: the tab bar says so, and stays shown. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.broadcast",
                                             NULL));
  g_assert_true (action_state (fixture->window, "broadcast"));
  label = find_label (tab_bar, "Broadcasting to 2 tabs");
  g_assert_nonnull (label);
  g_assert_true (gtk_widget_get_visible (label));
  g_assert_true (gtk_widget_has_css_class (label, "warning"));
  g_assert_false (adw_tab_bar_get_autohide (ADW_TAB_BAR (tab_bar)));

  /* Typed into one terminal, run in both. */
  tether_ui_test_type (first, "echo bcast-$((2+3))\n");
  wait_for_screen (tab_view, first, "bcast-5");
  wait_for_screen (tab_view, second, "bcast-5");
  tether_ui_test_type (second, "echo back-$((3+4))\n");
  wait_for_screen (tab_view, second, "back-7");
  wait_for_screen (tab_view, first, "back-7");

  /* A third tab joins in. */
  tether_ui_test_tab_terminal (tether_window_open_host (fixture->window, host));
  g_assert_nonnull (find_label (tab_bar, "Broadcasting to 3 tabs"));
  adw_tab_view_close_page (tab_view, adw_tab_view_get_nth_page (tab_view, 2));
  WAIT_UNTIL (adw_tab_view_get_n_pages (tab_view) == 2);

  /* Off: each terminal to its own shell again. The second shell runs what it gets in order,
   * so "solo" would show there before "done" if it had been sent. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.broadcast",
                                             NULL));
  g_assert_false (action_state (fixture->window, "broadcast"));
  g_assert_false (gtk_widget_get_visible (label));
  g_assert_true (adw_tab_bar_get_autohide (ADW_TAB_BAR (tab_bar)));
  tether_ui_test_type (first, "echo solo-$((1+1))\n");
  wait_for_screen (tab_view, first, "solo-2");
  tether_ui_test_type (second, "echo done-$((3+3))\n");
  wait_for_screen (tab_view, second, "done-6");
  g_assert_false (tether_ui_test_screen_contains (second, "solo-2"));
  /* Likewise the first shell, once it has answered something typed after "done". */
  tether_ui_test_type (first, "echo end-$((4+4))\n");
  wait_for_screen (tab_view, first, "end-8");
  g_assert_false (tether_ui_test_screen_contains (first, "done-6"));
}

static TetherWindow *
find_other_window (TetherWindow *window)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL; l = l->next)
    if (TETHER_IS_WINDOW (l->data) && l->data != window)
      return l->data;

  return NULL;
}

/* Opens the tab menu on @page (as a right click does) and runs @action from it. */
static void
tab_menu_activate (TetherWindow *window,
                   AdwTabPage   *page,
                   const char   *action)
{
  AdwTabView *tab_view = tether_window_get_tab_view (window);

  g_assert_nonnull (adw_tab_view_get_menu_model (tab_view));
  g_signal_emit_by_name (tab_view, "setup-menu", page);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), action, NULL));
  g_signal_emit_by_name (tab_view, "setup-menu", NULL);
}

static void
test_tab_menu (WindowFixture *fixture,
               gconstpointer  data)
{
  AdwTabView *tab_view = tether_window_get_tab_view (fixture->window);
  g_autoptr(TetherHost) host = new_host ();
  AdwTabPage *first;
  AdwTabPage *second;
  AdwTabPage *copy;
  AdwMessageDialog *dialog;
  TetherWindow *other;
  TetherTerminalPage *moved;
  VteTerminal *terminal;
  guint logins;

  first = tether_window_open_host (fixture->window, host);
  second = tether_window_open_host (fixture->window, host);
  WAIT_UNTIL (tether_ui_test_is_connected (tether_ui_test_tab_terminal (first)) &&
              tether_ui_test_is_connected (tether_ui_test_tab_terminal (second)));
  logins = tether_test_server_count_logins (server);

  /* Duplicate: a new shell on the same host, next to the tab, on the same login. */
  tab_menu_activate (fixture->window, first, "tab.duplicate");
  g_assert_cmpint (adw_tab_view_get_n_pages (tab_view), ==, 3);
  copy = adw_tab_view_get_nth_page (tab_view, 1);
  g_assert_true (copy != first && copy != second);
  g_assert_true (tether_terminal_page_get_host (tether_ui_test_tab_terminal (copy)) == host);
  WAIT_UNTIL (tether_ui_test_is_connected (tether_ui_test_tab_terminal (copy)));
  g_assert_cmpuint (tether_test_server_count_logins (server), ==, logins);

  /* Close: a running shell asks first. */
  tab_menu_activate (fixture->window, copy, "tab.close");
  WAIT_UNTIL ((dialog = tether_ui_test_find_message_dialog ()) != NULL);
  respond (dialog, "close");
  WAIT_UNTIL (adw_tab_view_get_n_pages (tab_view) == 2);

  /* Rename: the name sticks, whatever title the remote programs set. */
  tab_menu_activate (fixture->window, first, "tab.rename");
  WAIT_UNTIL ((dialog = tether_ui_test_find_message_dialog ()) != NULL);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog))),
                   ==, "Test Server");
  gtk_editable_set_text (GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog)),
                         "Renamed Tab");
  respond (dialog, "rename");
  g_assert_cmpstr (adw_tab_page_get_title (first), ==, "Renamed Tab");
  terminal = tether_terminal_page_get_terminal (tether_ui_test_tab_terminal (first));
  tether_ui_test_type (tether_ui_test_tab_terminal (first),
                       "printf '\\033]2;%s\\007' remote-title\n");
  WAIT_UNTIL (g_strcmp0 (vte_terminal_get_window_title (terminal), "remote-title") == 0);
  g_assert_cmpstr (adw_tab_page_get_title (first), ==, "Renamed Tab");

  /* Cancelling changes nothing; an empty name gives the title back to the terminal. */
  tab_menu_activate (fixture->window, first, "tab.rename");
  WAIT_UNTIL ((dialog = tether_ui_test_find_message_dialog ()) != NULL);
  gtk_editable_set_text (GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog)), "Other");
  respond (dialog, "cancel");
  g_assert_cmpstr (adw_tab_page_get_title (first), ==, "Renamed Tab");
  tab_menu_activate (fixture->window, first, "tab.rename");
  WAIT_UNTIL ((dialog = tether_ui_test_find_message_dialog ()) != NULL);
  gtk_editable_set_text (GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog)), "");
  respond (dialog, "rename");
  g_assert_cmpstr (adw_tab_page_get_title (first), ==, "Test Server — remote-title");

  /* Move to a new window: the same page, its shell still running there. */
  moved = tether_ui_test_tab_terminal (second);
  tether_ui_test_type (moved, "moved_var=kept-$((5+6))\n");
  tab_menu_activate (fixture->window, second, "tab.move-to-new-window");
  WAIT_UNTIL ((other = find_other_window (fixture->window)) != NULL);
  g_assert_cmpint (adw_tab_view_get_n_pages (tab_view), ==, 1);
  g_assert_cmpint (adw_tab_view_get_n_pages (tether_window_get_tab_view (other)), ==, 1);
  g_assert_true (adw_tab_view_get_nth_page (tether_window_get_tab_view (other), 0) == second);
  g_assert_true (tether_ui_test_tab_terminal (second) == moved);
  WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (moved)));
  g_assert_true (tether_ui_test_is_connected (moved));
  tether_ui_test_type (moved, "echo \"$moved_var\"\n");
  WAIT_UNTIL (tether_ui_test_screen_contains (moved, "kept-11"));
  g_assert_cmpuint (tether_test_server_count_logins (server), ==, logins);

  /* A window's only tab has nowhere to move: the item is off, and does nothing. */
  g_signal_emit_by_name (tab_view, "setup-menu", first);
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "tab.move-to-new-window", NULL);
  g_signal_emit_by_name (tab_view, "setup-menu", NULL);
  g_assert_cmpint (adw_tab_view_get_n_pages (tab_view), ==, 1);
  g_assert_cmpuint (g_list_length (gtk_application_get_windows (GTK_APPLICATION (app))), ==, 2);
}

static void
test_close_window (WindowFixture *fixture,
                   gconstpointer  data)
{
  g_autoptr(TetherHost) host = new_host ();
  TetherTerminalPage *first;
  TetherTerminalPage *second;
  AdwMessageDialog *dialog;

  first = tether_ui_test_tab_terminal (tether_window_open_host (fixture->window, host));
  second = tether_ui_test_tab_terminal (tether_window_open_host (fixture->window, host));
  WAIT_UNTIL (tether_ui_test_is_connected (first) && tether_ui_test_is_connected (second));

  /* Asks, saying how many sessions end; cancelling keeps the window and its shells. */
  gtk_window_close (GTK_WINDOW (fixture->window));
  WAIT_UNTIL ((dialog = tether_ui_test_find_message_dialog ()) != NULL);
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "2 terminals"));
  respond (dialog, "cancel");
  g_assert_nonnull (fixture->window);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (fixture->window)));

  /* Only live sessions count. */
  tether_ui_test_type (second, "exit\n");
  WAIT_UNTIL (tether_terminal_page_get_state (second) == TETHER_TERMINAL_STATE_DISCONNECTED);
  gtk_window_close (GTK_WINDOW (fixture->window));
  WAIT_UNTIL ((dialog = tether_ui_test_find_message_dialog ()) != NULL);
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "1 terminal "));

  /* Close it is. */
  respond (dialog, "close");
  WAIT_UNTIL (fixture->window == NULL);
}

static void
test_close_window_no_sessions (WindowFixture *fixture,
                               gconstpointer  data)
{
  g_autoptr(TetherHost) host = new_host ();
  TetherTerminalPage *page =
    tether_ui_test_tab_terminal (tether_window_open_host (fixture->window, host));

  WAIT_UNTIL (tether_ui_test_is_connected (page));
  tether_ui_test_type (page, "exit\n");
  WAIT_UNTIL (tether_terminal_page_get_state (page) == TETHER_TERMINAL_STATE_DISCONNECTED);

  /* Nothing runs: nothing to ask. */
  gtk_window_close (GTK_WINDOW (fixture->window));
  WAIT_UNTIL (fixture->window == NULL);
  g_assert_null (tether_ui_test_find_message_dialog ());
}

/* Ctrl+Q (app.quit) asks like closing the window does, and ends nothing unasked. */
static void
test_quit_asks (WindowFixture *fixture,
                gconstpointer  data)
{
  g_autoptr(TetherHost) host = new_host ();
  TetherTerminalPage *page =
    tether_ui_test_tab_terminal (tether_window_open_host (fixture->window, host));
  GApplication *application =
    G_APPLICATION (gtk_window_get_application (GTK_WINDOW (fixture->window)));
  AdwMessageDialog *dialog;

  WAIT_UNTIL (tether_ui_test_is_connected (page));
  g_action_group_activate_action (G_ACTION_GROUP (application), "quit", NULL);
  WAIT_UNTIL ((dialog = tether_ui_test_find_message_dialog ()) != NULL);
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "1 terminal "));
  respond (dialog, "cancel");
  g_assert_nonnull (fixture->window);
  g_assert_true (tether_ui_test_is_connected (page));

  tether_ui_test_type (page, "exit\n");
  WAIT_UNTIL (tether_terminal_page_get_state (page) == TETHER_TERMINAL_STATE_DISCONNECTED);
  g_action_group_activate_action (G_ACTION_GROUP (application), "quit", NULL);
  WAIT_UNTIL (fixture->window == NULL);
  g_assert_null (tether_ui_test_find_message_dialog ());
}

/* The application's window showing @n_tabs tabs, or NULL. */
static TetherWindow *
window_with_tabs (int n_tabs)
{
  GtkWindow *active = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (TETHER_IS_WINDOW (active) &&
      adw_tab_view_get_n_pages (tether_window_get_tab_view (TETHER_WINDOW (active))) == n_tabs)
    return TETHER_WINDOW (active);
  return NULL;
}

/* The window closing last is remembered with its tabs; the next start brings them back, and
 * only the tab shown connects at once. */
static void
test_restore (WindowFixture *fixture,
              gconstpointer  data)
{
  g_autoptr(TetherHost) host = save_host (fixture->window, "restore-test", "Restore Test");
  const char *path = tether_application_get_saved_windows_path (app);
  g_autoptr(GPtrArray) saved = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  TetherSavedWindow *saved_window;
  TetherSavedTab *saved_tab;
  AdwMessageDialog *dialog;
  TetherTerminalPage *pages[2];
  TetherWindow *restored = NULL;
  AdwTabView *tab_view;
  TetherHostSession *session;
  gsize length;

  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    pages[i] = tether_ui_test_tab_terminal (tether_window_open_host (fixture->window, host));
  tether_terminal_page_set_custom_title (pages[1], "Logs");
  WAIT_UNTIL (tether_ui_test_is_connected (pages[0]) && tether_ui_test_is_connected (pages[1]));
  adw_tab_view_set_selected_page (tether_window_get_tab_view (fixture->window),
                                  adw_tab_view_get_page (
                                    tether_window_get_tab_view (fixture->window),
                                    GTK_WIDGET (pages[0])));

  /* Close the last window: it asks about the shells, then remembers its tabs. */
  g_unlink (path);
  gtk_window_close (GTK_WINDOW (fixture->window));
  WAIT_UNTIL ((dialog = tether_ui_test_find_message_dialog ()) != NULL);
  respond (dialog, "close");
  WAIT_UNTIL (fixture->window == NULL);
  WAIT_UNTIL (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_get_contents (path, &contents, &length, &error));
  g_assert_no_error (error);
  saved = tether_saved_windows_from_data (contents, length, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (saved->len, ==, 1);
  saved_window = g_ptr_array_index (saved, 0);
  g_assert_cmpuint (saved_window->tabs->len, ==, 2);
  g_assert_cmpuint (saved_window->active_tab, ==, 0);
  saved_tab = g_ptr_array_index (saved_window->tabs, 1);
  g_assert_cmpstr (saved_tab->host_id, ==, tether_host_get_id (host));
  g_assert_cmpstr (saved_tab->title, ==, "Logs");

  /* Start again: the tabs come back in a window of their own. */
  g_application_activate (G_APPLICATION (app));
  WAIT_UNTIL ((restored = window_with_tabs (2)) != NULL);
  tab_view = tether_window_get_tab_view (restored);
  pages[0] = TETHER_TERMINAL_PAGE (adw_tab_page_get_child (adw_tab_view_get_nth_page (tab_view,
                                                                                      0)));
  pages[1] = TETHER_TERMINAL_PAGE (adw_tab_page_get_child (adw_tab_view_get_nth_page (tab_view,
                                                                                      1)));
  g_assert_true (adw_tab_view_get_selected_page (tab_view) ==
                 adw_tab_view_get_nth_page (tab_view, 0));
  g_assert_cmpstr (tether_terminal_page_get_custom_title (pages[1]), ==, "Logs");
  WAIT_UNTIL (tether_ui_test_is_connected (pages[0]));
  session = tether_terminal_page_get_session (pages[0]);
  g_assert_true (tether_terminal_page_get_session (pages[1]) == session);
  /* The tab not shown has not asked for a shell... */
  g_assert_cmpuint (tether_host_session_get_n_riders (session), ==, 1);
  g_assert_false (tether_ui_test_is_connected (pages[1]));
  /* ...until it is shown. */
  adw_tab_view_set_selected_page (tab_view, adw_tab_view_get_nth_page (tab_view, 1));
  WAIT_UNTIL (tether_ui_test_is_connected (pages[1]));
  g_assert_cmpuint (tether_host_session_get_n_riders (session), ==, 2);
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

  /* Auto-reconnect waits for the network: GIO's plain monitor always has one, whatever the
   * test machine's routes are. */
  g_setenv ("GIO_USE_NETWORK_MONITOR", "base", TRUE);
  tether_ui_test_init (&argc, &argv);

  app = tether_ui_test_new_application ();

  server = tether_test_server_new (TETHER_TEST_SERVER_OPENSSH, &error);
  if (server == NULL) {
    g_test_message ("No test server: %s", error->message);
    g_clear_error (&error);
  }

  add_terminal_test ("/tether/terminal-extras/save-contents", test_save_contents);
  add_terminal_test ("/tether/terminal-extras/auto-reconnect", test_auto_reconnect);
  add_terminal_test ("/tether/terminal-extras/auto-reconnect-off", test_auto_reconnect_off);
  add_window_test ("/tether/terminal-extras/host-reconnect", test_host_reconnect);
  g_test_add_data_func ("/tether/terminal-extras/keep-shells", NULL, test_keep_shells);
  add_window_test ("/tether/terminal-extras/switch-tabs", test_switch_tabs);
  add_window_test ("/tether/terminal-extras/broadcast", test_broadcast);
  add_window_test ("/tether/terminal-extras/tab-menu", test_tab_menu);
  add_window_test ("/tether/terminal-extras/close-window", test_close_window);
  add_window_test ("/tether/terminal-extras/close-window-no-sessions",
                   test_close_window_no_sessions);
  add_window_test ("/tether/terminal-extras/quit-asks", test_quit_asks);
  add_window_test ("/tether/terminal-extras/restore", test_restore);

  ret = g_test_run ();

  g_clear_pointer (&server, tether_test_server_free);
  g_clear_object (&app);

  return ret;
}
