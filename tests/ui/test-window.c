/* test-window.c: the main window, the app-wide actions and the Preferences window, driven
 * through the actions, widgets and settings a user reaches. Runs on its own Xvfb, in its own
 * temporary home (tests/tether-test-env), with the memory GSettings backend and the build
 * tree's compiled schema. */
#include "config.h"

#include <adwaita.h>
#include <tether.h>

#include "tether-application.h"
#include "tether-preferences-window.h"
#include "tether-window.h"

#include "tether-ui-test.h"

static TetherApplication *app;

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

static GSettings *
new_settings (void)
{
  return g_settings_new (APP_ID);
}

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

static void
count_emission (gpointer  instance,
                guint    *count)
{
  (*count)++;
}

static void
test_empty_state (Fixture       *fixture,
                  gconstpointer  data)
{
  GtkWidget *stack = tether_ui_test_get_widget (fixture->window, "content_stack");
  GtkWidget *status = tether_ui_test_get_widget (fixture->window, "empty_page");
  GtkWidget *button = tether_ui_test_get_widget (fixture->window, "empty_add_host_button");
  GtkWidget *header_button = tether_ui_test_get_widget (fixture->window, "add_host_button");
  GtkWidget *tab_view = GTK_WIDGET (tether_window_get_tab_view (fixture->window));
  TetherHostStore *store = tether_window_get_host_store (fixture->window);

  /* Empty once the hosts are read (from the empty temporary home), not merely before. */
  g_assert_true (g_str_has_prefix (tether_host_store_get_hosts_path (store), g_get_home_dir ()));
  g_assert_true (g_str_has_prefix (tether_host_store_get_ssh_config_path (store),
                                   g_get_home_dir ()));
  WAIT_UNTIL (tether_host_store_get_loaded (store));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 0);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (stack)), ==, "empty");
  g_assert_cmpstr (adw_status_page_get_title (ADW_STATUS_PAGE (status)), ==, "No Saved Hosts");
  g_assert_nonnull (adw_status_page_get_icon_name (ADW_STATUS_PAGE (status)));

  WAIT_UNTIL (gtk_widget_get_mapped (button));
  g_assert_true (gtk_widget_is_drawable (button));
  g_assert_true (gtk_widget_is_sensitive (button));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (button)), ==, "_Add Host");
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (button)), ==, "win.add-host");
  g_assert_true (gtk_widget_has_css_class (button, "suggested-action"));

  g_assert_true (gtk_widget_get_mapped (header_button));
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (header_button)), ==,
                   "win.add-host");
  g_assert_cmpstr (gtk_widget_get_tooltip_text (header_button), ==, "Add Host");

  g_assert_false (gtk_widget_get_mapped (tab_view));
  g_assert_nonnull (tether_window_get_hosts_list (fixture->window));
}

static void
test_add_host_action (Fixture       *fixture,
                      gconstpointer  data)
{
  GtkWidget *button = tether_ui_test_get_widget (fixture->window, "empty_add_host_button");
  GtkWidget *header_button = tether_ui_test_get_widget (fixture->window, "add_host_button");
  guint count = 0;

  g_signal_connect (fixture->window, "add-host-requested", G_CALLBACK (count_emission), &count);

  /* The buttons naming it are sensitive while the action is enabled. */
  g_assert_true (gtk_widget_is_sensitive (header_button));
  g_assert_true (gtk_widget_is_sensitive (button));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.add-host", NULL));
  g_assert_cmpuint (count, ==, 1);

  /* The empty state's button reaches the same action. */
  g_signal_emit_by_name (button, "clicked");
  g_assert_cmpuint (count, ==, 2);
}

static void
collect_menu_items (GMenuModel *model,
                    GHashTable *items)
{
  for (int i = 0; i < g_menu_model_get_n_items (model); i++) {
    g_autofree char *label = NULL;
    g_autofree char *action = NULL;
    g_autoptr(GMenuModel) section = NULL;

    section = g_menu_model_get_item_link (model, i, G_MENU_LINK_SECTION);
    if (section != NULL) {
      collect_menu_items (section, items);
      continue;
    }

    g_assert_true (g_menu_model_get_item_attribute (model, i, G_MENU_ATTRIBUTE_ACTION,
                                                    "s", &action));
    g_assert_true (g_menu_model_get_item_attribute (model, i, G_MENU_ATTRIBUTE_LABEL,
                                                    "s", &label));
    g_hash_table_insert (items, g_steal_pointer (&action), g_steal_pointer (&label));
  }
}

