/* tether-sftp-client-private.h: what the SFTP client's files share: the request engine
 * (ids, out-of-order replies) that the browsing ops and the transfers both drive. */
#pragma once

#include "tether-session-channel.h"
#include "tether-sftp-client.h"
#include "tether-sftp-wire-private.h"
#include "tether-transfer.h"

G_BEGIN_DECLS

/* Called once per request on the client's context: with the reply, or with @error (and
 * @reply NULL) when the client closed before one came. */
typedef void (*TetherSftpReplyFunc) (TetherSftpClient      *self,
                                     const TetherSftpReply *reply,
                                     const GError          *error,
                                     gpointer               data);

/* A client over an open channel already running the sftp subsystem, on the calling
 * thread's thread-default context (transfers run one on their own thread). */
void              _tether_sftp_client_new_for_channel_async  (TetherConnection     *connection,
                                                              GIOStream            *channel,
                                                              GCancellable         *cancellable,
                                                              GAsyncReadyCallback   callback,
                                                              gpointer              user_data);
guint32           _tether_sftp_client_next_id   (TetherSftpClient     *self);
/* Queues @msg (request @id, from _tether_sftp_client_next_id()); @func runs exactly once. */
void              _tether_sftp_client_send      (TetherSftpClient     *self,
                                                 guint32               id,
                                                 GBytes               *msg,
                                                 TetherSftpReplyFunc   func,
                                                 gpointer              data);
/* For tests: behave as if the server had not offered extension @name. */
void              _tether_sftp_client_forget_extension (TetherSftpClient *self,
                                                        const char       *name);
guint             _tether_sftp_client_n_pending (TetherSftpClient     *self);
GError           *_tether_sftp_client_dup_error (TetherSftpClient     *self);
/* The rename ops of the client, for the transfers on their own client. */
void              _tether_sftp_client_rename    (TetherSftpClient     *self,
                                                 const char           *from,
                                                 const char           *to,
                                                 gboolean              overwrite,
                                                 GTask                *task);
/* Helpers of the client's operations, shared by its files. */
GTask            *_tether_sftp_op_task_new      (TetherSftpClient     *self,
                                                 gpointer              source_tag,
                                                 const char           *name,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
/* Returns a failed reply's error on @task (the client's, the server's STATUS, or a
 * protocol error for a reply that is not @expected); TRUE when it did. */
gboolean          _tether_sftp_return_if_failed (GTask                 *task,
                                                 const TetherSftpReply *reply,
                                                 const GError          *error,
                                                 guint8                 expected);
/* Sends a request of @type on @path; @func gets @task. */
void              _tether_sftp_path_op          (TetherSftpClient     *self,
                                                 guint8                type,
                                                 const char           *path,
                                                 GTask                *task,
                                                 TetherSftpReplyFunc   func);
GFileInfo        *_tether_sftp_file_info_new    (const TetherSftpSpan  *name,
                                                 const TetherSftpAttrs *attrs);

/* TetherTransfer, from the thread that moves the bytes. */
void              _tether_transfer_start        (TetherTransfer       *self,
                                                 guint64               done,
                                                 guint64               total);
void              _tether_transfer_add          (TetherTransfer       *self,
                                                 guint64               n);
void              _tether_transfer_finish       (TetherTransfer       *self,
                                                 const GError         *error);
/* For a folder: items copied and listed (tether-sftp-transfer-tree.c). */
void              _tether_transfer_set_files    (TetherTransfer       *self,
                                                 guint                 done,
                                                 guint                 total);
void              _tether_transfer_add_file     (TetherTransfer       *self);
/* Drops a reference on the transfer's owner context (see tether-transfer.c). */
void              _tether_transfer_release      (TetherTransfer       *self);

/* A client started through sudo (tether-sftp-sudo.c), and a root sftp-server for one of its
 * transfers, started the same way. */
gboolean              _tether_sftp_client_is_sudo            (TetherSftpClient     *client);
void                  _tether_sftp_sudo_open_channel_async   (TetherSftpClient     *client,
                                                              GCancellable         *cancellable,
                                                              GAsyncReadyCallback   callback,
                                                              gpointer              user_data);
TetherSessionChannel *_tether_sftp_sudo_open_channel_finish  (TetherSftpClient     *client,
                                                              GAsyncResult         *result,
                                                              GError              **error);

/* download/upload, in tether-sftp-transfer.c */
void              _tether_sftp_transfer_run     (TetherSftpClient     *self,
                                                 gboolean              upload,
                                                 const char           *remote_path,
                                                 GFile                *local,
                                                 TetherTransfer       *transfer,
                                                 GTask                *task);

G_END_DECLS
