/* test-hosts.c: saved hosts in the UI: the host editor writes the hosts file, the sidebar list
 * shows, searches and deletes (with undo) hosts, and the connect prompts (host key, password)
 * take a connection to the test sshd. Runs on its own Xvfb with HOME and the XDG dirs in a
 * temporary directory (tests/tether-test-env), so the user's own hosts and keys are never read
 * or written. */
#define _GNU_SOURCE  /* unshare () for test-tmpfs.h */
#include "config.h"

#include <glib/gstdio.h>
#include <adwaita.h>
#include <tether.h>

#include "tether-application.h"
#include "tether-forwards-panel.h"
#include "tether-host-editor.h"
#include "tether-host-list.h"
#include "tether-prompt-interaction.h"
#include "tether-terminal-page.h"
#include "tether-test-server.h"
#include "tether-window.h"

#include "tether-ui-test.h"
#include "../test-tmpfs.h"

static TetherApplication *app;
/* The program's own temporary home (tests/tether-test-env). */
static const char *temp_home;

typedef void     (*StoreChangeAsync)  (TetherHostStore      *store,
                                       TetherHost           *host,
                                       GCancellable         *cancellable,
                                       GAsyncReadyCallback   callback,
                                       gpointer              user_data);
typedef gboolean (*StoreChangeFinish) (TetherHostStore      *store,
                                       GAsyncResult         *result,
                                       GError              **error);

/* The store writes on a worker: this waits for it. */
static gboolean
store_change (TetherHostStore    *store,
              TetherHost         *host,
              StoreChangeAsync    start,
              StoreChangeFinish   finish,
              GError            **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  start (store, host, NULL, tether_test_store_result, &result);
  WAIT_UNTIL (result != NULL);
  return finish (store, result, error);
}

static gboolean
store_add (TetherHostStore *store,
           TetherHost      *host,
           GError         **error)
{
  return store_change (store, host, tether_host_store_add_async, tether_host_store_add_finish,
                       error);
}

static gboolean
store_remove (TetherHostStore *store,
              TetherHost      *host,
              GError         **error)
{
  return store_change (store, host, tether_host_store_remove_async,
                       tether_host_store_remove_finish, error);
}

/* Widgets made in code are found by their widget name. */
static gboolean
has_name (GtkWidget     *widget,
          gconstpointer  name)
{
  return g_strcmp0 (gtk_widget_get_name (widget), name) == 0;
}

static GtkWidget *
find_widget_by_name (GtkWidget  *root,
                     const char *name)
{
  return tether_ui_test_find_descendant (root, has_name, name);
}

static gboolean
has_type (GtkWidget     *widget,
          gconstpointer  type)
{
  return G_TYPE_CHECK_INSTANCE_TYPE (widget, GPOINTER_TO_SIZE (type));
}

static GtkWidget *
find_widget_of_type (GtkWidget *root,
                     GType      type)
{
  return tether_ui_test_find_descendant (root, has_type, GSIZE_TO_POINTER (type));
}

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

static GtkWindow *
find_toplevel (GType       type,
               GtkWindow  *not_this)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++) {
    g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

    if (window != not_this && G_TYPE_CHECK_INSTANCE_TYPE (window, type) &&
        gtk_widget_get_visible (GTK_WIDGET (window)))
      return window;
  }

  return NULL;
}

static char *
read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, &error)) {
    g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
    return g_strdup ("");
  }

  return contents;
}

static void
set_text (TetherHostEditor *editor,
          const char       *id,
          const char       *text)
{
  gtk_editable_set_text (GTK_EDITABLE (tether_ui_test_get_widget (editor, id)), text);
}

typedef struct {
  TetherWindow *window;
  TetherHostStore *store;
  TetherHostList *list;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *hosts_path = NULL;

  tether_ui_test_open_window (app, &fixture->window);
  fixture->store = g_object_ref (tether_window_get_host_store (fixture->window));
  fixture->list = tether_window_get_host_list (fixture->window);
  WAIT_UNTIL (tether_host_store_get_loaded (fixture->store));

  /* The store reads and writes under the temporary home only. */
  hosts_path = g_strdup (tether_host_store_get_hosts_path (fixture->store));
  g_assert_true (g_str_has_prefix (hosts_path, temp_home));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  guint n_hosts;

  /* Leave no host behind for the next test. */
  n_hosts = g_list_model_get_n_items (G_LIST_MODEL (fixture->store));
  for (guint i = n_hosts; i > 0; i--) {
    g_autoptr(TetherHost) host = g_list_model_get_item (G_LIST_MODEL (fixture->store), i - 1);

    g_assert_true (store_remove (fixture->store, host, NULL));
  }
  g_clear_object (&fixture->store);

  tether_ui_test_close_windows (app, &fixture->window);
}

