/* tether-sftp-client.c: an SFTP v3 client over a session channel running the "sftp"
 * subsystem: the request engine (ids, a write queue, replies matched out of order) and the
 * browsing operations. Transfers are in tether-sftp-transfer.c.
 *
 * Everything runs on the thread-default context the client was made on; the channel's
 * streams carry the bytes to the connection's worker. A malformed reply fails every pending
 * request and closes the client: the server's state is unknown from then on. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>
#include <sys/stat.h>

#include "tether-connection.h"
#include "tether-error.h"
#include "tether-session-channel.h"
#include "tether-sftp-client-private.h"

/* One read from the channel asks for this much; replies are reassembled from the pieces. */
#define READ_CHUNK (256 * 1024)
/* Queued requests smaller than this go out in one write: each write is a round trip to
 * the connection's worker thread, which made a folder of small files crawl. */
#define WRITE_GATHER (64 * 1024)
#define SFTP_SUBSYSTEM "sftp"
#define EXT_POSIX_RENAME "posix-rename@openssh.com"
#define EXT_STATVFS "statvfs@openssh.com"
/* statvfs's f_flag bit for a read-only file system. */
#define SFTP_ST_RDONLY 0x1

typedef struct
{
  TetherSftpReplyFunc func;
  gpointer data;
} Pending;

struct _TetherSftpClient
{
  GObject parent_instance;

  TetherConnection *connection;
  GIOStream *channel;
  GInputStream *in;
  GOutputStream *out;
  GCancellable *io_cancel;

  GByteArray *inbuf;
  guint8 *readbuf;
  GHashTable *pending;        /* id -> Pending */
  guint32 next_id;
  GQueue outq;                /* GBytes */
  gboolean writing;

  guint version;
  GHashTable *extensions;     /* name -> data */
  gboolean reversed_symlink;
  GTask *init_task;
  GError *error;              /* why the client closed; NULL while open */
};

G_DEFINE_FINAL_TYPE (TetherSftpClient, tether_sftp_client, G_TYPE_OBJECT)

static void fail_all (TetherSftpClient *self, GError *error);

/* ------------------------------------------------------------------------- */
/* The engine                                                                */

/* An I/O in flight holds only a weak reference, so that dropping the client ends it, and
 * owns its buffer, which the worker may still fill until the cancellation is seen. */
typedef struct
{
  GWeakRef ref;
  guint8 *buffer;
  GBytes *bytes;
} IoCtx;

static IoCtx *
io_ctx_new (TetherSftpClient *self)
{
  IoCtx *ctx = g_new0 (IoCtx, 1);

  g_weak_ref_init (&ctx->ref, self);
  return ctx;
}

/* Frees @ctx; returns the client if it is still alive. */
static TetherSftpClient *
io_ctx_take (IoCtx    *ctx,
             guint8  **buffer)
{
  TetherSftpClient *self = g_weak_ref_get (&ctx->ref);

  g_weak_ref_clear (&ctx->ref);
  if (buffer != NULL && self != NULL)
    *buffer = g_steal_pointer (&ctx->buffer);
  g_free (ctx->buffer);
  g_clear_pointer (&ctx->bytes, g_bytes_unref);
  g_free (ctx);
  return self;
}

guint32
_tether_sftp_client_next_id (TetherSftpClient *self)
{
  /* Ids are opaque to the server; skip none, wrap after 4 billion requests. */
  return self->next_id++;
}

guint
_tether_sftp_client_n_pending (TetherSftpClient *self)
{
  return g_hash_table_size (self->pending);
}

void
_tether_sftp_client_forget_extension (TetherSftpClient *self,
                                      const char       *name)
{
  g_hash_table_remove (self->extensions, name);
}

GError *
_tether_sftp_client_dup_error (TetherSftpClient *self)
{
  return self->error != NULL ? g_error_copy (self->error) : NULL;
}

static void write_next (TetherSftpClient *self);

static void
write_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(TetherSftpClient) self = io_ctx_take (user_data, NULL);
  g_autoptr(GError) error = NULL;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error)) {
    if (self != NULL && self->error == NULL)
      fail_all (self, g_steal_pointer (&error));
    return;
  }
  if (self == NULL)
    return;
  self->writing = FALSE;
  write_next (self);
}

