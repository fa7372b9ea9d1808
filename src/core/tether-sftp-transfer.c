/* tether-sftp-transfer.c: pipelined downloads and uploads.
 *
 * Folders are in tether-sftp-transfer-tree.c, on the same thread and client; a download's
 * local .part file in tether-sftp-transfer-local.c.
 *
 * Each transfer (set up in tether-sftp-transfer-run.c) opens a session channel of its own
 * (browsing on the client's channel stays responsive; a sudo client's transfer starts a root
 * sftp-server of its own there, as in tether-sftp-sudo.c) and runs on a thread of GTask's
 * pool with a private main context: a second, private TetherSftpClient on that context
 * drives the requests, and the local file is read and written there, never on the caller's
 * (UI) thread. The connection's worker moves the channel's bytes as for any channel.
 *
 * Requests are pipelined with a slow start: INITIAL_WINDOW requests of INITIAL_CHUNK bytes,
 * each reply growing the chunk (to TETHER_SFTP_MAX_IO) and the window (to MAX_WINDOW).
 * A download's window also follows the round trip of its reads, as TCP Vegas does: the
 * replies queued behind the one that arrives are window * (srtt - min_rtt) / srtt. It grows
 * while that is under QUEUE_LOW and shrinks (once per window of replies, not below
 * FLOOR_WINDOW) while it is over QUEUE_HIGH. Far away, the round trip hardly grows and the
 * window reaches MAX_WINDOW; near by, where the bottleneck is this machine reading the
 * socket, a full window only makes a queue in front of everything else on the connection: a
 * terminal's echo waited for 64 x 255 KiB of file data (bench-sftp-echo's p99 28.5 ms with
 * the fixed window, 9.3 ms with 8).
 * Replies may come in any order; a short read asks again for the rest.
 *
 * A download writes NAME.part, then fsyncs and renames it over NAME; it resumes from an
 * existing NAME.part. An upload writes REMOTE.part, then renames it over REMOTE, so that a
 * failure leaves the previous REMOTE intact; it resumes from REMOTE.part's size.
 *
 * Striping: a large upload also writes through a second channel with an sftp-server of its
 * own. A server gives each channel a window (OpenSSH's sshd: 2 MiB), which caps one channel
 * at window / round trip (42 MB/s at 50 ms); two channels double that. The second lane is
 * set up while the first already sends, and the upload goes on without it when the server
 * refuses it.
 *
 * Holes and resume: replies may complete out of order (two lanes, or a server that runs
 * requests in parallel), and a process can die at any moment, so a .part may hold a hole
 * below its size. Requests never reach more than TETHER_SFTP_MAX_SPAN past the contiguous mark (all
 * bytes below it were acknowledged), so everything below size - that span is there: a resume
 * starts from that point, not from the size. A download that stopped cleanly (cancelled, a
 * failed request, a lost connection) cuts its .part at the mark, flushes it and says so in
 * an extended attribute; a resume that finds it starts from the size. */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tether-connection.h"
#include "tether-connection-private.h"
#include "tether-error.h"
#include "tether-session-channel.h"
#include "tether-sftp-client-private.h"
#include "tether-sftp-transfer-job-private.h"

#define INITIAL_WINDOW 4
#define INITIAL_CHUNK (32 * 1024)
/* 64 x 255 KiB in flight covers ~16 MiB of bandwidth-delay product (e.g. 300 MB/s at
 * 50 ms), while the channel's queues keep memory bounded. */
#define MAX_WINDOW 64
/* A download's window never shrinks below this (2 MiB): on loopback 8 requests kept the
 * throughput of 64. */
#define FLOOR_WINDOW 8
#define QUEUE_LOW 2
#define QUEUE_HIGH 4
#define PART_SUFFIX ".part"
#define EXT_FSYNC "fsync@openssh.com"
/* An upload's flush ahead costs its second lane a round trip (it drains first): at 50 ms,
 * every 16 MiB took 6 % off bench-sftp-wan's upload; every 64 MiB costs a quarter of that.
 * A download's: TETHER_SFTP_FLUSH_STEP. */
#define UPLOAD_FLUSH_STEP ((guint64) 64 * 1024 * 1024)
/* What must be left of an upload to set up a second lane: its setup takes four round trips
 * (channel, subsystem, INIT, OPEN), during which the first lane sends on. */
#define STRIPE_MIN ((guint64) 16 * 1024 * 1024)

typedef TetherSftpFileJob Job;

typedef struct
{
  Job *job;
  guint64 offset;
  guint32 length;
  gboolean stripe;           /* sent on the second lane */
  gint64 sent;               /* download: when, in g_get_monotonic_time () */
} Request;

static gint
offset_cmp (gconstpointer a,
            gconstpointer b,
            gpointer      data)
{
  guint64 x = *(const guint64 *) a;
  guint64 y = *(const guint64 *) b;

  return x < y ? -1 : x > y;
}

