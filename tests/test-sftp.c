/* test-sftp.c: TetherSftpClient against real servers: OpenSSH's internal-sftp, Dropbear
 * with OpenSSH's sftp-server, AsyncSSH's SFTP server. The servers run on this machine, so
 * each test checks what it did on the server through the local file system. */
#define _GNU_SOURCE  /* unshare () for test-tmpfs.h */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "tether.h"
#include "tether-sftp-client-private.h"
#include "tether-test-host.h"
#include "tether-test-server.h"
#include "tether-test-wait.h"
#include "test-tmpfs.h"

/* Generous: two cores are shared by parallel tests and sanitizer builds. */
#define WAIT_TIMEOUT_MS (60 * 1000)
#define BULK_TIMEOUT_MS (600 * 1000)
/* The byte-exact bulk test, in MiB; TETHER_TEST_SFTP_BULK_MB overrides it. */
#define BULK_MB 100
#define SMALL_SIZE (3 * 1024 * 1024 + 12345)
#define RESUME_SIZE (64 * 1024 * 1024)
#define CANCEL_AFTER (4 * 1024 * 1024)
#define N_TREE_FILES 20
#define STOP_POLL_MS 1
#define RANDOM_SEED 4253

typedef struct
{
  TetherTestServerKind kind;
  TetherTestServer *server;
  TetherConnection *connection;
  TetherSftpClient *client;
  char *dir;                  /* a folder the server's user owns, same path both sides */
} Fixture;

#define STORE tether_test_store_result, &slot_
#define WAIT_FOR(result, what, call) \
  do { \
    GAsyncResult *slot_ = NULL; \
    call; \
    result = tether_test_wait_result (&slot_, WAIT_TIMEOUT_MS, what); \
  } while (0)

static void
chown_to_test_user (const char *path)
{
  struct passwd *pw = getpwnam (TETHER_TEST_SERVER_USER);

  g_assert_nonnull (pw);
  g_assert_cmpint (lchown (path, pw->pw_uid, pw->pw_gid), ==, 0);
}

static TetherSftpClient *
client_new (TetherConnection *connection)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  TetherSftpClient *client;

  WAIT_FOR (result, "the sftp client", tether_sftp_client_new_async (connection, NULL, STORE));
  client = tether_sftp_client_new_finish (result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (tether_sftp_client_get_server_version (client), ==, 3);
  return client;
}

static TetherConnection *
connect_server (TetherTestServer *server)
{
  g_autoptr(TetherHost) host = tether_test_server_new_host (server);
  g_autoptr(TetherConnection) connection = tether_connection_new (host);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  WAIT_FOR (result, "the connection", tether_connection_connect_async (connection, NULL, STORE));
  tether_connection_connect_finish (connection, result, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&connection);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->kind = GPOINTER_TO_INT (data);
  f->server = tether_test_server_new_or_skip (f->kind, NULL);
  if (f->server == NULL)
    return;
  f->connection = connect_server (f->server);
  f->client = client_new (f->connection);
  f->dir = g_dir_make_tmp ("tether-sftp-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
  g_assert_cmpint (g_chmod (f->dir, 0755), ==, 0);
  chown_to_test_user (f->dir);
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

    g_chmod (child, 0700);
    if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
      remove_tree (child);
    else
      g_unlink (child);
  }
  g_rmdir (path);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  if (f->client != NULL)
    tether_sftp_client_close (f->client);
  g_clear_object (&f->client);
  if (f->connection != NULL)
    tether_connection_close (f->connection);
  g_clear_object (&f->connection);
  tether_test_drain_main_context ();
  if (f->dir != NULL)
    remove_tree (f->dir);
  g_clear_pointer (&f->dir, g_free);
  g_clear_pointer (&f->server, tether_test_server_free);
}

/* ------------------------------------------------------------------------- */
/* Synchronous wrappers                                                      */

static gboolean
finish_op (TetherSftpClient  *client,
           GAsyncResult      *result,
           GError           **error)
{
  return tether_sftp_client_op_finish (client, result, error);
}

static GFileInfo *
do_stat (Fixture     *f,
         const char  *path,
         gboolean     follow,
         GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  WAIT_FOR (result, "stat", tether_sftp_client_stat_async (f->client, path, follow, NULL, STORE));
  return tether_sftp_client_stat_finish (f->client, result, error);
}

static GListModel *
do_list (Fixture     *f,
         const char  *path,
         GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  WAIT_FOR (result, "list", tether_sftp_client_list_async (f->client, path, NULL, STORE));
  return tether_sftp_client_list_finish (f->client, result, error);
}

static gboolean
do_mkdir (Fixture     *f,
          const char  *path,
          GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  WAIT_FOR (result, "mkdir", tether_sftp_client_mkdir_async (f->client, path, 0755, NULL, STORE));
  return finish_op (f->client, result, error);
}

static gboolean
do_remove (Fixture     *f,
           const char  *path,
           GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  WAIT_FOR (result, "remove", tether_sftp_client_remove_async (f->client, path, NULL, STORE));
  return finish_op (f->client, result, error);
}

static gboolean
do_rmdir (Fixture     *f,
          const char  *path,
          GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  WAIT_FOR (result, "rmdir", tether_sftp_client_rmdir_async (f->client, path, NULL, STORE));
  return finish_op (f->client, result, error);
}

static gboolean
do_rename (Fixture     *f,
           const char  *from,
           const char  *to,
           gboolean     overwrite,
           GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  WAIT_FOR (result, "rename",
            tether_sftp_client_rename_async (f->client, from, to, overwrite, NULL, STORE));
  return finish_op (f->client, result, error);
}

static gboolean
do_chmod (Fixture     *f,
          const char  *path,
          guint        mode,
          GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  WAIT_FOR (result, "chmod", tether_sftp_client_chmod_async (f->client, path, mode, NULL, STORE));
  return finish_op (f->client, result, error);
}

static gboolean
do_symlink (Fixture     *f,
            const char  *target,
            const char  *link,
            GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  WAIT_FOR (result, "symlink",
            tether_sftp_client_symlink_async (f->client, target, link, NULL, STORE));
  return finish_op (f->client, result, error);
}

static char *
do_readlink (Fixture     *f,
             const char  *path,
             GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  WAIT_FOR (result, "readlink", tether_sftp_client_readlink_async (f->client, path, NULL, STORE));
  return tether_sftp_client_path_finish (f->client, result, error);
}

static char *
do_realpath (Fixture     *f,
             const char  *path,
             GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  WAIT_FOR (result, "realpath", tether_sftp_client_realpath_async (f->client, path, NULL, STORE));
  return tether_sftp_client_path_finish (f->client, result, error);
}

