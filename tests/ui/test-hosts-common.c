/* test-hosts-common.c: the fixture and helpers of the saved-hosts UI tests. */
#include "config.h"

#include "tether-ui-test.h"
#include "test-hosts-common.h"

TetherApplication *app;
const char *temp_home;

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

gboolean
store_add (TetherHostStore *store,
           TetherHost      *host,
           GError         **error)
{
  return store_change (store, host, tether_host_store_add_async, tether_host_store_add_finish,
                       error);
}

gboolean
store_remove (TetherHostStore *store,
              TetherHost      *host,
              GError         **error)
{
  return store_change (store, host, tether_host_store_remove_async,
                       tether_host_store_remove_finish, error);
}

static gboolean
has_type (GtkWidget     *widget,
          gconstpointer  type)
{
  return G_TYPE_CHECK_INSTANCE_TYPE (widget, GPOINTER_TO_SIZE (type));
}

GtkWidget *
find_widget_of_type (GtkWidget *root,
                     GType      type)
{
  return tether_ui_test_find_descendant (root, has_type, GSIZE_TO_POINTER (type));
}

GtkWindow *
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

char *
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

void
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

void
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

TetherHost *
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

guint
n_rows (TetherHostList *list)
{
  GtkListBox *list_box = tether_host_list_get_list_box (list);
  guint n = 0;

  while (gtk_list_box_get_row_at_index (list_box, n) != NULL)
    n++;

  return n;
}

AdwMessageDialog *
find_dialog (GtkWindow *not_this)
{
  return (AdwMessageDialog *) find_toplevel (ADW_TYPE_MESSAGE_DIALOG, not_this);
}

/* Waits for the app's next dialog; *@dialog is a weak pointer to it. */
void
wait_for_dialog (AdwMessageDialog **dialog)
{
  WAIT_UNTIL (find_dialog (NULL) != NULL);
  *dialog = find_dialog (NULL);
  g_object_add_weak_pointer (G_OBJECT (*dialog), (gpointer *) dialog);
}

/* Before any test: the program's display, home and application. */
void
test_hosts_init (int    *argc,
                 char ***argv)
{
  tether_ui_test_init (argc, argv);
  temp_home = g_get_home_dir ();

  app = tether_ui_test_new_application ();
}