static void
job_free (Job *job)
{
  /* The last task reference, and this, may go on the job's thread: the objects the UI
   * watches too are released on the caller's context. */
  _tether_context_unref (job->owner, g_steal_pointer (&job->stripe.client));
  _tether_context_unref (job->owner, g_steal_pointer (&job->stripe.channel));
  _tether_context_unref (job->owner, g_steal_pointer (&job->channel));
  _tether_context_unref (job->owner, g_steal_pointer (&job->connection));
  g_main_context_unref (job->owner);
  /* Already stopped by job_done () on the job's thread whenever the copy began: this
   * never waits for a flush on the caller's. */
  if (job->flusher != NULL)
    (void) tether_file_flusher_free (job->flusher);
  g_free (job->remote);
  g_free (job->remote_part);
  g_free (job->local);
  g_free (job->local_part);
  g_clear_pointer (&job->transfer, _tether_transfer_release);
  g_clear_pointer (&job->handle, g_bytes_unref);
  g_clear_pointer (&job->stripe.handle, g_bytes_unref);
  g_clear_pointer (&job->completed, g_tree_unref);
  g_clear_error (&job->error);
  if (job->fd >= 0)
    close (job->fd);
  g_free (job);
}

/* Stops issuing requests; the first failure is the one reported. */
void
_tether_sftp_job_fail (Job    *job,
                      GError *error)
{
  if (job->error == NULL)
    job->error = error;
  else
    g_error_free (error);
}

static gboolean
job_cancelled (Job *job)
{
  if (job->error == NULL && g_cancellable_is_cancelled (job->cancellable))
    job->error = g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("The transfer was cancelled."));
  return job->error != NULL;
}

static GError *
status_error (const TetherSftpReply *reply,
              const GError          *error,
              guint8                 expected)
{
  if (error != NULL)
    return g_error_copy (error);
  /* A STATUS is checked first: when STATUS is what was expected, only FX_OK is success. */
  if (reply->type == TETHER_SFTP_STATUS) {
    if (expected == TETHER_SFTP_STATUS && reply->status == TETHER_SFTP_FX_OK)
      return NULL;
    return _tether_sftp_status_to_error (reply->status, &reply->message);
  }
  if (reply->type == expected)
    return NULL;
  return g_error_new (TETHER_ERROR, TETHER_ERROR_PROTOCOL,
                      _("The SFTP server sent an unexpected reply (type %u)."), reply->type);
}

/* What a WRITE, CLOSE or fsync of an upload's file answered, for a person: the server's
 * own text is often only "Failure" (OpenSSH's sftp-server says so for a full disk). */
static GError *
upload_status_error (Job                   *job,
                     const TetherSftpReply *reply,
                     const GError          *error)
{
  GError *status = status_error (reply, error, TETHER_SFTP_STATUS);
  g_autofree char *name = NULL;
  GError *wrapped;

  if (status == NULL || error != NULL || status->domain != G_IO_ERROR)
    return status;
  name = g_utf8_make_valid (job->remote, -1);
  if (status->code == G_IO_ERROR_FAILED)
    wrapped = g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED,
                           _("The server could not write “%s”: %s. Its disk may be full."),
                           name, status->message);
  else
    wrapped = g_error_new (G_IO_ERROR, status->code, _("The server could not write “%s”: %s"),
                           name, status->message);
  g_error_free (status);
  return wrapped;
}

static TetherSftpSpan
handle_span (GBytes *handle)
{
  TetherSftpSpan span = { g_bytes_get_data (handle, NULL), g_bytes_get_size (handle) };

  return span;
}

/* Sends CLOSE for *@handle on @client, and forgets the handle. */
static void
send_close (TetherSftpClient    *client,
            GBytes             **handle,
            TetherSftpReplyFunc  func,
            Job                 *job)
{
  guint32 id = _tether_sftp_client_next_id (client);
  TetherSftpSpan span = handle_span (*handle);
  g_autoptr(GBytes) msg = _tether_sftp_encode_handle (TETHER_SFTP_CLOSE, id, &span, NULL);

  g_clear_pointer (handle, g_bytes_unref);
  _tether_sftp_client_send (client, id, msg, func, job);
}

/* A large copy is flushed while it is written, so that the final fsync finds little left.
 * A download's: see _tether_sftp_job_flush_local (). An upload's, on the server: its second
 * lane stops taking writes, and once those it has are answered it sends fsync@openssh.com
 * (which flushes the whole file, whichever handle wrote it) while the first lane goes on;
 * see pump (). A folder's files are not flushed at all (see commit ()). */
