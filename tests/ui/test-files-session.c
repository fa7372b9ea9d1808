/* test-files-session.c: the files tab as a rider of its host session (tests/fixtures' sshd):
 * after the server side of the connection is killed, the tab says so (actions off), and once
 * the session is back it lists the same folder again, by itself with auto-reconnect and with
 * its Reconnect button without; with Follow Terminal Folder on it shows the folder a terminal
 * tab of the host reported with OSC 7; a restored window brings a files tab back at its
 * folder; and the tab lists a folder on AsyncSSH's SFTP server. Runs under Xvfb; the servers
 * need root, and those tests skip without it. */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <pwd.h>
#include <signal.h>
#include <string.h>
#include <tether.h>
#include <unistd.h>

#include "tether-files-page-private.h"
#include "tether-saved-windows.h"

#include "tether-ui-test.h"

static TetherApplication *app;
static TetherTestServer *server;

typedef struct {
  TetherUiTestWindowFixture window;
  char *dir;                 /* a folder of the test user's, on this machine = the server */
} Fixture;

/* ------------------------------------------------------------------------- */
/* Helpers                                                                   */

static void
chown_to_test_user (const char *path)
{
  struct passwd *pw = getpwnam (TETHER_TEST_SERVER_USER);

  g_assert_nonnull (pw);
  g_assert_cmpint (lchown (path, pw->pw_uid, pw->pw_gid), ==, 0);
}

static void
make_file (const char *dir,
           const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_set_contents (path, name, -1, NULL));
  chown_to_test_user (path);
}

static char *
make_folder (const char *dir,
             const char *name)
{
  char *path = g_build_filename (dir, name, NULL);

  g_assert_cmpint (g_mkdir (path, 0755), ==, 0);
  chown_to_test_user (path);
  return path;
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

static void
set_up (Fixture       *fixture,
        gconstpointer  data)
{
  tether_ui_test_window_set_up (&fixture->window, server);
  if (server == NULL)
    return;

  fixture->dir = g_dir_make_tmp ("tether-files-session-XXXXXX", NULL);
  g_assert_nonnull (fixture->dir);
  g_assert_cmpint (g_chmod (fixture->dir, 0755), ==, 0);
  chown_to_test_user (fixture->dir);
  make_file (fixture->dir, "a.txt");
}

static void
tear_down (Fixture       *fixture,
           gconstpointer  data)
{
  tether_ui_test_window_tear_down (&fixture->window, server);
  if (fixture->dir != NULL)
    remove_tree (fixture->dir);
  g_clear_pointer (&fixture->dir, g_free);
}

/* A host of @test_server under its own alias: a session no other test shares. */
static TetherHost *
new_host_named (TetherTestServer *test_server,
                const char       *alias)
{
  g_autoptr(TetherHost) template = tether_ui_test_new_host (test_server);
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

/* The page shows @path, listed, without an error. */
static gboolean
shows (TetherFilesPage *page,
       const char      *path)
{
  return g_strcmp0 (tether_files_page_get_path (page), path) == 0 &&
         !tether_files_page_get_loading (page) &&
         tether_files_page_get_error_message (page) == NULL;
}

static gboolean
names_are (TetherFilesPage *page,
           const char      *expected)
{
  GListModel *model = tether_files_page_get_model (page);
  g_autoptr(GString) names = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++) {
    g_autoptr(GFileInfo) info = g_list_model_get_item (model, i);

    g_string_append_printf (names, "%s%s", i > 0 ? " " : "", g_file_info_get_name (info));
  }
  return g_str_equal (names->str, expected);
}

static gboolean
banner_says (TetherFilesPage *page,
             const char      *needle)
{
  const char *text = tether_files_page_get_banner_text (page);

  return text != NULL && strstr (text, needle) != NULL;
}

static gboolean
is_button_for (GtkWidget     *widget,
               gconstpointer  action)
{
  return GTK_IS_BUTTON (widget) &&
         g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), action) == 0;
}

/* The page's button for @action, as a user sees it. */
static GtkWidget *
button_for (TetherFilesPage *page,
            const char      *action)
{
  GtkWidget *button = tether_ui_test_find_descendant (GTK_WIDGET (page), is_button_for, action);

  g_assert_nonnull (button);
  return button;
}

static gboolean
is_entry (GtkWidget     *widget,
          gconstpointer  data)
{
  return GTK_IS_ENTRY (widget);
}

