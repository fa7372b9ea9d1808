/* test-files-ux.c: the files tab's drag and drop, properties, retry, notifications,
 * sorting, type-ahead and narrow toolbar, against the test sshd's internal-sftp
 * (tests/fixtures), whose files are on this machine: what the page did is checked on the
 * server's side with stat and reads. Drops and drags are driven through the page's own
 * GtkDropTarget and GtkDragSource signals (Xvfb has no drag and drop to drive them), with a
 * real GdkFileList and the real content provider; header clicks and typing go through the X
 * server (xdotool). The server needs root, and the tests skip without it. */
#include "config.h"

#include <adwaita.h>
#include <gdk/x11/gdkx.h>
#include <glib/gstdio.h>
#include <pwd.h>
#include <string.h>
#include <sys/stat.h>
#include <tether.h>
#include <unistd.h>
#include <utime.h>

#include "tether-files-page.h"
#include "tether-files-properties.h"
#include "tether-remote-file-provider.h"

#include "tether-ui-test.h"

#define NARROW_WIDTH 500
#define WIDE_WIDTH 1200
#define WINDOW_HEIGHT 700

static TetherApplication *app;
static TetherTestServer *server;

typedef struct {
  TetherUiTestWindowFixture window;
  TetherHostSession *session;
  TetherFilesPage *page;
  char *dir;                 /* a folder of the test user's, on this machine = the server */
  char *local_dir;           /* the test's own local files */
} FilesFixture;

/* ------------------------------------------------------------------------- */
/* Files on both sides                                                       */

static void
chown_to_test_user (const char *path)
{
  struct passwd *pw = getpwnam (TETHER_TEST_SERVER_USER);

  g_assert_nonnull (pw);
  g_assert_cmpint (lchown (path, pw->pw_uid, pw->pw_gid), ==, 0);
}

static char *
make_file (const char *dir,
           const char *name,
           const void *contents,
           gsize       length,
           int         mode)
{
  char *path = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_set_contents (path, contents, length, NULL));
  g_assert_cmpint (g_chmod (path, mode), ==, 0);
  return path;
}

static void
make_user_file (const char *dir,
                const char *name,
                const void *contents,
                gsize       length,
                int         mode)
{
  g_autofree char *path = make_file (dir, name, contents, length, mode);

  chown_to_test_user (path);
}

static char *
make_folder (const char *dir,
             const char *name)
{
  char *path = g_build_filename (dir, name, NULL);

  g_assert_cmpint (g_mkdir (path, 0755), ==, 0);
  return path;
}

static void
make_user_folder (const char *dir,
                  const char *name)
{
  g_autofree char *path = make_folder (dir, name);

  chown_to_test_user (path);
}

static void
set_mtime (const char *dir,
           const char *name,
           time_t      mtime)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  struct utimbuf times = { mtime, mtime };

  g_assert_cmpint (utime (path, &times), ==, 0);
}

static GBytes *
random_bytes (gsize length)
{
  guint32 *words = g_new (guint32, length / 4 + 1);

  for (gsize i = 0; i <= length / 4; i++)
    words[i] = g_random_int ();
  return g_bytes_new_take (words, length);
}

/* Whether @path holds exactly @bytes: the uploads rename into place once complete. */
static gboolean
has_contents (const char *path,
              GBytes     *bytes)
{
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &contents, &length, NULL))
    return FALSE;
  return length == g_bytes_get_size (bytes) &&
         memcmp (contents, g_bytes_get_data (bytes, NULL), length) == 0;
}

static guint
mode_of (const char *path)
{
  struct stat st;

  g_assert_cmpint (lstat (path, &st), ==, 0);
  return st.st_mode & 07777;
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

/* ------------------------------------------------------------------------- */
/* The page                                                                  */

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

  fixture->dir = g_dir_make_tmp ("tether-files-ux-XXXXXX", NULL);
  g_assert_nonnull (fixture->dir);
  g_assert_cmpint (g_chmod (fixture->dir, 0755), ==, 0);
  chown_to_test_user (fixture->dir);
  fixture->local_dir = g_dir_make_tmp ("tether-files-ux-local-XXXXXX", NULL);
  g_assert_nonnull (fixture->local_dir);

  gtk_window_set_default_size (GTK_WINDOW (fixture->window.window), WIDE_WIDTH,
                               WINDOW_HEIGHT);
  /* Clicks go to where the widgets are: let the window have its size first. */
  WAIT_UNTIL (gtk_widget_get_width (GTK_WIDGET (fixture->window.window)) > 2 * NARROW_WIDTH);
  alias = g_strdup_printf ("files-ux-%u.test", n++);
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
  if (fixture->local_dir != NULL)
    remove_tree (fixture->local_dir);
  g_clear_pointer (&fixture->dir, g_free);
  g_clear_pointer (&fixture->local_dir, g_free);
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

static void
go_to_test_dir (FilesFixture *fixture)
{
  struct passwd *pw = getpwnam (TETHER_TEST_SERVER_USER);

  WAIT_UNTIL (shows (fixture->page, pw->pw_dir));
  tether_files_page_navigate (fixture->page, fixture->dir);
  WAIT_UNTIL (shows (fixture->page, fixture->dir));
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
  static char *last;

  /* What the list said last, for the log when a wait fails. */
  if (g_strcmp0 (last, names) != 0) {
    g_test_message ("The list: %s", names);
    g_free (last);
    last = g_strdup (names);
  }
  return g_str_equal (names, expected);
}

static gboolean
is_label (GtkWidget     *widget,
          gconstpointer  text)
{
  return GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget) &&
         g_str_equal (gtk_label_get_label (GTK_LABEL (widget)), text);
}

static gboolean
is_column_view (GtkWidget     *widget,
                gconstpointer  data)
{
  return GTK_IS_COLUMN_VIEW (widget);
}

static gboolean
is_named (GtkWidget     *widget,
          gconstpointer  name)
{
  return g_str_equal (gtk_widget_get_name (widget), name);
}

static gboolean
has_tooltip (GtkWidget     *widget,
             gconstpointer  tooltip)
{
  return GTK_IS_BUTTON (widget) && gtk_widget_get_visible (widget) &&
         g_strcmp0 (gtk_widget_get_tooltip_text (widget), tooltip) == 0;
}

static GtkWidget *
column_view_of (TetherFilesPage *page)
{
  GtkWidget *view = tether_ui_test_find_descendant (GTK_WIDGET (page), is_column_view, NULL);

  g_assert_nonnull (view);
  return view;
}

/* The first controller of @type on @widget. */
static gpointer
controller_of (GtkWidget *widget,
               GType      type)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++) {
    g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

    if (G_TYPE_CHECK_INSTANCE_TYPE (controller, type))
      return controller;   /* the widget holds it */
  }
  g_assert_not_reached ();
  return NULL;
}

/* Where the row of @name is in the column view's coordinates, once it is on screen. */
static graphene_point_t
row_point (TetherFilesPage *page,
           const char      *name)
{
  GtkWidget *view = column_view_of (page);
  GtkWidget *label = NULL;
  graphene_point_t point;

  WAIT_UNTIL ((label = tether_ui_test_find_descendant (view, is_label, name)) != NULL &&
              gtk_widget_get_height (label) > 0);
  g_assert_true (gtk_widget_compute_point (label, view, &GRAPHENE_POINT_INIT (2, 2), &point));
  return point;
}