static void
write_next (TetherSftpClient *self)
{
  IoCtx *ctx;

  if (self->writing || self->error != NULL || g_queue_is_empty (&self->outq))
    return;
  ctx = io_ctx_new (self);
  ctx->bytes = g_queue_pop_head (&self->outq);
  if (g_bytes_get_size (ctx->bytes) < WRITE_GATHER && !g_queue_is_empty (&self->outq)) {
    GByteArray *gather = g_bytes_unref_to_array (g_steal_pointer (&ctx->bytes));

    while (!g_queue_is_empty (&self->outq) &&
           gather->len + g_bytes_get_size (g_queue_peek_head (&self->outq)) <= WRITE_GATHER) {
      g_autoptr(GBytes) next = g_queue_pop_head (&self->outq);

      g_byte_array_append (gather, g_bytes_get_data (next, NULL), g_bytes_get_size (next));
    }
    ctx->bytes = g_byte_array_free_to_bytes (gather);
  }
  self->writing = TRUE;
  g_output_stream_write_all_async (self->out, g_bytes_get_data (ctx->bytes, NULL),
                                   g_bytes_get_size (ctx->bytes), G_PRIORITY_DEFAULT,
                                   self->io_cancel, write_done_cb, ctx);
}

void
_tether_sftp_client_send (TetherSftpClient    *self,
                          guint32              id,
                          GBytes              *msg,
                          TetherSftpReplyFunc  func,
                          gpointer             data)
{
  Pending *p;

  if (self->error != NULL) {
    func (self, NULL, self->error, data);
    return;
  }
  p = g_new0 (Pending, 1);
  p->func = func;
  p->data = data;
  g_hash_table_insert (self->pending, GUINT_TO_POINTER (id), p);
  g_queue_push_tail (&self->outq, g_bytes_ref (msg));
  write_next (self);
}

/* OpenSSH's sftp-server takes SYMLINK's two paths in the other order than the draft. It is
 * the server of OpenSSH and of Dropbear (which runs OpenSSH's), and it alone announces
 * extensions such as lsetstat; others (AsyncSSH) follow the draft. */
static gboolean
symlink_is_reversed (TetherSftpClient *self)
{
  const char *banner = tether_connection_get_server_banner (self->connection);
  g_autofree char *lower = banner != NULL ? g_ascii_strdown (banner, -1) : NULL;

  if (g_hash_table_contains (self->extensions, "lsetstat@openssh.com") ||
      g_hash_table_contains (self->extensions, "limits@openssh.com"))
    return TRUE;
  return lower != NULL &&
         (strstr (lower, "openssh") != NULL || strstr (lower, "dropbear") != NULL);
}

static void
handle_version (TetherSftpClient      *self,
                const TetherSftpReply *reply)
{
  GTask *task = g_steal_pointer (&self->init_task);

  self->version = reply->version;
  for (guint i = 0; i + 1 < reply->extensions->len; i += 2) {
    const char *name = reply->extensions->pdata[i];

    g_hash_table_insert (self->extensions, g_strdup (name),
                         g_strdup (reply->extensions->pdata[i + 1]));
  }
  self->reversed_symlink = symlink_is_reversed (self);
  g_task_return_pointer (task, g_object_ref (self), g_object_unref);
  g_object_unref (task);
}

/* Handles one whole message; FALSE (with @error) when the client must close. */
static gboolean
dispatch (TetherSftpClient  *self,
          const guint8      *msg,
          gsize              len,
          GError           **error)
{
  TetherSftpReply reply;
  Pending *p;

  if (!_tether_sftp_reply_parse (msg, len, &reply, error))
    return FALSE;
  if (reply.type == TETHER_SFTP_VERSION_MSG) {
    if (self->init_task == NULL) {
      _tether_sftp_reply_clear (&reply);
      g_set_error (error, TETHER_ERROR, TETHER_ERROR_PROTOCOL,
                   _("The SFTP server sent a second version message."));
      return FALSE;
    }
    handle_version (self, &reply);
    _tether_sftp_reply_clear (&reply);
    return TRUE;
  }
  if (!g_hash_table_steal_extended (self->pending, GUINT_TO_POINTER (reply.id), NULL,
                                    (gpointer *) &p)) {
    _tether_sftp_reply_clear (&reply);
    g_set_error (error, TETHER_ERROR, TETHER_ERROR_PROTOCOL,
                 _("The SFTP server answered a request that was never made."));
    return FALSE;
  }
  p->func (self, &reply, NULL, p->data);
  g_free (p);
  _tether_sftp_reply_clear (&reply);
  return TRUE;
}

