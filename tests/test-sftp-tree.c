/* test-sftp-tree.c: folder downloads and uploads of TetherSftpClient against OpenSSH's
 * internal-sftp and Dropbear (with OpenSSH's sftp-server). Server and client share this
 * machine, so each test compares the trees through the local file system. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "tether.h"
#include "tether-test-host.h"
#include "tether-test-server.h"
#include "tether-test-wait.h"

/* Generous: two cores are shared by parallel tests and sanitizer builds. */
#define WAIT_TIMEOUT_MS (60 * 1000)
#define TRANSFER_TIMEOUT_MS (300 * 1000)
#define BIG_SIZE (3 * 1024 * 1024 + 4321)
#define RANDOM_SEED 1515
/* A name that is not UTF-8 (Latin-1 "café"). */
#define NON_UTF8_NAME "caf\xe9.txt"
#define N_FLAT_FILES 40
/* Enough that the first progress tick (a quarter second) comes well before the end. */
#define N_CANCEL_FILES 3000

typedef struct
{
  TetherTestServerKind kind;
  TetherTestServer *server;
  TetherConnection *connection;
  TetherSftpClient *client;
  char *dir;                  /* owned by the server's user, same path both sides */
} Fixture;

static void
chown_to_test_user (const char *path)
{
  struct passwd *pw = getpwnam (TETHER_TEST_SERVER_USER);

  g_assert_nonnull (pw);
  g_assert_cmpint (lchown (path, pw->pw_uid, pw->pw_gid), ==, 0);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(TetherHost) host = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;

  f->kind = GPOINTER_TO_INT (data);
  f->server = tether_test_server_new_or_skip (f->kind, NULL);
  if (f->server == NULL)
    return;
  host = tether_test_server_new_host (f->server);
  f->connection = tether_connection_new (host);
  tether_connection_connect_async (f->connection, NULL, tether_test_store_result, &slot);
  result = tether_test_wait_result (&slot, WAIT_TIMEOUT_MS, "the connection");
  tether_connection_connect_finish (f->connection, result, &error);
  g_assert_no_error (error);
  g_clear_object (&result);

  tether_sftp_client_new_async (f->connection, NULL, tether_test_store_result, &slot);
  result = tether_test_wait_result (&slot, WAIT_TIMEOUT_MS, "the sftp client");
  f->client = tether_sftp_client_new_finish (result, &error);
  g_assert_no_error (error);

  f->dir = g_dir_make_tmp ("tether-sftp-tree-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
  g_assert_cmpint (g_chmod (f->dir, 0755), ==, 0);
  chown_to_test_user (f->dir);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  g_chmod (path, 0700);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
    g_autofree char *child = g_build_filename (path, name, NULL);
    GStatBuf st;

    if (g_lstat (child, &st) == 0 && S_ISDIR (st.st_mode))
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

static gboolean
do_transfer (TetherSftpClient  *client,
             gboolean           upload,
             const char        *remote,
             const char        *local,
             TetherTransfer    *transfer,
             GError           **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (local);
  g_autoptr(GAsyncResult) result = NULL;
  GAsyncResult *slot = NULL;

  if (upload)
    tether_sftp_client_upload_async (client, file, remote, transfer, NULL,
                                     tether_test_store_result, &slot);
  else
    tether_sftp_client_download_async (client, remote, file, transfer, NULL,
                                       tether_test_store_result, &slot);
  result = tether_test_wait_result (&slot, TRANSFER_TIMEOUT_MS,
                                    upload ? "the upload" : "the download");
  if (upload)
    return tether_sftp_client_upload_finish (client, result, error);
  return tether_sftp_client_download_finish (client, result, error);
}

static void
make_file (const char *dir,
           const char *name,
           const char *contents,
           gssize      len,
           guint       mode)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, len, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (path, mode), ==, 0);
  chown_to_test_user (path);
}