static gboolean
do_transfer (TetherSftpClient  *client,
             gboolean           upload,
             const char        *remote,
             const char        *local,
             TetherTransfer    *transfer,
             GCancellable      *cancellable,
             guint              timeout_ms,
             GError           **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (local);
  g_autoptr(GAsyncResult) result = NULL;
  GAsyncResult *slot = NULL;

  if (upload)
    tether_sftp_client_upload_async (client, file, remote, transfer, cancellable,
                                     tether_test_store_result, &slot);
  else
    tether_sftp_client_download_async (client, remote, file, transfer, cancellable,
                                       tether_test_store_result, &slot);
  result = tether_test_wait_result (&slot, timeout_ms, upload ? "upload" : "download");
  if (upload)
    return tether_sftp_client_upload_finish (client, result, error);
  return tether_sftp_client_download_finish (client, result, error);
}

static void
write_file (const char *path,
            const char *contents,
            gssize      len)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, len, &error);
  g_assert_no_error (error);
  chown_to_test_user (path);
}

/* Writes @size pseudo-random bytes (from @seed) to @path. */
static void
write_random (const char *path,
              guint64     size,
              guint32     seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autofree guint32 *buf = g_new (guint32, 65536 / 4);
  int fd = g_open (path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

  g_assert_cmpint (fd, >=, 0);
  while (size > 0) {
    gsize n = MIN (size, 65536);

    for (guint i = 0; i < 65536 / 4; i++)
      buf[i] = g_rand_int (rand);
    g_assert_cmpint (write (fd, buf, n), ==, (gssize) n);
    size -= n;
  }
  g_assert_cmpint (close (fd), ==, 0);
  chown_to_test_user (path);
}

static char *
file_sha256 (const char *path)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree guint8 *buf = g_malloc (1024 * 1024);
  int fd = g_open (path, O_RDONLY, 0);
  gssize n;

  g_assert_cmpint (fd, >=, 0);
  while ((n = read (fd, buf, 1024 * 1024)) > 0)
    g_checksum_update (sum, buf, n);
  g_assert_cmpint (n, ==, 0);
  close (fd);
  return g_strdup (g_checksum_get_string (sum));
}

static guint64
file_size (const char *path)
{
  GStatBuf st;

  if (g_stat (path, &st) != 0)
    return 0;
  return st.st_size;
}

static GFileInfo *
find_entry (GListModel *list,
            const char *name)
{
  for (guint i = 0; i < g_list_model_get_n_items (list); i++) {
    g_autoptr(GFileInfo) info = g_list_model_get_item (list, i);

    if (g_strcmp0 (g_file_info_get_name (info), name) == 0)
      return g_steal_pointer (&info);
  }
  return NULL;
}

/* ------------------------------------------------------------------------- */
/* Operations                                                                */

