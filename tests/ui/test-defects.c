/* test-defects.c: the defects of issue 16, each seen as a user meets it, against a real sshd:
 * keys a shell program needs reach it, focus goes back to the terminal after a dialog or a
 * banner button, every shortcut the Keyboard Shortcuts window lists works, the host editor
 * keeps the chosen login method, broadcast shows that it is on, and the sidebar, tab titles,
 * file names, find bar and host key dialog say what they should.
 *
 * Keys go in as real key presses: xdotool sends them through the X server (XTest) to the
 * window, so GTK's whole shortcut machinery sees them as it sees a user's. Without xdotool
 * those tests are skipped. The test display has no window manager: nothing makes a window
 * active again after a transient dialog, so tests that need it check the window's focus
 * widget, or the app makes the window active itself. Runs on its own Xvfb with the memory
 * GSettings backend; needs root to start the test server, and skips without it. */
#include "config.h"

#include <adwaita.h>
#ifdef GDK_WINDOWING_X11
#include <gdk/x11/gdkx.h>
#endif
#include <math.h>
#include <glib/gstdio.h>
#include <string.h>
#include <tether.h>
#include <vte/vte.h>

#include "tether-application.h"
#include "tether-host-editor.h"
#include "tether-host-list.h"
#include "tether-terminal-page.h"
#include "tether-terminal-page-private.h"
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

/* The X window of @widget's toplevel, for xdotool. */
static char *
dup_xid (GtkWidget *widget)
{
#ifdef GDK_WINDOWING_X11
  GdkSurface *surface = gtk_native_get_surface (gtk_widget_get_native (widget));

  g_assert_true (GDK_IS_X11_SURFACE (surface));
  return g_strdup_printf ("%lu", (gulong) gdk_x11_surface_get_xid (surface));
#else
  g_assert_not_reached ();
#endif
}

/* Presses @keys (xdotool's names, space-separated: "ctrl+g", "a b Return") in @widget's
 * window, focused first, as a user would; the main loop runs meanwhile, so GTK handles them
 * as they come. */
static void
press_keys (GtkWidget  *widget,
            const char *keys)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *xid = dup_xid (widget);
  g_auto(GStrv) names = g_strsplit (keys, " ", -1);
  g_autoptr(GStrvBuilder) argv = g_strv_builder_new ();
  g_auto(GStrv) args = NULL;
  gboolean done = FALSE;

  g_strv_builder_add_many (argv, "xdotool", "windowfocus", "--sync", NULL);
  g_strv_builder_add (argv, xid);
  g_strv_builder_add_many (argv, "key", "--clearmodifiers", "--delay", "20", NULL);
  g_strv_builder_addv (argv, (const char **) names);
  args = g_strv_builder_end (argv);
  process = g_subprocess_newv ((const char * const *) args, G_SUBPROCESS_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_subprocess_wait_check_async (process, NULL, subprocess_done_cb, &done);
  WAIT_UNTIL (done);
}

/* Whether real key presses can be made here: skips the test when not. */
static gboolean
can_press_keys (void)
{
  g_autofree char *xdotool = g_find_program_in_path ("xdotool");

#ifdef GDK_WINDOWING_X11
  if (xdotool == NULL || !GDK_IS_X11_DISPLAY (gdk_display_get_default ())) {
    g_test_skip ("Real key presses need xdotool and an X display");
    return FALSE;
  }
  return TRUE;
#else
  g_test_skip ("Real key presses need xdotool and an X display");
  return FALSE;
#endif
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

static GtkWidget *
focus_of (GtkWidget *widget)
{
  return gtk_root_get_focus (gtk_widget_get_root (widget));
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

/* ------------------------------------------------------------------------- */
/* 4. The Keyboard Shortcuts window is true                                  */

static char *
normalize_accel (guint           keyval,
                 GdkModifierType mods)
{
  return gtk_accelerator_name (gdk_keyval_to_lower (keyval), mods);
}

/* Adds what @trigger is pressed with to @bound, as accelerator -> action. */
static void
add_trigger (GHashTable         *bound,
             GtkShortcutTrigger *trigger,
             const char         *action)
{
  if (GTK_IS_ALTERNATIVE_TRIGGER (trigger)) {
    add_trigger (bound, gtk_alternative_trigger_get_first (GTK_ALTERNATIVE_TRIGGER (trigger)),
                 action);
    add_trigger (bound, gtk_alternative_trigger_get_second (GTK_ALTERNATIVE_TRIGGER (trigger)),
                 action);
  } else if (GTK_IS_KEYVAL_TRIGGER (trigger)) {
    GtkKeyvalTrigger *keyval = GTK_KEYVAL_TRIGGER (trigger);

    g_hash_table_insert (bound,
                         normalize_accel (gtk_keyval_trigger_get_keyval (keyval),
                                          gtk_keyval_trigger_get_modifiers (keyval)),
                         g_strdup (action));
  }
}

/* The shortcuts of @widget's own controllers: accelerator -> action name ("" when it is not
 * an action: a callback of the widget's own, such as the tab view's). */
static void
add_widget_shortcuts (GHashTable *bound,
                      GtkWidget  *widget)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++) {
    g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

    if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
      continue;

    for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++) {
      g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);
      GtkShortcutAction *action = gtk_shortcut_get_action (shortcut);

      add_trigger (bound, gtk_shortcut_get_trigger (shortcut),
                   GTK_IS_NAMED_ACTION (action) ?
                   gtk_named_action_get_action_name (GTK_NAMED_ACTION (action)) : "");
    }
  }
}

static void
add_app_accels (GHashTable *bound)
{
  g_auto(GStrv) actions = gtk_application_list_action_descriptions (GTK_APPLICATION (app));

  for (guint i = 0; actions[i] != NULL; i++) {
    g_auto(GStrv) accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app),
                                                                  actions[i]);

    for (guint j = 0; accels[j] != NULL; j++) {
      guint keyval;
      GdkModifierType mods;

      g_assert_true (gtk_accelerator_parse (accels[j], &keyval, &mods));
      g_hash_table_insert (bound, normalize_accel (keyval, mods), g_strdup (actions[i]));
    }
  }
}