static int
parent_of (int pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *stat = NULL;
  const char *end;

  if (!g_file_get_contents (path, &stat, NULL, NULL))
    return 0;
  /* "pid (comm) state ppid ...": comm may hold spaces and parentheses. */
  end = strrchr (stat, ')');
  return end != NULL ? atoi (end + 4) : 0;
}

/* SIGKILLs what serves the live connections of @test_server (the per-connection children of
 * its sshd and theirs), not the listener: the client sees its connection cut, and the server
 * takes the next login. Returns how many processes were killed. */
static guint
kill_connections (TetherTestServer *test_server)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc", 0, NULL);
  g_autoptr(GHashTable) parents = g_hash_table_new (NULL, NULL);
  g_autoptr(GHashTable) listeners = g_hash_table_new (NULL, NULL);
  g_autoptr(GHashTable) served = g_hash_table_new (NULL, NULL);
  GHashTableIter iter;
  gpointer key;
  gpointer value;
  gboolean grew = TRUE;
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL) {
    g_autofree char *path = NULL;
    g_autofree char *cmdline = NULL;
    gsize len = 0;
    int pid = atoi (name);

    if (pid <= 0 || pid == getpid ())
      continue;
    g_hash_table_insert (parents, GINT_TO_POINTER (pid), GINT_TO_POINTER (parent_of (pid)));
    path = g_strdup_printf ("/proc/%d/cmdline", pid);
    if (!g_file_get_contents (path, &cmdline, &len, NULL))
      continue;
    for (gsize i = 0; i + 1 < len; i++) {
      if (cmdline[i] == '\0')
        cmdline[i] = ' ';
    }
    if (strstr (cmdline, tether_test_server_get_dir (test_server)) != NULL)
      g_hash_table_add (listeners, GINT_TO_POINTER (pid));
  }
  g_assert_cmpuint (g_hash_table_size (listeners), >, 0);
  while (grew) {
    grew = FALSE;
    g_hash_table_iter_init (&iter, parents);
    while (g_hash_table_iter_next (&iter, &key, &value)) {
      if (g_hash_table_contains (served, key) || g_hash_table_contains (listeners, key))
        continue;
      if (g_hash_table_contains (listeners, value) || g_hash_table_contains (served, value)) {
        g_hash_table_add (served, key);
        grew = TRUE;
      }
    }
  }
  g_hash_table_iter_init (&iter, served);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    kill (GPOINTER_TO_INT (key), SIGKILL);
  return g_hash_table_size (served);
}

/* Opens a files tab on @host and shows @dir in it. */
static TetherFilesPage *
open_files_at (TetherWindow *window,
               TetherHost   *host,
               const char   *dir)
{
  AdwTabPage *tab = tether_window_open_files (window, host);
  TetherFilesPage *page = TETHER_FILES_PAGE (adw_tab_page_get_child (tab));

  WAIT_UNTIL (tether_files_page_get_path (page) != NULL && !tether_files_page_get_loading (page));
  tether_files_page_navigate (page, dir);
  WAIT_UNTIL (shows (page, dir));
  return page;
}

/* ------------------------------------------------------------------------- */
/* Reconnect                                                                 */

/* Auto-reconnect on: the tab says it reconnects, its actions are off meanwhile, and the same
 * folder is listed afresh (a file made during the outage shows) with nothing pressed. */
