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
#include "tether-connection-pool.h"
#include "tether-terminal-page.h"
#include "tether-test-server.h"
#include "tether-window.h"

#include "tether-ui-test.h"

/* Auto-reconnect's backoff in the test: short, so that retries fail quickly while the
 * server is down, and capped, so that the one after the restart comes soon. */
#define TEST_RECONNECT_FIRST_DELAY_MS 50
#define TEST_RECONNECT_MAX_DELAY_MS 200

static TetherApplication *app;
static TetherTestServer *server;

static TetherHost *
new_host (void)
{
  return tether_ui_test_new_host (server);
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

static AdwMessageDialog *
find_message_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++) {
    g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

    if (ADW_IS_MESSAGE_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
      return ADW_MESSAGE_DIALOG (window);
  }

  return NULL;
}

/* Answers @dialog as a click on the button of @response does. */
static void
respond (AdwMessageDialog *dialog,
         const char       *response)
{
  adw_message_dialog_response (dialog, response);
  gtk_window_destroy (GTK_WINDOW (dialog));
  WAIT_UNTIL (find_message_dialog () == NULL);
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
  type (page, "clear; seq -f 'saved-line-%g' 1 200; echo saved-$((8*8))\n");
  WAIT_UNTIL (tether_ui_test_screen_contains (page, "saved-64"));

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
  WAIT_UNTIL (tether_ui_test_screen_contains (page, "auto-16"));

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

/* What the pool would hand a Reconnect at the moment the page says it is disconnected. */
typedef struct {
  TetherConnection *dropped;
  gboolean seen;
  gboolean pool_had_it;
} DropCheck;

static void
check_pool_on_drop (TetherTerminalPage *page,
                    GParamSpec         *pspec,
                    DropCheck          *check)
{
  TetherConnectionPool *pool = tether_connection_pool_get_default ();

  if (check->seen || tether_terminal_page_get_state (page) != TETHER_TERMINAL_STATE_DISCONNECTED)
    return;
  check->seen = TRUE;
  check->pool_had_it =
    tether_connection_pool_lookup (pool, tether_terminal_page_get_host (page)) == check->dropped;
}

static void
test_auto_reconnect_off (Fixture       *fixture,
                         gconstpointer  data)
{
  TetherTerminalPage *page = fixture->page;
  g_autoptr(GError) error = NULL;
  DropCheck check = { tether_terminal_page_get_connection (page), FALSE, FALSE };
  gulong handler;

  /* The default: a dropped connection waits for Reconnect. */
  tether_terminal_page_set_reconnect_delays_for_testing (page, TEST_RECONNECT_FIRST_DELAY_MS,
                                                         TEST_RECONNECT_MAX_DELAY_MS);
  g_assert_nonnull (check.dropped);
  handler = g_signal_connect (page, "notify::state", G_CALLBACK (check_pool_on_drop), &check);
  g_assert_true (tether_test_server_stop (server));
  WAIT_UNTIL (tether_terminal_page_get_state (page) == TETHER_TERMINAL_STATE_DISCONNECTED);
  g_signal_handler_disconnect (page, handler);
  g_assert_false (banner_says (page, "Reconnecting"));
  /* The session's error may come before the connection says it closed: by then the pool has
   * let go of the dead connection already, so that Reconnect (pressed at once, as here) logs
   * in afresh instead of failing on it with "The connection is closed". */
  g_assert_true (check.seen);
  g_assert_false (check.pool_had_it);
  g_assert_true (tether_test_server_start (server, &error));
  g_assert_no_error (error);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "term.reconnect", NULL));
  WAIT_UNTIL (is_connected (page));
}

/* Window tests: a TetherWindow with terminal tabs. */
typedef TetherUiTestWindowFixture WindowFixture;

