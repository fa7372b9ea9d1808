/* test-files.c: the files tab against the test sshd's internal-sftp (tests/fixtures): it
 * lists a folder the test made, folders first; goes into a folder, up and back; uploads a
 * file that arrives byte-exact and shows in the list and in the transfers popover; shows
 * why a missing folder cannot be listed; opens from a terminal tab with win.open-files.
 * Runs under Xvfb; the server needs root, and the tests skip without it. */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <pwd.h>
#include <string.h>
#include <tether.h>
#include <unistd.h>

#include "tether-files-page.h"

#include "tether-ui-test.h"

static TetherApplication *app;
static TetherTestServer *server;

typedef struct {
  TetherUiTestWindowFixture window;
  TetherHostSession *session;
  TetherFilesPage *page;
  char *dir;                 /* a folder of the test user's, on this machine = the server */
} FilesFixture;

static void
chown_to_test_user (const char *path)
{
  struct passwd *pw = getpwnam (TETHER_TEST_SERVER_USER);

  g_assert_nonnull (pw);
  g_assert_cmpint (lchown (path, pw->pw_uid, pw->pw_gid), ==, 0);
}

static void
make_file (const char *dir,
           const char *name,
           const char *contents)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
  chown_to_test_user (path);
}

static void
make_folder (const char *dir,
             const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  g_assert_cmpint (g_mkdir (path, 0755), ==, 0);
  chown_to_test_user (path);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileEnumerator) children = NULL;
  GFileInfo *info;

  children = g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME ","
                                        G_FILE_ATTRIBUTE_STANDARD_TYPE,
                                        G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
  while (children != NULL &&
         g_file_enumerator_iterate (children, &info, NULL, NULL, NULL) && info != NULL) {
    g_autofree char *child = g_build_filename (path, g_file_info_get_name (info), NULL);

    if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
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

static void
files_set_up (FilesFixture  *fixture,
              gconstpointer  data)
{
  g_autoptr(TetherHost) host = NULL;
  g_autofree char *alias = NULL;
  AdwTabPage *tab;
  static guint n;

  tether_ui_test_window_set_up (&fixture->window, server);
  if (server == NULL)
    return;

  fixture->dir = g_dir_make_tmp ("tether-files-XXXXXX", NULL);
  g_assert_nonnull (fixture->dir);
  g_assert_cmpint (g_chmod (fixture->dir, 0755), ==, 0);
  chown_to_test_user (fixture->dir);

  alias = g_strdup_printf ("files-%u.test", n++);
  host = new_host_named (alias);
  fixture->session = g_object_ref (tether_ui_test_session_for (app, host));
  tab = tether_window_open_files (fixture->window.window, host);
  fixture->page = TETHER_FILES_PAGE (adw_tab_page_get_child (tab));
  g_object_add_weak_pointer (G_OBJECT (fixture->page), (gpointer *) &fixture->page);
}

static void
files_tear_down (FilesFixture  *fixture,
                 gconstpointer  data)
{
  tether_ui_test_window_tear_down (&fixture->window, server);
  if (fixture->session != NULL)
    tether_host_session_close (fixture->session);
  g_clear_object (&fixture->session);
  if (fixture->dir != NULL)
    remove_tree (fixture->dir);
  g_clear_pointer (&fixture->dir, g_free);
}

/* The page shows @path, listed, without an error. */
static gboolean
shows (TetherFilesPage *page,
       const char      *path)
{
  return g_strcmp0 (tether_files_page_get_path (page), path) == 0 &&
         !tether_files_page_get_loading (page) &&
         tether_files_page_get_error_message (page) == NULL;
}

static char *
dup_names (TetherFilesPage *page)
{
  GListModel *model = tether_files_page_get_model (page);
  g_autoptr(GString) names = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++) {
    g_autoptr(GFileInfo) info = g_list_model_get_item (model, i);

    g_string_append_printf (names, "%s%s", i > 0 ? " " : "", g_file_info_get_name (info));
  }
  return g_string_free (g_steal_pointer (&names), FALSE);
}

static gboolean
names_are (TetherFilesPage *page,
           const char      *expected)
{
  g_autofree char *names = dup_names (page);

  return g_str_equal (names, expected);
}

static gboolean
is_label (GtkWidget     *widget,
          gconstpointer  text)
{
  return GTK_IS_LABEL (widget) && g_str_equal (gtk_label_get_label (GTK_LABEL (widget)), text);
}

