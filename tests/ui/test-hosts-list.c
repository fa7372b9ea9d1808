/* test-hosts-list.c: saved hosts in the sidebar: the list shows, searches and deletes (with
 * undo) hosts, shows their state, opens them, names from ~/.ssh/config connect, the host menu
 * opens a host's forwards, and "Use Saved Hosts with ssh" writes ~/.ssh/config (or says why
 * not). Runs on its own Xvfb with HOME and the XDG dirs in a temporary directory
 * (tests/tether-test-env), so the user's own hosts and keys are never read or written. */
#define _GNU_SOURCE  /* unshare () for test-tmpfs.h */
#include "config.h"

#include <glib/gstdio.h>
#include <adwaita.h>
#include <tether.h>

#include "tether-forwards-panel.h"
#include "tether-terminal-page.h"
#include "tether-test-server.h"

#include "tether-ui-test.h"
#include "test-hosts-common.h"
#include "../test-tmpfs.h"

static gboolean
is_button_with_label (GtkWidget     *widget,
                      gconstpointer  label)
{
  return GTK_IS_BUTTON (widget) &&
         g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0;
}

static GtkWidget *
find_button_with_label (GtkWidget  *root,
                        const char *label)
{
  return tether_ui_test_find_descendant (root, is_button_with_label, label);
}

static void
test_search (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(TetherHost) db = add_host (fixture, "db", "db.example.test", "Production");
  g_autoptr(TetherHost) web = add_host (fixture, "web", "web.example.test", "Staging");
  g_autoptr(TetherHost) mail = add_host (fixture, "mail", "mail.example.test", NULL);
  GtkWidget *entry = tether_ui_test_get_widget (fixture->window, "search_entry");
  GtkWidget *placeholder = tether_ui_test_get_widget (fixture->list, "placeholder_stack");
  GtkListBox *list_box = tether_host_list_get_list_box (fixture->list);
  g_autoptr(TetherHost) found = NULL;

  WAIT_UNTIL (n_rows (fixture->list) == 3);
  /* Ungrouped first, then by group, each group under a header. */
  g_assert_null (gtk_list_box_row_get_header (gtk_list_box_get_row_at_index (list_box, 0)));
  g_assert_nonnull (gtk_list_box_row_get_header (gtk_list_box_get_row_at_index (list_box, 1)));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.search", NULL));
  gtk_editable_set_text (GTK_EDITABLE (entry), "db.example");
  WAIT_UNTIL (n_rows (fixture->list) == 1);
  found = g_list_model_get_item (tether_host_list_get_model (fixture->list), 0);
  g_assert_cmpstr (tether_host_get_hostname (found), ==, "db.example.test");

  /* Groups and users match too, whatever the case. */
  gtk_editable_set_text (GTK_EDITABLE (entry), "STAGING");
  WAIT_UNTIL (n_rows (fixture->list) == 1);

  gtk_editable_set_text (GTK_EDITABLE (entry), "nothing-like-this");
  WAIT_UNTIL (n_rows (fixture->list) == 0);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (placeholder)), ==, "no-results");

  gtk_editable_set_text (GTK_EDITABLE (entry), "");
  WAIT_UNTIL (n_rows (fixture->list) == 3);
}

