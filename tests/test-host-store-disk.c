/* test-host-store-disk.c: TetherHostStore on a full disk, a read-only disk and a symlinked
 * config, saves made at once, and every row of the ssh_config keyword table through
 * hosts.conf. The disk cases mount a small tmpfs (as root, in this process's own mount
 * namespace) and skip without root.
 */
#define _GNU_SOURCE  /* unshare () for test-tmpfs.h */
#include "config.h"

#include "test-host-store-common.h"

/* ---- A full disk, a read-only disk, a symlinked config -------------------- */

static gboolean
store_add_include (TetherHostStore  *store,
                   GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  tether_host_store_add_include_async (store, NULL, tether_test_store_result, &result);
  tether_test_wait_until (tether_test_pointer_is_set, &result, WAIT_TIMEOUT_MS,
                          "the Include line to be added");
  return tether_host_store_add_include_finish (store, result, error);
}

static TetherHostStore *
load_store_for_paths (const char *ssh_path,
                      const char *path)
{
  TetherHostStore *store = tether_host_store_new_for_paths (ssh_path, path);
  gboolean done = FALSE;

  tether_host_store_load_default_async (store, NULL, on_loaded, &done);
  tether_test_wait_until (tether_test_flag_is_set, &done, WAIT_TIMEOUT_MS, "the store to load");
  return store;
}

typedef struct {
  TestTmpfs fs;
  char *ssh_path;
  char *path;
  char *ssh_text;
  char *hosts_text;
  GStatBuf ssh_stat;
  GStatBuf hosts_stat;
} DiskFixture;

/* A user and group that are not root's: the owner a failed save must keep. */
#define OTHER_UID 65534
#define OTHER_GID 65534
/* A mode no default gives, to see that it is kept. */
#define ODD_MODE 0640

static void
disk_fixture_set_up (DiskFixture   *fixture,
                     gconstpointer  data)
{
  if (!test_tmpfs_mount (&fixture->fs))
    return;
  fixture->ssh_path = g_build_filename (fixture->fs.dir, "ssh", "config", NULL);
  fixture->path = g_build_filename (fixture->fs.dir, "tether", "hosts.conf", NULL);
  fixture->ssh_text = g_strdup ("Host theirs\n  HostName theirs.example.org\n");
  fixture->hosts_text = g_strdup ("Host kept\n  #@tether id=11111111-2222-3333-4444-555555555555\n"
                                  "  HostName kept.example.org\n");
  write_file (fixture->ssh_path, fixture->ssh_text);
  write_file (fixture->path, fixture->hosts_text);
  g_assert_cmpint (g_chmod (fixture->path, ODD_MODE), ==, 0);
  g_assert_cmpint (chown (fixture->path, OTHER_UID, OTHER_GID), ==, 0);
  g_assert_cmpint (g_chmod (fixture->ssh_path, ODD_MODE), ==, 0);
  g_assert_cmpint (chown (fixture->ssh_path, OTHER_UID, OTHER_GID), ==, 0);
  g_assert_cmpint (g_stat (fixture->ssh_path, &fixture->ssh_stat), ==, 0);
  g_assert_cmpint (g_stat (fixture->path, &fixture->hosts_stat), ==, 0);
}

static void
disk_fixture_tear_down (DiskFixture   *fixture,
                        gconstpointer  data)
{
  test_tmpfs_unmount (&fixture->fs);
  g_free (fixture->ssh_path);
  g_free (fixture->path);
  g_free (fixture->ssh_text);
  g_free (fixture->hosts_text);
}

/* The file holds what it held, with the same inode, mode and owner. */
static void
assert_untouched (const char     *path,
                  const char     *text,
                  const GStatBuf *before)
{
  g_autofree char *now = read_file (path);
  GStatBuf st;

  g_assert_cmpstr (now, ==, text);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_ino, ==, before->st_ino);
  g_assert_cmpint (st.st_mode, ==, before->st_mode);
  g_assert_cmpint (st.st_uid, ==, before->st_uid);
  g_assert_cmpint (st.st_gid, ==, before->st_gid);
}

static void
assert_no_temporary_files (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *names = test_tmpfs_list (dir);

  g_assert_cmpstr (names, ==, base);
}