static gboolean
is_label_containing (GtkWidget     *widget,
                     gconstpointer  needle)
{
  return GTK_IS_LABEL (widget) &&
         strstr (gtk_label_get_label (GTK_LABEL (widget)), needle) != NULL;
}

static gboolean
is_column_view (GtkWidget     *widget,
                gconstpointer  data)
{
  return GTK_IS_COLUMN_VIEW (widget);
}

static gboolean
is_entry (GtkWidget     *widget,
          gconstpointer  data)
{
  return GTK_IS_ENTRY (widget);
}

static gboolean
is_status_page (GtkWidget     *widget,
                gconstpointer  data)
{
  return ADW_IS_STATUS_PAGE (widget);
}

/* Every spinner under @widget turns exactly while it is on screen; returns how many. One
 * that turns unseen makes GTK 4.8 lay the window out on every frame, a dozen X round trips
 * each time. */
static guint
assert_spinners_turn_only_when_shown (GtkWidget *widget)
{
  guint n_spinners = 0;

  if (GTK_IS_SPINNER (widget)) {
    g_assert_cmpint (gtk_spinner_get_spinning (GTK_SPINNER (widget)), ==,
                     gtk_widget_get_mapped (widget));
    n_spinners++;
  }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n_spinners += assert_spinners_turn_only_when_shown (child);
  return n_spinners;
}

static void
go_to_test_dir (FilesFixture *fixture)
{
  struct passwd *pw = getpwnam (TETHER_TEST_SERVER_USER);

  /* It starts at the user's home folder. */
  WAIT_UNTIL (shows (fixture->page, pw->pw_dir));
  tether_files_page_navigate (fixture->page, fixture->dir);
  WAIT_UNTIL (shows (fixture->page, fixture->dir));
}

static void
test_browse (FilesFixture  *fixture,
             gconstpointer  data)
{
  g_autofree char *alpha = NULL;
  GtkWidget *view;

  if (server == NULL)
    return;

  make_file (fixture->dir, "b.txt", "bee");
  make_file (fixture->dir, "a.txt", "a");
  make_file (fixture->dir, ".hidden", "");
  make_folder (fixture->dir, "zeta");
  make_folder (fixture->dir, "alpha");
  make_file (fixture->dir, "alpha/inner.txt", "inner");
  /* The loading page's spinner, whether it shows yet or not. */
  g_assert_cmpuint (assert_spinners_turn_only_when_shown (GTK_WIDGET (fixture->page)), >=, 1);
  go_to_test_dir (fixture);
  g_assert_cmpuint (assert_spinners_turn_only_when_shown (GTK_WIDGET (fixture->page)), >=, 1);

  /* Folders first, then files, by name; hidden ones only when asked for. */
  WAIT_UNTIL (names_are (fixture->page, "alpha zeta a.txt b.txt"));
  tether_files_page_set_show_hidden (fixture->page, TRUE);
  g_assert_true (names_are (fixture->page, "alpha zeta .hidden a.txt b.txt"));
  tether_files_page_set_show_hidden (fixture->page, FALSE);
  g_assert_true (names_are (fixture->page, "alpha zeta a.txt b.txt"));

  /* The column view shows them, with the size and permissions. */
  WAIT_UNTIL (tether_ui_test_find_descendant (GTK_WIDGET (fixture->page), is_label,
                                              "b.txt") != NULL);
  WAIT_UNTIL (tether_ui_test_find_descendant (GTK_WIDGET (fixture->page), is_label,
                                              "3 bytes") != NULL);
  WAIT_UNTIL (tether_ui_test_find_descendant (GTK_WIDGET (fixture->page), is_label,
                                              "rwxr-xr-x") != NULL);


  /* Activating a folder's row (double-click, Enter) opens it. */
  view = tether_ui_test_find_descendant (GTK_WIDGET (fixture->page), is_column_view, NULL);
  g_assert_nonnull (view);
  g_signal_emit_by_name (view, "activate", 0);
  alpha = g_build_filename (fixture->dir, "alpha", NULL);
  WAIT_UNTIL (shows (fixture->page, alpha));
  WAIT_UNTIL (names_are (fixture->page, "inner.txt"));

  gtk_widget_activate_action (GTK_WIDGET (fixture->page), "files.up", NULL);
  WAIT_UNTIL (shows (fixture->page, fixture->dir));
  WAIT_UNTIL (names_are (fixture->page, "alpha zeta a.txt b.txt"));

  gtk_widget_activate_action (GTK_WIDGET (fixture->page), "files.back", NULL);
  WAIT_UNTIL (shows (fixture->page, alpha));
}