static void
test_reconnect_auto (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(TetherHost) host = NULL;
  TetherHostSession *session;
  TetherFilesPage *page;
  GtkWidget *refresh;
  GtkWidget *entry;
  guint logins;

  if (server == NULL)
    return;

  g_settings_set_boolean (settings, "auto-reconnect", TRUE);
  host = new_host_named (server, "files-session-auto.test");
  session = tether_ui_test_session_for (app, host);
  page = open_files_at (fixture->window.window, host, fixture->dir);
  g_assert_true (names_are (page, "a.txt"));
  g_assert_true (tether_host_session_get_auto_reconnect (session));
  g_assert_cmpuint (tether_host_session_get_n_riders (session), >=, 1);
  refresh = button_for (page, "files.refresh");
  entry = tether_ui_test_find_descendant (GTK_WIDGET (page), is_entry, NULL);
  g_assert_true (gtk_widget_is_sensitive (refresh));
  g_assert_null (tether_files_page_get_banner_text (page));
  logins = tether_test_server_count_logins (server);

  g_assert_cmpuint (kill_connections (server), >, 0);
  WAIT_UNTIL (banner_says (page, "Reconnecting"));
  g_test_message ("Banner while reconnecting: %s", tether_files_page_get_banner_text (page));
  g_assert_true (banner_says (page, "(attempt 1)"));
  g_assert_false (gtk_widget_is_sensitive (refresh));
  g_assert_false (gtk_widget_is_sensitive (entry));
  g_assert_cmpstr (tether_files_page_get_path (page), ==, fixture->dir);
  make_file (fixture->dir, "during-outage.txt");

  WAIT_UNTIL (names_are (page, "a.txt during-outage.txt") && shows (page, fixture->dir) &&
              tether_files_page_get_banner_text (page) == NULL);
  g_assert_cmpint (tether_host_session_get_state (session), ==,
                   TETHER_HOST_SESSION_STATE_READY);
  g_assert_cmpuint (tether_test_server_count_logins (server), ==, logins + 1);
  g_assert_true (gtk_widget_is_sensitive (refresh));
  g_assert_true (gtk_widget_is_sensitive (entry));

  tether_host_session_close (session);
  g_settings_reset (settings, "auto-reconnect");
}

/* Auto-reconnect off: the tab shows why, with Reconnect; pressing it brings the folder back. */
static void
test_reconnect_button (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(TetherHost) host = NULL;
  TetherHostSession *session;
  TetherFilesPage *page;
  GtkWidget *reconnect;

  if (server == NULL)
    return;

  g_settings_set_boolean (settings, "auto-reconnect", FALSE);
  host = new_host_named (server, "files-session-button.test");
  session = tether_ui_test_session_for (app, host);
  page = open_files_at (fixture->window.window, host, fixture->dir);
  reconnect = button_for (page, "files.reconnect");
  g_assert_false (gtk_widget_get_visible (reconnect));

  g_assert_cmpuint (kill_connections (server), >, 0);
  WAIT_UNTIL (tether_files_page_get_banner_text (page) != NULL &&
              gtk_widget_get_visible (reconnect));
  g_test_message ("Banner waiting for the user: %s", tether_files_page_get_banner_text (page));
  g_assert_cmpint (tether_host_session_get_state (session), ==,
                   TETHER_HOST_SESSION_STATE_RECONNECTING);
  g_assert_false (gtk_widget_is_sensitive (button_for (page, "files.refresh")));
  make_file (fixture->dir, "b.txt");

  g_signal_emit_by_name (reconnect, "clicked");
  WAIT_UNTIL (names_are (page, "a.txt b.txt") && shows (page, fixture->dir) &&
              tether_files_page_get_banner_text (page) == NULL);
  g_assert_true (gtk_widget_is_sensitive (button_for (page, "files.refresh")));

  tether_host_session_close (session);
  g_settings_reset (settings, "auto-reconnect");
}

/* The session gives up (a refused login is not retried): the tab shows the error with
 * Reconnect, and once the login works again Reconnect brings the folder back. */
static void
test_reconnect_failed (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(TetherHost) host = NULL;
  g_auto(GStrv) keys = NULL;
  const char * const missing[] = { "/nonexistent/tether-test-key", NULL };
  TetherHostSession *session;
  TetherFilesPage *page;
  GtkWidget *reconnect;

  if (server == NULL)
    return;

  g_settings_set_boolean (settings, "auto-reconnect", FALSE);
  host = new_host_named (server, "files-session-failed.test");
  session = tether_ui_test_session_for (app, host);
  page = open_files_at (fixture->window.window, host, fixture->dir);
  reconnect = button_for (page, "files.reconnect");

  /* No key and nobody to ask for a password: the next login is refused. */
  keys = g_strdupv ((char **) tether_host_get_identity_files (host));
  tether_host_set_identity_files (tether_host_session_get_host (session), missing);
  tether_host_session_set_interaction (session, NULL);
  g_assert_cmpuint (kill_connections (server), >, 0);
  WAIT_UNTIL (tether_files_page_get_banner_text (page) != NULL &&
              gtk_widget_get_visible (reconnect));
  g_signal_emit_by_name (reconnect, "clicked");
  WAIT_UNTIL (tether_host_session_get_state (session) == TETHER_HOST_SESSION_STATE_FAILED);
  g_assert_nonnull (tether_host_session_get_error (session));
  g_assert_cmpstr (tether_files_page_get_banner_text (page), ==,
                   tether_host_session_get_error (session)->message);
  g_test_message ("Banner after the session gave up: %s",
                  tether_files_page_get_banner_text (page));
  g_assert_true (gtk_widget_get_visible (reconnect));
  g_assert_false (gtk_widget_is_sensitive (button_for (page, "files.refresh")));
  g_assert_cmpstr (tether_files_page_get_path (page), ==, fixture->dir);

  tether_host_set_identity_files (tether_host_session_get_host (session),
                                  (const char * const *) keys);
  make_file (fixture->dir, "c.txt");
  g_signal_emit_by_name (reconnect, "clicked");
  WAIT_UNTIL (names_are (page, "a.txt c.txt") && shows (page, fixture->dir) &&
              tether_files_page_get_banner_text (page) == NULL);

  tether_host_session_close (session);
  g_settings_reset (settings, "auto-reconnect");
}