static void
test_delete_undo (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(TetherHost) host = add_host (fixture, "db", "db.example.test", NULL);
  GtkWidget *placeholder = tether_ui_test_get_widget (fixture->list, "placeholder_stack");
  GtkListBoxRow *row;
  GtkWidget *undo;
  g_autofree char *contents = NULL;

  WAIT_UNTIL (n_rows (fixture->list) == 1);
  row = gtk_list_box_get_row_at_index (tether_host_list_get_list_box (fixture->list), 0);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (row), "host.delete", NULL));

  WAIT_UNTIL (g_list_model_get_n_items (G_LIST_MODEL (fixture->store)) == 0);
  WAIT_UNTIL (n_rows (fixture->list) == 0);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (placeholder)), ==, "empty");
  contents = read_file (tether_host_store_get_hosts_path (fixture->store));
  g_assert_null (strstr (contents, "db.example.test"));
  g_clear_pointer (&contents, g_free);

  /* The toast's Undo brings it back, to the list and to the file. */
  WAIT_UNTIL (find_button_with_label (GTK_WIDGET (fixture->window), "_Undo") != NULL);
  undo = find_button_with_label (GTK_WIDGET (fixture->window), "_Undo");
  g_signal_emit_by_name (undo, "clicked");

  WAIT_UNTIL (g_list_model_get_n_items (G_LIST_MODEL (fixture->store)) == 1);
  WAIT_UNTIL (n_rows (fixture->list) == 1);
  contents = read_file (tether_host_store_get_hosts_path (fixture->store));
  g_assert_nonnull (strstr (contents, "db.example.test"));
}

static void
test_host_state (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(TetherHost) host = add_host (fixture, "db", "db.example.test", NULL);
  GtkListBoxRow *row;
  GtkWidget *spinner;
  GtkWidget *image;

  WAIT_UNTIL (n_rows (fixture->list) == 1);
  row = gtk_list_box_get_row_at_index (tether_host_list_get_list_box (fixture->list), 0);
  spinner = find_widget_of_type (GTK_WIDGET (row), GTK_TYPE_SPINNER);
  image = find_widget_of_type (GTK_WIDGET (row), GTK_TYPE_IMAGE);
  g_assert_false (gtk_widget_get_mapped (spinner));
  g_assert_false (gtk_spinner_get_spinning (GTK_SPINNER (spinner)));

  tether_host_list_set_host_state (fixture->list, host, TETHER_CONNECTION_STATE_CONNECTING);
  g_assert_true (gtk_widget_get_mapped (spinner));
  g_assert_true (gtk_spinner_get_spinning (GTK_SPINNER (spinner)));

  /* Off screen (the sidebar folded away), it stops: GTK would lay the window out on every
   * frame for it. */
  gtk_widget_set_visible (GTK_WIDGET (fixture->list), FALSE);
  g_assert_false (gtk_widget_get_mapped (spinner));
  g_assert_false (gtk_spinner_get_spinning (GTK_SPINNER (spinner)));
  gtk_widget_set_visible (GTK_WIDGET (fixture->list), TRUE);
  g_assert_true (gtk_widget_get_mapped (spinner));
  g_assert_true (gtk_spinner_get_spinning (GTK_SPINNER (spinner)));

  tether_host_list_set_host_state (fixture->list, host, TETHER_CONNECTION_STATE_READY);
  g_assert_false (gtk_widget_get_mapped (spinner));
  g_assert_false (gtk_spinner_get_spinning (GTK_SPINNER (spinner)));
  g_assert_true (gtk_widget_get_mapped (image));
  g_assert_cmpint (tether_host_list_get_host_state (fixture->list, host), ==,
                   TETHER_CONNECTION_STATE_READY);

  tether_host_list_set_host_state (fixture->list, host, TETHER_CONNECTION_STATE_CLOSED);
  g_assert_false (gtk_widget_get_mapped (image));
}

/* Activating a row opens its host (here a port on 127.0.0.1 that accepts and says nothing,
 * so the tab connects without leaving the machine), and its ssh command says the same. */
