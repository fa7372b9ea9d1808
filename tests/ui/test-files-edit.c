/* test-files-edit.c: the files tab's Open With Default App against the test sshd's
 * internal-sftp (tests/fixtures). The launch is real: the test's private HOME gets a .desktop
 * handler, the default for text/plain, whose command appends a line to the file it is given,
 * as a user's save would; the line must arrive on the server. A change on the server
 * meanwhile asks, and each answer does what it says.
 * Runs under Xvfb; the server needs root, and the tests skip without it. */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <pwd.h>
#include <string.h>
#include <tether.h>
#include <unistd.h>
#include <utime.h>

#include "tether-files-page.h"

#include "tether-ui-test.h"

/* What the test editor appends to a file each time it is started on it. */
#define EDITOR_LINE "added by the test editor\n"
#define EDITOR_ID "tether-test-editor.desktop"
#define OLD_MTIME 1000000000

static TetherApplication *app;
static TetherTestServer *server;
static char *edited_list;      /* the files the test editor was started on, a line each */

typedef struct {
  TetherUiTestWindowFixture window;
  TetherHostSession *session;
  TetherFilesPage *page;
  char *dir;                   /* a folder of the test user's, on this machine = the server */
  char *remote;                /* dir/notes.txt */
} EditFixture;

/* The default app for text/plain in the test's private HOME: a script that appends a line. */
static void
install_test_editor (void)
{
  g_autofree char *apps = g_build_filename (g_get_user_data_dir (), "applications", NULL);
  g_autofree char *script = g_build_filename (g_get_home_dir (), "tether-test-editor", NULL);
  g_autofree char *desktop = g_build_filename (apps, EDITOR_ID, NULL);
  g_autofree char *mimeapps = g_build_filename (g_get_user_config_dir (), "mimeapps.list",
                                                NULL);
  g_autofree char *script_text = NULL;
  g_autofree char *desktop_text = NULL;

  edited_list = g_build_filename (g_get_home_dir (), "edited-files", NULL);
  script_text = g_strdup_printf ("#!/bin/sh\n"
                                 "for f in \"$@\"; do\n"
                                 "  printf '%%s' '%s' >> \"$f\"\n"
                                 "  printf '%%s\\n' \"$f\" >> '%s'\n"
                                 "done\n",
                                 EDITOR_LINE, edited_list);
  g_assert_true (g_file_set_contents (script, script_text, -1, NULL));
  g_assert_cmpint (g_chmod (script, 0755), ==, 0);

  desktop_text = g_strdup_printf ("[Desktop Entry]\n"
                                  "Type=Application\n"
                                  "Name=Tether Test Editor\n"
                                  "Exec=%s %%F\n"
                                  "MimeType=text/plain;\n"
                                  "NoDisplay=true\n",
                                  script);
  g_assert_cmpint (g_mkdir_with_parents (apps, 0700), ==, 0);
  g_assert_true (g_file_set_contents (desktop, desktop_text, -1, NULL));
  g_assert_cmpint (g_mkdir_with_parents (g_get_user_config_dir (), 0700), ==, 0);
  g_assert_true (g_file_set_contents (mimeapps,
                                      "[Default Applications]\n"
                                      "text/plain=" EDITOR_ID "\n", -1, NULL));
}

static guint
count_launches (void)
{
  g_autofree char *contents = NULL;
  guint n = 0;

  if (!g_file_get_contents (edited_list, &contents, NULL, NULL))
    return 0;
  for (const char *p = contents; *p != '\0'; p++)
    n += *p == '\n';
  return n;
}

/* The file the test editor was last started on. */
static char *
dup_last_edited (void)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  guint n;

  g_assert_true (g_file_get_contents (edited_list, &contents, NULL, NULL));
  g_strchomp (contents);
  lines = g_strsplit (contents, "\n", -1);
  n = g_strv_length (lines);
  g_assert_cmpuint (n, >, 0);
  return g_strdup (lines[n - 1]);
}

static void
chown_to_test_user (const char *path)
{
  struct passwd *pw = getpwnam (TETHER_TEST_SERVER_USER);

  g_assert_nonnull (pw);
  g_assert_cmpint (lchown (path, pw->pw_uid, pw->pw_gid), ==, 0);
}