/* ------------------------------------------------------------------------- */
/* Follow Terminal Folder                                                    */

static void
test_follow_terminal (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(TetherHost) host = NULL;
  g_autofree char *folder = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *command = NULL;
  TetherTerminalPage *terminal;
  TetherFilesPage *page;
  AdwTabView *tab_view = tether_window_get_tab_view (fixture->window.window);
  AdwTabPage *first;
  AdwTabPage *second;
  AdwTabPage *tab;
  VteTerminal *vte;

  if (server == NULL)
    return;

  /* A space and a non-ASCII letter: the shell percent-encodes them, the page decodes bytes. */
  folder = make_folder (fixture->dir, "sub dir é");
  make_file (folder, "inner.txt");

  host = new_host_named (server, "files-session-follow.test");
  first = tether_window_open_host (fixture->window.window, host);
  terminal = tether_ui_test_tab_terminal (first);
  WAIT_UNTIL (tether_ui_test_is_connected (terminal));
  vte = tether_terminal_page_get_terminal (terminal);

  tab = tether_window_open_files (fixture->window.window, host);
  page = TETHER_FILES_PAGE (adw_tab_page_get_child (tab));
  WAIT_UNTIL (tether_files_page_get_path (page) != NULL && !tether_files_page_get_loading (page));
  g_assert_false (tether_files_page_get_follow_terminal (page));

  tether_files_page_set_follow_terminal (page, TRUE);
  g_assert_true (tether_files_page_get_followed_terminal (page) == GTK_WIDGET (terminal));
  if (vte_terminal_get_current_directory_uri (vte) == NULL)
    g_assert_cmpstr (tether_files_page_get_follow_status (page), ==,
                     "The shell does not report its folder");
  else
    g_test_message ("The test user's shell reports its folder by itself");

  /* Typed in ASCII (the é as printf's octal escapes): readline in the C locale would take
   * the raw bytes for Meta keys. */
  escaped = g_uri_escape_string (folder, "/", FALSE);
  command = g_strdup_printf ("cd \"$(printf '%%s/sub dir \\303\\251' '%s')\" && "
                             "printf '\\033]7;file://%%s%%s\\033\\\\' "
                             "\"$(hostname)\" '%s'\n", fixture->dir, escaped);
  tether_ui_test_type (terminal, command);
  WAIT_UNTIL (shows (page, folder) && names_are (page, "inner.txt"));
  g_assert_cmpstr (tether_files_page_get_follow_status (page), !=,
                   "The shell does not report its folder");

  /* A second terminal of the host, chosen last, is the one followed; it reported nothing, so
   * the page stays where it is and says why. Choosing the first again follows it again. */
  second = tether_window_open_host (fixture->window.window, host);
  WAIT_UNTIL (tether_ui_test_is_connected (tether_ui_test_tab_terminal (second)));
  adw_tab_view_set_selected_page (tab_view, tab);
  g_assert_true (tether_files_page_get_followed_terminal (page) ==
                 GTK_WIDGET (tether_ui_test_tab_terminal (second)));
  if (vte_terminal_get_current_directory_uri (
        tether_terminal_page_get_terminal (tether_ui_test_tab_terminal (second))) == NULL)
    g_assert_cmpstr (tether_files_page_get_follow_status (page), ==,
                     "The shell does not report its folder");
  g_assert_cmpstr (tether_files_page_get_path (page), ==, folder);
  adw_tab_view_set_selected_page (tab_view, first);
  adw_tab_view_set_selected_page (tab_view, tab);
  g_assert_true (tether_files_page_get_followed_terminal (page) == GTK_WIDGET (terminal));

  /* Off: the terminal goes elsewhere, the page stays. */
  tether_files_page_set_follow_terminal (page, FALSE);
  g_assert_null (tether_files_page_get_followed_terminal (page));
  tether_ui_test_type (terminal, "cd / && printf '\\033]7;file://%s/\\033\\\\' \"$(hostname)\"\n");
  WAIT_UNTIL (g_str_has_suffix (vte_terminal_get_current_directory_uri (vte), "/"));
  g_assert_cmpstr (tether_files_page_get_path (page), ==, folder);

  tether_host_session_close (tether_ui_test_session_for (app, host));
}

