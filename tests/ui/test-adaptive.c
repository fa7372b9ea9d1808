/* test-adaptive.c: the main window at a phone's width, and what makes the windows usable
 * without a mouse or eyes: the leaflet's sides and the keys and buttons between them, and an
 * accessible name and a tooltip on every button that shows only an icon. Runs on its own Xvfb
 * (tests/tether-test-env) with GTK_A11Y=test, so that accessible properties are recorded. Keys
 * are pressed through the X server (xdotool), so they travel the real path: the window's
 * capture phase, then the focused terminal. */
#include "config.h"

#include <adwaita.h>
#include <tether.h>
#include <vte/vte.h>

#include "tether-host-editor.h"
#include "tether-preferences-window.h"
#include "tether-window.h"

#include "tether-ui-test.h"

/* Narrower than the sidebar and the content side together (280 + 360): the window folds. */
#define NARROW_WIDTH 500
#define WIDE_WIDTH 1200
#define WINDOW_HEIGHT 700

static TetherApplication *app;

typedef struct {
  TetherWindow *window;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  tether_ui_test_open_window (app, &fixture->window);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  tether_ui_test_close_windows (app, &fixture->window);
}

/* Presses @keys (xdotool's names, such as "alt+Left") on the test's X server, as a user
 * would: the X server sends them to the focused window. */
static void
press_keys (const char *keys)
{
  const char *argv[] = { "xdotool", "key", "--clearmodifiers", keys, NULL };
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                &status, &error);
  g_assert_no_error (error);
  g_spawn_check_wait_status (status, &error);
  g_assert_no_error (error);
}

/* Whether keys can be pressed through the X server; tests that need it skip without. */
static gboolean
can_press_keys (void)
{
  g_autofree char *path = g_find_program_in_path ("xdotool");

  if (path == NULL)
    g_test_skip ("Pressing keys needs xdotool");
  return path != NULL;
}

static GtkWidget *
visible_side (TetherWindow *window)
{
  return adw_leaflet_get_visible_child (
    ADW_LEAFLET (tether_ui_test_get_widget (window, "leaflet")));
}

static gboolean
is_shown (GtkWidget *widget)
{
  return gtk_widget_get_mapped (widget) && gtk_widget_get_child_visible (widget);
}

static gboolean
has_focus_within (TetherWindow *window,
                  GtkWidget    *widget)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (window));

  return focus != NULL && (focus == widget || gtk_widget_is_ancestor (focus, widget));
}

static gboolean
is_model_button_labelled (GtkWidget     *widget,
                          gconstpointer  label)
{
  g_autofree char *text = NULL;

  if (g_strcmp0 (G_OBJECT_TYPE_NAME (widget), "GtkModelButton") != 0)
    return FALSE;
  g_object_get (widget, "text", &text, NULL);
  return g_strcmp0 (text, label) == 0;
}

/* The item of @menu_button's open menu that reads @label (mnemonic underscores left out). */
static GtkWidget *
find_menu_item (GtkWidget  *menu_button,
                const char *label)
{
  GtkPopover *popover = gtk_menu_button_get_popover (GTK_MENU_BUTTON (menu_button));
  GtkWidget *item = tether_ui_test_find_descendant (GTK_WIDGET (popover),
                                                    is_model_button_labelled, label);

  g_assert_nonnull (item);
  return item;
}