static void read_next (TetherSftpClient *self);

static void
read_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(TetherSftpClient) self = NULL;
  g_autoptr(GError) error = NULL;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);
  gsize start = 0;
  guint8 *buffer = NULL;

  self = io_ctx_take (user_data, &buffer);
  if (self == NULL)
    return;
  self->readbuf = buffer;
  if (self->error != NULL)
    return;
  if (n <= 0) {
    if (error == NULL)
      error = g_error_new (TETHER_ERROR, TETHER_ERROR_DISCONNECTED,
                           _("The SFTP server ended the session."));
    fail_all (self, g_steal_pointer (&error));
    return;
  }
  g_byte_array_append (self->inbuf, self->readbuf, n);
  while (self->error == NULL) {
    gssize frame = _tether_sftp_frame_length (self->inbuf->data + start,
                                              self->inbuf->len - start, &error);

    if (frame < 0 || (frame > 0 && !dispatch (self, self->inbuf->data + start + 4, frame - 4,
                                              &error))) {
      fail_all (self, g_steal_pointer (&error));
      return;
    }
    if (frame == 0)
      break;
    start += frame;
  }
  if (self->error != NULL)
    return;
  g_byte_array_remove_range (self->inbuf, 0, start);
  read_next (self);
}

static void
read_next (TetherSftpClient *self)
{
  IoCtx *ctx = io_ctx_new (self);

  ctx->buffer = g_steal_pointer (&self->readbuf);
  g_input_stream_read_async (self->in, ctx->buffer, READ_CHUNK, G_PRIORITY_DEFAULT,
                             self->io_cancel, read_done_cb, ctx);
}

static void
close_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_io_stream_close_finish (G_IO_STREAM (source), result, NULL);
}

/* Closes the client for good with @error (taken): every pending request fails with it. */
static void
fail_all (TetherSftpClient *self,
          GError           *error)
{
  g_autoptr(TetherSftpClient) hold = g_object_ref (self);
  g_autoptr(GHashTable) pending = NULL;
  GHashTableIter iter;
  gpointer value;

  if (self->error != NULL) {
    g_error_free (error);
    return;
  }
  self->error = error;
  g_cancellable_cancel (self->io_cancel);
  g_queue_clear_full (&self->outq, (GDestroyNotify) g_bytes_unref);
  if (self->init_task != NULL) {
    GTask *task = g_steal_pointer (&self->init_task);

    g_task_return_error (task, g_error_copy (error));
    g_object_unref (task);
  }
  pending = g_steal_pointer (&self->pending);
  self->pending = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  g_hash_table_iter_init (&iter, pending);
  while (g_hash_table_iter_next (&iter, NULL, &value)) {
    Pending *p = value;

    p->func (self, NULL, error, p->data);
  }
  if (self->channel != NULL && !g_io_stream_is_closed (self->channel))
    g_io_stream_close_async (self->channel, G_PRIORITY_DEFAULT, NULL, close_done_cb, NULL);
}

/* ------------------------------------------------------------------------- */
/* GObject                                                                   */

static void
tether_sftp_client_dispose (GObject *object)
{
  TetherSftpClient *self = TETHER_SFTP_CLIENT (object);

  if (self->error == NULL)
    fail_all (self, g_error_new (G_IO_ERROR, G_IO_ERROR_CLOSED,
                                 _("The SFTP session was closed.")));
  g_clear_object (&self->channel);
  g_clear_object (&self->connection);
  G_OBJECT_CLASS (tether_sftp_client_parent_class)->dispose (object);
}