static void
test_path_from_uri (void)
{
  g_autofree char *plain = _tether_files_page_path_from_uri ("file://server/home/me");
  g_autofree char *no_host = _tether_files_page_path_from_uri ("file:///tmp/a%20b");
  g_autofree char *bytes = _tether_files_page_path_from_uri ("FILE://h.example/x/%C3%A9%ff");
  g_autofree char *nul = _tether_files_page_path_from_uri ("file://h/x%00y");
  g_autofree char *bad = _tether_files_page_path_from_uri ("file://h/x%4");
  g_autofree char *http = _tether_files_page_path_from_uri ("http://h/x");

  g_assert_cmpstr (plain, ==, "/home/me");
  g_assert_cmpstr (no_host, ==, "/tmp/a b");
  g_assert_cmpstr (bytes, ==, "/x/\xc3\xa9\xff");
  g_assert_null (nul);
  g_assert_null (bad);
  g_assert_null (http);
  g_assert_null (_tether_files_page_path_from_uri ("file://hostonly"));
  g_assert_null (_tether_files_page_path_from_uri (NULL));
}

/* ------------------------------------------------------------------------- */
/* Saved and restored with the window's tabs                                 */

static void
host_added_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(GError) error = NULL;

  tether_host_store_add_finish (TETHER_HOST_STORE (source), result, &error);
  g_assert_no_error (error);
  *done = TRUE;
}

static void
host_removed_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(GError) error = NULL;

  tether_host_store_remove_finish (TETHER_HOST_STORE (source), result, &error);
  g_assert_no_error (error);
  *done = TRUE;
}

/* Saves a host of the test server in @window's store; returns the store's own object. */
static TetherHost *
save_host (TetherWindow *window,
           const char   *alias)
{
  TetherHostStore *store = tether_window_get_host_store (window);
  g_autoptr(TetherHost) draft = new_host_named (server, alias);
  gboolean done = FALSE;

  WAIT_UNTIL (tether_host_store_get_loaded (store));
  tether_host_store_add_async (store, draft, NULL, host_added_cb, &done);
  WAIT_UNTIL (done);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (store)); i++) {
    g_autoptr(TetherHost) host = g_list_model_get_item (G_LIST_MODEL (store), i);

    if (g_strcmp0 (tether_host_get_alias (host), alias) == 0)
      return g_steal_pointer (&host);
  }
  g_assert_not_reached ();
}

static TetherSavedTab *
find_files_tab (GPtrArray *windows)
{
  for (guint w = 0; w < windows->len; w++) {
    TetherSavedWindow *window = g_ptr_array_index (windows, w);

    for (guint t = 0; t < window->tabs->len; t++) {
      TetherSavedTab *tab = g_ptr_array_index (window->tabs, t);

      if (tab->files)
        return tab;
    }
  }
  return NULL;
}

/* What the saved windows file says of the files tab's folder is @folder. */
static gboolean
saved_folder_is (const char *folder)
{
  const char *path = tether_application_get_saved_windows_path (app);
  g_autofree char *text = NULL;
  g_autoptr(GPtrArray) windows = NULL;
  gsize length = 0;
  TetherSavedTab *tab;

  if (!g_file_get_contents (path, &text, &length, NULL))
    return FALSE;
  windows = tether_saved_windows_from_data (text, length, NULL);
  tab = windows != NULL ? find_files_tab (windows) : NULL;
  return tab != NULL && g_strcmp0 (tab->folder, folder) == 0;
}

