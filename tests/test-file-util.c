/* test-file-util.c: tether_file_write_safely () never loses the user's file; a flusher
 * reports a failed flush.
 *
 * The full-disk and read-only cases mount a small tmpfs (as root, in a
 * mount namespace of this process's own, so that nothing stays mounted
 * when a test aborts).
 */
#define _GNU_SOURCE  /* unshare () for test-tmpfs.h */
#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "tether-file-util.h"
#include "test-tmpfs.h"

/* A user and group that are not root's: the owner a rewrite must keep. */
#define OTHER_UID 65534
#define OTHER_GID 65534
/* A mode no default would give, to see that the old file's is kept. */
#define ODD_MODE 0640
/* A new file's mode under umask 022. */
#define PRIVATE_MODE_UNDER_UMASK 0600

typedef struct {
  char *dir;
  TestTmpfs fs;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("test-file-util-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
remove_tree (const char *path)
{
  const char *argv[] = { "rm", "-rf", path, NULL };

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                NULL, NULL);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  test_tmpfs_unmount (&fixture->fs);
  remove_tree (fixture->dir);
  g_free (fixture->dir);
}

static void
write_plain (const char *path,
             const char *contents)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

static void
assert_contents (const char *path,
                 const char *expected)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize len;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (contents, len, expected, strlen (expected));
}

static GStatBuf
stat_of (const char *path)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return st;
}

static void
test_new_file (Fixture       *fixture,
               gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "hosts.conf", NULL);
  g_autofree char *names = NULL;
  g_autoptr(GError) error = NULL;
  mode_t old_umask = umask (022);

  g_assert_true (tether_file_write_safely (path, "Host a\n", 7, TETHER_FILE_MODE_PRIVATE,
                                           NULL, &error));
  umask (old_umask);
  g_assert_no_error (error);
  assert_contents (path, "Host a\n");
  g_assert_cmpint (stat_of (path).st_mode & 07777, ==, PRIVATE_MODE_UNDER_UMASK);
  names = test_tmpfs_list (fixture->dir);
  g_assert_cmpstr (names, ==, "hosts.conf");
}

static void
test_keeps_mode_and_owner (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "config", NULL);
  g_autoptr(GError) error = NULL;
  gboolean root = geteuid () == 0;
  GStatBuf st;

  write_plain (path, "old\n");
  g_assert_cmpint (g_chmod (path, ODD_MODE), ==, 0);
  if (root)
    g_assert_cmpint (chown (path, OTHER_UID, OTHER_GID), ==, 0);

  g_assert_true (tether_file_write_safely (path, "new\n", 4, TETHER_FILE_MODE_PRIVATE, NULL,
                                           &error));
  g_assert_no_error (error);
  assert_contents (path, "new\n");
  st = stat_of (path);
  g_assert_cmpint (st.st_mode & 07777, ==, ODD_MODE);
  if (root)
    {
      g_assert_cmpint (st.st_uid, ==, OTHER_UID);
      g_assert_cmpint (st.st_gid, ==, OTHER_GID);
    }
}

/* Dotfile managers link ~/.ssh/config into a repository: the link stays a
 * link and the file it names gets the new text. */