/* The selected rows' names in the view's order, separated by spaces; "" for none. */
static char *
selected_names (TetherFilesPage *page)
{
  GtkSelectionModel *selection = gtk_column_view_get_model (GTK_COLUMN_VIEW (
                                                              column_view_of (page)));
  g_autoptr(GString) names = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (selection)); i++) {
    g_autoptr(GFileInfo) info = g_list_model_get_item (G_LIST_MODEL (selection), i);

    if (gtk_selection_model_is_selected (selection, i))
      g_string_append_printf (names, "%s%s", names->len > 0 ? " " : "",
                              g_file_info_get_name (info));
  }
  return g_string_free (g_steal_pointer (&names), FALSE);
}

static gboolean
selected_are (TetherFilesPage *page,
              const char      *expected)
{
  g_autofree char *names = selected_names (page);

  return g_str_equal (names, expected);
}

static void
select_name (TetherFilesPage *page,
             const char      *name)
{
  GtkSelectionModel *selection = gtk_column_view_get_model (GTK_COLUMN_VIEW (
                                                              column_view_of (page)));
  GListModel *model = tether_files_page_get_model (page);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++) {
    g_autoptr(GFileInfo) info = g_list_model_get_item (model, i);

    if (g_str_equal (g_file_info_get_name (info), name)) {
      gtk_selection_model_select_item (selection, i, TRUE);
      return;
    }
  }
  g_assert_not_reached ();
}

/* Whether the X server takes input from xdotool; tests that need it skip without. */
static gboolean
can_use_xdotool (void)
{
  g_autofree char *path = g_find_program_in_path ("xdotool");

  if (path == NULL)
    g_test_skip ("Clicking and typing needs xdotool");
  return path != NULL;
}

static void
xdotool (const char * const *args)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_strv_builder_add (builder, "xdotool");
  g_strv_builder_addv (builder, (const char **) args);
  argv = g_strv_builder_end (builder);
  g_spawn_sync (NULL, argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, &status,
                &error);
  g_assert_no_error (error);
  g_spawn_check_wait_status (status, &error);
  g_assert_no_error (error);
}

static void
xdotool_move (const char       *xid,
              graphene_point_t  point)
{
  g_autofree char *x = g_strdup_printf ("%d", (int) point.x);
  g_autofree char *y = g_strdup_printf ("%d", (int) point.y);

  xdotool ((const char *[]) { "mousemove", "--window", xid, x, y, NULL });
}

/* ------------------------------------------------------------------------- */
/* Drop                                                                      */

static gboolean
drop_files (TetherFilesPage  *page,
            GSList           *files,
            graphene_point_t  point)
{
  GtkDropTarget *target = controller_of (column_view_of (page), GTK_TYPE_DROP_TARGET);
  g_auto(GValue) value = G_VALUE_INIT;
  gboolean handled = FALSE;

  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_value_take_boxed (&value, gdk_file_list_new_from_list (files));
  g_signal_emit_by_name (target, "drop", &value, (double) point.x, (double) point.y, &handled);
  return handled;
}

static void
test_drop_uploads (FilesFixture  *fixture,
                   gconstpointer  data)
{
  g_autoptr(GBytes) top = random_bytes (700 * 1024 + 3);
  g_autoptr(GBytes) inner = random_bytes (5000);
  g_autoptr(GBytes) into_folder = random_bytes (123457);
  g_autofree char *top_local = NULL;
  g_autofree char *tree = NULL;
  g_autofree char *sub = NULL;
  g_autofree char *into_local = NULL;
  g_autoptr(GFile) top_file = NULL;
  g_autoptr(GFile) tree_file = NULL;
  g_autoptr(GFile) into_file = NULL;
  g_autofree char *remote = NULL;
  GSList *files = NULL;
  GtkWidget *view;

  if (server == NULL)
    return;

  make_user_folder (fixture->dir, "alpha");
  go_to_test_dir (fixture);
  WAIT_UNTIL (names_are (fixture->page, "alpha"));

  /* A file and a folder (with a folder in it), dropped below the rows: into the folder
   * shown, everything in it byte for byte. */
  top_local = make_file (fixture->local_dir, "top.bin", g_bytes_get_data (top, NULL),
                         g_bytes_get_size (top), 0644);
  tree = make_folder (fixture->local_dir, "tree");
  sub = make_folder (tree, "sub");
  g_free (make_file (sub, "inner.bin", g_bytes_get_data (inner, NULL),
                     g_bytes_get_size (inner), 0644));
  top_file = g_file_new_for_path (top_local);
  tree_file = g_file_new_for_path (tree);
  files = g_slist_append (files, top_file);
  files = g_slist_append (files, tree_file);
  view = column_view_of (fixture->page);
  WAIT_UNTIL (gtk_widget_get_height (view) > 100);
  g_assert_true (drop_files (fixture->page, files,
                             GRAPHENE_POINT_INIT (10, gtk_widget_get_height (view) - 10)));
  g_slist_free (files);

  remote = g_build_filename (fixture->dir, "top.bin", NULL);
  WAIT_UNTIL (has_contents (remote, top));
  g_free (remote);
  remote = g_build_filename (fixture->dir, "tree", "sub", "inner.bin", NULL);
  WAIT_UNTIL (has_contents (remote, inner));
  WAIT_UNTIL (names_are (fixture->page, "alpha tree top.bin"));

  /* Dropped on a folder's row: into that folder. */
  into_local = make_file (fixture->local_dir, "into.bin", g_bytes_get_data (into_folder, NULL),
                          g_bytes_get_size (into_folder), 0644);
  into_file = g_file_new_for_path (into_local);
  files = g_slist_append (NULL, into_file);
  g_assert_true (drop_files (fixture->page, files, row_point (fixture->page, "alpha")));
  g_slist_free (files);
  g_free (remote);
  remote = g_build_filename (fixture->dir, "alpha", "into.bin", NULL);
  WAIT_UNTIL (has_contents (remote, into_folder));
  g_assert_true (names_are (fixture->page, "alpha tree top.bin"));
}

/* ------------------------------------------------------------------------- */
/* Drag                                                                      */

static void
on_written (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GError **error = user_data;

  if (!gdk_content_provider_write_mime_type_finish (GDK_CONTENT_PROVIDER (source), result,
                                                    error))
    g_assert_nonnull (*error);
  else
    *error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NONE, "done");
}