static void
collect_overlay (GtkWidget  *root,
                 GHashTable *listed)
{
  if (GTK_IS_SHORTCUTS_SHORTCUT (root)) {
    g_autofree char *accelerator = NULL;
    g_autofree char *title = NULL;
    g_auto(GStrv) accels = NULL;

    g_object_get (root, "accelerator", &accelerator, "title", &title, NULL);
    /* "<Alt>1...<Alt>9" is a range, "a b" two accelerators: check the ends. */
    accels = g_strsplit_set (accelerator, ". ", -1);
    for (guint i = 0; accels[i] != NULL; i++) {
      guint keyval;
      GdkModifierType mods;

      if (*accels[i] == '\0')
        continue;
      g_assert_true (gtk_accelerator_parse (accels[i], &keyval, &mods));
      g_hash_table_insert (listed, normalize_accel (keyval, mods), g_strdup (title));
    }
  }

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_overlay (child, listed);
}

/* What the Keyboard Shortcuts window lists is bound, and what is bound where a terminal has
 * the focus (the app's accelerators, the window's, the tab view's, the page's and the
 * terminal's shortcuts) is listed; then the tab keys work as real key presses. */
static void
test_shortcuts (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GHashTable) bound = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GHashTable) listed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GHashTable) listed_actions = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) bound_actions = g_hash_table_new (g_str_hash, g_str_equal);
  AdwTabView *tab_view = tether_window_get_tab_view (fixture->window);
  GtkShortcutsWindow *help;
  TetherTerminalPage *page;
  GHashTableIter iter;
  gpointer key;
  gpointer value;

  page = open_terminal (fixture->window);
  help = gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (fixture->window));
  g_assert_nonnull (help);
  collect_overlay (GTK_WIDGET (help), listed);

  add_app_accels (bound);
  add_widget_shortcuts (bound, GTK_WIDGET (fixture->window));
  add_widget_shortcuts (bound, GTK_WIDGET (tab_view));
  add_widget_shortcuts (bound, GTK_WIDGET (page));
  add_widget_shortcuts (bound, GTK_WIDGET (tether_terminal_page_get_terminal (page)));

  /* Listed means bound. */
  g_hash_table_iter_init (&iter, listed);
  while (g_hash_table_iter_next (&iter, &key, &value)) {
    const char *action = g_hash_table_lookup (bound, key);

    g_test_message ("listed %s (%s): %s", (char *) key, (char *) value, action);
    g_assert_nonnull (action);
    if (*action != '\0')
      g_hash_table_add (listed_actions, (gpointer) action);
  }

  /* Bound means listed, by at least one of an action's accelerators (zoom has several). */
  g_hash_table_iter_init (&iter, bound);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (*(char *) value != '\0')
      g_hash_table_add (bound_actions, value);
  g_hash_table_iter_init (&iter, bound_actions);
  while (g_hash_table_iter_next (&iter, &key, NULL)) {
    gboolean is_listed = FALSE;
    GHashTableIter accels;
    gpointer accel;
    gpointer action;

    g_hash_table_iter_init (&accels, bound);
    while (g_hash_table_iter_next (&accels, &accel, &action))
      is_listed |= g_str_equal (action, key) && g_hash_table_contains (listed, accel);
    g_test_message ("bound %s: listed %d", (char *) key, is_listed);
    g_assert_true (is_listed);
  }

  /* The terminal keys of a terminal: Ctrl+Shift, as other terminals have them. */
  g_assert_cmpstr (g_hash_table_lookup (bound, "<Shift><Control>w"), ==, "win.close");
  g_assert_cmpstr (g_hash_table_lookup (bound, "<Shift><Control>t"), ==, "win.new-tab");
  g_assert_cmpstr (g_hash_table_lookup (bound, "<Shift><Control>n"), ==, "app.new-window");
  g_assert_null (g_hash_table_lookup (bound, "<Control>w"));

  if (!can_press_keys ())
    return;

  /* With the terminal focused, as real key presses. */
  g_assert_true (terminal_has_focus (page));
  press_keys (GTK_WIDGET (page), "ctrl+shift+t");
  WAIT_UNTIL (adw_tab_view_get_n_pages (tab_view) == 2);
  page = tether_ui_test_tab_terminal (adw_tab_view_get_selected_page (tab_view));
  WAIT_UNTIL (tether_ui_test_is_connected (page) && terminal_has_focus (page));

  /* A tab whose shell runs asks first. */
  press_keys (GTK_WIDGET (page), "ctrl+shift+w");
  WAIT_UNTIL (tether_ui_test_find_message_dialog () != NULL);
  adw_message_dialog_response (tether_ui_test_find_message_dialog (), "close");
  WAIT_UNTIL (adw_tab_view_get_n_pages (tab_view) == 1);
  page = tether_ui_test_tab_terminal (adw_tab_view_get_selected_page (tab_view));
  WAIT_UNTIL (terminal_has_focus (page));

  press_keys (GTK_WIDGET (page), "ctrl+shift+n");
  WAIT_UNTIL (g_list_length (gtk_application_get_windows (GTK_APPLICATION (app))) == 2);
}

/* ------------------------------------------------------------------------- */
/* 3. The focus comes back to the terminal                                   */

static gboolean
is_entry (GtkWidget     *widget,
          gconstpointer  data)
{
  return GTK_IS_ENTRY (widget);
}