static void
tether_sftp_client_finalize (GObject *object)
{
  TetherSftpClient *self = TETHER_SFTP_CLIENT (object);

  g_clear_error (&self->error);
  g_clear_object (&self->io_cancel);
  g_clear_pointer (&self->inbuf, g_byte_array_unref);
  g_clear_pointer (&self->readbuf, g_free);
  g_clear_pointer (&self->pending, g_hash_table_unref);
  g_clear_pointer (&self->extensions, g_hash_table_unref);
  G_OBJECT_CLASS (tether_sftp_client_parent_class)->finalize (object);
}

static void
tether_sftp_client_class_init (TetherSftpClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tether_sftp_client_dispose;
  object_class->finalize = tether_sftp_client_finalize;
}

static void
tether_sftp_client_init (TetherSftpClient *self)
{
  self->io_cancel = g_cancellable_new ();
  self->inbuf = g_byte_array_new ();
  self->readbuf = g_malloc (READ_CHUNK);
  self->pending = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  self->extensions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->next_id = 1;
}

/* ------------------------------------------------------------------------- */
/* Construction                                                              */

void
_tether_sftp_client_new_for_channel_async (TetherConnection    *connection,
                                           GIOStream           *channel,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data)
{
  TetherSftpClient *self = g_object_new (TETHER_TYPE_SFTP_CLIENT, NULL);
  g_autoptr(GBytes) init = _tether_sftp_encode_init ();

  self->connection = g_object_ref (connection);
  self->channel = g_object_ref (channel);
  self->in = g_io_stream_get_input_stream (channel);
  self->out = g_io_stream_get_output_stream (channel);
  self->init_task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (self->init_task, _tether_sftp_client_new_for_channel_async);
  g_task_set_name (self->init_task, "[tether] sftp init");
  g_queue_push_tail (&self->outq, g_steal_pointer (&init));
  write_next (self);
  read_next (self);
  /* The task's result holds the client once VERSION came; until then the I/O holds only
   * weak references, so keep it alive here. */
  g_object_set_data_full (G_OBJECT (self->init_task), "client", self, g_object_unref);
}

typedef struct
{
  TetherConnection *connection;
  TetherSessionChannel *channel;
} NewData;

static void
new_data_free (NewData *data)
{
  g_clear_object (&data->connection);
  g_clear_object (&data->channel);
  g_free (data);
}

static void
new_init_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  TetherSftpClient *client = g_task_propagate_pointer (G_TASK (result), &error);

  if (client == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, client, g_object_unref);
}

static void
new_subsystem_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  NewData *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (!tether_session_channel_request_subsystem_finish (data->channel, result, &error)) {
    g_io_stream_close_async (G_IO_STREAM (data->channel), G_PRIORITY_DEFAULT, NULL,
                             close_done_cb, NULL);
    g_task_return_error (task, error);
    return;
  }
  _tether_sftp_client_new_for_channel_async (data->connection, G_IO_STREAM (data->channel),
                                             g_task_get_cancellable (task), new_init_cb,
                                             g_object_ref (task));
}

static void
new_session_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  NewData *data = g_task_get_task_data (task);
  GError *error = NULL;

  data->channel = tether_connection_open_session_finish (data->connection, result, &error);
  if (data->channel == NULL) {
    g_task_return_error (task, error);
    return;
  }
  tether_session_channel_request_subsystem_async (data->channel, SFTP_SUBSYSTEM,
                                                  g_task_get_cancellable (task),
                                                  new_subsystem_cb, g_object_ref (task));
}

/**
 * tether_sftp_client_new_async:
 * @connection: a ready #TetherConnection
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the client is ready or failed
 * @user_data: data for @callback
 *
 * Opens a session channel on @connection, starts the "sftp" subsystem there and agrees on
 * SFTP version 3. Downloads and uploads of the client open a channel of their own, so that
 * browsing stays responsive while they run.
 */
void
tether_sftp_client_new_async (TetherConnection    *connection,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  NewData *data;

  g_return_if_fail (TETHER_IS_CONNECTION (connection));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, tether_sftp_client_new_async);
  g_task_set_name (task, "[tether] sftp client new");
  data = g_new0 (NewData, 1);
  data->connection = g_object_ref (connection);
  g_task_set_task_data (task, data, (GDestroyNotify) new_data_free);
  tether_connection_open_session_async (connection, cancellable, new_session_cb,
                                        g_steal_pointer (&task));
}