static void
test_symlink (Fixture       *fixture,
              gconstpointer  data)
{
  g_autofree char *repo = g_build_filename (fixture->dir, "dotfiles", NULL);
  g_autofree char *target = g_build_filename (repo, "ssh_config", NULL);
  g_autofree char *link = g_build_filename (fixture->dir, "config", NULL);
  g_autofree char *dangling = g_build_filename (fixture->dir, "dangling", NULL);
  g_autofree char *dangling_target = g_build_filename (repo, "not-yet", NULL);
  g_autofree char *names = NULL;
  g_autoptr(GError) error = NULL;
  GStatBuf st;

  g_assert_cmpint (g_mkdir (repo, 0700), ==, 0);
  write_plain (target, "old\n");
  g_assert_cmpint (symlink ("dotfiles/ssh_config", link), ==, 0);

  g_assert_true (tether_file_write_safely (link, "new\n", 4, TETHER_FILE_MODE_PRIVATE, NULL,
                                           &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_lstat (link, &st), ==, 0);
  g_assert_true (S_ISLNK (st.st_mode));
  assert_contents (target, "new\n");
  names = test_tmpfs_list (repo);
  g_assert_cmpstr (names, ==, "ssh_config");

  /* A link to a file not made yet makes that file. */
  g_assert_cmpint (symlink (dangling_target, dangling), ==, 0);
  g_assert_true (tether_file_write_safely (dangling, "x\n", 2, TETHER_FILE_MODE_PRIVATE, NULL,
                                           &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_lstat (dangling, &st), ==, 0);
  g_assert_true (S_ISLNK (st.st_mode));
  assert_contents (dangling_target, "x\n");
}

static void
test_not_regular (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (tether_file_write_safely (fixture->dir, "x", 1, TETHER_FILE_MODE_PRIVATE,
                                            NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE);
}

static void
test_disk_full (Fixture       *fixture,
                gconstpointer  data)
{
  const char *old = "Host kept\n  HostName kept.example.org\n";
  g_autofree char *path = NULL;
  g_autofree char *names = NULL;
  g_autoptr(GError) error = NULL;
  GString *big = g_string_new (NULL);
  GStatBuf before;
  GStatBuf after;

  if (!test_tmpfs_mount (&fixture->fs))
    return;
  path = g_build_filename (fixture->fs.dir, "hosts.conf", NULL);
  write_plain (path, old);
  g_assert_cmpint (g_chmod (path, ODD_MODE), ==, 0);
  g_assert_cmpint (chown (path, OTHER_UID, OTHER_GID), ==, 0);
  before = stat_of (path);
  test_tmpfs_fill (&fixture->fs);

  for (guint i = 0; i < 100; i++)
    g_string_append_printf (big, "Host h%u\n  HostName h%u.example.org\n", i, i);
  g_assert_false (tether_file_write_safely (path, big->str, big->len, TETHER_FILE_MODE_PRIVATE,
                                            NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
  g_assert_nonnull (strstr (error->message, "hosts.conf"));
  g_assert_nonnull (strstr (error->message, "full"));
  assert_contents (path, old);
  after = stat_of (path);
  g_assert_cmpint (after.st_ino, ==, before.st_ino);
  g_assert_cmpint (after.st_mode, ==, before.st_mode);
  g_assert_cmpint (after.st_uid, ==, OTHER_UID);
  g_assert_cmpint (after.st_gid, ==, OTHER_GID);
  names = test_tmpfs_list (fixture->fs.dir);
  g_assert_cmpstr (names, ==, "hosts.conf");

  /* With room again the same write works. */
  g_clear_error (&error);
  test_tmpfs_unfill (&fixture->fs);
  g_assert_true (tether_file_write_safely (path, big->str, big->len, TETHER_FILE_MODE_PRIVATE,
                                           NULL, &error));
  g_assert_no_error (error);
  assert_contents (path, big->str);
  g_assert_cmpint (stat_of (path).st_mode, ==, before.st_mode);
  g_string_free (big, TRUE);
}

static void
test_read_only (Fixture       *fixture,
                gconstpointer  data)
{
  const char *old = "Host kept\n";
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;

  if (!test_tmpfs_mount (&fixture->fs))
    return;
  path = g_build_filename (fixture->fs.dir, "known_hosts", NULL);
  write_plain (path, old);
  test_tmpfs_make_read_only (&fixture->fs);

  g_assert_false (tether_file_write_safely (path, "new\n", 4, TETHER_FILE_MODE_PRIVATE, NULL,
                                            &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_READ_ONLY);
  g_assert_nonnull (strstr (error->message, "known_hosts"));
  assert_contents (path, old);
}

/* Writes @mib MiB of bytes that do not compress to @fd. */
static void
write_mib (int   fd,
           guint mib)
{
  g_autofree guint32 *buf = g_new (guint32, 1024 * 1024 / 4);
  g_autoptr(GRand) rand = g_rand_new_with_seed (mib);

  for (guint i = 0; i < mib; i++) {
    for (guint j = 0; j < 1024 * 1024 / 4; j++)
      buf[j] = g_rand_int (rand);
    g_assert_cmpint (write (fd, buf, 1024 * 1024), ==, 1024 * 1024);
  }
}

/* A flush asked for is done before the flusher stops, and its success is reported. */
static void
test_flusher (void)
{
  g_autofree char *dir = g_dir_make_tmp ("tether-flush-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "copy", NULL);
  int fd = open (path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  TetherFileFlusher *flusher;
  struct stat st;

  g_assert_cmpint (fd, >=, 0);
  flusher = tether_file_flusher_new (fd);
  g_assert_nonnull (flusher);
  write_mib (fd, 4);
  g_assert_cmpint (tether_file_flusher_request (flusher), ==, 0);
  write_mib (fd, 4);
  g_assert_cmpint (tether_file_flusher_request (flusher), ==, 0);
  g_assert_cmpint (tether_file_flusher_free (flusher), ==, 0);
  /* The writer's descriptor is its own: still open, still writable. */
  write_mib (fd, 1);
  g_assert_cmpint (fstat (fd, &st), ==, 0);
  g_assert_cmpint (st.st_size, ==, 9 * 1024 * 1024);
  g_assert_cmpint (close (fd), ==, 0);
  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* A flush that fails on a disk that fills up when written back is reported, once the
 * flusher stops at the latest: the writer's own fsync would not see that error again. */
#define THIN_ROOM (16 * 1024 * 1024)

static void
test_flusher_thin_disk (void)
{
  TestTmpfs storage, disk;
  g_autofree char *path = NULL;
  TetherFileFlusher *flusher;
  int fd;
  int errsv;

  if (!test_tmpfs_mount_thin (&storage, &disk, THIN_ROOM))
    return;
  path = g_build_filename (disk.dir, "copy", NULL);
  fd = open (path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  g_assert_cmpint (fd, >=, 0);
  /* Twice the room: every write goes to the page cache, and succeeds. */
  write_mib (fd, 2 * THIN_ROOM / (1024 * 1024));
  flusher = tether_file_flusher_new (fd);
  g_assert_nonnull (flusher);
  g_assert_cmpint (tether_file_flusher_request (flusher), ==, 0);
  errsv = tether_file_flusher_free (flusher);
  g_test_message ("the flush failed with: %s", g_strerror (errsv));
  g_assert_true (errsv == ENOSPC || errsv == EIO);
  close (fd);
  test_tmpfs_unmount (&disk);
  test_tmpfs_unmount (&storage);
}

int
main (int   argc,
      char *argv[])
{
  test_tmpfs_init ();
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) \
  g_test_add ("/tether/file-util/" name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("new-file", test_new_file);
  ADD ("keeps-mode-and-owner", test_keeps_mode_and_owner);
  ADD ("symlink", test_symlink);
  ADD ("not-regular", test_not_regular);
  ADD ("disk-full", test_disk_full);
  ADD ("read-only", test_read_only);
#undef ADD
  g_test_add_func ("/tether/file-util/flusher", test_flusher);
  g_test_add_func ("/tether/file-util/flusher-thin-disk", test_flusher_thin_disk);

  return g_test_run ();
}