/* Writes the server's file as somebody else on the server would. */
static void
server_write (EditFixture *fixture,
              const char  *contents)
{
  struct utimbuf times = { OLD_MTIME, OLD_MTIME };

  g_assert_true (g_file_set_contents (fixture->remote, contents, -1, NULL));
  chown_to_test_user (fixture->remote);
  g_assert_cmpint (utime (fixture->remote, &times), ==, 0);
}

static gboolean
file_is (const char *path,
         const char *expected)
{
  g_autofree char *contents = NULL;

  return g_file_get_contents (path, &contents, NULL, NULL) &&
         g_str_equal (contents, expected);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
    g_autofree char *child = g_build_filename (path, name, NULL);

    if (g_file_test (child, G_FILE_TEST_IS_DIR))
      remove_tree (child);
    else
      g_unlink (child);
  }
  g_rmdir (path);
}

/* A host of the test server under its own alias: a session no other test shares. */
static TetherHost *
new_host_named (const char *alias)
{
  g_autoptr(TetherHost) template = tether_ui_test_new_host (server);
  TetherHost *host = tether_host_new (alias);

  tether_host_set_hostname (host, tether_host_get_hostname (template));
  tether_host_set_port (host, tether_host_get_port (template));
  tether_host_set_user (host, tether_host_get_user (template));
  tether_host_set_identity_files (host, tether_host_get_identity_files (template));
  tether_host_set_identities_only (host, TRUE);
  tether_host_set_known_hosts_file (host, tether_host_get_known_hosts_file (template));
  tether_host_set_label (host, "Test Server");
  return host;
}

static gboolean
shows (TetherFilesPage *page,
       const char      *path)
{
  return g_strcmp0 (tether_files_page_get_path (page), path) == 0 &&
         !tether_files_page_get_loading (page) &&
         tether_files_page_get_error_message (page) == NULL;
}

static gboolean
lists (TetherFilesPage *page,
       const char      *name)
{
  GListModel *model = tether_files_page_get_model (page);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++) {
    g_autoptr(GFileInfo) info = g_list_model_get_item (model, i);

    if (g_str_equal (g_file_info_get_name (info), name))
      return TRUE;
  }
  return FALSE;
}

static guint
position_of (TetherFilesPage *page,
             const char      *name)
{
  GListModel *model = tether_files_page_get_model (page);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++) {
    g_autoptr(GFileInfo) info = g_list_model_get_item (model, i);

    if (g_str_equal (g_file_info_get_name (info), name))
      return i;
  }
  g_assert_not_reached ();
}

static gboolean
is_column_view (GtkWidget     *widget,
                gconstpointer  data)
{
  return GTK_IS_COLUMN_VIEW (widget);
}

static gboolean
is_label (GtkWidget     *widget,
          gconstpointer  text)
{
  return GTK_IS_LABEL (widget) && g_str_equal (gtk_label_get_label (GTK_LABEL (widget)), text);
}

/* @n saves uploaded, and the edit back to watching (the server's new mtime known). */
static gboolean
uploaded (TetherRemoteEdit *edit,
          guint             n)
{
  return tether_remote_edit_get_n_uploads (edit) == n &&
         tether_remote_edit_get_state (edit) == TETHER_REMOTE_EDIT_STATE_WATCHING;
}

/* What a label shows, its mnemonic's underscore left out. */
static gboolean
shows_text (GtkWidget     *widget,
            gconstpointer  text)
{
  return GTK_IS_LABEL (widget) && g_str_equal (gtk_label_get_text (GTK_LABEL (widget)), text);
}

/* The page has other popover menus (its ⋮ menu): the row's is the one with @data in it. */
static gboolean
is_popover_menu (GtkWidget     *widget,
                 gconstpointer  data)
{
  return GTK_IS_POPOVER_MENU (widget) &&
         tether_ui_test_find_descendant (widget, shows_text, data) != NULL;
}