static void
make_dir (const char *dir,
          const char *name,
          guint       mode)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  g_assert_cmpint (g_mkdir (path, 0700), ==, 0);
  g_assert_cmpint (g_chmod (path, mode), ==, 0);
  chown_to_test_user (path);
}

static void
make_random (const char *dir,
             const char *name,
             gsize       size)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (RANDOM_SEED);
  g_autofree guint8 *buf = g_malloc (size);

  for (gsize i = 0; i < size; i++)
    buf[i] = g_rand_int (rand);
  make_file (dir, name, (const char *) buf, size, 0644);
}

/* The tree every case copies; returns its files and links and the bytes of its files. */
static char *
make_source (Fixture *f,
             guint   *n_items,
             guint64 *n_bytes)
{
  g_autofree char *src = g_build_filename (f->dir, "src", NULL);
  g_autofree char *deep = g_build_filename (src, "a", "b", "c", NULL);
  g_autofree char *link = g_build_filename (src, "to-b", NULL);

  g_assert_cmpint (g_mkdir (src, 0755), ==, 0);
  chown_to_test_user (src);
  make_dir (src, "a", 0755);
  make_dir (src, "a/b", 0750);
  make_dir (src, "a/b/c", 0700);
  make_dir (src, "empty", 0755);
  make_dir (src, "read-only", 0555 | 0200);
  make_file (deep, "deep.txt", "deep down\n", -1, 0640);
  make_file (src, NON_UTF8_NAME, "not utf-8\n", -1, 0644);
  make_file (src, "zero", "", 0, 0600);
  make_file (src, "run.sh", "#!/bin/sh\necho hi\n", -1, 0755);
  make_file (src, "read-only/inside", "in a folder made read-only after\n", -1, 0444);
  make_random (src, "big.bin", BIG_SIZE);
  g_assert_cmpint (symlink ("a/b", link), ==, 0);
  chown_to_test_user (link);
  /* The read-only folder is made writable only to fill it; make it read-only now. */
  {
    g_autofree char *ro = g_build_filename (src, "read-only", NULL);

    g_assert_cmpint (g_chmod (ro, 0555), ==, 0);
  }
  *n_items = 7;
  *n_bytes = strlen ("deep down\n") + strlen ("not utf-8\n") + strlen ("#!/bin/sh\necho hi\n") +
             strlen ("in a folder made read-only after\n") + BIG_SIZE;
  return g_steal_pointer (&src);
}

/* Both trees hold the same names, types, permissions, contents and link targets. */
static void
assert_same_tree (const char *a,
                  const char *b)
{
  g_autoptr(GDir) dir = g_dir_open (a, 0, NULL);
  g_autoptr(GDir) other = g_dir_open (b, 0, NULL);
  guint n_a = 0;
  guint n_b = 0;
  const char *name;

  g_assert_nonnull (dir);
  g_assert_nonnull (other);
  while (g_dir_read_name (other) != NULL)
    n_b++;
  while ((name = g_dir_read_name (dir)) != NULL) {
    g_autofree char *pa = g_build_filename (a, name, NULL);
    g_autofree char *pb = g_build_filename (b, name, NULL);
    GStatBuf sa;
    GStatBuf sb;

    n_a++;
    g_assert_cmpint (g_lstat (pa, &sa), ==, 0);
    if (g_lstat (pb, &sb) != 0)
      g_error ("%s was not copied to %s", pa, pb);
    g_assert_cmpuint (sa.st_mode & S_IFMT, ==, sb.st_mode & S_IFMT);
    if (S_ISLNK (sa.st_mode)) {
      g_autofree char *ta = g_file_read_link (pa, NULL);
      g_autofree char *tb = g_file_read_link (pb, NULL);

      g_assert_cmpstr (ta, ==, tb);
      continue;
    }
    if ((sa.st_mode & 07777) != (sb.st_mode & 07777))
      g_error ("%s has mode %o, %s %o", pa, sa.st_mode & 07777, pb, sb.st_mode & 07777);
    if (S_ISDIR (sa.st_mode)) {
      assert_same_tree (pa, pb);
    } else {
      g_autofree char *ca = NULL;
      g_autofree char *cb = NULL;
      gsize la;
      gsize lb;

      g_assert_true (g_file_get_contents (pa, &ca, &la, NULL));
      g_assert_true (g_file_get_contents (pb, &cb, &lb, NULL));
      g_assert_cmpmem (ca, la, cb, lb);
    }
  }
  /* Nothing more, such as a ".part" left over. */
  g_assert_cmpuint (n_a, ==, n_b);
}