static void
test_upload (FilesFixture  *fixture,
             gconstpointer  data)
{
  g_autofree char *local_dir = NULL;
  g_autofree char *local_path = NULL;
  g_autofree char *remote_path = NULL;
  g_autofree char *remote_contents = NULL;
  g_autoptr(GFile) local = NULL;
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  TetherTransfer *transfer;
  gsize remote_length = 0;

  if (server == NULL)
    return;

  make_file (fixture->dir, "old.txt", "old");
  go_to_test_dir (fixture);
  WAIT_UNTIL (names_are (fixture->page, "old.txt"));

  /* Several pipelined writes' worth of bytes that are not all alike. */
  for (guint i = 0; i < 1500 * 1024; i++) {
    guint8 byte = (guint8) (g_random_int () & 0xff);

    g_byte_array_append (bytes, &byte, 1);
  }
  local_dir = g_dir_make_tmp ("tether-files-local-XXXXXX", NULL);
  local_path = g_build_filename (local_dir, "upload.bin", NULL);
  g_assert_true (g_file_set_contents (local_path, (const char *) bytes->data, bytes->len,
                                      NULL));
  local = g_file_new_for_path (local_path);

  transfer = tether_files_page_upload_file (fixture->page, local);
  g_assert_nonnull (transfer);
  g_assert_cmpuint (g_list_model_get_n_items (tether_files_page_get_transfers (fixture->page)),
                    ==, 1);
  WAIT_UNTIL (tether_transfer_get_state (transfer) >= TETHER_TRANSFER_STATE_DONE);
  g_assert_null (tether_transfer_get_error (transfer));
  g_assert_cmpint (tether_transfer_get_state (transfer), ==, TETHER_TRANSFER_STATE_DONE);

  remote_path = g_build_filename (fixture->dir, "upload.bin", NULL);
  g_assert_true (g_file_get_contents (remote_path, &remote_contents, &remote_length, NULL));
  g_assert_cmpmem (remote_contents, remote_length, bytes->data, bytes->len);

  /* The folder is listed again with it, and the transfers popover says so. */
  WAIT_UNTIL (names_are (fixture->page, "old.txt upload.bin"));
  g_assert_nonnull (tether_ui_test_find_descendant (GTK_WIDGET (fixture->page), is_label,
                                                    "upload.bin"));
  WAIT_UNTIL (tether_ui_test_find_descendant (GTK_WIDGET (fixture->page), is_label_containing,
                                              "Done, 1.5") != NULL);

  /* And back: the download is the same bytes again. */
  {
    g_autofree char *back_path = g_build_filename (local_dir, "back.bin", NULL);
    g_autofree char *back_contents = NULL;
    g_autoptr(GFile) back = g_file_new_for_path (back_path);
    gsize back_length = 0;

    transfer = tether_files_page_download_file (fixture->page, "upload.bin", back);
    g_assert_nonnull (transfer);
    g_assert_cmpuint (g_list_model_get_n_items (tether_files_page_get_transfers (
                        fixture->page)), ==, 2);
    WAIT_UNTIL (tether_transfer_get_state (transfer) >= TETHER_TRANSFER_STATE_DONE);
    g_assert_cmpint (tether_transfer_get_state (transfer), ==, TETHER_TRANSFER_STATE_DONE);
    g_assert_true (g_file_get_contents (back_path, &back_contents, &back_length, NULL));
    g_assert_cmpmem (back_contents, back_length, bytes->data, bytes->len);
    g_unlink (back_path);
  }

  g_unlink (local_path);
  g_rmdir (local_dir);
}

