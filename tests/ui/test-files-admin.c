/* test-files-admin.c: the files tab as administrator (SFTP through sudo) against the test
 * sshd (tests/fixtures). One server has a stand-in `sudo` first on its PATH (a script that
 * speaks sudo -S -p's protocol and then runs the command as the test user): the page's
 * More menu opens an administrator tab, the app's password dialog asks (without offering to
 * remember), a wrong password is asked again, and the right one lists the folder and
 * downloads without asking again. The other server runs the real sudo, which, as root with a
 * sudoers drop-in that lives as long as the test, lets the tab list a folder only root can
 * read and upload into it. Runs under Xvfb; the servers need
 * root, and the tests skip without it. */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>
#include <tether.h>
#include <unistd.h>

#include "tether-files-page.h"

#include "tether-ui-test.h"

#define STAND_IN_PASSWORD "stand-in sudo password"
#define WRONG_PASSWORD "not the password"
#define SUDO_PATH "/usr/bin/sudo"
#define SUDOERS_DIR "/etc/sudoers.d"
/* The secret dialog's answer that logs in (tether-secret-dialog.c). */
#define RESPONSE_LOG_IN "log-in"

static TetherApplication *app;
static TetherTestServer *stand_in_server;
static TetherTestServer *real_server;
static char *stand_in_bin;

static const char stand_in_script[] =
  "#!/bin/sh\n"
  "prompt='Password: '\n"
  "while [ $# -gt 0 ]; do\n"
  "  case $1 in\n"
  "    -p) prompt=$2; shift 2 ;;\n"
  "    --) shift; break ;;\n"
  "    -*) shift ;;\n"
  "    *) break ;;\n"
  "  esac\n"
  "done\n"
  "tries=0\n"
  "while [ $tries -lt 3 ]; do\n"
  "  printf '%s' \"$prompt\" >&2\n"
  "  IFS= read -r answer || exit 1\n"
  "  if [ \"$answer\" = '" STAND_IN_PASSWORD "' ]; then exec \"$@\"; fi\n"
  "  tries=$((tries + 1))\n"
  "  if [ $tries -lt 3 ]; then echo 'Sorry, try again.' >&2; fi\n"
  "done\n"
  "echo \"sudo: $tries incorrect password attempts\" >&2\n"
  "exit 1\n";

/* A host of @server under its own alias: a session no other test shares. */
static TetherHost *
new_host_named (TetherTestServer *server,
                const char       *alias)
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
is_password_row (GtkWidget     *widget,
                 gconstpointer  data)
{
  return ADW_IS_PASSWORD_ENTRY_ROW (widget);
}

static gboolean
is_check_button (GtkWidget     *widget,
                 gconstpointer  data)
{
  return GTK_IS_CHECK_BUTTON (widget);
}

static gboolean
is_page_menu (GtkWidget     *widget,
              gconstpointer  data)
{
  return GTK_IS_MENU_BUTTON (widget) &&
         g_strcmp0 (gtk_buildable_get_buildable_id (GTK_BUILDABLE (widget)),
                    "page_menu_button") == 0;
}

static gboolean
page_lists (TetherFilesPage *page,
            const char      *path,
            const char      *name)
{
  GListModel *model = tether_files_page_get_model (page);

  if (g_strcmp0 (tether_files_page_get_path (page), path) != 0 ||
      tether_files_page_get_loading (page) || tether_files_page_get_error_message (page) != NULL)
    return FALSE;
  for (guint i = 0; i < g_list_model_get_n_items (model); i++) {
    g_autoptr(GFileInfo) info = g_list_model_get_item (model, i);

    if (g_strcmp0 (g_file_info_get_name (info), name) == 0)
      return TRUE;
  }
  return FALSE;
}