static TetherHostEditor *
open_new_host_editor (Fixture *fixture)
{
  TetherHostEditor *editor;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.add-host", NULL));
  WAIT_UNTIL (find_toplevel (TETHER_TYPE_HOST_EDITOR, NULL) != NULL);
  editor = TETHER_HOST_EDITOR (find_toplevel (TETHER_TYPE_HOST_EDITOR, NULL));
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (editor)) ==
                 GTK_WINDOW (fixture->window));

  return editor;
}

static gboolean
save_enabled (TetherHostEditor *editor)
{
  GtkWidget *save = tether_ui_test_get_widget (editor, "save_button");

  return gtk_widget_is_sensitive (save);
}

static TetherHost *
add_host (Fixture    *fixture,
          const char *alias,
          const char *hostname,
          const char *group)
{
  g_autoptr(TetherHost) host = tether_host_new (alias);
  g_autoptr(GError) error = NULL;

  tether_host_set_hostname (host, hostname);
  tether_host_set_group (host, group);
  store_add (fixture->store, host, &error);
  g_assert_no_error (error);

  return g_steal_pointer (&host);
}

static guint
n_rows (TetherHostList *list)
{
  GtkListBox *list_box = tether_host_list_get_list_box (list);
  guint n = 0;

  while (gtk_list_box_get_row_at_index (list_box, n) != NULL)
    n++;

  return n;
}

static void
test_editor_adds_host (Fixture       *fixture,
                       gconstpointer  data)
{
  TetherHostEditor *editor = open_new_host_editor (fixture);
  g_autofree char *contents = NULL;
  g_autoptr(TetherHost) host = NULL;
  GtkWidget *hostname_row = tether_ui_test_get_widget (editor, "hostname_row");
  GtkWidget *forward;

  g_object_add_weak_pointer (G_OBJECT (editor), (gpointer *) &editor);

  /* A host name is required, and has no spaces; a new form shows no error yet. */
  g_assert_false (save_enabled (editor));
  g_assert_false (gtk_widget_has_css_class (hostname_row, "error"));
  set_text (editor, "hostname_row", "db example");
  g_assert_false (save_enabled (editor));
  g_assert_true (gtk_widget_has_css_class (hostname_row, "error"));
  g_assert_nonnull (gtk_widget_get_tooltip_text (hostname_row));
  set_text (editor, "hostname_row", "");
  g_assert_true (gtk_widget_has_css_class (hostname_row, "error"));
  g_assert_false (save_enabled (editor));

  set_text (editor, "label_row", "Database");
  set_text (editor, "hostname_row", "db.example.test");
  set_text (editor, "user_row", "admin");
  set_text (editor, "group_row", "Production");
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (tether_ui_test_get_widget (editor, "port_spin")), 2222);
  g_assert_false (gtk_widget_has_css_class (hostname_row, "error"));
  g_assert_true (save_enabled (editor));

  /* A forward in the wrong shape blocks saving until it is fixed. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.add-forward", NULL));
  g_assert_true (save_enabled (editor));
  forward = find_widget_of_type (tether_ui_test_get_widget (editor, "forwards_row"), ADW_TYPE_ENTRY_ROW);
  g_assert_nonnull (forward);
  gtk_editable_set_text (GTK_EDITABLE (forward), "8080");
  g_assert_false (save_enabled (editor));
  g_assert_true (gtk_widget_has_css_class (forward, "error"));
  gtk_editable_set_text (GTK_EDITABLE (forward), "8080:localhost:80");
  g_assert_true (save_enabled (editor));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.save", NULL));
  WAIT_UNTIL (editor == NULL);

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->store)), ==, 1);
  host = g_list_model_get_item (G_LIST_MODEL (fixture->store), 0);
  g_assert_cmpstr (tether_host_get_hostname (host), ==, "db.example.test");
  g_assert_cmpuint (tether_host_get_port (host), ==, 2222);

  /* Written as ssh_config, so that plain ssh reads the same host. */
  contents = read_file (tether_host_store_get_hosts_path (fixture->store));
  g_assert_nonnull (strstr (contents, "Host "));
  g_assert_nonnull (strstr (contents, "db.example.test"));
  g_assert_nonnull (strstr (contents, "2222"));
  g_assert_nonnull (strstr (contents, "admin"));
  /* A forward typed as for `ssh -L` is saved as ssh_config writes it. */
  g_assert_nonnull (strstr (contents, "LocalForward 8080 localhost:80"));

  /* And the sidebar shows it. */
  WAIT_UNTIL (n_rows (fixture->list) == 1);
  g_assert_cmpuint (g_list_model_get_n_items (tether_host_list_get_model (fixture->list)), ==, 1);
}

