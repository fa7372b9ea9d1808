/* test-hosts-editor.c: the host editor writes the hosts file: a new host, an edited one, its
 * colour, and a store that cannot write (no folder, a full disk) shown in the editor, which
 * stays open. Runs on its own Xvfb with HOME and the XDG dirs in a temporary directory
 * (tests/tether-test-env), so the user's own hosts are never read or written. */
#define _GNU_SOURCE  /* unshare () for test-tmpfs.h */
#include "config.h"

#include <glib/gstdio.h>
#include <adwaita.h>
#include <tether.h>

#include "tether-host-editor.h"

#include "tether-ui-test.h"
#include "test-hosts-common.h"
#include "../test-tmpfs.h"

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

static void
set_text (TetherHostEditor *editor,
          const char       *id,
          const char       *text)
{
  gtk_editable_set_text (GTK_EDITABLE (tether_ui_test_get_widget (editor, id)), text);
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
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (tether_ui_test_get_widget (editor, "port_spin")),
                             2222);
  g_assert_false (gtk_widget_has_css_class (hostname_row, "error"));
  g_assert_true (save_enabled (editor));

  /* A forward in the wrong shape blocks saving until it is fixed. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.add-forward", NULL));
  g_assert_true (save_enabled (editor));
  forward = find_widget_of_type (tether_ui_test_get_widget (editor, "forwards_row"),
                                 ADW_TYPE_ENTRY_ROW);
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

  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (tether_ui_test_get_widget (
                                                          editor, "hostname_row"))),
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

int
main (int   argc,
      char *argv[])
{
  int ret;

  test_tmpfs_init ();
  test_hosts_init (&argc, &argv);

  add_hosts_test ("/tether/hosts/editor-adds-host", test_editor_adds_host);
  add_hosts_test ("/tether/hosts/editor-edits-host", test_editor_edits_host);
  add_hosts_test ("/tether/hosts/editor-colour", test_editor_colour);
  add_hosts_test ("/tether/hosts/editor-save-error", test_editor_save_error);
  add_hosts_test ("/tether/hosts/editor-disk-full", test_editor_disk_full);

  ret = g_test_run ();

  g_clear_object (&app);

  return ret;
}