static void
test_drag_provides_files (FilesFixture  *fixture,
                          gconstpointer  data)
{
  g_autoptr(GBytes) bytes = random_bytes (900 * 1024 + 1);
  g_autoptr(GdkContentProvider) provider = NULL;
  g_autoptr(GdkContentFormats) formats = NULL;
  g_autoptr(GOutputStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) uris = NULL;
  g_autoptr(GFile) local = NULL;
  g_autofree char *local_path = NULL;
  g_autofree char *folder = NULL;
  g_auto(GValue) value = G_VALUE_INIT;
  g_autofree char *dragged = g_build_filename (g_get_user_cache_dir (), "tether", "dragged",
                                               NULL);
  g_autofree char *old_folder = NULL;
  g_autofree char *new_folder = NULL;
  GtkDragSource *source;
  graphene_point_t point;
  GSList *files;

  if (server == NULL)
    return;

  make_user_file (fixture->dir, "remote.bin", g_bytes_get_data (bytes, NULL),
                  g_bytes_get_size (bytes), 0644);
  make_user_folder (fixture->dir, "folder");
  go_to_test_dir (fixture);
  WAIT_UNTIL (names_are (fixture->page, "folder remote.bin"));

  /* A file's row offers its file (a folder's, its folder: see drag-several). */
  source = controller_of (column_view_of (fixture->page), GTK_TYPE_DRAG_SOURCE);
  point = row_point (fixture->page, "remote.bin");
  g_signal_emit_by_name (source, "prepare", (double) point.x, (double) point.y, &provider);
  g_assert_true (TETHER_IS_REMOTE_FILE_PROVIDER (provider));
  g_assert_true (selected_are (fixture->page, "remote.bin"));
  formats = gdk_content_provider_ref_formats (provider);
  g_assert_true (gdk_content_formats_contain_mime_type (formats, "text/uri-list"));

  /* Nothing is downloaded before the drop asks. */
  g_assert_null (tether_remote_file_provider_get_folder (TETHER_REMOTE_FILE_PROVIDER (
                                                           provider)));
  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_assert_false (gdk_content_provider_get_value (provider, &value, NULL));

  /* What an earlier drag left a while ago is cleaned away; what is new stays. */
  g_assert_cmpint (g_mkdir_with_parents (dragged, 0700), ==, 0);
  old_folder = make_folder (dragged, "old-drag");
  g_free (make_file (old_folder, "old.bin", "old", 3, 0600));
  {
    /* A folder dragged out then. */
    g_autofree char *old_tree = make_folder (old_folder, "tree");

    g_free (make_file (old_tree, "old-inner.bin", "old", 3, 0600));
  }
  set_mtime (dragged, "old-drag", time (NULL) - 2 * 24 * 60 * 60);
  new_folder = make_folder (dragged, "new-drag");

  /* Asked for the URIs, it downloads, then writes them. */
  stream = g_memory_output_stream_new_resizable ();
  gdk_content_provider_write_mime_type_async (provider, "text/uri-list", stream,
                                              G_PRIORITY_DEFAULT, NULL, on_written, &error);
  WAIT_UNTIL (error != NULL);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NONE);
  g_assert_true (g_output_stream_close (stream, NULL, NULL));
  text = g_strndup (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (stream)),
                    g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (stream)));
  g_assert_true (g_str_has_suffix (text, "\r\n"));
  uris = g_uri_list_extract_uris (text);
  g_assert_cmpuint (g_strv_length (uris), ==, 1);
  local = g_file_new_for_uri (uris[0]);
  local_path = g_file_get_path (local);
  g_assert_nonnull (local_path);
  g_assert_true (g_str_has_suffix (local_path, G_DIR_SEPARATOR_S "remote.bin"));
  g_assert_true (has_contents (local_path, bytes));

  /* In a folder of the user's cache that only the user may read. */
  folder = g_path_get_dirname (local_path);
  g_assert_true (g_str_has_prefix (folder, g_get_user_cache_dir ()));
  g_assert_cmpuint (mode_of (folder), ==, 0700);

  /* Once downloaded, the files are a GdkFileList value too. */
  g_assert_true (gdk_content_provider_get_value (provider, &value, NULL));
  files = gdk_file_list_get_files (g_value_get_boxed (&value));
  g_assert_cmpuint (g_slist_length (files), ==, 1);
  g_assert_true (g_file_equal (files->data, local));
  g_slist_free (files);

  WAIT_UNTIL (!g_file_test (old_folder, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (new_folder, G_FILE_TEST_IS_DIR));
  remove_tree (folder);
  remove_tree (new_folder);
}

/* The local files @provider gives once it has downloaded them, asked as a drop asks. */
static GSList *
fetch_dragged (GdkContentProvider *provider)
{
  g_autoptr(GOutputStream) stream = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;
  g_auto(GValue) value = G_VALUE_INIT;
  g_autofree char *text = NULL;
  g_auto(GStrv) uris = NULL;
  GSList *files;
  GSList *l;

  gdk_content_provider_write_mime_type_async (provider, "text/uri-list", stream,
                                              G_PRIORITY_DEFAULT, NULL, on_written, &error);
  WAIT_UNTIL (error != NULL);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NONE);
  g_assert_true (g_output_stream_close (stream, NULL, NULL));
  text = g_strndup (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (stream)),
                    g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (stream)));
  uris = g_uri_list_extract_uris (text);

  /* The GdkFileList value says the same files, in the same order. */
  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_assert_true (gdk_content_provider_get_value (provider, &value, NULL));
  files = gdk_file_list_get_files (g_value_get_boxed (&value));
  g_assert_cmpuint (g_slist_length (files), ==, g_strv_length (uris));
  l = files;
  for (guint i = 0; uris[i] != NULL; i++, l = l->next) {
    g_autoptr(GFile) file = g_file_new_for_uri (uris[i]);

    g_assert_true (g_file_equal (file, l->data));
    l->data = g_object_ref (l->data);
  }
  return files;
}

/* Dragged out together, files and a folder come as local copies, the folder with what is
 * in it, all in the user's 0700 cache. The page selects one row at a time today (its drag
 * takes whatever the selection model holds), so the three go through the provider the drag
 * makes, with the page's client; the folder's row alone is dragged through the page. */
static void
test_drag_several (FilesFixture  *fixture,
                   gconstpointer  data)
{
  g_autoptr(GBytes) first = random_bytes (300 * 1024 + 7);
  g_autoptr(GBytes) second = random_bytes (17);
  g_autoptr(GBytes) inner = random_bytes (70 * 1024);
  g_autoptr(GdkContentProvider) folder_provider = NULL;
  g_autoptr(GdkContentProvider) provider = NULL;
  g_autofree char *folder = g_build_filename (fixture->dir, "tree", NULL);
  g_autofree char *sub = g_build_filename (folder, "sub", NULL);
  g_autofree char *inner_remote = g_build_filename (sub, "inner.bin", NULL);
  g_autofree char *first_remote = g_build_filename (fixture->dir, "first.bin", NULL);
  g_autofree char *second_remote = g_build_filename (fixture->dir, "second & <b>.txt", NULL);
  g_autofree char *cache = NULL;
  GSList *files = NULL;
  GtkDragSource *source;
  graphene_point_t point;
  char *paths[3];
  guint i = 0;

  if (server == NULL)
    return;

  make_user_file (fixture->dir, "first.bin", g_bytes_get_data (first, NULL),
                  g_bytes_get_size (first), 0644);
  make_user_file (fixture->dir, "second & <b>.txt", g_bytes_get_data (second, NULL),
                  g_bytes_get_size (second), 0644);
  make_user_folder (fixture->dir, "tree");
  make_user_folder (folder, "sub");
  make_user_file (sub, "inner.bin", g_bytes_get_data (inner, NULL), g_bytes_get_size (inner),
                  0644);
  go_to_test_dir (fixture);
  WAIT_UNTIL (names_are (fixture->page, "tree first.bin second & <b>.txt"));

  /* A folder's row offers the folder, downloaded whole. */
  source = controller_of (column_view_of (fixture->page), GTK_TYPE_DRAG_SOURCE);
  point = row_point (fixture->page, "tree");
  g_signal_emit_by_name (source, "prepare", (double) point.x, (double) point.y,
                         &folder_provider);
  g_assert_true (TETHER_IS_REMOTE_FILE_PROVIDER (folder_provider));
  g_assert_true (selected_are (fixture->page, "tree"));
  files = fetch_dragged (folder_provider);
  g_assert_cmpuint (g_slist_length (files), ==, 1);
  paths[0] = g_file_get_path (files->data);
  g_assert_true (g_str_has_suffix (paths[0], G_DIR_SEPARATOR_S "tree"));
  {
    g_autofree char *copy = g_build_filename (paths[0], "sub", "inner.bin", NULL);

    g_assert_true (has_contents (copy, inner));
  }
  cache = g_path_get_dirname (paths[0]);
  g_assert_true (g_str_has_prefix (cache, g_get_user_cache_dir ()));
  g_assert_cmpuint (mode_of (cache), ==, 0700);
  remove_tree (cache);
  g_clear_pointer (&cache, g_free);
  g_clear_pointer (&paths[0], g_free);
  g_slist_free_full (g_steal_pointer (&files), g_object_unref);

  /* Two files and the folder. */
  provider = tether_remote_file_provider_new (
    tether_remote_file_provider_get_client (TETHER_REMOTE_FILE_PROVIDER (folder_provider)),
    (const char *[]) { first_remote, folder, second_remote, NULL });
  files = fetch_dragged (provider);
  g_assert_cmpuint (g_slist_length (files), ==, 3);
  for (GSList *l = files; l != NULL; l = l->next)
    paths[i++] = g_file_get_path (l->data);
  g_assert_true (g_str_has_suffix (paths[0], G_DIR_SEPARATOR_S "first.bin"));
  g_assert_true (has_contents (paths[0], first));
  g_assert_true (g_str_has_suffix (paths[1], G_DIR_SEPARATOR_S "tree"));
  g_assert_true (g_file_test (paths[1], G_FILE_TEST_IS_DIR));
  {
    g_autofree char *copy = g_build_filename (paths[1], "sub", "inner.bin", NULL);

    g_assert_true (has_contents (copy, inner));
  }
  g_assert_true (g_str_has_suffix (paths[2], G_DIR_SEPARATOR_S "second & <b>.txt"));
  g_assert_true (has_contents (paths[2], second));
  cache = g_path_get_dirname (paths[0]);
  g_assert_true (g_str_has_prefix (cache, g_get_user_cache_dir ()));
  g_assert_cmpuint (mode_of (cache), ==, 0700);
  remove_tree (cache);
  for (i = 0; i < 3; i++)
    g_free (paths[i]);
  g_slist_free_full (files, g_object_unref);
}