static void
test_activate_and_copy (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(TetherUiTestListener) listener = tether_ui_test_listener_new ();
  guint16 port = tether_ui_test_listener_get_port (listener);
  g_autoptr(TetherHost) host = tether_host_new ("db");
  g_autoptr(TetherHost) opened = NULL;
  g_autofree char *command = NULL;
  g_autofree char *expected = NULL;
  GtkListBoxRow *row;

  tether_host_set_hostname (host, "127.0.0.1");
  tether_host_set_user (host, "admin");
  tether_host_set_port (host, port);
  g_assert_true (store_add (fixture->store, host, NULL));

  command = tether_host_dup_ssh_command (host);
  expected = g_strdup_printf ("ssh -p %u admin@127.0.0.1", port);
  g_assert_cmpstr (command, ==, expected);

  WAIT_UNTIL (n_rows (fixture->list) == 1);
  row = gtk_list_box_get_row_at_index (tether_host_list_get_list_box (fixture->list), 0);
  g_signal_connect_swapped (fixture->window, "open-destination",
                            G_CALLBACK (g_set_object), &opened);
  g_signal_emit_by_name (tether_host_list_get_list_box (fixture->list), "row-activated", row);
  WAIT_UNTIL (opened != NULL);
  g_assert_cmpstr (tether_host_get_hostname (opened), ==, "127.0.0.1");
  g_assert_cmpuint (tether_host_get_port (opened), ==, port);
  g_assert_cmpint (adw_tab_view_get_n_pages (tether_window_get_tab_view (fixture->window)), ==, 1);
  WAIT_UNTIL (tether_ui_test_listener_get_n_clients (listener) == 1);
}

/* `tether NAME` (and ssh://NAME) goes through ~/.ssh/config as `ssh NAME` does: a name that
 * only the configuration knows connects; the user typed in the destination wins. */
static gboolean
store_has_alias (TetherHostStore *store,
                 const char      *alias)
{
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (store)); i++) {
    g_autoptr(TetherHost) item = g_list_model_get_item (G_LIST_MODEL (store), i);

    if (g_strcmp0 (tether_host_get_alias (item), alias) == 0)
      return TRUE;
  }
  return FALSE;
}

static void
test_destination_alias (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(TetherTestServer) server = NULL;
  g_autoptr(TetherHost) template = NULL;
  g_autoptr(TetherHost) typed = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *ssh_config = g_strdup (tether_host_store_get_ssh_config_path (fixture->store));
  g_autofree char *dir = g_path_get_dirname (ssh_config);
  g_autofree char *config = NULL;
  g_autofree char *destination = NULL;
  AdwTabView *tab_view;
  TetherTerminalPage *terminal;

  server = tether_test_server_new_or_skip (TETHER_TEST_SERVER_OPENSSH, NULL);
  if (server == NULL)
    return;

  template = tether_test_server_new_host (server);
  config = g_strdup_printf ("Host cli-alias.test\n"
                            "  HostName %s\n"
                            "  Port %u\n"
                            "  User nobody-by-config\n"
                            "  IdentityFile \"%s\"\n"
                            "  IdentitiesOnly yes\n"
                            "  UserKnownHostsFile \"%s\"\n",
                            tether_host_get_hostname (template),
                            tether_host_get_port (template),
                            tether_host_get_identity_files (template)[0],
                            tether_host_get_known_hosts_file (template));
  g_assert_true (g_str_has_prefix (ssh_config, temp_home));
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (ssh_config, config, -1, NULL));
  WAIT_UNTIL (store_has_alias (fixture->store, "cli-alias.test"));

  /* As typed on the command line: only the configuration knows the address and port. */
  destination = g_strdup_printf ("%s@cli-alias.test", tether_host_get_user (template));
  typed = tether_host_new_for_destination (destination, &error);
  g_assert_no_error (error);
  tether_window_open_destination (fixture->window, typed);

  tab_view = tether_window_get_tab_view (fixture->window);
  WAIT_UNTIL (adw_tab_view_get_n_pages (tab_view) == 1);
  terminal = TETHER_TERMINAL_PAGE (adw_tab_page_get_child (adw_tab_view_get_nth_page (tab_view,
                                                                                       0)));
  WAIT_UNTIL (tether_terminal_page_get_state (terminal) == TETHER_TERMINAL_STATE_CONNECTED);
  g_assert_cmpuint (tether_test_server_count_logins (server), ==, 1);

  /* The shell ends first, so closing the tab asks nothing. */
  vte_terminal_feed_child (tether_terminal_page_get_terminal (terminal), "exit\n", -1);
  WAIT_UNTIL (tether_terminal_page_get_state (terminal) == TETHER_TERMINAL_STATE_DISCONNECTED);
  adw_tab_view_close_page (tab_view, adw_tab_view_get_nth_page (tab_view, 0));
  WAIT_UNTIL (adw_tab_view_get_n_pages (tab_view) == 0);
  /* Leave the home as found. */
  g_assert_cmpint (g_unlink (ssh_config), ==, 0);
  WAIT_UNTIL (!store_has_alias (fixture->store, "cli-alias.test"));
}