static TetherTerminalPage *
tab_terminal (AdwTabPage *tab)
{
  return TETHER_TERMINAL_PAGE (adw_tab_page_get_child (tab));
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
  /* The keys reach the tab view while a terminal has the focus within the window (whether
   * the window itself is the active one is up to the window manager, not to us). */
  g_assert_true (gtk_window_get_focus (GTK_WINDOW (fixture->window)) ==
                 GTK_WIDGET (tether_terminal_page_get_terminal (tab_terminal (tabs[2]))));

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
  GActionGroup *group = G_ACTION_GROUP (widget);
  g_autoptr(GVariant) state = g_action_group_get_action_state (group, name);

  return g_variant_get_boolean (state);
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

  first = tab_terminal (tether_window_open_host (fixture->window, host));
  second = tab_terminal (tether_window_open_host (fixture->window, host));
  WAIT_UNTIL (is_connected (first) && is_connected (second));
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
  type (first, "echo bcast-$((2+3))\n");
  wait_for_screen (tab_view, first, "bcast-5");
  wait_for_screen (tab_view, second, "bcast-5");
  type (second, "echo back-$((3+4))\n");
  wait_for_screen (tab_view, second, "back-7");
  wait_for_screen (tab_view, first, "back-7");

  /* A third tab joins in. */
  tab_terminal (tether_window_open_host (fixture->window, host));
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
  type (first, "echo solo-$((1+1))\n");
  wait_for_screen (tab_view, first, "solo-2");
  type (second, "echo done-$((3+3))\n");
  wait_for_screen (tab_view, second, "done-6");
  g_assert_false (tether_ui_test_screen_contains (second, "solo-2"));
  /* Likewise the first shell, once it has answered something typed after "done". */
  type (first, "echo end-$((4+4))\n");
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
  WAIT_UNTIL (is_connected (tab_terminal (first)) && is_connected (tab_terminal (second)));
  logins = tether_test_server_count_logins (server);

  /* Duplicate: a new shell on the same host, next to the tab, on the same login. */
  tab_menu_activate (fixture->window, first, "tab.duplicate");
  g_assert_cmpint (adw_tab_view_get_n_pages (tab_view), ==, 3);
  copy = adw_tab_view_get_nth_page (tab_view, 1);
  g_assert_true (copy != first && copy != second);
  g_assert_true (tether_terminal_page_get_host (tab_terminal (copy)) == host);
  WAIT_UNTIL (is_connected (tab_terminal (copy)));
  g_assert_cmpuint (tether_test_server_count_logins (server), ==, logins);

  /* Close: a running shell asks first. */
  tab_menu_activate (fixture->window, copy, "tab.close");
  WAIT_UNTIL ((dialog = find_message_dialog ()) != NULL);
  respond (dialog, "close");
  WAIT_UNTIL (adw_tab_view_get_n_pages (tab_view) == 2);

  /* Rename: the name sticks, whatever title the remote programs set. */
  tab_menu_activate (fixture->window, first, "tab.rename");
  WAIT_UNTIL ((dialog = find_message_dialog ()) != NULL);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog))),
                   ==, "Test Server");
  gtk_editable_set_text (GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog)),
                         "Renamed Tab");
  respond (dialog, "rename");
  g_assert_cmpstr (adw_tab_page_get_title (first), ==, "Renamed Tab");
  terminal = tether_terminal_page_get_terminal (tab_terminal (first));
  type (tab_terminal (first), "printf '\\033]2;%s\\007' remote-title\n");
  WAIT_UNTIL (g_strcmp0 (vte_terminal_get_window_title (terminal), "remote-title") == 0);
  g_assert_cmpstr (adw_tab_page_get_title (first), ==, "Renamed Tab");

  /* Cancelling changes nothing; an empty name gives the title back to the terminal. */
  tab_menu_activate (fixture->window, first, "tab.rename");
  WAIT_UNTIL ((dialog = find_message_dialog ()) != NULL);
  gtk_editable_set_text (GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog)), "Other");
  respond (dialog, "cancel");
  g_assert_cmpstr (adw_tab_page_get_title (first), ==, "Renamed Tab");
  tab_menu_activate (fixture->window, first, "tab.rename");
  WAIT_UNTIL ((dialog = find_message_dialog ()) != NULL);
  gtk_editable_set_text (GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog)), "");
  respond (dialog, "rename");
  g_assert_cmpstr (adw_tab_page_get_title (first), ==, "remote-title");

  /* Move to a new window: the same page, its shell still running there. */
  moved = tab_terminal (second);
  type (moved, "moved_var=kept-$((5+6))\n");
  tab_menu_activate (fixture->window, second, "tab.move-to-new-window");
  WAIT_UNTIL ((other = find_other_window (fixture->window)) != NULL);
  g_assert_cmpint (adw_tab_view_get_n_pages (tab_view), ==, 1);
  g_assert_cmpint (adw_tab_view_get_n_pages (tether_window_get_tab_view (other)), ==, 1);
  g_assert_true (adw_tab_view_get_nth_page (tether_window_get_tab_view (other), 0) == second);
  g_assert_true (tab_terminal (second) == moved);
  WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (moved)));
  g_assert_true (is_connected (moved));
  type (moved, "echo \"$moved_var\"\n");
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

  first = tab_terminal (tether_window_open_host (fixture->window, host));
  second = tab_terminal (tether_window_open_host (fixture->window, host));
  WAIT_UNTIL (is_connected (first) && is_connected (second));

  /* Asks, saying how many sessions end; cancelling keeps the window and its shells. */
  gtk_window_close (GTK_WINDOW (fixture->window));
  WAIT_UNTIL ((dialog = find_message_dialog ()) != NULL);
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "2 terminals"));
  respond (dialog, "cancel");
  g_assert_nonnull (fixture->window);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (fixture->window)));

  /* Only live sessions count. */
  type (second, "exit\n");
  WAIT_UNTIL (tether_terminal_page_get_state (second) == TETHER_TERMINAL_STATE_DISCONNECTED);
  gtk_window_close (GTK_WINDOW (fixture->window));
  WAIT_UNTIL ((dialog = find_message_dialog ()) != NULL);
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
  TetherTerminalPage *page = tab_terminal (tether_window_open_host (fixture->window, host));

  WAIT_UNTIL (is_connected (page));
  type (page, "exit\n");
  WAIT_UNTIL (tether_terminal_page_get_state (page) == TETHER_TERMINAL_STATE_DISCONNECTED);

  /* Nothing runs: nothing to ask. */
  gtk_window_close (GTK_WINDOW (fixture->window));
  WAIT_UNTIL (fixture->window == NULL);
  g_assert_null (find_message_dialog ());
}