/* ------------------------------------------------------------------------- */
/* Properties                                                                */

static TetherFilesProperties *
find_properties (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++) {
    g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

    if (TETHER_IS_FILES_PROPERTIES (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
      return TETHER_FILES_PROPERTIES (window);
  }
  return NULL;
}

static TetherFilesProperties *
open_properties (TetherFilesPage *page,
                 const char      *name)
{
  TetherFilesProperties *properties = NULL;

  select_name (page, name);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "files.properties", NULL));
  WAIT_UNTIL ((properties = find_properties ()) != NULL);
  return properties;
}

static GtkCheckButton *
check_of (TetherFilesProperties *properties,
          const char            *name)
{
  GtkWidget *check = tether_ui_test_find_descendant (GTK_WIDGET (properties), is_named, name);

  g_assert_true (GTK_IS_CHECK_BUTTON (check));
  return GTK_CHECK_BUTTON (check);
}

static void
test_properties_chmod (FilesFixture  *fixture,
                       gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "mode.txt", NULL);
  g_autofree char *root_path = NULL;
  TetherFilesProperties *properties;
  GtkWidget *error_label;

  if (server == NULL)
    return;

  make_user_file (fixture->dir, "mode.txt", "mode", 4, 0644);
  /* root's, in the test user's folder: the user may not change its mode. */
  root_path = make_file (fixture->dir, "roots.txt", "root", 4, 0644);
  go_to_test_dir (fixture);
  WAIT_UNTIL (names_are (fixture->page, "mode.txt roots.txt"));

  properties = open_properties (fixture->page, "mode.txt");
  g_assert_true (gtk_check_button_get_active (check_of (properties, "owner-read")));
  g_assert_true (gtk_check_button_get_active (check_of (properties, "owner-write")));
  g_assert_false (gtk_check_button_get_active (check_of (properties, "owner-execute")));
  g_assert_true (gtk_check_button_get_active (check_of (properties, "group-read")));
  g_assert_false (gtk_check_button_get_active (check_of (properties, "group-write")));
  g_assert_true (gtk_check_button_get_active (check_of (properties, "others-read")));
  g_assert_nonnull (tether_ui_test_find_descendant (GTK_WIDGET (properties), is_label,
                                                    "mode.txt"));

  /* Each checkbox changes the mode on the server at once. */
  gtk_check_button_set_active (check_of (properties, "group-write"), TRUE);
  WAIT_UNTIL (mode_of (path) == 0664);
  gtk_check_button_set_active (check_of (properties, "others-read"), FALSE);
  gtk_check_button_set_active (check_of (properties, "owner-execute"), TRUE);
  WAIT_UNTIL (mode_of (path) == 0760 && !tether_files_properties_get_busy (properties));
  g_assert_cmpuint (tether_files_properties_get_mode (properties), ==, 0760);
  g_assert_null (tether_files_properties_get_error_message (properties));
  /* And the list shows it. */
  WAIT_UNTIL (tether_ui_test_find_descendant (GTK_WIDGET (fixture->page), is_label,
                                              "rwxrw----") != NULL);
  gtk_window_destroy (GTK_WINDOW (properties));
  WAIT_UNTIL (find_properties () == NULL);

  /* Refused: the server's reason shows, the checkbox goes back, the mode stays. */
  properties = open_properties (fixture->page, "roots.txt");
  error_label = tether_ui_test_get_widget (properties, "error_label");
  g_assert_false (gtk_widget_get_visible (error_label));
  gtk_check_button_set_active (check_of (properties, "group-write"), TRUE);
  WAIT_UNTIL (tether_files_properties_get_error_message (properties) != NULL);
  g_test_message ("The refusal: %s", tether_files_properties_get_error_message (properties));
  g_assert_nonnull (strstr (tether_files_properties_get_error_message (properties),
                            "roots.txt"));
  g_assert_nonnull (strstr (tether_files_properties_get_error_message (properties),
                            "Permission denied"));
  g_assert_true (gtk_widget_get_visible (error_label));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (error_label)), ==,
                   tether_files_properties_get_error_message (properties));
  g_assert_false (gtk_check_button_get_active (check_of (properties, "group-write")));
  g_assert_cmpuint (mode_of (root_path), ==, 0644);
  gtk_window_destroy (GTK_WINDOW (properties));
  WAIT_UNTIL (find_properties () == NULL);
}

/* ------------------------------------------------------------------------- */
/* Retry                                                                     */

/* The bytes a transfer had when it first said it runs: where it started. */
static void
on_retry_state (TetherTransfer *transfer,
                GParamSpec     *pspec,
                gint64         *start)
{
  if (*start < 0 && tether_transfer_get_state (transfer) == TETHER_TRANSFER_STATE_RUNNING)
    *start = (gint64) tether_transfer_get_bytes_done (transfer);
}

/* A resume starts this much below what the partial copy holds (tether-sftp-transfer.c). */
#define RESUME_BACKOFF (16 * 1024 * 1024)

