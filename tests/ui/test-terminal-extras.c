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
#include "tether-terminal-page.h"
#include "tether-test-server.h"
#include "tether-window.h"

/* Generous: logins, shells and windows are slow on a loaded CI machine and under ASan. */
#define WAIT_TIMEOUT_SECONDS 60

/* Auto-reconnect's backoff in the test: short, so that retries fail quickly while the
 * server is down, and capped, so that the one after the restart comes soon. */
#define TEST_RECONNECT_FIRST_DELAY_MS 50
#define TEST_RECONNECT_MAX_DELAY_MS 200

static TetherApplication *app;
static TetherTestServer *server;

static gboolean
set_true (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Iterates the main context until @cond holds; fails the test when it does not in time. */
#define WAIT_UNTIL(cond) G_STMT_START { \
    gboolean timed_out_ = FALSE; \
    guint timeout_id_ = g_timeout_add_seconds (WAIT_TIMEOUT_SECONDS, set_true, &timed_out_); \
    while (!(cond) && !timed_out_) \
      g_main_context_iteration (NULL, TRUE); \
    if (!timed_out_) \
      g_source_remove (timeout_id_); \
    g_assert_true (cond); \
  } G_STMT_END

/* Template children keep their id from the .ui file as buildable id. */
static GtkWidget *
find_widget (GtkWidget  *root,
             const char *id)
{
  if (g_strcmp0 (gtk_buildable_get_buildable_id (GTK_BUILDABLE (root)), id) == 0)
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child)) {
    GtkWidget *found = find_widget (child, id);

    if (found != NULL)
      return found;
  }

  return NULL;
}

static GtkWidget *
get_widget (gpointer    root,
            const char *id)
{
  GtkWidget *widget = find_widget (GTK_WIDGET (root), id);

  if (widget == NULL)
    g_error ("No widget with id “%s”", id);

  return widget;
}

static TetherHost *
new_host (void)
{
  g_autofree char *destination = NULL;
  const char *identity_files[] = { tether_test_server_get_key (server), NULL };
  g_autoptr(GError) error = NULL;
  TetherHost *host;

  destination = g_strdup_printf ("%s@%s:%u", tether_test_server_get_user (server),
                                 tether_test_server_get_host (server),
                                 tether_test_server_get_port (server));
  host = tether_host_new_for_destination (destination, &error);
  g_assert_no_error (error);
  tether_host_set_identity_files (host, identity_files);
  tether_host_set_identities_only (host, TRUE);
  tether_host_set_known_hosts_file (host, tether_test_server_get_known_hosts (server));
  tether_host_set_label (host, "Test Server");

  return host;
}

/* Whether the visible screen of @page shows @needle. */
static gboolean
screen_contains (TetherTerminalPage *page,
                 const char         *needle)
{
  g_autofree char *text = vte_terminal_get_text (tether_terminal_page_get_terminal (page),
                                                 NULL, NULL, NULL);

  return text != NULL && strstr (text, needle) != NULL;
}

/* Types @text as a user would: through the terminal's commit path. */
static void
type (TetherTerminalPage *page,
      const char         *text)
{
  vte_terminal_feed_child (tether_terminal_page_get_terminal (page), text, -1);
}

static gboolean
is_connected (TetherTerminalPage *page)
{
  return tether_terminal_page_get_state (page) == TETHER_TERMINAL_STATE_CONNECTED;
}

/* What the page's banner shows, or "" when it is hidden. */
static const char *
banner_text (TetherTerminalPage *page)
{
  GtkInfoBar *banner = GTK_INFO_BAR (get_widget (page, "banner"));

  if (!gtk_info_bar_get_revealed (banner))
    return "";

  return gtk_label_get_text (GTK_LABEL (get_widget (page, "banner_label")));
}