static void
test_primary_menu (Fixture       *fixture,
                   gconstpointer  data)
{
  GtkWidget *menu_button = tether_ui_test_get_widget (fixture->window, "primary_menu_button");
  GMenuModel *model = gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (menu_button));
  g_autoptr(GHashTable) items = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  g_assert_nonnull (model);
  g_assert_true (gtk_menu_button_get_primary (GTK_MENU_BUTTON (menu_button)));
  collect_menu_items (model, items);

  g_assert_cmpstr (g_hash_table_lookup (items, "app.preferences"), ==, "_Preferences");
  g_assert_cmpstr (g_hash_table_lookup (items, "win.show-help-overlay"), ==,
                   "_Keyboard Shortcuts");
  g_assert_cmpstr (g_hash_table_lookup (items, "app.about"), ==, "_About Tether");

  /* Every entry leads somewhere: the actions exist, and the shortcuts window was found in
   * the resources under the app id's path. */
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (app), "preferences"));
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (app), "about"));
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (fixture->window),
                                            "show-help-overlay"));
  g_assert_nonnull (gtk_application_window_get_help_overlay (
                      GTK_APPLICATION_WINDOW (fixture->window)));
}

static void
test_accels (Fixture       *fixture,
             gconstpointer  data)
{
  static const struct {
    const char *action;
    const char *accel;
  } expected[] = {
    { "app.quit", "<Control>q" },
    { "app.preferences", "<Control>comma" },
    { "app.new-window", "<Shift><Control>n" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (expected); i++) {
    g_auto(GStrv) accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app),
                                                                  expected[i].action);

    g_assert_true (g_strv_contains ((const char * const *) accels, expected[i].accel));
  }
}

/* The window's own shortcuts (its class bindings), as accelerator -> action name: those that
 * run in the bubble phase, where a focused terminal gets the key first. */
static GHashTable *
collect_window_shortcuts (TetherWindow *window)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (window));
  GHashTable *shortcuts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++) {
    g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

    /* Only what runs after the focused widget; the application's accelerators (matched
     * before it) are checked as such. */
    if (!GTK_IS_SHORTCUT_CONTROLLER (controller) ||
        gtk_shortcut_controller_get_scope (GTK_SHORTCUT_CONTROLLER (controller)) !=
        GTK_SHORTCUT_SCOPE_LOCAL ||
        gtk_event_controller_get_propagation_phase (controller) != GTK_PHASE_BUBBLE)
      continue;

    for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++) {
      g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);
      GtkShortcutTrigger *trigger = gtk_shortcut_get_trigger (shortcut);
      GtkShortcutAction *action = gtk_shortcut_get_action (shortcut);
      const char *name;

      if (!GTK_IS_KEYVAL_TRIGGER (trigger) || !GTK_IS_NAMED_ACTION (action))
        continue;
      name = gtk_named_action_get_action_name (GTK_NAMED_ACTION (action));
      /* GtkApplicationWindow's own, for the help overlay: checked with the app's. */
      if ((!g_str_has_prefix (name, "win.") && !g_str_has_prefix (name, "tab.")) ||
          g_str_equal (name, "win.show-help-overlay"))
        continue;

      g_hash_table_insert (shortcuts,
                           gtk_accelerator_name (
                             gtk_keyval_trigger_get_keyval (GTK_KEYVAL_TRIGGER (trigger)),
                             gtk_keyval_trigger_get_modifiers (GTK_KEYVAL_TRIGGER (trigger))),
                           g_strdup (name));
    }
  }

  return shortcuts;
}

static void
collect_overlay_accels (GtkWidget  *root,
                        GHashTable *accels)
{
  if (GTK_IS_SHORTCUTS_SHORTCUT (root)) {
    g_autofree char *accelerator = NULL;
    g_autofree char *title = NULL;
    guint keyval;
    GdkModifierType mods;

    g_object_get (root, "accelerator", &accelerator, "title", &title, NULL);
    /* "<Alt>1...<Alt>9" is the tab view's own range. */
    if (gtk_accelerator_parse (accelerator, &keyval, &mods))
      g_hash_table_insert (accels, gtk_accelerator_name (keyval, mods), g_steal_pointer (&title));
  }

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_overlay_accels (child, accels);
}