static void
test_retry_resumes_upload (FilesFixture  *fixture,
                           gconstpointer  data)
{
  /* Big enough to be cancelled midway on a fast machine, too. */
  g_autoptr(GBytes) bytes = random_bytes (96 * 1024 * 1024 + 17);
  g_autofree char *local_path = NULL;
  g_autofree char *remote = g_build_filename (fixture->dir, "big.bin", NULL);
  g_autofree char *part = g_strconcat (remote, ".part", NULL);
  g_autoptr(GFile) local = NULL;
  TetherTransfer *transfer;
  TetherTransfer *retry;
  GListModel *transfers;
  GtkWidget *button;
  struct stat st;
  gint64 start = -1;
  gulong handler;

  if (server == NULL)
    return;

  go_to_test_dir (fixture);
  local_path = make_file (fixture->local_dir, "big.bin", g_bytes_get_data (bytes, NULL),
                          g_bytes_get_size (bytes), 0644);
  local = g_file_new_for_path (local_path);

  transfer = tether_files_page_upload_file (fixture->page, local);
  g_assert_nonnull (transfer);
  /* Past the 16 MiB a resume sends again (what a hole may hide), so that the retry does
   * not start from 0. */
  WAIT_UNTIL (tether_transfer_get_bytes_done (transfer) > RESUME_BACKOFF + 8 * 1024 * 1024 ||
              tether_transfer_get_state (transfer) >= TETHER_TRANSFER_STATE_DONE);
  button = tether_ui_test_find_descendant (GTK_WIDGET (fixture->page), has_tooltip,
                                           "Cancel Transfer");
  g_assert_nonnull (button);
  g_signal_emit_by_name (button, "clicked");
  WAIT_UNTIL (tether_transfer_get_state (transfer) >= TETHER_TRANSFER_STATE_DONE);
  g_assert_cmpint (tether_transfer_get_state (transfer), ==, TETHER_TRANSFER_STATE_CANCELLED);
  g_assert_cmpint (stat (part, &st), ==, 0);
  g_assert_cmpint (st.st_size, >, 0);
  /* A fast machine may have sent every byte before the cancel, which still stops the
   * rename: the .part is then whole. */
  g_assert_cmpint (st.st_size, <=, g_bytes_get_size (bytes));
  g_test_message ("Cancelled after %" G_GINT64_FORMAT " bytes", (gint64) st.st_size);

  /* The row offers Retry; the new attempt takes the old one's place and starts where the
   * first stopped. */
  WAIT_UNTIL (tether_ui_test_find_descendant (GTK_WIDGET (fixture->page), has_tooltip,
                                              "Cancel Transfer") == NULL);
  WAIT_UNTIL ((button = tether_ui_test_find_descendant (GTK_WIDGET (fixture->page), has_tooltip,
                                                       "Retry Transfer")) != NULL);
  g_signal_emit_by_name (button, "clicked");
  transfers = tether_files_page_get_transfers (fixture->page);
  g_assert_cmpuint (g_list_model_get_n_items (transfers), ==, 1);
  retry = g_list_model_get_item (transfers, 0);
  g_object_unref (retry);  /* the list holds it */
  g_assert_true (retry != transfer);
  /* Disconnected before the test returns: the list keeps the transfer, and its state may
   * be notified again after it ended. */
  handler = g_signal_connect (retry, "notify::state", G_CALLBACK (on_retry_state), &start);
  WAIT_UNTIL (tether_transfer_get_state (retry) >= TETHER_TRANSFER_STATE_DONE);
  g_assert_cmpint (tether_transfer_get_state (retry), ==, TETHER_TRANSFER_STATE_DONE);
  g_signal_handler_disconnect (retry, handler);
  g_assert_cmpint (start, >, 0);
  g_assert_cmpint (start, >=, st.st_size - RESUME_BACKOFF);
  g_assert_true (has_contents (remote, bytes));
  g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));
  WAIT_UNTIL (tether_ui_test_find_descendant (GTK_WIDGET (fixture->page), has_tooltip,
                                              "Retry Transfer") == NULL);
}

/* ------------------------------------------------------------------------- */
/* Notifications                                                             */

/* A notification server on the test's own session bus: what GNotification's freedesktop
 * backend sends arrives here. */
static const char notifications_xml[] =
  "<node>"
  "  <interface name='org.freedesktop.Notifications'>"
  "    <method name='Notify'>"
  "      <arg type='s' direction='in'/><arg type='u' direction='in'/>"
  "      <arg type='s' direction='in'/><arg type='s' direction='in'/>"
  "      <arg type='s' direction='in'/><arg type='as' direction='in'/>"
  "      <arg type='a{sv}' direction='in'/><arg type='i' direction='in'/>"
  "      <arg type='u' direction='out'/>"
  "    </method>"
  "    <method name='GetCapabilities'><arg type='as' direction='out'/></method>"
  "    <method name='CloseNotification'><arg type='u' direction='in'/></method>"
  "    <method name='GetServerInformation'>"
  "      <arg type='s' direction='out'/><arg type='s' direction='out'/>"
  "      <arg type='s' direction='out'/><arg type='s' direction='out'/>"
  "    </method>"
  "  </interface>"
  "</node>";

typedef struct {
  GPtrArray *summaries;   /* "summary: body" of each notification */
  gboolean owned;
} Notifications;

static void
on_notifications_call (GDBusConnection       *connection,
                       const char            *sender,
                       const char            *object_path,
                       const char            *interface_name,
                       const char            *method_name,
                       GVariant              *parameters,
                       GDBusMethodInvocation *invocation,
                       gpointer               user_data)
{
  Notifications *notifications = user_data;

  if (g_str_equal (method_name, "Notify")) {
    const char *summary = NULL;
    const char *body = NULL;

    g_variant_get_child (parameters, 3, "&s", &summary);
    g_variant_get_child (parameters, 4, "&s", &body);
    g_ptr_array_add (notifications->summaries, g_strdup_printf ("%s: %s", summary, body));
    g_dbus_method_invocation_return_value (invocation,
                                           g_variant_new ("(u)",
                                                          notifications->summaries->len));
  } else if (g_str_equal (method_name, "GetCapabilities")) {
    g_dbus_method_invocation_return_value (invocation, g_variant_new_parsed ("(@as ['body'],)"));
  } else if (g_str_equal (method_name, "GetServerInformation")) {
    g_dbus_method_invocation_return_value (invocation, g_variant_new ("(ssss)", "test", "test",
                                                                      "1", "1.2"));
  } else {
    g_dbus_method_invocation_return_value (invocation, NULL);
  }
}

static void
on_name_acquired (GDBusConnection *connection,
                  const char      *name,
                  gpointer         user_data)
{
  ((Notifications *) user_data)->owned = TRUE;
}

static gboolean
has_notification (Notifications *notifications,
                  const char    *text)
{
  for (guint i = 0; i < notifications->summaries->len; i++) {
    if (g_str_equal (g_ptr_array_index (notifications->summaries, i), text))
      return TRUE;
  }
  return FALSE;
}