static void
edit_set_up (EditFixture   *fixture,
             gconstpointer  data)
{
  g_autoptr(TetherHost) host = NULL;
  g_autofree char *alias = NULL;
  struct passwd *pw;
  AdwTabPage *tab;
  static guint n;

  tether_ui_test_window_set_up (&fixture->window, server);
  if (server == NULL)
    return;

  fixture->dir = g_dir_make_tmp ("tether-files-edit-XXXXXX", NULL);
  g_assert_nonnull (fixture->dir);
  g_assert_cmpint (g_chmod (fixture->dir, 0755), ==, 0);
  chown_to_test_user (fixture->dir);
  fixture->remote = g_build_filename (fixture->dir, "notes.txt", NULL);
  server_write (fixture, "first line\n");

  alias = g_strdup_printf ("files-edit-%u.test", n++);
  host = new_host_named (alias);
  fixture->session = g_object_ref (tether_ui_test_session_for (app, host));
  tab = tether_window_open_files (fixture->window.window, host);
  fixture->page = TETHER_FILES_PAGE (adw_tab_page_get_child (tab));
  g_object_add_weak_pointer (G_OBJECT (fixture->page), (gpointer *) &fixture->page);

  pw = getpwnam (TETHER_TEST_SERVER_USER);
  WAIT_UNTIL (shows (fixture->page, pw->pw_dir));
  tether_files_page_navigate (fixture->page, fixture->dir);
  WAIT_UNTIL (shows (fixture->page, fixture->dir) && lists (fixture->page, "notes.txt"));
}

static void
edit_tear_down (EditFixture   *fixture,
                gconstpointer  data)
{
  tether_ui_test_window_tear_down (&fixture->window, server);
  if (fixture->session != NULL)
    tether_host_session_close (fixture->session);
  g_clear_object (&fixture->session);
  if (fixture->dir != NULL)
    remove_tree (fixture->dir);
  g_clear_pointer (&fixture->dir, g_free);
  g_clear_pointer (&fixture->remote, g_free);
}

/* Opens notes.txt as the context menu's item does. */
static void
open_with_action (EditFixture *fixture)
{
  GtkWidget *view = tether_ui_test_find_descendant (GTK_WIDGET (fixture->page), is_column_view,
                                                    NULL);
  guint launches = count_launches ();

  gtk_selection_model_select_item (gtk_column_view_get_model (GTK_COLUMN_VIEW (view)),
                                   position_of (fixture->page, "notes.txt"), TRUE);
  gtk_widget_activate_action (GTK_WIDGET (fixture->page), "files.open", NULL);
  WAIT_UNTIL (count_launches () == launches + 1);
}

/* Double-click (activating the row) opens the file in the default app; its save arrives on
 * the server, and the page says so. */
static void
test_open_and_save (EditFixture   *fixture,
                    gconstpointer  data)
{
  g_autofree char *local = NULL;
  g_autofree char *folder = NULL;
  GtkWidget *view;
  GtkWidget *menu;

  if (server == NULL)
    return;

  view = tether_ui_test_find_descendant (GTK_WIDGET (fixture->page), is_column_view, NULL);

  /* The row's menu (here from the keyboard) offers it. */
  gtk_selection_model_select_item (gtk_column_view_get_model (GTK_COLUMN_VIEW (view)),
                                   position_of (fixture->page, "notes.txt"), TRUE);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->page), "files.context-menu",
                                             NULL));
  menu = tether_ui_test_find_descendant (GTK_WIDGET (fixture->page), is_popover_menu,
                                         "Open With Default App");
  g_assert_nonnull (menu);
  WAIT_UNTIL (gtk_widget_get_mapped (menu));
  g_assert_nonnull (tether_ui_test_find_descendant (menu, shows_text, "Open With Default App"));
  gtk_popover_popdown (GTK_POPOVER (menu));

  /* Double-click. */
  g_signal_emit_by_name (view, "activate", position_of (fixture->page, "notes.txt"));
  WAIT_UNTIL (count_launches () == 1);

  /* The app got the private copy, not the server's file. */
  local = dup_last_edited ();
  g_assert_true (g_str_has_prefix (local, g_get_user_cache_dir ()));
  folder = g_path_get_dirname (local);
  g_assert_cmpint (g_file_test (folder, G_FILE_TEST_IS_DIR), ==, TRUE);

  WAIT_UNTIL (tether_ui_test_find_descendant (GTK_WIDGET (fixture->window.window), is_label,
                                              "Saved “notes.txt”") != NULL);
  g_assert_true (file_is (fixture->remote, "first line\n" EDITOR_LINE));
  g_assert_true (file_is (local, "first line\n" EDITOR_LINE));
  g_assert_cmpuint (tether_remote_edit_get_n_uploads (
                      tether_files_page_lookup_edit (fixture->page, fixture->remote)), ==, 1);

  /* Closing the tab ends the edit and removes the copy. */
  tether_ui_test_window_tear_down (&fixture->window, server);
  WAIT_UNTIL (fixture->page == NULL);
  g_assert_false (g_file_test (local, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (folder, G_FILE_TEST_EXISTS));
}