static gboolean
banner_says (TetherTerminalPage *page,
             const char         *needle)
{
  return strstr (banner_text (page), needle) != NULL;
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
  fixture->page = tether_terminal_page_new (host);
  gtk_window_set_child (fixture->window, GTK_WIDGET (fixture->page));
  gtk_window_present (fixture->window);
  WAIT_UNTIL (is_connected (fixture->page));
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

  /* The action is there for menus and Ctrl+Shift+S. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "term.save-contents", NULL));

  /* More lines than the screen has, so the scrollback is saved too. */
  type (page, "clear; seq -f 'saved-line-%g' 1 200; echo saved-$((8*8))\n");
  WAIT_UNTIL (screen_contains (page, "saved-64"));

  dir = g_dir_make_tmp ("tether-save-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (dir, "contents.txt", NULL);
  /* An existing file is replaced. */
  g_assert_true (g_file_set_contents (path, "old contents", -1, &error));
  file = g_file_new_for_path (path);

  tether_terminal_page_save_contents_async (page, file, NULL, saved_cb, &result);
  WAIT_UNTIL (result != NULL);
  g_assert_true (tether_terminal_page_save_contents_finish (page, result, &error));
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
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(GError) error = NULL;
  guint logins = tether_test_server_count_logins (server);
  guint n_connecting = 0;
  gulong handler;

  g_settings_set_boolean (settings, "auto-reconnect", TRUE);
  tether_terminal_page_set_reconnect_delays_for_testing (page, TEST_RECONNECT_FIRST_DELAY_MS,
                                                         TEST_RECONNECT_MAX_DELAY_MS);
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
  WAIT_UNTIL (n_connecting >= 3 && banner_says (page, "Reconnecting in"));

  /* Back up: the next retry gets in, with nothing pressed. */
  g_assert_true (tether_test_server_start (server, &error));
  g_assert_no_error (error);
  WAIT_UNTIL (is_connected (page));
  g_assert_cmpstr (banner_text (page), ==, "");
  g_assert_cmpuint (tether_test_server_count_logins (server), ==, logins + 1);
  type (page, "echo auto-$((4*4))\n");
  WAIT_UNTIL (screen_contains (page, "auto-16"));

  /* A shell that exits is not a dropped connection: it stays ended. */
  n_connecting = 0;
  type (page, "exit 3\n");
  WAIT_UNTIL (tether_terminal_page_get_state (page) == TETHER_TERMINAL_STATE_DISCONNECTED);
  g_assert_false (banner_says (page, "Reconnecting"));
  g_assert_true (banner_says (page, "3"));

  g_signal_handler_disconnect (page, handler);
  g_assert_cmpuint (n_connecting, ==, 0);
  g_settings_reset (settings, "auto-reconnect");
}

static void
test_auto_reconnect_off (Fixture       *fixture,
                         gconstpointer  data)
{
  TetherTerminalPage *page = fixture->page;
  g_autoptr(GError) error = NULL;

  /* The default: a dropped connection waits for Reconnect. */
  tether_terminal_page_set_reconnect_delays_for_testing (page, TEST_RECONNECT_FIRST_DELAY_MS,
                                                         TEST_RECONNECT_MAX_DELAY_MS);
  g_assert_true (tether_test_server_stop (server));
  WAIT_UNTIL (tether_terminal_page_get_state (page) == TETHER_TERMINAL_STATE_DISCONNECTED);
  g_assert_false (banner_says (page, "Reconnecting"));
  g_assert_true (tether_test_server_start (server, &error));
  g_assert_no_error (error);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "term.reconnect", NULL));
  WAIT_UNTIL (is_connected (page));
}

/* Window tests: a TetherWindow with terminal tabs. */
typedef struct {
  TetherWindow *window;
} WindowFixture;

static void
window_fixture_set_up (WindowFixture *fixture,
                       gconstpointer  data)
{
  if (server == NULL) {
    g_test_skip ("No test server: it needs root and sshd");
    return;
  }

  fixture->window = tether_window_new (GTK_APPLICATION (app));
  g_object_add_weak_pointer (G_OBJECT (fixture->window), (gpointer *) &fixture->window);
  gtk_window_present (GTK_WINDOW (fixture->window));
  WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (fixture->window)));
}