/* A transfer that took long and ends while the window is in the background says so. */
static void
test_notify_long_transfer (FilesFixture  *fixture,
                           gconstpointer  data)
{
  static const GDBusInterfaceVTable vtable = { on_notifications_call, NULL, NULL, { 0 } };
  g_autoptr(GDBusNodeInfo) node = NULL;
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = random_bytes (64 * 1024);
  g_autofree char *local_path = NULL;
  g_autoptr(GFile) local = NULL;
  Notifications notifications = { g_ptr_array_new_with_free_func (g_free), FALSE };
  GtkWidget *other;
  TetherTransfer *transfer;
  guint object_id;
  guint owner_id;
  gint64 long_ago;

  if (server == NULL || !can_use_xdotool ())
    return;

  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  node = g_dbus_node_info_new_for_xml (notifications_xml, &error);
  g_assert_no_error (error);
  object_id = g_dbus_connection_register_object (bus, "/org/freedesktop/Notifications",
                                                 node->interfaces[0], &vtable, &notifications,
                                                 NULL, &error);
  g_assert_no_error (error);
  owner_id = g_bus_own_name_on_connection (bus, "org.freedesktop.Notifications",
                                           G_BUS_NAME_OWNER_FLAGS_NONE, on_name_acquired, NULL,
                                           &notifications, NULL);
  WAIT_UNTIL (notifications.owned);

  go_to_test_dir (fixture);
  local_path = make_file (fixture->local_dir, "long.bin", g_bytes_get_data (bytes, NULL),
                          g_bytes_get_size (bytes), 0644);
  local = g_file_new_for_path (local_path);

  /* Another window has the focus. */
  other = gtk_window_new ();
  gtk_window_present (GTK_WINDOW (other));
  WAIT_UNTIL (gtk_widget_get_mapped (other));
  {
    g_autofree char *xid = g_strdup_printf ("%lu", (gulong) gdk_x11_surface_get_xid (
                                              gtk_native_get_surface (GTK_NATIVE (other))));

    xdotool ((const char *[]) { "windowfocus", "--sync", xid, NULL });
  }
  WAIT_UNTIL (!gtk_window_is_active (GTK_WINDOW (fixture->window.window)));

  /* A short transfer is no news. */
  transfer = tether_files_page_upload_file (fixture->page, local);
  WAIT_UNTIL (tether_transfer_get_state (transfer) >= TETHER_TRANSFER_STATE_DONE);
  g_assert_cmpint (tether_transfer_get_state (transfer), ==, TETHER_TRANSFER_STATE_DONE);

  /* One that started (as far as the page knows) 11 s ago is. */
  transfer = tether_files_page_upload_file (fixture->page, local);
  long_ago = g_get_monotonic_time () - 11 * G_USEC_PER_SEC;
  g_object_set_data_full (G_OBJECT (transfer), "tether-started",
                          g_memdup2 (&long_ago, sizeof long_ago), g_free);
  WAIT_UNTIL (has_notification (&notifications, "Upload Finished: long.bin"));
  g_assert_cmpuint (notifications.summaries->len, ==, 1);

  gtk_window_destroy (GTK_WINDOW (other));
  g_bus_unown_name (owner_id);
  g_dbus_connection_unregister_object (bus, object_id);
  g_ptr_array_unref (notifications.summaries);
}

/* ------------------------------------------------------------------------- */
/* Closing the window while a listing is under way                           */

/* The window takes its files tab with it even while the tab waits for a listing: the
 * reply must not keep the page alive, outside any window, until it comes. (A page kept so
 * was disposed late, after its window's widgets, and corrupted GTK's records of them: a
 * crash in a later test about one run in four.) */
static void
test_close_while_listing (FilesFixture  *fixture,
                          gconstpointer  data)
{
  if (server == NULL)
    return;

  go_to_test_dir (fixture);
  tether_files_page_refresh (fixture->page);
  g_assert_true (tether_files_page_get_loading (fixture->page));
  /* No iteration between the two: the listing's reply has not been read. */
  gtk_window_destroy (GTK_WINDOW (fixture->window.window));
  g_assert_null (fixture->page);
}

/* The same while the tab still connects: a server that takes the TCP connection and never
 * says a word keeps the connect waiting. */
static void
test_close_while_connecting (TetherUiTestWindowFixture *fixture,
                             gconstpointer              data)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TetherHost) host = NULL;
  TetherFilesPage *page;

  if (server == NULL)
    return;

  g_assert_true (g_socket_listener_add_address (listener, address, G_SOCKET_TYPE_STREAM,
                                                G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error));
  g_assert_no_error (error);
  host = new_host_named ("files-ux-silent.test");
  tether_host_set_port (host, g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  page = TETHER_FILES_PAGE (adw_tab_page_get_child (
                              tether_window_open_files (fixture->window, host)));
  g_object_add_weak_pointer (G_OBJECT (page), (gpointer *) &page);
  WAIT_UNTIL (tether_files_page_get_loading (page) &&
              tether_host_session_get_state (tether_files_page_get_session (page)) ==
              TETHER_HOST_SESSION_STATE_CONNECTING);
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  g_assert_null (page);
}

/* ------------------------------------------------------------------------- */
/* Sorting and type-ahead                                                    */

static gboolean
is_header_label (GtkWidget     *widget,
                 gconstpointer  text)
{
  return GTK_IS_LABEL (widget) && g_str_equal (gtk_label_get_label (GTK_LABEL (widget)), text) &&
         gtk_widget_get_ancestor (widget, GTK_TYPE_LIST_VIEW) == NULL;
}

/* Where @widget is on its X window: @fraction of the way across, half-way down. */
static graphene_point_t
point_on_window (GtkWidget *widget,
                 double     fraction)
{
  GtkNative *native = gtk_widget_get_native (widget);
  graphene_point_t point = GRAPHENE_POINT_INIT (-1, -1);
  double dx = 0;
  double dy = 0;

  if (!gtk_widget_compute_point (widget, GTK_WIDGET (native),
                                 &GRAPHENE_POINT_INIT (gtk_widget_get_width (widget) * fraction,
                                                       gtk_widget_get_height (widget) / 2.0),
                                 &point))
    return point;
  gtk_native_get_surface_transform (native, &dx, &dy);
  point.x = (int) (point.x + dx);
  point.y = (int) (point.y + dy);
  return point;
}

/* Moves the pointer onto @widget, again whenever the layout moved it, until GTK sees the
 * pointer there. */
static gboolean
moved_onto (GtkWidget        *widget,
            double            fraction,
            const char       *xid,
            graphene_point_t *point)
{
  graphene_point_t now = point_on_window (widget, fraction);

  if (!graphene_point_equal (&now, point)) {
    *point = now;
    xdotool_move (xid, now);
    return FALSE;
  }
  return (gtk_widget_get_state_flags (widget) & GTK_STATE_FLAG_PRELIGHT) != 0;
}

/* Moves the X server's pointer onto @widget, @fraction of the way across: the press goes
 * where GTK saw the pointer last, so it moves there from elsewhere first (so that GTK sees
 * it arrive). */
static void
point_at (GtkWidget *widget,
          double     fraction)
{
  GdkSurface *surface = gtk_native_get_surface (gtk_widget_get_native (widget));
  g_autofree char *xid = NULL;
  graphene_point_t point = GRAPHENE_POINT_INIT (-1, -1);

  g_assert_true (GDK_IS_X11_SURFACE (surface));
  xid = g_strdup_printf ("%lu", (gulong) gdk_x11_surface_get_xid (surface));
  xdotool_move (xid, GRAPHENE_POINT_INIT (1, 1));
  WAIT_UNTIL ((gtk_widget_get_state_flags (widget) & GTK_STATE_FLAG_PRELIGHT) == 0);
  WAIT_UNTIL (moved_onto (widget, fraction, xid, &point));
}

/* Clicks @widget with the X server's pointer: left of the middle and right by turns, as
 * two clicks in one place would make a double click. */
static void
click (GtkWidget *widget)
{
  static gboolean left;

  point_at (widget, (left = !left) ? 0.35 : 0.65);
  xdotool ((const char *[]) { "click", "1", NULL });
}

static void
double_click (GtkWidget *widget)
{
  point_at (widget, 0.5);
  xdotool ((const char *[]) { "click", "--repeat", "2", "--delay", "80", "1", NULL });
}

/* Clicks the header of the column titled @title. */
static void
click_header (TetherFilesPage *page,
              const char      *title)
{
  GtkWidget *label = tether_ui_test_find_descendant (column_view_of (page), is_header_label,
                                                     title);
  GtkWidget *header = label;

  g_assert_nonnull (label);
  /* The header is the button around the title (and its sort arrow). */
  while (header != NULL && !g_str_equal (gtk_widget_get_css_name (header), "button"))
    header = gtk_widget_get_parent (header);
  g_assert_nonnull (header);
  click (header);
}