static void
flush_ahead (Job *job)
{
  if (job->in_tree)
    return;
  if (!job->upload) {
    _tether_sftp_job_flush_local (job);
    return;
  }
  if (job->contiguous - job->flush_asked < UPLOAD_FLUSH_STEP)
    return;
  job->flush_asked = job->contiguous;
  job->flush_wanted = job->stripe.handle != NULL &&
                      tether_sftp_client_has_extension (job->stripe.client, EXT_FSYNC);
}

/* Records [offset, offset + length) as done; advances the contiguous mark. */
static void
complete_range (Job     *job,
                guint64  offset,
                guint64  length)
{
  guint64 *key;

  if (length == 0)
    return;
  _tether_transfer_add (job->transfer, length);
  if (offset != job->contiguous) {
    key = g_new (guint64, 1);
    *key = offset;
    g_tree_insert (job->completed, key, g_memdup2 (&length, sizeof length));
    return;
  }
  job->contiguous += length;
  for (;;) {
    guint64 *len = g_tree_lookup (job->completed, &job->contiguous);

    if (len == NULL)
      break;
    length = *len;
    g_tree_remove (job->completed, &job->contiguous);
    job->contiguous += length;
  }
  flush_ahead (job);
}

static void
grow (Job *job)
{
  job->window = MIN (job->window + 1, MAX_WINDOW);
  job->chunk = MIN (job->chunk * 2, TETHER_SFTP_MAX_IO);
}

/* A full read's reply came @rtt µs after its request: the slow start while reads are
 * smaller than the largest, then the Vegas rule described at the top. */
static void
grow_read (Job    *job,
           guint32 length,
           gint64  rtt)
{
  guint queued;

  /* A full-size read means the chunk has already grown to its largest. */
  if (length < TETHER_SFTP_MAX_IO) {
    grow (job);
    return;
  }
  rtt = MAX (rtt, 1);
  job->min_rtt = job->min_rtt == 0 ? rtt : MIN (job->min_rtt, rtt);
  job->srtt = job->srtt == 0 ? rtt : (7 * job->srtt + rtt) / 8;
  job->since_shrink++;
  /* Every sample is at least min_rtt, so their average srtt is too. */
  queued = (guint) ((job->window * (job->srtt - job->min_rtt)) / job->srtt);
  if (queued < QUEUE_LOW) {
    job->window = MIN (job->window + 1, MAX_WINDOW);
  } else if (queued > QUEUE_HIGH && job->window > FLOOR_WINDOW &&
             job->since_shrink >= job->window) {
    job->window--;
    job->since_shrink = 0;
  }
}

static void pump (Job *job);

/* ------------------------------------------------------------------------- */
/* The end: close the handle, commit or keep the partial file                */

static void
job_done (Job *job)
{
  /* Waits for a flush under way: the copy stays open until then. */
  _tether_sftp_job_stop_flusher (job);
  job->finished = TRUE;
  if (job->done_func != NULL)
    job->done_func (job, job->done_data);
  else
    g_main_context_wakeup (job->ctx);
}

static void
finish_rename_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Job *job = user_data;
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    _tether_sftp_job_fail (job, error);
  job_done (job);
}

static void
commit (Job *job)
{
  if (job->upload && job->in_tree) {
    job_done (job);
    return;
  }
  if (job->upload) {
    GTask *task = g_task_new (job->client, NULL, finish_rename_cb, job);

    g_task_set_name (task, "[tether] sftp upload rename");
    _tether_sftp_client_rename (job->client, job->remote_part, job->remote, TRUE, task);
    return;
  }

  _tether_sftp_job_commit_local (job);
  job_done (job);
}

static void
close_reply_cb (TetherSftpClient      *client,
                const TetherSftpReply *reply,
                const GError          *error,
                gpointer               data)
{
  Job *job = data;
  GError *status = upload_status_error (job, reply, error);

  /* An upload's CLOSE is where some servers report a failed write. */
  if (status != NULL && job->upload)
    _tether_sftp_job_fail (job, status);
  else
    g_clear_error (&status);
  if (job->error != NULL) {
    /* Keep the partial file; cut a download's at what is known to be there, so that a
     * resume never trusts a hole left by replies that came out of order. */
    _tether_sftp_job_keep_partial (job);
    job_done (job);
    return;
  }
  commit (job);
}

static void
fsync_reply_cb (TetherSftpClient      *client,
                const TetherSftpReply *reply,
                const GError          *error,
                gpointer               data)
{
  Job *job = data;
  GError *status = upload_status_error (job, reply, error);

  job->fsync_pending = FALSE;
  job->fsynced = TRUE;
  if (status != NULL)
    _tether_sftp_job_fail (job, status);
  pump (job);
}

static void
close_handle (Job *job)
{
  if (job->handle == NULL || tether_sftp_client_is_closed (job->client)) {
    if (job->error == NULL)
      job->error = _tether_sftp_client_dup_error (job->client);
    _tether_sftp_job_keep_partial (job);
    job_done (job);
    return;
  }
  send_close (job->client, &job->handle, close_reply_cb, job);
}

