/* test-defects-keys.c: the defects of issue 16 that live in the keys, each seen as a user
 * meets it, against a real sshd: keys a shell program needs reach it, focus goes back to the
 * terminal after a dialog or a banner button, every shortcut the Keyboard Shortcuts window
 * lists works, and a host can be added, connected, searched and closed with the keyboard only.
 *
 * Keys go in as real key presses (xdotool, see test-defects-common.c); without xdotool those
 * tests are skipped. The test display has no window manager: nothing makes a window active
 * again after a transient dialog, so tests that need it check the window's focus widget, or
 * the app makes the window active itself. Runs on its own Xvfb with the memory GSettings
 * backend; needs root to start the test server, and skips without it. */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>
#include <tether.h>
#include <vte/vte.h>

#include "tether-host-editor.h"
#include "tether-host-list.h"

#include "test-defects-common.h"

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

int
main (int   argc,
      char *argv[])
{
  int ret;

  test_defects_init (&argc, &argv);

  add_test ("/tether/defects/ctrl-g", test_ctrl_g);
  add_test ("/tether/defects/shortcuts", test_shortcuts);
  add_test ("/tether/defects/focus-returns", test_focus_returns);
  add_test ("/tether/defects/keyboard-walk", test_keyboard_walk);

  ret = g_test_run ();

  test_defects_clear ();

  return ret;
}