/* A button in @window's sidebar for @action_name: window actions are the class's, so their
 * state shows as what a widget naming them shows, as the menu item's sensitivity does. */
static GtkWidget *
new_action_button (TetherWindow *window,
                   const char   *action_name)
{
  GtkWidget *button = gtk_button_new_with_label (action_name);

  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action_name);
  gtk_box_append (GTK_BOX (tether_ui_test_get_widget (window, "sidebar")), button);

  return button;
}

/* "Use Saved Hosts with ssh": asked for, confirmed, written, then no longer offered. */
static void
test_share_with_ssh (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autofree char *ssh_config = g_strdup (tether_host_store_get_ssh_config_path (fixture->store));
  g_autofree char *contents = NULL;
  g_autofree char *line = tether_host_store_dup_include_line (fixture->store);
  GtkWidget *action = new_action_button (fixture->window, "win.share-hosts-with-ssh");
  AdwMessageDialog *dialog;

  g_assert_true (g_str_has_prefix (ssh_config, temp_home));
  {
    g_autofree char *dir = g_path_get_dirname (ssh_config);

    g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  }
  g_assert_true (g_file_set_contents (ssh_config, "# my own settings\nServerAliveInterval 30\n",
                                      -1, NULL));
  WAIT_UNTIL (gtk_widget_get_sensitive (action));

  /* Cancelling changes nothing. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window),
                                             "win.share-hosts-with-ssh", NULL));
  wait_for_dialog (&dialog);
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), line));
  adw_message_dialog_response (dialog, "cancel");
  WAIT_UNTIL (dialog == NULL);
  contents = read_file (ssh_config);
  g_assert_cmpstr (contents, ==, "# my own settings\nServerAliveInterval 30\n");
  g_clear_pointer (&contents, g_free);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window),
                                             "win.share-hosts-with-ssh", NULL));
  wait_for_dialog (&dialog);
  adw_message_dialog_response (dialog, "add");
  WAIT_UNTIL (dialog == NULL);
  WAIT_UNTIL (!gtk_widget_get_sensitive (action));
  contents = read_file (ssh_config);
  g_assert_true (g_str_has_prefix (contents, line));
  g_assert_nonnull (strstr (contents, "# my own settings\nServerAliveInterval 30\n"));

  /* Leave the home as found. The file names no host, so the store's reloads
   * cannot race with the next test. */
  g_assert_cmpint (g_unlink (ssh_config), ==, 0);
}

/* The host menu's Port Forwards opens that host's forwards, without connecting. */
static void
test_host_menu_forwards (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(TetherHost) host = add_host (fixture, "web", "web.example.test", NULL);
  GtkListBoxRow *row;
  GtkWindow *panel_window;
  TetherForwardsPanel *panel;
  TetherHostSession *session;

  WAIT_UNTIL (n_rows (fixture->list) == 1);
  row = gtk_list_box_get_row_at_index (tether_host_list_get_list_box (fixture->list), 0);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (row), "host.forwards", NULL));
  WAIT_UNTIL ((panel_window = find_toplevel (ADW_TYPE_WINDOW, GTK_WINDOW (fixture->window))) !=
              NULL);
  panel = TETHER_FORWARDS_PANEL (adw_window_get_content (ADW_WINDOW (panel_window)));
  session = tether_forwards_panel_get_session (panel);
  g_assert_cmpstr (tether_host_get_alias (tether_host_session_get_host (session)), ==, "web");
  g_assert_cmpint (tether_host_session_get_state (session), ==, TETHER_HOST_SESSION_STATE_IDLE);
  g_assert_true (gtk_window_get_transient_for (panel_window) == GTK_WINDOW (fixture->window));

  g_object_add_weak_pointer (G_OBJECT (panel_window), (gpointer *) &panel_window);
  gtk_window_destroy (panel_window);
  WAIT_UNTIL (panel_window == NULL);
}