static void
test_narrow_window (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(TetherUiTestListener) listener = tether_ui_test_listener_new ();
  g_autofree char *destination = NULL;
  g_autoptr(TetherHost) host = NULL;
  g_autoptr(GError) error = NULL;
  TetherWindow *window = fixture->window;
  AdwLeaflet *leaflet = ADW_LEAFLET (tether_ui_test_get_widget (window, "leaflet"));
  GtkWidget *sidebar = tether_ui_test_get_widget (window, "sidebar");
  GtkWidget *content = tether_ui_test_get_widget (window, "content");
  GtkWidget *back_button = tether_ui_test_get_widget (window, "back_button");
  GtkWidget *tabs_button;
  GtkWidget *tabs_label;
  GtkWidget *tab_menu_button;
  GtkWidget *host_list = GTK_WIDGET (tether_window_get_host_list (window));
  AdwTabView *tab_view = tether_window_get_tab_view (window);
  AdwTabPage *page;

  if (!can_press_keys ())
    return;

  gtk_window_set_default_size (GTK_WINDOW (window), NARROW_WIDTH, WINDOW_HEIGHT);
  WAIT_UNTIL (adw_leaflet_get_folded (leaflet) &&
              gtk_widget_get_width (GTK_WIDGET (window)) <= NARROW_WIDTH);
  g_assert_true (visible_side (window) == sidebar);
  WAIT_UNTIL (is_shown (host_list));

  /* Opening a host from the list shows its terminal, and a way back. */
  destination = g_strdup_printf ("user@127.0.0.1:%u",
                                 tether_ui_test_listener_get_port (listener));
  host = tether_host_new_for_destination (destination, &error);
  g_assert_no_error (error);
  g_signal_emit_by_name (host_list, "host-activated", host);
  g_assert_cmpint (adw_tab_view_get_n_pages (tab_view), ==, 1);
  page = adw_tab_view_get_selected_page (tab_view);
  WAIT_UNTIL (visible_side (window) == content);
  WAIT_UNTIL (is_shown (adw_tab_page_get_child (page)));
  WAIT_UNTIL (is_shown (back_button));
  WAIT_UNTIL (!is_shown (host_list));
  tabs_button = tether_ui_test_get_widget (window, "show_tabs_button");
  tabs_label = tether_ui_test_get_widget (window, "show_tabs_label");

  /* Alt+Left, even with the terminal focused, goes to the host list; the list's header
   * offers the way back to the one open tab. */
  WAIT_UNTIL (gtk_widget_has_focus (GTK_WIDGET (tether_terminal_page_get_terminal (
                TETHER_TERMINAL_PAGE (adw_tab_page_get_child (page))))) &&
              gtk_window_is_active (GTK_WINDOW (window)));
  press_keys ("alt+Left");
  WAIT_UNTIL (visible_side (window) == sidebar);
  WAIT_UNTIL (is_shown (host_list));
  /* The keyboard focus went along, so that the arrow keys move in the list. */
  WAIT_UNTIL (has_focus_within (window, host_list));
  WAIT_UNTIL (is_shown (tabs_button));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (tabs_label)), ==, "1");

  /* Alt+Right goes back to the tabs. */
  press_keys ("alt+Right");
  WAIT_UNTIL (visible_side (window) == content);
  WAIT_UNTIL (is_shown (back_button));
  WAIT_UNTIL (gtk_widget_has_focus (GTK_WIDGET (tether_terminal_page_get_terminal (
                TETHER_TERMINAL_PAGE (adw_tab_page_get_child (page))))));

  /* The buttons do the same. */
  g_signal_emit_by_name (back_button, "clicked");
  WAIT_UNTIL (visible_side (window) == sidebar);
  g_signal_emit_by_name (tabs_button, "clicked");
  WAIT_UNTIL (visible_side (window) == content);

  /* The tab bar hides while there is one tab: the header's menu is that tab's. Closing
   * the last tab leaves the host list to choose from, not an empty page. */
  tab_menu_button = tether_ui_test_get_widget (window, "tab_menu_button");
  WAIT_UNTIL (is_shown (tab_menu_button));
  gtk_menu_button_popup (GTK_MENU_BUTTON (tab_menu_button));
  WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (gtk_menu_button_get_popover (
                GTK_MENU_BUTTON (tab_menu_button)))));
  g_assert_false (gtk_widget_is_sensitive (find_menu_item (tab_menu_button,
                                                           "Move to New Window")));
  gtk_widget_activate (find_menu_item (tab_menu_button, "Close"));
  WAIT_UNTIL (adw_tab_view_get_n_pages (tab_view) == 0);
  WAIT_UNTIL (visible_side (window) == sidebar);
  g_assert_false (gtk_widget_get_visible (tabs_button));
  g_assert_false (gtk_widget_get_visible (tab_menu_button));

  /* Wide again: both sides, no back button, and Alt+Left is left to the focused widget. */
  gtk_window_set_default_size (GTK_WINDOW (window), WIDE_WIDTH, WINDOW_HEIGHT);
  WAIT_UNTIL (!adw_leaflet_get_folded (leaflet));
  WAIT_UNTIL (is_shown (host_list) && is_shown (content));
  g_assert_false (gtk_widget_get_visible (back_button));
  g_assert_false (gtk_widget_get_visible (tabs_button));
}

static gboolean
is_popover_menu (GtkWidget     *widget,
                 gconstpointer  data)
{
  return GTK_IS_POPOVER_MENU (widget);
}

/* The terminal's menu opens from the keyboard (Shift+F10), and has what else only keys do. */
static void
test_terminal_menu_keys (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(TetherUiTestListener) listener = tether_ui_test_listener_new ();
  g_autofree char *destination = NULL;
  g_autoptr(TetherHost) host = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *page;
  GtkWidget *terminal;
  GtkWidget *popover;
  GtkWidget *item;

  if (!can_press_keys ())
    return;

  destination = g_strdup_printf ("user@127.0.0.1:%u",
                                 tether_ui_test_listener_get_port (listener));
  host = tether_host_new_for_destination (destination, &error);
  g_assert_no_error (error);
  page = adw_tab_page_get_child (tether_window_open_host (fixture->window, host));
  terminal = GTK_WIDGET (tether_terminal_page_get_terminal (TETHER_TERMINAL_PAGE (page)));
  popover = tether_ui_test_find_descendant (terminal, is_popover_menu, NULL);
  g_assert_nonnull (popover);
  WAIT_UNTIL (gtk_widget_has_focus (terminal) &&
              gtk_window_is_active (GTK_WINDOW (fixture->window)));

  press_keys ("shift+F10");
  WAIT_UNTIL (gtk_widget_get_mapped (popover));
  item = tether_ui_test_find_descendant (popover, is_model_button_labelled, "Zoom In");
  g_assert_nonnull (item);
  gtk_widget_activate (item);
  WAIT_UNTIL (vte_terminal_get_font_scale (VTE_TERMINAL (terminal)) > 1.0);
  WAIT_UNTIL (!gtk_widget_get_mapped (popover));

  /* Typing goes on in the terminal after the menu. */
  WAIT_UNTIL (gtk_widget_has_focus (terminal));

  press_keys ("Menu");
  WAIT_UNTIL (gtk_widget_get_mapped (popover));
  gtk_widget_activate (tether_ui_test_find_descendant (popover, is_model_button_labelled,
                                                       "Normal Size"));
  WAIT_UNTIL (vte_terminal_get_font_scale (VTE_TERMINAL (terminal)) == 1.0);
}