static void
assert_transfer_done (TetherTransfer *transfer,
                      guint           n_items,
                      guint64         n_bytes)
{
  tether_test_drain_main_context ();
  g_assert_cmpint (tether_transfer_get_state (transfer), ==, TETHER_TRANSFER_STATE_DONE);
  g_assert_cmpuint (tether_transfer_get_bytes_total (transfer), ==, n_bytes);
  g_assert_cmpuint (tether_transfer_get_bytes_done (transfer), ==, n_bytes);
  g_assert_cmpuint (tether_transfer_get_files_total (transfer), ==, n_items);
  g_assert_cmpuint (tether_transfer_get_files_done (transfer), ==, n_items);
}

static void
test_round_trip (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TetherTransfer) up_transfer = tether_transfer_new ();
  g_autoptr(TetherTransfer) down_transfer = tether_transfer_new ();
  g_autofree char *src = NULL;
  g_autofree char *up = NULL;
  g_autofree char *down = NULL;
  guint n_items;
  guint64 n_bytes;

  if (f->server == NULL)
    return;
  src = make_source (f, &n_items, &n_bytes);
  up = g_build_filename (f->dir, "up", NULL);
  down = g_build_filename (f->dir, "down", NULL);

  /* Up: the server makes the tree as its user. */
  g_assert_true (do_transfer (f->client, TRUE, up, src, up_transfer, &error));
  g_assert_no_error (error);
  assert_same_tree (src, up);
  assert_transfer_done (up_transfer, n_items, n_bytes);

  /* And down again, from what the server wrote. */
  g_assert_true (do_transfer (f->client, FALSE, up, down, down_transfer, &error));
  g_assert_no_error (error);
  assert_same_tree (src, down);
  assert_transfer_done (down_transfer, n_items, n_bytes);
}

/* Many small files: all copied although many are in flight at once. */
static void
test_many_files (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TetherTransfer) transfer = tether_transfer_new ();
  g_autofree char *src = NULL;
  g_autofree char *up = NULL;
  g_autofree char *down = NULL;

  if (f->server == NULL)
    return;
  src = g_build_filename (f->dir, "flat", NULL);
  up = g_build_filename (f->dir, "flat-up", NULL);
  down = g_build_filename (f->dir, "flat-down", NULL);
  g_assert_cmpint (g_mkdir (src, 0755), ==, 0);
  chown_to_test_user (src);
  for (guint i = 0; i < N_FLAT_FILES; i++) {
    g_autofree char *name = g_strdup_printf ("file-%03u", i);
    g_autofree char *contents = g_strdup_printf ("%u %s\n", i, name);

    make_file (src, name, contents, -1, 0600 + (i % 2) * 044);
  }
  g_assert_true (do_transfer (f->client, TRUE, up, src, transfer, &error));
  g_assert_no_error (error);
  assert_same_tree (src, up);
  g_clear_object (&transfer);
  transfer = tether_transfer_new ();
  g_assert_true (do_transfer (f->client, FALSE, up, down, transfer, &error));
  g_assert_no_error (error);
  assert_same_tree (src, down);
  tether_test_drain_main_context ();
  g_assert_cmpuint (tether_transfer_get_files_done (transfer), ==, N_FLAT_FILES);
}

