/* tether-file-flusher.c: flushing a large file while it is still being written.
 *
 * A download ends with an fsync before its rename, so that a crash never leaves a renamed
 * but empty file. With a disk write cache, and more so in a virtual machine whose disk is a
 * file on its host, that flush costs more than the writes: 0.4–0.5 s for 512 MiB that went
 * to the page cache in 0.15 s (Debian 12 VM, ext4). Done only at the end, it is added to the
 * transfer's time. A flusher calls fdatasync () on a thread of its own each time the writer
 * asks, while the writer goes on, so that the final fsync finds only the last steps left.
 *
 * The flusher works on a duplicate of the writer's descriptor: the same open file, so an
 * error it sees is reported once, to it, and never again to the writer's fsync. That is why
 * the writer must ask for it (tether_file_flusher_request () and _free () return it). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "tether-file-util.h"

struct _TetherFileFlusher
{
  GThread *thread;
  GMutex lock;
  GCond cond;
  int fd;                    /* a duplicate of the writer's */
  gboolean wanted;           /* a flush was asked for since the last one began */
  gboolean stopping;
  int error;                 /* the first errno of a flush, or 0 */
};

static gpointer
flusher_thread (gpointer data)
{
  TetherFileFlusher *self = data;

  g_mutex_lock (&self->lock);
  for (;;) {
    int errsv = 0;

    while (!self->wanted && !self->stopping)
      g_cond_wait (&self->cond, &self->lock);
    /* A flush asked for is done, even when stopping: its error must be seen. */
    if (!self->wanted)
      break;
    self->wanted = FALSE;
    g_mutex_unlock (&self->lock);
    if (fdatasync (self->fd) != 0 && errno != EINVAL && errno != EINTR)
      errsv = errno;
    g_mutex_lock (&self->lock);
    if (self->error == 0)
      self->error = errsv;
  }
  g_mutex_unlock (&self->lock);
  return NULL;
}

/* A flusher for @fd, which the caller keeps; NULL (and no flushing ahead) when the
 * descriptor cannot be duplicated or no thread can be started. */
TetherFileFlusher *
tether_file_flusher_new (int fd)
{
  TetherFileFlusher *self;
  GError *error = NULL;
  int dup_fd = fcntl (fd, F_DUPFD_CLOEXEC, 0);

  if (dup_fd < 0)
    return NULL;
  self = g_new0 (TetherFileFlusher, 1);
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->fd = dup_fd;
  self->thread = g_thread_try_new ("tether-flush", flusher_thread, self, &error);
  if (self->thread == NULL) {
    g_debug ("No thread to flush ahead: %s", error->message);
    g_error_free (error);
    close (dup_fd);
    g_mutex_clear (&self->lock);
    g_cond_clear (&self->cond);
    g_free (self);
    return NULL;
  }
  return self;
}

/* Asks for a flush of what was written so far, without waiting for it. Returns the errno
 * of a flush that failed (the file is not safe: stop writing), else 0. */
int
tether_file_flusher_request (TetherFileFlusher *self)
{
  int error;

  g_mutex_lock (&self->lock);
  self->wanted = TRUE;
  error = self->error;
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);
  return error;
}

/* Stops the flusher once the flushes asked for are done, and waits for them. Returns the
 * errno of a flush that failed, else 0. */
int
tether_file_flusher_free (TetherFileFlusher *self)
{
  int error;

  g_mutex_lock (&self->lock);
  self->stopping = TRUE;
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);
  g_thread_join (self->thread);
  error = self->error;
  close (self->fd);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  g_free (self);
  return error;
}