/* ------------------------------------------------------------------------- */
/* The pipeline                                                              */

static void read_reply_cb (TetherSftpClient *client, const TetherSftpReply *reply,
                           const GError *error, gpointer data);
static void write_reply_cb (TetherSftpClient *client, const TetherSftpReply *reply,
                            const GError *error, gpointer data);

static void
send_read (Job     *job,
           guint64  offset,
           guint32  length)
{
  Request *req = g_new0 (Request, 1);
  guint32 id = _tether_sftp_client_next_id (job->client);
  TetherSftpSpan span = handle_span (job->handle);
  g_autoptr(GBytes) msg = _tether_sftp_encode_read (id, &span, offset, length, NULL);

  req->job = job;
  req->offset = offset;
  req->length = length;
  req->sent = g_get_monotonic_time ();
  job->in_flight++;
  _tether_sftp_client_send (job->client, id, msg, read_reply_cb, req);
}

static gboolean
send_write (Job      *job,
            gboolean  stripe)
{
  TetherSftpClient *client = stripe ? job->stripe.client : job->client;
  GBytes *handle = stripe ? job->stripe.handle : job->handle;
  g_autofree guint8 *buffer = NULL;
  guint32 length = (guint32) MIN ((guint64) job->chunk, job->total - job->next_offset);
  gssize n;
  Request *req;
  guint32 id;
  TetherSftpSpan span;
  g_autoptr(GBytes) msg = NULL;

  length = MIN (length, TETHER_SFTP_MAX_WRITE);
  buffer = g_malloc (length);
  do
    n = pread (job->fd, buffer, length, (off_t) job->next_offset);
  while (n < 0 && errno == EINTR);
  if (n <= 0) {
    int errsv = n < 0 ? errno : EIO;

    _tether_sftp_job_fail (job, g_error_new (G_IO_ERROR, g_io_error_from_errno (errsv),
                                _("Could not read “%s”: %s"), job->local,
                                n < 0 ? g_strerror (errsv) : _("the file became shorter")));
    return FALSE;
  }
  id = _tether_sftp_client_next_id (client);
  span = handle_span (handle);
  msg = _tether_sftp_encode_write (id, &span, job->next_offset, buffer, n, NULL);
  req = g_new0 (Request, 1);
  req->job = job;
  req->offset = job->next_offset;
  req->length = n;
  req->stripe = stripe;
  job->next_offset += n;
  job->in_flight++;
  if (stripe)
    job->stripe.in_flight++;
  _tether_sftp_client_send (client, id, msg, write_reply_cb, req);
  return TRUE;
}

/* Queues the next write on the lane with room and fewer requests out. */
static gboolean
send_next_write (Job *job)
{
  guint first = job->in_flight - job->stripe.in_flight;
  gboolean first_room = first < job->window;
  gboolean stripe_room = job->stripe.handle != NULL && !job->stripe.closing &&
                         !job->flush_wanted && !job->stripe.flushing &&
                         job->stripe.in_flight < job->window;

  if (!first_room && !stripe_room)
    return FALSE;
  return send_write (job, stripe_room && (!first_room || job->stripe.in_flight < first));
}

static void
stripe_close_reply_cb (TetherSftpClient      *client,
                       const TetherSftpReply *reply,
                       const GError          *error,
                       gpointer               data)
{
  Job *job = data;
  GError *status = upload_status_error (job, reply, error);

  /* Some servers report a failed write only at CLOSE. */
  if (status != NULL)
    _tether_sftp_job_fail (job, status);
  job->stripe.closing = FALSE;
  pump (job);
}

/* Once nothing is out on the second lane: closes its handle. Returns TRUE while that (or
 * the lane's setup) is still to be waited for. */
static gboolean
stripe_settle (Job *job)
{
  if (job->stripe.opening || job->stripe.closing)
    return TRUE;
  if (job->stripe.handle == NULL)
    return FALSE;
  if (tether_sftp_client_is_closed (job->stripe.client)) {
    if (job->error == NULL)
      job->error = _tether_sftp_client_dup_error (job->stripe.client);
    g_clear_pointer (&job->stripe.handle, g_bytes_unref);
    return FALSE;
  }
  job->stripe.closing = TRUE;
  send_close (job->stripe.client, &job->stripe.handle, stripe_close_reply_cb, job);
  return TRUE;
}

static void
flush_ahead_reply_cb (TetherSftpClient      *client,
                      const TetherSftpReply *reply,
                      const GError          *error,
                      gpointer               data)
{
  Job *job = data;
  GError *status = upload_status_error (job, reply, error);

  job->in_flight--;
  job->stripe.in_flight--;
  job->stripe.flushing = FALSE;
  if (status != NULL)
    _tether_sftp_job_fail (job, status);
  pump (job);
}