/* Clicks @widget with the mouse, in its middle, as a user would. */
static void
click_widget (GtkWidget *widget)
{
  GtkNative *native = gtk_widget_get_native (widget);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *xid = dup_xid (widget);
  g_autofree char *x = NULL;
  g_autofree char *y = NULL;
  graphene_point_t point;
  double nx;
  double ny;
  gboolean done = FALSE;

  g_assert_true (gtk_widget_compute_point (widget, GTK_WIDGET (native),
                                           &GRAPHENE_POINT_INIT (
                                             gtk_widget_get_width (widget) / 2.0,
                                             gtk_widget_get_height (widget) / 2.0),
                                           &point));
  /* From the native widget to its surface: the surface includes the CSD shadow. */
  gtk_native_get_surface_transform (native, &nx, &ny);
  x = g_strdup_printf ("%d", (int) (point.x + nx));
  y = g_strdup_printf ("%d", (int) (point.y + ny));
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, "xdotool",
                              "windowfocus", "--sync", xid,
                              "mousemove", "--window", xid, "--sync", x, y,
                              "click", "1", NULL);
  g_assert_no_error (error);
  g_subprocess_wait_check_async (process, NULL, subprocess_done_cb, &done);
  WAIT_UNTIL (done);
}

/* After renaming a tab with Enter, after saying no to a paste, and after the banner's
 * Reconnect, typing goes on in the terminal. */
static void
test_focus_returns (Fixture       *fixture,
                    gconstpointer  data)
{
  TetherTerminalPage *page;
  AdwMessageDialog *dialog;
  GtkWidget *entry;
  GtkWidget *reconnect;
  g_autoptr(GError) error = NULL;

  if (!can_press_keys ())
    return;

  page = open_terminal (fixture->window);
  g_assert_true (terminal_has_focus (page));

  /* Rename, answered with Enter in the dialog's entry. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "tab.rename", NULL));
  WAIT_UNTIL ((dialog = tether_ui_test_find_message_dialog ()) != NULL &&
              gtk_widget_get_mapped (GTK_WIDGET (dialog)));
  entry = tether_ui_test_find_descendant (GTK_WIDGET (dialog), is_entry, NULL);
  g_assert_nonnull (entry);
  gtk_editable_set_text (GTK_EDITABLE (entry), "renamed");
  press_keys (entry, "Return");
  WAIT_UNTIL (tether_ui_test_find_message_dialog () == NULL);
  g_assert_cmpstr (tether_terminal_page_get_title (page), ==, "renamed");
  WAIT_UNTIL (terminal_has_focus (page));
  type_byte_reader (page);
  type_and_expect (page, "a", "byte=97");

  /* A paste of several lines asks first; Escape says no. */
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (page)), "echo p1\necho p2\n");
  press_keys (GTK_WIDGET (page), "ctrl+shift+v");
  WAIT_UNTIL ((dialog = tether_ui_test_find_message_dialog ()) != NULL &&
              gtk_widget_get_mapped (GTK_WIDGET (dialog)));
  press_keys (GTK_WIDGET (dialog), "Escape");
  WAIT_UNTIL (tether_ui_test_find_message_dialog () == NULL);
  WAIT_UNTIL (terminal_has_focus (page));
  type_byte_reader (page);
  type_and_expect (page, "c", "byte=99");

  /* The connection drops; the banner's Reconnect, clicked, brings it back. */
  reconnect = tether_ui_test_get_widget (page, "reconnect_button");
  g_assert_true (tether_test_server_stop (server));
  WAIT_UNTIL (tether_terminal_page_get_state (page) == TETHER_TERMINAL_STATE_DISCONNECTED &&
              gtk_widget_get_mapped (reconnect));
  /* Where the button is once the banner has slid in. */
  WAIT_UNTIL (gtk_revealer_get_child_revealed (
                GTK_REVEALER (gtk_widget_get_ancestor (reconnect, GTK_TYPE_REVEALER))));
  g_assert_true (tether_test_server_start (server, &error));
  g_assert_no_error (error);
  click_widget (reconnect);
  WAIT_UNTIL (tether_ui_test_is_connected (page));
  WAIT_UNTIL (terminal_has_focus (page));
  type_byte_reader (page);
  type_and_expect (page, "b", "byte=98");
}

/* ------------------------------------------------------------------------- */
/* 5. The host editor keeps "Password"                                       */

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
removed_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(GError) error = NULL;

  tether_host_store_remove_finish (TETHER_HOST_STORE (source), result, &error);
  g_assert_no_error (error);
  *done = TRUE;
}

/* Removes every saved host, for the next test. */
static void
remove_hosts (TetherHostStore *store)
{
  while (g_list_model_get_n_items (G_LIST_MODEL (store)) > 0) {
    g_autoptr(TetherHost) host = g_list_model_get_item (G_LIST_MODEL (store), 0);
    gboolean done = FALSE;

    tether_host_store_remove_async (store, host, NULL, removed_cb, &done);
    WAIT_UNTIL (done);
  }
}

