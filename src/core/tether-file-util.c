/* tether-file-util.c: writing a user's file without ever losing it.
 *
 * hosts.conf, ~/.ssh/config, known_hosts and saved terminal text are the
 * user's. A write goes to a new file in the same folder, is flushed to disk,
 * gets the old file's mode and owner and is renamed over the old file, so
 * that a full disk, a read-only mount or a crash leaves the old file as it
 * was, byte for byte. GIO's replace-contents call is not used: on GLib 2.74
 * it truncates the target when the disk is full.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "tether-file-util.h"

/* Linux's MAXSYMLINKS: more links than this in a row is a loop. */
#define MAX_SYMLINK_HOPS 40
/* What a process's umask is when /proc cannot tell (the usual default). */
#define FALLBACK_UMASK 022
/* The permission bits of a mode, set-id and sticky bits included. */
#define MODE_BITS 07777

/* The path as the user knows it: ~ for the home folder. */
static char *
shown_path (const char *path)
{
  const char *home = g_get_home_dir ();
  gsize home_len = strlen (home);
  g_autofree char *utf8 = g_filename_display_name (path);

  if (home_len > 1 && strncmp (utf8, home, home_len) == 0 && utf8[home_len] == '/')
    return g_strconcat ("~", utf8 + home_len, NULL);
  return g_steal_pointer (&utf8);
}

static void
set_write_error (GError     **error,
                 const char  *path,
                 int          errsv)
{
  g_autofree char *shown = shown_path (path);

  switch (errsv) {
  case ENOSPC:
  case EDQUOT:
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                 _("Could not save %s: the disk is full."), shown);
    break;
  case EROFS:
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_READ_ONLY,
                 _("Could not save %s: the disk is read-only."), shown);
    break;
  case EACCES:
  case EPERM:
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                 _("Could not save %s: you are not allowed to change it."), shown);
    break;
  default:
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                 _("Could not save %s: %s"), shown, g_strerror (errsv));
    break;
  }
}

/* The umask, without changing it (umask () would, for every thread). */
static mode_t
current_umask (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return FALLBACK_UMASK;
  line = strstr (status, "\nUmask:");
  if (line == NULL)
    return FALLBACK_UMASK;
  return (mode_t) g_ascii_strtoull (line + strlen ("\nUmask:"), NULL, 8) & 0777;
}

/**
 * tether_file_resolve_links:
 * @path: a file that may be a symbolic link (or a chain of them)
 * @error: return location for a #GError
 *
 * Follows @path's symbolic links to the file they name, which need not exist
 * yet (a dangling link names the file to create). Folders on the way are
 * not resolved: the rename happens in the folder the last link names.
 *
 * Returns: (transfer full): the real file, or %NULL with @error set
 */
char *
tether_file_resolve_links (const char  *path,
                           GError     **error)
{
  g_autofree char *current = g_strdup (path);

  for (guint hop = 0; hop < MAX_SYMLINK_HOPS; hop++) {
    GStatBuf st;
    char link[PATH_MAX];
    gssize n;
    g_autofree char *dir = NULL;

    if (g_lstat (current, &st) != 0) {
      int errsv = errno;

      if (errsv == ENOENT)
        return g_steal_pointer (&current);
      set_write_error (error, path, errsv);
      return NULL;
    }
    if (!S_ISLNK (st.st_mode))
      return g_steal_pointer (&current);
    n = readlink (current, link, sizeof link - 1);
    if (n < 0) {
      set_write_error (error, path, errno);
      return NULL;
    }
    link[n] = '\0';
    dir = g_path_get_dirname (current);
    g_free (current);
    current = g_path_is_absolute (link) ? g_strdup (link) : g_build_filename (dir, link, NULL);
  }
  set_write_error (error, path, ELOOP);
  return NULL;
}

static gboolean
write_all (int          fd,
           const char  *data,
           gsize        length,
           int         *errsv)
{
  while (length > 0) {
    gssize n = write (fd, data, length);

    if (n < 0) {
      if (errno == EINTR)
        continue;
      *errsv = errno;
      return FALSE;
    }
    data += n;
    length -= (gsize) n;
  }
  return TRUE;
}

/* Makes the rename itself durable. A failure here is not the user's
 * problem any more: the new file is in place. */