/* Checks every icon-only button under @root; returns how many there were. */
static guint
assert_icon_buttons_labelled (GtkWidget *root)
{
  guint n_checked = 0;
  g_autofree char *unlabelled = tether_ui_test_dup_unlabelled_icon_buttons (root, &n_checked);

  g_assert_cmpstr (unlabelled, ==, "");

  return n_checked;
}

static GtkWindow *
find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++) {
    g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

    if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) && gtk_widget_get_visible (GTK_WIDGET (window)))
      return window;
  }

  return NULL;
}

static void
test_icon_buttons_labelled (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(TetherUiTestListener) listener = tether_ui_test_listener_new ();
  g_autofree char *destination = NULL;
  g_autoptr(TetherHost) host = NULL;
  g_autoptr(TetherHost) saved = NULL;
  g_autoptr(TetherHostStore) store = tether_host_store_new ();
  g_autofree char *config_path = g_build_filename (g_get_home_dir (), "adaptive.conf", NULL);
  g_autoptr(GFile) config = g_file_new_for_path (config_path);
  g_autoptr(GError) error = NULL;
  TetherWindow *window = fixture->window;
  TetherHostEditor *editor;
  GtkWindow *preferences;
  GtkWidget *page;

  /* A saved host (its row's menu button) and an open tab with the find bar (its buttons). */
  g_file_set_contents (config_path, "Host example\n  HostName example.test\n", -1, &error);
  g_assert_no_error (error);
  g_assert_true (tether_host_store_load_file (store, config, &error));
  g_assert_no_error (error);
  saved = g_list_model_get_item (G_LIST_MODEL (store), 0);
  tether_window_set_host_store (window, store);
  destination = g_strdup_printf ("user@127.0.0.1:%u",
                                 tether_ui_test_listener_get_port (listener));
  host = tether_host_new_for_destination (destination, &error);
  g_assert_no_error (error);
  page = adw_tab_page_get_child (tether_window_open_host (window, host));
  WAIT_UNTIL (gtk_widget_get_mapped (page));
  g_assert_true (gtk_widget_activate_action (page, "term.find", NULL));
  g_assert_cmpuint (assert_icon_buttons_labelled (GTK_WIDGET (window)), >=, 6);

  /* Folded: the back and tabs buttons. */
  gtk_window_set_default_size (GTK_WINDOW (window), NARROW_WIDTH, WINDOW_HEIGHT);
  WAIT_UNTIL (adw_leaflet_get_folded (ADW_LEAFLET (tether_ui_test_get_widget (window,
                                                                              "leaflet"))));
  assert_icon_buttons_labelled (GTK_WIDGET (window));

  /* The host editor, with a forward row (its remove button) and the colour swatches. */
  editor = tether_host_editor_new (GTK_WINDOW (window), store, saved);
  gtk_window_present (GTK_WINDOW (editor));
  WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (editor)));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.add-forward", NULL));
  g_assert_cmpuint (assert_icon_buttons_labelled (GTK_WIDGET (editor)), >=, 2);
  gtk_window_destroy (GTK_WINDOW (editor));

  g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
  WAIT_UNTIL ((preferences = find_toplevel (TETHER_TYPE_PREFERENCES_WINDOW)) != NULL);
  WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (preferences)));
  assert_icon_buttons_labelled (GTK_WIDGET (preferences));
  gtk_window_close (preferences);
  WAIT_UNTIL (find_toplevel (TETHER_TYPE_PREFERENCES_WINDOW) == NULL);
}

#define add_window_test(path, func) \
  g_test_add ((path), Fixture, NULL, fixture_set_up, (func), fixture_tear_down)

int
main (int   argc,
      char *argv[])
{
  int ret;

  tether_ui_test_init (&argc, &argv);

  app = tether_ui_test_new_application ();

  add_window_test ("/tether/adaptive/narrow-window", test_narrow_window);
  add_window_test ("/tether/adaptive/icon-buttons-labelled", test_icon_buttons_labelled);
  add_window_test ("/tether/adaptive/terminal-menu-keys", test_terminal_menu_keys);

  ret = g_test_run ();

  g_clear_object (&app);

  return ret;
}