static void
test_editor_password (Fixture       *fixture,
                      gconstpointer  data)
{
  TetherHostStore *store = tether_window_get_host_store (fixture->window);
  GtkListBox *list_box = tether_host_list_get_list_box (
                           tether_window_get_host_list (fixture->window));
  TetherHostEditor *editor;
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;

  WAIT_UNTIL (tether_host_store_get_loaded (store));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.add-host", NULL));
  WAIT_UNTIL ((editor = TETHER_HOST_EDITOR (find_toplevel (TETHER_TYPE_HOST_EDITOR))) != NULL);
  g_object_add_weak_pointer (G_OBJECT (editor), (gpointer *) &editor);
  gtk_editable_set_text (GTK_EDITABLE (tether_ui_test_get_widget (editor, "label_row")),
                         "Password Host");
  gtk_editable_set_text (GTK_EDITABLE (tether_ui_test_get_widget (editor, "hostname_row")),
                         "password.example.test");
  adw_combo_row_set_selected (ADW_COMBO_ROW (tether_ui_test_get_widget (editor, "auth_row")),
                              TETHER_HOST_AUTH_PASSWORD);
  gtk_switch_set_active (GTK_SWITCH (tether_ui_test_get_widget (editor, "remember_switch")),
                         FALSE);
  gtk_editable_set_text (GTK_EDITABLE (tether_ui_test_get_widget (editor, "password_row")),
                         "not-on-disk-4711");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.save", NULL));
  WAIT_UNTIL (editor == NULL);
  /* The method is in the file, in OpenSSH's words; the password is not. */
  g_assert_true (g_file_get_contents (tether_host_store_get_hosts_path (store), &contents, NULL,
                                      &error));
  g_assert_no_error (error);
  g_assert_nonnull (strstr (contents, "PreferredAuthentications password"));
  g_assert_null (strstr (contents, "not-on-disk"));
  g_clear_pointer (&contents, g_free);

  /* Opened again: still Password, and not remembered. */
  WAIT_UNTIL (gtk_list_box_get_row_at_index (list_box, 0) != NULL);
  g_assert_true (gtk_widget_activate_action (
                   GTK_WIDGET (gtk_list_box_get_row_at_index (list_box, 0)), "host.edit", NULL));
  WAIT_UNTIL ((editor = TETHER_HOST_EDITOR (find_toplevel (TETHER_TYPE_HOST_EDITOR))) != NULL);
  g_object_add_weak_pointer (G_OBJECT (editor), (gpointer *) &editor);
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (tether_ui_test_get_widget (
                                                  editor, "auth_row"))), ==,
                    TETHER_HOST_AUTH_PASSWORD);
  g_assert_false (gtk_switch_get_active (GTK_SWITCH (tether_ui_test_get_widget (
                                                       editor, "remember_switch"))));

  /* Back to the agent: the password order goes. */
  adw_combo_row_set_selected (ADW_COMBO_ROW (tether_ui_test_get_widget (editor, "auth_row")),
                              TETHER_HOST_AUTH_AGENT);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.save", NULL));
  WAIT_UNTIL (editor == NULL);
  g_assert_true (g_file_get_contents (tether_host_store_get_hosts_path (store), &contents, NULL,
                                      &error));
  g_assert_no_error (error);
  g_assert_null (strstr (contents, "PreferredAuthentications"));

  remove_hosts (store);
}

/* ------------------------------------------------------------------------- */
/* 6. Broadcast is seen to be on                                             */

static double
channel_linear (guint8 value)
{
  double c = value / 255.0;

  return c <= 0.03928 ? c / 12.92 : pow ((c + 0.055) / 1.055, 2.4);
}

/* The relative luminance of an opaque pixel (WCAG 2). */
static double
luminance (const guint8 *rgba)
{
  return 0.2126 * channel_linear (rgba[0]) + 0.7152 * channel_linear (rgba[1]) +
         0.0722 * channel_linear (rgba[2]);
}

static double
contrast (double a,
          double b)
{
  return (MAX (a, b) + 0.05) / (MIN (a, b) + 0.05);
}

/* How long style transitions may run: libadwaita's buttons fade in 200 ms. */
#define TRANSITION_USEC (400 * G_TIME_SPAN_MILLISECOND)

typedef struct {
  gint64 start;
  gboolean done;
} FrameWait;

static gboolean
on_frame (GtkWidget     *widget,
          GdkFrameClock *clock,
          gpointer       user_data)
{
  FrameWait *wait = user_data;
  gint64 now = gdk_frame_clock_get_frame_time (clock);

  if (wait->start == 0)
    wait->start = now;
  wait->done = now - wait->start >= TRANSITION_USEC;
  return wait->done ? G_SOURCE_REMOVE : G_SOURCE_CONTINUE;
}

/* Waits until @widget's style follows its state and its transitions are over. */
static void
wait_frames (GtkWidget *widget)
{
  FrameWait wait = { 0, FALSE };

  gtk_widget_add_tick_callback (widget, on_frame, &wait, NULL);
  WAIT_UNTIL (wait.done);
}

/* @widget as drawn now, on its window's background, as RGBA bytes of *@width × *@height. */
static guint8 *
render_widget (GtkWidget *widget,
               int       *width,
               int       *height)
{
  GtkNative *native = gtk_widget_get_native (widget);
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree guint32 *argb = NULL;
  guint8 *rgba;
  wait_frames (widget);

  *width = gtk_widget_get_width (widget);
  *height = gtk_widget_get_height (widget);
  g_assert_cmpint (*width, >, 0);
  /* What is behind a flat button: the header bar's colour, near enough. */
  gtk_snapshot_append_color (snapshot, &(GdkRGBA) { 0, 0, 0, 0 },
                             &GRAPHENE_RECT_INIT (0, 0, *width, *height));
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), *width, *height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (native), node,
                                         &GRAPHENE_RECT_INIT (0, 0, *width, *height));
  argb = g_new (guint32, *width * *height);
  gdk_texture_download (texture, (guchar *) argb, *width * 4);
  if (g_getenv ("TETHER_TEST_SAVE_PNG") != NULL) {
    g_autofree char *name = g_strdup_printf ("%s/widget-%p-%" G_GINT64_FORMAT ".png",
                                             g_getenv ("TETHER_TEST_SAVE_PNG"), widget,
                                             g_get_monotonic_time ());
    gdk_texture_save_to_png (texture, name);
  }
  rgba = g_new (guint8, *width * *height * 4);
  for (int i = 0; i < *width * *height; i++) {
    guint8 a = argb[i] >> 24;
    /* Composited on the light or dark window background the test asks for. */
    guint8 back = adw_style_manager_get_dark (adw_style_manager_get_default ()) ? 0x30 : 0xeb;

    for (int c = 0; c < 3; c++) {
      guint8 premul = (argb[i] >> (16 - 8 * c)) & 0xff;

      rgba[i * 4 + c] = premul + back * (255 - a) / 255;
    }
    rgba[i * 4 + 3] = 255;
  }
  return rgba;
}

