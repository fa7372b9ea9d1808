/* tether-sftp-stream.c: a remote file of a TetherSftpClient as a GInputStream or a
 * GOutputStream, so that copying is a g_output_stream_splice_async ().
 *
 * One request per read or write, on the client's context; the streams are asynchronous
 * only (a synchronous call would block the context that has to deliver the reply). Bulk
 * copies should use the pipelined download and upload instead. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "tether-error.h"
#include "tether-sftp-client-private.h"

typedef struct
{
  TetherSftpClient *client;
  GBytes *handle;
  guint64 offset;
} RemoteFile;

static void
remote_file_clear (RemoteFile *file)
{
  g_clear_object (&file->client);
  g_clear_pointer (&file->handle, g_bytes_unref);
}

static TetherSftpSpan
remote_file_span (RemoteFile *file)
{
  TetherSftpSpan span = { g_bytes_get_data (file->handle, NULL),
                          g_bytes_get_size (file->handle) };

  return span;
}

static gboolean
sync_not_supported (GError **error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                       _("SFTP streams can only be used asynchronously."));
  return FALSE;
}

/* Returns a failed reply on @task; TRUE when it did. */
static gboolean
return_if_failed (GTask                 *task,
                  const TetherSftpReply *reply,
                  const GError          *error,
                  guint8                 expected)
{
  if (error != NULL) {
    g_task_return_error (task, g_error_copy (error));
    return TRUE;
  }
  if (reply->type == expected && expected != TETHER_SFTP_STATUS)
    return FALSE;
  if (reply->type == TETHER_SFTP_STATUS) {
    if (expected == TETHER_SFTP_STATUS && reply->status == TETHER_SFTP_FX_OK)
      return FALSE;
    g_task_return_error (task, _tether_sftp_status_to_error (reply->status, &reply->message));
    return TRUE;
  }
  g_task_return_new_error (task, TETHER_ERROR, TETHER_ERROR_PROTOCOL,
                           _("The SFTP server sent an unexpected reply (type %u)."),
                           reply->type);
  return TRUE;
}

static void
close_reply_cb (TetherSftpClient      *client,
                const TetherSftpReply *reply,
                const GError          *error,
                gpointer               data)
{
  g_autoptr(GTask) task = data;

  if (!return_if_failed (task, reply, error, TETHER_SFTP_STATUS))
    g_task_return_boolean (task, TRUE);
}

static void
remote_file_close_async (RemoteFile *file,
                         GTask      *task)
{
  guint32 id = _tether_sftp_client_next_id (file->client);
  TetherSftpSpan span = remote_file_span (file);
  g_autoptr(GBytes) msg = _tether_sftp_encode_handle (TETHER_SFTP_CLOSE, id, &span, NULL);

  _tether_sftp_client_send (file->client, id, msg, close_reply_cb, task);
}

/* ------------------------------------------------------------------------- */
/* Input                                                                     */

#define TETHER_TYPE_SFTP_INPUT_STREAM (tether_sftp_input_stream_get_type ())
G_DECLARE_FINAL_TYPE (TetherSftpInputStream, tether_sftp_input_stream,
                      TETHER, SFTP_INPUT_STREAM, GInputStream)

struct _TetherSftpInputStream
{
  GInputStream parent_instance;
  RemoteFile file;
};

G_DEFINE_FINAL_TYPE (TetherSftpInputStream, tether_sftp_input_stream, G_TYPE_INPUT_STREAM)

typedef struct
{
  void *buffer;
  gsize count;
} ReadArgs;

static void
read_reply_cb (TetherSftpClient      *client,
               const TetherSftpReply *reply,
               const GError          *error,
               gpointer               data)
{
  g_autoptr(GTask) task = data;
  TetherSftpInputStream *self = g_task_get_source_object (task);
  ReadArgs *args = g_task_get_task_data (task);

  if (error == NULL && reply->type == TETHER_SFTP_STATUS &&
      reply->status == TETHER_SFTP_FX_EOF) {
    g_task_return_int (task, 0);
    return;
  }
  if (return_if_failed (task, reply, error, TETHER_SFTP_DATA))
    return;
  if (reply->data.len > args->count) {
    g_task_return_new_error (task, TETHER_ERROR, TETHER_ERROR_PROTOCOL,
                             _("The SFTP server sent more data than was asked for."));
    return;
  }
  memcpy (args->buffer, reply->data.data, reply->data.len);
  self->file.offset += reply->data.len;
  g_task_return_int (task, reply->data.len);
}

