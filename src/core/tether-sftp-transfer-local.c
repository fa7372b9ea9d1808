/* tether-sftp-transfer-local.c: a download's local .part file, for the pipeline of
 * tether-sftp-transfer.c: opening it where a resume may start, flushing it while it is
 * written (tether-file-flusher.c), keeping it after a stop, and renaming it into place.
 * See "Holes and resume" in tether-sftp-transfer.c. */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "tether-sftp-transfer-job-private.h"

/* A download asks for a flush ahead each time this much more is written: a file smaller
 * than this is flushed at the end only. */
#define FLUSH_STEP ((guint64) 16 * 1024 * 1024)
/* On a download's .part that stopped cleanly (every request answered, the file cut at the
 * contiguous mark and flushed): the mark, in decimal. A resume that finds it equal to the
 * size trusts the whole file. */
#define RESUME_XATTR "user.tether.contiguous"

typedef TetherSftpFileJob Job;

GError *
_tether_sftp_job_write_error (Job *job,
                              int  errsv)
{
  return g_error_new (G_IO_ERROR, g_io_error_from_errno (errsv), _("Could not write “%s”: %s"),
                      job->local_part, g_strerror (errsv));
}

/* Where a resume may start in a partial copy of @size bytes that may hold holes. */
guint64
_tether_sftp_resume_point (guint64 size)
{
  return size > TETHER_SFTP_MAX_SPAN ? size - TETHER_SFTP_MAX_SPAN : 0;
}

/* Where a download may resume in its .part, open on @fd with @size bytes: all of it when a
 * clean stop marked it so (RESUME_XATTR). The mark goes before anything is written: a copy
 * that dies from here on has no mark. */
static guint64
local_resume_point (int     fd,
                    guint64 size)
{
  char text[32] = { 0 };
  ssize_t n = fgetxattr (fd, RESUME_XATTR, text, sizeof text - 1);
  char *end = NULL;
  guint64 mark;

  if (n <= 0)
    return _tether_sftp_resume_point (size);
  (void) fremovexattr (fd, RESUME_XATTR);
  mark = g_ascii_strtoull (text, &end, 10);
  if (end == text || *end != '\0' || mark != size)
    return _tether_sftp_resume_point (size);
  return size;
}

gboolean
_tether_sftp_job_open_local_part (Job     *job,
                                  GError **error)
{
  struct stat st;

  /* A folder's files start over: the folder was just made, or is being replaced. */
  job->fd = g_open (job->local_part,
                    O_RDWR | O_CREAT | O_CLOEXEC | (job->in_tree ? O_TRUNC : 0), 0644);
  if (job->fd < 0 || fstat (job->fd, &st) != 0) {
    int errsv = errno;

    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                 _("Could not open “%s”: %s"), job->local_part, g_strerror (errsv));
    return FALSE;
  }
  /* A .part longer than the source is not a prefix of it: start over. */
  if ((guint64) st.st_size > job->total) {
    if (ftruncate (job->fd, 0) != 0) {
      g_propagate_error (error, _tether_sftp_job_write_error (job, errno));
      return FALSE;
    }
    st.st_size = 0;
  }
  job->contiguous = job->next_offset = local_resume_point (job->fd, st.st_size);
  return TRUE;
}

/* Each FLUSH_STEP of a download's copy: asks the flusher for a flush, without waiting. */
void
_tether_sftp_job_flush_local (Job *job)
{
  int errsv;

  if (job->contiguous - job->flush_asked < FLUSH_STEP)
    return;
  job->flush_asked = job->contiguous;
  if (job->flusher == NULL)
    job->flusher = tether_file_flusher_new (job->fd);
  if (job->flusher != NULL && (errsv = tether_file_flusher_request (job->flusher)) != 0)
    _tether_sftp_job_fail (job, _tether_sftp_job_write_error (job, errsv));
}

/* Stops the flusher once its flush under way is done. A failed flush fails the copy (the
 * final fsync would not see its error again); FALSE then. */
gboolean
_tether_sftp_job_stop_flusher (Job *job)
{
  int errsv = job->flusher != NULL ? tether_file_flusher_free (job->flusher) : 0;

  job->flusher = NULL;
  if (errsv == 0)
    return TRUE;
  _tether_sftp_job_fail (job, _tether_sftp_job_write_error (job, errsv));
  return FALSE;
}

/* A download that stops without finishing, with every request answered: keeps what is known
 * to be there, with no hole, and marks it so when it is on disk (see local_resume_point ()). */
void
_tether_sftp_job_keep_partial (Job *job)
{
  char text[32];
  /* After a failed flush ahead the copy is not marked: its fdatasync below would not see
   * that error again. */
  gboolean flushed = _tether_sftp_job_stop_flusher (job);

  if (job->upload || job->fd < 0 || ftruncate (job->fd, (off_t) job->contiguous) != 0 ||
      !flushed || job->in_tree || fdatasync (job->fd) != 0)
    return;
  g_snprintf (text, sizeof text, "%" G_GUINT64_FORMAT, job->contiguous);
  /* Without user xattrs (some file systems), a resume backs off as after a crash. */
  (void) fsetxattr (job->fd, RESUME_XATTR, text, strlen (text), 0);
}

/* A complete download: its .part cut, given its mode, flushed and renamed into place. */
void
_tether_sftp_job_commit_local (Job *job)
{
  int errsv;

  if (!_tether_sftp_job_stop_flusher (job))
    return;
  /* A folder's files skip the fsync: thousands of them cost seconds, as `sftp -r` knows. */
  if (ftruncate (job->fd, (off_t) job->contiguous) != 0 ||
      (job->mode != 0 && fchmod (job->fd, job->mode) != 0) ||
      (!job->in_tree && fsync (job->fd) != 0) ||
      close (job->fd) != 0) {
    errsv = errno;
    job->fd = -1;
    _tether_sftp_job_fail (job, _tether_sftp_job_write_error (job, errsv));
    return;
  }
  job->fd = -1;
  if (g_rename (job->local_part, job->local) != 0) {
    errsv = errno;
    _tether_sftp_job_fail (job, g_error_new (G_IO_ERROR, g_io_error_from_errno (errsv),
                                _("Could not rename “%s”: %s"), job->local_part,
                                g_strerror (errsv)));
  }
}