/* How well the icon of a rendered button stands out from the button's own background: the
 * background is the pixel just inside its middle left edge, the icon the pixel of the
 * middle row that differs most from it. */
static double
icon_contrast (const guint8 *rgba,
               int           width,
               int           height,
               double       *background)
{
  int row = height / 2;
  double back = luminance (rgba + (row * width + 3) * 4);
  double best = 1.0;

  for (int x = 0; x < width; x++)
    best = MAX (best, contrast (back, luminance (rgba + (row * width + x) * 4)));
  *background = back;
  return best;
}

static void
check_broadcast_button (TetherWindow *window,
                        GtkWidget    *button)
{
  g_autofree guint8 *off = NULL;
  g_autofree guint8 *on = NULL;
  double off_back;
  double on_back;
  double on_contrast;
  int width;
  int height;

  if (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (button)))
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.broadcast", NULL));
  WAIT_UNTIL (gtk_widget_get_mapped (button));
  off = render_widget (button, &width, &height);
  icon_contrast (off, width, height, &off_back);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.broadcast", NULL));
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (button)));
  g_assert_true (gtk_widget_get_state_flags (button) & GTK_STATE_FLAG_CHECKED);
  on = render_widget (button, &width, &height);
  on_contrast = icon_contrast (on, width, height, &on_back);

  g_test_message ("broadcast (%s): background off %.3f on %.3f, icon contrast on %.2f",
                  adw_style_manager_get_dark (adw_style_manager_get_default ()) ?
                  "dark" : "light", off_back, on_back, on_contrast);
  /* On looks unlike off at a glance, and its icon stands out (WCAG: 3 for graphics). */
  g_assert_cmpfloat (contrast (off_back, on_back), >=, 1.5);
  g_assert_cmpfloat (on_contrast, >=, 3.0);
  g_assert_true (gtk_widget_has_css_class (button, "broadcast-button"));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.broadcast", NULL));
}

static void
test_broadcast_visible (Fixture       *fixture,
                        gconstpointer  data)
{
  AdwStyleManager *style = adw_style_manager_get_default ();
  GtkWidget *button = tether_ui_test_get_widget (fixture->window, "broadcast_button");

  open_terminal (fixture->window);
  open_terminal (fixture->window);

  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_LIGHT);
  check_broadcast_button (fixture->window, button);
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  check_broadcast_button (fixture->window, button);
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
}

/* ------------------------------------------------------------------------- */
/* 7c. Tab titles say the host                                               */

static void
test_tab_title (Fixture       *fixture,
                gconstpointer  data)
{
  TetherTerminalPage *page = open_terminal (fixture->window);
  TetherHost *host = tether_terminal_page_get_host (page);
  g_autofree char *named = NULL;

  /* What shells set: their own name for the machine, not the user's. */
  tether_ui_test_type (page, "printf '\\033]0;%s\\007' 'user@vm: ~'\n");
  WAIT_UNTIL (g_strcmp0 (tether_terminal_page_get_title (page),
                         "Test Server — user@vm: ~") == 0);

  /* A title that names the host already is shown as it is. */
  named = g_strdup_printf ("user@%s: ~", tether_host_get_hostname (host));
  tether_ui_test_type (page, "printf '\\033]0;user@%s: ~\\007' ");
  tether_ui_test_type (page, tether_host_get_hostname (host));
  tether_ui_test_type (page, "\n");
  WAIT_UNTIL (g_strcmp0 (tether_terminal_page_get_title (page), named) == 0);
}

/* ------------------------------------------------------------------------- */
/* 7d. Save Contents suggests a plain file name                              */

static void
test_save_name (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(TetherHost) host = tether_ui_test_new_host (server);
  TetherTerminalPage *page;
  g_autofree char *name = NULL;

  /* A host opened from a URL is named after it. */
  tether_host_set_label (host, "ssh://user@127.0.0.1:53529");
  page = tether_ui_test_tab_terminal (tether_window_open_host (fixture->window, host));
  /* What the file chooser is given (not shown here: its modules leak at load time). */
  name = _tether_terminal_page_dup_save_name (page);
  g_test_message ("suggested: %s", name);
  g_assert_true (g_regex_match_simple ("^ssh-user-127\\.0\\.0\\.1-53529-"
                                       "20[0-9][0-9]-[01][0-9]-[0-3][0-9]-[0-2][0-9][0-5][0-9]"
                                       "\\.txt$", name, 0, 0));
}

/* ------------------------------------------------------------------------- */
/* 7e. --help mentions ssh:// URLs                                           */

static void
test_help (void)
{
  const char *build_root = g_getenv ("TETHER_BUILD_ROOT");
  g_autofree char *tether = NULL;
  g_autofree char *out = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;

  if (build_root == NULL) {
    g_test_skip ("TETHER_BUILD_ROOT is not set");
    return;
  }
  tether = g_build_filename (build_root, "src", "tether", NULL);
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, tether, "--help", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_test_message ("%s", out);
  g_assert_true (g_subprocess_get_successful (process));
  g_assert_nonnull (strstr (out, "ssh://"));
  g_assert_null (strstr (out, "FILE"));
}

/* ------------------------------------------------------------------------- */
/* 7f. The find bar says when nothing matches                                */

static void
test_find_no_match (Fixture       *fixture,
                    gconstpointer  data)
{
  TetherTerminalPage *page = open_terminal (fixture->window);
  VteTerminal *terminal = tether_terminal_page_get_terminal (page);
  GtkWidget *entry = tether_ui_test_get_widget (page, "search_entry");

  tether_ui_test_type (page, "echo found-$((6*7))\n");
  WAIT_UNTIL (tether_ui_test_screen_contains (page, "found-42"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "term.find", NULL));

  gtk_editable_set_text (GTK_EDITABLE (entry), "nowhere-to-be-found");
  WAIT_UNTIL (gtk_widget_has_css_class (entry, "error"));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (entry), ==, "No matches");

  gtk_editable_set_text (GTK_EDITABLE (entry), "found-42");
  WAIT_UNTIL (vte_terminal_get_has_selection (terminal));
  g_assert_false (gtk_widget_has_css_class (entry, "error"));
  g_assert_null (gtk_widget_get_tooltip_text (entry));
}