static char *
normalize_accel (const char *accel)
{
  guint keyval;
  GdkModifierType mods;

  g_assert_true (gtk_accelerator_parse (accel, &keyval, &mods));
  return gtk_accelerator_name (keyval, mods);
}

/* Each window shortcut is declared once, the Keyboard Shortcuts window shows it, and what it
 * shows for the app and window does what it says. */
static void
test_shortcuts (Fixture       *fixture,
                gconstpointer  data)
{
  static const struct {
    const char *accel;
    const char *action;
    gboolean app_accel;   /* in the application's table, rather than a window class binding */
  } expected[] = {
    { "<Control>n", "win.add-host", FALSE },
    { "<Control>f", "win.search", FALSE },
    { "<Control><Shift>w", "win.close", TRUE },
    { "<Control><Shift>t", "win.new-tab", TRUE },
    { "<Control><Shift>p", "win.show-forwards('')", TRUE },
    { "<Control><Shift>n", "app.new-window", TRUE },
    { "<Control>comma", "app.preferences", TRUE },
    { "<Control>q", "app.quit", TRUE },
    { "<Control>question", "win.show-help-overlay", TRUE },
  };
  g_autoptr(GHashTable) window_shortcuts = collect_window_shortcuts (fixture->window);
  g_autoptr(GHashTable) overlay = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  GtkShortcutsWindow *help = gtk_application_window_get_help_overlay (
                               GTK_APPLICATION_WINDOW (fixture->window));
  GHashTableIter iter;
  gpointer key;
  gpointer value;

  g_assert_nonnull (help);
  collect_overlay_accels (GTK_WIDGET (help), overlay);

  for (gsize i = 0; i < G_N_ELEMENTS (expected); i++) {
    g_autofree char *accel = normalize_accel (expected[i].accel);
    g_auto(GStrv) app_accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app),
                                                                      expected[i].action);
    gboolean in_app_table = FALSE;

    for (guint j = 0; app_accels[j] != NULL; j++) {
      g_autofree char *app_accel = normalize_accel (app_accels[j]);

      in_app_table |= g_str_equal (app_accel, accel);
    }

    g_test_message ("%s: %s", expected[i].accel, expected[i].action);
    /* Shown in the Keyboard Shortcuts window... */
    g_assert_nonnull (g_hash_table_lookup (overlay, accel));
    /* ...declared one way only... */
    g_assert_cmpint (in_app_table, ==, expected[i].app_accel);
    if (expected[i].app_accel)
      g_assert_null (g_hash_table_lookup (window_shortcuts, accel));
    else
      g_assert_cmpstr (g_hash_table_lookup (window_shortcuts, accel), ==, expected[i].action);
    /* ...and naming an action that is there. */
    if (g_str_has_prefix (expected[i].action, "app."))
      g_assert_true (g_action_group_has_action (G_ACTION_GROUP (app), expected[i].action + 4));
  }

  /* No window shortcut the Keyboard Shortcuts window does not show. */
  g_hash_table_iter_init (&iter, window_shortcuts);
  while (g_hash_table_iter_next (&iter, &key, &value)) {
    g_test_message ("window shortcut %s: %s", (char *) key, (char *) value);
    g_assert_nonnull (g_hash_table_lookup (overlay, key));
  }

  /* The window's actions are reachable by their shortcuts' names. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.search", NULL));
  g_assert_true (gtk_search_bar_get_search_mode (
                   GTK_SEARCH_BAR (tether_ui_test_get_widget (fixture->window, "search_bar"))));
}

static void
test_about (Fixture       *fixture,
            gconstpointer  data)
{
  GtkWindow *about;

  g_action_group_activate_action (G_ACTION_GROUP (app), "about", NULL);
  WAIT_UNTIL ((about = find_toplevel (ADW_TYPE_ABOUT_WINDOW)) != NULL);

  g_assert_cmpstr (adw_about_window_get_application_name (ADW_ABOUT_WINDOW (about)), ==,
                   "Tether");
  g_assert_cmpstr (adw_about_window_get_version (ADW_ABOUT_WINDOW (about)), ==,
                   PACKAGE_VERSION);
  g_assert_cmpstr (adw_about_window_get_application_icon (ADW_ABOUT_WINDOW (about)), ==,
                   APP_ID);
  g_assert_cmpint (adw_about_window_get_license_type (ADW_ABOUT_WINDOW (about)), ==,
                   GTK_LICENSE_GPL_3_0);
  g_assert_cmpstr (adw_about_window_get_website (ADW_ABOUT_WINDOW (about)), ==,
                   "https://github.com/tetherssh/tether");
  g_assert_true (gtk_window_get_transient_for (about) == GTK_WINDOW (fixture->window));

  gtk_window_close (about);
  WAIT_UNTIL (find_toplevel (ADW_TYPE_ABOUT_WINDOW) == NULL);
}

static void
test_preferences (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GSettings) settings = new_settings ();
  GtkWindow *preferences;
  GtkWidget *auto_reconnect;
  GtkWidget *scrollback;
  GtkWidget *keepalive;
  GtkWidget *color_scheme;
  GtkWidget *font_row;
  gboolean was_auto_reconnect;
  g_autofree char *scheme = NULL;

  g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
  WAIT_UNTIL ((preferences = find_toplevel (TETHER_TYPE_PREFERENCES_WINDOW)) != NULL);
  g_assert_true (gtk_window_get_transient_for (preferences) == GTK_WINDOW (fixture->window));

  /* Switches write their key when the user flips them... */
  auto_reconnect = tether_ui_test_get_widget (preferences, "auto_reconnect_switch");
  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (preferences),
                                                "connections");
  WAIT_UNTIL (gtk_widget_get_mapped (auto_reconnect));
  was_auto_reconnect = g_settings_get_boolean (settings, "auto-reconnect");
  g_assert_cmpint (gtk_switch_get_active (GTK_SWITCH (auto_reconnect)), ==, was_auto_reconnect);
  gtk_widget_activate (auto_reconnect);
  /* The switch commits its new state when its slide animation ends. */
  WAIT_UNTIL (g_settings_get_boolean (settings, "auto-reconnect") == !was_auto_reconnect);

  /* ...and follow the key when something else changes it. */
  g_settings_set_boolean (settings, "auto-reconnect", was_auto_reconnect);
  g_assert_cmpint (gtk_switch_get_active (GTK_SWITCH (auto_reconnect)), ==, was_auto_reconnect);

  scrollback = tether_ui_test_get_widget (preferences, "scrollback_spin");
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (scrollback), 5000);
  g_assert_cmpint (g_settings_get_int (settings, "scrollback-lines"), ==, 5000);
  g_settings_set_int (settings, "scrollback-lines", 2000);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (scrollback)), ==, 2000);
  /* -1 keeps every line, and says so. */
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (scrollback), -1);
  g_assert_cmpint (g_settings_get_int (settings, "scrollback-lines"), ==, -1);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (scrollback)), ==, "Unlimited");
  g_settings_reset (settings, "scrollback-lines");

  keepalive = tether_ui_test_get_widget (preferences, "keepalive_spin");
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (keepalive), 30);
  g_assert_cmpuint (g_settings_get_uint (settings, "default-server-alive-interval"), ==, 30);
  g_settings_reset (settings, "default-server-alive-interval");

  /* The style applies to the whole app at once. */
  color_scheme = tether_ui_test_get_widget (preferences, "color_scheme_row");
  adw_combo_row_set_selected (ADW_COMBO_ROW (color_scheme), 2);
  scheme = g_settings_get_string (settings, "color-scheme");
  g_assert_cmpstr (scheme, ==, "dark");
  g_assert_cmpint (adw_style_manager_get_color_scheme (adw_style_manager_get_default ()), ==,
                   ADW_COLOR_SCHEME_FORCE_DARK);
  g_settings_reset (settings, "color-scheme");
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (color_scheme)), ==, 0);
  g_assert_cmpint (adw_style_manager_get_color_scheme (adw_style_manager_get_default ()), ==,
                   ADW_COLOR_SCHEME_DEFAULT);

  /* The custom font only matters without the system font. */
  font_row = tether_ui_test_get_widget (preferences, "font_row");
  g_settings_set_boolean (settings, "use-system-font", TRUE);
  g_assert_false (gtk_widget_get_sensitive (font_row));
  g_settings_set_boolean (settings, "use-system-font", FALSE);
  g_assert_true (gtk_widget_get_sensitive (font_row));
  g_settings_reset (settings, "use-system-font");

  gtk_window_close (preferences);
  WAIT_UNTIL (find_toplevel (TETHER_TYPE_PREFERENCES_WINDOW) == NULL);
}

