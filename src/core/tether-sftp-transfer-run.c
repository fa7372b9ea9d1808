/* tether-sftp-transfer-run.c: a file or folder transfer from the caller's side: its
 * session channel (or a sudo client's root sftp-server), the thread it runs on with a
 * private main context and TetherSftpClient, and the public download and upload calls.
 * The copy itself (the pipeline, the second lane of an upload, resume) is in
 * tether-sftp-transfer.c. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "tether-connection.h"
#include "tether-connection-private.h"
#include "tether-error.h"
#include "tether-sftp-transfer-job-private.h"

/* How long the channel may take to close once a transfer ended. */
#define CLOSE_TIMEOUT_MS 5000
#define MAX_OPEN_RETRIES 2

typedef TetherSftpFileJob Job;

static void
store_result_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

static gboolean
flag_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
close_channel_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_io_stream_close_finish (G_IO_STREAM (source), result, NULL);
}

static void
cancelled_cb (GCancellable *cancellable,
              Job          *job)
{
  g_main_context_wakeup (job->ctx);
}

/* The transfer's thread. */
static void
job_thread (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  Job *job = task_data;
  g_autoptr(GMainContext) ctx = g_main_context_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GSource) timeout = NULL;
  GError *error = NULL;
  gboolean timed_out = FALSE;
  gulong handler = 0;

  g_main_context_push_thread_default (ctx);
  job->ctx = ctx;
  job->cancellable = cancellable;
  if (cancellable != NULL)
    handler = g_cancellable_connect (cancellable, G_CALLBACK (cancelled_cb), job, NULL);

  _tether_sftp_client_new_for_channel_async (job->connection, G_IO_STREAM (job->channel),
                                             NULL, store_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (ctx, TRUE);
  job->client = tether_sftp_client_new_finish (result, &error);
  if (job->client == NULL) {
    _tether_sftp_job_fail (job, error);
  } else {
    _tether_sftp_job_begin (job);
    /* A cancel with requests in flight waits for their replies; a server that stops
     * answering is caught by the connection's keepalive. */
    while (!job->finished)
      g_main_context_iteration (ctx, TRUE);
    tether_sftp_client_close (job->client);
  }
  if (job->stripe.client != NULL)
    tether_sftp_client_close (job->stripe.client);
  else if (job->stripe.channel != NULL &&
           !g_io_stream_is_closed (G_IO_STREAM (job->stripe.channel)))
    g_io_stream_close_async (G_IO_STREAM (job->stripe.channel), G_PRIORITY_DEFAULT, NULL,
                             close_channel_cb, NULL);
  if (handler != 0)
    g_cancellable_disconnect (cancellable, handler);

  /* Let the channel's close (sent by the client's close) reach the server before the
   * context goes. */
  timeout = g_timeout_source_new (CLOSE_TIMEOUT_MS);
  g_source_set_callback (timeout, flag_cb, &timed_out, NULL);
  g_source_attach (timeout, ctx);
  if (job->client == NULL && !g_io_stream_is_closed (G_IO_STREAM (job->channel)))
    g_io_stream_close_async (G_IO_STREAM (job->channel), G_PRIORITY_DEFAULT, NULL,
                             close_channel_cb, NULL);
  while ((!g_io_stream_is_closed (G_IO_STREAM (job->channel)) ||
          (job->stripe.channel != NULL &&
           !g_io_stream_is_closed (G_IO_STREAM (job->stripe.channel)))) &&
         !timed_out)
    g_main_context_iteration (ctx, TRUE);
  g_source_destroy (timeout);
  g_clear_object (&job->client);
  g_clear_object (&job->stripe.client);
  while (g_main_context_pending (ctx))
    g_main_context_iteration (ctx, FALSE);
  g_main_context_pop_thread_default (ctx);
  job->ctx = NULL;
  job->cancellable = NULL;

  _tether_transfer_finish (job->transfer, job->error);
  if (job->error != NULL)
    g_task_return_error (task, g_steal_pointer (&job->error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
subsystem_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Job *job = g_task_get_task_data (task);
  GError *error = NULL;

  if (!tether_session_channel_request_subsystem_finish (job->channel, result, &error)) {
    _tether_transfer_finish (job->transfer, error);
    g_task_return_error (task, error);
    return;
  }
  g_task_run_in_thread (task, job_thread);
}

static void
session_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Job *job = g_task_get_task_data (task);
  GError *error = NULL;

  job->channel = tether_connection_open_session_finish (job->connection, result, &error);
  /* Dropbear 2022.83 at times refuses a session (reason 0) while another one of the
   * connection is closing; a second try is accepted. */
  if (job->channel == NULL && job->open_retries < MAX_OPEN_RETRIES &&
      g_error_matches (error, TETHER_ERROR, TETHER_ERROR_CHANNEL_OPEN_FAILED)) {
    GCancellable *cancellable = g_task_get_cancellable (task);

    job->open_retries++;
    g_clear_error (&error);
    tether_connection_open_session_async (job->connection, cancellable, session_cb,
                                          g_steal_pointer (&task));
    return;
  }
  if (job->channel == NULL) {
    _tether_transfer_finish (job->transfer, error);
    g_task_return_error (task, error);
    return;
  }
  /* A receive window as large as a fast link at 50 ms needs (DESIGN.md, libssh facts). */
  _tether_channel_set_bulk (TETHER_CHANNEL (job->channel));
  tether_session_channel_request_subsystem_async (job->channel, "sftp",
                                                  g_task_get_cancellable (task),
                                                  subsystem_cb, g_object_ref (task));
}

/* A sudo client's transfer: its channel runs a root sftp-server started through sudo. */
static void
sudo_channel_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Job *job = g_task_get_task_data (task);
  GError *error = NULL;

  job->channel = _tether_sftp_sudo_open_channel_finish (TETHER_SFTP_CLIENT (source), result,
                                                        &error);
  if (job->channel == NULL) {
    _tether_transfer_finish (job->transfer, error);
    g_task_return_error (task, error);
    return;
  }
  _tether_channel_set_bulk (TETHER_CHANNEL (job->channel));
  g_task_run_in_thread (task, job_thread);
}