static void
test_missing_folder (FilesFixture  *fixture,
                     gconstpointer  data)
{
  g_autofree char *missing = NULL;
  GtkWidget *entry;
  GtkWidget *status;

  if (server == NULL)
    return;

  go_to_test_dir (fixture);
  missing = g_build_filename (fixture->dir, "no-such-folder", NULL);

  /* Typed into the path bar, then Enter. */
  entry = tether_ui_test_find_descendant (GTK_WIDGET (fixture->page), is_entry, NULL);
  g_assert_nonnull (entry);
  gtk_editable_set_text (GTK_EDITABLE (entry), missing);
  g_signal_emit_by_name (entry, "activate");
  WAIT_UNTIL (tether_files_page_get_error_message (fixture->page) != NULL);
  g_assert_nonnull (strstr (tether_files_page_get_error_message (fixture->page),
                            "no-such-folder"));
  /* The path bar keeps what was typed, to be corrected (it used to empty itself). */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, missing);
  status = tether_ui_test_find_descendant (GTK_WIDGET (fixture->page), is_status_page, NULL);
  g_assert_nonnull (status);
  g_assert_true (gtk_widget_is_visible (status));
  g_assert_nonnull (strstr (adw_status_page_get_description (ADW_STATUS_PAGE (status)),
                            "no-such-folder"));

  /* Up from there is the folder that exists. */
  gtk_widget_activate_action (GTK_WIDGET (fixture->page), "files.up", NULL);
  WAIT_UNTIL (shows (fixture->page, fixture->dir));
}

static gboolean
is_cancel_button (GtkWidget     *widget,
                  gconstpointer  data)
{
  return GTK_IS_BUTTON (widget) && gtk_widget_get_visible (widget) &&
         g_strcmp0 (gtk_widget_get_tooltip_text (widget), "Cancel Transfer") == 0;
}

/* The popover's Cancel stops a transfer, and its row says so. */
static void
test_cancel_upload (FilesFixture  *fixture,
                    gconstpointer  data)
{
  g_autofree char *local_dir = NULL;
  g_autofree char *local_path = NULL;
  g_autofree char *zeros = g_malloc0 (32 * 1024 * 1024);
  g_autoptr(GFile) local = NULL;
  TetherTransfer *transfer;
  GtkWidget *cancel;

  if (server == NULL)
    return;

  go_to_test_dir (fixture);
  local_dir = g_dir_make_tmp ("tether-files-local-XXXXXX", NULL);
  local_path = g_build_filename (local_dir, "big.bin", NULL);
  g_assert_true (g_file_set_contents (local_path, zeros, 32 * 1024 * 1024, NULL));
  local = g_file_new_for_path (local_path);

  transfer = tether_files_page_upload_file (fixture->page, local);
  g_assert_nonnull (transfer);
  cancel = tether_ui_test_find_descendant (GTK_WIDGET (fixture->page), is_cancel_button, NULL);
  g_assert_nonnull (cancel);
  g_signal_emit_by_name (cancel, "clicked");
  WAIT_UNTIL (tether_transfer_get_state (transfer) >= TETHER_TRANSFER_STATE_DONE);
  g_assert_cmpint (tether_transfer_get_state (transfer), ==, TETHER_TRANSFER_STATE_CANCELLED);
  WAIT_UNTIL (tether_ui_test_find_descendant (GTK_WIDGET (fixture->page), is_label,
                                              "Cancelled") != NULL);
  g_assert_null (tether_ui_test_find_descendant (GTK_WIDGET (fixture->page), is_cancel_button,
                                                 NULL));
  g_unlink (local_path);
  g_rmdir (local_dir);
}

/* Answers the name dialog on screen with @name and @response. */
static void
answer_dialog (const char *name,
               const char *response)
{
  AdwMessageDialog *dialog;

  WAIT_UNTIL ((dialog = tether_ui_test_find_message_dialog ()) != NULL);
  if (name != NULL)
    gtk_editable_set_text (GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog)), name);
  adw_message_dialog_response (dialog, response);
  WAIT_UNTIL (tether_ui_test_find_message_dialog () == NULL);
}

static void
select_name (TetherFilesPage *page,
             const char      *name)
{
  GtkWidget *view = tether_ui_test_find_descendant (GTK_WIDGET (page), is_column_view, NULL);
  GListModel *model = tether_files_page_get_model (page);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++) {
    g_autoptr(GFileInfo) info = g_list_model_get_item (model, i);

    if (g_str_equal (g_file_info_get_name (info), name)) {
      gtk_selection_model_select_item (gtk_column_view_get_model (GTK_COLUMN_VIEW (view)), i,
                                       TRUE);
      return;
    }
  }
  g_assert_not_reached ();
}