static void
input_read_async (GInputStream        *stream,
                  void                *buffer,
                  gsize                count,
                  int                  io_priority,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data)
{
  TetherSftpInputStream *self = TETHER_SFTP_INPUT_STREAM (stream);
  GTask *task = g_task_new (stream, cancellable, callback, user_data);
  ReadArgs *args = g_new0 (ReadArgs, 1);
  guint32 id;
  TetherSftpSpan span;
  g_autoptr(GBytes) msg = NULL;

  g_task_set_source_tag (task, input_read_async);
  g_task_set_name (task, "[tether] sftp stream read");
  args->buffer = buffer;
  args->count = MIN (count, TETHER_SFTP_MAX_IO);
  g_task_set_task_data (task, args, g_free);
  if (args->count == 0) {
    g_task_return_int (task, 0);
    g_object_unref (task);
    return;
  }
  id = _tether_sftp_client_next_id (self->file.client);
  span = remote_file_span (&self->file);
  msg = _tether_sftp_encode_read (id, &span, self->file.offset, args->count, NULL);
  _tether_sftp_client_send (self->file.client, id, msg, read_reply_cb, task);
}

static gssize
input_read_finish (GInputStream  *stream,
                   GAsyncResult  *result,
                   GError       **error)
{
  return g_task_propagate_int (G_TASK (result), error);
}

static gssize
input_read (GInputStream  *stream,
            void          *buffer,
            gsize          count,
            GCancellable  *cancellable,
            GError       **error)
{
  sync_not_supported (error);
  return -1;
}

static gboolean
input_close (GInputStream  *stream,
             GCancellable  *cancellable,
             GError       **error)
{
  return sync_not_supported (error);
}

static void
input_close_async (GInputStream        *stream,
                   int                  io_priority,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  TetherSftpInputStream *self = TETHER_SFTP_INPUT_STREAM (stream);
  GTask *task = g_task_new (stream, cancellable, callback, user_data);

  g_task_set_source_tag (task, input_close_async);
  g_task_set_name (task, "[tether] sftp stream close");
  remote_file_close_async (&self->file, task);
}