static void
test_editor_edits_host (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(TetherHost) host = add_host (fixture, "web", "web.example.test", NULL);
  GtkListBoxRow *row;
  TetherHostEditor *editor;
  g_autoptr(TetherHost) saved = NULL;

  WAIT_UNTIL (n_rows (fixture->list) == 1);
  row = gtk_list_box_get_row_at_index (tether_host_list_get_list_box (fixture->list), 0);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (row), "host.edit", NULL));
  WAIT_UNTIL (find_toplevel (TETHER_TYPE_HOST_EDITOR, NULL) != NULL);
  editor = TETHER_HOST_EDITOR (find_toplevel (TETHER_TYPE_HOST_EDITOR, NULL));
  g_object_add_weak_pointer (G_OBJECT (editor), (gpointer *) &editor);

  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (tether_ui_test_get_widget (editor, "hostname_row"))),
                   ==, "web.example.test");
  set_text (editor, "hostname_row", "www.example.test");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.save", NULL));
  WAIT_UNTIL (editor == NULL);

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->store)), ==, 1);
  saved = g_list_model_get_item (G_LIST_MODEL (fixture->store), 0);
  g_assert_cmpstr (tether_host_get_hostname (saved), ==, "www.example.test");
}

/* A colour picked in the editor is saved with the host, for its terminal tabs. */
static void
test_editor_colour (Fixture       *fixture,
                    gconstpointer  data)
{
  TetherHostEditor *editor = open_new_host_editor (fixture);
  g_autofree char *contents = NULL;
  g_autoptr(TetherHost) host = NULL;
  GtkWidget *none = find_widget_by_name (GTK_WIDGET (editor), "colour-none");
  GtkWidget *red = find_widget_by_name (GTK_WIDGET (editor), "colour-red");

  g_object_add_weak_pointer (G_OBJECT (editor), (gpointer *) &editor);

  /* A new host has no colour, and every swatch says which colour it is. */
  g_assert_nonnull (none);
  g_assert_nonnull (red);
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (none)));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (red), !=, NULL);

  set_text (editor, "hostname_row", "db.example.test");
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (red), TRUE);
  g_assert_false (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (none)));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.save", NULL));
  WAIT_UNTIL (editor == NULL);

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->store)), ==, 1);
  host = g_list_model_get_item (G_LIST_MODEL (fixture->store), 0);
  g_assert_cmpstr (tether_host_get_colour (host), ==, "#e01b24");

  contents = read_file (tether_host_store_get_hosts_path (fixture->store));
  g_assert_nonnull (strstr (contents, "colour=#e01b24"));
}

/* A store that cannot write shows its message in the editor, which stays open. */
static void
test_editor_save_error (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autofree char *ssh_config = g_build_filename (temp_home, "no-such-config", NULL);
  g_autoptr(TetherHostStore) store = NULL;
  TetherHostEditor *editor;
  GtkWidget *revealer;
  const char *message;

  /* A hosts file whose folder would be inside /dev/null cannot be made, even by root. */
  store = tether_host_store_new_for_paths (ssh_config, "/dev/null/tether/hosts.conf");
  editor = tether_host_editor_new (GTK_WINDOW (fixture->window), store, NULL);
  gtk_window_present (GTK_WINDOW (editor));
  revealer = tether_ui_test_get_widget (editor, "error_revealer");
  g_assert_false (gtk_revealer_get_reveal_child (GTK_REVEALER (revealer)));

  set_text (editor, "hostname_row", "db.example.test");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.save", NULL));

  /* The store writes on a worker: the answer comes later. */
  WAIT_UNTIL (gtk_revealer_get_reveal_child (GTK_REVEALER (revealer)));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (editor)));
  message = gtk_label_get_label (GTK_LABEL (tether_ui_test_get_widget (editor, "error_label")));
  g_assert_cmpstr (message, !=, "");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 0);

  gtk_window_destroy (GTK_WINDOW (editor));
}