/* Answers the password dialog sudo's prompt opened, and checks what it offers. */
static void
answer_password (const char *password,
                 gboolean    retry)
{
  AdwMessageDialog *dialog = NULL;
  GtkWidget *row;

  WAIT_UNTIL ((dialog = tether_ui_test_find_message_dialog ()) != NULL &&
              gtk_widget_get_mapped (GTK_WIDGET (dialog)));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "administrator"));
  g_assert_true (retry == (strstr (adw_message_dialog_get_body (dialog),
                                   "not accepted") != NULL));
  /* sudo's password is never kept: nothing offers to remember it. */
  g_assert_null (tether_ui_test_find_descendant (GTK_WIDGET (dialog), is_check_button, NULL));
  row = tether_ui_test_find_descendant (GTK_WIDGET (dialog), is_password_row, NULL);
  g_assert_nonnull (row);
  gtk_editable_set_text (GTK_EDITABLE (row), password);
  adw_message_dialog_response (dialog, RESPONSE_LOG_IN);
  /* The next question (if any) is a new dialog: wait for this one to go. */
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  WAIT_UNTIL (dialog == NULL || !gtk_widget_get_visible (GTK_WIDGET (dialog)));
  if (dialog != NULL)
    g_object_remove_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
}

/* From a plain files tab, More ▸ Open as Administrator: a second tab, titled as such, that
 * asks sudo's password (again after a wrong one) and then lists folders through sudo. */
static void
test_stand_in (TetherUiTestWindowFixture *fixture,
               gconstpointer              data)
{
  g_autoptr(TetherHost) host = NULL;
  AdwTabView *tab_view;
  AdwTabPage *tab;
  TetherFilesPage *plain;
  TetherFilesPage *admin;
  GtkWidget *menu_button;

  if (stand_in_server == NULL)
    return;

  host = new_host_named (stand_in_server, "files-admin-stand-in.test");
  tab = tether_window_open_files (fixture->window, host);
  plain = TETHER_FILES_PAGE (adw_tab_page_get_child (tab));
  WAIT_UNTIL (tether_files_page_get_path (plain) != NULL &&
              !tether_files_page_get_loading (plain));
  g_assert_null (tether_files_page_get_error_message (plain));
  g_assert_false (tether_files_page_get_administrator (plain));

  /* The page's menu offers it. */
  menu_button = tether_ui_test_find_descendant (GTK_WIDGET (plain), is_page_menu, NULL);
  g_assert_nonnull (menu_button);
  g_assert_nonnull (gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (menu_button)));

  tab_view = tether_window_get_tab_view (fixture->window);
  gtk_widget_activate_action (GTK_WIDGET (plain), "files.open-administrator", NULL);
  g_assert_cmpint (adw_tab_view_get_n_pages (tab_view), ==, 2);
  tab = adw_tab_view_get_selected_page (tab_view);
  admin = TETHER_FILES_PAGE (adw_tab_page_get_child (tab));
  g_assert_true (tether_files_page_get_administrator (admin));
  g_assert_true (tether_files_page_get_session (admin) == tether_files_page_get_session (plain));
  g_assert_nonnull (strstr (adw_tab_page_get_title (tab), "Administrator"));

  answer_password (WRONG_PASSWORD, FALSE);
  answer_password (STAND_IN_PASSWORD, TRUE);
  WAIT_UNTIL (tether_files_page_get_path (admin) != NULL &&
              !tether_files_page_get_loading (admin));
  g_assert_null (tether_files_page_get_error_message (admin));
  tether_files_page_navigate (admin, stand_in_bin);
  WAIT_UNTIL (page_lists (admin, stand_in_bin, "sudo"));
  /* Transfers are offered as administrator too, and a download through sudo does not ask
   * the password again: the tab's sudo client answers the transfer's sudo. */
  g_assert_true (gtk_widget_is_sensitive (tether_ui_test_get_widget (admin, "upload_button")));
  g_assert_true (gtk_widget_is_sensitive (tether_ui_test_get_widget (plain, "upload_button")));
  {
    g_autofree char *local_dir = g_dir_make_tmp ("tether-files-admin-XXXXXX", NULL);
    g_autofree char *local_path = g_build_filename (local_dir, "sudo-copy", NULL);
    g_autofree char *contents = NULL;
    g_autoptr(GFile) local = g_file_new_for_path (local_path);
    TetherTransfer *transfer = tether_files_page_download_file (admin, "sudo", local);

    g_assert_nonnull (transfer);
    WAIT_UNTIL (tether_transfer_get_state (transfer) >= TETHER_TRANSFER_STATE_DONE ||
                tether_ui_test_find_message_dialog () != NULL);
    g_assert_null (tether_ui_test_find_message_dialog ());
    g_assert_null (tether_transfer_get_error (transfer));
    g_assert_true (g_file_get_contents (local_path, &contents, NULL, NULL));
    g_assert_cmpstr (contents, ==, stand_in_script);
    g_unlink (local_path);
    g_rmdir (local_dir);
  }

  tether_host_session_close (tether_ui_test_session_for (app, host));
}