/* An upload's flush ahead (see flush_ahead ()), once the second lane has nothing out. */
static void
maybe_send_flush_ahead (Job *job)
{
  guint32 id;
  TetherSftpSpan span;
  g_autoptr(GBytes) msg = NULL;

  if (!job->flush_wanted || job->stripe.in_flight > 0 || job->stripe.handle == NULL ||
      job->stripe.closing)
    return;
  job->flush_wanted = FALSE;
  /* Everything is sent: the final fsync is next. */
  if (job->next_offset >= job->total)
    return;
  id = _tether_sftp_client_next_id (job->stripe.client);
  span = handle_span (job->stripe.handle);
  msg = _tether_sftp_encode_extended (id, EXT_FSYNC, (const char *) span.data, span.len,
                                      NULL, NULL);
  job->stripe.flushing = TRUE;
  job->in_flight++;
  job->stripe.in_flight++;
  _tether_sftp_client_send (job->stripe.client, id, msg, flush_ahead_reply_cb, job);
}

/* Fills the window with new requests, or ends the transfer once nothing is left. */
static void
pump (Job *job)
{
  job_cancelled (job);
  if (job->error == NULL) {
    for (;;) {
      /* Never further than TETHER_SFTP_MAX_SPAN past what is known to be there. */
      if (job->next_offset - job->contiguous >= TETHER_SFTP_MAX_SPAN)
        break;
      if (job->upload) {
        if (job->next_offset >= job->total || !send_next_write (job))
          break;
      } else {
        /* Ask up to the size seen at the start plus one read that finds the end (the file
         * may have grown); the EOF tells where it really ends. */
        guint32 length = job->chunk;

        if (job->in_flight >= job->window || job->eof_offset != G_MAXUINT64 ||
            (job->next_offset > job->total && job->in_flight > 0))
          break;
        /* End the last read at the size, so that the one finding the end goes with it:
         * a small file then takes one round trip, not two. */
        if (job->next_offset < job->total)
          length = (guint32) MIN ((guint64) length, job->total - job->next_offset);
        send_read (job, job->next_offset, length);
        job->next_offset += length;
      }
    }
  }
  if (job->error == NULL && job->upload)
    maybe_send_flush_ahead (job);
  if (job->in_flight > 0 || job->fsync_pending)
    return;
  /* The second lane's writes are all answered: close it before the fsync and the rename. */
  if (stripe_settle (job))
    return;

  /* Everything answered: the upload's data to disk before the rename, then close. */
  if (job->error == NULL && job->upload && job->handle != NULL && !job->in_tree &&
      tether_sftp_client_has_extension (job->client, EXT_FSYNC) &&
      !job->fsynced) {
    guint32 id = _tether_sftp_client_next_id (job->client);
    TetherSftpSpan span = handle_span (job->handle);
    g_autoptr(GBytes) msg = _tether_sftp_encode_extended (id, EXT_FSYNC,
                                                          (const char *) span.data, span.len,
                                                          NULL, NULL);

    job->fsync_pending = TRUE;
    _tether_sftp_client_send (job->client, id, msg, fsync_reply_cb, job);
    return;
  }
  close_handle (job);
}

static void
read_reply_cb (TetherSftpClient      *client,
               const TetherSftpReply *reply,
               const GError          *error,
               gpointer               data)
{
  g_autofree Request *req = data;
  Job *job = req->job;

  job->in_flight--;
  if (error != NULL) {
    _tether_sftp_job_fail (job, g_error_copy (error));
  } else if (reply->type == TETHER_SFTP_STATUS && reply->status == TETHER_SFTP_FX_EOF) {
    job->eof_offset = MIN (job->eof_offset, req->offset);
  } else if (reply->type == TETHER_SFTP_DATA && reply->data.len <= req->length &&
             reply->data.len > 0) {
    gsize done = 0;

    while (done < reply->data.len) {
      gssize n = pwrite (job->fd, reply->data.data + done, reply->data.len - done,
                         (off_t) (req->offset + done));

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0) {
        _tether_sftp_job_fail (job, _tether_sftp_job_write_error (job, errno));
        break;
      }
      done += n;
    }
    if (done == reply->data.len) {
      complete_range (job, req->offset, done);
      if (done == req->length)
        grow_read (job, req->length, g_get_monotonic_time () - req->sent);
      else if (job->error == NULL && job->eof_offset == G_MAXUINT64)
        /* A short read: ask again for the rest. */
        send_read (job, req->offset + done, req->length - done);
    }
  } else {
    GError *status = status_error (reply, NULL, TETHER_SFTP_DATA);

    if (status == NULL)
      status = g_error_new (TETHER_ERROR, TETHER_ERROR_PROTOCOL,
                            _("The SFTP server sent more data than was asked for."));
    _tether_sftp_job_fail (job, status);
  }
  /* A short read below the end keeps its rest in flight; completion needs nothing open. */
  if (job->eof_offset != G_MAXUINT64 && job->error == NULL && job->in_flight == 0 &&
      job->contiguous < job->eof_offset)
    _tether_sftp_job_fail (job, g_error_new (TETHER_ERROR, TETHER_ERROR_PROTOCOL,
                                _("The SFTP server ended the file before data it had sent.")));
  pump (job);
}