static void
on_store_loaded (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_assert_true (tether_host_store_load_default_finish (TETHER_HOST_STORE (source), result,
                                                        NULL));
}

static void
on_editor_saved (TetherHostEditor *editor,
                 TetherHost       *host,
                 gboolean         *saved)
{
  *saved = TRUE;
}

/* A full disk: the editor says so and stays open with what was typed; the
 * hosts file is as it was; with room again, Save works. */
static void
test_editor_disk_full (Fixture       *fixture,
                       gconstpointer  data)
{
  const char *old = "Host kept\n  HostName kept.example.test\n";
  g_autofree char *ssh_config = g_build_filename (temp_home, "no-such-config", NULL);
  g_autofree char *hosts = NULL;
  g_autofree char *after = NULL;
  g_autoptr(TetherHostStore) store = NULL;
  TestTmpfs fs;
  TetherHostEditor *editor;
  GtkWidget *revealer;
  const char *message;
  gboolean saved = FALSE;

  if (!test_tmpfs_mount (&fs))
    return;
  hosts = g_build_filename (fs.dir, "hosts.conf", NULL);
  g_assert_true (g_file_set_contents (hosts, old, -1, NULL));
  store = tether_host_store_new_for_paths (ssh_config, hosts);
  tether_host_store_load_default_async (store, NULL, on_store_loaded, NULL);
  WAIT_UNTIL (tether_host_store_get_loaded (store));
  test_tmpfs_fill (&fs);

  editor = tether_host_editor_new (GTK_WINDOW (fixture->window), store, NULL);
  g_signal_connect (editor, "saved", G_CALLBACK (on_editor_saved), &saved);
  gtk_window_present (GTK_WINDOW (editor));
  revealer = tether_ui_test_get_widget (editor, "error_revealer");
  set_text (editor, "hostname_row", "db.example.test");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.save", NULL));

  WAIT_UNTIL (gtk_revealer_get_reveal_child (GTK_REVEALER (revealer)));
  message = gtk_label_get_label (GTK_LABEL (tether_ui_test_get_widget (editor, "error_label")));
  g_assert_nonnull (strstr (message, "hosts.conf"));
  g_assert_nonnull (strstr (message, "full"));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (editor)));
  g_assert_false (saved);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 1);
  g_assert_true (g_file_get_contents (hosts, &after, NULL, NULL));
  g_assert_cmpstr (after, ==, old);

  test_tmpfs_unfill (&fs);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.save", NULL));
  WAIT_UNTIL (saved);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 2);
  g_clear_object (&store);
  test_tmpfs_unmount (&fs);
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

  tether_host_list_set_host_state (fixture->list, host, TETHER_CONNECTION_STATE_CONNECTING);
  g_assert_true (gtk_widget_get_mapped (spinner));
  g_assert_true (gtk_spinner_get_spinning (GTK_SPINNER (spinner)));

  tether_host_list_set_host_state (fixture->list, host, TETHER_CONNECTION_STATE_READY);
  g_assert_false (gtk_widget_get_mapped (spinner));
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

/* Connecting with an empty known_hosts: the host key dialog, then the password dialog. */

static AdwMessageDialog *
find_dialog (GtkWindow *not_this)
{
  return (AdwMessageDialog *) find_toplevel (ADW_TYPE_MESSAGE_DIALOG, not_this);
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GError **error = user_data;

  tether_connection_connect_finish (TETHER_CONNECTION (source), result, error);
  g_object_set_data (source, "done", GINT_TO_POINTER (TRUE));
}

/* Waits for the app's next dialog; *@dialog is a weak pointer to it. */
static void
wait_for_dialog (AdwMessageDialog **dialog)
{
  WAIT_UNTIL (find_dialog (NULL) != NULL);
  *dialog = find_dialog (NULL);
  g_object_add_weak_pointer (G_OBJECT (*dialog), (gpointer *) dialog);
}