/* Drop-ins of tests that crashed before removing theirs (named PREFIX + pid). */
static void
prune_stale_sudoers (const char *prefix)
{
  g_autoptr(GDir) dir = g_dir_open (SUDOERS_DIR, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
    g_autofree char *proc = NULL;
    g_autofree char *path = NULL;

    if (!g_str_has_prefix (name, prefix))
      continue;
    proc = g_strdup_printf ("/proc/%s", name + strlen (prefix));
    if (g_file_test (proc, G_FILE_TEST_EXISTS))
      continue;
    path = g_build_filename (SUDOERS_DIR, name, NULL);
    g_unlink (path);
  }
}

/* With the real sudo (a NOPASSWD rule for the test user while the test runs), the window's
 * action (what the host row's menu item calls) opens a tab that lists a folder only root can
 * read, without asking anything. */
static void
test_real_root_folder (TetherUiTestWindowFixture *fixture,
                       gconstpointer              data)
{
  g_autoptr(TetherHost) host = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sudoers = NULL;
  g_autofree char *secret_dir = NULL;
  g_autofree char *secret_file = NULL;
  g_autofree char *rule = NULL;
  AdwTabPage *tab;
  TetherFilesPage *admin;

  if (real_server == NULL)
    return;
  if (getuid () != 0 || !g_file_test (SUDO_PATH, G_FILE_TEST_IS_EXECUTABLE) ||
      !g_file_test (SUDOERS_DIR, G_FILE_TEST_IS_DIR)) {
    g_test_skip ("needs root, " SUDO_PATH " and " SUDOERS_DIR " (Debian package sudo)");
    return;
  }
  prune_stale_sudoers ("tether-test-ui-");
  /* sudo ignores drop-ins with a dot in their name. */
  sudoers = g_strdup_printf (SUDOERS_DIR "/tether-test-ui-%d", (int) getpid ());
  rule = g_strdup_printf ("%s ALL=(root) NOPASSWD: ALL\n", TETHER_TEST_SERVER_USER);
  g_file_set_contents (sudoers, rule, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (sudoers, 0440), ==, 0);

  secret_dir = g_dir_make_tmp ("tether-files-root-XXXXXX", &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (secret_dir, 0700), ==, 0);
  secret_file = g_build_filename (secret_dir, "root-only.txt", NULL);
  g_file_set_contents (secret_file, "", 0, &error);
  g_assert_no_error (error);

  /* win.open-files-administrator with no host name: the selected tab's host. */
  host = new_host_named (real_server, "files-admin-real.test");
  tether_window_open_files (fixture->window, host);
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.open-files-administrator",
                              "s", "");
  tab = adw_tab_view_get_selected_page (tether_window_get_tab_view (fixture->window));
  admin = TETHER_FILES_PAGE (adw_tab_page_get_child (tab));
  g_assert_true (tether_files_page_get_administrator (admin));
  WAIT_UNTIL (tether_files_page_get_path (admin) != NULL &&
              !tether_files_page_get_loading (admin));
  g_assert_null (tether_files_page_get_error_message (admin));
  tether_files_page_navigate (admin, secret_dir);
  WAIT_UNTIL (page_lists (admin, secret_dir, "root-only.txt"));
  g_assert_null (tether_ui_test_find_message_dialog ());

  /* An upload through the tab's button path lands in the root-only folder, as root. */
  {
    g_autofree char *local_dir = g_dir_make_tmp ("tether-files-admin-XXXXXX", NULL);
    g_autofree char *local_path = g_build_filename (local_dir, "uploaded.txt", NULL);
    g_autofree char *target = g_build_filename (secret_dir, "uploaded.txt", NULL);
    g_autofree char *contents = NULL;
    g_autoptr(GFile) local = NULL;
    TetherTransfer *transfer;
    GStatBuf st;

    g_assert_true (gtk_widget_is_sensitive (tether_ui_test_get_widget (admin,
                                                                       "upload_button")));
    g_assert_true (g_file_set_contents (local_path, "as root\n", -1, NULL));
    local = g_file_new_for_path (local_path);
    transfer = tether_files_page_upload_file (admin, local);
    g_assert_nonnull (transfer);
    WAIT_UNTIL (tether_transfer_get_state (transfer) >= TETHER_TRANSFER_STATE_DONE);
    g_assert_null (tether_transfer_get_error (transfer));
    g_assert_true (g_file_get_contents (target, &contents, NULL, NULL));
    g_assert_cmpstr (contents, ==, "as root\n");
    g_assert_cmpint (g_stat (target, &st), ==, 0);
    g_assert_cmpuint (st.st_uid, ==, 0);
    WAIT_UNTIL (page_lists (admin, secret_dir, "uploaded.txt"));
    g_unlink (target);
    g_unlink (local_path);
    g_rmdir (local_dir);
  }

  tether_host_session_close (tether_ui_test_session_for (app, host));
  g_unlink (sudoers);
  g_unlink (secret_file);
  g_rmdir (secret_dir);
}