/* ------------------------------------------------------------------------- */
/* 7g. The host key's fingerprint on one line                                */

static void
test_fingerprint_line (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(TetherHost) host = tether_ui_test_new_host (server);
  g_autofree char *dir = NULL;
  g_autofree char *known_hosts = NULL;
  g_autoptr(GError) error = NULL;
  const char *fingerprint = tether_test_server_get_host_key_fingerprint (server);
  TetherTerminalPage *page;
  AdwMessageDialog *dialog;
  GtkWidget *label;
  int natural;

  /* Nothing known: the first connection asks. */
  dir = g_dir_make_tmp ("tether-known-XXXXXX", &error);
  g_assert_no_error (error);
  known_hosts = g_build_filename (dir, "known_hosts", NULL);
  g_assert_true (g_file_set_contents (known_hosts, "", 0, &error));
  tether_host_set_known_hosts_file (host, known_hosts);
  page = tether_ui_test_tab_terminal (tether_window_open_host (fixture->window, host));
  WAIT_UNTIL ((dialog = tether_ui_test_find_message_dialog ()) != NULL &&
              gtk_widget_get_mapped (GTK_WIDGET (dialog)));

  label = tether_ui_test_get_widget (dialog, "fingerprint_label");
  WAIT_UNTIL (gtk_widget_get_width (label) > 0);
  if (g_getenv ("TETHER_TEST_SAVE_PNG") != NULL) {
    int width;
    int height;

    g_free (render_widget (GTK_WIDGET (dialog), &width, &height));
  }
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (label)), ==, fingerprint);
  g_assert_null (strstr (adw_message_dialog_get_body (dialog), fingerprint));
  g_assert_true (gtk_label_get_selectable (GTK_LABEL (label)));
  g_assert_true (gtk_widget_has_css_class (label, "monospace"));
  g_assert_false (gtk_label_get_wrap (GTK_LABEL (label)));
  /* Shown whole, on one line. */
  g_assert_cmpint (pango_layout_get_line_count (gtk_label_get_layout (GTK_LABEL (label))), ==, 1);
  gtk_widget_measure (label, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &natural, NULL, NULL);
  g_assert_cmpint (gtk_widget_get_width (label), >=, natural);

  /* Accepted: the new tab's terminal is still its window's focus, and takes what is typed
   * (making the window active again is the window manager's part: there is none here). */
  adw_message_dialog_response (dialog, "once");
  WAIT_UNTIL (tether_ui_test_find_message_dialog () == NULL);
  WAIT_UNTIL (tether_ui_test_is_connected (page));
  g_assert_true (gtk_window_get_focus (GTK_WINDOW (fixture->window)) ==
                 GTK_WIDGET (tether_terminal_page_get_terminal (page)));
  if (can_press_keys ()) {
    type_byte_reader (page);
    type_and_expect (page, "d", "byte=100");
  }
  g_assert_cmpint (g_unlink (known_hosts), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* ------------------------------------------------------------------------- */
/* 7a, 7b. The sidebar                                                       */

static void
added_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(GError) error = NULL;

  tether_host_store_add_finish (TETHER_HOST_STORE (source), result, &error);
  g_assert_no_error (error);
  *done = TRUE;
}

/* Saves a host of the test server in @window's store; returns the store's own object. */
static TetherHost *
save_host (TetherWindow *window,
           const char   *label,
           const char   *colour)
{
  TetherHostStore *store = tether_window_get_host_store (window);
  g_autoptr(TetherHost) template = tether_ui_test_new_host (server);
  g_autofree char *alias = g_ascii_strdown (label, -1);
  g_autoptr(TetherHost) draft = tether_host_new (g_strdelimit (alias, " ", '-'));
  GListModel *hosts = G_LIST_MODEL (store);
  gboolean done = FALSE;

  WAIT_UNTIL (tether_host_store_get_loaded (store));
  tether_host_set_hostname (draft, tether_host_get_hostname (template));
  tether_host_set_port (draft, tether_host_get_port (template));
  tether_host_set_user (draft, tether_host_get_user (template));
  tether_host_set_identity_files (draft, tether_host_get_identity_files (template));
  tether_host_set_identities_only (draft, TRUE);
  tether_host_set_known_hosts_file (draft, tether_host_get_known_hosts_file (template));
  tether_host_set_label (draft, label);
  tether_host_set_colour (draft, colour);
  tether_host_store_add_async (store, draft, NULL, added_cb, &done);
  WAIT_UNTIL (done);

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

static TetherWindow *
find_other_window (TetherWindow *window)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL; l = l->next)
    if (TETHER_IS_WINDOW (l->data) && l->data != window)
      return l->data;

  return NULL;
}

/* A tab moved to a new window takes its host's state along to that window's sidebar. */
static void
test_moved_tab_state (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(TetherHost) host = save_host (fixture->window, "Moving Host", NULL);
  AdwTabView *tab_view = tether_window_get_tab_view (fixture->window);
  AdwTabPage *first;
  TetherWindow *other;

  first = tether_window_open_host (fixture->window, host);
  tether_window_open_host (fixture->window, host);
  WAIT_UNTIL (tether_ui_test_is_connected (tether_ui_test_tab_terminal (first)));
  WAIT_UNTIL (row_status_has (fixture->window, host, "Connected"));

  /* From the tab menu, as a right click on the tab opens it. */
  g_signal_emit_by_name (tab_view, "setup-menu", first);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window),
                                             "tab.move-to-new-window", NULL));
  g_signal_emit_by_name (tab_view, "setup-menu", NULL);
  WAIT_UNTIL ((other = find_other_window (fixture->window)) != NULL);
  g_assert_cmpint (adw_tab_view_get_n_pages (tether_window_get_tab_view (other)), ==, 1);
  WAIT_UNTIL (tether_host_store_get_loaded (tether_window_get_host_store (other)));
  WAIT_UNTIL (row_status_has (other, host, "Connected"));

  remove_hosts (tether_window_get_host_store (fixture->window));
}