void
_tether_sftp_transfer_run (TetherSftpClient *self,
                           gboolean          upload,
                           const char       *remote_path,
                           GFile            *local,
                           TetherTransfer   *transfer,
                           GTask            *task)
{
  g_autofree char *local_path = g_file_get_path (local);
  Job *job;

  if (local_path == NULL) {
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "%s",
                             upload ? _("Uploads come only from local files.")
                                    : _("Downloads go only to local files."));
    g_object_unref (task);
    return;
  }
  job = _tether_sftp_job_new (upload, remote_path, local_path,
                              transfer != NULL ? g_object_ref (transfer)
                                               : tether_transfer_new ());
  job->connection = g_object_ref (tether_sftp_client_get_connection (self));
  job->sudo = _tether_sftp_client_is_sudo (self);
  g_task_set_task_data (task, job, (GDestroyNotify) _tether_sftp_file_job_free);

  if (tether_sftp_client_is_closed (self)) {
    GError *error = _tether_sftp_client_dup_error (self);

    _tether_transfer_finish (job->transfer, error);
    g_task_return_error (task, error);
    g_object_unref (task);
    return;
  }
  if (job->sudo)
    _tether_sftp_sudo_open_channel_async (self, g_task_get_cancellable (task), sudo_channel_cb,
                                          task);
  else
    tether_connection_open_session_async (job->connection, g_task_get_cancellable (task),
                                          session_cb, task);
}

/**
 * tether_sftp_client_download_async:
 * @self: a #TetherSftpClient
 * @remote_path: the file on the server
 * @local: a local file (with a path) to write
 * @transfer: (nullable): a #TetherTransfer that shows the progress
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the file is complete or the transfer failed
 * @user_data: data for @callback
 *
 * Copies @remote_path to @local. The bytes go to @local's name with ".part" added, which
 * is flushed to disk and renamed to @local once complete; if that ".part" file exists, the
 * download resumes after what it holds. A failed or cancelled download keeps it.
 *
 * When @remote_path is a folder, the whole tree is copied into @local (made if missing),
 * several files at once, each file through its ".part" (without resume or flush), with
 * the permissions of the source; symbolic links are recreated, not followed, and other
 * special files skipped. Items that fail do not stop the others; the error then names
 * them. @transfer counts the bytes of all files and, as #TetherTransfer:files-total, the
 * files and links.
 */
void
tether_sftp_client_download_async (TetherSftpClient    *self,
                                   const char          *remote_path,
                                   GFile               *local,
                                   TetherTransfer      *transfer,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (TETHER_IS_SFTP_CLIENT (self));
  g_return_if_fail (remote_path != NULL);
  g_return_if_fail (G_IS_FILE (local));
  g_return_if_fail (transfer == NULL || TETHER_IS_TRANSFER (transfer));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tether_sftp_client_download_async);
  g_task_set_name (task, "[tether] sftp download");
  _tether_sftp_transfer_run (self, FALSE, remote_path, local, transfer, task);
}

/**
 * tether_sftp_client_download_finish:
 * @self: a #TetherSftpClient
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError
 *
 * Returns: %TRUE when the file is complete at its destination
 */
gboolean
tether_sftp_client_download_finish (TetherSftpClient  *self,
                                    GAsyncResult      *result,
                                    GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * tether_sftp_client_upload_async:
 * @self: a #TetherSftpClient
 * @local: a local file (with a path) to read
 * @remote_path: the file to write on the server
 * @transfer: (nullable): a #TetherTransfer that shows the progress
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the file is complete or the transfer failed
 * @user_data: data for @callback
 *
 * Copies @local to @remote_path. The bytes go to @remote_path with ".part" added, which
 * is renamed over @remote_path once complete, so a failure leaves a previous file intact;
 * if that ".part" file exists, the upload resumes after what it holds.
 *
 * When @local is a folder, the whole tree is copied to @remote_path as described for
 * tether_sftp_client_download_async(), except that each file is written straight to its
 * name (as `sftp -r` does; a temporary name and a rename per file cost the server two more
 * operations on the folder).
 */
void
tether_sftp_client_upload_async (TetherSftpClient    *self,
                                 GFile               *local,
                                 const char          *remote_path,
                                 TetherTransfer      *transfer,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (TETHER_IS_SFTP_CLIENT (self));
  g_return_if_fail (G_IS_FILE (local));
  g_return_if_fail (remote_path != NULL);
  g_return_if_fail (transfer == NULL || TETHER_IS_TRANSFER (transfer));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tether_sftp_client_upload_async);
  g_task_set_name (task, "[tether] sftp upload");
  _tether_sftp_transfer_run (self, TRUE, remote_path, local, transfer, task);
}

/**
 * tether_sftp_client_upload_finish:
 * @self: a #TetherSftpClient
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError
 *
 * Returns: %TRUE when the file is complete on the server
 */
gboolean
tether_sftp_client_upload_finish (TetherSftpClient  *self,
                                  GAsyncResult      *result,
                                  GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