static void
test_restore (Fixture       *fixture,
              gconstpointer  data)
{
  TetherWindow *window = fixture->window.window;
  AdwTabView *tab_view = tether_window_get_tab_view (window);
  g_autoptr(TetherHost) host = NULL;
  g_autoptr(GPtrArray) snapshot = NULL;
  g_autoptr(GPtrArray) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *data_text = NULL;
  gsize length = 0;
  g_autofree char *folder = NULL;
  TetherSavedTab *saved;
  TetherFilesPage *page;
  gboolean removed = FALSE;

  if (server == NULL)
    return;

  host = save_host (window, "files-session-restore.test");
  folder = make_folder (fixture->dir, "deeper");
  page = open_files_at (window, host, folder);
  g_object_add_weak_pointer (G_OBJECT (page), (gpointer *) &page);
  /* Going elsewhere in the tab is remembered too, not only opening and closing tabs. */
  WAIT_UNTIL (saved_folder_is (folder));
  tether_files_page_go_up (page);
  WAIT_UNTIL (shows (page, fixture->dir));
  WAIT_UNTIL (saved_folder_is (fixture->dir));

  snapshot = tether_application_snapshot_windows (app);
  saved = find_files_tab (snapshot);
  g_assert_nonnull (saved);
  g_assert_cmpstr (saved->host_id, ==, tether_host_get_id (host));
  g_assert_cmpstr (saved->folder, ==, fixture->dir);

  /* Through the file's format, as when Tether starts again. */
  data_text = tether_saved_windows_to_data (snapshot, &length);
  loaded = tether_saved_windows_from_data (data_text, length, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (find_files_tab (loaded)->folder, ==, fixture->dir);

  adw_tab_view_close_page (tab_view, adw_tab_view_get_nth_page (tab_view, 0));
  WAIT_UNTIL (adw_tab_view_get_n_pages (tab_view) == 0 && page == NULL);
  tether_host_session_close (tether_ui_test_session_for (app, host));

  tether_application_restore_windows (app, loaded);
  g_assert_cmpint (adw_tab_view_get_n_pages (tab_view), ==, 1);
  g_assert_true (TETHER_IS_FILES_PAGE (
    adw_tab_page_get_child (adw_tab_view_get_nth_page (tab_view, 0))));
  page = TETHER_FILES_PAGE (adw_tab_page_get_child (adw_tab_view_get_nth_page (tab_view, 0)));
  g_assert_cmpstr (tether_files_page_get_path (page), ==, fixture->dir);
  WAIT_UNTIL (shows (page, fixture->dir) && names_are (page, "deeper a.txt"));

  tether_host_session_close (tether_ui_test_session_for (app, host));
  tether_host_store_remove_async (tether_window_get_host_store (window), host, NULL,
                                  host_removed_cb, &removed);
  WAIT_UNTIL (removed);
}

/* A folder whose name is not UTF-8 survives the UTF-8 key file; a damaged one is dropped. */
static void
test_saved_folder_bytes (void)
{
  g_autoptr(GPtrArray) windows = g_ptr_array_new_with_free_func (
                                   (GDestroyNotify) tether_saved_window_free);
  g_autoptr(GPtrArray) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  TetherSavedWindow *window = tether_saved_window_new ();
  TetherSavedWindow *back;
  gsize length = 0;
  const char *damaged =
    "[Tether]\nversion=1\nwindows=1\n"
    "[window 0]\ntabs=2\n"
    "[window 0 tab 0]\nhost=h1\nkind=files\nfolder=/a%00b\n"
    "[window 0 tab 1]\nhost=h1\nkind=files\nfolder=relative\n";

  g_ptr_array_add (window->tabs, tether_saved_tab_new ("h1", "Title", NULL));
  g_ptr_array_add (window->tabs, tether_saved_tab_new_files ("h1", "/srv/caf\xe9 %41"));
  g_ptr_array_add (window->tabs, tether_saved_tab_new_files ("h2", NULL));
  g_ptr_array_add (windows, window);

  text = tether_saved_windows_to_data (windows, &length);
  g_assert_true (g_utf8_validate (text, length, NULL));
  loaded = tether_saved_windows_from_data (text, length, &error);
  g_assert_no_error (error);
  back = g_ptr_array_index (loaded, 0);
  g_assert_cmpuint (back->tabs->len, ==, 3);
  g_assert_false (((TetherSavedTab *) back->tabs->pdata[0])->files);
  g_assert_true (((TetherSavedTab *) back->tabs->pdata[1])->files);
  g_assert_cmpstr (((TetherSavedTab *) back->tabs->pdata[1])->folder, ==, "/srv/caf\xe9 %41");
  g_assert_true (((TetherSavedTab *) back->tabs->pdata[2])->files);
  g_assert_null (((TetherSavedTab *) back->tabs->pdata[2])->folder);
  g_clear_pointer (&loaded, g_ptr_array_unref);

  loaded = tether_saved_windows_from_data (damaged, strlen (damaged), &error);
  g_assert_no_error (error);
  back = g_ptr_array_index (loaded, 0);
  g_assert_true (((TetherSavedTab *) back->tabs->pdata[0])->files);
  g_assert_null (((TetherSavedTab *) back->tabs->pdata[0])->folder);
  g_assert_null (((TetherSavedTab *) back->tabs->pdata[1])->folder);
}

/* ------------------------------------------------------------------------- */
/* AsyncSSH                                                                  */

static void
test_asyncssh (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(TetherTestServer) asyncssh = NULL;
  g_autoptr(TetherHost) host = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *folder = NULL;
  g_autofree char *local_path = NULL;
  g_autofree char *uploaded = NULL;
  g_autofree char *back_path = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GFile) local = NULL;
  g_autoptr(GFile) back = NULL;
  TetherTransfer *transfer;
  TetherFilesPage *page;

  if (server == NULL)
    return;
  asyncssh = tether_test_server_new (TETHER_TEST_SERVER_ASYNCSSH, &error);
  if (asyncssh == NULL) {
    g_test_skip (error->message);
    return;
  }

  folder = make_folder (fixture->dir, "folder");
  make_file (fixture->dir, "b.txt");
  host = new_host_named (asyncssh, "files-session-asyncssh.test");
  page = open_files_at (fixture->window.window, host, fixture->dir);
  g_assert_true (names_are (page, "folder a.txt b.txt"));

  tether_files_page_navigate (page, folder);
  WAIT_UNTIL (shows (page, folder) && names_are (page, ""));

  /* Up and down over AsyncSSH's SFTP too: the file arrives whole and shows in the list. */
  local_path = g_build_filename (fixture->dir, "b.txt", NULL);
  local = g_file_new_for_path (local_path);
  transfer = tether_files_page_upload_file (page, local);
  g_assert_nonnull (transfer);
  WAIT_UNTIL (tether_transfer_get_state (transfer) >= TETHER_TRANSFER_STATE_DONE);
  g_assert_null (tether_transfer_get_error (transfer));
  WAIT_UNTIL (shows (page, folder) && names_are (page, "b.txt"));
  uploaded = g_build_filename (folder, "b.txt", NULL);
  g_assert_true (g_file_get_contents (uploaded, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "b.txt");
  back_path = g_build_filename (fixture->dir, "back.txt", NULL);
  back = g_file_new_for_path (back_path);
  transfer = tether_files_page_download_file (page, "b.txt", back);
  g_assert_nonnull (transfer);
  WAIT_UNTIL (tether_transfer_get_state (transfer) >= TETHER_TRANSFER_STATE_DONE);
  g_assert_null (tether_transfer_get_error (transfer));
  g_clear_pointer (&contents, g_free);
  g_assert_true (g_file_get_contents (back_path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "b.txt");

  tether_files_page_go_up (page);
  WAIT_UNTIL (shows (page, fixture->dir) && names_are (page, "folder a.txt b.txt back.txt"));

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

  g_test_add_func ("/tether/files-session/path-from-uri", test_path_from_uri);
  g_test_add_func ("/tether/files-session/saved-folder-bytes", test_saved_folder_bytes);
  g_test_add ("/tether/files-session/reconnect-auto", Fixture, server, set_up,
              test_reconnect_auto, tear_down);
  g_test_add ("/tether/files-session/reconnect-button", Fixture, server, set_up,
              test_reconnect_button, tear_down);
  g_test_add ("/tether/files-session/reconnect-failed", Fixture, server, set_up,
              test_reconnect_failed, tear_down);
  g_test_add ("/tether/files-session/follow-terminal", Fixture, server, set_up,
              test_follow_terminal, tear_down);
  g_test_add ("/tether/files-session/restore", Fixture, server, set_up, test_restore,
              tear_down);
  g_test_add ("/tether/files-session/asyncssh", Fixture, server, set_up, test_asyncssh,
              tear_down);

  ret = g_test_run ();

  g_clear_pointer (&server, tether_test_server_free);
  g_clear_object (&app);

  return ret;
}