static void
write_reply_cb (TetherSftpClient      *client,
                const TetherSftpReply *reply,
                const GError          *error,
                gpointer               data)
{
  g_autofree Request *req = data;
  Job *job = req->job;
  GError *status = upload_status_error (job, reply, error);

  job->in_flight--;
  if (req->stripe)
    job->stripe.in_flight--;
  if (status != NULL) {
    _tether_sftp_job_fail (job, status);
  } else {
    complete_range (job, req->offset, req->length);
    grow (job);
  }
  pump (job);
}

static void
setstat_reply_cb (TetherSftpClient      *client,
                  const TetherSftpReply *reply,
                  const GError          *error,
                  gpointer               data)
{
  Job *job = data;
  GError *status = status_error (reply, error, TETHER_SFTP_STATUS);

  job->in_flight--;
  /* The data is what was asked for; a file system without Unix permissions (a FAT or SMB
   * mount on the server) refuses the mode, and that costs the copy nothing, as with
   * `sftp -p`. A lost connection shows in the next request. */
  if (status != NULL && error == NULL) {
    g_debug ("Could not set the permissions of “%s”: %s", job->remote_part, status->message);
    g_clear_error (&status);
  }
  if (status != NULL)
    _tether_sftp_job_fail (job, status);
  pump (job);
}

/* The server's umask applies to OPEN's permissions; set them exactly, in the pipeline. */
static void
send_fsetstat_mode (Job *job)
{
  TetherSftpAttrs attrs = { 0 };
  guint32 id = _tether_sftp_client_next_id (job->client);
  TetherSftpSpan span = handle_span (job->handle);
  GError *error = NULL;
  g_autoptr(GBytes) msg = NULL;

  attrs.flags = TETHER_SFTP_ATTR_PERMISSIONS;
  attrs.permissions = job->mode;
  msg = _tether_sftp_encode_fsetstat (id, &span, &attrs, &error);
  if (msg == NULL) {
    _tether_sftp_job_fail (job, error);
    return;
  }
  job->in_flight++;
  _tether_sftp_client_send (job->client, id, msg, setstat_reply_cb, job);
}

/* ------------------------------------------------------------------------- */
/* The second lane of an upload                                              */

/* The setup ended (@error: why it did not get a handle; the upload goes on without). */
static void
stripe_ready (Job    *job,
              GError *error)
{
  if (error != NULL) {
    g_debug ("Uploading “%s” on one channel: %s", job->remote, error->message);
    g_error_free (error);
  }
  job->stripe.opening = FALSE;
  pump (job);
}

/* No point going on: the upload failed, or the first lane sent everything meanwhile. */
static gboolean
stripe_moot (Job *job)
{
  return job->error != NULL || g_cancellable_is_cancelled (job->cancellable) ||
         job->next_offset >= job->total;
}

static void
stripe_open_cb (TetherSftpClient      *client,
                const TetherSftpReply *reply,
                const GError          *error,
                gpointer               data)
{
  Job *job = data;
  GError *status = status_error (reply, error, TETHER_SFTP_HANDLE);

  if (status == NULL)
    job->stripe.handle = g_bytes_new (reply->handle.data, reply->handle.len);
  stripe_ready (job, status);
}

static void
stripe_client_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Job *job = user_data;
  TetherSftpAttrs attrs = { 0 };
  GError *error = NULL;
  g_autoptr(GBytes) msg = NULL;
  guint32 id;

  job->stripe.client = tether_sftp_client_new_finish (result, &error);
  if (job->stripe.client == NULL || stripe_moot (job)) {
    stripe_ready (job, error);
    return;
  }
  /* The first lane made the file (and cut it when not resuming): open it as it is. */
  id = _tether_sftp_client_next_id (job->stripe.client);
  msg = _tether_sftp_encode_open (id, job->remote_part, -1, TETHER_SFTP_OPEN_WRITE, &attrs,
                                  &error);
  if (msg == NULL) {
    stripe_ready (job, error);
    return;
  }
  _tether_sftp_client_send (job->stripe.client, id, msg, stripe_open_cb, job);
}

static void
stripe_subsystem_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  Job *job = user_data;
  GError *error = NULL;

  if (!tether_session_channel_request_subsystem_finish (job->stripe.channel, result, &error) ||
      stripe_moot (job)) {
    stripe_ready (job, error);
    return;
  }
  _tether_sftp_client_new_for_channel_async (job->connection,
                                             G_IO_STREAM (job->stripe.channel), NULL,
                                             stripe_client_cb, job);
}