static void
test_ops (Fixture       *f,
          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *file = NULL;
  g_autofree char *sub = NULL;
  g_autofree char *link = NULL;
  g_autofree char *renamed = NULL;
  g_autofree char *home = NULL;
  g_autofree char *real = NULL;
  g_autofree char *target = NULL;
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GFileInfo) entry = NULL;
  g_autoptr(GListModel) list = NULL;
  GStatBuf st;

  if (f->server == NULL)
    return;

  file = g_build_filename (f->dir, "hello.txt", NULL);
  sub = g_build_filename (f->dir, "sub", NULL);
  link = g_build_filename (f->dir, "link", NULL);
  renamed = g_build_filename (f->dir, "renamed.txt", NULL);
  write_file (file, "hello world\n", -1);

  /* realpath */
  home = do_realpath (f, ".", &error);
  g_assert_no_error (error);
  g_assert_true (g_path_is_absolute (home));
  real = do_realpath (f, f->dir, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (real, ==, f->dir);

  /* stat */
  info = do_stat (f, file, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_file_info_get_name (info), ==, "hello.txt");
  g_assert_cmpint (g_file_info_get_file_type (info), ==, G_FILE_TYPE_REGULAR);
  g_assert_cmpint (g_file_info_get_size (info), ==, 12);
  g_assert_cmpuint (g_file_info_get_attribute_uint32 (info, G_FILE_ATTRIBUTE_UNIX_MODE) & 0777,
                    ==, 0644);
  g_assert_cmpuint (g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_TIME_MODIFIED), >, 0);
  g_clear_object (&info);

  /* mkdir, chmod */
  g_assert_true (do_mkdir (f, sub, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (sub, G_FILE_TEST_IS_DIR));
  g_assert_true (do_chmod (f, file, 0600, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (file, &st), ==, 0);
  g_assert_cmpuint (st.st_mode & 0777, ==, 0600);

  /* symlink (argument order per server), readlink, lstat */
  g_assert_true (do_symlink (f, "hello.txt", link, &error));
  g_assert_no_error (error);
  target = g_file_read_link (link, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (target, ==, "hello.txt");
  g_clear_pointer (&target, g_free);
  target = do_readlink (f, link, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (target, ==, "hello.txt");
  info = do_stat (f, link, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_file_info_get_file_type (info), ==, G_FILE_TYPE_SYMBOLIC_LINK);
  g_assert_cmpstr (g_file_info_get_symlink_target (info), ==, "hello.txt");
  g_clear_object (&info);
  info = do_stat (f, link, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_file_info_get_file_type (info), ==, G_FILE_TYPE_REGULAR);
  g_clear_object (&info);

  /* list */
  list = do_list (f, f->dir, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 3);
  entry = find_entry (list, "sub");
  g_assert_nonnull (entry);
  g_assert_cmpint (g_file_info_get_file_type (entry), ==, G_FILE_TYPE_DIRECTORY);
  g_clear_object (&entry);
  entry = find_entry (list, "link");
  g_assert_nonnull (entry);
  g_assert_cmpint (g_file_info_get_file_type (entry), ==, G_FILE_TYPE_SYMBOLIC_LINK);
  g_assert_cmpstr (g_file_info_get_symlink_target (entry), ==, "hello.txt");
  g_clear_object (&entry);
  entry = find_entry (list, "hello.txt");
  g_assert_nonnull (entry);
  g_assert_cmpint (g_file_info_get_size (entry), ==, 12);
  g_clear_object (&entry);

  /* rename: plain, refused over an existing file without overwrite, then with it */
  g_assert_true (do_rename (f, file, renamed, FALSE, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (file, G_FILE_TEST_EXISTS));
  write_file (file, "second\n", -1);
  g_assert_false (do_rename (f, file, renamed, FALSE, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_true (do_rename (f, file, renamed, TRUE, &error));
  g_assert_no_error (error);
  {
    g_autofree char *contents = NULL;

    g_assert_true (g_file_get_contents (renamed, &contents, NULL, NULL));
    g_assert_cmpstr (contents, ==, "second\n");
  }
  g_assert_false (g_file_test (file, G_FILE_TEST_EXISTS));
  /* No aside file was left behind */
  g_clear_object (&list);
  list = do_list (f, f->dir, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 3);

  /* Without posix-rename: overwrite sets the target aside, renames, drops the aside */
  _tether_sftp_client_forget_extension (f->client, "posix-rename@openssh.com");
  write_file (file, "third\n", -1);
  g_assert_true (do_rename (f, file, renamed, TRUE, &error));
  g_assert_no_error (error);
  {
    g_autofree char *contents = NULL;

    g_assert_true (g_file_get_contents (renamed, &contents, NULL, NULL));
    g_assert_cmpstr (contents, ==, "third\n");
  }
  /* A failed overwriting rename leaves the target as it was */
  g_assert_false (do_rename (f, file, renamed, TRUE, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);
  {
    g_autofree char *contents = NULL;

    g_assert_true (g_file_get_contents (renamed, &contents, NULL, NULL));
    g_assert_cmpstr (contents, ==, "third\n");
  }
  g_clear_object (&list);
  list = do_list (f, f->dir, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 3);

  /* remove, rmdir */
  g_assert_true (do_remove (f, link, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (renamed, G_FILE_TEST_EXISTS));
  g_assert_true (do_remove (f, renamed, &error));
  g_assert_no_error (error);
  g_assert_true (do_rmdir (f, sub, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (sub, G_FILE_TEST_EXISTS));
  g_clear_object (&list);
  list = do_list (f, f->dir, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 0);

  /* statvfs, where offered */
  if (tether_sftp_client_has_extension (f->client, "statvfs@openssh.com")) {
    g_autoptr(GAsyncResult) result = NULL;

    WAIT_FOR (result, "statvfs",
              tether_sftp_client_statvfs_async (f->client, f->dir, NULL, STORE));
    info = tether_sftp_client_statvfs_finish (f->client, result, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_FILESYSTEM_SIZE),
                      >, 0);
    g_clear_object (&info);
  } else {
    g_test_message ("%s offers no statvfs@openssh.com", data == NULL ? "server" : "this server");
  }
}

static void
test_errors (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *missing = NULL;
  g_autofree char *locked = NULL;
  g_autofree char *inside = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *child = NULL;
  GFileInfo *info;
  GListModel *list;

  if (f->server == NULL)
    return;

  missing = g_build_filename (f->dir, "missing", NULL);
  info = do_stat (f, missing, TRUE, &error);
  g_assert_null (info);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, !=, "");
  g_clear_error (&error);
  list = do_list (f, missing, &error);
  g_assert_null (list);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (do_remove (f, missing, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (do_rmdir (f, missing, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_false (do_rename (f, missing, f->dir, FALSE, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_null (do_readlink (f, missing, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  /* rmdir of a folder that is not empty */
  dir = g_build_filename (f->dir, "full", NULL);
  child = g_build_filename (dir, "x", NULL);
  g_assert_true (do_mkdir (f, dir, &error));
  write_file (child, "x", 1);
  g_assert_false (do_rmdir (f, dir, &error));
  g_assert_nonnull (error);
  g_assert_true (error->domain == G_IO_ERROR);
  g_clear_error (&error);

  /* Permission denied: a root-owned folder the server's user cannot write. AsyncSSH's SFTP
   * server runs as root, so there is nothing it is denied. */
  if (f->kind == TETHER_TEST_SERVER_ASYNCSSH) {
    g_test_message ("AsyncSSH's SFTP server runs as root: no permission test");
    return;
  }
  locked = g_build_filename (f->dir, "locked", NULL);
  g_assert_cmpint (g_mkdir (locked, 0755), ==, 0);
  g_assert_cmpint (lchown (locked, 0, 0), ==, 0);
  inside = g_build_filename (locked, "new", NULL);
  g_assert_false (do_mkdir (f, inside, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_false (do_chmod (f, locked, 0777, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
}

static void
test_remove_recursive (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(TetherTransfer) progress = tether_transfer_new ();
  g_autofree char *top = NULL;
  g_autofree char *deep = NULL;
  g_autofree char *link = NULL;
  g_autofree char *outside = NULL;

  if (f->server == NULL)
    return;

  top = g_build_filename (f->dir, "top", NULL);
  deep = g_build_filename (top, "a", "b", NULL);
  outside = g_build_filename (f->dir, "outside", NULL);
  g_assert_cmpint (g_mkdir_with_parents (deep, 0755), ==, 0);
  write_file (outside, "keep", -1);
  for (guint i = 0; i < N_TREE_FILES; i++) {
    g_autofree char *name = g_strdup_printf ("f%u", i);
    g_autofree char *path = g_build_filename (i % 2 ? deep : top, name, NULL);

    write_file (path, name, -1);
  }
  /* A link to a folder outside: removed, not followed. */
  link = g_build_filename (top, "a", "out", NULL);
  g_assert_cmpint (symlink (f->dir, link), ==, 0);
  {
    g_autofree char *cmd = g_strdup_printf ("chown -R " TETHER_TEST_SERVER_USER " %s", top);

    g_assert_cmpint (system (cmd), ==, 0);
  }

  WAIT_FOR (result, "remove recursive",
            tether_sftp_client_remove_recursive_async (f->client, top, progress, NULL, STORE));
  g_assert_true (finish_op (f->client, result, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (top, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (outside, G_FILE_TEST_EXISTS));
  tether_test_drain_main_context ();
  g_assert_cmpint (tether_transfer_get_state (progress), ==, TETHER_TRANSFER_STATE_DONE);
  /* top, a, a/b, a/out and the files */
  g_assert_cmpuint (tether_transfer_get_bytes_done (progress), ==, N_TREE_FILES + 4);
}

/* Names that are not UTF-8 are shown escaped and round-trip through the raw name. */
static void
test_non_utf8 (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) list = NULL;
  g_autoptr(GFileInfo) entry = NULL;
  g_autoptr(GFileInfo) info = NULL;
  g_autofree char *path = g_build_filename (f->dir ? f->dir : "", "caf\xe9.txt", NULL);
  g_autofree char *raw_path = NULL;
  g_autofree char *local = NULL;
  g_autofree char *contents = NULL;
  const char *raw;

  if (f->server == NULL)
    return;

  write_file (path, "latin-1", -1);
  list = do_list (f, f->dir, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 1);
  entry = g_list_model_get_item (list, 0);
  g_assert_cmpstr (g_file_info_get_display_name (entry), ==, "caf\\xE9.txt");
  g_assert_true (g_utf8_validate (g_file_info_get_display_name (entry), -1, NULL));
  raw = g_file_info_get_attribute_byte_string (entry, TETHER_SFTP_ATTRIBUTE_RAW_NAME);
  g_assert_cmpstr (raw, ==, "caf\xe9.txt");

  raw_path = g_build_filename (f->dir, raw, NULL);
  info = do_stat (f, raw_path, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_file_info_get_size (info), ==, 7);
  local = g_build_filename (f->dir, "copy", NULL);
  g_assert_true (do_transfer (f->client, FALSE, raw_path, local, NULL, NULL, WAIT_TIMEOUT_MS,
                              &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (local, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "latin-1");
}

/* A reply the client cannot parse fails what is pending and closes the client. */
static void
test_malformed_reply (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TetherSessionChannel) channel = NULL;
  g_autoptr(TetherSftpClient) client = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GFileInfo) info = NULL;

  if (f->server == NULL)
    return;

  WAIT_FOR (result, "a session", tether_connection_open_session_async (f->connection, NULL,
                                                                       STORE));
  channel = tether_connection_open_session_finish (f->connection, result, &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  /* A valid VERSION, then a message of an unknown type; then it waits for its stdin. */
  WAIT_FOR (result, "exec",
            tether_session_channel_request_exec_async (
              channel, "printf '\\000\\000\\000\\005\\002\\000\\000\\000\\003"
                       "\\000\\000\\000\\005\\143\\000\\000\\000\\001'; cat >/dev/null",
              NULL, STORE));
  g_assert_true (tether_session_channel_request_exec_finish (channel, result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  WAIT_FOR (result, "the client", _tether_sftp_client_new_for_channel_async (
              f->connection, G_IO_STREAM (channel), NULL, STORE));
  client = tether_sftp_client_new_finish (result, &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  WAIT_FOR (result, "stat", tether_sftp_client_stat_async (client, "/", TRUE, NULL, STORE));
  info = tether_sftp_client_stat_finish (client, result, &error);
  g_assert_null (info);
  g_assert_error (error, TETHER_ERROR, TETHER_ERROR_PROTOCOL);
  g_assert_true (tether_sftp_client_is_closed (client));
  tether_test_wait_until ((TetherTestCondition) g_io_stream_is_closed, channel, WAIT_TIMEOUT_MS,
                          "the channel to close");
}

/* ------------------------------------------------------------------------- */
/* Transfers                                                                 */

static void
check_round_trip (Fixture *f,
                  guint64  size,
                  guint    timeout_ms)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TetherTransfer) transfer = tether_transfer_new ();
  g_autofree char *source = g_build_filename (f->dir, "source.bin", NULL);
  g_autofree char *down = g_build_filename (f->dir, "down.bin", NULL);
  g_autofree char *up = g_build_filename (f->dir, "up.bin", NULL);
  g_autofree char *sum = NULL;
  g_autofree char *down_sum = NULL;
  g_autofree char *up_sum = NULL;
  g_autofree char *part = NULL;
  gint64 start;
  gboolean ok;

  write_random (source, size, RANDOM_SEED);
  sum = file_sha256 (source);

  start = g_get_monotonic_time ();
  ok = do_transfer (f->client, FALSE, source, down, transfer, NULL, timeout_ms, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_test_message ("download of %" G_GUINT64_FORMAT " bytes: %.1f MB/s", size,
                  size / (double) MAX (1, g_get_monotonic_time () - start));
  down_sum = file_sha256 (down);
  g_assert_cmpstr (down_sum, ==, sum);
  part = g_strconcat (down, ".part", NULL);
  g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));
  tether_test_drain_main_context ();
  g_assert_cmpint (tether_transfer_get_state (transfer), ==, TETHER_TRANSFER_STATE_DONE);
  g_assert_cmpuint (tether_transfer_get_bytes_done (transfer), ==, size);
  g_assert_cmpuint (tether_transfer_get_bytes_total (transfer), ==, size);

  g_clear_object (&transfer);
  transfer = tether_transfer_new ();
  /* An existing target is replaced */
  write_file (up, "old", -1);
  start = g_get_monotonic_time ();
  ok = do_transfer (f->client, TRUE, up, down, transfer, NULL, timeout_ms, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_test_message ("upload of %" G_GUINT64_FORMAT " bytes: %.1f MB/s", size,
                  size / (double) MAX (1, g_get_monotonic_time () - start));
  up_sum = file_sha256 (up);
  g_assert_cmpstr (up_sum, ==, sum);
  g_clear_pointer (&part, g_free);
  part = g_strconcat (up, ".part", NULL);
  g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));
  tether_test_drain_main_context ();
  g_assert_cmpint (tether_transfer_get_state (transfer), ==, TETHER_TRANSFER_STATE_DONE);
  g_assert_cmpuint (tether_transfer_get_bytes_done (transfer), ==, size);
}

static void
test_transfer_small (Fixture       *f,
                     gconstpointer  data)
{
  if (f->server == NULL)
    return;
  check_round_trip (f, 0, WAIT_TIMEOUT_MS);
  check_round_trip (f, 1, WAIT_TIMEOUT_MS);
  check_round_trip (f, SMALL_SIZE, WAIT_TIMEOUT_MS);
}

/* Browsing stays responsive during a download: it has a channel and thread of its own. */
static void
check_browse_during_download (Fixture    *f,
                              const char *source)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) local = NULL;
  g_autofree char *down = g_build_filename (f->dir, "during.bin", NULL);
  g_autoptr(GAsyncResult) transfer_result = NULL;
  g_autoptr(GAsyncResult) list_result = NULL;
  g_autoptr(GListModel) list = NULL;
  g_autoptr(TetherTransfer) transfer = tether_transfer_new ();
  GAsyncResult *transfer_slot = NULL;
  GAsyncResult *list_slot = NULL;

  local = g_file_new_for_path (down);
  tether_sftp_client_download_async (f->client, source, local, transfer, NULL,
                                     tether_test_store_result, &transfer_slot);
  /* Once bytes flow, list the folder: the listing comes back before the download ends. */
  while (tether_transfer_get_bytes_done (transfer) == 0 && transfer_slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  tether_sftp_client_list_async (f->client, f->dir, NULL, tether_test_store_result, &list_slot);
  list_result = tether_test_wait_result (&list_slot, WAIT_TIMEOUT_MS, "the listing");
  g_assert_null (transfer_slot);
  list = tether_sftp_client_list_finish (f->client, list_result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (list);
  transfer_result = tether_test_wait_result (&transfer_slot, BULK_TIMEOUT_MS, "the download");
  g_assert_true (tether_sftp_client_download_finish (f->client, transfer_result, &error));
  g_assert_no_error (error);
  g_unlink (down);
}

static void
test_transfer_bulk (Fixture       *f,
                    gconstpointer  data)
{
  const char *env = g_getenv ("TETHER_TEST_SFTP_BULK_MB");
  guint64 mb = env != NULL ? g_ascii_strtoull (env, NULL, 10) : BULK_MB;

  if (f->server == NULL)
    return;
  check_round_trip (f, mb * 1024 * 1024, BULK_TIMEOUT_MS);
  if (mb >= BULK_MB) {
    g_autofree char *source = g_build_filename (f->dir, "source.bin", NULL);

    check_browse_during_download (f, source);
  }
}

static void
test_streams (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GInputStream) input = NULL;
  g_autoptr(GOutputStream) output = NULL;
  g_autoptr(GFile) source_file = NULL;
  g_autoptr(GFileInputStream) local_input = NULL;
  g_autoptr(GOutputStream) memory = g_memory_output_stream_new_resizable ();
  g_autofree char *source = NULL;
  g_autofree char *created = NULL;
  g_autofree char *sum = NULL;
  g_autofree char *got = NULL;
  g_autofree char *memory_sum = NULL;
  gssize n;

  if (f->server == NULL)
    return;

  source = g_build_filename (f->dir, "source.bin", NULL);
  created = g_build_filename (f->dir, "created.bin", NULL);
  write_random (source, SMALL_SIZE, RANDOM_SEED);
  sum = file_sha256 (source);

  /* Remote file -> memory, by splice */
  WAIT_FOR (result, "open", tether_sftp_client_open_read_async (f->client, source, NULL, STORE));
  input = tether_sftp_client_open_read_finish (f->client, result, &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  WAIT_FOR (result, "splice from the server",
            g_output_stream_splice_async (memory, input, G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE |
                                          G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET,
                                          G_PRIORITY_DEFAULT, NULL, STORE));
  n = g_output_stream_splice_finish (memory, result, &error);
  g_assert_no_error (error);
  g_assert_cmpint (n, ==, SMALL_SIZE);
  memory_sum = g_compute_checksum_for_data (
    G_CHECKSUM_SHA256, g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (memory)),
    g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (memory)));
  g_assert_cmpstr (memory_sum, ==, sum);
  g_clear_object (&result);

  /* Local file -> new remote file, by splice */
  WAIT_FOR (result, "create", tether_sftp_client_create_async (f->client, created, 0600, FALSE,
                                                               NULL, STORE));
  output = tether_sftp_client_create_finish (f->client, result, &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  source_file = g_file_new_for_path (source);
  local_input = g_file_read (source_file, NULL, &error);
  g_assert_no_error (error);
  WAIT_FOR (result, "splice to the server",
            g_output_stream_splice_async (output, G_INPUT_STREAM (local_input),
                                          G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE |
                                          G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET,
                                          G_PRIORITY_DEFAULT, NULL, STORE));
  n = g_output_stream_splice_finish (output, result, &error);
  g_assert_no_error (error);
  g_assert_cmpint (n, ==, SMALL_SIZE);
  got = file_sha256 (created);
  g_assert_cmpstr (got, ==, sum);
  g_clear_object (&result);

  /* Without replace, an existing file is refused */
  WAIT_FOR (result, "create", tether_sftp_client_create_async (f->client, created, 0600, FALSE,
                                                               NULL, STORE));
  g_assert_null (tether_sftp_client_create_finish (f->client, result, &error));
  g_assert_nonnull (error);
}

typedef struct
{
  TetherTransfer *transfer;
  GCancellable *cancellable;
  TetherTestServer *server;
  guint64 after;
  gboolean fired;
} StopAt;

/* Polls the live counter (notify comes only 4 times a second, while a loopback transfer
 * can finish in less) and stops the transfer once it passed stop->after. */
static gboolean
stop_at_cb (gpointer data)
{
  StopAt *stop = data;

  if (stop->fired || tether_transfer_get_bytes_done (stop->transfer) < stop->after)
    return G_SOURCE_CONTINUE;
  stop->fired = TRUE;
  if (stop->cancellable != NULL)
    g_cancellable_cancel (stop->cancellable);
  if (stop->server != NULL && tether_test_server_is_running (stop->server))
    tether_test_server_stop (stop->server);
  return G_SOURCE_CONTINUE;
}

static guint
stop_at (StopAt *stop)
{
  return g_timeout_add (STOP_POLL_MS, stop_at_cb, stop);
}

/* Whether files in @dir can carry user.* extended attributes. */
static gboolean
has_user_xattrs (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "xattr-probe", NULL);
  gboolean ok;

  write_file (path, "x", 1);
  ok = setxattr (path, "user.tether.probe", "1", 1, 0) == 0;
  g_assert_cmpint (g_unlink (path), ==, 0);
  return ok;
}

static void
test_resume_cancel (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TetherTransfer) transfer = tether_transfer_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *source = NULL;
  g_autofree char *down = NULL;
  g_autofree char *part = NULL;
  g_autofree char *up = NULL;
  g_autofree char *up_part = NULL;
  g_autofree char *sum = NULL;
  g_autofree char *got = NULL;
  g_autofree char *old = NULL;
  StopAt stop = { 0 };
  guint poll;
  guint64 kept;
  guint64 received;

  if (f->server == NULL)
    return;

  source = g_build_filename (f->dir, "source.bin", NULL);
  down = g_build_filename (f->dir, "down.bin", NULL);
  part = g_strconcat (down, ".part", NULL);
  write_random (source, RESUME_SIZE, RANDOM_SEED);
  sum = file_sha256 (source);

  /* Download, cancelled part way */
  stop.cancellable = cancellable;
  stop.after = CANCEL_AFTER;
  stop.transfer = transfer;
  poll = stop_at (&stop);
  g_assert_false (do_transfer (f->client, FALSE, source, down, transfer, cancellable,
                               WAIT_TIMEOUT_MS, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_source_remove (poll);
  tether_test_drain_main_context ();
  g_assert_cmpint (tether_transfer_get_state (transfer), ==, TETHER_TRANSFER_STATE_CANCELLED);
  g_assert_false (g_file_test (down, G_FILE_TEST_EXISTS));
  kept = file_size (part);
  g_test_message ("cancelled download kept %" G_GUINT64_FORMAT " bytes", kept);
  g_assert_cmpuint (kept, >=, CANCEL_AFTER);
  g_assert_cmpuint (kept, <, RESUME_SIZE);

  /* Resumed: the transfer starts from what was kept. A clean stop marked the .part whole
   * (when the file system has user xattrs), so none of it comes again: without the mark it
   * would back off 16 MiB, here to the start. */
  g_clear_object (&transfer);
  transfer = tether_transfer_new ();
  received = tether_connection_get_bytes_received (f->connection);
  g_assert_true (do_transfer (f->client, FALSE, source, down, transfer, NULL, WAIT_TIMEOUT_MS,
                              &error));
  g_assert_no_error (error);
  received = tether_connection_get_bytes_received (f->connection) - received;
  g_test_message ("the resume received %" G_GUINT64_FORMAT " bytes", received);
  if (has_user_xattrs (f->dir))
    g_assert_cmpuint (received, <, RESUME_SIZE - kept / 2);
  else
    g_test_message ("no user xattrs in %s: the resume backed off", f->dir);
  got = file_sha256 (down);
  g_assert_cmpstr (got, ==, sum);
  g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));

  /* Upload over an existing file, cancelled: the old file stays */
  up = g_build_filename (f->dir, "up.bin", NULL);
  up_part = g_strconcat (up, ".part", NULL);
  write_file (up, "old contents", -1);
  g_clear_object (&transfer);
  g_clear_object (&cancellable);
  transfer = tether_transfer_new ();
  cancellable = g_cancellable_new ();
  stop.cancellable = cancellable;
  stop.transfer = transfer;
  stop.fired = FALSE;
  poll = stop_at (&stop);
  g_assert_false (do_transfer (f->client, TRUE, up, source, transfer, cancellable,
                               WAIT_TIMEOUT_MS, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_source_remove (poll);
  g_assert_true (g_file_get_contents (up, &old, NULL, NULL));
  g_assert_cmpstr (old, ==, "old contents");
  kept = file_size (up_part);
  g_test_message ("cancelled upload kept %" G_GUINT64_FORMAT " bytes", kept);
  g_assert_cmpuint (kept, >=, CANCEL_AFTER);
  g_assert_cmpuint (kept, <, RESUME_SIZE);

  g_clear_object (&transfer);
  transfer = tether_transfer_new ();
  g_assert_true (do_transfer (f->client, TRUE, up, source, transfer, NULL, WAIT_TIMEOUT_MS,
                              &error));
  g_assert_no_error (error);
  g_clear_pointer (&got, g_free);
  got = file_sha256 (up);
  g_assert_cmpstr (got, ==, sum);
  g_assert_false (g_file_test (up_part, G_FILE_TEST_EXISTS));
}

/* Starts the stopped server again and gives the fixture a new connection and client. */
static void
restart_and_reconnect (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (tether_test_server_start (f->server, &error));
  g_assert_no_error (error);
  tether_sftp_client_close (f->client);
  g_clear_object (&f->client);
  g_clear_object (&f->connection);
  f->connection = connect_server (f->server);
  f->client = client_new (f->connection);
}

/* The server dies mid-download: the .part stays, the target is untouched, and a new
 * connection resumes and completes the file. */
static void
test_server_killed (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TetherTransfer) transfer = tether_transfer_new ();
  g_autofree char *source = NULL;
  g_autofree char *down = NULL;
  g_autofree char *part = NULL;
  g_autofree char *sum = NULL;
  g_autofree char *got = NULL;
  g_autofree char *old = NULL;
  StopAt stop = { 0 };
  guint poll;
  guint64 kept;

  if (f->server == NULL)
    return;

  source = g_build_filename (f->dir, "source.bin", NULL);
  down = g_build_filename (f->dir, "down.bin", NULL);
  part = g_strconcat (down, ".part", NULL);
  write_random (source, RESUME_SIZE, RANDOM_SEED);
  sum = file_sha256 (source);
  write_file (down, "previous", -1);

  stop.server = f->server;
  stop.after = CANCEL_AFTER;
  stop.transfer = transfer;
  poll = stop_at (&stop);
  g_assert_false (do_transfer (f->client, FALSE, source, down, transfer, NULL, WAIT_TIMEOUT_MS,
                               &error));
  g_source_remove (poll);
  g_assert_nonnull (error);
  g_test_message ("the download failed with: %s", error->message);
  g_clear_error (&error);
  tether_test_drain_main_context ();
  g_assert_cmpint (tether_transfer_get_state (transfer), ==, TETHER_TRANSFER_STATE_FAILED);
  g_assert_nonnull (tether_transfer_get_error (transfer));
  g_assert_true (g_file_get_contents (down, &old, NULL, NULL));
  g_assert_cmpstr (old, ==, "previous");
  kept = file_size (part);
  g_test_message ("the failed download kept %" G_GUINT64_FORMAT " bytes", kept);
  g_assert_cmpuint (kept, >=, CANCEL_AFTER);
  g_assert_cmpuint (kept, <, RESUME_SIZE);

  /* A new server process, a new connection: resume */
  restart_and_reconnect (f);
  g_assert_true (do_transfer (f->client, FALSE, source, down, NULL, NULL, WAIT_TIMEOUT_MS,
                              &error));
  g_assert_no_error (error);
  got = file_sha256 (down);
  g_assert_cmpstr (got, ==, sum);
  g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));
}

/* Copies between @remote and @local (which does not fit where it goes) and asserts that the
 * copy failed with a message that starts with @prefix and names @target, and that @target
 * still holds "previous". */
static void
check_copy_fails (Fixture    *f,
                  gboolean    upload,
                  const char *remote,
                  const char *local,
                  const char *prefix)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TetherTransfer) transfer = tether_transfer_new ();
  g_autofree char *old = NULL;
  g_autofree char *name = g_path_get_basename (upload ? remote : local);
  const char *target = upload ? remote : local;

  g_assert_false (do_transfer (f->client, upload, remote, local, transfer, NULL,
                               WAIT_TIMEOUT_MS, &error));
  g_assert_nonnull (error);
  g_test_message ("the %s failed with: %s", upload ? "upload" : "download", error->message);
  g_assert_true (error->domain == G_IO_ERROR);
  g_assert_true (g_str_has_prefix (error->message, prefix));
  g_assert_nonnull (strstr (error->message, name));
  tether_test_drain_main_context ();
  g_assert_cmpint (tether_transfer_get_state (transfer), ==, TETHER_TRANSFER_STATE_FAILED);
  g_assert_true (g_file_get_contents (target, &old, NULL, NULL));
  g_assert_cmpstr (old, ==, "previous");
}

/* A download to a disk that fills up only when written back (a thin disk): the copy is
 * flushed while it is written (tether-file-flusher.c), and a failed flush must fail the
 * download even though the final fsync would no longer see the error. */
#define THIN_ROOM (24 * 1024 * 1024)

static void
test_download_thin_disk (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *source = NULL;
  g_autofree char *down = NULL;
  TestTmpfs storage, disk;

  if (f->server == NULL || !test_tmpfs_mount_thin (&storage, &disk, THIN_ROOM))
    return;
  source = g_build_filename (f->dir, "source.bin", NULL);
  down = g_build_filename (disk.dir, "down.bin", NULL);
  write_random (source, RESUME_SIZE, RANDOM_SEED);
  write_file (down, "previous", -1);
  check_copy_fails (f, FALSE, source, down, "Could not write");
  test_tmpfs_unmount (&disk);
  test_tmpfs_unmount (&storage);
}

/* The same on the server's side: an upload's data is flushed there while it is sent
 * (fsync@openssh.com on the second lane), and a failed flush fails the upload and leaves
 * the previous remote file as it was. */
static void
test_upload_thin_disk (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *source = NULL;
  g_autofree char *up = NULL;
  TestTmpfs storage, disk;

  if (f->server == NULL || !test_tmpfs_mount_thin (&storage, &disk, THIN_ROOM))
    return;
  chown_to_test_user (disk.dir);
  source = g_build_filename (f->dir, "source.bin", NULL);
  up = g_build_filename (disk.dir, "up.bin", NULL);
  write_random (source, RESUME_SIZE, RANDOM_SEED);
  write_file (up, "previous", -1);
  check_copy_fails (f, TRUE, up, source, "The server could not write");
  test_tmpfs_unmount (&disk);
  test_tmpfs_unmount (&storage);
}

/* An upload to a full disk: the server answers the writes with a failure, and the upload
 * fails, naming the file, and leaves the previous remote file as it was. */
static void
test_upload_disk_full (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *source = NULL;
  g_autofree char *up = NULL;
  TestTmpfs fs;

  if (f->server == NULL || !test_tmpfs_mount (&fs))
    return;
  chown_to_test_user (fs.dir);
  source = g_build_filename (f->dir, "source.bin", NULL);
  up = g_build_filename (fs.dir, "up.bin", NULL);
  write_random (source, SMALL_SIZE, RANDOM_SEED);
  write_file (up, "previous", -1);
  test_tmpfs_fill (&fs);
  check_copy_fails (f, TRUE, up, source, "The server could not write");
  test_tmpfs_unmount (&fs);
}

/* ------------------------------------------------------------------------- */
/* Striped uploads and resume over holes                                     */

#define STRIPE_SIZE (64 * 1024 * 1024)
#define MIB (1024 * 1024)

/* How many sftp subsystems the OpenSSH server started, from its log. */
static guint
count_subsystems (TetherTestServer *server)
{
  g_autofree char *contents = NULL;
  guint count = 0;

  if (!g_file_get_contents (tether_test_server_get_log (server), &contents, NULL, NULL))
    return 0;
  for (const char *p = contents; (p = strstr (p, "Starting session: subsystem 'sftp'")) != NULL; p++)
    count++;
  return count;
}

typedef struct
{
  TetherTestServer *server;
  guint at_least;
} SubsystemCount;

static gboolean
subsystems_reached (gpointer data)
{
  SubsystemCount *c = data;

  return count_subsystems (c->server) >= c->at_least;
}

/* Uploads a @size-byte random file on @client; returns how many sftp subsystems the
 * server started for it once the upload arrived byte-exact. */
static guint
striped_upload (TetherTestServer *server,
                TetherSftpClient *client,
                const char       *dir,
                guint             expect)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *source = g_build_filename (dir, "big.bin", NULL);
  g_autofree char *up = g_build_filename (dir, "big-up.bin", NULL);
  g_autofree char *part = g_strconcat (up, ".part", NULL);
  g_autofree char *sum = NULL;
  g_autofree char *got = NULL;
  SubsystemCount c = { server, 0 };
  guint before = count_subsystems (server);

  write_random (source, STRIPE_SIZE, RANDOM_SEED + 7);
  sum = file_sha256 (source);
  write_file (up, "previous", -1);
  g_assert_true (do_transfer (client, TRUE, up, source, NULL, NULL, BULK_TIMEOUT_MS, &error));
  g_assert_no_error (error);
  got = file_sha256 (up);
  g_assert_cmpstr (got, ==, sum);
  g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));
  /* The channels' subsystems were started before the upload could end; their log lines
   * are written by other processes, so give them time to land. */
  c.at_least = before + expect;
  tether_test_wait_until (subsystems_reached, &c, WAIT_TIMEOUT_MS, "the subsystem log lines");
  return count_subsystems (server) - before;
}

/* A large upload goes over two channels, each with an sftp-server of its own, and arrives
 * byte-exact. */
static void
test_upload_striped (Fixture       *f,
                     gconstpointer  data)
{
  if (f->server == NULL)
    return;
  g_assert_cmpuint (striped_upload (f->server, f->client, f->dir, 2), ==, 2);
}

/* The same over the other servers (Dropbear's and AsyncSSH's SFTP, which log no
 * subsystem lines): a large upload, over two channels, arrives byte-exact. */
static void
test_upload_large (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *source = NULL;
  g_autofree char *up = NULL;
  g_autofree char *sum = NULL;
  g_autofree char *got = NULL;

  if (f->server == NULL)
    return;
  source = g_build_filename (f->dir, "big.bin", NULL);
  up = g_build_filename (f->dir, "big-up.bin", NULL);
  write_random (source, 40 * MIB, RANDOM_SEED + 13);
  sum = file_sha256 (source);
  g_assert_true (do_transfer (f->client, TRUE, up, source, NULL, NULL, BULK_TIMEOUT_MS, &error));
  g_assert_no_error (error);
  got = file_sha256 (up);
  g_assert_cmpstr (got, ==, sum);
}

/* A server that allows no second channel for it: the upload goes on with one. */
static void
test_upload_one_lane (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(TetherTestServer) server = NULL;
  g_autoptr(TetherConnection) connection = NULL;
  g_autoptr(TetherSftpClient) client = NULL;

  if (f->server == NULL)
    return;
  /* Two sessions: the browsing client's and the upload's first channel. */
  server = tether_test_server_new_or_skip (TETHER_TEST_SERVER_OPENSSH, "MaxSessions 2");
  g_assert_nonnull (server);
  connection = connect_server (server);
  client = client_new (connection);
  g_assert_cmpuint (striped_upload (server, client, f->dir, 1), ==, 1);
  tether_sftp_client_close (client);
  tether_connection_close (connection);
  tether_test_drain_main_context ();
}

/* Writes @path as @source's first @size bytes with [@hole, @hole_end) zeroed: what a copy
 * whose replies completed out of order holds after its process died. */
static void
write_holed_copy (const char *source,
                  const char *path,
                  guint64     size,
                  guint64     hole,
                  guint64     hole_end)
{
  g_autofree char *contents = NULL;
  gsize len;

  g_assert_true (g_file_get_contents (source, &contents, &len, NULL));
  g_assert_cmpuint (len, >=, size);
  memset (contents + hole, 0, hole_end - hole);
  write_file (path, contents, size);
}

/* A partial copy with a hole below its size, on either side: the resume does not trust the
 * bytes just below the size, and the result is byte-exact. */
static void
test_resume_hole (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *source = NULL;
  g_autofree char *down = NULL;
  g_autofree char *up = NULL;
  g_autofree char *part = NULL;
  g_autofree char *sum = NULL;
  g_autofree char *got = NULL;

  if (f->server == NULL)
    return;
  source = g_build_filename (f->dir, "source.bin", NULL);
  write_random (source, 40 * MIB, RANDOM_SEED + 9);
  sum = file_sha256 (source);

  /* Upload: the server's .part has 20 MiB, a 4 MiB hole, then 4 MiB more */
  up = g_build_filename (f->dir, "up.bin", NULL);
  part = g_strconcat (up, ".part", NULL);
  write_holed_copy (source, part, 28 * MIB, 20 * MIB, 24 * MIB);
  g_assert_true (do_transfer (f->client, TRUE, up, source, NULL, NULL, BULK_TIMEOUT_MS,
                              &error));
  g_assert_no_error (error);
  got = file_sha256 (up);
  g_assert_cmpstr (got, ==, sum);
  g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));

  /* Download: the same in the local .part */
  down = g_build_filename (f->dir, "down.bin", NULL);
  g_free (part);
  part = g_strconcat (down, ".part", NULL);
  write_holed_copy (source, part, 28 * MIB, 20 * MIB, 24 * MIB);
  g_assert_true (do_transfer (f->client, FALSE, source, down, NULL, NULL, BULK_TIMEOUT_MS,
                              &error));
  g_assert_no_error (error);
  g_clear_pointer (&got, g_free);
  got = file_sha256 (down);
  g_assert_cmpstr (got, ==, sum);
  g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));
}

/* The server dies mid-upload (both channels at work): the previous remote file is intact,
 * and a new connection resumes and completes the upload byte-exact. */
static void
test_server_killed_upload (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TetherTransfer) transfer = tether_transfer_new ();
  g_autofree char *source = NULL;
  g_autofree char *up = NULL;
  g_autofree char *part = NULL;
  g_autofree char *sum = NULL;
  g_autofree char *got = NULL;
  g_autofree char *old = NULL;
  SubsystemCount c = { 0 };
  StopAt stop = { 0 };
  guint poll;

  if (f->server == NULL)
    return;
  source = g_build_filename (f->dir, "source.bin", NULL);
  up = g_build_filename (f->dir, "up.bin", NULL);
  part = g_strconcat (up, ".part", NULL);
  write_random (source, STRIPE_SIZE, RANDOM_SEED + 11);
  sum = file_sha256 (source);
  write_file (up, "previous", -1);

  c.server = f->server;
  c.at_least = count_subsystems (f->server) + 2;
  stop.server = f->server;
  stop.after = 3 * STRIPE_SIZE / 4;
  stop.transfer = transfer;
  poll = stop_at (&stop);
  g_assert_false (do_transfer (f->client, TRUE, up, source, transfer, NULL, BULK_TIMEOUT_MS,
                               &error));
  g_source_remove (poll);
  g_assert_nonnull (error);
  g_test_message ("the upload failed with: %s", error->message);
  g_clear_error (&error);
  g_assert_true (stop.fired);
  /* Both channels were in use */
  tether_test_wait_until (subsystems_reached, &c, WAIT_TIMEOUT_MS, "two sftp subsystems");
  g_assert_true (g_file_get_contents (up, &old, NULL, NULL));
  g_assert_cmpstr (old, ==, "previous");
  g_assert_cmpuint (file_size (part), >=, stop.after);

  restart_and_reconnect (f);
  g_assert_true (do_transfer (f->client, TRUE, up, source, NULL, NULL, BULK_TIMEOUT_MS,
                              &error));
  g_assert_no_error (error);
  got = file_sha256 (up);
  g_assert_cmpstr (got, ==, sum);
  g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));
}

/* A transfer ends on its job's thread: the state is still notified on the thread that made
 * the transfer (the UI's), also while that thread is busy outside its main loop. With
 * g_main_context_invoke_full () the job's thread took the idle main context and ran the
 * UI's handlers itself. */
static gpointer
finish_on_thread (gpointer data)
{
  _tether_transfer_finish (data, NULL);
  return NULL;
}

static void
on_state_thread (TetherTransfer *transfer,
                 GParamSpec     *pspec,
                 GThread       **seen)
{
  *seen = g_thread_self ();
}

static void
test_state_thread (void)
{
  g_autoptr(TetherTransfer) transfer = tether_transfer_new ();
  GThread *seen = NULL;
  GThread *thread;

  g_signal_connect (transfer, "notify::state", G_CALLBACK (on_state_thread), &seen);
  /* This thread does not iterate its context until the other one is done. */
  thread = g_thread_new ("finish", finish_on_thread, transfer);
  g_thread_join (thread);
  g_assert_null (seen);
  tether_test_wait_until (tether_test_pointer_is_set, &seen, WAIT_TIMEOUT_MS, "the state");
  g_assert_true (seen == g_thread_self ());
  g_assert_cmpint (tether_transfer_get_state (transfer), ==, TETHER_TRANSFER_STATE_DONE);
}

/* A job drops its reference to the transfer on its own thread; the last one must still go
 * on the owner's thread, where the UI's handlers and their data live. */
static gpointer
release_on_thread (gpointer data)
{
  _tether_transfer_release (data);
  return NULL;
}

static void
on_transfer_finalized (gpointer  data,
                       GObject  *where_the_object_was)
{
  *(GThread **) data = g_thread_self ();
}

static void
test_release_thread (void)
{
  TetherTransfer *transfer = tether_transfer_new ();
  GThread *seen = NULL;
  GThread *thread;

  g_object_weak_ref (G_OBJECT (transfer), on_transfer_finalized, &seen);
  /* The thread gets the only reference. */
  thread = g_thread_new ("release", release_on_thread, transfer);
  g_thread_join (thread);
  g_assert_null (seen);
  tether_test_wait_until (tether_test_pointer_is_set, &seen, WAIT_TIMEOUT_MS, "the finalization");
  g_assert_true (seen == g_thread_self ());
}

static void
add_test (const char           *name,
          TetherTestServerKind  kind,
          void (*func) (Fixture *, gconstpointer))
{
  static const char *kinds[] = { "openssh", "dropbear", "asyncssh", "conch" };
  g_autofree char *path = g_strdup_printf ("/tether/sftp/%s/%s", kinds[kind], name);

  g_test_add (path, Fixture, GINT_TO_POINTER (kind), fixture_setup, func, fixture_teardown);
}

int
main (int   argc,
      char *argv[])
{
  static const TetherTestServerKind kinds[] = {
    TETHER_TEST_SERVER_OPENSSH, TETHER_TEST_SERVER_DROPBEAR, TETHER_TEST_SERVER_ASYNCSSH,
  };

  test_tmpfs_init ();
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/tether/sftp/transfer-state-thread", test_state_thread);
  g_test_add_func ("/tether/sftp/transfer-release-thread", test_release_thread);
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++) {
    add_test ("ops", kinds[i], test_ops);
    add_test ("errors", kinds[i], test_errors);
    add_test ("remove-recursive", kinds[i], test_remove_recursive);
    add_test ("non-utf8", kinds[i], test_non_utf8);
    add_test ("transfer-small", kinds[i], test_transfer_small);
    add_test ("streams", kinds[i], test_streams);
  }
  add_test ("malformed-reply", TETHER_TEST_SERVER_OPENSSH, test_malformed_reply);
  add_test ("transfer-bulk", TETHER_TEST_SERVER_OPENSSH, test_transfer_bulk);
  add_test ("resume-cancel", TETHER_TEST_SERVER_OPENSSH, test_resume_cancel);
  add_test ("server-killed", TETHER_TEST_SERVER_OPENSSH, test_server_killed);
  add_test ("download-thin-disk", TETHER_TEST_SERVER_OPENSSH, test_download_thin_disk);
  add_test ("upload-thin-disk", TETHER_TEST_SERVER_OPENSSH, test_upload_thin_disk);
  add_test ("upload-disk-full", TETHER_TEST_SERVER_OPENSSH, test_upload_disk_full);
  add_test ("upload-disk-full", TETHER_TEST_SERVER_DROPBEAR, test_upload_disk_full);
  add_test ("upload-striped", TETHER_TEST_SERVER_OPENSSH, test_upload_striped);
  add_test ("upload-one-lane", TETHER_TEST_SERVER_OPENSSH, test_upload_one_lane);
  add_test ("upload-large", TETHER_TEST_SERVER_DROPBEAR, test_upload_large);
  add_test ("upload-large", TETHER_TEST_SERVER_ASYNCSSH, test_upload_large);
  add_test ("resume-hole", TETHER_TEST_SERVER_OPENSSH, test_resume_hole);
  add_test ("server-killed-upload", TETHER_TEST_SERVER_OPENSSH, test_server_killed_upload);
  return g_test_run ();
}