static void
test_size_saved (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GSettings) settings = new_settings ();
  TetherWindow *window;
  int width;
  int height;

  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 900, 650);
  gtk_window_close (GTK_WINDOW (fixture->window));
  WAIT_UNTIL (fixture->window == NULL);

  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 900);
  g_assert_cmpint (g_settings_get_int (settings, "window-height"), ==, 650);
  g_assert_false (g_settings_get_boolean (settings, "window-maximized"));

  /* The next window opens at that size. */
  window = tether_window_new (GTK_APPLICATION (app));
  gtk_window_get_default_size (GTK_WINDOW (window), &width, &height);
  g_assert_cmpint (width, ==, 900);
  g_assert_cmpint (height, ==, 650);
  gtk_window_destroy (GTK_WINDOW (window));

  g_settings_reset (settings, "window-width");
  g_settings_reset (settings, "window-height");
}

typedef struct {
  TetherHost *host;
  guint count;
} OpenResult;

static void
store_host (TetherWindow *window,
            TetherHost   *host,
            OpenResult   *result)
{
  g_set_object (&result->host, host);
  result->count++;
}

static TetherTerminalPage *
selected_terminal (TetherWindow *window)
{
  AdwTabPage *page = adw_tab_view_get_selected_page (tether_window_get_tab_view (window));

  return page != NULL ? TETHER_TERMINAL_PAGE (adw_tab_page_get_child (page)) : NULL;
}