static void
test_folder_operations (FilesFixture  *fixture,
                        gconstpointer  data)
{
  g_autofree char *made = NULL;
  g_autofree char *renamed = NULL;

  if (server == NULL)
    return;

  make_file (fixture->dir, "keep.txt", "keep");
  go_to_test_dir (fixture);
  WAIT_UNTIL (names_are (fixture->page, "keep.txt"));
  made = g_build_filename (fixture->dir, "made", NULL);
  renamed = g_build_filename (fixture->dir, "renamed", NULL);

  gtk_widget_activate_action (GTK_WIDGET (fixture->page), "files.new-folder", NULL);
  answer_dialog ("made", "ok");
  WAIT_UNTIL (names_are (fixture->page, "made keep.txt"));
  g_assert_true (g_file_test (made, G_FILE_TEST_IS_DIR));

  select_name (fixture->page, "made");
  gtk_widget_activate_action (GTK_WIDGET (fixture->page), "files.rename", NULL);
  answer_dialog ("renamed", "ok");
  WAIT_UNTIL (names_are (fixture->page, "renamed keep.txt"));
  g_assert_true (g_file_test (renamed, G_FILE_TEST_IS_DIR));
  g_assert_false (g_file_test (made, G_FILE_TEST_EXISTS));

  /* Cancelling the question keeps it; confirming deletes it. */
  select_name (fixture->page, "renamed");
  gtk_widget_activate_action (GTK_WIDGET (fixture->page), "files.delete", NULL);
  answer_dialog (NULL, "cancel");
  g_assert_true (g_file_test (renamed, G_FILE_TEST_IS_DIR));
  select_name (fixture->page, "renamed");
  gtk_widget_activate_action (GTK_WIDGET (fixture->page), "files.delete", NULL);
  answer_dialog (NULL, "delete");
  WAIT_UNTIL (names_are (fixture->page, "keep.txt"));
  g_assert_false (g_file_test (renamed, G_FILE_TEST_EXISTS));
}

/* Ctrl+Shift+O's action from a terminal tab opens the files of the tab's host, over the
 * same session. */
static void
test_open_from_terminal (TetherUiTestWindowFixture *fixture,
                         gconstpointer              data)
{
  g_autoptr(TetherHost) host = NULL;
  AdwTabView *tab_view;
  AdwTabPage *terminal_tab;
  GtkWidget *child;

  if (server == NULL)
    return;

  host = new_host_named ("files-terminal.test");
  terminal_tab = tether_window_open_host (fixture->window, host);
  WAIT_UNTIL (tether_ui_test_is_connected (tether_ui_test_tab_terminal (terminal_tab)));

  tab_view = tether_window_get_tab_view (fixture->window);
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.open-files", "s", "");
  g_assert_cmpint (adw_tab_view_get_n_pages (tab_view), ==, 2);
  child = adw_tab_page_get_child (adw_tab_view_get_selected_page (tab_view));
  g_assert_true (TETHER_IS_FILES_PAGE (child));
  g_assert_true (tether_files_page_get_session (TETHER_FILES_PAGE (child)) ==
                 tether_terminal_page_get_session (tether_ui_test_tab_terminal (terminal_tab)));
  WAIT_UNTIL (tether_files_page_get_path (TETHER_FILES_PAGE (child)) != NULL &&
              !tether_files_page_get_loading (TETHER_FILES_PAGE (child)));
  g_assert_null (tether_files_page_get_error_message (TETHER_FILES_PAGE (child)));
  tether_host_session_close (tether_ui_test_session_for (app, host));
}

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

  g_test_add ("/tether/files/browse", FilesFixture, NULL, files_set_up, test_browse,
              files_tear_down);
  g_test_add ("/tether/files/upload", FilesFixture, NULL, files_set_up, test_upload,
              files_tear_down);
  g_test_add ("/tether/files/cancel-upload", FilesFixture, NULL, files_set_up,
              test_cancel_upload, files_tear_down);
  g_test_add ("/tether/files/folder-operations", FilesFixture, NULL, files_set_up,
              test_folder_operations, files_tear_down);
  g_test_add ("/tether/files/missing-folder", FilesFixture, NULL, files_set_up,
              test_missing_folder, files_tear_down);
  g_test_add ("/tether/files/open-from-terminal", TetherUiTestWindowFixture, server,
              tether_ui_test_window_set_up, test_open_from_terminal,
              tether_ui_test_window_tear_down);

  ret = g_test_run ();

  g_clear_pointer (&server, tether_test_server_free);
  g_clear_object (&app);

  return ret;
}