/* Ctrl+Q (app.quit) asks like closing the window does, and ends nothing unasked. */
static void
test_quit_asks (WindowFixture *fixture,
                gconstpointer  data)
{
  g_autoptr(TetherHost) host = new_host ();
  TetherTerminalPage *page = tab_terminal (tether_window_open_host (fixture->window, host));
  GApplication *application =
    G_APPLICATION (gtk_window_get_application (GTK_WINDOW (fixture->window)));
  AdwMessageDialog *dialog;

  WAIT_UNTIL (is_connected (page));
  g_action_group_activate_action (G_ACTION_GROUP (application), "quit", NULL);
  WAIT_UNTIL ((dialog = find_message_dialog ()) != NULL);
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "1 terminal "));
  respond (dialog, "cancel");
  g_assert_nonnull (fixture->window);
  g_assert_true (is_connected (page));

  type (page, "exit\n");
  WAIT_UNTIL (tether_terminal_page_get_state (page) == TETHER_TERMINAL_STATE_DISCONNECTED);
  g_action_group_activate_action (G_ACTION_GROUP (application), "quit", NULL);
  WAIT_UNTIL (fixture->window == NULL);
  g_assert_null (find_message_dialog ());
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
  add_window_test ("/tether/terminal-extras/switch-tabs", test_switch_tabs);
  add_window_test ("/tether/terminal-extras/broadcast", test_broadcast);
  add_window_test ("/tether/terminal-extras/tab-menu", test_tab_menu);
  add_window_test ("/tether/terminal-extras/close-window", test_close_window);
  add_window_test ("/tether/terminal-extras/close-window-no-sessions",
                   test_close_window_no_sessions);
  add_window_test ("/tether/terminal-extras/quit-asks", test_quit_asks);

  ret = g_test_run ();

  g_clear_pointer (&server, tether_test_server_free);
  g_clear_object (&app);

  return ret;
}