static void
test_disk_full (DiskFixture   *fixture,
                gconstpointer  data)
{
  g_autoptr(TetherHostStore) store = NULL;
  g_autoptr(TetherHost) host = tether_host_new ("new");
  g_autoptr(TetherHost) edited = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *after = NULL;

  if (fixture->fs.dir == NULL)
    return;
  store = load_store_for_paths (fixture->ssh_path, fixture->path);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 2);
  test_tmpfs_fill (&fixture->fs);

  /* Saving a host: an error that says so, the file as it was, the host not shown. */
  tether_host_set_hostname (host, "new.example.org");
  g_assert_false (store_add (store, host, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
  g_assert_nonnull (strstr (error->message, "hosts.conf"));
  g_assert_nonnull (strstr (error->message, "full"));
  g_clear_error (&error);
  assert_untouched (fixture->path, fixture->hosts_text, &fixture->hosts_stat);
  assert_no_temporary_files (fixture->path);
  g_assert_null (find_host (store, "new"));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 2);

  edited = tether_host_copy (find_host (store, "kept"));
  tether_host_set_port (edited, 2222);
  g_assert_false (store_update (store, edited, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
  g_clear_error (&error);
  g_assert_cmpuint (tether_host_get_port (find_host (store, "kept")), !=, 2222);

  /* "Use Saved Hosts with ssh": plain ssh keeps its whole config. */
  g_assert_false (store_add_include (store, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
  g_assert_nonnull (strstr (error->message, "config"));
  g_clear_error (&error);
  assert_untouched (fixture->ssh_path, fixture->ssh_text, &fixture->ssh_stat);
  assert_no_temporary_files (fixture->ssh_path);
  g_assert_true (tether_host_store_offer_include_line (store));

  /* With room again, the same edits work: nothing is "changed by another program". */
  test_tmpfs_unfill (&fixture->fs);
  g_assert_true (store_update (store, edited, &error));
  g_assert_no_error (error);
  g_assert_true (store_add (store, host, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (tether_host_get_port (find_host (store, "kept")), ==, 2222);
  g_assert_nonnull (find_host (store, "new"));
  after = read_file (fixture->path);
  g_assert_nonnull (strstr (after, "Host new\n"));
  g_assert_true (store_add_include (store, &error));
  g_assert_no_error (error);
}

static void
test_read_only_disk (DiskFixture   *fixture,
                     gconstpointer  data)
{
  g_autoptr(TetherHostStore) store = NULL;
  g_autoptr(TetherHost) host = tether_host_new ("new");
  g_autoptr(GError) error = NULL;

  if (fixture->fs.dir == NULL)
    return;
  store = load_store_for_paths (fixture->ssh_path, fixture->path);
  test_tmpfs_make_read_only (&fixture->fs);

  g_assert_false (store_add (store, host, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_READ_ONLY);
  g_assert_nonnull (strstr (error->message, "hosts.conf"));
  g_clear_error (&error);
  assert_untouched (fixture->path, fixture->hosts_text, &fixture->hosts_stat);
  g_assert_null (find_host (store, "new"));

  g_assert_false (store_remove (store, find_host (store, "kept"), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_READ_ONLY);
  g_clear_error (&error);
  g_assert_nonnull (find_host (store, "kept"));

  g_assert_false (store_add_include (store, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_READ_ONLY);
  assert_untouched (fixture->ssh_path, fixture->ssh_text, &fixture->ssh_stat);
}

/* ~/.ssh/config linked into a dotfiles repository stays a link. */
static void
test_include_through_symlink (void)
{
  g_autofree char *ssh_path = ssh_config_path ();
  g_autofree char *repo = g_build_filename (g_get_home_dir (), "dotfiles", NULL);
  g_autofree char *target = g_build_filename (repo, "ssh_config", NULL);
  g_autofree char *line = NULL;
  g_autofree char *after = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(TetherHostStore) store = NULL;
  g_autoptr(GError) error = NULL;
  const char *text = "Host theirs\n  HostName theirs.example.org\n";
  GStatBuf st;

  fresh_home ();
  write_file (target, text);
  write_file (ssh_path, "");
  g_assert_cmpint (g_unlink (ssh_path), ==, 0);
  g_assert_cmpint (symlink ("../dotfiles/ssh_config", ssh_path), ==, 0);
  store = load_store ();
  g_assert_nonnull (find_host (store, "theirs"));

  g_assert_true (store_add_include (store, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_lstat (ssh_path, &st), ==, 0);
  g_assert_true (S_ISLNK (st.st_mode));
  line = tether_host_store_dup_include_line (store);
  expected = g_strconcat (line, "\n", text, NULL);
  after = read_file (target);
  g_assert_cmpstr (after, ==, expected);
}

/* Changes asked for at once are made one after the other, each from what
 * the one before left; the model changes only on this thread. */
static void
test_serialised (void)
{
  g_autofree char *path = hosts_path ();
  g_autoptr(TetherHostStore) store = NULL;
  g_autoptr(GPtrArray) results = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(TetherHost) twin = tether_host_new ("h0");
  g_autoptr(GAsyncResult) twin_result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  GAsyncResult *slots[SERIAL_N_HOSTS] = { NULL, };
  const char *previous = NULL;

  fresh_home ();
  store = load_store ();
  for (guint i = 0; i < SERIAL_N_HOSTS; i++)
    {
      g_autofree char *alias = g_strdup_printf ("h%u", i);
      g_autoptr(TetherHost) host = tether_host_new (alias);

      tether_host_store_add_async (store, host, NULL, tether_test_store_result, &slots[i]);
      if (i == 0)
        tether_host_store_add_async (store, twin, NULL, tether_test_store_result, &twin_result);
    }
  /* Nothing is shown before it is written. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 0);
  tether_test_wait_until (tether_test_pointer_is_set, &slots[SERIAL_N_HOSTS - 1], WAIT_TIMEOUT_MS,
                          "the last host to be added");
  for (guint i = 0; i < SERIAL_N_HOSTS; i++)
    {
      g_assert_nonnull (slots[i]);
      g_assert_true (tether_host_store_add_finish (store, slots[i], &error));
      g_assert_no_error (error);
      g_ptr_array_add (results, slots[i]);
    }
  /* The second "h0" was checked after the first was saved. */
  g_assert_nonnull (twin_result);
  g_assert_false (tether_host_store_add_finish (store, twin_result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, SERIAL_N_HOSTS);
  text = read_file (path);
  for (guint i = 0; i < SERIAL_N_HOSTS; i++)
    {
      g_autoptr(TetherHost) item = g_list_model_get_item (G_LIST_MODEL (store), i);
      g_autofree char *alias = g_strdup_printf ("h%u", i);
      g_autofree char *block = g_strdup_printf ("Host %s\n", alias);
      const char *at = strstr (text, block);

      g_assert_cmpstr (tether_host_get_alias (item), ==, alias);
      g_assert_nonnull (at);
      g_assert_true (previous == NULL || at > previous);
      previous = at;
    }
}

/* ---- The keyword table --------------------------------------------------- */

/* Sets on HOST a value that is not the default for the property of a table row. */
static void
set_sample_value (TetherHost        *host,
                  const KeywordInfo *info)
{
  const char * const files[] = { "/keys/a", "/keys/with space/b", NULL };
  const char * const methods[] = { "publickey", "password", NULL };
  const char * const local[] = { "8080 localhost:80", "[::1]:8443 web:443", NULL };
  const char * const remote[] = { "9000 localhost:3000", NULL };
  const char * const dynamic[] = { "1080", NULL };

  switch (info->kind) {
  case VALUE_FLAG:
  case VALUE_AGENT:
    g_object_set (host, info->property, TRUE, NULL);
    break;
  case VALUE_PORT:
  case VALUE_TIME:
    g_object_set (host, info->property, 2222, NULL);
    break;
  case VALUE_LIST:
    g_object_set (host, info->property, methods, NULL);
    break;
  case VALUE_LINE:
    g_object_set (host, info->property, "nc -X 5 %h %p", NULL);
    break;
  case VALUE_JUMPS:
    g_object_set (host, info->property, "alice@jump.example:2200,jump2", NULL);
    break;
  case VALUE_FORWARD:
    g_object_set (host, info->property,
                  info->kw == KW_LOCAL_FORWARD ? local :
                  info->kw == KW_REMOTE_FORWARD ? remote : dynamic, NULL);
    break;
  case VALUE_WORD:
  case VALUE_FILES:
  case VALUE_NONE:
  case VALUE_CANONICAL:
  default:
    if (info->flags & KW_FLAG_REPEATS)
      g_object_set (host, info->property, files, NULL);
    else
      g_object_set (host, info->property, "value.example", NULL);
    break;
  }
}

/* Every row of the keyword table that names a property goes into hosts.conf and comes back:
 * a keyword added to the table is written, read and resolved without other code. */
static void
test_keyword_table_round_trip (void)
{
  g_autoptr(TetherHost) host = tether_host_new ("table");
  g_autoptr(TetherSshConfig) config = tether_ssh_config_new ();
  g_autoptr(GPtrArray) chunks = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TetherHost) resolved = NULL;
  g_autofree char *block = NULL;
  TetherHost *reread = NULL;
  guint modelled = 0;

  tether_host_set_id (host, "5b9f5a52-7c1e-4d55-9d0b-6c2f3a0b1e10");
  tether_host_set_source (host, TETHER_HOST_SOURCE_TETHER);
  for (guint k = 0; k < N_KEYWORDS; k++) {
    if (tether_ssh_keywords[k].property != NULL) {
      set_sample_value (host, &tether_ssh_keywords[k]);
      modelled++;
    }
  }
  for (guint m = 0; m < tether_ssh_n_meta_keys; m++) {
    const MetaInfo *meta = &tether_ssh_meta_keys[m];

    if (meta->flags & META_FLAG_BOOLEAN)
      g_object_set (host, meta->property, TRUE, NULL);
    else if (strcmp (meta->key, "id") != 0)
      g_object_set (host, meta->property, "Sample", NULL);
  }
  g_assert_cmpuint (modelled, >=, 16);

  block = _tether_hosts_new_block (host);
  g_test_message ("%s", block);
  for (guint k = 0; k < N_KEYWORDS; k++) {
    if (tether_ssh_keywords[k].property != NULL)
      g_assert_nonnull (strstr (block, tether_ssh_keywords[k].spelling));
  }
  g_assert_true (tether_ssh_config_parse_data (config, block, -1, "table.conf", &error));
  g_assert_no_error (error);
  chunks = _tether_hosts_chunks_new (block, config);
  for (guint i = 0; i < chunks->len && reread == NULL; i++)
    reread = ((TetherHostsChunk *) g_ptr_array_index (chunks, i))->host;
  g_assert_nonnull (reread);
  assert_hosts_equal (host, reread, NULL);

  /* The resolver reads the same rows (but expands files and spells forwards as ssh -G). */
  resolved = tether_ssh_config_resolve (config, "table", &error);
  g_assert_no_error (error);
  g_assert_true (tether_host_get_identities_only (resolved));
  g_assert_true (tether_host_get_forward_agent (resolved));
  g_assert_cmpuint (tether_host_get_server_alive_interval (resolved), ==, 2222);
  g_assert_cmpstr (tether_host_get_proxy_jump (resolved), ==, "alice@jump.example:2200,jump2");
  g_assert_cmpstr (tether_host_get_preferred_authentications (resolved)[1], ==, "password");
  g_assert_cmpstr (tether_host_get_dynamic_forwards (resolved)[0], ==, "1080");
  g_assert_cmpstr (tether_host_get_label (resolved), ==, "Sample");
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *home = NULL;
  int status;

  home = test_host_store_init (&argc, &argv);
  g_test_add_func ("/tether/host-store/include-through-symlink", test_include_through_symlink);
  g_test_add_func ("/tether/host-store/serialised", test_serialised);
  g_test_add_func ("/tether/host-store/keyword-table", test_keyword_table_round_trip);
  g_test_add ("/tether/host-store/disk-full", DiskFixture, NULL, disk_fixture_set_up,
              test_disk_full, disk_fixture_tear_down);
  g_test_add ("/tether/host-store/read-only-disk", DiskFixture, NULL, disk_fixture_set_up,
              test_read_only_disk, disk_fixture_tear_down);

  status = g_test_run ();
  remove_tree (home);
  return status;
}