static void
test_sort_and_type_ahead (FilesFixture  *fixture,
                          gconstpointer  data)
{
  g_autofree char *two_thousand = g_strnfill (2000, 'a');
  g_autofree char *five_hundred = g_strnfill (500, 'p');

  if (server == NULL || !can_use_xdotool ())
    return;

  make_user_file (fixture->dir, "a.txt", two_thousand, 2000, 0755);
  make_user_file (fixture->dir, "alpine.txt", five_hundred, 500, 0444);
  make_user_file (fixture->dir, "b.txt", "0123456789", 10, 0600);
  make_user_folder (fixture->dir, "alpha");
  make_user_folder (fixture->dir, "zeta");
  set_mtime (fixture->dir, "alpine.txt", 1000000000);
  set_mtime (fixture->dir, "zeta", 1500000000);
  set_mtime (fixture->dir, "alpha", 1600000000);
  set_mtime (fixture->dir, "a.txt", 1700000000);
  set_mtime (fixture->dir, "b.txt", 1750000000);
  go_to_test_dir (fixture);

  /* By name at first; each header sorts by its column, again the other way; folders stay
   * first. */
  WAIT_UNTIL (names_are (fixture->page, "alpha zeta a.txt alpine.txt b.txt"));
  WAIT_UNTIL (gtk_widget_get_mapped (column_view_of (fixture->page)));
  click_header (fixture->page, "Size");
  WAIT_UNTIL (names_are (fixture->page, "alpha zeta b.txt alpine.txt a.txt"));
  click_header (fixture->page, "Size");
  WAIT_UNTIL (names_are (fixture->page, "alpha zeta a.txt alpine.txt b.txt"));
  click_header (fixture->page, "Modified");
  WAIT_UNTIL (names_are (fixture->page, "zeta alpha alpine.txt a.txt b.txt"));
  /* Ties (the folders' modes) go by the column sorted by before, as GtkColumnView does. */
  click_header (fixture->page, "Permissions");
  WAIT_UNTIL (names_are (fixture->page, "zeta alpha alpine.txt b.txt a.txt"));
  click_header (fixture->page, "Name");
  WAIT_UNTIL (names_are (fixture->page, "alpha zeta a.txt alpine.txt b.txt"));
  click_header (fixture->page, "Name");
  WAIT_UNTIL (names_are (fixture->page, "zeta alpha b.txt alpine.txt a.txt"));

  /* A listing again keeps the order chosen. */
  gtk_widget_activate_action (GTK_WIDGET (fixture->page), "files.refresh", NULL);
  WAIT_UNTIL (!tether_files_page_get_loading (fixture->page));
  g_assert_true (names_are (fixture->page, "zeta alpha b.txt alpine.txt a.txt"));
  click_header (fixture->page, "Name");
  WAIT_UNTIL (names_are (fixture->page, "alpha zeta a.txt alpine.txt b.txt"));

  /* Typing in the list selects the first row whose name starts with what was typed, in
   * any case. */
  g_assert_true (selected_are (fixture->page, ""));
  gtk_widget_grab_focus (column_view_of (fixture->page));
  WAIT_UNTIL (gtk_window_is_active (GTK_WINDOW (fixture->window.window)));
  xdotool ((const char *[]) { "type", "--delay", "20", "Alpi", NULL });
  WAIT_UNTIL (selected_are (fixture->page, "alpine.txt"));

}

/* ------------------------------------------------------------------------- */
/* Several rows selected                                                     */

static gboolean
has_action_name (GtkWidget     *widget,
                 gconstpointer  data)
{
  return GTK_IS_BUTTON (widget) &&
         g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), data) == 0;
}

/* Whether the toolbar's button for @action can be pressed. */
static gboolean
can_press (TetherFilesPage *page,
           const char      *action)
{
  GtkWidget *button = tether_ui_test_find_descendant (GTK_WIDGET (page), has_action_name,
                                                      action);

  g_assert_nonnull (button);
  return gtk_widget_get_sensitive (button);
}

static GtkWidget *
row_label (TetherFilesPage *page,
           const char      *name)
{
  GtkWidget *label = NULL;

  WAIT_UNTIL ((label = tether_ui_test_find_descendant (column_view_of (page), is_label,
                                                       name)) != NULL &&
              gtk_widget_get_height (label) > 0);
  return label;
}

/* Ctrl+click selects several rows; Download takes them into a folder (a folder whole),
 * Delete removes them after one question, a drag offers them all, and the actions for one
 * item are off meanwhile. */
static void
test_multi_select (FilesFixture  *fixture,
                   gconstpointer  data)
{
  g_autoptr(GBytes) one = random_bytes (10000);
  g_autoptr(GBytes) two = random_bytes (20000);
  g_autofree char *folder = g_build_filename (fixture->dir, "zeta", NULL);
  g_autofree char *down = g_build_filename (fixture->local_dir, "down", NULL);
  g_autofree char *down_a = g_build_filename (down, "a.txt", NULL);
  g_autofree char *down_inner = g_build_filename (down, "zeta", "inner.txt", NULL);
  g_autofree char *remote_a = g_build_filename (fixture->dir, "a.txt", NULL);
  g_autoptr(GFile) down_file = g_file_new_for_path (down);
  g_autoptr(GdkContentProvider) provider = NULL;
  GSList *files;
  GtkDragSource *source;
  graphene_point_t point;
  AdwMessageDialog *dialog;
  GListModel *transfers;

  if (server == NULL || !can_use_xdotool ())
    return;

  make_user_file (fixture->dir, "a.txt", g_bytes_get_data (one, NULL), g_bytes_get_size (one),
                  0644);
  make_user_file (fixture->dir, "b.txt", "b", 1, 0644);
  make_user_folder (fixture->dir, "yard");
  make_user_folder (fixture->dir, "zeta");
  make_user_file (folder, "inner.txt", g_bytes_get_data (two, NULL), g_bytes_get_size (two),
                  0644);
  g_assert_cmpint (g_mkdir (down, 0755), ==, 0);
  go_to_test_dir (fixture);
  WAIT_UNTIL (names_are (fixture->page, "yard zeta a.txt b.txt"));
  WAIT_UNTIL (gtk_widget_get_mapped (column_view_of (fixture->page)));
  WAIT_UNTIL (gtk_window_is_active (GTK_WINDOW (fixture->window.window)));

  /* A click selects one row; Ctrl+click adds another. */
  click (row_label (fixture->page, "a.txt"));
  WAIT_UNTIL (selected_are (fixture->page, "a.txt"));
  g_assert_true (can_press (fixture->page, "files.rename"));
  xdotool ((const char *[]) { "keydown", "Control_L", NULL });
  click (row_label (fixture->page, "zeta"));
  xdotool ((const char *[]) { "keyup", "Control_L", NULL });
  WAIT_UNTIL (selected_are (fixture->page, "zeta a.txt"));
  WAIT_UNTIL (!can_press (fixture->page, "files.rename"));
  g_assert_true (can_press (fixture->page, "files.download"));
  g_assert_true (can_press (fixture->page, "files.delete"));

  /* A drag from one of them offers both. */
  source = controller_of (column_view_of (fixture->page), GTK_TYPE_DRAG_SOURCE);
  point = row_point (fixture->page, "a.txt");
  g_signal_emit_by_name (source, "prepare", (double) point.x, (double) point.y, &provider);
  g_assert_true (TETHER_IS_REMOTE_FILE_PROVIDER (provider));
  {
    g_autofree char *names = selected_names (fixture->page);

    g_assert_cmpstr (names, ==, "zeta a.txt");
  }
  files = fetch_dragged (provider);
  g_assert_cmpuint (g_slist_length (files), ==, 2);
  {
    g_autofree char *cache = NULL;
    g_autofree char *first = g_file_get_path (files->data);

    g_assert_true (g_str_has_suffix (first, G_DIR_SEPARATOR_S "zeta"));
    cache = g_path_get_dirname (first);
    remove_tree (cache);
  }
  g_slist_free_full (files, g_object_unref);

  /* Download: each under its own name in the folder given, the folder whole; what is there
   * already is replaced only when the user says so. */
  transfers = tether_files_page_get_transfers (fixture->page);
  g_assert_true (g_file_set_contents (down_a, "old", -1, NULL));
  tether_files_page_download_selected (fixture->page, down_file);
  WAIT_UNTIL ((dialog = tether_ui_test_find_message_dialog ()) != NULL);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Replace Existing Files?");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "1 of the items is already"));
  adw_message_dialog_response (dialog, "cancel");
  WAIT_UNTIL (tether_ui_test_find_message_dialog () == NULL);
  g_assert_cmpuint (g_list_model_get_n_items (transfers), ==, 0);
  {
    g_autofree char *kept = NULL;

    g_assert_true (g_file_get_contents (down_a, &kept, NULL, NULL));
    g_assert_cmpstr (kept, ==, "old");
  }
  tether_files_page_download_selected (fixture->page, down_file);
  WAIT_UNTIL ((dialog = tether_ui_test_find_message_dialog ()) != NULL);
  adw_message_dialog_response (dialog, "replace");
  WAIT_UNTIL (g_list_model_get_n_items (transfers) == 2);
  for (guint i = 0; i < 2; i++) {
    g_autoptr(TetherTransfer) transfer = g_list_model_get_item (transfers, i);

    WAIT_UNTIL (tether_transfer_get_state (transfer) >= TETHER_TRANSFER_STATE_DONE);
    g_assert_cmpint (tether_transfer_get_state (transfer), ==, TETHER_TRANSFER_STATE_DONE);
  }
  g_assert_true (has_contents (down_a, one));
  g_assert_true (has_contents (down_inner, two));

  /* Delete: one question for both, then both are gone and the rest stays. */
  gtk_widget_activate_action (GTK_WIDGET (fixture->page), "files.delete", NULL);
  WAIT_UNTIL ((dialog = tether_ui_test_find_message_dialog ()) != NULL);
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "2 items"));
  adw_message_dialog_response (dialog, "delete");
  WAIT_UNTIL (names_are (fixture->page, "yard b.txt"));
  g_assert_false (g_file_test (folder, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (remote_a, G_FILE_TEST_EXISTS));
  WAIT_UNTIL (tether_ui_test_find_message_dialog () == NULL);

  /* A double-click on a folder still opens it, once. */
  double_click (row_label (fixture->page, "yard"));
  {
    g_autofree char *yard = g_build_filename (fixture->dir, "yard", NULL);

    WAIT_UNTIL (g_strcmp0 (tether_files_page_get_path (fixture->page), yard) == 0);
  }
  WAIT_UNTIL (!tether_files_page_get_loading (fixture->page));
  g_assert_cmpuint (g_list_model_get_n_items (tether_files_page_get_model (fixture->page)), ==,
                    0);
}