static void
sync_folder (const char *dir)
{
  int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (fd < 0)
    return;
  if (fsync (fd) != 0 && errno != EINVAL)
    g_debug ("Could not flush the folder %s: %s", dir, g_strerror (errno));
  close (fd);
}

/**
 * tether_file_write_safely:
 * @path: the file to write; symbolic links are followed
 * @contents: the new contents
 * @length: how many bytes of @contents
 * @new_file_mode: the mode of the file when it does not exist yet (the
 *   umask applies); an existing file keeps its mode and owner
 * @cancellable: (nullable): a #GCancellable, checked before the rename
 * @error: return location for a #GError in %G_IO_ERROR
 *
 * Replaces the contents of @path in one rename: on any failure the old
 * file is left byte for byte as it was and no temporary file remains.
 * Blocking: call it on a worker thread.
 *
 * Returns: %TRUE when the file holds @contents
 */
gboolean
tether_file_write_safely (const char    *path,
                          const char    *contents,
                          gsize          length,
                          guint          new_file_mode,
                          GCancellable  *cancellable,
                          GError       **error)
{
  g_autofree char *target = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *base = NULL;
  g_autofree char *tmp_path = NULL;
  gboolean exists;
  mode_t mode;
  GStatBuf st;
  int fd;
  int errsv = 0;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (contents != NULL || length == 0, FALSE);

  target = tether_file_resolve_links (path, error);
  if (target == NULL)
    return FALSE;

  exists = g_stat (target, &st) == 0;
  if (!exists && errno != ENOENT) {
    set_write_error (error, path, errno);
    return FALSE;
  }
  if (exists && !S_ISREG (st.st_mode)) {
    g_autofree char *shown = shown_path (path);

    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE,
                 _("Could not save %s: it is not a regular file."), shown);
    return FALSE;
  }
  mode = exists ? st.st_mode & MODE_BITS : new_file_mode & ~current_umask () & MODE_BITS;

  dir = g_path_get_dirname (target);
  base = g_path_get_basename (target);
  /* Hidden, and in the same folder: rename () only works within one file system. */
  tmp_path = g_strdup_printf ("%s/.%s.XXXXXX", dir, base);
  fd = g_mkstemp_full (tmp_path, O_RDWR | O_CLOEXEC, TETHER_FILE_MODE_PRIVATE);
  if (fd < 0) {
    set_write_error (error, path, errno);
    return FALSE;
  }

  if (!write_all (fd, contents, length, &errsv))
    goto fail;
  /* Owner first: chown clears the set-id bits that fchmod then sets. A
   * group this user is not in cannot be given: the file stays the user's
   * own, which beats refusing to save it. Another user's file is never
   * made ours. */
  if (exists && (st.st_uid != geteuid () || st.st_gid != getegid ()) &&
      fchown (fd, st.st_uid, st.st_gid) != 0 &&
      !(errno == EPERM && st.st_uid == geteuid ())) {
    errsv = errno;
    goto fail;
  }
  if (fchmod (fd, mode) != 0 || fsync (fd) != 0) {
    errsv = errno;
    goto fail;
  }
  /* close () reports delayed write errors on some file systems (NFS). */
  if (close (fd) != 0) {
    fd = -1;
    errsv = errno;
    goto fail;
  }
  fd = -1;

  if (g_cancellable_set_error_if_cancelled (cancellable, error)) {
    g_unlink (tmp_path);
    return FALSE;
  }
  if (g_rename (tmp_path, target) != 0) {
    errsv = errno;
    goto fail;
  }
  sync_folder (dir);
  return TRUE;

fail:
  if (fd >= 0)
    close (fd);
  g_unlink (tmp_path);
  set_write_error (error, path, errsv);
  return FALSE;
}

/* Removes @path and, when it is a folder, everything in it; links are removed, not followed.
 * What cannot be removed stays, silently (caches that are cleaned again later). */
void
tether_file_remove_tree (const char *path)
{
  GStatBuf st;

  if (g_lstat (path, &st) != 0)
    return;
  if (S_ISDIR (st.st_mode)) {
    g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
    const char *name;

    while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
      g_autofree char *child = g_build_filename (path, name, NULL);

      tether_file_remove_tree (child);
    }
    g_rmdir (path);
  } else {
    g_unlink (path);
  }
}