static void
stripe_session_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Job *job = user_data;
  GError *error = NULL;

  job->stripe.channel = tether_connection_open_session_finish (job->connection, result, &error);
  if (job->stripe.channel == NULL || stripe_moot (job)) {
    stripe_ready (job, error);
    return;
  }
  _tether_channel_set_bulk (TETHER_CHANNEL (job->stripe.channel));
  tether_session_channel_request_subsystem_async (job->stripe.channel, "sftp", NULL,
                                                  stripe_subsystem_cb, job);
}

/* A file upload with enough left: set up the second lane (on this thread's context). */
static void
maybe_start_stripe (Job *job)
{
  if (!job->upload || job->in_tree || job->sudo || job->connection == NULL ||
      job->total - job->next_offset < STRIPE_MIN)
    return;
  job->stripe.opening = TRUE;
  tether_connection_open_session_async (job->connection, NULL, stripe_session_cb, job);
}

/* ------------------------------------------------------------------------- */
/* Starting                                                                  */

static void
open_reply_cb (TetherSftpClient      *client,
               const TetherSftpReply *reply,
               const GError          *error,
               gpointer               data)
{
  Job *job = data;
  GError *status = status_error (reply, error, TETHER_SFTP_HANDLE);

  if (status != NULL) {
    _tether_sftp_job_fail (job, status);
    job_done (job);
    return;
  }
  job->handle = g_bytes_new (reply->handle.data, reply->handle.len);
  if (!job->in_tree)
    _tether_transfer_start (job->transfer, job->contiguous, job->total);
  else if (job->upload && job->mode != 0)
    send_fsetstat_mode (job);
  maybe_start_stripe (job);
  pump (job);
}

static void
send_open (Job        *job,
           const char *path,
           guint32     pflags,
           guint32     mode)
{
  TetherSftpAttrs attrs = { 0 };
  guint32 id = _tether_sftp_client_next_id (job->client);
  GError *error = NULL;
  g_autoptr(GBytes) msg = NULL;

  if (mode != 0) {
    attrs.flags = TETHER_SFTP_ATTR_PERMISSIONS;
    attrs.permissions = mode;
  }
  msg = _tether_sftp_encode_open (id, path, -1, pflags, &attrs, &error);
  if (msg == NULL) {
    _tether_sftp_job_fail (job, error);
    job_done (job);
    return;
  }
  _tether_sftp_client_send (job->client, id, msg, open_reply_cb, job);
}

static void
tree_done_cb (GError   *error,
              gpointer  data)
{
  Job *job = data;

  if (error != NULL)
    _tether_sftp_job_fail (job, error);
  job_done (job);
}

/* The source is a folder: copy the tree on this transfer's client. */
static void
job_run_tree (Job     *job,
              guint32  mode)
{
  _tether_sftp_tree_run (job->client, job->upload, job->remote, job->local, mode,
                         job->transfer, job->cancellable, tree_done_cb, job);
}

/* A file of a folder: no resume and no stat, the tree's listing told its size. */
static void
tree_file_begin (Job *job)
{
  GError *error = NULL;

  if (job->upload) {
    struct stat st;

    job->fd = g_open (job->local, O_RDONLY | O_CLOEXEC, 0);
    if (job->fd < 0 || fstat (job->fd, &st) != 0) {
      int errsv = errno;

      _tether_sftp_job_fail (job, g_error_new (G_IO_ERROR, g_io_error_from_errno (errsv),
                                  _("Could not open “%s”: %s"), job->local,
                                  g_strerror (errsv)));
      job_done (job);
      return;
    }
    job->total = st.st_size;
    /* Straight to the name, as `sftp -r` does: a temporary name and a rename per file
     * are two more operations on the server's folder, which dominate small files. */
    send_open (job, job->remote,
               TETHER_SFTP_OPEN_WRITE | TETHER_SFTP_OPEN_CREAT | TETHER_SFTP_OPEN_TRUNC,
               job->mode);
    return;
  }
  if (!_tether_sftp_job_open_local_part (job, &error)) {
    _tether_sftp_job_fail (job, error);
    job_done (job);
    return;
  }
  send_open (job, job->remote, TETHER_SFTP_OPEN_READ, 0);
}