/* Answers the password dialog *@dialog with @server's password and waits for it to go. */
static void
answer_password (AdwMessageDialog **dialog,
                 TetherTestServer  *server)
{
  GtkWidget *entry = find_widget_of_type (GTK_WIDGET (*dialog), ADW_TYPE_PASSWORD_ENTRY_ROW);

  g_assert_nonnull (entry);
  gtk_editable_set_text (GTK_EDITABLE (entry), tether_test_server_get_password (server));
  adw_message_dialog_response (*dialog, "log-in");
  WAIT_UNTIL (*dialog == NULL);
}

/* A host @name for @server with no key (so the password it asks for logs in), checking the
 * server's key against @known_hosts. */
static TetherHost *
password_host (TetherTestServer *server,
               const char       *name,
               const char       *known_hosts)
{
  TetherHost *host = tether_host_new (name);

  tether_host_set_hostname (host, tether_test_server_get_host (server));
  tether_host_set_port (host, tether_test_server_get_port (server));
  tether_host_set_user (host, tether_test_server_get_user (server));
  tether_host_set_known_hosts_file (host, known_hosts);
  return host;
}

/* Starts connecting to @host with the app's dialogs on @fixture's window as the interaction;
 * the result goes to @error and marks the connection "done" (on_connected ()). */
static TetherConnection *
connect_with_prompts (Fixture     *fixture,
                      TetherHost  *host,
                      GError     **error)
{
  g_autoptr(TetherPromptInteraction) interaction = NULL;
  TetherConnection *connection = tether_connection_new (host);

  interaction = tether_prompt_interaction_new (GTK_WINDOW (fixture->window));
  tether_connection_set_interaction (connection, TETHER_INTERACTION (interaction));
  tether_connection_connect_async (connection, NULL, on_connected, error);
  return connection;
}

static void
test_connect_prompts (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(TetherTestServer) server = NULL;
  g_autoptr(TetherHost) host = NULL;
  g_autoptr(TetherConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *known_hosts = g_build_filename (temp_home, "known_hosts", NULL);
  g_autofree char *saved_keys = NULL;
  AdwMessageDialog *dialog;
  AdwMessageDialog *password_dialog;

  server = tether_test_server_new_or_skip (TETHER_TEST_SERVER_OPENSSH, NULL);
  if (server == NULL)
    return;

  g_assert_true (g_file_set_contents (known_hosts, "", 0, NULL));
  host = password_host (server, "prompted", known_hosts);

  connection = connect_with_prompts (fixture, host, &error);

  /* The unknown key: type, fingerprint and randomart; saving it is the answer. */
  wait_for_dialog (&dialog);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) ==
                 GTK_WINDOW (fixture->window));
  g_assert_nonnull (strstr (tether_ui_test_dialog_fingerprints (dialog),
                            tether_test_server_get_host_key_fingerprint (server)));
  g_assert_cmpstr (adw_message_dialog_get_default_response (dialog), ==, "cancel");
  g_assert_true (adw_message_dialog_has_response (dialog, "once"));
  g_assert_nonnull (adw_message_dialog_get_extra_child (dialog));
  adw_message_dialog_response (dialog, "save");
  WAIT_UNTIL (dialog == NULL);

  /* No key is accepted: the password. */
  wait_for_dialog (&password_dialog);
  answer_password (&password_dialog, server);

  WAIT_UNTIL (g_object_get_data (G_OBJECT (connection), "done") != NULL);
  g_assert_no_error (error);
  g_assert_cmpint (tether_connection_get_state (connection), ==, TETHER_CONNECTION_STATE_READY);

  saved_keys = read_file (known_hosts);
  g_assert_nonnull (strstr (saved_keys, tether_test_server_get_host (server)));

  tether_connection_close (connection);
}

/* The whole path a user takes: activate a saved host, answer the host-key and
 * password dialogs, get a terminal tab, see the row's state follow it. */