/* ------------------------------------------------------------------------- */
/* The toolbar in a narrow window                                            */

static gboolean
is_shown (GtkWidget *widget)
{
  return gtk_widget_get_mapped (widget) && gtk_widget_get_width (widget) > 0;
}

static void
test_narrow_toolbar (FilesFixture  *fixture,
                     gconstpointer  data)
{
  GtkWidget *page;
  GtkWidget *toolbar;
  GtkWidget *more;
  GtkWidget *rename;
  GtkWidget *transfers;
  int minimum = 0;

  if (server == NULL)
    return;

  go_to_test_dir (fixture);
  page = GTK_WIDGET (fixture->page);
  toolbar = tether_ui_test_get_widget (page, "toolbar");
  more = tether_ui_test_get_widget (page, "more_button");
  rename = tether_ui_test_get_widget (page, "rename_button");
  transfers = tether_ui_test_get_widget (page, "transfers_button");

  /* Wide: every operation is a button. */
  WAIT_UNTIL (is_shown (rename) && !is_shown (more));

  /* Narrow, with the transfers button showing too: it fits, the less used operations in
   * the menu. */
  gtk_widget_set_visible (transfers, TRUE);
  gtk_window_set_default_size (GTK_WINDOW (fixture->window.window), NARROW_WIDTH,
                               WINDOW_HEIGHT);
  WAIT_UNTIL (gtk_widget_get_width (GTK_WIDGET (fixture->window.window)) <= NARROW_WIDTH &&
              is_shown (page));
  WAIT_UNTIL (is_shown (more) && !is_shown (rename));
  gtk_widget_measure (toolbar, GTK_ORIENTATION_HORIZONTAL, -1, &minimum, NULL, NULL, NULL);
  g_test_message ("The toolbar needs %d px of %d", minimum, gtk_widget_get_width (page));
  g_assert_cmpint (minimum, <=, gtk_widget_get_width (page));
  g_assert_true (is_shown (transfers));
  g_assert_true (is_shown (tether_ui_test_get_widget (page, "narrow_upload_button")));

  /* The menu has what the buttons had. */
  gtk_menu_button_popup (GTK_MENU_BUTTON (more));
  WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (gtk_menu_button_get_popover (
                GTK_MENU_BUTTON (more)))));
  gtk_menu_button_popdown (GTK_MENU_BUTTON (more));

  gtk_window_set_default_size (GTK_WINDOW (fixture->window.window), WIDE_WIDTH,
                               WINDOW_HEIGHT);
  WAIT_UNTIL (is_shown (rename) && !is_shown (more));
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

  g_test_add ("/tether/files-ux/drop-uploads", FilesFixture, NULL, files_set_up,
              test_drop_uploads, files_tear_down);
  g_test_add ("/tether/files-ux/drag-provides-files", FilesFixture, NULL, files_set_up,
              test_drag_provides_files, files_tear_down);
  g_test_add ("/tether/files-ux/drag-several", FilesFixture, NULL, files_set_up,
              test_drag_several, files_tear_down);
  g_test_add ("/tether/files-ux/properties-chmod", FilesFixture, NULL, files_set_up,
              test_properties_chmod, files_tear_down);
  g_test_add ("/tether/files-ux/retry-resumes-upload", FilesFixture, NULL, files_set_up,
              test_retry_resumes_upload, files_tear_down);
  g_test_add ("/tether/files-ux/notify-long-transfer", FilesFixture, NULL, files_set_up,
              test_notify_long_transfer, files_tear_down);
  g_test_add ("/tether/files-ux/close-while-listing", FilesFixture, NULL, files_set_up,
              test_close_while_listing, files_tear_down);
  g_test_add ("/tether/files-ux/close-while-connecting", TetherUiTestWindowFixture, server,
              tether_ui_test_window_set_up, test_close_while_connecting,
              tether_ui_test_window_tear_down);
  g_test_add ("/tether/files-ux/sort-and-type-ahead", FilesFixture, NULL, files_set_up,
              test_sort_and_type_ahead, files_tear_down);
  g_test_add ("/tether/files-ux/multi-select", FilesFixture, NULL, files_set_up,
              test_multi_select, files_tear_down);
  g_test_add ("/tether/files-ux/narrow-toolbar", FilesFixture, NULL, files_set_up,
              test_narrow_toolbar, files_tear_down);

  ret = g_test_run ();

  g_clear_pointer (&server, tether_test_server_free);
  g_clear_object (&app);

  return ret;
}