/* An ssh:// URI opens a tab to where it says: here a port on 127.0.0.1 that accepts and says
 * nothing, so the test sees the tab connect without leaving the machine. */
static void
test_open_ssh_uri (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(TetherUiTestListener) listener = tether_ui_test_listener_new ();
  g_autofree char *uri = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFile) other = g_file_new_for_path ("/nonexistent/not-ssh");
  AdwTabView *tab_view = tether_window_get_tab_view (fixture->window);
  OpenResult result = { NULL, 0 };
  TetherTerminalPage *terminal;

  uri = g_strdup_printf ("ssh://user@127.0.0.1:%u", tether_ui_test_listener_get_port (listener));
  file = g_file_new_for_uri (uri);
  g_signal_connect (fixture->window, "open-destination", G_CALLBACK (store_host), &result);

  g_application_open (G_APPLICATION (app), &file, 1, "");
  WAIT_UNTIL (result.host != NULL);

  g_assert_cmpuint (result.count, ==, 1);
  g_assert_cmpstr (tether_host_get_hostname (result.host), ==, "127.0.0.1");
  g_assert_cmpuint (tether_host_get_port (result.host), ==,
                    tether_ui_test_listener_get_port (listener));
  g_assert_cmpstr (tether_host_get_user (result.host), ==, "user");
  /* It went to the existing window rather than a new one, as a tab that connects there. */
  g_assert_cmpuint (g_list_length (gtk_application_get_windows (GTK_APPLICATION (app))), ==, 1);
  /* Once the saved hosts are read: the name goes through ~/.ssh/config first, as with ssh. */
  WAIT_UNTIL (adw_tab_view_get_n_pages (tab_view) == 1);
  terminal = selected_terminal (fixture->window);
  g_assert_nonnull (terminal);
  g_assert_cmpstr (tether_host_get_hostname (tether_terminal_page_get_host (terminal)), ==,
                   "127.0.0.1");
  g_assert_cmpuint (tether_host_get_port (tether_terminal_page_get_host (terminal)), ==,
                    tether_ui_test_listener_get_port (listener));
  g_assert_cmpstr (tether_host_get_user (tether_terminal_page_get_host (terminal)), ==, "user");
  WAIT_UNTIL (tether_ui_test_listener_get_n_clients (listener) == 1);

  /* Anything but ssh:// is refused with a toast, not opened. */
  g_application_open (G_APPLICATION (app), &other, 1, "");
  g_assert_cmpuint (result.count, ==, 1);
  g_assert_cmpint (adw_tab_view_get_n_pages (tab_view), ==, 1);

  g_clear_object (&result.host);
}

