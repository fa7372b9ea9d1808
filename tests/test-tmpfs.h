/* test-tmpfs.h: a small tmpfs that a test can fill up or make read-only (root only). */
#pragma once

/* Needs _GNU_SOURCE (unshare), defined before the first system header. */

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

/* Small, so that filling it takes a moment; big enough for a few files. */
#define TEST_TMPFS_OPTIONS "size=64k"
/* How much a write that fills the disk writes at once. */
#define TEST_TMPFS_FILL_CHUNK 4096

typedef struct {
  char *dir;
  gboolean mounted;
} TestTmpfs;

/* Call first thing in main (), before any thread exists: the tests' mounts
 * then live in a mount namespace of their own and vanish with the process,
 * even when a failed assertion aborts it before the teardown. */
static inline void
test_tmpfs_init (void)
{
  if (geteuid () != 0 || unshare (CLONE_NEWNS) != 0)
    return;
  if (mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
    g_warning ("Could not make the test's mounts private: %s", g_strerror (errno));
}

static inline int
test_tmpfs_compare_names (gconstpointer a,
                          gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* Mounts a fresh tmpfs with @options on a new temporary folder, or skips the test (and
 * returns FALSE) when this process may not mount. */
static inline gboolean
test_tmpfs_mount_with (TestTmpfs  *fs,
                       const char *options)
{
  g_autoptr(GError) error = NULL;

  memset (fs, 0, sizeof *fs);
  if (geteuid () != 0)
    {
      g_test_skip ("Mounting a small tmpfs to fill up needs root; run the tests as root");
      return FALSE;
    }
  fs->dir = g_dir_make_tmp ("tether-tmpfs-XXXXXX", &error);
  g_assert_no_error (error);
  if (mount ("tmpfs", fs->dir, "tmpfs", MS_NOSUID | MS_NODEV, options) != 0)
    {
      g_autofree char *why = g_strdup_printf ("Cannot mount a tmpfs here (%s)",
                                              g_strerror (errno));
      g_rmdir (fs->dir);
      g_clear_pointer (&fs->dir, g_free);
      g_test_skip (why);
      return FALSE;
    }
  fs->mounted = TRUE;
  return TRUE;
}

/* Mounts a fresh, small tmpfs on a new temporary folder, or skips the test. */
static inline gboolean
test_tmpfs_mount (TestTmpfs *fs)
{
  return test_tmpfs_mount_with (fs, TEST_TMPFS_OPTIONS);
}

/* Unmounts and removes the folder; safe to call twice and after a failed mount. */
static inline void
test_tmpfs_unmount (TestTmpfs *fs)
{
  if (fs->mounted && umount2 (fs->dir, MNT_DETACH) != 0)
    g_warning ("Could not unmount %s: %s", fs->dir, g_strerror (errno));
  fs->mounted = FALSE;
  if (fs->dir != NULL)
    g_rmdir (fs->dir);
  g_clear_pointer (&fs->dir, g_free);
}

/* Writes a file named FILLER until the tmpfs has no byte left. */
static inline void
test_tmpfs_fill (TestTmpfs *fs)
{
  g_autofree char *path = g_build_filename (fs->dir, "filler", NULL);
  char chunk[TEST_TMPFS_FILL_CHUNK];
  int fd = open (path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  gsize size = sizeof chunk;

  g_assert_cmpint (fd, >=, 0);
  memset (chunk, 'x', sizeof chunk);
  /* Smaller and smaller writes, down to one byte: every page is taken. */
  while (size > 0)
    {
      if (write (fd, chunk, size) < 0)
        {
          g_assert_cmpint (errno, ==, ENOSPC);
          size /= 2;
        }
    }
  close (fd);
}

/* Gives back the space test_tmpfs_fill () took. */
static inline void
test_tmpfs_unfill (TestTmpfs *fs)
{
  g_autofree char *path = g_build_filename (fs->dir, "filler", NULL);

  g_assert_cmpint (g_unlink (path), ==, 0);
}

static inline void
test_tmpfs_make_read_only (TestTmpfs *fs)
{
  g_assert_cmpint (mount (NULL, fs->dir, NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV,
                          TEST_TMPFS_OPTIONS), ==, 0);
}

/* The names in FS's folder other than the filler, sorted: no temporary file may remain. */
static inline char *
test_tmpfs_list (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    if (strcmp (name, "filler") != 0)
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, test_tmpfs_compare_names);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (" ", (char **) names->pdata);
}

/* A thin disk: its file system has room, the storage under it does not. An ext4 in a sparse
 * TEST_THIN_DISK_SIZE image, through a loop device, on a tmpfs of @room bytes; as a
 * thin-provisioned virtual disk or an overcommitted image fills up. A write succeeds (into
 * the page cache) and fails only when written back, so fsync () is where it shows. The ext4
 * has no journal: it stays writable after a failed write-back, as a journalled one on real
 * storage would after a failed data block.
 *
 * Mounts it on @disk->dir, with its backing tmpfs on @storage->dir, or skips the test (and
 * returns FALSE) without root, a loop device or mkfs.ext4. Unmount @disk, then @storage. */
#define TEST_THIN_DISK_SIZE (128 * 1024 * 1024)

static inline gboolean
test_tmpfs_mount_thin (TestTmpfs *storage,
                       TestTmpfs *disk,
                       gsize      room)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *options = g_strdup_printf ("size=%" G_GSIZE_FORMAT, room);
  g_autofree char *image = NULL;
  g_autofree char *mkfs = g_find_program_in_path ("mkfs.ext4");
  g_autofree char *out = NULL;
  int status = -1;
  int fd;

  memset (disk, 0, sizeof *disk);
  if (mkfs == NULL)
    mkfs = g_strdup ("/sbin/mkfs.ext4");
  if (!test_tmpfs_mount_with (storage, options))
    return FALSE;
  image = g_build_filename (storage->dir, "disk.img", NULL);
  fd = open (image, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (ftruncate (fd, TEST_THIN_DISK_SIZE), ==, 0);
  close (fd);
  disk->dir = g_dir_make_tmp ("tether-thin-XXXXXX", &error);
  g_assert_no_error (error);
  {
    const char *make[] = { mkfs, "-q", "-F", "-O", "^has_journal", image, NULL };
    const char *loop[] = { "mount", "-o", "loop", image, disk->dir, NULL };

    if (g_spawn_sync (NULL, (char **) make, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                      NULL, NULL, NULL, &out, &status, NULL) &&
        g_spawn_check_wait_status (status, NULL))
      {
        g_clear_pointer (&out, g_free);
        if (g_spawn_sync (NULL, (char **) loop, NULL,
                          G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL,
                          &out, &status, NULL) &&
            g_spawn_check_wait_status (status, NULL))
          {
            disk->mounted = TRUE;
            return TRUE;
          }
      }
  }
  {
    g_autofree char *why = g_strdup_printf ("Cannot make a thin disk here (mkfs.ext4 and a "
                                            "loop device, as root): %s",
                                            out != NULL ? g_strstrip (out) : "");
    test_tmpfs_unmount (disk);
    test_tmpfs_unmount (storage);
    g_test_skip (why);
  }
  return FALSE;
}
