/* test-host-store-common.c: what the host store test programs share. */
#define _GNU_SOURCE  /* unshare () for test-tmpfs.h */
#include "config.h"

#include "test-host-store-common.h"

/* ---- The store's changes, waited for ------------------------------------- */

#define DEFINE_CHANGE(verb, what)                                                \
  gboolean                                                                       \
  store_##verb (TetherHostStore *store,                                          \
                TetherHost      *host,                                           \
                GError         **error)                                          \
  {                                                                              \
    g_autoptr(GAsyncResult) result = NULL;                                       \
                                                                                 \
    tether_host_store_##verb##_async (store, host, NULL, tether_test_store_result, \
                                      &result);                                  \
    tether_test_wait_until (tether_test_pointer_is_set, &result, WAIT_TIMEOUT_MS, \
                            what);                                               \
    return tether_host_store_##verb##_finish (store, result, error);             \
  }
DEFINE_CHANGE (add, "the host to be added")
DEFINE_CHANGE (update, "the host to be saved")
DEFINE_CHANGE (remove, "the host to be removed")
DEFINE_CHANGE (restore, "the host to be restored")
#undef DEFINE_CHANGE

TetherHost *
store_duplicate (TetherHostStore *store,
                 TetherHost      *host,
                 GError         **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  tether_host_store_duplicate_async (store, host, NULL, tether_test_store_result, &result);
  tether_test_wait_until (tether_test_pointer_is_set, &result, WAIT_TIMEOUT_MS,
                          "the host to be duplicated");
  return tether_host_store_duplicate_finish (store, result, error);
}

/* Like tether_test_wait_until (), but the deadline starts again whenever *PROGRESS
 * changes: a slow machine is not a stuck one. */
void
wait_with_progress (TetherTestCondition  condition,
                    gpointer             data,
                    const guint         *progress,
                    guint                step_timeout_seconds,
                    const char          *what)
{
  gboolean timed_out = FALSE;
  guint seen = *progress;
  guint timeout_id = g_timeout_add_seconds (step_timeout_seconds, tether_test_set_flag,
                                            &timed_out);

  while (!condition (data) && !timed_out)
    {
      g_main_context_iteration (NULL, TRUE);
      if (*progress != seen && !timed_out)
        {
          seen = *progress;
          g_source_remove (timeout_id);
          timeout_id = g_timeout_add_seconds (step_timeout_seconds, tether_test_set_flag,
                                              &timed_out);
        }
    }
  if (timed_out)
    g_error ("Timed out waiting for %s: no progress in %u s", what, step_timeout_seconds);
  g_source_remove (timeout_id);
}

void
remove_tree (const char *path)
{
  const char *argv[] = { "rm", "-rf", path, NULL };
  g_autoptr(GError) error = NULL;
  int status;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

/* Each test starts without any ssh_config or hosts file. */
void
fresh_home (void)
{
  g_autoptr(GDir) dir = g_dir_open (g_get_home_dir (), 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (g_get_home_dir (), name, NULL);

      remove_tree (path);
    }
}

char *
ssh_config_path (void)
{
  return g_build_filename (g_get_home_dir (), ".ssh", "config", NULL);
}

char *
hosts_path (void)
{
  return g_build_filename (g_get_user_config_dir (), "tether", "hosts.conf", NULL);
}

void
write_file (const char *path,
            const char *contents)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

char *
read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return contents;
}

gboolean
store_loaded (gpointer data)
{
  return tether_host_store_get_loaded (data);
}

void
on_loaded (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (tether_host_store_load_default_finish (TETHER_HOST_STORE (source), result,
                                                        &error));
  g_assert_no_error (error);
  *(gboolean *) user_data = TRUE;
}

TetherHostStore *
load_store (void)
{
  TetherHostStore *store = tether_host_store_new ();
  gboolean done = FALSE;

  tether_host_store_load_default_async (store, NULL, on_loaded, &done);
  tether_test_wait_until (tether_test_flag_is_set, &done, WAIT_TIMEOUT_MS, "the store to load");
  g_assert_true (store_loaded (store));
  return store;
}

TetherHost *
find_host (TetherHostStore *store,
           const char      *alias)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (store));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(TetherHost) host = g_list_model_get_item (G_LIST_MODEL (store), i);

      if (g_strcmp0 (tether_host_get_alias (host), alias) == 0)
        return host;  /* the store keeps its reference */
    }
  return NULL;
}