/* Whether @widget is a label that shows the text @data, as the user reads it. */
static gboolean
is_label_showing (GtkWidget     *widget,
                  gconstpointer  data)
{
  return GTK_IS_LABEL (widget) && strstr (gtk_label_get_text (GTK_LABEL (widget)), data) != NULL;
}

/* A toast that quotes the user's text (here an address that is not ssh://) shows it as
 * written: toast titles are markup, and "<b>&" in it is not. */
static void
test_toast_literal (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GFile) file = g_file_new_for_uri ("x-tether-test://host/<b>&amp;");
  g_autofree char *uri = g_file_get_uri (file);
  GtkWidget *label = NULL;

  /* The URI as GIO gives it back, that the message quotes. */
  g_assert_nonnull (strstr (uri, "<b>&"));
  g_application_open (G_APPLICATION (app), &file, 1, "");
  WAIT_UNTIL ((label = tether_ui_test_find_descendant (GTK_WIDGET (fixture->window),
                                                       is_label_showing, uri)) != NULL);
  g_assert_true (gtk_widget_get_ancestor (label, ADW_TYPE_TOAST_OVERLAY) != NULL);
}

static void
test_tabs (Fixture       *fixture,
           gconstpointer  data)
{
  AdwTabView *tab_view = tether_window_get_tab_view (fixture->window);
  GtkWidget *stack = tether_ui_test_get_widget (fixture->window, "content_stack");
  GtkWidget *title = tether_ui_test_get_widget (fixture->window, "content_title");
  AdwTabPage *page;

  page = adw_tab_view_append (tab_view, gtk_label_new ("page"));
  adw_tab_page_set_title (page, "example.test");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (stack)), ==, "tabs");
  g_assert_cmpstr (adw_window_title_get_title (ADW_WINDOW_TITLE (title)), ==, "example.test");
  adw_tab_page_set_title (page, "renamed");
  g_assert_cmpstr (adw_window_title_get_title (ADW_WINDOW_TITLE (title)), ==, "renamed");

  /* win.close closes the tab first, then the window. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.close", NULL));
  WAIT_UNTIL (adw_tab_view_get_n_pages (tab_view) == 0);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (stack)), ==, "empty");
  g_assert_cmpstr (adw_window_title_get_title (ADW_WINDOW_TITLE (title)), ==, "");
  g_assert_nonnull (fixture->window);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.close", NULL));
  WAIT_UNTIL (fixture->window == NULL);
}

static void
test_search (Fixture       *fixture,
             gconstpointer  data)
{
  GtkWidget *search_bar = tether_ui_test_get_widget (fixture->window, "search_bar");
  GtkWidget *search_button = tether_ui_test_get_widget (fixture->window, "search_button");

  g_assert_false (gtk_search_bar_get_search_mode (GTK_SEARCH_BAR (search_bar)));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.search", NULL));
  g_assert_true (gtk_search_bar_get_search_mode (GTK_SEARCH_BAR (search_bar)));
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (search_button)));

  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (search_button), FALSE);
  g_assert_false (gtk_search_bar_get_search_mode (GTK_SEARCH_BAR (search_bar)));
}

static void
test_new_window (Fixture       *fixture,
                 gconstpointer  data)
{
  g_action_group_activate_action (G_ACTION_GROUP (app), "new-window", NULL);
  WAIT_UNTIL (g_list_length (gtk_application_get_windows (GTK_APPLICATION (app))) == 2);
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

  add_window_test ("/tether/window/empty-state", test_empty_state);
  add_window_test ("/tether/window/add-host-action", test_add_host_action);
  add_window_test ("/tether/window/primary-menu", test_primary_menu);
  add_window_test ("/tether/window/accels", test_accels);
  add_window_test ("/tether/window/about", test_about);
  add_window_test ("/tether/window/preferences", test_preferences);
  add_window_test ("/tether/window/size-saved", test_size_saved);
  add_window_test ("/tether/window/open-ssh-uri", test_open_ssh_uri);
  add_window_test ("/tether/window/toast-literal", test_toast_literal);
  add_window_test ("/tether/window/tabs", test_tabs);
  add_window_test ("/tether/window/search", test_search);
  add_window_test ("/tether/window/new-window", test_new_window);
  add_window_test ("/tether/window/shortcuts", test_shortcuts);

  ret = g_test_run ();

  g_clear_object (&app);

  return ret;
}