/* A file the server cannot read fails alone, and the error names it. */
static void
test_failure_names_file (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TetherTransfer) transfer = tether_transfer_new ();
  g_autofree char *src = NULL;
  g_autofree char *down = NULL;
  g_autofree char *locked = NULL;
  g_autofree char *copied = NULL;
  g_autofree char *missing = NULL;
  guint n_items;
  guint64 n_bytes;

  if (f->server == NULL)
    return;
  src = make_source (f, &n_items, &n_bytes);
  down = g_build_filename (f->dir, "down", NULL);
  make_file (src, "a/locked.txt", "secret\n", -1, 0000);
  locked = g_build_filename (src, "a", "locked.txt", NULL);

  g_assert_false (do_transfer (f->client, FALSE, src, down, transfer, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, locked));
  /* The others are there all the same. */
  copied = g_build_filename (down, "a", "b", "c", "deep.txt", NULL);
  g_assert_true (g_file_test (copied, G_FILE_TEST_IS_REGULAR));
  missing = g_build_filename (down, "a", "locked.txt", NULL);
  g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));
  tether_test_drain_main_context ();
  g_assert_cmpint (tether_transfer_get_state (transfer), ==, TETHER_TRANSFER_STATE_FAILED);
  g_assert_cmpuint (tether_transfer_get_files_done (transfer), ==, n_items + 1);
}

static void
cancel_on_first_file_cb (TetherTransfer *transfer,
                         GParamSpec     *pspec,
                         GCancellable   *cancellable)
{
  if (tether_transfer_get_files_done (transfer) > 0)
    g_cancellable_cancel (cancellable);
}

/* A cancel mid-folder stops it and reports the cancel alone, not each file. */
static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TetherTransfer) transfer = tether_transfer_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GFile) local = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *src = g_build_filename (f->dir, "many", NULL);
  g_autofree char *down = g_build_filename (f->dir, "many-down", NULL);
  GAsyncResult *slot = NULL;

  if (f->server == NULL)
    return;
  g_assert_cmpint (g_mkdir (src, 0755), ==, 0);
  chown_to_test_user (src);
  for (guint i = 0; i < N_CANCEL_FILES; i++) {
    g_autofree char *name = g_strdup_printf ("file-%04u", i);

    make_file (src, name, "small\n", -1, 0644);
  }
  g_signal_connect (transfer, "notify::files-done", G_CALLBACK (cancel_on_first_file_cb),
                    cancellable);
  local = g_file_new_for_path (down);
  tether_sftp_client_download_async (f->client, src, local, transfer, cancellable,
                                     tether_test_store_result, &slot);
  result = tether_test_wait_result (&slot, TRANSFER_TIMEOUT_MS, "the download");
  g_assert_false (tether_sftp_client_download_finish (f->client, result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  tether_test_drain_main_context ();
  g_assert_cmpint (tether_transfer_get_state (transfer), ==, TETHER_TRANSFER_STATE_CANCELLED);
  g_assert_cmpuint (tether_transfer_get_files_done (transfer), <, N_CANCEL_FILES);
}

static void
add_test (const char           *name,
          TetherTestServerKind  kind,
          void (*func) (Fixture *, gconstpointer))
{
  static const char *kinds[] = { "openssh", "dropbear", "asyncssh", "conch" };
  g_autofree char *path = g_strdup_printf ("/tether/sftp-tree/%s/%s", kinds[kind], name);

  g_test_add (path, Fixture, GINT_TO_POINTER (kind), fixture_setup, func, fixture_teardown);
}

int
main (int   argc,
      char *argv[])
{
  static const TetherTestServerKind kinds[] = {
    TETHER_TEST_SERVER_OPENSSH, TETHER_TEST_SERVER_DROPBEAR,
  };

  g_test_init (&argc, &argv, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++) {
    add_test ("round-trip", kinds[i], test_round_trip);
    add_test ("many-files", kinds[i], test_many_files);
    add_test ("failure-names-file", kinds[i], test_failure_names_file);
  }
  add_test ("cancel", TETHER_TEST_SERVER_OPENSSH, test_cancel);
  return g_test_run ();
}