static void
window_fixture_tear_down (WindowFixture *fixture,
                          gconstpointer  data)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  g_autoptr(GPtrArray) windows = g_ptr_array_new_with_free_func (g_object_unref);

  /* Every window the test made (moved tabs make new ones); help overlays belong to their
   * application window, which destroys them. */
  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++) {
    g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

    if (!GTK_IS_SHORTCUTS_WINDOW (window))
      g_ptr_array_add (windows, g_steal_pointer (&window));
  }
  for (guint i = 0; i < windows->len; i++)
    gtk_window_destroy (g_ptr_array_index (windows, i));
  g_clear_pointer (&windows, g_ptr_array_unref);

  WAIT_UNTIL (fixture->window == NULL);
  WAIT_UNTIL (gtk_application_get_windows (GTK_APPLICATION (app)) == NULL);
}

static TetherTerminalPage *
tab_terminal (AdwTabPage *tab)
{
  return TETHER_TERMINAL_PAGE (adw_tab_page_get_child (tab));
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

/* Does what pressing @accelerator in the window does, as far as @widget's shortcuts go:
 * finds the shortcut it triggers and runs its action. Fails when none matches, or when the
 * controller would see the key only after a focused terminal (which takes every key). */
static void
press_shortcut (GtkWidget  *widget,
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

      if (!trigger_matches (gtk_shortcut_get_trigger (shortcut), wanted))
        continue;

      g_assert_cmpint (gtk_event_controller_get_propagation_phase (controller), ==,
                       GTK_PHASE_CAPTURE);
      g_assert_true (gtk_shortcut_action_activate (gtk_shortcut_get_action (shortcut),
                                                   GTK_SHORTCUT_ACTION_EXCLUSIVE, widget,
                                                   gtk_shortcut_get_arguments (shortcut)));
      return;
    }
  }

  g_error ("No shortcut for %s", accelerator);
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
    WAIT_UNTIL (is_connected (tab_terminal (tabs[i])));
  g_assert_true (adw_tab_view_get_selected_page (tab_view) == tabs[2]);
  /* The keys reach the tab view while a terminal has the focus. */
  g_assert_true (gtk_widget_has_focus (GTK_WIDGET (tether_terminal_page_get_terminal (
                                                     tab_terminal (tabs[2])))));

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

#define add_terminal_test(path, func) \
  g_test_add ((path), Fixture, NULL, fixture_set_up, (func), fixture_tear_down)
#define add_window_test(path, func) \
  g_test_add ((path), WindowFixture, NULL, window_fixture_set_up, (func), \
              window_fixture_tear_down)

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  /* Auto-reconnect waits for the network: GIO's plain monitor always has one, whatever the
   * test machine's routes are. */
  g_setenv ("GIO_USE_NETWORK_MONITOR", "base", TRUE);
  g_test_init (&argc, &argv, NULL);

  app = tether_application_new ();
  /* Other test programs may run at the same time on the same bus. */
  g_application_set_flags (G_APPLICATION (app),
                           g_application_get_flags (G_APPLICATION (app)) |
                           G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  server = tether_test_server_new (TETHER_TEST_SERVER_OPENSSH, &error);
  if (server == NULL) {
    g_test_message ("No test server: %s", error->message);
    g_clear_error (&error);
  }

  add_terminal_test ("/tether/terminal-extras/save-contents", test_save_contents);
  add_terminal_test ("/tether/terminal-extras/auto-reconnect", test_auto_reconnect);
  add_terminal_test ("/tether/terminal-extras/auto-reconnect-off", test_auto_reconnect_off);
  add_window_test ("/tether/terminal-extras/switch-tabs", test_switch_tabs);

  ret = g_test_run ();

  g_clear_pointer (&server, tether_test_server_free);
  g_clear_object (&app);

  return ret;
}