static gboolean
has_name (GtkWidget     *widget,
          gconstpointer  name)
{
  return g_strcmp0 (gtk_widget_get_name (widget), name) == 0;
}

/* The row of the host labelled @label in @window's sidebar, or NULL. */
static GtkWidget *
find_row (TetherWindow *window,
          const char   *label)
{
  GtkListBox *list_box = tether_host_list_get_list_box (tether_window_get_host_list (window));
  GtkListBoxRow *row;

  for (int i = 0; (row = gtk_list_box_get_row_at_index (list_box, i)) != NULL; i++) {
    GtkWidget *title = g_object_get_data (G_OBJECT (row), "tether-title");

    if (title != NULL && g_strcmp0 (gtk_label_get_text (GTK_LABEL (title)), label) == 0)
      return GTK_WIDGET (row);
  }
  return NULL;
}

/* Hosts from ~/.ssh/config say so; a saved host's colour shows in its row. */
static void
test_sidebar_marks (Fixture       *fixture,
                    gconstpointer  data)
{
  TetherHostStore *store = tether_window_get_host_store (fixture->window);
  g_autofree char *ssh_dir = g_build_filename (g_get_home_dir (), ".ssh", NULL);
  g_autofree char *config = g_build_filename (ssh_dir, "config", NULL);
  g_autoptr(TetherHost) saved = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *row;
  GtkWidget *widget;

  WAIT_UNTIL (tether_host_store_get_loaded (store));
  g_assert_cmpint (g_mkdir_with_parents (ssh_dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (config, "Host config-box\n  HostName box.example.test\n",
                                      -1, &error));
  g_assert_no_error (error);
  saved = save_host (fixture->window, "Coloured Host", "#e01b24");

  WAIT_UNTIL (find_row (fixture->window, "config-box") != NULL);
  row = find_row (fixture->window, "config-box");
  widget = tether_ui_test_find_descendant (row, has_name, "source-label");
  g_assert_nonnull (widget);
  g_assert_true (gtk_widget_get_visible (widget));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (widget)), ==, "ssh_config");
  widget = tether_ui_test_find_descendant (row, has_name, "colour-dot");
  g_assert_cmpfloat (gtk_widget_get_opacity (widget), ==, 0.0);

  WAIT_UNTIL (find_row (fixture->window, "Coloured Host") != NULL);
  row = find_row (fixture->window, "Coloured Host");
  widget = tether_ui_test_find_descendant (row, has_name, "source-label");
  g_assert_true (widget == NULL || !gtk_widget_get_visible (widget));
  widget = tether_ui_test_find_descendant (row, has_name, "colour-dot");
  g_assert_nonnull (widget);
  g_assert_true (gtk_widget_get_visible (widget));
  g_assert_cmpfloat (gtk_widget_get_opacity (widget), ==, 1.0);
  /* A colour changed later shows too; none hides the dot. */
  tether_host_set_colour (saved, NULL);
  WAIT_UNTIL (gtk_widget_get_opacity (widget) == 0.0);

  if (g_getenv ("TETHER_TEST_SAVE_PNG") != NULL) {
    int width;
    int height;

    tether_host_set_colour (saved, "#3584e4");
    WAIT_UNTIL (gtk_widget_get_opacity (widget) == 1.0);
    g_free (render_widget (GTK_WIDGET (tether_window_get_host_list (fixture->window)), &width,
                           &height));
  }

  g_assert_cmpint (g_unlink (config), ==, 0);
  WAIT_UNTIL (find_row (fixture->window, "config-box") == NULL);
  remove_hosts (store);
}

/* ------------------------------------------------------------------------- */
/* Keyboard only: add a host, connect, a second tab, find, close             */

static gboolean
focus_within (GtkWidget *widget)
{
  GtkWidget *focus = focus_of (widget);

  return focus != NULL && (focus == widget || gtk_widget_is_ancestor (focus, widget));
}

static void
copy_file (const char *from,
           const char *to)
{
  g_autofree char *contents = NULL;
  gsize length;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_get_contents (from, &contents, &length, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_set_contents_full (to, contents, length, G_FILE_SET_CONTENTS_CONSISTENT,
                                           0600, &error));
  g_assert_no_error (error);
}