/* The file changed on the server meanwhile: the save asks, and uploads nothing until it is
 * answered; Keep Server Version puts the server's file in the copy, Upload Mine overwrites
 * the server's. */
static void
test_conflict (EditFixture   *fixture,
               gconstpointer  data)
{
  g_autofree char *local = NULL;
  TetherRemoteEdit *edit;
  AdwMessageDialog *dialog;

  if (server == NULL)
    return;

  open_with_action (fixture);
  local = dup_last_edited ();
  edit = tether_files_page_lookup_edit (fixture->page, fixture->remote);
  g_assert_nonnull (edit);
  WAIT_UNTIL (uploaded (edit, 1));
  g_assert_true (file_is (fixture->remote, "first line\n" EDITOR_LINE));

  /* Somebody else saves it; the app saves again. */
  server_write (fixture, "server version\n");
  open_with_action (fixture);
  WAIT_UNTIL ((dialog = tether_ui_test_find_message_dialog ()) != NULL);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==,
                   "“notes.txt” changed on the server");
  g_assert_cmpint (tether_remote_edit_get_state (edit), ==, TETHER_REMOTE_EDIT_STATE_CONFLICT);
  g_assert_true (file_is (fixture->remote, "server version\n"));
  g_assert_true (file_is (local, "first line\n" EDITOR_LINE EDITOR_LINE));

  adw_message_dialog_response (dialog, "keep-theirs");
  WAIT_UNTIL (tether_remote_edit_get_state (edit) == TETHER_REMOTE_EDIT_STATE_WATCHING);
  g_assert_true (file_is (local, "server version\n"));
  g_assert_true (file_is (fixture->remote, "server version\n"));
  g_assert_cmpuint (tether_remote_edit_get_n_uploads (edit), ==, 1);

  /* From the server's version on, saves upload again. */
  open_with_action (fixture);
  WAIT_UNTIL (uploaded (edit, 2));
  g_assert_true (file_is (fixture->remote, "server version\n" EDITOR_LINE));

  /* Again, and this time the local version wins. */
  server_write (fixture, "server, once more\n");
  open_with_action (fixture);
  WAIT_UNTIL ((dialog = tether_ui_test_find_message_dialog ()) != NULL);
  g_assert_true (file_is (fixture->remote, "server, once more\n"));
  adw_message_dialog_response (dialog, "upload-mine");
  WAIT_UNTIL (uploaded (edit, 3));
  g_assert_true (file_is (fixture->remote, "server version\n" EDITOR_LINE EDITOR_LINE));
  WAIT_UNTIL (tether_ui_test_find_message_dialog () == NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  tether_ui_test_init (&argc, &argv);
  /* Before anything asks GIO for apps: it reads the handlers once and then watches them. */
  install_test_editor ();

  app = tether_ui_test_new_application ();

  server = tether_test_server_new (TETHER_TEST_SERVER_OPENSSH, &error);
  if (server == NULL) {
    g_test_message ("No test server: %s", error->message);
    g_clear_error (&error);
  }

  g_test_add ("/tether/files-edit/open-and-save", EditFixture, NULL, edit_set_up,
              test_open_and_save, edit_tear_down);
  g_test_add ("/tether/files-edit/conflict", EditFixture, NULL, edit_set_up, test_conflict,
              edit_tear_down);

  ret = g_test_run ();

  g_clear_pointer (&server, tether_test_server_free);
  g_clear_object (&app);
  g_free (edited_list);

  return ret;
}