static TetherTestServer *
start_server (const char *config)
{
  g_autoptr(GError) error = NULL;
  TetherTestServer *server = tether_test_server_new_full (TETHER_TEST_SERVER_OPENSSH, config,
                                                          NULL, &error);

  if (server == NULL)
    g_test_message ("No test server: %s", error->message);
  return server;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *config = NULL;
  g_autofree char *sudo = NULL;
  int ret;

  tether_ui_test_init (&argc, &argv);

  app = tether_ui_test_new_application ();

  stand_in_bin = g_dir_make_tmp ("tether-files-sudo-XXXXXX", &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (stand_in_bin, 0755), ==, 0);
  sudo = g_build_filename (stand_in_bin, "sudo", NULL);
  g_file_set_contents (sudo, stand_in_script, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (sudo, 0755), ==, 0);
  config = g_strdup_printf ("SetEnv PATH=%s:/usr/bin:/bin", stand_in_bin);
  stand_in_server = start_server (config);
  real_server = start_server (NULL);

  g_test_add ("/tether/files-admin/stand-in", TetherUiTestWindowFixture, stand_in_server,
              tether_ui_test_window_set_up, test_stand_in, tether_ui_test_window_tear_down);
  g_test_add ("/tether/files-admin/real-root-folder", TetherUiTestWindowFixture, real_server,
              tether_ui_test_window_set_up, test_real_root_folder,
              tether_ui_test_window_tear_down);

  ret = g_test_run ();

  g_clear_pointer (&stand_in_server, tether_test_server_free);
  g_clear_pointer (&real_server, tether_test_server_free);
  g_clear_object (&app);
  g_unlink (sudo);
  g_rmdir (stand_in_bin);
  g_clear_pointer (&stand_in_bin, g_free);

  return ret;
}