static void
test_activate_connects (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(TetherTestServer) server = NULL;
  g_autoptr(TetherHost) host = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *known_hosts = g_build_filename (temp_home, "activate_known_hosts", NULL);
  AdwTabView *tab_view;
  AdwMessageDialog *dialog;
  GtkListBoxRow *row;
  TetherTerminalPage *terminal;

  server = tether_test_server_new_or_skip (TETHER_TEST_SERVER_OPENSSH, NULL);
  if (server == NULL)
    return;

  g_assert_true (g_file_set_contents (known_hosts, "", 0, NULL));
  host = password_host (server, "e2e", known_hosts);
  g_assert_true (store_add (fixture->store, host, &error));
  g_assert_no_error (error);

  WAIT_UNTIL (n_rows (fixture->list) == 1);
  /* The list knows the store's own object (with the id the store gave it). */
  g_clear_object (&host);
  host = g_list_model_get_item (G_LIST_MODEL (fixture->store), 0);
  row = gtk_list_box_get_row_at_index (tether_host_list_get_list_box (fixture->list), 0);
  g_signal_emit_by_name (tether_host_list_get_list_box (fixture->list), "row-activated", row);

  tab_view = tether_window_get_tab_view (fixture->window);
  WAIT_UNTIL (adw_tab_view_get_n_pages (tab_view) == 1);
  terminal = TETHER_TERMINAL_PAGE (adw_tab_page_get_child (adw_tab_view_get_nth_page (tab_view,
                                                                                       0)));

  wait_for_dialog (&dialog);
  g_assert_nonnull (strstr (tether_ui_test_dialog_fingerprints (dialog),
                            tether_test_server_get_host_key_fingerprint (server)));
  g_assert_cmpint (tether_host_list_get_host_state (fixture->list, host), ==,
                   TETHER_CONNECTION_STATE_CONNECTING);
  adw_message_dialog_response (dialog, "save");
  WAIT_UNTIL (dialog == NULL);

  wait_for_dialog (&dialog);
  answer_password (&dialog, server);

  WAIT_UNTIL (tether_terminal_page_get_state (terminal) == TETHER_TERMINAL_STATE_CONNECTED);
  g_assert_cmpint (tether_host_list_get_host_state (fixture->list, host), ==,
                   TETHER_CONNECTION_STATE_READY);
  g_assert_cmpuint (tether_test_server_count_logins (server), ==, 1);
  {
    g_autofree char *saved = read_file (known_hosts);

    g_assert_nonnull (strstr (saved, tether_test_server_get_host (server)));
  }

  /* The shell ends: the row says so; closing the tab clears the row's state. */
  vte_terminal_feed_child (tether_terminal_page_get_terminal (terminal), "exit\n", -1);
  WAIT_UNTIL (tether_terminal_page_get_state (terminal) == TETHER_TERMINAL_STATE_DISCONNECTED);
  g_assert_cmpint (tether_host_list_get_host_state (fixture->list, host), ==,
                   TETHER_CONNECTION_STATE_CLOSED);
  adw_tab_view_close_page (tab_view, adw_tab_view_get_nth_page (tab_view, 0));
  WAIT_UNTIL (adw_tab_view_get_n_pages (tab_view) == 0);
  g_assert_cmpint (tether_host_list_get_host_state (fixture->list, host), ==,
                   TETHER_CONNECTION_STATE_DISCONNECTED);
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
  g_assert_true (g_file_set_contents (ssh_config, "# my own settings\nServerAliveInterval 30\n", -1,
                                      NULL));
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

static void
test_cancel_password (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(TetherTestServer) server = NULL;
  g_autoptr(TetherHost) host = NULL;
  g_autoptr(TetherConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  AdwMessageDialog *dialog;

  server = tether_test_server_new_or_skip (TETHER_TEST_SERVER_OPENSSH, NULL);
  if (server == NULL)
    return;

  host = password_host (server, "cancelled", tether_test_server_get_known_hosts (server));

  connection = connect_with_prompts (fixture, host, &error);

  /* Escape (the close response) is Cancel: the login fails as cancelled, nothing else. */
  wait_for_dialog (&dialog);
  g_assert_cmpstr (adw_message_dialog_get_default_response (dialog), ==, "log-in");
  gtk_window_close (GTK_WINDOW (dialog));
  WAIT_UNTIL (dialog == NULL);

  WAIT_UNTIL (g_object_get_data (G_OBJECT (connection), "done") != NULL);
  g_assert_error (error, TETHER_ERROR, TETHER_ERROR_AUTH_CANCELLED);
}

/* A changed key needs two explicit confirmations; then the old line is replaced. */
static void
test_changed_key (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(TetherTestServer) server = NULL;
  g_autoptr(TetherHost) host = NULL;
  g_autoptr(TetherConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *known_hosts = g_build_filename (temp_home, "changed_known_hosts", NULL);
  g_autofree char *old_keys = NULL;
  g_autofree char *new_keys = NULL;
  g_autofree char *old_fingerprint = NULL;
  AdwMessageDialog *dialog;
  AdwMessageDialog *confirm;
  GtkWidget *entry;

  server = tether_test_server_new_or_skip (TETHER_TEST_SERVER_OPENSSH, NULL);
  if (server == NULL)
    return;

  /* known_hosts holds the server's first key; then the server gets another. */
  g_assert_true (g_file_get_contents (tether_test_server_get_known_hosts (server), &old_keys,
                                      NULL, NULL));
  g_assert_true (g_file_set_contents (known_hosts, old_keys, -1, NULL));
  old_fingerprint = g_strdup (tether_test_server_get_host_key_fingerprint (server));
  tether_test_server_replace_host_key (server, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (old_fingerprint, !=, tether_test_server_get_host_key_fingerprint (server));

  host = password_host (server, "changed", known_hosts);

  connection = connect_with_prompts (fixture, host, &error);

  wait_for_dialog (&dialog);
  g_assert_nonnull (strstr (tether_ui_test_dialog_fingerprints (dialog), old_fingerprint));
  g_assert_nonnull (strstr (tether_ui_test_dialog_fingerprints (dialog),
                            tether_test_server_get_host_key_fingerprint (server)));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), known_hosts));
  g_assert_cmpstr (adw_message_dialog_get_default_response (dialog), ==, "cancel");
  g_assert_false (adw_message_dialog_has_response (dialog, "save"));
  g_assert_cmpint (adw_message_dialog_get_response_appearance (dialog, "replace"), ==,
                   ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_response (dialog, "replace");
  WAIT_UNTIL (dialog == NULL);

  /* Nothing is written yet: the second dialog asks again, Cancel still the default. */
  wait_for_dialog (&confirm);
  g_assert_cmpstr (adw_message_dialog_get_heading (confirm), ==, "Replace the saved key?");
  g_assert_cmpstr (adw_message_dialog_get_default_response (confirm), ==, "cancel");
  new_keys = read_file (known_hosts);
  g_assert_cmpstr (new_keys, ==, old_keys);
  g_clear_pointer (&new_keys, g_free);
  adw_message_dialog_response (confirm, "replace");
  WAIT_UNTIL (confirm == NULL);

  wait_for_dialog (&dialog);
  entry = find_widget_of_type (GTK_WIDGET (dialog), ADW_TYPE_PASSWORD_ENTRY_ROW);
  gtk_editable_set_text (GTK_EDITABLE (entry), tether_test_server_get_password (server));
  adw_message_dialog_response (dialog, "log-in");
  WAIT_UNTIL (dialog == NULL);

  WAIT_UNTIL (g_object_get_data (G_OBJECT (connection), "done") != NULL);
  g_assert_no_error (error);
  g_assert_cmpint (tether_connection_get_state (connection), ==, TETHER_CONNECTION_STATE_READY);
  new_keys = read_file (known_hosts);
  g_assert_cmpstr (new_keys, !=, old_keys);

  tether_connection_close (connection);
}

static void
on_answers (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  char ***answers = user_data;
  g_autoptr(GError) error = NULL;

  *answers = tether_interaction_ask_kbd_interactive_finish (TETHER_INTERACTION (source), result,
                                                           &error);
  g_assert_no_error (error);
  if (*answers == NULL)
    *answers = g_new0 (char *, 1);
}

/* One row per prompt, shown as typed only where the server allows it. */
static void
test_kbd_interactive (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(TetherPromptInteraction) interaction = NULL;
  const char * const prompts[] = { "Password: ", "Verification code: ", NULL };
  g_auto(GStrv) answers = NULL;
  AdwMessageDialog *dialog;
  GtkWidget *secret;
  GtkWidget *code;

  interaction = tether_prompt_interaction_new (GTK_WINDOW (fixture->window));
  tether_interaction_ask_kbd_interactive_async (TETHER_INTERACTION (interaction), "Two-factor",
                                                "Answer both.", prompts, 1u << 1, NULL,
                                                on_answers, &answers);
  wait_for_dialog (&dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Two-factor");
  g_assert_cmpstr (adw_message_dialog_get_body (dialog), ==, "Answer both.");

  secret = find_widget_of_type (GTK_WIDGET (dialog), ADW_TYPE_PASSWORD_ENTRY_ROW);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (secret)), ==, "Password");
  code = gtk_widget_get_next_sibling (secret);
  g_assert_true (ADW_IS_ENTRY_ROW (code) && !ADW_IS_PASSWORD_ENTRY_ROW (code));
  gtk_editable_set_text (GTK_EDITABLE (secret), "s3cret");
  gtk_editable_set_text (GTK_EDITABLE (code), "123456");
  adw_message_dialog_response (dialog, "log-in");
  WAIT_UNTIL (answers != NULL);
  g_assert_cmpuint (g_strv_length (answers), ==, 2);
  g_assert_cmpstr (answers[0], ==, "s3cret");
  g_assert_cmpstr (answers[1], ==, "123456");
  WAIT_UNTIL (dialog == NULL);

  /* Cancel is an answer too: none, and no error. */
  g_clear_pointer (&answers, g_strfreev);
  tether_interaction_ask_kbd_interactive_async (TETHER_INTERACTION (interaction), NULL, NULL,
                                                prompts, 0, NULL, on_answers, &answers);
  WAIT_UNTIL (find_dialog (NULL) != NULL);
  adw_message_dialog_response (find_dialog (NULL), "cancel");
  WAIT_UNTIL (answers != NULL);
  g_assert_cmpuint (g_strv_length (answers), ==, 0);
}

static void
on_password (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GError **error = user_data;
  g_autofree char *password = NULL;

  password = tether_interaction_ask_password_finish (TETHER_INTERACTION (source), result, error);
  g_assert_null (password);
  g_assert_nonnull (*error);
}

/* A connection that gives up takes its open dialog with it. */
static void
test_prompt_cancelled (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(TetherPromptInteraction) interaction = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(TetherHost) host = tether_host_new ("adhoc");
  g_autoptr(GError) error = NULL;
  AdwMessageDialog *dialog;

  tether_host_set_hostname (host, "adhoc.example.test");
  interaction = tether_prompt_interaction_new (GTK_WINDOW (fixture->window));
  tether_interaction_ask_password_async (TETHER_INTERACTION (interaction), host, "alice", 0,
                                         cancellable, on_password, &error);
  wait_for_dialog (&dialog);
  /* An unsaved host has no keyring entry to file a password under. */
  g_assert_null (find_widget_of_type (GTK_WIDGET (dialog), GTK_TYPE_CHECK_BUTTON));

  g_cancellable_cancel (cancellable);
  WAIT_UNTIL (error != NULL);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  WAIT_UNTIL (dialog == NULL);
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

#define add_hosts_test(path, func) \
  g_test_add ((path), Fixture, NULL, fixture_set_up, (func), fixture_tear_down)

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
  tether_ui_test_init (&argc, &argv);
  temp_home = g_get_home_dir ();

  app = tether_ui_test_new_application ();

  add_hosts_test ("/tether/hosts/editor-adds-host", test_editor_adds_host);
  add_hosts_test ("/tether/hosts/editor-edits-host", test_editor_edits_host);
  add_hosts_test ("/tether/hosts/host-menu-forwards", test_host_menu_forwards);
  add_hosts_test ("/tether/hosts/editor-colour", test_editor_colour);
  add_hosts_test ("/tether/hosts/editor-save-error", test_editor_save_error);
  add_hosts_test ("/tether/hosts/editor-disk-full", test_editor_disk_full);
  add_hosts_test ("/tether/hosts/search", test_search);
  add_hosts_test ("/tether/hosts/delete-undo", test_delete_undo);
  add_hosts_test ("/tether/hosts/host-state", test_host_state);
  add_hosts_test ("/tether/hosts/activate-and-copy", test_activate_and_copy);
  add_hosts_test ("/tether/hosts/connect-prompts", test_connect_prompts);
  add_hosts_test ("/tether/hosts/activate-connects", test_activate_connects);
  add_hosts_test ("/tether/hosts/destination-alias", test_destination_alias);
  /* Before share-with-ssh: the window updates the action only when the
   * store's hosts change, not when a reload finds the Include line gone. */
  add_hosts_test ("/tether/hosts/share-disk-full", test_share_disk_full);
  add_hosts_test ("/tether/hosts/share-with-ssh", test_share_with_ssh);
  add_hosts_test ("/tether/hosts/cancel-password", test_cancel_password);
  add_hosts_test ("/tether/hosts/changed-key", test_changed_key);
  add_hosts_test ("/tether/hosts/kbd-interactive", test_kbd_interactive);
  add_hosts_test ("/tether/hosts/prompt-cancelled", test_prompt_cancelled);

  ret = g_test_run ();

  g_clear_object (&app);

  return ret;
}