static gboolean
is_label_containing (GtkWidget     *widget,
                     gconstpointer  needle)
{
  return GTK_IS_LABEL (widget) &&
         strstr (gtk_label_get_label (GTK_LABEL (widget)), needle) != NULL;
}

static GtkWidget *
find_label_containing (GtkWidget  *root,
                       const char *needle)
{
  return tether_ui_test_find_descendant (root, is_label_containing, needle);
}

/* "Use Saved Hosts with ssh" on a full disk: a toast says so and
 * ~/.ssh/config is as it was, so that plain ssh keeps working. */
static void
test_share_disk_full (Fixture       *fixture,
                      gconstpointer  data)
{
  const char *old = "# my own settings\nServerAliveInterval 30\n";
  g_autofree char *ssh_config = g_strdup (tether_host_store_get_ssh_config_path (fixture->store));
  g_autofree char *ssh_dir = g_path_get_dirname (ssh_config);
  g_autofree char *contents = NULL;
  GtkWidget *action = new_action_button (fixture->window, "win.share-hosts-with-ssh");
  AdwMessageDialog *dialog;
  TestTmpfs fs;

  if (!test_tmpfs_mount (&fs))
    return;
  /* ~/.ssh is the small disk. */
  g_assert_cmpint (g_mkdir_with_parents (ssh_dir, 0700), ==, 0);
  g_assert_cmpint (mount (fs.dir, ssh_dir, NULL, MS_BIND, NULL), ==, 0);
  g_assert_true (g_file_set_contents (ssh_config, old, -1, NULL));
  WAIT_UNTIL (gtk_widget_get_sensitive (action));
  test_tmpfs_fill (&fs);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window),
                                             "win.share-hosts-with-ssh", NULL));
  wait_for_dialog (&dialog);
  adw_message_dialog_response (dialog, "add");
  WAIT_UNTIL (dialog == NULL);
  WAIT_UNTIL (find_label_containing (GTK_WIDGET (fixture->window), "the disk is full") != NULL);
  g_assert_nonnull (find_label_containing (GTK_WIDGET (fixture->window), "config"));
  contents = read_file (ssh_config);
  g_assert_cmpstr (contents, ==, old);

  test_tmpfs_unfill (&fs);
  g_assert_cmpint (g_unlink (ssh_config), ==, 0);
  g_assert_cmpint (umount2 (ssh_dir, MNT_DETACH), ==, 0);
  test_tmpfs_unmount (&fs);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  test_tmpfs_init ();
  test_hosts_init (&argc, &argv);

  add_hosts_test ("/tether/hosts/host-menu-forwards", test_host_menu_forwards);
  add_hosts_test ("/tether/hosts/search", test_search);
  add_hosts_test ("/tether/hosts/delete-undo", test_delete_undo);
  add_hosts_test ("/tether/hosts/host-state", test_host_state);
  add_hosts_test ("/tether/hosts/activate-and-copy", test_activate_and_copy);
  add_hosts_test ("/tether/hosts/destination-alias", test_destination_alias);
  /* Before share-with-ssh: the window updates the action only when the
   * store's hosts change, not when a reload finds the Include line gone. */
  add_hosts_test ("/tether/hosts/share-disk-full", test_share_disk_full);
  add_hosts_test ("/tether/hosts/share-with-ssh", test_share_with_ssh);

  ret = g_test_run ();

  g_clear_object (&app);

  return ret;
}