static void
test_keyboard_walk (Fixture       *fixture,
                    gconstpointer  data)
{
  TetherWindow *window = fixture->window;
  TetherHostStore *store = tether_window_get_host_store (window);
  AdwTabView *tab_view = tether_window_get_tab_view (window);
  g_autoptr(TetherHost) template = tether_ui_test_new_host (server);
  g_autofree char *ssh_dir = g_build_filename (g_get_home_dir (), ".ssh", NULL);
  g_autofree char *key = g_build_filename (ssh_dir, "id_ed25519", NULL);
  g_autofree char *known_hosts = g_build_filename (ssh_dir, "known_hosts", NULL);
  g_autofree char *port = NULL;
  TetherHostEditor *editor;
  TetherTerminalPage *page;
  AdwMessageDialog *dialog;
  GtkWidget *entry;

  if (!can_press_keys ())
    return;

  /* The user's own key and known hosts, where ssh keeps them: the editor's default login
   * (agent and default keys) finds them without a file chooser. */
  g_assert_cmpint (g_mkdir_with_parents (ssh_dir, 0700), ==, 0);
  copy_file (tether_host_get_identity_files (template)[0], key);
  copy_file (tether_host_get_known_hosts_file (template), known_hosts);
  WAIT_UNTIL (tether_host_store_get_loaded (store));

  /* Add a host: Ctrl+N, then type into the editor's rows, Tab between them, Ctrl+S. */
  press_keys (GTK_WIDGET (window), "ctrl+n");
  WAIT_UNTIL ((editor = TETHER_HOST_EDITOR (find_toplevel (TETHER_TYPE_HOST_EDITOR))) != NULL &&
              gtk_widget_get_mapped (GTK_WIDGET (editor)));
  g_object_add_weak_pointer (G_OBJECT (editor), (gpointer *) &editor);
  WAIT_UNTIL (focus_within (tether_ui_test_get_widget (editor, "label_row")));
  press_keys (GTK_WIDGET (editor), "w a l k Tab");
  WAIT_UNTIL (focus_within (tether_ui_test_get_widget (editor, "hostname_row")));
  press_keys (GTK_WIDGET (editor), "1 2 7 period 0 period 0 period 1 Tab");
  /* The port's row first, then its spin button. */
  WAIT_UNTIL (focus_within (tether_ui_test_get_widget (editor, "port_row")));
  press_keys (GTK_WIDGET (editor), "Tab");
  WAIT_UNTIL (focus_within (tether_ui_test_get_widget (editor, "port_spin")));
  {
    g_autofree char *digits = g_strdup_printf ("%u", tether_host_get_port (template));
    GString *keys = g_string_new ("ctrl+a");

    for (const char *d = digits; *d != '\0'; d++)
      g_string_append_printf (keys, " %c", *d);
    g_string_append (keys, " Tab");
    port = g_string_free (keys, FALSE);
  }
  press_keys (GTK_WIDGET (editor), port);
  WAIT_UNTIL (focus_within (tether_ui_test_get_widget (editor, "user_row")));
  WAIT_UNTIL (focus_within (tether_ui_test_get_widget (editor, "user_row")));
  {
    GString *keys = g_string_new (NULL);

    for (const char *c = tether_host_get_user (template); *c != '\0'; c++)
      g_string_append_printf (keys, "%s%c", keys->len > 0 ? " " : "", *c);
    press_keys (GTK_WIDGET (editor), keys->str);
    g_string_free (keys, TRUE);
  }
  press_keys (GTK_WIDGET (editor), "ctrl+s");
  WAIT_UNTIL (editor == NULL);
  WAIT_UNTIL (find_row (window, "walk") != NULL);

  /* Connect: Ctrl+F to the sidebar's search, Tab to the host, Enter. */
  press_keys (GTK_WIDGET (window), "ctrl+f w a l k");
  press_keys (GTK_WIDGET (window), "Tab");
  WAIT_UNTIL (focus_within (find_row (window, "walk")));
  press_keys (GTK_WIDGET (window), "Return");
  WAIT_UNTIL (adw_tab_view_get_n_pages (tab_view) == 1);
  page = tether_ui_test_tab_terminal (adw_tab_view_get_selected_page (tab_view));
  WAIT_UNTIL (tether_ui_test_is_connected (page) && terminal_has_focus (page));

  /* A second tab on the same host. */
  press_keys (GTK_WIDGET (window), "ctrl+shift+t");
  WAIT_UNTIL (adw_tab_view_get_n_pages (tab_view) == 2);
  page = tether_ui_test_tab_terminal (adw_tab_view_get_selected_page (tab_view));
  WAIT_UNTIL (tether_ui_test_is_connected (page) && terminal_has_focus (page));

  /* Type, then find it; Escape goes back to the terminal. */
  type_and_expect (page, "e c h o space w a l k e d minus 4 2 Return", "walked-42");
  press_keys (GTK_WIDGET (window), "ctrl+shift+f");
  entry = tether_ui_test_get_widget (page, "search_entry");
  WAIT_UNTIL (focus_within (entry));
  press_keys (GTK_WIDGET (window), "w a l k e d minus 4 2");
  WAIT_UNTIL (vte_terminal_get_has_selection (tether_terminal_page_get_terminal (page)));
  press_keys (GTK_WIDGET (window), "Escape");
  WAIT_UNTIL (terminal_has_focus (page));

  /* Close the tab: its shell runs, so it asks; Tab to Close, Enter. */
  press_keys (GTK_WIDGET (window), "ctrl+shift+w");
  WAIT_UNTIL ((dialog = tether_ui_test_find_message_dialog ()) != NULL &&
              gtk_widget_get_mapped (GTK_WIDGET (dialog)));
  press_keys (GTK_WIDGET (dialog), "Tab Return");
  WAIT_UNTIL (adw_tab_view_get_n_pages (tab_view) == 1);
  page = tether_ui_test_tab_terminal (adw_tab_view_get_selected_page (tab_view));
  WAIT_UNTIL (terminal_has_focus (page));

  g_assert_cmpint (g_unlink (key), ==, 0);
  g_assert_cmpint (g_unlink (known_hosts), ==, 0);
  remove_hosts (store);
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
  add_test ("/tether/defects/shortcuts", test_shortcuts);
  add_test ("/tether/defects/focus-returns", test_focus_returns);
  add_test ("/tether/defects/editor-password", test_editor_password);
  add_test ("/tether/defects/broadcast-visible", test_broadcast_visible);
  add_test ("/tether/defects/tab-title", test_tab_title);
  add_test ("/tether/defects/save-name", test_save_name);
  g_test_add_func ("/tether/defects/help", test_help);
  add_test ("/tether/defects/find-no-match", test_find_no_match);
  add_test ("/tether/defects/fingerprint-line", test_fingerprint_line);
  add_test ("/tether/defects/moved-tab-state", test_moved_tab_state);
  add_test ("/tether/defects/sidebar-marks", test_sidebar_marks);
  add_test ("/tether/defects/keyboard-walk", test_keyboard_walk);

  ret = g_test_run ();

  g_clear_pointer (&server, tether_test_server_free);
  g_clear_object (&app);

  return ret;
}