/**
 * tether_sftp_client_new_finish:
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError
 *
 * Finishes tether_sftp_client_new_async().
 *
 * Returns: (transfer full): the client, or %NULL with @error set
 */
TetherSftpClient *
tether_sftp_client_new_finish (GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * tether_sftp_client_get_connection:
 * @self: a #TetherSftpClient
 *
 * Returns: (transfer none): the connection the client's channel belongs to
 */
TetherConnection *
tether_sftp_client_get_connection (TetherSftpClient *self)
{
  g_return_val_if_fail (TETHER_IS_SFTP_CLIENT (self), NULL);

  return self->connection;
}

/**
 * tether_sftp_client_get_server_version:
 * @self: a #TetherSftpClient
 *
 * Returns: the SFTP version the server announced
 */
guint
tether_sftp_client_get_server_version (TetherSftpClient *self)
{
  g_return_val_if_fail (TETHER_IS_SFTP_CLIENT (self), 0);

  return self->version;
}

/**
 * tether_sftp_client_has_extension:
 * @self: a #TetherSftpClient
 * @name: an extension name such as "posix-rename@openssh.com"
 *
 * Returns: whether the server announced the extension @name
 */
gboolean
tether_sftp_client_has_extension (TetherSftpClient *self,
                                  const char       *name)
{
  g_return_val_if_fail (TETHER_IS_SFTP_CLIENT (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  return g_hash_table_contains (self->extensions, name);
}

/**
 * tether_sftp_client_is_closed:
 * @self: a #TetherSftpClient
 *
 * Returns: whether the client has closed (after tether_sftp_client_close(), the end of its
 *   channel or a malformed reply); every operation then fails
 */
gboolean
tether_sftp_client_is_closed (TetherSftpClient *self)
{
  g_return_val_if_fail (TETHER_IS_SFTP_CLIENT (self), TRUE);

  return self->error != NULL;
}

/**
 * tether_sftp_client_close:
 * @self: a #TetherSftpClient
 *
 * Closes the client's channel. Pending operations fail with %G_IO_ERROR_CLOSED.
 */
void
tether_sftp_client_close (TetherSftpClient *self)
{
  g_return_if_fail (TETHER_IS_SFTP_CLIENT (self));

  fail_all (self, g_error_new (G_IO_ERROR, G_IO_ERROR_CLOSED,
                               _("The SFTP session was closed.")));
}

/* ------------------------------------------------------------------------- */
/* Operations                                                                */

GTask *
_tether_sftp_op_task_new (TetherSftpClient    *self,
             gpointer             source_tag,
             const char          *name,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_name (task, name);
  return task;
}

/* Returns a failed reply's error on @task: the client's, the server's STATUS, or a
 * protocol error for a reply of the wrong type. TRUE when it did. */
gboolean
_tether_sftp_return_if_failed (GTask                 *task,
                  const TetherSftpReply *reply,
                  const GError          *error,
                  guint8                 expected)
{
  if (error != NULL) {
    g_task_return_error (task, g_error_copy (error));
    return TRUE;
  }
  if (g_task_return_error_if_cancelled (task))
    return TRUE;
  if (reply->type == expected)
    return FALSE;
  if (reply->type == TETHER_SFTP_STATUS)
    g_task_return_error (task, _tether_sftp_status_to_error (reply->status, &reply->message));
  else
    g_task_return_new_error (task, TETHER_ERROR, TETHER_ERROR_PROTOCOL,
                             _("The SFTP server sent an unexpected reply (type %u)."),
                             reply->type);
  return TRUE;
}

static void
status_reply_cb (TetherSftpClient      *self,
                 const TetherSftpReply *reply,
                 const GError          *error,
                 gpointer               data)
{
  g_autoptr(GTask) task = data;

  if (_tether_sftp_return_if_failed (task, reply, error, TETHER_SFTP_STATUS))
    return;
  if (reply->status != TETHER_SFTP_FX_OK)
    g_task_return_error (task, _tether_sftp_status_to_error (reply->status, &reply->message));
  else
    g_task_return_boolean (task, TRUE);
}

/* Sends @msg (or returns @error on @task when encoding failed) expecting @func's reply. */
static void
send_op (TetherSftpClient    *self,
         GTask               *task,
         guint32              id,
         GBytes              *msg,
         GError              *error,
         TetherSftpReplyFunc  func)
{
  if (msg == NULL) {
    g_task_return_error (task, error);
    g_object_unref (task);
    return;
  }
  _tether_sftp_client_send (self, id, msg, func, task);
}

void
_tether_sftp_path_op (TetherSftpClient    *self,
         guint8               type,
         const char          *path,
         GTask               *task,
         TetherSftpReplyFunc  func)
{
  guint32 id = _tether_sftp_client_next_id (self);
  GError *error = NULL;
  g_autoptr(GBytes) msg = _tether_sftp_encode_path (type, id, path, -1, &error);

  send_op (self, task, id, msg, error, func);
}

/**
 * tether_sftp_client_op_finish:
 * @self: a #TetherSftpClient
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError
 *
 * Finishes an operation that returns nothing: mkdir, remove, rmdir, remove_recursive,
 * rename, chmod, symlink. Server failures are in %G_IO_ERROR (%G_IO_ERROR_NOT_FOUND,
 * %G_IO_ERROR_PERMISSION_DENIED, %G_IO_ERROR_FAILED...) with the server's message.
 *
 * Returns: %TRUE on success
 */
gboolean
tether_sftp_client_op_finish (TetherSftpClient  *self,
                              GAsyncResult      *result,
                              GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* simple ops ---------------------------------------------------------------*/

/**
 * tether_sftp_client_mkdir_async:
 * @self: a #TetherSftpClient
 * @path: the folder to make
 * @mode: its permissions, such as 0755
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result; finish with tether_sftp_client_op_finish()
 * @user_data: data for @callback
 *
 * Makes the folder @path.
 */
void
tether_sftp_client_mkdir_async (TetherSftpClient    *self,
                                const char          *path,
                                guint                mode,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  TetherSftpAttrs attrs = { .flags = TETHER_SFTP_ATTR_PERMISSIONS, .permissions = mode };
  guint32 id;
  GError *error = NULL;
  g_autoptr(GBytes) msg = NULL;
  GTask *task;

  g_return_if_fail (TETHER_IS_SFTP_CLIENT (self));
  g_return_if_fail (path != NULL);

  task = _tether_sftp_op_task_new (self, tether_sftp_client_mkdir_async, "[tether] sftp mkdir",
                      cancellable, callback, user_data);
  id = _tether_sftp_client_next_id (self);
  msg = _tether_sftp_encode_path_attrs (TETHER_SFTP_MKDIR, id, path, -1, &attrs, &error);
  send_op (self, task, id, msg, error, status_reply_cb);
}

/**
 * tether_sftp_client_chmod_async:
 * @self: a #TetherSftpClient
 * @path: a path on the server
 * @mode: the new permission bits, such as 0644
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result; finish with tether_sftp_client_op_finish()
 * @user_data: data for @callback
 *
 * Changes the permissions of @path (SETSTAT).
 */
void
tether_sftp_client_chmod_async (TetherSftpClient    *self,
                                const char          *path,
                                guint                mode,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  TetherSftpAttrs attrs = { .flags = TETHER_SFTP_ATTR_PERMISSIONS, .permissions = mode };
  guint32 id;
  GError *error = NULL;
  g_autoptr(GBytes) msg = NULL;
  GTask *task;

  g_return_if_fail (TETHER_IS_SFTP_CLIENT (self));
  g_return_if_fail (path != NULL);

  task = _tether_sftp_op_task_new (self, tether_sftp_client_chmod_async, "[tether] sftp chmod",
                      cancellable, callback, user_data);
  id = _tether_sftp_client_next_id (self);
  msg = _tether_sftp_encode_path_attrs (TETHER_SFTP_SETSTAT, id, path, -1, &attrs, &error);
  send_op (self, task, id, msg, error, status_reply_cb);
}

/**
 * tether_sftp_client_remove_async:
 * @self: a #TetherSftpClient
 * @path: a file (or link) on the server
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result; finish with tether_sftp_client_op_finish()
 * @user_data: data for @callback
 *
 * Removes the file @path.
 */
void
tether_sftp_client_remove_async (TetherSftpClient    *self,
                                 const char          *path,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (TETHER_IS_SFTP_CLIENT (self));
  g_return_if_fail (path != NULL);

  task = _tether_sftp_op_task_new (self, tether_sftp_client_remove_async, "[tether] sftp remove",
                      cancellable, callback, user_data);
  _tether_sftp_path_op (self, TETHER_SFTP_REMOVE, path, task, status_reply_cb);
}

/**
 * tether_sftp_client_rmdir_async:
 * @self: a #TetherSftpClient
 * @path: an empty folder on the server
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result; finish with tether_sftp_client_op_finish()
 * @user_data: data for @callback
 *
 * Removes the empty folder @path.
 */
void
tether_sftp_client_rmdir_async (TetherSftpClient    *self,
                                const char          *path,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (TETHER_IS_SFTP_CLIENT (self));
  g_return_if_fail (path != NULL);

  task = _tether_sftp_op_task_new (self, tether_sftp_client_rmdir_async, "[tether] sftp rmdir",
                      cancellable, callback, user_data);
  _tether_sftp_path_op (self, TETHER_SFTP_RMDIR, path, task, status_reply_cb);
}

/**
 * tether_sftp_client_symlink_async:
 * @self: a #TetherSftpClient
 * @target: what the link points to
 * @link_path: where the link is made
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result; finish with tether_sftp_client_op_finish()
 * @user_data: data for @callback
 *
 * Makes a symbolic link at @link_path pointing to @target. OpenSSH's sftp-server (also run
 * by Dropbear), which swaps SYMLINK's arguments against the draft, is told them swapped.
 */
void
tether_sftp_client_symlink_async (TetherSftpClient    *self,
                                  const char          *target,
                                  const char          *link_path,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  guint32 id;
  GError *error = NULL;
  g_autoptr(GBytes) msg = NULL;
  GTask *task;

  g_return_if_fail (TETHER_IS_SFTP_CLIENT (self));
  g_return_if_fail (target != NULL);
  g_return_if_fail (link_path != NULL);

  task = _tether_sftp_op_task_new (self, tether_sftp_client_symlink_async, "[tether] sftp symlink",
                      cancellable, callback, user_data);
  id = _tether_sftp_client_next_id (self);
  if (self->reversed_symlink)
    msg = _tether_sftp_encode_two_paths (TETHER_SFTP_SYMLINK, id, target, link_path, &error);
  else
    msg = _tether_sftp_encode_two_paths (TETHER_SFTP_SYMLINK, id, link_path, target, &error);
  send_op (self, task, id, msg, error, status_reply_cb);
}

/* readlink, realpath ------------------------------------------------------*/

static void
path_reply_cb (TetherSftpClient      *self,
               const TetherSftpReply *reply,
               const GError          *error,
               gpointer               data)
{
  g_autoptr(GTask) task = data;
  const TetherSftpName *n;

  if (_tether_sftp_return_if_failed (task, reply, error, TETHER_SFTP_NAME))
    return;
  if (reply->names->len != 1) {
    g_task_return_new_error (task, TETHER_ERROR, TETHER_ERROR_PROTOCOL,
                             _("The SFTP server sent %u names where one was expected."),
                             reply->names->len);
    return;
  }
  n = &g_array_index (reply->names, TetherSftpName, 0);
  g_task_return_pointer (task, g_strndup ((const char *) n->filename.data, n->filename.len),
                         g_free);
}

/**
 * tether_sftp_client_readlink_async:
 * @self: a #TetherSftpClient
 * @path: a symbolic link on the server
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result; finish with tether_sftp_client_path_finish()
 * @user_data: data for @callback
 *
 * Reads the target of the symbolic link @path.
 */
void
tether_sftp_client_readlink_async (TetherSftpClient    *self,
                                   const char          *path,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (TETHER_IS_SFTP_CLIENT (self));
  g_return_if_fail (path != NULL);

  task = _tether_sftp_op_task_new (self, tether_sftp_client_readlink_async, "[tether] sftp readlink",
                      cancellable, callback, user_data);
  _tether_sftp_path_op (self, TETHER_SFTP_READLINK, path, task, path_reply_cb);
}

/**
 * tether_sftp_client_realpath_async:
 * @self: a #TetherSftpClient
 * @path: a path on the server; "." is the login folder
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result; finish with tether_sftp_client_path_finish()
 * @user_data: data for @callback
 *
 * Asks the server for the absolute, canonical form of @path.
 */
void
tether_sftp_client_realpath_async (TetherSftpClient    *self,
                                   const char          *path,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (TETHER_IS_SFTP_CLIENT (self));
  g_return_if_fail (path != NULL);

  task = _tether_sftp_op_task_new (self, tether_sftp_client_realpath_async, "[tether] sftp realpath",
                      cancellable, callback, user_data);
  _tether_sftp_path_op (self, TETHER_SFTP_REALPATH, path, task, path_reply_cb);
}

/**
 * tether_sftp_client_path_finish:
 * @self: a #TetherSftpClient
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError
 *
 * Finishes tether_sftp_client_readlink_async() or tether_sftp_client_realpath_async().
 *
 * Returns: (transfer full): the path, or %NULL with @error set
 */
char *
tether_sftp_client_path_finish (TetherSftpClient  *self,
                                GAsyncResult      *result,
                                GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* statvfs ------------------------------------------------------------------*/

static void
statvfs_reply_cb (TetherSftpClient      *self,
                  const TetherSftpReply *reply,
                  const GError          *error,
                  gpointer               data)
{
  g_autoptr(GTask) task = data;
  g_autoptr(GFileInfo) info = NULL;
  GError *parse_error = NULL;
  TetherSftpStatvfs st;
  guint64 unit;

  if (_tether_sftp_return_if_failed (task, reply, error, TETHER_SFTP_EXTENDED_REPLY))
    return;
  if (!_tether_sftp_parse_statvfs (&reply->data, &st, &parse_error)) {
    g_task_return_error (task, parse_error);
    return;
  }
  unit = st.frsize != 0 ? st.frsize : st.bsize;
  info = g_file_info_new ();
  g_file_info_set_attribute_uint64 (info, G_FILE_ATTRIBUTE_FILESYSTEM_SIZE, st.blocks * unit);
  g_file_info_set_attribute_uint64 (info, G_FILE_ATTRIBUTE_FILESYSTEM_FREE, st.bavail * unit);
  g_file_info_set_attribute_uint64 (info, G_FILE_ATTRIBUTE_FILESYSTEM_USED,
                                    (st.blocks - MIN (st.bfree, st.blocks)) * unit);
  g_file_info_set_attribute_boolean (info, G_FILE_ATTRIBUTE_FILESYSTEM_READONLY,
                                     (st.flag & SFTP_ST_RDONLY) != 0);
  g_task_return_pointer (task, g_steal_pointer (&info), g_object_unref);
}

/**
 * tether_sftp_client_statvfs_async:
 * @self: a #TetherSftpClient
 * @path: a path on the server
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: data for @callback
 *
 * Describes the file system holding @path (filesystem::size, ::free, ::used, ::readonly).
 * Fails with %G_IO_ERROR_NOT_SUPPORTED unless the server offers "statvfs@openssh.com".
 */
void
tether_sftp_client_statvfs_async (TetherSftpClient    *self,
                                  const char          *path,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  guint32 id;
  GError *error = NULL;
  g_autoptr(GBytes) msg = NULL;
  GTask *task;

  g_return_if_fail (TETHER_IS_SFTP_CLIENT (self));
  g_return_if_fail (path != NULL);

  task = _tether_sftp_op_task_new (self, tether_sftp_client_statvfs_async, "[tether] sftp statvfs",
                      cancellable, callback, user_data);
  if (!tether_sftp_client_has_extension (self, EXT_STATVFS)) {
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                             _("The SFTP server cannot report free space."));
    g_object_unref (task);
    return;
  }
  id = _tether_sftp_client_next_id (self);
  msg = _tether_sftp_encode_extended (id, EXT_STATVFS, path, -1, NULL, &error);
  send_op (self, task, id, msg, error, statvfs_reply_cb);
}

/**
 * tether_sftp_client_statvfs_finish:
 * @self: a #TetherSftpClient
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the file system's information, or %NULL with @error set
 */
GFileInfo *
tether_sftp_client_statvfs_finish (TetherSftpClient  *self,
                                   GAsyncResult      *result,
                                   GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