static gboolean
input_close_finish (GInputStream  *stream,
                    GAsyncResult  *result,
                    GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
tether_sftp_input_stream_finalize (GObject *object)
{
  remote_file_clear (&TETHER_SFTP_INPUT_STREAM (object)->file);
  G_OBJECT_CLASS (tether_sftp_input_stream_parent_class)->finalize (object);
}

static void
tether_sftp_input_stream_class_init (TetherSftpInputStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GInputStreamClass *stream_class = G_INPUT_STREAM_CLASS (klass);

  object_class->finalize = tether_sftp_input_stream_finalize;
  stream_class->read_fn = input_read;
  stream_class->close_fn = input_close;
  stream_class->read_async = input_read_async;
  stream_class->read_finish = input_read_finish;
  stream_class->close_async = input_close_async;
  stream_class->close_finish = input_close_finish;
}

static void
tether_sftp_input_stream_init (TetherSftpInputStream *self)
{
}

/* ------------------------------------------------------------------------- */
/* Output                                                                    */

#define TETHER_TYPE_SFTP_OUTPUT_STREAM (tether_sftp_output_stream_get_type ())
G_DECLARE_FINAL_TYPE (TetherSftpOutputStream, tether_sftp_output_stream,
                      TETHER, SFTP_OUTPUT_STREAM, GOutputStream)

struct _TetherSftpOutputStream
{
  GOutputStream parent_instance;
  RemoteFile file;
};

G_DEFINE_FINAL_TYPE (TetherSftpOutputStream, tether_sftp_output_stream, G_TYPE_OUTPUT_STREAM)

static void
write_reply_cb (TetherSftpClient      *client,
                const TetherSftpReply *reply,
                const GError          *error,
                gpointer               data)
{
  g_autoptr(GTask) task = data;
  TetherSftpOutputStream *self = g_task_get_source_object (task);
  gsize count = GPOINTER_TO_SIZE (g_task_get_task_data (task));

  if (return_if_failed (task, reply, error, TETHER_SFTP_STATUS))
    return;
  self->file.offset += count;
  g_task_return_int (task, count);
}

static void
output_write_async (GOutputStream       *stream,
                    const void          *buffer,
                    gsize                count,
                    int                  io_priority,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  TetherSftpOutputStream *self = TETHER_SFTP_OUTPUT_STREAM (stream);
  GTask *task = g_task_new (stream, cancellable, callback, user_data);
  guint32 id;
  TetherSftpSpan span;
  g_autoptr(GBytes) msg = NULL;

  g_task_set_source_tag (task, output_write_async);
  g_task_set_name (task, "[tether] sftp stream write");
  count = MIN (count, TETHER_SFTP_MAX_WRITE);
  g_task_set_task_data (task, GSIZE_TO_POINTER (count), NULL);
  if (count == 0) {
    g_task_return_int (task, 0);
    g_object_unref (task);
    return;
  }
  id = _tether_sftp_client_next_id (self->file.client);
  span = remote_file_span (&self->file);
  msg = _tether_sftp_encode_write (id, &span, self->file.offset, buffer, count, NULL);
  _tether_sftp_client_send (self->file.client, id, msg, write_reply_cb, task);
}

static gssize
output_write_finish (GOutputStream  *stream,
                     GAsyncResult   *result,
                     GError        **error)
{
  return g_task_propagate_int (G_TASK (result), error);
}

static gssize
output_write (GOutputStream  *stream,
              const void     *buffer,
              gsize           count,
              GCancellable   *cancellable,
              GError        **error)
{
  sync_not_supported (error);
  return -1;
}

static gboolean
output_close (GOutputStream  *stream,
              GCancellable   *cancellable,
              GError        **error)
{
  return sync_not_supported (error);
}

static void
output_close_async (GOutputStream       *stream,
                    int                  io_priority,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  TetherSftpOutputStream *self = TETHER_SFTP_OUTPUT_STREAM (stream);
  GTask *task = g_task_new (stream, cancellable, callback, user_data);

  g_task_set_source_tag (task, output_close_async);
  g_task_set_name (task, "[tether] sftp stream close");
  remote_file_close_async (&self->file, task);
}

static gboolean
output_close_finish (GOutputStream  *stream,
                     GAsyncResult   *result,
                     GError        **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
tether_sftp_output_stream_finalize (GObject *object)
{
  remote_file_clear (&TETHER_SFTP_OUTPUT_STREAM (object)->file);
  G_OBJECT_CLASS (tether_sftp_output_stream_parent_class)->finalize (object);
}

static void
tether_sftp_output_stream_class_init (TetherSftpOutputStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GOutputStreamClass *stream_class = G_OUTPUT_STREAM_CLASS (klass);

  object_class->finalize = tether_sftp_output_stream_finalize;
  stream_class->write_fn = output_write;
  stream_class->close_fn = output_close;
  stream_class->write_async = output_write_async;
  stream_class->write_finish = output_write_finish;
  stream_class->close_async = output_close_async;
  stream_class->close_finish = output_close_finish;
}

static void
tether_sftp_output_stream_init (TetherSftpOutputStream *self)
{
}

/* ------------------------------------------------------------------------- */
/* Opening                                                                   */

static void
open_reply_cb (TetherSftpClient      *client,
               const TetherSftpReply *reply,
               const GError          *error,
               gpointer               data)
{
  g_autoptr(GTask) task = data;
  gboolean output = GPOINTER_TO_INT (g_task_get_task_data (task));
  RemoteFile *file;
  GObject *stream;

  if (return_if_failed (task, reply, error, TETHER_SFTP_HANDLE))
    return;
  if (output) {
    stream = g_object_new (TETHER_TYPE_SFTP_OUTPUT_STREAM, NULL);
    file = &TETHER_SFTP_OUTPUT_STREAM (stream)->file;
  } else {
    stream = g_object_new (TETHER_TYPE_SFTP_INPUT_STREAM, NULL);
    file = &TETHER_SFTP_INPUT_STREAM (stream)->file;
  }
  file->client = g_object_ref (client);
  file->handle = g_bytes_new (reply->handle.data, reply->handle.len);
  g_task_return_pointer (task, stream, g_object_unref);
}

static void
open_async (TetherSftpClient    *self,
            const char          *path,
            guint32              pflags,
            guint                mode,
            gpointer             source_tag,
            const char          *name,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  TetherSftpAttrs attrs = { 0 };
  guint32 id = _tether_sftp_client_next_id (self);
  GError *error = NULL;
  g_autoptr(GBytes) msg = NULL;

  g_task_set_source_tag (task, source_tag);
  g_task_set_name (task, name);
  g_task_set_task_data (task, GINT_TO_POINTER ((pflags & TETHER_SFTP_OPEN_WRITE) != 0), NULL);
  if (mode != 0) {
    attrs.flags = TETHER_SFTP_ATTR_PERMISSIONS;
    attrs.permissions = mode;
  }
  msg = _tether_sftp_encode_open (id, path, -1, pflags, &attrs, &error);
  if (msg == NULL) {
    g_task_return_error (task, error);
    g_object_unref (task);
    return;
  }
  _tether_sftp_client_send (self, id, msg, open_reply_cb, task);
}

/**
 * tether_sftp_client_open_read_async:
 * @self: a #TetherSftpClient
 * @path: a file on the server
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: data for @callback
 *
 * Opens @path for reading as a #GInputStream that is used asynchronously, on the client's
 * context (each read is one request; for whole files tether_sftp_client_download_async()
 * is much faster).
 */
void
tether_sftp_client_open_read_async (TetherSftpClient    *self,
                                    const char          *path,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_return_if_fail (TETHER_IS_SFTP_CLIENT (self));
  g_return_if_fail (path != NULL);

  open_async (self, path, TETHER_SFTP_OPEN_READ, 0, tether_sftp_client_open_read_async,
              "[tether] sftp open read", cancellable, callback, user_data);
}

/**
 * tether_sftp_client_open_read_finish:
 * @self: a #TetherSftpClient
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the stream, or %NULL with @error set
 */
GInputStream *
tether_sftp_client_open_read_finish (TetherSftpClient  *self,
                                     GAsyncResult      *result,
                                     GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * tether_sftp_client_create_async:
 * @self: a #TetherSftpClient
 * @path: the file to write on the server
 * @mode: the permissions of a new file, such as 0644
 * @replace: whether to truncate an existing file; without it, an existing file fails
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: data for @callback
 *
 * Opens @path for writing as a #GOutputStream that is used asynchronously, on the client's
 * context. Unlike tether_sftp_client_upload_async(), it writes @path directly.
 */
void
tether_sftp_client_create_async (TetherSftpClient    *self,
                                 const char          *path,
                                 guint                mode,
                                 gboolean             replace,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  guint32 pflags = TETHER_SFTP_OPEN_WRITE | TETHER_SFTP_OPEN_CREAT;

  g_return_if_fail (TETHER_IS_SFTP_CLIENT (self));
  g_return_if_fail (path != NULL);

  pflags |= replace ? TETHER_SFTP_OPEN_TRUNC : TETHER_SFTP_OPEN_EXCL;
  open_async (self, path, pflags, mode, tether_sftp_client_create_async,
              "[tether] sftp create", cancellable, callback, user_data);
}

/**
 * tether_sftp_client_create_finish:
 * @self: a #TetherSftpClient
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the stream, or %NULL with @error set
 */
GOutputStream *
tether_sftp_client_create_finish (TetherSftpClient  *self,
                                  GAsyncResult      *result,
                                  GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