static void
stat_reply_cb (TetherSftpClient      *client,
               const TetherSftpReply *reply,
               const GError          *error,
               gpointer               data)
{
  Job *job = data;

  if (job->upload) {
    guint32 pflags = TETHER_SFTP_OPEN_WRITE | TETHER_SFTP_OPEN_CREAT;
    struct stat st;

    if (error != NULL) {
      _tether_sftp_job_fail (job, g_error_copy (error));
      job_done (job);
      return;
    }
    /* Resume from the part the server has, when it is no longer than the source. */
    if (reply->type == TETHER_SFTP_ATTRS && (reply->attrs.flags & TETHER_SFTP_ATTR_SIZE) &&
        reply->attrs.size <= job->total)
      job->contiguous = job->next_offset = _tether_sftp_resume_point (reply->attrs.size);
    else
      pflags |= TETHER_SFTP_OPEN_TRUNC;
    if (fstat (job->fd, &st) != 0)
      st.st_mode = 0644;
    send_open (job, job->remote_part, pflags, st.st_mode & 0777);
    return;
  }

  {
    GError *status = status_error (reply, error, TETHER_SFTP_ATTRS);
    GError *local_error = NULL;

    if (status == NULL && (reply->attrs.flags & TETHER_SFTP_ATTR_PERMISSIONS) &&
        S_ISDIR (reply->attrs.permissions)) {
      job_run_tree (job, reply->attrs.permissions & 07777);
      return;
    }
    if (status != NULL) {
      _tether_sftp_job_fail (job, status);
      job_done (job);
      return;
    }
    job->total = (reply->attrs.flags & TETHER_SFTP_ATTR_SIZE) ? reply->attrs.size : 0;
    if (!_tether_sftp_job_open_local_part (job, &local_error)) {
      _tether_sftp_job_fail (job, local_error);
      job_done (job);
      return;
    }
    send_open (job, job->remote, TETHER_SFTP_OPEN_READ, 0);
  }
}

void
_tether_sftp_job_begin (Job *job)
{
  guint32 id = _tether_sftp_client_next_id (job->client);
  GError *error = NULL;
  g_autoptr(GBytes) msg = NULL;

  if (job->upload) {
    struct stat st;

    job->fd = g_open (job->local, O_RDONLY | O_CLOEXEC, 0);
    if (job->fd < 0 || fstat (job->fd, &st) != 0) {
      int errsv = errno;

      _tether_sftp_job_fail (job, g_error_new (G_IO_ERROR, g_io_error_from_errno (errsv),
                                  _("Could not open “%s”: %s"), job->local,
                                  g_strerror (errsv)));
      job_done (job);
      return;
    }
    if (S_ISDIR (st.st_mode)) {
      close (job->fd);
      job->fd = -1;
      job_run_tree (job, st.st_mode & 07777);
      return;
    }
    job->total = st.st_size;
    msg = _tether_sftp_encode_path (TETHER_SFTP_LSTAT, id, job->remote_part, -1, &error);
  } else {
    msg = _tether_sftp_encode_path (TETHER_SFTP_STAT, id, job->remote, -1, &error);
  }
  if (msg == NULL) {
    _tether_sftp_job_fail (job, error);
    job_done (job);
    return;
  }
  _tether_sftp_client_send (job->client, id, msg, stat_reply_cb, job);
}

/* A job with nothing started; takes @transfer. */
TetherSftpFileJob *
_tether_sftp_job_new (gboolean        upload,
                      const char     *remote_path,
                      const char     *local_path,
                      TetherTransfer *transfer)
{
  Job *job = g_new0 (Job, 1);

  job->owner = g_main_context_ref_thread_default ();
  job->fd = -1;
  job->upload = upload;
  job->remote = g_strdup (remote_path);
  job->remote_part = g_strconcat (remote_path, PART_SUFFIX, NULL);
  job->local = g_strdup (local_path);
  job->local_part = g_strconcat (local_path, PART_SUFFIX, NULL);
  job->transfer = transfer;
  job->eof_offset = G_MAXUINT64;
  job->window = INITIAL_WINDOW;
  job->chunk = INITIAL_CHUNK;
  job->completed = g_tree_new_full (offset_cmp, NULL, g_free, g_free);
  return job;
}

TetherSftpFileJob *
_tether_sftp_file_job_new (TetherSftpClient *client,
                           gboolean          upload,
                           const char       *remote_path,
                           const char       *local_path,
                           guint32           mode,
                           guint64           size,
                           TetherTransfer   *transfer,
                           GCancellable     *cancellable)
{
  Job *job = _tether_sftp_job_new (upload, remote_path, local_path, g_object_ref (transfer));

  job->in_tree = TRUE;
  job->client = client;
  job->cancellable = cancellable;
  job->mode = mode & 07777;
  job->total = size;
  return job;
}

void
_tether_sftp_file_job_start (TetherSftpFileJob     *job,
                             TetherSftpFileJobFunc  func,
                             gpointer               data)
{
  job->done_func = func;
  job->done_data = data;
  tree_file_begin (job);
}

const GError *
_tether_sftp_file_job_get_error (TetherSftpFileJob *job)
{
  return job->error;
}

void
_tether_sftp_file_job_free (TetherSftpFileJob *job)
{
  job_free (job);
}