/* Every property equal, except those named in SKIP. */
void
assert_hosts_equal (TetherHost         *a,
                    TetherHost         *b,
                    const char * const *skip)
{
  g_autofree GParamSpec **pspecs = NULL;
  guint n;

  pspecs = g_object_class_list_properties (G_OBJECT_GET_CLASS (a), &n);
  for (guint i = 0; i < n; i++)
    {
      g_auto(GValue) va = G_VALUE_INIT;
      g_auto(GValue) vb = G_VALUE_INIT;
      g_autofree char *sa = NULL;
      g_autofree char *sb = NULL;

      if (skip != NULL && g_strv_contains (skip, pspecs[i]->name))
        continue;
      g_value_init (&va, pspecs[i]->value_type);
      g_value_init (&vb, pspecs[i]->value_type);
      g_object_get_property (G_OBJECT (a), pspecs[i]->name, &va);
      g_object_get_property (G_OBJECT (b), pspecs[i]->name, &vb);
      if (pspecs[i]->value_type == G_TYPE_STRV)
        {
          char **x = g_value_get_boxed (&va);
          char **y = g_value_get_boxed (&vb);

          sa = x ? g_strjoinv ("|", x) : g_strdup ("");
          sb = y ? g_strjoinv ("|", y) : g_strdup ("");
        }
      else
        {
          sa = g_strdup_value_contents (&va);
          sb = g_strdup_value_contents (&vb);
        }
      if (g_strcmp0 (sa, sb) != 0)
        g_error ("%s: property %s differs: %s != %s", tether_host_get_alias (a),
                 pspecs[i]->name, sa, sb);
    }
}

/* A fresh store reading the same files: what is on disk, parsed back. */
TetherHost *
reread_host (const char *alias)
{
  g_autoptr(TetherHostStore) store = load_store ();
  TetherHost *host = find_host (store, alias);

  return host ? g_object_ref (host) : NULL;
}

/* @host as a fresh store reads it back under @alias. */
void
assert_saved (TetherHost *host,
              const char *alias)
{
  g_autoptr(TetherHost) reread = reread_host (alias);

  assert_hosts_equal (host, reread, NULL);
}

/* What the save test's file said beyond Tether's hosts is still there. */
void
assert_foreign_lines_kept (const char *text)
{
  g_assert_true (g_str_has_prefix (text, "# my saved hosts\n\n# the web server\nHost web\n"));
  g_assert_nonnull (strstr (text, "Compression yes"));
  g_assert_nonnull (strstr (text, "SetEnv FOO=bar"));
  g_assert_nonnull (strstr (text, "#@tether note=keep me"));
}


void
on_items_changed (GListModel   *model,
                  guint         position,
                  guint         removed,
                  guint         added,
                  ItemsChanged *record)
{
  record->calls++;
  record->position = position;
  record->removed = removed;
  record->added = added;
}

const char hosts_with_extras[] =
  "# my saved hosts\n"
  "\n"
  "# the web server\n"
  "Host web\n"
  "  #@tether id=11111111-2222-3333-4444-555555555555\n"
  "  #@tether label=Web\n"
  "  #@tether group=Work\n"
  "  #@tether note=keep me\n"
  "  HostName web.example.org\n"
  "  User alice\n"
  "  Port 2222\n"
  "  Compression yes\n"
  "  SetEnv FOO=bar\n"
  "  LocalForward 8080 localhost:80\n"
  "\n"
  "Host *.example\n"
  "  ServerAliveInterval 15\n"
  "\n"
  "Match user root\n"
  "  ForwardAgent no\n";

/* Points HOME and XDG_CONFIG_HOME at a fresh temporary directory (so the store's default
 * paths are temporary) before GLib reads them, then initialises GTest. Not
 * G_TEST_OPTION_ISOLATE_DIRS: its per-test g_set_user_dirs () leaks by design, which
 * LeakSanitizer reports. Returns the directory, for remove_tree () at the end. */
char *
test_host_store_init (int    *argc,
                      char ***argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *config_home = NULL;
  char *home;

  test_tmpfs_init ();
  home = g_dir_make_tmp ("test-host-store-XXXXXX", &error);
  g_assert_no_error (error);
  config_home = g_build_filename (home, ".config", NULL);
  g_setenv ("HOME", home, TRUE);
  g_setenv ("XDG_CONFIG_HOME", config_home, TRUE);
  g_test_init (argc, argv, NULL);
  g_assert_cmpstr (g_get_home_dir (), ==, home);
  g_assert_cmpstr (g_get_user_config_dir (), ==, config_home);
  return home;
}
